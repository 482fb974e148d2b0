"""What the reviewer outputs share: the worst finding touching each claim, the claims
linked to each claim, groups by metric and period, source sentences, value wording."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..models import Claim, DocumentResult, Finding

SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}
NO_METRIC = "(no metric)"
NO_PERIOD = "(no period)"
_SENTENCE_ENDS = "。！？!?；;\n\r"
SENTENCE_REACH = 120   # characters of context at most on either side of a figure
# the ends around a figure found in C: a character at a time in Python was a fifth of
# writing a checklist
_AN_END = re.compile(f"[{re.escape(_SENTENCE_ENDS)}]")
_UP_TO_LAST_END = re.compile(f".*[{re.escape(_SENTENCE_ENDS)}]", re.S)


def worse(a: Optional[str], b: Optional[str]) -> Optional[str]:
    return a if SEVERITY_RANK.get(a or "", 0) >= SEVERITY_RANK.get(b or "", 0) else b


def findings_in_order(findings: Iterable[Finding]) -> list[Finding]:
    """The most severe first, then in the order of the text."""
    return sorted(findings, key=lambda f: (-SEVERITY_RANK.get(f.severity, 0), f.start, f.end, f.id))


def claims_of(finding: Finding) -> list[str]:
    """Every claim a finding touches: its own, and those of its repeats on repeated text."""
    seen: dict[str, None] = dict.fromkeys(finding.claims)
    for repeat in finding.repeats:
        seen.update(dict.fromkeys(repeat))
    return list(seen)


@dataclass
class ReviewIndex:
    """Per document: for each claim id, the findings touching it, the worst severity
    among them, and the claims linked to it (what it refers to, what refers to it,
    the other claims of its findings)."""

    result: DocumentResult
    by_id: dict[str, Claim] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    linked: dict[str, list[str]] = field(default_factory=dict)   # only the claims linked to another

    @classmethod
    def of(cls, result: DocumentResult) -> "ReviewIndex":
        index = cls(result, {c.id: c for c in result.claims})
        # only the claims linked to another: a dict for every claim, and a list, were a
        # quarter of writing a figure-dense document's checklist
        links: dict[str, dict[str, None]] = {}
        known = index.by_id

        def link(a: str, b: str) -> None:
            if a != b and a in known and b in known:
                links.setdefault(a, {})[b] = None
                links.setdefault(b, {})[a] = None

        for claim in result.claims:
            if claim.refers_to:
                link(claim.id, claim.refers_to)
        for finding in result.findings:
            for group in [finding.claims] + list(finding.repeats):
                for a in group:
                    for b in group:
                        link(a, b)
            for cid in claims_of(finding):
                index.findings.setdefault(cid, []).append(finding)
                index.severity[cid] = worse(index.severity.get(cid), finding.severity) or finding.severity
        if links:
            order = {c.id: n for n, c in enumerate(result.claims)}
            index.linked = {cid: sorted(other, key=lambda x: order.get(x, 0)) for cid, other in links.items()}
        return index


@dataclass
class ClaimGroup:
    metric: Optional[str]
    period: Optional[str]
    claims: list[Claim]
    severity: Optional[str] = None     # the worst finding touching one of its claims

    @property
    def title(self) -> str:
        return f"{self.metric or NO_METRIC} — {self.period or NO_PERIOD}"


def claim_groups(index: ReviewIndex) -> list[ClaimGroup]:
    """Claims grouped by metric and period: groups with a finding first (the worst first),
    then by metric and period; claims in the order of the text."""
    groups: dict[tuple, ClaimGroup] = {}
    for claim in index.result.claims:
        key = (claim.metric, claim.period)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ClaimGroup(claim.metric, claim.period, [])
        group.claims.append(claim)
        group.severity = worse(group.severity, index.severity.get(claim.id))
    return sorted(groups.values(), key=lambda g: (-SEVERITY_RANK.get(g.severity or "", 0),
                                                  g.metric is None, g.metric or "", g.period is None,
                                                  g.period or ""))


def sentence_around(raw: str, start: int, end: int, reach: int = SENTENCE_REACH) -> tuple[int, int]:
    """The raw span of the sentence holding [start, end): from after the previous sentence
    end (or line break) to the next one included, at most `reach` characters either side."""
    floor = max(0, start - reach)
    last_end = _UP_TO_LAST_END.match(raw, floor, start)   # greedy: backs off to the last end
    left = last_end.end() if last_end else floor
    ceiling = min(len(raw), end + reach)
    next_end = _AN_END.search(raw, end, ceiling)
    right = next_end.start() if next_end else ceiling
    if right < len(raw) and raw[right] in "。！？!?；;":
        right += 1
    return left, right


def fmt_number(value: Optional[float]) -> str:
    if value is None:
        return "—"
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e18:
        return f"{value:,.0f}"
    return f"{value:,.6g}"


def fmt_interval(low: Optional[float], high: Optional[float]) -> str:
    lo = "−∞" if low is None else fmt_number(low)
    hi = "+∞" if high is None else fmt_number(high)
    return f"[{lo}, {hi}]"


def fmt_value(claim: Claim) -> str:
    """`1,415,130,000,000 CNY (exact)`: the normalized value, unit and qualifier."""
    unit = f" {claim.unit}" if claim.unit else ""
    return f"{fmt_number(claim.value)}{unit} ({claim.qualifier})"
