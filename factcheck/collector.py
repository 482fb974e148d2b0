"""Python's cyclic garbage collector, paused while one document is processed.

The pipeline makes hundreds of thousands of small objects per megabyte (matches, claims,
their links and intervals) and no reference cycles worth collecting: they are freed by
reference counting as they go. Each automatic collection still walks every live object,
and the oldest generation grows with the document, so on a 6 MB document collections
took a sixth of the time, more as documents grow. Cycles made meanwhile are collected
after the document, at the collector's next turn."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused() -> Iterator[None]:
    """Nested and repeated use is fine; a collector already off (by the caller) stays off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
