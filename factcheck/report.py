"""Writers: the JSON contract, JSON lines, CSV, Parquet and a terminal table."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import IO, Iterable

from .models import Claim, DocumentResult

CONTRACT_VERSION = 1
CLAIM_COLUMNS = ["path", "id", "rule", "metric", "subject", "period", "text", "start", "end", "value",
                 "unit", "dimension", "qualifier", "low", "high", "precision", "role", "refers_to"]


def to_contract(results: Iterable[DocumentResult]) -> dict:
    return {"version": CONTRACT_VERSION, "documents": [r.to_json() for r in results]}


def claim_rows(results: Iterable[DocumentResult]) -> list[dict]:
    rows = []
    for result in results:
        for claim in result.claims:
            row = claim.to_json()
            row["path"] = result.path
            rows.append({col: row.get(col) for col in CLAIM_COLUMNS})
    return rows


def claims_frame(results: Iterable[DocumentResult]):
    """One row per claim, with stable columns and nullable dtypes."""
    import pandas as pd

    frame = pd.DataFrame(claim_rows(results), columns=CLAIM_COLUMNS)
    dtypes = {"start": "Int64", "end": "Int64", "value": "Float64", "low": "Float64",
              "high": "Float64", "precision": "Float64"}
    for col in CLAIM_COLUMNS:
        frame[col] = frame[col].astype(dtypes.get(col, "string"))
    return frame


def _atomic_write(path: str, write) -> None:
    """Write through a temporary file in the same folder, renamed into place, so an
    interrupted run never leaves a truncated report."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".factcheck-", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write(results: list[DocumentResult], fmt: str, out: str | None) -> None:
    if fmt == "parquet":
        if not out:
            raise ValueError("--format parquet needs -o FILE")
        frame = claims_frame(results)
        _atomic_write(out, lambda tmp: frame.to_parquet(tmp, index=False))
        return
    if fmt == "csv":
        frame = claims_frame(results)
        if out:
            _atomic_write(out, lambda tmp: frame.to_csv(tmp, index=False))
        else:
            frame.to_csv(sys.stdout, index=False)
        return
    if fmt == "json":
        text = json.dumps(to_contract(results), ensure_ascii=False, indent=1) + "\n"
    elif fmt == "jsonl":
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in claim_rows(results))
    elif fmt == "table":
        if out:
            text = _table_text(results, width=160)
        else:
            _print_table(results, sys.stdout)
            return
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if out:
        def _write_text(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(text)
        _atomic_write(out, _write_text)
    else:
        sys.stdout.write(text)


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


def _print_table(results: list[DocumentResult], stream: IO[str]) -> None:
    from rich.console import Console

    width = None if stream.isatty() else 160
    Console(file=stream, width=width).print(_build_table(results))


def _table_text(results: list[DocumentResult], width: int) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, file=open(os.devnull, "w"))
    console.print(_build_table(results))
    return console.export_text()


def claim_summary(claim: Claim) -> str:
    return f"{claim.id} {claim.text} = {_fmt_number(claim.value)} {claim.unit or ''} ({claim.qualifier}, {claim.role})"
