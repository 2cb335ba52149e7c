"""The dashboard charts (dashboards/charts.py): each chart is parsed back as XML and measured.

The numbers are worked out by hand from the layout constants: bars have a 256-unit track starting at x=204; the
light strip is 1200 units wide; the trend's plot spans x 44..512 and y 232 (zero) up to 30 (the top count).
"""

import datetime
import re
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dashboards import charts
from dashboards.charts import Bar, Segment, light_strip, progress_bars, trend_chart

D = datetime.date.fromisoformat
NS = "{http://www.w3.org/2000/svg}"
TAGS = {"svg", "title", "desc", "g", "a", "rect", "path", "text", "tspan", "line", "polyline", "circle"}
HOSTILE = "<script>alert(1)</script> \"引号\" & 'apostrophe' </text></svg>"
LONG = "四、健全行政决策制度体系，全面推进重大行政决策科学化、民主化、法治化，严格落实重大行政决策程序"


def parse(svg):
    """The chart as an element tree (it must be well-formed XML)."""
    assert isinstance(svg, SafeString)
    return ET.fromstring(str(svg))


def elements(root, tag, cls=None):
    found = root.iter(NS + tag)
    return [el for el in found if cls is None or cls in el.get("class", "").split()]


def text_of(el):
    return "".join(el.itertext())


def texts(root, cls=None):
    return [text_of(el) for el in elements(root, "text", cls)]


def own_title(el):
    return el.find(NS + "title").text


def num(el, name):
    return float(el.get(name))


def tags_are_ours(svg):
    """Every '<' in the output opens or closes one of the chart's own elements (no text or tag slipped through)."""
    tags = [re.match(r"</?([a-zA-Z]+)[\s/>]", svg[match.start() :]) for match in re.finditer("<", svg)]
    return all(tag and tag.group(1) in TAGS for tag in tags)


# ----------------------------------------------------------------------------------------------- the svg root


def test_the_root_is_an_accessible_scalable_svg_without_styles_or_scripts():
    svg = progress_bars([Bar("一、学习宣传", 3, 4)], caption="各部分完成情况")
    root = parse(svg)

    assert root.tag == NS + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "各部分完成情况"
    assert root.find(NS + "title").text == "各部分完成情况"
    assert root.get("width") == "100%"
    assert root.get("viewBox") == "0 0 576 28"
    assert "chart" in root.get("class").split()
    assert "style=" not in svg and "<script" not in svg
    assert not any(name.startswith("on") for el in root.iter() for name in el.attrib)


def test_a_chart_with_links_is_a_labelled_group_so_that_its_links_stay_reachable():
    root = parse(progress_bars([Bar("一、学习宣传", 3, 4, url="/plans/1/")], caption="各部分完成情况"))

    assert root.get("role") == "group"
    assert root.get("aria-label") == "各部分完成情况"


def test_coordinates_are_rounded_to_one_decimal():
    svg = str(
        progress_bars([Bar("一", 1, 3), Bar("二", 2, 7)], caption="c")
        + light_strip([Segment("done", "已完成", 1), Segment("overdue", "逾期", 2)], caption="c")
        + trend_chart(
            [(D("2022-01-05"), 1)],
            starts_on=D("2022-01-01"),
            ends_on=D("2022-02-07"),
            due_on=D("2022-02-09"),
            expected=7,
            caption="c",
        )
    )
    numbers = re.findall(r'(?:x|y|x1|x2|y1|y2|width|height|cx|cy)="(-?[\d.]+)"', svg)
    numbers += re.findall(r"-?\d+\.\d+", " ".join(re.findall(r'(?:points|d)="([^"]*)"', svg)))

    assert numbers
    assert all(re.fullmatch(r"-?\d+(\.\d)?", number) for number in numbers)


# --------------------------------------------------------------------------------------------- progress bars


def test_it_draws_one_row_per_bar_with_its_label():
    bars = [Bar("一、学习宣传", 3, 4), Bar("二、履行职能", 5, 5), Bar("三、制度体系", 0, 3)]
    root = parse(progress_bars(bars, caption="c"))

    assert len(elements(root, "g", "bar-row")) == 3
    assert texts(root, "bar-label") == ["一、学习宣传", "二、履行职能", "三、制度体系"]
    assert len(elements(root, "rect", "bar-track")) == 3


@pytest.mark.parametrize(
    ("value", "total", "width", "figures"),
    [
        (3, 4, 192, "3/4 75%"),  # 256 × 3/4
        (1, 3, 85.3, "1/3 33%"),
        (2, 3, 170.7, "2/3 67%"),
        (5, 5, 256, "5/5 100%"),
        (0, 3, 0, "0/3 0%"),
        (199, 200, 254.7, "199/200 99%"),  # never 100% before done
        (1, 300, 0.9, "1/300 1%"),  # never 0% once started
        (6, 4, 256, "6/4 150%"),  # the bar stops at the track's end, the words tell the truth
    ],
)
def test_the_fill_is_value_over_total_of_the_track_with_the_figures_beside_it(value, total, width, figures):
    root = parse(progress_bars([Bar("一、学习宣传", value, total)], caption="c"))
    (track,) = elements(root, "rect", "bar-track")
    (fill,) = elements(root, "rect", "bar-fill")

    assert num(track, "width") == 256
    assert num(fill, "width") == pytest.approx(width, abs=0.05)
    assert num(fill, "x") == num(track, "x")
    assert texts(root, "bar-figures") == [figures]
    assert texts(root, "bar-figures")[0].split() == [
        text_of(elements(root, "tspan", "bar-count")[0]),
        text_of(elements(root, "tspan", "bar-percent")[0]),
    ]
    assert num(elements(root, "text", "bar-figures")[0], "x") > num(track, "x") + num(track, "width")


def test_each_row_has_a_title_with_the_full_label_and_numbers():
    root = parse(progress_bars([Bar("一、学习宣传", 3, 4)], caption="c"))
    (row,) = elements(root, "g", "bar-row")

    assert own_title(row) == "一、学习宣传：3/4（75%）"


def test_a_zero_total_is_an_empty_bar_labelled_with_a_dash():
    root = parse(progress_bars([Bar("六、突发事件应对", 0, 0)], caption="c"))
    (track,) = elements(root, "rect", "bar-track")

    assert "empty" in track.get("class").split()
    assert elements(root, "rect", "bar-fill") == []
    assert texts(root, "bar-figures") == ["—"]
    assert own_title(elements(root, "g", "bar-row")[0]) == "六、突发事件应对：总数为 0"


def test_a_long_label_is_cut_with_an_ellipsis_and_kept_whole_in_the_title():
    root = parse(progress_bars([Bar(LONG, 1, 2)], caption="c"))
    (label,) = texts(root, "bar-label")

    assert label.endswith("…")
    assert LONG.startswith(label[:-1])
    assert charts.text_width(label) <= charts.LABEL_WIDTH
    assert own_title(elements(root, "g", "bar-row")[0]) == f"{LONG}：1/2（50%）"


def test_rows_with_a_url_are_links_to_it_and_the_others_are_not():
    bars = [Bar("一、学习宣传", 3, 4, url="/plans/1/?section=1&light=red"), Bar("二、履行职能", 1, 2)]
    svg = progress_bars(bars, caption="c")
    root = parse(svg)
    (link,) = elements(root, "a")

    assert link.get("href") == "/plans/1/?section=1&light=red"
    assert 'href="/plans/1/?section=1&amp;light=red"' in svg
    assert "bar-row" in link.get("class").split()
    assert texts(link, "bar-label") == ["一、学习宣传"]
    assert len(elements(link, "rect", "bar-fill")) == 1
    assert texts(elements(root, "g", "bar-row")[0], "bar-label") == ["二、履行职能"]


def test_a_hostile_label_comes_out_as_text():
    svg = progress_bars([Bar(HOSTILE, 1, 2, url="/x/")], caption=HOSTILE)
    root = parse(svg)

    assert "<script" not in svg and "</svg></text>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert own_title(elements(root, "a")[0]) == f"{HOSTILE}：1/2（50%）"
    assert root.get("aria-label") == HOSTILE
    assert {el.tag.removeprefix(NS) for el in root.iter()} <= TAGS
    assert tags_are_ours(svg)


def test_characters_xml_forbids_are_dropped_and_whitespace_is_one_line():
    root = parse(progress_bars([Bar("一、\x00学习\x1b宣传\n\t工作", 1, 2)], caption="c\x0c"))

    assert texts(root, "bar-label") == ["一、学习宣传 工作"]
    assert root.get("aria-label") == "c"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "mailto:a@example.org",
        "http:no-host",
    ],
)
def test_a_url_that_is_not_relative_or_http_is_dropped(url):
    svg = progress_bars([Bar("一、学习宣传", 1, 2, url=url)], caption="c")
    root = parse(svg)

    assert elements(root, "a") == []
    assert len(elements(root, "g", "bar-row")) == 1
    assert "script:" not in svg.lower() and "data:" not in svg
    assert root.get("role") == "img"


@pytest.mark.parametrize(
    "url",
    [
        "/tasks/3/",
        "tasks/3/",
        "?section=2",
        "#row-3",
        "https://fazhi.example.gov.cn/plans/1/",
        "http://10.0.0.5/p",
    ],
)
def test_relative_and_http_urls_are_kept(url):
    (link,) = elements(parse(progress_bars([Bar("一", 1, 2, url=url)], caption="c")), "a")

    assert link.get("href") == url


def test_a_url_with_quotes_stays_inside_its_attribute():
    url = '/plans/1/?q="><script>alert(1)</script>'
    svg = progress_bars([Bar("一", 1, 2, url=url)], caption="c")
    (link,) = elements(parse(svg), "a")

    assert link.get("href") == url
    assert "<script" not in svg


def test_a_very_long_label_is_cut_quickly():
    root = parse(progress_bars([Bar("法" * 200_000, 1, 2)], caption="c"))

    assert texts(root, "bar-label")[0] == "法" * 14 + "…"  # 196 units: 14 squares of 13 and the ellipsis


def test_no_bars_says_there_is_no_data():
    root = parse(progress_bars([], caption="c"))

    assert elements(root, "g", "bar-row") == []
    assert texts(root) == ["暂无数据"]


# ----------------------------------------------------------------------------------------------- light strip

LIGHTS = [
    Segment("done", "已完成", 3, url="/tasks/?light=done"),
    Segment("on_track", "序时推进", 5),
    Segment("due_soon", "即将到期", 0, url="/tasks/?light=due_soon"),
    Segment("overdue", "逾期", 1, url="/tasks/?light=overdue"),
    Segment("not_started", "未启动", 2),
    Segment("not_assigned", "未分工", 0),
]


def segment_rects(root):
    return elements(root, "rect", "seg")


def test_the_strip_widths_add_up_to_the_track_and_follow_the_counts():
    rects = segment_rects(parse(light_strip(LIGHTS, caption="c")))
    widths = [num(rect, "width") for rect in rects]

    assert sum(widths) == pytest.approx(1200, abs=1e-6)
    # 3, 5, 1 and 2 of 11 tasks: edges at 1200 × 3/11, 8/11, 9/11 = 327.3, 872.7, 981.8
    assert widths == pytest.approx([327.3, 545.4, 109.1, 218.2], abs=1e-6)
    assert num(rects[0], "x") == 0
    for before, after in zip(rects, rects[1:], strict=False):
        assert num(after, "x") == pytest.approx(num(before, "x") + num(before, "width"), abs=1e-6)


def test_the_widths_add_up_even_when_thirds_do_not_round():
    segments = [
        Segment("done", "已完成", 1),
        Segment("overdue", "逾期", 1),
        Segment("not_started", "未启动", 1),
    ]
    widths = [num(rect, "width") for rect in segment_rects(parse(light_strip(segments, caption="c")))]

    assert widths == [400, 400, 400]
    segments = [Segment("done", "已完成", 1)] * 7
    widths = [num(rect, "width") for rect in segment_rects(parse(light_strip(segments, caption="c")))]
    assert sum(widths) == pytest.approx(1200, abs=1e-6)
    assert all(abs(width - 1200 / 7) <= 0.1 for width in widths)


def test_zero_segments_are_not_drawn_but_stay_in_the_legend():
    root = parse(light_strip(LIGHTS, caption="c"))
    drawn = [rect.get("class").split()[1] for rect in segment_rects(root)]

    assert drawn == ["light-done", "light-on_track", "light-overdue", "light-not_started"]
    assert texts(root, "legend-label") == [
        "已完成 3",
        "序时推进 5",
        "即将到期 0",
        "逾期 1",
        "未启动 2",
        "未分工 0",
    ]
    swatches = [rect.get("class").split()[1] for rect in elements(root, "rect", "swatch")]
    assert swatches == [f"light-{segment.key}" for segment in LIGHTS]


def test_segments_and_legend_items_link_to_their_urls():
    root = parse(light_strip(LIGHTS, caption="c"))
    segment_links = [a.get("href") for a in elements(root, "a", "segment")]
    legend_links = [a.get("href") for a in elements(root, "a", "legend-item")]

    assert segment_links == [
        "/tasks/?light=done",
        "/tasks/?light=overdue",
    ]  # due_soon has no tasks: not drawn
    assert legend_links == ["/tasks/?light=done", "/tasks/?light=due_soon", "/tasks/?light=overdue"]
    assert root.get("role") == "group"


def test_each_segment_has_a_title_with_its_count_and_share_and_the_count_written_when_it_fits():
    root = parse(light_strip(LIGHTS, caption="c"))
    segments = elements(root, "a", "segment") + elements(root, "g", "segment")
    titles = sorted(own_title(segment) for segment in segments)

    assert titles == sorted(["已完成：3（27%）", "序时推进：5（45%）", "逾期：1（9%）", "未启动：2（18%）"])
    assert sorted(texts(root, "seg-count")) == ["1", "2", "3", "5"]


def test_overdue_and_due_soon_are_striped_for_black_and_white_prints():
    segments = [
        Segment("done", "已完成", 1),
        Segment("due_soon", "即将到期", 1),
        Segment("overdue", "逾期", 1),
    ]
    root = parse(light_strip(segments, caption="c"))
    hatches = [path.get("class") for path in elements(root, "path", "hatch")]

    assert hatches.count("hatch hatch-overdue") == 2  # the segment and its swatch
    assert hatches.count("hatch hatch-due_soon") == 2
    assert len(hatches) == 4


def test_stripes_stay_inside_their_segment():
    root = parse(light_strip([Segment("done", "已完成", 2), Segment("overdue", "逾期", 1)], caption="c"))
    path = elements(root, "path", "hatch-overdue")[0]
    numbers = [float(n) for n in re.findall(r"-?[\d.]+", path.get("d"))]
    xs, ys = numbers[0::2], numbers[1::2]

    assert min(xs) >= 800 - 0.05 and max(xs) <= 1200 + 0.05
    assert min(ys) >= 0 and max(ys) <= charts.STRIP_HEIGHT


def test_an_unknown_or_hostile_key_gets_a_neutral_class():
    root = parse(light_strip([Segment('x" onclick="alert(1)', "<b>其他</b>", 2)], caption="c"))
    (rect,) = segment_rects(root)

    assert rect.get("class") == "seg light-other"
    assert "onclick" not in rect.attrib
    assert texts(root, "legend-label") == ["<b>其他</b> 2"]


def test_all_zero_counts_draw_an_empty_track_and_a_full_legend():
    segments = [Segment("done", "已完成", 0), Segment("overdue", "逾期", 0)]
    root = parse(light_strip(segments, caption="c"))

    assert segment_rects(root) == []
    assert len(elements(root, "rect", "strip-track")) == 1
    assert texts(root, "legend-label") == ["已完成 0", "逾期 0"]


def test_the_legend_wraps_onto_a_second_row_when_it_is_too_wide():
    segments = [Segment("done", f"{LONG}{i}", i) for i in range(4)]
    root = parse(light_strip(segments, caption="c"))
    rows = {num(text, "y") for text in elements(root, "text", "legend-label")}

    assert len(rows) > 1
    assert root.get("viewBox") == f"0 0 1200 {charts.LEGEND_TOP + len(rows) * charts.LEGEND_ROW}"


# ----------------------------------------------------------------------------------------------- trend chart

# January 2022: the period runs 1/1..1/31, due 1/28; the axis adds 2 days (to 2/2: 32 days, 468 units).
# Expected 10 → count step 5, top 15. So x(day n of January) = 44 + 468 × (n - 1) / 32, y(c) = 232 - 202 × c / 15.
JANUARY = {
    "starts_on": D("2022-01-01"),
    "ends_on": D("2022-01-31"),
    "due_on": D("2022-01-28"),
    "expected": 10,
}
UNSORTED = [(D("2022-01-05"), 2), (D("2022-01-10"), 3), (D("2022-01-03"), 1), (D("2022-01-05"), 1)]


def x_jan(day):
    return 44 + 468 * (day - 1) / 32


def y_count(count, top=15):
    return 232 - 202 * count / top


def line_points(root):
    (line,) = elements(root, "polyline", "trend-line")
    return [tuple(float(n) for n in point.split(",")) for point in line.get("points").split()]


def test_the_line_steps_up_by_the_cumulative_count_of_unsorted_days():
    root = parse(trend_chart(UNSORTED, caption="c", **JANUARY))
    expected = [
        (44, 232),
        (x_jan(3), 232),
        (x_jan(3), y_count(1)),
        (x_jan(5), y_count(1)),
        (x_jan(5), y_count(4)),  # 1/5: 2 + 1
        (x_jan(10), y_count(4)),
        (x_jan(10), y_count(7)),
    ]

    assert line_points(root) == [pytest.approx(point, abs=0.06) for point in expected]
    assert texts(root, "trend-note")[-1] == "已报 7"


def test_the_line_never_goes_down_or_back():
    daily = [(D("2022-01-01") + datetime.timedelta(days=(n * 7) % 30), n % 4) for n in range(40)]
    points = line_points(parse(trend_chart(daily, caption="c", **JANUARY)))
    xs, ys = [x for x, _ in points], [y for _, y in points]

    assert xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # SVG's y grows downwards


def test_the_due_date_is_a_vertical_line_at_its_day():
    root = parse(trend_chart(UNSORTED, caption="c", **JANUARY))
    (line,) = elements(root, "line", "trend-due")

    assert num(line, "x1") == num(line, "x2") == pytest.approx(x_jan(28), abs=0.05)  # 438.9
    assert texts(root, "due-label") == ["截止 1月28日"]


def test_the_expected_count_is_a_dashed_line_at_its_height():
    root = parse(trend_chart(UNSORTED, caption="c", **JANUARY))
    (line,) = elements(root, "line", "trend-expected")

    assert num(line, "y1") == num(line, "y2") == pytest.approx(y_count(10), abs=0.05)  # 97.3
    assert (num(line, "x1"), num(line, "x2")) == (44, 512)
    assert line.get("stroke-dasharray")
    assert "应报 10" in texts(root, "trend-note")


def test_the_count_axis_has_round_ticks_up_to_the_top():
    root = parse(trend_chart(UNSORTED, caption="c", **JANUARY))

    assert texts(root, "tick-label")[:4] == ["0", "5", "10", "15"]
    assert [num(line, "y1") for line in elements(root, "line", "trend-grid")] == [232, 164.7, 97.3, 30]


def test_the_date_axis_has_at_most_eight_ticks_written_month_slash_day():
    root = parse(trend_chart(UNSORTED, caption="c", **JANUARY))
    dates = [text for text in texts(root, "tick-label") if "/" in text]

    assert dates == ["1/1", "1/8", "1/15", "1/22", "1/29"]  # a tick a week across 32 days


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "first_ticks"),
    [
        ("2022-03-01", "2022-03-03", ["2022-03-01", "2022-03-02", "2022-03-03"]),
        ("2022-01-01", "2022-07-15", ["2022-01-01", "2022-02-01", "2022-03-01"]),
        ("2022-01-01", "2023-01-20", ["2022-01-01", "2022-03-01", "2022-05-01"]),
        ("2022-01-10", "2022-12-31", ["2022-03-01", "2022-05-01", "2022-07-01"]),
        ("2020-01-01", "2025-06-30", ["2020-01-01", "2021-01-01", "2022-01-01"]),
    ],
)
def test_date_ticks_fit_the_range(starts_on, ends_on, first_ticks):
    ticks = charts.date_ticks(D(starts_on), D(ends_on))

    assert 2 <= len(ticks) <= 8
    assert ticks[: len(first_ticks)] == [D(day) for day in first_ticks]
    assert all(D(starts_on) <= tick <= D(ends_on) for tick in ticks)


def test_days_before_the_start_are_counted_on_the_first_day():
    daily = [(D("2021-12-20"), 2), (D("2022-01-03"), 1)]
    points = line_points(parse(trend_chart(daily, caption="c", **JANUARY)))

    assert points[:2] == [(44, 232), pytest.approx((44, y_count(2)), abs=0.06)]
    assert points[-1] == pytest.approx((x_jan(3), y_count(3)), abs=0.06)


def test_daily_counts_are_merged_sorted_and_clamped_to_the_start():
    daily = [
        (D("2022-01-09"), 1),
        (D("2021-12-20"), 2),
        (D("2022-01-01"), 1),
        (D("2022-01-09"), -4),
        (D("2022-01-05"), 0),
    ]

    assert charts.daily_counts(daily, D("2022-01-01")) == [(D("2022-01-01"), 3), (D("2022-01-09"), 1)]


def test_a_day_after_the_period_widens_the_axis():
    # Last data day 2/10: 40 days from 1/1, margin 2 → the axis ends on 2/12 (42 days).
    root = parse(trend_chart([(D("2022-02-10"), 4)], caption="c", **JANUARY))
    points = line_points(root)

    assert points[-1] == pytest.approx((44 + 468 * 40 / 42, y_count(4)), abs=0.06)
    (due,) = elements(root, "line", "trend-due")
    assert num(due, "x1") == pytest.approx(44 + 468 * 27 / 42, abs=0.05)


def test_the_line_runs_on_to_today_which_is_marked():
    noon = datetime.datetime(2022, 1, 20, 12, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=noon):
        root = parse(trend_chart(UNSORTED, today=D("2022-01-20"), caption="c", **JANUARY))
    (today,) = elements(root, "line", "trend-today")

    assert num(today, "x1") == pytest.approx(x_jan(20), abs=0.05)
    assert line_points(root)[-1] == pytest.approx((x_jan(20), y_count(7)), abs=0.06)
    assert "今天 1/20" in texts(root, "today-label")


def test_a_page_judged_on_a_past_day_marks_it_as_of_that_day():
    root = parse(trend_chart(UNSORTED, today=D("2022-01-20"), caption="c", **JANUARY))
    assert "截至 1/20" in texts(root, "today-label")


@pytest.mark.parametrize("today", ["2021-12-31", "2022-02-03"])
def test_a_today_outside_the_axis_is_not_marked(today):
    root = parse(trend_chart(UNSORTED, today=D(today), caption="c", **JANUARY))

    assert elements(root, "line", "trend-today") == []
    assert texts(root, "today-label") == []


def test_no_data_draws_a_flat_zero_line_and_says_so():
    root = parse(trend_chart([], today=D("2022-01-20"), caption="c", **JANUARY))

    assert line_points(root) == [(44, 232), pytest.approx((x_jan(20), 232), abs=0.06)]
    assert "暂无报送" in texts(root, "chart-empty")
    assert elements(root, "circle") == []
    assert "已报 0 份" in root.find(NS + "desc").text


def test_days_with_nothing_submitted_count_as_no_data():
    root = parse(trend_chart([(D("2022-01-05"), 0)], caption="c", **JANUARY))

    assert {y for _, y in line_points(root)} == {232}
    assert "暂无报送" in texts(root, "chart-empty")


def test_nothing_expected_draws_no_expected_line():
    root = parse(trend_chart([(D("2022-01-05"), 2)], caption="c", **{**JANUARY, "expected": 0}))

    assert elements(root, "line", "trend-expected") == []
    assert not any(text.startswith("应报") for text in texts(root))
    # top count: 2 × 1.1 rounded up to the step (1) → 3
    assert line_points(root)[-1] == pytest.approx((x_jan(5), y_count(2, top=3)), abs=0.06)


def test_a_one_day_period_still_has_a_width():
    one_day = {
        "starts_on": D("2022-03-01"),
        "ends_on": D("2022-03-01"),
        "due_on": D("2022-03-01"),
        "expected": 3,
    }
    root = parse(trend_chart([(D("2022-03-01"), 2)], today=D("2022-03-01"), caption="c", **one_day))

    (due,) = elements(root, "line", "trend-due")
    assert num(due, "x1") == 44
    assert [text for text in texts(root, "tick-label") if "/" in text] == ["3/1", "3/2", "3/3"]
    assert line_points(root) == [(44, 232), pytest.approx((44, y_count(2, top=4)), abs=0.06)]
    assert texts(root, "due-label") == ["截止 3月1日"]


def test_the_description_sums_up_the_chart():
    root = parse(trend_chart(UNSORTED, caption="上半年报送", **JANUARY))

    assert root.get("role") == "img"
    assert root.get("aria-label") == "上半年报送"
    assert root.find(NS + "desc").text == "已报 7 份，应报 10 份，截止 1月28日"


# ------------------------------------------------------------------------------------------------ properties

anything = st.text(max_size=60)
urls = st.one_of(anything, st.sampled_from(["/a/?b=1&c=2", "javascript:alert(1)", "https://x.cn/", '"><b>']))
counts = st.integers(min_value=-3, max_value=10**6)


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    bars=st.lists(st.builds(Bar, label=anything, value=counts, total=counts, url=urls), max_size=6),
    caption=anything,
)
def test_random_bars_are_always_well_formed_and_escaped(bars, caption):
    svg = progress_bars(bars, caption=caption)
    root = parse(svg)

    assert tags_are_ours(svg)
    assert len(elements(root, "g", "bar-row")) + len(elements(root, "a", "bar-row")) == len(bars)
    for row, bar in zip([el for el in root if el.get("class") == "bar-row"], bars, strict=True):
        assert own_title(row).startswith(charts.clean_text(bar.label))
        assert row.tag == NS + ("a" if charts.safe_url(bar.url) else "g")
    for fill in elements(root, "rect", "bar-fill"):
        assert 0 <= num(fill, "width") <= 256


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    segments=st.lists(
        st.builds(
            Segment,
            key=st.one_of(st.sampled_from(charts.LIGHT_KEYS), anything),
            label=anything,
            count=st.integers(min_value=-2, max_value=5000),
            url=urls,
        ),
        max_size=8,
    ),
    caption=anything,
)
def test_random_strips_are_always_well_formed_and_fill_the_track(segments, caption):
    svg = light_strip(segments, caption=caption)
    root = parse(svg)

    assert tags_are_ours(svg)
    assert len(elements(root, "rect", "swatch")) == len(segments)
    widths = [num(rect, "width") for rect in elements(root, "rect", "seg")]
    if any(segment.count > 0 for segment in segments):
        assert sum(widths) == pytest.approx(1200, abs=1e-6)


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    daily=st.lists(st.tuples(st.dates(D("2021-06-01"), D("2023-06-01")), st.integers(-2, 50)), max_size=30),
    starts_on=st.dates(D("2022-01-01"), D("2022-06-30")),
    length=st.integers(0, 400),
    due_after=st.integers(0, 30),
    expected=st.integers(-1, 2000),
    today=st.one_of(st.none(), st.dates(D("2021-12-01"), D("2023-12-31"))),
    caption=anything,
)
def test_random_trends_are_well_formed_and_monotone(
    daily, starts_on, length, due_after, expected, today, caption
):
    ends_on = starts_on + datetime.timedelta(days=length)
    due_on = ends_on + datetime.timedelta(days=due_after)
    svg = trend_chart(
        daily,
        starts_on=starts_on,
        ends_on=ends_on,
        due_on=due_on,
        expected=expected,
        today=today,
        caption=caption,
    )
    root = parse(svg)
    points = line_points(root)
    xs, ys = [x for x, _ in points], [y for _, y in points]

    assert tags_are_ours(svg)
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)
    assert all(44 <= x <= 512 and 30 <= y <= 232 for x, y in points)
    assert len([text for text in texts(root, "tick-label") if "/" in text]) <= 8
