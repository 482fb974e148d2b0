"""The JSON of a claim, written without json's dicts: exactly what json.dumps writes."""
import json
import math

import pytest

from factcheck.models import Claim, DocumentResult, claim_json


def _claim(**changes) -> Claim:
    fields = dict(id="c1", text="14151.3亿元", start=10, end=20, value=1.41513e12, unit="yuan",
                  dimension="currency", qualifier="exact", low=1.415125e12, high=1.415135e12,
                  precision=5e6, role="level", rule=None, metric="GDP", subject="全省", period="2010",
                  refers_to=None)
    fields.update(changes)
    return Claim(**fields)


class _Str(str):
    pass


class _Float(float):
    pass


@pytest.mark.parametrize("changes", [
    {},
    {"value": None, "low": None, "high": None},
    {"value": math.nan},
    {"low": -math.inf, "high": math.inf},
    {"value": -0.0, "precision": 0.0},
    {"value": 1e300, "low": 1e-300, "high": 5e-324},
    {"value": 0.1 + 0.2},
    {"value": 3, "low": 2, "high": 10 ** 30},           # ints where floats usually are
    {"start": 0, "end": 2 ** 70},
    {"text": '引号"反斜杠\\换行\n制表\t'},
    {"text": "控制\x00\x01\x1f\x7f字符"},
    {"text": "𠮷野家\U0001F600 and \u2028\u2029"},
    {"text": "lone \ud800 surrogate"},
    {"text": ""},
    {"metric": True, "subject": False},               # not a claim's type, but json's answer
    {"text": _Str("a str subclass"), "value": _Float(1.5)},
    {"metric": ["a", 1, None], "subject": {"k": 2.5}},
])
def test_a_claims_json_is_json_dumps_of_its_dict(changes):
    claim = _claim(**changes)
    assert claim_json(claim) == json.dumps(claim.to_json(), ensure_ascii=False)


def test_a_documents_line_holds_its_claims_json():
    result = DocumentResult(path="a.txt", sha256="0" * 64, claims=[_claim(), _claim(id="c2", value=math.inf)],
                            errors=["an error"])
    line = result.contract_line()
    assert line == json.dumps(result.to_json(), ensure_ascii=False)
    assert '"value": Infinity' in line


def test_float_texts_are_remembered_without_mixing_equal_keys(monkeypatch):
    """Float texts are kept for the figures met again, but 0.0 and -0.0 (one dict key, two
    texts) and NaN (equal to nothing) are never taken from what was kept; the store is
    bounded."""
    from factcheck import models

    monkeypatch.setattr(models, "_FLOAT_TEXT", {})
    monkeypatch.setattr(models, "_FLOAT_TEXTS", 3)
    values = [0.0, -0.0, 0.0, -0.0, 1.5, 1.5, -1.5, 1e16, 1e16, math.nan, math.nan, math.inf, -math.inf,
              math.inf, 2.5, 3.5, 0.1 + 0.2, 0.30000000000000004, 5e-324]
    for value in values:
        claim = _claim(value=value, low=value, high=-value)
        assert claim_json(claim) == json.dumps(claim.to_json(), ensure_ascii=False), value
    assert 0 < len(models._FLOAT_TEXT) <= 3
