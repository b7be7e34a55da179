"""BOM structure: lines from BOM sheets (indented or parent-child), parents
resolved, quantities converted to the child's base unit, and repeated listings of
a shared subassembly's children counted once."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from remin.errors import InputError
from remin.findings import Finding, finding, findings_for_rows
from remin.limits import IMPLAUSIBLE, current
from remin.levels import parent_rows, parse_levels
from remin.mapping import Mapping
from remin.numbers import parse_numbers
from remin.partdata import in_index
from remin.sheets import FLAT, SOURCE_COLUMNS, StandardSheet
from remin.units import to_base

STRUCTURE_KINDS = ("count", "mass", "length", "area", "volume")


def lines_from_sheets(sheets: list[StandardSheet], mapping: Mapping) -> tuple[pd.DataFrame, list[Finding]]:
    """All BOM rows of all sheets, each with its parent part (NA for a root) and an
    ``occurrence`` key: rows listed under the same occurrence of a parent belong to
    one listing of its children."""
    frames, findings = [], []
    product = mapping.product.get("part")
    next_occurrence = 0
    for idx, s in enumerate(sheets):
        df = s.frame.copy()
        df["decimal"] = s.raw.decimal
        df["sheet_key"] = idx
        if "qty" not in df.columns:
            raise InputError("no quantity column: expected a header such as 'Qty', 'Quantity', "
                             "'Comp. Qty (BUn)' or 'Qty per' (or name it in a --map file)",
                             file=s.raw.file, sheet=s.raw.sheet, row=s.raw.header_row)
        n = len(df)
        if n == 0:
            continue
        part = df["part"].astype("string").str.strip()
        missing = part.isna() | (part == "")
        if missing.any():
            bad = df.loc[missing, SOURCE_COLUMNS]
            findings += findings_for_rows("missing-part-number", bad,
                                          "no part number; the line is kept under a made-up number "
                                          "ROW<row> so its mass and children still count",
                                          column=s.header_of("part"))
            part = part.where(~missing, "ROW" + df["src_row"].astype(str) +
                              ("@" + str(s.raw.sheet) if s.raw.sheet else ""))
        df["part"] = part
        top_name = product or (Path(s.raw.file).stem if s.kind == FLAT else None)
        if "level" in df.columns:
            levels, bad_level = parse_levels(df["level"])
            too_deep = np.isfinite(levels) & (levels > current().max_depth)
            if too_deep.any():
                findings += findings_for_rows(
                    "bad-level", df.loc[too_deep, ["part", *SOURCE_COLUMNS]],
                    f"level deeper than the limit of {current().max_depth} levels (raise it with --max-depth); "
                    "the row is taken as a top-level row", column=s.header_of("level"))
                levels = np.where(too_deep, np.nan, levels)
            if bad_level.any():
                findings += findings_for_rows(
                    "bad-level", df.loc[bad_level, ["part", *SOURCE_COLUMNS]],
                    lambda r: "level must be an integer (0, 1, 2), SAP dots (.1, ..2) or an outline "
                              "number (1.2.3)", column=s.header_of("level"))
            prow, jump = parent_rows(levels)
            if jump.any():
                findings += findings_for_rows(
                    "level-jump", df.loc[jump, ["part", *SOURCE_COLUMNS]],
                    "more than one level below the row above; attached to the row above",
                    column=s.header_of("level"))
            finite = levels[np.isfinite(levels)]
            top_level = finite.min() if len(finite) else 0
            orphan = (prow < 0) & np.isfinite(levels) & (levels > top_level)
            if orphan.any():
                findings += findings_for_rows(
                    "orphan-line", df.loc[orphan, ["part", *SOURCE_COLUMNS]],
                    "an indented row with no row one level up above it; taken as a top-level row",
                    column=s.header_of("level"))
            parent = pd.Series(pd.NA, index=df.index, dtype="string")
            has = prow >= 0
            parent[has] = df["part"].to_numpy()[prow[has]]
            occurrence = np.where(has, next_occurrence + prow, -1)
            next_occurrence += n
            if top_level > 0 and top_name is None:
                top_name = Path(s.raw.file).stem
                findings.append(finding("implicit-root", f"no level-{int(top_level) - 1} row: the top rows "
                                        f"are taken as the children of one product {top_name!r} "
                                        "(name it with [product] in a --map file)",
                                        file=s.raw.file, sheet=s.raw.sheet))
            df["parent"] = parent
            df["occurrence"] = occurrence
        elif "parent" in df.columns:
            df["parent"] = df["parent"].astype("string").str.strip()
            df["occurrence"] = next_occurrence
            next_occurrence += 1
        else:  # a flat list: every row is a child of the product
            df["parent"] = pd.Series(pd.NA, index=df.index, dtype="string")
            df["occurrence"] = -1
            findings.append(finding("flat-list", f"no level or parent column: every row is taken as a "
                                    f"component of one product {top_name!r}", file=s.raw.file,
                                    sheet=s.raw.sheet))
        if "parent_qty" in df.columns and top_name:
            df = _add_parent_lines(df, top_name, s, findings)
        if top_name:
            top = df["parent"].isna()
            df.loc[top, "parent"] = top_name
            df.loc[top, "occurrence"] = next_occurrence
            next_occurrence += 1
            root = {"part": top_name, "parent": pd.NA, "occurrence": -1, "src_file": s.raw.file,
                    "src_sheet": s.raw.sheet, "src_row": s.raw.header_row or 1, "decimal": s.raw.decimal,
                    "sheet_key": idx, "description": mapping.product.get("description"), "is_product": True}
            df = pd.concat([pd.DataFrame([root]), df], ignore_index=True)
        frames.append(df)
    if not frames:
        first = sheets[0].raw
        raise InputError("the BOM has a header row but no data rows", file=first.file, sheet=first.sheet,
                         row=first.header_row)
    lines = pd.concat(frames, ignore_index=True)
    if "is_product" not in lines.columns:
        lines["is_product"] = False
    lines["is_product"] = lines["is_product"].fillna(False).astype(bool)
    for d, v in mapping.defaults.items():
        if d not in lines.columns:
            lines[d] = v
        else:
            lines[d] = lines[d].fillna(v)
    return lines, findings


def _add_parent_lines(df, top_name, s, findings):
    """Two-level lists with an 'assembly multiplier': add product -> assembly lines."""
    qty = df[["parent", "parent_qty", *SOURCE_COLUMNS]].dropna(subset=["parent"])
    first = qty.drop_duplicates("parent")
    counts = qty.drop_duplicates(["parent", "parent_qty"]).groupby("parent").size()
    for p in counts[counts > 1].index[:50]:
        vals = ", ".join(qty.loc[qty["parent"] == p, "parent_qty"].dropna().unique().astype(str))
        findings.append(finding("conflicting-part-data", f"assembly multiplier differs between rows ({vals}); "
                                "the first is used", part=p, file=s.raw.file, sheet=s.raw.sheet,
                                column=s.header_of("parent_qty")))
    add = pd.DataFrame({"part": first["parent"].to_numpy(), "parent": pd.NA, "qty": first["parent_qty"].to_numpy(),
                        "occurrence": -2, "src_file": first["src_file"].to_numpy(),
                        "src_sheet": first["src_sheet"].to_numpy(), "src_row": first["src_row"].to_numpy(),
                        "decimal": s.raw.decimal, "sheet_key": df["sheet_key"].iloc[0], "synthetic": True})
    return pd.concat([df, add], ignore_index=True)


def edges_from_lines(lines: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """BOM edges with quantities converted to the child's base unit.

    A subassembly listed with its children under several parents (indented BOMs
    repeat them) keeps the children of its first listing only; a later listing that
    differs is reported.
    """
    findings: list[Finding] = []
    is_edge = lines["parent"].notna().to_numpy()
    wanted = [c for c in ("part", "parent", "qty", "uom", "occurrence", "decimal", "qty@header", "uom@header",
                          *SOURCE_COLUMNS) if c in lines.columns]
    e = lines.loc[is_edge, wanted]
    qty = pd.Series(np.nan, index=e.index)
    unreadable = pd.Series(False, index=e.index)
    for dec, idx in e.groupby("decimal").groups.items():
        vals, bad = parse_numbers(e.loc[idx, "qty"] if "qty" in e else pd.Series(pd.NA, index=idx), dec)
        qty[idx] = vals
        unreadable[idx] = bad
        if bad.any():
            rows = e.loc[idx][bad]
            findings += findings_for_rows("not-a-number", rows, lambda r: f"quantity {r.qty!r} is not a number",
                                          column="qty")
    missing = qty.isna() & (e["qty"].isna() if "qty" in e else True)
    if missing.any():
        findings += findings_for_rows("missing-quantity", e.loc[missing], "no quantity; the line's figures "
                                      "are unknown (enter the quantity per parent)", column="qty")
    # 'NaN', 'inf', '1e999': written as numbers, but no quantity
    given = e["qty"].notna().to_numpy(bool) if "qty" in e else np.zeros(len(e), bool)
    nonfinite = given & ~np.isfinite(qty.to_numpy(float)) & ~unreadable.to_numpy(bool)
    if nonfinite.any():
        findings += findings_for_rows("non-finite-number", e.loc[nonfinite], lambda r: f"quantity {r.qty!r} is "
                                      "not a finite number; the line's figures are unknown", column="qty")
        qty[nonfinite] = np.nan
    huge = (qty.abs() > IMPLAUSIBLE).to_numpy(bool)
    if huge.any():
        findings += findings_for_rows("implausible-number", e.loc[huge], lambda r: f"quantity {r.qty!r} is "
                                      f"beyond any real BOM (more than {IMPLAUSIBLE:.0e}); the line's figures are "
                                      "unknown", column="qty")
        qty[huge] = np.nan
    nonpos = qty <= 0
    if nonpos.any():
        findings += findings_for_rows("non-positive-quantity", e.loc[nonpos],
                                      lambda r: f"quantity {r.qty} is not positive; the line is left out of "
                                                "the sums and its parent's figures are unknown", column="qty")
        qty[nonpos] = np.nan
    uom_given = "uom" in e.columns
    uom = e["uom"].astype("string").str.strip() if uom_given else pd.Series(pd.NA, index=e.index, dtype="string")
    if not uom_given and len(e):
        findings.append(finding("default-uom", "no unit-of-measure column: every quantity is taken as pieces"))
    elif uom.isna().any():
        findings.append(finding("default-uom", f"{int(uom.isna().sum())} lines have no unit of measure: taken "
                                "as pieces", file=e["src_file"].iloc[0]))
    conv = to_base(qty.to_numpy(float), uom, allowed=set(STRUCTURE_KINDS), default="EA")
    if conv.bad.any():
        rows = e.loc[conv.bad].assign(reason=conv.reason[conv.bad])
        findings += findings_for_rows("unknown-unit", rows, lambda r: str(r.reason), column="uom")
    e["qty_value"] = qty.to_numpy(float)
    e["uom"] = uom.fillna("EA")
    e["kind"] = conv.kind
    e["amount"] = np.where(conv.bad, np.nan, conv.values)
    e = _first_listing_only(e, findings)
    edges = pd.DataFrame({
        "parent": e["parent"].astype(str).to_numpy(), "child": e["part"].astype(str).to_numpy(),
        "amount": e["amount"].to_numpy(float), "qty": e["qty_value"].to_numpy(float),
        "uom": e["uom"].astype(str).to_numpy(), "kind": e["kind"].to_numpy(),
        "src_file": e["src_file"].to_numpy(), "src_sheet": e["src_sheet"].to_numpy(),
        "src_row": e["src_row"].to_numpy(), "line": e.index.to_numpy(),
    })
    return edges, findings


def _first_listing_only(e: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    """Keep, for every parent part, the children of the occurrence listed first."""
    if e.empty:
        return e
    first_occ = e.groupby("parent", sort=False)["occurrence"].transform("min")
    keep = (e["occurrence"] == first_occ).to_numpy()
    if keep.all():
        return e
    # Compare each repeated listing with the first: an order-free signature per listing.
    h = pd.util.hash_pandas_object(e[["part", "qty_value", "uom"]], index=False).to_numpy(np.uint64)
    # Two 31-bit slices of the row hash summed per listing: an order-free, exact signature.
    sig = pd.DataFrame({"parent": e["parent"].to_numpy(), "occ": e["occurrence"].to_numpy(),
                        "lo": (h & np.uint64(0x7FFFFFFF)).astype(np.float64),
                        "hi": ((h >> np.uint64(33)) & np.uint64(0x7FFFFFFF)).astype(np.float64)})
    per_listing = sig.groupby(["parent", "occ"], sort=False).agg(lo=("lo", "sum"), hi=("hi", "sum"),
                                                                  n=("lo", "size"))
    differing = per_listing.reset_index().drop_duplicates(["parent", "lo", "hi", "n"]) \
        .groupby("parent").size()
    for p in differing[differing > 1].index[:50]:
        rows = e.loc[(e["parent"] == p) & ~keep]
        r = rows.iloc[0]
        findings.append(finding("conflicting-part-data", "this subassembly is listed again with different "
                                "children or quantities; its first listing is used",
                                part=p, file=r["src_file"], sheet=r["src_sheet"], row=r["src_row"]))
    return e.loc[keep]


def roots_of(lines: pd.DataFrame, edges: pd.DataFrame) -> tuple[str, ...]:
    """The SKUs reported by default, in file order: parts on top-level rows (level 0,
    or a blank parent), then parts that are nobody's child. A part can be both a root
    and a component elsewhere (a rotor sold as a spare and built into the motor)."""
    top = lines.loc[lines["parent"].isna(), "part"].astype(str).to_numpy(object)
    parents = pd.unique(edges["parent"].to_numpy(object))
    never_child = parents[~in_index(parents, pd.unique(edges["child"].to_numpy(object)))]
    return tuple(pd.unique(np.concatenate([top, never_child])))


def check_orphans(parts: pd.DataFrame, composition: pd.DataFrame) -> list[Finding]:
    """Part-master or composition rows for parts that no BOM line uses."""
    unused = parts.index[~parts["in_bom"].to_numpy(bool)] if "in_bom" in parts else []
    out = []
    if len(unused):
        rows = parts.loc[unused, ["src_file", "src_sheet", "src_row"]].reset_index()
        out += findings_for_rows("composition-without-part", rows,
                                 "data for a part that no BOM line uses (check the part number)")
    return out
