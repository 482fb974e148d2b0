"""`extract` and `check` spread over processes (--jobs): the same output as one process,
in input order, and a worker that dies loses only its own document."""
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, SEED, python_prints
from factcheck import parallel

CHECKS = FIXTURES / "checks"

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


def run(*args):
    return subprocess.run([sys.executable, "-m", "factcheck", *map(str, args)], capture_output=True, timeout=300)


def _inputs(tmp_path):
    """Fixtures with findings and without, a file that is missing and a binary one, in
    an order that differs from any sort."""
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return [CHECKS / "sum_fail.hans.txt", SEED, tmp_path / "missing.txt", CHECKS / "share_fail.hant.txt",
            binary, FIXTURES / "big5_traditional.txt", CHECKS / "consistent_bulletin.hans.txt",
            FIXTURES / "gb18030_bulletin.txt"]


@linux_only
@pytest.mark.parametrize("command, fmt", [("check", "json"), ("check", "csv"), ("extract", "jsonl")])
def test_jobs_give_the_output_of_one_process(tmp_path, command, fmt):
    inputs = _inputs(tmp_path)
    got = {}
    for jobs in (1, 3):
        out = tmp_path / f"{jobs}.{fmt}"
        proc = run(command, *inputs, "--format", fmt, "-o", out, "--jobs", jobs)
        got[jobs] = (proc.returncode, proc.stderr, out.read_bytes())
    assert got[3] == got[1]
    code, stderr, output = got[1]
    assert code == 2   # the missing and the binary file
    errors = stderr.decode().splitlines()
    assert [line.split(":")[1].strip() for line in errors] == [str(inputs[2]), str(inputs[4])]
    if fmt == "json":
        import json

        documents = json.loads(output)["documents"]
        assert [d["path"] for d in documents] == [str(p) for p in inputs]
        assert documents[0]["findings"] and documents[1]["claims"]


def test_chunks_keep_the_order_and_bound_their_size(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 3)
    paths = []
    for k, size in enumerate([10, 2000, 10, 10, 10, 10, 600, 600, 10]):
        path = tmp_path / f"{k}.txt"
        path.write_bytes(b"x" * size)
        paths.append(str(path))
    chunks = list(parallel._chunks(paths + ["missing"]))
    assert [p for chunk in chunks for p in chunk] == paths + ["missing"]
    assert [len(chunk) for chunk in chunks] == [2, 3, 3, 2]


def test_default_jobs_depend_on_the_inputs(tmp_path):
    small = [str(CHECKS / "sum_fail.hans.txt"), str(SEED)]
    assert parallel.jobs_for(None, small) == 1                 # under PARALLEL_MIN_BYTES
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * parallel.PARALLEL_MIN_BYTES)
    expected = min(parallel.cores(), 2) if sys.platform.startswith("linux") else 1
    assert parallel.jobs_for(None, [str(big), str(SEED)]) == expected
    assert parallel.jobs_for(8, [str(big)]) == 1               # one document: no workers
    assert parallel.jobs_for(8, small) == (2 if sys.platform.startswith("linux") else 1)
    assert parallel.jobs_for(4, [str(big), "-"]) == 1          # only this process reads stdin


def _dies_on_b(path):
    if path == "b":
        os._exit(3)   # as the kernel's out-of-memory killer would end it: no exception
    return path.upper()


@linux_only
@pytest.mark.parametrize("chunk_files", [1, 2, 64])
def test_a_worker_that_dies_loses_only_its_document(monkeypatch, chunk_files):
    monkeypatch.setattr(parallel, "CHUNK_FILES", chunk_files)
    got = list(parallel.run_in_order(_dies_on_b, ["a", "b", "c", "d", "e", "f"], 2,
                                     lambda path, reason: f"lost {path}: {reason}"))
    assert got[0] == "A" and got[2:] == ["C", "D", "E", "F"]
    assert got[1].startswith("lost b: the worker process running it died")


def _unpicklable_for_b(path):
    return (lambda: None) if path == "b" else path.upper()


@linux_only
@pytest.mark.parametrize("chunk_files", [1, 64])
def test_a_result_that_cannot_come_back_is_that_documents_error(monkeypatch, chunk_files):
    monkeypatch.setattr(parallel, "CHUNK_FILES", chunk_files)
    got = list(parallel.run_in_order(_unpicklable_for_b, ["a", "b", "c"], 2, lambda path, reason: f"lost {path}"))
    assert got == ["A", "lost b", "C"]


@linux_only
@pytest.mark.parametrize("chunk_files", [1, 3, 64])
def test_results_stream_in_input_order(monkeypatch, chunk_files):
    monkeypatch.setattr(parallel, "CHUNK_FILES", chunk_files)
    names = [f"doc{k}" for k in range(25)]
    assert list(parallel.run_in_order(str.upper, names, 3, lambda p, r: None)) == [n.upper() for n in names]


def test_jobs_must_be_a_positive_number():
    for bad in ("0", "-2", "two"):
        proc = run("check", SEED, "--jobs", bad)
        assert proc.returncode == 2
        lines = proc.stderr.decode().splitlines()
        assert len(lines) == 1 and "--jobs" in lines[0], lines


@linux_only
def test_a_pool_that_broke_before_the_next_submit_loses_nothing_else(monkeypatch):
    """The consumer is slow: by the time it asks for more, the pool has seen its worker
    die, and the next submit is refused."""
    import time

    monkeypatch.setattr(parallel, "CHUNK_FILES", 1)
    got = parallel.run_in_order(_dies_on_b, list("abcdefgh"), 2, lambda path, reason: f"lost {path}")
    first = next(got)
    time.sleep(1.5)
    assert [first, *got] == ["A", "lost b", "C", "D", "E", "F", "G", "H"]


def _sleeps_after_a(path):
    if path != "a":
        import time

        time.sleep(60)
    return path.upper()


@linux_only
def test_a_consumer_that_stops_early_stops_the_workers(monkeypatch):
    import multiprocessing
    import time

    monkeypatch.setattr(parallel, "CHUNK_FILES", 1)   # "a" comes back alone, before the others

    got = parallel.run_in_order(_sleeps_after_a, ["a", "b", "c", "d"], 2, lambda p, r: None)
    started = time.monotonic()
    assert next(got) == "A"
    assert time.monotonic() - started < 30
    started = time.monotonic()
    got.close()   # as a KeyboardInterrupt in the consumer does
    assert time.monotonic() - started < 30, "waited for the workers to finish their documents"
    assert multiprocessing.active_children() == []


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return handle.read().split()
    except OSError:
        return []


@linux_only
def test_ctrl_c_stops_every_process_with_one_line(tmp_path):
    """A worker blocks on a pipe nobody writes to; Ctrl-C (SIGINT to the process group,
    as a terminal sends it) ends the run at once: exit 130, one line, no output."""
    import signal
    import time

    fifo = tmp_path / "never.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out.json"
    proc = subprocess.Popen([sys.executable, "-m", "factcheck", "check", str(SEED), str(fifo), "--jobs", "2",
                             "--format", "json", "-o", str(out)], stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert len(_children(proc.pid)) >= 2, "the workers never started"
        workers = _children(proc.pid)
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert err.decode().splitlines() == ["factcheck: interrupted; no output written"]
    assert not out.exists()
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers)


def test_the_warm_up_loads_what_is_loaded_on_first_use():
    # cn2an is imported when a numeral first needs it; the warm-up before the fork needs it
    code = ("import sys; from factcheck.parallel import WARM_UP_TEXT; from factcheck.pipeline import Pipeline; "
            "p = Pipeline(); before = 'cn2an' in sys.modules; claims = p.run_text(WARM_UP_TEXT).claims; "
            "print(before, 'cn2an' in sys.modules, *(c.value for c in claims))")
    before, after, *values = python_prints(code).split()
    assert (before, after) == ("False", "True")
    assert "3200.0" in values
