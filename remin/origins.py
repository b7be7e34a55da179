"""Origin classes of rare-earth content: cn / other / unknown (domain.md §2.4).

The origin that matters is that of the rare-earth content, not where the part was
made. Unknown is its own class and is never treated as non-Chinese.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

ORIGIN_CLASSES = ("cn", "other", "unknown")
CN, OTHER, UNKNOWN = range(3)          # positions in ORIGIN_CLASSES (origin codes)


def _given_and_cn(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(an origin is given, it is CN) per cell of an ISO country column."""
    text = values.astype("string")
    return text.notna().to_numpy(bool), (text == "CN").fillna(False).to_numpy(bool)


def part_origin_codes(parts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(origin code of each part as a whole, the part's rare-earth origin is given):
    its rare-earth origin, else CN if made in China, else unknown."""
    given, cn = _given_and_cn(parts["re_origin"])
    _, made_cn = _given_and_cn(parts["made_in"])
    codes = np.where(given, np.where(cn, CN, OTHER), np.where(made_cn, CN, UNKNOWN))
    return codes, given


def origin_codes(comp: pd.DataFrame, parts: pd.DataFrame, positions: np.ndarray | None = None) -> np.ndarray:
    """Origin code (index into ORIGIN_CLASSES) of each row of ``comp`` (columns ``part``
    and ``origin``): the row's origin, else the part's rare-earth origin, else CN if the
    part was made in China, else unknown. ``positions``: each row's part position in
    ``parts`` where the caller has them (else looked up by part number)."""
    if positions is None:
        positions = parts.index.get_indexer(comp["part"])
    given, cn = _given_and_cn(comp["origin"])
    whole, _ = part_origin_codes(parts)
    known = positions >= 0          # a row of a part not among the parts: its own origin or unknown
    of_part = np.where(known, whole[np.where(known, positions, 0)], UNKNOWN)
    return np.where(given, np.where(cn, CN, OTHER), of_part)


def origin_class(comp: pd.DataFrame, parts: pd.DataFrame) -> np.ndarray:
    """cn / other / unknown for each row of ``comp`` (see ``origin_codes``)."""
    return np.asarray(ORIGIN_CLASSES)[origin_codes(comp, parts)]


def part_origin_class(parts: pd.DataFrame) -> np.ndarray:
    """The origin class of each part as a whole (no composition row): its rare-earth
    origin, else CN if made in China, else unknown."""
    return np.asarray(ORIGIN_CLASSES)[part_origin_codes(parts)[0]]
