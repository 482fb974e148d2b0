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


def _latest_by_dict(sources):
    """What `_latest_source` gave when it kept a dict of every path."""
    import pyarrow.parquet as pq

    paths = [pq.read_table(s["documents"], columns=["path"]).column(0).to_pylist() if s["documents"] else []
             for s in sources]
    latest = {}
    for index, held in enumerate(paths):
        for path in held:
            latest[path] = index
    return latest, [any(latest[p] > index for p in held) for index, held in enumerate(paths)]


@pytest.mark.parametrize("seed", range(40))
def test_the_latest_source_of_a_path_found_by_hashes_as_by_a_dict(tmp_path, monkeypatch, seed):
    """Paths are compared by their hashes first; those that two sources share, as they
    are. With a hash that makes most paths collide, what `keep` decides and which
    sources overlap are what a dict of every path gave."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from factcheck.batch import tables

    rng = random.Random(seed)
    if seed % 2:
        monkeypatch.setattr(tables, "_path_hash", lambda path: len(path) % 3)
    names = [f"doc{k}" + "x" * rng.randrange(3) for k in range(30)]
    sources = []
    for index in range(rng.randint(0, 5)):
        held = rng.sample(names, rng.randint(0, 12)) + rng.sample(names, rng.randint(0, 2))   # repeats too
        path = tmp_path / f"s{index}.parquet"
        pq.write_table(pa.table({"path": pa.array(held, pa.string())}), path)
        sources.append({"documents": path if held or rng.random() < 0.5 else None})
    latest, overlap = tables._latest_source(sources)
    want_latest, want_overlap = _latest_by_dict(sources)
    assert overlap == want_overlap
    for index, source in enumerate(sources):   # `keep`, for each path a source holds
        held = pq.read_table(source["documents"]).column(0).to_pylist() if source["documents"] else []
        for name in held:
            assert (latest.get(name, index) <= index) == (want_latest[name] <= index), (name, index)
    assert len(latest) <= len(want_latest)


def test_the_latest_source_holds_no_dict_of_every_path(tmp_path):
    """Four sources of 50,000 paths, none shared: hashes in arrays, about 40 bytes a
    path at the peak (the batches' lists of paths among them), and an empty dict; a dict
    of every path was 174 bytes a path, kept to the end of putting the tables together."""
    from conftest import python_prints

    code = r"""
import sys, tracemalloc, pathlib
import pyarrow as pa, pyarrow.parquet as pq
from factcheck.batch import tables
folder = pathlib.Path(sys.argv[1])
sources = []
for index in range(4):
    paths = [f"/data/crawl/2024/bulletins/province-{index}/document-{k:07d}.txt" for k in range(50000)]
    pq.write_table(pa.table({"path": pa.array(paths)}), folder / f"s{index}.parquet")
    sources.append({"documents": folder / f"s{index}.parquet"})
tables._latest_source(sources[:1])
tracemalloc.start()
latest, overlap = tables._latest_source(sources)
print(tracemalloc.get_traced_memory()[1] / 200000, len(latest), sum(overlap))
"""
    per_path, kept, overlapping = python_prints(code, str(tmp_path)).split()
    assert float(per_path) < 80 and kept == "0" and overlapping == "0"


def _done_by_dict(sources):
    """What `PartStore.done` gave when it kept a dict of every path."""
    import pyarrow.parquet as pq

    done = {}
    for source in sources:
        if source["documents"] is None:
            continue
        table = pq.read_table(source["documents"], columns=["path", "sha256", "status"])
        for path, sha, status in zip(*(table.column(i).to_pylist() for i in range(3))):
            if status == "ok" and sha:
                done[path] = sha
            else:
                done.pop(path, None)
    return done


@pytest.mark.parametrize("seed", range(40))
def test_the_documents_done_found_by_hashes_as_by_a_dict(tmp_path, monkeypatch, seed):
    """`DoneIndex`: the latest row of each path decides, as in a dict of every path; a
    path done again, errors, rows without a sha256, paths in Chinese, and (with a hash
    that makes most paths collide) paths that share a hash. Paths not done are not
    found."""
    import hashlib
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from factcheck.batch import tables

    rng = random.Random(seed)
    if seed % 2:
        monkeypatch.setattr(tables, "_path_hash", lambda path: len(path) % 3)
    names = [("文档" if k % 2 else "doc") + f"{k}" + "x" * rng.randrange(3) for k in range(30)]   # UTF-8 of 1 and 3 bytes
    sources = []
    for index in range(rng.randint(0, 5)):
        held = rng.sample(names, rng.randint(0, 12)) + rng.sample(names, rng.randint(0, 2))   # repeats too
        rows = {"path": held,
                "sha256": [None if rng.random() < 0.1 else hashlib.sha256(f"{p}{rng.random()}".encode()).hexdigest()
                           for p in held],
                "status": ["error" if rng.random() < 0.2 else "ok" for _ in held]}
        path = tmp_path / f"s{index}.parquet"
        pq.write_table(pa.table({k: pa.array(v, pa.string()) for k, v in rows.items()}), path)
        sources.append({"documents": path if held or rng.random() < 0.5 else None})
    done, expected = tables.DoneIndex.of(sources), _done_by_dict(sources)
    assert dict(done) == expected and len(done) == len(expected)
    for name in names + ["", "doc", "文档"]:
        assert done.get(name) == expected.get(name)


def test_a_sha256_that_is_not_one_is_not_done(tmp_path):
    """A table edited by hand: a sha256 of other digits or another length is not taken
    for one (the document is run again), and the others still are."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from factcheck.batch.tables import DoneIndex

    good = "ab" * 32
    path = tmp_path / "s.parquet"
    pq.write_table(pa.table({"path": ["a", "b", "c", "d"], "sha256": [good, "zz" * 32, good[:62], good.upper()],
                             "status": ["ok"] * 4}), path)
    assert dict(DoneIndex.of([{"documents": path}])) == {"a": good, "d": good}
    assert dict(DoneIndex.of([])) == {}


def test_the_documents_done_are_held_in_arrays_not_a_dict(tmp_path):
    """200,000 documents done: their paths in an Arrow buffer, their hashes, offsets and
    digests in arrays, about 100 bytes a document of 49 characters; a dict of them took
    250."""
    from conftest import python_prints

    code = r"""
import sys, tracemalloc, pathlib, hashlib
import pyarrow as pa, pyarrow.parquet as pq
from factcheck.batch.tables import DoneIndex
folder = pathlib.Path(sys.argv[1])
paths = [f"/data/crawl/2024/bulletins/document-{k:07d}.txt" for k in range(200000)]
shas = [hashlib.sha256(p.encode()).hexdigest() for p in paths]
pq.write_table(pa.table({"path": paths, "sha256": shas, "status": ["ok"] * len(paths)}), folder / "s.parquet")
del shas
tracemalloc.start()
arrow = pa.total_allocated_bytes()
done = DoneIndex.of([{"documents": folder / "s.parquet"}])
held = tracemalloc.get_traced_memory()[0] + pa.total_allocated_bytes() - arrow
assert done[paths[12345]] == hashlib.sha256(paths[12345].encode()).hexdigest() and len(done) == len(paths)
print(held / len(paths))
"""
    assert float(python_prints(code, str(tmp_path))) < 120
