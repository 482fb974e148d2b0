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


def test_documents_are_processed_with_the_collector_paused(monkeypatch):
    seen = []
    real = pipeline_module.normalize

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "normalize", spy)
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
    from factcheck.cli import main
    from factcheck.models import DocumentResult

    seen = []
    real_encode = DocumentResult.contract_line

    def encode(self):
        if self.encoded is None:   # encoded here, not the line kept from before
            seen.append(("encode", gc.isenabled()))
        return real_encode(self)

    real_checks = run_checks

    def checks(*args, **kwargs):
        seen.append(("checks", gc.isenabled()))
        return real_checks(*args, **kwargs)

    monkeypatch.setattr(DocumentResult, "contract_line", encode)
    monkeypatch.setattr("factcheck.checks.run_checks", checks)
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
    real = worker._rows

    def rows(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(worker, "_rows", rows)
    got = worker.process_document(worker.DocumentTask(path="a", source="", text="进出口总额242.3亿美元，增长9.6%。"),
                                  _settings(BatchOptions(inputs=[], out="")))
    assert seen == [False] and got.claims and gc.isenabled()
