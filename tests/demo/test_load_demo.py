import datetime
import io
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from dashboards import metrics
from tasks.models import (
    Assignment,
    ExtensionRequest,
    ProgressReport,
    ReportEvent,
    ReportingPeriod,
    Task,
    WorkPlan,
)
from tasks.periods import current_period
from tasks.workdays import WorkCalendar
from units.models import Membership, Unit, UnitAlias, UnitGroup, User
from units.roles import roles_for

pytestmark = pytest.mark.django_db


def counts():
    models = [Unit, UnitAlias, UnitGroup, Membership, User, WorkPlan, Task, Assignment, ReportingPeriod]
    return {model.__name__: model.objects.count() for model in models}


def test_running_it_again_changes_nothing():
    before = counts()
    out = io.StringIO()
    call_command("load_demo", "--fixed-year", stdout=out)
    assert counts() == before
    assert "coordinator" in out.getvalue() and "Demo@2022" in out.getvalue()


def frozen(day, hour=15):
    """The site's clock stopped on `day` (timezone.now, and through it localdate and tasks.status.today)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return mock.patch("django.utils.timezone.now", return_value=moment)


def live_lights(plan):
    periods = list(plan.periods.order_by("due_on"))
    on = plan.as_of(periods)
    overview = metrics.Overview(plan, current_period(periods, on), WorkCalendar.load(), on)
    return overview.totals(overview.task_lines())


def test_the_demo_is_two_years_one_of_them_live_and_a_new_year_makes_its_plan():
    """In the middle of a year (a Thursday of December), then again, then in the next year."""
    day = datetime.date(2026, 12, 3)
    out = io.StringIO()
    with frozen(day):
        call_command("load_demo", stdout=out)
        old = WorkPlan.objects.get(doc_number="聊政办字〔2022〕9号")
        live = WorkPlan.objects.get(doc_number="聊政办字〔2026〕9号")
        assert (old.status, old.closed_on, old.as_of()) == ("closed", datetime.date(2022, 12, 31), datetime.date(2022, 12, 31))
        assert live.status == "active" and live.year == 2026 and "2026" in live.title
        assert live.tasks.count() == old.tasks.count() and live.as_of() == day
        # three quarters settled and locked, 全年 open and due soon
        periods = list(live.periods.order_by("due_on"))
        assert [p.name for p in periods] == ["第一季度", "第二季度", "第三季度", "全年"]
        assert [p.locked for p in periods] == [True, True, True, False]
        assert periods[-1].due_on == datetime.date(2026, 12, 10)
        # every light, and every report state in the open period; two extension requests wait
        totals = live_lights(live)
        assert all(totals.lights[light] > 0 for light in metrics.LIGHTS), totals.lights
        assert 0 < totals.reported < totals.assignments and totals.returned > 0
        states = set(ProgressReport.objects.filter(period=periods[-1]).values_list("state", flat=True))
        assert states == {"draft", "submitted", "returned", "accepted"}
        assert ExtensionRequest.objects.filter(assignment__task__plan=live, state="pending").count() == 2
        # nothing in the future: every event of the live plan before today
        latest = ReportEvent.objects.filter(report__period__plan=live).aggregate(m=Max("at"))["m"]
        assert timezone.localdate(latest) < day
        assert "先打开《聊城市2026年法治政府建设工作计划》" in out.getvalue()

        before = counts() | {"reports": ProgressReport.objects.count(), "events": ReportEvent.objects.count()}
        call_command("load_demo", stdout=io.StringIO())
        assert counts() | {"reports": ProgressReport.objects.count(), "events": ReportEvent.objects.count()} == before

    with frozen(datetime.date(2027, 5, 20)):
        call_command("load_demo", stdout=io.StringIO())
        live.refresh_from_db()
        assert (live.status, live.closed_on) == ("closed", datetime.date(2026, 12, 31))
        new = WorkPlan.objects.get(doc_number="聊政办字〔2027〕9号")
        assert new.status == "active" and new.year == 2027
        assert [p.locked for p in new.periods.order_by("due_on")] == [True, False, False, False]
        assert ProgressReport.objects.filter(period__plan=new).exists()


def test_it_loads_the_demo_people_with_their_roles():
    assert roles_for(User.objects.get(username="coordinator")).is_coordinator
    assert roles_for(User.objects.get(username="leader")).is_leader
    county = roles_for(User.objects.get(username="dongchangfu"))
    assert [unit.short_name for unit in county.units] == ["东昌府区"]
    assert county.is_reporter and not county.sees_everything
    approver = roles_for(User.objects.get(username="dongchangfu_shenhe"))
    assert not approver.is_reporter and approver.labels == ["单位审核人"]


def test_the_coordinator_group_may_edit_the_plan_but_not_people():
    perms = set(Group.objects.get(name="coordinator").permissions.values_list("codename", flat=True))
    assert {"change_task", "add_assignment", "change_unit", "view_user", "view_progressreport"} <= perms
    assert not {"add_user", "change_user", "change_progressreport", "delete_reportevent"} & perms


def test_the_default_sqlite_database_runs_in_wal_mode(tmp_path, settings):
    """The configured SQLite options put a file database in WAL mode (the test database is in memory)."""
    if connection.vendor != "sqlite":
        pytest.skip("WAL is an SQLite setting")
    from django.db.backends.sqlite3.base import DatabaseWrapper

    config = {**connection.settings_dict, "NAME": str(tmp_path / "wal.sqlite3")}
    config["OPTIONS"] = settings.DATABASES["default"]["OPTIONS"]
    wrapper = DatabaseWrapper(config, alias="wal_check")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        wrapper.close()
