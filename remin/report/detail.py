"""The workbook's detail in the JSON report (keys added beside domain.md §2.7's,
none of those renamed).

Per SKU, ``contributors``: one record per path, element and origin class with
``path`` (list of part numbers, SKU first), ``part``, ``extended_qty``,
``base_unit``, ``element``, ``origin_class``, ``mass_kg``, ``mass_share``,
``value``, ``value_basis``, ``value_share``, ``source`` {file, sheet, row}.
Top level: ``where_used`` (per controlled part, its uses), ``generated_at``, and
``rules.instruments`` / ``rules.status_after_suspension``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from remin.report.frames import ReportFrames
from remin.treepaths import PATH_SEP

_CONTRIBUTOR_KEYS = ("part", "description", "extended_qty", "base_unit", "element", "origin_class", "mass_kg",
                     "mass_share", "value", "currency", "value_basis", "value_share", "re_origin", "made_in",
                     "supplier")
_WHERE_USED_KEYS = ("sku", "extended_qty", "base_unit", "counted", "cn_kg", "other_kg", "unknown_kg", "elements")


def add_detail(report: dict, frames: ReportFrames) -> dict:
    """Add the detail keys to a ``to_dict`` report in place; returns it."""
    c = frames.contributors
    by_sku = {sku: g for sku, g in c.groupby("sku", sort=False)} if len(c) else {}
    for rec in report["skus"]:
        rows = by_sku.get(rec["sku"])
        rec["contributors"] = [] if rows is None else _contributor_records(rows)
    report["where_used"] = _where_used_records(frames.where_used)
    report["generated_at"] = frames.meta.get("generated_at")
    report["rules"]["instruments"] = json_records(frames.instruments)
    report["rules"]["status_after_suspension"] = frames.rules.set_index("field").at[
        "Status after recorded suspension", "value"] if len(frames.rules) else None
    report["detail_truncated"] = frames.truncated
    return report


def _contributor_records(rows: pd.DataFrame) -> list[dict]:
    recs = json_records(rows[list(_CONTRIBUTOR_KEYS)])
    paths = rows["path"].str.split(PATH_SEP, regex=False).tolist()
    sources = json_records(rows[["src_file", "src_sheet", "src_row"]].set_axis(["file", "sheet", "row"],
                                                                                axis=1))
    for rec, path, src in zip(recs, paths, sources):
        rec["path"] = path
        rec["source"] = src
    return recs


def _where_used_records(w: pd.DataFrame) -> list[dict]:
    out = []
    for (part, desc), g in w.groupby(["part", "description"], sort=False, dropna=False):
        uses = json_records(g[list(_WHERE_USED_KEYS)])
        for use, path in zip(uses, g["path"].str.split(PATH_SEP, regex=False)):
            use["path"] = path
        out.append({"part": part, "description": None if pd.isna(desc) else desc, "uses": uses})
    return out


def json_records(df: pd.DataFrame) -> list[dict]:
    """Records with JSON-safe values: NaN/NA -> None, numpy scalars -> Python."""
    clean = df.astype(object).where(df.notna(), None)
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()}
            for rec in clean.to_dict(orient="records")]
