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
from docx.enum.text import WD_COLOR_INDEX
from openpyxl import load_workbook

from annual import assembly
from annual.models import AnnualReport, ReportTemplate
from tasks.models import Assignment
from tests.annual.test_assembly import LEAD_TEXT, UNACCEPTED_MARKERS, World
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
    assert "已汇编年度报告草稿：纳入“全年”已通过的报告 8 份。" in page
    assert AnnualReport.objects.filter(plan=world.plan, period=world.full_year).exists()
    for heading in [
        "一、主要举措和成效",
        "（一）第一部分",
        "1.任务一",
        "二、党政主要负责人履行推进法治建设第一责任人职责情况",
        "三、存在的不足和原因",
        "四、下一年度推进法治政府建设的主要安排",
    ]:
        assert heading in page
    assert (
        page.index("一、主要举措和成效")
        < page.index("二、党政主要负责人")
        < page.index("三、存在的不足和原因")
    )
    assert '全年办理案件<mark class="fig">120件</mark>' in page and "【T2甲牵头】" in page  # figures marked
    assert not any(marker in page for marker in UNACCEPTED_MARKERS)
    # beside the draft: the task without an accepted report, the placeholders, with links
    assert [t.number for t in response.context["tasks_missing"]] == [3]
    assert response.context["units_silent"] == []
    assert reverse("tasks:task_detail", args=[world.task3.pk]) in page
    # placeholders: counted, highlighted, and the download asks first
    assert response.context["todo_count"] == 2
    assert '<mark class="todo">【待补充：第3项任务' in page
    assert "草稿中还有 2 处【待补充】" in page and "data-confirm=" in page
    assert 7000 > response.context["characters"] > 500
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
    assert "新纳入 1 份" in page and "保留您修改过的 1 个部分" in page
    assert "我改写的任务一【改】" in page
    assert "重新汇编新纳入的报告（1 份）" in page and "【T1丙已报送】" in page  # highlighted, not in the text
    assert url("annual_part_replace", world, task1.pk) in page
    assert url("annual_part_dismiss", world, task1.pk) in page

    client.post(url("annual_part_replace", world, task1.pk), {"version": task1.version + 1})
    task1.refresh_from_db()
    assert not task1.edited and task1.text.startswith("乙局印发") and task1.new_report_ids == []


def test_keep_mine_dismisses_the_highlight(login, assembled):
    world = assembled
    world.accept(world.r2_yi)
    assembly.assemble(world.plan)
    task2 = part(world, assembly.task_key(world.task2.pk))
    assert task2.new_report_ids == [world.r2_yi.pk]
    response = login(COORDINATOR).post(url("annual_part_dismiss", world, task2.pk))
    assert response.status_code == 302 and response["Location"].endswith(f"#part-{task2.pk}")
    task2.refresh_from_db()
    assert task2.new_report_ids == [] and "【T2甲牵头】" in task2.text  # the lead account stays the text


# --- editing ----------------------------------------------------------------------------------------------------


def test_editing_a_part_saves_it_and_marks_it_edited(login, assembled):
    world = assembled
    leaders = part(world, "leaders")
    client = login(COORDINATOR)
    response = client.get(url("annual_part", world, leaders.pk))
    assert response.status_code == 200
    page = text(response)
    assert "材料：这一部分所据的已通过报告（1 份）" in page
    assert "【T2甲牵头】" in page  # the leaders' section's material beside the editor, with an insert button
    assert 'data-insert="主要负责同志专题研究法治工作3次【T2甲牵头】。"' in page
    assert "annual/annual.js" in page and "<script>" not in page
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
    assert page.index("一、主要举措和成效") < page.index("（一）第一部分") < page.index("1.任务一")
    assert "测试市人民政府关于2031年度法治政府建设情况的报告" in page
    assert (
        '<mark class="todo">【待补充：第3项任务“任务三”' in page
    )  # no accepted report: a highlighted placeholder
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
        "一、主要举措和成效",
        "（一）第一部分",
        "二、党政主要负责人履行推进法治建设第一责任人职责情况",
        "三、存在的不足和原因",
        "四、下一年度推进法治政府建设的主要安排",
        "五、其他需要报告的情况",
    ]
    everything = "\n".join(lines)
    assert everything.count(LEAD_TEXT) == 1 and "1.任务一。" + LEAD_TEXT in everything
    assert not any(marker in everything for marker in UNACCEPTED_MARKERS)
    highlighted = [
        run.text
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    assert len(highlighted) == 2 and all(run.startswith("【待补充：") for run in highlighted)
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
    assert response.context["report_count"] == 29 and response.context["news_count"] == 21  # task 4 + task 1
    assert len(large) == len(small), [q["sql"][:300] for q in large.captured_queries]
    # session, user, groups, plan, draft, periods, tasks, reports, parts, template parts, sections, silent
    # units, calendar, memberships for the menu, unread notifications
    assert len(small) <= 15, len(small)


def test_the_part_editor_takes_the_same_queries_with_more_reports(login, assembled):
    world = assembled
    client = login(COORDINATOR)
    task4 = part(world, assembly.task_key(world.task4.pk))
    leaders = part(world, "leaders")
    client.get(url("annual_part", world, task4.pk))
    with CaptureQueriesContext(connection) as small:
        client.get(url("annual_part", world, task4.pk))
    with CaptureQueriesContext(connection) as small_leaders:
        client.get(url("annual_part", world, leaders.pk))
    world.grow(20)
    assembly.assemble(world.plan)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url("annual_part", world, task4.pk))
    with CaptureQueriesContext(connection) as large_leaders:
        client.get(url("annual_part", world, leaders.pk))
    assert len(response.context["material"]) == 25
    assert len(large) == len(small), [q["sql"][:300] for q in large.captured_queries]
    assert len(large_leaders) == len(small_leaders)
    assert len(small) <= 14, len(small)


def test_the_part_editor_shows_every_report_behind_it_and_what_the_digest_took(login, assembled):
    world = assembled
    task4 = part(world, assembly.task_key(world.task4.pk))
    response = login(COORDINATOR).get(url("annual_part", world, task4.pk))
    page = text(response)
    material = response.context["material"]
    assert [item.report.pk for item in material] == [r.pk for r in world.r4.values()]
    taken = [
        (item.report.pk, index) for item in material for index, _s, was_taken in item.sentences if was_taken
    ]
    assert [list(pair) for pair in taken] == task4.digest
    assert "【T4乙重】" in page and "【T4甲空】" in page  # left out of the text, still in the material
    assert '<mark class="fig">12次</mark>' in page  # figures highlighted
    assert 'class="taken"' in page and 'data-insert-target="id_text"' in page
    assert f'data-insert="{world.r4["ding"].body}"' in page  # insert the whole report


def test_figures_in_the_material_are_escaped(login, assembled):
    world = assembled
    world.r4["wu"].body = '<script>alert(1)</script>检查<b>7次</b>，"=HYPERLINK(1)"。'
    world.r4["wu"].save()
    page = text(
        login(COORDINATOR).get(url("annual_part", world, part(world, assembly.task_key(world.task4.pk)).pk))
    )
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert '&lt;b&gt;<mark class="fig">7次</mark>&lt;/b&gt;' in page


# --- the template and the figures ---------------------------------------------------------------------------


def formset_data(rows, limit=400):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0", "digest_limit": str(limit)}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


def test_the_coordinator_edits_the_template_and_the_draft_follows(login, assembled):
    world = assembled
    client = login(COORDINATOR)
    page = text(client.get(url("annual_template", world)))
    assert "主要举措和成效" in page and "第一部分" in page
    data = formset_data(
        [
            {"heading": "工作成效", "kind": "measures", "order": "2"},
            {"heading": "履职情况", "kind": "leaders", "order": "1", "sections": str(world.second.pk)},
            {"heading": "问题", "kind": "shortcomings", "order": "3"},
        ],
        limit=150,
    )
    response = client.post(url("annual_template", world), data, follow=True)
    page = text(response)
    assert "已保存报告模板" in page
    assert page.index("一、履职情况") < page.index("二、工作成效") < page.index("三、问题")
    assert ReportTemplate.objects.get(report__plan=world.plan).digest_limit == 150
    assert len(part(world, assembly.task_key(world.task4.pk)).text) <= 150

    twice = formset_data(
        [{"heading": "甲", "kind": "shortcomings"}, {"heading": "乙", "kind": "shortcomings"}]
    )
    page = text(client.post(url("annual_template", world), twice))
    assert "只能有一个部分" in page
    bad = formset_data([{"heading": "甲", "kind": "nonsense"}], limit=10)
    assert "没有保存" in text(client.post(url("annual_template", world), bad))


def test_the_county_preset_from_the_page(login, assembled):
    world = assembled
    client = login(COORDINATOR)
    page = text(client.post(url("annual_template_preset", world), {"preset": "county"}, follow=True))
    assert "一、主要工作情况" in page and "三、下一年工作思路" in page and "第一责任人职责情况" not in page
    assert "请选择一个报告模板" in text(
        client.post(url("annual_template_preset", world), {"preset": "x"}, follow=True)
    )


def test_the_figures_page_and_sheet(login, assembled):
    world = assembled
    world.r4["wu"].body = "=1+2+cmd 完成评查案卷50卷。"
    world.r4["wu"].save()
    client = login(LEADER)
    response = client.get(url("annual_figures", world))
    page = text(response)
    rows = response.context["rows"]
    assert ("120", "件", 1, "乙局") in [(r.value, r.unit_word, r.task_number, r.unit) for r in rows]
    assert ("300", "人次") in [(r.value, r.unit_word) for r in rows]
    assert all(r.value != "2031" for r in rows)  # years are not figures
    assert reverse("tasks:report_detail", args=[world.r1_yi.pk]) in page
    response = client.get(url("annual_figures_xlsx", world))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(body_of(response))).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == len(rows)
    dangerous = next(cell for cell in sheet["G"] if str(cell.value).startswith("=1+2"))
    assert dangerous.data_type == "s" and dangerous.quotePrefix  # text, never a formula


def test_figures_page_queries_do_not_grow(login, assembled):
    world = assembled
    client = login(LEADER)
    client.get(url("annual_figures", world))
    with CaptureQueriesContext(connection) as small:
        client.get(url("annual_figures", world))
    world.grow(20)
    with CaptureQueriesContext(connection) as large:
        client.get(url("annual_figures", world))
    assert len(large) == len(small)


# --- who may do what ----------------------------------------------------------------------------------------------

READ_PAGES = [
    "annual_report",
    "annual_print",
    "annual_docx",
    "ledger",
    "annual_figures",
    "annual_figures_xlsx",
]
CHANGES = [
    "annual_assemble",
    "annual_part",
    "annual_part_replace",
    "annual_part_dismiss",
    "annual_head",
    "annual_template_preset",
]


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
        "preset": "statutory",
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


@pytest.mark.parametrize(
    ("username", "expected"),
    [(COORDINATOR, 200), (LEADER, 403), (LEAD_REPORTER, 403), (COUNTY_REPORTER, 403)],
)
def test_who_edits_the_template(login, plan, demo_draft, username, expected):
    assert login(username).get(demo_url("annual_template", plan, demo_draft)).status_code == expected


def test_a_draft_plan_is_hidden_from_reporters_and_refused_to_them(login, world):
    world.plan.status = "draft"
    world.plan.save()
    assert login(LEAD_REPORTER).get(url("annual_report", world)).status_code == 403
    assert login(LEADER).get(url("annual_report", world)).status_code == 200
