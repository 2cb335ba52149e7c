"""The admin shows what the application writes but never lets anyone add or edit it, superusers included;
the audit log, the outbox and the workflow's records cannot be deleted there either."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from annual.models import AnnualReport, ReportPart
from audit.models import AuditEntry
from notifications.models import Notification, OutboxEmail, SentReminder
from tasks.models import AssignmentEvent, ExtensionRequest, ProgressReport, ReportAttachment, ReportEvent
from units.models import User

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
