"""The simple paths taken for small inputs (a 50-line BOM) give what the general paths give."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import remin.numbers as numbers
from remin.compositions import _may_exceed_one, _pairs_by_substance
from remin.countries import to_iso2
from remin.io.sheet import find_header
from remin.numbers import parse_flags, plain_first
from remin.partdata import _at_most_one

CELLS = ["12", " 0.35 ", "+3", "1.", ".5", "1e5", "-2E-3", "1,234.5", "12 g", "abc", "", "  ", None,
         "\u00a012", "1_000", "\u0663", "\t7\n"]


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_plain_numbers_of_a_short_column_as_the_arrow_path_reads_them(monkeypatch, decimal, dtype):
    cells = pd.Series(CELLS, dtype=dtype)
    small = plain_first(cells, decimal)
    monkeypatch.setattr(numbers, "_SMALL", -1)     # force the Arrow path
    arrow = plain_first(cells, decimal)
    np.testing.assert_array_equal(small[0], arrow[0])
    np.testing.assert_array_equal(small[1], arrow[1])


def test_plain_numbers_small_path_values():
    values, rest = plain_first(pd.Series(["12", " 0.35 ", "1,234.5", None, "", 2.5], dtype=object), ".")
    # 12 and 0.35 are plain; "1,234.5" and the number object 2.5 go to the general parser
    np.testing.assert_array_equal(values, [12.0, 0.35, np.nan, np.nan, np.nan, np.nan])
    assert rest.tolist() == [False, False, True, False, False, True]
    values, _ = plain_first(pd.Series(["0,35", "7"], dtype="string"), ",")
    assert values.tolist() == [0.35, 7.0]


def test_a_blank_flag_column_is_unknown_and_not_bad():
    flags, bad = parse_flags(pd.Series([None, None, None], dtype="string"))
    assert flags.dtype == "boolean" and flags.isna().all() and not bad.any()


def test_rows_paired_with_the_element_rows_of_their_substance_in_merge_order():
    rows = np.array(["Dy", "Nd2Fe14B", "x", "Dy"], dtype=object)
    elements = pd.DataFrame({"substance": ["Nd2Fe14B", "Nd2Fe14B", "Nd2Fe14B", "Dy"],
                             "element": ["Nd", "Fe", "B", "Dy"]}).astype(object)
    row_at, element_at = _pairs_by_substance(rows, elements["substance"].to_numpy())
    # row 0 (Dy) -> element row 3; row 1 -> Nd, Fe, B (0, 1, 2); row 2 has none; row 3 -> 3
    assert row_at.tolist() == [0, 1, 1, 1, 3] and element_at.tolist() == [3, 0, 1, 2, 3]
    merged = pd.DataFrame({"substance": rows, "i": range(4)}).merge(elements, on="substance", how="inner")
    assert merged["i"].tolist() == row_at.tolist()
    assert merged["element"].tolist() == elements["element"].to_numpy()[element_at].tolist()


def test_fractions_that_may_exceed_one():
    part = pd.Series(["A", "A", "B", "B", None])
    # A: 0.6 + 0.5 = 1.1 > 1; B: 0.5 + 0.5 = 1.0 is not; a row without a part is not summed
    assert _may_exceed_one(part, np.array([0.6, 0.5, 0.5, 0.5, 3.0]))
    assert not _may_exceed_one(part, np.array([0.6, 0.4, 0.5, 0.5, 3.0]))
    assert not _may_exceed_one(part, np.array([np.nan, np.nan, 0.5, np.nan, np.nan]))


def test_the_header_is_found_when_data_rows_are_not_scored():
    rows = [["Bill of materials"], ["Level", "Part Number", "Qty", "UoM"],
            ["0", "A", "1", "EA"], ["1", "B", "2", "PC"]]
    assert find_header(rows) == 1
    # a row with no more cells than the best score cannot win, however it reads
    assert find_header([["Level", "Part Number", "Qty"], ["Part Number", "Qty"]]) == 0
    # blank cells name no field: a CSV's data row of 4 given and 11 empty cells is skipped
    assert find_header([["Level", "Part Number", "Qty", "UoM", "Description"],
                        ["0", "A", "1", "EA", *[""] * 11], ["Part Number", "Qty", " ", ""]]) == 0


def test_a_single_decimal_mark():
    assert _at_most_one(pd.Series([".", ".", None], dtype="str"))
    assert not _at_most_one(pd.Series([".", ","], dtype="str"))
    assert _at_most_one(pd.Series([], dtype="str"))


def test_a_blank_country_column():
    codes, bad = to_iso2(pd.Series([None, None], dtype="string"))
    assert codes.dtype == "string" and codes.isna().all() and not bad.any()
