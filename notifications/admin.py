from django.contrib import admin

from .models import Notification, SentReminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "title", "read_at", "emailed_at")
    list_filter = ("read_at", "emailed_at")
    list_select_related = ("recipient",)
    search_fields = ("title", "recipient__username", "recipient__full_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "key", "recipients")
    search_fields = ("key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
