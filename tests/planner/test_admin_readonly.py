"""The admin shows what the application writes but never lets anyone add or edit it, superusers included;
the audit log, the outbox and the workflow's records cannot be deleted there either."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from annual.models import AnnualReport, ReportPart
from audit.models import AuditEntry
from notifications.models import Notification, OutboxEmail, SentReminder
from tasks.admin import AssignmentInline
from tasks.models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
    ReportAttachment,
    ReportEvent,
    ReportingPeriod,
    Task,
    WorkPlan,
)
from units.models import Unit, User

pytestmark = pytest.mark.django_db

NEVER_DELETED = [AuditEntry, OutboxEmail, ProgressReport, ReportEvent, AssignmentEvent, ExtensionRequest, ReportAttachment]
DELETABLE = [Notification, SentReminder, AnnualReport, ReportPart]


@pytest.fixture
def request_of_superuser():
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root_check", password="x" * 20)
    return request


@pytest.mark.parametrize("model", NEVER_DELETED + DELETABLE, ids=lambda m: m.__name__)
def test_nobody_adds_or_changes_what_the_application_writes(model, request_of_superuser):
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request_of_superuser)
    assert not model_admin.has_change_permission(request_of_superuser)
    assert model_admin.has_view_permission(request_of_superuser)
    assert model_admin.has_delete_permission(request_of_superuser) == (model in DELETABLE)


# --- The workflow's fields: read-only on the change pages, which link to the product page that changes them ----

ASSIGNMENT_FIELDS = {
    "task", "unit", "role", "order", "deadline", "receipt", "receipt_at", "receipt_by", "receipt_note",
    "is_active", "deactivated_at", "deactivated_by", "deactivation_reason",
}
WORKFLOW_FIELDS = [
    # (model, fields tasks.workflow changes, the product page the change page links to)
    (Assignment, ASSIGNMENT_FIELDS, lambda obj: reverse("tasks:receipts", args=[obj.task.plan_id])),
    (
        ReportingPeriod,
        {"name", "starts_on", "ends_on", "due_on", "locked"},
        lambda obj: reverse("tasks:period_edit", args=[obj.pk]),
    ),
    (Task, {"deadline", "completed_at", "completed_by", "completion_note"}, lambda obj: reverse("tasks:task_detail", args=[obj.pk])),
    (WorkPlan, {"unit_approval", "public_dashboard"}, lambda obj: reverse("tasks:period_list", args=[obj.pk])),
]


@pytest.mark.parametrize(("model", "fields", "product_url"), WORKFLOW_FIELDS, ids=lambda v: getattr(v, "__name__", ""))
def test_the_workflows_fields_are_read_only_and_the_page_links_to_the_product(
    model, fields, product_url, request_of_superuser, client
):
    model_admin = admin.site._registry[model]
    obj = model.objects.order_by("pk").first()
    assert fields <= set(model_admin.get_readonly_fields(request_of_superuser, obj))
    client.force_login(request_of_superuser.user)
    url = reverse(f"admin:tasks_{model._meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert f'href="{product_url(obj)}"' in page.content.decode()
    form = page.context["adminform"].form
    assert not fields & set(form.fields)  # nothing to post for them


def test_posting_the_workflows_fields_to_the_admin_changes_nothing(plan, request_of_superuser, client):
    client.force_login(request_of_superuser.user)
    assignment = Assignment.objects.filter(task__plan=plan).order_by("pk").first()
    other = Unit.objects.exclude(assignments__task=assignment.task).order_by("pk").first()
    before = Assignment.objects.filter(pk=assignment.pk).values().get()
    client.post(
        reverse("admin:tasks_assignment_change", args=[assignment.pk]),
        {"task": assignment.task_id, "unit": other.pk, "role": "lead", "deadline": "2099-01-01",
         "receipt": "confirmed", "order": 9, "is_active": ""},
    )
    assert Assignment.objects.filter(pk=assignment.pk).values().get() == before

    period = plan.periods.order_by("pk").first()
    client.post(
        reverse("admin:tasks_reportingperiod_change", args=[period.pk]),
        {"plan": plan.pk, "name": "改过的名称", "starts_on": "2000-01-01", "ends_on": "2000-01-02",
         "due_on": "2000-01-03", "locked": "on" if not period.locked else ""},
    )
    period_after = ReportingPeriod.objects.get(pk=period.pk)
    assert period_after.locked == period.locked and period_after.name == period.name
    assert (period_after.starts_on, period_after.due_on) == (period.starts_on, period.due_on)


def test_the_tasks_assignments_are_read_only_in_its_page(plan, request_of_superuser, client):
    inline = AssignmentInline(Task, admin.site)
    assert not inline.has_add_permission(request_of_superuser, None)
    assert not inline.has_change_permission(request_of_superuser, None)
    assert not inline.has_delete_permission(request_of_superuser, None)
    task = plan.tasks.order_by("number").first()
    client.force_login(request_of_superuser.user)
    text = client.get(reverse("admin:tasks_task_change", args=[task.pk])).content.decode()
    assert f'href="{reverse("tasks:task_detail", args=[task.pk])}"' in text
    assert 'name="assignments-0-unit"' not in text
