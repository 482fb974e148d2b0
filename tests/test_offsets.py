"""The offset map held as runs gives what the array of every position gave."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.normalize import normalize
from factcheck import offsets
from factcheck.offsets import OffsetMap

# never-decreasing raw positions: steps of 1 (nothing cut), 0 (an expansion), or more (a cut)
positions = st.lists(st.sampled_from([0, 1, 1, 1, 2, 5]), max_size=60).map(
    lambda steps: np.cumsum([0] + steps, dtype=np.int32)[1:] if steps else np.zeros(0, dtype=np.int32))


@settings(max_examples=500, deadline=None)
@given(positions, st.data())
def test_runs_give_the_positions_an_array_gave(reference, data):
    block = data.draw(st.sampled_from([offsets._BLOCK, 1, 2, 3, 7]))   # runs found a block at a time
    small = data.draw(st.sampled_from([0, offsets.SMALL]))   # a short text keeps its array
    kept = offsets._BLOCK, offsets.SMALL
    offsets._BLOCK, offsets.SMALL = block, small
    try:
        mapping = OffsetMap.from_positions(reference)
    finally:
        offsets._BLOCK, offsets.SMALL = kept
    if small and reference.size:
        assert mapping.norm_starts is None
    assert len(mapping) == reference.size
    assert mapping.tolist() == reference.tolist()
    assert [mapping[p] for p in range(reference.size)] == reference.tolist()
    assert list(mapping) == reference.tolist()
    assert mapping[1:-1].tolist() == reference[1:-1].tolist()
    assert np.asarray(mapping).tolist() == reference.tolist()
    if reference.size:
        probe = data.draw(st.lists(st.integers(-reference.size, reference.size - 1), max_size=6))
        assert mapping[np.array(probe, dtype=np.int64)].tolist() == reference[probe].tolist()
        assert mapping[-1] == reference[-1]
    if mapping.norm_starts is not None:
        # as few runs as the positions allow: a run never goes on where the one before ended
        ends = mapping.raw_starts[:-1] + np.diff(mapping.norm_starts)
        assert not (ends == mapping.raw_starts[1:]).any()
        # and never more memory than the array of every position
        assert mapping.norm_starts.nbytes + mapping.raw_starts.nbytes <= reference.size * 4


def test_a_position_outside_the_text_is_refused():
    runs = [0] + list(range(2, offsets.SMALL + 10))   # two runs
    for reference in (runs, [0, 2, 4]):                # and an array kept as it is
        mapping = OffsetMap.from_positions(np.array(reference, dtype=np.int32))
        assert (mapping.norm_starts is None) == (len(reference) == 3)
        for outside in (len(reference), -len(reference) - 1):
            with pytest.raises(IndexError):
                mapping[outside]
        with pytest.raises(IndexError):
            mapping[np.array([0, len(reference)])]
        assert mapping[-1] == reference[-1] and mapping[1] == 2


def test_the_map_costs_its_cuts_not_the_text():
    """Its point: a text with nothing cut out is one run however long, a text with an
    annotation now and then a run for each, and one annotated at every character no
    more than the array."""
    plain = "全年生产总值14151.3亿元，比上年增长14.5%。" * 20000
    assert normalize(plain).raw_index.runs == 1
    annotated = "全年生产总值增長(zhǎng)14.5%。" * 20000
    doc = normalize(annotated)
    assert doc.raw_index.runs == 20000 + 1   # one before the first annotation
    assert doc.raw_index[doc.norm.index("14.5")] == annotated.index("14.5")
    assert doc.raw_index[len(doc.norm) - 1] == len(annotated) - 1
    dense = normalize("長(zhǎng)" * 1000).raw_index
    assert dense.norm_starts is None and dense.tolist() == list(range(0, 8000, 8))


PEAK_CHILD = r"""
import tracemalloc
from factcheck.normalize import normalize

text = "全年生产总值增長(zhǎng)14.5%，進(jìn)出口總額(é)242.3億(yì)美元。\n" * 8000
normalize(text)   # every character seen: the lookup tables are filled
tracemalloc.start()
base = tracemalloc.get_traced_memory()[0]
doc = normalize(text)
peak = tracemalloc.get_traced_memory()[1] - base
assert doc.norm.count("14.5") == 8000
print(peak / len(text))
"""


def test_normalizing_an_annotated_text_peaks_at_a_few_bytes_a_character():
    """tracemalloc counts numpy's arrays too, the same on every run (in a process of its
    own: another test's thread would count too): normalizing the seed's kind of text (an
    annotation every few characters) held about 13 bytes a raw character at its peak when
    it kept an array of every position and the unfolded code points through its rounds,
    about 8 when it took the whole text at once; about 4 a block at a time (the
    normalized text, its pieces, the map and the annotations' spans)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", PEAK_CHILD], capture_output=True, text=True, check=True)
    assert float(out.stdout) < 5.5


_PIECES = ["增長(zhǎng)", "的(de)", "字(zì)(zì)", "\u200b", "\r\n", "1 234", "0 \u200b百", "㈶", "¼ 百", "14.5%",
           "\U00020bb7", "，", "１２，３４５", "長", "a"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join), st.sampled_from([1, 2, 3, 5]))
def test_normalizing_a_block_at_a_time_gives_what_one_block_gives(text, block):
    """Normalizing makes the positions left after a cut, and reads the raw code points
    again, a block of the text at a time: blocks of a few characters give what one block
    of the whole text gives."""
    import factcheck.normalize as normalizing

    whole = normalize(text)
    kept = normalizing._KEPT_BLOCK, normalizing._REREAD_BLOCK, offsets._BLOCK
    normalizing._KEPT_BLOCK = normalizing._REREAD_BLOCK = offsets._BLOCK = block
    try:
        pieces = normalize(text)
    finally:
        normalizing._KEPT_BLOCK, normalizing._REREAD_BLOCK, offsets._BLOCK = kept
    assert pieces.norm == whole.norm
    assert pieces.raw_index.tolist() == whole.raw_index.tolist()
    assert pieces.annotation_starts.tolist() == whole.annotation_starts.tolist()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(positions, st.sampled_from([0, 1, 3]), st.booleans()), max_size=6),
       st.sampled_from([0, 1, 4, offsets.SMALL]))
def test_maps_joined_give_the_map_of_all_their_positions(parts, small):
    """`OffsetMap.joined` (the maps of a text normalized a block at a time) gives what
    `from_positions` gives on all the positions at once: the same positions, kept the
    same way (runs or the array), in the same type."""
    kept = offsets.SMALL
    offsets.SMALL = small
    try:
        maps, shifts, every = [], [], []
        shift = 0
        for part, gap, as_identity in parts:
            if as_identity and part.size:   # a block with nothing cut out
                part = np.arange(part.size, dtype=np.int32)
                maps.append(OffsetMap.identity(part.size))
            else:
                maps.append(OffsetMap.from_positions(part))
            shifts.append(shift)
            every.append(part.astype(np.int64) + shift)
            shift += (int(part[-1]) + 1 if part.size else 0) + gap
        reference = np.concatenate(every) if every else np.zeros(0, dtype=np.int64)
        want = OffsetMap.from_positions(reference)
        got = OffsetMap.joined(maps, shifts)
    finally:
        offsets.SMALL = kept
    assert got.tolist() == reference.tolist()
    assert (got.norm_starts is None) == (want.norm_starts is None)
    assert got.raw_starts.tolist() == want.raw_starts.tolist() and got.raw_starts.dtype == want.raw_starts.dtype
    if want.norm_starts is not None:
        assert got.norm_starts.tolist() == want.norm_starts.tolist()
