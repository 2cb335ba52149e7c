"""Measuring the pages (`manage.py bench`): server time, SQL queries and SQL time, page by page.

Every case is one line of `CASES`: a page (a URL opened through django.test.Client as a given role) or a
call (a function run in-process). For each case:

- one warm-up run, which must answer 200 (its time is not counted);
- `repeat` timed runs without query capture → median and p95 (nearest rank) of the wall time, in ms;
- one more run inside `CaptureQueriesContext` → the number of queries;
- the captured SELECTs re-executed `repeat` times on a plain cursor, rows fetched → the median of the
  summed time = `sql_ms`, the part of the server time spent in the database (writes are not replayed).

The data is a generated dataset (`tooling.datagen`); when the database has none for the scale and seed,
it is generated first.
"""

import io
import math
import statistics
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from annual import assembly
from annual.docx import write_docx
from annual.ledger import write_ledger
from annual.models import AnnualReport
from assessment import circular
from assessment.models import Circular
from importing.parser import parse_notice
from importing.service import notice_as_json
from tasks.models import Assignment, ProgressReport, ReportingPeriod, Task, WorkPlan
from tooling import datagen
from units.models import Membership, Unit, User

NOTICE = settings.BASE_DIR / "fixtures" / "plan_2022_notice.txt"


class BenchError(Exception):
    """A case could not be measured (a page did not answer 200); the message is Chinese."""


@dataclass
class Context:
    """What the cases open: the dataset's main plan, its busiest task, and a user per role."""

    plan: WorkPlan
    task: Task
    users: dict  # role → User: coordinator, leader, reporter (of the unit leading most tasks)
    notice_text: str
    period: Any = None  # the plan's period with the most reports
    report: Any = None  # a report on the busiest task in that period
    assignment: Any = None  # the reporter's lead assignment with the most units beside it


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    role: str = ""  # key of Context.users; pages only
    url: Any = None  # Context → path (a page)
    call: Any = None  # Context → anything (a function measured in-process)


def page(name, label, role, url):
    return Case(name, label, role=role, url=url)


def call(name, label, function):
    return Case(name, label, call=function)


def assemble_and_export(ctx):
    """The year-end report in one go: assemble (or re-assemble) the plan's draft from the full-year period's
    accepted reports, then write the Word file — what the coordinator's one click does."""
    assembly.assemble(ctx.plan, user=None)
    buffer = io.BytesIO()
    write_docx(assembly.document_for(AnnualReport.objects.get(plan=ctx.plan)), buffer)
    return buffer


def export_ledger(ctx):
    buffer = io.BytesIO()
    write_ledger(ctx.plan, buffer)
    return buffer


def import_dry_run(ctx):
    """What `import_plan --dry-run --json` does: parse the demo notice, resolve its names."""
    return notice_as_json(parse_notice(ctx.notice_text))


# One line per page. Later pages (dashboards, matrix, annual report, ledger export) go here.
CASES = [
    page("home", "首页（统筹）", "coordinator", lambda c: reverse("home")),
    page("home_reporter", "首页（联络员）", "reporter", lambda c: reverse("home")),
    page("my_tasks", "我的任务", "reporter", lambda c: reverse("tasks:my_tasks")),
    page("plan_list", "计划列表", "coordinator", lambda c: reverse("tasks:plan_list")),
    page("plan_detail", "计划页", "coordinator", lambda c: reverse("tasks:plan_detail", args=[c.plan.pk])),
    page("task_list", "任务列表", "coordinator", lambda c: reverse("tasks:task_list", args=[c.plan.pk])),
    page(
        "task_list_county",
        "任务列表（县级政府筛选）",
        "leader",
        lambda c: reverse("tasks:task_list", args=[c.plan.pk]) + "?unit_kind=county",
    ),
    page("task_detail", "任务页", "reporter", lambda c: reverse("tasks:task_detail", args=[c.task.pk])),
    page(
        "my_tasks_period",
        "我的任务（指定报送期）",
        "reporter",
        lambda c: reverse("tasks:my_tasks") + f"?period={c.period.pk}",
    ),
    page(
        "report_edit",
        "填写报告",
        "reporter",
        lambda c: reverse("tasks:report_edit", args=[c.assignment.pk, c.period.pk]),
    ),
    page(
        "report_detail",
        "报告页（含修改记录）",
        "coordinator",
        lambda c: reverse("tasks:report_detail", args=[c.report.pk]),
    ),
    page(
        "consolidation",
        "牵头汇总",
        "reporter",
        lambda c: reverse("tasks:consolidation", args=[c.assignment.task_id, c.period.pk]),
    ),
    page(
        "review_queue",
        "审核队列（待审核）",
        "coordinator",
        lambda c: reverse("tasks:review_queue") + f"?plan={c.plan.pk}",
    ),
    page(
        "review_queue_all",
        "审核队列（本期全部）",
        "coordinator",
        lambda c: reverse("tasks:review_queue") + f"?period={c.period.pk}&state=",
    ),
    page(
        "missing_reports",
        "未报送与催办",
        "coordinator",
        lambda c: reverse("tasks:missing_reports") + f"?period={c.period.pk}",
    ),
    page("period_list", "报送期", "coordinator", lambda c: reverse("tasks:period_list", args=[c.plan.pk])),
    page("dashboard", "领导驾驶舱（总览）", "leader", lambda c: dashboard_url("dashboards:dashboard", c)),
    page("dashboard_units", "单位对比", "leader", lambda c: dashboard_url("dashboards:dashboard_units", c)),
    page("matrix", "任务矩阵", "leader", lambda c: dashboard_url("dashboards:matrix", c)),
    page(
        "dashboard_list",
        "驾驶舱明细（逾期）",
        "leader",
        lambda c: dashboard_url("dashboards:dashboard_list", c) + "&light=overdue",
    ),
    page("dashboard_units_xlsx", "单位对比导出 Excel", "leader", lambda c: dashboard_url("dashboards:dashboard_units_xlsx", c)),
    page("matrix_xlsx", "任务矩阵导出 Excel", "leader", lambda c: dashboard_url("dashboards:matrix_xlsx", c)),
    page("annual_report", "年度报告草稿页", "coordinator", lambda c: annual_url("annual:annual_report", c)),
    page("annual_docx", "年度报告导出 Word", "leader", lambda c: annual_url("annual:annual_docx", c)),
    page("ledger", "台账导出 Excel", "leader", lambda c: annual_url("annual:ledger", c)),
    page("ranking", "考核排名（报送期）", "leader", lambda c: reverse("assessment:ranking") + f"?plan={c.plan.pk}&period={c.period.pk}"),
    page("ranking_year", "考核排名（全年）", "coordinator", lambda c: reverse("assessment:ranking") + f"?plan={c.plan.pk}"),
    page("ranking_reporter", "考核得分（联络员）", "reporter", lambda c: reverse("assessment:ranking") + f"?plan={c.plan.pk}"),
    page("circular_docx", "通报导出 Word", "leader", lambda c: circular_url("assessment:circular_docx", c)),
    call("annual_assemble_export", "年度报告汇编并导出（全年）", assemble_and_export),
    call("ledger_export", "台账导出（全部报送期）", export_ledger),
    call("import_dry_run", "导入预览（解析通知）", import_dry_run),
]


def annual_url(name, ctx):
    """The year-end report's pages need a draft: assemble it once (not measured) before the first request."""
    if not AnnualReport.objects.filter(plan=ctx.plan).exists():
        assembly.assemble(ctx.plan, user=None)
    return reverse(name, args=[ctx.plan.pk])


def circular_url(name, ctx):
    """The circular's pages need a draft: generate it once (not measured) before the first request."""
    if not Circular.objects.filter(plan=ctx.plan, period=ctx.period).exists():
        circular.generate(ctx.plan, ctx.period, ctx.users["coordinator"])
    return reverse(name, args=[ctx.plan.pk, ctx.period.pk])


def dashboard_url(name, ctx):
    return reverse(name, args=[ctx.plan.pk]) + f"?period={ctx.period.pk}"


def context_for(data):
    plan = WorkPlan.objects.get(doc_number=data.main_doc_number)
    task = Task.objects.filter(plan=plan).annotate(n=Count("assignments")).order_by("-n", "number").first()
    busiest = (
        Assignment.objects.filter(task__plan=plan, role=Assignment.Role.LEAD)
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit")
        .first()
    )
    reporter = (
        Membership.objects.filter(unit_id=busiest["unit"], role=Membership.Role.REPORTER)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )
    users = {
        "coordinator": User.objects.get(username=data.coordinator_username),
        "leader": User.objects.get(username=data.leader_username),
        "reporter": reporter,
    }
    period = (
        ReportingPeriod.objects.filter(plan=plan)
        .annotate(n=Count("reports"))
        .order_by("-n", "due_on")
        .first()
    )
    report = ProgressReport.objects.filter(assignment__task=task, period=period).order_by("pk").first()
    assignment = (
        Assignment.objects.filter(task__plan=plan, unit_id=busiest["unit"], role=Assignment.Role.LEAD)
        .annotate(n=Count("task__assignments"))
        .order_by("-n", "task__number")
        .select_related("task")
        .first()
    )
    return Context(
        plan=plan,
        task=task,
        users=users,
        notice_text=NOTICE.read_text(encoding="utf-8"),
        period=period,
        report=report,
        assignment=assignment,
    )


def counts():
    return {
        "units": Unit.objects.count(),
        "plans": WorkPlan.objects.count(),
        "tasks": Task.objects.count(),
        "assignments": Assignment.objects.count(),
        "reports": ProgressReport.objects.count(),
    }


def plan_counts(plan):
    """The size of the plan the pages show."""
    return {
        "doc_number": plan.doc_number,
        "tasks": plan.tasks.count(),
        "assignments": Assignment.objects.filter(task__plan=plan).count(),
        "reports": ProgressReport.objects.filter(period__plan=plan).count(),
    }


def percentile(values, fraction):
    """Nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def replay(queries):
    """Seconds to run the captured SELECTs again, fetching every row."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql)
            cursor.fetchall()
    return time.perf_counter() - started


def _runner(case, ctx, clients):
    if case.call is not None:
        return lambda: case.call(ctx)
    client, path = clients[case.role], case.url(ctx)

    def run():
        response = client.get(path)
        if response.status_code != 200:
            raise BenchError(f"{case.label}（{path}）返回 {response.status_code}，无法测量。")
        if response.streaming:  # a download: the file is made while it is read
            b"".join(response.streaming_content)
        return response

    return run


def chosen_cases(only):
    """The cases named in `only` ("dashboard,matrix"), or all of them."""
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = sorted(set(names) - {case.name for case in CASES})
    if unknown:
        raise BenchError(
            f"没有这些页面：{'、'.join(unknown)}。可选：{'、'.join(case.name for case in CASES)}"
        )
    return [case for case in CASES if case.name in names] or None


def measure(case, ctx, clients, repeat):
    run = _runner(case, ctx, clients)
    run()  # warm-up: templates compiled, caches filled
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        run()
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    sql_ms = statistics.median(replay(selects) for _ in range(repeat)) * 1000
    return {
        "name": case.name,
        "label": case.label,
        "url": case.url(ctx) if case.url else "",
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "queries": len(captured.captured_queries),
        "sql_ms": round(sql_ms, 2),
    }


def ensure_dataset(scale, seed=datagen.DEFAULT_SEED, size=1.0):
    """The dataset (scale, seed), generated first if this database has none. Returns (Dataset, generated)."""
    data = datagen.dataset(scale, seed, size)
    if datagen.is_generated(data):
        return data, None
    data, generated, seconds = datagen.generate(scale, seed=seed, size=size)
    return data, datagen.summary(data, generated, seconds)


def run(scale="city", seed=datagen.DEFAULT_SEED, repeat=20, size=1.0, cases=None):
    """Measure every case on the dataset (scale, seed); returns the JSON-able result."""
    if repeat < 1:
        raise BenchError("--repeat 至少为 1。")
    data, generated = ensure_dataset(scale, seed, size)
    ctx = context_for(data)
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts, DEBUG=False):
        clients = {}
        for role, user in ctx.users.items():
            clients[role] = Client()
            clients[role].force_login(user)
        try:
            pages = [measure(case, ctx, clients, repeat) for case in (cases or CASES)]
        finally:
            for client in clients.values():
                client.logout()
    return {
        "scale": scale,
        "seed": seed,
        "database": connection.vendor,
        "repeat": repeat,
        "plan": plan_counts(ctx.plan),
        "generated": generated,
        "pages": pages,
        "counts": counts(),
    }


def table(result):
    """The result as a plain-text table (Chinese headers), for the terminal."""
    headers = ["页面", "名称", "中位数 ms", "p95 ms", "查询数", "SQL ms"]
    rows = [
        [
            p["label"],
            p["name"],
            f"{p['median_ms']:.1f}",
            f"{p['p95_ms']:.1f}",
            str(p["queries"]),
            f"{p['sql_ms']:.1f}",
        ]
        for p in result["pages"]
    ]

    def width(text):
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    widths = [max(width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - width(cell))
            out.append(cell + pad if i < 2 else pad + cell)
        return "  ".join(out).rstrip()

    c, plan = result["counts"], result["plan"]
    head = (
        f"规模 {result['scale']}（种子 {result['seed']}）· 数据库 {result['database']} · 每页测 {result['repeat']} 次\n"
        f"所测计划 {plan['doc_number']}：{plan['tasks']} 项任务、{plan['assignments']:,} 条分工、"
        f"{plan['reports']:,} 份报告\n"
        f"全库：{c['units']:,} 个单位、{c['plans']:,} 个计划、{c['tasks']:,} 项任务、"
        f"{c['assignments']:,} 条分工、{c['reports']:,} 份报告"
    )
    return "\n".join([head, "", line(headers), line(["-" * w for w in widths]), *map(line, rows)])
