"""Every download and export command leaves an "export" entry: who, from where, which plan, file and period."""

import io
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse

from annual import assembly
from audit.context import acting_as
from audit.models import AuditEntry
from tests.conftest import COORDINATOR, LEADER, user

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.15"


def exports(plan, since):
    return list(
        AuditEntry.objects.filter(
            action="export", model="tasks.workplan", object_id=str(plan.pk), pk__gt=since
        ).order_by("pk")
    )


@pytest.fixture
def since():
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("annual:annual_docx", ".docx"),
        ("annual:ledger", ".xlsx"),
        ("dashboards:dashboard_units_xlsx", ".xlsx"),
        ("dashboards:matrix_xlsx", ".xlsx"),
    ],
)
def test_a_download_is_recorded(login, plan, since, name, suffix):
    if name == "annual:annual_docx":
        assembly.assemble(plan)
    response = login(LEADER).get(reverse(name, args=[plan.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    (entry,) = exports(plan, since)
    assert (entry.user, entry.ip, entry.path) == (user(LEADER), ADDRESS, reverse(name, args=[plan.pk]))
    assert entry.object_repr == plan.title
    assert (
        entry.changes["文件"].endswith(suffix)
        and quote(entry.changes["文件"]) in response["Content-Disposition"]
    )
    assert entry.changes["报送期"]


def test_the_ledger_of_one_period_names_it(login, plan, since):
    period = plan.periods.order_by("pk").first()
    login(COORDINATOR).get(reverse("annual:ledger", args=[plan.pk]), {"period": period.pk})
    (entry,) = exports(plan, since)
    assert entry.changes["报送期"] == period.name


def test_a_refused_download_is_not_recorded(login, plan, since):
    assert login("sifaju").get(reverse("annual:ledger", args=[plan.pk])).status_code == 403
    assert exports(plan, since) == []


def test_the_export_commands_are_recorded(plan, since, tmp_path):
    ledger_file, report_file = tmp_path / "台账.xlsx", tmp_path / "年度报告.docx"
    call_command("export_ledger", "--plan", plan.pk, "--out", str(ledger_file), stdout=io.StringIO())
    with acting_as(user(COORDINATOR)):
        call_command(
            "export_annual_report", "--plan", plan.pk, "--out", str(report_file), stdout=io.StringIO()
        )
    ledger, report = exports(plan, since)
    assert (ledger.user, ledger.username, ledger.ip, ledger.path) == (None, "", None, "")
    assert ledger.changes == {"文件": str(ledger_file), "报送期": "全部"}
    assert (report.user, report.changes["文件"]) == (user(COORDINATOR), str(report_file))
