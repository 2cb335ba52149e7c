"""The demo's live year: the seed notice carried over to the current year, with progress up to today.

`load_demo` keeps the 2022 plan (imported from the notice as published, with its history) and closes it at
its year end; beside it this module makes the plan a city would issue this year from the same notice — every
"2022" re-dated to the current year (文号 聊政办字〔YYYY〕9号, title, dates, deadlines) — so that a newcomer sees
the product in the middle of a year, which is when it is used.

The layout depends on the day it runs (`today`), so the demo works in any month:

- periods: 第一季度, 第二季度, 第三季度 (each due DUE_WORKDAYS_AFTER_END working days after its quarter) and
  全年 (due 12月10日). Those due before today are settled (reviewed, then locked); the first one due on or after
  today is open (some reports accepted, submitted, returned or in draft, many still to come, as far as the
  period has run); later ones have nothing yet;
- a few items carry a staged deadline (“M月底前完成”, M the end of the last settled quarter): the units that
  have not reported them done are late (逾期), and two of them ask for an extension;
- receipts: most units signed early in the year, a few contested, some never signed.

Everything goes through `tasks.workflow` (demo_progress.Runner), then the stamped times are moved back to the
scripted ones (all before today). Deterministic for a given day and plan; nothing happens when the plan
already has a report.
"""

import datetime
import random
import re

from django.utils.translation import gettext as _

from tasks import workflow
from tasks.models import ProgressReport, ReportingPeriod, WorkPlan
from tasks.periods import DUE_WORKDAYS_AFTER_END, QUARTERS, month_end
from tasks.workdays import WorkCalendar

from . import demo_progress as demo
from .demo_progress import (
    ACCEPTED,
    DRAFT,
    FULL_YEAR,
    MID_YEAR,
    MISSING,
    RESUBMITTED,
    RETURNED,
    REVISING,
    SUBMITTED,
    AssignmentStep,
    Clock,
    ReportScript,
    Script,
    Step,
)

SOURCE_YEAR = 2022  # the year of the seed notice (fixtures/plan_2022_notice.txt)
FULL_YEAR_DUE = (12, 10)  # 全年: due 12月10日, as the 2022 plan had it
STAGED_ITEMS = (3, 9, 15, 21)  # items given a staged deadline (“M月底前完成”) in the carried-over notice
ISSUE_DAY = (3, 25)  # the seed notice was issued on 3月25日
# A settled period: what became of each assignment's report.
SETTLED_SHARES = {ACCEPTED: 0.84, RESUBMITTED: 0.06, MISSING: 0.10}
LATE_SHARE = 0.15  # of the settled reports, sent after the due date
# The open period, once it has run its course (scaled down when it has just begun).
OPEN_SHARES = {ACCEPTED: 0.14, SUBMITTED: 0.18, RETURNED: 0.03, REVISING: 0.03, DRAFT: 0.10}
OPEN_WINDOW = 30  # days before the due date the units start writing
EXTENSIONS = 2
EXTENSION_REASON = _(
    "第%(task)s项任务涉及的系统改造和配套制度需与上级部门统一部署衔接，%(month)s月底前未能全部完成，"
    "申请将完成时限延至%(year)s年12月31日。"
)
SILENT_SHARE = 0.05  # assignments never reported on
CONFIRMED_SHARE = 0.5  # of the assignments that never reported: signed for anyway (the rest pending)


def live_notice(text, year, today):
    """The seed notice as this year's: every 2022 re-dated, a staged deadline on a few items, issued no later
    than two weeks before `today`."""
    text = text.replace(str(SOURCE_YEAR), str(year))
    issued = min(datetime.date(year, *ISSUE_DAY), today - datetime.timedelta(days=14))
    issued = max(issued, datetime.date(year, 1, 4))
    text = re.sub(
        rf"{year} 年 {ISSUE_DAY[0]} 月 {ISSUE_DAY[1]} 日",
        f"{year} 年 {issued.month} 月 {issued.day} 日",
        text,
        count=1,
    )
    month = staged_month(year, today)
    if month:
        for number in STAGED_ITEMS:
            # before the item's 〔牵头单位…〕: "…。M月底前完成。〔…〕"
            text = re.sub(
                rf"(?m)^({number}\. [^〔\n]*?)(〔)", rf"\g<1>{month}月底前完成阶段性任务。\g<2>", text, count=1
            )
    return text


def staged_month(year, today):
    """The last month of the latest quarter whose period is past due on `today`, or None."""
    calendar = WorkCalendar.load()
    months = [end for _name, _start, end, due in live_periods(year, calendar)[:3] if due < today]
    return months[-1].month if months else None


def live_periods(year, calendar):
    """(name, starts_on, ends_on, due_on) of the live plan's periods: three quarters, then 全年."""
    spans = []
    for index, name in enumerate(QUARTERS[:3]):
        ends_on = month_end(year, 3 * index + 3)
        due = calendar.add_workdays(ends_on, DUE_WORKDAYS_AFTER_END)
        spans.append((name, datetime.date(year, 3 * index + 1, 1), ends_on, due))
    spans.append(("全年", datetime.date(year, 1, 1), datetime.date(year, 12, 31), datetime.date(year, *FULL_YEAR_DUE)))
    return spans


def ensure_periods(plan, calendar):
    periods = []
    for name, starts_on, ends_on, due_on in live_periods(plan.year, calendar):
        period, _created = ReportingPeriod.objects.get_or_create(
            plan=plan, name=name, defaults={"starts_on": starts_on, "ends_on": ends_on, "due_on": due_on}
        )
        periods.append(period)
    return periods


# --- the script -----------------------------------------------------------------------------------------------


def shares_to_counts(total, shares):
    rest = max(0.0, 1 - sum(shares.values()))
    return demo.quotas(total, {**shares, MISSING: shares.get(MISSING, 0) + rest})


def make_live_script(context, material, periods, today, seed):
    """Receipts, reports and extension requests of the live plan up to `today` (all moments before it)."""
    clock = Clock(context.calendar, context.year)
    yesterday = today - datetime.timedelta(days=1)
    while not context.calendar.is_workday(yesterday):
        yesterday -= datetime.timedelta(days=1)
    clock.last_day = min(clock.last_day, yesterday)  # every moment before today
    rows = list(context.rows)
    contested = {row: entry["reason"] for row, entry in demo.find_rows(context, material["contests"])}
    # A few units never report on an assignment (half of them never even signed for it): grey lights.
    silent_rng = random.Random(f"{seed}:silent")
    silent = set(contested) | set(silent_rng.sample(rows, round(len(rows) * SILENT_SHARE)))
    never = {row: MISSING for row in silent}
    settled = [p for p in periods if p.due_on < today]
    current = next((p for p in periods if p.due_on >= today), None)
    staged = {row for row in rows if row.task_number in STAGED_ITEMS} if staged_month(context.year, today) else set()

    reports, reported_rows = [], set()
    for period in settled:
        counts = shares_to_counts(len(rows), SETTLED_SHARES)
        outcome = demo.deal(rows, counts, random.Random(f"{seed}:{period.name}"), never)
        for row in rows:
            if outcome[row] != MISSING:
                late = random.Random(f"{seed}:{period.name}:late:{row.assignment_id}").random() < LATE_SHARE
                reports.append(report_script(seed, context, material, clock, row, period, outcome[row], late, today))
                reported_rows.add(row)
    if current is not None:
        start = current.due_on - datetime.timedelta(days=OPEN_WINDOW)
        ran = (today - start).days / OPEN_WINDOW if today > start else 0.0
        ran = min(1.0, max(0.0, ran))
        shares = {key: share * ran for key, share in OPEN_SHARES.items()}
        counts = shares_to_counts(len(rows), shares)
        outcome = demo.deal(rows, counts, random.Random(f"{seed}:{current.name}"), never)
        for row in rows:
            if outcome[row] != MISSING:
                reports.append(report_script(seed, context, material, clock, row, current, outcome[row], False, today))
                reported_rows.add(row)

    receipts = []
    issued = context.issued_on
    for row in rows:
        row_rng = random.Random(f"{seed}:receipt:{row.assignment_id}")
        if row in contested and row not in reported_rows:
            day = clock.day(row_rng, issued + datetime.timedelta(days=2), issued + datetime.timedelta(days=10))
            receipts.append(AssignmentStep(row, "contest", clock.moment(row_rng, day), reason=contested[row]))
        elif row in reported_rows or row_rng.random() < CONFIRMED_SHARE:
            day = clock.day(row_rng, issued + datetime.timedelta(days=1), issued + datetime.timedelta(days=20))
            receipts.append(AssignmentStep(row, "confirm", clock.moment(row_rng, day)))

    # Extensions: units late on a staged item (nothing accepted as done in the open period) ask for more time.
    done = {
        r.row for r in reports if current and r.period == current.name and r.outcome == ACCEPTED
    }
    late_rows = sorted((row for row in staged if row not in done), key=lambda r: (r.task_number, r.unit_name))
    extensions = []
    month = staged_month(context.year, today)
    for row in random.Random(f"{seed}:extensions").sample(late_rows, min(EXTENSIONS, len(late_rows))):
        row_rng = random.Random(f"{seed}:extension:{row.assignment_id}")
        day = clock.day(row_rng, today - datetime.timedelta(days=12), today)
        extensions.append(
            AssignmentStep(
                row, "extension", clock.moment(row_rng, day),
                reason=EXTENSION_REASON % {"task": row.task_number, "month": month, "year": context.year},
                new_deadline=datetime.date(context.year, 12, 31),
            )
        )
    return Script(receipts, reports, extensions)


def report_script(seed, context, material, clock, row, period, outcome, late, today):
    """The steps of one report of the live plan, every moment before `today`."""
    final = period.name == "全年"
    kind = FULL_YEAR if final else MID_YEAR  # the texts' kind: the year's account, or one along the way
    revised = outcome in (RESUBMITTED, REVISING)
    texts, supplement, rng = demo.compose_report(f"{seed}:{period.name}", context, material, row, kind, revised)
    due = period.due_on
    last = clock.last_day

    def pick(start, end):  # a working day in [start, end], never after the last day
        end = min(end, last)
        return clock.day(rng, min(start, end), end)

    if late and due < last:
        submit_day = pick(due + datetime.timedelta(days=1), due + datetime.timedelta(days=10))
    else:
        submit_day = pick(max(period.starts_on, due - datetime.timedelta(days=12)), due)
    create_day = pick(max(period.starts_on, submit_day - datetime.timedelta(days=10)), submit_day)
    steps = [Step("create", clock.moment(rng, create_day), texts=texts)]
    if outcome == DRAFT:
        return ReportScript(row, period.name, outcome, before_today(steps, clock))
    steps.append(Step("submit", clock.moment(rng, submit_day, steps[-1].at)))
    review_day = min(clock.later(submit_day, rng.randint(1, 4)), last)
    if outcome == ACCEPTED:
        steps.append(Step("accept", clock.moment(rng, review_day, steps[-1].at), note=rng.choice(material["accept_notes"])))
    elif outcome in (RETURNED, RESUBMITTED, REVISING):
        steps.append(Step("return", clock.moment(rng, review_day, steps[-1].at), note=rng.choice(material["return_notes"])))
        if revised:
            day = min(clock.later(review_day, rng.randint(1, 3)), last)
            steps.append(Step("edit", clock.moment(rng, day, steps[-1].at), texts={"body": texts["body"] + supplement}))
            if outcome == RESUBMITTED:
                steps.append(Step("submit", clock.moment(rng, day, steps[-1].at)))
                day = min(clock.later(day, rng.randint(1, 3)), last)
                steps.append(Step("accept", clock.moment(rng, day, steps[-1].at), note=rng.choice(material["accept_notes"])))
    return ReportScript(row, period.name, outcome, before_today(steps, clock))


def before_today(steps, clock):
    """A step pushed past office hours rolls to the next working day, which may be today: such steps are kept
    on the last day instead, a minute apart and in order (every moment before today)."""
    limit = datetime.datetime.combine(clock.last_day, datetime.time(18, 30), tzinfo=clock.zone)
    for step in reversed(steps):
        if step.at > limit:
            step.at = limit
        limit = step.at - datetime.timedelta(minutes=1)
    return steps


# --- loading --------------------------------------------------------------------------------------------------


def load_live_plan(notice_text, demo_config, today, coordinator):
    """This year's plan from the seed notice, its periods and its progress up to `today`; returns
    (plan, Summary). Safe to run again: an existing plan keeps its reports."""
    from importing.parser import parse_notice
    from importing.service import import_notice

    year = today.year
    text = live_notice(notice_text, year, today)
    notice = parse_notice(text)
    plan = WorkPlan.objects.filter(doc_number=notice.doc_number).first()
    if plan is None:
        plan = import_notice(notice, source_text=text, status=WorkPlan.Status.ACTIVE)
    calendar = WorkCalendar.load()
    periods = ensure_periods(plan, calendar)
    summary = demo.Summary(liaisons=demo.ensure_liaisons(plan, demo.demo_unit_names(demo_config), demo_config["password"]))
    existing = ProgressReport.objects.filter(period__plan=plan).count()
    if existing or plan.status != WorkPlan.Status.ACTIVE:
        summary.skipped, summary.existing_reports = True, existing
        summary.inactive = plan.status != WorkPlan.Status.ACTIVE
        return plan, summary
    context = demo.gather(plan, demo_config)
    script = make_live_script(context, demo.read_json(demo.MATERIAL_FILE), periods, today, seed=f"live:{year}")
    demo.Runner(plan).run(script)
    demo.summarize(script, plan, summary)
    for period in periods:  # the settled periods are locked, as a coordinator does once they are reviewed
        if period.due_on < today and not period.locked:
            workflow.set_period_locked(period, coordinator, True)
    return plan, summary
