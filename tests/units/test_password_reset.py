"""单位用户 and 重设密码 (coordinators), the forced change after a reset, and 修改密码 (everyone)."""

import logging
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import ADMIN, APPROVER, COORDINATOR, COUNTY_REPORTER, LEADER, PASSWORD, ZONE_REPORTER
from units.forms import UNAMBIGUOUS
from units.models import Membership, Unit, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fazhi#2024zf"
TEMPORARY = re.compile(r'class="temporary-password">([^<]+)<')


def reset_url(person):
    return reverse("units:password_reset", args=[person.pk])


def log_in(username, password):
    """A fresh client logged in through the log-in page (the real stack: axes, the auth backends)."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def unit_user(username, unit_name="聊城市东昌府区人民政府", **fields):
    person = User.objects.create_user(username, password=PASSWORD, **fields)
    Membership.objects.create(user=person, unit=Unit.objects.get(name=unit_name), role="reporter")
    return person


# -- typed password -------------------------------------------------------------------------------------------


def test_a_coordinator_sets_a_typed_password(login):
    client = login(COORDINATOR)
    target = User.objects.get(username=COUNTY_REPORTER)
    assert client.get(reset_url(target)).status_code == 200
    response = client.post(reset_url(target), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("units:user_list")
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD) and not target.check_password(PASSWORD)
    assert target.must_change_password
    entry = AuditEntry.objects.get(action="password_reset", object_id=str(target.pk))
    assert entry.username == COORDINATOR and entry.changes == {"方式": "指定密码"}
    page = client.get(response["Location"]).content.decode()
    assert "已为 刘洋（dongchangfu）设置新密码" in page
    assert NEW_PASSWORD not in page
    # the old password no longer logs in; the new one does, straight to 修改密码
    assert log_in(COUNTY_REPORTER, PASSWORD)[1].status_code == 200  # the form again, with the error
    other, response = log_in(COUNTY_REPORTER, NEW_PASSWORD)
    assert response.status_code == 302
    assert other.get(reverse("home"))["Location"] == reverse("password_change")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab#1xy", "密码长度太短。密码必须包含至少 8 个字符。"),
        ("2024061512", "密码只包含数字。"),
        ("password123", "这个密码太常见了。"),
        ("dongchangfu24", "密码跟 用户名 太相似了。"),
    ],
)
def test_the_validators_refuse_a_weak_password_in_chinese(login, password, message):
    client = login(COORDINATOR)
    target = User.objects.get(username=COUNTY_REPORTER)
    response = client.post(reset_url(target), {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and not target.must_change_password


def test_two_different_passwords_are_refused(login):
    target = User.objects.get(username=COUNTY_REPORTER)
    response = login(COORDINATOR).post(reset_url(target), {"new_password1": NEW_PASSWORD, "new_password2": "x"})
    assert "输入的两个密码不一致。" in response.content.decode()
    target.refresh_from_db()
    assert target.check_password(PASSWORD)


# -- generated password ---------------------------------------------------------------------------------------


def test_a_generated_password_is_shown_once_and_must_be_changed(login, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(COORDINATOR)
    target = User.objects.get(username=COUNTY_REPORTER)
    response = client.post(reset_url(target), {"generate": "1"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    temporary = TEMPORARY.search(response.content.decode()).group(1)
    assert len(temporary) == 12 and set(temporary) <= set(UNAMBIGUOUS)
    target.refresh_from_db()
    assert target.check_password(temporary) and target.must_change_password
    # shown in this response only: not in a cookie, the session, a later page or the logs
    assert temporary not in str(response.cookies) and temporary not in str(dict(client.session))
    assert temporary not in client.get(reset_url(target)).content.decode()
    assert temporary not in client.get(reverse("units:user_list")).content.decode()
    assert temporary not in caplog.text and temporary not in target.password
    entries = AuditEntry.objects.filter(object_id=str(target.pk), model="units.user")
    assert entries.get(action="password_reset").changes == {"方式": "临时密码"}
    assert all(temporary not in str(e.changes) and target.password not in str(e.changes) for e in entries)

    person, response = log_in(COUNTY_REPORTER, temporary)
    assert response.status_code == 302
    response = person.get(reverse("tasks:my_tasks"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "您的密码是统筹人员设置的" in response.content.decode()
    assert person.get(reverse("notifications:list"))["Location"] == reverse("password_change")

    # the temporary password itself is not accepted as the new one
    response = person.post(
        reverse("password_change"),
        {"old_password": temporary, "new_password1": temporary, "new_password2": temporary},
    )
    assert "新密码不能与旧密码相同" in response.content.decode()
    response = person.post(
        reverse("password_change"),
        {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")
    target.refresh_from_db()
    assert not target.must_change_password and target.check_password(NEW_PASSWORD)
    assert person.get(reverse("tasks:my_tasks")).status_code == 200
    assert "密码已修改" in person.get(reverse("password_change_done")).content.decode()


def test_a_person_who_must_change_may_still_log_out_and_load_static_files(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve static/ without collectstatic
    person = User.objects.get(username=COUNTY_REPORTER)
    person.must_change_password = True
    person.save()
    client.force_login(person)
    assert client.get("/static/css/site.css").status_code == 200
    assert client.get(reverse("password_change")).status_code == 200
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_an_inactive_user_can_be_reset_and_stays_inactive(login):
    target = User.objects.get(username=ZONE_REPORTER)
    target.is_active = False
    target.save()
    response = login(COORDINATOR).post(reset_url(target), {"generate": "1"})
    assert response.status_code == 200 and "该账号已停用" in response.content.decode()
    target.refresh_from_db()
    assert not target.is_active and target.must_change_password
    assert log_in(ZONE_REPORTER, TEMPORARY.search(response.content.decode()).group(1))[1].status_code == 200


# -- refusals -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [COUNTY_REPORTER, APPROVER, LEADER])
def test_only_coordinators_reset(login, role):
    client = login(role)
    target = User.objects.get(username=ZONE_REPORTER)
    assert client.get(reset_url(target)).status_code == 403
    assert client.post(reset_url(target), {"generate": "1"}).status_code == 403
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(reset_url(target), data).status_code == 403
    assert client.get(reverse("units:user_list")).status_code == 403
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and not target.must_change_password


def _other_coordinator():
    person = unit_user("coordinator2")
    person.groups.add(Group.objects.get(name="coordinator"))
    return person


@pytest.mark.parametrize(
    "make_target",
    [
        pytest.param(_other_coordinator, id="coordinator"),
        pytest.param(lambda: User.objects.get(username=COORDINATOR), id="self"),
        pytest.param(lambda: User.objects.get(username=LEADER), id="leader"),
        pytest.param(lambda: User.objects.get(username=ADMIN), id="superuser"),
        pytest.param(lambda: unit_user("staff_reporter", is_staff=True), id="staff"),
    ],
)
def test_protected_accounts_are_refused(login, make_target):
    target = make_target()
    Membership.objects.get_or_create(user=target, unit=Unit.objects.get(name="聊城市司法局"), role="reporter")
    client = login(COORDINATOR)
    assert client.get(reset_url(target)).status_code == 403
    assert client.post(reset_url(target), {"generate": "1"}).status_code == 403
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(reset_url(target), data).status_code == 403
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and not target.must_change_password
    assert not AuditEntry.objects.filter(action="password_reset").exists()
    row = client.get(reverse("units:user_list"), {"q": target.username}).content.decode()
    assert target.username in row and reset_url(target) not in row


def test_an_unknown_person_is_404(login):
    assert login(COORDINATOR).get(reverse("units:password_reset", args=[999999])).status_code == 404


def test_a_post_without_csrf_token_is_refused(django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.get(username=COORDINATOR))
    target = User.objects.get(username=COUNTY_REPORTER)
    assert client.post(reset_url(target), {"generate": "1"}).status_code == 403
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and not target.must_change_password


# -- sessions -------------------------------------------------------------------------------------------------


def test_a_reset_ends_the_persons_sessions_on_every_device(login):
    target = User.objects.get(username=COUNTY_REPORTER)
    devices = [Client(), Client()]
    for device in devices:
        device.force_login(target)
        assert device.get(reverse("tasks:my_tasks")).status_code == 200
    coordinator = login(COORDINATOR)
    coordinator.post(reset_url(target), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    for device in devices:
        assert device.get(reverse("tasks:my_tasks"))["Location"].startswith(reverse("login"))
    assert coordinator.get(reverse("units:user_list")).status_code == 200  # the coordinator's own stays


def test_changing_ones_password_ends_the_other_sessions_only(client):
    person = User.objects.get(username=APPROVER)
    here, elsewhere = Client(), Client()
    here.post(reverse("login"), {"username": APPROVER, "password": PASSWORD})
    elsewhere.force_login(person)
    response = here.post(
        reverse("password_change"),
        {"old_password": "wrong-one", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "旧密码" in response.content.decode() and response.status_code == 200
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")
    assert here.get(reverse("tasks:my_tasks")).status_code == 200
    assert elsewhere.get(reverse("tasks:my_tasks"))["Location"].startswith(reverse("login"))


# -- the list -------------------------------------------------------------------------------------------------


def test_the_list_shows_unit_users_with_their_units_and_filters(login):
    client = login(COORDINATOR)
    inactive = unit_user("retired", full_name="钱退休", is_active=False)
    page = client.get(reverse("units:user_list")).content.decode()
    for username in (COUNTY_REPORTER, APPROVER, ZONE_REPORTER, "retired"):
        assert f'<td data-label="用户名">{username}</td>' in page
    for username in (COORDINATOR, LEADER, ADMIN):  # no unit role
        assert f'<td data-label="用户名">{username}</td>' not in page
    assert "东昌府区 · 审核人" in page and "已停用" in page and "从未登录" in page
    assert reset_url(inactive) in page
    assert 'class="active" aria-current="page">单位用户</a>' in page

    county = Unit.objects.get(name="聊城市东昌府区人民政府")
    page = client.get(reverse("units:user_list"), {"unit": county.pk}).content.decode()
    assert f'<td data-label="用户名">{COUNTY_REPORTER}</td>' in page and f'<td data-label="用户名">{APPROVER}</td>' in page
    assert f'<td data-label="用户名">{ZONE_REPORTER}</td>' not in page

    page = client.get(reverse("units:user_list"), {"q": "刘洋"}).content.decode()  # full name
    assert f'<td data-label="用户名">{COUNTY_REPORTER}</td>' in page and f'<td data-label="用户名">{APPROVER}</td>' not in page
    page = client.get(reverse("units:user_list"), {"q": "SHENHE"}).content.decode()  # username, any case
    assert f'<td data-label="用户名">{APPROVER}</td>' in page and f'<td data-label="用户名">{COUNTY_REPORTER}</td>' not in page


def test_the_menu_offers_unit_users_to_coordinators_only(login):
    page = login(COORDINATOR).get(reverse("home")).content.decode()
    assert reverse("units:user_list") in page and reverse("password_change") in page
    page = login(LEADER).get(reverse("home")).content.decode()
    assert reverse("units:user_list") not in page and "修改密码" in page


def _add_unit_users(start, stop):
    unit = Unit.objects.get(name="聊城市司法局")
    people = User.objects.bulk_create(
        User(username=f"bulk{i:04}", full_name=f"批量{i}", password=make_password(None)) for i in range(start, stop)
    )
    Membership.objects.bulk_create(Membership(user=p, unit=unit, role="reporter") for p in people)


def test_the_list_query_count_does_not_grow(login):
    client = login(COORDINATOR)
    client.get(reverse("units:user_list"))  # the session's first request writes it (log-in stamps)
    counts = []
    for start, stop in ((0, 5), (5, 200)):
        _add_unit_users(start, stop)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("units:user_list"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    page = response.content.decode()
    assert len(re.findall(r"/units/users/\d+/password/", page)) == 100  # 207 unit users, 100 a page
    assert "第 1 / 3 页" in page
    assert "第 3 / 3 页" in client.get(reverse("units:user_list"), {"page": 3}).content.decode()


def test_a_reset_lifts_a_log_in_lock_out(login):
    """Locked out after five wrong passwords, the person calls the coordinator: the new password works at once."""
    target = unit_user("locked_out")
    for _ in range(5):
        log_in("locked_out", "wrong-password")
    assert log_in("locked_out", PASSWORD)[1].status_code == 429
    login(COORDINATOR).post(reset_url(target), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client, response = log_in("locked_out", NEW_PASSWORD)
    assert response.status_code == 302
