"""Two assessments side by side: per SKU the shares before and after, and which
verdicts flip. "Before" and "after" may differ in the BOM (a scenario), in the
rules or date (``as_of``, ``as_written``), or both."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from remin.assess import Assessment
from remin.bom import Bom
from remin.errors import UsageError

#: per-SKU figures shown before and after (kg, fractions of mass or value, verdicts)
COMPARED = ("mass_kg", "controlled_cn_kg", "controlled_unknown_kg", "mass_share_low", "mass_share_high",
            "mass_verdict", "value", "value_share_low", "value_share_high", "value_verdict", "verdict",
            "decided_by")


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`.

    ``skus``: one row per SKU (index ``sku``) with ``description``, each figure of
    COMPARED as ``<name>_before`` / ``<name>_after`` (masses in kg, shares as
    fractions: 0.001 = 0.1 %), ``delta_low`` / ``delta_high`` (after − before, mass
    share), ``mass_verdict_flipped``, ``value_verdict_flipped``, ``flipped`` (the
    headline verdict changed) and ``flip`` ("indeterminate → below", "missing → below" for a SKU only one
    side has, or "").
    ``notes``: what differs between the two sides besides the BOM (rules, date).
    """

    before: Assessment
    after: Assessment
    skus: pd.DataFrame
    labels: tuple[str, str]
    notes: tuple[str, ...] = ()

    @property
    def flipped(self) -> pd.DataFrame:
        """The SKUs whose headline verdict changed."""
        return self.skus[self.skus["flipped"]]

    def plot(self, ax=None, **kwargs):
        """Both intervals per SKU against the threshold (:func:`remin.plots.comparison`)."""
        from remin.plots import comparison
        return comparison(self, ax=ax, **kwargs)


def compare(before: Assessment | Bom, after: Assessment | Bom, *, labels: tuple[str, str] | None = None,
            **assess_options) -> Comparison:
    """Compare two assessments, or two Boms assessed with the same ``assess_options``
    (``as_of``, ``rules``, ``as_written``, ``skus`` … as :func:`remin.assess` takes them).

    The SKUs are those ``before`` reports, then any more that ``after`` reports; a
    SKU missing on one side gets NaN figures there. ``labels`` name the two sides
    (default: each BOM's scenario steps, or "as read").
    """
    if isinstance(before, Bom) or isinstance(after, Bom):
        from remin.api import assess
        before = assess(before, **assess_options) if isinstance(before, Bom) else before
        after = assess(after, **assess_options) if isinstance(after, Bom) else after
    elif assess_options:
        raise UsageError(f"options {', '.join(assess_options)} apply to Boms, not to assessments already made")
    for side in (before, after):
        if not isinstance(side, Assessment):
            raise UsageError(f"compare takes Assessments or Boms, not {type(side).__name__}")
    skus = list(dict.fromkeys([*before.sku_list, *after.sku_list]))
    table = pd.DataFrame(index=pd.Index(skus, name="sku"))
    b = before.results.reindex(skus)
    a = after.results.reindex(skus)
    table["description"] = b["description"].fillna(a["description"])
    for name in COMPARED:
        table[f"{name}_before"] = b[name] if name in b else np.nan
        table[f"{name}_after"] = a[name] if name in a else np.nan
    table["delta_low"] = table["mass_share_low_after"] - table["mass_share_low_before"]
    table["delta_high"] = table["mass_share_high_after"] - table["mass_share_high_before"]
    for name in ("mass_verdict", "value_verdict", "verdict"):
        flipped = (table[f"{name}_before"].astype("string") != table[f"{name}_after"].astype("string"))
        table[f"{name}_flipped" if name != "verdict" else "flipped"] = flipped.fillna(True).astype(bool)
    shown = [table[f"verdict_{side}"].astype("string").fillna("missing") for side in ("before", "after")]
    table["flip"] = np.where(table["flipped"], shown[0] + " → " + shown[1], "")
    if labels is None:
        labels = (before.bom.label, after.bom.label)
        if labels[0] == labels[1]:
            labels = (_rules_label(before), _rules_label(after))
    return Comparison(before, after, table, tuple(labels), tuple(_rule_notes(before, after)))


def _rules_label(a: Assessment) -> str:
    r = a.rules
    return f"{r.rule_set} as of {r.as_of.isoformat()}" + (" as written" if r.as_written else "")


def _rule_notes(before: Assessment, after: Assessment) -> list[str]:
    """Say what differs in the rules, so a flip is not mistaken for a BOM effect."""
    rb, ra = before.rules, after.rules
    notes = []
    if (rb.rule_set, rb.as_of, rb.as_written) != (ra.rule_set, ra.as_of, ra.as_written):
        notes.append(f"rules differ: before {_rules_label(before)}, after {_rules_label(after)}")
    gained = [e for e in ra.controlled_elements if e not in rb.controlled_elements]
    lost = [e for e in rb.controlled_elements if e not in ra.controlled_elements]
    if gained:
        notes.append(f"controlled only after: {', '.join(gained)}")
    if lost:
        notes.append(f"controlled only before: {', '.join(lost)}")
    if rb.threshold != ra.threshold:
        notes.append(f"threshold {rb.threshold:g} before, {ra.threshold:g} after")
    return notes
