"""`extract` and `check` spread over processes (--jobs): the same output as one process,
in input order, and a worker that dies loses only its own document."""
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, SEED
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
def test_a_worker_that_dies_loses_only_its_document():
    got = list(parallel.run_in_order(_dies_on_b, ["a", "b", "c", "d", "e", "f"], 2,
                                     lambda path, reason: f"lost {path}: {reason}"))
    assert got[0] == "A" and got[2:] == ["C", "D", "E", "F"]
    assert got[1].startswith("lost b: the worker process running it died")


@linux_only
def test_results_stream_in_input_order():
    names = [f"doc{k}" for k in range(25)]
    assert list(parallel.run_in_order(str.upper, names, 3, lambda p, r: None)) == [n.upper() for n in names]


def test_jobs_must_be_a_positive_number():
    for bad in ("0", "-2", "two"):
        proc = run("check", SEED, "--jobs", bad)
        assert proc.returncode == 2
        lines = proc.stderr.decode().splitlines()
        assert len(lines) == 1 and "--jobs" in lines[0], lines
