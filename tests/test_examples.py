"""The bundled example BOMs give the results computed here by hand.

Each figure is written as arithmetic from the numbers in the example files
(data/examples/make_examples.py writes them; README.md beside them tabulates
the results). Semantics (domain.md §2.3-2.6): a part's mass is its declared
unit mass, else the sum of qty x child mass; a line in a mass UoM carries its
own mass; fractions are of the part's mass; composition origin = row origin,
else the part's RE origin, else CN if made in China, else unknown;
mass_share.low = cn / mass, .high = (cn + unknown) / mass; verdict `above` if
low >= 0.001, `below` if high < 0.001, else `indeterminate`.

All masses below are in kg.
"""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "data" / "examples"
EDU_FILES = ("data/examples/ev-drive-unit.xlsx",)
CONSUMER_FILES = ("data/examples/consumer-device.csv",)
SAP_FILES = ("data/examples/sap-export.csv", "data/examples/sap-export-composition.csv")

AFTER_SUSPENSION = "2026-11-22"   # No. 18 + No. 57 elements: all 12 controlled
DURING_SUSPENSION = "2026-01-15"  # No. 18 only (No. 57 suspended): Sm Gd Tb Dy Lu Sc Y
BEFORE_NO18 = "2025-03-01"        # nothing controlled yet

NO18 = {"Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"}
NO57 = {"Ho", "Er", "Tm", "Eu", "Yb"}
CONTROLLED = {AFTER_SUSPENSION: NO18 | NO57, DURING_SUSPENSION: NO18, BEFORE_NO18: set()}

G = 1e-3      # kg per g
MG = 1e-6     # kg per mg
LB = 0.45359237  # kg per international avoirdupois pound

# Standard atomic weights as molmass (remin's formula engine) tabulates them
# (IUPAC; for O molmass uses 15.999405, not the abridged 15.999).
DY, O, Y, AL, EU = 162.5, 15.999405, 88.90584, 26.9815385, 151.964
DY_IN_DY2O3 = 2 * DY / (2 * DY + 3 * O)               # 0.87132: Dy2O3 is 87.1 wt% Dy
Y_IN_YAG = 3 * Y / (3 * Y + 5 * AL + 12 * O)          # 0.44931: Y3Al5O12 is 44.9 wt% Y
Y_IN_Y2O3 = 2 * Y / (2 * Y + 3 * O)                   # 0.78740: Y2O3 (CAS 1314-36-9) 78.7 wt% Y
EU_IN_EU2O3 = 2 * EU / (2 * EU + 3 * O)               # 0.86361: Eu2O3 is 86.4 wt% Eu
# Materials library entry `smco5` (data/materials.toml): Sm 36 wt%, Co 64 wt%, a
# typical Sm-rich commercial grade (stoichiometric SmCo5, SM / (SM + 5 * CO), is 33.8 %).
SM_IN_SMCO5 = 36.0 / 100


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-15)


# ---------------------------------------------------------------------------
# Expected results
# ---------------------------------------------------------------------------

def expected(mass, elements, verdict, description=None):
    """Expected SKU figures from its mass and its controlled content per element
    {element: {"cn": kg, "other": kg, "unknown": kg}} (missing classes are 0)."""
    by_el = {el: {c: v.get(c, 0.0) for c in ("cn", "other", "unknown")} for el, v in elements.items()}
    total = {c: sum(v[c] for v in by_el.values()) for c in ("cn", "other", "unknown")}
    return {
        "description": description,
        "mass_kg": mass,
        "controlled_by_element_kg": by_el,
        "controlled_mass_kg": total,
        "mass_share": {"low": total["cn"] / mass, "high": (total["cn"] + total["unknown"]) / mass},
        "mass_verdict": verdict,
    }


def only(elements, controlled):
    """Keep the elements controlled on the date."""
    return {el: v for el, v in elements.items() if el in controlled}


# --- 1. EV drive unit (ev-drive-unit.xlsx) ---------------------------------
# Masses.
STATOR = 15.8 + 7.9 + 0.35                     # lamination stack + hairpins + 0.35 KG varnish (mass UoM line)
RCM = (8.6                                     # rotor lamination stack
       + 48 * 30.6 * G                         # 48 Dy-NdFeB magnets x 30.6 g
       + 16 * 30.6 * G                         # 16 Tb-NdFeB magnets x 30.6 g
       + 6 * G)                                # 6 G of Dy2O3 diffusion slurry (UoM G)
ROTOR = RCM + 3.95 + 2 * 0.62                  # + shaft + 2 end plates
RESOLVER = 185 * G + 62 * G + 2 * 3.8 * G      # stator + rotor + 2 SmCo5 magnets x 3.8 g
PSB = 18.5 * G + 3 * 0.12 * G + 24 * 0.0058 * G + 2.4 * G   # PCB + 3 ICs + 24 MLCC + connector
MOTOR = STATOR + ROTOR + RESOLVER + PSB + 9.8 + 2 * 366 * G  # + housing + 2 bearings x 366 g
INVERTER = 8.6                                 # declared; children add up to 9.0814 kg (finding)
INVERTER_CHILDREN = 1.15 + 2.3 + 0.21 + PSB + 5.4
EDU = (MOTOR + INVERTER + 16.9                 # motor + inverter + gearbox
       + 1.8 * 120 * G                         # HV cable 1.8 M x 120 g/m
       + 14 * G                                # LED status board
       + 6.6 * LB)                             # bracket 6.6 lb
# Controlled content (kg).
DY_MAGNETS_CN = 48 * 30.6 * G * 4.5 / 100      # 48 magnets x 30.6 g x 4.5 wt% Dy, RE origin "China"
DY_SLURRY_CN = 6 * G * 40 / 100 * DY_IN_DY2O3  # 6 g x 40 wt% Dy2O3 x 87.1 % Dy, row origin CN
DY_TB_MAGNETS_UNKNOWN = 16 * 30.6 * G * 2.5 / 100   # 16 x 30.6 g x 2.5 wt% Dy; made in DE, no RE origin
TB_MAGNETS_UNKNOWN = 16 * 30.6 * G * 0.9 / 100      # 16 x 30.6 g x 0.9 wt% Tb; same magnets
DY_MLCC_PER_BOARD = 24 * 0.0058 * G * 0.35 / 100    # 24 MLCC x 5.8 mg x 0.35 wt% Dy; made in JP -> unknown
HO_MLCC_PER_BOARD = 24 * 0.0058 * G * 0.20 / 100    # 24 MLCC x 5.8 mg x 0.20 wt% Ho
SM_RESOLVER_OTHER = 2 * 3.8 * G * SM_IN_SMCO5       # 2 SmCo5 magnets x 3.8 g x 36 wt% Sm; RE origin JP
Y_LED_CN = 2.4 * MG * Y_IN_YAG + 1.5 * MG * Y_IN_Y2O3   # 2.4 mg YAG + 1.5 mg Y2O3 (by CAS); made in CN
EU_LED_CN = 0.12 * MG * EU_IN_EU2O3                     # 0.12 mg Eu2O3; made in CN

EDU_ELEMENTS = {
    "Dy": {"cn": DY_MAGNETS_CN + DY_SLURRY_CN,
           "unknown": DY_TB_MAGNETS_UNKNOWN + 2 * DY_MLCC_PER_BOARD},  # sensor board used twice
    "Tb": {"unknown": TB_MAGNETS_UNKNOWN},
    "Sm": {"other": SM_RESOLVER_OTHER},
    "Y": {"cn": Y_LED_CN},
    "Eu": {"cn": EU_LED_CN},
    "Ho": {"unknown": 2 * HO_MLCC_PER_BOARD},
}
ROTOR_ELEMENTS = {
    "Dy": {"cn": DY_MAGNETS_CN + DY_SLURRY_CN, "unknown": DY_TB_MAGNETS_UNKNOWN},
    "Tb": {"unknown": TB_MAGNETS_UNKNOWN},
}
MOTOR_ELEMENTS = {
    "Dy": {"cn": DY_MAGNETS_CN + DY_SLURRY_CN, "unknown": DY_TB_MAGNETS_UNKNOWN + DY_MLCC_PER_BOARD},
    "Tb": {"unknown": TB_MAGNETS_UNKNOWN},
    "Sm": {"other": SM_RESOLVER_OTHER},
    "Ho": {"unknown": HO_MLCC_PER_BOARD},
}
PSB_ELEMENTS = {"Dy": {"unknown": DY_MLCC_PER_BOARD}, "Ho": {"unknown": HO_MLCC_PER_BOARD}}

EDU_DESC = "Electric drive unit 150 kW, 3-in-1 (motor, inverter, gearbox)"
ROTOR_DESC = "Rotor assembly IPM 8-pole, balanced (also sold as spare part)"


def edu_expected(date):
    c = CONTROLLED[date]
    if not c:
        return {"EDU-3000": expected(EDU, {}, "below", EDU_DESC),
                "ROT-150-A": expected(ROTOR, {}, "below", ROTOR_DESC)}
    return {
        # cn 0.06819 kg / 79.34 kg = 0.0859 % < 0.1 % <= (cn + unknown) 0.08484 kg -> 0.1069 %
        "EDU-3000": expected(EDU, only(EDU_ELEMENTS, c), "indeterminate", EDU_DESC),
        # cn 0.06819 kg / 15.75 kg = 0.433 %
        "ROT-150-A": expected(ROTOR, only(ROTOR_ELEMENTS, c), "above", ROTOR_DESC),
    }


# --- 2. Consumer device (consumer-device.csv) -------------------------------
VAC_MOTOR = (6.8 + 58 + 7.5 + 6.2 + 2 * 1.1 + 24 + 11.5) * G   # magnet, stator, shaft, impeller, 2 bearings, housing, PCB
VACUUM = (VAC_MOTOR
          + (305                     # battery pack
             + 0.8                   # vibration motor (Nd only: not controlled)
             + 3.2                   # speaker (Nd, Pr only)
             + 4 * 0.032             # 4 white LEDs x 32 mg
             + 26 + 385 + 148 + 42) * G)   # main board, housing, cyclone, HEPA filter
VACUUM_ELEMENTS = {
    "Dy": {"cn": 6.8 * G * 0.5 / 100},       # rotor magnet ring 6.8 g x 0.5 wt% Dy, RE origin CN
    "Y": {"cn": 4 * 0.032 * G * 1.4 / 100},  # 4 LEDs x 32 mg x 1.4 wt% Y; made in CN -> cn
}
VACUUM_DESC = "Cordless handheld vacuum 21.6 V, 100 AW"


def consumer_expected(date):
    c = CONTROLLED[date]
    # cn 0.0358 g / 1026.3 g = 0.0035 %: far below
    return {"HV-210": expected(VACUUM, only(VACUUM_ELEMENTS, c), "below", VACUUM_DESC)}


# --- 3. SAP export (sap-export.csv + sap-export-composition.csv) ------------
SERVO_STATOR = 1.85 + 0.62 + 85 * G + 2.1 * G      # stack + 0,62 KG wire + 85 G resin + PT1000
SERVO_ROTOR = (0.48 + 0.71                          # shaft + lamination stack
               + 12 * 11.2 * G                      # 12 magnet segments x 11,2 g
               + 1.6 * 3.75 * G)                    # 1,6 M bandage x 3,75 g per M
SERVO_ENCODER = (9.4 + 0.35 + 1.6) * G + 0.59 * G + 18 * G   # board (PCB, ASIC, connector), magnet, housing
SERVO = (SERVO_STATOR + SERVO_ROTOR + SERVO_ENCODER
         + 2.9 + 0.82 + 0.55 + 145 * G              # housing, flange, brake, power connector
         + 2 * 65 * G                               # 2 bearings x 65 g
         + 0.5 * 48 * G)                            # 0,5 M signal cable x 48 g per M
SERVO_ELEMENTS = {
    "Dy": {"cn": 12 * 11.2 * G * 7.8 / 100,         # 12 segments x 11,2 g x 7,8 wt% Dy, origin CN
           "unknown": 0.55 * 0.4 / 100},            # brake 0,55 kg x 0,4 wt% Dy, no origin
    "Tb": {"cn": 12 * 11.2 * G * 0.6 / 100},        # 12 segments x 11,2 g x 0,6 wt% Tb, origin CN
    "Sm": {"cn": 0.59 * G * 25.5 / 100},            # encoder magnet 0,59 g x 25,5 wt% Sm, origin CN
}
SERVO_DESC = "AC servo motor 400 V 3,1 Nm 3000 rpm IP65"


def sap_expected(date):
    c = CONTROLLED[date]
    # cn 11.44 g / 8.486 kg = 0.135 %: above
    verdict = "above" if c else "below"
    return {"40031005": expected(SERVO, only(SERVO_ELEMENTS, c), verdict, SERVO_DESC)}


CASES = {
    "edu": (EDU_FILES, edu_expected),
    "consumer": (CONSUMER_FILES, consumer_expected),
    "sap": (SAP_FILES, sap_expected),
}


# ---------------------------------------------------------------------------
# Running remin
# ---------------------------------------------------------------------------

@lru_cache(maxsize=None)
def run_check(files: tuple[str, ...], as_of: str, *extra: str) -> dict:
    """``remin check FILES --format json --as-of DATE`` from the repository root."""
    cmd = [sys.executable, "-m", "remin", "check", *files, "--format", "json", "--as-of", as_of, *extra]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr}"
    return json.loads(proc.stdout)


def skus_by_id(report: dict) -> dict:
    return {s["sku"]: s for s in report["skus"]}


def assert_sku(got: dict, exp: dict, controlled: set[str]) -> None:
    sku = got["sku"]
    if exp["description"] is not None:
        assert got["description"] == exp["description"], sku
    assert got["mass_kg"] == approx(exp["mass_kg"]), sku
    for cls in ("cn", "other", "unknown"):
        assert got["controlled_mass_kg"][cls] == approx(exp["controlled_mass_kg"][cls]), (sku, cls)
    by_el = got["controlled_by_element_kg"] or {}
    for el, classes in exp["controlled_by_element_kg"].items():
        assert el in by_el, (sku, el)
        for cls, kg in classes.items():
            assert by_el[el][cls] == approx(kg), (sku, el, cls)
    # Anything else listed must be zero, and no uncontrolled element (Nd, Pr, an
    # element of a suspended list) may carry content.
    for el, classes in by_el.items():
        if el not in exp["controlled_by_element_kg"]:
            assert all(v == 0 for v in classes.values()), (sku, el, classes)
        assert el in controlled or all(v == 0 for v in classes.values()), (sku, el)
    assert got["mass_share"]["low"] == approx(exp["mass_share"]["low"]), sku
    assert got["mass_share"]["high"] == approx(exp["mass_share"]["high"]), sku
    assert got["mass_verdict"] == exp["mass_verdict"], sku


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("date", [AFTER_SUSPENSION, DURING_SUSPENSION, BEFORE_NO18])
@pytest.mark.parametrize("case", list(CASES))
def test_example_figures(case, date):
    files, expect = CASES[case]
    report = run_check(files, date)
    got = skus_by_id(report)
    exp = expect(date)
    # By default the SKUs are the top-level items (the roots) only.
    assert sorted(got) == sorted(exp)
    for sku, e in exp.items():
        assert_sku(got[sku], e, CONTROLLED[date])


@pytest.mark.parametrize("date", [AFTER_SUSPENSION, DURING_SUSPENSION, BEFORE_NO18])
def test_rules_element_list_by_date(date):
    report = run_check(CONSUMER_FILES, date)
    assert report["rules"]["as_of"] == date
    assert set(report["rules"]["controlled_elements"]) == CONTROLLED[date]


def test_suspension_drops_eu_and_ho_from_the_drive_unit():
    """During No. 70's suspension (2026-01-15) the LED board's Eu and the
    MLCCs' Ho are not controlled; after it (2026-11-22) they are."""
    after = skus_by_id(run_check(EDU_FILES, AFTER_SUSPENSION))["EDU-3000"]
    during = skus_by_id(run_check(EDU_FILES, DURING_SUSPENSION))["EDU-3000"]
    assert after["controlled_mass_kg"]["cn"] - during["controlled_mass_kg"]["cn"] == pytest.approx(
        EU_LED_CN, rel=1e-6)           # 0.12 mg Eu2O3 x 86.4 % Eu
    assert after["controlled_mass_kg"]["unknown"] - during["controlled_mass_kg"]["unknown"] == pytest.approx(
        2 * HO_MLCC_PER_BOARD, rel=1e-6)   # Ho of 2 sensor boards x 24 MLCC
    assert during["mass_verdict"] == "indeterminate"


def test_inverter_declared_mass_wins_with_a_finding():
    report = run_check(EDU_FILES, AFTER_SUSPENSION)
    assert INVERTER_CHILDREN > INVERTER  # 9.0814 kg of children under an 8.6 kg declaration
    assert any(f["code"] == "children-exceed-declared" and f["part"] == "INV-800"
               for f in report["findings"])


def test_all_levels_reports_every_assembly_once():
    report = run_check(EDU_FILES, AFTER_SUSPENSION, "--all-levels")
    ids = [s["sku"] for s in report["skus"]]
    assemblies = {"EDU-3000", "MOT-150", "STA-150", "ROT-150-A", "RCM-150", "RES-40", "PSB-12", "INV-800"}
    assert assemblies <= set(ids)
    assert len(ids) == len(set(ids))  # the shared sensor board and the rotor appear once
    got = skus_by_id(report)
    c = CONTROLLED[AFTER_SUSPENSION]
    # The motor alone is above (0.135 %) although the whole drive unit is indeterminate.
    assert_sku(got["MOT-150"], expected(MOTOR, MOTOR_ELEMENTS, "above"), c)
    # Declared 8.6 kg wins over the children; content comes from the children.
    assert_sku(got["INV-800"], expected(INVERTER, PSB_ELEMENTS, "below"), c)
    assert_sku(got["PSB-12"], expected(PSB, PSB_ELEMENTS, "below"), c)
    assert_sku(got["STA-150"], expected(STATOR, {}, "below"), c)
    assert_sku(got["RCM-150"], expected(RCM, ROTOR_ELEMENTS, "above"), c)
    assert_sku(got["RES-40"], expected(RESOLVER, {"Sm": {"other": SM_RESOLVER_OTHER}}, "below"), c)
    assert_sku(got["EDU-3000"], edu_expected(AFTER_SUSPENSION)["EDU-3000"], c)


def test_examples_are_reproducible(tmp_path, monkeypatch):
    """make_examples.py writes exactly the committed files (byte for byte)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "HERE", tmp_path)
    mod.main()
    for name in ("consumer-device.csv", "sap-export.csv", "sap-export-composition.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
    # The xlsx member by member (compressed bytes may differ between zlib builds).
    with zipfile.ZipFile(tmp_path / "ev-drive-unit.xlsx") as new, \
            zipfile.ZipFile(EXAMPLES / "ev-drive-unit.xlsx") as old:
        assert new.namelist() == old.namelist()
        for member in old.namelist():
            assert new.read(member) == old.read(member), member
