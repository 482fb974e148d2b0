"""share: part / whole must match the stated share (`城镇人口3395.2万人，占常住人口的比重为
43.1%`); a share of a total (占…的, 比重) cannot exceed 100%."""
from __future__ import annotations

from functools import partial
from typing import Iterator

from ..models import Claim
from .base import Context, Interval, RawFinding, fmt_gap, fmt_interval, quote

ID = "share"
TITLE = {"zh": "占比与分子分母", "en": "share vs part and whole"}


def run(ctx: Context) -> Iterator[RawFinding]:
    for link in ctx.links.shares:
        share = ctx.by_id.get(link.share)
        if share is None or not ctx.usable(share):
            continue
        part = ctx.by_id.get(link.part) if link.part else None
        whole = ctx.by_id.get(link.whole) if link.whole else None
        tolerance = ctx.tol(ID, share, *(c for c in (part, whole) if c is not None))
        stated = ctx.iv(share, tolerance)
        if ctx.info(share).share_of_total and stated.above(Interval(0.0, 100.0)):
            if ctx.seen(ID, [share] + [c for c in (part, whole) if c is not None]):
                continue
            yield RawFinding(ID, ctx.severity(ID, "error"), [share] + [c for c in (part, whole) if c is not None],
                             partial(_over_message, share, stated), expected=Interval(0.0, 100.0), actual=stated,
                             unit="percent")
            continue
        if part is None or whole is None or part.unit != whole.unit:
            continue
        if not (ctx.usable(part) and ctx.usable(whole)):
            continue
        p, w = ctx.iv(part, tolerance), ctx.iv(whole, tolerance)
        if not w.positive() or p.lo < 0:
            continue
        computed = (p / w).scale(100.0)
        if stated.meets(computed) or ctx.seen(ID, [share, part, whole]):
            continue
        yield RawFinding(ID, ctx.severity(ID, "error"), [share, part, whole],
                         partial(_message, share, part, whole, stated, computed),
                         expected=stated, actual=computed, unit="percent")


def _over_message(share: Claim, stated: Interval, lang: str) -> str:
    gap = stated.gap(Interval(0.0, 100.0))
    if lang == "zh":
        return f"“{quote(share)}”是占整体的比重，不能超过100%（超出{fmt_gap(gap, 'percentage_point', 'zh')}）。"
    return (f"'{quote(share)}' is a share of a whole and cannot exceed 100% "
            f"(over by {fmt_gap(gap, 'percentage_point', 'en')}).")


def _message(share: Claim, part: Claim, whole: Claim, stated: Interval, computed: Interval, lang: str) -> str:
    gap = stated.gap(computed)
    if lang == "zh":
        return (f"占比与数值不符：“{quote(part)}”÷“{quote(whole)}” = {fmt_interval(computed, 'percent', 'zh')}，"
                f"文中为“{quote(share)}”（{fmt_interval(stated, 'percent', 'zh')}），"
                f"相差{fmt_gap(gap, 'percentage_point', 'zh')}。")
    return (f"The share does not match its figures: '{quote(part)}' / '{quote(whole)}' = "
            f"{fmt_interval(computed, 'percent', 'en')}, the text states '{quote(share)}' "
            f"({fmt_interval(stated, 'percent', 'en')}); off by {fmt_gap(gap, 'percentage_point', 'en')}.")
