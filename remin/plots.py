"""Plots (matplotlib) of assessments and comparisons. Shares are drawn in percent of
the SKU's mass; every plot marks the threshold. Each function draws on ``ax`` (a new
figure where none is given) and returns the Axes, so callers can restyle or save.

- :func:`pareto` — one SKU's contributors, largest first, with the cumulative share.
- :func:`shares` — every SKU's share interval (low to high) against the threshold.
- :func:`comparison` — each SKU's interval before and after a scenario.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from remin.verdicts import ABOVE, BELOW, INDETERMINATE, NO_DATA

#: one colour per verdict, the same in every plot
VERDICT_COLOURS = {ABOVE: "#c0392b", INDETERMINATE: "#e67e22", BELOW: "#27ae60", NO_DATA: "#7f8c8d"}
ORIGIN_COLOURS = {"cn": "#c0392b", "unknown": "#e67e22", "other": "#95a5a6"}
PERCENT = 100.0


def _axes(ax, height: float = 4.0, width: float = 8.0):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt
    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


def _threshold_line(ax, threshold: float, vertical: bool) -> None:
    style = dict(color="black", linestyle="--", linewidth=1, label=f"threshold {threshold * PERCENT:g} %")
    (ax.axvline if vertical else ax.axhline)(threshold * PERCENT, **style)


def pareto(assessment, sku: str, *, top: int = 10, ax=None):
    """Bars: the controlled content each part brings into ``sku`` as a share of the
    SKU's mass (%), stacked by origin (cn, unknown, other), largest cn + unknown
    first (at most ``top`` parts); line: the cumulative cn + unknown share; dashed:
    the threshold. A single bar above the line means that part alone decides."""
    ax = _axes(ax)
    mass = float(assessment.results.at[sku, "mass_kg"])
    c = assessment.contributors(sku).head(top)
    names = [str(p) for p in c.index]
    x = np.arange(len(c))
    bottom = np.zeros(len(c))
    for cls in ("cn", "unknown", "other"):
        share = c[f"{cls}_kg"].fillna(0.0).to_numpy(float) / mass * PERCENT
        ax.bar(x, share, bottom=bottom, color=ORIGIN_COLOURS[cls], label=f"{cls} origin")
        bottom += share
    counted = (c["cn_kg"].fillna(0.0) + c["unknown_kg"].fillna(0.0)).to_numpy(float) / mass * PERCENT
    ax.plot(x, np.cumsum(counted), color="black", marker="o", linewidth=1.2, label="cumulative cn + unknown")
    _threshold_line(ax, assessment.rules.threshold, vertical=False)
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel(f"share of {sku} mass (%)")
    ax.set_title(f"{sku}: contributors to the controlled share")
    ax.legend(fontsize="small")
    return ax


def _intervals(ax, y, low, high, colours, *, linewidth=6.0, alpha=1.0, label=None):
    """Horizontal bars from low to high (%), with a tick at each end; a point where
    low == high."""
    low = np.asarray(low, float) * PERCENT
    high = np.asarray(high, float) * PERCENT
    ax.hlines(y, low, high, colors=colours, linewidth=linewidth, alpha=alpha, label=label)
    ax.scatter(np.r_[low, high], np.r_[y, y], c=list(colours) * 2, marker="|", s=120, alpha=alpha, zorder=3)


def shares(assessment, *, skus=None, ax=None):
    """Every SKU's mass-share interval (low = unknown origin not Chinese, high =
    Chinese), coloured by its mass verdict, against the threshold line."""
    r = assessment.results.loc[list(assessment.sku_list if skus is None else skus)]
    ax = _axes(ax, height=max(2.5, 0.45 * len(r) + 1.2))
    y = np.arange(len(r))[::-1]
    colours = [VERDICT_COLOURS.get(v, "grey") for v in r["mass_verdict"]]
    _intervals(ax, y, r["mass_share_low"], r["mass_share_high"], colours)
    _threshold_line(ax, assessment.rules.threshold, vertical=True)
    ax.set_yticks(y, [str(s) for s in r.index])
    ax.set_xlabel("Chinese-origin controlled rare earths, % of SKU mass (low to high)")
    ax.set_xlim(left=0)
    _verdict_legend(ax, r["mass_verdict"])
    ax.set_title(f"Mass share as of {assessment.rules.as_of.isoformat()}")
    return ax


def _verdict_legend(ax, verdicts: pd.Series) -> None:
    """One entry per verdict present, plus the threshold line already drawn."""
    from matplotlib.lines import Line2D
    present = [v for v in VERDICT_COLOURS if v in set(verdicts)]
    handles = [Line2D([], [], color=VERDICT_COLOURS[v], linewidth=6, label=v) for v in present]
    drawn, _ = ax.get_legend_handles_labels()
    ax.legend(handles=handles + drawn, fontsize="small", loc="best")


def comparison(comp, *, ax=None):
    """Per SKU the interval before (thin, grey) and after (thick, coloured by the
    verdict after), with the threshold; SKUs whose verdict flips are marked."""
    t = comp.skus
    ax = _axes(ax, height=max(3.0, 0.6 * len(t) + 2.0), width=9.0)
    y = np.arange(len(t))[::-1].astype(float)
    _intervals(ax, y + 0.15, t["mass_share_low_before"], t["mass_share_high_before"], ["#7f8c8d"] * len(t),
               linewidth=3.0, alpha=0.8, label=_wrap(f"before: {comp.labels[0]}"))
    colours = [VERDICT_COLOURS.get(v, "grey") for v in t["mass_verdict_after"]]
    _intervals(ax, y - 0.15, t["mass_share_low_after"], t["mass_share_high_after"], colours,
               label=_wrap(f"after: {comp.labels[1]}"))
    _threshold_line(ax, comp.after.rules.threshold, vertical=True)
    labels = [f"{s}  ({f})" if f else str(s) for s, f in zip(t.index, t["flip"])]
    ax.set_yticks(y, labels)
    ax.set_xlim(left=0)
    ax.set_xlabel("Chinese-origin controlled rare earths, % of SKU mass (low to high)")
    ax.set_title("Before and after")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def _wrap(text: str, width: int = 40) -> str:
    """Scenario labels can be long ("A: RE origin JP; B replaced by C (...)")."""
    import textwrap
    return "\n".join(textwrap.wrap(text, width)) or text
