"""The parts library: template and IPC-1752 imports, atomicity, history, overrides, export."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from remin.errors import InputError, UsageError
from remin.library import Library, write_declaration_template
from remin.library import db as library_db

FIXTURES = Path(__file__).parent / "fixtures" / "library"
CLASS_D = FIXTURES / "ipc1752a-class-d-rotor-magnet.xml"
CLASS_C_1752B = FIXTURES / "ipc1752b-class-c-terbium-target.xml"


# molar masses used in the hand arithmetic below (g/mol, as in molmass / IUPAC)
DY, O = 162.5, 15.9994
DY_IN_DY2O3 = 2 * DY / (2 * DY + 3 * O)          # = 0.87132



@pytest.fixture
def lib(tmp_path):
    with Library.open(tmp_path / "remin.db", create=True) as library:
        yield library


PARTS = [
    ["MAG-001", "NdFeB magnet 20x10x5", 7.5, "g", "JP", "VN", 2.40, "USD", "Acme Magnetics", "2025-11-03"],
    ["HSG-002", "Housing", 0.35, "kg", "unknown", "China", 4.1, "EUR", "Acme Magnetics", "2025-11-03"],
]
COMPOSITION = [
    ["MAG-001", "Nd", None, 23.5, "wt%", None],
    ["MAG-001", "Dy2O3", "1308-87-8", 0.28, "g", "CN"],
    ["MAG-001", "Tb", None, 1500, "ppm", None],
]


def filled_template(path: Path, parts=PARTS, composition=COMPOSITION) -> Path:
    """The blank template as a supplier would fill it in (rows from row 2)."""
    write_declaration_template(path)
    wb = openpyxl.load_workbook(path)
    for row in parts:
        wb["Parts"].append(row)
    for row in composition:
        wb["Composition"].append(row)
    wb.save(path)
    return path


def counts(library: Library) -> dict:
    con = sqlite3.connect(library.path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("imports", "declarations", "substances", "elements", "overrides")}
    finally:
        con.close()


# ------------------------------------------------------------------ template import

def test_template_import_gives_hand_computed_frames(lib, tmp_path):
    result = lib.import_file(filled_template(tmp_path / "acme.xlsx"))
    assert result.status == "imported" and result.parts == ["MAG-001", "HSG-002"]
    parts, comp = lib.current_frames()
    assert list(parts.columns) == ["part", "description", "unit_mass_kg", "re_origin", "made_in", "unit_value",
                                   "currency", "supplier", "decl_id", "declared_on", "source_file",
                                   "source_sha256", "overridden"]
    assert list(comp.columns) == ["part", "element", "kg_per_unit", "fraction", "origin", "decl_id"]
    mag = parts.set_index("part").loc["MAG-001"]
    hsg = parts.set_index("part").loc["HSG-002"]
    assert mag.unit_mass_kg == pytest.approx(7.5e-3)              # 7.5 g
    assert hsg.unit_mass_kg == pytest.approx(0.35)
    assert (mag.re_origin, mag.made_in, mag.currency, mag.declared_on) == ("JP", "VN", "USD", "2025-11-03")
    assert pd.isna(hsg.re_origin) and hsg.made_in == "CN"          # "unknown" -> NA; "China" -> CN
    assert not mag.overridden
    rows = comp[comp.part == "MAG-001"].set_index("element")
    assert rows.loc["Nd", "fraction"] == pytest.approx(0.235)      # 23.5 wt%
    assert pd.isna(rows.loc["Nd", "kg_per_unit"]) and pd.isna(rows.loc["Nd", "origin"])
    assert rows.loc["Tb", "fraction"] == pytest.approx(1500e-6)    # 1500 ppm
    # 0.28 g Dy2O3 per piece: Dy = 0.28 g * 2*162.5 / (2*162.5 + 3*15.9994) = 0.24397 g
    assert rows.loc["Dy", "kg_per_unit"] == pytest.approx(0.28e-3 * DY_IN_DY2O3, rel=1e-4)
    assert rows.loc["O", "kg_per_unit"] == pytest.approx(0.28e-3 * (1 - DY_IN_DY2O3), rel=1e-3)
    assert rows.loc["Dy", "origin"] == "CN"
    assert comp[comp.part == "HSG-002"].empty                      # no composition declared


def test_reimporting_the_same_file_is_a_no_op(lib, tmp_path):
    path = filled_template(tmp_path / "acme.xlsx")
    lib.import_file(path)
    before, hash_before = counts(lib), lib.state_hash()
    again = lib.import_file(path)
    assert again.status == "unchanged"
    assert counts(lib) == before and lib.state_hash() == hash_before


@pytest.mark.parametrize("composition, where", [
    (COMPOSITION[:2] + [["MAG-001", "Tb", None, 1500, "gramz", None]], ("Composition", 4, "Amount unit")),
    (COMPOSITION[:2] + [["MAG-001", "Tb", None, "lots", "ppm", None]], ("Composition", 4, "Amount")),
    (COMPOSITION[:2] + [["MAG-001", "Unobtainium", None, 1, "g", None]], ("Composition", 4, "Substance")),
    (COMPOSITION[:2] + [["MAG-001", "Tb", None, 1, "g", "Atlantis"]], ("Composition", 4, "Origin")),
    (COMPOSITION[:2] + [["MAG-999", "Tb", None, 1, "g", None]], ("Composition", 4, "Part number")),
    (COMPOSITION[:2] + [["MAG-001", "Fe", "7439-89-5", 1, "g", None]], ("Composition", 4, "CAS number")),
])
def test_a_bad_row_leaves_the_library_exactly_as_before(lib, tmp_path, composition, where):
    lib.import_file(CLASS_D)                                   # an earlier, good import
    before, hash_before = counts(lib), lib.state_hash()
    frames_before = lib.current_frames()
    bad = filled_template(tmp_path / "bad.xlsx", composition=composition)
    with pytest.raises(InputError) as err:
        lib.import_file(bad)
    sheet, row, column = where
    assert (err.value.sheet, err.value.row, err.value.column) == (sheet, row, column)
    assert str(bad) in str(err.value)
    assert counts(lib) == before and lib.state_hash() == hash_before
    pd.testing.assert_frame_equal(lib.current_frames()[0], frames_before[0])


def test_fractions_of_a_part_over_100_percent_are_refused(lib, tmp_path):
    # 23.5 wt% Nd + 80 wt% Fe = 103.5 % of the part
    bad = filled_template(tmp_path / "over.xlsx", composition=[["MAG-001", "Nd", None, 23.5, "wt%", None],
                                                               ["MAG-001", "Fe", None, 80, "wt%", None]])
    with pytest.raises(InputError, match="103.5 %"):
        lib.import_file(bad)
    assert counts(lib)["imports"] == 0


def test_a_part_declared_twice_in_one_file_is_refused(lib, tmp_path):
    bad = filled_template(tmp_path / "twice.xlsx", parts=PARTS + [PARTS[0]], composition=[])
    with pytest.raises(InputError) as err:
        lib.import_file(bad)
    assert (err.value.sheet, err.value.row) == ("Parts", 4)


def test_mass_without_unit_names_the_cell(lib, tmp_path):
    parts = [["MAG-001", "magnet", 7.5, None, "JP", None, None, None, None, "2025-11-03"]]
    with pytest.raises(InputError) as err:
        lib.import_file(filled_template(tmp_path / "nounit.xlsx", parts=parts, composition=[]))
    assert (err.value.sheet, err.value.row, err.value.column) == ("Parts", 2, "Mass unit")


def test_a_workbook_that_is_not_the_template_is_refused(lib, tmp_path):
    path = tmp_path / "bom.xlsx"
    pd.DataFrame({"Part Number": ["A"], "Qty": [1]}).to_excel(path, sheet_name="BOM", index=False)
    with pytest.raises(InputError, match="no 'Parts' sheet"):
        lib.import_file(path)


# ------------------------------------------------------------------ IPC-1752

def test_ipc1752a_class_d_gives_element_masses_per_piece(lib):
    result = lib.import_file(CLASS_D)
    assert result.kind == "ipc1752" and result.parts == ["KM-RT-0420"]
    parts, comp = lib.current_frames()
    p = parts.iloc[0]
    assert p.unit_mass_kg == pytest.approx(14.2e-3)
    assert (p.supplier, p.declared_on, p.made_in) == ("Kestrel Magnetics Ltd.", "2025-10-14", "VN")
    assert p.description == "Rotor magnet segment N42SH" and pd.isna(p.re_origin)
    kg = comp.set_index("element")["kg_per_unit"]
    assert comp["fraction"].isna().all()
    assert kg["Nd"] == pytest.approx(3.64e-3)                     # 3.64 g
    assert kg["Pr"] == pytest.approx(0.91e-3)                     # 910 mg
    # Dy: 42000 ppm of the 13.95 g body = 0.5859 g, plus 50 mg Dy2O3 * 0.87132 = 0.043566 g
    assert kg["Dy"] == pytest.approx(13.95e-3 * 42000e-6 + 50e-6 * DY_IN_DY2O3, rel=1e-5)
    assert kg["Ni"] == pytest.approx(0.2e-3 * 0.90)               # 90 % of the 0.2 g plating
    assert kg["Cu"] == pytest.approx(20e-6)
    assert kg["Fe"] == pytest.approx(8.5341e-3)
    # every homogeneous material adds up: 13.95 + 0.2 + 0.05 g = 14.2 g
    assert kg.sum() == pytest.approx(14.2e-3, rel=1e-6)


def test_ipc1752b_class_c_gives_fractions_of_the_product(lib):
    lib.import_file(CLASS_C_1752B)
    parts, comp = lib.current_frames()
    p = parts.iloc[0]
    assert (p.part, p.unit_mass_kg, p.supplier) == ("TGT-TB-300", 2.5, "Northfield Thin Films GmbH")
    assert pd.isna(p.made_in)                                     # "Hanau plant 2" is a site, not a country
    frac = comp.set_index("element")["fraction"]
    assert frac["Tb"] == pytest.approx(0.40) and frac["Cu"] == pytest.approx(0.60)   # 40 %, 600000 ppm


def test_ipc_entities_are_refused(lib, tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    '<MainDeclaration xmlns="http://webstds.ipc.org/175x/2.0">&b;</MainDeclaration>')
    with pytest.raises(InputError, match="entities"):
        lib.import_file(bomb)


def test_ipc_ppm_without_material_mass_names_the_line(lib, tmp_path):
    text = CLASS_D.read_text().replace('<Amount value="13.95" UOM="g"/>', "")
    path = tmp_path / "nomass.xml"
    path.write_text(text)
    with pytest.raises(InputError, match="declares no mass") as err:
        lib.import_file(path)
    assert err.value.line == next(i for i, line in enumerate(text.splitlines(), 1) if '"Dysprosium"' in line)
    assert counts(lib)["imports"] == 0


def test_ipc_foreign_xml_is_refused(lib, tmp_path):
    path = tmp_path / "other.xml"
    path.write_text('<MainDeclaration xmlns="urn:something-else"/>')
    with pytest.raises(InputError, match="not an IPC-1752A/B declaration"):
        lib.import_file(path)


# ------------------------------------------------------------------ history and overrides

def test_the_newest_declaration_by_date_is_current_and_history_keeps_all(lib, tmp_path):
    newer = [["MAG-001", "NdFeB magnet rev B", 7.2, "g", "JP", "VN", 2.5, "USD", "Acme Magnetics", "2026-01-15"]]
    older = [["MAG-001", "NdFeB magnet", 7.9, "g", "CN", "CN", 2.1, "USD", "Acme Magnetics", "2024-05-01"]]
    lib.import_file(filled_template(tmp_path / "new.xlsx", parts=newer, composition=[]))
    lib.import_file(filled_template(tmp_path / "old.xlsx", parts=older, composition=[]))  # imported later
    parts, _ = lib.current_frames()
    assert parts.iloc[0].unit_mass_kg == pytest.approx(7.2e-3) and parts.iloc[0].declared_on == "2026-01-15"
    decls, overrides = lib.history("MAG-001")
    assert decls["declared_on"].tolist() == ["2026-01-15", "2024-05-01"] and overrides.empty


def test_override_is_a_separate_record_and_history_shows_both(lib, tmp_path):
    lib.import_file(filled_template(tmp_path / "acme.xlsx"))
    hash_before = lib.state_hash()
    oid = lib.add_override("MAG-001", "re_origin", "Japan", reason="mill certificate MC-118", author="alice")
    assert lib.state_hash() != hash_before
    parts, comp = lib.current_frames()
    mag = parts.set_index("part").loc["MAG-001"]
    assert mag.re_origin == "JP" and mag.overridden
    assert not parts.set_index("part").loc["HSG-002"].overridden
    # the reviewer's origin covers every composition row of the part, also the Dy row declared CN
    assert set(comp[comp.part == "MAG-001"].origin) == {"JP"}
    decls, overrides = lib.history("MAG-001")
    assert len(decls) == 1 and decls.iloc[0].re_origin == "JP"     # supplier's record as declared
    assert overrides[["override_id", "field", "value", "reason", "author"]].values.tolist() == [
        [oid, "re_origin", "JP", "mill certificate MC-118", "alice"]]
    assert lib.substances(int(decls.iloc[0].decl_id))["origin"].tolist()[1] == "CN"   # untouched


def test_element_override_wins_over_part_override_and_withdrawal_restores(lib, tmp_path):
    lib.import_file(filled_template(tmp_path / "acme.xlsx"))
    lib.add_override("MAG-001", "re_origin", "CN", reason="audit", author="bob")
    lib.add_override("MAG-001", "re_origin", "JP", element="dy", reason="Dy from Japan, invoice 77", author="bob")
    origin = lib.current_frames()[1].set_index("element")["origin"]
    assert origin["Dy"] == "JP" and origin["Nd"] == "CN"
    lib.add_override("MAG-001", "re_origin", None, reason="audit withdrawn", author="bob")
    lib.add_override("MAG-001", "re_origin", None, element="Dy", reason="invoice withdrawn", author="bob")
    parts, comp = lib.current_frames()
    assert parts.set_index("part").loc["MAG-001", "re_origin"] == "JP"   # the supplier's again
    assert comp.set_index("element").loc["Dy", "origin"] == "CN"
    assert not parts.set_index("part").loc["MAG-001", "overridden"]
    assert len(lib.history("MAG-001")[1]) == 4                           # every decision kept


def test_override_mass_and_bad_values(lib, tmp_path):
    lib.import_file(filled_template(tmp_path / "acme.xlsx"))
    lib.add_override("MAG-001", "unit_mass_kg", "8 g", reason="weighed 10 pieces: 80 g", author="carol")
    assert lib.current_frames()[0].set_index("part").loc["MAG-001", "unit_mass_kg"] == pytest.approx(8e-3)
    with pytest.raises(UsageError, match="not a country"):
        lib.add_override("MAG-001", "re_origin", "Atlantis", reason="x")
    with pytest.raises(UsageError, match="not in the library.*MAG-001"):
        lib.add_override("MAG-01", "re_origin", "JP", reason="x")
    with pytest.raises(UsageError, match="needs a reason"):
        lib.add_override("MAG-001", "re_origin", "JP", reason=" ")
    with pytest.raises(UsageError, match="cannot override"):
        lib.add_override("MAG-001", "supplier", "X", reason="x")


def test_rows_are_append_only(lib, tmp_path):
    lib.import_file(filled_template(tmp_path / "acme.xlsx"))
    con = sqlite3.connect(lib.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE declarations SET re_origin = 'US'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM elements")
    con.close()


# ------------------------------------------------------------------ export round trip

def test_import_export_import_reproduces_the_frames(lib, tmp_path):
    lib.import_file(filled_template(tmp_path / "acme.xlsx"))
    lib.import_file(CLASS_D)
    lib.import_file(CLASS_C_1752B)
    lib.add_override("MAG-001", "re_origin", "JP", element="Dy", reason="invoice 77", author="bob")
    lib.add_override("HSG-002", "unit_value", "3.95", reason="2026 price list", author="bob")
    exported = lib.export(tmp_path / "export.xlsx")
    with Library.open(tmp_path / "copy.db", create=True) as copy:
        result = copy.import_file(exported)
        assert result.overrides == 2
        parts_a, comp_a = lib.current_frames()
        parts_b, comp_b = copy.current_frames()
    ignore = ["decl_id", "source_file", "source_sha256"]
    pd.testing.assert_frame_equal(parts_a.drop(columns=ignore), parts_b.drop(columns=ignore))
    pd.testing.assert_frame_equal(comp_a.drop(columns="decl_id"), comp_b.drop(columns="decl_id"))
    assert parts_b.set_index("part").loc["HSG-002", "unit_value"] == 3.95


def test_reimporting_an_export_does_not_duplicate_overrides(lib, tmp_path):
    lib.import_file(filled_template(tmp_path / "acme.xlsx"))
    lib.add_override("MAG-001", "re_origin", "JP", reason="cert", author="bob")
    result = lib.import_file(lib.export(tmp_path / "export.xlsx"))
    assert result.status == "imported" and result.overrides == 0
    assert len(lib.history("MAG-001")[1]) == 1


# ------------------------------------------------------------------ the file itself

def test_schema_is_versioned_and_foreign_files_are_refused(tmp_path):
    with Library.open(tmp_path / "a.db", create=True) as library:
        assert library.schema_version == library_db.SCHEMA_VERSION == len(library_db.MIGRATIONS)
    con = sqlite3.connect(tmp_path / "a.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.execute(f"PRAGMA user_version = {library_db.SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(InputError, match="newer than this remin"):
        Library.open(tmp_path / "a.db")
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.close()
    with pytest.raises(InputError, match="not a remin parts library"):
        Library.open(tmp_path / "other.db")
    (tmp_path / "text.db").write_text("not a database at all, just some text " * 20)
    with pytest.raises(InputError):
        Library.open(tmp_path / "text.db")
    with pytest.raises(InputError, match="no parts library"):
        Library.open(tmp_path / "missing.db")


def test_state_hash_is_stable_without_changes(lib, tmp_path):
    empty = lib.state_hash()
    assert lib.state_hash() == empty
    lib.import_file(CLASS_D)
    assert lib.state_hash() not in (empty,)
    assert lib.state_hash() == lib.state_hash()


def test_current_frames_of_an_empty_library_have_the_columns(lib):
    parts, comp = lib.current_frames()
    assert parts.empty and comp.empty
    assert "overridden" in parts.columns and "kg_per_unit" in comp.columns
    assert np.issubdtype(parts["unit_mass_kg"].dtype, np.floating)


# ------------------------------------------------------------------ findings an import reports

def test_ipc_product_mass_from_materials_and_ignored_class_c_entries(lib, tmp_path):
    text = CLASS_D.read_text().replace('<Amount value="14.2" UOM="g"/>', "").replace(
        "</MaterialInfo>", '<SubstanceCategoryList><SubstanceCategory name="RoHS"><Substance name="Lead">'
        '<SubstanceID identity="7439-92-1" authority="CAS"/><Amount value="0" UOM="mg"/></Substance>'
        "</SubstanceCategory></SubstanceCategoryList></MaterialInfo>")
    path = tmp_path / "nomass.xml"
    path.write_text(text)
    result = lib.import_file(path)
    assert sorted(f.code for f in result.findings) == ["declaration-mass-from-materials",
                                                       "declaration-substances-ignored"]
    parts, comp = lib.current_frames()
    assert parts.iloc[0].unit_mass_kg == pytest.approx((13.95 + 0.2 + 0.05) * 1e-3)   # materials add up
    assert "Pb" not in set(comp.element)


def test_substances_heavier_than_the_part_are_a_warning(lib, tmp_path):
    parts = [["P-1", "bracket", 1, "g", None, None, None, None, None, "2025-01-01"]]
    composition = [["P-1", "Fe", None, 1.5, "g", None]]      # 1.5 g of iron in a 1 g part
    result = lib.import_file(filled_template(tmp_path / "heavy.xlsx", parts=parts, composition=composition))
    assert [f.code for f in result.findings] == ["declaration-mass-mismatch"]
    assert "1.5 g" in result.findings[0].message and result.findings[0].part == "P-1"


def test_an_older_library_is_migrated_in_place(tmp_path, monkeypatch):
    with Library.open(tmp_path / "v1.db", create=True) as library:
        library.import_file(CLASS_D)
        hash_v1 = library.state_hash()
    extra = "CREATE TABLE notes (part TEXT NOT NULL, note TEXT NOT NULL);"
    monkeypatch.setattr(library_db, "MIGRATIONS", library_db.MIGRATIONS + (extra,))
    monkeypatch.setattr(library_db, "SCHEMA_VERSION", len(library_db.MIGRATIONS))
    with Library.open(tmp_path / "v1.db") as library:
        assert library.schema_version == 2
        assert library.current_frames()[0].part.tolist() == ["KM-RT-0420"]   # data kept
        assert library.state_hash() != hash_v1                              # the schema is part of the state
    con = sqlite3.connect(tmp_path / "v1.db")
    assert con.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    con.close()
