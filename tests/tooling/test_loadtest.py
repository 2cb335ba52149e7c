"""The load test: its proof that nothing was lost (`verify`) catches each kind of loss, and a short real run
under gunicorn on PostgreSQL ends with every acknowledged write in the database."""

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command
from django.db import connection

from tasks import workflow
from tasks.models import Assignment, ProgressReport, ReportEvent
from tests.conftest import COORDINATOR, COUNTY_REPORTER, user
from tooling import loadtest

TEXT = {"progress": "on_track", "problems": "", "next_steps": ""}


@pytest.fixture
def staged(plan):
    """What a run leaves: two reports of a fresh period saved, submitted, one accepted, one returned — through the
    workflow — and the ledger the clients would have kept."""
    (period,) = loadtest.open_periods(plan)
    reporter, coordinator = user(COUNTY_REPORTER), user(COORDINATOR)
    assignments = list(Assignment.objects.filter(task__plan=plan, unit__name="聊城市东昌府区人民政府").order_by("pk")[:2])
    ledger = loadtest.Ledger()
    reports = []
    for n, assignment in enumerate(assignments):
        first = f"LT1-0-{2 * n + 1}"
        report = workflow.save_report(
            assignment=assignment, period=period, user=reporter, data={**TEXT, "body": f"{first} 草稿"}, version=0
        )
        ledger.saves.append((assignment.pk, period.pk, first, report.version))
        second = f"LT1-0-{2 * n + 2}"
        report = workflow.save_report(
            assignment=assignment, period=period, user=reporter, data={**TEXT, "body": f"{second} 报送稿"},
            version=report.version,
        )
        workflow.submit(report, reporter, expected_version=report.version)
        ledger.saves.append((assignment.pk, period.pk, second, None))
        ledger.transitions.append((report.pk, "submit"))
        reports.append(report)
    workflow.accept(reports[0], coordinator, expected_version=reports[0].version)
    ledger.transitions.append((reports[0].pk, "accept"))
    workflow.return_report(reports[1], coordinator, "请补充数据。", expected_version=reports[1].version)
    ledger.transitions.append((reports[1].pk, "return"))
    return [period], ledger, reports


def test_a_faithful_run_verifies_clean(staged):
    periods, ledger, _ = staged
    assert loadtest.verify(periods, ledger) == []


def test_a_lost_save_is_found(staged):
    periods, ledger, _ = staged
    ledger.saves.append((*ledger.saves[-1][:2], "LT1-0-99", 7))
    problems = loadtest.verify(periods, ledger)
    assert any("LT1-0-99" in p and "0 次" in p for p in problems), problems


def test_a_duplicated_write_is_found(staged):
    periods, ledger, reports = staged
    event = ReportEvent.objects.filter(report=reports[0], action="create").get()
    event.pk = None
    event.version = 99
    event.save()
    problems = loadtest.verify(periods, ledger)
    assert any("LT1-0-1" in p and "2 次" in p for p in problems), problems


def test_a_text_overwritten_behind_the_clients_back_is_found(staged):
    periods, ledger, reports = staged
    ProgressReport.objects.filter(pk=reports[1].pk).update(body="别人的内容")
    problems = loadtest.verify(periods, ledger)
    assert any(f"报告 {reports[1].pk} 的正文" in p for p in problems), problems


def test_a_version_that_does_not_rise_is_found(staged):
    periods, ledger, reports = staged
    ProgressReport.objects.filter(pk=reports[0].pk).update(version=1)
    problems = loadtest.verify(periods, ledger)
    assert any(f"报告 {reports[0].pk} 的版本" in p for p in problems), problems


def test_a_transition_without_its_event_is_found(staged):
    periods, ledger, reports = staged
    ReportEvent.objects.filter(report=reports[0], action="accept").delete()
    problems = loadtest.verify(periods, ledger)
    assert any("accept" in p and "记录只有 0 次" in p for p in problems), problems


def test_a_transition_nobody_asked_for_is_found(staged):
    periods, ledger, reports = staged
    ledger.transitions.remove((reports[1].pk, "return"))
    problems = loadtest.verify(periods, ledger)
    assert any("return" in p and "只确认了 0 次" in p for p in problems), problems


def test_bounds_and_loopback():
    with pytest.raises(loadtest.LoadTestError, match="duration"):
        loadtest.run(loadtest.Options(duration=0))
    with pytest.raises(loadtest.LoadTestError, match="max-requests"):
        loadtest.run(loadtest.Options(max_requests=loadtest.MAX_REQUESTS + 1))
    assert loadtest.HOST == "127.0.0.1"


def test_an_in_memory_sqlite_database_is_refused_with_a_reason(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(CommandError, match="内存数据库"):
        call_command("loadtest", "--duration", "1", "--size", "0.1", "--reporters", "1")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="gunicorn shares the database: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_short_real_run_loses_nothing(settings):
    # gunicorn's workers check passwords with the default hashers, not the test suite's fast one
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    result = loadtest.run(
        loadtest.Options(duration=4, reporters=3, coordinators=1, workers=2, size=0.1, return_every=2, periods=2),
        progress=lambda text: None,
    )
    assert result["problems"] == []
    assert result["errors"] == 0, result["error_kinds"]
    assert result["acknowledged"]["saves"] > 0
    assert result["acknowledged"]["submits"] > 0
    assert result["requests"] > 20
    assert ProgressReport.objects.filter(period__name__in=result["periods"]).count() > 0
    assert "没有丢失" in loadtest.table(result)
