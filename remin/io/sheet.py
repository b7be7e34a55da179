"""What every reader returns: a sheet of text cells with the row number of each
row as the user sees it (Excel row, or line of a CSV), before any field mapping."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
        # a row names at most one field per non-blank cell: a row with no more such cells
        # than the best score cannot beat it (data rows below a full header are not scored)
        if _non_blank(cells) <= best_score:
            continue
        score = header_score(cells)
        if score > best_score:
            best, best_score = i, score
    return best


def _non_blank(cells) -> int:
    """Cells that could name a field: not None, NaN, or only whitespace."""
    return sum(1 for c in cells if c is not None and not (isinstance(c, float) and c != c) and str(c).strip())


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


def clean_text(cells: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """Cells trimmed of whitespace, blank ones null (in Arrow: no Python strings)."""
    trimmed = pc.utf8_trim_whitespace(cells)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)


def text_frame(columns: dict[str, pa.Array | pa.ChunkedArray], rows: np.ndarray, file: str, sheet: str | None,
               limit: int) -> tuple[pd.DataFrame, np.ndarray, list]:
    """The RawSheet frame from cleaned text columns (Arrow): cells longer than ``limit``
    characters cut (with a finding per column), rows without any cell dropped, each column
    an Arrow-backed string column of pandas (no Python objects on the way).
    Returns (frame, row numbers of its rows, findings)."""
    findings = cut_long_cells(columns, rows, file, sheet, limit)
    columns, rows = drop_blank_rows(columns, rows)
    # pandas' Arrow strings store large_string: cast here, cheaper than pandas' own cast; the
    # arrays wrap the Arrow data as they are (no Series each, nothing to align)
    frame = pd.DataFrame({name: pd.arrays.ArrowStringArray(cells.cast(pa.large_string()))
                          for name, cells in columns.items()}, copy=False)
    return frame, rows, findings


def arrow_columns(frame: pd.DataFrame) -> dict[str, pa.ChunkedArray]:
    """A pandas frame of text (object or string columns, NA for blanks) as Arrow columns."""
    return {name: pa.chunked_array([pa.array(frame[name], type=pa.large_string(), from_pandas=True)])
            for name in frame.columns}


def drop_blank_rows(columns: dict, rows: np.ndarray) -> tuple[dict, np.ndarray]:
    """Remove rows whose cells are all null; keep the row numbers of the rest."""
    if not columns or any(cells.null_count == 0 for cells in columns.values()):
        return columns, rows
    keep = np.zeros(len(rows), dtype=bool)
    for cells in columns.values():
        keep |= pc.is_valid(cells).to_numpy(zero_copy_only=False)
    if keep.all():
        return columns, rows
    mask = pa.array(keep)
    return {name: cells.filter(mask) for name, cells in columns.items()}, rows[keep]


def cut_long_cells(columns: dict, rows: np.ndarray, file: str, sheet: str | None, limit: int) -> list:
    """Cut cells longer than ``limit`` characters (replacing the column in ``columns``) and
    report each column once with its first row: a cell that long is pasted data, not a part
    number or a quantity. A column whose longest cell has at most ``limit`` bytes (a
    character is at least one byte) is not looked at again."""
    from remin.findings import finding
    out = []
    for name, cells in columns.items():
        if cells.null_count == len(cells) or _longest_bytes(cells) <= limit:
            continue
        lengths = pc.utf8_length(cells)
        long = pc.fill_null(pc.greater(lengths, limit), False)
        n_long = pc.sum(long).as_py() or 0
        if not n_long:
            continue
        first = int(np.flatnonzero(long.to_numpy(zero_copy_only=False))[0])
        out.append(finding("cell-truncated", f"{n_long} cell(s) longer than {limit:,} characters (the longest "
                           f"has {pc.max(lengths).as_py():,}) were cut to {limit:,} (raise the limit with "
                           "--max-cell-chars)", file=file, sheet=sheet, row=int(rows[first]), column=str(name)))
        columns[name] = pc.if_else(long, pc.utf8_slice_codeunits(cells, 0, limit), cells)
    return out


def _longest_bytes(cells: pa.Array | pa.ChunkedArray) -> int:
    """Bytes of the longest cell (at least; a null slot may span bytes), from the offsets
    alone: cheaper than computing every cell's length."""
    if not (pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type)):
        cells = cells.cast(pa.large_string())
    longest = 0
    for chunk in getattr(cells, "chunks", [cells]):
        if len(chunk):
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
            longest = max(longest, int(np.diff(offsets).max()))
    return longest
