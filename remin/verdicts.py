"""Shares, intervals and verdicts against the threshold (share >= threshold)."""
from __future__ import annotations

import numpy as np

ABOVE, BELOW, INDETERMINATE, NO_DATA = "above", "below", "indeterminate", "no-data"
VERDICTS = (ABOVE, INDETERMINATE, BELOW, NO_DATA)


def shares(cn: np.ndarray, unknown: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) = (cn / d, (cn + unknown) / d); NaN where d is missing or not positive."""
    d = np.where(denominator > 0, denominator, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cn / d, (cn + unknown) / d


def verdicts(low: np.ndarray, high: np.ndarray, denominator: np.ndarray, threshold: float) -> np.ndarray:
    """no-data where the denominator is missing; above if low >= t; below if high < t;
    indeterminate otherwise — including a numerator partly unknown (NaN) that could
    still reach the threshold."""
    low, high = np.asarray(low, float), np.asarray(high, float)
    out = np.full(len(low), INDETERMINATE, dtype=object)
    out[~(np.asarray(denominator, float) > 0)] = NO_DATA
    decided = out != NO_DATA
    out[decided & (high < threshold)] = BELOW
    out[decided & (low >= threshold)] = ABOVE
    return out
