import datetime
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importing.parser import NoticeError, normalize_name, notice_lines, parse_notice

HERE = Path(__file__).resolve()
PROJECT_SEED = HERE.parents[2] / "fixtures" / "plan_2022_notice.txt"
SHARED_SEED = HERE.parents[3] / "shared" / "seeds" / "001_81f9665db6302d70.txt"
SEED_PATH = PROJECT_SEED if PROJECT_SEED.exists() else SHARED_SEED

STANDARD_RESPONSIBLE = ["市政府各部门", "各县(市、区)人民政府", "市属开发区管委会"]


@pytest.fixture(scope="module")
def seed():
    return parse_notice(SEED_PATH.read_text(encoding="utf-8"))


def seed_item(seed, number):
    return next(item for item in seed.items() if item.number == number)


def notice(body, head="聊城市2022年法治政府建设工作计划\n"):
    return parse_notice(head + body)


def only_item(body):
    (item,) = notice("一、任务\n" + body).items()
    return item


def codes(parsed):
    return [warning.code for warning in parsed.warnings]


# --- the real 2022 notice ---------------------------------------------------


def test_it_reads_the_seed_header(seed):
    assert seed.doc_number == "聊政办字〔2022〕9号"
    assert seed.issuer == "聊城市人民政府办公室"
    assert seed.issued_on == datetime.date(2022, 3, 25)
    assert seed.year == 2022
    assert seed.title == "聊城市2022年法治政府建设工作计划"


def test_it_keeps_the_seed_preamble(seed):
    assert seed.preamble.startswith("聊城市人民政府办公室\n聊政办字〔2022〕9号")
    assert seed.preamble.endswith("结合我市实际,制定本计划。")


def test_it_finds_the_nine_sections_and_22_items_of_the_seed(seed):
    assert [section.number for section in seed.sections] == list(range(1, 10))
    assert seed.sections[0].title == "持续推进学习宣传贯彻习近平法治思想"
    assert seed.sections[8].title == "加快建设数字法治政府"
    assert [item.number for item in seed.items()] == list(range(1, 23))
    assert [item.number for item in seed.sections[1].items] == [2, 3, 4, 5]
    assert {item.section_number for item in seed.sections[5].items} == {6}


@pytest.mark.parametrize(
    ("number", "lead", "responsible"),
    [
        (1, ["市政府办公室", "市司法局", "市教育体育局"], ["市直各部门", *STANDARD_RESPONSIBLE[1:]]),
        (2, ["市政府办公室", "市司法局"], STANDARD_RESPONSIBLE),
        (
            8,
            [
                "市政府办公室",
                "市司法局",
                "市发展改革委",
                "市住房城乡建设局",
                "市行政审批局",
                "市市场监管局",
                "市工业和信息化局",
            ],
            ["市政府有关部门", *STANDARD_RESPONSIBLE[1:]],
        ),
        (9, ["市司法局", "市政府办公室"], ["市政府有关部门"]),
        (11, ["市司法局", "市政府办公室"], ["市直各部门", *STANDARD_RESPONSIBLE[1:]]),
        (12, [], STANDARD_RESPONSIBLE),
        (
            13,
            [
                "市市场监管局",
                "市卫生健康委",
                "市自然资源和规划局",
                "市生态环境局",
                "市应急局",
                "市人力资源社会保障局",
                "市城管局",
                "市交通运输局",
                "市地方金融监管局",
                "市教育体育局",
                "市文化和旅游局",
                "市公安局",
            ],
            ["市政府执法部门", "各县(市、区)政府", "市属开发区管委会"],
        ),
        (15, ["市应急局", "市公安局", "市卫生健康委"], ["市直有关部门", *STANDARD_RESPONSIBLE[1:]]),
        (18, ["市司法局"], ["各县(市、区)人民政府"]),
        (19, ["市司法局"], STANDARD_RESPONSIBLE),
        (22, ["市大数据局", "市政府办公室"], STANDARD_RESPONSIBLE),
    ],
)
def test_it_reads_the_units_of_seed_items(seed, number, lead, responsible):
    item = seed_item(seed, number)
    assert item.lead_units == lead
    assert item.responsible_units == responsible


def test_it_joins_seed_items_broken_across_blank_lines(seed):
    assert seed_item(seed, 2).responsibility_text == (
        "〔牵头单位:市政府办公室、市司法局;责任单位:市政府各部门,各县(市、区)人民政府、市属开发区管委会]"
    )
    assert "衔接运行标准化和事项动态调整制度" in seed_item(seed, 6).content
    assert "“接受评价—受理—整改—反馈—信息公开—结果应用”" in seed_item(seed, 8).content
    assert "《聊城市政府合作协议法制审核办法》《聊城市政府涉法事务" in seed_item(seed, 11).content


def test_it_attaches_the_seed_annotations_written_on_their_own_line(seed):
    item = seed_item(seed, 19)
    assert item.content.endswith("开展以本专业系统典型行政案件审理为主的庭审观摩活动。")
    assert item.responsibility_text.startswith("〔牵头单位:市司法局;")
    assert seed_item(seed, 8).content.endswith("确保差评件件有整改、有反馈。")


def test_it_keeps_the_seed_item_text_without_number_or_annotation(seed):
    item = seed_item(seed, 9)
    assert item.title == "健全政府立法工作机制。"
    assert item.content.startswith("健全政府立法工作机制。制定 2022 年度政府立法计划。")
    assert item.content.endswith("基层立法联系点建设。")
    assert item.responsibility_text == "〔牵头单位:市司法局、市政府办公室;责任单位:市政府有关部门〕"


def test_the_seed_only_warns_that_item_12_has_no_lead(seed):
    assert [(warning.code, warning.text) for warning in seed.warnings] == [
        ("no_lead", "〔责任单位：市政府各部门，各县（市、区）人民政府、市属开发区管委会〕")
    ]


def test_seed_items_without_a_month_deadline_are_due_at_the_end_of_the_year(seed):
    assert {item.deadline for item in seed.items()} == {datetime.date(2022, 12, 31)}


# --- messy input seen in real notices ---------------------------------------


def test_it_joins_items_broken_across_blank_lines():
    item = only_item("1. 推进行政\n\n复议工作。〔牵头单位:市司法局;责任单位:各县(市、区)人\n\n民政府〕")
    assert item.content == "推进行政复议工作。"
    assert item.responsibility_text == "〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕"
    assert item.responsible_units == ["各县(市、区)人民政府"]


def test_it_joins_broken_latin_words_with_a_space():
    assert only_item("1. 推广 ISO\n9001 标准。〔牵头单位:市司法局〕").content == "推广 ISO 9001 标准。"


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("〔", "〕"),
        ("[", "]"),
        ("［", "］"),
        ("(", ")"),
        ("（", "）"),
        ("【", "】"),
        ("〔", "]"),
        ("(", "〕"),
    ],
)
def test_it_accepts_annotations_in_any_bracket_kind(opening, closing):
    item = only_item(f"1. 做好工作。{opening}牵头单位:市司法局;责任单位:各县（市、区）人民政府{closing}")
    assert item.content == "做好工作。"
    assert item.responsibility_text == f"{opening}牵头单位:市司法局;责任单位:各县（市、区）人民政府{closing}"
    assert item.lead_units == ["市司法局"]
    assert item.responsible_units == ["各县(市、区)人民政府"]


def test_it_reads_responsible_units_written_before_lead_units():
    item = only_item("1. 做好工作。〔责任单位:市直各部门;牵头单位:市司法局〕")
    assert item.lead_units == ["市司法局"]
    assert item.responsible_units == ["市直各部门"]


def test_it_reads_an_annotation_with_only_responsible_units_and_warns_about_the_lead():
    parsed = notice("一、任务\n1. 做好工作。〔责任单位:市直各部门〕")
    (item,) = parsed.items()
    assert item.lead_units == []
    assert item.responsible_units == ["市直各部门"]
    assert codes(parsed) == ["no_lead"]


def test_it_reads_an_annotation_on_its_own_line():
    item = only_item("1. 做好工作。\n\n〔牵头单位:市司法局〕")
    assert item.content == "做好工作。"
    assert item.lead_units == ["市司法局"]


def test_it_reads_an_annotation_without_brackets_after_the_last_sentence():
    item = only_item("1. 做好工作。\n牵头单位：市司法局；责任单位：市直各部门")
    assert item.content == "做好工作。"
    assert item.responsibility_text == "牵头单位：市司法局；责任单位：市直各部门"
    assert item.responsible_units == ["市直各部门"]


def test_it_reads_consecutive_annotations():
    item = only_item("1. 做好工作。(牵头单位:市司法局) (责任单位:市直各部门)")
    assert item.responsibility_text == "(牵头单位:市司法局) (责任单位:市直各部门)"
    assert item.lead_units == ["市司法局"]
    assert item.responsible_units == ["市直各部门"]


def test_it_reads_supporting_units_as_responsible_units():
    item = only_item("1. 做好工作。〔牵头单位:市司法局;配合单位:市公安局〕")
    assert item.responsible_units == ["市公安局"]


def test_it_reads_full_width_digits_and_punctuation():
    parsed = notice(
        "一、任务\n１．做好工作。（牵头单位：市司法局，市公安局；责任单位：市直各部门）\n２．再做。（责任单位：市直各部门）"
    )
    first, second = parsed.items()
    assert (first.number, second.number) == (1, 2)
    assert first.lead_units == ["市司法局", "市公安局"]
    assert first.responsible_units == ["市直各部门"]


@pytest.mark.parametrize("separator", ["、", ",", "，", ";", "；"])
def test_it_splits_unit_names_on_every_separator(separator):
    item = only_item(f"1. 做好工作。〔责任单位:市司法局{separator}市公安局〕")
    assert item.responsible_units == ["市司法局", "市公安局"]


def test_it_does_not_split_names_on_separators_inside_parentheses():
    item = only_item("1. 做好工作。〔责任单位:各县（市、区）人民政府、各县(市,区)政府、县(市、区)〕")
    assert item.responsible_units == ["各县(市、区)人民政府", "各县(市,区)政府", "县(市、区)"]


def test_it_removes_stray_spaces_inside_names():
    item = only_item("1. 做好工作。〔牵头单位: 市 人民政府办公室 、市\u3000司法局〕")
    assert item.lead_units == ["市人民政府办公室", "市司法局"]


def test_it_strips_etc_suffixes_and_duplicates_from_names():
    item = only_item(
        "1. 做好工作。〔牵头单位:市司法局等单位;责任单位:市直各部门等部门、市公安局等、市直各部门〕"
    )
    assert item.lead_units == ["市司法局"]
    assert item.responsible_units == ["市直各部门", "市公安局"]


@pytest.mark.parametrize("prefix", ["1.", "1．", "1、", "１．", "1 . ", "  1、"])
def test_it_accepts_every_item_number_style(prefix):
    item = only_item(f"{prefix}做好工作。〔牵头单位:市司法局〕")
    assert (item.number, item.content) == (1, "做好工作。")


def test_it_does_not_take_a_decimal_number_at_a_line_start_for_an_item():
    item = only_item("1. 覆盖率达到\n3.5倍。〔牵头单位:市司法局〕")
    assert item.content == "覆盖率达到3.5倍。"


def test_it_reads_section_headings_up_to_twenty():
    headings = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    headings += ["十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十"]
    body = "".join(
        f"{numeral}、第{n}部分\n{n}. 工作{n}。〔牵头单位:市司法局〕\n"
        for n, numeral in enumerate(headings, 1)
    )
    parsed = notice(body)
    assert [section.number for section in parsed.sections] == list(range(1, 21))
    assert parsed.sections[19].title == "第20部分"
    assert parsed.sections[19].items[0].section_number == 20
    assert parsed.warnings == []


def test_it_joins_a_section_heading_broken_across_lines():
    parsed = notice("一、着力打造公开\n\n透明法治环境\n1. 做好工作。〔牵头单位:市司法局〕")
    assert parsed.sections[0].title == "着力打造公开透明法治环境"
    assert parsed.warnings == []


def test_the_numbering_that_carries_the_annotation_is_the_task_level():
    parsed = notice("一、任务\n1. 做好工作。\n（一）深化改革\n继续推进。〔牵头单位:市司法局〕")
    (item,) = parsed.items()
    assert (item.label, item.content, item.lead_units) == ("（一）", "深化改革继续推进。", ["市司法局"])
    assert [(w.code, w.text) for w in parsed.warnings] == [("unplaced_text", "1.做好工作。")]


def test_it_makes_sub_headings_above_the_annotated_items_sections():
    parsed = notice(
        "一、任务\n（一）深化改革\n1. 做好工作。〔牵头单位:市司法局〕\n(二)优化服务\n2. 再做。〔牵头单位:市司法局〕"
    )
    assert parsed.warnings == []
    assert [(s.number, s.title, [i.content for i in s.items]) for s in parsed.sections] == [
        (1, "任务", []),
        (2, "深化改革", ["做好工作。"]),
        (3, "优化服务", ["再做。"]),
    ]


def test_it_reports_an_introduction_paragraph_of_a_section_as_unplaced_text():
    parsed = notice(
        "一、总体要求\n坚持以人民为中心，全面推进依法行政。\n二、任务\n1. 做好工作。〔牵头单位:市司法局〕"
    )
    assert parsed.sections[0].title == "总体要求"
    assert [(w.code, w.text) for w in parsed.warnings] == [
        ("unplaced_text", "坚持以人民为中心，全面推进依法行政。")
    ]


def test_it_warns_about_a_gap_in_item_numbers():
    parsed = notice("一、任务\n1. 甲。〔牵头单位:市司法局〕\n3. 乙。〔牵头单位:市司法局〕")
    assert [item.number for item in parsed.items()] == [1, 3]
    assert codes(parsed) == ["numbering_gap"]
    assert parsed.warnings[0].text == "3. 乙。〔牵头单位:市司法局〕"


def test_it_warns_about_a_repeated_item_number():
    parsed = notice(
        "一、任务\n1. 甲。〔牵头单位:市司法局〕\n2. 乙。〔牵头单位:市司法局〕\n2. 丙。〔牵头单位:市司法局〕"
    )
    # numbers unique in the plan, the repeat reported
    assert [item.number for item in parsed.items()] == [1, 2, 3]
    assert [item.label for item in parsed.items()] == ["1.", "2.", "2."]
    assert codes(parsed) == ["numbering_repeat"]


def test_it_allows_item_numbers_to_restart_in_each_section_and_numbers_them_through():
    parsed = notice(
        "一、甲\n1. 甲。〔牵头单位:市司法局〕\n二、乙\n1. 乙。〔牵头单位:市司法局〕\n2. 丙。〔牵头单位:市司法局〕"
    )
    # Task numbers are unique in a plan: numbering that restarts runs on; the label keeps the written one.
    assert [(item.section_number, item.number) for item in parsed.items()] == [(1, 1), (2, 2), (2, 3)]
    assert [item.label for item in parsed.items()] == ["1.", "1.", "2."]
    assert parsed.warnings == []


def test_it_warns_about_gaps_and_repeats_in_section_numbers():
    parsed = notice(
        "一、甲\n1. 甲。〔牵头单位:市司法局〕\n三、乙\n2. 乙。〔牵头单位:市司法局〕\n三、丙\n3. 丙。〔牵头单位:市司法局〕"
    )
    assert codes(parsed) == ["section_gap", "section_repeat"]


def test_it_warns_about_an_item_without_annotation():
    parsed = notice("一、任务\n1. 做好工作。\n2. 再做。〔牵头单位:市司法局〕")
    first, _second = parsed.items()
    assert (first.content, first.responsibility_text, first.lead_units, first.responsible_units) == (
        "做好工作。",
        "",
        [],
        [],
    )
    assert [(w.code, w.text) for w in parsed.warnings] == [("no_annotation", "做好工作。")]


def test_it_reports_text_after_an_annotation():
    parsed = notice("一、任务\n1. 做好工作。〔牵头单位:市司法局〕\n附件：任务分解表")
    assert parsed.sections[0].items[0].responsibility_text == "〔牵头单位:市司法局〕"
    assert [(w.code, w.text) for w in parsed.warnings] == [("unplaced_text", "附件：任务分解表")]


def test_it_runs_an_unclosed_annotation_to_the_end_of_the_item():
    item = only_item("1. 做好工作。〔牵头单位:市司法局;责任单位:各县(市、区)人民政府")
    assert item.responsibility_text == "〔牵头单位:市司法局;责任单位:各县(市、区)人民政府"
    assert item.responsible_units == ["各县(市、区)人民政府"]


def test_it_moves_page_numbers_into_a_warning():
    parsed = notice("一、任务\n1. 做好\n— 3 —\n工作。〔牵头单位:市司法局〕\n- 4 -")
    assert parsed.sections[0].items[0].content == "做好工作。"
    assert [(w.code, w.text) for w in parsed.warnings] == [("page_number", "— 3 — - 4 -")]


def test_it_removes_invisible_characters():
    item = only_item("1. 做好\u200b工作。〔牵头单位:市\ufeff司法局\x07〕")
    assert item.content == "做好工作。"
    assert item.lead_units == ["市司法局"]


def test_it_puts_items_without_section_headings_into_section_zero():
    parsed = notice("1. 做好工作。〔牵头单位:市司法局〕\n2. 再做。〔牵头单位:市司法局〕")
    assert [(section.number, section.title) for section in parsed.sections] == [(0, "")]
    assert [item.section_number for item in parsed.items()] == [0, 0]
    assert codes(parsed) == ["no_section"]
    assert parsed.preamble == "聊城市2022年法治政府建设工作计划"


def test_it_normalises_the_brackets_and_spaces_of_the_document_number():
    parsed = parse_notice("聊政办字 [2022] 09 号\n一、任务\n1. 做好工作。〔牵头单位:市司法局〕")
    assert parsed.doc_number == "聊政办字〔2022〕9号"
    assert parsed.year == 2022


def test_it_reads_the_title_from_the_plan_title_line_without_a_covering_notice():
    parsed = parse_notice("聊城市 2023 年法治政府建设工作要点\n一、任务\n1. 做好工作。〔牵头单位:市司法局〕")
    assert (parsed.title, parsed.year, parsed.issuer, parsed.issued_on) == (
        "聊城市2023年法治政府建设工作要点",
        2023,
        "",
        None,
    )


# --- deadlines ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("年底前完成。", datetime.date(2022, 12, 31)),
        ("2022年底完成。", datetime.date(2022, 12, 31)),
        ("年内组织2次。", datetime.date(2022, 12, 31)),
        ("6月底前完成。", datetime.date(2022, 6, 30)),
        ("9月底完成。", datetime.date(2022, 9, 30)),
        ("2月份底前完成。", datetime.date(2022, 2, 28)),
        ("3月15日前完成。", datetime.date(2022, 3, 15)),
        ("11 月 1 日之前完成。", datetime.date(2022, 11, 1)),
        ("9月底前制定，6月底前报送，10月10日前公开。", datetime.date(2022, 6, 30)),
        ("2023年6月底前完成。", datetime.date(2023, 6, 30)),
        ("自2022年3月1日起施行。", datetime.date(2022, 12, 31)),
        ("2月30日前完成，13月底前完成。", datetime.date(2022, 12, 31)),
        ("持续推进。", datetime.date(2022, 12, 31)),
    ],
)
def test_it_takes_the_earliest_month_deadline_else_the_end_of_the_plan_year(text, deadline):
    assert only_item(f"1. {text}〔牵头单位:市司法局〕").deadline == deadline


def test_the_year_argument_overrides_the_year_in_the_text():
    parsed = parse_notice(
        "聊城市2022年法治政府建设工作计划\n一、任务\n1. 6月底前完成。〔牵头单位:市司法局〕", year=2024
    )
    assert parsed.year == 2024
    assert next(parsed.items()).deadline == datetime.date(2024, 6, 30)


def test_without_a_year_it_invents_none_and_warns():
    parsed = parse_notice("一、任务\n1. 做好工作，6月底前完成。〔牵头单位:市司法局〕")
    assert parsed.year is None
    assert next(parsed.items()).deadline is None
    assert codes(parsed) == ["no_year"]


# --- errors -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\u3000\n", "\x00\u200b"])
def test_it_rejects_empty_text(text):
    with pytest.raises(NoticeError, match="内容是空的"):
        parse_notice(text)


@pytest.mark.parametrize(
    "text",
    ["聊城市2022年法治政府建设工作计划\n为深入推进依法行政，制定本计划。", "一、总体要求\n坚持依法行政。"],
)
def test_it_rejects_text_without_numbered_items(text):
    with pytest.raises(NoticeError, match="没有找到编号的任务条目"):
        parse_notice(text)


# --- normalize_name -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        (" 市 人民政府办公室 ", "市人民政府办公室"),
        ("各县（市、区）人民政府", "各县(市、区)人民政府"),
        ("市司法局等单位", "市司法局"),
        ("市直各部门等部门。", "市直各部门"),
        ("市公安局等", "市公安局"),
        ("、市司法局；", "市司法局"),
        ("市属开发区管委会〕", "市属开发区管委会"),
        ("县(市、区)", "县(市、区)"),
        ("(市司法局", "市司法局"),
        ("：", ""),
    ],
)
def test_normalize_name(written, normalised):
    assert normalize_name(written) == normalised


# --- properties ---------------------------------------------------------------

LINE_STARTS = ["", "", "", "一、", "二、", "十一、", "1.", "2、", "３．", "12.", "(一)", "（二）", "— 3 —"]
FRAGMENTS = [
    "\n", "\n\n", " ", "\u3000", "\u200b", "\x00",
    "〔", "〕", "[", "]", "(", ")", "（", "）", "【", "】",
    "牵头单位", "责任单位", "配合部门", ":", "：", ";", "；", "、", ",", "，", "。", "等单位",
    "市司法局", "各县(市、区)人民政府", "市 人民政府办公室", "做好工作。",
    "〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕", "（责任单位：市直各部门、市公安局等）",
    "6月底前", "3月15日前", "2022年", "关于印发", "的通知", "聊政办字〔2022〕9号", "2022年3月25日",
]  # fmt: skip
notice_line = st.builds(
    lambda start, parts: start + "".join(parts),
    st.sampled_from(LINE_STARTS),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=12),
)
notice_like_text = st.lists(notice_line, max_size=25).map("\n".join)


def parse_or_reject(text):
    try:
        return parse_notice(text)
    except NoticeError as error:
        assert str(error)
        return None


@settings(deadline=None)
@given(st.text())
def test_it_never_crashes_on_arbitrary_text(text):
    parse_or_reject(text)


@settings(deadline=None)
@given(st.binary(), st.sampled_from(["latin-1", "gb18030", "utf-8"]))
def test_it_never_crashes_on_binary_garbage_decoded_as_text(data, encoding):
    parse_or_reject(data.decode(encoding, errors="surrogateescape" if encoding == "utf-8" else "replace"))


@settings(deadline=None, max_examples=300)
@given(notice_like_text)
def test_it_never_crashes_on_notice_like_text(text):
    parse_or_reject(text)


def visible(text):
    return Counter(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )


@settings(deadline=None, max_examples=300)
@given(notice_like_text)
def test_it_never_loses_text(text):
    parsed = parse_or_reject(text)
    if parsed is None:
        return
    kept = [parsed.preamble]
    kept += [section.title for section in parsed.sections]
    kept += [item.content + item.responsibility_text for item in parsed.items()]
    kept += [warning.text for warning in parsed.warnings]
    missing = visible(text) - visible("".join(kept))
    # Only the numbering is dropped: "12." "十一、" "（一）" "(1)" "一是" (kept as the item's label).
    assert all(ch.isdecimal() or ch in ".．、一二三四五六七八九十()（）是" for ch in missing), missing
    marker_count = len(list(parsed.items())) + len(parsed.sections)
    assert sum(missing.values()) <= 4 * marker_count


# --- fixes made in the preview (edits) ----------------------------------------------

EDITABLE = "××县2023年工作要点\n一、任务\n1. 做好工作。\n另起一项工作。\n〔牵头单位:县司法局;责任单位:县财政局〕\n二、其他"


def line_of(text, start):
    return next(i for i, line in enumerate(notice_lines(text)) if line.startswith(start))


def test_a_line_made_a_task_splits_the_task_it_was_in():
    parsed = parse_notice(EDITABLE, edits={"lines": {str(line_of(EDITABLE, "另起")): "task"}})
    assert [(item.number, item.content, item.lead_units) for item in parsed.items()] == [
        (1, "做好工作。", []),
        (2, "另起一项工作。", ["县司法局"]),
    ]


def test_a_task_made_part_of_the_previous_task_merges_them():
    text = "××县2023年工作要点\n一、任务\n1. 甲。\n2. 乙。〔牵头单位:县司法局〕"
    parsed = parse_notice(text, edits={"lines": {str(line_of(text, "2.")): "text"}})
    (item,) = parsed.items()
    assert (item.content, item.lead_units) == ("甲。2. 乙。", ["县司法局"])


def test_a_line_made_a_section_heading_opens_a_section():
    parsed = parse_notice(EDITABLE, edits={"lines": {str(line_of(EDITABLE, "二、其他") - 0): "heading"}})
    assert [section.title for section in parsed.sections] == ["任务", "其他"]
    text = (
        "××县2023年工作要点\n一、任务\n1. 甲。〔牵头单位:县司法局〕\n依法行政\n2. 乙。〔牵头单位:县司法局〕"
    )
    parsed = parse_notice(text, edits={"lines": {str(line_of(text, "依法行政")): "heading"}})
    assert [(s.title, [i.number for i in s.items]) for s in parsed.sections] == [
        ("任务", [1]),
        ("依法行政", [2]),
    ]


def test_a_deadline_and_a_role_set_in_the_preview_apply_to_the_task_on_that_line():
    line = line_of(EDITABLE, "1.")
    parsed = parse_notice(
        EDITABLE,
        edits={"deadlines": {str(line): "2023-06-30"}, "roles": {f"{line}|县财政局": "lead"}},
    )
    (item,) = parsed.items()
    assert (item.deadline, item.deadline_written) == (datetime.date(2023, 6, 30), True)
    assert (item.lead_units, item.responsible_units) == (["县司法局", "县财政局"], [])


def test_a_deadline_line_of_no_fixed_date_invents_none():
    parsed = parse_notice("××县2023年工作要点\n一、任务\n1. 甲。\n牵头单位:县司法局\n完成时限:长期坚持")
    (item,) = parsed.items()
    assert (item.deadline_written, item.deadline_text, item.deadline) == (
        False,
        "长期坚持",
        datetime.date(2023, 12, 31),
    )
