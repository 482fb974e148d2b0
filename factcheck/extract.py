"""Normalized text -> claims, in one pass of one compiled pattern.

The number grammar is built from the lexicon's vocabularies as `regex` named lists;
each match is then judged (is it a claim at all?) and turned into a Claim whose span
is mapped back to the raw text.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from .lexicon import Lexicon, UnitInfo, lexicon
from .models import Claim
from .normalize import Document
from .numbers import NumberError, interval, parse_arabic, parse_chinese

MATCH_TIMEOUT = 5.0  # seconds per scan of a document, plus SCAN_SECONDS_PER_MB of its size
SCAN_SECONDS_PER_MB = 2.0


def scan_timeout(text: str) -> Optional[float]:
    """A hostile pattern or input cannot hang us, and a 100 MB document is not cut short.
    None (no limit) when MATCH_TIMEOUT is set to None, as the benchmark's --no-timeout does."""
    if MATCH_TIMEOUT is None:
        return None
    return MATCH_TIMEOUT + SCAN_SECONDS_PER_MB * len(text) / 1e6

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CHINESE = r"[零〇一二三四五六七八九十百千万亿两]+(?:点[零〇一二三四五六七八九]+[万亿]?)?"


# Characters around a number that make it part of a name or code: H1N1, 1+1+X, 3·15,
# 17025:2005, v1.2, 5G.
_NAME_NEIGHBOURS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_+·•:/#＃⁄")
_CLAUSE_BREAKS = set("。；;！!？?\n，,、：:（）()【】[]“”\"")


def _num(name: str) -> str:
    return f"(?:(?P<{name}a>{_ARABIC})|(?P<{name}c>{_CHINESE}))"


@dataclass(frozen=True)
class Grammar:
    pattern: "regex.Pattern[str]"
    lex: Lexicon


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    lex = lexicon()
    verbs = list(lex.growth_up) + list(lex.growth_down)
    prefixes = list(lex.prefix_qualifiers)
    source = rf"""
      (?P<ordinal>第(?:{_num('r')})(?P<rank_unit>\L<rank_units>)?)
    | (?P<cue>\L<cues>)?
      (?P<pre>\L<prefixes>)?
      (?:(?P<verb>\L<verbs>)了?)?
      (?P<pre2>\L<prefixes>)?
      (?P<cur>\L<currencies>)?
      (?:
          百分之(?:{_num('p')})
        | (?:{_num('d')})分之(?:{_num('f')})
        | (?P<cheng>[二两三四五六七八九])成(?!\L<cheng_blockers>)
        | (?P<pair>\L<pairs>)
        | (?:{_num('n')})(?:(?P<sep>\L<seps>)(?:{_num('m')}))?
      )
      (?P<fz1>\L<fuzzy>)?
      (?:
          (?P<unit0>\L<units>)
        | (?P<scale>\L<scales>)
          (?:(?P<rest>{_ARABIC})(?P<scale2>\L<scales>))?
          (?P<fz2>\L<fuzzy>)?(?P<unit>\L<units>)?
      )?
      (?P<post>\L<suffixes>)?
    """
    pattern = regex.compile(
        source,
        regex.VERBOSE | regex.V1,
        rank_units=sorted(lex.rank_units),
        prefixes=prefixes,
        verbs=verbs,
        cheng_blockers=list(lex.cheng_blockers),
        cues=list(lex.growth_rate_cues),
        currencies=list(lex.currency_prefixes),
        pairs=list(lex.numeral_pairs),
        seps=list(lex.range_separators),
        fuzzy=list(lex.fuzzy_suffixes),
        units=list(lex.units),
        scales=list(lex.scales),
        suffixes=list(lex.suffix_qualifiers),
    )
    return Grammar(pattern, lex)


def _parse(m: "regex.Match[str]", name: str) -> Optional[tuple[float, float, bool]]:
    """(value, half-precision, is_chinese) of the number captured under `name`, if any."""
    arabic = m.group(name + "a")
    if arabic is not None:
        return (*parse_arabic(arabic), False)
    chinese = m.group(name + "c")
    if chinese is not None:
        return (*parse_chinese(chinese), True)
    return None


def _blocked_prefix(text: str, lex: Lexicon, m: "regex.Match[str]") -> bool:
    """出超: the prefix 超 is the end of another word here."""
    word = m.group("pre")
    if not word or word not in lex.prefix_blockers:
        return False
    start = m.start("pre")
    return start > 0 and text[start - 1] in lex.prefix_blockers[word]


def _qualifier(lex: Lexicon, m: "regex.Match[str]", skip_pre: bool = False) -> tuple[str, str]:
    """(reported qualifier, interval kind). A prefix wins over 多/余, which win over a suffix."""
    for group, table in (("pre2", lex.prefix_qualifiers), ("pre", lex.prefix_qualifiers),
                         ("fz1", lex.fuzzy_suffixes), ("fz2", lex.fuzzy_suffixes),
                         ("post", lex.suffix_qualifiers)):
        word = m.group(group)
        if word and not (skip_pre and group == "pre"):
            kind = table[word]
            reported, _, bound = kind.partition("/")
            return reported, (f"open_{reported}" if bound == "open" else reported)
    return "exact", "exact"


class Extractor:
    """Runs the grammar over a document; `exclusions` is a compiled pattern whose matches
    (names, idioms, codes from the rule files) never hold a claim."""

    def __init__(self, exclusions: "Optional[regex.Pattern[str]]" = None, all_numbers: bool = False):
        self.g = grammar()
        self.exclusions = exclusions
        self.all_numbers = all_numbers

    def extract(self, doc: Document) -> list[Claim]:
        text = doc.norm
        excluded = self._excluded_spans(text)
        claims: list[Claim] = []
        # collect first: the timeout must bound the regex scan, not the judging between matches
        matches = list(self.g.pattern.finditer(text, timeout=scan_timeout(text)))
        for m in matches:
            claim = self._judge(text, m)
            if claim is None:
                continue
            if excluded and _overlaps(excluded, claim.norm_start, claim.norm_end):
                continue
            claim.start, claim.end = doc.raw_span(claim.norm_start, claim.norm_end)
            claim.text = doc.raw[claim.start:claim.end]
            claim.id = f"c{len(claims) + 1}"
            claims.append(claim)
        return claims

    def _excluded_spans(self, text: str) -> list[tuple[int, int]]:
        if self.exclusions is None:
            return []
        return [m.span() for m in self.exclusions.finditer(text, timeout=scan_timeout(text))]

    def _judge(self, text: str, m: "regex.Match[str]") -> Optional[Claim]:
        lex = self.g.lex
        if m.group("ordinal"):
            return self._rank(text, m)
        try:
            return self._figure(text, m, lex)
        except NumberError:
            return None

    def _rank(self, text: str, m: "regex.Match[str]") -> Optional[Claim]:
        lex = self.g.lex
        number = _parse(m, "r")
        if number is None:
            return None
        value, _, _ = number
        start, end = m.span()
        if not m.group("rank_unit"):
            before = text[max(0, start - 8):start]
            for k in range(len(before) - 1, -1, -1):
                if before[k] in _CLAUSE_BREAKS:
                    before = before[k + 1:]
                    break
            if not any(cue in before for cue in lex.rank_cues):
                return None
            if end < len(text) and (text[end] in "届次期批个年" or "\u4e00" <= text[end] <= "\u9fff" and text[end] not in "，。、；,;"):
                # 居第一位 is caught above; 居全国第一 ends its clause, 第一次/第一批 do not
                if text[end] not in "的":
                    return None
        return Claim(id="", text="", start=0, end=0, value=value, unit=None, dimension="rank",
                     qualifier="exact", low=value, high=value, precision=0.0, role="rank",
                     norm_start=start, norm_end=end)

    def _figure(self, text: str, m: "regex.Match[str]", lex: Lexicon) -> Optional[Claim]:
        unit_word = m.group("unit0") or m.group("unit")
        unit: Optional[UnitInfo] = lex.units.get(unit_word) if unit_word else None
        if m.group("cur") and (unit is None or unit.dimension == "currency"):
            unit = lex.units[_currency_alias(lex, lex.currency_prefixes[m.group("cur")])]
        scale = lex.scales[m.group("scale")] if m.group("scale") else 1.0
        percent_form = False
        low = high = None
        is_range = False
        chinese = False
        number_start = None
        if m.group("pa") or m.group("pc"):
            value, precision, chinese = _parse(m, "p")
            unit, percent_form = lex.units["%"], True
            number_start = m.start("pa") if m.group("pa") else m.start("pc")
            number_start -= 3
        elif m.group("da") or m.group("dc"):
            den, _, _ = _parse(m, "d")
            numer, _, _ = _parse(m, "f")
            if den == 0:
                return None
            value, precision, chinese = numer / den * 100.0, 1e-9, True
            unit, percent_form = lex.units["%"], True
            number_start = m.start("da") if m.group("da") else m.start("dc")
        elif m.group("cheng"):
            digit = parse_chinese(m.group("cheng"))[0]
            value, precision, chinese = digit * 10.0, 5.0, True
            unit, percent_form = lex.units["%"], True
            number_start = m.start("cheng")
        elif m.group("pair"):
            pair = m.group("pair")
            low, high = parse_chinese(pair[0])[0], parse_chinese(pair[1])[0]
            value, precision, chinese, is_range = low, 0.5, True, True
            number_start = m.start("pair")
        else:
            first = _parse(m, "n")
            if first is None:
                return None
            value, precision, chinese = first
            number_start = m.start("na") if m.group("na") is not None else m.start("nc")
            second = _parse(m, "m")
            if second is not None:
                if unit is None and not m.group("scale") and not self.all_numbers:
                    return None  # 1-9月, 11-11: periods and dates, not figures
                low, high, is_range = value, second[0], True
                if high < low:
                    return None  # 15-8: not a range of one quantity
                if chinese != second[2]:
                    return None
            if not chinese and _is_name_part(text, number_start, m.end("na") if m.group("na") else m.end("nc")):
                return None
        if chinese:
            token = m.group("nc") or m.group("pc") or ""
            if not percent_form and not is_range:
                if unit is None:
                    return None  # Chinese numerals without a unit are words: 千万, 一些, 十分
                if value == 1 and not m.group("pre") and not m.group("pre2"):
                    return None  # 一次, 一批, 一个: idiomatic
                if token in lex.lone_scale_numerals and not (m.group("pre") or m.group("pre2") or m.group("fz1")):
                    return None  # 百家, 万户, 千家
        has_fuzzy = bool(m.group("fz1") or m.group("fz2"))
        if unit is None and not m.group("scale") and not has_fuzzy and not percent_form:
            if not self.all_numbers:
                return None
        value = _clean(value * scale)
        precision *= scale
        if m.group("rest"):
            rest, rest_precision = parse_arabic(m.group("rest"))
            scale2 = lex.scales[m.group("scale2")]
            if scale2 >= scale or is_range:
                return None
            value = _clean(value + rest * scale2)
            precision = rest_precision * scale2
        if is_range:
            low, high = _clean(low * scale), _clean(high * scale)
        dimension = unit.dimension if unit else "number"
        role = unit.role if unit else ("number" if self.all_numbers and not m.group("scale") and not has_fuzzy else "level")
        if percent_form:
            role = "share"
        verb = m.group("verb")
        include_verb = bool(verb)
        if m.group("cue") and dimension in ("percent", "percentage_point"):
            role = "growth"
            if m.group("cue").startswith("降"):
                value, low, high = -value, (-high if high is not None else None), (-low if low is not None else None)
        if include_verb:
            # a rate after a verb is a growth rate; an amount after one is an absolute change
            role = "growth" if dimension in ("percent", "percentage_point") else "change"
            if verb in lex.growth_down:
                value, precision = -value, precision
                if is_range:
                    low, high = -high, -low
        blocked = _blocked_prefix(text, lex, m)
        reported, kind = _qualifier(lex, m, skip_pre=blocked)
        if is_range:
            reported = "range"
        else:
            low, high = interval(value, precision, kind)
        pre = m.group("pre") and not blocked
        start = m.start("pre") if pre else None
        if start is None:
            start = m.start("verb") if include_verb else (m.start("pre2") if m.group("pre2") else None)
        if start is None:
            start = number_start
        end = m.end()
        return Claim(id="", text="", start=0, end=0, value=value, unit=unit.name if unit else None,
                     dimension=dimension, qualifier=reported, low=low, high=high,
                     precision=precision, role=role, norm_start=start, norm_end=end)


def _currency_alias(lex: Lexicon, code: str) -> str:
    return next(alias for alias, info in lex.units.items() if info.name == code)


def _clean(value: float) -> float:
    """8.45 * 1e8 is 844999999.9999999 in binary; no stated figure has 16 digits."""
    return float(f"{value:.12g}")


def _is_name_part(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before in _NAME_NEIGHBOURS or after in _NAME_NEIGHBOURS:
        return True
    # 3.2.1 or a version-like dotted run
    return after == "." and end + 1 < len(text) and text[end + 1].isdigit()


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    import bisect

    k = bisect.bisect_right(spans, (start, float("inf"))) - 1
    for j in (k, k + 1):
        if 0 <= j < len(spans) and spans[j][0] < end and start < spans[j][1]:
            return True
    return False
