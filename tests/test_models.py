"""The JSON of a claim, written without json's dicts: exactly what json.dumps writes."""
import json
import math

import pytest

from factcheck.models import Claim, DocumentResult, claim_json


def _claim(**changes) -> Claim:
    fields = dict(id="c1", text="14151.3亿元", start=10, end=20, value=1.41513e12, unit="yuan",
                  dimension="currency", qualifier="exact", low=1.415125e12, high=1.415135e12,
                  precision=5e6, role="level", rule=None, metric="GDP", subject="全省", period="2010",
                  refers_to=None)
    fields.update(changes)
    return Claim(**fields)


class _Str(str):
    pass


class _Float(float):
    pass


@pytest.mark.parametrize("changes", [
    {},
    {"value": None, "low": None, "high": None},
    {"value": math.nan},
    {"low": -math.inf, "high": math.inf},
    {"value": -0.0, "precision": 0.0},
    {"value": 1e300, "low": 1e-300, "high": 5e-324},
    {"value": 0.1 + 0.2},
    {"value": 3, "low": 2, "high": 10 ** 30},           # ints where floats usually are
    {"start": 0, "end": 2 ** 70},
    {"text": '引号"反斜杠\\换行\n制表\t'},
    {"text": "控制\x00\x01\x1f\x7f字符"},
    {"text": "𠮷野家\U0001F600 and \u2028\u2029"},
    {"text": "lone \ud800 surrogate"},
    {"text": ""},
    {"metric": True, "subject": False},               # not a claim's type, but json's answer
    {"text": _Str("a str subclass"), "value": _Float(1.5)},
    {"metric": ["a", 1, None], "subject": {"k": 2.5}},
])
def test_a_claims_json_is_json_dumps_of_its_dict(changes):
    claim = _claim(**changes)
    assert claim_json(claim) == json.dumps(claim.to_json(), ensure_ascii=False)


def test_a_documents_line_holds_its_claims_json():
    result = DocumentResult(path="a.txt", sha256="0" * 64, claims=[_claim(), _claim(id="c2", value=math.inf)],
                            errors=["an error"])
    line = result.contract_line()
    assert line == json.dumps(result.to_json(), ensure_ascii=False)
    assert '"value": Infinity' in line


def test_float_texts_are_remembered_without_mixing_equal_keys(monkeypatch):
    """Float texts are kept for the figures met again, but 0.0 and -0.0 (one dict key, two
    texts) and NaN (equal to nothing) are never taken from what was kept; the store is
    bounded."""
    from factcheck import models

    monkeypatch.setattr(models, "_FLOAT_TEXT", {})
    monkeypatch.setattr(models, "_FLOAT_TEXTS", 3)
    values = [0.0, -0.0, 0.0, -0.0, 1.5, 1.5, -1.5, 1e16, 1e16, math.nan, math.nan, math.inf, -math.inf,
              math.inf, 2.5, 3.5, 0.1 + 0.2, 0.30000000000000004, 5e-324]
    for value in values:
        claim = _claim(value=value, low=value, high=-value)
        assert claim_json(claim) == json.dumps(claim.to_json(), ensure_ascii=False), value
    assert 0 < len(models._FLOAT_TEXT) <= 3


# ---- the line as written: in chunks, never whole -------------------------------------

def _document(count: int, findings: int = 0, **kwargs) -> DocumentResult:
    from factcheck.models import Finding

    claims = [_claim(id=f"c{k + 1}", start=k * 20, end=k * 20 + 9, value=float(k), text=f"第{k}个 \ud800")
              for k in range(count)]
    made = [Finding(id=f"f{k + 1}", check="sum", severity="error", message=f"不符 {k} \ud800", claims=["c1"],
                    start=0, end=9, expected_interval=[1.0, None], repeats=[["c2"]]) for k in range(findings)]
    return DocumentResult(path="a\udcff.txt", sha256="0" * 64, claims=claims, findings=made, errors=["an error"],
                          **kwargs)


@pytest.mark.parametrize("count, findings", [(0, 0), (1, 0), (3, 5), (4, 4), (5, 1), (9, 9), (0, 3)])
def test_the_chunks_are_the_line_as_files_hold_it(monkeypatch, count, findings):
    """UTF-8 with each lone surrogate as its escape (what a file opened with
    errors="backslashreplace" holds), claims and findings in pieces of CLAIMS_A_CHUNK;
    with `release_claims`, the claims are let go (the findings stay) and the bytes are
    the same."""
    import io

    from factcheck import models

    monkeypatch.setattr(models, "CLAIMS_A_CHUNK", 4)
    expected = _document(count, findings).contract_line().encode("utf-8", "backslashreplace")
    assert expected.count(b"\\ud800") == count + findings and json.loads(expected)["findings"][:1] == [
        _document(0, 1).findings[0].to_json()][:findings]
    kept = _document(count, findings)
    chunks = kept.contract_chunks()
    assert b"".join(chunks) == expected and len(chunks) == 4 + (count + 3) // 4 + (findings + 3) // 4
    assert len(kept.claims) == count and kept.contract_chunks() is chunks   # encoded once
    released = _document(count, findings)
    claims = released.claims
    assert b"".join(released.contract_chunks(release_claims=True)) == expected
    assert released.claims == [] and all(c is None for c in claims) and len(released.findings) == findings
    written, streamed = io.BytesIO(), _document(count, findings)
    streamed.write_contract(written, release_claims=True)
    assert written.getvalue() == expected and streamed.claims == [] and streamed.encoded is None


WRITE_PEAK = r"""
import io, sys, tracemalloc
from factcheck import models
from factcheck.checks import run_checks
from factcheck.pipeline import Pipeline
from factcheck.report import ContractSpool

text = "\n".join([open("fixtures/checks/consistent_bulletin.hans.txt", encoding="utf-8").read()] * 100)
if sys.argv[1:] == ["varied"]:   # figures that disagree: about 4,500 findings
    sys.path.insert(0, "bench")
    from bench_batch import varied_figures
    text = varied_figures(text)
result = Pipeline().run_text(text)
run_checks(result)
result.text = result.links = None
size = len(result.contract_line().encode("utf-8"))
models.CLAIMS_A_CHUNK = 64   # a chunk a small part of this document's 6,700 claims
spool = ContractSpool()
tracemalloc.start()
spool.add(result)
peak = tracemalloc.get_traced_memory()[1]
print(peak / size, len(result.claims), len(result.findings))
"""


def test_writing_a_document_holds_a_chunk_of_its_line_not_all_of_it():
    """`check --format json` in one process writes a document's line as it is encoded:
    the claims' JSON texts, their join and the line were all held at once, three times
    the line (and a figure-dense document's line is bigger than its claims)."""
    from conftest import python_prints

    share, claims_left, _ = python_prints(WRITE_PEAK).split()
    assert float(share) < 0.4 and claims_left == "0"


def test_writing_a_document_holds_a_chunk_of_its_findings_not_all_of_them():
    """The findings stay with the document (the exit code is theirs) but are encoded a
    chunk at a time too: figure-dense text whose figures disagree has about a finding for
    every two claims, and encoding them at once peaked at 2.2 times the line (0.05 now)."""
    from conftest import python_prints

    share, claims_left, findings = python_prints(WRITE_PEAK, "varied").split()
    assert int(findings) > 3000 and claims_left == "0"
    assert float(share) < 0.4, share


def test_jsonl_is_written_a_line_at_a_time(tmp_path):
    """The JSON lines of every claim were joined into one text, and the claims' dicts
    all made first: now a line at a time (the output is the same, line for line)."""
    from conftest import python_prints

    code = r"""
import json, sys, tracemalloc
from factcheck.pipeline import Pipeline
from factcheck.report import claim_rows, write

text = open("fixtures/checks/consistent_bulletin.hans.txt", encoding="utf-8").read()
result = Pipeline().run_text("\n".join([text] * 60))
tracemalloc.start()
write([result], "jsonl", sys.argv[1])
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert [json.loads(line) for line in lines] == claim_rows([result])
print(peak / sum(map(len, lines)))
"""
    assert float(python_prints(code, str(tmp_path / "claims.jsonl"))) < 0.3


def test_the_claims_frame_is_made_a_column_at_a_time_as_from_rows():
    """`claims_frame` reads the claims' attributes a column at a time: the frame the
    rows (`claim_rows`) give, value for value and type for type."""
    from factcheck.pipeline import Pipeline
    from factcheck.report import CLAIM_COLUMNS, claim_rows, claims_frame, typed_frame

    pipeline = Pipeline()
    results = [pipeline.run_path(path) for path in ("fixtures/sichuan_quality_interview_2010.txt",
                                                     "fixtures/checks/consistent_bulletin.hant.txt")]
    results.append(DocumentResult(path="empty.txt"))
    results.append(DocumentResult(path="a\udcff.txt", claims=[_claim(text="lone \ud800"), _claim(value=None)]))
    dtypes = {"start": "Int64", "end": "Int64", "value": "Float64", "low": "Float64", "high": "Float64",
              "precision": "Float64"}
    from_rows = typed_frame(claim_rows(results), CLAIM_COLUMNS, dtypes)
    frame = claims_frame(results)
    assert list(frame.columns) == CLAIM_COLUMNS and len(frame) == sum(len(r.claims) for r in results) > 300
    assert frame.dtypes.equals(from_rows.dtypes) and frame.equals(from_rows)
    assert frame["path"].iloc[-1] == "a\\udcff.txt" and frame["text"].iloc[-2] == "lone \\ud800"


def test_a_documents_finding_rows_come_one_at_a_time_and_let_each_finding_go():
    """`document_finding_rows(result, release=True)`: the rows of `finding_rows`, each
    finding set to None in the document once its row is made (on figure-dense text whose
    figures disagree, the findings and their rows together were a worker's peak, until
    the worker packed each finding's row as `checks.checked_findings` made it)."""
    from factcheck.checks import run_checks
    from factcheck.pipeline import Pipeline
    from factcheck.report import document_finding_rows, finding_rows

    result = Pipeline().run_path("fixtures/checks/implied_prior_fail.hans.txt")
    run_checks(result)
    result.findings.append(result.findings[0].__class__(id="f9", check="sum", severity="warning", message="m",
                                                         claims=["c1", "not-a-claim"], start=0, end=1))
    expected = finding_rows([result])
    assert len(expected) >= 2 and expected[-1]["claim_texts"] == f"{result.claims[0].text} | not-a-claim"
    rows = document_finding_rows(result, release=True)
    first = next(rows)
    assert first == expected[0] and result.findings[0] is None and result.findings[1] is not None
    assert [first, *rows] == expected and all(f is None for f in result.findings)


# ---- findings made as they are written (`check --format json`) -------------------------

def _coming(findings, fail_after=None):
    for k, finding in enumerate(findings):
        if k == fail_after:
            raise ZeroDivisionError("a bug")
        yield finding


@pytest.mark.parametrize("made, to_come", [(0, 0), (0, 5), (2, 3), (3, 0), (0, 9)])
def test_findings_to_come_are_written_after_those_made_with_their_severities(monkeypatch, made, to_come):
    """A document whose findings are still to be made writes the line it would with them
    all made, in chunks, and keeps only their severities."""
    import io

    from factcheck import models

    monkeypatch.setattr(models, "CLAIMS_A_CHUNK", 4)
    whole = _document(3, made + to_come)
    for k, finding in enumerate(whole.findings):
        finding.severity = ("info", "warning", "error")[k % 3]
    expected = whole.contract_line().encode("utf-8", "backslashreplace")
    for write in ("chunks", "file", "line", "dict"):
        streamed = _document(3)
        streamed.findings, streamed.findings_to_come = whole.findings[:made], _coming(whole.findings[made:])
        if write == "chunks":
            got = b"".join(streamed.contract_chunks(release_claims=True))
        elif write == "file":
            out = io.BytesIO()
            streamed.write_contract(out, release_claims=True)
            got = out.getvalue()
        elif write == "line":
            got = streamed.contract_line().encode("utf-8", "backslashreplace")
        else:
            assert streamed.to_json() == whole.to_json() and streamed.findings == whole.findings
            continue
        assert got == expected, write
        assert streamed.findings == whole.findings[:made] and streamed.findings_to_come is None
        assert streamed.severities() == {f.severity for f in whole.findings}
        assert streamed.streamed_severities == {f.severity for f in whole.findings[made:]}


def test_a_finding_that_fails_to_be_made_is_the_documents_error_and_the_line_stays_json():
    whole = _document(2, 5)
    streamed = _document(2)
    streamed.findings_to_come = _coming(whole.findings, fail_after=3)
    line = json.loads(b"".join(streamed.contract_chunks()))
    assert [f["id"] for f in line["findings"]] == ["f1", "f2", "f3"]
    assert line["errors"][0] == "an error" and len(line["errors"]) == 2
    assert "internal error" in line["errors"][1] and "ZeroDivisionError" in line["errors"][1]
    assert streamed.errors == line["errors"] and streamed.severities() == {"error"}


def test_check_in_json_holds_a_chunk_of_the_findings_not_all_of_them(tmp_path, monkeypatch):
    """`check --format json` makes each finding as it writes it: on figure-dense text
    whose figures disagree it held them all (a 1 MB document's 20,798, 19 MB, more than
    its claims) until the document's line was written. Counted while the last findings
    are encoded: the Finding objects alive are those of one chunk at most."""
    import gc
    import sys

    from factcheck import models
    from factcheck.cli import main

    sys.path.insert(0, "bench")
    from bench_batch import varied_figures

    text = open("fixtures/checks/consistent_bulletin.hans.txt", encoding="utf-8").read()
    path = tmp_path / "varied.txt"
    path.write_text(varied_figures("\n".join([text] * 30)), encoding="utf-8")
    encode, alive = models._finding_json, []

    def counted(finding):
        alive.append(sum(type(o) is models.Finding for o in gc.get_objects()) if len(alive) % 400 == 399
                     else None)
        return encode(finding)

    monkeypatch.setattr(models, "_finding_json", counted)
    out = tmp_path / "out.json"
    assert main(["check", "--jobs", "1", "--format", "json", "-o", str(out), str(path)]) == 1
    findings = json.loads(out.read_text(encoding="utf-8"))["documents"][0]["findings"]
    counts = [n for n in alive if n is not None]
    assert len(findings) == len(alive) > 1000 and len(counts) >= 3
    assert max(counts) <= models.CLAIMS_A_CHUNK, counts
