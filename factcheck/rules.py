"""Rule files: YAML validated against the JSON Schema shipped in the package, with
errors that name the file and line."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import regex
import yaml
from jsonschema import Draft202012Validator

PATTERN_TIMEOUT = 2.0


class RuleError(Exception):
    """An invalid rule file; the message is one line, `file:line: reason`."""


@dataclass
class Metric:
    id: str
    names: list[str]
    dimension: str
    role: Optional[str]
    comparable_prices: bool
    ruleset: str
    source: str
    examples: list[dict] = field(default_factory=list)
    counterexamples: list[str] = field(default_factory=list)
    units: Optional[list[str]] = None

    def accepts(self, dimension: str, unit: Optional[str]) -> bool:
        if dimension != self.dimension:
            return False
        return self.units is None or unit in self.units


@dataclass
class Exclusion:
    id: str
    pattern: str
    ruleset: str
    source: str
    examples: list[str] = field(default_factory=list)


@dataclass
class RuleSet:
    metrics: list[Metric] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def metric(self, metric_id: str) -> Optional[Metric]:
        for metric in self.metrics:
            if metric.id == metric_id:
                return metric
        return None

    def exclusion_pattern(self) -> "Optional[regex.Pattern[str]]":
        if not self.exclusions:
            return None
        # a branch reset group numbers each pattern's groups from 1, so \1 keeps its meaning
        return regex.compile("(?|" + "|".join(f"(?:{e.pattern})" for e in self.exclusions) + ")", regex.V1)


@lru_cache(maxsize=1)
def schema() -> dict:
    text = resources.files("factcheck").joinpath("data").joinpath("rules.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def shipped_rules_dir() -> Path:
    """rules/ beside the package in a checkout (and an editable install), or the copy
    installed as the package data `factcheck.shipped_rules`."""
    beside = Path(__file__).resolve().parent.parent / "rules"
    if beside.is_dir() and (beside / "economy.yaml").exists():
        return beside
    return Path(__file__).resolve().parent / "shipped_rules"


def _line_of(node: yaml.Node, path: list[Any]) -> int:
    """1-based line of the YAML node at a JSON-Schema error path."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    node = v
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


def _load_file(path: Path) -> tuple[dict, yaml.Node]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise RuleError(f"{path}:1: not UTF-8 text") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = (exc.problem_mark or exc.context_mark).line + 1 if (exc.problem_mark or exc.context_mark) else 1
        raise RuleError(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    if data is None or node is None:
        raise RuleError(f"{path}:1: empty rule file")
    return data, node


def validate_file(path: Path) -> dict:
    return _validated(path)[0]


def _validated(path: Path) -> tuple[dict, yaml.Node]:
    data, node = _load_file(path)
    errors = sorted(Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = list(error.absolute_path)
        line = _line_of(node, where)
        if error.validator == "additionalProperties":
            # point at the unknown key itself
            extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
            if extra:
                line = _line_of(node, where + [extra[0]])
                line = _key_line(node, where, extra[0]) or line
            message = f"unknown key {extra[0]!r}" if extra else error.message
        else:
            message = error.message
        location = "/".join(str(p) for p in where)
        raise RuleError(f"{path}:{line}: {message}" + (f" (at {location})" if location else ""))
    for i, exclusion in enumerate(data.get("exclusions", [])):
        try:
            regex.compile(exclusion["pattern"], regex.V1)
        except regex.error as exc:
            line = _line_of(node, ["exclusions", i, "pattern"])
            raise RuleError(f"{path}:{line}: pattern of {exclusion['id']!r} does not compile: {exc}") from None
    return data, node


def _key_line(node: yaml.Node, path: list[Any], key: str) -> Optional[int]:
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step]
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if k.value == key:
                return k.start_mark.line + 1
    return None


def rule_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            files.append(path)
        else:
            raise RuleError(f"{path}: no such rule file or folder")
    return files


def load_rules(paths: Optional[list[str]] = None, include_shipped: bool = True) -> RuleSet:
    """Load and validate rule files: the shipped rules/ (unless told not to) plus `paths`."""
    sources: list[str] = []
    if include_shipped:
        sources.append(str(shipped_rules_dir()))
    sources.extend(paths or [])
    rules = RuleSet()
    seen_metrics: dict[str, str] = {}
    seen_exclusions: dict[str, str] = {}
    for path in rule_files(sources):
        data, node = _validated(path)
        ruleset = data["id"]
        rules.files.append(str(path))
        for i, m in enumerate(data.get("metrics", [])):
            where = f"{path}:{_line_of(node, ['metrics', i])}"
            if m["id"] in seen_metrics:
                raise RuleError(f"{where}: metric id {m['id']!r} already defined at {seen_metrics[m['id']]}")
            seen_metrics[m["id"]] = where
            rules.metrics.append(Metric(m["id"], m["names"], m["dimension"], m.get("role"),
                                        m.get("comparable_prices", False), ruleset, where,
                                        m.get("examples", []), m.get("counterexamples", []),
                                        m.get("units")))
        for i, e in enumerate(data.get("exclusions", [])):
            where = f"{path}:{_line_of(node, ['exclusions', i])}"
            key = f"{ruleset}/{e['id']}"
            if key in seen_exclusions:
                raise RuleError(f"{where}: exclusion id {key!r} already defined at {seen_exclusions[key]}")
            seen_exclusions[key] = where
            rules.exclusions.append(Exclusion(e["id"], e["pattern"], ruleset, where, e.get("examples", [])))
        for subject in data.get("subjects", []):
            if subject not in rules.subjects:
                rules.subjects.append(subject)
    return rules
