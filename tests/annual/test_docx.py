"""The official-document Word writer (GB/T 9704-2012): page, fonts, formats, page numbers, text safety."""

import datetime
import io
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from annual.docx import (
    HEADING1,
    HEADING2,
    HEADING3,
    PARAGRAPH,
    Block,
    OfficialDocument,
    text_width,
    title_lines,
    write_docx,
)

TITLE = "聊城市人民政府关于2022年度法治政府建设情况的报告"
INTRO = "2022年，全市深入学习贯彻习近平法治思想，法治政府建设取得明显成效。现将有关情况报告如下："
BLOCKS = [
    Block(PARAGRAPH, INTRO),
    Block(HEADING1, "一、依法全面履行政府职能"),
    Block(HEADING2, "（一）深化行政审批制度改革"),
    Block(PARAGRAPH, "消减行政权力事项42项，清理规范中介服务收费项目3项。"),
    Block(HEADING3, "1. 推进“多证合一”改革"),
    Block(PARAGRAPH, "全市新登记市场主体7.2万户。"),
    Block(HEADING1, "二、存在的问题和不足"),
    Block(PARAGRAPH, "行政执法专业化信息化水平还不高。"),
]
ISSUER = "聊城市人民政府"
DATE = datetime.date(2023, 3, 1)
FONT_OF_KIND = {HEADING1: "黑体", HEADING2: "楷体_GB2312", HEADING3: "仿宋_GB2312", PARAGRAPH: "仿宋_GB2312"}
HALF_MM = Mm(0.5)


def report(**changes):
    values = {"title": TITLE, "blocks": BLOCKS, "issuer": ISSUER, "date": DATE, "addressee": "市委："}
    return OfficialDocument(**{**values, **changes})


def written(document=None):
    """The document as Word reads it back."""
    out = io.BytesIO()
    write_docx(document or report(), out)
    out.seek(0)
    return Document(out)


def paragraph_with(word, text):
    (found,) = [paragraph for paragraph in word.paragraphs if paragraph.text == text]
    return found


def effective(paragraph, name):
    """A paragraph format value as Word applies it: the paragraph's own, else its style's, else the base's."""
    value = getattr(paragraph.paragraph_format, name)
    style = paragraph.style
    while value is None and style is not None:
        value = getattr(style.paragraph_format, name)
        style = style.base_style
    return value


def fonts(run):
    r_fonts = run._r.rPr.rFonts
    return {script: r_fonts.get(qn(f"w:{script}")) for script in ("eastAsia", "ascii", "hAnsi")}


def assert_font(run, name, size, bold=False):
    assert fonts(run) == {"eastAsia": name, "ascii": name, "hAnsi": name}
    assert run.font.size == size
    assert bool(run.font.bold) is bold


def assert_near(length, expected):
    assert abs(length - expected) <= HALF_MM, (length.mm, expected.mm)


def test_the_page_is_a4_with_the_official_margins():
    section = written().sections[0]

    assert_near(section.page_width, Mm(210))
    assert_near(section.page_height, Mm(297))
    assert_near(section.top_margin, Mm(37))
    assert_near(section.bottom_margin, Mm(35))
    assert_near(section.left_margin, Mm(28))
    assert_near(section.right_margin, Mm(26))
    assert_near(section.page_width - section.left_margin - section.right_margin, Mm(156))
    assert_near(section.page_height - section.top_margin - section.bottom_margin, Mm(225))


def test_the_title_is_xiaobiaosong_22pt_centred_and_followed_by_a_blank_line():
    word = written()
    title, blank = word.paragraphs[:2]

    assert title.text == "聊城市人民政府关于2022年度\n法治政府建设情况的报告"
    assert effective(title, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    assert effective(title, "line_spacing") == Pt(35)
    assert effective(title, "line_spacing_rule") == WD_LINE_SPACING.EXACTLY
    for run in title.runs:
        assert_font(run, "方正小标宋简体", Pt(22))
    assert blank.text == ""
    assert word.core_properties.title == TITLE


def test_a_long_title_breaks_into_balanced_lines_that_fit_the_page():
    assert title_lines(TITLE) == ["聊城市人民政府关于2022年度", "法治政府建设情况的报告"]
    long_title = (
        "聊城市人民政府关于2022年度聊城市全面推进依法行政加快建设法治政府和法治社会一体建设情况的报告"
    )

    lines = title_lines(long_title)

    assert "".join(lines) == long_title
    assert len(lines) == 3
    assert all(text_width(line) <= 20 for line in lines)
    assert not any(line.startswith("022") or line.endswith("202") for line in lines)  # a number stays whole


def test_the_title_keeps_its_own_line_breaks():
    word = written(report(title="聊城市人民政府\n关于2022年度法治政府建设情况的报告"))

    assert word.paragraphs[0].text == "聊城市人民政府\n关于2022年度法治政府建设情况的报告"
    assert word.core_properties.title == TITLE


def test_a_short_title_stays_on_one_line():
    assert title_lines("关于法治政府建设情况的报告") == ["关于法治政府建设情况的报告"]


def test_a_body_paragraph_is_fangsong_16pt_indented_two_characters_at_a_fixed_line_spacing():
    paragraph = paragraph_with(written(), INTRO)

    (run,) = paragraph.runs
    assert_font(run, "仿宋_GB2312", Pt(16))
    assert effective(paragraph, "first_line_indent") == Pt(32)
    assert effective(paragraph, "line_spacing") == Pt(28.95)
    assert effective(paragraph, "line_spacing_rule") == WD_LINE_SPACING.EXACTLY
    assert effective(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert effective(paragraph, "space_before") == effective(paragraph, "space_after") == 0


@pytest.mark.parametrize(
    ("text", "font", "bold", "outline_level"),
    [
        ("一、依法全面履行政府职能", "黑体", False, "0"),
        ("（一）深化行政审批制度改革", "楷体_GB2312", False, "1"),
        ("1. 推进“多证合一”改革", "仿宋_GB2312", True, "2"),
    ],
)
def test_each_heading_kind_has_its_font(text, font, bold, outline_level):
    paragraph = paragraph_with(written(), text)

    (run,) = paragraph.runs
    assert_font(run, font, Pt(16), bold=bold)
    assert effective(paragraph, "first_line_indent") == Pt(32)
    assert effective(paragraph, "line_spacing") == Pt(28.95)
    assert effective(paragraph, "keep_with_next") is True
    assert paragraph.style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == outline_level


def test_a_heading_with_its_text_on_the_same_line_keeps_the_text_in_the_body_font():
    block = Block(HEADING2, "（一）推进政府职能转变。市委办公室印发了实施意见。")

    paragraph = paragraph_with(written(report(blocks=[block])), block.text)

    heading, body = paragraph.runs
    assert (heading.text, body.text) == ("（一）推进政府职能转变。", "市委办公室印发了实施意见。")
    assert_font(heading, "楷体_GB2312", Pt(16))
    assert_font(body, "仿宋_GB2312", Pt(16))


def test_every_run_names_its_east_asian_font():
    document = report(blocks=[*BLOCKS, Block(HEADING2, "（二）加强监管。开展专项整治。")])
    with zipfile.ZipFile(_bytes(document)) as package:
        parts = [name for name in package.namelist() if name.startswith("word/") and name.endswith(".xml")]
        story_parts = [name for name in parts if name == "word/document.xml" or "/footer" in name]
        runs = [run for name in story_parts for run in _runs(package.read(name))]

    assert len(story_parts) == 3  # the body, the odd and the even footer
    assert len(runs) >= len(BLOCKS) + 2 * 7  # every block's runs and the seven of each page number
    for run in runs:
        r_fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert r_fonts is not None, etree.tostring(run, encoding="unicode")
        east_asian = r_fonts.get(qn("w:eastAsia"))
        assert east_asian, etree.tostring(run, encoding="unicode")
        assert r_fonts.get(qn("w:ascii")) == r_fonts.get(qn("w:hAnsi")) == east_asian


def test_the_normal_style_and_the_defaults_are_chinese_fangsong():
    word = written()
    normal = word.styles["Normal"].element.rPr
    defaults = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")

    for rpr in (normal, defaults):
        r_fonts = rpr.find(qn("w:rFonts"))
        assert r_fonts.get(qn("w:eastAsia")) == r_fonts.get(qn("w:ascii")) == "仿宋_GB2312"
        assert r_fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over the named one
        assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert word.styles["Normal"].font.size == Pt(16)


@pytest.mark.parametrize(
    ("footer_of", "alignment", "indent"),
    [
        ("footer", WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        ("even_page_footer", WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ],
)
def test_the_page_number_is_a_page_field_between_em_dashes_in_songti_14pt(footer_of, alignment, indent):
    word = written()
    (paragraph,) = getattr(word.sections[0], footer_of).paragraphs

    runs = paragraph._p.findall(qn("w:r"))
    kinds = [_field_part(run) for run in runs]
    assert kinds == ["— ", "begin", "instr", "separate", "value", "end", " —"]
    assert runs[2].find(qn("w:instrText")).text.strip() == "PAGE"
    for run in paragraph.runs:
        assert_font(run, "宋体", Pt(14))
    assert effective(paragraph, "alignment") == alignment
    assert getattr(paragraph.paragraph_format, indent) == Pt(14)  # one character from the edge


def test_odd_and_even_pages_have_their_own_footers():
    word = written()

    assert word.settings.odd_and_even_pages_header_footer is True
    assert word.settings.element.find(qn("w:evenAndOddHeaders")) is not None


def test_every_block_appears_once_and_in_order():
    texts = [paragraph.text for paragraph in written().paragraphs]

    positions = [texts.index(block.text) for block in BLOCKS]
    assert positions == sorted(positions)
    assert all(texts.count(block.text) == 1 for block in BLOCKS)
    assert texts.index("市委：") < positions[0]


def test_the_addressee_is_flush_left():
    paragraph = paragraph_with(written(), "市委：")

    assert not effective(paragraph, "first_line_indent")
    assert effective(paragraph, "alignment") in (WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY)
    assert_font(paragraph.runs[0], "仿宋_GB2312", Pt(16))


def test_control_characters_are_stripped_instead_of_crashing():
    dirty = Block(PARAGRAPH, "依法\x00行政\x01\x08\x0b\x0c\x1b\x7f\ufffe决策\ud800。")

    word = written(report(title="关于\x07法治\x1f政府的报告", blocks=[dirty], issuer="聊城市\x02人民政府"))

    texts = [paragraph.text for paragraph in word.paragraphs]
    assert "依法行政决策。" in texts
    assert texts[0] == "关于法治政府的报告"
    assert "聊城市人民政府" in texts


def test_a_newline_in_a_text_starts_a_new_paragraph_with_the_same_format():
    word = written(
        report(
            blocks=[
                Block(PARAGRAPH, "第一段。\r\n\n　　第二段。\r第三段。"),
                Block(HEADING1, "一、甲\n二、乙"),
            ]
        )
    )

    for text in ("第一段。", "第二段。", "第三段。"):
        paragraph = paragraph_with(word, text)  # leading spaces go: the indent is the format's
        assert effective(paragraph, "first_line_indent") == Pt(32)
        assert fonts(paragraph.runs[0])["eastAsia"] == "仿宋_GB2312"
    for text in ("一、甲", "二、乙"):
        assert fonts(paragraph_with(word, text).runs[0])["eastAsia"] == "黑体"
    assert "" not in [paragraph.text for paragraph in word.paragraphs[2:-4]]  # no empty body paragraph


def test_the_signature_and_the_date_are_right_aligned_after_blank_lines():
    paragraphs = written().paragraphs

    *body, blank1, blank2, issuer, date = paragraphs
    assert body[-1].text == BLOCKS[-1].text
    assert blank1.text == blank2.text == ""
    assert (issuer.text, date.text) == ("聊城市人民政府", "2023年3月1日")
    for paragraph in (issuer, date):
        assert effective(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT
        assert_font(paragraph.runs[0], "仿宋_GB2312", Pt(16))
    assert issuer.paragraph_format.right_indent == Pt(64)  # four characters from the right edge
    assert date.paragraph_format.right_indent == Pt(72)  # the shorter date centred under the issuer


def test_a_missing_date_leaves_its_line_blank():
    *_, issuer, date = written(report(date=None)).paragraphs

    assert issuer.text == "聊城市人民政府"
    assert date.text == ""
    assert effective(date, "alignment") == WD_ALIGN_PARAGRAPH.RIGHT


def test_it_writes_to_a_path_and_to_a_file_object(tmp_path):
    path = tmp_path / "report.docx"
    write_docx(report(), path)
    write_docx(report(), str(tmp_path / "as_text.docx"))
    stream = io.BytesIO()
    write_docx(report(), stream)

    texts = [[paragraph.text for paragraph in Document(source).paragraphs] for source in (path, stream)]
    assert texts[0] == texts[1]
    assert INTRO in texts[0]
    assert (tmp_path / "as_text.docx").stat().st_size > 0


def test_the_core_properties_name_the_title_and_chinese():
    properties = written().core_properties

    assert properties.title == TITLE
    assert properties.language == "zh-CN"
    assert properties.author == ISSUER
    assert "python-docx" not in (properties.comments or "")


def test_an_unknown_block_kind_is_refused():
    with pytest.raises(ValueError, match="table"):
        written(report(blocks=[Block("table", "表")]))


def _bytes(document):
    out = io.BytesIO()
    write_docx(document, out)
    out.seek(0)
    return out


def _runs(xml):
    return etree.fromstring(xml).iter(qn("w:r"))


def _field_part(run):
    char = run.find(qn("w:fldChar"))
    if char is not None:
        return char.get(qn("w:fldCharType"))
    if run.find(qn("w:instrText")) is not None:
        return "instr"
    text = "".join(t.text for t in run.iter(qn("w:t")))
    return text if "—" in text else "value"
