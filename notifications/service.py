"""Tell people things: an in-app notification each, and an e-mail where the person has an address.

E-mail goes out after the transaction commits (a rolled-back action notifies nobody). A mail server that is
down loses nothing: the notification stays in the app, its `emailed_at` stays empty, and
`send_reminders` tries those e-mails again.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

EMAIL_RETRY_DAYS = 3


def notify(users, title, body="", url=""):
    """One notification for each distinct active user; returns how many were created."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, title=title[:200], body=body, url=url[:300]))
    if not rows:
        return 0
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.recipient.email]
    if ids and getattr(settings, "NOTIFY_BY_EMAIL", True):
        transaction.on_commit(lambda: send_emails(Notification.objects.filter(pk__in=ids)))
    return len(rows)


def absolute(url):
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url and base else url


def send_emails(notifications):
    """Send the e-mail of each notification not yet e-mailed; returns how many went out."""
    pending = list(notifications.filter(emailed_at__isnull=True).select_related("recipient"))
    if not pending:
        return 0
    sent = 0
    try:
        with get_connection() as connection:
            for note in pending:
                body = note.body
                if note.url:
                    body = f"{body}\n\n{absolute(note.url)}".strip()
                EmailMessage(
                    subject=note.title, body=body, to=[note.recipient.email], connection=connection
                ).send()
                Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
                sent += 1
    except Exception:  # the mail server is down or refuses: keep the rest for the next try
        logger.exception("E-mail of %s notifications failed; they will be retried", len(pending) - sent)
    return sent


def retry_emails(now=None):
    """E-mails that failed in the last few days (run by `send_reminders`)."""
    now = now or timezone.now()
    return send_emails(
        Notification.objects.filter(
            emailed_at__isnull=True, created_at__gte=now - timezone.timedelta(days=EMAIL_RETRY_DAYS)
        ).exclude(recipient__email="")
    )


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
