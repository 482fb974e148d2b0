"""Normalized text -> claims, in one pass of one compiled pattern.

The number grammar is built from the lexicon's vocabularies as `regex` named lists.
The scan pattern starts at a number and, outside --all-numbers, only matches numbers
that carry something making them a figure (a unit, a scale word, 多/余, a percent form),
so the bare numbers of dates and codes never reach Python. What stands before a number
(qualifiers, growth verbs, a currency) is read afterwards by a short pattern anchored
at the number's start.
"""
from __future__ import annotations

import bisect
import heapq
import time
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import Iterable, Iterator, Optional

import numpy as np
import regex

from .lexicon import Lexicon, UnitInfo, lexicon
from .models import Claim
from .normalize import Document
from .numbers import TOKEN_CACHE_SIZE, NumberError, interval, parse_arabic, parse_chinese, trailing_myriads
from .pattern_cache import cached_characters, compile_cached
from .rules import Exclusion, Ratio, combine_exclusions

MATCH_TIMEOUT = 5.0  # seconds per scan of a document, plus SCAN_SECONDS_PER_MB of its size
SCAN_SECONDS_PER_MB = 2.0
EXCLUSION_TIMEOUT = 2.0  # seconds one exclusion rule run alone may take, plus SCAN_SECONDS_PER_MB
LEAD_WINDOW = 20     # characters before a number searched for qualifiers, verbs, currency
SCAN_BLOCK = 1 << 14  # characters of text whose matches are merged and judged at a time
_HUGE = 1e300        # no figure is this big; its interval (value ± half a digit) stays finite
# From this many characters the exclusion rules run each alone (`leftmost_first`); on
# shorter text starting ten scans costs more than their alternation's slower pace
APART_FROM_CHARS = 2000


def scan_timeout(text: str) -> Optional[float]:
    """A hostile pattern or input cannot hang us, and a 100 MB document is not cut short.
    None (no limit) when MATCH_TIMEOUT is set to None, as the benchmark's --no-timeout does."""
    if MATCH_TIMEOUT is None:
        return None
    return MATCH_TIMEOUT + SCAN_SECONDS_PER_MB * len(text) / 1e6


_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUMERAL_CHARS = "零〇一二三四五六七八九十百千万亿两俩壹贰叁肆伍陆柒捌玖拾佰仟"
_EXPONENT = r"(?:[eE][+-]?\d+|\^[+-]?\d+)?"
# a number in Arabic digits as a whole figure: also .5, 1.2e8 and 10^8
_ARABIC_FIGURE = rf"(?:{_ARABIC}|(?<![\d.])\.\d+){_EXPONENT}"
# 兆 inside a numeral is 10^12 (四十九兆九千亿); before anything else it is mega (五兆瓦)
# 两 ending a numeral after another numeral is the weight (三十两, 两万两), not a digit
_CHINESE = rf"[{_NUMERAL_CHARS}](?:(?!两(?![{_NUMERAL_CHARS}]))[{_NUMERAL_CHARS}])*(?:兆[{_NUMERAL_CHARS}]+)?(?:点[零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖]+[万亿]?)?"
# Financial numerals are also words (陆地, 入伍, 拾取): alone, without a unit, they are not numbers.
_FINANCIAL_ONLY = set("壹贰叁肆伍陆柒捌玖拾佰仟")

# Characters around a number that make it part of a name or code: H1N1, 1+1+X, 3·15,
# 17025:2005, v1.2, 5G, the 4 of ¼ (1⁄4).
_NAME_NEIGHBOURS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_+·•:/#＃⁄")
_CLAUSE_BREAKS = set("。；;！!？?\n，,、：:（）()【】[]“”\"")
_ASCII_ALNUM = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# 一个, 一次, 一天, 千家万户: counts and spans of time in numerals are often idioms;
# 一美元 and 十吨 are not.
_IDIOM_DIMENSIONS = ("count", "time")
_RATE_DIMENSIONS = ("percent", "percentage_point", "multiple")


def _num(name: str) -> str:
    """A number, atomic: once read it is never given back digit by digit (the engine would
    otherwise retry every unit after every shorter prefix of 14151.3), and never started
    in the middle of another number."""
    return (f"(?:(?<![\\d.])(?P<{name}a>(?>{_ARABIC_FIGURE}))"
            f"|(?<![{_NUMERAL_CHARS}点])(?P<{name}c>(?>{_CHINESE})))")


@dataclass(frozen=True)
class Grammar:
    scans: "tuple[regex.Pattern[str], ...]"  # in order of precedence at the same start
    lead: "regex.Pattern[str]"
    lex: Lexicon
    lead_ends: frozenset = frozenset()  # last characters of whatever `lead` can match
    # Per scan, the characters one of whose presence the pattern needs (None: none known,
    # scan every text): a text without any of them is not scanned at all.
    needs: "tuple[Optional[tuple[str, ...]], ...]" = ()
    # Per scan index, where the shape alone is scanned: in windows around its anchor
    # word (see Anchor and anchored_windows); the others over the whole text.
    anchors: "dict[int, Anchor]" = field(default_factory=dict)
    # Per scan index, the shape split in two (see Split)
    splits: "dict[int, Split]" = field(default_factory=dict)


@dataclass(frozen=True)
class Anchor:
    """A word every match of a shape holds right after its first number (成, 分之): the
    shape can only match in a window from the start of the run of `back` characters
    before an anchor (or digits) to the end of the run of `ahead` characters after it
    (or digits, when `ahead` is not empty), plus `reach` characters for the rest of the
    match and what its lookarounds see. Such a shape is worth scanning this way when
    its first characters (numerals, digits) are common and its anchor is not."""
    pattern: "regex.Pattern[str]"
    back: frozenset
    ahead: frozenset
    reach: int


@dataclass(frozen=True)
class Split:
    """A shape without an alternative that seldom matches: `common`, with the shape's
    groups, which the engine searches faster, and `rare`, what every match of that
    alternative starts with. Where `rare` matches nowhere, the shape matches exactly
    where `common` does; elsewhere the shape itself is scanned."""
    common: "regex.Pattern[str]"
    rare: "regex.Pattern[str]"


@lru_cache(maxsize=2)
def grammar(all_numbers: bool = False) -> Grammar:
    lex = lexicon()
    tail = r"""(?:(?:
          (?P<unit0>\L<units>)(?:(?P<half0>半)(?P<half_unit>\L<after_ge>)?)?
        | (?P<scale>\L<scales>)
          (?:(?P<sep2>\L<seps>)""" + _num("m2") + r"""(?P<scale2>\L<scales>)
            |(?P<rest>(?:零?""" + _ARABIC + r"""\L<scales>)*(?:零?""" + _ARABIC + r""")?))
          (?P<fz2>\L<fuzzy>)?(?P<scale3>万|亿)?(?:(?P<unit>\L<units>)(?P<half>半)?)?
      )(?:又?(?P<minor>\d{1,2}|[一二两三四五六七八九])(?P<minor_unit>\L<minor_units>)(?!之))?)"""
    # Outside --all-numbers a plain number must carry 多/余 or a unit or scale word.
    if all_numbers:
        number_tail = rf"(?P<fz1>\L<fuzzy>)?{tail}?"
    else:
        # A cheap look at the next character first: most numbers in running text (一些,
        # 2009年) are followed by nothing a figure can continue with, and a character class
        # rejects them before any named list is consulted.
        firsts = {word[0] for word in (*lex.units, *lex.scales, *lex.fuzzy_suffixes, *lex.range_separators)}
        number_tail = (rf"(?=[{regex.escape(''.join(sorted(firsts)))}])"
                       rf"(?:(?P<fz1>\L<fuzzy>){tail}?|{tail})")
    post = r"(?P<post>\L<suffixes>)?"
    # 3/5 and 1 3/5 written with a slash may as well be a date or a code: a fraction only
    # when every number is asked for
    slash = (r"(?<![\d./])(?:(?P<sw>\d+)\s)?(?P<sn>\d+)/(?P<sd>\d+)(?![\d./])" if all_numbers
             else None)

    def arabic_shape(figure: str) -> str:
        return rf"(?<!\d)(?<!\d\.)(?P<na>(?>{figure}))(?:(?P<sep>\L<seps>){_num('m')})?{number_tail}{post}"

    arabic = arabic_shape(_ARABIC_FIGURE)
    # 三分之一; 三百五又三分之一 (350⅓)
    fraction = rf"(?:{_num('w')}\s*又\s*)?{_num('d')}分之{_num('f')}{post}"
    # One pattern per shape, each simple enough for the engine's fast searches (a literal,
    # a first-character set); joined into one alternation they are tried at every position.
    shapes = [
        rf"(?P<ordinal>第{_num('r')}(?P<rank_unit>\L<rank_units>)?)",
        rf"百分之{_num('p')}(?P<kilo>[kK](?![A-Za-z]))?{post}",
        fraction,
        rf"""(?:(?<![{_NUMERAL_CHARS}])(?P<cheng>[二两三四五六七八九]|十)(?:点(?P<chengd>[一二三四五六七八九]))?
              |(?<![\d.⁄A-Za-z])(?P<chenga>\d{{1,2}}(?:\.\d+)?)|(?P<chengh>半))
            成(?:(?P<chengplus>半)|(?P<chengdigit>[一二三四五六七八九])(?![{_NUMERAL_CHARS}]))?
            (?!\L<cheng_blockers>){post}""",
        rf"""(?:(?<![\d.⁄A-Za-z])(?P<zhea>\d(?:\.\d)?|\d\d)
              |(?<![{_NUMERAL_CHARS}])(?P<zhec>[一二两三四五六七八九壹贰叁肆伍陆柒捌玖]{{1,2}})
                (?:点(?P<zhed>[一二三四五六七八九壹贰叁肆伍陆柒捌玖]))?
              |(?P<zheh>半|(?<=打)对))
            折(?!\L<zhe_blockers>){post}""",
        slash,
        # a currency sign makes a bare number a figure: $20, ¥300
        rf"(?P<sign_unit>US\$|HK\$|[$¥€£])\s?(?P<na>(?>{_ARABIC})){tail}?{post}",
        arabic,
        rf"""(?:(?=[一两二三四五六七八])(?P<pair>\L<pairs>)
              |(?<![{_NUMERAL_CHARS}点])(?P<nc>(?>{_CHINESE}))(?:(?P<sep>\L<seps>){_num('m')})?)
            {number_tail}{post}""",
    ]
    # matched backwards from the number's start
    lead = (r"(?P<cue>\L<cues>)?(?P<pre>\L<prefixes>)?(?:(?P<verb>\L<verbs>)了?)?(?P<pre2>\L<prefixes>)?"
            r"(?P<cur>\L<currencies>)?(?P<sign>负|-|−)?")
    lead_words = (*lex.growth_rate_cues, *lex.prefix_qualifiers, *lex.growth_up, *lex.growth_down, "了",
                  *lex.unit_prefixes, "负", "-", "−")
    lists = dict(
        rank_units=sorted(lex.rank_units), cheng_blockers=list(lex.cheng_blockers),
        zhe_blockers=list(lex.zhe_blockers), minor_units=list(lex.minor_currency_units),
        pairs=list(lex.numeral_pairs), seps=list(lex.range_separators), fuzzy=list(lex.fuzzy_suffixes),
        # 三个半小时, 两个半月: what may follow 个半 (the rest of a unit written 个…)
        after_ge=sorted({word[1:] for word in lex.units if word.startswith("个") and len(word) > 1}),
        units=list(lex.units), scales=list(lex.scales), suffixes=list(lex.suffix_qualifiers),
        ignore_unused=True,
    )
    # the characters each shape cannot match without (None: too many to list), in the
    # order of `shapes` (tests/test_extract_speed.py checks them on generated text)
    needs = (("第",), ("百分之",), ("分之",), ("成",), ("折",), *([("/",)] if slash else []),
             ("$", "¥", "€", "£"), None, None)
    shapes = [shape for shape in shapes if shape is not None]
    assert len(needs) == len(shapes), "a shape was added: say what it needs in `needs`"
    suffix_reach = max(1, *map(len, lex.suffix_qualifiers))
    number_chars = frozenset(_NUMERAL_CHARS + "兆点,.eE+-^")
    anchors = {
        # 七成, 7.5成, 八点五成, 半成 (and 成半, 成三 after it, then a blocker or a suffix)
        next(k for k, shape in enumerate(shapes) if "(?P<cheng>" in shape): Anchor(
            compile_cached(r"(?<=[\d一二两三四五六七八九十半])成", regex.V1),
            back=frozenset("二两三四五六七八九十点一半."), ahead=frozenset(),
            reach=3 + max(suffix_reach, *map(len, lex.cheng_blockers))),
        # 三分之一, 3分之2, 三百五又三分之一: any numbers on both sides
        shapes.index(fraction): Anchor(
            compile_cached(rf"(?<=[\d{_NUMERAL_CHARS}])分之", regex.V1),
            back=number_chars | _space_chars() | {"又"}, ahead=number_chars, reach=2 + suffix_reach),
    }
    # 成 is a common character: that shape is searched backwards, from each 成, which
    # measured three times faster than forwards
    scans = tuple(compile_cached(shape, regex.VERBOSE | regex.V1 | (regex.REVERSE if "(?P<cheng>" in shape else 0),
                                **lists)
                  for shape in shapes)
    # A figure starting with its point (.5) is rare, and the alternative that reads it
    # makes every position a candidate for the engine: the shape is searched without it
    # wherever no point before a digit could start one (see `Split`).
    k = shapes.index(arabic)
    splits = {k: Split(common=compile_cached(arabic_shape(_ARABIC + _EXPONENT), regex.VERBOSE | regex.V1, **lists),
                       rare=compile_cached(r"(?<![\d.])\.\d", regex.V1))}
    assert splits[k].common.groupindex == scans[k].groupindex
    return Grammar(
        needs=needs, anchors=anchors, splits=splits, scans=scans,
        lead=compile_cached(lead, regex.V1 | regex.REVERSE, cues=list(lex.growth_rate_cues), prefixes=list(lex.prefix_qualifiers),
                           verbs=list(lex.growth_up) + list(lex.growth_down),
                           currencies=list(lex.unit_prefixes)),
        lex=lex,
        lead_ends=frozenset(word[-1] for word in lead_words if word),
    )


def _glued(text: str, start: int, before: Optional[tuple[str, ...]]) -> bool:
    """A lead word that the text right before it makes part of another word."""
    return bool(before) and any(text.startswith(word, start - len(word), start)
                                for word in before if start >= len(word))


@dataclass
class _Lead:
    """What stands right before a number: growth-rate noun, qualifiers, verb, currency."""

    cue: Optional[str] = None
    pre: Optional[str] = None
    pre_start: int = -1
    verb: Optional[str] = None
    verb_start: int = -1
    pre2: Optional[str] = None
    pre2_start: int = -1
    cur: Optional[str] = None
    sign_start: int = -1


_NO_LEAD = _Lead()
_MISSING = object()


def _number(groups: dict, name: str) -> Optional[tuple[float, float, bool]]:
    """(value, half-precision, is_chinese) of the number captured under `name`, if any."""
    arabic = groups.get(name + "a")
    if arabic is not None:
        return (*parse_arabic(arabic), False)
    chinese = groups.get(name + "c")
    if chinese is not None:
        return (*parse_chinese(chinese), True)
    return None


def _qualifier(lex: Lexicon, lead: _Lead, groups: dict) -> tuple[str, str]:
    """(reported qualifier, interval kind). A prefix wins over 多/余, which win over a suffix."""
    if lead.pre2 or lead.pre:
        return _qualifier_kind(lex.prefix_qualifiers[lead.pre2 or lead.pre])
    word = groups.get("fz1") or groups.get("fz2")
    if word:
        return _qualifier_kind(lex.fuzzy_suffixes[word])
    word = groups.get("post")
    if word:
        return _qualifier_kind(lex.suffix_qualifiers[word])
    return "exact", "exact"


@lru_cache(maxsize=1024)
def _qualifier_kind(entry: str) -> tuple[str, str]:
    """`more_than/open` -> (more_than, open_more_than)."""
    reported, _, bound = entry.partition("/")
    return reported, (f"open_{reported}" if bound == "open" else reported)


_RATIO_NUMBER = r"\d+(?:\.\d+)?"


def _ratio_row_pattern(names: list[str]) -> "regex.Pattern[str]":
    """A ratio row after one of `names`, a few words between (为, 调整为), not the row a
    change starts from (由7.9:40.1:52.0调整为7.7:39.5:52.8: the second)."""
    words = "|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True))
    row = rf"{_RATIO_NUMBER}(?:[:∶]{_RATIO_NUMBER})+"
    return compile_cached(
        rf"(?P<name>{words})[^\d\n。；;，,！？!?由从]{{0,10}}?"
        rf"(?:[由从][^\n。；;，,]{{0,8}}?{row}[^\d\n。；;，,]{{0,6}}?)?"
        rf"(?<![\d.])(?P<row>{row})(?![\d.:∶])", regex.V1)


class Extractor:
    """Runs the grammar over a document; `exclusions` is a compiled pattern whose matches
    (names, idioms, codes from the rule files) never hold a claim."""

    def __init__(self, exclusions: "Optional[regex.Pattern[str]]" = None, all_numbers: bool = False,
                 exclusion_rules: "Optional[list[Exclusion]]" = None, ratios: "Optional[list[Ratio]]" = None):
        """`exclusion_rules`, the rules `exclusions` was built from, lets a timeout be
        pinned on the rule that caused it (see `_excluded`); `ratios`, the rows of
        percentages stated as a ratio that are claims (see `_with_ratio_rows`)."""
        self.g = grammar(all_numbers)
        self._ratio_by_name: dict[str, Ratio] = {}
        for ratio in ratios or []:
            for name in ratio.names:
                self._ratio_by_name.setdefault(name, ratio)
        self._ratio_rows = _ratio_row_pattern(list(self._ratio_by_name)) if self._ratio_by_name else None
        self._percent = next(info for info in self.g.lex.units.values() if info.name == "percent")
        self.exclusions = exclusions
        self._together: list = list(exclusion_rules or [])   # the rules in `exclusions`
        self._apart: list = []   # (rule, pattern): rules that timed out once, run alone since
        self._rule_patterns: Optional[list] = None   # each of `_together` compiled alone, on first use
        self.all_numbers = all_numbers
        lex = self.g.lex
        # groupdict() is slow; groups() zipped with the names is not
        self._group_names = [[name for name, _ in sorted(p.groupindex.items(), key=lambda item: item[1])]
                             for p in self.g.scans]
        self._prefix_units = {word: next(info for info in lex.units.values() if info.name == code)
                              for word, code in lex.unit_prefixes.items()}
        # whether a document's figures met again are judged from a cache (see `_judge`)
        self.cache_judging = True
        # characters after a match that a scan pattern may look at (its lookaheads), plus
        # the one after that `_is_name_part` reads (3.2.1)
        self._reach = 2 + max(1, *map(len, lex.cheng_blockers), *map(len, lex.zhe_blockers))

    def extract(self, doc: Document, errors: Optional[list[str]] = None,
                max_claims: Optional[int] = None) -> list[Claim]:
        """The claims of a document. What goes wrong without stopping the document (an
        exclusion rule timing out, more than `max_claims` claims: the first ones are kept)
        is appended to `errors`, one line naming the document; with no list given, an
        exclusion timeout is raised."""
        text = doc.norm
        excluded: Optional[list[tuple[int, int]]] = None   # run at the first match, if any
        excluded_ends: list[int] = []
        has_nul = "\x00" in text
        claims: list[Claim] = []
        previous_end = 0
        # a few figures have little to repeat: the cache would only cost its keys
        judged: Optional[dict] = None
        # the matches come a block of text at a time, judged before the next block is
        # scanned: the regex match objects of a whole document held at once were most of
        # extraction's peak memory
        for count, (start, end, priority, m) in enumerate(chain.from_iterable(self._scan_blocks(text)), 1):
            if excluded is None:
                excluded = self._excluded(text, doc.path, errors)
                excluded_ends = [span_end for _, span_end in excluded]
            if count == _CACHE_FROM and self.cache_judging:
                judged = {}
            elif judged is not None and count % _CACHE_PROBE == 0 and 8 * len(judged) > 7 * count:
                # fewer than one match in eight met again: the figures do not repeat, and
                # the keys were most of extraction's peak on figure-dense text that does not
                judged = None
            claim = self._judge(text, start, end, priority, m, previous_end, judged)
            previous_end = end
            if claim is None or not -_HUGE < claim.value < _HUGE:
                continue  # 9999…(400 digits)元 is a string of digits, not a figure (nor inf, nor nan)
            if has_nul and _touches_nul(text, claim.norm_start, claim.norm_end):
                continue  # a NUL may stand for a lost character: the figure may be cut
            if excluded:
                # the first excluded span ending after the claim's start is the one that may
                # overlap it (the spans are sorted and disjoint)
                k = bisect.bisect_right(excluded_ends, claim.norm_start)
                if k < len(excluded) and excluded[k][0] < claim.norm_end:
                    continue
            if max_claims is not None and len(claims) >= max_claims:
                if errors is not None:
                    errors.append(f"{doc.path}: more than {max_claims} claims; only the first {max_claims} "
                                  f"are kept")
                break
            claims.append(claim)
        if self._ratio_rows is not None:
            claims = self._with_ratio_rows(text, claims)
        _elided_points(text, claims)
        self._locate(doc, claims)
        return claims

    def _with_ratio_rows(self, text: str, claims: list[Claim]) -> list[Claim]:
        """`claims` and the terms of the ratio rows of the text (三次产业结构为7.7:39.5:52.8:
        7.7% of the metric at the row's first place…), in text order. A row's bare numbers
        are no claims of the grammar, and its name makes them percentages: no exclusion
        (a clock time, a score) applies. A row with as many terms as metrics only; the
        row a change starts from (由7.9:40.1:52.0调整为…) is none."""
        percent = self._percent
        rows: list[Claim] = []
        for m in self._ratio_rows.finditer(text, timeout=scan_timeout(text)):
            ratio = self._ratio_by_name[m.group("name")]
            terms = m.group("row").replace("∶", ":").split(":")
            if len(terms) != len(ratio.metrics):
                continue
            start = m.start("row")
            for term, metric in zip(terms, ratio.metrics):
                value, precision = parse_arabic(term)
                rows.append(Claim(id="", text="", start=0, end=0, value=value, unit=percent.name,
                                  dimension=percent.dimension, qualifier="exact", low=value - precision,
                                  high=value + precision, precision=precision, role="share", metric=metric,
                                  norm_start=start, norm_end=start + len(term)))
                start += len(term) + 1
        if not rows:
            return claims
        starts = [c.norm_start for c in claims]
        kept = []
        for row in rows:
            k = bisect.bisect_right(starts, row.norm_start)
            overlaps = (k > 0 and claims[k - 1].norm_end > row.norm_start) or \
                       (k < len(claims) and claims[k].norm_start < row.norm_end)
            if not overlaps:
                kept.append(row)
        return list(heapq.merge(claims, kept, key=attrgetter("norm_start")))

    def _judge(self, text: str, start: int, end: int, priority: int, m: "regex.Match[str]",
               floor: int, cache: Optional[dict] = None) -> Optional[Claim]:
        """The claim of the match `m` of scan `priority`, from `start` to `end` (None for
        none), `floor` the end of the match before.

        Documents repeat their figures with the same words around them: a match judged
        once in a document is judged again from `cache` (one per document), keyed by all
        that judging it reads: its pattern, and the text from `lo` (9 characters or the
        lead window before the match, whichever reaches further, and one more for a
        prefix's blockers) to `_reach` characters after it, with the match's place in that
        text. `_reach` also bounds what the scan's lookarounds saw, so the match's groups
        are a function of that text too. On text that does not repeat, the cache only
        costs the key."""
        if cache is not None:
            # max() and min() as conditionals: this runs once per figure of the document
            window = (start - LEAD_WINDOW if start - LEAD_WINDOW > floor else floor) if start > floor else start
            lo = (window if window < start - 8 else start - 8) - 1
            if lo < 0:
                lo = 0
            key = (priority, text[lo:end + self._reach], start - lo, end - lo, window - lo)
            hit = cache.get(key, _MISSING)
            if hit is not _MISSING:
                if hit is None:
                    return None
                first, first_lo = hit   # not located yet: the loop of `extract` is not over
                claim = Claim(*_claim_fields(first))
                claim.norm_start += lo - first_lo
                claim.norm_end += lo - first_lo
                return claim
        groups = dict(zip(self._group_names[priority], m.groups()))
        try:
            claim = (self._rank(text, m, groups) if groups.get("ordinal")
                     else self._figure(text, m, groups, floor))
        except (NumberError, OverflowError):
            claim = None   # OverflowError: a numeral of hundreds of digits is no float
        if cache is not None:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[key] = None if claim is None else (claim, lo)
        return claim

    def _excluded(self, text: str, path: str, errors: Optional[list[str]]) -> list[tuple[int, int]]:
        """Sorted, disjoint spans of the text that the exclusion rules match.

        All rules run together, finding what their alternation finds (`leftmost_first`;
        the alternation itself, `exclusions`, on text under APART_FROM_CHARS and for a
        compiled pattern given alone). When that times out, each rule runs alone with its
        own timeout: a rule that times out is reported (its id, its file and line, the
        document) and from then on runs alone, so the others keep working together, and
        its matches are not applied where it timed out."""
        spans: list[tuple[int, int]] = []
        if self.exclusions is not None:
            timeout = scan_timeout(text)
            try:
                found = None
                if self._together and len(text) >= APART_FROM_CHARS:
                    if self._rule_patterns is None:
                        self._rule_patterns = [compile_cached(rule.pattern, regex.V1) for rule in self._together]
                    found = leftmost_first(self._rule_patterns, text, timeout)
                if found is None:
                    found = [m.span() for m in self.exclusions.finditer(text, timeout=timeout)]
                spans = [(start, end) for start, end in found if end > start]
            except TimeoutError:
                if not self._together:
                    if errors is None:
                        raise
                    errors.append(f"{path}: the exclusion patterns timed out after {timeout:.1f} s; "
                                  f"none was applied")
                    return []
                spans = []
                for rule in self._together:
                    got = self._run_alone(rule, regex.compile(rule.pattern, regex.V1), text, path, errors)
                    if got is None:
                        self._apart.append((rule, regex.compile(rule.pattern, regex.V1)))
                    else:
                        spans.extend(got)
                timed_out = {id(rule) for rule, _ in self._apart}
                self._together = [rule for rule in self._together if id(rule) not in timed_out]
                self._rule_patterns = None
                self.exclusions = combine_exclusions(self._together)
                return _merge(spans)
        if not self._apart:
            return spans
        for rule, pattern in self._apart:
            spans.extend(self._run_alone(rule, pattern, text, path, errors) or [])
        return _merge(spans)

    @staticmethod
    def _run_alone(rule, pattern: "regex.Pattern[str]", text: str, path: str,
                   errors: Optional[list[str]]) -> Optional[list[tuple[int, int]]]:
        timeout = None if MATCH_TIMEOUT is None else EXCLUSION_TIMEOUT + SCAN_SECONDS_PER_MB * len(text) / 1e6
        try:
            return [m.span() for m in pattern.finditer(text, timeout=timeout) if m.end() > m.start()]
        except TimeoutError:
            message = (f"{path}: exclusion {rule.ruleset}/{rule.id} ({rule.source}) timed out after "
                       f"{timeout:.1f} s; its matches were not applied")
            if errors is None:
                raise TimeoutError(message) from None
            errors.append(message)
            return None

    @staticmethod
    def _locate(doc: Document, claims: list[Claim]) -> None:
        """Raw spans for all claims at once, with the pinyin annotations after their last
        character taken in."""
        if not claims:
            return
        starts = doc.raw_index[np.fromiter((c.norm_start for c in claims), dtype=np.int64, count=len(claims))]
        ends = doc.raw_index[np.fromiter((c.norm_end - 1 for c in claims), dtype=np.int64, count=len(claims))] + 1
        ann_starts, ann_ends = doc.annotation_starts, doc.annotation_ends
        for _ in range(8):
            if ann_starts.size == 0:
                break
            k = np.searchsorted(ann_starts, ends)
            inside = k < ann_starts.size
            hit = np.zeros(ends.size, dtype=np.bool_)
            hit[inside] = ann_starts[k[inside]] == ends[inside]
            if not hit.any():
                break
            ends[hit] = ann_ends[k[hit]]
        raw = doc.raw
        # a figure stated again (14.5%, 1亿元) shares the first one's text
        texts: dict[str, str] = {}
        for number, (claim, start, end) in enumerate(zip(claims, starts.tolist(), ends.tolist()), 1):
            claim.id = f"c{number}"
            # the same int object where the raw offset is the normalized one (text with
            # nothing cut out): 64 bytes a claim, of the 700 a figure-dense text holds
            claim.start = claim.norm_start if start == claim.norm_start else start
            claim.end = claim.norm_end if end == claim.norm_end else end
            text = raw[start:end]
            claim.text = texts.setdefault(text, text)

    def _scan(self, text: str, block: Optional[int] = None) -> list:
        """Every match of `_scan_blocks`, in one list."""
        return list(chain.from_iterable(self._scan_blocks(text, block)))

    def _scan_blocks(self, text: str, block: Optional[int] = None) -> Iterator[list]:
        """Matches of all shapes, leftmost first, without overlaps (an earlier shape wins a
        tie), as (start, end, the shape's priority, the match), in lists: the matches that
        start in each `block` characters of the text (SCAN_BLOCK by default), one list
        after the other, so that the caller holds one block's match objects at a time.
        The timeout bounds the regex scans only: the time the caller takes between two
        blocks is not counted.

        Each shape is scanned as if alone over the whole text: a block's scan of it
        starts where the whole-text scan would go on, the end of its last match, and the
        first match starting past the block is kept for the next one. A shape is not
        scanned where it cannot match: not at all when the text lacks every character it
        needs (`Grammar.needs`), and the 成 and 分之 shapes only in windows around the 成
        and 分之 that follow a numeral (`Grammar.anchors`, see `anchored_windows`; they are
        few, and found at once), and the Arabic shape without its rare alternative (.5) where
        nothing could start one (`Grammar.splits`)."""
        block = block or SCAN_BLOCK
        timeout = scan_timeout(text)
        deadline = None if timeout is None else time.monotonic() + timeout
        # each match under one int that orders by start, then priority: a list of tuples
        # whose first items are distinct ints is sorted without comparing anything else
        shapes = len(self.g.scans)
        anchored = []
        streams = []   # [priority, pattern, where its scan goes on, its match kept for later]
        for priority, pattern in enumerate(self.g.scans):
            needs = self.g.needs[priority] if priority < len(self.g.needs) else None
            if needs is not None and not any(word in text for word in needs):
                continue
            split = self.g.splits.get(priority)
            if split is not None and split.rare.search(text, timeout=time_left(deadline)) is None:
                pattern = split.common
            anchor = self.g.anchors.get(priority)
            if anchor is not None:
                for pos, endpos in anchored_windows(text, anchor, deadline):
                    anchored.extend((m.start() * shapes + priority, m)
                                    for m in pattern.finditer(text, pos, endpos, timeout=time_left(deadline)))
            else:
                streams.append([priority, pattern, 0, None])
        anchored.sort(reverse=True)   # taken from the end
        end = -1
        for low in range(0, len(text), block):
            high = low + block
            found = []
            while anchored and anchored[-1][0] < high * shapes:
                found.append(anchored.pop())
            for stream in streams:
                priority, pattern, pos, held = stream
                if pos is None:
                    continue   # scanned to the end
                if held is not None:
                    if held.start() >= high:
                        continue
                    found.append((held.start() * shapes + priority, held))
                    pos = held.end()
                    stream[3] = None
                for m in pattern.finditer(text, pos, timeout=time_left(deadline)):
                    if m.start() >= high:
                        stream[3] = m
                        break
                    found.append((m.start() * shapes + priority, m))
                else:
                    stream[2] = None
            if not found:
                if anchored or any(stream[2] is not None for stream in streams):
                    continue
                return
            found.sort()
            kept = []
            for order, m in found:
                start = order // shapes
                if start >= end:
                    end = m.end()
                    kept.append((start, end, order - start * shapes, m))
            paused = time.monotonic()
            yield kept
            if deadline is not None:
                deadline += time.monotonic() - paused

    def _lead(self, text: str, start: int, floor: int) -> _Lead:
        """Read back from a number, but not into the figure before it (4人民币5美元)."""
        if start <= floor or text[start - 1] not in self.g.lead_ends:
            return _NO_LEAD  # matched backwards, the lead would have to end right before the number
        # LEAD_WINDOW characters at most: no timeout (its clock costs more than the match)
        m = self.g.lead.match(text, max(floor, start - LEAD_WINDOW), start)
        if m is None or m.start() == start:
            return _NO_LEAD
        lead = _Lead(cue=m.group("cue"), pre=m.group("pre"), pre_start=m.start("pre"),
                     verb=m.group("verb"), verb_start=m.start("verb"),
                     pre2=m.group("pre2"), pre2_start=m.start("pre2"), cur=m.group("cur"),
                     sign_start=m.start("sign"))
        if m.group("sign") in ("-", "−") and m.start("sign") > 0 and text[m.start("sign") - 1] in _ASCII_ALNUM:
            lead.sign_start = -1  # 2021-04, A-3: a hyphen, not a minus
        lex = self.g.lex
        # 出超 is a trade surplus, not "more than": a prefix glued to the word before it
        if lead.pre and _glued(text, lead.pre_start, lex.prefix_blockers.get(lead.pre)):
            lead.pre, lead.pre_start = None, -1
        if lead.pre2 and _glued(text, lead.pre2_start, lex.prefix_blockers.get(lead.pre2)):
            lead.pre2, lead.pre2_start = None, -1
        # 同比多增2143.6亿元: how much more it rose than a year before, not a change of the figure
        if lead.verb and _glued(text, lead.verb_start, lex.verb_blockers.get(lead.verb)):
            lead.verb, lead.verb_start = None, -1
        # 自然增长率为2.60‰: a rate of its own, not a growth rate
        if lead.cue and _glued(text, m.start("cue"), lex.cue_blockers.get(lead.cue)):
            lead.cue = None
        return lead

    def _rank(self, text: str, m: "regex.Match[str]", g: dict) -> Optional[Claim]:
        lex = self.g.lex
        number = _number(g, "r")
        if number is None:
            return None
        value = number[0]
        start, end = m.span()
        if not m.group("rank_unit"):
            before = text[max(0, start - 8):start]
            for k in range(len(before) - 1, -1, -1):
                if before[k] in _CLAUSE_BREAKS:
                    before = before[k + 1:]
                    break
            if not any(cue in before for cue in lex.rank_cues):
                return None
            # 居全国第一 ends its clause; 第一次, 第一批 and 第一产业 do not
            if end < len(text) and "\u4e00" <= text[end] <= "\u9fff" and text[end] != "的":
                return None
        return Claim(id="", text="", start=0, end=0, value=value, unit=None, dimension="rank",
                     qualifier="exact", low=value, high=value, precision=0.0, role="rank",
                     norm_start=start, norm_end=end)

    def _figure(self, text: str, m: "regex.Match[str]", g: dict, floor: int = 0) -> Optional[Claim]:
        lex = self.g.lex
        unit_word = g.get("unit0") or g.get("unit")
        if g.get("half_unit") and unit_word + g["half_unit"] in lex.units:
            unit_word += g["half_unit"]  # 三个半小时: 3.5 of 个小时
        cut = None
        if unit_word in lex.unit_blockers:
            group = "unit0" if g.get("unit0") else "unit"
            if text[m.end(group):m.end(group) + 1] in lex.unit_blockers[unit_word]:
                # 2010两岸: the unit word starts another word; the figure ends before it
                if group == "unit0" and not self.all_numbers:
                    return None
                unit_word, cut = None, m.start(group)
        unit: Optional[UnitInfo] = lex.units[unit_word] if unit_word else None
        scale = lex.scales[g["scale"]] if g.get("scale") else 1.0
        if g.get("scale3"):
            scale *= lex.scales[g["scale3"]]
        has_fuzzy = bool(g.get("fz1") or g.get("fz2"))
        percent_form = False
        low = high = None
        is_range = False
        if g.get("pa") is not None or g.get("pc") is not None:
            value, precision, chinese = _number(g, "p")
            if g.get("kilo"):
                value, precision = value * 1000.0, precision * 1000.0
            if chinese:
                precision = min(precision, 0.5)  # 百分之百 is all of it, not 100 ± 50
            unit, percent_form = lex.units["%"], True
            number_start = m.start()
        elif g.get("da") is not None or g.get("dc") is not None:
            den = parse_chinese("亿" + g["dc"][2:])[0] if (g.get("dc") or "").startswith("万万") else _number(g, "d")[0]
            numer = _number(g, "f")[0]
            if den == 0:
                return None
            whole = _number(g, "w")
            value, precision, chinese = ((whole[0] if whole else 0.0) + numer / den) * 100.0, 1e-9, True
            unit, percent_form = lex.units["%"], True
            number_start = m.start()
        elif g.get("cheng") is not None or g.get("chenga") is not None or g.get("chengh") is not None:
            # 三成 = 30%, 7.2成 = 72%, 八点五成 = 85%, 三成半 = 35%, 半成 = 5%
            if g.get("chenga") is not None:
                tenths, tenth_precision = parse_arabic(g["chenga"])
                value, precision, chinese = tenths * 10.0, tenth_precision * 10.0, False
            else:
                tenths = 0.5 if g.get("chengh") else parse_chinese(g["cheng"])[0]
                if g.get("chengd"):
                    tenths += parse_chinese(g["chengd"])[0] / 10.0
                value, precision, chinese = tenths * 10.0, (0.5 if g.get("chengd") else 5.0), True
            if g.get("chengplus"):
                value += 5.0  # 三成半
            elif g.get("chengdigit"):
                value += parse_chinese(g["chengdigit"])[0]  # 七成六 = 76%
                precision = 0.5
            unit, percent_form = lex.units["%"], True
            number_start = m.start()
        elif g.get("zhea") is not None or g.get("zhec") is not None or g.get("zheh") is not None:
            # 75折 = 75%, 9.9折 = 99%, 三八折 = 38%, 三点一折 = 31%, 对折 = 50%
            if g.get("zhea") is not None:
                token = g["zhea"]
                value = float(token) * (10.0 if len(token.replace(".", "")) == 1 or "." in token else 1.0)
            elif g.get("zhec") is not None:
                digits = [parse_chinese(ch)[0] for ch in g["zhec"]]
                value = digits[0] * 10.0 + (digits[1] if len(digits) > 1 else 0.0)
                if g.get("zhed"):
                    value += parse_chinese(g["zhed"])[0]
            else:
                value = 50.0
            precision, chinese = 0.5, False
            unit, percent_form = lex.units["%"], True
            number_start = m.start()
        elif g.get("sn") is not None:
            # 3/5, 1 3/5: a fraction is a number (only asked for with --all-numbers)
            den = float(g["sd"])
            if den == 0:
                return None
            value = (float(g["sw"]) if g.get("sw") else 0.0) + float(g["sn"]) / den
            precision, chinese = 1e-9, False
            number_start = m.start()
        elif g.get("pair"):
            pair = g["pair"]
            low, high = sorted((parse_chinese(pair[0])[0], parse_chinese(pair[1])[0]))  # 三两 is 2-3
            value, precision, chinese, is_range = low, 0.5, True, True
            number_start = m.start()
        else:
            value, precision, chinese = _number(g, "n")
            number_start = m.start()
            number_end = m.end("na") if g.get("na") is not None else m.end("nc")
            second = _number(g, "m")
            if g.get("sep2"):
                # 3万-5万人, 3千至5万: each end with its scale word, in the first one's
                m2 = _number(g, "m2")
                second = (m2[0] * lex.scales[g["scale2"]] / scale, m2[1], m2[2])
            elif second is not None and chinese and second[2]:
                # 三到五万 is 3万 to 5万: the myriads after the second end apply to the first
                myriads = trailing_myriads(g.get("mc") or "")[0]
                if myriads > 1 and not trailing_myriads(g.get("nc") or "")[1]:
                    value *= myriads
            if second is not None:
                if unit is None and not g.get("scale") and not self.all_numbers:
                    return None  # 1-9月, 11-11: periods and dates, not figures
                low, high, is_range = value, second[0], True
                if high < low or chinese != second[2]:
                    return None  # 15-8 is no range of one quantity
            if not chinese and _is_name_part(text, number_start, number_end,
                                             m.end() if unit_word or g.get("scale") else None):
                return None
        lead = self._lead(text, number_start, floor)
        if g.get("sign_unit") and (unit is None or unit.dimension == "currency"):
            unit = self._prefix_units[g["sign_unit"]]
        if lead.cur:
            stated_before = self._prefix_units[lead.cur]
            if unit is None or unit.dimension == stated_before.dimension:
                unit = stated_before  # 新台币17,880元 is TWD; 华氏50度 is °F
        if chinese and not percent_form and not is_range:
            token = g.get("nc") or ""
            qualified = bool(lead.pre or lead.pre2)
            if unit is None:
                # Chinese numerals without a unit are mostly words (千万, 一些, 十分): only
                # --all-numbers reports them, and not a financial digit standing alone (陆地)
                if not (self.all_numbers or g.get("scale")) or (len(token) == 1 and token in _FINANCIAL_ONLY):
                    return None
            elif unit.dimension in _IDIOM_DIMENSIONS and not self.all_numbers:
                if value == 1 and not qualified:
                    return None  # 一次, 一批, 一个: idiomatic
                if token in lex.lone_scale_numerals and not (qualified or g.get("fz1")):
                    return None  # 百家, 万户, 千家
            if unit is None and token in lex.lone_scale_numerals and not (g.get("fz1") or g.get("scale")):
                return None  # 万 alone is a word, not a number (十多万 is one)
            if len(token) == 1 and token in _FINANCIAL_ONLY and (unit is None or unit.dimension != "currency"):
                return None  # 拾起, 陆续, 伍: financial digits alone are words but before money
            if token in ("零", "〇") and not g.get("scale"):
                return None  # 零件, 零部件, 零售: zero alone is a word (汽车零件 is no 0 pieces)
        end = m.end()
        if g.get("half0") or g.get("half"):
            if unit is not None and unit.dimension not in ("count", "percent") and scale == 1.0 and not is_range:
                value += 0.5  # 一吨半, 两米半: and a half
            elif not g.get("post"):
                end -= 1  # 三个半小时: the 半 belongs to what follows
        if g.get("minor_unit"):
            if unit is None or unit.dimension != "currency" or scale != 1.0:
                end = m.start("minor") - (1 if text[m.start("minor") - 1] == "又" else 0)
            else:
                # 五元三毛 = 5.3 CNY, 两美元又三美分 = 2.03 USD
                minor = parse_arabic(g["minor"])[0] if g["minor"].isdigit() else parse_chinese(g["minor"])[0]
                value += minor * lex.minor_currency_units[g["minor_unit"]]
                precision = 0.5 * lex.minor_currency_units[g["minor_unit"]]
        if cut is not None:
            end = cut
        value = _clean(value * scale)
        precision *= scale
        if g.get("rest"):
            # 5万4千6百, 13兆6,146亿, 1千零20, 3万4000: each further part below the one
            # before it; 2千零30万: a scale word at the end multiplies all of it
            if is_range:
                return None
            parts = _COMPOUND_PART.findall(g["rest"])
            previous_scale = scale
            for number_, (zero, digits, part_scale_word) in enumerate(parts):
                part, part_precision = parse_arabic(digits)
                last = number_ == len(parts) - 1
                if part_scale_word:
                    part_scale = lex.scales[part_scale_word]
                    if last and part_scale > scale and part < previous_scale:
                        value = _clean((value + part) * part_scale)
                        precision = part_precision * part_scale
                        break
                elif zero or "." in digits:
                    part_scale = 1.0
                elif len(digits) == len(str(int(previous_scale))) - 1:
                    part_scale = 1.0  # 3万4000: the places under 万, all stated
                elif len(digits) == 1:
                    part_scale = previous_scale / 10  # 1万5 is 15000, 3千5 is 3500
                else:
                    return None
                if part_scale >= previous_scale or part * part_scale >= previous_scale:
                    return None
                value = _clean(value + part * part_scale)
                precision = part_precision * part_scale
                previous_scale = part_scale
        if is_range:
            low, high = _clean(low * scale), _clean(high * scale)
        dimension = unit.dimension if unit else "number"
        if percent_form:
            role = "share"
        elif unit is not None:
            role = unit.role
        else:
            role = "number" if self.all_numbers and not g.get("scale") and not has_fuzzy else "level"
        if lead.cue and dimension in _RATE_DIMENSIONS:
            role = "growth"
            if lead.cue.startswith("降"):
                value = -value
        if lead.sign_start >= 0:
            value = -value
            if is_range:
                low, high = -high, -low
        if lead.verb:
            # a rate after a verb is a growth rate; an amount after one is an absolute change
            role = "growth" if dimension in _RATE_DIMENSIONS else "change"
            if lead.verb in lex.growth_down:
                value = -value
                if is_range:
                    low, high = -high, -low
        reported, kind = _qualifier(lex, lead, g)
        if is_range:
            reported = "range"
        else:
            low, high = interval(value, precision, kind)
        if lead.pre:
            start = lead.pre_start
        elif lead.verb:
            start = lead.verb_start
        elif lead.pre2:
            start = lead.pre2_start
        elif lead.sign_start >= 0:
            start = lead.sign_start
        else:
            start = number_start
        return Claim(id="", text="", start=0, end=0, value=value, unit=unit.name if unit else None,
                     dimension=dimension, qualifier=reported, low=low, high=high,
                     precision=precision, role=role, norm_start=start, norm_end=end)


def _elided_points(text: str, claims: list[Claim]) -> None:
    """`分别下降0.8个和1.1个百分点`: the first is in percentage points too (it was 0.8 个,
    a count of items), and a growth like the last."""
    points = lexicon().points_of
    for k in range(len(claims) - 2, -1, -1):   # from the last: 0.5个、0.8个和1.2个百分点
        claim, following = claims[k], claims[k + 1]
        if (claim.unit == "item" and following.unit in points
                and text.startswith("个", claim.norm_end - 1)
                and _POINTS_LISTED.fullmatch(text, claim.norm_end, following.norm_start)):
            claims[k] = replace(claim, unit=following.unit, dimension=following.dimension, role="growth")


_POINTS_LISTED = compile_cached(r"\s*(?:和|、|及|与|至|到|-|~)\s*")


def time_left(deadline: Optional[float]) -> Optional[float]:
    """The timeout left for the next regex call of a scan, None for no limit."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("regex timed out")
    return left


MATCH_BATCH = 1024   # matches held at once by `batched_matches`


def batched_matches(pattern: "regex.Pattern[str]", text: str, windows: Iterable[tuple[int, int]],
                    deadline: Optional[float], batch: int = MATCH_BATCH) -> Iterator["regex.Match[str]"]:
    """The matches of `pattern` in each window, as `finditer` over the window finds them,
    `batch` at a time: the match objects of a whole document held at once (a few hundred
    bytes each) were the peak of linking a figure-dense document. Each batch's scan goes
    on where the one before stopped, the end of its last match, as finditer would. The
    deadline bounds the scans only (`regex` counts a finditer's timeout from its start,
    the caller's time between matches included): the time the caller takes between two
    batches is not counted."""
    for pos, endpos in windows:
        while True:
            found = []
            scan = pattern.finditer(text, pos, endpos, timeout=time_left(deadline))
            for m in scan:
                found.append(m)
                # an empty match is never the last of a batch: finditer goes on past it
                # in its own way, which a new scan from its end would not
                if len(found) >= batch and m.end() > m.start():
                    break
            else:
                scan = None   # the window is scanned to its end
            paused = time.monotonic()
            yield from found
            if deadline is not None:
                deadline += time.monotonic() - paused
            if scan is None:
                break
            pos = found[-1].end()


def anchored_windows(text: str, anchor: Anchor, deadline: Optional[float]) -> list[tuple[int, int]]:
    """Disjoint spans of the text that hold every match of an anchored shape, each to be
    scanned as the whole text would be: the pattern's lookbehinds see before a window,
    and nothing a match holds or looks at lies past one (see Anchor). Each character is
    walked over at most once per side, since an anchor ends the run before it."""
    back, ahead = _walked(anchor)
    size = len(text)
    windows: list[tuple[int, int]] = []
    for m in anchor.pattern.finditer(text, timeout=time_left(deadline)):
        start = m.start()
        while start > 0 and text[start - 1] in back:
            start -= 1
        end = m.end()
        while end < size and text[end] in ahead:
            end += 1
        end = min(size, end + anchor.reach)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


@lru_cache(maxsize=8)
def _walked(anchor: Anchor) -> tuple[frozenset, frozenset]:
    """The characters walked over before and after an anchor, digits included: made
    once, not per document (on a one-paragraph document, making them took as long as
    the scan)."""
    digits = _digit_chars()
    return anchor.back | digits, (anchor.ahead | digits if anchor.ahead else anchor.ahead)


@lru_cache(maxsize=1)
def _digits_and_spaces() -> tuple[frozenset, frozenset]:
    """Every character `\\d` and every one `\\s` matches (the regex module's Unicode, not
    unicodedata's): found once per installation (see `pattern_cache.cached_characters`)."""
    digits, spaces = cached_characters("extract: every \\d and every \\s", 2, _find_digits_and_spaces)
    return frozenset(digits), frozenset(spaces)


def _find_digits_and_spaces() -> list[str]:
    """From one pass over all code points: building them is most of it."""
    codes = np.concatenate((np.arange(0xD800), np.arange(0xE000, 0x110000))).astype(np.uint32)
    planes = codes.tobytes().decode("utf-32-le")
    both = "".join(regex.findall(r"[\d\s]", planes, regex.V1, timeout=60.0))
    return ["".join(regex.findall(r"\d", both, regex.V1, timeout=60.0)),
            "".join(regex.findall(r"\s", both, regex.V1, timeout=60.0))]


def _digit_chars() -> frozenset:
    return _digits_and_spaces()[0]


def _space_chars() -> frozenset:
    return _digits_and_spaces()[1]


def _compound_part_pattern() -> "regex.Pattern[str]":
    scales = sorted(lexicon().scales, key=len, reverse=True)
    return compile_cached(rf"(零?)({_ARABIC})((?:{'|'.join(map(regex.escape, scales))})?)")


_COMPOUND_PART = _compound_part_pattern()


def _clean(value: float) -> float:
    """8.45 * 1e8 is 844999999.9999999 in binary: the error of a product is in the 16th
    or 17th digit, so 15 significant digits clean it and keep every stated digit of a
    long figure (1234567890123元; 12 digits made it 1234567890120)."""
    cleaned = _CLEANED.get(value) if value else None  # not 0: 0.0 == -0.0 as a key
    if cleaned is None:
        cleaned = float(f"{value:.15g}")
        if value:
            if len(_CLEANED) >= TOKEN_CACHE_SIZE:
                _CLEANED.clear()
            _CLEANED[value] = cleaned
    return cleaned


_CACHE_SIZE = 65536
_claim_fields = attrgetter(*(f.name for f in fields(Claim)))   # in the order Claim() takes them
_CACHE_FROM = 16      # matches in a document from which `_judge` caches
_CACHE_PROBE = 4096    # matches between looks at whether the cache pays
_CLEANED: dict = {}   # documents repeat their figures: a dict beats formatting each again


def _is_name_part(text: str, start: int, number_end: int, match_end: Optional[int]) -> bool:
    """A number glued to letters or code punctuation is part of a name (H1N1, 5G, 3·15).
    When a unit follows (3km, 50kg), the letters after the unit decide instead."""
    before = text[start - 1] if start > 0 else ""
    end = match_end if match_end is not None else number_end
    after = text[end] if end < len(text) else ""
    if before in _NAME_NEIGHBOURS or after in _NAME_NEIGHBOURS:
        return True
    if match_end is None or text[number_end:number_end + 1] not in _NAME_NEIGHBOURS:
        # 3.2.1: a version-like dotted run
        return after == "." and end + 1 < len(text) and text[end + 1].isdigit()
    return False


def _touches_nul(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1] == "\x00") or text[end:end + 1] == "\x00"


def leftmost_first(patterns: "list[regex.Pattern[str]]", text: str,
                   timeout: Optional[float]) -> Optional[list[tuple[int, int]]]:
    """The spans that the alternation of `patterns` (each a branch, in order) finds with
    `finditer`: at the leftmost place where any matches, the first that matches there,
    then on from its end. Each pattern alone starts at once where it can start (the
    `regex` engine skips ahead by its first characters or a literal it needs), where
    their alternation tries every branch at almost every character: the shipped
    exclusions took half as long again as the patterns one by one. None when a pattern
    matches empty text, whose turns finditer resolves its own way. TimeoutError after
    `timeout` seconds in all (a regex call under way may go on to its own timeout)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    scans = [pattern.finditer(text, timeout=timeout) for pattern in patterns]
    heads: list = []   # (start, pattern's place, match): each pattern's next match
    for index, scan in enumerate(scans):
        m = next(scan, None)
        if m is not None:
            heads.append((m.start(), index, m))
    heapq.heapify(heads)
    spans: list[tuple[int, int]] = []
    pos = 0
    while heads:
        start, index, m = heads[0]
        if m.end() == start:
            return None
        if start >= pos:
            spans.append((start, m.end()))
            pos = m.end()
        elif m.end() > pos:
            # begun inside the last span and reaching past it: a match may start in
            # between, which this pattern's own scan went past
            scans[index] = patterns[index].finditer(text, pos, timeout=time_left(deadline))
        m = next(scans[index], None)
        if m is None:
            heapq.heappop(heads)
        else:
            heapq.heapreplace(heads, (m.start(), index, m))
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError("regex timed out")
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint spans covering the same characters (spans of several patterns
    overlap; the overlap test in `extract` needs them disjoint)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
