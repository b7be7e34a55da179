"""read_bom / run_check ``labels``: files read from one path, shown under another
name (an upload's original name) in inputs, findings and sources."""
from __future__ import annotations

from pathlib import Path

import pytest

from remin.api import run_check
from remin.bom import read_bom
from remin.errors import UsageError

EDU = Path(__file__).resolve().parents[1] / "data" / "examples" / "ev-drive-unit.xlsx"


def test_labels_replace_the_path_everywhere_it_is_shown(tmp_path):
    stored = tmp_path / "input-0.xlsx"
    stored.write_bytes(EDU.read_bytes())
    a = run_check([str(stored)], labels=["Drive unit BOM.xlsx"]).assessment
    assert [(f.path, f.size) for f in a.bom.inputs] == [("Drive unit BOM.xlsx", EDU.stat().st_size)]
    files = {f.source.file for f in a.findings if f.source and f.source.file}
    assert "Drive unit BOM.xlsx" in files                 # (others cite shipped data, e.g. prices)
    assert not any(str(tmp_path) in f for f in files)
    assert set(a.bom.parts["src_file"].dropna()) == {"Drive unit BOM.xlsx"}
    assert str(tmp_path) not in run_check([str(stored)], labels=["x.xlsx"]).render("json")


def test_without_labels_the_path_is_shown():
    bom = read_bom([str(EDU)])
    assert bom.inputs[0].path == str(EDU)
    assert bom.inputs[0].size == EDU.stat().st_size


def test_one_label_per_file():
    with pytest.raises(UsageError, match="2 labels for 1 files"):
        read_bom([str(EDU)], labels=["a.xlsx", "b.xlsx"])
