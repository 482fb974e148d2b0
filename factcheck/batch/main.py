"""`factcheck batch` from options to exit code: checks the options and --out, loads the
rules once, starts the engine, runs the loop, puts the tables together and sums up."""
from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .. import __version__
from ..options import no_check_left
from .command import EXIT_BAD, EXIT_FINDINGS, EXIT_OK
from .inputs import DEFAULT_GLOB, Columns, InputProblem, check_inputs, count_tasks, iter_tasks
from .run import Limits, run
from .tables import PartStore, output_files
from .worker import Settings

MANIFEST_FORMAT = 1


class UsageError(Exception):
    """Bad usage: one line on stderr, exit 2."""


@dataclass
class BatchOptions:
    inputs: list[str]
    out: str
    jobs: Optional[int] = None
    scheduler: Optional[str] = None
    rules: list[str] = field(default_factory=list)
    no_shipped_rules: bool = False
    ref_year: Optional[int] = None
    glob: str = DEFAULT_GLOB
    columns: Columns = Columns()
    resume: bool = False
    force: bool = False
    csv: bool = False
    fail_on: str = "never"
    checks: bool = True
    lang: str = "zh"
    tolerance: float = 0.0
    only: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    progress: Optional[bool] = None
    fault: Optional[str] = None
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_args(cls, args) -> "BatchOptions":
        return cls(inputs=args.inputs, out=args.out, jobs=args.jobs, scheduler=args.scheduler, rules=args.rules,
                   no_shipped_rules=args.no_shipped_rules, ref_year=args.ref_year, glob=args.glob,
                   columns=Columns(args.text_column, args.path_column, args.id_column), resume=args.resume,
                   force=args.force, csv=args.csv, fail_on=args.fail_on, checks=not args.no_checks,
                   lang=args.lang, tolerance=args.tolerance, only=args.only, skip=args.skip,
                   progress=args.progress, fault=args.fault,
                   limits=Limits(part_docs=args.part_docs) if args.part_docs else Limits())


def run_batch(options: BatchOptions) -> int:
    from ..malloc import arrow_pool_returns_memory, return_large_blocks
    from .engines import EngineError, default_jobs, make_engine

    out = Path(options.out)
    _check_options(options)
    settings = _settings(options)
    try:
        check_inputs(options.inputs, options.columns)
    except InputProblem as exc:
        raise UsageError(str(exc)) from None
    tasks = iter_tasks(options.inputs, options.glob, options.columns, exclude=str(out))
    first = next(tasks, None)
    if first is None:
        raise UsageError(f"no documents in {' '.join(options.inputs)} (folders: files matching {options.glob!r})")
    _check_out(out, options, settings)
    jobs = options.jobs or default_jobs()
    try:   # before anything is written to --out; and (fork) before pyarrow starts threads here
        engine = make_engine(settings, jobs, options.scheduler)
    except EngineError as exc:
        raise UsageError(str(exc)) from None
    progress = None
    lock = None
    try:
        try:
            lock = _lock_out(out)
            _prepare_out(out, options, settings)
            store = PartStore(out)
            store.drop_unfinished()
            done = store.done() if options.resume else {}
            progress = _progress(options)
            return_large_blocks()            # the parts' arrays: see malloc
            arrow_pool_returns_memory()
            tally = run(itertools.chain([first], tasks), engine, store, done, options.limits, progress)
        except InputProblem as exc:   # a table that breaks half-way: what was done is kept
            raise UsageError(f"{exc}; rerun with --resume once it is fixed") from None
        except OSError as exc:   # a full disk, a folder gone: the parts written are kept
            raise UsageError(f"{out}: cannot write the tables: {exc.strerror or exc}; the documents "
                             f"finished are kept: rerun with --resume") from None
        finally:
            if progress:
                progress.close()
            engine.close()
        try:
            store.assemble(csv=options.csv)
        except OSError as exc:
            raise UsageError(f"{out}: cannot write the tables: {exc.strerror or exc}; every document "
                             f"is done: rerun with --resume to put the tables together") from None
        return _verdict(out, options, tally)
    finally:
        if lock is not None:
            os.close(lock)


def _lock_out(out: Path) -> Optional[int]:
    """--out made if need be and locked for the whole run (the lock goes with the process,
    however it ends): two batches writing one folder (a cron job started again before its
    last run ended) deleted each other's unfinished parts and numbered theirs alike. The
    folder itself is locked, so no lock file is left in it. None where there is no flock."""
    try:
        import fcntl
    except ImportError:   # pragma: no cover - not POSIX
        return None
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = os.open(out, os.O_RDONLY)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create: {exc.strerror}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise UsageError(f"{out}: another factcheck batch is writing there; "
                         f"rerun with --resume once it has ended") from None
    except OSError:   # a file system without locks (some network ones): run unlocked
        return handle
    return handle


def _check_options(options: BatchOptions) -> None:
    from ..checks import usable_tolerance

    if options.jobs is not None and options.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if not usable_tolerance(options.tolerance):
        raise UsageError("--tolerance must be a finite number, 0 or more")
    problem = no_check_left(options.only, options.skip) if options.checks else None
    if problem:
        raise UsageError(problem)
    if options.resume and options.force:
        raise UsageError("--resume and --force exclude each other")
    if "-" in options.inputs:
        raise UsageError("batch reads files, folders and tables, not standard input")


def _settings(options: BatchOptions) -> Settings:
    from ..checks import load_config
    from ..rules import RuleError, load_rules

    try:
        rules = load_rules(options.rules, include_shipped=not options.no_shipped_rules)
        load_config(rules)     # validated here, and cached on the rules the workers get
    except RuleError as exc:
        raise UsageError(str(exc)) from None
    # what decides a document's rows: a --resume under other settings would mix tables
    what = dict(reference_year=options.ref_year, lang=options.lang, tolerance=float(options.tolerance),
                enabled=tuple(options.only) or None, disabled=tuple(options.skip), checks=options.checks)
    digest = hashlib.sha256(pickle.dumps((__version__, _rule_content(rules), sorted(what.items(), key=str))))
    return Settings(rules=rules, key=digest.hexdigest(), fault=options.fault, **what)


def _rule_content(rules) -> list:
    """The rules as loaded (not where they were loaded from)."""
    return [rules.metrics, rules.exclusions, rules.subjects, getattr(rules, "_check_config", None)]


def _check_out(out: Path, options: BatchOptions, settings: Settings) -> None:
    """Refuse an --out that cannot be used, before anything runs or is written."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: not a folder")
    if not (out.is_dir() and any(os.scandir(out))) or options.force:
        return
    if not options.resume:
        raise UsageError(f"{out}: not empty; use --resume to continue it or --force to start over")
    manifest = PartStore(out).read_manifest()
    if manifest is not None and manifest.get("settings") != settings.key:
        raise UsageError(f"{out}: made with other rules or options (or another factcheck version); "
                         f"use --force to start over")


def _prepare_out(out: Path, options: BatchOptions, settings: Settings) -> None:
    if options.force and out.is_dir():
        for path in output_files(out):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create: {exc.strerror}") from None
    PartStore(out).write_manifest({"format": MANIFEST_FORMAT, "factcheck": __version__, "settings": settings.key})


def _progress(options: BatchOptions):
    shown = options.progress if options.progress is not None else sys.stderr.isatty()
    if not shown:
        return None
    from .progress import Progress

    return Progress(lambda: count_tasks(options.inputs, options.glob, options.columns, exclude=options.out))


def _verdict(out: Path, options: BatchOptions, tally) -> int:
    """The exit code, from the documents table (which holds earlier runs' rows too)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # no pq.read_table (its dataset module) and no Python value compared in pyarrow: each
    # imports pandas, half a second
    docs = pq.ParquetFile(out / "documents.parquet").read(columns=["status", "findings_error", "findings_warning"])
    total = docs.num_rows
    failed = sum(row["counts"] for row in pc.value_counts(docs["status"]).to_pylist() if row["values"] == "error")
    errors = int(pc.sum(docs["findings_error"]).as_py() or 0)
    warnings = int(pc.sum(docs["findings_warning"]).as_py() or 0)
    if failed:
        sys.stderr.write(f"factcheck: {failed} of {total} documents failed; their reasons are in "
                         f"{out / 'documents.parquet'} (status = error, column error)\n")
        return EXIT_BAD
    if options.progress or (options.progress is None and sys.stderr.isatty()):
        sys.stderr.write(f"factcheck: {total} documents ({tally.done} run now, {tally.skipped} already done), "
                         f"{tally.claims} claims, {tally.findings} findings in {tally.seconds:.1f} s -> {out}\n")
    failing = {"error": errors, "warning": errors + warnings, "never": 0}[options.fail_on]
    return EXIT_FINDINGS if failing else EXIT_OK
