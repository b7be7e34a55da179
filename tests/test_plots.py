"""remin.plots draws the numbers it is given: bar heights, interval ends and the
threshold line are checked against the hand figures (tests/whatif_fixture.py),
in percent of the SKU's mass."""
from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import remin  # noqa: E402
from whatif_fixture import AS_OF, a, bom  # noqa: E402,F401 (fixtures)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def approx(x):
    return pytest.approx(x, rel=1e-9)


def segments(collection):
    """[(x0, x1, y)] of a LineCollection of horizontal lines."""
    return [(s[0][0], s[1][0], s[0][1]) for s in collection.get_segments()]


def test_pareto_bars_and_cumulative_line(a):
    ax = remin.plots.pareto(a, "SKU-A")
    # contributors ordered by cn, then unknown: MAG-1 (cn 1.5 g), MAG-2 (unknown 0.75 g), MAG-3 (other 0.8 g)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["MAG-1", "MAG-2", "MAG-3"]
    heights = np.array([p.get_height() for p in ax.patches]).reshape(3, 3)   # rows: cn, unknown, other
    assert heights[0].tolist() == [approx(1.5 / 1950 * 100), 0, 0]
    assert heights[1].tolist() == [0, approx(0.75 / 1950 * 100), 0]
    assert heights[2].tolist() == [0, 0, approx(0.8 / 1950 * 100)]
    cumulative = [l for l in ax.lines if l.get_marker() == "o"][0].get_ydata()
    assert cumulative.tolist() == [approx(1.5 / 19.5), approx(2.25 / 19.5), approx(2.25 / 19.5)]
    threshold = [l for l in ax.lines if l.get_linestyle() == "--"][0]
    assert threshold.get_ydata()[0] == approx(0.1)


def test_shares_draws_each_interval(a):
    ax = remin.plots.shares(a)
    (a_seg, b_seg) = sorted(segments(ax.collections[0]), key=lambda s: -s[2])     # SKU-A on top
    assert a_seg[:2] == (approx(1.5 / 19.5), approx(2.25 / 19.5))
    assert b_seg[:2] == (0, approx(0.1875 / 10))
    labels = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))
    assert (labels[a_seg[2]], labels[b_seg[2]]) == ("SKU-A", "SKU-B")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["indeterminate", "below", "threshold 0.1 %"]
    assert [l for l in ax.lines if l.get_linestyle() == "--"][0].get_xdata()[0] == approx(0.1)


def test_comparison_plot(bom, a):
    c = remin.compare(a, remin.assess(bom.with_origin("MAG-1", "JP"), as_of=AS_OF))
    ax = c.plot()
    before, after = segments(ax.collections[0]), segments(ax.collections[2])
    top = lambda segs: max(segs, key=lambda s: s[2])          # SKU-A is drawn on top
    assert top(before)[:2] == (approx(1.5 / 19.5), approx(2.25 / 19.5))
    assert top(after)[:2] == (0, approx(0.75 / 19.5))
    assert "SKU-A  (indeterminate → below)" in [t.get_text() for t in ax.get_yticklabels()]
    assert any("MAG-1: RE origin JP" in t.get_text() for t in ax.get_legend().get_texts())


def test_plots_draw_on_a_given_axes(a):
    fig, axes = plt.subplots(1, 2)
    assert remin.plots.shares(a, ax=axes[0]) is axes[0]
    assert remin.plots.pareto(a, "SKU-B", ax=axes[1]) is axes[1]
