#!/usr/bin/env python
"""Speed and memory of factcheck's extraction, as ratios to a same-run floor.

Run by hand (not in CI): `python bench/bench_extract.py [--quick]`.

The floor is the cheapest conceivable pass over the same text: one `regex.finditer`
over the decoded text counting Arabic numbers. Every stage is reported as
time(stage) / time(floor), so the figures travel between machines; no absolute limit
is asserted anywhere. See bench/README.md for what each figure means.
"""
from __future__ import annotations

import argparse
import bisect
import cProfile
import contextlib
import gc
import importlib
import importlib.util
import io
import json
import math
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SEED = FIXTURES / "sichuan_quality_interview_2010.txt"
KB, MB = 1000, 1000 * 1000
FLOOR_PATTERN = r"\d+(?:\.\d+)?"
LINEARITY_SIZES = [1 * KB, 10 * KB, 100 * KB, 1 * MB, 10 * MB]
LINEARITY_LIMIT = 1.5          # flag when the 10 MB per-char cost exceeds this x the 1 MB one
MIN_SAMPLE = 0.05              # seconds; fast calls are looped until one sample lasts this long


# ---------------------------------------------------------------- corpus


def corpus_base(name: str) -> str:
    """The text a corpus is made of, before it is repeated to size."""
    from factcheck.decode import read_input

    if name == "seed":
        return read_input(str(SEED)).text
    if name == "fixtures":
        paths = sorted(p for p in FIXTURES.glob("*.txt") if p != SEED)
        return "\n".join(read_input(str(p)).text for p in paths)
    raise SystemExit(f"unknown corpus {name!r} (seed, fixtures)")


def _utf8_len(ch: str) -> int:
    c = ord(ch)
    return 1 if c < 0x80 else 2 if c < 0x800 else 3 if c < 0x10000 else 4


_cumulative: dict[int, list[int]] = {}


def sized(base: str, nbytes: int) -> str:
    """`base` repeated (newline-separated) and cut at a character boundary so that its
    UTF-8 encoding is as close to `nbytes` as possible without exceeding it. Built with
    one join, so building it never holds two copies of the result."""
    unit = base + "\n"
    cum = _cumulative.get(id(base))
    if cum is None:
        cum, total = [], 0
        for ch in unit:
            total += _utf8_len(ch)
            cum.append(total)
        _cumulative[id(base)] = cum
    reps, rest = divmod(nbytes, cum[-1])
    tail = bisect.bisect_right(cum, rest)
    return "".join([unit] * reps + [unit[:tail]])


def human(nbytes: float) -> str:
    for factor, suffix in ((MB, "MB"), (KB, "KB")):
        if nbytes >= factor:
            value = nbytes / factor
            return f"{value:.0f} {suffix}" if value == int(value) else f"{value:.1f} {suffix}"
    return f"{nbytes:.0f} B"


# ---------------------------------------------------------------- timing


class Timing(dict):
    """best (s per call), runs, loops, items; or skipped with a reason."""


def _as_in_the_pipeline():
    """The garbage collector paused, as factcheck's pipeline and checks pause it for each
    document (factcheck.collector), so that a stage timed alone costs what it does there."""
    try:
        from factcheck.collector import paused
    except ImportError:   # a factcheck from before the pause
        return contextlib.nullcontext()
    return paused()


def best_of(fn: Callable[[], object], repeats: int, budget: float, count: Callable[[object], int] = None) -> Timing:
    """Best of `repeats` samples of fn(). A call faster than MIN_SAMPLE is looped so one
    sample lasts about that long (like timeit). Further samples are skipped once another
    one would take the measurement past `budget` seconds (at least one always runs)."""
    gc.collect()
    start = time.perf_counter()
    t0 = time.perf_counter()
    try:
        with _as_in_the_pipeline():
            result = fn()
    except Exception as exc:  # e.g. the extractor's regex TimeoutError on big documents
        return Timing(best=None, runs=0, loops=0, items=None, error=_error(exc), failed=1)
    first = time.perf_counter() - t0
    items = count(result) if count else None
    del result
    loops = 1 if first >= MIN_SAMPLE else max(1, math.ceil(MIN_SAMPLE / max(first, 1e-7)))
    samples = [first] if loops == 1 else []
    error = None
    while len(samples) < repeats:
        spent = time.perf_counter() - start
        if samples and spent + min(samples) * loops > budget:
            break
        gc.collect()
        t0 = time.perf_counter()
        try:
            with _as_in_the_pipeline():
                for _ in range(loops):
                    fn()
        except Exception as exc:
            error = _error(exc)
            break
        samples.append((time.perf_counter() - t0) / loops)
    timing = Timing(best=min(samples) if samples else None, runs=len(samples), loops=loops, items=items)
    if error:
        timing.update(error=error, failed=1)
    return timing


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def disable_match_timeout() -> None:
    """--no-timeout: lift factcheck's MATCH_TIMEOUT (a budget for a whole document's scan)
    in this process only, so big documents can be timed past it."""
    import factcheck.extract
    import factcheck.link

    for module in (factcheck.extract, factcheck.link):
        if hasattr(module, "MATCH_TIMEOUT"):
            module.MATCH_TIMEOUT = None


def skipped(reason: str) -> Timing:
    return Timing(best=None, runs=0, loops=0, items=None, skipped=reason)


def predict(points: list[tuple[int, float]], size: int) -> Optional[tuple[float, float]]:
    """(predicted seconds at `size`, exponent) from the two largest measured points,
    assuming time ~ size^k with k >= 1."""
    points = [(n, t) for n, t in points if t]
    if not points:
        return None
    if len(points) == 1:
        n, t = points[0]
        return t * size / n, 1.0
    (n1, t1), (n2, t2) = points[-2], points[-1]
    k = max(1.0, math.log(t2 / t1) / math.log(n2 / n1)) if t1 > 0 and n2 != n1 else 1.0
    return t2 * (size / n2) ** k, k


# ---------------------------------------------------------------- factcheck hooks


class Stages:
    """The factcheck callables under test, built once."""

    def __init__(self):
        import regex

        from factcheck.normalize import normalize
        from factcheck.pipeline import Pipeline

        self.regex = regex
        self.normalize = normalize
        self.pipeline = Pipeline()
        self.extractor = self.pipeline.extractor   # as the pipeline runs it (its exclusion rules apart)
        self.run_checks, self.checks_note = _find_checks()
        self._checks_form: Optional[str] = None

    def floor(self, text: str) -> int:
        return sum(1 for _ in self.regex.finditer(FLOOR_PATTERN, text))

    def extraction(self, text: str):
        return self.extractor.extract(self.normalize(text))

    def end_to_end(self, text: str):
        result = self.pipeline.run_text(text)
        if self.run_checks is not None:
            self._call_checks(result)
        return result

    def _call_checks(self, result):
        # The check stage does not exist yet; its signature is a guess: a DocumentResult,
        # else its claims.
        if self._checks_form != "claims":
            try:
                out = self.run_checks(result)
                self._checks_form = "result"
                return out
            except TypeError:
                if self._checks_form == "result":
                    raise
        self._checks_form = "claims"
        return self.run_checks(result.claims)


def _find_checks() -> tuple[Optional[Callable], str]:
    try:
        module = importlib.import_module("factcheck.checks")
    except ImportError as exc:
        return None, f"factcheck.checks not importable ({exc}); check stage not there yet"
    fn = getattr(module, "run_checks", None)
    if callable(fn):
        return fn, "factcheck.checks.run_checks included in end-to-end"
    return None, "factcheck.checks.run_checks not there yet: end-to-end is extract + link"


def _claims(result) -> int:
    return len(result.claims) if hasattr(result, "claims") else len(result)


# ---------------------------------------------------------------- child processes


def child_main(kind: str, corpus: str, nbytes: int) -> None:
    """Runs in a subprocess; prints one JSON object on stdout."""
    if kind == "mem":
        from factcheck.pipeline import Pipeline

        base = corpus_base(corpus)
        text = sized(base, nbytes)
        pipe = Pipeline()
        pipe.run_text(base[:2000])     # load lazy state (OpenCC, fold tables) before the baseline
        # and cn2an, which factcheck's own workers load in their warm-up before the first
        # document: the seed's first 2 KB need none, and its import (about 2 MB) was counted
        # as the document's
        from factcheck.parallel import WARM_UP_TEXT
        pipe.run_text(WARM_UP_TEXT)
        gc.collect()
        # ru_maxrss is a high-water mark: import-time transients (numpy tables, pandas) would
        # hide a smaller run, so on Linux the mark is reset ("5" > /proc/self/clear_refs) after
        # the setup. Linux also floors a child's ru_maxrss at its parent's RSS when it was
        # spawned (the exec'ing mm's peak is folded into the process-wide maximum), which the
        # reset does not clear; VmHWM in /proc/self/status is the same per-mm peak without
        # that, so it is used where it exists, ru_maxrss elsewhere.
        reset = _reset_peak()
        baseline = _peak_rss()
        t0 = time.perf_counter()
        try:
            result = pipe.run_text(text)
        except Exception as exc:
            print(json.dumps({"error": _error(exc), "seconds": time.perf_counter() - t0}))
            return
        seconds = time.perf_counter() - t0
        peak = _peak_rss()
        print(json.dumps({"baseline": baseline[0], "peak": peak[0], "source": peak[1], "hwm_reset": reset,
                          "ru_maxrss_baseline": baseline[2], "ru_maxrss_peak": peak[2], "seconds": seconds, "chars": len(text),
                          "bytes": len(text.encode("utf-8")), "str_bytes": sys.getsizeof(text),
                          "claims": len(result.claims)}))
        return
    base = corpus_base(corpus)
    text = sized(base, nbytes)
    if kind == "recognizers":
        from recognizers_suite import Culture, recognize_number

        call = lambda: recognize_number(text, Culture.Chinese)  # noqa: E731
        what = "recognizers_suite.recognize_number(text, Culture.Chinese)"
    elif kind == "jionlp":
        import jionlp

        fn = getattr(getattr(jionlp, "ner", None), "extract_money", None) or getattr(jionlp, "extract_money")
        call = lambda: fn(text)  # noqa: E731
        what = f"jionlp {fn.__module__}.{fn.__name__}(text)"
    else:
        raise SystemExit(f"unknown child kind {kind!r}")
    t0 = time.perf_counter()
    found = call()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "items": len(found) if hasattr(found, "__len__") else None,
                      "what": what, "chars": len(text)}))


CHILD_FLAGS: list[str] = []   # flags the children inherit (--no-timeout)


def _reset_peak() -> bool:
    from rss import reset_peak   # bench/, this script's folder

    return reset_peak()


def _peak_rss() -> tuple[int, str, int]:
    """(peak RSS in bytes, where it was read, ru_maxrss in bytes)."""
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024, "VmHWM", ru
    except OSError:
        pass
    return ru, "ru_maxrss", ru


def run_child(kind: str, corpus: str, nbytes: int, timeout: Optional[float]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", kind, corpus, str(nbytes), *CHILD_FLAGS]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=str(REPO))
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"child failed: {last}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- measurements


def measure_linearity(st: Stages, base: str, sizes: list[int], repeats: int, budget: float, log) -> list[dict]:
    rows: list[dict] = []
    points: list[tuple[int, float]] = []
    for size in sizes:
        text = sized(base, size)
        row = {"size": size, "chars": len(text)}
        guess = predict(points, len(text)) if size > 100 * KB else None
        if guess:
            row["predicted"], row["exponent"] = guess
        if guess and guess[0] > budget:
            row["pipeline"] = skipped(f"predicted ~{guess[0]:.0f} s (growth exponent {guess[1]:.2f}) "
                                      f"> budget {budget:.0f} s")
        else:
            if guess:
                log(f"  linearity {human(size)}: pipeline predicted ~{guess[0]:.1f} s per run")
            row["pipeline"] = best_of(lambda: st.end_to_end(text), repeats, budget, _claims)
            if row["pipeline"]["best"]:
                points.append((len(text), row["pipeline"]["best"]))
        row["extraction"] = best_of(lambda: st.extraction(text), repeats, budget, _claims)
        rows.append(row)
        log(f"  linearity {human(size)}: pipeline {_cell(row['pipeline'])}, extraction {_cell(row['extraction'])}")
    ref = next((r for r in rows if r["size"] == 1 * MB), rows[-1])
    for row in rows:
        for stage in ("pipeline", "extraction"):
            t = row[stage]["best"]
            row[f"{stage}_ns_per_char"] = t / row["chars"] * 1e9 if t else None
    for row in rows:
        for stage in ("pipeline", "extraction"):
            mine, theirs = row[f"{stage}_ns_per_char"], ref[f"{stage}_ns_per_char"]
            row[f"{stage}_rel"] = mine / theirs if mine and theirs else None
        if row.get("predicted") and ref["pipeline_ns_per_char"] and row is not ref:
            row["pipeline_rel_predicted"] = row["predicted"] / row["chars"] * 1e9 / ref["pipeline_ns_per_char"]
    return rows


def linearity_verdict(rows: list[dict]) -> Optional[dict]:
    big = next((r for r in rows if r["size"] == 10 * MB), None)
    if big is None:
        return None
    rel = big.get("pipeline_rel")
    if rel is not None:
        return {"rel": rel, "measured": True, "flag": rel > LINEARITY_LIMIT}
    rel = big.get("pipeline_rel_predicted")
    if rel is not None:
        return {"rel": rel, "measured": False, "flag": rel > LINEARITY_LIMIT}
    return None


def _rest(whole: Timing, *parts: Timing) -> Timing:
    """What a whole takes beyond its parts (each timed alone), as a timing of 0 runs."""
    if whole["best"] is None or any(part["best"] is None for part in parts):
        return Timing(best=None, runs=0, loops=1, items=None, error="a part failed", failed=1)
    rest = max(0.0, whole["best"] - sum(part["best"] for part in parts))
    return Timing(best=rest, runs=0, loops=1, items=whole["items"])


def _cell(t: Timing, spec: str = ".4f") -> str:
    """A timing for a table cell: seconds, or why there is none."""
    if t["best"] is not None:
        return format(t["best"], spec) + (" (!)" if t.get("error") else "")
    if t.get("skipped"):
        return "skipped"
    return "FAILED"


def measure_corpus(st: Stages, name: str, target: int, args, log) -> dict:
    from factcheck.decode import read_input

    log(f"corpus {name}: building {human(target)}")
    base = corpus_base(name)
    st.end_to_end(base)            # warm lazy state (fold tables, OpenCC) before timing
    sizes = [s for s in LINEARITY_SIZES if s <= target]
    linearity = measure_linearity(st, base, sizes, args.repeats, args.budget, log)
    text = sized(base, target)
    nbytes = len(text.encode("utf-8"))
    with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False, dir="/tmp") as handle:
        handle.write(text.encode("utf-8"))
        path = handle.name
    try:
        stages: dict[str, Timing] = {}
        R, B = args.repeats, args.budget
        # The floor is sampled again between the stages and its best sample kept: the
        # machine's speed drifts over seconds, and one slow stretch of floor samples
        # would flatter every ratio.
        floors = [best_of(lambda: st.floor(text), R, B, int)]

        def sample_floor() -> None:
            floors.append(best_of(lambda: st.floor(text), R, B, int))

        stages["floor+read"] = best_of(lambda: st.floor(read_input(path).text), R, B, int)
        log(f"  floor {floors[0]['best']:.4f} s, floor+read {stages['floor+read']['best']:.4f} s")
        stages["normalize"] = best_of(lambda: st.normalize(text), R, B)
        sample_floor()
        log(f"  normalize {stages['normalize']['best']:.3f} s")
        doc = st.normalize(text)
        stages["extract only"] = best_of(lambda doc=doc: st.extractor.extract(doc), R, B, len)
        sample_floor()
        # the parts of extract only: the scan, the exclusions, and judging (the rest)
        stages["scan"] = best_of(lambda doc=doc: st.extractor._scan(doc.norm), R, B, len)
        stages["exclusions"] = best_of(lambda doc=doc: st.extractor._excluded(doc.norm, "<bench>", []), R, B, len)
        sample_floor()
        stages["judge"] = _rest(stages["extract only"], stages["scan"], stages["exclusions"])
        log(f"  extract only {_cell(stages['extract only'], '.3f')} s: scan {_cell(stages['scan'], '.3f')}, "
            f"exclusions {_cell(stages['exclusions'], '.3f')}, judge {_cell(stages['judge'], '.3f')}")
        del doc
        row = linearity[-1]
        if row["size"] == target:  # the same text was measured by the linearity series
            stages["extraction"], stages["pipeline"] = row["extraction"], row["pipeline"]
        else:
            stages["extraction"] = best_of(lambda: st.extraction(text), R, B, len)
            stages["pipeline"] = best_of(lambda: st.end_to_end(text), R, B, _claims)
        sample_floor()
    finally:
        os.unlink(path)
    measured = [f for f in floors if f["best"]]
    stages = {"floor": min(measured, key=lambda f: f["best"]) if measured else floors[0], **stages}
    stages["floor"]["runs"] = sum(f["runs"] for f in floors)
    log(f"  floor, best of {stages['floor']['runs']} samples in {len(floors)} series: {_cell(stages['floor'], '.4f')} s "
        f"(series' best from {min(f['best'] for f in measured):.4f} to {max(f['best'] for f in measured):.4f} s)")
    floor, floor_read = stages["floor"]["best"], stages["floor+read"]["best"]
    for timing in stages.values():
        t = timing["best"]
        timing["chars_per_s"] = len(text) / t if t else None
        timing["x_floor"] = t / floor if t and floor else None
        timing["x_floor_read"] = t / floor_read if t and floor_read else None
    return {"corpus": name, "size": target, "bytes": nbytes, "chars": len(text), "stages": stages,
            "linearity": linearity, "linearity_verdict": linearity_verdict(linearity)}


def measure_memory(sizes: list[int], linearity: list[dict], budget: float, log) -> list[dict]:
    rows = []
    points = [(r["chars"], r["pipeline"]["best"]) for r in linearity if r["pipeline"]["best"]]
    by_size = {r["size"]: r for r in linearity}
    for size in sizes:
        known = by_size.get(size, {}).get("pipeline", {}).get("best")
        guess = known if known else (predict(points, by_size[size]["chars"])[0] if size in by_size and points else None)
        if guess is not None and guess > budget:
            rows.append({"size": size, "skipped": f"pipeline predicted ~{guess:.0f} s > budget {budget:.0f} s"})
            continue
        timeout = None if math.isinf(budget) else max(120.0, 3 * (guess or budget) + 60)
        log(f"  memory child {human(size)} ...")
        out = run_child("mem", "seed", size, timeout)
        out["size"] = size
        if "error" not in out:
            out["delta"] = out["peak"] - out["baseline"]
            out["x_doc_bytes"] = out["delta"] / out["bytes"]
        rows.append(out)
    return rows


def measure_small_docs(st: Stages, repeats: int, budget: float) -> dict:
    seed = corpus_base("seed")
    docs = [line for line in seed.split("\n") if line.strip()]
    chars = sum(len(d) for d in docs)

    def floor_all():
        return sum(st.floor(d) for d in docs)

    def pipeline_all():
        return sum(len(st.end_to_end(d).claims) for d in docs)

    floor = best_of(floor_all, repeats, budget, int)
    many = best_of(pipeline_all, repeats, budget, int)
    whole = best_of(lambda: st.end_to_end(seed), repeats, budget, _claims)
    out = {"docs": len(docs), "chars": chars, "floor": floor, "pipeline": many, "one_doc": whole}
    if many["best"] and floor["best"] and whole["best"]:
        out.update(docs_per_s=len(docs) / many["best"], chars_per_s=chars / many["best"],
                   x_floor=many["best"] / floor["best"],
                   per_char_vs_one_doc=(many["best"] / chars) / (whole["best"] / len(seed)))
    return out


def measure_comparators(floor_1mb: Optional[float], budget: float, log) -> dict:
    out = {}
    for kind, module in (("recognizers", "recognizers_suite"), ("jionlp", "jionlp")):
        package = "recognizers-text-suite" if kind == "recognizers" else "jionlp"
        if importlib.util.find_spec(module) is None:
            out[package] = {"installed": False}
            continue
        log(f"  comparator {package} on 1 MB ...")
        res = run_child(kind, "seed", 1 * MB, None if math.isinf(budget) else budget)
        res["installed"] = True
        if "seconds" in res and floor_1mb:
            res["chars_per_s"] = res["chars"] / res["seconds"]
            res["x_floor"] = res["seconds"] / floor_1mb
        out[package] = res
    return out


def profile_pipeline(st: Stages, size: int, top: int) -> tuple[str, list[dict]]:
    text = sized(corpus_base("seed"), size)
    prof = cProfile.Profile()
    error = None
    prof.enable()
    try:
        st.end_to_end(text)
    except Exception as exc:
        error = _error(exc)
    finally:
        prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).sort_stats("tottime")
    stats.print_stats(top)
    rows = []
    for func in stats.fcn_list[:top]:
        cc, nc, tt, ct, _ = stats.stats[func]
        filename, line, name = func
        rows.append({"function": f"{_short(filename)}:{line}({name})", "ncalls": nc,
                     "tottime": tt, "cumtime": ct})
    return buf.getvalue(), rows, error


def _short(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(REPO))
    except ValueError:
        return filename


# ---------------------------------------------------------------- report


def _fmt(value, spec: str = ".3f", none: str = "-") -> str:
    return none if value is None else format(value, spec)


def _rate(value: Optional[float]) -> str:
    if value is None:
        return "-"
    for factor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= factor:
            return f"{value / factor:.2f} {suffix}"
    return f"{value:.0f}"


class Report:
    def __init__(self):
        try:
            from rich.console import Console

            self.console = Console(width=max(120, int(os.environ.get("COLUMNS", "0") or 0)))
        except ImportError:
            self.console = None

    def log(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def line(self, text: str = "") -> None:
        if self.console:
            self.console.print(text, highlight=False, markup=False)
        else:
            print(text)

    def table(self, title: str, columns: list[str], rows: list[list[str]], notes: list[str] = ()) -> None:
        if self.console:
            from rich.table import Table

            table = Table(title=title, title_justify="left", show_lines=False)
            for i, col in enumerate(columns):
                table.add_column(col, justify="left" if i == 0 else "right")
            for row in rows:
                table.add_row(*row)
            self.console.print(table)
        else:
            print(title)
            widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(columns)]
            print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
            for row in rows:
                print("  ".join(v.ljust(w) for v, w in zip(row, widths)))
        for note in notes:
            self.line(f"  {note}")
        self.line()


STAGE_WHAT = {
    "floor": "finditer \\d+(?:\\.\\d+)? on decoded text",
    "floor+read": "read_input(file) + floor",
    "normalize": "normalize(text)",
    "extract only": "Extractor.extract(doc), doc prebuilt",
    "scan": "  its scan: Extractor._scan(doc.norm)",
    "exclusions": "  its exclusions: Extractor._excluded",
    "judge": "  the rest: judging (extract only - scan - exclusions)",
    "extraction": "normalize + Extractor.extract",
    "pipeline": "Pipeline.run_text: norm+extract+link",
}


def print_corpus(rep: Report, res: dict, checks_note: str) -> None:
    rows = []
    for stage, t in res["stages"].items():
        what = STAGE_WHAT[stage]
        if stage == "pipeline" and "included" in checks_note:
            what += " + run_checks"
        runs = f"{t['runs']}" + (f"x{t['loops']}" if t["loops"] > 1 else "") if t["runs"] else "-"
        rows.append([stage, what, _cell(t), runs, _rate(t.get("chars_per_s")),
                     _fmt(t.get("x_floor"), ".1f") + "x", _fmt(t.get("x_floor_read"), ".1f") + "x",
                     "-" if t["items"] is None else str(t["items"])])
    notes = [f"items: numbers found (floor) or claims (extraction, pipeline). {checks_note}."]
    notes += _problems(res["stages"].items())
    rep.table(f"Stages — corpus '{res['corpus']}', {human(res['size'])} ({res['bytes']:,} bytes UTF-8, "
              f"{res['chars']:,} characters)",
              ["stage", "what", "best s", "runs", "chars/s", "x floor", "x floor+read", "items"], rows, notes)

    rows = []
    for r in res["linearity"]:
        p, e = r["pipeline"], r["extraction"]
        if p["best"] is None and r.get("pipeline_rel_predicted"):
            prel = f"~{r['pipeline_rel_predicted']:.2f} pred."
        else:
            prel = _fmt(r["pipeline_rel"], ".2f")
        items = p["items"] if p["items"] is not None else e["items"]
        rows.append([human(r["size"]), f"{r['chars']:,}", _cell(p), _fmt(r["pipeline_ns_per_char"], ".0f"), prel,
                     _cell(e), _fmt(r["extraction_ns_per_char"], ".0f"), _fmt(r["extraction_rel"], ".2f"),
                     _fmt(items, "d")])
    verdict = res["linearity_verdict"]
    notes = ["rel = per-character cost / per-character cost at the 1 MB point (1.00 = linear)."]
    for r in res["linearity"]:
        if r.get("predicted") and r["pipeline"]["best"] is None:
            notes.append(f"{human(r['size'])}: pipeline predicted ~{r['predicted']:.0f} s per run "
                         f"(time ~ size^{r['exponent']:.2f} from the two largest measured sizes)")
    notes += _problems((f"{human(r['size'])} {stage}", r[stage]) for r in res["linearity"]
                       for stage in ("pipeline", "extraction"))
    if verdict:
        how = "measured" if verdict["measured"] else "PREDICTED from the two largest measured sizes"
        notes.append(f"FLAG: superlinear, 10 MB per-char cost is {verdict['rel']:.2f}x the 1 MB one ({how}) "
                     f"> {LINEARITY_LIMIT}x" if verdict["flag"] else
                     f"ok: 10 MB per-char cost is {verdict['rel']:.2f}x the 1 MB one ({how})")
    rep.table(f"Linearity — corpus '{res['corpus']}'",
              ["size", "chars", "pipeline s", "ns/char", "rel 1 MB", "extraction s", "ns/char", "rel 1 MB", "claims"],
              rows, notes)


def _problems(named) -> list[str]:
    out = []
    for name, t in named:
        if t.get("skipped"):
            out.append(f"{name} skipped: {t['skipped']}")
        elif t.get("error"):
            ok = f"{t['runs']} run(s) succeeded, then " if t["runs"] else ""
            hint = " (factcheck's MATCH_TIMEOUT; --no-timeout lifts it)" if "TimeoutError" in t["error"] else ""
            out.append(f"{name} FAILED: {ok}{t['error']}{hint}")
    return out


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", "-n", type=int, default=3, help="best of N samples per figure (default 3)")
    parser.add_argument("--quick", action="store_true", help="stop at 1 MB (no 10 MB runs)")
    parser.add_argument("--json", metavar="OUT", help="also write every number as JSON to OUT")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile one pipeline run on the seed at the target size; top 15 by tottime")
    parser.add_argument("--corpora", default="seed,fixtures",
                        help="comma list of seed (the Sichuan interview) and fixtures (the other fixtures/*.txt)")
    parser.add_argument("--budget", type=float, default=600.0,
                        help="seconds one figure may take: repeats stop, and runs predicted longer are "
                             "skipped (default 600; 'inf' for no limit)")
    parser.add_argument("--no-timeout", action="store_true",
                        help="lift factcheck's MATCH_TIMEOUT in the benchmark process (and its children), "
                             "to time documents whose scan exceeds it")
    parser.add_argument("--_child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.no_timeout:
        disable_match_timeout()
        CHILD_FLAGS.append("--no-timeout")
    if args._child:
        kind, corpus, nbytes = args._child
        child_main(kind, corpus, int(nbytes))
        return 0
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    corpora = [c.strip() for c in args.corpora.split(",") if c.strip()]
    target = 1 * MB if args.quick else 10 * MB

    rep = Report()
    import regex

    import factcheck

    st = Stages()
    commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "?"
    meta = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "regex": regex.__version__, "factcheck": getattr(factcheck, "__version__", "?"), "commit": commit,
            "repeats": args.repeats, "budget": args.budget, "target_bytes": target, "checks": st.checks_note,
            "seed": str(SEED.relative_to(REPO))}
    rep.line(f"factcheck bench — commit {commit}, Python {meta['python']}, regex {meta['regex']}, "
             f"{meta['cpus']} CPUs, {meta['platform']}")
    rep.line(f"best of {args.repeats}, budget {args.budget:.0f} s per figure, target {human(target)}; "
             f"sizes are UTF-8 bytes (1 MB = 10^6)")
    rep.line()

    results = {"meta": meta, "corpora": {}}
    t_start = time.perf_counter()
    for name in corpora:
        res = measure_corpus(st, name, target, args, rep.log)
        results["corpora"][name] = res
        print_corpus(rep, res, st.checks_note)

    # memory, small documents, comparators: on the seed
    seed_lin = results["corpora"]["seed"]["linearity"] if "seed" in results["corpora"] else \
        measure_linearity(st, corpus_base("seed"), [s for s in LINEARITY_SIZES if s <= 1 * MB],
                          args.repeats, args.budget, rep.log)
    mem_sizes = [1 * MB] if args.quick else [1 * MB, 10 * MB]
    memory = measure_memory(mem_sizes, seed_lin, args.budget, rep.log)
    results["memory"] = memory
    rows = []
    for m in memory:
        if "skipped" in m or "error" in m:
            rows.append([human(m["size"]), "-", "-", "-", "-", m.get("skipped") or m.get("error")])
            continue
        rows.append([human(m["size"]), f"{m['baseline'] / 1e6:.0f}", f"{m['peak'] / 1e6:.0f}", f"{m['delta'] / 1e6:.1f}",
                     f"{m['x_doc_bytes']:.1f}x", f"{m['source']}; text str {m['str_bytes'] / 1e6:.1f} MB; "
                     f"run {m['seconds']:.1f} s" + ("" if m.get("hwm_reset") else "; peak not reset: lower bound")])
    rep.table("Peak memory of one pipeline run on the seed (child process)",
              ["doc", "baseline MB", "peak MB", "peak - baseline MB", "x doc UTF-8 bytes", "notes"], rows,
              ["baseline = the child's peak RSS after imports, Pipeline(), a 2 KB warm-up and building the text, then",
               "reset (Linux /proc/self/clear_refs). Read from VmHWM on Linux: a spawned child's ru_maxrss starts at",
               "the parent's RSS; elsewhere ru_maxrss."])

    small = measure_small_docs(st, args.repeats, args.budget)
    results["small_docs"] = small
    rep.table(f"Many small documents — seed split into {small['docs']} paragraphs ({small['chars']:,} chars), one Pipeline",
              ["figure", "value"],
              [["docs/s", _fmt(small.get("docs_per_s"), ".0f")], ["chars/s", _rate(small.get("chars_per_s"))],
               ["x floor (floor looped over the same docs)", _fmt(small.get("x_floor"), ".1f") + "x"],
               ["per-char cost vs the seed as one document", _fmt(small.get("per_char_vs_one_doc"), ".2f") + "x"],
               ["claims", _fmt(small["pipeline"]["items"], "d")]],
              _problems([("paragraphs", small["pipeline"]), ("seed as one doc", small["one_doc"])]))

    floor_1mb = None
    lin_1mb = next((r for r in seed_lin if r["size"] == 1 * MB), None)
    if importlib.util.find_spec("recognizers_suite") or importlib.util.find_spec("jionlp"):
        text_1mb = sized(corpus_base("seed"), 1 * MB)
        floor_1mb = best_of(lambda: st.floor(text_1mb), args.repeats, args.budget)["best"]
    comparators = measure_comparators(floor_1mb, args.budget, rep.log)
    results["comparators"] = comparators
    rows = []
    if lin_1mb and lin_1mb["pipeline"]["best"] and floor_1mb:
        rows.append(["factcheck pipeline", f"{lin_1mb['pipeline']['best']:.3f}",
                     _rate(lin_1mb["chars"] / lin_1mb["pipeline"]["best"]),
                     f"{lin_1mb['pipeline']['best'] / floor_1mb:.1f}x", str(lin_1mb["pipeline"]["items"])])
    for package, c in comparators.items():
        if not c["installed"]:
            hint = " (time it from its own venv: peer_specs.py --peer PYTHON --time)" \
                if package == "recognizers-text-suite" else ""
            rows.append([package, "not installed" + hint, "-", "-", "-"])
        elif "error" in c:
            rows.append([package, c["error"], "-", "-", "-"])
        else:
            rows.append([package, f"{c['seconds']:.3f}", _rate(c.get("chars_per_s")), _fmt(c.get("x_floor"), ".1f") + "x",
                         _fmt(c.get("items"), "d")])
    rep.table("Other extractors on the seed at 1 MB (run once, in a child process)",
              ["extractor", "s", "chars/s", "x floor", "items"], rows)

    if args.profile:
        size = target
        guess = predict([(r["size"], r["pipeline"]["best"]) for r in seed_lin if r["pipeline"]["best"]], size)
        rep.log(f"profiling the pipeline on {human(size)} of the seed"
                + (f" (a plain run is predicted at ~{guess[0]:.0f} s; cProfile adds to that)" if guess else ""))
        text_out, rows, error = profile_pipeline(st, size, 15)
        results["profile"] = {"size": size, "top": rows, "error": error}
        rep.line(f"cProfile — one Pipeline.run_text on the seed at {human(size)}, top 15 by tottime"
                 + (f" — the run FAILED ({error}); profile up to the failure"
                    + ("; --no-timeout lifts MATCH_TIMEOUT" if "TimeoutError" in error else "") if error else ""))
        rep.line(text_out.strip())
        rep.line()

    results["meta"]["wall_seconds"] = time.perf_counter() - t_start
    rep.line(f"total wall time {results['meta']['wall_seconds']:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=_jsonable) + "\n", encoding="utf-8")
        rep.line(f"JSON written to {args.json}")
    return 0


def _jsonable(value):
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
