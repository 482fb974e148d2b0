"""derived: a ratio a rule file defines (人均 = total / population, 密度 = count / area,
平均 = total / count) must match the stated value: result = numerator / denominator × factor."""
from __future__ import annotations

from functools import partial
from typing import Iterator

from ..models import Claim
from .base import Context, Interval, RawFinding, fmt_gap, fmt_interval, quote
from .config import Relation

ID = "derived"
TITLE = {"zh": "派生比率", "en": "derived ratio"}
# a ratio stated as a figure (人均 20379元, 密度 180人/平方公里) or as a percentage (城镇化率 40.2%)
_RESULTS = ("level", "count", "share")


def run(ctx: Context) -> Iterator[RawFinding]:
    for relation in ctx.config.relations:
        if relation.kind != "ratio":
            continue
        for result in ctx.of_metric(relation.result, _RESULTS):
            numerator = ctx.near_before(result, relation.numerator, lambda c: (
                ctx.is_plain(c) and ctx.compatible(result, c)
                and (result.dimension != "currency" or c.unit == result.unit)))
            denominator = ctx.near_before(result, relation.denominator, lambda c: (
                ctx.is_plain(c) and ctx.compatible(result, c)))
            if denominator is not None:
                # 年末全省总人口10788万人；常住人口9532.42万人: per head is per resident
                denominator = ctx.first_named(denominator, lambda c: ctx.compatible(result, c))
            if numerator is None or denominator is None or numerator.id == denominator.id:
                continue
            tolerance = ctx.tol(ID, result, numerator, denominator, extra=relation.tolerance)
            stated = ctx.iv(result, tolerance)
            d = ctx.iv(denominator, tolerance)
            if not d.positive():
                continue
            computed = (ctx.iv(numerator, tolerance) / d).scale(relation.factor)
            if stated.meets(computed) or ctx.seen(ID, [result, numerator, denominator]):
                continue
            yield RawFinding(ID, ctx.severity(ID, "error"), [result, numerator, denominator],
                             partial(_message, relation, result, numerator, denominator, stated, computed),
                             expected=stated, actual=computed, unit=result.unit)


def _message(relation: Relation, result: Claim, numerator: Claim, denominator: Claim, stated: Interval,
             computed: Interval, lang: str) -> str:
    unit = result.unit
    gap = stated.gap(computed)
    if lang == "zh":
        return (f"派生比率不符（{relation.id}）：“{quote(numerator)}”÷“{quote(denominator)}”"
                f"{'' if relation.factor == 1 else f'×{relation.factor:g}'} = {fmt_interval(computed, unit, 'zh')}，"
                f"文中为“{quote(result)}”（{fmt_interval(stated, unit, 'zh')}），相差{fmt_gap(gap, unit, 'zh')}。")
    return (f"The derived ratio does not match ({relation.id}): '{quote(numerator)}' / '{quote(denominator)}'"
            f"{'' if relation.factor == 1 else f' × {relation.factor:g}'} = {fmt_interval(computed, unit, 'en')}, "
            f"the text states '{quote(result)}' ({fmt_interval(stated, unit, 'en')}); "
            f"off by {fmt_gap(gap, unit, 'en')}.")
