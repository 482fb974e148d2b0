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
    "ab", "a", "ü", "ǚ", "x", "(zì)", "(zhǎng)", "(le)", "（ｚｈǎｎｇ）", "?zì)", "?qū)", "(zì)(zì)", "?zì)zì)", "(ab)", ")",
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


def normalized_whole(text):
    """`normalize(text)` described, the whole text at once however long it is."""
    block = normalize_module.BLOCK_CHARS
    normalize_module.BLOCK_CHARS = 1 << 40
    try:
        return described(normalize(text))
    finally:
        normalize_module.BLOCK_CHARS = block


BLOCKY_TEXTS = st.lists(st.one_of(PIECES, st.sampled_from(["\n", "。", "\r\n", "\r", "１，２３４", "2 345", "一 百"]),
                                  st.text(max_size=2)), max_size=80).map("".join)


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(BLOCKY_TEXTS, st.integers(min_value=1, max_value=12))
@example("字(zì)\n字(zì)(zì)\n字?zì)。字(zì)", 3)
@example("增長\r\n(zhǎng)14.5%\n", 2)
@example("１７，４８３\n1\u00a0234\u00a0567。一 百 五", 2)
@example("\u200b\n\u200b\n\u200b\n\u200b", 1)   # blocks that normalize to nothing
@example("㈶\n㈶\n㈶\n㈶", 1)                    # blocks that expand
# a cut far away (`(ī)(`) made another round, which cut the `ì)` the first cut of
# `?ì)ì)` exposed in the whole text but not in its block alone (found by fuzzing)
@example("資(ī)(。?ì)ì)", 1)
# a space inside a figure made by a fold (₉ 一 is 9 一) was cut only in a text that held
# an expansion (㈶) somewhere (found by fuzzing)
@example("㈶。₉ 一", 1)
def test_blocks_give_what_the_whole_text_gives(text, block):
    whole = normalized_whole(text)
    normalize_module.BLOCK_CHARS, kept = block, normalize_module.BLOCK_CHARS
    try:
        assert described(normalize(text)) == whole
    finally:
        normalize_module.BLOCK_CHARS = kept


def test_fixtures_normalize_in_blocks_as_whole(monkeypatch):
    from pathlib import Path

    from factcheck.decode import read_input

    for path in sorted(Path("fixtures").glob("**/*.txt")):
        text = read_input(str(path)).text
        for block in (64, 1000):
            monkeypatch.setattr(normalize_module, "BLOCK_CHARS", block)
            assert described(normalize(text)) == normalized_whole(text), (path, block)


def test_a_long_text_is_normalized_a_block_at_a_time(monkeypatch):
    """Every array of normalizing is a block's: no call sees more of the text than a
    block, where the whole text was one call."""
    seen = []
    real = normalize_module._normalized

    def noting(raw):
        seen.append(len(raw))
        return real(raw)

    monkeypatch.setattr(normalize_module, "_normalized", noting)
    monkeypatch.setattr(normalize_module, "BLOCK_CHARS", 1000)
    line = "2009年全省生产总值14151.3亿元，增長(zhǎng)14.5%。\n"
    text = line * 400
    doc = normalize(text)
    assert sum(seen) == len(text) and max(seen) <= 1000 and len(seen) > 10
    assert doc.norm == normalized_whole(text)[0]
    # a text with no line break nor 。 for a block is cut at the next one
    seen.clear()
    long_line = "，".join(["增長14.5%"] * 600) + "。" + line * 3
    doc = normalize(long_line)
    assert seen[0] == long_line.index("。") + 1 and sum(seen) == len(long_line)
