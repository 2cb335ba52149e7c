"""The dashboards' numbers, counted in the database.

Every figure starts from one queryset: the plan's assignments with their light in a period
(`tasks.selectors.assignments_with_light`: the period's report, the latest submission and the status light, all
SQL). Each block of a page is then one
GROUP BY over it, so a page's query count is the same for 20 units and for 2,000, and no Python loop runs over
the assignments. Python only walks the grouped rows (sections, tasks, units).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from tasks.models import Assignment, ProgressReport, ReportEvent, Section, Task
from tasks.selectors import assignments_with_light, end_of, is_historic, state_as_of, submitted_as_of
from tasks.status import HasLight, Light, start_of, task_light
from units.models import Unit

from .charts import percent

State = ProgressReport.State
REPORTED = (State.SUBMITTED, State.ACCEPTED)
LIGHTS = [Light.DONE, Light.ON_TRACK, Light.DUE_SOON, Light.OVERDUE, Light.NOT_STARTED]


def plan_assignments_with_light(plan, period, calendar, on=None):
    """The plan's assignments with their light in `period`: the base of every figure."""
    return assignments_with_light(Assignment.objects.active().filter(task__plan=plan), period, calendar, on)


def on_time(period):
    """Reported, and the report last sent by the end of the period's due date (site time)."""
    return Q(state__in=REPORTED, submitted_at__lt=start_of(period.due_on + datetime.timedelta(days=1)))


def counters(period):
    """The counts every block shows, as aggregate expressions over `plan_assignments_with_light`."""
    figures = {
        "assignments": Count("pk"),
        "reported": Count("pk", filter=Q(state__in=REPORTED)),
        "on_time": Count("pk", filter=on_time(period)),
        "accepted": Count("pk", filter=Q(state=State.ACCEPTED)),
        "returned": Count("pk", filter=Q(state=State.RETURNED)),
    }
    for light in LIGHTS:
        figures[light] = Count("pk", filter=Q(light=light))
    return figures


@dataclass
class Figures:
    """Counts of one group of assignments (the plan, a section, a unit)."""

    assignments: int = 0
    reported: int = 0
    on_time: int = 0
    accepted: int = 0
    returned: int = 0
    lights: dict = field(default_factory=dict)

    def __add__(self, other):
        lights = dict(self.lights)
        for light, n in other.lights.items():
            lights[light] = lights.get(light, 0) + n
        return Figures(
            self.assignments + other.assignments,
            self.reported + other.reported,
            self.on_time + other.on_time,
            self.accepted + other.accepted,
            self.returned + other.returned,
            lights,
        )

    @classmethod
    def total(cls, figures):
        result = cls(lights={light: 0 for light in LIGHTS})
        for one in figures:
            result = result + one
        return result

    @classmethod
    def of(cls, row):
        return cls(
            assignments=row["assignments"],
            reported=row["reported"],
            on_time=row["on_time"],
            accepted=row["accepted"],
            returned=row["returned"],
            lights={light: row[light] for light in LIGHTS},
        )

    @property
    def overdue(self):
        return self.lights.get(Light.OVERDUE, 0)

    @property
    def due_soon(self):
        return self.lights.get(Light.DUE_SOON, 0)

    @property
    def not_reported(self):
        return self.assignments - self.reported


@dataclass
class TaskLine(HasLight):
    task: Task
    light: str
    figures: Figures


@dataclass
class SectionLine:
    section: Section
    tasks: list
    figures: Figures

    @property
    def tasks_done(self):
        return sum(1 for line in self.tasks if line.light == Light.DONE)


class Overview:
    """The figures of the dashboard's front page for one plan and period."""

    def __init__(self, plan, period, calendar, on=None):
        self.plan, self.period = plan, period
        self.on = on or timezone.localdate()
        self.assignments = plan_assignments_with_light(plan, period, calendar, self.on)

    def task_lines(self):
        """Every task of the plan with its light (from its assignments' lights) and counts: two queries.

        The sections' and the plan's counts are sums of these (`section_lines`, `totals`): the assignments are
        grouped once, by task, in the database."""
        grouped = {
            row["task_id"]: row
            for row in self.assignments.values("task_id").annotate(**counters(self.period))
        }
        lines = []
        for task in Task.objects.filter(plan=self.plan).select_related("section").order_by("number"):
            row = grouped.get(task.pk)
            figures = Figures.of(row) if row else Figures()
            lines.append(TaskLine(task, task_light(figures.lights), figures))
        return lines

    def section_lines(self, task_lines):
        """The plan's sections, each with its tasks' lines and the sums of their counts: one query."""
        by_section = {}
        for line in task_lines:
            by_section.setdefault(line.task.section_id, []).append(line)
        return [
            SectionLine(
                section,
                by_section.get(section.pk, []),
                Figures.total(line.figures for line in by_section.get(section.pk, [])),
            )
            for section in Section.objects.filter(plan=self.plan).order_by("number")
        ]

    @staticmethod
    def totals(task_lines):
        return Figures.total(line.figures for line in task_lines)

    def attention(self, light, limit=15):
        """The first assignments with this light, with their task and unit: one query."""
        return list(
            self.assignments.filter(light=light)
            .select_related("task", "unit")
            .order_by("task__number", "role", "order", "unit__order", "unit__name")[:limit]
        )

    def trend(self):
        """[(day, submissions that day)] of the reports of this period that count as reported: one query.
        (As of a past day: the reports that counted as reported at its end, by their last submission by then.)"""
        reports = ProgressReport.objects.filter(period=self.period, assignment__task__plan=self.plan)
        if is_historic(self.on):
            reports = reports.annotate(
                state_then=state_as_of(OuterRef("pk"), self.on), sent=submitted_as_of(OuterRef("pk"), self.on)
            ).filter(state_then__in=REPORTED, sent__isnull=False)
        else:
            reports = reports.filter(state__in=REPORTED, submitted_at__isnull=False).annotate(sent=F("submitted_at"))
        rows = (
            reports.annotate(day=TruncDate("sent"))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by("day")
        )
        return [(row["day"], row["n"]) for row in rows]


# --- units compared --------------------------------------------------------------------------------------------

UNIT_SORTS = {
    "order": ("unit__order", "unit__name"),
    "name": ("unit__name",),
    "kind": ("unit__kind", "unit__order", "unit__name"),
    "assignments": ("-assignments", "unit__order"),
    "reported": ("-reported", "unit__order"),
    "on_time": ("-on_time", "unit__order"),
    "overdue": ("-overdue_count", "-due_soon_count", "unit__order"),
    "due_soon": ("-due_soon_count", "unit__order"),
    "returned": ("-returned", "unit__order"),
    "last": (),  # sorted in Python: the latest submission comes from its own query
}
DEFAULT_UNIT_SORT = "overdue"


@dataclass
class UnitLine:
    unit: Unit
    figures: Figures
    last_submission: datetime.datetime | None

    @property
    def on_time_rate(self):
        return percent(self.figures.on_time, self.figures.assignments)

    @property
    def is_laggard(self):
        return self.figures.overdue > 0


def unit_lines(plan, assignments, period, kind="", sort=DEFAULT_UNIT_SORT, on=None):
    """Every unit on the plan (of one kind, when given) with its counts and its latest submission (by the end of
    `on`): two queries."""
    rows = assignments
    if kind:
        rows = rows.filter(unit__kind=kind)
    ordering = UNIT_SORTS.get(sort, UNIT_SORTS[DEFAULT_UNIT_SORT])
    rows = (
        rows.values("unit_id", "unit__name", "unit__short_name", "unit__kind", "unit__order")
        .annotate(
            **counters(period),
            overdue_count=Count("pk", filter=Q(light=Light.OVERDUE)),
            due_soon_count=Count("pk", filter=Q(light=Light.DUE_SOON)),
        )
        .order_by(*(ordering if sort != "last" else UNIT_SORTS["order"]))
    )
    submitted = ProgressReport.objects.filter(assignment__task__plan=plan, submitted_at__isnull=False)
    if is_historic(on):
        submitted = ReportEvent.objects.filter(
            report__assignment__task__plan=plan, action=ReportEvent.Action.SUBMIT, at__lt=end_of(on)
        )
    last = dict(
        submitted.values_list("report__assignment__unit_id" if is_historic(on) else "assignment__unit_id")
        .annotate(Max("at" if is_historic(on) else "submitted_at"))
    )
    lines = []
    for row in rows:
        unit = Unit(
            pk=row["unit_id"],
            name=row["unit__name"],
            short_name=row["unit__short_name"],
            kind=row["unit__kind"],
            order=row["unit__order"],
        )
        lines.append(UnitLine(unit, Figures.of(row), last.get(row["unit_id"])))
    if sort == "last":  # the longest silent first; never reported before everyone
        lines.sort(key=lambda line: (line.last_submission is not None, line.last_submission or 0))
    return lines


# --- the matrix --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell(HasLight):
    light: str
    assignment_id: int | None = None
    report_id: int | None = None


EMPTY = Cell(Light.NOT_ASSIGNED)


@dataclass
class MatrixRow:
    task: Task
    light: str
    cells: list


def matrix(plan, assignments, kind="", section=None):
    """Tasks as rows, the plan's units (of one kind) as columns, each cell an assignment's light: three queries."""
    if kind:
        assignments = assignments.filter(unit__kind=kind)
    if section is not None:
        assignments = assignments.filter(task__section=section)
    cells = {
        (task_id, unit_id): Cell(light, pk, report_id)
        for pk, task_id, unit_id, light, report_id in assignments.values_list(
            "pk", "task_id", "unit_id", "light", "report_id"
        )
    }
    units = Unit.objects.filter(assignments__task__plan=plan, assignments__is_active=True).distinct().order_by("order", "name")
    tasks = Task.objects.filter(plan=plan).select_related("section").order_by("number")
    if kind:
        units = units.filter(kind=kind)
    if section is not None:
        tasks = tasks.filter(section=section)
    units = list(units)
    rows = []
    for task in tasks:
        row = [cells.get((task.pk, unit.pk), EMPTY) for unit in units]
        counts = {}
        for cell in row:
            if cell is not EMPTY:
                counts[cell.light] = counts.get(cell.light, 0) + 1
        rows.append(MatrixRow(task, task_light(counts), row))
    return units, rows
