"""What an importer hands to the library: one file's declarations, checked and
resolved to element masses, before anything touches the database.

Importers (``template.py``, ``ipc1752.py``) fill a :class:`ParsedFile`; the
functions here check it as a whole and turn declared substances into element
rows. Any error raises ``InputError`` naming the file and the row, so a bad
file imports nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from remin.composition import is_cas_number, resolve_substances
from remin.countries import to_iso2
from remin.currency import normalize_currencies
from remin.errors import InputError
from remin.findings import Finding, finding

#: One row per declared part (kg per piece; ISO country and currency codes).
PART_COLUMNS = ["part", "description", "unit_mass_kg", "re_origin", "made_in", "unit_value",
                "currency", "supplier", "declared_on"]
#: One row per declared substance. ``kg_per_unit`` (kg per piece of the part) or
#: ``fraction`` (of the part's mass) is already in base units; ``amount`` and
#: ``amount_unit`` are kept as the supplier wrote them.
SUBSTANCE_COLUMNS = ["part", "material", "substance", "cas", "amount", "amount_unit",
                     "kg_per_unit", "fraction", "origin"]
#: Where a row came from inside the file (any may be NA).
SOURCE_COLUMNS = ["sheet", "row", "line"]
#: Reviewer overrides carried in an exported workbook.
OVERRIDE_COLUMNS = ["part", "field", "element", "value", "reason", "author", "created_at"]

#: Fields a reviewer may override, and what their value is.
OVERRIDE_FIELDS = {
    "re_origin": "country (ISO code or name) of the rare-earth content",
    "made_in": "country (ISO code or name) where the part is made",
    "unit_mass_kg": "mass of one piece in kg",
    "unit_value": "value of one piece",
    "currency": "ISO 4217 currency code",
}

#: Words in a country cell meaning "not known": read as no country (origin unknown), not as a typo.
UNKNOWN_COUNTRY_WORDS = frozenset({"unknown", "n/a", "na", "none", "-", "--", "?", "tbd", "not known"})
_FRACTION_TOLERANCE = 1e-6


@dataclass
class ParsedFile:
    """One source file's content in canonical columns (see the *_COLUMNS lists)."""

    path: Path
    kind: str                                  # 'template' | 'ipc1752'
    parts: pd.DataFrame
    substances: pd.DataFrame
    overrides: pd.DataFrame = field(default_factory=lambda: empty_frame(OVERRIDE_COLUMNS))
    findings: list[Finding] = field(default_factory=list)
    #: canonical column -> the name the user sees in the file (a header), for error messages
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def where_text(sheet=None, row=None, line=None) -> str | None:
    """Human location inside a file, stored with each row ('sheet Parts, row 4')."""
    bits = []
    if _present(sheet):
        bits.append(f"sheet {sheet}")
    if _present(row):
        bits.append(f"row {int(row)}")
    if _present(line):
        bits.append(f"line {int(line)}")
    return ", ".join(bits) or None


def error_at(parsed: ParsedFile, frame: pd.DataFrame, mask, message, column: str | None = None) -> InputError:
    """An InputError at the first row where ``mask`` holds, counting the others.

    ``message`` is a string or a function of that first row (a Series).
    """
    mask = np.asarray(mask, dtype=bool)
    first = frame.loc[mask].iloc[0]
    text = message(first) if callable(message) else message
    more = int(mask.sum()) - 1
    if more:
        text += f" (and {more} more row{'s' if more > 1 else ''} like it)"
    return InputError(text, file=str(parsed.path), sheet=_get(first, "sheet"), row=_get(first, "row"),
                      line=_get(first, "line"), column=column)


def _get(row: pd.Series, name: str):
    value = row.get(name)
    return value if _present(value) else None


def _present(value) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


# ---------------------------------------------------------------- normalising

def known_country_cells(cells: pd.Series) -> pd.Series:
    """Country cells with blanks and "unknown"-like words set to NA (origin not known)."""
    text = cells.astype("string").str.strip()
    return text.mask(text.isna() | (text == "") | text.str.lower().isin(UNKNOWN_COUNTRY_WORDS))


def normalise_countries(parsed: ParsedFile, frame: pd.DataFrame, column: str, label: str) -> pd.Series:
    """ISO alpha-2 codes for ``frame[column]``; a cell naming no country is an error at its row."""
    codes, bad = to_iso2(known_country_cells(frame[column]))
    if bad.any():
        raise error_at(parsed, frame, bad, lambda r: f"{r[column]!r} is not a country remin knows "
                       "(use an ISO code such as CN, JP, US, or the country's name)", column=label)
    return codes


def normalise_currency(parsed: ParsedFile, frame: pd.DataFrame, column: str, label: str) -> pd.Series:
    """ISO 4217 codes; symbols as ``remin.currency`` reads them ($ -> USD, RMB -> CNY).
    An ambiguous symbol (¥) or anything not three letters is an error at its row."""
    raw = frame[column].astype("string").str.strip().replace("", pd.NA)
    mapped = normalize_currencies(raw).astype("string")
    bad = raw.notna() & ~mapped.fillna("").str.fullmatch(r"[A-Z]{3}")
    if bad.any():
        raise error_at(parsed, frame, bad, lambda r: f"{r[column]!r} is not an ISO 4217 currency code "
                       "(USD, EUR, JPY, CNY ...)", column=label)
    return mapped.where(~bad)


def normalise_date(parsed: ParsedFile, frame: pd.DataFrame, column: str, label: str) -> pd.Series:
    """ISO dates (YYYY-MM-DD) from Excel dates or ISO text; anything else is an error."""
    raw = frame[column]
    text = raw.map(lambda v: v.date().isoformat() if hasattr(v, "date") and callable(v.date)
                   else (str(v).strip()[:10] if _present(v) and str(v).strip() else pd.NA))
    parsed_dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = text.notna() & parsed_dates.isna()
    if bad.any():
        raise error_at(parsed, frame, bad, lambda r: f"{r[column]!r} is not a date (write it as YYYY-MM-DD)",
                       column=label)
    return text.astype("string")


def normalise_cas(parsed: ParsedFile, frame: pd.DataFrame, column: str, label: str) -> pd.Series:
    """CAS registry numbers, checked against their check digit."""
    cas = frame[column].astype("string").str.strip().replace("", pd.NA)
    distinct = pd.unique(cas.dropna())
    invalid = {c for c in distinct if not is_cas_number(c)}
    if invalid:
        bad = cas.isin(list(invalid)).fillna(False)
        raise error_at(parsed, frame, bad, lambda r: f"{r[column]!r} is not a valid CAS number "
                       "(digits-digits-check digit, e.g. 1308-87-8)", column=label)
    return cas


# ---------------------------------------------------------------- whole-file checks

def check(parsed: ParsedFile) -> None:
    """Checks every importer needs: one declaration per part, no substances of an
    undeclared part, no negative numbers, fractions of a part not above 100 %."""
    parts, subs = parsed.parts, parsed.substances
    if parts.empty:
        raise InputError("the file declares no parts", file=str(parsed.path))
    dup = parts["part"].duplicated(keep="first")
    if dup.any():
        raise error_at(parsed, parts, dup, lambda r: f"part {r['part']!r} is declared twice in this file "
                       "(one row per part; put its substances on the composition sheet)",
                       column=parsed.label("part"))
    orphan = ~subs["part"].isin(parts["part"])
    if orphan.any():
        raise error_at(parsed, subs, orphan, lambda r: f"substance row for part {r['part']!r}, which the "
                       "file does not declare (add it to the parts)", column=parsed.label("part"))
    numbers = [(parts, "unit_mass_kg", "unit_mass_kg"), (parts, "unit_value", "unit_value"),
               (subs, "kg_per_unit", "amount"), (subs, "fraction", "amount")]
    for frame, column, label in numbers:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = (values < 0) | np.isinf(values)
        if bad.any():
            raise error_at(parsed, frame, bad, f"{parsed.label(label)} must be a finite number of zero or more",
                           column=parsed.label(label))
    total = pd.to_numeric(subs["fraction"], errors="coerce").groupby(subs["part"]).sum()
    over = total[total > 1 + _FRACTION_TOLERANCE]
    if len(over):
        mask = subs["part"].isin(over.index)
        raise error_at(parsed, subs, mask, lambda r: f"mass fractions of part {r['part']!r} add up to "
                       f"{over[r['part']] * 100:.6g} %, more than 100 %", column=parsed.label("amount"))


def mass_findings(parsed: ParsedFile, tolerance: float = 0.01) -> list[Finding]:
    """Warn where declared element-bearing substances weigh more than the part."""
    subs = parsed.substances
    kg = pd.to_numeric(subs["kg_per_unit"], errors="coerce").groupby(subs["part"]).sum(min_count=1)
    declared = pd.to_numeric(parsed.parts.set_index("part")["unit_mass_kg"], errors="coerce")
    both = pd.concat({"substances": kg, "declared": declared}, axis=1).dropna()
    over = both[both["substances"] > both["declared"] * (1 + tolerance)]
    return [finding("declaration-mass-mismatch",
                    f"substances add up to {row.substances * 1e3:.6g} g but the part is declared as "
                    f"{row.declared * 1e3:.6g} g", part=part, file=str(parsed.path))
            for part, row in over.iterrows()]


# ---------------------------------------------------------------- substances -> elements

def resolve_elements(parsed: ParsedFile) -> pd.DataFrame:
    """Element rows for every substance row of ``parsed``.

    Returns columns ``sub_pos`` (position in ``parsed.substances``), ``element``,
    ``kg_per_unit`` and ``fraction`` (one of them set, as for the substance),
    ``origin``. Each distinct substance (CAS number if given, else its name or
    formula) is resolved once. One that cannot be resolved is an error: an
    unreadable substance could hide rare earths, so it is never dropped.
    """
    subs = parsed.substances.reset_index(drop=True)
    if subs.empty:
        return pd.DataFrame({"sub_pos": pd.Series(dtype="int64"), "element": pd.Series(dtype=object),
                             "kg_per_unit": pd.Series(dtype=float), "fraction": pd.Series(dtype=float),
                             "origin": pd.Series(dtype=object)})
    key = subs["cas"].astype("string").fillna(subs["substance"].astype("string"))
    missing = key.isna()
    if missing.any():
        raise error_at(parsed, subs, missing, "a substance row names neither a substance nor a CAS number",
                       column=parsed.label("substance"))
    table, unknown = resolve_substances(key)
    unknown = unknown.dropna()
    if len(unknown):
        bad = key.isin(list(unknown.index)).to_numpy()
        raise error_at(parsed, subs, bad, lambda r: f"substance {key[r.name]!r}: {unknown[key[r.name]]}",
                       column=parsed.label("substance"))
    table = table.rename(columns={"substance": "key", "fraction": "element_fraction"})
    long = (subs.assign(key=key, sub_pos=np.arange(len(subs)))
            .merge(table, on="key", how="inner"))
    kg = pd.to_numeric(long["kg_per_unit"], errors="coerce") * long["element_fraction"]
    frac = pd.to_numeric(long["fraction"], errors="coerce") * long["element_fraction"]
    return pd.DataFrame({"sub_pos": long["sub_pos"].astype("int64"), "element": long["element"],
                         "kg_per_unit": kg.astype(float), "fraction": frac.astype(float),
                         "origin": long["origin"]})


def prepare(parsed: ParsedFile) -> tuple[ParsedFile, pd.DataFrame]:
    """Check ``parsed`` and resolve its elements; raises InputError on the first problem."""
    check(parsed)
    elements = resolve_elements(parsed)
    parsed.findings.extend(mass_findings(parsed))
    return parsed, elements
