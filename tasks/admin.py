from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
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


class ProductPageLinks:
    """A change page that names the product pages where the read-only workflow fields are changed (with their
    event, notification and audit entry): `product_links(obj)` → [(label, url)], shown above the form."""

    change_form_template = "admin/tasks/change_form_product_links.html"

    def product_links(self, obj):
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        links = [{"label": label, "url": url} for label, url in self.product_links(obj)] if obj else []
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "product_links": links})


def _assignment_links(task):
    return [
        (_("任务页面（增加、移出单位，调整分工和完成时限，办结）"), reverse("tasks:task_detail", args=[task.pk])),
        (_("签收与异议（维持、调整分工、移出、改派）"), reverse("tasks:receipts", args=[task.plan_id])),
        (_("延期申请（完成时限）"), reverse("tasks:extensions")),
    ]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


# A period's name, dates and lock change on the 报送期 page, through tasks.workflow (update_period,
# set_period_locked): read-only here once the period exists.
PERIOD_WORKFLOW_FIELDS = ("name", "starts_on", "ends_on", "due_on", "locked")


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    extra = 0
    readonly_fields = PERIOD_WORKFLOW_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkPlan)
class WorkPlanAdmin(ProductPageLinks, admin.ModelAdmin):
    list_display = ("title", "year", "doc_number", "issued_on", "status", "unit_approval")
    list_filter = ("status", "year")
    search_fields = ("title", "doc_number")
    inlines = [SectionInline, ReportingPeriodInline]
    ordering = ["-year", "-issued_on", "-pk"]
    # switched in the product, through tasks.workflow (set_unit_approval) and the dashboard's confirmed switch
    readonly_fields = ("unit_approval", "public_dashboard", "closed_on", "closed_by")

    def product_links(self, obj):
        return [(_("报送期（修改、锁定、单位审核）"), reverse("tasks:period_list", args=[obj.pk]))]


class AssignmentInline(admin.TabularInline):
    """The task's assignments, read-only: units, roles, deadlines and receipts change in the product, through
    tasks.workflow (each change page links there); a new assignment is added on its own admin page."""

    model = Assignment
    extra = 0
    fields = ("unit", "role", "order", "deadline", "receipt", "is_active")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["role", "order", "unit__order", "unit__name"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(ProductPageLinks, BoundedImportMixin, ImportExportModelAdmin):
    resource_classes = [TaskResource]
    formats = EXCEL_FORMATS
    list_display = ("number", "title", "section", "plan", "deadline")
    list_display_links = ("number", "title")
    list_filter = ("plan", "section")
    list_select_related = ("plan", "section")
    search_fields = ("title", "content", "responsibility_text")
    filter_horizontal = ("pending_groups",)
    inlines = [AssignmentInline]
    ordering = ["-plan__year", "-plan_id", "number"]
    # changed on the task page, through tasks.workflow (set_task_deadline, complete_task, reopen_task)
    readonly_fields = ("deadline", "completed_at", "completed_by", "completion_note")

    def product_links(self, obj):
        return _assignment_links(obj)


# The fields tasks.workflow changes (with an event, a notification and an audit entry): read-only here.
ASSIGNMENT_WORKFLOW_FIELDS = (
    "task", "unit", "role", "order", "deadline", "receipt", "receipt_at", "receipt_by", "receipt_note",
    "is_active", "deactivated_at", "deactivated_by", "deactivation_reason",
)


@admin.register(Assignment)
class AssignmentAdmin(ProductPageLinks, admin.ModelAdmin):
    """A new assignment may be added here (a raw data fix); an existing one changes only in the product."""

    list_display = ("task", "unit", "role", "order", "deadline", "receipt", "is_active")
    list_filter = ("role", "receipt", "is_active", "task__plan", "unit__kind")
    list_select_related = ("task", "unit")
    search_fields = ("task__title", "unit__name", "unit__short_name")
    autocomplete_fields = ["task", "unit"]
    ordering = ["-task__plan__year", "-task__plan_id", "task__number", "role", "order", "unit__order", "unit__name"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # adding: what the workflow sets itself stays out of the form
            return (
                "receipt", "receipt_at", "receipt_by", "receipt_note",
                "is_active", "deactivated_at", "deactivated_by", "deactivation_reason",
            )
        return ASSIGNMENT_WORKFLOW_FIELDS

    def product_links(self, obj):
        return _assignment_links(obj.task)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ProductPageLinks, admin.ModelAdmin):
    list_display = ("name", "plan", "starts_on", "ends_on", "due_on", "locked")
    list_filter = ("plan", "locked")
    list_select_related = ("plan",)
    ordering = ["-plan__year", "plan_id", "due_on", "pk"]

    def get_readonly_fields(self, request, obj=None):
        return ("locked",) if obj is None else PERIOD_WORKFLOW_FIELDS

    def product_links(self, obj):
        return [
            (_("修改报送期"), reverse("tasks:period_edit", args=[obj.pk])),
            (_("报送期（锁定、解锁）"), reverse("tasks:period_list", args=[obj.plan_id])),
        ]


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
    ordering = [
        "-period__plan__year", "period__due_on", "period_id",
        "assignment__task__number", "assignment__role", "assignment__order", "assignment__unit__order", "pk",
    ]

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
