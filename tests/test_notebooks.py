"""The what-if notebooks run green on the bundled examples, each shows a plot,
and they are committed exactly as notebooks/make_notebooks.py writes them
(no outputs, no execution counts)."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import nbclient      # the 'notebooks' extra, which the 'test' extra includes
import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NAMES = ("01-quickstart", "02-supplier-switch", "03-portfolio-screening")


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_as_generated_without_outputs(name):
    committed = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: clear the outputs"
    generated = _generator().notebook(_generator().NOTEBOOKS[name])
    assert [c.source for c in committed.cells] == [c.source for c in generated.cells], \
        f"{name}.ipynb differs from make_notebooks.py: rerun python notebooks/make_notebooks.py"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_shows_a_plot(name, monkeypatch):
    # the kernel imports this checkout's remin and draws inline (not with a test backend)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()        # raises CellExecutionError, with the cell and traceback, on any error
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, f"{name} shows no plot"
