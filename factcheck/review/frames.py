"""The documents DataFrame (claims and findings frames are in `factcheck.report`)."""
from __future__ import annotations

from typing import Iterable

DOCUMENT_COLUMNS = ["path", "sha256", "encoding", "reference_year", "characters", "claims", "findings",
                    "errors_found", "warnings_found", "infos_found", "errors"]
_INTS = ("reference_year", "characters", "claims", "findings", "errors_found", "warnings_found", "infos_found")


def document_rows(documents: Iterable) -> list[dict]:
    """One row per document (`factcheck.api.Document`): counts of claims and of findings
    by severity; `errors`: the input's problems, one per line (null when none);
    `characters` is null when the input could not be read (or was a big standard input,
    streamed and not kept)."""
    rows = []
    for doc in documents:
        result = doc.result
        severities = [f.severity for f in result.findings]
        characters = doc.characters   # first: a streamed file learns its encoding on the way
        rows.append({
            "path": result.path, "sha256": result.sha256, "encoding": doc.encoding,
            "reference_year": result.reference_year,
            "characters": characters,
            "claims": len(result.claims), "findings": len(result.findings),
            "errors_found": severities.count("error"), "warnings_found": severities.count("warning"),
            "infos_found": severities.count("info"),
            "errors": "\n".join(result.errors) if result.errors else None,
        })
    return rows


def documents_frame(documents: Iterable):
    """One row per document, with stable columns (DOCUMENT_COLUMNS) and nullable dtypes."""
    from ..report import typed_frame

    return typed_frame(document_rows(documents), DOCUMENT_COLUMNS, {col: "Int64" for col in _INTS})
