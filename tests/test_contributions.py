"""Contributor rows: paths, masses and the value each row carries for the value test.

A small parent-child BOM written here (amounts in pieces, unit weights in g):

    P  product, declared value 1000 USD
    ├─ 2 × A   magnet assembly flagged as an Annex 1 Part I item, 5 USD each, RE origin CN
    │     ├─ 3 × M1  10 g, Dy 4 wt%, Tb 1 wt%, RE origin CN
    │     └─ 1 × M2  20 g, Dy 5 wt%, RE origin JP
    ├─ 1 × X   loose magnet 8 g, Dy 2 wt%, RE origin CN (not flagged)
    ├─ 1 × K   Part I item (e.g. Dy oxide) 3 g, 7 USD, RE origin CN, no composition given
    ├─ 1 × L   LED 1 g, Eu 1 wt%, made in CN (Eu: controlled, but no Part I item is made of it)
    └─ 1 × S   steel 500 g
"""
from __future__ import annotations

import datetime

import pytest

from remin.api import run_check
from remin.contributions import contribution_tree, contributor_rows
from remin.whereused import where_used

CSV = """Parent,Child,Description,Quantity,UoM,Unit Weight (g),RE Origin,Country of Origin,Unit Price,Currency,Part I,Dy [wt%],Tb [wt%],Eu [wt%]
,P,product,1,EA,,,,1000,USD,,,,
P,A,magnet assembly,2,EA,,CN,,5,USD,yes,,,
A,M1,magnet,3,EA,10,CN,,1,USD,,4,1,
A,M2,magnet,1,EA,20,JP,,1,USD,,5,,
P,X,loose magnet,1,EA,8,CN,,2,USD,,2,,
P,K,dysprosium oxide,1,EA,3,CN,,7,USD,yes,,,
P,L,LED,1,EA,1,,CN,0.5,USD,,,,1
P,S,steel,1,EA,500,,,,USD,,,,
"""
G = 1e-3
DY_PRICE = 700.0   # USD per kg of Dy contained, data/prices/reference-prices.csv (2025-01-01)


@pytest.fixture(scope="module")
def assessment(tmp_path_factory):
    path = tmp_path_factory.mktemp("bom") / "bom.csv"
    path.write_text(CSV, encoding="utf-8")
    return run_check([str(path)], as_of=datetime.date(2026, 11, 22)).assessment


def test_rows_per_path_element_and_origin(assessment):
    rows = contributor_rows(contribution_tree(assessment))
    got = {(r.path, r.element, r.origin_class): r.mass_kg for r in rows.itertuples() if r.element}
    assert got == {
        ("P > A > M1", "Dy", "cn"): pytest.approx(2 * 3 * 10 * G * 0.04),   # 2.4 g
        ("P > A > M1", "Tb", "cn"): pytest.approx(2 * 3 * 10 * G * 0.01),   # 0.6 g
        ("P > A > M2", "Dy", "other"): pytest.approx(2 * 1 * 20 * G * 0.05),  # 2.0 g, JP
        ("P > X", "Dy", "cn"): pytest.approx(8 * G * 0.02),                 # 0.16 g
        ("P > L", "Eu", "cn"): pytest.approx(1 * G * 0.01),                 # 0.01 g, made in CN
    }
    mass = (2 * (3 * 10 + 20) + 8 + 3 + 1 + 500) * G     # 612 g
    assert rows.set_index("path").loc["P > X", "mass_share"] == pytest.approx(0.16 * G / mass)


def test_values_declared_under_a_part1_item_estimated_elsewhere(assessment):
    rows = contributor_rows(contribution_tree(assessment)).set_index(["path", "element"])
    item = 2 * 5.0                       # 2 flagged assemblies x 5 USD: counted once, not again for M1/M2
    under = 2.4 + 0.6 + 2.0              # g of controlled content under them, by which the value is split
    assert rows.loc[("P > A > M1", "Dy"), "value"] == pytest.approx(item * 2.4 / under)   # 4.8 USD
    assert rows.loc[("P > A > M1", "Tb"), "value"] == pytest.approx(item * 0.6 / under)   # 1.2 USD
    assert rows.loc[("P > A > M2", "Dy"), "value"] == pytest.approx(item * 2.0 / under)   # 4.0 USD
    assert set(rows.loc[[("P > A > M1", "Dy"), ("P > A > M2", "Dy")], "value_basis"]) == {"declared"}
    x = rows.loc[("P > X", "Dy")]
    assert x["value"] == pytest.approx(0.16 * G * DY_PRICE)          # 0.112 USD at the reference price
    assert x["value_basis"] == "estimated" and x["currency"] == "USD"
    assert x["value_share"] == pytest.approx(0.16 * G * DY_PRICE / 1000.0)
    # Eu is controlled (mass test) but no Part I item is made of it: not valued.
    assert rows.loc[("P > L", "Eu"), "value"] == 0.0
    assert rows.loc[("P > L", "Eu"), "value_basis"].startswith("not valued")


def test_part1_item_without_composition_gets_a_row_of_its_own(assessment):
    rows = contributor_rows(contribution_tree(assessment))
    k = rows[rows["part"] == "K"]
    assert len(k) == 1
    k = k.iloc[0]
    assert k["element"] is None and k["origin_class"] == "cn" and k["path"] == "P > K"
    assert k["value"] == 7.0 and k["value_basis"] == "declared" and k["value_share"] == pytest.approx(7 / 1000)
    assert bool(k["part1"]) and not (k["mass_kg"] == k["mass_kg"])   # mass unknown (NaN), not 0


def test_where_used_lists_controlled_parts_and_part1_items(assessment):
    w = where_used(assessment)
    assert list(w["part"]) == ["A", "K", "L", "M1", "M2", "X"]   # A, K: Part I items without own composition
    m1 = w.set_index("part").loc["M1"]
    assert m1["path"] == "P > A > M1" and m1["extended_qty"] == 6 and m1["counted"]
    assert m1["cn_kg"] == pytest.approx(6 * 10 * G * 0.05) and m1["elements"] == "Tb, Dy"
