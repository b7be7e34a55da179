"""The facts of a full report as flat frames, built once and rendered three ways.

The workbook (``remin.report.excel``), the CSV set (``remin.report.csvset``) and the
JSON detail (``remin.report.json``) all render these frames, so the three carry the
same facts. Units are SI in the frames (kg, shares as fractions, value in the SKU's
currency); renderers may scale for display and say so in their headers.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from remin import __version__
from remin.assess import Assessment
from remin.contributions import contribution_tree, contributor_rows
from remin.report.table import summary_frame
from remin.whereused import where_used

#: Optional per-SKU result columns (the value test adds some); copied when present.
OPTIONAL_SUMMARY = ("value_basis", "value_estimated", "part1_cn_present")


@dataclass(frozen=True)
class ReportFrames:
    summary: pd.DataFrame         # one row per SKU
    contributors: pd.DataFrame    # one row per (SKU, path, element, origin class)
    where_used: pd.DataFrame      # one row per (controlled part, SKU, path)
    findings: pd.DataFrame        # one row per finding, source split into file/sheet/row/column
    rules: pd.DataFrame           # field, value: the rules on the date
    instruments: pd.DataFrame     # one row per instrument, with dates and status
    sources: pd.DataFrame         # one row per source of an instrument
    inputs: pd.DataFrame          # path, sha256, bytes
    meta: dict = field(default_factory=dict)  # remin_version, generated_at, command
    truncated: bool = False       # a path limit cut contributors or where-used


def report_frames(a: Assessment, *, prices=None, rates=None, generated_at: _dt.datetime | None = None,
                  command: str | None = None) -> ReportFrames:
    """Every frame of the full report for the SKUs of ``a``."""
    ct = contribution_tree(a)
    contributors = contributor_rows(ct, prices=prices, rates=rates)
    used = where_used(a)
    when = (generated_at or _dt.datetime.now(_dt.timezone.utc)).replace(microsecond=0)
    meta = {"remin_version": __version__, "generated_at": when.isoformat(), "command": command}
    return ReportFrames(
        summary=summary(a), contributors=contributors, where_used=used, findings=findings_frame(a),
        rules=rules_frame(a.rules), instruments=instruments_frame(a.rules), sources=sources_frame(a.rules),
        inputs=inputs_frame(a), meta=meta, truncated=bool(ct.paths.truncated))


def summary(a: Assessment) -> pd.DataFrame:
    """The CSV summary plus what the workbook shows beside it: optional value-test
    columns where the assessment has them, and the rule status on the date."""
    out = summary_frame(a)
    skus = a.skus
    for c in OPTIONAL_SUMMARY:
        if c in skus.columns:
            out[c] = skus[c].to_numpy()
    r = a.rules
    out["rule_set"] = r.rule_set
    out["as_of"] = r.as_of.isoformat()
    out["rule_status"] = rule_status_text(r)
    out["threshold"] = r.threshold
    return out


def rule_status_text(r) -> str:
    """'in-force', or 'in-force (assumed: later status not recorded)'."""
    return r.status + ("" if r.status_recorded else " (assumed: later status not recorded)") \
        + (" (as written)" if r.as_written else "")


def status_after_note(r) -> str:
    """What the rule data says (and does not say) about the status after the last
    recorded suspension end, on any evaluation date."""
    notes = [n for n in r.notes if "not recorded" in n]
    if notes:
        return notes[0]
    ends = sorted({(i.suspended_until, i.suspended_by) for i in r.instruments if i.suspended_until})
    if ends:
        until, by = ends[-1]
        return (f"suspension by {by} recorded until {until} (inclusive); the rule data records nothing "
                f"after that date: for a later date remin assumes the suspension ended and says so")
    return "no suspension in force on this date"


def rules_frame(r) -> pd.DataFrame:
    rows = [
        ("Rule set", r.rule_set), ("Title", r.title), ("As of", r.as_of.isoformat()),
        ("Mode", "as written (suspensions ignored)" if r.as_written else "suspensions honoured"),
        ("Value test", f"{r.value_test.article}: {r.value_test.title}"),
        ("Value test status on date", rule_status_text(r)),
        ("Value test effective", r.value_test.effective.isoformat()),
        ("Status recorded", "yes" if r.status_recorded else "no"),
        ("Threshold", r.threshold), ("Comparison", f"share {r.comparison} threshold needs a licence"),
        ("Share basis", r.basis),
        ("Direct-product rule", f"{r.direct_product_rule.article}: {r.direct_product_rule.status}"),
        ("Controlled elements", " ".join(r.controlled_elements) or "none"),
        ("Elements by instrument", "; ".join(f"{el}: {i}" for el, i in r.element_instrument.items())),
        ("Status after recorded suspension", status_after_note(r)),
    ]
    rows += [("Note", n) for n in r.notes]
    return pd.DataFrame(rows, columns=["field", "value"])


def instruments_frame(r) -> pd.DataFrame:
    return pd.DataFrame([{
        "instrument": i.id, "short_title": i.short_title, "title": i.title,
        "published": i.published.isoformat(), "effective": i.effective.isoformat(), "status": i.status,
        "status_recorded": i.status_recorded,
        "suspended_from": i.suspended_from.isoformat() if i.suspended_from else None,
        "suspended_until": i.suspended_until.isoformat() if i.suspended_until else None,
        "suspended_by": i.suspended_by, "elements": " ".join(i.elements)} for i in r.instruments],
        columns=["instrument", "short_title", "title", "published", "effective", "status", "status_recorded",
                 "suspended_from", "suspended_until", "suspended_by", "elements"])


def sources_frame(r) -> pd.DataFrame:
    return pd.DataFrame(r.sources(), columns=["instrument", "title", "url", "kind", "note"])


def findings_frame(a: Assessment) -> pd.DataFrame:
    cols = ["severity", "code", "part", "file", "sheet", "row", "column", "message"]
    rows = [{"severity": f.severity, "code": f.code, "part": f.part,
             "file": f.source.file if f.source else None, "sheet": f.source.sheet if f.source else None,
             "row": f.source.row if f.source else None, "column": f.source.column if f.source else None,
             "message": f.message} for f in a.findings]
    out = pd.DataFrame(rows, columns=cols)
    out["row"] = out["row"].astype("Int64")
    return out


def inputs_frame(a: Assessment) -> pd.DataFrame:
    """Path (or the label it was read under), SHA-256 and size in bytes, measured when
    read: the path may name no file now (an upload's name under ``remin serve``)."""
    rows = [{"path": f.path, "sha256": f.sha256, "bytes": np.nan if f.size is None else f.size}
            for f in a.bom.inputs]
    return pd.DataFrame(rows, columns=["path", "sha256", "bytes"])
