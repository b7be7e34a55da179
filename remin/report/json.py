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
    """The §2.7 record of one reported SKU."""
    return sku_records(a, [sku])[0]


def _nums(col: pd.Series) -> list:
    """JSON numbers or None (NaN, inf and missing become null, never 0), column-wise."""
    x = col.to_numpy(dtype=float, na_value=np.nan)
    return [v if ok else None for v, ok in zip(x.tolist(), np.isfinite(x).tolist())]


def _opts(col: pd.Series) -> list:
    """Values with missing ones (None, NA, NaN) as None."""
    return [_opt(v) for v in col.astype(object).tolist()]


def _flags(col: pd.Series) -> list:
    """True / False, or None where unknown (NA)."""
    return [None if v is None else bool(v) for v in _opts(col)]


def _classes(rows: pd.DataFrame, pattern: str) -> list[dict]:
    """{cn, other, unknown} per row from the columns ``pattern.format(class)``."""
    cols = [_nums(rows[pattern.format(c)]) for c in ORIGIN_CLASSES]
    return [dict(zip(ORIGIN_CLASSES, vals)) for vals in zip(*cols)]


def sku_records(a: Assessment, skus) -> list[dict]:
    """The §2.7 records of ``skus``, built column by column (a per-SKU row lookup in a
    frame of every part costs milliseconds each)."""
    rows = a.results.loc[list(skus)]
    if not len(rows):
        return []
    by_element = [_classes(rows, f"{el}_{{}}_kg") for el in a.elements]
    low, high = _nums(rows["value_share_low"]), _nums(rows["value_share_high"])
    outcome = _opts(rows["licensing_outcome"])
    article, text = _opts(rows["licensing_article"]), _opts(rows["licensing_text"])
    mass_low, mass_high = _nums(rows["mass_share_low"]), _nums(rows["mass_share_high"])
    columns = zip(
        list(skus), _opts(rows["description"]), _nums(rows["mass_kg"]), _classes(rows, "controlled_{}_kg"),
        zip(*by_element) if by_element else ((),) * len(rows), mass_low, mass_high,
        rows["mass_verdict"].tolist(), _nums(rows["value"]), _opts(rows["currency"]), low, high,
        rows["value_verdict"].tolist(), _flags(rows["part2_scope"]), rows["cn_technology"].tolist(),
        rows["verdict"].tolist(), rows["decided_by"].tolist(), _opts(rows["top_contributor"]),
        _opts(rows["value_basis"]), _classes(rows, "value_part1_{}"), _classes(rows, "value_estimated_{}"),
        _flags(rows["part1_cn_present"]), outcome, article, text)
    out = []
    for (sku, desc, mass, controlled, elements, m_low, m_high, m_verdict, value, currency, v_low, v_high,
         v_verdict, scope, cn_tech, verdict, decided_by, top, basis, part1, estimated, cn_present, outcome,
         article, text) in columns:
        out.append({
            "sku": sku,
            "description": desc,
            "mass_kg": mass,
            "controlled_mass_kg": controlled,
            "controlled_by_element_kg": dict(zip(a.elements, elements)),
            "mass_share": {"low": m_low, "high": m_high},
            "mass_verdict": m_verdict,
            "value": value,
            "currency": currency,
            "value_share": None if v_low is None and v_high is None else {"low": v_low, "high": v_high},
            "value_verdict": v_verdict,
            "part2_scope": scope,
            "cn_technology": bool(cn_tech),
            "verdict": verdict,
            "decided_by": decided_by,
            "top_contributor": top,
            # beside §2.7: how the value test was made, and what a licence application can expect
            "value_basis": basis,
            "value_part1": part1,
            "value_estimated": estimated,
            "part1_cn_present": cn_present,
            "licensing_outlook": None if outcome is None else {"outcome": outcome, "article": article,
                                                               "text": text},
        })
    return out


def to_dict(a: Assessment, frames=None, raw=None) -> dict:
    """The §2.7 report; with ``frames`` (remin.report.frames.ReportFrames) also the
    workbook's detail: per-SKU ``contributors``, ``where_used``, ``rules.instruments``
    and ``generated_at`` (see remin.report.detail; ``raw``: its placeholders)."""
    rules = a.rules.to_dict()
    out = {
        "remin_version": __version__,
        "rules": rules,
        "inputs": [f.to_dict() for f in a.bom.inputs],
        "valuation": dict(a.valuation),
        "skus": sku_records(a, a.sku_list),
        "findings": [f.to_dict() for f in a.findings],
    }
    if frames is not None:
        from remin.report.detail import add_detail
        add_detail(out, frames, raw)
    return out


#: Above this many SKU and detail records the JSON is written compact: Python's
#: indenting encoder is pure Python and would dominate a large run.
PRETTY_LIMIT = 5000


def to_json(a: Assessment, indent: int | None = 2, frames=None) -> str:
    if frames is not None:
        from remin.report.detail import detail_size
        from remin.report.jsontext import RawTexts
        if indent is None or detail_size(a.sku_list, frames) > PRETTY_LIMIT:
            # compact: the big detail lists are written as text column by column (same bytes)
            raw = RawTexts()
            report = to_dict(a, frames, raw)
            return raw.substitute(json.dumps(report, ensure_ascii=False, default=_default))
    report = to_dict(a, frames)
    # with frames the detail is within the limit here (else the compact path above)
    compact = frames is None and len(report["skus"]) > PRETTY_LIMIT
    return json.dumps(report, indent=None if compact else indent, ensure_ascii=False, default=_default)


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
