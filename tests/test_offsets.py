"""The offset map held as runs gives what the array of every position gave."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.normalize import normalize
from factcheck.offsets import OffsetMap

# never-decreasing raw positions: steps of 1 (nothing cut), 0 (an expansion), or more (a cut)
positions = st.lists(st.sampled_from([0, 1, 1, 1, 2, 5]), max_size=60).map(
    lambda steps: np.cumsum([0] + steps, dtype=np.int32)[1:] if steps else np.zeros(0, dtype=np.int32))


@settings(max_examples=500, deadline=None)
@given(positions, st.data())
def test_runs_give_the_positions_an_array_gave(reference, data):
    mapping = OffsetMap.from_positions(reference)
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
    for reference in ([0, 2, 3, 4, 5, 6], [0, 2, 4]):   # runs, and the array kept
        mapping = OffsetMap.from_positions(np.array(reference, dtype=np.int32))
        for outside in (len(reference), -len(reference) - 1):
            with pytest.raises(IndexError):
                mapping[outside]
        with pytest.raises(IndexError):
            mapping[np.array([0, len(reference)])]


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


def test_normalizing_an_annotated_text_peaks_at_a_few_bytes_a_character():
    """tracemalloc counts numpy's arrays too, the same on every run: normalizing the
    seed's kind of text (an annotation every few characters) held about 13 bytes a raw
    character at its peak when it kept an array of every position and the unfolded code
    points through its rounds; about 9 now."""
    import tracemalloc

    text = "全年生产总值增長(zhǎng)14.5%，進(jìn)出口總額(é)242.3億(yì)美元。\n" * 8000
    normalize(text)   # every character seen: the lookup tables are filled
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        doc = normalize(text)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert doc.norm.count("14.5") == 8000
    assert peak < 10.5 * len(text), peak / len(text)
