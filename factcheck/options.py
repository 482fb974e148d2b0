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
    from .checks import CHECK_IDS

    parser.add_argument("--fail-on", choices=["error", "warning", "never"], default=fail_on,
                        help=f"exit 1 when a finding is at least this severe (default: {fail_on})")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the findings' messages")
    parser.add_argument("--tolerance", type=_tolerance, default=0.0, metavar="REL",
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


def _at_least_one(value: str) -> int:
    import argparse

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _year(value: str) -> int:
    """A year of four digits: 210 or 20100 is a typo, not a year any text states."""
    import argparse

    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {value!r}") from None
    if not 1000 <= year <= 9999:
        raise argparse.ArgumentTypeError(f"not a year of four digits: {value!r}")
    return year


def _tolerance(value: str) -> float:
    """A relative slack: 0 or more, and finite (nan and inf made every check pass)."""
    import argparse
    import math

    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not (number >= 0 and math.isfinite(number)):
        raise argparse.ArgumentTypeError(f"must be a finite number, 0 or more: {value!r}")
    return number
