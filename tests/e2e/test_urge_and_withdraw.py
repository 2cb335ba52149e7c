"""In a real browser, with two live plans: the coordinator urges a unit once with a note and a reply-by date
(a second urge asks first); the unit's reporter finds the urge, its note and date on home; the liaison
withdraws a report sent by mistake."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tasks.models import AssignmentEvent, ProgressReport, WorkPlan
from tests import two_plans
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, DOC_NUMBER
from tests.e2e.test_journeys import log_in
from tests.e2e.test_reporting import log_out

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plans(site):
    built = two_plans.build(WorkPlan.objects.get(doc_number=DOC_NUMBER))
    # the fixture's urge of task 3 was two days ago: outside the repeat window
    AssignmentEvent.objects.filter(action="urge").update(at=timezone.now() - datetime.timedelta(days=2))
    return built


def plan_block(page, plan):
    return page.locator(f".plan-work[data-plan='{plan.pk}']")


def test_coordinator_urges_a_unit_and_the_reporter_sees_it_on_home(page, shot, plans):
    _older, newer = plans
    reply_by = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    log_in(page, COORDINATOR)
    plan_block(page, newer).get_by_role("link", name=re.compile("未报送")).click()
    unit = page.locator("section[data-unit='东昌府区']")
    expect(unit.locator("[data-last-urged]")).to_contain_text("请尽快报送。")  # the urge of two days ago
    unit.get_by_label("催办说明").fill("请于本周内补报第二期进展")
    unit.get_by_label("答复期限").fill(reply_by)
    unit.get_by_role("button", name="催办该单位").click()
    expect(page.locator(".messages")).to_contain_text("已催办 1 个单位")
    expect(page.locator(".messages")).to_contain_text("每人一条消息")
    unit = page.locator("section[data-unit='东昌府区']")
    expect(unit.locator("[data-last-urged]")).to_contain_text("上次催办")
    expect(unit.locator("[data-last-urged]")).to_contain_text(reply_by)
    shot(page, "urge-1-missing-reports-last-urged")

    # a second urge within the window asks first; nothing is sent until confirmed
    unit.get_by_role("button", name="催办该单位").click()
    expect(page.locator("[data-urge-message]")).to_contain_text("已催办过该单位，确定再次催办？")
    shot(page, "urge-2-confirm-again")
    page.get_by_role("link", name="取消").click()
    expect(page.locator("h1")).to_have_text("未报送与催办")
    log_out(page)

    log_in(page, COUNTY_REPORTER)
    block = plan_block(page, newer)
    expect(block.locator("[data-kind=urged]")).to_contain_text("请于本周内补报第二期进展")
    expect(block.locator("[data-kind=urged]")).to_contain_text(f"请于 {reply_by} 前报送")
    shot(page, "urge-3-reporter-home")
    page.get_by_role("link", name=re.compile("通知")).first.click()
    expect(page.locator("main")).to_contain_text("【催办】第二期")
    shot(page, "urge-4-reporter-notifications")
    log_out(page)


def test_the_liaison_withdraws_a_submitted_report(page, shot, plans):
    _older, newer = plans
    report = ProgressReport.objects.get(
        assignment__task__plan=newer, assignment__task__number=2, assignment__unit__short_name="东昌府区",
        period__name="第二期",
    )
    log_in(page, COUNTY_REPORTER)
    page.goto(report.get_absolute_url())
    expect(page.locator("main")).to_contain_text("已报送")
    page.get_by_role("button", name="撤回报告").click()
    expect(page.locator(".messages")).to_contain_text("报告已撤回，现为草稿")
    expect(page.get_by_role("button", name="撤回报告")).to_have_count(0)
    expect(page.get_by_role("button", name="报送")).to_be_visible()
    shot(page, "withdraw-1-back-to-draft")
    report.refresh_from_db()
    assert report.state == ProgressReport.State.DRAFT
    log_out(page)


def test_the_approver_finds_a_report_from_home_and_returns_it_to_the_liaison(page, shot, plans):
    _older, newer = plans
    WorkPlan.objects.filter(pk=newer.pk).update(unit_approval=True)
    log_in(page, APPROVER)
    block = plan_block(page, newer)
    expect(block.locator("[data-count=to_approve]")).not_to_have_text("0")
    shot(page, "approver-1-home")
    block.locator("[data-kind=to_approve] a").first.click()
    expect(page.locator("h1")).to_contain_text("进展报告")
    page.get_by_label("退回联络员的意见（必填）").fill("请补充第二期的具体数据。")
    page.get_by_role("button", name="退回联络员修改").click()
    expect(page.locator(".messages")).to_contain_text("已退回联络员")
    shot(page, "approver-2-returned-to-liaison")
    log_out(page)

    log_in(page, COUNTY_REPORTER)
    page.get_by_role("link", name=re.compile("通知")).first.click()
    expect(page.locator("main")).to_contain_text("单位审核退回")
    log_out(page)
