"""Origin classes of rare-earth content: cn / other / unknown (domain.md §2.4).

The origin that matters is that of the rare-earth content, not where the part was
made. Unknown is its own class and is never treated as non-Chinese.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

ORIGIN_CLASSES = ("cn", "other", "unknown")


def origin_class(comp: pd.DataFrame, parts: pd.DataFrame) -> np.ndarray:
    """cn / other / unknown for each row of ``comp`` (columns ``part`` and ``origin``):
    the row's origin, else the part's rare-earth origin, else CN if the part was made
    in China, else unknown."""
    origin = comp["origin"].astype("string")
    origin = origin.fillna(comp["part"].map(parts["re_origin"]).astype("string"))
    made_cn = comp["part"].map(parts["made_in"]).astype("string") == "CN"
    origin = origin.mask(origin.isna() & made_cn.fillna(False), "CN")
    is_na = origin.isna().to_numpy()
    is_cn = (origin == "CN").fillna(False).to_numpy(bool)
    return np.where(is_na, "unknown", np.where(is_cn, "cn", "other"))


def part_origin_class(parts: pd.DataFrame) -> np.ndarray:
    """The origin class of each part as a whole (no composition row): its rare-earth
    origin, else CN if made in China, else unknown (``origin_class`` without row origins,
    straight on the part columns)."""
    origin = parts["re_origin"].astype("string")
    made_cn = (parts["made_in"].astype("string") == "CN").fillna(False)
    origin = origin.mask(origin.isna() & made_cn, "CN")
    is_cn = (origin == "CN").fillna(False).to_numpy(bool)
    return np.where(origin.isna().to_numpy(), "unknown", np.where(is_cn, "cn", "other"))
