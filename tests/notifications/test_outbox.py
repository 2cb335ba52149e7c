"""The e-mail outbox: written with the notifications, sent after the commit, retried with a back-off, never
twice by two runs, failed after the last attempt, retried again from the admin; the send_outbox command."""

import datetime
import io
import logging
import smtplib

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications import service
from notifications.models import Notification, OutboxEmail
from tests.conftest import ADMIN, COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, ZONE_REPORTER, user
from units.models import User

pytestmark = pytest.mark.django_db

Status = OutboxEmail.Status
MINUTE = datetime.timedelta(minutes=1)
BACKENDS = __name__


class DownBackend(locmem.EmailBackend):
    """The mail server cannot be reached at all: opening the connection fails."""

    def open(self):
        raise smtplib.SMTPServerDisconnected("测试：邮件服务器连接已断开")


class RefusedBackend(locmem.EmailBackend):
    """The connection opens, but the server refuses every message (the connection is gone)."""

    tries = 0

    def send_messages(self, messages):
        RefusedBackend.tries += 1
        raise ConnectionRefusedError("测试：邮件服务器拒绝连接")


class PickyBackend(locmem.EmailBackend):
    """The server refuses one recipient only; the other messages go out."""

    def send_messages(self, messages):
        for message in messages:
            if "bad@example.com" in message.to:
                raise smtplib.SMTPRecipientsRefused({"bad@example.com": (550, b"no such user")})
        return super().send_messages(messages)


class ReentrantBackend(locmem.EmailBackend):
    """While it sends its first message, another delivery run starts (a second cron run, say)."""

    inner = None

    def send_messages(self, messages):
        if ReentrantBackend.inner is None:
            ReentrantBackend.inner = service.Delivery()  # marks "running" before the inner run starts
            ReentrantBackend.inner.add(service.deliver_outbox())
        return super().send_messages(messages)


@pytest.fixture
def people(db):
    """Three demo users: two with an e-mail address, one without."""
    User.objects.filter(username=COORDINATOR).update(email="coordinator@example.cn")
    User.objects.filter(username=LEAD_REPORTER).update(email="sifaju@example.cn")
    User.objects.filter(username=ZONE_REPORTER).update(email="")
    return [user(COORDINATOR), user(LEAD_REPORTER), user(ZONE_REPORTER)]


def queue(count, to="person{}@example.cn"):
    """`count` pending e-mails, due now (as notify leaves them when the commit's attempt did not run)."""
    return OutboxEmail.objects.bulk_create(
        OutboxEmail(to=to.format(n), subject=f"测试邮件{n}", body="正文") for n in range(count)
    )


def outbox_of(rows):
    return OutboxEmail.objects.filter(pk__in=[row.pk for row in rows]).order_by("pk")


def send_outbox(*args):
    out = io.StringIO()
    call_command("send_outbox", *args, stdout=out)
    return out.getvalue()


def test_with_the_server_down_nothing_is_lost_and_a_later_run_sends_each_once(
    people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{BACKENDS}.DownBackend"
    settings.SITE_URL = "https://fazhi.example.cn/"
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert service.notify(people, "新报送：第3项", "请审核。", "/review/") == 3
    service.deliver_outbox()  # the worker's first attempt
    notes = Notification.objects.filter(title="新报送：第3项", created_at__gte=before)
    assert notes.count() == 3  # the notifications are there whatever the mail server does
    emails = OutboxEmail.objects.filter(notification__in=notes).order_by("to")
    assert [e.to for e in emails] == ["coordinator@example.cn", "sifaju@example.cn"]  # nobody without address
    for (
        email
    ) in emails:  # the connection failed: every claimed row released with the error, not only the first
        assert (email.status, email.attempts) == (Status.PENDING, 1)
        assert "SMTPServerDisconnected" in email.last_error and "连接已断开" in email.last_error
        assert before + MINUTE <= email.next_attempt_at <= timezone.now() + MINUTE
    assert mail.outbox == []

    # The address of the day of the notice is kept, whatever the user's address becomes.
    User.objects.filter(username=COORDINATOR).update(email="changed@example.cn")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "已发送 0 封，待重试 0 封，失败 0 封。" in send_outbox()  # the back-off is not over yet

    later = timezone.now() + 2 * MINUTE
    assert service.deliver_outbox(now=later).sent == 2
    assert service.deliver_outbox(now=later + 10 * MINUTE).sent == 0
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("coordinator@example.cn", "新报送：第3项"),
        ("sifaju@example.cn", "新报送：第3项"),
    ]
    assert mail.outbox[0].body == "请审核。\n\nhttps://fazhi.example.cn/review/"
    assert {(e.status, e.attempts) for e in emails.all()} == {(Status.SENT, 2)}
    assert all(e.sent_at for e in emails.all())
    emailed = {n.recipient.username: n.emailed_at for n in notes.select_related("recipient")}
    assert emailed[COORDINATOR] and emailed[LEAD_REPORTER] and emailed[ZONE_REPORTER] is None


def test_the_emails_are_written_with_the_commit_sent_only_by_the_worker_and_not_after_a_rollback(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                service.notify(people, "被撤销的通知")
                raise RuntimeError("the action fails after notifying")
    assert not Notification.objects.filter(title="被撤销的通知").exists()
    assert not OutboxEmail.objects.filter(subject="被撤销的通知").exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            service.notify(people, "标题\n换行")
            assert OutboxEmail.objects.filter(status=Status.PENDING).count() == 2  # written, not yet sent
            assert mail.outbox == []
    assert callbacks == []  # nothing is sent from the request
    assert mail.outbox == []
    assert service.deliver_outbox().sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.cn", "sifaju@example.cn"]
    assert {m.subject for m in mail.outbox} == {"标题 换行"}  # a header is one line
    assert set(OutboxEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_two_runs_at_once_send_no_email_twice(settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{BACKENDS}.ReentrantBackend"
    monkeypatch.setattr(ReentrantBackend, "inner", None)
    monkeypatch.setattr(service, "BATCH_SIZE", 2)  # the first run claims two; the second run takes the rest
    rows = queue(5)

    outer = service.deliver_outbox()
    inner = ReentrantBackend.inner
    assert inner.sent > 0 and outer.sent > 0  # both runs worked at the same time
    assert outer.sent + inner.sent == 5
    assert sorted(m.to[0] for m in mail.outbox) == [row.to for row in rows]  # each exactly once
    assert set(outbox_of(rows).values_list("status", "attempts")) == {(Status.SENT, 1)}

    # The claim itself: of two workers claiming the same due row, only one gets it.
    (row,) = queue(1, to="late@example.cn")
    now = timezone.now()
    assert service.claim([row.pk], now) == [row.pk]
    assert service.claim([row.pk], now) == []


def test_back_off_then_failed_after_the_last_attempt_then_retried_from_the_admin(
    settings, monkeypatch, caplog, login
):
    settings.EMAIL_BACKEND = f"{BACKENDS}.RefusedBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 4
    monkeypatch.setattr(RefusedBackend, "tries", 0)
    (email,) = queue(1, to="unlucky@example.cn")
    now, waits = timezone.now(), []
    with caplog.at_level(logging.ERROR, logger="notifications.service"):
        for _attempt in range(4):
            service.deliver_outbox(now=now)
            email.refresh_from_db()
            waits.append(email.next_attempt_at - now)
            now = email.next_attempt_at
    assert waits[:3] == [MINUTE, 2 * MINUTE, 4 * MINUTE]  # the back-off grows
    assert (email.status, email.attempts, RefusedBackend.tries) == (Status.FAILED, 4, 4)
    assert "ConnectionRefusedError" in email.last_error
    assert "failed for good after 4 attempts" in caplog.text
    assert service.deliver_outbox(now=now + datetime.timedelta(days=1)).sent == 0  # failed stays failed
    assert service.backoff(7) == service.backoff(30) == datetime.timedelta(hours=1)  # the cap

    client = login(ADMIN)
    changelist = reverse("admin:notifications_outboxemail_changelist")
    page = client.get(changelist, {"status__exact": Status.FAILED})
    assert page.status_code == 200 and "unlucky@example.cn" in page.content.decode()
    (sent,) = queue(1, to="done@example.cn")
    OutboxEmail.objects.filter(pk=sent.pk).update(status=Status.SENT)
    response = client.post(
        changelist, {"action": "retry_now", "_selected_action": [email.pk, sent.pk]}, follow=True
    )
    assert "已将 1 封邮件设为立即重试" in response.content.decode()
    assert "1 封邮件已发送或正在发送，未改动" in response.content.decode()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 0)
    assert email.next_attempt_at <= timezone.now()
    assert OutboxEmail.objects.get(pk=sent.pk).status == Status.SENT

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "已发送 1 封" in send_outbox()
    assert [m.to for m in mail.outbox] == [["unlucky@example.cn"]]


def test_who_may_only_view_the_outbox_cannot_retry(login, django_user_model):
    queue(1)
    viewer = user(COUNTY_REPORTER)
    django_user_model.objects.filter(pk=viewer.pk).update(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxemail"))
    changelist = reverse("admin:notifications_outboxemail_changelist")

    def actions(username):
        page = login(username).get(changelist)
        assert page.status_code == 200 and "person0@example.cn" in page.content.decode()
        form = page.context["action_form"]
        return {name for name, _label in form.fields["action"].choices} if form else set()

    assert "retry_now" not in actions(COUNTY_REPORTER)
    assert "delete_selected" not in actions(ADMIN) and "retry_now" in actions(ADMIN)


def test_a_row_stuck_in_sending_is_delivered_by_the_next_run():
    stuck, busy = queue(2)
    now = timezone.now()
    OutboxEmail.objects.filter(pk=stuck.pk).update(status=Status.SENDING, claimed_at=now - 16 * MINUTE)
    OutboxEmail.objects.filter(pk=busy.pk).update(status=Status.SENDING, claimed_at=now - 5 * MINUTE)

    out = send_outbox()
    assert "1 封邮件发送中断" in out and "已发送 1 封，待重试 0 封，失败 0 封。" in out
    assert [m.to for m in mail.outbox] == [[stuck.to]]
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (Status.SENT, 2)  # the interrupted try counted
    assert "中断" in stuck.last_error
    assert OutboxEmail.objects.get(pk=busy.pk).status == Status.SENDING  # its worker is still at it


def test_a_refused_recipient_does_not_hold_up_the_others(settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.PickyBackend"
    good, bad, other = OutboxEmail.objects.bulk_create(
        OutboxEmail(to=to, subject="主题", body="正文")
        for to in ("good@example.com", "bad@example.com", "other@example.com")
    )
    assert send_outbox() == "已发送 2 封，待重试 1 封，失败 0 封。\n"
    assert sorted(m.to[0] for m in mail.outbox) == ["good@example.com", "other@example.com"]
    bad.refresh_from_db()
    assert (bad.status, bad.attempts) == (Status.PENDING, 1)
    assert "SMTPRecipientsRefused" in bad.last_error


def test_a_connection_lost_while_sending_releases_the_whole_batch(settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{BACKENDS}.RefusedBackend"
    monkeypatch.setattr(RefusedBackend, "tries", 0)
    rows = queue(3)
    result = service.deliver_outbox()
    assert (result.sent, result.retrying, result.failed, RefusedBackend.tries) == (0, 3, 0, 1)
    assert set(outbox_of(rows).values_list("status", "attempts")) == {(Status.PENDING, 1)}


def test_the_limit_of_a_run(settings):
    queue(3)
    assert send_outbox("--limit", "2") == "已发送 2 封，待重试 0 封，失败 0 封。\n"
    assert OutboxEmail.objects.filter(status=Status.PENDING).count() == 1
    with pytest.raises(CommandError, match="正整数"):
        send_outbox("--limit", "0")


def test_send_reminders_drains_the_outbox():
    (email,) = queue(1, to="waiting@example.cn")
    out = io.StringIO()
    call_command("send_reminders", "--date", "2022-10-05", stdout=out)  # a holiday: no reminders
    assert "补发邮件 1 封（待重试 0 封，发送失败 0 封）" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["waiting@example.cn"]]
    assert OutboxEmail.objects.get(pk=email.pk).status == Status.SENT
