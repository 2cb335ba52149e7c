"""The units' side of reporting: 我的任务, writing a report, its page and history, receipt, extensions,
attachments and the lead unit's consolidation page. Every object comes through `tasks.access`; every change
through `tasks.workflow`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units.roles import roles_for

from . import access, html, navigation, selectors, workflow
from .forms import ContestForm, ExtensionForm, NoteForm, ReportForm, ReturnForm, ReviewForm
from .models import Assignment, ExtensionRequest, ProgressReport, ReportAttachment, ReportEvent
from .status import chinese_date, today
from .workdays import WorkCalendar

State = ProgressReport.State


def next_action(row, user):
    """What the person should do next with this row: (label, url, is_primary)."""
    assignment, period, report = row.assignment, row.period, row.report
    write_url = html.url_pattern("tasks:report_edit", 2).format(assignment.pk, period.pk)
    rule = workflow.allowed(user, report, assignment=assignment, period=period)
    if assignment.task.is_completed:  # shown on 我的任务, but not as something to do
        if report is None:
            return _("已办结"), "", False
        return _("已办结"), html.url_pattern("tasks:report_detail").format(report.pk), False
    if report is None:
        if rule["edit"]:
            return _("填写报告"), write_url, True
        return _("未填写"), "", False
    view_url = html.url_pattern("tasks:report_detail").format(report.pk)
    if rule["edit"]:
        if report.state == State.RETURNED:
            return _("按退回意见修改"), write_url, True
        return _("继续填写"), write_url, True
    if rule["approve"]:
        return _("审核"), view_url, True
    if report.state == State.SUBMITTED:
        return _("等待审核"), view_url, False
    return _("查看"), view_url, False


def my_tasks(request):
    """我的任务: the user's units' assignments in one live plan (?plan=, else this year's, else the newest), in
    one period (?period=, else the one that needs them: a report sent back first, then the earliest one not yet
    reported). Every action on the page returns to this plan and period tab."""
    user = request.user
    roles = roles_for(user)
    plans = access.my_plans(user)
    plan = navigation.chosen_plan(request, plans)
    assignments = []
    if plan is not None:
        assignments = list(
            selectors.last_submitted(access.my_assignments(user).filter(task__plan=plan))
            .select_related("unit", "task", "task__section")
            .order_by("unit__order", "task__number", "pk")
        )
        for assignment in assignments:
            assignment.task.plan = plan
    plan_periods = selectors.plan_periods([plan.pk]).get(plan.pk, []) if plan else []
    # The plan is judged on its own day: today, or the end of its year once that and its periods are past.
    on = plan.as_of(plan_periods) if plan else today()
    period = next((p for p in plan_periods if str(p.pk) == request.GET.get("period", "")), None)
    if period is None:
        # a closed task (办结) is shown, but needs nobody
        period = selectors.period_needing([a.pk for a in assignments if not a.task.is_completed], plan_periods, on)
    back = html.my_tasks_url(plan.pk, period.pk if period else None) if plan else ""
    calendar = WorkCalendar.load()
    # The unit acts on its reports as they are now; in a plan judged on a past day (its year and periods over)
    # the lights and days late are counted to that day.
    rows = selectors.rows_for(assignments, lambda a: period, calendar, lights_on=on)
    for row in rows:
        row.action = next_action(row, user)
    pending_receipt = [a for a in assignments if a.receipt == Assignment.Receipt.PENDING and not a.task.is_completed]
    return render(
        request,
        "tasks/my_tasks.html",
        {
            "rows": rows,
            "lines": html.my_task_rows(
                rows, reporter_unit_ids=roles.reporter_unit_ids, show_unit=len(roles.unit_ids) > 1, back=back
            ),
            "units": roles.units,
            "plans": plans,
            "plan": plan,
            "periods": plan_periods,
            "period": period,
            "on": on,
            "as_of_note": (
                _("本计划年度已过、报送期均已截止：状态灯和逾期天数截至 %(day)s；报告为当前状态，退回的报告仍可修改后重新报送。")
                % {"day": chinese_date(on)}
                if plan and on < today()
                else ""
            ),
            "back": back,
            "pending_receipt": pending_receipt,
            "assignments": assignments,
        },
    )


def _period_for(assignment, period_pk):
    return access.get_period_for_plan(assignment.task.plan, period_pk)


def report_edit(request, pk, period_pk):
    """Write or edit the unit's report of an assignment for a period (created on the first save)."""
    assignment = access.get_assignment_for_user(request.user, pk)
    period = _period_for(assignment, period_pk)
    report = ProgressReport.objects.filter(assignment=assignment, period=period).first()
    if report is not None:
        report.assignment, report.period = assignment, period
    rule = workflow.allowed(request.user, report, assignment=assignment, period=period)
    refusal = rule.refusal("edit")
    if refusal is not None and refusal.code == "permission":
        raise PermissionDenied(refusal.message)
    readonly_reason = rule.reason("edit")
    conflict = None
    back = navigation.local_next(request, "")  # 我的任务's plan and period tab the user came from
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, report=report)
        if readonly_reason:
            messages.error(request, readonly_reason)
        elif form.is_valid():
            intent = request.POST.get("intent", "save")
            try:
                report = workflow.save_report(
                    assignment=assignment,
                    period=period,
                    user=request.user,
                    data=form.cleaned_data,
                    version=form.cleaned_data.get("version"),
                    attachments=form.cleaned_data.get("attachments") or [],
                    remove_attachments=[a.pk for a in form.cleaned_data.get("remove_attachments") or []],
                )
                if intent == "submit":
                    workflow.submit(report, request.user, expected_version=report.version)
                    messages.success(request, _("报告已报送，等待统筹人员审核。"))
                    return redirect(back or report.get_absolute_url())
                if intent == "request_approval":
                    workflow.request_approval(report, request.user)
                    messages.success(request, _("已保存并送本单位审核人审核。审核通过后即可报送。"))
                    return redirect(back or report.get_absolute_url())
            except workflow.StaleReport as error:
                conflict = error.current
                messages.error(request, str(error))
                # Keep the user's text; the next save is made knowingly on top of the newer version.
                data = request.POST.copy()
                data["version"] = conflict.version
                form = ReportForm(data, report=ProgressReport.objects.get(pk=conflict.pk))
            except workflow.WorkflowError as error:
                messages.error(request, str(error))
                if report is not None and report.pk:
                    return redirect(report)
            else:
                messages.success(request, _("已保存草稿（第 %(version)s 版）。") % {"version": report.version})
                return redirect(html.with_next(reverse("tasks:report_edit", args=[assignment.pk, period.pk]), back))
        else:
            messages.error(request, _("报告没有保存：请按红字提示修改。您填写的内容仍在下面。"))
    else:
        form = ReportForm(report=report)
    if readonly_reason:
        for field in form.fields.values():
            field.widget.attrs["readonly"] = True
    return render(
        request,
        "tasks/report_edit.html",
        {
            "assignment": assignment,
            "task": assignment.task,
            "plan": assignment.task.plan,
            "period": period,
            "report": report,
            "form": form,
            "conflict": conflict,
            "readonly_reason": readonly_reason,
            "attachments": selectors.live_attachments(report) if report else [],
            "days_left": WorkCalendar.load().workdays_left(today(), period.due_on),
            "needs_approval": rule.needs_approval,
            "back": back,
        },
    )


def report_detail(request, pk):
    """A report: its text, attachments, history; the actions the user may take on it."""
    report = access.get_report_for_user(request.user, pk)
    assignment = report.assignment
    rule = workflow.allowed(request.user, report)
    events = list(selectors.report_history(report))
    returns = [event for event in events if event.action == ReportEvent.Action.RETURN]
    if report.state == State.RETURNED and returns:
        returns.pop()  # the return that decided the current round is shown as the current note
    context = {
        "report": report,
        "assignment": assignment,
        "task": assignment.task,
        "plan": assignment.task.plan,
        "period": report.period,
        "events": events,
        "attachments": selectors.live_attachments(report),
        "allowed": rule,
        "earlier_returns": len(returns),
        # the approver's note, while it is the last word of the unit's approval round (no approval or
        # submission since)
        "approver_note": _approver_note(events, report),
        # separation of duties: say why a coordinator of the report's own unit has no review buttons
        "own_unit_review": report.state == State.SUBMITTED
        and access.can_review(request.user)
        and access.is_own_unit_report(request.user, report),
        "accept_form": ReviewForm(initial={"version": report.version}),
        "return_form": ReturnForm(initial={"version": report.version}),
        "back": navigation.local_next(request, ""),
    }
    return render(request, "tasks/report_detail.html", context)


def _approver_note(events, report):
    """The unit approver's APPROVER_RETURN event while it stands: the report is still being written (draft or
    returned) and nothing of the approval round (approve, submit, withdraw) came after it."""
    if not report.is_editable_state:
        return None
    round_actions = (ReportEvent.Action.APPROVER_RETURN, ReportEvent.Action.APPROVE, ReportEvent.Action.SUBMIT)
    for event in reversed(events):
        if event.action in round_actions:
            return event if event.action == ReportEvent.Action.APPROVER_RETURN else None
    return None


def _report_action(request, pk, action):
    """A report action from its page; back to `next` (我的任务's tab) when it succeeds and one was given."""
    report = access.get_report_for_user(request.user, pk)
    version = request.POST.get("version") or None
    try:
        action(report, version)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return redirect(report)
    return redirect(navigation.local_next(request, report.get_absolute_url()))


@require_POST
def report_submit(request, pk):
    def act(report, version):
        workflow.submit(report, request.user, expected_version=version)
        messages.success(request, _("报告已报送，等待统筹人员审核。"))

    return _report_action(request, pk, act)


@require_POST
def report_approve(request, pk):
    def act(report, version):
        workflow.approve(report, request.user, expected_version=version)
        messages.success(request, _("已审核通过，联络员现在可以报送。"))

    return _report_action(request, pk, act)


@require_POST
def report_approver_return(request, pk):
    """The unit approver sends the report back to the liaison with a required note (workflow.approver_return)."""

    def act(report, version):
        form = NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        workflow.approver_return(report, request.user, note, expected_version=version)
        messages.success(request, _("已退回联络员，联络员会收到您的意见。"))

    return _report_action(request, pk, act)


@require_POST
def report_withdraw(request, pk):
    """The liaison takes back a submitted report the coordinator has not decided on (workflow.withdraw)."""

    def act(report, version):
        workflow.withdraw(report, request.user, expected_version=version)
        if report.assignment.task.plan.unit_approval:
            messages.success(request, _("报告已撤回，现为草稿。修改后请重新送本单位审核，审核通过后再报送。"))
        else:
            messages.success(request, _("报告已撤回，现为草稿。修改后请重新报送。"))

    return _report_action(request, pk, act)


@require_POST
def report_accept(request, pk):
    def act(report, version):
        form = ReviewForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        workflow.accept(report, request.user, expected_version=version, note=note)
        messages.success(request, _("已审核通过。"))

    return _report_action(request, pk, act)


@require_POST
def report_return(request, pk):
    report = access.get_report_for_user(request.user, pk)
    if not access.can_review(request.user):
        raise PermissionDenied(workflow.NOT_REVIEWER_RETURN)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, workflow.RETURN_NEEDS_NOTE)
        return redirect(report)
    try:
        workflow.return_report(report, request.user, form.cleaned_data["note"], expected_version=form.cleaned_data["version"])
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已退回，单位会收到退回意见。"))
    return redirect(report)


def attachment(request, pk):
    """Download an attachment: only for those who may see its report; never served as a page."""
    item = get_object_or_404(ReportAttachment.objects.select_related("report"), pk=pk, removed_at__isnull=True)
    access.get_report_for_user(request.user, item.report_id)  # 404 for anyone who may not see the report
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在，请联系管理员。")) from None
    response = FileResponse(handle, as_attachment=True, filename=item.name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def consolidation(request, pk, period_pk):
    """The lead unit's page for one task and period: every unit's report side by side, and its own."""
    task = access.get_task_for_user(request.user, pk)
    if not (roles_for(request.user).sees_everything or access.leads_task(request.user, task)):
        raise PermissionDenied(_("只有这项任务的牵头单位可以查看汇总。"))
    period = access.get_period_for_plan(task.plan, period_pk)
    assignments = list(
        selectors.last_submitted(task.assignments.active()).select_related("unit").order_by("role", "order", "unit__order", "unit__name")
    )
    rows = selectors.rows_for(assignments, lambda a: period, WorkCalendar.load(), with_text=True)
    my_units = roles_for(request.user).unit_ids
    own = [r for r in rows if r.assignment.role == Assignment.Role.LEAD and r.assignment.unit_id in my_units]
    others = [r for r in rows if r not in own]
    shown = (State.SUBMITTED, State.ACCEPTED, State.RETURNED)
    reported = sum(1 for r in others if r.state in (State.SUBMITTED, State.ACCEPTED))
    return render(
        request,
        "tasks/consolidation.html",
        {
            "task": task,
            "plan": task.plan,
            "period": period,
            "periods": task.plan.periods.order_by("due_on", "pk"),
            "own": own,
            "others": others,
            "written": [r for r in others if r.state in shown],
            "silent": [r for r in others if r.state not in shown],
            "reported": reported,
            "writer": any(access.can_write(request.user, r.assignment) for r in own),
        },
    )


@require_POST
def receipt_confirm(request, pk):
    """签收 one assignment, or (pk 0) every pending assignment of the user's units."""
    back = navigation.local_next(request, reverse("tasks:my_tasks"))
    if pk == 0:
        pending = access.my_assignments(request.user).filter(receipt=Assignment.Receipt.PENDING)
        plan = access.parse_pk(request.POST.get("plan"))
        if plan:  # 全部签收 on 我的任务 signs for the plan shown
            pending = pending.filter(task__plan_id=plan)
        count = 0
        for assignment in pending.select_related("task", "task__plan", "unit").order_by("task__number", "pk"):
            workflow.confirm_receipt(assignment, request.user)
            count += 1
        messages.success(request, _("已签收 %(count)s 项任务。") % {"count": count})
        return redirect(back)
    assignment = access.get_assignment_for_user(request.user, pk)
    workflow.confirm_receipt(assignment, request.user)
    messages.success(request, _("已签收第%(number)s项任务。") % {"number": assignment.task.number})
    return redirect(back)


def receipt_contest(request, pk):
    """对分工提出异议 (退回): the unit says this is not its task, with a reason."""
    assignment = access.get_assignment_for_user(request.user, pk)
    if not (access.can_write(request.user, assignment) or access.can_approve(request.user, assignment)):
        raise PermissionDenied(_("只有本单位人员可以对分工提出异议。"))
    form = ContestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.contest(assignment, request.user, form.cleaned_data["reason"])
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("异议已提交，统筹人员会决定改派或维持分工。"))
            return redirect(navigation.local_next(request, reverse("tasks:my_tasks")))
    return render(
        request,
        "tasks/receipt_contest.html",
        {"assignment": assignment, "task": assignment.task, "form": form, "back": navigation.local_next(request, "")},
    )


def extension_request(request, pk):
    """延期申请 for one assignment; shows the assignment's earlier requests."""
    assignment = access.get_assignment_for_user(request.user, pk)
    if not access.can_write(request.user, assignment):
        raise PermissionDenied(_("只有本单位的联络员可以申请延期。"))
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.request_extension(
                assignment, request.user, form.cleaned_data["new_deadline"], form.cleaned_data["reason"]
            )
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("延期申请已提交，等待统筹人员审批。"))
            back = navigation.local_next(request, "")
            return redirect(html.with_next(reverse("tasks:extension_request", args=[assignment.pk]), back))
    return render(
        request,
        "tasks/extension_request.html",
        {
            "assignment": assignment,
            "task": assignment.task,
            "form": form,
            "requests": ExtensionRequest.objects.filter(assignment=assignment).select_related("requested_by", "decided_by"),
            "back": navigation.local_next(request, ""),
        },
    )
