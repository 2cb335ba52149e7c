"""The coordinator imports a notice in the browser: paste → preview → decide → confirm → publish."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import COORDINATOR
from tests.e2e.test_journeys import log_in
from tests.importing.corpus_files import build_docx, typeset_pdf
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
    page.get_by_role("link", name="发布计划").click()
    expect(page.locator("h1")).to_contain_text("发布计划")
    page.get_by_label("我已核对以上任务、分工和报送期，确认发布").check()
    page.get_by_role("button", name="确认发布").click()
    expect(page.locator(".messages")).to_contain_text("计划已发布")
    expect(page.locator(".badge").first).to_have_text("执行中")
    shot(page, "import-3-published")


TABLE_DOCX = {
    "paragraphs": [
        "聊政办字〔2031〕31号",
        "聊城市人民政府办公室",
        "2031年2月1日",
        "聊城市2031年法治政府建设重点任务分工",
    ],
    "tables": [
        [
            ["序号", "重点任务", "具体措施", "牵头单位", "责任单位", "完成时限"],
            ["1", "完善依法行政制度体系", "清理行政规范性文件。", "市司法局", "市财政局", "持续推进"],
            ["2", None, "公布规范性文件目录。", "市司法局", "市财政局", "2031年9月底前"],
        ]
    ],
}

PDF_LINES = [
    "聊城市人民政府办公室",
    "聊政办字〔2031〕32号",
    "关于印发聊城市2031年法治政府建设工作要点的通知",
    "一、推进严格规范公正文明执法",
    "1.全面推行行政执法三项制度。",
    "开展行政执法案卷评查。",
    "〔牵头单位:市司法局;责任单位:市财政局〕",
]


def upload_file(page, name, mime, data):
    page.goto("/plans/import/")
    page.get_by_label("通知文件").set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.get_by_role("button", name="识别并预览").click()
    expect(page.locator("h1")).to_contain_text("导入预览")


def test_a_word_task_table_is_imported_with_a_deadline_set_in_the_preview(page, shot):
    log_in(page, COORDINATOR)
    upload_file(
        page,
        "分工表.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        build_docx(TABLE_DOCX),
    )
    expect(page.locator(".task-row")).to_have_count(2)
    first = page.locator(".task-row").first
    expect(first).to_contain_text("未写明具体日期（持续推进）")
    first.locator("details.fix summary").click()
    first.locator("input[type=date]").fill("2031-06-30")
    first.get_by_role("button", name="设定时限").click()
    expect(page.locator(".messages")).to_contain_text("已修改")
    expect(page.locator(".task-row").first).to_contain_text("2031-06-30")
    expect(page.locator(".fixes")).to_contain_text("完成时限设为2031-06-30")
    shot(page, "import-4-table-fixed")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messages")).to_contain_text("已导入《聊城市2031年法治政府建设重点任务分工》")


def test_a_pdf_is_imported_with_a_line_made_a_task_in_the_preview(page, shot):
    log_in(page, COORDINATOR)
    upload_file(page, "要点.pdf", "application/pdf", typeset_pdf(PDF_LINES, lines_per_page=5))
    expect(page.locator(".task-row")).to_have_count(1)
    line = page.locator(".source-lines li", has_text="开展行政执法案卷评查").get_attribute("value")
    page.locator(".line-fix input[name=line]").fill(line)
    page.locator(".line-fix select[name=kind]").select_option("task")
    page.locator(".line-fix").get_by_role("button", name="修改").click()
    expect(page.locator(".task-row")).to_have_count(2)
    shot(page, "import-5-pdf-split")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messages")).to_contain_text("2 项任务")
