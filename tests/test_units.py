"""Unit table, unit parsing and vectorised conversion (remin.units)."""
from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remin.paths import data_path
from remin.units import (KINDS, MISSING, Converted, header_unit, parse_unit, split_value_unit,
                         to_base, unit_codes, unit_table)

LB = 0.45359237          # kg, exact by definition
OZ = LB / 16             # avoirdupois ounce = 0.028349523125 kg
FT = 0.3048              # m
IN = 0.0254              # m


def _csv_rows():
    with open(data_path("units.csv"), encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines))


# ---------------------------------------------------------------- the table

def test_every_table_row_reads_as_its_declared_kind_in_any_case():
    rows = _csv_rows()
    assert len(rows) == len(unit_codes()) > 150
    for row in rows:
        for spelling in (row["code"], row["code"].lower(), f"  {row['code']}  "):
            info = parse_unit(spelling)
            if row["kind"] == "refused":
                assert info.kind is None and row["note"] in info.error, spelling
            else:
                assert info.kind == row["kind"], spelling
                assert info.factor > 0


@pytest.mark.parametrize("code,kind,factor", [
    # Rec 20 codes
    ("KGM", "mass", 1.0), ("GRM", "mass", 1e-3), ("MGM", "mass", 1e-6), ("MC", "mass", 1e-9),
    ("LBR", "mass", LB), ("ONZ", "mass", OZ), ("TNE", "mass", 1000.0),
    ("STN", "mass", 2000 * LB), ("LTN", "mass", 2240 * LB),
    ("MTR", "length", 1.0), ("MMT", "length", 1e-3), ("CMT", "length", 1e-2),
    ("KTM", "length", 1000.0), ("KMT", "length", 1000.0), ("INH", "length", IN), ("FOT", "length", FT),
    ("MTK", "area", 1.0), ("FTK", "area", FT * FT), ("MTQ", "volume", 1.0),
    ("LTR", "volume", 1e-3), ("MLT", "volume", 1e-6),
    ("H87", "count", 1.0), ("C62", "count", 1.0), ("EA", "count", 1.0), ("PCE", "count", 1.0),
    ("NAR", "count", 1.0), ("SET", "count", 1.0), ("PR", "count", 2.0), ("DZN", "count", 12.0),
    # ERP spellings
    ("KG", "mass", 1.0), ("Kg", "mass", 1.0), ("kgs", "mass", 1.0), ("G", "mass", 1e-3),
    ("GR", "mass", 1e-3), ("GM", "mass", 1e-3), ("MG", "mass", 1e-6), ("lb", "mass", LB),
    ("LBS", "mass", LB), ("OZ", "mass", OZ), ("T", "mass", 1000.0), ("TO", "mass", 1000.0),
    ("MT", "mass", 1000.0), ("tonne", "mass", 1000.0),
    ("PC", "count", 1.0), ("PCS", "count", 1.0), ("ST", "count", 1.0), ("St.", "count", 1.0),
    ("STK", "count", 1.0), ("Stk", "count", 1.0), ("Stück", "count", 1.0), ("each", "count", 1.0),
    ("piece", "count", 1.0), ("Pieces", "count", 1.0), ("pce", "count", 1.0), ("unit", "count", 1.0),
    ("units", "count", 1.0),
    ("M", "length", 1.0), ("MM", "length", 1e-3), ("CM", "length", 1e-2), ("FT", "length", FT),
    ("IN", "length", IN), ("M2", "area", 1.0), ("m²", "area", 1.0), ("mm2", "area", 1e-6),
    ("M3", "volume", 1.0), ("cm3", "volume", 1e-6), ("L", "volume", 1e-3), ("ml", "volume", 1e-6),
    # pint fallback for plain names (table misses them)
    ("kilograms", "mass", 1.0), ("µg", "mass", 1e-9), ("mi", "length", 1609.344),
    ("ft²", "area", FT * FT), ("in3", "volume", IN ** 3),
])
def test_unit_codes_and_spellings(code, kind, factor):
    info = parse_unit(code)
    assert info.kind == kind and info.error is None
    assert info.factor == pytest.approx(factor, rel=1e-12)


def test_pound_and_ounce_are_exact():
    # pint's chain of definitions leaves 0.4535923700000001; remin trims it.
    assert parse_unit("lb").factor == 0.45359237
    assert parse_unit("oz").factor == 0.028349523125


@pytest.mark.parametrize("text,pint_reading", [
    ("G", "gauss"), ("gr", "grain: 64.79891 mg"), ("ton", "short ton: 907.18474 kg"),
    ("T", "tesla"), ("pc", "parsec"), ("PCS", "parsec"), ("st", "stone"), ("Mg", "megagram"),
])
def test_pint_traps_are_closed(text, pint_reading):
    info = parse_unit(text)
    expected = {"G": 1e-3, "gr": 1e-3, "ton": 1000.0, "T": 1000.0, "pc": 1.0, "PCS": 1.0,
                "st": 1.0, "Mg": 1e-6}[text]
    assert info.kind in ("mass", "count"), pint_reading
    assert info.factor == expected, pint_reading


@pytest.mark.parametrize("text", ["CT", "PT", "MIL", "ppt", "DR", "PK"])
def test_ambiguous_codes_are_refused_not_guessed(text):
    info = parse_unit(text)
    assert info.kind is None and math.isnan(info.factor)
    assert text in info.error


@pytest.mark.parametrize("text", ["PL", "GL", "Pa", "s", "mol", "xyz", "BUn", "1", "mil", "vol%",
                                  "60", "g/s", "m/m", "g/m/s", "/m", "g/", "a" * 60, "2**99999", "kg/0 pcs"])
def test_units_remin_does_not_use_are_unknown_with_a_reason(text):
    info = parse_unit(text)
    assert info.kind is None and math.isnan(info.factor)
    assert f"'{text[:40]}" in info.error          # names what it could not read
    assert "expect" in info.error or "ambiguous" in info.error   # and says what would do


@pytest.mark.parametrize("text,factor", [
    ("%", 0.01), ("wt%", 0.01), ("wt.%", 0.01), ("WT %", 0.01), ("mass%", 0.01), ("m%", 0.01),
    ("ppm", 1e-6), ("ppmw", 1e-6), ("ppb", 1e-9), ("fraction", 1.0), ("mg/kg", 1e-6),
    ("g/kg", 1e-3), ("µg/g", 1e-6), ("g/t", 1e-6), ("lb/lb", 1.0),
])
def test_mass_fractions(text, factor):
    info = parse_unit(text)
    assert info.kind == "fraction"
    assert info.factor == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize("text,kind,factor", [
    ("g/m", "mass_per_length", 0.001),              # 1 g per m = 0.001 kg/m
    ("kg/km", "mass_per_length", 1 / 1000),         # 1 kg per 1000 m
    ("g/km", "mass_per_length", 0.001 / 1000),      # 1e-6 kg/m
    ("lb/ft", "mass_per_length", LB / FT),          # 1.48816394356955 kg/m
    ("g per m", "mass_per_length", 0.001),
    ("g/pc", "mass_per_count", 0.001), ("g/EA", "mass_per_count", 0.001),
    ("kg/1000 pcs", "mass_per_count", 1 / 1000),
    ("g/m2", "mass_per_area", 0.001), ("GSM", "mass_per_area", 0.001),
    ("g/cm3", "mass_per_volume", 0.001 / 1e-6),    # 1000 kg/m3
    ("kg/m³", "mass_per_volume", 1.0),
])
def test_mass_per_units(text, kind, factor):
    info = parse_unit(text)
    assert info.kind == kind
    assert info.factor == pytest.approx(factor, rel=1e-12)


def test_g_per_m_equals_kg_per_km():
    assert parse_unit("g/m").factor == pytest.approx(parse_unit("kg/km").factor, rel=1e-15)


@pytest.mark.parametrize("blank", ["", "   ", None, float("nan"), pd.NA])
def test_blank_unit_is_missing(blank):
    info = parse_unit(blank)
    assert info.kind == MISSING and math.isnan(info.factor) and info.error == "no unit"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_parse_unit_never_raises(text):
    info = parse_unit(text)
    assert info.kind in (*KINDS, MISSING, None)
    assert (info.kind in KINDS) == (info.error is None)
    assert (info.kind in KINDS) != math.isnan(info.factor)


_KNOWN = ["g", "kg", "lb", "oz", "t", "EA", "PR", "DZN", "m", "mm", "ft", "m2", "L", "%", "ppm",
          "g/m", "lb/ft", "g/pc", "kg/1000 pcs", "g/cm3"]


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.sampled_from(_KNOWN))
def test_converting_then_dividing_by_the_factor_gives_the_value_back(x, unit):
    out = to_base([x], [unit])
    assert out.values[0] / parse_unit(unit).factor == pytest.approx(x, rel=1e-12, abs=1e-300)


# ---------------------------------------------------------------- to_base and unit_table

def test_to_base_parses_each_distinct_unit_once_on_a_million_values():
    n = 1_000_000
    rng = np.random.default_rng(7)
    names = np.array(["g", "KG", "lb", "GR", "oz"], dtype=object)
    units = names[rng.integers(0, 5, n)]
    values = rng.random(n)
    parse_unit.cache_clear()
    out = to_base(values, units, allowed={"mass"})
    info = parse_unit.cache_info()
    assert info.misses == 5 and info.hits == 0       # five calls in all, not a million
    factor = {"g": 1e-3, "KG": 1.0, "lb": LB, "GR": 1e-3, "oz": OZ}
    expected = values * pd.Series(units).map(factor).to_numpy(dtype=float)
    np.testing.assert_allclose(out.values, expected, rtol=1e-15)
    assert not out.bad.any()
    assert out.values.dtype == np.float64 and out.bad.dtype == bool


def test_to_base_values_kinds_and_reasons():
    out = to_base([250, 2, 3, np.nan, 5, 1.5], ["g", "m", "xyz", None, None, "LB"], allowed={"mass"})
    assert isinstance(out, Converted)
    # 250 g = 0.25 kg; 1.5 lb = 1.5 * 0.45359237 = 0.680388555 kg
    np.testing.assert_allclose(out.values[[0, 5]], [0.25, 0.680388555], rtol=1e-15)
    assert np.isnan(out.values[1:5]).all()
    assert out.bad.tolist() == [False, True, True, False, True, False]
    assert out.kind.tolist() == ["mass", "length", None, MISSING, MISSING, "mass"]
    assert out.reason[1] == "expected a mass unit (g, kg, lb…), got 'm' (a length)"
    assert out.reason[2].startswith("unknown unit 'xyz': expected a count")
    assert out.reason[3] is None            # no value and no unit: nothing to report here
    assert out.reason[4] == "no unit"
    assert out.reason[0] is None and out.reason[5] is None


def test_to_base_several_allowed_kinds_and_the_default():
    out = to_base([3, 2, 500], [None, " ", "mm"], allowed=["count", "length"], default="EA")
    # 3 EA = 3 pieces, 2 EA = 2 pieces, 500 mm = 0.5 m
    np.testing.assert_allclose(out.values, [3.0, 2.0, 0.5])
    assert out.kind.tolist() == ["count", "count", "length"]
    bad = to_base([1.0], ["kg"], allowed=["count", "length"])
    assert bad.reason[0] == ("expected a count or a length unit (EA, PCE, ST…; m, mm, ft…), "
                             "got 'kg' (a mass)")


def test_to_base_unknown_default_is_reported_not_raised():
    out = to_base([1.0, 2.0], [None, "g"], default="BOX")
    assert out.bad.tolist() == [True, False]
    assert out.reason[0].startswith("default unit 'BOX': unknown unit 'BOX'")


def test_to_base_one_unit_for_a_column_and_nullable_values():
    out = to_base(pd.Series([1.0, None, 2.5], dtype="Float64"), "g")
    np.testing.assert_allclose(out.values, [0.001, np.nan, 0.0025])
    assert not out.bad.any()
    assert to_base([1.0], None).reason[0] == "no unit"
    with pytest.raises(ValueError):
        to_base([1.0, 2.0], ["g"])      # a caller bug, not user input


def test_unit_table_one_row_per_distinct_string():
    table = unit_table(pd.Series(["g", "G", None, "", "xyz", "g", "g/m"]))
    assert table["unit"].tolist()[:5] == ["g", "G", "", "xyz", "g/m"]
    assert pd.isna(table["unit"].iloc[5])
    assert table["kind"].tolist() == ["mass", "mass", MISSING, None, "mass_per_length", MISSING]
    np.testing.assert_allclose(table["factor"].to_numpy(dtype=float)[[0, 1, 4]], [1e-3, 1e-3, 1e-3])
    assert list(table.columns) == ["unit", "kind", "factor", "canonical", "error"]
    assert table.loc[3, "error"].startswith("unknown unit 'xyz'")


# ---------------------------------------------------------------- headers and cells

@pytest.mark.parametrize("header,expected", [
    ("Unit weight (g)", ("Unit weight", "g")),
    ("Dy [wt%]", ("Dy", "wt%")),
    ("Dy wt%", ("Dy", "wt%")),
    ("Sm ppm", ("Sm", "ppm")),
    ("Dysprosium (ppm)", ("Dysprosium", "ppm")),
    ("Tb (g)", ("Tb", "g")),
    ("  Net weight [KG] ", ("Net weight", "KG")),
    ("Weight in kg", ("Weight", "kg")),
    ("Weight, kg", ("Weight", "kg")),
    ("Length [mm]", ("Length", "mm")),
    ("Qty (EA)", ("Qty", "EA")),
    ("Comp. Qty (BUn)", ("Comp. Qty (BUn)", None)),   # BUn is SAP's "base unit", not a unit
    ("Price (USD)", ("Price (USD)", None)),
    ("Made in", ("Made in", None)),                   # "in" as a bare word is never split off
    ("Class T", ("Class T", None)),                   # single letters only in brackets
    ("Unit weight", ("Unit weight", None)),
    ("(g)", ("(g)", None)),
])
def test_header_unit(header, expected):
    assert header_unit(header) == expected


def test_split_value_unit_with_decimal_point():
    cells = pd.Series(["120 g/m", "0.5 kg", "12", None, "", "abc", "1,234.5 kg", 7.5, "12e-3 g",
                       ".5g", "g/m", "12 3 g"], dtype=object)
    values, units, bad = split_value_unit(cells)
    np.testing.assert_allclose(values, [120, 0.5, 12, np.nan, np.nan, np.nan, 1234.5, 7.5, 0.012,
                                        0.5, np.nan, np.nan])
    assert units.tolist()[:3] == ["g/m", "kg", pd.NA]
    assert units[6] == "kg" and units[8] == "g" and units[9] == "g"
    assert pd.isna(units[7])
    assert bad.tolist() == [False, False, False, False, False, True, False, False, False, False, True, True]


def test_split_value_unit_with_decimal_comma_and_numeric_cells():
    values, units, bad = split_value_unit(pd.Series(["0,5 kg", "1.234,5 g", "2 Stk"]), decimal=",")
    np.testing.assert_allclose(values, [0.5, 1234.5, 2.0])
    assert units.tolist() == ["kg", "g", "Stk"] and not bad.any()
    values, units, bad = split_value_unit(pd.Series([1.0, None, 3.0]))
    np.testing.assert_allclose(values, [1.0, np.nan, 3.0])
    assert units.isna().all() and not bad.any()


def test_split_then_convert_a_column_of_unit_masses():
    values, units, bad = split_value_unit(pd.Series(["120 g/m", "0.3 kg/km", "2 lb/ft"]))
    out = to_base(values, units, allowed={"mass_per_length"})
    # 120 g/m = 0.12 kg/m; 0.3 kg/km = 0.0003 kg/m; 2 lb/ft = 2 * 0.45359237 / 0.3048 kg/m
    np.testing.assert_allclose(out.values, [0.12, 0.0003, 2 * LB / FT], rtol=1e-12)
