"""Assignment control in a real browser (issue 17): the coordinator answers an objection by changing the unit's
role on 签收与异议, then adds a unit to a task and takes one off on the task page."""

import re

import pytest
from playwright.sync_api import expect

from tasks import workflow
from tasks.models import Assignment, WorkPlan
from tests.conftest import COORDINATOR, COUNTY_REPORTER, DOC_NUMBER
from tests.e2e.test_journeys import log_in
from units.models import Unit, User

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_changes_a_role_and_adds_and_removes_units(page, shot):
    plan = WorkPlan.objects.get(doc_number=DOC_NUMBER)
    county = Assignment.objects.get(task__plan=plan, task__number=1, unit__short_name="东昌府区")
    workflow.contest(county, User.objects.get(username=COUNTY_REPORTER), "本单位应为牵头单位")
    log_in(page, COORDINATOR)

    # 签收与异议: answer the objection by making the unit a lead unit
    page.goto(f"/plans/{plan.pk}/receipts/")
    card = page.locator(".report-card", has_text="本单位应为牵头单位")
    shot(page, "control-1-objection")
    card.get_by_role("button", name="改为牵头单位").click()
    expect(page.locator(".messages")).to_contain_text("调整为牵头单位，并通知其重新签收")
    expect(page.locator(".report-card", has_text="本单位应为牵头单位")).to_have_count(0)
    county.refresh_from_db()
    assert county.role == "lead" and county.receipt == Assignment.Receipt.PENDING

    # the task page: add a unit
    page.goto(county.task.get_absolute_url())
    newcomer = Unit.objects.filter(is_active=True).exclude(assignments__task=county.task).order_by("order", "name").first()
    page.locator("#add-unit summary").click()
    page.locator("#id_add-unit").select_option(str(newcomer.pk))
    page.locator("#id_add-role").select_option("responsible")
    page.locator("#add-unit").get_by_role("button", name="增加").click()
    expect(page.locator(".messages")).to_contain_text(f"已将{newcomer.name}增加为责任单位")
    row = page.locator("table.grid tr", has_text=newcomer.short_name).first
    expect(row).to_be_visible()
    shot(page, "control-2-added")

    # … and take it off again, with a reason: it moves to 已移出的单位
    row.locator("summary", has_text="调整").click()
    row.get_by_label("移出理由").fill("误加")
    row.get_by_role("button", name="移出任务").click()
    expect(page.locator(".messages")).to_contain_text(f"已将{newcomer.name}移出这项任务")
    expect(page.locator("section.removed")).to_contain_text(newcomer.short_name)
    expect(page.locator("section.removed")).to_contain_text("误加")
    shot(page, "control-3-removed")
    assert not Assignment.objects.get(task=county.task, unit=newcomer).is_active
    expect(page).to_have_url(re.compile(rf"/tasks/{county.task.pk}/$"))
