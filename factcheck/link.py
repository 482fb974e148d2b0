"""Attach metric, subject, period and the figure it qualifies to every claim, and find the
relations between claims that the consistency checks need.

All vocabularies (metric names, subjects, period words) are found in one scan each of
the normalized text; each claim then looks back, within its sentence, for the nearest
mention that fits. The cues of relations (分别, 其中, 占, 比去年X, 在X的基础上, 由X扩大到Y,
去年同期为X, 按可比价格计算, 新高) are found the same way, so linking stays linear in the
size of the document.

`Linker.link` sets the claims' own fields (metric, subject, period, refers_to) and returns
a `Links`: what the checks need beyond them (a name for every figure, explicit prior
values, parts and wholes, shares, 分别 lists that do not pair up, comparable-price rates).
"""
from __future__ import annotations

import bisect
import re
import sys
import time
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from os.path import commonprefix
from typing import Iterator, Optional, Sequence

import numpy as np
import regex

from .lexicon import points_of
from .models import Claim
from .normalize import code_points
from .offsets import position_type
from .pattern_cache import compile_cached
from .rules import RuleSet

from .extract import Anchor, _space_chars, anchored_windows, batched_matches, scan_timeout

_SENTENCE_ENDS = "。！!？?；;\n"        # a sentence, or one item of a ；-list
_FULL_ENDS = "。！!？?\n"               # a whole sentence
_CLAUSE_ENDS = "。！!？?；;\n，,：:"
# Every `regex` pattern run over a whole text gets `timeout=scan_timeout(text)`. The
# others read a window of a few dozen characters around a claim, and the few compiled by
# the standard `re` (literal tries, single runs) have no shape that backtracks.
_CLAUSE_END = re.compile(f"[{_CLAUSE_ENDS}]")
# (?<!\d) before a year is checked by `stated_years`: behind a lookbehind, `re` tries the
# pattern at every character, seven times slower than from the year's first digits
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!代)")
_DAY_AFTER = re.compile(r"\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
# a line that is a date alone (2024年4月 under a bulletin's title): when it was published
_DATELINE_REST = re.compile(r"[ \t\u3000]*\d{1,2}[ \t\u3000]*月(?:[ \t\u3000]*\d{1,2}[ \t\u3000]*日)?[ \t\u3000]*(?:\n|$)")
_LIST_ITEM = re.compile(r"\s*(?:[-*•·]|\d+[.、])\s")
_LIST_JOINERS = ("、", "和", "及", ",", "，", "与", "以及")
# characters of a clause read back from a rate: clauses are far shorter, and text with no
# clause mark at all (a table flattened into one line) must not make each rate read the
# whole text before it
CLAUSE_REACH = 300
_FIGURE_ROLES = ("level", "count")
_RATE_ROLES = ("growth", "share")

# A figure right after these words is the base of a comparison, not this period's figure.
_BASE_BEFORE = compile_cached(
    r"(?:比|较|同比|与|相比|相对)(?:于)?(?:去年|上年|前年|上一年|上年度|去年同期|上年同期|同期|上年末|去年末|"
    # 比2022年的3498亿元增长18.2%: the year named
    r"年初|上月|上季度|上半年|一年前|\d{4}年(?:同期|末|底)?)?(?:的|为)?[（(]?$")
# 与2010年第六次全国人口普查的361.6万人相比: the figure before 相比 is the base
_COMPARED = ("相比", "比较", "相较")
_COMPARED_WITH = compile_cached(r"[与同跟和较]")
_BASE_PERIOD = compile_cached(r"(?:去年|上年|前年)(?:同期|末|底)?(?:的|为|是|达|达到|仅|仅为|共|有)?$")
# Words that end a name: what stands between a name and its figure.
_NAME_TAIL = ("达到", "达", "为", "是", "有", "共计", "共", "累计", "合计", "总计", "实现", "完成", "仅",
              "已达", "已", "高达", "增至", "升至", "降至", "提高到", "增加到", "扩大到", "到", "至", "约",
              "的", "在", "由", "从", "其中", "占", "分别为", "分别")
_NAME_HEAD = ("其中", "全年", "年末", "年底", "年初", "今年", "去年", "上年", "本年", "当年", "同期",
              "前三季度", "上半年", "下半年", "一季度", "二季度", "三季度", "四季度", "第一季度", "第二季度",
              "第三季度", "第四季度", "实现", "完成", "共计", "共", "累计", "合计", "总计", "初步核算", "我省",
              "我市", "我区", "我县", "此外", "同时", "另有", "另", "并且", "并", "以及", "和", "及",
              "达到", "达", "末", "底", "月", "季度", "年度", "年", "的")
# matched backwards from the end of a name (a forward search would try every start)
_COMPARISON_TAIL = compile_cached(r"(?:同比|比|较|与)(?:去年|上年|前年|上年度|一年前)?(?:同期|末|底)?$", regex.REVERSE)
_COMPARISON_WORD = compile_cached(r"占|比|较|相当于|同比|环比")
_BRACKETS = compile_cached(r"\([^()]*\)|（[^（）]*）|\([^()]*$|（[^（）]*$")
_NAME_WINDOW = 40   # a name is the last few words before its figure
_NAMES_KEPT = 65536  # runs of words kept trimmed by a Linker (see name_of)
# a rate named after a metric's name measures something of it (游客满意度, 企业参保率,
# 价格指数), so the metric is not what the rate is a share or a change of
_PROPERTY_WORDS = "度|率|指数"
_PROPERTY_OF = compile_cached(rf"\p{{Han}}{{0,4}}?(?:{_PROPERTY_WORDS})")
_PROPERTY_NAME = compile_cached(rf"(?:{_PROPERTY_WORDS})$")
# 进口占出口总额的: a share's part or whole named but not stated in its sentence is the
# latest figure of that name at most this many characters before it, not one from
# another section of a long document (and streamed windows see as far)
SHARE_REACH = 2000
_NAME_RUN = compile_cached(r"[\p{Han}A-Za-z()（）]+$", regex.REVERSE)
# an age group is part of its figure's name (0—14岁人口, 60岁及以上人口): without it, the
# figures of every group had one name, 岁人口, and read as one figure stated twice
_AGED_NAME_RUN = compile_cached(r"(?:\d{1,3}\s*(?:[—–\-~至到]\s*\d{1,3}\s*)?周?岁[\p{Han}A-Za-z()（）]*"
                                r"|[\p{Han}A-Za-z()（）]+)$", regex.REVERSE)
_COMPARABLE_NOTE = compile_cached(r"(?:增长速度|增速|增长率|发展速度|增幅)[^。\n]{0,12}按可比价(?:格)?计算"
                                  r"|按可比价(?:格)?计算[^。\n]{0,12}(?:增长速度|增速|增长率|发展速度|增幅)")
_COMPARABLE_HERE = compile_cached(r"按可比价(?:格)?计算|可比价|不变价|扣除价格因素|可比口径|同口径")
_REAL_GROWTH = ("实际增长", "实质增长", "实际下降", "实质下降")
_FORECAST = compile_cached(r"预计|预期|有望|力争|计划|目标|将达|将突破|将超过|将实现")
# rates over another base than the same period a year before: 比年初, 环比, 比2005年, 年均, 累计
_NOT_YOY = compile_cached(r"(?:比|较)(?:年初|上月|上季度|上季|上半年|前三季度|一季度|二季度|三季度|上旬|\d{4}年|[一二三四五六七八九十]+五末"
                          # 比9月末增加524万平方米，同比增长10.6%: over the month before
                          r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:末|底|份|初)?)"
                          r"|环比|年均|平均每年|年平均|累计"
                          # a gap to another place's rate (比全国高0.8个百分点), not a rate of its own
                          r"|(?:比|较|高于|低于|快于|慢于)(?:全国|全省|全市|全区|全州|全县|全球|平均水平)")
# a growth rate averaged over years (由261.5亿元增加到351.4亿元，年均增长6.1%)
_AVERAGE_RATE = compile_cached(r"年均|年平均|平均每年|平均年")
# an average (人均可支配收入, 日均新登记, 每千人口医师) is no part of anything, nor a whole: a
# 其中 after 全体居民人均收入 lists 城镇居民人均收入, which is larger
_AVERAGE = compile_cached(r"人均|平均|日均|月均|年均|户均|均价|每")
_NAMED_YEAR_BASE = compile_cached(r"(?:比|较)(\d{4})年")
# 同比多增1203.6亿元: how much more a balance rose than the year before, no figure of
# its own (the verb is no growth verb after 多/少: lexicon's verb_blockers)
_MORE_THAN_BEFORE = ("多增", "少增", "多减", "少减")
# a metric's name after these is a figure per person or household (人均进出口总额), unless
# the whole word is a metric's own name (人均可支配收入, 人均地区生产总值)
_PER_HEAD = ("人均", "户均")
# words that give a rate a base of its own (同比, 比上年, 环比, 年均…)
_OWN_BASE = compile_cached(r"比|较|环比|年均|平均每年|年平均|累计|基础上")
_RECORD = compile_cached(r"新高|历史最高|最高水平|创纪录|历史纪录")
_UP_VERBS = ("扩大", "增加", "提高", "上升", "增长", "上涨", "提升", "攀升", "增至", "升至", "新高")
_DOWN_VERBS = ("下降", "减少", "降低", "缩小", "缩减", "回落", "下滑", "下跌", "降至", "缩短")
_FROM_TO = compile_cached(r"(?:由|从)(?:原来的|原先的|过去的|以前的|去年的|上年的)?$")
_TO = compile_cached(r"^[\p{Han}]{0,8}?(?P<verb>扩大|增加|提高|上升|增长|上涨|提升|下降|减少|降低|缩小|缩减|回落)?(?:到|至)$")
_FORWARD = compile_cached(r"^[，,]?\s*(?:达到|达|为|至|增至|升至|降至|提高到|增加到|扩大到|减少到|下降到|降低到)$")
# 去年同期为X, 去年同期出口额为X: X is the figure of the same period a year before
_SAME_PERIOD = compile_cached(r"(?:去年|上年)同期(?:(?![增降减提扩下上])\p{Han}){0,8}?(?:为|是|达|达到|仅|仅为|共|有|的)?$")
_BASIS_AFTER = compile_cached(r"^(?:的)?基础上")
_ADJACENT_BASE = compile_cached(r"(?:末|底)?(?:的)?(?:为|是)?[（(]?")
_HAN_ONLY = compile_cached(r"[\p{Han}]*")
_ENUMERATION = compile_cached(r"以及|、|和|及|与")
_LIST_MARK = compile_cached(r"[市省县区州]?(?:以及|、|和|及|与|,|，)")
_LIST_GOES_ON = compile_cached(r"[市省县区州]?等")
# what 占…的 says of a whole that is the total of the 其中 before it
_TOTAL_WORDS = frozenset({"", "总人口", "人口总数", "总数", "总量", "总额", "总值", "全部", "整体", "总体"})
_PLACE_TAIL = compile_cached(r"(?:[两二三四五六七八九十]+(?=[市省县区州]))?[市省县区州]?")
_LIST_CONTINUES = compile_cached(r"[、,，和及与]?[\p{Han}]{0,6}")
_WHOLE_WORDS = compile_cached(r"[^，,。；;的]*?(?=的|比重|比例|份额|约|达|为|[，,。；;]|$)")
# 上年 after these is the base of a comparison too, as in 高于上年, and after 由, 从, 是 or 为
# when (末)的 follows it: 由上年的X调整为Y (X alone is last year's), 是上年的1.5倍 (not 特别是今年,
# 从去年以来). Taken as a period of its own, it would also become the year that 全年, 1-9月
# and 一季度 after it resolve to, to the end of the document.
# 惟只及2018年6,514.8万人次的52.2%: the year of the comparison, not of the figures after it
_BASE_LEAD = compile_cached(r"(?:比|较|同比|与|相比|相当于|高于|低于|快于|慢于|多于|少于|超过|只及|仅及|不及)$")
_BASE_OF_LEAD = compile_cached(r"(?:[由从是为]|恢复至|恢复到|相当于)$")
_BASE_OF = compile_cached(r"(?:同期)?(?:末|底)?的")
# a unit of points -> the unit of the rates it changes (个百分点: %, 个千分点: ‰)
_POINTS_OF = points_of()
_RATES_IN_POINTS = frozenset(_POINTS_OF.values())
# how far back a bracket that holds a period word may open
_ASIDE_REACH = 40
# a period word in brackets: the base of no comparison, the period of the figures in its
# brackets only (the key of a period mention is (period, base), base false, True, this or
# _BREAKDOWN)
_ASIDE = 2
# a period word of a breakdown by period (分季度看，一季度增长4.5%，…四季度增长5.3%。分产业看，
# 第一产业增加值…): the period of the figures right after it in its sentence, not of the
# next sentences, which are the year's again
_BREAKDOWN = 3
_BREAKDOWN_CUE = compile_cached(r"(?:分|按|从)(?:季度|季|月度|月份|月)(?:看|分|来看)")
_BREAKDOWN_CUE_REACH = 60
_BREAKDOWN_REACH = 300   # past that, the year's again (bounds the search for a sentence's end)
# an earlier year's figure said by the way (…；2021年为42071.6亿元。): after the year
_EARLIER_STATED = ("为", "是", "达")


def _flag(bit: int, doc: str) -> property:
    def get(self) -> bool:
        return bool(self.flags & bit)

    def set(self, value: bool) -> None:
        self.flags = self.flags | bit if value else self.flags & ~bit

    return property(get, set, doc=doc)


_IS_BASE, _IS_FORECAST, _IS_COMPARABLE, _IS_YOY, _IS_SHARE_OF_TOTAL, _SHARES_BASE, _IS_AVERAGE = 1, 2, 4, 8, 16, 32, 64


@dataclass(slots=True)
class ClaimInfo:
    """What linking learned about one claim beyond the Claim's own fields. Its yes/no
    facts are bits of `flags`, read and set by name: a slot for each of them took 32
    bytes a claim more, a twentieth of a figure-dense document's peak."""

    name: str = ""              # the words naming the figure: 进出口总额, 城镇人口, 货值
    mention: Optional[str] = None   # the metric name that gave the claim its metric
    paragraph: int = 0          # line of the normalized text
    sentence: int = 0           # index of its sentence (。！？ and new lines)
    flags: int = _IS_YOY

    base = _flag(_IS_BASE, "the base of a comparison (比去年X, 在去年X的基础上)")
    forecast = _flag(_IS_FORECAST, "预计, 有望, 目标: not a stated fact")
    comparable = _flag(_IS_COMPARABLE, "a rate at comparable prices (按可比价格计算, 实际增长)")
    yoy = _flag(_IS_YOY, "a growth rate over the same period of the year before")
    share_of_total = _flag(_IS_SHARE_OF_TOTAL, "a share stated with 占…的 / 比重")
    shares_base = _flag(_SHARES_BASE, "a rate with no base of its own right after a rate of the same figure "
                                      "that has one (比年初增加X，增长Y%): over that rate's base")
    average = _flag(_IS_AVERAGE, "a rate averaged over years (年均增长6.1%): not between two figures a year apart")


@dataclass(slots=True)
class Prior:
    current: str
    prior: str
    cue: str                    # 比, 基础上, 同期, 由…到
    sign: int = 0               # +1 / -1 when the words say it rose / fell, else 0
    start: int = 0              # normalized span of the cue
    end: int = 0


@dataclass(slots=True)
class Part:
    part: str
    whole: str
    cue: str                    # 其中, 占


@dataclass(slots=True)
class Share:
    share: str
    part: Optional[str]
    whole: Optional[str]
    cue: str


@dataclass(slots=True)
class ListIssue:
    """A 分别 list whose values and subjects do not pair up."""

    values: list[str]
    subjects: list[str]         # claim ids of the figures, or names when no figure is stated
    start: int                  # normalized span of the list
    end: int


@dataclass
class Links:
    info: dict[str, ClaimInfo] = field(default_factory=dict)
    priors: list[Prior] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    lists: list[ListIssue] = field(default_factory=list)
    records: list[str] = field(default_factory=list)   # figures stated as a new high (新高)
    comparable_document: bool = False
    from_text: bool = True
    rules: Optional[RuleSet] = field(default=None, repr=False, compare=False)   # the rules linked with

    def get(self, claim_id: str) -> ClaimInfo:
        found = self.info.get(claim_id)
        if found is None:
            found = self.info[claim_id] = ClaimInfo()
        return found


def _in_sentence(claim: Optional[Claim], floor: int) -> Optional[Claim]:
    """`claim`, the nearest of some kind before another, when it lies in the other's
    sentence (starting at `floor`): claims do not overlap and come in order, so it does
    when it ends after the sentence's start."""
    return claim if claim is not None and claim.norm_end > floor else None


@dataclass
class _Mentions:
    starts: Sequence[int]   # an array (see `empty`), or a list
    ends: Sequence[int]
    keys: list

    @classmethod
    def empty(cls, text: str) -> "_Mentions":
        """Positions in arrays of 4 bytes (8 past 2^31 characters): in lists, each was an
        int object of 32 bytes and a pointer."""
        kind = _position_kind(len(text))
        return cls(array(kind), array(kind), [])

    @classmethod
    def scan(cls, pattern: "Optional[regex.Pattern[str]]", text: str, key) -> "_Mentions":
        found = cls.empty(text)
        if pattern is None:
            return found
        for m in pattern.finditer(text):
            found.starts.append(m.start())
            found.ends.append(m.end())
            found.keys.append(key(m))
        return found

    def before(self, position: int, floor: int) -> Iterator[int]:
        """Indexes of mentions ending at or before `position` and starting after `floor`,
        nearest first. Lazily: the callers stop at the first that fits, and a floor far
        back (a line of a whole document) would make a list of them quadratic."""
        k = bisect.bisect_right(self.ends, position)
        while k > 0:
            k -= 1
            if self.starts[k] < floor:
                return
            if self.ends[k] <= position:
                yield k

    def nearest(self, positions: array, floors: Sequence[int]) -> Sequence[int]:
        """For every position at once, the first index `before(position, floor)` gives,
        or -1: the mentions do not overlap, so the one ending last at or before the
        position is it, when it starts at or after the floor."""
        if len(positions) < VECTOR_FROM:
            return [next(self.before(p, floor), -1) for p, floor in zip(positions, floors)]
        if not self.ends:
            return _int_array(np.full(len(positions), -1))
        # np.asarray reads an array('i') or ('q') in its own item size, and a list too
        last = np.searchsorted(np.asarray(self.ends), np.asarray(positions), side="right") - 1
        starts = np.asarray(self.starts)[np.maximum(last, 0)]
        return _int_array(np.where((last >= 0) & (starts >= np.asarray(floors)), last, -1))

    def inside(self, start: int, end: int) -> list[int]:
        """Indexes of mentions lying wholly inside [start, end), in order."""
        k = bisect.bisect_left(self.starts, start)
        out = []
        while k < len(self.starts) and self.starts[k] < end:
            if self.ends[k] <= end:
                out.append(k)
            k += 1
        return out


def infer_reference_year(text: str) -> Optional[int]:
    """The latest year written as `YYYY年` in the text: interviews and bulletins speak of
    今年 in the year of their newest dated fact. A year followed by a day (2011年2月28日,
    the day a bulletin on 2010 was published: its 上年 is 2009) counts only when there is
    no other."""
    years, dated = stated_years(text)
    years = years or dated
    return max(years) if years else None


def stated_years(text: str) -> tuple[list[int], list[int]]:
    """The years from 1949 to 2100 written as `YYYY年` in the text, (those not followed by
    a day nor alone on their line with a month, those that are), but not the base of a
    comparison (比2009年, 与2010年).
    Bulleted lines are left out: web pages end with lists of links to later articles."""
    body = "\n".join(line for line in text.splitlines() if not _LIST_ITEM.match(line))
    years: list[int] = []
    dated: list[int] = []
    for m in _YEAR.finditer(body):
        if m.start() and body[m.start() - 1].isdecimal():   # what \d matches
            continue
        year = int(m.group(1))
        if 1949 <= year <= 2100 and not _BASE_LEAD.search(body[max(0, m.start() - 3):m.start()]):
            # not the base of a comparison (较2017年压缩63.5%): a report on 2022 that names no
            # other year is not a report on 2017
            dateline = (m.start() == 0 or body[m.start() - 1] == "\n") and _DATELINE_REST.match(body, m.end())
            (dated if dateline or _DAY_AFTER.match(body, m.end()) else years).append(year)
    return years, dated


def literal_words(words) -> "re.Pattern[str]":
    """One pattern matching any of `words` (longest first at a position), as a trie of
    escaped literals compiled by the standard `re`: a literal trie cannot backtrack, so
    it needs no timeout, and `re` scans it 5-6 times faster than `regex` scans the same
    trie or a named list (measured on the seed: 10 ms against 65 ms for 570k characters)."""
    trie: dict = {}
    for word in words:
        if word:
            node = trie
            for ch in word:
                node = node.setdefault(ch, {})
            node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(build(trie))


_HAN = r"[\u4e00-\u9fff]"
# a news agency's dateline (新华社北京1月17日电): where the story was filed, not what its
# figures are of (national ones, there)
_DATELINE = re.compile(r"\d{1,2}月\d{1,2}日电")


class _Place:
    """A place found by its shape, as the listed ones' matches are read."""

    __slots__ = ("_start", "_end", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self) -> str:
        return self._text


class _Places:
    """The subjects the rules list (a literal trie, longest first), and places of the
    rules' `unnamed_places` shape: two or three characters, none of `not_in_name`, and
    a suffix (not 市场), at the start of a clause or line or after a year, with a
    metric's name at most `gap` characters on (分市看，合肥市常住人口城镇化率达到85.28%: a
    city the list does not name, whose figure had no subject and was weighed against
    the province's). Where both could start, the listed place is found. The shape is
    looked for from its suffix: a pattern that may start at any character made the
    scan of a text's places twelve times slower (5% of `check`)."""

    def __init__(self, rules: RuleSet, metric_pattern: "Optional[re.Pattern[str]]") -> None:
        self.listed = literal_words(rules.subjects) if rules.subjects else None
        self.suffixes = self.name = None
        shape = rules.unnamed_places
        if shape and metric_pattern is not None:
            barred = "".join(shape.get("not_in_name", []))
            char = rf"(?![{re.escape(barred)}]){_HAN}" if barred else _HAN
            gap = int(shape.get("gap", 0))
            self.suffixes = re.compile(rf"[{re.escape(''.join(shape['suffixes']))}](?!场)"
                                       rf"(?={_HAN}{{0,{gap}}}?(?:{metric_pattern.pattern}))")
            self.name = re.compile(rf"(?:(?<=[,，。;；:：、!！?？\n(（ ])|(?<=\d年)|^)(?:{char}){{2,3}}")

    def __bool__(self) -> bool:
        return self.listed is not None or self.suffixes is not None

    def finditer(self, text: str) -> Iterator:
        listed = self.listed.finditer(text) if self.listed is not None else iter(())
        if "日电" in text:
            listed = (m for m in listed if not _DATELINE.match(text, m.end()))
        shaped = list(self._shaped(text))
        if not shaped:   # most texts, and the short runs of words 分别 lists are read in
            return listed
        return self._merged(listed, iter(shaped))

    @staticmethod
    def _merged(listed: Iterator, shaped: Iterator) -> Iterator:
        a, b = next(listed, None), next(shaped, None)
        end = 0
        while a is not None or b is not None:
            if b is None or (a is not None and a.start() <= b.start()):
                found, a = a, next(listed, None)
            else:
                found, b = b, next(shaped, None)
            if found.start() >= end:
                end = found.end()
                yield found

    def search(self, text: str):
        return next(self.finditer(text), None)

    def _shaped(self, text: str) -> Iterator[_Place]:
        if self.suffixes is None:
            return
        for suffix in self.suffixes.finditer(text):
            at = suffix.start()
            for start in (at - 3, at - 2):
                if start >= 0 and self.name.fullmatch(text, start, at):
                    yield _Place(start, at + 1, text[start:at + 1])
                    break


@lru_cache(maxsize=16)
def _lookup_table(characters: str) -> np.ndarray:
    """True at the code points of `characters` (in the BMP), for a text's 2-byte codes: a
    lookup table, where np.isin sorts or offsets the whole text's codes in 8-byte ints,
    four times the text's size at linking's peak. Made once, not per document: on a
    one-paragraph document, making the four took a tenth of the time."""
    table = np.zeros(0x10000, dtype=np.bool_)
    table[code_points(characters)] = True
    table.flags.writeable = False
    return table


def _bmp_codes(text: str) -> np.ndarray:
    """The text's code points in 2 bytes each, those past the BMP as U+FFFF: the
    characters that end sentences, clauses and lines are all in the BMP (U+FFFF is none
    of them), so one small table serves every text, and a text past the BMP costs no
    table as long as Unicode (1.1 MB for each kind of end, per document)."""
    codes = code_points(text)
    if codes.dtype == np.uint16:
        return codes
    return np.minimum(codes, 0xFFFF, out=np.empty(codes.size, dtype=np.uint16), casting="unsafe")


# From this many positions on, the lookups of all of them at once go through numpy: below
# it, the calls' own cost (a few µs each) made one-paragraph documents 7% slower
VECTOR_FROM = 64


def _position_kind(length: int) -> str:
    """The array type for positions in a text of `length` characters (see
    `offsets.position_type`): figure-dense text has a clause every ten characters, and
    linking keeps a few positions per claim."""
    return "i" if position_type(length) is np.int32 else "q"


def _int_array(values: np.ndarray) -> array:
    """Integers (positions, indexes, -1) as an array of 4 bytes each, or 8 where one does
    not fit: read back as ints at list speed, where a list holds an int object of 32 bytes
    and a pointer per item."""
    if values.size and (int(values.max()) >= 2 ** 31 or int(values.min()) < -2 ** 31):
        return array("q", values.astype(np.int64, copy=False).tobytes())
    return array("i", values.astype(np.int32, copy=False).tobytes())


class _Bounds:
    """Sorted starts of the pieces a text (given as its code points) is cut into after any
    of some characters."""

    def __init__(self, characters: str, codes: np.ndarray):
        """`codes` in 2 bytes each (see `_bmp_codes`); the characters are in the BMP."""
        # 4 bytes a start (see _position_kind), not an int object of 32 and a pointer to
        # it in a list: figure-dense text has a clause every ten characters
        kind = _position_kind(codes.size + 1)
        found = np.flatnonzero(_lookup_table(characters)[codes]).astype(kind)   # numpy reads the type code
        found += 1
        self.starts = array(kind, [0])
        self.starts.frombytes(found.tobytes())

    def _indexes(self, positions: array) -> np.ndarray:
        # np.asarray reads each array in its own item size (positions may come as 'q')
        found = np.searchsorted(np.asarray(self.starts), np.asarray(positions), side="right")
        found -= 1
        return found

    def indexes(self, positions: array) -> Sequence[int]:
        """`index` of every position at once (the claims' starts: one bisect each from
        Python was a twentieth of linking)."""
        if len(positions) < VECTOR_FROM:
            return [self.index(p) for p in positions]
        return _int_array(self._indexes(positions))

    def floors(self, positions: array) -> Sequence[int]:
        """`floor` of every position at once."""
        if len(positions) < VECTOR_FROM:
            return [self.floor(p) for p in positions]
        return _int_array(np.asarray(self.starts)[self._indexes(positions)])

    def floor(self, position: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, position) - 1]

    def index(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1

    def ceiling(self, position: int, length: int) -> int:
        """Start of the next piece after `position` (the end of the piece holding it)."""
        k = bisect.bisect_right(self.starts, position)
        return self.starts[k] if k < len(self.starts) else length


# the last word of a name that names a quantity of its own (晚稻产量, 税收收入, 工业投资)
_QUANTITY_NOUNS = ("产量", "收入", "人数", "投资", "额", "量", "支出", "面积")


class Linker:
    def __init__(self, rules: RuleSet):
        self.rules = rules
        names: dict[str, str] = {}
        for metric in rules.metrics:
            for name in metric.names:
                names.setdefault(name, metric.id)
        # words that hold a metric's name and name none (人口普查, 出口退税): found as
        # mentions of no metric, so that the name inside them is not one
        for word in rules.not_names:
            names.setdefault(word, "")
        self.metric_by_name = names
        # the metric each of those words holds, and its name (人口普查: population, 人口)
        self._named_inside: dict[str, tuple[str, str]] = {}
        for word in rules.not_names:
            inside = [n for n in names if names[n] and n != word and n in word]
            # 每千人口执业医师3.28人: a figure per a quantity is never that quantity, even
            # when its sentence names nothing else
            if inside and not word.startswith("每"):
                name = max(inside, key=len)
                self._named_inside[word] = (names[name], name)
        self.metric_pattern = literal_words(names) if names else None
        self.subject_pattern = _Places(rules, self.metric_pattern) if rules.subjects or rules.unnamed_places else None
        self.metrics = {m.id: m for m in rules.metrics}
        self._row_metrics = frozenset(m for ratio in rules.ratios for m in ratio.metrics)
        self.ruleset = {m.id: m.ruleset for m in rules.metrics}
        # one string per rule, shared by its claims (a claim per 50 characters, on dense text)
        self._rule_ids = {m.id: f"{m.ruleset}/{m.id}" for m in rules.metrics}
        self._mention_end = -1
        # a place with its 市 or 省 (成都市地区生产总值: 地区生产总值, where the name was
        # 市地区生产总值 and matched no figure named without the place); not 市场. (An
        # empty named list matches the empty string: no places, no such branch.)
        places = r"(?:\L<places>)(?:[市省县区州](?!场))?|" if rules.subjects else ""
        # 在 as a preposition (在全省…), not as a word's first character (在校生, 在岗职工, 在建项目);
        # 其 as "its", not in 其他 and 其余
        self._heads = compile_cached(rf"^(?:{places}\L<heads>|在(?![校园学岗册职读建库线网营编押研])|其(?![他余]))",
                                     ignore_unused=True,
                                     places=sorted(rules.subjects, key=len, reverse=True),
                                     heads=sorted(_NAME_HEAD, key=len, reverse=True))
        self._tails: dict[str, tuple[str, ...]] = {}   # by last character, longest first
        self._names: dict[str, str] = {}   # name_of's runs of words, trimmed
        for tail in sorted(_NAME_TAIL, key=len, reverse=True):
            self._tails[tail[-1]] = self._tails.get(tail[-1], ()) + (tail,)

    # ---- the claims' own fields ------------------------------------------------------

    def link(self, text: str, claims: list[Claim], reference_year: Optional[int]) -> Links:
        links = Links(rules=self.rules)
        codes = _bmp_codes(text)
        sentences = _Bounds(_SENTENCE_ENDS, codes)
        full = _Bounds(_FULL_ENDS, codes)
        clauses = _Bounds(_CLAUSE_ENDS, codes)
        lines = _Bounds("\n", codes)
        del codes
        metrics = _Mentions.scan(self.metric_pattern, text, lambda m: self.metric_by_name[m.group()])
        subjects = _Mentions.scan(self.subject_pattern, text, lambda m: sys.intern(m.group()))
        periods = _period_mentions(text, reference_year)
        plain_periods: list[int] = []   # the nearest period mention at or before each that is no base
        last_plain = -1
        for k, (_, base) in enumerate(periods.keys):
            if not base:
                last_plain = k
            plain_periods.append(last_plain)
        # where each claim starts, in the bounds: [0] is the text's start, so the k-th
        # piece of a bounds starts at its starts[k]
        at = array(_position_kind(len(text)), [c.norm_start for c in claims])
        line_of, sentence_of = lines.indexes(at), full.indexes(at)
        sentence_floors, clause_floors, line_floors = sentences.floors(at), clauses.floors(at), lines.floors(at)
        subject_of = subjects.nearest(at, sentence_floors)
        period_of = periods.nearest(at, line_floors)
        del at

        # pass 1: where each claim stands, what names it, whether it is a base or a forecast
        previous_end = 0
        paragraph = sentence = -1
        for index, claim in enumerate(claims):
            info = links.get(claim.id)
            # the claims of a line or a sentence share one int object for it, where each
            # read of the array makes a new one: 64 bytes a claim on figure-dense text
            if line_of[index] != paragraph:
                paragraph = line_of[index]
            if sentence_of[index] != sentence:
                sentence = sentence_of[index]
            info.paragraph, info.sentence = paragraph, sentence
            clause_floor = clause_floors[index]
            before = text[max(clause_floor, previous_end if previous_end <= claim.norm_start else 0):claim.norm_start]
            # a share too: 比上年末（59.27%）提高0.54个百分点, 比上年的27.9%提高
            info.base = (claim.role in _FIGURE_ROLES or claim.role == "share") and (
                bool(_BASE_BEFORE.search(before[-16:])) or bool(_SAME_PERIOD.search(before[-24:]))
                or (text.startswith(_COMPARED, claim.norm_end) and bool(_COMPARED_WITH.search(before))))
            info.forecast = bool(_FORECAST.search(
                text[max(sentence_floors[index], claim.norm_start - 60):claim.norm_start]))
            if claim.role in _FIGURE_ROLES or claim.role == "share":
                info.name = self.name_of(before)
            previous_end = claim.norm_end

        # pass 2: metric, subject, period, and the figure a rate qualifies
        previous: Optional[Claim] = None
        # the nearest figure that is no base, and the nearest percentage rate, before each
        # claim, kept as the claims go by: found by walking back instead, a sentence of
        # rates and no figure (增长5%，增长5%，… with no full stop) took time quadratic in
        # its length (2 MB of it, hours)
        last_figure: Optional[Claim] = None
        last_rates: dict[str, Claim] = {}   # the nearest rate in % and in ‰
        for index, claim in enumerate(claims):
            info = links.info[claim.id]
            floor = sentence_floors[index]
            self._continue_list(text, claim, previous)
            target: Optional[Claim] = None
            if claim.metric is not None and claim.role == "share" and claim.metric in self._row_metrics:
                # a term of a ratio row (三次产业结构为7.7:39.5:52.8): extraction named it by
                # its place in the row; it qualifies no figure
                claim.refers_to, info.mention = None, None
            elif claim.role in _RATE_ROLES or claim.role == "change":
                target = self._qualified_figure(index, claims, floor, clause_floors[index], text, links, subjects,
                                                metrics, last_figure, last_rates)
                claim.refers_to = target.id if target is not None else None
                if target is not None:
                    claim.metric = target.metric
                else:
                    claim.metric, info.mention = self._metric(claim, metrics, floor, text, any_dimension=True)
            else:
                claim.metric, info.mention = self._metric(
                    claim, metrics, floor, text, any_dimension=claim.dimension == "number")
                if claim.metric and info.name.endswith(_QUANTITY_NOUNS) and self._mention_end <= clause_floors[index]:
                    # 早稻产量89.6万吨，晚稻产量236.8万吨 (税收收入, 工业投资): named as a quantity
                    # of its own in its clause, by words that are no metric's, a figure is not
                    # of the metric an earlier clause named (按年平均汇率折算为4408美元 is)
                    claim.metric, info.mention = None, None
            self._set_rule(claim)
            if (not info.name and info.mention and claim.role in _FIGURE_ROLES
                    and (previous is None or previous.norm_end <= self._mention_end)):
                # 出口总额创历史新高，达到188.4亿美元: the first figure after the metric's name
                info.name = self.name_of(info.mention)
            nearest = subject_of[index]
            claim.subject = subjects.keys[nearest] if nearest >= 0 else None
            claim.period = self._period(text, claim, periods, period_of[index], line_floors[index], plain_periods)
            if target is not None:
                # 较去年同期增长5%: 去年同期 is the base; the rate is of the figure's period,
                # unless brackets give it its own (城镇化率为68.26%（上年为67.64%）)
                if target.period is not None and not info.base and not _aside_of(text, claim, periods, period_of[index]):
                    claim.period = target.period
                claim.subject = target.subject
            if claim.role in ("growth", "change"):
                clause_start = max(clause_floors[index], claim.norm_start - CLAUSE_REACH)
                lead = text[clause_start:claim.norm_start]
                info.yoy = all(_year_before(m.group(), claim.period)
                               for m in _NOT_YOY.finditer(lead + text[claim.norm_start:claim.norm_end]))
                info.average = bool(_AVERAGE_RATE.search(lead[-8:] + text[claim.norm_start:claim.norm_end]))
                if (info.yoy and previous is not None and previous.refers_to == claim.refers_to
                        and claim.refers_to is not None and previous.role in ("growth", "change")
                        and not links.info[previous.id].yoy and not _OWN_BASE.search(lead)):
                    # 比年初增加236.5亿元，增长14.6%: the second rate is over 年初 too
                    info.yoy, info.shares_base = False, True
                # real growth: 实际增长 / 实质增长, or 按可比价格计算 / 扣除价格因素 in the rate's
                # clause or the clause before it (增长11.0%，扣除价格因素，实际增长7.4%: only the second)
                previous_clause = text[max(clauses.floor(max(clause_floors[index] - 1, 0)),
                                           claim.norm_start - 2 * CLAUSE_REACH):claim.norm_start]
                after = text[claim.norm_end:min(clauses.ceiling(claim.norm_end, len(text)), claim.norm_end + 20)]
                info.comparable = (bool(_COMPARABLE_HERE.search(previous_clause))
                                   or bool(_COMPARABLE_HERE.match(after.lstrip("（(")))
                                   or any(w in lead[-6:] for w in ("实际", "实质"))
                                   or any(text.startswith(w, max(0, claim.norm_start - 2)) for w in _REAL_GROWTH))
            if claim.role in _FIGURE_ROLES and not info.base:
                last_figure = claim
            if claim.unit in _RATES_IN_POINTS and claim.role in _RATE_ROLES and not info.base:
                last_rates[claim.unit] = claim
            previous = claim

        # what only passes 1 and 2 read goes before the relations are built, which is
        # linking's peak: on figure-dense text these are about a tenth of it
        del line_of, sentence_of, sentence_floors, clause_floors, line_floors, subject_of, period_of
        del subjects, periods, plain_periods

        # pass 3: relations
        self._respectively(text, claims, links, full, clauses, reference_year)
        # the claims that others refer to, by id: only they are looked up (from here on a
        # claim refers to one of them or to none), where a dict of every claim was a
        # twentieth of linking's peak on figure-dense text
        referred = {c.refers_to for c in claims if c.refers_to}
        by_id = {c.id: c for c in claims if c.id in referred}
        del referred
        self._priors(text, claims, by_id, links, full)
        self._parts(text, claims, links, full, lines)
        self._qualify_parts(claims, links)
        self._shares(text, claims, by_id, links, sentences, clauses)
        links.comparable_document = bool(_COMPARABLE_NOTE.search(text, timeout=scan_timeout(text)))
        self._records(text, claims, links, full)
        for claim in claims:
            # a rate takes the period of the figure it qualifies, even when paired late
            if claim.refers_to and claim.refers_to in by_id:
                target = by_id[claim.refers_to]
                if target.period is not None:
                    claim.period = target.period
        return links

    def _set_rule(self, claim: Claim) -> None:
        claim.rule = self._rule_ids[claim.metric] if claim.metric else None

    def _metric(self, claim: Claim, metrics: _Mentions, floor: int, text: str,
                any_dimension: bool = False) -> tuple[Optional[str], Optional[str]]:
        """The nearest metric named before the claim in its sentence whose dimension fits;
        any metric for a rate with no figure to qualify, or a number with no unit. A word
        that holds a metric's name and names none (人口普查) gives it only when the
        sentence names no other (第六次全国人口普查的361.6万人, but 平均每个家庭户的人口为
        2.76人，比第六次全国人口普查的3.07人: persons per household)."""
        held: Optional[int] = None
        for k in metrics.before(claim.norm_start, floor):
            metric = metrics.keys[k]
            if not metric:
                if held is None:
                    held = k
                continue
            if any_dimension and claim.role == "share" and _PROPERTY_OF.match(text, metrics.ends[k], claim.norm_start):
                break  # 游客满意度90%: a property of visitors, not a share of them
            if text.endswith(_PER_HEAD, 0, metrics.starts[k]):
                break  # 人均进出口总额2.1万美元, 人均R&D经费1881元: per head, not the total
            if any_dimension or self.metrics[metric].accepts(claim.dimension, claim.unit):
                self._mention_end = metrics.ends[k]
                return metric, sys.intern(text[metrics.starts[k]:metrics.ends[k]])
        if held is not None:
            word = text[metrics.starts[held]:metrics.ends[held]]
            inner = self._named_inside.get(word)
            if inner is not None and (any_dimension or self.metrics[inner[0]].accepts(claim.dimension, claim.unit)):
                self._mention_end = metrics.ends[held]
                return inner
        self._mention_end = -1
        return None, None

    @staticmethod
    def _period(text: str, claim: Claim, periods: "_Mentions", k: int, line_floor: int,
                plain_before: list[int]) -> Optional[str]:
        """The period of the nearest period word before the claim in its line (`k`, -1 for
        none); the base of a comparison (比去年) only right before a figure (比去年X: the
        period of X alone; 比上年增长…: of nothing after it). `plain_before[k]`: the
        nearest mention at or before k that is no base (-1 for none)."""
        if k < 0:
            return None
        key, base = periods.keys[k]
        if not base:
            return key
        if _aside_of(text, claim, periods, k) or _of_breakdown(text, claim, periods, k):
            return key   # (2021年全市生产总值为2810.2亿元); 分季度看，一季度增长4.5%
        if (claim.role in _FIGURE_ROLES or claim.role == "share") \
                and _ADJACENT_BASE.fullmatch(text[periods.ends[k]:claim.norm_start]):
            return key
        # a base further back is never adjacent (a nearer period word stands between), so
        # the answer is the nearest plain mention: found in one step, where walking over
        # the bases took time quadratic in a line of 比上年… with no other period word
        j = plain_before[k]
        return periods.keys[j][0] if j >= 0 and periods.starts[j] >= line_floor else None

    def name_of(self, before: str) -> str:
        """The words naming a figure, from the text of its clause before it: 全年全省生产总值
        -> 生产总值, 年末全省常住人口 -> 常住人口, 实现进出口总额 -> 进出口总额."""
        words = before[-_NAME_WINDOW:]
        m = (_AGED_NAME_RUN if "岁" in words else _NAME_RUN).search(words)
        return self._name_of_run(m.group()) if m else ""

    def _name_of_run(self, run: str) -> str:
        """A run of words (`_NAME_RUN`) trimmed to the name it gives (see `name_of`)."""
        name = self._names.get(run)
        if name is None:
            # the same words name many figures: each run is trimmed once
            if len(self._names) >= _NAMES_KEPT:
                self._names.clear()
            name = self._names[run] = self._trimmed(run)
        return name

    def _trimmed(self, name: str) -> str:
        """A run of words before a figure without its brackets, comparisons, heads and
        tails (see `name_of`)."""
        if "(" in name or ")" in name or "（" in name or "）" in name:
            name = _BRACKETS.sub("", name)
            name = name.replace("(", "").replace(")", "").replace("（", "").replace("）", "")
        changed = True
        while changed and name:
            changed = False
            shorter = _COMPARISON_TAIL.sub("", name)
            if shorter != name:
                name, changed = shorter, True
            tail = next((t for t in self._tails.get(name[-1:], ()) if name.endswith(t)), None)
            if tail:
                name, changed = name[:-len(tail)], True
            head = self._heads.match(name)
            if head and head.end() > 0:
                name, changed = name[head.end():], True
        return name

    @staticmethod
    def _continue_list(text: str, claim: Claim, previous: Optional[Claim]) -> None:
        """`分别增长5.43%、32.99%`: a bare percentage right after a growth rate, joined by
        a list separator, is a growth rate too, with the same direction; so is a bare
        change in points (`分别下降0.8个和1.1个百分点`)."""
        if previous is None or previous.role != "growth":
            return
        if claim.role != "share" and not (claim.unit in _POINTS_OF and claim.role == "growth"
                                          and text[claim.norm_start:claim.norm_start + 1].isdigit()):
            return
        between = text[previous.norm_end:claim.norm_start]
        if between in _LIST_JOINERS and claim.dimension == previous.dimension:
            claim.role = "growth"
            if previous.value is not None and previous.value < 0 and claim.value is not None:
                claim.value = -claim.value
                claim.low, claim.high = (
                    -claim.high if claim.high is not None else None,
                    -claim.low if claim.low is not None else None,
                )

    def _qualified_figure(self, index: int, claims: list[Claim], floor: int, clause_floor: int, text: str,
                          links: Links, subjects: _Mentions, metrics: _Mentions,
                          last_figure: Optional[Claim], last_rates: dict[str, Claim]) -> Optional[Claim]:
        """The figure a growth rate, share or change qualifies: the nearest figure before it
        in its sentence that is not the base of a comparison (`last_figure`, the nearest
        before it anywhere); a percentage-point change qualifies the nearest percentage
        (`last_rates`), a change in ‰ points the nearest rate in ‰. None when the rate's own clause names another subject or
        metric (在全国同期整体下降13.9%的情况下), or nothing fits; the figure right after it
        when the next words say so (增长15%，达到3.2亿元). `floor` and `clause_floor`: where
        the rate's sentence and clause start."""
        claim = claims[index]
        if claim.unit in _POINTS_OF:
            return _in_sentence(last_rates.get(_POINTS_OF[claim.unit]), floor)
        candidate = _in_sentence(last_figure, floor)
        if index + 1 < len(claims) and (candidate is None or candidate.norm_end <= clause_floor):
            following = claims[index + 1]
            if (following.role in _FIGURE_ROLES and following.norm_start > claim.norm_end
                    and _FORWARD.match(text[claim.norm_end:following.norm_start])):
                return following
        if candidate is None:
            return None
        # words after 占/比/较 name the whole or the base, not what the rate is of
        if candidate.norm_end <= clause_floor:
            if claim.role == "share" and _PROPERTY_NAME.search(links.info[claim.id].name or ""):
                return None  # ，游客满意度达到90%: a rate of its own, not a share of the figure
            # the rate's own clause may be about something else
            lead_end = _before_comparison(text, clause_floor, claim.norm_start)
            if any(subjects.keys[k] != candidate.subject for k in subjects.inside(clause_floor, lead_end)):
                return None
            named_from = max(clause_floor, candidate.norm_end)
        elif candidate.metric is not None:
            # in the figure's own clause, another metric named between them (a headline with
            # no comma: 外贸进出口1.67万亿元 出口增长13.2%) says the rate is of something else
            lead_end = _before_comparison(text, candidate.norm_end, claim.norm_start)
            named_from = candidate.norm_end
        else:
            return candidate
        if any(metrics.keys[k] and metrics.keys[k] != candidate.metric for k in metrics.inside(named_from, lead_end)):
            return None
        return candidate

    # ---- 分别 ------------------------------------------------------------------------

    def _respectively(self, text: str, claims: list[Claim], links: Links, full: _Bounds, clauses: _Bounds,
                      reference_year: Optional[int]) -> None:
        starts = [c.norm_start for c in claims]
        for m in re.finditer("分别", text):
            k = bisect.bisect_left(starts, m.end())
            if k >= len(claims):
                continue
            first = claims[k]
            gap = text[m.end():first.norm_start]
            if len(gap) > 8 or _CLAUSE_END.search(gap) or not _HAN_ONLY.fullmatch(gap):
                continue
            values = [first]
            j = k + 1
            while j < len(claims):
                between = text[values[-1].norm_end:claims[j].norm_start]
                if between.strip() not in _LIST_JOINERS:
                    break
                values.append(claims[j])
                j += 1
            # 分别增长a%、b%: rates of the figures before; 分别为a%、b% (shares, like figures):
            # values of the names before
            rates = all(v.role in ("growth", "change") for v in values)
            figures = all(v.role in _FIGURE_ROLES or v.role == "share" for v in values)
            if len(values) < 2 or not (rates or figures):
                continue
            sentence_floor = full.floor(m.start())
            if rates:
                group = []
                # the figures of the semicolon's clause: 春节…42.6亿元；"五一"…386.5万人次，
                # 35.8亿元，分别增长86.2%和92.5% are of the last two
                group_floor = max(sentence_floor, text.rfind("；", sentence_floor, m.start()) + 1,
                                  text.rfind(";", sentence_floor, m.start()) + 1)
                for back in range(k - 1, -1, -1):
                    c = claims[back]
                    if c.norm_end <= group_floor:
                        break
                    if c.role in _RATE_ROLES or c.role == "change":
                        break
                    if c.role in _FIGURE_ROLES and not links.info[c.id].base:
                        group.append(c)
                group.reverse()
                # the words before 分别, read back a clause's reach at most (with no clause
                # mark, the whole text before it was read for each 分别)
                near = max(sentence_floor, m.start() - CLAUSE_REACH)
                lead = text[max(near, group[-1].norm_end if group else near):m.start()]
                if len(group) > len(values):
                    # a 其中 among the figures: those after it (one before them changes nothing)
                    qi = text.rfind("其中", group[0].norm_start, m.start())
                    if qi >= 0:
                        group = [c for c in group if c.norm_start > qi]
                if group and len(group) == len(values):
                    for value, figure in zip(values, group):
                        value.refers_to = figure.id
                        value.metric = figure.metric
                        value.subject = figure.subject   # as pass 2 gives a rate its figure's
                        if figure.period is not None:
                            value.period = figure.period
                        self._set_rule(value)
                elif group:
                    for value in values:
                        value.refers_to = None
                    links.lists.append(ListIssue([v.id for v in values], [c.id for c in group],
                                                 group[0].norm_start, values[-1].norm_end))
                else:
                    words = text[max(clauses.floor(m.start()), near):m.start()]
                    for value in values:
                        value.refers_to = None
                    self._give_list(words, lead, values, links, reference_year, values[0].norm_start)
            else:
                clause_floor = max(clauses.floor(m.start()), m.start() - CLAUSE_REACH)
                clause_floor = self._list_clause_before(text, clauses, clause_floor, sentence_floor, reference_year)
                words = text[clause_floor:m.start()]
                self._give_list(words, "", values, links, reference_year, clause_floor)

    def _list_clause_before(self, text: str, clauses: _Bounds, floor: int, sentence_floor: int,
                            reference_year: Optional[int]) -> int:
        """`floor`, or the start of the clause before it when that clause is a list of
        periods or places and nothing else (2018年、2019年和2020年，全市地区生产总值分别为…):
        such a list was not read, and the three values were one figure stated thrice."""
        if floor <= sentence_floor or floor < 2 or text[floor - 1] not in "，,":
            return floor
        before = max(clauses.floor(floor - 1), sentence_floor, floor - CLAUSE_REACH)
        words = text[before:floor - 1]
        for mentions in (_Mentions.scan(self.subject_pattern, words, lambda m: m.group()),
                         _period_mentions(words, reference_year)):
            listed = _listed(words, mentions)
            if listed and not words[:mentions.starts[listed[0]]].strip() \
                    and _PLACE_TAIL.match(words, mentions.ends[listed[-1]]).end() == len(words.rstrip()):
                return before
        return floor

    def _give_list(self, words: str, fallback: str, values: list[Claim], links: Links,
                   reference_year: Optional[int], start: int) -> None:
        """The lists before 分别 (`words`; `fallback`: where names are read when `words`
        has none) give its values, in order:
        - places and periods (成都市和绵阳市…分别为a、b; 2009年和2010年…分别为a、b): each
          value took the one nearest before it, the list's last, and two values of one
          list were one figure stated twice with two values;
        - names, read after the last list of places or periods (成都市和绵阳市地区生产总值:
          地区生产总值, given to each value): a figure's name and metric, a rate's metric
          (出口、进口分别增长20%、15% were two rates of 进口, the metric nearest before them).
        A list that does not pair with the values is recorded (`start`: where the issue
        starts); a list of names first."""
        unpaired: list[str] = []
        after = 0   # the end of the last list of places or periods
        for attribute, mentions, item in (
                ("subject", _Mentions.scan(self.subject_pattern, words, lambda m: sys.intern(m.group())),
                 lambda key: key),
                ("period", _period_mentions(words, reference_year), lambda key: None if key[1] else key[0])):
            listed = _listed(words, mentions)
            items = [item(mentions.keys[k]) for k in listed]
            if not items or None in items:   # 比上年: a base, not a list of periods
                continue
            after = max(after, mentions.ends[listed[-1]])
            if len(items) == len(values):
                for value, one in zip(values, items):
                    setattr(value, attribute, one)
            elif not unpaired:
                unpaired = [words[mentions.starts[k]:mentions.ends[k]] for k in listed]
        if after:
            after = _PLACE_TAIL.match(words, after).end()   # 成都、绵阳两市常住人口: 常住人口
        names = self._enumeration(words[after:], "") if after else self._enumeration(words, fallback)
        if len(names) == 1 and after:
            names = names * len(values)   # 成都市和绵阳市地区生产总值: one name for every value
        if len(names) == len(values):
            for value, name in zip(values, names):
                info = links.info[value.id]
                if value.role in _FIGURE_ROLES or value.role == "share":
                    info.name = self.name_of(name)
                metric = self._metric_in(name)
                if metric is not None:
                    value.metric, info.mention = metric
                    self._set_rule(value)
        if len(names) >= 2 and len(names) != len(values):
            links.lists.append(ListIssue([v.id for v in values], names, start, values[-1].norm_end))
        elif unpaired:
            links.lists.append(ListIssue([v.id for v in values], unpaired, start, values[-1].norm_end))

    def is_plain(self, claim: Claim, info: ClaimInfo) -> bool:
        """The figure is named by one of its metric's own names (出口, 进出口总额), not a
        narrower one (机电产品出口)."""
        metric = self.metrics.get(claim.metric) if claim.metric else None
        return metric is not None and info.name in metric.names

    def _metric_in(self, words: str) -> Optional[tuple[str, str]]:
        if self.metric_pattern is None:
            return None
        found = None
        for m in self.metric_pattern.finditer(words):
            if self.metric_by_name[m.group()]:
                found = (self.metric_by_name[m.group()], m.group())
        return found

    def _names_listed(self, text: str) -> str:
        """`name_of` across 、, which it stops at: 2010年出口、进口 -> 出口、进口 (it gave 进口,
        and 出口、进口分别为a、b named a 进口)."""
        names: list[str] = []
        while True:
            run = _NAME_RUN.search(text[-_NAME_WINDOW:])
            if run is None:
                break
            names.append(self._name_of_run(run.group()))
            text = text[:len(text) - len(run.group())]
            if not text.endswith("、"):
                break
            text = text[:-1]
        return "、".join(name for name in reversed(names) if name)

    def _enumeration(self, clause: str, fallback: str) -> list[str]:
        """机电产品和高新技术产品出口 -> [机电产品出口, 高新技术产品出口]: the items of a list of
        names, the shared head word given to each."""
        words = self._names_listed(clause) or self._names_listed(fallback)
        if not words:
            return []
        items = [w for w in _ENUMERATION.split(words) if w]
        if len(items) < 2:
            return items
        # the shared head: the longest metric name that ends the last item after its first
        # word (城镇和农村居民人均可支配收入: 居民人均可支配收入, where the whole last item,
        # also a name, gave 城镇农村居民人均可支配收入), joined to each item where it overlaps
        last = items[-1]
        head = next((last[k:] for k in range(1, len(last)) if self.metric_by_name.get(last[k:])), None)
        if head is not None and not any(self._metric_in(i) for i in items[:-1]):
            items = [_with_head(i, head) for i in items[:-1]] + [last]
        return items

    # ---- prior values ----------------------------------------------------------------

    def _priors(self, text: str, claims: list[Claim], by_id: dict[str, Claim], links: Links,
                full: _Bounds) -> None:
        starts = [c.norm_start for c in claims]
        # per unit, the nearest figure so far that is no base: a claim's base flag is final
        # once its own turn has passed (only the claim in hand is marked below), so this is
        # what walking back finds, in one step (walking back over 去年同期为… repeated in a
        # text with no full stop took time quadratic in its length)
        plain_figures: dict[Optional[str], Claim] = {}
        previous: Optional[Claim] = None
        for index, claim in enumerate(claims):
            if previous is not None and previous.role in _FIGURE_ROLES and not links.info[previous.id].base:
                plain_figures[previous.unit] = previous
            previous = claim
            info = links.info[claim.id]
            if claim.role not in _FIGURE_ROLES:
                continue
            sentence_floor = full.floor(claim.norm_start)
            sentence_end = full.ceiling(claim.norm_start, len(text))
            lead = text[max(sentence_floor, claim.norm_start - 12):claim.norm_start]
            if info.base and _BASE_BEFORE.search(lead):
                # 比去年X增长Y%: X is the prior of the figure Y qualifies
                for j in range(index + 1, len(claims)):
                    later = claims[j]
                    if later.norm_start >= sentence_end:
                        break
                    if later.role in _RATE_ROLES or later.role == "change":
                        target = by_id.get(later.refers_to) if later.refers_to else None
                        if target is not None and target.unit == claim.unit:
                            # the rate itself says which way: no sign from the words
                            links.priors.append(Prior(target.id, claim.id, "比", 0,
                                                      target.norm_start, later.norm_end))
                        break
                continue
            if _SAME_PERIOD.search(lead):
                current = _in_sentence(plain_figures.get(claim.unit), sentence_floor)
                if current is not None:
                    info.base = True
                    if claim.metric is None:
                        claim.metric = current.metric
                        self._set_rule(claim)
                    links.priors.append(Prior(current.id, claim.id, "同期", 0, current.norm_start, claim.norm_end))
                continue
            after = text[claim.norm_end:claim.norm_end + 4]
            if _BASIS_AFTER.match(after) and text.rfind("在", sentence_floor, claim.norm_start) >= 0:
                info.base = True
                current = _in_sentence(plain_figures.get(claim.unit), sentence_floor)
                if current is None:
                    for j in range(index + 1, len(claims)):
                        later = claims[j]
                        if later.norm_start >= sentence_end:
                            break
                        if later.role in _FIGURE_ROLES and later.unit == claim.unit:
                            current = later
                            break
                if current is not None:
                    rest = text[claim.norm_end:sentence_end]
                    links.priors.append(Prior(current.id, claim.id, "基础上", _verb_sign(rest),
                                              min(current.norm_start, claim.norm_start),
                                              max(current.norm_end, claim.norm_end)))
        self._from_to(text, claims, links, starts)

    @staticmethod
    def _from_to(text: str, claims: list[Claim], links: Links, starts: list[int]) -> None:
        """由原来的63大类、469个扩大到93大类、706个: pairs of prior and current figures."""
        for m in re.finditer(r"由|从", text):
            k = bisect.bisect_left(starts, m.end())
            if k >= len(claims) or claims[k].role not in _FIGURE_ROLES:
                continue
            if not _FROM_TO.match(text[m.start():claims[k].norm_start]):
                continue
            olds = [claims[k]]
            j = k + 1
            while j < len(claims) and claims[j].role in _FIGURE_ROLES:
                between = text[olds[-1].norm_end:claims[j].norm_start]
                if between.strip() in _LIST_JOINERS:
                    olds.append(claims[j])
                    j += 1
                    continue
                break
            if j >= len(claims):
                continue
            to = _TO.match(text[olds[-1].norm_end:claims[j].norm_start])
            if not to or claims[j].role not in _FIGURE_ROLES:
                continue
            news = [claims[j]]
            j += 1
            while j < len(claims) and claims[j].role in _FIGURE_ROLES and len(news) < len(olds):
                between = text[news[-1].norm_end:claims[j].norm_start]
                if _CLAUSE_END.search(between.replace(",", "").replace("，", "")) or len(between) > 8:
                    break
                if _LIST_CONTINUES.fullmatch(between):
                    news.append(claims[j])
                    j += 1
                    continue
                break
            verb = to.group("verb")
            sign = 1 if verb in _UP_VERBS else (-1 if verb in _DOWN_VERBS else 0)
            if len(news) == len(olds):
                pairs = list(zip(olds, news))
            else:
                pairs = [(o, n) for o in olds for n in news if o.unit == n.unit]
                units = [o.unit for o in olds]
                if len(set(units)) != len(units):
                    pairs = []
            for old, new in pairs:
                if old.unit != new.unit:
                    continue
                links.info[old.id].base = True
                links.priors.append(Prior(new.id, old.id, "由…到", sign, old.norm_start, new.norm_end))

    # ---- parts and shares ------------------------------------------------------------

    @staticmethod
    def _parts(text: str, claims: list[Claim], links: Links, full: _Bounds, lines: _Bounds) -> None:
        """其中: every figure after it in its sentence is a part of the figure with the same
        unit stated just before it. A 其中 ends the list of the one before it (其中…，其中…
        is a list within the list), and the figures before that one are not its wholes:
        each figure is a part once, and text with no full stop (a table flattened into
        one line) takes time linear in its length, not quadratic."""
        starts = [c.norm_start for c in claims]
        cues = [m.start() for m in re.finditer("其中", text)]
        parted: set[str] = set()   # the parts of the lists so far
        for n, at in enumerate(cues):
            k = bisect.bisect_left(starts, at + 2)
            sentence_end = full.ceiling(at, len(text))
            if n + 1 < len(cues):
                sentence_end = min(sentence_end, cues[n + 1])
            line_floor = lines.floor(at)
            # wholes: the figures of the sentence before 其中, and of the one before it
            floor = full.floor(max(full.floor(at) - 1, 0))
            floor = max(floor, line_floor, cues[n - 1] + 2 if n else 0)
            wholes: dict[str, list[Claim]] = {}     # per unit, nearest first
            asides: dict[str, list[Claim]] = {}     # figures in brackets: wholes after the others
            for j in range(k - 1, -1, -1):
                c = claims[j]
                if c.norm_end <= floor:
                    break
                if j < k - 1 and c.id in parted:
                    # 研究生招生3.18万人，其中博士生0.41万人，硕士生2.77万人；在学研究生9.04万人，其中…:
                    # a part of the list before is a whole only right before 其中 (其中…，其中…)
                    continue
                info = links.info[c.id]
                # not a figure that describes a noun (少于100万人的有3个, 在100万人至300万人之间的:
                # the 其中 after it lists cities, not parts of 100万人)
                if c.role in _FIGURE_ROLES and not info.base and not info.forecast \
                        and not _AVERAGE.search(info.name) and not _DESCRIBES.match(text, c.norm_end) \
                        and not info.name.endswith(_MORE_THAN_BEFORE):
                    # 占全市地区生产总值（5332.6亿元）的比重为1.62%。其中，污染治理投资41.3亿元:
                    # the bracket's figure is an aside; the parts are of the sentence's own
                    in_brackets = text[c.norm_start - 1:c.norm_start] in ("（", "(") and \
                        text[c.norm_end:c.norm_end + 1] in ("）", ")")
                    (asides if in_brackets else wholes).setdefault(c.unit, []).append(c)
            for unit, figures in asides.items():
                wholes.setdefault(unit, []).extend(figures)
            if text[max(0, at - 1):at] in ("（", "("):
                # 博物馆38个（其中国家一级博物馆4个），综合文化站168个: to the bracket's end
                close = _CLOSING.search(text, at, sentence_end)
                if close:
                    sentence_end = close.start()
            # 其中博士生0.42万人，硕士生3.23万人；在学研究生10.28万人: a list of parts joined by
            # commas ends at the semicolon (其中，出口…，增长…；进口… goes on past it)
            segment_end, in_segment = _semicolon_after(text, at, sentence_end), 0
            last_whole: Optional[Claim] = None
            for j in range(k, len(claims)):
                c = claims[j]
                if c.norm_start >= sentence_end:
                    break
                if c.norm_start > segment_end:
                    if in_segment >= 2 or _NEW_STATEMENT.match(text, segment_end + 1):
                        break
                    # 轻工业增加值…，其中食品工业…；重工业增加值…: a figure named like the list's
                    # whole but for its first words is the whole's sibling, and ends the list
                    if last_whole is not None and _parallel(canonical_name(links.info[c.id].name),
                                                            canonical_name(links.info[last_whole.id].name)):
                        break
                    segment_end, in_segment = _semicolon_after(text, segment_end + 1, sentence_end), 0
                info = links.info[c.id]
                if c.role == "change":
                    # 其中经营贷款增加1427.3亿元，消费贷款增加928.9亿元；企业贷款余额…: a list
                    # of changes is a list too, and ends at the semicolon the same way
                    in_segment += 1
                if c.role not in _FIGURE_ROLES or info.base or info.forecast or c.unit is None \
                        or _AVERAGE.search(info.name) or info.name.endswith(_MORE_THAN_BEFORE):
                    continue
                candidates = wholes.get(c.unit)
                if not candidates:
                    continue
                in_segment += 1
                # 实现产值800亿元，完成投资500亿元。其中，工业产值650亿元: the whole of 工业产值 is
                # 产值, the nearest figure whose name ends its own; else the nearest figure
                name = canonical_name(info.name)
                whole = next((w for w in candidates if _same_head(name, canonical_name(links.info[w.id].name))),
                             candidates[0])
                links.parts.append(Part(c.id, whole.id, "其中"))
                parted.add(c.id)
                last_whole = whole

    def _qualify_parts(self, claims: list[Claim], links: Links) -> None:
        """A 其中 part named by its metric's name alone is of its whole's kind: after
        深圳民营企业进出口9168.5亿元，其中，出口6235.8亿元 the part is 民营企业出口, not the
        city's 出口 (it was, and read as the city's export stated twice with two
        values). The kind is what the whole's name says before a name of its metric."""
        parts = [p for p in links.parts if p.cue == "其中"]
        if not parts:
            return
        named = {p.part for p in parts} | {p.whole for p in parts}
        by_id = {c.id: c for c in claims if c.id in named}
        del named
        for link in parts:
            part, whole = by_id.get(link.part), by_id.get(link.whole)
            if part is None or whole is None or not part.metric or not whole.metric:
                continue
            part_info, whole_info = links.info[part.id], links.info[whole.id]
            part_metric, whole_metric = self.metrics.get(part.metric), self.metrics.get(whole.metric)
            if part_metric is None or whole_metric is None or part_info.name not in part_metric.names:
                continue
            name = whole_info.name
            kind = next((name[:k] for k in range(1, len(name)) if name[k:] in whole_metric.names), "")
            if kind and name not in whole_metric.names:
                part_info.name = kind + part_info.name

    def _shares(self, text: str, claims: list[Claim], by_id: dict[str, Claim], links: Links,
                sentences: _Bounds, clauses: _Bounds) -> None:
        """X占Y的Z%: Z is the share of the figure X in the figure Y. With no Y (其中X，占Z%),
        or a Y that only says "the total" (其中城镇人口…，占总人口的), the whole X is a part
        of: the share was of nothing, and never checked. Not for a Y named otherwise
        (占全国一般贸易出口的), nor one of another place (成都's 其中…，占全省的): that is
        another whole."""
        whole_of = {p.part: p.whole for p in links.parts}   # 其中: the parts found so far
        whole_ids = set(whole_of.values())
        wholes = {c.id: c for c in claims if c.id in whole_ids}
        del whole_ids
        names: dict[str, list[Claim]] = {}
        of_the_total: set[str] = set()   # figures with a share of a whole not named (占25.3%)
        named_whole: dict[str, Claim] = {}   # figures with a share of a whole named and found
        for index, claim in enumerate(claims):
            info = links.info[claim.id]
            if claim.role in _FIGURE_ROLES and info.name and not info.base and not info.forecast:
                names.setdefault(canonical_name(info.name), []).append(claim)
            if claim.role != "share" or claim.unit != "percent":
                continue
            floor = sentences.floor(claim.norm_start)
            at = text.rfind("占", floor, claim.norm_start)
            if at < 0:
                continue
            if index > 0 and claims[index - 1].norm_end > at:
                continue  # another figure stands between 占 and the share
            info.share_of_total = True
            whole_words = _WHOLE_WORDS.match(text[at + 1:claim.norm_start])
            whole_name = self.name_of(whole_words.group()) if whole_words else ""
            clause_floor = clauses.floor(at)
            part_words = text[clause_floor:at]
            part: Optional[Claim] = None
            if index > 0 and claims[index - 1].norm_end > clause_floor and claims[index - 1].role in _FIGURE_ROLES:
                part = claims[index - 1]
            elif self.name_of(part_words):
                named = names.get(canonical_name(self.name_of(part_words)))
                part = named[-1] if named and claim.norm_start - named[-1].norm_end <= SHARE_REACH else None
                if part is None:
                    claim.refers_to = None   # the share is of something named but not stated
            elif claim.refers_to:
                part = by_id.get(claim.refers_to)
            if part is not None and part.role not in _FIGURE_ROLES:
                part = None
            whole: Optional[Claim] = None
            if part is not None and whole_name:
                # 占出口总额的: the latest figure named 出口总额, 出口额 or 出口
                for candidate in reversed(names.get(canonical_name(whole_name), [])):
                    if claim.norm_start - candidate.norm_end > SHARE_REACH:
                        break
                    # of the part's period, as the checks pair figures: 占营业收入的24.3% is of
                    # the year's, not the fourth quarter's stated nearer; a period unstated
                    # only in the share's paragraph (A级景区接待游客…占全市接待游客总数的56.2% is
                    # not of a holiday's 接待游客 stated in another)
                    if candidate.id != part.id and candidate.unit == part.unit and (
                            candidate.period == part.period
                            or ((candidate.period is None or part.period is None)
                                and links.info[candidate.id].paragraph == info.paragraph)):
                        whole = candidate
                        break
            if part is not None and whole is None and part.id in whole_of and whole_name in _TOTAL_WORDS:
                container = wholes.get(whole_of[part.id])
                # 占全省的: the whole of 全省, which a part of 成都's figure is not of
                place = self.subject_pattern.search(whole_words.group()) if self.subject_pattern and whole_words else None
                # 60岁及以上人口140.7万人，占25.30%，其中65岁及以上人口107.6万人，占19.35%: a whole
                # with a share of the total of its own makes the part's share one of that total
                if container is not None and (place is None or place.group() == container.subject):
                    if container.id in named_whole:
                        # 60岁及以上人口140.7万人，占常住人口的25.30%，其中65岁及以上人口107.6万人，
                        # 占19.35%: of the whole the container's share names
                        whole = named_whole[container.id]
                    elif container.id not in of_the_total:
                        whole = container
            if part is not None and whole is None and whole_name in _TOTAL_WORDS:
                of_the_total.add(part.id)
            elif part is not None and whole is not None and whole_name not in _TOTAL_WORDS:
                named_whole[part.id] = whole
            claim.refers_to = part.id if part is not None else claim.refers_to
            if part is not None:
                claim.metric = part.metric
                self._set_rule(claim)
            links.shares.append(Share(claim.id, part.id if part else None, whole.id if whole else None, "占"))
            if part is not None and whole is not None:
                links.parts.append(Part(part.id, whole.id, "占"))

    @staticmethod
    def _records(text: str, claims: list[Claim], links: Links, full: _Bounds) -> None:
        """The figure called a new high: the nearest before 新高 in its sentence, or the
        one right after it (创历史新高，达到188.4亿美元)."""
        starts = [c.norm_start for c in claims]
        for m in _RECORD.finditer(text, timeout=scan_timeout(text)):
            floor = full.floor(m.start())
            first_after = bisect.bisect_left(starts, m.end())
            k = first_after - 1
            found = None
            while k >= 0 and claims[k].norm_end > floor:
                c = claims[k]
                if c.role in _FIGURE_ROLES and not links.info[c.id].base:
                    found = c if text.find("均", c.norm_end, m.start()) < 0 else False
                    break
                k -= 1
            if found is None and first_after < len(claims):
                c = claims[first_after]
                if (c.role in _FIGURE_ROLES and _FORWARD.match(text[m.end():c.norm_start])
                        and not links.info[c.id].base):
                    found = c
            if found:
                links.records.append(found.id)


_GENERIC_SUFFIXES = ("总额", "总值", "总量", "总数", "额")
_GENERIC_PREFIXES = ("货物贸易", "货物", "外贸")


@lru_cache(maxsize=4096)
def canonical_name(name: str) -> str:
    """出口总额, 出口额 and 出口 name one figure; so do 货物进出口总额, 外贸进出口总额 and
    进出口总额 (a bulletin's trade is its trade in goods); 户籍人口 and 常住人口 do not."""
    for prefix in _GENERIC_PREFIXES:
        if name.startswith(prefix) and len(name) - len(prefix) >= 2:
            name = name[len(prefix):]
            break
    for suffix in _GENERIC_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _parallel(name: str, other: str) -> bool:
    """Two names of one kind that differ in their first words (轻工业增加值, 重工业增加值;
    第一产业增加值, 第二产业增加值): neither holds the other, and they end in the same three
    characters or more (城镇人口 and 常住人口, ending in 人口, may be part and whole)."""
    if not name or not other or name in other or other in name:
        return False
    return len(commonprefix([name[::-1], other[::-1]])) >= 3


def _same_head(part: str, whole: str) -> bool:
    """The part's name ends with the head word of the whole's (工业产值 / 产值, 城镇人口 /
    常住人口, 出口 / 进出口)."""
    if not part or not whole:
        return False
    head = whole[-2:] if len(whole) >= 2 else whole
    return part.endswith(head) or whole.endswith(part)


def _verb_sign(words: str) -> int:
    up = min((words.find(v) for v in _UP_VERBS if v in words), default=-1)
    down = min((words.find(v) for v in _DOWN_VERBS if v in words), default=-1)
    if up >= 0 and (down < 0 or up < down):
        return 1
    if down >= 0:
        return -1
    return 0


# A period word: a year (and months), a year named relative to the reference year, a
# range of months, a part of a year (年末: a stock at the end of the year is of that
# year). Every branch starts with an ASCII digit or one of 今本当去上前明下一二三四第全年.
_PERIOD_BRANCHES = (
    r"(?P<year>(?:19|20)\d{2})\s*年(?:(?P<m1>\d{1,2})(?:\s*月?\s*[-~—–至到]\s*(?P<m2>\d{1,2}))?\s*月(?P<day>\s*\d{1,2}\s*日)?)?"
    r"|(?P<rel>今年|本年|当年|去年|上年|前年|明年|一年前)(?P<same>同期)?(?:(?P<rm1>\d{1,2})(?:\s*月?\s*[-~—–至到]\s*(?P<rm2>\d{1,2}))?\s*月)?"
    r"|(?<!\d)(?P<m3>\d{1,2})\s*月?\s*[-~—–至到]\s*(?P<m4>\d{1,2})\s*月"
    r"|前(?P<m6>\d{1,2})\s*个?月"
    r"|(?<![\d.])(?P<m5>\d{1,2})\s*月份?(?!\s*\d{1,2}\s*[日号])"
    r"|(?P<part>前三季度|上半年|下半年|一季度|二季度|三季度|四季度|第[一二三四]季度|全年|年末|年底)")
# The first lookahead, the characters a branch can start with, lets the engine skip to
# them; the second, implied by the branch that matches too, leaves at once a digit that
# starts no year and no range of months (digits are everywhere in figure-dense text:
# there the scan takes three quarters of its time without it). One guard holding both
# measured slower than none: the engine skips ahead only behind a single character class.
_PERIOD = compile_cached(r"(?=[0-9今本当去上前明下一二三四第全年])(?=\D|(?:19|20)\d\d|\d{1,2}\s*[-~—–至到月])(?:"
                         + _PERIOD_BRANCHES + ")")


@lru_cache(maxsize=1)
def _period_anchor() -> Anchor:
    """Every period word holds 年, 月 or 季, which are rarer than the characters a branch
    starts with (上, 一, 三, digits…): the pattern runs only in windows around them, each
    reaching back and ahead over the characters a match may hold before and after them
    (digits always; the anchors themselves not, so that no character is walked twice)."""
    spaces = _space_chars()
    return Anchor(compile_cached("[年月季]"), back=frozenset("今本当去上前明下半一二三四第全-~—–至到个") | spaces,
                  ahead=frozenset("-~—–至到日同期度") | spaces, reach=4)


_CLOSING = compile_cached(r"[）)]")
_DESCRIBES = compile_cached(r"(?:[至到~\-—][^，,。；;的]{1,10}?)?(?:之间|以内|以上|以下)?的")
# a clause after a semicolon that starts with a verb or a time says something else: the
# 其中 list before it has ended (其中国际性展会12场；举办大型会议286场)
_NEW_STATEMENT = compile_cached(r"\s*(?:举办|完成|实现|新增|建成|开展|组织|接待|签约|引进|新建|累计|共有|拥有|全年|年末|年底"
                                r"|实施|推进|开工|竣工|投产|落地|培育|新签约)")


def _semicolon_after(text: str, at: int, end: int) -> int:
    """The first semicolon from `at` before `end`, else `end`."""
    found = [k for k in (text.find("；", at, end), text.find(";", at, end)) if k >= 0]
    return min(found) if found else end


def _with_head(item: str, head: str) -> str:
    """`item` + `head`, the words they overlap in once: 城镇居民 + 居民人均可支配收入 ->
    城镇居民人均可支配收入, 机电产品 + 出口 -> 机电产品出口."""
    overlap = next((k for k in range(min(len(item), len(head)), 0, -1) if item.endswith(head[:k])), 0)
    return item + head[overlap:]


def _listed(words: str, mentions: _Mentions) -> range:
    """The indexes of the last list of two or more mentions in `words` (成都市、绵阳市和德阳市,
    2009年和2010年): mentions joined by a list mark alone, after a place's 市 or 省. Not
    a list that goes on with 等 (成都、绵阳等5市: the others are not named)."""
    found = range(0)
    first = 0
    for k in range(1, len(mentions.keys) + 1):
        if k == len(mentions.keys) or not _LIST_MARK.fullmatch(words, mentions.ends[k - 1], mentions.starts[k]):
            if k - first >= 2 and not _LIST_GOES_ON.match(words, mentions.ends[k - 1]):
                found = range(first, k)
            first = k
    return found


def _period_mentions(text: str, reference_year: Optional[int]) -> _Mentions:
    """Period words with their resolved period. A key is (period, is_base): the period of
    比去年/较上年同期 is the base of a comparison and names no figure after it but one
    right after it (比去年2000亿元)."""
    found = _Mentions.empty(text)
    pattern = _PERIOD
    # 一年前 is 去年同期 (the Hong Kong press: 失业率为2.9%，较一年前的3.4%下跌0.5个百分点)
    offsets = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1, "一年前": -1}
    parts = {"前三季度": "01/09", "上半年": "01/06", "下半年": "07/12", "一季度": "01/03",
             "第一季度": "01/03", "二季度": "04/06", "第二季度": "04/06", "三季度": "07/09",
             "第三季度": "07/09", "四季度": "10/12", "第四季度": "10/12", "全年": None,
             "年末": None, "年底": None}
    last_year: Optional[int] = None
    last_months: tuple[int, Optional[str]] = (-1, None)   # (line start, months) of the last months stated
    line = seen = 0   # the start of the line of the match, found by looking back only as far as the last one
    timeout = scan_timeout(text)
    deadline = None if timeout is None else time.monotonic() + timeout
    # in windows around the anchors, measured on the benchmark's text: 29 ms instead of
    # 48-59 over the whole text
    windows = anchored_windows(text, _period_anchor(), deadline)
    for m in batched_matches(pattern, text, windows, deadline):
        year: Optional[int] = None
        months: Optional[str] = None
        line = text.rfind("\n", seen, m.start()) + 1 or line
        seen = m.start()
        if m.group("year"):
            if m.group("day"):
                continue  # 2011年2月28日: a date, the day a text was written, not a period
            year = int(m.group("year"))
            if m.group("m1"):
                months = _months(m.group("m1"), m.group("m2"))
        elif m.group("rel"):
            if reference_year is None:
                continue
            year = reference_year + offsets[m.group("rel")]
            if m.group("rm1"):
                months = _months(m.group("rm1"), m.group("rm2"))
            elif (m.group("same") or m.group("rel") == "一年前") and last_months[0] == line:
                months = last_months[1]   # 去年同期 after 1-9月: 1-9月 of the year before
        elif m.group("m3"):
            year = last_year if last_year is not None else reference_year
            months = _months(m.group("m3"), m.group("m4"))
        elif m.group("m6"):
            # 前11个月, 前2月: the months to date
            if not 1 <= int(m.group("m6")) <= 12:
                continue
            year = last_year if last_year is not None else reference_year
            months = _months("1", m.group("m6")) if int(m.group("m6")) > 1 else _months("1", None)
        elif m.group("m5"):
            # 6月份，深圳进出口3138.2亿元: one month, of the year last stated
            if not 1 <= int(m.group("m5")) <= 12:
                continue
            year = last_year if last_year is not None else reference_year
            months = _months(m.group("m5"), None)
        else:
            year = last_year if last_year is not None else reference_year
            months = parts[m.group("part")]
        if year is None:
            continue
        # 去年同期 is the base of a comparison wherever it stands (去年同期为135.9亿元), and so
        # is any period word after 比, 与… (与2010年相比, 较2017年, 比一季度加快) or before
        # 同期 (恢复至2019年同期的108.3%): none is the period that the 全年, 1-9月 and 6月
        # after it are of
        lead = text[max(0, m.start() - 4):m.start()]
        base = bool(
            (m.group("rel") and (m.group("same") or m.group("rel") == "一年前")) or text.startswith("同期", m.end())
            or _BASE_LEAD.search(lead) or (_BASE_OF_LEAD.search(lead) and _BASE_OF.match(text, m.end())))
        if not base and _in_brackets(text, line, m.start()):
            base = _ASIDE
        if not base and months and _in_breakdown(text, m.start()):
            base = _BREAKDOWN
        if not base and not months and last_year is not None and year < last_year \
                and text.startswith(_EARLIER_STATED, m.end()):
            # 2022年全省地区生产总值为45045.8亿元…；2021年为42071.6亿元。按全省年末常住人口…: an
            # earlier year's figure said by the way dates that figure, not the next sentences
            base = True
        if not base:
            last_year = year
            if months:
                last_months = (line, months)
        found.starts.append(m.start())
        found.ends.append(m.end())
        found.keys.append((sys.intern(f"{year}-{months}" if months else str(year)), base))
    return found


def _before_comparison(text: str, start: int, end: int) -> int:
    """Where the words from `start` to `end` stop naming what a rate is of: at 占, 比, 较…
    (see `_COMPARISON_WORD`), else `end`."""
    cut = _COMPARISON_WORD.search(text, start, end)
    return cut.start() if cut else end


def _in_brackets(text: str, line: int, position: int) -> bool:
    """Within brackets opened on the line before `position` and not closed: an aside
    ((上年为2810.2亿元), (按2010年不变价计算)), whose period names the figure right after
    it and not the text after the brackets."""
    start = max(line, position - _ASIDE_REACH)
    for opener, closer in (("（", "）"), ("(", ")")):
        opened = text.rfind(opener, start, position)
        if opened >= 0 and text.rfind(closer, opened, position) < 0:
            return True
    return False


def _year_before(base: str, period: Optional[str]) -> bool:
    """比2023年 said of a figure of 2024: the year before, named (a year-on-year rate, as
    比上年); 比2010年 of 2024 is no such rate."""
    m = _NAMED_YEAR_BASE.fullmatch(base)
    return bool(m and period and period[:4].isdigit() and int(m.group(1)) == int(period[:4]) - 1)


def _in_breakdown(text: str, position: int) -> bool:
    """In a sentence that breaks a figure down by period (分季度看), its cue close before."""
    cue = None
    for cue in _BREAKDOWN_CUE.finditer(text, max(0, position - _BREAKDOWN_CUE_REACH), position):
        pass
    return cue is not None and not any(end in text[cue.end():position] for end in _FULL_ENDS)


def _of_breakdown(text: str, claim: Claim, periods: "_Mentions", k: int) -> bool:
    """The nearest period word before the claim (`k`) is a breakdown's, in the claim's
    sentence (从月度看，12月当月全省进出口2701.3亿元，…其中出口…，进口647.7亿元: all of December)."""
    if k < 0 or periods.keys[k][1] != _BREAKDOWN:
        return False
    between = text[periods.ends[k]:claim.norm_start]
    return len(between) <= _BREAKDOWN_REACH and not any(end in between for end in _FULL_ENDS)


def _aside_of(text: str, claim: Claim, periods: "_Mentions", k: int) -> bool:
    """The nearest period word before the claim (`k`) is in brackets the claim is in."""
    return k >= 0 and periods.keys[k][1] == _ASIDE and not _closed(text, periods.ends[k], claim.norm_start)


def _closed(text: str, start: int, end: int) -> bool:
    return _CLOSING.search(text, start, end) is not None


def _months(first: str, last: Optional[str]) -> str:
    if last:
        return f"{int(first):02d}/{int(last):02d}"
    return f"{int(first):02d}"


def previous_period(period: Optional[str]) -> Optional[str]:
    """'2010' -> '2009', '2010-01/09' -> '2009-01/09'."""
    if not period:
        return None
    year, sep, rest = period.partition("-")
    if not year.isdigit():
        return None
    return f"{int(year) - 1}{sep}{rest}"
