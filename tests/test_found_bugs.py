"""Tests that found real bugs in factcheck (those without a marker are fixed).

Every test here is marked xfail(strict=True): the suite stays green while the bug is
there, and turns red (XPASS strict) the day it is fixed, so the marker is removed and
the test joins the regular suite. Do not loosen them.
"""
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from factcheck.decode import InputError, decode_bytes
from factcheck.normalize import normalize
from factcheck.numbers import NumberError, parse_arabic, parse_chinese, place_of_last_nonzero
from factcheck.pipeline import Pipeline, extract_text
from factcheck.rules import load_rules

PIPELINE = Pipeline()


def bug(reason):
    return pytest.mark.xfail(strict=True, reason=reason)


# ---- 1. normalize is not idempotent ------------------------------------------------------
# Annotations are found on the RAW code points, before invisible characters are dropped
# and before NFKC/OpenCC. A zero-width space between a character and its annotation hides
# the annotation in pass one and the output still holds `字(zhǎng)`; the normalized text
# then keeps a pinyin annotation, which breaks extraction (see 1b).

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
COMMON_HAN = st.sampled_from(list("增長长萬万億亿元人次經濟济的地域兩两"))
ANNOTATIONS = st.sampled_from(["(zhǎng)", "(yì)", "(wàn)", "(cì)", "（lǜ）", "(GDP)", "(de)", "?qū)"])
PIECES = st.one_of(HAN, COMMON_HAN, ANNOTATIONS, st.sampled_from(list("0123456789")),
                   st.sampled_from(list("０１２３４５６７８９％")),
                   st.sampled_from(["\u200b", "\u200e", "\u200f", "\ufeff"]),
                   st.characters(min_codepoint=0x20, max_codepoint=0x7E))


# 40 pieces stack at most 40 annotations on a character, within normalize.STACKED_ANNOTATIONS
@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
@example("字\u200b(zhǎng)")
@example("一(zhǎng)(zhǎng)")
@example("薴")
@example("一(zhǎng) 一")   # a space left between two numerals by the cut (found in issue 6)
@example("一" + "(zhǎng)" * 5)   # more layers than the 4 rounds there were (found by this test)
@example("一" + "(zhǎng)" * 40 + "(yì)" * 24)
@example("字?zì)zì)")   # a doubled damaged annotation: cut once, it was `字?zì)` (found in issue 6)
@example("₉ 一")        # a fold that makes a digit next to a space: it was `9 一` (found in issue 6)
def test_normalize_is_idempotent(raw):
    once = normalize(raw).norm
    assert normalize(once).norm == once


@pytest.mark.parametrize("raw,norm", [
    ("增長\u200b(zhǎng)14.5%", "增长14.5%"),
    ("14151.3億\u200e(yì)元", "14151.3亿元"),
])
def test_invisible_before_annotation(raw, norm):
    assert normalize(raw).norm == norm


@pytest.mark.parametrize("text,span,value,unit,role", [
    ("增長\u200b(zhǎng)14.5%", "增長\u200b(zhǎng)14.5%", 14.5, "percent", "growth"),   # today: '14.5%' share
    ("14151.3億\u200b(yì)元", "14151.3億\u200b(yì)元", 1415130000000, "CNY", "level"),  # today: unit None
])
def test_invisible_before_annotation_in_extraction(text, span, value, unit, role):
    claims = PIPELINE.run_text(text).claims
    assert [(c.text, c.value, c.unit, c.role) for c in claims] == [(span, value, unit, role)]


def test_fold_is_a_fixed_point():
    # fixed in a6478d4 (fold_char iterates OpenCC to a fixed point)
    assert normalize("薴").norm == normalize(normalize("薴").norm).norm


# ---- 2. place_of_last_nonzero: an absolute tolerance on the ratio ---------------------------
# math.isclose(magnitude / place, round(...), abs_tol=1e-6) calls 1000001 / 1e6 = 1.000001
# "a whole number", so 1000001 is taken as rounded to the million. Every exact figure of
# seven or more digits ending in ...0001 gets an interval of +-half a million or more.
# Fixed in a6478d4.

@pytest.mark.parametrize("value,place", [(1000001, 1.0), (30000005, 1.0), (100000001, 1.0), (2000000.5, 0.1)])
def test_place_of_last_nonzero_of_long_numbers(value, place):
    assert place_of_last_nonzero(value) == pytest.approx(place)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
@example(1000001)
def test_place_of_last_nonzero_of_integers(n):
    trailing = len(str(n)) - len(str(n).rstrip("0"))
    assert place_of_last_nonzero(n) == 10.0 ** trailing


def test_parse_arabic_precision_of_long_integer():
    assert parse_arabic("1000001") == (1000001.0, 0.5)
    assert parse_arabic("10,000,001") == (10000001.0, 0.5)


def test_interval_of_long_exact_figure_in_extraction():
    (claim,) = PIPELINE.run_text("常住人口1000001人").claims
    assert (claim.low, claim.high) == (1000000.5, 1000001.5)


# ---- 3. units written in Latin letters never match ---------------------------------------
# units.yaml lists m2, m², km2, kg, km, kW, MW, kWh (and NFKC turns ㎡ into m2, ㎏ into kg),
# but extract._is_name_part rejects any number followed by a Latin letter (as in 5G), so
# these aliases are dead: 面积120㎡ yields no claim at all.

@pytest.mark.parametrize("text,span,value,unit", [
    ("住房面积120㎡。", "120㎡", 120, "m**2"),
    ("住房面积120m2。", "120m2", 120, "m**2"),
    ("住房面积120m²。", "120m²", 120, "m**2"),
    ("辖区面积3.5km²。", "3.5km²", 3.5, "km**2"),
    ("重50kg。", "50kg", 50, "kg"),
    ("重50㎏。", "50㎏", 50, "kg"),
    ("全长3km。", "3km", 3, "km"),
    ("装机100kW。", "100kW", 100, "kW"),
    ("装机5MW。", "5MW", 5, "MW"),
    ("发电10kWh。", "10kWh", 10, "kW*h"),
])
def test_latin_letter_units(text, span, value, unit):
    claims = PIPELINE.run_text(text).claims
    assert [(c.text, c.value, c.unit) for c in claims] == [(span, value, unit)]


# ---- 4. Arabic number + 千 + 多 + 万 ---------------------------------------------------------
# 两千多万元 is right (20000000 CNY more_than) but 2千多万元 stops after 多: value 2000,
# no unit, and 万元 is lost. The grammar allows only one scale word after 多/余.

@pytest.mark.parametrize("text,span,value,unit", [
    ("投资2千多万元", "2千多万元", 20000000, "CNY"),
    ("投资1千多万元", "1千多万元", 10000000, "CNY"),
    ("人口3百多万人", "3百多万人", 3000000, "person"),
])
def test_arabic_thousand_more_ten_thousand(text, span, value, unit):
    claims = PIPELINE.run_text(text).claims
    assert [(c.text, c.value, c.unit, c.qualifier) for c in claims] == [(span, value, unit, "more_than")]


def test_chinese_form_of_the_same_is_right():
    # the control case: not a bug, kept here to show the contrast
    claims = PIPELINE.run_text("投资两千多万元").claims
    assert [(c.text, c.value, c.unit, c.qualifier) for c in claims] == [("两千多万元", 20000000, "CNY", "more_than")]


# ---- 5. a descending range gives low > high ---------------------------------------------------

# Fixed in a6478d4 by dropping a descending "range" (15-8 is not a range of one quantity);
# whatever is extracted must still have its ends in order.
@pytest.mark.parametrize("text", ["气温15-8度", "5-3万元", "增长8~5%", "下降5-3个百分点"])
def test_descending_range(text):
    for claim in PIPELINE.run_text(text).claims:
        assert claim.low is not None and claim.high is not None
        assert claim.low <= claim.high
        assert claim.low <= claim.value <= claim.high


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 99), st.integers(0, 99), st.sampled_from(["-", "~", "至", "到"]),
       st.sampled_from(["万元", "人", "%", "个百分点", "吨"]), st.sampled_from(["", "增长", "下降"]))
@example(1, 0, "-", "万元", "")
def test_range_intervals_are_ordered(a, b, sep, unit, verb):
    for claim in PIPELINE.run_text(f"{verb}{a}{sep}{b}{unit}").claims:
        if claim.low is not None and claim.high is not None:
            assert claim.low <= claim.high, claim


# ---- 6. exclusion patterns are joined into one regex: numbered groups shift ----------------

def test_backreference_in_exclusion_pattern(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "id: mine\nexclusions:\n"
        "  - id: first\n    pattern: '(X)Y'\n"
        "  - id: doubled\n    pattern: '(\\d)\\1号'\n    examples: [\"11号\"]\n",
        encoding="utf-8")
    rules = load_rules([str(path)], include_shipped=False)
    assert rules.exclusion_pattern().search("11号")  # the pattern alone matches it
    assert extract_text("住在11号楼，共11人", rules=rules)[0].text == "11人"


# ---- 7. binary input that is valid UTF-8 is accepted as text (fixed in a6478d4) ---------------

@pytest.mark.parametrize("data", [b"\x00" * 100, b"SQLite format 3\x00" + b"\x00\x01\x02" * 100])
def test_nul_bytes_are_binary(data):
    with pytest.raises(InputError):
        decode_bytes(data, "data.bin")


# ---- 8. the number parsers raise other errors than NumberError (fixed in a6478d4) -----------

@pytest.mark.parametrize("parse,token", [(parse_chinese, ""), (parse_arabic, "nan"), (parse_arabic, "inf")])
def test_parsers_raise_number_error(parse, token):
    with pytest.raises(NumberError):
        parse(token)
