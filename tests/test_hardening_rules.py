"""Hostile rule files: what the schema cannot see (duplicate keys, alias bombs, control
characters, nesting), patterns that cannot be run safely (empty matches, huge counted
repeats, catastrophic backtracking) and rule sets that make a document produce too many
claims. Load-time errors are one line, `file:line: reason`; run-time problems are errors
of the document that name it (and the rule), and everything else still gives results."""
import re
import subprocess
import sys
import time

import pytest

import factcheck.extract as extract
from factcheck.pipeline import Pipeline
from factcheck.rules import RuleError, load_rules, validate_file

HEAD = "id: mine\ndescription: a test file\n"


def check_error(message, path, line, words):
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message, message


# (case id, file content, line of the error, words in the message)
BAD = [
    ("duplicate-top-key", HEAD + "id: other\n", 3, "duplicate key 'id'"),
    ("duplicate-metric-key",
     HEAD + "metrics:\n  - id: a\n    names: [甲]\n    names: [乙]\n    dimension: count\n", 6, "duplicate key 'names'"),
    ("duplicate-exclusion-pattern",
     HEAD + "exclusions:\n  - id: e\n    pattern: 'x'\n    pattern: 'y'\n", 6, "first at line 5"),
    ("nul-character", HEAD + "subjects: [北京\x00]\n", 3, "invalid YAML"),
    ("control-character", HEAD + "metrics: []\nsubjects: [\x07]\n", 4, "invalid YAML"),
    ("nested-too-deeply", HEAD + "subjects: " + "[" * 3000 + "]" * 3000 + "\n", 1, "nested too deeply"),
    ("alias-bomb",
     HEAD + "subjects: &a [x, x, x, x, x, x, x, x, x, x]\n"
     + "".join(f"x{i}: &a{i} [{', '.join(['*a' if i == 0 else f'*a{i - 1}'] * 10)}]\n" for i in range(6)),
     None, "YAML nodes"),
    ("integer-key", HEAD + "1: 2\n", 3, "unknown key 1"),
    ("pattern-matches-empty", HEAD + "exclusions:\n  - id: e\n    pattern: 'a*'\n", 5, "matches the empty string"),
    ("pattern-empty-alternative", HEAD + "exclusions:\n  - id: e\n    pattern: 'abc|'\n", 5, "empty string"),
    ("pattern-huge-repeat", HEAD + "exclusions:\n  - id: e\n    pattern: 'a{1000000}'\n", 5, "repeats 1000000 times"),
    ("pattern-nested-repeats", HEAD + "exclusions:\n  - id: e\n    pattern: '(?:(?:ab){300}){300}'\n", 5,
     "repeats 90000 times"),
    ("pattern-not-a-string", HEAD + "exclusions:\n  - id: e\n    pattern: [a, b]\n", 5, "not of type 'string'"),
    ("not-utf8", None, 3, "not UTF-8"),
]


@pytest.mark.parametrize("content,line,words", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_hostile_rule_files_are_one_line_errors(tmp_path, content, line, words):
    path = tmp_path / "bad.yaml"
    if content is None:
        path.write_bytes(HEAD.encode() + b"subjects: [\xff\xfe]\n")
    else:
        path.write_text(content, encoding="utf-8")
    started = time.perf_counter()
    for load in (lambda: validate_file(path), lambda: load_rules([str(path)], include_shipped=False)):
        with pytest.raises(RuleError) as info:
            load()
        message = str(info.value)
        if line is None:
            assert re.match(rf"^{re.escape(str(path))}:\d+: ", message), message
            assert words in message
        else:
            check_error(message, path, line, words)
    assert time.perf_counter() - started < 30


def test_a_folder_given_as_a_rule_file(tmp_path):
    with pytest.raises(RuleError) as info:
        validate_file(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, not a rule file"


def test_anchors_and_aliases_of_reasonable_size_are_fine(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(HEAD + "subjects: &places [甲地, 乙地]\nmetrics:\n  - id: beds\n    names: [床位]\n"
                    "    dimension: count\n", encoding="utf-8")
    assert load_rules([str(path)], include_shipped=False).subjects == ["甲地", "乙地"]


def test_the_cli_names_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + "exclusions:\n  - id: e\n    pattern: 'a*'\n", encoding="utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text("出口6310批", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "factcheck", "extract", str(doc), "--rules", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr == f"factcheck: {path}:5: pattern of 'e' matches the empty string\n"


# ---- catastrophic patterns: a timeout names the rule and the document, and moves on -----

HOSTILE = HEAD + """exclusions:
  - id: nested
    pattern: '(a|a)+$'
  - id: harmless-nested
    pattern: '(a+)+$'
  - id: item-numbers
    pattern: '编号\\d+个'
"""


@pytest.fixture
def quick_timeouts(monkeypatch):
    monkeypatch.setattr(extract, "MATCH_TIMEOUT", 0.5)
    monkeypatch.setattr(extract, "EXCLUSION_TIMEOUT", 0.2)


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


def test_a_catastrophic_exclusion_times_out_and_the_rest_goes_on(hostile, quick_timeouts):
    pipeline = Pipeline(load_rules([str(hostile)]))
    docs = {
        "evil.txt": "a" * 40 + "!\n世界500强企业编号5个，出口6310批",
        "fine.txt": "世界500强企业编号5个，出口6310批",
        "evil-again.txt": "b" + "a" * 40 + "!\n编号7个，共5万人",
    }
    results = {name: pipeline.run_text(text, path=name) for name, text in docs.items()}
    # the other rules still apply (世界500强 is shipped, 编号5个 is this file's), on every document
    assert [c.text for c in results["evil.txt"].claims] == ["6310批"]
    assert [c.text for c in results["fine.txt"].claims] == ["6310批"]
    assert [c.text for c in results["evil-again.txt"].claims] == ["5万人"]
    assert results["fine.txt"].errors == []
    for name in ("evil.txt", "evil-again.txt"):
        (error,) = results[name].errors
        assert error.startswith(f"{name}: exclusion mine/nested ({hostile}:4) timed out after ")
        assert "\n" not in error


def test_a_timeout_with_the_cli(hostile, tmp_path):
    evil = tmp_path / "evil.txt"
    evil.write_text("a" * 40 + "!\n出口6310批", encoding="utf-8")
    fine = tmp_path / "fine.txt"
    fine.write_text("世界500强企业编号5个，出口6310批", encoding="utf-8")
    code = ("import sys, factcheck.extract as e; e.MATCH_TIMEOUT = 0.5; e.EXCLUSION_TIMEOUT = 0.2; "
            "from factcheck.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", code, "extract", str(evil), str(fine), "--rules", str(hostile),
                           "--format", "jsonl"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"factcheck: {evil}: exclusion mine/nested ({hostile}:4) timed out")
    assert [row.count('"6310批"') for row in proc.stdout.splitlines()] == [1, 1]


def test_a_timeout_is_raised_when_nobody_collects_errors(quick_timeouts):
    from factcheck.normalize import normalize
    from factcheck.rules import Exclusion, combine_exclusions

    rules = [Exclusion("nested", "(a|a)+$", "mine", "mine.yaml:4")]
    extractor = extract.Extractor(combine_exclusions(rules), exclusion_rules=rules)
    with pytest.raises(TimeoutError, match="mine/nested"):
        extractor.extract(normalize("a" * 40 + "!共5万人"))


# ---- too many claims: a cap, reported, the first claims kept -----------------------------

def test_a_document_with_too_many_claims_keeps_the_first_ones(tmp_path):
    text = "，".join(f"{n}人" for n in range(2, 502))
    pipeline = Pipeline(max_claims=100)
    result = pipeline.run_text(text, path="many.txt")
    assert [c.value for c in result.claims] == list(range(2, 102))
    assert result.errors == ["many.txt: more than 100 claims; only the first 100 are kept"]
    assert [c.id for c in result.claims][-1] == "c100"
    under = Pipeline(max_claims=500).run_text(text, path="many.txt")
    assert len(under.claims) == 500 and under.errors == []


def test_excluded_matches_do_not_count_against_the_cap(tmp_path):
    text = "世界500强，" * 200 + "，".join(f"{n}人" for n in range(2, 52))
    result = Pipeline(max_claims=50).run_text(text, path="x.txt")
    assert len(result.claims) == 50 and result.errors == []


def test_the_default_cap_is_a_million():
    import factcheck.pipeline as pipeline

    assert pipeline.MAX_CLAIMS == 1_000_000
    assert Pipeline().max_claims == 1_000_000
