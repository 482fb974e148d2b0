"""`factcheck batch INPUT... --out DIR`: arguments and entry point. Imports stay light
here (argparse only); the work is imported when the command runs."""
from __future__ import annotations

import argparse
import sys

from ..console import EXIT_INTERRUPTED

EXIT_OK, EXIT_FINDINGS, EXIT_BAD = 0, 1, 2


def add_parser(sub) -> None:
    from ..options import add_check_options, add_rule_options

    p = sub.add_parser(
        "batch", help="run check over many documents into Parquet tables (local processes or dask)",
        description="Claims, findings and one row per document, as Parquet tables under --out. "
                    "Exit 0 fine; 1 findings at or above --fail-on (default never); 2 bad usage or "
                    "some documents failed (see documents.parquet: status, error).")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files, folders (walked recursively) and tables of documents "
                        "(.csv .tsv .jsonl .ndjson .parquet, optionally .gz for the text ones)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder for the tables (one batch at a time writes it: a second one stops)")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: every core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a dask.distributed cluster: tcp://HOST:PORT, or `local` for a LocalCluster "
                        "of --jobs workers (needs factcheck[dask])")
    add_rule_options(p)
    p.add_argument("--glob", default="*.txt", metavar="PATTERN",
                   help="files of a folder to read (default: *.txt; a pattern with / matches the path "
                        "under the folder)")
    p.add_argument("--text-column", default="text", metavar="NAME",
                   help="tables: the column holding a document's text (default: text)")
    p.add_argument("--path-column", default="path", metavar="NAME",
                   help="tables: the column holding a document's file, relative to the table "
                        "(default: path; used where there is no text)")
    p.add_argument("--id-column", metavar="NAME",
                   help="tables: the column naming each document (default: TABLE#ROW or the file)")
    p.add_argument("--resume", action="store_true",
                   help="continue in a non-empty --out: skip documents already done with the same sha256")
    p.add_argument("--force", action="store_true", help="start over in a non-empty --out")
    p.add_argument("--csv", action="store_true", help="also write the tables as CSV")
    p.add_argument("--no-checks", action="store_true", help="claims only: do not run the checks")
    add_check_options(p, fail_on="never")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--progress", action="store_true", default=None,
                       help="show the progress bar (default: when standard error is a terminal)")
    shown.add_argument("--no-progress", dest="progress", action="store_false")
    # tests only: fail a document on purpose (raise:NAME, exit:NAME); write parts this small
    p.add_argument("--_fault", dest="fault", help=argparse.SUPPRESS)
    p.add_argument("--_part-docs", dest="part_docs", type=int, help=argparse.SUPPRESS)
    p.set_defaults(run=_run)


def _say(message: str) -> None:
    sys.stderr.write(f"factcheck: {message}\n")


def _run(args) -> int:
    from .main import BatchOptions, UsageError, run_batch

    try:
        return run_batch(BatchOptions.from_args(args))
    except UsageError as exc:
        _say(str(exc))
        return EXIT_BAD
    except KeyboardInterrupt:
        _say(f"interrupted; the documents finished are kept in {args.out}: rerun with --resume to go on")
        return EXIT_INTERRUPTED
