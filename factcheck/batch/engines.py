"""Where chunks of documents run: in this process (--jobs 1), in local worker processes
(--jobs N), or on a dask.distributed cluster (--scheduler). All three take a chunk under
a key and give back (key, rows) or (key, the exception that lost the chunk) as chunks
finish; a document's own failure is never an exception here (it is its row's error)."""
from __future__ import annotations

import collections
import sys
from typing import Hashable, Optional

from .worker import DocumentTask, Settings, process_chunk, warm_up


CONNECT_TIMEOUT = 20.0   # seconds to reach a dask scheduler


class EngineError(Exception):
    """The engine cannot start (no scheduler at that address, ...): one line, exit 2."""


class InProcess:
    """--jobs 1: no worker processes, no pickling."""

    workers = 1
    name = "this process"
    chunked = False   # nothing to amortize: one document at a time, each written as it finishes

    def __init__(self, settings: Settings):
        self.settings = settings
        self._done: collections.deque = collections.deque()

    def submit(self, key: Hashable, tasks: list[DocumentTask]) -> None:
        try:
            self._done.append((key, process_chunk(tasks, self.settings)))
        except Exception as exc:   # pragma: no cover - process_chunk catches per document
            self._done.append((key, exc))

    def in_flight(self) -> int:
        return len(self._done)

    def next_done(self):
        return self._done.popleft()

    def close(self) -> None:
        pass


_worker_settings: Optional[Settings] = None


def _init_worker(settings: Settings) -> None:
    global _worker_settings
    _worker_settings = settings


def _run_chunk(tasks: list[DocumentTask]):
    return process_chunk(tasks, _worker_settings)


class LocalPool:
    """--jobs N: N worker processes, each with its Pipeline built once. A worker that dies
    breaks the pool: the chunks it held come back as exceptions and a new pool is started."""

    name = "local processes"
    chunked = True

    def __init__(self, settings: Settings, jobs: int):
        import multiprocessing

        self.settings = settings
        self.workers = jobs
        # fork where it is safe (Linux): the workers start with this process's modules and
        # a warmed-up pipeline (rules compiled, lazy tables loaded), where forkserver or
        # spawn workers import factcheck and build their own, seconds of CPU each. That
        # CPU counts: on a shared machine the scheduler gives a session's processes a
        # share together (autogroup), so what a worker spends starting is taken from the
        # others.
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        self._context = multiprocessing.get_context(method)
        if method == "fork":
            warm_up(settings)
        self._pool = None
        self._generation = 0
        self._futures: dict = {}   # future -> (key, generation)
        self._start()

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context,
                                         initializer=_init_worker, initargs=(self.settings,))
        self._generation += 1
        # with fork every worker starts at the first submit: now, before the progress bar
        # starts a thread here (a thread's locks are not to be forked)
        self._pool.submit(int).result()

    def submit(self, key: Hashable, tasks: list[DocumentTask]) -> None:
        from concurrent.futures.process import BrokenProcessPool

        try:
            future = self._pool.submit(_run_chunk, tasks)
        except BrokenProcessPool:
            self._restart()
            future = self._pool.submit(_run_chunk, tasks)
        self._futures[future] = (key, self._generation)

    def in_flight(self) -> int:
        return len(self._futures)

    def next_done(self):
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        done, _ = wait(list(self._futures), return_when=FIRST_COMPLETED)
        future = min(done, key=lambda f: str(self._futures[f][0]))
        key, generation = self._futures.pop(future)
        try:
            return key, future.result()
        except BrokenProcessPool as exc:
            if generation == self._generation:
                self._restart()
            return key, exc
        except Exception as exc:
            return key, exc

    def _restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._start()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskEngine:
    """--scheduler tcp://HOST:PORT (an existing dask.distributed cluster) or `local` (a
    LocalCluster of --jobs single-threaded worker processes). Workers read the files
    themselves: the paths must mean the same on every worker (a shared file system);
    texts from tables travel with their chunk. The settings (rules included) are sent to
    every worker once."""

    chunked = True

    def __init__(self, settings: Settings, address: str, jobs: int, timeout: Optional[float] = None):
        timeout = CONNECT_TIMEOUT if timeout is None else timeout
        try:
            from dask.distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise EngineError("--scheduler needs dask.distributed: pip install 'factcheck[dask]'") from None
        self._cluster = None
        try:
            if address == "local":
                import logging

                self._cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self._cluster, timeout=timeout)
                self.name = f"a dask LocalCluster of {jobs} workers"
            else:
                self.client = Client(address, timeout=timeout)
                self.name = f"the dask cluster at {address}"
        except (OSError, TimeoutError) as exc:
            self.close()
            raise EngineError(f"cannot reach the dask scheduler at {address}: {_one_line(exc)}") from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._settings = self.client.scatter(settings, broadcast=True)
        self._done = as_completed(with_results=False)
        self._futures: dict = {}

    def submit(self, key: Hashable, tasks: list[DocumentTask]) -> None:
        future = self.client.submit(process_chunk, tasks, self._settings, pure=False)
        self._futures[future.key] = key
        self._done.add(future)

    def in_flight(self) -> int:
        return len(self._futures)

    def next_done(self):
        future = next(self._done)
        key = self._futures.pop(future.key)
        try:
            return key, future.result()
        except Exception as exc:   # KilledWorker (a worker died on it, again and again), ...
            return key, exc
        finally:
            future.release()

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), self._cluster
        if client is not None:
            try:
                client.close()
            except Exception:  # pragma: no cover - closing a client that lost its scheduler
                pass
        if cluster is not None:
            cluster.close()


def make_engine(settings: Settings, jobs: int, scheduler: Optional[str]):
    if scheduler:
        return DaskEngine(settings, scheduler, jobs)
    if jobs <= 1:
        return InProcess(settings)
    return LocalPool(settings, jobs)


def default_jobs() -> int:
    from ..parallel import cores

    return cores()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
