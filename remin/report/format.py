"""Numbers as people read them in text reports (terminal, notices): masses with a
unit that keeps 3 decimals meaningful, shares in per cent, money with its currency.
Missing stays visibly missing ("unknown", "n/a"), never 0."""
from __future__ import annotations

import math

#: (at least this many kg, unit, kg per unit), largest first
_MASS_UNITS = ((1.0, "kg", 1.0), (1e-3, "g", 1e-3), (1e-6, "mg", 1e-6), (0.0, "µg", 1e-9))


def _missing(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def fmt_mass(kg, missing: str = "unknown") -> str:
    """``kg`` in kg, g, mg or µg with 3 decimals: 68.190 g, 0.487 mg."""
    if _missing(kg):
        return missing
    kg = float(kg)
    if kg == 0:
        return "0 g"
    for floor, unit, per in _MASS_UNITS:
        if abs(kg) >= floor:
            return f"{kg / per:,.3f} {unit}"
    return f"{kg:.3g} kg"  # pragma: no cover - the last floor is 0


def fmt_share(share, missing: str = "n/a", decimals: int = 4) -> str:
    """A fraction as per cent: 0.00086 -> '0.0860 %'; tiny non-zero shares keep
    two significant digits instead of printing as zero."""
    if _missing(share):
        return missing
    pct = float(share) * 100
    if pct != 0 and abs(pct) < 10 ** -decimals:
        return f"{pct:.2g} %"
    return f"{pct:.{decimals}f} %"


def fmt_money(amount, currency, missing: str = "n/a") -> str:
    """1234.5, 'EUR' -> '1,234.50 EUR'."""
    if _missing(amount):
        return missing
    return f"{float(amount):,.2f} {currency or ''}".rstrip()
