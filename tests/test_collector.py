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
