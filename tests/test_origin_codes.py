"""Origin classes as codes, and per-part origin shares, on hand-made parts."""
import numpy as np
import pandas as pd

from remin.origins import CN, OTHER, UNKNOWN, origin_class, origin_codes, part_origin_class
from remin.valuetest import item_origin_shares

PARTS = pd.DataFrame({"re_origin": ["JP", None, None, "CN"], "made_in": ["CN", "CN", "DE", None]},
                     index=pd.Index(["a", "b", "c", "d"], name="part"))


def test_part_origin_class_rare_earth_origin_then_made_in_china_then_unknown():
    # a: re_origin JP wins over made in CN; b: made in CN; c: nothing -> unknown; d: CN
    assert part_origin_class(PARTS).tolist() == ["other", "cn", "unknown", "cn"]


def test_row_origin_wins_and_unknown_parts_are_unknown():
    comp = pd.DataFrame({"part": ["a", "b", "c", "zz", "c"], "origin": [None, "US", None, None, "CN"]})
    assert origin_codes(comp, PARTS).tolist() == [OTHER, OTHER, UNKNOWN, UNKNOWN, CN]
    # the caller's positions give the same codes
    assert origin_codes(comp, PARTS, positions=np.array([0, 1, 2, -1, 2])).tolist() == [OTHER, OTHER, UNKNOWN,
                                                                                        UNKNOWN, CN]
    assert origin_class(comp, PARTS).tolist() == ["other", "other", "unknown", "unknown", "cn"]


def test_item_origin_shares_split_by_content_else_the_part_as_a_whole():
    own = np.zeros((4, 6))                      # two elements x (cn, other, unknown)
    own[1] = [0.5, 0.0, 0.125, 0.25, 0.0, 0.125]   # b: 0.75 cn + 0.25 unknown over 1 -> 3/4, 0, 1/4
    shares = item_origin_shares(PARTS, own)
    assert shares[1].tolist() == [0.75, 0.0, 0.25]
    assert shares[[0, 2, 3]].tolist() == [[0, 1, 0], [0, 0, 1], [1, 0, 0]]   # other, unknown, cn


def test_item_origin_shares_without_any_content():
    shares = item_origin_shares(PARTS, np.zeros((4, 6)))
    assert shares.tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 0, 0]]
    assert item_origin_shares(PARTS, np.zeros((4, 0))).sum() == 4.0
