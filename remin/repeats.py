"""Lines that only repeat an earlier line of the same part.

An indented BOM lists a shared part under every parent that uses it, each time
with the same attribute cells (mass, price, origin ...). Reading a part's first
line plus the lines whose cells differ from that first line gives the same
records, the same first values and the same conflicts as reading every line,
at a fraction of the cost (1M lines, 200k parts)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from remin.keys import arrow_array


def _differs(values: pd.Series, first_of_row: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Whether each cell differs from the cell at ``first_of_row`` (NA equals NA), for
    the rows at ``later`` (positions of rows that are not their key's first). Arrow
    text columns go to :func:`_texts_differ` instead."""
    first = first_of_row[later]
    if pd.api.types.is_numeric_dtype(values.dtype) and isinstance(values.dtype, np.dtype):
        v = values.to_numpy()
        return v[later] != v[first]   # NaN differs from NaN: the row is read, which is only slower
    codes = np.asarray(pd.factorize(values.array, use_na_sentinel=True)[0])
    return codes[later] != codes[first]


def _is_arrow_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _arrow_text(values: pd.Series) -> pa.Array:
    """The Series' cells as one large_string Arrow array (no chunks)."""
    cells = arrow_array(values)
    return cells if cells.type == pa.large_string() else cells.cast(pa.large_string())


def _texts_differ(columns: list[pd.Series], first_of_row: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Whether any of the Arrow text ``columns`` differs at ``later`` from the row at
    ``first_of_row`` (NA equals NA). The bytes are compared by Arrow on each column
    without its validity (a null slot's bytes can only make two NA cells look
    different: the row is then read, which is only slower); which cells are NA is
    compared as one bit per column, all columns at once."""
    if len(columns) > 64:   # one bit per column in a 64-bit word
        return _texts_differ(columns[:64], first_of_row, later) | _texts_differ(columns[64:], first_of_row, later)
    take_first = pa.array(first_of_row)
    differs = np.zeros(len(first_of_row), dtype=bool)    # per row, any column's bytes
    blank_bits = np.zeros(len(first_of_row), dtype=np.uint64)
    for bit, c in enumerate(columns):
        a = _arrow_text(c)
        _, offsets, data = a.buffers()
        if a.null_count:
            blank = pc.is_null(a).to_numpy(zero_copy_only=False)
            blank_bits |= blank.astype(np.uint64) << np.uint64(bit)
        if data is None:   # no bytes at all: every cell is empty or NA
            continue
        bare = pa.Array.from_buffers(pa.large_string(), len(a), [None, offsets, data], offset=a.offset)
        differs |= ~pc.equal(bare, bare.take(take_first)).to_numpy(zero_copy_only=False)
    out = differs[later]
    if blank_bits.any():
        out |= blank_bits[later] != blank_bits[first_of_row[later]]
    return out


def first_positions(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code, for codes numbered in order of first
    appearance (as ``pd.factorize`` numbers them): a row is a code's first exactly
    when its code is above every code before it."""
    if not len(codes):
        return np.zeros(0, dtype=np.intp)
    seen = np.maximum.accumulate(codes)
    first = np.empty(len(codes), dtype=bool)
    first[0] = True
    first[1:] = codes[1:] > seen[:-1]
    return np.flatnonzero(first)


def differing_lines(keys: pd.Series | np.ndarray, columns: list) -> np.ndarray:
    """Mask of the rows to read (``keys``: a Series, or its codes from ``pd.factorize``):
    each key's first row, and every later row whose value
    in one of ``columns`` (Series or arrays, NA equal to NA) differs from that first row."""
    codes = np.asarray(keys if isinstance(keys, np.ndarray) else
                       pd.factorize(keys.array, use_na_sentinel=False)[0])
    first_of_row = first_positions(codes)[codes]
    keep = first_of_row == np.arange(len(codes))
    later = np.flatnonzero(~keep)
    differs = np.zeros(len(later), dtype=bool)
    texts = [c for c in columns if isinstance(c, pd.Series) and _is_arrow_text(c)]
    if texts:
        differs |= _texts_differ(texts, first_of_row, later)
    for col in columns:
        if any(col is t for t in texts):
            continue
        if isinstance(col, pd.Series):
            differs |= _differs(col, first_of_row, later)
        else:
            differs |= col[later] != col[first_of_row[later]]
    keep[later[differs]] = True
    return keep


def blank_strings(index: pd.Index) -> pd.Series:
    """An all-NA string Series on ``index``, built by Arrow (``pd.Series(pd.NA, dtype=
    "string")`` converts a million Python NA objects)."""
    return pd.Series(pd.array(pa.nulls(len(index), pa.large_string()), dtype="string"), index=index)


def per_distinct(values: pd.Series, fn) -> pd.Series:
    """``fn(values)`` computed on the distinct values only and spread back (for string
    functions over columns that hold a handful of spellings)."""
    codes, distinct = pd.factorize(values.array, use_na_sentinel=True)
    if not len(distinct):   # all blank
        return values
    done = fn(pd.Series(distinct, dtype=values.dtype)).array
    return pd.Series(done.take(codes, allow_fill=True), index=values.index, name=values.name)
