"""The terminal table of ``remin check`` and the CSV export (one row per SKU)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from remin.assess import Assessment
from remin.origins import ORIGIN_CLASSES
from remin.report.format import fmt_mass, fmt_share
from remin.report.safe import neutralise_frame

_VERDICT_MARK = {"above": "ABOVE", "indeterminate": "INDETERMINATE", "below": "below", "no-data": "no data"}


def _interval(low, high) -> str:
    if pd.isna(low) or pd.isna(high) or math.isclose(low, high):
        return fmt_share(low)
    return f"{fmt_share(low)} – {fmt_share(high)}"


def _value_share(s) -> str:
    """The value share with its status: outside Part II, no data, or * where estimated."""
    text = _interval(s["value_share_low"], s["value_share_high"])
    if s["value_verdict"] == "not-applicable":
        return "not Part II" + (f" ({text})" if text != "n/a" else "")
    if s["value_verdict"] == "no-data":
        return "no data"
    estimated = np.nansum([s["value_estimated_cn"], s["value_estimated_unknown"]])
    return text + (" *" if estimated else "")


def _licence(s) -> str:
    if pd.isna(s["licensing_outcome"]):
        return ""
    return f"{s['licensing_outcome']} ({s['licensing_article']})" if not pd.isna(s["licensing_article"]) \
        else str(s["licensing_outcome"])


def summary_frame(a: Assessment) -> pd.DataFrame:
    """The per-SKU summary as a flat frame (the CSV output, and the table's data)."""
    s = a.skus
    return pd.DataFrame({
        "sku": s.index,
        "description": s["description"].to_numpy(),
        "mass_kg": s["mass_kg"].to_numpy(),
        "cn_controlled_kg": s["controlled_cn_kg"].to_numpy(),
        "other_controlled_kg": s["controlled_other_kg"].to_numpy(),
        "unknown_controlled_kg": s["controlled_unknown_kg"].to_numpy(),
        "mass_share_low": s["mass_share_low"].to_numpy(),
        "mass_share_high": s["mass_share_high"].to_numpy(),
        "mass_verdict": s["mass_verdict"].to_numpy(),
        "value": s["value"].to_numpy(),
        "currency": s["currency"].to_numpy(),
        "value_share_low": s["value_share_low"].to_numpy(),
        "value_share_high": s["value_share_high"].to_numpy(),
        "value_verdict": s["value_verdict"].to_numpy(),
        "part2_scope": s["part2_scope"].to_numpy(),
        "cn_technology": s["cn_technology"].to_numpy(),
        "verdict": s["verdict"].to_numpy(),
        "decided_by": s["decided_by"].to_numpy(),
        "top_contributor": s["top_contributor"].to_numpy(),
        "value_basis": s["value_basis"].to_numpy(),
        **{f"value_part1_{c}": s[f"value_part1_{c}"].to_numpy() for c in ORIGIN_CLASSES},
        **{f"value_estimated_{c}": s[f"value_estimated_{c}"].to_numpy() for c in ORIGIN_CLASSES},
        "part1_cn_present": s["part1_cn_present"].to_numpy(),
        "licensing_outcome": s["licensing_outcome"].to_numpy(),
        "licensing_article": s["licensing_article"].to_numpy(),
    })


def to_csv(a: Assessment) -> str:
    """The summary as CSV; text cells a spreadsheet would run as formulas are neutralised."""
    return neutralise_frame(summary_frame(a)).to_csv(index=False, float_format="%.12g")


def render_table(a: Assessment, examples: int = 2) -> str:
    """A readable text report: rule status, one line per SKU, then the findings."""
    r = a.rules
    lines = [f"Rules {r.rule_set} as of {r.as_of.isoformat()}{' (as written)' if r.as_written else ''}: "
             f"0.1 % rule {r.status}; controlled: {', '.join(r.controlled_elements) or 'none'}; "
             f"threshold share >= {r.threshold * 100:g} %"]
    for note in getattr(r, "notes", ()):
        lines.append(f"  note: {note}")
    lines.append("")
    rows = []
    for sku, s in a.skus.iterrows():
        rows.append([sku, fmt_mass(s["mass_kg"]), fmt_mass(s["controlled_cn_kg"]), fmt_mass(s["controlled_unknown_kg"]),
                     _interval(s["mass_share_low"], s["mass_share_high"]), _value_share(s),
                     _VERDICT_MARK.get(s["verdict"], s["verdict"]) + f" ({s['decided_by']})",
                     _licence(s), "" if pd.isna(s["top_contributor"]) else str(s["top_contributor"])])
    header = ["SKU", "mass", "CN controlled", "unknown-origin", "mass share (low – high)", "value share",
              "verdict (by)", "licence outlook", "top contributor"]
    widths = [max(len(str(x[i])) for x in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines.append(fmt.format(*header))
    lines.append(fmt.format(*["-" * w for w in widths]))
    lines += [fmt.format(*row) for row in rows]
    lines.append(f"Value test: {a.valuation.get('currency') or 'no currency'}; value share = Part I items "
                 "(+ estimated content) / SKU value, only for Annex 1 Part II items; '*' = includes values "
                 "estimated at reference prices")
    if a.valuation.get("prices"):
        lines.append(f"  prices: {a.valuation['prices']}")
    lines.append("")
    lines += render_findings(a.findings, examples=examples)
    return "\n".join(lines) + "\n"


def render_findings(findings, examples: int = 2) -> list[str]:
    """Findings grouped by code, errors first: a count and the first few of each."""
    if not findings:
        return ["Findings: none"]
    by_sev = pd.Series([f.severity for f in findings]).value_counts().to_dict()
    out = [f"Findings: {by_sev.get('error', 0)} errors, {by_sev.get('warning', 0)} warnings, "
           f"{by_sev.get('info', 0)} notes (every one in --format json)"]
    groups: dict[tuple[str, str], list] = {}
    for f in findings:
        groups.setdefault((f.severity, f.code), []).append(f)
    for (sev, code), items in groups.items():
        if sev == "info":
            continue
        out.append(f"  {sev} {code} ({len(items)}):")
        for f in items[:examples]:
            where = f" [{f.source}]" if f.source and str(f.source) else ""
            part = f" {f.part}:" if f.part else ""
            out.append(f"    -{where}{part} {f.message}")
        if len(items) > examples:
            out.append(f"    - … and {len(items) - examples} more")
    return out
