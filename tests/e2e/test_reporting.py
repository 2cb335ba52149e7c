"""The reporting journey in a real browser: a county writes and submits, the coordinator returns it with a note,
the county sees the note, edits and resubmits, the coordinator accepts, and the lead unit sees it."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "东昌府区将习近平法治思想纳入区政府常务会议学法内容，全年组织集中学法4次。"
SECOND = "东昌府区组织集中学法6次，覆盖区直部门主要负责人52人，开展“宪法宣传周”活动18场。"


def log_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def open_task_row(page, number):
    return page.locator(f"tr[data-task='{number}']")


def test_report_return_resubmit_accept_and_consolidate(page, shot):
    # 1. the county reporter writes and submits
    log_in(page, COUNTY_REPORTER)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的任务").click()
    expect(page.locator("h1")).to_contain_text("我的任务")
    page.get_by_role("link", name="全年").click()
    row = open_task_row(page, 1)
    expect(row).to_contain_text("未填写")
    shot(page, "report-1-my-tasks")
    row.get_by_role("link", name="填写报告").click()
    expect(page.locator("h1")).to_have_text("填写进展报告")
    page.get_by_label("序时推进").check()
    page.get_by_label("工作开展情况").fill(FIRST)
    page.get_by_label("存在的问题").fill("基层学法形式较为单一。")
    page.get_by_label("下一步工作").fill("推动学法常态化。")
    shot(page, "report-2-writing")
    page.get_by_role("button", name="保存并报送").click()
    expect(page.locator(".messages")).to_contain_text("报告已报送")
    # back on the tab the report was written from
    expect(page.locator("h1")).to_contain_text("我的任务")
    expect(page.locator("nav.period-tabs a.active")).to_have_text("全年")
    expect(page).to_have_url(re.compile(r"/my/\?plan=\d+&period=\d+$"))
    expect(open_task_row(page, 1)).to_contain_text("等待审核")
    log_out(page)

    # 2. the coordinator finds it in the review queue and returns it with a note
    log_in(page, COORDINATOR)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审核督办").click()
    expect(page.locator("h1")).to_have_text("报告审核")
    page.get_by_label("报送期").select_option(label="2022年 全年")
    page.locator("select[name=unit]").select_option(label="东昌府区")
    page.get_by_role("button", name="筛选").click()
    shot(page, "report-3-review-queue")
    page.get_by_role("link", name=re.compile("东昌府区将习近平法治思想")).click()
    page.get_by_label("退回意见（必填）").fill("请补充参学人数和典型活动。")
    shot(page, "report-4-returning")
    page.get_by_role("button", name="退回修改").click()
    expect(page.locator(".messages")).to_contain_text("已退回")
    expect(page.locator("h1")).to_contain_text("已退回")
    log_out(page)

    # 3. the county sees the note (bell and 我的任务), edits and resubmits
    log_in(page, COUNTY_REPORTER)
    expect(page.locator(".bell .count")).to_be_visible()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的任务").click()
    page.get_by_role("link", name="全年").click()
    row = open_task_row(page, 1)
    expect(row).to_contain_text("已退回")
    expect(row).to_contain_text("请补充参学人数和典型活动")
    row.get_by_role("link", name="按退回意见修改").click()
    expect(page.locator(".error")).to_contain_text("请补充参学人数和典型活动")
    page.get_by_label("工作开展情况").fill(SECOND)
    shot(page, "report-5-editing-after-return")
    page.get_by_role("button", name="保存并报送").click()
    expect(page.locator(".messages")).to_contain_text("报告已报送")
    log_out(page)

    # 4. the coordinator accepts; the history shows every version
    log_in(page, COORDINATOR)
    page.goto("/review/?period=&state=submitted&unit_kind=county")
    page.get_by_role("link", name=re.compile("东昌府区组织集中学法6次")).click()
    page.get_by_role("button", name="审核通过", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已审核通过")
    history = page.locator("table.history")
    for action in ("起草", "报送", "退回", "修改", "审核通过"):
        expect(history).to_contain_text(action)
    shot(page, "report-6-accepted-with-history")
    log_out(page)

    # 5. the lead unit (市司法局 leads task 1) sees the accepted report on its consolidation page
    log_in(page, LEAD_REPORTER)
    page.goto("/my/")
    page.get_by_role("link", name="全年").click()
    open_task_row(page, 1).get_by_role("link", name="汇总各单位").click()
    expect(page.locator("h1")).to_contain_text("牵头汇总")
    card = page.locator("article.report-card[data-unit='东昌府区']")
    expect(card).to_contain_text("已通过")
    expect(card).to_contain_text("东昌府区组织集中学法6次")
    shot(page, "report-7-lead-consolidation")


def test_a_stale_form_keeps_the_text_in_the_browser(browser, site, shot):
    """Two tabs of one reporter: the second save is refused, its text stays on screen."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=site)
    first = context.new_page()
    log_in(first, COUNTY_REPORTER)
    first.goto("/my/")
    first.get_by_role("link", name="全年").click()
    open_task_row(first, 2).get_by_role("link", name="填写报告").click()
    first.get_by_label("工作开展情况").fill("第一个标签页的草稿")
    first.get_by_role("button", name="保存草稿").click()
    expect(first.locator(".messages")).to_contain_text("已保存草稿")
    second = context.new_page()
    second.goto(first.url)
    second.get_by_label("工作开展情况").fill("第二个标签页先保存")
    second.get_by_role("button", name="保存草稿").click()
    expect(second.locator(".messages")).to_contain_text("已保存草稿")
    first.get_by_label("工作开展情况").fill("第一个标签页后保存的内容")
    first.get_by_role("button", name="保存草稿").click()
    expect(first.locator(".conflict")).to_contain_text("已被他人修改")
    expect(first.locator(".conflict")).to_contain_text("第二个标签页先保存")
    expect(first.get_by_label("工作开展情况")).to_have_value("第一个标签页后保存的内容")
    shot(first, "report-8-conflict")
    context.close()
