"""Check settings and relations declared in rule files.

A rule file may hold, besides its metrics:

```yaml
checks:                          # switch checks on or off, set their tolerance
  conflicting_repeat: {enabled: false}
  sum: {tolerance: 0.001}        # relative: every figure may be off by 0.1 % of itself
relations:
  - {id: trade_sum, kind: sum, total: trade_total, parts: [export, import]}
  - {id: gdp_per_capita, kind: ratio, result: gdp_per_capita, numerator: gdp, denominator: population}
metrics:
  - id: gdp
    tolerance: 0.0005            # per metric, on top of the above
```

The rule loader validates these keys against the JSON Schema and keeps them on the
RuleSet with their file:line; this module turns them into a CheckConfig (files later in
the list override earlier ones, so `--rules mine.yaml` can switch a shipped check back
on) and checks that relations name metrics that exist.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..rules import RuleError, RuleSet

@dataclass
class Relation:
    id: str
    kind: str                       # sum | ratio
    source: str                     # file:line
    total: Optional[str] = None     # sum: total = parts[0] + parts[1] + ... - minus[0] - ...
    parts: list[str] = field(default_factory=list)
    minus: list[str] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)   # sum: parts counted when stated
    result: Optional[str] = None    # ratio: result = numerator / denominator * factor
    numerator: Optional[str] = None
    denominator: Optional[str] = None
    factor: float = 1.0
    tolerance: float = 0.0
    description: str = ""

    @property
    def components(self) -> list[str]:
        """A sum's component metrics: the parts, the optional parts, then those subtracted."""
        return [*self.parts, *self.optional, *self.minus]


@dataclass
class CheckConfig:
    enabled: dict[str, bool] = field(default_factory=dict)
    tolerances: dict[str, float] = field(default_factory=dict)
    severities: dict[str, str] = field(default_factory=dict)
    metric_tolerances: dict[str, float] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    @property
    def parts_under(self) -> frozenset[tuple[str, str]]:
        """(total, part) for each metric a sum puts under another (出口 under 进出口总额):
        not those subtracted."""
        return frozenset((r.total, m) for r in self.relations if r.kind == "sum" for m in (*r.parts, *r.optional))

    def is_enabled(self, check: str) -> bool:
        return self.enabled.get(check, True)

    def tolerance(self, check: str) -> float:
        return self.tolerances.get(check, 0.0)

    def metric_tolerance(self, metric: str) -> float:
        return self.metric_tolerances.get(metric, 0.0)

    def severity(self, check: str, severity: str) -> str:
        """A rule file may lower (or raise) what a failing check reports; warnings a check
        gives for undecidable cases stay warnings."""
        override = self.severities.get(check)
        if override is None or severity != "error":
            return severity
        return override


def load_config(rules: RuleSet) -> CheckConfig:
    """The check settings of a rule set (cached on it), from what `load_rules` kept of
    its files: the files are not read again."""
    cached = getattr(rules, "_check_config", None)
    if cached is not None:
        return cached
    config = CheckConfig()
    metric_ids = {m.id for m in rules.metrics}
    for check, _where, setting in rules.check_settings:
        if "enabled" in setting:
            config.enabled[check] = bool(setting["enabled"])
        if "tolerance" in setting:
            config.tolerances[check] = float(setting["tolerance"])
        if "severity" in setting:
            config.severities[check] = setting["severity"]
    config.metric_tolerances.update(rules.metric_tolerances)
    for where, raw in rules.relations:
        relation = Relation(id=raw["id"], kind=raw["kind"], source=where,
                            total=raw.get("total"), parts=list(raw.get("parts", [])),
                            minus=list(raw.get("minus", [])), optional=list(raw.get("optional", [])),
                            result=raw.get("result"), numerator=raw.get("numerator"),
                            denominator=raw.get("denominator"), factor=float(raw.get("factor", 1.0)),
                            tolerance=float(raw.get("tolerance", 0.0)),
                            description=raw.get("description", ""))
        named = [relation.total, *relation.components] if relation.kind == "sum" else \
            [relation.result, relation.numerator, relation.denominator]
        if relation.kind == "sum" and len(relation.parts) + len(relation.minus) < 2:
            raise RuleError(f"{where}: relation {relation.id!r} needs two components at least (parts and minus)")
        if relation.optional and relation.minus:
            raise RuleError(f"{where}: relation {relation.id!r}: optional parts of a difference cannot be weighed")
        if relation.kind == "sum" and len(set(named)) != len(named):
            raise RuleError(f"{where}: relation {relation.id!r} names a metric twice")
        for metric in named:
            if metric not in metric_ids:
                raise RuleError(f"{where}: relation {relation.id!r} names unknown metric {metric!r}")
        if any(r.id == relation.id for r in config.relations):
            raise RuleError(f"{where}: relation id {relation.id!r} already defined")
        config.relations.append(relation)
    try:
        rules._check_config = config  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover
        pass
    return config
