"""Leaders' dashboards: the overview, units compared, the task × unit matrix, the drill-down list, the
public page and the Excel exports. Coordinators and leaders read them; the public page is for everyone once the
coordinator switches it on, and shows aggregate progress only."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

import audit
from tasks import access
from tasks.models import ProgressReport, WorkPlan
from tasks.periods import chosen_period
from tasks.selectors import settled
from tasks.status import Light, today
from tasks.workdays import WorkCalendar
from units.models import Unit
from units.roles import roles_for

from . import charts, excel, metrics
from .matrix import Cells

State = ProgressReport.State
PAGE_SIZE = 100

# Drill-down: what a number on a page counts, as a filter on the assignments with their light (see metrics.counters).
DRILL_DOWN_COUNTS = {
    "reported": (lambda period: Q(state__in=metrics.REPORTED), gettext_lazy("本期已报送")),
    "not_reported": (
        lambda period: Q(state__isnull=True) | Q(state__in=[State.DRAFT, State.RETURNED]),
        gettext_lazy("本期未报送"),
    ),
    "on_time": (metrics.on_time, gettext_lazy("按时报送")),
    "accepted": (lambda period: Q(state=State.ACCEPTED), gettext_lazy("已审核通过")),
    "returned": (lambda period: Q(state=State.RETURNED), gettext_lazy("被退回")),
}


UNIT_COLUMNS = [
    ("name", gettext_lazy("单位")),
    ("kind", gettext_lazy("类别")),
    ("assignments", gettext_lazy("分工数")),
    ("reported", gettext_lazy("已报送")),
    ("on_time", gettext_lazy("按时报送")),
    ("overdue", gettext_lazy("逾期")),
    ("due_soon", gettext_lazy("即将到期")),
    ("returned", gettext_lazy("被退回")),
    ("last", gettext_lazy("最近报送")),
]


def require_reader(user):
    access.require_reader(user, _("只有统筹人员和领导可以查看领导驾驶舱。"))


def plan_and_period(request, pk):
    """The plan (through tasks.access), the chosen period (?period=, else the one current on the day the pages
    judge on), and all periods; the day is set on the request (`request.as_of`, see `as_of_for`)."""
    require_reader(request.user)
    plan = access.get_plan_for_user(request.user, pk)
    periods = list(plan.periods.order_by("due_on", "pk"))
    request.as_of = as_of_for(request, plan, periods)
    return plan, chosen_period(periods, request.GET.get("period", ""), request.as_of.on), periods


@dataclass(frozen=True)
class AsOf:
    """The day a dashboard judges on (截至): the plan's own (`WorkPlan.as_of`), or one a reader asked for."""

    on: datetime.date
    plan_on: datetime.date  # the plan's own day: its closing date, its year's end, or today
    asked: bool = False  # ?as_of= chosen by the reader
    error: str = ""

    @property
    def is_today(self):
        return not self.asked and self.on == today()

    def query(self, period):
        """The query string that keeps the period and the chosen day on every link of the pages."""
        if period is None:
            return f"as_of={self.on.isoformat()}" if self.asked else ""
        return f"period={period.pk}&as_of={self.on.isoformat()}" if self.asked else f"period={period.pk}"


def as_of_for(request, plan, periods):
    """?as_of=YYYY-MM-DD: how things stood at the end of that day; from 1 January of the plan's year to the
    plan's own day (a closed plan is judged at its close, nothing is judged in the future). The day is
    `selectors.settled`: read from the reports as they are when none changed after it."""
    plan_on = plan.as_of(periods)
    wanted = request.GET.get("as_of", "").strip()
    day, error = plan_on, ""
    if wanted:
        try:
            day = datetime.date.fromisoformat(wanted)
        except ValueError:
            day, error = plan_on, _("“%(value)s”不是有效的日期，请按 年-月-日 填写，如 2022-06-30。") % {
                "value": wanted[:20]
            }
        first = datetime.date(plan.year, 1, 1)
        if not error and not first <= day <= plan_on:
            day, error = plan_on, _("请选择 %(first)s 至 %(last)s 之间的日期。") % {
                "first": first.isoformat(),
                "last": plan_on.isoformat(),
            }
    return AsOf(settled(plan, day), plan_on, asked=day != plan_on, error=error)


def context_for(request, plan, period, periods, tab):
    as_of = request.as_of
    if as_of.error:
        messages.error(request, as_of.error)
    return {
        "plan": plan,
        "period": period,
        "periods": periods,
        "as_of": as_of,
        "on": as_of.on,
        "period_query": as_of.query(period),
        "tab": tab,
        "unit_kinds": Unit.Kind.choices,
        "kind": request.GET.get("kind", ""),
        "can_manage": roles_for(request.user).is_coordinator,
    }


def redirect_to_default(request, name):
    require_reader(request.user)
    plan = access.current_plan(request.user)
    if plan is None:
        messages.info(request, _("还没有工作计划，请先导入年度工作计划。"))
        return redirect("home")
    return redirect(name, pk=plan.pk)


@require_GET
def dashboard(request, pk=None):
    """总览: completion, a bar per section, the lights, who is late, the trend."""
    if pk is None:
        return redirect_to_default(request, "dashboards:dashboard")
    plan, period, periods = plan_and_period(request, pk)
    context = context_for(request, plan, period, periods, "overview")
    if period is not None:
        list_url = reverse("dashboards:dashboard_list", args=[plan.pk])
        query = context["period_query"]
        overview, figures = overview_figures(
            plan, period, f"{list_url}?{query}&what=reported&section=", request.as_of.on
        )
        totals, task_lines = figures["totals"], figures["task_lines"]
        context |= figures | {
            "task_lights": light_counts([line.light for line in task_lines]),
            "attention": [
                (_("逾期"), Light.OVERDUE, overview.attention(Light.OVERDUE), totals.overdue),
                (_("即将到期"), Light.DUE_SOON, overview.attention(Light.DUE_SOON), totals.due_soon),
            ],
            "light_chart": charts.light_strip(
                [
                    charts.Segment(
                        light,
                        Light(light).label,
                        totals.lights[light],
                        f"{list_url}?{query}&light={light}",
                    )
                    for light in metrics.LIGHTS
                ],
                caption=_("各项分工状态"),
            ),
            "trend_chart": charts.trend_chart(
                overview.trend(),
                starts_on=period.starts_on,
                ends_on=period.ends_on,
                due_on=period.due_on,
                expected=totals.assignments,
                today=overview.on,
                caption=_("本期报送进度"),
            ),
        }
        context["percent"] = {
            "tasks_done": metrics.percent(figures["tasks_done"], len(task_lines)),
            "reported": metrics.percent(totals.reported, totals.assignments),
            "on_time": metrics.percent(totals.on_time, totals.assignments),
            "accepted": metrics.percent(totals.accepted, totals.assignments),
        }
    return render(request, "dashboards/overview.html", context)


def overview_figures(plan, period, section_link="", on=None):
    """(the Overview as of `on`, the figures the dashboard and the public page share); a section's bar leads to
    `section_link` + its pk (no link on the public page)."""
    overview = metrics.Overview(plan, period, WorkCalendar.load(), on)
    task_lines = overview.task_lines()
    totals = overview.totals(task_lines)
    sections = overview.section_lines(task_lines)
    bars = [
        charts.Bar(
            str(line.section),
            line.figures.reported,
            line.figures.assignments,
            f"{section_link}{line.section.pk}" if section_link else "",
        )
        for line in sections
    ]
    return overview, {
        "on": overview.on,
        "totals": totals,
        "task_lines": task_lines,
        "tasks_total": len(task_lines),
        "tasks_done": sum(1 for line in task_lines if line.light == Light.DONE),
        "sections": sections,
        "section_chart": charts.progress_bars(bars, caption=_("各部分本期报送情况")),
    }


def light_counts(lights):
    counts = {light: 0 for light in metrics.LIGHTS}
    for light in lights:
        counts[light] = counts.get(light, 0) + 1
    return counts


def unit_kind(request):
    """The unit kind asked for, when it is one (anything else, a NUL even, is no filter)."""
    kind = request.GET.get("kind", "")
    return kind if kind in Unit.Kind.values else ""


def unit_table(request, plan, period):
    sort = request.GET.get("sort", metrics.DEFAULT_UNIT_SORT)
    if sort not in metrics.UNIT_SORTS:
        sort = metrics.DEFAULT_UNIT_SORT
    on = request.as_of.on
    assignments = metrics.plan_assignments_with_light(plan, period, WorkCalendar.load(), on)
    return sort, metrics.unit_lines(plan, assignments, period, unit_kind(request), sort, on)


@require_GET
def units(request, pk):
    """单位对比: every unit with its counts, filterable by kind, sortable; laggards first by default."""
    plan, period, periods = plan_and_period(request, pk)
    context = context_for(request, plan, period, periods, "units")
    if period is not None:
        sort, lines = unit_table(request, plan, period)
        base = f"{reverse('dashboards:dashboard_list', args=[plan.pk])}?{context['period_query']}&unit="
        kinds = dict(Unit.Kind.choices)
        for line in lines:  # links and words made once per row, not per cell in the template
            line.link = f"{base}{line.unit.pk}"
            line.kind_label = kinds.get(line.unit.kind, "")
        context |= {"lines": lines, "sort": sort, "sorts": metrics.UNIT_SORTS, "columns": UNIT_COLUMNS}
    return render(request, "dashboards/units.html", context)


@require_GET
def units_xlsx(request, pk):
    plan, period, _periods = plan_and_period(request, pk)
    if period is None:
        raise Http404(_("这个计划还没有报送期。"))
    _sort, lines = unit_table(request, plan, period)
    workbook = excel.unit_workbook(plan, period, lines, request.as_of.on)
    filename = excel.filename(plan, period, _("单位对比"))
    audit.record("export", plan, changes={_("文件"): filename, _("报送期"): period.name}, request=request)
    return FileResponse(workbook, as_attachment=True, filename=filename)


def matrix_for(request, plan, period):
    section = None
    if wanted := access.parse_pk(request.GET.get("section")):
        section = plan.sections.filter(pk=wanted).first()
    assignments = metrics.plan_assignments_with_light(plan, period, WorkCalendar.load(), request.as_of.on)
    units, rows = metrics.matrix(plan, assignments, unit_kind(request), section)
    return section, units, rows


def cell_links(period):
    """(report url of a report id, task url of a task id): reversed once, not per cell (2,000 cells a page)."""
    report = reverse("tasks:report_detail", args=[999999999]).replace("999999999", "{}")
    task = reverse("tasks:task_detail", args=[999999999]).replace("999999999", "{}") + f"?period={period.pk}"
    return report.format, task.format


@require_GET
def matrix(request, pk=None):
    """任务矩阵: tasks × units, each cell the light of that assignment, linking to its report."""
    if pk is None:
        return redirect_to_default(request, "dashboards:matrix")
    plan, period, periods = plan_and_period(request, pk)
    context = context_for(request, plan, period, periods, "matrix")
    if period is not None:
        section, units_, rows = matrix_for(request, plan, period)
        cells = Cells(*cell_links(period))
        for row in rows:
            row.html = cells.row(row)
        context |= {
            "units": units_,
            "rows": rows,
            "section": section,
            "sections": list(plan.sections.order_by("number")),
            "legend": [(light, Light(light).label) for light in [*metrics.LIGHTS, Light.NOT_ASSIGNED]],
        }
    return render(request, "dashboards/matrix.html", context)


@require_GET
def matrix_xlsx(request, pk):
    plan, period, _periods = plan_and_period(request, pk)
    if period is None:
        raise Http404(_("这个计划还没有报送期。"))
    _section, units_, rows = matrix_for(request, plan, period)
    workbook = excel.matrix_workbook(plan, period, units_, rows, request.as_of.on)
    filename = excel.filename(plan, period, _("任务矩阵"))
    audit.record("export", plan, changes={_("文件"): filename, _("报送期"): period.name}, request=request)
    return FileResponse(workbook, as_attachment=True, filename=filename)


@require_GET
def drill_down(request, pk):
    """The list behind a number: the assignments of a light, a section, a unit, a kind or a count, each linking to
    its report."""
    plan, period, periods = plan_and_period(request, pk)
    context = context_for(request, plan, period, periods, "list")
    if period is None:
        return render(request, "dashboards/list.html", context)
    assignments = metrics.plan_assignments_with_light(plan, period, WorkCalendar.load(), request.as_of.on)
    condition, described = filter_assignments(request.GET, plan, period)
    page = Paginator(
        assignments.filter(condition)
        .select_related("task", "unit")
        .order_by("task__number", "role", "order", "unit__order", "unit__name"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    report_url, task_url = cell_links(period)
    for assignment in page:
        assignment.task_link = task_url(assignment.task_id)
        assignment.report_link = report_url(assignment.report_id) if assignment.report_id else ""
    query = request.GET.copy()
    query.pop("page", None)
    if not request.as_of.asked:
        query.pop("as_of", None)
    context |= {"page": page, "described": described, "query": query.urlencode()}
    return render(request, "dashboards/list.html", context)


def filter_assignments(params, plan, period):
    """(the filter as a Q over the assignments with their light, the words that describe it) from the drill-down's query
    string; `period` is needed by some counts, so the Q of a count is made by `DRILL_DOWN_COUNTS`."""
    what, described = {}, []
    light = params.get("light", "")
    if light in Light.values:
        what["light"] = light
        described.append(Light(light).label)
    section = access.parse_pk(params.get("section"))
    if section:
        found = plan.sections.filter(pk=section).first()
        if found:
            what["task__section"] = found
            described.append(str(found))
    unit = access.parse_pk(params.get("unit"))
    if unit:
        found = Unit.objects.filter(pk=unit).first()
        if found:
            what["unit"] = found
            described.append(str(found))
    kind = params.get("kind", "")
    if kind in Unit.Kind.values:
        what["unit__kind"] = kind
        described.append(Unit.Kind(kind).label)
    condition = Q(**what)
    count = params.get("what", "")
    if count in DRILL_DOWN_COUNTS:
        make, label = DRILL_DOWN_COUNTS[count]
        condition &= make(period)
        described.append(str(label))
    return condition, described


@require_POST
def public_switch(request, pk):
    """The coordinator switches the plan's public page on or off."""
    if not access.can_manage_plans(request.user):
        raise PermissionDenied(_("只有统筹人员可以开启或关闭公开页面。"))
    plan = access.get_plan_for_user(request.user, pk)
    switch_on = request.POST.get("public") == "on"
    if switch_on and not plan.public_dashboard and request.POST.get("confirmed") != "on":
        # switching on publishes figures to anyone: the coordinator ticks "我已核对……" (checked here, not in JS)
        messages.error(request, _("公开页面没有开启：请先勾选“我已核对公开内容”，确认后再开启。"))
        return redirect("dashboards:dashboard", pk=plan.pk)
    plan.public_dashboard = switch_on
    plan.save(update_fields=["public_dashboard"])
    if plan.public_dashboard:
        messages.success(
            request, _("已开启公开页面：任何人都可以查看本计划的总体进展（不含报告内容和人员姓名）。")
        )
    else:
        messages.success(request, _("已关闭公开页面。"))
    return redirect("dashboards:dashboard", pk=plan.pk)


@login_not_required
@require_GET
def public(request, pk):
    """The public page: aggregate progress of a published plan whose coordinator switched it on."""
    plan = get_object_or_404(
        WorkPlan.objects.filter(status__in=access.PUBLISHED, public_dashboard=True), pk=pk
    )
    periods = list(plan.periods.order_by("due_on", "pk"))
    on = settled(plan, plan.as_of(periods))  # the public page shows the plan's own day: today, or its close
    period = chosen_period(periods, request.GET.get("period", ""), on)
    context = {"plan": plan, "period": period, "periods": periods, "on": on, "closed": on < today()}
    if period is not None:
        _overview, figures = overview_figures(plan, period, on=on)
        totals = figures["totals"]
        context |= figures | {"reported_percent": metrics.percent(totals.reported, totals.assignments)}
    return render(request, "dashboards/public.html", context)
