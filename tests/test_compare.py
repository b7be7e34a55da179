"""remin.compare: per SKU the shares before and after, and which verdicts flip.
Fixture and hand figures: tests/whatif_fixture.py (SKU-A 1950 g, cn 1.5 g,
unknown 0.75 g; SKU-B 1000 g, unknown 0.1875 g)."""
from __future__ import annotations


import numpy as np
import pytest

import remin
from whatif_fixture import AS_OF, approx, bom  # noqa: F401 (fixture)
from remin.errors import UsageError



def test_compare_boms_with_the_same_options(bom):
    c = remin.compare(bom, bom.with_origin("MAG-1", "JP"), as_of=AS_OF)
    t = c.skus
    assert list(t.index) == ["SKU-A", "SKU-B"]
    assert t.at["SKU-A", "mass_share_low_before"] == approx(1.5 / 1950)
    assert t.at["SKU-A", "mass_share_low_after"] == approx(0.0)
    assert t.at["SKU-A", "mass_share_high_before"] == approx(2.25 / 1950)
    assert t.at["SKU-A", "mass_share_high_after"] == approx(0.75 / 1950)
    assert t.at["SKU-A", "delta_low"] == approx(-1.5 / 1950)
    assert t.at["SKU-A", "delta_high"] == approx(-1.5 / 1950)
    assert t.at["SKU-A", "flip"] == "indeterminate → below"
    assert bool(t.at["SKU-A", "flipped"]) and bool(t.at["SKU-A", "mass_verdict_flipped"])
    # SKU-B holds no MAG-1: nothing moves
    assert t.at["SKU-B", "delta_low"] == 0 and t.at["SKU-B", "flip"] == ""
    assert list(c.flipped.index) == ["SKU-A"]
    assert c.labels == ("as read", "MAG-1: RE origin JP")
    assert c.notes == ()


def test_compare_assessments_and_flip_to_above(bom):
    base = remin.assess(bom, as_of=AS_OF)
    worst = remin.assess(bom.with_origin("Magnetfabrik", "CN"), as_of=AS_OF)
    c = remin.compare(base, worst, labels=("base", "worst case"))
    # MAG-2's unknown content becomes cn: SKU-A low (1.5 + 0.75) / 1950 -> above;
    # SKU-B low 0.1875 / 1000 = 0.01875 % -> still below
    assert c.skus.at["SKU-A", "flip"] == "indeterminate → above"
    assert c.skus.at["SKU-B", "mass_share_low_after"] == approx(0.1875 / 1000)
    assert c.skus.at["SKU-B", "flip"] == ""
    assert c.labels == ("base", "worst case")
    assert c.before is base and c.after is worst


def test_compare_rules_as_written_says_what_differs():
    bom = remin.read_bom(remin.example_path("ev-drive-unit.xlsx"))
    during = remin.assess(bom, as_of="2026-01-15")
    written = remin.assess(bom, as_of="2026-01-15", as_written=True)
    c = remin.compare(during, written)
    assert c.labels == ("cn-rare-earth as of 2026-01-15", "cn-rare-earth as of 2026-01-15 as written")
    assert "controlled only after: Ho, Er, Tm, Eu, Yb" in c.notes
    # No. 57 adds Ho (MLCC, unknown) and Eu (LED, cn) to EDU-3000 (data/examples/README.md):
    # Eu cn 0.12 mg x 86.36 %; Ho unknown 2 x 24 x 5.8 mg x 0.20 %; no verdict flips
    eu = 0.12e-6 * 2 * 151.964 / (2 * 151.964 + 3 * 15.999405)
    ho = 2 * 24 * 5.8e-6 * 0.0020
    t = c.skus
    assert t.at["EDU-3000", "controlled_cn_kg_after"] - t.at["EDU-3000", "controlled_cn_kg_before"] \
        == pytest.approx(eu, rel=1e-6)
    assert t.at["EDU-3000", "controlled_unknown_kg_after"] - t.at["EDU-3000", "controlled_unknown_kg_before"] \
        == pytest.approx(ho, rel=1e-6)
    assert c.flipped.empty


def test_compare_union_of_skus(bom):
    only_a = remin.assess(bom, as_of=AS_OF, skus=["SKU-A"])
    both = remin.assess(bom, as_of=AS_OF)
    c = remin.compare(only_a, both)
    assert list(c.skus.index) == ["SKU-A", "SKU-B"]
    # SKU-B is a part of the before BOM too, so its figures are there
    assert c.skus.at["SKU-B", "mass_kg_before"] == approx(1.0)


def test_compare_part_missing_on_one_side(bom):
    other = remin.read_bom(remin.example_path("consumer-device.csv"))
    c = remin.compare(remin.assess(bom, as_of=AS_OF), remin.assess(other, as_of=AS_OF))
    assert list(c.skus.index) == ["SKU-A", "SKU-B", "HV-210"]
    assert np.isnan(c.skus.at["HV-210", "mass_share_low_before"])
    assert np.isnan(c.skus.at["SKU-A", "mass_share_low_after"])
    assert c.skus.at["HV-210", "flip"] == "missing → below"


def test_compare_errors(bom):
    a = remin.assess(bom, as_of=AS_OF)
    with pytest.raises(UsageError, match="apply to Boms"):
        remin.compare(a, a, as_of=AS_OF)
    with pytest.raises(UsageError, match="not str"):
        remin.compare(a, "bom.csv")
