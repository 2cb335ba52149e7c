"""Reads: querysets with their related rows already joined, so that a page's query count stays flat."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, FilteredRelation, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Length, Trim
from django.utils import timezone

from units.models import Unit

from .models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
    ReportEvent,
    ReportingPeriod,
    Section,
    Task,
)
from .periods import current_period
from .status import assignment_light_sql, assignment_status, start_of, today


def assignments_with_units():
    return Assignment.objects.select_related("unit").order_by("role", "order", "unit__order", "unit__name")


def reports_of(assignments):
    """{assignment id: [its reports, by period]} for a few assignments (a task's units taken off it): one query."""
    by_assignment = {}
    for report in (
        ProgressReport.objects.filter(assignment__in=[a.pk for a in assignments])
        .select_related("period")
        .order_by("period__due_on", "pk")
    ):
        by_assignment.setdefault(report.assignment_id, []).append(report)
    return by_assignment


def tasks_with_pending_groups(tasks):
    """Tasks with their pending selective groups; `with_unit_chips` adds their units, read as plain values."""
    return tasks.select_related("section").prefetch_related("pending_groups")


def with_unit_chips(tasks):
    """Sets `task.unit_chips` on each task of the list, in one query: {"lead": [unit], "responsible": [unit],
    "pending": [group names]}, each unit {"name", "short"} (templates/partials/task_units.html shows them as chips).

    The units are read as (task, role, name, short name) tuples, not as ~3,000 model instances for a city plan:
    building those, and later freeing their reference cycles, was most of the plan page's time."""
    tasks = list(tasks)
    units = {task.pk: ([], []) for task in tasks}
    rows = (
        Assignment.objects.active().filter(task__in=[task.pk for task in tasks])
        .order_by("role", "order", "unit__order", "unit__name")
        .values_list("task_id", "role", "unit__name", "unit__short_name")
    )
    for task_id, role, name, short_name in rows:
        units[task_id][0 if role == Assignment.Role.LEAD else 1].append({"name": name, "short": short_name})
    for task in tasks:
        lead, responsible = units[task.pk]
        task.unit_chips = {
            "lead": lead,
            "responsible": responsible,
            "pending": [group.name for group in task.pending_groups.all()],
        }
    return tasks


def plan_sections(plan):
    """The plan's sections, each with its tasks and their units as chips: four queries in all."""
    sections = list(
        plan.sections.prefetch_related(
            Prefetch("tasks", queryset=tasks_with_pending_groups(Task.objects.order_by("number")))
        ).order_by("number")
    )
    with_unit_chips(task for section in sections for task in section.tasks.all())
    return sections


def plan_totals(plan):
    """Counts for the plan header: tasks, assignments, units involved, tasks still waiting for a choice."""
    totals = Task.objects.filter(plan=plan).aggregate(
        tasks=Count("pk", distinct=True),
        pending=Count("pk", filter=Q(pending_groups__isnull=False), distinct=True),
    )
    totals |= Assignment.objects.active().filter(task__plan=plan).aggregate(
        assignments=Count("pk"), units=Count("unit", distinct=True)
    )
    return totals


def units_in_plan(plan):
    return Unit.objects.filter(assignments__task__plan=plan, assignments__is_active=True).distinct().order_by("order", "name")


def sections_of(plan):
    return Section.objects.filter(plan=plan).order_by("number")


# --- reporting ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One assignment in one period, with its report (or None) and its status light."""

    assignment: Assignment
    period: ReportingPeriod
    report: ProgressReport | None
    status: object

    @property
    def state(self):
        return self.report.state if self.report else ""


# --- as of a day (截至某日) --------------------------------------------------------------------------------------
#
# A page judged as of a past day (a closed plan's closing date, or a day a leader picks) reads each report as it
# stood at the end of that day, from its events (ReportEvent: never deleted, each with the state after it and the
# fields an edit changed): its state is the state after its last event by then (no event yet: no report), its
# progress the last progress written by then, its submission time the last 报送 by then. What the events do not
# keep is read as it is now: the texts, and the assignment's completion deadline (after any later extension).
# These are subqueries of the page's own query, so the query count does not change with the date.


# A past day after which no report of the plan changed (a closed plan's year end, most often) is a SettledDay:
# how the reports stood at its end is how they are now, so they are read from their own fields, without the
# history subqueries (on a city's closed year these made the dashboards 3-5 times slower).


class SettledDay(datetime.date):
    """A past day after which no report of its plan has an event (see `settled`): not historic."""


def settled(plan, on):
    """`on` as a SettledDay when no report of the plan has an event later than the end of `on`, else `on` as
    it is. One query (on ReportEvent's `at` index) whatever the day, so the pages' query counts stay the same."""
    if on is None:
        return on
    changed = ReportEvent.objects.filter(report__period__plan_id=plan.pk, at__gte=end_of(on)).exists()
    return on if changed or on >= today() else SettledDay(on.year, on.month, on.day)


def is_historic(on):
    """True when `on` is a day before today after which reports changed: reports are then read as they stood
    at the end of that day."""
    return on is not None and not isinstance(on, SettledDay) and on < today()


def end_of(on):
    """The first moment after the day `on` (site time)."""
    return start_of(on + datetime.timedelta(days=1))


def _events_by(report, on):
    return ReportEvent.objects.filter(report=report, at__lt=end_of(on)).order_by("-at", "-pk")


def state_as_of(report, on):
    """The report's state at the end of `on` (NULL: it had not been started); `report` an OuterRef."""
    return Subquery(_events_by(report, on).exclude(to_state="").values("to_state")[:1])


def progress_as_of(report, on):
    return Subquery(
        _events_by(report, on)
        .filter(changes__has_key="progress")
        .annotate(value=KeyTextTransform("progress", "changes"))
        .values("value")[:1]
    )


def submitted_as_of(report, on):
    return Subquery(_events_by(report, on).filter(action=ReportEvent.Action.SUBMIT).values("at")[:1])


def last_submitted_as_of(assignment, on):
    """The latest 报送 of the assignment in any period by the end of `on`."""
    return Subquery(
        ReportEvent.objects.filter(report__assignment=assignment, action=ReportEvent.Action.SUBMIT, at__lt=end_of(on))
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def last_submitted(assignments, on=None):
    """Annotate each assignment with the time of its latest submission in any period (by the end of `on`)."""
    if is_historic(on):
        return assignments.annotate(last_submitted=last_submitted_as_of(OuterRef("pk"), on))
    return assignments.annotate(last_submitted=Max("reports__submitted_at"))


def reports_for(assignment_ids, period_ids, with_text=False, on=None):
    """{(assignment_id, period_id): report} in one query; the long texts only when asked for.

    For a past day `on`, each report as it stood then (state, progress, submission time); a report not yet
    started by then is left out. These report objects are for reading only."""
    reports = ProgressReport.objects.filter(assignment_id__in=assignment_ids, period_id__in=period_ids)
    if not with_text:
        reports = reports.defer("body", "problems", "next_steps").annotate(body_chars=Length(Trim("body")))
    if not is_historic(on):
        return {(r.assignment_id, r.period_id): r for r in reports}
    reports = reports.annotate(
        state_then=state_as_of(OuterRef("pk"), on),
        progress_then=progress_as_of(OuterRef("pk"), on),
        submitted_then=submitted_as_of(OuterRef("pk"), on),
    )
    found = {}
    for report in reports:
        if report.state_then is None:
            continue
        report.state, report.submitted_at = report.state_then, report.submitted_then
        report.progress = report.progress_then or report.progress
        if report.state in (ProgressReport.State.DRAFT, ProgressReport.State.SUBMITTED):
            report.reviewed_at, report.reviewed_by_id, report.review_note = None, None, ""
        found[(report.assignment_id, report.period_id)] = report
    return found


def rows_for(assignments, period_of, calendar, on=None, with_text=False, lights_on=None):
    """Rows for assignments (a list, annotated with `last_submitted`), each in `period_of(assignment)`, judged on
    `on` (today; a past day reads the reports as they stood then, see `reports_for`). `lights_on`: the day the
    lights and days late are counted to when it is not `on` (我的任务: reports as they are now, for the unit to act
    on, in a plan judged on a past day)."""
    periods = {a.pk: period_of(a) for a in assignments}
    reports = reports_for(list(periods), {p.pk for p in periods.values() if p}, with_text, on)
    rows = []
    for assignment in assignments:
        period = periods[assignment.pk]
        if period is None:
            continue
        report = reports.get((assignment.pk, period.pk))
        status = assignment_status(
            calendar=calendar,
            due_on=period.due_on,
            deadline=assignment.deadline,
            state=report.state if report else None,
            progress=report.progress if report else None,
            last_submitted_at=getattr(assignment, "last_submitted", None),
            on=lights_on or on,
            completed_on=completed_on(assignment),
        )
        rows.append(Row(assignment, period, report, status))
    return rows


def completed_on(assignment):
    """The day the assignment's task was closed (办结), or None; reads the task only when it is loaded."""
    if not Assignment._meta.get_field("task").is_cached(assignment):
        return None
    completed_at = assignment.task.completed_at
    return timezone.localtime(completed_at).date() if completed_at else None


def assignments_with_light(assignments, period, calendar, on=None):
    """Assignments annotated, in SQL, with the period's report (`report_id`, `state`, `progress`,
    `submitted_at`), the latest submission in any period (`last_submitted`) and the status light (`light`).

    The dashboards group and count these in the database; the light is `assignment_status`'s rule. For a past
    day `on` the report's fields are as they stood at the end of that day (see "as of a day" above; `report_id`
    stays the report's, `state` is NULL for one not yet started then).
    """
    if is_historic(on):
        with_report = assignments.annotate(
            current=FilteredRelation("reports", condition=Q(reports__period=period)),
            report_id=F("current__pk"),
        ).annotate(
            state=state_as_of(OuterRef("report_id"), on),
            progress=progress_as_of(OuterRef("report_id"), on),
            submitted_at=submitted_as_of(OuterRef("report_id"), on),
            last_submitted=last_submitted_as_of(OuterRef("pk"), on),
        )
    else:
        latest = (
            ProgressReport.objects.filter(assignment=OuterRef("pk"), submitted_at__isnull=False)
            .order_by("-submitted_at")
            .values("submitted_at")[:1]
        )
        with_report = assignments.annotate(
            current=FilteredRelation("reports", condition=Q(reports__period=period)),
            report_id=F("current__pk"),
            state=F("current__state"),
            progress=F("current__progress"),
            submitted_at=F("current__submitted_at"),
            last_submitted=Subquery(latest),
        )
    return with_report.annotate(
        light=assignment_light_sql(
            calendar=calendar,
            due_on=period.due_on,
            on=on,
            state="state",
            progress="progress",
            deadline="deadline",
            last_submitted="last_submitted",
            completed_at="task__completed_at",
        )
    )


def plan_periods(plan_ids):
    """{plan_id: [periods by due date]} in one query."""
    by_plan = {}
    for period in ReportingPeriod.objects.filter(plan_id__in=plan_ids).order_by("due_on", "pk"):
        by_plan.setdefault(period.plan_id, []).append(period)
    return by_plan


def report_history(report):
    return report.events.select_related("actor").order_by("at", "pk")


def live_attachments(report):
    return report.attachments.filter(removed_at__isnull=True).order_by("uploaded_at", "pk")


def coordinator_work(plans):
    """What waits for the coordinator in each live plan, newest first: a dict per plan with the reports to
    review, the contested assignments, the pending extension requests, and the current period with the number
    of its assignments not yet reported (what 未报送与催办 lists for that period). Five queries for any number of
    plans; each count is exactly what the page it links to lists.

    Reports are counted by period through the (period, state) index, never joined to their plan: at province
    scale (17 live plans, 100,000 reports) a count joined to the plan was most of the home page's SQL."""
    plans = list(plans)
    ids = [plan.pk for plan in plans]
    periods = plan_periods(ids)
    plan_of = {period.pk: plan_id for plan_id, plan_periods_ in periods.items() for period in plan_periods_}
    current = {plan_id: current_period(plan_periods_) for plan_id, plan_periods_ in periods.items()}
    submitted, reported = {}, {}
    for period_id, state, n in (
        ProgressReport.objects.filter(
            Q(state=ProgressReport.State.SUBMITTED)
            | Q(period_id__in=[p.pk for p in current.values() if p], state=ProgressReport.State.ACCEPTED),
            period_id__in=list(plan_of),
        )
        .values_list("period_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        plan_id = plan_of[period_id]
        if state == ProgressReport.State.SUBMITTED:
            submitted[plan_id] = submitted.get(plan_id, 0) + n
        if current.get(plan_id) is not None and current[plan_id].pk == period_id:
            reported[plan_id] = reported.get(plan_id, 0) + n
    contested = dict(
        Assignment.objects.active().filter(task__plan__in=ids, receipt=Assignment.Receipt.CONTESTED)
        .values_list("task__plan_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    extensions = dict(
        ExtensionRequest.objects.filter(assignment__task__plan__in=ids, state=ExtensionRequest.State.PENDING)
        .values_list("assignment__task__plan_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # the assignments in force, plus those taken off their task whose accepted report is counted in `reported`
    # above (so that it cancels out; a report awaiting review is never left on a removed assignment:
    # `workflow.remove_assignment` refuses then), in the same query
    removed_reported = Exists(
        ProgressReport.objects.filter(
            assignment=OuterRef("pk"),
            period_id__in=[p.pk for p in current.values() if p],
            state__in=(ProgressReport.State.SUBMITTED, ProgressReport.State.ACCEPTED),
        )
    )
    assignments = {
        plan_id: active + removed
        for plan_id, active, removed in Assignment.objects.filter(task__plan__in=ids)
        .values_list("task__plan_id")
        .annotate(
            active=Count("pk", filter=Q(is_active=True, task__completed_at__isnull=True)),
            removed=Count(
                "pk", filter=(Q(is_active=False) | Q(task__completed_at__isnull=False)) & Q(removed_reported)
            ),
        )
        .order_by()
    }
    return [
        {
            "plan": plan,
            "submitted": submitted.get(plan.pk, 0),
            "contested": contested.get(plan.pk, 0),
            "extensions": extensions.get(plan.pk, 0),
            "period": current.get(plan.pk),
            "missing": (assignments.get(plan.pk, 0) - reported.get(plan.pk, 0)) if current.get(plan.pk) else 0,
        }
        for plan in plans
    ]


def reporter_work(assignments, plans, calendar, on, due_within):
    """What needs a unit's people in each live plan (newest first): their reports sent back (退回), their
    assignments not yet signed for (待签收), the periods due within `due_within` working days or overdue and not
    reported (临近截止), and the urgings (催办) of the current period not yet answered by a report (the latest
    urge's note and reply-by in `urge_notes`, by (assignment id, period id)).

    `assignments`: the user's assignments (a queryset). Four queries for any number of plans. Each item is
    (assignment, period or None, report or None); ordered by due date, then task number."""
    plans = list(plans)
    ids = [plan.pk for plan in plans]
    mine = list(
        assignments.filter(task__plan__in=ids, task__completed_at__isnull=True)  # a closed task (办结) needs nobody
        .select_related("task", "unit")
        .order_by("task__number", "unit__order", "unit__name", "pk")
    )
    by_plan = {}
    for a in mine:
        by_plan.setdefault(a.task.plan_id, []).append(a)
    periods = plan_periods(ids)
    open_periods = sorted(
        (p for plan_periods_ in periods.values() for p in plan_periods_ if not p.locked and p.starts_on <= on),
        key=lambda p: (p.due_on, p.pk),
    )
    reports = {  # by the assignments alone, as period_needing: only the open periods' are looked up
        (r.assignment_id, r.period_id): r
        for r in ProgressReport.objects.filter(assignment__in=[a.pk for a in mine]).only(
            "pk", "assignment_id", "period_id", "state", "review_note", "version"
        )
    }
    done = (ProgressReport.State.SUBMITTED, ProgressReport.State.ACCEPTED)
    current = [p for p in (current_period(plan_periods_, on) for plan_periods_ in periods.values()) if p]
    urged = {}  # (assignment, period) -> the latest urge's note and reply-by (the events come oldest first)
    for assignment_id, period_id, note, reply_by in (
        AssignmentEvent.objects.filter(
            action=AssignmentEvent.Action.URGE,
            assignment__in=[a.pk for a in mine],
            period__in=[p.pk for p in current],
        )
        .annotate(reply_by=KeyTextTransform("reply_by", "data"))
        .order_by("at", "pk")
        .values_list("assignment_id", "period_id", "comment", "reply_by")
    ):
        urged[assignment_id, period_id] = {"note": note, "reply_by": reply_by or ""}
    work = {
        plan.pk: {"plan": plan, "returned": [], "unsigned": [], "due_soon": [], "urged": [], "urge_notes": urged}
        for plan in plans
    }
    for a in mine:
        if a.receipt == Assignment.Receipt.PENDING:
            work[a.task.plan_id]["unsigned"].append((a, None, None))
    # a plan whose year and periods are over is judged as of its end (WorkPlan.as_of): nothing of it is "due"
    judged = {plan.pk: plan.as_of(periods.get(plan.pk, []), today=on) for plan in plans}
    for period in open_periods:
        plan_work = work[period.plan_id]
        left = calendar.workdays_left(on, period.due_on) if judged[period.plan_id] >= on else None
        for a in by_plan.get(period.plan_id, ()):
            report = reports.get((a.pk, period.pk))
            state = report.state if report else None
            if state == ProgressReport.State.RETURNED:
                plan_work["returned"].append((a, period, report))
            elif state not in done:
                if left is not None and left <= due_within:
                    plan_work["due_soon"].append((a, period, report))
                if (a.pk, period.pk) in urged:
                    plan_work["urged"].append((a, period, report))
    return [work[plan.pk] for plan in plans]


def period_needing(assignment_ids, periods, on):
    """The period of a plan (`periods` by due date) that needs the unit now: the earliest one with a report
    sent back (退回), else the earliest open, started one in which an assignment is not yet reported, else the
    current period. One query: by the assignments alone (their reports are all of their plan's periods; counts of
    a period not in `periods` are never read), so the (assignment, …) index finds a unit's few reports — with the
    periods in the filter as well, SQLite read every report of those periods through the (period, state) index."""
    if not periods:
        return None
    counts = {}  # {(period_id, state): reports}, one query whatever the states
    for period_id, state, n in (
        ProgressReport.objects.filter(assignment_id__in=assignment_ids)
        .values_list("period_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[period_id, state] = n
    for period in periods:
        if counts.get((period.pk, ProgressReport.State.RETURNED)):
            return period
    done = (ProgressReport.State.SUBMITTED, ProgressReport.State.ACCEPTED)
    for period in periods:
        reported = sum(counts.get((period.pk, state), 0) for state in done)
        if not period.locked and period.starts_on <= on and reported < len(assignment_ids):
            return period
    return current_period(periods, on)


def last_urges(unit_ids, period, action=AssignmentEvent.Action.URGE, plan=None):
    """The latest urge (催办, or 催签收 with `action=URGE_RECEIPT`) of each unit, for `period` (None: urges
    without a period, as 催签收 is, of the `plan`): {unit_id: {"at", "by", "note", "reply_by"}}. One query
    whatever the number of units or urges: each unit's latest event is picked by correlated subqueries."""
    if not unit_ids:
        return {}
    events = AssignmentEvent.objects.filter(action=action, assignment__unit_id=OuterRef("pk"))
    events = events.filter(period=period) if period is not None else events.filter(period__isnull=True)
    if plan is not None:
        events = events.filter(assignment__task__plan_id=plan.pk)
    latest = events.order_by("-at", "-pk")
    rows = (
        Unit.objects.filter(pk__in=unit_ids)
        .annotate(
            urged_at=Subquery(latest.values("at")[:1]),
            urged_by=Subquery(latest.values("actor__full_name")[:1]),
            urged_by_name=Subquery(latest.values("actor__username")[:1]),
            urged_note=Subquery(latest.values("comment")[:1]),
            urged_reply_by=Subquery(latest.annotate(r=KeyTextTransform("reply_by", "data")).values("r")[:1]),
        )
        .filter(urged_at__isnull=False)
        .values_list("pk", "urged_at", "urged_by", "urged_by_name", "urged_note", "urged_reply_by")
    )
    return {
        pk: {"at": at, "by": by or username or "", "note": note or "", "reply_by": reply_by or ""}
        for pk, at, by, username, note, reply_by in rows
    }


def awaiting_approval(unit_ids, plans):
    """The reports the unit approver of `unit_ids` may approve now, per plan: {plan id: [report]} — the plans
    with unit approval on, reports being written (draft or returned) with their work written, not approved at
    their current version, in an open period (exactly workflow.allowed()'s "approve"). One query, the
    assignment's task and unit and the period joined; by period due date, task number."""
    plans = [plan for plan in plans if plan.unit_approval]
    if not unit_ids or not plans:
        return {}
    reports = (
        ProgressReport.objects.filter(
            assignment__unit_id__in=unit_ids,
            assignment__is_active=True,  # a unit taken off the task (移出) approves nothing of it
            assignment__task__plan__in=[plan.pk for plan in plans],
            state__in=(ProgressReport.State.DRAFT, ProgressReport.State.RETURNED),
            period__locked=False,
        )
        .annotate(body_chars=Length(Trim("body")))
        .filter(body_chars__gt=0)
        .exclude(approved_version=F("version"))
        .exclude(approver_returned_version=F("version"))
        .select_related("assignment__task", "assignment__unit", "period")
        .defer("body", "problems", "next_steps", "review_note")
        .order_by("period__due_on", "assignment__task__number", "assignment__unit__order", "pk")
    )
    by_plan = {}
    for report in reports:
        by_plan.setdefault(report.assignment.task.plan_id, []).append(report)
    return by_plan
