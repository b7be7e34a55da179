"""Numbers, prices and yes/no flags as they appear in BOM cells (vectorised).

Every function takes a pandas Series of cells as a reader delivers them: numbers,
strings, blanks, or a mix in an object column. They never raise for cell content;
instead they return a ``bad`` mask of cells that are neither blank nor readable,
for the caller to report with file/sheet/row/column. Blank cells (NA, "", spaces)
are NaN / NA and not bad.

``decimal`` is the decimal separator of the file, "." or ",". The other of the
two, spaces (also non-breaking and thin spaces) and apostrophes are accepted as
thousands separators only in groups of three digits: with decimal=".", "1,234.5"
is 1234.5 but "1,5" is bad rather than a guess.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from remin.timing import timed

# Spaces people and spreadsheets put between digit groups: space, no-break, narrow no-break, thin.
_SPACES = " \u00a0\u202f\u2009"
_APOSTROPHES = "'’"
_MINUS = "\u2212"  # typographic minus sign


def string_cells(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(text, is_text)``: the string cells as a string Series (NA elsewhere) and
    a boolean mask of which cells are strings. Numbers in an object column are not text."""
    cells = as_series(cells)
    if pd.api.types.is_string_dtype(cells.dtype) and not pd.api.types.is_object_dtype(cells.dtype):
        is_text = cells.notna()
    elif pd.api.types.is_object_dtype(cells.dtype):
        try:
            is_text = cells.str.len().notna()
        except AttributeError:  # no string at all in the column
            is_text = pd.Series(False, index=cells.index)
    else:
        is_text = pd.Series(False, index=cells.index)
    text = cells.where(is_text).astype("string[pyarrow]")
    return text, is_text.astype(bool)


def _number_pattern(decimal: str) -> str:
    """Full-match pattern of a number written with ``decimal`` (RE2-compatible: no lookarounds)."""
    if decimal not in (".", ","):
        raise ValueError(f"decimal separator must be '.' or ',', not {decimal!r}")
    group = ("," if decimal == "." else ".") + _SPACES + _APOSTROPHES
    dec = "\\" + decimal if decimal == "." else decimal
    return (f"[+-]?(?:\\d{{1,3}}(?:[{group}]\\d{{3}})+|\\d*)(?:{dec}\\d*)?"
            f"(?:[eE][+-]?\\d+)?-?")


@timed("units")
def parse_numbers(cells: pd.Series, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Read numbers from cells. Returns ``(values float64, bad bool)``.

    Numbers pass through. Strings may carry thousands separators ("1,234.5";
    "1.234,5" and "1 234,5" with decimal=","), an exponent ("12e-3"), a typographic
    minus, or SAP's trailing minus ("12.5-" = -12.5). "inf", "-Infinity", "nan" are
    returned as inf/nan and not marked bad (the caller reports non-finite numbers).
    Text such as "abc" or "12 pcs" is NaN and bad. Python bools in an object column
    read as 1/0 (pandas' rule); a boolean column is bad throughout.
    """
    cells = as_series(cells)
    n = len(cells)
    if pd.api.types.is_bool_dtype(cells.dtype):
        return np.full(n, np.nan), cells.notna().to_numpy()
    if pd.api.types.is_numeric_dtype(cells.dtype):
        return cells.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(n, dtype=bool)

    _number_pattern(decimal)          # validates the separator (a caller bug raises ValueError)
    fast = fast_paths(cells, decimal, parse_numbers)
    if fast is not None:
        return fast
    text, is_text = string_cells(cells)
    values = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)

    # numbers (and other objects) in an object column
    other = (~is_text & cells.notna()).to_numpy()
    if other.any():
        got = pd.to_numeric(cells[other], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        values[other] = got
        bad[other] = np.isnan(got)

    if is_text.any():
        t = text.str.strip().str.replace(_MINUS, "-", regex=False)
        blank = (t.fillna("") == "").to_numpy()
        lower = t.str.lower()
        special = lower.str.fullmatch(r"[+-]?(?:inf|infinity|nan)").fillna(False).to_numpy(dtype=bool)
        valid = t.str.fullmatch(_number_pattern(decimal)).fillna(False).to_numpy(dtype=bool)
        trailing_minus = t.str.endswith("-").fillna(False).to_numpy(dtype=bool) & valid
        leading_sign = t.str.match(r"[+-]").fillna(False).to_numpy(dtype=bool)
        group_chars = ("," if decimal == "." else ".") + _SPACES + _APOSTROPHES
        cleaned = t.str.replace(f"[{group_chars}]", "", regex=True).str.rstrip("-")
        if decimal == ",":
            cleaned = cleaned.str.replace(",", ".", regex=False)
        parsed = pd.to_numeric(cleaned.where(pd.Series(valid, index=t.index)), errors="coerce")
        parsed = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
        parsed = np.where(trailing_minus, -parsed, parsed)
        sign = lower.str.startswith("-").fillna(False).to_numpy(dtype=bool)
        is_nan_word = lower.str.contains("nan", regex=False).fillna(False).to_numpy(dtype=bool)
        special_values = np.where(is_nan_word, np.nan, np.where(sign, -np.inf, np.inf))
        tm = is_text.to_numpy()
        values = np.where(tm & special, special_values, np.where(tm, parsed, values))
        text_bad = tm & ~blank & ~special & (np.isnan(parsed) | (trailing_minus & leading_sign))
        values = np.where(text_bad, np.nan, values)
        bad |= text_bad
    return values, bad


#: Below this many cells, reading each cell is as quick as finding the distinct ones.
_DISTINCT_FROM = 20_000


def per_distinct_cells(cells: pd.Series, decimal: str, parser):
    """``parser(cells, decimal)`` computed on the distinct cells only and spread back, for
    long Arrow string columns that repeat their cells (a 1M-line BOM has ~1,000 distinct
    quantities). Returns the parser's tuple (values, [text Series,] bad), or None when
    the column is short, not Arrow text, or mostly distinct."""
    if len(cells) < _DISTINCT_FROM or not (isinstance(cells.dtype, pd.StringDtype)
                                           and cells.dtype.storage == "pyarrow"):
        return None
    codes, distinct = pd.factorize(cells.array, use_na_sentinel=True)
    if len(distinct) * 4 > len(cells):
        return None
    # one more slot, NA, for the blank cells (code -1)
    slots = pd.Series(pd.array(distinct, dtype=cells.dtype), name=cells.name).reindex(range(len(distinct) + 1))
    out = parser(slots, decimal)
    at = np.where(codes < 0, len(distinct), codes)
    spread = [np.asarray(o)[at] if isinstance(o, np.ndarray) else
              pd.Series(o.array.take(at), index=cells.index, name=o.name) for o in out]
    return tuple(spread)


def fast_paths(cells: pd.Series, decimal: str, parser, extra_dtype: str | None = None):
    """The vectorised paths every cell parser tries before its general (regex) path:
    each distinct cell parsed once (long repetitive columns), else plain numbers cast
    by Arrow and ``parser`` on the rest. Returns the parser's tuple, or None when
    neither applies."""
    shared = per_distinct_cells(cells, decimal, parser)
    if shared is not None:
        return shared
    return plain_then_rest(cells, decimal, parser, extra_dtype=extra_dtype)


_PLAIN = {".": r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$",
          ",": r"^\s*[+-]?(?:\d+,?\d*|,\d+)(?:[eE][+-]?\d+)?\s*$"}


def plain_first(cells: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The fast path shared by the cell parsers: plain numbers ("12", "0,35") are cast
    by Arrow in C. Returns ``(values, rest)`` where ``rest`` marks the non-blank cells
    that still need the general (regex) path, or None when the fast path does not
    apply (no plain number at all, or the cells are already the remainder)."""
    if not len(cells) or not (pd.api.types.is_string_dtype(cells.dtype) or
                               pd.api.types.is_object_dtype(cells.dtype)):
        return None
    if len(cells) <= _SMALL:
        return _plain_first_small(cells, decimal)
    text, is_text = string_cells(cells)
    values, plain = _plain_numbers(text, decimal)
    if not plain.any():
        return None
    rest = ~plain & cells.notna().to_numpy() & (text.str.strip().fillna("x") != "").to_numpy()
    return values, rest


#: Up to this many cells, plain numbers are read cell by cell in Python: the Arrow path's
#: fixed cost (a dozen pandas/Arrow calls, ~1 ms) dominates a 50-line file.
_SMALL = 256
#: _PLAIN in Python's syntax: ASCII digits, and RE2's \\s ([\\t\\n\\f\\r ], no \\v).
_PLAIN_PY = {d: re.compile(p.replace("\\s", "[\\t\\n\\f\\r ]"), re.ASCII) for d, p in _PLAIN.items()}


def _plain_first_small(cells: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`plain_first` for a few cells, with the same results (Python's float() and
    Arrow's cast both round a decimal string correctly)."""
    objs = cells.to_numpy(dtype=object)
    given = ~pd.isna(objs)
    values = np.full(len(objs), np.nan)
    rest = np.zeros(len(objs), dtype=bool)
    match = _PLAIN_PY[decimal].match
    any_plain = False
    for i in np.flatnonzero(given):
        x = objs[i]
        if not isinstance(x, str):
            rest[i] = True           # a number in an object column: the general path reads it
        elif match(x):
            values[i] = float(x.strip(" \t\n\f\r").replace(",", ".") if decimal == "," else
                              x.strip(" \t\n\f\r"))
            any_plain = True
        else:
            rest[i] = x.strip() != ""
    return (values, rest) if any_plain else None


def plain_then_rest(cells: pd.Series, decimal: str, general, extra_dtype: str | None = None):
    """Plain numbers by the Arrow fast path, then ``general`` (the full parser, which
    returns ``(values, [extra Series,] bad)``) on the remaining cells only. Returns
    the same shape as ``general``, or None when the fast path does not apply."""
    fast = plain_first(cells, decimal)
    if fast is None:
        return None
    values, rest = fast
    bad = np.zeros(len(cells), dtype=bool)
    extra = None if extra_dtype is None else \
        pd.Series(pd.NA, index=cells.index, dtype=extra_dtype, name=cells.name)
    if rest.any():
        out = general(cells[rest].reset_index(drop=True), decimal)
        values[rest], bad[rest] = out[0], out[-1]
        if extra is not None:
            extra[rest] = out[1].to_numpy()
    return (values, bad) if extra is None else (values, extra, bad)


def _plain_numbers(text: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, mask) for cells that are plain numbers, cast by Arrow (vectorised in C)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN[decimal]), False)
    mask = plain.to_numpy(zero_copy_only=False)
    if not mask.any():
        return np.full(len(text), np.nan), mask
    picked = pc.utf8_trim_whitespace(pc.if_else(plain, arr, pa.scalar(None, pa.large_string())))
    if decimal == ",":
        picked = pc.replace_substring(picked, ",", ".")
    values = pc.cast(picked, pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(mask, values, np.nan), mask


#: Currency symbols and codes -> ISO 4217 code. None marks a symbol that names
#: several currencies: the cell is reported rather than guessed.
CURRENCY_TOKENS: dict[str, str | None] = {
    "$": "USD", "US$": "USD", "USD": "USD",  # a bare $ is taken as USD (input-format.md)
    "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
    "¥": None, "￥": None,  # JPY or CNY: write JPY, CNY or RMB
    "KR": None, "KR.": None,  # SEK, NOK, DKK or ISK
    "CN¥": "CNY", "RMB": "CNY", "元": "CNY", "JP¥": "JPY", "円": "JPY",
    "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD",
    "S$": "SGD", "NT$": "TWD", "R$": "BRL", "MX$": "MXN",
    "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS", "₫": "VND", "฿": "THB",
    "₱": "PHP", "ZŁ": "PLN", "KČ": "CZK", "FT": "HUF", "FR.": "CHF", "SFR.": "CHF",
}
#: ISO 4217 codes accepted as written (active currencies common in trade).
ISO_CURRENCIES = frozenset("""
AED ARS AUD BGN BHD BRL CAD CHF CLP CNY COP CZK DKK EGP EUR GBP HKD HUF IDR ILS INR
ISK JPY KRW KWD MAD MXN MYR NGN NOK NZD PEN PHP PKR PLN QAR RON RSD RUB SAR SEK SGD
THB TND TRY TWD UAH USD VND ZAR
""".split())
for _code in ISO_CURRENCIES:
    CURRENCY_TOKENS.setdefault(_code, _code)

_MONEY = ("^(?P<pre>[^\\d.,+-]*?)\\s*(?P<sign>[+-]?)\\s*(?P<pre2>[^\\d.,+\\s-]*)\\s*"
          f"(?P<num>[.,]?\\d(?:[\\d.,{_SPACES}{_APOSTROPHES}]*\\d)?[.,]?)"
          "\\s*(?P<post>[^\\d]*?)\\s*$")


@timed("units")
def parse_money(cells: pd.Series, decimal: str = ".") -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Read prices. Returns ``(values float64, currency, bad bool)``.

    "$25.27" -> 25.27, "USD"; "€ 3,50" (decimal=",") -> 3.5, "EUR"; "£2" -> GBP;
    "USD 12.5" and "12.5 EUR" -> the code. Plain numbers have currency NA (the column's
    or mapping's currency applies). ``currency`` is a string Series (ISO 4217 code or NA)
    with the index of ``cells``.

    ``bad`` marks cells to report: text that is not a price, an unknown currency code,
    two different currencies in one cell, and a symbol that names several currencies
    (¥ is JPY or CNY, kr is SEK/NOK/DKK/ISK). For the ambiguous symbols the amount is
    kept and the currency is NA; all other bad cells are NaN.
    """
    cells = as_series(cells)
    no_currency = pd.Series(pd.NA, index=cells.index, dtype="string")
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        values, bad = parse_numbers(cells, decimal=decimal)
        return values, no_currency, bad
    fast = fast_paths(cells, decimal, parse_money, extra_dtype="string")
    if fast is not None:
        return fast

    text, is_text = string_cells(cells)
    t = text.str.strip().str.replace(_MINUS, "-", regex=False)
    parts = t.str.extract(_MONEY)
    matched = parts["num"].notna().to_numpy()
    number_text = (parts["sign"].fillna("") + parts["num"].fillna("")).astype(object)
    number_text = number_text.where(pd.Series(matched, index=cells.index), None)
    number_text = number_text.where(is_text, cells.astype(object))
    values, num_bad = parse_numbers(number_text, decimal=decimal)

    pre = (parts["pre"].fillna("").str.strip() + parts["pre2"].fillna("")).str.upper()
    post = parts["post"].fillna("").str.strip().str.upper()
    pre_code, pre_known = _currency_of(pre)
    post_code, post_known = _currency_of(post)
    ambiguous = ((pre != "") & pre_known & pre_code.isna()) | ((post != "") & post_known & post_code.isna())
    unknown = ((pre != "") & ~pre_known) | ((post != "") & ~post_known)
    conflict = pre_code.notna() & post_code.notna() & (pre_code != post_code)
    currency = pre_code.fillna(post_code).astype("string")

    blank = (t.fillna("") == "").to_numpy()
    tm = is_text.to_numpy()
    unreadable = tm & ~blank & (~matched | unknown.to_numpy(dtype=bool) | conflict.to_numpy(dtype=bool))
    bad = num_bad | unreadable | (tm & ambiguous.to_numpy(dtype=bool))
    values = np.where(num_bad | unreadable, np.nan, values)
    currency = currency.where(pd.Series(tm & ~unreadable, index=cells.index), pd.NA)
    return values, currency, bad


def _currency_of(tokens: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO code (NA if none/ambiguous) and whether the token is known, per token."""
    known = tokens.isin(list(CURRENCY_TOKENS))
    code = tokens.map(CURRENCY_TOKENS).astype("string")
    return code.where(known, pd.NA), known.astype(bool)


#: Words read as yes / no in flag columns (lower case).
FLAG_WORDS: dict[str, bool] = {
    **dict.fromkeys(["yes", "y", "true", "t", "x", "1", "1.0", "ja", "j", "oui", "si", "sí",
                     "on", "✓", "✔", "☑"], True),
    **dict.fromkeys(["no", "n", "false", "f", "0", "0.0", "nein", "non", "off"], False),
}


@timed("units")
def parse_flags(cells: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Read yes/no cells. Returns ``(flags, bad)``.

    ``flags`` is a nullable boolean Series (index of ``cells``): yes/no, y/n, true/false,
    x, 1/0, ja/nein (see ``FLAG_WORDS``); blank is NA and not bad; anything else is NA
    and bad.
    """
    cells = as_series(cells)
    if not cells.notna().any():   # a blank or absent flag column: all unknown, nothing bad
        return (pd.Series(pd.arrays.BooleanArray(np.zeros(len(cells), bool), np.ones(len(cells), bool)),
                          index=cells.index), np.zeros(len(cells), dtype=bool))
    # read each distinct cell once: flag columns hold a handful of spellings
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    words = pd.Series(uniques, dtype="string").str.strip().str.lower()
    known_u = words.isin(list(FLAG_WORDS)).fillna(False).to_numpy(dtype=bool)
    blank_u = (words.fillna("") == "").to_numpy()
    # a plain loop over the few distinct words: mapping a column in which no word is
    # known gives an all-NA string column that cannot be filled with False
    true_u = np.array([FLAG_WORDS.get(w, False) is True if isinstance(w, str) else False for w in words],
                      dtype=bool) & known_u
    # a trailing slot for NA cells (code -1): unknown, not bad
    true_u, known_u, blank_u = (np.append(true_u, False), np.append(known_u, False), np.append(blank_u, True))
    flags = pd.arrays.BooleanArray(true_u[codes], ~known_u[codes])
    bad = ~blank_u[codes] & ~known_u[codes]
    return pd.Series(flags, index=cells.index), bad


def as_series(x) -> pd.Series:
    """``x`` as a pandas Series (lists, arrays and Index objects get a 0..n-1 index)."""
    if isinstance(x, pd.Series):
        return x
    if isinstance(x, pd.Index):
        return x.to_series(index=range(len(x)))
    return pd.Series(x if isinstance(x, np.ndarray) else np.asarray(x, dtype=object))
