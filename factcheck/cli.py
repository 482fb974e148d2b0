"""Command line: `factcheck extract|check|report|batch|test|rules`. Exit codes: 0 fine, 1 findings at or above
--fail-on, 2 bad usage, unreadable input or invalid rules (one line on stderr each)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Optional

from . import __version__
from .console import EXIT_INTERRUPTED
from .options import add_check_options, add_jobs_option, add_rule_options, no_check_left
from .rules import RuleError, load_rules, rule_files, schema, validate_file

EXIT_OK, EXIT_FINDINGS, EXIT_BAD = 0, 1, 2
FORMATS = ["table", "json", "jsonl", "csv", "parquet"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        sys.stderr.write(f"factcheck: {message}\n")
        raise SystemExit(EXIT_BAD)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="factcheck", description="Numeric claims in Chinese reports.")
    parser.add_argument("--version", action="version", version=f"factcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ex = sub.add_parser("extract", help="list the numeric claims of documents")
    ex.add_argument("files", nargs="+", metavar="FILE", help="documents; - for standard input")
    add_rule_options(ex)
    ex.add_argument("--format", choices=FORMATS, default="table")
    ex.add_argument("-o", "--output", metavar="OUT", help="write here instead of standard output")
    ex.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    ex.add_argument("--all-numbers", action="store_true",
                    help="also report bare numbers with no unit (role number)")
    add_jobs_option(ex)

    ck = sub.add_parser("check", help="find figures that contradict each other")
    ck.add_argument("files", nargs="+", metavar="FILE", help="documents; - for standard input")
    add_rule_options(ck)
    ck.add_argument("--format", choices=FORMATS, default="table",
                    help="json: the whole contract (claims and findings); the others: findings")
    ck.add_argument("-o", "--output", metavar="OUT", help="write here instead of standard output")
    ck.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    add_check_options(ck)
    add_jobs_option(ck)

    rules = sub.add_parser("rules", help="list, lint or print the schema of rule files")
    rules.add_argument("action", choices=["list", "lint", "schema"])
    rules.add_argument("paths", nargs="*", metavar="PATH", help="rule files or folders (default: shipped)")
    rules.add_argument("--no-shipped-rules", action="store_true")

    te = sub.add_parser("test", help="regression tests of rule sets: rule examples and fixture cases")
    te.add_argument("paths", nargs="*", metavar="PATH",
                    help="rule files, fixtures (NAME.expected.yaml) or folders of either "
                         "(default: the shipped rules/ and fixtures/)")
    te.add_argument("--rules", action="append", default=[], metavar="PATH",
                    help="test this rule set instead of the shipped one (repeatable)")
    te.add_argument("--with-shipped-rules", action="store_true",
                    help="keep the shipped rules under the --rules given")
    te.add_argument("--no-shipped-rules", action="store_true",
                    help="never load the shipped rules (the default as soon as rules are given)")
    te.add_argument("--format", choices=["text", "json"], default="text")
    te.add_argument("-o", "--output", metavar="OUT", help="write the report here instead of standard output")
    te.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    te.add_argument("--update", action="store_true",
                    help="rewrite the expected files of failing fixtures from the current output")
    te.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")

    # report and batch own their arguments; each sets `run` (light imports only here)
    from .review.command import add_parser as add_report
    from .batch.command import add_parser as add_batch

    add_report(sub)
    add_batch(sub)
    return parser


def _output_taken(args) -> bool:
    """An existing -o OUT without --force: one line naming it on stderr (exit 2)."""
    from .report import OutputExists, refuse_existing

    try:
        refuse_existing(args.output, args.force)
    except OutputExists as exc:
        sys.stderr.write(f"factcheck: {exc}\n")
        return True
    return False


def _write_failed(args, exc: Exception) -> int:
    from .report import OutputExists

    if isinstance(exc, OutputExists):
        sys.stderr.write(f"factcheck: {exc}\n")
    else:
        reason = getattr(exc, "strerror", None) or exc
        sys.stderr.write(f"factcheck: {args.output or 'output'}: {reason}\n")
    return EXIT_BAD


def _rule_set(args, with_checks: bool = False):
    """The rules of --rules / --no-shipped-rules (and, `with_checks`, their check
    settings validated); None after one line on stderr when they are invalid."""
    try:
        rule_set = load_rules(args.rules, include_shipped=not args.no_shipped_rules)
        if with_checks:
            from .checks import load_config

            load_config(rule_set)   # cached on the rule set
    except RuleError as exc:
        sys.stderr.write(f"factcheck: {exc}\n")
        return None
    return rule_set


def _for_writing(result, fmt: str):
    """The writers need a document's claims and findings only: a run over many files
    does not hold every document's normalized text and links until it writes. For the
    JSON contract, a worker process encodes the document, and sends back the encoded
    line rather than the claims (let go as they are encoded); in one process the
    document is encoded as it is written (`ContractSpool.add`), never held whole."""
    from .parallel import in_worker

    result.text = None
    result.links = None
    if fmt == "json" and in_worker():
        result.contract_chunks(release_claims=True)
    return result


def _documents(args, work, warm_up):
    """work(path) for each of args.files, in order, spread over --jobs processes. Before
    workers are forked, `warm_up` runs once on a short text: what the pipeline loads on
    first use is then loaded once, in the memory the workers share."""
    from . import collector
    from .malloc import return_large_blocks
    from .models import DocumentResult
    from .parallel import WARM_UP_TEXT, jobs_for, run_in_order

    return_large_blocks()

    jobs = jobs_for(args.jobs, args.files)
    if jobs > 1:
        warm_up(WARM_UP_TEXT)

    def lost(path: str, reason: str):
        return DocumentResult(path=path, errors=[f"{path}: {reason}"])

    def document(path: str):
        # the collector paused over the whole document, checks and encoding too: paused
        # by stage, it walked every claim between two stages, 2% of the time; after
        # `work` only what is written is left of them
        with collector.paused():
            return work(path)

    return run_in_order(document, args.files, jobs, lost)


def _extract(args) -> int:
    from .pipeline import Pipeline

    if _output_taken(args):
        return EXIT_BAD
    rule_set = _rule_set(args)
    if rule_set is None:
        return EXIT_BAD
    pipeline = Pipeline(rule_set, all_numbers=args.all_numbers)

    def work(path: str):
        return _for_writing(pipeline.run_path(path, args.ref_year), args.format)

    return _written(args, _documents(args, work, pipeline.run_text), what="claims")


def _written(args, documents, what: str, each=None) -> int:
    """Each document's errors on stderr, `each(result)` called, the document kept for
    the output (see report.kept_for), and the output written once all are done:
    EXIT_OK, or EXIT_BAD after a document's error or a failed write."""
    from .report import kept_for, write

    results = kept_for(args.format, args.output, args.force, what=what)
    status = EXIT_OK
    try:
        for result in documents:
            try:
                results.add(result)   # first: a document's findings may be made as it is written
            except (OSError, ValueError) as exc:   # the output's temporary file: a full disk, a text
                return _write_failed(args, exc)    # it cannot encode
            for error in result.errors:
                sys.stderr.write(f"factcheck: {error}\n")
                status = EXIT_BAD
            if each is not None:
                each(result)
        try:
            write(results, args.format, args.output, what=what, force=args.force)
        except (OSError, ValueError) as exc:
            return _write_failed(args, exc)
    finally:
        results.close()
    return status


def _check(args) -> int:
    from .checks import check_document, load_config, severity_at_least
    from .pipeline import Pipeline

    problem = no_check_left(args.only, args.skip)
    if problem:
        sys.stderr.write(f"factcheck: {problem}\n")
        return EXIT_BAD
    if _output_taken(args):
        return EXIT_BAD
    rule_set = _rule_set(args, with_checks=True)
    if rule_set is None:
        return EXIT_BAD
    config = load_config(rule_set)
    pipeline = Pipeline(rule_set)

    def checked(result):
        # the JSON contract is written a finding at a time (DocumentResult.findings_to_come)
        check_document(result, rules=rule_set, config=config, lang=args.lang, tolerance=args.tolerance,
                       enabled=args.only or None, disabled=args.skip, release_links=True,
                       stream=args.format == "json")
        return _for_writing(result, args.format)

    failing = []

    def judged(result) -> None:
        if args.fail_on != "never" and any(severity_at_least(s, args.fail_on) for s in result.severities()):
            failing.append(result.path)

    status = _written(args, _documents(args, lambda path: checked(pipeline.run_path(path, args.ref_year)),
                                       lambda text: checked(pipeline.run_text(text))),
                      what="findings", each=judged)
    if status == EXIT_OK and failing:
        status = EXIT_FINDINGS
    return status


def _rules(args) -> int:
    if args.action == "schema":
        sys.stdout.write(json.dumps(schema(), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    try:
        if args.action == "lint":
            sources = list(args.paths)
            if not sources and not args.no_shipped_rules:
                from .rules import shipped_rules_dir

                sources = [str(shipped_rules_dir())]
            status = EXIT_OK
            files = rule_files(sources)
            from .testing import rules_without_examples

            for path in files:
                try:
                    validate_file(path)
                except RuleError as exc:
                    sys.stderr.write(f"{exc}\n")
                    status = EXIT_BAD
                    continue
                for where, message in rules_without_examples([path]):  # every rule carries an example
                    sys.stderr.write(f"{where}: {message}\n")
                    status = EXIT_BAD
            if status == EXIT_OK:
                from .checks import load_config
                from .rules import shipped_rules_dir

                # relations in a user's file may name the shipped metrics
                shipped = str(shipped_rules_dir())
                with_shipped = not args.no_shipped_rules and all(
                    Path(p).resolve() != Path(shipped).resolve() for p in sources)
                load_config(load_rules(sources, include_shipped=with_shipped))
            if status == EXIT_OK:
                sys.stdout.write(f"{len(files)} rule file(s) valid\n")
            return status
        rule_set = load_rules(args.paths, include_shipped=not args.no_shipped_rules)
    except RuleError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD
    for metric in rule_set.metrics:
        sys.stdout.write(f"{metric.ruleset}/{metric.id}\t{metric.dimension}\t{'、'.join(metric.names)}\n")
    return EXIT_OK


def _test(args) -> int:
    from .testing import FixtureError, run

    include_shipped = False if args.no_shipped_rules else (True if args.with_shipped_rules else None)
    if _output_taken(args):
        return EXIT_BAD
    try:
        report = run(args.paths, rules=args.rules, include_shipped=include_shipped, update=args.update)
    except (RuleError, FixtureError) as exc:
        sys.stderr.write(f"factcheck: {exc}\n")
        return EXIT_BAD
    text = (json.dumps(report.to_json(), ensure_ascii=False, indent=1) + "\n" if args.format == "json"
            else report.format_text(verbose=args.verbose))
    if args.output:
        from .report import write_text

        try:
            write_text(args.output, text, force=args.force)
        except OSError as exc:
            return _write_failed(args, exc)
    else:
        sys.stdout.write(text)
    for error in report.errors + [o.error for o in report.outcomes if o.error]:
        sys.stderr.write(f"factcheck: {error}\n")
    return report.exit_code


def _escaping_stdout() -> None:
    """Lone surrogates (a file name's bytes that are not UTF-8) reach standard output as
    their escapes, as every output file writes them (`report.OUTPUT_ERRORS`). Python's
    own choice would fail the run on them (strict, in a UTF-8 locale) or write the raw
    bytes (surrogateescape, in the C and C.UTF-8 locales of most containers), which
    makes JSON output that is not UTF-8. A handler the user chose
    (PYTHONIOENCODING=utf-8:surrogateescape) is kept."""
    from .report import OUTPUT_ERRORS

    stream = sys.stdout
    if ":" in os.environ.get("PYTHONIOENCODING", "") or not hasattr(stream, "reconfigure"):
        return
    if getattr(stream, "errors", None) in ("strict", "surrogateescape"):
        stream.reconfigure(errors=OUTPUT_ERRORS)


def main(argv: Optional[list[str]] = None) -> int:
    _escaping_stdout()
    args = _parser().parse_args(argv)
    if getattr(args, "run", None) is not None:
        return args.run(args)
    if args.command in ("extract", "check"):
        try:
            return _extract(args) if args.command == "extract" else _check(args)
        except KeyboardInterrupt:
            # nothing was written: the output goes in whole or not at all
            sys.stderr.write("factcheck: interrupted; no output written\n")
            return EXIT_INTERRUPTED
    if args.command == "test":
        return _test(args)
    return _rules(args)


if __name__ == "__main__":
    raise SystemExit(main())
