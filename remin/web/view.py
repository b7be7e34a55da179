"""What the page shows beyond ``remin check --format json``: the contributors of
each SKU for the chart (controlled mass per part, in kg, by origin class)."""
from __future__ import annotations

import json
import math

import pandas as pd

from remin.api import CheckResult
from remin.web.checks import check_json

#: Bars per chart; smaller contributors are summed into one "others" bar.
TOP_CONTRIBUTORS = 12
#: Contributor lists are computed for at most this many SKUs (one graph walk each).
CHART_SKU_LIMIT = 200
ORIGINS = ("cn", "unknown", "other")


def page_data(result: CheckResult) -> dict:
    """{"check": the CLI's JSON without the detail, "contributors": {sku: {...}},
    "chart_sku_limit": N}."""
    a = result.assessment
    return {
        "check": json.loads(check_json(result, detail=False)),
        "contributors": {sku: contributors_of(result, sku) for sku in a.sku_list[:CHART_SKU_LIMIT]},
        "chart_sku_limit": CHART_SKU_LIMIT,
    }


def contributors_of(result: CheckResult, sku: str, top: int = TOP_CONTRIBUTORS) -> dict:
    """The ``top`` parts bringing the most controlled mass into one unit of ``sku``
    (ranked by cn, then unknown, then other kg) and the rest summed.

    Rows: part, description, extended_qty (parts per SKU unit), cn_kg, unknown_kg, other_kg."""
    df = result.assessment.contributors(sku)
    cols = [f"{o}_kg" for o in ORIGINS]
    df = df.sort_values(cols, ascending=False)
    head, rest = df.iloc[:top], df.iloc[top:]
    rows = [{"part": str(part), "description": _text(r["description"]),
             "extended_qty": _num(r["extended_qty"]), **{c: _num(r[c]) for c in cols}}
            for part, r in head.iterrows()]
    others = None
    if len(rest):
        others = {"count": int(len(rest)), **{c: _num(rest[c].sum(min_count=1)) for c in cols}}
    return {"rows": rows, "others": others, "count": int(len(df))}


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _text(v) -> str | None:
    return None if v is None or pd.isna(v) else str(v)
