"""Expected-claims files (fixtures/*.expected.yaml) and the comparison of a run with them."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

from .models import Claim

COMPARED = ("value", "unit", "qualifier", "role")


@dataclass
class Comparison:
    matched: list[tuple[dict, Claim]] = field(default_factory=list)
    wrong: list[tuple[dict, Claim, list[str]]] = field(default_factory=list)   # same span, other fields differ
    missing: list[dict] = field(default_factory=list)                          # false negatives
    extra: list[Claim] = field(default_factory=list)                           # false positives

    @property
    def precision(self) -> float:
        found = len(self.matched) + len(self.wrong) + len(self.extra)
        return len(self.matched) / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = len(self.matched) + len(self.wrong) + len(self.missing)
        return len(self.matched) / expected if expected else 1.0

    @property
    def ok(self) -> bool:
        return not (self.wrong or self.missing or self.extra)

    def describe(self) -> str:
        lines = []
        for exp, claim, diffs in self.wrong:
            lines.append(f"  ~ {exp['start']} {exp['text']!r}: " + ", ".join(diffs))
        for exp in self.missing:
            lines.append(f"  - {exp['start']} {exp['text']!r} expected, not found")
        for claim in self.extra:
            lines.append(f"  + {claim.start} {claim.text!r} found, not expected "
                         f"({claim.value} {claim.unit} {claim.qualifier} {claim.role})")
        return "\n".join(lines)


def load_expected(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _same(field_name: str, expected, actual) -> bool:
    if field_name in ("value", "low", "high"):
        if expected is None or actual is None:
            return expected is None and actual is None
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


def compare(expected: list[dict], claims: list[Claim]) -> Comparison:
    """Match claims to expected entries by exact raw span, then compare their fields."""
    by_span = {(c.start, c.end): c for c in claims}
    used: set[tuple[int, int]] = set()
    result = Comparison()
    for exp in expected:
        span = (exp["start"], exp["start"] + len(exp["text"]))
        claim: Optional[Claim] = by_span.get(span)
        if claim is None:
            result.missing.append(exp)
            continue
        used.add(span)
        fields = list(COMPARED) + [f for f in ("metric", "low", "high") if f in exp]
        diffs = [f"{f}: expected {exp.get(f)!r}, got {getattr(claim, f)!r}"
                 for f in fields if not _same(f, exp.get(f), getattr(claim, f))]
        if diffs:
            result.wrong.append((exp, claim, diffs))
        else:
            result.matched.append((exp, claim))
    result.extra = [c for c in claims if (c.start, c.end) not in used]
    return result
