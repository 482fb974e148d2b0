"""Extraction through factcheck.pipeline, table-driven: text -> claims (span, value, unit,
qualifier, role), following fixtures/README.md."""
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from factcheck.pipeline import Pipeline, extract_text

# One pipeline for the tables (extract_text compiles the rules on every call; it is
# checked against this pipeline below).
PIPELINE = Pipeline()


def extract(text):
    return PIPELINE.run_text(text).claims


def C(text, value, unit, qualifier="exact", role="level", **extra):
    return (text, value, unit, qualifier, role, extra)


CASES = [
    # ---- Arabic numbers, separators, decimals, scale words
    ("港股成交17,483亿港元", [C("17,483亿港元", 1748300000000, "HKD")]),
    ("全年实现生产总值14151.3亿元", [C("14151.3亿元", 1415130000000, "CNY")]),
    ("实现进出口总额242.3亿美元", [C("242.3亿美元", 24230000000, "USD")]),
    ("达到1.5万", [C("1.5万", 15000, None)]),
    ("招收3千人", [C("3千人", 3000, "person", role="count")]),
    ("投入2千万元", [C("2千万元", 20000000, "CNY")]),
    ("粮食产量3400万吨", [C("3400万吨", 34000000, "tonne")]),
    ("面积48.5万平方公里", [C("48.5万平方公里", 485000, "km**2")]),
    ("共6310批", [C("6310批", 6310, "batch", role="count")]),
    ("年满18岁", [C("18岁", 18, "year_of_age")]),
    ("台湾13兆6,146億元", [C("13兆6,146億元", 13614600000000, "CNY")]),
    ("新台币17,880元", [C("17,880元", 17880, "TWD")]),
    ("人民币3亿元", [C("3亿元", 300000000, "CNY")]),
    ("占１２％", [C("１２％", 12, "percent", role="share")]),
    ("１７，４８３亿港元", [C("１７，４８３亿港元", 1748300000000, "HKD")]),
    ("每千人3.2‰", [C("3.2‰", 3.2, "permille", role="share")]),
    # ---- Chinese numerals with counters
    ("三千二百人参加", [C("三千二百人", 3200, "person", role="count")]),
    ("两万三千元", [C("两万三千元", 23000, "CNY")]),
    ("三点二亿元", [C("三点二亿元", 320000000, "CNY")]),
    ("一点五万人", [C("一点五万人", 15000, "person", role="count")]),
    ("共十一个", [C("十一个", 11, "item", role="count")]),
    ("一百零五人", [C("一百零五人", 105, "person", role="count")]),
    ("兩位局長出席", [C("兩位", 2, "person", role="count")]),
    ("购置三套", [C("三套", 3, "set", role="count")]),
    ("兩臺設備", [C("兩臺", 2, "machine", role="count")]),
    ("分兩次发放", [C("兩次", 2, "occurrence", role="count")]),
    # ---- shares
    ("占百分之十五", [C("百分之十五", 15, "percent", role="share")]),
    ("百分之三点五", [C("百分之三点五", 3.5, "percent", role="share")]),
    ("占三成", [C("三成", 30, "percent", role="share")]),
    ("约三成", [C("约三成", 30, "percent", "approx", "share")]),
    ("五分之一", [C("五分之一", 20, "percent", role="share")]),
    ("城镇登记失业率4.1%", [C("4.1%", 4.1, "percent", role="share")]),
    ("提高3.2个百分点", [C("提高3.2个百分点", 3.2, "percentage_point", role="growth")]),
    ("比重3.2个百分点", [C("3.2个百分点", 3.2, "percentage_point", role="growth")]),
    # ---- ranges: value is the low end; a scale or unit after the high end applies to both
    ("需要3-5万人", [C("3-5万人", 30000, "person", "range", "count", low=30000, high=50000)]),
    ("3至5万元", [C("3至5万元", 30000, "CNY", "range", low=30000, high=50000)]),
    ("3～5万元", [C("3～5万元", 30000, "CNY", "range", low=30000, high=50000)]),
    ("5—10人", [C("5—10人", 5, "person", "range", "count", low=5, high=10)]),
    ("两三个", [C("两三个", 2, "item", "range", "count", low=2, high=3)]),
    ("三到五个", [C("三到五个", 3, "item", "range", "count", low=3, high=5)]),
    ("提高2-3个百分点", [C("提高2-3个百分点", 2, "percentage_point", "range", "growth", low=2, high=3)]),
    ("下降3-5个百分点", [C("下降3-5个百分点", -3, "percentage_point", "range", "growth", low=-5, high=-3)]),
    # ---- qualifiers
    ("200多万", [C("200多万", 2000000, None, "more_than")]),
    ("现有职工1万余人", [C("1万余人", 10000, "person", "more_than", "count")]),
    ("6.6萬(wàn)余人", [C("6.6萬(wàn)余人", 66000, "person", "more_than", "count")]),
    ("2000多架次", [C("2000多架次", 2000, "sortie", "more_than", "count")]),
    ("50余家企业", [C("50余家", 50, "organization", "more_than", "count")]),
    ("近25万人次", [C("近25万人次", 250000, "person_time", "less_than", "count")]),
    ("近25萬(wàn)人次", [C("近25萬(wàn)人次", 250000, "person_time", "less_than", "count")]),
    ("约75%", [C("约75%", 75, "percent", "approx", "share")]),
    ("100人左右", [C("100人左右", 100, "person", "approx", "count")]),
    ("15%以上", [C("15%以上", 15, "percent", "at_least", "share")]),
    ("50%以下", [C("50%以下", 50, "percent", "at_most", "share")]),
    ("超过100家", [C("超过100家", 100, "organization", "more_than", "count")]),
    ("突破1000亿元", [C("突破1000亿元", 100000000000, "CNY", "more_than")]),
    ("不到10%", [C("不到10%", 10, "percent", "less_than", "share")]),
    ("逾千人", [C("逾千人", 1000, "person", "more_than", "count")]),
    ("至少5个", [C("至少5个", 5, "item", "at_least", "count")]),
    ("三成以上", [C("三成以上", 30, "percent", "at_least", "share")]),
    # ---- growth rates and changes
    ("比上年增长14.5%", [C("增长14.5%", 14.5, "percent", role="growth")]),
    ("增長(zhǎng)14.5%", [C("增長(zhǎng)14.5%", 14.5, "percent", role="growth")]),
    ("同比下降13.9%", [C("下降13.9%", -13.9, "percent", role="growth")]),
    ("下降(jiàng)13.9%", [C("下降(jiàng)13.9%", -13.9, "percent", role="growth")]),
    ("增长了5个百分点", [C("增长了5个百分点", 5, "percentage_point", role="growth")]),
    ("分别增长5.43%、32.99%", [C("增长5.43%", 5.43, "percent", role="growth"),
                              C("32.99%", 32.99, "percent", role="growth")]),
    ("分别下降5.43%、32.99%", [C("下降5.43%", -5.43, "percent", role="growth"),
                              C("32.99%", -32.99, "percent", role="growth")]),
    ("增加47.1万人", [C("增加47.1万人", 471000, "person", role="change")]),
    ("增加(jiā)47.1萬(wàn)人", [C("增加(jiā)47.1萬(wàn)人", 471000, "person", role="change")]),
    ("减少3亿元", [C("减少3亿元", -300000000, "CNY", role="change")]),
    ("经济成长率为10.82%", [C("10.82%", 10.82, "percent", role="growth")]),
    ("增速为5%", [C("5%", 5, "percent", role="growth")]),
    ("居民消费价格上涨2.1%", [C("上涨2.1%", 2.1, "percent", role="growth")]),
    # ---- ranks
    ("列全国第11位", [C("第11位", 11, None, role="rank")]),
    ("第11位", [C("第11位", 11, None, role="rank")]),
    ("居全国第一", [C("第一", 1, None, role="rank")]),
    ("居全国第一。", [C("第一", 1, None, role="rank")]),
    ("获得第二名", [C("第二名", 2, None, role="rank")]),
    ("排名第五，", [C("第五", 5, None, role="rank")]),
    # ---- a sentence: claims in document order, non-claims skipped
    ("2009年全省实现生产总值14151.3亿元，比上年增长14.5%。",
     [C("14151.3亿元", 1415130000000, "CNY"), C("增长14.5%", 14.5, "percent", role="growth")]),
    ("[ 11-11 09:31 ] 今年1-9月，全省出口食品6310批，居全国第一。",
     [C("6310批", 6310, "batch", role="count"), C("第一", 1, None, role="rank")]),
]


def _ids(cases):
    return [text[:16] for text, _ in cases]


@pytest.mark.parametrize("text,expected", CASES, ids=_ids(CASES))
def test_claims(text, expected):
    claims = extract(text)
    got = [(c.text, c.value, c.unit, c.qualifier, c.role) for c in claims]
    want = [(t, pytest.approx(v, rel=1e-9), u, q, r) for t, v, u, q, r, _ in expected]
    assert got == want
    for claim, (span, _, _, _, _, extra) in zip(claims, expected):
        assert text[claim.start:claim.end] == claim.text == span
        assert claim.start == text.index(span)
        for key, value in extra.items():
            assert getattr(claim, key) == pytest.approx(value), key


@pytest.mark.parametrize("text,expected", CASES, ids=_ids(CASES))
def test_claim_invariants(text, expected):
    for claim in extract(text):
        if claim.low is not None and claim.high is not None:
            assert claim.low <= claim.high
        if claim.qualifier in ("exact", "approx", "range") and claim.low is not None and claim.high is not None:
            assert claim.low <= claim.value <= claim.high
        if claim.unit is None:
            assert claim.dimension in ("number", "rank")
        assert claim.id.startswith("c")


def test_claim_ids_are_sequential():
    claims = extract("增长14.5%，增加47.1万人，共6310批")
    assert [c.id for c in claims] == ["c1", "c2", "c3"]


NON_CLAIMS = [
    "[ 11-11 09:31 ]",
    "2009年",
    "2010年度",
    "10月22日-26日",
    "5 月26日",
    "1-9月",
    "今年7月",
    "第十一届",
    "第十一屆",
    "第一次",
    "ISO/IEC 17025:2005",
    "GB/T 19001-2016",
    "H1N1",
    "1+1+X",
    "“9+1”",
    "3·15国际消费者权益日",
    "世界500强",
    "世界500強",
    "两局",
    "一是",
    "五位一体",
    "五位一體",
    "一次性",
    "一次",
    "一批",
    "一周",
    "6大任务",
    "12方面",
    "15周年",
    "九大措施",
    "CCC认证",
    "十一五规划",
    "成为",
    "千万不要",
    "百家争鸣",
    "有123",
    "汽车零件",
    "零部件",
    "〇件",
]


@pytest.mark.parametrize("text", NON_CLAIMS)
def test_non_claims(text):
    assert extract(text) == []


@pytest.mark.parametrize("text", NON_CLAIMS[:8])
def test_non_claims_in_a_sentence(text):
    # a non-claim next to a claim does not take it away or add another
    claims = extract(f"{text}，全省共出口食品6310批。")
    assert [(c.text, c.value) for c in claims] == [("6310批", 6310)]


def test_extract_text_is_the_pipeline():
    text = "2009年全省实现生产总值14151.3亿元，比上年增长14.5%，居全国第一。"
    a = [c.to_json() for c in extract_text(text)]
    b = [c.to_json() for c in extract(text)]
    assert a == b and len(a) == 3
    assert a[0]["metric"] == "gdp"


# ---- properties -------------------------------------------------------------------

# the financial numerals too (肆元 is 4 yuan: found by the property test below)
NUMERAL_CHARS = "零〇一二三四五六七八九十百千万亿两兩萬億俩倆壹贰貳叁參肆伍陆陸柒捌玖拾佰仟"

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
WORDS = st.sampled_from(["增长", "增長", "下降", "约", "近", "超过", "第", "居全国", "分别", "、", "，", "。", "-",
                         "至", "多", "余", "以上", "左右", "百分之", "分之", "成", "个百分点", "年", "月", "日",
                         "兩", "萬", "億", "十", "百", "千", "三", "两", " ", "(", ")", ".", ","])
UNITS = st.sampled_from(["万元", "亿元", "个", "%", "％", "人", "人次", "批", "吨", "平方米", "港元", "位", "名",
                         "㎡", "kg"])
ANNOTATIONS = st.sampled_from(["(zhǎng)", "(wàn)", "(yì)", "(cì)", "（jiā）", "?qū)", "(GDP)"])
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=6)
FULL_DIGITS = st.text(alphabet="０１２３４５６７８９", min_size=1, max_size=4)
INVISIBLE = st.sampled_from(["\u200b", "\u200e", "\ufeff"])
ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
mixed_text = st.lists(st.one_of(HAN, WORDS, UNITS, ANNOTATIONS, DIGITS, FULL_DIGITS, INVISIBLE, ASCII),
                      max_size=30).map("".join)


def _bears_a_number(ch):
    """A digit, a Chinese numeral, or a character NFKC reads as digits (㉑ is 21, ① is 1):
    normalization folds those before the grammar sees them."""
    import unicodedata

    return ch.isdigit() or ch in NUMERAL_CHARS or any(c.isdigit() for c in unicodedata.normalize("NFKC", ch))


def _check_spans(text, claims):
    for claim in claims:
        assert 0 <= claim.start < claim.end <= len(text)
        assert text[claim.start:claim.end] == claim.text
        assert any(_bears_a_number(ch) for ch in claim.text), claim.text
    starts = [c.start for c in claims]
    assert starts == sorted(starts)


@settings(max_examples=200, deadline=None)
@given(mixed_text)
def test_claim_spans_quote_the_raw_text(text):
    _check_spans(text, extract(text))


@settings(max_examples=200, deadline=None)
@given(mixed_text)
def test_intervals_hold_their_value(text):
    for claim in extract(text):
        if claim.low is not None and claim.high is not None:
            assert claim.low <= claim.high, claim
        if claim.qualifier in ("exact", "approx", "range"):
            assert claim.low is not None and claim.high is not None, claim
            assert claim.low <= claim.value <= claim.high, claim


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
@example("£㉑")   # a circled 21, read as 21 after NFKC
def test_no_exception_on_any_unicode_text(text):
    _check_spans(text, extract(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=5), WORDS, UNITS, ANNOTATIONS, DIGITS), max_size=20).map("".join))
@example("肆元")
@example("\ud800\udc00增长5%")
def test_no_exception_on_mixed_unicode_text(text):
    _check_spans(text, extract(text))


def test_raw_offsets_share_the_normalized_ints_where_equal():
    """Where nothing is cut out before a figure, its raw offsets are its normalized ones,
    and the claim holds one int object for both (64 bytes a claim on figure-dense text);
    after a pinyin annotation they differ, and each is right."""
    text = "全省经济运行平稳，" * 40 + "全年生产总值14151.3亿元，比上年增长14.5%。"
    claims = Pipeline().run_text(text).claims
    assert len(claims) == 2 and all(c.start > 256 for c in claims)   # past the cached small ints
    assert all(c.start is c.norm_start and c.end is c.norm_end for c in claims)
    annotated = "增長(zhǎng)" + text
    shifted = Pipeline().run_text(annotated).claims
    assert [c.start - c.norm_start for c in shifted] == [len("(zhǎng)")] * 2
    assert [annotated[c.start:c.end] for c in shifted] == [c.text for c in claims]


def test_a_figure_stated_again_shares_the_first_ones_text():
    """The seed's interview, printed twice, states 306 figures in 126 texts: a figure met
    again holds the first one's string rather than a copy (84 bytes a claim)."""
    text = "全年生产总值14151.3亿元，比上年增长14.5%。城镇居民收入比上年增长14.5%。"
    claims = Pipeline().run_text(text).claims
    rates = [c for c in claims if c.text == "增长14.5%"]
    assert len(rates) == 2 and rates[0].text is rates[1].text
    assert all(text[c.start:c.end] == c.text for c in claims)


@pytest.mark.parametrize("text,expected", [
    ("比上年减产3.2%", ("减产3.2%", -3.2, "percent", "growth")),
    ("比去年增产近3万吨", ("增产近3万吨", 30000.0, "tonne", "change")),
    ("较2017年压缩63.5%", ("压缩63.5%", -63.5, "percent", "growth")),
    ("财政减收2.3亿元", ("减收2.3亿元", -230000000.0, "CNY", "change")),
    ("出口增长1.3倍", ("增长1.3倍", 1.3, "times", "growth")),
    ("是上年的2.3倍", ("2.3倍", 2.3, "times", "share")),
    ("集装箱吞吐量1440.2万标箱", ("1440.2万标箱", 14402000.0, "teu", "count")),
    ("打井1.1万余口", ("1.1万余口", 11000.0, "well", "count")),
    # round 7: transport, environment, Hong Kong news, R&D
    ("旅客周转量9567.81亿人公里", ("9567.81亿人公里", 956781000000.0, "person_km", "level")),
    ("货物周转量218181.32亿吨公里", ("218181.32亿吨公里", 21818132000000.0, "tonne_km", "level")),
    ("PM2.5年均浓度为33微克/立方米", ("33微克/立方米", 33.0, "microgram_per_m3", "level")),
    ("一氧化碳浓度1.1毫克/立方米", ("1.1毫克/立方米", 1.1, "milligram_per_m3", "level")),
    ("交通噪声平均值为67.2分贝", ("67.2分贝", 67.2, "decibel", "level")),
    ("住宅成交43,002宗", ("43,002宗", 43002.0, "deal", "count")),
    ("R&D人员全时当量38.6万人年", ("38.6万人年", 386000.0, "person_year", "count")),
    ("出口全年跌7.6%", ("跌7.6%", -7.6, "percent", "growth")),
    ("服務輸出實質急升21.2%", ("急升21.2%", 21.2, "percent", "growth")),
    ("經濟收縮3.7%", ("收縮3.7%", -3.7, "percent", "growth")),
    ("按年升3.4%", ("升3.4%", 3.4, "percent", "growth")),
    ("汽车及汽车零件出口下跌2.1%", ("下跌2.1%", -2.1, "percent", "growth")),
])
def test_words_a_probe_of_bulletins_found_missing(text, expected):
    (claim,) = Pipeline().run_text(text, reference_year=2020).claims
    assert (claim.text, claim.value, claim.unit, claim.role) == expected


@pytest.mark.parametrize("text,expected", [
    ("分别比上年下降0.8个和1.1个百分点", [("下降0.8个", -0.8, "percentage_point"), ("1.1个百分点", -1.1, "percentage_point")]),
    ("分别提高0.5个、0.8个和1.2个百分点", [("提高0.5个", 0.5, "percentage_point"), ("0.8个", 0.8, "percentage_point"),
                                         ("1.2个百分点", 1.2, "percentage_point")]),
    ("全省有3个，下降1.1个百分点", [("3个", 3.0, "item"), ("下降1.1个百分点", -1.1, "percentage_point")]),
    ("年主营业务收入2000万元以上的工业企业实现利润120亿元", [("120亿元", 12000000000.0, "CNY")]),
    ("计划总投资亿元及以上项目完成投资80亿元", [("80亿元", 8000000000.0, "CNY")]),
    ("每百元营业收入中的成本为84.1元", [("84.1元", 84.1, "CNY")]),
])
def test_points_listed_and_thresholds(text, expected):
    claims = Pipeline().run_text(text, reference_year=2020).claims
    assert [(c.text, c.value, c.unit) for c in claims] == expected


@pytest.mark.parametrize("text,role", [("同比多增2143.6亿元", "level"), ("同比少增300亿元", "level"),
                                       ("比年初增加12687.3亿元", "change")])
def test_more_or_less_increase_is_no_change_of_the_figure(text, role):
    (claim,) = Pipeline().run_text(text, reference_year=2022).claims
    assert claim.role == role


SHARES = ["value_added_primary_share", "value_added_secondary_share", "value_added_tertiary_share"]


@pytest.mark.parametrize("text,terms", [
    ("三次产业结构为7.7:39.5:52.8。", ["7.7", "39.5", "52.8"]),
    ("三次产业结构为7.7：39.5：52.8。", ["7.7", "39.5", "52.8"]),      # full-width colons
    ("三次产业比例为7.7∶39.5∶52.8，产业结构继续优化。", ["7.7", "39.5", "52.8"]),   # the ratio sign
    # the row a change starts from is no statement of this year's shares
    ("三次产业结构由7.9:40.1:52.0调整为7.7:39.5:52.8。", ["7.7", "39.5", "52.8"]),
    ("三次产业结构由上年的7.9:40.1:52.0调整为7.7:39.5:52.8。", ["7.7", "39.5", "52.8"]),
    ("三次产业结构由2018年的18.6:41.2:40.2调整为15.3:35.4:49.3。", ["15.3", "35.4", "49.3"]),
    ("三次產業結構為7.7:39.5:52.8。", ["7.7", "39.5", "52.8"]),          # Traditional
    ("全市三次产业结构为10:40:50:5。", []),       # four terms for three industries
    ("三次产业结构由7.9:40.1:52.0", []),           # only the row it started from
    ("会议于10:30开始，比分3:2。", []),            # no name: a time, a score
    ("产业结构持续优化，10:30召开会议。", []),     # the name, then a clause break
])
def test_ratio_rows_are_shares_of_the_metric_at_their_place(text, terms):
    claims = PIPELINE.run_text(text).claims
    assert [c.text for c in claims] == terms
    assert all(text[c.start:c.end] == c.text for c in claims)
    if terms:
        assert [c.metric for c in claims] == SHARES
        assert {(c.unit, c.dimension, c.role, c.qualifier) for c in claims} == {("percent", "percent", "share", "exact")}
        assert (claims[0].low, claims[0].high) == pytest.approx((float(terms[0]) - 0.05, float(terms[0]) + 0.05))


def test_a_ratio_row_among_figures_keeps_both_in_text_order():
    text = "第三产业增加值2807.9亿元，增长5.4%。三次产业结构为7.7:39.5:52.8，人均生产总值5.2万元。"
    claims = PIPELINE.run_text(text).claims
    assert [c.text for c in claims] == ["2807.9亿元", "增长5.4%", "7.7", "39.5", "52.8", "5.2万元"]
    assert [c.id for c in claims] == [f"c{k}" for k in range(1, 7)]


@pytest.mark.parametrize("text,spans,unit,values", [
    ("出生率8.85‰，比上年下降0.33个千分点。", ["8.85‰", "下降0.33个千分点"], "permille_point", [-0.33]),
    ("出生率和死亡率分别下降0.3个和0.2个千分点。", ["下降0.3个", "0.2个千分点"], "permille_point", [-0.3, -0.2]),
    ("城镇化率提高1.2个百分点。", ["提高1.2个百分点"], "percentage_point", [1.2]),
])
def test_changes_in_points_of_a_permille_rate(text, spans, unit, values):
    claims = PIPELINE.run_text(text).claims
    assert [c.text for c in claims] == spans
    points = [c for c in claims if c.unit == unit]
    assert [c.value for c in points] == values
    assert {(c.dimension, c.role) for c in points} == {("percentage_point", "growth")}
