"""Rule-set regression tests (`factcheck test`, factcheck.testing): rule examples and
counterexamples, fixture cases with claims and findings, the per-rule report, --update."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from factcheck.cli import main
from factcheck.rules import load_rules, shipped_rules_dir
from factcheck.testing import FixtureError, load_fixture, run

from conftest import FIXTURES


@pytest.fixture(scope="module")
def shipped_report():
    return run()


def test_shipped_rules_and_fixtures_pass(shipped_report):
    report = shipped_report
    failing = [f"{o.id}: {o.message}" for o in report.outcomes if not o.ok]
    assert failing == [] and report.errors == []
    assert report.exit_code == 0
    summary = report.summary()
    rules = load_rules()
    assert summary["fixtures"] == len(list(FIXTURES.rglob("*.expected.yaml")))
    assert summary["examples"] >= len(rules.metrics) + len(rules.exclusions)
    assert summary["counterexamples"] >= len(rules.metrics) + len(rules.exclusions)


def test_every_shipped_rule_has_examples(shipped_report):
    # counterexamples are wanted too, but only examples are required (as by `rules lint`)
    assert shipped_report.without_examples == []
    counts = shipped_report.counts()
    for rule, kind in shipped_report.rules:
        assert counts[rule]["examples"] >= 1, rule
        assert counts[rule]["fn"] == 0 and counts[rule]["fp"] == 0, rule


def test_report_counts_true_positives_per_rule(shipped_report):
    counts = shipped_report.counts()
    # the fixtures state gdp on several claims, and the timestamps of the seed interview
    assert counts["economy/gdp"]["tp"] > 5 and counts["economy/gdp"]["fired"] > 5
    assert counts["not_claims/timestamp"]["tp"] > 10
    never = shipped_report.never_fired()
    assert set(never) <= {rule for rule, _ in shipped_report.rules}
    assert all(counts[rule]["fired"] == 0 for rule in never)
    checks = shipped_report.check_counts()
    assert checks and all(row["fp"] == 0 and row["fn"] == 0 for row in checks.values())


def test_lint_fails_a_rule_without_example(tmp_path, capsys):
    path = tmp_path / "mine.yaml"
    path.write_text("id: mine\nmetrics:\n  - id: beds\n    names: [床位]\n    dimension: count\n"
                    "  - id: docs\n    names: [医生]\n    dimension: count\n"
                    "    examples: [{text: \"医生300名\", value: 300}]\n"
                    "exclusions:\n  - id: code\n    pattern: 'X\\d+'\n", encoding="utf-8")
    assert main(["rules", "lint", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{path}:3: metric mine/beds has no example", f"{path}:11: exclusion mine/code has no example"]


def test_lint_passes_the_shipped_rules(capsys):
    assert main(["rules", "lint"]) == 0


def _broken_copy(tmp_path: Path) -> Path:
    """rules/ copied, with gdp's names renamed to a word no document uses."""
    copy = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), copy)
    economy = copy / "economy.yaml"
    text = economy.read_text(encoding="utf-8")
    start = text.index("  - id: gdp\n")
    names_at = text.index("    names: [", start)
    end = text.index("\n", names_at)
    economy.write_text(text[:names_at] + "    names: [地区总产出值]" + text[end:], encoding="utf-8")
    return copy


def test_renamed_aliases_fail_and_name_the_broken_cases(tmp_path):
    copy = _broken_copy(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "factcheck", "test", "--rules", str(copy)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert f"FAIL economy/gdp[example 1]  ({copy / 'economy.yaml'}:10)" in out
    assert "metric=None  (differs: metric)" in out
    # fixtures that state metric gdp, and the check fixtures whose relations need gdp
    for name in ("clean_simplified.expected.yaml", "sichuan_quality_interview_2010.expected.yaml",
                 "sum_fail.hans.expected.yaml"):
        assert "FAIL fixtures/" in out and name in out, name
    assert "-  1232 \"14151.3億元\"" in out and "metric=None" in out     # a diff, expected against actual
    assert "never fired on any fixture" in out and "economy/gdp" in out.split("never fired on any fixture")[1]


def test_json_report(tmp_path, capsys):
    copy = _broken_copy(tmp_path)
    assert main(["test", "--rules", str(copy), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == 1 and data["errors"] == []
    failed = {c["id"] for c in data["cases"] if not c["ok"]}
    assert "economy/gdp[example 1]" in failed
    assert any(c.endswith("clean_simplified.expected.yaml") for c in failed)
    gdp = next(r for r in data["rules"] if r["rule"] == "economy/gdp")
    assert gdp["kind"] == "metric" and gdp["tp"] == 0 and gdp["fn"] > 5 and gdp["fired"] == 0
    assert "economy/gdp" in data["never_fired"]
    assert data["summary"]["failed"] == len(failed)
    case = next(c for c in data["cases"] if c["id"] == "economy/gdp[example 1]")
    assert case["source"].endswith("economy.yaml:10") and "expected a claim" in case["message"]


def test_rules_paths_replace_or_join_the_shipped_rules(tmp_path, capsys):
    mine = tmp_path / "mine.yaml"
    mine.write_text("id: mine\nmetrics:\n  - id: beds\n    names: [床位]\n    dimension: count\n"
                    "    examples: [{text: \"床位3万张\", value: 30000}]\n"
                    "    counterexamples: [\"医生3万名\"]\n", encoding="utf-8")
    alone = run([str(mine)])
    assert [r for r, _ in alone.rules] == ["mine/beds"] and alone.exit_code == 0
    assert alone.summary()["fixtures"] == 0 and alone.never_fired() == []
    both = run([], rules=[str(mine)], include_shipped=True)
    assert "mine/beds" in dict(both.rules) and "economy/gdp" in dict(both.rules)
    # only rules: no fixtures unless given; --no-shipped-rules leaves nothing to load
    assert main(["test", "--no-shipped-rules", str(FIXTURES / "clean_simplified.expected.yaml")]) == 1
    assert "FAIL" in capsys.readouterr().out


# ---- examples: what passes and what fails ----------------------------------------------------

RULES = """id: mine
metrics:
  - id: beds
    names: [床位]
    dimension: count
    examples:
      - {text: "床位3万张", value: 30000}
      - {text: "床位约3万张", value: 30000, qualifier: approx, span: "约3万张"}
      - {text: "床位3万张", value: 40000}
    counterexamples: ["医生3万名", "床位3万张"]
exclusions:
  - id: code
    pattern: 'X\\d+号'
    examples: ["X12号", "床位12张"]
    counterexamples: ["X12", "X12号"]
"""


def test_example_outcomes_and_messages(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(RULES, encoding="utf-8")
    report = run([str(path)])
    by_id = {o.id: o for o in report.outcomes}
    assert [o.id for o in report.outcomes if o.ok] == [
        "mine/beds[example 1]", "mine/beds[example 2]", "mine/beds[counterexample 1]",
        "mine/code[example 1]", "mine/code[counterexample 1]"]
    wrong = by_id["mine/beds[example 3]"]
    assert wrong.source == f"{path}:9"
    assert "expected a claim with value=40000 metric=beds" in wrong.message
    assert "found \"3万张\" value=30000 metric=beds  (differs: value)" in wrong.message
    assert "expected no claim of mine/beds" in by_id["mine/beds[counterexample 2]"].message
    assert "the pattern does not match" in by_id["mine/code[example 2]"].message
    assert "must not match" in by_id["mine/code[counterexample 2]"].message
    counts = report.counts()
    assert {k: counts["mine/beds"][k] for k in ("tp", "fp", "fn")} == {"tp": 2, "fp": 1, "fn": 1}
    assert {k: counts["mine/code"][k] for k in ("tp", "fp", "fn")} == {"tp": 1, "fp": 1, "fn": 1}
    assert report.exit_code == 1


def test_invalid_rules_exit_2(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\nmetrics:\n  - id: a\n    names: [甲]\n    dimension: count\n"
                    "    counterexamples: [{txt: 1}]\n", encoding="utf-8")
    assert main(["test", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"factcheck: {path}:6:")


# ---- fixture cases ------------------------------------------------------------------------

DOC = "全年实现生产总值14151.3亿元，增长14.5%。出口89.6亿美元。"


def _case(tmp_path: Path, expected: str, name: str = "doc") -> Path:
    (tmp_path / f"{name}.txt").write_text(DOC, encoding="utf-8")
    path = tmp_path / f"{name}.expected.yaml"
    path.write_text(expected, encoding="utf-8")
    return path


def test_new_case_is_written_by_update_and_then_passes(tmp_path):
    path = _case(tmp_path, "# my case\ndocument: doc.txt\n")
    first = run([str(path)])
    assert first.exit_code == 1 and "factcheck test --update" in first.outcomes[-1].message
    updated = run([str(path)], update=True)
    assert updated.updated and updated.exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my case\ndocument: doc.txt\nclaims:\n  - start: 8\n    text: \"14151.3亿元\"\n")
    data = yaml.safe_load(text)
    assert [c["text"] for c in data["claims"]] == ["14151.3亿元", "增长14.5%", "89.6亿美元"]
    assert data["claims"][0]["metric"] == "gdp" and data["findings"] == []
    assert run([str(path)]).exit_code == 0


def test_update_keeps_comments_and_matching_entries(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("clean_simplified.txt", "clean_simplified.expected.yaml"):
        shutil.copy(FIXTURES / name, folder / name)
    path = folder / "clean_simplified.expected.yaml"
    original = path.read_text(encoding="utf-8")
    broken = original.replace("    value: 1603796000000\n", "    value: 1600000000000  # wrong\n", 1)
    start = broken.index("  - start: 73\n")
    end = broken.index("  - start:", start + 5)
    removed = broken[start:end]
    broken = broken[:start] + broken[end:]
    path.write_text(broken, encoding="utf-8")
    report = run([str(folder)])
    (outcome,) = [o for o in report.outcomes if o.kind == "fixture"]
    message = outcome.message
    assert "1 missing, 0 unexpected, 1 with other fields" not in message   # the diff counts from the expected side
    assert "0 missing, 1 unexpected, 1 with other fields (of 39 expected, 40 found)" in message
    assert "-    59 \"16037.96亿元\" value=1600000000000" in message
    assert "+    59 \"16037.96亿元\" value=1603796000000" in message
    assert "+    73 \"增长14.6%\" value=14.6" in message
    assert run([str(folder)], update=True).updated == [str(path.relative_to(Path.cwd()))
                                                       if path.is_relative_to(Path.cwd()) else str(path)]
    after = path.read_text(encoding="utf-8")
    # everything came back as it was written by hand, apart from the lines --update renders
    assert after.replace(removed, "") == original.replace(removed, "")
    assert "  - start: 73\n    text: \"增长14.6%\"\n" in after
    assert after.count("#") == original.count("#")
    assert run([str(folder)]).exit_code == 0


def test_findings_by_text_or_id_and_their_diff(tmp_path):
    shutil.copy(FIXTURES / "checks" / "sum_fail.hans.txt", tmp_path / "s.txt")
    expected = (FIXTURES / "checks" / "sum_fail.hans.expected.yaml").read_text(encoding="utf-8")
    expected = expected.replace("document: sum_fail.hans.txt", "document: s.txt")
    path = tmp_path / "s.expected.yaml"
    path.write_text(expected, encoding="utf-8")
    assert run([str(path)]).exit_code == 0
    # claims may be named by their id; the order of a finding's claims does not matter
    path.write_text(expected.replace('["146.9亿美元", "89.6亿美元", "67.3亿美元"]', '["67.3亿美元", "c5", "c7"]'),
                    encoding="utf-8")
    report = run([str(path)])
    assert report.exit_code == 0, report.outcomes[-1].message
    path.write_text(expected.replace('["146.9亿美元", "89.6亿美元", "67.3亿美元"]', '["146.9亿美元", "89.6亿美元"]'),
                    encoding="utf-8")
    report = run([str(path)])
    message = report.outcomes[-1].message
    assert report.exit_code == 1
    assert '-sum error ["146.9亿美元", "89.6亿美元"]' in message
    assert '+sum error ["146.9亿美元", "89.6亿美元", "67.3亿美元"]' in message
    assert "unexpected sum error: " in message
    assert report.check_counts()["sum"] == {"tp": 1, "fp": 1, "fn": 1}
    run([str(path)], update=True)
    after = path.read_text(encoding="utf-8")
    assert after == expected.replace("document: s.txt", "document: s.txt")   # comment kept, entry restored


def test_exclusion_that_hides_a_real_claim_is_a_false_positive(tmp_path):
    path = _case(tmp_path, "document: doc.txt\nclaims:\n"
                           "  - {start: 8, text: \"14151.3亿元\", value: 1415130000000, unit: CNY, qualifier: exact,"
                           " role: level, metric: gdp}\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text("id: r\nmetrics:\n  - id: gdp\n    names: [生产总值]\n    dimension: currency\n"
                     "    examples: [{text: \"生产总值3亿元\", value: 300000000}]\n"
                     "exclusions:\n  - id: greedy\n    pattern: '\\d+\\.\\d亿'\n    examples: [\"1.5亿\"]\n",
                     encoding="utf-8")
    report = run([str(path)], rules=[str(rules)])
    counts = report.counts()
    assert counts["r/greedy"]["fp"] == 1 and counts["r/gdp"]["fn"] == 1
    (fixture,) = [o for o in report.outcomes if o.kind == "fixture"]
    # its example, and 89.6亿: hidden too, but that claim was not written down: a true
    # positive for all we know
    assert counts["r/greedy"]["tp"] == 2
    assert "1 missing, 1 unexpected, 0 with other fields (of 1 expected, 1 found)" in fixture.message


@pytest.mark.parametrize("expected,line,words", [
    ("document: doc.txt\nclaims:\n  - start: 8\n    txt: x\n", 4, "unknown key 'txt'"),
    ("document: doc.txt\nclaim: []\n", 2, "unknown key 'claim'"),
    ("document: other.txt\n", 1, "'other.txt' not found"),
    ("document: doc.txt\nclaims: [\n", 3, "invalid YAML"),
    ("document: doc.txt\nfindings:\n  - check: sums\n    claims: []\n", 3, "'sums' is not one of"),
    ("document: doc.txt\nclaims:\n  - {start: 9, text: \"14151.3亿元\"}\n", 3, "is not at offset 9"),
])
def test_invalid_fixtures_exit_2_with_file_and_line(tmp_path, capsys, expected, line, words):
    path = _case(tmp_path, expected)
    assert main(["test", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: " in err or f"{path.name}:{line}: " in err, err
    assert words in err


def test_load_fixture_reads_the_shipped_formats():
    case = load_fixture(FIXTURES / "clean_simplified.expected.yaml")
    assert case.sections == ["claims", "findings"] and case.not_claims
    case = load_fixture(FIXTURES / "checks" / "sum_fail.hans.expected.yaml")
    assert case.sections == ["findings"]
    with pytest.raises(FixtureError):
        load_fixture(FIXTURES / "no_such.expected.yaml")
