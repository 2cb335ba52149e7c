"""催办: one message per person and unit listing the tasks, the note and a reply-by date; a repeat within
settings.URGE_REPEAT_HOURS asks for confirmation; 未报送与催办 shows when each unit was last urged."""

import datetime

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, OutboxEmail
from tasks import workflow
from tasks.models import Assignment, AssignmentEvent, WorkPlan
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, LEADER, user
from units.models import Membership, Unit, User

pytestmark = pytest.mark.django_db
URGE = AssignmentEvent.Action.URGE


def last_pk():
    return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


def since(pk):
    return list(Notification.objects.filter(pk__gt=pk).select_related("recipient").order_by("pk"))


@pytest.fixture
def dongchangfu(plan):
    return Unit.objects.get(short_name="东昌府区")


@pytest.fixture
def second_reporter(dongchangfu):
    person = User.objects.create_user("dongchangfu2", password="x", full_name="第二联络员", email="b@example.org")
    Membership.objects.create(user=person, unit=dongchangfu, role=Membership.Role.REPORTER)
    return person


def fifteen(plan, unit):
    found = list(Assignment.objects.filter(task__plan=plan, unit=unit).select_related("task").order_by("task__number")[:15])
    assert len(found) == 15
    return found


def test_a_unit_with_15_late_tasks_and_2_reporters_gets_exactly_2_messages_each_listing_15(
    plan, period, dongchangfu, second_reporter
):
    tasks = fifteen(plan, dongchangfu)
    before, outbox = last_pk(), OutboxEmail.objects.count()
    reply_by = timezone.localdate() + datetime.timedelta(days=5)

    result = workflow.urge_unit(
        dongchangfu, period, user(COORDINATOR), "  请本周内补报。 ", reply_by=reply_by, assignments=tasks
    )

    notes = since(before)
    assert sorted(n.recipient.username for n in notes) == sorted([COUNTY_REPORTER, "dongchangfu2"])
    assert (result.assignments, result.people) == (15, 2)
    for note in notes:
        assert "15项" in note.title and period.name in note.title
        assert "请本周内补报。" in note.body and reply_by.isoformat() in note.body
        for a in tasks:
            assert f"第{a.task.number}项 {a.task.title}" in note.body
    assert OutboxEmail.objects.count() - outbox == 1  # mail only through the outbox, to those with an address
    events = AssignmentEvent.objects.filter(action=URGE, period=period, assignment__unit=dongchangfu)
    assert sorted(events.values_list("assignment_id", flat=True)) == sorted(a.pk for a in tasks)
    assert {(e.data["batch"], e.data["reply_by"], e.comment) for e in events} == {
        (result.batch, reply_by.isoformat(), "请本周内补报。")
    }


def test_urging_again_within_the_window_asks_for_confirmation(plan, period, dongchangfu, settings):
    settings.URGE_REPEAT_HOURS = 24
    coordinator = user(COORDINATOR)
    tasks = fifteen(plan, dongchangfu)
    workflow.urge_unit(dongchangfu, period, coordinator, assignments=tasks)
    before, events = last_pk(), AssignmentEvent.objects.filter(action=URGE).count()

    with pytest.raises(workflow.UrgeRepeat) as refused:
        workflow.urge_unit(dongchangfu, period, coordinator, assignments=tasks)
    assert "已催办过该单位，确定再次催办？" in str(refused.value)
    assert since(before) == [] and AssignmentEvent.objects.filter(action=URGE).count() == events

    workflow.urge_unit(dongchangfu, period, coordinator, assignments=tasks, confirm=True)
    assert len(since(before)) == 1

    # outside the window: no question
    AssignmentEvent.objects.filter(action=URGE).update(at=timezone.now() - datetime.timedelta(hours=25))
    workflow.urge_unit(dongchangfu, period, coordinator, assignments=tasks)
    assert len(since(before)) == 2


def test_the_repeat_window_is_per_period(plan, period, dongchangfu):
    tasks = fifteen(plan, dongchangfu)
    workflow.urge_unit(dongchangfu, period, user(COORDINATOR), assignments=tasks)
    other = plan.periods.exclude(pk=period.pk).first()
    result = workflow.urge_unit(dongchangfu, other, user(COORDINATOR), assignments=tasks)  # no UrgeRepeat
    assert result.assignments == len(tasks) and result.people > 0
    assert AssignmentEvent.objects.filter(action="urge", period=other, assignment__in=tasks).count() == len(tasks)


@pytest.mark.parametrize(
    ("days", "words"), [(-1, "不能早于今天"), (workflow.URGE_REPLY_BY_MAX_DAYS + 1, "不能晚于今天起")]
)
def test_a_reply_by_in_the_past_or_too_far_is_refused(plan, period, dongchangfu, days, words):
    before = last_pk()
    with pytest.raises(workflow.WorkflowError, match=words):
        workflow.urge_unit(
            dongchangfu, period, user(COORDINATOR),
            reply_by=timezone.localdate() + datetime.timedelta(days=days), assignments=fifteen(plan, dongchangfu),
        )
    assert since(before) == []


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, LEADER])
def test_only_coordinators_urge_a_unit(period, dongchangfu, username):
    with pytest.raises(workflow.PermissionDenied):
        workflow.urge_unit(dongchangfu, period, user(username))


def test_a_closed_plan_is_not_urged(plan, period, dongchangfu):
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    period.plan.refresh_from_db()
    with pytest.raises(workflow.WorkflowError):
        workflow.urge_unit(dongchangfu, period, user(COORDINATOR))


def test_the_contract_urge_still_urges_one_assignment(county, period):
    before = last_pk()
    assert workflow.urge(county, user(COORDINATOR), "快", period=period) == 1
    assert workflow.urge(county, user(COORDINATOR), "再快", period=period) == 1  # the caller decided: no question
    assert len(since(before)) == 2


# --- through the views ------------------------------------------------------------------------------------


def test_the_unit_button_sends_one_message_per_person_then_asks_before_a_second(
    login, plan, period, dongchangfu, second_reporter
):
    client = login(COORDINATOR)
    missing = Assignment.objects.filter(task__plan=plan, unit=dongchangfu).count()
    before = last_pk()
    reply_by = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    data = {"period": period.pk, "unit": dongchangfu.pk, "scope": "unit", "note": "请尽快报送", "reply_by": reply_by}

    response = client.post(reverse("tasks:urge"), data, follow=True)

    notes = since(before)
    assert len(notes) == 2
    assert all(note.body.count("第") >= missing for note in notes)
    assert "通知了 2 人" in response.content.decode()
    page = client.get(reverse("tasks:missing_reports"), {"period": period.pk, "unit_kind": "county"}).content.decode()
    assert "上次催办" in page and reply_by in page

    again = client.post(reverse("tasks:urge"), data)
    assert again.status_code == 200
    text = again.content.decode()
    assert "小时前已催办过该单位，确定再次催办？" in text or "不到1小时前已催办过该单位" in text
    assert 'name="confirm"' in text and "请尽快报送" in text  # what was typed is kept
    assert len(since(before)) == 2

    client.post(reverse("tasks:urge"), {**data, "confirm": "on"})
    assert len(since(before)) == 4


def test_a_bad_reply_by_keeps_the_note_and_sends_nothing(login, period, dongchangfu):
    before = last_pk()
    response = login(COORDINATOR).post(
        reverse("tasks:urge"),
        {"period": period.pk, "unit": dongchangfu.pk, "scope": "unit", "note": "我的说明", "reply_by": "2001-01-01"},
    )
    text = response.content.decode()
    assert response.status_code == 200 and "答复期限不能早于今天" in text and "我的说明" in text
    assert 'name="confirm"' not in text
    assert since(before) == []


def test_urging_a_task_urges_each_of_its_units_once(login, plan, period):
    task = plan.tasks.get(number=1)
    units = Assignment.objects.filter(task=task).values("unit_id").distinct().count()
    before = last_pk()
    login(COORDINATOR).post(reverse("tasks:urge"), {"period": period.pk, "task": task.pk})
    assert AssignmentEvent.objects.filter(action=URGE, period=period, assignment__task=task).count() == units
    for note in since(before):
        assert "第1项" in note.title


def test_last_urged_is_read_in_one_query_however_many_units(login, plan, period):
    client = login(COORDINATOR)
    url = reverse("tasks:missing_reports")
    units = list(Unit.objects.filter(assignments__task__plan=plan).distinct().order_by("order", "name")[:12])
    workflow.urge_unit(units[0], period, user(COORDINATOR))
    client.get(url, {"period": period.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"period": period.pk})
    for unit in units[1:]:
        workflow.urge_unit(unit, period, user(COORDINATOR), note=f"催{unit.short_name}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url, {"period": period.pk})
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    last = {unit.short_name: rows.last_urged for unit, rows in page.context["by_unit"]}
    assert all(last[u.short_name] for u in units if u.short_name in last)
    assert last[units[1].short_name]["note"] == f"催{units[1].short_name}"
