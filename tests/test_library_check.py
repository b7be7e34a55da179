"""remin check --library: the library fills what the BOM leaves blank, the BOM wins,
findings name the declaration, and a reviewer's override changes the verdict."""
from __future__ import annotations

import json

import pytest

from remin.api import run_check
from remin.bom import read_bom
from remin.library import Library
from remin.library.fill import LibrarySnapshot, fill_from_library

from conftest import codes, sku
from test_library import filled_template

# FAN-1 holds two magnets (no data on the BOM) and a housing (200 g, origin MY on the BOM)
BOM = """Level,Part Number,Description,Qty,UoM,Unit Weight (g),RE Origin
0,FAN-1,Cooling fan,1,EA,,
1,MAG-001,,2,EA,,
1,HSG-1,Housing,1,EA,200,MY
"""
PARTS = [  # part, description, unit mass, unit, RE origin, made in, value, currency, supplier, date
    ["MAG-001", "NdFeB magnet", 7.5, "g", "unknown", "VN", 2.4, "USD", "Acme", "2025-11-03"],
    ["HSG-1", "Housing", 0.25, "kg", "CN", "VN", 1.1, "USD", "Acme", "2025-11-03"],
    ["SPARE-9", "Not in the BOM", 1, "kg", "CN", "CN", 9, "USD", "Acme", "2025-11-03"],
]
COMPOSITION = [["MAG-001", "Dy", None, 2, "wt%", None], ["MAG-001", "Nd", None, 25, "wt%", None],
               ["SPARE-9", "Dy", None, 50, "wt%", None]]


def declaration(path, parts=PARTS, composition=COMPOSITION):
    """The declaration template filled in with ``parts`` and ``composition``."""
    return filled_template(path, parts, composition)


@pytest.fixture
def library(tmp_path):
    db = tmp_path / "parts.db"
    with Library.open(db, create=True) as lib:
        lib.import_file(declaration(tmp_path / "acme.xlsx"))
    return db


def test_override_changes_the_verdict_and_history_keeps_both_records(cli, check_json, write, library):
    bom = write("fan.csv", BOM)
    before = sku(check_json(bom, "--library", library), "FAN-1")
    # mass: 200 g housing (the BOM's, not the library's 250 g) + 2 x 7.5 g magnets = 215 g
    assert before["mass_kg"] == pytest.approx(0.215)
    # Dy: 2 magnets x 7.5 g x 2 wt% = 0.3 g, origin unknown -> share 0 .. 0.3 / 215 = 0.1395 %
    assert before["controlled_mass_kg"]["unknown"] == pytest.approx(0.3e-3)
    assert before["mass_share"]["high"] == pytest.approx(0.3 / 215)
    assert before["verdict"] == "indeterminate"

    done = cli("library", "override", "MAG-001", "--origin", "JP", "--reason", "mill certificate MC-118",
               "--by", "alice", "--library", library)
    assert done.exit_code == 0, done.output
    report = check_json(bom, "--library", library)
    after = sku(report, "FAN-1")
    assert after["controlled_mass_kg"] == {"cn": 0.0, "other": pytest.approx(0.3e-3), "unknown": 0.0}
    assert after["verdict"] == "below"
    applied = codes(report)["override-applied"]
    assert [(f["part"], f["source"]["file"]) for f in applied] == [("MAG-001", str(library.parent / "acme.xlsx"))]
    assert "JP" in applied[0]["message"] and "alice" in applied[0]["message"]

    history = json.loads(cli("library", "history", "MAG-001", "--json", "--library", library).output)
    assert [d["re_origin"] for d in history["declarations"]] == [None]
    assert [(o["field"], o["value"], o["author"]) for o in history["overrides"]] == [("re_origin", "JP", "alice")]


def test_findings_name_the_declaration_and_the_bom_wins(check_json, write, library):
    report = check_json(write("fan.csv", BOM), "--library", library)
    found = codes(report)
    fill = {f["part"]: f for f in found["library-fill"]}
    assert set(fill) == {"MAG-001", "HSG-1", None}                 # SPARE-9 is not in the BOM: not used
    mag = fill["MAG-001"]["message"]
    assert mag.startswith("description, unit mass, made in, unit value, supplier, composition from the parts library")
    assert "declaration #1 of 2025-11-03 by Acme" in mag
    assert fill["MAG-001"]["source"]["file"].endswith("acme.xlsx")
    # the housing's mass and origin are on the BOM: only what it leaves blank is filled
    assert fill["HSG-1"]["message"].startswith("made in, unit value, supplier from")
    assert "2 of 3 BOM parts declared there, 2 filled" in fill[None]["message"]
    conflicts = sorted(f["message"].split(":")[0] for f in found["library-conflict"])
    assert conflicts == ["rare-earth origin", "unit mass"]
    # values: 2 x 2.40 USD + 1.10 USD (library, the BOM has none) = 5.90 USD
    assert sku(report, "FAN-1")["value"] == pytest.approx(5.9)


def test_bom_composition_wins_over_the_library(write, library):
    bom = write("fan.csv", "Level,Part Number,Description,Qty,UoM,Unit Weight (g),RE Origin,Tb [wt%]\n"
                           "0,FAN-1,Cooling fan,1,EA,,,\n"
                           "1,MAG-001,,2,EA,,,1\n"
                           "1,HSG-1,Housing,1,EA,200,MY,\n")
    a = run_check([bom], library=library).assessment
    comp = a.bom.composition
    assert set(comp.loc[comp["part"] == "MAG-001", "element"]) == {"Tb"}   # the BOM's Tb, not the library's Dy/Nd
    # Tb: 2 x 7.5 g (library mass) x 1 wt% = 0.15 g of unknown origin
    assert a.results.at["FAN-1", "Tb_unknown_kg"] == pytest.approx(0.15e-3)
    assert a.results.at["FAN-1", "Dy_unknown_kg"] == 0


def test_per_piece_figures_skip_parts_counted_in_metres(write, tmp_path):
    db = tmp_path / "parts.db"
    with Library.open(db, create=True) as lib:
        lib.import_file(declaration(tmp_path / "cable.xlsx",
                                    parts=[["CBL-1", "Cable", 40, "g", "JP", "JP", 1, "USD", "Acme", "2025-01-01"]],
                                    composition=[["CBL-1", "Tb", None, 1, "wt%", None],
                                                 ["CBL-1", "Dy", None, 0.1, "g", None]]))
    bom = read_bom(write("c.csv", "Level,Part Number,Qty,UoM,Unit Weight (g)\n0,BOX,1,EA,\n1,CBL-1,2.5,m,\n"))
    filled = fill_from_library(bom, db)
    assert filled.parts.at["CBL-1", "re_origin"] == "JP"
    assert filled.parts["mass_kg"].isna()["CBL-1"]                 # 40 g per piece says nothing per metre
    comp = filled.composition
    assert comp.loc[comp["part"] == "CBL-1", "element"].tolist() == ["Tb"]  # the fraction, not g per piece
    assert "library-per-piece" in {f.code for f in filled.findings}


def test_a_snapshot_is_read_once_and_reused(write, library):
    snap = LibrarySnapshot.read(library)
    with Library.open(library) as lib:
        assert snap.state == lib.state_hash()
    assert set(snap.parts.index) == {"MAG-001", "HSG-1", "SPARE-9"}
    bom = read_bom(write("fan.csv", BOM))
    assert fill_from_library(bom, snap).parts.at["MAG-001", "mass_kg"] == pytest.approx(7.5e-3)


def test_a_missing_library_is_a_clean_error(cli, write, tmp_path):
    result = cli("check", write("fan.csv", BOM), "--library", tmp_path / "nope.db")
    assert result.exit_code == 3 and "nope.db" in result.output


def test_the_python_api_takes_the_library_too(write, library):
    import remin
    a = remin.assess(remin.read_bom(write("fan.csv", BOM)), library=library, as_of="2026-01-15")
    # the same 215 g and 0.3 g of unknown-origin Dy as from the command line
    assert a.skus.at["FAN-1", "mass_kg"] == pytest.approx(0.215)
    assert a.skus.at["FAN-1", "controlled_unknown_kg"] == pytest.approx(0.3e-3)
