"""The real BOM files in ../shared/corpus/ (written by nobody here) read without a
crash; what they lack shows as findings; the rover parts list scores through the
mapping file shipped in data/mappings/."""
from __future__ import annotations

import json

import pytest

from conftest import CORPUS, REPO, codes, sku

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")
AS_OF = "2026-11-22"
ROVER_MAP = REPO / "data" / "mappings" / "osr-parts-list.map.toml"


@pytest.mark.parametrize("name", ["osr-parts_list.csv", "osr-control-board-kicad.csv", "osr-digikey-cart.csv"])
def test_corpus_file_reads_and_names_what_it_lacks(cli, name):
    r = cli("check", CORPUS / name, "--format", "json", "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["skus"]
    found = codes(report)
    # none of these files carries masses: every SKU says so instead of claiming 0 %
    assert "missing-mass" in found and "mass-no-data" in found
    for s in report["skus"]:
        assert s["mass_verdict"] == "no-data" and s["mass_kg"] is None


def test_rover_parts_list_rows_with_stray_commas_are_rejoined(check_json):
    r = check_json(CORPUS / "osr-parts_list.csv", "--as-of", AS_OF)
    repaired = codes(r)["row-repaired"]
    assert {f["source"]["row"] for f in repaired} == {43, 44, 45, 46}
    assert {f["source"]["column"] for f in repaired} == {"long name"}


def test_rover_scores_through_the_mapping_file(check_json):
    r = check_json(CORPUS / "osr-parts_list.csv", "--map", ROVER_MAP, "--as-of", AS_OF, "--all-levels")
    names = [s["sku"] for s in r["skus"]]
    assert names[0] == "open-source-rover"
    assert set(names) >= {"drive wheel", "corner", "rocker bogie", "body"}
    rover = sku(r, "open-source-rover")
    assert rover["currency"] == "USD"
    # the drive-wheel assembly: 6 per rover; per assembly 1 wheel $25.27, 1 clamping mount $5.99,
    # 1 motor $42.99, 1 D-hub clamp $7.99, 1 U-channel $4.99
    wheel = sku(r, "drive wheel")
    assert wheel["value"] == pytest.approx(25.27 + 5.99 + 42.99 + 7.99 + 4.99, rel=1e-9)
    # the row without a part number takes its short name through the mapping's fallback list
    assert "missing-part-number" not in codes(r)


def test_kicad_bom_reads_references_as_parts(check_json):
    r = check_json(CORPUS / "osr-control-board-kicad.csv", "--as-of", AS_OF)
    assert "flat-list" in codes(r)
    assert r["skus"][0]["sku"] == "osr-control-board-kicad"


def test_digikey_cart_value_is_the_sum_of_quantity_times_unit_price(check_json):
    import csv
    with open(CORPUS / "osr-digikey-cart.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    expected = sum(float(r["Quantity"]) * float(r["Unit Price"]) for r in rows)
    r = check_json(CORPUS / "osr-digikey-cart.csv", "--as-of", AS_OF, "--currency", "USD")
    cart = r["skus"][0]
    assert cart["sku"] == "osr-digikey-cart" and cart["currency"] == "USD"
    assert cart["value"] == pytest.approx(expected, rel=1e-9)
    # without a currency the value is not guessed
    r = check_json(CORPUS / "osr-digikey-cart.csv", "--as-of", AS_OF)
    assert r["skus"][0]["value"] is None and "missing-currency" in codes(r)
