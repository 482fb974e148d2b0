"""The documents of one `extract` or `check` command line spread over the machine's cores
(--jobs): forked workers that start with this process's warmed-up pipeline, and the
results given back in input order, each as soon as it and those before it are done.

A worker that dies (killed, out of memory) loses no other document: the documents it
may have held are each run again alone, and the one that kills a worker by itself gets
an error of its own."""
from __future__ import annotations

import os
import signal
import sys
from typing import Callable, Iterator, Optional, TypeVar

T = TypeVar("T")

# Below this much input in all, forking workers costs more than it saves.
PARALLEL_MIN_BYTES = 1 << 20
# What one task sent to a worker holds at most (a larger document goes alone).
CHUNK_BYTES = 128 << 10
CHUNK_FILES = 64

_work: Optional[Callable] = None   # what a forked worker runs: set before the fork

# What a pipeline runs once before workers are forked from it, so that what it loads on
# first use (lookup tables, OpenCC, cn2an) is loaded once, in memory the workers share:
# a Traditional character, and a numeral that only cn2an reads.
WARM_UP_TEXT = "2010年全年生產總值14151.3亿元，比上年增长14.5%，新增企业三千二百家。"


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def jobs_for(requested: Optional[int], paths: list[str]) -> int:
    """How many processes to use: --jobs N as given (never more than there are
    documents); by default every core once the inputs add up to PARALLEL_MIN_BYTES.
    One where workers cannot be forked (not Linux) or a document is standard input,
    which only this process can read."""
    if "-" in paths or not sys.platform.startswith("linux") or len(paths) < 2:
        return 1
    if requested is not None:
        return max(1, min(requested, len(paths)))
    total = sum(map(_size, paths))
    return min(cores(), len(paths)) if total >= PARALLEL_MIN_BYTES else 1


def _size(path: str) -> int:
    """The file's size in bytes; 0 for what cannot be looked at (its error comes later,
    from the document's own run)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _call(paths: list[str]) -> list:
    return [_work(path) for path in paths]


def _chunks(paths: list[str]) -> Iterator[list[str]]:
    """The paths in input order, cut into chunks of about CHUNK_BYTES or CHUNK_FILES: a
    task sent to a worker costs about as much as a small document, and thousands of
    one-paragraph files would otherwise cost as much again in sending."""
    chunk: list[str] = []
    size = 0
    for path in paths:
        size += _size(path)
        chunk.append(path)
        if size >= CHUNK_BYTES or len(chunk) >= CHUNK_FILES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def run_in_order(work: Callable[[str], T], paths: list[str], jobs: int,
                 lost: Callable[[str, str], T]) -> Iterator[T]:
    """work(path) for every path, in order. `work` must not raise (a document's problem
    is in its result); `lost(path, reason)` stands for a document whose worker died."""
    if jobs <= 1:
        yield from map(work, paths)
        return
    global _work
    _work = work
    try:
        yield from _pooled(paths, jobs, lost)
    finally:
        _work = None


def _pool(jobs: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_start)


def _worker_start() -> None:
    global _in_worker
    _in_worker = True
    # Ctrl-C reaches the whole process group: this process stops the workers, which must
    # not each print a traceback of their own
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_in_worker = False


def in_worker() -> bool:
    """Whether this process is a worker of `run_in_order`, whose results are sent back."""
    return _in_worker


def _stop(pool, now: bool) -> None:
    """Shut the pool down; `now` (interrupted, or no more results wanted) without letting
    the workers finish the documents they hold."""
    if now:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _pooled(paths: list[str], jobs: int, lost: Callable[[str, str], T]) -> Iterator[T]:
    from concurrent.futures.process import BrokenProcessPool

    window = 2 * jobs   # chunks in flight: enough to keep every worker busy
    pool = _pool(jobs)
    finished = False
    try:
        pending: list = []   # (chunk, its future or None when the pool broke first), in input order
        queued = _chunks(paths)
        broken = False
        while True:
            while not broken and len(pending) < window:
                chunk = next(queued, None)
                if chunk is None:
                    break
                try:
                    pending.append((chunk, pool.submit(_call, chunk)))
                except BrokenProcessPool:   # a worker died since the last submit
                    pending.append((chunk, None))
                    broken = True
            if not pending:
                finished = True
                return
            chunk, future = pending.pop(0)
            results = None
            if future is not None:
                try:
                    results = future.result()
                except BrokenProcessPool:
                    pass
                except Exception:   # the results could not come back (a bug): each path alone
                    results = [_alone(path, lost) for path in chunk]
            if results is not None:
                yield from results
                continue
            # every unfinished document may have been the one that killed the worker:
            # each runs again alone, and only the one that kills its worker by itself
            # is lost
            _stop(pool, now=False)
            for chunk, future in [(chunk, future)] + pending:
                if future is not None and _succeeded(future):
                    yield from future.result()
                else:
                    for path in chunk:
                        yield _alone(path, lost)
            pending = []
            broken = False
            pool = _pool(jobs)
    finally:
        _stop(pool, now=not finished)


def _succeeded(future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _alone(path: str, lost: Callable[[str, str], T]) -> T:
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(1)
    finished = False
    try:
        result = pool.submit(_call, [path]).result()[0]
        finished = True
        return result
    except BrokenProcessPool:
        finished = True
        return lost(path, "the worker process running it died (killed, or out of memory)")
    except Exception as exc:   # the result could not come back (a bug)
        finished = True
        return lost(path, f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
    finally:
        _stop(pool, now=not finished)

