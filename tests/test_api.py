"""The public Python API: lazy names on the package, assess() options, the
library hook, Assessment.contributors / explain / to_excel, example_path.
Fixture and hand figures: tests/whatif_fixture.py."""
from __future__ import annotations

import datetime
import importlib
import subprocess
import sys
import types
from pathlib import Path

import pytest

import remin
from whatif_fixture import AS_OF, FIXTURE, G, approx, bom  # noqa: F401 (fixture)
from remin.errors import UsageError

REPO = Path(__file__).resolve().parents[1]


def test_import_remin_is_light():
    code = "import sys, remin; assert 'pandas' not in sys.modules and 'remin.assess' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_every_public_name_resolves():
    for name in remin.__all__:
        assert getattr(remin, name) is not None, name
    assert set(remin.__all__) <= set(dir(remin))
    with pytest.raises(AttributeError):
        remin.no_such_thing


def test_functions_are_not_hidden_by_modules_of_the_same_name():
    # importing the engine modules (as the CLI does) must not turn remin.assess into a module
    for name in ("assess", "compare", "sensitivity"):
        importlib.import_module(f"remin.{name}")
        assert callable(getattr(remin, name)), name
    assert remin.assess is importlib.import_module("remin.api").assess
    assert remin.compare is importlib.import_module("remin.compare").compare
    from remin import assess
    assert assess is remin.assess


def test_fresh_interpreter_engine_module_first():
    code = ("import remin.assess, remin.compare, remin; "
            "assert callable(remin.assess) and callable(remin.compare), (remin.assess, remin.compare)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_assess_takes_dates_as_text_or_date(bom):
    a = remin.assess(bom, as_of="2026-06-01")
    b = remin.assess(bom, as_of=datetime.date(2026, 6, 1))
    assert a.rules.as_of == b.rules.as_of == datetime.date(2026, 6, 1)
    with pytest.raises(UsageError, match="not a date"):
        remin.assess(bom, as_of="1 June 2026")


def test_assess_skus_and_contributors(bom):
    a = remin.assess(bom, as_of=AS_OF, skus=["SKU-B"])
    assert list(a.skus.index) == ["SKU-B"]
    c = remin.assess(bom, as_of=AS_OF).contributors("SKU-A")
    # MAG-1 10 x 20 g x 0.75 % = 1.5 g cn; MAG-2 4 x 25 g x 0.75 % = 0.75 g unknown; MAG-3 0.8 g other
    assert c.at["MAG-1", "extended_qty"] == 10
    assert c.at["MAG-1", "cn_kg"] == approx(1.5 * G)
    assert c.at["MAG-2", "unknown_kg"] == approx(0.75 * G)
    assert c.at["MAG-2", "Tb_unknown_kg"] == approx(4 * 25 * 0.0025 * G)
    assert c.at["MAG-3", "other_kg"] == approx(0.8 * G)
    assert c[["cn_kg", "other_kg", "unknown_kg"]].to_numpy().sum() == approx((1.5 + 0.75 + 0.8) * G)


def test_library_goes_through_the_library_hook(bom, monkeypatch):
    seen = {}

    def apply_library(b, library):
        seen["args"] = (b, library)
        return b.with_origin("MAG-1", "JP")          # as if the library declared JP origin

    fake = types.ModuleType("remin.library")
    fake.apply_library = apply_library
    monkeypatch.setitem(sys.modules, "remin.library", fake)
    a = remin.assess(bom, as_of=AS_OF, library="parts.db")
    assert seen["args"] == (bom, "parts.db")
    assert a.results.at["SKU-A", "mass_share_high"] == approx(0.75 / 1950)


def test_library_without_a_hook_says_so(bom, monkeypatch):
    monkeypatch.setitem(sys.modules, "remin.library", types.ModuleType("remin.library"))
    with pytest.raises(NotImplementedError, match="apply_library"):
        remin.assess(bom, as_of=AS_OF, library="parts.db")


def test_explain_and_to_excel_delegate(bom, monkeypatch, tmp_path):
    a = remin.assess(bom, as_of=AS_OF)
    explain = types.ModuleType("remin.explain")
    explain.explain = lambda assessment, sku: f"{sku}: {assessment.results.at[sku, 'verdict']}"
    excel = types.ModuleType("remin.report.excel")
    excel.to_excel = lambda assessment, path: Path(path).write_text("xlsx")
    monkeypatch.setitem(sys.modules, "remin.explain", explain)
    monkeypatch.setitem(sys.modules, "remin.report.excel", excel)
    assert a.explain("SKU-A") == "SKU-A: indeterminate"
    a.to_excel(tmp_path / "out.xlsx")
    assert (tmp_path / "out.xlsx").read_text() == "xlsx"


def test_to_excel_through_report_frames(bom, monkeypatch, tmp_path):
    """A writer that takes report frames: to_excel builds them from the assessment."""
    a = remin.assess(bom, as_of=AS_OF)
    excel = types.ModuleType("remin.report.excel")
    excel.write_workbook = lambda frames, path: Path(path).write_text(frames)
    frames = types.ModuleType("remin.report.frames")
    frames.report_frames = lambda assessment, **options: f"{len(assessment.sku_list)} SKUs {options}"
    monkeypatch.setitem(sys.modules, "remin.report.excel", excel)
    monkeypatch.setitem(sys.modules, "remin.report.frames", frames)
    a.to_excel(tmp_path / "out.xlsx", prices=None)
    assert (tmp_path / "out.xlsx").read_text() == "2 SKUs {'prices': None}"


def test_explain_and_to_excel_name_the_missing_module(bom, monkeypatch):
    a = remin.assess(bom, as_of=AS_OF)
    monkeypatch.setitem(sys.modules, "remin.explain", None)          # import fails as if absent
    monkeypatch.setitem(sys.modules, "remin.report.excel", None)
    with pytest.raises(NotImplementedError, match="remin.explain"):
        a.explain("SKU-A")
    with pytest.raises(NotImplementedError, match="remin.report.excel"):
        a.to_excel("out.xlsx")


def test_run_check_is_built_on_the_same_calls(bom):
    from remin.api import run_check
    r = run_check([str(FIXTURE)], as_of=datetime.date(2026, 6, 1))
    a = remin.assess(bom, as_of=AS_OF)
    assert r.assessment.skus["mass_share_high"].tolist() == a.skus["mass_share_high"].tolist()


def test_example_path():
    assert remin.example_path("consumer-device.csv").is_file()
    with pytest.raises(UsageError, match="ev-drive-unit.xlsx"):
        remin.example_path("nope.xlsx")
    with pytest.raises(UsageError):
        remin.example_path("../rules/cn-rare-earth.ruleset.toml")
