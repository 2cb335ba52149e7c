"""The world the hostile-input tests attack: the permission table's world (unit A = 东昌府区, a draft report with
an attachment, a pending extension, a notification), plus another unit's report whose text must never leak, and
the year-end draft."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annual import assembly
from annual.models import AnnualReport
from notifications.models import Notification
from tasks import access, workflow
from tasks.models import Assignment, ReportAttachment
from tasks.uploads import check_attachment
from tests.conftest import ADMIN, COORDINATOR, COUNTY_REPORTER, ZONE_REPORTER
from tests.tasks.test_permissions import PDF, world  # noqa: F401  (the fixture, reused as it is)
from units.models import User

SECRET = "经开区内部进展：保密测试句子甲乙丙"
SECRET_FILE = "经开区保密附件.pdf"


@pytest.fixture
def zone(world):  # noqa: F811
    """Unit B (经开区)'s report in the same period, on a task unit A does not lead, with an attachment, an
    extension request and a notification of its own."""
    county, reporter = User.objects.get(username=COUNTY_REPORTER), User.objects.get(username=ZONE_REPORTER)
    assignment = (
        access.my_assignments(reporter)
        .exclude(task_id__in=access.led_task_ids(county))
        .select_related("task", "task__plan", "unit")
        .order_by("task__number")
        .first()
    )
    upload = SimpleUploadedFile(SECRET_FILE, PDF, content_type="application/pdf")
    report = workflow.save_report(
        assignment=assignment,
        period=world["period"],
        user=reporter,
        data={"progress": "on_track", "body": SECRET},
        attachments=[(upload, check_attachment(upload))],
    )
    later = (assignment.deadline or datetime.date(2022, 12, 31)) + datetime.timedelta(days=30)
    extension = workflow.request_extension(assignment, reporter, later, SECRET)
    note = Notification.objects.create(recipient=reporter, title=SECRET, body=SECRET, url="/")
    return {
        "assignment": assignment,
        "report": report,
        "attachment": ReportAttachment.objects.get(report=report),
        "extension": extension,
        "note": note,
        "task": assignment.task,
    }


@pytest.fixture
def refs(world, zone):  # noqa: F811
    """Names a strategy may use for a real id ("@report") → the id, resolved when the example runs."""
    unit_a = world["assignment"].unit
    return {
        "@plan": world["plan"].pk,
        "@period": world["period"].pk,
        "@task": world["task"].pk,
        "@section": world["task"].section_id,
        "@assignment": world["assignment"].pk,
        "@report": world["report"].pk,
        "@attachment": world["attachment"].pk,
        "@extension": world["extension"].pk,
        "@note": world["note"].pk,
        "@unit": unit_a.pk,
        "@zone_assignment": zone["assignment"].pk,
        "@zone_report": zone["report"].pk,
        "@zone_attachment": zone["attachment"].pk,
        "@zone_extension": zone["extension"].pk,
        "@zone_note": zone["note"].pk,
        "@zone_unit": zone["assignment"].unit_id,
        "@zone_task": zone["task"].pk,
        "@other_unit": Assignment.objects.exclude(task=world["task"]).exclude(unit=unit_a).first().unit_id,
        "@county_user": User.objects.get(username=COUNTY_REPORTER).pk,
        "@zone_user": User.objects.get(username=ZONE_REPORTER).pk,
        "@coordinator_user": User.objects.get(username=COORDINATOR).pk,
        "@admin_user": User.objects.get(username=ADMIN).pk,
    }


@pytest.fixture
def draft(world):  # noqa: F811
    """The plan's year-end draft, assembled from the world's period."""
    assembly.assemble(world["plan"], period=world["period"], user=User.objects.get(username=COORDINATOR))
    return AnnualReport.objects.get(plan=world["plan"])
