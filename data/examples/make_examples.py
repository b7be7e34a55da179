"""Write remin's three bundled example BOMs, deterministically.

    python data/examples/make_examples.py        # rewrites the files beside this script

The examples are fictitious but shaped like real exports, with realistic parts,
masses and compositions (domain.md §1 reference figures). Each one carries the
quirks a reader must cope with; README.md beside this file lists them and the
results expected from ``remin check``; tests/test_examples.py asserts those
results from hand arithmetic.

1. ``ev-drive-unit.xlsx`` - indented (integer levels) multi-level BOM of an EV
   drive unit plus a spare rotor as a second top-level item, two title lines
   above the header, and a long-form "Composition" sheet.
2. ``consumer-device.csv`` - parent-child CSV of a cordless handheld vacuum.
3. ``sap-export.csv`` + ``sap-export-composition.csv`` - SAP CS12-style
   multi-level BOM: ``;`` separated, decimal comma, title lines, dotted levels.

Running the script twice gives byte-identical files (fixed zip timestamps and
document properties), so the sha256 remin prints for its inputs is stable.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
#: Timestamp written into the xlsx (zip entries and document properties).
FIXED_TIME = dt.datetime(2026, 11, 2, 8, 0, 0)


# ---------------------------------------------------------------------------
# 1. EV drive unit (xlsx, indented BOM with integer levels)
# ---------------------------------------------------------------------------

EDU_COLUMNS = ["Level", "Part Number", "Description", "Qty", "UoM", "Unit weight",
               "Weight unit", "Material grade", "Part class", "RE origin",
               "Country of origin", "Dy [wt%]", "Tb [wt%]", "Nd [wt%]", "Pr [wt%]",
               "Unit price", "Currency"]

# Part master: part number -> attributes that are the same wherever the part is
# used. Unit weight is the mass of ONE unit of the part's UoM, in "Weight unit".
# Keys are EDU_COLUMNS names; missing keys are blank cells.
EDU_PARTS: dict[str, dict] = {
    "EDU-3000": dict(Description="Electric drive unit 150 kW, 3-in-1 (motor, inverter, gearbox)",
                     UoM="EA", **{"Unit price": 2950.00, "Currency": "EUR"}),
    "MOT-150": dict(Description="Traction motor PMSM 150 kW, 8-pole", UoM="EA"),
    "STA-150": dict(Description="Stator assembly, hairpin winding", UoM="EA"),
    "STK-S150": dict(Description="Stator lamination stack, NO20 electrical steel", UoM="EA",
                     **{"Unit weight": 15.8, "Weight unit": "kg", "Country of origin": "DE"}),
    "HPN-150": dict(Description="Hairpin winding set, Cu-ETP, 48 slots", UoM="EA",
                    **{"Unit weight": 7.9, "Weight unit": "kg"}),
    # A line whose UoM is a mass carries its own mass: 0.35 KG of varnish.
    "VAR-IMP": dict(Description="Impregnation varnish, epoxy, 1K", UoM="KG",
                    **{"Unit price": 18.40, "Currency": "EUR"}),
    "ROT-150-A": dict(Description="Rotor assembly IPM 8-pole, balanced (also sold as spare part)",
                      UoM="EA", **{"Unit price": 640.00, "Currency": "EUR"}),
    "RCM-150": dict(Description="Rotor core, magnets inserted and bonded", UoM="EA"),
    "STK-R150": dict(Description="Rotor lamination stack, NO20", UoM="EA",
                     **{"Unit weight": 8.6, "Weight unit": "kg"}),
    # Dy-NdFeB, older traction grade; rare earths from China (spelled out).
    "MAG-N42DY": dict(Description="Magnet sintered NdFeB 42UH, 50x18x4.5 mm, NiCuNi", UoM="EA",
                      **{"Unit weight": 30.6, "Weight unit": "g", "Part class": "ndfeb-magnet",
                         "RE origin": "China", "Country of origin": "CN",
                         "Dy [wt%]": 4.5, "Nd [wt%]": 22.5, "Pr [wt%]": 6.5,
                         "Unit price": 1.42, "Currency": "USD"}),
    # Tb grain-boundary-diffused NdFeB made in Germany; rare-earth origin not
    # declared, so its Tb and Dy count as UNKNOWN origin.
    "MAG-N48TB": dict(Description="Magnet sintered NdFeB 48SH Tb-GBD, 50x18x4.5 mm", UoM="EA",
                      **{"Unit weight": 30.6, "Weight unit": "g", "Part class": "ndfeb-magnet",
                         "Country of origin": "DE",
                         "Dy [wt%]": 2.5, "Tb [wt%]": 0.9, "Nd [wt%]": 24.0, "Pr [wt%]": 5.8,
                         "Unit price": 1.95, "Currency": "EUR"}),
    # Consumed in grams (UoM G); composition sheet: 40 wt% Dy2O3, origin CN.
    "CTG-DY2O3": dict(Description="Grain-boundary diffusion slurry, Dy2O3 in binder", UoM="G",
                      **{"Unit price": 0.85, "Currency": "USD"}),
    "SHF-R150": dict(Description="Rotor shaft, 42CrMo4, splined", UoM="EA",
                     **{"Unit weight": 3.95, "Weight unit": "kg"}),
    "END-R150": dict(Description="Rotor end plate, aluminium", UoM="EA",
                     **{"Unit weight": 0.62, "Weight unit": "kg"}),
    "RES-40": dict(Description="Resolver assembly, 4 pole pairs", UoM="EA"),
    "RES-ST40": dict(Description="Resolver stator with windings", UoM="EA",
                     **{"Unit weight": 185, "Weight unit": "g", "Country of origin": "JP"}),
    "RES-RT40": dict(Description="Resolver rotor, laminated", UoM="EA",
                     **{"Unit weight": 62, "Weight unit": "g", "Country of origin": "JP"}),
    # Composition from the materials library (smco5); rare earths from Japan.
    "MAG-SC5": dict(Description="Sensor target magnet SmCo5, ring 8 mm", UoM="EA",
                    **{"Unit weight": 3.8, "Weight unit": "g", "Material grade": "smco5",
                       "Part class": "smco-magnet", "RE origin": "JP", "Country of origin": "JP",
                       "Unit price": 2.10, "Currency": "USD"}),
    # Shared subassembly: used in the motor AND in the inverter.
    "PSB-12": dict(Description="Rotor position sensor board (TMR)", UoM="EA"),
    "PCB-PSB12": dict(Description="PCB bare, FR4 4-layer, 60x40 mm", UoM="EA",
                      **{"Unit weight": 18.5, "Weight unit": "g"}),
    "IC-TMR3": dict(Description="TMR angle sensor IC, SOIC-8", UoM="EA",
                    **{"Unit weight": 0.12, "Weight unit": "g"}),
    # Rare-earth-doped dielectric (Dy, Ho); made in Japan, RE origin not declared
    # -> UNKNOWN. Composition sheet: Dy 0.35 wt%, Ho 0.20 wt%.
    "MLCC-0603": dict(Description="MLCC 0603 X7R 100 nF 50 V", UoM="EA",
                      **{"Unit weight": 0.0058, "Weight unit": "g", "Country of origin": "JP",
                         "Unit price": 0.004, "Currency": "USD"}),
    "CON-6P": dict(Description="Board connector 6-pin, sealed", UoM="EA",
                   **{"Unit weight": 2.4, "Weight unit": "g"}),
    "HSG-M150": dict(Description="Motor housing, cast aluminium AlSi9Cu3", UoM="EA",
                     **{"Unit weight": 9.8, "Weight unit": "kg"}),
    "BRG-6208": dict(Description="Deep groove ball bearing 6208-2RS, insulated", UoM="EA",
                     **{"Unit weight": 366, "Weight unit": "g"}),
    # Declared assembly mass (8.6 kg, from an older drawing) beside children
    # that add up to more (9.081 kg): the declaration wins, with a finding.
    "INV-800": dict(Description="Inverter SiC 800 V, 250 A", UoM="EA",
                    **{"Unit weight": 8.6, "Weight unit": "kg", "Unit price": 890.00, "Currency": "EUR"}),
    "PMD-SIC": dict(Description="Power module SiC MOSFET, 6-pack", UoM="EA",
                    **{"Unit weight": 1.15, "Weight unit": "kg"}),
    "CAP-DCL": dict(Description="DC-link film capacitor 500 uF 900 V", UoM="EA",
                    **{"Unit weight": 2.3, "Weight unit": "kg"}),
    "CTL-INV": dict(Description="Inverter control board", UoM="EA",
                    **{"Unit weight": 0.21, "Weight unit": "kg"}),
    "HSG-I800": dict(Description="Inverter housing with pin-fin cold plate", UoM="EA",
                     **{"Unit weight": 5.4, "Weight unit": "kg"}),
    "GBX-91": dict(Description="Reduction gearbox 9.1:1 with open differential", UoM="EA",
                   **{"Unit weight": 16.9, "Weight unit": "kg", "Unit price": 420.00, "Currency": "EUR"}),
    # Cable in metres; its weight is per metre (g/m).
    "HVC-35": dict(Description="HV cable 35 mm2, shielded, orange", UoM="M",
                   **{"Unit weight": 120, "Weight unit": "g/m", "Unit price": 14.50, "Currency": "EUR"}),
    # Made in China, no RE origin given -> its phosphors count as Chinese origin.
    # Composition sheet: YAG by formula, Y2O3 by CAS number, Eu2O3 by formula.
    "LED-STS": dict(Description="Status LED board, white + red", UoM="EA",
                    **{"Unit weight": 14, "Weight unit": "g", "Country of origin": "CN",
                       "Unit price": 3.80, "Currency": "USD"}),
    # Weight in pounds (US supplier).
    "BRK-EDU": dict(Description="Mounting bracket, cast aluminium", UoM="EA",
                    **{"Unit weight": 6.6, "Weight unit": "lb", "Country of origin": "US",
                       "Unit price": 38.00, "Currency": "USD"}),
}

# Product structure: part -> [(child, qty in the child's UoM), ...].
EDU_CHILDREN: dict[str, list[tuple[str, float]]] = {
    "EDU-3000": [("MOT-150", 1), ("INV-800", 1), ("GBX-91", 1), ("HVC-35", 1.8),
                 ("LED-STS", 1), ("BRK-EDU", 1)],
    "MOT-150": [("STA-150", 1), ("ROT-150-A", 1), ("RES-40", 1), ("PSB-12", 1),
                ("HSG-M150", 1), ("BRG-6208", 2)],
    "STA-150": [("STK-S150", 1), ("HPN-150", 1), ("VAR-IMP", 0.35)],
    "ROT-150-A": [("RCM-150", 1), ("SHF-R150", 1), ("END-R150", 2)],
    "RCM-150": [("STK-R150", 1), ("MAG-N42DY", 48), ("MAG-N48TB", 16), ("CTG-DY2O3", 6)],
    "RES-40": [("RES-ST40", 1), ("RES-RT40", 1), ("MAG-SC5", 2)],
    "PSB-12": [("PCB-PSB12", 1), ("IC-TMR3", 3), ("MLCC-0603", 24), ("CON-6P", 1)],
    "INV-800": [("PMD-SIC", 1), ("CAP-DCL", 1), ("CTL-INV", 1), ("PSB-12", 1), ("HSG-I800", 1)],
}

# Top-level items of the export: the drive unit and the spare rotor (sold
# separately, and also used inside the drive unit).
EDU_ROOTS = ["EDU-3000", "ROT-150-A"]

EDU_COMPOSITION_COLUMNS = ["Part Number", "Substance", "Amount", "Unit", "Origin"]
EDU_COMPOSITION = [
    # 40 wt% Dy2O3 (87.13 wt% Dy) in the diffusion slurry, Chinese oxide.
    ("CTG-DY2O3", "Dy2O3", 40, "wt%", "CN"),
    # Dielectric dopants of the MLCC; no origin -> part's (none) -> unknown.
    ("MLCC-0603", "Dy", 0.35, "wt%", None),
    ("MLCC-0603", "Ho", 0.20, "wt%", None),
    # Phosphors per board (mg per board); no origin -> made in CN -> cn.
    ("LED-STS", "Y3Al5O12", 2.4, "mg", None),      # YAG:Ce of the white LEDs
    ("LED-STS", "1314-36-9", 1.5, "mg", None),     # Y2O3 host of the red phosphor
    ("LED-STS", "Eu2O3", 0.12, "mg", None),        # Eu activator of the red phosphor
]


def indented_rows(roots, children, parts, columns):
    """Rows of an indented BOM: each root at level 0, each child one level
    below its parent, every subassembly exploded in full wherever it is used
    (as real multi-level exports do)."""
    rows = []

    def walk(part, qty, level):
        attrs = parts[part]
        row = {c: attrs.get(c) for c in columns}
        row.update({"Level": level, "Part Number": part, "Qty": qty})
        rows.append([row[c] for c in columns])
        for child, child_qty in children.get(part, []):
            walk(child, child_qty, level + 1)

    for root in roots:
        walk(root, 1, 0)
    return rows


def write_ev_drive_unit(path: Path) -> None:
    wb = Workbook()
    bom = wb.active
    bom.title = "BOM"
    bom.append(["Multi-level BOM export"])
    bom.append(["Plant 1000 \u2013 printed 2026-11-02"])
    bom.append(EDU_COLUMNS)
    for cell in bom[3]:
        cell.font = Font(bold=True)
    for row in indented_rows(EDU_ROOTS, EDU_CHILDREN, EDU_PARTS, EDU_COLUMNS):
        bom.append(row)

    comp = wb.create_sheet("Composition")
    comp.append(EDU_COMPOSITION_COLUMNS)
    for cell in comp[1]:
        cell.font = Font(bold=True)
    for row in EDU_COMPOSITION:
        comp.append(list(row))
    save_workbook_deterministically(wb, path)


def save_workbook_deterministically(wb: Workbook, path: Path) -> None:
    """Save ``wb`` with fixed document dates and zip entry times, so the file's
    bytes (and sha256) do not change from one run to the next."""
    wb.properties.creator = "remin examples"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps "modified" with the current time; fixed below
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)


# ---------------------------------------------------------------------------
# 2. Consumer device (parent-child CSV, comma separated)
# ---------------------------------------------------------------------------

CONSUMER_COLUMNS = ["Parent", "Child", "Description", "Quantity", "UoM", "Unit Weight (g)",
                    "RE Origin", "Country of Origin", "Unit Cost", "Currency",
                    "Dy [wt%]", "Nd [wt%]", "Pr [wt%]", "Y [wt%]"]

# One line per parent-child link; the root has a blank Parent. Unit Weight (g)
# is per piece. Element columns are wt% of the part's own mass.
CONSUMER_ROWS = [
    # Parent, Child, Description, Quantity, UoM, Unit Weight (g), RE Origin,
    # Country of Origin, Unit Cost, Currency, Dy, Nd, Pr, Y
    ("", "HV-210", "Cordless handheld vacuum 21.6 V, 100 AW", 1, "EA", None, None, "MY", 89.00, "USD",
     None, None, None, None),
    ("HV-210", "MTR-BL110", "BLDC suction motor 110k rpm with driver", 1, "EA", None, None, "CN", 14.20, "USD",
     None, None, None, None),
    # Grain-boundary-diffused grade: only 0.5 wt% Dy; rare earths from China.
    ("MTR-BL110", "MAG-R11", "Rotor magnet ring, sintered NdFeB N40SH-GBD, OD 11 mm", 1, "EA", 6.8, "CN", "CN",
     0.62, "USD", 0.5, 23.5, 6.5, None),
    ("MTR-BL110", "STA-BL110", "Stator with windings, 3-phase", 1, "EA", 58, None, "CN", None, None,
     None, None, None, None),
    ("MTR-BL110", "SHF-BL110", "Motor shaft, stainless", 1, "EA", 7.5, None, "CN", None, None,
     None, None, None, None),
    ("MTR-BL110", "IMP-BL110", "Impeller, aluminium, 8 blades", 1, "EA", 6.2, None, "CN", None, None,
     None, None, None, None),
    ("MTR-BL110", "BRG-693", "Ball bearing 693ZZ", 2, "EA", 1.1, None, "JP", 0.35, "USD",
     None, None, None, None),
    ("MTR-BL110", "HSG-BL110", "Motor housing PA66-GF30", 1, "EA", 24, None, "CN", None, None,
     None, None, None, None),
    ("MTR-BL110", "PCB-DRV110", "Motor driver PCB assembly", 1, "EA", 11.5, None, "CN", 2.90, "USD",
     None, None, None, None),
    ("HV-210", "BAT-6S1P", "Battery pack 6S1P 21.6 V 2.5 Ah", 1, "EA", 305, None, "CN", 11.50, "USD",
     None, None, None, None),
    # NdFeB without Dy: Nd and Pr are never controlled.
    ("HV-210", "VIB-0827", "Coin vibration motor 8 mm (clog alert)", 1, "EA", 0.8, None, "CN", 0.21, "USD",
     None, 6.0, None, None),
    ("HV-210", "SPK-20", "Micro speaker 20 mm 8 ohm (voice prompts)", 1, "EA", 3.2, None, "VN", 0.38, "USD",
     None, 12.0, 3.0, None),
    # YAG:Ce phosphor: 1.4 wt% Y of the LED package; made in China -> cn.
    ("HV-210", "LED-3030W", "White LED 3030 6500K, YAG:Ce phosphor", 4, "EA", 0.032, None, "CN", 0.03, "USD",
     None, None, None, 1.4),
    ("HV-210", "PCB-MAIN210", "Main control board assembly", 1, "EA", 26, None, "CN", 3.40, "USD",
     None, None, None, None),
    ("HV-210", "HSG-210", "Main housing ABS/PC with handle", 1, "EA", 385, None, "MY", 4.10, "USD",
     None, None, None, None),
    ("HV-210", "CYC-210", "Cyclone and dust bin, PC", 1, "EA", 148, None, "MY", 1.60, "USD",
     None, None, None, None),
    ("HV-210", "FLT-HEPA", "HEPA filter H13, washable", 1, "EA", 42, None, "CN", 1.20, "USD",
     None, None, None, None),
]


def write_consumer_device(path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CONSUMER_COLUMNS)
        for row in CONSUMER_ROWS:
            w.writerow(["" if v is None else v for v in row])


# ---------------------------------------------------------------------------
# 3. SAP-style export (';' separated, decimal comma, dotted explosion levels)
# ---------------------------------------------------------------------------

SAP_TITLE = [
    "Explode BOM: Multi-Level BOM",
    "Material 40031005 AC servo motor 400 V 3,1 Nm 3000 rpm",
    "Plant 1100 Usage 1 Alternative 1 Valid from 02.11.2026",
]
SAP_COLUMNS = ["Explosion level", "Component number", "Object description", "Comp. Qty (BUn)",
               "Base unit", "Net weight", "Weight unit"]

# (level, component number, description, qty, base unit, net weight, weight unit).
# Net weight is per ONE base unit (a cable in M has its weight per metre); lines
# in KG or G carry their own mass. Level 0 is the header material (the SKU).
SAP_ROWS = [
    (0, "40031005", "AC servo motor 400 V 3,1 Nm 3000 rpm IP65", 1, "ST", None, None),
    (1, "40031100", "Stator assembly, wound and impregnated", 1, "ST", None, None),
    (2, "40011020", "Stator lamination stack M270-35A", 1, "ST", 1.85, "KG"),
    (2, "30002210", "Enamelled copper wire 0,8 mm grade 2", 0.62, "KG", None, None),
    (2, "30004415", "Impregnating resin, polyester", 85, "G", None, None),
    (2, "40012230", "Temperature sensor PT1000", 1, "ST", 2.1, "G"),
    (1, "40031200", "Rotor assembly with magnets", 1, "ST", None, None),
    (2, "40012310", "Rotor shaft C45", 1, "ST", 0.48, "KG"),
    (2, "40012320", "Rotor lamination stack", 1, "ST", 0.71, "KG"),
    (2, "40012330", "Magnet segment NdFeB 38EH 25x12x5", 12, "ST", 11.2, "G"),
    (2, "30005510", "Glass fibre bandage tape 12 mm", 1.6, "M", 3.75, "G"),
    (1, "40031300", "Encoder assembly, single-turn", 1, "ST", None, None),
    (2, "40012410", "Encoder board assembly", 1, "ST", None, None),
    (3, "40012411", "PCB encoder, bare", 1, "ST", 9.4, "G"),
    (3, "40012412", "Encoder ASIC", 1, "ST", 0.35, "G"),
    (3, "40012414", "Board connector 10-pin", 1, "ST", 1.6, "G"),
    (2, "40012420", "Encoder magnet Sm2Co17 diametral 6x2,5", 1, "ST", 0.59, "G"),
    (2, "40012430", "Encoder housing PBT", 1, "ST", 18, "G"),
    (1, "40013010", "Motor housing aluminium", 1, "ST", 2.9, "KG"),
    (1, "40013020", "Flange A-side 100 mm", 1, "ST", 0.82, "KG"),
    (1, "40013030", "Holding brake 24 V DC 4,5 Nm, permanent magnet", 1, "ST", 0.55, "KG"),
    (1, "40013040", "Power connector M23, rotatable", 1, "ST", 145, "G"),
    (1, "30006010", "Ball bearing 6203-2Z", 2, "ST", 65, "G"),
    (1, "30007020", "Signal cable 8x0,25 mm2", 0.5, "M", 48, "G"),
]

SAP_COMPOSITION_COLUMNS = ["Component number", "Substance", "Amount", "Unit", "Origin"]
SAP_COMPOSITION = [
    # High-coercivity servo grade: Dy and Tb from China.
    ("40012330", "Dy", 7.8, "wt%", "CN"),
    ("40012330", "Tb", 0.6, "wt%", "CN"),
    ("40012330", "Nd", 21.0, "wt%", "CN"),
    ("40012330", "Pr", 5.5, "wt%", "CN"),
    ("40012420", "Sm", 25.5, "wt%", "CN"),
    # Supplier declares Dy for the whole brake, origin not declared -> unknown.
    ("40013030", "Dy", 0.4, "wt%", None),
]


def sap_level(level: int) -> str:
    """SAP's explosion level: "0" for the header material, else one dot per level (".1", "..2")."""
    return "0" if level == 0 else "." * level + str(level)


def decimal_comma(value) -> str:
    """A number as a German-locale SAP export writes it (no thousands separator)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def write_sap_export(bom_path: Path, composition_path: Path) -> None:
    with open(bom_path, "w", newline="", encoding="utf-8") as f:
        for line in SAP_TITLE:
            f.write(line + "\n")
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(SAP_COLUMNS)
        for level, part, desc, qty, unit, weight, weight_unit in SAP_ROWS:
            w.writerow([sap_level(level), part, desc, decimal_comma(qty), unit,
                        decimal_comma(weight), weight_unit or ""])
    with open(composition_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(SAP_COMPOSITION_COLUMNS)
        for part, substance, amount, unit, origin in SAP_COMPOSITION:
            w.writerow([part, substance, decimal_comma(amount), unit, origin or ""])


def main() -> None:
    write_ev_drive_unit(HERE / "ev-drive-unit.xlsx")
    write_consumer_device(HERE / "consumer-device.csv")
    write_sap_export(HERE / "sap-export.csv", HERE / "sap-export-composition.csv")


if __name__ == "__main__":
    main()
