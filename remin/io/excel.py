"""Excel / OpenDocument reader (xlsx, xlsm, xls, xlsb, ods) on fastexcel, the Rust
calamine reader that hands Arrow data to pandas: several times faster than
openpyxl. Each sheet becomes a RawSheet of text cells with Excel row numbers."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import fastexcel

from remin.errors import InputError
from remin.findings import finding
from remin.io.sheet import HEADER_SEARCH_ROWS, RawSheet, drop_blank_rows, find_header, unique_headers


def read_excel(path: str | Path, display_name: str | None = None) -> list[RawSheet]:
    """Read every visible sheet of a workbook; a sheet without a header row is
    reported (``no-header-row``/``empty-sheet``) rather than raised, so one odd
    sheet does not stop the rest."""
    path = Path(path)
    name = display_name or str(path)
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as e:  # noqa: BLE001 - calamine raises several types for corrupt files
        raise InputError(f"cannot open as a spreadsheet ({_reason(e)}); expected an .xlsx, .xlsm, "
                         ".xls or .ods workbook", file=name) from None
    sheets: list[RawSheet] = []
    for sheet_name in reader.sheet_names:
        sheets.append(_read_sheet(reader, sheet_name, name))
    return sheets


def _reason(e: Exception) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:200]


def _read_sheet(reader, sheet_name: str, name: str) -> RawSheet:
    # header_row=0 keeps absolute row indices: row 1 is the "header", data row j is Excel row j + 2.
    try:
        peek = reader.load_sheet(sheet_name, header_row=0, n_rows=HEADER_SEARCH_ROWS, dtypes="string")
        visible = peek.visible
        top = peek.to_pandas()
    except Exception as e:  # noqa: BLE001
        raise InputError(f"cannot read sheet ({_reason(e)})", file=name, sheet=sheet_name) from None
    first = [None if str(c).startswith("__UNNAMED__") else c for c in top.columns]
    rows = [first] + top.astype(object).where(top.notna(), None).values.tolist()
    empty = RawSheet(name, sheet_name, pd.DataFrame(), np.array([], dtype=int), None)
    if not any(any(c not in (None, "") for c in r) for r in rows):
        empty.findings.append(finding("empty-sheet", "the sheet has no cells", file=name, sheet=sheet_name))
        return empty
    h = find_header(rows)
    if h is None:
        empty.findings.append(finding(
            "sheet-skipped", "no header row found in the first 50 rows (expected headers such as "
            "'Part Number', 'Qty', 'Level'); the sheet is not used", file=name, sheet=sheet_name))
        return empty
    header = unique_headers(rows[h])
    try:
        full = reader.load_sheet(sheet_name, header_row=h, dtypes="string").to_pandas()
    except Exception as e:  # noqa: BLE001
        raise InputError(f"cannot read sheet ({_reason(e)})", file=name, sheet=sheet_name) from None
    full = full.iloc[:, :len(header)]
    full.columns = header[:full.shape[1]]
    for missing in header[full.shape[1]:]:
        full[missing] = pd.NA
    row_numbers = np.arange(len(full)) + h + 2
    full = full.apply(lambda s: s.str.strip()).replace("", pd.NA) if len(full) else full
    frame, row_numbers = drop_blank_rows(full, row_numbers)
    sheet = RawSheet(name, sheet_name, frame, row_numbers, h + 1, ".")
    if visible != "visible":
        sheet.findings.append(finding("hidden-sheet", f"the sheet is {visible} in Excel; it is read like any other",
                                      file=name, sheet=sheet_name))
    if frame.empty:
        sheet.findings.append(finding("empty-sheet", "the sheet has a header but no data rows",
                                      file=name, sheet=sheet_name, row=h + 1))
    return sheet
