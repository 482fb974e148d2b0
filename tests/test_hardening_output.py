"""Outputs: written to a temporary file and renamed (an interrupted run never leaves a
truncated report), and an existing output is not overwritten without --force (exit 2,
one line naming the file)."""
import json
import os
import stat
import subprocess
import sys

import pytest

from factcheck import report
from factcheck.models import DocumentResult
from factcheck.pipeline import Pipeline

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "fixtures", "clean_simplified.txt")


def run(*args):
    return subprocess.run([sys.executable, "-m", "factcheck", *args], capture_output=True, text=True, timeout=300)


COMMANDS = [
    ("extract-json", ["extract", DOC, "--format", "json"]),
    ("extract-csv", ["extract", DOC, "--format", "csv"]),
    ("extract-parquet", ["extract", DOC, "--format", "parquet"]),
    ("extract-table", ["extract", DOC]),
    ("check-jsonl", ["check", DOC, "--format", "jsonl"]),
    ("test-json", ["test", os.path.join(ROOT, "fixtures", "clean_simplified.expected.yaml"), "--format", "json"]),
]


@pytest.mark.parametrize("args", [c[1] for c in COMMANDS], ids=[c[0] for c in COMMANDS])
def test_an_existing_output_is_kept_without_force(tmp_path, args):
    out = tmp_path / "out"
    out.write_text("precious", encoding="utf-8")
    proc = run(*args, "-o", str(out))
    assert proc.returncode == 2
    assert proc.stderr == f"factcheck: {out}: exists; use --force to overwrite it\n"
    assert out.read_text(encoding="utf-8") == "precious"
    assert os.listdir(tmp_path) == ["out"]          # no temporary file left behind
    forced = run(*args, "-o", str(out), "--force")
    assert forced.returncode in (0, 1), forced.stderr
    assert out.read_bytes() != b"precious"


def test_a_new_output_needs_no_force(tmp_path):
    out = tmp_path / "claims.json"
    proc = run("extract", DOC, "--format", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == 1


def test_an_output_created_while_writing_is_not_replaced(tmp_path):
    out = tmp_path / "race.json"

    def slow(tmp):
        out.write_text("someone else's", encoding="utf-8")   # appears meanwhile
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write("ours")

    with pytest.raises(report.OutputExists):
        report._atomic_write(str(out), slow, force=False)
    assert out.read_text(encoding="utf-8") == "someone else's"
    assert sorted(os.listdir(tmp_path)) == ["race.json"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("the previous report", encoding="utf-8")

    def interrupted(tmp):
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write("half a rep")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        report._atomic_write(str(out), interrupted, force=True)
    assert out.read_text(encoding="utf-8") == "the previous report"
    assert os.listdir(tmp_path) == ["report.json"]


def test_every_format_goes_through_the_atomic_writer(tmp_path, monkeypatch):
    results = [Pipeline().run_path(DOC)]
    calls = []
    real = report._atomic_write

    def spy(path, write, force=True):
        calls.append(path)
        return real(path, write, force)

    monkeypatch.setattr(report, "_atomic_write", spy)
    for fmt in ("json", "jsonl", "csv", "parquet", "table"):
        for what in ("claims", "findings"):
            out = tmp_path / f"{what}.{fmt}"
            report.write(results, fmt, str(out), what=what)
            assert calls[-1] == str(out) and out.exists()
    report.write_text(str(tmp_path / "t.txt"), "x")
    assert calls[-1] == str(tmp_path / "t.txt")


def test_outputs_get_ordinary_permissions(tmp_path):
    out = tmp_path / "claims.json"
    report.write([DocumentResult(path="x")], "json", str(out))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_an_output_in_a_missing_folder_is_one_line(tmp_path):
    out = tmp_path / "no" / "such" / "claims.json"
    proc = run("extract", DOC, "--format", "json", "-o", str(out))
    assert proc.returncode == 2
    assert proc.stderr == f"factcheck: {out}: No such file or directory\n"
