"""BOM structure: lines from BOM sheets (indented or parent-child), parents
resolved, quantities converted to the child's base unit, and repeated listings of
a shared subassembly's children counted once."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from remin.errors import InputError
from remin.findings import Finding, finding, findings_for_rows
from remin.limits import IMPLAUSIBLE, current
from remin.levels import parent_rows, parse_levels
from remin.mapping import Mapping
from remin.numbers import parse_numbers
from remin.sheets import FLAT, SOURCE_COLUMNS, StandardSheet
from remin.units import to_base

STRUCTURE_KINDS = ("count", "mass", "length", "area", "volume")


#: where a line's parent is found, besides a row position: no parent, or by its name
_NO_PARENT, _BY_NAME = -2, -1


def lines_from_sheets(sheets: list[StandardSheet], mapping: Mapping) -> tuple[pd.DataFrame, list[Finding]]:
    """All BOM rows of all sheets, each with its parent part (NA for a root) and an
    ``occurrence`` key: rows listed under the same occurrence of a parent belong to
    one listing of its children.

    The lines also carry ``part_code`` and ``parent_code`` (-1 = no parent): one
    integer per distinct part number, shared by both columns, so that edges and
    roots group and compare integers instead of a million strings.
    """
    frames, findings, parent_at = [], [], []
    product = mapping.product.get("part")
    next_occurrence = 0
    offset = 0
    for idx, s in enumerate(sheets):
        df = s.frame.copy(deep=False)   # copy-on-write: new columns never touch the sheet
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
            has = prow >= 0
            occurrence = np.where(has, next_occurrence + prow, -1)
            next_occurrence += n
            if top_level > 0 and top_name is None:
                top_name = Path(s.raw.file).stem
                findings.append(finding("implicit-root", f"no level-{int(top_level) - 1} row: the top rows "
                                        f"are taken as the children of one product {top_name!r} "
                                        "(name it with [product] in a --map file)",
                                        file=s.raw.file, sheet=s.raw.sheet))
            df["parent"] = _take_text(part, prow)
            df["occurrence"] = occurrence
            where = np.where(has, prow, _NO_PARENT)
        elif "parent" in df.columns:
            df["parent"] = df["parent"].astype("string").str.strip()
            df["occurrence"] = next_occurrence
            next_occurrence += 1
            where = np.where(df["parent"].notna().to_numpy(), _BY_NAME, _NO_PARENT)
        else:  # a flat list: every row is a child of the product
            df["parent"] = pd.Series(pd.NA, index=df.index, dtype="string")
            df["occurrence"] = -1
            where = np.full(n, _NO_PARENT)
            findings.append(finding("flat-list", f"no level or parent column: every row is taken as a "
                                    f"component of one product {top_name!r}", file=s.raw.file,
                                    sheet=s.raw.sheet))
        if "parent_qty" in df.columns and top_name:
            df = _add_parent_lines(df, top_name, s, findings)
            where = np.concatenate([where, np.full(len(df) - len(where), _NO_PARENT)])
        if top_name:
            top = df["parent"].isna()
            df.loc[top, "parent"] = top_name
            df.loc[top, "occurrence"] = next_occurrence
            next_occurrence += 1
            root = {"part": top_name, "parent": pd.NA, "occurrence": -1, "src_file": s.raw.file,
                    "src_sheet": s.raw.sheet, "src_row": s.raw.header_row or 1, "decimal": s.raw.decimal,
                    "sheet_key": idx, "description": mapping.product.get("description"), "is_product": True}
            df = pd.concat([pd.DataFrame([root]), df], ignore_index=True)
            # the root row goes first: rows move down one, the top rows hang under it
            where = np.where(where >= 0, where + 1, where)
            where[top.to_numpy(bool)] = 0
            where = np.concatenate([[_NO_PARENT], where])
        frames.append(df)
        parent_at.append(np.where(where >= 0, where + offset, where))
        offset += len(df)
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
    lines["part_code"], lines["parent_code"] = _part_codes(lines, np.concatenate(parent_at))
    return lines, findings


def _take_text(text: pd.Series, rows: np.ndarray) -> pd.Series:
    """``text`` at row positions ``rows`` (NA where a position is negative), by an
    Arrow take: setting a million Arrow strings through pandas costs ~10x more."""
    arr = pa.array(text, type=pa.large_string(), from_pandas=True)
    picked = pc.take(arr, pa.array(np.maximum(rows, 0), mask=rows < 0))
    return pd.Series(pd.arrays.ArrowStringArray(picked), index=text.index)


def _part_codes(lines: pd.DataFrame, parent_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(part code, parent code) per line. A parent found by row position takes that
    row's code; a parent given by name (parent-child lists) is hashed together with
    the part numbers, so both columns share one code space."""
    by_name = parent_at == _BY_NAME
    if by_name.any():
        codes, _ = pd.factorize(pd.concat([lines["part"], lines["parent"][by_name]], ignore_index=True))
        part_code = codes[:len(lines)]
    else:
        part_code, _ = pd.factorize(lines["part"])
    part_code = part_code.astype(np.int64)
    parent_code = np.full(len(lines), -1, dtype=np.int64)
    at_row = parent_at >= 0
    parent_code[at_row] = part_code[parent_at[at_row]]
    if by_name.any():
        parent_code[by_name] = codes[len(lines):]
    return part_code, parent_code


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


_EDGE_COLUMNS = ("part", "parent", "qty", "uom", "occurrence", "decimal", "qty@header", "uom@header",
                 *SOURCE_COLUMNS)


def edges_from_lines(lines: pd.DataFrame) -> tuple[pd.DataFrame, list[Finding]]:
    """BOM edges with quantities converted to the child's base unit.

    A subassembly listed with its children under several parents (indented BOMs
    repeat them) keeps the children of its first listing only; a later listing that
    differs is reported. ``lines`` come from :func:`lines_from_sheets` (its codes).

    Works on arrays over the edge lines; a frame of offending rows is only built
    for a finding (the cold path).
    """
    findings: list[Finding] = []
    pos = np.flatnonzero(lines["parent_code"].to_numpy() >= 0)     # the lines that are edges
    wanted = [c for c in _EDGE_COLUMNS if c in lines.columns]

    def rows(mask: np.ndarray) -> pd.DataFrame:
        return lines.iloc[pos[mask]][wanted]

    n = len(pos)
    qty = np.full(n, np.nan)
    unreadable = np.zeros(n, dtype=bool)
    decimals = pd.unique(lines["decimal"])
    if len(decimals) == 1:                       # the usual case: one decimal mark
        groups = [(decimals[0], np.ones(n, dtype=bool))]
    else:
        dec_code, decimals = pd.factorize(lines["decimal"])
        groups = [(decimals[j], dec_code[pos] == j) for j in np.argsort(np.asarray(decimals, dtype=object))]
    given = np.zeros(n, dtype=bool)
    if "qty" in lines.columns:
        qty_code, qty_text = _cell_codes(lines["qty"], pos)
        given = qty_code >= 0
    for dec, group in groups:                    # decimal marks in sorted order
        if not group.any() or "qty" not in lines.columns:
            continue
        vals, bad = _parse_quantities(qty_code[group], qty_text, dec)
        qty[group] = vals
        unreadable[group] = bad
        if bad.any():
            findings += findings_for_rows("not-a-number", rows(_within(group, bad)),
                                          lambda r: f"quantity {r.qty!r} is not a number", column="qty")
    missing = np.isnan(qty) & ~given
    if missing.any():
        findings += findings_for_rows("missing-quantity", rows(missing), "no quantity; the line's figures "
                                      "are unknown (enter the quantity per parent)", column="qty")
    # 'NaN', 'inf', '1e999': written as numbers, but no quantity
    nonfinite = given & ~np.isfinite(qty) & ~unreadable
    if nonfinite.any():
        findings += findings_for_rows("non-finite-number", rows(nonfinite), lambda r: f"quantity {r.qty!r} is "
                                      "not a finite number; the line's figures are unknown", column="qty")
        qty[nonfinite] = np.nan
    huge = np.abs(qty) > IMPLAUSIBLE
    if huge.any():
        findings += findings_for_rows("implausible-number", rows(huge), lambda r: f"quantity {r.qty!r} is "
                                      f"beyond any real BOM (more than {IMPLAUSIBLE:.0e}); the line's figures are "
                                      "unknown", column="qty")
        qty[huge] = np.nan
    nonpos = qty <= 0
    if nonpos.any():
        findings += findings_for_rows("non-positive-quantity", rows(nonpos),
                                      lambda r: f"quantity {r.qty} is not positive; the line is left out of "
                                                "the sums and its parent's figures are unknown", column="qty")
        qty[nonpos] = np.nan
    units = _edge_units(lines, pos, findings, rows)
    amount = qty * units.factor
    keep, listing_findings = _first_listing_only(lines, pos, qty, units.key)
    findings += listing_findings
    kept = pos[keep]
    text = {"parent": _as_text(lines["parent"], kept), "child": _as_text(lines["part"], kept),
            "uom": units.uom.take(units.code[keep]), "kind": units.kind.take(units.code[keep]),
            "src_file": _as_built(lines["src_file"], kept), "src_sheet": _as_built(lines["src_sheet"], kept)}
    if not len(kept):         # no edges: text columns stay untyped, as from empty Python lists
        text = {c: np.array([], dtype=object) for c in text}
    edges = pd.DataFrame({
        "parent": text["parent"], "child": text["child"], "amount": amount[keep], "qty": qty[keep],
        "uom": text["uom"], "kind": text["kind"], "src_file": text["src_file"], "src_sheet": text["src_sheet"],
        "src_row": lines["src_row"].to_numpy()[kept], "line": kept.astype(np.int64),
    }, copy=False)            # every array above is new already
    return edges, findings


def _within(group: np.ndarray, mask_in_group: np.ndarray) -> np.ndarray:
    """A mask over all rows from a mask over the rows of ``group``."""
    out = np.zeros(len(group), dtype=bool)
    out[np.flatnonzero(group)[mask_in_group]] = True
    return out


def _cell_codes(col: pd.Series, pos: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Codes (-1 = blank) of the cells ``col[pos]`` into ``col``'s distinct values,
    returned as a Series of ``col``'s dtype with the blank cell appended last (so
    that code -1, by numpy's negative indexing, finds it). The whole column is
    factorized: cheaper than taking a million cells first."""
    if not isinstance(col.dtype, pd.StringDtype):     # Python objects: each cell read as it is
        cells = col.take(pos).reset_index(drop=True)
        codes = np.where(cells.isna().to_numpy(bool), -1, np.arange(len(cells)))
        return codes, pd.concat([cells, pd.Series([pd.NA], dtype=cells.dtype)], ignore_index=True)
    codes, uniques = pd.factorize(col)
    distinct = pd.concat([pd.Series(uniques, dtype=col.dtype), pd.Series([pd.NA], dtype=col.dtype)],
                         ignore_index=True)
    return codes[pos], distinct


def _parse_quantities(codes: np.ndarray, distinct: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """parse_numbers once per distinct cell text (a 1M-line BOM writes a few
    thousand distinct quantities), taken back to the lines by their codes."""
    values, bad = parse_numbers(distinct, decimal)
    return np.asarray(values, float)[codes], np.asarray(bad, bool)[codes]


class _Units:
    """Per edge line: ``code`` into the distinct units; per distinct unit (the last
    slot is the blank unit): ``uom`` as shown (blank -> 'EA'), ``kind``, ``factor``
    to the base unit (NaN = unusable), and ``key``, equal for blank and 'EA'."""

    def __init__(self, code, uom, kind, factor, key):
        self.code, self.uom, self.kind, self.factor_u, self.key_u = code, uom, kind, factor, key

    @property
    def factor(self) -> np.ndarray:
        return self.factor_u[self.code]

    @property
    def key(self) -> np.ndarray:
        return self.key_u[self.code]


def _edge_units(lines: pd.DataFrame, pos: np.ndarray, findings: list[Finding], rows) -> _Units:
    """The unit of each edge line, converted once per distinct unit text."""
    n = len(pos)
    uom_given = "uom" in lines.columns
    if uom_given and isinstance(lines["uom"].dtype, pd.StringDtype):
        # factorize the column, strip its few distinct texts, then merge ' EA' with 'EA'
        raw_codes, raw = pd.factorize(lines["uom"])
        merged, uniques = pd.factorize(pd.Series(raw, dtype="string").str.strip())
        codes = np.append(merged, -1)[raw_codes[pos]]          # blank (-1) stays -1
    else:
        uom = lines["uom"].take(pos).astype("string").str.strip() if uom_given else \
            pd.Series(pd.NA, index=range(n), dtype="string")
        codes, uniques = pd.factorize(uom)
    blank = codes < 0
    if not uom_given and n:
        findings.append(finding("default-uom", "no unit-of-measure column: every quantity is taken as pieces"))
    elif blank.any():
        findings.append(finding("default-uom", f"{int(blank.sum())} lines have no unit of measure: taken "
                                "as pieces", file=lines["src_file"].iloc[pos[0]]))
    k = len(uniques)
    code = np.where(codes < 0, k, codes)
    distinct = pd.concat([pd.Series(uniques, dtype="string"), pd.Series([pd.NA], dtype="string")],
                         ignore_index=True)
    # default 'EA' for a blank unit: a blank unit is never "no unit", so a row's result
    # depends on its unit alone and each distinct unit converts once
    conv = to_base(np.ones(k + 1), distinct, allowed=set(STRUCTURE_KINDS), default="EA")
    row_bad = conv.bad[code]
    if row_bad.any():
        findings += findings_for_rows("unknown-unit", rows(row_bad).assign(reason=conv.reason[code][row_bad]),
                                      lambda r: str(r.reason), column="uom")
    shown = pd.array([*uniques, "EA"], dtype="str")
    # the kind column is inferred from the kinds the lines use, as a frame built from them would be
    used = np.bincount(code, minlength=k + 1) > 0
    kind_used = pd.Series(conv.kind[used]).array
    kind = kind_used.take(np.where(used, np.cumsum(used) - 1, -1), allow_fill=True)   # unused slots: NA
    names = list(uniques)
    key = np.arange(k + 1)
    key[k] = names.index("EA") if "EA" in names else k
    return _Units(code, shown, kind, np.where(conv.bad, np.nan, conv.values), key)


def _as_text(col: pd.Series, positions: np.ndarray):
    """Part numbers at ``positions`` as the edges' text dtype (Arrow-backed 'str')."""
    return col.take(positions).astype("str").array


def _as_built(col: pd.Series, positions: np.ndarray):
    """``col`` at ``positions`` with the dtype a frame built from its Python values
    would get (object columns are inferred again, typed columns kept)."""
    taken = col.take(positions)
    return taken.to_numpy() if taken.dtype == object else taken.array


def _first_listing_only(lines: pd.DataFrame, pos: np.ndarray, qty: np.ndarray,
                        uom_key: np.ndarray) -> tuple[np.ndarray, list[Finding]]:
    """Mask over the edge lines ``pos``: for every parent part, the children of the
    occurrence listed first. Grouping is on the integer part codes."""
    findings: list[Finding] = []
    if not len(pos):
        return np.zeros(0, bool), findings
    parent = lines["parent_code"].to_numpy()[pos]
    occ = lines["occurrence"].to_numpy(np.int64)[pos]
    first_occ = np.full(int(parent.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_occ, parent, occ)
    keep = occ == first_occ[parent]
    if keep.all():
        return keep, findings
    # Compare each repeated listing with the first: an order-free signature per
    # listing, the sum of a hash of each of its lines (two 31-bit slices summed
    # exactly in float64).
    child = lines["part_code"].to_numpy()[pos]
    # part codes stay below 2**40 (lines of a sheet are capped far lower), units below 2**24
    h = _mix(_mix(child.astype(np.uint64) | (uom_key.astype(np.uint64) << np.uint64(40))) ^ _float_bits(qty))
    lo = (h & np.uint64(0x7FFFFFFF)).astype(np.float64)
    hi = ((h >> np.uint64(33)) & np.uint64(0x7FFFFFFF)).astype(np.float64)
    listing, listing_parent = _listings(parent, occ)
    n_listings = len(listing_parent)
    sig = np.stack([np.bincount(listing, weights=lo, minlength=n_listings),
                    np.bincount(listing, weights=hi, minlength=n_listings),
                    np.bincount(listing, minlength=n_listings).astype(np.float64)], axis=1)
    kept_listing = np.zeros(len(first_occ), dtype=np.int64)     # per parent code
    kept_listing[parent[keep]] = listing[keep]
    listed = listing_parent >= 0
    differs = listed & (sig != sig[kept_listing[np.maximum(listing_parent, 0)]]).any(axis=1)
    bad_parents = np.unique(listing_parent[differs])
    if len(bad_parents):
        # reported in the order of the parent part numbers, each at its first repeated line
        not_kept = np.flatnonzero(~keep)
        first_repeat = np.full(len(first_occ), len(pos))
        np.minimum.at(first_repeat, parent[not_kept], not_kept)
        names = lines["parent"].take(pos[first_repeat[bad_parents]]).to_numpy(object)
        for name, at in sorted(zip(names, first_repeat[bad_parents]))[:50]:
            r = lines.iloc[pos[at]]
            findings.append(finding("conflicting-part-data", "this subassembly is listed again with different "
                                    "children or quantities; its first listing is used",
                                    part=name, file=r["src_file"], sheet=r["src_sheet"], row=r["src_row"]))
    return keep, findings


def _listings(parent: np.ndarray, occ: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(listing id per line, parent code per listing id, -1 = unused id). A listing
    is one (parent, occurrence); occurrences of edge lines are >= 0. In an indented
    BOM an occurrence is the parent's row, so it names the listing by itself."""
    span = int(occ.max()) + 1
    owner = np.full(span, -1, dtype=np.int64)
    owner[occ] = parent
    if (owner[occ] == parent).all():
        return occ, owner
    listing, _ = pd.factorize(parent * span + occ)
    listing_parent = np.empty(int(listing.max()) + 1, dtype=np.int64)
    listing_parent[listing] = parent          # all lines of a listing share its parent
    return listing, listing_parent


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a well-spread 64-bit hash of 64-bit integers."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _float_bits(values: np.ndarray) -> np.ndarray:
    """The bits of each float, one pattern for every NaN."""
    v = np.where(np.isnan(values), np.nan, values).astype(np.float64)
    return v.view(np.uint64)


def roots_of(lines: pd.DataFrame, edges: pd.DataFrame) -> tuple[str, ...]:
    """The SKUs reported by default, in file order: parts on top-level rows (level 0,
    or a blank parent), then parts that are nobody's child. A part can be both a root
    and a component elsewhere (a rotor sold as a spare and built into the motor).

    On the lines' integer codes; ``edges`` must come from these lines."""
    part_code = lines["part_code"].to_numpy()
    parent_code = lines["parent_code"].to_numpy()
    top_rows = np.flatnonzero(parent_code < 0)
    line = edges["line"].to_numpy()
    edge_parent, edge_child = parent_code[line], part_code[line]
    n_codes = int(max(part_code.max(initial=-1), parent_code.max(initial=-1))) + 1
    first_edge = np.full(n_codes, len(line))
    np.minimum.at(first_edge, edge_parent, np.arange(len(line)))
    is_child = np.zeros(n_codes, dtype=bool)
    is_child[edge_child] = True
    never = np.flatnonzero((first_edge < len(line)) & ~is_child)
    never = never[np.argsort(first_edge[never], kind="stable")]      # in the order of their first edge
    names = np.concatenate([lines["part"].take(top_rows).astype(str).to_numpy(object),
                            edges["parent"].take(first_edge[never]).to_numpy(object)])
    _, first = np.unique(np.concatenate([part_code[top_rows], never]), return_index=True)
    return tuple(names[np.sort(first)])


def check_orphans(parts: pd.DataFrame, composition: pd.DataFrame) -> list[Finding]:
    """Part-master or composition rows for parts that no BOM line uses."""
    unused = parts.index[~parts["in_bom"].to_numpy(bool)] if "in_bom" in parts else []
    out = []
    if len(unused):
        rows = parts.loc[unused, ["src_file", "src_sheet", "src_row"]].reset_index()
        out += findings_for_rows("composition-without-part", rows,
                                 "data for a part that no BOM line uses (check the part number)")
    return out
