import codecs
import io
import zipfile

import docx
import pytest

from importing.parser import NoticeError, parse_notice
from importing.reader import MAX_UPLOAD_BYTES, read_notice_file

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


@pytest.mark.parametrize("filename", ["计划.doc", "计划.pdf", "计划.xlsx", "计划.wps", "计划"])
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
