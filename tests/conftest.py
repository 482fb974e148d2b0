import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "sichuan_quality_interview_2010.txt"

# Compiled patterns go to a folder of this run's own (inherited by every process a test
# starts), not to the user's cache: each run starts cold, and leaves nothing behind.
if "FACTCHECK_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="factcheck-test-cache-")
    os.environ["FACTCHECK_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


def python_prints(code: str, *args: str, timeout: float = 120) -> str:
    """What `python -c code args...` prints in a new interpreter (where nothing is
    imported yet), which must exit 0."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# A reviewer output written for the densest fixture stated 40 times: the peak of writing it
# (the analysis made and written once before, so that only the writing counts), as a
# multiple of the file it writes. argv: the writer, as module:function.
WRITING_PEAK = r"""
import importlib, os, sys, tempfile, tracemalloc
from factcheck import analyze
module, name = sys.argv[1].split(":")
write = getattr(importlib.import_module(module), name)
text = open("fixtures/checks/consistent_bulletin.hans.txt", encoding="utf-8").read()
analysis = analyze(text="\n".join([text] * 40))
out = tempfile.mktemp()
write(analysis, out)
tracemalloc.start()
write(analysis, out)
print(tracemalloc.get_traced_memory()[1] / os.path.getsize(out))
os.unlink(out)
"""


def writing_peak(writer: str) -> float:
    """WRITING_PEAK of `writer` (module:function)."""
    return float(python_prints(WRITING_PEAK, writer))


def varied_figures(text: str) -> str:
    """`text` with its figures drawn at random: bench_batch.varied_figures."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    from bench_batch import varied_figures as vary

    return vary(text)


@pytest.fixture(scope="session")
def pipeline():
    from factcheck.pipeline import Pipeline

    return Pipeline()
