"""Pages about plans and tasks. Every object comes through `tasks.access`."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units.roles import roles_for

from . import access, plans, selectors, workflow
from .filters import TaskFilter
from .forms import AddAssignmentForm, CompleteTaskForm, ConfirmForm, GroupMembersForm
from .periods import chosen_period
from .status import as_of_note, chinese_date, task_status, today
from .workdays import WorkCalendar


def plan_list(request):
    visible = access.visible_plans(request.user).annotate(
        task_count=Count("tasks", distinct=True), section_count=Count("sections", distinct=True)
    )
    return render(
        request,
        "tasks/plan_list.html",
        {"plans": visible, "can_manage": access.can_manage_plans(request.user)},
    )


def plan_detail(request, pk):
    plan = access.get_plan_for_user(request.user, pk)
    on = plan.as_of()
    can_manage = access.can_manage_plans(request.user)
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "sections": selectors.plan_sections(plan),
            "totals": selectors.plan_totals(plan),
            "can_manage": can_manage,
            "on": on,
            "as_of_note": as_of_note(plan, on),
            "today": today(),
            "close_default": min(today(), datetime.date(plan.year, 12, 31)),
            "plan_events": list(plan.events.select_related("actor").order_by("at", "pk")) if can_manage else [],
        },
    )


@require_POST
def plan_close(request, pk):
    """结束计划 (coordinators): from then on the plan is judged as of its closing date."""
    plan = access.get_plan_for_user(request.user, pk)
    if not access.can_manage_plans(request.user):
        raise PermissionDenied(_("只有统筹人员可以结束工作计划。"))
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("请勾选“我确认结束本计划”后再提交。"))
        return redirect(plan)
    try:
        closed_on = datetime.date.fromisoformat(request.POST.get("closed_on", "").strip())
    except ValueError:
        messages.error(request, _("请填写有效的结束日期（年-月-日）。"))
        return redirect(plan)
    try:
        workflow.close_plan(plan, request.user, closed_on)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("计划已结束，各项状态和统计截至 %(day)s。") % {"day": chinese_date(closed_on)}
        )
    return redirect(plan)


@require_POST
def plan_reopen(request, pk):
    """重新开启 (coordinators, with a reason): the plan is carried out again and judged as of today."""
    plan = access.get_plan_for_user(request.user, pk)
    if not access.can_manage_plans(request.user):
        raise PermissionDenied(_("只有统筹人员可以重新开启工作计划。"))
    try:
        workflow.reopen_plan(plan, request.user, request.POST.get("reason", ""))
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("计划已重新开启。"))
    return redirect(plan)


def plan_publish(request, pk):
    """发布: a draft plan goes live, and the units see their tasks. The coordinator first sees what will go out
    (tasks, assignments, units, periods, groups still to choose) and ticks "我已核对……": the tick is required
    by the server, not only by the browser."""
    plan = access.get_plan_for_user(request.user, pk)
    if not access.can_manage_plans(request.user):
        raise PermissionDenied(_("只有统筹人员可以发布工作计划。"))
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                plans.publish_plan(plan, request.user)
            except plans.PlanDataError as error:
                messages.error(request, "；".join(error.problems))
            else:
                messages.success(request, _("计划已发布，各单位现在可以看到自己的任务。"))
            return redirect(plan)
        messages.error(request, _("计划没有发布：请先核对并勾选“我已核对”。"))
    return render(
        request,
        "tasks/plan_publish.html",
        {
            "plan": plan,
            "form": form,
            "totals": selectors.plan_totals(plan),
            "periods": list(plan.periods.order_by("due_on", "pk")),
        },
    )


def task_list(request, pk):
    plan = access.get_plan_for_user(request.user, pk)
    on = plan.as_of()
    tasks = selectors.tasks_with_pending_groups(plan.tasks.order_by("number"))
    task_filter = TaskFilter(request.GET or None, queryset=tasks, plan=plan)
    return render(
        request,
        "tasks/task_list.html",
        {
            "plan": plan,
            "filter": task_filter,
            "tasks": selectors.with_unit_chips(task_filter.qs),
            "filtered": task_filter.is_bound,
            "on": on,
            "as_of_note": as_of_note(plan, on),
        },
    )


def task_detail(request, pk):
    """A task: its full text, and every unit on it with its report and light in the chosen period."""
    task = access.get_task_for_user(request.user, pk)
    periods = selectors.plan_periods([task.plan_id]).get(task.plan_id, [])
    on = task.plan.as_of(periods)  # a closed plan is judged at its close
    everyone = list(selectors.last_submitted(selectors.assignments_with_units().filter(task=task), on))
    for assignment in everyone:
        assignment.task = task  # the rows' lights read the task's closing (办结) without a query
    assignments = [a for a in everyone if a.is_active]
    removed = [a for a in everyone if not a.is_active]  # taken off the task: their reports stay readable
    wanted = request.GET.get("period", "")
    period = chosen_period(periods, wanted, on)
    roles = roles_for(request.user)
    my_unit_ids = roles.unit_ids
    # Everyone reads the plan; reports are seen by their unit, the task's lead units, coordinators and leaders.
    sees_reports = roles.sees_everything or any(
        a.role == a.Role.LEAD and a.unit_id in my_unit_ids for a in assignments
    )
    shown = assignments if sees_reports else [a for a in assignments if a.unit_id in my_unit_ids]
    rows = {}
    if period is not None and shown:
        rows = {
            r.assignment.pk: r for r in selectors.rows_for(shown, lambda a: period, WorkCalendar.load(), on)
        }
    for assignment in assignments:
        assignment.row = rows.get(assignment.pk)
    leads = [a for a in assignments if a.role == a.Role.LEAD]
    history = selectors.reports_of(removed) if removed and sees_reports else {}
    for assignment in removed:
        assignment.history = history.get(assignment.pk, [])
    can_manage = access.can_manage_plans(request.user)
    completion = None
    if can_manage and task.plan.status == task.plan.Status.ACTIVE and not task.is_completed:
        final = max(periods, key=lambda p: (p.due_on, p.pk)) if periods else None
        completion = {"period": final, "missing": workflow.unaccepted_units(task, final), "form": CompleteTaskForm()}
    if len(leads) > 1:
        leads[0].principal = True  # the first lead unit named in the notice (主牵头)
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "period": period,
            "periods": periods,
            "task_status": task_status([r.status for r in rows.values()]) if rows and sees_reports else None,
            "on": on,
            "as_of_note": as_of_note(task.plan, on),
            "can_consolidate": sees_reports,
            "leads": leads,
            "responsibles": [a for a in assignments if a.role == a.Role.RESPONSIBLE],
            "pending_groups": [(group, GroupMembersForm(group=group)) for group in task.pending_groups.all()],
            "my_unit_ids": my_unit_ids,
            "can_manage": can_manage,
            "removed": removed,
            "add_form": AddAssignmentForm(task=task, prefix="add") if can_manage else None,
            "completion": completion,
        },
    )


@require_POST
def task_choose_group(request, pk, group_pk):
    """The coordinator picks the units a selective group (市政府有关部门) means for this task."""
    task = access.get_task_for_user(request.user, pk)
    if not access.can_manage_plans(request.user):
        raise PermissionDenied(_("只有统筹人员可以调整任务分工。"))
    group = get_object_or_404(task.pending_groups.all(), pk=group_pk)
    form = GroupMembersForm(request.POST, group=group)
    if not form.is_valid():
        messages.error(request, _("请至少勾选一个单位。"))
        return redirect(task)
    try:
        added = plans.assign_group_members(task, group, list(form.cleaned_data["units"]))
    except plans.PlanDataError as error:
        messages.error(request, "；".join(error.problems))
    else:
        messages.success(
            request, _("已为“%(group)s”选定 %(count)s 个单位。") % {"group": group.name, "count": added}
        )
    return redirect(task)
