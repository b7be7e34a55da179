"""Benchmark harness for remin (issue 8): times `remin check` / `remin batch` as
whole processes against floors measured in the same run, and writes a markdown
table of medians, ratios and PASS/FAIL to bench/RESULTS.md.

Floors are whole processes too: one that imports pandas and reads the same file
(pandas C reader for CSV, fastexcel for xlsx, pandas+openpyxl as the slow xlsx
reference). The roll-up yardstick is a vectorised numpy level-by-level roll-up
of the same DAG, timed in this process.

    python bench/harness.py                       # full suite -> bench/RESULTS.md
    python bench/harness.py --suite quick -k 1    # a minute, for development
    python bench/harness.py --suite smoke --out /tmp/R.md --work /tmp/w
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (bench/ is a folder of scripts, not a package)

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RSS_LIMIT_MB = 1536
STAGES = ("read", "units", "model", "rollup", "tests", "output")
COLUMNS = ("case", "rows", "remin s", "floor s", "ratio", "target", "result", "peak RSS MB", "n", "CPU ratio")

FLOOR_CSV = "import sys, pandas\nfor f in sys.argv[1:]: pandas.read_csv(f)"
FLOOR_FASTEXCEL = (
    "import sys, pandas, fastexcel\n"
    "for f in sys.argv[1:]:\n"
    "    r = fastexcel.read_excel(f)\n"
    "    for name in r.sheet_names: r.load_sheet(name).to_pandas()"
)
FLOOR_OPENPYXL = "import sys, pandas\nfor f in sys.argv[1:]: pandas.read_excel(f, sheet_name=None, engine='openpyxl')"
FLOOR_CSV_DIR = (
    "import sys, pathlib, pandas\n"
    "for f in sorted(pathlib.Path(sys.argv[1]).glob('*.csv')): pandas.read_csv(f)"
)


# --------------------------------------------------------------------------- processes

@dataclass
class Run:
    """One finished child process: wall seconds, peak RSS in MB, exit code, CPU seconds."""

    wall_s: float
    rss_mb: float
    returncode: int
    stderr_tail: str = ""
    cpu_s: float = 0.0  # user + system: less sensitive than wall time to a busy machine

    @property
    def ok(self) -> bool:
        return self.returncode == 0


# Runs in a small interpreter of its own: a child forked from the harness would
# inherit the harness's resident set in its peak RSS (Linux counts the parent's
# pages up to exec), so the launcher spawns it, waits with wait4 (rusage of that
# one child) and kills it past the timeout.
_LAUNCHER = """
import json, os, signal, sys, time
report, stdout, timeout, argv = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
acts = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
t0 = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, dict(os.environ), file_actions=acts)
def stop(*_):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
signal.signal(signal.SIGALRM, stop)
signal.setitimer(signal.ITIMER_REAL, timeout)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t0
signal.setitimer(signal.ITIMER_REAL, 0)
with open(report, "w") as f:
    json.dump({"wall_s": wall, "rss_mb": usage.ru_maxrss / 1024.0, "cpu_s": usage.ru_utime + usage.ru_stime,
               "returncode": os.waitstatus_to_exitcode(status), "timed_out": wall >= timeout}, f)
"""


def run_process(argv: list[str], *, stdout: Path | None = None, timeout: float = 600.0,
                cwd: Path = REPO_DIR, env: dict | None = None) -> Run:
    """Run ``argv`` to the end: wall time from spawn to exit and peak RSS of that process alone.

    The launcher's own start-up is not timed.
    """
    with tempfile.TemporaryDirectory(prefix="remin-run-") as tmp:
        report = Path(tmp) / "run.json"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(report), str(stdout or os.devnull), str(timeout), *argv]
        done = subprocess.run(launcher, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=timeout + 60)
        tail = done.stderr[-2000:].decode(errors="replace").strip()
        if not report.exists():
            return Run(0.0, 0.0, done.returncode or -1, f"launcher failed: {tail}")
        r = json.loads(report.read_text())
    if r["timed_out"]:
        tail = f"killed after the {timeout:.0f} s timeout. {tail}"
    return Run(r["wall_s"], r["rss_mb"], r["returncode"], tail, r["cpu_s"])


def child_env(tree: Path = REPO_DIR) -> dict:
    """The children import the remin of ``tree``, whatever is installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH", "")]))
    return env


@dataclass
class Remin:
    """What the remin under test can do, found from its --help texts."""

    python: str
    tree: Path = REPO_DIR
    check: bool = False
    batch: bool = False
    profile_stages: bool = False
    check_output: bool = False
    batch_output: bool = False
    problem: str = ""

    @classmethod
    def detect(cls, python: str, tree: Path = REPO_DIR) -> "Remin":
        """Ask `remin check --help` and `remin batch --help` (one import of remin each)."""
        me = cls(python, Path(tree))
        check, problem = _help(python, ["check"], me.tree)
        if check is not None:
            me.check = "--format" in check
            me.profile_stages = "--profile-stages" in check
            me.check_output = "--output" in check
        elif "No such command" not in problem:
            me.problem = f"remin not available yet: `python -m remin check --help` failed: {problem[-200:]}"
        batch, _ = _help(python, ["batch"], me.tree)
        me.batch_output = me.batch = batch is not None and "--output" in batch
        return me

    def check_argv(self, files: list[Path], out: Path, profile: Path | None) -> list[str]:
        argv = [self.python, "-m", "remin", "check", *map(str, files), "--format", "json"]
        if self.check_output:
            argv += ["--output", str(out)]
        if profile is not None and self.profile_stages:
            argv += ["--profile-stages", str(profile)]
        return argv


def _help(python: str, sub: list[str], tree: Path) -> tuple[str | None, str]:
    """(help text or None, stderr) of `python -m remin SUB --help`."""
    r = subprocess.run([python, "-m", "remin", *sub, "--help"], cwd=tree, env=child_env(tree),
                       capture_output=True, text=True, timeout=120)
    return (r.stdout if r.returncode == 0 else None), r.stderr.strip()


# --------------------------------------------------------------------------- reference roll-up

def topological_heights(n: int, parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Height of every part (0 for parts without children), leaves first (Kahn, in rounds).

    Each round places the parts whose children are all placed; O(edges) per round.
    Raises ValueError naming how many parts sit on or above a cycle.
    """
    pending = np.bincount(parent, minlength=n)  # children not yet placed
    height = np.full(n, -1, dtype=np.int64)
    ready = pending == 0
    level = 0
    while ready.any():
        height[ready] = level
        placed = np.bincount(parent[ready[child]], minlength=n)
        pending -= placed
        ready = (placed > 0) & (pending == 0)
        level += 1
    if (height < 0).any():
        raise ValueError(f"the BOM graph has a cycle: {int((height < 0).sum())} parts on or above it")
    return height


def reference_rollup(n: int, parent: np.ndarray, child: np.ndarray, qty: np.ndarray,
                     declared: np.ndarray) -> np.ndarray:
    """Roll up ``declared`` (n x k figures per one unit; NaN = not declared) level by level.

    A part's figure is its own declaration where present, else the sum over its
    children of qty x child figure; a NaN child figure (unknown) makes the sum
    unknown. Returns the n x k totals per one unit of each part.
    """
    height = topological_heights(n, parent, child)
    values = declared.copy()
    by_parent = np.argsort(parent)  # edges of one parent together...
    ph = height[parent[by_parent]].astype(np.uint16)
    by_height = np.argsort(ph, kind="stable")  # ...and parents by height (radix sort, keeps the grouping)
    order = by_parent[by_height]
    p, c, q = parent[order], child[order], qty[order]
    bounds = np.searchsorted(ph[by_height], np.arange(1, int(height.max()) + 2))
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if lo == hi:
            continue
        pp = p[lo:hi]
        run_start = np.flatnonzero(np.r_[True, pp[1:] != pp[:-1]])
        sums = np.add.reduceat(values[c[lo:hi]] * q[lo:hi, None], run_start, axis=0)
        parents = pp[run_start]
        own = values[parents]
        values[parents] = np.where(np.isnan(own), sums, own)
    return values


def time_reference(forest_npz: Path, repeat: int) -> tuple[float, dict]:
    """Median seconds of the reference roll-up (heights included) over ``repeat`` runs."""
    z = np.load(forest_npz)
    parent, child, qty, declared = z["parent"], z["child"], z["qty"], z["declared"]
    n = len(declared)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        totals = reference_rollup(n, parent, child, qty, declared)
        times.append(time.perf_counter() - t0)
    roots = int(z["n_roots"])
    info = {"parts": n, "edges": int(len(parent)), "figures": int(declared.shape[1]),
            "root_mass_kg_sum": float(np.nansum(totals[:roots, 0]))}
    return statistics.median(times), info


def agreement(report_json: Path, forest_npz: Path) -> dict:
    """How far remin's SKU figures are from the generator's truth (largest relative difference).

    Compares mass, Chinese-origin Dy+Tb+Sm and value of every SKU in the JSON
    report with the reference roll-up of the same forest. Not timed.
    """
    try:
        skus = json.loads(report_json.read_text()).get("skus") or []
    except (OSError, ValueError, AttributeError) as e:
        return {"skus": 0, "problem": f"no JSON report to compare ({e.__class__.__name__})"}
    skus = [s for s in skus if str(s.get("sku", "")).startswith("SKU-")]  # the generator's SKU names
    if not skus:
        return {"skus": 0, "problem": "the report lists no SKU"}
    z = np.load(forest_npz)
    totals = reference_rollup(len(z["declared"]), z["parent"], z["child"], z["qty"], z["declared"])
    rows = [int(s["sku"].split("-")[1]) for s in skus]
    cn_cols = [generate.FIGURES.index(f"{e}_cn_kg") for e in generate.ELEMENT_COLUMNS]

    def rel(got, want):  # null in the report = NaN; unknown on both sides agrees
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        diff = np.abs(got - want) / np.maximum(np.abs(want), 1e-12)
        return float(np.max(np.where(np.isnan(got) & np.isnan(want), 0.0, diff)))

    def cn(s):
        by = s.get("controlled_by_element_kg") or {}
        return sum((by.get(e) or {}).get("cn", 0.0) for e in generate.ELEMENT_COLUMNS)

    return {"skus": len(skus),
            "mass": rel([s.get("mass_kg") for s in skus], totals[rows, 0]),
            "cn_controlled": rel([cn(s) for s in skus], totals[rows][:, cn_cols].sum(axis=1)),
            "value": rel([s.get("value") for s in skus], totals[rows, -1])}


# --------------------------------------------------------------------------- cases

@dataclass
class Case:
    """One benchmark case. ``targets``: (kind, threshold) pairs judged in the table."""

    name: str
    kind: str                     # check | rollup | batch
    spec: generate.BomSpec | None = None
    fmt: str = "csv"
    files: int = 0
    targets: list = field(default_factory=list)
    openpyxl: bool = False        # also time pandas+openpyxl on the same xlsx
    repeat: int | None = None     # overrides -k (slow references)


def suite(name: str, openpyxl_1m: bool = False) -> list[Case]:
    S = generate.BomSpec
    if name == "smoke":
        return [
            Case("csv indented", "check", S(lines=200, depth=4)),
            Case("xlsx indented", "check", S(lines=200, depth=4, composition="file"), fmt="xlsx", openpyxl=True),
            Case("roll-up DAG", "rollup", S(lines=300, parts=200, depth=4, shape="parent-child")),
            Case("batch", "batch", S(lines=50, depth=3), files=5),
        ]
    if name == "quick":
        return [
            Case("csv indented 10k", "check", S(lines=10_000)),
            Case("csv indented 100k", "check", S(lines=100_000), targets=[("floor", 5.0)]),
            Case("xlsx indented 10k", "check", S(lines=10_000), fmt="xlsx", openpyxl=True),
            Case("roll-up DAG 100k parts", "rollup", S(lines=150_000, parts=100_000, shape="parent-child"),
                 targets=[("rollup", 2.0)]),
            Case("batch 100 x 50 lines", "batch", S(lines=50, depth=3), files=100, targets=[("files_per_s", 20.0)]),
        ]
    if name != "full":
        raise ValueError(f"unknown suite {name!r}: smoke, quick or full")
    return [
        Case("csv indented 10k", "check", S(lines=10_000)),
        Case("csv indented 100k", "check", S(lines=100_000)),
        Case("csv indented 1M", "check", S(lines=1_000_000, parts=200_000, depth=10),
             targets=[("floor", 5.0), ("rss", RSS_LIMIT_MB)]),
        Case("csv parent-child 1M", "check", S(lines=1_000_000, parts=200_000, depth=10, shape="parent-child"),
             targets=[("floor", 5.0), ("rss", RSS_LIMIT_MB)]),
        Case("xlsx indented 100k", "check", S(lines=100_000), fmt="xlsx", openpyxl=True,
             targets=[("floor", 1.5), ("openpyxl", 5.0)]),
        Case("xlsx indented 1M", "check", S(lines=1_000_000, parts=200_000), fmt="xlsx", openpyxl=openpyxl_1m,
             targets=[("floor", 1.5)] + ([("openpyxl", 5.0)] if openpyxl_1m else [("openpyxl-skipped", 5.0)])),
        Case("roll-up DAG 1M parts", "rollup", S(lines=1_500_000, parts=1_000_000, depth=10, shape="parent-child"),
             targets=[("rollup", 2.0)]),
        Case("batch 1000 x 50 lines", "batch", S(lines=50, depth=3), files=1000, targets=[("files_per_s", 20.0)],
             repeat=1),
    ]


# --------------------------------------------------------------------------- measuring

@dataclass
class Measure:
    """Runs of one command; the table shows the median wall time and the peak RSS."""

    runs: list[Run] = field(default_factory=list)
    stages: list[dict] = field(default_factory=list)
    skipped: str = ""

    @property
    def error(self) -> str:
        bad = [r for r in self.runs if not r.ok]
        return f"exit {bad[0].returncode}: {bad[0].stderr_tail[-300:]}" if bad else ""

    @property
    def median_s(self) -> float | None:
        good = [r.wall_s for r in self.runs if r.ok]
        return statistics.median(good) if good and not self.error else None

    @property
    def cpu_s(self) -> float | None:
        good = [r.cpu_s for r in self.runs if r.ok]
        return statistics.median(good) if good and not self.error else None

    @property
    def rss_mb(self) -> float | None:
        return max((r.rss_mb for r in self.runs), default=None) if self.runs else None

    def stage_medians(self) -> dict:
        keys = {k for s in self.stages for k in s}
        return {k: statistics.median([s[k] for s in self.stages if k in s]) for k in keys}


@dataclass
class Result:
    case: Case
    rows: int
    inputs: dict
    remin: Measure
    floor: Measure
    openpyxl: Measure | None = None
    reference_s: float | None = None
    reference_info: dict | None = None
    repeat: int = 1
    agreement: dict | None = None


def _stage_key(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace(" ", "")


def _read_stages(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    stages = data.get("stages", data) if isinstance(data, dict) else {}
    return {_stage_key(k): float(v) for k, v in stages.items() if isinstance(v, (int, float))}


def _warm(paths: list[Path]) -> None:
    """Read the inputs once so every timed run sees a warm page cache."""
    for p in paths:
        files = sorted(p.glob("*")) if p.is_dir() else [p]
        for f in files:
            with open(f, "rb") as fh:
                while fh.read(1 << 24):
                    pass


class Harness:
    def __init__(self, repeat: int, work: Path, python: str, timeout: float, budget_s: float,
                 tree: Path = REPO_DIR, log=print):
        self.repeat, self.work, self.python, self.timeout = repeat, work, python, timeout
        self.budget_s, self.log, self.t_start = budget_s, log, time.perf_counter()
        self.tree, self.env = Path(tree), child_env(Path(tree))
        self.remin = Remin.detect(python, self.tree)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t_start

    def measure(self, case: Case) -> Result:
        k = case.repeat or self.repeat
        with tempfile.TemporaryDirectory(prefix="remin-bench-") as tmp:
            if case.kind == "batch":
                return self._batch(case, k, Path(tmp))
            return self._check(case, k, Path(tmp))

    def _check(self, case: Case, k: int, tmp: Path) -> Result:
        gen = generate.ensure_bom(case.spec, case.fmt, self.work / generate.spec_key(case.spec, case.fmt))
        inputs = {**gen.manifest, "paths": [str(f) for f in gen.files]}
        _warm(gen.files)
        floor_code, floor_name = (FLOOR_CSV, "pandas") if case.fmt == "csv" else (FLOOR_FASTEXCEL, "fastexcel")
        remin, floor = Measure(), Measure()
        if not self.remin.check:
            remin.skipped = self.remin.problem or "`remin check --format json` not available yet"
        elif case.kind == "rollup" and not self.remin.profile_stages:
            remin.skipped = "`remin check --profile-stages` not available yet: no roll-up stage time"
        slow = False
        for i in range(k):
            if case.kind == "check":  # the roll-up case's yardstick is the numpy reference
                argv = [self.python, "-c", floor_code, *map(str, gen.files)]
                floor.runs.append(self._run(argv, label=f"floor ({floor_name})"))
            if not remin.skipped and not slow:
                out, prof = tmp / f"out-{i}.json", tmp / f"stages-{i}.json"
                argv = self.remin.check_argv(gen.files, out, prof)
                run = self._run(argv, stdout=None if self.remin.check_output else out, label="remin check")
                remin.runs.append(run)
                if prof.exists():
                    remin.stages.append(_read_stages(prof))
                slow = run.wall_s > 60 or not run.ok  # one run is enough to know
        result = Result(case, gen.manifest["rows"], inputs, remin, floor, repeat=k)
        if case.openpyxl:
            argv = [self.python, "-c", FLOOR_OPENPYXL, *map(str, gen.files)]
            result.openpyxl = Measure(runs=[self._run(argv, label="pandas+openpyxl")])
        if case.kind == "rollup":
            result.reference_s, result.reference_info = time_reference(gen.directory / "forest.npz", k)
        if remin.runs and remin.runs[0].ok:
            result.agreement = agreement(tmp / "out-0.json", gen.directory / "forest.npz")
        return result

    def _batch(self, case: Case, k: int, tmp: Path) -> Result:
        where = self.work / f"many-{case.files}x{case.spec.lines}"
        directory, manifest = generate.ensure_many(case.files, case.spec.lines, where,
                                                   seed=case.spec.seed, depth=case.spec.depth)
        boms = directory / manifest["directory"]
        _warm([boms])
        remin, floor = Measure(), Measure()
        if not self.remin.batch:
            remin.skipped = "`remin batch DIR --output FILE` not available yet"
        for i in range(k):
            argv = [self.python, "-c", FLOOR_CSV_DIR, str(boms)]
            floor.runs.append(self._run(argv, label="floor (pandas, all files)"))
            if not remin.skipped:
                argv = [self.python, "-m", "remin", "batch", str(boms), "--output", str(tmp / f"batch-{i}.csv")]
                remin.runs.append(self._run(argv, label="remin batch"))
        inputs = {**manifest, "paths": [str(boms)], "rows": case.files * case.spec.lines}
        return Result(case, case.files * case.spec.lines, inputs, remin, floor)

    def _run(self, argv: list[str], stdout: Path | None = None, label: str = "") -> Run:
        run = run_process(argv, stdout=stdout, timeout=self.timeout, cwd=self.tree, env=self.env)
        self.log(f"  {run.wall_s:8.3f} s {run.rss_mb:8.0f} MB  exit {run.returncode}  {label}")
        return run


# --------------------------------------------------------------------------- table

def _fmt(x, digits=3) -> str:
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


def _judge(value: float | None, threshold: float, at_most: bool) -> str:
    if value is None:
        return "n/a"
    return "PASS" if (value <= threshold if at_most else value >= threshold) else "FAIL"


def table_rows(results: list[Result]) -> list[dict]:
    """The rows of the markdown table: one per case and target, plus growth."""
    rows = []
    for r in results:
        c = r.case
        remin_s, floor_s = r.remin.median_s, r.floor.median_s
        n = f"{len(r.remin.runs)}/{len(r.floor.runs)}"
        rss = f"{r.remin.rss_mb:,.0f}" if r.remin.rss_mb is not None else "—"
        rows_text = f"{c.files:,} × {c.spec.lines}" if c.kind == "batch" else f"{r.rows:,}"
        base = {"case": c.name, "rows": rows_text, "peak RSS MB": rss, "n": n}
        note = r.remin.skipped or r.remin.error
        cpu = r.remin.cpu_s / r.floor.cpu_s if r.remin.cpu_s and r.floor.cpu_s else None
        base["CPU ratio"] = _fmt(cpu) if c.kind != "rollup" else "—"
        if c.kind == "check":
            ratio = remin_s / floor_s if remin_s and floor_s else None
            judged = [t for t in c.targets if t[0] == "floor"]
            target = f"≤ {judged[0][1]:g}× floor" if judged else "info"
            rows.append({**base, "remin s": _fmt(remin_s), "floor s": _fmt(floor_s), "ratio": _fmt(ratio),
                         "target": target, "result": _judge(ratio, judged[0][1], True) if judged else "—",
                         "note": note})
            for kind, threshold in c.targets:
                if kind == "rss":
                    rows.append({**base, "case": f"{c.name}: peak RSS", "remin s": _fmt(remin_s), "floor s": "—",
                                 "ratio": "—", "target": f"≤ {threshold:,} MB",
                                 "result": _judge(r.remin.rss_mb if remin_s else None, threshold, True), "note": note})
                elif kind in ("openpyxl", "openpyxl-skipped"):
                    ref = r.openpyxl.median_s if r.openpyxl else None
                    speedup = ref / remin_s if ref and remin_s else None
                    rows.append({**base, "case": f"{c.name}: vs pandas+openpyxl", "remin s": _fmt(remin_s),
                                 "floor s": _fmt(ref), "ratio": _fmt(speedup), "target": f"≥ {threshold:g}× faster",
                                 "result": _judge(speedup, threshold, False) if kind == "openpyxl" else "not measured",
                                 "CPU ratio": "—",
                                 "n": f"{len(r.remin.runs)}/{len(r.openpyxl.runs) if r.openpyxl else 0}",
                                 "note": note if kind == "openpyxl" else
                                 "openpyxl at 1M rows takes ~105 s: run with --openpyxl-1m to measure it"})
            if c.openpyxl and not any(t[0] == "openpyxl" for t in c.targets):
                ref = r.openpyxl.median_s if r.openpyxl else None
                rows.append({**base, "case": f"{c.name}: vs pandas+openpyxl", "remin s": _fmt(remin_s),
                             "floor s": _fmt(ref), "ratio": _fmt(ref / remin_s if ref and remin_s else None),
                             "target": "info", "result": "—", "n": f"{len(r.remin.runs)}/1", "CPU ratio": "—",
                             "note": note})
        elif c.kind == "rollup":
            stage = r.remin.stage_medians().get("rollup")
            if r.remin.median_s is not None and stage is None and not r.remin.skipped:
                note = "the profile has no `rollup` stage"
            ratio = stage / r.reference_s if stage and r.reference_s else None
            threshold = c.targets[0][1] if c.targets else None
            rows.append({**base, "rows": f"{r.reference_info['parts']:,} parts", "remin s": _fmt(stage),
                         "floor s": _fmt(r.reference_s), "ratio": _fmt(ratio),
                         "target": f"≤ {threshold:g}× numpy reference" if threshold else "info",
                         "result": _judge(ratio, threshold, True) if threshold else "—",
                         "n": f"{len(r.remin.stages)}/{r.repeat}", "note": note})
        elif c.kind == "batch":
            rate = c.files / remin_s if remin_s else None
            threshold = c.targets[0][1] if c.targets else None
            rows.append({**base, "remin s": _fmt(remin_s), "floor s": _fmt(floor_s),
                         "ratio": f"{_fmt(rate)} files/s" if rate else "—",
                         "target": f"≥ {threshold:g} files/s" if threshold else "info",
                         "result": _judge(rate, threshold, False) if threshold else "—", "note": note})
    rows += _growth_rows(results)
    return rows


def _growth_rows(results: list[Result]) -> list[dict]:
    """Linear growth: 10x the rows may cost at most 15x the time (start-up makes it less)."""
    csv = sorted((r for r in results if r.case.kind == "check" and r.case.fmt == "csv"
                  and r.case.spec.shape == "indented" and r.remin.median_s), key=lambda r: r.rows)
    rows = []
    for a, b in zip(csv, csv[1:]):
        growth = b.remin.median_s / a.remin.median_s
        factor = b.rows / a.rows
        judged = b.rows >= 1_000_000
        rows.append({"case": f"growth {a.case.name} → {b.rows:,}", "rows": f"×{factor:.0f}",
                     "remin s": f"{_fmt(a.remin.median_s)} → {_fmt(b.remin.median_s)}", "floor s": "—",
                     "ratio": f"×{growth:.3g}", "target": f"≤ ×{1.5 * factor:.0f} (linear)" if judged else "info",
                     "result": _judge(growth, 1.5 * factor, True) if judged else "—",
                     "peak RSS MB": "—", "n": "", "note": ""})
    return rows


def machine_info(python: str, tree: Path = REPO_DIR) -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    probe = ("import json, importlib.metadata as m\nout = {}\n"
             "for p in ['pandas', 'numpy', 'pyarrow', 'fastexcel', 'openpyxl', 'rustpy-xlsxwriter', 'remin']:\n"
             "    try: out[p] = m.version(p)\n    except Exception: out[p] = 'not installed'\n"
             "import sys; out['python'] = sys.version.split()[0]\nprint(json.dumps(out))")
    r = subprocess.run([python, "-c", probe], capture_output=True, text=True, env=child_env(tree), cwd=tree)
    versions = json.loads(r.stdout) if r.returncode == 0 else {}
    git = subprocess.run(["git", "-C", str(tree), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "ram_gib": round(mem_gib, 1), "os": platform.platform(), "versions": versions,
            "commit": git.stdout.strip() or "unknown"}


def write_markdown(path: Path, results: list[Result], info: dict, meta: dict) -> None:
    rows = table_rows(results)
    v = info["versions"]
    lines = [
        "# remin benchmark",
        "",
        f"Written by `{meta['command']}` on {meta['date']} in {meta['elapsed_s']:.0f} s "
        f"(suite `{meta['suite']}`, k = {meta['repeat']}).",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), {info['ram_gib']} GiB RAM, "
        f"{info['os']}. Load average {meta['load_start']} at start, {meta['load_end']} at end "
        "(the machine may be shared: ratios within one run are the figures to trust).",
        "",
        f"Python {v.get('python', '?')}; pandas {v.get('pandas')}, numpy {v.get('numpy')}, pyarrow {v.get('pyarrow')}, "
        f"fastexcel {v.get('fastexcel')}, openpyxl {v.get('openpyxl')}, "
        f"rustpy-xlsxwriter {v.get('rustpy-xlsxwriter')}; "
        f"remin tree at {info['commit']}.",
        "",
        "Times are medians of whole-process wall times (spawn to exit, page cache warm), floor and remin runs "
        "interleaved; `n` is remin runs / floor runs. Peak RSS is remin's (max over its runs). Ratio is "
        "remin / floor, except *vs pandas+openpyxl* (openpyxl / remin: how many times faster) and batch (files/s). "
        "CPU ratio (user + system seconds, remin / floor) is for reading a run on a busy machine; targets use "
        "wall time.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" if c in ("case", "target") else "---:" for c in COLUMNS) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |")
    stage_lines = _stage_table(results)
    agree = [r for r in results if r.agreement]
    if agree:
        lines += ["", "## Agreement with the generator's truth (first remin run; largest relative difference)", "",
                  "| case | SKUs | mass | Dy+Tb+Sm cn | value | result |", "|---|---:|---:|---:|---:|---|"]
        for r in agree:
            a = r.agreement
            if a.get("problem"):
                lines.append(f"| {r.case.name} | 0 | — | — | — | {a['problem']} |")
                continue
            lines.append(f"| {r.case.name} | {a['skus']} | {a['mass']:.1e} | {a['cn_controlled']:.1e} "
                         f"| {a['value']:.1e} | {_agrees(a)} (≤ 1e-6) |")
    if stage_lines:
        lines += ["", "## Stages of `remin check` (median s, from `--profile-stages`)", ""] + stage_lines
    lines += ["", "## Notes", ""] + [f"- {n}" for n in _notes(results, rows, meta)]
    lines += ["", "## Inputs", "", "Generated by bench/generate.py (cached under bench/work/ by parameters; "
              "`generated s` is the build + write time when the cache was filled).", "",
              "| case | files | rows | distinct parts | SKUs | depth | shared subassemblies | writer | generated s |",
              "|---|---|---:|---:|---:|---:|---:|---|---:|"]
    for r in results:
        i = r.inputs
        files = ", ".join(Path(p).name for p in i.get("paths", [])) if r.case.kind != "batch" else \
            f"{r.case.files} CSV files"
        lines.append(f"| {r.case.name} | {files} | {r.rows:,} | {i.get('distinct_parts', '—')} "
                     f"| {i.get('roots', '—')} "
                     f"| {i.get('max_depth', r.case.spec.depth)} | {i.get('shared_subassemblies', '—')} "
                     f"| {i.get('writer', 'pyarrow.csv')} | {_fmt(i.get('build_s', 0) + i.get('write_s', 0))} |")
    lines += ["", "## Floors", "",
              "- CSV: `python -c \"import pandas; pandas.read_csv(FILE)\"` for each input file.",
              "- xlsx: `python -c \"import pandas, fastexcel; ...load_sheet(name).to_pandas()\"` for every sheet.",
              "- xlsx reference: `pandas.read_excel(FILE, sheet_name=None, engine='openpyxl')`.",
              "- roll-up: `reference_rollup` in bench/harness.py (numpy, level by level, heights included; "
              "mass, Dy/Tb/Sm kg by origin class and value: 11 figures per part), timed in the harness process.",
              "- batch: one process reading every file with `pandas.read_csv`.", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def _agrees(a: dict) -> str:
    if a.get("problem"):
        return "n/a"
    worst = max(a["mass"], a["cn_controlled"], a["value"])
    return "PASS" if worst <= 1e-6 else "FAIL"  # NaN (a number where the truth has none) fails too


def _stage_table(results: list[Result]) -> list[str]:
    with_stages = [r for r in results if r.remin.stages]
    if not with_stages:
        return []
    extra = sorted({k for r in with_stages for k in r.remin.stage_medians()} - set(STAGES))
    head = list(STAGES) + extra
    out = ["| case | " + " | ".join(head) + " | remin s |", "|---|" + "---:|" * (len(head) + 1)]
    for r in with_stages:
        m = r.remin.stage_medians()
        out.append(f"| {r.case.name} | " + " | ".join(_fmt(m.get(h)) for h in head) + f" | {_fmt(r.remin.median_s)} |")
    return out


def _notes(results: list[Result], rows: list[dict], meta: dict) -> list[str]:
    by_text: dict[str, list[str]] = {}
    for row in rows:
        if row.get("note"):
            by_text.setdefault(row["note"], []).append(row["case"])
    notes = [f"{text} ({', '.join(dict.fromkeys(cases))})" for text, cases in by_text.items()]
    if not any(r.remin.stages for r in results):
        notes.append("No per-stage times: `remin check --profile-stages FILE` (JSON {stage: seconds}, stages "
                     + ", ".join(STAGES) + ") is not available yet, so the stage table and the roll-up target "
                     "are empty.")
    for r in results:
        if r.openpyxl is not None and r.openpyxl.runs:
            notes.append(f"{r.case.name}: pandas+openpyxl measured {len(r.openpyxl.runs)} time(s) at {r.rows:,} rows.")
    notes.extend(meta.get("skipped", []))
    return list(dict.fromkeys(notes))


# --------------------------------------------------------------------------- entry point

def run(suite_name: str = "full", repeat: int = 3, out: Path = BENCH_DIR / "RESULTS.md",
        work: Path = generate.WORK_DIR, python: str = sys.executable, timeout: float = 300.0,
        budget_s: float = 540.0, openpyxl_1m: bool = False, only: list[str] | None = None,
        tree: Path = REPO_DIR, log=print) -> list[dict]:
    """Run a suite, write the markdown to ``out`` and the raw numbers to ``work``/results.json."""
    cases = suite(suite_name, openpyxl_1m)
    if only:
        cases = [c for c in cases if any(o.lower() in c.name.lower() for o in only)]
    h = Harness(repeat, Path(work), python, timeout, budget_s, tree, log)
    log(f"remin: check={h.remin.check} batch={h.remin.batch} profile-stages={h.remin.profile_stages} "
        f"{h.remin.problem}")
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results, skipped = [], []
    for case in cases:
        if h.elapsed() > budget_s:
            skipped.append(f"{case.name}: skipped, the run was past its {budget_s:.0f} s budget")
            continue
        log(f"{case.name}")
        results.append(h.measure(case))
    meta = {"command": " ".join(["python bench/harness.py", *sys.argv[1:]]) if __name__ == "__main__" else
            f"bench/harness.py --suite {suite_name}", "suite": suite_name, "repeat": repeat,
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "elapsed_s": h.elapsed(), "load_start": load_start,
            "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg()), "skipped": skipped}
    info = machine_info(python, h.tree)
    write_markdown(Path(out), results, info, meta)
    rows = table_rows(results)
    Path(work).mkdir(parents=True, exist_ok=True)
    (Path(work) / "results.json").write_text(json.dumps(
        {"meta": meta, "machine": info, "rows": rows,
         "cases": [{"case": r.case.name, "rows": r.rows, "inputs": r.inputs,
                    "remin_runs": [vars(x) for x in r.remin.runs], "floor_runs": [vars(x) for x in r.floor.runs],
                    "openpyxl_runs": [vars(x) for x in r.openpyxl.runs] if r.openpyxl else [],
                    "stages": r.remin.stages, "reference_s": r.reference_s, "skipped": r.remin.skipped,
                    "agreement": r.agreement}
                   for r in results]}, indent=2, default=str))
    return rows + [{"case": f"{r.case.name}: agreement with the truth", "result": _agrees(r.agreement)}
                   for r in results if r.agreement]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("--suite", choices=["full", "quick", "smoke"], default="full")
    ap.add_argument("-k", "--repeat", type=int, default=3, help="runs per timed command, median taken (default 3)")
    ap.add_argument("--out", type=Path, default=BENCH_DIR / "RESULTS.md",
                    help="markdown file (default bench/RESULTS.md)")
    ap.add_argument("--work", type=Path, default=generate.WORK_DIR, help="cache of generated BOMs (default bench/work)")
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs remin and the floors")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds before one run is killed (default 300)")
    ap.add_argument("--budget", type=float, default=540.0, help="start no new case after this many seconds")
    ap.add_argument("--openpyxl-1m", action="store_true", help="also time pandas+openpyxl at 1M xlsx rows (~105 s)")
    ap.add_argument("--only", nargs="*", help="run only the cases whose name contains one of these")
    ap.add_argument("--tree", type=Path, default=REPO_DIR, help="remin source tree to time (default: this repo)")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")
    rows = run(args.suite, args.repeat, args.out, args.work, args.python, args.timeout, args.budget,
               args.openpyxl_1m, args.only, args.tree)
    print(f"wrote {args.out}")
    failed = [r["case"] for r in rows if r["result"] == "FAIL"]
    if failed:
        print("FAIL: " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
