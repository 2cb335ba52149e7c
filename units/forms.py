"""Forms of the unit-user pages: the list's filter and the coordinator's two ways of resetting a password."""

import secrets

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm, UsernameField
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from lib.forms import SafeModelChoiceField

from .models import Membership, Unit

# No 0/O/o, 1/l/I: the person types the temporary password from a note or a phone call.
UNAMBIGUOUS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
TEMPORARY_LENGTH = 12


class UserFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("单位"), queryset=Unit.objects.order_by("order", "name"), required=False, empty_label=_("全部单位")
    )
    q = forms.CharField(label=_("用户名或姓名"), required=False, max_length=50)


@sensitive_variables("password")
def temporary_password(user):
    """A random 12-character password of unambiguous letters and digits that passes the validators."""
    while True:
        password = "".join(secrets.choice(UNAMBIGUOUS) for _ in range(TEMPORARY_LENGTH))
        if not (any(c.isupper() for c in password) and any(c.islower() for c in password)):
            continue
        if not any(c.isdigit() for c in password):
            continue
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


class ResetPasswordForm(SetPasswordForm):
    """The coordinator types the new password twice (AUTH_PASSWORD_VALIDATORS apply); the person must change it."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


@sensitive_variables("password")
def set_temporary_password(user):
    """Give `user` a generated password they must change at the next log-in; returns it, to be shown once.

    Only the hash is stored; the caller renders the password in its response and keeps it nowhere else.
    """
    password = temporary_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


class ChangeOwnPasswordForm(PasswordChangeForm):
    """修改密码: the old password, then the new one twice; the new one must differ from the old."""

    @sensitive_variables("old", "new")
    def clean(self):
        cleaned_data = super().clean()
        old, new = cleaned_data.get("old_password"), cleaned_data.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", _("新密码不能与旧密码相同，请另设一个新密码。"))
        return cleaned_data


class LoginForm(AuthenticationForm):
    """登录: the user name capped at the model's 150 characters, so an over-long one is a form error (and
    never reaches authenticate(), the audit log or the log-in throttle's tables)."""

    username = UsernameField(max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "maxlength": 150}))


class AccountForm(forms.Form):
    """One unit account (units.accounts): name, unit, role, phone, e-mail, and a username typed or generated."""

    full_name = forms.CharField(label=_("姓名"), max_length=50)
    unit = SafeModelChoiceField(
        label=_("单位"), queryset=Unit.objects.filter(is_active=True).order_by("order", "name"),
        error_messages={"required": _("请选择单位。"), "invalid_choice": _("请从列表中选择单位。")},
    )
    role = forms.ChoiceField(label=_("角色"), choices=Membership.Role.choices)
    phone = forms.CharField(label=_("手机"), max_length=30, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)
    username = forms.CharField(
        label=_("用户名"), max_length=150, required=False, help_text=_("可不填：由系统生成（如 lly0012）。")
    )

    def clean(self):
        from .accounts import check_row
        from .directory import Directory

        data = super().clean()
        if self.errors:
            return data
        row, errors = check_row(
            {
                "姓名": data["full_name"], "单位": data["unit"].name,
                "角色": data["role"], "手机": data["phone"], "邮箱": data["email"], "用户名": data["username"],
            },
            Directory(),
        )
        for message in errors:
            self.add_error(None, message)
        data["row"] = row
        return data


class AccountSheetForm(forms.Form):
    sheet = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        error_messages={"required": _("请选择要上传的 Excel 文件。")},
    )
