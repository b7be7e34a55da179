"""What-if scenarios: small edits of a Bom that return a NEW Bom.

The Bom handed in never changes: every function copies the three frames
(parts, edges, composition) and returns ``bom.replace(...)`` with the edit and
one more entry in ``bom.changes`` describing it. Scenarios chain::

    alt = bom.with_origin("MAG-N42DY", "JP").with_composition("MAG-N48TB", {"Dy": "1 wt%"})

Units follow the Bom: masses in kg per base unit of the part (per piece, per kg,
per m), values per base unit in the part's currency, fractions of the part's mass.
Bad arguments raise :class:`remin.errors.UsageError` naming what is wrong.
"""
from __future__ import annotations

import difflib
import math
import re
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from remin.bom import Bom
from remin.errors import UsageError

#: parts-frame columns a replacement part may set (``replace_part(**attributes)``)
PART_ATTRIBUTES = ("description", "mass_kg", "unit_value", "currency", "re_origin", "made_in", "control_code",
                   "part1", "part_class", "cn_technology", "supplier")
_COUNTRY_ATTRIBUTES = ("re_origin", "made_in")
_FLAG_ATTRIBUTES = ("part1", "cn_technology")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _new_bom(bom: Bom, change: str, *, parts=None, edges=None, composition=None) -> Bom:
    """A new Bom with copies of every frame (edited ones as given), so that no frame
    is shared with ``bom`` and editing one can never reach the other."""
    return bom.replace(parts=bom.parts.copy() if parts is None else parts,
                       edges=bom.edges.copy() if edges is None else edges,
                       composition=bom.composition.copy() if composition is None else composition,
                       changes=bom.changes + (change,))


def _unknown(what: str, name: str, known: Iterable[str]) -> UsageError:
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return UsageError(f"{what} {name!r} is not in the BOM{hint}")


def _part(bom: Bom, part: str) -> str:
    if part not in bom.parts.index:
        raise _unknown("part", part, bom.parts.index)
    return part


def select_parts(bom: Bom, part_or_supplier: str | Iterable[str]) -> tuple[pd.Index, str]:
    """Parts named by part number, or by supplier (matched ignoring case and outer
    blanks) where the text is not a part number. Returns (parts, a label for them)."""
    keys = [part_or_supplier] if isinstance(part_or_supplier, str) else list(part_or_supplier)
    if not keys:
        raise UsageError("no part or supplier given")
    supplier = bom.parts["supplier"].astype("string").str.strip().str.casefold()
    chosen: list[str] = []
    labels = []
    for key in keys:
        if key in bom.parts.index:
            chosen.append(key)
            labels.append(str(key))
            continue
        hit = (supplier == str(key).strip().casefold()).fillna(False).to_numpy(bool)
        if not hit.any():
            names = list(bom.parts.index) + list(bom.parts["supplier"].dropna().unique())
            raise _unknown("part or supplier", key, names)
        chosen += list(bom.parts.index[hit])
        labels.append(f"supplier {key}")
    return pd.Index(dict.fromkeys(chosen)), ", ".join(labels)


def _iso2(country: str, what: str = "origin") -> str:
    from remin.countries import to_iso2_one
    code = to_iso2_one(str(country)) if country is not None else None
    if code is None:
        raise UsageError(f"{what} {country!r} is not a country remin knows (give an ISO code such as JP)")
    return code


def with_origin(bom: Bom, part_or_supplier: str | Iterable[str], origin: str) -> Bom:
    """The rare-earth origin of some parts set to ``origin``.

    ``part_or_supplier``: a part number, a supplier name (all its parts), or a list
    of either. ``origin``: ISO alpha-2/alpha-3 code or country name ("JP", "Japan").
    Sets the parts' ``re_origin`` and the origin of each of their composition rows
    (a row's own origin would otherwise win over the part's, domain.md §2.4).
    Only the named parts change: parts below a named assembly keep their origins
    (name them, or their supplier, to change them too). ``made_in`` is kept; it
    only matters where no rare-earth origin is known, which is no longer the case.
    """
    parts_sel, label = select_parts(bom, part_or_supplier)
    code = _iso2(origin)
    parts = bom.parts.copy()
    parts["re_origin"] = parts["re_origin"].astype("string")
    parts.loc[parts_sel, "re_origin"] = code
    comp = bom.composition.copy()
    comp["origin"] = comp["origin"].astype("string")
    comp.loc[comp["part"].isin(parts_sel), "origin"] = code
    return _new_bom(bom, f"{label}: RE origin {code}", parts=parts, composition=comp)


def parse_amounts(amounts: Mapping[str, str | float], base_kind: str) -> pd.DataFrame:
    """``{"Dy": "2 wt%", "Dy2O3": "0.5 g", "Tb": 0.004}`` -> rows (substance, element,
    fraction, kg): ``fraction`` of the part's mass or ``kg`` per base unit of the part
    (``base_kind`` "count": per piece; "length": a mass per length such as "12 g/m").
    A bare number is a mass fraction (0.02 = 2 %). Substances (formulas, CAS numbers,
    names) are split into their elements."""
    from remin.composition import resolve_substances
    from remin.compositions import AMOUNT_KINDS
    from remin.units import split_value_unit, to_base

    if not amounts:
        raise UsageError("no amounts given (e.g. {'Dy': '2 wt%'})")
    rows = []
    for substance, amount in amounts.items():
        if isinstance(amount, (int, float, np.number)) and not isinstance(amount, bool):
            value = float(amount)
            if not (0.0 <= value <= 1.0):
                raise UsageError(f"{substance}: a bare number is a mass fraction between 0 and 1; write a unit "
                                 f"for anything else (e.g. '{value:g} wt%')")
            rows.append((substance, value, np.nan))
            continue
        values, units, bad = split_value_unit(pd.Series([str(amount)]))
        if bad[0] or np.isnan(values[0]) or pd.isna(units.iloc[0]):
            raise UsageError(f"{substance}: {amount!r} is not a number with a unit (e.g. '2 wt%', '120 ppm', "
                             "'1.2 g')")
        conv = to_base(values, units.to_numpy(object), allowed=AMOUNT_KINDS)
        kind = conv.kind[0]
        if conv.bad[0]:
            raise UsageError(f"{substance}: {amount!r}: {conv.reason[0]}")
        if conv.values[0] < 0:
            raise UsageError(f"{substance}: {amount!r} is negative")
        if kind == "fraction":
            rows.append((substance, conv.values[0], np.nan))
        elif kind in ("mass", f"mass_per_{base_kind}"):
            rows.append((substance, np.nan, conv.values[0]))
        else:
            raise UsageError(f"{substance}: {amount!r} does not fit a part counted by {base_kind} (use a "
                             "fraction such as '2 wt%' or a mass per base unit)")
    given = pd.DataFrame(rows, columns=["substance", "frac_sub", "kg_sub"])
    resolved, reasons = resolve_substances(given["substance"].astype("string"))
    bad = reasons.dropna()
    if len(bad):
        raise UsageError("; ".join(f"{s!r}: {why}" for s, why in bad.items()))
    out = given.merge(resolved.rename(columns={"fraction": "el_frac"}), on="substance", how="inner")
    out["fraction"] = out["frac_sub"] * out["el_frac"]
    out["kg"] = out["kg_sub"] * out["el_frac"]
    return out[["substance", "element", "fraction", "kg"]]


def _kept_origin(rows: pd.DataFrame, part: str, element: str):
    """The one origin the part's existing rows of ``element`` have (NA = the part's),
    so a changed content keeps its declared origin. Several origins: ambiguous."""
    origins = rows["origin"].astype("string").unique()
    if len(origins) > 1:
        shown = ", ".join("the part's" if pd.isna(o) else str(o) for o in origins)
        raise UsageError(f"{part} declares {element} from several origins ({shown}): say which with origin=")
    return origins[0] if len(origins) else pd.NA


def with_composition(bom: Bom, part: str, amounts: Mapping[str, str | float], *, origin: str | None = None) -> Bom:
    """The content of some elements in ``part`` replaced.

    ``amounts``: element symbol, chemical formula, CAS number or substance name ->
    amount: a string with a unit ("2 wt%", "120 ppm", "1.2 g" per piece, "12 g/m"
    for a part counted in metres) or a bare number as a mass fraction (0.02 = 2 %).
    Every existing row of ``part`` for the elements the amounts name is dropped and
    the new rows take their place; other elements of the part stay. "0 wt%" removes
    an element. A fraction is of the part's own mass, which does not change (the
    element takes the place of other material).
    ``origin``: the origin of the new content (ISO code or country); default the
    origin the replaced rows had (the part's rare-earth origin where they had none).
    """
    from remin.compositions import COMPOSITION_COLUMNS

    _part(bom, part)
    base_kind = bom.parts.at[part, "base_kind"]
    new = parse_amounts(amounts, base_kind if isinstance(base_kind, str) else "count")
    comp = bom.composition
    mine = comp["part"] == part
    replaced = mine & comp["element"].isin(new["element"])
    if origin is not None:
        new["origin"] = _iso2(origin)
    else:
        new["origin"] = [_kept_origin(comp.loc[replaced & (comp["element"] == el)], part, el)
                         for el in new["element"]]
    src = bom.parts.loc[part, ["src_file", "src_sheet", "src_row"]]
    new = new.assign(part=part, basis="scenario", src_file=src["src_file"], src_sheet=src["src_sheet"],
                     src_row=src["src_row"])
    kept_fractions = comp.loc[mine & ~replaced, "fraction"].sum()
    total = kept_fractions + new["fraction"].sum()
    if total > 1 + 1e-9:
        raise UsageError(f"{part}: mass fractions would add up to {total:.2%} of the part")
    merged = pd.concat([comp.loc[~replaced], new.reindex(columns=COMPOSITION_COLUMNS)], ignore_index=True)
    merged["origin"] = merged["origin"].astype("string")
    what = ", ".join(f"{k} {v}" for k, v in amounts.items())
    return _new_bom(bom, f"{part}: {what}" + (f" ({_iso2(origin)})" if origin is not None else ""),
                    composition=merged)


def _checked_attributes(attributes: Mapping) -> dict:
    unknown = set(attributes) - set(PART_ATTRIBUTES)
    if unknown:
        raise UsageError(f"unknown part attribute(s) {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(PART_ATTRIBUTES)}")
    out = dict(attributes)
    for name in _COUNTRY_ATTRIBUTES:
        if out.get(name) is not None:
            out[name] = _iso2(out[name], name)
    if out.get("currency") is not None:
        out["currency"] = _currency(out["currency"])
    for name in ("mass_kg", "unit_value"):
        if name in out and out[name] is not None:
            out[name] = _non_negative(out[name], name)
    return out


def _set_cell(frame: pd.DataFrame, row, column: str, value) -> None:
    """Set one cell, first giving the column a dtype that holds the value (an
    all-blank text column may come in as a pyarrow null column, which holds nothing)."""
    if column in _FLAG_ATTRIBUTES:
        frame[column] = frame[column].astype("boolean")
        value = pd.NA if value is None else bool(value)
    elif column in ("mass_kg", "unit_value"):
        value = np.nan if value is None else value
    else:
        frame[column] = frame[column].astype("string")
        value = pd.NA if value is None else str(value)
    frame.at[row, column] = value


def _non_negative(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{what} {value!r} is not a number") from None
    if not math.isfinite(v) or v < 0:
        raise UsageError(f"{what} must be a finite number >= 0, got {value!r}")
    return v


def _currency(code: str) -> str:
    c = str(code).strip().upper()
    if not _CURRENCY.match(c):
        raise UsageError(f"currency {code!r} is not an ISO 4217 code such as USD or EUR")
    return c


def replace_part(bom: Bom, old: str, new: str, **attributes) -> Bom:
    """Every use of ``old`` taken by ``new``, with the same quantities.

    ``new`` either is a part of the BOM (it must be counted in the same kind of
    unit as ``old``, since quantities carry over), or is a new part number: then it
    starts as a copy of ``old`` — attributes, composition and children — and
    ``attributes`` change it, e.g. ``mass_kg=0.0298`` (kg per base unit),
    ``re_origin="JP"`` (also the origin of each of its composition rows, as
    :func:`with_origin` sets it), ``unit_value=1.8, currency="USD"``,
    ``supplier="..."`` (names in PART_ATTRIBUTES). Chain ``.with_composition(new, ...)`` to change
    its content. ``old`` stays in the parts table, unused. A SKU (root) cannot be
    replaced: compare two BOMs instead.
    """
    _part(bom, old)
    if old in bom.roots:
        raise UsageError(f"{old} is a SKU (a root of the BOM) and has no uses to replace; compare two BOMs instead")
    attrs = _checked_attributes(attributes)
    parts, comp, edges = bom.parts.copy(), bom.composition.copy(), bom.edges.copy()
    if new in parts.index:
        if parts.at[new, "base_kind"] != parts.at[old, "base_kind"]:
            raise UsageError(f"{new} is counted by {parts.at[new, 'base_kind']} but {old} by "
                             f"{parts.at[old, 'base_kind']}: the quantities would not carry over")
        if new == old:
            raise UsageError("old and new are the same part")
    else:
        parts.loc[new] = parts.loc[old]
        own = comp[comp["part"] == old].assign(part=new)
        comp = pd.concat([comp, own], ignore_index=True)
        children = edges[edges["parent"] == old].assign(parent=new)
        edges = pd.concat([edges, children], ignore_index=True)
    for name, value in attrs.items():
        _set_cell(parts, new, name, value)
    if "re_origin" in attrs:
        # the origin of the part's rare-earth content, as with_origin sets it
        comp["origin"] = comp["origin"].astype("string")
        comp.loc[comp["part"] == new, "origin"] = attrs["re_origin"] if attrs["re_origin"] is not None else pd.NA
    edges.loc[edges["child"] == old, "child"] = new
    detail = f" ({', '.join(f'{k}={v}' for k, v in attrs.items())})" if attrs else ""
    return _new_bom(bom, f"{old} replaced by {new}{detail}", parts=parts, edges=edges, composition=comp)


def with_value(bom: Bom, part: str, value: float, currency: str | None = None) -> Bom:
    """The unit value of ``part`` set to ``value`` per base unit (per piece, per kg
    for parts counted by mass, per m for parts counted by length), in ``currency``
    (ISO 4217; default the part's own currency, else the BOM's main currency). A
    declared value wins over the roll-up of the part's children."""
    _part(bom, part)
    v = _non_negative(value, "value")
    parts = bom.parts.copy()
    _set_cell(parts, part, "unit_value", v)
    if currency is not None:
        _set_cell(parts, part, "currency", _currency(currency))
    cur = parts.at[part, "currency"]
    shown = f"{v:g} {cur}" if isinstance(cur, str) else f"{v:g}"
    return _new_bom(bom, f"{part}: unit value {shown}", parts=parts)
