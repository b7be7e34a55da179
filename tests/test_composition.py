"""Elements, substance -> element mass fractions, CAS table, materials library.

Expected fractions are worked by hand from IUPAC standard atomic weights
(abridged values), written out here so they do not depend on molmass.
"""
from __future__ import annotations

import csv

import pandas as pd
import pytest

from remin.composition import (
    AmbiguousSubstance, UnknownMaterial, UnknownSubstance, is_cas_number, load_materials,
    read_cas_table, resolve_substances, substance_fractions,
)
from remin.elements import RARE_EARTHS, element_symbol, element_symbols
from remin.errors import InputError
from remin.paths import data_path

# Standard atomic weights (IUPAC, abridged), g/mol.
Dy, Tb, Y, Gd, Sm, Co, O, Al = 162.50, 158.93, 88.906, 157.25, 150.36, 58.933, 15.999, 26.982
Fe, Zr, N, H, Ce = 55.845, 91.224, 14.007, 1.008, 140.12


# ------------------------------------------------------------------ elements

@pytest.mark.parametrize("text", ["Dy", "dy", "DY", "Dysprosium", "dysprosium", " Dysprosium "])
def test_element_symbol_any_case(text):
    assert element_symbol(text) == "Dy"


def test_element_symbol_other():
    assert element_symbol("Nd") == "Nd"
    assert element_symbol("Y") == "Y"
    assert element_symbol("aluminum") == "Al"
    assert element_symbol("Dy2O3") is None
    assert element_symbol("Xx") is None
    assert element_symbol(None) is None


def test_element_symbols_vectorised_keeps_index():
    s = pd.Series(["DY", "tb", "nope", None, "DY"], index=[10, 11, 12, 13, 14])
    out = element_symbols(s)
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert out[10] == "Dy" and out[11] == "Tb" and out[14] == "Dy"
    assert out.isna().tolist() == [False, False, True, True, False]


def test_rare_earths_are_the_17():
    assert RARE_EARTHS[:3] == ("Sc", "Y", "La")
    assert RARE_EARTHS[-1] == "Lu" and len(RARE_EARTHS) == 17
    assert "Dy" in RARE_EARTHS and "Tb" in RARE_EARTHS and "Co" not in RARE_EARTHS


# ------------------------------------------------------------------ formulas

def test_dy2o3_by_hand():
    # 2 x 162.50 = 325.00; 3 x 15.999 = 47.997; Dy = 325.00 / 372.997 = 0.871321
    f = substance_fractions("Dy2O3")
    assert f["Dy"] == pytest.approx(2 * Dy / (2 * Dy + 3 * O), abs=2e-5)
    assert f["Dy"] == pytest.approx(0.87132, abs=2e-5)
    assert sum(f.values()) == pytest.approx(1.0, abs=1e-12)


def test_tb4o7_smco5_sm2co17_by_hand():
    # Tb4O7: 635.72 / (635.72 + 111.993) = 0.85022
    assert substance_fractions("Tb4O7")["Tb"] == pytest.approx(4 * Tb / (4 * Tb + 7 * O), abs=2e-5)
    # SmCo5: 150.36 / (150.36 + 294.665) = 0.33787
    assert substance_fractions("SmCo5")["Sm"] == pytest.approx(Sm / (Sm + 5 * Co), abs=2e-5)
    # Sm2Co17: 300.72 / (300.72 + 1001.861) = 0.23086
    assert substance_fractions("Sm2Co17")["Sm"] == pytest.approx(2 * Sm / (2 * Sm + 17 * Co), abs=2e-5)


def test_yag_with_gd_substitution_decimal_counts():
    # (Y0.92Gd0.08)3Al5O12 = Y2.76 Gd0.24 Al5 O12
    y, gd = 2.76 * Y, 0.24 * Gd
    total = y + gd + 5 * Al + 12 * O
    f = substance_fractions("(Y0.92Gd0.08)3Al5O12")
    assert f["Y"] == pytest.approx(y / total, abs=2e-5)
    assert f["Gd"] == pytest.approx(gd / total, abs=2e-5)


def test_terfenol_d_decimal_counts():
    # Tb0.3Dy0.7Fe1.92: 47.679 + 113.75 + 107.222 = 268.651
    total = 0.3 * Tb + 0.7 * Dy + 1.92 * Fe
    f = substance_fractions("Tb0.3Dy0.7Fe1.92")
    assert f["Tb"] == pytest.approx(0.3 * Tb / total, abs=2e-5)
    assert f["Dy"] == pytest.approx(0.7 * Dy / total, abs=2e-5)


@pytest.mark.parametrize("text", ["Dy(NO3)3·6H2O", "Dy(NO3)3*6H2O", "Dy(NO3)3.6H2O", "Dy(NO3)3 · 6H2O"])
def test_hydrates(text):
    # Dy(NO3)3·6H2O = Dy N3 O15 H12: 162.50 + 42.021 + 239.985 + 12.096 = 456.602
    total = Dy + 3 * N + 15 * O + 12 * H
    assert substance_fractions(text)["Dy"] == pytest.approx(Dy / total, abs=2e-5)


def test_8ysz_basis():
    # 8 mol% Y2O3 + 92 mol% ZrO2: Y 0.16 x 88.906 = 14.225 of
    # 0.08 x 225.809 + 0.92 x 123.222 = 18.065 + 113.364 = 131.429 -> 10.82 wt%
    total = 0.08 * (2 * Y + 3 * O) + 0.92 * (Zr + 2 * O)
    assert substance_fractions("(Y2O3)0.08(ZrO2)0.92")["Y"] == pytest.approx(0.16 * Y / total, abs=2e-5)


def test_nd2fe14b_and_gd2o2s_parse():
    assert set(substance_fractions("Nd2Fe14B")) == {"Nd", "Fe", "B"}
    assert set(substance_fractions("Gd2O2S")) == {"Gd", "O", "S"}


# ------------------------------------------------------------------ case rules

def test_symbol_case_rules():
    assert substance_fractions("Co") == {"Co": 1.0}      # cobalt, exact symbol
    assert substance_fractions("cobalt") == {"Co": 1.0}
    assert substance_fractions("Y") == {"Y": 1.0}
    assert substance_fractions("DY") == {"Dy": 1.0}      # D is not accepted in formulas
    assert substance_fractions("TB") == {"Tb": 1.0}
    assert substance_fractions("nd") == {"Nd": 1.0}
    assert substance_fractions("DYSPROSIUM") == {"Dy": 1.0}


@pytest.mark.parametrize("text,element", [("CO", "Co"), ("SC", "Sc"), ("YB", "Yb"), ("SN", "Sn"), ("HO", "Ho")])
def test_capitals_that_are_also_formulas_are_ambiguous(text, element):
    with pytest.raises(AmbiguousSubstance, match=f"write '{element}'"):
        substance_fractions(text)


def test_ambiguous_is_an_unknown_substance_and_a_value_error():
    assert issubclass(AmbiguousSubstance, UnknownSubstance)
    assert issubclass(UnknownSubstance, ValueError)


# ------------------------------------------------------------------ CAS and names

def test_cas_and_name_lookup():
    dy2o3 = substance_fractions("Dy2O3")
    assert substance_fractions("1308-87-8") == dy2o3
    assert substance_fractions("Dysprosium Oxide") == dy2o3
    assert substance_fractions("dysprosium(III) oxide") == dy2o3
    assert substance_fractions("12037-01-3") == substance_fractions("Tb4O7")
    assert substance_fractions("terbium (III,IV) oxide") == substance_fractions("Tb4O7")
    assert substance_fractions("1314-36-9") == substance_fractions("Y2O3")
    assert substance_fractions("12017-68-4") == substance_fractions("SmCo5")
    assert substance_fractions("7429-91-6") == {"Dy": 1.0}


def test_cas_check_digit():
    # 1308-87-8: digits from the right 7,8,8,0,3,1 x 1..6 = 7+16+24+0+15+6 = 68 -> 8
    assert is_cas_number("1308-87-8")
    assert not is_cas_number("1308-87-7")
    assert not is_cas_number("1308-8-8")
    with pytest.raises(UnknownSubstance, match="check digit"):
        substance_fractions("1308-87-7")


def test_cas_not_in_table():
    with pytest.raises(UnknownSubstance, match="not in remin's table"):
        substance_fractions("7732-18-5")  # water: valid number, not listed


def _cas_rows():
    with open(data_path("cas.csv"), encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@pytest.mark.parametrize("row", _cas_rows(), ids=lambda r: r["cas"])
def test_every_cas_row_has_a_valid_check_digit_and_formula(row):
    assert is_cas_number(row["cas"])
    assert abs(sum(substance_fractions(row["formula"]).values()) - 1.0) < 1e-9
    assert row["source"] in {"checked", "ref"}


def test_cas_table_covers_rare_earth_metals_and_listed_oxides():
    table = read_cas_table()
    metals = {formula for _, formula in table.by_cas.values()}
    assert set(RARE_EARTHS) <= metals
    for oxide in ("Sc2O3", "Y2O3", "Sm2O3", "Gd2O3", "Tb4O7", "Dy2O3", "Lu2O3"):
        assert oxide in metals


def test_bad_cas_table_names_file_and_line(tmp_path):
    bad = tmp_path / "cas.csv"
    bad.write_text("# comment\ncas,name,formula,source\n1308-87-8,dysprosium oxide,Dy2O3,ref\n"
                   "1308-87-7,typo,Dy2O3,ref\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cas\.csv, line 4: '1308-87-7' is not a valid CAS number"):
        read_cas_table(bad)


# ------------------------------------------------------------------ unknowns

@pytest.mark.parametrize("text,why", [
    ("NdFeB", "family of materials"),
    ("Y2O3:Eu", "dopant"),
    ("Me", "not an element symbol"),      # molmass abbreviation for methyl: refused
    ("D2O", "not an element symbol"),     # isotopes refused
    ("H2O+", "'\\+'"),
    ("Dy2O3 x", "space"),
    ("", "empty"),
    ("unobtainium", "expected an element symbol"),
])
def test_unknown_substances_say_why_and_what_is_accepted(text, why):
    with pytest.raises(UnknownSubstance, match=why) as info:
        substance_fractions(text)
    if text:
        assert "CAS number" in str(info.value) or "family" in str(info.value)


def test_resolve_substances_distinct_values_only():
    s = pd.Series(["Dy2O3", "Dy2O3", "1308-87-8", "junk?", None, "  ", "Tb"])
    frame, unknown = resolve_substances(s)
    assert list(frame.columns) == ["substance", "element", "fraction"]
    assert sorted(frame["substance"].unique()) == ["1308-87-8", "Dy2O3", "Tb"]
    dy = frame[(frame.substance == "Dy2O3") & (frame.element == "Dy")]["fraction"]
    assert len(dy) == 1 and dy.iloc[0] == pytest.approx(2 * Dy / (2 * Dy + 3 * O), abs=2e-5)
    assert sorted(unknown.index) == ["1308-87-8", "Dy2O3", "Tb", "junk?"]
    assert unknown.notna().to_dict() == {"Dy2O3": False, "1308-87-8": False, "junk?": True, "Tb": False}
    assert "'junk?' is not a substance" in unknown["junk?"]
    assert s.isin(unknown[unknown.notna()].index).tolist() == [False, False, False, True, False, False, False]


def test_resolve_substances_empty():
    frame, unknown = resolve_substances(pd.Series([], dtype="object"))
    assert frame.empty and unknown.empty


# ------------------------------------------------------------------ materials library

@pytest.fixture(scope="module")
def lib():
    return load_materials()


def _fraction(lib, material, element):
    f = lib.fractions
    hit = f[(f.material == material) & (f.element == element)]["fraction"]
    return float(hit.iloc[0]) if len(hit) else 0.0


@pytest.mark.parametrize("material,element,percent", [
    # domain.md §1 reference figures, to 0.05 percentage points
    ("y2o3", "Y", 78.7), ("yag", "Y", 44.9), ("gd2o3", "Gd", 86.8), ("dy2o3", "Dy", 87.1),
    ("tb4o7", "Tb", 85.0), ("ysz-8", "Y", 10.8),
    ("ndfeb-gbd-dy-0.5", "Dy", 0.5), ("ndfeb-dy-7.5", "Dy", 7.5), ("ndfeb-tb-1", "Tb", 1.0),
    ("ndfeb-n52", "Dy", 0.0), ("ndfeb-n52", "Tb", 0.0), ("smco5", "Sm", 36.0), ("sm2co17", "Sm", 25.0),
    ("al-2sc", "Sc", 2.0),
])
def test_domain_reference_figures(lib, material, element, percent):
    assert _fraction(lib, material, element) * 100 == pytest.approx(percent, abs=0.05)


def test_yag_by_hand(lib):
    # Y3Al5O12: 266.718 / (266.718 + 134.91 + 191.988) = 266.718 / 593.616 = 0.44931
    assert _fraction(lib, "yag", "Y") == pytest.approx(3 * Y / (3 * Y + 5 * Al + 12 * O), abs=2e-5)


def test_yag_ce_by_hand(lib):
    # (Y0.98Ce0.02)3Al5O12 = Y2.94 Ce0.06 Al5 O12
    total = 2.94 * Y + 0.06 * Ce + 5 * Al + 12 * O
    assert _fraction(lib, "yag-ce-phosphor", "Ce") == pytest.approx(0.06 * Ce / total, abs=2e-5)


def test_ndfeb_totals_and_boron(lib):
    for key in ("ndfeb-n52", "ndfeb-gbd-dy-0.5", "ndfeb-dy-7.5", "ndfeb-tb-1"):
        re_total = sum(_fraction(lib, key, el) for el in RARE_EARTHS)
        assert 0.29 <= re_total <= 0.32, key
        assert _fraction(lib, key, "B") == pytest.approx(0.01)


def test_every_shipped_material_is_complete(lib):
    info = lib.info
    assert info["source"].str.len().min() > 0
    assert info["typical"].all()
    assert info["name"].str.lower().is_unique
    sums = lib.fractions.groupby("material")["fraction"].sum()
    assert (sums <= 1 + 1e-9).all()
    assert set(sums.index) == set(info.index)
    assert lib.fractions["fraction"].between(0, 1).all()


def test_part1_flags(lib):
    part1 = set(lib.info.index[lib.info["part1"]])
    assert part1 == {"dy-metal", "tb-metal", "sm-metal", "gd-metal", "y-metal", "sc-metal", "lu-metal",
                     "smco5", "sm2co17", "dyfe-alloy", "tbfe-alloy", "terfenol-d", "dy2o3", "tb4o7"}
    assert lib.info.loc["sm-metal", "control_code"] == "1C902.a"
    assert lib.info.loc["gd-target", "part_class"] == "sputtering-target"


def test_lookup_case_insensitive_by_key_or_name(lib):
    assert lib.lookup("SmCo5").key == "smco5"
    assert lib.lookup("NDFEB-DY-7.5").fractions["Dy"] == pytest.approx(0.075)
    assert lib.lookup("  yttrium   oxide y2o3 ").key == "y2o3"
    m = lib.lookup("ndfeb-n52")
    assert m.control_code is None and m.part1 is False and m.part_class == "ndfeb-magnet"
    assert lib.resolve(pd.Series(["SMCO5", "nope", None])).tolist()[:1] == ["smco5"]
    assert lib.resolve(pd.Series(["SMCO5", "nope", None])).isna().tolist() == [False, True, True]


def test_unknown_material_lists_valid_names(lib):
    with pytest.raises(UnknownMaterial) as info:
        lib.lookup("smco-5")
    message = str(info.value)
    assert "Did you mean smco5" in message
    assert "ndfeb-dy-7.5" in message and "y2o3" in message
    assert isinstance(info.value, ValueError)


# ------------------------------------------------------------------ user files

def test_user_file_adds_and_overrides(tmp_path, lib):
    user = tmp_path / "mine.toml"
    user.write_text('''
[materials."ndfeb-dy-7.5"]
name = "NdFeB EV grade, supplier cert 2025"
part_class = "ndfeb-magnet"
source = "supplier certificate"
[materials."ndfeb-dy-7.5".wt_percent]
Dy = 6.2
Nd = 24.8
B = 1.0

[materials.acme-magnet]
name = "ACME grade X"
part_class = "ndfeb-magnet"
control_code = "1C904.a"
[materials.acme-magnet.wt_percent]
Terbium = 0.8
''', encoding="utf-8")
    merged = load_materials([user])
    assert _fraction(merged, "ndfeb-dy-7.5", "Dy") == pytest.approx(0.062)
    assert _fraction(merged, "ndfeb-dy-7.5", "Pr") == 0.0          # replaced whole, not merged
    assert merged.info.loc["ndfeb-dy-7.5", "file"] == str(user)
    assert merged.info.loc["ndfeb-dy-7.5", "typical"] == False  # noqa: E712 - numpy bool
    assert merged.lookup("acme grade x").fractions == {"Tb": pytest.approx(0.008)}
    assert len(merged.names()) == len(lib.names()) + 1


@pytest.mark.parametrize("body,message", [
    ('[materials.bad]\nname = "B"\npart_class = "ndfeb-magnet"\n[materials.bad.wt_percent]\nDy = 60\nFe = 50\n',
     "adds up to 110 %"),
    ('[materials.bad]\nname = "B"\npart_class = "ndfeb-magnet"\n[materials.bad.wt_percent]\nXx = 1\n',
     "'Xx' is not an element"),
    ('[materials.bad]\nname = "B"\npart_class = "ndfeb-magnet"\n[materials.bad.wt_percent]\nDy = -1\n',
     "outside 0..100"),
    ('[materials.bad]\nname = "B"\npart_class = "magnet"\nformula = "Dy"\n', "part_class 'magnet'"),
    ('[materials.bad]\nname = "B"\npart_class = "oxide"\nformula = "Dy2Q3"\n', "'Q' is not an element symbol"),
    ('[materials.bad]\nname = "B"\npart_class = "oxide"\n', "exactly one of"),
    ('[materials.bad]\nname = "B"\npart_class = "oxide"\nformula = "Dy"\nwt_pct = 1\n', "unknown field"),
    ('[materials.bad]\nname = "Dysprosium metal"\npart_class = "metal"\nformula = "Dy"\n', "names must be unique"),
    ('[materials.bad-1.5]\nname = "B"\npart_class = "metal"\nformula = "Dy"\n', "quote the key"),
])
def test_validation_errors_name_file_and_key(tmp_path, body, message):
    user = tmp_path / "user.toml"
    user.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_materials([user])
    text = str(info.value)
    assert "user.toml" in text and "key 'bad" in text
    assert message in text


def test_invalid_toml_names_file(tmp_path):
    user = tmp_path / "broken.toml"
    user.write_text("[materials.x\n", encoding="utf-8")
    with pytest.raises(InputError, match="broken.toml.*not valid TOML"):
        load_materials([user])
