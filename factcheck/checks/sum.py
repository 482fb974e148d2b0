"""sum: components a rule file declares (出口 + 进口 = 进出口总额) must add up to the stated
total. Each figure is an interval, so the sum of the components is one too (as XBRL
Calculations 1.1 does it): the check fails only when it cannot meet the total's."""
from __future__ import annotations

from functools import partial
from typing import Iterator, Optional

from ..models import Claim
from .base import Context, Interval, RawFinding, fmt_gap, fmt_interval, quote
from .config import Relation

ID = "sum"
TITLE = {"zh": "分项之和与总数", "en": "components vs total"}


def components(ctx: Context, relation: Relation, total: Claim) -> dict[str, Optional[Claim]]:
    """For each component metric, the figure that goes with this total (or None): the
    nearest compatible figure, after the total first, whose own nearest total (before it
    first) is this one: 出口 after 进出口总额 belongs to it, not to a total further on."""
    found: dict[str, Optional[Claim]] = {}
    for metric in relation.parts:
        def accept(c: Claim, metric=metric) -> bool:
            return (c.unit == total.unit and ctx.is_plain(c) and ctx.compatible(total, c)
                    and _owner(ctx, relation, c) is total)
        found[metric] = ctx.near(total, metric, accept)
    return found


def _owner(ctx: Context, relation: Relation, component: Claim) -> Optional[Claim]:
    key = ("sum-owner", relation.id, component.id)
    if key not in ctx.cache:
        ctx.cache[key] = ctx.near_before(
            component, relation.total,
            lambda t: t.unit == component.unit and ctx.is_plain(t) and ctx.compatible(t, component))
    return ctx.cache[key]


def totals(ctx: Context, relation: Relation) -> list[Claim]:
    return [c for c in ctx.of_metric(relation.total) if ctx.is_plain(c)]


def run(ctx: Context) -> Iterator[RawFinding]:
    for relation in ctx.config.relations:
        if relation.kind != "sum":
            continue
        for total in totals(ctx, relation):
            parts = components(ctx, relation, total)
            if any(p is None for p in parts.values()):
                continue
            chosen = [p for p in parts.values() if p is not None]
            if len({p.id for p in chosen}) != len(chosen):
                continue
            tolerance = ctx.tol(ID, total, *chosen, extra=relation.tolerance)
            stated = ctx.iv(total, tolerance)
            summed = Interval(0.0, 0.0)
            for part in chosen:
                summed = summed + ctx.iv(part, tolerance)
            if stated.meets(summed):
                continue
            ctx.flagged.update((ID, total.id, part.id) for part in chosen)
            if ctx.seen(ID, [total, *chosen]):
                continue
            yield RawFinding(ID, ctx.severity(ID, "error"), [total, *chosen],
                             partial(_message, relation, total, chosen, stated, summed),
                             expected=stated, actual=summed, unit=total.unit)


def _message(relation: Relation, total: Claim, chosen: list[Claim], stated: Interval, summed: Interval,
             lang: str) -> str:
    unit = total.unit
    gap = stated.gap(summed)
    if lang == "zh":
        terms = " + ".join(f"“{quote(p)}”" for p in chosen)
        return (f"分项之和与总数不符（{relation.id}）：{terms} = {fmt_interval(summed, unit, 'zh')}，"
                f"而总数“{quote(total)}”为{fmt_interval(stated, unit, 'zh')}，相差{fmt_gap(gap, unit, 'zh')}。")
    terms = " + ".join(f"'{quote(p)}'" for p in chosen)
    return (f"The components do not add up to the total ({relation.id}): {terms} = "
            f"{fmt_interval(summed, unit, 'en')}, the total '{quote(total)}' is "
            f"{fmt_interval(stated, unit, 'en')}; off by {fmt_gap(gap, unit, 'en')}.")
