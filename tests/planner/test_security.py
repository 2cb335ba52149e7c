"""Security headers, a strict Content-Security-Policy the pages keep to, the session idle timeout, and the
friendly pages for a server error and an unreachable database."""

import re
import time
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import InterfaceError, OperationalError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from planner.security import LAST_SEEN_KEY
from tests.conftest import ADMIN, COORDINATOR, COUNTY_REPORTER, PASSWORD, user
from units.models import User

pytestmark = pytest.mark.django_db


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_carries_the_security_headers(login):
    response = login(COORDINATOR).get(reverse("home"))
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response  # plain HTTP in development


def test_the_log_in_page_and_errors_carry_the_policy_too(client):
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in client.get("/no-such-page/")["Content-Security-Policy"]


def test_https_responses_carry_hsts_in_production(settings, login):
    # The values DJANGO_ENV=production sets (test_settings.py checks that mode with check --deploy).
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = login(COORDINATOR).get(reverse("home"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


class ScriptAndStyleFinder(HTMLParser):
    """Collects what a strict CSP would block: inline <script>, on*= handlers, style="" attributes."""

    def __init__(self):
        super().__init__()
        self.scripts = 0
        self.inline_scripts = []
        self.handlers = []
        self.styles = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not names.get("src"):
                self.inline_scripts.append(self.getpos())
        self.handlers += [(tag, name) for name in names if name.startswith("on")]
        if "style" in names:
            self.styles.append(tag)
        if tag == "style":
            self.styles.append("<style>")


def blocked_content(response):
    finder = ScriptAndStyleFinder()
    finder.feed(response.content.decode())
    return finder


def site_pages(plan):
    task = plan.tasks.get(number=18)
    return [
        reverse("home"),
        reverse("tasks:plan_list"),
        reverse("tasks:plan_detail", args=[plan.pk]),
        reverse("tasks:task_detail", args=[task.pk]),
        reverse("tasks:review_queue"),
        reverse("tasks:period_list", args=[plan.pk]),
        reverse("dashboards:dashboard", args=[plan.pk]),
        reverse("dashboards:matrix", args=[plan.pk]),
        reverse("importing:import_plan"),
        reverse("notifications:list"),
    ]


def test_no_page_of_the_site_has_inline_script_or_style(client, login, plan):
    pages = {reverse("login"): blocked_content(client.get(reverse("login")))}
    coordinator = login(COORDINATOR)
    for url in site_pages(plan):
        response = coordinator.get(url)
        assert response.status_code == 200, url
        pages[url] = blocked_content(response)
    reporter_home = blocked_content(login(COUNTY_REPORTER).get(reverse("home")))
    for url, found in [*pages.items(), ("home (reporter)", reporter_home)]:
        assert found.inline_scripts == [], url
        assert found.handlers == [], url
        assert found.styles == [], url


def test_no_template_of_the_project_has_inline_script_or_style():
    """Also the pages the test above does not open: every template under templates/ keeps to the policy."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in sorted(templates.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)", r"<style\b", r"\sstyle\s*=", r"\son[a-z]+\s*="):
            offenders += [
                f"{path.relative_to(templates)}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)
            ]
    assert len(list(templates.rglob("*.html"))) > 20
    assert offenders == []


def test_the_admin_pages_have_no_inline_script(login, plan):
    """Django 5.2's admin loads its JavaScript from files (data in data- attributes), so the CSP leaves it working."""
    client = login(ADMIN)
    target = user(COUNTY_REPORTER)
    pages = [
        reverse("admin:index"),
        reverse("admin:units_user_changelist"),
        reverse("admin:units_user_change", args=[target.pk]),
        reverse("admin:units_user_add"),
        reverse("admin:auth_user_password_change", args=[target.pk]),
        reverse("admin:tasks_workplan_change", args=[plan.pk]),
        reverse("admin:tasks_task_changelist"),
        reverse("admin:units_unit_changelist"),
    ]
    scripts = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = blocked_content(response)
        assert found.inline_scripts == [], url
        assert found.handlers == [], url
        scripts += found.scripts
    assert scripts > len(pages)  # the admin's scripts are there, as files


# --- session idle timeout -------------------------------------------------------------------------------


def session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    return [q for q in sql if "django_session" in q and not q.lstrip().upper().startswith("SELECT")]


def set_last_seen(client, seconds_ago):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds_ago
    session.save()
    return session.session_key


def test_a_person_idle_too_long_is_logged_out_with_a_message(settings, login):
    client = login(COUNTY_REPORTER)
    assert client.get(reverse("home")).status_code == 200
    old_key = set_last_seen(client, settings.SESSION_IDLE_SECONDS + 5)

    url = reverse("tasks:my_tasks")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert not Session.objects.filter(session_key=old_key).exists()
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "长时间未操作，已自动退出，请重新登录" in page


def test_before_the_first_stamp_the_log_in_time_counts(settings, login):
    client = login(COUNTY_REPORTER)
    assert LAST_SEEN_KEY not in client.session
    User.objects.filter(username=COUNTY_REPORTER).update(
        last_login=timezone.now() - timedelta(seconds=settings.SESSION_IDLE_SECONDS + 5)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_person_back_within_the_limit_stays_and_the_session_is_not_rewritten(settings, login):
    client = login(COUNTY_REPORTER)
    assert session_writes(client, reverse("home")) == []  # right after logging in: nothing to write

    set_last_seen(client, settings.SESSION_IDLE_SECONDS - 120)  # 2 minutes to spare
    before = session_row(client)
    assert session_writes(client, reverse("tasks:my_tasks")) != []
    after = session_row(client)
    # The stamp was more than a minute old: refreshed once (the session is saved, its expiry extended).
    assert after.get_decoded()[LAST_SEEN_KEY] > before.get_decoded()[LAST_SEEN_KEY]
    assert after.expire_date > before.expire_date

    assert session_writes(client, reverse("tasks:my_tasks")) == []  # within the minute: no write
    assert session_row(client).session_data == after.session_data
    assert session_row(client).expire_date == after.expire_date


def test_a_stale_session_does_not_block_logging_in_again(settings, client):
    client.force_login(user(COUNTY_REPORTER))
    client.get(reverse("home"))
    set_last_seen(client, settings.SESSION_IDLE_SECONDS + 5)
    response = client.post(reverse("login"), {"username": COUNTY_REPORTER, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


# --- server errors and an unreachable database ----------------------------------------------------------


def database_down(error=OperationalError):
    """Every new cursor fails, as when the database server is gone."""
    return mock.patch.object(
        BaseDatabaseWrapper, "ensure_connection", side_effect=error("could not connect to server")
    )


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_an_unreachable_database_shows_the_chinese_503_page(login, error):
    client = login(COUNTY_REPORTER)
    client.raise_request_exception = False
    with database_down(error):
        response = client.get(reverse("tasks:my_tasks"))
    assert response.status_code == 503
    page = response.content.decode()
    assert "系统暂时无法使用" in page and "请过几分钟后刷新页面" in page
    assert "可能已经保存" in page and "已保存（第几版，保存时间）" in page  # what to check before acting again
    assert "Traceback" not in page and "could not connect" not in page and "OperationalError" not in page
    assert response["Retry-After"] == "60"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_503_page_also_shows_to_visitors_not_logged_in(client):
    client.raise_request_exception = False
    with database_down():
        response = client.post(reverse("login"), {"username": COORDINATOR, "password": "x"})
    assert response.status_code == 503
    assert "系统暂时无法使用" in response.content.decode()


def test_healthz_answers_503_json_when_the_database_is_down(client):
    client.raise_request_exception = False
    with database_down():
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database"}
    # With a session cookie the error arises in a middleware, before the view: still JSON.
    client.force_login(user(COORDINATOR))
    with database_down():
        response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["status"] == "unavailable"
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_any_other_error_shows_the_chinese_500_page_without_a_trace(login):
    client = login(COORDINATOR)
    client.raise_request_exception = False
    with mock.patch("planner.views.roles_for", side_effect=RuntimeError("secret detail")):
        response = client.get(reverse("home"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page and "请稍后重试" in page
    assert "secret detail" not in page and "Traceback" not in page and "RuntimeError" not in page


def test_a_failing_query_on_a_working_database_is_a_500_not_unavailable(login):
    """An OperationalError from one query (SQLite's "LIKE pattern too complex") while the database answers."""
    client = login(COORDINATOR)
    client.raise_request_exception = False
    with mock.patch("planner.views.roles_for", side_effect=OperationalError("LIKE or GLOB pattern too complex")):
        response = client.get(reverse("home"))
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


def test_an_active_person_is_never_logged_out_with_a_one_minute_limit(settings, login, monkeypatch):
    """With SESSION_IDLE_SECONDS = 60, a request every 50 s keeps the session: the stamp is refreshed at a
    quarter of the limit (15 s), not only after a minute (then 100 s since the stamp would end the session)."""
    import types

    from planner import security

    settings.SESSION_IDLE_SECONDS = 60
    client = login(COUNTY_REPORTER)
    start = int(time.time())
    clock = types.SimpleNamespace(now=start)
    monkeypatch.setattr(security, "time", types.SimpleNamespace(time=lambda: clock.now))
    session = client.session
    session[LAST_SEEN_KEY] = start
    session.save()
    for _step in range(6):  # five minutes of a request every 50 s
        clock.now += 50
        response = client.get(reverse("tasks:my_tasks"))
        assert response.status_code == 200, clock.now - start
    clock.now += 61  # then a minute and a second of nothing: logged out
    assert client.get(reverse("tasks:my_tasks")).status_code == 302


def test_an_attachment_with_a_thousand_character_name_gets_a_chinese_message(login, plan):
    """Django refuses a multipart part whose headers pass 1,024 bytes (a bare "Bad Request" before); the page
    now says the file name is too long and what to do."""
    from tasks.models import Assignment, ReportingPeriod

    client = login(COUNTY_REPORTER)
    assignment = Assignment.objects.filter(task__plan=plan, unit__short_name="东昌府区").first()
    period = ReportingPeriod.objects.filter(plan=plan).first()
    boundary = "hostileboundary"
    name = "甲" * 1000 + ".pdf"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n0\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\n"
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--{boundary}--\r\n"
    ).encode()
    response = client.post(
        reverse("tasks:report_edit", args=[assignment.pk, period.pk]),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件名太长" in page and "改短" in page


def test_after_an_outage_the_edit_page_shows_the_version_the_database_saved(login, plan):
    """A save committed just before the database went away: the person saw a 503 (which says it may have been
    saved); the next load of the edit page shows the saved version and time, read from the database."""
    import datetime

    from django.utils import timezone

    from tasks import workflow
    from tasks.models import Assignment, ReportingPeriod

    period = ReportingPeriod.objects.create(
        plan=plan, name="停电测试期", starts_on=datetime.date(2022, 7, 1), ends_on=datetime.date(2022, 9, 30),
        due_on=datetime.date(2099, 10, 12),
    )
    assignment = Assignment.objects.get(task__plan=plan, task__number=1, unit__short_name="东昌府区")
    report = workflow.save_report(
        assignment=assignment, period=period, user=user(COUNTY_REPORTER), data={"body": "停电前已提交的内容"}
    )
    client = login(COUNTY_REPORTER)
    client.raise_request_exception = False
    url = reverse("tasks:report_edit", args=[assignment.pk, period.pk])
    with database_down():
        assert client.post(url, {"version": report.version, "body": "x"}).status_code == 503
    page = client.get(url).content.decode()
    at = timezone.localtime(report.updated_at).strftime("%Y-%m-%d %H:%M")
    assert f"已保存（第 {report.version} 版，{at}）" in page
    assert "停电前已提交的内容" in page
