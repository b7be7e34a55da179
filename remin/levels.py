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
    """All cells plain ASCII digits (the usual export): cast by Arrow in C, else None
    (blanks, signs, spaces, dots and anything else take the general path)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(cells.astype("string"), type=pa.large_string(), from_pandas=True)
    if arr.null_count or not len(arr):
        return None
    # a character test is several times cheaper than a regex; '' is not decimal
    if not pc.all(pc.ascii_is_decimal(arr)).as_py():
        return None
    try:
        return pc.cast(arr, pa.int64()).to_numpy().astype(float)
    except (pa.ArrowInvalid, OverflowError):     # more digits than int64 holds
        return None


def parent_rows(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the position of its parent row (-1 for top-level rows), and a
    mask of rows that jump more than one level below the row above (attached to the
    row above, which is the nearest shallower row).

    Vectorised for any depth. Most rows need no search: a row one level below the
    row above hangs under it, and a row at the row above's level shares its parent.
    The rest (a row after a deeper branch) find the last row at L-1 above them by a
    binary search over the rows ordered by (level, position).
    """
    n = len(levels)
    parent = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return parent, np.zeros(0, bool)
    lv = np.where(np.isfinite(levels), levels, -1).astype(np.int64)
    prev = np.concatenate([[-1], lv[:-1]])
    if not (lv >= 0).any():         # no readable level at all: every row is a top-level row
        return parent, np.zeros(n, bool)
    positions = np.arange(n, dtype=np.int64)
    first_valid = np.argmax(lv >= 0)
    jump = (lv > prev + 1) & (lv > lv[first_valid]) & (positions > first_valid)
    down = (lv > 0) & (lv == prev + 1)
    sibling = (lv == prev) & (positions > 0)
    search = np.flatnonzero((lv > 0) & ~down & ~sibling)
    if len(search):
        # level-major keys; levels are bounded by the depth limit, so level * (n + 1) fits int64
        small = lv.max() < np.iinfo(np.int16).max
        order = np.argsort(lv.astype(np.int16) if small else lv, kind="stable")   # radix sort for int16
        sorted_keys = (lv * (n + 1) + positions)[order]
        wanted = lv[search] - 1
        at = np.searchsorted(sorted_keys, wanted * (n + 1) + search) - 1   # last key below (L-1, row)
        found = order[np.maximum(at, 0)]
        parent[search] = np.where((at >= 0) & (lv[found] == wanted), found, -1)
    parent[down] = positions[down] - 1
    # a run of siblings takes the parent of the run's first row
    start = np.where(sibling, 0, positions)
    np.maximum.accumulate(start, out=start)
    parent = parent[start]
    parent[jump] = positions[jump] - 1
    return parent, jump
