"""First journeys: log in as each demo role, open the plan and a task, log out."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import (
    ADMIN,
    APPROVER,
    COORDINATOR,
    COUNTY_REPORTER,
    LEAD_REPORTER,
    LEADER,
    PASSWORD,
    ZONE_REPORTER,
)

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username, password=PASSWORD):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize(
    ("username", "home_text"),
    [
        (COORDINATOR, "项待选定单位"),
        (LEADER, "项任务"),
        (LEAD_REPORTER, "本单位的任务"),
        (COUNTY_REPORTER, "本单位的任务"),
        (ZONE_REPORTER, "本单位的任务"),
        (APPROVER, "本单位的任务"),
        (ADMIN, "项待选定单位"),
    ],
)
def test_each_role_logs_in_reads_the_plan_and_a_task_and_logs_out(page, shot, username, home_text):
    log_in(page, username)
    expect(page.locator("main")).to_contain_text(home_text)
    shot(page, f"{username}-1-home")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="工作计划").click()
    expect(page.locator("h1")).to_have_text("工作计划")
    page.get_by_role("link", name="聊城市2022年法治政府建设工作计划").click()
    expect(page.locator(".plan-section")).to_have_count(9)
    expect(page.locator(".task-row")).to_have_count(22)
    shot(page, f"{username}-2-plan")

    page.locator("#task-18 h3 a").click()
    expect(page.locator("h1")).to_contain_text("提高行政复议效能")
    expect(page.locator(".responsibility")).to_have_text(
        "〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕"
    )
    expect(page.locator("table.grid tbody tr")).to_have_count(9)
    shot(page, f"{username}-3-task")

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.goto("/tasks/1/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_a_wrong_password_is_explained_in_chinese(page, shot):
    log_in(page, COORDINATOR, password="wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    shot(page, "login-wrong-password")


def test_the_task_list_filters_by_unit_kind(page, shot):
    log_in(page, LEADER)
    page.goto("/plans/")
    page.get_by_role("link", name="聊城市2022年法治政府建设工作计划").click()
    page.get_by_role("link", name="按部分、单位筛选任务").click()
    page.get_by_label("单位类别").select_option(label="市属开发区")
    page.get_by_label("分工").select_option(label="责任")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_text("共 20 项任务")).to_be_visible()
    shot(page, "task-list-filtered")


def test_the_plan_reads_on_a_phone(browser, site, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=site, is_mobile=True)
    page = context.new_page()
    log_in(page, COUNTY_REPORTER)
    page.goto("/my/")
    expect(page.locator("h1")).to_contain_text("我的任务")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "phone-my-tasks")
    context.close()
