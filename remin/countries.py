"""Country spellings to ISO 3166-1 alpha-2 codes (CN, CHN, China, PRC … -> CN).

ISO names and codes come from pycountry; data/country-aliases.csv adds the
spellings ERP exports use that ISO does not (PRC, Mainland China, USA …).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pycountry

from remin.paths import data_path
from remin.repeats import blank_strings


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    table = pd.read_csv(data_path("country-aliases.csv"), comment="#", dtype=str)
    return {a.strip().lower(): c.strip().upper() for a, c in zip(table["alias"], table["iso2"])}


@lru_cache(maxsize=4096)
def to_iso2_one(text: str) -> str | None:
    """One spelling to its alpha-2 code, or None when it names no country."""
    key = " ".join(str(text).split())
    if not key:
        return None
    alias = _aliases().get(key.lower())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return None


#: Cells that say "origin not known" in so many words: NA, and not a spelling mistake.
UNKNOWN_WORDS = frozenset({"", "unknown", "unk", "n/a", "na", "-", "--", "?", "tbd", "not known", "none"})


def to_iso2(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Vectorised over distinct spellings: (alpha-2 codes with NA for blanks, words
    such as 'unknown' and unreadable spellings; mask of the unreadable cells)."""
    if not values.notna().any():   # a blank or absent column: nothing to look up
        return blank_strings(values.index), np.zeros(len(values), dtype=bool)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    said_unknown = np.array([" ".join(str(u).split()).lower() in UNKNOWN_WORDS for u in uniques] + [True])
    mapped = [to_iso2_one(u) for u in uniques]
    known = np.array([m is not None for m in mapped] + [False])
    # the few codes spread back by Arrow's take (-1, a blank cell, becomes NA)
    result = pd.Series(pd.array(mapped, dtype="string").take(codes, allow_fill=True), index=values.index)
    bad = (codes >= 0) & ~known[codes] & ~said_unknown[codes]
    return result, np.asarray(bad)
