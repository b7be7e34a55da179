"""From a RawSheet (text cells, vendor headers) to a standard sheet: canonical
field names, element columns, and what kind of sheet it is (BOM lines,
composition rows, or part master data)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from remin.columns import ElementColumn, HeaderMap, field_specs, map_headers
from remin.findings import finding
from remin.io.sheet import RawSheet
from remin.mapping import Mapping

BOM, COMPOSITION, PARTS, FLAT = "bom", "composition", "parts", "flat"
SOURCE_COLUMNS = ["src_file", "src_sheet", "src_row"]


@dataclass
class StandardSheet:
    raw: RawSheet
    kind: str | None
    frame: pd.DataFrame               # canonical text columns + element columns + source columns
    header_map: HeaderMap
    elements: list[ElementColumn] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)   # unit given in a field's header
    findings: list = field(default_factory=list)

    def header_of(self, fld: str) -> str | None:
        """The file's header for a field (for messages), or None."""
        hs = self.header_map.fields.get(fld)
        return hs[0] if hs else None


def classify(fields: set[str]) -> str | None:
    if "part" not in fields:
        return None
    if "level" in fields or "parent" in fields:
        return BOM
    if "substance" in fields and ("amount" in fields or "unit_mass" in fields):
        return COMPOSITION
    if "qty" in fields:
        return FLAT
    if fields & {f for f, s in field_specs().items() if s.role == "part"} - {"description"}:
        return PARTS
    return None


def _coalesce(frame: pd.DataFrame, headers: list[str]) -> pd.Series:
    """The first non-blank cell among several headers (mapping-file lists)."""
    out = frame[headers[0]]
    for h in headers[1:]:
        out = out.fillna(frame[h])
    return out


@functools.lru_cache(maxsize=4096)
def _one_category(value: str) -> pd.CategoricalDtype:
    """The dtype of a one-value column, made once per value (validating the categories
    costs ~0.4 ms, more than the rest of a 50-line sheet's column)."""
    return pd.CategoricalDtype([value])


def _constant(value: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=_one_category(value))


def standardise(raw: RawSheet, mapping: Mapping) -> StandardSheet:
    hm = map_headers(list(raw.frame.columns), mapping.columns)
    fields = set(hm.fields)
    kind = classify(fields | ({"parent"} if mapping.product and "parent_qty" in fields else set()))
    findings = list(raw.findings)
    # In a composition sheet 'Unit' is the amount's unit, a mass column is the amount.
    if kind == COMPOSITION:
        if "uom" in hm.fields and "amount_unit" not in hm.fields:
            hm.fields["amount_unit"] = hm.fields.pop("uom")
        if "amount" not in hm.fields and "unit_mass" in hm.fields:
            hm.fields["amount"] = hm.fields.pop("unit_mass")
            if "unit_mass" in hm.units:
                hm.units["amount"] = hm.units.pop("unit_mass")
        if "mass_unit" in hm.fields and "amount_unit" not in hm.fields:
            hm.fields["amount_unit"] = hm.fields.pop("mass_unit")
    data = {}
    for fld, headers in hm.fields.items():
        data[fld] = _coalesce(raw.frame, headers)
    for el in hm.elements:
        data[f"el:{el.header}"] = raw.frame[el.header]
    n = len(raw.frame.index)
    for fld, headers in hm.fields.items():   # the file's own header, for messages
        data[f"{fld}@header"] = _constant(headers[0], n)
    for fld, unit in hm.units.items():       # a unit written in the header, e.g. "Unit weight (g)"
        data[f"{fld}@unit"] = _constant(unit, n)
    data["src_file"] = raw.file
    data["src_sheet"] = raw.sheet
    data["src_row"] = raw.rows
    # one frame construction (a column inserted at a time costs ~0.5 ms each on a small sheet)
    frame = pd.DataFrame(data, index=raw.frame.index)
    if kind is not None:
        for fld, used, ignored in hm.duplicates:
            findings.append(finding("duplicate-column", f"both {used!r} and {ignored!r} mean {fld}; "
                                    f"{used!r} is used", file=raw.file, sheet=raw.sheet,
                                    row=raw.header_row, column=ignored))
        for h in hm.unmapped:
            findings.append(finding("unmapped-column", "header not used by remin (name it in a --map file "
                                    "if it matters)", file=raw.file, sheet=raw.sheet, row=raw.header_row,
                                    column=h))
    elif not raw.frame.empty:
        findings.append(finding("sheet-skipped", "not a BOM, part master or composition sheet (no part "
                                "number column found among: " + ", ".join(map(str, raw.frame.columns[:12]))
                                + ")", file=raw.file, sheet=raw.sheet, row=raw.header_row))
    return StandardSheet(raw, kind, frame, hm, list(hm.elements), dict(hm.units), findings)
