"""The value test of MOFCOM No. 61 Art. 1(1) (domain.md §2.6), per part.

share = value of the Chinese-origin Annex 1 Part I items incorporated / value of the item.

* **Numerator.** A part flagged as a Part I item (``part1`` column; else a
  ``control_code`` naming a Part I item's code; else a materials-library entry marked
  ``part1``) counts with its own value, once: its subtree is not descended, so flagged
  parts below it add nothing more. Its origin class is that of its rare-earth content
  (split by controlled mass where its own composition gives origins, else the part's
  rare-earth origin / made-in-China / unknown). Controlled content no flagged item
  covers is valued at reference element prices (``--prices``), only for the elements
  of the Part I items, and labelled estimated. A flagged leaf without any value of its
  own is valued the same way (estimated).
* **Denominator.** The part's declared value, else the roll-up of its children's values
  (``value_basis``: ``declared`` | ``cost-roll-up``).
* **Interval.** low = cn / value, high = (cn + unknown) / value, as in the mass test.
* **Scope.** The test applies to Annex 1 Part II items: a part of a Part II class
  (rules' ``part2_classes`` ids and aliases; a plain NdFeB class counts when its own
  composition has an element of the NdFeB Part II classes, Dy or Tb), and anything
  containing one where the class reaches assemblies. Where no part in the BOM has a
  class, Part II parts are inferred from their own composition (finding
  ``part2-inferred``). Out of scope the shares are shown and ``value_verdict`` is
  ``not-applicable``.
* **Unknown is not zero.** A value that cannot be converted (no rate), content with no
  price, a flagged item without any value: the figure is NaN and the verdict
  ``no-data`` unless the known Chinese part alone already reaches the threshold.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from remin.findings import Finding, finding, findings_for_rows
from remin.origins import ORIGIN_CLASSES, part_origin_codes
from remin.rollup import Graph, contains, rollup
from remin.verdicts import ABOVE, NO_DATA, shares, verdicts

NOT_APPLICABLE = "not-applicable"   # value_verdict of a SKU outside Annex 1 Part II
DECLARED, COST_ROLL_UP = "declared", "cost-roll-up"

#: BOM classes for an NdFeB magnet that do not say whether it carries Dy or Tb: such a
#: part is a Part II item when its own composition has an element of these rule classes.
GENERIC_NDFEB_CLASSES = ("ndfeb-magnet", "ndfeb", "neodymium-magnet", "nd-fe-b-magnet")
NDFEB_PART2_IDS = ("ndfeb-dy-magnet", "ndfeb-tb-magnet")
#: Inference where the BOM has no class at all: a part is of the rule class when its own
#: composition has these elements besides the class's own ``elements`` (Sm, Dy, Tb).
INFERENCE_BASE = {"smco-magnet": ("Co",), "ndfeb-dy-magnet": ("Nd",), "ndfeb-tb-magnet": ("Nd",)}

NUMERATOR_COLUMNS = [f"value_part1_{c}" for c in ORIGIN_CLASSES]
ESTIMATED_COLUMNS = [f"value_estimated_{c}" for c in ORIGIN_CLASSES]


def class_key(text) -> str | None:
    """A class name as a comparable key: lower case, runs of other characters -> '-'."""
    if not isinstance(text, str):
        return None
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or None


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class OwnValues:
    """Each part's own declared value per base unit, in one currency."""

    per_unit: np.ndarray      # NaN where not declared or not convertible
    declared: np.ndarray      # bool: the part declares a value (convertible or not)
    currency: str | None
    findings: list[Finding] = field(default_factory=list)


def own_values(parts: pd.DataFrame, rates, currency: str | None) -> OwnValues:
    """Unit values in one currency: ``currency``, else the most common one in the BOM.

    A value in another currency is converted with ``rates`` (remin.currency.Rates); with
    no rate it stays declared but unknown (NaN) and gets a ``missing-rate`` finding, so
    the part's children never stand in for it.
    """
    v = parts["unit_value"].to_numpy(float)
    declared = ~np.isnan(v)
    cur = parts["currency"].astype("string")
    findings: list[Finding] = []
    target = currency or (cur[declared].mode().iloc[0] if cur[declared].notna().any() else None)
    if target is None:
        if declared.any():
            findings.append(finding("missing-currency", "values are given without a currency; the value "
                                    "test needs one (add a currency column or --currency)"))
        return OwnValues(np.full(len(v), np.nan), declared, None, findings)
    cur = cur.fillna(target)
    other = declared & (cur != target).to_numpy(bool)
    if other.any():
        v = v.copy()
        if rates is not None:
            v[other] = rates.convert(v[other], cur[other], target)
        else:
            v[other] = np.nan
        missing = other & np.isnan(v)
        if missing.any():
            bad = parts.loc[missing].assign(c=cur[missing].to_numpy()).reset_index()
            findings += findings_for_rows("missing-rate", bad, lambda r: f"value in {r.c} cannot be converted "
                                          f"to {target}: no exchange rate (give one with --rates FILE); the "
                                          "value test of SKUs that need it has no data", column="currency")
    return OwnValues(v, declared, target, findings)


# --------------------------------------------------------------------------- Part I / Part II


def material_info(parts: pd.DataFrame, materials) -> pd.DataFrame:
    """The materials-library row (part_class, part1) of each part's material; NA where none."""
    out = pd.DataFrame({"part_class": pd.Series(pd.NA, index=parts.index, dtype="string"),
                        "part1": pd.Series(pd.NA, index=parts.index, dtype="boolean")})
    named = parts["material"].dropna()
    if named.empty:
        return out
    if materials is None:
        from remin.composition import load_materials
        materials = load_materials()
    keys = materials.resolve(named).dropna()
    info = materials.info.reindex(keys.to_numpy())
    out.loc[keys.index, "part_class"] = info["part_class"].to_numpy()
    out.loc[keys.index, "part1"] = info["part1"].to_numpy(bool)
    return out


def part1_flags(parts: pd.DataFrame, lib_part1: pd.Series, part1_items) -> np.ndarray:
    """Part I items: the ``part1`` column where given (an explicit "no" wins), else a
    ``control_code`` that names a Part I item's code, else the materials library."""
    codes = {c.upper() for item in part1_items for c in item.control_codes}
    # each distinct code text split once, then taken back (missing -> not named)
    found, distinct = pd.factorize(parts["control_code"], use_na_sentinel=True)
    by_code = np.array([any(t in codes for t in re.split(r"[\s,;/]+", str(v).upper()) if t)
                        for v in np.asarray(distinct, dtype=object).tolist()] + [False], dtype=bool)
    named = pd.Series(by_code[found], index=parts.index, dtype="boolean")
    derived = named | lib_part1.astype("boolean").fillna(False)
    return parts["part1"].astype("boolean").fillna(derived).to_numpy(bool)


def _own_elements_present(comp: pd.DataFrame, index: pd.Index, elements) -> pd.DataFrame:
    """part x element booleans: the part's own composition has the element (amount > 0)."""
    elements = list(elements)
    rows = comp[comp["element"].isin(elements)]
    rows = rows[(rows["fraction"].fillna(0) > 0) | (rows["kg"].fillna(0) > 0)]
    present = np.zeros((len(index), len(elements)), bool)
    part = index.get_indexer(rows["part"])
    known = part >= 0            # rows of parts outside the index say nothing about it
    present[part[known], pd.Index(elements).get_indexer(rows["element"])[known]] = True
    return pd.DataFrame(present, index=index, columns=elements)


@dataclass(frozen=True)
class Part2:
    """Which parts are Annex 1 Part II items, and how that was decided."""

    is_part2: np.ndarray          # bool per part
    reaches: np.ndarray           # bool: its class reaches the assemblies holding it
    class_id: pd.Series           # rule class id (NA where not Part II)
    inferred: np.ndarray          # bool: from composition, no class in the BOM
    findings: list[Finding]


def part2_parts(bom, lib_class: pd.Series, part2_classes) -> Part2:
    parts = bom.parts
    by_id = {c.id: c for c in part2_classes}
    lookup = {}
    for c in part2_classes:
        for name in (c.id, c.name, *c.aliases):
            lookup.setdefault(class_key(name), c.id)
    no_own_class = parts["part_class"].isna().to_numpy()
    # the part's own class, else its material's; each distinct name keyed and looked up once
    named = np.where(no_own_class, lib_class.to_numpy(dtype=object), parts["part_class"].to_numpy(dtype=object))
    codes, names = pd.factorize(named)                   # missing -> -1 -> the appended last entry
    keys = [class_key(v) for v in names]
    ids = np.array([lookup.get(k) for k in keys] + [None], dtype=object)[codes]
    ndfeb = [by_id[i] for i in NDFEB_PART2_IDS if i in by_id]
    generic = np.array([k in GENERIC_NDFEB_CLASSES for k in keys] + [False], dtype=bool)[codes] \
        & pd.isna(ids)
    if generic.any() and ndfeb:
        present = _own_elements_present(bom.composition, parts.index, {e for c in ndfeb for e in c.elements})
        for c in ndfeb:
            has = present[list(c.elements)].any(axis=1).to_numpy() & generic & pd.isna(ids)
            ids[has] = c.id
    class_id = pd.Series(ids, index=parts.index, dtype=object)
    inferred = np.zeros(len(parts), bool)
    findings: list[Finding] = []
    if no_own_class.all() and part2_classes:
        inferred, f = _infer(bom, class_id, by_id)
        findings += f
    is_p2 = class_id.notna().to_numpy()
    ids = class_id.to_numpy(dtype=object)
    reaches = np.zeros(len(parts), bool)
    for c in part2_classes:
        if c.reaches_assemblies:
            reaches |= ids == c.id
    if no_own_class.all() and part2_classes and not is_p2.any():
        findings.append(finding("part2-unclassified", "no part of the BOM has a part class and no part's own "
                                "composition marks it as a Part II magnet: every SKU is taken as outside Annex 1 "
                                "Part II; add a part class column (e.g. ndfeb-dy-magnet, smco-magnet, "
                                "sputtering-target) to be sure"))
    return Part2(is_p2, reaches, class_id, inferred, findings)


def _infer(bom, class_id: pd.Series, by_id) -> tuple[np.ndarray, list[Finding]]:
    """Part II classes from the parts' own composition (the BOM names no class)."""
    signature = {cid: (*INFERENCE_BASE[cid], *by_id[cid].elements) for cid in INFERENCE_BASE if cid in by_id}
    if not signature:
        return np.zeros(len(class_id), bool), []
    present = _own_elements_present(bom.composition, class_id.index, {e for s in signature.values() for e in s})
    inferred = np.zeros(len(class_id), bool)
    why = pd.Series(None, index=class_id.index, dtype=object)
    for cid, els in signature.items():
        hit = present[list(els)].all(axis=1).to_numpy() & class_id.isna().to_numpy()
        class_id.mask(hit, cid, inplace=True)
        why.mask(hit, f"{by_id[cid].name} ({cid}): its own composition has {' and '.join(els)}", inplace=True)
        inferred |= hit
    rows = bom.parts.loc[inferred].assign(why=why[inferred].to_numpy()).reset_index()
    return inferred, findings_for_rows("part2-inferred", rows, lambda r: f"no part class in the BOM: taken "
                                       f"as an Annex 1 Part II item, {r.why}")


# --------------------------------------------------------------------------- numerator


def with_content(own_el: np.ndarray) -> np.ndarray:
    """Positions of the parts with any own controlled content, non-zero or unknown (NaN
    != 0): usually few, so per-part work is done on these only."""
    return np.flatnonzero((own_el != 0).any(axis=1))


def item_origin_shares(parts: pd.DataFrame, own_el: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """(n, 3) share of each origin class in a part's own controlled content; where it
    has none (or it is unknown), the part's own origin class as a whole. ``rows``: the
    parts with any own content (non-zero or unknown) where the caller knows them; the
    others have none."""
    n = len(parts)
    if rows is None:
        rows = with_content(own_el)
    m = len(rows)
    by_class = own_el[rows].reshape(m, own_el.shape[1] // 3, 3).sum(axis=1) if own_el.shape[1] else np.zeros((m, 3))
    total = by_class.sum(axis=1)
    ok_rows = np.isfinite(total) & (total > 0)
    ok = np.zeros(n, bool)
    ok[rows[ok_rows]] = True
    out = np.zeros((n, 3))
    out[rows[ok_rows]] = by_class[ok_rows] / total[ok_rows, None]
    whole, _ = part_origin_codes(parts)
    rest = np.flatnonzero(~ok)
    out[rest, whole[rest]] = 1.0
    return out


def estimated_values(parts, own_el, elements, part1_elements, prices, rates, currency, used, as_of, rows=None):
    """(n, 3) value per base unit of each part's own controlled content at reference
    prices, for the Part I elements, by origin class; NaN where content that counts
    (cn / unknown) has no price or no rate. ``used``: parts whose estimate is used."""
    n = len(parts)
    take = [i for i, e in enumerate(elements) if e in part1_elements]
    est = np.zeros((n, 3))
    findings: list[Finding] = []
    if not take:
        return est, findings
    names = [elements[i] for i in take]
    price = _price_per_kg(prices, names, currency, rates) if currency else np.full(len(take), np.nan)
    # only parts with some own content (non-zero or unknown): the rest are 0 (most parts)
    if rows is None:
        rows = with_content(own_el)
    kg = own_el[rows].reshape(len(rows), own_el.shape[1] // 3, 3)[:, take, :]     # (rows, T, 3)
    est[rows] = np.where(kg == 0, 0.0, kg * price[None, :, None]).sum(axis=1)
    if not np.isnan(price).any():
        return est, findings
    kg = own_el.reshape(n, -1, 3)[:, take, :]                  # (n, T, 3)
    no_price = prices.missing(names)
    for j, el in enumerate(names):
        if not np.isnan(price[j]):
            continue
        needs = used & ((kg[:, j, 0] != 0) | (kg[:, j, 2] != 0))
        if not needs.any():
            continue
        shown = ", ".join(parts.index[needs][:5]) + (" …" if needs.sum() > 5 else "")
        if el in no_price:
            findings.append(finding("missing-price", f"no reference price for {el} on {as_of} in {prices.path}: "
                                    f"the {el} content of {int(needs.sum())} part(s) ({shown}) cannot be valued and "
                                    "the value test of SKUs holding it has no data (add a price with --prices FILE)",
                                    part=parts.index[needs][0], file=str(prices.path)))
        else:
            cur = prices.lookup([el])["currency"].iloc[0]
            findings.append(finding("missing-rate", f"the reference price of {el} is in {cur} and there is no "
                                    f"exchange rate to {currency or 'the report currency'} (give one with --rates "
                                    f"FILE): the {el} content of {shown} cannot be valued",
                                    part=parts.index[needs][0], file=str(prices.path)))
    return est, findings


_PRICES_SEEN: dict = {}


def _price_per_kg(prices, names, currency, rates) -> np.ndarray:
    """prices.price_per_kg(...) as a read-only array, remembered per price table, rates,
    elements and currency: a batch asks the same question for every file (the entry
    holds the table and rates themselves, so their ids are not reused while cached)."""
    key = (id(prices), id(rates), tuple(names), currency)
    seen = _PRICES_SEEN.get(key)
    if seen is not None and seen[0] is prices and seen[1] is rates:
        return seen[2]
    price = prices.price_per_kg(names, to=currency, rates=rates).to_numpy(float)
    price.flags.writeable = False
    if len(_PRICES_SEEN) >= 16:
        _PRICES_SEEN.clear()
    _PRICES_SEEN[key] = (prices, rates, price)
    return price


def numerator(graph: Graph, parts, flag, fallback, value, origin_shares, est_own, comp_declared):
    """Roll up (n, 6): Part I value by origin class (declared items), then the estimated
    value by class. A flagged part's own figure wins and its subtree is not descended.
    ``fallback``: flagged leaves without any value, valued at prices of their content."""
    valued = flag & ~fallback
    item = np.where(valued[:, None] & (origin_shares > 0), value[:, None] * origin_shares, 0.0)
    est = np.where((~flag | fallback)[:, None], est_own, 0.0)
    nothing = fallback & ~(np.nan_to_num(est_own, nan=1.0) != 0).any(axis=1)   # no content to value either
    est[nothing] = np.where(origin_shares[nothing] > 0, np.nan, 0.0)
    own = np.hstack([item, est])
    tot, _ = rollup(graph, own, flag | comp_declared, 0.0, children=False)
    findings = []
    unvalued = (valued & np.isnan(value) & np.isnan(parts["unit_value"].to_numpy(float))) | nothing
    if unvalued.any():
        findings += findings_for_rows("part1-no-value", parts.loc[unvalued].reset_index(),
                                      "a Part I item without a value and without controlled content to "
                                      "estimate it from: give its unit value", column="unit_value")
    estimated = fallback & ~nothing
    if estimated.any():
        findings += findings_for_rows("part1-value-estimated", parts.loc[estimated].reset_index(),
                                      "a Part I item without a value: valued at reference prices of its "
                                      "controlled content (estimated)", column="unit_value")
    return tot, findings


# --------------------------------------------------------------------------- the test


def value_test(bom, graph: Graph, on_date, *, value: np.ndarray, own: OwnValues, own_el: np.ndarray,
               comp_declared: np.ndarray, elements, prices, rates, materials=None) -> tuple[pd.DataFrame, list]:
    """Per-part value-test columns (index ``bom.parts.index``): value_basis, value_part1_*,
    value_estimated_*, value_share_low/high, value_verdict, part2_scope, part1_cn_present.

    ``value``: rolled-up value per base unit (own declaration, else children), in
    ``own.currency``; ``own_el``/``comp_declared``: controlled kg per base unit from each
    part's own composition (n, E*3) and where a composition is declared.
    """
    parts = bom.parts
    findings: list[Finding] = []
    lib = material_info(parts, materials)
    p2 = part2_parts(bom, lib["part_class"], on_date.part2_classes)
    findings += p2.findings
    flag = part1_flags(parts, lib["part1"], on_date.part1_items)
    content = with_content(own_el)
    origin_shares = item_origin_shares(parts, own_el, content)
    part1_elements = {e for item in on_date.part1_items for e in item.elements}
    currency = own.currency or prices.currency
    fallback = flag & np.isnan(value) & ~own.declared & ~graph.has_children
    est_own, f = estimated_values(parts, own_el, elements, part1_elements, prices, rates, currency,
                                  ~flag | fallback, on_date.as_of, content)
    findings += f
    tot, f = numerator(graph, parts, flag, fallback, value, origin_shares, est_own, comp_declared)
    findings += f

    # every column at once: one frame construction (a 50-line BOM of a batch notices each insertion)
    basis = np.where(own.declared, DECLARED, np.where(np.isnan(value), None, COST_ROLL_UP))
    cols: dict = {"value_basis": pd.Series(basis, index=parts.index, dtype=object)}   # None: no value at all
    for i, c in enumerate(NUMERATOR_COLUMNS):
        cols[c] = tot[:, i] + tot[:, 3 + i]
    for i, c in enumerate(ESTIMATED_COLUMNS):
        cols[c] = tot[:, 3 + i]
    low, high = shares(cols["value_part1_cn"], cols["value_part1_unknown"], value)
    cols["value_share_low"], cols["value_share_high"] = low, high
    verdict = _verdicts(low, high, value, on_date.threshold)
    if on_date.part2_classes:
        scope = p2.is_part2 | contains(graph, p2.is_part2 & p2.reaches)
        verdict[~scope] = NOT_APPLICABLE
        cols["value_verdict"] = verdict
        cols["part2_scope"] = pd.array(scope, dtype="boolean")
    else:   # a rule set without Part II classes: scope unknown, the test is shown as if it applied
        cols["value_verdict"] = verdict
        cols["part2_scope"] = pd.array([pd.NA] * len(parts), dtype="boolean")
    cols["part1_cn_present"] = _part1_present(graph, flag, origin_shares)
    res = pd.DataFrame(cols, index=parts.index)
    return res, findings


def _verdicts(low, high, denominator, threshold) -> np.ndarray:
    """verdicts(), but no-data where the numerator is unknown, unless the known Chinese
    part (low) already reaches the threshold."""
    out = verdicts(low, high, denominator, threshold)
    decided = np.isfinite(low) & (np.isfinite(high) | (low >= threshold))
    out[~decided] = NO_DATA
    return out


def _part1_present(graph: Graph, flag, origin_shares) -> pd.array:
    """True: a Chinese-origin Part I item is in the part (or is the part); NA: none is
    known to be Chinese but one of unknown origin is; False otherwise."""
    both = contains(graph, flag[:, None] & (origin_shares[:, [0, 2]] > 0))   # one roll-up for the two
    cn, unknown = both[:, 0], both[:, 1]
    out = pd.array(cn, dtype="boolean")
    out[~cn & unknown] = pd.NA
    return out


def headline(value_verdict: np.ndarray, mass_verdict: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(verdict, decided_by): the value test where it could be decided (in scope, not
    no-data), else the mass test."""
    use_value = (value_verdict != NO_DATA) & (value_verdict != NOT_APPLICABLE)
    return np.where(use_value, value_verdict, mass_verdict), np.where(use_value, "value", "mass")


def needs_licence(verdict: np.ndarray, in_or_unknown_scope: np.ndarray, cn_technology: np.ndarray) -> np.ndarray:
    """Parts whose headline verdict is above (and not known to be outside Part II:
    part2_scope True or NA), or that are flagged as made with Chinese rare-earth
    technology (Art. 1(2), no threshold)."""
    return ((verdict == ABOVE) & in_or_unknown_scope) | cn_technology


def value_no_data_findings(res: pd.DataFrame, sku_list, currency) -> list[Finding]:
    """One finding per reported SKU in scope whose value test has no data, saying why."""
    pos = res.index.get_indexer(list(sku_list))
    pos = pos[res["value_verdict"].to_numpy(object)[pos] == NO_DATA]    # usually none: nothing per SKU
    out = []
    for s, value, basis in zip(res.index[pos], res["value"].to_numpy(float)[pos],
                               res["value_basis"].to_numpy(object)[pos].tolist()):
        if np.isnan(value):
            why = (f"its declared value cannot be used in {currency or 'one currency'} (no exchange rate or "
                   "no currency)" if basis == DECLARED
                   else "it declares no value and its children's values are incomplete")
        else:
            why = ("a Part I item or controlled content in it could not be valued (see missing-rate, "
                   "missing-price, part1-no-value)")
        out.append(finding("value-no-data", f"the value test cannot be decided: {why}; the verdict follows "
                           "the mass test", part=s))
    return out
