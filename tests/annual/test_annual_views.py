"""The year-end report pages through the real stack: the draft page, assembling, editing a part and the head
fields (with stale edits refused and both texts shown), the print view, the Word and ledger downloads, and who
may do what."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from annual import assembly
from annual.models import AnnualReport
from tasks.models import Assignment
from tests.annual.test_assembly import ACCEPTED_BODIES, UNACCEPTED_MARKERS, World
from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


@pytest.fixture
def assembled(world):
    assembly.assemble(world.plan)
    return world


def url(name, world, *args):
    return reverse(f"annual:{name}", args=[world.plan.pk, *args])


def text(response):
    return response.content.decode()


def part(world, key):
    return AnnualReport.objects.get(plan=world.plan).parts.get(key=key)


def body_of(response):
    return b"".join(response.streaming_content)


# --- the page and assembling -----------------------------------------------------------------------------------


def test_before_assembly_the_page_offers_to_assemble_the_full_year(login, world):
    response = login(COORDINATOR).get(url("annual_report", world))
    assert response.status_code == 200
    page = text(response)
    assert "尚未汇编" in page and url("annual_assemble", world) in page
    assert response.context["assemble_form"]["period"].value() == world.full_year.pk
    assert response.context["nav_active"] == "annual"


def test_the_coordinator_assembles_and_the_page_shows_the_draft(login, world):
    client = login(COORDINATOR)
    response = client.post(url("annual_assemble", world), {"period": world.full_year.pk}, follow=True)
    page = text(response)
    assert "已汇编年度报告草稿：纳入“全年”已通过的报告 3 份。" in page
    assert AnnualReport.objects.filter(plan=world.plan, period=world.full_year).exists()
    for heading in [
        "一、第一部分",
        "（一）任务一",
        "二、压实第一责任人职责",
        "三、存在的不足和原因",
        "五、2032年工作安排",
    ]:
        assert heading in page
    assert (
        page.index("一、第一部分") < page.index("二、压实第一责任人职责") < page.index("三、存在的不足和原因")
    )
    assert "【T1乙牵头】第一段" in page and "【T2甲牵头】" in page
    assert not any(marker in page for marker in UNACCEPTED_MARKERS)
    # beside the draft: the task without an accepted report and the unit that never reported, with links
    assert [t.number for t in response.context["tasks_missing"]] == [3]
    assert [u.short_name for u in response.context["units_silent"]] == ["丁局"]
    assert reverse("tasks:task_detail", args=[world.task3.pk]) in page
    assert reverse("tasks:missing_reports") in page
    # the statutory dates
    assert "2032年3月1日前" in page and "2032年4月1日前" in page


def test_a_period_of_another_plan_is_refused(login, world, plan):
    other_period = plan.periods.first()
    response = login(COORDINATOR).post(
        url("annual_assemble", world), {"period": other_period.pk}, follow=True
    )
    assert "请选择这份计划的一个报送期" in text(response)
    assert not AnnualReport.objects.filter(plan=world.plan).exists()


def test_reassembly_shows_what_is_new_and_keeps_the_edit(login, assembled):
    world = assembled
    client = login(COORDINATOR)
    task1 = part(world, assembly.task_key(world.task1.pk))
    client.post(
        url("annual_part", world, task1.pk), {"text": "我改写的任务一【改】", "version": task1.version}
    )
    world.accept(world.r1_bing)
    response = client.post(url("annual_assemble", world), {"period": world.full_year.pk}, follow=True)
    page = text(response)
    assert "新纳入 2 份" in page  # task 1 and the problems and "保留您修改过的 1 个部分" in page
    assert "我改写的任务一【改】" in page
    assert "重新汇编新纳入的报告（1 份）" in page and "【T1丙已报送】" in page  # highlighted, not in the text
    assert url("annual_part_replace", world, task1.pk) in page
    assert url("annual_part_dismiss", world, task1.pk) in page

    client.post(url("annual_part_replace", world, task1.pk), {"version": task1.version + 1})
    task1.refresh_from_db()
    assert not task1.edited and task1.text.endswith("【T1丙已报送】") and task1.new_report_ids == []


def test_keep_mine_dismisses_the_highlight(login, assembled):
    world = assembled
    world.accept(world.r2_yi)
    assembly.assemble(world.plan)
    task2 = part(world, assembly.task_key(world.task2.pk))
    assert task2.new_report_ids == [world.r2_yi.pk]
    response = login(COORDINATOR).post(url("annual_part_dismiss", world, task2.pk))
    assert response.status_code == 302 and response["Location"].endswith(f"#part-{task2.pk}")
    task2.refresh_from_db()
    assert task2.new_report_ids == [] and "【T2乙已退回】" in task2.text


# --- editing ----------------------------------------------------------------------------------------------------


def test_editing_a_part_saves_it_and_marks_it_edited(login, assembled):
    world = assembled
    leaders = part(world, "leaders")
    client = login(COORDINATOR)
    response = client.get(url("annual_part", world, leaders.pk))
    assert response.status_code == 200
    assert "参考材料：第二部分各任务已通过的报告" in text(response)
    assert "【T2甲牵头】" in text(response)  # section 二's material beside the editor
    response = client.post(
        url("annual_part", world, leaders.pk),
        {"text": "市政府主要负责同志……【第一责任人】\n\n第二段", "version": 1},
    )
    assert response.status_code == 302
    leaders.refresh_from_db()
    assert (
        leaders.text == "市政府主要负责同志……【第一责任人】\n第二段"
        and leaders.edited
        and leaders.version == 2
    )
    assert "已保存" in text(client.get(response["Location"]))


def test_a_stale_edit_is_refused_with_both_texts_on_screen(login, assembled):
    world = assembled
    leaders = part(world, "leaders")
    assembly.save_part(leaders, text="另一个标签页先保存的文本", version=1, user=None)
    response = login(COORDINATOR).post(
        url("annual_part", world, leaders.pk), {"text": "我在旧页面写的文本", "version": 1}
    )
    assert response.status_code == 200
    page = text(response)
    assert "已被他人修改" in page
    assert "另一个标签页先保存的文本" in page and "我在旧页面写的文本" in page
    assert response.context["form"]["version"].value() == 2  # the next save is made knowingly
    leaders.refresh_from_db()
    assert leaders.text == "另一个标签页先保存的文本" and leaders.version == 2


def test_the_head_fields_are_edited_and_a_stale_edit_refused(login, assembled):
    world = assembled
    client = login(COORDINATOR)
    data = {
        "title": "测试市人民政府关于2031年度法治政府建设情况的报告",
        "issuer": "测试市人民政府",
        "date": "2032-03-20",
    }
    response = client.post(
        url("annual_head", world), {**data, "addressee": "市委、市人大常委会", "version": 1}
    )
    assert response.status_code == 302
    draft = AnnualReport.objects.get(plan=world.plan)
    assert (str(draft.date), draft.addressee, draft.version) == ("2032-03-20", "市委、市人大常委会", 2)
    response = client.post(url("annual_head", world), {**data, "addressee": "旧页面的主送", "version": 1})
    page = text(response)
    assert response.status_code == 200 and "已被他人修改" in page
    assert "市委、市人大常委会" in page and "旧页面的主送" in page
    draft.refresh_from_db()
    assert draft.addressee == "市委、市人大常委会"


# --- reading it out -------------------------------------------------------------------------------------------------


def test_the_print_view(login, assembled):
    world = assembled
    response = login(LEADER).get(url("annual_print", world))
    assert response.status_code == 200
    page = text(response)
    assert "annual/print.css" in page and "<script" not in page
    assert page.index("一、第一部分") < page.index("（一）任务一") < page.index("二、压实第一责任人职责")
    assert "测试市人民政府关于2031年度法治政府建设情况的报告" in page
    assert "任务三" not in page  # no accepted report: not printed
    assert not any(marker in page for marker in UNACCEPTED_MARKERS)


def test_the_word_download(login, assembled):
    world = assembled
    response = login(LEADER).get(url("annual_docx", world))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''" in response["Content-Disposition"]  # the Chinese name, encoded
    assert response["Content-Type"].endswith("wordprocessingml.document")
    document = Document(io.BytesIO(body_of(response)))
    lines = [p.text for p in document.paragraphs if p.text.strip()]
    title = lines[0].replace("\n", "")  # the writer breaks a long title into balanced lines
    assert title == "测试市人民政府关于2031年度法治政府建设情况的报告"
    headings = [line for line in lines if line[:2] in {"一、", "二、", "三、", "四、", "五、", "（一"}]
    assert headings == [
        "一、第一部分",
        "（一）任务一",
        "二、压实第一责任人职责",
        "（一）任务二",
        "三、存在的不足和原因",
        "四、党政主要负责人履行推进法治建设第一责任人职责情况",
        "五、2032年工作安排",
    ]
    everything = "\n".join(lines)
    for body in ACCEPTED_BODIES:
        for paragraph in assembly.paragraphs(body):
            assert everything.count(paragraph) == 1
    assert not any(marker in everything for marker in UNACCEPTED_MARKERS)
    assert lines[-1] == "测试市人民政府"  # the signature; the date is left blank


def test_downloads_before_assembly_lead_back_to_the_page(login, world):
    response = login(LEADER).get(url("annual_docx", world), follow=True)
    assert response.redirect_chain[-1][0] == url("annual_report", world)
    assert "年度报告还没有汇编" in text(response)


def test_the_ledger_download(login, world):
    client = login(LEADER)
    response = client.get(url("ledger", world))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(body_of(response))).active
    assignments = Assignment.objects.filter(task__plan=world.plan).count()
    assert sheet.max_row == 1 + 2 * assignments  # a header, then each assignment in each of the 2 periods
    response = client.get(url("ledger", world) + f"?period={world.half_year.pk}")
    sheet = load_workbook(io.BytesIO(body_of(response))).active
    assert sheet.max_row == 1 + assignments
    assert {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"上半年"}


def test_the_ledger_refuses_a_period_of_another_plan(login, world, plan):
    client = login(LEADER)
    assert client.get(url("ledger", world) + f"?period={plan.periods.first().pk}").status_code == 404
    assert client.get(url("ledger", world) + "?period=abc").status_code == 404


# --- queries ----------------------------------------------------------------------------------------------------


def test_the_page_takes_the_same_queries_with_more_reports(login, assembled):
    world = assembled
    client = login(COORDINATOR)
    client.get(url("annual_report", world))
    with CaptureQueriesContext(connection) as small:
        client.get(url("annual_report", world))
    world.grow(20)
    world.accept(world.r1_bing)
    assembly.assemble(world.plan)  # more parts' sources and news on the page
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("annual_report", world))
    assert response.context["report_count"] == 24 and response.context["news_count"] == 42
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    # session, user, groups, plan, draft, periods, tasks, reports, parts, sections, silent units, calendar,
    # memberships for the menu, unread notifications
    assert len(small) <= 14, len(small)


# --- who may do what ----------------------------------------------------------------------------------------------

READ_PAGES = ["annual_report", "annual_print", "annual_docx", "ledger"]
CHANGES = ["annual_assemble", "annual_part", "annual_part_replace", "annual_part_dismiss", "annual_head"]


@pytest.fixture
def demo_draft(plan):
    assembly.assemble(plan)
    return AnnualReport.objects.get(plan=plan)


def demo_url(name, plan, draft):
    args = [plan.pk, draft.parts.get(key="other").pk] if name.startswith("annual_part") else [plan.pk]
    return reverse(f"annual:{name}", args=args)


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize(
    ("username", "expected"),
    [(COORDINATOR, 200), (LEADER, 200), (LEAD_REPORTER, 403), (COUNTY_REPORTER, 403)],
)
def test_who_reads(login, plan, demo_draft, name, username, expected):
    assert login(username).get(demo_url(name, plan, demo_draft)).status_code == expected


@pytest.mark.parametrize("name", CHANGES)
@pytest.mark.parametrize(
    ("username", "expected"),
    [(COORDINATOR, 302), (LEADER, 403), (LEAD_REPORTER, 403), (COUNTY_REPORTER, 403)],
)
def test_who_changes(login, plan, demo_draft, name, username, expected):
    data = {
        "period": demo_draft.period_id,
        "text": "其他事项",
        "version": 1,
        "title": "标题",
        "issuer": "落款",
    }
    assert login(username).post(demo_url(name, plan, demo_draft), data).status_code == expected


@pytest.mark.parametrize("name", READ_PAGES + CHANGES)
def test_anonymous_users_are_sent_to_log_in(client, plan, demo_draft, name):
    response = client.get(demo_url(name, plan, demo_draft))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["annual_assemble", "annual_part_replace", "annual_part_dismiss"])
def test_changes_are_post_only(login, plan, demo_draft, name):
    assert login(COORDINATOR).get(demo_url(name, plan, demo_draft)).status_code == 405


def test_changes_need_the_csrf_token(plan, demo_draft, django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.get(username=COORDINATOR))
    response = client.post(demo_url("annual_assemble", plan, demo_draft), {"period": demo_draft.period_id})
    assert response.status_code == 403


def test_a_draft_plan_is_hidden_from_reporters_and_refused_to_them(login, world):
    world.plan.status = "draft"
    world.plan.save()
    assert login(LEAD_REPORTER).get(url("annual_report", world)).status_code == 403
    assert login(LEADER).get(url("annual_report", world)).status_code == 200
