"""Why a SKU got its verdict, and what would change it (``remin explain``).

Three parts, all from the same numbers as ``remin check``:

* the SKU's BOM tree pruned to the branches that carry controlled content, each
  node with the Chinese-origin, unknown-origin and other controlled mass it brings
  (per one SKU) and its share of the SKU's mass (``remin.contributions``);
* the headroom: how much more Chinese-origin controlled mass (and, where the value
  test could be computed, value) fits under the threshold — the share must stay
  *below* it, since a share equal to the threshold is already "above";
* for unknown-origin content, the parts ranked by how far each can move the share
  (its unknown-origin mass over the SKU's mass): the questions to send suppliers
  first, with whether one answer alone decides the verdict.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from remin.assess import ORIGIN_CLASSES, Assessment
from remin.contributions import BASE_UNIT, contribution_tree, contributor_rows
from remin.report.detail import json_records
from remin.verdicts import ABOVE, BELOW, INDETERMINATE


@dataclass(frozen=True)
class Headroom:
    """How far a test's Chinese-origin numerator is from the threshold.

    ``limit`` = threshold x denominator; ``headroom`` = limit - numerator (negative: over
    by that much); ``headroom_high`` counts unknown-origin content as Chinese. Units: kg
    for the mass test, the SKU's currency for the value test."""

    test: str
    unit: str
    denominator: float
    limit: float
    numerator: float
    unknown: float
    headroom: float
    headroom_high: float

    def to_dict(self) -> dict:
        return {k: _num(v) if isinstance(v, float) else v for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Explanation:
    sku: str
    summary: dict               # the SKU's figures (see ``_summary``)
    rules: object               # RulesOnDate
    tree: pd.DataFrame          # pruned tree, depth-first (see ``_tree_frame``)
    headroom: tuple[Headroom, ...]
    unknown: pd.DataFrame       # unknown-origin parts, ranked (see ``_unknown_ranking``)
    truncated: bool = False     # the path limit cut the tree

    def to_dict(self) -> dict:
        return {
            "sku": self.sku,
            "summary": {k: _num(v) if isinstance(v, float) else v for k, v in self.summary.items()},
            "rules": self.rules.to_dict(),
            "tree": json_records(self.tree.drop(columns="last_child")),
            "headroom": [h.to_dict() for h in self.headroom],
            "unknown_origin": json_records(self.unknown),
            "truncated": self.truncated,
        }


def explain(a: Assessment, sku: str, prices=None, rates=None) -> Explanation:
    """Explain one SKU of an assessment (any part of the BOM may be asked for)."""
    ct = contribution_tree(a, [sku])
    rows = contributor_rows(ct, prices=prices, rates=rates)
    summary = _summary(a, sku)
    return Explanation(sku, summary, a.rules, _tree_frame(ct), _headrooms(summary, a.rules.threshold),
                       _unknown_ranking(a, rows, summary), ct.paths.truncated)


def _summary(a: Assessment, sku: str) -> dict:
    r = a.results.loc[sku]

    def get(col, default=np.nan):
        v = r.get(col, default)
        return default if v is None or v is pd.NA else v

    out = {
        "description": get("description", None),
        "verdict": get("verdict", None), "decided_by": get("decided_by", None),
        "mass_verdict": get("mass_verdict", None), "value_verdict": get("value_verdict", None),
        "mass_kg": float(get("mass_kg")),
        **{f"{c}_kg": float(get(f"controlled_{c}_kg")) for c in ORIGIN_CLASSES},
        "mass_share_low": float(get("mass_share_low")), "mass_share_high": float(get("mass_share_high")),
        "value": float(get("value")), "currency": get("currency", None),
        "value_share_low": float(get("value_share_low")), "value_share_high": float(get("value_share_high")),
        "threshold": float(a.rules.threshold),
    }
    return out


def _headrooms(s: dict, threshold: float) -> tuple[Headroom, ...]:
    out = []
    if s["mass_kg"] > 0:
        out.append(_headroom("mass", "kg", s["mass_kg"], s["cn_kg"], s["unknown_kg"], threshold))
    if s["value"] > 0 and not np.isnan(s["value_share_low"]):
        cn = s["value_share_low"] * s["value"]
        unknown = (s["value_share_high"] - s["value_share_low"]) * s["value"]
        out.append(_headroom("value", s["currency"] or "", s["value"], cn, unknown, threshold))
    return tuple(out)


def _headroom(test, unit, denominator, cn, unknown, threshold) -> Headroom:
    limit = threshold * denominator
    return Headroom(test, unit, float(denominator), float(limit), float(cn), float(unknown),
                    float(limit - cn), float(limit - cn - unknown))


def _tree_frame(ct) -> pd.DataFrame:
    """The pruned tree, depth-first: one row per path node with what it brings."""
    a = ct.assessment
    p = ct.paths
    order = p.preorder()
    part = p.part[order]
    names = a.results.index.to_numpy(dtype=object)
    by_class = ct.by_class(ct.total[order])
    sku_mass = float(a.results["mass_kg"].iloc[part[0]]) if len(part) else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        share = by_class / (sku_mass if sku_mass > 0 else np.nan)
    out = pd.DataFrame({
        "depth": p.depth[order],
        "part": names[part],
        "description": a.bom.parts["description"].to_numpy(dtype=object)[part],
        "amount": p.amount[order],
        "base_unit": pd.Series(a.bom.parts["base_kind"].to_numpy(dtype=object)[part]).map(BASE_UNIT).to_numpy(),
        "extended_qty": p.qty[order],
        **{f"{c}_kg": by_class[:, i] for i, c in enumerate(ORIGIN_CLASSES)},
        **{f"{c}_share": share[:, i] for i, c in enumerate(ORIGIN_CLASSES)},
        "own": _own_text(ct, order),
    })
    # last child of its parent: the latest in depth-first order among its siblings
    rank = pd.Series(np.arange(len(order)))
    out["last_child"] = (rank.groupby(p.parent[order]).transform("max") == rank).to_numpy()
    return out


def _own_text(ct, order) -> np.ndarray:
    """'Dy cn 66.096 g, Tb unknown 4.406 g' for nodes whose own composition contributes."""
    from remin.report.format import fmt_mass
    own = ct.own[order]
    labels = [f"{el} {c}" for el in ct.assessment.elements for c in ORIGIN_CLASSES]
    out = np.full(len(order), "", dtype=object)
    for j, label in enumerate(labels):  # one step per element and class, vectorised over nodes
        col = own[:, j]
        hit = np.nan_to_num(col, nan=1.0) != 0
        if hit.any():
            text = np.array([f"{label} {fmt_mass(v)}" for v in col[hit]], dtype=object)
            cur = out[hit]
            out[hit] = np.where(cur == "", text, cur + ", " + text)
    return out


def _unknown_ranking(a: Assessment, rows: pd.DataFrame, s: dict) -> pd.DataFrame:
    """Unknown-origin parts ranked by how far each moves the share of the test that
    decides the headline verdict (``test``: mass or value).

    Per part: unknown_kg (summed over every path in the SKU), share_delta (unknown_kg /
    SKU mass), value and value_share_delta (its value in the value test / SKU value),
    then for the deciding test: if_chinese_low (the low share if this one part turns out
    Chinese; decides 'above' alone when >= threshold), high_if_cleared (the high share
    once this part and all ranked before it are confirmed non-Chinese; the first below
    the threshold settles 'below'), and who to ask (supplier, made_in, re_origin).
    """
    t = s["threshold"]
    test = "value" if s["decided_by"] == "value" else "mass"
    u = rows[rows["origin_class"] == "unknown"]
    cols = ["rank", "part", "description", "supplier", "made_in", "re_origin", "elements", "uses",
            "unknown_kg", "share_delta", "value", "value_share_delta", "test", "if_chinese_low", "decides_above",
            "high_if_cleared", "settles_below"]
    if u.empty:
        return pd.DataFrame(columns=cols)
    g = u.groupby("part", sort=False)
    content = u[u["element"].notna()].groupby("part", sort=False)["mass_kg"]   # a bare Part I row has no mass
    out = pd.DataFrame({
        "unknown_kg": content.sum(min_count=1),
        "value": g["value"].sum(min_count=1),
        "uses": g["path"].nunique(),
        "elements": g["element"].agg(lambda e: ", ".join(dict.fromkeys(e.dropna()))),
    })
    out.loc[content.apply(lambda m: m.isna().any()).reindex(out.index, fill_value=False), "unknown_kg"] = np.nan
    out["unknown_kg"] = out["unknown_kg"].where(out.index.isin(content.size().index), 0.0)
    out["share_delta"] = out["unknown_kg"] / (s["mass_kg"] if s["mass_kg"] > 0 else np.nan)
    out["value_share_delta"] = out["value"] / (s["value"] if s["value"] > 0 else np.nan)
    delta = out["share_delta" if test == "mass" else "value_share_delta"]
    # Largest first; an unknown amount (NaN) could be anything, so it leads.
    out = out.assign(_k=delta.fillna(np.inf)).sort_values(["_k"], ascending=False, kind="stable")
    delta = out["share_delta" if test == "mass" else "value_share_delta"]
    parts = a.bom.parts.reindex(out.index)
    for c in ("description", "supplier", "made_in", "re_origin"):
        out[c] = parts[c].to_numpy(dtype=object) if c in parts else None
    out["test"] = test
    out["if_chinese_low"] = s[f"{test}_share_low"] + delta
    out["decides_above"] = (out["if_chinese_low"] >= t).to_numpy(bool)
    out["high_if_cleared"] = s[f"{test}_share_high"] - delta.cumsum(skipna=False)
    cleared = (out["high_if_cleared"] < t).fillna(False).to_numpy(bool)
    settles = np.zeros(len(out), bool)
    if cleared.any():
        settles[int(np.argmax(cleared))] = True
    out["settles_below"] = settles
    out["rank"] = np.arange(1, len(out) + 1)
    return out.rename_axis("part").reset_index()[cols]


# ---------------------------------------------------------------------------- text


def render_explanation(e: Explanation, max_nodes: int = 80) -> str:
    """The explanation as terminal text (tree drawn with box characters)."""
    from remin.report.format import fmt_mass, fmt_money, fmt_share

    s, r = e.summary, e.rules
    t = s["threshold"]
    verdict = (s["verdict"] or "n/a").upper() if s["verdict"] in (ABOVE, INDETERMINATE) else s["verdict"]
    lines = [f"{e.sku}  {s['description'] or ''}".rstrip(),
             f"Verdict: {verdict} (decided by the {s['decided_by']} test; mass test {s['mass_verdict']}, "
             f"value test {s['value_verdict']})",
             f"Rules {r.rule_set} on {r.as_of}{' (as written)' if r.as_written else ''}: "
             f"{r.value_test.article} {r.status}"
             + ("" if r.status_recorded else " (assumed: later status not recorded)")
             + f"; licence needed when share >= {t * 100:g} %",
             f"Controlled elements on {r.as_of}: {' '.join(r.controlled_elements) or 'none'}",
             f"Mass {fmt_mass(s['mass_kg'])}; controlled content: Chinese-origin {fmt_mass(s['cn_kg'])}, "
             f"unknown origin {fmt_mass(s['unknown_kg'])}, other {fmt_mass(s['other_kg'])}",
             f"Mass share {fmt_share(s['mass_share_low'])} (Chinese-origin only) – "
             f"{fmt_share(s['mass_share_high'])} (unknown origin counted as Chinese)"]
    if not np.isnan(s["value_share_low"]):
        lines.append(f"Value share {fmt_share(s['value_share_low'])} – {fmt_share(s['value_share_high'])} "
                     f"of {fmt_money(s['value'], s['currency'])}")
    lines += ["", f"Controlled content by branch (per one {e.sku}; shares of its mass)"]
    lines += _tree_lines(e.tree, max_nodes)
    if e.truncated:
        lines.append("  (the path limit was reached: the tree is incomplete)")
    lines += ["", "What would change the verdict"]
    lines += _headroom_lines(e, fmt_mass, fmt_money, fmt_share)
    lines += _unknown_lines(e, fmt_mass, fmt_share)
    return "\n".join(lines) + "\n"


def _tree_lines(tree: pd.DataFrame, max_nodes: int) -> list[str]:
    from remin.report.format import fmt_mass, fmt_share

    if tree.empty:
        return ["  (no controlled content)"]
    labels = _tree_labels(tree["depth"].to_numpy(), tree["part"].to_numpy(), tree["last_child"].to_numpy(),
                          max_nodes)
    head = ["part", "qty", "Chinese", "share", "unknown", "share", "other", "own content"]
    body = []
    for lab, row in zip(labels[:max_nodes], tree.iloc[:max_nodes].itertuples(index=False)):
        qty = "" if row.depth == 0 else f"{row.amount:g} {row.base_unit or ''}".rstrip()
        body.append([lab, qty, *(_zero_dash(f, v) for f, v in (
            (fmt_mass, row.cn_kg), (fmt_share, row.cn_share), (fmt_mass, row.unknown_kg),
            (fmt_share, row.unknown_share), (fmt_mass, row.other_kg))), row.own])
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    right = {2, 3, 4, 5, 6}
    fmt = "  ".join(f"{{:{'>' if i in right else '<'}{w}}}" for i, w in enumerate(widths))
    out = ["  " + fmt.format(*head).rstrip()] + ["  " + fmt.format(*b).rstrip() for b in body]
    if len(tree) > max_nodes:
        out.append(f"  … {len(tree) - max_nodes} more nodes (use --max-nodes)")
    return out


def _zero_dash(fmt, v) -> str:
    """Exact zeros as '–' so the eye finds the non-zero figures; unknown as '?'."""
    return "–" if v == 0 else fmt(v, "?")


def _tree_labels(depth: np.ndarray, names: np.ndarray, last: np.ndarray, limit: int) -> list[str]:
    """Box-drawing prefixes for the first ``limit`` nodes of a depth-first list;
    ``last``: the node is its parent's last child."""
    labels, open_levels = [], []
    for i in range(min(len(depth), limit)):
        d = int(depth[i])
        del open_levels[max(d - 1, 0):]
        prefix = "".join("│  " if o else "   " for o in open_levels)
        labels.append(str(names[i]) if d == 0 else prefix + ("└─ " if last[i] else "├─ ") + str(names[i]))
        if d > 0:
            open_levels.append(not last[i])
    return labels


def _headroom_lines(e: Explanation, fmt_mass, fmt_money, fmt_share) -> list[str]:
    t_pct = f"{e.summary['threshold'] * 100:g} %"
    out = []
    for h in e.headroom:
        show = fmt_mass if h.test == "mass" else (lambda v, u=h.unit: fmt_money(v, u))
        what = "mass" if h.test == "mass" else "value"
        line = (f"  Headroom ({h.test} test): {t_pct} of {show(h.denominator)} is {show(h.limit)}; "
                f"Chinese-origin controlled {what} is {show(h.numerator)}, ")
        if h.headroom > 0:
            line += f"so less than {show(h.headroom)} more keeps the share under {t_pct}."
        else:
            line += f"over by {show(-h.headroom)}: that much must go (or come from outside China) to fall below."
        out.append(line)
        if h.unknown and not np.isnan(h.unknown):
            if h.headroom > 0 >= h.headroom_high:
                out.append(f"    Counting the unknown-origin {what} ({show(h.unknown)}) as Chinese, it is over by "
                           f"{show(-h.headroom_high)}: the origins of the parts below decide the {h.test} test.")
            elif h.headroom > 0:
                out.append(f"    Even if all unknown-origin {what} ({show(h.unknown)}) were Chinese, "
                           f"{show(h.headroom_high)} of headroom remain.")
    if not e.headroom:
        out.append("  No headroom can be computed: the SKU's mass and value are unknown.")
    if not any(h.test == "value" for h in e.headroom):
        out.append("  Value test: no value share was computed for this SKU (see `remin check`), so no value "
                   "headroom.")
    return out


def _unknown_lines(e: Explanation, fmt_mass, fmt_share) -> list[str]:
    u = e.unknown
    s = e.summary
    test = "value" if s["decided_by"] == "value" else "mass"
    verdict = s[f"{test}_verdict"]
    if u.empty:
        return [f"  No unknown-origin controlled content: no origin question can change the {test} test."]
    if verdict != INDETERMINATE:
        why = "already above on Chinese-origin content alone" if verdict == ABOVE else \
            "below even if it were all Chinese" if verdict == BELOW else verdict
        head = f"  Unknown-origin content cannot change the {test} test, which decides the verdict: {why}."
        return [head, "  Parts with unknown origin (to complete the records):"] + _ranking_table(u, fmt_mass,
                                                                                             fmt_share)
    spread = fmt_share(s[f"{test}_share_high"] - s[f"{test}_share_low"])
    out = [f"  The verdict ({test} test) turns on unknown-origin content (up to {spread}). "
           "Ask these suppliers first:"]
    out += _ranking_table(u, fmt_mass, fmt_share)
    alone = u.loc[u["decides_above"], "part"].tolist()
    if alone:
        out.append(f"  If {', '.join(alone)} turns out Chinese-origin, the SKU is above on that alone.")
    if u["settles_below"].any():
        k = int(np.argmax(u["settles_below"].to_numpy()))
        names = ", ".join(u["part"].iloc[:k + 1])
        out.append(f"  Confirming {names} as non-Chinese settles the {test} test: below "
                   f"(high share {fmt_share(u['high_if_cleared'].iloc[k])}).")
    return out


def _ranking_table(u: pd.DataFrame, fmt_mass, fmt_share) -> list[str]:
    head = ["#", "part", "supplier", "made in", "elements", "uses", "unknown", "mass share", "value share",
            "if Chinese"]
    body = [[str(r.rank), str(r.part), _text(r.supplier), _text(r.made_in), r.elements or "Part I item",
             str(r.uses), fmt_mass(r.unknown_kg), _plus(fmt_share(r.share_delta)),
             _plus(fmt_share(r.value_share_delta)), fmt_share(r.if_chinese_low) + f" {r.test}"
             + (" (above)" if r.decides_above else "")] for r in u.itertuples(index=False)]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    right = {0, 5, 6, 7, 8}
    fmt = "  ".join(f"{{:{'>' if i in right else '<'}{w}}}" for i, w in enumerate(widths))
    return ["    " + fmt.format(*head).rstrip()] + ["    " + fmt.format(*b).rstrip() for b in body]


def _plus(text: str) -> str:
    return text if text == "n/a" else "+" + text


def _text(v) -> str:
    return "-" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)


def _num(v):
    return None if v is None or (isinstance(v, float) and (np.isnan(v) or np.isinf(v))) else v
