"""Text work for the year-end report draft, pure functions on strings (no database).

- `sentences()`: a report's text cut into whole sentences (the unit of every digest; indexes are stable, so a
  digest can store (report id, sentence index) and the material page can mark what it took).
- `fact_weight()` / `figures()`: what makes a sentence worth taking: figures with their unit words (件、次、人、
  项、个、家、%…), document numbers (〔2022〕9号), named measures (《…》).
- `in_city_voice()`: a unit's own voice (我局, 本委, 我区, 本单位, "X将…") rewritten to name the unit, or None
  when the sentence cannot stand in the city's report (it is then left in the material).
- `similarity()` on character bigrams (digits masked), `cluster()`: near-duplicate texts grouped.
- `points()`: the units' problems / next steps as "一是……二是……" with how many units raised each.
"""

import re
from dataclasses import dataclass, field

from .docx import PLACEHOLDER  # the Word writer highlights the same pattern

PLACEHOLDER_OPEN = "【待补充："

# A sentence ends at 。！？ (or ；/; where a unit numbers its points); "…如下：" closes a framing sentence.
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=如下：)|(?<=如下:)")
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|[一二三四五六七八九十]+、)"
)
UNIT_WORDS = (
    "人次|场次|余人|余件|余次|余项|余家|余个|余份|余场|余条|万元|亿元|万人|万户|万件|件|次|人|项|个|家|场|期|份|篇|条|"
    "户|册|名|起|宗|所|处|套|批|轮|部|台|卷|元|小时|天|%|％"
)
FIGURE = re.compile(r"(?P<value>\d+(?:\.\d+)?)(?P<unit>" + UNIT_WORDS + ")")
DOC_NUMBER = re.compile(r"〔\d{4}〕\s*\d+\s*号")
NAMED_MEASURE = re.compile(r"《[^》]{2,60}》")
# What the material pages mark: placeholders, document numbers, figures with their unit words.
MARKABLE = re.compile(
    "|".join(
        [
            PLACEHOLDER.pattern,
            DOC_NUMBER.pattern,
            FIGURE.pattern.replace("?P<value>", "").replace("?P<unit>", ""),
        ]
    )
)
_YEAR = re.compile(r"\d{4}年")
FRAMING = re.compile(
    r"(如下[：:]$|报告如下|现将.{0,20}(情况|工作)|主要做法(和成效)?如下|这一任务目标|的部署要求)"
)

# First-person words a unit writes about itself; each becomes the unit's short name.
OWN_VOICE = (
    "本单位",
    "我单位",
    "本部门",
    "我部门",
    "本机关",
    "我机关",
    "我局",
    "本局",
    "我委",
    "本委",
    "我办",
    "本办",
    "我院",
    "本院",
    "我县",
    "本县",
    "我区",
    "本区",
    "我们",
    "本系统",
    "我系统",
)
_OWN_VOICE = re.compile("|".join(OWN_VOICE))
# An intention in the unit's own name ("高新区管委会将……", "市科技局要……"): not the city's voice.
_FUTURE = ("将", "要", "拟", "计划")
# A county's or zone's "全县 / 全区 / 全市" is its own area, not the city: named.
AREA_KINDS = ("county", "dev_zone")
_WHOLE_AREA = re.compile(r"全[县区市]")
_LEAD_IN = re.compile(r"^(?:下一步|下半年|新的一年|明年|今后|\d{4}年|下一年度?)[，,]?")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def sentences(text):
    """Whole sentences of a text, in order, stripped (empty ones dropped). Indexes into this list are stable."""
    result = []
    for line in (text or "").splitlines():
        for piece in _SENTENCE_END.split(line):
            piece = piece.strip()
            if piece:
                result.append(piece)
    return result


def strip_ordinal(sentence):
    """ "三是加强应急物资储备……" → "加强应急物资储备……" (a digest reorders the points)."""
    return _ORDINAL.sub("", sentence, count=1).strip()


def figures(sentence):
    """(value, unit word) of every figure in the sentence; years (2022年) are not figures."""
    return [(m["value"], m["unit"]) for m in FIGURE.finditer(_YEAR.sub("", sentence))]


def fact_weight(sentence, ignore=()):
    """How many facts a sentence carries: figures with units, document numbers, named measures; the texts in
    `ignore` (the plan's title, the task's) are not facts of the sentence."""
    for text in ignore:
        if text:
            sentence = sentence.replace(text, "")
    return len(figures(sentence)) + len(DOC_NUMBER.findall(sentence)) + len(NAMED_MEASURE.findall(sentence))


def is_framing(sentence):
    """ "现将有关情况报告如下：" and the like: about the report, not the work."""
    return bool(FRAMING.search(sentence))


def unit_names(unit):
    """The names a unit's text may call itself by, longest first."""
    names = {n for n in (getattr(unit, "name", ""), getattr(unit, "short_name", "")) if n}
    return sorted(names, key=len, reverse=True)


def speaks_of_future(sentence, names):
    """ "高新区管委会将……" / "我局要……": the unit's intention."""
    head = _LEAD_IN.sub("", sentence)
    for subject in (*names, *OWN_VOICE):
        if head.startswith(subject) and head[len(subject) :].startswith(_FUTURE):
            return True
    return False


def in_city_voice(sentence, unit, *, allow_future=False):
    """The sentence as the city's report can say it: own-voice words replaced by the unit's short name.

    None when it states the unit's own intention ("X将……") and `allow_future` is off: such a sentence stays in
    the material. Nothing else is changed.
    """
    names = unit_names(unit)
    if not allow_future and speaks_of_future(sentence, names):
        return None
    short = getattr(unit, "short_name", "") or getattr(unit, "name", "")
    sentence = _OWN_VOICE.sub(lambda m: f"{short}系统" if m.group().endswith("系统") else short, sentence)
    if getattr(unit, "kind", "") in AREA_KINDS:
        sentence = _WHOLE_AREA.sub(short, sentence)
    return sentence


def has_own_voice(text):
    return bool(_OWN_VOICE.search(text or ""))


# --- similarity ---------------------------------------------------------------------------------------------


def shingles(text):
    """Character bigrams of the text without punctuation, figures masked (3 次 and 5 次 read alike)."""
    plain = _DIGITS.sub("#", re.sub(r"[\s，。、；：！？“”‘’（）《》〔〕,.;:!?()\"']", "", text))
    if len(plain) < 2:
        return {plain} if plain else set()
    return {plain[i : i + 2] for i in range(len(plain) - 1)}


def similarity(a, b):
    """Overlap of two shingle sets: |a ∩ b| / min(|a|, |b|) blended with Jaccard, in 0…1."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return (common / len(a | b) + common / min(len(a), len(b))) / 2


DUPLICATE = 0.6  # two sentences this alike say the same thing (digests keep the first)
SAME_POINT = 0.45  # two problems / next steps this alike are one point


@dataclass
class Cluster:
    """Texts saying the same thing: `items` are (text, unit key, source) in the order met."""

    items: list = field(default_factory=list)
    grams: list = field(default_factory=list)

    @property
    def units(self):
        return {unit for _text, unit, _source in self.items}

    def representative(self):
        """The member most like the others (ties: the first met)."""
        if len(self.items) <= 2:
            return self.items[0][0]
        scores = [sum(similarity(g, h) for h in self.grams) for g in self.grams]
        return self.items[scores.index(max(scores))][0]


def cluster(items, threshold=SAME_POINT):
    """Group (text, unit key, source) items: each joins the first cluster whose first members it resembles."""
    clusters = []
    for text, unit, source in items:
        grams = shingles(text)
        for group in clusters:
            if any(similarity(grams, g) >= threshold for g in group.grams[:5]):
                group.items.append((text, unit, source))
                group.grams.append(grams)
                break
        else:
            clusters.append(Cluster([(text, unit, source)], [grams]))
    return clusters


_POINT_SPLIT = re.compile(r"[；;。\n]|(?=[一二三四五六七八九十]+是)|(?<=：)")


def split_points(text):
    """A unit's problems or next steps as separate points: split at 一是/二是, ；, 。 and lines; intros
    ("…以下工作：") dropped; each point without its ordinal and its final punctuation."""
    result = []
    for piece in _POINT_SPLIT.split(text or ""):
        piece = strip_ordinal(piece.strip()).strip("，,。；; ")
        if len(piece) < 6 or piece.endswith(("：", ":")) or "以下" in piece[-8:]:
            continue
        result.append(piece)
    return result


def points(items, *, limit=8):
    """Clusters of (text, unit key, source), largest first (ties: first met), at most `limit`; the rest
    is returned too (left in the material)."""
    groups = cluster(items)
    ranked = sorted(enumerate(groups), key=lambda pair: (-len(pair[1].units), pair[0]))
    ranked = [group for _index, group in ranked]
    return ranked[:limit], ranked[limit:]


ORDINALS = "一二三四五六七八九十"


def numbered(texts):
    """["甲", "乙"] → "一是甲；二是乙。" """
    parts = [f"{ORDINALS[i] if i < 10 else i + 1}是{text}" for i, text in enumerate(texts)]
    return "；".join(parts) + "。" if parts else ""


def placeholder(what):
    return f"{PLACEHOLDER_OPEN}{what}】"


def count_placeholders(text):
    return len(PLACEHOLDER.findall(text or ""))
