"""No default ordering joins another table; the lists that need an order ask for it."""

import pytest
from django.apps import apps
from django.urls import reverse

from tasks import workflow
from tasks.models import Assignment, Task
from tests.conftest import COORDINATOR, ZONE_REPORTER, user
from units.models import Unit

pytestmark = pytest.mark.django_db

OUR_APPS = ("units", "tasks", "notifications", "annual", "audit", "dashboards", "planner")


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if m._meta.app_label in OUR_APPS],
    ids=lambda m: m._meta.label,
)
def test_a_default_query_reads_one_table(model):
    assert " JOIN " not in str(model.objects.all().query)


def test_the_receipts_page_lists_objections_in_task_order_not_by_age(plan):
    """The objection to an assignment created later on an earlier task comes first."""
    zone = Unit.objects.get(name="聊城经济技术开发区管理委员会")
    reporter = user(ZONE_REPORTER)
    older = (
        Assignment.objects.filter(task__plan=plan, unit=zone, receipt=Assignment.Receipt.PENDING, reports__isnull=True)
        .select_related("task", "task__plan", "unit")
        .order_by("-task__number")
        .first()
    )
    earlier_task = (
        Task.objects.filter(plan=plan, number__lt=older.task.number).exclude(assignments__unit=zone).order_by("number").first()
    )
    newer = Assignment.objects.create(task=earlier_task, unit=zone, role=Assignment.Role.RESPONSIBLE)
    assert newer.pk > older.pk and newer.task.number < older.task.number
    workflow.contest(older, reporter, "理由乙：后面的任务")
    workflow.contest(Assignment.objects.select_related("task", "task__plan", "unit").get(pk=newer.pk), reporter, "理由甲：前面的任务")

    from django.test import Client

    client = Client()
    client.force_login(user(COORDINATOR))
    html = client.get(reverse("tasks:receipts", args=[plan.pk])).content.decode()
    assert html.index("理由甲") < html.index("理由乙")
