"""Reference element prices for the value test (``--prices FILE``).

The value test (MOFCOM No. 61 Art. 1(1)) needs the value of Chinese-origin Part I
items. Controlled content that no flagged Part I item covers can be valued at
reference prices per kg of element contained; such values are estimates and every
output labels them so (:data:`ESTIMATE_LABEL`). The shipped table,
``data/prices/reference-prices.csv``, documents its syntax and where each figure
comes from in its header; a user replaces it with ``--prices FILE``.
"""
from __future__ import annotations

import functools

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from remin.currency import Rates, parse_currency_codes
from remin.elements import RARE_EARTHS, element_symbols
from remin.datafile import parse_dates, parse_numbers, read_commented_csv
from remin.errors import InputError
from remin.paths import data_path

SHIPPED_PRICES = ("prices", "reference-prices.csv")
ESTIMATE_LABEL = "estimated"
BASIS = "element contained"
COLUMNS = ("element", "basis", "price_per_kg", "currency", "date", "source", "note")


@dataclass(frozen=True)
class PriceTable:
    """Prices per kg of element contained, as they stand on ``as_of``.

    ``rows`` holds every row of the file; ``current`` (indexed by element) the row
    used for each element: the latest dated on or before ``as_of`` (latest of all
    when ``as_of`` is None).
    """

    rows: pd.DataFrame
    current: pd.DataFrame
    as_of: _dt.date | None
    path: Path
    shipped: bool

    @property
    def currency(self) -> str | None:
        """The one currency of the prices in use, None if they mix currencies."""
        cur = self.current["currency"].unique()
        return str(cur[0]) if len(cur) == 1 else None

    def lookup(self, elements: Iterable[str]) -> pd.DataFrame:
        """The rows used for ``elements`` (in that order; all-NaN rows where none)."""
        return self.current.reindex(pd.Index(list(elements), name="element"))

    def missing(self, elements: Iterable[str]) -> set[str]:
        """Elements with no price on ``as_of``."""
        return {e for e in elements if e not in self.current.index}

    def price_per_kg(self, elements: Iterable[str], to: str | None = None,
                     rates: Rates | None = None) -> pd.Series:
        """Price per kg of each element (NaN where none), indexed by element.

        Without ``to`` the prices are in the table's own currency (see ``currency``;
        a table mixing currencies then needs ``to``). With ``to`` they are converted
        with ``rates``; a missing rate gives NaN, never a guess.
        """
        rows = self.lookup(elements)
        if to is None:
            used = rows["currency"].dropna().unique()
            if len(used) > 1:
                raise InputError(f"the prices of {', '.join(rows.index)} are in several currencies "
                                 f"({', '.join(map(str, used))}); a target currency is needed",
                                 file=self.path)
            return rows["price_per_kg"].astype(float).rename("price_per_kg")
        converted = (rates or Rates()).convert(rows["price_per_kg"].to_numpy(dtype=float),
                                               rows["currency"], to)
        return pd.Series(converted, index=rows.index, name="price_per_kg")

    def describe(self) -> str:
        """One line for reports: which table, which dates, and that values are estimates."""
        dates = sorted({d.isoformat() for d in self.current["date"]})
        origin = "shipped reference table" if self.shipped else "user price table"
        when = f"prices dated {', '.join(dates)}" if dates else "no price on this date"
        shown = "data/" + "/".join(SHIPPED_PRICES) if self.shipped else self.path
        return f"{origin} {shown} ({when}); values from it are {ESTIMATE_LABEL}"


def load_prices(path: Path | str | None = None, as_of: _dt.date | None = None) -> PriceTable:
    """Read a price table (the shipped one when ``path`` is None) for date ``as_of``.

    Errors (unknown element, bad number, bad date, a second price for the same element
    and date) name the file, line and column. Cached per file version and date: a batch
    loads the same table for every BOM.
    """
    resolved = data_path(*SHIPPED_PRICES) if path is None else Path(path)
    try:
        st = resolved.stat()
    except OSError as e:
        raise InputError(f"cannot read price table: {e.strerror}", file=str(resolved)) from None
    return _load_prices_cached(path is None, resolved, st.st_mtime_ns, st.st_size, as_of)


@functools.lru_cache(maxsize=32)
def _load_prices_cached(shipped: bool, path: Path, mtime_ns: int, size: int, as_of) -> PriceTable:
    df = read_commented_csv(path, ["element", "price_per_kg", "currency", "date"])
    table = pd.DataFrame({
        "element": _elements(df, path),
        "basis": _basis(df, path),
        "price_per_kg": parse_numbers(df, "price_per_kg", path),
        "currency": parse_currency_codes(df, "currency", path),
        "date": parse_dates(df, "date", path),
        "source": df["source"] if "source" in df else "",
        "note": df["note"] if "note" in df else "",
        "_line": df["_line"],
    })
    dup = table.duplicated(["element", "date"])
    if dup.any():
        row = table.loc[dup].iloc[0]
        raise InputError(f"a second price for {row['element']} dated {row['date']}", file=path,
                         line=int(row["_line"]))
    usable = table if as_of is None else table.loc[table["date"] <= as_of]
    current = (usable.sort_values(["element", "date"]).drop_duplicates("element", keep="last")
               .set_index("element"))
    return PriceTable(table, current, as_of, path, shipped)


def _elements(df: pd.DataFrame, path: Path) -> pd.Series:
    symbols = element_symbols(df["element"])  # "dy", "DY", "Dysprosium" -> "Dy"
    bad = ~symbols.isin(RARE_EARTHS)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise InputError(f"{df['element'].iloc[i]!r} is not a rare-earth element symbol "
                         f"({', '.join(RARE_EARTHS)})", file=path, line=int(df["_line"].iloc[i]),
                         column="element")
    return symbols


def _basis(df: pd.DataFrame, path: Path) -> pd.Series:
    if "basis" not in df:
        return pd.Series(BASIS, index=df.index)
    basis = df["basis"].str.lower()
    bad = basis != BASIS
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise InputError(f"basis {df['basis'].iloc[i]!r} is not supported; prices are per kg of "
                         f"{BASIS!r}", file=path, line=int(df["_line"].iloc[i]), column="basis")
    return basis
