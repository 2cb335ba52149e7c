"""The load test (`manage.py loadtest`): the product under gunicorn, driven over HTTP, then proof that nothing was lost.

What it does, in order:

1. Makes sure the city dataset of `generate_data` is in the database (generates it if not) and opens fresh
   reporting periods on its plan (4 by default), so every report of the run is new and belongs to the run
   alone, and a reporter has enough to do: each unit's assignments, period after period.
2. Starts gunicorn with several workers on 127.0.0.1 (never another address) against the same database.
3. Logs in, through the real log-in page, one reporter for each of N units and one or more coordinators
   (not counted in the figures).
4. For a bounded time and number of requests, the reporters work through their unit's assignments as a person
   would — 我的任务, open the form, save a draft, open it again, save and submit — and the coordinators work
   the review queue — open the queue, open a submitted report, accept it or (every k-th) return it, after which
   its reporter edits and submits it again. Every POST is followed to the page it redirects to, as a browser
   does, and counts as acknowledged only when that page shows the success message (the save message carries the
   new version number).
5. Stops gunicorn and checks the database against what the clients were told (`verify`): every acknowledged save
   is in the history exactly once, at the version it was acknowledged with; each report ends with the text of
   its last acknowledged save; versions rise with every event and end at the report's version; every
   acknowledged submit, accept and return has its `ReportEvent`, and nothing happened that was not asked.

The figures: requests, throughput, p50/p95/p99 latency (as the client sees it, loopback), errors.
"""

import dataclasses
import datetime
import http.client
import os
import queue
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.db import connection
from django.urls import reverse

from tasks.models import Assignment, ProgressReport, ReportEvent, ReportingPeriod, WorkPlan
from units.models import Membership

from . import benchmarking, datagen

HOST = "127.0.0.1"  # loopback only: the load test never drives anything but the server it started itself
MAX_DURATION = 600
MAX_REQUESTS = 200_000
PERIOD_PREFIX = "压力测试"

SAVED = re.compile(r"已保存草稿（第 (\d+) 版）")
VERSION = re.compile(r'name="version" value="(\d+)"')
SUBMITTED = "报告已报送"
ACCEPTED = "已审核通过。"
RETURNED = "已退回"


class LoadTestError(Exception):
    """The load test cannot start: what was wrong and what to do, in Chinese."""


@dataclasses.dataclass
class Options:
    duration: float = 60.0
    max_requests: int = 50_000
    reporters: int = 12
    coordinators: int = 2
    workers: int = 5
    seed: int = datagen.DEFAULT_SEED
    size: float = 1.0
    return_every: int = 5  # the coordinator returns every k-th report it reviews
    body_chars: int = 600
    periods: int = 4  # fresh periods opened for the run; the reporters work through them in turn


# --- what the clients were told --------------------------------------------------------------------


@dataclasses.dataclass
class Ledger:
    """Everything the server acknowledged, as the clients saw it. Appends are thread-safe (the GIL)."""

    saves: list = dataclasses.field(default_factory=list)  # (assignment_id, period_id, marker, version)
    transitions: list = dataclasses.field(default_factory=list)  # (report_id, action)
    unacknowledged: list = dataclasses.field(default_factory=list)  # (what, detail)


class Stats:
    def __init__(self):
        self.samples = []  # (kind, ms)
        self.errors = Counter()
        self.lock = threading.Lock()
        self.requests = 0

    def add(self, kind, ms, ok, detail=""):
        with self.lock:
            self.samples.append((kind, ms))
            self.requests += 1
            if not ok:
                self.errors[detail or kind] += 1


# --- HTTP --------------------------------------------------------------------------------------------


class Browser:
    """One person's browser: cookies, CSRF token, one request at a time (gunicorn's sync workers close each
    connection, as a browser behind a proxy would see)."""

    def __init__(self, port, stats):
        self.port = port
        self.stats = stats
        self.cookies = {}

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, path, data=None, kind=None, expect=(200,)):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        headers = {"Host": HOST, "Accept-Language": "zh-hans", "Cookie": self._cookie_header()}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            conn.close()
        except (OSError, http.client.HTTPException) as error:
            self.stats.add(
                kind or method, (time.perf_counter() - started) * 1000, False, type(error).__name__
            )
            return None, "", ""
        ms = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        ok = response.status in expect
        self.stats.add(kind or method, ms, ok, f"{kind or method} → HTTP {response.status}")
        return response.status, response.getheader("Location") or "", content.decode("utf-8", "replace")

    def get(self, path, kind):
        return self.request("GET", path, kind=kind)

    def post(self, path, data, kind):
        data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.request("POST", path, data, kind=kind, expect=(302,))

    def follow(self, location, kind):
        parts = urlsplit(location)
        return self.get(f"{parts.path}?{parts.query}" if parts.query else parts.path, kind)

    def log_in(self, username, password):
        """Through the real log-in page; not counted in the figures."""
        status, _location, _html = self.request("GET", reverse("login"), kind="login")
        status, location, _html = self.request(
            "POST",
            reverse("login"),
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
            kind="login",
            expect=(302,),
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise LoadTestError(f"账号 {username} 无法登录（HTTP {status}），请检查生成数据的密码。")


def logged_in(port, username, stats):
    """A browser logged in as `username` (the log-in itself not counted), then counting into `stats`."""
    browser = Browser(port, Stats())
    browser.log_in(username, datagen.PASSWORD)
    browser.stats = stats
    return browser


# --- the people --------------------------------------------------------------------------------------


class Shared:
    """What the reporters and coordinators hand each other."""

    def __init__(self):
        self.to_review = queue.Queue()  # report ids submitted and acknowledged
        self.returned = defaultdict(deque)  # reporter index → (period, assignment id) returned to them
        self.stop = threading.Event()


def filler(rng, length):
    phrases = datagen.PHRASES
    text = ""
    while len(text) < length:
        text += rng.choice(phrases) + "。"
    return text[:length]


def reporter_loop(index, browser, assignment_ids, periods, shared, ledger, options):
    rng = random.Random(f"loadtest:{options.seed}:{index}")
    todo = deque((period, assignment_id) for period in periods for assignment_id in assignment_ids)
    step = 0
    while not shared.stop.is_set():
        if shared.returned[index]:
            period, assignment_id = shared.returned[index].popleft()
        elif todo:
            period, assignment_id = todo.popleft()
        else:  # all done: keep reading 我的任务 as a person checking on their reports would
            browser.get(f"{reverse('tasks:my_tasks')}?period={periods[-1].pk}", "我的任务")
            continue
        edit = reverse("tasks:report_edit", args=[assignment_id, period.pk])
        browser.get(f"{reverse('tasks:my_tasks')}?period={period.pk}", "我的任务")
        if shared.stop.is_set():
            return
        status, _, html = browser.get(edit, "填写页")
        match = VERSION.search(html or "")
        if not match:
            ledger.unacknowledged.append(("form", edit))
            continue
        version = int(match.group(1))
        for intent in ("save", "submit"):
            step += 1
            marker = f"LT{options.seed}-{index}-{step}"
            data = {
                "version": version,
                "progress": rng.choice(["on_track", "behind", "done"]),
                "body": f"{marker} {filler(rng, options.body_chars)}",
                "problems": filler(rng, 60),
                "next_steps": filler(rng, 60),
                "intent": intent,
            }
            status, location, _ = browser.post(edit, data, "保存" if intent == "save" else "保存并报送")
            if status != 302:
                ledger.unacknowledged.append((intent, marker))
                break
            status, _, html = browser.follow(location, "保存后页面")
            if intent == "save":
                saved = SAVED.search(html or "")
                if not saved:
                    ledger.unacknowledged.append((intent, marker))
                    break
                version = int(saved.group(1))
                ledger.saves.append((assignment_id, period.pk, marker, version))
                if shared.stop.is_set():
                    return
            else:
                report_id = _report_id(location)
                if SUBMITTED not in (html or "") or report_id is None:
                    ledger.unacknowledged.append((intent, marker))
                    break
                # a save and submit: the save's version is the one before the submit's
                ledger.saves.append((assignment_id, period.pk, marker, None))
                ledger.transitions.append((report_id, "submit"))
                shared.to_review.put((report_id, index, period, assignment_id))


def _report_id(location):
    match = re.search(r"/reports/(\d+)/", location or "")
    return int(match.group(1)) if match else None


def coordinator_loop(index, browser, periods, shared, ledger, options):
    queue_page = f"{reverse('tasks:review_queue')}?period={periods[0].pk}"
    reviewed = 0
    while not shared.stop.is_set():
        browser.get(queue_page, "审核队列")
        try:
            report_id, owner, period, assignment_id = shared.to_review.get(timeout=0.2)
        except queue.Empty:
            continue
        status, _, html = browser.get(reverse("tasks:report_detail", args=[report_id]), "报告页")
        match = VERSION.search(html or "")
        if not match:
            ledger.unacknowledged.append(("review", report_id))
            continue
        reviewed += 1
        version = match.group(1)
        if options.return_every and reviewed % options.return_every == 0:
            action, url, expect = "return", "tasks:report_return", RETURNED
            data = {"version": version, "note": "压力测试退回：请补充具体数据。"}
        else:
            action, url, expect = "accept", "tasks:report_accept", ACCEPTED
            data = {"version": version, "note": ""}
        status, location, _ = browser.post(
            reverse(url, args=[report_id]), data, "通过" if action == "accept" else "退回"
        )
        if status != 302:
            ledger.unacknowledged.append((action, report_id))
            continue
        status, _, html = browser.follow(location, "审核后页面")
        if expect not in (html or ""):
            ledger.unacknowledged.append((action, report_id))
            continue
        ledger.transitions.append((report_id, action))
        if action == "return":
            shared.returned[owner].append((period, assignment_id))


# --- the server --------------------------------------------------------------------------------------


def database_url():
    """The URL of the database this process uses (the test database inside the test suite)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] or ""
        if db.get("PASSWORD"):
            auth += f":{db['PASSWORD']}"
        host = db.get("HOST") or "127.0.0.1"
        if host.startswith("/"):  # a Unix socket's folder goes in the URL percent-encoded
            host = quote(host, safe="")
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}@{host}{port}/{db['NAME']}"
    name = str(db["NAME"])
    if "memory" in name or name == ":memory:":
        raise LoadTestError(
            "SQLite 内存数据库无法被 gunicorn 进程共享，请用 DATABASE_URL 指定数据库文件或 PostgreSQL。"
        )
    return f"sqlite:///{name}"


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, workers, port):
        self.workers = workers
        self.port = port
        self.process = None

    def start(self):
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise LoadTestError("找不到 gunicorn，请先运行 bin/setup。")
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DEBUG": "0",
            "CONN_MAX_AGE": "60",
            "ALLOWED_HOSTS": HOST,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "planner.settings"),
            "LOG_LEVEL": "ERROR",
        }
        self.process = subprocess.Popen(
            [
                gunicorn,
                "planner.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"{HOST}:{self.port}",
                "--chdir",
                str(settings.BASE_DIR),
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LoadTestError(
                    f"gunicorn 启动失败：{self.process.stderr.read().decode(errors='replace')[-2000:]}"
                )
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", reverse("healthz"), headers={"Host": HOST})
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise LoadTestError("gunicorn 60 秒内没有就绪。")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- set-up ------------------------------------------------------------------------------------------


def open_periods(plan, count=1):
    """Fresh reporting periods for the run: open, due in a month, named after the moment."""
    today = datetime.date.today()
    stamp = datetime.datetime.now().strftime("%m%d%H%M%S")
    return [
        ReportingPeriod.objects.create(
            plan=plan,
            name=f"{PERIOD_PREFIX}{stamp}-{n}",
            starts_on=today - datetime.timedelta(days=30),
            ends_on=today,
            due_on=today + datetime.timedelta(days=30),
        )
        for n in range(1, count + 1)
    ]


def cast(data, options):
    """The units whose reporters take part (the busiest first) with their assignments, and the coordinator."""
    plan = WorkPlan.objects.get(doc_number=data.main_doc_number)
    if plan.status != WorkPlan.Status.ACTIVE:
        raise LoadTestError(f"计划“{plan}”不在执行中，无法报送。")
    by_unit = defaultdict(list)
    for assignment_id, unit_id in (
        Assignment.objects.filter(task__plan=plan).order_by("task__number", "pk").values_list("pk", "unit_id")
    ):
        by_unit[unit_id].append(assignment_id)
    reporters = {
        m.unit_id: m.user.username
        for m in Membership.objects.filter(unit_id__in=by_unit, role=Membership.Role.REPORTER)
        .select_related("user")
        .order_by("-pk")
    }
    units = sorted((u for u in by_unit if u in reporters), key=lambda u: (-len(by_unit[u]), u))[
        : options.reporters
    ]
    if len(units) < options.reporters:
        raise LoadTestError(f"只有 {len(units)} 个单位有联络员，少于要求的 {options.reporters} 个。")
    Assignment.objects.filter(pk__in=[a for u in units for a in by_unit[u]]).update(
        receipt=Assignment.Receipt.CONFIRMED
    )
    return plan, [(reporters[u], by_unit[u]) for u in units]


# --- the run -----------------------------------------------------------------------------------------


def run(options, progress=print):
    if not 0 < options.duration <= MAX_DURATION:
        raise LoadTestError(f"--duration 须在 1–{MAX_DURATION} 秒之间。")
    if not 0 < options.max_requests <= MAX_REQUESTS:
        raise LoadTestError(f"--max-requests 须在 1–{MAX_REQUESTS} 之间。")
    if min(options.reporters, options.coordinators, options.workers, options.periods) < 1:
        raise LoadTestError("联络员、统筹人员、gunicorn 进程数和报送期数都至少为 1。")
    data, generated = benchmarking.ensure_dataset("city", options.seed, options.size)
    if generated:
        progress(generated)
    plan, cast_list = cast(data, options)
    periods = open_periods(plan, options.periods)
    coordinator = data.coordinator_username
    server = Gunicorn(options.workers, free_port())
    progress(f"启动 gunicorn：{options.workers} 个进程，{HOST}:{server.port}，数据库 {connection.vendor}")
    server.start()
    stats, ledger, shared = Stats(), Ledger(), Shared()
    try:
        browsers = [logged_in(server.port, username, stats) for username, _ in cast_list]
        reviewers = [logged_in(server.port, coordinator, stats) for _ in range(options.coordinators)]
        threads = [
            threading.Thread(
                target=reporter_loop, args=(i, b, ids, periods, shared, ledger, options), daemon=True
            )
            for i, (b, (_, ids)) in enumerate(zip(browsers, cast_list, strict=True))
        ] + [
            threading.Thread(
                target=coordinator_loop, args=(i, b, periods, shared, ledger, options), daemon=True
            )
            for i, b in enumerate(reviewers)
        ]
        progress(
            f"开始：{len(browsers)} 名联络员、{len(reviewers)} 名统筹人员，最长 {options.duration:g} 秒或 "
            f"{options.max_requests} 个请求"
        )
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        while time.perf_counter() - started < options.duration and stats.requests < options.max_requests:
            time.sleep(0.05)
        shared.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.perf_counter() - started
    finally:
        shared.stop.set()
        server.stop()
    problems = verify(periods, ledger)
    return summarise(options, stats, ledger, elapsed, periods, problems)


def percentile(values, fraction):
    return benchmarking.percentile(values, fraction) if values else 0.0


def summarise(options, stats, ledger, elapsed, periods, problems):
    times = [ms for _, ms in stats.samples]
    kinds = defaultdict(list)
    for kind, ms in stats.samples:
        kinds[kind].append(ms)
    transitions = Counter(action for _, action in ledger.transitions)
    return {
        "database": connection.vendor,
        "workers": options.workers,
        "reporters": options.reporters,
        "coordinators": options.coordinators,
        "cores": os.cpu_count(),
        "seconds": round(elapsed, 1),
        "requests": stats.requests,
        "throughput": round(stats.requests / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
        "by_kind": {
            kind: {
                "n": len(v),
                "p50_ms": round(statistics.median(v), 1),
                "p95_ms": round(percentile(v, 0.95), 1),
            }
            for kind, v in sorted(kinds.items())
        },
        "acknowledged": {
            "saves": len(ledger.saves),
            "submits": transitions["submit"],
            "accepts": transitions["accept"],
            "returns": transitions["return"],
            "unacknowledged": len(ledger.unacknowledged),
        },
        "periods": [period.name for period in periods],
        "problems": problems,
    }


# --- the proof ---------------------------------------------------------------------------------------


BUMPING = {"create", "edit", "submit", "accept", "return", "approve", "request_approval"}


def verify(periods, ledger):
    """Compare the database with what the clients were told. Returns a list of problems (empty: nothing lost)."""
    problems = []
    reports = {r.pk: r for r in ProgressReport.objects.filter(period__in=periods)}
    by_assignment = {(r.assignment_id, r.period_id): r for r in reports.values()}
    events = defaultdict(list)
    for event in ReportEvent.objects.filter(report__period__in=periods).order_by("report_id", "at", "pk"):
        events[event.report_id].append(event)

    # every acknowledged save: in the history exactly once, at its version; the last one is the report's text
    marker_events = Counter()
    marker_version = {}
    for report_events in events.values():
        for event in report_events:
            body = (event.changes or {}).get("body") or ""
            marker = body.split(" ", 1)[0]
            if marker:
                marker_events[marker] += 1
                marker_version[marker] = event.version
    last_marker = {}
    for assignment_id, period_id, marker, version in ledger.saves:
        report = by_assignment.get((assignment_id, period_id))
        if report is None:
            problems.append(f"确认保存的报告不存在：分工 {assignment_id}（{marker}）")
            continue
        if marker_events[marker] != 1:
            problems.append(f"确认保存的内容在记录中出现 {marker_events[marker]} 次：{marker}")
        elif version is not None and marker_version[marker] != version:
            problems.append(f"{marker}：确认的版本 {version}，记录中为 {marker_version[marker]}")
        last_marker[assignment_id, period_id] = marker
    for key, marker in last_marker.items():
        report = by_assignment.get(key)
        if report is not None and not report.body.startswith(marker + " "):
            problems.append(f"报告 {report.pk} 的正文不是最后一次确认保存的内容（{marker}）")

    # versions rise with every event and end at the report's version
    for report_id, report_events in events.items():
        versions = [e.version for e in report_events if e.action in BUMPING]
        if any(b <= a for a, b in zip(versions, versions[1:], strict=False)):
            problems.append(f"报告 {report_id} 的版本号没有逐次递增：{versions}")
        if versions and versions[-1] != reports[report_id].version:
            problems.append(
                f"报告 {report_id} 的版本 {reports[report_id].version} 与最后一条记录 {versions[-1]} 不符"
            )

    # every acknowledged transition has its event, and no transition happened that was not acknowledged
    acknowledged = Counter(ledger.transitions)
    recorded = Counter(
        (report_id, e.action)
        for report_id, evs in events.items()
        for e in evs
        if e.action in {"submit", "accept", "return"}
    )
    unacknowledged_attempts = Counter(
        (detail, what) for what, detail in ledger.unacknowledged if what in {"accept", "return"}
    )
    for key, count in acknowledged.items():
        if recorded[key] < count:
            problems.append(f"报告 {key[0]}：确认的“{key[1]}” {count} 次，记录只有 {recorded[key]} 次")
    for key, count in recorded.items():
        if count > acknowledged[key] + unacknowledged_attempts[key] + _unacked_submits(ledger, key):
            problems.append(
                f"报告 {key[0]}：记录了 {count} 次“{key[1]}”，客户端只确认了 {acknowledged[key]} 次"
            )
    return problems


def _unacked_submits(ledger, key):
    """A save-and-submit whose response did not arrive may still have been done: it is not a lost write."""
    return sum(1 for what, _ in ledger.unacknowledged if what == "submit") if key[1] == "submit" else 0


def table(result):
    lines = [
        f"数据库 {result['database']} · gunicorn {result['workers']} 个进程 · {result['cores']} 核 · "
        f"{result['reporters']} 名联络员 + {result['coordinators']} 名统筹人员",
        f"{result['requests']} 个请求 / {result['seconds']} 秒 = {result['throughput']} 次/秒；"
        f"p50 {result['p50_ms']} ms，p95 {result['p95_ms']} ms，p99 {result['p99_ms']} ms；错误 {result['errors']} 个",
        "",
        f"{'请求':<12}{'次数':>8}{'p50 ms':>10}{'p95 ms':>10}",
    ]
    for kind, row in result["by_kind"].items():
        lines.append(f"{kind:<12}{row['n']:>8}{row['p50_ms']:>10}{row['p95_ms']:>10}")
    ack = result["acknowledged"]
    lines += [
        "",
        f"确认的保存 {ack['saves']} 次，报送 {ack['submits']} 次，通过 {ack['accepts']} 次，退回 {ack['returns']} 次；"
        f"未得到确认的操作 {ack['unacknowledged']} 个",
    ]
    if result["error_kinds"]:
        lines.append("错误：" + "；".join(f"{k} × {v}" for k, v in result["error_kinds"].items()))
    if result["problems"]:
        lines.append(f"核对发现 {len(result['problems'])} 个问题：")
        lines += [f"  - {p}" for p in result["problems"][:50]]
    else:
        lines.append("核对：没有丢失或重复的写入，版本连续，每次状态变化都有记录。")
    return "\n".join(lines)
