"""The shortcuts extraction takes for speed give what the plain way gives.

`Extractor._scan` skips a shape where it cannot match (a text without 第, without a
currency sign...) and scans the 成 and 分之 shapes only in windows around a 成 or 分之
after a numeral;
`_lead` skips the lead pattern when the character before a number ends no lead word;
figures are judged once per distinct match and context. Each is compared here with the
plain computation on generated text. No timing is asserted.
"""
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import varied_figures

import factcheck.extract as extract
from factcheck.extract import Extractor, _digit_chars, grammar
from factcheck.normalize import normalize
from factcheck.rules import load_rules

RULES = load_rules()
EXTRACTORS = [Extractor(RULES.exclusion_pattern()), Extractor(RULES.exclusion_pattern(), all_numbers=True)]
SETTINGS = dict(deadline=None, max_examples=300,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces that make every shape likely, 成 after numerals above all, and their neighbours.
PIECES = st.sampled_from([
    "成", "成半", "成三", "三成", "七成六", "八点五成", "7.5成", "75成", "12.345成", "半成", "十成", "两成",
    "成为", "成本", "成人", "成功", "左右", "以上", "第", "第一", "百分之", "分之", "折", "九折", "对折", "$", "US$",
    "HK$", "¥", "€", "£", "约", "近", "增长", "下降", "负", "-", "−", "了", "超过", "人民币", "美元", "元", "万", "亿",
    "%", "个", "人", "年", "月", "至", "到", "多", "余", "点", "一", "二", "三", "十", "百", "千", "零", "〇", "两",
    "0", "1", "2", "3", "5", "9", ".", ",", "١", "٣", "५", "A", "x", " ", "，", "。", "\n",
    "/", "3/5", "又", "e5", "^2", "打", "两", "三分之一", "3分之2", "又三分之", " 又 ", "百分之五", "分之一点五",
])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=40).map("".join)


def plain_scan(extractor, text):
    """Every shape over the whole text, as before the shortcuts."""
    found = []
    for priority, (pattern, names) in enumerate(zip(extractor.g.scans, extractor._group_names)):
        found.extend((m.start(), priority, m, names) for m in pattern.finditer(text, timeout=5.0))
    found.sort(key=lambda item: (item[0], item[1]))
    kept, end = [], -1
    for start, _, m, names in found:
        if start >= end:
            kept.append((m, names))
            end = m.end()
    return kept


def described(matches):
    return [(m.span(), m.regs, names) for m, names in matches]


def scanned(extractor, text, block=None):
    """`Extractor._scan` in the plain scan's terms, its spans and priorities checked."""
    out = []
    for start, end, priority, m in extractor._scan(text, block):
        split = extractor.g.splits.get(priority)
        assert m.re in (extractor.g.scans[priority], *((split.common, split.rare) if split else ()))
        assert (start, end) == m.span()
        out.append((m, extractor._group_names[priority]))
    return out


@settings(**SETTINGS)
@given(TEXTS)
@example("三成三成")
@example("比上年7.5成了12.345成为八点五成本")
@example("成" + "1" * 50 + "成")
def test_scan_gives_what_the_plain_scan_gives(text):
    norm = normalize(text).norm
    for extractor in EXTRACTORS:
        plain = described(plain_scan(extractor, norm))
        # in blocks of every size: a match cut by a block's end, a shape's match held for
        # blocks later, blocks with no match
        for block in (None, 1, 2, 5):
            assert described(scanned(extractor, norm, block)) == plain, block


def test_scan_of_the_seed_gives_what_the_plain_scan_gives():
    with open("fixtures/sichuan_quality_interview_2010.txt", encoding="utf-8") as handle:
        norm = normalize(handle.read()).norm
    for extractor in EXTRACTORS:
        plain = described(plain_scan(extractor, norm))
        for block in (None, 97, 4096):
            assert described(scanned(extractor, norm, block)) == plain, block


@settings(**SETTINGS)
@given(st.lists(st.sampled_from(["1", "23", ".", ".5", "5.", ",", ",000", "e5", "^2", "-", "至", "万", "亿", "元",
                                 "%", "个", "多", "左右", "a", " ", "年", "。"]), max_size=30).map("".join))
@example("3-.5万，.5.3万，1,000.5亿元，.5e3吨，x.5万，1.5.5万，.5,000，.5-3-4")
def test_a_split_shape_matches_as_the_shape_where_its_rare_part_matches_nowhere(text):
    for g in (grammar(), grammar(all_numbers=True)):
        assert g.splits
        for priority, split in g.splits.items():
            whole = [(m.span(), m.groups()) for m in g.scans[priority].finditer(text)]
            if split.rare.search(text) is None:
                assert [(m.span(), m.groups()) for m in split.common.finditer(text)] == whole
            # where the shape matches, its common part matches alike, or its rare one starts
            for (start, end), groups in whole:
                common = split.common.match(text, start)
                assert (common and (common.span(), common.groups()) == ((start, end), groups)
                        or split.rare.match(text, start))


@pytest.mark.parametrize("text", [
    "约八点五成，" + "成为" * 30 + "7.25成半左右；两成" + "x" * 40 + "半成",
    "三分之一，" + "分之" * 20 + "二百五十 又 三分之一百二十三点五万左右；3分之2" + "y" * 40 + "1,000又1/2分之3",
])
def test_anchored_windows_hold_every_match(text):
    g = EXTRACTORS[0].g
    assert len(g.anchors) == 2
    matched = 0
    for priority, anchor in g.anchors.items():
        windows = extract.anchored_windows(text, anchor, None)
        assert windows == sorted(windows)
        assert all(end < start for (_, end), (start, _) in zip(windows, windows[1:]))
        for m in g.scans[priority].finditer(text):
            matched += 1
            assert any(start <= m.start() and m.end() <= end for start, end in windows), m
    assert matched >= 3


@settings(**SETTINGS)
@given(TEXTS)
@example("增长12.5%，约三千人次，三成，九折，第1，$5")
def test_a_shape_does_not_match_without_what_it_needs(text):
    norm = normalize(text).norm
    for g in (grammar(), grammar(all_numbers=True)):
        for priority, needs in enumerate(g.needs):
            if needs is None:
                continue
            # every match holds one of the needed strings; without them the shape is skipped
            for m in g.scans[priority].finditer(norm):
                assert any(word in m.group() for word in needs), (priority, m)


def test_digit_and_space_chars_are_what_regex_calls_so():
    import regex
    digits = _digit_chars()
    assert "7" in digits and "٣" in digits and "a" not in digits and "七" not in digits
    for ch in digits:
        assert regex.fullmatch(r"\d", ch, regex.V1)
    spaces = extract._space_chars()
    assert " " in spaces and "\u3000" in spaces and "\n" in spaces and "a" not in spaces and not spaces & digits
    for ch in spaces:
        assert regex.fullmatch(r"\s", ch, regex.V1)


def test_a_scan_past_its_deadline_times_out(monkeypatch):
    monkeypatch.setattr(extract, "MATCH_TIMEOUT", 0.0)
    monkeypatch.setattr(extract, "SCAN_SECONDS_PER_MB", 0.0)
    with pytest.raises(TimeoutError):
        EXTRACTORS[0]._scan("增长三成" * 1000)


@settings(**SETTINGS)
@given(TEXTS)
@example("增长了12%")
@example("出超3亿元")
def test_lead_shortcut_gives_what_the_lead_pattern_gives(text):
    extractor = EXTRACTORS[0]
    norm = normalize(text).norm
    lead = extractor.g.lead
    for start in range(1, len(norm) + 1):
        m = lead.match(norm, max(0, start - extract.LEAD_WINDOW), start)
        if m is not None and m.start() < start:  # a lead: the shortcut must not hide it
            assert norm[start - 1] in extractor.g.lead_ends


# Few pieces, so that one figure comes back with other words around it.
SMALL = st.sampled_from(["12", "5", "3.2", "三", "第一", "个", "%", "G", "A", ".", "-", "x", "约", "增长", "出", "超",
                         "过", "元", "成", "，", "居", "全国", "人", "万", " ", "\n"])


@settings(**SETTINGS)
@given(st.lists(st.lists(SMALL, max_size=8).map("".join), min_size=1, max_size=6))
@example(["5", "G", "个", "居全国第一", "出超过3万元"])
def test_judging_from_the_cache_gives_what_judging_afresh_gives(parts):
    """A figure met again (same match, same context) is judged from the cache: the claims
    of a document that repeats its parts in every order are those found without it."""
    text = "".join(a + b for a in parts for b in parts)
    doc = normalize(text)
    for all_numbers in (False, True):
        warm = EXTRACTORS[all_numbers]
        fresh = Extractor(RULES.exclusion_pattern(), all_numbers=all_numbers)
        fresh.cache_judging = False
        got = [c.to_json() | {"n": (c.norm_start, c.norm_end)} for c in warm.extract(doc)]
        plain = [c.to_json() | {"n": (c.norm_start, c.norm_end)} for c in fresh.extract(doc)]
        assert got == plain


def test_the_time_taken_between_blocks_is_not_the_scans(monkeypatch):
    monkeypatch.setattr(extract, "MATCH_TIMEOUT", 0.3)
    monkeypatch.setattr(extract, "SCAN_SECONDS_PER_MB", 0.0)
    blocks = 0
    for _ in EXTRACTORS[0]._scan_blocks("增长12.5%，" * 30, block=64):
        blocks += 1
        time.sleep(0.15)   # the judging of a block, slower than the whole scan may take
    assert blocks >= 3


def test_the_judging_cache_is_given_up_where_figures_do_not_repeat(monkeypatch):
    """On text whose figures do not repeat, the cache's keys (the text around each match)
    were most of extraction's peak: 8 of 27 MB on 1 MB of figure-dense text. Where fewer
    than one match in eight was met again by a probe (every 4,096 matches), the rest of
    the document is judged afresh; text that repeats keeps its cache. The claims are the
    same either way."""
    dense = open("fixtures/checks/consistent_bulletin.hans.txt", encoding="utf-8").read()
    cached: list[bool] = []
    judge = Extractor._judge

    def recording(self, *args):
        cached.append(args[-1] is not None)
        return judge(self, *args)

    monkeypatch.setattr(Extractor, "_judge", recording)
    repeated = normalize("\n".join([dense] * 120))
    varied = normalize(varied_figures(repeated.norm))
    EXTRACTORS[0].extract(repeated)
    assert len(cached) > 2 * extract._CACHE_PROBE and all(cached[extract._CACHE_FROM:])
    cached.clear()
    got = [c.to_json() | {"n": (c.norm_start, c.norm_end)} for c in EXTRACTORS[0].extract(varied)]
    probe = extract._CACHE_PROBE
    assert all(cached[extract._CACHE_FROM:probe - 1]) and len(cached) > probe and not any(cached[probe:])
    fresh = Extractor(RULES.exclusion_pattern())
    fresh.cache_judging = False
    assert got == [c.to_json() | {"n": (c.norm_start, c.norm_end)} for c in fresh.extract(varied)]


def test_extraction_holds_one_block_of_matches_at_a_time():
    """What extraction allocates and frees again (the scan's match objects above all)
    stays a few bytes a character: on text as dense as the fixtures, holding every match
    of the document at once took 70 bytes a character above the claims."""
    import glob
    import tracemalloc

    from factcheck.decode import read_input

    paths = sorted(p for p in glob.glob("fixtures/*.txt") if "sichuan" not in p)
    text = "\n".join(read_input(p).text for p in paths)
    doc = normalize((text + "\n") * (150_000 // len(text) + 1))
    extractor = EXTRACTORS[0]
    extractor.extract(normalize(text[:2000]))   # what loads on first use
    tracemalloc.start()
    try:
        claims = extractor.extract(doc)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(claims) > 5000
    assert extract.SCAN_BLOCK < len(doc.norm) // 4
    assert (peak - kept) / len(doc.norm) < 10, (peak - kept) / len(doc.norm)


# Exclusion rules run together: the shipped ones, and made-up ones that overlap each other
# (a longer match inside a shorter one's reach, lookbehinds, one that starts inside another).
OVERLAPPING = [r"\d+年\d+", r"(?<!\d)\d{1,2}:\d\d", r"年\d+月", r"\d\d", r"[一二三]+五(?:规划)?", r"五规划?",
               r"(?<=年)\d", r"\d+(?=月)", r"a+b|ab+", r"bcd|c"]
EXCLUSION_PIECES = st.sampled_from([
    "[", "]", " ", "-", "/", ".", ":", "·", "年", "月", "日", "世界", "500", "强", "五位一体", "两个市场", "两种资源",
    "四川", "十分", "之一", "钟", "万一", "十一五", "规划", "GB/T ", "ISO", "https://", "x.cn", "国际", "a", "b", "c", "d",
    "0", "1", "12", "2010", "09", "31", "一", "二", "三", "十", "万", "两两",
])


@settings(**SETTINGS)
@given(st.lists(st.one_of(EXCLUSION_PIECES, st.text(max_size=2)), max_size=40).map("".join),
       st.sampled_from(["shipped", "made-up", "both"]))
@example("2010年10月22日 09:31", "both")
@example("十一五规划", "made-up")
@example("aab", "made-up")
@example("abcd", "made-up")   # bcd begins inside ab and reaches past it: c is found after ab
def test_exclusions_run_together_find_what_their_alternation_finds(text, which):
    import regex

    from factcheck.extract import leftmost_first
    from factcheck.rules import Exclusion, combine_exclusions

    shipped = [rule.pattern for rule in RULES.exclusions]
    sources = {"shipped": shipped, "made-up": OVERLAPPING, "both": OVERLAPPING + shipped}[which]
    alternation = combine_exclusions([Exclusion(id=f"e{n}", pattern=p, ruleset="t", source="t") for n, p in enumerate(sources)])
    expected = [m.span() for m in alternation.finditer(text)]
    assert leftmost_first([regex.compile(p, regex.V1) for p in sources], text, None) == expected


@pytest.mark.parametrize("apart_from", [0, extract.APART_FROM_CHARS])
def test_exclusions_run_together_as_their_alternation_in_extraction(monkeypatch, apart_from):
    """The pipeline's extractor runs the rules together (each alone from APART_FROM_CHARS
    characters on); one given only the alternation runs that: the same spans over the
    seed and the fixtures."""
    from pathlib import Path

    from factcheck.pipeline import Pipeline

    monkeypatch.setattr(extract, "APART_FROM_CHARS", apart_from)
    together = Pipeline(RULES).extractor
    assert together._together
    alone = Extractor(RULES.exclusion_pattern())
    texts = [normalize(p.read_text(encoding="utf-8", errors="replace")).norm
             for p in sorted(Path("fixtures").rglob("*.txt"))]
    texts.append("\n".join(texts))   # every fixture in a text long enough to run them apart
    assert sum(len(together._excluded(t, "x", [])) for t in texts) > 100
    for text in texts:
        assert together._excluded(text, "x", []) == alone._excluded(text, "x", [])
