"""Indented BOMs: level cells to integer levels, and each row's parent row.

Accepted level notations: integers (0, 1, 2 …), SAP dots ('.1', '..2', '...3'),
and outline numbers ('1', '1.2', '1.2.3' — the number of parts is the depth).
A row's parent is the nearest row above it whose level is one less.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# ASCII digits only: \d also matches '１２' and '٣', which pandas cannot turn into numbers
_INT = r"^\s*[+]?[0-9]+(?:\.0+)?\s*$"
_SAP = r"^\s*\.+\s*[0-9]+\s*$"
_OUTLINE = r"^\s*[0-9]+(?:\.[0-9]+)+\.?\s*$"


def parse_levels(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(levels as float with NaN where unreadable, mask of unreadable non-blank cells).

    Outline numbering is chosen when any cell has the form '1.2'; then a plain '1'
    is depth 1 and a blank cell (the product row above the outline) is depth 0.
    """
    fast = _integer_levels(cells)
    if fast is not None:
        return fast, np.zeros(len(cells), dtype=bool)
    text = cells.astype("string").str.strip()
    blank = text.isna() | (text == "")
    is_int = text.str.match(_INT).fillna(False).to_numpy(bool)
    is_sap = text.str.match(_SAP).fillna(False).to_numpy(bool)
    is_outline = text.str.match(_OUTLINE).fillna(False).to_numpy(bool)
    levels = np.full(len(text), np.nan)
    if is_outline.any():
        # '1.2.3' -> 3; plain '1' -> 1; trailing dot ignored
        depth = text.str.rstrip(".").str.count(r"\.").astype("Float64").to_numpy(float, na_value=np.nan) + 1
        levels = np.where(is_outline | is_int, depth, levels)
        levels = np.where(blank.to_numpy(bool), 0.0, levels)
    else:
        if is_int.any():
            levels[is_int] = pd.to_numeric(text[is_int]).to_numpy(float)
        if is_sap.any():
            levels[is_sap] = pd.to_numeric(text[is_sap].str.replace(".", "", regex=False)).to_numpy(float)
    bad = ~np.isfinite(levels) & ~blank.to_numpy(bool)
    return levels, bad


def _integer_levels(cells: pd.Series) -> np.ndarray | None:
    """All cells plain integers (the usual export): cast by Arrow in C, else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(cells.astype("string"), type=pa.large_string(), from_pandas=True)
    if arr.null_count:
        return None
    if not pc.all(pc.match_substring_regex(arr, r"^\s*\d{1,4}\s*$")).as_py():
        return None
    return pc.cast(pc.utf8_trim_whitespace(arr), pa.int64()).to_numpy().astype(float)


def parent_rows(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the position of its parent row (-1 for top-level rows), and a
    mask of rows that jump more than one level below the row above (attached to the
    row above, which is the nearest shallower row).

    Vectorised: for every level value, the position of the last row at that level
    is forward-filled; a row at level L takes the last row at L-1 above it.
    """
    n = len(levels)
    parent = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return parent, np.zeros(0, bool)
    lv = np.where(np.isfinite(levels), levels, -1).astype(np.int64)
    prev = np.concatenate([[-1], lv[:-1]])
    if not (lv >= 0).any():         # no readable level at all: every row is a top-level row
        return parent, np.zeros(n, bool)
    first_valid = np.argmax(lv >= 0)
    jump = (lv > prev + 1) & (lv > lv[first_valid]) & (np.arange(n) > first_valid)
    positions = np.arange(n)
    for level in np.unique(lv[lv > 0]):
        at_parent_level = pd.Series(np.where(lv == level - 1, positions, np.nan)).ffill().to_numpy()
        # the parent must be above the row: use the forward-filled value of the row before
        above = np.concatenate([[np.nan], at_parent_level[:-1]])
        rows = lv == level
        parent[rows] = np.where(np.isnan(above[rows]), -1, above[rows]).astype(np.int64)
    parent[jump] = positions[jump] - 1
    return parent, jump
