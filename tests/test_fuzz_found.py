"""Bugs the fuzzers (tests/test_fuzz_pipeline.py, fuzz/fuzz_pipeline.py) found, fixed,
each pinned by the smallest input that showed it."""
import json

import pytest

from factcheck.normalize import fold_char, normalize
from factcheck.pipeline import Pipeline
from factcheck.report import to_contract

PIPELINE = Pipeline()


# ---- a figure of 13 digits or more lost its last digits (rounded to 12 significant) ------

@pytest.mark.parametrize("text,value", [
    ("共1234567890123元", 1234567890123.0),
    ("12345678901234.5元", 12345678901234.5),
    ("一万亿零五元", 1000000000005.0),
    ("壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元", 1234567890123.0),
    ("8.45亿美元", 845000000.0),          # and products are still clean
    ("14151.3亿元", 1415130000000.0),
])
def test_long_figures_keep_every_digit(text, value):
    (claim,) = PIPELINE.run_text(text).claims
    assert claim.value == value
    assert claim.low <= value <= claim.high


# ---- a numeral of hundreds of digits crashed extraction (OverflowError) or gave inf -------

@pytest.mark.parametrize("text", [
    "共" + "九" * 400 + "元",            # OverflowError: int too large to convert to float
    "共" + "9" * 400 + "万元",            # inf
    "增长" + "9" * 320 + "%",
    "第" + "9" * 400 + "位",
    "9" * 400 + "-" + "9" * 401 + "元",
    "百分之" + "9" * 400,
    "共1万" + "9" * 400 + "千人",
])
def test_a_numeral_too_long_for_a_float_is_no_claim(text):
    result = PIPELINE.run_text(text + "，另有6310批。")
    assert [c.text for c in result.claims] == ["6310批"]
    json.dumps(to_contract([result]), allow_nan=False)


# ---- normalizing twice changed the text again ------------------------------------------

@pytest.mark.parametrize("raw,norm", [
    ("㈶", "(财)"),                       # NFKC expansion holding a Traditional character
    ("㈱会社", "(株)会社"),
    ("增長（ｚｈǎｎｇ）14.5%", "增长14.5%"),   # a pinyin annotation in full-width letters
    ("增長(ｚｈǎｎｇ)", "增长"),
])
def test_normalization_is_idempotent_on_what_the_fuzzer_found(raw, norm):
    assert normalize(raw).norm == norm
    assert normalize(norm).norm == norm


def test_every_folded_character_is_a_fixed_point():
    """Every code point NFKC changes, and every CJK ideograph (OpenCC's domain), folds to
    something that folding leaves alone."""
    import unicodedata

    codes = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000
             and (0x4E00 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF or unicodedata.normalize("NFKC", chr(c)) != chr(c))]
    broken = []
    for code in codes:
        folded = fold_char(chr(code))
        if "".join(fold_char(c) for c in folded) != folded:
            broken.append(hex(code))
    assert len(codes) > 25000 and broken == []


def test_a_full_width_annotation_is_located_in_the_raw_text():
    raw = "增長（ｚｈǎｎｇ）14.5%"
    (claim,) = PIPELINE.run_text(raw).claims
    assert claim.text == raw and claim.value == 14.5 and claim.role == "growth"
