"""Where each SKU's controlled content comes from: per path, part, element and origin.

``contribution_tree`` walks every SKU's BOM top-down along the branches that carry
controlled content (pruned with the rolled-up figures of ``assess``) and stops at
parts whose own composition covers their subtree, exactly as the roll-up does; the
content each path brings is the part's own controlled kg per base unit times the
path's extended quantity. Summed over a SKU's rows the figures equal the SKU's
controlled mass by element and origin class in ``Assessment.results``.

``contributor_rows`` flattens that into one row per (SKU, path, element, origin
class), the long table the workbook, CSV and JSON reports share, and values each
row for the value test (domain.md §2.6): under a part flagged as an Annex 1 Part I
item (the topmost on the path) the row gets its share, by controlled mass, of that
item's declared value ("declared"); elsewhere the controlled mass times the
reference element price on the date ("estimated"). Rows keep the origin class of
their content, also under a flagged item.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from remin.assess import ORIGIN_CLASSES, Assessment, _own_values
from remin.treepaths import PATH_LIMIT, PathTree, enumerate_paths

#: Base unit per line kind, as reports print extended quantities.
BASE_UNIT = {"count": "pcs", "mass": "kg", "length": "m", "area": "m2", "volume": "m3"}

DECLARED, ESTIMATED = "declared", "estimated"


@dataclass(frozen=True)
class ContributionTree:
    """Paths from each SKU to the parts that bring controlled content.

    ``own``: (path nodes, E*3) controlled kg per one unit of the SKU that the node's own
    composition brings (zero for nodes that only pass content through); ``total``: the
    same including everything below the node. Columns follow ``Assessment.element_columns()``.
    """

    assessment: Assessment
    skus: tuple[str, ...]
    paths: PathTree
    own: np.ndarray
    total: np.ndarray

    @property
    def contributor_nodes(self) -> np.ndarray:
        """Path nodes whose own composition brings controlled content (non-zero or unknown)."""
        return np.flatnonzero((np.nan_to_num(self.own, nan=1.0) != 0).any(axis=1))

    def by_class(self, values: np.ndarray) -> np.ndarray:
        """(rows, E*3) -> (rows, 3): kg per origin class (cn, other, unknown), NaN kept."""
        n_el = len(self.assessment.elements)
        return values.reshape(len(values), n_el, 3).sum(axis=1) if n_el else np.zeros((len(values), 3))


def carries_content(a: Assessment) -> np.ndarray:
    """(n,) True for parts whose rolled-up controlled mass is non-zero or unknown."""
    cols = a.element_columns()
    if not cols:
        return np.zeros(len(a.results), bool)
    return (np.nan_to_num(a.results[cols].to_numpy(float), nan=1.0) != 0).any(axis=1)


def contribution_tree(a: Assessment, skus: Sequence[str] | None = None, limit: int = PATH_LIMIT
                      ) -> ContributionTree:
    """The pruned path tree of ``skus`` (default: the reported SKUs) with content per node."""
    skus = tuple(a.sku_list if skus is None else skus)
    for s in skus:
        a._position(s)  # a clear UsageError for an unknown SKU
    pos = a.results.index.get_indexer(list(skus))
    paths = enumerate_paths(a.graph, pos, carries_content(a), a.composition_declared, limit)
    declared = a.composition_declared[paths.part]
    own = np.where(declared[:, None], a.own_elements[paths.part] * paths.qty[:, None], 0.0)
    return ContributionTree(a, skus, paths, own, paths.sum_up(own))


def contributor_rows(ct: ContributionTree, prices=None, rates=None) -> pd.DataFrame:
    """One row per (SKU, path, element, origin class) with controlled content.

    Columns: sku, path, depth, part, description, extended_qty (base units of the part
    per one SKU along this path), base_unit, element, origin_class, mass_kg (controlled
    element mass, kg per SKU), mass_share (of the SKU's mass), value (in the SKU's
    currency), value_basis (declared / estimated / why missing), value_share (of the
    SKU's value), re_origin, made_in, supplier, part1, src_file, src_sheet, src_row.
    ``prices``: a PriceTable (default: the shipped one on the rules' date); ``rates``
    converts prices and part values into the SKU's currency.
    """
    a = ct.assessment
    p = ct.paths
    nodes = ct.contributor_nodes
    n_cols = ct.own.shape[1]
    mat = ct.own[nodes]
    hit = np.nan_to_num(mat, nan=1.0) != 0
    row_node, col = np.nonzero(hit)
    node = nodes[row_node]
    part = p.part[node]
    parts = a.bom.parts
    sku_idx = np.asarray(ct.skus, dtype=object)[p.sku[node]] if len(node) else np.array([], dtype=object)
    names = a.results.index.to_numpy(dtype=object)
    elements = np.asarray(a.elements, dtype=object)
    res = a.results
    sku_mass = res["mass_kg"].reindex(sku_idx).to_numpy(float)
    kg = mat[row_node, col] if n_cols else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = kg / np.where(sku_mass > 0, sku_mass, np.nan)
    rows = pd.DataFrame({
        "sku": sku_idx,
        "path": p.strings(names)[node],
        "depth": p.depth[node],
        "part": names[part],
        "description": parts["description"].to_numpy(dtype=object)[part],
        "extended_qty": p.qty[node],
        "base_unit": pd.Series(parts["base_kind"].to_numpy(dtype=object)[part]).map(BASE_UNIT).to_numpy(),
        "element": elements[col // 3] if len(col) else np.array([], dtype=object),
        "origin_class": np.asarray(ORIGIN_CLASSES, dtype=object)[col % 3],
        "mass_kg": kg,
        "mass_share": share,
        "_node": node,
    })
    rows = _attach_values(rows, ct, prices, rates)
    for c in ("re_origin", "made_in", "supplier", "part1", "src_file", "src_sheet", "src_row"):
        rows[c] = parts[c].to_numpy(dtype=object)[part] if c in parts else None
    # Per SKU (in report order): biggest Chinese-origin, then unknown-origin contributions first.
    order = pd.Series(np.arange(len(ct.skus)), index=list(ct.skus))
    rank = rows["origin_class"].map({"cn": 0, "unknown": 1, "other": 2})
    rows = rows.assign(_s=order.reindex(rows["sku"]).to_numpy(), _r=rank, _m=-rows["mass_kg"].fillna(np.inf))
    rows = rows.sort_values(["_s", "_r", "_m", "path", "element"], kind="stable")
    return rows.drop(columns=["_s", "_r", "_m", "_node"]).reset_index(drop=True)


def _attach_values(rows: pd.DataFrame, ct: ContributionTree, prices, rates) -> pd.DataFrame:
    """Value each row for the value test (see the module docstring)."""
    a = ct.assessment
    res = a.results
    currency = res["currency"].dropna()
    target = str(currency.iloc[0]) if len(currency) else None
    value = np.full(len(rows), np.nan)
    basis = np.full(len(rows), "no currency" if target is None else "no price", dtype=object)
    if len(rows) and target is not None:
        if prices is None:
            from remin.prices import load_prices
            prices = load_prices(None, a.rules.as_of)
        per_kg = prices.price_per_kg(a.elements, to=target, rates=rates)
        est = rows["mass_kg"].to_numpy(float) * per_kg.reindex(rows["element"]).to_numpy(float)
        listed = prices.lookup(a.elements)["currency"].reindex(rows["element"])
        no_rate = "no exchange rate " + listed.astype("string").fillna("") + f"->{target}"
        basis = np.where(listed.notna().to_numpy(), no_rate.to_numpy(dtype=object), basis)
        value = np.where(np.isnan(est), value, est)
        basis = np.where(np.isnan(est), basis, ESTIMATED)
        part1 = a.bom.parts["part1"].fillna(False).to_numpy(bool) if "part1" in a.bom.parts else None
        if part1 is not None and part1.any():
            value, basis = _declared_part1_values(rows, ct, part1, target, rates, value, basis)
    sku_value = res["value"].reindex(rows["sku"]).to_numpy(float) if len(rows) else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        vshare = value / np.where(sku_value > 0, sku_value, np.nan)
    return rows.assign(value=value, currency=target, value_basis=basis, value_share=vshare)


def _declared_part1_values(rows, ct, part1, target, rates, value, basis):
    """Rows under a flagged Part I item share its declared value by controlled mass."""
    p = ct.paths
    top = p.topmost(part1)[rows["_node"].to_numpy()]
    covered = top >= 0
    if not covered.any():
        return value, basis
    unit_value, _, _ = _own_values(ct.assessment.bom.parts, rates, target)
    item_value = p.qty[top[covered]] * unit_value[p.part[top[covered]]]
    kg = rows["mass_kg"].to_numpy(float)[covered]
    group = pd.Series(kg).groupby(top[covered])
    tot, count = group.transform("sum").to_numpy(), group.transform("size").to_numpy()
    weight = np.where(tot > 0, kg / np.where(tot > 0, tot, 1.0), 1.0 / count)
    value = value.copy()
    basis = basis.copy()
    value[covered] = item_value * weight
    basis[covered] = np.where(np.isnan(item_value), "declared value missing", DECLARED)
    return value, basis
