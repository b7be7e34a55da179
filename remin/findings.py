"""Findings: problems and facts about the input, collected rather than raised.

A finding has a stable kebab-case ``code`` (listed in ``CODES`` with its
severity and what it means), the ``part`` it concerns, a ``source`` naming the
file, sheet, row and column, and a human ``message`` saying what was expected.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pandas is imported where rows are read, so importing findings stays cheap
    import pandas as pd

ERROR, WARNING, INFO = "error", "warning", "info"

#: code -> (severity, what it means). Codes are a public, stable interface.
CODES: dict[str, tuple[str, str]] = {
    # reading
    "no-header-row": (ERROR, "no row of the sheet looks like a header with a part column"),
    "missing-column": (ERROR, "a column the BOM needs is absent"),
    "duplicate-column": (WARNING, "two headers map to the same field; the first is used"),
    "unmapped-column": (INFO, "a header that remin does not use"),
    "empty-sheet": (WARNING, "a sheet has no data rows"),
    "hidden-sheet": (INFO, "a hidden sheet was read like any other"),
    "sheet-skipped": (INFO, "a sheet was not recognised as BOM, part master or composition"),
    "row-repaired": (WARNING, "a CSV row had extra fields (unquoted delimiter) and was rejoined"),
    "bad-row": (ERROR, "a CSV row could not be read; it was left out"),
    "cell-truncated": (WARNING, "a cell longer than the max_cell_chars limit was cut to it"),
    "merged-cells": (WARNING, "merged cells: every cell of a merged range took the merged value"),
    "not-a-number": (ERROR, "text where a number was expected"),
    "missing-quantity": (ERROR, "a BOM line without a quantity"),
    "non-positive-quantity": (ERROR, "a quantity of zero or less"),
    "non-finite-number": (ERROR, "a number that is infinite or not a number"),
    "negative-number": (ERROR, "a unit mass or unit value below zero; left out"),
    "implausible-number": (ERROR, "a quantity, mass or value too large for any real BOM (over 1e12)"),
    "missing-part-number": (ERROR, "a BOM line without a part number"),
    "part-number-from-fallback": (INFO, "the part number was taken from a fallback column"),
    "default-uom": (INFO, "no unit of measure column; quantities are taken as pieces"),
    # units
    "unknown-unit": (ERROR, "a unit remin cannot read"),
    "unit-dimension-mismatch": (ERROR, "a unit of the wrong kind (e.g. a length where a mass belongs)"),
    "uom-conflict": (ERROR, "one part is used in units of different kinds and no mass links them"),
    # structure
    "bom-cycle": (ERROR, "parts that contain themselves through their children"),
    "level-jump": (ERROR, "an indented row more than one level below the row above"),
    "bad-level": (ERROR, "a level value remin cannot read"),
    "orphan-line": (ERROR, "a line whose parent is not in the BOM"),
    "conflicting-part-data": (WARNING, "one part given different attributes on different rows"),
    "children-exceed-declared": (WARNING, "children add up to more than the part's own declaration"),
    "missing-mass": (WARNING, "a part with neither a mass nor children with mass"),
    "no-composition": (INFO, "leaf parts with no composition declared: taken to contain no controlled element"),
    "unknown-origin": (WARNING, "controlled content whose origin is not known (counted in the high bound)"),
    "unknown-country": (WARNING, "a country remin cannot read"),
    "unknown-substance": (ERROR, "a composition row naming an element, formula or CAS number remin cannot resolve"),
    "unknown-material": (ERROR, "a material name that is not in the materials library"),
    "composition-overridden": (INFO, "a less specific composition of a part was set aside for a more specific one"),
    "implicit-root": (WARNING, "no top-level row: the file is taken as one product"),
    "flat-list": (INFO, "a list without structure: every row is a component of one product"),
    "fraction-over-one": (ERROR, "mass fractions of one part adding up to more than 100 %"),
    "composition-without-part": (WARNING, "composition or part-master rows for a part that is not in the BOM"),
    "unknown-sku": (ERROR, "a requested SKU that is not in the BOM"),
    # parts library (remin library import / --library)
    "declaration-mass-mismatch": (WARNING, "a declaration's substances weigh more than the part it declares"),
    "declaration-mass-from-materials": (INFO, "an IPC-1752 product without a mass: the sum of its homogeneous materials is used"),
    "declaration-substances-ignored": (INFO, "product-level (class C) substances not used: homogeneous materials (class D) declare the composition"),
    "override-applied": (INFO, "a part's library data includes a reviewer's override"),
    "library-fill": (INFO, "figures the BOM leaves blank taken from the parts library (--library), naming the declaration"),
    "library-conflict": (WARNING, "the BOM and the parts library give different values; the BOM's is used"),
    "library-per-piece": (WARNING, "per-piece library figures not used for a part the BOM counts by length, mass, area or volume"),
    # rules and verdicts
    "rules-status-unknown": (WARNING, "the rule data records nothing after this date"),
    "rules-as-written": (INFO, "rules evaluated as written: suspensions ignored (--as-written)"),
    "rules-override": (INFO, "a rule file given with --rules replaced or added to the shipped rules"),
    "missing-rate": (WARNING, "a value in a currency with no exchange rate to the report currency; not converted"),
    "missing-price": (WARNING, "controlled content with no reference price on the date; not valued"),
    "rules-note": (INFO, "a note of the rule data on the evaluation date"),
    "missing-currency": (WARNING, "values without a currency"),
    "mass-no-data": (WARNING, "the mass test could not be decided: the SKU's mass is unknown"),
    "value-no-data": (WARNING, "the value test could not be decided: a value it needs is unknown"),
    "part1-no-value": (WARNING, "a Part I item with no value and no controlled content to estimate it from"),
    "part1-value-estimated": (INFO, "a Part I item with no value, valued at reference prices of its content"),
    "part2-inferred": (INFO, "no part class in the BOM: a Part II magnet recognised from its own composition"),
    "part2-unclassified": (WARNING, "no part class in the BOM and no Part II part recognised: SKUs taken as "
                                    "outside Annex 1 Part II"),
}

SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Source:
    """Where a fact came from, as the user sees it (row numbers as in Excel: 1-based)."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def to_dict(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column}

    def __str__(self) -> str:
        bits = [b for b in (self.file, self.sheet and f"sheet {self.sheet}",
                            self.row is not None and f"row {self.row}",
                            self.column and f"column {self.column!r}") if b]
        return ", ".join(bits)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    part: str | None
    source: Source | None
    message: str

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "part": self.part,
            "source": self.source.to_dict() if self.source else None,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f" [{self.source}]" if self.source and str(self.source) else ""
        part = f" {self.part}:" if self.part else ""
        return f"{self.severity}: {self.code}{where}{part} {self.message}"


def finding(code: str, message: str, *, part=None, file=None, sheet=None, row=None,
            column=None, severity: str | None = None) -> Finding:
    """Make a finding; the severity comes from ``CODES`` unless given."""
    if code not in CODES:
        raise KeyError(f"finding code {code!r} is not registered in remin.findings.CODES")
    src = Source(_clean(file), _clean(sheet), _int(row), _clean(column)) \
        if any(v is not None for v in (file, sheet, row, column)) else None
    return Finding(code, severity or CODES[code][0], _clean(part), src, message)


#: At most this many individual findings per (code, column); the rest are counted in one more.
PER_CODE_LIMIT = 50


def findings_for_rows(code: str, rows: pd.DataFrame, message, *, column=None,
                      limit: int = PER_CODE_LIMIT) -> list[Finding]:
    """One finding per offending row of ``rows`` (which carries the source columns
    ``src_file``, ``src_sheet``, ``src_row`` and usually ``part``), capped at ``limit``
    with a last finding that counts the rest, so huge inputs do not drown the report.

    ``message`` is a string or a function of the row (a namedtuple) returning one.
    """
    out: list[Finding] = []
    n = len(rows)
    if n == 0:
        return out
    head = rows.iloc[:limit]
    # the file's own header for the field, where the rows carry it (``<field>@header``)
    headers = head[f"{column}@header"].tolist() if column and f"{column}@header" in head.columns \
        else [column] * len(head)
    for r, col in zip(head.itertuples(index=False), headers):
        text = message(r) if callable(message) else message
        out.append(finding(code, text, part=getattr(r, "part", None), file=getattr(r, "src_file", None),
                           sheet=getattr(r, "src_sheet", None), row=getattr(r, "src_row", None),
                           column=col if isinstance(col, str) else column))
    if n > limit:
        first = rows.iloc[limit]
        out.append(finding(code, f"... and {n - limit} more rows like the above (not listed one by one)",
                           file=first.get("src_file"), sheet=first.get("src_sheet"), column=column))
    return out


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.code))


def _clean(v):
    import numpy as np  # here, not at the top: remin.rules (the CLI's options) imports this module
    import pandas as pd

    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    return str(v)


def _int(v):
    import pandas as pd

    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return int(v)
