"""The dashboards' charts as inline SVG, from plain values: no database, no JavaScript, no external assets.

Each function returns a `SafeString` holding one `<svg>` element that scales with its container (a viewBox and
width="100%"). Colours, fonts and print rules come from classes styled in static/dashboards/charts.css; the SVG
carries no `style=` attribute and no script, so it passes a strict Content-Security-Policy.

Text is 13 units high, and each chart's viewBox is as wide as the place it is made for on the dashboard at
1366×768, so that the text comes out at 13 px there: progress bars and the trend 576 units (half of the page),
the light strip 1200 (the page's full width). charts.css keeps them from growing larger; in print (A4 landscape,
the same layout) the text is about 10.5 px (8 pt).

Labels and urls are untrusted (unit and task names, drill-down links): text is escaped, characters that XML
forbids are dropped, and only relative urls or http(s) ones become links.
"""

import datetime
import math
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FONT_SIZE = 13
SVG_NS = "http://www.w3.org/2000/svg"

LIGHT_KEYS = ("done", "on_track", "due_soon", "overdue", "not_started", "not_assigned")
DARK_LIGHTS = ("done", "on_track", "overdue")  # segments whose count is written in white
HATCH_DIRECTIONS = {"overdue": "/", "due_soon": "\\"}  # red and yellow would print like green and grey
HATCH_GAP = 6

# Characters XML 1.0 allows (everything else — NUL, most C0 controls, lone surrogates — is dropped).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")
_URL_TABS = re.compile("[\t\n\r]")  # browsers drop these anywhere in a url (and spaces at its ends)


# ---------------------------------------------------------------------------------------------- SVG helpers


def clean_text(text) -> str:
    """The text as one line of characters XML can carry (whitespace runs become one space)."""
    return _SPACES.sub(" ", _NOT_XML.sub("", str(text))).strip()


def safe_url(url) -> str:
    """The url when it is a relative path or http(s); "" for anything else (javascript:, data:, mailto: …)."""
    url = _URL_TABS.sub("", _NOT_XML.sub("", str(url or ""))).strip(" ")
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme in ("http", "https"):
        return url if parts.netloc else ""
    return "" if parts.scheme else url


def _num(x) -> str:
    """A coordinate rounded to one decimal, without a trailing ".0"."""
    text = f"{round(x, 1):.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _attrs(attrs) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = _num(value)
        parts.append(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"')
    return "".join(parts)


def _tag(name, content="", **attrs) -> str:
    """An element; `content` is markup already made safe by these helpers."""
    if not content:
        return f"<{name}{_attrs(attrs)}/>"
    return f"<{name}{_attrs(attrs)}>{content}</{name}>"


def _text(text, **attrs) -> str:
    return _tag("text", escape(clean_text(text)), **attrs)


def _title(text) -> str:
    return f"<title>{escape(clean_text(text))}</title>"


def _linked(content, url, **attrs) -> str:
    """The content as a link when the url is allowed, else as a plain group."""
    href = safe_url(url)
    if href:
        return _tag("a", content, href=href, **attrs)
    return _tag("g", content, **attrs)


def _svg(body, *, kind, width, height, caption, has_links=False, desc="") -> SafeString:
    """The root element. With links inside, the chart is a labelled group: role="img" would hide them from
    screen readers (an image's children are presentational)."""
    caption = clean_text(caption)
    head = _title(caption) + (_tag("desc", escape(clean_text(desc))) if desc else "")
    svg = _tag(
        "svg",
        head + body,
        xmlns=SVG_NS,
        class_=f"chart chart-{kind}",
        viewBox=f"0 0 {width} {_num(height)}",
        width="100%",
        role="group" if has_links else "img",
        aria_label=caption,
        font_size=FONT_SIZE,
    )
    return mark_safe(svg)  # every piece above went through escape()


def text_width(text, font_size=FONT_SIZE) -> float:
    """An estimate of the text's width: CJK (and ambiguous: … — “) characters are square, others about 0.6."""
    em = sum(1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.6 for char in text)
    return em * font_size


def truncate(text, max_width, font_size=FONT_SIZE) -> str:
    """The text, cut with "…" so that it fits in max_width."""
    text = clean_text(text)
    if text_width(text, font_size) <= max_width:
        return text
    room = max_width - text_width("…", font_size)
    used = 0.0
    for index, char in enumerate(text):
        used += text_width(char, font_size)
        if used > room:
            return text[:index].rstrip() + "…"
    return text


def percent(value, total) -> int:
    """Whole percent, rounded half up, but never 100 before done nor 0 after a start."""
    if total <= 0:
        return 0
    value = max(value, 0)
    share = math.floor(value * 100 / total + 0.5)
    if value < total:
        share = min(share, 99)
    if value > 0:
        share = max(share, 1)
    return share


# ------------------------------------------------------------------------------------------- progress bars

BARS_WIDTH = 576
BAR_ROW = 28  # height of one row
BAR_HEIGHT = 14
LABEL_WIDTH = 196  # label column, from x=0: 15 Chinese characters
TRACK_X = 204
TRACK_WIDTH = 256
FIGURES_X = TRACK_X + TRACK_WIDTH + 8  # "3/4 75%", up to 108 units ("1234/5678 22%")


@dataclass(frozen=True)
class Bar:
    label: str  # a section, task or unit name (untrusted)
    value: int  # e.g. tasks done / reports accepted
    total: int  # e.g. tasks / reports due (0 → an empty bar labelled "—")
    url: str = ""  # drill-down: the row is a link when given


def progress_bars(bars: list[Bar], *, caption: str) -> SafeString:
    """Horizontal bars, one row each, with "value/total" and the percentage written beside the bar."""
    rows = [_bar_row(bar, index * BAR_ROW) for index, bar in enumerate(bars)]
    if not rows:
        rows = [_text(_("暂无数据"), x=0, y=BAR_ROW / 2 + 4.5, class_="chart-empty")]
    return _svg(
        "".join(rows),
        kind="bars",
        width=BARS_WIDTH,
        height=max(len(bars), 1) * BAR_ROW,
        caption=caption,
        has_links=any(safe_url(bar.url) for bar in bars),
    )


def _bar_row(bar, top) -> str:
    middle = top + BAR_ROW / 2
    baseline = middle + 4.5  # text vertically centred on the bar (13-unit font)
    bar_top = middle - BAR_HEIGHT / 2
    label = clean_text(bar.label)
    parts = [
        _title(_bar_title(label, bar)),
        _text(truncate(label, LABEL_WIDTH), x=0, y=baseline, class_="bar-label"),
    ]
    if bar.total <= 0:
        parts.append(
            _tag("rect", x=TRACK_X, y=bar_top, width=TRACK_WIDTH, height=BAR_HEIGHT, class_="bar-track empty")
        )
        parts.append(_text("—", x=FIGURES_X, y=baseline, class_="bar-figures"))
    else:
        filled = TRACK_WIDTH * min(max(bar.value, 0), bar.total) / bar.total
        parts.append(
            _tag("rect", x=TRACK_X, y=bar_top, width=TRACK_WIDTH, height=BAR_HEIGHT, class_="bar-track")
        )
        parts.append(_tag("rect", x=TRACK_X, y=bar_top, width=filled, height=BAR_HEIGHT, class_="bar-fill"))
        figures = (
            _tag("tspan", escape(f"{bar.value}/{bar.total}"), class_="bar-count")
            + " "
            + _tag("tspan", escape(f"{percent(bar.value, bar.total)}%"), class_="bar-percent")
        )
        parts.append(_tag("text", figures, x=FIGURES_X, y=baseline, class_="bar-figures"))
    return _linked("".join(parts), bar.url, class_="bar-row")


def _bar_title(label, bar) -> str:
    if bar.total <= 0:
        return _("%(label)s：总数为 0") % {"label": label}
    numbers = {
        "label": label,
        "value": bar.value,
        "total": bar.total,
        "percent": percent(bar.value, bar.total),
    }
    return _("%(label)s：%(value)s/%(total)s（%(percent)s%%）") % numbers


# ----------------------------------------------------------------------------------------------- light strip

STRIP_WIDTH = 1200
STRIP_HEIGHT = 28
LEGEND_TOP = STRIP_HEIGHT + 12  # top of the first legend row
LEGEND_ROW = 22
SWATCH = 12


@dataclass(frozen=True)
class Segment:
    key: str  # a light: "done", "on_track", "due_soon", "overdue", "not_started", "not_assigned"
    label: str  # 已完成 …
    count: int
    url: str = ""


def light_strip(segments: list[Segment], *, caption: str) -> SafeString:
    """One full-width stacked bar of the status lights, with a legend (swatch, label, count) under it.

    Segments with no count are left out of the bar but kept in the legend."""
    total = sum(max(segment.count, 0) for segment in segments)
    legend, legend_rows = _legend(segments, total)
    body = _strip(segments, total) + legend
    return _svg(
        body,
        kind="strip",
        width=STRIP_WIDTH,
        height=LEGEND_TOP + legend_rows * LEGEND_ROW,
        caption=caption,
        has_links=any(safe_url(segment.url) for segment in segments),
    )


def _light_class(key) -> str:
    return f"light-{key}" if key in LIGHT_KEYS else "light-other"


def _segment_title(segment, total) -> str:
    count = max(segment.count, 0)
    numbers = {"label": clean_text(segment.label), "count": count, "percent": percent(count, total)}
    return _("%(label)s：%(count)s（%(percent)s%%）") % numbers


def _strip(segments, total) -> str:
    """The stacked bar: segment edges are rounded from the running total, so the widths add up to the track."""
    if total == 0:
        track = _tag(
            "rect", x=0.5, y=0.5, width=STRIP_WIDTH - 1, height=STRIP_HEIGHT - 1, class_="strip-track empty"
        )
        return track + _text(
            "—", x=STRIP_WIDTH / 2, y=STRIP_HEIGHT / 2 + 4.5, text_anchor="middle", class_="chart-empty"
        )
    parts, running = [], 0
    for segment in segments:
        count = max(segment.count, 0)
        if count == 0:
            continue
        left = round(STRIP_WIDTH * running / total, 1)
        running += count
        width = round(round(STRIP_WIDTH * running / total, 1) - left, 1)
        parts.append(_linked(_strip_segment(segment, total, left, width), segment.url, class_="segment"))
    return "".join(parts)


def _strip_segment(segment, total, left, width) -> str:
    light = _light_class(segment.key)
    shape = _tag("rect", x=left, y=0, width=width, height=STRIP_HEIGHT, class_=f"seg {light}")
    hatch = _hatch(segment.key, left, 0, width, STRIP_HEIGHT)
    count = str(segment.count)
    label = ""
    if text_width(count) + 8 <= width:  # the count inside the segment, when it fits
        tone = "on-dark" if segment.key in DARK_LIGHTS else "on-light"
        label = _text(
            count,
            x=left + width / 2,
            y=STRIP_HEIGHT / 2 + 4.5,
            text_anchor="middle",
            class_=f"seg-count {tone} count-{light}",
        )
    return _title(_segment_title(segment, total)) + shape + hatch + label


def _hatch(key, x, y, width, height) -> str:
    """Diagonal stripes over the overdue (/) and due-soon (\\) lights, so that a black-and-white print still
    tells them from the green and grey ones (drawn as lines, not a <pattern>: no ids to clash on a page)."""
    if key not in HATCH_DIRECTIONS or width <= 0:
        return ""
    rising = HATCH_DIRECTIONS[key] == "/"
    moves = []
    for offset in range(-math.ceil(height), math.ceil(width), HATCH_GAP):
        start, end = max(0, -offset), min(height, width - offset)
        if end <= start:
            continue
        y_start, y_end = (y + height - start, y + height - end) if rising else (y + start, y + end)
        moves.append(f"M{_num(x + offset + start)} {_num(y_start)}L{_num(x + offset + end)} {_num(y_end)}")
    return _tag("path", d="".join(moves), class_=f"hatch hatch-{key}", fill="none") if moves else ""


def _legend(segments, total) -> tuple[str, int]:
    """The legend items, flowed left to right in rows; returns the markup and the number of rows."""
    items, x, row = [], 0.0, 0
    for segment in segments:
        count = f" {max(segment.count, 0)}"
        words = truncate(segment.label, STRIP_WIDTH - SWATCH - 6 - text_width(count)) + count
        width = SWATCH + 6 + text_width(words)
        if x > 0 and x + width > STRIP_WIDTH:
            x, row = 0.0, row + 1
        top = LEGEND_TOP + row * LEGEND_ROW
        item = (
            _title(_segment_title(segment, total))
            + _tag(
                "rect",
                x=x + 0.5,
                y=top + 3.5,
                width=SWATCH - 1,
                height=SWATCH - 1,
                class_=f"swatch {_light_class(segment.key)}",
            )
            + _hatch(segment.key, x + 0.5, top + 3.5, SWATCH - 1, SWATCH - 1)
            + _text(words, x=x + SWATCH + 6, y=top + 14, class_="legend-label")
        )
        items.append(_linked(item, segment.url, class_="legend-item"))
        x += width + 18
    return "".join(items), row + 1 if segments else 0


# ----------------------------------------------------------------------------------------------- trend chart

TREND_WIDTH, TREND_HEIGHT = 576, 260
PLOT_LEFT, PLOT_RIGHT = 44, TREND_WIDTH - 64  # room for counts on the left, "应报 N" on the right
PLOT_TOP, PLOT_BOTTOM = 30, TREND_HEIGHT - 28  # room for "截止 M月D日" above, dates below
MAX_DATE_TICKS = 8


@dataclass(frozen=True)
class _TrendScale:
    starts_on: datetime.date
    ends_on: datetime.date  # the axis's last day (with the margin)
    top: int  # the count at the top of the plot

    def x(self, day) -> float:
        days = (min(max(day, self.starts_on), self.ends_on) - self.starts_on).days
        return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * days / (self.ends_on - self.starts_on).days

    def y(self, count) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * count / self.top


def trend_chart(
    daily: list[tuple[datetime.date, int]],
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    due_on: datetime.date,
    expected: int,
    today: datetime.date | None = None,
    caption: str,
) -> SafeString:
    """Reports submitted over time: the cumulative count as a step line, the expected count as a dashed line
    ("应报 N"), the due date as a vertical line ("截止 M月D日") and today's date when it falls on the axis."""
    counts = daily_counts(daily, starts_on)
    cumulative = cumulative_counts(counts)
    submitted = cumulative[-1][1] if cumulative else 0
    last_day = max(ends_on, due_on, counts[-1][0] if counts else starts_on, starts_on)
    margin = max(2, (last_day - starts_on).days // 30)
    step = _count_step(max(expected, submitted, 1))
    top = step * math.ceil(max(expected, submitted, 1) * 1.1 / step)
    scale = _TrendScale(starts_on, last_day + datetime.timedelta(days=margin), top)
    on_axis = today if today is not None and starts_on <= today <= scale.ends_on else None
    body = [
        _count_axis(scale, step),
        _date_axis(scale),
        _expected_line(scale, expected),
        _due_line(scale, due_on),
        _today_marker(scale, on_axis) if on_axis else "",
        _cumulative_line(scale, cumulative, _line_end(scale, counts, today, last_day)),
    ]
    if not counts:
        middle = (PLOT_LEFT + PLOT_RIGHT) / 2
        body.append(
            _text(
                _("暂无报送"),
                x=middle,
                y=(PLOT_TOP + PLOT_BOTTOM) / 2,
                text_anchor="middle",
                class_="chart-empty",
            )
        )
    desc = _("已报 %(submitted)s 份，应报 %(expected)s 份，%(due)s") % {
        "submitted": submitted,
        "expected": max(expected, 0),
        "due": _due_words(due_on),
    }
    return _svg(
        "".join(body), kind="trend", width=TREND_WIDTH, height=TREND_HEIGHT, caption=caption, desc=desc
    )


def daily_counts(daily, starts_on) -> list[tuple[datetime.date, int]]:
    """Per-day counts sorted by day, days before the start moved onto it, same days added, empty days dropped."""
    totals: dict[datetime.date, int] = {}
    for day, count in daily:
        day = max(day, starts_on)
        totals[day] = totals.get(day, 0) + max(count, 0)
    return sorted((day, count) for day, count in totals.items() if count > 0)


def cumulative_counts(counts) -> list[tuple[datetime.date, int]]:
    running, result = 0, []
    for day, count in counts:
        running += count
        result.append((day, running))
    return result


def _line_end(scale, counts, today, last_day) -> datetime.date:
    """Where the cumulative line stops: today (on the axis), else the last day with data, else the period's end."""
    if today is not None:
        end = min(max(today, scale.starts_on), scale.ends_on)
    else:
        end = counts[-1][0] if counts else last_day
    return max(end, counts[-1][0]) if counts else end


def _count_step(largest) -> int:
    """A round step (1, 2, 5 × 10ⁿ) giving about four count ticks."""
    raw = largest / 4
    if raw <= 1:
        return 1
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def date_ticks(starts_on, ends_on, limit=MAX_DATE_TICKS) -> list[datetime.date]:
    """At most `limit` tick dates: every 1, 2, 3, 7 or 14 days from the start, else the first of every 1, 2, 3,
    6 or 12 months."""
    span = (ends_on - starts_on).days
    for days in (1, 2, 3, 7, 14):
        if span // days + 1 <= limit:
            return [starts_on + datetime.timedelta(days=k * days) for k in range(span // days + 1)]
    for months in (1, 2, 3, 6, 12):
        ticks = _month_starts(starts_on, ends_on, months)
        if len(ticks) <= limit:
            return ticks
    return [starts_on, ends_on]


def _month_starts(starts_on, ends_on, every) -> list[datetime.date]:
    ticks = []
    year, month = starts_on.year, starts_on.month
    if starts_on.day > 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while (day := datetime.date(year, month, 1)) <= ends_on:
        if (month - 1) % every == 0:
            ticks.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ticks


def _count_axis(scale, step) -> str:
    parts = []
    for count in range(0, scale.top + 1, step):
        y = scale.y(count)
        parts.append(_tag("line", x1=PLOT_LEFT, y1=y, x2=PLOT_RIGHT, y2=y, class_="trend-grid"))
        parts.append(_text(str(count), x=PLOT_LEFT - 6, y=y + 4.5, text_anchor="end", class_="tick-label"))
    return "".join(parts)


def _date_axis(scale) -> str:
    parts = [_tag("line", x1=PLOT_LEFT, y1=PLOT_BOTTOM, x2=PLOT_RIGHT, y2=PLOT_BOTTOM, class_="trend-axis")]
    for day in date_ticks(scale.starts_on, scale.ends_on):
        x = scale.x(day)
        parts.append(_tag("line", x1=x, y1=PLOT_BOTTOM, x2=x, y2=PLOT_BOTTOM + 4, class_="trend-axis"))
        parts.append(
            _text(
                f"{day.month}/{day.day}", x=x, y=PLOT_BOTTOM + 18, text_anchor="middle", class_="tick-label"
            )
        )
    return "".join(parts)


def _expected_line(scale, expected) -> str:
    """The dashed line at the expected count, labelled in the right margin (none when nothing is expected)."""
    if expected <= 0:
        return ""
    y = scale.y(expected)
    line = _tag(
        "line", x1=PLOT_LEFT, y1=y, x2=PLOT_RIGHT, y2=y, class_="trend-expected", stroke_dasharray="6 4"
    )
    label = _text(_("应报 %(n)s") % {"n": expected}, x=PLOT_RIGHT + 6, y=y + 4.5, class_="trend-note")
    return _tag("g", line + label, class_="expected")


def _due_words(due_on) -> str:
    return _("截止 %(month)s月%(day)s日") % {"month": due_on.month, "day": due_on.day}


def _note_anchor(x, words) -> str:
    """Start, middle or end, so that a note centred on x stays over the plot."""
    half = text_width(words) / 2
    if x - half < PLOT_LEFT:
        return "start"
    return "end" if x + half > PLOT_RIGHT else "middle"


def _due_line(scale, due_on) -> str:
    x = scale.x(due_on)
    words = _due_words(due_on)
    line = _tag("line", x1=x, y1=PLOT_TOP - 6, x2=x, y2=PLOT_BOTTOM, class_="trend-due")
    label = _text(
        words, x=x, y=PLOT_TOP - 12, text_anchor=_note_anchor(x, words), class_="trend-note due-label"
    )
    return _tag("g", line + label, class_="due")


def _today_marker(scale, today) -> str:
    x = scale.x(today)
    if today == timezone.localdate():
        words = _("今天 %(month)s/%(day)s") % {"month": today.month, "day": today.day}
    else:  # a page judged on a past day (截至)
        words = _("截至 %(month)s/%(day)s") % {"month": today.month, "day": today.day}
    line = _tag("line", x1=x, y1=PLOT_TOP, x2=x, y2=PLOT_BOTTOM, class_="trend-today", stroke_dasharray="2 3")
    label = _text(
        words, x=x, y=PLOT_TOP + 14, text_anchor=_note_anchor(x, words), class_="trend-note today-label"
    )
    return _tag("g", line + label, class_="today")


def _cumulative_line(scale, cumulative, end_day) -> str:
    """The cumulative count as steps: flat between days with submissions, rising on each of them."""
    points = [(scale.x(scale.starts_on), scale.y(0))]
    previous = 0
    for day, running in cumulative:
        x = scale.x(day)
        points += [(x, scale.y(previous)), (x, scale.y(running))]
        previous = running
    points.append((scale.x(end_day), scale.y(previous)))
    rounded = [(_num(x), _num(y)) for x, y in points]
    deduplicated = [point for index, point in enumerate(rounded) if index == 0 or point != rounded[index - 1]]
    line = _tag(
        "polyline", points=" ".join(f"{x},{y}" for x, y in deduplicated), class_="trend-line", fill="none"
    )
    if not cumulative:
        return line
    end_x, end_y = points[-1]
    words = _("已报 %(n)s") % {"n": previous}
    anchor = "end" if end_x > (PLOT_LEFT + PLOT_RIGHT) / 2 else "start"
    dot = _tag("circle", cx=end_x, cy=end_y, r=3.5, class_="trend-dot")
    label = _text(
        words, x=end_x + (-6 if anchor == "end" else 6), y=end_y - 8, text_anchor=anchor, class_="trend-note"
    )
    return line + dot + label
