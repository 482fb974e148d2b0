#!/usr/bin/env python
"""factcheck against outside evidence: the Chinese specs of Microsoft Recognizers-Text.

Run by hand: `python bench/peer_specs.py [--failures OUT.yaml] [--all]`; with
`--peer PYTHON` (an interpreter with recognizers-text-suite, e.g. /tmp/rtv/bin/python) the
peer's own rates on the same cases are printed beside ours, and `--time` adds how long
both take on the same text (bench/README.md, "Recognizers-Text specs").

Each spec case gives an `Input` and the `Results` a recognizer should find (`Text`,
`Resolution.value`, `Resolution.unit`, `Start`, `End` with End inclusive). The harness
runs the input through factcheck, keeps the claims of the model's kind (below), and
matches them one to one with the results: a result is found by a claim whose span
overlaps it, whose unit is the result's unit (pint converts where the units differ,
e.g. 1.68 m for 168 cm) and whose value is the result's value. A case passes when every
result is found and no claim of the model's kind is left over.

Cases whose `NotSupported`/`NotSupportedByDesign` names python are left out (the peer's
own Python port skips them); `--all` counts them too, in a second pair of columns.

`bench/peer_specs_differences.yaml` lists where factcheck differs from a spec on purpose
or where a spec is plainly wrong. Each entry rewrites the expectation of the cases it
names (a unit, a dropped result, a replacement list) and the case is then checked
against the rewritten expectation, so a listed difference never hides a failure. The
table gives the rate against the spec as written (`raw`) and with the differences
applied (`adj`).

Models and the claims they keep:

| spec file | factcheck mode | claims kept |
|---|---|---|
| CurrencyModel | default | dimension `currency` |
| PercentModel | default | dimension `percent` or `percentage_point` |
| DimensionModel | default | physical dimensions: anything but currency, percent, points, counts, ranks, bare numbers, ages, temperatures |
| AgeModel | default | dimension `age` |
| TemperatureModel | default | dimension `temperature` |
| NumberModel | `all_numbers=True` | every claim (the value is the number; the unit is not compared) |
| NumberRangeModel(ExperimentalMode) | `all_numbers=True` | claims whose qualifier states an interval (range, more_than, at_least, less_than, at_most); compared by their `low`/`high` against the spec's bounds, open/closed brackets ignored |
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPECS = REPO.parent / "shared" / "peer-suites" / "recognizers-text" / "Specs"
SPECS = Path(os.environ.get("FACTCHECK_PEER_SPECS", DEFAULT_SPECS))
DIFFERENCES = Path(__file__).resolve().parent / "peer_specs_differences.yaml"

PLATFORM = "python"
REL_TOL = 1e-9          # the specs print 15 significant digits (350.333333333333)
ABS_TOL = 1e-9

# --- which claims each model keeps --------------------------------------------------

NON_PHYSICAL = {"currency", "percent", "percentage_point", "count", "rank", "number",
                "age", "temperature"}
RANGE_QUALIFIERS = {"range", "more_than", "at_least", "less_than", "at_most"}


def _dimension_in(*dims: str) -> Callable[[Any], bool]:
    wanted = set(dims)
    return lambda c: c.dimension in wanted


@dataclass(frozen=True)
class Model:
    name: str
    path: str                       # relative to SPECS
    all_numbers: bool
    keep: Callable[[Any], bool]     # claim -> is it of the model's kind
    compare: str                    # "unit" | "number" | "range"


MODELS = [
    Model("CurrencyModel", "NumberWithUnit/Chinese/CurrencyModel.json", False,
          _dimension_in("currency"), "unit"),
    Model("PercentModel", "Number/Chinese/PercentModel.json", False,
          _dimension_in("percent", "percentage_point"), "unit"),
    Model("DimensionModel", "NumberWithUnit/Chinese/DimensionModel.json", False,
          lambda c: c.dimension not in NON_PHYSICAL, "unit"),
    Model("AgeModel", "NumberWithUnit/Chinese/AgeModel.json", False,
          _dimension_in("age"), "unit"),
    Model("TemperatureModel", "NumberWithUnit/Chinese/TemperatureModel.json", False,
          _dimension_in("temperature"), "unit"),
    Model("NumberModel", "Number/Chinese/NumberModel.json", True,
          lambda c: True, "number"),
    Model("NumberRangeModel", "Number/Chinese/NumberRangeModel.json", True,
          lambda c: c.qualifier in RANGE_QUALIFIERS, "range"),
    Model("NumberRangeModelExperimentalMode",
          "Number/Chinese/NumberRangeModelExperimentalMode.json", True,
          lambda c: c.qualifier in RANGE_QUALIFIERS, "range"),
]
MODELS_BY_NAME = {m.name: m for m in MODELS}

# --- the spec's unit names -> units of factcheck's pint registry ---------------------
# A tuple lists the units that satisfy the spec's name; a claim in another unit of the
# same dimension is converted with factcheck.lexicon.convert. Names the registry does
# not define yet (centimeter, CHF, ...) are the names we expect it to use: a claim can
# only match them once the registry and unit table know them.

ANY_TEMPERATURE = "<any temperature unit, value as stated>"

SPEC_UNITS: dict[str, tuple[str, ...]] = {
    # currency (Resolution.unit; isoCurrency agrees)
    "Chinese yuan": ("CNY",),
    "United States dollar": ("USD",),
    "Euro": ("EUR",),
    "Swiss franc": ("CHF",),
    "Hong Kong dollar": ("HKD",),
    "New Taiwan dollar": ("TWD",),
    "Japanese yen": ("JPY",),
    "Nigerian naira": ("NGN",),
    "Bitcoin": ("BTC",),
    # `$20`: a dollar of no stated country
    "Dollar": ("USD", "HKD", "TWD", "SGD", "AUD", "CAD", "NZD"),
    # dimension
    "Mu": ("mu",),
    "Kilogram": ("kg",),
    "Gram": ("gram",),
    "Microgram": ("microgram",),
    "Ton": ("tonne",),               # 吨 is the metric ton
    "Jin": ("jin",),
    "Liang": ("liang",),
    "Meter": ("m",),
    "Centimeter": ("centimeter",),
    "Kilometer": ("km",),
    "Bit": ("bit",),
    "Kilobit": ("kilobit",),
    "Kilobyte": ("kilobyte",),
    "Megabyte": ("megabyte",),
    "Hertz": ("hertz",),
    "Megahertz": ("megahertz",),
    "Kilowatt": ("kW",),
    "Kilocalorie": ("kilocalorie",),
    # age
    "Year": ("year_of_age",),
    "Month": ("month_of_age",),
    "Week": ("week_of_age",),
    "Day": ("day_of_age",),
    # temperature: `度` alone states no scale; the spec's "Degree" takes any scale
    "C": ("degC",),
    "F": ("degF",),
    "Degree": (ANY_TEMPERATURE,),
}


# --- spec cases --------------------------------------------------------------------

@dataclass
class Expected:
    text: str
    start: int                      # inclusive
    end: int                        # exclusive (the spec's End + 1)
    value: Optional[float]          # None: no value stated (a bare unit name)
    unit: Optional[str]             # the spec's unit name (NumberWithUnit), percent, or None
    low: Optional[float] = None     # ranges
    high: Optional[float] = None
    ignore_value: bool = False
    accept_units: Optional[tuple[str, ...]] = None   # set by a difference entry
    ignore_high: bool = False                        # set by a difference entry (ranges)

    def to_json(self) -> dict:
        data = {"text": self.text, "start": self.start, "end": self.end - 1,
                "value": self.value}
        if self.unit is not None:
            data["unit"] = self.unit
        if self.accept_units:
            data["accept_units"] = list(self.accept_units)
        if self.low is not None or self.high is not None:
            data["low"], data["high"] = self.low, self.high
        if self.ignore_high:
            data["ignore_high"] = True
        return data


@dataclass
class Case:
    model: Model
    index: int                      # position in the spec file
    input: str
    expected: list[Expected]
    not_supported: list[str]
    comment: Optional[str] = None
    differences: list[str] = field(default_factory=list)   # ids of entries applied
    spec_expected: Optional[list[Expected]] = None          # before the differences

    @property
    def python_supported(self) -> bool:
        return PLATFORM not in self.not_supported


def _platforms(value: Optional[str]) -> list[str]:
    if not value:
        return []
    return [p.strip().lower() for p in value.split(",") if p.strip()]


def _parse_number(text: str) -> float:
    return float(text.strip().rstrip("%"))


_RANGE = re.compile(r"^\s*([\[(])\s*([^,]*?)\s*,\s*([^,]*?)\s*([\])])\s*$")


def _parse_range(text: str) -> tuple[Optional[float], Optional[float]]:
    m = _RANGE.match(text)
    if not m:
        raise ValueError(f"not a range: {text!r}")
    low = float(m.group(2)) if m.group(2) else None
    high = float(m.group(3)) if m.group(3) else None
    return low, high


def _expected(model: Model, result: dict, ignore_value: bool) -> Expected:
    res = result.get("Resolution") or {}
    raw_value = res.get("value")
    unit = res.get("unit")
    low = high = None
    value: Optional[float]
    if raw_value is None:
        value = None
    elif model.compare == "range":
        low, high = _parse_range(raw_value)
        value = low if low is not None else high
    else:
        value = _parse_number(raw_value)
        if model.name == "PercentModel":
            unit = "percent"
    return Expected(text=result["Text"], start=result["Start"], end=result["End"] + 1,
                    value=value, unit=unit, low=low, high=high, ignore_value=ignore_value)


def load_cases(model: Model, specs: Path = SPECS) -> list[Case]:
    with open(specs / model.path, encoding="utf-8-sig") as fh:
        data = json.load(fh)
    cases = []
    for index, raw in enumerate(data):
        ignore = bool(raw.get("IgnoreResolution"))
        expected = [_expected(model, r, ignore) for r in raw.get("Results", [])]
        not_supported = _platforms(raw.get("NotSupported")) + _platforms(raw.get("NotSupportedByDesign"))
        cases.append(Case(model, index, raw["Input"], expected, not_supported, raw.get("Comment")))
    return cases


# --- differences -------------------------------------------------------------------

@dataclass
class Difference:
    """One reason, and the cases it rewrites: either a rule over the results of the
    models' cases (`result_text`/`null_value` with one action), or a list of cases
    (exact `input`, replacement `results`)."""
    id: str
    kind: str                       # design | spec_wrong
    reason: str
    models: tuple[str, ...]
    result_text: Optional["re.Pattern[str]"] = None   # rule: results whose Text matches
    null_value: bool = False        # rule: results with no value
    unit: Optional[str] = None      # action: the result is met by a claim in this unit
    drop: bool = False              # action: no claim is expected for the result
    ignore_high: bool = False       # action: the upper bound of a range is not compared
    cases: Optional[dict[str, list[dict]]] = None     # input -> replacement results

    def selects_result(self, exp: Expected) -> bool:
        if self.result_text is not None and not self.result_text.search(exp.text):
            return False
        if self.null_value and exp.value is not None:
            return False
        return True


_DIFF_KEYS = {"id", "kind", "reason", "models", "result_text", "null_value", "unit", "drop",
              "ignore_high", "cases"}


def load_differences(path: Path = DIFFERENCES) -> list[Difference]:
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out, seen = [], set()
    for entry in data.get("differences", []):
        where = f"{path.name}: {entry.get('id')}"
        unknown = set(entry) - _DIFF_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        missing = {"id", "kind", "reason", "models"} - set(entry)
        if missing:
            raise ValueError(f"{where}: missing {sorted(missing)}")
        if entry["id"] in seen:
            raise ValueError(f"{where}: id used twice")
        seen.add(entry["id"])
        if entry["kind"] not in ("design", "spec_wrong"):
            raise ValueError(f"{where}: kind must be design or spec_wrong")
        for name in entry["models"]:
            if name not in MODELS_BY_NAME:
                raise ValueError(f"{where}: unknown model {name}")
        cases = None
        if "cases" in entry:
            if {"result_text", "null_value", "unit", "drop", "ignore_high"} & set(entry):
                raise ValueError(f"{where}: give either cases or a rule, not both")
            cases = {}
            for c in entry["cases"]:
                if set(c) != {"input", "results"}:
                    raise ValueError(f"{where}: a case has exactly input and results")
                cases[c["input"]] = c["results"]
        else:
            actions = ((entry.get("unit") is not None) + bool(entry.get("drop"))
                       + bool(entry.get("ignore_high")))
            if actions != 1:
                raise ValueError(f"{where}: a rule has exactly one of unit, drop, ignore_high")
            if not (entry.get("result_text") or entry.get("null_value")):
                raise ValueError(f"{where}: a rule selects results by result_text or null_value")
        out.append(Difference(
            id=entry["id"], kind=entry["kind"], reason=entry["reason"].strip(),
            models=tuple(entry["models"]),
            result_text=re.compile(entry["result_text"]) if entry.get("result_text") else None,
            null_value=bool(entry.get("null_value")), unit=entry.get("unit"),
            drop=bool(entry.get("drop")), ignore_high=bool(entry.get("ignore_high")),
            cases=cases))
    return out


def apply_differences(case: Case, differences: Iterable[Difference]) -> None:
    """Rewrite case.expected in place; the spec's own list is kept in case.spec_expected."""
    case.spec_expected = list(case.expected)
    for diff in differences:
        if case.model.name not in diff.models:
            continue
        if diff.cases is not None:
            if case.input in diff.cases:
                case.expected = [_expected(case.model, r, False) for r in diff.cases[case.input]]
                case.differences.append(diff.id)
            continue
        rewritten, touched = [], False
        for exp in case.expected:
            if not diff.selects_result(exp):
                rewritten.append(exp)
                continue
            touched = True
            if diff.drop:
                continue
            rewritten.append(Expected(
                exp.text, exp.start, exp.end, exp.value, exp.unit, exp.low, exp.high,
                exp.ignore_value, (diff.unit,) if diff.unit else exp.accept_units,
                exp.ignore_high or diff.ignore_high))
        if touched:
            case.expected = rewritten
            case.differences.append(diff.id)


def unused_differences(differences: Iterable[Difference], cases: Iterable[Case]) -> list[str]:
    """Entries (or listed inputs) that select no case: a stale list is an error."""
    cases = list(cases)
    stale = []
    for diff in differences:
        mine = [c for c in cases if c.model.name in diff.models]
        if diff.cases is not None:
            inputs = {c.input for c in mine}
            stale += [f"{diff.id}: {i!r}" for i in diff.cases if i not in inputs]
        elif not any(diff.id in c.differences for c in mine):
            stale.append(diff.id)
    return stale


# --- comparison --------------------------------------------------------------------

def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _value_in(claim, target: str) -> Optional[float]:
    """The claim's value in `target`, or None when the units do not convert."""
    if claim.value is None or claim.unit is None:
        return None
    if claim.unit == target:
        return claim.value
    from factcheck.lexicon import convert

    try:
        return convert(claim.value, claim.unit, target)
    except Exception:       # pint: undefined unit, dimensionality mismatch
        return None


def _targets(model: Model, exp: Expected) -> tuple[str, ...]:
    if exp.accept_units:
        return exp.accept_units
    if model.name == "PercentModel":
        return ("percent",)
    if exp.unit is None:
        return ()
    return SPEC_UNITS.get(exp.unit, (f"<unmapped spec unit {exp.unit!r}>",))


def matches(model: Model, exp: Expected, claim) -> bool:
    """Does this claim find this expected result? (span overlap, unit, value)"""
    if not (claim.start < exp.end and exp.start < claim.end):
        return False
    if model.compare == "range":
        if exp.ignore_value:
            return True
        bounds = [(exp.low, claim.low)] + ([] if exp.ignore_high else [(exp.high, claim.high)])
        for bound, ours in bounds:
            if (bound is None) != (ours is None):
                return False
            if bound is not None and not _close(bound, ours):
                return False
        return True
    if model.compare == "number":
        if exp.ignore_value:
            return True
        if claim.value is None or exp.value is None:
            return False
        if _close(claim.value, exp.value):
            return True
        if claim.dimension == "count" and claim.unit:
            # a unit that counts several (十打 is 120): the number of things counted
            from factcheck.lexicon import base_value

            counted = base_value(claim.value, claim.unit)
            if counted is not None and _close(counted, exp.value):
                return True
        # the number model has no units: p% is the number p/100 (五分之一 = 0.2) while
        # 百分之55 reads as 55; a percent claim may be either
        return claim.unit == "percent" and _close(claim.value / 100.0, exp.value)
    # unit models
    targets = _targets(model, exp)
    if exp.value is None:
        # a bare unit name: any claim in the unit
        return any(claim.unit == t for t in targets)
    for target in targets:
        if target == ANY_TEMPERATURE:
            if claim.dimension == "temperature" and claim.value is not None and (
                    exp.ignore_value or _close(claim.value, exp.value)):
                return True
            continue
        value = _value_in(claim, target)
        if value is not None and (exp.ignore_value or _close(value, exp.value)):
            return True
    return False


def match_one_to_one(model: Model, expected: list[Expected], claims: list) -> dict[int, int]:
    """Maximum bipartite matching: expected index -> claim index."""
    edges = [[j for j, c in enumerate(claims) if matches(model, e, c)] for e in expected]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


@dataclass
class Outcome:
    case: Case
    passed: bool
    raw_passed: bool                # against the spec as written
    kept: list                      # claims of the model's kind
    all_claims: list
    missing: list[Expected]
    extra: list


def judge(case: Case, claims: list) -> Outcome:
    kept = [c for c in claims if case.model.keep(c)]
    pairs = match_one_to_one(case.model, case.expected, kept)
    used = set(pairs.values())
    missing = [e for i, e in enumerate(case.expected) if i not in pairs]
    extra = [c for j, c in enumerate(kept) if j not in used]
    passed = not missing and not extra
    if case.spec_expected is not None and case.differences:
        raw_pairs = match_one_to_one(case.model, case.spec_expected, kept)
        raw_passed = len(raw_pairs) == len(case.spec_expected) == len(kept)
    else:
        raw_passed = passed
    return Outcome(case, passed, raw_passed, kept, claims, missing, extra)


# --- running -----------------------------------------------------------------------

def _claim_json(c) -> dict:
    return {"text": c.text, "start": c.start, "end": c.end, "value": c.value, "unit": c.unit,
            "dimension": c.dimension, "qualifier": c.qualifier, "low": c.low, "high": c.high,
            "role": c.role}


def evaluate(models: Iterable[Model] = MODELS, include_unsupported: bool = True,
             specs: Path = SPECS, differences: Optional[list[Difference]] = None) -> list[Outcome]:
    from factcheck.pipeline import Pipeline

    diffs = load_differences() if differences is None else differences
    pipelines: dict[bool, Any] = {}
    outcomes = []
    for model in models:
        if model.all_numbers not in pipelines:
            pipelines[model.all_numbers] = Pipeline(all_numbers=model.all_numbers)
        pipeline = pipelines[model.all_numbers]
        for case in load_cases(model, specs):
            if not include_unsupported and not case.python_supported:
                continue
            apply_differences(case, diffs)
            try:
                claims = pipeline.run_text(case.input).claims
            except Exception as exc:            # a crash is a failure of the case, not of the run
                claims = []
                case.comment = f"{case.comment or ''} [factcheck raised {type(exc).__name__}: {exc}]".strip()
            outcomes.append(judge(case, claims))
    return outcomes


@dataclass
class Tally:
    cases: int = 0
    passed: int = 0
    raw_passed: int = 0
    differing: int = 0              # cases a difference entry rewrote

    def add(self, o: Outcome) -> None:
        self.cases += 1
        self.passed += o.passed
        self.raw_passed += o.raw_passed
        self.differing += bool(o.case.differences)

    @property
    def rate(self) -> float:
        return self.passed / self.cases if self.cases else float("nan")

    @property
    def raw_rate(self) -> float:
        return self.raw_passed / self.cases if self.cases else float("nan")


def tally(outcomes: Iterable[Outcome], supported_only: bool) -> dict[str, Tally]:
    out: dict[str, Tally] = {m.name: Tally() for m in MODELS}
    for o in outcomes:
        if supported_only and not o.case.python_supported:
            continue
        out[o.case.model.name].add(o)
    return out


UNIT_MODELS = ("PercentModel", "CurrencyModel", "DimensionModel", "AgeModel", "TemperatureModel")


def _sum(tallies: dict[str, Tally], names: Iterable[str]) -> Tally:
    t = Tally()
    for n in names:
        s = tallies[n]
        t.cases += s.cases
        t.passed += s.passed
        t.raw_passed += s.raw_passed
        t.differing += s.differing
    return t


def _pct(x: float) -> str:
    return "   -  " if math.isnan(x) else f"{100 * x:5.1f}%"


def table(outcomes: list[Outcome], show_all: bool) -> str:
    sup, every = tally(outcomes, True), tally(outcomes, False)
    head = f"{'spec file':34} {'cases':>5} {'pass':>5} {'adj':>6} {'raw':>6} {'diff':>4}"
    if show_all:
        head += f" | {'all':>5} {'pass':>5} {'adj':>6} {'raw':>6}"
    lines = [head, "-" * len(head)]

    def row(name: str, s: Tally, a: Tally) -> str:
        line = f"{name:34} {s.cases:5d} {s.passed:5d} {_pct(s.rate):>6} {_pct(s.raw_rate):>6} {s.differing:4d}"
        if show_all:
            line += f" | {a.cases:5d} {a.passed:5d} {_pct(a.rate):>6} {_pct(a.raw_rate):>6}"
        return line

    for m in MODELS:
        lines.append(row(m.name, sup[m.name], every[m.name]))
    lines.append("-" * len(head))
    groups = [("unit models (pct+cur+dim+age+temp)", UNIT_MODELS),
              ("number + ranges", ("NumberModel", "NumberRangeModel", "NumberRangeModelExperimentalMode")),
              ("overall", [m.name for m in MODELS])]
    for label, names in groups:
        lines.append(row(label, _sum(sup, names), _sum(every, names)))
    lines.append("")
    lines.append("cases: not marked NotSupported for python; adj: with bench/peer_specs_differences.yaml "
                 "applied; raw: against the spec as written; diff: cases a difference rewrote"
                 + ("; all: NotSupported cases included" if show_all else ""))
    return "\n".join(lines)


# --- the peer: Recognizers-Text itself, scored the same way --------------------------
# `--peer PYTHON` runs bench/peer_runner.py under PYTHON (a venv with
# recognizers-text-suite; bench/README.md) on the same cases. Its results become
# claim-like objects and go through the same apply_differences / judge / matches as
# factcheck's claims. The peer's unit names are the spec's own names, mapped with
# SPEC_UNITS as the spec's are: a name with one unit becomes that unit; `Dollar` becomes
# its first unit (USD), as factcheck reads `$`; `Degree` (no scale) becomes a unit that
# only the spec's `Degree` accepts (any temperature, value as stated); `Byte`, which no
# spec result uses, becomes pint's byte (PEER_UNIT_NAMES); any other name SPEC_UNITS
# lacks becomes the very string _targets gives that name, so it meets the same spec
# name and nothing else.

PEER_RUNNER = Path(__file__).resolve().parent / "peer_runner.py"
PEER_DIMENSION = {      # what model.keep sees: every result of the peer's model is of its kind
    "CurrencyModel": "currency", "PercentModel": "percent", "DimensionModel": "dimension",
    "AgeModel": "age", "TemperatureModel": "temperature", "NumberModel": "number",
    "NumberRangeModel": "number", "NumberRangeModelExperimentalMode": "number",
}
PEER_NO_SCALE = "<temperature of no stated scale>"
PEER_UNIT_NAMES = {     # names the peer gives that no spec result uses
    "Byte": "byte",     # 六千字节 = 6000 Byte, where the spec says 6 Kilobyte
}


@dataclass
class PeerClaim:
    text: str
    start: int
    end: int                        # exclusive (the peer's end + 1)
    value: Optional[float]
    unit: Optional[str]             # mapped as described above
    dimension: str
    qualifier: str = "exact"
    low: Optional[float] = None
    high: Optional[float] = None
    role: str = "peer"
    peer_type: Optional[str] = None
    peer_value: Any = None          # the peer's resolution value, as it gave it
    peer_unit: Optional[str] = None


def peer_unit(name: Optional[str]) -> Optional[str]:
    if name is None:
        return None
    if name in PEER_UNIT_NAMES:
        return PEER_UNIT_NAMES[name]
    targets = SPEC_UNITS.get(name)
    if targets is None:
        return f"<unmapped spec unit {name!r}>"
    if targets[0] == ANY_TEMPERATURE:
        return PEER_NO_SCALE
    return targets[0]


def _float(text: Any) -> Optional[float]:
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def peer_claims(model: Model, results: list[dict]) -> list[PeerClaim]:
    out = []
    for r in results:
        raw = r.get("value")
        value, unit, low, high, qualifier = None, peer_unit(r.get("unit")), None, None, "exact"
        if raw is not None:
            text = str(raw).strip()
            if model.compare == "range":
                try:
                    low, high = _parse_range(text)
                    qualifier = "range"
                    value = low if low is not None else high
                except ValueError:
                    pass
            elif text.endswith("%"):
                value, unit = _float(text[:-1]), "percent"
            else:
                value = _float(text)
        out.append(PeerClaim(r["text"], r["start"], r["end"] + 1, value, unit, PEER_DIMENSION[model.name],
                             qualifier, low, high, peer_type=r.get("type"), peer_value=raw,
                             peer_unit=r.get("unit")))
    return out


def run_peer(python: str, task: dict, timeout: Optional[float] = None) -> dict:
    """Run bench/peer_runner.py under `python` on one task; its JSON answer."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="peer_specs_") as tmp:
        src, dst = Path(tmp) / "in.json", Path(tmp) / "out.json"
        src.write_text(json.dumps(task, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run([python, str(PEER_RUNNER), str(src), str(dst)], capture_output=True,
                              text=True, timeout=timeout, cwd=str(REPO))
        if proc.returncode != 0 or not dst.exists():
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            raise RuntimeError(f"{python} {PEER_RUNNER.name} failed (exit {proc.returncode}):\n{tail}")
        return json.loads(dst.read_text(encoding="utf-8"))


@dataclass
class PeerRun:
    outcomes: list[Outcome]
    missing: dict[str, str]         # spec file -> why the peer has no model for it
    info: dict                      # the peer's versions
    seconds: float


def evaluate_peer(python: str, models: Iterable[Model] = MODELS, specs: Path = SPECS,
                  differences: Optional[list[Difference]] = None,
                  timeout: Optional[float] = None) -> PeerRun:
    """The peer on every case of `models`, judged exactly as evaluate() judges factcheck.
    Files the peer has no model for give no outcomes (they are listed in .missing)."""
    diffs = load_differences() if differences is None else differences
    cases = []
    for model in models:
        for case in load_cases(model, specs):
            apply_differences(case, diffs)
            cases.append(case)
    t0 = time.perf_counter()
    answer = run_peer(python, {"task": "cases",
                               "cases": [{"model": c.model.name, "input": c.input} for c in cases]},
                      timeout)
    seconds = time.perf_counter() - t0
    outcomes = []
    for case, results in zip(cases, answer["results"], strict=True):
        if isinstance(results, dict):
            if results["error"].startswith("no model"):
                continue
            case.comment = f"{case.comment or ''} [peer raised {results['error']}]".strip()
            results = []
        outcomes.append(judge(case, peer_claims(case.model, results)))
    return PeerRun(outcomes, answer.get("missing", {}), answer.get("peer", {}), seconds)


def _peer_claim_json(c: PeerClaim) -> dict:
    data = {"text": c.text, "start": c.start, "end": c.end, "value": c.value, "unit": c.unit,
            "peer_type": c.peer_type, "peer_value": c.peer_value, "peer_unit": c.peer_unit}
    if c.low is not None or c.high is not None:
        data["low"], data["high"] = c.low, c.high
    return data


def rejudge(outcomes: list[Outcome], differences: list[Difference]) -> list[Outcome]:
    """The same claims judged again against the spec with another list of differences."""
    out = []
    for o in outcomes:
        c = o.case
        case = Case(c.model, c.index, c.input, list(c.spec_expected if c.spec_expected is not None else c.expected),
                    c.not_supported, c.comment)
        apply_differences(case, differences)
        out.append(judge(case, o.all_claims))
    return out


def side_by_side(ours: list[Outcome], peer: PeerRun, show_all: bool,
                 differences: Optional[list[Difference]] = None) -> str:
    """factcheck's and the peer's rates per spec file, on the same cases: adj (every
    difference applied), sw (only the spec_wrong ones) and raw (none)."""
    diffs = load_differences() if differences is None else differences
    spec_wrong = [d for d in diffs if d.kind == "spec_wrong"]
    runs = {"fc": (ours, rejudge(ours, spec_wrong)), "peer": (peer.outcomes, rejudge(peer.outcomes, spec_wrong))}
    sets = [("", True)] + ([("all ", False)] if show_all else [])
    tallies = {(side, label): (tally(adj, sup), tally(sw, sup))
               for side, (adj, sw) in runs.items() for label, sup in sets}
    head = f"{'spec file':34}"
    for label, _ in sets:
        head += (f" | {label + 'cases':>9} {'fc pass':>7} {'adj':>6} {'sw':>6} {'raw':>6}"
                 f" {'peer pass':>9} {'adj':>6} {'sw':>6} {'raw':>6}")
    lines = [head, "-" * len(head)]

    def cells(names: list[str], label: str) -> str:
        f, f_sw = (_sum(t, names) for t in tallies[("fc", label)])
        cell = f" | {f.cases:9d} {f.passed:7d} {_pct(f.rate):>6} {_pct(f_sw.rate):>6} {_pct(f.raw_rate):>6}"
        have = [n for n in names if n not in peer.missing]
        if not have:
            return cell + f" {'no model':>9} {'':>6} {'':>6} {'':>6}"
        p, p_sw = (_sum(t, have) for t in tallies[("peer", label)])
        star = "*" if len(have) < len(names) else " "
        return cell + f" {p.passed:8d}{star} {_pct(p.rate):>6} {_pct(p_sw.rate):>6} {_pct(p.raw_rate):>6}"

    for m in MODELS:
        lines.append(f"{m.name:34}" + "".join(cells([m.name], label) for label, _ in sets))
    lines.append("-" * len(head))
    groups = [("unit models (pct+cur+dim+age+temp)", UNIT_MODELS),
              ("number + ranges", ("NumberModel", "NumberRangeModel", "NumberRangeModelExperimentalMode")),
              ("overall", [m.name for m in MODELS])]
    if peer.missing:
        both = [m.name for m in MODELS if m.name not in peer.missing]
        groups.append((f"overall, the {len(both)} files both run", both))
    for name, names in groups:
        lines.append(f"{name:34}" + "".join(cells(list(names), label) for label, _ in sets))
    lines.append("")
    versions = ", ".join(f"{k} {v}" for k, v in peer.info.items())
    lines += [
        f"fc: factcheck; peer: Recognizers-Text ({versions}) run by bench/{PEER_RUNNER.name}; both scored by judge().",
        "adj: every entry of bench/peer_specs_differences.yaml applied (to both); sw: only its spec_wrong entries; "
        "raw: the spec as written.",
        "The design entries encode factcheck's choices, so the peer's adj is its agreement with them: "
        "compare the peer by sw or raw.",
    ]
    if peer.missing:
        lines.append("no model: " + "; ".join(f"{k}: {v}" for k, v in sorted(peer.missing.items()))
                     + ". *: the peer's sum covers only the files it has a model for")
    lines.append("cases: not marked NotSupported for python" + ("; all: NotSupported cases included" if show_all else ""))
    return "\n".join(lines)


def peer_summary(peer: PeerRun) -> dict:
    sup, every = tally(peer.outcomes, True), tally(peer.outcomes, False)
    return {
        "peer": peer.info, "missing": peer.missing,
        "files": {name: {"cases": sup[name].cases, "passed": sup[name].passed,
                         "raw_passed": sup[name].raw_passed, "all_cases": every[name].cases,
                         "all_passed": every[name].passed, "all_raw_passed": every[name].raw_passed}
                  for name in sup if name not in peer.missing},
        "cases": [{"model": o.case.model.name, "index": o.case.index,
                   "python_supported": o.case.python_supported, "passed": o.passed,
                   "raw_passed": o.raw_passed} for o in peer.outcomes],
    }


# --- timing: factcheck and the peer on the same text ------------------------------------

TIME_MODELS = ("NumberModel", "PercentModel", "CurrencyModel", "DimensionModel", "AgeModel",
               "TemperatureModel")
MB = 1000 * 1000


def timing_texts(specs: Path = SPECS) -> list[dict]:
    """All case inputs joined by newlines, and 1 MB (UTF-8) of the seed fixture normalized
    to Simplified, whole and line by line."""
    import importlib.util

    from factcheck.normalize import normalize

    spec = importlib.util.spec_from_file_location("bench_extract", Path(__file__).resolve().parent / "bench_extract.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    inputs = [c.input for m in MODELS for c in load_cases(m, specs)]
    seed = normalize(bench.sized(bench.corpus_base("seed"), 1 * MB)).norm
    return [{"name": f"spec inputs ({len(inputs)} cases, joined)", "short": "spec inputs",
             "text": "\n".join(inputs), "split": False},
            {"name": "seed 1 MB, normalized, as one text", "short": "seed whole", "text": seed, "split": False},
            {"name": "seed 1 MB, normalized, line by line", "short": "seed by line", "text": seed, "split": True}]


def _best(fn: Callable[[], int], repeats: int) -> tuple[float, int]:
    best, items = math.inf, 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        items = fn()
        best = min(best, time.perf_counter() - t0)
    return best, items


def time_factcheck(texts: list[dict], repeats: int) -> dict:
    """normalize + extract (bench_extract's `extraction` stage: the Extractor built once),
    in the default mode and with all_numbers."""
    from factcheck.extract import Extractor
    from factcheck.normalize import normalize
    from factcheck.rules import load_rules

    exclusions = load_rules().exclusion_pattern()
    extractors = {"default": Extractor(exclusions), "all_numbers": Extractor(exclusions, all_numbers=True)}
    for ex in extractors.values():
        ex.extract(normalize("他花了一百五十二元, 身高1.68米, 今年5岁, 气温30摄氏度, 增长了5%"))
    out: dict = {}
    for entry in texts:
        pieces = [line for line in entry["text"].split("\n") if line.strip()] if entry["split"] else [entry["text"]]
        out[entry["name"]] = {}
        for mode, ex in extractors.items():
            seconds, items = _best(lambda: sum(len(ex.extract(normalize(p))) for p in pieces), repeats)
            out[entry["name"]][mode] = {"seconds": seconds, "items": items}
    return out


def timing(python: str, repeats: int, peer_repeats: int, specs: Path = SPECS,
           timeout: Optional[float] = None) -> tuple[str, dict]:
    texts = timing_texts(specs)
    load = [os.getloadavg()[0]]
    before = time_factcheck(texts, repeats)
    load.append(os.getloadavg()[0])
    answer = run_peer(python, {"task": "time", "models": list(TIME_MODELS), "repeats": peer_repeats,
                               "texts": [{k: e[k] for k in ("name", "text", "split")} for e in texts]},
                      timeout)
    load.append(os.getloadavg()[0])
    after = time_factcheck(texts, repeats)      # factcheck again after the peer: a load spike hits both
    load.append(os.getloadavg()[0])
    ours = {name: {mode: min(before[name][mode], after[name][mode], key=lambda t: t["seconds"])
                   for mode in before[name]} for name in before}
    theirs = answer["times"]
    rows, data = [], {"peer": answer.get("peer"), "missing": answer.get("missing"), "texts": {},
                      "loadavg_1min": load, "cpus": os.cpu_count()}
    head = (f"{'text':40} {'chars':>8} {'fc s':>8} {'fc chars/s':>10} {'fc-all s':>8} "
            f"{'peer s':>8} {'peer chars/s':>12} {'peer/fc':>8} {'peer/fc-all':>11} {'number/fc-all':>13}")
    rows += [head, "-" * len(head)]
    for entry in texts:
        name, chars = entry["name"], len(entry["text"])
        fc, fc_all = ours[name]["default"]["seconds"], ours[name]["all_numbers"]["seconds"]
        peer_s = sum(t["seconds"] for t in theirs[name].values())
        number_s = theirs[name].get("NumberModel", {}).get("seconds", math.nan)
        rows.append(f"{name:40} {chars:8d} {fc:8.3f} {chars / fc:10,.0f} {fc_all:8.3f} {peer_s:8.2f} "
                    f"{chars / peer_s:12,.0f} {peer_s / fc:7.0f}x {peer_s / fc_all:10.0f}x {number_s / fc_all:12.1f}x")
        data["texts"][name] = {"chars": chars, "factcheck": ours[name], "peer": theirs[name],
                               "peer_seconds": peer_s, "ratio": peer_s / fc, "ratio_all_numbers": peer_s / fc_all,
                               "ratio_number_model_all_numbers": number_s / fc_all}
    rows.append("")
    rows.append("peer seconds (items) per model: " + "; ".join(
        f"{e['short']}: " + ", ".join(f"{m.replace('Model', '')} {t['seconds']:.2f} ({t['items']})"
                                      for m, t in theirs[e["name"]].items())
        for e in texts))
    rows.append("factcheck claims: " + "; ".join(
        f"{e['short']}: {ours[e['name']]['default']['items']} (all_numbers {ours[e['name']]['all_numbers']['items']})"
        for e in texts))
    rows.append("The peer's parse() swallows exceptions: one failure inside it empties its NumberModel's answer for "
                "the whole text (0 items above) and cuts a unit model's answer short; such a run did less work.")
    rows.append(f"fc: factcheck normalize + extract, default mode, best of {repeats} before and {repeats} after "
                f"the peer; fc-all: the same with all_numbers; peer: the sum of the {len(TIME_MODELS)} Chinese "
                f"models' parse() ({', '.join(TIME_MODELS)}), best of {peer_repeats} each, models built and "
                "warmed up beforehand; peer/fc = peer time / factcheck time, same run; number/fc-all = the "
                "peer's NumberModel alone / factcheck all_numbers (every number, no units, on both sides)")
    rows.append(f"1-min load average at start / after fc / after peer / after fc: "
                f"{' / '.join(f'{x:.1f}' for x in load)} on {os.cpu_count()} CPUs "
                "(well above 0 means other work shared the machine: rerun before trusting a ratio)")
    return "\n".join(rows), data


def failures(outcomes: list[Outcome], claim_json: Callable[[Any], dict] = _claim_json) -> list[dict]:
    out = []
    for o in outcomes:
        if o.passed:
            continue
        c = o.case
        item = {
            "model": c.model.name,
            "index": c.index,
            "input": c.input,
            "python_supported": c.python_supported,
            "expected": [e.to_json() for e in c.expected],
            "got": [claim_json(x) for x in o.kept],
            "missing": [e.text for e in o.missing],
            "extra": [x.text for x in o.extra],
        }
        if c.differences:
            item["differences"] = c.differences
            item["spec_expected"] = [e.to_json() for e in c.spec_expected or []]
        others = [claim_json(x) for x in o.all_claims if x not in o.kept]
        if others:
            item["other_claims"] = others
        if c.not_supported:
            item["not_supported"] = c.not_supported
        if c.comment:
            item["comment"] = c.comment
        out.append(item)
    return out


def summary(outcomes: list[Outcome]) -> dict:
    """Tallies per file (python-supported cases, and all cases) and each case's outcome."""
    sup, every = tally(outcomes, True), tally(outcomes, False)
    return {
        "files": {name: {"cases": sup[name].cases, "passed": sup[name].passed,
                         "raw_passed": sup[name].raw_passed, "differing": sup[name].differing,
                         "all_cases": every[name].cases, "all_passed": every[name].passed,
                         "all_raw_passed": every[name].raw_passed}
                  for name in sup},
        "cases": [{"model": o.case.model.name, "index": o.case.index, "input": o.case.input,
                   "python_supported": o.case.python_supported, "passed": o.passed,
                   "raw_passed": o.raw_passed, "differences": o.case.differences}
                  for o in outcomes],
    }


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--failures", metavar="FILE", help="write failing cases (input, expected, got) as YAML")
    ap.add_argument("--all", action="store_true",
                    help="also count cases marked NotSupported for python (second column set), "
                         "and write their failures")
    ap.add_argument("--specs", default=str(SPECS), help=f"Specs folder (default {SPECS})")
    ap.add_argument("--models", help="comma-separated model names (default: all)")
    ap.add_argument("--json", metavar="FILE", help="also write the tallies and every case's outcome as JSON")
    ap.add_argument("--peer", metavar="PYTHON",
                    help="also run Recognizers-Text on the same cases: PYTHON is an interpreter with "
                         "recognizers-text-suite installed (e.g. /tmp/rtv/bin/python; bench/README.md); "
                         "prints factcheck's and the peer's rates side by side")
    ap.add_argument("--peer-failures", metavar="FILE", help="with --peer: write the peer's failing cases as YAML")
    ap.add_argument("--time", action="store_true",
                    help="with --peer: time factcheck and the peer on the same texts (all case inputs joined; "
                         "1 MB of the seed fixture normalized) and print the ratio")
    ap.add_argument("--repeats", type=int, default=5,
                    help="--time: best of N for factcheck, taken before and again after the peer (default 5)")
    ap.add_argument("--peer-repeats", type=int, default=1,
                    help="--time: best of N for the peer (default 1: it takes minutes on 1 MB)")
    ap.add_argument("--peer-timeout", type=float, default=3600.0,
                    help="seconds one peer subprocess may take (default 3600)")
    args = ap.parse_args(argv)
    if (args.peer_failures or args.time) and not args.peer:
        ap.error("--peer-failures and --time need --peer PYTHON")

    specs = Path(args.specs)
    if not specs.is_dir():
        print(f"peer_specs: no specs at {specs} (set --specs or FACTCHECK_PEER_SPECS)", file=sys.stderr)
        return 2
    models = MODELS
    if args.models:
        names = [n.strip() for n in args.models.split(",")]
        unknown = [n for n in names if n not in MODELS_BY_NAME]
        if unknown:
            print(f"peer_specs: unknown model(s) {', '.join(unknown)}", file=sys.stderr)
            return 2
        models = [MODELS_BY_NAME[n] for n in names]
    t0 = time.perf_counter()
    outcomes = evaluate(models, include_unsupported=True, specs=specs)
    elapsed = time.perf_counter() - t0
    peer = None
    if args.peer:
        try:
            peer = evaluate_peer(args.peer, models, specs, timeout=args.peer_timeout)
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"peer_specs: the peer did not run: {exc}", file=sys.stderr)
            return 2
        print(side_by_side(outcomes, peer, args.all))
        print(f"{len(outcomes)} cases run in {elapsed:.1f} s by factcheck, "
              f"{len(peer.outcomes)} in {peer.seconds:.1f} s by the peer (subprocess, imports included)")
    else:
        print(table(outcomes, args.all))
        print(f"{len(outcomes)} cases run in {elapsed:.1f} s")
    if not args.models:
        stale = unused_differences(load_differences(), (o.case for o in outcomes))
        for item in stale:
            print(f"peer_specs: difference selects no case: {item}", file=sys.stderr)
    timed = None
    if args.time:
        print()
        text, timed = timing(args.peer, max(1, args.repeats), max(1, args.peer_repeats), specs,
                             timeout=args.peer_timeout)
        print(text)
    if args.json:
        data = summary(outcomes)
        if peer is not None:
            data["peer"] = peer_summary(peer)
        if timed is not None:
            data["timing"] = timed
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
    if args.failures:
        chosen = outcomes if args.all else [o for o in outcomes if o.case.python_supported]
        fails = failures(chosen)
        with open(args.failures, "w", encoding="utf-8") as fh:
            yaml.safe_dump(fails, fh, allow_unicode=True, sort_keys=False, width=1000)
        print(f"{len(fails)} failing cases written to {args.failures}")
    if args.peer_failures and peer is not None:
        chosen = peer.outcomes if args.all else [o for o in peer.outcomes if o.case.python_supported]
        fails = failures(chosen, _peer_claim_json)
        with open(args.peer_failures, "w", encoding="utf-8") as fh:
            yaml.safe_dump(fails, fh, allow_unicode=True, sort_keys=False, width=1000)
        print(f"{len(fails)} failing cases of the peer written to {args.peer_failures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
