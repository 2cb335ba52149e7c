"""A mail server that accepts the connection and never answers: no request waits on it (the request only writes
the outbox), and the outbox worker gives up after EMAIL_TIMEOUT, keeps the e-mail and tries again later."""

import datetime
import socket
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import service
from notifications.models import OutboxEmail
from tests.conftest import COORDINATOR, COUNTY_REPORTER
from tests.tasks.conftest import county, period  # noqa: F401, F811  (the reporting fixtures, as they are)
from units.models import User

pytestmark = pytest.mark.django_db

Status = OutboxEmail.Status


@pytest.fixture
def silent_smtp(settings):
    """An SMTP "server" on 127.0.0.1 that accepts every connection and never sends a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted, stop = [], threading.Event()

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except OSError:
                continue
            accepted.append(connection)  # held open, never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 1
    yield accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.fixture
def with_addresses(plan):
    User.objects.filter(username=COORDINATOR).update(email="coordinator@example.cn")
    User.objects.filter(username=COUNTY_REPORTER).update(email="dongchangfu@example.cn")


def timed_post(client, url, data, capture):
    started = time.monotonic()
    with capture(execute=True):  # the commit's callbacks run, as they would in production
        response = client.post(url, data)
    return response, time.monotonic() - started


def test_a_submit_and_an_urge_do_not_wait_on_the_mail_server(
    login, period, county, silent_smtp, with_addresses, django_capture_on_commit_callbacks  # noqa: F811
):
    queued = OutboxEmail.objects.count()
    edit = reverse("tasks:report_edit", args=[county.pk, period.pk])
    response, seconds = timed_post(
        login(COUNTY_REPORTER),
        edit,
        {"version": 0, "progress": "on_track", "body": "组织集中学法4次。", "intent": "submit"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302 and seconds < 1
    response, seconds = timed_post(
        login(COORDINATOR),
        reverse("tasks:urge"),
        {"period": period.pk, "unit": county.unit_id, "note": "请本周内报送"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302 and seconds < 1
    assert silent_smtp == []  # no request even connected to the mail server
    emails = OutboxEmail.objects.order_by("pk")[queued:]
    assert {email.to for email in emails} == {"coordinator@example.cn", "dongchangfu@example.cn"}
    assert {(email.status, email.attempts) for email in emails} == {(Status.PENDING, 0)}


def test_the_worker_times_out_keeps_the_email_and_retries_later(silent_smtp, with_addresses):
    coordinator = User.objects.get(username=COORDINATOR)
    service.notify([coordinator], "新报送：第1项")
    started = time.monotonic()
    result = service.deliver_outbox()
    assert time.monotonic() - started < 5  # EMAIL_TIMEOUT = 1 s, not forever
    assert (result.sent, result.retrying, result.failed) == (0, 1, 0)
    assert silent_smtp  # it did connect
    email = OutboxEmail.objects.get(to="coordinator@example.cn", subject="新报送：第1项")
    assert (email.status, email.attempts, email.claimed_at) == (Status.PENDING, 1, None)
    assert "timed out" in email.last_error or "Timeout" in email.last_error
    assert email.next_attempt_at > timezone.now()  # after the back-off
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert service.deliver_outbox(now=later).retrying == 1  # tried again, still silent: pending again
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 2)
