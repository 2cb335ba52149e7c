"""Unit users for coordinators (the list, creating and deactivating accounts one at a time or from an Excel
sheet, resetting a password) and changing one's own password.

Coordinators are not necessarily staff, so this is their way to help a unit's 联络员 or 审核人 who forgot a
password, without the Django admin. Who may be reset is decided by `roles.can_reset_password` only.
"""

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from . import accounts
from .forms import (
    AccountForm,
    AccountSheetForm,
    ChangeOwnPasswordForm,
    ResetPasswordForm,
    UserFilterForm,
    set_temporary_password,
)
from .models import Membership, User
from .roles import can_reset_password
from .signals import password_was_reset

PAGE_SIZE = 100


def unit_users():
    """People with at least one unit role, their memberships (with units) and groups joined in two queries."""
    return (
        User.objects.filter(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("unit").order_by("unit__order", "unit__name", "role"),
            ),
            "groups",
        )
        .order_by("username", "pk")
    )


def user_list(request):
    """单位用户: who has a unit role, in which units, active or not, last log-in; filter by unit and name."""
    accounts.require_coordinator(request.user)
    form = UserFilterForm(request.GET or None)
    users = unit_users()
    if form.is_valid():
        if form.cleaned_data["unit"]:
            users = users.filter(
                Exists(Membership.objects.filter(user=OuterRef("pk"), unit=form.cleaned_data["unit"]))
            )
        for word in form.cleaned_data["q"].split():
            users = users.filter(Q(username__icontains=word) | Q(full_name__icontains=word))
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "units/user_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(person, can_reset_password(request.user, person)) for person in page],
            "query": query.urlencode(),
        },
    )


def _after_reset(request, target, how):
    """The reset announced as `units.signals.password_was_reset` (the audit log records who, whose, how: stored
    data, not translated; never the password), and the end of any log-in lock-out of the account: the person is
    about to log in with the new password."""
    password_was_reset.send(sender=User, user=target, request=request, how=how)
    axes_reset(username=target.username)


@sensitive_post_parameters()
@sensitive_variables("password")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request, pk):
    """重设密码: typed twice (the validators apply) or generated (shown once, in this response only).

    Either way the person must change it at the next log-in, and their sessions on every device end: the
    session keeps a hash of the password hash, so `django.contrib.auth.get_user` drops it on the next request.
    """
    accounts.require_coordinator(request.user)
    target = get_object_or_404(User.objects.prefetch_related("groups"), pk=pk)
    if not can_reset_password(request.user, target):
        raise PermissionDenied(
            _(
                "不能为该账号重设密码：系统管理员、统筹人员和领导的账号请由系统管理员在管理后台处理；"
                "自己的密码请用“修改密码”。"
            )
        )
    form = ResetPasswordForm(target)
    if request.method == "POST":
        if request.POST.get("generate"):
            with transaction.atomic():
                password = set_temporary_password(target)
                _after_reset(request, target, "临时密码")
            return render(request, "units/password_reset_done.html", {"person": target, "password": password})
        form = ResetPasswordForm(target, request.POST)
        if form.is_valid():
            with transaction.atomic():
                form.save()
                _after_reset(request, target, "指定密码")
            messages.success(
                request,
                _("已为 %(name)s（%(username)s）设置新密码，对方下次登录时须先修改密码。")
                % {"name": target.get_full_name(), "username": target.username},
            )
            return redirect(reverse("units:user_list"))
    return render(request, "units/password_reset.html", {"person": target, "form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码: one's own password; clears `must_change_password`; other sessions of the person end."""

    form_class = ChangeOwnPasswordForm

    def form_valid(self, form):
        form.user.must_change_password = False  # saved by form.save() with the new password
        return super().form_valid(form)


# --- unit accounts ----------------------------------------------------------------------------------------


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def account_create(request):
    """新建单位账号: one person; the generated initial password is shown once, in this response only."""
    accounts.require_coordinator(request.user)
    form = AccountForm(request.POST or None, initial={"unit": request.GET.get("unit") or None})
    if request.method == "POST" and form.is_valid():
        try:
            created = accounts.create_accounts([form.cleaned_data["row"]], request.user, request)
        except accounts.AccountError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "units/accounts_created.html", {"created": created})
    return render(request, "units/account_form.html", {"form": form})


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def account_import(request):
    """从 Excel 导入单位账号: all or nothing — every row is checked; with any error, nothing is created and the
    page lists the errors by row number; else every account is created and its password shown once."""
    accounts.require_coordinator(request.user)
    form = AccountSheetForm(request.POST or None, request.FILES or None)
    errors, problem = [], ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["sheet"]
        try:
            if upload.size > accounts.SHEET_MAX_BYTES:
                raise accounts.AccountError(
                    _("文件“%(name)s”超过 %(mb)s MB，请只保留需要导入的人员。")
                    % {"name": upload.name, "mb": accounts.SHEET_MAX_BYTES // (1024 * 1024)}
                )
            lines = accounts.read_sheet(upload.read(), name=upload.name)
            rows, errors = accounts.check_sheet(lines)
            if not errors:
                created = accounts.create_accounts(rows, request.user, request)
                return render(request, "units/accounts_created.html", {"created": created, "from_sheet": True})
        except accounts.AccountError as error:
            problem = str(error)
    return render(request, "units/account_import.html", {"form": form, "errors": errors, "problem": problem})


@require_GET
def account_template(request):
    """The Excel sheet to fill in (columns 姓名/单位/角色/手机/邮箱/用户名, an example, the units' names)."""
    accounts.require_coordinator(request.user)
    response = HttpResponse(
        accounts.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%8D%95%E4%BD%8D%E8%B4%A6%E5%8F%B7%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@require_http_methods(["GET", "POST"])
def account_deactivate(request, pk):
    """停用账号: asks first (GET), then sets is_active = False (POST); nothing is deleted."""
    accounts.require_coordinator(request.user)
    target = get_object_or_404(User.objects.prefetch_related("groups", "memberships__unit"), pk=pk)
    if not can_reset_password(request.user, target):
        raise PermissionDenied(
            _("不能停用该账号：系统管理员、统筹人员和领导的账号请由系统管理员在管理后台处理；不能停用自己的账号。")
        )
    if request.method == "POST":
        try:
            accounts.deactivate_account(target, request.user, request)
        except accounts.AccountError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("已停用 %(name)s（%(username)s）的账号，对方不能再登录；其报告和记录都保留。")
                % {"name": target.get_full_name(), "username": target.username},
            )
        return redirect(reverse("units:user_list"))
    return render(request, "units/account_deactivate.html", {"person": target})
