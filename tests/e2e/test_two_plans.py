"""Two live plans in a real browser (every spring: last year's and this year's): the coordinator and a reporter
each find their items from home, per plan, and every action returns to the plan and period tab."""

import re

import pytest
from playwright.sync_api import expect

from tasks.models import WorkPlan
from tests import two_plans
from tests.conftest import COORDINATOR, COUNTY_REPORTER, DOC_NUMBER
from tests.e2e.test_journeys import log_in
from tests.e2e.test_reporting import log_out

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plans(site):
    return two_plans.build(WorkPlan.objects.get(doc_number=DOC_NUMBER))


def plan_block(page, plan):
    return page.locator(f".plan-work[data-plan='{plan.pk}']")


def test_coordinator_finds_each_plans_items_from_home(page, shot, plans):
    older, newer = plans
    log_in(page, COORDINATOR)
    expect(plan_block(page, newer).locator("h3")).to_contain_text(f"{newer.year}年计划")
    expect(plan_block(page, older).locator("h3")).to_contain_text(f"{older.year}年计划")
    shot(page, "two-plans-1-coordinator-home")

    # last year's report to review
    plan_block(page, older).get_by_role("link", name=re.compile("份报告待审核")).click()
    expect(page.locator("h1")).to_have_text("报告审核")
    expect(page.locator("select[name=plan]").first).to_have_value(str(older.pk))
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
    expect(page.locator("table.grid tbody")).to_contain_text(f"{older.year}年第2项任务")
    shot(page, "two-plans-2-review-queue-older")

    # last year's objection, then its extension request
    page.goto("/")
    plan_block(page, older).get_by_role("link", name=re.compile("条分工有异议")).click()
    expect(page.locator("#contested")).to_be_visible()
    expect(page.locator("main")).to_contain_text("该项工作不属于本单位职责。")
    shot(page, "two-plans-3-receipts-older")
    page.goto("/")
    plan_block(page, older).get_by_role("link", name=re.compile("份延期申请待审批")).click()
    expect(page.locator("main")).to_contain_text("等待上级文件")
    # the switch goes to this year's plan, which has none
    page.locator("select[name=plan]").first.select_option(str(newer.pk))
    page.get_by_role("button", name="切换计划").click()
    expect(page.locator("main")).not_to_contain_text("等待上级文件")

    # this year's missing reports of the current period
    page.goto("/")
    plan_block(page, newer).get_by_role("link", name=re.compile("未报送")).click()
    expect(page.locator("main")).to_contain_text("第二期")
    shot(page, "two-plans-4-missing-newer")
    log_out(page)


def test_reporter_finds_their_items_from_home_and_comes_back_to_the_tab(page, shot, plans):
    older, newer = plans
    log_in(page, COUNTY_REPORTER)
    block = plan_block(page, older)
    expect(block.locator("[data-count=returned]")).to_have_text("1")
    expect(plan_block(page, newer).locator("[data-count=unsigned]")).to_have_text("1")
    shot(page, "two-plans-5-reporter-home")

    # last year's returned report: correct it and submit; back on 我的任务, last year's plan, 第二期
    block.locator("[data-kind=returned] a").first.click()
    expect(page.locator("h1")).to_have_text("填写进展报告")
    expect(page.locator(".error")).to_contain_text("请补充具体数据。")
    page.get_by_label("工作开展情况").fill("已补充：全年开展专项培训6次，覆盖120人。")
    page.get_by_role("button", name="保存并报送").click()
    expect(page.locator(".messages")).to_contain_text("报告已报送")
    expect(page.locator("h1")).to_contain_text("我的任务")
    expect(page.locator("nav.plan-switch a.active")).to_have_text(f"{older.year}年计划")
    expect(page.locator("nav.period-tabs a.active")).to_have_text("第二期")
    expect(page.locator("tr[data-task='1']")).to_contain_text("等待审核")
    shot(page, "two-plans-6-back-on-the-tab")

    # this year's plan opens on 第一期 (a returned report); 签收 from the 第二期 tab stays there
    page.locator("nav.plan-switch").get_by_role("link", name=f"{newer.year}年计划").click()
    expect(page.locator("nav.period-tabs a.active")).to_have_text("第一期")
    expect(page.locator("tr[data-task='1']")).to_contain_text("已退回")
    page.locator("nav.period-tabs").get_by_role("link", name="第二期").click()
    page.locator("tr[data-task='3']").get_by_role("button", name="签收").click()
    expect(page.locator(".messages")).to_contain_text("已签收第3项任务")
    expect(page.locator("nav.plan-switch a.active")).to_have_text(f"{newer.year}年计划")
    expect(page.locator("nav.period-tabs a.active")).to_have_text("第二期")
    shot(page, "two-plans-7-signed-on-the-tab")
    page.goto("/")
    expect(plan_block(page, newer).locator("[data-count=unsigned]")).to_have_text("0")
    expect(plan_block(page, older).locator("[data-count=returned]")).to_have_text("0")
    log_out(page)
