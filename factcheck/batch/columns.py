"""A table's rows held by column: what a batch worker hands back for a document, and
what the part file's Arrow arrays are made from.

As tuples of Python objects a document's rows took 30 times its size on figure-dense
text whose figures disagree (a finding's row about 1.1 KB: its message, two interval
texts, floats, a tuple), more than the claims they were made from, and they were held
until the document was done. Here the rows are packed `CHUNK` at a time (those left
over are packed with the next documents' when the part is written) into the bytes the
arrays are made of: numbers as 8-byte arrays, texts as their UTF-8 joined by NUL
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
from typing import Iterable, Iterator, Optional, Sequence

from ..models import OUTPUT_ERRORS

CHUNK = 1024
KINDS = ("int", "float", "text")
_KNOWN = frozenset(KINDS)
_NAN = float("nan")
_SEPARATOR = "\x00"


class Columns:
    """Rows of `kinds` (one of KINDS per column, in the table's order); the columns of
    `constants` (index -> value) hold that value on every row and are left out of the
    rows given to `append`. Rows are packed CHUNK at a time; fewer left over stay rows
    (a small document's few rows, packed with those of the other documents of its part
    by `arrow_batches`: packed one document at a time, many small documents took a
    fifth longer)."""

    def __init__(self, kinds: Sequence[str], constants: Optional[dict[int, object]] = None) -> None:
        if not _KNOWN.issuperset(kinds):
            raise ValueError(f"unknown column kind {next(k for k in kinds if k not in KINDS)!r}")
        self.kinds = tuple(kinds)
        self.constants = dict(constants or {})
        self.count = 0
        self.packed_count = 0
        self._varying = [i for i in range(len(self.kinds)) if i not in self.constants]
        self._rows: list[tuple] = []
        # per column: its packed chunks, and their validity bytes (1 = not null); made
        # when the first rows are packed (a small document's rows never are)
        self._chunks: Optional[list[list]] = None
        self._valid: Optional[list[list[bytes]]] = None

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

    def __reduce__(self):
        # what a document's rows cost to send is what they hold, not the empty lists of
        # an object made to receive more
        return _restored, (self.kinds, self.constants, self.count, self.packed_count, self._rows, self._chunks,
                           self._valid)

    def _pack(self) -> None:
        rows, self._rows = self._rows, []
        if self._chunks is None:
            self._chunks, self._valid = [[] for _ in self.kinds], [[] for _ in self.kinds]
        for index, values in zip(self._varying, zip(*rows)):
            self._chunks[index].append(_kept(_packed(self.kinds[index], values)))
            self._valid[index].append(_stored(_validity(values)))
        self.packed_count += len(rows)

    def full_columns(self) -> list:
        """The values of each column (constants too) of the rows not packed."""
        varying = iter(zip(*self._rows)) if self._rows else iter(() for _ in self._varying)
        return [tuple(repeat(self.constants[i], len(self._rows))) if i in self.constants else next(varying)
                for i in range(len(self.kinds))]


def _restored(kinds, constants, count, packed_count, rows, chunks, valid) -> Columns:
    table = Columns.__new__(Columns)
    table.kinds, table.constants, table.count, table.packed_count = kinds, constants, count, packed_count
    table._varying = [i for i in range(len(kinds)) if i not in constants]
    table._rows, table._chunks, table._valid = rows, chunks, valid
    return table


class _Deflated(bytes):
    """A piece of a column compressed (zlib, level 1)."""


def _stored(piece):
    """`piece` (bytes or an array) as a table keeps it: compressed when it is big
    enough to pay. A figure-dense document's rows were 12 times its size as bytes (a
    finding's message, its interval texts), under 3 times compressed, for 1.5% of its
    time; compressing a small document's few bytes cost more than it saved."""
    if len(piece) * getattr(piece, "itemsize", 1) < _DEFLATE_FROM:
        return piece
    return _Deflated(zlib.compress(piece, 1))


def _kept(chunk):
    """A packed chunk as a table keeps it (`_stored`): a text chunk's bytes, or the array."""
    return (_stored(chunk[0]), *chunk[1:]) if type(chunk) is tuple else _stored(chunk)


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


def arrow_batches(tables: Sequence[Columns], schema, rows: float) -> Iterator[list]:
    """The Arrow arrays of `schema`'s columns over the rows of `tables`, one after the
    other (the rows left unpacked in consecutive tables packed together), a slice of
    about `rows` rows at a time (whole chunks; at least one slice, empty when the tables
    are; `math.inf`: all of them in one): the part's arrays at once, their bytes
    unpacked and joined, were the peak of the process that writes it (10 MB of
    figure-dense text whose figures disagree: 230 MB more, for 27 MB of rows packed).
    (Letting each table's column go once its array was made raised that peak: what it
    freed, Arrow's allocator does not reuse.)"""
    width = len(schema)
    chunks: list[list] = [[] for _ in range(width)]
    valid: list[list] = [[] for _ in range(width)]
    count = 0
    made = False
    for unit_count, unit_chunks, unit_valid in _units(tables, schema):
        for index in range(width):
            chunks[index].extend(unit_chunks[index])
            valid[index].extend(unit_valid[index])
        count += unit_count
        if count >= rows:
            yield _arrays(chunks, valid, schema)
            chunks, valid, count, made = [[] for _ in range(width)], [[] for _ in range(width)], 0, True
    if count or not made:
        yield _arrays(chunks, valid, schema)


def _units(tables: Sequence[Columns], schema) -> Iterator[tuple[int, list, list]]:
    """The rows of `tables` in order as (rows, chunks by column, validity by column):
    a packed chunk each, and the rows left unpacked in consecutive tables packed
    together."""
    import pyarrow as pa

    width = len(schema)
    kinds = ["text" if pa.types.is_string(f.type) else "float" if pa.types.is_floating(f.type) else "int"
             for f in schema]
    run: list[list] = [[] for _ in range(width)]   # the values of rows not packed, by column

    def packed_run() -> tuple[int, list, list]:
        unit = (len(run[0]), [[_packed(kinds[i], run[i])] for i in range(width)],
                [[_validity(run[i])] for i in range(width)])
        for index in range(width):
            run[index] = []
        return unit

    for table in tables:
        if table.packed_count:
            if run[0]:
                yield packed_run()
            varying = table._varying
            sizes = ([len(_loaded(v)) for v in table._valid[varying[0]]] if varying
                     else [table.packed_count])
            for number, size in enumerate(sizes):
                unit_chunks, unit_valid = [], []
                for index in range(width):
                    if index in table.constants:
                        values = tuple(repeat(table.constants[index], size))
                        unit_chunks.append([_packed(kinds[index], values)])
                        unit_valid.append([_validity(values)])
                    else:
                        unit_chunks.append([table._chunks[index][number]])
                        unit_valid.append([table._valid[index][number]])
                yield size, unit_chunks, unit_valid
        for index, values in enumerate(table.full_columns()):
            run[index].extend(values)
    if run[0]:
        yield packed_run()


def _arrays(chunks: list[list], valid: list[list], schema) -> list:
    """The Arrow arrays of packed chunks and their validity, by column; the lists are
    emptied as the arrays are made."""
    import numpy as np
    import pyarrow as pa

    arrays = []
    for index, field in enumerate(schema):
        present = np.frombuffer(_joined([_loaded(v) for v in valid[index]]), dtype=np.bool_)
        count = len(present)
        nulls = int(count - np.count_nonzero(present))
        bitmap = pa.py_buffer(np.packbits(present, bitorder="little")) if nulls else None
        kind = field.type
        if pa.types.is_string(kind):
            texts = _text_array([c for c in chunks[index] if c[2]])
            arrays.append(pa.Array.from_buffers(kind, count, [bitmap, *texts.buffers()[1:]], null_count=nulls,
                                                offset=texts.offset))
        else:
            dtype = np.float64 if pa.types.is_floating(kind) else np.int64
            data = np.frombuffer(_joined([_loaded(c) for c in chunks[index]]), dtype=dtype)
            arrays.append(pa.Array.from_buffers(kind, count, [bitmap, pa.py_buffer(data)], null_count=nulls))
        chunks[index].clear()
        valid[index].clear()
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
