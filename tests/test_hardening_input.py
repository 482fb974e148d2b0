"""Hostile and odd input, end to end: encodings, line endings, NUL bytes, invisible
characters and spaces inside numbers, very long lines, empty files, folders and files
that disappear. Each case has a defined behaviour; the errors are one line naming the
input."""
import codecs
import os
import subprocess
import sys
import time

import pytest

import factcheck.decode as decode
from factcheck.decode import InputError, decode_bytes, read_input
from factcheck.pipeline import Pipeline

PIPELINE = Pipeline()

TEXT = ("2010年全省国民经济和社会发展统计公报\n"
        "全省实现地区生产总值14151.3亿元，比上年增长14.5%。\n"
        "全年出口食品6310批，货值12.6亿美元，检疫查验入境人员近25万人次。\n"
        "年末常住人口8045万人，其中城镇人口3231万人。\n")


def fields(claims):
    """What a claim says, without where it is."""
    return [(c.value, c.unit, c.qualifier, c.role, c.metric, c.subject, c.period, c.low, c.high)
            for c in claims]


def assert_spans_exact(raw, claims):
    for claim in claims:
        assert 0 <= claim.start < claim.end <= len(raw)
        assert raw[claim.start:claim.end] == claim.text


def one_line_naming(message, name):
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{name}: "), message


EXPECTED = fields(PIPELINE.run_text(TEXT).claims)


def test_the_reference_text_has_claims():
    assert len(EXPECTED) == 7
    assert EXPECTED[0][:2] == (1415130000000.0, "CNY")


# ---- every supported encoding, through the whole pipeline ------------------------------

ENCODINGS = [
    ("utf-8", lambda t: t.encode("utf-8")),
    ("utf-8-bom", lambda t: codecs.BOM_UTF8 + t.encode("utf-8")),
    ("gb18030", lambda t: t.encode("gb18030")),
    ("gbk", lambda t: t.encode("gbk")),
    ("big5", lambda t: t.encode("big5")),
    ("utf-16-le-bom", lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
    ("utf-16-be-bom", lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")),
    ("utf-32-bom", lambda t: t.encode("utf-32")),
]


@pytest.mark.parametrize("name,encode", ENCODINGS, ids=[e[0] for e in ENCODINGS])
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_every_encoding_and_line_ending_gives_the_same_claims(tmp_path, name, encode, ending):
    text = TEXT.replace("\n", ending)
    if name == "big5":
        import opencc

        text = opencc.OpenCC("s2t").convert(text)   # Big5 holds Traditional characters only
    path = tmp_path / f"doc-{name}.txt"
    path.write_bytes(encode(text))
    result = PIPELINE.run_path(str(path))
    assert result.errors == []
    raw = read_input(str(path)).text
    assert raw == text
    assert_spans_exact(raw, result.claims)
    assert [(v, u, r) for v, u, _, r, *_ in fields(result.claims)] == [(v, u, r) for v, u, _, r, *_ in EXPECTED]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("text", ["Report 2010: exports 6310 batches, up 14.5%\n" * 20, TEXT * 3],
                         ids=["ascii", "chinese"])
def test_wide_encodings_without_bom_are_recognised(codec, text):
    decoded = decode_bytes(text.encode(codec), "notice.txt")
    assert decoded.encoding.replace("_", "-") == codec
    assert decoded.text == text


# ---- line endings ----------------------------------------------------------------------

MIXED = "2009年\r\n全省实现生产总值14151.3亿元\r全年出口6310批\n进出口总额242.3亿美元，增长9.6%\r\n"


def test_mixed_line_endings_behave_like_newlines():
    lf = MIXED.replace("\r\n", "\n").replace("\r", "\n")
    mixed = PIPELINE.run_text(MIXED)
    assert fields(mixed.claims) == fields(PIPELINE.run_text(lf).claims)
    assert_spans_exact(MIXED, mixed.claims)
    # a line of its own: 2009年 is not the period of the figures on the lines after it
    assert [c.period for c in mixed.claims][:2] == [c.period for c in PIPELINE.run_text(lf).claims][:2]


@pytest.mark.parametrize("brk", ["\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_other_line_breaks_end_a_line(brk):
    text = f"2009年{brk}全省实现生产总值14151.3亿元"
    assert fields(PIPELINE.run_text(text).claims) == fields(PIPELINE.run_text(text.replace(brk, "\n")).claims)


# ---- NUL bytes: text with NULs, or binary ----------------------------------------------

def test_a_stray_nul_in_text_is_text_and_kept():
    data = "全省出口6310批，货值12.6亿美元。".encode("utf-8")
    data = data[:6] + b"\x00" + data[6:]        # after 全省
    decoded = decode_bytes(data, "crawl.txt")
    assert decoded.encoding == "utf-8"
    assert decoded.text.count("\x00") == 1
    claims = PIPELINE.run_text(decoded.text).claims
    assert [c.text for c in claims] == ["6310批", "12.6亿美元"]
    assert_spans_exact(decoded.text, claims)


def test_nuls_far_into_a_file_are_judged_as_at_its_start():
    body = ("全省实现生产总值14151.3亿元，比上年增长14.5%。\n" * 400).encode("utf-8")
    early = decode_bytes(b"\x00" + body, "a.txt")
    late = decode_bytes(body + b"\x00", "b.txt")
    assert early.encoding == late.encoding == "utf-8"


def test_a_zero_filled_tail_is_text():
    body = "全省出口6310批。\n".encode("utf-8")
    decoded = decode_bytes(body + b"\x00" * 4096, "crashed.txt")
    assert decoded.text.startswith("全省出口6310批")
    assert [c.text for c in PIPELINE.run_text(decoded.text).claims] == ["6310批"]


def test_gb18030_with_a_nul_is_text():
    body = ("全省实现生产总值14151.3亿元，比上年增长14.5%。" * 50).encode("gb18030")
    decoded = decode_bytes(body[:40] + b"\x00" + body[40:], "gb.txt")
    assert decoded.encoding == "gb18030"


@pytest.mark.parametrize("data", [
    b"\x00" * 10,
    b"\x00\x01\x02\x03text" * 50,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)),
], ids=["only-nuls", "controls", "png"])
def test_nuls_with_no_text_around_them_are_binary(data):
    with pytest.raises(InputError) as info:
        decode_bytes(data, "blob.bin")
    one_line_naming(str(info.value), "blob.bin")
    assert "binary" in str(info.value)


@pytest.mark.parametrize("text,claims", [
    ("14\x00151.3亿元", []),                      # a NUL may stand for a lost digit
    ("共6310\x00批", []),
    ("出口6310批\x00，增长14.5%", ["增长14.5%"]),  # the figure before it is cut off
    ("\x00增长14.5%", []),
    ("增长14.5%。\x00", ["增长14.5%"]),
])
def test_a_figure_touching_a_nul_is_not_reported(text, claims):
    found = PIPELINE.run_text(text).claims
    assert [c.text for c in found] == claims
    assert_spans_exact(text, found)


# ---- invisible characters and spaces inside numbers --------------------------------------

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u061c",
             "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
             "\u180e", "\ufe0f", "\u034f", "\U000e0041"]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_between_digits_end_to_end(ch):
    text = f"全省实现生产总值1{ch}4151.3亿{ch}元，比上年增长1{ch}4.{ch}5%。"
    claims = PIPELINE.run_text(text).claims
    assert [(c.value, c.unit, c.role) for c in claims] == [(1415130000000.0, "CNY", "level"),
                                                           (14.5, "percent", "growth")]
    assert claims[0].metric == "gdp"
    assert_spans_exact(text, claims)
    assert ch in claims[0].text and ch in claims[1].text


SPACES = ["\u00a0", "\u2007", "\u2009", "\u202f", "\u3000", "\u2002"]


@pytest.mark.parametrize("space", SPACES, ids=[f"U+{ord(c):04X}" for c in SPACES])
def test_any_space_behaves_like_an_ordinary_space(space):
    text = f"增长{space}14.5%，一百{space}五十人，5{space}万人，[ 11-11{space}09:31 ]"
    assert fields(PIPELINE.run_text(text).claims) == fields(PIPELINE.run_text(text.replace(space, " ")).claims)


@pytest.mark.parametrize("space", ["\u00a0", "\u2007", "\u2009", "\u202f"])
def test_typographic_spaces_between_digit_groups_are_thousands_separators(space):
    text = f"生产总值14{space}151.3亿元，人口87{space}246{space}000人，2010{space}123万元"
    claims = PIPELINE.run_text(text).claims
    assert [c.value for c in claims] == [1415130000000.0, 87246000.0, 1230000.0]
    assert_spans_exact(text, claims)
    # an ordinary space is never one: 14 151.3 is two numbers
    assert [c.value for c in PIPELINE.run_text("生产总值14 151.3亿元").claims] == [15130000000.0]


# ---- size and shape ------------------------------------------------------------------

def test_a_very_long_line(seed_text):
    line = seed_text.replace("\n", "。") * 4          # ~280k characters, no line break
    started = time.perf_counter()
    result = PIPELINE.run_text(line)
    assert time.perf_counter() - started < 60
    assert result.errors == []
    assert len(result.claims) > 1000
    assert_spans_exact(line, result.claims)


@pytest.fixture(scope="module")
def seed_text():
    from tests.conftest import SEED

    return read_input(str(SEED)).text


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\n\r\n  \t", "\u3000\n".encode()],
                         ids=["empty", "bom-only", "utf16-bom-only", "whitespace", "ideographic-space"])
def test_an_empty_file_gives_no_claims_and_no_error(tmp_path, data):
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    result = PIPELINE.run_path(str(path))
    assert result.errors == [] and result.claims == []
    assert result.sha256 is not None


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "factcheck", *args], input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_empty_file_on_the_command_line(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    proc = run_cli("extract", str(path), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""


def test_a_folder_where_a_file_is_expected(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    folder = tmp_path / "a_folder"
    folder.mkdir()
    result = PIPELINE.run_path(str(folder))
    assert result.claims == [] and len(result.errors) == 1
    one_line_naming(result.errors[0], str(folder))
    proc = run_cli("extract", str(folder), str(good), "--format", "jsonl")
    assert proc.returncode == 2
    assert proc.stderr == f"factcheck: {folder}: is a directory, not a file\n"
    assert len(proc.stdout.splitlines()) == len(EXPECTED)   # the good file still gives its claims


def test_a_file_that_disappears_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "gone.txt"
    path.write_text(TEXT, encoding="utf-8")
    real = decode.read_input

    def vanish_then_read(p):
        os.unlink(p)            # listed (stat'ed) a moment ago, gone now
        return real(p)

    monkeypatch.setattr(decode, "read_input", vanish_then_read)
    result = PIPELINE.run_path(str(path))
    assert result.claims == []
    assert result.errors == [f"{path}: no such file"]


def test_a_missing_file_in_a_batch_does_not_stop_the_others(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    gone = tmp_path / "gone.txt"
    proc = run_cli("extract", str(gone), str(good), "--format", "jsonl")
    assert proc.returncode == 2
    assert proc.stderr == f"factcheck: {gone}: no such file\n"
    assert len(proc.stdout.splitlines()) == len(EXPECTED)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_an_endless_binary_stream_is_refused_not_read(monkeypatch):
    import factcheck.pipeline as pipeline

    monkeypatch.setattr(pipeline, "STREAM_BYTES", 1 << 16)
    result = PIPELINE.run_path("/dev/zero")
    assert result.errors == ["/dev/zero: binary file, not text"]


def test_a_bug_on_one_document_is_an_error_of_that_document(tmp_path, monkeypatch):
    pipeline = Pipeline()
    path = tmp_path / "doc.txt"
    path.write_text(TEXT, encoding="utf-8")

    def broken(*args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline.linker, "link", broken)
    (error,) = pipeline.run_path(str(path)).errors
    one_line_naming(error, str(path))
    assert "internal error" in error and "ZeroDivisionError" in error
