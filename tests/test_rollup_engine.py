"""The roll-up engine's fast paths give the figures of the plain definition."""
import numpy as np

from remin.rollup import build_graph, contains, extended_matrix, rollup

# A (root) holds 2 B and 5 D; B holds 3 C; E (a second root) holds 4 C.
A, B, C, D, E = range(5)
PARENT = [A, A, B, E]
CHILD = [B, D, C, C]
AMOUNT = [2.0, 5.0, 3.0, 4.0]


def graph():
    return build_graph(5, np.array(PARENT), np.array(CHILD), np.array(AMOUNT))


def test_extended_matrix_entering_only_flagged_parts():
    g = graph()
    stop = np.zeros(5, bool)
    enter = contains(g, np.array([False, False, True, False, False]))   # C and what holds it
    X = extended_matrix(g, np.array([A, E]), stop, enter=enter).toarray()
    # A: 1 A, 2 B, 2 x 3 = 6 C; D is not entered (holds nothing): no row
    assert X[:, 0].tolist() == [1.0, 2.0, 6.0, 0.0, 0.0]
    # E: 1 E, 4 C
    assert X[:, 1].tolist() == [0.0, 0.0, 4.0, 0.0, 1.0]
    full = extended_matrix(g, np.array([A, E]), stop).toarray()
    assert full[:, 0].tolist() == [1.0, 2.0, 6.0, 5.0, 0.0]      # without enter D counts: 5


def test_rollup_of_a_column_selection():
    g = graph()
    wide = np.zeros((5, 4))
    wide[C] = [0.0, 0.5, 9.0, 0.25]
    wide[D] = [0.0, 1.0, 9.0, 0.0]
    own = wide[:, [1, 3]]                        # Fortran-ordered copy
    declared = np.array([False, False, True, True, False])
    tot, _ = rollup(g, own, declared, 0.0, children=False)
    # B = 3 x C; A = 2 x B + 5 x D; E = 4 x C
    assert tot[B].tolist() == [1.5, 0.75]
    assert tot[A].tolist() == [2 * 1.5 + 5 * 1.0, 2 * 0.75]
    assert tot[E].tolist() == [2.0, 1.0]
    assert tot.flags["C_CONTIGUOUS"]


def test_rollup_keeps_a_declared_assembly_figure():
    g = graph()
    own = np.array([np.nan, 7.0, 0.5, 1.0, np.nan])
    tot, children = rollup(g, own, ~np.isnan(own), np.nan)
    assert tot[B, 0] == 7.0 and children[B, 0] == 1.5             # declared 7 wins over 3 x 0.5
    assert tot[A, 0] == 2 * 7.0 + 5 * 1.0
    assert tot[E, 0] == 4 * 0.5
