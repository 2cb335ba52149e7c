"""check_attachment: what report attachments are accepted and how refusals are explained; safe_filename."""

import io
import struct
import unicodedata
import zipfile
import zlib

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from docx import Document
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tasks.uploads import (
    ALLOWED_KINDS,
    MAX_ATTACHMENT_BYTES,
    CheckedFile,
    check_attachment,
    safe_filename,
)

MB = 1024 * 1024


# --- real files -------------------------------------------------------------------------------


def docx_bytes():
    document = Document()
    document.add_paragraph("2022年法治政府建设工作进展情况")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active.append(["任务", "进展"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_bytes():
    """A minimal but well-formed one-page PDF (with a correct xref table)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes():
    """A real 1×1 white PNG."""

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


def ofd_bytes():
    return zip_bytes({"OFD.xml": "<ofd:OFD/>", "Doc_0/Document.xml": "<ofd:Document/>"})


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(uploaded_file):
    with pytest.raises(ValidationError) as caught:
        check_attachment(uploaded_file)
    return caught.value


# --- accepted -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, make, kind, content_type",
    [
        (
            "工作进展.docx",
            docx_bytes,
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "任务台账.xlsx",
            xlsx_bytes,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("通知.pdf", pdf_bytes, "pdf", "application/pdf"),
        ("现场照片.png", png_bytes, "png", "image/png"),
        ("现场照片.jpg", lambda: JPEG, "jpg", "image/jpeg"),
        ("现场照片.JPEG", lambda: JPEG, "jpg", "image/jpeg"),
        ("旧版报告.doc", lambda: OLE2, "doc", "application/msword"),
        ("旧版台账.xls", lambda: OLE2, "xls", "application/vnd.ms-excel"),
        ("电子公文.ofd", ofd_bytes, "ofd", "application/ofd"),
    ],
)
def test_real_files_are_accepted_and_left_at_the_start(name, make, kind, content_type):
    content = make()
    uploaded = upload(name, content)
    uploaded.read(3)  # wherever the caller left it, the check starts from the beginning

    checked = check_attachment(uploaded)

    assert checked == CheckedFile(
        kind=kind, name=safe_filename(name), content_type=content_type, size=len(content)
    )
    assert uploaded.tell() == 0
    assert uploaded.read() == content  # still complete, so it can be saved


def test_the_display_name_is_sanitised_and_the_extension_lower_cased():
    checked = check_attachment(upload('../季度"总结"\n.PDF', pdf_bytes()))
    assert checked.name == "季度总结.pdf"
    assert checked.kind == "pdf"


def test_ofd_root_file_name_is_case_insensitive():
    uploaded = upload("公文.ofd", zip_bytes({"ofd.xml": "<ofd:OFD/>"}))
    assert check_attachment(uploaded).kind == "ofd"


def test_every_allowed_kind_has_an_extension():
    assert set(ALLOWED_KINDS) == {"pdf", "doc", "docx", "xls", "xlsx", "jpg", "png", "ofd"}
    assert ALLOWED_KINDS["jpg"] == (".jpg", ".jpeg")


# --- refused ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["安装程序.exe", "说明.txt", "无扩展名", "压缩包.zip", "report.pdf.exe"])
def test_other_types_are_refused_with_the_allowed_list(name):
    error = refusal(upload(name, b"MZ\x90\x00" + b"\x00" * 100))
    assert error.code == "type"
    message = error.messages[0]
    assert f"“{name}”" in message
    assert "PDF、Word（doc/docx）、Excel（xls/xlsx）、JPG、PNG、OFD" in message


def test_an_empty_file_is_refused():
    error = refusal(upload("空白报告.docx", b""))
    assert error.code == "empty"
    assert error.messages[0] == "附件“空白报告.docx”是空文件，请检查后重新选择。"


def test_a_file_over_the_configured_limit_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * MB
    content = pdf_bytes() + b"\x00" * (int(2.5 * MB) - len(pdf_bytes()))

    error = refusal(upload("扫描件.pdf", content))

    assert error.code == "size"
    assert error.messages[0] == "附件“扫描件.pdf”有 2.5 MB，超过了 2 MB 的上限。请压缩或拆分后再上传。"


def test_the_limit_is_read_when_checking_and_is_inclusive(settings):
    settings.ATTACHMENT_MAX_BYTES = 4096
    content = png_bytes()
    at_limit = content + b"\x00" * (4096 - len(content))
    assert check_attachment(upload("照片.png", at_limit)).size == 4096

    error = refusal(upload("照片.png", at_limit + b"\x00"))
    assert error.code == "size"
    assert "“照片.png”" in error.messages[0]
    # a file just over the limit never reads as being the limit's size
    assert "有 4.1 KB，超过了 4 KB 的上限" in error.messages[0]


def test_the_default_limit_is_20_mb(settings):
    del settings.ATTACHMENT_MAX_BYTES
    assert MAX_ATTACHMENT_BYTES == 20 * MB
    error = refusal(UploadedFile(Unreadable(), name="年度报告.pdf", size=20 * MB + 1))
    assert "超过了 20 MB 的上限" in error.messages[0]


class Unreadable:
    """A file whose content must not be touched."""

    def read(self, *args):
        raise AssertionError("the content was read")

    def seek(self, *args):
        raise AssertionError("the file was sought")

    def tell(self):
        raise AssertionError("the file was asked for its position")


def test_the_size_is_checked_without_reading_the_content(settings):
    del settings.ATTACHMENT_MAX_BYTES
    uploaded = UploadedFile(Unreadable(), name="年度报告.pdf", size=int(23.4 * MB))

    error = refusal(uploaded)

    assert error.code == "size"
    assert error.messages[0] == "附件“年度报告.pdf”有 23.4 MB，超过了 20 MB 的上限。请压缩或拆分后再上传。"


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("会议纪要.pdf", "这只是一个文本文件".encode(), "PDF"),
        ("工作总结.docx", zip_bytes({"readme.txt": "不是 Word 文档"}), "Word"),
        ("工作总结.docx", xlsx_bytes(), "Word"),
        ("统计表.xlsx", docx_bytes(), "Excel"),
        ("现场照片.jpg", png_bytes(), "JPG"),
        ("现场照片.png", JPEG, "PNG"),
        ("工作总结.docx", b"PK\x03\x04" + b"\x00" * 200, "Word"),  # a corrupt zip
        ("工作总结.docx", docx_bytes()[:400], "Word"),  # cut off before the central directory
        ("旧版报告.doc", docx_bytes(), "Word"),
        ("电子公文.ofd", zip_bytes({"Doc_0/OFD.xml": "<ofd:OFD/>"}), "OFD"),  # not at the root
        ("电子公文.ofd", pdf_bytes(), "OFD"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content, kind):
    uploaded = upload(name, content)

    error = refusal(uploaded)

    assert error.code == "content"
    assert error.messages[0] == (
        f"附件“{name}”的内容不是 {kind} 文件（文件扩展名与实际内容不符），"
        "可能已损坏或被改名。请用原程序另存后重新上传。"
    )
    assert uploaded.tell() == 0


def test_zip_members_are_not_extracted():
    # A docx whose document.xml claims to be huge: only the central directory is looked at.
    content = zip_bytes({"word/document.xml": b"\x00" * (10 * MB), "[Content_Types].xml": b"<Types/>"})
    assert len(content) < MB
    assert check_attachment(upload("报告.docx", content)).kind == "docx"


# --- safe_filename ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\Desktop\\工作进展.DOCX", "工作进展.docx"),
        ('关于"依法行政"的\n报告.pdf', "关于依法行政的 报告.pdf"),
        ("  多个   空格\t报告 .pdf ", "多个 空格 报告.pdf"),
        ("报告<1>:*?|.pdf", "报告1.pdf"),
        ("...隐藏文件.pdf", "隐藏文件.pdf"),
        ("\u202egpj.exe", "gpj.exe"),  # right-to-left override removed
        ("照片.JPEG", "照片.jpeg"),
        (".pdf", "附件.pdf"),
        ('../"*?".pdf', "附件.pdf"),
        ("", "附件"),
        ("/", "附件"),
        (None, "附件"),
        ("说明", "说明"),
    ],
)
def test_safe_filename_examples(name, expected):
    assert safe_filename(name) == expected


def test_a_long_chinese_name_is_cut_to_100_characters_and_keeps_its_extension():
    result = safe_filename("关于法治政府建设" * 40 + ".PDF")
    assert len(result) == 100
    assert result.endswith(".pdf")
    assert result.startswith("关于法治政府建设")


SPECIAL = list('/\\:*?"<>|. \t\n\r\x00\x1f\x7f\u200b\u202e\u3000中文附件pdfPDF')


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(SPECIAL)), max_size=300))
def test_safe_filename_is_always_safe(name):
    result = safe_filename(name)
    assert 0 < len(result) <= 100
    assert not set(result) & set('/\\"')
    assert not any(unicodedata.category(ch).startswith("C") for ch in result)
    assert result == result.strip()
    assert not result.startswith(".")
