"""Reading each part's distinct BOM lines only (remin/repeats.py) gives the same parts
and the same findings, row by row, as reading every line."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import remin.numbers as numbers
from remin.bom import read_bom
from remin.numbers import parse_money, parse_numbers
from remin.repeats import differing_lines, first_positions, per_distinct
from remin.units import split_value_unit

HEADER = "Level,Part Number,Description,Qty,UoM,Unit weight,Weight unit,Country of origin\n"


def test_first_positions_of_codes_in_order_of_appearance():
    # codes 0,1,2 first appear at rows 0, 1 and 3
    assert first_positions(np.array([0, 1, 0, 2, 1, 2])).tolist() == [0, 1, 3]
    assert first_positions(np.array([], dtype=np.int64)).tolist() == []


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_a_later_line_is_read_when_a_cell_differs_from_the_parts_first_line(dtype):
    keys = pd.Series(["A", "B", "A", "A", "B", "B"], dtype="string")
    desc = pd.Series(["x", "y", "x", "z", None, "y"], dtype=dtype)
    # row 2 repeats A's first line; row 3 differs (z); row 4 is blank where B's first is y
    assert differing_lines(keys, [desc]).tolist() == [True, True, False, True, True, False]


def test_blank_equals_blank_and_mostly_blank_columns_compare_the_given_cells():
    keys = pd.Series(["A"] * 6, dtype="string")
    origin = pd.Series([None, None, None, None, "CN", None], dtype="string")   # 5 of 6 blank
    assert differing_lines(keys, [origin]).tolist() == [True, False, False, False, True, False]
    given = pd.Series(["CN", "CN", None, "CN", "JP", "CN"], dtype="string")
    assert differing_lines(keys, [given]).tolist() == [True, False, True, False, True, False]


def test_numeric_and_array_columns():
    keys = np.array([0, 0, 1, 1])
    assert differing_lines(keys, [pd.Series([1, 1, 2, 3]), np.array([True, False, False, False])]).tolist() == \
        [True, True, True, True]
    assert differing_lines(keys, [pd.Series([1, 1, 2, 2])]).tolist() == [True, False, True, False]


def test_per_distinct_spreads_the_results_back_with_blanks():
    s = pd.Series([" Motor_Part", None, "motor part", " Motor_Part"], dtype="string", index=[5, 6, 7, 8])
    out = per_distinct(s, lambda u: u.str.strip().str.lower())
    assert out.index.tolist() == [5, 6, 7, 8]
    assert out.tolist() == ["motor_part", pd.NA, "motor part", "motor_part"]


@pytest.mark.parametrize("parser", [parse_numbers, split_value_unit, parse_money])
def test_parsing_distinct_cells_gives_what_parsing_every_cell_gives(parser, monkeypatch):
    cells = pd.Series(["12.5", "3 g", None, "1,234.5", "$4", "abc", "", "7 EUR"] * 5, dtype="string")
    monkeypatch.setattr(numbers, "_DISTINCT_FROM", 10)          # 40 cells, 7 distinct: shared path
    shared = parser(cells, ".")
    monkeypatch.setattr(numbers, "_DISTINCT_FROM", 10**9)       # every cell read
    each = parser(cells, ".")
    for a, b in zip(shared, each):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            pd.testing.assert_series_equal(a, b)
    values = shared[0]
    assert values[0] == 12.5 and np.isnan(values[2])


def test_each_repeated_bad_line_is_reported_and_a_conflict_names_its_row(tmp_path):
    # part B is listed under A1 and A2 (rows 4 and 6 of the file, header = row 1), each
    # time with the unreadable mass 'heavy'; part C is listed three times, the third
    # time (row 8) with another origin.
    f = tmp_path / "bom.csv"
    f.write_text(HEADER +
                 "0,TOP,top,1,EA,,,\n"
                 "1,A1,a1,1,EA,,,\n"
                 "2,B,b,1,EA,heavy,kg,\n"
                 "1,A2,a2,1,EA,,,\n"
                 "2,B,b,1,EA,heavy,kg,\n"
                 "2,C,c,2,EA,5,g,DE\n"
                 "1,C,c,1,EA,5,g,FR\n"
                 "1,C,c,1,EA,5,g,DE\n")
    bom = read_bom(f)
    bad = [x for x in bom.findings if x.code == "not-a-number"]
    assert [(x.part, x.source.row, x.source.column) for x in bad] == \
        [("B", 4, "Unit weight"), ("B", 6, "Unit weight")]
    conflict = [x for x in bom.findings if x.code == "conflicting-part-data" and x.part == "C"]
    assert [(x.source.row, x.source.column) for x in conflict] == [(8, "made_in")]
    assert "DE, FR" in conflict[0].message
    assert bom.parts.loc["C", "made_in"] == "DE"                  # the first line wins
    assert bom.parts.loc["C", "mass_kg"] == pytest.approx(0.005)   # 5 g = 0.005 kg per piece
    assert np.isnan(bom.parts.loc["B", "mass_kg"])
    assert bom.parts.index.tolist() == ["TOP", "A1", "B", "A2", "C"]


def test_text_columns_together_blank_differs_from_empty_and_columns_do_not_mix():
    keys = np.array([0, 0, 0, 1, 1])
    a = pd.Series(["x", None, "x", "", None], dtype="string")   # row 1: NA vs 'x'; row 4: NA vs ''
    b = pd.Series(["yz", "yz", "y", None, None], dtype="str")   # row 2: 'y' vs 'yz'
    # row 0 and 3 are their key's first; rows 1, 2 and 4 differ in one column each
    assert differing_lines(keys, [a, b]).tolist() == [True, True, True, True, True]
    # the same cells moved between columns: 'x'+'yz' is not 'xy'+'z'
    c = pd.Series(["x", "xy"], dtype="string")
    d = pd.Series(["yz", "z"], dtype="string")
    assert differing_lines(np.array([0, 0]), [c, d]).tolist() == [True, True]
    # equal cells, and NA equal to NA, in Arrow slices of a longer column
    e = pd.Series(["q", "p", None, "p", None], dtype="string").iloc[1:].reset_index(drop=True)
    assert differing_lines(np.array([0, 1, 0, 1]), [e]).tolist() == [True, True, False, False]


def test_more_text_columns_than_bits_in_a_word():
    # column 0 is NA on row 0, column 64 on row 1: both rows have one NA, in different columns
    cols = [pd.Series(["a", "a"], dtype="string") for _ in range(70)]
    cols[0] = pd.Series([None, ""], dtype="string")
    cols[64] = pd.Series(["", None], dtype="string")
    assert differing_lines(np.array([0, 0]), cols).tolist() == [True, True]
    cols[64] = pd.Series(["", ""], dtype="string")
    cols[0] = pd.Series([None, None], dtype="string")
    assert differing_lines(np.array([0, 0]), cols).tolist() == [True, False]
