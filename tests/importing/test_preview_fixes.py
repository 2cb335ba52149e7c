"""The preview is where the coordinator fixes what the importer got wrong (issue 18): by line and by task,
without leaving the page; the fixes are kept in the import record."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import Assignment, WorkPlan
from tests.conftest import COORDINATOR, LEAD_REPORTER
from units.models import Unit

from .corpus_files import corpus_notices

pytestmark = pytest.mark.django_db

IMPORT = reverse("importing:import_plan")
PREVIEW = reverse("importing:import_preview")
EDIT = reverse("importing:import_edit")

NOTICE = """聊城市人民政府办公室
聊政办字〔2031〕21号
关于印发聊城市2031年法治政府建设工作要点的通知
一、深化改革
1. 推进政务服务标准化。
另行部署行政规范性文件清理工作。
牵头单位:市司法局
责任单位:市财政局
2. 开展执法检查。〔牵头单位:市司法局〕
"""


def lines_of(client):
    return dict((text, number) for number, text in client.get(PREVIEW).context["source_lines"])


def confirm(client):
    page = client.get(PREVIEW)
    return client.post(PREVIEW, {"digest": page.context["form"].initial["digest"]})


def test_a_line_made_a_task_a_deadline_and_a_role_are_applied_and_recorded(login):
    client = login(COORDINATOR)
    client.post(IMPORT, {"text": NOTICE})
    lines = lines_of(client)
    split = client.post(
        EDIT, {"op": "line", "line": lines["另行部署行政规范性文件清理工作。"], "kind": "task"}
    )
    assert split.status_code == 302 and split["Location"].startswith(PREVIEW)
    page = client.get(PREVIEW)
    assert page.content.decode().count('class="task-row"') == 3
    second = [p for p in page.context["preview"].items if p.item.content.startswith("另行部署")][0]
    line = second.item.line + 1
    client.post(EDIT, {"op": "deadline", "line": line, "deadline": "2031-06-30"})
    client.post(EDIT, {"op": "role", "line": line, "name": "市财政局", "role": "lead"})
    page = client.get(PREVIEW).content.decode()
    assert "2031-06-30" in page and "已做的修改" in page

    assert confirm(client).status_code == 302
    plan = WorkPlan.objects.get(doc_number="聊政办字〔2031〕21号")
    task = plan.tasks.get(number=2)
    assert task.deadline.isoformat() == "2031-06-30"
    assert task.assignments.get(unit=Unit.objects.get(short_name="市财政局")).role == Assignment.Role.LEAD
    assert plan.tasks.get(number=1).assignments.count() == 0
    record = LogEntry.objects.get(object_id=str(plan.pk))
    assert "导入时修改" in record.change_message and "设为新任务" in record.change_message


def test_merging_a_task_into_the_previous_one_and_undoing_it(login):
    client = login(COORDINATOR)
    client.post(IMPORT, {"text": NOTICE})
    line = lines_of(client)["2. 开展执法检查。〔牵头单位:市司法局〕"]
    client.post(EDIT, {"op": "line", "line": line, "kind": "text"})
    assert client.get(PREVIEW).content.decode().count('class="task-row"') == 1
    client.post(EDIT, {"op": "line", "line": line, "kind": "auto"})
    assert client.get(PREVIEW).content.decode().count('class="task-row"') == 2


def test_a_stale_tab_cannot_confirm_after_a_fix(login):
    client = login(COORDINATOR)
    client.post(IMPORT, {"text": NOTICE})
    digest = client.get(PREVIEW).context["form"].initial["digest"]
    client.post(EDIT, {"op": "line", "line": 5, "kind": "task"})
    client.post(PREVIEW, {"digest": digest})
    assert not WorkPlan.objects.filter(doc_number="聊政办字〔2031〕21号").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"op": "line", "line": 999, "kind": "task"}, "不存在"),
        ({"op": "line", "line": 2}, "请选择这一行改成什么"),
        ({"op": "role", "line": 5}, "请选择单位和它的角色"),
    ],
)
def test_a_bad_fix_is_explained_and_changes_nothing(login, data, message):
    client = login(COORDINATOR)
    client.post(IMPORT, {"text": NOTICE})
    response = client.post(EDIT, data, follow=True)
    assert message in response.content.decode()
    assert client.session["plan_import"].get("edits") is None


def test_only_coordinators_may_fix(login):
    assert login(LEAD_REPORTER).post(EDIT, {"op": "line", "line": 1, "kind": "task"}).status_code == 403


def test_fixes_need_a_pending_import_and_a_post(login):
    client = login(COORDINATOR)
    assert client.get(EDIT).status_code == 405
    assert client.post(EDIT, {"op": "line", "line": 1, "kind": "task"})["Location"] == IMPORT


def test_the_preview_shows_the_tree_beside_the_source_with_warnings_at_their_item(
    login, django_assert_max_num_queries
):
    client = login(COORDINATOR)
    notice = next(n for n in corpus_notices() if n.name.startswith("14_"))
    client.post(IMPORT, {"file": SimpleUploadedFile(notice.filename, notice.data), "year": ""})
    with django_assert_max_num_queries(13):
        page = client.get(PREVIEW).content.decode()
    assert 'class="import-source' in page and 'id="L1"' in page
    assert "王明" in page and "未写明具体日期（持续推进）" in page and "2025-10-31" in page
    assert "这是金昌市的通知" in page


def test_a_notice_without_a_year_asks_for_it_and_imports_with_it(login):
    client = login(COORDINATOR)
    text = "××县工作要点\n一、任务\n1. 做好工作，6月底前完成。〔牵头单位:市司法局〕"
    client.post(IMPORT, {"text": text})
    assert "没有找到计划年度" in client.get(PREVIEW).content.decode()
    assert 'class="primary">确认导入' not in client.get(PREVIEW).content.decode()
    client.post(IMPORT, {"text": text, "year": "2031"})
    assert confirm(client).status_code == 302
    plan = WorkPlan.objects.get(year=2031, doc_number="")
    assert plan.tasks.get().deadline.isoformat() == "2031-06-30"
