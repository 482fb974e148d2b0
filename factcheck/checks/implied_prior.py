"""implied_prior: a year-on-year growth rate and the current figure imply last period's
figure (current / (1 + rate), or current − change); it must match the figure stated for
last period elsewhere in the document (same metric, subject and name, the period before)."""
from __future__ import annotations

from typing import Iterator

from ._growth import COMPARABLE_EN, COMPARABLE_ZH, stated_vs_computed
from .base import Context, RawFinding, fmt_gap, fmt_interval, quote

ID = "implied_prior"
TITLE = {"zh": "增长率推算的上期数值", "en": "prior implied by a growth rate"}


def run(ctx: Context) -> Iterator[RawFinding]:
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
        unit = prior.unit
        gap = implied.gap(stated)
        zh = (f"由“{quote(current)}”和“{quote(rate)}”推算，上期（{prior.period}）应为"
              f"{fmt_interval(implied, unit, 'zh')}，但文中上期为“{quote(prior)}”"
              f"（{fmt_interval(stated, unit, 'zh')}），相差{fmt_gap(gap, unit, 'zh')}。")
        en = (f"'{quote(current)}' with '{quote(rate)}' implies {fmt_interval(implied, unit, 'en')} for the "
              f"prior period ({prior.period}), but the text states '{quote(prior)}' "
              f"({fmt_interval(stated, unit, 'en')}); off by {fmt_gap(gap, unit, 'en')}.")
        if comparable:
            zh += COMPARABLE_ZH
            en += " " + COMPARABLE_EN
        severity = "warning" if comparable else ctx.severity(ID, "error")
        yield RawFinding(ID, severity, [current, rate, prior], zh, en, expected=implied, actual=stated, unit=unit)
