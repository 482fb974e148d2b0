"""Extraction against the hand-written expected files in fixtures/, claim by claim."""
from pathlib import Path

import pytest

from factcheck.compare import compare, load_expected
from factcheck.decode import read_input

from conftest import FIXTURES

EXPECTED = sorted(FIXTURES.glob("*.expected.yaml"))


def test_there_are_fixtures_for_every_input_kind():
    names = {p.name.replace(".expected.yaml", "") for p in EXPECTED}
    assert "sichuan_quality_interview_2010" in names
    assert len(names) >= 7


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.replace(".expected.yaml", ""))
def test_fixture_claims(pipeline, expected_path: Path):
    expected = load_expected(expected_path)
    document = FIXTURES / expected["document"]
    result = pipeline.run_path(str(document), expected.get("reference_year"))
    assert result.errors == []
    raw = read_input(str(document)).text
    for entry in expected["claims"]:
        # the expected file itself must point at what it quotes
        assert raw[entry["start"]:entry["start"] + len(entry["text"])] == entry["text"]
    comparison = compare(expected["claims"], result.claims)
    assert comparison.ok, f"{expected['document']}\n{comparison.describe()}"


def test_every_claim_span_quotes_the_raw_text(pipeline):
    for path in sorted(FIXTURES.glob("*.txt")):
        result = pipeline.run_path(str(path))
        raw = read_input(str(path)).text
        for claim in result.claims:
            assert raw[claim.start:claim.end] == claim.text
            assert any(ch.isdigit() or ch in "零〇一二三四五六七八九十百千万亿两兩萬億" for ch in claim.text)


def test_seed_has_both_copies_of_the_interview(pipeline):
    from conftest import SEED

    claims = pipeline.run_path(str(SEED)).claims
    half = len(claims) // 2
    first, second = claims[:half], claims[half:]
    assert [(c.text, c.value, c.unit) for c in first] == [(c.text, c.value, c.unit) for c in second]
    offset = second[0].start - first[0].start
    assert all(b.start - a.start == offset for a, b in zip(first, second))


def test_seed_key_figures(pipeline):
    from conftest import SEED

    by_text = {}
    for claim in pipeline.run_path(str(SEED)).claims:
        by_text.setdefault(claim.text, claim)
    gdp = by_text["14151.3億元"]
    assert (gdp.value, gdp.unit, gdp.metric, gdp.period) == (1415130000000.0, "CNY", "gdp", "2009")
    assert gdp.low == pytest.approx(1415125000000.0) and gdp.high == pytest.approx(1415135000000.0)
    growth = by_text["增長(zhǎng)14.5%"]
    assert (growth.value, growth.role, growth.refers_to) == (14.5, "growth", gdp.id)
    decline = by_text["下降13.9%"]
    assert decline.value == -13.9 and decline.subject == "全国"
    visitors = by_text["近25萬(wàn)人次"]
    assert (visitors.value, visitors.unit, visitors.qualifier) == (250000.0, "person_time", "less_than")
    assert visitors.high == 250000.0
    more = by_text["6.6萬(wàn)余人"]
    assert (more.value, more.qualifier, more.low) == (66000.0, "more_than", 66000.0)
    assert more.high > 66000.0
    assert by_text["200多萬(wàn)"].unit is None
    trade = by_text["239.2億美元"]
    assert trade.period == "2010-01/09"
