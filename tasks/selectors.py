"""Reads: querysets with their related rows already joined, so that a page's query count stays flat."""

from django.db.models import Count, Prefetch, Q

from units.models import Unit

from .models import Assignment, Section, Task


def assignments_with_units():
    return Assignment.objects.select_related("unit").order_by("role", "unit__order", "unit__name")


def tasks_with_assignments(tasks):
    """Tasks with their assignments (and units) and pending selective groups, in two extra queries."""
    return tasks.select_related("section").prefetch_related(
        Prefetch("assignments", queryset=assignments_with_units()),
        "pending_groups",
    )


def plan_sections(plan):
    """The plan's sections, each with its tasks, assignments and units: four queries in all."""
    return plan.sections.prefetch_related(
        Prefetch("tasks", queryset=tasks_with_assignments(Task.objects.order_by("number")))
    ).order_by("number")


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
