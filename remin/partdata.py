"""Per-part attributes gathered from BOM rows and part-master sheets: mass and
value per base unit of the part, origins, classes and flags. BOM rows win over
master rows; different values for one part are reported."""
from __future__ import annotations

import numpy as np
import pandas as pd

from remin.countries import to_iso2
from remin.findings import Finding, finding, findings_for_rows
from remin.keys import in_index
from remin.limits import IMPLAUSIBLE
from remin.numbers import parse_flags, parse_money
from remin.repeats import blank_strings, differing_lines, first_positions, per_distinct
from remin.sheets import SOURCE_COLUMNS, StandardSheet
from remin.units import split_value_unit, to_base

STRUCTURE_KINDS = ("count", "mass", "length", "area", "volume")
MASS_KINDS = {"mass", "mass_per_count", "mass_per_length", "mass_per_area", "mass_per_volume"}
TEXT_FIELDS = ["description", "material", "control_code", "part_class", "supplier", "currency"]
COUNTRY_FIELDS = ["re_origin", "made_in"]
FLAG_FIELDS = ["part1", "cn_technology"]
PART_COLUMNS = ["description", "base_kind", "mass_kg", "unit_value", "currency", "re_origin", "made_in",
                "material", "control_code", "part1", "part_class", "cn_technology", "supplier",
                *SOURCE_COLUMNS, "in_bom"]


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else blank_strings(df.index)


def _by_decimal(df: pd.DataFrame, fn, cells: pd.Series):
    """Apply a vectorised parser per decimal mark (sheets may differ)."""
    if "decimal" not in df.columns or _at_most_one(df["decimal"]):
        dec = df["decimal"].iloc[0] if "decimal" in df.columns and len(df) else "."
        return fn(cells, dec)
    parts = [fn(cells[idx], dec) + (idx,) for dec, idx in df.groupby("decimal").groups.items()]
    outs = []
    for k in range(len(parts[0]) - 1):
        ser = pd.concat([pd.Series(p[k], index=p[-1]) for p in parts]).reindex(df.index)
        outs.append(ser if isinstance(parts[0][k], pd.Series) else ser.to_numpy())
    return tuple(outs)


def _at_most_one(values: pd.Series) -> bool:
    """``values.nunique() <= 1``; a few cells are compared in Python (nunique's fixed cost
    is ~0.14 ms, three times per 50-line file)."""
    if len(values) > 256:
        return values.nunique() <= 1
    cells = values.to_numpy(dtype=object)
    return len(set(cells[~pd.isna(cells)])) <= 1


def base_kinds(lines: pd.DataFrame, edges: pd.DataFrame) -> tuple[pd.Series, list[Finding]]:
    """Each part's base kind: the kind of the unit its lines use (count for roots)."""
    # the usual case on integer codes: each child's first kind, unless any line differs
    codes, children = pd.factorize(edges["child"].array, use_na_sentinel=False)
    first = _first_edge_if_one_kind(np.asarray(codes), len(children), edges["kind"])
    if first is not None:
        return pd.Series(edges["kind"].array.take(first), index=pd.Index(children, name="child"), name="kind"), []
    findings = []
    kinds = edges[["child", "kind", "src_file", "src_sheet", "src_row"]].dropna(subset=["kind"])
    distinct = kinds.drop_duplicates(["child", "kind"])
    multi = distinct.groupby("child").size()
    for p in multi[multi > 1].index[:50]:
        ks = ", ".join(distinct.loc[distinct["child"] == p, "kind"])
        r = kinds[kinds["child"] == p].iloc[0]
        findings.append(finding("uom-conflict", f"used in units of different kinds ({ks}); the first is "
                                "used and lines in other kinds are unknown", part=p, file=r["src_file"],
                                sheet=r["src_sheet"], row=r["src_row"]))
    return distinct.drop_duplicates("child").set_index("child")["kind"], findings


def _mass_per_base(df, line_kind, line_factor, findings, sheet_units_col="unit_mass@unit"):
    """kg per base unit of the part from a unit-mass cell (+ its unit)."""
    cells = _col(df, "unit_mass")
    values, cell_units, bad_cells = _by_decimal(df, split_value_unit, cells)
    if np.asarray(bad_cells).any():
        bad_cells = np.asarray(bad_cells, bool)
        findings += findings_for_rows("not-a-number", df.loc[bad_cells].assign(c=cells[bad_cells]),
                                      lambda r: f"unit mass {r.c!r} is not a number (with an optional unit)",
                                      column="unit_mass")
    values = np.asarray(values, float)
    infinite = np.isinf(values)
    if infinite.any():
        findings += findings_for_rows("non-finite-number", df.loc[infinite].assign(c=cells[infinite]),
                                      lambda r: f"unit mass {r.c!r} is not a finite number", column="unit_mass")
        values = np.where(infinite, np.nan, values)
    unit = pd.Series(cell_units, index=df.index, dtype="string")
    for fallback in ("mass_unit", sheet_units_col):   # the cell's unit, else the column's, else the header's
        missing = unit.isna()
        if fallback in df.columns and missing.any():
            other = df[fallback].astype("string")
            unit = other if missing.all() else unit.fillna(other)
    has = ~np.isnan(values)
    out = np.full(len(df), np.nan)
    no_unit = has & unit.isna().to_numpy()
    if no_unit.any():
        findings += findings_for_rows("unknown-unit", df.loc[no_unit],
                                      "a unit mass without a unit: give a weight unit column, a unit in the "
                                      "header ('Unit weight (g)') or in the cell ('12 g')", column="unit_mass")
    conv = to_base(values, unit, allowed=MASS_KINDS, default=None)
    bad = has & ~no_unit & conv.bad
    if bad.any():
        findings += findings_for_rows("unknown-unit", df.loc[bad].assign(reason=conv.reason[bad]),
                                      lambda r: str(r.reason), column="unit_mass")
    ok = has & ~conv.bad
    kind = conv.kind
    plain = ok & (kind == "mass")
    out[plain] = conv.values[plain] / line_factor[plain]
    per = ok & (kind != "mass")
    wanted = _mass_per(line_kind) if per.any() else np.empty(len(line_kind), dtype=object)
    match = per & (kind == wanted)
    out[match] = conv.values[match]
    mismatch = per & ~match & (line_kind != "mass")
    if mismatch.any():
        findings += findings_for_rows(
            "unit-dimension-mismatch", df.loc[mismatch].assign(k=kind[mismatch], lk=line_kind[mismatch]),
            lambda r: f"unit mass is given per {str(r.k).removeprefix('mass_per_')} but the part is counted "
                      f"by {r.lk}", column="unit_mass")
    negative = out < 0
    if negative.any():
        findings += findings_for_rows("negative-number", df.loc[negative].assign(c=cells[negative]),
                                      lambda r: f"unit mass {r.c!r} is below zero; left out (the part's mass "
                                                "is unknown)", column="unit_mass")
        out[negative] = np.nan
    huge = np.abs(out) > IMPLAUSIBLE
    if huge.any():
        findings += findings_for_rows("implausible-number", df.loc[huge].assign(c=cells[huge]),
                                      lambda r: f"unit mass {r.c!r} is more than {IMPLAUSIBLE:.0e} kg per unit: "
                                                "no real part weighs that; left out", column="unit_mass")
        out[huge] = np.nan
    # a line whose UoM is a mass carries its own mass: 1 kg per kg
    out[line_kind == "mass"] = 1.0
    return out


def _mass_per(kinds: np.ndarray) -> np.ndarray:
    """``"mass_per_<kind>"`` for each kind, built once per distinct kind."""
    codes, distinct = pd.factorize(kinds)
    return np.array([f"mass_per_{k}" for k in distinct], dtype=object)[codes]


def _records(df: pd.DataFrame, line_kind: np.ndarray, line_factor: np.ndarray, priority: int,
             findings: list[Finding]) -> pd.DataFrame:
    """One record per row of ``df`` (index of ``df``): see :func:`_record_columns`."""
    return pd.DataFrame(_record_columns(df, line_kind, line_factor, priority, findings), index=df.index)


def _record_columns(df: pd.DataFrame, line_kind: np.ndarray, line_factor: np.ndarray, priority: int,
                    findings: list[Finding]) -> dict:
    """The record columns of the rows of ``df`` (Series on ``df``'s index or arrays, and
    the scalar ``priority``): a part's attributes per base unit of the part."""
    # Arrow arrays pass straight into the frame (object arrays of strings are converted back)
    rec = {"part": df["part"].astype(str).array, "priority": priority}
    for f in TEXT_FIELDS:
        # an absent column is blank text already (nothing to strip)
        rec[f] = df[f].astype("string").str.strip() if f in df.columns else blank_strings(df.index)
    rec["part_class"] = per_distinct(rec["part_class"],
                                     lambda u: u.str.lower().str.replace(r"[\s_]+", "-", regex=True))
    rec["currency"] = rec["currency"].str.upper()
    for f in COUNTRY_FIELDS:
        cells = _col(df, f)
        iso, bad = to_iso2(cells)
        if bad.any():
            findings += findings_for_rows("unknown-country", df.loc[bad].assign(c=cells[bad]),
                                          lambda r: f"{r.c!r} is not a country remin knows; its content "
                                                    "counts as unknown origin", column=f)
        rec[f] = iso
    for f in FLAG_FIELDS:
        flags, bad = parse_flags(_col(df, f))
        if np.asarray(bad).any():
            findings += findings_for_rows("not-a-number", df.loc[np.asarray(bad)],
                                          "expected yes/no (or true/false, x, 1/0)", column=f)
        rec[f] = flags
    rec["mass_kg"] = _mass_per_base(df, line_kind, line_factor, findings)
    cells = _col(df, "unit_value")
    values, sym_currency, bad_money = _by_decimal(df, parse_money, cells)
    bad_money = np.asarray(bad_money, bool)
    if bad_money.any():
        findings += findings_for_rows("not-a-number", df.loc[bad_money].assign(c=cells[bad_money]),
                                      lambda r: f"value {r.c!r} is not an amount of money with a known "
                                                "currency (e.g. 12.50, $12.50, 12,50 EUR)", column="unit_value")
    bad_value = ~np.isnan(values) & ~np.isfinite(values)
    huge_value = np.isfinite(values) & (np.abs(values) > IMPLAUSIBLE)
    if huge_value.any():
        findings += findings_for_rows("implausible-number", df.loc[huge_value].assign(c=cells[huge_value]),
                                      lambda r: f"value {r.c!r} is more than {IMPLAUSIBLE:.0e} per unit; left out",
                                      column="unit_value")
    negative_value = np.isfinite(values) & (values < 0)
    if negative_value.any():
        findings += findings_for_rows("negative-number", df.loc[negative_value].assign(c=cells[negative_value]),
                                      lambda r: f"value {r.c!r} is below zero; left out", column="unit_value")
    values = np.where(np.isfinite(values) & ~huge_value & ~negative_value, values, np.nan)
    if bad_value.any():
        findings += findings_for_rows("non-finite-number", df.loc[bad_value], "value is not finite",
                                      column="unit_value")
    rec["unit_value"] = values / line_factor
    sym_currency = pd.Series(sym_currency, index=df.index, dtype="string")
    if sym_currency.notna().any():
        rec["currency"] = rec["currency"].fillna(sym_currency)
    for c in SOURCE_COLUMNS:
        rec[c] = df[c].array
    return rec


#: Columns whose cells make a line's part record (besides the unit of measure); lines
#: of one sheet share file, sheet, decimal mark, header units and headers.
_RECORD_CELLS = [*TEXT_FIELDS, *COUNTRY_FIELDS, *FLAG_FIELDS, "unit_mass", "mass_unit", "unit_value"]
_SHEET_CELLS = ["sheet_key"]
_SHEET_CELLS_WITHOUT_KEY = ["src_file", "src_sheet", "decimal", "unit_mass@unit"]


def _line_records(lines: pd.DataFrame, part_codes: np.ndarray,
                  findings: list[Finding]) -> tuple[dict, np.ndarray]:
    """Records of the BOM lines and the part code of each (``part_codes``: the lines'
    parts factorized), read from each part's distinct lines only (see
    remin/repeats.py). A line that repeats a bad cell is reported like the first: when
    the distinct lines raise findings, all lines of the parts named are read again."""
    is_root = lines["parent"].isna().to_numpy()
    uom = _col(lines, "uom").astype("string")
    sheet_cells = _SHEET_CELLS if "sheet_key" in lines.columns else _SHEET_CELLS_WITHOUT_KEY
    cells = [lines[c] for c in [*_RECORD_CELLS, *sheet_cells] if c in lines.columns]
    keep = differing_lines(part_codes, [*cells, uom, is_root])
    found: list[Finding] = []
    rec = _read_lines(lines, uom, is_root, keep, found, headers=False)
    if found:   # cold path: findings name every offending line
        parts = {f.part for f in found}
        keep = np.ones(len(lines), bool) if None in parts else keep | in_index(lines["part"], list(parts))
        found = []
        rec = _read_lines(lines, uom, is_root, keep, found, headers=True)
    findings += found
    return rec, part_codes[keep]


def _read_lines(lines: pd.DataFrame, uom: pd.Series, is_root: np.ndarray, keep: np.ndarray,
                findings: list[Finding], headers: bool) -> dict:
    """Record columns (see :func:`_record_columns`) of the lines at ``keep``; a line's unit mass or value is per its unit of
    measure (a root is counted in pieces). Without ``headers`` the findings name the
    canonical columns, not the file's headers (for a first pass whose findings are
    thrown away)."""
    conv = to_base(np.ones(int(keep.sum())), uom[keep], allowed=set(STRUCTURE_KINDS), default="EA")
    root = is_root[keep]
    line_kind = np.where(conv.bad | root, "count", conv.kind).astype(object)
    line_factor = np.where(conv.bad | root, 1.0, conv.values)
    # only the columns a record reads (a BOM frame has dozens more, and a million rows)
    fields = {"part", *_RECORD_CELLS, "decimal", *SOURCE_COLUMNS}
    wanted = [c for c in lines.columns if c.split("@")[0] in fields and (headers or not c.endswith("@header"))]
    # one take of the wanted rows and columns (not a column copy, then a row copy)
    return _record_columns(lines.iloc[np.flatnonzero(keep), lines.columns.get_indexer(wanted)], line_kind,
                           line_factor, 0, findings)


def build_parts(lines: pd.DataFrame, edges: pd.DataFrame, masters: list[StandardSheet],
                mapping) -> tuple[pd.DataFrame, list[Finding]]:
    findings: list[Finding] = []
    part_codes, line_parts = _line_parts(lines)
    # the usual case: kinds on the integer part codes, no finding to make
    kind_by_code = None if masters else _base_kind_by_code(lines, edges, len(line_parts))
    if kind_by_code is None:
        kinds, f = base_kinds(lines, edges)
        findings += f
    # one hash table of the BOM's parts, built once: base kinds and the composition
    # are looked up in it
    line_parts = pd.Index(line_parts)
    rec, rec_codes = _line_records(lines, np.asarray(part_codes), findings)
    recs = []   # master sheets' records
    for s in masters:
        df = s.frame.copy()
        df["decimal"] = s.raw.decimal
        for d, v in mapping.defaults.items():
            if d in df.columns:
                df[d] = df[d].fillna(v)
        df["part"] = df["part"].astype("string").str.strip()
        df = df[df["part"].notna()]
        pk = df["part"].map(kinds).fillna("count").to_numpy(object)
        # master rows: a plain mass is per one base unit of the part
        recs.append(_records(df, pk, np.ones(len(df)), 1, findings))
    fields = [*TEXT_FIELDS, *COUNTRY_FIELDS, *FLAG_FIELDS, "mass_kg", "unit_value"]
    # BOM parts in file order (lines, then parents named only in a parent column), then
    # master-only parts sorted
    extra = _parents_not_listed(lines, edges, len(line_parts))
    if not recs and not len(extra) and np.array_equal(rec_codes, np.arange(len(line_parts))):
        # one record per part, in file order: nothing to merge, nothing to disagree
        columns = {c: _values(rec[c]) for c in fields + SOURCE_COLUMNS}
        index = line_parts
        in_bom = np.ones(len(index), dtype=bool)
    else:
        if kind_by_code is not None:
            kinds, _ = base_kinds(lines, edges)   # no findings: _base_kind_by_code found none
            kind_by_code = None
        rec = pd.DataFrame(rec)
        allrec = pd.concat([rec, *recs], ignore_index=True).sort_values("priority", kind="stable") if recs \
            else rec.reset_index(drop=True)
        findings += _conflicts(allrec, fields)
        parts = allrec.groupby("part", sort=False)[fields + SOURCE_COLUMNS].first()
        order = pd.Index(np.concatenate([np.asarray(line_parts, dtype=object), np.asarray(extra, dtype=object)]))
        parts = parts.reindex(order.append(parts.index.difference(order)))
        columns = {c: parts[c].array for c in fields + SOURCE_COLUMNS}
        index = parts.index
        in_bom = np.arange(len(parts)) < len(order)
    base_kind = _on_index(kinds, index) if kind_by_code is None else pd.Series(kind_by_code)
    columns["base_kind"] = (base_kind.fillna("count") if base_kind.hasnans else base_kind).array
    columns["in_bom"] = in_bom
    # an all-blank column must still hold text later (columns of the right type are kept)
    for f, dtype in [*((f, _BOOLEAN) for f in FLAG_FIELDS), *((f, _STRING) for f in [*TEXT_FIELDS, *COUNTRY_FIELDS])]:
        if columns[f].dtype != dtype:
            columns[f] = pd.array(columns[f]).astype(dtype)
    # one frame construction, columns in their final order
    return pd.DataFrame({c: columns[c] for c in PART_COLUMNS}, index=index.rename("part")), findings


def _line_parts(lines: pd.DataFrame) -> tuple[np.ndarray, pd.api.extensions.ExtensionArray]:
    """(part code per line, part number per code): the lines' ``part_code`` (see
    structure.lines_from_sheets; line parts are numbered first, in order of first
    appearance), so the million part numbers are not hashed again."""
    codes = lines["part_code"].to_numpy() if "part_code" in lines.columns else None
    if codes is None or (codes < 0).any():
        codes, parts = pd.factorize(lines["part"].astype(str).array, use_na_sentinel=False)
        return np.asarray(codes), parts
    first = first_positions(codes)
    return codes, lines["part"].iloc[first].astype(str).array


def _base_kind_by_code(lines: pd.DataFrame, edges: pd.DataFrame, n_line_parts: int):
    """The kind of each line part's first edge as a child, by part code (NA: never a
    child), as :func:`base_kinds` finds it; None when a kind is blank or a child's
    edges disagree (base_kinds then reports them) or the edges carry no line numbers."""
    if not len(edges) or "line" not in edges.columns or "part_code" not in lines.columns:
        return None
    child = lines["part_code"].to_numpy()[edges["line"].to_numpy()]
    first = _first_edge_if_one_kind(child, n_line_parts, edges["kind"])
    if first is None:
        return None
    return edges["kind"].array.take(np.where(first < len(child), first, -1), allow_fill=True)


def _first_edge_if_one_kind(child: np.ndarray, n_children: int, kind: pd.Series) -> np.ndarray | None:
    """Position of each child code's first edge (``len(child)`` for a code with no
    edge), or None when a kind is blank or a child's edges are of different kinds
    (:func:`base_kinds` then reports them)."""
    if kind.isna().any():
        return None
    kind_codes = np.asarray(pd.factorize(kind.array)[0])
    first = np.full(n_children, len(child))
    np.minimum.at(first, child, np.arange(len(child)))
    return first if (kind_codes == kind_codes[first[child]]).all() else None


def _parents_not_listed(lines: pd.DataFrame, edges: pd.DataFrame, n_line_parts: int):
    """Parents named only in a parent column (codes past the lines' parts), in order
    of their first edge, found on the shared integer codes (see _line_parts)."""
    if "line" not in edges.columns or "parent_code" not in lines.columns:
        parents = pd.unique(edges["parent"].array)
        return parents[~in_index(parents, pd.Index(lines["part"].astype(str).array).unique())]
    codes = lines["parent_code"].to_numpy()[edges["line"].to_numpy()]
    at = np.flatnonzero(codes >= n_line_parts)
    if not len(at):
        return edges["parent"].array[:0]
    _, first = np.unique(codes[at], return_index=True)
    return edges["parent"].array.take(at[np.sort(first)])


def _values(column):
    """A record column's cells without its index (Series -> its array)."""
    return column.array if isinstance(column, pd.Series) else column


_BOOLEAN = pd.BooleanDtype()
_STRING = pd.StringDtype()


def _on_index(values: pd.Series, index: pd.Index) -> pd.Series:
    """``values.reindex(index)`` through ``index``'s hash table (built once and kept: the
    composition looks parts up in the same index) rather than one of ``values.index``."""
    at = index.get_indexer(values.index)
    found = at >= 0
    src = np.full(len(index), -1)
    src[at[found]] = np.flatnonzero(found)
    return pd.Series(values.array.take(src, allow_fill=True), index=index, name=values.name)


def _conflicts(rec: pd.DataFrame, fields: list[str]) -> list[Finding]:
    """Parts given different values of one field on different rows. Vectorised on
    integer codes: (part, value) pairs made unique with np.unique, counted per part."""
    out = []
    # only parts given on more than one row can disagree with themselves
    rec = rec[rec["part"].duplicated(keep=False).to_numpy()]
    if rec.empty:
        return out
    part_code, part_names = pd.factorize(rec["part"])
    for f in fields:
        col = rec[f]
        if f in ("mass_kg", "unit_value"):   # equal to ~1e-9 relative: same mantissa bits and exponent
            v = col.to_numpy(float)
            mant, exp = np.frexp(np.nan_to_num(v))
            val_code = pd.factorize(np.round(mant * 2.0**30).astype(np.int64) * 4096 + exp)[0]
            val_code[np.isnan(v)] = -1
        else:
            val_code = pd.factorize(col, use_na_sentinel=True)[0]
        has = val_code >= 0
        if not has.any():
            continue
        pairs = np.unique(part_code[has].astype(np.int64) * (int(val_code.max()) + 1) + val_code[has])
        per_part = np.bincount(pairs // (int(val_code.max()) + 1), minlength=len(part_names))
        bad = np.flatnonzero(per_part > 1)
        for code in bad[:50]:
            rows = rec[(part_code == code) & has]
            distinct = rows.drop_duplicates(subset=[f])
            r = distinct.iloc[1]
            shown = ", ".join(distinct[f].astype(str).head(4))
            out.append(finding("conflicting-part-data", f"{f} differs between rows ({shown}); the first is used",
                               part=part_names[code], file=r["src_file"], sheet=r["src_sheet"],
                               row=r["src_row"], column=f))
    return out
