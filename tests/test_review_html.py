"""The HTML report, read back with an HTML parser: the raw text whole, every claim marked
over exactly raw[start:end], everything escaped, nothing fetched."""
import json
import os
import re
import time
from html.parser import HTMLParser

import pytest

from conftest import FIXTURES, SEED

CHECKS = FIXTURES / "checks"


class ReportReader(HTMLParser):
    """The text of each `.raw` block, each mark's claim id, classes and text, the JSON data."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.marks: list[dict] = []           # {doc, claim, cls, text}
        self.elements: list[tuple[str, dict]] = []
        self._stack: list[str] = []
        self._in_raw = 0
        self._open_marks: list[dict] = []
        self._doc = None
        self._json = None
        self.data = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "section" and "data-doc" in attrs:
            self._doc = int(attrs["data-doc"])
        if self._in_raw:
            self._in_raw += 1
            if tag == "mark":
                mark = {"doc": self._doc, "claim": attrs.get("data-claim"), "cls": attrs.get("class", ""),
                        "metric": attrs.get("data-metric"), "text": ""}
                self.marks.append(mark)
                self._open_marks.append(mark)
            else:
                self._open_marks.append(None)
        elif tag == "div" and attrs.get("class") == "raw":
            self._in_raw = 1
            self.texts.append("")
        if tag == "script" and attrs.get("id") == "fc-data":
            self._json = ""

    def handle_endtag(self, tag):
        if self._in_raw:
            self._in_raw -= 1
            if self._in_raw and self._open_marks:
                self._open_marks.pop()
        if tag == "script" and self._json is not None:
            self.data = json.loads(self._json)
            self._json = None

    def handle_data(self, data):
        if self._json is not None:
            self._json += data
        if self._in_raw:
            self.texts[-1] += data
            for mark in self._open_marks:
                if mark is not None:
                    mark["text"] += data


def read_report(html: str) -> ReportReader:
    reader = ReportReader()
    reader.feed(html)
    reader.close()
    return reader


def render(*sources, **kwargs):
    from factcheck import analyze
    from factcheck.review.html import render_html

    analysis = analyze(list(sources), **kwargs) if sources else analyze(**kwargs)
    return analysis, render_html(analysis)


def assert_every_claim_marked(analysis, reader):
    for n, doc in enumerate(analysis.documents):
        assert reader.texts[n] == doc.raw.replace("\x00", "\ufffd")
        marks = {}
        for mark in reader.marks:
            if mark["doc"] == n:
                marks.setdefault(mark["claim"], "")
                marks[mark["claim"]] += mark["text"]
        assert set(marks) == {c.id for c in doc.result.claims}
        for claim in doc.result.claims:
            assert marks[claim.id] == doc.raw[claim.start:claim.end] == claim.text


def test_seed_text_whole_and_every_claim_marked():
    analysis, html = render(SEED)
    reader = read_report(html)
    assert_every_claim_marked(analysis, reader)
    assert len(reader.marks) == 306
    assert all(m["cls"] == "fc sev-none" for m in reader.marks)     # the seed has no findings
    claims = reader.data["documents"][0]["claims"]
    gdp = next(c for c in claims.values() if c["text"].startswith("14151.3"))
    assert (gdp["value"], gdp["unit"], gdp["period"], gdp["metric"]) == ("1,415,130,000,000", "CNY", "2009", "gdp")
    # the growth rate qualifying it is linked both ways
    rate_id = next(i for i, c in claims.items() if c["refers_to"] and claims[c["refers_to"]] is gdp)
    assert rate_id in gdp["linked"]
    # a chart compares the stated 2009 GDP with the 2008 GDP its growth rate implies
    assert 'data-metric="gdp"' in html and 'class="pt implied"' in html


def test_marks_coloured_by_the_worst_finding_and_findings_listed_worst_first():
    analysis, html = render(CHECKS / "respectively_fail.hant.txt", CHECKS / "direction_fail.hans.txt")
    reader = read_report(html)
    assert_every_claim_marked(analysis, reader)
    for n, result in enumerate(analysis.results):
        worst = {}
        for finding in result.findings:
            for ids in [finding.claims] + finding.repeats:
                for cid in ids:
                    if worst.get(cid) != "error":
                        worst[cid] = finding.severity
        for mark in (m for m in reader.marks if m["doc"] == n):
            assert mark["cls"] == f"fc sev-{worst.get(mark['claim'], 'none')}"
    items = [a for tag, a in reader.elements if tag == "li" and "data-finding" in a]
    assert [(i["data-doc"], i["data-finding"]) for i in items][:1] == [("0", "f1")]
    assert {i["class"] for i in items} == {"finding sev-warning", "finding sev-error"}
    direction = [i for i in items if i["data-doc"] == "1"]
    assert [i["data-claims"] for i in direction] == [" ".join(f.claims) for f in analysis.results[1].findings]
    data_findings = reader.data["documents"][1]["findings"]
    assert data_findings["f1"]["claims"] == analysis.results[1].findings[0].claims


def test_hostile_text_is_escaped_and_offsets_hold():
    text = ("</script><script>alert(1)</script>\r\n<b>全省</b>出口&amp;总额141.6亿美元。\x00\r\n"
            "2010年出口总额186.5亿美元，比上年增长21.7%。<!-- -->]]>")
    name = '<img src=x onerror="alert(2)">'
    analysis, html = render(text=text, ref_year=2010, name=name)
    reader = read_report(html)
    assert_every_claim_marked(analysis, reader)
    assert "<script>alert" not in html and "<b>全省" not in html and "<img" not in html
    assert html.count("<script") == 2                          # the data and the page's own script
    assert "&#13;" in html and "\x00" not in html
    assert reader.data["documents"][0]["path"] == name


def test_nothing_is_fetched():
    _, html = render(CHECKS / "implied_prior_fail.hans.txt")
    reader = read_report(html)
    for tag, attrs in reader.elements:
        for name in ("src", "href", "action", "xlink:href"):
            assert name not in attrs or attrs[name].startswith("#"), (tag, attrs)
    assert "default-src 'none'" in html                    # the page may not fetch anything
    assert not re.search(r"@import|url\(", html)


def test_overlapping_claims_nest_and_crossing_ones_split():
    from factcheck.models import Claim
    from factcheck.review.html import marked_text

    def claim(cid, start, end):
        return Claim(cid, raw[start:end], start, end, 1.0, None, "number", "exact", 1, 1, 0.5, "number")

    raw = "abcdefghij"
    claims = [claim("c1", 1, 6), claim("c2", 2, 4), claim("c3", 5, 9)]
    reader = read_report(f'<section data-doc="0"><div class="raw">{marked_text(raw, claims, {"c2": "error"})}</div>')
    assert reader.texts == [raw]
    texts = {}
    for mark in reader.marks:
        texts[mark["claim"]] = texts.get(mark["claim"], "") + mark["text"]
    assert texts == {"c1": "bcdef", "c2": "cd", "c3": "fghi"}
    assert [m["claim"] for m in reader.marks].count("c3") == 2     # split where it crosses c1's end
    assert next(m for m in reader.marks if m["claim"] == "c2")["cls"] == "fc sev-error"


def test_long_text_comes_in_chunks_cut_outside_claims():
    from factcheck.review.html import CHUNK_CHARS

    analysis, html = render(text=("面积48.5万平方公里。\n" + "无数字的句子。" * 50 + "\n") * 100)
    reader = read_report(html)
    assert_every_claim_marked(analysis, reader)
    chunks = html.count('<div class="chunk">')
    assert chunks >= len(reader.texts[0]) // (CHUNK_CHARS + 400)
    assert chunks > 3


def test_one_megabyte_document(tmp_path, record_property):
    """Measured, not asserted against a clock: the size stays a small multiple of the input."""
    from factcheck import analyze

    seed = SEED.read_text(encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text(seed * -(-2 ** 20 // len(seed.encode("utf-8"))), encoding="utf-8")
    analysis = analyze(big)
    out = tmp_path / "big.html"
    started = time.perf_counter()
    analysis.write_html(str(out))
    seconds = time.perf_counter() - started
    size = os.path.getsize(out)
    record_property("html_seconds", round(seconds, 2))
    record_property("html_bytes", size)
    claims = len(analysis.results[0].claims)
    assert claims > 2000
    assert size < 2.5 * os.path.getsize(big)
    html = out.read_text(encoding="utf-8")
    assert html.count("<mark ") == claims
    assert html.count('<div class="chunk">') > 100          # laid out by the browser a screen at a time


def test_charts_put_computed_values_next_to_stated_ones():
    from factcheck import analyze
    from factcheck.review.chart import charts_of, svg
    from factcheck.review.model import ReviewIndex

    def charts(name):
        result = analyze(CHECKS / name).results[0]
        return result, {(c.metric, c.unit): c for c in charts_of(result, ReviewIndex.of(result).findings)}

    result, found = charts("implied_prior_fail.hans.txt")
    export = found[("export", "USD")]
    finding = result.findings[0]
    implied = [(p.period, p.low, p.high) for p in export.points if p.kind == "implied"]
    expected = [(p.period, p.low, p.high) for p in export.points if p.kind == "expected"]
    assert expected == [("2009", *finding.expected_interval)]
    assert implied[0][0] == "2009" and implied[0][1:] == pytest.approx(finding.expected_interval)
    assert sorted((p.period, p.mid) for p in export.points if p.kind == "stated") == [
        ("2009", 141.6e8), ("2010", 186.5e8)]
    # sum: the parts' sum is drawn at the total
    result, found = charts("sum_fail.hans.txt")
    total = next(f for f in result.findings if f.check == "sum")
    first = next(c for c in result.claims if c.id == total.claims[0])
    points = [p for p in found[(first.metric, first.unit)].points if p.kind == "expected"]
    assert [(p.period, p.low, p.high) for p in points][:1] == [(first.period, *total.actual_interval)]
    # direction's "≥ 0" is a bound, not a value: no point for it
    result, found = charts("direction_fail.hans.txt")
    assert all(p.kind != "expected" for c in found.values() for p in c.points)
    drawing = svg(found[("export", "USD")])
    assert drawing.startswith("<svg") and "<script" not in drawing and drawing.count('class="pt ') == 3


def test_the_html_report_is_written_as_it_is_rendered():
    """The page was rendered whole, copied once more for its surrogates, and every
    claim's data made a dict before it was encoded: writing the report of a
    figure-dense document peaked at 7 times the page's size. Then 4.7 times, with the
    marked text and the data each held whole (and copied to be marked safe); now both
    are made as they are written, 2.9 times."""
    from conftest import writing_peak

    assert writing_peak("factcheck.review.html:write_html") < 4


def test_the_marked_text_in_pieces_is_the_marked_text(pipeline):
    """`marked_pieces` cuts the marked text into pieces of about PIECE_CHARS characters
    of the raw text, wherever the loop over claims stands (inside a mark too): joined,
    they are the text as made whole, on the seed's claims, with overlapping claims."""
    from factcheck.decode import read_input
    from factcheck.models import Claim
    from factcheck.review import html

    raw = read_input(str(SEED)).text
    claims = pipeline.run_text(raw).claims
    claims.append(Claim(id="x1", text=raw[100:400], start=100, end=400, value=1.0, unit=None, dimension="number",
                        qualifier="exact", low=1.0, high=1.0, precision=0.5, role="number"))
    severity = {claims[3].id: "error"}
    original = html.PIECE_CHARS
    try:
        html.PIECE_CHARS = 10 ** 9
        (whole,) = html.marked_pieces(raw, claims, severity)
        for size in (1, 7, 500):
            html.PIECE_CHARS = size
            pieces = list(html.marked_pieces(raw, claims, severity))
            assert "".join(pieces) == whole and len(pieces) >= (len(claims) if size == 1 else 20)
    finally:
        html.PIECE_CHARS = original
    assert whole.count("<mark ") >= len(claims) and 'data-claim="x1"' in whole

