"""part_vs_whole: a part cannot exceed its whole. Parts are the figures after 其中, the
figure before 占…的, and the components of a total a rule file declares (not those of a
difference)."""
from __future__ import annotations

from functools import partial
from typing import Iterator

from ..models import Claim
from . import sum as sum_check
from .base import Context, Interval, RawFinding, fmt_gap, fmt_interval, quote

ID = "part_vs_whole"
TITLE = {"zh": "部分不大于整体", "en": "a part is not above its whole"}
CACHES = ("sum-components", "sum-owner")   # sum.components


def _pairs(ctx: Context) -> Iterator[tuple[Claim, Claim, str]]:
    # a part after 其中 of another known metric than a rule file puts under the whole's is
    # none (贸易逆差…。其中，对俄罗斯进出口: a trade total is no part of a deficit)
    under = ctx.config.parts_under
    for link in ctx.links.parts:
        part, whole = ctx.by_id.get(link.part), ctx.by_id.get(link.whole)
        if part is None or whole is None:
            continue
        if part.metric and whole.metric and part.metric != whole.metric and (whole.metric, part.metric) not in under:
            continue
        yield part, whole, link.cue
    for relation in ctx.config.relations:
        if relation.kind != "sum" or relation.minus:
            continue  # 出生率 is not a part of 自然增长率 = 出生率 − 死亡率
        for total in sum_check.totals(ctx, relation):
            parts = sum_check.components(ctx, relation, total)
            if sum_check.complete(relation, parts) and ctx.config.is_enabled("sum"):
                continue  # the sum check weighs them all together
            for part in parts.values():
                if part is not None:
                    yield part, total, relation.id


def run(ctx: Context) -> Iterator[RawFinding]:
    for part, whole, cue in _pairs(ctx):
        if not (ctx.usable(part) and ctx.usable(whole)) or part.unit != whole.unit or part.unit is None:
            continue
        tolerance = ctx.tol(ID, part, whole)
        p, w = ctx.iv(part, tolerance), ctx.iv(whole, tolerance)
        if p.lo < 0 or w.lo < 0 or not p.above(w):
            continue
        if ("sum", whole.id, part.id) in ctx.flagged:
            continue  # the sum check has reported this total and its components
        if ctx.seen(ID, [whole, part]):
            continue
        yield RawFinding(ID, ctx.severity(ID, "error"), [whole, part], partial(_message, cue, part, whole, p, w),
                         expected=Interval(w.lo if w.lo > 0 else 0.0, w.hi), actual=p, unit=part.unit)


def _message(cue: str, part: Claim, whole: Claim, p: Interval, w: Interval, lang: str) -> str:
    unit = part.unit
    gap = p.gap(w)
    if lang == "zh":
        return (f"部分大于整体（{cue}）：“{quote(part)}”（{fmt_interval(p, unit, 'zh')}）超过"
                f"“{quote(whole)}”（{fmt_interval(w, unit, 'zh')}），至少多出{fmt_gap(gap, unit, 'zh')}。")
    return (f"A part exceeds its whole ({cue}): '{quote(part)}' ({fmt_interval(p, unit, 'en')}) is above "
            f"'{quote(whole)}' ({fmt_interval(w, unit, 'en')}) by at least {fmt_gap(gap, unit, 'en')}.")
