"""The coordinator after 上半年: marks a passage of an accepted report as good practice by selecting it, drafts the
circular again (it now carries that practice), fills in the 发文字号, publishes it and downloads the Word file;
the ranking page and a unit's view of its own score."""

import re

import pytest
from docx import Document
from playwright.sync_api import expect

from assessment.models import GoodPractice
from tasks.models import WorkPlan
from tests.conftest import COORDINATOR, COUNTY_REPORTER
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SELECT_FIRST_WORDS = """(length) => {
  const body = document.getElementById("report-body");
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  while (node && node.textContent.trim().length < length) { node = walker.nextNode(); }
  const start = node.textContent.length - node.textContent.trimStart().length;
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, start + length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return range.toString();
}"""


def test_coordinator_marks_good_practice_and_issues_the_circular(page, shot, tmp_path):
    plan = WorkPlan.objects.get(year=2022)
    period = plan.periods.get(name="上半年")
    before = GoodPractice.objects.count()
    log_in(page, COORDINATOR)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="典型经验").click()
    page.get_by_label("报送期").select_option(label="上半年")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("[data-practice]")).to_have_count(before)
    marked_reports = set(GoodPractice.objects.values_list("report_id", flat=True))
    candidate = next(
        row for row in page.locator("tr[data-report]").all()
        if int(row.get_attribute("data-report")) not in marked_reports
    )
    candidate.get_by_role("link", name="标为典型经验").click()

    selected = page.evaluate(SELECT_FIRST_WORDS, 15)
    page.get_by_role("button", name="使用选中的文字").click()
    expect(page.get_by_label("摘录")).to_have_value(selected.strip())
    page.get_by_label("标题").fill("浏览器测试的经验")
    shot(page, "assessment-practice-mark")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已标为典型经验")
    expect(page.locator("[data-practice]")).to_have_count(before + 1)
    assert GoodPractice.objects.get(title="浏览器测试的经验").passage == selected.strip()

    # the circular: drafted again from the data, it carries the new practice
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="通报").click()
    page.locator("tr[data-period='上半年']").get_by_role("link").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="重新生成").click()
    expect(page.locator(".messages")).to_contain_text("已根据数据生成通报草稿")
    expect(page.locator("article.official")).to_contain_text("浏览器测试的经验")
    expect(page.locator("article.official mark").first).to_be_visible()
    page.get_by_role("link", name="修改", exact=True).click()
    page.get_by_label("发文字号").fill("聊法治办〔2022〕8号")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存通报")
    page.get_by_role("button", name="发布到各单位首页").click()
    expect(page.locator(".messages")).to_contain_text("已发布")
    shot(page, "assessment-circular")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Word").click()
    assert asked and "待补充" in asked[0]
    path = tmp_path / "circular.docx"
    download.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "聊法治办〔2022〕8号" in text and "浏览器测试的经验" in text

    # the ranking: every unit by kind, each figure a link to the events behind it
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="考核排名").click()
    page.get_by_label("报送期").select_option(value=str(period.pk))
    page.get_by_role("button", name="查看").click()
    expect(page.locator("section[data-kind='county']")).to_be_visible()
    shot(page, "assessment-ranking")
    page.locator("section[data-kind='county'] tbody tr").first.locator("td a").nth(1).click()
    expect(page.locator("#item-on_time")).to_be_visible()
    expect(page.locator("#item-on_time a").first).to_have_attribute("href", re.compile(r"^/reports/\d+/$"))
    shot(page, "assessment-unit-score")


def test_a_unit_sees_its_own_score_and_the_published_circular(page):
    log_in(page, COUNTY_REPORTER)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="考核得分").click()
    expect(page.get_by_role("heading", name=re.compile("本单位考核得分"))).to_be_visible()
    expect(page.locator("tbody tr[data-unit]")).to_have_count(1)
    expect(page.locator("tbody tr[data-unit]")).to_contain_text("东昌府区")
