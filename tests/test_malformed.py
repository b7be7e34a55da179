"""Malformed input: each reader gives exit code 3 or a finding with the right slug
and location — never a traceback."""
from __future__ import annotations

import json

import openpyxl
import pytest

from conftest import codes

AS_OF = "2026-11-22"
HEADER = "Level,Part Number,Description,Qty,UoM,Unit weight,Weight unit\n"


def _report(cli, *files):
    r = cli("check", *files, "--format", "json", "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_missing_quantity_column_is_exit_3_naming_file_and_row(cli, write):
    f = write("noqty.csv", "title line\nLevel,Part Number,Description\n0,A,x\n1,B,y\n")
    r = cli("check", f)
    assert r.exit_code == 3
    assert "noqty.csv" in r.output and "row 2" in r.output and "quantity" in r.output
    assert "Traceback" not in r.output


def test_no_bom_at_all_is_exit_3(cli, write):
    f = write("notes.csv", "hello,world\nfoo,bar\n")
    r = cli("check", f)
    assert r.exit_code == 3 and "notes.csv" in r.output


def test_unknown_unit_is_a_finding_naming_row_and_column(cli, write):
    f = write("u.csv", HEADER + "0,A,x,1,EA,,\n1,B,y,2,XYZ,1,kg\n1,C,z,1,EA,5,kgs!\n")
    r = _report(cli, f)
    found = codes(r)["unknown-unit"]
    by_row = {x["source"]["row"]: x for x in found}
    assert by_row[3]["source"]["column"] == "UoM" and "XYZ" in by_row[3]["message"]
    assert by_row[4]["source"]["column"] == "Unit weight"
    assert by_row[3]["source"]["file"].endswith("u.csv")
    assert r["skus"][0]["mass_kg"] is None        # unknown, never a silent zero
    assert r["skus"][0]["mass_verdict"] == "no-data"


def test_text_in_a_number_cell(cli, write):
    f = write("t.csv", HEADER + "0,A,x,1,EA,,\n1,B,y,two,EA,1,kg\n1,C,y,1,EA,heavy,kg\n")
    r = _report(cli, f)
    nan = codes(r)["not-a-number"]
    assert {(x["source"]["row"], x["source"]["column"]) for x in nan} == {(3, "Qty"), (4, "Unit weight")}
    assert r["skus"][0]["mass_kg"] is None


def test_cycle_names_the_parts(cli, write):
    f = write("cyc.csv", "Parent,Child,Qty,Unit weight (g)\n,TOP,1,\nTOP,A,1,\nA,B,1,\nB,A,1,\nTOP,C,1,5\n")
    r = _report(cli, f)
    cyc = codes(r)["bom-cycle"][0]
    assert cyc["severity"] == "error"
    assert "A" in cyc["message"] and "B" in cyc["message"]
    assert r["skus"][0]["mass_kg"] is None


def test_level_jump_and_bad_level(cli, write):
    f = write("jump.csv", HEADER + "0,A,x,1,EA,,\n1,B,y,1,EA,1,kg\n3,C,z,1,EA,1,kg\nx,D,w,1,EA,1,kg\n")
    r = _report(cli, f)
    jump = codes(r)["level-jump"][0]
    assert jump["source"]["row"] == 4 and jump["source"]["column"] == "Level" and jump["part"] == "C"
    assert codes(r)["bad-level"][0]["source"]["row"] == 5


def test_non_positive_quantity_and_missing_part_number(cli, write):
    f = write("neg.csv", HEADER + "0,A,x,1,EA,,\n1,B,y,-2,EA,1,kg\n1,,no number,1,EA,1,kg\n")
    r = _report(cli, f)
    assert codes(r)["non-positive-quantity"][0]["source"]["row"] == 3
    miss = codes(r)["missing-part-number"][0]
    assert miss["source"]["row"] == 4 and miss["source"]["column"] == "Part Number"


def test_empty_sheet_beside_a_bom_sheet(cli, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Empty"
    ws = wb.create_sheet("BOM")
    ws.append(["Level", "Part Number", "Qty", "UoM", "Unit weight", "Weight unit"])
    ws.append([0, "A", 1, "EA", None, None])
    ws.append([1, "B", 2, "EA", 1.5, "kg"])
    path = tmp_path / "wb.xlsx"
    wb.save(path)
    r = _report(cli, path)
    assert codes(r)["empty-sheet"][0]["source"]["sheet"] == "Empty"
    assert r["skus"][0]["mass_kg"] == pytest.approx(3.0)


def test_workbook_with_only_an_empty_sheet_is_exit_3(cli, tmp_path):
    wb = openpyxl.Workbook()
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    r = cli("check", path)
    assert r.exit_code == 3 and "no BOM found" in r.output


@pytest.mark.parametrize("name,content", [
    ("corrupt.xlsx", b"PK\x03\x04 this is not really a zip"),
    ("random.xls", bytes(range(256)) * 4),
    ("empty.csv", b""),
    ("binary.csv", b"\x00\x01\x02\x03" * 100),
])
def test_corrupt_files_are_exit_3(cli, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    r = cli("check", path)
    assert r.exit_code == 3, r.output
    assert name in r.output and "Traceback" not in r.output


def test_missing_file_and_unsupported_type(cli, tmp_path):
    r = cli("check", tmp_path / "nope.csv")
    assert r.exit_code == 3 and "no such file" in r.output
    p = tmp_path / "bom.pdf"
    p.write_bytes(b"%PDF-1.4")
    r = cli("check", p)
    assert r.exit_code == 3 and "unsupported file type" in r.output


def test_bad_mapping_file_names_key_and_line(cli, write):
    bom = write("m.csv", HEADER + "0,A,x,1,EA,,\n")
    m = write("bad.map.toml", "[columns]\npart = \"Part Number\"\nquantity = \"Qty\"\n")
    r = cli("check", bom, "--map", m)
    assert r.exit_code == 3 and "bad.map.toml" in r.output and "line 3" in r.output and "quantity" in r.output


def test_bad_date_is_a_usage_error(cli, write):
    bom = write("d.csv", HEADER + "0,A,x,1,EA,,\n")
    r = cli("check", bom, "--as-of", "22.11.2026")
    assert r.exit_code == 2
