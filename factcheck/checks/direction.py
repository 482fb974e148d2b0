"""direction: the words say a figure rose (增长, 提高, 扩大, 创新高) and the figures say it
fell, or the other way round (下降, 减少 with a figure that rose)."""
from __future__ import annotations

from bisect import bisect_left
from functools import partial
from operator import itemgetter
from typing import Iterator, Optional

from ..models import Claim
from ._growth import COMPARABLE_EN, COMPARABLE_ZH
from .base import Context, Interval, RawFinding, contradicts, fmt_interval, quote

ID = "direction"
TITLE = {"zh": "增减方向", "en": "direction of change"}
CACHES = ("growth_of", ID)


def _up(up: bool, lang: str) -> str:
    if lang == "zh":
        return "增长" if up else "下降"
    return "a rise" if up else "a fall"


def _rate(ctx: Context, current: Claim, prior: Claim, rate: Claim) -> Optional[RawFinding]:
    tolerance = ctx.tol(ID, current, prior, rate)
    got = ctx.growth_of(current, prior, rate, tolerance)
    if got is None:
        return None
    stated, computed, _ = got
    if stated.meets(computed) or not contradicts(stated, computed):
        return None
    if ctx.seen(ID, [current, prior, rate]):
        return None
    unit = rate.unit if rate.role != "change" else current.unit
    comparable = ctx.comparable(rate, current)
    severity = "warning" if comparable else ctx.severity(ID, "error")
    return RawFinding(ID, severity, [current, prior, rate],
                      partial(_rate_message, current, prior, rate, stated.positive(), computed, unit, comparable),
                      expected=stated, actual=computed, unit=unit)


def _rate_message(current: Claim, prior: Claim, rate: Claim, up: bool, computed: Interval,
                  unit: Optional[str], comparable: bool, lang: str) -> str:
    if lang == "zh":
        text = (f"“{quote(rate)}”表示{_up(up, 'zh')}，但从上期“{quote(prior)}”到“{quote(current)}”是"
                f"{_up(not up, 'zh')}（按两期数值计算为{fmt_interval(computed, unit, 'zh')}）。")
        return text + COMPARABLE_ZH if comparable else text
    text = (f"'{quote(rate)}' states {_up(up, 'en')}, but from the prior '{quote(prior)}' to '{quote(current)}' "
            f"the figure shows {_up(not up, 'en')} ({fmt_interval(computed, unit, 'en')}).")
    return text + " " + COMPARABLE_EN if comparable else text


def _words(ctx: Context, current: Claim, prior: Claim, sign: int, cue: str) -> Optional[RawFinding]:
    if current.unit != prior.unit:
        return None
    tolerance = ctx.tol(ID, current, prior)
    now, before = ctx.iv(current, tolerance), ctx.iv(prior, tolerance)
    change = now - before
    if sign > 0 and now.hi > before.lo + now._slack(before):
        return None
    if sign < 0 and now.lo < before.hi - now._slack(before):
        return None
    if ctx.seen(ID, [current, prior]):
        return None
    up = sign > 0
    expected = Interval(0.0, float("inf")) if up else Interval(float("-inf"), 0.0)
    return RawFinding(ID, ctx.severity(ID, "error"), [current, prior],
                      partial(_words_message, current, prior, up, cue, change),
                      expected=expected, actual=change, unit=current.unit)


def _words_message(current: Claim, prior: Claim, up: bool, cue: str, change: Interval, lang: str) -> str:
    if lang == "zh":
        return (f"文中说{_up(up, 'zh')}（{cue}），但“{quote(current)}”{'并不高于' if up else '并不低于'}"
                f"上期“{quote(prior)}”（变化为{fmt_interval(change, current.unit, 'zh')}）。")
    return (f"The text states {_up(up, 'en')} ({cue}), but '{quote(current)}' is not "
            f"{'above' if up else 'below'} the prior '{quote(prior)}' "
            f"(change {fmt_interval(change, current.unit, 'en')}).")


def _record(ctx: Context, record: Claim, earlier: Claim) -> Optional[RawFinding]:
    tolerance = ctx.tol(ID, record, earlier)
    now, before = ctx.iv(record, tolerance), ctx.iv(earlier, tolerance)
    if now.hi > before.lo + now._slack(before):
        return None
    if ctx.seen(ID, [record, earlier]):
        return None
    change = now - before
    return RawFinding(ID, ctx.severity(ID, "error"), [record, earlier],
                      partial(_record_message, record, earlier, change),
                      expected=Interval(0.0, float("inf")), actual=change, unit=record.unit)


def _record_message(record: Claim, earlier: Claim, change: Interval, lang: str) -> str:
    if lang == "zh":
        return (f"“{quote(record)}”被称为新高，但{earlier.period}的“{quote(earlier)}”不低于它"
                f"（差值为{fmt_interval(change, record.unit, 'zh')}）。")
    return (f"'{quote(record)}' is called a new high, but '{quote(earlier)}' of {earlier.period} is "
            f"not below it (difference {fmt_interval(change, record.unit, 'en')}).")


def run(ctx: Context) -> Iterator[RawFinding]:
    worded: set[str] = set()
    for current, prior, cue, sign in ctx.explicit_pairs():
        for rate in ctx.rates_of(current):
            finding = _rate(ctx, current, prior, rate)
            if finding is not None:
                yield finding
        if sign:
            worded.add(current.id)
            finding = _words(ctx, current, prior, sign, cue)
            if finding is not None:
                yield finding
    for current, prior, rate in ctx.implicit_pairs():
        finding = _rate(ctx, current, prior, rate)
        if finding is not None:
            yield finding
    for record_id in ctx.links.records:
        record = ctx.by_id.get(record_id)
        if record is None or record.id in worded or not ctx.usable(record) or not record.period:
            continue
        for other in _stated_before(ctx, record):
            if ctx.same_quantity(record, other):
                finding = _record(ctx, record, other)
                if finding is not None:
                    yield finding


def _stated_before(ctx: Context, record: Claim) -> list[Claim]:
    """The figures of the record's metric stated for an earlier period written the same
    way (2009年 before 2010年), in document order. Found in the metric's figures sorted
    by period: each record went through all of them, and a document of 2,000 figures of
    one metric called new highs took 4 million steps."""
    key = (ID, record.metric, len(record.period))
    index = ctx.cache.get(key)
    if index is None:
        stated = sorted((c.period, k, c) for k, c in enumerate(ctx.of_metric(record.metric))
                        if c.period and len(c.period) == len(record.period))
        index = ctx.cache[key] = ([period for period, _, _ in stated], stated)
    periods, stated = index
    return [c for _, _, c in sorted(stated[:bisect_left(periods, record.period)], key=itemgetter(1))]
