"""Where each SKU's controlled content comes from: per path, part, element and origin.

``contribution_tree`` walks every SKU's BOM top-down along the branches that carry
controlled content (pruned with the rolled-up figures of ``assess``) and stops at
parts whose own composition covers their subtree, exactly as the roll-up does; the
content each path brings is the part's own controlled kg per base unit times the
path's extended quantity. Summed over a SKU's rows the figures equal the SKU's
controlled mass by element and origin class in ``Assessment.results``.

``contributor_rows`` flattens that into one row per (SKU, path, element, origin
class), the long table the workbook, CSV and JSON reports share, and values each
row as the value test does (domain.md §2.6, docs/value-test.md): under a part
counted as an Annex 1 Part I item (the topmost on the path) the row gets its share,
by controlled mass, of that item's value ("declared"); elsewhere the controlled mass
of a Part I element times its reference price on the date ("estimated"); content of
other elements (Eu, Ho …) is not valued (0). A Part I item that brings no controlled
mass gets a row of its own (no element, its value). Rows keep the origin class of
their content, also under a Part I item.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from pandas.arrays import ArrowStringArray

from remin.assess import ORIGIN_CLASSES, Assessment
from remin.origins import part_origin_class
from remin.rollup import contains
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
        return np.flatnonzero((self.own != 0).any(axis=1))     # NaN != 0: unknown counts

    def by_class(self, values: np.ndarray) -> np.ndarray:
        """(rows, E*3) -> (rows, 3): kg per origin class (cn, other, unknown), NaN kept."""
        n_el = len(self.assessment.elements)
        return values.reshape(len(values), n_el, 3).sum(axis=1) if n_el else np.zeros((len(values), 3))


def part1_flags(a: Assessment) -> np.ndarray:
    """(n,) parts counted as Annex 1 Part I items: as the value test decides where this
    remin has it (part1 column, else control code, else materials library), else the
    part1 column alone. Computed once per assessment (the reports ask several times)."""
    cached = a.__dict__.get("_report_part1_flags")
    if cached is None:
        cached = a.__dict__["_report_part1_flags"] = _part1_flags(a)
    return cached


def _part1_flags(a: Assessment) -> np.ndarray:
    parts = a.bom.parts
    try:
        from remin.valuetest import material_info, part1_flags as value_test_flags
    except ImportError:
        flag = parts["part1"] if "part1" in parts else pd.Series(False, index=parts.index)
        return flag.astype("boolean").fillna(False).to_numpy(bool)
    return value_test_flags(parts, material_info(parts, None)["part1"], a.rules.part1_items)


#: The dtype pandas infers for an object array of strings (missing as NaN).
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def part_values(parts: pd.DataFrame, column: str, positions: np.ndarray):
    """``parts[column]`` at row ``positions``: an Arrow text array for text columns, else
    an object array; only those rows are converted (turning a whole Arrow string column of 200k parts into Python objects
    costs more than everything else the reports do with it)."""
    taken = parts[column].take(np.asarray(positions, dtype=np.int64))
    if isinstance(taken.array, ArrowStringArray) and taken.notna().any():
        # stays Arrow: the str column a frame would infer from these objects, without
        # the round trip through Python strings (an all-missing column stays objects)
        return taken.array.astype(_TEXT)
    return taken.to_numpy(dtype=object)


def part_names(a: Assessment, positions: np.ndarray) -> np.ndarray:
    """(n,) object array of part numbers filled at ``positions`` only (None elsewhere):
    paths name a few thousand parts, and converting all 200k Arrow strings to Python
    strings costs more than the paths themselves."""
    index = a.results.index
    names = np.full(len(index), None, dtype=object)
    wanted = np.zeros(len(index), bool)
    wanted[positions] = True
    at = np.flatnonzero(wanted)
    names[at] = index.take(at).to_numpy(dtype=object)
    return names


def base_units(parts: pd.DataFrame, positions: np.ndarray) -> np.ndarray:
    """The printed base unit (pcs, kg, m …) of the parts at ``positions``."""
    codes, kinds = pd.factorize(parts["base_kind"].take(np.asarray(positions, dtype=np.int64)))
    # per distinct kind; an unknown or missing kind has no unit (NaN, as Series.map gave)
    units = np.array([BASE_UNIT.get(k, np.nan) for k in np.asarray(kinds, dtype=object).tolist()] + [np.nan],
                     dtype=object)
    return units[np.where(codes < 0, len(kinds), codes)]


def carries_content(a: Assessment) -> np.ndarray:
    """(n,) True for parts whose rolled-up controlled mass is non-zero or unknown."""
    cols = a.element_columns()
    if not cols:
        return np.zeros(len(a.results), bool)
    return (a.results[cols].to_numpy(float) != 0).any(axis=1)      # NaN != 0: unknown counts


def contribution_tree(a: Assessment, skus: Sequence[str] | None = None, limit: int = PATH_LIMIT
                      ) -> ContributionTree:
    """The pruned path tree of ``skus`` (default: the reported SKUs) with content per node."""
    skus = tuple(a.sku_list if skus is None else skus)
    for s in skus:
        a._position(s)  # a clear UsageError for an unknown SKU
    pos = a.results.index.get_indexer(list(skus))
    enter = carries_content(a) | contains(a.graph, part1_flags(a))   # Part I items count by value
    paths = enumerate_paths(a.graph, pos, enter, a.composition_declared, limit)
    declared = a.composition_declared[paths.part]
    own = np.where(declared[:, None], a.own_elements[paths.part] * paths.qty[:, None], 0.0)
    return ContributionTree(a, skus, paths, own, paths.sum_up(own))


def contributor_rows(ct: ContributionTree, prices=None, rates=None) -> pd.DataFrame:
    """One row per (SKU, path, element, origin class) with controlled content.

    Columns: sku, path, depth, part, description, extended_qty (base units of the part
    per one SKU along this path), base_unit, element, origin_class, mass_kg (controlled
    element mass, kg per SKU), mass_share (of the SKU's mass), value (in the SKU's
    currency), value_basis (declared / estimated / why missing), value_share (of the
    SKU's value), re_origin, made_in, supplier, part1 (counted as a Part I item),
    src_file, src_sheet, src_row.
    ``prices``: a PriceTable (default: the shipped one on the rules' date); ``rates``
    converts prices and part values into the SKU's currency.
    """
    a = ct.assessment
    p = ct.paths
    nodes = ct.contributor_nodes
    n_cols = ct.own.shape[1]
    mat = ct.own[nodes]
    hit = mat != 0                  # NaN != 0: unknown content is a row
    row_node, col = np.nonzero(hit)
    node = nodes[row_node]
    part = p.part[node]
    parts = a.bom.parts
    sku_idx = np.asarray(ct.skus, dtype=object)[p.sku[node]] if len(node) else np.array([], dtype=object)
    names = part_names(a, p.part)
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
        "description": part_values(parts, "description", part),
        "extended_qty": p.qty[node],
        "base_unit": base_units(parts, part),
        "element": elements[col // 3] if len(col) else np.array([], dtype=object),
        "origin_class": np.asarray(ORIGIN_CLASSES, dtype=object)[col % 3],
        "mass_kg": kg,
        "mass_share": share,
        "_node": node,
    })
    bare = _bare_part1_rows(ct, names)
    if len(bare):
        rows = pd.concat([rows, bare], ignore_index=True)
    rows = _attach_values(rows, ct, prices, rates)
    part = p.part[rows["_node"].to_numpy()]
    for c in ("re_origin", "made_in", "supplier", "src_file", "src_sheet", "src_row"):
        rows[c] = part_values(parts, c, part) if c in parts else None
    rows["part1"] = part1_flags(a)[part]
    # Per SKU (in report order): biggest Chinese-origin, then unknown-origin contributions first.
    order = pd.Series(np.arange(len(ct.skus)), index=list(ct.skus))
    rank = _origin_rank(rows["origin_class"].to_numpy(dtype=object))
    rows = rows.assign(_s=order.reindex(rows["sku"]).to_numpy(), _r=rank, _m=-rows["mass_kg"].fillna(np.inf))
    rows = rows.sort_values(["_s", "_r", "_m", "path", "element"], kind="stable")
    return rows.drop(columns=["_s", "_r", "_m", "_node"]).reset_index(drop=True)


def _origin_rank(origin: np.ndarray) -> np.ndarray:
    """cn 0, unknown 1, other 2, anything else NaN (sorted last)."""
    rank = np.full(len(origin), np.nan)
    for r, c in enumerate(("cn", "unknown", "other")):
        rank[origin == c] = r
    return rank


def _bare_part1_rows(ct: ContributionTree, names) -> pd.DataFrame:
    """One row per topmost Part I item on a path that brings no controlled mass: the
    value test still counts its value."""
    p = ct.paths
    a = ct.assessment
    flag = part1_flags(a)
    nodes = np.flatnonzero(p.topmost(flag) == np.arange(len(p))) if flag.any() else np.zeros(0, np.int64)
    if not len(nodes):
        return pd.DataFrame()
    carried = (np.nan_to_num(ct.total[nodes], nan=1.0) != 0).any(axis=1) if ct.total.shape[1] else \
        np.zeros(len(nodes), bool)
    nodes = nodes[~carried]
    part = p.part[nodes]
    parts = a.bom.parts
    return pd.DataFrame({
        "sku": np.asarray(ct.skus, dtype=object)[p.sku[nodes]], "path": p.strings(names)[nodes],
        "depth": p.depth[nodes], "part": names[part],
        "description": part_values(parts, "description", part), "extended_qty": p.qty[nodes],
        "base_unit": base_units(parts, part),
        "element": None, "origin_class": part_origin_class(parts)[part], "mass_kg": np.nan, "mass_share": np.nan,
        "_node": nodes})


def _attach_values(rows: pd.DataFrame, ct: ContributionTree, prices, rates) -> pd.DataFrame:
    """Value each row for the value test (see the module docstring)."""
    a = ct.assessment
    res = a.results
    if prices is None:
        from remin.prices import load_prices
        prices = load_prices(None, a.rules.as_of)
    currency = res["currency"].dropna()
    target = str(currency.iloc[0]) if len(currency) else prices.currency
    value = np.full(len(rows), np.nan)
    basis = np.full(len(rows), "no currency", dtype=object)
    if len(rows) and target is not None:
        part1_elements = sorted({e for item in a.rules.part1_items for e in item.elements})
        element = rows["element"]
        per_kg = prices.price_per_kg(a.elements, to=target, rates=rates).reindex(element).to_numpy(float)
        listed = prices.lookup(a.elements)["currency"].reindex(element)
        est = rows["mass_kg"].to_numpy(float) * per_kg
        no_rate = ("no exchange rate " + listed.astype("string").fillna("") + f"->{target}").to_numpy(dtype=object)
        basis = np.where(listed.notna().to_numpy(), no_rate, "no price")
        basis = np.where(np.isnan(est), basis, ESTIMATED)
        value = est
        other = ~element.isin(part1_elements).to_numpy() & element.notna().to_numpy()
        value = np.where(other, 0.0, value)   # no Part I item is made of it: not valued
        basis = np.where(other, "not valued: no Part I item has this element", basis)
        flag = part1_flags(a)
        if flag.any():
            value, basis = _part1_values(rows, ct, flag, value, basis)
    sku_value = res["value"].reindex(rows["sku"]).to_numpy(float) if len(rows) else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        vshare = value / np.where(sku_value > 0, sku_value, np.nan)
    return rows.assign(value=value, currency=target, value_basis=basis, value_share=vshare)


def _part1_values(rows, ct, flag, value, basis):
    """Rows under a Part I item (the topmost on their path) share its value, once, by
    controlled mass. The item's value is its value per base unit as assessed (own
    declaration, else its children's) times its extended quantity; a leaf item with no
    value keeps the estimate of its own content, as the value test does."""
    p = ct.paths
    a = ct.assessment
    top = p.topmost(flag)[rows["_node"].to_numpy()]
    covered = top >= 0
    if not covered.any():
        return value, basis
    unit_value = a.results["value"].to_numpy(float)
    item_part = p.part[top[covered]]
    item_value = p.qty[top[covered]] * unit_value[item_part]
    kg = rows["mass_kg"].to_numpy(float)[covered]
    group = pd.Series(np.nan_to_num(kg, nan=0.0)).groupby(top[covered])
    tot, count = group.transform("sum").to_numpy(), group.transform("size").to_numpy()
    weight = np.where(tot > 0, np.nan_to_num(kg, nan=0.0) / np.where(tot > 0, tot, 1.0), 1.0 / count)
    leaf_without_value = np.isnan(item_value) & np.isnan(a.bom.parts["unit_value"].to_numpy(float)[item_part]) \
        & ~a.graph.has_children[item_part]
    value, basis = value.copy(), basis.copy()
    idx = np.flatnonzero(covered)
    use = idx[~leaf_without_value]
    value[use] = (item_value * weight)[~leaf_without_value]
    basis[use] = np.where(np.isnan(value[use]), "Part I item value missing", DECLARED)
    return value, basis
