"""`factcheck check`, driven as another tool would drive it: exit codes, formats, options."""
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, SEED

CHECKS = FIXTURES / "checks"
SUM_FAIL = CHECKS / "sum_fail.hans.txt"
SUM_PASS = CHECKS / "sum_pass.hans.txt"
WARN_ONLY = CHECKS / "respectively_fail.hant.txt"


def run(*args, stdin=None):
    """The command in a child process, as another tool runs it."""
    return subprocess.run([sys.executable, "-m", "factcheck", *args], capture_output=True,
                          input=stdin, timeout=180)


class Ran:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def call(capsysbinary):
    """The command in this process (same code path, without the interpreter start-up)."""
    from factcheck.cli import main

    def invoke(*args):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
        out, err = capsysbinary.readouterr()
        return Ran(code, out, err)

    return invoke


def test_json_contract_with_findings():
    proc = run("check", str(SUM_FAIL), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    (doc,) = json.loads(proc.stdout)["documents"]
    raw = SUM_FAIL.read_text(encoding="utf-8")
    assert [f["id"] for f in doc["findings"]] == ["f1", "f2"]
    claim_ids = {c["id"] for c in doc["claims"]}
    for finding in doc["findings"]:
        assert {"id", "check", "severity", "message", "claims", "start", "end", "expected", "actual",
                "gap", "expected_interval", "actual_interval", "unit", "repeats"} <= set(finding)
        assert finding["check"] == "sum" and finding["severity"] == "error"
        assert set(finding["claims"]) <= claim_ids
        assert raw[finding["start"]:finding["end"]].startswith(
            next(c["text"] for c in doc["claims"] if c["id"] == finding["claims"][0]))
        assert finding["gap"] > 0


def test_exit_codes_and_fail_on(call):
    assert call("check", str(SUM_PASS)).returncode == 0
    assert call("check", str(SUM_FAIL)).returncode == 1
    assert call("check", str(SUM_FAIL), "--fail-on", "never").returncode == 0
    assert call("check", str(WARN_ONLY)).returncode == 0
    assert call("check", str(WARN_ONLY), "--fail-on", "warning").returncode == 1
    assert call("check", str(SEED), "--fail-on", "warning").returncode == 0


def test_bad_usage_and_unreadable_input_exit_2(call, tmp_path):
    assert call("check").returncode == 2
    assert call("check", str(SUM_PASS), "--fail-on", "sometimes").returncode == 2
    assert call("check", str(SUM_PASS), "--only", "no_such_check").returncode == 2
    proc = call("check", str(tmp_path / "missing.txt"), str(SUM_FAIL), "--format", "json")
    assert proc.returncode == 2
    assert "missing.txt" in proc.stderr.decode()
    docs = json.loads(proc.stdout)["documents"]
    assert docs[0]["errors"] and len(docs[1]["findings"]) == 2


def test_invalid_rules_exit_2_naming_file_and_line(call, tmp_path):
    rules = tmp_path / "bad.yaml"
    rules.write_text("id: bad\nrelations:\n  - {id: r, kind: sum, total: gdp, parts: [nope, export]}\n",
                     encoding="utf-8")
    proc = call("check", str(SUM_PASS), "--rules", str(rules))
    assert proc.returncode == 2
    (line,) = proc.stderr.decode().strip().splitlines()
    assert f"{rules}:3:" in line and "nope" in line


def test_rules_lint_checks_relations(call, tmp_path):
    rules = tmp_path / "bad.yaml"
    rules.write_text("id: bad\nrelations:\n  - {id: r, kind: ratio, result: gdp, numerator: gdp, denominator: x}\n",
                     encoding="utf-8")
    proc = call("rules", "lint", str(rules))
    assert proc.returncode == 2 and "'x'" in proc.stderr.decode()
    assert call("rules", "lint").returncode == 0


def test_english_and_stdin():
    text = SUM_FAIL.read_text(encoding="utf-8").encode("gb18030")
    proc = run("check", "-", "--lang", "en", "--format", "jsonl", stdin=text)
    assert proc.returncode == 1, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["path"] for r in rows] == ["<stdin>", "<stdin>"]
    assert rows[0]["message"].startswith("The components do not add up")
    assert isinstance(rows[0]["claims"], list)


def test_only_skip_tolerance(call):
    assert call("check", str(SUM_FAIL), "--skip", "sum").returncode == 0
    assert call("check", str(SUM_FAIL), "--only", "share").returncode == 0
    assert call("check", str(SUM_FAIL), "--only", "sum").returncode == 1
    assert call("check", str(CHECKS / "growth_vs_prior_fail.hans.txt"), "--tolerance", "0.05").returncode == 0
    assert call("check", str(SUM_FAIL), "--tolerance", "-1").returncode == 2


@pytest.mark.parametrize("option,value", [("--tolerance", "nan"), ("--tolerance", "inf"), ("--tolerance", "-0.1"),
                                          ("--ref-year", "210"), ("--ref-year", "20100"), ("--ref-year", "二〇一〇")])
def test_a_tolerance_or_year_that_means_nothing_is_refused(call, option, value):
    """--tolerance nan or inf made every check pass, a false all-clear (the failing
    fixture gave no finding); a year of other than four digits is a typo."""
    proc = call("check", str(SUM_FAIL), option, value)
    err = proc.stderr.decode("utf-8") if isinstance(proc.stderr, bytes) else proc.stderr
    assert proc.returncode == 2 and f"argument {option}" in err and repr(value) in err
    assert not proc.stdout


@pytest.mark.parametrize("command", ["check", "report", "batch"])
def test_only_and_skip_that_leave_no_check_are_refused(call, tmp_path, command):
    """A run that checks nothing passes everything: `--only sum --skip sum`, or every
    check skipped, gave exit 0 and no finding on a failing document."""
    from factcheck.checks import CHECK_IDS

    target = {"check": [], "report": ["--checklist", tmp_path / "c.md"],
              "batch": ["--out", tmp_path / "out", "--no-progress"]}[command]
    skip_all = [arg for check in CHECK_IDS for arg in ("--skip", check)]
    for selection, words in ((["--only", "sum", "--skip", "sum"], "--only and --skip leave no check to run"),
                             (skip_all, "--skip leaves no check to run")):
        proc = call(command, str(SUM_FAIL), *target, *selection)
        err = proc.stderr.decode("utf-8") if isinstance(proc.stderr, bytes) else proc.stderr
        assert proc.returncode == 2 and words in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "c.md").exists()
    assert call("check", str(SUM_FAIL), "--only", "sum", "--skip", "share").returncode == 1


def test_run_checks_refuses_a_selection_that_leaves_nothing():
    from factcheck.checks import run_checks

    with pytest.raises(ValueError, match="no check to run"):
        run_checks([], enabled=["sum"], disabled=["sum"])


def test_run_checks_refuses_a_tolerance_that_means_nothing():
    from factcheck.checks import run_checks

    for tolerance in (float("nan"), float("inf"), -0.5):
        with pytest.raises(ValueError, match="finite number, 0 or more"):
            run_checks([], tolerance=tolerance)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "table", "jsonl", "json"])
def test_formats_to_file(call, tmp_path, fmt):
    out = tmp_path / f"findings.{fmt}"
    proc = call("check", str(SUM_FAIL), str(SUM_PASS), "--format", fmt, "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == b""
    if fmt == "parquet":
        import pandas as pd

        frame = pd.read_parquet(out)
        assert list(frame["check"]) == ["sum", "sum"]
        assert frame["path"].iloc[0] == str(SUM_FAIL)
        assert frame["gap"].iloc[0] > 0
    elif fmt == "csv":
        import pandas as pd

        frame = pd.read_csv(out)
        assert list(frame["severity"]) == ["error", "error"]
        assert frame["claim_texts"].iloc[0].startswith("16037.96亿元")
    elif fmt == "table":
        text = out.read_text(encoding="utf-8")
        assert "sum" in text and "f2" in text
    else:
        assert out.read_text(encoding="utf-8").strip()


def test_extract_still_reports_no_findings(call):
    proc = call("extract", str(SUM_FAIL), "--format", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["documents"][0]["findings"] == []
