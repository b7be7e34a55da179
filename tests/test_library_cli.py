"""remin library ... and remin template declaration from the command line."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from remin.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "library"
CLASS_D = FIXTURES / "ipc1752a-class-d-rotor-magnet.xml"




def run(*args, ok=True):
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("command", [["library"], ["library", "import"], ["library", "show"],
                                     ["library", "history"], ["library", "override"], ["library", "export"],
                                     ["template"], ["template", "declaration"]])
def test_every_command_has_help_with_an_example(command):
    assert "Example:" in run(*command, "--help").output


def test_template_import_show_override_history_export(tmp_path):
    db = tmp_path / "parts.db"
    template = tmp_path / "decl.xlsx"
    run("template", "declaration", "--output", template)
    wb = openpyxl.load_workbook(template)
    assert {"Instructions", "Parts", "Composition", "Lists"} <= set(wb.sheetnames)
    assert wb["Lists"].sheet_state == "hidden"
    units = next(dv for dv in wb["Composition"].data_validations.dataValidation if "E2" in str(dv.sqref))
    assert units.type == "list" and units.formula1.startswith("Lists!")
    wb["Parts"].append(["MAG-001", "NdFeB magnet", 7.5, "g", "China", "VN", 2.4, "USD", "Acme", "2025-11-03"])
    wb["Composition"].append(["MAG-001", "Dy", None, 1.2, "wt%", None])
    wb.save(template)

    out = run("library", "import", template, CLASS_D, "--library", db).output
    assert f"imported {template}: 1 part (MAG-001)" in out and "KM-RT-0420" in out
    assert "unchanged" in run("library", "import", template, "--library", db).output

    shown = run("library", "show", "MAG-001", "--library", db).output
    assert "7.5 g" in shown and "rare-earth origin  CN" in shown and "1.2 wt%" in shown

    run("library", "override", "MAG-001", "--origin", "JP", "--reason", "mill certificate MC-118",
        "--by", "alice", "--library", db)
    shown = json.loads(run("library", "show", "MAG-001", "--json", "--library", db).output)
    assert shown["part"]["re_origin"] == "JP" and shown["part"]["overridden"] is True
    assert shown["composition"] == [{"part": "MAG-001", "element": "Dy", "kg_per_unit": None,
                                     "fraction": pytest.approx(0.012), "origin": "JP", "decl_id": 1}]
    assert shown["overrides"][0]["author"] == "alice"

    history = run("library", "history", "MAG-001", "--library", db).output
    assert "declaration #1 of 2025-11-03 by Acme" in history and "rare-earth origin CN" in history
    assert "override #1 by alice: re_origin = JP" in history and "mill certificate MC-118" in history

    export = tmp_path / "export.xlsx"
    assert "wrote" in run("library", "export", "--output", export, "--library", db).output
    imported = run("library", "import", export, "--library", tmp_path / "copy.db").output
    assert f"imported {export}: 2 parts (KM-RT-0420, MAG-001), 1 override" in imported
    copy = json.loads(run("library", "show", "MAG-001", "--json", "--library", tmp_path / "copy.db").output)
    assert copy["part"]["re_origin"] == "JP" and copy["composition"][0]["origin"] == "JP"


def test_a_bad_file_is_reported_and_the_good_one_still_lands(tmp_path):
    db = tmp_path / "parts.db"
    bad = tmp_path / "bad.xml"
    bad.write_text("<MainDeclaration xmlns='http://webstds.ipc.org/175x/2.0'><Product>")
    result = run("library", "import", bad, CLASS_D, "--library", db, ok=False)
    assert result.exit_code == 3
    assert "not well-formed XML" in result.output and "nothing imported from this file" in result.output
    assert "1 of 2 files not imported" in result.output
    assert "KM-RT-0420" in run("library", "show", "KM-RT-0420", "--library", db).output


def test_clear_errors_without_tracebacks(tmp_path):
    db = tmp_path / "parts.db"
    missing = run("library", "show", "X", "--library", db, ok=False)
    assert missing.exit_code == 3 and "no parts library" in missing.output
    run("library", "import", CLASS_D, "--library", db)
    unknown = run("library", "show", "KM-RT-042", "--library", db, ok=False)
    assert unknown.exit_code == 2 and "did you mean KM-RT-0420" in unknown.output
    no_change = run("library", "override", "KM-RT-0420", "--reason", "x", "--library", db, ok=False)
    assert no_change.exit_code == 2 and "give at least one of" in no_change.output
    bad_country = run("library", "override", "KM-RT-0420", "--origin", "Narnia", "--reason", "x",
                      "--library", db, ok=False)
    assert bad_country.exit_code == 2 and "not a country" in bad_country.output
    assert not any(r.exception and not isinstance(r.exception, SystemExit)
                   for r in (missing, unknown, no_change, bad_country))
