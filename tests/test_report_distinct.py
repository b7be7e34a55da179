"""Report helpers that work per distinct value (remin.whereused, remin.contributions):
the same texts and ranks as the row-by-row versions they replaced, by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd

from remin.contributions import _origin_rank, base_units
from remin.whereused import _element_lists


def test_element_lists_join_present_elements_in_rule_order():
    elements = np.array(["Sm", "Nd", "Dy"], dtype=object)
    has = np.array([[False, True, True], [False, False, False], [True, False, True], [False, True, True]])
    assert _element_lists(has, elements).tolist() == ["Nd, Dy", "", "Sm, Dy", "Nd, Dy"]
    assert _element_lists(np.zeros((2, 0), bool), np.array([], dtype=object)).tolist() == ["", ""]
    assert _element_lists(np.zeros((0, 3), bool), elements).tolist() == []


def test_origin_rank_cn_unknown_other_then_anything_else():
    got = _origin_rank(np.array(["other", "cn", None, "unknown"], dtype=object))
    assert got[:2].tolist() == [2.0, 0.0] and np.isnan(got[2]) and got[3] == 1.0


def test_base_units_per_kind_missing_kind_has_none():
    parts = pd.DataFrame({"base_kind": pd.array(["count", "mass", None, "length", "count"], dtype="string")})
    got = base_units(parts, np.array([4, 1, 2, 3, 0]))
    assert got[[0, 1, 3, 4]].tolist() == ["pcs", "kg", "m", "pcs"] and got[2] != got[2]   # NaN
