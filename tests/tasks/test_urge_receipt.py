"""催签收: one message per person (reporters and approvers: both may sign) listing the unsigned tasks; one
URGE_RECEIPT event per assignment; a repeat within the window asks first; 签收与异议 shows the last one."""

import datetime

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tasks import workflow
from tasks.models import Assignment, AssignmentEvent
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, user
from units.models import Unit

pytestmark = pytest.mark.django_db
URGE_RECEIPT = AssignmentEvent.Action.URGE_RECEIPT


def last_pk():
    return Notification.objects.aggregate(last=Max("pk"))["last"] or 0


def since(pk):
    return list(Notification.objects.filter(pk__gt=pk).select_related("recipient").order_by("pk"))


@pytest.fixture
def pending(plan):
    """东昌府区 has not signed for any of its assignments of the plan."""
    unit = Unit.objects.get(short_name="东昌府区")
    Assignment.objects.filter(task__plan=plan, unit=unit).update(receipt=Assignment.Receipt.PENDING)
    Assignment.objects.filter(task__plan=plan, unit=unit, task__number__gt=5).update(
        receipt=Assignment.Receipt.CONFIRMED
    )
    return unit, list(
        Assignment.objects.filter(task__plan=plan, unit=unit, receipt=Assignment.Receipt.PENDING)
        .select_related("task").order_by("task__number")
    )


def test_one_message_per_person_listing_the_unsigned_tasks(plan, pending):
    unit, unsigned = pending
    before = last_pk()
    result = workflow.urge_receipt(unit, plan, user(COORDINATOR), "请今天签收")
    notes = since(before)
    assert sorted(n.recipient.username for n in notes) == sorted([COUNTY_REPORTER, APPROVER])
    assert result.assignments == len(unsigned) and result.people == 2
    for note in notes:
        assert "催签收" in note.title and f"{len(unsigned)}项" in note.title
        assert "请今天签收" in note.body
        for a in unsigned:
            assert f"第{a.task.number}项 {a.task.title}" in note.body
    events = AssignmentEvent.objects.filter(action=URGE_RECEIPT, assignment__unit=unit)
    assert sorted(events.values_list("assignment_id", flat=True)) == [a.pk for a in unsigned]
    assert {e.data["batch"] for e in events} == {result.batch}


def test_a_repeat_asks_and_a_signed_unit_is_not_urged(plan, pending):
    unit, _unsigned = pending
    workflow.urge_receipt(unit, plan, user(COORDINATOR))
    with pytest.raises(workflow.UrgeRepeat, match="已催签收过该单位，确定再次催签收？"):
        workflow.urge_receipt(unit, plan, user(COORDINATOR))
    workflow.urge_receipt(unit, plan, user(COORDINATOR), confirm=True)
    Assignment.objects.filter(task__plan=plan, unit=unit).update(receipt=Assignment.Receipt.CONFIRMED)
    with pytest.raises(workflow.WorkflowError, match="已全部签收"):
        workflow.urge_receipt(unit, plan, user(COORDINATOR), confirm=True)


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, LEAD_REPORTER])
def test_only_coordinators_urge_receipt(plan, pending, username):
    with pytest.raises(workflow.PermissionDenied):
        workflow.urge_receipt(pending[0], plan, user(username))


def test_the_page_urges_all_unsigned_units_then_shows_when(login, plan, pending):
    unit, unsigned = pending
    client = login(COORDINATOR)
    units = Unit.objects.filter(
        assignments__task__plan=plan, assignments__receipt=Assignment.Receipt.PENDING
    ).distinct().count()
    reply_by = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    before = last_pk()
    response = client.post(
        reverse("tasks:receipt_urge", args=[plan.pk]), {"note": "请签收", "reply_by": reply_by}, follow=True
    )
    assert f"已催签收 {units} 个单位" in response.content.decode()
    urged = set(AssignmentEvent.objects.filter(action=URGE_RECEIPT).values_list("assignment__unit_id", flat=True))
    assert len(urged) == units
    per_person = {}
    for note in since(before):
        per_person[note.recipient_id] = per_person.get(note.recipient_id, 0) + 1
    assert set(per_person.values()) == {1}
    page = client.get(reverse("tasks:receipts", args=[plan.pk])).content.decode()
    assert reply_by in page and "上次催签收" in page

    again = client.post(reverse("tasks:receipt_urge", args=[plan.pk]), {"unit": unit.pk, "note": "再催"})
    assert again.status_code == 200 and "确定再次催签收" in again.content.decode()
    assert AssignmentEvent.objects.filter(action=URGE_RECEIPT, assignment__unit=unit).count() == len(unsigned)


def test_the_receipts_page_reads_last_urges_in_flat_queries(login, plan, pending):
    client = login(COORDINATOR)
    url = reverse("tasks:receipts", args=[plan.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for unit in Unit.objects.filter(
        assignments__task__plan=plan, assignments__receipt=Assignment.Receipt.PENDING
    ).distinct()[:10]:
        workflow.urge_receipt(unit, plan, user(COORDINATOR))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
