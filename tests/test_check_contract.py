"""remin check: the JSON contract (domain.md §2.7), hand-computed figures on small
BOMs for each calculation rule, and exit codes."""
from __future__ import annotations

import json

import pytest

from conftest import EXAMPLES, codes, sku

AS_OF = "2026-11-22"


def test_json_carries_every_field_of_the_contract(check_json):
    r = check_json(EXAMPLES / "ev-drive-unit.xlsx", "--as-of", AS_OF)
    assert set(r) >= {"remin_version", "rules", "inputs", "skus", "findings"}
    assert set(r["rules"]) >= {"id", "as_of", "status", "threshold", "controlled_elements"}
    assert r["rules"]["threshold"] == 0.001 and r["rules"]["as_of"] == AS_OF
    assert set(r["inputs"][0]) == {"path", "sha256"} and len(r["inputs"][0]["sha256"]) == 64
    fields = {"sku", "description", "mass_kg", "controlled_mass_kg", "controlled_by_element_kg", "mass_share",
              "mass_verdict", "value", "currency", "value_share", "value_verdict", "part2_scope",
              "cn_technology", "verdict", "decided_by"}
    for s in r["skus"]:
        assert fields <= set(s), fields - set(s)
        assert set(s["controlled_mass_kg"]) == {"cn", "other", "unknown"}
        assert set(s["mass_share"]) == {"low", "high"}
        assert set(s["controlled_by_element_kg"]) == set(r["rules"]["controlled_elements"])
        for v in s["controlled_by_element_kg"].values():
            assert set(v) == {"cn", "other", "unknown"}
        assert s["mass_verdict"] in {"above", "below", "indeterminate", "no-data"}
        assert s["decided_by"] in {"value", "mass"}
        assert s["value_share"] is None or set(s["value_share"]) == {"low", "high"}
    for f in r["findings"]:
        assert set(f) == {"code", "severity", "part", "source", "message"}
        assert f["severity"] in {"error", "warning", "info"}
        assert f["code"] == f["code"].lower() and " " not in f["code"]


BOM_HEADER = "Level,Part Number,Description,Qty,UoM,Unit weight,Weight unit,RE origin,Country of origin,Dy [wt%]\n"


def test_declared_mass_wins_unknown_origin_interval_and_cable_per_metre(write, check_json):
    # A: 1 x SUB (declares 2 kg; its children add up to more) + 2.5 m cable at 120 g/m
    # SUB: 4 magnets 50 g, Dy 5 wt%, CN; 1 magnet 50 g, Dy 5 wt%, origin unknown; housing 3 kg
    f = write("a.csv", BOM_HEADER +
              "0,A,Product,1,EA,,,,,\n"
              "1,SUB,Subassembly,1,EA,2,kg,,,\n"
              "2,MAG,Magnet,4,EA,50,g,CN,,5\n"
              "2,MAGX,Magnet unknown origin,1,EA,50,g,,DE,5\n"
              "2,HSG,Housing,1,EA,3,kg,,,\n"
              "1,CAB,Cable,2.5,M,120,g/m,,,\n")
    r = check_json(f, "--as-of", AS_OF)
    a = sku(r, "A")
    mass = 2.0 + 2.5 * 0.120                      # declared SUB mass wins over 3.25 kg of children
    cn = 4 * 0.050 * 0.05                         # 10 g Dy
    unknown = 1 * 0.050 * 0.05                    # 2.5 g Dy
    assert a["mass_kg"] == pytest.approx(mass, rel=1e-9)
    assert a["controlled_mass_kg"]["cn"] == pytest.approx(cn, rel=1e-9)
    assert a["controlled_mass_kg"]["unknown"] == pytest.approx(unknown, rel=1e-9)
    assert a["controlled_by_element_kg"]["Dy"]["cn"] == pytest.approx(cn, rel=1e-9)
    assert a["mass_share"]["low"] == pytest.approx(cn / mass, rel=1e-9)
    assert a["mass_share"]["high"] == pytest.approx((cn + unknown) / mass, rel=1e-9)
    assert a["mass_verdict"] == "above"
    found = codes(r)
    assert found["children-exceed-declared"][0]["part"] == "SUB"
    assert any(f["part"] == "MAGX" for f in found["unknown-origin"])


def test_mass_uom_line_and_made_in_china_and_interval(write, check_json):
    # 0.35 kg of varnish (UoM KG carries its own mass); a part made in CN with no RE origin counts cn;
    # the unknown-origin part makes the verdict indeterminate.
    f = write("b.csv", BOM_HEADER +
              "0,P,Product,1,EA,,,,,\n"
              "1,VAR,Varnish,0.35,KG,,,,,\n"
              "1,BODY,Body,1,EA,9.65,kg,,,\n"
              "1,LED,LED made in China,1,EA,10,g,,CN,50\n"
              "1,MLCC,Capacitor,1,EA,10,g,,JP,100\n")
    r = check_json(f, "--as-of", AS_OF)
    p = sku(r, "P")
    mass = 0.35 + 9.65 + 0.010 + 0.010
    cn, unknown = 0.010 * 0.5, 0.010 * 1.0
    assert p["mass_kg"] == pytest.approx(mass, rel=1e-9)
    assert p["controlled_mass_kg"] == pytest.approx({"cn": cn, "other": 0.0, "unknown": unknown}, rel=1e-9)
    assert p["mass_share"]["low"] == pytest.approx(cn / mass, rel=1e-9)
    assert p["mass_verdict"] == "indeterminate"     # 0.05 % <= 0.1 % <= 0.15 %


def test_formula_and_cas_substances(write, check_json):
    bom = write("c.csv", "Parent,Child,Qty,UoM,Unit weight (g),RE origin\n"
                         ",X,1,EA,,\nX,COAT,1,EA,10,CN\nX,LAMP,1,EA,20,CN\nX,BASE,1,EA,970,\n")
    comp = write("c-comp.csv", "Part Number,Substance,Amount,Unit\n"
                               "COAT,Dy2O3,40,wt%\nLAMP,1314-36-9,5,wt%\n")
    r = check_json(bom, comp, "--as-of", AS_OF)
    x = sku(r, "X")
    dy_frac = 2 * 162.500 / (2 * 162.500 + 3 * 15.999405)          # Dy in Dy2O3 (molmass weights)
    y_frac = 2 * 88.90584 / (2 * 88.90584 + 3 * 15.999405)       # Y in Y2O3, CAS 1314-36-9
    assert dy_frac == pytest.approx(0.8713, abs=1e-4)
    assert x["controlled_by_element_kg"]["Dy"]["cn"] == pytest.approx(0.010 * 0.40 * dy_frac, rel=1e-9)
    assert x["controlled_by_element_kg"]["Y"]["cn"] == pytest.approx(0.020 * 0.05 * y_frac, rel=1e-9)
    assert x["mass_kg"] == pytest.approx(1.0, rel=1e-9)


def test_shared_subassembly_counts_once_per_use(write, check_json):
    # parent-child: P holds 2 x S and 1 x T; T holds 3 x S. S = 10 g with 10 wt% Sm (CN).
    f = write("d.csv", "Parent,Child,Qty,Unit Weight (g),RE origin,Sm [wt%]\n"
                       ",P,1,,,\nP,S,2,,,\nP,T,1,,,\nT,S,3,,,\nS,SM,1,10,CN,10\n")
    r = check_json(f, "--as-of", AS_OF)
    p = sku(r, "P")
    uses = 2 + 1 * 3
    assert p["mass_kg"] == pytest.approx(uses * 0.010, rel=1e-9)
    assert p["controlled_by_element_kg"]["Sm"]["cn"] == pytest.approx(uses * 0.010 * 0.10, rel=1e-9)


def test_before_the_first_rule_nothing_is_controlled(check_json):
    r = check_json(EXAMPLES / "ev-drive-unit.xlsx", "--as-of", "2025-03-01")
    assert r["rules"]["controlled_elements"] == []
    for s in r["skus"]:
        assert s["controlled_mass_kg"] == {"cn": 0.0, "other": 0.0, "unknown": 0.0}
        assert s["mass_verdict"] == "below"


def test_sku_option_and_unknown_sku_is_a_usage_error(cli):
    ok = cli("check", EXAMPLES / "ev-drive-unit.xlsx", "--sku", "MOT-150", "--format", "json", "--as-of", AS_OF)
    assert ok.exit_code == 0
    assert [s["sku"] for s in json.loads(ok.stdout)["skus"]] == ["MOT-150"]
    bad = cli("check", EXAMPLES / "ev-drive-unit.xlsx", "--sku", "NOPE")
    assert bad.exit_code == 2 and "NOPE" in bad.output


def test_fail_on_sets_the_exit_code(cli):
    r = cli("check", EXAMPLES / "sap-export.csv", EXAMPLES / "sap-export-composition.csv", "--as-of", AS_OF,
            "--fail-on", "above")
    assert r.exit_code == 1 and "40031005" in r.output
    r = cli("check", EXAMPLES / "consumer-device.csv", "--as-of", AS_OF, "--fail-on", "indeterminate")
    assert r.exit_code == 0


def test_table_and_csv_outputs(cli, tmp_path):
    r = cli("check", EXAMPLES / "consumer-device.csv", "--as-of", AS_OF)
    assert r.exit_code == 0
    assert "HV-210" in r.output and "below" in r.output and "0.0035 %" in r.output
    out = tmp_path / "x.csv"
    r = cli("check", EXAMPLES / "consumer-device.csv", "--as-of", AS_OF, "--output", out)
    assert r.exit_code == 0
    head, row = out.read_text().splitlines()[:2]
    assert head.startswith("sku,description,mass_kg") and row.startswith("HV-210,")


def test_help_shows_an_example(cli):
    r = cli("check", "--help")
    assert r.exit_code == 0 and "Example" in r.output and "remin check data/examples" in r.output
