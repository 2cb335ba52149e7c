"""Tell people things: an in-app notification each, and an e-mail where the person has an address.

E-mail goes through an outbox (`OutboxEmail`): `notify()` writes the notifications and their e-mails in one
transaction, so a rolled-back action sends nothing and a committed one loses nothing. No request waits on the
mail server: e-mails leave only through `deliver_outbox()` (the `send_outbox` command, run by cron every minute,
and `send_reminders`), each connection bounded by settings.EMAIL_TIMEOUT, with an exponential back-off after a
failure, until settings.OUTBOX_MAX_ATTEMPTS attempts have failed.

Nothing is sent twice by two workers: a worker sends only the rows it claimed, each with a conditional UPDATE
(pending and due → sending) whose row count is 1 for one worker only. The one case of a second e-mail
(at-least-once delivery): the mail server accepted a message but the worker died before marking the row sent;
after STUCK_AFTER the row counts as interrupted and is sent again.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification, OutboxEmail

logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # rows claimed, and sent over one connection, at a time
DEFAULT_LIMIT = 500  # rows tried by one run of deliver_outbox
STUCK_AFTER = datetime.timedelta(minutes=15)  # a row "sending" for longer: its worker died
MAX_BACKOFF = datetime.timedelta(hours=1)
ERROR_LENGTH = 1000  # characters of the last error kept
# The connection itself is gone: the rest of the batch would fail the same way, so it is released at once.
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError)

Status = OutboxEmail.Status


def notify(users, title, body="", url=""):
    """One notification for each distinct active user, and its e-mail if the user has an address.

    Returns how many notifications were created.
    """
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, title=title[:200], body=body, url=url[:300]))
    if not rows:
        return 0
    with transaction.atomic(savepoint=False):  # inside a caller's transaction: joins it, no extra queries
        created = Notification.objects.bulk_create(rows)
        emails = []
        if getattr(settings, "NOTIFY_BY_EMAIL", True):
            emails = OutboxEmail.objects.bulk_create(
                email_of(note) for note in created if note.recipient.email
            )
    if emails:
        logger.debug("Outbox: %s e-mails queued for send_outbox", len(emails))
    return len(rows)


def absolute(url):
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url and base else url


def email_of(note):
    """The e-mail of a notification: its title, its text and the absolute link, to the address of today."""
    body = note.body
    if note.url:
        body = f"{body}\n\n{absolute(note.url)}".strip()
    subject = " ".join(note.title.splitlines())  # a header is one line
    return OutboxEmail(to=note.recipient.email, subject=subject[:200], body=body, notification=note)


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0  # failed this time, back to pending for a later attempt
    failed: int = 0  # failed for the last time
    recovered: int = 0  # rows found stuck in "sending" and put back

    def add(self, other):
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.recovered += other.recovered


def deliver(ids):
    """Try the given outbox rows now (those still pending and due); returns a `Delivery`. For the worker and
    tests: never called inside a request."""
    return _deliver(OutboxEmail.objects.filter(pk__in=list(ids)), limit=len(ids), now=timezone.now())


def deliver_outbox(limit=DEFAULT_LIMIT, now=None):
    """Send the due e-mails of the outbox, at most `limit` of them; returns a `Delivery`."""
    now = now or timezone.now()
    recovered = release_stuck(now)
    result = _deliver(OutboxEmail.objects.all(), limit=limit, now=now)
    result.recovered = recovered
    return result


def release_stuck(now):
    """Rows left "sending" for longer than STUCK_AFTER (the worker was killed) are pending again.

    The interrupted try counts as an attempt, so that a message that kills its worker does not come back
    forever. The mail server may have accepted it already: then it is sent a second time (at least once).
    """
    last_attempt = Q(attempts__gte=outbox_max_attempts() - 1)
    recovered = OutboxEmail.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=Case(When(last_attempt, then=Value(Status.FAILED)), default=Value(Status.PENDING)),
        attempts=F("attempts") + 1,
        last_error=_("发送过程中断（发送进程已退出），已重新排队；邮件可能已送达，可能重复一次。"),
        next_attempt_at=now,
        claimed_at=None,
    )
    if recovered:
        logger.warning(
            "Outbox: %s interrupted e-mails requeued (failed if that was their last attempt)", recovered
        )
    return recovered


def _deliver(rows, limit, now):
    """Claim the due rows among `rows` one batch at a time and send each batch over one connection."""
    result = Delivery()
    due = rows.filter(status=Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "pk")
    while limit > 0:
        candidates = list(due.values_list("pk", flat=True)[: min(BATCH_SIZE, limit)])
        if not candidates:
            break
        claimed = claim(candidates, now)
        limit -= len(claimed)
        if claimed and not send_batch(claimed, now, result):
            break  # no connection to the mail server: the next run tries again
    return result


def claim(ids, now):
    """The rows of `ids` this worker claimed: the conditional UPDATE changed exactly one row for each."""
    claimed = []
    for pk in ids:
        if OutboxEmail.objects.filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now).update(
            status=Status.SENDING, claimed_at=now
        ):
            claimed.append(pk)
    return claimed


def send_batch(ids, now, result):
    """Send the claimed rows over one connection; False if the connection could not be opened."""
    emails = list(OutboxEmail.objects.filter(pk__in=ids, status=Status.SENDING).order_by("pk"))
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as error:
        logger.warning("Outbox: cannot connect to the mail server: %s", error)
        for email in emails:
            release(email, now, error, result)
        return False
    try:
        for index, email in enumerate(emails):
            try:
                sent = EmailMessage(
                    subject=email.subject, body=email.body, to=[email.to], connection=connection
                ).send()
                if not sent:
                    raise smtplib.SMTPException(_("邮件服务器未接受该邮件"))
            except Exception as error:
                release(email, now, error, result)
                if isinstance(error, CONNECTION_ERRORS):
                    for rest in emails[index + 1 :]:
                        release(rest, now, error, result)
                    break
            else:
                mark_sent(email)
                result.sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection: nothing more to do
            logger.debug("Outbox: closing the mail connection failed", exc_info=True)
    return True


def mark_sent(email):
    sent_at = timezone.now()
    with transaction.atomic():
        OutboxEmail.objects.filter(pk=email.pk).update(
            status=Status.SENT, sent_at=sent_at, attempts=F("attempts") + 1, claimed_at=None
        )
        if email.notification_id:
            Notification.objects.filter(pk=email.notification_id, emailed_at__isnull=True).update(
                emailed_at=sent_at
            )


def release(email, now, error, result):
    """A failed try: back to pending after a back-off, or failed after the last attempt."""
    attempts = email.attempts + 1
    text = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    if attempts >= outbox_max_attempts():
        status, next_attempt_at = Status.FAILED, now
        result.failed += 1
        logger.error(
            "Outbox: e-mail %s to %s failed for good after %s attempts: %s",
            email.pk,
            email.to,
            attempts,
            text,
        )
    else:
        status, next_attempt_at = Status.PENDING, now + backoff(attempts)
        result.retrying += 1
    # Only while it is still ours (not put back as stuck and claimed by another worker meanwhile).
    OutboxEmail.objects.filter(pk=email.pk, status=Status.SENDING, claimed_at=now).update(
        status=status, attempts=attempts, last_error=text, next_attempt_at=next_attempt_at, claimed_at=None
    )


def backoff(attempts):
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failed attempt, at most MAX_BACKOFF."""
    return min(datetime.timedelta(minutes=2 ** min(attempts - 1, 10)), MAX_BACKOFF)


def outbox_max_attempts():
    return max(1, getattr(settings, "OUTBOX_MAX_ATTEMPTS", 10))


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
