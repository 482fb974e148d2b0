"""A table's rows held by column: what a batch worker hands back for a document, and
what the part file's Arrow arrays are made from.

As tuples of Python objects a document's rows took 30 times its size on figure-dense
text whose figures disagree (a finding's row about 1.1 KB: its message, two interval
texts, floats, a tuple), more than the claims they were made from, and they were held
until the document was done. Here the rows are packed `CHUNK` at a time into the bytes
the arrays are made of: numbers as 8-byte arrays, texts as their UTF-8 joined by NUL
(Arrow finds where each starts), a byte a row for the rows that are not null, each piece
of 4 KB or more compressed. A column whose value is the same on every row (a document's
path) is kept once. The process that writes the part wraps the buffers; it no longer
reads a value at a time.
"""
from __future__ import annotations

import zlib
from array import array
from itertools import repeat
from operator import is_not
from typing import Iterable, Optional, Sequence

from ..models import OUTPUT_ERRORS

CHUNK = 1024
KINDS = ("int", "float", "text")
_NAN = float("nan")
_SEPARATOR = "\x00"


class Columns:
    """Rows of `kinds` (one of KINDS per column, in the table's order); the columns of
    `constants` (index -> value) hold that value on every row and are left out of the
    rows given to `append`."""

    def __init__(self, kinds: Sequence[str], constants: Optional[dict[int, object]] = None) -> None:
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown column kind {unknown[0]!r}")
        self.kinds = tuple(kinds)
        self.constants = dict(constants or {})
        self.count = 0
        self._varying = [i for i in range(len(self.kinds)) if i not in self.constants]
        self._rows: list[tuple] = []
        # per column: its packed chunks, and its validity bytes (1 = not null)
        self._chunks: list[list] = [[] for _ in self.kinds]
        self._valid: list[list[bytes]] = [[] for _ in self.kinds]

    def __len__(self) -> int:
        return self.count

    def append(self, row: tuple) -> None:
        """One row: the values of the columns that are not constant, in order."""
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= CHUNK:
            self._pack()

    def extend(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.append(row)

    def close(self) -> "Columns":
        """Packs what is pending; the rows are all bytes after."""
        if self._rows:
            self._pack()
        return self

    def __getstate__(self) -> dict:
        self.close()   # what travels to the writing process is bytes
        return self.__dict__.copy()

    def _pack(self) -> None:
        rows, self._rows = self._rows, []
        for index, values in zip(self._varying, zip(*rows)):
            chunk = _packed(self.kinds[index], values)
            if type(chunk) is tuple:
                chunk = (_stored(chunk[0]), *chunk[1:])
            else:
                chunk = _stored(chunk)
            self._chunks[index].append(chunk)
            self._valid[index].append(_stored(_validity(values)))

    def packed(self, index: int) -> tuple[list, list[bytes]]:
        """(chunks, validity bytes) of column `index`; a constant column as one chunk."""
        self.close()
        if index not in self.constants:
            return self._chunks[index], self._valid[index]
        values = tuple(repeat(self.constants[index], self.count))
        return [_packed(self.kinds[index], values)], [_validity(values)]


class _Deflated(bytes):
    """A piece of a column compressed (zlib, level 1)."""


def _stored(piece):
    """`piece` (bytes or an array) as a table keeps it: compressed when it is big
    enough to pay. A figure-dense document's rows were 12 times its size as bytes (a
    finding's message, its interval texts), 1.5 times compressed, for 3% of its time;
    compressing a small document's few bytes cost more than it saved."""
    if len(piece) * getattr(piece, "itemsize", 1) < _DEFLATE_FROM:
        return piece
    return _Deflated(zlib.compress(piece, 1))


def _loaded(piece):
    return zlib.decompress(piece) if type(piece) is _Deflated else piece


_DEFLATE_FROM = 4096   # bytes


def _validity(values: tuple) -> bytes:
    if None not in values:
        return b"\x01" * len(values)
    return bytes(map(is_not, values, repeat(None)))


def _packed(kind: str, values: tuple):
    """A chunk of one column: an array('q') / array('d'), or for texts (UTF-8 bytes,
    offsets or None, count) where no offsets means joined by NUL."""
    if kind == "text":
        texts = [("" if v is None else v) for v in values] if None in values else values
        joined = _SEPARATOR.join(texts)
        data = joined.encode("utf-8", OUTPUT_ERRORS)   # a lone surrogate as its escape, as every output
        if joined.count(_SEPARATOR) == len(texts) - 1:
            return data, None, len(texts)
        encoded = [text.encode("utf-8", OUTPUT_ERRORS) for text in texts]   # a text that holds a NUL
        offsets = array("i", [0])
        total = 0
        for piece in encoded:
            total += len(piece)
            offsets.append(total)
        return b"".join(encoded), offsets, len(texts)
    if kind == "float":
        return array("d", [_NAN if v is None else v for v in values] if None in values else values)
    return array("q", [0 if v is None else v for v in values] if None in values else values)


def arrow_columns(tables: Sequence[Columns], schema) -> list:
    """The Arrow arrays of `schema`'s columns over the rows of `tables`, one after
    the other. (Letting each table's column go once its array was made raised the
    writing process's peak: what it freed, Arrow's allocator does not reuse.)"""
    import numpy as np
    import pyarrow as pa

    arrays = []
    for index, field in enumerate(schema):
        chunks: list = []
        valid: list[bytes] = []
        for table in tables:
            if table.count:
                got, validity = table.packed(index)
                chunks.extend(got)
                valid.extend(validity)
        count = sum(map(len, valid))
        present = np.frombuffer(_joined([_loaded(v) for v in valid]), dtype=np.bool_)
        del valid
        nulls = int(count - np.count_nonzero(present))
        bitmap = pa.py_buffer(np.packbits(present, bitorder="little")) if nulls else None
        kind = field.type
        if pa.types.is_string(kind):
            texts = _text_array([c for c in chunks if c[2]])
            arrays.append(pa.Array.from_buffers(kind, count, [bitmap, *texts.buffers()[1:]], null_count=nulls,
                                                offset=texts.offset))
        else:
            dtype = np.float64 if pa.types.is_floating(kind) else np.int64
            data = np.frombuffer(_joined([_loaded(c) for c in chunks]), dtype=dtype)
            arrays.append(pa.Array.from_buffers(kind, count, [bitmap, pa.py_buffer(data)], null_count=nulls))
        del chunks
    return arrays


def _joined(pieces: list):
    """The bytes of `pieces` one after the other; a piece alone as it is (no copy)."""
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def _text_array(chunks: list):
    """One pa.string() array (no nulls) of text chunks: runs of chunks joined by NUL are
    joined into one and split by Arrow; a chunk with offsets is wrapped as it is."""
    import pyarrow as pa

    pieces, run = [], []
    for chunk in chunks:
        if chunk[1] is None:
            run.append(chunk)
            continue
        if run:
            pieces.extend(_split(run))
            run = []
        data, offsets, count = chunk
        pieces.append(pa.Array.from_buffers(pa.string(), count, [None, pa.py_buffer(offsets),
                                                                 pa.py_buffer(_loaded(data))]))
    if run:
        pieces.extend(_split(run))
    if not pieces:   # pa.array would import pandas
        return pa.Array.from_buffers(pa.string(), 0, [None, pa.py_buffer(array("i", [0])), pa.py_buffer(b"")])
    return pieces[0] if len(pieces) == 1 else pa.concat_arrays(pieces)


def _split(run: list) -> list:
    """The texts of NUL-joined chunks, as string arrays: one for the run, or one a chunk
    where the run's bytes pass what 4-byte offsets reach."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    data = _loaded(run[0][0]) if len(run) == 1 else b"\x00".join(_loaded(chunk[0]) for chunk in run)
    if len(data) >= 2 ** 31 and len(run) > 1:
        return [piece for chunk in run for piece in _split([chunk])]
    whole = pa.Array.from_buffers(pa.large_string(), 1, [None, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)),
                                                          pa.py_buffer(data)])
    return [pc.split_pattern(whole, pattern="\x00").flatten().cast(pa.string())]
