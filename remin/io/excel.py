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
from remin.io.guard import PASSWORD_MESSAGE, check_workbook, column_letters
from remin.io.sheet import (HEADER_SEARCH_ROWS, RawSheet, arrow_columns, clean_text, duplicate_headers, find_header,
                            text_frame, unique_headers)
from remin.io.states import sheet_states
from remin.limits import SETTINGS, current


def read_excel(path: str | Path, display_name: str | None = None) -> list[RawSheet]:
    """Read every visible sheet of a workbook; a sheet without a header row is
    reported (``no-header-row``/``empty-sheet``) rather than raised, so one odd
    sheet does not stop the rest. The workbook is checked first (remin.io.guard):
    password-protected files, zip bombs and sheets spanning more than
    ``max_cells`` are refused before the Rust reader sees them."""
    path = Path(path)
    name = display_name or str(path)
    facts = check_workbook(path, name)
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as e:  # noqa: BLE001 - calamine raises several types for corrupt files
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise InputError(PASSWORD_MESSAGE, file=name) from None
        raise InputError(f"cannot open as a spreadsheet ({_reason(e)}); expected an .xlsx, .xlsm, "
                         ".xls or .ods workbook", file=name) from None
    merges = _merged_ranges(path) if facts.merged else {}
    states = sheet_states(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    if list(states) != reader.sheet_names:      # not the sheets fastexcel sees: ask fastexcel
        states = {}
    sheets: list[RawSheet] = []
    for sheet_name in reader.sheet_names:
        sheets.append(_read_sheet(reader, sheet_name, name, merges.get(sheet_name, ()), states.get(sheet_name)))
    return sheets


def _reason(e: Exception) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:200]


def _merged_ranges(path: Path) -> dict[str, list]:
    """Merged ranges per sheet, ((row0, col0), (row1, col1)) 0-based inclusive,
    from python-calamine (fastexcel does not expose them)."""
    try:
        import python_calamine
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        out = {}
        for sheet_name in book.sheet_names:
            ranges = book.get_sheet_by_name(sheet_name).merged_cell_ranges
            if ranges:
                out[sheet_name] = list(ranges)
        return out
    except Exception:  # noqa: BLE001 - merges are a refinement; fastexcel already read the cells
        return {}


def _read_sheet(reader, sheet_name: str, name: str, merges=(), visible: str | None = None) -> RawSheet:
    # One load of the whole sheet (calamine parses all of it whatever n_rows says): the header
    # is looked for in its first rows, the data are the rows below. header_row=None with
    # skip_rows=0 keeps leading blank rows: batch row i is Excel row i + 1. The eager load is
    # the cheaper one; the lazy one also tells the visibility and where columns start (merges).
    lim = current()
    options = dict(header_row=None, skip_rows=0, n_rows=HEADER_SEARCH_ROWS + lim.max_rows + 1, dtypes="string",
                   use_columns=lambda c: c.index <= lim.max_columns)
    try:
        if visible is not None and not merges:
            batch, col_offset = reader.load_sheet(sheet_name, eager=True, **options), 0
        else:
            loaded = reader.load_sheet(sheet_name, **options)
            visible = loaded.visible
            col_offset = loaded.selected_columns[0].absolute_index if loaded.width else 0
            batch = loaded.to_arrow()
    except Exception as e:  # noqa: BLE001
        raise InputError(f"cannot read sheet ({_reason(e)})", file=name, sheet=sheet_name) from None
    top = batch.slice(0, HEADER_SEARCH_ROWS).to_pydict().values()
    rows = [list(cells) for cells in zip(*top)]
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
    # columns end at the header's last cell: cells further right have no header to map them by,
    # and a stray value in column XFD would make 16,384 columns of per-column work
    width = max(i for i, c in enumerate(rows[h]) if c not in (None, "")) + 1
    if width > lim.max_columns:
        raise InputError(f"the header row has {width:,} columns, more than the limit of {lim.max_columns:,} "
                         f"(raise it with --max-columns or {SETTINGS['max_columns'][0]})",
                         file=name, sheet=sheet_name, row=h + 1)
    header = unique_headers(rows[h][:width])
    data = batch.slice(h + 1)
    if data.num_rows > lim.max_rows:
        raise InputError(f"the sheet has more than {lim.max_rows:,} data rows, the limit (raise it with "
                         f"--max-rows or {SETTINGS['max_rows'][0]})", file=name, sheet=sheet_name)
    row_numbers = np.arange(data.num_rows) + h + 2
    findings = duplicate_headers(rows[h], header, name, sheet_name, h + 1)
    if merges:
        columns, merge_findings = _filled_columns(data, header, row_numbers, col_offset, merges, name, sheet_name)
        findings += merge_findings
    else:
        columns = {text: clean_text(data.column(i)) for i, text in enumerate(header)}
    frame, row_numbers, cut = text_frame(columns, row_numbers, name, sheet_name, lim.max_cell_chars)
    findings += cut
    sheet = RawSheet(name, sheet_name, frame, row_numbers, h + 1, ".", findings)
    if visible != "visible":
        sheet.findings.append(finding("hidden-sheet", f"the sheet is {visible} in Excel; it is read like any other",
                                      file=name, sheet=sheet_name))
    if frame.empty:
        sheet.findings.append(finding("empty-sheet", "the sheet has a header but no data rows",
                                      file=name, sheet=sheet_name, row=h + 1))
    return sheet


def _filled_columns(data, header, row_numbers, col_offset, merges, name, sheet_name):
    """Cleaned text columns with merged ranges filled in (pandas: only workbooks with merges)."""
    full = pd.DataFrame({text: data.column(i).to_pandas() for i, text in enumerate(header)})
    findings = _fill_merged(full, row_numbers, col_offset, merges, name, sheet_name)
    return {text: clean_text(cells) for text, cells in arrow_columns(full).items()}, findings


def _fill_merged(full: pd.DataFrame, row_numbers: np.ndarray, col_offset: int, merges, name, sheet_name):
    """Give every cell of a merged range the value Excel shows in it (the top-left
    cell's), for ranges whose top-left cell is a data cell. In place."""
    first_row = int(row_numbers[0]) - 1 if len(row_numbers) else 0     # 0-based sheet row of frame row 0
    n_rows, n_cols = full.shape
    filled = []
    for (r0, c0), (r1, c1) in merges:
        i0, j0 = r0 - first_row, c0 - col_offset
        if not (0 <= i0 < n_rows and 0 <= j0 < n_cols) or (r1 == r0 and c1 == c0):
            continue
        i1, j1 = min(r1 - first_row, n_rows - 1), min(c1 - col_offset, n_cols - 1)
        value = full.iat[i0, j0]
        if pd.isna(value):
            continue
        full.iloc[i0:i1 + 1, j0:j1 + 1] = value
        filled.append(f"{column_letters(c0 + 1)}{r0 + 1}:{column_letters(c1 + 1)}{r1 + 1}")
    if not filled:
        return []
    shown = ", ".join(filled[:5]) + (f" and {len(filled) - 5} more" if len(filled) > 5 else "")
    return [finding("merged-cells", f"{len(filled)} merged range(s) ({shown}): every cell of a merged range "
                    "takes the value Excel shows in it; check that this is what the rows mean",
                    file=name, sheet=sheet_name)]
