"""Number shapes the Recognizers-Text specs showed missing (issue 8), in the general
grammar: compound figures, mixed fractions, exponents, counters that count several, and
words in which a numeral is no number. Each row: text, mode, then the claims expected as
(raw text, value, unit) in document order."""
import pytest

from factcheck.lexicon import base_value
from factcheck.pipeline import Pipeline

DEFAULT = Pipeline()
ALL_NUMBERS = Pipeline(all_numbers=True)

CASES = [
    # compound figures: each part under the one before; a scale word at the end multiplies all
    ("增加3万4000人", "default", [("增加3万4000人", 34000, "person")]),
    ("月薪1万5元", "default", [("1万5元", 15000, "CNY")]),         # colloquial: the next place
    ("投资2千零30万元", "default", [("2千零30万元", 20300000, "CNY")]),
    ("5万4千6百人", "default", [("5万4千6百人", 54600, "person")]),
    ("3万40人", "default", []),                                   # 40 fits no place under 万
    ("一百零一万一千元", "default", [("一百零一万一千元", 1011000, "CNY")]),
    # mixed fractions: a whole and a fraction, in percent like every N分之M
    ("三百五又三分之一", "default", [("三百五又三分之一", 35033.333333333, "percent")]),
    ("3又一千分之23", "default", [("3又一千分之23", 302.3, "percent")]),
    ("二十五分之一千零拾肆", "default", [("二十五分之一千零拾肆", 4056, "percent")]),
    # exponents and a leading dot
    ("产量1.2e8吨", "default", [("1.2e8吨", 1.2e8, "tonne")]),
    ("储量达10^8立方米", "default", [("10^8立方米", 1e8, "m**3")]),
    ("比例为.5", "all", [(".5", 0.5, None)]),
    ("...9", "all", [("9", 9, None)]),
    # fractions with a slash: numbers only when every number is asked for
    ("1/2的努力", "all", [("1/2", 0.5, None)]),
    ("1 3/5", "all", [("1 3/5", 1.6, None)]),
    ("1/2的努力", "default", []),
    ("2010/11/12", "all", []),
    # 几 between a numeral and its scale, written with spaces
    ("一百 二 十 几亿", "all", [("一百 二 十 几亿", 1.2e10, None)]),
    # counters that count several, and 俩
    ("十打苹果", "default", [("十打", 10, "dozen")]),
    ("五双鞋", "default", [("五双", 5, "pair")]),
    ("俩千两百贰拾二个", "default", [("俩千两百贰拾二个", 2222, "item")]),
    # 两 as a weight: after a number, and ending a numeral after another numeral
    ("三十两", "default", [("三十两", 30, "liang")]),
    ("三千两百两", "default", [("三千两百两", 3200, "liang")]),
    ("两万两", "default", [("两万两", 20000, "liang")]),
    ("两万两千人", "default", [("两万两千人", 22000, "person")]),
    ("三两个人", "default", [("三两个", (2, 3), "item")]),      # a few: 2-3
    # a unit word that starts another word is no unit
    ("2010两岸经贸", "default", []),
    ("3台湾企业", "default", []),
    ("3台湾企业", "all", [("3", 3, None)]),
    ("5台电脑", "default", [("5台", 5, "machine")]),
    ("两两相对", "all", []),
    # 十 is a number like any other: 十家企业 are ten
    ("十家企业", "default", [("十家", 10, "organization")]),
    ("十", "all", [("十", 10, None)]),
    # ranges with a scale word on each end, or after the second end only
    ("3万-5万人", "default", [("3万-5万人", (30000, 50000), "person")]),
    ("3千至5万人", "default", [("3千至5万人", (3000, 50000), "person")]),
    ("三到五万人", "default", [("三到五万人", (30000, 50000), "person")]),
    ("一到两亿元", "default", [("一到两亿元", (1e8, 2e8), "CNY")]),
    ("三到五个", "default", [("三到五个", (3, 5), "item")]),
    ("3万-5千人", "default", []),                    # descending: no range of one quantity
    # 个半: and a half of the unit written 个…
    ("历时三个半小时", "default", [("三个半小时", 3.5, "hour")]),
    ("两个半月", "default", [("两个半月", 2.5, "month_span")]),
    # words in which a numeral is no number
    ("我家在四川", "all", []),
    ("我一看你就笑", "all", []),
    ("这件事十分重要", "all", []),
    ("万一出事", "all", []),
    ("十全十美", "all", []),
    ("用了十分钟", "all", [("十分钟", 10, "minute")]),
    ("占十分之一", "all", [("十分之一", 10, "percent")]),
]


@pytest.mark.parametrize("text,mode,expected", CASES, ids=[f"{t[:10]}-{m}" for t, m, _ in CASES])
def test_number_shapes(text, mode, expected):
    claims = (ALL_NUMBERS if mode == "all" else DEFAULT).run_text(text).claims
    got = [(c.text, c.value, c.unit) for c in claims]
    assert len(got) == len(expected), got
    for claim, (text_exp, value_exp, unit_exp) in zip(claims, expected):
        assert claim.text == text_exp
        if isinstance(value_exp, tuple):  # a range: its two ends
            assert claim.qualifier == "range"
            assert (claim.low, claim.high) == pytest.approx(value_exp, rel=1e-9)
        else:
            assert claim.value == pytest.approx(value_exp, rel=1e-9)
        assert claim.unit == unit_exp


def test_a_dozen_is_twelve_of_what_it_counts():
    assert base_value(10, "dozen") == pytest.approx(120)
    assert base_value(3, "pair") == pytest.approx(3)
    assert base_value(1, "no_such_unit") is None


@pytest.mark.parametrize("text", ["1.2e8吨", "10^8立方米", "3万4000人", "2千零30万元"])
def test_new_shapes_keep_an_interval_around_their_value(text):
    (claim,) = DEFAULT.run_text(text).claims
    assert claim.low <= claim.value <= claim.high
