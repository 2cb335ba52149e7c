"""Turn the text of a published work-plan notice into structured data.

The text usually comes from a PDF or Word file by copy and paste, so the parser
tolerates lines broken mid-word, mixed full/half-width punctuation and brackets
that open with one kind and close with another. It never drops text silently:
whatever cannot be placed in an item or a section title ends up in a warning.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

_OPENING = "〔[［(（【"
_CLOSING = "〕]］)）】"
_NAME_SEPARATORS = "、,，;；"
_NAME_PUNCTUATION = _NAME_SEPARATORS + ":：.。．·\"'“”‘’"
_PARENTHESES = str.maketrans("（）", "()")
# Cc (controls), Cf (zero-width and other format characters) and Cs (lone
# surrogates) are not text: they cannot be shown or stored, and PDF copies are
# full of zero-width characters. Whitespace controls are kept as line breaks.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs"}

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SECTION = re.compile(r"\s*([一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[、.．]\s*")
_ITEM = re.compile(r"\s*(\d{1,3})\s*[.．、](?!\d)\s*")
_PAGE_NUMBER = re.compile(r"[-—–－]+\s*\d{1,3}\s*[-—–－]+")

_ROLE = r"(?:牵头|责任|配合)(?:单位|部门)"
# An annotation opens with a bracket followed by a role, or (without brackets)
# follows the end of a sentence directly.
_ANNOTATION_START = re.compile(rf"[〔\[［(（【]\s*{_ROLE}|(?<=。){_ROLE}\s*[:：]")
_ROLE_LABEL = re.compile(r"(牵头|责任|配合)(?:单位|部门)\s*[:：]?")
_NAME_SUFFIX = re.compile(r"等(?:单位|部门)?$")

_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,10})\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*(\d{1,5})\s*号"
)
_DATE_LINE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_NOTICE_TITLE = re.compile(r"关于印发(.{2,80}?)的通知")
_PLAN_TITLE_WORDS = re.compile(r"计划|要点|方案|安排")
_YEAR = re.compile(r"(\d{4})\s*[年〕]")  # "2022年" in a title, "〔2022〕" in a document number
_ORG_SUFFIXES = ("政府", "办公室", "办公厅", "委员会", "局", "厅", "委", "办", "部", "院", "中心", "小组")

_MONTH_END = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:份\s*)?底")
_DAY_BEFORE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:之|以)?前")


class NoticeError(ValueError):
    """Bad input; str(e) is a Chinese message saying what is wrong and what to do."""


@dataclass
class ParsedItem:
    number: int
    title: str
    content: str
    responsibility_text: str
    lead_units: list[str]
    responsible_units: list[str]
    deadline: datetime.date
    section_number: int


@dataclass
class ParsedSection:
    number: int
    title: str
    items: list[ParsedItem] = field(default_factory=list)


@dataclass
class ParseWarning:
    code: str
    message: str
    text: str


@dataclass
class ParsedNotice:
    doc_number: str
    title: str
    issuer: str
    issued_on: datetime.date | None
    year: int | None
    preamble: str
    sections: list[ParsedSection]
    warnings: list[ParseWarning]

    def items(self) -> Iterator[ParsedItem]:
        for section in self.sections:
            yield from section.items


def normalize_name(name: str) -> str:
    """Canonical spelling of a unit name as written in an annotation.

    Removes all whitespace, uses half-width parentheses, drops a trailing
    等/等单位/等部门 and surrounding punctuation or unbalanced brackets.
    """
    name = "".join(name.split()).translate(_PARENTHESES)
    previous = None
    while name != previous:
        previous = name
        name = name.strip(_NAME_PUNCTUATION).lstrip(_CLOSING).rstrip(_OPENING)
        if name[-1:] in _CLOSING and _bracket_depth(name) < 0:
            name = name[:-1]
        if name[:1] in _OPENING and _bracket_depth(name) > 0:
            name = name[1:]
        name = _NAME_SUFFIX.sub("", name)
    return name


def parse_notice(text: str, year: int | None = None) -> ParsedNotice:
    """Parse a notice; `year` overrides the plan year found in the text."""
    lines = _clean(text).splitlines()
    if not any(line.strip() for line in lines):
        raise NoticeError(_("通知内容是空的，请上传或粘贴工作计划通知全文。"))
    start = _body_start(lines)
    if start is None:
        raise _no_items_error()
    head = [line.strip() for line in lines[:start] if line.strip()]
    doc_number, title, issuer, issued_on = _parse_head(head)
    if year is None:
        year = _year_in(title) or (issued_on.year if issued_on else None) or _year_in(doc_number)

    body = _Body(year or datetime.date.today().year)
    if year is None:
        body.warn(
            "no_year",
            _("没有找到计划年度，截止日期暂按%(year)s年计算，请核对。") % {"year": body.plan_year},
            title,
        )
    for line in lines[start:]:
        body.feed(line.strip())
    body.finish()
    if not any(section.items for section in body.sections):
        raise _no_items_error()
    return ParsedNotice(
        doc_number=doc_number,
        title=title,
        issuer=issuer,
        issued_on=issued_on,
        year=year,
        preamble="\n".join(head),
        sections=body.sections,
        warnings=body.warnings,
    )


class _Body:
    """Reads the body line by line, from the first section heading (or item) on."""

    def __init__(self, plan_year: int):
        self.plan_year = plan_year
        self.sections: list[ParsedSection] = []
        self.warnings: list[ParseWarning] = []
        self.item_number: int | None = None
        self.item_lines: list[str] = []
        self.loose_lines: list[str] = []  # text after a section heading, before its first item
        self.page_numbers: list[str] = []
        self.last_item = 0

    def warn(self, code: str, message: str, text: str) -> None:
        self.warnings.append(ParseWarning(code, message, text))

    def feed(self, line: str) -> None:
        if not line:
            return
        if _PAGE_NUMBER.fullmatch(line):
            self.page_numbers.append(line)
        elif section := _SECTION.match(line):
            self._start_section(_chinese_number(section[1]), line[section.end() :], line)
        elif item := _ITEM.match(line):
            self._start_item(int(item[1]), line[item.end() :], line)
        elif self.item_number is not None:
            self.item_lines.append(line)
        else:
            self.loose_lines.append(line)

    def finish(self) -> None:
        self._close_item()
        self._close_loose_text()
        if self.page_numbers:
            self.warn("page_number", _("已忽略页码行，请确认没有误删正文。"), " ".join(self.page_numbers))

    def _start_section(self, number: int, title: str, line: str) -> None:
        self._close_item()
        self._close_loose_text()
        last = self.sections[-1].number if self.sections else 0
        if number <= last:
            self.warn(
                "section_repeat",
                _("部分编号%(number)s重复或倒序（上一部分是%(last)s），请核对。")
                % {"number": number, "last": last},
                line,
            )
        elif number > last + 1:
            self.warn(
                "section_gap",
                _("部分编号不连续：上一部分是%(last)s，这一部分是%(number)s，请核对是否漏了部分。")
                % {"last": last, "number": number},
                line,
            )
        self.sections.append(ParsedSection(number, _squeeze(title)))

    def _start_item(self, number: int, first_line: str, line: str) -> None:
        self._close_item()
        self._close_loose_text()
        if not self.sections:
            self.warn("no_section", _("没有找到“一、”“二、”这样的部分标题，所有条目归入同一部分。"), line)
            self.sections.append(ParsedSection(0, ""))
        restarts = number == 1 and not self.sections[-1].items
        if number <= self.last_item and not restarts:
            self.warn(
                "numbering_repeat",
                _("条目编号%(number)s重复或倒序（上一条是%(last)s），请核对。")
                % {"number": number, "last": self.last_item},
                line,
            )
        elif number > self.last_item + 1:
            self.warn(
                "numbering_gap",
                _("条目编号从%(last)s跳到%(number)s，请核对是否漏了条目。")
                % {"last": self.last_item, "number": number},
                line,
            )
        self.last_item = number
        self.item_number = number
        self.item_lines = [first_line]

    def _close_loose_text(self) -> None:
        if not self.loose_lines:
            return
        text = _squeeze(_join_lines(self.loose_lines))
        self.loose_lines = []
        section = self.sections[-1]
        # A heading broken across lines continues on the next line.
        if not section.items and _continues_heading(section.title, text):
            section.title += text
        else:
            self.warn("unplaced_text", _("这段文字不属于任何条目，请核对是否需要手工补录。"), text)

    def _close_item(self) -> None:
        if self.item_number is None:
            return
        number, text = self.item_number, _join_lines(self.item_lines)
        self.item_number, self.item_lines = None, []
        content, annotation, trailing = _split_annotation(text)
        lead, responsible = _parse_units(annotation)
        if not annotation:
            self.warn(
                "no_annotation", _("第%(number)s条没有找到牵头单位或责任单位。") % {"number": number}, content
            )
        elif not lead:
            self.warn("no_lead", _("第%(number)s条没有写牵头单位。") % {"number": number}, annotation)
        if trailing:
            self.warn(
                "unplaced_text",
                _("第%(number)s条的单位说明后面还有文字，未归入任何条目，请核对。") % {"number": number},
                trailing,
            )
        self.sections[-1].items.append(
            ParsedItem(
                number=number,
                title=content[: content.index("。") + 1] if "。" in content else content,
                content=content,
                responsibility_text=annotation,
                lead_units=lead,
                responsible_units=responsible,
                deadline=_deadline(content, self.plan_year),
                section_number=self.sections[-1].number,
            )
        )


def _no_items_error() -> NoticeError:
    return NoticeError(_("文件中没有找到编号的任务条目（如“1.”“2、”），请确认上传的是工作计划通知全文。"))


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)


def _body_start(lines: list[str]) -> int | None:
    """Index of the first section heading, else of the first item, else None."""
    for pattern in (_SECTION, _ITEM):
        for index, line in enumerate(lines):
            if pattern.match(line):
                return index
    return None


def _parse_head(head: list[str]) -> tuple[str, str, str, datetime.date | None]:
    squeezed = [_squeeze(line) for line in head]
    doc_number = ""
    for line in squeezed:
        if match := _DOC_NUMBER.search(line):
            doc_number = f"{match[1]}〔{int(match[2])}〕{int(match[3])}号"
            break

    issued_on, issuer = None, ""
    for index, line in enumerate(squeezed):
        if match := _DATE_LINE.fullmatch(line):
            issued_on = _date(int(match[1]), int(match[2]), int(match[3]))
            if index and squeezed[index - 1].endswith(_ORG_SUFFIXES):
                issuer = squeezed[index - 1]
            break
    if not issuer and squeezed and squeezed[0].removesuffix("文件").endswith(_ORG_SUFFIXES):
        issuer = squeezed[0].removesuffix("文件")

    if match := _NOTICE_TITLE.search("".join(squeezed)):
        title = match[1].strip("《》")
    else:
        candidates = [
            line
            for line in squeezed
            if len(line) <= 40 and _PLAN_TITLE_WORDS.search(line) and not re.search(r"[。，,：:；;]", line)
        ]
        title = candidates[-1] if candidates else ""
    return doc_number, title, issuer, issued_on


def _split_annotation(text: str) -> tuple[str, str, str]:
    """Split item text into (content, annotation, text after the annotation)."""
    match = _ANNOTATION_START.search(text)
    if not match:
        return text, "", ""
    start = end = match.start()
    while match:  # consecutive annotations, e.g. "(牵头单位:…)(责任单位:…)"
        end = _annotation_end(text, match.start())
        gap = len(text[end:]) - len(text[end:].lstrip())
        match = _ANNOTATION_START.match(text, end + gap)
    return text[:start].strip(), text[start:end], text[end:].strip()


def _annotation_end(text: str, start: int) -> int:
    """End of the annotation starting at `start`: where its opening bracket is closed.

    Bracket kinds are not matched against each other (PDF copies open with 〔 and
    close with ]); an annotation that is never closed runs to the end of the item.
    """
    if text[start] not in _OPENING:
        return len(text)
    depth = 0
    for index in range(start, len(text)):
        if text[index] in _OPENING:
            depth += 1
        elif text[index] in _CLOSING:
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _parse_units(annotation: str) -> tuple[list[str], list[str]]:
    lead: list[str] = []
    responsible: list[str] = []
    labels = list(_ROLE_LABEL.finditer(annotation))
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(annotation)
        part = annotation[label.end() : end]
        units = lead if label[1] == "牵头" else responsible
        for name in _split_names(part):
            if name and name not in units:
                units.append(name)
    return lead, responsible


def _split_names(text: str) -> list[str]:
    """Split on separators outside brackets, so 各县(市、区)人民政府 stays whole."""
    names, current, depth = [], [], 0
    for ch in text:
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            depth = max(depth - 1, 0)
        if ch in _NAME_SEPARATORS and depth == 0:
            names.append("".join(current))
            current = []
        else:
            current.append(ch)
    names.append("".join(current))
    return [normalize_name(name) for name in names]


def _bracket_depth(text: str) -> int:
    return sum(ch in _OPENING for ch in text) - sum(ch in _CLOSING for ch in text)


def _deadline(content: str, plan_year: int) -> datetime.date:
    """Earliest month deadline written in the item, else the end of the plan year."""
    found = []
    for match in _MONTH_END.finditer(content):
        year, month = _year_or(match[1], plan_year), int(match[2])
        if year and 1 <= month <= 12:
            found.append(_date(year, month, calendar.monthrange(year, month)[1]))
    for match in _DAY_BEFORE.finditer(content):
        found.append(_date(_year_or(match[1], plan_year), int(match[2]), int(match[3])))
    return min((day for day in found if day), default=datetime.date(plan_year, 12, 31))


def _year_or(written: str | None, plan_year: int) -> int | None:
    if written is None:
        return plan_year
    return int(written) if 1900 <= int(written) <= 2100 else None


def _year_in(text: str) -> int | None:
    match = _YEAR.search(text)
    return int(match[1]) if match and 1900 <= int(match[1]) <= 2100 else None


def _date(year: int | None, month: int, day: int) -> datetime.date | None:
    if year is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _chinese_number(numeral: str) -> int:
    tens, ten, ones = numeral.partition("十")
    if not ten:
        return _CN_DIGITS[numeral]
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)


def _continues_heading(title: str, text: str) -> bool:
    return len(title) + len(text) <= 40 and text[0] not in _OPENING and not re.search(r"[。；;]", text)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _join_lines(lines: list[str]) -> str:
    """Join lines broken by a PDF copy: no space next to CJK text, else one space."""
    text = ""
    for line in filter(None, lines):
        if text and not _is_wide(text[-1]) and not _is_wide(line[0]):
            text += " "
        text += line
    return text


def _squeeze(text: str) -> str:
    """Remove whitespace next to CJK characters ("聊城市 2022 年" -> "聊城市2022年")."""

    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1 : match.start()]
        after = text[match.end() : match.end() + 1]
        return " " if before and after and not _is_wide(before) and not _is_wide(after) else ""

    return re.sub(r"\s+", replace, text)
