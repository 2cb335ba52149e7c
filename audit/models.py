"""AuditEntry: one row per change, export or log-in; written once, never changed or deleted."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .context import PATH_LIMIT

TEXT_LIMIT = 500  # a value longer than this is cut (with "…")
REPR_LIMIT = 200


class AppendOnly(Exception):
    """Audit entries are written once; changing or deleting them is refused."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("审计记录只能新增，不能修改。")

    def delete(self):
        raise AppendOnly("审计记录只能新增，不能删除。")


class AuditEntry(models.Model):
    """Who (user + username at the time, address, path) did what (action) to which object, and the changes."""

    class Action(models.TextChoices):
        # Add new kinds here (the column is wide enough): the page and the admin offer them at once.
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        EXPORT = "export", _("导出")
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        PASSWORD_RESET = "password_reset", _("重置密码")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=30, choices=Action.choices)
    model = models.CharField(_("对象类型"), max_length=100, blank=True, help_text=_("如 tasks.task"))
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=REPR_LIMIT, blank=True)
    changes = models.JSONField(_("改动内容"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    path = models.CharField(_("请求路径"), max_length=PATH_LIMIT, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "at"], name="audit_entry_user_at"),
            models.Index(fields=["model", "at"], name="audit_entry_model_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("审计记录只能新增，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("审计记录只能新增，不能删除。")
