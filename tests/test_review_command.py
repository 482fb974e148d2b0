"""`factcheck report`: options, exit codes, one-line errors, outputs written or refused."""
import subprocess
import sys

import pytest

from conftest import FIXTURES, SEED

CHECKS = FIXTURES / "checks"
ERRORS = CHECKS / "direction_fail.hans.txt"
WARN_ONLY = CHECKS / "respectively_fail.hant.txt"


class Ran:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def call(capsys):
    from factcheck.cli import main

    def invoke(*args):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return invoke


def test_all_three_outputs_and_exit_codes(call, tmp_path):
    html, md, xlsx = tmp_path / "r.html", tmp_path / "r.md", tmp_path / "r.xlsx"
    ran = call("report", SEED, "--html", html, "--checklist", md, "--xlsx", xlsx)
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "", "")
    assert html.read_text(encoding="utf-8").count("<mark ") == 306
    assert md.read_text(encoding="utf-8").count("\n- [ ] c") == 306
    assert xlsx.stat().st_size > 0
    assert call("report", ERRORS, "--checklist", tmp_path / "e.md").returncode == 1
    assert call("report", WARN_ONLY, "--checklist", tmp_path / "w.md").returncode == 0
    assert call("report", WARN_ONLY, "--checklist", tmp_path / "w2.md", "--fail-on", "warning").returncode == 1
    assert call("report", ERRORS, "--checklist", tmp_path / "n.md", "--fail-on", "never").returncode == 0


def test_an_output_is_required(call):
    ran = call("report", SEED)
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and "--html" in ran.stderr and "--checklist" in ran.stderr


def test_an_existing_output_is_refused_without_force(call, tmp_path):
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    md.write_text("mine", encoding="utf-8")
    ran = call("report", SEED, "--checklist", md, "--html", html)
    assert ran.returncode == 2 and ran.stderr == f"factcheck: {md}: exists; use --force to overwrite it\n"
    assert md.read_text(encoding="utf-8") == "mine" and not html.exists()   # refused before any work
    assert call("report", SEED, "--checklist", md, "--force").returncode == 0
    assert md.read_text(encoding="utf-8").startswith("# factcheck checklist")
    assert call("report", SEED, "--checklist", md, "--html", md, "--force").returncode == 2


def test_a_bad_input_is_named_and_the_others_still_reported(call, tmp_path):
    missing, binary = tmp_path / "missing.txt", tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    md, xlsx = tmp_path / "r.md", tmp_path / "r.xlsx"
    ran = call("report", missing, ERRORS, binary, "--checklist", md, "--xlsx", xlsx)
    assert ran.returncode == 2
    lines = ran.stderr.splitlines()
    assert len(lines) == 2 and lines[0] == f"factcheck: {missing}: no such file"
    assert lines[1].startswith(f"factcheck: {binary}: ")
    text = md.read_text(encoding="utf-8")
    assert "**error** f1" in text and text.count("Could not be checked") == 2
    import pandas as pd

    documents = pd.read_excel(xlsx, sheet_name="documents")
    assert documents["claims"].tolist()[1] > 0 and documents["errors"].notna().tolist() == [True, False, True]


def test_rules_options_lang_and_ref_year(call, tmp_path):
    md = tmp_path / "en.md"
    assert call("report", ERRORS, "--checklist", md, "--lang", "en", "--fail-on", "never").returncode == 0
    assert "states a rise" in md.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nmetrics: [{id: X}]\n", encoding="utf-8")
    ran = call("report", SEED, "--checklist", tmp_path / "b.md", "--rules", bad)
    assert ran.returncode == 2 and ran.stderr.count("\n") == 1 and str(bad) in ran.stderr
    assert not (tmp_path / "b.md").exists()
    md = tmp_path / "bare.md"
    assert call("report", ERRORS, "--checklist", md, "--no-shipped-rules", "--rules", bad.parent / "none.yaml"
                ).returncode == 2
    ran = call("report", ERRORS, "--checklist", md, "--skip", "direction", "--ref-year", "2011")
    assert ran.returncode == 0 and "reference year 2011" in md.read_text(encoding="utf-8")


def test_help_and_stdin(tmp_path):
    out = subprocess.run([sys.executable, "-m", "factcheck", "report", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and "--xlsx" in out.stdout and "--fail-on" in out.stdout
    md = tmp_path / "in.md"
    out = subprocess.run([sys.executable, "-m", "factcheck", "report", "-", "--checklist", str(md)],
                         input=ERRORS.read_bytes(), capture_output=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert "## \\<stdin\\>" in md.read_text(encoding="utf-8")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_jobs_spread_the_documents_and_write_the_same_outputs(call, tmp_path):
    """`--jobs 2` analyzes the documents in two forked workers: every output is byte for
    byte (the spreadsheet cell for cell) what one process writes, a document that cannot
    be read included."""
    import pandas as pd

    files = [SEED, ERRORS, tmp_path / "missing.txt", WARN_ONLY, *sorted(CHECKS.glob("*.txt"))[:6]]
    outputs = {}
    for jobs in (1, 2):
        html, md, xlsx = (tmp_path / f"r{jobs}.{ext}" for ext in ("html", "md", "xlsx"))
        ran = call("report", *files, "--html", html, "--checklist", md, "--xlsx", xlsx, "--jobs", jobs)
        assert ran.returncode == 2 and ran.stderr == f"factcheck: {tmp_path / 'missing.txt'}: no such file\n"
        outputs[jobs] = (html.read_bytes(), md.read_bytes(),
                         {sheet: pd.read_excel(xlsx, sheet_name=sheet) for sheet in ("claims", "findings", "documents")})
    assert outputs[1][:2] == outputs[2][:2]
    assert all(outputs[1][2][sheet].equals(outputs[2][2][sheet]) for sheet in outputs[1][2])
    assert outputs[2][1].decode("utf-8").count("\n- [ ] c") > 306


def test_jobs_must_be_a_whole_number(call, tmp_path):
    ran = call("report", SEED, "--checklist", tmp_path / "r.md", "--jobs", "0")
    assert ran.returncode == 2 and ran.stderr.count("\n") == 1 and "'0'" in ran.stderr
