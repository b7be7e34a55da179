"""IPC-1752A / IPC-1752B material declarations (XML), classes C and D.

Structure read (element names are matched in the IPC namespaces only)::

    MainDeclaration                      [IPC-1752B wraps the content in an IPC-1752B element]
      BusinessInfo/Response@date         -> declared_on
        SupplyCompany@name               -> supplier
      Product@unitType                   (must be a piece: Each, EA, ...)
        ProductID@itemNumber @itemName   -> part, description
          Amount@value @UOM              -> unit mass (mass of one product)
        MaterialInfo
          HomogeneousMaterialList/HomogeneousMaterial@name     (class D)
            Amount@value @UOM            mass of the material in one product
            .../Substance@name
              SubstanceID@identity @authority="CAS"
              Amount@value @UOM          mg/g/kg per product, or ppm/% of the material
          SubstanceCategoryList/.../Substance                  (class C: of the product)

Parsing is safe: defusedxml refuses entity declarations and external
references, so a hostile file cannot expand or fetch anything.
"""
from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import ParseError, TreeBuilder

import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from remin.countries import to_iso2_one
from remin.errors import InputError
from remin.findings import finding
from remin.limits import current
from remin.library.declarations import PART_COLUMNS, SUBSTANCE_COLUMNS, ParsedFile, normalise_cas, normalise_date
from remin.units import to_base

#: Namespaces of IPC-1752A 2.0 (also used by 1752A amendments) and IPC-1752B.
NAMESPACES = (
    "http://webstds.ipc.org/175x/2.0",
    "http://webstds.ipc.org/175x/1752B/1752B",
    "https://webstds.ipc.org/175x/1752B/1752B",
)
#: Product@unitType values meaning "one piece".
PIECE_UNIT_TYPES = frozenset({"each", "ea", "piece", "pieces", "pc", "pcs", "unit", "units", "item"})
#: Amount@UOM spellings of IPC-1752 exporters that remin's unit table does not hold.
_IPC_UOM = {"masspercent": "%", "mass percent": "%"}
MASS, FRACTION = "mass", "fraction"


class _LineTreeBuilder(TreeBuilder):
    """Records the source line of every element (ElementTree does not)."""

    def __init__(self, max_depth: int):
        super().__init__()
        self.lines: dict[object, int] = {}
        self.expat = None
        self.depth, self.max_depth = 0, max_depth

    def start(self, tag, attrs):
        self.depth += 1
        if self.depth > self.max_depth:     # IPC-1752 nests about ten deep; a million deep is an attack
            raise _TooDeep(self.expat.CurrentLineNumber if self.expat is not None else None)
        elem = super().start(tag, attrs)
        self.lines[elem] = self.expat.CurrentLineNumber if self.expat is not None else None
        return elem

    def end(self, tag):
        self.depth -= 1
        return super().end(tag)


class _TooDeep(Exception):
    def __init__(self, line):
        super().__init__(line)
        self.line = line


def _parse(path: Path):
    max_depth = current().max_depth
    builder = _LineTreeBuilder(max_depth)
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.expat = getattr(parser, "parser", None)
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                parser.feed(chunk)
        root = parser.close()
    except ParseError as e:
        line = getattr(e, "position", (None,))[0]
        raise InputError(f"not well-formed XML: {e}", file=str(path), line=line) from None
    except (LookupError, UnicodeError) as e:       # encoding="TTF-8", or bytes that are not that encoding
        raise InputError(f"cannot decode the XML: {e}", file=str(path)) from None
    except _TooDeep as e:
        raise InputError(f"elements nested more than {max_depth} deep (an IPC-1752 declaration needs about ten); "
                         "raise the limit with --max-depth or REMIN_MAX_DEPTH", file=str(path), line=e.line) from None
    except DefusedXmlException as e:
        raise InputError(f"refused: the XML declares entities or external references ({e})",
                         file=str(path)) from None
    return root, builder.lines


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


class _Reader:
    """Walks one parsed document; collects part and substance rows."""

    def __init__(self, path: Path, root, lines):
        self.path, self.root, self.lines = path, root, lines
        self.ns = _split(root.tag)[0]
        self.parent = {child: parent for parent in root.iter() for child in parent}
        self.findings = []

    def error(self, elem, message) -> InputError:
        return InputError(message, file=str(self.path), line=self.lines.get(elem))

    def named(self, elem, local):
        return [e for e in elem.iter(f"{{{self.ns}}}{local}")]

    def child(self, elem, local):
        return elem.find(f"{{{self.ns}}}{local}")

    def ancestors(self, elem):
        while elem in self.parent:
            elem = self.parent[elem]
            yield elem

    def amount(self, elem, what, allowed) -> tuple[float, float, str, str] | None:
        """(declared value, value in kg or as a fraction, kind, unit) of ``elem``'s Amount child."""
        amount = self.child(elem, "Amount")
        if amount is None:
            return None
        raw, unit = amount.get("value"), (amount.get("UOM") or "").strip()
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise self.error(amount, f"{what}: Amount value {raw!r} is not a number") from None
        if not np.isfinite(value) or value < 0:
            raise self.error(amount, f"{what}: Amount value {raw!r} must be a finite number of zero or more")
        converted = to_base([value], [_IPC_UOM.get(unit.casefold(), unit)], allowed=allowed)
        if converted.bad[0]:
            raise self.error(amount, f"{what}: Amount UOM {unit!r}: {converted.reason[0]}")
        return value, float(converted.values[0]), converted.kind[0], unit

    def declared_on(self):
        response = next(iter(self.named(self.root, "Response")), None)
        return None if response is None else response.get("date")

    def supplier(self):
        company = next(iter(self.named(self.root, "SupplyCompany")), None)
        return None if company is None else company.get("name")

    def product(self, product, supplier, declared_on):
        pid = self.child(product, "ProductID")
        if pid is None or not (pid.get("itemNumber") or "").strip():
            raise self.error(product, "Product has no ProductID itemNumber (the part number)")
        part = pid.get("itemNumber").strip()
        unit_type = (product.get("unitType") or "Each").strip()
        if unit_type.casefold() not in PIECE_UNIT_TYPES:
            raise self.error(product, f"Product unitType {unit_type!r}: only declarations per piece (Each) "
                             "are supported")
        mass = self.amount(pid, f"product {part}", (MASS,))
        unit_mass_kg = mass[1] if mass else np.nan
        site = (pid.get("manufacturingSite") or "").strip()
        # a site may be a country or a plant name; only a country is used
        made_in = (to_iso2_one(site) if site else None) or pd.NA
        line = self.lines.get(product)
        part_row = {"part": part, "description": (pid.get("itemName") or "").strip() or pd.NA,
                    "unit_mass_kg": unit_mass_kg, "re_origin": pd.NA, "made_in": made_in,
                    "unit_value": np.nan, "currency": pd.NA, "supplier": supplier or pd.NA,
                    "declared_on": declared_on, "sheet": pd.NA, "row": pd.NA, "line": line}

        materials = self.named(product, "HomogeneousMaterial")
        rows, material_kg = [], []
        if materials:  # class D: substances belong to homogeneous materials
            for material in materials:
                name = (material.get("name") or "").strip() or pd.NA
                m = self.amount(material, f"homogeneous material {name!r}", (MASS,))
                material_kg.append(m[1] if m else np.nan)
                for substance in self.named(material, "Substance"):
                    rows.append(self.substance(part, substance, name, m[1] if m else None, basis="material"))
            loose = [s for s in self.named(product, "Substance")
                     if not any(_split(a.tag)[1] == "HomogeneousMaterial" for a in self.ancestors(s))]
            if loose:
                self.findings.append(finding(
                    "declaration-substances-ignored", f"{len(loose)} product-level (class C) substance entries "
                    "were not used: the homogeneous materials (class D) already declare the composition",
                    part=part, file=str(self.path)))
            if np.isnan(unit_mass_kg) and material_kg and not np.isnan(material_kg).any():
                part_row["unit_mass_kg"] = float(np.sum(material_kg))
                self.findings.append(finding(
                    "declaration-mass-from-materials", "no product mass declared: the sum of its homogeneous "
                    f"materials ({part_row['unit_mass_kg'] * 1e3:.6g} g) is used", part=part, file=str(self.path)))
        else:  # class C: substances of the whole product
            for substance in self.named(product, "Substance"):
                rows.append(self.substance(part, substance, pd.NA, None, basis="product"))
        return part_row, rows

    def substance(self, part, elem, material, material_kg, basis):
        name = (elem.get("name") or "").strip() or pd.NA
        cas = pd.NA
        for sid in self.named(elem, "SubstanceID"):
            if (sid.get("authority") or "").strip().casefold() == "cas" and (sid.get("identity") or "").strip():
                cas = sid.get("identity").strip()
                break
        what = f"substance {name if name is not pd.NA else cas!r} of part {part}"
        amount = self.amount(elem, what, (MASS, FRACTION))
        if amount is None:
            raise self.error(elem, f"{what} has no Amount")
        value, base, kind, unit = amount
        kg, fraction = np.nan, np.nan
        if kind == MASS:
            kg = base
        elif basis == "product":
            fraction = base
        elif material_kg is None:
            raise self.error(elem, f"{what} is given as {unit} of its homogeneous material "
                             f"{material!r}, which declares no mass")
        else:
            kg = base * material_kg
        return {"part": part, "material": material, "substance": name, "cas": cas, "amount": value,
                "amount_unit": unit, "kg_per_unit": kg, "fraction": fraction, "origin": pd.NA,
                "sheet": pd.NA, "row": pd.NA, "line": self.lines.get(elem)}


def read_ipc1752(path) -> ParsedFile:
    """Read an IPC-1752A (2.0) or IPC-1752B class C/D declaration into a :class:`ParsedFile`.

    Masses are per one product (piece). A substance given in ppm or percent is
    a share of its homogeneous material (class D) or of the product (class C).
    """
    path = Path(path)
    root, lines = _parse(path)
    ns, local = _split(root.tag)
    if local != "MainDeclaration" or ns not in NAMESPACES:
        raise InputError(f"not an IPC-1752A/B declaration: root element {local!r} in namespace {ns or 'none'!r} "
                         f"(expected MainDeclaration in {NAMESPACES[0]} or the 1752B namespace)", file=str(path))
    reader = _Reader(path, root, lines)
    products = reader.named(root, "Product")
    if not products:
        raise InputError("the declaration has no Product", file=str(path))
    supplier, declared_on = reader.supplier(), reader.declared_on()
    part_rows, substance_rows = [], []
    for product in products:
        part_row, rows = reader.product(product, supplier, declared_on)
        part_rows.append(part_row)
        substance_rows += rows
    columns = ["sheet", "row", "line"]
    parts = pd.DataFrame(part_rows, columns=PART_COLUMNS + columns)
    subs = pd.DataFrame(substance_rows, columns=SUBSTANCE_COLUMNS + columns)
    parsed = ParsedFile(path=path, kind="ipc1752", parts=parts, substances=subs, findings=reader.findings)
    parts["declared_on"] = normalise_date(parsed, parts, "declared_on", "Response@date")
    subs["cas"] = normalise_cas(parsed, subs, "cas", "SubstanceID@identity")
    return parsed
