"""`factcheck batch`: the same claims and findings as `factcheck check`, whatever runs
them (this process, --jobs N, a dask LocalCluster, a dask scheduler + worker on
loopback); tables of documents; failures kept to their document; --resume after a
run that was killed half-way."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import python_prints
from factcheck.batch.tables import PartStore, read_table
from factcheck.cli import main
from factcheck.report import CLAIM_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SMALL = ["clean_simplified.txt", "gb18030_bulletin.txt", "big5_traditional.txt", "utf16_notice.txt",
         "ranges_qualifiers.txt"]
CHECKS = ["sum_fail.hans.txt", "direction_fail.hant.txt", "share_pass.hans.txt", "growth_vs_prior_fail.hans.txt"]
TIMINGS = ["seconds", "extract_seconds", "check_seconds"]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """A folder of documents with a subfolder, and a file the default glob leaves out."""
    docs = tmp_path / "docs"
    (docs / "checks").mkdir(parents=True)
    for name in SMALL:
        shutil.copy(FIXTURES / name, docs / name)
    for name in CHECKS:
        shutil.copy(FIXTURES / "checks" / name, docs / "checks" / name)
    (docs / "notes.md").write_text("增长5%", encoding="utf-8")
    return docs


def batch(*args) -> int:
    return main(["batch", "--no-progress", *map(str, args)])


def tables(out: Path, timings: bool = False) -> dict[str, pd.DataFrame]:
    got = {t: read_table(out, t) for t in ("claims", "findings", "documents")}
    if not timings:
        got["documents"] = got["documents"].drop(columns=TIMINGS)
    return got


def assert_same_tables(a: Path, b: Path, ordered: bool = True) -> None:
    """The same rows; `ordered=False`: the same rows per document (after --resume, the
    documents redone come after the ones kept)."""
    ta, tb = tables(a), tables(b)
    for name in ta:
        x, y = ta[name], tb[name]
        if not ordered:
            x, y = (f.sort_values("path", kind="stable").reset_index(drop=True) for f in (x, y))
        assert list(x["path"]) == list(y["path"]), name
        pd.testing.assert_frame_equal(x, y, check_exact=True, obj=name)


def check_json(paths: list[Path], tmp_path: Path) -> dict:
    out = tmp_path / "check.json"
    main(["check", *map(str, paths), "--format", "json", "--fail-on", "never", "-o", str(out)])
    return json.loads(out.read_text(encoding="utf-8"))


# ---- the same results as `factcheck check` -------------------------------------------


def test_folder_gives_the_claims_and_findings_of_check(corpus, tmp_path):
    out = tmp_path / "out"
    assert batch(corpus, "--out", out, "--jobs", 1) == 0
    got = tables(out)
    files = sorted(corpus.rglob("*.txt"))
    assert sorted(got["documents"]["path"]) == sorted(map(str, files))   # notes.md left out by *.txt
    contract = check_json(files, tmp_path)
    # every column, as the JSON contract of `check` gives it
    expected_claims = sorted(tuple(d["path"] if col == "path" else c[col] for col in CLAIM_COLUMNS)
                             for d in contract["documents"] for c in d["claims"])
    claims = got["claims"].astype(object).where(got["claims"].notna(), None)
    actual_claims = sorted(zip(*(claims[c] for c in CLAIM_COLUMNS)))
    assert actual_claims == expected_claims
    expected_findings = sorted((d["path"], f["id"], f["check"], f["severity"], f["message"], " ".join(f["claims"]))
                               for d in contract["documents"] for f in d["findings"])
    findings = got["findings"]
    actual_findings = sorted(zip(findings["path"], findings["id"], findings["check"], findings["severity"],
                                 findings["message"], findings["claims"]))
    assert actual_findings == expected_findings and len(expected_findings) >= 4
    docs = got["documents"].set_index("path")
    for d in contract["documents"]:
        row = docs.loc[d["path"]]
        assert (row["status"], row["sha256"], row["claims"], row["findings"]) == \
            ("ok", d["sha256"], len(d["claims"]), len(d["findings"]))
        assert row["bytes"] == os.path.getsize(d["path"])


def test_glob_and_csv_output(corpus, tmp_path):
    out = tmp_path / "out"
    assert batch(corpus, "--out", out, "--jobs", 1, "--glob", "checks/*_fail.*.txt", "--csv") == 0
    docs = read_table(out, "documents")
    assert sorted(docs["path"]) == sorted(str(p) for p in corpus.glob("checks/*_fail.*.txt"))
    for name in ("claims", "findings", "documents"):
        csv = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(csv.columns) == list(read_table(out, name).columns)
        assert len(csv) == len(read_table(out, name))
    assert not (out / "parts").exists()


def test_links_to_folders_are_followed_and_each_folder_walked_once(corpus, tmp_path):
    from factcheck.batch.inputs import iter_tasks

    (corpus / "checks" / "up").symlink_to("..")            # a loop: checks/up/checks/up/...
    (corpus / "again").symlink_to(corpus / "checks")       # a second way into checks/
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(FIXTURES / SMALL[0], outside / "elsewhere.txt")
    (corpus / "linked").symlink_to(outside)                # a folder only a link reaches
    paths = [task.path for task in iter_tasks([str(corpus)])]
    names = [os.path.relpath(path, corpus) for path in paths]
    assert len(names) == len(SMALL) + len(CHECKS) + 1
    assert len({os.path.realpath(path) for path in paths}) == len(paths)
    assert "linked/elsewhere.txt" in names
    assert not any(name.startswith("checks/up/") for name in names)
    out = tmp_path / "out"
    assert batch(corpus, "--out", out, "--jobs", 1) == 0
    assert sorted(read_table(out, "documents")["path"]) == sorted(paths)



def test_walking_a_folder_holds_the_names_of_one_folder_and_no_more(tmp_path):
    """Each folder's names are read, sorted and let go; one folder given alone needs no
    set of the paths seen. scandir's entries (each keeping its stat once asked) and the
    set of every path took 950 bytes a file: a folder of a million files, a gigabyte."""
    from factcheck.batch.inputs import iter_tasks

    folder = tmp_path / "flat"
    folder.mkdir()
    for k in range(3000):
        (folder / f"bulletin-{k:05d}.txt").write_text("增长14.5%", encoding="utf-8")
    code = r"""
import sys, tracemalloc
from factcheck.batch.inputs import iter_tasks
tracemalloc.start()
paths = [task.path for task in iter_tasks([sys.argv[1]])]
held = tracemalloc.get_traced_memory()[0]
for task in iter_tasks([sys.argv[1]]):
    pass
peak = tracemalloc.get_traced_memory()[1] - held
print(len(paths), peak / len(paths), paths == sorted(paths))
"""
    count, per_file, ordered = python_prints(code, str(folder)).split()
    assert count == "3000" and ordered == "True" and float(per_file) < 200
    # given with a file inside it, each document still comes once
    twice = [task.path for task in iter_tasks([str(folder), str(folder / "bulletin-00007.txt")])]
    assert len(twice) == 3000 and len(set(twice)) == 3000


def test_pipes_sockets_and_devices_in_a_folder_are_no_documents(corpus, tmp_path):
    """A named pipe nobody writes hung the whole batch (its reader waited for ever); a
    socket or a device is no document either. A link to nothing is one, that failed."""
    from factcheck.batch.inputs import iter_tasks

    os.mkfifo(corpus / "waiting.txt")
    (corpus / "pipe-link.txt").symlink_to(corpus / "waiting.txt")
    (corpus / "zeros.txt").symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(corpus / "socket.txt"))
    except OSError:   # a path too long for a socket: the test goes on without one
        pass
    (corpus / "nowhere.txt").symlink_to(tmp_path / "missing")
    names = {os.path.relpath(task.path, corpus) for task in iter_tasks([str(corpus)])}
    assert not names & {"waiting.txt", "pipe-link.txt", "zeros.txt", "socket.txt"}
    assert "nowhere.txt" in names
    out = tmp_path / "out"
    script = ("import sys; from factcheck.cli import main; "
              f"sys.exit(main(['batch', {str(corpus)!r}, '--out', {str(out)!r}, '--jobs', '1']))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    server.close()
    assert done.returncode == 2, done.stderr   # the link to nothing failed
    docs = read_table(out, "documents")
    assert len(docs) == len(SMALL) + len(CHECKS) + 1
    assert list(docs.loc[docs["status"] == "error", "path"]) == [str(corpus / "nowhere.txt")]


def test_a_second_batch_into_the_same_out_is_refused(corpus, tmp_path, capsys, monkeypatch):
    """Two batches writing one --out (a cron job started again before its last run
    ended) deleted each other's unfinished parts and numbered theirs alike: the folder
    is locked for the whole run, and a second batch stops with one line."""
    import fcntl

    import factcheck.batch.main as batch_main

    out = tmp_path / "out"
    out.mkdir()
    held = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)   # as a running batch holds it
        assert batch(corpus, "--out", out, "--jobs", 1, "--resume") == 2
        assert "another factcheck batch is writing there" in capsys.readouterr().err
        assert not any(out.iterdir())   # nothing written, nothing deleted
    finally:
        os.close(held)
    seen = []
    real_run = batch_main.run

    def run_while_looking(*args, **kwargs):
        probe = os.open(out, os.O_RDONLY)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            seen.append("free")
        except BlockingIOError:
            seen.append("locked")
        finally:
            os.close(probe)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(batch_main, "run", run_while_looking)
    assert batch(corpus, "--out", out, "--jobs", 1) == 0
    assert seen == ["locked"]
    probe = os.open(out, os.O_RDONLY)   # and let go once the run is over
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(probe)


def test_a_full_disk_stops_with_one_line_and_resume_finishes(corpus, tmp_path, capsys, monkeypatch):
    """A part or a table that cannot be written (a full disk) gave a traceback; now one
    line, exit 2, and the parts written before it stay for --resume."""
    import errno

    import factcheck.batch.tables as batch_tables

    real_write = batch_tables._write_parquet
    written = []

    def fills_up(batches, sch, tmp):
        if len(written) >= 3:   # the first part's three files fit
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(tmp)
        real_write(batches, sch, tmp)

    monkeypatch.setattr(batch_tables, "_write_parquet", fills_up)
    out = tmp_path / "out"
    assert batch(corpus, "--out", out, "--jobs", 1, "--_part-docs", 2) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "--resume" in err
    assert "Traceback" not in err
    monkeypatch.setattr(batch_tables, "_write_parquet", real_write)
    assert batch(corpus, "--out", out, "--jobs", 1, "--resume") == 0
    docs = read_table(out, "documents")
    assert len(docs) == len(SMALL) + len(CHECKS) and docs["path"].is_unique


def test_tables_that_cannot_be_put_together_are_put_together_by_resume(corpus, tmp_path, capsys, monkeypatch):
    import errno

    from factcheck.batch.tables import PartStore

    real_assemble = PartStore.assemble

    def full(self, csv=False):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(PartStore, "assemble", full)
    out = tmp_path / "out"
    assert batch(corpus, "--out", out, "--jobs", 1) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "every document is done" in err
    assert (out / "parts").is_dir() and not (out / "documents.parquet").exists()
    monkeypatch.setattr(PartStore, "assemble", real_assemble)
    assert batch(corpus, "--out", out, "--jobs", 1, "--resume") == 0
    assert len(read_table(out, "documents")) == len(SMALL) + len(CHECKS)


@pytest.mark.parametrize("damage", ["cut gzip", "bytes that are not UTF-8"])
def test_a_table_that_breaks_half_way_stops_with_one_line(tmp_path, capsys, damage):
    """A JSON-lines table cut short (a gzip whose end is missing) or with a line that is
    not UTF-8 gave a traceback: its rows before the break are run and kept, the batch
    stops with one line, and --resume goes on once it is fixed."""
    import gzip

    lines = "".join(json.dumps({"text": f"2010年全省生产总值{14000 + i}.3亿元。"}, ensure_ascii=False) + "\n"
                    for i in range(3000)).encode("utf-8")
    if damage == "cut gzip":
        table = tmp_path / "docs.jsonl.gz"
        whole = gzip.compress(lines)
        table.write_bytes(whole[:len(whole) // 2])
    else:
        table = tmp_path / "docs.jsonl"
        table.write_bytes(lines + b'{"text": "\xff\xfe"}\n')
    out = tmp_path / "out"
    assert batch(table, "--out", out, "--jobs", 1, "--_part-docs", 100) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read the jsonl table after its row" in err and "Traceback" not in err
    kept = PartStore(out).done()
    assert kept and all(path.startswith(f"{table}#") for path in kept)

def test_fail_on_gives_1_only_when_asked(corpus, tmp_path):
    assert batch(corpus / "checks", "--out", tmp_path / "a", "--jobs", 1) == 0
    assert batch(corpus / "checks", "--out", tmp_path / "b", "--jobs", 1, "--fail-on", "error") == 1
    assert batch(corpus / "checks" / "share_pass.hans.txt", "--out", tmp_path / "c", "--jobs", 1,
                 "--fail-on", "error") == 0


# ---- tables of documents ---------------------------------------------------------------


def test_tables_of_texts_and_paths(corpus, tmp_path):
    names = ["clean_simplified.txt", "ranges_qualifiers.txt", "checks/sum_fail.hans.txt"]
    texts = {n: (corpus / n).read_text(encoding="utf-8") for n in names}
    pd.DataFrame({"doc": ["A", "B", "C"], "body": list(texts.values())}).to_csv(tmp_path / "t.csv", index=False)
    pd.DataFrame({"body": list(texts.values())}).to_parquet(tmp_path / "t.parquet")
    with open(tmp_path / "t.jsonl", "w", encoding="utf-8") as handle:
        for n in names:
            handle.write(json.dumps({"file": f"docs/{n}"}) + "\n")
        handle.write("\n{broken\n")
    out = tmp_path / "out"
    code = batch(tmp_path / "t.csv", tmp_path / "t.parquet", tmp_path / "t.jsonl", "--out", out, "--jobs", 1,
                 "--text-column", "body", "--path-column", "file", "--id-column", "doc")
    assert code == 2     # the broken JSON line is a failed document
    docs = read_table(out, "documents").set_index("path")
    parquet_rows = [f"{tmp_path / 't.parquet'}#{i}" for i in (1, 2, 3)]   # no id column there: TABLE#ROW
    jsonl_files = [str(tmp_path / "docs" / n) for n in names]
    broken = f"{tmp_path / 't.jsonl'}#5"
    assert list(docs.index) == ["A", "B", "C", *parquet_rows, *jsonl_files, broken]
    assert docs.loc[broken, "status"] == "error" and "not JSON" in docs.loc[broken, "error"]
    claims = read_table(out, "claims")
    columns = ["id", "text", "start", "end", "value", "unit", "metric", "refers_to"]
    by_path = {p: frame[columns].reset_index(drop=True) for p, frame in claims.groupby("path", sort=False)}
    for name, key, row, file in zip(names, ["A", "B", "C"], parquet_rows, jsonl_files):
        assert len(by_path[key]) > 0
        pd.testing.assert_frame_equal(by_path[key], by_path[row])
        pd.testing.assert_frame_equal(by_path[key], by_path[file])
    assert docs.loc["A", "sha256"] == docs.loc[jsonl_files[0], "sha256"]   # the text's UTF-8 bytes


def test_a_table_without_the_columns_is_bad_usage(tmp_path, capsys):
    pd.DataFrame({"content": ["增长5%"]}).to_csv(tmp_path / "t.csv", index=False)
    assert batch(tmp_path / "t.csv", "--out", tmp_path / "out") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "t.csv" in err[0] and "'text'" in err[0] and "content" in err[0]
    assert not (tmp_path / "out").exists()


# ---- failures stay with their document ----------------------------------------------------


def test_failed_documents_keep_the_others(corpus, tmp_path, capsys):
    reference = tmp_path / "reference"
    assert batch(corpus, "--out", reference, "--jobs", 1) == 0
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (corpus / "broken.txt").write_bytes(b"\xef\xbb\xbf" + "增长5%".encode("utf-8") + b"\xff\xfe\xfa")
    (corpus / "zz_bug.txt").write_text("增长5%", encoding="utf-8")
    out = tmp_path / "out"
    capsys.readouterr()
    assert batch(corpus, "--out", out, "--jobs", 1, "--_fault", "raise:zz_bug") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "3 of 12 documents failed" in err[0] and str(out / "documents.parquet") in err[0]
    docs = read_table(out, "documents").set_index("path")
    reasons = {Path(p).name: docs.loc[p, "error"] for p in docs.index if docs.loc[p, "status"] == "error"}
    assert set(reasons) == {"binary.txt", "broken.txt", "zz_bug.txt"}
    assert "binary" in reasons["binary.txt"] and "decode" in reasons["broken.txt"]
    assert "internal error" in reasons["zz_bug.txt"] and "injected fault" in reasons["zz_bug.txt"]
    kept = tables(out)
    ok = set(tables(reference)["documents"]["path"])
    for name, frame in tables(reference).items():
        pd.testing.assert_frame_equal(kept[name][kept[name]["path"].isin(ok)].reset_index(drop=True), frame)


def test_a_worker_that_dies_loses_only_its_document(corpus, tmp_path):
    reference = tmp_path / "reference"
    assert batch(corpus, "--out", reference, "--jobs", 1) == 0
    out = tmp_path / "out"
    assert batch_process(corpus, "--out", out, "--jobs", 2, "--_fault", "exit:gb18030") == 2
    docs = read_table(out, "documents").set_index("path")
    failed = docs[docs["status"] == "error"]
    assert [Path(p).name for p in failed.index] == ["gb18030_bulletin.txt"]
    assert "worker died" in failed["error"].iloc[0]
    want = tables(reference)
    got = tables(out)
    for name in want:
        mask = ~want[name]["path"].str.contains("gb18030")
        pd.testing.assert_frame_equal(got[name][~got[name]["path"].str.contains("gb18030")].reset_index(drop=True),
                                      want[name][mask].reset_index(drop=True))


# ---- --out, --resume, --force -------------------------------------------------------------


def test_a_non_empty_out_needs_resume_or_force(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("x")
    capsys.readouterr()
    assert batch(corpus, "--out", out) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not empty" in err[0] and "--resume" in err[0]
    assert batch(corpus, "--out", out, "--resume", "--force") == 2
    assert batch(corpus, "--out", out, "--jobs", 1, "--force") == 0
    assert (out / "mine.txt").exists() and (out / "claims.parquet").exists()   # --force removes only ours
    assert batch(corpus, "--out", out, "--jobs", 1, "--resume", "--ref-year", "2001") == 2
    assert "other rules or options" in capsys.readouterr().err
    assert batch(tmp_path / "nothing-here", "--out", tmp_path / "o2", "--glob", "*.txt") == 2
    assert batch(corpus / "checks", "--out", tmp_path / "o3", "--glob", "*.csv") == 2
    assert "no documents" in capsys.readouterr().err


def test_resume_after_a_run_killed_half_way(corpus, tmp_path):
    out = tmp_path / "out"
    # --jobs 1 runs in the batch's own process: the fault kills the whole run at the 8th document
    victim = "checks/share_pass"
    proc = subprocess.run([sys.executable, "-m", "factcheck", "batch", str(corpus), "--out", str(out), "--jobs", "1",
                           "--no-progress", "--_part-docs", "2", "--_fault", f"exit:{victim}"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 3
    assert not (out / "claims.parquet").exists()
    store = PartStore(out)
    assert len(store.part_numbers()) == 3          # 6 documents done, in parts of 2
    # as if it had been killed while writing part 4: a claims file without its documents file
    shutil.copy(out / "parts" / "part-000003.claims.parquet", out / "parts" / "part-000004.claims.parquet")
    done_before = store.done()
    assert len(done_before) == 6
    parts = pd.concat([pd.read_parquet(p) for p in sorted((out / "parts").glob("*.documents.parquet"))])
    (corpus / "clean_simplified.txt").write_text("今年增长5%", encoding="utf-8")   # changed since: redone
    assert batch(corpus, "--out", out, "--jobs", 2, "--resume") == 0
    fresh = tmp_path / "fresh"
    assert batch(corpus, "--out", fresh, "--jobs", 1) == 0
    assert_same_tables(out, fresh, ordered=False)
    resumed = read_table(out, "documents").set_index("path")
    changed = str(corpus / "clean_simplified.txt")
    for row in parts.itertuples():      # the rows of the killed run were kept, not made again
        if row.path != changed:
            assert resumed.loc[row.path, "seconds"] == row.seconds
    assert resumed.loc[changed, "claims"] == 1 and resumed.loc[changed, "sha256"] != done_before[changed]
    assert not (out / "parts").exists()


def test_resume_skips_what_is_done(corpus, tmp_path):
    out = tmp_path / "out"
    assert batch(corpus, "--out", out, "--jobs", 1) == 0
    before = read_table(out, "documents").set_index("path")
    (corpus / "checks" / "new.txt").write_text("出口增长5%，进口增长3%", encoding="utf-8")
    assert batch(corpus, "--out", out, "--jobs", 1, "--resume") == 0
    after = read_table(out, "documents").set_index("path")
    assert len(after) == len(before) + 1 and after.index.is_unique
    # the rows of the documents done before were carried over, not made again
    pd.testing.assert_series_equal(after.loc[before.index, "seconds"], before["seconds"])
    fresh = tmp_path / "fresh"
    assert batch(corpus, "--out", fresh, "--jobs", 1) == 0
    assert set(read_table(out, "claims")["path"]) == set(read_table(fresh, "claims")["path"])
    assert len(read_table(out, "claims")) == len(read_table(fresh, "claims"))


# ---- the parser imports lightly ------------------------------------------------------------


def test_the_parser_module_imports_lightly():
    code = ("import sys, factcheck.batch.command; "
            "print([m for m in ('pandas', 'pyarrow', 'dask', 'distributed', 'regex') if m in sys.modules])")
    assert python_prints(code, timeout=60).strip() == "[]"


# ---- dask: a LocalCluster, and a scheduler + worker on loopback ----------------------------


DASK_TIMEOUT = 180   # seconds: a hang fails the test instead of blocking CI


def batch_process(*args, timeout: float = DASK_TIMEOUT) -> int:
    """`factcheck batch` in a child process of its own session, killed with everything
    it started (a LocalCluster's workers) when it takes longer than `timeout`."""
    proc = subprocess.Popen([sys.executable, "-m", "factcheck", "batch", "--no-progress", *map(str, args)],
                            cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        pytest.fail(f"factcheck batch {' '.join(map(str, args))} hung for {timeout} s")
    assert proc.returncode in (0, 1, 2), err.decode()[-2000:]
    return proc.returncode


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def test_dask_local_cluster_matches_local_processes(corpus, tmp_path):
    pytest.importorskip("distributed")
    local = tmp_path / "local"
    assert batch(corpus, "--out", local, "--jobs", 2) == 0
    dask = tmp_path / "dask"
    assert batch_process(corpus, "--out", dask, "--jobs", 2, "--scheduler", "local") == 0
    assert_same_tables(local, dask)
    assert len(read_table(local, "findings")) >= 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Ask, then kill the whole session (a dask worker's nanny starts a process of its own)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    _kill_group(proc)


def test_dask_scheduler_and_worker_on_loopback(corpus, tmp_path):
    pytest.importorskip("distributed")
    from dask.distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = []
    try:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
             "--no-dashboard", "--host", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))
        with Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
        out = tmp_path / "cluster"
        # a table too: its texts travel with the chunks
        pd.DataFrame({"text": ["出口增长5%，进口增长3%"], "id": ["row-1"]}).to_parquet(tmp_path / "t.parquet")
        assert batch_process(corpus, tmp_path / "t.parquet", "--out", out, "--scheduler", address,
                             "--id-column", "id") == 0
        local = tmp_path / "local"
        assert batch(corpus, tmp_path / "t.parquet", "--out", local, "--jobs", 1, "--id-column", "id") == 0
        assert_same_tables(out, local)
        assert "row-1" in set(read_table(out, "claims")["path"])
    finally:
        for proc in reversed(procs):
            _stop(proc)


def test_an_unreachable_scheduler_is_bad_usage(corpus, tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from factcheck.batch import engines

    monkeypatch.setattr(engines, "CONNECT_TIMEOUT", 2.0)   # do not wait 20 s for nobody
    address = f"tcp://127.0.0.1:{_free_port()}"
    assert batch(corpus, "--out", tmp_path / "out", "--scheduler", address) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and address in err[0]
    assert not (tmp_path / "out" / "claims.parquet").exists()


def test_out_inside_an_input_folder_is_not_read_and_progress_is_shown(corpus, tmp_path, capsys):
    out = corpus / "results"
    assert main(["batch", str(corpus), "--out", str(out), "--jobs", "1", "--glob", "*", "--progress"]) == 0
    paths = set(read_table(out, "documents")["path"])
    assert str(corpus / "notes.md") in paths and not any("results" in p for p in paths)
    assert batch(corpus, "--out", out, "--jobs", 1, "--glob", "*", "--resume") == 0
    assert set(read_table(out, "documents")["path"]) == paths     # its own tables were not taken as documents
    err = capsys.readouterr().err
    assert "docs/s" in err and f"{len(paths)} documents" in err and str(out) in err


def test_a_parts_rows_are_written_a_slice_at_a_time(corpus, tmp_path, monkeypatch):
    """A part is written a few thousand rows at a time, a row group each (all of a
    part's arrays at once were the peak of the process that writes it): the tables are
    the same as when each part is written whole."""
    import pyarrow.parquet as pq

    import factcheck.batch.tables as batch_tables
    from factcheck.batch import columns as columns_module

    whole = tmp_path / "whole"
    monkeypatch.setattr(batch_tables, "_PART_ROWS", 10 ** 9)
    assert batch(corpus, "--out", whole, "--jobs", 1) == 0
    groups = []
    real_write = batch_tables._write_parquet

    def noting_groups(batches, sch, tmp):
        real_write(batches, sch, tmp)
        groups.append(pq.ParquetFile(tmp).metadata.num_row_groups)

    monkeypatch.setattr(batch_tables, "_PART_ROWS", 8)
    monkeypatch.setattr(columns_module, "CHUNK", 4)   # a document's rows in chunks of 4 (in this process)
    monkeypatch.setattr(batch_tables, "_write_parquet", noting_groups)
    sliced = tmp_path / "sliced"
    assert batch(corpus, "--out", sliced, "--jobs", 1) == 0
    assert max(groups) > 3
    assert_same_tables(whole, sliced)


ARROW_POOL = r"""
import os, sys
import pyarrow as pa
from factcheck.malloc import arrow_pool_returns_memory

print(arrow_pool_returns_memory(), pa.default_memory_pool().backend_name)
"""


@pytest.mark.parametrize("chosen", ["", "jemalloc"])
def test_the_batch_process_takes_arrow_memory_from_the_system(chosen):
    """Arrow's default pool (mimalloc) kept what it freed; the batch's main process
    uses the system's allocator, unless ARROW_DEFAULT_MEMORY_POOL chooses a pool."""
    import pyarrow as pa

    if chosen and chosen not in pa.supported_memory_backends():
        pytest.skip(f"no {chosen} in this pyarrow")
    env = {**os.environ, "ARROW_DEFAULT_MEMORY_POOL": chosen}
    got = subprocess.run([sys.executable, "-c", ARROW_POOL], capture_output=True, text=True, env=env, cwd=ROOT,
                         check=True).stdout.split()
    assert got == (["False", chosen] if chosen else ["True", "system"])
