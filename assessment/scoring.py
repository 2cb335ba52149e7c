"""Scores of the units on a plan's rule, derived from the workflow's events and the working-day calendar.

One function, `score_units(plan, period=None, on=None)`, reads everything in a constant number of queries (the
rule, the periods, the calendar, the assignments with their units, the reports, their submit / accept / return
events, the receipts, the urges, the granted extensions, the adjustments) and computes in Python:

    score = earned ÷ possible × 100 − deductions + adjustments      (one decimal; no score when possible is 0)

- earned / possible: for every (assignment, period) whose deadline has passed on `on`: 按时报送 (the first
  submission on or before the due date — a due date on a holiday moves to the next working day) and 一次通过
  (accepted with no return); for every assignment, 全年完整 (the last period's report accepted; only when the
  last period is scored) and 按时签收 (signed within K working days of the plan's 发文日期; scored in the
  year and in the plan's first period);
- deductions: each urge recorded for a scored period after its due date, each granted extension (counted in the
  period whose due date is the first on or after the decision);
- adjustments: the coordinator's, each with its reason (a period's own in that period; all of them in the year).

Nothing is stored: a rule change, a late event or an adjustment shows on the next read.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tasks.models import Assignment, AssignmentEvent, ExtensionRequest, ProgressReport, ReportEvent
from tasks.selectors import end_of
from tasks.workdays import WorkCalendar
from units.models import Unit

from .models import ScoreAdjustment, ScoringRule

ON_TIME, FIRST_PASS, COMPLETE, RECEIPT = "on_time", "first_pass", "complete", "receipt"
URGE, EXTENSION, ADJUST = "urge", "extension", "adjust"
EARNING = (ON_TIME, FIRST_PASS, COMPLETE, RECEIPT)
DEDUCTING = (URGE, EXTENSION)
ITEMS = (*EARNING, *DEDUCTING, ADJUST)
LABELS = {
    ON_TIME: _("按时报送"),
    FIRST_PASS: _("一次通过"),
    COMPLETE: _("全年完整"),
    RECEIPT: _("按时签收"),
    URGE: _("逾期催办"),
    EXTENSION: _("延期"),
    ADJUST: _("调整"),
}
TENTH = Decimal("0.1")


def rule_for(plan):
    """The plan's rule, created with the defaults on first access."""
    rule, _created = ScoringRule.objects.get_or_create(plan=plan)
    return rule


def publication_day(plan):
    """The day the receipt limit counts from: the plan's 发文日期, else the day it was entered here."""
    if plan.issued_on:
        return plan.issued_on
    return timezone.localdate(plan.created_at) if plan.created_at else None


def deadline(period, calendar):
    """The period's due date; when it falls on a day off, the next working day."""
    return calendar.add_workdays(period.due_on, 0)


def urges(plan, until):
    """(assignment id, period id, local day) of every urge of the plan recorded up to the end of `until`.

    The one place urges are read (the urge workflow may change: one AssignmentEvent URGE with `period` per
    assignment urged is what counts)."""
    rows = AssignmentEvent.objects.filter(
        assignment__task__plan=plan, action=AssignmentEvent.Action.URGE, period__isnull=False, at__lt=end_of(until)
    ).values_list("assignment_id", "period_id", "at")
    return [(a, p, timezone.localdate(at)) for a, p, at in rows]


@dataclass
class Evidence:
    """One fact behind a figure: which item, which period, whether it counted, when, and the report's id."""

    task_number: int
    task_title: str
    period_name: str
    ok: bool
    when: object = None
    report_id: int | None = None
    note: str = ""


@dataclass
class Item:
    key: str
    earned: Decimal = Decimal(0)  # points earned (EARNING), deducted (DEDUCTING) or adjusted (ADJUST)
    possible: Decimal = Decimal(0)
    hits: int = 0
    total: int = 0
    evidence: list = field(default_factory=list)

    @property
    def label(self):
        return LABELS[self.key]


@dataclass
class UnitScore:
    unit: Unit
    items: dict
    adjustments: list = field(default_factory=list)
    score: Decimal | None = None
    rank: int | None = None
    group_size: int = 0

    @property
    def earned(self):
        return sum((self.items[key].earned for key in EARNING), Decimal(0))

    @property
    def possible(self):
        return sum((self.items[key].possible for key in EARNING), Decimal(0))

    @property
    def deducted(self):
        return sum((self.items[key].earned for key in DEDUCTING), Decimal(0))

    @property
    def adjusted(self):
        return self.items[ADJUST].earned

    def item_list(self):
        return [self.items[key] for key in ITEMS]


@dataclass
class ScoreTable:
    plan: object
    period: object
    on: datetime.date
    rule: ScoringRule
    periods: list
    scored_periods: list
    groups: list  # [(kind, label, [UnitScore in rank order])]
    by_unit: dict


@dataclass
class PeriodFacts:
    """Per (assignment, period): the report, first submission, acceptance and returns, as of `on`."""

    report_id: int | None = None
    state: str = ""
    submitted: datetime.date | None = None
    accepted: bool = False
    returned: int = 0


def _report_facts(plan, period_ids, on):
    """{(assignment id, period id): PeriodFacts} in one query: each report with its first submission, whether it
    was accepted and how often returned up to the end of `on` (ReportEvent counted by the database)."""
    before = Q(events__at__lt=end_of(on))
    rows = (
        ProgressReport.objects.filter(assignment__task__plan=plan, period_id__in=period_ids)
        .annotate(
            first_submit=Min("events__at", filter=before & Q(events__action=ReportEvent.Action.SUBMIT)),
            accepts=Count("events", filter=before & Q(events__action=ReportEvent.Action.ACCEPT)),
            returns=Count("events", filter=before & Q(events__action=ReportEvent.Action.RETURN)),
        )
        .values_list("pk", "assignment_id", "period_id", "state", "first_submit", "accepts", "returns")
    )
    zone = timezone.get_current_timezone()
    return {
        (assignment_id, period_id): PeriodFacts(
            report_id=pk,
            state=state,
            submitted=first.astimezone(zone).date() if first else None,
            accepted=accepts > 0,
            returned=returns,
        )
        for pk, assignment_id, period_id, state, first, accepts, returns in rows
    }


@dataclass(slots=True)
class _Task:
    number: int
    title: str


@dataclass(slots=True)
class _Assignment:
    pk: int
    unit_id: int
    unit: Unit
    task: _Task


def _assignments(plan):
    """The plan's assignments in force as light rows (two queries: plain values, then the units); a unit taken
    off a task (移出) is neither scored on it nor listed in a circular for it."""
    rows = list(
        Assignment.objects.active().filter(task__plan=plan)
        .order_by("task__number", "pk")
        .values_list("pk", "unit_id", "task__number", "task__title")
    )
    units = Unit.objects.only("pk", "name", "short_name", "kind", "order").in_bulk({row[1] for row in rows})
    tasks = {}
    return [
        _Assignment(pk, unit_id, units[unit_id], tasks.setdefault(number, _Task(number, title)))
        for pk, unit_id, number, title in rows
    ]


def score_units(plan, period=None, on=None, rule=None, calendar=None, evidence=False):
    """Every unit's score in the plan (the year when `period` is None) as of `on` (default: the plan's as_of).

    Returns a ScoreTable: units grouped by kind, each group in rank order (equal scores share a rank). With
    `evidence`, every item keeps the facts behind it (the unit page; the ranking needs only the figures)."""
    rule = rule or rule_for(plan)
    periods = list(plan.periods.all())
    on = on or plan.as_of(periods)
    calendar = calendar or WorkCalendar.load()
    scope = [period] if period is not None else periods
    deadlines = {p.pk: deadline(p, calendar) for p in periods}
    scored = [p for p in scope if deadlines[p.pk] < on]
    scored_ids = {p.pk for p in scored}
    last = periods[-1] if periods else None
    first = periods[0] if periods else None
    count_receipt = period is None or (first is not None and period.pk == first.pk)
    assignments = _assignments(plan)
    facts = _report_facts(plan, [p.pk for p in scope], on)

    receipts = {}
    if count_receipt:
        for assignment_id, at in AssignmentEvent.objects.filter(
            assignment__task__plan=plan, action=AssignmentEvent.Action.CONFIRM
        ).values_list("assignment_id", "at"):
            day = timezone.localdate(at)
            if day <= on and (assignment_id not in receipts or day < receipts[assignment_id]):
                receipts[assignment_id] = day
    published = publication_day(plan)
    receipt_limit = calendar.add_workdays(published, rule.receipt_workdays) if published else None

    by_unit = {}
    by_assignment = {}
    for assignment in assignments:
        by_assignment[assignment.pk] = assignment
        if assignment.unit_id not in by_unit:
            by_unit[assignment.unit_id] = UnitScore(assignment.unit, {key: Item(key) for key in ITEMS})
        row = by_unit[assignment.unit_id]
        task = assignment.task
        for p in scored:
            fact = facts.get((assignment.pk, p.pk)) or PeriodFacts()
            due = deadlines[p.pk]
            on_time = fact.submitted is not None and fact.submitted <= due
            _add(row.items[ON_TIME], rule.on_time_points, on_time,
                 evidence and Evidence(task.number, task.title, p.name, on_time, fact.submitted, fact.report_id,
                                       _note_submitted(fact, due)))
            first_pass = fact.accepted and not fact.returned
            _add(row.items[FIRST_PASS], rule.first_pass_points, first_pass,
                 evidence and Evidence(task.number, task.title, p.name, first_pass, None, fact.report_id,
                                       _note_review(fact)))
            if last is not None and p.pk == last.pk:
                _add(row.items[COMPLETE], rule.complete_points, fact.accepted,
                     evidence and Evidence(task.number, task.title, p.name, fact.accepted, None, fact.report_id,
                                           _note_review(fact)))
        if count_receipt:
            signed = receipts.get(assignment.pk)
            ok = signed is not None and receipt_limit is not None and signed <= receipt_limit
            _add(row.items[RECEIPT], rule.receipt_points, ok,
                 evidence and Evidence(task.number, task.title, "", ok, signed, None,
                                       _("签收时限 %(day)s") % {"day": receipt_limit} if receipt_limit else ""))

    periods_by_id = {p.pk: p for p in periods}
    for assignment_id, period_id, day in urges(plan, on):
        assignment = by_assignment.get(assignment_id)
        p = periods_by_id.get(period_id)
        if assignment is None or period_id not in scored_ids or day <= deadlines[period_id]:
            continue
        item = by_unit[assignment.unit_id].items[URGE]
        item.earned += rule.urge_deduction
        item.hits += 1
        item.evidence.append(Evidence(assignment.task.number, assignment.task.title, p.name, False, day,
                                      (facts.get((assignment_id, period_id)) or PeriodFacts()).report_id))
    scope_ids = {p.pk for p in scope}
    for assignment_id, decided_at, old, new in ExtensionRequest.objects.filter(
        assignment__task__plan=plan, state=ExtensionRequest.State.GRANTED
    ).values_list("assignment_id", "decided_at", "old_deadline", "new_deadline"):
        assignment = by_assignment.get(assignment_id)
        day = timezone.localdate(decided_at) if decided_at else None
        if assignment is None or day is None or day > on:
            continue
        p = next((p for p in periods if p.due_on >= day), last)
        if p is None or p.pk not in scope_ids:
            continue
        item = by_unit[assignment.unit_id].items[EXTENSION]
        item.earned += rule.extension_deduction
        item.hits += 1
        item.evidence.append(Evidence(assignment.task.number, assignment.task.title, p.name, False, day, None,
                                      _("完成时限 %(old)s → %(new)s") % {"old": old or "—", "new": new}))

    adjustments = ScoreAdjustment.objects.filter(plan=plan).select_related("by", "period")
    if period is not None:
        adjustments = adjustments.filter(period=period)
    for adjustment in adjustments:
        row = by_unit.get(adjustment.unit_id)
        if row is None:
            continue
        row.items[ADJUST].earned += adjustment.points
        row.items[ADJUST].hits += 1
        row.adjustments.append(adjustment)

    groups = {}
    for row in by_unit.values():
        possible = row.possible
        if possible:
            raw = row.earned / possible * 100 - row.deducted + row.adjusted
            row.score = raw.quantize(TENTH, rounding=ROUND_HALF_UP)
        groups.setdefault(row.unit.kind, []).append(row)
    kinds = [kind for kind, _label in Unit.Kind.choices]
    ordered = []
    for kind in sorted(groups, key=kinds.index):
        rows = groups[kind]
        rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.unit.order, r.unit.name))
        ranked = [r for r in rows if r.score is not None]
        for position, r in enumerate(ranked, start=1):
            previous = ranked[position - 2] if position > 1 else None
            r.rank = previous.rank if previous is not None and previous.score == r.score else position
            r.group_size = len(ranked)
        ordered.append((kind, Unit.Kind(kind).label, rows))
    return ScoreTable(plan, period, on, rule, periods, scored, ordered, by_unit)


def _add(item, points, ok, evidence):
    item.possible += points
    item.total += 1
    if ok:
        item.earned += points
        item.hits += 1
    if evidence:
        item.evidence.append(evidence)


def _note_submitted(fact, due):
    if fact.submitted is None:
        return _("未报送（截止 %(due)s）") % {"due": due}
    if fact.submitted > due:
        return _("逾期报送（截止 %(due)s）") % {"due": due}
    return _("按时报送（截止 %(due)s）") % {"due": due}


def _note_review(fact):
    if fact.accepted and fact.returned:
        return _("审核通过，此前退回 %(n)s 次") % {"n": fact.returned}
    if fact.accepted:
        return _("审核通过")
    if fact.returned:
        return _("退回 %(n)s 次，尚未通过") % {"n": fact.returned}
    return _("尚未审核通过")


def period_facts(plan, period, on=None, calendar=None):
    """The units of one period for the circular: {'not_reported', 'late', 'returned': [(unit, [task numbers])]}
    and the figures (assignments, reported, on time, accepted, returned), in a constant number of queries."""
    calendar = calendar or WorkCalendar.load()
    on = on or plan.as_of()
    due = deadline(period, calendar)
    facts = _report_facts(plan, [period.pk], on)
    lists = {"not_reported": {}, "late": {}, "returned": {}}
    figures = {"assignments": 0, "reported": 0, "on_time": 0, "late": 0, "accepted": 0, "returned": 0,
               "not_reported": 0}
    units = {}
    for assignment in _assignments(plan):
        fact = facts.get((assignment.pk, period.pk)) or PeriodFacts()
        units[assignment.unit_id] = assignment.unit
        figures["assignments"] += 1
        number = assignment.task.number
        if fact.submitted is None:
            figures["not_reported"] += 1
            lists["not_reported"].setdefault(assignment.unit_id, []).append(number)
        else:
            figures["reported"] += 1
            if fact.submitted > due:
                figures["late"] += 1
                lists["late"].setdefault(assignment.unit_id, []).append(number)
            else:
                figures["on_time"] += 1
        if fact.accepted:
            figures["accepted"] += 1
        if fact.returned:
            figures["returned"] += 1
            lists["returned"].setdefault(assignment.unit_id, []).append(number)

    def ordered(found):
        rows = [(units[pk], sorted(numbers)) for pk, numbers in found.items()]
        return sorted(rows, key=lambda row: (row[0].order, row[0].name))

    return {"due": due, "on": on, "figures": figures, **{key: ordered(value) for key, value in lists.items()}}
