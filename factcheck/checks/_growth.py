"""The arithmetic shared by growth_vs_prior and implied_prior: a growth rate (or an
absolute change, or a change in percentage points) between a current and a prior figure."""
from __future__ import annotations

from functools import partial
from typing import Optional

from ..models import Claim
from .base import Context, Interval, RawFinding, contradicts, fmt_gap, fmt_interval, quote

WHAT = {
    "percent": ("增长率", "growth"),
    "percentage_point": ("百分点变化", "change in percentage points"),
    "times": ("增长倍数", "growth in multiples of the prior"),
    "permille_point": ("千分点变化", "change in permille points"),
}
COMPARABLE_ZH = "增长率按可比价格计算，而数值按现价计算，两者不能直接换算，无法判定，请人工核对。"
COMPARABLE_EN = ("The rate is at comparable prices and the figures are nominal, so they do not "
                 "convert into each other: this cannot be decided, check by hand.")


def rate_kind(rate: Claim) -> str:
    if rate.role == "change":
        return "change"
    return rate.unit or "percent"


def stated_vs_computed(ctx: Context, check: str, current: Claim, prior: Claim,
                       rate: Claim) -> Optional[tuple[Interval, Interval, str, bool]]:
    """(stated, computed, unit, comparable) when the rate cannot be reconciled with the two
    figures and the direction check does not take it; None when it can, or does."""
    tolerance = ctx.tol(check, current, prior, rate)
    got = ctx.growth_of(current, prior, rate, tolerance)
    if got is None:
        return None
    stated, computed, _ = got
    if stated.meets(computed):
        return None
    if contradicts(stated, computed) and ctx.config.is_enabled("direction"):
        return None
    unit = rate.unit if rate.role != "change" else current.unit
    return stated, computed, unit, ctx.comparable(rate, current)


def growth_finding(ctx: Context, check: str, current: Claim, prior: Claim, rate: Claim,
                   cue: str) -> Optional[RawFinding]:
    found = stated_vs_computed(ctx, check, current, prior, rate)
    if found is None:
        return None
    stated, computed, unit, comparable = found
    if ctx.seen(check, [current, prior, rate]):
        return None
    severity = "warning" if comparable else ctx.severity(check, "error")
    return RawFinding(check, severity, [current, prior, rate],
                      partial(_message, current, prior, rate, stated, computed, unit, comparable),
                      expected=stated, actual=computed, unit=unit)


def _message(current: Claim, prior: Claim, rate: Claim, stated: Interval, computed: Interval,
             unit: Optional[str], comparable: bool, lang: str) -> str:
    gap = stated.gap(computed)
    what_zh, what_en = WHAT.get(unit, ("增减量", "change"))
    if lang == "zh":
        text = (f"“{quote(rate)}”与“{quote(current)}”和上期“{quote(prior)}”不符：按两期数值计算的{what_zh}为"
                f"{fmt_interval(computed, unit, 'zh')}，文中为{fmt_interval(stated, unit, 'zh')}，"
                f"相差{fmt_gap(gap, unit, 'zh')}。")
        return text + COMPARABLE_ZH if comparable else text
    text = (f"'{quote(rate)}' does not fit '{quote(current)}' and the prior '{quote(prior)}': the two figures "
            f"give a {what_en} of {fmt_interval(computed, unit, 'en')}, the text states "
            f"{fmt_interval(stated, unit, 'en')}; off by {fmt_gap(gap, unit, 'en')}.")
    return text + " " + COMPARABLE_EN if comparable else text
