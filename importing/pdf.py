"""Read the text layer of a PDF notice (pypdf), bounded in pages and characters."""

import io
import logging

from django.utils.translation import gettext as _

from .parser import NoticeError

MAX_PAGES = 300
MAX_CHARS = 2_000_000


def read_pdf(filename: str, data: bytes) -> str:
    """The text of every page, pages separated by a line break.

    A PDF without any text (a scan) or one pypdf cannot open gets a NoticeError saying what to do.
    """
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files log warnings for every object
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise NoticeError(
                _("“%(name)s”设置了打开密码，请另存为不加密的 PDF 或 Word 文件后再上传。")
                % {"name": filename}
            )
        if len(reader.pages) > MAX_PAGES:
            raise NoticeError(
                _("“%(name)s”超过%(pages)s页，请只上传通知正文。") % {"name": filename, "pages": MAX_PAGES}
            )
        pages, length = [], 0
        for page in reader.pages:
            text = page.extract_text() or ""
            length += len(text)
            if length > MAX_CHARS:
                raise NoticeError(_("“%(name)s”的文字过多，请只上传通知正文。") % {"name": filename})
            pages.append(text)
    except NoticeError:
        raise
    # pypdf reports damaged or foreign files through many exception types; all mean the same here.
    except Exception as error:
        raise NoticeError(
            _("“%(name)s”不是有效的 PDF 文件，或文件已损坏，请重新导出 PDF 或上传 Word 文件。")
            % {"name": filename}
        ) from error
    text = "\n".join(pages)
    if not any(ch.isalnum() for ch in text):
        raise NoticeError(
            _(
                "“%(name)s”没有文字层（可能是扫描件或图片），无法读取其中的文字。"
                "请上传通知的 Word 文件或可复制文字的 PDF，或把通知全文粘贴到文本框中。"
            )
            % {"name": filename}
        )
    return text
