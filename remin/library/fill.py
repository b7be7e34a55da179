"""Fill what a BOM does not describe from the parts library.

Precedence, per part and per field: a value on the BOM (its lines, part-master
or composition sheets) wins; the library's current declaration (latest
declaration, reviewers' overrides applied) fills only what the BOM leaves
blank. Composition is taken whole: a part gets the library's composition only
if the BOM declares none for it, or only a material's typical composition
(a supplier's declaration of the actual part is more specific than a typical
material). Only parts that are in the BOM are filled; nothing is added.

Every figure taken from the library is named in a ``library-fill`` finding
(part, fields, declaration number, supplier, date and source file); where the
BOM and the library disagree, a ``library-conflict`` finding says which one
was used.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from remin.bom import Bom
from remin.findings import Finding, finding, findings_for_rows
from remin.library.store import Library

#: BOM part field <- library parts-frame column, with the words a finding uses.
#: ``currency`` travels with ``unit_value`` (a value is meaningless without it).
FIELDS = (("description", "description", "description"),
          ("mass_kg", "unit_mass_kg", "unit mass"),
          ("re_origin", "re_origin", "rare-earth origin"),
          ("made_in", "made_in", "made in"),
          ("unit_value", "unit_value", "unit value"),
          ("supplier", "supplier", "supplier"))
#: fields the library gives per piece: they fit only parts the BOM counts in pieces
PER_PIECE = ("mass_kg", "unit_value")
#: disagreements worth a warning (a different description or supplier name is not)
COMPARED = ("mass_kg", "re_origin", "made_in", "unit_value")
LIBRARY_BASIS = "library"
_STATE_RETRIES = 5
_MAX_LISTED_PARTS = 900


@dataclass(frozen=True)
class LibrarySnapshot:
    """The library's current state as the engine uses it, read once.

    ``parts``: ``Library.current_frames`` parts indexed by part (kg and value per
    piece); ``composition``: its composition rows; ``overrides``: the active
    overrides; ``state``: ``Library.state_hash()`` of exactly this content.
    A snapshot is plain data: it pickles to worker processes.
    """

    path: str
    state: str
    parts: pd.DataFrame
    composition: pd.DataFrame
    overrides: pd.DataFrame

    @classmethod
    def read(cls, library: "Library | str | Path", parts=None) -> "LibrarySnapshot":
        """Read ``library`` (an open Library or the path of one), optionally only
        ``parts``. Raises InputError if the file is missing or not a library."""
        if not isinstance(library, Library):
            with Library.open(library) as opened:
                return cls.read(opened, parts)
        if parts is not None and len(parts) > _MAX_LISTED_PARTS:
            parts = None  # one SQL parameter per part would pass SQLite's limit: read all, select in pandas
        for _ in range(_STATE_RETRIES):  # a writer may commit between the reads: read again
            state = library.state_hash()
            part_frame, composition = library.current_frames(parts)
            overrides = library.active_overrides(part_frame["part"].tolist())
            if library.state_hash() == state:
                break
        return cls(str(library.path), state, part_frame.set_index("part"), composition, overrides)


def fill_from_library(bom: Bom, library: "Library | LibrarySnapshot | str | Path") -> Bom:
    """A new Bom whose blanks are filled from ``library`` (see the module docstring).

    ``library``: an open Library, a LibrarySnapshot (e.g. read once for many
    BOMs) or the path of a library file. Masses are kg per base unit of the part
    as everywhere in the Bom; the library's per-piece figures are used only for
    parts counted in pieces.
    """
    in_bom = bom.parts.index[bom.parts["in_bom"].to_numpy(bool)]
    snap = library if isinstance(library, LibrarySnapshot) else LibrarySnapshot.read(library, in_bom)
    lib = snap.parts.reindex(in_bom)
    lib = lib[lib["decl_id"].notna()]
    if lib.empty:
        return bom.replace(findings=bom.findings + (_summary(snap, len(in_bom), 0, 0),))

    current = bom.parts.loc[lib.index]
    per_piece = (current["base_kind"] == "count").to_numpy()
    parts = bom.parts.copy()
    used = pd.DataFrame(False, index=lib.index, columns=[f for f, _, _ in FIELDS])
    skipped = pd.DataFrame(False, index=lib.index, columns=list(PER_PIECE))
    for bom_field, lib_field, _ in FIELDS:
        blank = current[bom_field].isna().to_numpy() & lib[lib_field].notna().to_numpy()
        if bom_field in PER_PIECE:
            skipped[bom_field] = blank & ~per_piece
            blank &= per_piece
        used[bom_field] = blank
        take = lib.index[blank]
        parts.loc[take, bom_field] = lib.loc[take, lib_field].to_numpy()
        if bom_field == "unit_value":
            parts.loc[take, "currency"] = lib.loc[take, "currency"].to_numpy()

    composition, comp_used, findings = _fill_composition(bom, snap, lib, per_piece)
    findings += _fill_findings(snap, lib, used, comp_used)
    findings += _override_findings(snap, lib, used, comp_used)
    findings += _conflict_findings(current, lib, used, per_piece)
    findings += _per_piece_findings(current, lib, skipped)
    n_filled = int((used.any(axis=1) | comp_used).sum())
    findings.append(_summary(snap, len(in_bom), len(lib), n_filled))
    return bom.replace(parts=parts, composition=composition, findings=bom.findings + tuple(findings))


def _fill_composition(bom: Bom, snap: LibrarySnapshot, lib: pd.DataFrame, per_piece: np.ndarray):
    """The BOM's composition plus library rows for parts the BOM leaves without
    one (or with only a typical material composition). Per-piece element masses
    are dropped for parts not counted in pieces (fractions still apply)."""
    comp = bom.composition
    specific = comp.loc[comp["basis"] != "material", "part"]
    has_lib_comp = lib.index.isin(snap.composition["part"])
    take = pd.Series(has_lib_comp & ~lib.index.isin(specific), index=lib.index)
    rows = snap.composition[snap.composition["part"].isin(lib.index[take.to_numpy()])]
    counted = pd.Series(per_piece, index=lib.index)
    rows = rows[rows["kg_per_unit"].isna() | rows["part"].map(counted).to_numpy(bool)]
    take &= lib.index.isin(rows["part"])
    if rows.empty:
        return comp, take.to_numpy(), []
    findings: list[Finding] = []
    replaced = comp["part"].isin(lib.index[take.to_numpy()])
    if replaced.any():
        findings += findings_for_rows("composition-overridden", comp.loc[replaced].drop_duplicates("part"),
                                      lambda r: f"the typical composition of material {r.substance!r} is not "
                                                "used: the parts library has the supplier's declaration")
    source = lib["source_file"]
    added = pd.DataFrame({
        "part": rows["part"].astype(str).to_numpy(), "element": rows["element"].astype(str).to_numpy(),
        "fraction": rows["fraction"].to_numpy(float), "kg": rows["kg_per_unit"].to_numpy(float),
        "origin": rows["origin"].astype("string").to_numpy(), "basis": LIBRARY_BASIS,
        "substance": rows["element"].astype(str).to_numpy(),
        "src_file": rows["part"].map(source).astype(str).to_numpy(), "src_sheet": None, "src_row": np.nan})
    merged = pd.concat([comp.loc[~replaced], added[comp.columns]], ignore_index=True)
    merged["origin"] = merged["origin"].astype("string")
    return merged, take.to_numpy(), findings


def _declaration_text(r) -> str:
    bits = [f"declaration #{int(r.decl_id)}"]
    if not pd.isna(r.declared_on):
        bits.append(f"of {r.declared_on}")
    if not pd.isna(r.supplier):
        bits.append(f"by {r.supplier}")
    return " ".join(bits) + f", {r.src_file}"


def _fill_findings(snap, lib, used, comp_used) -> list[Finding]:
    labels = {f: label for f, _, label in FIELDS}
    filled = used.any(axis=1).to_numpy() | comp_used
    if not filled.any():
        return []
    names = used.apply(lambda row: [labels[f] for f in used.columns if row[f]], axis=1)
    names = names.where(~pd.Series(comp_used, index=lib.index), names.map(lambda n: n + ["composition"]))
    rows = lib.loc[filled].assign(fields=names[filled].map(", ".join), src_file=lib.loc[filled, "source_file"])
    rows = rows.reset_index()
    return findings_for_rows("library-fill", rows,
                             lambda r: f"{r.fields} from the parts library, {_declaration_text(r)}",
                             limit=len(rows))


def _override_findings(snap, lib, used, comp_used) -> list[Finding]:
    """Active overrides whose field was used for a part of this BOM."""
    ov = snap.overrides
    ov = ov[ov["part"].isin(lib.index)]
    if ov.empty:
        return []
    comp = pd.Series(comp_used, index=lib.index)
    field_used = pd.Series([bool(used.at[p, f]) if f in used.columns else False
                            for p, f in zip(ov["part"], ov["field"].replace("unit_mass_kg", "mass_kg"))],
                           index=ov.index)
    origin_in_comp = (ov["field"] == "re_origin") & ov["part"].map(comp).astype(bool)
    applied = ov[field_used | origin_in_comp]
    if applied.empty:
        return []
    rows = applied.assign(src_file=applied["part"].map(lib["source_file"]))
    return findings_for_rows(
        "override-applied", rows,
        lambda r: f"{r.field}{'' if pd.isna(r.element) else ' of ' + r.element} = {r.value}: override "
                  f"#{r.override_id} by {r.author} on {str(r.created_at)[:10]} ({r.reason})",
        limit=len(rows))


def _conflict_findings(current, lib, used, per_piece) -> list[Finding]:
    """Fields both sides give with different values: the BOM's is used."""
    out: list[Finding] = []
    labels = {f: (lib_field, label) for f, lib_field, label in FIELDS}
    for bom_field in COMPARED:
        lib_field, label = labels[bom_field]
        mine, theirs = current[bom_field], lib[lib_field]
        both = mine.notna().to_numpy() & theirs.notna().to_numpy()
        if bom_field in PER_PIECE:
            both &= per_piece
            mine_f, theirs_f = mine.to_numpy(float), theirs.to_numpy(float)
            differ = both & ~np.isclose(np.nan_to_num(mine_f), np.nan_to_num(theirs_f), rtol=1e-6, atol=0)
            if bom_field == "unit_value":  # values in different currencies are not compared
                differ &= (current["currency"].astype("string") == lib["currency"].astype("string")) \
                    .fillna(False).to_numpy(bool)
        else:
            differ = both & (mine.astype("string") != theirs.astype("string")).fillna(False).to_numpy(bool)
        if not differ.any():
            continue
        rows = lib.loc[differ].assign(bom=mine[differ].to_numpy(), lib=theirs[differ].to_numpy(),
                                      src_file=lib.loc[differ, "source_file"]).reset_index()
        unit = " kg" if bom_field == "mass_kg" else ""
        out += findings_for_rows("library-conflict", rows,
                                 lambda r: f"{label}: the BOM gives {r.bom:.6g}{unit} but the parts library "
                                           f"{r.lib:.6g}{unit} ({_declaration_text(r)}); the BOM's is used"
                                 if bom_field in PER_PIECE else
                                 f"{label}: the BOM gives {r.bom} but the parts library {r.lib} "
                                 f"({_declaration_text(r)}); the BOM's is used")
    return out


def _per_piece_findings(current, lib, skipped) -> list[Finding]:
    hit = skipped.any(axis=1).to_numpy()
    if not hit.any():
        return []
    rows = lib.loc[hit].assign(kind=current.loc[hit, "base_kind"].to_numpy(),
                               src_file=lib.loc[hit, "source_file"]).reset_index()
    return findings_for_rows("library-per-piece", rows,
                             lambda r: f"the parts library gives mass and value per piece, but the BOM "
                                       f"counts this part by {r.kind}: not used ({_declaration_text(r)})")


def _summary(snap: LibrarySnapshot, n_parts: int, n_found: int, n_filled: int) -> Finding:
    return finding("library-fill", f"parts library {snap.path} (state {snap.state[:12]}): {n_found} of "
                   f"{n_parts} BOM parts declared there, {n_filled} filled from it; the BOM's own data wins",
                   file=snap.path)
