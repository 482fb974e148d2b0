"""conflicting_repeat: the same metric, subject, period and name stated twice with values
whose intervals do not meet. An identical repeat (the seed interview printed twice) is
one statement, not a conflict; a conflict between figures with no period stated is a
warning, since they may be of different years."""
from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate, chain, combinations
from typing import Callable, Iterator

from ..models import Claim
from ..link import canonical_name
from .base import Context, Interval, RawFinding, fmt_gap, fmt_interval, quote

ID = "conflicting_repeat"
TITLE = {"zh": "同一数据前后不一", "en": "conflicting repeat"}


def _key(ctx: Context, claim: Claim):
    info = ctx.info(claim)
    if claim.role == "share" and claim.refers_to:
        # a share of a figure stated (一般贸易进出口8123.4亿元，占全省进出口总额的61.0%) is
        # that figure's: shares of two parts of one whole are two facts
        target = ctx.by_id.get(claim.refers_to)
        inner = _key(ctx, target) if target is not None and target.role in ("level", "count") else None
        return None if inner is None else ("share", inner, canonical_name(info.name), claim.unit)
    if claim.role in ("level", "count", "share"):
        if not claim.metric or (ctx.links.from_text and not info.name):
            return None
        name = canonical_name(info.name)   # 出口, 出口总额, 出口额: one quantity
        return ("figure", claim.metric, name, claim.subject,
                claim.period, claim.unit, claim.role)
    if claim.role == "growth" and claim.refers_to:
        if not info.yoy:
            # over another base (比2008年, 环比, 年均): which one is not kept, and 同比增长33.7%，
            # 比2008年增长43.9% were one figure's rate stated twice with two values
            return None
        target = ctx.by_id.get(claim.refers_to)
        if target is None:
            return None
        inner = _key(ctx, target)
        # a nominal and a real rate of one figure (增长11.0%，扣除价格因素，实际增长7.4%) are two facts
        return None if inner is None else ("rate", inner, claim.unit, info.comparable)
    return None


def _related(ctx: Context, ids: set[str]) -> set[tuple[str, str]]:
    """Pairs of the claims `ids` that a part or a prior links, or that one 分别 list that
    does not pair up states (the values of different things, which cannot be told
    apart), both ways round: not repeats. Only among the claims that may conflict: the
    pairs of every linked claim, made here, set the checks' peak on figure-dense text."""
    related = set()
    for a, b in chain(((p.part, p.whole) for p in ctx.links.parts),
                      ((p.current, p.prior) for p in ctx.links.priors),
                      (pair for issue in ctx.links.lists for pair in combinations(issue.values, 2))):
        if a in ids and b in ids:
            related.update(((a, b), (b, a)))
    return related


def run(ctx: Context) -> Iterator[RawFinding]:
    groups: dict[tuple, list[Claim]] = {}
    # the start of 由X增加到Y is of an earlier period than Y, whatever period the words
    # around it gave it: its period is not known
    earlier = set()
    for prior in ctx.links.priors:
        start, end = ctx.by_id.get(prior.prior), ctx.by_id.get(prior.current)
        if start is not None and end is not None and start.period == end.period:
            earlier.add(start.id)
    for claim in ctx.claims:
        if claim.value is None or ctx.info(claim).forecast or claim.id in earlier:
            continue
        key = _key(ctx, claim)
        if key is not None:
            groups.setdefault(key, []).append(claim)
    statements: list[list[Claim]] = []   # of each group that states two values or more
    for members in groups.values():
        if len(members) < 2:
            continue
        distinct: list[Claim] = []
        seen = set()
        for claim in members:
            shape = (claim.low, claim.high, claim.qualifier)
            if shape not in seen:   # an identical repeat is one statement
                seen.add(shape)
                distinct.append(claim)
        if len(distinct) >= 2:
            statements.append(distinct)
    del groups
    related = _related(ctx, {c.id for distinct in statements for c in distinct})
    for distinct in statements:
        # each statement is reported once, against the first one before it that it
        # cannot meet: every pair was reported before, and a table of 2,000 values of
        # one figure gave two million findings (and took minutes)
        may_not_meet = _earliest_apart(ctx, distinct)
        for k, second in enumerate(distinct):
            for j in range(may_not_meet(k), k):
                first = distinct[j]
                tolerance = ctx.tol(ID, first, second)
                a, b = ctx.iv(first, tolerance), ctx.iv(second, tolerance)
                if a.meets(b) or (first.id, second.id) in related:
                    continue
                # not `ctx.seen`: a statement's signature holds its group's key and its
                # shape, and a group's statements differ in shape, so no pair says what
                # another said; what it kept of every finding was a tenth of the peak
                severity = ctx.severity(ID, "error") if first.period else "warning"
                yield _Conflict(first, second, severity, tolerance)
                break


class _Conflict:
    """A raw finding of this check (the fields of `RawFinding`), kept as its two
    statements and the tolerance they were weighed at: the intervals, the unit and the
    message follow from them. This check reports a finding for every restatement that
    disagrees, and on figure-dense text whose figures differ those findings, held as
    `RawFinding`s (the object, a list, the message function with its figures bound, two
    intervals: 430 bytes), were a fifth of the checks' peak; this is 72 bytes."""

    __slots__ = ("first", "second", "severity", "tolerance", "repeats")
    check = ID
    expected_text = actual_text = None

    def __init__(self, first: Claim, second: Claim, severity: str, tolerance: float) -> None:
        self.first, self.second, self.severity, self.tolerance = first, second, severity, tolerance
        self.repeats = ()

    @property
    def claims(self) -> list[Claim]:
        return [self.first, self.second]

    @property
    def expected(self) -> Interval:
        return Interval.of(self.first, self.tolerance)

    @property
    def actual(self) -> Interval:
        return Interval.of(self.second, self.tolerance)

    @property
    def unit(self):
        return self.first.unit

    @property
    def gap(self) -> float:
        return self.expected.gap(self.actual)

    def message(self, lang: str) -> str:
        return _message(self.first, self.second, self.expected, self.actual, lang)


def _earliest_apart(ctx: Context, distinct: list[Claim]) -> Callable[[int], int]:
    """For statement k, the first statement before it that it may not meet: every one
    before that one meets it. Searched in the running extremes of the statements'
    intervals at the least tolerance any pair of them gets, which hold each pair's: a
    figure stated in 4,000 ways that all meet (约8000.1万人, 约8000.2万人, …) took every
    pair, 19 s, where each statement now takes a search. Without the running extremes
    (a bound that is not a number) every statement is searched from the first."""
    least = min(ctx.tol(ID, c) for c in distinct)
    intervals = [ctx.iv(c, least) for c in distinct]
    if any(math.isnan(iv.lo) or math.isnan(iv.hi) for iv in intervals):
        return lambda k: 0
    # the lowest high end so far (negated, to rise) and the highest low end so far
    lowest_high = list(accumulate((-iv.hi for iv in intervals), max))
    highest_low = list(accumulate((iv.lo for iv in intervals), max))
    return lambda k: min(bisect_right(lowest_high, -intervals[k].lo, 0, k),
                         bisect_right(highest_low, intervals[k].hi, 0, k))


def _message(first: Claim, second: Claim, a: Interval, b: Interval, lang: str) -> str:
    unit = first.unit
    gap = a.gap(b)
    if lang == "zh":
        text = (f"同一数据前后不一：“{quote(first)}”（{fmt_interval(a, unit, 'zh')}）与"
                f"“{quote(second)}”（{fmt_interval(b, unit, 'zh')}）说的是同一指标、同一主体、同一时期"
                f"（{first.period or '未注明时期'}），却不能同时成立，相差{fmt_gap(gap, unit, 'zh')}。")
        return text if first.period else text + "两处均未注明时期，可能指不同年份。"
    text = (f"The same figure is stated twice with values that cannot both be true: '{quote(first)}' "
            f"({fmt_interval(a, unit, 'en')}) and '{quote(second)}' ({fmt_interval(b, unit, 'en')}), "
            f"same metric, subject and period ({first.period or 'no period stated'}); "
            f"off by {fmt_gap(gap, unit, 'en')}.")
    return text if first.period else text + " Neither states its period: they may be of different years."
