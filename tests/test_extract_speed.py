"""The shortcuts extraction takes for speed give what the plain way gives.

`Extractor._scan` skips a shape where it cannot match (a text without 第, without a
currency sign...) and scans the 成 shape only in windows around the 成 after a numeral;
`_lead` skips the lead pattern when the character before a number ends no lead word;
figures are judged once per distinct match and context. Each is compared here with the
plain computation on generated text. No timing is asserted.
"""
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import factcheck.extract as extract
from factcheck.extract import Extractor
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
])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=40).map("".join)


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
