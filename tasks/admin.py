from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from units.resources import EXCEL_FORMATS

from .models import Assignment, ProgressReport, ReportEvent, ReportingPeriod, Section, Task, WorkPlan
from .resources import TaskResource


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    extra = 0


@admin.register(WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "doc_number", "issued_on", "status")
    list_filter = ("status", "year")
    search_fields = ("title", "doc_number")
    inlines = [SectionInline, ReportingPeriodInline]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Task)
class TaskAdmin(ImportExportModelAdmin):
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
    list_display = ("task", "unit", "role", "deadline")
    list_filter = ("role", "task__plan", "unit__kind")
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
    readonly_fields = ("at", "actor", "action", "from_state", "to_state", "comment")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    """Reports change state only through tasks.workflow, so here they are read-only."""

    list_display = ("assignment", "period", "state", "progress", "submitted_at", "reviewed_at")
    list_filter = ("state", "progress", "period")
    list_select_related = ("assignment__task", "assignment__unit", "period__plan")
    search_fields = ("assignment__unit__name", "assignment__task__title", "body")
    inlines = [ReportEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    """The audit trail: readable, never edited or deleted."""

    list_display = ("at", "report", "actor", "action", "from_state", "to_state")
    list_filter = ("action",)
    list_select_related = ("report__assignment__task", "report__assignment__unit", "report__period", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
