"""factcheck.decode: bytes -> text, encodings, and the errors of unreadable inputs."""
import codecs
import hashlib
import io
import sys

import pytest

from factcheck.decode import InputError, decode_bytes, read_input

SIMPLIFIED = [
    "全省实现地区生产总值14151.3亿元，比上年增长14.5%。",
    "城镇居民人均可支配收入达到15461元，农民人均纯收入5087元。",
    "全年出口食品6310批，货值12.6亿美元，检疫查验入境人员近25万人次。",
]
TRADITIONAL = [
    "全省實現地區生產總值14151.3億元，比上年增長14.5%。",
    "臺灣經濟成長率為10.82%，創下二十四年來新高。",
    "進出口總額242.3億美元，出口總額150億美元。",
]
# Characters GBK cannot encode: only GB18030 (4-byte sequences) or Unicode holds them.
GB18030_ONLY = "全省实现地区生产总值14151.3亿元，增长14.5%。𠮷€"


def _bom(bom: bytes, codec: str):
    return lambda text: bom + text.encode(codec)


# (case id, text, encoder, encodings the decoder may report)
CASES = [
    *[(f"utf8-{i}", t, lambda s: s.encode("utf-8"), {"utf-8"}) for i, t in enumerate(SIMPLIFIED + TRADITIONAL)],
    *[(f"utf8-bom-{i}", t, _bom(codecs.BOM_UTF8, "utf-8"), {"utf-8-sig"}) for i, t in enumerate(SIMPLIFIED)],
    *[(f"gb18030-{i}", t, lambda s: s.encode("gb18030"), {"gb18030"}) for i, t in enumerate(SIMPLIFIED + TRADITIONAL)],
    ("gb18030-4byte", GB18030_ONLY, lambda s: s.encode("gb18030"), {"gb18030"}),
    # GBK is a subset of GB18030: either name decodes it identically
    *[(f"gbk-{i}", t, lambda s: s.encode("gbk"), {"gb18030", "gbk"}) for i, t in enumerate(SIMPLIFIED)],
    *[(f"big5-{i}", t, lambda s: s.encode("big5"), {"big5", "big5hkscs", "cp950"}) for i, t in enumerate(TRADITIONAL)],
    *[(f"utf16le-bom-{i}", t, _bom(codecs.BOM_UTF16_LE, "utf-16-le"), {"utf-16"}) for i, t in enumerate(SIMPLIFIED)],
    *[(f"utf16be-bom-{i}", t, _bom(codecs.BOM_UTF16_BE, "utf-16-be"), {"utf-16"}) for i, t in enumerate(TRADITIONAL)],
    ("utf32le-bom", SIMPLIFIED[0], _bom(codecs.BOM_UTF32_LE, "utf-32-le"), {"utf-32"}),
    ("utf32be-bom", TRADITIONAL[0], _bom(codecs.BOM_UTF32_BE, "utf-32-be"), {"utf-32"}),
]


@pytest.mark.parametrize("text,encode,encodings", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decode_bytes_round_trips(text, encode, encodings):
    data = encode(text)
    decoded = decode_bytes(data, "doc.txt")
    assert decoded.text == text
    assert "\ufeff" not in decoded.text  # a BOM is never part of the text
    assert decoded.encoding in encodings
    assert decoded.path == "doc.txt"
    assert decoded.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("text,encode,encodings", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_read_input_round_trips(tmp_path, text, encode, encodings):
    data = encode(text)
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    decoded = read_input(str(path))
    assert decoded.text == text
    assert decoded.path == str(path)
    assert decoded.encoding in encodings
    assert decoded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_utf8_bom_is_not_in_text():
    decoded = decode_bytes(codecs.BOM_UTF8 + "增长14.5%".encode("utf-8"))
    assert decoded.text == "增长14.5%"
    assert not decoded.text.startswith("\ufeff")


def test_empty_input_is_empty_text():
    decoded = decode_bytes(b"", "empty.txt")
    assert decoded.text == ""
    assert decoded.sha256 == hashlib.sha256(b"").hexdigest()


def test_sha256_differs_for_different_bytes_of_the_same_text():
    text = SIMPLIFIED[0]
    a = decode_bytes(text.encode("utf-8"))
    b = decode_bytes(text.encode("gb18030"))
    assert a.text == b.text
    assert a.sha256 != b.sha256
    assert a.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert b.sha256 == hashlib.sha256(text.encode("gb18030")).hexdigest()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00" + b"\x00" * 64
BINARIES = [
    ("png", PNG),
    ("png-with-body", PNG + bytes(range(256)) * 8),
    ("elf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + bytes(range(256)) * 4),
    ("nuls-and-latin1", b"\x00\x00\x00\x0dIHDR\xff\xd8\xff\xe0" * 20),
    ("nuls", b"\x00" * 100),                      # valid UTF-8, still binary
    ("sqlite", b"SQLite format 3\x00" + b"\x00\x01\x02" * 100),
]


def _assert_one_line_naming(exc: InputError, name: str):
    message = str(exc)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(name)
    assert name in message


@pytest.mark.parametrize("data", [b for _, b in BINARIES], ids=[n for n, _ in BINARIES])
def test_binary_bytes_raise_input_error(data):
    with pytest.raises(InputError) as info:
        decode_bytes(data, "picture.png")
    _assert_one_line_naming(info.value, "picture.png")


@pytest.mark.parametrize("data", [b for _, b in BINARIES], ids=[n for n, _ in BINARIES])
def test_binary_file_raises_input_error_naming_the_path(tmp_path, data):
    path = tmp_path / "picture.png"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_input(str(path))
    _assert_one_line_naming(info.value, str(path))


def test_missing_file_raises_input_error_naming_it(tmp_path):
    path = tmp_path / "no" / "such.txt"
    with pytest.raises(InputError) as info:
        read_input(str(path))
    _assert_one_line_naming(info.value, str(path))


def test_directory_raises_input_error_naming_it(tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        read_input(str(folder))
    _assert_one_line_naming(info.value, str(folder))


def test_input_error_is_an_exception_not_an_oserror(tmp_path):
    # callers catch InputError alone; an OSError leaking out would crash a batch run
    with pytest.raises(InputError):
        read_input(str(tmp_path / "missing.txt"))
    assert not issubclass(InputError, OSError)


def test_stdin_dash(monkeypatch):
    data = SIMPLIFIED[0].encode("gb18030")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    decoded = read_input("-")
    assert decoded.text == SIMPLIFIED[0]
    assert decoded.path == "<stdin>"
    assert decoded.sha256 == hashlib.sha256(data).hexdigest()


def test_stdin_binary_names_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PNG)))
    with pytest.raises(InputError) as info:
        read_input("-")
    _assert_one_line_naming(info.value, "<stdin>")


# ---- a file cut inside its last character ---------------------------------------------

CUT = "全省实现地区生产总值14151.3亿元，比上年增长14.5%。出口总额150亿美元，增长"
CUT_TRADITIONAL = "全省實現地區生產總值14151.3億元，比上年增長14.5%。出口總額150億美元，增長"


def _cut_cases():
    """(id, bytes cut inside the last character, the text before it, encodings accepted)"""
    cases = []
    for name, text, codec, encode, encodings in [
        ("utf8", CUT, "utf-8", lambda s: s.encode("utf-8"), {"utf-8"}),
        ("utf8-bom", CUT, "utf-8", _bom(codecs.BOM_UTF8, "utf-8"), {"utf-8-sig"}),
        ("gb18030", CUT, "gb18030", lambda s: s.encode("gb18030"), {"gb18030"}),
        ("big5", CUT_TRADITIONAL, "big5", lambda s: s.encode("big5"), {"big5", "big5hkscs", "cp950"}),
        ("utf16-bom", CUT, "utf-16-le", _bom(codecs.BOM_UTF16_LE, "utf-16-le"), {"utf-16"}),
        ("utf32-bom", CUT, "utf-32-le", _bom(codecs.BOM_UTF32_LE, "utf-32-le"), {"utf-32"}),
    ]:
        whole = encode(text)
        last = len(text[-1].encode(codec))
        for keep in range(1, last):
            cases.append((f"{name}-{keep}of{last}", whole[:len(whole) - last + keep], text[:-1], encodings))
    return cases


CUT_CASES = _cut_cases()


@pytest.mark.parametrize("data,before,encodings", [c[1:] for c in CUT_CASES], ids=[c[0] for c in CUT_CASES])
def test_a_file_cut_inside_its_last_character_is_read_with_one_replacement(data, before, encodings):
    got = decode_bytes(data, "cut.txt")
    assert got.encoding in encodings
    assert got.text == before + "\ufffd"


@pytest.mark.parametrize("data,before,encodings", [c[1:] for c in CUT_CASES], ids=[c[0] for c in CUT_CASES])
def test_a_cut_file_read_in_blocks_gives_the_same_text(tmp_path, data, before, encodings):
    from factcheck.decode import stream_input

    path = tmp_path / "cut.txt"
    path.write_bytes(data)
    for block in (3, 7, 64, 1 << 20):   # blocks that split characters anywhere
        streamed = stream_input(str(path), block=block)
        assert streamed.encoding in encodings
        assert "".join(streamed.chunks()) == before + "\ufffd"


@pytest.mark.parametrize("data", [
    CUT.encode("utf-8")[:-1] + "。".encode("utf-8"),           # a cut character with more after it
    "增长".encode("utf-8") + b"\xff" + "亿元".encode("utf-8") * 50,   # a byte no UTF-8 starts with
    "增长".encode("utf-8") * 50 + b"\xe4A",                     # a broken character, not a cut one
], ids=["cut-then-more", "invalid-start-byte", "bad-continuation-at-end"])
def test_invalid_bytes_elsewhere_still_fail_utf8(data):
    try:
        got = decode_bytes(data, "bad.txt")
    except InputError:
        return
    assert got.encoding != "utf-8" and "\ufffd" not in got.text


def test_the_claims_of_a_cut_file_are_the_claims_before_the_cut(tmp_path, pipeline):
    path = tmp_path / "cut.txt"
    path.write_bytes(CUT.encode("utf-8")[:-1])
    result = pipeline.run_path(str(path), None)
    raw = read_input(str(path)).text
    assert [c.text for c in result.claims] == ["14151.3亿元", "增长14.5%", "150亿美元"]
    assert result.errors == []
    assert all(raw[c.start:c.end] == c.text for c in result.claims)


def test_a_broken_symbolic_link_is_named_as_one(tmp_path):
    link = tmp_path / "report.txt"
    link.symlink_to(tmp_path / "gone.txt")
    with pytest.raises(InputError) as error:
        read_input(str(link))
    assert str(error.value) == f"{link}: a broken symbolic link (to {tmp_path / 'gone.txt'})"


@pytest.mark.parametrize("data", [
    "全省生产总值14151.3亿元。\n".encode("utf-8") * 100,
    "全省生产总值14151.3亿元。\n".encode("gb18030") * 100,
    codecs.BOM_UTF8 + b"\xff\xfe broken after a BOM",          # the reason of a failure is kept
])
def test_decoding_keeps_no_reference_to_the_bytes(data):
    """Nothing decoding made holds the input's bytes once it returns, even with the
    garbage collector off (as it is through a document's run): a closure naming itself
    kept a whole file's bytes alive in a reference cycle until the collector ran."""
    import gc

    gc.disable()
    try:
        before = sys.getrefcount(data)
        try:
            decode_bytes(data, "a.txt")
        except InputError as exc:
            # the byte after the BOM (decoded whole, utf-8-sig counted from after it: byte 0)
            assert "cannot decode as utf-8-sig: invalid start byte at byte 3" in str(exc)
        assert sys.getrefcount(data) == before
    finally:
        gc.enable()


# ---- decoding a block at a time (streams) -------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import factcheck.decode as decode_module  # noqa: E402

_PIECES = ["增长14.5%，全省", "abc\U00020bb7def", "臺灣經濟成長", "a" * 30, "\ufeff", "\x00", "€"]
_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be", "gb18030",
              "big5", "gbk", "latin-1"]


def _outcome(decode):
    try:
        return "text", decode()
    except decode_module.BlockDecodeError as exc:
        return "error", exc.start, exc.reason


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=6).map("".join), st.sampled_from(_ENCODINGS),
       st.sampled_from(["none", "byte", "cut", "no-bom"]), st.integers(0, 10 ** 6), st.sampled_from([1, 2, 3, 7, 64]))
def test_decoding_in_blocks_gives_what_decoding_whole_gives(text, encoding, damage, where, block):
    """Text, or the same error at the same byte, for every block size, UTF-16 and
    UTF-32 without a BOM too (read in pieces, Python's decoders refuse them)."""
    try:
        data = bytearray(text.encode(encoding))
    except UnicodeEncodeError:
        return
    if damage == "byte" and data:
        data[where % len(data)] = (data[where % len(data)] + 0x81) % 256
    elif damage == "cut" and data:
        del data[-(where % min(3, len(data)) + 1):]
    elif damage == "no-bom" and encoding in ("utf-16", "utf-32"):
        data = bytearray("ab增".encode(encoding + "-le")) + data[4 if encoding == "utf-32" else 2:]
    data = bytes(data)
    whole = _outcome(lambda: decode_module._decoded(data, encoding))
    pieces = (data[low:low + block] for low in range(0, len(data), block))
    assert _outcome(lambda: "".join(decode_module.decode_blocks(pieces, encoding))) == whole
    if whole[0] == "text":
        assert whole[1] == data.decode(encoding, decode_module.CUT_TAIL)


def test_an_error_names_its_byte_in_a_file_with_a_bom():
    """Decoded as utf-8-sig, Python counts an error's byte from after the BOM."""
    data = codecs.BOM_UTF8 + "增长14.5%".encode("utf-8") + b"\xff" + "全省".encode("utf-8")
    with pytest.raises(InputError) as caught:
        decode_bytes(data, "bom.txt")
    assert "at byte 14" in str(caught.value) and data[14] == 0xFF


@pytest.mark.parametrize("data", [
    codecs.BOM_UTF8 + "增长14.5%".encode("utf-8") * 50 + b"\xff" + "全省".encode("utf-8"),
    # the broken character begins in one block of 5 bytes and ends in the next (with a
    # BOM, so that the file is UTF-8 or nothing: GB18030 decodes nearly any bytes)
    codecs.BOM_UTF8 + "增长14.5%".encode("utf-8") * 50 + b"a\xe5\xa2x",
    "GDP 14151.3, +14.5%\n".encode("utf-16-le") * 40,       # UTF-16 without a BOM, told by its NULs
])
def test_a_file_streamed_reads_as_read_whole(tmp_path, data):
    """The same text, or the same error at the same byte, read whole or in blocks of a
    few bytes (`stream_input`, for files too big to hold)."""
    from factcheck.decode import stream_input

    path = tmp_path / "in.txt"
    path.write_bytes(data)
    try:
        whole = read_input(str(path))
    except InputError as exc:
        with pytest.raises(InputError) as streamed:
            "".join(stream_input(str(path), block=5).chunks())
        assert str(streamed.value) == str(exc)
    else:
        streamed = stream_input(str(path), block=5)
        assert streamed.encoding == whole.encoding
        assert "".join(streamed.chunks()) == whole.text
