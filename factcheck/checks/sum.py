"""sum: components a rule file declares (出口 + 进口 = 进出口总额; 出生率 − 死亡率 =
自然增长率, with `minus`) must add up to the stated total. Each figure is an interval, so
the sum of the components is one too (as XBRL Calculations 1.1 does it): the check fails
only when it cannot meet the total's. When they do, and each has a year-on-year rate at
current prices, last period's components the rates imply must add up to last period's
total too."""
from __future__ import annotations

from functools import partial
from typing import Iterator, Optional

from ..models import Claim
from .base import Context, Interval, RawFinding, fmt_gap, fmt_interval, quote
from .config import Relation

ID = "sum"
TITLE = {"zh": "分项之和与总数", "en": "components vs total"}
CACHES = ("sum-components", "sum-owner")


def components(ctx: Context, relation: Relation, total: Claim) -> dict[str, Optional[Claim]]:
    """For each component metric, the figure that goes with this total (or None): the
    nearest compatible figure, in the total's sentence first, then its paragraph, after
    the total first, whose own total (found the same way, before it first) is this one:
    出口 after 进出口总额 belongs to it, not to a total further on; 出生率 and 死亡率
    before 自然增长率, to the one of their sentence."""
    key = ("sum-components", relation.id, total.id)   # part_vs_whole asks again
    found: Optional[dict[str, Optional[Claim]]] = ctx.cache.get(key)
    if found is not None:
        return found
    found = ctx.cache[key] = {}
    for metric in relation.components:
        def accept(c: Claim, metric=metric) -> bool:
            return (c.unit == total.unit and ctx.compatible(total, c) and ctx.is_plain(c)
                    and _owner(ctx, relation, c) is total)
        found[metric] = (ctx.near_in(total, metric, accept, sentence=True) or ctx.near_in(total, metric, accept)
                         # a figure of another paragraph is compatible only when both state a period
                         or (ctx.near(total, metric, accept) if total.period is not None else None))
    return found


def complete(relation: Relation, parts: dict[str, Optional[Claim]]) -> bool:
    """Every component stated but the optional ones."""
    return all(parts[m] is not None for m in relation.components if m not in relation.optional)


def _owner(ctx: Context, relation: Relation, component: Claim) -> Optional[Claim]:
    key = ("sum-owner", relation.id, component.id)
    if key not in ctx.cache:
        def accept(t: Claim) -> bool:
            return t.unit == component.unit and ctx.is_plain(t) and ctx.compatible(t, component)
        ctx.cache[key] = (ctx.near_in(component, relation.total, accept, before_first=True, sentence=True)
                          or ctx.near_in(component, relation.total, accept, before_first=True)
                          or ctx.near_before(component, relation.total, accept))
    return ctx.cache[key]


def totals(ctx: Context, relation: Relation) -> list[Claim]:
    return [c for c in ctx.figures_of(relation.total) if ctx.is_plain(c)]


def _signed_sum(relation: Relation, chosen: list[Claim], intervals: list[Interval]) -> Interval:
    """The components' intervals added, those of `minus` subtracted."""
    summed = Interval(0.0, 0.0)
    for claim, iv in zip(chosen, intervals):
        summed = summed - iv if claim.metric in relation.minus else summed + iv
    return summed


# what the components make: a sum, or a difference when the relation subtracts some
_ZH_OP = {False: "和", True: "差"}
_EN_OP = {False: "add up to", True: "come to"}


def _terms(relation: Relation, chosen: list[Claim], texts: list[str]) -> str:
    out = texts[0]
    for claim, text in zip(chosen[1:], texts[1:]):
        out += (" − " if claim.metric in relation.minus else " + ") + text
    return out


def run(ctx: Context) -> Iterator[RawFinding]:
    yield from _ratio_rows(ctx)
    for relation in ctx.config.relations:
        if relation.kind != "sum":
            continue
        for total in totals(ctx, relation):
            parts = components(ctx, relation, total)
            if not complete(relation, parts):
                continue
            # in the order of the text, those subtracted last
            chosen = sorted((p for p in parts.values() if p is not None),
                            key=lambda c: (c.metric in relation.minus, c.start))
            if len({p.id for p in chosen}) != len(chosen):
                continue
            tolerance = ctx.tol(ID, total, *chosen, extra=relation.tolerance)
            stated = ctx.iv(total, tolerance)
            summed = _signed_sum(relation, chosen, [ctx.iv(part, tolerance) for part in chosen])
            unstated = [m for m in relation.optional if parts[m] is None]
            if stated.meets(summed):
                if not unstated:
                    found = _priors(ctx, relation, total, chosen, tolerance)
                    if found is not None:
                        yield found
                continue
            # an optional part unstated may make up a shortfall (早稻 where rice is grown
            # twice): a warning; the stated parts above the total are an error all the same
            severity = "warning" if unstated and stated.above(summed) else ctx.severity(ID, "error")
            ctx.flagged.update((ID, total.id, part.id) for part in chosen)
            if ctx.seen(ID, [total, *chosen]):
                continue
            names = [ctx.metrics[m].names[0] for m in unstated]
            yield RawFinding(ID, severity, [total, *chosen],
                             partial(_message, relation, total, chosen, stated, summed, names),
                             expected=stated, actual=summed, unit=total.unit)


def _ratio_rows(ctx: Context) -> Iterator[RawFinding]:
    """The terms of a ratio row (三次产业结构为7.7:39.5:52.8) are percentages of one whole:
    they add up to 100."""
    claims = ctx.claims
    for ratio in ctx.rules.ratios:
        width = len(ratio.metrics)
        for k in range(len(claims) - width + 1):
            if claims[k].metric != ratio.metrics[0]:
                continue
            terms = claims[k:k + width]
            if not all(t.metric == m and t.role == "share" and t.unit == "percent" and ctx.usable(t)
                       for t, m in zip(terms, ratio.metrics)):
                continue
            if any(b.start - a.end != 1 for a, b in zip(terms, terms[1:])):
                continue  # the terms of one row, a colon apart
            tolerance = ctx.tol(ID, *terms)
            summed = Interval(0.0, 0.0)
            for term in terms:
                summed = summed + ctx.iv(term, tolerance)
            whole = Interval(100.0, 100.0)
            if whole.meets(summed) or ctx.seen(ID, terms):
                continue
            yield RawFinding(ID, ctx.severity(ID, "error"), terms, partial(_row_message, ratio.id, terms, summed),
                             expected=whole, actual=summed, unit="percent")


def _row_message(ratio: str, terms: list[Claim], summed: Interval, lang: str) -> str:
    gap = fmt_gap(summed.gap(Interval(100.0, 100.0)), "percent", lang)
    if lang == "zh":
        text = " + ".join(f"“{quote(t)}”" for t in terms)
        return f"比例各项之和不为100%（{ratio}）：{text} = {fmt_interval(summed, 'percent', 'zh')}，相差{gap}。"
    text = " + ".join(f"'{quote(t)}'" for t in terms)
    return (f"The terms of the ratio do not add up to 100% ({ratio}): {text} = "
            f"{fmt_interval(summed, 'percent', 'en')}; off by {gap}.")


def _priors(ctx: Context, relation: Relation, total: Claim, chosen: list[Claim],
            tolerance: float) -> Optional[RawFinding]:
    """Components that add up this year add up last year too: when the total and every
    component have a year-on-year rate at current prices, the priors they imply (current
    / (1 + rate), current − change) must add up as well (出口 +18.6% and 进口 +25.6% put
    last year's 进出口总额 at 71.20亿元; the total's +12.3% at 76.89亿元)."""
    figures = [total, *chosen]
    rates = [_rate(ctx, c) for c in figures]
    if any(r is None or ctx.comparable(r, c) for r, c in zip(rates, figures)):
        return None
    implied = [ctx.implied_prior(c, r, tolerance) for c, r in zip(figures, rates)]
    if any(i is None for i in implied):
        return None
    summed = _signed_sum(relation, chosen, implied[1:])
    if implied[0].meets(summed) or ctx.seen(ID, [*figures, *rates]):
        return None
    return RawFinding(ID, ctx.severity(ID, "error"), [total, rates[0], *chosen, *rates[1:]],
                      partial(_prior_message, relation, figures, rates, implied[0], summed),
                      expected=implied[0], actual=summed, unit=total.unit)


def _rate(ctx: Context, figure: Claim) -> Optional[Claim]:
    """The figure's one year-on-year rate (a percentage first, else a change), if any."""
    rates = [r for r in ctx.rates_of(figure) if ctx.info(r).yoy and ctx.usable(r) and (
        (r.role == "growth" and r.unit == "percent") or (r.role == "change" and r.unit == figure.unit))]
    growths = [r for r in rates if r.role == "growth"] or rates
    return growths[0] if len(growths) == 1 else None


def _prior_message(relation: Relation, figures: list[Claim], rates: list[Claim], by_total: Interval,
                   summed: Interval, lang: str) -> str:
    total, unit = figures[0], figures[0].unit
    gap = by_total.gap(summed)
    if lang == "zh":
        terms = _terms(relation, figures[1:], [f"“{quote(c)}”（{quote(r)}）" for c, r in zip(figures[1:], rates[1:])])
        return (f"分项与总数的上期之{_ZH_OP[bool(relation.minus)]}不符（{relation.id}）：按各自的增长推算，上期{terms} = "
                f"{fmt_interval(summed, unit, 'zh')}，而总数“{quote(total)}”（{quote(rates[0])}）的上期为"
                f"{fmt_interval(by_total, unit, 'zh')}，相差{fmt_gap(gap, unit, 'zh')}。")
    terms = _terms(relation, figures[1:], [f"'{quote(c)}' ({quote(r)})" for c, r in zip(figures[1:], rates[1:])])
    return (f"Last period's components do not {_EN_OP[bool(relation.minus)]} last period's total ({relation.id}): by their "
            f"rates, {terms} give {fmt_interval(summed, unit, 'en')} for the prior period, the total "
            f"'{quote(total)}' ({quote(rates[0])}) gives {fmt_interval(by_total, unit, 'en')}; "
            f"off by {fmt_gap(gap, unit, 'en')}.")


def _message(relation: Relation, total: Claim, chosen: list[Claim], stated: Interval, summed: Interval,
             unstated: list[str], lang: str) -> str:
    unit = total.unit
    gap = stated.gap(summed)
    short = stated.above(summed)
    if lang == "zh":
        terms = _terms(relation, chosen, [f"“{quote(p)}”" for p in chosen])
        text = (f"分项之{_ZH_OP[bool(relation.minus)]}与总数不符（{relation.id}）：{terms} = "
                f"{fmt_interval(summed, unit, 'zh')}，"
                f"而总数“{quote(total)}”为{fmt_interval(stated, unit, 'zh')}，相差{fmt_gap(gap, unit, 'zh')}。")
        if unstated:
            text += (f"文中未列出{'、'.join(unstated)}，" +
                     ("差额或为其数，请人工核对。" if short else "列出的分项已超过总数。"))
        return text
    terms = _terms(relation, chosen, [f"'{quote(p)}'" for p in chosen])
    text = (f"The components do not {_EN_OP[bool(relation.minus)]} the total ({relation.id}): {terms} = "
            f"{fmt_interval(summed, unit, 'en')}, the total '{quote(total)}' is "
            f"{fmt_interval(stated, unit, 'en')}; off by {fmt_gap(gap, unit, 'en')}.")
    if unstated:
        text += (f" {', '.join(unstated)} is not stated: " +
                 ("the gap may be it; check by hand." if short else "the parts stated already exceed the total."))
    return text
