"""The audit workbook of ``remin check --output report.xlsx``, opened with openpyxl.

Figures are the EV drive unit example's (data/examples/README.md); the hand
arithmetic lives in test_examples.py and is imported from there, so one set of
numbers backs both tests. Masses in kg there; the workbook shows controlled
masses in g (x 1000).
"""
from __future__ import annotations

import hashlib
import json
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from remin.cli import main
from remin.report.excel import CONTRIBUTORS, SUMMARY, WHERE_USED
from test_examples import (DY_MAGNETS_CN, DY_MLCC_PER_BOARD, DY_SLURRY_CN, DY_TB_MAGNETS_UNKNOWN, EDU,
                           EDU_ELEMENTS, EDU_FILES, HO_MLCC_PER_BOARD, REPO, ROTOR, ROTOR_ELEMENTS,
                           SM_RESOLVER_OTHER, TB_MAGNETS_UNKNOWN)

AS_OF = "2026-11-22"   # after No. 70's recorded suspension: all 12 elements controlled
SHEETS = ["Summary", "Contributors", "Where-used", "Findings", "Rules", "Inputs", "Pareto"]


def total(elements, cls):
    return sum(v.get(cls, 0.0) for v in elements.values())


def rel(x):
    return pytest.approx(x, rel=1e-9, abs=1e-12)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("wb") / "report.xlsx"
    r = CliRunner().invoke(main, ["check", *[str(REPO / f) for f in EDU_FILES], "--as-of", AS_OF,
                                  "--output", str(out)])
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def wb(book):
    return openpyxl.load_workbook(book)


def table(ws):
    """Header row and data rows (as dicts) of a table sheet."""
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def cells_by_header(ws):
    """{header: column letter}."""
    return {c.value: c.column_letter for c in ws[1]}


def test_sheet_names(wb):
    assert wb.sheetnames == SHEETS


@pytest.mark.parametrize("sheet, cols", [("Summary", SUMMARY), ("Contributors", CONTRIBUTORS),
                                         ("Where-used", WHERE_USED)])
def test_headers_frozen_and_filtered(wb, sheet, cols):
    ws = wb[sheet]
    header, rows = table(ws)
    assert header == [c.header for c in cols]
    assert ws.freeze_panes == "A2"
    last = ws.cell(row=1, column=len(cols)).column_letter
    assert ws.auto_filter.ref == f"A1:{last}{len(rows) + 1}"
    # sensible widths: every column at least as wide as its header
    for c in ws[1]:
        assert ws.column_dimensions[c.column_letter].width >= len(c.value)


def test_summary_figures(wb):
    ws = wb["Summary"]
    header, rows = table(ws)
    got = {r["SKU"]: r for r in rows}
    assert list(got) == ["EDU-3000", "ROT-150-A"]
    edu, rot = got["EDU-3000"], got["ROT-150-A"]
    cn, unknown = total(EDU_ELEMENTS, "cn"), total(EDU_ELEMENTS, "unknown")
    assert edu["Verdict"] == "indeterminate" and edu["Decided by"] == "mass"
    assert edu["Mass (kg)"] == rel(EDU)                                   # 79.336109 kg
    assert edu["Chinese-origin controlled (g)"] == rel(cn * 1000)         # 68.189526 g
    assert edu["Unknown-origin controlled (g)"] == rel(unknown * 1000)    # 16.647931 g
    assert edu["Other-origin controlled (g)"] == rel(SM_RESOLVER_OTHER * 1000)   # 2.736 g Sm of the SmCo5 magnets
    assert edu["Mass share low (%)"] == rel(cn / EDU)                     # 0.0860 %
    assert edu["Mass share high (%)"] == rel((cn + unknown) / EDU)        # 0.1069 %
    assert edu["Value"] == 2950 and edu["Currency"] == "EUR"
    assert edu["Rule status on date"] == "in-force (assumed: later status not recorded)"
    assert edu["As of"] == AS_OF and edu["Threshold (%)"] == 0.001
    assert rot["Verdict"] == "above"
    assert rot["Mass share low (%)"] == rel(total(ROTOR_ELEMENTS, "cn") / ROTOR)   # 0.4328 %


def test_summary_formats_and_colours(wb):
    ws = wb["Summary"]
    col = cells_by_header(ws)
    assert ws[f"{col['Mass share low (%)']}2"].number_format == "0.0000%"
    assert ws[f"{col['Mass share high (%)']}2"].number_format == "0.0000%"
    assert ws[f"{col['Chinese-origin controlled (g)']}2"].number_format == '#,##0.000 "g"'
    assert ws[f"{col['Mass (kg)']}2"].number_format == '#,##0.000 "kg"'
    assert ws[f"{col['Value']}2"].number_format == '#,##0.00 "EUR"'
    fills = {ws[f"A{r}"].value: ws[f"{col['Verdict']}{r}"].fill.fgColor.rgb for r in (2, 3)}
    assert fills == {"EDU-3000": "00FFEB9C", "ROT-150-A": "00FFC7CE"}   # amber, red


def test_contributor_rows(wb):
    header, rows = table(wb["Contributors"])
    edu = [r for r in rows if r["SKU"] == "EDU-3000"]
    magnet = next(r for r in edu if r["Part"] == "MAG-N42DY")
    assert magnet["Path from the SKU"] == "EDU-3000 > MOT-150 > ROT-150-A > RCM-150 > MAG-N42DY"
    assert magnet["Extended qty"] == 48 and magnet["Unit"] == "pcs"
    assert (magnet["Element"], magnet["Origin class"]) == ("Dy", "cn")
    assert magnet["Controlled mass (g)"] == rel(DY_MAGNETS_CN * 1000)      # 48 x 30.6 g x 4.5 % = 66.096 g
    assert magnet["Share of SKU mass (%)"] == rel(DY_MAGNETS_CN / EDU)
    assert magnet["Source file"].endswith("ev-drive-unit.xlsx") and (magnet["Sheet"], magnet["Row"]) == ("BOM", 13)
    slurry = next(r for r in edu if r["Part"] == "CTG-DY2O3")
    assert slurry["Extended qty"] == rel(0.006) and slurry["Unit"] == "kg"   # 6 G line
    assert slurry["Controlled mass (g)"] == rel(DY_SLURRY_CN * 1000)
    # The Tb-NdFeB magnets: one row per element, both unknown origin.
    tb = {(r["Element"], r["Origin class"]): r["Controlled mass (g)"] for r in edu if r["Part"] == "MAG-N48TB"}
    assert tb == {("Dy", "unknown"): rel(DY_TB_MAGNETS_UNKNOWN * 1000), ("Tb", "unknown"): rel(TB_MAGNETS_UNKNOWN * 1000)}
    # The sensor board sits in the motor and in the inverter: its MLCCs appear on two paths.
    mlcc = sorted((r["Path from the SKU"], r["Element"], r["Controlled mass (g)"]) for r in edu
                  if r["Part"] == "MLCC-0603")
    assert mlcc == [("EDU-3000 > INV-800 > PSB-12 > MLCC-0603", "Dy", rel(DY_MLCC_PER_BOARD * 1000)),
                    ("EDU-3000 > INV-800 > PSB-12 > MLCC-0603", "Ho", rel(HO_MLCC_PER_BOARD * 1000)),
                    ("EDU-3000 > MOT-150 > PSB-12 > MLCC-0603", "Dy", rel(DY_MLCC_PER_BOARD * 1000)),
                    ("EDU-3000 > MOT-150 > PSB-12 > MLCC-0603", "Ho", rel(HO_MLCC_PER_BOARD * 1000))]


def test_contributor_rows_sum_to_the_summary(wb):
    _, summary = table(wb["Summary"])
    _, rows = table(wb["Contributors"])
    classes = {"cn": "Chinese-origin controlled (g)", "unknown": "Unknown-origin controlled (g)",
               "other": "Other-origin controlled (g)"}
    for s in summary:
        mine = [r for r in rows if r["SKU"] == s["SKU"]]
        for cls, col in classes.items():
            got = sum(r["Controlled mass (g)"] for r in mine if r["Origin class"] == cls)
            assert got == rel(s[col]), (s["SKU"], cls)
        low = sum(r["Share of SKU mass (%)"] for r in mine if r["Origin class"] == "cn")
        high = sum(r["Share of SKU mass (%)"] for r in mine if r["Origin class"] in ("cn", "unknown"))
        assert low == rel(s["Mass share low (%)"]) and high == rel(s["Mass share high (%)"])
        # Where the value test gave a share, the rows' value shares add up to it too.
        if s["Value share low (%)"] is not None:
            vlow = sum(r["Share of SKU value (%)"] or 0 for r in mine if r["Origin class"] == "cn")
            assert vlow == pytest.approx(s["Value share low (%)"], rel=1e-9)


def test_contributor_formats(wb):
    ws = wb["Contributors"]
    col = cells_by_header(ws)
    assert ws[f"{col['Controlled mass (g)']}2"].number_format == '#,##0.000 "g"'
    assert ws[f"{col['Share of SKU mass (%)']}2"].number_format == "0.0000%"


def test_where_used(wb):
    _, rows = table(wb["Where-used"])
    magnet = [(r["SKU"], r["Path from the SKU"]) for r in rows if r["Part"] == "MAG-N42DY"]
    assert magnet == [("EDU-3000", "EDU-3000 > MOT-150 > ROT-150-A > RCM-150 > MAG-N42DY"),
                      ("ROT-150-A", "ROT-150-A > RCM-150 > MAG-N42DY")]
    mlcc = [r for r in rows if r["Part"] == "MLCC-0603"]
    assert len(mlcc) == 2 and all(r["Counted"] for r in mlcc)
    assert sum(r["Unknown-origin (g)"] for r in mlcc) == rel(2 * (DY_MLCC_PER_BOARD + HO_MLCC_PER_BOARD) * 1000)
    # Counted uses add up to the SKU's figures as well.
    edu_cn = sum(r["Chinese-origin (g)"] for r in rows if r["SKU"] == "EDU-3000" and r["Counted"])
    assert edu_cn == rel(total(EDU_ELEMENTS, "cn") * 1000)


def test_findings_sheet(wb):
    header, rows = table(wb["Findings"])
    assert header == ["Severity", "Code", "Part", "File", "Sheet", "Row", "Column", "Message"]
    inv = next(r for r in rows if r["Code"] == "children-exceed-declared")
    assert inv["Part"] == "INV-800" and inv["Sheet"] == "BOM" and inv["Row"] == 29
    assert inv["File"].endswith("ev-drive-unit.xlsx")
    assert wb["Findings"].auto_filter.ref == f"A1:H{len(rows) + 1}"


def test_rules_sheet(wb):
    ws = wb["Rules"]
    fields = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0] and r[1] is not None}
    assert fields["Rule set"] == "cn-rare-earth" and fields["As of"] == AS_OF
    assert fields["Controlled elements"] == "Sm Gd Tb Dy Lu Sc Y Ho Er Tm Eu Yb"
    assert fields["Threshold"] == 0.001
    assert "2026-11-10" in fields["Status after recorded suspension"]
    assert "later status not recorded" in fields["Status after recorded suspension"]
    values = [v for row in ws.iter_rows(values_only=True) for v in row if v]
    assert any(isinstance(v, str) and v.startswith("https://") for v in values)   # sources listed
    # Instruments with their dates: (id, short title, published, effective, status) as in data/rules/
    inst = {row[0]: row[1:5] for row in ws.iter_rows(values_only=True)
            if isinstance(row[0], str) and row[0].startswith("cn-mofcom-") and str(row[1]).startswith("No.")}
    assert inst["cn-mofcom-61-2025"] == ("No. 61 of 2025", "2025-10-09", "2025-10-09", "in-force")
    assert inst["cn-mofcom-70-2025"] == ("No. 70 of 2025", "2025-11-07", "2025-11-07", "in-force")


def test_inputs_sheet(wb):
    ws = wb["Inputs"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("Input file", "SHA-256")
    path = REPO / EDU_FILES[0]
    assert rows[1][1] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rows[1][2] == path.stat().st_size
    meta = {r[0]: r[1] for r in rows[2:] if r and r[0]}
    assert meta["remin version"] and meta["Generated (UTC)"].endswith("+00:00")


def test_pareto_charts(wb, book):
    ws = wb["Pareto"]
    assert len(ws._charts) == 2        # EDU-3000 indeterminate, ROT-150-A above: one chart each
    with zipfile.ZipFile(book) as z:
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) == 2
    rows = list(ws.iter_rows(values_only=True))
    start = rows.index(("EDU-3000: indeterminate", None, None, None))
    first = rows[start + 2]
    assert first[0] == "MAG-N42DY" and first[1] == rel(DY_MAGNETS_CN * 1000)
    # cumulative share of (cn + unknown) reaches 100 % on the last part
    block = rows[start + 2:start + 2 + 5]
    assert [r[0] for r in block] == ["MAG-N42DY", "MAG-N48TB", "CTG-DY2O3", "LED-STS", "MLCC-0603"]
    assert block[-1][3] == pytest.approx(1.0)


def test_csv_and_json_carry_the_same_contributors(tmp_path, wb):
    out = tmp_path / "r.csv"
    r = CliRunner().invoke(main, ["check", str(REPO / EDU_FILES[0]), "--as-of", AS_OF, "-o", str(out)])
    assert r.exit_code == 0, r.output
    import pandas as pd
    csv = pd.read_csv(tmp_path / "r.contributors.csv")
    _, rows = table(wb["Contributors"])
    assert len(csv) == len(rows)
    assert csv["mass_kg"].sum() * 1000 == pytest.approx(sum(r["Controlled mass (g)"] for r in rows), rel=1e-9)
    for name in ("where-used", "findings", "rules", "instruments", "sources", "inputs"):
        assert (tmp_path / f"r.{name}.csv").exists(), name
    j = CliRunner().invoke(main, ["check", str(REPO / EDU_FILES[0]), "--as-of", AS_OF, "--format", "json"])
    report = json.loads(j.stdout)
    edu = next(s for s in report["skus"] if s["sku"] == "EDU-3000")
    assert sum(c["mass_kg"] for c in edu["contributors"] if c["origin_class"] == "cn") == \
        pytest.approx(edu["controlled_mass_kg"]["cn"], rel=1e-12)
    assert edu["contributors"][0]["path"] == ["EDU-3000", "MOT-150", "ROT-150-A", "RCM-150", "MAG-N42DY"]
    assert {w["part"] for w in report["where_used"]} >= {"MAG-N42DY", "MAG-N48TB", "MLCC-0603"}
    assert "2026-11-10" in report["rules"]["status_after_suspension"]
    # --no-detail keeps the bare §2.7 report
    bare = json.loads(CliRunner().invoke(main, ["check", str(REPO / EDU_FILES[0]), "--as-of", AS_OF,
                                                "--format", "json", "--no-detail"]).stdout)
    assert "contributors" not in bare["skus"][0] and "where_used" not in bare


def test_xlsx_format_needs_an_output_file():
    r = CliRunner().invoke(main, ["check", str(REPO / EDU_FILES[0]), "--format", "xlsx"])
    assert r.exit_code == 2 and "--output" in r.output


def test_value_rows_sum_to_the_value_shares(tmp_path):
    """With an EUR/USD rate the value test can value the drive unit; the Contributors
    rows' value shares then add up to the Summary's value shares (low: cn rows; high:
    cn + unknown rows). Skipped where this remin computes no value share."""
    import datetime

    from remin.api import run_check
    from remin.currency import load_rates
    from remin.report.excel import write_workbook
    from remin.report.frames import report_frames

    rates_file = tmp_path / "rates.csv"
    rates_file.write_text("currency,rate,base,date,source\nEUR,1.08,USD,2025-06-30,test rate\n", encoding="utf-8")
    rates = load_rates(rates_file)
    a = run_check([str(REPO / EDU_FILES[0])], as_of=datetime.date(2026, 11, 22), rates=rates).assessment
    if a.skus["value_share_low"].isna().all():
        pytest.skip("this remin computes no value share (value test not present)")
    write_workbook(report_frames(a, rates=rates), tmp_path / "v.xlsx")
    book = openpyxl.load_workbook(tmp_path / "v.xlsx")
    _, summary = table(book["Summary"])
    _, rows = table(book["Contributors"])
    for s in summary:
        if s["Value share low (%)"] is None:
            continue
        mine = [r for r in rows if r["SKU"] == s["SKU"]]
        low = sum(r["Share of SKU value (%)"] or 0 for r in mine if r["Origin class"] == "cn")
        high = sum(r["Share of SKU value (%)"] or 0 for r in mine if r["Origin class"] in ("cn", "unknown"))
        assert low == pytest.approx(s["Value share low (%)"], rel=1e-9), s["SKU"]
        assert high == pytest.approx(s["Value share high (%)"], rel=1e-9), s["SKU"]
