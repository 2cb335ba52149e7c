"""The year-end report as a Word file in the format of Chinese official documents (GB/T 9704-2012).

`write_docx()` turns an already-assembled `OfficialDocument` (title, body blocks, 发文机关署名, 成文日期) into a
.docx an office can file as-is: A4 with the standard margins, the title in 方正小标宋简体 二号, the body in
仿宋_GB2312 三号 at 22 lines a page, headings in 黑体 / 楷体_GB2312 / bold 仿宋, and "— 1 —" page numbers that
alternate right and left.

Every run names its font as an East-Asian font (`w:eastAsia`) and as a Latin one (`w:ascii`, `w:hAnsi`), so that
Word and WPS show Chinese text and digits alike in the official fonts. The paragraph formats live in named styles
(公文正文, 公文一级标题 …), so that text a clerk adds in Word keeps the format.
"""

import datetime
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from docx import Document as new_word_document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

# A placeholder the draft holds where material is missing (annual.digest writes them).
PLACEHOLDER = re.compile(r"【待补充[：:][^】]*】")

HEADING1 = "heading1"  # 一、…
HEADING2 = "heading2"  # （一）…
HEADING3 = "heading3"  # 1. …
PARAGRAPH = "paragraph"


@dataclass(frozen=True)
class Block:
    kind: str  # HEADING1, HEADING2, HEADING3 or PARAGRAPH
    text: str


@dataclass
class OfficialDocument:
    title: str  # may hold "\n" where the title must break
    blocks: list[Block]  # the body in order; headings already carry their numbers (一、, （一）)
    issuer: str  # 发文机关署名
    date: datetime.date | None  # 成文日期; None leaves the line blank to be written by hand
    addressee: str = ""  # 主送机关, e.g. "市委："
    doc_number: str = ""  # 发文字号, e.g. "聊法办〔2022〕5号": centred above the title when given
    imprint: "Imprint | None" = None  # 版记 (抄送, 印发机关 and 印发日期) at the end when given


@dataclass(frozen=True)
class Imprint:
    """版记 (GB/T 9704-2012 7.4): 抄送 and the 印发机关 with the 印发日期, between horizontal lines."""

    cc: str  # 抄送机关, written "抄送：…。"
    printer: str  # 印发机关
    printed_on: datetime.date | None  # 印发日期; None leaves a placeholder to be filled in


# The fonts GB/T 9704 names; the names are those of the fonts installed on Chinese government computers.
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

# Page (GB/T 9704-2012 5.2): A4, a body of 156 × 225 mm.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
# The page number's dash sits 7 mm below the body; its line (宋体 四号, single spacing) is about 6 mm high.
FOOTER_DISTANCE = Mm(22)
HEADER_DISTANCE = Mm(15)

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
IMPRINT_SIZE = Pt(14)  # 四号 (版记)
IMPRINT_THICK, IMPRINT_THIN = 8, 6  # the 版记's first and last lines 0.35 mm (8 eighths of a point), the middle 0.25 mm
BODY_LINE_SPACING = Pt(28.95)  # 225 mm / 22 lines
TITLE_LINE_SPACING = Pt(35)
BODY_INDENT = Pt(32)  # two characters
TITLE_LINE_WIDTH = 20  # characters of 二号 on a 156 mm line
MAX_BALANCED_LINES = 4  # a longer title is broken where its lines are full
GOOD_BREAK_BONUS = 3  # a line ending in a good break word may be this much (squared) off the ideal width
SIGNATURE_RIGHT_SPACE = 4  # characters between the signature block and the right edge of the body
BLANK_LINES_BEFORE_SIGNATURE = 2  # room for the seal

# The 成文日期 in Arabic numerals (GB/T 9704-2012 7.3.5.1). Part of the document, not of the interface: it is
# not translated.
DATE_FORMAT = "{year}年{month}月{day}日"

# Control characters XML 1.0 forbids (all of C0 but tab and newline), DEL and C1, lone surrogates, U+FFFE/U+FFFF.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Where a run-in heading ends: "（一）推进政府职能转变。市委办公室……" has its body on the heading's line.
_RUN_IN_END = "。"
# A title line reads best when it ends after one of these words ("…关于" / "2022年度" / "…政府") or the next
# line starts with one of the others ("和…" / "关于…"), rather than being cut mid-word.
_GOOD_LINE_ENDS = ("关于", "年度", "的", "、", "政府", "建设", "情况", "工作")
_GOOD_LINE_STARTS = ("关于", "和", "及", "与")
_NO_LINE_START = set("，。、；：？！）》」』”’〕】,.;:?!)")
_NO_LINE_END = set("（《「『“‘〔【(")
# The elements that follow w:overflowPunct in a w:pPr (ECMA-376 CT_PPrBase, then CT_PPr).
_AFTER_OVERFLOW_PUNCT = (
    *("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid"),
    *("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc"),
    *("w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle"),
    *("w:rPr", "w:sectPr", "w:pPrChange"),
)


@dataclass(frozen=True)
class _Look:
    """One paragraph format of the document, kept as a named style."""

    style_id: str
    name: str
    font: str
    size: Length = BODY_SIZE
    bold: bool = False
    alignment: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    first_line_indent: Length | None = BODY_INDENT
    line_spacing: Length | None = BODY_LINE_SPACING  # None: single spacing
    outline_level: int | None = None
    keep_with_next: bool = False


TITLE = _Look(
    "OfficialTitle",
    _("公文标题"),
    XIAOBIAOSONG,
    size=TITLE_SIZE,
    alignment=WD_ALIGN_PARAGRAPH.CENTER,
    first_line_indent=None,
    line_spacing=TITLE_LINE_SPACING,
    keep_with_next=True,
)
BODY = _Look("OfficialBody", _("公文正文"), FANGSONG)
HEADINGS = {
    HEADING1: _Look("OfficialHeading1", _("公文一级标题"), HEITI, outline_level=0, keep_with_next=True),
    HEADING2: _Look("OfficialHeading2", _("公文二级标题"), KAITI, outline_level=1, keep_with_next=True),
    HEADING3: _Look(
        "OfficialHeading3", _("公文三级标题"), FANGSONG, bold=True, outline_level=2, keep_with_next=True
    ),
}
ADDRESSEE = _Look("OfficialAddressee", _("主送机关"), FANGSONG, first_line_indent=None, keep_with_next=True)
SIGNATURE = _Look(
    "OfficialSignature",
    _("发文机关署名和成文日期"),
    FANGSONG,
    alignment=WD_ALIGN_PARAGRAPH.RIGHT,
    first_line_indent=None,
    keep_with_next=True,
)
PAGE_NUMBER = _Look(
    "OfficialPageNumber",
    _("公文页码"),
    SONGTI,
    size=PAGE_NUMBER_SIZE,
    alignment=WD_ALIGN_PARAGRAPH.RIGHT,
    first_line_indent=None,
    line_spacing=None,
)
DOC_NUMBER = _Look(
    "OfficialDocNumber", _("发文字号"), FANGSONG, alignment=WD_ALIGN_PARAGRAPH.CENTER, first_line_indent=None
)
IMPRINT = _Look(
    "OfficialImprint", _("版记"), FANGSONG, size=IMPRINT_SIZE, alignment=WD_ALIGN_PARAGRAPH.LEFT,
    first_line_indent=None,
)
LOOKS = (TITLE, BODY, *HEADINGS.values(), ADDRESSEE, SIGNATURE, PAGE_NUMBER, DOC_NUMBER, IMPRINT)


def write_docx(document: OfficialDocument, out) -> None:
    """Write `document` to `out` (a path or a binary file object)."""
    word = new_word_document()
    _set_up_page(word.sections[0])
    _set_up_styles(word)
    word.settings.odd_and_even_pages_header_footer = True
    _set_theme_language(word)
    if text_lines(document.doc_number):
        _write_lines(word, document.doc_number, DOC_NUMBER)
        word.add_paragraph()  # one blank line between the 发文字号 and the title
    _write_title(word, document.title)
    _write_lines(word, document.addressee, ADDRESSEE)
    for block in document.blocks:
        _write_block(word, block)
    _write_signature(word, document.issuer, document.date)
    if document.imprint is not None:
        _write_imprint(word, document.imprint)
    _write_page_numbers(word.sections[0])
    _set_properties(word, document)
    word.save(os.fspath(out) if isinstance(out, os.PathLike) else out)


# Text


def clean_text(text: str) -> str:
    """`text` without the characters a .docx cannot hold, with every line break as "\\n"."""
    return _UNWRITABLE.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def text_lines(text: str) -> list[str]:
    """The non-blank lines of `text`, cleaned and stripped (the indent comes from the format, not from spaces)."""
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


def text_width(text: str) -> float:
    """Width of `text` in characters of its font size: Chinese characters 1, digits and Latin letters ½."""
    return sum(1 if unicodedata.east_asian_width(char) in "WFA" else 0.5 for char in text)


def title_lines(title: str) -> list[str]:
    """The title's lines: its own "\\n" breaks kept, a line too long for the page broken into balanced lines."""
    return [part for line in text_lines(title) for part in _balanced_lines(line)]


def _balanced_lines(text: str) -> list[str]:
    count = math.ceil(text_width(text) / TITLE_LINE_WIDTH)
    if count <= 1:
        return [text]
    breaks = _balanced_breaks(text, count) if count <= MAX_BALANCED_LINES else None
    bounds = [0, *(breaks or _full_line_breaks(text)), len(text)]
    return [text[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


def _balanced_breaks(text: str, count: int) -> tuple[int, ...] | None:
    """Where to break `text` into `count` lines of about equal width, preferring good break words; None if
    no break obeys the rules."""
    ideal = text_width(text) / count

    @cache
    def best(start: int, lines: int) -> tuple[float, tuple[int, ...]] | None:
        if lines == 1:
            width = text_width(text[start:])
            return None if width > TITLE_LINE_WIDTH else ((width - ideal) ** 2, ())
        found = None
        for end in range(start + 1, len(text)):
            line = text[start:end]
            if text_width(line) > TITLE_LINE_WIDTH:
                break
            rest = best(end, lines - 1) if _may_break(text, end) else None
            if rest is not None:
                cost = (text_width(line) - ideal) ** 2 - GOOD_BREAK_BONUS * _is_good_break(text, end)
                if found is None or cost + rest[0] < found[0]:
                    found = (cost + rest[0], (end, *rest[1]))
        return found

    found = best(0, count)
    return found[1] if found else None


def _is_good_break(text: str, at: int) -> bool:
    return text[:at].endswith(_GOOD_LINE_ENDS) or text.startswith(_GOOD_LINE_STARTS, at)


def _may_break(text: str, at: int) -> bool:
    before, after = text[at - 1], text[at]
    splits_a_word = before.isascii() and after.isascii() and before.isalnum() and after.isalnum()
    return not splits_a_word and after not in _NO_LINE_START and before not in _NO_LINE_END


def _full_line_breaks(text: str) -> list[int]:
    """Break wherever a line is full (the fallback when no balanced set of breaks exists)."""
    breaks, width = [], 0.0
    for at, char in enumerate(text):
        width += text_width(char)
        if width > TITLE_LINE_WIDTH:
            breaks.append(at)
            width = text_width(char)
    return breaks


def run_in_heading(text: str) -> tuple[str, str]:
    """(heading, body) of a heading line that continues with body text after its "。"; body may be empty."""
    head, mark, body = text.partition(_RUN_IN_END)
    return (head + mark, body) if mark and body.strip() else (text, "")


def date_text(date: datetime.date | None) -> str:
    return DATE_FORMAT.format(year=date.year, month=date.month, day=date.day) if date else ""


# Page, styles, settings


def _set_up_page(section) -> None:
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.set(qn("w:linePitch"), str(BODY_LINE_SPACING.twips))


def _set_up_styles(word) -> None:
    _set_default_run_format(word.styles.element)
    normal = word.styles["Normal"]
    _set_font(normal.element.get_or_add_rPr(), FANGSONG, BODY_SIZE)
    _set_language(normal.element.get_or_add_rPr())
    _set_paragraph_format(normal.paragraph_format, BODY)
    normal.paragraph_format.first_line_indent = None
    normal.paragraph_format.widow_control = False  # 22 lines on every page
    _let_punctuation_hang(normal.element.get_or_add_pPr())
    for look in LOOKS:
        _add_style(word, look)


def _set_default_run_format(styles) -> None:
    """docDefaults: explicit fonts instead of the template's theme fonts, Chinese as the East-Asian language."""
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_font(rpr, FANGSONG, BODY_SIZE)
    _set_language(rpr)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")


def _add_style(word, look: _Look) -> None:
    style = word.styles.add_style(str(look.name), WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = look.style_id
    style.base_style = word.styles["Normal"]
    style.quick_style = True
    _set_font(style.element.get_or_add_rPr(), look.font, look.size, look.bold)
    _set_paragraph_format(style.paragraph_format, look)
    if look.outline_level is not None:
        style.element.get_or_add_pPr().get_or_add_outlineLvl().set(qn("w:val"), str(look.outline_level))


def _set_paragraph_format(paragraph_format, look: _Look) -> None:
    paragraph_format.alignment = look.alignment
    paragraph_format.first_line_indent = look.first_line_indent
    paragraph_format.space_before = paragraph_format.space_after = Pt(0)
    if look.line_spacing is None:
        paragraph_format.line_spacing = 1.0
    else:
        paragraph_format.line_spacing = look.line_spacing
        paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.keep_with_next = look.keep_with_next or None


def _let_punctuation_hang(ppr) -> None:
    """Punctuation may hang past the line's end, as Word does by default (允许标点溢出边界). Said explicitly
    because LibreOffice's default for a .docx drops a comma that hangs at the end of a justified line."""
    overflow = OxmlElement("w:overflowPunct")
    overflow.set(qn("w:val"), "1")
    ppr.insert_element_before(overflow, *_AFTER_OVERFLOW_PUNCT)


def _set_font(rpr, font: str, size: Length, bold: bool = False) -> None:
    """Name `font` for East-Asian and Latin text alike (replacing theme fonts), at `size`, bold or not."""
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), font)
    fonts.set(qn("w:hint"), "eastAsia")  # quotes and dashes are Chinese punctuation here
    rpr.get_or_add_sz().val = size
    if bold:
        rpr.get_or_add_b()


def _set_language(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _set_theme_language(word) -> None:
    """The template's theme fonts are Japanese; make them Chinese for anything that still asks the theme."""
    theme_lang = word.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _set_properties(word, document: OfficialDocument) -> None:
    properties = word.core_properties
    properties.title = "".join(title_lines(document.title))
    properties.author = properties.last_modified_by = " ".join(text_lines(document.issuer))
    properties.comments = ""
    properties.language = "zh-CN"
    properties.created = properties.modified = timezone.now()
    properties.revision = 1


# Body


def _paragraph(word, look: _Look):
    return word.add_paragraph(style=str(look.name))


def _add_run(paragraph, text: str, look: _Look):
    run = paragraph.add_run(text)
    _set_font(run._r.get_or_add_rPr(), look.font, look.size, look.bold)
    return run


def _add_runs(paragraph, text: str, look: _Look) -> None:
    """`text` as runs; each 【待补充：…】 placeholder highlighted yellow, so that it is not filed by mistake."""
    at = 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > at:
            _add_run(paragraph, text[at : match.start()], look)
        _add_run(paragraph, match.group(), look).font.highlight_color = WD_COLOR_INDEX.YELLOW
        at = match.end()
    if at < len(text) or not text:
        _add_run(paragraph, text[at:], look)


def _write_title(word, title: str) -> None:
    lines = title_lines(title)
    if not lines:
        return
    paragraph = _paragraph(word, TITLE)
    for number, line in enumerate(lines):
        run = _add_run(paragraph, line, TITLE)
        if number < len(lines) - 1:
            run.add_break()
    word.add_paragraph()  # one blank line under the title


def _write_lines(word, text: str, look: _Look) -> None:
    for line in text_lines(text):
        _add_runs(_paragraph(word, look), line, look)


def _write_block(word, block: Block) -> None:
    if block.kind == PARAGRAPH:
        _write_lines(word, block.text, BODY)
    elif block.kind in HEADINGS:
        for line in text_lines(block.text):
            _write_heading(word, line, HEADINGS[block.kind])
    else:
        raise ValueError(f"unknown block kind {block.kind!r}")


def _write_heading(word, line: str, look: _Look) -> None:
    heading, body = run_in_heading(line)
    if not body:
        _add_run(_paragraph(word, look), heading, look)
        return
    paragraph = _paragraph(word, BODY)  # a body paragraph led by its heading
    _add_run(paragraph, heading, look)
    _add_runs(paragraph, body, BODY)


def _write_signature(word, issuer: str, date: datetime.date | None) -> None:
    """The issuer right-aligned, the date under it, the shorter centred on the longer (GB/T 9704 7.3.5)."""
    if not text_lines(issuer) and date is None:
        return
    lines = [*text_lines(issuer), date_text(date)]  # a blank date line is left to be written by hand
    if word.paragraphs:
        word.paragraphs[-1].paragraph_format.keep_with_next = True  # never a signature alone on a page
    for _number in range(BLANK_LINES_BEFORE_SIGNATURE):
        word.add_paragraph().paragraph_format.keep_with_next = True
    widest = max(text_width(line) for line in lines)
    for line in lines:
        paragraph = _paragraph(word, SIGNATURE)
        characters = SIGNATURE_RIGHT_SPACE + (widest - text_width(line)) / 2
        paragraph.paragraph_format.right_indent = Pt(BODY_SIZE.pt * characters)
        if line:
            _add_run(paragraph, line, SIGNATURE)


def imprint_lines(imprint: Imprint) -> list[str]:
    """The 版记's lines as printed: "抄送：…。" (when there is any) and "印发机关 … 印发日期印发"."""
    lines = []
    cc = " ".join(text_lines(imprint.cc)).strip().removeprefix("抄送：").removeprefix("抄送:")
    if cc:
        lines.append(_("抄送：%(cc)s") % {"cc": cc if cc.endswith("。") or PLACEHOLDER.fullmatch(cc) else cc + "。"})
    printed = date_text(imprint.printed_on) + _("印发") if imprint.printed_on else _("【待补充：印发日期】")
    lines.append(f"{' '.join(text_lines(imprint.printer))}\t{printed}")
    return [str(line) for line in lines]


def _write_imprint(word, imprint: Imprint) -> None:
    """版记 at the end: 四号 仿宋, one character in on each side, a thick line above the first and below the
    last, a thin one between; 印发机关 flush left and the date flush right on one line."""
    word.add_paragraph()
    lines = imprint_lines(imprint)
    width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT - 2 * IMPRINT_SIZE
    for number, line in enumerate(lines):
        paragraph = _paragraph(word, IMPRINT)
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = IMPRINT_SIZE
        paragraph.paragraph_format.keep_with_next = number < len(lines) - 1
        if "\t" in line:
            paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
            left, right = line.split("\t", 1)
            _add_runs(paragraph, left, IMPRINT)
            _add_run(paragraph, "\t", IMPRINT)
            _add_runs(paragraph, right, IMPRINT)
        else:
            _add_runs(paragraph, line, IMPRINT)
        borders = {"bottom": IMPRINT_THICK if number == len(lines) - 1 else IMPRINT_THIN}
        if number == 0:
            borders["top"] = IMPRINT_THICK
        _set_borders(paragraph, borders)


def _set_borders(paragraph, borders: dict) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for side in ("top", "bottom"):
        if side in borders:
            line = OxmlElement(f"w:{side}")
            line.set(qn("w:val"), "single")
            line.set(qn("w:sz"), str(borders[side]))
            line.set(qn("w:space"), "1")
            line.set(qn("w:color"), "000000")
            bdr.append(line)
    ppr.insert_element_before(bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                              "w:overflowPunct", *_AFTER_OVERFLOW_PUNCT)


# Footer


def _write_page_numbers(section) -> None:
    """Page numbers "— 1 —" in 宋体 四号: odd pages right, even pages left, one character in from the edge."""
    odd = section.footer.paragraphs[0]
    odd.paragraph_format.right_indent = PAGE_NUMBER_SIZE
    _write_page_number(odd, WD_ALIGN_PARAGRAPH.RIGHT, "1")
    even = section.even_page_footer.paragraphs[0]
    even.paragraph_format.left_indent = PAGE_NUMBER_SIZE
    _write_page_number(even, WD_ALIGN_PARAGRAPH.LEFT, "2")


def _write_page_number(paragraph, alignment: WD_ALIGN_PARAGRAPH, shown: str) -> None:
    paragraph.style = str(PAGE_NUMBER.name)
    paragraph.alignment = alignment
    _add_run(paragraph, "— ", PAGE_NUMBER)
    _add_field(paragraph, "PAGE", shown)
    _add_run(paragraph, " —", PAGE_NUMBER)


def _add_field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (begin, instruction, separate, the value shown until it is updated, end)."""
    _add_field_char(paragraph, "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    _add_run(paragraph, "", PAGE_NUMBER)._r.append(code)
    _add_field_char(paragraph, "separate")
    _add_run(paragraph, shown, PAGE_NUMBER)
    _add_field_char(paragraph, "end")


def _add_field_char(paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    _add_run(paragraph, "", PAGE_NUMBER)._r.append(char)
