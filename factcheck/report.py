"""Writers: the JSON contract, JSON lines, CSV, Parquet and a terminal table."""
from __future__ import annotations

import codecs
import errno
import io
import json
import os
import re
import stat
import sys
import tempfile
from operator import attrgetter, itemgetter
from typing import IO, Iterable, Iterator, Optional

from . import collector
from .models import OUTPUT_ERRORS, Claim, DocumentResult, Finding, in_chunks

CONTRACT_VERSION = 1
CLAIM_COLUMNS = ["path", "id", "rule", "metric", "subject", "period", "text", "start", "end", "value",
                 "unit", "dimension", "qualifier", "low", "high", "precision", "role", "refers_to"]
FINDING_COLUMNS = ["path", "id", "check", "severity", "message", "claims", "claim_texts", "start", "end",
                   "expected", "actual", "expected_low", "expected_high", "actual_low", "actual_high",
                   "gap", "unit", "repeats"]


def to_contract(results: Iterable[DocumentResult]) -> dict:
    return {"version": CONTRACT_VERSION, "documents": [r.to_json() for r in results]}


def contract_json(results: Iterable[DocumentResult]) -> str:
    """The contract as text: one document per line. An indented dump goes through the
    json module's pure-Python encoder, which took as long as extracting the claims."""
    return "".join(contract_pieces(results))


def contract_pieces(results: Iterable[DocumentResult]) -> Iterator[str]:
    """`contract_json` in pieces, to be written one after the other: joined, the text
    of a figure-dense document was copied twice more, each copy several times the size
    of the document."""
    opened = False
    for result in results:
        yield ",\n" if opened else f'{{"version": {CONTRACT_VERSION}, "documents": [\n'
        yield result.contract_line()
        opened = True
    yield "\n]}\n" if opened else f'{{"version": {CONTRACT_VERSION}, "documents": []}}\n'


class _Spool:
    """The documents of a run written as they come, for an output written at its end:
    with an output file (`target`) straight to its temporary file beside it, put in
    place by `finish` (no copy at the end); without one, to a temporary file read back
    by `pieces`. Nothing is put in place before the run ends: an interrupted run leaves
    no output and no temporary file. A subclass writes a document (`_write`), and says
    what ends the output (`TAIL`) and what it is when no document came (`empty`)."""

    TAIL = b""

    def __init__(self, target: Optional[str] = None, force: bool = True) -> None:
        self._file: Optional[IO[bytes]] = None
        self._atomic: Optional[_AtomicFile] = None
        self.target = target
        self.force = force
        self.documents = 0

    def add(self, result: DocumentResult) -> None:
        """The document written. Raises OSError when the file cannot be made or written
        (a full disk)."""
        if self._file is None:
            self._open()
        with collector.paused():   # resumed, it would walk the claims not written yet
            self._write(result, self._file)
        self.documents += 1

    def _write(self, result: DocumentResult, out: IO[bytes]) -> None:
        raise NotImplementedError

    def empty(self) -> str:
        return ""

    def _open(self) -> None:
        # the documents come encoded as the output holds them (UTF-8, surrogates escaped)
        if self.target:
            self._atomic = _AtomicFile(self.target, self.force)
            self._file = open(self._atomic.tmp, "wb")
            return
        try:
            self._file = tempfile.TemporaryFile("w+b")
        except OSError:   # no writable temporary folder: the lines wait in memory
            self._file = io.BytesIO()

    def writes_to(self, out: Optional[str]) -> bool:
        """Whether the lines already go to the output file `out`."""
        return bool(out) and out == self.target and self._atomic is not None

    def finish(self) -> None:
        """The output's end written, and the output file put in place."""
        self._file.write(self.TAIL)
        self._file.close()
        self._file = None
        atomic, self._atomic = self._atomic, None
        try:
            atomic.commit()
        except BaseException:
            atomic.discard()
            raise

    def pieces(self) -> Iterator[str]:
        """The output's text, in pieces of 64 KB."""
        if self._file is None:
            yield self.empty()
            return
        self._file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
        for block in iter(lambda: self._file.read(1 << 16), b""):
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True) + self.TAIL.decode("utf-8")

    def close(self) -> None:
        """The temporary file closed, and removed when not put in place."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._atomic is not None:
            self._atomic.discard()
            self._atomic = None


class ContractSpool(_Spool):
    """The documents of a run kept for writing the JSON contract at its end: each
    document's line is written as the document comes (see _Spool), so that a run over
    many files holds one document's line at a time, not all of them (on figure-dense
    text the lines are about 8× the input's size). Its claims are let go as they are
    written; its findings, when still to come, are made as they are (see
    DocumentResult.findings_to_come)."""

    TAIL = b"\n]}\n"

    def _write(self, result: DocumentResult, out: IO[bytes]) -> None:
        out.write(b",\n" if self.documents else f'{{"version": {CONTRACT_VERSION}, "documents": [\n'.encode())
        result.write_contract(out, release_claims=True)
        result.encoded = None

    def empty(self) -> str:
        return f'{{"version": {CONTRACT_VERSION}, "documents": []}}\n'


class RowSpool(_Spool):
    """The JSON lines of a run's claims or findings (`what`), a document's written as it
    comes (see _Spool): kept with their documents until the end, they grew with the
    number of documents (12,000 one-paragraph files: 89 MB, against 66 MB for the JSON
    contract, which was written so)."""

    def __init__(self, what: str, target: Optional[str] = None, force: bool = True) -> None:
        super().__init__(target, force)
        self._rows = finding_records if what == "findings" else claim_records

    def _write(self, result: DocumentResult, out: IO[bytes]) -> None:
        result.take_findings_to_come()
        # a lone surrogate (a file name's bytes that are not UTF-8) as its escape in a file,
        # as it is in standard output's text, which writes it as the user's handler says
        errors = OUTPUT_ERRORS if self.target else "surrogatepass"
        lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in self._rows([result]))
        for chunk in in_chunks(lines):
            out.write("".join(chunk).encode("utf-8", errors))


class KeptResults(list):
    """The documents of a run kept, as they are, for a writer that needs them all at
    once (the tables, CSV, Parquet); what ContractSpool is for the JSON contract."""

    def add(self, result: DocumentResult) -> None:
        result.take_findings_to_come()
        self.append(result)

    def close(self) -> None:
        pass


def kept_for(fmt: str, out: Optional[str] = None, force: bool = True, what: str = "claims") -> "_Spool | KeptResults":
    """Where a run's documents wait, as they come, to be written in `fmt` (to `out`, or
    standard output) at its end: the JSON contract and JSON lines are written as the
    documents come; the tables need them all."""
    if fmt == "json":
        return ContractSpool(out, force)
    if fmt == "jsonl":
        return RowSpool(what, out, force)
    return KeptResults()


def claim_rows(results: Iterable[DocumentResult]) -> list[dict]:
    return list(claim_records(results))


_CLAIM_ATTRIBUTES = [col for col in CLAIM_COLUMNS if col != "path"]


def claim_records(results: Iterable[DocumentResult]) -> Iterator[dict]:
    """One dict per claim, CLAIM_COLUMNS in order, made as they are asked for (a dict of
    18 items is a kilobyte: those of every claim held at once were 30 times the size of a
    figure-dense document)."""
    for result in results:
        for claim in result.claims:
            row = claim.to_json()
            row["path"] = result.path
            yield {col: row[col] for col in CLAIM_COLUMNS}


_SURROGATES = re.compile("[\ud800-\udfff]")   # written as OUTPUT_ERRORS writes them (see models)


def escape_surrogates(text: str) -> str:
    """`text` with each lone surrogate written as its escape (\\udcff)."""
    if _SURROGATES.search(text) is None:
        return text
    return text.encode("utf-8", OUTPUT_ERRORS).decode("utf-8")


def escaped_texts(values: list) -> list:
    """The values of a text column, surrogates escaped (`escape_surrogates`); the list
    itself when none holds one, found by encoding the column's texts at once (a third
    of the time of searching them)."""
    try:
        joined = "".join(filter(None, values))
    except TypeError:   # not texts only: the texts are looked at
        joined = "".join([v for v in values if isinstance(v, str)])
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate is all that UTF-8 cannot encode
        return [escape_surrogates(v) if isinstance(v, str) else v for v in values]
    return values


def typed_frame(rows: list[dict], columns: list[str], dtypes: dict[str, str]):
    """A DataFrame of `rows` (dicts holding every column) with these columns, each of its
    dtype in `dtypes` ("string" when not named), texts with their surrogates escaped."""
    row_values = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    values_of = zip(*map(row_values, rows)) if rows else ([] for _ in columns)
    return columns_frame(dict(zip(columns, map(list, values_of))), columns, dtypes)


def columns_frame(data: dict[str, list], columns: list[str], dtypes: dict[str, str]):
    """`typed_frame` of the columns' values in lists (`data`, emptied as they go in)."""
    import pandas as pd

    typed = {}
    for col in columns:
        kind = dtypes.get(col, "string")
        values = data.pop(col)
        typed[col] = pd.array(escaped_texts(values) if kind == "string" else values, dtype=kind)
        del values
    return pd.DataFrame(typed, columns=columns)


def claims_frame(results: Iterable[DocumentResult]):
    """One row per claim, with stable columns and nullable dtypes; made a column at a
    time from the claims' attributes (a dict a claim, then a tuple a claim, were 40 times
    the size of a figure-dense document on top of its claims)."""
    data: dict[str, list] = {col: [] for col in CLAIM_COLUMNS}
    for result in results:
        data["path"].extend([result.path] * len(result.claims))
        for col in _CLAIM_ATTRIBUTES:
            data[col].extend(map(attrgetter(col), result.claims))
    return columns_frame(data, CLAIM_COLUMNS,
                         {"start": "Int64", "end": "Int64", "value": "Float64", "low": "Float64",
                          "high": "Float64", "precision": "Float64"})


def finding_rows(results: Iterable[DocumentResult]) -> list[dict]:
    """One flat row per finding: claim ids and texts joined by spaces / " | "."""
    return [row for result in results for row in document_finding_rows(result)]


def document_finding_rows(result: DocumentResult, release: bool = False) -> Iterator[dict]:
    """The rows of `finding_rows` for one document, made as they are asked for; with
    `release`, each finding is let go (its place in `result.findings` set to None) once
    its row is made."""
    findings = result.findings
    named = {c for finding in findings for c in finding.claims}
    texts = {c.id: c.text for c in result.claims if c.id in named}
    for k, finding in enumerate(findings):
        if release:
            findings[k] = None
        yield finding_row(result.path, finding, texts)


def finding_row(path: str, finding: Finding, texts: dict) -> dict:
    """The row of one finding of the document `path`; `texts` holds the text of each
    claim by id (an id it does not hold stands for itself)."""
    exp = finding.expected_interval or [None, None]
    act = finding.actual_interval or [None, None]
    return {
        "path": path, "id": finding.id, "check": finding.check, "severity": finding.severity,
        "message": finding.message, "claims": " ".join(finding.claims),
        "claim_texts": " | ".join(texts.get(c, c) for c in finding.claims),
        "start": finding.start, "end": finding.end, "expected": finding.expected,
        "actual": finding.actual, "expected_low": exp[0], "expected_high": exp[1],
        "actual_low": act[0], "actual_high": act[1], "gap": finding.gap, "unit": finding.unit,
        "repeats": " ".join(",".join(r) for r in finding.repeats),
    }


def finding_records(results: Iterable[DocumentResult]) -> list[dict]:
    """One finding per record as in the JSON contract, with a `path` field (JSON lines)."""
    return [{"path": result.path, **finding.to_json()} for result in results for finding in result.findings]


def findings_frame(results: Iterable[DocumentResult]):
    """One row per finding, with stable columns and nullable dtypes."""
    floats = ("expected_low", "expected_high", "actual_low", "actual_high", "gap")
    return typed_frame(finding_rows(results), FINDING_COLUMNS,
                       {"start": "Int64", "end": "Int64", **{col: "Float64" for col in floats}})


class OutputExists(FileExistsError):
    """An output file that is there already, and may not be overwritten (no --force)."""

    def __init__(self, path: str):
        super().__init__(f"{path}: exists; use --force to overwrite it")
        self.path = path


class OutputIsFolder(OutputExists):
    """An output named by a folder: no --force makes a report of it."""

    def __init__(self, path: str):
        FileExistsError.__init__(self, f"{path}: a folder; name the file to write")
        self.path = path


def refuse_existing(path: str | None, force: bool) -> None:
    """Raise OutputExists when `path` is there and `force` is not given (OutputIsFolder
    when it is a folder, force or not): checked before the work, and again when the
    output is put in place."""
    if path and os.path.isdir(path):
        raise OutputIsFolder(path)
    if path and not force and os.path.lexists(path):
        raise OutputExists(path)


class _AtomicFile:
    """A file made under a temporary name in the folder of `path` (`tmp`), put in place
    by commit(), so an interrupted run never leaves a truncated report. Without `force`
    an existing file is never replaced, not even one created while the report was being
    written (the temporary file is hard-linked to the name, which fails if it exists).

    A device, named pipe or socket that is there already (/dev/null, /dev/stdout, a
    FIFO a reader waits on) is written in place: `tmp` is `path` itself, and commit()
    and discard() leave it alone. Renamed over, the node itself was replaced by a
    regular file (as root, /dev/null). A block device (a disk) is refused: a report
    written into one would overwrite the disk. A symbolic link is followed: the file it
    names is replaced, beside itself, and the link stays."""

    def __init__(self, path: str, force: bool = True) -> None:
        refuse_existing(path, force)
        self.force, self.shown = force, path
        self.path = os.path.realpath(path) if os.path.islink(path) else path
        try:
            mode = os.stat(self.path).st_mode
        except OSError:
            mode = None   # not there yet (or not to be looked at): made beside, as a file
        if mode is not None and stat.S_ISBLK(mode):
            raise OSError(errno.EPERM, "a block device: no report is written into a disk")
        self.in_place = mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
        if self.in_place:
            self.tmp = self.path
            return
        fd, self.tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(self.path)), prefix=".factcheck-",
                                        suffix=".tmp")
        os.close(fd)

    def commit(self) -> None:
        if self.in_place:
            return
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.tmp, 0o666 & ~umask)   # mkstemp makes it 0600; a report is an ordinary file
        if self.force:
            os.replace(self.tmp, self.path)
            return
        try:
            os.link(self.tmp, self.path)
        except FileExistsError:
            raise OutputExists(self.shown) from None
        except OSError:  # no hard links on this file system
            refuse_existing(self.shown, self.force)
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)

    def discard(self) -> None:
        if not self.in_place and os.path.exists(self.tmp):
            os.unlink(self.tmp)


def _atomic_write(path: str, write, force: bool = True) -> None:
    """`write(tmp)` fills the temporary file of an _AtomicFile, then put in place."""
    atomic = _AtomicFile(path, force)
    try:
        write(atomic.tmp)
        atomic.commit()
    except BaseException:
        atomic.discard()
        raise


def write_text(path: str, text: "str | Iterable[str]", force: bool = True) -> None:
    """A text output (UTF-8), written atomically; `text` may come in pieces."""
    def _write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", errors=OUTPUT_ERRORS) as handle:
            handle.writelines([text] if isinstance(text, str) else text)
    _atomic_write(path, _write, force)


def write(results: "list[DocumentResult] | _Spool", fmt: str, out: str | None, what: str = "claims",
          force: bool = True) -> None:
    """Write claims (`what="claims"`) or findings (`what="findings"`); `json` always writes
    the whole contract, claims and findings (`results` may then be a ContractSpool, and
    for `jsonl` a RowSpool of the same `what`).
    Without `force`, an existing `out` is not overwritten (OutputExists)."""
    frame_of = findings_frame if what == "findings" else claims_frame
    rows_of = finding_records if what == "findings" else claim_records
    if fmt == "parquet":
        if not out:
            raise ValueError("--format parquet needs -o FILE")
        frame = frame_of(results)
        _atomic_write(out, lambda tmp: frame.to_parquet(tmp, index=False), force)
        return
    if fmt == "csv":
        frame = frame_of(results)
        if out:
            _atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False), force)
        else:
            frame.to_csv(sys.stdout, index=False)
        return
    if fmt in ("json", "jsonl") and isinstance(results, _Spool):
        if results.writes_to(out):
            results.finish()
            return
        text = results.pieces()
    elif fmt == "json":
        text = contract_pieces(results)
    elif fmt == "jsonl":
        # a line at a time: joined, the lines of a figure-dense document were 20 times its size
        text = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows_of(results))
    elif fmt == "table":
        build = _build_findings_table if what == "findings" else _build_table
        if out:
            text = _table_text(results, width=160, build=build)
        else:
            _print_table(results, sys.stdout, build=build)
            return
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if out:
        write_text(out, text, force)
    else:
        sys.stdout.writelines([text] if isinstance(text, str) else text)


def _fmt_number(value) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.6g}"


def _build_table(results: list[DocumentResult]):
    from rich.table import Table

    several = len(results) > 1
    table = Table(title="factcheck claims", show_lines=False)
    columns = ["id", "text (raw)", "value", "unit", "qualifier", "role", "metric", "subject", "period", "span"]
    for col in (["doc"] if several else []) + columns:
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "span", "value", "unit", "qualifier"))
    for result in results:
        name = os.path.basename(result.path)
        for c in result.claims:
            row = [c.id, c.text, _fmt_number(c.value), c.unit or "", c.qualifier, c.role,
                   c.metric or "", c.subject or "", c.period or "", f"{c.start}-{c.end}"]
            table.add_row(*(([name] if several else []) + row))
    return table


def _build_findings_table(results: list[DocumentResult]):
    from rich.table import Table

    several = len(results) > 1
    total = sum(len(r.findings) for r in results)
    table = Table(title=f"factcheck findings ({total})", show_lines=True)
    columns = ["id", "severity", "check", "message", "claims", "span"]
    for col in (["doc"] if several else []) + columns:
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "span", "severity"))
    styles = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    for result in results:
        name = os.path.basename(result.path)
        texts = {c.id: c.text for c in result.claims}
        for f in result.findings:
            claims = "\n".join(f"{c} {texts.get(c, '')}" for c in f.claims)
            if f.repeats:
                claims += f"\n(+{len(f.repeats)} repeat{'s' if len(f.repeats) > 1 else ''})"
            row = [f.id, f"[{styles.get(f.severity, '')}]{f.severity}[/]", f.check, f.message, claims,
                   f"{f.start}-{f.end}"]
            table.add_row(*(([name] if several else []) + row))
    return table


def _print_table(results: list[DocumentResult], stream: IO[str], build=None) -> None:
    from rich.console import Console

    width = None if stream.isatty() else 160
    Console(file=stream, width=width).print((build or _build_table)(results))


def _table_text(results: list[DocumentResult], width: int, build=None) -> str:
    from rich.console import Console

    with open(os.devnull, "w", encoding="utf-8", errors=OUTPUT_ERRORS) as sink:
        console = Console(width=width, record=True, file=sink)
        console.print((build or _build_table)(results))
    return console.export_text()


def claim_summary(claim: Claim) -> str:
    return f"{claim.id} {claim.text} = {_fmt_number(claim.value)} {claim.unit or ''} ({claim.qualifier}, {claim.role})"
