#!/usr/bin/env python
"""Runs Microsoft Recognizers-Text (the peer) for bench/peer_specs.py, in the peer's own venv.

Not run by hand: `peer_specs.py --peer PYTHON` starts `PYTHON bench/peer_runner.py IN.json OUT.json`.
Standard library and the peer's packages only (no factcheck, no yaml): the peer pins old
dependencies and lives in a venv of its own (bench/README.md, "The peer").

IN.json is one task:

  {"task": "cases", "cases": [{"model": "CurrencyModel", "input": "..."}, ...]}
      -> {"peer": {...}, "available": [...], "results": [[result, ...] | {"error": "..."}, ...]}
      one entry per case, in order; a result is {text, start, end (inclusive, as the peer
      gives it), type, value, unit, resolution}; a model the peer does not have gives
      {"error": "no model"}.

  {"task": "time", "models": [...], "repeats": N,
   "texts": [{"name": "...", "text": "...", "split": false}, ...]}
      -> {"peer": {...}, "missing": {...},
          "times": {name: {model: {"seconds": best, "samples": [...], "items": n}}}}
      each model is built and warmed up once (outside the timing), then model.parse(text)
      is timed N times (time.perf_counter); with "split": true every non-empty line of the
      text is parsed on its own and the sample is the sum.

Spec file -> peer model: NumberModel -> get_number_model, PercentModel ->
get_percentage_model, CurrencyModel/DimensionModel/AgeModel/TemperatureModel -> the
NumberWithUnitRecognizer getters of the same name, the range files -> get_number_range_model
(with NumberOptions.ExperimentalMode for the second) where the installed version has it.
"""
from __future__ import annotations

import json
import sys
import time


def _peer_info() -> dict:
    info = {"python": sys.version.split()[0]}
    try:
        from importlib import metadata

        for dist in ("recognizers-text-suite", "recognizers-text-number",
                     "recognizers-text-number-with-unit", "recognizers-text"):
            try:
                info[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                pass
    except ImportError:
        pass
    return info


def build_models(names) -> tuple[dict, dict]:
    """(spec file name -> peer model, spec file name -> why it is missing)."""
    from recognizers_text import Culture
    from recognizers_number import NumberRecognizer
    from recognizers_number_with_unit import NumberWithUnitRecognizer

    culture = Culture.Chinese
    number = NumberRecognizer(culture)
    unit = NumberWithUnitRecognizer(culture)
    getters = {
        "NumberModel": (number, "get_number_model"),
        "PercentModel": (number, "get_percentage_model"),
        "NumberRangeModel": (number, "get_number_range_model"),
        "CurrencyModel": (unit, "get_currency_model"),
        "DimensionModel": (unit, "get_dimension_model"),
        "AgeModel": (unit, "get_age_model"),
        "TemperatureModel": (unit, "get_temperature_model"),
    }
    models, missing = {}, {}
    for name in names:
        if name in models or name in missing:
            continue
        if name == "NumberRangeModelExperimentalMode":
            # an option of the range model (NumberOptions.ExperimentalMode) in the ports that have it
            import recognizers_number as rn

            option = getattr(getattr(rn, "NumberOptions", None), "ExperimentalMode", None)
            if option is None or not hasattr(rn.NumberRecognizer, "get_number_range_model"):
                missing[name] = "no number range model / ExperimentalMode option in this version"
                continue
            recognizer, getter = rn.NumberRecognizer(culture, option), "get_number_range_model"
        elif name in getters:
            recognizer, getter = getters[name]
        else:
            missing[name] = "unknown spec file"
            continue
        fn = getattr(recognizer, getter, None)
        if fn is None:
            missing[name] = f"{type(recognizer).__name__}.{getter} not in this version"
            continue
        try:
            # no fallback: a missing Chinese model must not quietly become the English one
            models[name] = fn(culture, False)
        except Exception as exc:
            missing[name] = f"{type(exc).__name__}: {exc}"
    return models, missing


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)          # Decimal and friends: as the peer would print them


def _result(r) -> dict:
    res = getattr(r, "resolution", None) or {}
    return {"text": r.text, "start": r.start, "end": r.end, "type": getattr(r, "type_name", None),
            "value": _jsonable(res.get("value")), "unit": _jsonable(res.get("unit")),
            "resolution": _jsonable(res)}


def run_cases(task: dict) -> dict:
    cases = task["cases"]
    models, missing = build_models(sorted({c["model"] for c in cases}))
    results = []
    for case in cases:
        model = models.get(case["model"])
        if model is None:
            results.append({"error": "no model: " + missing.get(case["model"], "?")})
            continue
        try:
            results.append([_result(r) for r in model.parse(case["input"])])
        except Exception as exc:     # a crash fails the case, not the run
            results.append({"error": f"{type(exc).__name__}: {exc}"})
    return {"peer": _peer_info(), "available": sorted(models), "missing": missing, "results": results}


def run_time(task: dict) -> dict:
    models, missing = build_models(task["models"])
    repeats = max(1, int(task.get("repeats", 1)))
    for model in models.values():            # lazy regex compilation and caches: not timed
        model.parse("他花了一百五十二元, 身高1.68米, 今年5岁, 气温30摄氏度, 增长了5%")
    times: dict = {}
    for entry in task["texts"]:
        name, text = entry["name"], entry["text"]
        pieces = [line for line in text.split("\n") if line.strip()] if entry.get("split") else [text]
        times[name] = {}
        for model_name, model in models.items():
            samples, items = [], 0
            for _ in range(repeats):
                items = 0
                t0 = time.perf_counter()
                for piece in pieces:
                    items += len(model.parse(piece))
                samples.append(time.perf_counter() - t0)
            times[name][model_name] = {"seconds": min(samples), "samples": samples, "items": items}
    return {"peer": _peer_info(), "missing": missing, "times": times}


def main(argv) -> int:
    if len(argv) != 3:
        print("usage: peer_runner.py IN.json OUT.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        task = json.load(fh)
    if task.get("task") == "cases":
        out = run_cases(task)
    elif task.get("task") == "time":
        out = run_time(task)
    else:
        print(f"peer_runner: unknown task {task.get('task')!r}", file=sys.stderr)
        return 2
    with open(argv[2], "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
