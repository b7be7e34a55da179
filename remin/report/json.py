"""The JSON report of ``remin check --format json`` (domain.md §2.7)."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from remin import __version__
from remin.assess import ORIGIN_CLASSES, Assessment


def _num(v):
    """JSON number or null (NaN and missing become null, never 0)."""
    if v is None or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _opt(v):
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v


def sku_record(a: Assessment, sku: str) -> dict:
    r = a.results.loc[sku]
    value_share = None
    if not (pd.isna(r["value_share_low"]) and pd.isna(r["value_share_high"])):
        value_share = {"low": _num(r["value_share_low"]), "high": _num(r["value_share_high"])}
    rec = {
        "sku": sku,
        "description": _opt(r["description"]),
        "mass_kg": _num(r["mass_kg"]),
        "controlled_mass_kg": {c: _num(r[f"controlled_{c}_kg"]) for c in ORIGIN_CLASSES},
        "controlled_by_element_kg": {el: {c: _num(r[f"{el}_{c}_kg"]) for c in ORIGIN_CLASSES}
                                     for el in a.elements},
        "mass_share": {"low": _num(r["mass_share_low"]), "high": _num(r["mass_share_high"])},
        "mass_verdict": r["mass_verdict"],
        "value": _num(r["value"]),
        "currency": _opt(r["currency"]),
        "value_share": value_share,
        "value_verdict": r["value_verdict"],
        "part2_scope": None if pd.isna(r["part2_scope"]) else bool(r["part2_scope"]),
        "cn_technology": bool(r["cn_technology"]),
        "verdict": r["verdict"],
        "decided_by": r["decided_by"],
        "top_contributor": _opt(r["top_contributor"]),
        # beside §2.7: how the value test was made, and what a licence application can expect
        "value_basis": _opt(r["value_basis"]),
        "value_part1": {c: _num(r[f"value_part1_{c}"]) for c in ORIGIN_CLASSES},
        "value_estimated": {c: _num(r[f"value_estimated_{c}"]) for c in ORIGIN_CLASSES},
        "part1_cn_present": None if pd.isna(r["part1_cn_present"]) else bool(r["part1_cn_present"]),
        "licensing_outlook": None if pd.isna(r["licensing_outcome"]) else {
            "outcome": r["licensing_outcome"], "article": _opt(r["licensing_article"]),
            "text": _opt(r["licensing_text"])},
    }
    return rec


def to_dict(a: Assessment, frames=None) -> dict:
    """The §2.7 report; with ``frames`` (remin.report.frames.ReportFrames) also the
    workbook's detail: per-SKU ``contributors``, ``where_used``, ``rules.instruments``
    and ``generated_at`` (see remin.report.detail)."""
    rules = a.rules.to_dict()
    out = {
        "remin_version": __version__,
        "rules": rules,
        "inputs": [f.to_dict() for f in a.bom.inputs],
        "valuation": dict(a.valuation),
        "skus": [sku_record(a, s) for s in a.sku_list],
        "findings": [f.to_dict() for f in a.findings],
    }
    if frames is not None:
        from remin.report.detail import add_detail
        add_detail(out, frames)
    return out


#: Above this many SKU and detail records the JSON is written compact: Python's
#: indenting encoder is pure Python and would dominate a large run.
PRETTY_LIMIT = 5000


def to_json(a: Assessment, indent: int | None = 2, frames=None) -> str:
    report = to_dict(a, frames)
    size = len(report["skus"]) + sum(len(s.get("contributors", ())) for s in report["skus"]) \
        + len(report.get("where_used", ()))
    return json.dumps(report, indent=indent if size <= PRETTY_LIMIT else None, ensure_ascii=False,
                      default=_default)


def _default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return _num(o)
    if isinstance(o, (np.bool_,)):
        return bool(o)
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return str(o)
