"""Every input type: reading never crashes (only NoticeError) and a task table loses no cell's text."""

import unicodedata
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from importing.parser import NoticeError, parse_notice
from importing.reader import read_notice_file
from importing.tables import render_rows

from .corpus_files import build_docx, build_xlsx, typeset_pdf

HEADERS = ["序号", "重点任务", "具体措施", "牵头单位", "责任单位", "完成时限", "备注", ""]
CELL_TEXT = st.sampled_from(
    ["市司法局", "1", "6月底前", "持续推进", "（一）", "1.", "、", "〔", "推进依法行政。"]
)
cell = CELL_TEXT | st.text(max_size=6)
# what a Word or Excel cell can hold (no control characters)
stored_cell = CELL_TEXT | st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6)


def visible(text):
    return Counter(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )


def read_or_reject(name, data):
    try:
        text = read_notice_file(name, data)
    except NoticeError as error:
        assert str(error)
        return None
    try:
        parse_notice(text)
    except NoticeError as error:
        assert str(error)
    return text


@settings(deadline=None, max_examples=200)
@given(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
    st.lists(st.lists(cell, min_size=0, max_size=7), max_size=8),
)
def test_a_table_keeps_the_text_of_every_cell(header, rows):
    table = [header, *rows]
    rendered = render_rows(table)
    if rendered is None:
        return
    out = visible("\n".join(rendered))
    for row in rows:
        for value in row:
            # numbering cells become the task's number; everything else is kept
            if value.strip() and not value.strip().isdecimal():
                assert not (visible(value) - out - visible("".join(HEADERS))), (value, rendered)


@settings(deadline=None, max_examples=30)
@given(st.lists(st.lists(stored_cell, min_size=1, max_size=6), min_size=1, max_size=5))
def test_word_and_excel_tables_never_crash_the_import(rows):
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    read_or_reject("表.docx", build_docx({"tables": [rows]}))
    read_or_reject("表.xlsx", build_xlsx({"tables": [rows]}))


@settings(deadline=None, max_examples=15)
@given(st.lists(st.text(alphabet="一二、1.（）市司法局牵头单位:〔〕。 -2", max_size=30), max_size=12))
def test_a_pdf_never_crashes_the_import(lines):
    read_or_reject("通知.pdf", typeset_pdf(lines, lines_per_page=5))


@settings(deadline=None, max_examples=60)
@given(st.binary(max_size=300), st.sampled_from(["通知.pdf", "通知.xlsx", "通知.docx"]))
def test_garbage_of_every_type_is_refused_in_chinese(data, name):
    read_or_reject(name, data)
