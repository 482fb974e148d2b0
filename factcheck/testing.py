"""Regression tests of rule sets: the examples inside rule files and the fixture documents
with expected claims and findings, run against one rule set (`factcheck test`, the pytest
plugin).

Cases:

- every `examples` entry of a metric: the text must yield a claim with the given fields
  (value, unit, qualifier, role, low, high, subject, period, span; `metric` defaults to the
  metric itself);
- every `counterexamples` entry of a metric: the text must yield no claim of that metric;
- every `examples` entry of an exclusion: its pattern matches the text and no claim
  overlaps the match;
- every `counterexamples` entry of an exclusion: its pattern does not match the text;
- every `NAME.expected.yaml` fixture (format in fixtures/README.md): its `claims` (when
  given) are exactly the claims extracted, its `findings` (when given) exactly the
  findings of the checks, and no claim lies inside one of its `not_claims`.

The outcome of every case, and per rule (`economy/gdp`, `not_claims/date`) the true
positives, false positives and false negatives, go into a `Report`.
"""
from __future__ import annotations

import difflib
import json
import math
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import regex
import yaml

from .compare import compare
from .models import Claim, DocumentResult, Finding
from .report import write_text
from .rules import (YAML_LOADER, RuleError, RuleSet, _line_of, _validated, load_rules, rule_files,
                    shipped_rules_dir)

EXPECTED_SUFFIX = ".expected.yaml"
TOP_KEYS = {"document", "reference_year", "description", "claims", "findings", "not_claims"}
CLAIM_KEYS = {"start", "text", "value", "unit", "qualifier", "role", "metric", "low", "high", "why"}
FINDING_KEYS = {"check", "severity", "claims", "why"}
NOT_CLAIM_KEYS = {"text", "why"}
EXAMPLE_FIELDS = ("value", "unit", "qualifier", "role", "metric", "low", "high", "subject", "period", "span")
SECTIONS = ("claims", "findings")


class FixtureError(Exception):
    """An invalid fixture; the message is one line, `file:line: reason`."""


# ---- cases ------------------------------------------------------------------------------

@dataclass
class RuleExample:
    """One example or counterexample of a metric or exclusion."""

    rule: str                 # ruleset/id: economy/gdp, not_claims/date
    rule_kind: str            # metric | exclusion
    kind: str                 # example | counterexample
    index: int                # 1-based, per rule and kind
    text: str
    expect: dict              # the example's fields (metric examples only)
    path: str
    line: int

    @property
    def id(self) -> str:
        return f"{self.rule}[{self.kind} {self.index}]"

    @property
    def name(self) -> str:    # within its rule file
        return f"{self.kind}-{self.index}"

    @property
    def source(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class FixtureCase:
    path: Path                # the NAME.expected.yaml file
    document: Path
    reference_year: Optional[int]
    claims: Optional[list[dict]]
    findings: Optional[list[dict]]
    not_claims: list[dict]
    lines: dict[str, list[int]]   # section -> 1-based line of each entry
    section_lines: dict[str, int]

    @property
    def id(self) -> str:
        return display_path(self.path)

    @property
    def source(self) -> str:
        return display_path(self.path)

    @property
    def sections(self) -> list[str]:
        return [s for s in SECTIONS if getattr(self, s) is not None]


def display_path(path: Path | str) -> str:
    path = Path(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def _parsed(files: Iterable[Path], parsed: Optional[dict] = None):
    for path in files:
        if parsed is not None and str(path) in parsed:
            yield (path, *parsed[str(path)])
        else:
            data, node = _validated(Path(path))
            if parsed is not None:
                parsed[str(path)] = (data, node)
            yield path, data, node


def rule_cases(files: Iterable[Path], parsed: Optional[dict] = None) -> list[RuleExample]:
    """The examples and counterexamples of the metrics and exclusions of rule files, with
    the line each one is written on. Raises RuleError for an invalid file."""
    cases: list[RuleExample] = []
    for path, data, node in _parsed(files, parsed):
        ruleset = data["id"]
        for section, rule_kind in (("metrics", "metric"), ("exclusions", "exclusion")):
            for i, rule in enumerate(data.get(section) or []):
                rule_id = f"{ruleset}/{rule['id']}"
                for kind in ("examples", "counterexamples"):
                    for j, entry in enumerate(rule.get(kind) or []):
                        expect = dict(entry) if isinstance(entry, dict) else {"text": entry}
                        text = expect.pop("text")
                        expect.pop("description", None)
                        if kind == "examples" and rule_kind == "metric":
                            expect.setdefault("metric", rule["id"])
                        cases.append(RuleExample(rule_id, rule_kind, kind[:-1], j + 1, text, expect, str(path),
                                                 _line_of(node, [section, i, kind, j])))
    return cases


def rules_without_examples(files: Iterable[Path], parsed: Optional[dict] = None) -> list[tuple[str, str]]:
    """(file:line, message) for every metric and exclusion that has no example."""
    missing = []
    for path, data, node in _parsed(files, parsed):
        for section, what in (("metrics", "metric"), ("exclusions", "exclusion")):
            for i, rule in enumerate(data.get(section) or []):
                if not rule.get("examples"):
                    missing.append((f"{path}:{_line_of(node, [section, i])}",
                                    f"{what} {data['id']}/{rule['id']} has no example"))
    return missing


def _key_lines(node: yaml.Node) -> dict[str, int]:
    return {k.value: k.start_mark.line + 1 for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}


def _compose(text: str) -> tuple[Optional[yaml.Node], Any]:
    """The node tree (for line numbers) and the data, from one parse."""
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def load_fixture(path: Path | str) -> FixtureCase:
    """Read and validate an expected file. Raises FixtureError (file:line: reason)."""
    path = Path(path)
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"{where}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise FixtureError(f"{where}:1: not UTF-8 text") from None
    try:
        node, data = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FixtureError(f"{where}:{mark.line + 1 if mark else 1}: invalid YAML: {exc.problem or exc.context}") \
            from None
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        raise FixtureError(f"{where}:1: an expected file is a mapping (document, claims, findings)")
    keys = _key_lines(node)
    for key in data:
        if key not in TOP_KEYS:
            raise FixtureError(f"{where}:{keys.get(key, 1)}: unknown key {key!r} "
                               f"(expected {', '.join(sorted(TOP_KEYS))})")
    name = data.get("document") or path.name[: -len(EXPECTED_SUFFIX)] + ".txt"
    if not isinstance(name, str):
        raise FixtureError(f"{where}:{keys.get('document', 1)}: document must be a file name")
    document = path.parent / name
    if not document.is_file():
        raise FixtureError(f"{where}:{keys.get('document', 1)}: document {name!r} not found beside the expected file")
    year = data.get("reference_year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise FixtureError(f"{where}:{keys['reference_year']}: reference_year must be a year")
    lines: dict[str, list[int]] = {}
    for section, allowed in (("claims", CLAIM_KEYS), ("findings", FINDING_KEYS), ("not_claims", NOT_CLAIM_KEYS)):
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise FixtureError(f"{where}:{keys[section]}: {section} must be a list")
        lines[section] = [_line_of(node, [section, i]) for i in range(len(entries))]
        for i, entry in enumerate(entries):
            line = lines[section][i]
            if not isinstance(entry, dict):
                raise FixtureError(f"{where}:{line}: each of {section} is a mapping")
            for key in entry:
                if key not in allowed:
                    raise FixtureError(f"{where}:{_line_of(node, [section, i, key])}: unknown key {key!r} in "
                                       f"{section} (expected {', '.join(sorted(allowed))})")
            _check_entry(section, entry, f"{where}:{line}")
    return FixtureCase(path, document, year, data.get("claims"), data.get("findings"),
                       data.get("not_claims") or [], lines, keys)


def _check_entry(section: str, entry: dict, where: str) -> None:
    if section == "claims":
        for key in ("start", "text"):
            if key not in entry:
                raise FixtureError(f"{where}: a claim needs {key!r}")
        if not isinstance(entry["start"], int) or not isinstance(entry["text"], str):
            raise FixtureError(f"{where}: start is an offset, text a string")
    elif section == "findings":
        from .checks import CHECK_IDS, SEVERITIES

        if entry.get("check") not in CHECK_IDS:
            raise FixtureError(f"{where}: check {entry.get('check')!r} is not one of {', '.join(CHECK_IDS)}")
        if entry.get("severity", "error") not in SEVERITIES:
            raise FixtureError(f"{where}: severity {entry.get('severity')!r} is not one of {', '.join(SEVERITIES)}")
        claims = entry.get("claims", [])
        if not isinstance(claims, list) or not all(isinstance(c, str) for c in claims):
            raise FixtureError(f"{where}: claims of a finding are a list of claim texts or ids")
    elif not isinstance(entry.get("text"), str):
        raise FixtureError(f"{where}: a not_claims entry needs its text")


def fixture_files(paths: Iterable[Path | str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*" + EXPECTED_SUFFIX) if not _hidden(p, path)))
        elif path.name.endswith(EXPECTED_SUFFIX) and path.exists():
            found.append(path)
    return found


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts[:-1])


def split_paths(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Sort command-line paths into rule files/folders and fixture files/folders: a
    NAME.expected.yaml is a fixture, any other YAML file a rule file; a folder gives
    both kinds (its expected files, its other YAML files)."""
    rules: list[str] = []
    fixtures: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yamls = [p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and not _hidden(p, path)]
            if any(p.name.endswith(EXPECTED_SUFFIX) for p in yamls):
                fixtures.append(raw)
            rules.extend(str(p) for p in sorted(yamls) if not p.name.endswith(EXPECTED_SUFFIX))
        elif path.name.endswith(EXPECTED_SUFFIX):
            if not path.exists():
                raise FixtureError(f"{raw}: no such fixture")
            fixtures.append(raw)
        elif not path.exists():
            raise RuleError(f"{raw}: no such rule file, fixture or folder")
        else:
            rules.append(raw)
    return rules, fixtures


def shipped_fixtures_dir() -> Optional[Path]:
    """fixtures/ beside the shipped rules in a checkout; None in an installed package."""
    folder = shipped_rules_dir().parent / "fixtures"
    return folder if folder.is_dir() else None


# ---- outcomes -----------------------------------------------------------------------------

@dataclass
class Section:
    ok: bool
    message: str = ""


@dataclass
class Outcome:
    id: str
    kind: str                          # example | counterexample | fixture
    source: str                        # file:line
    rule: Optional[str] = None         # for examples
    sections: dict[str, Section] = field(default_factory=dict)
    error: Optional[str] = None        # an invalid case (file:line: reason)
    counts: Counter = field(default_factory=Counter)         # (rule, tp|fp|fn) -> n
    check_counts: Counter = field(default_factory=Counter)   # (check, tp|fp|fn) -> n
    fired: Counter = field(default_factory=Counter)          # rule -> claims / matches in the document
    result: Optional[DocumentResult] = field(default=None, repr=False)
    comparison: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None and all(s.ok for s in self.sections.values())

    @property
    def message(self) -> str:
        if self.error:
            return self.error
        return "\n".join(s.message for s in self.sections.values() if not s.ok)

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "source": self.source, "rule": self.rule, "ok": self.ok,
                "invalid": self.error is not None,
                "sections": {k: {"ok": s.ok, "message": s.message or None} for k, s in self.sections.items()},
                "message": self.message or None}


def _fmt_number(value) -> str:
    if value is None:
        return "null"
    value = float(value)
    if math.isfinite(value) and value == int(value) and abs(value) < 1e18:
        return str(int(value))
    return repr(value)


def _same(name: str, expected, actual) -> bool:
    if name in ("value", "low", "high"):
        if expected is None or actual is None:
            return expected is None and actual is None
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


def _claim_field(claim: Claim, name: str):
    return claim.text if name == "span" else getattr(claim, name)


def _claim_line(claim: Claim, fields: Iterable[str] = ("value", "unit", "qualifier", "role", "metric")) -> str:
    parts = [json.dumps(claim.text, ensure_ascii=False)]
    for name in fields:
        if name == "span":
            continue
        value = _claim_field(claim, name)
        parts.append(f"{name}={_fmt_number(value) if name in ('value', 'low', 'high') else value}")
    return " ".join(parts)


# ---- the runner -------------------------------------------------------------------------

class Runner:
    """One rule set, compiled once; runs rule examples and fixture cases."""

    def __init__(self, rules: RuleSet):
        from .checks import load_config
        from .pipeline import Pipeline

        self.rules = rules
        self.config = load_config(rules)          # RuleError for a relation naming no metric
        self.pipeline = Pipeline(rules)
        self.patterns = {f"{e.ruleset}/{e.id}": regex.compile(e.pattern, regex.V1) for e in rules.exclusions}
        self.metric_rules = {m.id: f"{m.ruleset}/{m.id}" for m in rules.metrics}

    # -- examples --

    def run_example(self, case: RuleExample) -> Outcome:
        outcome = Outcome(case.id, case.kind, case.source, rule=case.rule)
        result = self.pipeline.run_text(case.text)
        if case.rule_kind == "metric":
            ok, message = (self._metric_example if case.kind == "example" else self._metric_counterexample)(
                case, result)
        else:
            ok, message = (self._exclusion_example if case.kind == "example" else self._exclusion_counterexample)(
                case, result)
        outcome.sections["expect"] = Section(ok, message)
        if case.kind == "example":
            outcome.counts[(case.rule, "tp" if ok else "fn")] += 1
        elif not ok:
            outcome.counts[(case.rule, "fp")] += 1
        return outcome

    def _head(self, case: RuleExample) -> str:
        return f"text: {case.text}"

    def _metric_example(self, case: RuleExample, result: DocumentResult) -> tuple[bool, str]:
        wanted = {k: case.expect[k] for k in EXAMPLE_FIELDS if k in case.expect}
        matching = [c for c in result.claims if all(_same(k, v, _claim_field(c, k)) for k, v in wanted.items())]
        if matching:
            return True, ""
        lines = [self._head(case),
                 "  expected a claim with " + " ".join(f"{k}={_fmt_number(v) if k in ('value', 'low', 'high') else v}"
                                                       for k, v in wanted.items())]
        if not result.claims:
            lines.append("  found no claim")
        shown = [k for k in wanted if k != "span"]
        for claim in result.claims:
            differs = [k for k, v in wanted.items() if not _same(k, v, _claim_field(claim, k))]
            lines.append(f"  found {_claim_line(claim, shown)}  (differs: {', '.join(differs)})")
        return False, "\n".join(lines)

    def _metric_counterexample(self, case: RuleExample, result: DocumentResult) -> tuple[bool, str]:
        offending = [c for c in result.claims if c.rule == case.rule]
        if not offending:
            return True, ""
        return False, "\n".join([self._head(case), f"  expected no claim of {case.rule}"] +
                                [f"  found {_claim_line(c)}" for c in offending])

    def _exclusion_example(self, case: RuleExample, result: DocumentResult) -> tuple[bool, str]:
        pattern = self.patterns.get(case.rule)
        if pattern is None:
            return False, f"{self._head(case)}\n  exclusion not in the rule set"
        text = result.text or case.text
        spans = [m.span() for m in pattern.finditer(text)]
        if not spans:
            return False, f"{self._head(case)}\n  the pattern does not match (normalized text: {text!r})"
        inside = [c for c in result.claims if any(c.norm_start < e and s < c.norm_end for s, e in spans)]
        if not inside:
            return True, ""
        return False, "\n".join([self._head(case), f"  expected no claim where the pattern matches {spans}"] +
                                [f"  found {_claim_line(c)}" for c in inside])

    def _exclusion_counterexample(self, case: RuleExample, result: DocumentResult) -> tuple[bool, str]:
        pattern = self.patterns.get(case.rule)
        if pattern is None:
            return False, f"{self._head(case)}\n  exclusion not in the rule set"
        text = result.text or case.text
        match = pattern.search(text)
        if match is None:
            return True, ""
        return False, f"{self._head(case)}\n  the pattern must not match, but matches {match.group()!r} at {match.start()}"

    # -- fixtures --

    def run_fixture(self, case: FixtureCase, strict: bool = True) -> Outcome:
        """strict: an expected claim whose text is not at its offset makes the case invalid
        (off for --update, which rewrites it)."""
        from .checks import run_checks
        from .decode import InputError, read_input

        outcome = Outcome(case.id, "fixture", case.source)
        try:
            decoded = read_input(str(case.document))
        except InputError as exc:
            outcome.error = f"{case.id}:{case.section_lines.get('document', 1)}: {exc}"
            return outcome
        raw = decoded.text
        if strict and case.claims is not None:
            for entry, line in zip(case.claims, case.lines["claims"]):
                got = raw[entry["start"]:entry["start"] + len(entry["text"])]
                if got != entry["text"]:
                    outcome.error = (f"{case.id}:{line}: claim text {entry['text']!r} is not at offset "
                                     f"{entry['start']} of {case.document.name} (found {got!r})")
                    return outcome
        result = self.pipeline.run_decoded(decoded, case.reference_year)
        outcome.result = result
        for claim in result.claims:
            if claim.rule:
                outcome.fired[claim.rule] += 1
        if case.claims is not None or case.not_claims:
            outcome.sections["claims"] = self._claims_section(case, result, raw, outcome)
        self._exclusions(case, result, raw, outcome)
        if case.findings is not None or not case.sections:
            findings = run_checks(result, rules=self.rules, config=self.config)
            if case.findings is not None:
                outcome.sections["findings"] = self._findings_section(case, result, findings, outcome)
        if not case.sections:
            outcome.sections["expected"] = Section(False, "no claims or findings written yet; "
                                                          "`factcheck test --update` writes them")
        return outcome

    def _rule_of(self, metric: Optional[str]) -> Optional[str]:
        if not metric:
            return None
        return self.metric_rules.get(metric, f"?/{metric}")

    def _claims_section(self, case: FixtureCase, result: DocumentResult, raw: str, outcome: Outcome) -> Section:
        problems: list[str] = []
        if case.claims is not None:
            comparison = compare(case.claims, result.claims)
            outcome.comparison = comparison
            counts = outcome.counts
            for exp, claim in comparison.matched:
                if exp.get("metric"):
                    counts[(claim.rule, "tp")] += 1
            for exp, claim, _ in comparison.wrong:
                if "metric" in exp:
                    if exp["metric"]:
                        counts[(self._rule_of(exp["metric"]), "fn")] += 1
                    if claim.rule:
                        counts[(claim.rule, "fp")] += 1
            for exp in comparison.missing:
                if exp.get("metric"):
                    counts[(self._rule_of(exp["metric"]), "fn")] += 1
            for claim in comparison.extra:
                if claim.rule:
                    counts[(claim.rule, "fp")] += 1
            if not comparison.ok:
                problems.append(self._claims_diff(case, comparison, result.claims))
        for entry in case.not_claims:
            text = entry["text"]
            start = raw.find(text)
            while start >= 0:
                inside = [c for c in result.claims if start <= c.start and c.end <= start + len(text)]
                for claim in inside:
                    problems.append(f"  claim {claim.text!r} at {claim.start} lies inside the not-claim {text!r}")
                start = raw.find(text, start + 1)
        if not problems:
            return Section(True)
        return Section(False, "claims differ\n" + "\n".join(problems))

    def _claims_diff(self, case: FixtureCase, comparison, claims: list[Claim]) -> str:
        by_span = {(c.start, c.end): c for c in claims}

        def fields(exp: Optional[dict]) -> list[str]:
            """What a line shows: the fields the expected entry states (metric, low and
            high only where it gives them), everything for an unexpected claim."""
            names = ["value", "unit", "qualifier", "role"]
            if exp is None or "metric" in exp:
                names.append("metric")
            if exp is not None and ("low" in exp or "high" in exp):
                names += ["low", "high"]
            return names

        def render_expected(exp: dict) -> tuple[int, str]:
            parts = [f"{exp['start']:>6}", json.dumps(exp["text"], ensure_ascii=False)]
            for name in fields(exp):
                value = exp.get(name)
                parts.append(f"{name}={_fmt_number(value) if name in ('value', 'low', 'high') else value}")
            return exp["start"], " ".join(parts)

        def render_actual(claim: Claim, exp: Optional[dict]) -> tuple[int, str]:
            names = fields(exp)
            if exp is None and claim.qualifier == "range":
                names = names + ["low", "high"]
            return claim.start, f"{claim.start:>6} " + _claim_line(claim, names)

        expected_by_span = {(e["start"], e["start"] + len(e["text"])): e for e in case.claims or []}
        left = sorted(render_expected(e) for e in case.claims or [])
        right = sorted(render_actual(c, expected_by_span.get((c.start, c.end))) for c in by_span.values())
        diff = difflib.unified_diff([line for _, line in left], [line for _, line in right],
                                    "expected", "actual", n=1, lineterm="")
        n_expected = len(case.claims or [])
        summary = (f"  {len(comparison.missing)} missing, {len(comparison.extra)} unexpected, "
                   f"{len(comparison.wrong)} with other fields (of {n_expected} expected, {len(claims)} found)")
        return summary + "\n" + "\n".join("  " + line for line in diff)

    def _exclusions(self, case: FixtureCase, result: DocumentResult, raw: str, outcome: Outcome) -> None:
        text = result.text or ""
        hits = {rule: [m.span() for m in pattern.finditer(text)] for rule, pattern in self.patterns.items()}
        if not any(hits.values()):
            return
        from .normalize import normalize

        doc = normalize(raw)
        expected = [(e["start"], e["start"] + len(e["text"])) for e in case.claims or []]
        for rule, spans in hits.items():
            for s, e in spans:
                outcome.fired[rule] += 1
                if case.claims is None or e <= s:
                    continue
                rs, re_ = doc.raw_span(s, e)
                hides = any(a < re_ and rs < b for a, b in expected)
                outcome.counts[(rule, "fp" if hides else "tp")] += 1

    def _findings_section(self, case: FixtureCase, result: DocumentResult, findings: list[Finding],
                          outcome: Outcome) -> Section:
        texts = {c.id: c.text for c in result.claims}

        def key(check: str, severity: str, claims: list[str]) -> tuple:
            return check, severity, tuple(sorted(claims))

        def line(check: str, severity: str, claims: list[str]) -> str:
            return f"{check} {severity} " + json.dumps(claims, ensure_ascii=False)

        wanted = []
        for entry in case.findings or []:
            claims = [texts.get(c, c) if regex.fullmatch(r"c\d+", c) else c for c in entry.get("claims", [])]
            wanted.append((entry["check"], entry.get("severity", "error"), claims))
        got = [(f.check, f.severity, [texts.get(c, c) for c in f.claims], f) for f in findings]
        remaining = Counter(key(*w) for w in wanted)
        extra = []
        for check, severity, claims, finding in got:
            k = key(check, severity, claims)
            if remaining[k] > 0:
                remaining[k] -= 1
                outcome.check_counts[(check, "tp")] += 1
            else:
                extra.append(finding)
                outcome.check_counts[(check, "fp")] += 1
        for (check, _, _), n in remaining.items():
            if n > 0:
                outcome.check_counts[(check, "fn")] += n
        if not extra and not any(n > 0 for n in remaining.values()):
            return Section(True)
        diff = difflib.unified_diff([line(*w) for w in wanted], [line(*g[:3]) for g in got],
                                    "expected", "actual", n=1, lineterm="")
        lines = ["findings differ"] + ["  " + d for d in diff]
        for finding in extra:
            lines.append(f"  unexpected {finding.check} {finding.severity}: {finding.message}")
        return Section(False, "\n".join(lines))


# ---- snapshots ----------------------------------------------------------------------------

def _render_claim(claim: Claim, indent: str) -> list[str]:
    rows = [("start", str(claim.start)), ("text", json.dumps(claim.text, ensure_ascii=False)),
            ("value", _fmt_number(claim.value)), ("unit", claim.unit if claim.unit is not None else "null"),
            ("qualifier", claim.qualifier), ("role", claim.role)]
    if claim.metric:
        rows.append(("metric", claim.metric))
    if claim.qualifier == "range":
        rows += [("low", _fmt_number(claim.low)), ("high", _fmt_number(claim.high))]
    return [f"{indent}{'- ' if i == 0 else '  '}{k}: {_yaml_scalar(k, v)}" for i, (k, v) in enumerate(rows)]


def _yaml_scalar(key: str, value: str) -> str:
    if key == "unit" and value != "null":
        return json.dumps(value) if (":" in value or "*" in value or value in ("yes", "no", "on", "off", "true",
                                                                               "false", "null")) else value
    return value


def _render_finding(check: str, severity: str, claims: list[str], indent: str) -> list[str]:
    return [f"{indent}- check: {check}", f"{indent}  severity: {severity}",
            f"{indent}  claims: " + json.dumps(claims, ensure_ascii=False)]


def _content_end(lines: list[str], start: int, stop: int) -> int:
    """One past the last line in [start, stop) that is neither blank nor a comment."""
    end = stop
    while end > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _key_line(lines: list[str], block, name: str, non_empty: bool) -> str:
    """The section's key line: the original one (with its comment) when it opened a block
    list and the new list is not empty either."""
    if block is not None and block[2] and non_empty:
        return lines[block[0]]
    return f"{name}:" if non_empty else f"{name}: []"


def update_text(text: str, case: FixtureCase, outcome: Outcome) -> str:
    """The expected file rewritten from the run's output. Entries that still match are kept
    verbatim, with their comments; an entry whose fields changed is written anew, keeping the
    full-line comments above it; entries that are gone go with their comments; the header and
    everything outside `claims:` and `findings:` stay as they are."""
    result = outcome.result
    assert result is not None
    lines = text.splitlines()
    node = _compose(text)[0] if text.strip() else None
    sections = case.sections or list(SECTIONS)
    blocks: dict[str, tuple[int, int, list[tuple[int, int, int]], str]] = {}
    if isinstance(node, yaml.MappingNode):
        top = node.value
        for n, (key, value) in enumerate(top):
            if key.value not in sections:
                continue
            first = key.start_mark.line
            stop = top[n + 1][0].start_mark.line if n + 1 < len(top) else len(lines)
            end = _content_end(lines, first + 1, stop) if isinstance(value, yaml.SequenceNode) and value.value \
                else first + 1
            items = []   # (comment start, item start, item end) line indexes
            indent = "  "
            if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
                prev_end = first + 1
                for i, item in enumerate(value.value):
                    start = item.start_mark.line
                    nxt = value.value[i + 1].start_mark.line if i + 1 < len(value.value) else end
                    item_end = _content_end(lines, start + 1, nxt) if i + 1 < len(value.value) else end
                    items.append((prev_end, start, max(item_end, start + 1)))
                    prev_end = max(item_end, start + 1)
                dash = lines[value.value[0].start_mark.line]
                indent = dash[:len(dash) - len(dash.lstrip())]
            elif isinstance(value, yaml.SequenceNode) and value.value:
                end = value.end_mark.line + 1
            blocks[key.value] = (first, end, items, indent)

    def old_items(section: str) -> list[tuple[list[str], list[str]]]:
        if section not in blocks:
            return []
        return [(lines[c:s], lines[s:e]) for c, s, e in blocks[section][2]]

    new_blocks: dict[str, list[str]] = {}
    if "claims" in sections:
        indent = blocks.get("claims", (0, 0, [], "  "))[3]
        olds = old_items("claims")
        keep: dict[tuple[int, int], list[str]] = {}
        comments: dict[tuple[int, int], list[str]] = {}
        entries = case.claims or []
        if len(olds) == len(entries):
            comparison = outcome.comparison
            matched_ids = {id(e) for e, _ in comparison.matched} if comparison is not None else set()
            for entry, (comment, body) in zip(entries, olds):
                span = (entry["start"], entry["start"] + len(entry["text"]))
                comments[span] = comment
                if id(entry) in matched_ids:
                    keep[span] = body
        out = [_key_line(lines, blocks.get("claims"), "claims", bool(result.claims))]
        for claim in result.claims:
            span = (claim.start, claim.end)
            out += comments.get(span, [])
            out += keep.get(span) or _render_claim(claim, indent)
        new_blocks["claims"] = out
    if "findings" in sections:
        indent = blocks.get("findings", (0, 0, [], "  "))[3]
        findings = result.findings
        texts = {c.id: c.text for c in result.claims}
        olds = old_items("findings")
        entries = case.findings or []
        # (key, claim texts, comment lines, body lines) of every old entry, not yet used
        unused: list[tuple[tuple, set, list[str], list[str]]] = []
        if len(olds) == len(entries):
            for entry, (comment, body) in zip(entries, olds):
                claims = [texts.get(c, c) if regex.fullmatch(r"c\d+", c) else c for c in entry.get("claims", [])]
                unused.append(((entry["check"], entry.get("severity", "error"), tuple(sorted(claims))),
                               set(claims), comment, body))
        new_items: list[Optional[list[str]]] = []
        pending: list[tuple[int, Finding, list[str]]] = []
        for finding in findings:
            claims = [texts.get(c, c) for c in finding.claims]
            key = (finding.check, finding.severity, tuple(sorted(claims)))
            hit = next((old for old in unused if old[0] == key), None)
            if hit is not None:
                unused.remove(hit)
                new_items.append(hit[2] + hit[3])
            else:
                pending.append((len(new_items), finding, claims))
                new_items.append(None)
        for slot, finding, claims in pending:
            # a finding that changed keeps the comments of the old entry of its check that
            # shares the most claims with it
            best = max((old for old in unused if old[0][0] == finding.check and old[1] & set(claims)),
                       key=lambda old: len(old[1] & set(claims)), default=None)
            comment = []
            if best is not None:
                unused.remove(best)
                comment = best[2]
            new_items[slot] = comment + _render_finding(finding.check, finding.severity, claims, indent)
        out = [_key_line(lines, blocks.get("findings"), "findings", bool(findings))]
        for item in new_items:
            out += item or []
        new_blocks["findings"] = out

    # splice: replace existing blocks in place, append new ones at the end
    result_lines: list[str] = []
    spans = sorted((b[0], b[1], name) for name, b in blocks.items())
    cursor = 0
    for first, end, name in spans:
        result_lines += lines[cursor:first] + new_blocks[name]
        cursor = end
    result_lines += lines[cursor:]
    for name in sections:
        if name not in blocks:
            if not lines:
                result_lines.append(f"document: {case.document.name}")
            result_lines += new_blocks[name]
    return "\n".join(result_lines) + "\n"


# ---- the whole run --------------------------------------------------------------------------

@dataclass
class Report:
    rule_files: list[str]
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)           # invalid rules or fixtures
    rules: list[tuple[str, str]] = field(default_factory=list)  # (rule id, metric|exclusion)
    without_examples: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    seconds: float = 0.0
    fixtures_run: int = 0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and o.error is None]

    @property
    def exit_code(self) -> int:
        if self.errors or any(o.error for o in self.outcomes):
            return 2
        return 1 if self.failed else 0

    def counts(self) -> dict[str, dict[str, int]]:
        table = {rule: {"tp": 0, "fp": 0, "fn": 0, "fired": 0, "examples": 0, "counterexamples": 0}
                 for rule, _ in self.rules}
        for outcome in self.outcomes:
            for (rule, what), n in outcome.counts.items():
                if rule is not None:
                    table.setdefault(rule, {"tp": 0, "fp": 0, "fn": 0, "fired": 0, "examples": 0,
                                            "counterexamples": 0})[what] += n
            if outcome.kind == "fixture":
                for rule, n in outcome.fired.items():
                    if rule in table:
                        table[rule]["fired"] += n
            elif outcome.rule in table:
                table[outcome.rule][outcome.kind + "s"] += 1
        return table

    def check_counts(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for outcome in self.outcomes:
            for (check, what), n in outcome.check_counts.items():
                table.setdefault(check, {"tp": 0, "fp": 0, "fn": 0})[what] += n
        return table

    def never_fired(self) -> list[str]:
        if not self.fixtures_run:
            return []
        return [rule for rule, row in self.counts().items() if row["fired"] == 0 and
                any(rule == r for r, _ in self.rules)]

    def summary(self) -> dict:
        kinds = Counter(o.kind for o in self.outcomes)
        return {"cases": len(self.outcomes), "passed": sum(o.ok for o in self.outcomes),
                "failed": len(self.failed), "invalid": sum(o.error is not None for o in self.outcomes),
                "examples": kinds["example"], "counterexamples": kinds["counterexample"],
                "fixtures": kinds["fixture"], "seconds": round(self.seconds, 3)}

    def to_json(self) -> dict:
        kinds = dict(self.rules)
        return {"version": 1, "rule_files": self.rule_files, "summary": self.summary(),
                "errors": self.errors,
                "cases": [o.to_json() for o in self.outcomes],
                "rules": [{"rule": rule, "kind": kinds.get(rule, "unknown"), **row}
                          for rule, row in self.counts().items()],
                "checks": [{"check": check, **row} for check, row in self.check_counts().items()],
                "never_fired": self.never_fired(), "without_examples": self.without_examples,
                "updated": self.updated}

    def format_text(self, verbose: bool = False) -> str:
        out: list[str] = []
        for error in self.errors:
            out.append(f"INVALID {error}")
        for outcome in self.outcomes:
            if outcome.error:
                out.append(f"INVALID {outcome.error}")
            elif not outcome.ok:
                out.append(f"FAIL {outcome.id}" + (f"  ({outcome.source})" if outcome.source != outcome.id else ""))
                out += ["  " + line for line in outcome.message.splitlines()]
            elif verbose:
                out.append(f"ok   {outcome.id}")
        counts = self.counts()
        if counts:
            width = max(len(r) for r in counts) + 2
            out.append("")
            out.append(f"{'rule':<{width}}{'tp':>5}{'fp':>5}{'fn':>5}{'fired':>7}{'ex':>5}{'cex':>5}")
            for rule, row in counts.items():
                out.append(f"{rule:<{width}}{row['tp']:>5}{row['fp']:>5}{row['fn']:>5}{row['fired']:>7}"
                           f"{row['examples']:>5}{row['counterexamples']:>5}")
        checks = self.check_counts()
        if checks:
            width = max(len(c) for c in checks) + 2
            out.append("")
            out.append(f"{'check':<{width}}{'tp':>5}{'fp':>5}{'fn':>5}")
            for check, row in checks.items():
                out.append(f"{check:<{width}}{row['tp']:>5}{row['fp']:>5}{row['fn']:>5}")
        never = self.never_fired()
        if never:
            out.append("")
            out.append(f"never fired on any fixture ({len(never)}): " + ", ".join(never))
        if self.without_examples:
            out.append(f"no example ({len(self.without_examples)}): " + ", ".join(self.without_examples))
        for path in self.updated:
            out.append(f"updated {path}")
        s = self.summary()
        out.append("")
        out.append(f"{s['cases']} cases ({s['examples']} examples, {s['counterexamples']} counterexamples, "
                   f"{s['fixtures']} fixtures): {s['passed']} passed, {s['failed']} failed"
                   + (f", {s['invalid'] + len(self.errors)} invalid" if s["invalid"] or self.errors else "")
                   + f" in {self.seconds:.2f} s")
        return "\n".join(out) + "\n"


_RUNNERS: dict[tuple, tuple[Runner, dict]] = {}


def _runner_for(sources: list[str], files: list[Path]) -> tuple[Runner, dict]:
    """A compiled rule set, reused while its files are unchanged (tests and the pytest
    plugin run many cases against the same rules)."""
    key = tuple(sources) + tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    if key not in _RUNNERS:
        runner = Runner(load_rules(sources, include_shipped=False))
        if len(_RUNNERS) >= 4:
            _RUNNERS.pop(next(iter(_RUNNERS)))
        _RUNNERS[key] = (runner, {})
    return _RUNNERS[key]


def run(paths: Iterable[str] = (), rules: Iterable[str] = (), include_shipped: Optional[bool] = None,
        update: bool = False) -> Report:
    """Run the examples of a rule set and fixture cases against it.

    paths: rule files, fixture files (NAME.expected.yaml) or folders of either; none means
    the shipped rules/ and fixtures/. rules: the rule set to test (replaces the shipped
    rules unless include_shipped). update: rewrite failing fixtures from the output."""
    started = time.perf_counter()
    paths, rules = list(paths), list(rules)
    rule_paths, fixture_paths = split_paths(paths)
    rule_paths = rules + rule_paths
    if include_shipped is None:
        include_shipped = not rule_paths
    if not paths:
        shipped = shipped_fixtures_dir()
        fixture_paths = [str(shipped)] if shipped else []
    sources = ([str(shipped_rules_dir())] if include_shipped else []) + rule_paths
    files = rule_files(sources)
    runner, parsed = _runner_for(sources, files)
    rule_set = runner.rules
    report = Report(rule_files=[str(f) for f in files])
    report.rules = ([(f"{m.ruleset}/{m.id}", "metric") for m in rule_set.metrics] +
                    [(f"{e.ruleset}/{e.id}", "exclusion") for e in rule_set.exclusions])
    report.without_examples = [message.split(" ")[1] for _, message in rules_without_examples(files, parsed)]
    for case in rule_cases(files, parsed):
        report.outcomes.append(runner.run_example(case))
    for path in fixture_files(fixture_paths):
        try:
            case = load_fixture(path)
        except FixtureError as exc:
            report.errors.append(str(exc))
            continue
        outcome = runner.run_fixture(case, strict=not update)
        report.fixtures_run += 1
        if update and outcome.error is None and not outcome.ok:
            text = path.read_text(encoding="utf-8")
            new = update_text(text, case, outcome)
            if new != text:
                write_text(str(path), new)   # atomically: an interrupted --update keeps the old file
                report.updated.append(display_path(path))
            try:
                outcome = runner.run_fixture(load_fixture(path))
            except FixtureError as exc:  # pragma: no cover - a bug in update_text
                report.errors.append(f"{exc} (after --update)")
                continue
        report.outcomes.append(outcome)
    report.seconds = time.perf_counter() - started
    return report
