"""The spreadsheet: sheets `claims` and `findings` (and `documents` when there are
several), the frames of `factcheck.api.Analysis` written through pandas and openpyxl,
each with a frozen header, a filter on it and column widths fitted to the content."""
from __future__ import annotations

import re
import unicodedata

from ..report import _atomic_write

MAX_ROWS = 1_048_575          # an Excel sheet's rows, minus the header
MAX_CELL = 32_767             # characters in one Excel cell
MAX_WIDTH = 60                # a column is never wider than this (characters)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")   # openpyxl refuses these


def _cell_text(value):
    """What openpyxl can store: no control characters (shown as U+FFFD), not too long."""
    if isinstance(value, str):
        value = _ILLEGAL.sub("\ufffd", value)
        if len(value) > MAX_CELL:
            value = value[:MAX_CELL - 1] + "…"
    return value


def _clean(frame):
    for col in frame.columns:
        if str(frame[col].dtype) == "string":
            frame[col] = frame[col].map(_cell_text, na_action="ignore").astype("string")
    return frame


def display_width(text: str) -> int:
    """Columns a text takes: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Figures shown in full with thousands separators (1,415,130,000,000, not 1.41513E+12);
# up to six decimals, which a value scaled from 亿 or a percentage may carry.
NUMBER_FORMAT = "#,##0.######"


def _fit_columns(sheet, frame) -> None:
    from openpyxl.utils import get_column_letter

    for n, col in enumerate(frame.columns, 1):
        if str(frame[col].dtype) in ("Float64", "float64"):
            for (cell,) in sheet.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=n, max_col=n):
                cell.number_format = NUMBER_FORMAT
        values = frame[col].dropna().astype(str).head(2000)   # a sample is enough to size a column
        widest = max([display_width(col)] + [display_width(v) for v in values])
        sheet.column_dimensions[get_column_letter(n)].width = min(MAX_WIDTH, widest + 2)
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"


def sheets_of(analysis) -> dict:
    """Sheet name -> DataFrame, in the order they are written."""
    sheets = {"claims": analysis.claims_frame(), "findings": analysis.findings_frame()}
    if len(analysis.documents) > 1:
        sheets["documents"] = analysis.documents_frame()
    for name, frame in sheets.items():
        if len(frame) > MAX_ROWS:
            raise ValueError(f"{len(frame)} {name}: more than an Excel sheet holds ({MAX_ROWS} rows); "
                             "use factcheck check --format parquet")
    return sheets


def write_xlsx(analysis, path: str, force: bool = True) -> None:
    import pandas as pd

    sheets = {name: _clean(frame) for name, frame in sheets_of(analysis).items()}

    def _write(tmp: str) -> None:
        # a file object: pandas picks the format by a path's suffix, and the temporary's is .tmp
        with open(tmp, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=name, index=False)
                _fit_columns(writer.sheets[name], frame)

    _atomic_write(path, _write, force)
