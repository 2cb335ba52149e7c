from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from units.admin import BoundedImportMixin, ViewOnlyAdminMixin
from units.resources import EXCEL_FORMATS

from . import workflow
from .models import (
    Assignment,
    AssignmentEvent,
    CalendarDay,
    ExtensionRequest,
    ProgressReport,
    ReportAttachment,
    ReportEvent,
    ReportingPeriod,
    Section,
    Task,
    WorkPlan,
)
from .resources import TaskResource


class ReadOnlyAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Records written by tasks.workflow: readable here, never edited or deleted."""

    deletable = False


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    extra = 0


@admin.register(WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "doc_number", "issued_on", "status", "unit_approval")
    list_filter = ("status", "year")
    search_fields = ("title", "doc_number")
    inlines = [SectionInline, ReportingPeriodInline]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Task)
class TaskAdmin(BoundedImportMixin, ImportExportModelAdmin):
    resource_classes = [TaskResource]
    formats = EXCEL_FORMATS
    list_display = ("number", "title", "section", "plan", "deadline")
    list_display_links = ("number", "title")
    list_filter = ("plan", "section")
    list_select_related = ("plan", "section")
    search_fields = ("title", "content", "responsibility_text")
    filter_horizontal = ("pending_groups",)
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("task", "unit", "role", "deadline", "receipt")
    list_filter = ("role", "receipt", "task__plan", "unit__kind")
    readonly_fields = ("receipt", "receipt_at", "receipt_by", "receipt_note")
    list_select_related = ("task", "unit")
    search_fields = ("task__title", "unit__name", "unit__short_name")
    autocomplete_fields = ["task", "unit"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "plan", "starts_on", "ends_on", "due_on", "locked")
    list_filter = ("plan", "locked")


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_state", "to_state", "comment", "version", "changes")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    """Reports change state only through tasks.workflow, so here they are read-only."""

    list_display = ("assignment", "period", "state", "progress", "submitted_at", "reviewed_at")
    list_filter = ("state", "progress", "period")
    list_select_related = ("assignment__task", "assignment__unit", "period__plan")
    search_fields = ("assignment__unit__name", "assignment__task__title", "body")
    inlines = [ReportEventInline]
    actions = ["accept_selected"]

    @admin.action(description=_("审核通过所选的已报送报告"), permissions=["view"])
    def accept_selected(self, request, queryset):
        """The same path as the review queue: tasks.workflow, with its permission and state checks."""
        try:
            accepted, refused = workflow.accept_many([(report, None) for report in queryset], request.user)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _("已审核通过 %(count)s 份报告。") % {"count": len(accepted)})
        for report, message in refused:
            self.message_user(request, f"{report}：{message}", messages.WARNING)


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    """The audit trail: readable, never edited or deleted."""

    list_display = ("at", "report", "actor", "action", "from_state", "to_state")
    list_filter = ("action",)
    list_select_related = ("report__assignment__task", "report__assignment__unit", "report__period", "actor")


@admin.register(AssignmentEvent)
class AssignmentEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "assignment", "period", "actor", "action", "comment")
    list_filter = ("action",)
    list_select_related = ("assignment__task", "assignment__unit", "period__plan", "actor")
    search_fields = ("assignment__unit__name", "comment")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "old_deadline", "new_deadline", "state", "requested_by", "decided_by")
    list_filter = ("state",)
    list_select_related = ("assignment__task", "assignment__unit", "requested_by", "decided_by")


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "report", "kind", "size", "uploaded_by", "uploaded_at", "removed_at")
    list_select_related = ("report__assignment__task", "report__assignment__unit", "report__period", "uploaded_by")
    exclude = ("file",)  # downloaded through the permission-checked view, not a public URL


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and adjusted working days the library does not know (e.g. next year's, once announced)."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
