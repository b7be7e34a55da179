"""Property tests: shares do not depend on how a mass is written or how rows are
ordered; scaling a SKU's components scales its mass but not its share; low <= high."""
from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from remin.assess import assess
from remin.bom import read_bom

AS_OF = date(2026, 11, 22)
MASS_UNITS = {"g": 1.0, "kg": 1e-3, "mg": 1e3, "lb": 1 / 453.59237, "oz": 1 / 28.349523125}


@st.composite
def boms(draw):
    """A random BOM tree: a root, up to 3 levels of assemblies, leaves with mass, Dy and origin."""
    n_asm = draw(st.integers(0, 4))
    assemblies = [f"A{i}" for i in range(n_asm)]
    rows = []
    for i, a in enumerate(assemblies):   # each assembly hangs under the root or an earlier assembly
        parent = draw(st.sampled_from(["ROOT", *assemblies[:i]]))
        rows.append((parent, a, draw(st.integers(1, 5)), None, None, None))
    n_leaf = draw(st.integers(1, 6))
    for j in range(n_leaf):
        parent = draw(st.sampled_from(["ROOT", *assemblies]))
        mass_g = draw(st.floats(0.1, 5000, allow_nan=False))
        dy = draw(st.one_of(st.none(), st.floats(0, 10, allow_nan=False)))
        origin = draw(st.sampled_from(["CN", "JP", ""]))
        rows.append((parent, f"L{j}", draw(st.integers(1, 9)), mass_g, dy, origin))
    return rows


def _csv(rows, unit="g", order=None) -> str:
    out = io.StringIO()
    out.write("Parent,Child,Qty,Unit weight,Weight unit,RE origin,Dy [wt%]\n,ROOT,1,,,,\n")
    idx = range(len(rows)) if order is None else order
    for k in idx:
        parent, child, qty, mass_g, dy, origin = rows[k]
        m = "" if mass_g is None else repr(mass_g * MASS_UNITS[unit])
        out.write(f"{parent},{child},{qty},{m},{unit if m else ''},{origin or ''},{'' if dy is None else dy}\n")
    return out.getvalue()


def _shares(tmp_path, text, name="b.csv"):
    p = tmp_path / name
    p.write_text(text)
    a = assess(read_bom(p), as_of=AS_OF)
    r = a.results.loc["ROOT"]
    return r["mass_kg"], r["mass_share_low"], r["mass_share_high"], r["mass_verdict"]


settings.register_profile("remin", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("remin")


def _close(a, b):
    return (np.isnan(a) and np.isnan(b)) or np.isclose(a, b, rtol=1e-9, atol=0)


@given(boms(), st.sampled_from(sorted(MASS_UNITS)))
def test_share_does_not_depend_on_the_mass_unit(tmp_path, rows, unit):
    m_g, lo_g, hi_g, v_g = _shares(tmp_path, _csv(rows, "g"), "g.csv")
    m_u, lo_u, hi_u, v_u = _shares(tmp_path, _csv(rows, unit), "u.csv")
    assert _close(m_g, m_u) and _close(lo_g, lo_u) and _close(hi_g, hi_u)


@given(boms(), st.randoms(use_true_random=False))
def test_share_does_not_depend_on_row_order(tmp_path, rows, rnd):
    order = list(range(len(rows)))
    rnd.shuffle(order)
    a = _shares(tmp_path, _csv(rows), "a.csv")
    b = _shares(tmp_path, _csv(rows, order=order), "b.csv")
    assert all(_close(x, y) for x, y in zip(a[:3], b[:3])) and a[3] == b[3]


@given(boms(), st.integers(2, 50))
def test_scaling_a_skus_components_keeps_its_share(tmp_path, rows, k):
    scaled = [(p, c, q * k if p == "ROOT" else q, m, dy, o) for p, c, q, m, dy, o in rows]
    m1, lo1, hi1, _ = _shares(tmp_path, _csv(rows), "a.csv")
    m2, lo2, hi2, _ = _shares(tmp_path, _csv(scaled), "b.csv")
    assert _close(m1 * k, m2) and _close(lo1, lo2) and _close(hi1, hi2)


@given(boms())
def test_low_is_never_above_high(tmp_path, rows):
    mass, lo, hi, verdict = _shares(tmp_path, _csv(rows))
    if np.isnan(mass):          # an assembly without children and without a mass: unknown, said so
        assert verdict == "no-data"
    else:
        assert lo <= hi
        assert verdict in {"above", "below", "indeterminate"}
