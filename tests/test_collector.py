"""The garbage collector is paused while a document is processed, and left as it was."""
import gc

import pytest

import factcheck.pipeline as pipeline_module
from factcheck import collector
from factcheck.checks import run_checks
from factcheck.pipeline import Pipeline


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_restores_the_collector_even_on_error():
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()   # the inner pause does not resume it early
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        with collector.paused():
            1 / 0
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off():
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def _noting_the_collector(monkeypatch, owner, name, seen, label=None):
    """owner.name replaced by a wrapper that notes, at each call, whether the collector
    is on (as `(label, on)` when given a label)."""
    real = getattr(owner, name)

    def spy(*args, **kwargs):
        seen.append(gc.isenabled() if label is None else (label, gc.isenabled()))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)


def test_documents_are_processed_with_the_collector_paused(monkeypatch):
    seen = []
    _noting_the_collector(monkeypatch, pipeline_module, "normalize", seen)
    pipeline = Pipeline()
    result = pipeline.run_text("2010年全年生产总值14151.3亿元，比上年增长14.5%。")
    assert seen == [False] and gc.isenabled()
    assert result.claims
    run_checks(result, rules=pipeline.rules)
    assert gc.isenabled()


@pytest.mark.parametrize("command", ["check", "extract"])
def test_the_command_line_pauses_it_over_each_whole_document(monkeypatch, tmp_path, command):
    """Checks and the JSON encoding run with it paused too: resumed between stages, it
    walked every claim of the document."""
    import factcheck.checks
    from factcheck import models
    from factcheck.cli import main

    seen = []
    _noting_the_collector(monkeypatch, models._JSON, "encode", seen, "encode")
    _noting_the_collector(monkeypatch, factcheck.checks, "checked_findings", seen, "checks")
    path = tmp_path / "a.txt"
    path.write_text("全省生产总值14151.3亿元，比上年增长14.5%。", encoding="utf-8")
    assert main([command, "--jobs", "1", "--format", "json", "-o", str(tmp_path / "out.json"), str(path)]) == 0
    assert ("encode", False) in seen and all(not enabled for _, enabled in seen)
    assert ("checks", False) in seen or command == "extract"
    assert gc.isenabled()


def test_a_batch_document_is_processed_with_it_paused_throughout(monkeypatch):
    from factcheck.batch import worker
    from factcheck.batch.main import BatchOptions, _settings

    seen = []
    _noting_the_collector(monkeypatch, worker, "_rows", seen)
    got = worker.process_document(worker.DocumentTask(path="a", source="", text="进出口总额242.3亿美元，增长9.6%。"),
                                  _settings(BatchOptions(inputs=[], out="")))
    assert seen == [False] and got.claims and gc.isenabled()
