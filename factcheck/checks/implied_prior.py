"""implied_prior: a year-on-year growth rate and the current figure imply last period's
figure (current / (1 + rate), or current − change); it must match the figure stated for
last period elsewhere in the document (same metric, subject and name, the period before),
and the prior implied by another rate of the same figure over the same base
(比上年增加200亿元，增长25%; 比年初增加200亿元，增长25%)."""
from __future__ import annotations

from functools import partial
from typing import Iterator

from ..models import Claim
from ._growth import COMPARABLE_EN, COMPARABLE_ZH, stated_vs_computed
from .base import Context, Interval, RawFinding, fmt_gap, fmt_interval, quote

ID = "implied_prior"
TITLE = {"zh": "增长率推算的上期数值", "en": "prior implied by a growth rate"}
CACHES = ("growth_of",)


def run(ctx: Context) -> Iterator[RawFinding]:
    yield from _stated_prior(ctx)
    yield from _two_rates(ctx)


def _stated_prior(ctx: Context) -> Iterator[RawFinding]:
    for current, prior, rate in ctx.implicit_pairs():
        if stated_vs_computed(ctx, ID, current, prior, rate) is None:
            continue
        if ctx.seen(ID, [current, rate, prior]):
            continue
        tolerance = ctx.tol(ID, current, prior, rate)
        implied = ctx.implied_prior(current, rate, tolerance)
        if implied is None:
            continue
        stated = ctx.iv(prior, tolerance)
        comparable = ctx.comparable(rate, current)
        severity = "warning" if comparable else ctx.severity(ID, "error")
        yield RawFinding(ID, severity, [current, rate, prior],
                         partial(_prior_message, current, rate, prior, implied, stated, comparable),
                         expected=implied, actual=stated, unit=prior.unit)


def _prior_message(current: Claim, rate: Claim, prior: Claim, implied: Interval, stated: Interval,
                   comparable: bool, lang: str) -> str:
    unit = prior.unit
    gap = implied.gap(stated)
    if lang == "zh":
        text = (f"由“{quote(current)}”和“{quote(rate)}”推算，上期（{prior.period}）应为"
                f"{fmt_interval(implied, unit, 'zh')}，但文中上期为“{quote(prior)}”"
                f"（{fmt_interval(stated, unit, 'zh')}），相差{fmt_gap(gap, unit, 'zh')}。")
        return text + COMPARABLE_ZH if comparable else text
    text = (f"'{quote(current)}' with '{quote(rate)}' implies {fmt_interval(implied, unit, 'en')} for the "
            f"prior period ({prior.period}), but the text states '{quote(prior)}' "
            f"({fmt_interval(stated, unit, 'en')}); off by {fmt_gap(gap, unit, 'en')}.")
    return text + " " + COMPARABLE_EN if comparable else text


def _two_rates(ctx: Context) -> Iterator[RawFinding]:
    """An absolute change and a percentage of one figure over one base imply one prior
    each: they must meet. Over one base: both year-on-year (增加200亿元，增长25%), or the
    second stated right after the first with no base of its own (比年初增加X，增长Y%)."""
    for current in ctx.claims:
        if current.role not in ("level", "count") or not ctx.usable(current):
            continue
        rates = [r for r in ctx.rates_of(current) if not ctx.info(r).comparable]
        changes = [r for r in rates if r.role == "change" and r.unit == current.unit]
        growths = [r for r in rates if r.role == "growth" and r.unit == "percent"]
        for change in changes:
            for growth in growths:
                if not _one_base(ctx, change, growth, rates):
                    continue
                tolerance = ctx.tol(ID, current, change, growth)
                by_change = ctx.implied_prior(current, change, tolerance)
                by_growth = ctx.implied_prior(current, growth, tolerance)
                if by_change is None or by_growth is None or by_change.meets(by_growth):
                    continue
                if ctx.seen(ID, [current, change, growth]):
                    continue
                yield RawFinding(ID, ctx.severity(ID, "error"), [current, change, growth],
                                 partial(_rates_message, current, change, growth, by_change, by_growth),
                                 expected=by_growth, actual=by_change, unit=current.unit)


def _one_base(ctx: Context, change: Claim, growth: Claim, rates: list[Claim]) -> bool:
    first, second = (change, growth) if change.start < growth.start else (growth, change)
    if ctx.info(first).yoy and ctx.info(second).yoy:
        return True
    return ctx.info(second).shares_base and rates.index(second) == rates.index(first) + 1


def _rates_message(current: Claim, change: Claim, growth: Claim, by_change: Interval, by_growth: Interval,
                   lang: str) -> str:
    unit = current.unit
    gap = by_change.gap(by_growth)
    if lang == "zh":
        return (f"“{quote(change)}”与“{quote(growth)}”不一致：由“{quote(current)}”推算，前者的上期为"
                f"{fmt_interval(by_change, unit, 'zh')}，后者的上期为{fmt_interval(by_growth, unit, 'zh')}，"
                f"相差{fmt_gap(gap, unit, 'zh')}。")
    return (f"'{quote(change)}' and '{quote(growth)}' disagree: with '{quote(current)}' the first implies a "
            f"prior of {fmt_interval(by_change, unit, 'en')}, the second {fmt_interval(by_growth, unit, 'en')}; "
            f"off by {fmt_gap(gap, unit, 'en')}.")
