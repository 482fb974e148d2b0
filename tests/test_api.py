"""factcheck.analyze: paths and text told apart by keyword, several documents, the frames."""
import os
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, SEED, python_prints

CHECKS = FIXTURES / "checks"
IMPLIED = CHECKS / "implied_prior_fail.hans.txt"


def test_import_factcheck_stays_light():
    code = ("import sys, factcheck; assert callable(factcheck.analyze); "
            "print(sorted(m for m in ('pandas', 'jinja2', 'openpyxl', 'yaml', 'factcheck.pipeline') "
            "if m in sys.modules))")
    # factcheck.analyze is reachable, but nothing heavy is imported until it is called
    assert python_prints(code).strip() == "[]"
    code = "import sys, factcheck; print('pandas' in sys.modules, 'factcheck.api' in sys.modules)"
    assert python_prints(code).split() == ["False", "False"]


def test_path_str_and_pathlike_give_the_same_claims():
    by_str = analyze_one(str(SEED))
    by_path = analyze_one(SEED)
    assert [c.to_json() for c in by_str.result.claims] == [c.to_json() for c in by_path.result.claims]
    assert len(by_str.result.claims) == 306
    raw = by_str.raw
    assert all(raw[c.start:c.end] == c.text for c in by_str.result.claims)
    assert by_str.encoding == "utf-8"


def analyze_one(source):
    from factcheck import analyze

    analysis = analyze(source)
    assert len(analysis.documents) == 1
    return analysis.documents[0]


def test_text_keyword_is_text_and_a_str_is_always_a_path(tmp_path, monkeypatch):
    from factcheck import analyze

    text = "2009年，全省出口总额141.6亿美元。2010年，全省出口总额186.5亿美元，比上年增长21.7%。"
    by_text = analyze(text=text, ref_year=2010)
    assert by_text.documents[0].path == "<text>"
    assert [c.text for c in by_text.results[0].claims] == ["141.6亿美元", "186.5亿美元", "增长21.7%"]
    assert [f.check for f in by_text.results[0].findings] == ["implied_prior"]
    # the same string given as a path is a file name, not text: it is not guessed
    monkeypatch.chdir(tmp_path)
    as_path = analyze(text)
    assert as_path.results[0].claims == []
    assert len(as_path.errors) == 1 and "no such file" in as_path.errors[0]
    assert "text=" in as_path.errors[0]          # a hint, since no file can be named that
    # and a file of that name is read as a file
    Path("notes.txt").write_text("面积48.5万平方公里", encoding="utf-8")
    assert [c.text for c in analyze("notes.txt").results[0].claims] == ["48.5万平方公里"]


def test_several_documents_keep_going_past_a_bad_one(tmp_path):
    from factcheck import analyze

    missing = tmp_path / "missing.txt"
    analysis = analyze([IMPLIED, missing, SEED])
    assert [d.path for d in analysis.documents] == [str(IMPLIED), str(missing), str(SEED)]
    assert analysis.errors == [f"{missing}: no such file"]
    assert len(analysis.results[2].claims) == 306
    assert analysis.failing("error") and analysis.failing("warning") and not analysis.failing("never")
    texts = analyze(text=["增长14.5%", "面积48.5万平方公里"], name="<memo>")
    assert [d.path for d in texts.documents] == ["<memo 1>", "<memo 2>"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_jobs_spread_the_paths_over_processes_with_the_same_results(tmp_path, monkeypatch):
    from factcheck import analyze
    from factcheck import parallel

    spread = []
    pooled = parallel._pooled
    monkeypatch.setattr(parallel, "_pooled", lambda paths, jobs, lost: spread.append(jobs) or pooled(paths, jobs, lost))
    paths = [SEED, IMPLIED, tmp_path / "missing.txt", SEED]
    alone, together = analyze(paths), analyze(paths, jobs=2)
    assert spread == [2]   # and none for jobs=1, the library's default
    assert together.to_json() == alone.to_json()
    assert together.claims_frame().equals(alone.claims_frame())
    assert together.findings_frame().equals(alone.findings_frame())
    assert together.errors == alone.errors == [f"{tmp_path / 'missing.txt'}: no such file"]
    # what the reviewer outputs read came back; what only the checks needed did not
    assert together.documents[0].raw == alone.documents[0].raw
    assert together.results[0].links.info.keys() == alone.results[0].links.info.keys()
    assert together.results[0].text is None and together.results[0].links.rules is None
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError):
            analyze(paths, jobs=bad)


def test_only_and_skip_may_be_any_iterable_and_serve_every_document():
    from factcheck import analyze

    paths = [IMPLIED, CHECKS / "direction_fail.hans.txt"]
    listed = analyze(paths, only=["direction"])
    assert analyze(paths, only=(c for c in ["direction"])).to_json() == listed.to_json()
    assert analyze(paths, skip=iter(["implied_prior"])).to_json() == analyze(paths, skip=["implied_prior"]).to_json()
    assert [f.check for r in listed.results for f in r.findings] == ["direction"] * 3


def test_a_check_that_breaks_is_its_documents_error(monkeypatch):
    """As on the command line: the other documents keep their results."""
    import factcheck.checks as checks
    from factcheck import analyze

    real = checks.run_checks

    def breaks_on_one(result, **kwargs):
        if result.path == str(IMPLIED):
            raise RuntimeError("a bug")
        return real(result, **kwargs)

    monkeypatch.setattr(checks, "run_checks", breaks_on_one)
    analysis = analyze([IMPLIED, SEED])
    assert len(analysis.errors) == 1 and analysis.errors[0].startswith(f"{IMPLIED}: internal error")
    assert "RuntimeError" in analysis.errors[0] and analysis.errors[0].endswith(": a bug")
    assert analysis.results[0].findings == [] and len(analysis.results[1].claims) == 306


def test_bad_arguments_raise():
    from factcheck import analyze

    with pytest.raises(ValueError, match="exactly one"):
        analyze(SEED, text="增长14.5%")
    with pytest.raises(ValueError, match="exactly one"):
        analyze()
    with pytest.raises(TypeError, match="text="):
        analyze([SEED, b"bytes"])
    with pytest.raises(ValueError, match="unknown language"):
        analyze(text="增长14.5%", lang="fr")


def test_frames_columns_and_nullable_dtypes():
    from factcheck import analyze
    from factcheck.report import CLAIM_COLUMNS, FINDING_COLUMNS
    from factcheck.review.frames import DOCUMENT_COLUMNS

    analysis = analyze([IMPLIED, FIXTURES / "no-such-file.txt"])
    claims, findings, documents = analysis.claims_frame(), analysis.findings_frame(), analysis.documents_frame()
    assert list(claims.columns) == CLAIM_COLUMNS
    assert list(findings.columns) == FINDING_COLUMNS
    assert list(documents.columns) == DOCUMENT_COLUMNS
    assert str(claims["start"].dtype) == "Int64" and str(claims["value"].dtype) == "Float64"
    assert str(claims["refers_to"].dtype) == "string"
    assert claims["refers_to"].isna().sum() == 2 and claims.loc[2, "refers_to"] == "c2"
    assert findings.loc[0, "check"] == "implied_prior" and findings.loc[0, "claims"] == "c2 c3 c1"
    assert str(findings["gap"].dtype) == "Float64"
    assert {c: str(t) for c, t in documents.dtypes.items()} == {
        "path": "string", "sha256": "string", "encoding": "string", "reference_year": "Int64",
        "characters": "Int64", "claims": "Int64", "findings": "Int64", "errors_found": "Int64",
        "warnings_found": "Int64", "infos_found": "Int64", "errors": "string"}
    good, bad = documents.iloc[0], documents.iloc[1]
    assert (good["claims"], good["findings"], good["errors_found"], good["characters"]) == (
        3, 1, 1, len(IMPLIED.read_text(encoding="utf-8")))
    assert good["reference_year"] == 2010 and documents["errors"].isna().iloc[0]
    assert bad["claims"] == 0 and documents["sha256"].isna().iloc[1] and "no such file" in bad["errors"]
    # empty results keep the same columns and dtypes
    empty = analyze(text="没有数字").findings_frame()
    assert list(empty.columns) == FINDING_COLUMNS and len(empty) == 0
    assert str(empty["start"].dtype) == "Int64"


def test_rules_options_and_english(tmp_path):
    from factcheck import analyze
    from factcheck.rules import load_rules

    text = IMPLIED.read_text(encoding="utf-8")
    english = analyze(text=text, lang="en").results[0].findings[0].message
    assert english.startswith("'186.5亿美元' with '增长21.7%' implies")
    # only the user's rules: no metric means no implied_prior finding
    rules = tmp_path / "mine.yaml"
    rules.write_text("id: mine\nmetrics:\n  - id: pigs\n    names: [生猪]\n    dimension: count\n"
                     "    examples:\n      - {text: \"生猪3头\", value: 3, unit: head}\n", encoding="utf-8")
    bare = analyze(text=text, rules=rules, shipped_rules=False)
    assert bare.results[0].findings == [] and all(c.metric is None for c in bare.results[0].claims)
    shipped = load_rules()
    assert len(analyze(text=text, rules=shipped).results[0].findings) == 1
    assert analyze(text=text, skip=["implied_prior"]).results[0].findings == []


def test_streamed_file_text_is_read_again_on_demand(tmp_path, monkeypatch):
    import factcheck.pipeline
    from factcheck import analyze

    monkeypatch.setattr(factcheck.pipeline, "STREAM_BYTES", 1000)
    analysis = analyze(SEED)
    doc = analysis.documents[0]
    assert doc._raw is None and len(doc.result.claims) == 306
    assert all(doc.raw[c.start:c.end] == c.text for c in doc.result.claims)
    assert os.path.getsize(SEED) > 1000


def test_streamed_file_counts_its_characters_without_keeping_them(monkeypatch):
    import factcheck.pipeline
    from factcheck import analyze

    monkeypatch.setattr(factcheck.pipeline, "STREAM_BYTES", 1000)
    analysis = analyze(SEED)
    row = analysis.documents_frame().iloc[0]
    assert row["characters"] == len(SEED.read_text(encoding="utf-8")) and row["encoding"] == "utf-8"
    assert analysis.documents[0]._raw is None
