"""Linking (factcheck.link): which figure a rate qualifies, 分别 lists, prior values, parts,
shares and periods."""
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from factcheck.link import infer_reference_year, previous_period
from factcheck.pipeline import Pipeline

PIPELINE = Pipeline()


def run(text, year=2010):
    result = PIPELINE.run_text(text, reference_year=year)
    return result, {c.text: c for c in result.claims}


def test_rate_across_the_clause_skips_another_subjects_rate():
    _, by = run("全省实现进出口总额242.3亿美元，在全国同期整体下降13.9%的情况下，增长9.6%，增速居全国第一。")
    total = by["242.3亿美元"]
    assert by["增长9.6%"].refers_to == total.id
    national = by["下降13.9%"]
    assert national.refers_to is None and national.subject == "全国" and national.value == -13.9
    assert by["增长9.6%"].subject == total.subject


def test_seed_rates_link_as_the_issue_says(pipeline):
    from conftest import SEED

    result = pipeline.run_path(str(SEED))
    by = {}
    for c in result.claims:
        by.setdefault(c.text, c)
    assert by["增長(zhǎng)9.6%"].refers_to == by["242.3億美元"].id
    assert by["下降13.9%"].refers_to is None
    assert by["增長(zhǎng)5.43%"].refers_to == by["6310批"].id
    assert by["32.99%"].refers_to == by["3.91億美元"].id
    # 不合格率…分别下降: rates of figures the text does not state
    assert by["下降59.58%"].refers_to is None and by["17.79%"].refers_to is None
    assert result.links.lists == []


def test_respectively_rates_after_figures():
    _, by = run("今年1-9月，全省共出口食品6310批，货值3.91亿美元，较去年同期分别增长5.43%、32.99%。")
    assert by["增长5.43%"].refers_to == by["6310批"].id
    assert by["32.99%"].refers_to == by["3.91亿美元"].id
    assert by["32.99%"].period == by["3.91亿美元"].period == "2010-01/09"


def test_respectively_with_he_and_after_qizhong():
    _, by = run("规模以上工业增加值1342.7亿元，增长18.6%。其中，轻工业增加值412.3亿元，重工业增加值930.4亿元，"
                "分别增长12.4%和21.5%。")
    assert by["增长12.4%"].refers_to == by["412.3亿元"].id
    assert by["21.5%"].refers_to == by["930.4亿元"].id


def test_respectively_count_mismatch_is_recorded_and_nothing_paired():
    result, by = run("全省共出口食品6310批，货值3.91亿美元，分别增长5.43%、32.99%、12.10%。")
    assert all(by[t].refers_to is None for t in ("增长5.43%", "32.99%", "12.10%"))
    (issue,) = result.links.lists
    assert [result.claims[int(v[1:]) - 1].text for v in issue.values] == ["增长5.43%", "32.99%", "12.10%"]
    assert len(issue.subjects) == 2


def test_respectively_names_before_values():
    result, by = run("机电产品和高新技术产品出口分别为31.2亿美元和12.4亿美元。出口和进口分别为79.6亿美元和67.3亿美元。")
    info = result.links.info
    assert info[by["31.2亿美元"].id].name == "机电产品出口"
    assert info[by["12.4亿美元"].id].name == "高新技术产品出口"
    assert (by["79.6亿美元"].metric, by["67.3亿美元"].metric) == ("export", "import")
    assert result.links.lists == []


def test_respectively_names_mismatch():
    result, _ = run("机电产品和高新技术产品出口分别为31.2亿美元、12.4亿美元和5.0亿美元。")
    (issue,) = result.links.lists
    assert issue.subjects == ["机电产品出口", "高新技术产品出口"] and len(issue.values) == 3


@pytest.mark.parametrize("text, subjects, periods", [
    ("2010年成都市、绵阳市常住人口分别为1405万人、462万人。", ["成都", "绵阳"], ["2010", "2010"]),
    ("2010年，成都市和绵阳市地区生产总值分别为5551亿元和960亿元。", ["成都", "绵阳"], ["2010", "2010"]),
    ("2010年末，成都、绵阳两市常住人口分别为1405万人和462万人。", ["成都", "绵阳"], ["2010", "2010"]),
    ("2009年和2010年全省地区生产总值分别为14151.3亿元和17185.5亿元。", ["全省", "全省"], ["2009", "2010"]),
    ("全省2008年、2009年以及2010年常住人口分别为8138万人、8185万人和8045万人。",
     ["全省"] * 3, ["2008", "2009", "2010"]),
    # places not joined as a list, or a list that goes on (等): each figure keeps the
    # place nearest before it, and nothing is recorded
    ("2010年成都市常住人口比绵阳市多，两市分别为1405万人、462万人。", ["绵阳", "绵阳"], ["2010", "2010"]),
    ("2010年成都、绵阳等3市常住人口分别为1405万人、462万人和361万人。", ["绵阳"] * 3, ["2010"] * 3),
])
def test_respectively_places_and_periods_before_values(text, subjects, periods):
    """A list of places or of years before 分别 gives each value its own, in order: each
    took the one nearest before it, the list's last, and two values of one list were one
    figure stated twice with two values (a conflicting_repeat error)."""
    result, _ = run(text)
    assert [c.subject for c in result.claims] == subjects
    assert [c.period for c in result.claims] == periods
    assert result.links.lists == []


@pytest.mark.parametrize("text, metrics, names", [
    # 、 joins the names (name_of stops at it: both were 进口)
    ("2010年出口、进口分别为100亿美元、80亿美元。", ["export", "import"], ["出口", "进口"]),
    ("2010年常住人口、户籍人口分别为8045万人、9001万人。", ["population", "registered_population"], ["常住人口", "户籍人口"]),
    # rates with no figure before them take their metric from the names
    ("2010年出口、进口分别增长25%、14.3%。", ["export", "import"], ["", ""]),
    # the shared head joined where it overlaps (城镇 + 居民人均可支配收入)
    ("2010年全省城镇和农村居民人均可支配收入分别为15461元和5087元。", ["disposable_income"] * 2,
     ["城镇居民人均可支配收入", "农村居民人均可支配收入"]),
    ("2010年全省城镇居民、农村居民人均可支配收入分别为15461元、5087元。", ["disposable_income"] * 2,
     ["城镇居民人均可支配收入", "农村居民人均可支配收入"]),
    # names after a list of places: each value's
    ("2010年，成都市和绵阳市地区生产总值分别为5551亿元和960亿元。", ["gdp"] * 2, ["地区生产总值"] * 2),
    ("2010年末，成都、绵阳两市常住人口分别为1405万人和462万人。", ["population"] * 2, ["常住人口"] * 2),
])
def test_respectively_names_before_values_in_more_shapes(text, metrics, names):
    result, _ = run(text)
    assert [c.metric for c in result.claims] == metrics
    assert [result.links.info[c.id].name for c in result.claims] == names
    assert result.links.lists == []


PROVINCES = ["北京", "上海", "天津", "广东", "江苏", "浙江", "山东", "河南", "湖北", "湖南"]


@settings(max_examples=60, deadline=None)
@given(places=st.lists(st.sampled_from(PROVINCES), min_size=2, max_size=5, unique=True),
       values=st.integers(min_value=2, max_value=5), joiner=st.sampled_from(["、", "和", "省、", "及"]),
       last_joiner=st.sampled_from(["、", "和", "以及"]))
def test_respectively_places_pair_in_order_or_are_recorded(places, values, joiner, last_joiner):
    """Any list of places before 分别 and any number of values: the same number gives
    each value its place in order; another number is one issue naming the places."""
    listed = joiner.join(places[:-1]) + last_joiner + places[-1]
    figures = "、".join(f"{100 + 7 * k}.{k}亿元" for k in range(values))
    result, _ = run(f"2010年{listed}地区生产总值分别为{figures}。")
    assert len(result.claims) == values
    if values == len(places):
        assert [c.subject for c in result.claims] == places and result.links.lists == []
    else:
        (issue,) = result.links.lists
        assert issue.subjects == places and len(issue.values) == values


@pytest.mark.parametrize("words, name", [
    ("2010年成都市地区生产总值", "地区生产总值"),   # was 市地区生产总值
    ("四川省实现地区生产总值", "地区生产总值"),      # was 省实现地区生产总值
    ("2010年末绵阳市常住人口", "常住人口"),
    ("全省地区生产总值", "地区生产总值"),
    ("全市常住人口", "常住人口"),
    ("成都市场规模", "市场规模"),                    # 市场 is a word, not 成都市's 市
])
def test_a_name_leaves_out_the_place_and_its_shi_or_sheng(words, name):
    assert PIPELINE.linker.name_of(words) == name


def test_a_name_without_places_in_the_rules_keeps_its_heads_only():
    """An empty named list matches the empty string: a rule set with no places must not
    take the place branch (it made every head match nothing)."""
    import copy

    from factcheck.link import Linker

    rules = copy.copy(PIPELINE.rules)
    rules.subjects = []
    linker = Linker(rules)
    assert linker.name_of("全年常住人口") == "常住人口"
    assert linker.name_of("2010年成都市地区生产总值") == "成都市地区生产总值"


def test_respectively_rates_take_the_place_of_their_figure():
    _, by = run("2010年，成都市和绵阳市地区生产总值分别为5551亿元和960亿元，分别增长15%和16%。")
    assert (by["增长15%"].refers_to, by["增长15%"].subject) == (by["5551亿元"].id, "成都")
    assert (by["16%"].refers_to, by["16%"].subject) == (by["960亿元"].id, "绵阳")


@pytest.mark.parametrize("text, listed", [
    ("2010年成都市、绵阳市和德阳市地区生产总值分别为5551亿元和960亿元。", ["成都", "绵阳", "德阳"]),
    ("2010年成都市、绵阳市、德阳市常住人口分别增长1%、2%。", ["成都", "绵阳", "德阳"]),
    ("2009年、2010年和2011年全省常住人口分别为8185万人和8045万人。", ["2009年", "2010年", "2011年"]),
])
def test_respectively_places_or_periods_that_do_not_pair_are_recorded(text, listed):
    result, _ = run(text)
    (issue,) = result.links.lists
    assert issue.subjects == listed and len(issue.values) == 2


def test_prior_with_bi():
    result, by = run("2010年，全省实现进出口总额242.3亿美元，比上年的221.1亿美元增长9.6%。")
    current, prior, rate = by["242.3亿美元"], by["221.1亿美元"], by["增长9.6%"]
    assert rate.refers_to == current.id
    assert (prior.period, current.period) == ("2009", "2010")
    assert [(p.current, p.prior, p.cue) for p in result.links.priors] == [(current.id, prior.id, "比")]
    assert result.links.info[prior.id].base


def test_prior_on_the_basis_of():
    result, by = run("本届西博会共签约投资总额7523.16亿元，在去年5911.39亿元的基础上再创新高。")
    (prior,) = result.links.priors
    assert (prior.current, prior.prior, prior.cue, prior.sign) == (by["7523.16亿元"].id, by["5911.39亿元"].id, "基础上", 1)
    assert by["5911.39亿元"].period == "2009"
    assert result.links.records == [by["7523.16亿元"].id]


def test_prior_same_period_last_year():
    result, by = run("今年1-9月，全省出口100.5亿美元，去年同期为80.2亿美元。")
    (prior,) = result.links.priors
    assert (prior.current, prior.prior, prior.cue) == (by["100.5亿美元"].id, by["80.2亿美元"].id, "同期")
    assert by["80.2亿美元"].period == "2009-01/09"
    assert by["100.5亿美元"].period == "2010-01/09"


def test_prior_same_period_with_a_name_between():
    result, by = run("今年1-9月，全省出口100.5亿美元，增长20.0%；去年同期出口额为80.2亿美元。")
    (prior,) = result.links.priors
    assert (prior.current, prior.prior) == (by["100.5亿美元"].id, by["80.2亿美元"].id)
    # 比去年同期增长 is a rate, not a prior figure
    result, _ = run("今年1-9月，全省出口100.5亿美元，比去年同期增长20.0%。")
    assert result.links.priors == []


@pytest.mark.parametrize("text,period", [
    ("前三季度，全市实现地区生产总值2856.42亿元。", "2010-01/09"),
    ("上半年，全市出口52.3亿美元。", "2010-01/06"),
    ("今年1-9月，全省出口100.5亿美元。", "2010-01/09"),
    ("去年，全省出口100.5亿美元。", "2009"),
    ("1-9月，全省出口100.5亿美元。", "2010-01/09"),
    ("2009年全省出口100.5亿美元。", "2009"),
])
def test_relative_periods(text, period):
    result, _ = run(text)
    assert result.claims[0].period == period


def test_prior_from_to_lists():
    result, by = run("检测项目已由原来的63大类、469个检测项目扩大到93大类、706个检测项目。")
    pairs = {(p.prior, p.current, p.sign) for p in result.links.priors}
    assert pairs == {(by["63大类"].id, by["93大类"].id, 1), (by["469个"].id, by["706个"].id, 1)}


def test_qizhong_parts_take_the_whole_with_their_unit():
    result, by = run("共抽查486家企业生产的523批次产品，抽样合格率为91.6%。其中，儿童玩具抽查68批次，不合格9批次。")
    parts = {(p.part, p.whole) for p in result.links.parts}
    assert parts == {(by["68批次"].id, by["523批次"].id), (by["9批次"].id, by["523批次"].id)}


def test_qizhong_whole_is_the_figure_its_part_is_named_after():
    result, by = run("全年实现产值800亿元，完成投资500亿元。其中，工业产值650亿元。")
    assert [(p.part, p.whole) for p in result.links.parts] == [(by["650亿元"].id, by["800亿元"].id)]


@pytest.mark.parametrize("text", ["“十一五”期间，全省生产总值17185.48亿元，年均增长13.9%。",
                                  "全省生产总值17185.48亿元，比2005年增长80.5%。",
                                  "全市存款余额4215.3亿元，比年初增加612.8亿元。"])
def test_rates_over_other_bases_are_not_year_on_year(text):
    result, by = run(text)
    (rate,) = [c for c in result.claims if c.role in ("growth", "change")]
    assert not result.links.info[rate.id].yoy


def test_share_part_and_whole_by_name():
    result, by = run("全年进出口总额146.9亿美元。其中，出口79.6亿美元。机电产品和高新技术产品出口分别为31.2亿美元和"
                     "12.4亿美元，机电产品出口占出口总额的39.2%。")
    (share,) = [s for s in result.links.shares]
    assert (share.part, share.whole) == (by["31.2亿美元"].id, by["79.6亿美元"].id)
    assert by["39.2%"].refers_to == by["31.2亿美元"].id


def test_share_of_a_whole_stated_earlier():
    result, by = run("年末全省常住人口7869.3万人，比上年末增加47.1万人。其中，城镇人口3395.2万人，占常住人口的比重为43.1%。")
    (share,) = result.links.shares
    assert (share.share, share.part, share.whole) == (by["43.1%"].id, by["3395.2万人"].id, by["7869.3万人"].id)
    assert by["增加47.1万人"].refers_to == by["7869.3万人"].id
    assert result.links.info[by["43.1%"].id].share_of_total


def test_share_whose_whole_is_not_stated():
    result, by = run("国际合作馆招展面积达32400平方米，占主展场面积的27%。人口8724.6万人，面积48.5万平方公里。")
    (share,) = result.links.shares
    assert share.part == by["32400平方米"].id and share.whole is None


def test_percentage_points_qualify_the_percentage():
    _, by = run("第三产业增加值占全省生产总值的比重为39.7%，比上年下降1.2个百分点。")
    assert by["下降1.2个百分点"].refers_to == by["39.7%"].id


def test_rate_before_its_figure():
    _, by = run("名牌产品销售收入增长百分之十五，达到三点二亿元。")
    assert by["增长百分之十五"].refers_to == by["三点二亿元"].id


def test_comparable_prices():
    result, by = run("全省生产总值16037.96亿元，按可比价格计算，比上年增长14.6%。")
    assert result.links.info[by["增长14.6%"].id].comparable
    result, by = run("生产总值16037.96亿元，增长14.6%。\n注：生产总值绝对数按现价计算，增长速度按可比价格计算。")
    assert result.links.comparable_document
    result, by = run("2010年香港本地生产总值为17,483亿港元，实质增长6.8%。")
    assert result.links.info[by["增长6.8%"].id].comparable


def test_forecast_is_marked():
    result, by = run("1-9月，全省实现进出口额239.2亿美元，同比增长44.4%，预计全年将突破300亿美元。")
    assert result.links.info[by["突破300亿美元"].id].forecast
    assert not result.links.info[by["239.2亿美元"].id].forecast


def test_names():
    result, by = run("初步核算，全年全省生产总值16037.96亿元。年末全省常住人口7869.3万人。其中，城镇人口3395.2万人。")
    names = {c.text: result.links.info[c.id].name for c in result.claims}
    assert names == {"16037.96亿元": "生产总值", "7869.3万人": "常住人口", "3395.2万人": "城镇人口"}


def test_base_period_does_not_spill_over():
    # 比上年 is the base of the rate, not the period of the rank after it
    _, by = run("2010年××省统计公报\n全年全省生产总值16037.96亿元，比上年增长14.6%，总量居全国第10位。", year=2010)
    assert by["16037.96亿元"].period == "2010"
    assert by["第10位"].period == "2010"


@pytest.mark.parametrize("text,year", [
    ("2010年××省国民经济和社会发展统计公报\n××省统计局（2011年2月28日）", 2010),
    ("（本报记者 李明　2010年10月8日）今年1-9月", 2010),
    ("四川省２００９年经济运行情况综述\n（２０１０年２月２６日）", None),  # full-width digits are normalized first
])
def test_reference_year_prefers_periods_over_dates(text, year):
    if year is None:
        from factcheck.normalize import normalize

        assert infer_reference_year(normalize(text).norm) == 2009
    else:
        assert infer_reference_year(text) == year


def test_previous_period():
    assert previous_period("2010") == "2009"
    assert previous_period("2010-01/09") == "2009-01/09"
    assert previous_period(None) is None


def test_a_named_share_part_is_sought_only_nearby():
    # the part and whole named but not stated in the share's sentence: the latest figures
    # of those names, but not ones from another section of a long document
    from factcheck.link import SHARE_REACH
    from factcheck.pipeline import Pipeline

    stated = "全年出口总额100亿美元。进口总额20亿美元。"
    near = Pipeline().run_text(stated + "进口占出口总额的20%。")
    far = Pipeline().run_text(stated + "今天天气很好。" * (SHARE_REACH // 7 + 1) + "进口占出口总额的20%。")
    (share_near,) = near.links.shares
    assert (share_near.part, share_near.whole) == ("c2", "c1")
    (share_far,) = far.links.shares
    assert (share_far.part, share_far.whole) == (None, None)
    assert far.claims[-1].refers_to is None


@pytest.mark.parametrize("text", ["游客满意度达到90%", "接待游客5000万人次，增长12%，游客满意度达到90%"])
def test_a_rate_named_as_a_property_is_not_a_share_of_the_metric(text):
    # 满意度 is a rate of its own: not a share of the visitors, nor of their figure
    share = PIPELINE.run_text(text).claims[-1]
    assert share.text == "90%"
    assert (share.metric, share.refers_to) == (None, None)


def test_a_growth_rate_named_with_the_metric_keeps_it():
    (rate,) = PIPELINE.run_text("出口总额增长率为9.6%").claims
    assert rate.metric == "export"


NAME_WORDS = ["出口", "出口总额", "进出口总额", "进口", "生产总值", "地区生产总值", "GDP", "(GDP)", "a.b"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NAME_WORDS + ["，", "年", "增长", "总", "额", ".", "ab"]), max_size=30).map("".join))
def test_literal_words_finds_what_a_named_list_finds(text):
    # the trie compiled by `re` must find the same mentions as regex's named list would:
    # leftmost, and the longest word at that position
    import regex

    from factcheck.link import literal_words

    named = regex.compile(r"\L<names>", names=NAME_WORDS)
    assert [m.span() for m in literal_words(NAME_WORDS).finditer(text)] == [m.span() for m in named.finditer(text)]


def test_literal_words_escapes_and_prefers_the_longest():
    from factcheck.link import literal_words

    pattern = literal_words(NAME_WORDS)
    assert [m.group() for m in pattern.finditer("实现进出口总额，出口和(GDP)与a.b，axb")] == [
        "进出口总额", "出口", "(GDP)", "a.b"]


def test_the_linkers_scans_of_the_whole_text_run_within_the_scan_budget(monkeypatch):
    import factcheck.link as link

    text = "2010年全省地区生产总值14151.3亿元，增长14.5%，创历史新高。增长速度按可比价计算。"
    asked = []
    monkeypatch.setattr(link, "scan_timeout", lambda scanned: asked.append(scanned) or 5.0)
    result = PIPELINE.run_text(text)
    assert result.links.comparable_document and result.links.records
    # the period words, the 可比价 note and 新高 are each looked for over the whole text
    assert sum(scanned == result.text for scanned in asked) >= 3
    monkeypatch.setattr(link, "scan_timeout", lambda scanned: 0.0)
    with pytest.raises(TimeoutError):
        PIPELINE.linker._records(result.text, result.claims, result.links, link._Bounds("。", link._bmp_codes(result.text)))


def test_names_are_trimmed_alike_from_a_bounded_cache(monkeypatch):
    import factcheck.link as link

    path = "fixtures/sichuan_quality_interview_2010.txt"
    fresh = Pipeline()
    expected = [(c.metric, c.subject, c.period) for c in fresh.run_path(path).claims]
    assert len(fresh.linker._names) > 10 and sum(m is not None for m, _, _ in expected) > 50
    monkeypatch.setattr(link, "_NAMES_KEPT", 3)
    small = Pipeline()
    assert [(c.metric, c.subject, c.period) for c in small.run_path(path).claims] == expected
    assert len(small.linker._names) <= 3
    # and the cached runs give what trimming them again gives
    assert all(fresh.linker._trimmed(run) == name for run, name in fresh.linker._names.items())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("。！!？?；;\n，,：:ab三𠀀\U0010FFFF\u3000")), max_size=40))
def test_bounds_start_after_each_end_character(text):
    from array import array

    import factcheck.link as link
    from factcheck.link import _CLAUSE_ENDS, _Bounds, _bmp_codes

    positions = array("q", range(len(text) + 1))
    for ends in (_CLAUSE_ENDS, "\n"):
        bounds = _Bounds(ends, _bmp_codes(text))
        assert list(bounds.starts) == [0] + [i + 1 for i, ch in enumerate(text) if ch in ends]
        # all positions at once (through numpy, and a bisect each), as one at a time
        for vector_from in (0, 10 ** 9):
            link.VECTOR_FROM, kept = vector_from, link.VECTOR_FROM
            try:
                assert list(bounds.indexes(positions)) == [bounds.index(p) for p in positions]
                assert list(bounds.floors(positions)) == [bounds.floor(p) for p in positions]
            finally:
                link.VECTOR_FROM = kept


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(1, 4)), max_size=12),
       st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), min_size=1, max_size=20))
def test_the_nearest_mention_of_all_positions_at_once_is_the_first_one_at_a_time(gaps, asked):
    """`_Mentions.nearest` gives, for many positions, the first mention `before` yields."""
    from array import array

    import factcheck.link as link
    from factcheck.link import _Mentions

    mentions, at = _Mentions([], [], []), 0
    for gap, length in gaps:   # disjoint and in order, as a scan finds them
        mentions.starts.append(at + gap)
        mentions.ends.append(at + gap + length)
        mentions.keys.append(len(mentions.keys))
        at += gap + length
    positions = [position for position, _ in asked]
    floors = [min(floor, position) for position, floor in asked]
    expected = [next(mentions.before(p, f), -1) for p, f in zip(positions, floors)]
    for vector_from in (0, 10 ** 9):   # through numpy, and a walk each
        link.VECTOR_FROM, kept = vector_from, link.VECTOR_FROM
        try:
            assert list(mentions.nearest(array("q", positions), floors)) == expected
        finally:
            link.VECTOR_FROM = kept


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["19", "20", "2010", "1998", "3", "12", "٣", "١٢", "-", "~", "至", "到", " ", "年",
                                 "月", "日", "今年", "去年", "同期", "上半年", "第三季度", "全年", "x", "。"]),
                max_size=25).map("".join))
def test_the_period_scans_guard_keeps_every_match(text):
    """The lookahead before the period branches only skips places where none matches:
    the same matches as behind the branches' first characters alone."""
    import regex

    from factcheck.link import _PERIOD, _PERIOD_BRANCHES

    plain = regex.compile(r"(?=[0-9今本当去上前明下一二三四第全])(?:" + _PERIOD_BRANCHES + ")")
    assert [(m.span(), m.groups()) for m in _PERIOD.finditer(text)] == [
        (m.span(), m.groups()) for m in plain.finditer(text)]


def test_bounds_take_about_a_byte_a_character_while_built():
    """Linking finds four kinds of ends in a document: np.isin took 8-byte ints of the
    whole text's code points for each, the largest part of linking's peak on the seed;
    and a text past the BMP made a table as long as Unicode (1.1 MB) for each."""
    import tracemalloc

    from factcheck.link import _CLAUSE_ENDS, _Bounds, _bmp_codes

    line = "2010年全省实现地区生产总值14151.3亿元，比上年增长15.1%，增幅创十年来新高。\n"
    _Bounds(_CLAUSE_ENDS, _bmp_codes(line))   # its lookup table, made once
    for text in (line * 6000, line.replace("全省", "𠀀省") * 6000):   # 2-byte and 4-byte code points
        codes = _bmp_codes(text)
        assert codes.itemsize == 2
        tracemalloc.start()
        try:
            bounds = _Bounds(_CLAUSE_ENDS, codes)
            kept, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(bounds.starts) == 1 + 4 * 6000
        # the starts, plus a byte a character (np.isin: 10-11 bytes a character on this
        # text; the table as long as Unicode: 2.5)
        assert peak - kept < len(text) * 1.5, (peak - kept) / len(text)


def _years_as_written(text):
    """stated_years as first written, with the digit before a year refused by a lookbehind."""
    import re

    from factcheck.link import _DAY_AFTER, _LIST_ITEM

    body = "\n".join(line for line in text.splitlines() if not _LIST_ITEM.match(line))
    years, dated = [], []
    for m in re.finditer(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代)", body):
        year = int(m.group(1))
        if 1949 <= year <= 2100:
            (dated if _DAY_AFTER.match(body, m.end()) else years).append(year)
    return years, dated


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["2010", "1999", "20", "10", "1", "9", "٣", "年", "代", "月", "28", "日", " ", "\n",
                                 "- ", "1. ", "、", "x", "２"]), max_size=30).map("".join))
@example("12010年")          # a digit before: no year
@example("٣2010年 x2011年")  # any digit, not only 0-9
@example("2010年代，2009 年")
def test_stated_years_are_the_years_a_lookbehind_finds(text):
    from factcheck.link import stated_years

    assert stated_years(text) == _years_as_written(text)


def test_a_streamed_documents_year_is_the_whole_documents():
    from factcheck.normalize import normalize
    from factcheck.pipeline import _stream_year

    text = ("（2011年2月28日）\n" + "全省2009年生产总值增长10%。\n" * 50 + "- 2012年的链接\n"
            + "2010年进出口总额242.3亿美元。\n" * 50)
    assert _stream_year(iter([text[i:i + 97] for i in range(0, len(text), 97)]), 200) == 2010
    assert infer_reference_year(normalize(text).norm) == 2010
    only_dated = "（2011年2月28日）\n" * 30 + "全省生产总值增长10%。\n" * 30
    assert _stream_year(iter([only_dated]), 100) == 2011
    assert _stream_year(iter(["增长10%。\n" * 40]), 100) is None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["2010", "1999", "20", "1", "9", "12", "年", "月", "日", "季", "度", "同期", "今", "去",
                                 "上", "下", "半", "前", "三", "一", "第", "全", "-", "~", "至", " ", "\u3000", "\n",
                                 "x", "增长", "代"]), max_size=40).map("".join))
@example("2010年1-9月15日，去年同期 3 至 5 月，第一季度，上半年")
@example("年" * 30 + "月月1-2月")
@example("增长上半年")   # each anchor alone, no window before it to reach over its start
@example("增长前三季度")
def test_period_words_found_in_windows_are_those_of_the_whole_text(text):
    """_period_mentions runs the period pattern only around 年, 月 and 季."""
    from factcheck.extract import anchored_windows
    from factcheck.link import _PERIOD, _period_anchor

    windows = anchored_windows(text, _period_anchor(), None)
    assert [m.span() for pos, end in windows for m in _PERIOD.finditer(text, pos, end)] == \
        [m.span() for m in _PERIOD.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["2010", "年", "月", "1", "-", "9", "x", "同期", "去", "上", "半", "季度", "\n"]),
                max_size=60).map("".join), st.integers(1, 4))
@example("2010年1-9月" * 5, 1)
@example("年年年", 1)
def test_batched_matches_are_finditers_matches(text, batch):
    """batched_matches scans a window a batch at a time, each scan going on where the one
    before stopped: the matches of finditer over the window, lookbehinds and all."""
    import regex

    from factcheck.extract import anchored_windows, batched_matches
    from factcheck.link import _PERIOD, _period_anchor

    windows = anchored_windows(text, _period_anchor(), None)
    got = [(m.span(), m.groups()) for m in batched_matches(_PERIOD, text, windows, None, batch)]
    assert got == [(m.span(), m.groups()) for pos, end in windows for m in _PERIOD.finditer(text, pos, end)]
    # a pattern that looks behind and ahead, and one that matches empty text
    for pattern in (regex.compile(r"(?<=年)\d+(?=月)|(?<!\d)\d"), regex.compile(r"\d*")):
        whole = [(0, len(text)), (len(text) // 3, len(text))] if text else []
        assert [m.span() for m in batched_matches(pattern, text, whole, None, batch)] == \
            [m.span() for pos, end in whole for m in pattern.finditer(text, pos, end)]


def test_batched_matches_count_no_time_of_the_caller(monkeypatch):
    """regex counts a finditer's timeout from its start, the caller's time between matches
    included: between batches the caller's time is not counted, as for extraction's scan."""
    import time

    import regex

    from factcheck.extract import batched_matches

    clock = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    text = "1 " * 50
    pattern = regex.compile(r"\d")
    taken = 0
    for _ in batched_matches(pattern, text, [(0, len(text))], deadline=5.0, batch=10):
        taken += 1
        clock[0] += 1.0   # the caller's time: 50 s against a deadline of 5
    assert taken == 50
    clock[0] = 10.0
    with pytest.raises(TimeoutError):
        next(batched_matches(pattern, text, [(0, len(text))], deadline=5.0))


def test_period_mentions_hold_a_batch_of_matches_at_a_time():
    """The period pattern's match objects, a few hundred bytes each, were held for the whole
    text at once: on a text dense in periods, linking's peak."""
    import tracemalloc

    from factcheck.link import _period_mentions

    text = "2010年1-9月出口比上年同期增长5%，去年同期为3亿元；" * 5000
    _period_mentions(text[:100], 2010)
    tracemalloc.start()
    try:
        found = _period_mentions(text, 2010)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(found.keys) == 3 * 5000
    assert (peak - kept) / len(found.keys) < 250, (peak - kept) / len(found.keys)   # 570 when all were held


def test_claim_info_keeps_its_yes_no_facts_as_bits():
    """Each fact is read and set by name, alone: a slot each was 32 bytes a claim, and
    what linking keeps about each claim is most of its memory on figure-dense text."""
    from factcheck.link import ClaimInfo

    names = ["base", "forecast", "comparable", "yoy", "share_of_total"]
    info = ClaimInfo()
    assert [getattr(info, n) for n in names] == [False, False, False, True, False]
    for name in names:
        for value in (True, False, True):
            before = {n: getattr(info, n) for n in names if n != name}
            setattr(info, name, value)
            assert getattr(info, name) is value
            assert {n: getattr(info, n) for n in names if n != name} == before
    assert info == ClaimInfo(flags=info.flags) and info != ClaimInfo()


def test_linking_keeps_little_per_claim():
    """What linking keeps (each claim's ClaimInfo, the relations) on a bulletin with a
    figure every 16 characters: 151 bytes a claim with a slot for each yes/no fact."""
    import tracemalloc
    from pathlib import Path

    from factcheck.decode import read_input
    from factcheck.normalize import normalize

    root = Path(__file__).parent.parent / "fixtures" / "checks"
    bulletin = read_input(str(root / "consistent_bulletin.hans.txt")).text
    pipeline = Pipeline()
    pipeline.run_text(bulletin)   # what linking loads once
    doc = normalize("\n".join([bulletin] * 40))
    claims = pipeline.extractor.extract(doc)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        links = pipeline.linker.link(doc.norm, claims, 2010)
        kept = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert len(claims) == 40 * 67 and len(links.info) == len(claims)
    assert kept / len(claims) < 135, kept / len(claims)   # about 119


def test_the_normalized_documents_offset_map_is_gone_before_linking(monkeypatch):
    """Linking needs the normalized text only: the document (its map back to the raw
    text, 4 bytes a character) is freed before it, with the garbage collector paused as
    it is through a document's run; the claims still carry their raw spans."""
    import weakref

    import factcheck.pipeline as pipeline_module
    from factcheck.link import Linker

    made, seen = [], []
    real_normalize, real_link = pipeline_module.normalize, Linker.link

    def normalize(*args, **kwargs):
        doc = real_normalize(*args, **kwargs)
        made.append(weakref.ref(doc))
        return doc

    def link(self, text, claims, year):
        seen.append(made[-1]() is None)
        return real_link(self, text, claims, year)

    monkeypatch.setattr(pipeline_module, "normalize", normalize)
    monkeypatch.setattr(Linker, "link", link)
    raw = "全省生(shēng)產(chǎn)總值14151.3亿元，比上年增长14.5%。"
    result = Pipeline().run_text(raw)
    assert seen == [True]
    assert [raw[c.start:c.end] for c in result.claims] == ["14151.3亿元", "增长14.5%"]
    assert result.claims[1].refers_to == result.claims[0].id and result.text.startswith("全省生产总值")


def test_the_claims_of_a_sentence_share_its_line_and_sentence_ints():
    """Linking records each claim's line and sentence; the claims of one sentence hold
    one int object for each (64 bytes a claim on figure-dense text), not a copy each."""
    text = "经济运行平稳。\n" * 300 + "全年生产总值14151.3亿元，比上年增长14.5%，进出口总额242.3亿美元。"
    result = Pipeline().run_text(text)
    infos = [result.links.info[c.id] for c in result.claims]
    assert len(infos) == 3 and infos[0].sentence > 256 and infos[0].paragraph > 256
    assert all(i.sentence is infos[0].sentence and i.paragraph is infos[0].paragraph for i in infos)
    assert infos[0].paragraph == 300 and infos[0].sentence == 600   # 。 and the line's end each end one


def test_positions_are_kept_in_four_bytes_and_eight_where_they_do_not_fit():
    """Linking keeps a few positions per claim and per clause: in arrays of 4 bytes each,
    where lists held an int object of 32 bytes and a pointer each (and 'q' arrays 8)."""
    import numpy as np

    import factcheck.link as link

    text = "全年生产总值14151.3亿元，比上年增长14.5%。" * 50
    bounds = link._Bounds(link._CLAUSE_ENDS, link._bmp_codes(text))
    mentions = link._Mentions.scan(PIPELINE.linker.metric_pattern, text, lambda m: m.group())
    assert bounds.starts.itemsize == 4 and len(bounds.starts) > 50
    assert mentions.starts.itemsize == mentions.ends.itemsize == 4 and len(mentions.starts) == 50
    assert link._int_array(np.array([-1, 5, 2 ** 31 - 1])).itemsize == 4
    wide = link._int_array(np.array([-1, 2 ** 31]))
    assert wide.itemsize == 8 and list(wide) == [-1, 2 ** 31]
    assert link._position_kind(2 ** 31 - 1) == "i" and link._position_kind(2 ** 31) == "q"


@pytest.mark.parametrize("comparison", [
    "三次产业结构由上年的17.9:52.1:30.0调整为16.6:54.6:28.8",
    "全年粮食产量是上年的1.02倍",
    "粮食产量为上年的102%",
    "增速高于上年0.5个百分点",
    "年末存款余额由上年末的1617.7亿元增加到1854.2亿元",
])
def test_last_year_as_a_base_is_not_the_year_of_what_follows(comparison):
    # 上年 in these compares with last year; read as a period of its own it became the
    # year that every 全年 after it resolved to, to the end of the document
    _, by = run(f"2011年全市实现地区生产总值1189.1亿元。{comparison}。\n\n全年社会消费品零售总额482.7亿元。", year=2011)
    assert by["1189.1亿元"].period == "2011"
    assert by["482.7亿元"].period == "2011"


def test_the_base_of_a_change_from_last_year_is_last_years():
    _, by = run("年末存款余额由上年末的1617.7亿元增加到1854.2亿元。", year=2011)
    assert by["1617.7亿元"].period == "2010"


@pytest.mark.parametrize("text,period", [
    ("特别是今年，全省检验检疫3项任务完成。", "2010"),     # 是 without 的 after the year
    ("从去年开始，全省新建学校120所。", "2009"),          # since last year: its period
    ("去年，全省生产总值14151.3亿元。全年进出口242.3亿美元。", "2009"),  # 全年 of 去年
])
def test_a_year_after_these_words_is_still_a_period(text, period):
    result, _ = run(text, year=2010)
    assert result.claims[-1].period == period


@pytest.mark.parametrize("text,shares,yoy", [
    ("年末存款余额1854.2亿元，比年初增加236.5亿元，增长14.6%。", True, False),     # 增长 over 年初 too
    ("年末存款余额1854.2亿元，比年初增加236.5亿元，同比增长14.6%。", False, True),  # its own base
    ("年末存款余额1854.2亿元，比上年增加236.5亿元，增长14.6%。", False, True),     # both year-on-year
    ("年末存款余额1854.2亿元，比2005年增加236.5亿元，年均增长4.6%。", False, False),
])
def test_a_rate_after_a_rate_over_another_base_shares_it(text, shares, yoy):
    result, by = run(text, year=2011)
    info = result.links.info
    growth = next(c for c in result.claims if c.role == "growth")
    assert growth.refers_to == by["1854.2亿元"].id
    assert info[growth.id].shares_base is shares
    assert info[growth.id].yoy is yoy


@pytest.mark.parametrize("text,periods", [
    # a range of months written with 月 twice, or a dash
    ("我局于2010年7月至9月组织抽查523批次产品。", ["2010-07/09"]),
    ("2010年1—6月，全省出口52.3亿美元。", ["2010-01/06"]),
    ("今年1月至6月，全省出口52.3亿美元。", ["2010-01/06"]),
    # one month
    ("9月份，全市居民消费价格同比上涨3.1%。9月末，存款余额4215.3亿元。", ["2010-09", "2010-09"]),
    ("今年上半年，全市进出口总值16707.0亿元。6月份，全市进出口3138.2亿元。", ["2010-01/06", "2010-06"]),
    # a date is no period
    ("2010年7月28日，全省出口52.3亿美元。", [None]),
    ("7月28日，全省出口52.3亿美元。", [None]),
])
def test_months(text, periods):
    result, _ = run(text)
    assert [c.period for c in result.claims] == periods


@pytest.mark.parametrize("text,year", [
    ("今年上半年，全市出口135.9亿元，较2017年压缩63.5%。", None),  # a base is no reference year
    ("2020年全市出口135.9亿元，比2019年增长5.2%。", 2020),
    ("2020年全市出口135.9亿元，与2010年相比增长1.2倍。", 2020),
])
def test_the_reference_year_is_not_a_base(text, year):
    assert infer_reference_year(text) == year


@pytest.mark.parametrize("comparison", [
    "今年上半年，全市出口135.9亿元，去年同期为121.3亿元。",
    "与2010年第六次全国人口普查相比，全市人口减少16.0万人。",
    "全年全市出口135.9亿元，比2005年增长1.2倍。",
    "上半年全市旅游收入恢复至2019年同期的108.3%。",
    "全年全市旅游收入恢复至2019年的112.3%。",
    "上半年全市地区生产总值增长5.8%，比一季度加快0.4个百分点。",
])
def test_a_period_compared_with_is_not_the_period_of_what_follows(comparison):
    # the base's period became the one that every later 全年 was of
    _, by = run(comparison + "\n全年全市接待游客4862.5万人次。", year=2023)
    assert by["4862.5万人次"].period == "2023"


@pytest.mark.parametrize("text,periods", [
    ("今年前11个月，全省出口52.3亿美元。", ["2023-01/11"]),   # 11个月 is the period, not a figure
    ("前2月，全省出口12.3亿美元。", ["2023-01/02"]),
    ("项目用了11个月建成，投资5亿元。", [None, None]),
])
def test_months_to_date(text, periods):
    result, _ = run(text, year=2023)
    assert [c.period for c in result.claims] == periods


def test_a_rate_after_another_metric_in_the_figures_clause_is_not_the_figures():
    # a headline with no comma: 出口增长13.2% is the export's rate, not the trade total's
    result, by = run("上半年深圳外贸进出口1.67万亿元 出口增长13.2%", year=2023)
    assert by["增长13.2%"].refers_to is None and by["增长13.2%"].metric == "export"
    result, by = run("全年进出口总额242.3亿美元比上年增长12.6%。")
    assert by["增长12.6%"].refers_to == by["242.3亿美元"].id


@pytest.mark.parametrize("text,figure,field,expected", [(t, f, "metric", m) for t, f, m in [
    # a quantity named in its own clause by words that are no metric's is not the one an
    # earlier clause named
    ("全年粮食总产量493.9万吨。其中，早稻产量89.6万吨，薯类产量95.3万吨。", "95.3万吨", None),
    ("全年粮食总产量493.9万吨。其中，早稻产量89.6万吨，薯类产量95.3万吨。", "89.6万吨", "early_rice"),
    ("一般公共预算收入15.86亿元，增长8.3%，其中税收收入11.23亿元。", "11.23亿元", None),
    ("一般公共预算收入15.86亿元，增长8.3%，其中税收收入11.23亿元。", "15.86亿元", "fiscal_revenue"),
    ("在第二产业投资中，工业投资380.92亿元。", "380.92亿元", None),
    # words that are no name of a quantity leave it the metric named before
    ("人均地区生产总值27824元，比上年增长13.1%，按年平均汇率折算为4408美元。", "4408美元", "gdp_per_capita"),
    ("年末全市户籍人口549.71万人，其中男性283.15万人。", "283.15万人", "registered_population"),
    ("全年出生人口8.95万人，出生率为8.85‰；死亡人口6.32万人，死亡率为6.25‰；人口自然增长率为2.60‰。",
     "6.32万人", "deaths"),
    # metrics of their own, not the death rate, 早稻, or an age group
    ("全年人口出生率4.11‰，婴儿死亡率为3.1‰。", "3.1‰", "infant_mortality_rate"),
    ("早稻产量89.6万吨，中稻产量152.6万吨，晚稻产量236.8万吨。", "236.8万吨", "late_rice"),
    ("年末全国内地总人口140005万人，其中0—15岁（含不满16周岁）人口24977万人。", "24977万人", "population"),
    # 人口普查 holds 人口 and names no population: the metric named before it, if any
    ("平均每个家庭户的人口为2.76人，比2010年第六次全国人口普查的3.07人减少0.31人。", "3.07人", "household_size"),
    ("与2010年第六次全国人口普查的361.6万人相比，十年共减少16.0万人。", "361.6万人", "population"),
]] + [(t, f, "period", p) for t, f, p in [
    # a stock at the end of the year is of that year
    ("年末全市常住人口1015.6万人，比上年末增加8.3万人。", "1015.6万人", "2023"),
    ("年末全市常住人口1015.6万人，比上年末增加8.3万人。", "增加8.3万人", "2023"),
    ("年底全省金融机构存款余额1854.2亿元。", "1854.2亿元", "2023"),
    ("2022年末全市常住人口1007.3万人。", "1007.3万人", "2022"),
    ("上年末全市常住人口1007.3万人。", "1007.3万人", "2022"),
    # a share right after the base of a comparison is the base's
    ("常住人口城镇化率为59.81%，比上年末（59.27%）提高0.54个百分点。", "59.27%", "2022"),
    ("第三产业增加值比重为28.5%，比上年的27.9%提高0.6个百分点。", "27.9%", "2022"),
    # and a change in points after it qualifies the current rate (c1), not the base
]] + [("第三产业增加值比重为28.5%，比上年的27.9%提高0.6个百分点。", "提高0.6个百分点", "refers_to", "c1")])
def test_what_linking_gives_a_figure(text, figure, field, expected):
    claims = {c.text: c for c in PIPELINE.run_text(text, reference_year=2023).claims}
    assert getattr(claims[figure], field) == expected


@pytest.mark.parametrize("text,role", [
    ("人口自然增长率为2.60‰", "share"),    # births less deaths: a rate of its own
    ("自然增长率-1.2‰", "share"),
    ("人口增长率为0.8%", "growth"),        # the year-on-year growth of the population
    ("出口总额增长率为9.6%", "growth"),
])
def test_natural_growth_rate_is_no_growth_rate(text, role):
    assert PIPELINE.run_text(text).claims[-1].role == role


@pytest.mark.parametrize("text,periods", [
    # a period word in brackets is an aside: the period of its figure, not of the text after
    ("2022年全市生产总值2975.6亿元（上年为2810.2亿元）。全市生产总值增长3.7%。全年出生人口1.14万人。",
     {"2975.6亿元": "2022", "2810.2亿元": "2021", "增长3.7%": "2022", "1.14万人": "2022"}),
    ("2019年全国国内生产总值990865亿元（按2010年不变价计算），比上年增长6.1%。全年粮食产量66384万吨。",
     {"990865亿元": "2019", "增长6.1%": "2019", "66384万吨": "2019"}),
    ("2022年全市生产总值2975.6亿元（2021年全市生产总值为2810.2亿元）。全年出生人口1.14万人。",
     {"2975.6亿元": "2022", "2810.2亿元": "2021", "1.14万人": "2022"}),
])
def test_a_period_in_brackets_is_an_aside(text, periods):
    claims = {c.text: c.period for c in PIPELINE.run_text(text, reference_year=2022).claims}
    assert {t: claims[t] for t in periods} == periods


def test_the_bound_of_an_age_group_in_its_brackets_is_no_figure():
    text = "年末全国内地总人口140005万人，其中0—15岁（含不满16周岁）人口24977万人。"
    assert [c.text for c in PIPELINE.run_text(text).claims] == ["140005万人", "24977万人"]


@pytest.mark.parametrize("text,subjects", [
    # a place the list does not name, by its shape (rules/places.yaml: unnamed_places)
    ("分市看，合肥市常住人口城镇化率达到85.28%，居全省首位。", ["合肥市"]),
    ("2021年南京市地区生产总值16355亿元，三亚市地区生产总值800亿元。", ["南京市", "三亚市"]),
    ("达州市地区生产总值2000亿元。\n杭州市地区生产总值18109亿元。", ["达州市", "杭州市"]),
    ("其中，南山区进出口总额2786.5亿元。", ["南山区"]),
    ("，甘孜州地区生产总值100亿元。", ["甘孜州"]),
    ("，宁波市全年地区生产总值100亿元。", ["宁波市"]),          # a gap before the metric's name
    ("2021年成都市地区生产总值19917亿元。", ["成都"]),            # a listed place as before
    # no places
    ("年末全市常住人口1000万人。", ["全市"]),
    ("二是县域经济增长8%。", [None]),
    ("，县级市地区生产总值100亿元。", [None]),
    ("，东部地区生产总值100亿元。", [None]),
    ("，大中城市地区生产总值1亿元。", [None]),
    ("一是市场销售额100亿元。", [None]),
    ("，农贸市场地区生产总值1亿元。", [None]),                   # 市场 is no 市
    ("，合肥市位居前列，地区生产总值12000亿元。", [None]),        # not before a metric's name
])
def test_a_place_the_list_does_not_name_is_a_subject_by_its_shape(text, subjects):
    result, _ = run(text)
    assert [c.subject for c in result.claims] == subjects


def test_a_citys_rate_is_not_weighed_against_the_provinces_figures():
    """Round 6's false error: 合肥市's 城镇化率 had no subject, so it was the province's and
    weighed against its 城镇人口 / 常住人口."""
    from factcheck.checks import run_checks

    text = ("2022年末全省常住人口6127.00万人，其中城镇常住人口3664.56万人，常住人口城镇化率为59.81%。"
            "分市看，合肥市常住人口城镇化率达到85.28%，居全省首位。")
    result = PIPELINE.run_text(text)
    assert [c.subject for c in result.claims if c.text == "85.28%"] == ["合肥市"]
    assert run_checks(result) == []


@pytest.mark.parametrize("text,subjects", [
    # a news agency's dateline says where the story was filed, not what its figures are of
    ("新华社北京1月17日电（记者 王希）国家统计局17日发布数据，2019年我国国内生产总值990865亿元。", [None]),
    ("新华社成都1月17日电 四川2019年地区生产总值46615.8亿元。", ["四川"]),
    ("北京1月17日地区生产总值1000亿元。", ["北京"]),     # a place and a date, no 电
])
def test_a_datelines_place_is_no_subject(text, subjects):
    result, _ = run(text)
    assert [c.subject for c in result.claims] == subjects


@pytest.mark.parametrize("word", ["只及", "仅及", "不及"])
def test_a_year_compared_with_dates_no_figure_after_it(word):
    """惟只及2018年6,514.8万人次的52.2%: 2018 is the comparison's, and the 2023 visitors
    listed after it were dated 2018."""
    text = (f"2023年全年访港旅客达3,399.9万人次，惟{word}2018年6,514.8万人次的52.2%。"
            "其中内地旅客2,670.3万人次，占整体的78.5%。")
    periods = {c.text: c.period for c in Pipeline().run_text(text).claims}
    assert periods["6,514.8万人次"] == "2018"
    assert periods["2,670.3万人次"] == periods["3,399.9万人次"] == "2023"


@pytest.mark.parametrize("text, metric", [
    ("人均进出口总额2.1万美元", None),           # per head: not the city's trade
    ("按年末常住人口计算，人均财政收入为1881元", None),
    ("户均进出口总额3万美元", None),
    ("人均可支配收入20000元", "disposable_income"),   # a metric's own name
    ("人均地区生产总值20379元", "gdp_per_capita"),
    ("进出口总额242.3亿美元", "trade_total"),
])
def test_a_figure_per_head_is_not_of_the_total(text, metric):
    """After the total, as a bulletin states them."""
    claims = Pipeline().run_text("2022年全市进出口总额242.3亿美元，财政收入1152.76亿元。" + text).claims
    assert [c.metric for c in claims[:2]] == ["trade_total", "fiscal_revenue"]
    assert claims[2].metric == metric


def test_a_breakdown_by_quarter_dates_its_own_sentence_only():
    """分季度看…四季度增长5.3%。分产业看，第一产业增加值…: the industries are the year's
    (they were the fourth quarter's, and the sum of the year's GDP never weighed); a month
    stated on its own (从月度看，12月当月…) is the whole sentence's."""
    text = ("2023年全市生产总值1034.6亿元，增长5.1%。分季度看，一季度增长4.5%，二季度增长5.2%，"
            "三季度和四季度分别增长5.0%和5.3%。分产业看，第一产业增加值101.2亿元，增长3.1%；"
            "第二产业增加值402.3亿元，增长4.2%；第三产业增加值531.1亿元，增长6.2%。"
            "从月度看，12月当月全市进出口271.3亿元，同比增长13.6%，其中出口205.6亿元，进口65.7亿元。")
    periods = {c.text: c.period for c in Pipeline().run_text(text, reference_year=2023).claims}
    assert periods["增长4.5%"] == "2023-01/03" and periods["5.3%"] == "2023-10/12"
    assert periods["101.2亿元"] == periods["531.1亿元"] == periods["增长6.2%"] == "2023"
    assert periods["271.3亿元"] == periods["65.7亿元"] == "2023-12"


def test_an_earlier_year_said_by_the_way_dates_its_figure_only():
    """…；2021年为42071.6亿元。按全省年末常住人口6128万人计算: the population is 2022's (it
    was 2021's, as was every figure up to the next year named)."""
    text = ("2022年全省地区生产总值为45045.8亿元，比上年增长3.5%；2021年为42071.6亿元。"
            "按全省年末常住人口6128万人计算，人均R&D经费为1881元。")
    periods = {c.text: c.period for c in Pipeline().run_text(text).claims}
    assert periods == {"45045.8亿元": "2022", "增长3.5%": "2022", "42071.6亿元": "2021", "6128万人": "2022",
                       "1881元": "2022"}
    series = Pipeline().run_text("2019年为100.5亿元，2020年为110.3亿元，2021年为120.8亿元。", reference_year=2022)
    assert [c.period for c in series.claims] == ["2019", "2020", "2021"]


def test_one_year_before_is_the_same_period_of_the_year_before():
    """较一年前的3.4% (the Hong Kong press): the base of the comparison, 2022's quarter."""
    text = "2023年10月至12月经季节性调整的失业率为2.9%，较一年前的3.4%下跌0.5个百分点。"
    claims = Pipeline().run_text(text).claims
    assert [(c.text, c.period) for c in claims] == [("2.9%", "2023-10/12"), ("3.4%", "2022-10/12"),
                                                    ("下跌0.5个百分点", "2023-10/12")]
    assert claims[2].refers_to == claims[0].id


@pytest.mark.parametrize("text, name", [
    ("普通本专科在校生168.39万人", "普通本专科在校生"),
    ("在园幼儿198.47万人", "在园幼儿"),
    ("在岗职工平均工资8.5万元", "在岗职工平均工资"),
    ("在全省生产总值中，第一产业增加值123.4亿元", "第一产业增加值"),
    ("其他医疗卫生机构1234个", "其他医疗卫生机构"),
    ("其余技术人员56.7万人", "其余技术人员"),
    ("其增加值123.4亿元", "增加值"),
])
def test_a_name_keeps_the_first_character_of_its_word(text, name):
    """在 and 其 are cut from a name's start as a preposition and as "its", not from
    在校生 or 其他 (校生 and 他医疗卫生机构 were names)."""
    result = Pipeline().run_text(text)
    assert result.links.info[result.claims[-1].id].name == name
