"""Unit handling for declarations, kept behind one function so it can switch to
``remin.units`` (the project's pint registry) once that lands.

Declarations only need masses (to kg) and mass fractions (to a plain fraction).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

MASS, FRACTION = "mass", "fraction"

# unit spelling (case-folded, spaces removed) -> (kind, factor to kg or to a fraction).
# ERP/UN-CEFACT codes included because supplier files use them (KGM, GRM, MGM).
_UNITS: dict[str, tuple[str, float]] = {
    "kg": (MASS, 1.0), "kgm": (MASS, 1.0), "kilogram": (MASS, 1.0), "kilograms": (MASS, 1.0),
    "g": (MASS, 1e-3), "gr": (MASS, 1e-3), "grm": (MASS, 1e-3), "gram": (MASS, 1e-3), "grams": (MASS, 1e-3),
    "mg": (MASS, 1e-6), "mgm": (MASS, 1e-6), "milligram": (MASS, 1e-6), "milligrams": (MASS, 1e-6),
    "µg": (MASS, 1e-9), "μg": (MASS, 1e-9), "ug": (MASS, 1e-9), "microgram": (MASS, 1e-9),
    "t": (MASS, 1e3), "tne": (MASS, 1e3), "tonne": (MASS, 1e3),
    "lb": (MASS, 0.45359237), "lbs": (MASS, 0.45359237), "lbr": (MASS, 0.45359237),
    "oz": (MASS, 0.028349523125), "onz": (MASS, 0.028349523125),
    "%": (FRACTION, 1e-2), "wt%": (FRACTION, 1e-2), "percent": (FRACTION, 1e-2),
    "masspercent": (FRACTION, 1e-2), "mass%": (FRACTION, 1e-2), "%wt": (FRACTION, 1e-2),
    "ppm": (FRACTION, 1e-6), "ppmw": (FRACTION, 1e-6), "mg/kg": (FRACTION, 1e-6),
    "ppb": (FRACTION, 1e-9),
    "fraction": (FRACTION, 1.0), "massfraction": (FRACTION, 1.0),
}

#: Spellings offered in the declaration template's drop-down lists.
TEMPLATE_MASS_UNITS = ("g", "kg", "mg", "lb", "oz")
TEMPLATE_AMOUNT_UNITS = ("wt%", "ppm", "fraction", "g", "mg", "kg")


def _key(unit) -> str:
    return "".join(str(unit).split()).casefold()


def to_base(values, units, allowed: tuple[str, ...] = (MASS, FRACTION)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert ``values`` (array-like of floats) given in ``units`` (array-like of
    unit strings) to kg (masses) or plain fractions.

    Returns ``(converted, kind, bad)``: float64 array (NaN where not converted),
    object array of ``"mass"``/``"fraction"``/None, and a bool array that is True
    where the unit is unknown or of a kind not in ``allowed``. Each distinct
    unit is looked up once.
    """
    values = np.asarray(values, dtype=float)
    units = pd.Series(np.asarray(units, dtype=object))
    factor = np.full(len(units), np.nan)
    kind = np.full(len(units), None, dtype=object)
    for unit in pd.unique(units.dropna()):
        hit = _UNITS.get(_key(unit))
        if hit and hit[0] in allowed:
            rows = (units == unit).to_numpy()
            kind[rows], factor[rows] = hit
    bad = np.isnan(factor)
    return values * factor, kind, bad
