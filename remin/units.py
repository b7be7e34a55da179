"""Units of measure: the one place remin uses pint.

Every unit string goes through remin's own table ``data/units.csv`` (ERP and
UN/CEFACT Rec 20 codes, matched case-insensitively) before pint sees it, because
pint alone reads ``G`` as gauss, ``gr`` as grain and ``ton`` as the short ton.
What the table does not know, pint may parse, but only a plain unit name
(optionally squared or cubed) and only if it is a count, mass, length, area or
volume. A ``mass / something`` unit (``120 g/m``, ``g/pc``, ``lb/ft``) is split
at the slash and each side is read the same way.

Every unit is parsed once per distinct string (``parse_unit`` is cached) and
columns are converted by multiplying a numpy array with one factor per distinct
unit: converting a Quantity per row is a thousand times slower.

Base units, the unit every ``factor`` converts to:

=================  ===========================
kind               base unit
=================  ===========================
count              piece
mass               kg
length             m
area               m²
volume             m³
fraction           plain mass fraction (1 % -> 0.01)
mass_per_count     kg per piece
mass_per_length    kg per m
mass_per_area      kg per m²
mass_per_volume    kg per m³
=================  ===========================

A blank unit has kind ``"missing"``; an unreadable one has kind ``None``, factor
NaN and an ``error`` that says what was expected. Nothing here raises on user text.
"""
from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
from remin.timing import timed
from remin.unitregistry import new_registry, pint

from .numbers import as_series as _as_series, fast_paths, parse_numbers, string_cells
from .paths import data_path

#: remin's only pint registry. ``piece`` is a unit of its own dimension [count],
#: so that ``g/piece`` is a mass per count and never silently a plain mass.
ureg = new_registry()
ureg.define("piece = [count]")
ureg.define("ppb = 1e-9")

MISSING = "missing"

KINDS = ("count", "mass", "length", "area", "volume", "fraction",
         "mass_per_count", "mass_per_length", "mass_per_area", "mass_per_volume")

#: kind -> pint base unit the factor converts to.
BASE_UNITS = {
    "count": "piece", "mass": "kilogram", "length": "meter", "area": "meter**2",
    "volume": "meter**3", "fraction": "dimensionless",
    "mass_per_count": "kilogram/piece", "mass_per_length": "kilogram/meter",
    "mass_per_area": "kilogram/meter**2", "mass_per_volume": "kilogram/meter**3",
}

#: kind -> (words for messages, example spellings).
KIND_WORDS = {
    "count": ("a count", "EA, PCE, ST…"),
    "mass": ("a mass", "g, kg, lb…"),
    "length": ("a length", "m, mm, ft…"),
    "area": ("an area", "m2, cm2…"),
    "volume": ("a volume", "L, ml, m3…"),
    "fraction": ("a mass fraction", "%, wt%, ppm…"),
    "mass_per_count": ("a mass per piece", "g/pc, kg/EA…"),
    "mass_per_length": ("a mass per length", "g/m, kg/km…"),
    "mass_per_area": ("a mass per area", "g/m2…"),
    "mass_per_volume": ("a mass per volume", "kg/m3, g/cm3…"),
}

_EXPECTED_ANY = ("expected a count (EA, PCE, ST…), mass (g, kg, lb…), length (m, mm…), "
                 "area (m2), volume (L, m3), mass fraction (%, ppm) or mass per unit (g/m, g/pc)")

# Dimensionality (sorted items) -> kind.
_KIND_BY_DIM = {
    (): "fraction",
    (("[count]", 1),): "count",
    (("[mass]", 1),): "mass",
    (("[length]", 1),): "length",
    (("[length]", 2),): "area",
    (("[length]", 3),): "volume",
    (("[count]", -1), ("[mass]", 1)): "mass_per_count",
    (("[length]", -1), ("[mass]", 1)): "mass_per_length",
    (("[length]", -2), ("[mass]", 1)): "mass_per_area",
    (("[length]", -3), ("[mass]", 1)): "mass_per_volume",
}

# Unit text longer than this is not a unit (and is never handed to pint).
_MAX_UNIT_LEN = 40


@dataclass(frozen=True)
class UnitInfo:
    """What remin makes of one unit string.

    ``factor`` converts a value in this unit to the base unit of ``kind`` (see the
    module docstring); NaN when the unit is unreadable or missing.
    """

    text: str
    kind: str | None
    factor: float
    canonical: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.kind is not None and self.kind != MISSING


@dataclass(frozen=True)
class Converted:
    """Result of :func:`to_base`, one entry per input value.

    ``values`` are in the base unit of ``kind`` (NaN where ``bad``); ``reason`` says
    why a row is bad (None otherwise). For a bad row, ``kind`` tells which finding
    fits: None -> unknown unit; "missing" -> no unit; one of ``KINDS`` -> a unit of
    a kind not allowed (dimension mismatch).
    """

    values: np.ndarray
    kind: np.ndarray
    bad: np.ndarray
    reason: np.ndarray


# --------------------------------------------------------------------------- table

def _key(text: str) -> str:
    """Table key: trimmed, inner spaces collapsed, lower case, one trailing dot dropped."""
    k = " ".join(str(text).split()).lower()
    if len(k) > 1 and k.endswith("."):
        k = k[:-1].rstrip()
    return k


@dataclass(frozen=True)
class _Row:
    code: str
    expr: str
    kind: str
    note: str


@functools.lru_cache(maxsize=1)
def unit_codes() -> dict[str, _Row]:
    """remin's unit table (``data/units.csv``) keyed by normalised code.

    Checks every row against pint when loading: a row whose expression is not of
    its declared kind, or a code listed twice, is a bug in the shipped table.
    """
    table: dict[str, _Row] = {}
    with open(data_path("units.csv"), encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.reader(lines)
    header = next(reader)
    if [h.strip() for h in header[:3]] != ["code", "pint", "kind"]:
        raise RuntimeError(f"data/units.csv: unexpected header {header!r}")
    for fields in reader:
        code, expr, kind = (f.strip() for f in fields[:3])
        note = fields[3].strip() if len(fields) > 3 else ""
        key = _key(code)
        if key in table:
            raise RuntimeError(f"data/units.csv: code {code!r} listed twice")
        if kind != "refused":
            got = _kind_of(_quantity(expr))
            if got != kind:
                raise RuntimeError(f"data/units.csv: {code!r} = {expr!r} is {got}, not {kind}")
        table[key] = _Row(code, expr, kind, note)
    return table


def _quantity(expr: str) -> pint.Quantity:
    q = ureg.parse_expression(expr)
    return q if isinstance(q, ureg.Quantity) else ureg.Quantity(q)


def _kind_of(q: pint.Quantity) -> str | None:
    return _KIND_BY_DIM.get(tuple(sorted(dict(q.dimensionality).items())))


def _clean_float(x: float) -> float:
    # pint's chained definitions leave noise in the last digit (lb -> 0.4535923700000001).
    return float(f"{x:.15g}")


# --------------------------------------------------------------------------- parsing

# A plain unit name for pint: letters only, optionally squared or cubed (mm2, m^2, ft²).
_SIMPLE = re.compile(r"^(?P<name>[^\W\d_²³]+)\s*(?:\^|\*\*)?\s*(?P<exp>[23²³])?$")
# A denominator may carry a count: "kg/1000 pcs", "g/100m".
_DENOM_NUMBER = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*\*?\s*(?P<unit>\S.*)$")
_PER = re.compile(r"\s+per\s+", re.IGNORECASE)
# SI prefixes seen on masses, lengths and volumes in BOMs (no mega-, giga-, peta-, pico-...).
_PINT_PREFIXES = frozenset({"", "nano", "micro", "milli", "centi", "deci", "hecto", "kilo"})


class _Unreadable(Exception):
    """Internal: a unit part remin cannot read; the message is the user-facing reason."""


def _simple_quantity(text: str) -> pint.Quantity:
    """Quantity of one unit without a slash: table first, then a plain pint unit name."""
    key = _key(text)
    row = unit_codes().get(key)
    if row is not None:
        if row.kind == "refused":
            raise _Unreadable(f"unit {text.strip()!r} is {row.note}")
        return _quantity(row.expr)
    compact = "".join(text.split()).rstrip(".")
    m = _SIMPLE.match(compact)
    if m is None:
        raise _Unreadable(f"unknown unit {text.strip()!r}: {_EXPECTED_ANY}")
    name, exp = m.group("name"), {"2": 2, "²": 2, "3": 3, "³": 3}.get(m.group("exp") or "", 1)
    # pint is case-sensitive: try the spelling as written, then lower case (KM -> km).
    for candidate in dict.fromkeys((name, name.lower())):
        try:
            readings = ureg.parse_unit_name(candidate)
        except Exception:  # pint raises many types on odd text; any of them means "unknown"
            continue
        if not readings:
            continue
        # Two-letter ERP codes easily read as prefix + unit to pint (PL -> petalitre):
        # accept only the everyday prefixes on the reading pint uses (the first).
        if readings[0][0] not in _PINT_PREFIXES:
            prefix, unit, _ = readings[0]
            raise _Unreadable(f"unknown unit {text.strip()!r} (pint would guess {prefix}{unit}): {_EXPECTED_ANY}")
        try:
            q = ureg.Quantity(1, ureg.parse_units(candidate)) ** exp
        except Exception:
            continue
        kind = _kind_of(q)
        if kind in ("count", "mass", "length", "area", "volume"):
            return q
        what = "a number without dimension" if not q.dimensionality else f"a {q.dimensionality}"
        raise _Unreadable(f"unit {text.strip()!r} is {what} to pint, not a unit remin uses: {_EXPECTED_ANY}")
    raise _Unreadable(f"unknown unit {text.strip()!r}: {_EXPECTED_ANY}")


def _compound_quantity(num: str, den: str, text: str) -> pint.Quantity:
    """Quantity of ``num / den``: a mass per piece, length, area or volume, or a mass fraction."""
    try:
        nq = _simple_quantity(num)
    except _Unreadable:
        nq = None
    if nq is None or _kind_of(nq) != "mass":
        raise _Unreadable(f"unit {text!r}: before the slash remin expects a mass (g, kg, lb…), "
                          f"as in g/m, g/pc or mg/kg, not {num.strip()!r}")
    count = 1.0
    m = _DENOM_NUMBER.match(den.strip())
    if m:
        count, den = float(m.group("n")), m.group("unit")
    try:
        dq = _simple_quantity(den)
    except _Unreadable:
        dq = None
    if dq is None or count <= 0 or _kind_of(dq) not in ("count", "length", "area", "volume", "mass"):
        raise _Unreadable(f"unit {text!r}: after the slash remin expects a piece, length, area, "
                          f"volume or mass (g/pc, g/m, g/m2, kg/m3, mg/kg), not {den.strip()!r}")
    return nq / (count * dq)


def _info_from_quantity(text: str, q: pint.Quantity) -> UnitInfo:
    kind = _kind_of(q)
    if kind is None:
        return UnitInfo(text, None, math.nan, None, f"unit {text!r} is a {q.dimensionality}: {_EXPECTED_ANY}")
    factor = _clean_float(float(q.to(BASE_UNITS[kind]).magnitude))
    mag = _clean_float(float(q.magnitude))
    units = f"{q.units:~P}"
    canonical = units if mag == 1 else f"{mag:g} {units}".strip()
    return UnitInfo(text, kind, factor, canonical or "1", None)


@functools.lru_cache(maxsize=4096)
def parse_unit(text) -> UnitInfo:
    """Read one unit string. Never raises for user text.

    >>> parse_unit("GR").factor      # gram, not grain
    0.001
    >>> parse_unit("g/m").kind, parse_unit("g/m").factor    # kg per m
    ('mass_per_length', 0.001)
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return UnitInfo("", MISSING, math.nan, None, "no unit")
    text = str(text)
    shown = " ".join(text.split())
    if not shown:
        return UnitInfo(text, MISSING, math.nan, None, "no unit")
    if len(shown) > _MAX_UNIT_LEN:
        return UnitInfo(text, None, math.nan, None, f"unknown unit {shown[:_MAX_UNIT_LEN]!r}…: {_EXPECTED_ANY}")
    try:
        key = _key(shown)
        if key in unit_codes() or "/" not in _PER.sub("/", shown):
            q = _simple_quantity(shown)
        else:
            parts = _PER.sub("/", shown).split("/")
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                raise _Unreadable(f"unknown unit {shown!r}: {_EXPECTED_ANY}")
            q = _compound_quantity(parts[0], parts[1], shown)
        return _info_from_quantity(text, q)
    except _Unreadable as exc:
        return UnitInfo(text, None, math.nan, None, str(exc))
    except Exception as exc:  # last guard: pint arithmetic on odd input must not crash a run
        return UnitInfo(text, None, math.nan, None, f"unknown unit {shown!r} ({type(exc).__name__}): {_EXPECTED_ANY}")


def unit_table(units) -> pd.DataFrame:
    """One row per distinct unit string in ``units`` (NA and blank included, kind "missing").

    Columns: unit (as written), kind, factor, canonical, error.
    """
    codes, uniques = pd.factorize(_as_series(units), use_na_sentinel=True)
    infos = [parse_unit(u) for u in uniques]
    rows = [(u, i.kind, i.factor, i.canonical, i.error) for u, i in zip(uniques, infos)]
    if (codes < 0).any():
        na = parse_unit(None)
        rows.append((pd.NA, na.kind, na.factor, na.canonical, na.error))
    columns = list(zip(*rows)) if rows else [(), (), (), (), ()]
    return pd.DataFrame({
        "unit": pd.Series(columns[0], dtype=object),
        "kind": pd.Series(columns[1], dtype=object),   # object keeps None (unknown) apart from NaN
        "factor": pd.Series(columns[2], dtype=np.float64),
        "canonical": pd.Series(columns[3], dtype=object),
        "error": pd.Series(columns[4], dtype=object),
    })


def expected_text(allowed: Iterable[str]) -> str:
    """``"expected a mass unit (g, kg, lb…)"`` for the kinds in ``allowed``."""
    kinds = list(allowed)
    words = " or ".join(KIND_WORDS[k][0] for k in kinds)
    examples = "; ".join(KIND_WORDS[k][1] for k in kinds)
    return f"expected {words} unit ({examples})"


@timed("units")
def to_base(values, units, *, allowed: Iterable[str] | None = None, default: str | None = None) -> Converted:
    """Convert ``values`` given in ``units`` to the base unit of each unit's kind.

    ``values``: array-like of numbers (NaN allowed). ``units``: array-like of unit
    strings of the same length, or one string (or None) for the whole column.
    ``allowed``: kinds accepted (e.g. ``{"mass"}``); others are bad with a reason.
    ``default``: unit used where the unit is blank; without it a blank unit next to a
    value is bad ("no unit"). A blank unit next to a blank value is not bad.
    Unreadable units are bad even where the value is blank.

    Each distinct unit is parsed once; the conversion is one numpy multiplication.
    """
    vals = _float_array(values)
    n = len(vals)
    if units is None or isinstance(units, str):
        codes, uniques = np.zeros(n, dtype=np.intp), [units]
    else:
        series = _as_series(units)
        if len(series) != n:
            raise ValueError(f"to_base: {n} values but {len(series)} units")
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        uniques = list(uniques)
    allowed_set = set(allowed) if allowed is not None else None
    default_info = parse_unit(default) if default is not None and str(default).strip() else None

    k = len(uniques) + 1  # the last slot stands for NA
    factor = np.full(k, np.nan)
    kind = np.empty(k, dtype=object)
    bad = np.zeros(k, dtype=bool)
    reason = np.empty(k, dtype=object)
    blank = np.zeros(k, dtype=bool)
    for j, u in enumerate([*uniques, None]):
        if j == k - 1 and not (codes < 0).any():
            continue
        info = parse_unit(u) if j < k - 1 else None
        if info is None or info.kind == MISSING:
            if default_info is None:
                kind[j], blank[j], reason[j] = MISSING, True, "no unit"
                continue
            info, prefix = default_info, f"default unit {default!r}: "
        else:
            prefix = ""
        kind[j] = info.kind
        if not info.ok:
            bad[j], reason[j] = True, prefix + (info.error or "unknown unit")
        elif allowed_set is not None and info.kind not in allowed_set:
            bad[j] = True
            reason[j] = (f"{prefix}{expected_text(k_ for k_ in KINDS if k_ in allowed_set)}, "
                         f"got {info.text.strip()!r} ({KIND_WORDS[info.kind][0]})")
        else:
            factor[j] = info.factor

    idx = np.where(codes < 0, k - 1, codes)
    row_bad = bad[idx] | (blank[idx] & ~np.isnan(vals))
    out = vals * factor[idx]
    if row_bad.any():
        out[row_bad] = np.nan
        row_reason = np.where(row_bad, reason[idx], None)
    else:   # the usual case: no object array of a million reasons to pick
        row_reason = np.full(n, None, dtype=object)
    return Converted(values=out, kind=kind[idx], bad=row_bad, reason=row_reason)


# --------------------------------------------------------------------------- headers and cells

# "Unit weight (g)", "Dy [wt%]": a unit in brackets at the end of a header.
_HEADER_BRACKET = re.compile(r"^(?P<name>.*?)\s*[\(\[](?P<unit>[^()\[\]]+)[\)\]]\s*$")
# "Dy wt%", "Weight kg": a unit as the last word (only fractions and masses, see header_unit).
_HEADER_WORD = re.compile(r"^(?P<name>.*\S)\s+(?P<unit>\S+)$")
_HEADER_TRAIL = re.compile(r"(?:[\s,;:/_-]+|\s+in)$", re.IGNORECASE)


def header_unit(header) -> tuple[str, str | None]:
    """Split a unit off a column header: ``"Unit weight (g)"`` -> ``("Unit weight", "g")``.

    Bracket content is split off only if :func:`parse_unit` reads it (so
    ``"Comp. Qty (BUn)"`` stays whole). A bare last word is split off only if it is a
    mass fraction, a mass or a mass per unit and longer than one letter (``"Dy wt%"``,
    ``"Sm ppm"``, ``"Weight kg"``), so ``"Made in"`` or ``"Class T"`` stay whole.
    """
    text = " ".join(str(header).split()) if header is not None else ""
    m = _HEADER_BRACKET.match(text)
    if m and m.group("name").strip() and parse_unit(m.group("unit")).ok:
        return _header_name(m.group("name")), m.group("unit").strip()
    m = _HEADER_WORD.match(text)
    if m:
        unit = m.group("unit")
        info = parse_unit(unit)
        single_letter = len(unit) == 1 and unit.isalpha()
        if info.ok and not single_letter and (info.kind == "fraction" or info.kind.startswith("mass")):
            return _header_name(m.group("name")), unit
    return text, None


def _header_name(name: str) -> str:
    # "Weight in (kg)", "Weight, kg" -> "Weight"
    cleaned = _HEADER_TRAIL.sub("", name.strip())
    return cleaned or name.strip()


# "120 g/m", "0,5 kg", "1 234,5 kg", "12e-3 g": a number, then an optional unit not starting with a digit.
_VALUE_UNIT = ("^\\s*(?P<num>[+-]?[.,]?\\d(?:[\\d.,'’\u00a0\u202f\u2009 ]*\\d)?[.,]?(?:[eE][+-]?\\d+)?)"
               "\\s*(?P<unit>[^\\d\\s.,+-].*?)?\\s*$")


@timed("units")
def split_value_unit(cells: pd.Series, decimal: str = ".") -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Split cells like ``"120 g/m"`` into ``120.0`` and ``"g/m"`` (vectorised).

    Returns ``(values, units, bad)``: float64 values, a Series of unit strings (NA where
    the cell has none, same index as ``cells``), and a mask of cells that are neither
    blank nor "number [unit]". Numeric cells pass through with NA unit. The number is
    read as :func:`remin.numbers.parse_numbers` reads it (``decimal`` = "." or ",").
    """
    cells = _as_series(cells)
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        values, bad = parse_numbers(cells, decimal=decimal)
        return values, pd.Series(pd.NA, index=cells.index, dtype="string"), bad

    fast = fast_paths(cells, decimal, split_value_unit, extra_dtype="string")
    if fast is not None:
        return fast
    text, is_text = string_cells(cells)
    parts = text.str.extract(_VALUE_UNIT)
    matched = parts["num"].notna().to_numpy()
    num_cells = parts["num"].astype(object).where(parts["num"].notna(), None)
    # cells that are not text (numbers in an object column) are read as they are
    num_cells = num_cells.where(is_text, cells.astype(object))
    values, num_bad = parse_numbers(num_cells, decimal=decimal)
    blank = (text.str.strip().fillna("") == "").to_numpy()
    bad = (is_text.to_numpy() & ~blank & ~matched) | num_bad
    values = np.where(bad, np.nan, values)
    units = parts["unit"].astype("string")
    units = units.where(units.str.strip().fillna("") != "", pd.NA).rename(cells.name)
    return values, units, bad


# --------------------------------------------------------------------------- helpers

def _float_array(values) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(values, dtype=np.float64)
