"""Where-used: for every part that brings controlled content, each SKU and path using it.

The opposite view to ``remin.contributions``: grouped by part, so a supplier's
answer about one magnet shows at once every product it moves. Paths are walked
top-down from the reported SKUs (``remin.treepaths``) into every branch that holds a
controlled part; a use below a part whose own composition already covers its
subtree is listed but marked ``counted = False`` (that ancestor's declaration, not
this part, enters the SKU's figures).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from remin.assess import ORIGIN_CLASSES, Assessment
from remin.contributions import base_units, part_names, part_values
from remin.rollup import contains
from remin.treepaths import PATH_LIMIT, enumerate_paths

COLUMNS = ("part", "description", "sku", "path", "depth", "extended_qty", "base_unit", "counted",
           "cn_kg", "other_kg", "unknown_kg", "elements", "re_origin", "made_in", "supplier")


def controlled_parts(a: Assessment) -> np.ndarray:
    """(n,) True for parts whose own composition carries controlled elements on the
    date (a non-zero or unknown amount), or that are flagged as Annex 1 Part I items."""
    # NaN != 0: an unknown amount counts
    own = (a.own_elements != 0).any(axis=1) if a.own_elements.size else np.zeros(len(a.results), bool)
    own &= a.composition_declared
    part1 = a.bom.parts["part1"].fillna(False).to_numpy(bool) if "part1" in a.bom.parts else False
    return own | part1


def where_used(a: Assessment, skus: Sequence[str] | None = None, limit: int = PATH_LIMIT) -> pd.DataFrame:
    """One row per (controlled part, SKU, path); kg figures per one unit of the SKU
    through that path (blank where not counted). Sorted by part, then SKU order."""
    skus = tuple(a.sku_list if skus is None else skus)
    for s in skus:
        a._position(s)
    flag = controlled_parts(a)
    paths = enumerate_paths(a.graph, a.results.index.get_indexer(list(skus)), contains(a.graph, flag),
                            limit=limit)
    node = np.flatnonzero(flag[paths.part])
    part = paths.part[node]
    counted = ~paths.blocked(a.composition_declared)[node]
    names = part_names(a, paths.part)
    parts = a.bom.parts
    n_el = len(a.elements)
    kg = (a.own_elements[part] * paths.qty[node, None]).reshape(len(node), n_el, 3) if n_el else \
        np.zeros((len(node), 0, 3))
    kg = np.where(counted[:, None, None], kg, np.nan)
    present = np.nan_to_num(kg, nan=1.0) != 0
    elements = np.asarray(a.elements, dtype=object)
    listed = _element_lists(present.any(axis=2), elements)
    out = pd.DataFrame({
        "part": names[part],
        "description": part_values(parts, "description", part),
        "sku": np.asarray(skus, dtype=object)[paths.sku[node]] if len(node) else np.array([], dtype=object),
        "path": paths.strings(names)[node],
        "depth": paths.depth[node],
        "extended_qty": paths.qty[node],
        "base_unit": base_units(parts, part),
        "counted": counted,
        **{f"{c}_kg": kg[:, :, i].sum(axis=1) for i, c in enumerate(ORIGIN_CLASSES)},
        "elements": listed,
    })
    for c in ("re_origin", "made_in", "supplier"):
        out[c] = part_values(parts, c, part) if c in parts else None
    order = pd.Series(np.arange(len(skus)), index=list(skus))
    out = out.assign(_s=order.reindex(out["sku"]).to_numpy()).sort_values(["part", "_s", "path"], kind="stable")
    return out.drop(columns="_s").reset_index(drop=True)


def _element_lists(has: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """(rows, E) bool -> "Nd, Dy" per row (elements in rule order, "" for none): each
    distinct combination is joined once, then taken back."""
    if not has.shape[1]:
        return np.full(len(has), "", dtype=object)
    bits = (has.astype(np.int64) << np.arange(has.shape[1], dtype=np.int64)).sum(axis=1) if has.shape[1] < 63 \
        else None
    if bits is None:
        return np.asarray([", ".join(elements[row]) for row in has], dtype=object)
    combos, which = np.unique(bits, return_inverse=True)
    texts = [", ".join(el for i, el in enumerate(elements) if c >> i & 1) for c in combos.tolist()]
    return np.asarray(texts, dtype=object)[which.reshape(-1)]
