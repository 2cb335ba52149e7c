"""Every "may this user see / change this object" question, and the querysets of what a user may see.

Views never fetch a plan, task or assignment by primary key without going through here: an object the
user may not see is a 404, as if it did not exist.

- Coordinators (and superusers) see and manage everything.
- Leaders read everything.
- Everyone else reads the plans that are live (active or closed) — a published notice — and their tasks.
  Draft plans are the coordinator's work in progress.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from units.roles import roles_for

from .models import Assignment, ProgressReport, ReportingPeriod, Task, WorkPlan

PUBLISHED = (WorkPlan.Status.ACTIVE, WorkPlan.Status.CLOSED)
MAX_PK = 2**63 - 1  # the largest id any of the databases stores (SQLite fails on a larger integer)


def parse_pk(value):
    """An id from a query string or a form: plain ASCII digits within the databases' range, else None.

    `str.isdigit()` is not enough: "²" is a digit that int() refuses, and 10**20 breaks a query on SQLite.
    """
    text = str(value) if isinstance(value, (str, int)) else ""
    if text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_PK:
        return int(text)
    return None


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


def current_plan(user):
    """The plan the user's pages open by default: the one being carried out, else the latest one they see."""
    plans = visible_plans(user)
    return plans.filter(status=WorkPlan.Status.ACTIVE).first() or plans.first()


def require_reader(user, message=None):
    """Coordinators and leaders read the review, dashboard and year-end pages; nobody else sees them."""
    if not roles_for(user).sees_everything:
        raise PermissionDenied(message or _("只有统筹人员和领导可以查看这个页面。"))


def can_manage_plans(user):
    """Import plans, change assignments, open and lock periods: coordinators only."""
    return roles_for(user).is_coordinator


def my_assignments(user):
    """The assignments of the user's units in the plans being carried out now (closed plans are history)."""
    return Assignment.objects.active().filter(
        unit_id__in=roles_for(user).unit_ids, task__plan__status=WorkPlan.Status.ACTIVE
    )


def my_plans(user):
    """The live plans in which the user's units have assignments, newest first (one query)."""
    return list(
        WorkPlan.objects.filter(pk__in=my_assignments(user).values("task__plan_id")).order_by("-year", "-issued_on", "-pk")
    )


# --- Reports and assignments -------------------------------------------------------------------------------
#
# A unit member sees their own unit's assignments and reports, and — read-only — every assignment and report
# of a task their unit leads (the lead unit consolidates the task). Coordinators and leaders see everything.
# Only reporters of the unit write and submit; only approvers of the unit approve; only coordinators review.


def led_task_ids(user):
    """Tasks one of the user's units leads, as a subquery."""
    return Assignment.objects.active().filter(unit_id__in=roles_for(user).unit_ids, role=Assignment.Role.LEAD).values(
        "task_id"
    )


def visible_assignments(user):
    assignments = Assignment.objects.all()
    roles = roles_for(user)
    if roles.sees_everything:
        return assignments
    return assignments.filter(task__plan__status__in=PUBLISHED).filter(
        Q(unit_id__in=roles.unit_ids) | Q(task_id__in=led_task_ids(user))
    )


def visible_reports(user):
    reports = ProgressReport.objects.all()
    roles = roles_for(user)
    if roles.sees_everything:
        return reports
    return reports.filter(assignment__task__plan__status__in=PUBLISHED).filter(
        Q(assignment__unit_id__in=roles.unit_ids) | Q(assignment__task_id__in=led_task_ids(user))
    )


def can_see_assignment(user, assignment):
    """`visible_assignments` for one assignment whose task and plan are loaded: the same rule, in Python."""
    roles = roles_for(user)
    if roles.sees_everything:
        return True
    if assignment.task.plan.status not in PUBLISHED:
        return False
    return assignment.unit_id in roles.unit_ids or leads_task(user, assignment.task_id)


def get_assignment_for_user(user, pk):
    """The assignment, read by its id and then checked: a plain join compiles and runs faster than the
    visibility filter, and the unit's own assignment (the common case) needs no further query."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("task", "task__plan", "task__section", "unit"), pk=pk
    )
    if not can_see_assignment(user, assignment):
        raise Http404(_("没有找到这项分工。"))
    return assignment


def get_report_for_user(user, pk):
    """The report, read by its id and checked like its assignment (see `get_assignment_for_user`)."""
    report = get_object_or_404(
        ProgressReport.objects.select_related(
            "assignment",
            "assignment__task",
            "assignment__task__plan",
            "assignment__task__section",
            "assignment__unit",
            "period",
        ),
        pk=pk,
    )
    if not can_see_assignment(user, report.assignment):
        raise Http404(_("没有找到这份报告。"))
    return report


def get_period_for_plan(plan, pk):
    return get_object_or_404(ReportingPeriod.objects.filter(plan=plan), pk=pk)


def can_write(user, assignment):
    """Write, edit and submit this assignment's reports: the unit's reporters."""
    return assignment.unit_id in roles_for(user).reporter_unit_ids


def can_approve(user, assignment):
    return assignment.unit_id in roles_for(user).approver_unit_ids


def can_review(user):
    """Accept and return reports, urge, decide extensions, open and lock periods: coordinators."""
    return roles_for(user).is_coordinator


def is_own_unit_report(user, report):
    """Separation of duties: is this a report of a unit the user belongs to (reporter or approver)? Such a
    report is accepted or returned by another coordinator, never by its own unit's member."""
    return report.assignment.unit_id in roles_for(user).unit_ids


def own_unit_review_message(report):
    unit = report.assignment.unit
    return _(
        "您也是“%(unit)s”的单位人员，不能审核本单位的报告（不相容职责分离）。请由另一位统筹人员审核通过或退回。"
    ) % {"unit": unit.short_name or unit.name}


def leads_task(user, task):
    """Does one of the user's units lead the task (a Task or its id)?"""
    return Assignment.objects.active().filter(
        task=task, unit_id__in=roles_for(user).unit_ids, role=Assignment.Role.LEAD
    ).exists()
