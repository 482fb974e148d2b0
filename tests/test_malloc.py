"""glibc's mmap threshold fixed by factcheck's own processes: a large array freed goes
back to the system, where glibc's sliding threshold kept it in the heap."""
import sys
from pathlib import Path

import pytest

from conftest import python_prints

CHILD = r"""
import sys
import numpy as np
from factcheck.malloc import return_large_blocks

def rss():
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) * 1024 for line in handle if line.startswith("VmRSS:"))

if sys.argv[1] == "fixed":
    assert return_large_blocks()
# the first 8 MB block is mapped and freed: glibc's threshold rises to its size, so the
# second one comes from the heap, and stays there when freed (unless the threshold is fixed)
for _ in range(2):
    before = rss()
    block = np.ones(8 << 20, dtype=np.uint8)
    del block
print(rss() - before)
"""


def _need_glibc(function: str) -> None:
    import ctypes

    try:
        getattr(ctypes.CDLL(None), function)
    except AttributeError:
        pytest.skip(f"no glibc {function}")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc")
def test_a_large_array_freed_goes_back_to_the_system():
    _need_glibc("mallopt")
    assert int(python_prints(CHILD, "default")) > 6 << 20      # glibc's own sliding threshold
    assert int(python_prints(CHILD, "fixed")) < 1 << 20


def test_the_threshold_is_set_by_the_commands_not_by_importing(tmp_path):
    """Importing the library leaves the allocator alone; running a command sets it."""
    child = r"""
import factcheck.malloc as malloc
from factcheck.pipeline import Pipeline
Pipeline().run_text("GDP 100亿元")
before = malloc._set
from factcheck.cli import main
main(["extract", "--jobs", "1", "-o", sys.argv[1], sys.argv[2]])
print(before, malloc._set)
"""
    doc = tmp_path / "a.txt"
    doc.write_text("全省生产总值14151.3亿元。", encoding="utf-8")
    out = python_prints("import sys\n" + child, str(tmp_path / "out.json"), str(doc))
    import ctypes

    try:
        settable = sys.platform.startswith("linux") and bool(ctypes.CDLL(None).mallopt)
    except (OSError, AttributeError):
        settable = False
    assert out.split() == ["False", str(settable)]


GIVE_BACK_CHILD = r"""
import sys
import numpy as np
from factcheck.malloc import give_back, return_large_blocks

def rss():
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) * 1024 for line in handle if line.startswith("VmRSS:"))

return_large_blocks()
before = rss()
# arrays under the mmap threshold come from the heap; a block allocated after them keeps
# the heap's top where it is, so freeing them cuts nothing back by itself
blocks = [np.ones(1 << 20, dtype=np.uint8) for _ in range(12)]
pin = [bytes(2000) for _ in range(50)]
del blocks
kept = rss() - before
if sys.argv[1] == "give back":
    give_back()
print(kept, rss() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc")
def test_give_back_hands_the_heaps_free_pages_to_the_system():
    _need_glibc("malloc_trim")
    runs = {mode: [int(x) for x in python_prints(GIVE_BACK_CHILD, mode).split()] for mode in ("keep", "give back")}
    assert runs["keep"][0] > 8 << 20 and runs["keep"][1] > 8 << 20   # freed, still in the process
    assert runs["give back"][1] < 2 << 20


def test_a_long_document_gives_back_between_its_stages(monkeypatch):
    import factcheck.pipeline as pipeline

    calls = []
    monkeypatch.setattr(pipeline, "give_back", lambda: calls.append(1))
    p = pipeline.Pipeline()
    sentence = "全省生产总值14151.3亿元，比上年增长14.5%。\n"
    p.run_text(sentence * 10)
    assert calls == []   # a short one has little to give back, and pays nothing
    p.run_text(sentence * (pipeline.GIVE_BACK_FROM_CHARS // len(sentence) + 1))
    assert len(calls) == 2   # after normalizing, and after extracting


def test_a_files_raw_text_is_freed_before_linking(monkeypatch, tmp_path):
    """The raw text is needed until the claims are cut out of it: a file's (read by
    run_path, held by nothing else) is freed before linking, 2 or 4 bytes a character at
    linking's peak. Text handed to run_text stays the caller's."""
    import factcheck.pipeline as pipeline
    from factcheck.decode import Decoded
    from factcheck.link import Linker

    freed = []

    class Raw(str):
        def __del__(self):
            freed.append(True)

    path = tmp_path / "doc.txt"
    path.write_text("全省生产总值14151.3亿元，比上年增长14.5%。", encoding="utf-8")
    read = pipeline.read_or_spool

    def read_as_raw(*args):
        got = read(*args)
        return Decoded(got.path, Raw(got.text), got.encoding, got.sha256)

    seen_at_link = []
    link = Linker.link

    def spy(self, text, claims, year):
        seen_at_link.append(bool(freed))
        return link(self, text, claims, year)

    monkeypatch.setattr(pipeline, "read_or_spool", read_as_raw)
    monkeypatch.setattr(Linker, "link", spy)
    result = pipeline.Pipeline().run_path(str(path))
    assert [c.text for c in result.claims] == ["14151.3亿元", "增长14.5%"]
    assert seen_at_link == [True]

    freed.clear()
    seen_at_link.clear()
    kept = Raw("全省生产总值14151.3亿元。")
    pipeline.Pipeline().run_text(kept)
    assert seen_at_link == [False] and kept.startswith("全省")
