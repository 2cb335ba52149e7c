import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from tasks.models import Assignment, ReportingPeriod, Task, WorkPlan
from units.models import Membership, Unit, UnitAlias, UnitGroup, User
from units.roles import roles_for

pytestmark = pytest.mark.django_db


def counts():
    models = [Unit, UnitAlias, UnitGroup, Membership, User, WorkPlan, Task, Assignment, ReportingPeriod]
    return {model.__name__: model.objects.count() for model in models}


def test_running_it_again_changes_nothing():
    before = counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert counts() == before
    assert "coordinator" in out.getvalue() and "Demo@2022" in out.getvalue()


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
