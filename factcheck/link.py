"""Attach metric, subject, period and the figure it qualifies to every claim.

All vocabularies (metric names, subjects, period words) are found in one scan each of
the normalized text; each claim then looks back, within its sentence, for the nearest
mention that fits.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import Optional

import regex

from .extract import scan_timeout
from .models import Claim
from .rules import RuleSet

_SENTENCE_END = re.compile(r"[。！!？?；;\n]")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代)")
_LIST_ITEM = re.compile(r"\s*(?:[-*•·]|\d+[.、])\s")
_LIST_JOINERS = ("、", "和", "及", ",", "，")


@dataclass
class _Mentions:
    starts: list[int]
    ends: list[int]
    keys: list[str]

    @classmethod
    def scan(cls, pattern: "Optional[regex.Pattern[str]]", text: str, key) -> "_Mentions":
        found = cls([], [], [])
        if pattern is None:
            return found
        for m in list(pattern.finditer(text, timeout=scan_timeout(text))):
            found.starts.append(m.start())
            found.ends.append(m.end())
            found.keys.append(key(m))
        return found

    def before(self, position: int, floor: int) -> list[int]:
        """Indexes of mentions ending at or before `position` and starting after `floor`,
        nearest first."""
        k = bisect.bisect_right(self.ends, position)
        out = []
        while k > 0:
            k -= 1
            if self.starts[k] < floor:
                break
            if self.ends[k] <= position:
                out.append(k)
        return out


def infer_reference_year(text: str) -> Optional[int]:
    """The latest year written as `YYYY年` in the text: interviews and bulletins speak of
    今年 in the year of their newest dated fact. Bulleted lines are left out: web pages end
    with lists of links to later articles."""
    body = "\n".join(line for line in text.splitlines() if not _LIST_ITEM.match(line))
    years = [int(y) for y in _YEAR.findall(body) if 1949 <= int(y) <= 2100]
    return max(years) if years else None


class Linker:
    def __init__(self, rules: RuleSet):
        self.rules = rules
        names: dict[str, str] = {}
        for metric in rules.metrics:
            for name in metric.names:
                names.setdefault(name, metric.id)
        self.metric_by_name = names
        self.metric_pattern = regex.compile(r"\L<names>", names=list(names)) if names else None
        self.subject_pattern = (
            regex.compile(r"\L<subjects>", subjects=rules.subjects) if rules.subjects else None
        )
        self.metrics = {m.id: m for m in rules.metrics}
        self.ruleset = {m.id: m.ruleset for m in rules.metrics}

    def link(self, text: str, claims: list[Claim], reference_year: Optional[int]) -> None:
        sentence_starts = [0] + [m.end() for m in _SENTENCE_END.finditer(text)]
        metrics = _Mentions.scan(self.metric_pattern, text, lambda m: self.metric_by_name[m.group()])
        subjects = _Mentions.scan(self.subject_pattern, text, lambda m: m.group())
        periods = _period_mentions(text, reference_year)
        previous: Optional[Claim] = None
        for index, claim in enumerate(claims):
            floor = sentence_starts[bisect.bisect_right(sentence_starts, claim.norm_start) - 1]
            self._continue_list(text, claim, previous)
            period_of_target = None
            if claim.role in ("growth", "share"):
                claim.refers_to, target = self._qualified_figure(index, claims, floor)
                if target is not None:
                    claim.metric = target.metric
                    period_of_target = target.period
                else:
                    claim.metric = self._metric(claim, metrics, floor, any_dimension=True)
            else:
                claim.metric = self._metric(claim, metrics, floor, any_dimension=claim.dimension == "number")
            if claim.metric:
                claim.rule = f"{self.ruleset[claim.metric]}/{claim.metric}"
            hits = subjects.before(claim.norm_start, floor)
            claim.subject = subjects.keys[hits[0]] if hits else None
            line_floor = text.rfind("\n", 0, claim.norm_start) + 1
            hits = periods.before(claim.norm_start, line_floor)
            claim.period = periods.keys[hits[0]] if hits else None
            if claim.refers_to is not None and period_of_target is not None:
                # 较去年同期增长5%: 去年同期 is the base; the rate is of the figure's period
                claim.period = period_of_target
            previous = claim

    def _metric(self, claim: Claim, metrics: _Mentions, floor: int, any_dimension: bool = False) -> Optional[str]:
        """The nearest metric named before the claim in its sentence whose dimension fits;
        any metric for a rate with no figure to qualify, or a number with no unit."""
        for k in metrics.before(claim.norm_start, floor):
            metric = metrics.keys[k]
            if any_dimension or self.metrics[metric].accepts(claim.dimension, claim.unit):
                return metric
        return None

    @staticmethod
    def _continue_list(text: str, claim: Claim, previous: Optional[Claim]) -> None:
        """`分别增长5.43%、32.99%`: a bare percentage right after a growth rate, joined by
        a list separator, is a growth rate too, with the same direction."""
        if previous is None or previous.role != "growth" or claim.role != "share":
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

    @staticmethod
    def _qualified_figure(index: int, claims: list[Claim], floor: int) -> tuple[Optional[str], Optional[Claim]]:
        """The nearest level or count before claims[index], a growth rate or share, in its sentence."""
        for k in range(index - 1, -1, -1):
            other = claims[k]
            if other.norm_end <= floor:
                break
            if other.role in ("level", "count"):
                return other.id, other
        return None, None


def _period_mentions(text: str, reference_year: Optional[int]) -> _Mentions:
    found = _Mentions([], [], [])
    pattern = regex.compile(
        r"(?P<year>(?:19|20)\d{2})\s*年(?:(?P<m1>\d{1,2})(?:\s*[-~至到]\s*(?P<m2>\d{1,2}))?\s*月)?"
        r"|(?P<rel>今年|本年|当年|去年|上年|前年|明年)(?:(?:同期)|(?:(?P<rm1>\d{1,2})(?:\s*[-~至到]\s*(?P<rm2>\d{1,2}))?\s*月))?"
        r"|(?<!\d)(?P<m3>\d{1,2})\s*[-~至到]\s*(?P<m4>\d{1,2})\s*月"
        r"|(?P<part>前三季度|上半年|下半年|一季度|二季度|三季度|四季度|第[一二三四]季度|全年)"
    )
    offsets = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
    parts = {"前三季度": "01/09", "上半年": "01/06", "下半年": "07/12", "一季度": "01/03",
             "第一季度": "01/03", "二季度": "04/06", "第二季度": "04/06", "三季度": "07/09",
             "第三季度": "07/09", "四季度": "10/12", "第四季度": "10/12", "全年": None}
    last_year: Optional[int] = None
    for m in list(pattern.finditer(text, timeout=scan_timeout(text))):
        year: Optional[int] = None
        months: Optional[str] = None
        if m.group("year"):
            year = int(m.group("year"))
            if m.group("m1"):
                months = _months(m.group("m1"), m.group("m2"))
        elif m.group("rel"):
            if reference_year is None:
                continue
            year = reference_year + offsets[m.group("rel")]
            if m.group("rm1"):
                months = _months(m.group("rm1"), m.group("rm2"))
        elif m.group("m3"):
            year = last_year if last_year is not None else reference_year
            months = _months(m.group("m3"), m.group("m4"))
        else:
            year = last_year if last_year is not None else reference_year
            months = parts[m.group("part")]
        if year is None:
            continue
        last_year = year
        found.starts.append(m.start())
        found.ends.append(m.end())
        found.keys.append(f"{year}-{months}" if months else str(year))
    return found


def _months(first: str, last: Optional[str]) -> str:
    if last:
        return f"{int(first):02d}/{int(last):02d}"
    return f"{int(first):02d}"
