"""Compliance notice for the recipient of a SKU (MOFCOM Announcement No. 61, Art. 7).

Art. 7 has the exporter pass a compliance notice to each recipient of an item the
rule covers. ``notice_context`` gathers the facts (the SKU, its Chinese-origin
controlled content by element and by part, the rule and its status on the date, the
licence requirement); ``render_notice`` fills an editable Jinja template with them.
The shipped templates are ``data/templates/notice.md.j2`` and ``notice.html.j2``
(HTML is autoescaped); ``--template FILE`` uses the user's own.
"""
from __future__ import annotations

from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from remin.assess import Assessment
from remin.contributions import contribution_tree, contributor_rows
from remin.errors import InputError, UsageError
from remin.paths import data_path
from remin.report.format import fmt_mass, fmt_money, fmt_share
from remin.report.frames import rule_status_text, status_after_note
from remin.rules import IN_FORCE
from remin.verdicts import ABOVE

FORMATS = {"md": "notice.md.j2", "html": "notice.html.j2"}
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def notice_context(a: Assessment, sku: str, *, recipient: str | None = None, issuer: str | None = None,
                   outlook=None, prices=None, rates=None) -> dict:
    """Everything a notice template may use (see data/templates/notice.md.j2)."""
    r = a.results.loc[sku]
    rules = a.rules
    rows = contributor_rows(contribution_tree(a, [sku]), prices=prices, rates=rates)
    cn = rows[rows["origin_class"] == "cn"]
    by_part = (cn.groupby(["part", "element"], sort=False, dropna=False)   # element NA: a Part I item
               .agg(description=("description", "first"), mass_kg=("mass_kg", lambda m: m.sum(min_count=1)),
                    mass_share=("mass_share", lambda m: m.sum(min_count=1)), paths=("path", "nunique"))
               .reset_index())
    elements = [{"element": el, "cn_kg": float(r[f"{el}_cn_kg"]),
                 "share": _ratio(r[f"{el}_cn_kg"], r["mass_kg"])}
                for el in a.elements if np.nan_to_num(r[f"{el}_cn_kg"], nan=1.0) != 0]
    instrument = next((i for i in rules.instruments if i.id == rules.value_test.instrument), None)
    in_force = rules.status == IN_FORCE
    return {
        "sku": sku,
        "description": _clean(r.get("description")),
        "recipient": recipient,
        "issuer": issuer,
        "verdict": r.get("verdict"),
        "decided_by": r.get("decided_by"),
        "mass_verdict": r.get("mass_verdict"),
        "value_verdict": r.get("value_verdict"),
        "mass_kg": _clean(r.get("mass_kg")),
        "cn_kg": _clean(r.get("controlled_cn_kg")),
        "unknown_kg": _clean(r.get("controlled_unknown_kg")),
        "mass_share_low": _clean(r.get("mass_share_low")),
        "mass_share_high": _clean(r.get("mass_share_high")),
        "value": _clean(r.get("value")),
        "currency": _clean(r.get("currency")),
        "value_share_low": _clean(r.get("value_share_low")),
        "value_share_high": _clean(r.get("value_share_high")),
        "part2_scope": _clean(r.get("part2_scope")),
        "cn_technology": bool(r.get("cn_technology", False)),
        "elements": elements,
        "parts": [{k: _clean(v) for k, v in rec.items()} for rec in by_part.to_dict(orient="records")],
        "rules": {
            "id": rules.rule_set, "title": rules.title, "as_of": rules.as_of.isoformat(),
            "as_written": rules.as_written, "status": rules.status, "status_text": rule_status_text(rules),
            "status_recorded": rules.status_recorded, "threshold": rules.threshold,
            "comparison": rules.comparison, "basis": rules.basis,
            "article": rules.value_test.article, "provision": rules.value_test.title,
            "effective": rules.value_test.effective.isoformat(),
            "suspended_from": _iso(rules.value_test.suspended_from),
            "suspended_until": _iso(rules.value_test.suspended_until),
            "instrument": instrument.short_title if instrument else rules.value_test.instrument,
            "instrument_title": instrument.title if instrument else None,
            "controlled_elements": list(rules.controlled_elements),
            "notes": list(rules.notes),
            "status_after_suspension": status_after_note(rules),
            "sources": [s for s in rules.sources() if s["instrument"] == rules.value_test.instrument],
        },
        "licence_required": needs_notice(a, sku) and in_force,
        "outlook": outlook.to_dict() if outlook is not None else None,
        "inputs": [f.to_dict() for f in a.bom.inputs],
        "remin_version": __import__("remin").__version__,
    }


def needs_notice(a: Assessment, sku: str) -> bool:
    """The SKU is above and not known to be outside Annex 1 Part II (Art. 1(1) applies
    to Part II items only; ``part2_scope`` False says it is not one)."""
    r = a.results.loc[sku]
    scope = r.get("part2_scope", pd.NA)
    return r.get("verdict") == ABOVE and (pd.isna(scope) or bool(scope))


def render_notice(context: dict, fmt: str = "md", template: str | Path | None = None) -> str:
    """Fill the template (default: the shipped one for ``fmt``) with ``context``.
    Errors in a template name its file and line."""
    if fmt not in FORMATS:
        raise UsageError(f"notice format {fmt!r} is not one of: {', '.join(FORMATS)}")
    path = Path(template) if template else data_path("templates", FORMATS[fmt])
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read the notice template: {e.strerror or e}", file=str(path)) from None
    env = jinja2.Environment(autoescape=fmt == "html", undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(mass=fmt_mass, share=fmt_share, money=fmt_money)
    try:
        return env.from_string(source).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise InputError(f"template error: {e.message}", file=str(path), line=e.lineno) from None
    except jinja2.UndefinedError as e:
        raise InputError(f"template uses a name the notice does not provide: {e.message}",
                         file=str(path)) from None


def format_for(output: str | Path | None, fmt: str | None) -> str:
    """The notice format: as given, else from the output file's suffix, else Markdown."""
    if fmt:
        return fmt
    if output:
        suffix = Path(output).suffix.lower()
        if suffix not in SUFFIXES:
            raise UsageError(f"--output {output}: a notice is .md or .html (or give --format)")
        return SUFFIXES[suffix]
    return "md"


def _ratio(num, den):
    with np.errstate(invalid="ignore", divide="ignore"):
        v = float(num) / float(den) if den and float(den) > 0 else np.nan
    return _clean(v)


def _clean(v):
    """None for NaN/NA; numpy scalars as Python numbers (templates test ``is none``)."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def _iso(d):
    return d.isoformat() if d else None
