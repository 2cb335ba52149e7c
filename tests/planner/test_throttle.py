"""Log-in throttling (django-axes): 5 wrong passwords lock that user name at that address for 15 minutes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEADER, PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    responses = [log_in(client, username, "wrong-password", **extra) for _ in range(times)]
    return responses[-1]


def is_logged_in(client):
    return "_auth_user_id" in client.session


def test_the_fifth_wrong_password_locks_the_account_at_this_address(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    response = fail(client, COUNTY_REPORTER, 4)
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()

    response = fail(client, COUNTY_REPORTER, 1)
    assert response.status_code == 429

    response = log_in(client, COUNTY_REPORTER, PASSWORD)  # the right password no longer helps
    assert response.status_code == 429
    assert not is_logged_in(client)
    page = response.content.decode()
    assert "登录已暂时锁定" in page
    assert f"账号“{COUNTY_REPORTER}”已连续 5 次输入错误的密码" in page
    assert "请 15 分钟后再试" in page
    assert "市司法局统筹人员或系统管理员" in page
    assert 'lang="zh-hans"' in page


def test_others_at_the_same_address_and_the_same_person_elsewhere_can_log_in(client):
    fail(client, COUNTY_REPORTER, 5)
    assert log_in(client, COUNTY_REPORTER, PASSWORD).status_code == 429

    response = log_in(client, LEADER, PASSWORD)  # same address, another user name
    assert response.status_code == 302 and is_logged_in(client)
    client.post(reverse("logout"))

    response = log_in(client, COUNTY_REPORTER, PASSWORD, REMOTE_ADDR="10.1.2.3")  # same name, another address
    assert response.status_code == 302 and is_logged_in(client)


def test_after_the_cool_off_the_right_password_works_again(client):
    fail(client, COUNTY_REPORTER, 5)
    assert log_in(client, COUNTY_REPORTER, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))  # 16 minutes later

    response = log_in(client, COUNTY_REPORTER, PASSWORD)
    assert response.status_code == 302 and is_logged_in(client)
    assert not AccessAttempt.objects.filter(username=COUNTY_REPORTER).exists()  # and the count starts afresh


def test_a_successful_log_in_resets_the_count(client):
    fail(client, COORDINATOR, 4)
    assert log_in(client, COORDINATOR, PASSWORD).status_code == 302
    client.post(reverse("logout"))

    response = fail(client, COORDINATOR, 4)  # 4 + 4 failures, but never 5 in a row
    assert response.status_code == 200
    assert log_in(client, COORDINATOR, PASSWORD).status_code == 302


def test_x_forwarded_for_is_ignored_unless_proxies_are_configured(client, settings):
    # Without trusted proxies a client cannot dodge the lock by inventing addresses.
    for n in range(5):
        log_in(client, COUNTY_REPORTER, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert log_in(client, COUNTY_REPORTER, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_one_trusted_proxy_the_address_it_saw_counts(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed_and_real = "6.6.6.6, 198.51.100.7"  # the client wrote the first entry, our proxy the last
    fail(client, COUNTY_REPORTER, 5, HTTP_X_FORWARDED_FOR=spoofed_and_real)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    assert (
        log_in(client, COUNTY_REPORTER, PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7").status_code
        == 429
    )
    response = log_in(client, COUNTY_REPORTER, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert response.status_code == 302  # another client behind the same proxy
