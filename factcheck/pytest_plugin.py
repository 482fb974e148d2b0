"""pytest plugin (entry point `pytest11: factcheck`): rule examples and fixture cases as
test items, so that rule sets live in any project's ordinary test suite.

It collects nothing until told to. Settings (command line, or ini / pyproject
`[tool.pytest.ini_options]`):

- `factcheck_rules = rules` / `--factcheck-rules PATH` (repeatable): the rule set under
  test, replacing the shipped rules. When pytest walks one of its files, every example and
  counterexample of it becomes an item: `rules/economy.yaml::gdp::example-1`.
- `factcheck_fixtures = fixtures` / `--factcheck-fixtures PATH`: where the fixture cases
  are. When pytest walks a `NAME.expected.yaml` there, its sections become items:
  `fixtures/x.expected.yaml::claims`, `::findings`. They run against `factcheck_rules`,
  or the shipped rules when that is not set.
- `factcheck = true` / `--factcheck`: collect every rule file and expected file pytest
  walks, wherever it is (a rule file outside `factcheck_rules` is tested together with the
  shipped rules).

pytest still collects only what it walks: with `testpaths = ["tests"]` a plain `pytest`
collects no YAML at all; `pytest rules fixtures` (or adding them to `testpaths`) does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import pytest

# Every pytest session of an environment with factcheck installed loads this module: the
# rule and test machinery is imported only once the plugin collects something.
if TYPE_CHECKING:  # pragma: no cover
    from .testing import FixtureCase, Outcome, RuleExample, Runner

EXPECTED_SUFFIX = ".expected.yaml"


class CaseFailed(AssertionError):
    """A case whose output is not what it expects; the message is the readable diff."""


@dataclass
class _Settings:
    walk: bool
    rules: list[Path]
    fixtures: list[Path]
    runners: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.walk or bool(self.rules) or bool(self.fixtures)

    def runner(self, extra: Optional[Path] = None) -> "Runner":
        """The rule set under test: factcheck_rules if set, else the shipped rules (plus
        `extra`, a walked rule file that is not one of them)."""
        from .rules import RuleError, load_rules, shipped_rules_dir
        from .testing import Runner

        if self.rules:
            key: tuple = ("rules", *map(str, self.rules))
            sources, shipped = [str(p) for p in self.rules], False
        elif extra is not None and not _under(extra, [shipped_rules_dir()]):
            key, sources, shipped = ("shipped+", str(extra)), [str(extra)], True
        else:
            key, sources, shipped = ("shipped",), [], True
        if key not in self.runners:
            try:
                self.runners[key] = Runner(load_rules(sources, include_shipped=shipped))
            except RuleError as exc:
                self.runners[key] = exc
        runner = self.runners[key]
        if isinstance(runner, RuleError):
            raise runner
        return runner

    def fixture_outcome(self, case: "FixtureCase") -> "Outcome":
        key = str(case.path)
        if key not in self.outcomes:
            self.outcomes[key] = self.runner().run_fixture(case)
        return self.outcomes[key]


_KEY = pytest.StashKey[_Settings]()


def _under(path: Path, roots: list[Path]) -> bool:
    path = Path(path).resolve()
    for root in roots:
        root = Path(root).resolve()
        if path == root or root in path.parents:
            return True
    return False


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("factcheck", "factcheck rule-set tests")
    group.addoption("--factcheck", action="store_true", default=None,
                    help="collect the examples of every factcheck rule file and every NAME.expected.yaml "
                         "pytest walks")
    group.addoption("--factcheck-rules", action="append", default=[], metavar="PATH",
                    help="rule files or folders under test (replace the shipped rules; repeatable)")
    group.addoption("--factcheck-fixtures", action="append", default=[], metavar="PATH",
                    help="folders (or files) of fixture cases, NAME.expected.yaml (repeatable)")
    parser.addini("factcheck", type="bool", default=False,
                  help="collect every factcheck rule file and expected file pytest walks")
    parser.addini("factcheck_rules", type="paths", default=[],
                  help="factcheck rule files or folders under test")
    parser.addini("factcheck_fixtures", type="paths", default=[],
                  help="folders of factcheck fixture cases (NAME.expected.yaml)")


def pytest_configure(config: pytest.Config) -> None:
    here = Path(config.invocation_params.dir)
    rules = [here / p for p in config.getoption("factcheck_rules") or []] or \
        [Path(p) for p in config.getini("factcheck_rules")]
    fixtures = [here / p for p in config.getoption("factcheck_fixtures") or []] or \
        [Path(p) for p in config.getini("factcheck_fixtures")]
    walk = config.getoption("factcheck")
    if walk is None:
        walk = bool(config.getini("factcheck"))
    config.stash[_KEY] = _Settings(walk=walk, rules=rules, fixtures=fixtures)


def _looks_like_rules(path: Path) -> bool:
    """A walked YAML file is a rule file when it is a mapping with an `id` and rules in it."""
    try:
        head = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    keys = {line.split(":", 1)[0] for line in head.splitlines() if line[:1].isalpha() and ":" in line}
    return "id" in keys and bool(keys & {"metrics", "exclusions"})


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    settings = parent.config.stash.get(_KEY, None)
    if settings is None or not settings.active:
        return None
    if file_path.name.endswith(EXPECTED_SUFFIX):
        if _under(file_path, settings.fixtures) or settings.walk:
            return FixtureFile.from_parent(parent, path=file_path)
        return None
    if _under(file_path, settings.rules) or (settings.walk and not settings.rules and _looks_like_rules(file_path)):
        return RuleFile.from_parent(parent, path=file_path)
    return None


class _CleanErrors:
    """Invalid rules and fixtures, and failing cases, are reported by their one-line or
    diff message, not a traceback."""

    def repr_failure(self, excinfo, style=None):  # type: ignore[override]
        from .rules import RuleError
        from .testing import FixtureError

        if isinstance(excinfo.value, (CaseFailed, RuleError, FixtureError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # type: ignore[misc]


class RuleFile(_CleanErrors, pytest.File):
    def collect(self):
        from .testing import rule_cases

        rules: "dict[str, list[RuleExample]]" = {}
        for case in rule_cases([self.path]):
            rules.setdefault(case.rule.split("/", 1)[1], []).append(case)
        for name, cases in rules.items():
            yield RuleNode.from_parent(self, name=name, cases=cases)


class RuleNode(_CleanErrors, pytest.Collector):
    def __init__(self, *, cases: "list[RuleExample]", **kwargs):
        super().__init__(**kwargs)
        self.cases = cases

    def collect(self):
        for case in self.cases:
            yield ExampleItem.from_parent(self, name=case.name, case=case)


class ExampleItem(_CleanErrors, pytest.Item):
    def __init__(self, *, case: "RuleExample", **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        settings = self.config.stash[_KEY]
        outcome = settings.runner(extra=Path(self.case.path)).run_example(self.case)
        if not outcome.ok:
            raise CaseFailed(f"{self.case.id} ({self.case.source})\n{outcome.message}")

    def reportinfo(self):
        return self.path, self.case.line - 1, f"{self.case.id}: {self.case.text}"


class FixtureFile(_CleanErrors, pytest.File):
    def collect(self):
        from .testing import load_fixture

        case = load_fixture(self.path)
        for section in case.sections or ["expected"]:
            yield FixtureItem.from_parent(self, name=section, case=case)


class FixtureItem(_CleanErrors, pytest.Item):
    def __init__(self, *, case: "FixtureCase", **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from .testing import FixtureError

        outcome = self.config.stash[_KEY].fixture_outcome(self.case)
        if outcome.error:
            raise FixtureError(outcome.error)
        section = outcome.sections.get(self.name)
        if section is not None and not section.ok:
            rules = "".join(f" --rules {p}" for p in self.config.stash[_KEY].rules)
            raise CaseFailed(f"{self.case.id}: {section.message}\n(to accept the output: "
                             f"factcheck test --update{rules} {self.case.id})")

    def reportinfo(self):
        line = self.case.section_lines.get(self.name, 1)
        return self.path, line - 1, self.name
