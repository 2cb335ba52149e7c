"""The coordinator imports a notice in the browser: paste → preview → decide → confirm → publish."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR
from tests.e2e.test_journeys import log_in
from tests.importing.test_service import NOTICE

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_coordinator_imports_a_notice_and_publishes_it(page, shot):
    log_in(page, COORDINATOR)
    page.goto("/plans/")
    page.get_by_role("link", name="导入工作计划通知").click()
    page.get_by_label("或粘贴通知全文").fill(NOTICE)
    shot(page, "import-1-paste")
    page.get_by_role("button", name="识别并预览").click()

    expect(page.locator("h1")).to_contain_text("导入预览")
    expect(page.locator(".task-row")).to_have_count(2)
    expect(page.get_by_text("市星际办（未识别）")).to_have_count(2)
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("alert")).to_contain_text("请为“市星际办”选择对应的单位")

    page.get_by_label("对应单位").select_option(label="市司法局")
    page.locator("details.group-pick summary").first.click()
    page.get_by_role("checkbox", name="市财政局").check()
    shot(page, "import-2-preview")
    page.get_by_role("button", name="确认导入").click()

    expect(page).to_have_url(re.compile(r"/plans/\d+/$"))
    expect(page.locator(".messages")).to_contain_text("已导入《聊城市2031年法治政府建设工作计划》")
    expect(page.locator(".badge").first).to_have_text("草稿")
    page.get_by_role("button", name="发布计划").click()
    expect(page.locator(".messages")).to_contain_text("计划已发布")
    expect(page.locator(".badge").first).to_have_text("执行中")
    shot(page, "import-3-published")
