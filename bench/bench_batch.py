#!/usr/bin/env python
"""End-to-end throughput of `factcheck check` and `factcheck batch`, as ratios to a
floor measured in the same run, with peak memory, linearity in document size, documents/s
on many small documents, --jobs 2 against --jobs 1, and the peers where they are installed.

Run by hand (not in CI):

    python bench/bench_batch.py                  # 10 MB corpus, ~5 min on 2 cores
    python bench/bench_batch.py --mb 2 --quick   # a smoke run, ~1 min
    python bench/bench_batch.py --json out.json --peers

The corpus is the decoded fixtures (fixtures/*.txt and fixtures/checks/*.txt) joined in a
cycle and cut into UTF-8 files of --file-kb each, --mb in all. The floor is one Python
process that reads the same files and runs `regex.finditer(r"\\d+(?:\\.\\d+)?")` over
each: every figure is time / floor time, so it travels between machines. Nothing is
asserted. See bench/README.md ("Batch benchmark").
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
FLOOR_PATTERN = r"\d+(?:\.\d+)?"
KB, MB = 1000, 1000 * 1000
SIZES = [1 * KB, 10 * KB, 100 * KB, 1 * MB, 10 * MB]
PEER_SAMPLE_CHARS = 20_000

FLOOR_SCRIPT = r"""
import sys, time, regex
t = time.perf_counter()
n = chars = 0
pattern = regex.compile(sys.argv[1])
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    chars += len(text)
    n += sum(1 for _ in pattern.finditer(text))
print(n, chars, time.perf_counter() - t)
"""

MEMORY_SCRIPT = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[3])
from rss import reset_peak, status
from factcheck.batch.main import BatchOptions, _settings
from factcheck.batch.worker import DocumentTask, process_document
settings = _settings(BatchOptions(inputs=[], out=""))
warm = DocumentTask(path=sys.argv[2], source="", text=open(sys.argv[2], encoding="utf-8").read()[:3000])
process_document(warm, settings)          # lazy tables, OpenCC: before the baseline
reset_peak()
base = status("VmRSS")
t = time.perf_counter()
rows = process_document(DocumentTask(path=sys.argv[1], source="", file=sys.argv[1]), settings)
seconds = time.perf_counter() - t
print(json.dumps({"bytes": os.path.getsize(sys.argv[1]), "growth": status("VmHWM") - base, "seconds": seconds,
                  "claims": len(rows.claims), "status": rows.document["status"], "reason": rows.document["error"]}))
"""

# A command's own peak RSS, read in the process (VmHWM): the peak the kernel reports to
# wait4 (ru_maxrss) starts at the RSS of the process that forked it, this benchmark's,
# which is bigger than a command's on a small file by the time the memory rows run.
COMMAND_MEMORY_SCRIPT = r"""
import runpy, sys
sys.path.insert(0, sys.argv[1])
from rss import reset_peak, status
reset_peak()
sys.argv = ["factcheck", *sys.argv[2:]]
try:
    runpy.run_module("factcheck", run_name="__main__")
except SystemExit as exit:
    if exit.code not in (0, 1, None):
        raise
print(status("VmHWM"))
"""


# ---------------------------------------------------------------- corpus


def fixture_paths() -> list[Path]:
    return sorted(FIXTURES.glob("*.txt")) + sorted((FIXTURES / "checks").glob("*.txt"))


def fixture_texts() -> list[str]:
    from factcheck.decode import read_input

    return [read_input(str(p)).text for p in fixture_paths()]


def build_corpus(folder: Path, texts: list[str], total: int, file_bytes: int) -> list[Path]:
    """Files of about `file_bytes` UTF-8 bytes each, `total` in all, the fixtures in a
    cycle (each file starts where the previous one stopped)."""
    folder.mkdir(parents=True, exist_ok=True)
    files, written, k = [], 0, 0
    while written < total:
        parts, size = [], 0
        while size < file_bytes:
            text = texts[k % len(texts)] + "\n"
            parts.append(text)
            size += len(text.encode("utf-8"))
            k += 1
        path = folder / f"doc{len(files):05d}.txt"
        data = "".join(parts).encode("utf-8")
        path.write_bytes(data)
        files.append(path)
        written += len(data)
    return files


def small_documents(folder: Path, texts: list[str], count: int) -> list[Path]:
    """`count` files of one paragraph each (the fixtures' non-empty lines, in a cycle)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [line for text in texts for line in text.splitlines() if len(line.strip()) >= 20]
    files = []
    for i in range(count):
        path = folder / f"p{i:06d}.txt"
        path.write_text(lines[i % len(lines)], encoding="utf-8")
        files.append(path)
    return files


def sized_text(texts: list[str], nbytes: int) -> str:
    joined = "\n".join(texts) + "\n"
    unit = len(joined.encode("utf-8"))
    text = joined * (nbytes // unit + 1)
    return text.encode("utf-8")[:nbytes].decode("utf-8", "ignore")


def varied_figures(text: str, seed: int = 0) -> str:
    """`text` with each ASCII digit from 1 to 9 replaced by one drawn at random (0 kept,
    so 2010 stays a four-digit year and 0.5 a fraction): the same sentences, figures that
    differ at every repetition. A fixture repeated states each figure again and again,
    which hides what a document of distinct figures costs (caches that do not pay, a
    finding for every restatement that disagrees)."""
    import random

    draw = random.Random(seed)
    digits = "123456789"
    return "".join(draw.choice(digits) if "1" <= ch <= "9" else ch for ch in text)


# ---------------------------------------------------------------- running things


def timed_process(cmd: list[str], timeout: float, env=None) -> dict:
    """Wall time and peak RSS of one child. The child is reaped with wait4, whose usage is
    the child's and its own reaped children's (RUSAGE_BOTH): the largest of the batch's
    processes, workers included."""
    import threading

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=REPO, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - t
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if code < 0:
        return {"error": f"killed (signal {-code}) after {seconds:.0f} s", "stderr": stderr[-2000:]}
    result = {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss": usage.ru_maxrss * 1024,
              "returncode": code, "stdout": stdout[-4000:]}
    if code not in (0, 1):
        result["stderr"] = stderr[-2000:]
    return result


def floor_process(files: list[Path], timeout: float) -> dict:
    got = timed_process([sys.executable, "-c", FLOOR_SCRIPT, FLOOR_PATTERN, *map(str, files)], timeout)
    if "error" not in got:
        numbers, chars, inner = got["stdout"].split()
        got.update(numbers=int(numbers), chars=int(chars), inner_seconds=float(inner))
    return got


def compiled_package() -> bool:
    """The package's bytecode written beforehand, as installing it writes it: a checkout
    run with PYTHONDONTWRITEBYTECODE set (as on some CI machines) would otherwise compile
    every module at every start, 0.06-0.08 s that no installed copy pays."""
    import compileall

    import factcheck

    return bool(compileall.compile_dir(os.path.dirname(factcheck.__file__), quiet=1))


def cached_patterns() -> bool:
    """The grammar's compiled patterns written to the cache beforehand, as the first run
    of an installed copy writes them (factcheck.pattern_cache): every run measured here
    loads them, as every later run of a user's does."""
    from factcheck.extract import grammar
    from factcheck.pattern_cache import cache_dir

    grammar()
    folder = cache_dir()
    return folder is not None and folder.is_dir() and any(folder.iterdir())


def factcheck_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "factcheck", *args]


def best(fn, repeats: int, clock=time.perf_counter):
    times, value = [], None
    for _ in range(repeats):
        t = clock()
        value = fn()
        times.append(clock() - t)
    return min(times), value


# ---------------------------------------------------------------- measurements


def end_to_end(files: list[Path], folder: Path, work: Path, args, log) -> dict:
    """Each command `--rounds` times, the rounds interleaved (floor, check, batch, ...,
    floor, check, ...) so that a load spike on a shared machine does not decide a ratio
    alone; the best of each is kept."""
    chars = sum(len(p.read_text(encoding="utf-8")) for p in files)
    nbytes = sum(p.stat().st_size for p in files)
    out = work / "check.json"
    commands = {
        "check": factcheck_cmd("check", *map(str, files), "--format", "json", "-o", str(out), "--force",
                               "--fail-on", "never"),
        "check --jobs 1": factcheck_cmd("check", *map(str, files), "--format", "json", "-o", str(out), "--force",
                                        "--fail-on", "never", "--jobs", "1"),
        "batch --jobs 1": factcheck_cmd("batch", str(folder), "--out", str(work / "b1"), "--force", "--jobs", "1",
                                        "--no-progress"),
        "batch --jobs 2": factcheck_cmd("batch", str(folder), "--out", str(work / "b2"), "--force", "--jobs", "2",
                                        "--no-progress"),
    }
    if args.dask:
        commands["batch --scheduler local --jobs 2"] = factcheck_cmd(
            "batch", str(folder), "--out", str(work / "bd"), "--force", "--jobs", "2", "--scheduler", "local",
            "--no-progress")
    runs: dict[str, dict] = {}
    paired: dict[str, list[float]] = {}   # each round's time / that round's floor
    for round_ in range(args.rounds):
        got = {"floor": floor_process(files, args.timeout)}
        for name, cmd in commands.items():
            got[name] = timed_process(cmd, args.timeout)
        for name, run in got.items():
            if name not in runs or run.get("seconds", float("inf")) < runs[name].get("seconds", float("inf")):
                runs[name] = run
            if run.get("seconds") and got["floor"].get("seconds"):
                paired.setdefault(name, []).append(run["seconds"] / got["floor"]["seconds"])
        log(f"  round {round_ + 1}: " + ", ".join(f"{n} {r.get('seconds', float('nan')):.2f} s" for n, r in got.items())
            + f" (load {os.getloadavg()[0]:.1f})")
    floor = runs["floor"].get("seconds")
    for name, run in runs.items():
        if run.get("seconds"):
            run["chars_per_s"] = chars / run["seconds"]
            run["x_floor"] = run["seconds"] / floor if floor else None
            # the floor is a fifth of a second: one quick round of it moves the ratio of
            # the bests; the median of each round against its own floor is steadier
            ratios = sorted(paired.get(name, []))
            run["x_floor_rounds"] = ratios
            run["x_floor_median"] = statistics.median(ratios) if ratios else None
            # the floor is one process: a run over several cores is also given as CPU time
            run["cpu_x_floor"] = (run["cpu_seconds"] / runs["floor"]["cpu_seconds"]
                                  if runs["floor"].get("cpu_seconds") else None)
            run["peak_x_input"] = run["peak_rss"] / nbytes
    return {"files": len(files), "chars": chars, "bytes": nbytes, "runs": runs}


def stages(files: list[Path], repeats: int, log) -> dict:
    """In one process: the floor, extraction (read + decode + normalize + extract) and the
    batch worker's whole work (pipeline + checks + rows), over the same files."""
    import regex

    from factcheck.batch.main import BatchOptions, _settings
    from factcheck.batch.worker import DocumentTask, process_document
    from factcheck.decode import read_input
    from factcheck.extract import Extractor
    from factcheck.normalize import normalize
    from factcheck.rules import load_rules

    texts = [p.read_text(encoding="utf-8") for p in files]
    chars = sum(map(len, texts))
    pattern = regex.compile(FLOOR_PATTERN)
    extractor = Extractor(load_rules().exclusion_pattern())
    settings = _settings(BatchOptions(inputs=[], out=""))
    tasks = [DocumentTask(path=str(p), source="", file=str(p)) for p in files]
    process_document(tasks[0], settings)
    out = {}
    out["floor (read + finditer)"] = best(lambda: sum(
        sum(1 for _ in pattern.finditer(p.read_text(encoding="utf-8"))) for p in files), repeats)[0]
    out["extraction (read, decode, normalize, extract)"] = best(lambda: sum(
        len(extractor.extract(normalize(read_input(str(p)).text))) for p in files), repeats)[0]
    out["worker (pipeline + checks + rows)"] = best(lambda: [process_document(t, settings) for t in tasks], repeats)[0]
    floor = out["floor (read + finditer)"]
    log("  " + ", ".join(f"{k.split(' (')[0]} {v:.2f} s" for k, v in out.items()))
    return {name: {"seconds": s, "chars_per_s": chars / s, "x_floor": s / floor} for name, s in out.items()}


def profile_worker(files: list[Path], top: int) -> str:
    from factcheck.batch.main import BatchOptions, _settings
    from factcheck.batch.worker import DocumentTask, process_document

    settings = _settings(BatchOptions(inputs=[], out=""))
    tasks = [DocumentTask(path=str(p), source="", file=str(p)) for p in files]
    process_document(tasks[0], settings)
    profiler = cProfile.Profile()
    profiler.enable()
    for task in tasks:
        process_document(task, settings)
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(r"factcheck/(pipeline|extract|link|normalize|decode|checks/__init__|"
                                               r"report|batch/worker)\.py:\d+\((run_path|run_text|extract|link|"
                                               r"normalize|read_input|decode_bytes|run_checks|claim_rows|"
                                               r"finding_rows|_rows)\)")
    stats.sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def linearity(texts: list[str], sizes: list[int], work: Path, log, one_line: bool = False) -> list[dict]:
    """Pipeline + checks + rows (the batch worker) on one document of each size; with
    `one_line`, the same text with its line breaks made 。 (a scraped page): what looks
    back to the start of a line must not look back to the start of the document."""
    import regex

    from factcheck.batch.main import BatchOptions, _settings
    from factcheck.batch.worker import DocumentTask, process_document

    settings = _settings(BatchOptions(inputs=[], out=""))
    pattern = regex.compile(FLOOR_PATTERN)
    rows = []
    for size in sizes:
        text = sized_text(texts, size)
        if one_line:
            text = text.replace("\n", "。")
        path = work / f"linear{size}{'-one-line' if one_line else ''}.txt"
        path.write_text(text, encoding="utf-8")
        task = DocumentTask(path=str(path), source="", file=str(path))
        # CPU time of this process: on a shared machine wall time at 10 MB swings with the
        # load (0.85x-1.7x the 1 MB cost per char over three runs), CPU time much less
        floor, _ = best(lambda: sum(1 for _ in pattern.finditer(path.read_text(encoding="utf-8"))),
                        5 if size <= MB else 2, time.process_time)
        seconds, got = best(lambda: process_document(task, settings), 3 if size <= MB else 2, time.process_time)
        rows.append({"bytes": size, "chars": len(text), "seconds": seconds, "ns_per_char": seconds / len(text) * 1e9,
                     "x_floor": seconds / floor, "status": got.document["status"], "error": got.document["error"],
                     "claims": len(got.claims)})
        log(f"  {size // KB} KB: {seconds:.3f} s ({rows[-1]['ns_per_char']:.0f} ns/char, {rows[-1]['x_floor']:.0f}x "
            f"floor) {got.document['status']}")
    ref = next((r for r in rows if r["bytes"] == MB), rows[-1])
    for row in rows:
        row["rel_1mb"] = row["ns_per_char"] / ref["ns_per_char"]
    return rows


def densest_fixture(texts: list[str], paths: list[Path]) -> tuple[str, str, float]:
    """(name, text, characters a claim) of the fixture of 1,000 characters or more that
    states the most figures per character: the memory target's worst case, where the
    claims themselves are most of a document's memory. Its rows warm up on itself."""
    from factcheck.pipeline import Pipeline

    pipeline = Pipeline()
    candidates = [(len(pipeline.run_text(text).claims) / len(text), path.name, text)
                  for text, path in zip(texts, paths) if len(text) >= 1000]
    density, name, text = max(candidates)
    return name, text, 1 / density


def command_peak(args: list[str], timeout: float) -> tuple["int | None", float]:
    """(peak RSS in bytes, wall seconds) of `factcheck ARGS...` (COMMAND_MEMORY_SCRIPT);
    no peak when the command failed."""
    got = timed_process([sys.executable, "-c", COMMAND_MEMORY_SCRIPT, str(REPO / "bench"), *args], timeout)
    lines = got.get("stdout", "").strip().splitlines()
    return (int(lines[-1]) if lines and not got.get("returncode") else None), got.get("seconds", 0.0)


def memory(texts: list[str], sizes: list[int], work: Path, timeout: float, log, label: str = "",
           vary: bool = False) -> list[dict]:
    """A batch worker's growth on one document (MEMORY_SCRIPT), and the whole `check
    --format json --jobs 1` command's: its peak RSS on the document less its peak on a
    short text (the warm-up's), which holds the imports and the compiled rules. The
    command also encodes the JSON contract, which the worker does not."""
    rows = []
    warm = work / "warm.txt"
    warm.write_text(texts[0], encoding="utf-8")

    def check_peak(path: Path) -> "int | None":
        return command_peak(["check", str(path), "--format", "json", "-o", str(work / "mem.json"), "--force",
                             "--fail-on", "never", "--jobs", "1"], timeout)[0]

    baseline = check_peak(warm)
    for size in sizes:
        path = work / f"mem{label}{size}.txt"
        text = sized_text(texts, size)
        path.write_text(varied_figures(text) if vary else text, encoding="utf-8")
        got = timed_process([sys.executable, "-c", MEMORY_SCRIPT, str(path), str(warm), str(REPO / "bench")], timeout)
        if "error" in got or got.get("returncode"):
            rows.append({"bytes": size, "error": got.get("error") or got.get("stderr", "")[-300:]})
            continue
        row = json.loads(got["stdout"].strip().splitlines()[-1])
        row["growth_x_size"] = row["growth"] / row["bytes"]
        command = check_peak(path)
        if baseline and command:
            row["check_growth"] = command - baseline
            row["check_x_size"] = row["check_growth"] / row["bytes"]
        rows.append(row)
        log(f"  {size // KB} KB: +{row['growth'] / MB:.1f} MB ({row['growth_x_size']:.1f}x its size); check: "
            f"{row.get('check_x_size', float('nan')):.1f}x")
    return rows


def process_peaks(cmd: list[str], timeout: float, every: float = 0.02) -> dict:
    """Peak RSS (VmHWM) of a command's process and, separately, of the largest of its
    child processes (a batch's main process and its workers), read from /proc while it
    runs: a worker's high-water mark only ever rises, so the last reading before it
    exits is its peak (a peak in its last `every` seconds can be missed)."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    peaks: dict[int, int] = {}
    while child.poll() is None and time.perf_counter() - started < timeout:
        for pid in [child.pid, *_children(child.pid)]:
            got = _hwm(pid)
            if got:
                peaks[pid] = max(peaks.get(pid, 0), got)
        time.sleep(every)
    if child.poll() is None:
        child.kill()
    child.wait()
    workers = [v for pid, v in peaks.items() if pid != child.pid]
    return {"main": peaks.get(child.pid), "worker": max(workers) if workers else None,
            "seconds": time.perf_counter() - started, "returncode": child.returncode}


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(x) for x in handle.read().split()]
    except OSError:
        pass
    return found


def _hwm(pid: int) -> "int | None":
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def batch_peaks(text: str, sizes: list[int], work: Path, timeout: float, log) -> list[dict]:
    """`factcheck batch DIR --jobs 2` over one document of each size (figure-dense text
    whose figures differ): the peak RSS of the main process, which writes the tables,
    and of the worker that read the document; as multiples of the document's size,
    less the same run's peaks on a short text."""
    def peaks(path: Path) -> dict:
        folder = work / f"peaks-{path.stem}"
        folder.mkdir(exist_ok=True)
        (folder / path.name).write_bytes(path.read_bytes())
        return process_peaks(factcheck_cmd("batch", str(folder), "--out", str(work / f"peaks-out-{path.stem}"),
                                           "--jobs", "2", "--no-progress", "--force"), timeout)

    short = work / "peaks-short.txt"
    short.write_text(text[:3000], encoding="utf-8")
    base = peaks(short)
    rows = []
    for size in sizes:
        path = work / f"peaks{size}.txt"
        path.write_text(varied_figures(sized_text([text], size)), encoding="utf-8")
        got = peaks(path)
        row = {"bytes": size, **got}
        for side in ("main", "worker"):
            if got.get(side) and base.get(side):
                row[f"{side}_x_size"] = (got[side] - base[side]) / size
        rows.append(row)
        log(f"  {size // KB} KB: main {got.get('main', 0) / MB:.0f} MB ({row.get('main_x_size', float('nan')):.1f}x), "
            f"worker {(got.get('worker') or 0) / MB:.0f} MB ({row.get('worker_x_size', float('nan')):.1f}x)")
    return rows


REVIEWER_OUTPUTS = (("checklist", "--checklist", "md"), ("html", "--html", "html"), ("xlsx", "--xlsx", "xlsx"))


def reviewer_outputs(text: str, warm_text: str, work: Path, timeout: float, log) -> list[dict]:
    """`factcheck report FILE --checklist/--html/--xlsx OUT --jobs 1` on one document: the
    command's peak RSS less its peak on a short text (COMMAND_MEMORY_SCRIPT), its wall
    time, and the size of what it wrote."""
    path, warm = work / "reviewer.txt", work / "reviewer_warm.txt"
    path.write_text(text, encoding="utf-8")
    warm.write_text(warm_text, encoding="utf-8")
    rows = []
    for name, option, suffix in REVIEWER_OUTPUTS:
        out = work / f"reviewer.{suffix}"

        def peak(source: Path) -> tuple["int | None", float]:
            return command_peak(["report", str(source), option, str(out), "--force", "--fail-on", "never",
                                 "--jobs", "1"], timeout)

        baseline, _ = peak(warm)
        top, seconds = peak(path)
        if baseline is None or top is None:
            rows.append({"output": name, "bytes": path.stat().st_size, "error": "the command failed"})
            continue
        row = {"output": name, "bytes": path.stat().st_size, "growth": top - baseline, "seconds": seconds,
               "output_bytes": out.stat().st_size, "baseline": baseline}
        row["growth_x_size"] = row["growth"] / row["bytes"]
        rows.append(row)
        log(f"  {name}: +{row['growth'] / MB:.1f} MB ({row['growth_x_size']:.1f}x its size), {seconds:.2f} s, "
            f"{row['output_bytes'] / MB:.1f} MB written")
    return rows


def startup(path: Path, work: Path, args, log) -> dict:
    """One document of 10 KB, the way a reviewer checks one report: what a command costs
    before and after its document, with the compiled patterns loaded from the cache and
    with the cache off (FACTCHECK_CACHE_DIR empty: compiled at every start, as before the
    cache). Interleaved rounds, best of each."""
    command = factcheck_cmd("check", str(path), "--format", "json", "-o", str(work / "one.json"), "--force",
                            "--fail-on", "never")
    without = dict(os.environ, FACTCHECK_CACHE_DIR="")
    runs: dict[str, dict] = {}
    for _ in range(max(5, args.rounds)):
        got = {"floor": floor_process([path], args.timeout),
               "check": timed_process(command, args.timeout),
               "check, patterns not cached": timed_process(command, args.timeout, env=without)}
        for name, run in got.items():
            if name not in runs or run.get("seconds", float("inf")) < runs[name].get("seconds", float("inf")):
                runs[name] = run
    for name, run in runs.items():
        if run.get("seconds"):
            run["x_floor"] = run["seconds"] / runs["floor"]["seconds"]
        log(f"  {name}: {run.get('seconds', 0):.3f} s")
    return {"chars": len(path.read_text(encoding="utf-8")), "runs": runs}


def many_small(files: list[Path], folder: Path, work: Path, args, log) -> dict:
    commands = {
        "check": factcheck_cmd("check", *map(str, files), "--format", "json", "-o", str(work / "small.json"),
                               "--force", "--fail-on", "never"),
        "batch --jobs 1": factcheck_cmd("batch", str(folder), "--out", str(work / "s1"), "--force", "--jobs", "1",
                                        "--no-progress"),
        "batch --jobs 2": factcheck_cmd("batch", str(folder), "--out", str(work / "s2"), "--force", "--jobs", "2",
                                        "--no-progress"),
    }
    runs: dict[str, dict] = {}
    for _ in range(args.rounds):
        got = {"floor": floor_process(files, args.timeout)}
        got.update({name: timed_process(cmd, args.timeout) for name, cmd in commands.items()})
        for name, run in got.items():
            if name not in runs or run.get("seconds", float("inf")) < runs[name].get("seconds", float("inf")):
                runs[name] = run
    for name, run in runs.items():
        if run.get("seconds"):
            run["docs_per_s"] = len(files) / run["seconds"]
            run["x_floor"] = run["seconds"] / runs["floor"]["seconds"]
        log(f"  {name}: {run.get('docs_per_s', 0):.0f} docs/s")
    return {"documents": len(files), "chars": sum(len(p.read_text(encoding='utf-8')) for p in files), "runs": runs}


# ---------------------------------------------------------------- peers


JIONLP_SCRIPT = r"""
import json, sys, time
import jionlp
text = open(sys.argv[1], encoding="utf-8").read()
lines = [l for l in text.split("\n") if l.strip()]
out = {"version": getattr(jionlp, "__version__", "?")}
for name in ("extract_money",):
    fn = getattr(getattr(jionlp, "ner", None), name, None) or getattr(jionlp, name, None)
    if fn is None:
        continue
    fn("他花了一百五十二元")
    t = time.perf_counter()
    items = sum(len(fn(line) or []) for line in lines)
    out[name] = {"seconds": time.perf_counter() - t, "items": items}
print(json.dumps(out))
"""


def peers(texts: list[str], work: Path, args, log) -> dict:
    """The peers on the same sample, line by line (both are built for short texts and
    superlinear on long ones); factcheck's extraction and worker on the same lines."""
    from factcheck.batch.main import BatchOptions, _settings
    from factcheck.batch.worker import DocumentTask, process_document
    from factcheck.extract import Extractor
    from factcheck.normalize import normalize
    from factcheck.rules import load_rules

    sample = sized_text(texts, PEER_SAMPLE_CHARS * 3)[:PEER_SAMPLE_CHARS]
    lines = [line for line in sample.split("\n") if line.strip()]
    chars = sum(map(len, lines))
    path = work / "peer_sample.txt"
    path.write_text(sample, encoding="utf-8")
    extractor = Extractor(load_rules().exclusion_pattern())
    settings = _settings(BatchOptions(inputs=[], out=""))
    ours = {
        "factcheck extraction": best(lambda: [extractor.extract(normalize(line)) for line in lines], 3)[0],
        "factcheck worker (pipeline + checks)": best(lambda: [process_document(
            DocumentTask(path="x", source="", text=line), settings) for line in lines], 3)[0],
    }
    result = {"chars": chars, "lines": len(lines),
              "factcheck": {k: {"seconds": v, "chars_per_s": chars / v} for k, v in ours.items()}}
    rt = Path(args.recognizers_python)
    if rt.exists():
        task = {"task": "time", "repeats": 1, "texts": [{"name": "sample", "text": sample, "split": True}],
                "models": ["NumberModel", "PercentModel", "CurrencyModel", "DimensionModel", "AgeModel",
                           "TemperatureModel"]}
        (work / "peer_in.json").write_text(json.dumps(task, ensure_ascii=False), encoding="utf-8")
        got = timed_process([str(rt), str(REPO / "bench" / "peer_runner.py"), str(work / "peer_in.json"),
                             str(work / "peer_out.json")], args.peer_timeout)
        if got.get("returncode") == 0:
            times = json.loads((work / "peer_out.json").read_text(encoding="utf-8"))
            per_model = times["times"]["sample"]
            total = sum(m["seconds"] for m in per_model.values())
            result["recognizers-text"] = {"seconds": total, "chars_per_s": chars / total,
                                          "peer": times["peer"], "models": per_model}
            log(f"  Recognizers-Text {chars / total:,.0f} chars/s")
        else:
            result["recognizers-text"] = {"error": got.get("error") or got.get("stderr", "")[-300:]}
    else:
        result["recognizers-text"] = {"skipped": f"{rt} not found"}
    jio = Path(args.jionlp_python)
    if jio.exists():
        got = timed_process([str(jio), "-c", JIONLP_SCRIPT, str(path)], args.peer_timeout)
        if got.get("returncode") == 0:
            data = json.loads(got["stdout"].strip().splitlines()[-1])
            for name in ("extract_money",):
                if name in data:
                    data[name]["chars_per_s"] = chars / data[name]["seconds"]
            result["jionlp"] = data
            log("  JioNLP " + ", ".join(f"{k} {v['chars_per_s']:,.0f} chars/s" for k, v in data.items()
                                        if isinstance(v, dict)))
        else:
            result["jionlp"] = {"error": got.get("error") or got.get("stderr", "")[-300:]}
    else:
        result["jionlp"] = {"skipped": f"{jio} not found"}
    return result


# ---------------------------------------------------------------- report


def report(data: dict) -> str:
    lines = [f"# factcheck batch benchmark ({data['machine']})", "",
             "The package's bytecode was compiled before the runs, as an install compiles it."
             if data.get("bytecode") else "The package's bytecode could not be compiled: each run compiled it.",
             "The grammar's compiled patterns were in the cache before the runs, as after a first run."
             if data.get("patterns_cached") else "The compiled patterns could not be cached: each run compiled them.",
             ""]
    e2e = data["end_to_end"]
    lines += [f"## End to end: {e2e['files']} files, {e2e['bytes'] / MB:.1f} MB, {e2e['chars']:,} chars", "",
              "| run | seconds | CPU s | chars/s | x floor | x floor, median of rounds | CPU x floor CPU | peak RSS "
              "| peak / input |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, run in e2e["runs"].items():
        if "seconds" not in run:
            lines.append(f"| {name} | {run.get('error')} | | | | | | | |")
            continue
        cpu_x = f"{run['cpu_x_floor']:.1f}" if run.get("cpu_x_floor") else "-"
        median = f"{run['x_floor_median']:.1f}" if run.get("x_floor_median") else "-"
        lines.append(f"| {name} | {run['seconds']:.2f} | {run['cpu_seconds']:.1f} | {run['chars_per_s']:,.0f} | "
                     f"{run['x_floor']:.1f} | {median} | {cpu_x} | {run['peak_rss'] / MB:.0f} MB | "
                     f"{run['peak_x_input']:.1f} |")
    j1, j2 = e2e["runs"].get("batch --jobs 1", {}), e2e["runs"].get("batch --jobs 2", {})
    if j1.get("seconds") and j2.get("seconds"):
        lines += ["", f"--jobs 2 / --jobs 1 speed-up: {j1['seconds'] / j2['seconds']:.2f}x wall, CPU "
                      f"{j2['cpu_seconds'] / j1['cpu_seconds']:.2f}x (on {data['cpus']} CPUs, load "
                      f"{data['load_before']} before the run)"]
    lines += ["", "## Stages in one process (same files)", "", "| stage | seconds | chars/s | x floor |",
              "|---|---:|---:|---:|"]
    for name, row in data["stages"].items():
        lines.append(f"| {name} | {row['seconds']:.2f} | {row['chars_per_s']:,.0f} | {row['x_floor']:.1f} |")
    for key, title in (("linearity", "Linearity"), ("linearity_one_line", "Linearity, the text on one line")):
        lines += ["", f"## {title} (one document, worker: pipeline + checks + rows; CPU time)", "",
                  "| size | CPU s | ns/char | x floor | rel. to 1 MB | status |", "|---|---:|---:|---:|---:|---|"]
        for row in data.get(key, []):
            lines.append(f"| {row['bytes'] // KB} KB | {row['seconds']:.3f} | {row['ns_per_char']:.0f} | "
                         f"{row['x_floor']:.0f} | {row['rel_1mb']:.2f} | {row['status']} |")
    lines += ["", "## Memory of one document: a batch worker, and `check --format json --jobs 1`", "",
              "| text | size | worker growth | x size | `check` growth | x size | claims | seconds |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    dense = data.get("memory_dense")
    sections = [("the corpus text", data["memory"])]
    if dense:
        sections.append((f"{dense['fixture']} repeated ({dense['chars_per_claim']:.1f} chars a claim)", dense["rows"]))
    if data.get("memory_dense_varied"):
        sections.append((f"{dense['fixture']} repeated, its figures varied (`varied_figures`)",
                         data["memory_dense_varied"]))
    for name, rows in sections:
        for row in rows:
            if "error" in row:
                lines.append(f"| {name} | {row['bytes'] // KB} KB | {row['error']} | | | | | |")
            else:
                check = (f"{row['check_growth'] / MB:.1f} MB | {row['check_x_size']:.1f}" if "check_growth" in row
                         else "| ")
                lines.append(f"| {name} | {row['bytes'] // KB} KB | {row['growth'] / MB:.1f} MB | "
                             f"{row['growth_x_size']:.1f} | {check} | {row['claims']:,} | {row['seconds']:.2f} |")
    if data.get("batch_peaks"):
        lines += ["", "## `factcheck batch DIR --jobs 2` on one document, its figures varied: peak RSS", "",
                  "Less the same run's peaks on a short text, as multiples of the document's size.", "",
                  "| size | main process | x size | worker | x size | seconds |", "|---|---:|---:|---:|---:|---:|"]
        for row in data["batch_peaks"]:
            lines.append(f"| {row['bytes'] // KB} KB | {(row.get('main') or 0) / MB:.0f} MB | "
                         f"{row.get('main_x_size', float('nan')):.1f} | {(row.get('worker') or 0) / MB:.0f} MB | "
                         f"{row.get('worker_x_size', float('nan')):.1f} | {row['seconds']:.1f} |")
    reviewer = data.get("reviewer_outputs")
    if reviewer:
        lines += ["", f"## `factcheck report FILE --jobs 1`: {reviewer['fixture']} repeated to 1 MB", "",
                  "Peak RSS less the same command's peak on a short text.", "",
                  "| output | growth | x size | seconds | written |", "|---|---:|---:|---:|---:|"]
        for row in reviewer["rows"]:
            if "error" in row:
                lines.append(f"| {row['output']} | {row['error']} | | | |")
            else:
                lines.append(f"| {row['output']} | {row['growth'] / MB:.1f} MB | {row['growth_x_size']:.1f} | "
                             f"{row['seconds']:.2f} | {row['output_bytes'] / MB:.1f} MB |")
    one = data.get("startup")
    if one:
        lines += ["", f"## Start-up: `check` on one document of {one['chars']:,} chars", "",
                  "| run | seconds | CPU s | x floor |", "|---|---:|---:|---:|"]
        for name, run in one["runs"].items():
            if run.get("seconds"):
                lines.append(f"| {name} | {run['seconds']:.3f} | {run['cpu_seconds']:.2f} | {run['x_floor']:.1f} |")
    small = data["many_small"]
    lines += ["", f"## Many small documents: {small['documents']} files, {small['chars']:,} chars", "",
              "| run | seconds | CPU s | docs/s | x floor |", "|---|---:|---:|---:|---:|"]
    for name, run in small["runs"].items():
        if run.get("seconds"):
            lines.append(f"| {name} | {run['seconds']:.2f} | {run['cpu_seconds']:.1f} | {run['docs_per_s']:,.0f} | "
                         f"{run['x_floor']:.1f} |")
    if "peers" in data:
        p = data["peers"]
        lines += ["", f"## Peers: the same {p['chars']:,} chars, {p['lines']} lines, one line at a time", "",
                  "| tool | chars/s |", "|---|---:|"]
        for name, row in p["factcheck"].items():
            lines.append(f"| {name} | {row['chars_per_s']:,.0f} |")
        rt = p.get("recognizers-text", {})
        lines.append(f"| Recognizers-Text (six Chinese models) | "
                     f"{rt['chars_per_s']:,.0f} |" if "chars_per_s" in rt else
                     f"| Recognizers-Text | {rt.get('skipped') or rt.get('error')} |")
        jio = p.get("jionlp", {})
        if isinstance(jio.get("extract_money"), dict):
            lines.append(f"| JioNLP ner.extract_money (money only) | {jio['extract_money']['chars_per_s']:,.0f} |")
        else:
            lines.append(f"| JioNLP | {jio.get('skipped') or jio.get('error')} |")
    if data.get("profile"):
        lines += ["", "## Profile of the worker over the corpus", "", "```", data["profile"].strip(), "```"]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=10, help="corpus size in MB (default 10)")
    parser.add_argument("--file-kb", type=float, default=100, help="size of one corpus file (default 100 KB)")
    parser.add_argument("--small", type=int, default=5000, help="how many small documents (default 5000)")
    parser.add_argument("--quick", action="store_true", help="linearity and memory up to 1 MB only; no profile")
    parser.add_argument("--repeats", type=int, default=1, help="best of N for the in-process stages")
    parser.add_argument("--rounds", type=int, default=3, help="best of N interleaved rounds of the commands")
    parser.add_argument("--dask", action="store_true", help="also time batch --scheduler local --jobs 2")
    parser.add_argument("--peers", action="store_true", help="time Recognizers-Text and JioNLP where installed")
    parser.add_argument("--recognizers-python", default="/tmp/rtv/bin/python")
    parser.add_argument("--jionlp-python", default="/tmp/jio/bin/python")
    parser.add_argument("--peer-timeout", type=float, default=1800)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one child process may take")
    parser.add_argument("--json", metavar="OUT", help="also write every number as JSON")
    args = parser.parse_args()
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    sys.path.insert(0, str(REPO))
    data_bytecode = compiled_package()
    data_patterns = cached_patterns()
    texts = fixture_texts()
    sizes = [s for s in SIZES if not args.quick or s <= MB]
    data = {"machine": f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs",
            "cpus": os.cpu_count(), "load_before": round(os.getloadavg()[0], 2), "bytecode": data_bytecode,
            "patterns_cached": data_patterns}
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as tmp:
        work = Path(tmp)
        folder = work / "corpus"
        files = build_corpus(folder, texts, int(args.mb * MB), int(args.file_kb * KB))
        log(f"corpus: {len(files)} files, {sum(p.stat().st_size for p in files) / MB:.1f} MB")
        data["end_to_end"] = end_to_end(files, folder, work, args, log)
        log("stages in one process")
        data["stages"] = stages(files, args.repeats, log)
        log("linearity")
        data["linearity"] = linearity(texts, sizes, work, log)
        log("linearity, text on one line")
        data["linearity_one_line"] = linearity(texts, [s for s in sizes if s >= 100 * KB], work, log, one_line=True)
        log("memory")
        data["memory"] = memory(texts, [s for s in sizes if s >= 100 * KB], work, args.timeout, log)
        name, dense, chars_per_claim = densest_fixture(texts, fixture_paths())
        log(f"memory, {name} repeated")
        data["memory_dense"] = {
            "fixture": name, "chars_per_claim": chars_per_claim,
            "rows": memory([dense], [s for s in sizes if s >= MB], work, args.timeout, log, label="dense")}
        log(f"memory, {name} repeated, its figures varied")
        data["memory_dense_varied"] = memory([dense], [s for s in sizes if s >= MB], work, args.timeout, log,
                                             label="varied", vary=True)
        log(f"batch --jobs 2, {name} repeated, its figures varied: peaks of the processes")
        data["batch_peaks"] = batch_peaks(dense, [s for s in sizes if s >= MB], work, args.timeout, log)
        log(f"reviewer outputs, {name} repeated to 1 MB")
        data["reviewer_outputs"] = {"fixture": name,
                                    "rows": reviewer_outputs(sized_text([dense], MB), texts[0], work, args.timeout, log)}
        log("start-up: one small document")
        one = work / "one.txt"
        one.write_text(sized_text(texts, 10 * KB), encoding="utf-8")
        data["startup"] = startup(one, work, args, log)
        log("many small documents")
        small = small_documents(work / "small", texts, args.small)
        data["many_small"] = many_small(small, work / "small", work, args, log)
        if args.peers:
            log("peers")
            data["peers"] = peers(texts, work, args, log)
        if not args.quick:
            data["profile"] = profile_worker(files, 25)
    data["load_after"] = round(os.getloadavg()[0], 2)
    text = report(data)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
