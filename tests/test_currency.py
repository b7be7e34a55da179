"""Currency conversion from a user rates file: NaN, never a made-up rate."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from remin.currency import Rates, load_rates, normalize_currencies
from remin.errors import InputError

CSV = """# rates: 1 unit of currency = rate units of base
currency,rate,base,date,source
EUR,1.05,USD,2025-01-31,test
EUR,1.10,USD,2025-06-30,test
CNY,0.14,USD,2025-06-30,test
"""


@pytest.fixture
def rates(tmp_path):
    f = tmp_path / "rates.csv"
    f.write_text(CSV)
    return load_rates(f)


def test_convert_vectorised_with_hand_numbers(rates):
    values = np.array([100.0, 100.0, 100.0, 100.0, 100.0])
    currencies = pd.Series(["EUR", "usd", "RMB", "GBP", None])
    out = rates.convert(values, currencies, "EUR")
    assert out[0] == 100.0  # same currency
    assert out[1] == pytest.approx(100 / 1.10)  # 90.909 EUR
    assert out[2] == pytest.approx(100 * 0.14 / 1.10)  # 12.727 EUR (RMB is CNY)
    assert np.isnan(out[3]) and np.isnan(out[4])  # no GBP rate; no currency at all


def test_missing(rates):
    assert rates.missing(["EUR", "GBP", "usd", None], to="EUR") == {"GBP"}
    assert rates.missing(["EUR", "GBP", "JPY"]) == {"GBP", "JPY"}
    assert rates.missing(["EUR"], to="JPY") == {"EUR"}  # target without a rate


def test_no_rates_file_means_same_currency_only():
    r = load_rates(None)
    out = r.convert(np.array([5.0, 7.0]), ["USD", "EUR"], "USD")
    assert out[0] == 5.0 and np.isnan(out[1])
    assert r.missing(["USD", "EUR"], to="USD") == {"EUR"}
    assert "no exchange rates" in r.describe()


def test_latest_rate_on_or_before_as_of(tmp_path):
    f = tmp_path / "rates.csv"
    f.write_text(CSV)
    assert load_rates(f).rate("EUR") == 1.10
    assert load_rates(f, as_of=dt.date(2025, 3, 1)).rate("EUR") == 1.05
    assert np.isnan(load_rates(f, as_of=dt.date(2025, 3, 1)).rate("CNY"))  # only dated later
    assert np.isnan(load_rates(f, as_of=dt.date(2024, 12, 31)).rate("EUR"))


def test_toml_rates(tmp_path):
    f = tmp_path / "rates.toml"
    f.write_text('base = "EUR"\n[[rates]]\ncurrency = "USD"\nrate = 0.9\ndate = 2025-06-30\n')
    r = load_rates(f)
    assert r.convert(np.array([10.0]), ["USD"], "EUR")[0] == pytest.approx(9.0)


def test_toml_rates_errors_name_key_and_line(tmp_path):
    f = tmp_path / "rates.toml"
    f.write_text('base = "EUR"\n[[rates]]\ncurrency = "USD"\nrat = 0.9\ndate = 2025-06-30\n')
    with pytest.raises(InputError, match="unknown key 'rat'") as e:
        load_rates(f)
    assert (e.value.line, e.value.key) == (4, "rates[0].rat")


@pytest.mark.parametrize("body, line, text", [
    ("EUR,1.1,USD,2025-06-30\nCNY,0.14,EUR,2025-06-30", 3, "one base currency"),
    ("EUR,zero,USD,2025-06-30", 2, "not a positive number"),
    ("EURO-ZONE,1.1,USD,2025-06-30", 2, "not a currency code"),
    ("EUR,1.1,USD,2025-06-30\nEUR,1.2,USD,2025-06-30", 3, "second rate for EUR"),
])
def test_bad_rates_csv(tmp_path, body, line, text):
    f = tmp_path / "rates.csv"
    f.write_text("currency,rate,base,date\n" + body + "\n")
    with pytest.raises(InputError, match=text) as e:
        load_rates(f)
    assert e.value.line == line and e.value.file == f


def test_normalize_currencies():
    out = normalize_currencies(pd.Series([" eur", "RMB", "€", None, ""]))
    assert out.tolist() == ["EUR", "CNY", "EUR", None, None]


def test_rates_object_is_usable_directly():
    r = Rates(base="USD", per_unit={"EUR": 1.25})
    assert r.convert(np.array([8.0]), ["USD"], "EUR")[0] == pytest.approx(8 / 1.25)  # 6.4 EUR
