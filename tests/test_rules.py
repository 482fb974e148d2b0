"""factcheck.rules: loading, validating (errors name file and line), and the shipped examples."""
import hashlib
import re
from pathlib import Path

import pytest
import regex

from conftest import python_prints
from factcheck.pipeline import Pipeline, extract_text
import factcheck.rules
from factcheck.rules import RuleError, _validated, load_rules, shipped_rules_dir, validate_file, validated_digests

SHIPPED = load_rules()
PIPELINE = Pipeline(SHIPPED)


def test_shipped_rules_load():
    assert len(SHIPPED.metrics) >= 10
    assert len(SHIPPED.exclusions) >= 5
    ids = [m.id for m in SHIPPED.metrics]
    assert len(ids) == len(set(ids))
    assert {"gdp", "population", "trade_total", "cpi"} <= set(ids)
    assert SHIPPED.metric("gdp").dimension == "currency"
    assert SHIPPED.metric("no_such_metric") is None
    assert "四川" in SHIPPED.subjects
    assert len(SHIPPED.files) == len(list(shipped_rules_dir().glob("*.yaml")))


def test_every_shipped_file_validates():
    for path in sorted(shipped_rules_dir().glob("*.yaml")):
        data, _ = _validated(path, always=True)   # the schema run, not skipped for its digest
        assert isinstance(data["id"], str)


def test_the_validated_digests_are_the_shipped_files():
    """Loading skips the schema for a file whose content is a shipped one: the list of
    their digests must be exactly the files the test above validated."""
    shipped = {path.name: hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
               for path in sorted(shipped_rules_dir().glob("*.yaml"))}
    listed = Path(factcheck.rules.__file__).parent / "data" / "shipped_rules.sha256"
    lines = [line for line in listed.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    expected = [f"{digest}  {name}" for name, digest in shipped.items()]
    assert lines == expected, f"rules/ changed: put these lines in {listed}:\n" + "\n".join(expected)
    assert validated_digests() == frozenset(shipped.values())


def test_an_edited_shipped_file_is_validated(tmp_path):
    path = sorted(shipped_rules_dir().glob("*.yaml"))[0]
    edited = tmp_path / path.name
    edited.write_text(path.read_text(encoding="utf-8") + "\nno_such_key: 1\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"unknown key 'no_such_key'"):
        validate_file(edited)


def test_loading_the_shipped_rules_imports_no_schema_validator():
    code = ("import sys; from factcheck.rules import load_rules; load_rules(); "
            "print('jsonschema' in sys.modules)")
    assert python_prints(code).strip() == "False"


def test_metric_source_names_file_and_line():
    gdp = SHIPPED.metric("gdp")
    path, line = gdp.source.rsplit(":", 1)
    text = Path(path).read_text(encoding="utf-8").splitlines()
    assert "id: gdp" in text[int(line) - 1]


def test_no_shipped_rules_when_told():
    rules = load_rules([], include_shipped=False)
    assert rules.metrics == [] and rules.exclusions == [] and rules.files == []
    assert rules.exclusion_pattern() is None


# ---- bad rule files: (case id, content, expected line, words the message holds) ----------

GOOD_HEAD = "id: mine\ndescription: a test file\n"

BAD_FILES = [
    ("invalid-yaml-bracket",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]]\n    dimension: count\n", 5, "invalid YAML"),
    ("invalid-yaml-indent",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]\n    dimension: count\n  examples: 3\n", 7, "invalid YAML"),
    ("invalid-yaml-tab",
     GOOD_HEAD + "metrics:\n\t- id: a\n", 4, "invalid YAML"),
    ("invalid-yaml-two-documents",
     "id: mine\n---\nid: other\n", 2, "invalid YAML"),
    ("unknown-top-key",
     GOOD_HEAD + "subjects: [北京]\ncolour: red\n", 4, "colour"),
    ("unknown-metric-key",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]\n    dimension: count\n    colour: red\n", 7, "colour"),
    ("unknown-key-second-metric",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]\n    dimension: count\n"
     "  - id: b\n    names: [乙]\n    unit: person\n    dimension: count\n", 9, "unit"),
    ("unknown-example-key",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]\n    dimension: count\n    examples:\n"
     "      - text: \"1人\"\n        vaule: 1\n", 9, "vaule"),
    ("unknown-exclusion-key",
     GOOD_HEAD + "exclusions:\n  - id: e\n    pattern: 'x'\n    flags: i\n", 6, "flags"),
    ("wrong-type-boolean",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]\n    dimension: count\n    comparable_prices: \"yes\"\n", 7, "boolean"),
    ("wrong-type-names",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: 甲\n    dimension: count\n", 5, "array"),
    ("wrong-type-example-value",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]\n    dimension: count\n    examples:\n"
     "      - {text: \"1人\", value: one}\n", 8, "number"),
    ("wrong-enum-dimension",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]\n    dimension: money\n", 6, "money"),
    ("wrong-id-pattern",
     "description: x\nid: Not An Id\n", 2, "Not An Id"),
    ("wrong-type-top-level-list",
     "- id: mine\n", 1, "object"),
    ("missing-top-id",
     "description: no id\nmetrics: []\n", 1, "'id'"),
    ("missing-metric-names",
     GOOD_HEAD + "metrics:\n  - id: a\n    names: [甲]\n    dimension: count\n  - id: b\n    dimension: count\n",
     7, "'names'"),
    ("missing-exclusion-pattern",
     GOOD_HEAD + "exclusions:\n  - id: e\n    description: no pattern\n", 4, "'pattern'"),
    ("pattern-does-not-compile",
     GOOD_HEAD + "exclusions:\n  - id: fine\n    pattern: 'abc'\n  - id: broken\n    description: z\n"
     "    pattern: '(abc'\n", 8, "broken"),
    ("pattern-bad-set",
     GOOD_HEAD + "exclusions:\n  - id: broken\n    pattern: '[abc'\n", 5, "broken"),
    ("empty-file", "", 1, "empty"),
    ("unnamed-places-long-suffix",
     GOOD_HEAD + "unnamed_places:\n  suffixes: [市, 自治州]\n", 4, "自治州"),
    ("unnamed-places-no-suffixes",
     GOOD_HEAD + "unnamed_places:\n  gap: 2\n", 4, "'suffixes'"),
]


def _check_error(message: str, path: Path, line: int, words: str):
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{path}:{line}:"), message
    assert re.match(rf"^{re.escape(str(path))}:\d+: \S", message), message
    assert words in message, message


@pytest.mark.parametrize("content,line,words", [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_validate_file_errors_name_file_and_line(tmp_path, content, line, words):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        validate_file(path)
    _check_error(str(info.value), path, line, words)


@pytest.mark.parametrize("content,line,words", [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_load_rules_reports_the_same_error(tmp_path, content, line, words):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([str(path)], include_shipped=False)
    _check_error(str(info.value), path, line, words)


def test_not_utf8_rule_file(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("id: x\ndescription: café\n".encode("utf-16"))
    with pytest.raises(RuleError) as info:
        validate_file(path)
    _check_error(str(info.value), path, 1, "UTF-8")


def test_missing_rule_file_names_it(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(RuleError) as info:
        load_rules([str(path)], include_shipped=False)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))


METRIC_A = "id: {ruleset}\nmetrics:\n  - id: other\n    names: [乙]\n    dimension: count\n  - id: {metric}\n    names: [甲]\n    dimension: count\n"


def test_duplicate_metric_ids_across_files(tmp_path):
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text("id: one\ndescription: first\nmetrics:\n  - id: dup\n    names: [甲]\n    dimension: count\n",
                     encoding="utf-8")
    second.write_text(METRIC_A.format(ruleset="two", metric="dup"), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([str(first), str(second)], include_shipped=False)
    message = str(info.value)
    _check_error(message, second, 6, "dup")
    assert f"{first}:4" in message  # and where it was first defined


def test_duplicate_metric_id_in_a_folder(tmp_path):
    (tmp_path / "a.yaml").write_text(METRIC_A.format(ruleset="one", metric="dup"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(METRIC_A.format(ruleset="two", metric="dup2").replace("id: other", "id: dup"),
                                     encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([str(tmp_path)], include_shipped=False)
    _check_error(str(info.value), tmp_path / "b.yaml", 3, "dup")


def test_metric_id_clashing_with_shipped(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("id: mine\nmetrics:\n  - id: gdp\n    names: [甲]\n    dimension: count\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([str(path)])
    _check_error(str(info.value), path, 3, "gdp")


def test_duplicate_exclusion_id_in_one_ruleset(tmp_path):
    path = tmp_path / "ex.yaml"
    path.write_text("id: x\nexclusions:\n  - id: a\n    pattern: 'a'\n  - id: a\n    pattern: 'b'\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules([str(path)], include_shipped=False)
    _check_error(str(info.value), path, 5, "'x/a'")


def test_same_exclusion_id_in_two_rulesets_is_fine(tmp_path):
    (tmp_path / "a.yaml").write_text("id: one\nexclusions:\n  - id: a\n    pattern: 'a'\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: two\nexclusions:\n  - id: a\n    pattern: 'b'\n", encoding="utf-8")
    rules = load_rules([str(tmp_path)], include_shipped=False)
    assert [e.ruleset for e in rules.exclusions] == ["one", "two"]


def test_user_rules_add_to_shipped(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("id: mine\nmetrics:\n  - id: hospital_beds\n    names: [床位]\n    dimension: count\n"
                    "    examples:\n      - {text: \"床位3万张\", value: 30000, unit: sheet}\n"
                    "subjects: [自贡, 新地方]\n", encoding="utf-8")
    rules = load_rules([str(path)])
    assert rules.metric("hospital_beds").ruleset == "mine"
    assert rules.metric("gdp") is not None
    assert rules.subjects.count("自贡") == 1 and "新地方" in rules.subjects
    claims = extract_text("床位3万张", rules=rules)
    assert [(c.value, c.metric, c.rule) for c in claims] == [(30000, "hospital_beds", "mine/hospital_beds")]


# ---- the shipped examples ---------------------------------------------------------

EXAMPLES = [(m.id, ex) for m in SHIPPED.metrics for ex in m.examples]


def test_every_shipped_metric_has_an_example():
    assert {m.id for m in SHIPPED.metrics} == {mid for mid, _ in EXAMPLES}


@pytest.mark.parametrize("metric_id,example", EXAMPLES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(EXAMPLES)])
def test_shipped_metric_examples(metric_id, example):
    claims = PIPELINE.run_text(example["text"]).claims
    matching = [c for c in claims if c.value == pytest.approx(example["value"], rel=1e-9)]
    assert matching, f"{example['text']!r}: no claim with value {example['value']}: {claims}"
    claim = matching[0]
    if "unit" in example:
        assert claim.unit == example["unit"]
    if "qualifier" in example:
        assert claim.qualifier == example["qualifier"]
    if "metric" in example:
        assert claim.metric == example["metric"]
    assert example["text"][claim.start:claim.end] == claim.text


def test_shipped_examples_through_extract_text():
    # the shortest way in loads the shipped rules itself
    metric_id, example = EXAMPLES[0]
    claims = extract_text(example["text"])
    assert [(c.value, c.metric) for c in claims] == [(pytest.approx(example["value"]), metric_id)]


EXCLUSION_EXAMPLES = [(e.id, ex) for e in SHIPPED.exclusions for ex in e.examples]


@pytest.mark.parametrize("exclusion_id,example", EXCLUSION_EXAMPLES,
                         ids=[f"{e}-{i}" for i, (e, _) in enumerate(EXCLUSION_EXAMPLES)])
def test_shipped_exclusion_examples(exclusion_id, example):
    exclusion = next(e for e in SHIPPED.exclusions if e.id == exclusion_id)
    assert regex.search(exclusion.pattern, example, flags=regex.V1)
    assert SHIPPED.exclusion_pattern().search(example)
    assert PIPELINE.run_text(example).claims == []
