"""The year-end report's text work, on strings: sentences, facts, a unit's own voice, similarity and grouping."""

from types import SimpleNamespace

from annual import digest

BUREAU = SimpleNamespace(name="聊城市司法局", short_name="市司法局", kind="city_department")
COUNTY = SimpleNamespace(name="冠县人民政府", short_name="冠县", kind="county")
ZONE = SimpleNamespace(name="聊城高新技术产业开发区管理委员会", short_name="高新区管委会", kind="dev_zone")


def test_sentences_are_whole_and_framing_ends_a_sentence():
    text = "2022年，市司法局认真落实任务。主要做法如下：一是办理案件12件。二是开展培训！\n\n三是其他？"
    assert digest.sentences(text) == [
        "2022年，市司法局认真落实任务。",
        "主要做法如下：",
        "一是办理案件12件。",
        "二是开展培训！",
        "三是其他？",
    ]
    assert digest.is_framing("主要做法如下：") and digest.is_framing("现将有关情况报告如下：")
    assert digest.strip_ordinal("三是加强应急物资储备。") == "加强应急物资储备。"


def test_facts_are_figures_with_units_document_numbers_and_named_measures():
    assert digest.figures("2022年办理案件12件，培训300人次，合格率98.5%。") == [
        ("12", "件"),
        ("300", "人次"),
        ("98.5", "%"),
    ]
    assert digest.fact_weight("2022年，市司法局认真落实任务。") == 0  # a year is not a figure
    assert digest.fact_weight("印发《实施方案》（聊政办发〔2022〕9号）。") == 2
    assert digest.fact_weight("落实《计划》的部署要求。", ignore=["《计划》"]) == 0


def test_a_units_own_voice_names_the_unit_or_stays_in_the_material():
    assert digest.in_city_voice("我局办理案件12件。", BUREAU) == "市司法局办理案件12件。"
    assert digest.in_city_voice("本单位在本系统推广。", BUREAU) == "市司法局在市司法局系统推广。"
    assert digest.in_city_voice("全县共调解纠纷42件。", COUNTY) == "冠县共调解纠纷42件。"
    assert (
        digest.in_city_voice("全市共调解纠纷42件。", BUREAU) == "全市共调解纠纷42件。"
    )  # the city's own word
    assert digest.in_city_voice("新的一年，高新区管委会将加快建设。", ZONE) is None
    assert digest.in_city_voice("下一步，我局将继续推进。", BUREAU) is None
    assert (
        digest.in_city_voice("高新区管委会将加快建设。", ZONE, allow_future=True)
        == "高新区管委会将加快建设。"
    )
    assert digest.has_own_voice("我委组织检查") and not digest.has_own_voice("市卫生健康委组织检查")


def test_points_are_split_and_grouped_by_similarity():
    assert digest.split_points("存在以下问题：一是人员不足，力量薄弱；二是经费保障不到位。") == [
        "人员不足，力量薄弱",
        "经费保障不到位",
    ]
    items = [
        ("基层执法力量薄弱，专业人员数量偏少", "a", 1),
        ("经费保障不到位，专项资金到位较晚", "a", 1),
        ("基层执法力量比较薄弱，专业人员偏少", "b", 2),
        ("基层执法力量较为薄弱，专业执法人员数量不足", "c", 3),
        ("基层执法力量较为薄弱，专业执法人员数量不足", "c", 4),  # one unit twice counts once
    ]
    top, rest = digest.points(items, limit=1)
    assert len(top) == 1 and len(rest) == 1
    assert top[0].units == {"a", "b", "c"}
    assert top[0].representative().startswith("基层执法力量")
    assert digest.numbered(["甲", "乙"]) == "一是甲；二是乙。"


def test_figures_are_masked_when_comparing():
    a, b = digest.shingles("开展检查12次"), digest.shingles("开展检查7次")
    assert digest.similarity(a, b) == 1.0
    assert digest.similarity(a, digest.shingles("经费保障不到位")) == 0.0


def test_placeholders():
    text = digest.placeholder("第3项任务暂无报告") + "正文" + digest.placeholder("其他")
    assert digest.count_placeholders(text) == 2
    assert digest.PLACEHOLDER.match(text).group() == "【待补充：第3项任务暂无报告】"
