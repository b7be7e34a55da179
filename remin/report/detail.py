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

import json

import numpy as np
import pandas as pd

from remin.report.frames import ReportFrames
from remin.report.jsontext import RawTexts, column_texts, encode_basestring, list_text, records_text, value_text
from remin.treepaths import PATH_SEP

_CONTRIBUTOR_KEYS = ("part", "description", "extended_qty", "base_unit", "element", "origin_class", "mass_kg",
                     "mass_share", "value", "currency", "value_basis", "value_share", "re_origin", "made_in",
                     "supplier")
_WHERE_USED_KEYS = ("sku", "extended_qty", "base_unit", "counted", "cn_kg", "other_kg", "unknown_kg", "elements")


def add_detail(report: dict, frames: ReportFrames, raw: RawTexts | None = None) -> dict:
    """Add the detail keys to a ``to_dict`` report in place; returns it. With ``raw`` the
    contributors and where-used go in as placeholders of their JSON text (built column
    by column), for a compact ``json.dumps`` followed by ``raw.substitute``."""
    c = frames.contributors
    if raw is not None:
        by_sku_text: dict = {}
        if len(c):
            for sku, text in zip(c["sku"].tolist(), _contributor_texts(c)):
                by_sku_text.setdefault(sku, []).append(text)
        for rec in report["skus"]:
            rec["contributors"] = raw.add(list_text(by_sku_text.get(rec["sku"], ())))
        report["where_used"] = raw.add(_where_used_text(frames.where_used))
    else:
        by_sku: dict = {}
        if len(c):   # all records at once, then dealt out per SKU (no per-SKU DataFrame work)
            for sku, rec in zip(c["sku"].tolist(), _contributor_records(c)):
                by_sku.setdefault(sku, []).append(rec)
        for rec in report["skus"]:
            rec["contributors"] = by_sku.get(rec["sku"], [])
        report["where_used"] = _where_used_records(frames.where_used)
    report["generated_at"] = frames.meta.get("generated_at")
    report["rules"]["instruments"] = json_records(frames.instruments)
    report["rules"]["status_after_suspension"] = frames.rules.set_index("field").at[
        "Status after recorded suspension", "value"] if len(frames.rules) else None
    report["detail_truncated"] = frames.truncated
    return report


def detail_size(skus, frames: ReportFrames) -> int:
    """SKU, contributor and where-used records of the report on ``skus`` with the detail."""
    c = frames.contributors
    per_sku = c["sku"].value_counts().to_dict() if len(c) else {}
    w = frames.where_used
    parts = len(w[["part", "description"]].drop_duplicates()) if len(w) else 0
    return len(skus) + sum(per_sku.get(s, 0) for s in skus) + parts


def _path_texts(paths: pd.Series) -> list[str]:
    """Each ``A > B > C`` path as the JSON list ``["A", "B", "C"]``: the separator has no
    character JSON escapes, so splitting the encoded string equals encoding the parts."""
    sep = encode_basestring(PATH_SEP)[1:-1]
    codes, distinct = pd.factorize(paths)     # a path repeats once per element and origin class
    texts = ["[" + encode_basestring(p).replace(sep, '", "') + "]" for p in np.asarray(distinct, dtype=object).tolist()]
    return np.asarray(texts, dtype=object)[codes].tolist()


def _contributor_texts(rows: pd.DataFrame) -> list[str]:
    """The JSON text of ``_contributor_records(rows)``, record by record."""
    source = records_text([(k, column_texts(rows[c])) for k, c in
                           (("file", "src_file"), ("sheet", "src_sheet"), ("row", "src_row"))])
    tail = [', "path": ' + p + ', "source": ' + src for p, src in zip(_path_texts(rows["path"]), source)]
    return records_text([(k, column_texts(rows[k])) for k in _CONTRIBUTOR_KEYS], tail)


def _where_used_text(w: pd.DataFrame) -> str:
    """The JSON text of ``_where_used_records(w)``."""
    if not len(w):
        return "[]"
    uses = records_text([(k, column_texts(w[k])) for k in _WHERE_USED_KEYS],
                        [', "path": ' + p for p in _path_texts(w["path"])])
    descs = w["description"].astype(object).where(w["description"].notna(), None).tolist()
    groups: dict = {}
    for use, part, desc in zip(uses, w["part"].tolist(), descs):
        groups.setdefault((part, desc), []).append(use)
    return list_text('{"part": ' + value_text(part) + ', "description": ' + value_text(desc) + ', "uses": '
                     + list_text(items) + "}" for (part, desc), items in groups.items())


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
    if not len(w):
        return []
    uses = json_records(w[list(_WHERE_USED_KEYS)])
    out: dict = {}
    descs = w["description"].astype(object).where(w["description"].notna(), None).tolist()
    for use, path, part, desc in zip(uses, w["path"].str.split(PATH_SEP, regex=False).tolist(),
                                     w["part"].tolist(), descs):
        use["path"] = path
        out.setdefault((part, desc), {"part": part, "description": desc, "uses": []})["uses"].append(use)
    return list(out.values())


def json_records(df: pd.DataFrame) -> list[dict]:
    """Records with JSON-safe values (NaN/NA -> None), through pandas' C JSON writer:
    several times faster than building dicts cell by cell."""
    if df.empty:
        return []
    return json.loads(df.to_json(orient="records", double_precision=15, date_format="iso",
                                 default_handler=str))
