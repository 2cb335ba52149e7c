from django.contrib import admin

from units.admin import ViewOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is written by the application alone."""

    list_display = ("at", "username", "action", "model", "object_repr", "ip", "path")
    list_filter = ("action", "model", "at")
    search_fields = ("username", "object_repr")
    date_hierarchy = "at"
    list_select_related = ("user",)
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
    deletable = False
