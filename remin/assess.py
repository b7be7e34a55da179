"""The tests and verdicts: from a Bom and the rules on a date to an Assessment.

Per part (every assembly, not only the SKUs): mass, controlled element mass by
element and origin class (cn / other / unknown), the mass-share interval and its
verdict, value and the value test (remin.valuetest), the headline verdict, flags,
and for the reported SKUs that need a licence the licensing outlook. The SKUs
reported are the roots unless asked otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.arrays import ArrowStringArray
from scipy import sparse

from remin.bom import Bom
from remin.currency import Rates
from remin.errors import UsageError
from remin.findings import Finding, finding, findings_for_rows, sort_findings
from remin.keys import arrow_array, positions_in
from remin.origins import ORIGIN_CLASSES, origin_codes
from remin.outlook import licensing_outlook
from remin.prices import load_prices
from remin.rollup import Graph, build_graph, contains, extended_matrix, extended_quantities, rollup
from remin.rules import load_rules
from remin.valuetest import (ESTIMATED_COLUMNS, NUMERATOR_COLUMNS, headline, needs_licence, own_values,
                             value_no_data_findings, value_test)
from remin.verdicts import shares, verdicts

LICENSING_COLUMNS = ("licensing_outcome", "licensing_article", "licensing_text")


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
    valuation: dict = field(default_factory=dict)    # currency, prices, rates, end use of the value test

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

    def explain(self, sku: str, **options):
        """How ``sku``'s verdict came about, step by step: ``remin.explain.explain``
        (``options`` such as ``prices=``, ``rates=`` go to it)."""
        return _delegate("remin.explain", "explain")(self, sku, **options)

    def to_excel(self, path, **options):
        """Write the assessment as an Excel workbook to ``path`` (remin/report/excel.py:
        its ``to_excel(assessment, path)``, else ``write_workbook(report_frames(assessment), path)``)."""
        import importlib
        excel = _delegate("remin.report.excel", None)
        if hasattr(excel, "to_excel"):
            return excel.to_excel(self, path, **options)
        frames = getattr(importlib.import_module("remin.report.frames"), "report_frames", None) \
            if hasattr(excel, "write_workbook") else None
        if frames is None:
            raise NotImplementedError("remin.report.excel has no to_excel(assessment, path) in this version of remin")
        return excel.write_workbook(frames(self, **options), path)


def _delegate(module: str, name: str | None):
    """``module.name`` (or the module, for ``name=None``), imported on first use (the
    explanation and Excel writers are heavier modules); a clear error where this
    version of remin has not got them."""
    import importlib
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        found = None
    if found is not None and name is not None:
        found = getattr(found, name, None)
    if found is None:
        raise NotImplementedError(f"{module}{'.' + name if name else ''} is not part of this version of remin")
    return found


def assess(bom: Bom, *, rules=None, as_of: date | None = None, as_written: bool = False,
           skus: Sequence[str] | None = None, all_levels: bool = False, rates=None,
           currency: str | None = None, prices=None, materials=None, end_use: str | None = None,
           end_user_listed: bool = False) -> Assessment:
    """Roll the BOM up and test every part against the rules on ``as_of`` (default today).

    ``rules``: a RuleSet or a rule-set id (default "cn-rare-earth"); ``as_written``
    ignores suspensions. ``skus``: parts to report (default the roots); ``all_levels``
    reports every assembly. Figures are in kg and in the value currency (``currency``,
    default the most common in the BOM). ``rates``: remin.currency.Rates (none: only
    values already in that currency are used); ``prices``: remin.prices.PriceTable
    (default the shipped reference prices on ``as_of``); ``materials``: the
    MaterialsLibrary the BOM was read with (default the shipped one). ``end_use`` /
    ``end_user_listed``: for the licensing outlook of SKUs that need a licence.
    """
    ruleset = load_rules(rules or "cn-rare-earth") if rules is None or isinstance(rules, str) else rules
    on_date = ruleset.evaluate(as_of or date.today(), as_written=as_written)
    outlook = _outlook(on_date, end_use, end_user_listed)   # a bad --end-use fails before any work
    prices = prices if prices is not None else load_prices(None, on_date.as_of)
    elements = tuple(on_date.controlled_elements)
    parts = bom.parts
    n = len(parts)
    e = bom.edges
    graph = build_graph(n, _positions(parts.index, e["parent"]), _positions(parts.index, e["child"]),
                        e["amount"].to_numpy())
    findings: list[Finding] = list(bom.findings)
    findings += _cycle_findings(graph, parts)

    mass_own = parts["mass_kg"].to_numpy(float)
    mass, mass_children = rollup(graph, mass_own, ~np.isnan(mass_own), np.nan)
    mass = mass[:, 0]
    findings += _declared_vs_children(parts, mass_own, mass_children[:, 0], "mass", "kg")
    findings += _missing_mass(parts, graph, mass_own)

    own_el, comp_declared, f = _own_elements(bom, mass, elements)
    findings += f
    findings += _no_composition(parts, graph, comp_declared)
    el_tot = _rollup_elements(graph, own_el, comp_declared)

    own_value = own_values(parts, rates, currency)
    findings += own_value.findings
    value, value_children = rollup(graph, own_value.per_unit, own_value.declared, np.nan)
    value = value[:, 0]
    findings += _declared_vs_children(parts, own_value.per_unit, value_children[:, 0], "value",
                                      own_value.currency or "")
    vt, f = value_test(bom, graph, on_date, value=value, own=own_value, own_el=own_el,
                       comp_declared=comp_declared, elements=elements, prices=prices, rates=rates,
                       materials=materials)
    findings += f

    # every column at once: one frame construction instead of ~70 column insertions
    cols: dict = {"description": parts["description"], "mass_kg": mass}
    el_cols = [f"{el}_{c}_kg" for el in elements for c in ORIGIN_CLASSES]
    cols.update(zip(el_cols, el_tot.T))
    for i, c in enumerate(ORIGIN_CLASSES):
        # fancy-indexed, as before: the copy's memory layout sets the order of the additions (last bit)
        cols[f"controlled_{c}_kg"] = el_tot[:, list(range(i, el_tot.shape[1], 3))].sum(axis=1) \
            if el_tot.shape[1] else np.zeros(n)
    low, high = shares(cols["controlled_cn_kg"], cols["controlled_unknown_kg"], mass)
    cols["mass_share_low"], cols["mass_share_high"] = low, high
    cols["mass_verdict"] = mass_verdict = verdicts(low, high, mass, on_date.threshold)
    cols["value"] = value
    cols["currency"] = np.full(n, own_value.currency, dtype=object) if own_value.currency is not None else \
        np.full(n, None, dtype=object)
    for c in ("value_share_low", "value_share_high", "value_verdict", "part2_scope"):
        cols[c] = vt[c]
    cols["cn_technology"] = contains(graph, parts["cn_technology"].fillna(False).to_numpy(bool))
    cols["verdict"], cols["decided_by"] = headline(vt["value_verdict"].to_numpy(object), mass_verdict)
    cols["is_root"] = parts.index.isin(bom.roots)
    cols["is_assembly"] = graph.has_children
    for c in ("value_basis", *NUMERATOR_COLUMNS, *ESTIMATED_COLUMNS, "part1_cn_present"):
        cols[c] = vt[c]
    sku_list = _sku_list(bom, parts.index, cols["is_assembly"], cols["is_root"], skus, all_levels)
    sku_pos = _positions(parts.index, list(sku_list))
    no_text = pd.Series(pd.NA, index=parts.index, dtype="string")
    cols.update(_licensing_columns(n, sku_pos, cols, outlook, no_text))
    cols["top_contributor"] = no_text
    res = pd.DataFrame(cols, index=parts.index)

    for s in np.asarray(sku_list, dtype=object)[np.isnan(mass[sku_pos])]:
        findings.append(finding("mass-no-data", "the SKU's mass is unknown (see missing-mass findings): "
                                "the mass test cannot be decided", part=s))
    findings += value_no_data_findings(res, sku_list, own_value.currency)
    valuation = {"currency": own_value.currency, "prices": prices.describe(),
                 "rates": (rates.describe() if rates is not None else Rates().describe()),
                 "end_use": end_use, "end_user_listed": bool(end_user_listed)}
    assessment = Assessment(bom, on_date, graph, res, sku_list, (), elements, own_el, comp_declared, valuation)
    _fill_top_contributors(assessment, sku_list)
    findings += _unknown_origin_findings(assessment, sku_list)
    findings += on_date.findings()
    return Assessment(bom, on_date, graph, res, sku_list, tuple(sort_findings(findings)), elements, own_el,
                      comp_declared, valuation)


def _positions(index: pd.Index, labels) -> np.ndarray:
    """Row positions of ``labels`` in ``index`` (a hash lookup; every label must be there)."""
    found = positions_in(index, labels)
    if (found < 0).any():
        raise KeyError(f"not among the parts: {pd.Index(labels)[found < 0][:5].tolist()}")
    return found


def _outlook(on_date, end_use, end_user_listed):
    """The licensing outlook for SKUs that need a licence (None without licensing data)."""
    if on_date.licensing is None:
        if end_use:
            raise UsageError(f"--end-use: rule set {on_date.rule_set!r} has no licensing data")
        return None
    return licensing_outlook(on_date, end_use, end_user_listed)


def _licensing_columns(n: int, sku_pos: np.ndarray, cols: dict, outlook, no_text: pd.Series) -> dict:
    """licensing_outcome / _article / _text: the outlook's on the reported SKUs that need
    a licence, NA elsewhere (``cols``: the results columns so far, as arrays)."""
    out = dict.fromkeys(LICENSING_COLUMNS, no_text)
    if outlook is None or not len(sku_pos):
        return out
    scope = cols["part2_scope"]
    scope = (scope.array if isinstance(scope, pd.Series) else pd.array(scope, dtype="boolean"))
    need = sku_pos[needs_licence(np.asarray(cols["verdict"], dtype=object)[sku_pos],
                                    scope[sku_pos].to_numpy(dtype=bool, na_value=True),
                                    np.asarray(cols["cn_technology"], dtype=bool)[sku_pos])]
    if not len(need):
        return out
    for c, text in zip(LICENSING_COLUMNS, (outlook.outcome, outlook.article, outlook.text)):
        out[c] = _scattered_text(n, need, pa.array([text], type=pa.large_string()), np.zeros(len(need), np.int64))
    return out


def _scattered_text(n: int, at: np.ndarray, texts: pa.Array, which: np.ndarray) -> ArrowStringArray:
    """A string column of ``n`` rows: ``texts[which]`` at rows ``at``, NA elsewhere. Built
    by one Arrow take (a million-row object array turned into Arrow strings costs ~15 ms)."""
    idx = np.zeros(n, np.int64)
    idx[at] = which
    missing = np.ones(n, bool)
    missing[at] = False
    taken = texts.take(pa.array(idx, mask=missing)) if len(texts) else pa.nulls(n, texts.type)
    return pd.array(taken.cast(pa.large_string()), dtype="string")


def _rollup_elements(graph: Graph, own_el: np.ndarray, declared: np.ndarray) -> np.ndarray:
    """Roll up only the element/origin columns that hold anything: a BOM usually
    declares two or three of the twelve elements, and every column costs a pass."""
    # Fortran order: the results frame copies each column whole (contiguous, not strided
    # across all 36); np.zeros, not zeros_like: no memset pass over columns never written
    out = np.zeros(own_el.shape, order="F")
    active = np.flatnonzero((own_el != 0).any(axis=0))      # NaN != 0 is True: unknowns roll up too
    if len(active):
        out[:, active] = rollup(graph, own_el[:, active], declared, 0.0, children=False)[0]
    return out


def _sku_list(bom: Bom, index: pd.Index, is_assembly, is_root, skus, all_levels) -> tuple[str, ...]:
    if skus:
        missing = [s for s in skus if s not in index]
        if missing:
            raise UsageError(f"not in the BOM: {', '.join(missing)} (roots are: {', '.join(bom.roots[:10])})")
        return tuple(skus)
    if all_levels:
        return tuple(index[np.asarray(is_assembly) | np.asarray(is_root)])
    return tuple(bom.roots)


def _own_elements(bom: Bom, mass: np.ndarray, elements):
    """(n, E*3) controlled kg per base unit from each part's own composition."""
    index = bom.parts.index
    n = len(index)
    comp = bom.composition
    where = positions_in(index, comp["part"])
    known = where >= 0
    if not known.all():
        comp, where = comp[known], where[known]
    declared = np.zeros(n, bool)
    declared[where] = True
    col_of_element = pd.Index(elements).get_indexer(comp["element"])
    ctl_rows = col_of_element >= 0
    ctl = comp[ctl_rows]
    out = np.zeros((n, len(elements) * 3))
    findings: list[Finding] = []
    if len(ctl):
        p = where[ctl_rows]
        kg = np.where(ctl["kg"].notna(), ctl["kg"].to_numpy(float), ctl["fraction"].to_numpy(float) * mass[p])
        no_mass = np.isnan(kg) & ctl["kg"].isna().to_numpy()
        if no_mass.any():
            findings += findings_for_rows("missing-mass", ctl.loc[no_mass].drop_duplicates("part"),
                                          "a mass fraction is declared but the part's mass is unknown: its "
                                          "controlled mass is unknown (give a unit weight)")
        col = col_of_element[ctl_rows] * 3 + origin_codes(ctl, bom.parts, positions=p)
        flat = p * out.shape[1] + col
        out = np.bincount(flat, weights=kg, minlength=out.size).reshape(out.shape)
    return out, declared, findings


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
    return findings_for_rows("missing-mass", _source_rows(parts, leaf), "no unit mass and no children: the mass of every "
                             "assembly above it is unknown unless the assembly declares its own")


def _source_rows(parts: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """part and source columns of the masked parts, for findings_for_rows: copying only
    these four columns of a hundred thousand rows, not every attribute (and built from
    arrays: no row selection of the parts frame)."""
    pos = np.flatnonzero(mask)
    cols = {parts.index.name or "index": parts.index.array.take(pos)}
    cols.update((c, parts[c].array.take(pos)) for c in ("src_file", "src_sheet", "src_row"))
    return pd.DataFrame(cols)


def _no_composition(parts, graph: Graph, declared: np.ndarray) -> list[Finding]:
    """Leaf parts without any composition: taken to hold no controlled element."""
    bare = ~graph.has_children & ~declared
    if not bare.any():
        return []
    return findings_for_rows("no-composition", _source_rows(parts, bare), "no composition declared: taken to contain no "
                             "controlled element (declare one if it holds magnets, phosphors, ceramics …)",
                             limit=20)


def _fill_top_contributors(a: Assessment, sku_list) -> None:
    """The part bringing the most Chinese- or unknown-origin controlled mass into each
    SKU, for all SKUs at once from the sparse matrix of extended quantities."""
    if not sku_list:
        return
    res = a.results
    pos = res.index.get_indexer(list(sku_list))
    weight = np.nan_to_num(a.own_elements[:, 0::3].sum(axis=1) + a.own_elements[:, 2::3].sum(axis=1), nan=0.0)
    weight = np.where(a.composition_declared, weight, 0.0)
    if not weight.any():
        return
    # only parts that hold something weighted matter: the rest of the BOM is never expanded
    X = extended_matrix(a.graph, pos, a.composition_declared, enter=contains(a.graph, weight > 0)).tocsc()
    contrib = sparse.diags(weight) @ X          # (n x SKUs): controlled mass each part brings
    contrib = contrib.tocsc()
    best = np.asarray(contrib.argmax(axis=0)).ravel()
    best_value = np.asarray(contrib.max(axis=0).todense()).ravel()
    has = best_value > 0
    col = res.columns.get_loc("top_contributor")
    if isinstance(res.index.array, ArrowStringArray) and res["top_contributor"].isna().all():
        # as assess builds it (all NA so far): Arrow takes the names, no Python strings
        res.iloc[:, col] = _scattered_text(len(res), pos[has], arrow_array(res.index), best[has])
        return
    values = res["top_contributor"].to_numpy(dtype=object)
    values[pos[has]] = res.index.to_numpy()[best[has]]
    res.iloc[:, col] = pd.array(values, dtype="string")


def _unknown_origin_findings(a: Assessment, sku_list) -> list[Finding]:
    """One finding per part whose unknown-origin controlled content reaches a SKU."""
    n_unknown = a.own_elements[:, 2::3].sum(axis=1)
    unknown = (n_unknown > 0) | np.isnan(n_unknown)
    if not unknown.any():
        return []
    return findings_for_rows("unknown-origin", _source_rows(a.bom.parts, unknown), "controlled content of unknown origin (counted in the high "
                             "bound): ask the supplier for the rare-earth origin")
