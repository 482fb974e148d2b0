"""A small inline SVG per metric: the figures stated for it, period by period, next to
the figures other claims imply for it (last period's value implied by a growth rate and
this period's value; the value a finding expected). Where they disagree the reviewer
sees it without reading the numbers."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Optional

from ..lexicon import points_of
from ..link import previous_period
from ..models import Claim, DocumentResult, Finding
from .model import fmt_interval, fmt_number

WIDTH, HEIGHT = 340, 170
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 12, 34
_NOT_PLOTTED = ("growth", "change", "rank")
NO_PERIOD = "?"
# checks that compute a value of the figure itself (a prior, a total), not a bound or a
# change (direction: "≥ 0"), so that it has a place on the chart
LEVEL_CHECKS = ("implied_prior", "sum")


@dataclass
class Point:
    period: str
    low: float
    high: float
    mid: float
    kind: str           # stated, implied (by a rate), expected (by a finding)
    ref: str            # the claim to select when the point is clicked
    label: str


@dataclass
class Chart:
    metric: str
    unit: str
    points: list[Point] = field(default_factory=list)

    @property
    def periods(self) -> list[str]:
        named = sorted({p.period for p in self.points if p.period != NO_PERIOD})
        return named + ([NO_PERIOD] if any(p.period == NO_PERIOD for p in self.points) else [])


def _finite(x: Optional[float]) -> bool:
    return x is not None and math.isfinite(x)


def _bounds(low: Optional[float], high: Optional[float], mid: Optional[float]) -> tuple[float, float, float]:
    """An interval drawn with open ends closed at the middle value (the whisker stops)."""
    m = mid if _finite(mid) else (low if _finite(low) else high)
    return (low if _finite(low) else m), (high if _finite(high) else m), m   # type: ignore[return-value]


def _implied_prior(current: Claim, rate: Claim) -> Optional[tuple[float, float]]:
    """Last period's value implied by this period's and a rate of it (the checks' arithmetic,
    on the stated intervals)."""
    if not all(_finite(x) for x in (current.low, current.high, rate.low, rate.high)):
        return None
    if rate.role == "growth" and rate.unit == "percent":
        lo_factor, hi_factor = 1 + rate.low / 100, 1 + rate.high / 100   # type: ignore[operator]
        if lo_factor <= 0:
            return None
        return current.low / hi_factor, current.high / lo_factor   # type: ignore[operator]
    if rate.role == "growth" and rate.unit == "times":
        lo_factor, hi_factor = 1 + rate.low, 1 + rate.high   # type: ignore[operator]
        if lo_factor <= 0:
            return None
        return current.low / hi_factor, current.high / lo_factor   # type: ignore[operator]
    if (rate.role == "change" and rate.unit == current.unit) or (
            rate.unit in points_of() and current.unit == points_of()[rate.unit]):
        return current.low - rate.high, current.high - rate.low   # type: ignore[operator]
    return None


def _yoy(result: DocumentResult, rate: Claim) -> bool:
    info = result.links.info.get(rate.id) if result.links is not None else None
    return bool(info is not None and info.yoy and not info.comparable)


def charts_of(result: DocumentResult, findings_of: dict[str, list[Finding]]) -> list[Chart]:
    """One chart per (metric, unit) with something to compare: two stated figures, or a
    stated one and an implied one."""
    charts: dict[tuple[str, str], Chart] = {}
    by_id = {c.id: c for c in result.claims}
    for claim in result.claims:
        if claim.metric and claim.unit and claim.role not in _NOT_PLOTTED and _finite(claim.value):
            low, high, mid = _bounds(claim.low, claim.high, claim.value)
            chart = charts.setdefault((claim.metric, claim.unit), Chart(claim.metric, claim.unit))
            chart.points.append(Point(claim.period or NO_PERIOD, low, high, mid, "stated", claim.id,
                                      f"{claim.id} “{claim.text}” = {fmt_number(claim.value)} {claim.unit}"))
    for rate in result.claims:
        current = by_id.get(rate.refers_to or "")
        if current is None or (current.metric, current.unit) not in charts or not _yoy(result, rate):
            continue
        implied = _implied_prior(current, rate)
        period = previous_period(current.period)
        if implied is None or period is None or not all(map(math.isfinite, implied)):
            continue
        chart = charts[(current.metric, current.unit)]   # type: ignore[index]
        chart.points.append(Point(period, implied[0], implied[1], (implied[0] + implied[1]) / 2, "implied",
                                  rate.id, f"implied by {current.id} “{current.text}” and {rate.id} “{rate.text}”: "
                                           f"{fmt_interval(*implied)} {current.unit}"))
    seen: set[str] = set()
    for found in findings_of.values():
        for finding in found:
            if (finding.id in seen or finding.check not in LEVEL_CHECKS or not finding.expected_interval
                    or not finding.unit):
                continue
            seen.add(finding.id)
            _add_expected(charts, finding, by_id)
    return [c for c in charts.values()
            if len(c.points) > 1 and len({(p.period, p.low, p.high) for p in c.points}) > 1]


def _add_expected(charts: dict, finding: Finding, by_id: dict[str, Claim]) -> None:
    """What a finding computed for a figure, next to what is stated for it: the prior a
    rate implies (implied_prior: at the period before its first claim, the current
    figure), the sum of the parts (sum: at the total, its first claim)."""
    first = by_id.get(finding.claims[0]) if finding.claims else None
    if first is None or (first.metric, first.unit) not in charts or first.unit != finding.unit:
        return
    if finding.check == "implied_prior":
        interval, period = finding.expected_interval, previous_period(first.period)
    else:
        interval, period = finding.actual_interval, first.period
    if not interval or not all(_finite(x) for x in interval) or (finding.check == "implied_prior" and not period):
        return
    lo, hi = interval
    charts[(first.metric, first.unit)].points.append(
        Point(period or NO_PERIOD, lo, hi, (lo + hi) / 2, "expected", first.id,
              f"{finding.id} ({finding.severity}, {finding.check}): {fmt_interval(lo, hi)} {finding.unit}"))


def _significant(value: float, digits: int = 4) -> str:
    """`digits` significant digits, never in exponent notation (an axis label is read at a glance)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{round(value, decimals):.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def short_number(value: float) -> str:
    """Axis labels in the units a Chinese report speaks in (万, 亿, 万亿)."""
    size = abs(value)
    for scale, word in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if size >= scale:
            return _significant(value / scale) + word
    return _significant(value)


def svg(chart: Chart) -> str:
    """The chart as an SVG element (text escaped; no script, no external reference)."""
    periods = chart.periods
    values = [v for p in chart.points for v in (p.low, p.high)]
    lo, hi = min(values), max(values)
    log = lo > 0 and hi / lo > 50
    f = (lambda v: math.log10(v)) if log else (lambda v: v)
    y0, y1 = f(lo), f(hi)
    if y1 - y0 <= 0:
        y0, y1 = y0 - 1, y1 + 1
    pad = (y1 - y0) * 0.08
    y0, y1 = y0 - pad, y1 + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(periods))

    def x_of(period: str, kind: str) -> float:
        shift = {"stated": -0.12, "implied": 0.12, "expected": 0.25}[kind] * step
        return LEFT + step * (periods.index(period) + 0.5) + shift

    def y_of(v: float) -> float:
        return TOP + plot_h * (1 - (f(v) - y0) / (y1 - y0))

    out = [f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
           f'role="img" aria-label="{escape(chart.metric)}">',
           f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
           f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>']
    for v, anchor in ((lo, TOP + plot_h), (hi, TOP + 8)):
        out.append(f'<text class="tick" x="{LEFT - 4}" y="{anchor:.1f}" text-anchor="end">{escape(short_number(v))}</text>')
    for n, period in enumerate(periods):
        out.append(f'<text class="tick" x="{LEFT + step * (n + 0.5):.1f}" y="{HEIGHT - BOTTOM + 14}" '
                   f'text-anchor="middle">{escape(period)}</text>')
    for p in chart.points:
        x = x_of(p.period, p.kind)
        ya, yb, ym = y_of(p.low), y_of(p.high), y_of(p.mid)
        shape = (f'<circle cx="{x:.1f}" cy="{ym:.1f}" r="3.5"/>' if p.kind == "stated" else
                 f'<rect x="{x - 3.5:.1f}" y="{ym - 3.5:.1f}" width="7" height="7" '
                 f'transform="rotate(45 {x:.1f} {ym:.1f})"/>')
        out.append(f'<g class="pt {p.kind}" data-ref="{escape(p.ref)}"><title>{escape(p.label)}</title>'
                   f'<line x1="{x:.1f}" y1="{ya:.1f}" x2="{x:.1f}" y2="{yb:.1f}"/>{shape}</g>')
    scale = " (log scale)" if log else ""
    out.append(f'<text class="legend" x="{LEFT}" y="{HEIGHT - 4}"><tspan class="stated">● stated</tspan> '
               f'<tspan class="implied">◆ implied by a rate</tspan> <tspan class="expected">◆ computed by a '
               f'finding</tspan>{scale}</text>')
    out.append("</svg>")
    return "".join(out)
