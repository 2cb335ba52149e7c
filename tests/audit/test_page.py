"""The coordinator's audit log page: filters (person, dates in Asia/Shanghai, action, type), who may read it,
escaping, paging, a flat query count; the menu item; the read-only admin."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.context import acting_as
from audit.models import AuditEntry
from tests.conftest import ADMIN, APPROVER, COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER, user
from units.models import Unit

pytestmark = pytest.mark.django_db

LOG = reverse("audit:log")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def entries():
    """Five entries in 2031 (far from the demo's own), by name → entry."""
    coordinator, reporter = user(COORDINATOR), user(COUNTY_REPORTER)
    rows = {
        "before_may": (at(2031, 4, 30, 23, 59, 59), coordinator, "update"),
        "may_first": (at(2031, 5, 1, 0, 0, 0), coordinator, "create"),
        "may_last": (at(2031, 5, 31, 23, 59, 59), reporter, "update"),
        "june": (at(2031, 6, 1, 0, 0, 0), reporter, "export"),
        "nobody": (at(2031, 5, 15, 12, 0), None, "login_failed"),
    }
    return {
        name: AuditEntry.objects.create(
            at=when,
            user=person,
            username=person.username if person else "guessing_guest",
            action=action,
            model="units.unit",
            object_id="1",
            object_repr=f"测试对象{name}",
        )
        for name, (when, person, action) in rows.items()
    }


def shown(client, **params):
    """The names of the fixture entries the page lists for these filters (within 2031)."""
    params = {"date_from": "2031-01-01", "date_to": "2031-12-31", **params}
    response = client.get(LOG, params)
    assert response.status_code == 200
    return [entry.object_repr.removeprefix("测试对象") for entry in response.context["page"]]


def test_filters_return_exactly_the_expected_rows(login, entries):
    client = login(COORDINATOR)
    assert shown(client) == ["june", "may_last", "nobody", "may_first", "before_may"]  # newest first
    # dates are local (Asia/Shanghai) and both ends are inclusive
    assert shown(client, date_from="2031-05-01", date_to="2031-05-31") == ["may_last", "nobody", "may_first"]
    assert shown(client, date_from="2031-05-01", date_to="2031-05-01") == ["may_first"]
    assert shown(client, date_from="2031-04-30", date_to="2031-04-30") == ["before_may"]
    assert shown(client, date_from="2031-06-01") == ["june"]
    # person: username, full name, or the name tried at a failed log-in
    assert shown(client, person=COUNTY_REPORTER) == ["june", "may_last"]
    assert shown(client, person=user(COORDINATOR).full_name) == ["may_first", "before_may"]
    assert shown(client, person="guessing") == ["nobody"]
    assert shown(client, action="update") == ["may_last", "before_may"]
    assert shown(client, action="update", person=COORDINATOR) == ["before_may"]
    assert shown(client, model="units.unit", action="export") == ["june"]
    assert shown(client, model="tasks.task") == []


def test_a_bad_filter_says_so(login, entries):
    response = login(COORDINATOR).get(LOG, {"date_from": "not-a-date", "action": "explode"})
    assert response.status_code == 200
    assert "筛选条件有误" in response.content.decode()


def test_a_row_shows_time_person_address_action_type_object_and_changes(login):
    coordinator = user(COORDINATOR)
    AuditEntry.objects.create(
        at=at(2031, 3, 2, 9, 30),
        user=coordinator,
        username=COORDINATOR,
        action="update",
        model="units.unit",
        object_id="7",
        object_repr="市某局",
        ip="10.0.0.9",
        changes={
            "short_name": ["旧名", "新名"],
            "gone_field": ["1", "2"],
            "members": {"added": ["甲", "乙"]},
        },
    )
    page = login(COORDINATOR).get(LOG, {"date_from": "2031-03-02", "date_to": "2031-03-02"}).content.decode()
    for text in (
        "2031-03-02 09:30:00",
        coordinator.full_name,
        COORDINATOR,
        "10.0.0.9",
        "修改",
        "单位",
        "市某局",
        "简称: 旧名 → 新名",
        "gone_field: 1 → 2",
        "增加：甲、乙",
    ):
        assert text in page, text


def test_a_script_in_an_object_name_is_escaped(login):
    with acting_as(user(COORDINATOR)):
        Unit.objects.create(name="<script>alert(1)</script>", short_name="<script>alert(2)</script>")
    page = login(COORDINATOR).get(LOG, {"model": "units.unit", "action": "create"}).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page  # the object
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the change lines


@pytest.mark.parametrize(
    ("username", "status"),
    [
        (COORDINATOR, 200),
        (ADMIN, 200),
        (LEADER, 403),
        (LEAD_REPORTER, 403),
        (COUNTY_REPORTER, 403),
        (APPROVER, 403),
    ],
)
def test_only_coordinators_read_the_log(login, username, status):
    assert login(username).get(LOG).status_code == status


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(LOG)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_menu_offers_the_log_to_coordinators_only(login):
    page = login(COORDINATOR).get(LOG).content.decode()
    assert f'<a href="{LOG}" class="active" aria-current="page">审计日志</a>' in page
    assert f'href="{LOG}"' not in login(LEADER).get(reverse("home")).content.decode()


def make(start, stop):
    coordinator = user(COORDINATOR)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=at(2032, 1, 1, 8) + datetime.timedelta(minutes=n),
            user=coordinator if n % 2 else None,
            username=COORDINATOR if n % 2 else "",
            action="update",
            model="tasks.task" if n % 3 else "units.gone",
            object_id=str(n),
            object_repr=f"对象{n}",
            changes={"title": [f"旧{n}", f"新{n}"], "note": f"说明{n}"},
        )
        for n in range(start, stop)
    )


def test_the_page_takes_the_same_queries_with_more_entries_and_pages_by_100(login):
    client = login(COORDINATOR)
    params = {"date_from": "2032-01-01", "date_to": "2032-01-01"}
    make(0, 5)
    client.get(LOG, params)  # warm caches (content types, translations)
    with CaptureQueriesContext(connection) as small:
        client.get(LOG, params)
    make(5, 300)
    with CaptureQueriesContext(connection) as large:
        response = client.get(LOG, params)
    assert len(large) == len(small), [query["sql"] for query in large.captured_queries]
    assert len(response.context["page"]) == 100 and response.context["page"].paginator.count == 300
    page = response.content.decode()
    assert "第 1 / 3 页" in page and "page=2" in page and "date_from=2032-01-01" in page
    assert "对象299" in page and "对象199" not in page
    # the type by its verbose name; a model that no longer exists by its label
    assert '<td data-label="对象类型" class="nowrap">任务</td>' in page and '<td data-label="对象类型" class="nowrap">units.gone</td>' in page
    last = client.get(LOG, {**params, "page": 3})
    assert [entry.object_repr for entry in last.context["page"]][-1] == "对象0"


def test_the_admin_is_read_only_even_for_a_superuser(login):
    client = login(ADMIN)
    entry = AuditEntry.objects.create(action="export", username="x", object_repr="导出测试")
    assert client.get(reverse("admin:audit_auditentry_changelist"), {"q": "导出测试"}).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    response = client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"username": "y"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.username == "x"
