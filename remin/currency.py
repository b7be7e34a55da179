"""Currency conversion with exchange rates the user supplies (``--rates FILE``).

remin ships no exchange rates: any built-in figure would be a made-up number in a
compliance result. Without a rates file only values already in the target currency
can be used; anything else converts to NaN and the caller reports it (finding
``missing-rate``), never a guess.

Rates file, CSV (``#`` lines are comments)::

    currency,rate,base,date,source
    EUR,1.08,USD,2025-06-30,ECB reference rate
    CNY,0.139,USD,2025-06-30,ECB reference rate

or TOML::

    base = "USD"
    [[rates]]
    currency = "EUR"
    rate = 1.08            # 1 EUR = 1.08 USD
    date = 2025-06-30
    source = "ECB reference rate"

``rate`` is the price of one unit of ``currency`` in ``base``; every row names the
same base, and the base needs no row. With several dates per currency the latest
dated on or before ``as_of`` is used (the latest of all when ``as_of`` is None).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from remin.datafile import (dotted, line_of, parse_dates, parse_numbers, read_commented_csv,
                            read_toml, toml_key_lines)
from remin.errors import InputError
from remin.numbers import CURRENCY_TOKENS

def normalize_currency(code) -> str | None:
    """One currency spelling -> ISO 4217 code; None for a blank. Symbols and codes are
    read with :data:`remin.numbers.CURRENCY_TOKENS` (RMB -> CNY, € -> EUR, ...); anything
    else, including an ambiguous symbol such as ¥, is returned upper-cased so that it
    shows up as a missing rate rather than a guess."""
    if _is_missing(code):
        return None
    text = str(code).strip().upper()
    if not text:
        return None
    return CURRENCY_TOKENS.get(text) or text


def normalize_currencies(codes: pd.Series | Iterable) -> pd.Series:
    """Vectorised :func:`normalize_currency` (each distinct spelling parsed once)."""
    s = pd.Series(codes, dtype=object) if not isinstance(codes, pd.Series) else codes.astype(object)
    uniq = pd.unique(s)
    mapping = {u: normalize_currency(u) for u in uniq if not _is_missing(u)}
    out = s.map(mapping)
    return out.astype(object).where(out.notna(), None)


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))


@dataclass(frozen=True)
class Rates:
    """Exchange rates: ``per_unit[c]`` is the price of 1 unit of currency ``c`` in ``base``."""

    base: str | None = None
    per_unit: dict[str, float] = field(default_factory=dict)
    dates: dict[str, _dt.date] = field(default_factory=dict)
    path: Path | None = None

    def rate(self, currency: str | None) -> float:
        """Units of ``base`` per unit of ``currency``; NaN where no rate is known."""
        code = normalize_currency(currency)
        if code is None:
            return float("nan")
        if code == self.base:
            return 1.0
        return self.per_unit.get(code, float("nan"))

    def factor(self, currency: str | None, to: str) -> float:
        """Multiply an amount in ``currency`` by this to get ``to``; 1 for the same
        currency (no rate needed), NaN where a rate is missing."""
        code, target = normalize_currency(currency), normalize_currency(to)
        if code is None or target is None:
            return float("nan")
        if code == target:
            return 1.0
        return self.rate(code) / self.rate(target)

    def convert(self, values: np.ndarray, currencies: pd.Series | Iterable, to: str) -> np.ndarray:
        """``values`` (each in the currency at the same position) converted to ``to``.

        Vectorised: one factor per distinct currency. NaN where the currency is blank
        or a rate is missing; the caller turns those into ``missing-rate`` findings.
        """
        vals = np.asarray(values, dtype=float)
        codes = normalize_currencies(currencies).fillna("").to_numpy(dtype=str)
        if codes.shape != vals.shape:
            raise ValueError(f"{vals.shape[0]} values but {codes.shape[0]} currencies")
        uniq, inverse = np.unique(codes, return_inverse=True)
        factors = np.array([self.factor(u, to) if u else np.nan for u in uniq], dtype=float)
        return vals * factors[inverse]

    def missing(self, currencies: pd.Series | Iterable, to: str | None = None) -> set[str]:
        """Currencies (normalised) that cannot be converted: to ``to`` when given, else
        those with no rate at all. Blanks are not listed (a missing currency is the
        caller's finding, not a missing rate)."""
        codes = {c for c in normalize_currencies(currencies).dropna().unique()}
        if to is None:
            return {c for c in codes if np.isnan(self.rate(c))}
        return {c for c in codes if np.isnan(self.factor(c, to))}

    def describe(self) -> str:
        if not self.per_unit:
            return "no exchange rates (only values already in the report currency are used)"
        latest = max(self.dates.values())
        return f"exchange rates from {self.path} (base {self.base}, latest {latest})"


def load_rates(path: Path | str | None = None, as_of: _dt.date | None = None) -> Rates:
    """Rates from a user CSV or TOML file; ``None`` gives empty rates (none shipped)."""
    if path is None:
        return Rates()
    path = Path(path)
    if path.suffix.lower() == ".toml":
        table = _read_toml_rates(path)
    else:
        table = _read_csv_rates(path)
    bases = table["base"].unique()
    if len(bases) > 1:
        second = table.loc[table["base"] != table["base"].iloc[0]].iloc[0]
        raise InputError(f"every rate must use one base currency; found {', '.join(bases)}",
                         file=path, line=int(second["_line"]), column="base")
    dup = table.duplicated(["currency", "date"], keep="first")
    if dup.any():
        row = table.loc[dup].iloc[0]
        raise InputError(f"a second rate for {row['currency']} on {row['date']}", file=path,
                         line=int(row["_line"]))
    if as_of is not None:
        table = table.loc[table["date"] <= as_of]
    table = table.sort_values(["currency", "date"]).drop_duplicates("currency", keep="last")
    return Rates(str(bases[0]), dict(zip(table["currency"], table["rate"].astype(float))),
                 dict(zip(table["currency"], table["date"])), path)


def parse_currency_codes(df: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A column of currency codes (of a frame with a ``_line`` column) normalised to
    ISO 4217; a cell that is not a three-letter code names its file, line and column."""
    norm = normalize_currencies(df[column])
    bad = ~norm.fillna("").str.fullmatch(r"[A-Z]{3}")
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise InputError(f"{df[column].iloc[i]!r} is not a currency code (three letters, e.g. USD)",
                         file=path, line=int(df["_line"].iloc[i]), column=column)
    return norm


def _read_csv_rates(path: Path) -> pd.DataFrame:
    df = read_commented_csv(path, ["currency", "rate", "base", "date"])
    return pd.DataFrame({
        "currency": parse_currency_codes(df, "currency", path),
        "rate": parse_numbers(df, "rate", path),
        "base": parse_currency_codes(df, "base", path),
        "date": parse_dates(df, "date", path),
        "_line": df["_line"],
    })


def _read_toml_rates(path: Path) -> pd.DataFrame:
    doc, text = read_toml(path)
    lines = toml_key_lines(text)

    def fail(message, key_path):
        return InputError(message, file=path, key=dotted(key_path), line=line_of(lines, key_path))

    unknown = [k for k in doc if k not in ("base", "rates")]
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; a rates file has base and [[rates]]", (unknown[0],))
    if not isinstance(doc.get("base"), str):
        raise fail("missing key 'base' (the currency every rate is priced in)", ("base",))
    rows = doc.get("rates", [])
    if not isinstance(rows, list) or not rows:
        raise fail("no [[rates]] entries", ("rates",))
    records = []
    for n, r in enumerate(rows):
        extra = [k for k in r if k not in ("currency", "rate", "date", "source")]
        if extra:
            raise fail(f"unknown key {extra[0]!r}; allowed: currency, rate, date, source",
                       ("rates", n, extra[0]))
        for key in ("currency", "rate", "date"):
            if key not in r:
                raise fail(f"missing key {key!r}", ("rates", n))
        rate = r["rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not np.isfinite(rate) or rate <= 0:
            raise fail(f"{rate!r} is not a positive number", ("rates", n, "rate"))
        if not isinstance(r["date"], _dt.date) or isinstance(r["date"], _dt.datetime):
            raise fail(f"{r['date']!r} is not a date (write it YYYY-MM-DD without quotes)",
                       ("rates", n, "date"))
        records.append({"currency": r["currency"], "rate": float(rate), "base": doc["base"],
                        "date": r["date"], "_line": line_of(lines, ("rates", n)) or 0})
    df = pd.DataFrame(records)
    df["currency"] = parse_currency_codes(df, "currency", path)
    df["base"] = parse_currency_codes(df, "base", path)
    return df
