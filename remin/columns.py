"""Header synonyms (data/columns.toml) and the mapping of a sheet's headers to
remin's canonical fields.

A header maps to a field when its normalised text (lower case, single spaces, no
trailing ':', unit in brackets split off) is one of the field's synonyms, or when
a user mapping names it. Element columns ("Dy [wt%]", "Tb (g)", "Dysprosium ppm")
are recognised separately and carry their element and unit.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from remin.elements import element_symbol
from remin.paths import data_path
from remin.units import header_unit, parse_unit

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    role: str
    description: str
    synonyms: tuple[str, ...]


@lru_cache(maxsize=1)
def field_specs() -> dict[str, FieldSpec]:
    """The canonical fields, in the order of data/columns.toml."""
    with open(data_path("columns.toml"), "rb") as f:
        raw = tomllib.load(f)
    return {name: FieldSpec(name, t["kind"], t["role"], t["description"],
                            tuple(normalise_header(s) for s in t["synonyms"]))
            for name, t in raw.items()}


@lru_cache(maxsize=1)
def _synonym_index() -> dict[str, tuple[str, int]]:
    """normalised synonym -> (field, priority); the first field listing a synonym owns it."""
    index: dict[str, tuple[str, int]] = {}
    for spec in field_specs().values():
        for prio, syn in enumerate(spec.synonyms):
            index.setdefault(syn, (spec.name, prio))
    return index


def normalise_header(text) -> str:
    """Lower case, single spaces, no surrounding blanks or trailing ':'."""
    return _SPACES.sub(" ", str(text)).strip().rstrip(":").strip().lower()


@dataclass(frozen=True)
class ElementColumn:
    header: str        # as in the file
    element: str       # symbol
    unit: str          # fraction or mass unit, e.g. "wt%", "g"


@dataclass
class HeaderMap:
    """How one sheet's headers map to fields."""

    fields: dict[str, list[str]] = field(default_factory=dict)   # field -> header(s) (a list = first non-blank)
    units: dict[str, str] = field(default_factory=dict)          # field -> unit given in its header
    elements: list[ElementColumn] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (field, used header, ignored header)


_ELEMENT_HEADER = re.compile(
    r"^(?P<el>[A-Za-z]{1,2}|[A-Za-z]{3,13})(?:\s+(?:content|conc\.?|concentration|mass|fraction))?"
    r"\s*(?P<unit>wt\s?%|wt\.%|%|ppm|ppmw|ppb|mg/kg|g/kg)?$")


def element_header(header: str) -> ElementColumn | None:
    """Recognise an element column such as 'Dy [wt%]', 'Tb (g)', 'Dy wt%', 'Dysprosium (ppm)'.

    A bare symbol without a unit ('Dy') is not taken: too many ERP columns are
    two-letter codes. The unit must be a fraction or a mass (per unit of the part).
    """
    name, unit = header_unit(str(header))
    name = name.strip()
    if unit is None:
        m = _ELEMENT_HEADER.match(name)
        if not m or not m.group("unit"):
            return None
        name, unit = m.group("el"), m.group("unit").replace(" ", "")
    else:
        m = _ELEMENT_HEADER.match(name)
        if not m or m.group("unit"):
            return None
        name = m.group("el")
    symbol = element_symbol(name)
    if symbol is None:
        return None
    kind = parse_unit(unit).kind
    if kind not in ("fraction", "mass", "mass_per_count"):
        return None
    return ElementColumn(str(header), symbol, unit)


def map_headers(headers, user_columns: dict[str, list[str]] | None = None) -> HeaderMap:
    """Map a sheet's headers to canonical fields.

    ``user_columns`` (from a mapping file) names headers for fields directly and wins.
    """
    hm = HeaderMap()
    specs = field_specs()
    by_norm = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), str(h))
    taken: set[str] = set()
    for fld, wanted in (user_columns or {}).items():
        found = [by_norm[normalise_header(w)] for w in wanted if normalise_header(w) in by_norm]
        if found:
            hm.fields[fld] = found
            taken.update(found)
            _, unit = header_unit(found[0])
            if unit:
                hm.units[fld] = unit
    best: dict[str, tuple[int, str]] = {}
    index = _synonym_index()
    for h in headers:
        h = str(h)
        if h in taken:
            continue
        norm = normalise_header(h)
        hit = index.get(norm)
        unit = None
        if hit is None:
            base, unit = header_unit(h)
            hit = index.get(normalise_header(base)) if unit else None
        if hit is None:
            el = element_header(h)
            if el is not None:
                hm.elements.append(el)
            else:
                hm.unmapped.append(h)
            continue
        fld, prio = hit
        if fld in hm.fields and fld not in best:
            hm.unmapped.append(h)     # the user mapping already decided this field
            continue
        if fld in best:
            old_prio, old_h = best[fld]
            if prio < old_prio:
                hm.duplicates.append((fld, h, old_h))
                best[fld] = (prio, h)
            else:
                hm.duplicates.append((fld, old_h, h))
            continue
        best[fld] = (prio, h)
        if unit:
            hm.units[fld] = unit
    for fld, (_, h) in best.items():
        hm.fields[fld] = [h]
        if fld not in hm.units:
            _, unit = header_unit(h)
            if unit:
                hm.units[fld] = unit
    hm.fields = {k: hm.fields[k] for k in specs if k in hm.fields}
    return hm


def header_score(cells) -> int:
    """How much a row of cells looks like a header: the number of distinct fields it names."""
    hits = set()
    for c in cells:
        if c is None or (isinstance(c, float) and c != c):
            continue
        field = _field_of_cell(str(c))
        if field is not None:
            hits.add(field)
    return len(hits)


@lru_cache(maxsize=65536)
def _field_of_cell(text: str) -> str | None:
    """The field a header cell names ('element' for an element column), cached: the
    header search scores the same title and header cells for several delimiters."""
    if len(text) > 200:              # prose or data, never a header
        return None
    index = _synonym_index()
    hit = index.get(normalise_header(text))
    if hit is None:
        base, unit = header_unit(text)
        hit = index.get(normalise_header(base)) if unit else None
    if hit is not None:
        return hit[0]
    return "element" if element_header(text) is not None else None
