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



@pytest.mark.parametrize("args", [c[1] for c in COMMANDS] + [["report", DOC, "--force", "--html"]],
                         ids=[c[0] for c in COMMANDS] + ["report-html"])
def test_a_folder_named_as_the_output_is_refused_before_the_work(tmp_path, args):
    """-o FOLDER said `exists; use --force`, and with --force the run went to its end
    to fail on the rename (`Not a directory`): refused at once now, force or not."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "kept.txt").write_text("precious", encoding="utf-8")
    for extra in ([], ["--force"]):
        target = [str(folder)] if args[0] == "report" else ["-o", str(folder), *extra]
        proc = run(*args, *target)
        assert proc.returncode == 2
        assert proc.stderr == f"factcheck: {folder}: a folder; name the file to write\n"
        assert sorted(os.listdir(folder)) == ["kept.txt"]

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


def _documents(folder, count=3):
    """`count` small documents, each with figures, in `folder`."""
    paths = []
    for n in range(count):
        path = folder / f"doc{n}.txt"
        path.write_text(f"全省生产总值{14151 + n}.3亿元，比上年增长14.{n}%。进出口总额242.3亿美元。", encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_json_contract_written_straight_to_its_output_is_the_same(tmp_path, capsys, jobs):
    """With -o the JSON contract's lines go to the output's temporary file as they come:
    the file is what standard output gets, with ordinary permissions, and nothing else is
    left in its folder."""
    from factcheck.cli import main

    inputs = tmp_path / "in"
    inputs.mkdir()
    paths = _documents(inputs)
    assert main(["check", "--jobs", jobs, "--format", "json", *paths]) == 0
    expected = capsys.readouterr().out
    outputs = tmp_path / "out"
    outputs.mkdir()
    out = outputs / "contract.json"
    assert main(["check", "--jobs", jobs, "--format", "json", "-o", str(out), *paths]) == 0
    assert out.read_text(encoding="utf-8") == expected
    assert len(json.loads(expected)["documents"]) == 3
    assert os.listdir(outputs) == ["contract.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_an_interrupted_json_run_keeps_the_old_output_and_leaves_no_temporary(tmp_path, monkeypatch, capsys):
    from factcheck.cli import main
    from factcheck.pipeline import Pipeline as RealPipeline

    paths = _documents(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "contract.json"
    target.write_text("the previous report", encoding="utf-8")
    seen = []

    def run_path(self, path, *args, **kwargs):
        seen.append(path)
        if len(seen) == 3:   # the lines of the first two are in the temporary file by now
            assert len(os.listdir(out)) == 2
            raise KeyboardInterrupt
        return real_run_path(self, path, *args, **kwargs)

    real_run_path = RealPipeline.run_path
    monkeypatch.setattr(RealPipeline, "run_path", run_path)
    assert main(["check", "--jobs", "1", "--format", "json", "--force", "-o", str(target), *paths]) == 130
    assert capsys.readouterr().err == "factcheck: interrupted; no output written\n"
    assert target.read_text(encoding="utf-8") == "the previous report"
    assert os.listdir(out) == ["contract.json"]


def test_a_json_output_made_by_someone_else_during_the_run_is_kept(tmp_path, monkeypatch, capsys):
    from factcheck.cli import main
    from factcheck.pipeline import Pipeline as RealPipeline

    paths = _documents(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "contract.json"
    real_run_path = RealPipeline.run_path

    def run_path(self, path, *args, **kwargs):
        if path == paths[-1]:
            target.write_text("someone else's", encoding="utf-8")
        return real_run_path(self, path, *args, **kwargs)

    monkeypatch.setattr(RealPipeline, "run_path", run_path)
    assert main(["check", "--jobs", "1", "--format", "json", "-o", str(target), *paths]) == 2
    assert capsys.readouterr().err == f"factcheck: {target}: exists; use --force to overwrite it\n"
    assert target.read_text(encoding="utf-8") == "someone else's"
    assert os.listdir(out) == ["contract.json"]


def _read_in_background(path, got):
    import threading

    def read():
        with open(path, "rb") as handle:   # blocks until a writer opens the pipe
            got.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_output_that_is_a_named_pipe_is_written_into_not_replaced(tmp_path, fmt):
    """-o to a FIFO, /dev/null or /dev/stdout writes into it: renamed over, the node
    itself was replaced by a regular file (as root, /dev/null), and the reader waiting on
    the pipe got nothing."""
    from factcheck.cli import main

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got = []
    reader = _read_in_background(pipe, got)
    assert main(["check", "--jobs", "1", "--format", fmt, "--force", "-o", str(pipe), DOC]) == 0
    reader.join(timeout=10)
    assert got and got[0], "the reader got nothing"
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    if fmt == "json":
        assert json.loads(got[0].decode("utf-8"))["documents"][0]["path"] == DOC
    else:
        assert got[0].decode("utf-8").startswith("path,")
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_output_that_is_a_symbolic_link_updates_the_file_it_names(tmp_path, fmt):
    """The link stays a link; the file it names gets the report, replaced beside itself
    (atomically, as any output); nothing is left in either folder."""
    from factcheck.cli import main

    reports = tmp_path / "reports"
    reports.mkdir()
    target = reports / "2026.out"
    target.write_text("last year's", encoding="utf-8")
    link = tmp_path / "latest.out"
    link.symlink_to(target)
    assert main(["check", "--jobs", "1", "--format", fmt, "--force", "-o", str(link), DOC]) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    text = target.read_text(encoding="utf-8")
    assert text != "last year's" and (text.startswith('{"version"') if fmt == "json" else text.startswith("path,"))
    assert sorted(os.listdir(tmp_path)) == ["latest.out", "reports"] and os.listdir(reports) == ["2026.out"]


def test_an_output_that_is_a_block_device_is_refused(tmp_path, capsys):
    """Written into, a disk would be overwritten: one line, exit 2, the node untouched."""
    from factcheck.cli import main

    disk = tmp_path / "disk"
    try:
        os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(7, 250))
    except (PermissionError, OSError) as exc:   # no CAP_MKNOD here
        pytest.skip(f"cannot make a block device node: {exc}")
    assert main(["check", "--jobs", "1", "--format", "json", "--force", "-o", str(disk), DOC]) == 2
    assert capsys.readouterr().err == f"factcheck: {disk}: a block device: no report is written into a disk\n"
    assert stat.S_ISBLK(os.lstat(disk).st_mode) and os.listdir(tmp_path) == ["disk"]
