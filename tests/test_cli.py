"""The command-line contract of DESIGN.md, driven as another tool would drive it."""
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES, SEED


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "factcheck", *args], capture_output=True,
                          input=stdin, timeout=120)


def test_extract_json_contract():
    proc = run("extract", str(SEED), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    (doc,) = data["documents"]
    assert doc["path"] == str(SEED) and len(doc["sha256"]) == 64 and doc["reference_year"] == 2010
    assert doc["errors"] == [] and doc["findings"] == []
    raw = SEED.read_text(encoding="utf-8")
    keys = {"id", "rule", "metric", "subject", "period", "text", "start", "end", "value", "unit",
            "dimension", "qualifier", "low", "high", "role", "refers_to"}
    for claim in doc["claims"]:
        assert keys <= set(claim)
        assert raw[claim["start"]:claim["end"]] == claim["text"]
    gdp = next(c for c in doc["claims"] if c["text"] == "14151.3億元")
    assert gdp["rule"] == "economy/gdp" and gdp["dimension"] == "currency"


def test_extract_from_stdin_and_jsonl():
    text = "全省实现进出口总额242.3亿美元，增长9.6%。".encode("gb18030")
    proc = run("extract", "-", "--format", "jsonl", stdin=text)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["text"] for r in rows] == ["242.3亿美元", "增长9.6%"]
    assert rows[0]["path"] == "<stdin>" and rows[1]["refers_to"] == rows[0]["id"]


def test_bad_input_is_reported_and_other_files_still_processed(tmp_path):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    out = tmp_path / "out.json"
    proc = run("extract", str(tmp_path / "missing.txt"), str(binary), str(FIXTURES / "utf8_bom.txt"),
               "--format", "json", "-o", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 2
    assert "missing.txt" in lines[0] and "image.png" in lines[1] and "binary" in lines[1]
    docs = json.loads(out.read_text(encoding="utf-8"))["documents"]
    assert [len(d["errors"]) for d in docs] == [1, 1, 0]
    assert len(docs[2]["claims"]) == 10


@pytest.mark.parametrize("fmt", ["csv", "parquet", "table"])
def test_other_formats(tmp_path, fmt):
    out = tmp_path / f"claims.{fmt}"
    proc = run("extract", str(FIXTURES / "clean_simplified.txt"), "--format", fmt, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    if fmt == "csv":
        import pandas as pd

        frame = pd.read_csv(out)
        assert len(frame) == 40 and {"value", "unit", "start", "end"} <= set(frame.columns)
    elif fmt == "parquet":
        import pandas as pd

        frame = pd.read_parquet(out)
        assert len(frame) == 40 and str(frame["start"].dtype) == "Int64"
    else:
        table = out.read_text(encoding="utf-8")
        assert "2856.42亿元" in table or "亿元" in table
        assert table.count("\n") > 40


def test_invalid_rules_exit_2_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: mine\nmetrics:\n  - id: x\n    names: [某指标]\n    dimension: count\n    colour: red\n",
                   encoding="utf-8")
    proc = run("extract", str(SEED), "--rules", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == f"factcheck: {bad}:6: unknown key 'colour' (at metrics/0)"
    lint = run("rules", "lint", str(bad))
    assert lint.returncode == 2 and f"{bad}:6:" in lint.stderr.decode()


def test_user_rules_add_metrics(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("id: mine\nmetrics:\n  - id: labs\n    names: [实验室]\n    dimension: count\n",
                    encoding="utf-8")
    proc = run("extract", "-", "--rules", str(mine), "--format", "jsonl", stdin="国家级重点实验室7个。".encode())
    assert proc.returncode == 0, proc.stderr
    (row,) = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert row["metric"] == "labs" and row["rule"] == "mine/labs"
    only = run("extract", "-", "--rules", str(mine), "--no-shipped-rules", "--format", "jsonl",
               stdin="生产总值100亿元".encode())
    assert json.loads(only.stdout.decode().splitlines()[0])["metric"] is None


def test_rules_list_and_schema():
    listed = run("rules", "list")
    assert listed.returncode == 0 and "economy/gdp" in listed.stdout.decode()
    schema = json.loads(run("rules", "schema").stdout)
    assert schema["additionalProperties"] is False


def test_usage_error_exits_2():
    proc = run("extract")
    assert proc.returncode == 2 and proc.stderr.decode().count("\n") == 1


def test_contract_json_is_the_contract_one_document_per_line():
    import json

    from factcheck.pipeline import Pipeline
    from factcheck.report import contract_json, to_contract

    pipeline = Pipeline()
    results = [pipeline.run_text("全省生产总值14151.3亿元，增长14.5%。", path="a"),
               pipeline.run_text("进出口总额242.3亿美元", path="b")]
    text = contract_json(results)
    assert json.loads(text) == json.loads(json.dumps(to_contract(results)))
    lines = text.splitlines()
    assert len(lines) == 4 and json.loads(lines[1].rstrip(","))["path"] == "a"
    assert json.loads(contract_json([])) == {"version": 1, "documents": []}


def test_a_spooled_contract_is_the_contract():
    from factcheck.pipeline import Pipeline
    from factcheck.report import ContractSpool, contract_json

    pipeline = Pipeline()
    texts = ["全省生产总值14151.3亿元，增长14.5%。", "进出口总额242.3亿美元", "无数字"]
    for count in range(4):
        spool = ContractSpool()
        for n, text in enumerate(texts[:count]):
            spool.add(pipeline.run_text(text, path=f"d{n}"))
        expected = contract_json([pipeline.run_text(text, path=f"d{n}") for n, text in enumerate(texts[:count])])
        assert "".join(spool.pieces()) == expected
        spool.close()


@pytest.mark.parametrize("what", ["claims", "findings"])
def test_spooled_json_lines_are_the_json_lines_and_keep_no_document(tmp_path, what):
    """`--format jsonl` writes a document's rows as it comes (RowSpool): the lines the
    documents kept to the end gave, to standard output or a file, and no document is
    held once written (kept, 12,000 one-paragraph files took 89 MB, the JSON contract
    66 MB)."""
    import gc
    import weakref

    from factcheck.checks import run_checks
    from factcheck.pipeline import Pipeline
    from factcheck.report import RowSpool, claim_records, finding_records, kept_for, write

    pipeline = Pipeline()
    texts = ["全省生产总值14151.3亿元，比上年增长14.5%。出口89.6亿美元，进口67.3亿美元，进出口总额146.9亿美元。",
             "无数字", "进出口总额242.3亿美元，比上年的221.1亿美元增长12.6%。"]

    def documents(count):
        for n, text in enumerate(texts[:count]):
            result = pipeline.run_text(text, path=f"d\udcff{n}")
            run_checks(result)
            yield result

    for count in range(4):
        kept = tmp_path / f"kept{count}.jsonl"
        write(list(documents(count)), "jsonl", str(kept), what=what)
        spool = kept_for("jsonl", what=what)
        assert isinstance(spool, RowSpool)
        alive = []
        for result in documents(count):
            spool.add(result)
            alive.append(weakref.ref(result))
            del result
        gc.collect()
        assert not any(ref() is not None for ref in alive)
        # standard output's text: a lone surrogate left for its handler, as before
        rows = (finding_records if what == "findings" else claim_records)(list(documents(count)))
        assert "".join(spool.pieces()) == "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        spool.close()
        written = tmp_path / f"spooled{count}.jsonl"
        to_file = kept_for("jsonl", str(written), what=what)
        for result in documents(count):
            to_file.add(result)
        write(to_file, "jsonl", str(written), what=what)
        to_file.close()
        assert written.read_bytes() == kept.read_bytes()
    assert "\\udcff" in kept.read_text(encoding="utf-8") and len(kept.read_text().splitlines()) >= 2


def test_json_output_does_not_hold_every_documents_line(tmp_path):
    """`check --format json` keeps each document's line in a temporary file until the
    run ends: six figure-dense files peak where two do (holding the lines, the peak
    grew by each file's line)."""
    import tracemalloc

    from factcheck.cli import main

    from factcheck.decode import read_input

    dense = "\n".join(read_input(str(p)).text for p in sorted(FIXTURES.glob("*.txt")) if p.name != SEED.name)
    files = []
    for n in range(6):
        files.append(tmp_path / f"d{n}.txt")
        files[-1].write_text(dense + "\n" + dense, encoding="utf-8")
    out = str(tmp_path / "out.json")
    main(["check", "--jobs", "1", "--format", "json", "-o", out, str(files[0])])   # what loads on first use
    peaks = []
    for count in (2, 6):
        tracemalloc.start()
        try:
            main(["check", "--jobs", "1", "--format", "json", "--force", "-o", out, *map(str, files[:count])])
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
        assert len(written["documents"]) == count and len(written["documents"][-1]["claims"]) >= 400
    line = len(json.dumps(written["documents"][0], ensure_ascii=False))   # characters: 2 bytes each and more
    assert peaks[1] - peaks[0] < 2 * line, (peaks, line)


def test_ctrl_c_while_the_command_line_loads_gives_one_line():
    # the SIGINT lands while `factcheck.cli` and what it needs are being imported; Python
    # installs no handler for a SIGINT it started with ignored (a background job's), as
    # the one running the tests may have
    code = ("import os, signal, sys, threading; from factcheck.console import main; "
            "signal.signal(signal.SIGINT, signal.default_int_handler); "
            f"sys.argv = ['factcheck', 'check', {str(SEED)!r}]; "
            "threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGINT)).start(); "
            "raise SystemExit(main())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.splitlines() == ["factcheck: interrupted"]
    assert proc.stdout == ""


def test_json_output_without_a_writable_temporary_folder(tmp_path, monkeypatch, capsys):
    """The lines wait in memory when no temporary file can be made; a spool that cannot
    be written (a full disk) is the output's one-line error."""
    import tempfile

    from factcheck.cli import main

    paths = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    for path, text in zip(paths, ["全省生产总值14151.3亿元，增长14.5%。", "进出口总额242.3亿美元"]):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    assert main(["check", "--jobs", "1", "--format", "json", *paths]) == 0
    expected = capsys.readouterr().out

    def refused(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    assert main(["check", "--jobs", "1", "--format", "json", *paths]) == 0
    assert capsys.readouterr().out == expected

    class Full:
        def write(self, text):
            raise OSError(28, "No space left on device")

        def close(self):
            pass

    monkeypatch.setattr(tempfile, "TemporaryFile", lambda *args, **kwargs: Full())
    assert main(["check", "--jobs", "1", "--format", "json", *paths]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == "factcheck: output: No space left on device"
