"""The crafted check fixtures (fixtures/checks/): every check has a failing document and a
passing look-alike, in Simplified and in Traditional with pinyin; the findings must be
exactly the hand-written ones (check, severity, claims involved)."""
from pathlib import Path

import pytest
import yaml

from factcheck.checks import CHECK_IDS, run_checks
from factcheck.decode import read_input

from conftest import FIXTURES

CHECK_FIXTURES = FIXTURES / "checks"
EXPECTED = sorted(CHECK_FIXTURES.glob("*.expected.yaml"))


def _findings(pipeline, expected):
    result = pipeline.run_path(str(CHECK_FIXTURES / expected["document"]), expected.get("reference_year"))
    assert result.errors == []
    findings = run_checks(result)
    texts = {c.id: c.text for c in result.claims}
    return result, findings, [{"check": f.check, "severity": f.severity, "claims": [texts[c] for c in f.claims]}
                              for f in findings]


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.name.replace(".expected.yaml", ""))
def test_fixture_findings(pipeline, path: Path):
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))
    result, findings, got = _findings(pipeline, expected)
    assert got == expected["findings"], "\n".join(f.message for f in findings)
    raw = read_input(str(CHECK_FIXTURES / expected["document"])).text
    by_id = {c.id: c for c in result.claims}
    for finding in findings:
        # the span covers the claims involved, in the raw text
        assert finding.start == min(by_id[c].start for c in finding.claims)
        assert finding.end == max(by_id[c].end for c in finding.claims)
        assert all(by_id[c].text in raw[finding.start:finding.end] for c in finding.claims)
        assert finding.message and finding.expected and finding.actual


def test_every_check_has_failing_and_passing_fixtures_in_both_scripts():
    names = {p.name.replace(".expected.yaml", "") for p in EXPECTED}
    for check in CHECK_IDS:
        for kind in ("fail", "pass"):
            for script in ("hans", "hant"):
                assert f"{check}_{kind}.{script}" in names, f"{check}_{kind}.{script} missing"


@pytest.mark.parametrize("check", CHECK_IDS)
def test_failing_fixture_fails_on_its_own_check_and_look_alike_passes(pipeline, check):
    for script in ("hans", "hant"):
        fail = yaml.safe_load((CHECK_FIXTURES / f"{check}_fail.{script}.expected.yaml").read_text(encoding="utf-8"))
        passing = yaml.safe_load((CHECK_FIXTURES / f"{check}_pass.{script}.expected.yaml").read_text(encoding="utf-8"))
        assert fail["findings"] and all(f["check"] == check for f in fail["findings"])
        assert passing["findings"] == []


def test_traditional_twins_have_pinyin_and_are_in_sync():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_traditional", CHECK_FIXTURES / "make_traditional.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
    for path in CHECK_FIXTURES.glob("*.hant.txt"):
        text = path.read_text(encoding="utf-8")
        assert "(" in text and any(ch in text for ch in "億萬長")


def test_same_findings_in_both_scripts(pipeline):
    for path in sorted(CHECK_FIXTURES.glob("*.hans.expected.yaml")):
        hans = yaml.safe_load(path.read_text(encoding="utf-8"))
        hant = yaml.safe_load(path.with_name(path.name.replace(".hans.", ".hant.")).read_text(encoding="utf-8"))
        _, a, _ = _findings(pipeline, hans)
        _, b, _ = _findings(pipeline, hant)
        assert [(f.check, f.severity, f.expected, f.actual, f.gap) for f in a] == \
               [(f.check, f.severity, f.expected, f.actual, f.gap) for f in b]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_extraction_fixtures_have_no_errors(pipeline, path):
    """The crafted extraction fixtures are consistent documents: no check may fail on them."""
    findings = run_checks(pipeline.run_path(str(path)))
    assert [f for f in findings if f.severity == "error"] == [], "\n".join(f.message for f in findings)


DOCS = FIXTURES.parent / "docs" / "checks"


@pytest.mark.parametrize("check", CHECK_IDS)
def test_docs_page_per_check_quotes_real_messages(pipeline, check):
    """docs/checks/<id>.md has a failing and a passing example, and the messages it quotes
    are the ones the check gives on its failing fixtures (<id>_fail, and <id>_<case>_fail
    for a case of its own)."""
    import re

    page = (DOCS / f"{check}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# `{check}`") and "## Failing" in page and "## Passing" in page
    assert f"fixtures/checks/{check}_" in page
    zh: set[str] = set()
    en: set[str] = set()
    for path in [CHECK_FIXTURES / f"{check}_fail.hans.txt", *CHECK_FIXTURES.glob(f"{check}_*_fail.hans.txt")]:
        result = pipeline.run_path(str(path))
        zh.update(f.message for f in run_checks(result, lang="zh"))
        en.update(f.message for f in run_checks(result, lang="en"))
    quoted_zh = re.findall(r"^> (?:error|warning) — (.+)$", page, flags=re.M)
    quoted_en = re.findall(r"^> \(`--lang en`\) (.+)$", page, flags=re.M)
    assert quoted_zh and quoted_en
    for message in quoted_zh:
        if not message.startswith("…"):
            assert message in zh, message
    for message in quoted_en:
        assert message in en, message
    assert check in (DOCS / "README.md").read_text(encoding="utf-8")
