"""Two people acting on one report at the same moment, for real: two threads, two database connections.

Only PostgreSQL has the row locks (SELECT … FOR UPDATE) these depend on; SQLite serialises whole writes and
its test database lives in one connection, so the race cannot be staged there. Run with:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fazhi_helper_c \
        .venv/bin/pytest tests/tasks/test_workflow_concurrency.py --create-db -p no:cacheprovider

These tests commit (transaction=True), so the demo loaded by conftest may already be flushed: each test
builds the few rows it needs.
"""

import datetime
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from notifications.models import Notification
from tasks import workflow
from tasks.models import Assignment, ProgressReport, ReportEvent, ReportingPeriod, Section, Task, WorkPlan
from tasks.uploads import check_attachment
from tasks.workflow import StaleReport, WorkflowError
from units.models import Membership, Unit, User
from units.roles import COORDINATOR

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks (SELECT … FOR UPDATE) and a connection per thread; "
        "set DATABASE_URL=postgres://… to run",
    ),
    pytest.mark.django_db(transaction=True),
]

TEXT = {"progress": "on_track", "body": "第一版：已部署。", "problems": "", "next_steps": ""}
HOLD = 0.3  # seconds the winner keeps its row lock, so that the other one is certainly waiting on it


class World:
    """The least the workflow needs: a live plan, one task, two units with their reporters, a coordinator."""

    def __init__(self):
        self.plan = WorkPlan.objects.create(
            year=2022, title="并发测试计划", doc_number="并发测试〔2022〕1号", status=WorkPlan.Status.ACTIVE
        )
        section = Section.objects.create(plan=self.plan, number=1, title="并发测试")
        task = Task.objects.create(
            plan=self.plan, section=section, number=1, title="并发测试任务", content="并发测试任务",
            deadline=datetime.date(2022, 12, 31),
        )
        self.period = ReportingPeriod.objects.create(
            plan=self.plan, name="测试期", starts_on=datetime.date(2022, 1, 1),
            ends_on=datetime.date(2022, 6, 30), due_on=datetime.date(2022, 7, 8),
        )
        self.units, self.assignments, self.reporters = [], [], []
        for letter in "甲乙":
            unit = Unit.objects.create(name=f"并发测试{letter}单位", short_name=f"{letter}单位")
            self.units.append(unit)
            self.assignments.append(Assignment.objects.create(task=task, unit=unit, role=Assignment.Role.RESPONSIBLE))
            # Two reporters per unit: two people of one unit editing the same report is the case at hand.
            pair = []
            for number in (1, 2):
                person = User.objects.create(username=f"race_{letter}_{number}", full_name=f"{letter}联络员{number}")
                Membership.objects.create(user=person, unit=unit, role=Membership.Role.REPORTER)
                pair.append(person)
            self.reporters.append(pair)
        self.coordinator = User.objects.create(username="race_coordinator", full_name="统筹")
        self.coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR)[0])


@pytest.fixture
def world():
    return World()


def fresh(model_instance):
    """A new object per thread: nothing cached (roles, related rows) is shared between the two sides."""
    return type(model_instance).objects.get(pk=model_instance.pk)


def race(*calls):
    """Run the calls in threads released together; returns ("ok", result) or ("error", exception) for each."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 — the outcome is what the test looks at
            results[index] = ("error", error)
        finally:
            connections.close_all()  # this thread's connections

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return results


@pytest.fixture
def slow_events(monkeypatch):
    """Whoever gets the row lock first holds it a moment longer before committing.

    This only widens the window: without the lock both sides would read the same version and both would
    write (two events, a lost update); with it the second side waits and then sees the first one's write.
    """
    original = workflow._event

    def slow(*args, **kwargs):
        time.sleep(HOLD)
        return original(*args, **kwargs)

    monkeypatch.setattr(workflow, "_event", slow)


def outcomes(results):
    return sorted(kind for kind, _value in results)


def test_two_saves_of_one_version_at_once_one_wins_the_other_is_stale(world, slow_events):
    assignment = world.assignments[0]
    first, second = world.reporters[0]
    report = workflow.save_report(assignment=assignment, period=world.period, user=first, data=TEXT)
    texts = ["甲联络员1的修改。", "甲联络员2的修改。"]

    def save(person, body):
        return lambda: workflow.save_report(
            assignment=fresh(assignment), period=fresh(world.period), user=fresh(person),
            data=dict(TEXT, body=body), version=1,
        )

    results = race(save(first, texts[0]), save(second, texts[1]))

    assert outcomes(results) == ["error", "ok"]
    winner = next(i for i, (kind, _value) in enumerate(results) if kind == "ok")
    loser_error = results[1 - winner][1]
    assert isinstance(loser_error, StaleReport), loser_error
    assert loser_error.current.version == 2  # the loser is shown what the winner saved
    assert loser_error.current.body == texts[winner]

    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.version, stored.body) == (2, texts[winner])
    edits = ReportEvent.objects.filter(report=report, action=ReportEvent.Action.EDIT)
    assert edits.count() == 1
    assert edits.get().changes == {"body": texts[winner]}
    assert edits.get().actor_id == world.reporters[0][winner].pk


def test_two_first_saves_at_once_create_one_report(world, slow_events):
    assignment = world.assignments[0]

    def create(person, body):
        return lambda: workflow.save_report(
            assignment=fresh(assignment), period=fresh(world.period), user=fresh(person), data=dict(TEXT, body=body)
        )

    first, second = world.reporters[0]
    results = race(create(first, "一号起草。"), create(second, "二号起草。"))

    assert outcomes(results) == ["error", "ok"]
    winner = next(i for i, (kind, _value) in enumerate(results) if kind == "ok")
    assert isinstance(results[1 - winner][1], StaleReport), results[1 - winner][1]
    report = ProgressReport.objects.get(assignment=assignment, period=world.period)
    assert (report.version, report.body) == (1, ["一号起草。", "二号起草。"][winner])
    assert list(report.events.values_list("action", flat=True)) == [ReportEvent.Action.CREATE]


def test_two_submits_at_once_one_wins(world, slow_events):
    assignment = world.assignments[0]
    first, second = world.reporters[0]
    report = workflow.save_report(assignment=assignment, period=world.period, user=first, data=TEXT)
    notifications = Notification.objects.count()

    def submit(person):
        return lambda: workflow.submit(fresh(report), fresh(person), expected_version=1)

    results = race(submit(first), submit(second))

    assert outcomes(results) == ["error", "ok"]
    winner = next(i for i, (kind, _value) in enumerate(results) if kind == "ok")
    error = results[1 - winner][1]
    assert isinstance(error, WorkflowError), error
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.state, stored.version) == (ProgressReport.State.SUBMITTED, 2)
    assert stored.submitted_by_id == world.reporters[0][winner].pk
    assert report.events.filter(action=ReportEvent.Action.SUBMIT).count() == 1
    # Every coordinator is told once (the demo's coordinator too, when the demo has not been flushed yet).
    assert Notification.objects.filter(recipient=world.coordinator).count() == 1
    assert Notification.objects.count() == notifications + workflow.coordinators().count()


def test_accept_and_return_at_once_one_wins(world, slow_events):
    reporter = world.reporters[0][0]
    report = workflow.save_report(assignment=world.assignments[0], period=world.period, user=reporter, data=TEXT)
    workflow.submit(report, reporter)
    second_coordinator = User.objects.create(username="race_coordinator_2", full_name="统筹2")
    second_coordinator.groups.add(Group.objects.get(name=COORDINATOR))

    results = race(
        lambda: workflow.accept(fresh(report), fresh(world.coordinator), expected_version=2),
        lambda: workflow.return_report(fresh(report), fresh(second_coordinator), "请补充。", expected_version=2),
    )

    assert outcomes(results) == ["error", "ok"]
    stored = ProgressReport.objects.get(pk=report.pk)
    expected_state = ProgressReport.State.ACCEPTED if results[0][0] == "ok" else ProgressReport.State.RETURNED
    assert (stored.state, stored.version) == (expected_state, 3)
    reviews = report.events.filter(action__in=[ReportEvent.Action.ACCEPT, ReportEvent.Action.RETURN])
    assert reviews.count() == 1


class SlowUpload(SimpleUploadedFile):
    """An upload that the storage reads slowly (a large file, a network share): it waits for `go`."""

    def __init__(self, name, content, started, go):
        super().__init__(name, content, content_type="application/pdf")
        self.started, self.go = started, go

    def chunks(self, chunk_size=None):
        self.started.set()
        self.go.wait(timeout=10)
        yield from super().chunks(chunk_size)


def test_a_save_does_not_hold_up_another_units_save(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a, period = world.assignments[0], world.period
    a_reporter, b_reporter = world.reporters[0][0], world.reporters[1][0]
    # Unit 乙 works on another task of the plan, in another period: the two saves share only the plan.
    other_task = Task.objects.create(
        plan=world.plan, section=a.task.section, number=2, title="另一项任务", content="另一项任务"
    )
    b = Assignment.objects.create(task=other_task, unit=world.units[1], role=Assignment.Role.LEAD)
    b_period = ReportingPeriod.objects.create(
        plan=world.plan, name="另一期", starts_on=datetime.date(2022, 1, 1),
        ends_on=datetime.date(2022, 12, 31), due_on=datetime.date(2022, 12, 10),
    )
    workflow.save_report(assignment=a, period=period, user=a_reporter, data=TEXT)
    b_report = workflow.save_report(assignment=b, period=b_period, user=b_reporter, data=TEXT)
    started, go = threading.Event(), threading.Event()
    upload = SlowUpload("证明材料.pdf", b"%PDF-1.4\n%%EOF\n", started, go)
    checked = check_attachment(upload)
    outcome = {}

    def attach():
        try:
            workflow.save_report(
                assignment=fresh(a), period=fresh(period), user=fresh(a_reporter), data=TEXT, version=1,
                attachments=[(upload, checked)],
            )
            outcome["a"] = "ok"
        finally:
            connections.close_all()

    thread = threading.Thread(target=attach)
    thread.start()
    try:
        assert started.wait(timeout=10)  # unit 甲 is inside save_report, storing its file
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        try:
            workflow.save_report(
                assignment=fresh(b), period=fresh(b_period), user=fresh(b_reporter),
                data=dict(TEXT, body="乙单位的修改。"), version=1,
            )
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    finally:
        go.set()
        thread.join(timeout=30)
    assert outcome == {"a": "ok"}
    assert ProgressReport.objects.get(pk=b_report.pk).body == "乙单位的修改。"
