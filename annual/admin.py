"""The year-end report drafts in the admin: read-only (they change through the draft page, `annual.assembly`)."""

from django.contrib import admin

from units.admin import ViewOnlyAdminMixin

from .models import AnnualReport, ReportPart, ReportTemplate, TemplatePart


class ReportPartInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = ReportPart
    extra = 0
    fields = ("key", "kind", "task", "edited", "version", "updated_at", "updated_by")
    readonly_fields = fields
    show_change_link = True


@admin.register(AnnualReport)
class AnnualReportAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "plan", "period", "issuer", "date", "assembled_at", "assembled_by", "updated_at")
    list_select_related = ("plan", "period", "period__plan", "assembled_by")
    search_fields = ("title", "plan__title", "plan__doc_number")
    inlines = [ReportPartInline]
    ordering = ["-plan__year", "-pk"]


@admin.register(ReportPart)
class ReportPartAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "report", "kind", "edited", "version", "updated_at", "updated_by")
    list_filter = ("kind", "edited")
    list_select_related = ("report", "task", "updated_by")
    search_fields = ("text", "report__title")


class TemplatePartInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = TemplatePart
    extra = 0
    fields = ("order", "heading", "kind", "section_ids")
    readonly_fields = fields


@admin.register(ReportTemplate)
class ReportTemplateAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "report", "digest_limit")
    list_select_related = ("report",)
    inlines = [TemplatePartInline]
