"""Consistency checks: figures of one document that cannot all be true.

`run_checks(result_or_claims, text=None, rules=None, ...)` returns the findings of one
document. Each check is a module of this package with a stable `ID`; they run in the
order of `CHECKS`. A finding carries the intervals it compared (`expected`, `actual`),
their distance (`gap`), a message in Chinese or English, and the raw span covering the
claims involved. The same finding on repeated text (an interview printed twice) is
reported once, its other occurrences listed in `repeats`.
"""
from __future__ import annotations

import math
from functools import lru_cache

from typing import Iterable, Iterator, Optional, Sequence, Union

from .. import collector
from ..link import Links, Linker
from ..models import Claim, DocumentResult, Finding
from ..rules import RuleSet
from . import (conflicting_repeat, derived, direction, growth_vs_prior, implied_prior, part_vs_whole,
               respectively, share)
from . import sum as sum_check
from .base import ByKey, Context, RawFinding, append_new, fmt_interval, quote, statement_key
from .config import CheckConfig, Relation, load_config

CHECKS = [growth_vs_prior, implied_prior, direction, sum_check, part_vs_whole, share, derived,
          conflicting_repeat, respectively]
CHECK_IDS = [module.ID for module in CHECKS]


def checks_wanted(enabled: Optional[Iterable[str]], disabled: Iterable[str]) -> set[str]:
    """The checks `enabled` (all when None) less those `disabled`; rule files may switch
    off more. An empty set checks nothing and passes everything: a false all-clear."""
    wanted = set(enabled) if enabled is not None else set(CHECK_IDS)
    return wanted - set(disabled)


def usable_tolerance(tolerance: float) -> bool:
    """A relative slack of 0 or more, and finite: nan and inf made every check pass."""
    return 0.0 <= tolerance < math.inf
SEVERITIES = ("info", "warning", "error")
LANGS = ("zh", "en")

__all__ = ["run_checks", "CHECKS", "CHECK_IDS", "SEVERITIES", "CheckConfig", "Relation", "load_config",
           "severity_at_least"]


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


_DEFAULT_RULES: Optional[RuleSet] = None


def _default_rules() -> RuleSet:
    global _DEFAULT_RULES
    if _DEFAULT_RULES is None:
        from ..rules import load_rules

        _DEFAULT_RULES = load_rules()
    return _DEFAULT_RULES


def _linker(rules: RuleSet) -> Linker:
    linker = getattr(rules, "_linker", None)
    if linker is None:
        linker = Linker(rules)
        try:
            rules._linker = linker  # type: ignore[attr-defined]
        except AttributeError:  # pragma: no cover
            pass
    return linker


def _links_for(claims: list[Claim], text: Optional[str], rules: RuleSet,
               reference_year: Optional[int]) -> Links:
    """Link the claims against the text when both are at hand; otherwise work from the
    claims' own fields (metric, subject, period, refers_to) alone."""
    if text is not None and claims and all(c.norm_start >= 0 for c in claims):
        from ..normalize import normalize

        norm = normalize(text).norm
        if all(c.norm_end <= len(norm) for c in claims):
            return _linker(rules).link(norm, claims, reference_year)
    return Links(from_text=False)


def run_checks(result_or_claims: Union[DocumentResult, Sequence[Claim]], text: Optional[str] = None,
               rules: Optional[RuleSet] = None, **options) -> list[Finding]:
    """The findings of one document.

    result_or_claims: a DocumentResult from the pipeline (it carries the normalized text
    and the links, and gets the findings set on it), or a list of claims; with claims,
    give the document's text (raw or normalized) for the full linking, else only the
    claims' own fields are used. rules: the rule set (default: the one the result was
    linked with, else the shipped rules).
    Options (keywords):
    reference_year: the year 上年 and 今年 count from (default: the result's).
    lang: "zh" or "en", the language of the messages.
    tolerance: relative slack for every figure, on top of what the rule files set.
    enabled / disabled: check ids to run or skip, on top of the rule files' switches.
    config: the checks' configuration (default: the rules').
    release_links: the result's normalized text and links are let go (set to None) once
    the checks have read them, before the findings are put together, for a caller that
    needs neither after (a document's peak, on figure-dense text, is there).
    """
    made = checked_findings(result_or_claims, text, rules, **options)
    with collector.paused():
        findings = [finding for finding, _ in made]
    if isinstance(result_or_claims, DocumentResult):
        result_or_claims.findings = findings
    return findings


def checked_findings(result_or_claims: Union[DocumentResult, Sequence[Claim]], text: Optional[str] = None,
                     rules: Optional[RuleSet] = None, *, reference_year: Optional[int] = None,
                     lang: str = "zh", tolerance: float = 0.0, enabled: Optional[Iterable[str]] = None,
                     disabled: Iterable[str] = (), config: Optional[CheckConfig] = None,
                     release_links: bool = False) -> Iterator[tuple[Finding, list[Claim]]]:
    """`run_checks`' findings in order, each with its claims, made as they are asked for
    (the result's `findings` are left as they are). The checks run when this is called,
    and bad options are raised then; the findings are only put together as they are
    taken, so that a caller who turns each into its row never holds them all (on
    figure-dense text whose figures disagree they took more than the claims)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (choose from {', '.join(LANGS)})")
    if not usable_tolerance(float(tolerance or 0.0)):
        raise ValueError(f"tolerance must be a finite number, 0 or more: {tolerance!r}")
    unknown = [c for c in list(enabled or []) + list(disabled) if c not in CHECK_IDS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r} (choose from {', '.join(CHECK_IDS)})")
    if rules is None and isinstance(result_or_claims, DocumentResult) and result_or_claims.links is not None:
        rules = getattr(result_or_claims.links, "rules", None)   # the rules the result was linked with
    rules = rules if rules is not None else _default_rules()
    config = config if config is not None else load_config(rules)
    result: Optional[DocumentResult] = None
    if isinstance(result_or_claims, DocumentResult):
        result = result_or_claims
        claims = result.claims
        links = result.links
        if reference_year is None:
            reference_year = result.reference_year
        if links is None or text is not None:
            links = _links_for(claims, text if text is not None else result.text, rules, reference_year)
    else:
        claims = list(result_or_claims)
        links = _links_for(claims, text, rules, reference_year)
    wanted = checks_wanted(enabled, disabled)
    if not wanted:
        raise ValueError("enabled and disabled leave no check to run")
    with collector.paused():
        ctx = Context(claims=claims, links=links, rules=rules, config=config, tolerance=float(tolerance or 0.0))
        raw: list[RawFinding] = []
        running = tuple(module for module in CHECKS if module.ID in wanted and config.is_enabled(module.ID))
        for module, needed_later in zip(running, _caches_after(running)):
            raw.extend(module.run(ctx))
            # what no later check reads is let go: the sums' components of every total
            # were still held where `conflicting_repeat` peaks
            if ctx.cache:
                ctx.keep_caches(needed_later)
        for finding in raw:
            finding.repeats = ctx.repeats_of(finding)
        del ctx   # its statements of every finding are not needed to assemble them
        if release_links and result is not None:
            result.text = result.links = None
        del links
        return _assembled(_ordered(raw), lang)


@lru_cache(maxsize=64)
def _caches_after(running: tuple) -> tuple[frozenset, ...]:
    """For each check of `running`, the cache kinds the checks after it read (their
    `CACHES`): worked out per document, it was a twentieth of a paragraph's checks."""
    return tuple(frozenset(kind for later in running[k + 1:] for kind in getattr(later, "CACHES", ()))
                 for k in range(len(running)))


def check_document(result: DocumentResult, stream: bool = False, **options) -> DocumentResult:
    """`run_checks(result, **options)` for a document read without error. A check that
    breaks (a bug) is that document's error, with no findings: the other documents of a
    run keep their results. With `stream`, the checks run but their findings are left to
    be made as the document is written (`result.findings_to_come`, see DocumentResult)."""
    if not result.errors:
        try:
            if stream:
                result.findings = []
                result.findings_to_come = (finding for finding, _ in checked_findings(result, **options))
            else:
                run_checks(result, **options)
        except Exception as exc:
            from ..pipeline import _internal

            result.findings = []
            result.errors.append(_internal(result.path, exc))
    return result


def _says(check: str, severity: str, expected: Optional[str], actual: Optional[str], claims: list[Claim]) -> tuple:
    """What a finding says, wherever its figures stand: the same finding on repeated text
    says the same."""
    return (check, severity, expected, actual, tuple(sorted((quote(c), c.value, c.unit) for c in claims)))


def _ordered(raw: list[RawFinding]) -> list[RawFinding]:
    """The raw findings less those that repeat one on the same claims, by position.
    Empties `raw`."""
    order = {check: i for i, check in enumerate(CHECK_IDS)}
    seen: set[tuple[str, tuple]] = set()
    unique: list[RawFinding] = []
    for finding in raw:
        key = (finding.check, tuple(sorted({c.id for c in finding.claims})))
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    raw.clear()
    del seen
    unique.sort(key=lambda f: (min(c.start for c in f.claims), order[f.check],
                               max(c.end for c in f.claims)))
    return unique


def _assembled(unique: list[RawFinding], lang: str) -> Iterator[tuple[Finding, list[Claim]]]:
    """The findings of `unique` (in order), each with its claims, numbered f1, f2, …: a
    finding that says what an earlier one says (the same finding on repeated text) is
    merged into it, its claims among the earlier one's `repeats`. Two passes: the first
    finds what merges into what, and lets the merged go; the second makes each finding
    as it is asked for, and lets its raw finding go."""
    # pass 1. The findings kept (their indexes in `unique`) by the hash of what they say
    # (`_says`): keyed by that, the keys were a fifth of the peak of assembling
    # figure-dense text's findings
    kept = ByKey()
    merged: dict[int, list] = {}        # index kept -> its repeats, once another merged into it
    merged_ids: dict[int, set] = {}     # of the long lists of repeats (see `append_new`), by index
    for index, finding in enumerate(unique):
        says = _says_of(finding, lang)
        key = statement_key(says)
        into = next((k for k in kept.at(key) if _says_of(unique[k], lang) == says), None)
        if into is None:
            kept.add(key, index)
            continue
        own = tuple(c.id for c in unique[into].claims)   # its own claims are not a repeat of it
        repeats = merged.get(into)
        if repeats is None:
            repeats = merged[into] = _own_repeats(unique[into], own, merged_ids, into)
        for r in [tuple(c.id for c in finding.claims), *map(tuple, finding.repeats)]:
            if r != own:
                append_new(repeats, r, merged_ids, into)
        unique[index] = None
    del kept, merged_ids
    # pass 2
    number = 0
    for index, finding in enumerate(unique):
        if finding is None:
            continue
        unique[index] = None
        number += 1
        expected, actual = _interval_texts(finding, lang)
        ids = tuple(c.id for c in finding.claims)
        repeats = merged.pop(index, None)
        if repeats is None:
            repeats = _own_repeats(finding, ids, {}, index)
        made = Finding(
            id=f"f{number}", check=finding.check, severity=finding.severity,
            message=finding.message(lang), claims=list(ids),
            start=min(c.start for c in finding.claims), end=max(c.end for c in finding.claims),
            expected=expected, actual=actual,
            expected_interval=finding.expected.as_list() if finding.expected is not None else None,
            actual_interval=finding.actual.as_list() if finding.actual is not None else None,
            gap=finding.gap, unit=finding.unit, repeats=[list(r) for r in repeats])
        yield made, finding.claims


def _own_repeats(finding: RawFinding, ids: tuple, merged_ids: dict, key) -> list:
    """The repeats `finding` found itself, less its own claims (`ids`), each once."""
    repeats: list = []
    for r in finding.repeats:
        if tuple(r) != ids:
            append_new(repeats, tuple(r), merged_ids, key)
    return repeats


def _interval_texts(finding: RawFinding, lang: str) -> tuple[Optional[str], Optional[str]]:
    expected = (fmt_interval(finding.expected, finding.unit, lang) if finding.expected is not None
                else finding.expected_text)
    actual = (fmt_interval(finding.actual, finding.unit, lang) if finding.actual is not None
              else finding.actual_text)
    return expected, actual


def _says_of(finding: RawFinding, lang: str) -> tuple:
    return _says(finding.check, finding.severity, *_interval_texts(finding, lang), finding.claims)
