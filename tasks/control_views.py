"""Assignment control in the product (issue 17): the coordinator adds a unit to a task or takes one off,
changes a unit's role, a task's or a unit's deadline, edits a reporting period and the plan's unit-approval
switch, and closes (办结) or reopens a task. Each view checks permission through `tasks.access` and changes
through `tasks.workflow` (event, notification, audit, one transaction); a refusal comes back as a message and
what was typed stays on the page that shows it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, workflow
from .forms import (
    AddAssignmentForm,
    CompleteTaskForm,
    DeadlineForm,
    NoteForm,
    PeriodEditForm,
    RemoveAssignmentForm,
)
from .models import ReportingPeriod


def require_manager(user):
    if not access.can_manage_plans(user):
        raise PermissionDenied(_("只有统筹人员可以调整任务分工。"))


def _back(request, assignment):
    """Back to 签收与异议 when the action came from there, else to the task page."""
    if request.POST.get("back") == "receipts":
        return redirect("tasks:receipts", pk=assignment.task.plan_id)
    return redirect(assignment.task)


def _attempt(request, change, success):
    """Make a workflow change: its refusal becomes the error message, else `success(result)` the success
    message."""
    try:
        result = change()
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success(result))


def _errors(form):
    return " ".join(message for messages_ in form.errors.values() for message in messages_)


@require_POST
def assignment_add(request, pk):
    require_manager(request.user)
    task = access.get_task_for_user(request.user, pk)
    form = AddAssignmentForm(request.POST, task=task, prefix="add")
    if not form.is_valid():
        messages.error(request, _("没有增加单位：%(error)s") % {"error": _errors(form)})
        return redirect(task)
    data = form.cleaned_data
    _attempt(
        request,
        lambda: workflow.add_assignment(task, request.user, data["unit"], data["role"], data["deadline"], data["note"]),
        lambda assignment: _("已将%(unit)s增加为%(role)s单位，并通知其签收。")
        % {"unit": data["unit"].name, "role": assignment.get_role_display()},
    )
    return redirect(task)


@require_POST
def assignment_remove(request, pk):
    require_manager(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    form = RemoveAssignmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("没有移出：%(error)s") % {"error": _errors(form)})
        return _back(request, assignment)
    _attempt(
        request,
        lambda: workflow.remove_assignment(assignment, request.user, form.cleaned_data["reason"]),
        lambda _removed: _("已将%(unit)s移出这项任务（记录和报告仍保留在任务页“已移出的单位”中）。")
        % {"unit": assignment.unit.name},
    )
    return _back(request, assignment)


@require_POST
def assignment_role(request, pk):
    require_manager(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    role = request.POST.get("role", "")
    _attempt(
        request,
        lambda: workflow.change_role(assignment, request.user, role, note),
        lambda changed: _("已将%(unit)s调整为%(role)s单位，并通知其重新签收。")
        % {"unit": assignment.unit.name, "role": changed.get_role_display()},
    )
    return _back(request, assignment)


@require_POST
def assignment_deadline(request, pk):
    require_manager(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("完成时限没有调整：%(error)s") % {"error": _errors(form)})
        return redirect(assignment.task)
    _attempt(
        request,
        lambda: workflow.set_assignment_deadline(
            assignment, request.user, form.cleaned_data["deadline"], form.cleaned_data["reason"]
        ),
        lambda _changed: _("%(unit)s的完成时限已调整为%(date)s，并已通知该单位。")
        % {"unit": assignment.unit.name, "date": form.cleaned_data["deadline"].isoformat()},
    )
    return redirect(assignment.task)


@require_POST
def task_deadline(request, pk):
    require_manager(request.user)
    task = access.get_task_for_user(request.user, pk)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("完成时限没有调整：%(error)s") % {"error": _errors(form)})
        return redirect(task)
    _attempt(
        request,
        lambda: workflow.set_task_deadline(task, request.user, form.cleaned_data["deadline"], form.cleaned_data["reason"]),
        lambda moved: _("任务的完成时限已调整为%(date)s，同时调整了 %(count)s 个单位的完成时限并通知了它们。")
        % {"date": form.cleaned_data["deadline"].isoformat(), "count": len(moved)},
    )
    return redirect(task)


def period_edit(request, pk):
    """修改报送期: name and dates, through `workflow.update_period`; a refusal keeps what was typed."""
    require_manager(request.user)
    period = get_object_or_404(
        ReportingPeriod.objects.filter(plan__in=access.visible_plans(request.user)).select_related("plan"), pk=pk
    )
    if request.method == "POST":
        form = PeriodEditForm(request.POST)
        if form.is_valid():
            try:
                workflow.update_period(period, request.user, **form.cleaned_data)
            except workflow.WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("报送期“%(name)s”已修改。") % {"name": period.name})
                return redirect("tasks:period_list", pk=period.plan_id)
        messages.error(request, _("报送期没有修改：请按红字提示修改。"))
    else:
        form = PeriodEditForm(
            initial={"name": period.name, "starts_on": period.starts_on, "ends_on": period.ends_on, "due_on": period.due_on}
        )
    return render(request, "tasks/period_edit.html", {"period": period, "plan": period.plan, "form": form})


@require_POST
def plan_unit_approval(request, pk):
    """开启或关闭单位审核 (the plan's unit-approval switch)."""
    require_manager(request.user)
    plan = access.get_plan_for_user(request.user, pk)
    on = request.POST.get("unit_approval") == "1"
    try:
        waiting = workflow.set_unit_approval(plan, request.user, on)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        if on:
            messages.success(request, _("已开启单位审核：报告报送前须经本单位审核人审核通过。已报送的报告不受影响。"))
        elif waiting:
            messages.success(
                request,
                _("已关闭单位审核。有 %(count)s 份报告正在等待单位审核：内容和状态不变，联络员可以直接报送，已通知他们。")
                % {"count": waiting},
            )
        else:
            messages.success(request, _("已关闭单位审核：联络员可以直接报送。"))
    return redirect("tasks:period_list", pk=plan.pk)


@require_POST
def task_complete(request, pk):
    """办结 a task."""
    require_manager(request.user)
    task = access.get_task_for_user(request.user, pk)
    form = CompleteTaskForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    _attempt(
        request,
        lambda: workflow.complete_task(task, request.user, note),
        lambda _done: _("第%(number)s项已办结。") % {"number": task.number},
    )
    return redirect(task)


@require_POST
def task_reopen(request, pk):
    require_manager(request.user)
    task = access.get_task_for_user(request.user, pk)
    form = NoteForm(request.POST)
    reason = form.cleaned_data["note"] if form.is_valid() else ""
    _attempt(
        request,
        lambda: workflow.reopen_task(task, request.user, reason),
        lambda _reopened: _("第%(number)s项已重新办理，各单位可以继续报送。") % {"number": task.number},
    )
    return redirect(task)
