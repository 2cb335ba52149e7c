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
from collections import Counter
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
_CN_NUMERAL = r"[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_SECTION = re.compile(rf"\s*({_CN_NUMERAL})\s*[、.．]\s*")
_ITEM = re.compile(r"\s*(\d{1,3})\s*[.．、](?!\d)\s*")
# The other numbering styles of published notices: （一） (1) 一是
_SUB_HEADING = re.compile(rf"\s*[（(]\s*({_CN_NUMERAL})\s*[)）]\s*")
_POINT = re.compile(r"\s*[（(]\s*(\d{1,2})\s*[)）]\s*")
_YISHI = re.compile(rf"\s*({_CN_NUMERAL})是(?=[\u4e00-\u9fff“‘《])")
# Marker kinds from the outermost to the innermost level, as notices nest them.
_KINDS = ("section", "sub", "item", "point", "yishi")
_MARKERS = {"section": _SECTION, "sub": _SUB_HEADING, "item": _ITEM, "point": _POINT, "yishi": _YISHI}
_PAGE_NUMBER = re.compile(r"[-—–－]+\s*\d{1,3}\s*[-—–－]+")
# A page number left inside a line by a PDF copy: "- 2 -", "— 3 —" between spaces or at a line end.
_PAGE_NUMBER_IN_LINE = re.compile(r"(?:(?<=\s)|^)[-—–－]{1,2}\s*\d{1,3}\s*[-—–－]{1,2}(?=\s|$)")

_LEAD_LABELS = ("牵头责任单位", "牵头单位", "牵头部门", "主办单位")
_RESPONSIBLE_LABELS = ("协同责任单位", "责任单位", "责任部门", "配合单位", "配合部门", "参与单位", "协办单位")
_LEADER_LABELS = ("牵头负责领导", "责任领导")
_DEADLINE_LABELS = ("完成时限", "时限要求", "完成时间")
_UNIT_LABEL = "|".join(_LEAD_LABELS + _RESPONSIBLE_LABELS)
_META_LABEL = "|".join(_LEADER_LABELS + _DEADLINE_LABELS)
_ROLE = rf"(?:{_UNIT_LABEL})"
# An annotation opens with a bracket followed by a role, or (without brackets)
# follows the end of a sentence directly.
_ANNOTATION_START = re.compile(rf"[〔\[［(（【]\s*{_ROLE}|(?<=。){_ROLE}\s*[:：]")
_ROLE_LABEL = re.compile(rf"({_UNIT_LABEL}|{_META_LABEL})\s*[:：]?")
# A line that is an annotation by itself: "责任单位：…", "（牵头单位：…）", "完成时限：…"
_ANNOTATION_LINE = re.compile(rf"[〔\[［(（【]?\s*(?:{_UNIT_LABEL}|{_META_LABEL})\s*[:：]")
_NAME_SUFFIX = re.compile(r"等(?:单位|部门)?$")
_DUTY_SUFFIX = re.compile(r"(?:按职责分工|按照职责分工|按职责)(?:分别)?负责$")
_FIRST_LEADS = re.compile(r"第一责任单位为牵头单位|排在第一位的为牵头单位|第一个单位为牵头单位")
_NO_FIXED_DATE = re.compile(r"持续推进|长期坚持|长期|常态化|持续开展|全年")

_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff×XＸ*＊○]{1,12})\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*(\d{1,5})\s*号"
)
# A number whose brackets a web copy lost: "株县发20174" (year 2017, number 4), on a line of its own.
_BARE_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10}(?:发|字|函))((?:19|20)\d{2})(\d{1,4})号?")
_DATE_LINE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_BARE_DATE = re.compile(r"((?:19|20)\d{2})(\d{2,4})")
_ISO_DATE = re.compile(r"(?:成文日期|发文日期|印发日期)\D{0,6}((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})")
_NOTICE_TITLE = re.compile(r"关于印发(.{2,80}?)的通知")
_PLAN_TITLE_WORDS = re.compile(r"计划|要点|方案|安排|规划|分工|清单")
_YEAR = re.compile(r"(\d{4})\s*[年〕]")  # "2022年" in a title, "〔2022〕" in a document number
_YEAR_SPAN = re.compile(r"\d{4}\s*年?\s*[-—–－~～至到]+\s*\d{4}")
_ORG_SUFFIXES = ("政府", "办公室", "办公厅", "委员会", "局", "厅", "委", "办", "部", "院", "中心", "小组")

_MONTH_END = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:份\s*)?底")
_DAY_BEFORE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:之|以)?前")


class NoticeError(ValueError):
    """Bad input; str(e) is a Chinese message saying what is wrong and what to do."""


@dataclass
class ParsedPoint:
    """A numbered point inside a task ((1), 一是 …), verbatim, with its own units when annotated."""

    text: str
    lead_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)


@dataclass
class ParsedItem:
    number: int
    title: str
    content: str
    responsibility_text: str
    lead_units: list[str]
    responsible_units: list[str]
    # The deadline written in the item, else the end of the plan year; None when the year is unknown.
    deadline: datetime.date | None
    section_number: int
    deadline_written: bool = False  # False: the notice fixes no date (持续推进, 长期坚持 or nothing)
    deadline_text: str = ""  # a 完成时限 / 时限要求 / 完成时间 line as written
    leader: str = ""  # 牵头负责领导: a person, not a unit
    points: list[ParsedPoint] = field(default_factory=list)
    label: str = ""  # the numbering as written: "1.", "（一）", "一是"
    line: int = 0  # the index of the item's first line in the text


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
    item: int | None = None  # the number of the item the warning is about
    line: int | None = None  # the line that item starts on


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
    task_level: str = "item"  # the numbering kind of the tasks: section, sub, item, point or yishi

    def items(self) -> Iterator[ParsedItem]:
        for section in self.sections:
            yield from section.items


def normalize_name(name: str) -> str:
    """Canonical spelling of a unit name as written in an annotation.

    Removes all whitespace, uses half-width parentheses, drops a trailing
    等/等单位/等部门 and 按职责分工负责, and surrounding punctuation or unbalanced brackets.
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
        name = _DUTY_SUFFIX.sub("", name)
        name = _NAME_SUFFIX.sub("", name)
    return name


def notice_lines(text: str) -> list[str]:
    """The lines of the notice as the parser numbers them (ParsedItem.line, edits)."""
    return _split_artefacts(_clean(text).splitlines())[0]


def parse_notice(text: str, year: int | None = None, edits: dict | None = None) -> ParsedNotice:
    """Parse a notice; `year` overrides the plan year found in the text.

    When no year is given and none is found, `year` is None and so are the deadlines that need one:
    the import page asks the coordinator for the year.

    `edits` are the coordinator's fixes from the preview, by line index (see notice_lines):
    {"lines": {"12": "heading" | "task" | "text"}, "deadlines": {"12": "2023-06-30"},
    "roles": {"12|市司法局": "lead" | "responsible"}}: a line made a section heading, a task or part of
    the task before it; the deadline of the task starting on a line; the role of a unit in that task.
    """
    edits = edits or {}
    line_edits = {int(index): kind for index, kind in (edits.get("lines") or {}).items()}
    lines, page_numbers = _split_artefacts(_clean(text).splitlines())
    if not any(line.strip() for line in lines):
        raise NoticeError(_("通知内容是空的，请上传或粘贴工作计划通知全文。"))
    start = _body_start(lines)
    forced = [i for i, kind in line_edits.items() if kind in ("heading", "task") and 0 <= i < len(lines)]
    forced = [i for i in forced if lines[i].strip()]
    if forced:
        start = min(forced) if start is None else min(start, *forced)
    if start is None:
        raise _no_items_error()
    head = [line.strip() for line in lines[:start] if line.strip()]
    doc_number, title, issuer, issued_on = _parse_head(head)
    if year is None:
        year = _single_year(title) or (issued_on.year if issued_on else None) or _year_in(doc_number)

    entries = [
        _entry(index, line.strip(), line_edits.get(index))
        for index, line in enumerate(lines)
        if index >= start and line.strip()
    ]
    task_kind = _task_kind(entries)
    body = _Body(year, task_kind, first_leads=bool(_FIRST_LEADS.search(text)), edits=edits)
    body.page_numbers += page_numbers
    if year is None:
        body.warn("no_year", _("没有找到计划年度，请在导入页填写计划年度后重新预览。"), title)
    for entry in entries:
        body.feed(entry)
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
        task_level=task_kind,
    )


@dataclass
class _Entry:
    index: int  # line index in the text
    kind: str  # one of _KINDS, "note" (an annotation line), "page" or "text"
    number: int
    label: str  # the numbering as written
    rest: str  # the line without its numbering
    line: str  # the whole line


def _entry(index: int, line: str, edit: str | None = None) -> _Entry:
    if edit in ("heading", "task", "text"):
        entry = _entry(index, line)
        if entry.kind not in _KINDS:
            entry.label, entry.rest = "", line
        entry.kind = edit
        return entry
    if _PAGE_NUMBER.fullmatch(line):
        return _Entry(index, "page", 0, "", line, line)
    if _ANNOTATION_LINE.match(line):
        return _Entry(index, "note", 0, "", line, line)
    for kind in ("section", "sub", "point", "item", "yishi"):
        if match := _MARKERS[kind].match(line):
            number = int(match[1]) if match[1].isdecimal() else _chinese_number(match[1])
            return _Entry(index, kind, number, match[0].strip(), line[match.end() :], line)
    return _Entry(index, "text", 0, "", line, line)


def _task_kind(entries: list[_Entry]) -> str:
    """The numbering kind that carries the unit annotations: the notice's task level.

    Each annotation votes for the kind of item it closes (see _annotated_kind); the most votes win,
    the outer kind on a tie. Without any annotation the tasks are the "1." items, else the "（一）"
    items, else 一是, else (1).
    """
    votes: Counter[str] = Counter()
    since: list[str] = []
    blocks: list[list[_Entry]] = []  # a numbered line with the plain lines after it
    for entry in entries:
        if entry.kind in (*_KINDS, "heading", "task", "note") or not blocks or blocks[-1][-1].kind == "note":
            blocks.append([entry])
        else:
            blocks[-1].append(entry)
    for block in blocks:
        if block[0].kind in _KINDS:
            since.append(block[0].kind)
        if since and _has_annotation(block):
            votes[_annotated_kind(since, own_line=block[0].kind == "note")] += 1
            since = []
    if votes:
        best = max(votes.values())
        return next(kind for kind in _KINDS if votes[kind] == best)
    present = {entry.kind for entry in entries}
    return next((kind for kind in ("item", "sub", "yishi", "point") if kind in present), "item")


def _annotated_kind(since: list[str], own_line: bool) -> str:
    """The kind an annotation belongs to, given the numbering kinds since the previous annotation.

    An annotation at the end of an item's text belongs to that item. One on a line of its own after
    several points ("1. … (1) … (2) …" then "（牵头单位：…）") belongs to the item holding the points.
    """
    last = since[-1]
    depth = _KINDS.index(last)
    parents = [index for index, kind in enumerate(since) if _KINDS.index(kind) < depth]
    if own_line and parents and since[parents[-1]] != "section" and len(since) - parents[-1] - 1 >= 2:
        return since[parents[-1]]
    return last


def _has_annotation(block: list[_Entry]) -> bool:
    first = block[0]
    if first.kind == "note":
        return bool(re.match(rf"[〔\[［(（【]?\s*(?:{_UNIT_LABEL})", first.line))
    text = _squeeze_wide(
        _join_lines([first.rest] + [entry.line for entry in block[1:] if entry.kind == "text"])
    )
    return bool(_ANNOTATION_START.search(text)) or _trailing_unlabelled(text) is not None


class _Body:
    """Reads the body entry by entry: headings above the task level open sections, task-level
    numbers open tasks, deeper numbers and plain lines go into the current task."""

    def __init__(self, plan_year: int | None, task_kind: str, first_leads: bool = False, edits=None):
        self.plan_year = plan_year
        self.deadline_edits = (edits or {}).get("deadlines") or {}
        self.role_edits = (edits or {}).get("roles") or {}
        self.task_kind = task_kind
        self.depth = _KINDS.index(task_kind)
        self.first_leads = first_leads
        self.sections: list[ParsedSection] = []
        self.section_kinds: list[str] = []
        self.warnings: list[ParseWarning] = []
        self.item: _Entry | None = None
        self.item_lines: list[_Entry] = []
        self.loose_lines: list[str] = []  # text after a section heading, before its first item
        self.page_numbers: list[str] = []
        self.last_item = 0

    def warn(
        self, code: str, message: str, text: str, item: int | None = None, line: int | None = None
    ) -> None:
        self.warnings.append(ParseWarning(code, message, text, item, line))

    def feed(self, entry: _Entry) -> None:
        if entry.kind == "heading":  # made a section heading in the preview
            entry.number = (self.sections[-1].number if self.sections else 0) + 1
            self._start_section(entry)
        elif entry.kind == "task":  # made a task in the preview
            entry.number = self.last_item + 1
            self._start_item(entry)
        elif entry.kind == "page":
            self.page_numbers.append(entry.line)
        elif entry.kind in _KINDS and _KINDS.index(entry.kind) < self.depth and not self._inside_item(entry):
            self._start_section(entry)
        elif entry.kind == self.task_kind:
            self._start_item(entry)
        elif self.item is not None:
            self.item_lines.append(entry)
        else:
            self.loose_lines.append(entry.line)

    def _inside_item(self, entry: _Entry) -> bool:
        """A （一） inside a "1." item, where no （一） heading came before: part of the item's text."""
        return self.item is not None and entry.kind != "section" and entry.kind not in self.section_kinds

    def finish(self) -> None:
        self._close_item()
        self._close_loose_text()
        if self.page_numbers:
            self.warn("page_number", _("已忽略页码行，请确认没有误删正文。"), " ".join(self.page_numbers))
        self._renumber()

    def _start_section(self, entry: _Entry) -> None:
        self._close_item()
        self._close_loose_text()
        same_kind = [
            s for s, kind in zip(self.sections, self.section_kinds, strict=True) if kind == entry.kind
        ]
        last = same_kind[-1].number if same_kind else 0
        if entry.kind == "section" and number_warning_applies(self.section_kinds):
            if entry.number <= last:
                self.warn(
                    "section_repeat",
                    _("部分编号%(number)s重复或倒序（上一部分是%(last)s），请核对。")
                    % {"number": entry.number, "last": last},
                    entry.line,
                )
            elif entry.number > last + 1:
                self.warn(
                    "section_gap",
                    _("部分编号不连续：上一部分是%(last)s，这一部分是%(number)s，请核对是否漏了部分。")
                    % {"last": last, "number": entry.number},
                    entry.line,
                )
        self.sections.append(ParsedSection(entry.number, _squeeze(entry.rest)))
        self.section_kinds.append(entry.kind)

    def _start_item(self, entry: _Entry) -> None:
        self._close_item()
        self._close_loose_text()
        if not self.sections:
            self.warn(
                "no_section", _("没有找到“一、”“二、”这样的部分标题，所有条目归入同一部分。"), entry.line
            )
            self.sections.append(ParsedSection(0, ""))
            self.section_kinds.append("none")
        restarts = entry.number == 1 and not self.sections[-1].items
        if entry.number <= self.last_item and not restarts:
            self.warn(
                "numbering_repeat",
                _("条目编号%(number)s重复或倒序（上一条是%(last)s），请核对。")
                % {"number": entry.number, "last": self.last_item},
                entry.line,
            )
        elif entry.number > self.last_item + 1 and not (restarts and self.task_kind != "item"):
            self.warn(
                "numbering_gap",
                _("条目编号从%(last)s跳到%(number)s，请核对是否漏了条目。")
                % {"last": self.last_item, "number": entry.number},
                entry.line,
            )
        self.last_item = entry.number
        self.item = entry
        self.item_lines = []

    def _close_loose_text(self) -> None:
        if not self.loose_lines:
            return
        text = _squeeze(_join_lines(self.loose_lines))
        self.loose_lines = []
        if not self.sections:
            self.warn("unplaced_text", _("这段文字不属于任何条目，请核对是否需要手工补录。"), text)
            return
        section = self.sections[-1]
        # A heading broken across lines continues on the next line.
        if not section.items and _continues_heading(section.title, text):
            section.title += text
        else:
            self.warn("unplaced_text", _("这段文字不属于任何条目，请核对是否需要手工补录。"), text)

    def _close_item(self) -> None:
        if self.item is None:
            return
        entry, lines = self.item, self.item_lines
        self.item, self.item_lines = None, []
        self.sections[-1].items.append(self._assemble(entry, lines))

    def _assemble(self, entry: _Entry, lines: list[_Entry]) -> ParsedItem:
        number = entry.number
        notes: list[str] = []
        # Lines of the item's own text, and the points on lines of their own ((1), 一是 …).
        own: list[str] = [entry.rest]
        point_lines: list[list[str]] = []
        previous = None
        for line in lines:
            if line.kind == "note" or (
                line.kind == "text"
                and previous is not None
                and previous.kind == "note"
                and not notes[-1].endswith("。")
            ):
                # an annotation line, or the rest of one that a PDF broke across lines
                if line.kind == "note":
                    notes.append(line.line)
                else:
                    notes[-1] = _join_lines([notes[-1], line.line])
                previous = line if line.kind == "note" else previous
                continue
            previous = line
            if line.kind in _KINDS:
                point_lines.append([line.line])
            elif point_lines:
                point_lines[-1].append(line.line)
            else:
                own.append(line.line)
        text = _squeeze_wide(_join_lines(own))
        points = [_squeeze_wide(_join_lines(part)) for part in point_lines]
        # An annotation at the end of the last point closes the whole item when no other point has one.
        if points and not any(_point_annotation(p)[1] for p in points[:-1]):
            rest, annotation, trailing = _split_item_annotation(points[-1])
            if annotation:
                points[-1] = rest
                text = text + ("\n" if text else "") + "\n".join(points) + annotation + trailing
                points = []
        content, annotation, trailing = _split_item_annotation(text)
        if points:
            content = "\n".join([content, *points]) if content else "\n".join(points)
        lead, responsible = _parse_units(annotation)
        leader, deadline_text = "", ""
        for note in notes:
            note_lead, note_responsible, note_leader, note_deadline = _parse_note(note)
            lead += [name for name in note_lead if name not in lead]
            responsible += [name for name in note_responsible if name not in responsible]
            leader = leader or note_leader
            deadline_text = deadline_text or note_deadline
        annotation = "\n".join(filter(None, [annotation, *notes]))
        if self.first_leads and not lead and responsible:
            lead, responsible = responsible[:1], responsible[1:]
        if not annotation:
            self.warn(
                "no_annotation",
                _("第%(number)s条没有找到牵头单位或责任单位。") % {"number": number},
                content,
                number,
                entry.index,
            )
        elif not lead:
            message = _("第%(number)s条没有写牵头单位。") % {"number": number}
            self.warn("no_lead", message, annotation, number, entry.index)
        if trailing:
            self.warn(
                "unplaced_text",
                _("第%(number)s条的单位说明后面还有文字，未归入任何条目，请核对。") % {"number": number},
                trailing,
                number,
                entry.index,
            )
        parsed_points = _points(content)
        head = content.split("\n", 1)[0] if parsed_points else content
        if parsed_points:
            head = _before_first_point(head)
        for key, role in self.role_edits.items():  # a unit's role changed in the preview
            line, _sep, name = key.partition("|")
            if line == str(entry.index) and name in lead + responsible and role in ("lead", "responsible"):
                lead = [n for n in lead if n != name]
                responsible = [n for n in responsible if n != name]
                (lead if role == "lead" else responsible).append(name)
        written = _deadline(content + "\n" + deadline_text, self.plan_year)
        if set_on := self.deadline_edits.get(str(entry.index)):  # a deadline set in the preview
            written = _iso_date(set_on) or written
            deadline_text = deadline_text or _("导入时设定")
        deadline = written or (datetime.date(self.plan_year, 12, 31) if self.plan_year else None)
        return ParsedItem(
            number=number,
            title=(head[: head.index("。") + 1] if "。" in head else head).strip(),
            content=content,
            responsibility_text=annotation,
            lead_units=lead,
            responsible_units=responsible,
            deadline=deadline,
            section_number=self.sections[-1].number,
            deadline_written=written is not None,
            deadline_text=deadline_text,
            leader=leader,
            points=parsed_points,
            label=entry.label,
            line=entry.index,
        )

    def _renumber(self) -> None:
        """Numbers unique in the plan: numbering that restarts in every section runs on instead."""
        items = [item for section in self.sections for item in section.items]
        if len({item.number for item in items}) < len(items):
            for number, item in enumerate(items, 1):
                item.number = number
            numbers = {item.line: item.number for item in items}
            for warning in self.warnings:
                if warning.item is not None and warning.line in numbers:
                    warning.item = numbers[warning.line]
        numbers = [section.number for section in self.sections]
        if len(set(numbers)) < len(numbers) or len(set(self.section_kinds) - {"none"}) > 1:
            start = 0 if self.section_kinds[:1] == ["none"] else 1
            for number, section in enumerate(self.sections, start):
                section.number = number
                for item in section.items:
                    item.section_number = number


def number_warning_applies(section_kinds: list[str]) -> bool:
    return set(section_kinds) <= {"section", "none"}


def _points(content: str) -> list[ParsedPoint]:
    """The points of an item: its lines numbered (1)/一是/…, or inline 一是…二是… and (1)…(2)…."""
    points = []
    for part in _point_texts(content):
        rest, annotation = _point_annotation(part)
        lead, responsible = _parse_units(annotation) if annotation else ([], [])
        points.append(ParsedPoint(part, lead, responsible))
    return points


def _point_texts(content: str) -> list[str]:
    lines = content.split("\n")
    if len(lines) > 1:
        return (
            [line for line in lines[1:] if line]
            if any(
                _POINT.match(line) or _YISHI.match(line) or _ITEM.match(line) or _SUB_HEADING.match(line)
                for line in lines[1:]
            )
            else []
        )
    for pattern in (_INLINE_POINT, rf"({_CN_NUMERAL})是(?=[\u4e00-\u9fff“‘《])"):
        starts = []
        expected = 1
        for match in re.finditer(pattern, content):
            value = int(match[1]) if match[1].isdecimal() else _chinese_number(match[1])
            if value == expected:
                starts.append(match.start())
                expected += 1
        if len(starts) >= 2:
            bounds = [*starts, len(content)]
            return [content[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]
    return []


def _before_first_point(text: str) -> str:
    for pattern in (_INLINE_FIRST_POINT, r"一是(?=[\u4e00-\u9fff“‘《])"):
        match = re.search(pattern, text)
        if match and match.start() > 0:
            return text[: match.start()]
    return text


def _point_annotation(text: str) -> tuple[str, str]:
    rest, annotation, trailing = _split_item_annotation(text)
    return (rest, annotation) if annotation and not trailing else (text, "")


def _split_item_annotation(text: str) -> tuple[str, str, str]:
    """(content, annotation, text after it): a labelled annotation, else an unlabelled (X牵头，Y配合) at the end."""
    content, annotation, trailing = _split_annotation(text)
    if annotation:
        return content, annotation, trailing
    if (found := _trailing_unlabelled(text)) is not None:
        return text[:found].rstrip(), text[found:], ""
    return text, "", ""


def _trailing_unlabelled(text: str) -> int | None:
    """Start of a closing bracket group like （X牵头，Y配合） / （X负责）, else None."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] not in _CLOSING:
        return None
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        if stripped[index] in _CLOSING:
            depth += 1
        elif stripped[index] in _OPENING:
            depth -= 1
            if depth == 0:
                inner = stripped[index + 1 : -1]
                return index if _unlabelled_units(inner) is not None else None
    return None


def _unlabelled_units(inner: str) -> tuple[list[str], list[str]] | None:
    """(lead, responsible) of "X牵头，Y配合" / "X牵头，Y按职责分工负责" / "X负责", or None if it is not one."""
    inner = "".join(inner.split())
    lead: list[str] = []
    responsible: list[str] = []
    parts = [part for part in re.split(r"[，,；;]", inner) if part]
    if not parts:
        return None
    for part in parts:
        if part.endswith("牵头"):
            target, names = lead, part[:-2]
        elif match := re.search(
            r"(?:按职责分工|按照职责分工|按职责)(?:分别)?负责$|配合$|参与$|协助$|协同$", part
        ):
            target, names = responsible, part[: match.start()]
        elif part.endswith("负责"):
            target, names = (responsible if lead else lead), part[:-2]
        else:
            return None
        found = [name for name in _split_names(names) if name]
        if not found or any(len(name) > 40 for name in found):
            return None
        target += [name for name in found if name not in target]
    return lead, responsible


def _parse_note(note: str) -> tuple[list[str], list[str], str, str]:
    """(lead, responsible, leader, deadline text) of an annotation line."""
    lead, responsible = _parse_units(note)
    leader = deadline = ""
    labels = list(_ROLE_LABEL.finditer(note))
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(note)
        value = note[label.end() : end].strip().strip(_NAME_PUNCTUATION + _OPENING + _CLOSING)
        if label[1] in _LEADER_LABELS:
            leader = "".join(value.split())
        elif label[1] in _DEADLINE_LABELS:
            deadline = "".join(value.split())
    return lead, responsible, leader, deadline


def _no_items_error() -> NoticeError:
    return NoticeError(
        _(
            "文件中没有找到编号的任务条目（如“一、”“（一）”“1.”“（1）”“一是”），请确认上传的是工作计划通知全文。"
        )
    )


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)


# A point numbered inside a line: "（1）" between Chinese text, never "alert(1)" or "第(1)款" in Latin text.
_INLINE_POINT = r"(?<![A-Za-z0-9_])[（(]\s*(\d{1,2})\s*[)）](?=[\u4e00-\u9fff“‘《])"
_INLINE_FIRST_POINT = r"(?<![A-Za-z0-9_])[（(]\s*1\s*[)）](?=[\u4e00-\u9fff“‘《])"
_NEXT_MARKER = (
    rf"(?:\d{{1,3}}\s*[.．、](?!\d)|[（(]\s*(?:{_CN_NUMERAL}|\d{{1,2}})\s*[)）]|(?:{_CN_NUMERAL})\s*、)"
)


def _split_artefacts(lines: list[str]) -> tuple[list[str], list[str]]:
    """Undo what copying out of a PDF does to lines: page numbers inside a line, a heading and its
    first item on one line, an annotation and the next item or heading on one line."""
    out: list[str] = []
    pages: list[str] = []
    for line in lines:
        if not _PAGE_NUMBER.fullmatch(line.strip()) and _PAGE_NUMBER_IN_LINE.search(line):
            pages += [found.strip() for found in _PAGE_NUMBER_IN_LINE.findall(line)]
            line = _PAGE_NUMBER_IN_LINE.sub(" ", line)
        out += _split_line(line)
    return out, pages


def _split_line(line: str) -> list[str]:
    pieces = [line]
    result: list[str] = []
    while pieces:
        piece = pieces.pop(0)
        cut = _cut_at(piece)
        if cut is None or not piece[:cut].strip() or not piece[cut:].strip():
            result.append(piece)
        else:
            pieces[:0] = [piece[:cut].rstrip(), piece[cut:].lstrip()]
    return result


def _cut_at(line: str) -> int | None:
    """Where the line holds the start of a second numbered line, or None."""
    stripped = line.lstrip()
    offset = len(line) - len(stripped)
    # "…工作计划一、总体目标": a title run into the first heading
    if match := re.search(rf"(?:计划|要点|方案|安排)(?=(?:{_CN_NUMERAL})、)", stripped):
        if not _SECTION.match(stripped):
            return offset + match.end()
    # "一、依法全面履行政府职能 1.深化…": a heading run into its first item
    heading = _SECTION.match(stripped) or _ITEM.match(stripped) or _SUB_HEADING.match(stripped)
    if heading:
        inner = _INLINE_FIRST_POINT if not _SECTION.match(stripped) else _NEXT_MARKER
        if match := re.search(inner, stripped[heading.end() :]):
            before = stripped[heading.end() : heading.end() + match.start()]
            if before.strip() and len(before) <= 40 and not re.search(r"[。；;，,:：]", before):
                return offset + heading.end() + match.start()
    # "…〔牵头单位：…〕2.加强…": an annotation run into the next item or heading
    for match in re.finditer(rf"[〕\]］)）】]\s*(?={_NEXT_MARKER})", stripped):
        group_start = max(stripped.rfind(ch, 0, match.start()) for ch in _OPENING)
        if group_start >= 0 and re.search(
            r"牵\s*头|配\s*合|负\s*责|单\s*位|时\s*限", stripped[group_start : match.start()]
        ):
            return offset + match.end()
    return None


def _body_start(lines: list[str]) -> int | None:
    """Index of the first section heading, else of the first numbered line of any kind, else None."""
    for index, line in enumerate(lines):
        if _SECTION.match(line):
            return index
    for index, line in enumerate(lines):
        if any(_MARKERS[kind].match(line) for kind in ("sub", "item", "point", "yishi")):
            return index
    return None


def _parse_head(head: list[str]) -> tuple[str, str, str, datetime.date | None]:
    squeezed = [_squeeze(line) for line in head]
    doc_number = _head_doc_number(squeezed)

    issued_on, issuer = None, ""
    for index, line in enumerate(squeezed):
        if match := _DATE_LINE.fullmatch(line):
            issued_on = _date(int(match[1]), int(match[2]), int(match[3]))
            if index and squeezed[index - 1].endswith(_ORG_SUFFIXES):
                issuer = squeezed[index - 1]
            break
    if issued_on is None:
        issued_on = _other_head_date(squeezed)
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


def _head_doc_number(squeezed: list[str]) -> str:
    """The notice's own number: on a line or a head field of its own, never one the preamble cites."""
    first_free = ""
    for line in squeezed:
        for match in _DOC_NUMBER.finditer(line):
            number = f"{match[1]}〔{int(match[2])}〕{int(match[3])}号"
            before = line[: match.start()]
            field_alone = not re.sub(
                r"[|｜•·\-]|文号|发文字号|字号|[:：]", "", before + line[match.end() :]
            ).strip(" |") or re.search(r"(?:文号|字号)[|｜:：\s]*$", before)
            if field_alone:
                return number
            if not first_free and _bracket_depth(before) <= 0 and "《" not in before[-20:]:
                first_free = number
    if first_free:
        return first_free
    for line in squeezed:
        if match := _BARE_DOC_NUMBER.fullmatch(line.strip("•· ")):
            return f"{match[1]}〔{int(match[2])}〕{int(match[3])}号"
    return ""


def _other_head_date(squeezed: list[str]) -> datetime.date | None:
    """A date written as 2025-06-13 in a 成文日期 field, or as bare digits (2017322) on its own line."""
    for line in squeezed:
        if match := _ISO_DATE.search(line):
            return _date(int(match[1]), int(match[2]), int(match[3]))
    for line in squeezed:
        if match := _BARE_DATE.fullmatch(line):
            year, rest = int(match[1]), match[2]
            readings = {
                _date(year, int(rest[:split]), int(rest[split:])) for split in (1, 2) if split < len(rest)
            } - {None}
            if len(readings) == 1:
                return readings.pop()
    return None


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
    if not labels and annotation:
        unlabelled = _unlabelled_units(
            annotation.strip()[1:-1] if annotation.strip()[:1] in _OPENING else annotation
        )
        return unlabelled if unlabelled is not None else ([], [])
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(annotation)
        if label[1] in _LEADER_LABELS or label[1] in _DEADLINE_LABELS:
            continue
        part = annotation[label.end() : end]
        units = lead if label[1] in _LEAD_LABELS else responsible
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


def _deadline(content: str, plan_year: int | None) -> datetime.date | None:
    """The earliest month or day deadline written in the item, or None when it fixes no date."""
    found = []
    for match in _MONTH_END.finditer(content):
        year, month = _year_or(match[1], plan_year), int(match[2])
        if year and 1 <= month <= 12:
            found.append(_date(year, month, calendar.monthrange(year, month)[1]))
    for match in _DAY_BEFORE.finditer(content):
        found.append(_date(_year_or(match[1], plan_year), int(match[2]), int(match[3])))
    return min((day for day in found if day), default=None)


def _year_or(written: str | None, plan_year: int | None) -> int | None:
    if written is None:
        return plan_year
    return int(written) if 1900 <= int(written) <= 2100 else None


def _year_in(text: str) -> int | None:
    match = _YEAR.search(text)
    return int(match[1]) if match and 1900 <= int(match[1]) <= 2100 else None


def _single_year(title: str) -> int | None:
    """The year of a title, unless it names a span of years (规划(2016—2020年))."""
    return None if _YEAR_SPAN.search(title) else _year_in(title)


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


def _squeeze_wide(text: str) -> str:
    """Remove spaces between two CJK characters, as PDF copies put inside words (财 政局)."""
    return re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\u3000]+(?=[\u3000-\u9fff\uff00-\uffef])", "", text)


def _iso_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None
