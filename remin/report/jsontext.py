"""JSON text written column by column, byte for byte as ``json.dumps(..., ensure_ascii=False)``
(compact separators) writes the same values.

The JSON report's detail has tens of thousands of records; building a dict per record
and letting the encoder walk them costs more than the rest of the run's output. Here
each column is encoded once into a list of texts, the records are joined from those,
and the result goes into the dumped report through a placeholder (:class:`RawTexts`).
"""
from __future__ import annotations

import json
import math
import re
import uuid
from json.encoder import encode_basestring   # what json.dumps(ensure_ascii=False) uses for str

import numpy as np
import pandas as pd


def value_text(v, default=None) -> str:
    """One value as json.dumps(v, ensure_ascii=False, default=default) writes it."""
    t = type(v)
    if t is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if t is float:
        if math.isfinite(v):
            return float.__repr__(v)
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return int.__repr__(v)
    return json.dumps(v, ensure_ascii=False, default=default)


def _number_text(token: str) -> str:
    """A token of pandas' JSON writer as json.loads then json.dumps write it."""
    if token in ("null", "true", "false"):
        return token
    if "." in token or "e" in token or "E" in token:
        return float.__repr__(float(token))
    return int.__repr__(int(token))


def column_texts(col: pd.Series, default=None) -> list[str]:
    """The JSON text of every cell, as the records of ``json_records`` (pandas' JSON
    writer, 15 decimals) dumped by ``json.dumps`` give them. Text columns are taken as
    they are (missing -> null); anything else goes through pandas' writer as before.
    Text and number columns are encoded once per distinct value, then taken back."""
    if not len(col):
        return []
    if pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        texts = [encode_basestring(v) if type(v) is str else value_text(v, default)
                 for v in uniques.to_numpy(dtype=object).tolist()]
        return _take_texts(texts, codes)
    if isinstance(col.dtype, np.dtype) and col.dtype.kind in "fiub":
        # numbers and flags: pandas' tokens, re-read as json.loads would
        x = col.to_numpy()
        # distinct by bit pattern (keeps -0.0 apart from 0.0; every NaN writes null anyway)
        key = x.view(f"i{x.itemsize}") if x.dtype.kind == "f" else x
        _, first, codes = np.unique(key, return_index=True, return_inverse=True)
        text = pd.Series(x[first]).to_json(orient="values", double_precision=15)
        return _take_texts([_number_text(t) for t in text[1:-1].split(",")], codes.reshape(-1))
    cells = json.loads(col.to_frame().to_json(orient="values", double_precision=15, date_format="iso",
                                              default_handler=str))
    return [value_text(row[0], default) for row in cells]


def _take_texts(texts: list[str], codes: np.ndarray) -> list[str]:
    """``texts[code]`` per cell, ``null`` where the code is -1 (missing)."""
    table = np.asarray(texts + ["null"], dtype=object)
    return table[np.where(codes < 0, len(texts), codes)].tolist()


def records_text(columns: list[tuple[str, list[str]]], tail: list[str] | None = None) -> list[str]:
    """One JSON object text per row from (key, cell texts) pairs, in key order; ``tail``
    (one text per row, starting ``, "key": ``) is appended before the closing brace."""
    if not columns:
        return []
    heads = ["{" + encode_basestring(columns[0][0]) + ": "] + \
        [", " + encode_basestring(k) + ": " for k, _ in columns[1:]]
    pieces = []
    for head, cells in zip(heads, (c for _, c in columns)):
        pieces.append([head] * len(cells))
        pieces.append(cells)
    if tail is not None:
        pieces.append(tail)
    return ["".join(row) + "}" for row in zip(*pieces)]


def list_text(items) -> str:
    """A JSON array of already encoded items."""
    return "[" + ", ".join(items) + "]"


class RawTexts:
    """Placeholders for JSON texts made elsewhere: put ``add(text)`` where the value goes,
    dump the document compact, then ``substitute`` the texts in. The placeholder holds a
    random token and NULs (written as ``\\u0000``), so no data can look like one."""

    def __init__(self):
        self.token = uuid.uuid4().hex
        self.texts: list[str] = []

    def add(self, text: str) -> str:
        self.texts.append(text)
        return f"\x00{self.token}:{len(self.texts) - 1}\x00"

    def substitute(self, dumped: str) -> str:
        pattern = re.compile(r'"\\u0000' + self.token + r':(\d+)\\u0000"')
        return pattern.sub(lambda m: self.texts[int(m.group(1))], dumped)
