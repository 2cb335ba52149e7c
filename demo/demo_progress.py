"""Believable progress for the demo plan (聊政办字〔2022〕9号), loaded by `manage.py load_demo`.

`load_progress(plan)` gives the plan the state a city's plan is in by the end of 2022: units have signed
for their assignments (a few contested, some still pending), most 上半年 reports are in and reviewed, some
were returned (a few resubmitted since), the 全年 round has started, two extension requests wait for the
coordinator. Every change goes through `tasks.workflow` — the one path for state changes — so each report
and assignment carries its real history (ReportEvent, AssignmentEvent, notifications). Afterwards the
timestamps the workflow stamped with "now" are moved back to plausible 2022 dates around each period's due
date: the one place where history is written directly, because it is historic data being loaded.

Three steps, kept apart so that tests can check each:

- `gather(plan)`   the plan as plain values (`Context`), in a stable order, from the database;
- `make_script()`  pure: (context, material, seed) → every receipt, report step, text and timestamp;
- `load_progress()` runs the script through the workflow, then backdates.

Deterministic: the same plan and seed give the same script (texts and times included) on any database;
each report's texts come from their own `random.Random` seeded by (seed, period, task, unit), so one report
does not depend on the others. Idempotent: nothing happens when the plan already has a progress report
(the reporter accounts are still completed if some are missing).

The units that have demo log-ins in fixtures/demo.json get 上半年 reports only (browser journeys write their
全年 reports); a few of their assignments (“untouched” in fixtures/demo_reports.json) stay as the import left
them — not signed for, no report, no history — for journeys and workflow tests to start from scratch; and
their returned reports stay returned, for a journey to revise and resubmit.

Speed: about 2,500 workflow calls (a few seconds on SQLite); the backdating is one prepared UPDATE per table
(`set_values`), not a query per row.
"""

import datetime
import hashlib
import json
import random
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification
from tasks import workflow
from tasks.models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
    ReportEvent,
    WorkPlan,
)
from tasks.workdays import WorkCalendar
from units.models import Membership, Unit, User

SEED = 2022
FIXTURES = settings.BASE_DIR / "fixtures"
MATERIAL_FILE = "demo_reports.json"
COORDINATOR_USERNAME = "coordinator"
MID_YEAR, FULL_YEAR = "上半年", "全年"

State = ProgressReport.State
Progress = ProgressReport.Progress
REPORTER = Membership.Role.REPORTER

# What became of each assignment's 上半年 report (shares of all assignments).
ACCEPTED, SUBMITTED, RETURNED, DRAFT, MISSING = "accepted", "submitted", "returned", "draft", "missing"
MID_YEAR_SHARES = {ACCEPTED: 0.55, SUBMITTED: 0.15, RETURNED: 0.10, DRAFT: 0.05, MISSING: 0.15}
# The returned ones: some were resubmitted since, some are being revised (edited, not yet resubmitted).
RESUBMITTED, REVISING = "resubmitted", "revising"
RESUBMITTED_SHARE = 0.4
REVISING_SHARE = 0.5  # of those still returned
# 全年: shares of all assignments (none for the units with demo log-ins).
FULL_YEAR_REPORTED_SHARE = 0.20  # submitted or accepted
FULL_YEAR_ACCEPTED_SHARE = 0.55  # of those
FULL_YEAR_DRAFT_SHARE = 0.03
CONFIRMED_SHARE = 0.90  # assignments signed for; the rest pending or contested
EDITED_SHARE = 0.15  # reports first saved with the work done only, completed by a later edit
PROGRESS_WEIGHTS = {
    MID_YEAR: {Progress.ON_TRACK: 68, Progress.DONE: 14, Progress.BEHIND: 18},
    FULL_YEAR: {Progress.DONE: 72, Progress.ON_TRACK: 18, Progress.BEHIND: 10},
}

BODY_MIN, BODY_MAX = 300, 900
NOTE_MIN, NOTE_MAX = 60, 200  # problems and next steps
ORDINALS = "一二三四五六七八九十"
PLACEHOLDER = re.compile(r"\{(\d+)-(\d+)\}|\{(\w+)\}")
READ_AFTER = datetime.timedelta(hours=3)  # historic notifications were read this long after they came


# --- the plan as plain values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One assignment, with what the texts and the script need."""

    assignment_id: int
    task_number: int
    task_title: str
    lead: bool
    unit_id: int
    unit_name: str
    unit_short: str
    unit_kind: str


@dataclass(frozen=True)
class PeriodInfo:
    name: str
    starts_on: datetime.date
    due_on: datetime.date


@dataclass(frozen=True)
class Context:
    title: str
    doc_number: str
    year: int
    issued_on: datetime.date
    rows: tuple  # of Row, by task number, then unit order and name
    periods: dict  # period name → PeriodInfo, for the names this loader knows
    demo_unit_names: frozenset
    calendar: WorkCalendar = field(compare=False)


def read_json(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def demo_unit_names(demo):
    """The units that have a demo log-in as reporter (fixtures/demo.json)."""
    return frozenset(
        unit for row in demo["users"] for unit, role in row.get("memberships", []) if role == REPORTER
    )


def gather(plan, demo=None):
    demo = demo if demo is not None else read_json("demo.json")
    assignments = (
        Assignment.objects.filter(task__plan=plan)
        .select_related("task", "unit")
        .order_by("task__number", "unit__order", "unit__name")
    )
    rows = tuple(
        Row(
            assignment_id=a.pk,
            task_number=a.task.number,
            task_title=a.task.title.strip().rstrip("。.；;，,"),
            lead=a.role == Assignment.Role.LEAD,
            unit_id=a.unit_id,
            unit_name=a.unit.name,
            unit_short=a.unit.short_name or a.unit.name,
            unit_kind=a.unit.kind,
        )
        for a in assignments
    )
    periods = {
        p.name: PeriodInfo(p.name, p.starts_on, p.due_on)
        for p in plan.periods.filter(name__in=(MID_YEAR, FULL_YEAR))
    }
    return Context(
        title=plan.title,
        doc_number=plan.doc_number,
        year=plan.year,
        issued_on=plan.issued_on or datetime.date(plan.year, 3, 1),
        rows=rows,
        periods=periods,
        demo_unit_names=demo_unit_names(demo),
        calendar=WorkCalendar.load(),
    )


# --- texts ----------------------------------------------------------------------------------------------------


def fill(template, rng, words):
    """Replace {name} by words[name] and {a-b} by a random whole number from a to b."""

    def replace(match):
        if match.group(1):
            return str(rng.randint(int(match.group(1)), int(match.group(2))))
        return words[match.group(3)]

    return PLACEHOLDER.sub(replace, template)


def place_words(material, row):
    places = material["places"]
    suffix = row.unit_short[-1] if row.unit_short[-1] in "区市县" else "区"

    def pick(kind):
        table = places[kind]
        return table.get(row.unit_kind, table["default"]).replace("{suffix}", suffix)

    return {"area": pick("area"), "below": pick("below"), "board": pick("board")}


def words_for(context, material, row, period):
    full = period == FULL_YEAR
    year = context.year
    return {
        "unit": row.unit_name,
        "short": row.unit_short,
        "task": row.task_title,
        "plan": context.title,
        "doc": context.doc_number,
        "year": f"{year}年",
        "last_year": f"{year - 1}年",
        "next_year": f"{year + 1}年",
        "period": f"{year}年" if full else f"{year}年{period}",
        "span": period,
        "asof": "截至12月上旬" if full else "截至6月底",
        **place_words(material, row),
    }


def enumerate_items(items, separator, end="。"):
    return separator.join(f"{ORDINALS[i]}是{item}" for i, item in enumerate(items)) + end


def compose_body(rng, material, words, row, period, progress, limit=BODY_MAX):
    """The work done: an opening naming the unit and the task, 一是……二是……, a closing on progress."""
    full = period == FULL_YEAR
    parts = [fill(rng.choice(material["openings"]["full" if full else "mid"]), rng, words)]
    if row.lead:
        parts.append(fill(rng.choice(material["lead"]), rng, words))
    closing = fill(rng.choice(material["closings"][progress]), rng, words)
    own = material["measures"].get(str(row.task_number), [])
    candidates = rng.sample(own, len(own)) + rng.sample(material["common"], len(material["common"]))
    target = rng.randint(BODY_MIN + 80, limit - 60)
    length = sum(map(len, parts)) + len(closing)
    measures = []
    for template in candidates:
        sentence = f"{ORDINALS[len(measures)]}是{fill(template, rng, words)}。"
        if length + len(sentence) > limit:
            continue
        measures.append(sentence)
        length += len(sentence)
        if length >= target or len(measures) == 8:
            break
    body = "".join(parts + measures + [closing])
    if not BODY_MIN <= len(body) <= limit:
        raise ValueError(f"demo report body of {len(body)} characters for task {row.task_number}")
    return body


def compose_problems(rng, material, words, progress):
    problems = material["problems"]
    pool = list(problems["items"])
    items = rng.sample(pool, 2)
    if progress == Progress.BEHIND:
        items[0] = rng.choice(problems["behind_items"])
    intro = rng.choice(problems["intros"])
    text = fill(intro + enumerate_items(items, "；"), rng, words)
    if len(text) < NOTE_MIN:
        extra = rng.choice([item for item in pool if item not in items])
        text = fill(intro + enumerate_items([*items, extra], "；"), rng, words)
    return text


def compose_next_steps(rng, material, words, period):
    steps = material["next_steps"]
    intros = steps["full_intros"] if period == FULL_YEAR else steps["intros"]
    intro = fill(rng.choice(intros), rng, words)
    items = [fill(item, rng, words) for item in rng.sample(steps["items"], 3)]
    text = intro + enumerate_items(items, "；")
    return text if len(text) <= NOTE_MAX else intro + enumerate_items(items[:2], "；")


def compose_report(seed, context, material, row, period, revised=False):
    """The texts of one report: progress, body, problems, next steps; a supplement if it is revised.

    Seeded by (seed, period, task, unit) alone, so a report's texts do not depend on the other reports.
    """
    rng = random.Random(f"{seed}:{period}:{row.task_number}:{row.unit_name}")
    weights = PROGRESS_WEIGHTS[period]
    progress = rng.choices(list(weights), list(weights.values()))[0]
    words = words_for(context, material, row, period)
    supplement = fill(rng.choice(material["supplements"]), rng, words)
    limit = BODY_MAX - len(supplement) if revised else BODY_MAX
    texts = {
        "progress": progress,
        "body": compose_body(rng, material, words, row, period, progress, limit),
        "problems": compose_problems(rng, material, words, progress),
        "next_steps": compose_next_steps(rng, material, words, period),
    }
    return texts, supplement, rng


# --- the script -----------------------------------------------------------------------------------------------


@dataclass
class Step:
    action: str  # create, edit, submit, accept, return
    at: datetime.datetime
    texts: dict | None = None
    note: str = ""


@dataclass
class ReportScript:
    row: Row
    period: str
    outcome: str  # accepted, submitted, returned, resubmitted, revising, draft
    steps: list

    @property
    def final(self):
        """The report as the script leaves it: state and the last text of each field."""
        texts, state = {}, State.DRAFT
        for step in self.steps:
            if step.texts:
                texts.update(step.texts)
            state = {"submit": State.SUBMITTED, "accept": State.ACCEPTED, "return": State.RETURNED}.get(
                step.action, state
            )
        # the note of the review that decided the current round (a submit starts a new, unreviewed one)
        last = next((s for s in reversed(self.steps) if s.action in ("submit", "accept", "return")), None)
        note = last.note if last is not None and last.action != "submit" else ""
        return {"state": state, "review_note": note, **{key: texts.get(key, "") for key in workflow.TEXT_FIELDS}}


@dataclass
class AssignmentStep:
    row: Row
    action: str  # confirm, contest, extension
    at: datetime.datetime
    reason: str = ""
    new_deadline: datetime.date | None = None


@dataclass
class Script:
    receipts: list
    reports: list
    extensions: list

    def digest(self):
        """A fingerprint of everything the script writes: texts, states, notes and timestamps."""
        digest = hashlib.sha256()
        for item in self.receipts + self.extensions:
            key = (item.row.task_number, item.row.unit_name, item.action, item.at.isoformat(), item.reason)
            digest.update(repr(key).encode())
        for report in self.reports:
            steps = [
                (s.action, s.at.isoformat(), sorted((s.texts or {}).items()), s.note) for s in report.steps
            ]
            key = (report.row.task_number, report.row.unit_name, report.period, report.outcome, steps)
            digest.update(repr(key).encode())
        return digest.hexdigest()


class Clock:
    """Plausible office-hour moments on Chinese working days of the plan's year."""

    def __init__(self, calendar, year):
        self.calendar = calendar
        self.last_day = datetime.date(year, 12, 30)
        self.zone = timezone.get_default_timezone()
        self._days = {}

    def workdays(self, start, end):
        key = (start, end)
        if key not in self._days:
            days, day = [], start
            while day <= end:
                if self.calendar.is_workday(day):
                    days.append(day)
                day += datetime.timedelta(days=1)
            self._days[key] = days or [start]
        return self._days[key]

    def day(self, rng, start, end):
        return rng.choice(self.workdays(start, min(end, self.last_day)))

    def later(self, day, workdays):
        return min(self.calendar.add_workdays(day, workdays), self.last_day)

    def moment(self, rng, day, after=None):
        """A moment on `day` between 8:30 and 17:30, or shortly after `after`; past 18:00 the next working day."""
        at = datetime.datetime(day.year, day.month, day.day, 8, 30, tzinfo=self.zone)
        at += datetime.timedelta(minutes=rng.randint(0, 9 * 60))
        if after is not None and at <= after:
            at = after + datetime.timedelta(minutes=rng.randint(8, 90))
            if at.hour >= 18:
                day = self.calendar.add_workdays(at.date(), 1)
                at = datetime.datetime(day.year, day.month, day.day, 8, 30, tzinfo=self.zone)
                at += datetime.timedelta(minutes=rng.randint(0, 120))
        return at


def quotas(total, shares):
    """Whole numbers in the given shares that add up to `total` (largest remainder)."""
    exact = {key: total * share for key, share in shares.items()}
    counts = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(shares, key=lambda key: (-(exact[key] - counts[key]), list(shares).index(key)))
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def deal(rows, counts, rng, fixed=None):
    """Give each row an outcome: the fixed ones first, the rest shuffled into the remaining counts."""
    outcomes = dict(fixed or {})
    counts = dict(counts)
    for outcome in outcomes.values():
        counts[outcome] -= 1
    free = [row for row in rows if row not in outcomes]
    rng.shuffle(free)
    queue = [outcome for outcome, count in counts.items() for _ in range(max(count, 0))]
    queue += [MISSING] * (len(free) - len(queue))
    outcomes.update(zip(free, queue, strict=False))
    return outcomes


def at_least(counts, key, number):
    """Raise counts[key] to `number`, taking from the largest other count."""
    while counts[key] < number:
        largest = max((k for k in counts if k != key), key=lambda k: counts[k])
        if counts[largest] == 0:
            return
        counts[largest] -= 1
        counts[key] += 1


def find_rows(context, entries):
    """The rows that fixture entries ({"task": n, "unit": name}) point at; entries that fit none are skipped."""
    by_key = {(row.task_number, row.unit_name): row for row in context.rows}
    return [(by_key[(e["task"], e["unit"])], e) for e in entries if (e["task"], e["unit"]) in by_key]


def make_script(context, material, seed=SEED):
    """Everything the loader will do, as data: pure, and the same for the same context, material and seed."""
    rng = random.Random(seed)
    clock = Clock(context.calendar, context.year)
    rows = list(context.rows)
    total = len(rows)
    demo_rows = [row for row in rows if row.unit_name in context.demo_unit_names]
    other_rows = [row for row in rows if row.unit_name not in context.demo_unit_names]
    contested = find_rows(context, material["contests"])
    extensions = find_rows(context, material["extensions"])
    contest_reasons = {row: entry["reason"] for row, entry in contested}
    contested_rows = set(contest_reasons)
    extension_rows = {row for row, _ in extensions}

    untouched = {row for row, _ in find_rows(context, material["untouched"])}

    # 上半年 outcomes: the demo log-ins' units one by one (a mix of every state, a few assignments
    # untouched), then the other units fill the plan-wide shares.
    outcome = {}
    by_unit = {}
    for row in demo_rows:
        by_unit.setdefault(row.unit_id, []).append(row)
    for unit_rows in by_unit.values():
        fixed = {row: MISSING for row in unit_rows if row in untouched}
        fixed.update({row: ACCEPTED for row in unit_rows if row in extension_rows})
        counts = quotas(len(unit_rows), MID_YEAR_SHARES)
        for needed in (RETURNED, SUBMITTED, DRAFT):
            at_least(counts, needed, 1)
        at_least(counts, MISSING, sum(1 for value in fixed.values() if value == MISSING))
        at_least(counts, ACCEPTED, sum(1 for value in fixed.values() if value == ACCEPTED))
        outcome.update(deal(unit_rows, counts, rng, fixed))
    counts = quotas(total, MID_YEAR_SHARES)
    for value in outcome.values():
        counts[value] -= 1
    fixed = {row: MISSING for row in other_rows if row in contested_rows or row in untouched}
    fixed.update({row: ACCEPTED for row in other_rows if row in extension_rows})
    outcome.update(deal(other_rows, counts, rng, fixed))

    # The returned ones of the other units: some resubmitted since, some being revised.
    returned = [row for row in other_rows if outcome[row] == RETURNED]
    rng.shuffle(returned)
    resubmitted = round(len(returned) * RESUBMITTED_SHARE)
    for index, row in enumerate(returned):
        if index < resubmitted:
            outcome[row] = RESUBMITTED
        elif rng.random() < REVISING_SHARE:
            outcome[row] = REVISING

    # Receipts: every unit that reported signed; of the missing ones some pending, the contested contested.
    missing = [
        row
        for row in other_rows
        if outcome[row] == MISSING and row not in contested_rows and row not in untouched
    ]
    pending_count = max(0, round(total * (1 - CONFIRMED_SHARE)) - len(contested_rows) - len(untouched))
    pending = set(rng.sample(missing, min(pending_count, len(missing)))) | untouched

    receipts = []
    issued = context.issued_on
    for row in rows:
        row_rng = random.Random(f"{seed}:receipt:{row.task_number}:{row.unit_name}")
        if row in contested_rows:
            day = clock.day(
                row_rng, issued + datetime.timedelta(days=2), issued + datetime.timedelta(days=10)
            )
            receipts.append(
                AssignmentStep(row, "contest", clock.moment(row_rng, day), reason=contest_reasons[row])
            )
        elif row not in pending:
            late = row_rng.random() < 0.2
            start = issued + datetime.timedelta(days=15 if late else 1)
            day = clock.day(row_rng, start, start + datetime.timedelta(days=25 if late else 13))
            receipts.append(AssignmentStep(row, "confirm", clock.moment(row_rng, day)))

    reports = []
    if MID_YEAR in context.periods:
        period = context.periods[MID_YEAR]
        for row in rows:
            if outcome[row] != MISSING:
                reports.append(report_script(seed, context, material, clock, row, period, outcome[row]))

    if FULL_YEAR in context.periods:
        period = context.periods[FULL_YEAR]
        candidates = [row for row in other_rows if outcome[row] == ACCEPTED and row not in extension_rows]
        rng.shuffle(candidates)
        reported = candidates[: round(total * FULL_YEAR_REPORTED_SHARE)]
        accepted = round(len(reported) * FULL_YEAR_ACCEPTED_SHARE)
        full_outcome = {row: ACCEPTED if i < accepted else SUBMITTED for i, row in enumerate(reported)}
        others = [
            row
            for row in other_rows
            if row not in full_outcome
            and row not in pending
            and row not in contested_rows
            and row not in extension_rows
        ]
        for row in rng.sample(others, min(len(others), round(total * FULL_YEAR_DRAFT_SHARE))):
            full_outcome[row] = DRAFT
        for row in rows:
            if row in full_outcome:
                reports.append(report_script(seed, context, material, clock, row, period, full_outcome[row]))

    extension_steps = []
    if FULL_YEAR in context.periods:
        due = context.periods[FULL_YEAR].due_on
        for index, (row, entry) in enumerate(extensions):
            row_rng = random.Random(f"{seed}:extension:{row.task_number}:{row.unit_name}")
            start = due - datetime.timedelta(days=26 - 12 * index)
            day = clock.day(row_rng, start, start + datetime.timedelta(days=10))
            extension_steps.append(
                AssignmentStep(
                    row,
                    "extension",
                    clock.moment(row_rng, day),
                    reason=entry["reason"],
                    new_deadline=datetime.date.fromisoformat(entry["new_deadline"]),
                )
            )
    return Script(receipts, reports, extension_steps)


def report_script(seed, context, material, clock, row, period, outcome):
    """The steps of one report, with their texts and moments, for the outcome it is to have."""
    revised = outcome in (RESUBMITTED, REVISING)
    texts, supplement, rng = compose_report(seed, context, material, row, period.name, revised)
    if outcome == DRAFT and rng.random() < 0.5:
        first, later = {**texts, "problems": "", "next_steps": ""}, None
    elif rng.random() < EDITED_SHARE:
        first = {**texts, "problems": "", "next_steps": ""}
        later = {"problems": texts["problems"], "next_steps": texts["next_steps"]}
    else:
        first, later = texts, None

    due = period.due_on
    full = period.name == FULL_YEAR
    window = 12 if full else 16
    if rng.random() < 0.85:  # on time; the others a few days late
        submit_day = clock.day(rng, due - datetime.timedelta(days=window), due - datetime.timedelta(days=1))
    else:
        submit_day = clock.day(
            rng, due + datetime.timedelta(days=1), due + datetime.timedelta(days=8 if full else 12)
        )
    if outcome == DRAFT:
        submit_day = clock.day(rng, due - datetime.timedelta(days=10), due + datetime.timedelta(days=10))
    earliest = max(period.starts_on, due - datetime.timedelta(days=40 if full else 30))
    create_day = clock.day(rng, max(earliest, submit_day - datetime.timedelta(days=14)), submit_day)

    steps = [Step("create", clock.moment(rng, create_day), texts=first)]
    if later:
        edit_day = clock.day(rng, create_day, submit_day)
        steps.append(Step("edit", clock.moment(rng, edit_day, steps[-1].at), texts=later))
    if outcome == DRAFT:
        return ReportScript(row, period.name, outcome, steps)
    steps.append(Step("submit", clock.moment(rng, submit_day, steps[-1].at)))
    if outcome == ACCEPTED:
        day = clock.later(submit_day, rng.randint(1, 6))
        note = rng.choice(material["accept_notes"])
        steps.append(Step("accept", clock.moment(rng, day, steps[-1].at), note=note))
    elif outcome in (RETURNED, RESUBMITTED, REVISING):
        return_day = clock.later(submit_day, rng.randint(1, 4))
        note = rng.choice(material["return_notes"])
        steps.append(Step("return", clock.moment(rng, return_day, steps[-1].at), note=note))
        if revised:
            day = clock.later(return_day, rng.randint(1, 5))
            body = f"{texts['body']}{supplement}"
            steps.append(Step("edit", clock.moment(rng, day, steps[-1].at), texts={"body": body}))
            if outcome == RESUBMITTED:
                steps.append(Step("submit", clock.moment(rng, day, steps[-1].at)))
    return ReportScript(row, period.name, outcome, steps)


# --- loading --------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    liaisons: int = 0
    skipped: bool = False
    existing_reports: int = 0
    inactive: bool = False
    receipts: dict = field(default_factory=dict)
    states: dict = field(default_factory=dict)  # period name → {state: count}
    extensions: int = 0

    def __str__(self):
        if self.inactive:
            return _("演示进展：计划不在执行中，未载入进展报告；新建联络员账号 %(liaisons)s 个。") % {
                "liaisons": self.liaisons
            }
        if self.skipped:
            return _(
                "演示进展：计划已有 %(count)s 份进展报告，未重复载入；新建联络员账号 %(liaisons)s 个。"
            ) % {
                "count": self.existing_reports,
                "liaisons": self.liaisons,
            }
        periods = "；".join(
            _("%(period)s %(total)s 份（%(states)s）")
            % {
                "period": name,
                "total": sum(states.values()),
                "states": "、".join(f"{State(s).label} {n}" for s, n in states.items() if n),
            }
            for name, states in self.states.items()
        )
        return _(
            "演示进展：新建联络员账号 %(liaisons)s 个；签收 %(confirmed)s 项、异议 %(contested)s 项、"
            "待签收 %(pending)s 项；进展报告 %(periods)s；待审批延期申请 %(extensions)s 份。"
        ) % {
            "liaisons": self.liaisons,
            "confirmed": self.receipts.get("confirm", 0),
            "contested": self.receipts.get("contest", 0),
            "pending": self.receipts.get("pending", 0),
            "periods": periods,
            "extensions": self.extensions,
        }


def ensure_liaisons(plan, demo_units, password):
    """One reporter account per unit of the plan without a demo log-in: liaison001 … (by unit order, name)."""
    units = Unit.objects.filter(assignments__task__plan=plan).distinct().order_by("order", "name")
    wanted = {
        f"liaison{n:03d}": unit
        for n, unit in enumerate((u for u in units if u.name not in demo_units), start=1)
    }
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    missing = [name for name in wanted if name not in existing]
    if missing:
        hashed = make_password(password)  # once: hashing is slow on purpose
        User.objects.bulk_create(
            [
                User(
                    username=name,
                    full_name=f"{wanted[name].short_name or wanted[name].name}联络员",
                    password=hashed,
                )
                for name in missing
            ]
        )
        users = User.objects.filter(username__in=missing)
        Membership.objects.bulk_create(
            [Membership(user=user, unit=wanted[user.username], role=REPORTER) for user in users],
            ignore_conflicts=True,
        )
    return len(missing)


def load_progress(plan, demo=None, seed=SEED):
    """Give `plan` its demo progress through the workflow; returns a `Summary` (print it)."""
    demo = demo if demo is not None else read_json("demo.json")
    summary = Summary(liaisons=ensure_liaisons(plan, demo_unit_names(demo), demo["password"]))
    existing = ProgressReport.objects.filter(period__plan=plan).count()
    if existing or plan.status != WorkPlan.Status.ACTIVE:
        summary.skipped, summary.existing_reports = True, existing
        summary.inactive = plan.status != WorkPlan.Status.ACTIVE
        return summary
    script = make_script(gather(plan, demo), read_json(MATERIAL_FILE), seed)
    Runner(plan).run(script)
    summarize(script, plan, summary)
    return summary


def summarize(script, plan, summary):
    confirmed = sum(1 for step in script.receipts if step.action == "confirm")
    contested = len(script.receipts) - confirmed
    total = Assignment.objects.filter(task__plan=plan).count()
    summary.receipts = {"confirm": confirmed, "contest": contested, "pending": total - confirmed - contested}
    for report in script.reports:
        states = summary.states.setdefault(report.period, {state: 0 for state in State.values})
        states[report.final["state"]] += 1
    summary.extensions = len(script.extensions)


class Runner:
    """Runs a script through tasks.workflow, then moves the stamped times back to the scripted ones."""

    def __init__(self, plan):
        self.plan = plan
        self.assignments = {
            a.pk: a for a in Assignment.objects.filter(task__plan=plan).select_related("task__plan", "unit")
        }
        self.periods = {p.name: p for p in plan.periods.all()}
        self.coordinator = User.objects.get(username=COORDINATOR_USERNAME)
        self.reporters, self.reporter_counts = {}, {}
        memberships = (
            Membership.objects.filter(role=REPORTER, user__is_active=True)
            .filter(unit_id__in={a.unit_id for a in self.assignments.values()})
            .select_related("user")
            .order_by("unit_id", "user__username")
        )
        for membership in memberships:
            self.reporters.setdefault(membership.unit_id, membership.user)
            self.reporter_counts[membership.unit_id] = self.reporter_counts.get(membership.unit_id, 0) + 1
        self.coordinator_count = workflow.coordinators().count()
        self.report_ids = {}  # id(ReportScript) → report pk
        # The notifications the workflow sends, in order: (how many, when, still unread). `notify` writes one
        # per recipient, so counting recipients finds them again without a query per step.
        self.notices = []
        self.first_notice = Notification.objects.aggregate(top=Max("pk"))["top"] or 0

    def run(self, script):
        for step in script.receipts:
            assignment = self.assignments[step.row.assignment_id]
            user = self.reporters[step.row.unit_id]
            if step.action == "confirm":
                workflow.confirm_receipt(assignment, user)
            else:
                workflow.contest(assignment, user, step.reason)
                self.notices.append((self.coordinator_count, step.at, True))
        for report_script in script.reports:
            self.run_report(report_script)
        for step in script.extensions:
            assignment = self.assignments[step.row.assignment_id]
            workflow.request_extension(
                assignment, self.reporters[step.row.unit_id], step.new_deadline, step.reason
            )
            self.notices.append((self.coordinator_count, step.at, True))
        self.backdate(script)

    def run_report(self, script):
        assignment = self.assignments[script.row.assignment_id]
        period = self.periods[script.period]
        reporter = self.reporters[script.row.unit_id]
        unit_count = self.reporter_counts[script.row.unit_id]
        report = None
        for index, step in enumerate(script.steps):
            last = index == len(script.steps) - 1
            if step.action in ("create", "edit"):
                data = dict(report_texts(report) if report else {}, **step.texts)
                report = workflow.save_report(
                    assignment=assignment,
                    period=period,
                    user=reporter,
                    data=data,
                    version=report.version if report else None,
                )
            elif step.action == "submit":
                workflow.submit(report, reporter)
                self.notices.append((self.coordinator_count, step.at, last))
            elif step.action == "accept":
                workflow.accept(report, self.coordinator, note=step.note)
                self.notices.append((unit_count, step.at, False))
            elif step.action == "return":
                workflow.return_report(report, self.coordinator, step.note)
                self.notices.append((unit_count, step.at, last))
        self.report_ids[id(script)] = report.pk

    def backdate(self, script):
        """The scripted moments instead of "now", on every row the workflow stamped."""
        by_report = {self.report_ids[id(r)]: r for r in script.reports}
        events = {}
        for report_id, pk in (
            ReportEvent.objects.filter(report_id__in=by_report)
            .order_by("report_id", "pk")
            .values_list("report_id", "pk")
        ):
            events.setdefault(report_id, []).append(pk)
        event_rows, report_rows = [], []
        for report_id, report_script in by_report.items():
            steps = report_script.steps
            if len(events.get(report_id, ())) != len(steps):
                raise RuntimeError(
                    f"report {report_id}: {len(events.get(report_id, ()))} events for {len(steps)} steps"
                )
            event_rows += [(pk, [step.at]) for pk, step in zip(events[report_id], steps, strict=True)]
            submitted = [s.at for s in steps if s.action == "submit"]
            # the review that decided the current round (a submit starts a new one, unreviewed)
            rounds = [s for s in steps if s.action in ("submit", "accept", "return")]
            reviewed = rounds[-1].at if rounds and rounds[-1].action != "submit" else None
            times = [steps[0].at, steps[-1].at, submitted[-1] if submitted else None, reviewed]
            report_rows.append((report_id, times))
        set_values(ReportEvent, ["at"], event_rows)
        set_values(ProgressReport, ["created_at", "updated_at", "submitted_at", "reviewed_at"], report_rows)

        steps_by_assignment = {}
        for step in script.receipts + script.extensions:
            steps_by_assignment.setdefault(step.row.assignment_id, []).append(step)
        assignment_events = {}
        for assignment_id, pk in (
            AssignmentEvent.objects.filter(assignment_id__in=steps_by_assignment)
            .order_by("assignment_id", "pk")
            .values_list("assignment_id", "pk")
        ):
            assignment_events.setdefault(assignment_id, []).append(pk)
        rows = []
        for assignment_id, steps in steps_by_assignment.items():
            rows += [
                (pk, [step.at]) for pk, step in zip(assignment_events[assignment_id], steps, strict=True)
            ]
        set_values(AssignmentEvent, ["at"], rows)
        set_values(Assignment, ["receipt_at"], [(s.row.assignment_id, [s.at]) for s in script.receipts])
        requests = dict(
            ExtensionRequest.objects.filter(
                assignment_id__in=[s.row.assignment_id for s in script.extensions],
                state=ExtensionRequest.State.PENDING,
            ).values_list("assignment_id", "pk")
        )
        set_values(
            ExtensionRequest,
            ["requested_at"],
            [(requests[s.row.assignment_id], [s.at]) for s in script.extensions],
        )

        pks = list(
            Notification.objects.filter(pk__gt=self.first_notice).order_by("pk").values_list("pk", flat=True)
        )
        if len(pks) != sum(count for count, _, _ in self.notices):
            raise RuntimeError(
                f"{len(pks)} notifications where {sum(c for c, _, _ in self.notices)} were expected"
            )
        rows, position = [], 0
        for count, at, unread in self.notices:
            rows += [
                (pk, [at, None if unread else at + READ_AFTER]) for pk in pks[position : position + count]
            ]
            position += count
        set_values(Notification, ["created_at", "read_at"], rows)


def set_values(model, fields, rows):
    """UPDATE one row at a time from (pk, [value per field]) pairs, as one prepared statement (executemany).

    The same as `model.objects.filter(pk=pk).update(**values)` for each row — auto_now fields are not touched —
    without building a query per row: a few thousand rows take milliseconds instead of seconds.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    params = [
        [column.get_db_prep_save(value, connection) for column, value in zip(columns, values, strict=True)]
        + [pk]
        for pk, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def report_texts(report):
    return {key: getattr(report, key) for key in workflow.TEXT_FIELDS}
