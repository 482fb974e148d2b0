"""`factcheck report FILE... --html OUT.html --checklist OUT.md --xlsx OUT.xlsx`.

A thin layer over `factcheck.api.analyze`. Exit codes as `factcheck check`: 0 fine; 1 a
finding at or above --fail-on (default error); 2 bad usage, an output that exists
(without --force), invalid rules or an input that cannot be read. An unreadable input is
one line on stderr and still appears in the outputs, with its error, next to the others.
This module is imported for every command line: only argparse here, the work is in `_run`.
"""
from __future__ import annotations

import sys

EXIT_OK, EXIT_FINDINGS, EXIT_BAD = 0, 1, 2
OUTPUTS = (("html", "write_html"), ("checklist", "write_checklist"), ("xlsx", "write_xlsx"))


def add_parser(sub) -> None:
    from ..options import add_check_options, add_jobs_option, add_rule_options

    parser = sub.add_parser("report", help="reviewer outputs: HTML report, Markdown checklist, spreadsheet",
                            description="Reviewer outputs for documents: at least one of --html, "
                                        "--checklist, --xlsx.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="documents; - for standard input")
    parser.add_argument("--html", metavar="OUT.html",
                        help="one self-contained page: the text with every claim marked, findings, charts")
    parser.add_argument("--checklist", metavar="OUT.md",
                        help="Markdown: findings first, then one box per claim by metric and period")
    parser.add_argument("--xlsx", metavar="OUT.xlsx",
                        help="spreadsheet with sheets claims, findings (and documents, for several files)")
    add_rule_options(parser)
    add_check_options(parser)
    add_jobs_option(parser)
    parser.add_argument("--force", action="store_true", help="overwrite outputs that exist")
    parser.set_defaults(run=_run)


def _say(message: str) -> None:
    sys.stderr.write(f"factcheck: {message}\n")


def _run(args) -> int:
    from ..options import no_check_left
    from ..report import OutputExists, refuse_existing
    from ..rules import RuleError

    wanted = [(getattr(args, name), method) for name, method in OUTPUTS if getattr(args, name)]
    if not wanted:
        _say("report: give at least one of --html OUT.html, --checklist OUT.md, --xlsx OUT.xlsx")
        return EXIT_BAD
    problem = no_check_left(args.only, args.skip)
    if problem:
        _say(problem)
        return EXIT_BAD
    paths = [path for path, _ in wanted]
    if len(set(paths)) < len(paths):
        _say("report: each output needs its own file")
        return EXIT_BAD
    try:
        for path, _ in wanted:   # before the work, so a taken name costs nothing
            refuse_existing(path, args.force)
    except OutputExists as exc:
        _say(str(exc))
        return EXIT_BAD

    from ..api import analyze

    try:
        analysis = analyze(args.files, rules=args.rules, shipped_rules=not args.no_shipped_rules,
                           ref_year=args.ref_year, lang=args.lang, tolerance=args.tolerance,
                           only=args.only or None, skip=args.skip, jobs=args.jobs)
    except RuleError as exc:
        _say(str(exc))
        return EXIT_BAD
    status = EXIT_OK
    for error in analysis.errors:
        _say(error)
        status = EXIT_BAD
    for path, method in wanted:
        try:
            getattr(analysis, method)(path, force=args.force)
        except OutputExists as exc:
            _say(str(exc))
            status = EXIT_BAD
        except (OSError, ValueError) as exc:
            _say(f"{path}: {getattr(exc, 'strerror', None) or exc}")
            status = EXIT_BAD
    if status == EXIT_OK and analysis.failing(args.fail_on):
        status = EXIT_FINDINGS
    return status
