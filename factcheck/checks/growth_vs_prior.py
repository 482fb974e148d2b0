"""growth_vs_prior: a growth rate stated together with both figures it compares
(`比去年X增长Y%`, `在去年X的基础上…`, `由X增加到Y，增长Z%`, `去年同期为X`): (current / prior − 1)
must fall inside the rate's interval."""
from __future__ import annotations

from typing import Iterator

from ._growth import growth_finding
from .base import Context, RawFinding

ID = "growth_vs_prior"
TITLE = {"zh": "增长率与两期数值", "en": "growth rate vs the figures of both periods"}
CACHES = ("growth_of",)


def run(ctx: Context) -> Iterator[RawFinding]:
    for current, prior, cue, _sign in ctx.explicit_pairs():
        for rate in ctx.rates_of(current):
            if ctx.info(rate).average:
                continue   # 由X增加到Y，年均增长Z%: over the years between, not one
            finding = growth_finding(ctx, ID, current, prior, rate, cue)
            if finding is not None:
                yield finding
