"""Command-line options that several commands share (extract, check, report, batch),
defined once. argparse only: every command line imports this."""
from __future__ import annotations


def add_rule_options(parser) -> None:
    """--rules, --no-shipped-rules, --ref-year."""
    parser.add_argument("--rules", action="append", default=[], metavar="PATH",
                        help="rule file or folder, on top of the shipped rules (repeatable)")
    parser.add_argument("--no-shipped-rules", action="store_true", help="use only the --rules given")
    parser.add_argument("--ref-year", type=_year, metavar="YEAR",
                        help="the year 今年 refers to (default: inferred from each text)")


def add_check_options(parser, fail_on: str = "error") -> None:
    """--fail-on (default `fail_on`), --lang, --tolerance, --only, --skip."""
    from .checks import CHECK_IDS, usable_tolerance

    parser.add_argument("--fail-on", choices=["error", "warning", "never"], default=fail_on,
                        help=f"exit 1 when a finding is at least this severe (default: {fail_on})")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the findings' messages")
    parser.add_argument("--tolerance", default=0.0, metavar="REL",
                        type=_argument(float, usable_tolerance, "not a number", "must be a finite number, 0 or more"),
                        help="relative slack for every figure, e.g. 0.001 (on top of the rule files')")
    parser.add_argument("--only", action="append", default=[], choices=CHECK_IDS, metavar="CHECK",
                        help="run only these checks (repeatable): " + ", ".join(CHECK_IDS))
    parser.add_argument("--skip", action="append", default=[], choices=CHECK_IDS, metavar="CHECK",
                        help="do not run this check (repeatable)")


def add_jobs_option(parser) -> None:
    """--jobs N for commands that read several documents."""
    parser.add_argument("--jobs", "-j", type=_at_least_one, metavar="N",
                        help="processes to spread the documents over (default: every core once the "
                             "files add up to 1 MB; 1 for standard input)")


def _argument(parse, accept, unparsed: str, refused: str):
    """An argparse type: `parse(value)`, refused unless `accept(result)`; each message
    names the value given."""
    def convert(value: str):
        import argparse

        try:
            result = parse(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{unparsed}: {value!r}") from None
        if not accept(result):
            raise argparse.ArgumentTypeError(f"{refused}: {value!r}")
        return result
    return convert


_at_least_one = _argument(int, lambda n: n >= 1, "not a whole number", "must be at least 1")
# 210 or 20100 is a typo, not a year any text states
_year = _argument(int, lambda y: 1000 <= y <= 9999, "not a year", "not a year of four digits")


def no_check_left(only, skip) -> "str | None":
    """Why --only and --skip leave no check to run (a run that checks nothing passes
    everything: a false all-clear), or None."""
    from .checks import checks_wanted

    if checks_wanted(only or None, skip):
        return None
    return "--only and --skip leave no check to run" if only else "--skip leaves no check to run"
