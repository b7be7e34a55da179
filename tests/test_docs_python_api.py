"""docs/python-api.md and the README's Python section run as written: every
```python block, in order, in one namespace, from the repository root. The
first block of each is the same five-line what-if."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


def run_blocks(path: Path, monkeypatch) -> dict:
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    monkeypatch.chdir(REPO)
    namespace: dict = {"__name__": "__docs__"}
    for i, code in enumerate(python_blocks(path)):
        exec(compile(code, f"{path.name} block {i + 1}", "exec"), namespace)
    return namespace


def test_five_line_what_if_is_five_lines():
    first = python_blocks(REPO / "docs" / "python-api.md")[0]
    assert len(first.strip().splitlines()) == 5


def test_python_api_doc_runs_as_written(monkeypatch, capsys):
    ns = run_blocks(REPO / "docs" / "python-api.md", monkeypatch)
    out = capsys.readouterr().out
    # the five-line what-if: MAG-N42DY's Chinese Dy (48 x 30.6 g x 4.5 % = 66.096 g) leaves the
    # numerators; EDU-3000 low = (68.189526 - 66.096) g / 79.336109 kg (data/examples/README.md)
    skus = ns["diff"].skus
    assert skus.at["EDU-3000", "mass_share_low_after"] == pytest.approx((68.189526e-3 - 66.096e-3) / 79.336109,
                                                                       rel=1e-6)
    assert skus.at["EDU-3000", "flip"] == "indeterminate → below"
    assert skus.at["ROT-150-A", "flip"] == "above → indeterminate"
    assert "indeterminate → below" in out
    assert "3.3035%" in str(ns["be"])
    assert list(ns["no57"].flipped.index) == []


def test_readme_what_if_runs_as_written(monkeypatch, capsys):
    readme = REPO / "README.md"
    blocks = python_blocks(readme)
    assert blocks, "README.md's Python section has no ```python block"
    assert blocks[0] == python_blocks(REPO / "docs" / "python-api.md")[0]     # one what-if, shown twice
    ns = run_blocks(readme, monkeypatch)
    assert ns["diff"].skus["flip"].tolist() == ["indeterminate → below", "above → indeterminate"]
    assert "indeterminate → below" in capsys.readouterr().out
