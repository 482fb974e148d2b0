"""factcheck.numbers: numeral tokens -> values, and stated values -> intervals."""
import math

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.numbers import NumberError, interval, parse_arabic, parse_chinese, place_of_last_nonzero

# (token, value, half-precision)
ARABIC = [
    ("14,151.3", 14151.3, 0.05),
    ("17,483", 17483.0, 0.5),
    ("1,000", 1000.0, 500.0),
    ("2000", 2000.0, 500.0),       # trailing zeros of a large integer may be rounding
    ("32400", 32400.0, 50.0),
    ("66000", 66000.0, 500.0),
    ("327", 327.0, 0.5),
    ("100", 100.0, 0.5),           # below 1000 an integer is taken as exact to the unit
    ("5", 5.0, 0.5),
    ("0.5", 0.5, 0.05),
    ("10.50", 10.5, 0.005),        # a stated trailing zero counts
    ("3.2", 3.2, 0.05),
    ("14.5", 14.5, 0.05),
    ("8724.6", 8724.6, 0.05),
    ("1,234,567", 1234567.0, 0.5),
    (".5", 0.5, 0.05),             # no integer part
    ("2e5", 200000.0, 50000.0),    # one significant digit, as stated
    ("1.2E8", 1.2e8, 5e6),
    ("12e-1", 1.2, 0.05),          # decimal arithmetic: not 1.2000000000000002
    ("12.32e+14", 1.232e15, 5e11),
    ("2.7890e-1", 0.2789, 5e-6),
    ("10^8", 1e8, 0.0),            # a power of an integer is exact
    ("2^-1", 0.5, 0.0),
    ("2.5^-1", 0.4, 0.008),        # d(b^n) = |n| b^(n-1) db
]


@pytest.mark.parametrize("token,value,precision", ARABIC)
def test_parse_arabic(token, value, precision):
    got_value, got_precision = parse_arabic(token)
    assert got_value == pytest.approx(value, rel=1e-12)
    assert got_precision == pytest.approx(precision, rel=1e-9)


@pytest.mark.parametrize("token", ["", "abc", "1.2.3", "亿", "三", "1e999", "0^-1", "2e", "2^", "2e+-3", "1.", "5^99999", "1" + "0" * 400])
def test_parse_arabic_rejects(token):
    with pytest.raises(NumberError):
        parse_arabic(token)


CHINESE = [
    ("三千二百", 3200.0, 50.0),
    ("两万三千", 23000.0, 500.0),
    ("一点五万", 15000.0, 500.0),
    ("三点二亿", 320000000.0, 5000000.0),
    ("十一", 11.0, 0.5),
    ("一百零五", 105.0, 0.5),
    ("百", 100.0, 50.0),
    ("两", 2.0, 0.5),
    ("十", 10.0, 5.0),
    ("二十", 20.0, 5.0),
    ("千", 1000.0, 500.0),
    ("万", 10000.0, 5000.0),
    ("两千零五十", 2050.0, 5.0),
    ("一万零五百", 10500.0, 50.0),
    ("两亿", 200000000.0, 50000000.0),
    ("十万", 100000.0, 50000.0),
    ("一〇五", 105.0, 0.5),         # digit by digit
    ("零点五", 0.5, 0.05),
    ("三点五", 3.5, 0.05),
    ("一千零拾肆", 1014.0, 0.5),    # cn2an alone reads 1004
    ("肆佰陆拾", 460.0, 5.0),
    ("俩千两百贰拾二", 2222.0, 0.5),  # 俩 is two
]


@pytest.mark.parametrize("token,value,precision", CHINESE)
def test_parse_chinese(token, value, precision):
    got_value, got_precision = parse_chinese(token)
    assert got_value == pytest.approx(value, rel=1e-12)
    assert got_precision == pytest.approx(precision, rel=1e-9)


@pytest.mark.parametrize("token", ["abc", "点", "三点", "一点五千", "十十", "万万", "3"])
def test_parse_chinese_rejects(token):
    with pytest.raises(NumberError):
        parse_chinese(token)


PLACES = [
    (327, 1.0),
    (2000, 1000.0),
    (66000.0, 1000.0),
    (32400, 100.0),
    (14151.3, 0.1),
    (0.05, 0.01),
    (3.25, 0.01),
    (-2000, 1000.0),
    (-13.9, 0.1),
    (1e8, 1e8),
    (0, 1.0),
    (math.inf, 1.0),
]


@pytest.mark.parametrize("value,place", PLACES)
def test_place_of_last_nonzero(value, place):
    assert place_of_last_nonzero(value) == pytest.approx(place, rel=1e-9)


# (value, precision, qualifier, low, high)
INTERVALS = [
    (100.0, 0.5, "exact", 99.5, 100.5),
    (-13.9, 0.05, "exact", -13.95, -13.85),
    (200.0, 0.5, "more_than", 200.0, 300.0),          # 200多: up to the next unit of its last digit
    (66000.0, 50.0, "more_than", 66000.0, 67000.0),   # 6.6万余
    (-200.0, 0.5, "more_than", -300.0, -200.0),
    (100.0, 0.5, "open_more_than", 100.0, None),      # 超过100
    (-100.0, 0.5, "open_more_than", None, -100.0),
    (15.0, 0.5, "at_least", 15.0, None),              # 15%以上
    (-15.0, 0.5, "at_least", None, -15.0),
    (250000.0, 5000.0, "less_than", 225000.0, 250000.0),  # 近25万
    (-10.0, 0.5, "less_than", -10.0, -9.0),
    (10.0, 0.5, "open_less_than", None, 10.0),        # 不到10%
    (-10.0, 0.5, "open_less_than", -10.0, None),
    (50.0, 0.5, "at_most", None, 50.0),               # 50%以下
    (-50.0, 0.5, "at_most", -50.0, None),
    (75.0, 0.5, "approx", 71.25, 78.75),              # 约75%: 5 %
    (3.0, 0.5, "approx", 2.5, 3.5),                   # precision wider than 5 %
    (-75.0, 0.5, "approx", -78.75, -71.25),
    (0.0, 0.5, "exact", -0.5, 0.5),
]


@pytest.mark.parametrize("value,precision,qualifier,low,high", INTERVALS)
def test_interval(value, precision, qualifier, low, high):
    got_low, got_high = interval(value, precision, qualifier)
    if low is None:
        assert got_low is None
    else:
        assert got_low == pytest.approx(low, rel=1e-9, abs=1e-12)
    if high is None:
        assert got_high is None
    else:
        assert got_high == pytest.approx(high, rel=1e-9, abs=1e-12)


def test_interval_rejects_unknown_qualifier():
    with pytest.raises(ValueError):
        interval(1.0, 0.5, "roughly")


QUALIFIERS = ["exact", "approx", "more_than", "open_more_than", "at_least", "less_than",
              "open_less_than", "at_most"]
finite = st.floats(min_value=-1e13, max_value=1e13, allow_nan=False, allow_infinity=False)
precisions = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(finite, precisions, st.sampled_from(QUALIFIERS))
def test_interval_properties(value, precision, qualifier):
    low, high = interval(value, precision, qualifier)
    if low is not None and high is not None:
        assert low <= high
    if qualifier in ("exact", "approx"):
        assert low is not None and high is not None
        assert low <= value <= high
    # the stated figure is one end of a one-sided statement, on its own side of zero
    if qualifier in ("more_than", "open_more_than", "at_least"):
        assert (low if value >= 0 else high) == value
    if qualifier in ("less_than", "open_less_than", "at_most"):
        assert (high if value >= 0 else low) == value
    # a decline is the mirror image of the rise
    mirror_low, mirror_high = interval(-value, precision, qualifier)
    assert mirror_low == (-high if high is not None else None) or value == 0
    assert mirror_high == (-low if low is not None else None) or value == 0


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**8))
def test_chinese_numerals_round_trip(n):
    assert parse_chinese(cn2an.an2cn(n))[0] == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**8))
def test_chinese_numerals_round_trip_with_liang(n):
    # 两 is 二 before a unit word: 两万三千, 两千, 两百
    text = cn2an.an2cn(n)
    for unit in "千万亿百":
        if text.startswith("二" + unit):
            text = "两" + text[1:]
    assert parse_chinese(text)[0] == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=9999), st.text(alphabet="0123456789", min_size=1, max_size=3),
       st.sampled_from(["", "万", "亿"]))
def test_chinese_decimals_with_scale(whole, decimals, scale):
    token = (cn2an.an2cn(whole) if whole else "零") + "点" + "".join("零一二三四五六七八九"[int(d)] for d in decimals) + scale
    expected = float(f"{whole}.{decimals}") * {"": 1, "万": 1e4, "亿": 1e8}[scale]
    value, precision = parse_chinese(token)
    assert value == pytest.approx(expected, rel=1e-12)
    assert precision == pytest.approx(0.5 * 10.0 ** -len(decimals) * {"": 1, "万": 1e4, "亿": 1e8}[scale])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**9))
def test_arabic_with_separators_equals_plain(n):
    assert parse_arabic(f"{n:,}") == parse_arabic(str(n))
    assert parse_arabic(str(n))[0] == n


@pytest.mark.parametrize("numeral,expected", [("五万", (1e4, 1)), ("一点五万亿", (1e12, 2)), ("五", (1.0, 0)),
                                              ("三亿五千", (1.0, 0)), ("", (1.0, 0))])
def test_trailing_myriads(numeral, expected):
    from factcheck.numbers import trailing_myriads

    assert trailing_myriads(numeral) == expected
