"""How far a SKU's mass share can move, and where it crosses the threshold.

All three work on the mass test (domain.md §2.6: share = controlled mass of
Chinese origin / SKU mass; low bound counts unknown origin as not Chinese, high
bound as Chinese), at constant SKU mass: changing an origin or an element's
fraction of a part's mass moves controlled mass, never the mass itself.

- :func:`sensitivity` — per SKU, the parts with controlled content ranked by how
  far their origin alone can move the share (each resolved to Chinese and to
  not Chinese).
- :func:`headroom` — per SKU, the controlled mass it can still take before the
  share reaches the threshold.
- :func:`break_even` — the content of one element in one part at which a SKU's
  share reaches the threshold, solved in closed form: the share is linear in
  that content.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from remin.assess import Assessment
from remin.errors import UsageError
from remin.origins import origin_class
from remin.rollup import extended_quantities
from remin.verdicts import verdicts

BOUNDS = ("low", "high")


def _sku_figures(a: Assessment, sku: str) -> tuple[float, float, float]:
    a._position(sku)                        # a clear error for a part not in the BOM
    r = a.results.loc[sku]
    return float(r["mass_kg"]), float(r["controlled_cn_kg"]), float(r["controlled_unknown_kg"])


def sensitivity(a: Assessment, sku: str) -> pd.DataFrame:
    """Parts with controlled content in ``sku`` (any part: a SKU or an assembly),
    ranked by ``swing``: how far each part's rare-earth origin alone can move the
    SKU's mass share, from all of its controlled content not Chinese to all Chinese.

    Columns (kg per one unit of the SKU; shares as fractions, 0.001 = 0.1 %):
    description, extended_qty (base units of the part in one SKU), part_mass_kg
    (their mass), cn_kg / other_kg / unknown_kg / controlled_kg (their controlled
    content by origin class), swing (controlled_kg / SKU mass), low_if_not_cn,
    high_if_not_cn, verdict_if_not_cn (the SKU's interval and verdict with this
    part's content resolved to not Chinese, the rest as it is), low_if_cn,
    high_if_cn, verdict_if_cn (resolved to Chinese), decides (the two verdicts
    differ: this part's origin alone decides the SKU), share_per_wt_pct (how much
    the share rises per 1 wt% more Chinese-origin controlled content in the part).
    """
    mass, cn, unknown = _sku_figures(a, sku)
    c = a.contributors(sku)
    out = pd.DataFrame(index=c.index)
    out["description"] = c["description"]
    out["extended_qty"] = c["extended_qty"]
    part_mass = a.results.loc[c.index, "mass_kg"].to_numpy(float)
    out["part_mass_kg"] = c["extended_qty"].to_numpy(float) * part_mass
    for cls in ("cn", "other", "unknown"):
        out[f"{cls}_kg"] = c[f"{cls}_kg"].fillna(0.0) if len(c) else pd.Series(dtype=float)
    out["controlled_kg"] = out["cn_kg"] + out["other_kg"] + out["unknown_kg"]
    d = mass if mass > 0 else np.nan
    out["swing"] = out["controlled_kg"] / d
    t = a.rules.threshold
    # resolved to not Chinese: its cn and unknown content leave the numerators
    out["low_if_not_cn"] = (cn - out["cn_kg"]) / d
    out["high_if_not_cn"] = (cn + unknown - out["cn_kg"] - out["unknown_kg"]) / d
    # resolved to Chinese: its other and unknown content join the low numerator
    out["low_if_cn"] = (cn + out["other_kg"] + out["unknown_kg"]) / d
    out["high_if_cn"] = (cn + unknown + out["other_kg"]) / d
    masses = np.full(len(out), mass)
    out["verdict_if_not_cn"] = verdicts(out["low_if_not_cn"], out["high_if_not_cn"], masses, t)
    out["verdict_if_cn"] = verdicts(out["low_if_cn"], out["high_if_cn"], masses, t)
    out["decides"] = out["verdict_if_not_cn"] != out["verdict_if_cn"]
    out["share_per_wt_pct"] = out["part_mass_kg"] * 0.01 / d
    return out.sort_values(["swing", "controlled_kg"], ascending=False, kind="stable")


def headroom(a: Assessment, skus=None) -> pd.DataFrame:
    """Per SKU (default the reported ones), the Chinese-origin controlled mass it can
    still take, at constant SKU mass, before its share reaches the threshold.

    Columns: mass_kg, controlled_cn_kg, controlled_unknown_kg, threshold, limit_kg
    (threshold x mass: the controlled mass at which the share reaches the line),
    headroom_kg (limit − cn: the SKU stays below the line on the low bound while
    added Chinese-origin content is less than this; ≤ 0: already at or above),
    headroom_if_unknown_cn_kg (limit − cn − unknown: the same if all unknown-origin
    content turned out Chinese), headroom_share / headroom_share_if_unknown_cn (the
    same as fractions of the SKU mass: threshold − low, threshold − high).
    """
    skus = list(a.sku_list if skus is None else ([skus] if isinstance(skus, str) else skus))
    for s in skus:
        a._position(s)
    r = a.results.loc[skus]
    t = a.rules.threshold
    out = pd.DataFrame(index=pd.Index(skus, name="sku"))
    out["description"] = r["description"]
    out["mass_kg"] = r["mass_kg"]
    out["controlled_cn_kg"] = r["controlled_cn_kg"]
    out["controlled_unknown_kg"] = r["controlled_unknown_kg"]
    out["threshold"] = t
    out["limit_kg"] = t * out["mass_kg"]
    out["headroom_kg"] = out["limit_kg"] - out["controlled_cn_kg"]
    out["headroom_if_unknown_cn_kg"] = out["headroom_kg"] - out["controlled_unknown_kg"]
    out["headroom_share"] = t - r["mass_share_low"]
    out["headroom_share_if_unknown_cn"] = t - r["mass_share_high"]
    return out


@dataclass(frozen=True)
class BreakEven:
    """The content of ``element`` in ``part`` at which ``sku``'s mass share (its
    ``bound``) reaches ``threshold``.

    ``fraction``: of the part's mass (0.033 = 3.3 wt%); ``kg_per_unit``: element
    mass per base unit of the part (per piece, per kg, per m). At this content the
    share equals the threshold, which counts as above (share ≥ threshold); any
    less is below it. ``current_*``: the content declared now (in ``origin_class``).
    ``slope``: the share per unit of fraction (share = intercept + slope x fraction).
    ``status``: "ok"; "already-crossed" (the bound is at or above the threshold
    even with none of this content: the solution is ≤ 0); "unreachable" (it would
    take more than the part's whole mass); "no-effect" (content of this origin
    does not count in this bound, or the element is not controlled on the date);
    "not-reached" (the part is not in the SKU, or a part above it declares its
    own composition); "no-data" (a mass is unknown).
    """

    sku: str
    part: str
    element: str
    origin_class: str
    bound: str
    threshold: float
    fraction: float
    kg_per_unit: float
    current_fraction: float
    current_kg_per_unit: float
    extended_qty: float
    part_mass_kg: float
    sku_mass_kg: float
    slope: float
    status: str
    message: str

    def __str__(self) -> str:
        return self.message


def break_even(a: Assessment, sku: str, part: str, element: str, *, bound: str = "low",
               origin: str | None = None) -> BreakEven:
    """Solve exactly for the content of ``element`` in ``part`` at which the mass
    share of ``sku`` (a SKU or any assembly holding ``part``) reaches the threshold.

    Model: one unit of ``sku`` holds ``x`` base units of ``part`` (all paths summed),
    each of mass ``m`` kg; the element is a fraction ``f`` of the part's mass, and
    the part's mass does not change with ``f`` (the element takes the place of
    other material), so the SKU mass ``M`` stays too. The SKU's numerator without
    this content is ``N0``; then share(f) = (N0 + x·m·f) / M, linear in f, and
    the break-even is f* = (threshold·M − N0) / (x·m). Content declared as a mass
    per unit is the same model with k = m·f (kg per unit).

    ``bound``: "low" (crossing makes the SKU "above") or "high" (crossing makes it
    leave "below"; unknown-origin content counts as Chinese). ``origin``: origin
    of the content solved for (ISO code); default that of the part's existing
    rows of the element (one origin required), else the part's rare-earth origin,
    else CN if made in China, else unknown (domain.md §2.4). Rows of the element
    from other origins stay as they are.
    """
    if bound not in BOUNDS:
        raise UsageError(f"bound must be 'low' or 'high', not {bound!r}")
    mass, cn, unknown = _sku_figures(a, sku)
    p = a._position(part)
    s = a._position(sku)
    bom = a.bom
    comp = bom.composition
    rows = comp[(comp["part"] == part) & (comp["element"] == element)]
    parts = bom.parts
    if a.graph.has_children[p] and not a.composition_declared[p]:
        raise UsageError(f"{part} is an assembly whose content comes from its parts: choose one of them")
    cls = _content_class(rows, parts, part, element, origin)
    x = float(extended_quantities(a.graph, s, a.composition_declared)[p])
    m = float(a.results.at[part, "mass_kg"])
    t = a.rules.threshold
    own = rows[origin_class(rows, parts) == cls] if len(rows) else rows
    current_kg = float(np.nansum(np.where(own["kg"].notna(), own["kg"].to_numpy(float),
                                          own["fraction"].to_numpy(float) * m))) if len(own) else 0.0
    counts = cls == "cn" or (cls == "unknown" and bound == "high")
    if element not in a.elements:
        counts = False
    base = cn + (unknown if bound == "high" else 0.0) - (x * current_kg if counts else 0.0)
    k = (t * mass - base) / x if counts and x > 0 else np.nan
    f = k / m if m > 0 else np.nan
    status = _status(counts, x, mass, m, k, f, element in a.elements)
    slope = x * m / mass if mass > 0 else np.nan
    result = dict(sku=sku, part=part, element=element, origin_class=cls, bound=bound, threshold=t,
                  fraction=f, kg_per_unit=k, current_fraction=current_kg / m if m > 0 else np.nan,
                  current_kg_per_unit=current_kg, extended_qty=x, part_mass_kg=m, sku_mass_kg=mass,
                  slope=slope if counts else 0.0, status=status)
    return BreakEven(**result, message=_message(**result, controlled=element in a.elements))


def _content_class(rows: pd.DataFrame, parts: pd.DataFrame, part: str, element: str, origin) -> str:
    if origin is not None:
        from remin.countries import to_iso2_one
        code = to_iso2_one(str(origin))
        if code is None:
            raise UsageError(f"origin {origin!r} is not a country remin knows (give an ISO code such as JP)")
        return "cn" if code == "CN" else "other"
    if len(rows):
        classes = set(origin_class(rows, parts))
        if len(classes) > 1:
            raise UsageError(f"{part} declares {element} of several origin classes ({', '.join(sorted(classes))}):"
                             " say which with origin=")
        return classes.pop()
    probe = pd.DataFrame({"part": [part], "origin": pd.array([pd.NA], dtype="string")})
    return str(origin_class(probe, parts)[0])


def _status(counts, x, mass, m, k, f, controlled) -> str:
    if not controlled or not counts:
        return "no-effect"
    if np.isnan(mass) or np.isnan(m) or not mass > 0:
        return "no-data"
    if not x > 0:
        return "not-reached"
    if k <= 0:
        return "already-crossed"
    if f > 1:
        return "unreachable"
    return "ok"


def _message(*, sku, part, element, origin_class, bound, threshold, fraction, kg_per_unit, current_fraction,
             current_kg_per_unit, status, controlled, **_) -> str:
    where = f"{element} ({origin_class} origin) in {part}"
    line = f"{bound} share of {sku} reaching {threshold:.2%}"
    now = f"now {current_fraction:.4%}" if not np.isnan(current_fraction) else f"now {current_kg_per_unit:.6g} kg/unit"
    if status == "ok":
        return f"{where}: the {line} at {fraction:.4%} of the part's mass ({kg_per_unit:.6g} kg per unit; {now})"
    if status == "already-crossed":
        return f"{where}: the {line} already without any of it ({now})"
    if status == "unreachable":
        return f"{where}: the {line} would need {fraction:.4%} of the part's mass, more than the part ({now})"
    if status == "no-effect":
        why = (f"{element} is not controlled on this date" if not controlled
               else f"{origin_class}-origin content does not count in the {bound} share")
        return f"{where}: cannot move the {line}: {why}"
    if status == "not-reached":
        return f"{where}: does not reach {sku} (not in it, or a part above declares its own composition)"
    return f"{where}: a mass is unknown, so the {line} cannot be solved"
