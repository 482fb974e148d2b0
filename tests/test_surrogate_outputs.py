"""Lone surrogates in what a run writes: a file name whose bytes are not UTF-8 (a GBK
name unpacked from an archive, decoded with surrogateescape) and \\ud800 escapes in JSON
input. Every output carries them as their escapes (\\udccd); in JSON that is the JSON
escape, so the name reads back as the same string. One such name used to fail the whole
run, and every other document's results with it."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from factcheck.batch.tables import arrow_array, stored_text
from factcheck.cli import main
from factcheck.report import escape_surrogates, escaped_texts, typed_frame

TEXT = "2010年全省生产总值14151.3亿元，比上年增长14.5%。"
GBK_NAME = "数据.txt".encode("gbk")          # b"\xca\xfd\xbe\xdd.txt": not UTF-8


@pytest.fixture
def corpus(tmp_path):
    """A folder with a GBK-named file and a UTF-8-named one; (folder, the odd file's path
    as Python names it, the other file's path)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    odd = os.fsencode(folder) + b"/" + GBK_NAME
    try:
        with open(odd, "w", encoding="utf-8") as handle:
            handle.write(TEXT)
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    assert os.fsdecode(odd).endswith("\udcca\udcfd\udcbe\udcdd.txt")
    plain = folder / "plain.txt"
    plain.write_text(TEXT, encoding="utf-8")
    return folder, os.fsdecode(odd), str(plain)


def test_escape_surrogates():
    assert escape_surrogates("统计\udccd.txt") == "统计\\udccd.txt"
    assert escape_surrogates("a\ud800b\udfff") == "a\\ud800b\\udfff"
    assert escape_surrogates("\U0001f600统计") == "\U0001f600统计"   # a pair is no surrogate
    same = ["统计", None, 3]
    assert escaped_texts(same) is same
    assert escaped_texts(["a\udcff", None, "b"]) == ["a\\udcff", None, "b"]


def test_typed_frame_holds_escaped_texts():
    frame = typed_frame([{"path": "a\udcff", "n": 1}, {"path": None, "n": None}], ["path", "n"], {"n": "Int64"})
    assert frame["path"].tolist()[0] == "a\\udcff"
    assert frame["path"].isna().tolist() == [False, True]
    assert str(frame["n"].dtype) == "Int64" and str(frame["path"].dtype) in ("string", "str")


@pytest.mark.parametrize("kind, values", [
    (pa.string(), ["统计", None, "", "a\"b\n", "\U0001f600"]),
    (pa.string(), [None, None]),
    (pa.string(), []),
    (pa.string(), [""]),
    (pa.string(), ["", None, ""]),
    (pa.string(), ["a\x00b", "统计", None, "", "\x00"]),   # a NUL: the texts' bytes counted one by one
    (pa.string(), ["增长14.5%", "c12", None, "14151.3亿元"] * 300),
    (pa.float64(), [None, None]),
    (pa.int64(), [None]),
    (pa.int64(), [1, None, -(2 ** 63), 2 ** 63 - 1, 0]),
    (pa.float64(), [1.5, None, float("inf"), -0.0, 3]),
    (pa.bool_(), [True, False, None, True, True, False, True, True, False]),
])
def test_arrow_array_is_what_pa_array_makes(kind, values):
    assert arrow_array(values, kind).equals(pa.array(values, type=kind))


def test_arrow_array_keeps_nan_a_value_and_escapes_surrogates():
    floats = arrow_array([math.nan, None], pa.float64())
    assert floats.null_count == 1 and math.isnan(floats[0].as_py())
    texts = arrow_array(["统计\udccd", None], pa.string())
    texts.validate(full=True)   # valid UTF-8
    assert texts.to_pylist() == ["统计\\udccd", None]
    texts = arrow_array(["a\x00\ud800", "\udfff统计", None, "b"], pa.string())
    texts.validate(full=True)
    assert texts.to_pylist() == ["a\x00\\ud800", "\\udfff统计", None, "b"]
    assert stored_text("统计\udccd") == "统计\\udccd"


@pytest.mark.parametrize("command", ["extract", "check"])
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "parquet", "table"])
def test_a_name_that_is_not_utf8_fails_no_output(corpus, tmp_path, command, fmt):
    folder, odd, plain = corpus
    out = tmp_path / f"out.{fmt}"
    assert main([command, odd, plain, "--format", fmt, "-o", str(out)]) in (0, 1)
    if fmt == "json":
        documents = json.loads(out.read_text(encoding="utf-8"))["documents"]
        assert [d["path"] for d in documents] == [odd, plain]   # read back as the same name
        assert all(d["claims"] for d in documents)
    elif fmt == "parquet":
        paths = pq.read_table(out).column("path").to_pylist()
        if command == "extract":
            assert set(paths) == {escape_surrogates(odd), plain}
    else:
        text = out.read_text(encoding="utf-8")
        if command == "extract":
            assert escape_surrogates(os.path.basename(odd)) in text


@pytest.mark.parametrize("setting", [{"PYTHONIOENCODING": "utf-8"},     # strict: it failed
                                     {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}])   # surrogateescape: raw bytes
def test_standard_output_escapes_them(corpus, setting):
    folder, odd, plain = corpus
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "LANG", "LC_ALL", "LC_CTYPE")}
    done = subprocess.run([sys.executable, "-m", "factcheck", "extract", "--format", "json", odd, plain],
                          capture_output=True, env={**env, **setting})
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    documents = json.loads(done.stdout.decode("utf-8"))["documents"]   # UTF-8, and JSON
    assert [d["path"] for d in documents] == [odd, plain]


def test_a_handler_the_user_chose_for_standard_output_is_kept(corpus):
    folder, odd, plain = corpus
    done = subprocess.run([sys.executable, "-m", "factcheck", "extract", "--format", "jsonl", odd],
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": "utf-8:surrogateescape"})
    assert done.returncode == 0
    assert GBK_NAME in done.stdout   # the name's own bytes, as asked


def test_reviewer_outputs(corpus, tmp_path):
    folder, odd, plain = corpus
    checklist, xlsx = tmp_path / "c.md", tmp_path / "c.xlsx"
    assert main(["report", odd, plain, "--checklist", str(checklist), "--xlsx", str(xlsx)]) in (0, 1)
    assert escape_surrogates(os.path.basename(odd)) in checklist.read_text(encoding="utf-8")
    import pandas as pd

    assert set(pd.read_excel(xlsx, sheet_name="documents")["path"]) == {escape_surrogates(odd), plain}


def test_batch_keeps_every_document_and_resumes_past_it(corpus, tmp_path, capsys):
    folder, odd, plain = corpus
    out = tmp_path / "tables"
    assert main(["batch", str(folder), "--out", str(out), "--jobs", "1"]) == 0
    documents = pq.read_table(out / "documents.parquet")
    assert sorted(documents.column("path").to_pylist()) == sorted([escape_surrogates(odd), plain])
    assert documents.column("status").to_pylist() == ["ok", "ok"]
    claims = pq.read_table(out / "claims.parquet")
    assert set(claims.column("path").to_pylist()) == {escape_surrogates(odd), plain}
    capsys.readouterr()
    # the tables' path is the escaped one: --resume knows the document all the same
    assert main(["batch", str(folder), "--out", str(out), "--jobs", "1", "--resume", "--progress"]) == 0
    assert "(0 run now, 2 already done)" in capsys.readouterr().err


def test_batch_does_not_import_pandas(tmp_path):
    """pa.array, pq.read_table and a Python value compared in pyarrow each import pandas
    (half a second of a run); the batch writes its tables without them."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02" * 100)   # a failed document's row too
    script = ("import sys; from factcheck.cli import main; "
              f"code = main(['batch', {str(folder)!r}, '--out', {str(tmp_path / 'out')!r}, '--jobs', '1', '--csv']); "
              "print(code, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["2", "False"], done.stderr
