"""In a real browser: the coordinator creates a unit's liaison account, reads the initial password once, and
the new liaison logs in, must change it, then works; the coordinator deactivates an account."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import COORDINATOR
from tests.e2e.test_journeys import log_in
from tests.e2e.test_reporting import log_out
from units.models import User

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "Fazhi#2024zf"


def test_coordinator_creates_an_account_and_the_liaison_changes_the_password(page, shot, site):
    log_in(page, COORDINATOR)
    page.get_by_role("link", name="单位用户").first.click()
    page.get_by_role("link", name="新建单位账号").click()
    page.get_by_label("姓名").fill("陈新")
    page.get_by_label("单位").select_option(label="东昌府区")
    page.get_by_label("角色").select_option("reporter")
    page.get_by_label("手机").fill("13800000009")
    page.get_by_label("用户名").fill("chenxin")
    page.get_by_role("button", name="新建账号").click()
    expect(page.locator("h1")).to_contain_text("已新建 1 个账号")
    password = page.locator(".temporary-password").inner_text()
    shot(page, "accounts-1-created-password-once")
    page.get_by_role("link", name="返回单位用户").click()
    expect(page.locator("main")).not_to_contain_text(password)
    log_out(page)

    log_in(page, "chenxin", password)
    expect(page.locator("h1")).to_have_text("修改密码")
    expect(page.locator(".messages")).to_contain_text("请先设置一个只有您自己知道的新密码")
    page.get_by_label("旧密码").fill(password)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新密码确认").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("main")).to_contain_text("密码已修改")
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("陈新")
    shot(page, "accounts-2-new-liaison-home")
    log_out(page)

    log_in(page, COORDINATOR)
    page.goto(reverse("units:account_deactivate", args=[User.objects.get(username="chenxin").pk]))
    page.get_by_role("button", name="确定停用").click()
    expect(page.locator(".messages")).to_contain_text("已停用")
    shot(page, "accounts-3-deactivated")
    assert not User.objects.get(username="chenxin").is_active
    log_out(page)
    log_in(page, "chenxin", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/"))
