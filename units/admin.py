from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

from lib.archives import ArchiveRefused

from .models import Membership, Unit, UnitAlias, UnitGroup, User
from .resources import EXCEL_FORMATS, ImportRefused, UnitResource, refuse_large_import


class BoundedImportForm(ImportForm):
    """The import page's form: a file over IMPORT_MAX_BYTES is refused before anything reads it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            refuse_large_import(upload.size, upload.name)
        except ImportRefused as error:
            raise ValidationError(str(error), code="size") from None
        return upload


class BoundedImportMixin:
    """Admin imports within units.resources' limits, refused with the limit's Chinese message."""

    import_form_class = BoundedImportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ArchiveRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)


class ViewOnlyAdminMixin:
    """Records the application writes: shown in the admin, never added or changed there. `deletable = False`
    also forbids deleting them; otherwise deleting is allowed as the admin class would allow it."""

    deletable = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["unit", "user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("单位信息"), {"fields": ("full_name",)}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((None, {"fields": ("full_name",)}),)
    list_display = ("username", "full_name", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")
    inlines = [MembershipInline]


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


class GroupMembershipInline(admin.TabularInline):
    model = UnitGroup.members.through
    extra = 0
    verbose_name = _("所属单位组")
    verbose_name_plural = _("所属单位组")
    autocomplete_fields = ["unitgroup"]


@admin.register(Unit)
class UnitAdmin(BoundedImportMixin, ImportExportModelAdmin):
    resource_classes = [UnitResource]
    formats = EXCEL_FORMATS
    list_display = ("short_name", "name", "kind", "parent", "order", "is_active")
    list_filter = ("kind", "is_active")
    list_editable = ("order",)
    search_fields = ("name", "short_name", "aliases__name")
    autocomplete_fields = ["parent"]
    inlines = [UnitAliasInline, GroupMembershipInline, MembershipInline]

    def save_formset(self, request, form, formset, change):
        """The 所属单位组 rows go through the unit's `groups` manager, which sends m2m_changed (the audit log
        records it); saving the link-table rows directly would send nothing."""
        if formset.model is not UnitGroup.members.through:
            return super().save_formset(request, form, formset, change)
        unit, rows = form.instance, formset.save(commit=False)
        for row in formset.deleted_objects:
            unit.groups.remove(row.unitgroup_id)
        for row in rows:
            if row.pk:  # a row switched to another group
                previous = UnitGroup.members.through.objects.get(pk=row.pk).unitgroup_id
                if previous != row.unitgroup_id:
                    unit.groups.remove(previous)
            unit.groups.add(row.unitgroup_id)


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "selective", "order")
    list_filter = ("selective",)
    search_fields = ("name",)
    filter_horizontal = ("members",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role")
    list_filter = ("role", "unit__kind")
    search_fields = ("user__username", "user__full_name", "unit__name", "unit__short_name")
    autocomplete_fields = ["user", "unit"]
