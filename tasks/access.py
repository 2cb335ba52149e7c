"""Every "may this user see / change this object" question, and the querysets of what a user may see.

Views never fetch a plan, task or assignment by primary key without going through here: an object the
user may not see is a 404, as if it did not exist.

- Coordinators (and superusers) see and manage everything.
- Leaders read everything.
- Everyone else reads the plans that are live (active or closed) — a published notice — and their tasks.
  Draft plans are the coordinator's work in progress.
"""

from django.shortcuts import get_object_or_404

from units.roles import roles_for

from .models import Assignment, Task, WorkPlan

PUBLISHED = (WorkPlan.Status.ACTIVE, WorkPlan.Status.CLOSED)


def visible_plans(user):
    plans = WorkPlan.objects.all()
    if roles_for(user).sees_everything:
        return plans
    return plans.filter(status__in=PUBLISHED)


def visible_tasks(user):
    tasks = Task.objects.all()
    if roles_for(user).sees_everything:
        return tasks
    return tasks.filter(plan__status__in=PUBLISHED)


def get_plan_for_user(user, pk):
    return get_object_or_404(visible_plans(user), pk=pk)


def get_task_for_user(user, pk):
    return get_object_or_404(visible_tasks(user).select_related("plan", "section"), pk=pk)


def can_manage_plans(user):
    """Import plans, change assignments, open and lock periods: coordinators only."""
    return roles_for(user).is_coordinator


def my_assignments(user):
    """The assignments of the user's units in the plans being carried out now (closed plans are history)."""
    return Assignment.objects.filter(
        unit_id__in=roles_for(user).unit_ids, task__plan__status=WorkPlan.Status.ACTIVE
    )
