"""Peak RSS of one piece of work, as the benchmarks' child processes read it (Linux;
elsewhere `reset_peak` says it could not, and the callers fall back or say so)."""
from __future__ import annotations

import ctypes
import gc
from typing import Optional


def reset_peak() -> bool:
    """Reset the high-water mark (VmHWM) to the current RSS, after handing the memory
    freed so far back to the system. Kept, that memory served the work measured next and
    hid part of its need: a start-up that happened to free 10 MB more (a cache turned
    off) made 100 KB of text look 2.5× leaner."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def status(field: str) -> Optional[int]:
    """A /proc/self/status field in bytes (VmRSS, VmHWM), None where there is none."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
