"""The coordinator at year end: assemble the draft, edit a part with its material beside it, insert a sentence
from a unit's report with a click, save, and download the Word file (asked first while placeholders remain)."""

import re

import pytest
from docx import Document
from playwright.sync_api import expect

from annual.models import AnnualReport
from tasks.models import WorkPlan
from tests.conftest import COORDINATOR
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_edits_a_part_with_the_material_beside_it_and_downloads(page, shot, tmp_path):
    plan = WorkPlan.objects.get(year=2022)
    log_in(page, COORDINATOR)
    page.goto(f"/plans/{plan.pk}/annual-report/")
    page.get_by_role("button", name="汇编草稿").click()
    expect(page.locator(".messages")).to_contain_text("已汇编年度报告草稿")
    expect(page.get_by_role("heading", name="一、主要举措和成效")).to_be_visible()
    expect(page.locator("#todo")).to_contain_text("待补充")
    shot(page, "annual-draft")

    # the first task's part: the material beside the editor, what the digest took marked
    page.locator("article.task-entry").first.get_by_role("link", name=re.compile("修改这一部分")).click()
    expect(page.get_by_role("heading", name=re.compile("^修改："))).to_be_visible()
    material = page.locator("section.material")
    expect(material.locator("li.taken").first).to_be_visible()
    expect(material.locator("mark.fig").first).to_be_visible()
    textarea = page.get_by_label("正文")
    textarea.fill("统筹人员写的开头。")
    sentence = material.locator("ol.sentences li").last
    inserted = sentence.locator("button.insert").get_attribute("data-insert")
    sentence.get_by_role("button", name="插入这一句").click()
    expect(textarea).to_have_value("统筹人员写的开头。" + inserted)
    shot(page, "annual-part-edit")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator("article.task-entry").first).to_contain_text("统筹人员写的开头。")
    expect(page.locator("article.task-entry").first.locator(".chip.lead")).to_contain_text("已人工修改")

    # placeholders remain: the download asks first, then the Word file has the edit
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word 文档").click()
    assert asked and "待补充" in asked[0]
    path = tmp_path / "report.docx"
    download.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "统筹人员写的开头。" + inserted in text
    draft = AnnualReport.objects.get(plan=plan)
    assert draft.parts.filter(edited=True).count() == 1
