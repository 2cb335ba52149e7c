"""The import page: upload or paste → preview with decisions → confirm; refusals in Chinese, nothing lost."""

import io

import docx
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notifications.models import Notification
from tasks.models import Assignment, WorkPlan
from tests.conftest import COORDINATOR, LEAD_REPORTER, LEADER
from tests.importing.test_service import NOTICE, SEED
from units.models import Unit, UnitAlias, UnitGroup

from .corpus_files import scanned_pdf

pytestmark = pytest.mark.django_db

IMPORT = reverse("importing:import_plan")
PREVIEW = reverse("importing:import_preview")
SEED_COPY = SEED.replace("〔2022〕9号", "〔2022〕19号")


def upload(client, name, data, **extra):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data), **extra})


def confirm(client, **fields):
    page = client.get(PREVIEW)
    data = {"digest": page.context["form"].initial["digest"], **fields}
    return client.post(PREVIEW, data)


def import_draft(client):
    """The small notice, its unknown name replaced by a known one, imported as a draft."""
    client.post(IMPORT, {"text": NOTICE.replace("市星际办", "市司法局")})
    confirm(client)
    return WorkPlan.objects.get(doc_number="聊政办字〔2031〕7号")


@pytest.mark.parametrize("username", [LEADER, LEAD_REPORTER])
def test_only_coordinators_may_import(login, username):
    client = login(username)
    assert client.get(IMPORT).status_code == 403
    assert client.post(PREVIEW).status_code == 403
    assert "只有统筹人员可以导入工作计划" in client.get(IMPORT).content.decode()


def test_the_seed_file_previews_and_imports_as_a_draft(login):
    client = login(COORDINATOR)
    response = upload(client, "通知.txt", SEED_COPY.encode("utf-8"))
    assert response.status_code == 302 and response["Location"] == PREVIEW
    page = client.get(PREVIEW).content.decode()
    assert "聊政办字〔2022〕19号" in page and "聊城市人民政府办公室" in page and "2022年3月25日" in page
    assert page.count('class="task-row"') == 22
    assert "第12条没有写牵头单位" in page
    assert WorkPlan.objects.filter(doc_number="聊政办字〔2022〕19号").count() == 0  # nothing saved yet
    response = confirm(client)
    plan = WorkPlan.objects.get(doc_number="聊政办字〔2022〕19号")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.status == WorkPlan.Status.DRAFT and plan.tasks.count() == 22 and plan.source_text == SEED_COPY
    assert client.get(PREVIEW).status_code == 302  # the pending import is gone


def test_a_word_file_built_here_imports(login):
    document = docx.Document()
    for line in NOTICE.replace("市星际办", "市司法局").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    client = login(COORDINATOR)
    assert upload(client, "计划.docx", buffer.getvalue()).status_code == 302
    confirm(client, publish="on")
    plan = WorkPlan.objects.get(doc_number="聊政办字〔2031〕7号")
    assert plan.status == WorkPlan.Status.ACTIVE
    assert plan.tasks.get(number=2).deadline.isoformat() == "2031-06-30"


def test_an_unknown_name_must_be_decided_and_the_mapping_is_remembered(login):
    client = login(COORDINATOR)
    client.post(IMPORT, {"text": NOTICE})
    page = client.get(PREVIEW).content.decode()
    assert "市星际办" in page and "未识别的单位名称" in page
    response = confirm(client, action_0="map")
    assert "请为“市星际办”选择对应的单位" in response.content.decode()
    assert not WorkPlan.objects.filter(doc_number="聊政办字〔2031〕7号").exists()
    justice = Unit.objects.get(short_name="市司法局")
    response = confirm(client, action_0="map", unit_0=justice.pk)
    assert response.status_code == 302
    assert UnitAlias.objects.get(name="市星际办").unit == justice


def test_a_new_unit_and_picked_group_members_are_saved(login):
    client = login(COORDINATOR)
    client.post(IMPORT, {"text": NOTICE})
    group = UnitGroup.objects.get(name="市政府有关部门")
    finance = Unit.objects.get(short_name="市财政局")
    confirm(client, action_0="create", kind_0="city_department", **{f"group_1_{group.pk}": [finance.pk]})
    plan = WorkPlan.objects.get(doc_number="聊政办字〔2031〕7号")
    first = plan.tasks.get(number=1)
    assert first.assignments.get(unit=finance).role == Assignment.Role.RESPONSIBLE
    assert not first.pending_groups.exists()
    assert first.assignments.get(unit__name="市星际办").role == Assignment.Role.LEAD


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("空.txt", b"", "是空的"),
        ("乱码.txt", bytes(range(256)) * 20, "不是文本文件"),
        ("假的.docx", b"this is not a zip file", ".docx"),
        ("坏的.pdf", b"%PDF-1.4", "不是有效的 PDF"),
        ("扫描件.pdf", scanned_pdf(), "没有文字层"),
        ("计划.doc", b"anything", "只能读取 .docx、.xlsx、.pdf 和 .txt"),
        (
            "无编号.txt",
            "聊城市人民政府办公室\n关于做好有关工作的通知\n请各单位认真落实。".encode(),
            "没有找到编号的任务条目",
        ),
        ("超大.txt", b"a" * (10 * 1024 * 1024 + 1), "10MB"),
    ],
)
def test_bad_files_get_a_chinese_message_and_nothing_is_saved(login, name, data, message):
    before = WorkPlan.objects.count()
    response = upload(login(COORDINATOR), name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert WorkPlan.objects.count() == before


def test_pasted_text_is_kept_when_it_cannot_be_read(login):
    text = "这是一段没有编号的文字，第二段也没有。"
    response = login(COORDINATOR).post(IMPORT, {"text": text})
    page = response.content.decode()
    assert "没有找到编号的任务条目" in page
    assert text in page


def test_nothing_to_import_asks_for_a_file(login):
    response = login(COORDINATOR).post(IMPORT, {})
    assert "请选择通知文件，或把通知全文粘贴到文本框中" in response.content.decode()


def test_the_live_plan_cannot_be_imported_again(login, plan):
    client = login(COORDINATOR)
    upload(client, "通知.txt", SEED.encode("utf-8"))
    page = client.get(PREVIEW).content.decode()
    assert "已经存在且已发布，不能重复导入" in page
    assert "确认导入" not in page
    response = confirm(client)
    assert response.status_code == 200
    assert WorkPlan.objects.filter(doc_number=plan.doc_number).count() == 1


def test_a_draft_is_replaced_only_when_asked(login):
    client = login(COORDINATOR)
    client.post(IMPORT, {"text": NOTICE.replace("市星际办", "市司法局")})
    confirm(client)
    first = WorkPlan.objects.get(doc_number="聊政办字〔2031〕7号")
    client.post(IMPORT, {"text": NOTICE.replace("市星际办", "市财政局")})
    response = confirm(client)
    assert "勾选“替换”才能导入" in response.content.decode()
    assert WorkPlan.objects.get(doc_number="聊政办字〔2031〕7号").pk == first.pk
    confirm(client, replace="on")
    second = WorkPlan.objects.get(doc_number="聊政办字〔2031〕7号")
    assert second.pk != first.pk
    assert second.tasks.get(number=2).assignments.get(role="lead").unit.short_name == "市财政局"


def test_a_stale_preview_is_refused(login):
    client = login(COORDINATOR)
    client.post(IMPORT, {"text": NOTICE.replace("市星际办", "市司法局")})
    stale = client.get(PREVIEW).context["form"].initial["digest"]
    client.post(IMPORT, {"text": SEED_COPY})  # another tab uploads another notice
    response = client.post(PREVIEW, {"digest": stale})
    assert "已在另一个窗口中更换" in response.content.decode()
    assert not WorkPlan.objects.filter(
        doc_number__in=["聊政办字〔2031〕7号", "聊政办字〔2022〕19号"]
    ).exists()


def test_without_a_pending_import_the_preview_sends_back(login):
    response = login(COORDINATOR).get(PREVIEW, follow=True)
    assert "没有待确认的导入内容" in response.content.decode()


def test_the_coordinator_publishes_a_draft_and_reporters_then_see_it(login):
    client = login(COORDINATOR)
    plan = import_draft(client)
    url = reverse("tasks:plan_publish", args=[plan.pk])
    assert login(LEAD_REPORTER).post(url).status_code == 404  # a draft is invisible to reporters
    assert login(LEADER).post(url).status_code == 403
    assert login(LEAD_REPORTER).get(plan.get_absolute_url()).status_code == 404
    # a confirmation step: what goes out, and a tick the server requires
    page = login(COORDINATOR).get(url)
    assert page.status_code == 200 and "我已核对" in page.content.decode()
    response = login(COORDINATOR).post(url)
    assert response.status_code == 200 and "请先勾选“我已核对”" in response.content.decode()
    assert WorkPlan.objects.get(pk=plan.pk).status == WorkPlan.Status.DRAFT
    response = login(COORDINATOR).post(url, {"confirmed": "on"}, follow=True)
    assert "计划已发布" in response.content.decode()
    assert login(LEAD_REPORTER).get(plan.get_absolute_url()).status_code == 200
    # the units on the plan are asked to sign for their tasks; a unit not on it is not
    signing = Notification.objects.filter(title__contains="请签收任务", title__endswith=plan.title)
    assert signing.filter(recipient__username=LEAD_REPORTER).count() == 1
    expected = set(
        Assignment.objects.filter(task__plan=plan)
        .filter(unit__memberships__role="reporter")
        .values_list("unit__memberships__user__username", flat=True)
    )
    assert set(signing.values_list("recipient__username", flat=True)) == expected
    response = login(COORDINATOR).post(url, {"confirmed": "on"}, follow=True)
    assert "只有草稿状态的计划可以发布" in response.content.decode()


def test_the_import_and_publication_are_in_the_admin_history(login):
    client = login(COORDINATOR)
    plan = import_draft(client)
    client.post(reverse("tasks:plan_publish", args=[plan.pk]), {"confirmed": "on"})
    messages = list(
        LogEntry.objects.filter(object_id=str(plan.pk))
        .order_by("pk")
        .values_list("change_message", flat=True)
    )
    assert messages == ["从通知导入：2 项任务", "发布计划"]
