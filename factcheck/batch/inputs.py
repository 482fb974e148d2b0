"""What a batch reads: files, folders (walked recursively, names matched by --glob) and
tables of documents (CSV, TSV, JSON lines, Parquet) with a text or a path column.

Documents are produced lazily, in a stable order (the inputs as given; a folder's
entries sorted by name), so that millions of them never sit in memory at once and two
runs over the same inputs see the same order. A document named twice is done once.
"""
from __future__ import annotations

import fnmatch
import gzip
import json
import os
import stat
from dataclasses import dataclass
from typing import Iterator, Optional

from .worker import DocumentTask

DEFAULT_GLOB = "*.txt"
_TABLE_SUFFIXES = {".csv": "csv", ".csv.gz": "csv", ".tsv": "tsv", ".tsv.gz": "tsv", ".jsonl": "jsonl",
                   ".jsonl.gz": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
_CHUNK_ROWS = 4096


class InputProblem(Exception):
    """A table the batch cannot use; the message is one line naming it (exit 2)."""


@dataclass(frozen=True)
class Columns:
    text: str = "text"
    path: str = "path"
    id: Optional[str] = None


def table_kind(path: str) -> Optional[str]:
    name = path.lower()
    for suffix, kind in _TABLE_SUFFIXES.items():
        if name.endswith(suffix) and os.path.isfile(path):
            return kind
    return None


def check_inputs(inputs: list[str], columns: Columns) -> None:
    """Fail early (InputProblem) on a table without the columns it needs, and on an
    --id-column no table has (a table without it names its rows TABLE#ROW)."""
    without_id = []
    for given in inputs:
        kind = table_kind(given)
        if kind is None:
            continue
        try:
            names = _table_columns(given, kind)
        except InputProblem:
            raise
        except Exception as exc:
            raise InputProblem(f"{given}: cannot read the {kind} table: {_one_line(exc)}") from None
        if names is None:
            continue   # an empty table
        if columns.text not in names and columns.path not in names:
            raise InputProblem(f"{given}: no column {columns.text!r} or {columns.path!r} "
                               f"(columns: {', '.join(map(str, names)) or 'none'}); "
                               f"name them with --text-column / --path-column")
        if columns.id is not None and columns.id not in names:
            without_id.append(f"{given} (columns: {', '.join(map(str, names))})")
    if columns.id is not None and without_id and len(without_id) == sum(1 for g in inputs if table_kind(g)):
        raise InputProblem(f"no table has the id column {columns.id!r}: {'; '.join(without_id)}")


def iter_tasks(inputs: list[str], glob: str = DEFAULT_GLOB, columns: Columns = Columns(),
               exclude: Optional[str] = None) -> Iterator[DocumentTask]:
    """The documents of the inputs, each once. One folder walked gives each path once
    by itself (every folder is walked once): only other inputs need a set of the paths
    seen, which over millions of documents is hundreds of megabytes."""
    tasks = _all_tasks(inputs, glob, columns, exclude)
    if len(inputs) == 1 and table_kind(inputs[0]) is None and os.path.isdir(inputs[0]):
        yield from tasks
        return
    seen: set[str] = set()
    for task in tasks:
        if task.path in seen:
            continue
        seen.add(task.path)
        yield task


def count_tasks(inputs: list[str], glob: str = DEFAULT_GLOB, columns: Columns = Columns(),
                exclude: Optional[str] = None) -> int:
    """How many documents the inputs hold (for the progress bar's ETA), reading no text:
    files are counted, tables' rows too (Parquet from its metadata)."""
    total = 0
    for given in inputs:
        kind = table_kind(given)
        if kind == "parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(given).metadata.num_rows
        elif kind == "jsonl":
            with _open_text(given) as handle:
                total += sum(1 for line in handle if line.strip())
        elif kind is not None:
            total += sum(len(chunk) for chunk in _csv_chunks(given, kind, usecols=[0]))
        elif os.path.isdir(given):
            total += sum(1 for _ in _walk(given, glob, exclude))
        else:
            total += 1
    return total


def _all_tasks(inputs, glob, columns, exclude) -> Iterator[DocumentTask]:
    for given in inputs:
        kind = table_kind(given)
        if kind is not None:
            yield from _table_tasks(given, kind, columns)
        elif os.path.isdir(given):
            for path, size in _walk(given, glob, exclude):
                yield DocumentTask(path=path, source=given, file=path, size_hint=size)
        else:   # a file, or something that is not there: its document says why
            yield DocumentTask(path=given, source=given, file=given, size_hint=_size(given))


def _walk(top: str, glob: str, exclude: Optional[str]) -> Iterator[tuple[str, int]]:
    """(path, size) of the files under `top` whose name (or, for a pattern with a /, whose
    path under `top`) matches `glob`; hidden files and folders are left out, and so is
    `exclude` (the output folder), and so are named pipes, sockets and devices (given by
    name, outside a folder, they are read). Links to folders are followed, but each folder is
    walked once: a link back up the tree (loop -> ..) walked every file again at every
    level, until the path grew too long."""
    skip = os.path.realpath(exclude) if exclude else None
    by_path = "/" in glob
    walked: set[tuple[int, int]] = set()   # (device, inode) of the folders walked
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            # names, not scandir's entries: an entry keeps its stat once asked, and the
            # entries of a folder of a million files held a few hundred megabytes
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in walked:
            continue
        walked.add((info.st_dev, info.st_ino))
        subfolders = []
        for entry_name in names:
            if entry_name.startswith("."):
                continue
            path = os.path.join(folder, entry_name)
            try:
                found: Optional[os.stat_result] = os.stat(path)
            except OSError:
                found = None   # gone, or a link to nothing: its document says so
            if found is not None and stat.S_ISDIR(found.st_mode):
                if skip is None or os.path.realpath(path) != skip:
                    subfolders.append(path)
                continue
            name = os.path.relpath(path, top).replace(os.sep, "/") if by_path else entry_name
            if fnmatch.fnmatchcase(name, glob):
                if found is None:
                    yield path, 0
                elif stat.S_ISREG(found.st_mode):
                    yield path, found.st_size
                # else a named pipe, socket or device (or a link to one): no document, and
                # reading it may never end (a pipe nobody writes hung the whole batch)
        stack.extend(reversed(subfolders))   # depth first, in name order


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


# ---- tables -----------------------------------------------------------------------------


def _table_columns(path: str, kind: str) -> Optional[list[str]]:
    if kind == "parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    if kind == "jsonl":
        with _open_text(path) as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except ValueError as exc:
                        raise InputProblem(f"{path}:{number}: not JSON: {_one_line(exc)}") from None
                    if not isinstance(row, dict):
                        raise InputProblem(f"{path}:{number}: a JSON object per line is expected")
                    return list(row)
        return None
    import pandas as pd

    try:
        return list(pd.read_csv(path, sep="\t" if kind == "tsv" else ",", nrows=0).columns)
    except pd.errors.EmptyDataError:
        return None


def _table_tasks(table: str, kind: str, columns: Columns) -> Iterator[DocumentTask]:
    folder = os.path.dirname(table)
    for number, row in _table_rows(table, kind, columns):
        if isinstance(row, str):   # a line that could not be read
            yield DocumentTask(path=f"{table}#{number}", source=table, problem=row)
            continue
        ident = row.get(columns.id) if columns.id else None
        text, path = row.get(columns.text), row.get(columns.path)
        name = str(ident) if ident not in (None, "") else None
        if text is not None and not (text == "" and path):
            if not isinstance(text, str):
                yield DocumentTask(path=name or f"{table}#{number}", source=table,
                                   problem=f"{table}#{number}: column {columns.text!r} is not text")
                continue
            yield DocumentTask(path=name or f"{table}#{number}", source=table, text=text,
                               size_hint=len(text) * 3)
        elif path:
            file = os.path.join(folder, str(path))
            yield DocumentTask(path=name or file, source=table, file=file, size_hint=_size(file))
        else:
            yield DocumentTask(path=name or f"{table}#{number}", source=table,
                               problem=f"{table}#{number}: neither {columns.text!r} nor {columns.path!r} is given")


def _table_rows(table: str, kind: str, columns: Columns) -> Iterator[tuple[int, "dict | str"]]:
    """(row number from 1 — the line number in JSON lines —, the row's wanted columns, or
    a one-line reason the row cannot be read). A table that breaks half-way (a cut gzip,
    bytes that are not UTF-8, a damaged Parquet page) raises InputProblem: the rows
    before it were given, and their documents are kept."""
    rows = _rows_of(table, kind, columns)
    last = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except InputProblem:
            raise
        except (OSError, EOFError, ValueError) as exc:   # ValueError: UnicodeDecodeError, ArrowInvalid
            raise InputProblem(f"{table}: cannot read the {kind} table after its row {last}: "
                               f"{_one_line(exc)}") from None
        last = row[0]
        yield row


def _rows_of(table: str, kind: str, columns: Columns) -> Iterator[tuple[int, "dict | str"]]:
    wanted = [c for c in (columns.text, columns.path, columns.id) if c]
    if kind == "jsonl":
        with _open_text(table) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    yield number, f"{table}:{number}: not JSON: {_one_line(exc)}"
                    continue
                if not isinstance(row, dict):
                    yield number, f"{table}:{number}: a JSON object per line is expected"
                    continue
                yield number, {c: row.get(c) for c in wanted}
        return
    number = 0
    if kind == "parquet":
        import pyarrow.parquet as pq

        handle = pq.ParquetFile(table)
        present = [c for c in wanted if c in handle.schema_arrow.names]
        for batch in handle.iter_batches(batch_size=_CHUNK_ROWS, columns=present):
            values = {c: batch.column(c).to_pylist() for c in present}
            for i in range(batch.num_rows):
                number += 1
                yield number, {c: values[c][i] for c in present}
        return
    names = _table_columns(table, kind) or []
    present = [c for c in wanted if c in names]
    if not present:
        return
    for chunk in _csv_chunks(table, kind, usecols=present):
        for values in zip(*(chunk[c].tolist() for c in present)):
            number += 1
            yield number, dict(zip(present, values))


def _csv_chunks(table: str, kind: str, usecols):
    import pandas as pd

    try:
        yield from pd.read_csv(table, sep="\t" if kind == "tsv" else ",", dtype=str, keep_default_na=False,
                               usecols=usecols, chunksize=_CHUNK_ROWS)
    except pd.errors.EmptyDataError:
        return
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputProblem(f"{table}: cannot read the {kind} table: {_one_line(exc)}") from None


def _open_text(path: str):
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]
