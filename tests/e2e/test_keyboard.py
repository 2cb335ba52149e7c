"""The reporter's and the coordinator's main jobs with the keyboard alone (issue 22): no click, no mouse.

Keys used: Tab, Shift+Tab, Enter, Space, the arrow keys inside a radio group (how a radio group is operated from the
keyboard), and typing. Every element reached is checked for a visible focus indicator, and the number of Tab
presses to reach the work is bounded, so a page that buries its main action behind dozens of stops fails.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR, COUNTY_REPORTER, PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "", type: e.getAttribute("type") || "",
    text: (e.innerText || "").trim(), label: e.labels && e.labels.length ? e.labels[0].innerText.trim() : "",
    cls: typeof e.className === "string" ? e.className : "", href: e.getAttribute("href") || "",
    row: e.closest("tr") ? (e.closest("tr").dataset.task || "") : "",
    visible: style.outlineStyle !== "none" || style.boxShadow !== "none",
  };
}"""


def tab_to(page, wanted, limit, key="Tab"):
    """Press Tab (or `key`) until the focused element satisfies `wanted`; return the number of presses."""
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        seen.append(focused["text"] or focused["label"] or focused["name"] or focused["tag"])
        if wanted(focused):
            assert focused["visible"], f"no visible focus on {focused}"
            return presses
    raise AssertionError(f"not reached in {limit} presses of {key}; focus went through: {seen}")


def text_is(text):
    return lambda focused: focused["text"] == text


def label_is(text):
    return lambda focused: focused["label"] == text


def skip_to_main(page):
    """The first Tab stop of every page is the skip link; Enter on it puts the focus on the main content."""
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert "skip-link" in focused["cls"] and focused["text"] == "跳到正文", focused
    assert page.locator(".skip-link").is_visible()  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def keyboard_log_in(page, username):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    assert page.evaluate("document.activeElement.name") == "username"  # the user name field has the focus
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_the_reporter_writes_and_submits_a_report_with_the_keyboard_alone(page, shot):
    keyboard_log_in(page, COUNTY_REPORTER)
    skip_to_main(page)
    # back up to the main navigation and open 我的任务
    tab_to(page, text_is("我的任务"), 15, key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("我的任务")

    skip_to_main(page)
    tab_to(page, text_is("全年"), 15)
    page.keyboard.press("Enter")
    expect(page.locator("nav.period-tabs a.active")).to_have_text("全年")
    skip_to_main(page)
    presses = tab_to(page, lambda f: f["text"] == "填写报告" and f["row"] == "1", 40)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("填写进展报告")

    skip_to_main(page)
    tab_to(page, lambda f: f["name"] == "progress", 40)  # the 进度 group: Tab enters it, arrows choose
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("group", name="进度").get_by_label("序时推进")).to_be_checked()
    tab_to(page, label_is("工作开展情况"), 3)
    page.keyboard.type("东昌府区全年组织集中学法4次，全部用键盘填写。")
    tab_to(page, label_is("存在的问题"), 3)
    page.keyboard.type("基层学法形式较为单一。")
    tab_to(page, label_is("下一步工作"), 3)
    page.keyboard.type("推动学法常态化。")
    shot(page, "keyboard-1-report-written")
    tab_to(page, text_is("保存并报送"), 6)
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("报告已报送")
    expect(page.locator("tr[data-task='1']")).to_contain_text("等待审核")
    print(f"reporter: the report's link is {presses} Tab presses after the skip link")


def test_the_coordinator_accepts_and_returns_reports_with_the_keyboard_alone(page, shot):
    keyboard_log_in(page, COORDINATOR)
    skip_to_main(page)
    tab_to(page, text_is("审核督办"), 15, key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("报告审核")

    # the queue: filters first, then 20 reports a page; the first waiting report is a few stops away
    skip_to_main(page)
    presses = tab_to(page, lambda f: f["href"].startswith("/reports/"), 40)
    title = page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(title.rstrip("…").strip()[:10])
    skip_to_main(page)
    tab_to(page, text_is("审核通过"), 60)
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("已审核通过")
    shot(page, "keyboard-2-accepted")

    # back to the queue through the main navigation, and return the next report with a note
    skip_to_main(page)
    tab_to(page, text_is("审核督办"), 15, key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("报告审核")
    skip_to_main(page)
    tab_to(page, lambda f: f["href"].startswith("/reports/"), 40)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("进展报告")
    skip_to_main(page)
    tab_to(page, label_is("退回意见（必填）"), 60)
    page.keyboard.type("请补充参学人数和典型活动。")
    tab_to(page, text_is("退回修改"), 3)
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("已退回")
    print(f"coordinator: the first report of the queue is {presses} Tab presses after the skip link")
