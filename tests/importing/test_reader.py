import codecs
import io
import zipfile

import docx
import pytest

from importing.parser import NoticeError, parse_notice
from importing.reader import MAX_UPLOAD_BYTES, read_notice_file

from .corpus_files import build_docx, build_xlsx, scanned_pdf, typeset_pdf

TEXT = "一、任务\n1. 做好工作。〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕"


def docx_bytes(build):
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(name, content):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


# --- .txt ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("gb18030"),
        TEXT.encode("utf-16"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030", "utf-16 little-endian with BOM", "utf-16 big-endian with BOM"],
)
def test_it_decodes_text_files(data):
    assert read_notice_file("计划.txt", data) == TEXT


def test_it_treats_the_extension_case_insensitively():
    assert read_notice_file("计划.TXT", TEXT.encode()) == TEXT


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n\x00\x01binary", TEXT.encode() + b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 5],
    ids=["NUL bytes", "control characters"],
)
def test_it_rejects_a_binary_file_named_txt(data):
    with pytest.raises(NoticeError, match="不是文本文件"):
        read_notice_file("计划.txt", data)


def test_it_rejects_text_in_an_unknown_encoding():
    with pytest.raises(NoticeError, match="文字编码"):
        read_notice_file("计划.txt", b"\xff\xff\xff\xff")


# --- .docx --------------------------------------------------------------------


def test_it_reads_docx_paragraphs_and_table_cells_in_document_order():
    def build(document):
        document.add_paragraph("一、任务")
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "1. 做好工作。"
        table.cell(0, 1).text = "〔牵头单位:市司法局〕"
        document.add_paragraph("2. 再做。〔牵头单位:市公安局〕")

    text = read_notice_file("计划.docx", docx_bytes(build))
    assert text == "一、任务\n1. 做好工作。\n〔牵头单位:市司法局〕\n2. 再做。〔牵头单位:市公安局〕"


def test_it_reads_a_merged_docx_cell_once():
    def build(document):
        table = document.add_table(rows=1, cols=3)
        table.cell(0, 0).merge(table.cell(0, 1)).text = "合并"
        table.cell(0, 2).text = "单独"

    assert read_notice_file("计划.docx", docx_bytes(build)) == "合并\n单独"


def test_a_docx_notice_can_be_parsed():
    def build(document):
        for line in ["聊城市2022年法治政府建设工作计划", *TEXT.splitlines()]:
            document.add_paragraph(line)

    parsed = parse_notice(read_notice_file("计划.DOCX", docx_bytes(build)))
    (item,) = parsed.items()
    assert (parsed.year, item.lead_units, item.responsible_units) == (
        2022,
        ["市司法局"],
        ["各县(市、区)人民政府"],
    )


@pytest.mark.parametrize(
    "data",
    [TEXT.encode(), b"PK\x03\x04 truncated", zip_bytes("a.txt", "not word")],
    ids=["plain text", "damaged zip", "zip without a Word document"],
)
def test_it_rejects_a_file_named_docx_that_is_not_a_word_document(data):
    with pytest.raises(NoticeError, match="不是有效的 Word"):
        read_notice_file("计划.docx", data)


# --- other errors -------------------------------------------------------------


@pytest.mark.parametrize("filename", ["计划.doc", "计划.xls", "计划.wps", "计划"])
def test_it_rejects_other_formats_and_says_how_to_convert(filename):
    with pytest.raises(NoticeError, match="另存为 .docx") as error:
        read_notice_file(filename, b"anything")
    assert filename in str(error.value)


def test_it_rejects_an_empty_file():
    with pytest.raises(NoticeError, match="是空的"):
        read_notice_file("计划.txt", b"")


def test_it_rejects_a_file_over_the_size_limit():
    with pytest.raises(NoticeError, match="超过10MB"):
        read_notice_file("计划.txt", b"a" * (MAX_UPLOAD_BYTES + 1))


def test_it_accepts_a_file_at_the_size_limit():
    assert len(read_notice_file("计划.txt", b"a" * MAX_UPLOAD_BYTES)) == MAX_UPLOAD_BYTES


# --- PDF, Excel and Word task tables (issue 18) -------------------------------


def test_it_reads_the_text_of_a_pdf_with_page_numbers_left_for_the_parser():
    data = typeset_pdf(["一、任务", "1. 做好工作。〔牵头单位:市司法局〕"], lines_per_page=1)
    text = read_notice_file("计划.pdf", data)
    assert "1. 做好工作。〔牵头单位:市司法局〕" in text
    assert "- 2 -" in text


def test_it_says_a_scanned_pdf_has_no_text_layer():
    with pytest.raises(NoticeError, match="没有文字层"):
        read_notice_file("扫描件.pdf", scanned_pdf())


@pytest.mark.parametrize("data", [b"%PDF-1.4", b"%PDF-1.7\n1 0 obj garbage", b"not a pdf"])
def test_it_rejects_a_damaged_pdf(data):
    with pytest.raises(NoticeError, match="不是有效的 PDF"):
        read_notice_file("计划.pdf", data)


@pytest.mark.parametrize("data", [b"PK\x03\x04 truncated", b"not a workbook"])
def test_it_rejects_a_damaged_xlsx(data):
    with pytest.raises(NoticeError, match="不是有效的 Excel"):
        read_notice_file("计划.xlsx", data)


TABLE = [
    ["完成时限", "牵头单位", "具体措施", "重点任务", "序号", "备注说明"],
    ["6月底前", "市司法局", "清理规范性文件。", "完善制度", "1", "附件一"],
    ["序号", "重点任务", "具体措施", "牵头单位", "完成时限", "备注说明"],  # a repeated header, other order
]


def test_it_writes_a_task_table_as_labelled_lines_in_any_column_order():
    text = read_notice_file("分工.docx", build_docx({"tables": [TABLE[:2]]}))
    assert text.splitlines() == [
        "一、完善制度",
        "1. 清理规范性文件。",
        "牵头单位：市司法局",
        "完成时限：6月底前",
        "备注：附件一",
    ]


def test_it_carries_merged_cells_down_and_skips_repeated_headers_across_tables():
    rows = [TABLE[0], TABLE[1], ["", None, "公开文件目录。", None, "2", ""]]
    second = [TABLE[2], ["3", "推进执法", "推行三项制度。", "市司法局", "长期坚持", ""]]
    text = read_notice_file("分工.docx", build_docx({"tables": [rows, second]}))
    assert "2. 公开文件目录。\n牵头单位：市司法局" in text
    assert "一、完善制度" in text and "二、推进执法" in text
    assert text.count("序号") == 0


def test_it_reads_the_same_table_from_an_xlsx_sheet():
    text = read_notice_file("分工.xlsx", build_xlsx({"title": "任务分工表", "tables": [TABLE[:2]]}))
    assert text.splitlines()[:3] == ["任务分工表", "一、完善制度", "1. 清理规范性文件。"]


def test_a_table_without_task_headers_is_read_cell_by_cell_as_before():
    text = read_notice_file("表.docx", build_docx({"tables": [[["甲", "乙"], ["丙", "丁"]]]}))
    assert text.split() == ["甲", "乙", "丙", "丁"]
