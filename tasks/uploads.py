"""Checking the attachments that staff upload with their progress reports.

check_attachment() looks at the name, the size and the first bytes of an uploaded file and either
returns a CheckedFile (the kind, a safe display name and the content type to serve it with) or raises
a ValidationError whose message says in plain Chinese what is wrong and what to do about it.

The order of the checks matters: the type comes from the name, emptiness and size from
`uploaded_file.size`, and only a file that passed those is read — and then only its first bytes
(and, for the ZIP-based formats, the ZIP's central directory, once its end record declares at most
lib.archives' member limit; members are never extracted).
The file is always left at position 0 so it can still be saved.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lib.archives import ATTACHMENT_LIMITS, ArchiveRefused, refuse_too_many_members

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

# kind → the file name extensions (lower case, with the dot) that mean that kind
ALLOWED_KINDS = {
    "pdf": (".pdf",),
    "doc": (".doc",),
    "docx": (".docx",),
    "xls": (".xls",),
    "xlsx": (".xlsx",),
    "jpg": (".jpg", ".jpeg"),
    "png": (".png",),
    "ofd": (".ofd",),
}

# The allowed kinds as staff know them, for messages and help texts.
ALLOWED_DESCRIPTION = gettext_lazy("PDF、Word（doc/docx）、Excel（xls/xlsx）、JPG、PNG、OFD")

# For the `accept` attribute of an <input type="file">.
ACCEPT = ",".join(ext for exts in ALLOWED_KINDS.values() for ext in exts)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
    "ofd": "application/ofd",
}

# How a kind is named in the "content does not match" message.
KIND_LABELS = {
    "pdf": "PDF",
    "doc": "Word",
    "docx": "Word",
    "xls": "Excel",
    "xlsx": "Excel",
    "jpg": "JPG",
    "png": "PNG",
    "ofd": "OFD",
}

_KIND_BY_EXTENSION = {ext: kind for kind, exts in ALLOWED_KINDS.items() for ext in exts}

_PDF_MAGIC = b"%PDF-"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

_HEADER_MAGIC = {
    "pdf": _PDF_MAGIC,
    "doc": _OLE2_MAGIC,
    "xls": _OLE2_MAGIC,
    "jpg": _JPEG_MAGIC,
    "png": _PNG_MAGIC,
}

_HEADER_BYTES = max(len(m) for m in (_PDF_MAGIC, _OLE2_MAGIC, _ZIP_MAGIC, _JPEG_MAGIC, _PNG_MAGIC))

# Errors zipfile may raise on a damaged or truncated archive.
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError)


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # a key of ALLOWED_KINDS
    name: str  # the original name, made safe by safe_filename()
    content_type: str
    size: int  # bytes


def check_attachment(uploaded_file):
    """The CheckedFile for a Django UploadedFile, or ValidationError (code type/empty/size/content)."""
    name = safe_filename(getattr(uploaded_file, "name", "") or "")
    kind = _KIND_BY_EXTENSION.get(_split_extension(name)[1])
    if kind is None:
        raise ValidationError(
            _("不支持“%(name)s”这种类型的附件。只能上传 %(allowed)s 文件。"),
            code="type",
            params={"name": name, "allowed": ALLOWED_DESCRIPTION},
        )

    # Size comes from what the upload handler counted: nothing is read before the file is known
    # to be of a sensible size.
    size = uploaded_file.size or 0
    if size <= 0:
        raise ValidationError(
            _("附件“%(name)s”是空文件，请检查后重新选择。"),
            code="empty",
            params={"name": name},
        )
    limit = getattr(settings, "ATTACHMENT_MAX_BYTES", MAX_ATTACHMENT_BYTES)
    if size > limit:
        size_text, limit_text = _sizes_for_message(size, limit)
        raise ValidationError(
            _("附件“%(name)s”有 %(size)s，超过了 %(limit)s 的上限。请压缩或拆分后再上传。"),
            code="size",
            params={"name": name, "size": size_text, "limit": limit_text},
        )

    try:
        matches = _content_matches(uploaded_file, kind)
    except ArchiveRefused as error:
        raise ValidationError(str(error), code="archive") from None
    if not matches:
        raise ValidationError(
            _(
                "附件“%(name)s”的内容不是 %(kind)s 文件（文件扩展名与实际内容不符），"
                "可能已损坏或被改名。请用原程序另存后重新上传。"
            ),
            code="content",
            params={"name": name, "kind": KIND_LABELS[kind]},
        )
    return CheckedFile(kind=kind, name=name, content_type=CONTENT_TYPES[kind], size=size)


def _content_matches(uploaded_file, kind):
    uploaded_file.seek(0)
    try:
        header = uploaded_file.read(_HEADER_BYTES) or b""
        if kind in _HEADER_MAGIC:
            return header.startswith(_HEADER_MAGIC[kind])
        if not header.startswith(_ZIP_MAGIC):
            return False
        uploaded_file.seek(0)
        # zipfile makes an object of every member of the central directory: a 20 MB file could declare
        # hundreds of thousands. The count is read from the end record first.
        refuse_too_many_members(uploaded_file, name=safe_filename(uploaded_file.name), limits=ATTACHMENT_LIMITS)
        try:
            # Only the central directory is read; no member is opened or extracted.
            with zipfile.ZipFile(uploaded_file) as archive:
                members = {member.lower() for member in archive.namelist()}
        except _ZIP_ERRORS:
            return False
        if kind == "docx":
            return "word/document.xml" in members
        if kind == "xlsx":
            return "xl/workbook.xml" in members
        return "ofd.xml" in members  # ofd: OFD.xml at the root of the package
    finally:
        uploaded_file.seek(0)


def _sizes_for_message(size, limit):
    """Size and limit as "23.4 MB" / "20 MB": one decimal, in the unit that suits the limit.

    The size is rounded up and the limit down, so a file just over the limit never reads as
    "20 MB, over the 20 MB limit".
    """
    if limit >= 1024 * 1024:
        unit, unit_name = 1024 * 1024, "MB"
    elif limit >= 1024:
        unit, unit_name = 1024, "KB"
    else:
        return _("%(n)d 字节") % {"n": size}, _("%(n)d 字节") % {"n": limit}
    size_tenths = -(-size * 10 // unit)
    limit_tenths = limit * 10 // unit
    return _tenths(size_tenths, unit_name), _tenths(limit_tenths, unit_name)


def _tenths(tenths, unit_name):
    whole, tenth = divmod(tenths, 10)
    number = f"{whole}" if tenth == 0 else f"{whole}.{tenth}"
    return f"{number} {unit_name}"


_FORBIDDEN = re.compile(r'[\\/:*?"<>|]')
_WHITESPACE = re.compile(r"\s+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")
MAX_FILENAME_CHARS = 100
DEFAULT_STEM = "附件"


def safe_filename(name):
    """A file name that is safe to store, show and put in a Content-Disposition header.

    Keeps only the last path component (/ or \\), drops control and format characters, the
    characters Windows forbids (\\ / : * ? " < > |) and leading dots, collapses whitespace, keeps
    Chinese, lower-cases the extension and keeps the result within 100 characters without losing
    the extension. A name with nothing left of it becomes "附件" plus the extension.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _WHITESPACE.sub(" ", name)  # before dropping control characters: "a\nb" → "a b"
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _FORBIDDEN.sub("", name)
    name = _WHITESPACE.sub(" ", name).strip()

    stem, extension = _split_extension(name)
    stem = _clean_stem(stem)
    stem = _clean_stem(stem[: MAX_FILENAME_CHARS - len(extension)])
    return (stem or DEFAULT_STEM) + extension


def _split_extension(name):
    """(stem, lower-case extension with its dot, or "")."""
    match = _EXTENSION.search(name)
    if match is None:
        return name, ""
    return name[: match.start()], match.group().lower()


def _clean_stem(stem):
    return stem.lstrip(". ").rstrip(". ")
