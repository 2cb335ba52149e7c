"""Unit accounts: coordinators create a unit's liaison and approver accounts (one at a time, or from an Excel
sheet, all or nothing with a row-numbered error report) and deactivate them; the initial password is shown
once and must be changed at the first log-in; each step is in the audit log."""

import io
import logging
import re
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import ADMIN, APPROVER, COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER, PASSWORD
from units import accounts
from units.models import Unit, UnitAlias, User

pytestmark = pytest.mark.django_db
TEMPORARY = re.compile(r'class="temporary-password">([^<]+)<')
USERNAME = re.compile(r'class="username">([^<]+)<')
NEW_PASSWORD = "Fazhi#2024zf"


def sheet(rows, headers=("姓名", "单位", "角色", "手机", "邮箱")):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("账号.xlsx", out.getvalue(), content_type="application/octet-stream")


def log_in(username, password):
    client = Client()
    return client, client.post(reverse("login"), {"username": username, "password": password})


def test_a_coordinator_creates_one_account_shown_once_and_changed_at_first_log_in(login, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(COORDINATOR)
    unit = Unit.objects.get(short_name="东昌府区")
    response = client.post(
        reverse("units:account_create"),
        {"full_name": "王新", "unit": unit.pk, "role": "approver", "phone": "13800000001", "email": "wx@example.org"},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = response.content.decode()
    password, username = TEMPORARY.search(text).group(1), USERNAME.search(text).group(1)
    assert username == f"shr{unit.pk:04d}"
    person = User.objects.get(username=username)
    assert (person.full_name, person.phone, person.email, person.must_change_password) == (
        "王新", "13800000001", "wx@example.org", True
    )
    assert list(person.memberships.values_list("unit__short_name", "role")) == [("东昌府区", "approver")]
    assert not person.groups.exists() and not person.is_staff
    assert password not in person.password and password not in caplog.text
    assert password not in client.get(reverse("units:user_list")).content.decode()
    entry = AuditEntry.objects.get(object_id=str(person.pk), changes__has_key="账号操作")
    assert entry.username == COORDINATOR and "东昌府区" in entry.changes["账号操作"]
    assert password not in str(list(AuditEntry.objects.filter(object_id=str(person.pk)).values_list("changes", flat=True)))

    fresh, answer = log_in(username, password)
    assert answer.status_code == 302
    assert fresh.get(reverse("tasks:my_tasks"))["Location"] == reverse("password_change")


def test_a_typed_username_is_kept_and_a_taken_one_refused_with_the_form_kept(login):
    client = login(COORDINATOR)
    unit = Unit.objects.get(short_name="市司法局")
    data = {"full_name": "李明", "unit": unit.pk, "role": "reporter", "username": "liming"}
    client.post(reverse("units:account_create"), data)
    assert User.objects.filter(username="liming").exists()
    again = client.post(reverse("units:account_create"), {**data, "full_name": "李明明", "username": "LiMing"})
    text = again.content.decode()
    assert "已被使用" in text and 'value="李明明"' in text
    same = client.post(reverse("units:account_create"), {**data, "username": ""})
    assert "已有名为“李明”的联络员账号" in same.content.decode()  # a refresh of the result page creates none


def test_a_sheet_creates_every_account_matching_units_by_alias(login):
    unit = Unit.objects.get(short_name="东昌府区")
    UnitAlias.objects.get_or_create(name="东昌府区政府", defaults={"unit": unit})
    before = User.objects.count()
    response = login(COORDINATOR).post(
        reverse("units:account_import"),
        {"sheet": sheet([
            ("赵一", "东昌府区政府", "联络员", 13800000002, ""),
            ("钱二", "聊城市司法局", "approver", "", "q2@example.org"),
            ("孙三", "市司法局", "reporter", "0635-1234567", ""),
        ])},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert len(TEMPORARY.findall(text)) == 3 and User.objects.count() == before + 3
    zhao = User.objects.get(full_name="赵一")
    assert zhao.phone == "13800000002" and zhao.memberships.get().unit == unit
    assert User.objects.get(full_name="钱二").memberships.get().role == "approver"
    usernames = USERNAME.findall(text)
    assert len(set(usernames)) == 3


def test_a_sheet_with_errors_creates_nothing_and_says_which_rows(login):
    before = User.objects.count()
    response = login(COORDINATOR).post(
        reverse("units:account_import"),
        {"sheet": sheet([
            ("周四", "东昌府区", "联络员", "", ""),
            ("", "火星局", "组长", "abc", "not-an-email"),
            ("吴五", "各县(市、区)人民政府", "审核人", "", ""),
        ])},
    )
    text = response.content.decode()
    assert User.objects.count() == before
    assert "有 2 行有误，没有创建任何账号" in text
    assert "第 3 行" in text and "第 4 行" in text and "第 2 行" not in text
    for words in ("“姓名”没有填写", "找不到单位“火星局”", "“角色”应为“联络员”或“审核人”", "“手机”应为数字", "“邮箱”格式不对", "是单位组"):
        assert words in text, words


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("a.xlsx", b"not a zip"), "不是有效的 Excel"),
        (lambda: sheet([("甲", "东昌府区", "联络员")], headers=("名字", "单位", "角色")), "缺少：姓名"),
        (lambda: sheet([]), "表中没有人员"),
    ],
)
def test_an_unreadable_sheet_is_refused_in_chinese(login, upload, words):
    upload = upload() if callable(upload) else upload
    text = login(COORDINATOR).post(reverse("units:account_import"), {"sheet": upload}).content.decode()
    assert words in text


def test_a_zip_bomb_sheet_is_refused_before_openpyxl(login):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "<b/>" * 200_000 + "</a>")
    text = login(COORDINATOR).post(
        reverse("units:account_import"), {"sheet": SimpleUploadedFile("bomb.xlsx", out.getvalue())}
    ).content.decode()
    assert 'data-import-problem' in text and not TEMPORARY.search(text)


def test_the_template_downloads_and_imports_as_is(login):
    client = login(COORDINATOR)
    response = client.get(reverse("units:account_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == list(accounts.COLUMNS)
    assert "东昌府区" in [row[1] for row in book.worksheets[1].iter_rows(values_only=True)]
    upload = SimpleUploadedFile("模板.xlsx", response.content)
    text = client.post(reverse("units:account_import"), {"sheet": upload}).content.decode()
    assert len(TEMPORARY.findall(text)) == 1  # the example row


def test_a_coordinator_deactivates_a_unit_user_never_deleting(login):
    client = login(COORDINATOR)
    target = User.objects.get(username=LEAD_REPORTER)
    assert "确定停用" in client.get(reverse("units:account_deactivate", args=[target.pk])).content.decode()
    response = client.post(reverse("units:account_deactivate", args=[target.pk]), follow=True)
    assert "已停用" in response.content.decode()
    target.refresh_from_db()
    assert not target.is_active and target.memberships.exists()
    assert AuditEntry.objects.filter(object_id=str(target.pk), changes__账号操作="停用账号").exists()
    assert log_in(LEAD_REPORTER, PASSWORD)[1].status_code == 200  # refused: the form again


def _other_coordinator():
    person = User.objects.create_user("coordinator2", password=PASSWORD)
    person.groups.add(Group.objects.get(name="coordinator"))
    return person


@pytest.mark.parametrize(
    "make_target",
    [
        pytest.param(_other_coordinator, id="coordinator"),
        pytest.param(lambda: User.objects.get(username=COORDINATOR), id="self"),
        pytest.param(lambda: User.objects.get(username=LEADER), id="leader"),
        pytest.param(lambda: User.objects.get(username=ADMIN), id="superuser"),
    ],
)
def test_protected_accounts_are_never_deactivated(login, make_target):
    target = make_target()
    client = login(COORDINATOR)
    assert client.post(reverse("units:account_deactivate", args=[target.pk])).status_code == 403
    target.refresh_from_db()
    assert target.is_active


@pytest.mark.parametrize("username", [COUNTY_REPORTER, APPROVER, LEADER])
def test_only_coordinators_create_or_deactivate(login, username):
    client = login(username)
    before = User.objects.count()
    unit = Unit.objects.get(short_name="东昌府区")
    assert client.post(
        reverse("units:account_create"), {"full_name": "某人", "unit": unit.pk, "role": "reporter"}
    ).status_code == 403
    assert client.post(
        reverse("units:account_import"), {"sheet": sheet([("某人", "东昌府区", "联络员")])}
    ).status_code == 403
    target = User.objects.get(username=LEAD_REPORTER)
    assert client.post(reverse("units:account_deactivate", args=[target.pk])).status_code == 403
    assert User.objects.count() == before and User.objects.get(pk=target.pk).is_active
    with pytest.raises(accounts.PermissionDenied):
        accounts.deactivate_account(target, User.objects.get(username=username))
