"""The Bom: parts, edges and composition as plain float/text frames, built from
the standard sheets of one or more files. Everything downstream (roll-up, tests,
reports) works on these frames; nothing re-reads or re-parses units.

Frames (all units canonical):
- ``parts`` (index ``part``): description, base_kind (count/mass/length/area/volume),
  mass_kg (mass per base unit: per piece, per m, per kg … NaN = not declared),
  unit_value (per base unit, in ``currency``), re_origin, made_in (ISO alpha-2),
  material, control_code, part1, part_class, cn_technology, supplier, src_*.
- ``edges``: parent, child, amount (child base units per one parent unit), qty, uom, src_*.
- ``composition``: part, element, fraction (of the part's mass) or kg (per base unit
  of the part), origin (ISO, NA = take the part's), basis, src_*.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd
from remin.timing import stage, timed

from remin.errors import InputError, UsageError
from remin.findings import Finding
from remin.io import RawSheet, read_sheets
from remin.mapping import Mapping, load_mapping
from remin.sheets import BOM, COMPOSITION, FLAT, PARTS, StandardSheet, standardise
from remin import structure, partdata, compositions


@dataclass(frozen=True)
class InputFile:
    path: str                 # as given, or the label the caller chose (e.g. an upload's name)
    sha256: str
    size: int | None = None   # bytes, measured when read (the path may not name a file later)

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256}


@dataclass(frozen=True)
class Bom:
    """A parsed BOM. Treat as immutable: scenario methods return new Boms."""

    parts: pd.DataFrame
    edges: pd.DataFrame
    composition: pd.DataFrame
    roots: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    inputs: tuple[InputFile, ...] = ()
    #: the scenario steps applied to the BOM as read, in order ("" = as read)
    changes: tuple[str, ...] = ()

    def replace(self, **changes) -> "Bom":
        return replace(self, **changes)

    @property
    def label(self) -> str:
        """``"as read"`` or the scenario steps, e.g. ``"MAG-N42DY: RE origin JP"``."""
        return "; ".join(self.changes) or "as read"

    # What-if scenarios (remin/scenarios.py): each returns a new Bom, this one never changes.
    def with_origin(self, part_or_supplier, origin: str) -> "Bom":
        """The rare-earth origin of a part, a list of parts or a supplier's parts set to
        ``origin`` (ISO code or country name). See :func:`remin.scenarios.with_origin`."""
        from remin.scenarios import with_origin
        return with_origin(self, part_or_supplier, origin)

    def with_composition(self, part: str, amounts, *, origin: str | None = None) -> "Bom":
        """Element/substance content of ``part`` replaced, e.g. ``{"Dy": "2 wt%"}``.
        See :func:`remin.scenarios.with_composition`."""
        from remin.scenarios import with_composition
        return with_composition(self, part, amounts, origin=origin)

    def replace_part(self, old: str, new: str, **attributes) -> "Bom":
        """Every use of ``old`` taken by ``new`` (an existing part, or a copy of ``old``
        with ``attributes`` changed). See :func:`remin.scenarios.replace_part`."""
        from remin.scenarios import replace_part
        return replace_part(self, old, new, **attributes)

    def with_value(self, part: str, value: float, currency: str | None = None) -> "Bom":
        """Unit value of ``part`` (per base unit: piece, kg or m) set to ``value``.
        See :func:`remin.scenarios.with_value`."""
        from remin.scenarios import with_value
        return with_value(self, part, value, currency)


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _hashing(path: str | Path):
    """A function returning ``sha256_of(path)``. A file over 1 MiB is hashed on a
    thread while it is read (hashlib releases the GIL on large blocks); a small one
    when asked (a thread costs more than its hash). Errors (a missing file) surface
    when asked, after the reader has reported them its own way."""
    try:
        big = Path(path).stat().st_size > (1 << 20)
    except OSError:
        big = False
    if not big:
        return lambda: sha256_of(path)
    result: dict = {}

    def run():
        try:
            result["digest"] = sha256_of(path)
        except BaseException as e:   # re-raised by the caller's thread
            result["error"] = e
    worker = threading.Thread(target=run, name="remin-sha256", daemon=True)
    worker.start()

    def digest() -> str:
        worker.join()
        if "error" in result:
            raise result["error"]
        return result["digest"]
    return digest


def read_bom(paths: str | Path | Sequence[str | Path], *, mapping: Mapping | str | Path | None = None,
             materials=None, labels: Sequence[str] | None = None) -> Bom:
    """Read one or more BOM exports (and part-master / composition files) into a Bom.

    ``paths``: xlsx/xlsm/xls/ods/csv/tsv files; their sheets are recognised as BOM
    lines, part master data or composition rows and merged.
    ``mapping``: a Mapping or the path of a TOML mapping file naming unusual headers.
    ``materials``: a MaterialsLibrary (default: the shipped one).
    ``labels``: the name each file is shown under in findings and ``inputs``
    (default: its path), e.g. the original name of a file uploaded to a temporary path.
    Raises InputError (exit code 3) for an unreadable file or one without any BOM;
    everything else becomes a finding on the Bom.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    labels = [str(p) for p in paths] if labels is None else [str(x) for x in labels]
    if len(labels) != len(paths):
        raise UsageError(f"{len(labels)} labels for {len(paths)} files")
    if not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    sheets: list[StandardSheet] = []
    inputs = []
    for p, label in zip(paths, labels):
        digest = _hashing(p)
        with stage("read"):
            raws = [_labelled(r, label) for r in read_sheets(p)]
        inputs.append(InputFile(label, digest(), Path(p).stat().st_size))
        sheets.extend(standardise(r, mapping) for r in raws)
    return build_bom(sheets, mapping, materials=materials, inputs=inputs)


def _labelled(raw: RawSheet, label: str) -> RawSheet:
    """The sheet (and the findings its reader made) under the file's label."""
    old = raw.file
    if old == label:
        return raw
    raw.findings = [replace(f, source=replace(f.source, file=label)) if f.source and f.source.file == old
                    else f for f in raw.findings]
    raw.file = label
    return raw


@timed("model")
def build_bom(sheets: list[StandardSheet], mapping: Mapping, *, materials=None,
              inputs: Iterable[InputFile] = ()) -> Bom:
    findings: list[Finding] = [f for s in sheets for f in s.findings]
    bom_sheets = [s for s in sheets if s.kind in (BOM, FLAT)]
    if not bom_sheets:
        described = "; ".join(f"{s.raw.file}" + (f" sheet {s.raw.sheet!r}" if s.raw.sheet else "")
                              + f": {s.kind or 'not recognised'}" for s in sheets) or "no sheets"
        raise InputError("no BOM found: a BOM needs a part number column and a level or parent column "
                         f"(or a quantity for a flat list) ({described})",
                         file=sheets[0].raw.file if sheets else None)
    lines, f = structure.lines_from_sheets(bom_sheets, mapping)
    findings += f
    edges, f = structure.edges_from_lines(lines)
    findings += f
    master_rows = [s for s in sheets if s.kind == PARTS]
    parts, f = partdata.build_parts(lines, edges, master_rows, mapping)
    findings += f
    comp_sheets = [s for s in sheets if s.kind == COMPOSITION]
    composition, f = compositions.build_composition(lines, master_rows, comp_sheets, parts, materials)
    findings += f
    f = structure.check_orphans(parts, composition)
    findings += f
    roots = structure.roots_of(lines, edges)
    return Bom(parts, edges, composition, roots, tuple(findings), tuple(inputs))
