"""A leader before a meeting: the dashboard, the units compared, the matrix, and down to one report."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import LEADER
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_leader_opens_the_dashboard_the_matrix_and_drills_down_to_a_report(page, shot):
    log_in(page, LEADER)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="领导驾驶舱").click()
    expect(page.get_by_role("heading", name=re.compile("领导驾驶舱"))).to_be_visible()
    page.get_by_label("报送期").select_option(label="上半年")
    page.get_by_role("button", name="查看").click()
    expect(page.locator(".dash-asof")).to_contain_text("上半年")
    expect(page.locator("svg.chart")).to_have_count(3)
    shot(page, "dashboard-overview")

    # the overdue figure drills down to its list, and the list to a report
    overdue = int(page.locator('[data-kpi="overdue"]').inner_text())
    page.locator(".kpis li.bad a").click()
    expect(page.get_by_role("heading", name=re.compile("逾期"))).to_contain_text(f"{overdue} 项")
    shot(page, "dashboard-list")

    page.get_by_role("link", name="单位对比").click()
    expect(page.locator("table.units-table tbody tr").first).to_be_visible()
    page.get_by_label("单位类别").select_option(label="县（市、区）政府")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table.units-table tbody tr")).to_have_count(8)
    shot(page, "dashboard-units")

    page.get_by_role("link", name="任务矩阵").click()
    expect(page.locator("table.matrix")).to_be_visible()
    shot(page, "dashboard-matrix")
    cell = page.locator("td.mx-done a").first
    cell.click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/"))
    expect(page.locator("body")).to_contain_text("已通过")
    shot(page, "dashboard-report")

    # the print layout keeps the figures and drops the navigation
    page.go_back()
    page.emulate_media(media="print")
    expect(page.locator(".mainnav")).to_be_hidden()
    expect(page.locator("table.matrix")).to_be_visible()
    shot(page, "dashboard-matrix-print")
