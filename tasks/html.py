"""What the pages' HTML is made from, prepared in Python as plain data; the markup itself is in templates.

- `light` and `state_badge` render the partials templates/partials/light.html and state_badge.html, once for
  each distinct light or state (cached: the output depends on nothing but the words and the colour);
- `my_task_rows`, `review_rows` and `missing_rows` turn a list's rows into dicts of plain values (words, URLs,
  dates as text, the light and badge made once a page) that the page's template loops over;
- `url_pattern` reverses a URL once and fills in each row's id; `days_left` puts working days into words.
"""

from functools import lru_cache

from django.template.loader import get_template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Assignment, ProgressReport
from .status import COLOURS, Light


def light(status):
    """A status light with its words (for colour-blind readers and print): ● 逾期; the reason as its title."""
    if not status:
        return ""
    return _light(status.colour, str(status.label), str(status.reason))


def light_mark(value):
    """A light given by its value ("overdue"): the same dot and words as `light`, without a reason."""
    if value not in Light.values:
        return ""
    return _light(COLOURS[value], str(Light(value).label), "")


@lru_cache(maxsize=256)
def _light(colour, label, reason):
    return get_template("partials/light.html").render({"colour": colour, "label": label, "reason": reason})


def state_badge(report):
    """A report's state as a badge; '未填写' when there is no report."""
    if not report:
        return _state_badge("none", _("未填写"))
    return _state_badge(report.state, str(report.get_state_display()))


@lru_cache(maxsize=64)
def _state_badge(state, label):
    return get_template("partials/state_badge.html").render({"state": state, "label": label})


def url_pattern(name, args=1):
    """A URL with `{}` where each id goes, reversed once and filled per row (str.format): for lists of
    hundreds of rows, where reverse() per link would cost more than the rest of the row."""
    return _url_pattern(name, args, get_script_prefix())


@lru_cache(maxsize=64)
def _url_pattern(name, args, _prefix):
    marks = [str(999999990 + i) for i in range(args)]
    url = reverse(name, args=marks)
    for mark in marks:
        url = url.replace(mark, "{}", 1)
    return url


def days_left(days):
    """Working days left in words: 还剩 3 个工作日 / 今天截止 / 逾期 2 个工作日."""
    if days is None:
        return ""
    if days > 0:
        return _("还剩 %(n)s 个工作日") % {"n": days}
    if days == 0:
        return _("今天截止")
    return _("逾期 %(n)s 个工作日") % {"n": -days}


def _day(value):
    return format_date(value, "Y-m-d")


def my_tasks_url(plan_pk, period_pk=None):
    """我的任务 on a plan and period tab: where its actions return to (`next`)."""
    url = f"{url_pattern('tasks:my_tasks', 0)}?plan={plan_pk}"
    return f"{url}&period={period_pk}" if period_pk else url


def with_next(url, back):
    """`url` with `next=back` added to its query string (back: a local path)."""
    if not back:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': back})}"


def reporter_work_rows(work, calendar, on, reporter_unit_ids=(), to_approve=None):
    """The unit member's home (templates/planner/home.html): per live plan, the items of
    `selectors.reporter_work` as dicts (task number and title, unit, period and due date, days left, return
    note) linking to the item: for the unit's reporters a report to write goes to its form, for its approver
    to the report's page (else its row on 我的任务), each returning to 我的任务's tab; an unsigned assignment
    goes to its row on 我的任务. An urged item carries the latest urge's note and reply-by.

    `to_approve` (selectors.awaiting_approval: {plan id: [report]}, None for a user who approves nothing):
    each plan's reports waiting for the approver, each linking to its report page (the approve and
    return-to-liaison buttons), returning to 我的任务's tab."""
    edit_url, detail_url = url_pattern("tasks:report_edit", 2), url_pattern("tasks:report_detail")
    plans = []
    for plan_work in work:
        plan = plan_work["plan"]
        lists = {}
        for kind in ("returned", "unsigned", "due_soon", "urged"):
            items = []
            for a, period, report in plan_work[kind]:
                if period is None:
                    url = f"{my_tasks_url(plan.pk)}#a{a.pk}"
                elif a.unit_id in reporter_unit_ids:
                    url = with_next(edit_url.format(a.pk, period.pk), my_tasks_url(plan.pk, period.pk))
                elif report is not None:
                    url = with_next(detail_url.format(report.pk), my_tasks_url(plan.pk, period.pk))
                else:
                    url = f"{my_tasks_url(plan.pk, period.pk)}#a{a.pk}"
                items.append(
                    {
                        "number": str(a.task.number),
                        "title": a.task.title,
                        "unit": a.unit.short_name,
                        "period": period.name if period else "",
                        "due": _day(period.due_on) if period else "",
                        "days_left": days_left(calendar.workdays_left(on, period.due_on)) if period else "",
                        "note": Truncator(report.review_note).chars(40) if kind == "returned" and report else "",
                        "url": url,
                    }
                )
                if kind == "urged":
                    urge = plan_work.get("urge_notes", {}).get((a.pk, period.pk), {})
                    items[-1]["note"] = Truncator(urge.get("note", "")).chars(60)
                    items[-1]["reply_by"] = urge.get("reply_by", "")
            lists[kind] = items
        approvals = None
        if to_approve is not None:
            approvals = [
                {
                    "number": str(r.assignment.task.number),
                    "title": r.assignment.task.title,
                    "unit": r.assignment.unit.short_name,
                    "period": r.period.name,
                    "state": r.get_state_display(),
                    "url": with_next(detail_url.format(r.pk), my_tasks_url(plan.pk, r.period_id)),
                }
                for r in to_approve.get(plan.pk, ())
            ]
        plans.append({"plan": plan, "my_tasks_url": my_tasks_url(plan.pk), "to_approve": approvals, **lists})
    return plans


def my_task_rows(rows, *, reporter_unit_ids, show_unit=False, back=""):
    """我的任务's rows (templates/tasks/my_tasks.html) as dicts: task and section, receipt (pending / contested,
    with its links), role (and 汇总各单位 for a lead unit), due date and working days left, light, report state
    (and a return note), the next step (`row.action`: label, url, primary) and 申请延期 for the unit's reporters;
    `where` is the section, after the unit's short name for a user of several units (`show_unit`).

    Every action link and form carries `back` (the plan and period tab shown) as `next`, so that it returns there.
    What repeats from row to row — section, dates and days left, light, badge — is made once a page."""
    task_url = url_pattern("tasks:task_detail")
    back_query = f"?{urlencode({'next': back})}" if back else ""
    confirm_url, contest_url = url_pattern("tasks:receipt_confirm"), url_pattern("tasks:receipt_contest")
    consolidation_url, extension_url = url_pattern("tasks:consolidation", 2), url_pattern("tasks:extension_request")
    lead, pending, returned = Assignment.Role.LEAD, Assignment.Receipt.PENDING, ProgressReport.State.RETURNED
    sections, days, dates, badges, lights, roles, lines = {}, {}, {None: ""}, {}, {}, {}, []
    for row in rows:
        a, period, report, status = row.assignment, row.period, row.report, row.status
        task = a.task
        if task.section_id not in sections:
            sections[task.section_id] = f"{task.section.numeral}、{task.section.title}"
        left = status.days_left if status else None
        if left not in days:
            days[left] = days_left(left)
        due_on = period.due_on if period is not None else None
        for day in (due_on, a.deadline):
            if day not in dates:
                dates[day] = _day(day)
        state = report.state if report else None
        if state not in badges:
            badges[state] = state_badge(report)
        key = (status.light, str(status.reason)) if status else None
        if key not in lights:
            lights[key] = light(status)
        if a.role not in roles:
            roles[a.role] = a.get_role_display()
        label, url, primary = row.action
        lines.append(
            {
                "number": str(task.number),  # (an int would be localized on every use)
                "title": task.title,
                "task_url": task_url.format(task.pk),
                "unit": a.unit.short_name,
                "where": f"{a.unit.short_name} · {sections[task.section_id]}" if show_unit else sections[task.section_id],
                "receipt": a.receipt,
                "confirm_url": confirm_url.format(a.pk) if a.receipt == pending else "",
                "contest_url": contest_url.format(a.pk) + back_query if a.receipt == pending else "",
                "role": a.role,
                "role_label": roles[a.role],
                "consolidation_url": (
                    consolidation_url.format(a.task_id, period.pk) if a.role == lead and period is not None else ""
                ),
                "due": dates[due_on],
                "days_left": days[left],
                "deadline": dates[a.deadline],
                "light": lights[key],
                "badge": badges[state],
                "note": Truncator(report.review_note).chars(40) if state == returned else None,
                "action": label,
                "action_url": url + back_query if url else "",
                "primary": primary,
                "extension_url": (
                    extension_url.format(a.pk) + back_query if a.unit_id in reporter_unit_ids else ""
                ),
                "pk": a.pk,
            }
        )
    return lines


def review_rows(reports, own_unit_ids=frozenset()):
    """The review queue's rows (templates/tasks/review_queue.html) as dicts: the report (id, version, whether
    it may be ticked — submitted, and not of one of the coordinator's own units: separation of duties,
    tasks.access.is_own_unit_report), task, unit and role, period, state, progress, when submitted, the start
    of its text."""
    task_url, report_url = url_pattern("tasks:task_detail"), url_pattern("tasks:report_detail")
    badges, lines = {}, []
    for report in reports:
        assignment, task = report.assignment, report.assignment.task
        if report.state not in badges:
            badges[report.state] = state_badge(report)
        lines.append(
            {
                "pk": str(report.pk),
                "version": str(report.version),
                "submitted": report.state == report.State.SUBMITTED,
                "own_unit": assignment.unit_id in own_unit_ids,
                "number": str(task.number),
                "task_url": task_url.format(task.pk),
                "unit": assignment.unit.short_name,
                "role": assignment.role,
                "role_label": assignment.get_role_display(),
                "period": report.period.name,
                "badge": badges[report.state],
                "progress": report.get_progress_display(),
                "submitted_at": (
                    _day_time(report.submitted_at) if report.submitted_at else "—"
                ),
                "report_url": report_url.format(report.pk),
                "excerpt": Truncator(report.body).chars(80),
            }
        )
    return lines


def _day_time(value):
    return format_date(timezone.localtime(value), "Y-m-d H:i")


def missing_rows(rows, made_once=None):
    """One unit's rows on 未报送与催办 (templates/tasks/missing_reports.html) as dicts: assignment id, task
    number and title, report state, light, how often urged.

    `made_once` (a dict) carries the titles, badges and lights already made from one unit to the next."""
    made_once = {} if made_once is None else made_once
    titles, badges, lights = (made_once.setdefault(name, {}) for name in ("titles", "badges", "lights"))
    lines = []
    for row in rows:
        task = row.assignment.task
        if task.pk not in titles:
            titles[task.pk] = Truncator(task.title).chars(40)
        state = row.report.state if row.report else None
        if state not in badges:
            badges[state] = state_badge(row.report)
        key = (row.status.light, str(row.status.reason)) if row.status else None
        if key not in lights:
            lights[key] = light(row.status)
        lines.append(
            {
                "pk": str(row.assignment.pk),
                "number": str(task.number),
                "title": titles[task.pk],
                "badge": badges[state],
                "light": lights[key],
                "urged": (
                    ngettext("已催办 %(n)s 次", "已催办 %(n)s 次", row.urged) % {"n": row.urged} if row.urged else ""
                ),
            }
        )
    return lines


def last_urge(info):
    """When a unit was last urged (selectors.last_urges' dict) in words: {"text": "上次催办：2022-06-20 14:05
    张三", "reply_by": "2022-06-25" or "", "note": the note cut to 40 characters}; None when never urged."""
    if not info:
        return None
    return {
        "text": _("%(at)s %(by)s") % {"at": _day_time(info["at"]), "by": info["by"]},
        "reply_by": info["reply_by"],
        "note": Truncator(info["note"]).chars(40),
    }
