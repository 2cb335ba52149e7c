"""Building the year-end report draft (年度法治政府建设情况报告) from the accepted progress reports, and the
coordinator's edits of it.

The draft follows 《法治政府建设与责任落实督察工作规定》: an opening paragraph; the year's main measures and results
(one level-1 heading per plan section, one level-2 heading per task: the lead units' accepted reports first, then
the responsible units', verbatim); then 存在的不足和原因, 党政主要负责人履行推进法治建设第一责任人职责情况,
下一年度工作安排 and 其他需要报告的事项, numbered on after the plan's sections; the issuing office and the date.

Reads take a fixed number of queries whatever the number of reports: the reports in one query (with assignment,
unit, task and section joined), the parts in one. Every write goes through a function here, in one transaction.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, chinese_number
from tasks.uploads import safe_filename
from units.models import Unit
from units.roles import roles_for

from .docx import HEADING1, HEADING2, PARAGRAPH, Block, OfficialDocument
from .models import AnnualReport, ReportPart

State = ProgressReport.State
Kind = ReportPart.Kind

OPENING_KEY = "opening"
CLOSING_KINDS = [Kind.SHORTCOMINGS, Kind.LEADERS, Kind.NEXT_YEAR, Kind.OTHER]
# 二、压实法治政府建设第一责任人职责: its tasks' reports are the material of the leaders' part.
LEADERS_SECTION_NUMBER = 2
# Texts units write when they have nothing to say (“无。”): left out of the gathered parts.
NOTHING_TO_REPORT = {
    "无",
    "暂无",
    "没有",
    "无问题",
    "暂无问题",
    "无明显问题",
    "暂未发现问题",
    "不涉及",
    "无此项",
}
TRAILING_PUNCTUATION = "。；;，,.：: "


class AssemblyError(ValueError):
    """The draft cannot be assembled as asked (no period, a period of another plan); the message is Chinese."""


class StaleEdit(Exception):
    """Someone saved this part (or the head fields) after the user opened it. `current` is the row as it is now."""

    def __init__(self, message, current):
        super().__init__(message)
        self.current = current


# --- reading -------------------------------------------------------------------------------------------------


def paragraphs(text):
    """The non-empty lines of a text, stripped: the paragraphs of the document."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def clean_text(text):
    """A text as it is stored: paragraphs on their own lines, no blank lines, no stray spaces."""
    return "\n".join(paragraphs(text))


def says_nothing(text):
    return re.sub(r"[\s。.，,；;！!、]", "", text or "") in NOTHING_TO_REPORT


def default_period(periods, year):
    """The period covering the whole plan year (全年), else the one that ends last; None without periods."""
    if not periods:
        return None
    year_start, year_end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    by_end = sorted(periods, key=lambda p: (p.ends_on, p.pk))
    full_year = [p for p in by_end if p.starts_on <= year_start and p.ends_on >= year_end]
    return (full_year or by_end)[-1]


def plan_periods(plan):
    return list(ReportingPeriod.objects.filter(plan=plan).order_by("ends_on", "pk"))


def plan_sections(plan):
    return list(Section.objects.filter(plan=plan).order_by("number"))


def plan_tasks(plan):
    """The plan's tasks in the plan's order (section, then number), with their section."""
    return list(
        Task.objects.filter(plan=plan).select_related("section").order_by("section__number", "number")
    )


def accepted_reports(period):
    """The period's accepted reports in the plan's order: by section and task, lead units before responsible
    units ("lead" < "responsible"), then by unit order. One query."""
    if period is None:
        return []
    return list(
        ProgressReport.objects.filter(period=period, state=State.ACCEPTED)
        .select_related("assignment__unit", "assignment__task__section")
        .order_by(
            "assignment__task__section__number",
            "assignment__task__number",
            "assignment__role",
            "assignment__unit__order",
            "assignment__unit__name",
            "pk",
        )
    )


def load_draft(plan):
    return AnnualReport.objects.filter(plan=plan).select_related("period", "assembled_by").first()


def draft_parts(draft):
    if draft is None:
        return []
    return list(draft.parts.select_related("task").order_by("pk"))


def default_issuer(plan):
    """The issuing office of the report: the plan's issuer without a trailing 办公室 (聊城市人民政府)."""
    issuer = (plan.issuer or "").strip()
    return issuer.removesuffix("办公室") or issuer


def default_title(plan, issuer=None):
    issuer = default_issuer(plan) if issuer is None else issuer
    return _("%(issuer)s关于%(year)s年度法治政府建设情况的报告") % {"issuer": issuer, "year": plan.year}


def opening_text(plan, task_count):
    return _(
        "%(year)s年，在市委、市政府的坚强领导下，全市各级各部门坚持以习近平法治思想为指导，深入贯彻落实党中央、"
        "国务院和省委、省政府关于法治政府建设的决策部署，对照《%(plan)s》（%(doc)s）确定的%(count)s项重点任务，"
        "扎实推进法治政府建设，各项工作取得新进展新成效。现将有关情况报告如下："
    ) % {"year": plan.year, "plan": plan.title, "doc": plan.doc_number, "count": task_count}


def closing_title(kind, year):
    """The heading of a closing part (without its number)."""
    titles = {
        Kind.SHORTCOMINGS: _("存在的不足和原因"),
        Kind.LEADERS: _("党政主要负责人履行推进法治建设第一责任人职责情况"),
        Kind.NEXT_YEAR: _("%(year)s年工作安排") % {"year": year + 1},
        Kind.OTHER: _("其他需要报告的事项"),
    }
    return titles[kind]


def task_heading(task):
    """A task's title as a heading: the plan's first sentence without its full stop."""
    return task.title.strip().rstrip(TRAILING_PUNCTUATION)


def task_key(task_id):
    return f"task-{task_id}"


# --- assembling ------------------------------------------------------------------------------------------------


@dataclass
class Assembled:
    """What the assembly makes of one part: its text and the reports it came from."""

    key: str
    kind: str
    text: str = ""
    report_ids: list = field(default_factory=list)
    task: Task | None = None


def task_account(task, reports):
    """The task's part: each accepted report's body verbatim, lead units first (the order of `reports`)."""
    used = [report for report in reports if paragraphs(report.body)]
    text = "\n".join(clean_text(report.body) for report in used)
    return Assembled(task_key(task.pk), Kind.TASK, text, [report.pk for report in used], task)


def gathered(kind, reports, field_name):
    """The reports' `problems` or `next_steps`, in the plan's order; an identical text only once."""
    seen, texts, ids = set(), [], []
    for report in reports:
        text = clean_text(getattr(report, field_name))
        if not text or says_nothing(text):
            continue
        ids.append(report.pk)
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return Assembled(str(kind), kind, "\n".join(texts), ids)


def assemble_parts(plan, tasks, reports):
    """Every part of the draft, in order, from the plan's tasks and the period's accepted reports (pure)."""
    by_task = {}
    for report in reports:
        by_task.setdefault(report.assignment.task_id, []).append(report)
    parts = [Assembled(OPENING_KEY, Kind.OPENING, opening_text(plan, len(tasks)))]
    parts += [task_account(task, by_task.get(task.pk, [])) for task in tasks]
    parts.append(gathered(Kind.SHORTCOMINGS, reports, "problems"))
    parts.append(Assembled(str(Kind.LEADERS), Kind.LEADERS))
    parts.append(gathered(Kind.NEXT_YEAR, reports, "next_steps"))
    parts.append(Assembled(str(Kind.OTHER), Kind.OTHER))
    return parts


@dataclass
class AssemblySummary:
    draft: AnnualReport
    created: bool
    reports: int = 0
    newly_included: int = 0
    kept_edited: int = 0
    replaced: int = 0
    added_parts: int = 0
    dropped_parts: int = 0


def require_coordinator(user):
    """`user=None` is the command line; a person must be a coordinator."""
    if user is not None and not roles_for(user).is_coordinator:
        raise PermissionDenied(_("只有统筹人员可以汇编和修改年度报告。"))


def choose_period(plan, period):
    if period is None:
        period = default_period(plan_periods(plan), plan.year)
        if period is None:
            raise AssemblyError(
                _("“%(plan)s”还没有报送期，无法汇编年度报告。请先设置报送期。") % {"plan": plan}
            )
    elif period.plan_id != plan.pk:
        raise AssemblyError(_("报送期“%(period)s”不属于“%(plan)s”。") % {"period": period.name, "plan": plan})
    return period


def _merge(part, assembled, summary):
    """Bring an existing part up to the new assembly: edited text is kept, unedited text replaced."""
    known = set(part.source_report_ids)
    flagged = set(part.new_report_ids) | {pk for pk in assembled.report_ids if pk not in known}
    part.new_report_ids = [pk for pk in assembled.report_ids if pk in flagged]
    summary.newly_included += len([pk for pk in assembled.report_ids if pk not in known])
    part.source_report_ids = assembled.report_ids
    part.assembled_text = assembled.text
    if part.edited:
        part.edited = part.text != assembled.text
        summary.kept_edited += part.edited
    elif part.text != assembled.text:
        part.text = assembled.text
        part.version += 1
        summary.replaced += 1


def _new_part(draft, assembled, flag):
    return ReportPart(
        report=draft,
        key=assembled.key,
        kind=assembled.kind,
        task=assembled.task,
        text=assembled.text,
        assembled_text=assembled.text,
        source_report_ids=assembled.report_ids,
        new_report_ids=list(assembled.report_ids) if flag else [],
    )


@transaction.atomic
def assemble(plan, *, period=None, user=None):
    """Assemble (or re-assemble) the plan's draft from the accepted reports of `period` (default: the full year).

    The coordinator's edited parts keep their text; unedited parts take the new assembly; reports a re-assembly
    adds are flagged on their part; a part whose task is gone is dropped, a new task gets a part.
    A fixed number of queries, whatever the number of reports.
    """
    require_coordinator(user)
    period = choose_period(plan, period)
    issuer = default_issuer(plan)
    draft, created = AnnualReport.objects.select_for_update().get_or_create(
        plan=plan,
        defaults={"title": default_title(plan, issuer), "issuer": issuer, "assembled_at": timezone.now()},
    )
    reports = accepted_reports(period)
    summary = AssemblySummary(draft=draft, created=created, reports=len(reports))
    existing = {} if created else {part.key: part for part in draft.parts.select_for_update()}
    new_parts, kept = [], []
    for assembled in assemble_parts(plan, plan_tasks(plan), reports):
        part = existing.pop(assembled.key, None)
        if part is None:
            new_parts.append(_new_part(draft, assembled, flag=not created))
            summary.newly_included += 0 if created else len(assembled.report_ids)
        else:
            _merge(part, assembled, summary)
            kept.append(part)
    summary.added_parts = 0 if created else len(new_parts)
    summary.dropped_parts = len(existing)
    if existing:
        ReportPart.objects.filter(pk__in=[part.pk for part in existing.values()]).delete()
    if kept:
        ReportPart.objects.bulk_update(
            kept, ["text", "assembled_text", "edited", "source_report_ids", "new_report_ids", "version"]
        )
    ReportPart.objects.bulk_create(new_parts)
    draft.period = period
    draft.assembled_at = timezone.now()
    draft.assembled_by = user
    draft.save(update_fields=["period", "assembled_at", "assembled_by", "updated_at"])
    return summary


# --- the coordinator's edits ------------------------------------------------------------------------------------


def _stale_part(current):
    return StaleEdit(
        _(
            "这一部分在您打开之后已被他人修改（现为第 %(version)s 版）。您的内容没有保存，仍在下面；请核对后再保存。"
        )
        % {"version": current.version},
        current,
    )


def _locked_part(part):
    return ReportPart.objects.select_for_update(of=("self",)).select_related("task").get(pk=part.pk)


@transaction.atomic
def save_part(part, *, text, version, user):
    """The coordinator's text of a part. Refused (StaleEdit) when the part changed since `version` was read."""
    require_coordinator(user)
    current = _locked_part(part)
    if int(version) != current.version:
        raise _stale_part(current)
    text = clean_text(text)
    if text == current.text:
        return current
    current.text = text
    current.edited = text != current.assembled_text
    current.version += 1
    current.updated_by = user
    current.save(update_fields=["text", "edited", "version", "updated_by", "updated_at"])
    return current


@transaction.atomic
def use_assembled_text(part, *, version, user):
    """替换: the part takes the re-assembled text again and follows future assemblies."""
    require_coordinator(user)
    current = _locked_part(part)
    if int(version) != current.version:
        raise _stale_part(current)
    current.text = current.assembled_text
    current.edited = False
    current.new_report_ids = []
    current.version += 1
    current.updated_by = user
    current.save(update_fields=["text", "edited", "new_report_ids", "version", "updated_by", "updated_at"])
    return current


@transaction.atomic
def dismiss_news(part, *, user):
    """保留我的: the newly included reports are no longer highlighted; the text stays as it is."""
    require_coordinator(user)
    current = _locked_part(part)
    current.new_report_ids = []
    current.save(update_fields=["new_report_ids", "updated_at"])
    return current


HEAD_FIELDS = ["title", "issuer", "date", "addressee"]


@transaction.atomic
def save_head(draft, *, data, version, user):
    """The head fields (title, issuing office, date, 主送). Refused (StaleEdit) on a newer save."""
    require_coordinator(user)
    current = AnnualReport.objects.select_for_update().get(pk=draft.pk)
    if int(version) != current.version:
        raise StaleEdit(
            _(
                "标题和落款在您打开之后已被他人修改（现为第 %(version)s 版）。您的内容没有保存，仍在下面；请核对后再保存。"
            )
            % {"version": current.version},
            current,
        )
    changed = [name for name in HEAD_FIELDS if getattr(current, name) != data[name]]
    if not changed:
        return current
    for name in changed:
        setattr(current, name, data[name])
    current.version += 1
    current.save(update_fields=[*changed, "version", "updated_at"])
    return current


# --- the outline: headings and numbering, shared by the page, the print view and the Word file -------------------


@dataclass
class Entry:
    """One heading (or the opening) with its part. `exported`: it goes into the document."""

    level: int
    heading: str
    part: ReportPart | None = None
    section: Section | None = None
    exported: bool = True

    @property
    def paragraphs(self):
        return paragraphs(self.part.text) if self.part else []


def outline(year, sections, parts):
    """The document's order: the opening; each plan section (一、…) with its tasks' accounts (（一）…; a task with
    no text is left out of the numbering and the document); then the closing parts numbered on (其他需要报告的事项
    only when written)."""
    by_key = {part.key: part for part in parts}
    by_section = {}
    for part in sorted((p for p in parts if p.task_id), key=lambda p: p.task.number):
        by_section.setdefault(part.task.section_id, []).append(part)
    entries = []
    opening = by_key.get(OPENING_KEY)
    if opening is not None:
        entries.append(Entry(0, "", opening, exported=bool(opening.text)))
    for index, section in enumerate(sections, 1):
        entries.append(Entry(1, f"{chinese_number(index)}、{section.title}", section=section))
        number = 0
        for part in by_section.get(section.pk, []):
            if part.text:
                number += 1
                entries.append(
                    Entry(2, f"（{chinese_number(number)}）{task_heading(part.task)}", part, section)
                )
            else:
                entries.append(Entry(2, task_heading(part.task), part, section, exported=False))
    number = len(sections)
    for kind in CLOSING_KINDS:
        part = by_key.get(str(kind))
        if part is None:
            continue
        title = closing_title(kind, year)
        if kind == Kind.OTHER and not part.text:
            entries.append(Entry(1, title, part, exported=False))
            continue
        number += 1
        entries.append(Entry(1, f"{chinese_number(number)}、{title}", part))
    return entries


def document_blocks(entries):
    """The Word file's body: the exported entries' headings and paragraphs."""
    kinds = {1: HEADING1, 2: HEADING2}
    blocks = []
    for entry in entries:
        if not entry.exported:
            continue
        if entry.level:
            blocks.append(Block(kinds[entry.level], entry.heading))
        blocks += [Block(PARAGRAPH, text) for text in entry.paragraphs]
    return blocks


def addressee_line(addressee):
    """主送 as documents write it: ending in a full-width colon (市委、市人大常委会：)."""
    addressee = addressee.strip().rstrip(":：")
    return f"{addressee}：" if addressee else ""


def official_document(draft, entries):
    return OfficialDocument(
        title=draft.title,
        blocks=document_blocks(entries),
        issuer=draft.issuer,
        date=draft.date,
        addressee=addressee_line(draft.addressee),
    )


def document_for(draft):
    """The draft as an OfficialDocument (with the coordinator's edits), read in three queries."""
    plan = draft.plan
    return official_document(draft, outline(plan.year, plan_sections(plan), draft_parts(draft)))


def docx_filename(draft):
    """聊城市人民政府关于2022年度法治政府建设情况的报告.docx"""
    return safe_filename(f"{draft.title.strip() or _('年度法治政府建设情况报告')}.docx")


# --- beside the draft: what is missing, the statutory dates --------------------------------------------------------


def tasks_without_accepted(tasks, reports):
    """Tasks with no accepted report in the period (from the lists already read)."""
    reported = {report.assignment.task_id for report in reports}
    return [task for task in tasks if task.pk not in reported]


def units_never_reported(plan):
    """Units assigned in the plan with no submitted or accepted report in any of its periods. One query."""
    reported = ProgressReport.objects.filter(
        period__plan=plan, state__in=(State.SUBMITTED, State.ACCEPTED)
    ).values("assignment__unit_id")
    assigned = Assignment.objects.filter(task__plan=plan).values("unit_id")
    return list(Unit.objects.filter(pk__in=assigned).exclude(pk__in=reported).order_by("order", "name"))


def leaders_material(reports):
    """The accepted reports of the tasks of section 二 (第一责任人职责): material for the leaders' part."""
    return [r for r in reports if r.assignment.task.section.number == LEADERS_SECTION_NUMBER]


@dataclass
class Deadline:
    label: str
    due: datetime.date
    workdays_left: int
    days_left: int


def statutory_deadlines(year, today, calendar):
    """The year-end report's dates: departments report by 1 March, the report is published by 1 April."""
    dates = [
        (_("各部门报送上一年度法治政府建设情况报告"), datetime.date(year + 1, 3, 1)),
        (_("向社会公开年度法治政府建设情况报告"), datetime.date(year + 1, 4, 1)),
    ]
    return [
        Deadline(label, due, calendar.workdays_left(today, due), (due - today).days) for label, due in dates
    ]


def reports_by_id(reports):
    return {report.pk: report for report in reports}


def news_of(part, by_id):
    """The reports newly included in a part, as rows to show (those still accepted in the draft's period)."""
    return [by_id[pk] for pk in part.new_report_ids if pk in by_id]


def source_text(part, report):
    """The text of `report` that went into `part`."""
    if part.kind == Kind.SHORTCOMINGS:
        return report.problems
    if part.kind == Kind.NEXT_YEAR:
        return report.next_steps
    return report.body
