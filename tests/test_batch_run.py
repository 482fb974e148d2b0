"""The batch loop with engines that finish chunks out of order or lose them: rows still
come out in input order, each document once, and a lost chunk costs only the document
that loses it."""
from __future__ import annotations

import pytest

from factcheck.batch.main import BatchOptions, _settings
from factcheck.batch.run import Limits, run
from factcheck.batch.worker import DocumentRows, DocumentTask, process_chunk


class Store:
    def __init__(self):
        self.parts: list[list[DocumentRows]] = []

    def write_part(self, rows):
        self.parts.append([r for r in rows if not r.skipped])

    @property
    def paths(self):
        return [r.path for part in self.parts for r in part]


class LastInFirstOut:
    """Finishes the chunk submitted last first; loses any chunk holding a path in `lose`."""

    chunked = True

    def __init__(self, settings, workers=1, lose=()):
        self.settings, self.workers, self.lose = settings, workers, set(lose)
        self.pending: list = []
        self.most_out = 0          # chunks out at once, at most
        self.submitted: list = []

    def submit(self, key, tasks):
        self.pending.append((key, tasks))
        self.submitted.append(key)
        self.most_out = max(self.most_out, len(self.pending))

    def in_flight(self):
        return len(self.pending)

    def next_done(self):
        key, tasks = self.pending.pop()
        if any(t.path in self.lose for t in tasks):
            return key, RuntimeError("worker lost")
        return key, process_chunk(tasks, self.settings)


@pytest.fixture(scope="module")
def settings():
    return _settings(BatchOptions(inputs=[], out=""))


def tasks(n):
    return [DocumentTask(path=f"d{i}", source="t", text=f"出口{i + 1}亿元，增长{i % 9 + 1}%。", size_hint=30)
            for i in range(n)]


def test_rows_come_out_in_input_order_when_chunks_finish_in_reverse(settings):
    store = Store()
    engine = LastInFirstOut(settings, workers=2)
    limits = Limits(chunk_docs=3, window=2, behind=5, part_docs=4)
    tally = run(tasks(40), engine, store, {}, limits)
    assert store.paths == [f"d{i}" for i in range(40)]
    assert tally.done == 40 and tally.failed == 0 and tally.claims == 80
    assert engine.most_out == 4                          # window: 2 chunks out per worker
    assert [len(p) for p in store.parts] == [4] * 10     # a part is written once it holds 4 documents


def test_a_lost_chunk_is_run_again_one_document_at_a_time(settings):
    store = Store()
    engine = LastInFirstOut(settings, workers=2, lose={"d7"})
    tally = run(tasks(20), engine, store, {}, Limits(chunk_docs=4, part_docs=100))
    assert store.paths == [f"d{i}" for i in range(20)]
    rows = {r.path: r for part in store.parts for r in part}
    assert rows["d7"].document["status"] == "error" and "worker died" in rows["d7"].document["error"]
    assert all(rows[f"d{i}"].document["status"] == "ok" and len(rows[f"d{i}"].claims) == 2
               for i in range(20) if i != 7)
    assert tally.failed == 1
    # the chunk of d4..d7 came back lost; its documents were resubmitted alone
    assert [k for k in engine.submitted if isinstance(k, tuple)] == [(1, 0), (1, 1), (1, 2), (1, 3)]


def test_resume_skips_documents_done_with_the_same_sha256(settings):
    first = Store()
    run(tasks(6), LastInFirstOut(settings), first, {}, Limits(chunk_docs=2))
    done = {r.path: r.document["sha256"] for part in first.parts for r in part}
    done["d2"] = "0" * 64                     # as if d2 had changed since
    second = Store()
    tally = run(tasks(6), LastInFirstOut(settings), second, done, Limits(chunk_docs=2))
    assert second.paths == ["d2"] and tally.skipped == 5 and tally.done == 1
