"""Paths from SKUs down a BOM graph (remin.treepaths), on graphs small enough to list by hand."""
from __future__ import annotations

import numpy as np

from remin.rollup import build_graph, extended_quantities
from remin.rollup import contains
from remin.treepaths import enumerate_paths

#   A --2--> B --3--> D
#   A --1--> C --4--> D
#            C --1--> E
# Parts: A=0 B=1 C=2 D=3 E=4
NAMES = np.array(["A", "B", "C", "D", "E"], dtype=object)
GRAPH = build_graph(5, np.array([0, 0, 1, 2, 2]), np.array([1, 2, 3, 3, 4]), np.array([2.0, 1.0, 3.0, 4.0, 1.0]))
ALL = np.ones(5, bool)


def paths_of(tree):
    return dict(zip(tree.strings(NAMES), tree.qty))


def test_every_path_with_its_extended_quantity():
    tree = enumerate_paths(GRAPH, np.array([0]), ALL)
    assert paths_of(tree) == {
        "A": 1.0, "A > B": 2.0, "A > C": 1.0,
        "A > B > D": 2.0 * 3.0,     # 2 B per A x 3 D per B
        "A > C > D": 1.0 * 4.0,     # 1 C per A x 4 D per C
        "A > C > E": 1.0,
    }
    assert not tree.truncated


def test_paths_of_a_part_add_up_to_its_extended_quantity():
    tree = enumerate_paths(GRAPH, np.array([0]), ALL)
    x = extended_quantities(GRAPH, 0, np.zeros(5, bool))
    per_part = np.bincount(tree.part, weights=tree.qty, minlength=5)
    np.testing.assert_allclose(per_part, x)   # D: 6 + 4 = 10 per A
    assert per_part[3] == 10.0


def test_enter_prunes_and_stop_does_not_descend():
    no_e = ALL.copy()
    no_e[4] = False
    assert set(paths_of(enumerate_paths(GRAPH, np.array([0]), no_e))) == {"A", "A > B", "A > C", "A > B > D",
                                                                          "A > C > D"}
    stop_c = np.array([False, False, True, False, False])
    assert set(paths_of(enumerate_paths(GRAPH, np.array([0]), ALL, stop_c))) == {"A", "A > B", "A > C",
                                                                                 "A > B > D"}


def test_several_skus_share_one_walk():
    tree = enumerate_paths(GRAPH, np.array([0, 2]), ALL)
    got = {(int(s), p) for s, p in zip(tree.sku, tree.strings(NAMES))}
    assert (1, "C > D") in got and (1, "C > E") in got and (0, "A > C > D") in got
    assert len(tree) == 6 + 3


def test_sum_up_topmost_blocked_and_preorder():
    tree = enumerate_paths(GRAPH, np.array([0]), ALL)
    text = tree.strings(NAMES)
    own = np.where(tree.part == 3, tree.qty, 0.0)          # only D brings something: 1 per D
    tot = dict(zip(text, tree.sum_up(own)))
    assert tot["A"] == 10.0 and tot["A > B"] == 6.0 and tot["A > C"] == 4.0
    flag_c = np.array([False, False, True, False, False])
    top = dict(zip(text, tree.topmost(flag_c)))
    assert text[top["A > C > D"]] == "A > C" and top["A > B > D"] == -1
    blocked = dict(zip(text, tree.blocked(flag_c)))
    assert blocked["A > C > D"] and not blocked["A > C"] and not blocked["A > B > D"]
    assert list(text[tree.preorder()]) == ["A", "A > B", "A > B > D", "A > C", "A > C > D", "A > C > E"]


def test_cycles_are_not_entered_and_the_limit_cuts():
    # X(0) -> Y(1) -> X(0): a cycle; Z(2) -> X
    g = build_graph(3, np.array([0, 1, 2]), np.array([1, 0, 0]), np.ones(3))
    tree = enumerate_paths(g, np.array([2]), np.ones(3, bool))
    assert list(tree.strings(np.array(["X", "Y", "Z"], dtype=object))) == ["Z"]
    cut = enumerate_paths(GRAPH, np.array([0]), ALL, limit=3)
    assert cut.truncated and len(cut) == 3


def test_contains_marks_ancestors():
    flag = np.array([False, False, False, False, True])    # E
    assert list(contains(GRAPH, flag)) == [True, False, True, False, True]
