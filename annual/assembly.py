"""Building the year-end report draft (年度法治政府建设情况报告) from the accepted progress reports, and the
coordinator's edits of it.

The parts and their order come from the draft's template (`ReportTemplate`, default: the five parts of
《法治政府建设与责任落实督察工作规定》; a county variant is offered): an opening paragraph, then each template part
as a level-1 heading. A measures part has one level-2 heading per plan section it takes and each task as a
run-in "1.任务。……" paragraph; the tasks of the sections a leaders/other part takes are written under it.

Each task is written once: from its lead unit's accepted account (the 牵头汇总) when there is one, else as an
extractive digest of the accepted reports (whole sentences that carry figures, document numbers or named
measures; near-duplicates across units once; in the plan's order; at most the template's limit) — every
sentence traceable as (report id, sentence index) in `ReportPart.digest`. A unit's own voice is rewritten to
name it, or the sentence stays in the material. Problems and next steps are grouped into at most eight
"一是……" points with how many units raised each. A task without an accepted report, or a part without material,
holds a highlighted 【待补充：…】 placeholder.

Reads take a fixed number of queries whatever the number of reports: the reports in one query (with assignment,
unit, task and section joined), the parts in one. Every write goes through a function here, in one transaction.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tasks.models import Assignment, ProgressReport, ReportingPeriod, Section, Task, chinese_number
from tasks.uploads import safe_filename
from units.models import Unit
from units.roles import roles_for

from . import digest as text_digest
from .docx import HEADING1, HEADING2, HEADING3, PARAGRAPH, Block, OfficialDocument
from .models import AnnualReport, ReportPart, ReportTemplate, TemplatePart

State = ProgressReport.State
Kind = ReportPart.Kind
PartKind = TemplatePart.Kind
Preset = ReportTemplate.Preset

OPENING_KEY = "opening"
MAX_POINTS = 8  # "一是……" points in the problems and next-year parts
# The presets: (kind, heading). The statutory one follows 《法治政府建设与责任落实督察工作规定》; the county one
# is the layout of county reports (seed 004: 主要工作情况 / 存在的问题和不足 / 下一年工作思路).
PRESETS = {
    Preset.STATUTORY: [
        (PartKind.MEASURES, "主要举措和成效"),
        (PartKind.LEADERS, "党政主要负责人履行推进法治建设第一责任人职责情况"),
        (PartKind.SHORTCOMINGS, "存在的不足和原因"),
        (PartKind.NEXT_YEAR, "下一年度推进法治政府建设的主要安排"),
        (PartKind.OTHER, "其他需要报告的情况"),
    ],
    Preset.COUNTY: [
        (PartKind.MEASURES, "主要工作情况"),
        (PartKind.SHORTCOMINGS, "存在的问题和不足"),
        (PartKind.NEXT_YEAR, "下一年工作思路"),
    ],
}
# A plan section about the leaders' duty (its title says so, whatever its number) feeds the leaders' part.
LEADERS_SECTION = re.compile(r"第一责任人|党政主要负责人")
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
    units ("lead" < "responsible"), then in the notice's order (the principal lead unit, 主牵头, first). One query."""
    if period is None:
        return []
    other_leads = Assignment.objects.active().filter(
        task_id=OuterRef("assignment__task_id"), role=Assignment.Role.LEAD
    ).exclude(pk=OuterRef("assignment_id"))
    return list(
        ProgressReport.objects.filter(period=period, state=State.ACCEPTED)
        # the principal lead unit (主牵头): the first lead named in the notice, of several
        .annotate(
            principal=ExpressionWrapper(
                Q(assignment__role=Assignment.Role.LEAD, assignment__order=0) & Exists(other_leads),
                output_field=BooleanField(),
            )
        )
        .select_related("assignment__unit", "assignment__task__section")
        .order_by(
            "assignment__task__section__number",
            "assignment__task__number",
            "assignment__role",
            "assignment__order",
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


def task_heading(task):
    """A task's title as a heading: the plan's first sentence without its full stop."""
    return task.title.strip().rstrip(TRAILING_PUNCTUATION)


def task_key(task_id):
    return f"task-{task_id}"


# --- the template ------------------------------------------------------------------------------------------------


def preset_parts(preset, sections):
    """The template parts of a preset for a plan's sections (unsaved): the leaders' part takes the sections
    whose title is about the leaders' duty; the measures part (no sections listed) takes every other one."""
    leaders = [section.pk for section in sections if LEADERS_SECTION.search(section.title)]
    rows = []
    for order, (kind, heading) in enumerate(PRESETS[preset], 1):
        ids = leaders if kind == PartKind.LEADERS else []
        rows.append(TemplatePart(order=order, heading=heading, kind=kind, section_ids=ids))
    return rows


def template_parts(draft):
    """The draft's template parts in order (one query); empty before the template exists."""
    if draft is None or draft.pk is None:
        return []
    return list(TemplatePart.objects.filter(template__report=draft).order_by("order", "pk"))


def load_template(draft):
    return ReportTemplate.objects.filter(report=draft).first() if draft is not None else None


def ensure_template(draft, sections, preset=Preset.STATUTORY):
    """The draft's template, made from `preset` when it has none yet."""
    template, created = ReportTemplate.objects.get_or_create(report=draft, defaults={"preset": preset})
    if created:
        rows = preset_parts(preset, sections)
        for row in rows:
            row.template = template
        TemplatePart.objects.bulk_create(rows)
    return template


@transaction.atomic
def apply_preset(draft, preset, *, user):
    """Replace the draft's template parts by a preset's (the parts' texts follow at the next assembly)."""
    require_coordinator(user)
    if preset not in PRESETS:
        raise AssemblyError(_("没有这个报告模板。"))
    template = ensure_template(draft, plan_sections(draft.plan), preset)
    template.parts.all().delete()
    rows = preset_parts(preset, plan_sections(draft.plan))
    for row in rows:
        row.template = template
    TemplatePart.objects.bulk_create(rows)
    template.preset = preset
    template.save(update_fields=["preset"])
    return template


@transaction.atomic
def save_template(draft, *, rows, digest_limit, user):
    """The coordinator's template: `rows` are dicts (heading, kind, order, section_ids, pk or None), in any order.

    Kinds other than measures and free text appear at most once; at least one part; section ids must be the
    plan's. Parts not in `rows` are removed. Raises AssemblyError with a Chinese message.
    """
    require_coordinator(user)
    sections = {section.pk for section in plan_sections(draft.plan)}
    rows = [row for row in rows if row["heading"].strip()]
    if not rows:
        raise AssemblyError(_("报告至少要有一个部分。"))
    seen = set()
    for row in rows:
        if row["kind"] not in PartKind.values:
            raise AssemblyError(_("“%(heading)s”的内容类别无效。") % {"heading": row["heading"]})
        if row["kind"] in TemplatePart.SINGLE:
            if row["kind"] in seen:
                raise AssemblyError(_("“%(kind)s”只能有一个部分。") % {"kind": PartKind(row["kind"]).label})
            seen.add(row["kind"])
        if not set(row["section_ids"]) <= sections:
            raise AssemblyError(_("所选的计划部分不属于这份计划。"))
    template = ensure_template(draft, plan_sections(draft.plan))
    existing = {part.pk: part for part in template.parts.all()}
    keep, new = [], []
    for row in sorted(rows, key=lambda r: r["order"]):
        part = existing.pop(row.get("pk"), None) or TemplatePart(template=template)
        part.heading = row["heading"].strip()[:200]
        part.kind = row["kind"]
        part.order = len(keep) + len(new) + 1
        part.section_ids = sorted(set(row["section_ids"]))
        (keep if part.pk else new).append(part)
    TemplatePart.objects.filter(pk__in=list(existing)).delete()
    TemplatePart.objects.bulk_update(keep, ["heading", "kind", "order", "section_ids"])
    TemplatePart.objects.bulk_create(new)
    template.preset = Preset.CUSTOM
    template.digest_limit = digest_limit
    template.save(update_fields=["preset", "digest_limit"])
    return template


def placement(template_rows, sections):
    """{template part: [sections]} in the plan's order: each section in the first part that lists it; a section
    no part lists goes to the first measures part without a list (else the first measures part, else the
    first part): never silently left out."""
    placed = {row.pk: [] for row in template_rows}
    claimed = {}
    for row in template_rows:
        for pk in row.section_ids:
            claimed.setdefault(pk, row.pk)
    measures = [row for row in template_rows if row.kind == PartKind.MEASURES]
    catch_all = (
        next((row for row in measures if not row.section_ids), None)
        or (measures or template_rows or [None])[0]
    )
    for section in sections:
        owner = claimed.get(section.pk, catch_all.pk if catch_all else None)
        if owner is not None:
            placed[owner].append(section)
    return placed


# --- assembling ------------------------------------------------------------------------------------------------


@dataclass
class Assembled:
    """What the assembly makes of one part: its text, the reports behind it and the sentences it took."""

    key: str
    kind: str
    text: str = ""
    report_ids: list = field(default_factory=list)
    task: Task | None = None
    taken: list = field(default_factory=list)  # [[report id, sentence index], …]


def _end(sentence):
    return sentence if sentence.endswith(("。", "！", "？", "”")) else sentence.rstrip("；;，,：: ") + "。"


def lead_account(report):
    """The lead unit's account in the city's voice: its sentences but framing ones ("现将……报告如下：") and
    its own intentions; [(sentence index, text)]."""
    unit = report.assignment.unit
    taken = []
    for index, sentence in enumerate(text_digest.sentences(report.body)):
        if text_digest.is_framing(sentence):
            continue
        voiced = text_digest.in_city_voice(sentence, unit)
        if voiced:
            taken.append((index, voiced))
    return taken


def digest_of(reports, limit, ignore=()):
    """The extractive digest of a task's accepted reports: [(report, sentence index, text)], in the reports'
    order, whole sentences that carry facts, each near-duplicate once, at most `limit` characters; the first
    sentence taken from a report names its unit when the sentence does not."""
    kept, grams, total = [], [], 0
    for report in reports:
        unit = report.assignment.unit
        first = True
        for index, sentence in enumerate(text_digest.sentences(report.body)):
            if text_digest.is_framing(sentence) or not text_digest.fact_weight(sentence, ignore):
                continue
            voiced = text_digest.in_city_voice(text_digest.strip_ordinal(sentence), unit)
            if not voiced:
                continue
            shingle = text_digest.shingles(voiced)
            if any(text_digest.similarity(shingle, g) >= text_digest.DUPLICATE for g in grams):
                continue
            if first and not any(name in voiced for name in text_digest.unit_names(unit)):
                voiced = f"{unit.short_name or unit.name}{voiced}"
            voiced = _end(voiced)
            if kept and total + len(voiced) > limit:
                continue
            kept.append((report, index, voiced))
            grams.append(shingle)
            total += len(voiced)
            first = False
        if total >= limit:
            break
    return kept


def task_account(task, reports, limit, period_name="", plan_title=""):
    """The task's part: the lead unit's account, else the digest, else a placeholder."""
    used = [report for report in reports if paragraphs(report.body)]
    ids = [report.pk for report in used]
    leads = sorted(
        (r for r in used if r.assignment.role == Assignment.Role.LEAD),
        key=lambda r: (r.assignment.order, r.assignment.unit.order, r.assignment.unit.name, r.pk),
    )
    for report in leads:
        taken = lead_account(report)
        if taken:
            text = "".join(_end(sentence) for _index, sentence in taken)
            return Assembled(
                task_key(task.pk), Kind.TASK, text, ids, task, [[report.pk, i] for i, _s in taken]
            )
    kept = digest_of(used, limit, ignore=(plan_title, task_heading(task)))
    if kept:
        text = "".join(sentence for _report, _index, sentence in kept)
        return Assembled(task_key(task.pk), Kind.TASK, text, ids, task, [[r.pk, i] for r, i, _s in kept])
    missing = text_digest.placeholder(
        _("第%(number)s项任务“%(task)s”暂无已通过的%(period)s报告，请催报或由统筹人员撰写")
        % {"number": task.number, "task": task_heading(task), "period": period_name}
    )
    return Assembled(task_key(task.pk), Kind.TASK, missing, ids, task)


def _without_subject(point, unit):
    """ "新的一年，高新区管委会将加快……" → "加快……": a point without its lead-in and its unit as subject."""
    point = text_digest._LEAD_IN.sub("", point).strip()
    for subject in (*text_digest.unit_names(unit), *text_digest.OWN_VOICE):
        if point.startswith(subject):
            rest = point[len(subject) :]
            for word in ("将", "要", "拟", "还将", "也将"):
                if rest.startswith(word):
                    return rest[len(word) :].lstrip("，, ")
    return point


def grouped(kind, reports, field_name, intro, empty):
    """The units' problems or next steps grouped into at most MAX_POINTS "一是……" points, each with how many
    units raised it; a placeholder when no unit wrote any."""
    items, ids = [], []
    for report in reports:
        text = getattr(report, field_name)
        if not clean_text(text) or says_nothing(text):
            continue
        unit = report.assignment.unit
        found = False
        for point in text_digest.split_points(text):
            point = _without_subject(point, unit)
            voiced = text_digest.in_city_voice(point, unit, allow_future=True)
            if voiced and len(voiced) >= 6:
                items.append((voiced, unit.pk, report.pk))
                found = True
        if found:
            ids.append(report.pk)
    if not items:
        return Assembled(str(kind), kind, text_digest.placeholder(empty), [])
    top, _rest = text_digest.points(items, limit=MAX_POINTS)
    texts = [
        _("%(point)s（%(count)s 个单位提出）") % {"point": group.representative(), "count": len(group.units)}
        for group in top
    ]
    return Assembled(str(kind), kind, intro + text_digest.numbered(texts), ids)


def assemble_parts(plan, tasks, reports, rows, limit, period_name=""):
    """Every part of the draft, from the plan's tasks, the period's accepted reports and the template's parts
    (`rows`); pure."""
    by_task = {}
    for report in reports:
        by_task.setdefault(report.assignment.task_id, []).append(report)
    parts = [Assembled(OPENING_KEY, Kind.OPENING, opening_text(plan, len(tasks)))]
    parts += [task_account(task, by_task.get(task.pk, []), limit, period_name, plan.title) for task in tasks]
    sections_with_tasks = {task.section_id for task in tasks}
    placed = placement(rows, sorted({t.section for t in tasks}, key=lambda s: s.number))
    for row in rows:
        key = row.part_key
        if key is None:
            continue
        what = row.heading
        if row.kind == PartKind.SHORTCOMINGS:
            parts.append(
                grouped(
                    Kind.SHORTCOMINGS,
                    reports,
                    "problems",
                    _("对照上级要求和人民群众期待，法治政府建设还存在一些不足："),
                    _("%(part)s：各单位报告中没有写存在的问题，请统筹人员撰写") % {"part": what},
                )
            )
        elif row.kind == PartKind.NEXT_YEAR:
            parts.append(
                grouped(
                    Kind.NEXT_YEAR,
                    reports,
                    "next_steps",
                    _("%(year)s年，将重点抓好以下工作：") % {"year": plan.year + 1},
                    _("%(part)s：各单位报告中没有写下一步工作，请统筹人员撰写") % {"part": what},
                )
            )
        else:
            has_tasks = any(section.pk in sections_with_tasks for section in placed.get(row.pk, []))
            text = (
                ""
                if has_tasks
                else text_digest.placeholder(
                    _("%(part)s，请统筹人员撰写（没有需要报告的，可写“无”）") % {"part": what}
                    if row.kind == PartKind.OTHER
                    else _("%(part)s，请统筹人员撰写") % {"part": what}
                )
            )
            parts.append(Assembled(key, row.kind, text))
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
    part.digest = assembled.taken
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
        digest=assembled.taken,
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
    template = ensure_template(draft, plan_sections(plan))
    rows = template_parts(draft)
    existing = {} if created else {part.key: part for part in draft.parts.select_for_update()}
    new_parts, kept = [], []
    tasks = plan_tasks(plan)
    for assembled in assemble_parts(plan, tasks, reports, rows, template.digest_limit, period.name):
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
            kept,
            ["text", "assembled_text", "edited", "source_report_ids", "digest", "new_report_ids", "version"],
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
    """One line of the outline: the opening (level 0), a template part (1), a plan section (2) or a task (3),
    with its draft part; `text` is the placeholder of an entry that has no part of its own."""

    level: int
    heading: str
    part: ReportPart | None = None
    section: Section | None = None
    exported: bool = True
    text: str = ""
    kind: str = ""

    @property
    def paragraphs(self):
        return paragraphs(self.part.text) if self.part else paragraphs(self.text)


def _rows_or_default(rows, sections):
    if rows:
        return rows
    rows = preset_parts(Preset.STATUTORY, sections)  # a draft assembled before templates existed
    for number, row in enumerate(rows, 1):
        row.pk = -number
    return rows


def outline(sections, parts, rows):
    """The document's order: the opening; each template part (一、…) — a measures part with one heading per
    plan section it takes (（一）…) and its tasks ("1.任务。……"), another part with its own text and the tasks of
    its sections. A task whose text the coordinator removed is left out of the numbering and the document."""
    rows = _rows_or_default(rows, sections)
    by_key = {part.key: part for part in parts}
    by_section = {}
    for part in sorted((p for p in parts if p.task_id), key=lambda p: p.task.number):
        by_section.setdefault(part.task.section_id, []).append(part)
    entries = []
    opening = by_key.get(OPENING_KEY)
    if opening is not None:
        entries.append(Entry(0, "", opening, exported=bool(opening.text)))
    placed = placement(rows, sections)
    for number, row in enumerate(rows, 1):
        own = by_key.get(row.part_key) if row.part_key else None
        entries.append(Entry(1, f"{chinese_number(number)}、{row.heading}", own, kind=row.kind))
        with_tasks = [section for section in placed.get(row.pk, []) if by_section.get(section.pk)]
        if row.kind == PartKind.MEASURES and not with_tasks:
            entries.append(
                Entry(
                    2, "", text=text_digest.placeholder(_("%(part)s，请统筹人员撰写") % {"part": row.heading})
                )
            )
        count = 0
        for index, section in enumerate(with_tasks, 1):
            if row.kind == PartKind.MEASURES:
                entries.append(Entry(2, f"（{chinese_number(index)}）{section.title}", section=section))
                count = 0
            for part in by_section[section.pk]:
                if part.text:
                    count += 1
                    entries.append(Entry(3, f"{count}.{task_heading(part.task)}", part, section))
                else:
                    entries.append(Entry(3, task_heading(part.task), part, section, exported=False))
    return entries


def document_blocks(entries):
    """The Word file's body: the exported entries' headings and paragraphs (a task's heading runs into its
    first paragraph)."""
    kinds = {1: HEADING1, 2: HEADING2}
    blocks = []
    for entry in entries:
        if not entry.exported:
            continue
        texts = entry.paragraphs
        if entry.level == 3:
            blocks.append(Block(HEADING3, f"{entry.heading}。{texts[0]}" if texts else entry.heading))
            texts = texts[1:]
        elif entry.level and entry.heading:
            blocks.append(Block(kinds[entry.level], entry.heading))
        blocks += [Block(PARAGRAPH, text) for text in texts]
    return blocks


def draft_outline(draft):
    plan = draft.plan
    return outline(plan_sections(plan), draft_parts(draft), template_parts(draft))


def placeholders_in(entries):
    """How many 【待补充：…】 the exported document holds."""
    return sum(
        text_digest.count_placeholders("\n".join(entry.paragraphs)) for entry in entries if entry.exported
    )


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
    return official_document(draft, draft_outline(draft))


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
    assigned = Assignment.objects.active().filter(task__plan=plan).values("unit_id")
    return list(Unit.objects.filter(pk__in=assigned).exclude(pk__in=reported).order_by("order", "name"))


def part_sections(part, rows, sections):
    """The plan sections whose tasks are written under a closing part (leaders / other / free text)."""
    placed = placement(_rows_or_default(rows, sections), sections)
    row = next((r for r in rows if r.part_key == part.key), None)
    return placed.get(row.pk, []) if row is not None else []


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


# Material other apps add to the part editor (annual imports none of them): callables taking report ids and
# returning (title, unit name, text, report) rows — assessment registers its 典型经验 here.
MATERIAL_SOURCES = []


def register_material_source(source):
    if source not in MATERIAL_SOURCES:
        MATERIAL_SOURCES.append(source)


def extra_material(report_ids):
    return [row for source in MATERIAL_SOURCES for row in source(report_ids)]
