"""Compiled patterns, and sets of characters found with them, kept on disk between runs.

`regex` parses a pattern in Python: the grammar's patterns take a fifth of a second
to compile, most of a command's start-up after the imports, and that start-up is paid
before any document is read (before the workers fork). A compiled pattern pickles as
its compiled code, which loads in microseconds, so each is compiled once per
installation and loaded from then on, the way Python keeps bytecode in __pycache__.

The folder is `$FACTCHECK_CACHE_DIR`, else `$XDG_CACHE_HOME/factcheck`, else
`~/.cache/factcheck`; `FACTCHECK_CACHE_DIR=` (empty) turns the cache off. A file that
cannot be read, or holds anything but a compiled pattern of the same source, is
compiled again and replaced; a folder that cannot be written costs only the compile.

`cached_characters` keeps the same way what a pattern matches among all of Unicode
(every character `\\d` matches): finding it reads 1.1 million code points, 60 ms of
every start.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Optional

import regex

CACHE_ENV = "FACTCHECK_CACHE_DIR"
SUFFIX = ".regex.pickle"
CHARACTERS_SUFFIX = ".chars.json"


def cache_dir() -> Optional[Path]:
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "factcheck"


class _PatternUnpickler(pickle.Unpickler):
    """Unpickles a compiled pattern and nothing else: the one callable a pickled
    pattern names is regex's own compile, so a file put in the cache cannot make
    loading it call anything else."""

    def find_class(self, module: str, name: str):
        if (module, name) == ("regex._regex", "compile"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"not a compiled pattern: {module}.{name}")


def compile_cached(pattern: str, flags: int = 0, *, ignore_unused: bool = False,
                   **named_lists) -> "regex.Pattern[str]":
    """regex.compile(pattern, flags, ignore_unused=..., **named_lists), loaded from the
    cache when it was compiled before with the same `regex` and Python."""
    folder = cache_dir()
    if folder is None:
        return regex.compile(pattern, flags, ignore_unused=ignore_unused, **named_lists)
    path = folder / (_key(pattern, flags, ignore_unused, named_lists) + SUFFIX)
    loaded = _load(path, pattern)
    if loaded is not None:
        return loaded
    compiled = regex.compile(pattern, flags, ignore_unused=ignore_unused, **named_lists)
    _store(path, lambda handle: pickle.dump(compiled, handle, protocol=pickle.HIGHEST_PROTOCOL))
    return compiled


def _key(pattern: str, flags: int, ignore_unused: bool, named_lists: dict) -> str:
    lists = sorted((name, sorted(words)) for name, words in named_lists.items())
    material = repr((regex.__version__, sys.version_info[:2], pattern, flags, ignore_unused, lists))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def _load(path: Path, pattern: str) -> "Optional[regex.Pattern[str]]":
    try:
        with open(path, "rb") as handle:
            loaded = _PatternUnpickler(handle).load()
    except FileNotFoundError:
        return None
    # any other failure (a truncated or foreign file, an unreadable one, compiled code
    # this `regex` refuses) means the same thing: compile it again
    except Exception:   # noqa: BLE001
        return None
    if isinstance(loaded, regex.Pattern) and loaded.pattern == pattern:
        return loaded
    return None


def cached_characters(name: str, count: int, find: Callable[[], list[str]]) -> list[str]:
    """find(): `count` strings of characters that depend on nothing but the `regex` and
    Python versions (what patterns match among all of Unicode), kept in the cache under
    `name`. A file that holds anything else is found again and replaced."""
    folder = cache_dir()
    if folder is None:
        return find()
    material = repr((regex.__version__, sys.version_info[:2], name))
    path = folder / (hashlib.sha256(material.encode("utf-8")).hexdigest() + CHARACTERS_SUFFIX)
    try:
        with open(path, encoding="utf-8", errors="surrogatepass") as handle:
            loaded = json.load(handle)
        if isinstance(loaded, list) and len(loaded) == count and all(isinstance(item, str) for item in loaded):
            return loaded
    except Exception:   # noqa: BLE001 - missing, unreadable or damaged: found again
        pass
    found = find()
    _store(path, lambda handle: handle.write(json.dumps(found).encode("ascii")))
    return found


def _store(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """write(handle) into a temporary file of the cache, renamed to `path` once whole."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".tmp-", suffix=path.suffix,
                                             delete=False)
    except OSError:
        return
    try:
        with handle:
            write(handle)
        # renamed into place whole: processes compiling at once each write a whole file,
        # and a reader never sees half of one
        os.replace(handle.name, path)
    except Exception:   # noqa: BLE001 - a cache that cannot be written is no cache, not an error
        try:
            os.unlink(handle.name)
        except OSError:
            pass
