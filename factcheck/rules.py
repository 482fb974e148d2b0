"""Rule files: YAML validated against the JSON Schema shipped in the package, with
errors that name the file and line."""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Optional

import regex
import yaml

from .lexicon import YAML_LOADER
from .pattern_cache import compile_cached

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
class Ratio:
    """A row of percentages stated as a ratio (三次产业结构为7.7:39.5:52.8): after one of
    `names`, each term is a share of the whole, of the metric at its place."""
    id: str
    names: list[str]
    metrics: list[str]
    ruleset: str
    source: str


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
    # check settings as the files state them, each with its file:line, in file order (a
    # later file overrides an earlier one); factcheck.checks.config reads them
    check_settings: list[tuple[str, str, dict]] = field(default_factory=list)  # (check, where, setting)
    relations: list[tuple[str, dict]] = field(default_factory=list)            # (where, relation)
    metric_tolerances: dict[str, float] = field(default_factory=dict)
    ratios: list[Ratio] = field(default_factory=list)
    not_names: list[str] = field(default_factory=list)   # words that hold a metric's name, naming none
    # places by their shape (`unnamed_places`): suffixes, characters no name holds, the gap
    # allowed before a metric's name; a later file's replace an earlier one's
    unnamed_places: Optional[dict] = None

    def metric(self, metric_id: str) -> Optional[Metric]:
        for metric in self.metrics:
            if metric.id == metric_id:
                return metric
        return None

    def exclusion_pattern(self) -> "Optional[regex.Pattern[str]]":
        return combine_exclusions(self.exclusions)


def combine_exclusions(exclusions: "list[Exclusion]") -> "Optional[regex.Pattern[str]]":
    """One pattern matching what any of the exclusions matches; None for none."""
    if not exclusions:
        return None
    # a branch reset group numbers each pattern's groups from 1, so \1 keeps its meaning
    return compile_cached("(?|" + "|".join(f"(?:{e.pattern})" for e in exclusions) + ")", regex.V1)


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
                if k.value == str(key):
                    node = v
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


MAX_NODES = 100_000  # YAML nodes in a rule file, aliases expanded (a "billion laughs" file has 10^9)


def _load_file(path: Path) -> tuple[dict, yaml.Node, str]:
    """The file's data, its YAML node tree (for lines) and its text."""
    try:
        if path.is_dir():
            raise RuleError(f"{path}: is a directory, not a rule file")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise RuleError(f"{path}:{line}: not UTF-8 text") from None
    try:
        try:
            node = yaml.compose(text, Loader=YAML_LOADER)
        except yaml.YAMLError:
            # the pure Python parser again, for its error: it places a bad character
            # on its line where libyaml counts the lines differently
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is not None:
            _check_nodes(path, node)
            loader = YAML_LOADER("")
            try:
                data = loader.construct_document(node)
            finally:
                loader.dispose()
        else:
            data = None
    except yaml.MarkedYAMLError as exc:
        line = (exc.problem_mark or exc.context_mark).line + 1 if (exc.problem_mark or exc.context_mark) else 1
        raise RuleError(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:  # a control character, NUL: not marked with a line
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise RuleError(f"{path}:{line}: invalid YAML: {exc.reason} (character #x{exc.character:04x})") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}:1: invalid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    except RecursionError:
        raise RuleError(f"{path}:1: invalid YAML: nested too deeply") from None
    if data is None or node is None:
        raise RuleError(f"{path}:1: empty rule file")
    return data, node, text


def _check_nodes(path: Path, root: yaml.Node) -> None:
    """Duplicate keys in a mapping (YAML keeps the last one silently) and files whose
    aliases expand to more than MAX_NODES nodes, each an error at its line."""
    sizes: dict[int, int] = {}
    # iterative post-order walk: each distinct node is visited once, aliases count again
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                children.extend((key, value))
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in seen and not done:
                        raise RuleError(f"{path}:{key.start_mark.line + 1}: duplicate key {key.value!r} "
                                        f"(first at line {seen[key.value]})")
                    seen.setdefault(key.value, key.start_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if done:
            size = 1 + sum(sizes.get(id(child), 1) for child in children)
            if size > MAX_NODES:
                raise RuleError(f"{path}:{node.start_mark.line + 1}: more than {MAX_NODES} YAML nodes once "
                                f"aliases are expanded")
            sizes[id(node)] = size
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)


def _non_finite(data: Any, where: Optional[list] = None) -> Optional[list]:
    """The path of the first number in `data` that is NaN or infinite (YAML's .nan, .inf,
    1e999), or None."""
    where = where or []
    if isinstance(data, float):
        return None if math.isfinite(data) else where
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = _non_finite(value, where + [key])
        if found is not None:
            return found
    return None


def validate_file(path: Path) -> dict:
    return _validated(path)[0]


@lru_cache(maxsize=1)
def validated_digests() -> frozenset:
    """sha256 of the rule files shipped with the package, each checked against the
    schema by the tests (tests/test_rules.py keeps the list in step with rules/)."""
    text = resources.files("factcheck").joinpath("data").joinpath("shipped_rules.sha256").read_text(encoding="utf-8")
    return frozenset(line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _schema_errors(data: dict, text: str, always: bool = False) -> list:
    """The file's errors against the schema, first by place. A file whose content is
    that of a shipped one was validated when the package was tested: jsonschema's import
    and its run are most of loading the shipped rules (0.15 s of every command)."""
    if not always and hashlib.sha256(text.encode("utf-8")).hexdigest() in validated_digests():
        return []
    from jsonschema import Draft202012Validator

    return sorted(Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(e.absolute_path))


def _validated(path: Path, always: bool = False) -> tuple[dict, yaml.Node]:
    data, node, text = _load_file(path)
    errors = _schema_errors(data, text, always)
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
    where = _non_finite(data)
    if where is not None:
        # .nan passes the schema's minimum (no comparison with NaN fails), and a tolerance
        # of .nan or .inf made every check pass
        raise RuleError(f"{path}:{_line_of(node, where)}: not a finite number (at {'/'.join(map(str, where))})")
    for i, exclusion in enumerate(data.get("exclusions", [])):
        line = _line_of(node, ["exclusions", i, "pattern"])
        count = _largest_repeat(exclusion["pattern"])
        if count > MAX_REPEAT:
            # the engine writes counted repeats out: a{1000000} costs hundreds of MB to compile
            raise RuleError(f"{path}:{line}: pattern of {exclusion['id']!r} repeats {count} times "
                            f"(counted repeats, nested ones multiplied, may reach {MAX_REPEAT})")
        try:
            compiled = compile_cached(exclusion["pattern"], regex.V1)
        except (regex.error, OverflowError, RecursionError, MemoryError) as exc:
            reason = str(exc) or type(exc).__name__
            raise RuleError(f"{path}:{line}: pattern of {exclusion['id']!r} does not compile: {reason}") from None
        try:
            empty = compiled.fullmatch("", timeout=PATTERN_TIMEOUT) is not None
        except TimeoutError:
            empty = False
        if empty:
            # it would match between every two characters of every document
            raise RuleError(f"{path}:{line}: pattern of {exclusion['id']!r} matches the empty string")
    return data, node


MAX_REPEAT = 10_000
_COUNT = compile_cached(r"\{(\d*)(?:,(\d*))?\}")


def _largest_repeat(pattern: str) -> int:
    """The largest count of a counted repeat ({m}, {m,n}) in a pattern, the counts of
    the groups around it multiplied in; 1 when there is none."""
    groups: list[int] = []               # open groups: their start
    spans: list[tuple[int, int, int]] = []  # (start, end, count) of counted repeats
    last_atom = -1                        # start of the atom a quantifier would apply to
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            last_atom = i
            # \p{Han}, \N{...}, \x{...}: braces that are no quantifier
            i += 3 if i + 2 < n and pattern[i + 2] == "{" and pattern[i + 1] in "pPNxuU" else 2
            if pattern[i - 1:i] == "{":
                close = pattern.find("}", i)
                i = n if close < 0 else close + 1
            continue
        if ch == "[":
            last_atom = i
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            depth = 1
            while j < n and depth:
                if pattern[j] == "\\":
                    j += 2
                    continue
                if pattern[j] == "[":
                    depth += 1      # V1 nested sets
                elif pattern[j] == "]":
                    depth -= 1
                j += 1
            i = j
            continue
        if ch == "(":
            groups.append(i)
            i += 1
            continue
        if ch == ")":
            last_atom = groups.pop() if groups else i
            i += 1
            continue
        if ch == "{":
            m = _COUNT.match(pattern, i)
            if m and (m.group(1) or m.group(2)):
                count = max(int(m.group(1) or 0), int(m.group(2) or 0))
                spans.append((max(last_atom, 0), m.end(), count))
                i = m.end()
                continue
        last_atom = i
        i += 1
    largest = 1
    for start, end, count in spans:
        total = count
        for outer_start, outer_end, outer in spans:
            if outer_start < start and end <= outer_end and (outer_start, outer_end) != (start, end):
                total *= outer
        largest = max(largest, total)
    return largest


def _key_line(node: yaml.Node, path: list[Any], key: str) -> Optional[int]:
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step]
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if k.value == str(key):
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
        for word in data.get("not_names", []):
            if word not in rules.not_names:
                rules.not_names.append(word)
        if data.get("unnamed_places"):
            rules.unnamed_places = dict(data["unnamed_places"])
        for check, setting in (data.get("checks") or {}).items():
            rules.check_settings.append((check, f"{path}:{_line_of(node, ['checks', check])}", setting))
        for i, relation in enumerate(data.get("relations") or []):
            rules.relations.append((f"{path}:{_line_of(node, ['relations', i])}", relation))
        for m in data.get("metrics", []):
            if "tolerance" in m:
                rules.metric_tolerances[m["id"]] = float(m["tolerance"])
        for i, r in enumerate(data.get("ratios") or []):
            where = f"{path}:{_line_of(node, ['ratios', i])}"
            if any(known.id == r["id"] for known in rules.ratios):
                raise RuleError(f"{where}: ratio id {r['id']!r} already defined")
            rules.ratios.append(Ratio(r["id"], r["names"], r["metrics"], ruleset, where))
    for ratio in rules.ratios:
        for metric in ratio.metrics:
            if metric not in seen_metrics:
                raise RuleError(f"{ratio.source}: ratio {ratio.id!r} names unknown metric {metric!r}")
    return rules
