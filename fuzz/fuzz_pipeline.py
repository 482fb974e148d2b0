"""Long fuzzing sessions of the whole pipeline, run by hand (not in CI).

    python fuzz/fuzz_pipeline.py atheris -atheris_runs=200000 [-max_len=2048] [corpus_dir]
    python fuzz/fuzz_pipeline.py hypothesis --examples 20000

`atheris` (coverage-guided, libFuzzer) feeds bytes to the decoder and, when they decode,
the text to every stage; a crash, or a broken property, stops it with the input saved as
crash-<sha1>. The seed corpus is fixtures/ (its .txt files). `hypothesis` runs the
properties of tests/test_fuzz_pipeline.py with many more examples than the suite does.

Properties checked on every input:
- decoding raises nothing but InputError, with a one-line message;
- normalize, extract, link, check (zh and en) and the JSON contract raise nothing and
  report no error;
- every claim's raw[start:end] is its text, lies inside the text, holds its figure (its
  text alone gives the same |value|), and claims are in order;
- normalization is idempotent and its offset map is monotonic and inside the raw text.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check_text(pipeline, text: str) -> None:
    from factcheck.checks import run_checks
    from factcheck.normalize import normalize
    from factcheck.report import to_contract

    doc = normalize(text)
    assert normalize(doc.norm).norm == doc.norm, "normalize is not idempotent"
    index = doc.raw_index
    if len(index):
        assert int(index[0]) >= 0 and int(index[-1]) < len(text), "offset map outside the text"
        assert bool((index[1:] >= index[:-1]).all()), "offset map not monotonic"
    result = pipeline.run_text(text, path="fuzz.txt")
    assert not result.errors, result.errors
    run_checks(result, rules=pipeline.rules)
    run_checks(result, rules=pipeline.rules, lang="en")
    json.dumps(to_contract([result]), ensure_ascii=False)
    previous = -1
    for claim in result.claims:
        assert 0 <= claim.start < claim.end <= len(text), ("span outside", claim)
        assert text[claim.start:claim.end] == claim.text, ("span is not the text", claim)
        assert claim.start >= previous, "claims out of order"
        previous = claim.start
        if claim.low is not None and claim.high is not None:
            assert claim.low <= claim.high, ("interval reversed", claim)
        if claim.role != "rank":
            alone = pipeline.run_text(claim.text).claims
            assert any(a.text == claim.text and abs(a.value) == abs(claim.value) for a in alone), \
                ("the claim's text alone does not give its figure", claim.text, claim.value, alone)


def check_bytes(pipeline, data: bytes) -> None:
    from factcheck.decode import InputError, decode_bytes

    try:
        decoded = decode_bytes(data, "fuzz.bin")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("fuzz.bin: "), str(exc)
        return
    check_text(pipeline, decoded.text)


def run_atheris(argv: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["factcheck"]):
        from factcheck.pipeline import Pipeline

    pipeline = Pipeline()
    if not any(not a.startswith("-") for a in argv[1:]):
        corpus = ROOT / "fuzz" / "corpus"
        corpus.mkdir(exist_ok=True)
        for path in sorted((ROOT / "fixtures").rglob("*.txt")):
            data = path.read_bytes()
            for k in range(0, min(len(data), 16384), 2048):   # small seeds: libFuzzer likes them
                (corpus / f"{path.stem}-{k}").write_bytes(data[k:k + 2048])
        argv = argv + [str(corpus)]

    def one(data: bytes) -> None:
        check_bytes(pipeline, data)

    atheris.Setup(argv, one)
    atheris.Fuzz()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "atheris":
        run_atheris([sys.argv[0]] + sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "hypothesis":
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("mode")
        parser.add_argument("--examples", type=int, default=20000)
        args = parser.parse_args()
        import os

        os.environ["FACTCHECK_FUZZ_EXAMPLES"] = str(args.examples)
        import pytest

        raise SystemExit(pytest.main(["-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
                                      str(ROOT / "tests" / "test_fuzz_pipeline.py")]))
    else:
        print(__doc__)
        raise SystemExit(2)
