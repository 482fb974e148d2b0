"""The batch loop: documents in chunks to an engine, rows back, parts to disk.

Chunks are submitted in input order and written in input order (a finished chunk waits
for the ones before it), so the tables are the same whichever engine ran them and
however many workers it had. At most `window` chunks per worker are out at a time, and
at most `behind` per worker wait for an earlier one (a big document keeps the others
busy meanwhile), so memory is bounded by those and a part, not by the corpus.

A chunk that comes back as an exception was lost with its worker (a segfault, the OOM
killer, a dask KilledWorker). Its documents are then run again one at a time, with
nothing else in flight, so that the one that kills its worker is known: it gets status
`error`, the others their results.
"""
from __future__ import annotations

import collections
import time
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Mapping, Optional

from .tables import stored_text
from .worker import DocumentRows, DocumentTask, failed_document


@dataclass
class Limits:
    chunk_docs: int = 32             # documents per chunk ...
    chunk_bytes: int = 256 * 1024    # ... or about this much input (small: the last chunks balance)
    window: int = 4                  # chunks out per worker ...
    behind: int = 32                 # ... and finished per worker, waiting for an earlier one (a big document)
    part_docs: int = 2000            # a part is written after this many documents ...
    part_rows: int = 20_000          # ... or claim rows (about 25 MB held in rows) ...
    part_seconds: float = 30.0       # ... or seconds (so a killed run loses little)


@dataclass
class Tally:
    documents: int = 0    # found in the inputs
    skipped: int = 0      # --resume: already done
    done: int = 0         # run now
    failed: int = 0
    claims: int = 0
    findings: int = 0
    started: float = 0.0

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def chunks(tasks: Iterable[DocumentTask], limits: Limits, done: Mapping[str, str], tally: Tally
           ) -> Iterator[list[DocumentTask]]:
    chunk: list[DocumentTask] = []
    weight = 0
    for task in tasks:
        tally.documents += 1
        known = done.get(stored_text(task.path))   # the tables' paths, as they hold them
        if known is not None:
            task = replace(task, known_sha256=known)
        if chunk and (len(chunk) >= limits.chunk_docs or weight + task.size_hint > limits.chunk_bytes):
            yield chunk
            chunk, weight = [], 0
        chunk.append(task)
        weight += task.size_hint
    if chunk:
        yield chunk


def run(tasks: Iterable[DocumentTask], engine, store, done: Mapping[str, str], limits: Limits = Limits(),
        progress=None) -> Tally:
    tally = Tally(started=time.perf_counter())
    if not getattr(engine, "chunked", True):
        limits = replace(limits, chunk_docs=1, window=1, behind=1)
    source = chunks(tasks, limits, done, tally)
    window = max(1, engine.workers * limits.window)
    backlog = max(window, engine.workers * limits.behind)
    submitted: dict[int, list[DocumentTask]] = {}    # chunk number -> its tasks, until written
    finished: dict[int, list[DocumentRows]] = {}
    redo: dict[int, list[Optional[DocumentRows]]] = {}   # lost chunks, filled one document at a time
    queue: collections.deque = collections.deque()        # (chunk number, index) still to redo
    part = _Part(store, limits)
    number = written = 0
    exhausted = False
    try:
        while True:
            while not queue and not exhausted and engine.in_flight() < window and number - written < backlog:
                chunk = next(source, None)
                if chunk is None:
                    exhausted = True
                    break
                submitted[number] = chunk
                engine.submit(number, chunk)
                number += 1
            if queue and engine.in_flight() == 0:
                seq, index = queue.popleft()
                engine.submit((seq, index), [submitted[seq][index]])
            if engine.in_flight() == 0:
                break
            key, outcome = engine.next_done()
            if isinstance(key, tuple):
                seq, index = key
                task = submitted[seq][index]
                redo[seq][index] = (outcome[0] if not isinstance(outcome, BaseException) else DocumentRows(
                    path=task.path, document=failed_document(
                        task, f"{task.path}: the worker died while reading it ({_reason(outcome)})")))
                if progress:
                    progress.advance(1)
                if all(r is not None for r in redo[seq]):
                    finished[seq] = redo.pop(seq)
            elif isinstance(outcome, BaseException):
                redo[key] = [None] * len(submitted[key])
                queue.extend((key, i) for i in range(len(submitted[key])))
            else:
                finished[key] = outcome
                if progress:
                    progress.advance(len(outcome))
            while written in finished:
                for rows in finished.pop(written):
                    _count(rows, tally)
                    part.add(rows)
                del submitted[written]
                written += 1
        if progress:
            progress.total(tally.documents)
    finally:
        part.flush()   # what is finished is kept, even on Ctrl-C: --resume starts after it
    return tally


def _count(rows: DocumentRows, tally: Tally) -> None:
    if rows.skipped:
        tally.skipped += 1
        return
    tally.done += 1
    tally.failed += rows.document.get("status") == "error"
    tally.claims += len(rows.claims)
    tally.findings += len(rows.findings)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Part:
    """Finished documents waiting to be written as one part."""

    def __init__(self, store, limits: Limits):
        self.store, self.limits = store, limits
        self.rows: list[DocumentRows] = []
        self.claims = 0
        self.since = time.monotonic()

    def add(self, rows: DocumentRows) -> None:
        self.rows.append(rows)
        self.claims += len(rows.claims)
        if (len(self.rows) >= self.limits.part_docs or self.claims >= self.limits.part_rows
                or time.monotonic() - self.since >= self.limits.part_seconds):
            self.flush()

    def flush(self) -> None:
        if any(not r.skipped for r in self.rows):
            self.store.write_part(self.rows)
        self.rows, self.claims, self.since = [], 0, time.monotonic()
