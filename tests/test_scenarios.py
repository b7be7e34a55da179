"""Scenarios: each returns a new Bom with the edit; the base Bom never changes.
Fixture and hand figures: tests/whatif_fixture.py."""
from __future__ import annotations


import pandas as pd
import pytest

import remin
from whatif_fixture import AS_OF, G, approx, bom  # noqa: F401 (fixture)
from remin.errors import UsageError

T = 0.001


def sku_a(bom, **options):
    return remin.assess(bom, as_of=AS_OF, **options).results.loc["SKU-A"]


def test_base_figures(bom):
    r = sku_a(bom)
    assert r["mass_kg"] == approx(1950 * G)
    assert r["controlled_cn_kg"] == approx(10 * 20 * 0.0075 * G)
    assert r["controlled_unknown_kg"] == approx(4 * 25 * (0.005 + 0.0025) * G)
    assert r["controlled_other_kg"] == approx(2 * 10 * 0.04 * G)
    assert r["mass_share_low"] == approx(1.5 / 1950)
    assert r["mass_share_high"] == approx(2.25 / 1950)
    assert r["verdict"] == "indeterminate"
    assert r["value"] == approx(10 * 2 + 4 * 3 + 2 * 4 + 10)


# --------------------------------------------------------------------------- with_origin
def test_with_origin_part(bom):
    jp = bom.with_origin("MAG-1", "Japan")
    assert jp.parts.at["MAG-1", "re_origin"] == "JP"
    assert set(jp.composition.loc[jp.composition["part"] == "MAG-1", "origin"]) == {"JP"}
    r = sku_a(jp)
    # MAG-1's 1.5 g leaves cn for other: low 0, high = 0.75 g / 1950 g
    assert r["controlled_cn_kg"] == approx(0.0)
    assert r["controlled_other_kg"] == approx((0.8 + 1.5) * G)
    assert r["mass_share_high"] == approx(0.75 / 1950)
    assert r["verdict"] == "below"
    assert jp.changes == ("MAG-1: RE origin JP",)


def test_with_origin_supplier_matches_ignoring_case(bom):
    cn = bom.with_origin(" magnetfabrik ", "CN")           # MAG-2's supplier
    r = sku_a(cn)
    # MAG-2's unknown 0.75 g becomes cn: low = (1.5 + 0.75) / 1950
    assert r["mass_share_low"] == approx(2.25 / 1950)
    assert r["verdict"] == "above"
    assert cn.changes == ("supplier  magnetfabrik : RE origin CN",)


def test_with_origin_list_of_parts(bom):
    r = sku_a(bom.with_origin(["MAG-2", "MAG-3"], "CHN"))
    # cn = 1.5 + 0.75 + 0.8 g
    assert r["controlled_cn_kg"] == approx((1.5 + 0.75 + 0.8) * G)
    assert r["controlled_unknown_kg"] == approx(0.0)


def test_with_origin_errors(bom):
    with pytest.raises(UsageError, match="did you mean .*MAG-1"):
        bom.with_origin("MAG-l", "JP")
    with pytest.raises(UsageError, match="not a country"):
        bom.with_origin("MAG-1", "Atlantis")
    with pytest.raises(UsageError, match="Magnetfabrik"):
        bom.with_origin("Magnetfabric", "JP")


# --------------------------------------------------------------------------- with_composition
def test_with_composition_keeps_the_declared_origin(bom):
    more = bom.with_composition("MAG-1", {"Dy": "1 wt%"})
    rows = more.composition[more.composition["part"] == "MAG-1"]
    assert rows[["element", "fraction"]].values.tolist() == [["Dy", 0.01]]
    assert rows["origin"].tolist() == ["CN"]
    r = sku_a(more)
    # cn = 10 x 20 g x 1 % = 2 g -> low 2 / 1950 = 0.1026 % -> above
    assert r["controlled_cn_kg"] == approx(2 * G)
    assert r["verdict"] == "above"


def test_with_composition_units_substances_and_other_elements(bom):
    # MAG-2: Tb kept (0.25 %), Dy from 0.5 % to 120 ppm, plus 0.1 g Dy2O3 per piece of CN origin
    s = bom.with_composition("MAG-2", {"Dy": "120 ppm"}).with_composition("MAG-2", {"Dy2O3": "0.1 g"},
                                                                           origin="CN")
    dy_in_dy2o3 = 2 * 162.5 / (2 * 162.5 + 3 * 15.999405)
    r = sku_a(s)
    # the second call replaces all Dy rows (the 120 ppm too): Dy is now only 0.1 g x 87.13 % per piece, CN
    assert r["Dy_cn_kg"] == approx(1.5 * G + 4 * 0.1 * dy_in_dy2o3 * G)
    assert r["Tb_unknown_kg"] == approx(4 * 25 * 0.0025 * G)
    assert r["Dy_unknown_kg"] == approx(0.0)
    only_ppm = sku_a(bom.with_composition("MAG-2", {"Dy": "120 ppm"}))
    assert only_ppm["Dy_unknown_kg"] == approx(4 * 25 * 120e-6 * G)


def test_with_composition_bare_fraction_and_zero(bom):
    r = sku_a(bom.with_composition("MAG-1", {"Dy": 0.0}))
    assert r["controlled_cn_kg"] == approx(0.0)
    r = sku_a(bom.with_composition("HSG-1", {"Dy": 0.0001}, origin="CN"))
    # a housing with 100 ppm Chinese Dy: 1630 g x 0.01 % = 0.163 g more cn
    assert r["controlled_cn_kg"] == approx((1.5 + 0.163) * G)


@pytest.mark.parametrize("amounts, message", [
    ({"Dy": 2}, "mass fraction between 0 and 1"),
    ({"Dy": "2"}, "number with a unit"),
    ({"Dy": "2 m"}, "expected"),
    ({"Dy": "-1 wt%"}, "negative"),
    ({"Unobtainium": "1 wt%"}, "Unobtainium"),
    ({"Dy": "60 wt%", "Tb": "50 wt%"}, "add up to 110.00%"),
    ({}, "no amounts"),
])
def test_with_composition_errors(bom, amounts, message):
    with pytest.raises(UsageError, match=message):
        bom.with_composition("MAG-1", amounts)


def test_with_composition_several_origins_needs_origin(bom):
    extra = bom.composition.iloc[[0]].assign(origin="JP")          # a second MAG-1 Dy row, from Japan
    mixed = bom.replace(composition=pd.concat([bom.composition, extra], ignore_index=True))
    with pytest.raises(UsageError, match="several origins"):
        mixed.with_composition("MAG-1", {"Dy": "1 wt%"})
    r = sku_a(mixed.with_composition("MAG-1", {"Dy": "1 wt%"}, origin="JP"))
    assert r["controlled_cn_kg"] == approx(0.0)


# --------------------------------------------------------------------------- replace_part
def test_replace_part_by_a_new_copy(bom):
    s = bom.replace_part("MAG-3", "MAG-3-CN", re_origin="CN", supplier="Baotou Example")
    assert s.parts.at["MAG-3-CN", "re_origin"] == "CN"
    assert s.parts.at["MAG-3-CN", "mass_kg"] == approx(10 * G)           # copied from MAG-3
    assert s.parts.at["MAG-3", "re_origin"] == "JP"                      # the old part stays as it was
    assert (s.edges["child"] == "MAG-3").sum() == 0
    # re_origin is the origin of the copy's rare-earth content: its Dy rows say CN, MAG-3's still JP
    comp = s.composition.set_index("part")
    assert (comp.at["MAG-3-CN", "origin"], comp.at["MAG-3", "origin"]) == ("CN", "JP")
    r = sku_a(s)
    # MAG-3's other 0.8 g becomes cn: low = (1.5 + 0.8) / 1950 = 0.1179 % -> above
    assert r["controlled_cn_kg"] == approx((1.5 + 0.8) * G)
    assert r["verdict"] == "above"
    assert r["mass_share_low"] == approx(2.3 / 1950)


def test_replace_part_with_new_mass(bom):
    r = sku_a(bom.replace_part("MAG-1", "MAG-1-LIGHT", mass_kg=0.015))
    # 10 x 15 g: mass 1950 - 50 = 1900 g, cn 10 x 15 x 0.75 % = 1.125 g
    assert r["mass_kg"] == approx(1900 * G)
    assert r["controlled_cn_kg"] == approx(1.125 * G)


def test_replace_part_by_an_existing_part(bom):
    r = sku_a(bom.replace_part("MAG-1", "MAG-3"))
    # 12 x MAG-3: mass 12 x 10 + 100 + 1630 = 1850 g; cn 0; other 12 x 10 x 4 % = 4.8 g
    assert r["mass_kg"] == approx(1850 * G)
    assert r["controlled_cn_kg"] == approx(0.0)
    assert r["controlled_other_kg"] == approx(4.8 * G)
    assert r["mass_share_high"] == approx(0.75 / 1850)


def test_replace_part_copies_children_of_an_assembly():
    bom = remin.read_bom(remin.example_path("ev-drive-unit.xlsx"))
    s = bom.replace_part("RES-40", "RES-40-B", description="second-source resolver")
    kids = s.edges.loc[s.edges["parent"] == "RES-40-B", ["child", "amount"]].values.tolist()
    assert kids == [["RES-ST40", 1.0], ["RES-RT40", 1.0], ["MAG-SC5", 2.0]]
    a, b = remin.assess(bom, as_of=AS_OF), remin.assess(s, as_of=AS_OF)
    assert b.results.at["EDU-3000", "mass_kg"] == approx(a.results.at["EDU-3000", "mass_kg"])


def test_replace_part_errors(bom):
    with pytest.raises(UsageError, match="is a SKU"):
        bom.replace_part("SKU-A", "SKU-C")
    with pytest.raises(UsageError, match="unknown part attribute"):
        bom.replace_part("MAG-1", "MAG-9", weight=3)
    with pytest.raises(UsageError, match=">= 0"):
        bom.replace_part("MAG-1", "MAG-9", mass_kg=-1)
    with pytest.raises(UsageError, match="same part"):
        bom.replace_part("MAG-1", "MAG-1")
    ev = remin.read_bom(remin.example_path("ev-drive-unit.xlsx"))
    with pytest.raises(UsageError, match="counted by mass"):
        ev.replace_part("MAG-N42DY", "VAR-IMP")


# --------------------------------------------------------------------------- with_value
def test_with_value(bom):
    r = sku_a(bom.with_value("MAG-1", 2.5))
    assert r["value"] == approx(10 * 2.5 + 12 + 8 + 10)           # 55 USD
    assert bom.with_value("MAG-1", 2.5).parts.at["MAG-1", "currency"] == "USD"
    r = sku_a(bom.with_value("SKU-A", 120, "usd"))
    assert r["value"] == approx(120) and r["currency"] == "USD"      # declared wins over the roll-up
    with pytest.raises(UsageError, match="ISO 4217"):
        bom.with_value("MAG-1", 1, "dollars")
    with pytest.raises(UsageError, match="not a number"):
        bom.with_value("MAG-1", "cheap")


# --------------------------------------------------------------------------- immutability
SCENARIOS = {
    "with_origin": lambda b: b.with_origin("MAG-1", "JP"),
    "with_origin_supplier": lambda b: b.with_origin("Magnetfabrik", "CN"),
    "with_composition": lambda b: b.with_composition("MAG-1", {"Dy": "2 wt%", "Tb": "0.5 wt%"}),
    "replace_part_new": lambda b: b.replace_part("MAG-3", "MAG-3-X", re_origin="CN", mass_kg=0.02,
                                                 supplier="X", part1=True),
    "replace_part_existing": lambda b: b.replace_part("MAG-1", "MAG-3"),
    "with_value": lambda b: b.with_value("MAG-1", 9.0, "EUR"),
    "chain": lambda b: b.with_origin("MAG-2", "CN").with_composition("MAG-2", {"Dy": "3 wt%"})
                        .replace_part("MAG-2", "MAG-2-B", mass_kg=0.03).with_value("SKU-A", 70, "USD"),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenarios_never_change_the_base(bom, name):
    before = {f: getattr(bom, f).copy(deep=True) for f in ("parts", "edges", "composition")}
    roots, changes, findings = bom.roots, bom.changes, bom.findings
    base_result = sku_a(bom)
    s = SCENARIOS[name](bom)
    for f, frame in before.items():
        pd.testing.assert_frame_equal(getattr(bom, f), frame)
        assert getattr(s, f) is not getattr(bom, f)                  # no frame is shared
    assert (bom.roots, bom.changes, bom.findings) == (roots, changes, findings)
    assert len(s.changes) >= 1
    # editing the scenario's frames in place cannot reach the base either
    s.parts.loc[:, "mass_kg"] = 123.0
    s.composition.loc[:, "fraction"] = 0.5
    s.edges.loc[:, "amount"] = 7.0
    for f, frame in before.items():
        pd.testing.assert_frame_equal(getattr(bom, f), frame)
    pd.testing.assert_series_equal(sku_a(bom), base_result)


def test_bom_is_frozen(bom):
    with pytest.raises(AttributeError):
        bom.parts = bom.parts
