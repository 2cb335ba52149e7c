"""Who: the units of the city (单位), the names documents use for them, groups, and people."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The custom user model; `full_name` is the person's Chinese name (姓名)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("须修改密码"),
        default=False,
        help_text=_("统筹人员重设密码后置为是：本人下次登录时须先修改密码。"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    def get_short_name(self):
        return self.full_name or self.username


class Unit(models.Model):
    """A unit that can be given tasks: a department, a county government, a development zone …"""

    class Kind(models.TextChoices):
        CITY_OFFICE = "city_office", _("市政府办公机构")
        CITY_DEPARTMENT = "city_department", _("市直部门")
        PARTY_JUDICIAL = "party_judicial", _("党委和司法机关")
        COUNTY = "county", _("县（市、区）政府")
        DEV_ZONE = "dev_zone", _("市属开发区")
        OTHER = "other", _("其他单位")

    name = models.CharField(_("全称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, help_text=_("计划文件中的写法，如“市司法局”。"))
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.CITY_DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("县（市、区）的部门挂在所属县（市、区）政府下。"),
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="units_unit_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.short_name or self.name


class UnitAlias(models.Model):
    """Another spelling of a unit's name (聊城市人民政府办公室 = 市政府办公室 = 市政府办)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("别名"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        ordering = ["name"]

    def __str__(self):
        return self.name


class UnitGroup(models.Model):
    """A collective name used in plans (各县(市、区)人民政府, 市直各部门 …) and the units it stands for.

    A selective group (市政府有关部门) means "the relevant ones": its members are only the candidates,
    and the coordinator picks the actual units task by task.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    aliases = models.JSONField(
        _("其他写法"), default=list, blank=True, help_text=_("文件中的其他写法，每项一个。")
    )
    selective = models.BooleanField(
        _("需逐项选定"),
        default=False,
        help_text=_("“有关部门”一类的提法：导入时不自动展开，由统筹人员逐项选定。"),
    )
    members = models.ManyToManyField(Unit, verbose_name=_("成员单位"), related_name="groups", blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("单位组")
        verbose_name_plural = _("单位组")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's role in a unit: reporter (单位联络员) or approver (单位审核人)."""

    class Role(models.TextChoices):
        REPORTER = "reporter", _("联络员")
        APPROVER = "approver", _("审核人")

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.REPORTER)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        # no default ordering (the unit's order would join the unit table); lists order by unit themselves
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="units_membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"
