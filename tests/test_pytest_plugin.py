"""The pytest plugin (factcheck.pytest_plugin), driven through pytest's own pytester: rule
examples and fixture cases become items with their own names and failure messages, and
nothing is collected until a project asks for it."""
import shutil
from importlib.metadata import entry_points

import pytest

import factcheck.checks  # noqa: F401  (pytester's in-process runs drop the modules they import
import factcheck.pipeline  # noqa: F401  afterwards; numpy cannot be imported twice in a process)
import factcheck.pytest_plugin  # noqa: F401
from factcheck.rules import shipped_rules_dir
from factcheck.testing import rule_cases

from conftest import FIXTURES

pytest_plugins = ["pytester"]


def _plugin_args() -> list[str]:
    """The plugin comes in through its entry point once the package is installed; an
    environment that has not reinstalled it since the entry point was added loads it by name."""
    names = {ep.name for ep in entry_points(group="pytest11")}
    return [] if "factcheck" in names else ["-p", "factcheck.pytest_plugin"]


def _run(pytester, *args):
    # hypothesis' plugin would have its modules imported (and assert-rewritten) afresh in
    # every in-process run: seconds each, for nothing these runs use
    return pytester.runpytest_inprocess(*_plugin_args(), "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
                                        *args)


def test_entry_point_is_declared():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["entry-points"]["pytest11"] == {"factcheck": "factcheck.pytest_plugin"}


@pytest.fixture
def rules_copy(pytester):
    shutil.copytree(shipped_rules_dir(), pytester.path / "rules")
    return pytester.path / "rules"


def test_nothing_is_collected_unless_asked(pytester, rules_copy):
    pytester.makepyfile(test_plain="def test_one():\n    pass\n")
    result = _run(pytester)
    result.assert_outcomes(passed=1)
    result = _run(pytester, "rules")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_ini_rules_collects_every_example_by_name(pytester, rules_copy):
    pytester.makeini("[pytest]\nfactcheck_rules = rules\n")
    cases = rule_cases(sorted(rules_copy.glob("*.yaml")))
    result = _run(pytester, "rules", "-v")
    result.assert_outcomes(passed=len(cases))
    result.stdout.fnmatch_lines(["*rules/economy.yaml::gdp::example-1 PASSED*",
                                 "*rules/economy.yaml::gdp::counterexample-2 PASSED*",
                                 "*rules/not_claims.yaml::timestamp::example-1 PASSED*"])


def test_project_suite_is_not_collected_twice(pytester, rules_copy):
    pytester.makeini("[pytest]\ntestpaths = tests\nfactcheck_rules = rules\n")
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_it.py").write_text("def test_one():\n    pass\n")
    result = _run(pytester)
    result.assert_outcomes(passed=1)


def test_broken_aliases_fail_with_a_readable_message(pytester, rules_copy):
    economy = rules_copy / "economy.yaml"
    text = economy.read_text(encoding="utf-8")
    economy.write_text(text.replace("names: [地区生产总值, 生产总值,", "names: [地区总产出值,", 1), encoding="utf-8")
    result = _run(pytester, "--factcheck-rules", "rules", "rules")
    result.assert_outcomes(failed=1, passed=len(rule_cases(sorted(rules_copy.glob("*.yaml")))) - 1)
    result.stdout.fnmatch_lines([
        "*_ economy/gdp[[]example 1]: 全年实现生产总值14151.3亿元 _*",
        f"economy/gdp[example 1] ({economy}:10)",
        "text: 全年实现生产总值14151.3亿元",
        "  expected a claim with value=1415130000000 unit=CNY metric=gdp",
        '  found "14151.3亿元" value=1415130000000 unit=CNY metric=None  (differs: metric)',
        "FAILED rules/economy.yaml::gdp::example-1*",
    ])
    assert "Traceback" not in result.stdout.str()


DOC = "全年实现生产总值14151.3亿元，增长14.5%。"
GOOD = """document: doc.txt
claims:
  - {start: 8, text: "14151.3亿元", value: 1415130000000, unit: CNY, qualifier: exact, role: level, metric: gdp}
  - {start: 18, text: "增长14.5%", value: 14.5, unit: percent, qualifier: exact, role: growth}
findings: []
"""


def test_fixture_cases_are_items_per_section(pytester):
    cases = pytester.mkdir("cases")
    (cases / "doc.txt").write_text(DOC, encoding="utf-8")
    (cases / "doc.expected.yaml").write_text(GOOD, encoding="utf-8")
    (cases / "bad.txt").write_text(DOC, encoding="utf-8")
    (cases / "bad.expected.yaml").write_text(GOOD.replace("doc.txt", "bad.txt").replace("value: 14.5", "value: 15.4"),
                                             encoding="utf-8")
    pytester.makeini("[pytest]\nfactcheck_fixtures = cases\n")
    result = _run(pytester, "cases", "-v")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([
        "*cases/bad.expected.yaml::claims FAILED*",
        "*cases/bad.expected.yaml::findings PASSED*",
        "*cases/doc.expected.yaml::claims PASSED*",
        "*cases/doc.expected.yaml::findings PASSED*",
    ])
    result.stdout.fnmatch_lines([
        "*claims differ",
        "*0 missing, 0 unexpected, 1 with other fields (of 2 expected, 2 found)",
        "*--- expected",
        "*+++ actual",
        '*-    18 "增长14.5%" value=15.4 unit=percent qualifier=exact role=growth',
        '*+    18 "增长14.5%" value=14.5 unit=percent qualifier=exact role=growth',
        "*factcheck test --update*bad.expected.yaml*",
    ])


def test_invalid_fixture_is_a_collection_error_naming_file_and_line(pytester):
    cases = pytester.mkdir("cases")
    (cases / "doc.txt").write_text(DOC, encoding="utf-8")
    (cases / "doc.expected.yaml").write_text("document: doc.txt\nclaims:\n  - start: 8\n    txt: x\n",
                                             encoding="utf-8")
    result = _run(pytester, "--factcheck-fixtures", "cases", "cases")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*doc.expected.yaml:4: unknown key 'txt' in claims*"])


def test_walk_mode_tests_a_users_rule_file_with_the_shipped_rules(pytester):
    pytester.mkdir("mine")
    (pytester.path / "mine" / "beds.yaml").write_text(
        "id: mine\nmetrics:\n  - id: beds\n    names: [床位]\n    dimension: count\n"
        "    examples: [{text: \"床位3万张\", value: 30000}]\n    counterexamples: [\"生产总值3万亿元\"]\n"
        "exclusions:\n  - id: code\n    pattern: 'X\\d+号'\n    examples: [\"X12号\"]\n", encoding="utf-8")
    (pytester.path / "mine" / "other.yaml").write_text("colour: red\n", encoding="utf-8")
    result = _run(pytester, "--factcheck", "mine", "-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*mine/beds.yaml::beds::counterexample-1 PASSED*"])


def test_shipped_fixtures_through_the_plugin(pytester, rules_copy):
    shutil.copytree(FIXTURES, pytester.path / "fixtures", ignore=shutil.ignore_patterns("*.py"))
    pytester.makeini("[pytest]\nfactcheck_rules = rules\nfactcheck_fixtures = fixtures\n")
    result = _run(pytester, "fixtures/clean_simplified.expected.yaml", "fixtures/checks/sum_fail.hans.expected.yaml")
    result.assert_outcomes(passed=3)


def test_invalid_rule_file_is_a_collection_error_naming_file_and_line(pytester):
    pytester.mkdir("mine")
    (pytester.path / "mine" / "bad.yaml").write_text(
        "id: mine\nmetrics:\n  - id: beds\n    names: [床位]\n    dimension: count\n    colour: red\n",
        encoding="utf-8")
    result = _run(pytester, "--factcheck-rules", "mine", "mine")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mine/bad.yaml:6: unknown key 'colour' (at metrics/0)*"])
    assert "Traceback" not in result.stdout.str()
