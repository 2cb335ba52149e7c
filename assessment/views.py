"""考核排名, the rule, a unit's score with the events behind it, 典型经验, and the circular (通报).

Who sees what (tasks.access, units.roles): coordinators and leaders see every unit; a unit's members see their
own units' scores, breakdowns and ranks (never another unit's details) and the rule; only coordinators change
the rule, adjust scores, mark good practice and draft, edit and publish circulars; a circular reaches the units
once published.
"""

import datetime
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import audit
from annual.docx import write_docx
from tasks import access, navigation
from tasks.models import ProgressReport
from units.models import Unit
from units.roles import roles_for

from . import circular as circulars
from . import excel, practice, scoring, service
from .forms import AdjustmentForm, CircularForm, PracticeForm, RuleForm
from .models import Circular, GoodPractice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _live_plans(user):
    return list(access.visible_plans(user).filter(status__in=access.PUBLISHED))


def _require_scores_reader(user):
    roles = roles_for(user)
    if not roles.sees_everything and not roles.unit_ids:
        raise PermissionDenied(_("只有统筹人员、领导和承担任务的单位人员可以查看考核得分。"))
    return roles


def _require_coordinator(user, message=None):
    if not roles_for(user).is_coordinator:
        raise PermissionDenied(message or _("只有统筹人员可以进行这项操作。"))


def _as_of(request):
    """?as_of=YYYY-MM-DD: the day to judge on (default: the plan's own day, WorkPlan.as_of)."""
    try:
        return datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return None


def _plan_and_period(request, plans):
    plan = navigation.chosen_plan(request, plans)
    if plan is None:
        raise Http404(_("还没有执行中的工作计划。"))
    periods = list(plan.periods.all())
    wanted = access.parse_pk(request.GET.get("period"))
    period = next((p for p in periods if p.pk == wanted), None)
    return plan, periods, period


def ranking(request):
    """考核排名: by unit kind, for a period or the year, each figure linking to the events behind it."""
    roles = _require_scores_reader(request.user)
    plans = _live_plans(request.user)
    plan, periods, period = _plan_and_period(request, plans)
    table = scoring.score_units(plan, period, on=_as_of(request))
    groups = table.groups
    if not roles.sees_everything:
        groups = [(kind, label, [r for r in rows if r.unit.pk in roles.unit_ids]) for kind, label, rows in groups]
        groups = [group for group in groups if group[2]]
    return render(
        request,
        "assessment/ranking.html",
        {
            "plans": plans,
            "plan": plan,
            "periods": periods,
            "period": period,
            "table": table,
            "groups": groups,
            "items": [(key, scoring.LABELS[key]) for key in scoring.ITEMS],
            "sees_all": roles.sees_everything,
            "can_manage": roles.is_coordinator,
            "query": "&".join(
                part for part in (f"period={period.pk}" if period else "",
                                  f"as_of={_as_of(request)}" if _as_of(request) else "") if part
            ),
        },
    )


def ranking_xlsx(request):
    access.require_reader(request.user, _("只有统筹人员和领导可以导出考核排名。"))
    plan, _periods, period = _plan_and_period(request, _live_plans(request.user))
    table = scoring.score_units(plan, period, on=_as_of(request))
    name = excel.filename(table)
    audit.record("export", plan, changes={_("文件"): name}, request=request)
    return FileResponse(io.BytesIO(excel.scores_workbook(table)), as_attachment=True, filename=name,
                        content_type=XLSX)


def rule(request, pk):
    """The rule in plain Chinese: every unit may read how it is scored."""
    _require_scores_reader(request.user)
    plan = access.get_plan_for_user(request.user, pk)
    return render(
        request,
        "assessment/rule.html",
        {"plan": plan, "rule": scoring.rule_for(plan),
         "can_manage": roles_for(request.user).is_coordinator},
    )


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    _require_coordinator(request.user, _("只有统筹人员可以修改考核细则。"))
    plan = access.get_plan_for_user(request.user, pk)
    current = scoring.rule_for(plan)
    if request.method == "POST":
        form = RuleForm(request.POST, instance=scoring.ScoringRule(plan=plan))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in RuleForm.Meta.fields}
            service.save_rule(current, data, request.user)
            messages.success(request, _("已保存考核细则，得分已按新细则重新计算。"))
            return redirect("assessment:rule", plan.pk)
        messages.error(request, _("没有保存：请按红字提示修改。您填写的内容仍在下面。"))
    else:
        form = RuleForm(instance=current)
    return render(request, "assessment/rule_edit.html", {"plan": plan, "form": form})


def unit_score(request, pk, unit_pk):
    """One unit's score, item by item, with the events behind each figure (and the adjustments' reasons)."""
    roles = _require_scores_reader(request.user)
    plan = access.get_plan_for_user(request.user, pk)
    if not roles.sees_everything and unit_pk not in roles.unit_ids:
        raise Http404(_("没有找到这个单位的得分。"))
    unit = get_object_or_404(Unit, pk=unit_pk)
    periods = list(plan.periods.all())
    wanted = access.parse_pk(request.GET.get("period"))
    period = next((p for p in periods if p.pk == wanted), None)
    form = AdjustmentForm(initial={"unit": unit.pk, "period": period.pk if period else ""})
    return _unit_score_page(request, plan, unit, periods, period, form)


def _unit_score_page(request, plan, unit, periods, period, form, status=200):
    table = scoring.score_units(plan, period, on=_as_of(request), evidence=True)
    row = table.by_unit.get(unit.pk)
    if row is None:
        raise Http404(_("这个单位在本计划中没有任务分工。"))
    return render(
        request,
        "assessment/unit_score.html",
        {"plan": plan, "unit": unit, "periods": periods, "period": period, "table": table,
         "row": row, "form": form, "can_manage": roles_for(request.user).is_coordinator},
        status=status,
    )


@require_POST
def adjust(request, pk):
    """加减分 with a reason; refused input comes back on the unit's page with what was typed."""
    _require_coordinator(request.user, _("只有统筹人员可以调整考核得分。"))
    plan = access.get_plan_for_user(request.user, pk)
    form = AdjustmentForm(request.POST)
    unit_pk = access.parse_pk(request.POST.get("unit"))
    unit = get_object_or_404(Unit, pk=unit_pk) if unit_pk else None
    if unit is None:
        raise Http404(_("没有找到这个单位。"))
    period_pk = access.parse_pk(request.POST.get("period"))
    period = access.get_period_for_plan(plan, period_pk) if period_pk else None
    if form.is_valid():
        try:
            service.adjust(plan, unit, period, form.cleaned_data["points"], form.cleaned_data["reason"],
                           request.user)
        except service.AdjustmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已记录调整，理由显示在得分明细里。"))
            back = reverse("assessment:unit_score", args=[plan.pk, unit.pk])
            return redirect(back + (f"?period={period.pk}" if period else "") + "#item-adjust")
    messages.error(request, _("没有记录调整：请按红字提示修改。您填写的内容仍在下面。"))
    return _unit_score_page(request, plan, unit, list(plan.periods.all()), period, form)


# --- 典型经验 ----------------------------------------------------------------------------------------------


def practices(request):
    """The good practice marked in a plan (a period's when chosen), and — for coordinators — the accepted
    reports of the period that may be marked."""
    access.require_reader(request.user, _("只有统筹人员和领导可以查看典型经验。"))
    plans = _live_plans(request.user)
    plan, periods, period = _plan_and_period(request, plans)
    candidates = []
    if period is not None and roles_for(request.user).is_coordinator:
        candidates = list(
            ProgressReport.objects.filter(period=period, state=ProgressReport.State.ACCEPTED)
            .select_related("assignment__unit", "assignment__task")
            .defer("body", "problems", "next_steps")
            .order_by("assignment__task__number", "assignment__unit__order", "pk")
        )
    return render(
        request,
        "assessment/practices.html",
        {"plans": plans, "plan": plan, "periods": periods, "period": period,
         "practices": practice.practices(plan, period), "candidates": candidates,
         "can_manage": roles_for(request.user).is_coordinator},
    )


@require_http_methods(["GET", "POST"])
def practice_mark(request, report_pk):
    """标为典型经验: the whole accepted report, or a passage selected from its text (kept verbatim)."""
    _require_coordinator(request.user, _("只有统筹人员可以标记典型经验。"))
    report = access.get_report_for_user(request.user, report_pk)
    form = PracticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            practice.mark(report, request.user, form.cleaned_data["title"], form.cleaned_data["passage"])
        except practice.PracticeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已标为典型经验：“%(title)s”。") % {"title": form.cleaned_data["title"]})
            plan = report.assignment.task.plan
            return redirect(reverse("assessment:practices") + f"?plan={plan.pk}&period={report.period_id}")
    if request.method == "POST":
        messages.error(request, _("没有保存：请按红字提示修改。您填写的内容仍在下面。"))
    return render(
        request,
        "assessment/practice_mark.html",
        {"report": report, "plan": report.assignment.task.plan, "form": form,
         "marked": list(report.good_practices.all())},
    )


@require_POST
def practice_delete(request, pk):
    _require_coordinator(request.user, _("只有统筹人员可以取消典型经验。"))
    item = get_object_or_404(GoodPractice.objects.select_related("report__assignment__task"), pk=pk)
    plan = access.get_plan_for_user(request.user, item.report.assignment.task.plan_id)
    period = item.report.period_id
    practice.unmark(item, request.user)
    messages.success(request, _("已取消这条典型经验。"))
    return redirect(reverse("assessment:practices") + f"?plan={plan.pk}&period={period}")


# --- 通报 -------------------------------------------------------------------------------------------------


def _circular_to_read(request, pk, period_pk):
    """Coordinators and leaders read drafts; units read a published circular of a plan they see."""
    plan = access.get_plan_for_user(request.user, pk)
    period = access.get_period_for_plan(plan, period_pk)
    found = Circular.objects.filter(plan=plan, period=period).first()
    roles = roles_for(request.user)
    if not roles.sees_everything and (found is None or found.published_at is None):
        raise Http404(_("没有找到这份通报。"))
    return plan, period, found


def circular_list(request):
    """The circulars of a plan, period by period: drafted or not, published or not."""
    access.require_reader(request.user, _("只有统筹人员和领导可以查看通报草稿。"))
    plans = _live_plans(request.user)
    plan, periods, _period = _plan_and_period(request, plans)
    by_period = {c.period_id: c for c in Circular.objects.filter(plan=plan)}
    return render(
        request,
        "assessment/circular_list.html",
        {"plans": plans, "plan": plan,
         "rows": [(p, by_period.get(p.pk)) for p in periods],
         "can_manage": roles_for(request.user).is_coordinator},
    )


def circular(request, pk, period_pk):
    plan, period, found = _circular_to_read(request, pk, period_pk)
    return render(
        request,
        "assessment/circular.html",
        {"plan": plan, "period": period, "circular": found,
         "headings": circulars.headings(),
         "parts": [(heading, getattr(found, name)) for name, heading in circulars.headings().items()] if found else [],
         "placeholders": circulars.placeholders(found) if found else [],
         "can_manage": roles_for(request.user).is_coordinator},
    )


@require_POST
def circular_generate(request, pk, period_pk):
    _require_coordinator(request.user, _("只有统筹人员可以起草通报。"))
    plan = access.get_plan_for_user(request.user, pk)
    period = access.get_period_for_plan(plan, period_pk)
    circulars.generate(plan, period, request.user)
    messages.success(request, _("已根据数据生成通报草稿：黄色标出的【待补充】处请补写。"))
    return redirect("assessment:circular", plan.pk, period.pk)


@require_http_methods(["GET", "POST"])
def circular_edit(request, pk, period_pk):
    _require_coordinator(request.user, _("只有统筹人员可以修改通报。"))
    plan = access.get_plan_for_user(request.user, pk)
    period = access.get_period_for_plan(plan, period_pk)
    found = Circular.objects.filter(plan=plan, period=period).first()
    if found is None:
        messages.error(request, _("这个报送期还没有通报草稿：请先点“生成草稿”。"))
        return redirect("assessment:circular", plan.pk, period.pk)
    conflict = None
    if request.method == "POST":
        form = CircularForm(request.POST, instance=Circular(plan=plan, period=period))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in circulars.EDITABLE}
            try:
                circulars.save(found, data, form.cleaned_data["version"], request.user)
            except circulars.StaleCircular as error:
                conflict = error.current
                messages.error(request, str(error))
                posted = request.POST.copy()
                posted["version"] = conflict.version
                form = CircularForm(posted, instance=Circular(plan=plan, period=period))
            else:
                messages.success(request, _("已保存通报。"))
                return redirect("assessment:circular", plan.pk, period.pk)
        else:
            messages.error(request, _("没有保存：请按红字提示修改。您填写的内容仍在下面。"))
    else:
        form = CircularForm(instance=found, initial={"version": found.version})
    return render(
        request,
        "assessment/circular_edit.html",
        {"plan": plan, "period": period, "circular": found, "form": form,
         "conflict": conflict, "practices": practice.practices(plan, period)},
    )


@require_POST
def circular_publish(request, pk, period_pk):
    _require_coordinator(request.user, _("只有统筹人员可以发布通报。"))
    plan = access.get_plan_for_user(request.user, pk)
    period = access.get_period_for_plan(plan, period_pk)
    found = get_object_or_404(Circular, plan=plan, period=period)
    publish = request.POST.get("publish") == "1"
    circulars.set_published(found, request.user, publish)
    messages.success(request, _("已发布：各单位在首页可以看到这份通报。") if publish else _("已撤回发布。"))
    return redirect("assessment:circular", plan.pk, period.pk)


def circular_docx(request, pk, period_pk):
    plan, period, found = _circular_to_read(request, pk, period_pk)
    if found is None:
        raise Http404(_("这个报送期还没有通报草稿。"))
    found.plan, found.period = plan, period
    buffer = io.BytesIO()
    write_docx(circulars.document(found), buffer)
    buffer.seek(0)
    name = circulars.filename(found)
    audit.record("export", found, changes={_("文件"): name}, request=request)
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=DOCX)

