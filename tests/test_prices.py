"""Reference price table: shipped figures, date choice, currency, bad files."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from remin.currency import load_rates
from remin.errors import InputError
from remin.prices import ESTIMATE_LABEL, load_prices

TWELVE = ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y", "Ho", "Er", "Tm", "Eu", "Yb"]


def test_shipped_table_covers_all_twelve_controlled_elements():
    t = load_prices(as_of=dt.date(2026, 11, 22))
    prices = t.price_per_kg(TWELVE)
    assert prices.notna().all() and (prices > 0).all()
    assert t.currency == "USD"
    assert set(t.current.loc[TWELVE, "basis"]) == {"element contained"}
    assert ESTIMATE_LABEL in t.describe()


def test_shipped_dy_and_tb_are_range_midpoints_per_kg_element():
    prices = load_prices(as_of=dt.date(2026, 1, 15)).price_per_kg(["Dy", "Tb"])
    # Dy2O3 220-1000 USD/kg -> midpoint 610 USD/kg oxide; Dy is 0.8713 of Dy2O3 by mass
    assert (220 + 1000) / 2 / 0.8713 == pytest.approx(700.1, abs=0.1)
    assert prices["Dy"] == 700  # rounded to 2 significant figures
    # Tb4O7 900-4000 -> 2450 / 0.8502 = 2881.7 -> 2900
    assert (900 + 4000) / 2 / 0.8502 == pytest.approx(2881.7, abs=0.1)
    assert prices["Tb"] == 2900


def test_no_price_before_the_first_date_and_for_unlisted_elements():
    t = load_prices(as_of=dt.date(2024, 12, 31))  # shipped rows are dated 2025-01-01
    assert np.isnan(t.price_per_kg(["Dy"])["Dy"])
    assert t.missing(["Dy", "Nd"]) == {"Dy", "Nd"}
    assert load_prices(as_of=dt.date(2025, 6, 1)).missing(["Dy", "Nd"]) == {"Nd"}


USER = """# my prices
element,basis,price_per_kg,currency,date,source
Dy,element contained,650,USD,2025-01-01,quote A
Dy,element contained,800,USD,2025-10-01,quote B
dy,element contained,900,USD,2026-03-01,quote C
Tb,element contained,2500,EUR,2025-01-01,quote D
"""


def test_latest_row_on_or_before_as_of(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(USER)
    assert load_prices(f, as_of=dt.date(2025, 9, 30)).price_per_kg(["Dy"])["Dy"] == 650
    assert load_prices(f, as_of=dt.date(2025, 10, 1)).price_per_kg(["Dy"])["Dy"] == 800
    assert load_prices(f, as_of=dt.date(2026, 3, 1)).price_per_kg(["Dy"])["Dy"] == 900  # "dy" -> Dy
    assert load_prices(f).price_per_kg(["Dy"])["Dy"] == 900  # no date: latest


def test_mixed_currencies_need_a_target(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text(USER)
    t = load_prices(f, as_of=dt.date(2025, 6, 1))
    assert t.currency is None
    with pytest.raises(InputError, match="several currencies"):
        t.price_per_kg(["Dy", "Tb"])
    rates_file = tmp_path / "r.csv"
    rates_file.write_text("currency,rate,base,date\nEUR,1.10,USD,2025-05-30\n")
    usd = t.price_per_kg(["Dy", "Tb"], to="USD", rates=load_rates(rates_file))
    assert usd["Dy"] == 650
    assert usd["Tb"] == pytest.approx(2500 * 1.10)  # 2750 USD
    no_rates = t.price_per_kg(["Dy", "Tb"], to="USD")
    assert no_rates["Dy"] == 650 and np.isnan(no_rates["Tb"])  # never a made-up rate


def test_semicolon_file_with_decimal_commas(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("element;basis;price_per_kg;currency;date\nSm;element contained;2,9;USD;2025-01-01\n")
    assert load_prices(f).price_per_kg(["Sm"])["Sm"] == pytest.approx(2.9)


@pytest.mark.parametrize("row, line, column, text", [
    ("Nd2,element contained,10,USD,2025-01-01", 3, "element", "not a rare-earth element"),
    ("Dy,element contained,-5,USD,2025-01-01", 3, "price_per_kg", "not a positive number"),
    ("Dy,element contained,cheap,USD,2025-01-01", 3, "price_per_kg", "not a positive number"),
    ("Dy,element contained,5,US Dollar,2025-01-01", 3, "currency", "not a currency code"),
    ("Dy,element contained,5,USD,01.01.2025", 3, "date", "YYYY-MM-DD"),
    ("Dy,oxide,5,USD,2025-01-01", 3, "basis", "not supported"),
])
def test_bad_cells_name_file_line_and_column(tmp_path, row, line, column, text):
    f = tmp_path / "p.csv"
    f.write_text(f"# comment\nelement,basis,price_per_kg,currency,date\n{row}\n")
    with pytest.raises(InputError, match=text) as e:
        load_prices(f)
    assert (e.value.file, e.value.line, e.value.column) == (f, line, column)


def test_duplicate_element_and_date(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("element,price_per_kg,currency,date\nDy,5,USD,2025-01-01\nDy,6,USD,2025-01-01\n")
    with pytest.raises(InputError, match="second price for Dy") as e:
        load_prices(f)
    assert e.value.line == 3
