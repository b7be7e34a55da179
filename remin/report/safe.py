"""Output made safe to open in a spreadsheet (CSV/formula injection).

A part number or description from a supplier's file may begin with ``=``,
``+``, ``-`` or ``@`` (or a tab / carriage return): Excel and LibreOffice run
such a cell as a formula when they open a CSV file, and openpyxl writes such
a string into an xlsx as a formula. Every writer of a CSV or Excel output
passes text cells through here.

- CSV (and any text a spreadsheet may open): :func:`neutralise` / :func:`neutralise_frame`
  put an apostrophe in front, the convention spreadsheets show as "text".
- Excel written with openpyxl: :func:`protect_cell` / :func:`protect_row`
  (:func:`protected_row` for write-only sheets) keep
  the exact text but store it as a text cell with Excel's quote prefix, so it is
  never a formula, not even after the user edits the cell, and it reads back
  unchanged. Frames written with ``DataFrame.to_excel`` go through
  :func:`neutralise_frame` first.

Numbers are never touched: a negative quantity stays a number.
"""
from __future__ import annotations

import copy

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = r"^[=+\-@\t\r]"


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(value):
    """``value`` with an apostrophe in front if it is text a spreadsheet would run
    as a formula ("=1+1" -> "'=1+1"); anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`neutralise`
    (vectorised; numeric columns untouched)."""
    out = frame.copy()
    for col in out.columns:
        cells = out[col]
        if cells.dtype == object or pd.api.types.is_string_dtype(cells):
            text = cells.where(cells.map(type) == str) if cells.dtype == object else cells
            hit = text.astype("string").str.contains(_TRIGGER_PATTERN, regex=True).fillna(False).to_numpy(bool)
            if hit.any():
                out.loc[hit, col] = "'" + cells[hit].astype(str)
    return out


def protect_cell(cell):
    """Store a formula-like text value of an openpyxl cell as text (quote prefix
    on). Returns the cell."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell._style = copy.copy(cell._style)     # styles may be shared between cells (write-only reports)
        cell.quotePrefix = True
    return cell


def protect_row(cells) -> None:
    """:func:`protect_cell` for each cell of a row (e.g. ``ws[ws.max_row]`` after ``ws.append``)."""
    for cell in cells:
        protect_cell(cell)


def protected_row(ws, values) -> list:
    """``values`` made safe for ``ws.append`` on a write-only sheet (where cells cannot
    be changed after the append): formula-like text becomes a protected text cell,
    cells are protected, anything else passes as it is."""
    from openpyxl.cell import WriteOnlyCell
    out = []
    for v in values:
        if is_formula_like(v):
            v = WriteOnlyCell(ws, v)
        if hasattr(v, "data_type") and hasattr(v, "value"):
            protect_cell(v)
        out.append(v)
    return out
