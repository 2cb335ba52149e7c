"""Bounded reading of uploaded ZIP-based documents (.docx, .xlsx, .ofd): no zip bomb takes a worker's memory.

An Office file is a ZIP archive whose XML parts may compress a thousandfold: a 300 KB .docx can hold 200 MB of
empty paragraphs, and a library that reads it builds a tree of millions of elements (gigabytes). check_archive()
looks at the archive before any library opens it, and refuses it (ArchiveRefused, with a Chinese message saying
what is wrong and what to do) when

- it has more members than `max_members`;
- the sizes its directory declares add up to more than `max_bytes`;
- a member, decompressed through a capped stream (a directory's sizes may lie), gives more bytes than declared,
  or the members together more than `max_bytes`;
- its XML parts hold more than `max_elements` elements (counted by a streaming parser that builds no tree:
  the tree a library builds later grows with the elements, not the bytes);
- reading it takes longer than `max_seconds`.

Memory stays at one chunk and the parser's state, whatever the file; nothing is extracted to disk.
"""

import io
import time
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from lxml import etree

CHUNK_BYTES = 64 * 1024
# Errors zipfile may raise on a damaged or truncated archive (a lying size ends in a CRC error).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    KeyError,
    RuntimeError,
)
XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class Limits:
    max_members: int = 1000
    max_bytes: int = 50 * 1024 * 1024  # all members, decompressed
    # all XML parts together; python-docx reads 250,000 elements in ~5 s and ~80 MB (a notice has ~50,000)
    max_elements: int = 250_000
    max_seconds: float = 10.0


DOCUMENT_LIMITS = Limits()
# Attachments are stored, never parsed: only their directory is read (tasks.uploads), and only its count matters.
ATTACHMENT_LIMITS = Limits(max_members=5000)


class ArchiveRefused(ValueError):
    """The archive is damaged or over a limit; str() is the Chinese message for the person who uploaded it."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code  # damaged / members / size / elements / time


def check_archive(source, name="", limits=DOCUMENT_LIMITS):
    """Read every member of the ZIP archive `source` (bytes or a binary file) within `limits`, or raise
    ArchiveRefused. Returns the member names. A file object is left at position 0."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    deadline = time.monotonic() + limits.max_seconds
    try:
        # zipfile reads the whole central directory on opening (an object per member): count first.
        if declared_member_count(stream) > limits.max_members:
            raise _refused("members", name, limits)
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                raise _refused("members", name, limits)
            if sum(member.file_size for member in members) > limits.max_bytes:
                raise _refused("size", name, limits)
            budget = _Budget(limits, deadline, name)
            for member in members:
                if not member.is_dir():
                    _read_member(archive, member, budget)
            return [member.filename for member in members]
    except ArchiveRefused:
        raise
    except ZIP_ERRORS as error:
        raise _refused("damaged", name, limits) from error
    finally:
        stream.seek(0)


def declared_member_count(stream):
    """The number of members the archive's end record declares, read from its last bytes only
    (ArchiveRefused "damaged" when there is no end record). The stream is left at position 0."""
    try:
        end = zipfile._EndRecData(stream)  # the end record (ZIP64's when there is one), as zipfile reads it
    except OSError:
        end = None
    stream.seek(0)
    if not end:
        raise _refused("damaged", "", DOCUMENT_LIMITS)
    return end[zipfile._ECD_ENTRIES_TOTAL]


def refuse_too_many_members(stream, name="", limits=DOCUMENT_LIMITS):
    """ArchiveRefused when the archive declares more than limits.max_members members (damaged: no refusal
    here; the caller's own check says so)."""
    try:
        count = declared_member_count(stream)
    except ArchiveRefused:
        return
    if count > limits.max_members:
        raise _refused("members", name, limits)


class _Budget:
    def __init__(self, limits, deadline, name):
        self.limits, self.deadline, self.name = limits, deadline, name
        self.bytes = 0
        self.elements = 0

    def spend_bytes(self, count):
        self.bytes += count
        if self.bytes > self.limits.max_bytes:
            raise _refused("size", self.name, self.limits)
        if time.monotonic() > self.deadline:
            raise _refused("time", self.name, self.limits)

    def spend_elements(self, count):
        self.elements += count
        if self.elements > self.limits.max_elements:
            raise _refused("elements", self.name, self.limits)


class _ElementCounter:
    """An lxml parser target: counts start tags, keeps nothing."""

    def __init__(self):
        self.count = 0

    def start(self, tag, attrib, nsmap=None):
        self.count += 1

    def close(self):
        return self.count


def _read_member(archive, member, budget):
    counter = parser = None
    if member.filename.lower().endswith(XML_SUFFIXES):
        counter = _ElementCounter()
        # No entities resolved, no network, no huge-tree mode: nothing in the XML can make the parser grow.
        parser = etree.XMLParser(target=counter, resolve_entities=False, no_network=True, huge_tree=False)
    read = 0
    with archive.open(member) as part:
        while chunk := part.read(CHUNK_BYTES):
            read += len(chunk)
            if read > member.file_size:  # the directory lied about this member's size
                raise _refused("size", budget.name, budget.limits)
            budget.spend_bytes(len(chunk))
            if parser is not None:
                before = counter.count
                try:
                    parser.feed(chunk)
                except etree.XMLSyntaxError:
                    parser = None  # not our concern here: the reading library says the file is damaged
                    continue
                budget.spend_elements(counter.count - before)


def _refused(code, name, limits):
    params = {
        "name": name or _("上传的文件"),
        "members": limits.max_members,
        "mb": limits.max_bytes // (1024 * 1024),
        "elements": limits.max_elements,
        "seconds": int(limits.max_seconds),
    }
    messages = {
        "damaged": _(
            "“%(name)s”已损坏或不是有效的 Office 文件，无法读取。请用 Word/WPS 或 Excel 重新另存后再上传。"
        ),
        "members": _(
            "“%(name)s”内部包含的部件超过 %(members)s 个，不像正常的 Office 文件，已拒绝读取。"
            "请用 Word/WPS 或 Excel 重新另存（删除无关的嵌入对象）后再上传。"
        ),
        "size": _(
            "“%(name)s”解压后的内容超过 %(mb)s MB（文件被高度压缩，可能是异常文件），已拒绝读取。"
            "请删除其中的大图片、嵌入对象或大量空白段落/空行后重新保存再上传。"
        ),
        "elements": _(
            "“%(name)s”包含的段落、表格单元格等元素超过 %(elements)s 个（可能有大量空白段落或空行），已拒绝读取。"
            "请删除多余的空白内容后重新保存再上传。"
        ),
        "time": _(
            "读取“%(name)s”超过了 %(seconds)s 秒，已停止。请删除其中的大图片、嵌入对象或大量空白内容后重新保存再上传。"
        ),
    }
    return ArchiveRefused(messages[code] % params, code)
