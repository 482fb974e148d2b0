"""The work of one chunk of documents, wherever it runs: this process, a local worker
process or a dask worker. It returns rows, held by column (`columns.Columns`), never
DocumentResults: the normalized text and the links stay in the worker."""
from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Iterable, Optional

from .. import collector
from .columns import Columns
from .tables import CLAIM_COLUMNS, FINDING_COLUMNS, columns, kinds


@dataclass(frozen=True)
class DocumentTask:
    """One input document: a file (`file`) or a text from a table (`text`)."""

    path: str                      # the document's name in every table (its key)
    source: str                    # the input it came from: the file, folder or table given
    file: Optional[str] = None     # a file to read
    text: Optional[str] = None     # or the text itself
    size_hint: int = 0             # bytes, to cut chunks of similar weight
    known_sha256: Optional[str] = None   # --resume: skip the document if its sha256 is this
    problem: Optional[str] = None  # a row of a table that holds no document: the reason


@dataclass(frozen=True)
class Settings:
    """What every worker needs, built once by the command. `rules` travels pickled (with
    its check configuration cached on it), so workers need no rule files of their own."""

    rules: object
    key: str                       # digest of everything below: the worker's cache key
    reference_year: Optional[int] = None
    lang: str = "zh"
    tolerance: float = 0.0
    enabled: Optional[tuple] = None
    disabled: tuple = ()
    checks: bool = True
    fault: Optional[str] = None    # tests only: "raise:NAME" or "exit:NAME" fails a document whose path holds NAME


@dataclass
class DocumentRows:
    """One document's share of the three tables."""

    path: str
    document: dict
    claims: "Columns | list" = field(default_factory=list)     # Columns of the table's rows; none: []
    findings: "Columns | list" = field(default_factory=list)
    skipped: bool = False          # --resume found it done: no rows


# Pipelines built in this process, free for the next chunk, by settings key. Not one per
# thread: a dask worker may run each task on a new thread, and building a pipeline (rules
# compiled, lazy tables loaded) costs far more than a chunk of small documents.
_free: dict[str, list] = {}
_lock = threading.Lock()


def _borrow(settings: Settings):
    with _lock:
        free = _free.get(settings.key)
        if free:
            return free.pop()
    from ..malloc import return_large_blocks
    from ..pipeline import Pipeline

    return_large_blocks()   # a new pipeline: the first in this process, or rarely another

    return Pipeline(settings.rules)


def _give_back(settings: Settings, pipeline) -> None:
    with _lock:
        _free.setdefault(settings.key, []).append(pipeline)


def warm_up(settings: Settings) -> None:
    """A pipeline for these settings, built and run once on a short text, left free for
    the next chunk (and for the workers forked from this process)."""
    from ..parallel import WARM_UP_TEXT

    process_document(DocumentTask(path="<warm-up>", source="", text=WARM_UP_TEXT), settings)


def process_chunk(tasks: list[DocumentTask], settings: Settings) -> list[DocumentRows]:
    pipeline = _borrow(settings)
    try:
        return [process_document(task, settings, pipeline) for task in tasks]
    finally:
        _give_back(settings, pipeline)


def process_document(task: DocumentTask, settings: Settings, pipeline=None) -> DocumentRows:
    """Never raises: whatever goes wrong is the document's `error`."""
    if pipeline is None:
        pipeline = _borrow(settings)
        try:
            return process_document(task, settings, pipeline)
        finally:
            _give_back(settings, pipeline)
    # the collector paused over the whole document, checks and rows too: paused by stage,
    # it walked every claim between two stages; once `_processed` has returned, only the
    # rows are left of them
    with collector.paused():
        return _processed(task, settings, pipeline)


def _processed(task: DocumentTask, settings: Settings, pipeline) -> DocumentRows:
    from ..pipeline import _internal

    started = time.perf_counter()
    if task.problem is not None:
        return _failed(task, task.problem, started)
    try:
        if task.known_sha256 is not None and _sha256(task) == task.known_sha256:
            return DocumentRows(path=task.path, document={}, skipped=True)
        _inject_fault(task, settings)
        result = _run(task, settings, pipeline)
        extracted = time.perf_counter()
        errors = list(result.errors)
        findings: Iterable = ()
        if settings.checks and not errors:
            from ..checks import checked_findings

            findings = checked_findings(result, rules=settings.rules, lang=settings.lang,
                                        tolerance=settings.tolerance, enabled=settings.enabled,
                                        disabled=settings.disabled, release_links=True)
        # the rows need neither the normalized text nor what linking learned (a fifth of
        # a figure-dense document's peak, when they were kept while the rows were made)
        result.text = result.links = None
        return _rows(task, result, findings, errors, started, extracted)
    except Exception as exc:  # a bug: this document's error, not the batch's
        return _failed(task, _internal(task.path, exc), started)


def _run(task: DocumentTask, settings: Settings, pipeline):
    if task.text is not None:
        data = task.text.encode("utf-8", "surrogatepass")
        return pipeline.run_text(task.text, path=task.path, sha256=hashlib.sha256(data).hexdigest(),
                                 reference_year=settings.reference_year)
    result = pipeline.run_path(task.file, settings.reference_year)
    if task.file != task.path:
        result.path = task.path
    return result


def _sha256(task: DocumentTask) -> Optional[str]:
    if task.text is not None:
        return hashlib.sha256(task.text.encode("utf-8", "surrogatepass")).hexdigest()
    try:
        digest = hashlib.sha256()
        with open(task.file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def _inject_fault(task: DocumentTask, settings: Settings) -> None:
    if not settings.fault:
        return
    kind, _, name = settings.fault.partition(":")
    if name and name in task.path:
        if kind == "exit":
            os._exit(3)          # a worker that dies (a segfault, the OOM killer)
        raise RuntimeError(f"injected fault on {name}")


def _size(task: DocumentTask) -> Optional[int]:
    if task.file is None and task.text is None:
        return None
    if task.text is not None:
        return len(task.text.encode("utf-8", "surrogatepass"))
    try:
        return os.path.getsize(task.file)
    except OSError:
        return None


def _rows(task: DocumentTask, result, findings: Iterable, errors: list[str], started: float,
          extracted: float) -> DocumentRows:
    """The document's rows. The findings (with their claims, from `checks.checked_findings`)
    are made one at a time, each packed as its row and let go: on figure-dense text whose
    figures disagree there are half as many findings as claims, and all of them at once
    took more than the claims."""
    from ..report import finding_row

    finding_table = _table("findings", result.path)
    finding_values = itemgetter(*[c for c in FINDING_COLUMNS if c != "path"])
    severities = dict.fromkeys(("error", "warning"), 0)
    for finding, claims in findings:
        finding_table.append(finding_values(finding_row(result.path, finding, {c.id: c.text for c in claims})))
        if finding.severity in severities:
            severities[finding.severity] += 1
    done = time.perf_counter()
    # the claims' columns read off the attributes: Claim.to_json (asdict, a deep copy per
    # claim) was an eighth of the worker's time on small documents
    claim_table = _table("claims", result.path)
    claim_values = attrgetter(*[c for c in CLAIM_COLUMNS if c != "path"])
    # each claim let go as its row is packed: the claims and their rows together were a
    # figure-dense document's peak
    pending, result.claims = result.claims, []
    for k, claim in enumerate(pending):
        claim_table.append(claim_values(claim))
        pending[k] = None
    del pending
    document = {
        "path": task.path, "source": task.source, "sha256": result.sha256,
        "status": "error" if errors else "ok", "error": "\n".join(errors) or None,
        "bytes": _size(task), "reference_year": result.reference_year,
        "claims": len(claim_table), "findings": len(finding_table),
        "findings_error": severities["error"], "findings_warning": severities["warning"],
        "seconds": done - started, "extract_seconds": extracted - started, "check_seconds": done - extracted,
    }
    return DocumentRows(path=task.path, document=document, claims=claim_table, findings=finding_table)


def _table(name: str, path: str) -> Columns:
    """The columns of table `name` for one document's rows (its path on every row)."""
    column_kinds, at = _layout(name)
    return Columns(column_kinds, constants={at: path})


@lru_cache(maxsize=None)
def _layout(name: str) -> tuple[list[str], int]:
    """(the column kinds, the index of the path) of table `name`."""
    return kinds(name), columns(name).index("path")


def _failed(task: DocumentTask, reason: str, started: float) -> DocumentRows:
    return DocumentRows(path=task.path, document=failed_document(task, reason, time.perf_counter() - started))


def failed_document(task: DocumentTask, reason: str, seconds: Optional[float] = None) -> dict:
    """The row of a document that gave no result (a bug, a worker that died)."""
    return {"path": task.path, "source": task.source, "sha256": None, "status": "error", "error": reason,
            "bytes": _size(task), "reference_year": None, "claims": 0, "findings": 0,
            "findings_error": 0, "findings_warning": 0, "seconds": seconds,
            "extract_seconds": None, "check_seconds": None}
