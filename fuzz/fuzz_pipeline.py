"""Long fuzzing sessions of the whole pipeline, run by hand (not in CI).

    python fuzz/fuzz_pipeline.py atheris -atheris_runs=200000 [-max_len=2048] [corpus_dir]
    python fuzz/fuzz_pipeline.py hypothesis --examples 20000
    python fuzz/fuzz_pipeline.py mutate 20000 [seed]

`atheris` (coverage-guided, libFuzzer) feeds bytes to the decoder and, when they decode,
the text to every stage; a crash, or a broken property, stops it with the input saved as
crash-<sha1> (mutate: fuzz/crash-mutate-*). The seed corpus is fixtures/ (its .txt files). `hypothesis` runs the
properties of tests/test_fuzz_pipeline.py with many more examples than the suite does.
`mutate` mutates the corpus in a plain loop and prints the memory as it goes: under
atheris's instrumentation the process grows by about 140 KB a run (atheris's own
bookkeeping; run it with -rss_limit_mb=8192), while the same inputs in a plain loop
keep it flat.

Properties checked on every input:
- decoding raises nothing but InputError, with a one-line message;
- normalize, extract, link, check (zh and en) and the JSON contract raise nothing and
  report no error;
- every claim's raw[start:end] is its text, lies inside the text, holds its figure (its
  text alone gives the same |value|), and claims are in order;
- normalization is idempotent and its offset map is monotonic and inside the raw text;
- normalized a few characters at a time (as a long text is, a block at a time), the
  text gives what it gives whole.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check_text(pipeline, text: str) -> None:
    import numpy as np

    from factcheck.checks import run_checks
    from factcheck.normalize import normalize
    from factcheck.report import to_contract

    doc = normalize(text)
    assert normalize(doc.norm).norm == doc.norm, "normalize is not idempotent"
    assert _described(_in_blocks(text, 1 + len(text) % 17)) == _described(doc), "blocks differ from the whole"
    index = np.asarray(doc.raw_index)
    if len(index):
        assert int(index[0]) >= 0 and int(index[-1]) < len(text), "offset map outside the text"
        assert bool((index[1:] >= index[:-1]).all()), "offset map not monotonic"
    result = pipeline.run_text(text, path="fuzz.txt")
    assert not result.errors, result.errors
    run_checks(result, rules=pipeline.rules)
    run_checks(result, rules=pipeline.rules, lang="en")
    json.dumps(to_contract([result]), ensure_ascii=False)
    previous = -1
    row_metrics = {m for ratio in pipeline.rules.ratios for m in ratio.metrics}
    for claim in result.claims:
        assert 0 <= claim.start < claim.end <= len(text), ("span outside", claim)
        assert text[claim.start:claim.end] == claim.text, ("span is not the text", claim)
        assert claim.start >= previous, "claims out of order"
        previous = claim.start
        if claim.low is not None and claim.high is not None:
            assert claim.low <= claim.high, ("interval reversed", claim)
        # a term of a ratio row (三次产业结构为7.7:39.5:52.8) is a claim by the row's name,
        # which may stand further back
        row_term = claim.metric in row_metrics and claim.text.replace(".", "", 1).isdigit()
        if claim.role != "rank" and not row_term:
            # alone, or with what stands right before it (a currency sign: $万余)
            found = False
            for back in range(0, 5):
                start = max(claim.start - back, 0)
                alone = pipeline.run_text(text[start:claim.end]).claims
                if any(a.end == claim.end - start and abs(a.value) == abs(claim.value) for a in alone):
                    found = True
                    break
                if start == 0:
                    break
            assert found, ("the claim's text alone does not give its figure", claim.text, claim.value)


def _in_blocks(text: str, block: int):
    """normalize(text) a block of `block` characters at a time (a long text's way)."""
    import factcheck.normalize as normalizing

    kept = normalizing.BLOCK_CHARS
    normalizing.BLOCK_CHARS = block
    try:
        return normalizing.normalize(text)
    finally:
        normalizing.BLOCK_CHARS = kept


def _described(doc) -> tuple:
    import numpy as np

    return (doc.norm, np.asarray(doc.raw_index).tolist(), doc.annotation_starts.tolist(),
            doc.annotation_ends.tolist())


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

    if os.environ.get("FACTCHECK_FUZZ_NO_INSTRUMENT"):
        from factcheck.pipeline import Pipeline   # no coverage guidance: to tell atheris's memory from ours
    else:
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


def run_mutate(runs: int, seed: int) -> int:
    """A plain mutational loop over the corpus (no atheris): the same properties, and the
    process's memory every 1000 runs, which must stay flat (a batch over junk input)."""
    import random

    from factcheck.pipeline import Pipeline

    def rss() -> int:
        with open("/proc/self/status") as handle:
            return next(int(line.split()[1]) // 1024 for line in handle if line.startswith("VmRSS"))

    pipeline = Pipeline()
    corpus_dir = ROOT / "fuzz" / "corpus"
    corpus = [p.read_bytes() for p in sorted(corpus_dir.iterdir())] if corpus_dir.is_dir() else []
    corpus += [p.read_bytes()[:4096] for p in sorted((ROOT / "fixtures").rglob("*.txt"))]
    rnd = random.Random(seed)
    failures = 0
    for n in range(1, runs + 1):
        data = bytearray(rnd.choice(corpus))
        for _ in range(rnd.randint(0, 12)):
            k = rnd.randrange(len(data) + 1)
            op = rnd.random()
            if op < 0.4 and data:
                data[min(k, len(data) - 1)] = rnd.randrange(256)
            elif op < 0.7:
                data[k:k] = bytes([rnd.randrange(256)]) * rnd.randint(1, 8)
            elif op < 0.85:
                other = rnd.choice(corpus)
                a = rnd.randrange(len(other) + 1)
                data[k:k] = other[a:a + rnd.randint(1, 64)]
            else:
                del data[k:k + rnd.randint(1, 16)]
        try:
            check_bytes(pipeline, bytes(data))
        except Exception as exc:  # a crash or a broken property: keep the input, go on
            failures += 1
            name = ROOT / "fuzz" / f"crash-mutate-{seed}-{n}"
            name.write_bytes(bytes(data))
            print(f"run {n}: {type(exc).__name__}: {str(exc)[:300]} -> {name}", flush=True)
        if n % 1000 == 0:
            print(f"run {n}: rss {rss()} MB, failures {failures}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "mutate":
        runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
        raise SystemExit(run_mutate(runs, int(sys.argv[3]) if len(sys.argv) > 3 else 0))
    if len(sys.argv) > 1 and sys.argv[1] == "atheris":
        run_atheris([sys.argv[0]] + sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "hypothesis":
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("mode")
        parser.add_argument("--examples", type=int, default=20000)
        args = parser.parse_args()
        os.environ["FACTCHECK_FUZZ_EXAMPLES"] = str(args.examples)
        import pytest

        raise SystemExit(pytest.main(["-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
                                      str(ROOT / "tests" / "test_fuzz_pipeline.py")]))
    else:
        print(__doc__)
        raise SystemExit(2)
