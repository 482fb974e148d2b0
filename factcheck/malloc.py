"""Large arrays handed back to the system when they are freed (glibc).

glibc serves an allocation above its mmap threshold from a mapping of its own, which
goes back to the system when it is freed. The threshold starts at 128 KB but rises,
up to 32 MB, to the size of every such block freed: after normalizing one big document,
the next arrays of a document's size came from the heap and stayed in the process when
freed, so a worker's memory grew with each stage, and its peak was the sum of what the
stages had freed rather than the largest stage (10 MB of the benchmark's text: 157 MB
above the start instead of 113 MB). Fixing the threshold at 4 MB keeps the heap for
everything a one-paragraph or an ordinary document allocates, and maps only the arrays
of documents of a million characters and more, whose page faults cost nothing
measurable next to their run. (Fixing it also freezes glibc's trim threshold at 128 KB:
the heap's top is cut back and touched again more often, 38,000 page faults over the
benchmark's 60 files against 13,000–29,000, with no more system time. A trim threshold
raised to 4–8 MB cut them to 9,000 but left a 1 MB document at 15.7× its size in memory
against 14.0×, so it stays.)

Only `factcheck`'s own processes set it (the command line, and the batch worker
wherever it runs); a program that imports the library keeps its allocator as it is.

`give_back` asks glibc for the free pages inside the heap too (`malloc_trim`), which the
pipeline does between the stages of a long document; it changes no setting, so the
library does it wherever it runs.
"""
from __future__ import annotations

import sys

M_MMAP_THRESHOLD = -3          # glibc's mallopt parameter
THRESHOLD = 4 << 20

_set = False


def return_large_blocks() -> bool:
    """Fix glibc's mmap threshold at THRESHOLD, once per process. False where there is
    no glibc `mallopt` (another C library, another system): nothing changes there."""
    global _set
    if _set:
        return True
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _set = mallopt(M_MMAP_THRESHOLD, THRESHOLD) == 1
    return _set


_trim = None


def give_back() -> None:
    """Hand the heap's free pages back to the system (glibc's malloc_trim); nothing
    where there is no glibc."""
    global _trim
    if _trim is None:
        _trim = False
        if sys.platform.startswith("linux"):
            import ctypes

            try:
                _trim = ctypes.CDLL(None).malloc_trim
                _trim.argtypes = [ctypes.c_size_t]
            except (OSError, AttributeError):
                _trim = False
    if _trim:
        _trim(0)


def arrow_pool_returns_memory() -> bool:
    """Arrow's allocations from the system's allocator (glibc's malloc, its threshold
    fixed by `return_large_blocks`), where ARROW_DEFAULT_MEMORY_POOL does not choose
    another. Arrow's own pool (mimalloc) kept what it freed: the process that writes a
    batch's parts grew by 40 MB writing the rows of one 1 MB document of figure-dense
    text, 4 times the rows' bytes, and every part it wrote after that one started
    from there. Only the batch command sets it, in its main process. False where
    pyarrow has no such pool."""
    import os

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return False
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except (ImportError, AttributeError, NotImplementedError):   # pragma: no cover
        return False
    return True
