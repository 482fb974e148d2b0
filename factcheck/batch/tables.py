"""The batch's tables on disk: part files written as documents finish, put together at
the end.

Layout of --out:

    claims.parquet findings.parquet documents.parquet   the tables (after the run)
    claims.csv ...                                      with --csv
    parts/part-000001.{claims,findings,documents}.parquet   written during the run
    batch.json                                          what made the tables (for --resume)

A part holds whole documents: the rows of the same documents in the three tables. Its
documents file is renamed into place last, so a part without one (a run killed while
writing it) is ignored and deleted. The tables are the previous tables (on --resume)
followed by the parts, in order; a document's rows in a later source replace its rows in
an earlier one (a document redone on --resume: it failed, or its file changed). Each
file is written to a temporary name and renamed, so a killed run leaves either the old
file or the new one, never half of one. The parts are deleted once the tables are in
place; a run killed before that is put together again by --resume.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Mapping
from itertools import repeat
from operator import is_not
from pathlib import Path
from typing import Iterator, Optional

from ..report import CLAIM_COLUMNS, FINDING_COLUMNS, OUTPUT_ERRORS, escape_surrogates
from .columns import arrow_batches

TABLES = ("claims", "findings", "documents")
DOCUMENT_COLUMNS = ["path", "source", "sha256", "status", "error", "bytes", "reference_year", "claims",
                    "findings", "findings_error", "findings_warning", "seconds", "extract_seconds",
                    "check_seconds"]
TIMING_COLUMNS = ("seconds", "extract_seconds", "check_seconds")
MANIFEST = "batch.json"
PARTS = "parts"
_PART = re.compile(r"part-(\d{6,})\.(claims|findings|documents)\.parquet$")
_ROW_GROUP = 65536
_PART_ROWS = 8192    # rows of a part written at a time (see arrow_batches)

_INTS = {"start", "end", "bytes", "reference_year", "findings_error", "findings_warning"}
_FLOATS = {"value", "low", "high", "precision", "expected_low", "expected_high", "actual_low", "actual_high",
           "gap", "seconds", "extract_seconds", "check_seconds"}


def columns(table: str) -> list[str]:
    return {"claims": CLAIM_COLUMNS, "findings": FINDING_COLUMNS, "documents": DOCUMENT_COLUMNS}[table]


def kinds(table: str) -> list[str]:
    """The kind of each column of `table` ("int", "float" or "text"), in order."""
    def kind(name: str) -> str:
        if table == "documents" and name in ("claims", "findings"):
            return "int"
        return "int" if name in _INTS else "float" if name in _FLOATS else "text"

    return [kind(name) for name in columns(table)]


def schema(table: str):
    import pyarrow as pa

    types = {"int": pa.int64(), "float": pa.float64(), "text": pa.string()}
    return pa.schema([(name, types[kind]) for name, kind in zip(columns(table), kinds(table))])


def output_files(out: Path) -> list[Path]:
    """What a batch writes under --out (what --force removes)."""
    names = [f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")] + [MANIFEST, PARTS]
    return [out / name for name in names if (out / name).exists()]


class PartStore:
    def __init__(self, out: Path):
        self.out = out
        self.parts = out / PARTS
        self._next = None

    # ---- state of an earlier run ----------------------------------------------------

    def part_numbers(self) -> list[int]:
        """Parts that were completed (their documents file is there)."""
        if not self.parts.is_dir():
            return []
        found = []
        for entry in os.scandir(self.parts):
            m = _PART.match(entry.name)
            if m and m.group(2) == "documents":
                found.append(int(m.group(1)))
        return sorted(found)

    def drop_unfinished(self) -> None:
        """Parts a killed run left without their documents file, and temporary files."""
        if not self.parts.is_dir():
            return
        done = set(self.part_numbers())
        for entry in os.scandir(self.parts):
            m = _PART.match(entry.name)
            if (m and int(m.group(1)) not in done) or entry.name.startswith(".factcheck-"):
                os.unlink(entry.path)
        for entry in os.scandir(self.out):
            if entry.name.startswith(".factcheck-") and entry.is_file():
                os.unlink(entry.path)

    def sources(self) -> list[dict[str, Optional[Path]]]:
        """The earlier tables (if any), then each completed part, in order."""
        found = []
        base = {t: self.out / f"{t}.parquet" for t in TABLES}
        if any(p.exists() for p in base.values()):
            found.append({t: (p if p.exists() else None) for t, p in base.items()})
        for number in self.part_numbers():
            found.append({t: self._part(number, t) for t in TABLES})
        return found

    def done(self) -> "DoneIndex":
        """path -> sha256 of the documents an earlier run finished without error (the
        latest row of each path counts), as a `DoneIndex`."""
        return DoneIndex.of(self.sources())

    # ---- during the run ---------------------------------------------------------------

    def write_part(self, documents: list) -> None:
        """One part from DocumentRows (skipped ones carry no rows)."""
        if self._next is None:
            numbers = self.part_numbers()
            self._next = (numbers[-1] + 1) if numbers else 1
        self.parts.mkdir(parents=True, exist_ok=True)
        number, self._next = self._next, self._next + 1
        documents = [d for d in documents if not d.skipped]
        rows = [tuple(d.document.get(c) for c in DOCUMENT_COLUMNS) for d in documents]
        for table in TABLES:       # documents last: it marks the part complete
            sch = schema(table)
            if table == "documents":
                cols = list(zip(*rows)) if rows else [()] * len(sch)
                batches = iter([[arrow_array(list(col), f.type) for col, f in zip(cols, sch)]])
            else:
                batches = arrow_batches([getattr(d, table) for d in documents if len(getattr(d, table))], sch,
                                        _PART_ROWS)
            _atomic(self._part(number, table), lambda tmp, b=batches, sch=sch: _write_parquet(b, sch, tmp))

    def _part(self, number: int, table: str) -> Path:
        return self.parts / f"part-{number:06d}.{table}.parquet"

    # ---- at the end ---------------------------------------------------------------------

    def assemble(self, csv: bool = False) -> dict[str, int]:
        """Put the tables together (see the module's doc); rows per table."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        sources = self.sources()
        latest, overlap = _latest_source(sources)
        counts = {}
        for table in TABLES:
            sch = schema(table)
            final = self.out / f"{table}.parquet"

            def write(tmp: str, table=table, sch=sch) -> int:
                written = 0
                with pq.ParquetWriter(tmp, sch) as writer:
                    pending, size = [], 0
                    for index, source in enumerate(sources):
                        # the earlier tables may hold rows of any later part (a run killed
                        # between renames): always filtered; a part only if it has to be
                        keep = None if not (overlap[index] or (index == 0 and _is_base(source, self))) else \
                            (lambda path, i=index: latest.get(path, i) <= i)
                        for batch in _batches(source[table], None):
                            batch = _conform(batch, sch)
                            if keep is not None:
                                mask = arrow_array([keep(p) for p in batch.column(0).to_pylist()], pa.bool_())
                                batch = batch.filter(mask)
                            if batch.num_rows:
                                pending.append(batch)
                                size += batch.num_rows
                            if size >= _ROW_GROUP:
                                writer.write_table(pa.Table.from_batches(pending, schema=sch))
                                written += size
                                pending, size = [], 0
                    if pending:
                        writer.write_table(pa.Table.from_batches(pending, schema=sch))
                        written += size
                return written

            counts[table] = _atomic(final, write)
        if csv:
            for table in TABLES:
                self.write_csv(table)
        self.remove_parts()
        return counts

    def write_csv(self, table: str) -> None:
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        source = self.out / f"{table}.parquet"

        def write(tmp: str) -> None:
            handle = pq.ParquetFile(source)
            with pcsv.CSVWriter(tmp, handle.schema_arrow) as writer:
                for batch in handle.iter_batches(batch_size=_ROW_GROUP):
                    writer.write_batch(batch)

        _atomic(self.out / f"{table}.csv", write)

    def remove_parts(self) -> None:
        if not self.parts.is_dir():
            return
        names = sorted(os.listdir(self.parts), key=lambda n: not n.endswith(".documents.parquet"))
        for name in names:          # the markers first: a half-removed part is an unfinished one
            os.unlink(self.parts / name)
        os.rmdir(self.parts)

    # ---- the manifest -------------------------------------------------------------------

    def read_manifest(self) -> Optional[dict]:
        try:
            return json.loads((self.out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_manifest(self, data: dict) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        _atomic(self.out / MANIFEST, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def stored_text(text: str) -> str:
    """A text as the tables hold it: UTF-8, so a lone surrogate (a file name's bytes that
    are not UTF-8) is written as its escape, as in every output (`report.escape_surrogates`)."""
    return escape_surrogates(text)


def arrow_array(values: list, kind):
    """pa.array(values, type=kind) for this module's column types (string, int64, float64,
    bool; None is null, a float NaN is a value), with the texts as `stored_text` makes
    them. Built from buffers: the first pa.array call of a process imports pandas (half a
    second, a twentieth of a batch over 10 MB of text), for its pandas objects only. The
    values are read by numpy's, str's and Arrow's own loops, not one at a time in
    Python: the parent process makes every row's columns while the workers work."""
    import numpy as np
    import pyarrow as pa

    count = len(values)
    nulls = values.count(None)
    validity = None
    if nulls:
        present = np.fromiter(map(is_not, values, repeat(None)), dtype=np.bool_, count=count)
        validity = pa.py_buffer(np.packbits(present, bitorder="little"))
    if pa.types.is_string(kind):
        texts = _text_array([("" if v is None else v) for v in values] if nulls else values)
        if texts is None:   # past what a string array's 4-byte offsets reach
            return pa.array([None if v is None else stored_text(v) for v in values], type=kind)
        return pa.Array.from_buffers(kind, count, [validity, *texts.buffers()[1:]], null_count=nulls,
                                     offset=texts.offset)
    if pa.types.is_boolean(kind):
        bits = np.array([bool(v) for v in values] if nulls else values, dtype=np.bool_)
        data = np.packbits(bits, bitorder="little")
    elif pa.types.is_floating(kind):
        data = np.array(values, dtype=np.float64)   # None as NaN, under the validity's null
    else:
        data = np.array([0 if v is None else v for v in values] if nulls else values, dtype=np.int64)
    return pa.Array.from_buffers(kind, count, [validity, pa.py_buffer(data)], null_count=nulls)


def _text_array(texts: list):
    """The texts (str, none None) as a pa.string() array without nulls, lone surrogates
    escaped; None past 2 GB. Joined by NUL and split again by Arrow, which finds where
    each text's bytes start: a text holding a NUL has them counted instead."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    joined = "\x00".join(texts)
    try:
        data = joined.encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate: all that UTF-8 cannot encode
        data = joined.encode("utf-8", OUTPUT_ERRORS)
    if len(data) >= 2 ** 31:
        return None
    if not texts or joined.count("\x00") != len(texts) - 1:
        encoded = [text.encode("utf-8", OUTPUT_ERRORS) for text in texts]
        offsets = np.zeros(len(texts) + 1, dtype=np.int32)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int32, count=len(texts)), out=offsets[1:])
        return pa.Array.from_buffers(pa.string(), len(texts), [None, pa.py_buffer(offsets),
                                                               pa.py_buffer(b"".join(encoded))])
    whole = pa.Array.from_buffers(pa.large_string(), 1, [None, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)),
                                                          pa.py_buffer(data)])
    return pc.split_pattern(whole, pattern="\x00").flatten().cast(pa.string())


def _is_base(source: dict, store: PartStore) -> bool:
    return any(p is not None and p.parent == store.out for p in source.values())


def _latest_source(sources: list[dict]) -> tuple[dict[str, int], list[bool]]:
    """path -> index of the last source holding it, for the paths that more than one
    source holds (any other path is in its only source: `latest.get(path, index)`); and
    for each source whether one of its documents is in a later source too.

    The paths are first compared by their hashes, in an array: a dict of every path was
    150 bytes or more a document, over millions of documents gigabytes, where in a run
    not resumed no path is in two sources. Only the paths whose hash two sources share
    are then compared as they are."""
    import numpy as np

    hashes, owners = [], []
    for index, source in enumerate(sources):
        for batch in _batches(source["documents"], ["path"]):
            hashes.append(_path_hashes(batch.column(0).to_pylist()))
            owners.append(np.full(batch.num_rows, index, dtype=np.int32))
    overlap = [False] * len(sources)
    if not hashes:
        return {}, overlap
    hashed, owner = np.concatenate(hashes), np.concatenate(owners)
    del hashes, owners
    order = np.argsort(hashed, kind="stable")   # a hash's sources stay in order
    hashed, owner = hashed[order], owner[order]
    del order
    shared = set(hashed[1:][(hashed[1:] == hashed[:-1]) & (owner[1:] != owner[:-1])].tolist())
    del hashed, owner
    holders: dict[str, list[int]] = {}   # the sources holding each such path, in order
    if shared:
        for index, source in enumerate(sources):
            for batch in _batches(source["documents"], ["path"]):
                for path in batch.column(0).to_pylist():
                    if _path_hash(path) in shared:
                        holders.setdefault(path, []).append(index)
    for indexes in holders.values():
        for index in indexes:
            if index < indexes[-1]:
                overlap[index] = True
    return {path: indexes[-1] for path, indexes in holders.items()}, overlap


_path_hash = hash


def _path_hashes(paths: list):
    """`_path_hash` of each path, in an int64 array."""
    import numpy as np

    return np.fromiter(map(_path_hash, paths), dtype=np.int64, count=len(paths))


class DoneIndex(Mapping):
    """path -> sha256 (hexadecimal) of the documents done, read-only, held in arrays: the
    paths' UTF-8 in one Arrow buffer, their hashes sorted (searched with `bisect`, each
    hash's paths compared as they are) with the paths' offsets, the digests as 32 bytes
    each. A dict of them took 250 bytes a document of 49 characters (2.5 GB for ten
    million); this takes the path's bytes and about 55 more."""

    def __init__(self, paths=None, digests: bytes = b"", hashes=None) -> None:
        import numpy as np
        import pyarrow as pa

        # 64-bit offsets: the paths of tens of millions of documents pass 2 GB
        self._paths = paths if paths is not None else pa.array([], pa.large_string())   # a LargeStringArray
        self._hashes = array("q", np.asarray(hashes if hashes is not None else [], dtype=np.int64).tobytes())
        self._digests = digests
        _, offsets, data = self._paths.buffers()
        first = self._paths.offset
        self._offsets = (array("q", np.frombuffer(offsets, dtype=np.int64)[first:first + len(self._paths) + 1]
                               .tobytes()) if offsets is not None else array("q", [0]))
        self._text = memoryview(data).cast("B") if data is not None else memoryview(b"")   # Arrow exports "b"

    @classmethod
    def of(cls, sources: list[dict]) -> "DoneIndex":
        import numpy as np
        import pyarrow as pa

        paths, digests, hashes, settled = [], [], [], []
        for source in sources:
            for batch in _batches(source["documents"], ["path", "sha256", "status"]):
                names, shas, statuses = (batch.column(i).to_pylist() for i in range(3))
                hashes.append(_path_hashes(names))
                settled.append(np.fromiter((status == "ok" and isinstance(sha, str) and len(sha) == 64
                                            for sha, status in zip(shas, statuses)), dtype=bool, count=len(names)))
                digests.append(_digests(shas, settled[-1]))
                paths.append(batch.column(0).cast(pa.large_string()))
        if not paths:
            return cls()
        hashed, ok = np.concatenate(hashes), np.concatenate(settled)
        del hashes, settled
        order = np.argsort(hashed, kind="stable")
        by_hash = hashed[order]
        repeated = np.zeros(len(order), dtype=bool)   # rows whose hash another row has
        repeated[1:] = by_hash[1:] == by_hash[:-1]
        repeated[:-1] |= repeated[1:]
        del by_hash
        keep = order[~repeated & ok[order]]
        all_paths = pa.chunked_array(paths)
        if repeated.any():
            # a path done again (it failed, or its file changed), or two paths of one hash:
            # the latest row of each path decides
            latest: dict[str, int] = {}
            for row in np.sort(order[repeated]).tolist():
                latest[all_paths[row].as_py()] = row
            keep = np.concatenate([keep, np.array([row for row in latest.values() if ok[row]], dtype=np.int64)])
        del order, repeated
        keep = keep[np.argsort(hashed[keep], kind="stable")]
        return cls(all_paths.take(pa.array(keep)).combine_chunks(), np.concatenate(digests)[keep].tobytes(),
                   hashed[keep])

    def __getitem__(self, path: str) -> str:
        key, hashes = _path_hash(path), self._hashes
        at = bisect_left(hashes, key)
        if at < len(hashes) and hashes[at] == key:
            wanted = path.encode("utf-8", "surrogatepass")
            offsets, text = self._offsets, self._text
            while at < len(hashes) and hashes[at] == key:
                if text[offsets[at]:offsets[at + 1]] == wanted:
                    return self._digests[32 * at:32 * at + 32].hex()
                at += 1
        raise KeyError(path)

    def __iter__(self) -> Iterator[str]:
        for chunk in range(0, len(self._paths), _ROW_GROUP):
            yield from self._paths.slice(chunk, _ROW_GROUP).to_pylist()

    def __len__(self) -> int:
        return len(self._paths)


def _digests(shas: list, usable):
    """The 32 bytes of each usable row's sha256 (64 hexadecimal digits), decoded in one
    call (0s for the others); a row whose digits are not hexadecimal is marked not
    usable (a table edited by hand)."""
    import numpy as np

    digits = "".join(sha if ok else _NO_DIGEST for sha, ok in zip(shas, usable))
    try:
        return np.frombuffer(bytes.fromhex(digits), dtype=np.uint8).reshape(-1, 32)
    except ValueError:   # a digit that is not hexadecimal: found row by row
        pass
    rows = []
    for k, sha in enumerate(shas):
        try:
            digest = bytes.fromhex(sha) if usable[k] else b""
        except ValueError:
            digest = b""
        if len(digest) != 32:
            usable[k], digest = False, bytes(32)
        rows.append(digest)
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(-1, 32)


_NO_DIGEST = "0" * 64


def _batches(path: Optional[Path], cols: Optional[list[str]]) -> Iterator:
    if path is None:
        return iter(())
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).iter_batches(batch_size=_ROW_GROUP, columns=cols)


def _conform(batch, sch):
    """A batch in the schema of this version (columns added since are null)."""
    import pyarrow as pa

    if batch.schema.equals(sch):
        return batch
    names = batch.schema.names
    arrays = [batch.column(names.index(f.name)).cast(f.type) if f.name in names
              else pa.nulls(batch.num_rows, type=f.type) for f in sch]
    return pa.RecordBatch.from_arrays(arrays, schema=sch)


def _write_parquet(batches: Iterator[list], sch, tmp: str) -> None:
    """The arrays of each batch written as a row group of `tmp` (as pq.write_table
    writes a table: the same options)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetWriter(tmp, sch) as writer:
        for arrays in batches:
            writer.write_table(pa.Table.from_arrays(arrays, schema=sch))


def _atomic(path: Path, write):
    """write(tmp) into a temporary file beside `path`, then renamed onto it."""
    fd, tmp = tempfile.mkstemp(dir=str(path.parent), prefix=".factcheck-", suffix=".tmp")
    os.close(fd)
    try:
        got = write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
        return got
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_table(out: str | os.PathLike, table: str):
    """A table of a batch as a pandas DataFrame with the nullable dtypes of
    `factcheck.report.claims_frame` / `findings_frame`."""
    import pandas as pd

    frame = pd.read_parquet(Path(out) / f"{table}.parquet", dtype_backend="numpy_nullable")
    for name, field in zip(columns(table), schema(table)):
        kind = str(field.type)
        frame[name] = frame[name].astype("Int64" if kind == "int64" else "Float64" if kind == "double" else "string")
    return frame
