"""Peak memory and time of factcheck on one big file, read whole or streamed.

    python bench/bench_stream.py --mb 100                # the seed repeated to 100 MB, streamed
    python bench/bench_stream.py --mb 20 --whole         # the same file read at once, to compare
    python bench/bench_stream.py --mb 4 --chunk 200000   # smaller windows

Each run is a child process: it builds nothing, it only runs `Pipeline.run_path` on the
file, and reports the peak RSS above its baseline (after imports and a warm-up), read
from /proc/self/status (VmHWM after a reset through /proc/self/clear_refs), the time,
and the claims. Prints one JSON line per run. Used by tests/test_hardening_stream.py
with small sizes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "sichuan_quality_interview_2010.txt"

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[5])
from rss import reset_peak, status
def rss(field):
    got = status(field)
    return float("nan") if got is None else got / 1024.0 / 1024.0
import factcheck.pipeline as pl
path, whole, chunk = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
p = pl.Pipeline()
p.run_text(open(sys.argv[4], encoding="utf-8").read()[:3000])   # warm-up: lazy tables, OpenCC
from factcheck.parallel import WARM_UP_TEXT
p.run_text(WARM_UP_TEXT)   # and cn2an, as factcheck's own workers warm up
if chunk:
    pl.CHUNK_CHARS = chunk
pl.STREAM_BYTES = 1 << 62 if whole else 0
reset_peak()
base = rss("VmRSS")
t = time.perf_counter()
result = p.run_path(path)
seconds = time.perf_counter() - t
peak = rss("VmHWM")
print(json.dumps({"mode": "whole" if whole else "stream", "bytes": os.path.getsize(path), "seconds": round(seconds, 2),
                  "baseline_mb": round(base, 1), "peak_mb": round(peak, 1), "peak_minus_baseline_mb": round(peak - base, 1),
                  "claims": len(result.claims), "errors": result.errors[:3],
                  "last_claim_exact": bool(result.claims) and result.claims[-1].end <= os.path.getsize(path)}))
"""


def build(path: Path, size: int) -> None:
    """The seed, repeated (newline-separated) to `size` UTF-8 bytes, cut at a line end."""
    base = SEED.read_text(encoding="utf-8").encode("utf-8") + b"\n"
    with open(path, "wb") as handle:
        written = 0
        while written + len(base) <= size:
            handle.write(base)
            written += len(base)
        rest = base[:size - written]
        handle.write(rest[:rest.rfind(b"\n") + 1])


def run(path: Path, whole: bool, chunk: int = 0) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), "1" if whole else "0", str(chunk), str(SEED),
                          str(ROOT / "bench")],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=100.0, help="file size in MB (10^6 bytes)")
    parser.add_argument("--whole", action="store_true", help="read the file at once instead of streaming")
    parser.add_argument("--chunk", type=int, default=0, help="characters per window core (default: CHUNK_CHARS)")
    parser.add_argument("--file", help="use this file instead of building one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.file) if args.file else Path(tmp) / "big.txt"
        if not args.file:
            t = time.perf_counter()
            build(path, int(args.mb * 1e6))
            print(f"# built {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        print(json.dumps(run(path, args.whole, args.chunk)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
