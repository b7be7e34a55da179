"""The benchmark kit must not rot: the generator's BOMs are what they claim, the
reference roll-up adds up by hand, and the harness writes its table on a tiny
BOM in a few seconds (against a stand-in remin, and against the real one once
`remin check` exists)."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import generate  # noqa: E402
import harness  # noqa: E402

HEADER = "| case | rows | remin s | floor s | ratio | target | result | peak RSS MB | n | CPU ratio |"


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """One cache of generated BOMs shared by the tests of this module."""
    return tmp_path_factory.mktemp("bench-work")


def _parents_from_levels(levels: np.ndarray) -> np.ndarray:
    """Row index of each row's parent in an indented BOM (-1 for level 0)."""
    parent, stack = np.full(len(levels), -1), []
    for i, lvl in enumerate(levels):
        del stack[lvl:]
        parent[i] = stack[-1] if stack else -1
        stack.append(i)
    return parent


# --------------------------------------------------------------------------- generator

def test_indented_bom_has_the_lines_parts_and_one_structure_per_assembly(work):
    spec = generate.BomSpec(lines=600, parts=150, depth=5, shared=0.3)
    gen = generate.ensure_bom(spec, "csv", work / "ind")
    bom = pd.read_csv(gen.bom, keep_default_na=False, na_values=[""])
    assert len(bom) == 600 and gen.manifest["rows"] == 600
    assert bom["Part Number"].nunique() == 150 == gen.manifest["distinct_parts"]
    levels = bom["Level"].to_numpy()
    assert levels[0] == 0 and levels.max() == 5
    assert (np.diff(levels) <= 1).all()  # a row is at most one level below the one above it

    # Every use of an assembly explodes into the same children with the same
    # quantities: shared subassemblies are copies, not variants.
    parent = _parents_from_levels(levels)
    children: dict[str, set] = {}
    kids_of_row: dict[int, list] = {}
    for i, p in enumerate(parent):
        if p >= 0:
            kids_of_row.setdefault(p, []).append((bom["Part Number"][i], bom["Qty"][i]))
    for row, kids in kids_of_row.items():
        children.setdefault(bom["Part Number"][row], set()).add(tuple(kids))
    assert all(len(v) == 1 for v in children.values())
    uses = bom["Part Number"][bom["Part Number"].str.startswith("A")].value_counts()
    assert (uses > 1).any()  # some subassembly is used in more than one place
    assert not bom["Part Number"][parent == -1].str.startswith("P").any()  # SKUs are assemblies


def test_parent_child_bom_lists_each_edge_once(work):
    spec = generate.BomSpec(lines=500, parts=200, depth=4, shape="parent-child")
    gen = generate.ensure_bom(spec, "csv", work / "pc")
    bom = pd.read_csv(gen.bom, keep_default_na=False, na_values=[""])
    roots = bom["Parent"].isna()
    assert len(bom) == 500
    assert roots.sum() == gen.manifest["roots"]
    assert (~roots).sum() == gen.manifest["edges"] == 500 - gen.manifest["roots"]
    assert set(bom["Parent"].dropna()) <= set(bom["Part Number"])  # every parent is a listed part
    assert bom["Part Number"].nunique() == 200


def test_masses_as_written_convert_to_the_truth():
    spec = generate.BomSpec(lines=3000, parts=1500, depth=4, composition_share=0.1)
    forest = generate.build_forest(spec)
    parts = generate.build_parts(spec, forest)
    cols, truth = parts.columns, parts.mass_kg
    w, unit, uom = cols["Unit weight"], cols["Weight unit"], cols["UoM"]
    # 1 lb = 0.45359237 kg; 1 g = 0.001 kg; g/m is grams per metre of cable (UoM M)
    for u, kg_per_unit in (("lb", 0.45359237), ("g", 0.001), ("kg", 1.0), ("g/m", 0.001)):
        sel = unit == u
        assert sel.any(), u
        assert np.allclose(truth[sel], w[sel] * kg_per_unit, rtol=1e-12)
    assert (uom[unit == "g/m"] == "M").all()
    # A line whose UoM is a mass carries its own mass: no unit weight, 1 G = 0.001 kg
    assert np.isnan(w[uom == "G"]).all() and np.allclose(truth[uom == "G"], 0.001)
    assert np.allclose(truth[uom == "KG"], 1.0)
    assert generate._sig(0.0123456, 4) == 0.01235
    # Element columns are wt% of the part's mass: Dy kg = Dy% / 100 x mass
    dy = cols["Dy [wt%]"]
    has = ~np.isnan(dy)
    assert has.any()
    assert np.allclose(parts.element_kg[has, 0], dy[has] / 100 * truth[has])
    assert set(cols["RE origin"][has]) <= {"CN", "JP", ""}
    assert set(cols["Part class"][has]) <= {"ndfeb-magnet", "smco-magnet", ""}


def test_composition_file_mode_writes_a_long_table(work):
    spec = generate.BomSpec(lines=2000, parts=1000, depth=4, composition="file", composition_share=0.05)
    gen = generate.ensure_bom(spec, "csv", work / "comp")
    assert [f.name for f in gen.files] == ["bom.csv", "composition.csv"]
    comp = pd.read_csv(gen.files[1], keep_default_na=False, na_values=[""])
    assert list(comp.columns) == ["Part Number", "Element", "Amount", "Unit", "Origin"]
    assert set(comp["Unit"]) <= {"wt%", "ppm", "g"} and set(comp["Element"]) >= {"Dy", "Nd"}
    assert "Dy [wt%]" not in pd.read_csv(gen.bom, nrows=1).columns


def test_generation_is_cached_and_deterministic(work, tmp_path):
    spec = generate.BomSpec(lines=300, depth=3)
    a = generate.ensure_bom(spec, "csv", work / "det")
    stamp = a.bom.stat().st_mtime_ns
    assert generate.ensure_bom(spec, "csv", work / "det").bom.stat().st_mtime_ns == stamp  # reused
    b = generate.ensure_bom(spec, "csv", tmp_path / "again")
    assert a.bom.read_bytes() == b.bom.read_bytes()


def test_many_small_files(tmp_path):
    directory, manifest = generate.ensure_many(3, 50, tmp_path / "many", depth=3)
    files = sorted((directory / manifest["directory"]).glob("*.csv"))
    assert len(files) == 3
    assert [len(pd.read_csv(f)) for f in files] == [50, 50, 50]


def test_cli_rejects_bad_parameters(capsys):
    assert generate.main(["--lines", "1"]) == 2
    assert "lines must be >= 2" in capsys.readouterr().err


# --------------------------------------------------------------------------- reference roll-up

def test_reference_rollup_by_hand():
    # 0 = SKU: 2 x assembly 1 + 3 x screw 2;  1 = assembly: 4 x screw 2 + 0.5 m cable 3
    parent = np.array([0, 0, 1, 1])
    child = np.array([1, 2, 2, 3])
    qty = np.array([2.0, 3.0, 4.0, 0.5])
    declared = np.array([[np.nan], [np.nan], [0.01], [2.0]])  # kg per unit: screw 10 g, cable 2 kg/m
    out = harness.reference_rollup(4, parent, child, qty, declared)
    # assembly: 4 x 0.01 + 0.5 x 2 = 1.04 kg; SKU: 2 x 1.04 + 3 x 0.01 = 2.11 kg
    assert out[1, 0] == pytest.approx(1.04) and out[0, 0] == pytest.approx(2.11)
    # a declared assembly mass wins over its children: SKU = 2 x 1.5 + 0.03 = 3.03 kg
    declared[1, 0] = 1.5
    assert harness.reference_rollup(4, parent, child, qty, declared)[0, 0] == pytest.approx(3.03)
    # an unknown leaf makes its ancestors unknown unless one declares its own mass
    declared[1, 0], declared[3, 0] = np.nan, np.nan
    out = harness.reference_rollup(4, parent, child, qty, declared)
    assert np.isnan(out[1, 0]) and np.isnan(out[0, 0])
    assert list(harness.topological_heights(4, parent, child)) == [2, 1, 0, 0]


def test_reference_rollup_matches_a_memoised_walk(work):
    spec = generate.BomSpec(lines=900, parts=500, depth=5, shape="parent-child")
    gen = generate.ensure_bom(spec, "csv", work / "dag")
    z = np.load(gen.directory / "forest.npz")
    parent, child, qty, declared = z["parent"], z["child"], z["qty"], z["declared"]
    fast = harness.reference_rollup(len(declared), parent, child, qty, declared)
    kids: dict[int, list] = {}
    for p, c, q in zip(parent, child, qty):
        kids.setdefault(int(p), []).append((int(c), q))
    memo: dict[int, np.ndarray] = {}

    def total(part: int) -> np.ndarray:
        if part not in memo:
            own = declared[part]
            summed = sum((q * total(c) for c, q in kids.get(part, [])), np.zeros(len(own)))
            memo[part] = np.where(np.isnan(own), summed, own)
        return memo[part]

    slow = np.array([total(i) for i in range(len(declared))])
    assert np.allclose(fast, slow, equal_nan=True)
    assert slow[: int(z["n_roots"]), 0].min() > 0  # every SKU has a mass


def test_written_file_and_forest_npz_tell_the_same_masses(work):
    """SKU mass from the CSV as written (units converted by hand) = reference roll-up of forest.npz."""
    spec = generate.BomSpec(lines=600, parts=150, depth=5, shared=0.3)
    gen = generate.ensure_bom(spec, "csv", work / "ind")
    bom = pd.read_csv(gen.bom, keep_default_na=False, na_values=[""])
    kg = {"g": 0.001, "g/m": 0.001, "kg": 1.0, "lb": 0.45359237}
    unit_kg = bom["Unit weight"] * bom["Weight unit"].map(kg)
    unit_kg = unit_kg.where(bom["UoM"] != "G", 0.001).where(bom["UoM"] != "KG", 1.0)  # mass UoM lines
    parent = _parents_from_levels(bom["Level"].to_numpy())
    extended = bom["Qty"].to_numpy(dtype=float).copy()  # qty per one SKU: product down the path
    for i, p in enumerate(parent):
        if p >= 0:
            extended[i] *= extended[p]
    sku = np.zeros(len(bom), dtype=int)
    for i, p in enumerate(parent):
        sku[i] = i if p < 0 else sku[p]
    leaf = bom["Part Number"].str.startswith("P").to_numpy()
    by_file = pd.Series(extended[leaf] * unit_kg[leaf].to_numpy()).groupby(sku[leaf]).sum()

    z = np.load(gen.directory / "forest.npz")
    rolled = harness.reference_rollup(len(z["declared"]), z["parent"], z["child"], z["qty"], z["declared"])
    assert np.allclose(by_file.to_numpy(), rolled[: int(z["n_roots"]), 0], rtol=1e-9)


def test_reference_rollup_reports_a_cycle():
    # 0 -> 1 -> 2 -> 1 loops; 3 -> 4 is fine: parts 0, 1 and 2 cannot be placed
    with pytest.raises(ValueError, match="cycle: 3 parts"):
        harness.topological_heights(5, np.array([0, 1, 2, 3]), np.array([1, 2, 1, 4]))


# --------------------------------------------------------------------------- harness

def test_run_process_measures_the_childs_own_peak_rss(tmp_path):
    code = "import sys; b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); sys.exit(3)"
    run = harness.run_process([sys.executable, "-c", code])
    assert run.returncode == 3 and not run.ok
    assert 150 <= run.rss_mb < 300  # its own 150 MB, not the test process's
    assert 0 < run.wall_s < 30


FAKE_REMIN = textwrap.dedent('''
    """Stand-in with the CLI surface the harness drives; fast (no pandas)."""
    import argparse, json, sys
    from pathlib import Path
    if sys.argv[1:] == ["--help"]:
        print("Usage: remin [OPTIONS] COMMAND\\n\\nCommands:\\n  batch  Many files.\\n  check  One BOM.")
        raise SystemExit(0)
    ap = argparse.ArgumentParser(prog="remin")
    sub = ap.add_subparsers(dest="cmd")
    c = sub.add_parser("check")
    c.add_argument("files", nargs="+"); c.add_argument("--format"); c.add_argument("--output")
    c.add_argument("--profile-stages")
    b = sub.add_parser("batch"); b.add_argument("directory"); b.add_argument("--output")
    a = ap.parse_args()
    if a.cmd == "check":
        Path(a.output).write_text(json.dumps({"skus": [], "findings": []}))
        stages = {"read": 0.5, "units": 0.1, "model": 0.1, "roll-up": 0.25, "tests": 0.05, "output": 0.05}
        Path(a.profile_stages).write_text(json.dumps(stages))
    else:
        Path(a.output).write_text("file\\n")
''')


def _table(path: Path) -> list[list[str]]:
    lines = path.read_text().splitlines()
    start = lines.index(HEADER)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_harness_smoke_writes_the_table(work, tmp_path):
    tree = tmp_path / "tree"
    (tree / "remin").mkdir(parents=True)
    (tree / "remin" / "__init__.py").write_text("")
    (tree / "remin" / "__main__.py").write_text(FAKE_REMIN)
    out = tmp_path / "RESULTS.md"
    harness.run("smoke", repeat=1, out=out, work=work, tree=tree, log=lambda *a: None)

    rows = {r[0]: r for r in _table(out)}
    assert set(rows) >= {"csv indented", "xlsx indented", "xlsx indented: vs pandas+openpyxl",
                         "roll-up DAG", "batch"}
    for name in ("csv indented", "xlsx indented", "batch"):
        remin_s, floor_s = float(rows[name][2]), float(rows[name][3])
        assert remin_s > 0 and floor_s > 0
        assert rows[name][8] == "1/1"
    assert float(rows["csv indented"][4]) == pytest.approx(
        float(rows["csv indented"][2]) / float(rows["csv indented"][3]), rel=0.02)
    assert rows["roll-up DAG"][2] == "0.25"  # the profile's roll-up stage, not the whole process
    assert rows["batch"][4].endswith("files/s")
    text = out.read_text()
    assert "| case | read | units | model | rollup | tests | output | remin s |" in text
    assert "## Inputs" in text and "Machine:" in text
    assert "| csv indented | 0 | — | — | — | the report lists no SKU |" in text  # the stand-in reports none
    raw = json.loads((work / "results.json").read_text())
    assert [c["case"] for c in raw["cases"]] == ["csv indented", "xlsx indented", "roll-up DAG", "batch"]


def test_harness_says_when_remin_is_missing(work, tmp_path):
    out = tmp_path / "RESULTS.md"
    harness.run("smoke", repeat=1, out=out, work=work, tree=tmp_path, only=["csv"], log=lambda *a: None)
    (row,) = _table(out)
    assert row[0] == "csv indented" and row[2] == "—" and float(row[3]) > 0
    assert "not available yet" in out.read_text()


def test_harness_times_the_real_remin_check(work, tmp_path):
    remin = harness.Remin.detect(sys.executable)
    if not remin.check:
        pytest.skip("`remin check --format json` is not available yet (engine not merged): "
                    "the harness marks its rows as skipped; see test_harness_says_when_remin_is_missing")
    out = tmp_path / "RESULTS.md"
    rows = harness.run("smoke", repeat=1, out=out, work=work, only=["csv"], log=lambda *a: None)
    (row,) = _table(out)
    assert float(row[2]) > 0, out.read_text()
    # remin's SKU masses, Chinese-origin Dy+Tb+Sm and values equal the generator's truth
    assert rows[-1] == {"case": "csv indented: agreement with the truth", "result": "PASS"}, out.read_text()
