from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.admin import ViewOnlyAdminMixin

from .models import Notification, OutboxEmail, SentReminder


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "title", "read_at", "emailed_at")
    list_filter = ("read_at", "emailed_at")
    list_select_related = ("recipient",)
    search_fields = ("title", "recipient__username", "recipient__full_name")


@admin.register(SentReminder)
class SentReminderAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sent_at", "key", "recipients")
    search_fields = ("key",)


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """The outbox, read only; "立即重试" makes pending or failed e-mails due now (failed ones get new attempts)."""

    list_display = ("created_at", "to", "subject", "status", "attempts", "last_error", "next_attempt_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "subject")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    deletable = False  # nothing is lost: a sent or failed e-mail stays on record

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outboxemail")

    @admin.action(description=gettext_lazy("立即重试"), permissions=["retry"])
    def retry_now(self, request, queryset):
        now = timezone.now()
        retryable = queryset.filter(status__in=[OutboxEmail.Status.PENDING, OutboxEmail.Status.FAILED])
        # A failed e-mail starts a new round of attempts; a pending one only stops waiting for its back-off.
        retryable.filter(status=OutboxEmail.Status.FAILED).update(
            status=OutboxEmail.Status.PENDING, attempts=0, next_attempt_at=now
        )
        pending = retryable.filter(status=OutboxEmail.Status.PENDING).update(next_attempt_at=now)
        skipped = queryset.count() - pending
        self.message_user(
            request,
            _("已将 %(count)s 封邮件设为立即重试，下次运行 send_outbox 时发送。") % {"count": pending},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                _("%(count)s 封邮件已发送或正在发送，未改动。") % {"count": skipped},
                messages.WARNING,
            )
