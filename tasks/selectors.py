"""Reads: querysets with their related rows already joined, so that a page's query count stays flat."""

from dataclasses import dataclass

from django.db.models import Count, F, FilteredRelation, Max, OuterRef, Prefetch, Q, Subquery

from units.models import Unit

from . import html
from .models import Assignment, ExtensionRequest, ProgressReport, ReportingPeriod, Section, Task
from .status import assignment_light_sql, assignment_status


def assignments_with_units():
    return Assignment.objects.select_related("unit").order_by("role", "unit__order", "unit__name")


def tasks_with_pending_groups(tasks):
    """Tasks with their pending selective groups; `with_unit_chips` adds their units, read as plain values."""
    return tasks.select_related("section").prefetch_related("pending_groups")


def with_unit_chips(tasks):
    """Sets `task.units_html` (lead and responsible units as chips) on each task of the list, in one query.

    The units are read as (task, role, name, short name) tuples, not as ~3,000 model instances for a city plan:
    building those, and later freeing their reference cycles, was most of the plan page's time."""
    tasks = list(tasks)
    units = {task.pk: ([], []) for task in tasks}
    rows = (
        Assignment.objects.filter(task__in=[task.pk for task in tasks])
        .order_by("role", "unit__order", "unit__name")
        .values_list("task_id", "role", "unit__name", "unit__short_name")
    )
    for task_id, role, name, short_name in rows:
        units[task_id][0 if role == Assignment.Role.LEAD else 1].append((name, short_name))
    for task in tasks:
        task.units_html = html.unit_chips(*units[task.pk], task.pending_groups.all())
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
    totals |= Assignment.objects.filter(task__plan=plan).aggregate(
        assignments=Count("pk"), units=Count("unit", distinct=True)
    )
    return totals


def units_in_plan(plan):
    return Unit.objects.filter(assignments__task__plan=plan).distinct().order_by("order", "name")


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


def last_submitted(assignments):
    """Annotate each assignment with the time of its latest submission in any period."""
    return assignments.annotate(last_submitted=Max("reports__submitted_at"))


def reports_for(assignment_ids, period_ids, with_text=False):
    """{(assignment_id, period_id): report} in one query; the long texts only when asked for."""
    # (no ordering: a dict needs none, and the default one joins the period, plan, task and unit tables)
    reports = ProgressReport.objects.filter(assignment_id__in=assignment_ids, period_id__in=period_ids).order_by()
    if not with_text:
        reports = reports.defer("body", "problems", "next_steps")
    return {(r.assignment_id, r.period_id): r for r in reports}


def rows_for(assignments, period_of, calendar, on=None, with_text=False):
    """Rows for assignments (a list, annotated with `last_submitted`), each in `period_of(assignment)`."""
    periods = {a.pk: period_of(a) for a in assignments}
    reports = reports_for(list(periods), {p.pk for p in periods.values() if p}, with_text)
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
            on=on,
        )
        rows.append(Row(assignment, period, report, status))
    return rows


def lit_assignments(assignments, period, calendar, on=None):
    """Assignments annotated, in SQL, with the period's report (`report_id`, `state`, `progress`,
    `submitted_at`), the latest submission in any period (`last_submitted`) and the status light (`light`).

    The dashboards group and count these in the database; the light is `assignment_status`'s rule.
    """
    latest = (
        ProgressReport.objects.filter(assignment=OuterRef("pk"), submitted_at__isnull=False)
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    return assignments.annotate(
        current=FilteredRelation("reports", condition=Q(reports__period=period)),
        report_id=F("current__pk"),
        state=F("current__state"),
        progress=F("current__progress"),
        submitted_at=F("current__submitted_at"),
        last_submitted=Subquery(latest),
    ).annotate(
        light=assignment_light_sql(
            calendar=calendar,
            due_on=period.due_on,
            on=on,
            state="state",
            progress="progress",
            deadline="deadline",
            last_submitted="last_submitted",
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


def coordinator_work(plan):
    """What waits for the coordinator in the plan the home page shows: three counts.

    Each counts one plan through indexed filters (reports by period and state, assignments by task), so the
    home page costs the same however many plans the database holds (a province's cities, or ten years).
    """
    return {
        "submitted": ProgressReport.objects.filter(period__plan=plan, state=ProgressReport.State.SUBMITTED).count(),
        "contested": Assignment.objects.filter(task__plan=plan, receipt=Assignment.Receipt.CONTESTED).count(),
        "extensions": ExtensionRequest.objects.filter(
            assignment__task__plan=plan, state=ExtensionRequest.State.PENDING
        ).count(),
    }
