from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

from lib.archives import ArchiveRefused

from .models import Membership, Unit, UnitAlias, UnitGroup, User
from .resources import EXCEL_FORMATS, ImportRefused, UnitResource, refuse_large_import
from .roles import COORDINATOR
from .signals import dual_role_flagged


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


def dual_role_state(user):
    """(is a coordinator, {membership id: "东昌府区（联络员）"}) as stored now."""
    is_coordinator = user.groups.filter(name=COORDINATOR).exists()
    memberships = {
        m.pk: f"{m.unit.short_name or m.unit.name}（{m.get_role_display()}）"
        for m in Membership.objects.filter(user=user).select_related("unit")
    }
    return is_coordinator, memberships


def flag_dual_role(request, user, before=(False, {})):
    """Separation of duties: a coordinator who is also a member of a unit never reviews that unit's reports
    (tasks.access.is_own_unit_report). When a save has just made someone both (a membership added to a
    coordinator, or the coordinator role given to a member), the admin says so and the audit log records it."""
    is_coordinator, memberships = dual_role_state(user)
    was_coordinator, old = before
    if not (is_coordinator and memberships):
        return False
    if was_coordinator and not set(memberships) - set(old):
        return False  # nothing new: flagged when it happened
    units = "、".join(memberships.values())
    messages.warning(
        request,
        _(
            "“%(user)s”既是统筹人员，又是 %(units)s 的单位人员。按不相容职责分离，这些单位的报告只能由另一位"
            "统筹人员审核通过或退回；如非必要，请取消其中一个身份。此项已记入审计日志。"
        )
        % {"user": user.full_name or user.username, "units": units},
    )
    dual_role_flagged.send(sender=type(user), user=user, request=request, units=units)
    return True


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    ordering = ["unit__order", "unit__name", "role"]
    autocomplete_fields = ["unit", "user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("单位信息"), {"fields": ("full_name",)}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((None, {"fields": ("full_name",)}),)
    list_display = ("username", "full_name", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        """Roles (groups) and memberships are saved here: warn when they make a coordinator a unit member."""
        before = dual_role_state(form.instance) if change else (False, {})
        super().save_related(request, form, formsets, change)
        flag_dual_role(request, form.instance, before)


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
        if formset.model is Membership:
            users = {row.user_id for row in formset.queryset} if change else set()
            befores = {u.pk: dual_role_state(u) for u in User.objects.filter(pk__in=users)}
            super().save_formset(request, form, formset, change)
            for row in formset.new_objects + [changed for changed, _fields in formset.changed_objects]:
                flag_dual_role(request, row.user, befores.get(row.user_id, (False, {})))
            return None
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

    def save_model(self, request, obj, form, change):
        before = dual_role_state(obj.user) if obj.user_id else (False, {})
        super().save_model(request, obj, form, change)
        flag_dual_role(request, obj.user, before)
