"""Numbers, prices and flags from cells (remin.numbers)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from remin.numbers import parse_flags, parse_money, parse_numbers


def _one(cell, decimal="."):
    values, bad = parse_numbers(pd.Series([cell], dtype=object), decimal=decimal)
    return values[0], bool(bad[0])


@pytest.mark.parametrize("cell,value", [
    (3, 3.0), (2.5, 2.5), ("12", 12.0), (" 12 ", 12.0), ("+7", 7.0), (".5", 0.5), ("5.", 5.0),
    ("1,234.5", 1234.5), ("1,234,567.25", 1234567.25), ("1 234.5", 1234.5),
    ("1\u00a0234", 1234.0),             # no-break space as thousands separator
    ("1'234.5", 1234.5),                # Swiss apostrophe
    ("12e-3", 0.012), ("1.5E+03", 1500.0),
    ("\u22124", -4.0),                  # typographic minus
    ("12.5-", -12.5),                   # SAP trailing minus
])
def test_numbers_decimal_point(cell, value):
    got, bad = _one(cell)
    assert got == value and not bad


@pytest.mark.parametrize("cell,value", [
    ("1.234,5", 1234.5), ("1 234,5", 1234.5), ("0,5", 0.5), ("1.234.567,8", 1234567.8),
    ("12e-3", 0.012), ("3", 3.0),
])
def test_numbers_decimal_comma(cell, value):
    got, bad = _one(cell, decimal=",")
    assert got == pytest.approx(value, rel=1e-15) and not bad


@pytest.mark.parametrize("cell,decimal", [
    ("abc", "."), ("12 pcs", "."), ("1,5", "."),     # 1,5 is not a thousands group: reported, not guessed
    ("1.5", ","), ("12 3", "."), ("-12-", "."), ("1..2", "."), ("#N/A", "."), ("-", "."),
])
def test_text_that_is_not_a_number_is_bad(cell, decimal):
    got, bad = _one(cell, decimal)
    assert np.isnan(got) and bad


@pytest.mark.parametrize("cell", [None, np.nan, "", "   ", pd.NA])
def test_blank_is_nan_and_not_bad(cell):
    got, bad = _one(cell)
    assert np.isnan(got) and not bad


@pytest.mark.parametrize("cell,value", [("inf", np.inf), ("-Infinity", -np.inf), ("NaN", np.nan),
                                        (float("inf"), np.inf)])
def test_non_finite_literals_are_returned_for_the_caller_to_flag(cell, value):
    got, bad = _one(cell)
    assert not bad
    assert (np.isnan(got) and np.isnan(value)) or got == value


def test_numeric_and_string_columns():
    values, bad = parse_numbers(pd.Series([1, 2, None], dtype="Float64"))
    np.testing.assert_array_equal(values, [1.0, 2.0, np.nan])
    assert not bad.any()
    values, bad = parse_numbers(pd.Series(["1", "x", None], dtype="string"))
    np.testing.assert_array_equal(values, [1.0, np.nan, np.nan])
    assert bad.tolist() == [False, True, False]
    values, bad = parse_numbers(pd.Series([True, False]))     # a yes/no column is not numbers
    assert bad.all() and np.isnan(values).all()
    with pytest.raises(ValueError):
        parse_numbers(pd.Series(["1"]), decimal=";")             # a caller bug


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_repr_of_any_float_reads_back(x):
    assert _one(repr(x)) == (x, False)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_grouped_thousands_read_back_in_both_conventions(whole, cents):
    x = whole + cents / 100                    # e.g. 1234567.89
    assert _one(f"{whole:,}.{cents:02d}")[0] == pytest.approx(x, rel=1e-15)
    european = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    assert _one(european, decimal=",")[0] == pytest.approx(x, rel=1e-15)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=12), st.floats(), st.integers(), st.none()), max_size=20))
def test_parse_numbers_never_raises(cells):
    values, bad = parse_numbers(pd.Series(cells, dtype=object))
    assert values.shape == bad.shape == (len(cells),)
    assert not np.any(bad & ~np.isnan(values))   # a bad cell is never a number


# ---------------------------------------------------------------- money

def test_money_symbols_and_codes():
    cells = pd.Series(["$25.27", "2.79", "£2", "USD 12.5", "12.5 EUR", "-$5", "$-5", "US$ 3",
                       "$5 USD", "CHF 1'234.50", "eur 4", 4.5, None, ""], dtype=object)
    values, currency, bad = parse_money(cells)
    np.testing.assert_array_equal(values, [25.27, 2.79, 2.0, 12.5, 12.5, -5.0, -5.0, 3.0, 5.0,
                                           1234.5, 4.0, 4.5, np.nan, np.nan])
    assert currency.tolist() == ["USD", pd.NA, "GBP", "USD", "EUR", "USD", "USD", "USD", "USD",
                                 "CHF", "EUR", pd.NA, pd.NA, pd.NA]
    assert not bad.any()


def test_money_with_decimal_comma():
    values, currency, bad = parse_money(pd.Series(["€ 3,50", "1.234,56 EUR", "12,5 €"]), decimal=",")
    np.testing.assert_array_equal(values, [3.5, 1234.56, 12.5])
    assert currency.tolist() == ["EUR", "EUR", "EUR"] and not bad.any()


def test_ambiguous_yen_keeps_the_amount_but_not_a_currency():
    # ¥ is both the Japanese yen and the Chinese yuan: reported, never guessed.
    values, currency, bad = parse_money(pd.Series(["¥500", "500 JPY", "RMB 500", "kr 20"]))
    np.testing.assert_array_equal(values, [500.0, 500.0, 500.0, 20.0])
    assert currency.tolist() == [pd.NA, "JPY", "CNY", pd.NA]
    assert bad.tolist() == [True, False, False, True]


def test_unreadable_prices_are_bad_and_nan():
    values, currency, bad = parse_money(pd.Series(["abc", "12 pcs", "$5 EUR", "XYZ 3", "$"]))
    assert np.isnan(values).all() and bad.all() and currency.isna().all()


def test_numeric_price_column_has_no_currency():
    values, currency, bad = parse_money(pd.Series([1.5, 2.0]))
    np.testing.assert_array_equal(values, [1.5, 2.0])
    assert currency.isna().all() and not bad.any()


# ---------------------------------------------------------------- flags

def test_flags():
    cells = pd.Series(["yes", "No", "Y", "n", "TRUE", "false", "x", "1", "0", "ja", "Nein", " X ",
                       1, 0, 1.0, True, False, "", None, "maybe", "2"], dtype=object)
    flags, bad = parse_flags(cells)
    assert str(flags.dtype) == "boolean"
    assert flags.tolist() == [True, False, True, False, True, False, True, True, False, True, False,
                              True, True, False, True, True, False, pd.NA, pd.NA, pd.NA, pd.NA]
    assert bad.tolist() == [False] * 19 + [True, True]


def test_a_flag_column_without_one_known_word_is_all_unknown_and_bad():
    # used to crash: mapping no known word gave an all-NA text column
    flags, bad = parse_flags(pd.Series(["maybe", None, "perhaps"], dtype="string"))
    assert flags.tolist() == [pd.NA, pd.NA, pd.NA]
    assert bad.tolist() == [True, False, True]
