"""The shortcuts normalization takes for speed give what the plain way gives.

After a round of annotation stripping, the next round looks only at the close parens
near a cut (`_annotation_mask(..., changed)`): compared here with looking at all of
them, on text dense in annotations, doubled ones and mojibake-damaged ones.
"""
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import factcheck.normalize as normalize_module
from factcheck.normalize import normalize

PIECES = st.sampled_from([
    "字", "增長", "了", "的", "们", "个", "(", ")", "（", "）", "?", "zì", "zhǎng", "le", "de", "men", "ge", "yì",
    "ab", "a", "ü", "ǚ", "x", "(zì)", "(zhǎng)", "(le)", "（ｚｈǎｎｇ）", "?zì)", "?qū)", "(zì)(zì)", "(ab)", ")",
    "1", "2.5", "%", "\u200b", " ", "\u00a0", "\n", "，", "。",
])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=2)), max_size=60).map("".join)


def described(doc):
    return (doc.norm, doc.raw_index.tolist(), doc.annotation_starts.tolist(), doc.annotation_ends.tolist())


def with_whole_rounds(text):
    """`normalize(text)` described, with every round of annotation stripping looking at
    the whole text (no shortcut near the cuts)."""
    whole_round = normalize_module._annotation_mask
    normalize_module._annotation_mask = lambda codes, changed=None: whole_round(codes)
    try:
        return described(normalize(text))
    finally:
        normalize_module._annotation_mask = whole_round


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
@example("字(zì)(zì)(zì)(zì)(zì)")
@example("字(zì)?zì)ab)(zǎ)")
@example("增(zēng)(zēng)長(zhǎng)(zhǎng)了(le)(le)")
@example("字(zì)" + "a" * 14 + "ǎ)")
@example("字(zì)(" + "a" * 14 + "ǎ)")   # the longest run there is, right after a cut
@example("字?zì)" + "a" * 14 + "ǎ)")
def test_later_rounds_near_the_cuts_give_what_whole_rounds_give(text):
    assert described(normalize(text)) == with_whole_rounds(text)


def test_the_seed_normalizes_as_with_whole_rounds():
    with open("fixtures/sichuan_quality_interview_2010.txt", encoding="utf-8") as handle:
        text = handle.read()
    assert described(normalize(text)) == with_whole_rounds(text)
