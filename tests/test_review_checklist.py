"""The Markdown checklist: findings first, one box per claim by metric and period."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, SEED

CHECKS = FIXTURES / "checks"


def checklist(*sources, **kwargs):
    from factcheck import analyze
    from factcheck.review.checklist import checklist_markdown

    analysis = analyze(list(sources), **kwargs) if sources else analyze(**kwargs)
    return analysis, checklist_markdown(analysis)


def verified_fields(text):
    return len(re.findall(r"^  - verified against: $", text, flags=re.M))


def test_seed_has_one_unchecked_box_per_claim_with_its_sentence():
    analysis, text = checklist(SEED)
    claims = analysis.results[0].claims
    boxes = re.findall(r"^- \[ \] (c\d+) (.*)$", text, flags=re.M)
    assert [cid for cid, _ in boxes] != [c.id for c in claims]          # grouped, not in text order
    assert sorted(cid for cid, _ in boxes) == sorted(c.id for c in claims)
    assert verified_fields(text) == len(claims)
    assert "No findings." in text
    claim = next(c for c in claims if c.text.startswith("14151.3"))
    line = dict(boxes)[claim.id]
    # the figure in bold inside its sentence, and its normalized value and unit on the next line
    assert f"**{claim.text}**" in line
    assert line.index("**") > 0
    block = text[text.index(f"- [ ] {claim.id} "):].split("\n- [ ]")[0]
    assert "`1,415,130,000,000 CNY (exact)`" in block


def test_groups_by_metric_and_period():
    analysis, text = checklist(SEED)
    headings = re.findall(r"^#### (.+?)(?: \(⚠ \w+\))?$", text, flags=re.M)
    assert "gdp — 2009" in headings and "area — (no period)" in headings
    assert headings[-1].startswith("(no metric)")          # claims without a metric come last
    section = text.split("#### gdp — 2009\n")[1].split("\n#### ")[0]
    ids = re.findall(r"^- \[ \] (c\d+)", section, flags=re.M)
    by_id = {c.id: c for c in analysis.results[0].claims}
    assert ids and all(by_id[i].metric == "gdp" and by_id[i].period == "2009" for i in ids)


def test_findings_come_first_worst_first_and_flag_their_claims():
    analysis, text = checklist(CHECKS / "respectively_fail.hant.txt", CHECKS / "direction_fail.hans.txt")
    warn_doc, err_doc = text.split("\n## ")[1:]
    assert "**warning**" in warn_doc
    findings = re.findall(r"^- \[ \] \*\*(\w+)\*\* (f\d+)", err_doc, flags=re.M)
    assert [f for _, f in findings] == ["f1", "f2", "f3"] and {s for s, _ in findings} == {"error"}
    assert err_doc.index("### Findings") < err_doc.index("### Claims")
    assert err_doc.index("**error** f1") < err_doc.index("### Claims")
    result = analysis.results[1]
    flagged = {cid for f in result.findings for cid in f.claims}
    for cid in flagged:
        assert re.search(rf"^- \[ \] {cid} .* — ⚠ error f\d", err_doc, flags=re.M), cid
    # groups with an error come before the others
    headings = re.findall(r"^#### .*$", err_doc, flags=re.M)
    marked = [h.endswith("(⚠ error)") for h in headings]
    assert marked == sorted(marked, reverse=True) and marked[0]
    total = len(result.claims) + len(result.findings)
    assert verified_fields(err_doc) == total


def test_markdown_in_the_source_is_escaped_and_bad_inputs_are_named(tmp_path):
    analysis, text = checklist(text="<b>注意</b> *重点* 面积`48.5万平方公里`|合计[1]")
    line = next(ln for ln in text.splitlines() if ln.startswith("- [ ] c1 "))
    assert r"\<b\>注意\</b\> \*重点\* 面积\`**48.5万平方公里**\`\|合计\[1\]" in line
    _, text = checklist(tmp_path / "gone.txt", SEED)
    assert f"> **Could not be checked:** {tmp_path}/gone.txt: no such file".replace("_", r"\_") in text
    assert "## " + str(SEED).replace("_", r"\_") in text


def test_written_atomically_and_not_over_an_existing_file(tmp_path):
    import pytest

    from factcheck import analyze
    from factcheck.report import OutputExists

    out = tmp_path / "list.md"
    out.write_text("mine", encoding="utf-8")
    analysis = analyze(text="面积48.5万平方公里")
    with pytest.raises(OutputExists):
        analysis.write_checklist(str(out), force=False)
    assert out.read_text(encoding="utf-8") == "mine"
    analysis.write_checklist(str(out))
    assert "**48.5万平方公里**" in out.read_text(encoding="utf-8")


# The specification of the two text helpers, a character at a time: what they did before
# they were made fast, and must still do.
def _escaped_one_by_one(text):
    text = re.sub(r"[\r\n\t\u2028\u2029]+", " ", text.replace("\x00", "\ufffd"))
    return re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)


def _sentence_one_by_one(raw, start, end, reach):
    ends = "。！？!?；;\n\r"
    left, floor = start, max(0, start - reach)
    while left > floor and raw[left - 1] not in ends:
        left -= 1
    right, ceiling = end, min(len(raw), end + reach)
    while right < ceiling and raw[right] not in ends:
        right += 1
    if right < len(raw) and raw[right] in "。！？!?；;":
        right += 1
    return left, right


_CHARACTERS = list("增长14.5%。！？!?；;\n\r\t\u2028\u2029\x00\\`*_[]<>|~ a") + ["\r\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_CHARACTERS), max_size=40).map("".join), st.data())
def test_the_text_helpers_do_what_a_character_at_a_time_did(text, data):
    from factcheck.review.checklist import md_escape
    from factcheck.review.model import sentence_around

    assert md_escape(text) == _escaped_one_by_one(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    reach = data.draw(st.sampled_from([0, 1, 3, 120]))
    assert sentence_around(text, start, end, reach) == _sentence_one_by_one(text, start, end, reach)


def test_the_checklist_is_written_a_line_at_a_time():
    """Its lines and their join were held at once, and the review index made a dict and
    a list for every claim: writing the checklist of a figure-dense document peaked at
    6 times the checklist's own size; now under 2."""
    from conftest import writing_peak

    assert writing_peak("factcheck.review.checklist:write_checklist") < 2


def test_the_review_index_links_only_the_claims_linked():
    from factcheck import analyze
    from factcheck.review.model import ReviewIndex

    result = analyze(SEED).results[0]
    index = ReviewIndex.of(result)
    linked = {c.id for c in result.claims if c.refers_to} | {c.refers_to for c in result.claims if c.refers_to}
    linked |= {cid for f in result.findings for cid in f.claims if len(f.claims) > 1}
    assert set(index.linked) == linked and all(index.linked.values())
    assert len(index.linked) < len(result.claims)
