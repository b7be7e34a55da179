"""Chemical elements: recognise a symbol or name, and the rare-earth group.

The element table is molmass's (symbols, names, atomic numbers, standard
atomic weights); nothing here retypes the periodic table.

Case rules of :func:`element_symbol` (used for column headers such as
``DY [wt%]`` and for single-element composition rows): a symbol or an English
name is matched **case-insensitively** after trimming — ``Dy``, ``dy``, ``DY``,
``Dysprosium`` and ``DYSPROSIUM`` are all dysprosium. Formulas are different:
inside a chemical formula symbols are case-sensitive (``Co`` cobalt, ``CO``
carbon monoxide); see :mod:`remin.composition`.
"""
from __future__ import annotations

from types import MappingProxyType

import molmass
import pandas as pd

#: symbol -> molmass Element, for the natural elements molmass knows (no D/T isotopes).
ELEMENTS = MappingProxyType({e.symbol: e for e in molmass.ELEMENTS})

# The 17 rare earths: scandium, yttrium and the lanthanides La..Lu (Z 57-71).
_RARE_EARTH_NUMBERS = (21, 39, *range(57, 72))
#: The 17 rare-earth element symbols in atomic-number order: Sc, Y, La ... Lu.
RARE_EARTHS: tuple[str, ...] = tuple(e.symbol for e in molmass.ELEMENTS if e.number in _RARE_EARTH_NUMBERS)

# Other spellings a BOM may use (American/British) for molmass's names.
_NAME_ALIASES = {"aluminum": "Al", "cesium": "Cs", "sulphur": "S"}

_BY_LOWER: dict[str, str] = {
    **{sym.lower(): sym for sym in ELEMENTS},
    **{e.name.lower(): sym for sym, e in ELEMENTS.items()},
    **_NAME_ALIASES,
}


def element_symbol(text) -> str | None:
    """The element symbol for a symbol or English name in any case, else ``None``.

    >>> element_symbol("DY"), element_symbol("dysprosium"), element_symbol("Nd"), element_symbol("Dy2O3")
    ('Dy', 'Dy', 'Nd', None)
    """
    if not isinstance(text, str):
        return None
    return _BY_LOWER.get(" ".join(text.split()).lower())


def element_name(symbol: str) -> str:
    """English name of an element symbol (``"Dy"`` -> ``"dysprosium"``), lower case."""
    return ELEMENTS[symbol].name.lower()


def element_symbols(series: pd.Series) -> pd.Series:
    """:func:`element_symbol` of every value, looked up once per distinct value.

    Returns a Series on the same index; values that are not an element are missing (NaN).
    """
    distinct = pd.unique(series.dropna())
    mapping = {v: element_symbol(v) for v in distinct}
    return series.map(mapping)
