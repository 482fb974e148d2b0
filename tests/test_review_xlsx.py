"""The spreadsheet: sheets claims, findings (documents for several files), a frozen header,
column widths, the frames' content."""
import pandas as pd
import pytest

from conftest import FIXTURES, SEED

CHECKS = FIXTURES / "checks"


def written(tmp_path, *sources, **kwargs):
    from factcheck import analyze

    analysis = analyze(list(sources), **kwargs) if sources else analyze(**kwargs)
    out = tmp_path / "out.xlsx"
    analysis.write_xlsx(str(out))
    return analysis, out


def test_one_document_two_sheets_with_the_frames(tmp_path):
    import openpyxl

    analysis, out = written(tmp_path, CHECKS / "implied_prior_fail.hans.txt")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["claims", "findings"]
    sheets = pd.read_excel(out, sheet_name=None)
    claims, expected = sheets["claims"], analysis.claims_frame()
    assert list(claims.columns) == list(expected.columns)
    assert claims["text"].tolist() == expected["text"].tolist()
    assert claims["start"].tolist() == expected["start"].tolist()
    assert claims["value"].tolist() == pytest.approx(expected["value"].astype(float).tolist())
    assert claims["refers_to"].isna().tolist() == expected["refers_to"].isna().tolist()
    findings = sheets["findings"]
    assert findings.loc[0, "check"] == "implied_prior" and findings.loc[0, "claims"] == "c2 c3 c1"
    for name in ("claims", "findings"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
    widths = {c: book["claims"].column_dimensions[c].width for c in "ABCG"}
    # path is long, id short; the text column is sized for wide (CJK) characters
    assert widths["A"] > widths["B"] and widths["B"] <= 6
    assert widths["G"] >= 2 * len("186.5亿美元") - 4


def test_several_documents_add_a_documents_sheet(tmp_path):
    import openpyxl

    missing = tmp_path / "missing.txt"
    analysis, out = written(tmp_path, SEED, CHECKS / "direction_fail.hans.txt", missing)
    assert openpyxl.load_workbook(out, read_only=True).sheetnames == ["claims", "findings", "documents"]
    documents = pd.read_excel(out, sheet_name="documents")
    assert documents["path"].tolist() == [str(SEED), str(CHECKS / "direction_fail.hans.txt"), str(missing)]
    assert documents["claims"].tolist() == [306, len(analysis.results[1].claims), 0]
    assert documents["errors_found"].tolist() == [0, 3, 0]
    assert documents.loc[2, "errors"] == f"{missing}: no such file"
    claims = pd.read_excel(out, sheet_name="claims")
    assert len(claims) == 306 + len(analysis.results[1].claims)


def test_characters_excel_refuses_are_replaced(tmp_path):
    from factcheck.review.xlsx import _cell_text, display_width

    assert _cell_text("a\x01b\x1fc") == "a\ufffdb\ufffdc"
    assert _cell_text("x" * 40000).endswith("…") and len(_cell_text("x" * 40000)) == 32767
    assert display_width("亿美元ab") == 8
    # a document name with a control character still gives a workbook
    _, out = written(tmp_path, text="面积48.5万平方公里", name="<memo\x07>")
    assert pd.read_excel(out, sheet_name="claims")["path"].tolist() == ["<memo\ufffd>"]


def test_figures_are_shown_in_full_not_in_scientific_notation(tmp_path):
    import openpyxl

    from factcheck.review.xlsx import NUMBER_FORMAT

    analysis, out = written(tmp_path, SEED)
    sheet = openpyxl.load_workbook(out)["claims"]
    header = [cell.value for cell in sheet[1]]
    value_column = header.index("value") + 1
    formats = {sheet.cell(row=r, column=value_column).number_format for r in range(2, sheet.max_row + 1)}
    assert formats == {NUMBER_FORMAT}
    id_column = header.index("id") + 1
    assert sheet.cell(row=2, column=id_column).number_format == "General"   # text stays text


def _cells(path):
    """Every cell as openpyxl reads it back (value, type, format, font, border, alignment),
    with each sheet's widths, frozen panes and filter."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {sheet.title: ({k: d.width for k, d in sheet.column_dimensions.items()}, sheet.freeze_panes,
                          sheet.auto_filter.ref,
                          [(c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.border.top.style,
                            c.alignment.horizontal) for row in sheet.iter_rows() for c in row])
            for sheet in book}


def test_the_sheets_are_what_pandas_to_excel_writes(tmp_path):
    """Written a row at a time into a write-only workbook, the spreadsheet is cell for cell
    what `DataFrame.to_excel` writes with the number format set afterwards (as it was
    made before): missing values, figures, texts, the header, widths, filter."""
    from openpyxl.utils import get_column_letter

    from factcheck.review.xlsx import NUMBER_FORMAT, _clean, _fit_columns, sheets_of

    missing = tmp_path / "missing.txt"
    analysis, out = written(tmp_path, SEED, CHECKS / "implied_prior_fail.hans.txt", CHECKS / "direction_fail.hans.txt",
                            missing)
    reference = tmp_path / "pandas.xlsx"
    with pd.ExcelWriter(reference, engine="openpyxl") as writer:
        for name, frame in sheets_of(analysis).items():
            frame = _clean(frame)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for n, col in enumerate(frame.columns, 1):
                if str(frame[col].dtype) == "Float64":
                    for (cell,) in sheet[f"{get_column_letter(n)}2:{get_column_letter(n)}{len(frame) + 1}"]:
                        cell.number_format = NUMBER_FORMAT
            _fit_columns(sheet, frame)
    got, expected = _cells(out), _cells(reference)
    assert list(got) == ["claims", "findings", "documents"]
    assert any(cell[1] is None for cell in got["findings"][3]) and len(got["claims"][3]) > 18 * 306
    assert got == expected


def test_writing_the_spreadsheet_holds_a_row_at_a_time():
    """The densest fixture 40 times: `to_excel` made a cell object for every value and
    peaked at 77 times the file it wrote; written as it goes, 3 times."""
    from conftest import writing_peak

    assert writing_peak("factcheck.review.xlsx:write_xlsx") < 10
