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
    """Column widths fitted to a sample of the content, a frozen header and a filter on
    it: set before the rows, as a sheet written as it goes needs them."""
    from openpyxl.utils import get_column_letter

    for n, col in enumerate(frame.columns, 1):
        values = frame[col].dropna().astype(str).head(2000)   # a sample is enough to size a column
        widest = max([display_width(col)] + [display_width(v) for v in values])
        sheet.column_dimensions[get_column_letter(n)].width = min(MAX_WIDTH, widest + 2)
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"


def _write_rows(sheet, frame) -> None:
    """The header, then a row at a time, as pandas' `to_excel` writes them (a missing
    value is an empty text, an infinite figure the text inf; figures get NUMBER_FORMAT,
    missing ones too), into a sheet that writes each row as it comes: `to_excel` made a
    cell object for every value, hundreds of megabytes for a figure-dense document."""
    import math

    import pandas as pd
    from openpyxl.cell import WriteOnlyCell

    figures = {n for n, col in enumerate(frame.columns) if str(frame[col].dtype) in ("Float64", "float64")}

    def cell(n: int, value):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            value = ""
        elif isinstance(value, float) and math.isinf(value):
            value = "inf" if value > 0 else "-inf"
        if n not in figures:
            return value
        made = WriteOnlyCell(sheet, value=value)
        made.number_format = NUMBER_FORMAT
        return made

    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        sheet.append([cell(n, value) for n, value in enumerate(row)])


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
    from openpyxl import Workbook

    sheets = {name: _clean(frame) for name, frame in sheets_of(analysis).items()}

    def _write(tmp: str) -> None:
        book = Workbook(write_only=True)
        for name, frame in sheets.items():
            sheet = book.create_sheet(name)
            _fit_columns(sheet, frame)
            _write_rows(sheet, frame)
        book.save(tmp)

    _atomic_write(path, _write, force)
