"""Read an uploaded notice file (.txt, .docx, .xlsx or .pdf) into plain text for parse_notice()."""

import codecs
import io
import os
import unicodedata

import docx
from django.utils.translation import gettext as _
from docx.table import Table

from lib.archives import ArchiveRefused, check_archive

from . import tables
from .parser import NoticeError
from .pdf import read_pdf

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Share of control characters (other than tabs and line breaks) above which a
# decoded .txt file is taken for binary data.
_MAX_CONTROL_RATIO = 0.01


def read_notice_file(filename: str, data: bytes) -> str:
    if not data:
        raise NoticeError(_("上传的文件“%(name)s”是空的，请选择工作计划通知文件。") % {"name": filename})
    if len(data) > MAX_UPLOAD_BYTES:
        raise NoticeError(
            _("文件“%(name)s”超过%(limit)sMB的大小上限，请只上传通知正文。")
            % {"name": filename, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    extension = os.path.splitext(filename)[1].lower()
    if extension == ".txt":
        return _read_text(filename, data)
    if extension == ".docx":
        return _read_docx(filename, data)
    if extension == ".xlsx":
        return tables.read_xlsx(filename, data)
    if extension == ".pdf":
        return read_pdf(filename, data)
    raise NoticeError(
        _(
            "不支持“%(name)s”这种文件，只能读取 .docx、.xlsx、.pdf 和 .txt 文件。"
            ".doc、.wps 请在 Word/WPS 中另存为 .docx，.xls 请另存为 .xlsx；其他格式请复制通知全文，粘贴保存为 .txt 后再上传。"
        )
        % {"name": filename}
    )


def _read_text(filename: str, data: bytes) -> str:
    not_text = NoticeError(
        _("“%(name)s”不是文本文件，请上传通知的 .docx 文件，或把通知全文保存为 .txt 后再上传。")
        % {"name": filename}
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"
        encodings = ("utf-16",)
    elif b"\x00" in data:
        raise not_text
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in text)
        if "\x00" in text or controls > len(text) * _MAX_CONTROL_RATIO:
            raise not_text
        return text
    raise NoticeError(
        _("无法识别“%(name)s”的文字编码，请用记事本将它另存为 UTF-8 编码的 .txt 文件后再上传。")
        % {"name": filename}
    )


def _read_docx(filename: str, data: bytes) -> str:
    not_docx = NoticeError(
        _("“%(name)s”不是有效的 Word（.docx）文件，请在 Word/WPS 中重新另存为 .docx 后再上传。")
        % {"name": filename}
    )
    # Bounded first (members, decompressed bytes, XML elements, time): python-docx reads every part into memory
    # and builds a tree of every element, so a zip bomb would otherwise take the worker's memory.
    try:
        check_archive(data, name=filename)
    except ArchiveRefused as error:
        raise (not_docx if error.code == "damaged" else NoticeError(str(error))) from error
    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx reports damaged or foreign files through many exception types
    # (BadZipFile, KeyError, ValueError, lxml and zlib errors); all mean the same here.
    except Exception as error:
        raise not_docx from error
    return "\n".join(_block_lines(document, {}))


def _block_lines(container, table_state=None):
    """Paragraph texts in document order; task tables (任务分工表) as tasks, other tables cell by cell."""
    for block in container.iter_inner_content():
        if isinstance(block, Table) and table_state is not None:
            rendered = tables.render_rows(tables.docx_table_rows(block), table_state)
            if rendered is not None:
                yield from rendered
                continue
        if isinstance(block, Table):
            seen = set()  # a merged cell is returned once per grid cell it spans
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc not in seen:
                        seen.add(cell._tc)
                        yield from _block_lines(cell)
        else:
            yield block.text
