"""The remin declaration template (Excel): write it blank for suppliers, read it
back, and write the library's export in the same shape.

Sheets: ``Instructions``; ``Parts`` (one row per part); ``Composition`` (one
row per substance of a part); ``Overrides`` (exports only: reviewers'
decisions); ``Lists`` (hidden: the drop-down lists). Headers are matched
case-insensitively; row numbers in errors are Excel's.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

from remin.errors import InputError
from remin.findings import finding
from remin.io.guard import check_workbook
from remin.report.safe import protect_row
from remin.library.declarations import (OVERRIDE_COLUMNS, PART_COLUMNS, SUBSTANCE_COLUMNS, ParsedFile,
                                        error_at, normalise_cas, normalise_countries, normalise_currency,
                                        normalise_date)
from remin.units import to_base

# canonical field -> header as written in the template (matching ignores case and extra spaces)
PARTS_HEADERS = {
    "part": "Part number", "description": "Description", "unit_mass": "Unit mass",
    "mass_unit": "Mass unit", "re_origin": "Rare-earth origin", "made_in": "Made in",
    "unit_value": "Unit value", "currency": "Currency", "supplier": "Supplier",
    "declared_on": "Declared on",
}
COMPOSITION_HEADERS = {
    "part": "Part number", "substance": "Substance", "cas": "CAS number", "amount": "Amount",
    "amount_unit": "Amount unit", "origin": "Origin",
}
OVERRIDES_HEADERS = {
    "part": "Part number", "field": "Field", "element": "Element", "value": "Value",
    "reason": "Reason", "author": "By", "created_at": "At",
}

#: Drop-down lists (any unit remin.units reads is accepted; these are the usual ones).
MASS_UNITS = ("g", "kg", "mg", "lb", "oz")
AMOUNT_UNITS = ("wt%", "ppm", "fraction", "g", "mg", "kg")
CURRENCIES = ("USD", "EUR", "JPY", "CNY", "GBP", "CHF", "KRW", "TWD", "INR", "CAD", "AUD", "SEK", "MXN")

INSTRUCTIONS = [
    ("remin declaration template", "title"),
    ("Declare, for each part you supply, its mass, where its rare-earth content comes from, and "
     "what it is made of. One file may declare many parts.", None),
    ("", None),
    ("Sheet 'Parts' - one row per part", "heading"),
    ("Part number (required): the number your customer orders the part by.", None),
    ("Unit mass + Mass unit: the mass of ONE piece, e.g. 12.5 and g.", None),
    ("Rare-earth origin: the country the rare-earth material in the part comes from "
     "(ISO code such as CN, JP, US, or the country's name). Leave blank only if you do not know.", None),
    ("Made in: the country where the part is manufactured.", None),
    ("Unit value + Currency: the price of one piece (optional).", None),
    ("Supplier: your company name. Declared on: the date of this declaration (YYYY-MM-DD).", None),
    ("", None),
    ("Sheet 'Composition' - one row per substance of a part", "heading"),
    ("Part number: as on the Parts sheet. Every part listed here must also be on the Parts sheet.", None),
    ("Substance: an element (Dy, Dysprosium), a chemical formula (Dy2O3, Nd2Fe14B) or leave it blank "
     "and give the CAS number. CAS number: e.g. 1308-87-8; used in preference to the name.", None),
    ("Amount + Amount unit: either a share of the part's mass (wt%, ppm, fraction) or a mass per ONE "
     "piece of the part (g, mg, kg).", None),
    ("Origin: the country this substance's rare-earth content comes from, if it differs from the part's "
     "rare-earth origin.", None),
    ("List at least every substance that contains a rare earth (Sc, Y, La-Lu, e.g. Nd, Pr, Dy, Tb, Sm). "
     "A part with no rows here has declared no composition.", None),
    ("", None),
    ("Example", "heading"),
    ("Parts: MAG-001 | NdFeB magnet 20x10x5 | 7.5 | g | JP | VN | 2.40 | USD | Acme Magnetics | 2025-11-03", None),
    ("Composition: MAG-001 | Nd | | 23.5 | wt%   and   MAG-001 | Dy2O3 | 1308-87-8 | 0.28 | g", None),
    ("", None),
    ("Do not rename the sheets or the column headers. Extra columns are ignored.", None),
]


# ---------------------------------------------------------------- writing

def write_declaration_template(path, *, parts: pd.DataFrame | None = None,
                               composition: pd.DataFrame | None = None,
                               overrides: pd.DataFrame | None = None) -> Path:
    """Write the declaration workbook to ``path``: blank (for suppliers) or, for an
    export, filled with ``parts`` (PARTS_HEADERS fields; unit_mass in
    ``mass_unit``), ``composition`` (COMPOSITION_HEADERS fields) and
    ``overrides`` (OVERRIDES_HEADERS fields)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    wb = Workbook()
    ins = wb.active
    ins.title = "Instructions"
    for i, (text, style) in enumerate(INSTRUCTIONS, start=1):
        cell = ins.cell(row=i, column=1, value=text)
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "heading":
            cell.font = Font(bold=True)
    ins.column_dimensions["A"].width = 120

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")

    def sheet(title, headers, frame, widths):
        ws = wb.create_sheet(title)
        ws.append(list(headers.values()))
        for cell in ws[1]:
            cell.font, cell.fill = header_font, header_fill
        ws.freeze_panes = "A2"
        if frame is not None and len(frame):
            out = frame.reindex(columns=list(headers)).astype(object)
            for row in out.itertuples(index=False):
                ws.append([None if _blank(v) else v for v in row])
                protect_row(ws[ws.max_row])     # supplier text starting with '=' stays text
        for letter, width in zip("ABCDEFGHIJ", widths):
            ws.column_dimensions[letter].width = width
        return ws

    parts_ws = sheet("Parts", PARTS_HEADERS, parts, (18, 30, 11, 10, 16, 10, 11, 9, 22, 12))
    comp_ws = sheet("Composition", COMPOSITION_HEADERS, composition, (18, 22, 14, 12, 12, 10))
    if overrides is not None:
        sheet("Overrides", OVERRIDES_HEADERS, overrides, (18, 14, 9, 12, 40, 16, 22))

    lists = wb.create_sheet("Lists")
    countries = sorted(c.alpha_2 for c in pycountry.countries)
    columns = {"A": ("Mass units", MASS_UNITS), "B": ("Amount units", AMOUNT_UNITS),
               "C": ("Countries", countries), "D": ("Currencies", CURRENCIES)}
    for letter, (title, values) in columns.items():
        lists[f"{letter}1"] = title
        for i, v in enumerate(values, start=2):
            lists[f"{letter}{i}"] = v
    lists.sheet_state = "hidden"

    def ref(letter, values):
        # no leading "=": formula1 is stored as Excel stores it; "=" makes Excel repair the file
        return f"Lists!${letter}$2:${letter}${len(values) + 1}"

    last = max(len(parts) if parts is not None else 0, len(composition) if composition is not None else 0) + 2000

    def validate(ws, column, rule: DataValidation):
        rule.add(f"{column}2:{column}{last}")
        ws.add_data_validation(rule)

    def pick(letter, values, prompt, strict=True):
        # strict lists refuse other values; country/currency lists only warn, since names are read too
        return DataValidation(type="list", formula1=ref(letter, values), allow_blank=True,
                              showErrorMessage=True, errorStyle="stop" if strict else "warning",
                              promptTitle="Pick from the list", prompt=prompt, showInputMessage=True)

    def non_negative(prompt):
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, error="A number of zero or more", prompt=prompt,
                              showInputMessage=True)

    validate(parts_ws, "C", non_negative("Mass of ONE piece, in the mass unit of the next column"))
    validate(parts_ws, "D", pick("A", MASS_UNITS, "Unit of the unit mass"))
    validate(parts_ws, "E", pick("C", countries, "ISO country code of the rare-earth content", strict=False))
    validate(parts_ws, "F", pick("C", countries, "ISO country code of manufacture", strict=False))
    validate(parts_ws, "G", non_negative("Price of one piece"))
    validate(parts_ws, "H", pick("D", CURRENCIES, "ISO currency code", strict=False))
    validate(parts_ws, "J", DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                                           showErrorMessage=True, error="A date (YYYY-MM-DD)",
                                           prompt="Date of this declaration", showInputMessage=True))
    validate(comp_ws, "D", non_negative("Share of the part's mass, or mass per ONE piece"))
    validate(comp_ws, "E", pick("B", AMOUNT_UNITS, "wt%, ppm, fraction, or g/mg/kg per piece"))
    validate(comp_ws, "F", pick("C", countries, "ISO country code of this substance's rare-earth content",
                                strict=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _blank(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- reading

def read_declaration_template(path) -> ParsedFile:
    """Read a filled-in declaration template (or a library export).

    Returns a :class:`ParsedFile`; raises ``InputError`` naming sheet, row and
    column for the first bad cell.
    """
    path = Path(path)
    check_workbook(path, str(path))     # password, zip bomb, sheets spanning billions of cells
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    except Exception as e:  # calamine raises its own types for corrupt files
        raise InputError(f"cannot read the workbook: {e}", file=str(path)) from None
    by_name = {name.strip().casefold(): name for name in sheets}
    if "parts" not in by_name:
        raise InputError("not a remin declaration template: it has no 'Parts' sheet "
                         "(write one with `remin template declaration --output FILE`)", file=str(path))
    parsed = ParsedFile(path=path, kind="template", parts=None, substances=None,  # type: ignore[arg-type]
                        labels={**COMPOSITION_HEADERS, "unit_mass_kg": PARTS_HEADERS["unit_mass"],
                                "unit_value": PARTS_HEADERS["unit_value"]})
    raw_parts = _table_of(parsed, sheets[by_name["parts"]], by_name["parts"], PARTS_HEADERS, required=("part",))
    raw_comp = (_table_of(parsed, sheets[by_name["composition"]], by_name["composition"], COMPOSITION_HEADERS,
                          required=("part",))
                if "composition" in by_name else _empty_raw(COMPOSITION_HEADERS))
    raw_over = (_table_of(parsed, sheets[by_name["overrides"]], by_name["overrides"], OVERRIDES_HEADERS,
                          required=("part", "field", "reason"))
                if "overrides" in by_name else _empty_raw(OVERRIDES_HEADERS))
    parsed.parts = _parts(parsed, raw_parts)
    parsed.substances = _substances(parsed, raw_comp)
    parsed.overrides = raw_over.reindex(columns=OVERRIDE_COLUMNS + ["sheet", "row", "line"])
    return parsed


def _empty_raw(headers: dict) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in [*headers, "sheet", "row", "line"]})


def _key(text) -> str:
    return " ".join(str(text).split()).casefold()


def _table_of(parsed: ParsedFile, grid: pd.DataFrame, sheet: str, headers: dict, required) -> pd.DataFrame:
    """The sheet's rows under canonical names, blank rows dropped, with Excel row numbers."""
    if grid.empty:
        return _empty_raw(headers)
    wanted = {_key(h): field for field, h in headers.items()}
    header = [_key(v) if not _blank(v) else "" for v in grid.iloc[0]]
    columns, seen = {}, set()
    for pos, name in enumerate(header):
        field = wanted.get(name)
        if field and field not in seen:
            columns[pos], seen = field, seen | {field}
        elif name:
            parsed.findings.append(finding("unmapped-column", f"column {grid.iloc[0, pos]!r} is not part of "
                                           "the template and was ignored", file=str(parsed.path), sheet=sheet,
                                           column=str(grid.iloc[0, pos])))
    for field in required:
        if field not in seen:
            raise InputError(f"the header row has no {headers[field]!r} column", file=str(parsed.path),
                             sheet=sheet, row=1)
    body = grid.iloc[1:, list(columns)].set_axis(list(columns.values()), axis=1)
    body = body.map(lambda v: pd.NA if _blank(v) or (isinstance(v, str) and not v.strip()) else
                    (v.strip() if isinstance(v, str) else v))
    body = body.reindex(columns=list(headers))
    body["sheet"], body["row"], body["line"] = sheet, np.arange(2, len(body) + 2), pd.NA
    body = body[body[list(headers)].notna().any(axis=1)].reset_index(drop=True)
    return body


def _numbers(parsed: ParsedFile, frame: pd.DataFrame, column: str, label: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    bad = frame[column].notna() & values.isna()
    if bad.any():
        raise error_at(parsed, frame, bad, lambda r: f"{r[column]!r} is not a number", column=label)
    return values


def _converted(parsed, frame, value_col, unit_col, headers, allowed, what) -> tuple[np.ndarray, np.ndarray]:
    values = _numbers(parsed, frame, value_col, headers[value_col])
    missing_unit = values.notna() & frame[unit_col].isna()
    if missing_unit.any():
        raise error_at(parsed, frame, missing_unit, f"a {what} without a unit", column=headers[unit_col])
    converted = to_base(values.to_numpy(), frame[unit_col].astype(object), allowed=allowed)
    bad_unit = converted.bad & frame[unit_col].notna().to_numpy()
    if bad_unit.any():
        reason = converted.reason[np.flatnonzero(bad_unit)[0]]
        raise error_at(parsed, frame, bad_unit, f"{what}: {reason}", column=headers[unit_col])
    missing_value = frame[unit_col].notna() & values.isna()
    if missing_value.any():
        raise error_at(parsed, frame, missing_value, f"a unit without a {what}", column=headers[value_col])
    return converted.values, converted.kind


def _parts(parsed: ParsedFile, raw: pd.DataFrame) -> pd.DataFrame:
    h = PARTS_HEADERS
    no_part = raw["part"].isna()
    if no_part.any():
        raise error_at(parsed, raw, no_part, "a row without a part number", column=h["part"])
    unit_mass_kg, _ = _converted(parsed, raw, "unit_mass", "mass_unit", h, ("mass",), "unit mass")
    out = pd.DataFrame({
        "part": raw["part"].map(_text),
        "description": raw["description"].map(_text),
        "unit_mass_kg": unit_mass_kg,
        "re_origin": normalise_countries(parsed, raw, "re_origin", h["re_origin"]),
        "made_in": normalise_countries(parsed, raw, "made_in", h["made_in"]),
        "unit_value": _numbers(parsed, raw, "unit_value", h["unit_value"]),
        "currency": normalise_currency(parsed, raw, "currency", h["currency"]),
        "supplier": raw["supplier"].map(_text),
        "declared_on": normalise_date(parsed, raw, "declared_on", h["declared_on"]),
    })
    no_currency = out["unit_value"].notna() & out["currency"].isna()
    if no_currency.any():
        raise error_at(parsed, raw, no_currency, "a unit value without a currency", column=h["currency"])
    return pd.concat([out[PART_COLUMNS], raw[["sheet", "row", "line"]]], axis=1)


def _substances(parsed: ParsedFile, raw: pd.DataFrame) -> pd.DataFrame:
    h = COMPOSITION_HEADERS
    no_part = raw["part"].isna()
    if no_part.any():
        raise error_at(parsed, raw, no_part, "a row without a part number", column=h["part"])
    no_amount = raw["amount"].isna()
    if no_amount.any():
        raise error_at(parsed, raw, no_amount, "a substance without an amount", column=h["amount"])
    base, kind = _converted(parsed, raw, "amount", "amount_unit", h, ("mass", "fraction"), "amount")
    out = pd.DataFrame({
        "part": raw["part"].map(_text),
        "material": pd.Series(pd.NA, index=raw.index, dtype=object),
        "substance": raw["substance"].map(_text),
        "cas": normalise_cas(parsed, raw, "cas", h["cas"]),
        "amount": pd.to_numeric(raw["amount"], errors="coerce").astype(float),
        "amount_unit": raw["amount_unit"].map(_text),
        "kg_per_unit": np.where(kind == "mass", base, np.nan),
        "fraction": np.where(kind == "fraction", base, np.nan),
        "origin": normalise_countries(parsed, raw, "origin", h["origin"]),
    })
    return pd.concat([out[SUBSTANCE_COLUMNS], raw[["sheet", "row", "line"]]], axis=1)


def _text(value):
    """Cell -> str (numbers written as part numbers lose a trailing '.0')."""
    if _blank(value):
        return pd.NA
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
