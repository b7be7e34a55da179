"""The tests and verdicts: from a Bom and the rules on a date to an Assessment.

Per part (every assembly, not only the SKUs): mass, controlled element mass by
element and origin class (cn / other / unknown), value, the mass-share interval
and its verdict, flags. The SKUs reported are the roots unless asked otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

import numpy as np
import pandas as pd

from remin.bom import Bom
from remin.errors import UsageError
from remin.findings import Finding, finding, findings_for_rows, sort_findings
from remin.rollup import Graph, build_graph, extended_quantities, rollup
from remin.rules import load_rules
from remin.verdicts import NO_DATA, shares, verdicts

ORIGIN_CLASSES = ("cn", "other", "unknown")
#: at most this many SKUs get a computed top contributor in the summary table
TOP_CONTRIBUTOR_LIMIT = 500


@dataclass(frozen=True)
class Assessment:
    """The result of ``assess``: per-part figures, the SKUs reported, findings."""

    bom: Bom
    rules: object                       # RulesOnDate
    graph: Graph
    results: pd.DataFrame               # one row per part (index: part)
    sku_list: tuple[str, ...]
    findings: tuple[Finding, ...]
    elements: tuple[str, ...]
    own_elements: np.ndarray = field(repr=False)     # (n, E*3) own controlled kg per base unit
    composition_declared: np.ndarray = field(repr=False)

    @property
    def skus(self) -> pd.DataFrame:
        """One row per reported SKU (units in the column names)."""
        return self.results.loc[list(self.sku_list)]

    def element_columns(self, cls: str | None = None) -> list[str]:
        return [f"{e}_{c}_kg" for e in self.elements for c in ORIGIN_CLASSES if cls in (None, c)]

    def contributors(self, sku: str) -> pd.DataFrame:
        """Parts whose own composition carries controlled content into ``sku``: their
        extended quantity in one unit of the SKU and the controlled mass they bring,
        by element and origin class. The rows sum to the SKU's controlled mass."""
        pos = self._position(sku)
        x = extended_quantities(self.graph, pos, self.composition_declared)
        take = np.flatnonzero((x != 0) & self.composition_declared)
        contrib = x[take, None] * self.own_elements[take]
        cols = self.element_columns()
        df = pd.DataFrame(contrib, columns=cols, index=self.results.index[take])
        df.insert(0, "extended_qty", x[take])
        keep = (np.nan_to_num(contrib, nan=1.0) != 0).any(axis=1)
        df = df.loc[keep]
        for c in ORIGIN_CLASSES:
            df[f"{c}_kg"] = df[self.element_columns(c)].sum(axis=1, min_count=1)
        df["description"] = self.results.loc[df.index, "description"]
        return df.sort_values(["cn_kg", "unknown_kg"], ascending=False)

    def _position(self, sku: str) -> int:
        try:
            return self.results.index.get_loc(sku)
        except KeyError:
            raise UsageError(f"SKU {sku!r} is not in the BOM") from None


def assess(bom: Bom, *, rules=None, as_of: date | None = None, as_written: bool = False,
           skus: Sequence[str] | None = None, all_levels: bool = False, rates=None,
           currency: str | None = None) -> Assessment:
    """Roll the BOM up and test every part against the rules on ``as_of`` (default today).

    ``rules``: a RuleSet or a rule-set id (default "cn-rare-earth"); ``as_written``
    ignores suspensions. ``skus``: parts to report (default the roots); ``all_levels``
    reports every assembly. Figures are in kg and in the value currency.
    """
    ruleset = load_rules(rules or "cn-rare-earth") if rules is None or isinstance(rules, str) else rules
    on_date = ruleset.evaluate(as_of or date.today(), as_written=as_written)
    elements = tuple(on_date.controlled_elements)
    parts = bom.parts
    n = len(parts)
    pos = pd.Series(np.arange(n), index=parts.index)
    e = bom.edges
    graph = build_graph(n, pos[e["parent"]].to_numpy(), pos[e["child"]].to_numpy(), e["amount"].to_numpy())
    findings: list[Finding] = list(bom.findings)
    findings += _cycle_findings(graph, parts)

    mass_own = parts["mass_kg"].to_numpy(float)
    mass, mass_children = rollup(graph, mass_own, ~np.isnan(mass_own), np.nan)
    mass = mass[:, 0]
    findings += _declared_vs_children(parts, mass_own, mass_children[:, 0], "mass", "kg")
    findings += _missing_mass(parts, graph, mass_own)

    own_el, comp_declared, f = _own_elements(bom, pos, mass, elements)
    findings += f
    findings += _no_composition(parts, graph, comp_declared)
    el_tot, _ = rollup(graph, own_el, comp_declared, 0.0) if own_el.shape[1] else (np.zeros((n, 0)), None)

    value_own, value_currency, f = _own_values(parts, rates, currency)
    findings += f
    value, value_children = rollup(graph, value_own, ~np.isnan(value_own), np.nan)
    value = value[:, 0]

    struct = graph.by_parent.copy()
    struct.data[:] = 1.0
    cn_tech = _contains(graph, struct, parts["cn_technology"].fillna(False).to_numpy(bool))

    res = pd.DataFrame(index=parts.index)
    res["description"] = parts["description"]
    res["mass_kg"] = mass
    cols = [f"{el}_{c}_kg" for el in elements for c in ORIGIN_CLASSES]
    for i, c in enumerate(cols):
        res[c] = el_tot[:, i]
    for c in ORIGIN_CLASSES:
        sub = el_tot[:, [i for i, name in enumerate(cols) if name.endswith(f"_{c}_kg")]]
        res[f"controlled_{c}_kg"] = sub.sum(axis=1) if sub.shape[1] else 0.0
    low, high = shares(res["controlled_cn_kg"].to_numpy(), res["controlled_unknown_kg"].to_numpy(), mass)
    res["mass_share_low"], res["mass_share_high"] = low, high
    res["mass_verdict"] = verdicts(low, high, mass, on_date.threshold)
    res["value"] = value
    res["currency"] = value_currency
    res["value_share_low"] = np.nan
    res["value_share_high"] = np.nan
    res["value_verdict"] = NO_DATA
    res["part2_scope"] = pd.array([pd.NA] * n, dtype="boolean")
    res["cn_technology"] = cn_tech
    res["verdict"] = res["mass_verdict"]
    res["decided_by"] = "mass"
    res["is_root"] = res.index.isin(bom.roots)
    res["is_assembly"] = graph.has_children

    sku_list = _sku_list(bom, res, skus, all_levels)
    for s in sku_list:
        if np.isnan(mass[pos[s]]):
            findings.append(finding("mass-no-data", "the SKU's mass is unknown (see missing-mass findings): "
                                    "the mass test cannot be decided", part=s))
    res["top_contributor"] = pd.Series(pd.NA, index=res.index, dtype="string")
    assessment = Assessment(bom, on_date, graph, res, sku_list, (), elements, own_el, comp_declared)
    _fill_top_contributors(assessment, sku_list)
    findings += _unknown_origin_findings(assessment, sku_list)
    findings += on_date.findings()
    return Assessment(bom, on_date, graph, res, sku_list, tuple(sort_findings(findings)), elements, own_el,
                      comp_declared)


def _sku_list(bom: Bom, res: pd.DataFrame, skus, all_levels) -> tuple[str, ...]:
    if skus:
        missing = [s for s in skus if s not in res.index]
        if missing:
            raise UsageError(f"not in the BOM: {', '.join(missing)} (roots are: {', '.join(bom.roots[:10])})")
        return tuple(skus)
    if all_levels:
        return tuple(res.index[res["is_assembly"].to_numpy() | res["is_root"].to_numpy()])
    return tuple(bom.roots)


def _contains(graph: Graph, struct, flag: np.ndarray) -> np.ndarray:
    """True for parts that are flagged or hold a flagged part anywhere below."""
    tot, _ = rollup(graph, flag.astype(float), flag, 0.0, weights=struct)
    return np.nan_to_num(tot[:, 0], nan=0.0) > 0


def origin_class(comp: pd.DataFrame, parts: pd.DataFrame) -> np.ndarray:
    """cn / other / unknown for each composition row: the row's origin, else the
    part's rare-earth origin, else CN if the part was made in China, else unknown."""
    origin = comp["origin"].astype("string")
    origin = origin.fillna(comp["part"].map(parts["re_origin"]).astype("string"))
    made_cn = comp["part"].map(parts["made_in"]).astype("string") == "CN"
    origin = origin.mask(origin.isna() & made_cn.fillna(False), "CN")
    is_na = origin.isna().to_numpy()
    is_cn = (origin == "CN").fillna(False).to_numpy(bool)
    return np.where(is_na, "unknown", np.where(is_cn, "cn", "other"))


def _own_elements(bom: Bom, pos: pd.Series, mass: np.ndarray, elements):
    """(n, E*3) controlled kg per base unit from each part's own composition."""
    n = len(pos)
    comp = bom.composition
    comp = comp[comp["part"].isin(pos.index)]
    declared = np.zeros(n, bool)
    declared[pos[comp["part"].unique()].to_numpy()] = True
    ctl = comp[comp["element"].isin(elements)]
    out = np.zeros((n, len(elements) * 3))
    findings: list[Finding] = []
    if len(ctl):
        p = pos[ctl["part"]].to_numpy()
        kg = np.where(ctl["kg"].notna(), ctl["kg"].to_numpy(float), ctl["fraction"].to_numpy(float) * mass[p])
        no_mass = np.isnan(kg) & ctl["kg"].isna().to_numpy()
        if no_mass.any():
            findings += findings_for_rows("missing-mass", ctl.loc[no_mass].drop_duplicates("part"),
                                          "a mass fraction is declared but the part's mass is unknown: its "
                                          "controlled mass is unknown (give a unit weight)")
        cls = origin_class(ctl, bom.parts)
        col = pd.Series(ctl["element"].to_numpy()).map({el: i for i, el in enumerate(elements)}).to_numpy() * 3 \
            + pd.Series(cls).map({c: i for i, c in enumerate(ORIGIN_CLASSES)}).to_numpy()
        flat = p * out.shape[1] + col
        out = np.bincount(flat, weights=kg, minlength=out.size).reshape(out.shape)
    return out, declared, findings


def _own_values(parts: pd.DataFrame, rates, currency):
    """Unit values in one currency: the user's, else the most common one in the BOM."""
    v = parts["unit_value"].to_numpy(float)
    cur = parts["currency"].astype("string")
    has = ~np.isnan(v)
    findings = []
    target = currency or (cur[has].mode().iloc[0] if cur[has].notna().any() else None)
    if target is None:
        if has.any():
            findings.append(finding("missing-currency", "values are given without a currency; the value "
                                    "test needs one (add a currency column or --currency)"))
        return np.full(len(v), np.nan), None, findings
    cur = cur.fillna(target)
    other = has & (cur != target).to_numpy(bool)
    if other.any():
        if rates is not None:
            v = v.copy()
            v[other] = rates.convert(v[other], cur[other], target)
            missing = other & np.isnan(v)
        else:
            missing = other
            v = np.where(missing, np.nan, v)
        if missing.any():
            bad = parts.loc[missing].assign(c=cur[missing].to_numpy()).reset_index()
            findings += findings_for_rows("missing-rate", bad, lambda r: f"value in {r.c} cannot be converted "
                                          f"to {target}: no exchange rate (give one with --rates FILE)",
                                          column="currency")
    return v, target, findings


def _cycle_findings(graph: Graph, parts: pd.DataFrame) -> list[Finding]:
    out = []
    for cyc in graph.cycles:
        names = [parts.index[i] for i in cyc]
        r = parts.iloc[cyc[0]]
        out.append(finding("bom-cycle", "these parts contain themselves through their children: "
                           + " -> ".join(names[:20]) + (" …" if len(names) > 20 else "")
                           + "; their figures and their parents' are unknown",
                           part=names[0], file=r["src_file"], sheet=r["src_sheet"], row=r["src_row"]))
    return out


def _declared_vs_children(parts, own, children, what, unit) -> list[Finding]:
    over = ~np.isnan(own) & ~np.isnan(children) & (children > own * (1 + 1e-9))
    if not over.any():
        return []
    rows = parts.loc[over].assign(own=own[over], ch=children[over]).reset_index()
    return findings_for_rows("children-exceed-declared", rows,
                             lambda r: f"declared {what} {r.own:.6g} {unit} is less than its children's "
                                       f"{r.ch:.6g} {unit}; the declaration is used")


def _missing_mass(parts, graph: Graph, mass_own) -> list[Finding]:
    leaf = ~graph.has_children & np.isnan(mass_own)
    if not leaf.any():
        return []
    rows = parts.loc[leaf].reset_index()
    return findings_for_rows("missing-mass", rows, "no unit mass and no children: the mass of every "
                             "assembly above it is unknown unless the assembly declares its own")


def _no_composition(parts, graph: Graph, declared: np.ndarray) -> list[Finding]:
    """Leaf parts without any composition: taken to hold no controlled element."""
    bare = ~graph.has_children & ~declared
    if not bare.any():
        return []
    rows = parts.loc[bare].reset_index()
    return findings_for_rows("no-composition", rows, "no composition declared: taken to contain no "
                             "controlled element (declare one if it holds magnets, phosphors, ceramics …)",
                             limit=20)


def _fill_top_contributors(a: Assessment, sku_list) -> None:
    res = a.results
    for s in sku_list[:TOP_CONTRIBUTOR_LIMIT]:
        if not res.at[s, "controlled_cn_kg"] and not res.at[s, "controlled_unknown_kg"]:
            continue
        c = a.contributors(s)
        if len(c):
            score = c["cn_kg"].fillna(0) + c["unknown_kg"].fillna(0)
            res.at[s, "top_contributor"] = str(score.idxmax())


def _unknown_origin_findings(a: Assessment, sku_list) -> list[Finding]:
    """One finding per part whose unknown-origin controlled content reaches a SKU."""
    n_unknown = a.own_elements[:, 2::3].sum(axis=1)
    parts = a.results.index[(n_unknown > 0) | np.isnan(n_unknown)]
    if not len(parts):
        return []
    rows = a.bom.parts.loc[parts].reset_index()
    return findings_for_rows("unknown-origin", rows, "controlled content of unknown origin (counted in the high "
                             "bound): ask the supplier for the rare-earth origin")
