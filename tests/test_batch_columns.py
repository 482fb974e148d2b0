"""A batch worker's rows held by column (`factcheck.batch.columns`): the same Arrow
columns as the values themselves give, over chunk boundaries, nulls, texts that hold a
NUL or a lone surrogate, constant columns and several documents; and the worker's rows
of a document, findings made one at a time, are the rows `check`'s results give."""
from __future__ import annotations

import math
import pickle
import random
from pathlib import Path

import pyarrow as pa
import pytest

from factcheck.batch import columns as columns_module
from factcheck.batch.columns import Columns, arrow_batches
from factcheck.batch.main import BatchOptions, _settings
from factcheck.batch.tables import arrow_array, columns, kinds, schema
from factcheck.batch.worker import DocumentTask, process_document
from factcheck.checks import run_checks
from factcheck.pipeline import Pipeline
from factcheck.report import claim_rows, finding_rows

KINDS = ["text", "int", "float", "text"]


def arrow_columns(tables, schema) -> list:
    """The arrays of all the rows of `tables`, in one slice."""
    return next(arrow_batches(tables, schema, math.inf))

SCHEMA = pa.schema([("a", pa.string()), ("b", pa.int64()), ("c", pa.float64()), ("d", pa.string())])

ROWS = [
    [("x", 1, 1.5, "甲")],
    [(None, None, None, None)],
    [("", 0, 0.0, "")],
    [("含\x00零", -3, float("inf"), "乙")],                      # a NUL: the chunk keeps offsets
    [("\udcff名", 2 ** 40, -0.0, "𠀀")],                          # a lone surrogate is written as its escape
    [("a", 1, 1.0, None), ("b\x00", None, 2.0, "c"), (None, 3, None, "d\x00\x00")],
]


def expected_arrays(rows: list[tuple], constants: dict) -> list:
    """The columns as `tables.arrow_array` makes them from the values (how the part
    files' columns were made before they were packed)."""
    full = []
    for row in rows:
        values = iter(row)
        full.append(tuple(constants[i] if i in constants else next(values) for i in range(len(KINDS))))
    cols = list(zip(*full)) if full else [()] * len(KINDS)
    return [arrow_array(list(col), field.type) for col, field in zip(cols, SCHEMA)]


def packed(rows: list[tuple], constants: dict | None = None) -> Columns:
    table = Columns(KINDS, constants=constants)
    table.extend(rows)
    return table


@pytest.mark.parametrize("rows", ROWS)
def test_a_table_gives_the_columns_its_values_give(rows):
    assert arrow_columns([packed(rows)], SCHEMA) == expected_arrays(rows, {})


@pytest.mark.parametrize("chunk", [1, 2, 3, 1024])
@pytest.mark.parametrize("seed", range(4))
def test_chunks_constants_and_documents_one_after_the_other(monkeypatch, chunk, seed):
    """Random rows in random documents, packed `chunk` rows at a time, a document's
    path-like constant column kept once: the columns of all the documents in turn."""
    monkeypatch.setattr(columns_module, "CHUNK", chunk)
    draw = random.Random(seed)
    pool = ["", "甲乙", "a\x00b", "\udc80", "𠀀x", None, "path/文件.txt"]

    def row() -> tuple:
        return (draw.choice(pool), draw.choice([None, 0, 7, -2 ** 50]),
                draw.choice([None, 0.25, -1e300, float("nan")]))

    tables, expected = [], None
    for number in range(draw.randint(1, 5)):
        rows = [row() for _ in range(draw.randint(0, 9))]
        constants = {3: draw.choice(["doc/一.txt", "doc\x00two", "\udcfe"])}
        tables.append(packed(rows, constants))
        arrays = expected_arrays(rows, constants)
        expected = arrays if expected is None else [pa.concat_arrays([a, b]) for a, b in zip(expected, arrays)]
    got = arrow_columns([t for t in tables if len(t)], SCHEMA)
    assert len(got[0]) == sum(map(len, tables))
    for a, b in zip(got, expected):
        assert a.to_pylist() == b.to_pylist() or (a.type == pa.float64() and _same_floats(a, b))
    for rows in (1, 4, 10):
        # a slice of about `rows` rows at a time: whole chunks, the same columns in turn
        batches = list(arrow_batches([t for t in tables if len(t)], SCHEMA, rows))
        assert batches and all(len(b[0]) >= rows for b in batches[:-1])
        assert all(len(b[0]) < rows + max(chunk, 9 * 5) for b in batches)
        joined = [pa.concat_arrays([b[index] for b in batches]) for index in range(len(SCHEMA))]
        for a, b in zip(joined, got):
            assert a.to_pylist() == b.to_pylist() or (a.type == pa.float64() and _same_floats(a, b))


def _same_floats(a, b) -> bool:
    return all(x == y or (x != x and y != y) for x, y in zip(a.to_pylist(), b.to_pylist()))


def test_a_table_travels_packed_but_for_the_rows_left_over(monkeypatch):
    """Pickled (to the process that writes the part): the packed rows as bytes, the
    rows short of a chunk as they are; the same columns either way."""
    monkeypatch.setattr(columns_module, "CHUNK", 4)
    table = packed(table_rows(6))
    assert table.packed_count == 4 and len(table._rows) == 2
    copy = pickle.loads(pickle.dumps(table))
    assert len(copy) == 6 and copy.packed_count == 4
    assert arrow_columns([copy], SCHEMA) == arrow_columns([table], SCHEMA) == expected_arrays(table_rows(6), {})


def table_rows(count: int) -> list[tuple]:
    return [("a", 1, 2.0, "b")] * count


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown column kind 'date'"):
        Columns(["text", "date"])


CHECKS = Path(__file__).resolve().parent.parent / "fixtures" / "checks"
REPEATED = "\n".join((CHECKS / f"{name}_fail.hans.txt").read_text(encoding="utf-8")
                     for name in ("sum", "growth_vs_prior", "part_vs_whole", "share", "conflicting_repeat")) * 2


def test_the_workers_rows_are_the_rows_of_checks_results(tmp_path):
    """Findings made one at a time as the rows are packed (merged on repeated text, with
    their repeats, intervals and claims' texts) give the rows `run_checks`' list gives."""
    path = tmp_path / "doc.txt"
    path.write_text(REPEATED, encoding="utf-8")
    settings = _settings(BatchOptions(inputs=[], out=""))
    rows = process_document(DocumentTask(path=str(path), source=str(path), file=str(path)), settings)
    result = Pipeline().run_path(str(path))
    run_checks(result)
    expected = {"claims": list(claim_rows([result])), "findings": list(finding_rows([result]))}
    assert len(expected["findings"]) >= 3 and any(f["repeats"] for f in expected["findings"])
    assert rows.document["findings"] == len(expected["findings"])
    assert rows.document["findings_error"] == sum(f["severity"] == "error" for f in expected["findings"])
    for table in ("claims", "findings"):
        got = pa.Table.from_arrays(arrow_columns([getattr(rows, table)], schema(table)), schema=schema(table))
        assert got.to_pylist() == [{c: row[c] for c in columns(table)} for row in expected[table]], table
    assert kinds("claims")[columns("claims").index("start")] == "int"


def test_big_pieces_are_compressed_and_give_the_same_columns():
    """A figure-dense document's rows: pieces of 4 KB or more kept compressed (its
    findings' messages repeat their wording), the columns the same."""
    draw = random.Random(7)
    rows = [(f"同一数据前后不一：“{draw.randint(1, 10 ** 6)}亿元”与“{draw.random()}”" if k % 5 else None,
             k * 1000 if k % 7 else None, draw.random(), "\x00" if k == 2500 else "甲")
            for k in range(3000)]
    table = packed(rows)
    assert any(type(c[0]) is columns_module._Deflated for c in table._chunks[0])
    assert any(type(c) is columns_module._Deflated for c in table._chunks[1])
    raw = sum(len(text.encode()) for text, *_ in rows if text)
    assert sum(len(c[0]) for c in table._chunks[0]) < raw / 2
    got = arrow_columns([pickle.loads(pickle.dumps(table))], SCHEMA)
    assert [a.to_pylist() for a in got] == [a.to_pylist() for a in expected_arrays(rows, {})]
