"""Zip bombs of every type the product reads, built here: each is refused with a Chinese message saying what is
wrong, and the reading process's peak memory stays bounded (measured in a subprocess, capped at 3 GB of
address space so that a regression cannot take the machine's memory).

Before lib.archives (measured with the same subprocess): the 342 KB .docx bomb reached the 3 GB cap after 18 s;
the 310 KB .xlsx bomb held 2.4 GB and was still running when killed at 120 s; 150,000 members in a 13 MB
attachment took 170 MB and 4.6 s. After: each is refused in under a second within ~20 MB of the process at rest.
"""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from planner.importing.parser import NoticeError
from planner.importing.reader import read_notice_file

from tasks.uploads import check_attachment
from tests.security import zipbombs
from units.resources import EXCEL_FORMATS, ImportRefused

ROOT = str(Path(__file__).resolve().parents[2])
# What reading may add to the process at rest (Django set up, the file in memory): a refusal adds almost nothing.
GROWTH_BOUND_KB = 50 * 1024


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    docx_bomb, xlsx_bomb = zipbombs.docx_bomb(), zipbombs.xlsx_bomb()
    files = {
        "bomb.docx": docx_bomb,
        "bomb.xlsx": xlsx_bomb,
        "lying.docx": zipbombs.lying_header(docx_bomb, "word/document.xml"),
        "lying.xlsx": zipbombs.lying_header(xlsx_bomb, "xl/worksheets/sheet1.xml"),
        "members.docx": zipbombs.many_members(zipbombs._blank_docx(), count=5000),
        "members.xlsx": zipbombs.many_members(zipbombs._blank_xlsx(), count=5000),
        "members_attachment.docx": zipbombs.many_members(zipbombs._blank_docx(), count=150_000),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_the_bombs_are_small_files_of_huge_parts(bombs):
    for name in ("bomb.docx", "bomb.xlsx"):
        assert (bombs / name).stat().st_size < 1024 * 1024  # ~300 KB holding 200 MB


@pytest.mark.parametrize(
    "name, kind, words",
    [
        ("bomb.docx", "notice", "解压后的内容超过 50 MB"),
        ("lying.docx", "notice", "不是有效的 Word"),
        ("members.docx", "notice", "部件超过 1000 个"),
        ("bomb.xlsx", "import", "解压后的内容超过 50 MB"),
        ("lying.xlsx", "import", "不是有效的 Excel"),
        ("members.xlsx", "import", "部件超过 200 个"),
        ("members_attachment.docx", "attachment", "部件超过 5000 个"),
    ],
)
def test_a_zip_bomb_is_refused_within_bounded_memory(bombs, name, kind, words):
    result = zipbombs.measure(kind, bombs / name, ROOT, timeout=60)
    assert words in result["outcome"], result
    assert result["peak_kb"] - result["base_kb"] < GROWTH_BOUND_KB, result
    assert result["seconds"] < 5, result


def test_a_docx_of_too_many_elements_under_the_size_limit_is_refused():
    # 2 MB of empty paragraphs: well under 50 MB, but 350,000 elements for python-docx's tree
    data = zipbombs._replace_part(
        zipbombs._blank_docx(),
        "word/document.xml",
        zipbombs._DOCX_HEAD,
        b"<w:p/>",
        2_100_000,
        zipbombs._DOCX_TAIL,
    )
    with pytest.raises(NoticeError, match="元素超过 250000 个"):
        read_notice_file("空段落.docx", data)


def test_an_ordinary_docx_notice_is_still_read():
    import docx

    document = docx.Document()
    document.add_paragraph("聊城市人民政府办公室关于印发2022年法治政府建设工作计划的通知")
    buffer = io.BytesIO()
    document.save(buffer)
    assert "工作计划的通知" in read_notice_file("通知.docx", buffer.getvalue())


def test_an_xlsx_import_of_endless_empty_rows_stops_at_the_row_limit():
    data = zipbombs._replace_part(
        zipbombs._blank_xlsx(),
        "xl/worksheets/sheet1.xml",
        zipbombs._SHEET_HEAD + b'<row><c t="inlineStr"><is><t>name</t></is></c></row>',
        b"<row/>",
        150_000,
        zipbombs._SHEET_TAIL,
    )
    with pytest.raises(ImportRefused, match="超过 20000 行"):
        EXCEL_FORMATS[0]().create_dataset(data)


def test_an_attachment_with_a_thousand_members_is_still_accepted():
    data = zipbombs.many_members(zipbombs._blank_docx(), count=1000)
    checked = check_attachment(SimpleUploadedFile("材料.docx", data))
    assert checked.kind == "docx"


def test_an_attachment_with_too_many_members_says_so():
    data = zipbombs.many_members(zipbombs._blank_docx(), count=6000)
    with pytest.raises(ValidationError) as caught:
        check_attachment(SimpleUploadedFile("材料.docx", data))
    assert "部件超过 5000 个" in caught.value.messages[0]


@pytest.mark.django_db
def test_the_admin_unit_import_refuses_an_xlsx_bomb_with_its_message(admin_client, bombs):
    upload = SimpleUploadedFile("单位.xlsx", (bombs / "bomb.xlsx").read_bytes())
    response = admin_client.post(
        reverse("admin:units_unit_import"), {"resource": "0", "format": "0", "import_file": upload}
    )
    assert response.status_code == 200
    assert "解压后的内容超过 50 MB" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_import_refuses_a_file_over_the_size_limit_before_reading_it(admin_client):
    upload = SimpleUploadedFile("任务.csv", b"a,b\n" * (2 * 1024 * 1024))
    response = admin_client.post(
        reverse("admin:tasks_task_import"), {"resource": "0", "format": "1", "import_file": upload}
    )
    assert response.status_code == 200
    assert "超过 5 MB 的上限" in response.content.decode()
