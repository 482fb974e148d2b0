"""Linking and the checks take work linear in the text, also where the text has no full
stop or no clause mark (a table flattened into one line, a crawler's page of rates).

Work is counted, not timed: the lines of linking and of the checks that run, traced
with sys.settrace, for a text and for the same text twice as long. Quadratic work
makes the count four times as large; linear work, twice. Before the fixes these
shapes took hours on 2 MB: each rate walked back over every claim of its "sentence",
each 其中 took every later figure of it as a part, each rate's clause was read back to
the start of the text, each 去年同期为X walked back over every earlier one.
"""
import sys
from pathlib import Path

import pytest

from factcheck.checks import load_config, run_checks
from factcheck.pipeline import Pipeline

PACKAGE = Path(__file__).resolve().parent.parent / "factcheck"
COUNTED = (str(PACKAGE / "link.py"), str(PACKAGE / "checks"))

SHAPES = {
    "rates without a figure": "增长5%，",
    "percentage points": "提高2个百分点，",
    "comparisons with last year": "比上年的900亿元增长11%，",
    "no clause marks": "出口150亿美元增长20%进口120亿美元下降3%占比45%",
    "其中 without a full stop": "全省GDP 1000亿元，其中第一产业100亿元，第二产业500亿元，",
    "shares": "出口150亿美元，占全省的45%，",
    "same period last year": "去年同期为120亿美元，",
}


@pytest.fixture(scope="module")
def pipeline_and_config():
    pipeline = Pipeline()
    return pipeline, load_config(pipeline.rules)


def lines_run(pipeline, config, text: str) -> tuple[int, object]:
    """Lines of linking and the checks executed for `text`, and the result."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(COUNTED) else None

    doc_result = None
    sys.settrace(calls)
    try:
        doc_result = pipeline.run_text(text, reference_year=2010)
        run_checks(doc_result, rules=pipeline.rules, config=config, lang="zh", tolerance=0.0,
                   enabled=None, disabled=[])
    finally:
        sys.settrace(None)
    return count, doc_result


@pytest.mark.parametrize("unit", list(SHAPES.values()), ids=list(SHAPES))
def test_work_grows_linearly_with_text_without_stops(pipeline_and_config, unit):
    pipeline, config = pipeline_and_config
    small, small_result = lines_run(pipeline, config, unit * 300)
    large, large_result = lines_run(pipeline, config, unit * 600)
    assert len(large_result.claims) == 2 * len(small_result.claims) > 0
    assert large < 2.4 * small, f"{small} lines for 300 repeats, {large} for 600"


# shapes whose every repeat states a different figure: n(k) is the k-th repeat
VARIED_SHAPES = {
    # each statement was held against every one before it, since all of them meet
    "one figure stated in ways that all meet": lambda k: f"2010年全省常住人口约{8000 + k % 50}.{k // 50 % 10}{k // 500}万人。",
    # each new high went through every figure of its metric for an earlier period
    "new highs of one figure": lambda k: f"2010年全省常住人口{1000 + 7 * k % 9000}万人，创历史新高。",
}


@pytest.mark.parametrize("shape", list(VARIED_SHAPES.values()), ids=list(VARIED_SHAPES))
def test_work_grows_linearly_where_each_repeat_states_another_figure(pipeline_and_config, shape):
    pipeline, config = pipeline_and_config
    small, small_result = lines_run(pipeline, config, "".join(shape(k) for k in range(300)))
    large, large_result = lines_run(pipeline, config, "".join(shape(k) for k in range(600)))
    assert len(large_result.claims) == 2 * len(small_result.claims) > 0
    assert large < 2.4 * small, f"{small} lines for 300 repeats, {large} for 600"


def test_each_figure_is_a_part_of_one_whole_at_most(pipeline_and_config):
    pipeline, _ = pipeline_and_config
    result = pipeline.run_text(SHAPES["其中 without a full stop"] * 200, reference_year=2010)
    parts = [link.part for link in result.links.parts]
    assert len(parts) == len(set(parts))


def test_a_qizhong_list_ends_at_the_next_qizhong(pipeline_and_config):
    pipeline, _ = pipeline_and_config
    result = pipeline.run_text("全省GDP 1000亿元，其中第一产业100亿元，其中种植业50亿元。", reference_year=2010)
    by_text = {c.id: c.text for c in result.claims}
    pairs = {(by_text[link.part], by_text[link.whole]) for link in result.links.parts}
    assert pairs == {("100亿元", "1000亿元"), ("50亿元", "100亿元")}


def test_a_rates_clause_is_read_back_a_bounded_distance(pipeline_and_config):
    """环比 (month on month) before a rate in its clause makes it no year-on-year rate;
    with no clause mark, the clause is read back CLAUSE_REACH characters at most (the
    reading of the whole text before each rate was the quadratic part, in C)."""
    from factcheck.link import CLAUSE_REACH

    pipeline, _ = pipeline_and_config
    filler = "的" * (CLAUSE_REACH + 10)
    near = pipeline.run_text("出口环比增长5%", reference_year=2010)
    far = pipeline.run_text("出口环比" + filler + "增长5%", reference_year=2010)
    [near_rate], [far_rate] = near.claims, far.claims
    assert near.links.info[near_rate.id].yoy is False
    assert far.links.info[far_rate.id].yoy is True
