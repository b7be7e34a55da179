"""Sensitivity ranking, headroom and the exact break-even solver, against hand
arithmetic. Fixture: tests/whatif_fixture.py. In grams:

    SKU-A  M = 1950; cn 1.5 (MAG-1: 10 x 20 x 0.75 %); unknown 0.75 (MAG-2: 4 x 25 x 0.75 %);
           other 0.8 (MAG-3: 2 x 10 x 4 %); threshold line at 0.001 x 1950 = 1.95 g
    SKU-B  M = 1000; unknown 0.1875 (MAG-2: 25 x 0.75 %); line at 1 g
"""
from __future__ import annotations


import numpy as np
import pytest

import remin
from whatif_fixture import AS_OF, G, a, approx, bom  # noqa: F401 (fixtures)
from remin.errors import UsageError



# --------------------------------------------------------------------------- sensitivity
def test_sensitivity_ranks_parts_by_swing(a):
    s = remin.sensitivity(a, "SKU-A")
    # swing = all of the part's controlled content / SKU mass: 1.5, 0.8, 0.75 g of 1950 g
    assert list(s.index) == ["MAG-1", "MAG-3", "MAG-2"]
    assert s["swing"].tolist() == [approx(1.5 / 1950), approx(0.8 / 1950), approx(0.75 / 1950)]
    assert s.at["MAG-1", "extended_qty"] == 10 and s.at["MAG-1", "part_mass_kg"] == approx(200 * G)


def test_sensitivity_resolves_each_origin_both_ways(a):
    s = remin.sensitivity(a, "SKU-A")
    # MAG-1 not Chinese: low 0, high 0.75/1950 -> below; Chinese (as now): indeterminate
    assert s.at["MAG-1", "low_if_not_cn"] == approx(0.0)
    assert s.at["MAG-1", "high_if_not_cn"] == approx(0.75 / 1950)
    assert (s.at["MAG-1", "verdict_if_not_cn"], s.at["MAG-1", "verdict_if_cn"]) == ("below", "indeterminate")
    # MAG-2 (unknown) not Chinese: 1.5/1950 both bounds -> below; Chinese: low 2.25/1950 -> above
    assert s.at["MAG-2", "high_if_not_cn"] == approx(1.5 / 1950)
    assert s.at["MAG-2", "low_if_cn"] == approx(2.25 / 1950)
    assert (s.at["MAG-2", "verdict_if_not_cn"], s.at["MAG-2", "verdict_if_cn"]) == ("below", "above")
    # MAG-3 (JP) Chinese: low (1.5 + 0.8)/1950, high (2.25 + 0.8)/1950 -> above
    assert s.at["MAG-3", "low_if_cn"] == approx(2.3 / 1950)
    assert s.at["MAG-3", "high_if_cn"] == approx(3.05 / 1950)
    assert s.at["MAG-3", "verdict_if_not_cn"] == "indeterminate"
    assert s["decides"].all()
    # 1 wt% more Chinese controlled content in MAG-1 adds 200 g x 1 % = 2 g: 2/1950 of the share
    assert s.at["MAG-1", "share_per_wt_pct"] == approx(2 / 1950)


def test_sensitivity_of_a_sku_with_one_part_that_does_not_decide(a):
    s = remin.sensitivity(a, "SKU-B")
    assert list(s.index) == ["MAG-2"]
    # as Chinese: 0.1875 / 1000 = 0.01875 % < 0.1 %: below either way
    assert s.at["MAG-2", "low_if_cn"] == approx(0.1875 / 1000)
    assert not s.at["MAG-2", "decides"]


def test_sensitivity_unknown_sku(a):
    with pytest.raises(UsageError, match="not in the BOM"):
        remin.sensitivity(a, "SKU-Z")


# --------------------------------------------------------------------------- headroom
def test_headroom(a):
    h = remin.headroom(a)
    assert list(h.index) == ["SKU-A", "SKU-B"]
    assert h.at["SKU-A", "limit_kg"] == approx(1.95 * G)
    assert h.at["SKU-A", "headroom_kg"] == approx((1.95 - 1.5) * G)                # 0.45 g
    assert h.at["SKU-A", "headroom_if_unknown_cn_kg"] == approx((1.95 - 2.25) * G)  # -0.30 g: over
    assert h.at["SKU-A", "headroom_share"] == approx(0.001 - 1.5 / 1950)
    assert h.at["SKU-B", "headroom_kg"] == approx(1.0 * G)
    assert h.at["SKU-B", "headroom_if_unknown_cn_kg"] == approx((1.0 - 0.1875) * G)
    assert list(remin.headroom(a, "SKU-B").index) == ["SKU-B"]


# --------------------------------------------------------------------------- break-even
def test_break_even_low_bound_by_hand(a):
    be = remin.break_even(a, "SKU-A", "MAG-1", "Dy")
    # SKU-A without MAG-1's Dy: cn 1.5 - 10 x 20 x 0.75 % = 0 g; line 1.95 g; 10 x 20 g of magnet:
    # f* = (1.95 - 0) / 200 = 0.975 %
    assert be.status == "ok"
    assert be.fraction == approx(0.00975)
    assert be.kg_per_unit == approx(0.00975 * 20 * G)
    assert be.current_fraction == approx(0.0075)
    assert be.origin_class == "cn"
    assert be.slope == approx(200 / 1950)            # share per unit of fraction
    assert "0.9750%" in str(be)


def test_break_even_high_bound_by_hand(a):
    be = remin.break_even(a, "SKU-A", "MAG-1", "Dy", bound="high")
    # the high bound also counts MAG-2's 0.75 g unknown: f* = (1.95 - 0.75) / 200 = 0.6 %
    assert be.fraction == approx(0.006)


def test_break_even_is_exact_when_applied(bom, a):
    """Set the content to the solution and assess again: the share lands on the threshold."""
    be = remin.break_even(a, "SKU-A", "MAG-1", "Dy")
    at = remin.assess(bom.with_composition("MAG-1", {"Dy": be.fraction}), as_of=AS_OF).results.loc["SKU-A"]
    assert at["mass_share_low"] == approx(0.001)
    just_under = remin.assess(bom.with_composition("MAG-1", {"Dy": be.fraction * (1 - 1e-9)}), as_of=AS_OF)
    assert just_under.results.at["SKU-A", "mass_share_low"] < 0.001
    assert just_under.results.at["SKU-A", "mass_verdict"] == "indeterminate"


def test_break_even_on_the_example_motor():
    """The Dy wt% at which the EV motor crosses 0.1 % (data/examples/README.md figures):
    MOT-150 M = 50.6123992 kg; its other cn content is the Dy2O3 slurry, 6 g x 40 % x Dy
    in Dy2O3; 48 magnets x 30.6 g. f* = (0.001 M - slurry) / (48 x 30.6 g)."""
    bom = remin.read_bom(remin.example_path("ev-drive-unit.xlsx"))
    a = remin.assess(bom, as_of="2026-11-22")
    dy_in_dy2o3 = 2 * 162.5 / (2 * 162.5 + 3 * 15.999405)
    slurry = 6 * G * 0.40 * dy_in_dy2o3
    be = remin.break_even(a, "MOT-150", "MAG-N42DY", "Dy")
    assert be.fraction == pytest.approx((0.001 * 50.6123992 - slurry) / (48 * 30.6 * G), rel=1e-9)
    assert be.fraction == pytest.approx(0.033035, abs=5e-7)                          # 3.3035 wt%


def test_break_even_origin_and_parts_without_composition(a):
    # the housing has no composition; as Chinese Dy: f* = (1.95 - 1.5) / 1630
    be = remin.break_even(a, "SKU-A", "HSG-1", "Dy", origin="CN")
    assert be.fraction == approx(0.45 / 1630) and be.current_fraction == 0
    # by default a part made in DE without RE origin holds unknown-origin content: low cannot move
    assert remin.break_even(a, "SKU-A", "HSG-1", "Dy").status == "no-effect"
    # ... but the high bound can: f* = (1.95 - 2.25) / 1630 < 0: already over
    assert remin.break_even(a, "SKU-A", "HSG-1", "Dy", bound="high").status == "already-crossed"
    # MAG-2's Tb as Chinese (its unknown Tb rows stay): f* = (1.95 - 1.5) / (4 x 25)
    assert remin.break_even(a, "SKU-A", "MAG-2", "Tb", origin="China").fraction == approx(0.45 / 100)


@pytest.mark.parametrize("sku, part, element, kw, status", [
    ("SKU-A", "MAG-3", "Dy", {}, "no-effect"),                  # JP: other origin never counts
    ("SKU-A", "MAG-1", "Nd", {}, "no-effect"),                  # Nd is not controlled
    ("SKU-A", "MAG-2", "Tb", {}, "no-effect"),                  # unknown origin, low bound
    ("SKU-A", "MAG-2", "Tb", {"bound": "high"}, "already-crossed"),  # 2.25 - 0.25 = 2.0 g > 1.95 g
    ("SKU-B", "MAG-1", "Dy", {}, "not-reached"),                # MAG-1 is not in SKU-B
    ("SKU-B", "SCR-1", "Dy", {"origin": "CN"}, "unreachable"),  # 1 g of Dy in a 0.5 g screw: 200 %
])
def test_break_even_statuses(a, sku, part, element, kw, status):
    be = remin.break_even(a, sku, part, element, **kw)
    assert be.status == status
    assert be.message == str(be)
    if status == "unreachable":
        assert be.fraction == approx(1.0 / 0.5)
    if status in ("no-effect", "not-reached"):
        assert np.isnan(be.fraction)


def test_break_even_errors(a):
    with pytest.raises(UsageError, match="assembly"):
        remin.break_even(a, "SKU-A", "SKU-A", "Dy")
    with pytest.raises(UsageError, match="bound"):
        remin.break_even(a, "SKU-A", "MAG-1", "Dy", bound="middle")
    with pytest.raises(UsageError, match="not in the BOM"):
        remin.break_even(a, "SKU-A", "MAG-9", "Dy")
    with pytest.raises(UsageError, match="not a country"):
        remin.break_even(a, "SKU-A", "MAG-1", "Dy", origin="Mordor")


def test_break_even_content_of_several_origins_needs_origin(bom):
    import pandas as pd
    extra = bom.composition.iloc[[0]].assign(origin="JP", fraction=0.001)   # MAG-1: 0.1 % Dy from Japan too
    mixed = bom.replace(composition=pd.concat([bom.composition, extra], ignore_index=True))
    a = remin.assess(mixed, as_of=AS_OF)
    with pytest.raises(UsageError, match="several origin classes"):
        remin.break_even(a, "SKU-A", "MAG-1", "Dy")
    # the Chinese rows alone are solved for; the Japanese 0.1 % stays and does not count
    be = remin.break_even(a, "SKU-A", "MAG-1", "Dy", origin="CN")
    assert be.fraction == approx(0.00975) and be.current_fraction == approx(0.0075)
