"""Shared by the what-if tests (test_scenarios, test_compare, test_sensitivity,
test_api, test_plots): the two-SKU fixture BOM and its hand figures.

tests/fixtures/whatif/two-skus.csv (parent-child CSV, masses in g, element
columns in wt%; Dy and Tb are controlled on AS_OF):

    SKU-A  = 10 x MAG-1 (20 g, Dy 0.75 %, RE origin CN, supplier Ningbo Example Magnets)
           +  4 x MAG-2 (25 g, Dy 0.5 % + Tb 0.25 %, no RE origin, made in DE -> unknown,
                         supplier Magnetfabrik)
           +  2 x MAG-3 (10 g, Dy 4 %, RE origin JP -> other)
           +  1 x HSG-1 (1630 g)
      mass = 200 + 100 + 20 + 1630 = 1950 g
      cn = 10 x 20 x 0.75 % = 1.5 g; unknown = 4 x 25 x 0.75 % = 0.75 g; other = 2 x 10 x 4 % = 0.8 g
      low = 1.5 / 1950 = 0.0769 %, high = 2.25 / 1950 = 0.1154 % -> indeterminate
      the threshold line: 0.001 x 1950 g = 1.95 g
      value = 10 x 2 + 4 x 3 + 2 x 4 + 10 = 50 USD
    SKU-B  = MAG-2 (25 g) + PCB-1 (974.5 g) + SCR-1 (0.5 g) = 1000 g;
      unknown = 25 x 0.75 % = 0.1875 g -> high 0.01875 % -> below; value 3 + 5 + 0.1 = 8.1 USD
"""
from __future__ import annotations

from pathlib import Path

import pytest

import remin

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "whatif" / "two-skus.csv"
AS_OF = "2026-06-01"
G = 1e-3      # kg per g


def approx(x):
    return pytest.approx(x, rel=1e-12, abs=1e-15)


@pytest.fixture(scope="module")
def bom():
    """The fixture BOM as read."""
    return remin.read_bom(FIXTURE)


@pytest.fixture(scope="module")
def a(bom):
    """Its assessment on AS_OF."""
    return remin.assess(bom, as_of=AS_OF)
