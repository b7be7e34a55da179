"""What every reader returns: a sheet of text cells with the row number of each
row as the user sees it (Excel row, or line of a CSV), before any field mapping."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from remin.columns import header_score

#: Rows searched for the header row (title lines sit above it in many exports).
HEADER_SEARCH_ROWS = 50


@dataclass
class RawSheet:
    file: str                 # the path as the user gave it
    sheet: str | None         # None for CSV/TSV
    frame: pd.DataFrame       # text cells, NA for blanks; columns = header cells (made unique)
    rows: np.ndarray          # 1-based row number of each frame row in the file
    header_row: int | None    # 1-based row number of the header
    decimal: str = "."
    findings: list = field(default_factory=list)


def find_header(rows: list[list]) -> int | None:
    """Index of the row that looks most like a header (at least two known fields)."""
    best, best_score = None, 1
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = header_score(cells)
        if score > best_score:
            best, best_score = i, score
    return best


def unique_headers(cells) -> list[str]:
    """Header texts made unique ('Qty', 'Qty (2)'); blank headers become 'column N'."""
    out, seen = [], {}
    for i, c in enumerate(cells):
        text = "" if c is None or (isinstance(c, float) and c != c) else str(c).strip()
        text = text or f"column {i + 1}"
        n = seen.get(text, 0)
        seen[text] = n + 1
        out.append(text if n == 0 else f"{text} ({n + 1})")
    return out


def duplicate_headers(cells, unique: list[str], file: str, sheet: str | None, row: int | None) -> list:
    """A ``duplicate-column`` finding for each header written twice: the first
    column is used, a later one is renamed 'Qty (2)' and left unmapped."""
    from remin.findings import finding
    out = []
    for original, renamed in zip(cells, unique):
        text = "" if original is None else str(original).strip()
        if text and renamed != text:
            out.append(finding("duplicate-column", f"two columns are headed {text!r}: the first is used, this one "
                               f"is read as {renamed!r} (rename it, or name the one to use in a --map file)",
                               file=file, sheet=sheet, row=row, column=renamed))
    return out


def drop_blank_rows(frame: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Remove rows whose cells are all blank; keep the row numbers of the rest."""
    keep = frame.notna().any(axis=1).to_numpy()
    if keep.all():
        return frame, rows
    return frame.loc[keep].reset_index(drop=True), rows[keep]


def cut_long_cells(frame: pd.DataFrame, rows: np.ndarray, file: str, sheet: str | None, limit: int) -> list:
    """Cut cells longer than ``limit`` characters (in place) and report each
    column once with its first row: a cell that long is pasted data, not a part
    number or a quantity."""
    from remin.findings import finding
    out = []
    for col in frame.columns:
        cells = frame[col]
        if cells.dtype == object or pd.api.types.is_string_dtype(cells):
            lengths = cells.str.len()
            long = (lengths > limit).fillna(False).to_numpy(bool)
            if long.any():
                first = int(np.flatnonzero(long)[0])
                out.append(finding("cell-truncated", f"{int(long.sum())} cell(s) longer than {limit:,} "
                                   f"characters (the longest has {int(lengths.max()):,}) were cut to {limit:,} "
                                   "(raise the limit with --max-cell-chars)",
                                   file=file, sheet=sheet, row=int(rows[first]), column=str(col)))
                frame.loc[long, col] = cells[long].str.slice(0, limit)
    return out
