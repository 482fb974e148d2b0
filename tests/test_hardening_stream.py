"""Big files are read in windows (factcheck.pipeline.run_stream): the claims are those
of the whole file read at once, offsets exact, in memory bounded by the window.

The windows here are tiny (a few thousand characters) so that a file of a few hundred
kilobytes crosses dozens of window boundaries; the 100 MB case is run by hand with
`python bench/bench_stream.py --mb 100`."""
import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import factcheck.decode as decode
import factcheck.pipeline as pipeline
from factcheck.decode import read_input
from factcheck.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PIPELINE = Pipeline()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seed, every other fixture (decoded) and the seed's start again: long lines,
    Traditional and Simplified text, pinyin, every kind of claim."""
    seed = read_input(str(FIXTURES / "sichuan_quality_interview_2010.txt")).text
    others = [read_input(str(p)).text for p in sorted(FIXTURES.rglob("*.txt")) if p.name != "sichuan_quality_interview_2010.txt"]
    text = seed + "\n" + "\n".join(others) + "\n" + seed[:30000]
    path = tmp_path_factory.mktemp("stream") / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    return path, text


def compare(whole, streamed, context):
    """Claims equal field by field. The one known difference: a share whose part is found
    by its name alone anywhere before it (link.py's `_shares`) loses that link when the
    part lies beyond the window's reach."""
    assert len(streamed.claims) == len(whole.claims)
    starts = {c.id: c.start for c in whole.claims}
    for a, b in zip(whole.claims, streamed.claims):
        ja, jb = a.to_json(), b.to_json()
        if ja["refers_to"] != jb["refers_to"]:
            assert jb["refers_to"] is None and a.role == "share", (ja, jb)
            assert a.start - starts[ja["refers_to"]] > context, (ja, jb)
            ja["refers_to"] = jb["refers_to"] = None
        assert ja == jb


@pytest.mark.parametrize("chunk,context", [(20000, 8000), (5000, 2000), (3000, 8000), (60000, 500)])
def test_streamed_claims_are_those_of_the_whole_file(corpus, chunk, context):
    path, text = corpus
    whole = PIPELINE.run_path(str(path))
    streamed = PIPELINE.run_stream(str(path), chunk_chars=chunk, context_chars=context)
    assert streamed.errors == [] and whole.errors == []
    assert streamed.sha256 == whole.sha256 and streamed.reference_year == whole.reference_year
    assert streamed.text is None
    compare(whole, streamed, context)
    for claim in streamed.claims:
        assert text[claim.start:claim.end] == claim.text


def _findings(result, rules):
    from factcheck.checks import run_checks

    return [(f.check, f.severity, f.claims, f.start, f.end, f.message, f.repeats)
            for f in run_checks(result, rules=rules)]


CHECK_DOCS = sorted((FIXTURES / "checks").glob("*.txt"))


@pytest.mark.parametrize("path", CHECK_DOCS, ids=[p.stem for p in CHECK_DOCS])
def test_streamed_findings_are_those_of_the_whole_file(path):
    whole = PIPELINE.run_path(str(path))
    streamed = PIPELINE.run_stream(str(path), chunk_chars=300, context_chars=100)
    assert _findings(streamed, PIPELINE.rules) == _findings(whole, PIPELINE.rules)


def test_streamed_findings_of_a_long_document(corpus):
    path, _ = corpus
    whole = PIPELINE.run_path(str(path))
    streamed = PIPELINE.run_stream(str(path), chunk_chars=5000, context_chars=2000)
    expected = _findings(whole, PIPELINE.rules)
    assert len(expected) > 50
    assert _findings(streamed, PIPELINE.rules) == expected


def test_a_long_line_is_cut_at_sentence_ends(tmp_path, corpus):
    _, text = corpus
    line = text[:120000].replace("\n", "。")
    path = tmp_path / "line.txt"
    path.write_text(line, encoding="utf-8")
    compare(PIPELINE.run_path(str(path)), PIPELINE.run_stream(str(path), chunk_chars=7000, context_chars=2000), 2000)


def test_a_line_with_no_break_at_all(tmp_path):
    text = "".join(f"共{n}人" for n in range(2, 8000))    # no line, sentence or clause break
    path = tmp_path / "wall.txt"
    path.write_text(text, encoding="utf-8")
    whole = PIPELINE.run_path(str(path))
    streamed = PIPELINE.run_stream(str(path), chunk_chars=5000, context_chars=500)
    assert [c.to_json() for c in streamed.claims] == [c.to_json() for c in whole.claims]


ENCODINGS = [
    ("utf-8-bom", lambda t: codecs.BOM_UTF8 + t.encode("utf-8")),
    ("gb18030", lambda t: t.encode("gb18030")),
    ("utf-16-bom", lambda t: t.encode("utf-16")),
    ("crlf", lambda t: t.replace("\n", "\r\n").encode("utf-8")),
    ("nul", lambda t: t.encode("utf-8") + b"\x00" * 100 + t.encode("utf-8")),
]


@pytest.mark.parametrize("name,encode", ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_encodings_and_odd_bytes_stream_like_the_whole_file(tmp_path, corpus, name, encode):
    _, text = corpus
    path = tmp_path / "doc.txt"
    path.write_bytes(encode(text[:60000]))
    whole = PIPELINE.run_path(str(path))
    streamed = PIPELINE.run_stream(str(path), chunk_chars=9000, context_chars=3000)
    assert streamed.errors == whole.errors == []
    compare(whole, streamed, 3000)
    raw = read_input(str(path)).text
    for claim in streamed.claims:
        assert raw[claim.start:claim.end] == claim.text


def test_the_encoding_is_chosen_as_for_the_whole_file(tmp_path):
    # ASCII for the first megabyte, GB18030 after it: the prefix alone would say UTF-8
    data = b"2010 report\n" * 100000 + "全省实现生产总值14151.3亿元。".encode("gb18030")
    path = tmp_path / "late.txt"
    path.write_bytes(data)
    assert decode.stream_input(str(path)).encoding == read_input(str(path)).encoding == "gb18030"


def test_run_path_streams_big_files(tmp_path, corpus, monkeypatch):
    path, _ = corpus
    whole = PIPELINE.run_path(str(path))
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 10000)
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 20000)
    streamed = PIPELINE.run_path(str(path))
    assert streamed.text is None            # it did stream
    compare(whole, streamed, pipeline.CONTEXT_CHARS)


def test_standard_input_is_spooled_and_streamed(corpus):
    path, text = corpus
    code = ("import sys, json, factcheck.pipeline as p; p.STREAM_BYTES = 10000; p.CHUNK_CHARS = 20000; "
            "r = p.Pipeline().run_path('-'); "
            "print(json.dumps([r.path, r.text is None, len(r.claims), r.errors]))")
    proc = subprocess.run([sys.executable, "-c", code], stdin=open(path, "rb"), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    name, streamed, claims, errors = json.loads(proc.stdout)
    assert [name, streamed, errors] == ["<stdin>", True, []]
    assert claims == len(PIPELINE.run_text(text).claims)


def test_the_reference_year_of_a_stream(tmp_path):
    cases = ["2011年2月28日发布\n2010年生产总值14151.3亿元\n今年增长5%",
             "2011年2月28日发布\n今年增长5%",
             "- 2021年的链接\n2010年增长5%",
             "２００９年增长5%"]
    for text in cases:
        path = tmp_path / "y.txt"
        path.write_text(text, encoding="utf-8")
        assert PIPELINE.run_stream(str(path), chunk_chars=10).reference_year == PIPELINE.run_text(text).reference_year


def test_the_claim_cap_holds_across_windows(tmp_path):
    text = "\n".join(f"共{n}人。" for n in range(2, 3000))
    path = tmp_path / "many.txt"
    path.write_text(text, encoding="utf-8")
    result = Pipeline(max_claims=1000).run_stream(str(path), chunk_chars=2000, context_chars=300)
    assert [c.value for c in result.claims] == list(range(2, 1002))
    assert [c.id for c in result.claims][-1] == "c1000"
    assert result.errors == [f"{path}: more than 1000 claims; only the first 1000 are kept"]


def test_a_file_that_disappears_while_streamed(tmp_path, corpus, monkeypatch):
    path, text = corpus
    copy = tmp_path / "copy.txt"
    copy.write_text(text, encoding="utf-8")
    real = pipeline.stream_input

    def then_vanish(p, **kw):
        got = real(p, **kw)
        os.unlink(p)
        return got

    monkeypatch.setattr(pipeline, "stream_input", then_vanish)
    result = PIPELINE.run_stream(str(copy), chunk_chars=5000)
    assert result.claims == []
    assert result.errors == [f"{copy}: no such file"]


# ---- memory: a child process, two sizes; the peak must not grow with the file ------------

def _child(path, chunk):
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_stream

    return bench_stream.run(path, whole=False, chunk=chunk)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_streaming_memory_is_bounded(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_stream

    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    bench_stream.build(small, 1_000_000)
    bench_stream.build(big, 4_000_000)
    a = bench_stream.run(small, whole=False, chunk=100_000)
    b = bench_stream.run(big, whole=False, chunk=100_000)
    assert a["errors"] == b["errors"] == []
    assert b["claims"] > 3.9 * a["claims"]
    # four times the text, not four times the memory: the window and the claims kept
    # (~1 KB each) are all that grow
    assert b["peak_minus_baseline_mb"] < a["peak_minus_baseline_mb"] + 0.0012 * b["claims"] + 15, (a, b)
    whole = bench_stream.run(big, whole=True)
    # the whole file is normalized a block at a time too (15 MB of growth for these 4 MB,
    # where it was over 20): streaming saves holding its raw and normalized texts whole,
    # 2-3 MB of them (10-13 MB against 15 in runs of this test; a ratio of 0.85 failed
    # one run in ten)
    assert b["peak_minus_baseline_mb"] < whole["peak_minus_baseline_mb"] - 1, (b, whole)
