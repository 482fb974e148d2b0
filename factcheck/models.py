"""Plain data passed between pipeline stages."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from itertools import islice
from json.encoder import encode_basestring
from operator import attrgetter
from typing import IO, Any, Iterator, Optional


@dataclass(slots=True)
class Claim:
    """One stated figure, located in the raw text."""

    id: str
    text: str                 # raw[start:end]
    start: int                # code-point offsets into the decoded raw text
    end: int
    value: Optional[float]    # scale words applied, in `unit`
    unit: Optional[str]       # a name from factcheck's unit registry, or None
    dimension: str            # currency, percent, area, count, rank, number, ...
    qualifier: str            # exact approx more_than at_least less_than at_most range
    low: Optional[float]      # interval the statement allows; None where open
    high: Optional[float]
    precision: float          # half a unit of the last stated digit, in `unit`
    role: str                 # level growth share count rank number
    rule: Optional[str] = None
    metric: Optional[str] = None
    subject: Optional[str] = None
    period: Optional[str] = None
    refers_to: Optional[str] = None
    norm_start: int = -1      # offsets into the normalized text (not serialized)
    norm_end: int = -1

    def to_json(self) -> dict:
        # field by field: dataclasses.asdict deep-copies, and was a sixth of `check`'s time
        return {name: getattr(self, name) for name in _CLAIM_FIELDS}


@dataclass(slots=True)
class Finding:
    id: str
    check: str
    severity: str             # error warning info
    message: str
    claims: list[str]
    start: int
    end: int
    expected: Optional[str] = None
    actual: Optional[str] = None
    # additions to the contract: the intervals as numbers, in `unit`, and their distance
    expected_interval: Optional[list] = None   # [low, high]; None for an open end
    actual_interval: Optional[list] = None
    gap: Optional[float] = None               # 0 when they touch; None when not numeric
    unit: Optional[str] = None
    repeats: list[list[str]] = field(default_factory=list)  # the same finding on repeated text

    def to_json(self) -> dict:
        data = {name: getattr(self, name) for name in _FINDING_FIELDS}
        data["claims"] = list(self.claims)
        data["repeats"] = [list(r) for r in self.repeats]
        for name in ("expected_interval", "actual_interval"):
            if data[name] is not None:
                data[name] = list(data[name])
        return data


_CLAIM_FIELDS = tuple(f.name for f in fields(Claim) if f.name not in ("norm_start", "norm_end"))
_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


@dataclass
class DocumentResult:
    path: str
    sha256: Optional[str] = None
    reference_year: Optional[int] = None
    claims: list[Claim] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # not serialized: the normalized text and what linking found, for the check stage
    text: Optional[str] = field(default=None, repr=False, compare=False)
    links: Any = field(default=None, repr=False, compare=False)
    # the document's line of the JSON contract as written, once encoded (contract_chunks)
    encoded: Optional[list[bytes]] = field(default=None, repr=False, compare=False)
    # findings not made yet (checks.check_document(..., stream=True)): made after
    # `findings` as the JSON line is written, each let go once encoded; the severities of
    # those made are kept in `streamed_severities`, for a command's exit code
    findings_to_come: Optional[Iterator[Finding]] = field(default=None, repr=False, compare=False)
    streamed_severities: set = field(default_factory=set, repr=False, compare=False)

    def severities(self) -> set[str]:
        """The severities of the document's findings, those written and let go included."""
        return {finding.severity for finding in self.findings} | self.streamed_severities

    def take_findings_to_come(self) -> None:
        """The findings still to come made and added to `findings`."""
        if self.findings_to_come is not None:
            self.findings.extend(self._coming())

    def contract_line(self) -> str:
        """This document in the JSON contract, as one line: json.dumps(self.to_json(),
        ensure_ascii=False)."""
        return "".join(self._contract_pieces())

    def contract_chunks(self, release_claims: bool = False) -> list[bytes]:
        """`contract_line` as the output files hold it (UTF-8, a lone surrogate as its
        escape: OUTPUT_ERRORS), in pieces of CLAIMS_A_CHUNK claims; encoded once and kept
        (`encoded`), so that a worker process can encode it and the process that writes
        only writes bytes. With `release_claims`, each claim is let go once encoded and
        `claims` is empty after: a figure-dense document's JSON takes more than its claims
        (660 bytes a claim as a Python string), and the claims, the claims' texts, their
        join and the line held at once were 4 times that (a 1 MB document: 66 times its
        size, where the pipeline peaks at 18)."""
        if self.encoded is None:
            self.encoded = list(self._contract_bytes(release_claims))
        return self.encoded

    def write_contract(self, out: IO[bytes], release_claims: bool = False) -> None:
        """`contract_chunks` written to `out`; encoded as it is written when it was not
        encoded before, so that the whole line is never held (`release_claims`: as in
        `contract_chunks`)."""
        out.writelines(self.encoded if self.encoded is not None else self._contract_bytes(release_claims))

    def _contract_bytes(self, release_claims: bool) -> Iterator[bytes]:
        return (piece.encode("utf-8", OUTPUT_ERRORS) for piece in self._contract_pieces(release_claims))

    def _contract_pieces(self, release_claims: bool = False) -> Iterator[str]:
        # json.dumps(self.to_json()) a claim at a time: the dicts of all the claims at
        # once were most of the peak of encoding a figure-dense document (a quarter
        # more than the claims' strings take), for the same text at the same speed
        encode = _JSON.encode
        claims = self.claims
        if release_claims:
            self.claims = []
        yield encode({"path": self.path, "sha256": self.sha256, "reference_year": self.reference_year})[:-1]
        yield ', "claims": ['
        yield from _joined(claims, claim_json, release_claims)
        # the findings stay (a command's exit code is theirs), but are encoded a chunk at
        # a time too: figure-dense text with figures that disagree has half as many
        # findings as claims, and their JSON at once was the peak of writing it
        yield '], "findings": ['
        yield from _joined(self.findings, _finding_json, False)
        if self.findings_to_come is not None:
            # the checks' findings, made as they are written: on figure-dense text whose
            # figures disagree they took more than the claims (a 1 MB document's 20,798,
            # 19 MB as objects, 11.5 MB as JSON), and `check` held them all until written
            first = not self.findings
            for made in in_chunks(self._coming()):
                piece = ", ".join(map(_finding_json, made))
                yield piece if first else ", " + piece
                first = False
        yield '], "errors": ' + encode(list(self.errors)) + "}"

    def _coming(self) -> Iterator[Finding]:
        """The findings still to come, as they are made, their severities noted. A failure
        to make one (a bug) is the document's error; those made before it stay."""
        coming, self.findings_to_come = self.findings_to_come, None
        severities = self.streamed_severities
        try:
            for finding in coming:
                severities.add(finding.severity)
                yield finding
        except Exception as exc:
            from .pipeline import _internal

            self.errors.append(_internal(self.path, exc))

    def to_json(self) -> dict:
        self.take_findings_to_come()
        return {
            "path": self.path,
            "sha256": self.sha256,
            "reference_year": self.reference_year,
            "claims": [c.to_json() for c in self.claims],
            "findings": [f.to_json() for f in self.findings],
            "errors": list(self.errors),
        }


_JSON = json.JSONEncoder(ensure_ascii=False)   # as json.dumps(..., ensure_ascii=False) encodes
CLAIMS_A_CHUNK = 256


def _joined(items: list, to_text, release: bool) -> Iterator[str]:
    """", ".join(map(to_text, items)), CLAIMS_A_CHUNK items at a time; with `release`,
    each item is let go (set to None in `items`) once encoded."""
    for low in range(0, len(items), CLAIMS_A_CHUNK):
        high = low + CLAIMS_A_CHUNK
        piece = ", ".join(map(to_text, items[low:high]))
        if release:
            items[low:high] = [None] * (min(high, len(items)) - low)
        yield (", " + piece) if low else piece


def in_chunks(items: Iterator) -> Iterator[list]:
    """`items` in lists of CLAIMS_A_CHUNK (what the outputs encode at a time)."""
    while True:
        batch = list(islice(items, CLAIMS_A_CHUNK))
        if not batch:
            return
        yield batch


def _finding_json(finding: "Finding") -> str:
    return _JSON.encode(finding.to_json())


# Lone surrogates come from file names with bytes that are not UTF-8 (GBK names unpacked
# from an archive, decoded with surrogateescape) and from \ud800-style escapes in JSON
# input. No output format can carry them: UTF-8 files, Parquet and pandas' Arrow-backed
# strings all refuse them, and one such name used to fail the whole run. Written as their
# escapes (\udcff), as a file opened with errors="backslashreplace" writes them: in JSON
# that is the JSON escape, which reads back as the same string.
OUTPUT_ERRORS = "backslashreplace"


def _json_float(value: float) -> str:
    text = _FLOAT_TEXT.get(value)
    if text is None:
        text = float.__repr__(value)
        text = _FLOAT_WORDS.get(text, text)   # json's spellings of what repr calls nan and inf
        # not 0.0 and -0.0, which are one key and two texts, nor NaN, never equal to a key
        if value and value == value:
            if len(_FLOAT_TEXT) >= _FLOAT_TEXTS:
                _FLOAT_TEXT.clear()
            _FLOAT_TEXT[value] = text
    return text


# Documents repeat their figures, and every claim has a precision (0.05, 0.5, 5000.0):
# float.__repr__ was most of a claim's JSON (0.65 µs a float), a dict lookup is a tenth
_FLOAT_TEXT: dict[float, str] = {}
_FLOAT_TEXTS = 65536
_FLOAT_WORDS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


class _EncoderByType(dict):
    """The JSON of a value by its exact type, as json.dumps(..., ensure_ascii=False)
    writes it; a type not listed (a subclass, a container) goes to json itself."""

    def __missing__(self, kind):
        return _JSON.encode


_ENCODE = _EncoderByType({str: encode_basestring, int: int.__repr__, float: _json_float,
                          type(None): {None: "null"}.__getitem__,
                          bool: {True: "true", False: "false"}.__getitem__})
_CLAIM_TEMPLATE = "{" + ", ".join(f"{encode_basestring(name)}: %s" for name in _CLAIM_FIELDS) + "}"
_claim_values = attrgetter(*_CLAIM_FIELDS)


def claim_json(claim: Claim) -> str:
    """json.dumps(claim.to_json(), ensure_ascii=False), written into a template of the
    claim's fields: json built and walked a dict per claim, and encoding claims was a
    tenth of `check`'s time."""
    return _CLAIM_TEMPLATE % tuple([_ENCODE[type(value)](value) for value in _claim_values(claim)])
