"""Unit accounts: coordinators create a unit's liaison (联络员) and approver (审核人) accounts, one at a time or
from an Excel sheet, and deactivate them. The one path for both pages.

- Who may: coordinators only, and never for a superuser, a staff user, a coordinator, a leader or oneself
  (`roles.can_reset_password`, the rule of the password page). A new account gets a unit membership only,
  never a group, so it is a plain unit user.
- The initial password is generated (forms.temporary_password), returned to the caller to be shown once, and
  stored only as its hash; `must_change_password` makes the person change it at the first log-in
  (middleware.PasswordChangeRequiredMiddleware).
- A sheet is all or nothing: every row is checked first (a row-numbered list of what is wrong, in Chinese);
  if any row is wrong nothing is created, so the coordinator corrects the sheet and uploads it again.
- Deactivation sets `is_active = False` (never deletes: the person's reports and events keep their author).
- Each creation and deactivation is announced as `signals.account_changed` (the audit log records it).
"""

import io
import re
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from lib.archives import ArchiveRefused, Limits, check_archive

from .directory import Directory
from .forms import temporary_password
from .models import Membership, Unit
from .roles import can_reset_password, roles_for
from .signals import account_changed

COLUMNS = ("姓名", "单位", "角色", "手机", "邮箱", "用户名")
REQUIRED_COLUMNS = ("姓名", "单位", "角色")
SHEET_MAX_BYTES = 2 * 1024 * 1024
SHEET_MAX_ROWS = 500
SHEET_LIMITS = Limits(max_members=100, max_bytes=20 * 1024 * 1024, max_elements=100_000, max_seconds=10)
ROLE_WORDS = {
    "联络员": Membership.Role.REPORTER,
    "单位联络员": Membership.Role.REPORTER,
    "reporter": Membership.Role.REPORTER,
    "审核人": Membership.Role.APPROVER,
    "单位审核人": Membership.Role.APPROVER,
    "approver": Membership.Role.APPROVER,
}
USERNAME_PREFIX = {Membership.Role.REPORTER: "lly", Membership.Role.APPROVER: "shr"}
PHONE = re.compile(r"^[0-9][0-9\- ]{5,18}[0-9]$")


class AccountError(ValueError):
    """A refusal the coordinator can act on; str() is the Chinese message."""


@dataclass
class AccountRow:
    full_name: str
    unit: Unit
    role: str
    phone: str = ""
    email: str = ""
    username: str = ""
    line: int = 0  # the row's number in the sheet (0: the one-at-a-time form)


def require_coordinator(actor):
    if not actor.is_authenticated or not roles_for(actor).is_coordinator:
        raise PermissionDenied(_("只有统筹人员可以管理单位用户。"))


def parse_role(text):
    return ROLE_WORDS.get(str(text or "").strip().lower())


def username_taken(name):
    """Is `name` already a username (case-insensitive, as log-in compares them)?"""
    return get_user_model().objects.filter(username__iexact=name).exists()


def generated_username(unit, role, reserved):
    """lly0012 (联络员 of unit 12) / shr0012 (审核人), then lly0012_2 … — not in `reserved` nor taken."""
    base = f"{USERNAME_PREFIX[role]}{unit.pk:04d}"
    User = get_user_model()
    existing = {name.lower() for name in User.objects.filter(username__istartswith=base).values_list("username", flat=True)}
    candidate, n = base, 1
    while candidate.lower() in existing or candidate.lower() in reserved:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def check_row(values, directory, line=0, reserved=None):
    """(AccountRow or None, [error messages]) for one person's values {"姓名", "单位", "角色", "手机", "邮箱",
    "用户名"}; `reserved` holds the usernames already chosen in the same sheet (lower case)."""
    reserved = set() if reserved is None else reserved
    text = {key: str(values.get(key) or "").strip() for key in COLUMNS}
    errors = []
    if not text["姓名"]:
        errors.append(_("“姓名”没有填写。"))
    elif len(text["姓名"]) > 50:
        errors.append(_("“姓名”超过 50 个字。"))
    unit = None
    if not text["单位"]:
        errors.append(_("“单位”没有填写。"))
    else:
        found = directory.resolve(text["单位"])
        if isinstance(found, Unit):
            unit = found
        elif found is not None:
            errors.append(
                _("“%(name)s”是单位组，不是一个单位，请填写具体单位的名称。") % {"name": text["单位"]}
            )
        else:
            errors.append(
                _("找不到单位“%(name)s”，请填写单位全称或简称（如“东昌府区”“市司法局”）。") % {"name": text["单位"]}
            )
    role = parse_role(text["角色"])
    if role is None:
        errors.append(
            _("“角色”应为“联络员”或“审核人”（也可写 reporter / approver），现为“%(role)s”。") % {"role": text["角色"]}
        )
    if text["手机"] and not PHONE.match(text["手机"]):
        errors.append(_("“手机”应为数字（可含“-”），如 13800000000，现为“%(phone)s”。") % {"phone": text["手机"]})
    if text["邮箱"]:
        try:
            validate_email(text["邮箱"])
        except ValidationError:
            errors.append(_("“邮箱”格式不对：%(email)s。") % {"email": text["邮箱"]})
    username = text["用户名"]
    if username:
        validator = get_user_model().username_validator
        try:
            validator(username)
        except ValidationError:
            errors.append(
                _("用户名“%(name)s”只能包含字母、数字和 @ . + - _。") % {"name": username}
            )
        else:
            if len(username) > 150:
                errors.append(_("用户名超过 150 个字符。"))
            elif username.lower() in reserved:
                errors.append(_("用户名“%(name)s”在表中重复。") % {"name": username})
            elif username_taken(username):
                errors.append(_("用户名“%(name)s”已被使用，请换一个或留空由系统生成。") % {"name": username})
    if unit is not None and role is not None and text["姓名"]:
        same = (
            Membership.objects.filter(unit=unit, role=role, user__full_name=text["姓名"])
            .values_list("user__username", flat=True)
            .first()
        )
        if same:
            errors.append(
                _("%(unit)s已有名为“%(name)s”的%(role)s账号（用户名 %(username)s），不再重复创建。")
                % {"unit": unit.short_name, "name": text["姓名"], "role": Membership.Role(role).label, "username": same}
            )
    if errors:
        return None, errors
    if not username:
        username = generated_username(unit, role, reserved)
    reserved.add(username.lower())
    return AccountRow(text["姓名"], unit, role, text["手机"], text["邮箱"], username, line), []


@sensitive_variables("password")
def create_accounts(rows, actor, request=None):
    """Create the accounts of `rows` (AccountRow), all or nothing; returns [(user, password)] — each password
    to be shown once by the caller and kept nowhere."""
    require_coordinator(actor)
    User = get_user_model()
    created = []
    with transaction.atomic():
        for row in rows:
            if User.objects.filter(username__iexact=row.username).exists():
                raise AccountError(_("用户名“%(name)s”已被使用，请换一个。") % {"name": row.username})
            user = User(
                username=row.username, full_name=row.full_name, phone=row.phone, email=row.email,
                must_change_password=True,
            )
            password = temporary_password(user)
            user.set_password(password)
            user.save()
            Membership.objects.create(user=user, unit=row.unit, role=row.role)
            account_changed.send(
                sender=User, user=user, request=request,
                how=_("新建账号：%(unit)s · %(role)s") % {"unit": row.unit.short_name, "role": Membership.Role(row.role).label},
            )
            created.append((user, password))
    return created


def deactivate_account(target, actor, request=None):
    """停用: the person can no longer log in; nothing is deleted. Only for accounts `can_reset_password` allows."""
    require_coordinator(actor)
    if not can_reset_password(actor, target):
        raise PermissionDenied(
            _("不能停用该账号：系统管理员、统筹人员和领导的账号请由系统管理员在管理后台处理；不能停用自己的账号。")
        )
    with transaction.atomic():
        User = get_user_model()
        fresh = User.objects.select_for_update().get(pk=target.pk)
        if not fresh.is_active:
            raise AccountError(_("该账号已经停用。"))
        fresh.is_active = False
        fresh.save(update_fields=["is_active"])
        account_changed.send(sender=User, user=fresh, request=request, how=_("停用账号"))
    target.is_active = False
    return target


# --- the Excel sheet ----------------------------------------------------------------------------------------


def read_sheet(data, name=""):
    """The sheet's rows as [(line, {column: value})], bounded: at most SHEET_MAX_BYTES, checked by lib.archives
    before openpyxl opens it, at most SHEET_MAX_ROWS rows, in SHEET_LIMITS.max_seconds. Raises AccountError
    with a Chinese message for a file that cannot be read or lacks the columns."""
    import openpyxl

    if len(data) > SHEET_MAX_BYTES:
        raise AccountError(
            _("文件“%(name)s”超过 %(mb)s MB，请只保留需要导入的人员。") % {"name": name, "mb": SHEET_MAX_BYTES // (1024 * 1024)}
        )
    try:
        check_archive(data, name=name, limits=SHEET_LIMITS)
    except ArchiveRefused as error:
        if error.code == "damaged":
            raise AccountError(
                _("文件“%(name)s”不是有效的 Excel（.xlsx）文件，请下载模板填写，或在 Excel/WPS 中另存为 .xlsx 后再上传。")
                % {"name": name}
            ) from error
        raise AccountError(str(error)) from error
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise AccountError(
            _("文件“%(name)s”无法读取，请下载模板填写后再上传。") % {"name": name}
        ) from error
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        headers = [str(value or "").strip() for value in next(rows, ())]
        missing = [column for column in REQUIRED_COLUMNS if column not in headers]
        if missing:
            raise AccountError(
                _("第1行应为列标题“姓名、单位、角色、手机、邮箱”，缺少：%(missing)s。请下载模板填写。")
                % {"missing": "、".join(missing)}
            )
        where = {column: headers.index(column) for column in COLUMNS if column in headers}
        found, deadline = [], time.monotonic() + SHEET_LIMITS.max_seconds
        for line, row in enumerate(rows, start=2):
            if time.monotonic() > deadline:
                raise AccountError(_("读取文件超时，请删除多余的行后再上传。"))
            values = {column: (row[i] if i < len(row) else None) for column, i in where.items()}
            if all(value in (None, "") for value in values.values()):
                continue
            if len(found) >= SHEET_MAX_ROWS:
                raise AccountError(_("一次最多导入 %(rows)s 人，请分成几个文件上传。") % {"rows": SHEET_MAX_ROWS})
            found.append((line, {k: _cell(v) for k, v in values.items()}))
        if not found:
            raise AccountError(_("表中没有人员（第2行起每行一人）。"))
        return found
    finally:
        book.close()


def _cell(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number
    return "" if value is None else str(value)


def check_sheet(lines):
    """([AccountRow], [(line, [messages])]) for the sheet's rows: every row checked, one directory read."""
    directory = Directory()
    reserved, rows, errors = set(), [], []
    for line, values in lines:
        row, row_errors = check_row(values, directory, line, reserved)
        if row_errors:
            errors.append((line, row_errors))
        else:
            rows.append(row)
    return rows, errors


def template_workbook():
    """The sheet to fill in: the columns, one example row, and the active units on a second sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("单位账号")
    sheet.append(list(COLUMNS))
    sheet.append([_("张三"), _("东昌府区"), _("联络员"), "13800000000", "zhangsan@example.org", ""])
    for column, width in zip("ABCDEF", (12, 28, 10, 16, 28, 16), strict=True):
        sheet.column_dimensions[column].width = width
    units = book.create_sheet(_("单位名称"))
    units.append([_("单位全称"), _("简称")])
    for full, short in Unit.objects.filter(is_active=True).order_by("order", "name").values_list("name", "short_name"):
        units.append([full, short])
    notes = book.create_sheet(_("填写说明"))
    for line in (
        _("每行一人；“姓名”“单位”“角色”必填。"),
        _("单位：填写全称或简称，见“单位名称”表。"),
        _("角色：联络员 或 审核人。"),
        _("用户名：可不填，由系统生成。"),
        _("初始密码由系统生成，只在导入结果页显示一次；本人首次登录须修改密码。"),
    ):
        notes.append([line])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
