"""`factcheck report`: arguments and entry point (filled in by its issue)."""
from __future__ import annotations


def add_parser(sub) -> None:
    parser = sub.add_parser("report", help="(not yet built)")
    parser.add_argument("inputs", nargs="*")
    parser.set_defaults(run=_run)


def _run(args) -> int:
    import sys

    sys.stderr.write("factcheck: report is not built yet\n")
    return 2
