"""Composition rows per part: element mass fractions or element masses per unit,
from a composition sheet, element columns on BOM / part rows, or a material
name from the materials library (in that order of precedence per part)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from remin.composition import load_materials, resolve_substances
from remin.countries import to_iso2
from remin.findings import Finding, finding, findings_for_rows
from remin.keys import in_index
from remin.partdata import _by_decimal, _col
from remin.sheets import SOURCE_COLUMNS, StandardSheet
from remin.units import split_value_unit, to_base
from remin.columns import element_header

AMOUNT_KINDS = {"fraction", "mass", "mass_per_count", "mass_per_length", "mass_per_area", "mass_per_volume"}
COMPOSITION_COLUMNS = ["part", "element", "fraction", "kg", "origin", "basis", "substance", *SOURCE_COLUMNS]
_PRECEDENCE = {"composition": 0, "column": 1, "material": 2}
#: No rows (only its length is read: callers leave empty frames out).
_NO_ROWS = pd.DataFrame(columns=COMPOSITION_COLUMNS)


def _element_column_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Melt 'Dy [wt%]'-style columns into long rows (part, substance, amount, unit, origin)."""
    element_columns = [c for c in df.columns if str(c).startswith("el:")]
    if not element_columns:
        return pd.DataFrame()
    # positions of the given cells, column by column: a BOM frame has a million rows
    # of which a few thousand declare elements, so only those rows are taken
    given = [np.flatnonzero(df[c].notna().to_numpy()) for c in element_columns]
    taken = [(c, at) for c, at in zip(element_columns, given) if len(at)]
    if not taken:
        return pd.DataFrame()
    pos = np.concatenate([at for _, at in taken])
    heads = [element_header(c[3:]) for c, _ in taken]
    sizes = [len(at) for _, at in taken]
    part = _take(df["part"], pos).astype(str).to_numpy()
    substance = np.repeat(np.array([h.element for h in heads], dtype=object), sizes)
    # an indented BOM repeats a shared part's row: its element cells count once (the
    # first row of each (part, substance), as drop_duplicates keeps it)
    part_code = pd.factorize(part)[0].astype(np.int64)
    pair = part_code * len(heads) + pd.factorize(substance)[0]
    first = np.sort(np.unique(pair, return_index=True)[1])
    pos, part, substance = pos[first], part[first], substance[first]
    # which element column each kept row came from
    column_of = np.repeat(np.arange(len(taken)), sizes)[first]

    def cells(name: str) -> np.ndarray:
        return _take(_col(df, name), pos).to_numpy()

    return pd.DataFrame({
        "part": part, "substance": substance,
        "amount": np.concatenate([_take(df[c], at).to_numpy() for c, at in taken])[first],
        "unit": np.array([h.unit for h in heads], dtype=object)[column_of],
        "origin": cells("re_origin"), "decimal": _take(_col(df, "decimal"), pos).fillna(".").to_numpy(),
        "basis": "column", **{c: cells(c) for c in SOURCE_COLUMNS}})


def _take(column: pd.Series, at: np.ndarray) -> pd.Series:
    """The cells at positions ``at``, taken before any conversion (a BOM column has a
    million cells of which a few thousand are wanted)."""
    return pd.Series(column.array.take(at), name=column.name)


def _sheet_rows(s: StandardSheet) -> pd.DataFrame:
    df = s.frame
    part = df["part"].astype("string").str.strip()
    keep = part.notna().to_numpy()
    sub = df.loc[keep]
    return pd.DataFrame({
        "part": part[keep].astype(str).to_numpy(), "substance": _col(sub, "substance").astype("string").str.strip().to_numpy(),
        "amount": _col(sub, "amount").to_numpy(),
        "unit": _col(sub, "amount_unit").astype("string").fillna(s.units.get("amount", pd.NA)).to_numpy(),
        "origin": _col(sub, "re_origin").to_numpy(), "decimal": s.raw.decimal, "basis": "composition",
        **{c: sub[c].to_numpy() for c in SOURCE_COLUMNS}})


def build_composition(lines: pd.DataFrame, masters: list[StandardSheet], comp_sheets: list[StandardSheet],
                      parts: pd.DataFrame, materials=None) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    raw = [_element_column_rows(lines)]
    for s in masters:
        raw.append(_element_column_rows(s.frame.assign(decimal=s.raw.decimal)))
    raw += [_sheet_rows(s) for s in comp_sheets]
    raw = [r for r in raw if len(r)]
    # each source's rows come with a fresh 0..n-1 index: one needs no concat
    rows = raw[0] if len(raw) == 1 else pd.concat(raw, ignore_index=True) if raw else pd.DataFrame(columns=["part", "substance", "amount", "unit", "origin", "decimal", "basis", *SOURCE_COLUMNS])
    declared = _convert_amounts(rows, parts, findings)
    from_material = _material_rows(parts, materials, findings)
    given = [d for d in (declared, from_material) if len(d)]
    # one source needs no concat (both frames come with a fresh 0..n-1 index)
    comp = given[0] if len(given) == 1 else pd.concat(given, ignore_index=True) if given \
        else pd.DataFrame(columns=COMPOSITION_COLUMNS)
    comp = _apply_precedence(comp, findings)
    origin, bad = to_iso2(comp["origin"].astype("string")) if len(comp) else (comp["origin"], np.zeros(0, bool))
    if bad.any():
        findings += findings_for_rows("unknown-country", comp.loc[bad], lambda r: f"origin {r.origin!r} is not a "
                                      "country remin knows; counted as unknown origin", column="origin")
    comp["origin"] = origin
    unknown_parts = ~in_index(comp["part"], parts.index)
    if unknown_parts.any():
        findings += findings_for_rows("composition-without-part", comp.loc[unknown_parts].drop_duplicates("part"),
                                      "composition for a part that no BOM line uses (check the part number)")
    if list(comp.columns) != COMPOSITION_COLUMNS or not comp.index.equals(pd.RangeIndex(len(comp))):
        comp = comp[COMPOSITION_COLUMNS].reset_index(drop=True)
    return comp, findings


def _convert_amounts(rows: pd.DataFrame, parts: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=COMPOSITION_COLUMNS)
    rows = rows.reset_index(drop=True)
    values, cell_units, _ = _by_decimal(rows, split_value_unit, rows["amount"])
    unit = pd.Series(cell_units, index=rows.index, dtype="string").fillna(rows["unit"].astype("string"))
    blank = np.isnan(values) & rows["amount"].isna().to_numpy()
    if blank.any():
        findings += findings_for_rows("not-a-number", rows.loc[blank], "composition row without an amount",
                                      column="amount")
    text = np.isnan(values) & ~blank
    if text.any():
        findings += findings_for_rows("not-a-number", rows.loc[text], lambda r: f"amount {r.amount!r} is not a "
                                      "number with a unit (e.g. 7.5 wt%, 120 ppm, 1.2 g)", column="amount")
    conv = to_base(values, unit, allowed=AMOUNT_KINDS, default=None)
    bad = ~np.isnan(values) & conv.bad
    if bad.any():
        findings += findings_for_rows("unknown-unit", rows.loc[bad].assign(reason=conv.reason[bad]),
                                      lambda r: str(r.reason), column="unit")
    # each row's part's base kind through the parts index's hash table (count when unknown)
    at = parts.index.get_indexer(rows["part"])
    base_kind = pd.Series(parts["base_kind"].array.take(at, allow_fill=True)).fillna("count").to_numpy(object)
    kind = conv.kind
    ok = ~np.isnan(values) & ~conv.bad
    frac = np.where(ok & (kind == "fraction"), conv.values, np.nan)
    kg = np.where(ok & ((kind == "mass") | (kind == np.array(["mass_per_" + k for k in base_kind], dtype=object))),
                  conv.values, np.nan)
    mismatch = ok & np.isnan(frac) & np.isnan(kg)
    if mismatch.any():
        findings += findings_for_rows("unit-dimension-mismatch", rows.loc[mismatch].assign(u=unit[mismatch]),
                                      lambda r: f"amount unit {r.u!r} does not fit this part's unit of "
                                                "measure (use a fraction, a mass per piece, or g/m for "
                                                "parts counted in metres)", column="unit")
    negative = (frac < 0) | (kg < 0)
    if negative.any():
        findings += findings_for_rows("non-positive-quantity", rows.loc[negative], "negative amount",
                                      column="amount")
        frac[frac < 0] = np.nan
        kg[kg < 0] = np.nan
    if _may_exceed_one(rows["part"], frac):   # cold path: sums per part as pandas adds them
        rows["frac_sub"] = frac
        over = rows.loc[~np.isnan(frac)].groupby("part")["frac_sub"].sum()
        for p in over[over > 1 + 1e-9].index[:50]:
            r = rows[rows["part"] == p].iloc[0]
            findings.append(finding("fraction-over-one", f"mass fractions add up to {over[p]:.2%}",
                                    part=p, file=r["src_file"], sheet=r["src_sheet"], row=r["src_row"]))
    resolved, reasons = resolve_substances(rows["substance"].astype("string"))
    if reasons.notna().any():   # cold path: some substance could not be read
        reason = rows["substance"].map(reasons)
        unk = reason.notna().to_numpy()
        findings += findings_for_rows("unknown-substance", rows.loc[unk].assign(why=reason[unk]),
                                      lambda r: f"{r.substance!r}: {r.why}", column="substance")
    row_at, element_at = _pairs_by_substance(rows["substance"].to_numpy(), resolved["substance"].to_numpy())
    el_frac = resolved["fraction"].to_numpy()[element_at]
    # only the columns a composition row keeps (see COMPOSITION_COLUMNS)
    return pd.DataFrame({"part": rows["part"].array.take(row_at),
                         "element": resolved["element"].to_numpy()[element_at],
                         "fraction": frac[row_at] * el_frac, "kg": kg[row_at] * el_frac,
                         **{c: rows[c].array.take(row_at) for c in ("origin", "basis", "substance", *SOURCE_COLUMNS)}})


def _may_exceed_one(part: pd.Series, frac: np.ndarray) -> bool:
    """Whether any part's mass fractions might add up to more than one: a plain sum per
    part with a margin, so the exact (pandas) sums are only taken when it is close."""
    given = ~np.isnan(frac)
    if not given.any():
        return False
    codes = pd.factorize(part.to_numpy()[given])[0]
    named = codes >= 0   # rows without a part are not summed (groupby leaves NA keys out)
    codes = codes[named]
    sums = np.bincount(codes, weights=frac[given][named])
    return bool((sums > 1 + 1e-9 - 1e-12 * np.maximum(1.0, np.bincount(codes))).any())


def _pairs_by_substance(row_substance: np.ndarray, substance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(row, element row)`` of the inner join of the rows with the substances'
    element rows on the substance text, in row order and then element order (the order of
    ``DataFrame.merge(how="inner")``, without its frame copies and key checks)."""
    codes, _ = pd.factorize(np.concatenate([row_substance, substance]), use_na_sentinel=True)
    left, right = codes[:len(row_substance)], codes[len(row_substance):]
    by_code = np.argsort(right, kind="stable")
    count = np.bincount(right, minlength=int(codes.max(initial=-1)) + 1)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    matched = np.flatnonzero(left >= 0)
    per_row = count[left[matched]]
    row_at = np.repeat(matched, per_row)
    offset = np.arange(len(row_at)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return row_at, by_code[start[left[row_at]] + offset]


def _material_rows(parts: pd.DataFrame, materials, findings: list[Finding]) -> pd.DataFrame:
    if not parts["material"].notna().any():
        return _NO_ROWS
    named = parts["material"].dropna()
    lib = materials if materials is not None else load_materials()
    resolved = lib.resolve(named)
    unknown = resolved.isna()
    if unknown.any():
        bad = parts.loc[unknown[unknown].index, SOURCE_COLUMNS].assign(material=named[unknown]).reset_index()
        findings += findings_for_rows("unknown-material", bad, lambda r: f"material {r.material!r} is not in the "
                                      f"materials library (`remin materials` lists them)", column="material")
    m = pd.DataFrame({"part": resolved[~unknown].index, "material": resolved[~unknown].to_numpy()})
    rows = m.merge(lib.fractions, on="material", how="inner")
    src = parts.loc[rows["part"], SOURCE_COLUMNS].reset_index(drop=True)
    return pd.DataFrame({"part": rows["part"].to_numpy(), "element": rows["element"].to_numpy(),
                         "fraction": rows["fraction"].to_numpy(float), "kg": np.nan, "origin": pd.NA,
                         "basis": "material", "substance": rows["material"].to_numpy(), **{c: src[c].to_numpy() for c in SOURCE_COLUMNS}})


def _apply_precedence(comp: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    """One source of composition per part: composition sheet > element columns > material."""
    if comp.empty:
        return comp
    basis = comp["basis"].to_numpy()
    if (basis == basis[0]).all():   # one kind of source: nothing to choose between
        return comp
    rank = comp["basis"].map(_PRECEDENCE).to_numpy()
    best = pd.Series(rank).groupby(comp["part"].to_numpy()).transform("min").to_numpy()
    dropped = rank > best
    if dropped.any():
        gone = comp.loc[dropped].drop_duplicates("part")
        findings += findings_for_rows("composition-overridden", gone,
                                      lambda r: f"its {r.basis} composition is not used: a more specific "
                                                "declaration of this part wins")
    return comp.loc[~dropped]
