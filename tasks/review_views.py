"""The coordinator's side of reporting: the review queue, missing reports and urging, receipts and objections,
deadline extensions, and reporting periods. Leaders may read these pages; only coordinators act."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units.models import Unit
from units.roles import roles_for

from . import access, html, navigation, periods, selectors, workflow
from .filters import ReportFilter
from .forms import ExtensionDecisionForm, NoteForm, PeriodForm, PeriodPresetForm, ReassignForm, UrgeForm
from .models import Assignment, AssignmentEvent, ExtensionRequest, ProgressReport, ReportingPeriod, WorkPlan
from .status import today
from .workdays import WorkCalendar

State = ProgressReport.State
# 20 reports a page, the pager above and below the table: a keyboard user reaches any page in a few Tab presses
# (issue 22: at 50 a page, oldest first, a report on page 4 was 624 Tab presses away; now newest first)
PAGE_SIZE = 20
UNITS_PER_PAGE = 20  # 未报送与催办: a page lists this many units with all their rows


def require_coordinator(user):
    if not access.can_review(user):
        raise PermissionDenied(_("只有统筹人员可以进行这项操作。"))


class UnitRows(list):
    """One unit's rows on 未报送与催办, with what its table shows as dicts (`lines`, set by the view) and when
    the unit was last urged for the period (`last_urged`, html.last_urge)."""

    lines = ()
    last_urged = None


def live_plans():
    return WorkPlan.objects.filter(status=WorkPlan.Status.ACTIVE)


def review_plan(request, plans):
    """The plan the review pages show: ?plan=, else the plan of ?period=, else this year's newest live plan,
    else the newest (navigation.chosen_plan, the rule of every page that lists work)."""
    return navigation.chosen_plan(request, plans)


def switched_plan(request, plan, name):
    """On a page of one plan by its URL (签收与异议, 报送期): the plan switch (?plan= of another live plan)
    as a redirect to that plan's page, else None."""
    wanted = access.parse_pk(request.GET.get("plan"))
    if wanted and wanted != plan.pk and live_plans().filter(pk=wanted).exists():
        return redirect(name, pk=wanted)
    return None


def review_queue(request):
    """审核: one plan's reports filtered by period, section, unit, unit kind and state; accept several at once."""
    access.require_reader(request.user)
    plans = list(live_plans())
    plan = review_plan(request, plans)
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = State.SUBMITTED
    reports = (
        ProgressReport.objects.filter(period__plan=plan)
        .select_related("assignment__task", "assignment__unit", "period")
        .defer("problems", "next_steps", "review_note")
        # newest first: the coordinator mostly comes for what has just arrived (a notification, a unit's call, a
        # report sent back after a return); the counts, the filters and the pager above the table reach the rest
        .order_by("-submitted_at", "-pk")
    )
    report_filter = ReportFilter(data, queryset=reports, plans=[plan] if plan else [])
    page = Paginator(report_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # counted on the (period, state) index alone
    counts = dict(
        ProgressReport.objects.filter(period__plan=plan).values_list("state").annotate(n=Count("*"))
    )
    query = data.copy()
    query.pop("page", None)
    if plan is not None:
        query["plan"] = plan.pk
    can_act = access.can_review(request.user)
    return render(
        request,
        "tasks/review_queue.html",
        {
            "review_plans": plans,
            "review_plan": plan,
            "filter": report_filter,
            "page": page,
            # separation of duties: no tick box on the reports of the coordinator's own units
            "rows": html.review_rows(page, own_unit_ids=roles_for(request.user).unit_ids),
            "counts": [(value, label, counts.get(value, 0)) for value, label in State.choices],
            "query": query.urlencode(),
            "can_act": can_act,
        },
    )


@require_POST
def review_accept_many(request):
    """Accept the ticked reports, each at the version the coordinator saw."""
    require_coordinator(request.user)
    ids = [pk for pk in map(access.parse_pk, request.POST.getlist("report")) if pk]
    reports = ProgressReport.objects.filter(pk__in=ids).order_by("pk")
    chosen = [(report, request.POST.get(f"version_{report.pk}")) for report in reports]
    if not chosen:
        messages.error(request, _("请先勾选要审核通过的报告。"))
    else:
        accepted, refused = workflow.accept_many(chosen, request.user)
        if accepted:
            messages.success(request, _("已审核通过 %(count)s 份报告。") % {"count": len(accepted)})
        for report, message in refused:
            messages.error(request, f"{report.assignment.unit.short_name} · {report.assignment.task.number}：{message}")
    return redirect(f"{reverse('tasks:review_queue')}?{request.POST.get('query', '')}")


def _chosen_period(request, plan):
    """The period asked for (?period=) among the plan's, else its current one; and all the plan's periods."""
    all_periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("due_on", "pk")) if plan else []
    for period in all_periods:
        period.plan = plan  # str(period) names the plan
    return periods.chosen_period(all_periods, request.GET.get("period", "")), all_periods


def missing_reports(request):
    """未报送: assignments of a period with no submitted or accepted report, to urge them; 20 units a page."""
    access.require_reader(request.user)
    plans = list(live_plans())
    plan = review_plan(request, plans)
    period, all_periods = _chosen_period(request, plan)
    by_unit, total, page = [], 0, None
    can_act = access.can_review(request.user)
    if period is not None:
        reported = ProgressReport.objects.filter(period=period, state__in=(State.SUBMITTED, State.ACCEPTED))
        missing = Assignment.objects.active().filter(task__plan=period.plan, task__completed_at__isnull=True).exclude(pk__in=reported.values("assignment_id"))
        if request.GET.get("unit_kind") in Unit.Kind.values:
            missing = missing.filter(unit__kind=request.GET["unit_kind"])
        # one row per unit (counted in the database), then the page's units in full
        per_unit = list(
            missing.values_list("unit_id").annotate(n=Count("pk")).order_by("unit__order", "unit__name", "unit_id")
        )
        total = sum(n for _unit, n in per_unit)
        page = Paginator(per_unit, UNITS_PER_PAGE).get_page(request.GET.get("page"))
        assignments = list(
            selectors.last_submitted(missing.filter(unit_id__in=[unit for unit, _n in page]))
            .select_related("task", "unit")
            .order_by("unit__order", "unit__name", "unit_id", "task__number")
        )
        rows = selectors.rows_for(assignments, lambda a: period, WorkCalendar.load())
        urged = dict(
            AssignmentEvent.objects.filter(
                action=AssignmentEvent.Action.URGE, period=period, assignment__in=[a.pk for a in assignments]
            )
            .values_list("assignment_id")
            .annotate(n=Count("pk"))
        )
        units = {}
        for row in rows:
            row.urged = urged.get(row.assignment.pk, 0)
            units.setdefault(row.assignment.unit, UnitRows()).append(row)
        last = selectors.last_urges([unit.pk for unit in units], period)  # one query for the page's units
        made_once = {}  # the titles, badges and lights made once for all units
        for unit, unit_rows in units.items():
            unit_rows.lines = html.missing_rows(unit_rows, made_once)
            unit_rows.last_urged = html.last_urge(last.get(unit.pk))
        by_unit = list(units.items())
    query = request.GET.copy()
    query.pop("page", None)
    if period is not None:
        query["period"] = period.pk
    return render(
        request,
        "tasks/missing_reports.html",
        {
            "review_plans": plans,
            "review_plan": plan,
            "period": period,
            "periods": all_periods,
            "by_unit": by_unit,
            "total": total,
            "unit_count": page.paginator.count if page else 0,
            "page": page,
            "query": query.urlencode(),
            "unit_kinds": Unit.Kind.choices,
            "unit_kind": request.GET.get("unit_kind", ""),
            "can_act": can_act,
        },
    )


def _back(request, default):
    """Where a POST returns: its `next`, a path of this site only (never a view name), else `default`."""
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return default


def _urge_again_page(request, form, units, message, action_url, title, confirming=False):
    """The confirmation (or correction) step of an urge: what was asked, why it waits, the note and reply-by
    as typed, and the same request again with `confirm` set. Nothing has been sent."""
    hidden = [
        (key, value)
        for key in ("period", "unit", "task", "scope", "assignment", "next", "plan")
        for value in request.POST.getlist(key)
    ]
    return render(
        request,
        "tasks/urge_confirm.html",
        {
            "form": form,
            "units": units,
            "message": message,
            "hidden": hidden,
            "action_url": action_url,
            "title": title,
            # the repeat is confirmed by sending this form; a correction keeps the confirmation it had
            "confirming": confirming or bool(request.POST.get("confirm")),
            "send_label": title,
            "again_label": _("确定再次%(what)s") % {"what": title},
            "back": _back(request, reverse("tasks:missing_reports")),
        },
    )


def _urge_units(request, units, *, title, action_url, default_back, recent, send, done):
    """The rest of an urge (催办 or 催签收) once its units are known ({unit: [assignment]}): the note and reply-by
    checked (a wrong one comes back with what was typed), a repeat within settings.URGE_REPEAT_HOURS confirmed
    first (nothing is sent before), then each unit urged once by `send`; `recent(unit, now)` is its last urge
    within the window, `done` the success message."""
    form = UrgeForm(request.POST)
    if form.is_valid():
        try:
            workflow.check_reply_by(form.cleaned_data["reply_by"])
        except workflow.WorkflowError as error:
            form.add_error("reply_by", str(error))
    if not form.is_valid():
        message = _("没有%(what)s：请修改下面标出的内容后再提交。") % {"what": title}
        return _urge_again_page(request, form, units, message, action_url, title)
    note, reply_by, confirm = (form.cleaned_data[k] for k in ("note", "reply_by", "confirm"))
    if not confirm:
        now = timezone.now()
        repeated = [(u, recent(u, now)) for u in units]
        message = " ".join(
            f"{u.short_name}：{workflow.repeat_refusal(last, now, title)}" for u, last in repeated if last is not None
        )
        if message:
            return _urge_again_page(request, form, units, message, action_url, title, confirming=True)
    count = people = 0
    for urged_unit, assignments in units.items():
        try:
            result = send(urged_unit, assignments, note, reply_by, confirm)
        except workflow.UrgeRepeat as error:  # urged by someone else meanwhile: not sent twice, said so
            messages.warning(
                request,
                _("%(unit)s未再次%(what)s：%(error)s") % {"unit": urged_unit.short_name, "what": title, "error": error},
            )
            continue
        except workflow.WorkflowError as error:
            messages.error(request, f"{urged_unit.short_name}：{error}")
            continue
        count += result.assignments
        people += result.people
    if count:
        messages.success(request, done % {"units": len(units), "count": count, "people": people})
    return HttpResponseRedirect(_back(request, default_back))


def _by_unit(assignments):
    units = {}
    for a in assignments:
        units.setdefault(a.unit, []).append(a)
    return units


@require_POST
def urge(request):
    """催办 the ticked assignments, every missing assignment of a unit, or of a task, in a period: each unit once
    (workflow.urge_unit: one message per person listing its tasks). A unit urged for the period within
    settings.URGE_REPEAT_HOURS is urged again only after the coordinator confirms (nothing is sent before)."""
    require_coordinator(request.user)
    period = get_object_or_404(
        ReportingPeriod.objects.filter(plan__in=live_plans()).select_related("plan"),
        pk=access.parse_pk(request.POST.get("period")),
    )
    default_back = f"{reverse('tasks:missing_reports')}?plan={period.plan_id}&period={period.pk}"
    targets = workflow.unreported(period)
    chosen = [pk for pk in map(access.parse_pk, request.POST.getlist("assignment")) if pk]
    unit, task = access.parse_pk(request.POST.get("unit")), access.parse_pk(request.POST.get("task"))
    if request.POST.get("scope") != "unit" and chosen:
        targets = targets.filter(pk__in=chosen)
    elif unit:
        targets = targets.filter(unit_id=unit)
    elif task:
        targets = targets.filter(task_id=task)
    else:
        messages.error(request, _("请指定要催办的单位或任务。"))
        return redirect(default_back)
    units = _by_unit(
        targets.select_related("task", "unit").order_by("unit__order", "unit__name", "unit_id", "task__number", "pk")
    )
    if not units:
        messages.error(request, _("没有需要催办的任务：它们已经报送了。"))
        return redirect(_back(request, default_back))
    return _urge_units(
        request,
        units,
        title=_("催办"),
        action_url=reverse("tasks:urge"),
        default_back=default_back,
        recent=lambda u, now: workflow.recent_urge(u, period, now=now),
        send=lambda u, assignments, note, reply_by, confirm: workflow.urge_unit(
            u, period, request.user, note, reply_by, assignments=assignments, confirm=confirm
        ),
        done=_("已催办 %(units)s 个单位的 %(count)s 项任务，通知了 %(people)s 人（每人一条消息）。"),
    )


def receipts(request, pk):
    """签收情况: who has not confirmed their assignments, and the objections to settle."""
    access.require_reader(request.user)
    plan = access.get_plan_for_user(request.user, pk)
    switched = switched_plan(request, plan, "tasks:receipts")
    if switched is not None:
        return switched
    assignments = Assignment.objects.active().filter(task__plan=plan)
    counts = dict(assignments.values_list("receipt").annotate(n=Count("pk")))
    contested = list(
        assignments.filter(receipt=Assignment.Receipt.CONTESTED)
        .select_related("task", "unit", "receipt_by")
        .order_by("task__number", "role", "order", "unit__order", "unit__name")
    )
    pending_units = list(
        Unit.objects.filter(
            assignments__task__plan=plan, assignments__receipt=Assignment.Receipt.PENDING, assignments__is_active=True
        )
        .annotate(
            n=Count(
                "assignments",
                filter=Q(
                    assignments__task__plan=plan,
                    assignments__receipt=Assignment.Receipt.PENDING,
                    assignments__is_active=True,
                ),
            )
        )
        .order_by("order", "name")
    )
    last = selectors.last_urges(
        [unit.pk for unit in pending_units], None, AssignmentEvent.Action.URGE_RECEIPT, plan=plan
    )  # one query for all the units
    for unit in pending_units:
        unit.last_urged = html.last_urge(last.get(unit.pk))
    # the units each objection may be reassigned to (any active unit not on the task), read once for all
    units = list(Unit.objects.filter(is_active=True).order_by("order", "name").only("pk", "name", "short_name"))
    taken = {}
    for task_id, unit_id in Assignment.objects.filter(task__in={a.task_id for a in contested}).values_list(
        "task_id", "unit_id"
    ) if contested else ():
        taken.setdefault(task_id, set()).add(unit_id)
    return render(
        request,
        "tasks/receipts.html",
        {
            "review_plans": list(live_plans()),
            "review_plan": plan,
            "plan": plan,
            "counts": [(value, label, counts.get(value, 0)) for value, label in Assignment.Receipt.choices],
            "contested": [(a, [u for u in units if u.pk not in taken.get(a.task_id, ())]) for a in contested],
            "pending_units": pending_units,
            "can_act": access.can_review(request.user),
        },
    )


@require_POST
def receipt_urge(request, pk):
    """催签收 one unit (`unit`) or every unit with assignments of the plan not signed for: each unit once
    (workflow.urge_receipt); a repeat within settings.URGE_REPEAT_HOURS waits for the coordinator's confirmation."""
    require_coordinator(request.user)
    plan = get_object_or_404(live_plans(), pk=pk)
    default_back = reverse("tasks:receipts", args=[plan.pk])
    targets = workflow.unsigned(plan)
    unit = access.parse_pk(request.POST.get("unit"))
    if unit:
        targets = targets.filter(unit_id=unit)
    units = _by_unit(
        targets.select_related("task", "unit").order_by("unit__order", "unit__name", "unit_id", "task__number", "pk")
    )
    if not units:
        messages.error(request, _("没有需要催签收的单位：分工都已签收。"))
        return redirect(_back(request, default_back))
    return _urge_units(
        request,
        units,
        title=_("催签收"),
        action_url=reverse("tasks:receipt_urge", args=[plan.pk]),
        default_back=default_back,
        recent=lambda u, now: workflow.recent_urge(u, None, AssignmentEvent.Action.URGE_RECEIPT, now=now, plan=plan),
        send=lambda u, assignments, note, reply_by, confirm: workflow.urge_receipt(
            u, plan, request.user, note, reply_by, confirm=confirm
        ),
        done=_("已催签收 %(units)s 个单位的 %(count)s 项分工，通知了 %(people)s 人（每人一条消息）。"),
    )


@require_POST
def receipt_resolve(request, pk):
    """Settle an objection: keep the assignment with the unit (insist), change its role (lead ↔ responsible),
    take the unit off the task (remove: deactivated, its history kept), or move it to another unit (reassign)."""
    require_coordinator(request.user)
    assignment = access.get_assignment_for_user(request.user, pk)
    try:
        decision = request.POST.get("decision")
        if decision == "change_role":
            form = NoteForm(request.POST, prefix=f"a{assignment.pk}")
            note = form.cleaned_data["note"] if form.is_valid() else ""
            role = Assignment.Role.RESPONSIBLE if assignment.role == Assignment.Role.LEAD else Assignment.Role.LEAD
            workflow.change_role(assignment, request.user, role, note)
            messages.success(
                request,
                _("已将%(unit)s调整为%(role)s单位，并通知其重新签收。")
                % {"unit": assignment.unit.name, "role": Assignment.Role(role).label},
            )
        elif decision == "remove":
            form = NoteForm(request.POST, prefix=f"a{assignment.pk}")
            reason = form.cleaned_data["note"] if form.is_valid() else ""
            workflow.remove_assignment(assignment, request.user, reason or assignment.receipt_note)
            messages.success(request, _("已将%(unit)s移出这项任务，并通知了该单位。") % {"unit": assignment.unit.name})
        elif decision == "reassign":
            form = ReassignForm(request.POST, assignment=assignment, prefix=f"a{assignment.pk}")
            if not form.is_valid():
                messages.error(request, _("请选择改派给哪个单位。"))
                return redirect("tasks:receipts", pk=assignment.task.plan_id)
            workflow.reassign(assignment, request.user, form.cleaned_data["unit"], form.cleaned_data["note"])
            messages.success(request, _("已改派给%(unit)s。") % {"unit": form.cleaned_data["unit"].name})
        else:
            form = NoteForm(request.POST, prefix=f"a{assignment.pk}")
            if not form.is_valid():
                error = " ".join(form.errors["note"])
                messages.error(request, _("没有处理：%(error)s 请修改说明后再提交。") % {"error": error})
                return redirect("tasks:receipts", pk=assignment.task.plan_id)
            workflow.insist(assignment, request.user, form.cleaned_data["note"])
            messages.success(request, _("已维持原分工，并通知了%(unit)s。") % {"unit": assignment.unit.name})
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    return redirect("tasks:receipts", pk=assignment.task.plan_id)


def extensions(request):
    """延期申请: one plan's pending requests to decide, and its recent decisions."""
    access.require_reader(request.user)
    plans = list(live_plans())
    plan = review_plan(request, plans)
    requests = ExtensionRequest.objects.filter(assignment__task__plan=plan).select_related(
        "assignment__task", "assignment__unit", "requested_by", "decided_by"
    )
    pending = list(requests.filter(state=ExtensionRequest.State.PENDING).order_by("requested_at"))
    return render(
        request,
        "tasks/extensions.html",
        {
            "review_plans": plans,
            "review_plan": plan,
            "pending": [(r, ExtensionDecisionForm(prefix=f"e{r.pk}")) for r in pending],
            "decided": requests.exclude(state=ExtensionRequest.State.PENDING).order_by("-decided_at")[:50],
            "can_act": access.can_review(request.user),
        },
    )


@require_POST
def extension_decide(request, pk):
    require_coordinator(request.user)
    extension = get_object_or_404(ExtensionRequest.objects.select_related("assignment__task"), pk=pk)
    back = f"{reverse('tasks:extensions')}?plan={extension.assignment.task.plan_id}"
    form = ExtensionDecisionForm(request.POST, prefix=f"e{pk}")
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意。"))
        return redirect(back)
    grant = form.cleaned_data["decision"] == "grant"
    try:
        workflow.decide_extension(extension, request.user, grant, form.cleaned_data["note"])
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已同意延期。") if grant else _("已答复不同意延期。"))
    return redirect(back)


def period_list(request, pk):
    """报送期: the plan's periods with their due dates and progress; coordinators add, lock and unlock."""
    plan = access.get_plan_for_user(request.user, pk)
    if request.method == "GET":
        switched = switched_plan(request, plan, "tasks:period_list")
        if switched is not None:
            return switched
    calendar = WorkCalendar.load()
    preset_form, period_form = PeriodPresetForm(), PeriodForm(plan=plan)
    if request.method == "POST":
        require_coordinator(request.user)
        if "preset" in request.POST:
            preset_form = PeriodPresetForm(request.POST)
            if preset_form.is_valid():
                created = periods.create_preset(plan, request.user, preset_form.cleaned_data["preset"], calendar)
                if created:
                    messages.success(
                        request,
                        _("已新增 %(count)s 个报送期：%(names)s。")
                        % {"count": len(created), "names": "、".join(p.name for p in created)},
                    )
                else:
                    messages.error(request, _("这些报送期已经存在，没有新增。"))
                return redirect("tasks:period_list", pk=plan.pk)
        else:
            period_form = PeriodForm(request.POST, plan=plan)
            if period_form.is_valid():
                period = period_form.save()
                messages.success(request, _("已新增报送期“%(name)s”。") % {"name": period.name})
                return redirect("tasks:period_list", pk=plan.pk)
            messages.error(request, _("报送期没有保存：请按红字提示修改。"))
    assignment_count = Assignment.objects.active().filter(task__plan=plan).count()
    rows = (
        plan.periods.annotate(
            reported=Count(
                "reports",
                filter=Q(reports__state__in=(State.SUBMITTED, State.ACCEPTED), reports__assignment__is_active=True),
            ),
            accepted=Count("reports", filter=Q(reports__state=State.ACCEPTED, reports__assignment__is_active=True)),
        )
        .order_by("due_on", "pk")
    )
    on = today()
    return render(
        request,
        "tasks/period_list.html",
        {
            "review_plans": list(live_plans()),
            "review_plan": plan,
            "plan": plan,
            "rows": [(p, calendar.workdays_left(on, p.due_on)) for p in rows],
            "assignment_count": assignment_count,
            "preset_form": preset_form,
            "period_form": period_form,
            "can_manage": access.can_review(request.user),
        },
    )


@require_POST
def period_lock(request, pk):
    require_coordinator(request.user)
    period = get_object_or_404(ReportingPeriod.objects.filter(plan__in=access.visible_plans(request.user)), pk=pk)
    locked = request.POST.get("locked") == "1"
    workflow.set_period_locked(period, request.user, locked)
    if locked:
        messages.success(request, _("“%(name)s”已锁定：各单位不能再修改或报送。") % {"name": period.name})
    else:
        messages.success(request, _("“%(name)s”已解锁：各单位可以继续填写和报送。") % {"name": period.name})
    return redirect("tasks:period_list", pk=period.plan_id)
