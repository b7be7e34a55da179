"""Deterministic generator of realistic synthetic BOMs for remin's benchmark.

A BOM *forest* is built as a DAG of distinct parts, vectorised per height layer:
SKUs (roots) at the top, assemblies below them down to ``depth`` levels, and
purchased parts hanging off every assembly. A share of subassembly uses reuses
an assembly already used elsewhere (shared subassemblies are exploded once per
use in an indented BOM, listed once in a parent-child BOM); purchased parts are
reused with a Zipf-like popularity (screws are everywhere, a given motor is not).
Purchased parts carry unit masses in mixed units (g, kg, lb; cables in M with
g/m; bulk materials with a mass UoM), origins (CN/JP/blank) and, for a small
share, rare-earth composition as element columns or a separate composition file.

Files are written as indented or parent-child CSV or xlsx and cached under
``bench/work/`` keyed by the parameters, so reruns skip generation.

    python bench/generate.py --lines 100000 --shape indented --format csv --out DIR
    python bench/generate.py --files 1000 --lines 50 --out DIR   # many small files
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# Bump when the output for the same parameters changes, so caches regenerate.
GENERATOR_VERSION = 1
BENCH_DIR = Path(__file__).resolve().parent
WORK_DIR = BENCH_DIR / "work"
LB_KG = 0.45359237

ELEMENT_COLUMNS = ("Dy", "Tb", "Sm")  # controlled elements written as `X [wt%]`
ORIGIN_CLASSES = ("cn", "other", "unknown")
FIGURES = ("mass_kg",) + tuple(f"{e}_{o}_kg" for e in ELEMENT_COLUMNS for o in ORIGIN_CLASSES) + ("value_usd",)


@dataclass(frozen=True)
class BomSpec:
    """Parameters of one synthetic BOM. Equal specs give byte-identical files.

    lines: rows of the BOM file (indented: rows of the full explosion;
        parent-child: one row per root plus one per edge).
    parts: distinct part numbers wanted (default lines // 5); met exactly when
        the structure has enough purchased-part lines, else the manifest says so.
    depth: deepest level below a SKU (SKUs are level 0).
    shared: share of subassembly uses that reuse an assembly used elsewhere.
    branching: mean subassemblies per assembly (lowered for small ``lines`` so
        that a BOM holds at least a few SKUs).
    composition: "columns" (Dy/Tb/Sm [wt%] on BOM rows), "file" (separate long
        composition file or sheet) or "none".
    composition_share: share of purchased parts carrying rare-earth content.
    mixed_units: masses in g/kg/lb, UoM EA/PC/ST, cables in M; else all kg/EA.
    missing_mass: share of purchased parts without a unit mass.
    """

    lines: int = 10_000
    parts: int | None = None
    depth: int = 10
    shared: float = 0.15
    branching: float = 2.0
    composition: str = "columns"
    composition_share: float = 0.02
    mixed_units: bool = True
    missing_mass: float = 0.0
    shape: str = "indented"
    seed: int = 61

    def __post_init__(self):
        if self.lines < 2:
            raise ValueError(f"lines must be >= 2, got {self.lines}")
        if self.depth < 1:
            raise ValueError(f"depth must be >= 1, got {self.depth}")
        if not 0 <= self.shared < 1:
            raise ValueError(f"shared must be in [0, 1), got {self.shared}")
        if self.shape not in ("indented", "parent-child"):
            raise ValueError(f"shape must be 'indented' or 'parent-child', got {self.shape!r}")
        if self.composition not in ("columns", "file", "none"):
            raise ValueError(f"composition must be columns, file or none, got {self.composition!r}")

    @property
    def distinct_parts(self) -> int:
        return self.parts if self.parts is not None else max(2, self.lines // 5)


# --------------------------------------------------------------------------- structure

@dataclass
class Forest:
    """A BOM DAG. Part ids: assemblies 0..n_asm-1 (roots first), then purchased parts.

    Edges are sorted by parent (CSR: ``indptr``); ``qty`` is per one parent in the
    child's UoM. ``height`` is the longest path down to a purchased part (leaves 0).
    """

    n_asm: int
    n_roots: int
    parent: np.ndarray
    child: np.ndarray
    qty: np.ndarray
    indptr: np.ndarray
    height: np.ndarray
    stats: dict

    @property
    def n_parts(self) -> int:
        return len(self.height)


def _rng(spec: BomSpec) -> np.random.Generator:
    return np.random.default_rng(np.random.PCG64(spec.seed))


def _assembly_layers(rng, n_roots, depth, branching, shared):
    """Top-down, one height layer at a time: returns (sub_parent, sub_child, asm_height).

    Every assembly at height h >= 2 has one subassembly child at h-1 (so its
    height is exactly h) plus Poisson(branching-1) more, mostly at h-1. A slot is
    either a fresh assembly or (with probability ``shared``) a reuse of a fresh
    one made for the same height elsewhere.
    """
    root_h = np.full(n_roots, depth, dtype=np.int64)
    if depth > 1:  # a third of SKUs are shallower, as in real product ranges
        shallow = rng.random(n_roots) < 0.3
        shallow[0] = False  # at least one SKU reaches the full depth
        root_h[shallow] = rng.integers(max(1, depth - 3), depth, shallow.sum())
    heights = [root_h]
    slots_parent = {h: [] for h in range(1, depth)}
    slots_shared = {h: [] for h in range(1, depth)}
    sub_parent, sub_child = [], []
    next_id = n_roots
    for h in range(depth, 0, -1):
        members = np.flatnonzero(root_h == h)
        if h < depth and slots_parent[h]:
            sp = np.concatenate(slots_parent[h])
            ss = np.concatenate(slots_shared[h])
            if ss.all():
                ss[0] = False
            n_fresh = int((~ss).sum())
            fresh = np.arange(next_id, next_id + n_fresh)
            next_id += n_fresh
            heights.append(np.full(n_fresh, h, dtype=np.int64))
            child = np.empty(len(sp), dtype=np.int64)
            child[~ss] = fresh
            child[ss] = fresh[rng.integers(0, n_fresh, int(ss.sum()))]
            sub_parent.append(sp)
            sub_child.append(child)
            members = np.concatenate([members, fresh])
        if h == 1 or len(members) == 0:
            continue
        nsub = 1 + rng.poisson(max(branching - 1.0, 0.0), len(members))
        parents = np.repeat(members, nsub)
        first = np.zeros(len(parents), dtype=bool)
        first[np.cumsum(nsub) - nsub] = True
        target = np.full(len(parents), h - 1)
        if h > 2:  # 30 % of the extra subassemblies are shallower ones
            lower = ~first & (rng.random(len(parents)) < 0.3)
            target[lower] = rng.integers(1, h - 1, int(lower.sum()))
        is_shared = rng.random(len(parents)) < shared
        for t in np.unique(target):
            sel = target == t
            slots_parent[int(t)].append(parents[sel])
            slots_shared[int(t)].append(is_shared[sel])
    asm_height = np.concatenate(heights)
    if sub_parent:
        return np.concatenate(sub_parent), np.concatenate(sub_child), asm_height
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, asm_height


def _instances(sub_parent, sub_child, asm_height, n_roots):
    """How many times each assembly appears in the full explosion of all roots."""
    inst = np.zeros(len(asm_height), dtype=np.float64)
    inst[:n_roots] = 1.0
    ph = asm_height[sub_parent]
    for h in range(int(asm_height.max()), 1, -1):  # parents before children
        sel = ph == h
        inst += np.bincount(sub_child[sel], weights=inst[sub_parent[sel]], minlength=len(inst))
    return inst


def _auto_branching(lines, depth, branching, leaves_per_asm=3.0, min_roots=4):
    """Largest mean branching <= ``branching`` whose deepest SKU fits lines/min_roots."""
    budget = lines / min_roots / (1.0 + leaves_per_asm)

    def per_root(m):
        return sum(m**k for k in range(depth))

    if per_root(branching) <= budget:
        return branching
    lo, hi = 1.0, branching
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if per_root(mid) <= budget else (lo, mid)
    return lo


def _structure_lines(spec, n_roots, branching, seed_offset):
    rng = np.random.default_rng(np.random.PCG64([spec.seed, seed_offset]))
    sp, sc, ah = _assembly_layers(rng, n_roots, spec.depth, branching, spec.shared)
    inst = _instances(sp, sc, ah, n_roots)
    return rng, sp, sc, ah, inst


def build_forest(spec: BomSpec, leaves_per_asm: float = 3.0) -> Forest:
    """Build the DAG whose file form has exactly ``spec.lines`` rows."""
    n = spec.lines
    m = _auto_branching(n, spec.depth, spec.branching, leaves_per_asm)
    # Pilot with a few roots to learn the size of one SKU, then size the forest.
    pilot = 16
    _, psp, _, pah, pinst = _structure_lines(spec, pilot, m, 0)
    if spec.shape == "indented":
        rows_per_root = (1.0 + leaves_per_asm) * pinst.sum() / pilot
        n_roots = max(1, int(round(n / rows_per_root)))
    else:
        # Aim at one assembly per five distinct parts; the rest are purchased.
        asm_per_root = len(pah) / pilot
        edges_per_root = len(psp) / pilot + leaves_per_asm * asm_per_root
        n_roots = max(1, int(round(spec.distinct_parts / 5 / asm_per_root)))
        n_roots = min(n_roots, max(1, int(n / (1 + edges_per_root))))
    for attempt in range(6):
        rng, sp, sc, ah, inst = _structure_lines(spec, n_roots, m, 1 + attempt)
        n_asm = len(ah)
        first_level = (ah == 1).astype(np.float64)  # height-1 assemblies need >= 1 leaf
        if spec.shape == "indented":
            weight = inst
            base = inst.sum() + (inst * first_level).sum()
        else:
            weight = np.ones(n_asm)
            base = n_roots + len(sp) + first_level.sum()
        lam = (n - base) / weight.sum()
        if lam >= 0.5 or n_roots == 1:
            break
        n_roots = max(1, n_roots // 2)
    lam = max(lam, 0.0) * 0.995
    n_leaf = rng.poisson(lam, n_asm) + (ah == 1)
    lines = _file_rows(spec.shape, weight, n_leaf, n_roots, len(sp))
    n_leaf, shortfall = _fit_lines(rng, n - lines, n_leaf, weight, ah)

    # Purchased parts: the first L leaf edges get distinct ids, the rest are
    # Zipf-popular reuses (low ids = fasteners used everywhere).
    e_leaf = int(n_leaf.sum())
    want_leaves = spec.distinct_parts - n_asm
    n_pur = int(min(max(want_leaves, 1), e_leaf)) if e_leaf else 0
    leaf_parent = np.repeat(np.arange(n_asm), n_leaf)
    leaf_id = np.empty(e_leaf, dtype=np.int64)
    order = rng.permutation(e_leaf)
    leaf_id[order[:n_pur]] = rng.permutation(n_pur)
    if e_leaf > n_pur:
        cdf = np.cumsum(1.0 / np.arange(1, n_pur + 1) ** 1.1)
        draws = rng.random(e_leaf - n_pur) * cdf[-1]
        leaf_id[order[n_pur:]] = np.minimum(np.searchsorted(cdf, draws), n_pur - 1)

    parent = np.concatenate([sp, leaf_parent])
    child = np.concatenate([sc, n_asm + leaf_id])
    # Random order of children within each parent, then CSR by parent.
    perm = np.lexsort((rng.random(len(parent)), parent))
    parent, child = parent[perm], child[perm]
    indptr = np.zeros(n_asm + 1, dtype=np.int64)
    np.cumsum(np.bincount(parent, minlength=n_asm), out=indptr[1:])
    height = np.concatenate([ah, np.zeros(n_pur, dtype=np.int64)])
    parents_per_asm = np.bincount(sc, minlength=n_asm)[n_roots:]
    stats = {
        "roots": n_roots,
        "assemblies": n_asm - n_roots,
        "purchased_parts": n_pur,
        "distinct_parts": n_asm + n_pur,
        "distinct_parts_wanted": spec.distinct_parts,
        "edges": int(len(parent)),
        "max_depth": int(ah.max()),
        "branching_used": round(float(m), 3),
        # share of subassemblies listed under more than one parent
        "shared_subassemblies": round(float((parents_per_asm > 1).mean()), 4) if len(parents_per_asm) else 0.0,
        "lines_shortfall": int(shortfall),
    }
    qty = np.zeros(len(parent))  # filled with the attributes, which know each child's UoM
    return Forest(n_asm, n_roots, parent, child, qty, indptr, height, stats)


def _file_rows(shape, weight, n_leaf, n_roots, n_sub):
    if shape == "indented":
        return int(round(weight.sum() + (weight * n_leaf).sum()))
    return int(n_roots + n_sub + n_leaf.sum())


def _fit_lines(rng, delta, n_leaf, weight, asm_height):
    """Add or remove purchased-part lines on assemblies used once, to hit ``lines`` exactly."""
    once = np.flatnonzero(weight == 1.0)
    n_leaf = n_leaf.copy()
    if delta > 0:
        n_leaf += np.bincount(rng.choice(once, delta), minlength=len(n_leaf))
        return n_leaf, 0
    if delta < 0:
        spare = n_leaf[once] - (asm_height[once] == 1)
        pool = np.repeat(once, np.maximum(spare, 0))
        k = min(-delta, len(pool))
        n_leaf -= np.bincount(rng.choice(pool, k, replace=False), minlength=len(n_leaf))
        return n_leaf, -delta - k
    return n_leaf, 0


# --------------------------------------------------------------------------- attributes

# Purchased-part classes: name, "common" (reused everywhere), UoM kind, median
# mass in kg per UoM unit (per metre for cables), median price USD, weight of the class.
_CLASSES = [
    # name,             common, kind,   mass,   price, weight, part_class
    ("Screw",             True,  "ea",   0.004,  0.05,  4.0, ""),
    ("Washer",            True,  "ea",   0.001,  0.01,  2.0, ""),
    ("Nut",               True,  "ea",   0.003,  0.03,  2.0, ""),
    ("Clip",              True,  "ea",   0.002,  0.04,  1.0, ""),
    ("Label",             True,  "ea",   0.0005, 0.02,  1.0, ""),
    ("Grease",            True,  "mass", 0.0,    0.02,  0.5, ""),
    ("Bracket",           False, "ea",   0.12,   1.50,  3.0, ""),
    ("Housing",           False, "ea",   0.8,    6.00,  1.5, ""),
    ("PCB assembly",      False, "ea",   0.06,   12.0,  1.5, ""),
    ("Connector",         False, "ea",   0.01,   0.60,  2.0, ""),
    ("Capacitor",         False, "ea",   0.002,  0.08,  2.0, ""),
    ("Resistor",          False, "ea",   0.0003, 0.01,  2.0, ""),
    ("Sensor",            False, "ea",   0.03,   4.00,  1.0, ""),
    ("Seal",              False, "ea",   0.01,   0.30,  1.0, ""),
    ("Cable",             False, "m",    0.05,   0.80,  1.0, ""),
    ("Adhesive",          False, "mass", 0.0,    0.03,  0.3, ""),
    # classes with rare-earth content, used only for composition parts
    ("NdFeB magnet",      False, "ea",   0.05,   3.00,  0.0, "ndfeb-magnet"),
    ("SmCo magnet",       False, "ea",   0.02,   6.00,  0.0, "smco-magnet"),
    ("Traction motor",    False, "ea",   1.5,    90.0,  0.0, ""),
    ("Speaker",           False, "ea",   0.3,    5.00,  0.0, ""),
]
_RE_CLASS_SHARES = {"NdFeB magnet": 0.5, "SmCo magnet": 0.1, "Traction motor": 0.25, "Speaker": 0.15}
# wt% ranges per RE class: (Dy, Tb, Sm) low/high; 0 means absent
_RE_WT = {
    "NdFeB magnet": ((0.5, 6.0), (0.0, 1.5), (0.0, 0.0)),
    "SmCo magnet": ((0.0, 0.0), (0.0, 0.0), (23.0, 27.0)),
    "Traction motor": ((0.05, 0.5), (0.0, 0.1), (0.0, 0.0)),
    "Speaker": ((0.0, 0.3), (0.0, 0.0), (0.0, 0.0)),
}
_COUNTRIES = (["CN", "JP", "DE", "US", "MX", "VN", ""], [0.35, 0.10, 0.15, 0.10, 0.10, 0.05, 0.15])
_RE_ORIGINS = (["CN", "JP", ""], [0.55, 0.25, 0.20])


@dataclass
class PartTable:
    """Per-part columns as written (strings/floats, NaN = blank) and the truth in SI."""

    columns: dict          # header -> np.ndarray (object or float), one entry per part
    mass_kg: np.ndarray    # kg per one unit of the part's UoM; NaN if not declared
    element_kg: np.ndarray  # (n_parts, 3) kg of Dy, Tb, Sm per one unit
    origin_class: np.ndarray  # 0 cn, 1 other, 2 unknown (of the RE content)
    value_usd: np.ndarray  # USD per one unit; NaN for assemblies
    uom_kind: np.ndarray   # "ea", "m", "mass" per part
    composition: dict | None  # long composition table (file mode) or None


def _pick(rng, choices, p, size):
    return np.asarray(choices, dtype=object)[rng.choice(len(choices), size, p=np.asarray(p) / sum(p))]


def _codes(prefix, ids, width):
    return (prefix + pa.array(ids).cast(pa.string()).to_pandas().str.zfill(width)).to_numpy(dtype=object)


def _sig(x, digits=4):
    """Round to ``digits`` significant figures (what an ERP export shows)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(x > 0, np.floor(np.log10(np.abs(x))), 0)
    scale = 10.0 ** (digits - 1 - mag)
    return np.round(x * scale) / scale


def build_parts(spec: BomSpec, forest: Forest) -> PartTable:
    rng = np.random.default_rng(np.random.PCG64([spec.seed, 99]))
    n, n_asm, n_pur = forest.n_parts, forest.n_asm, forest.n_parts - forest.n_asm
    names = np.array([c[0] for c in _CLASSES], dtype=object)
    common = np.array([c[1] for c in _CLASSES])
    kind = np.array([c[2] for c in _CLASSES], dtype=object)
    mass_med = np.array([c[3] for c in _CLASSES])
    price_med = np.array([c[4] for c in _CLASSES])
    cls_weight = np.array([c[5] for c in _CLASSES])
    pclass = np.array([c[6] for c in _CLASSES], dtype=object)

    # Class per purchased part: popular (low-id) parts are fasteners and bulk.
    n_common = max(1, n_pur // 100)
    pur_cls = np.empty(n_pur, dtype=np.int64)
    cw = np.where(common, cls_weight, 0)
    sw = np.where(~common, cls_weight, 0)
    pur_cls[:n_common] = rng.choice(len(_CLASSES), n_common, p=cw / cw.sum())
    pur_cls[n_common:] = rng.choice(len(_CLASSES), n_pur - n_common, p=sw / sw.sum())
    has_re = np.zeros(n_pur, dtype=bool)
    if spec.composition != "none" and n_pur > n_common:
        k = int(round(spec.composition_share * n_pur))
        k = min(max(k, 1), n_pur - n_common)
        idx = n_common + rng.choice(n_pur - n_common, k, replace=False)
        has_re[idx] = True
        re_names = list(_RE_CLASS_SHARES)
        re_idx = np.array([list(names).index(r) for r in re_names])
        pur_cls[idx] = re_idx[rng.choice(len(re_names), k, p=list(_RE_CLASS_SHARES.values()))]
    pkind = kind[pur_cls]
    if not spec.mixed_units:
        pkind = np.where(pkind == "m", "ea", pkind)

    # Truth: mass per UoM unit in kg, price per UoM unit in USD.
    mass = mass_med[pur_cls] * rng.lognormal(0.0, 0.6, n_pur)
    price = _sig(price_med[pur_cls] * rng.lognormal(0.0, 0.5, n_pur), 3)

    # As written: weight unit and value in that unit; mass-UoM lines carry their own mass.
    if spec.mixed_units:
        w_unit = _pick(rng, ["g", "kg", "lb"], [0.55, 0.30, 0.15], n_pur)
        w_unit = np.where(pkind == "m", "g/m", w_unit)
        uom = _pick(rng, ["EA", "PC", "ST"], [0.7, 0.2, 0.1], n_pur)
        uom = np.where(pkind == "m", "M", uom)
        mass_uom = _pick(rng, ["G", "KG"], [0.6, 0.4], n_pur)
    else:
        w_unit = np.full(n_pur, "kg", dtype=object)
        uom = np.full(n_pur, "EA", dtype=object)
        mass_uom = np.full(n_pur, "KG", dtype=object)
    per_kg = np.select([w_unit == "g", w_unit == "g/m", w_unit == "lb"], [1000.0, 1000.0, 1 / LB_KG], 1.0)
    weight = _sig(mass * per_kg, 4)
    mass_true = weight / per_kg
    is_mass = pkind == "mass"
    uom = np.where(is_mass, mass_uom, uom)
    mass_true = np.where(is_mass, np.where(mass_uom == "G", 0.001, 1.0), mass_true)
    weight = np.where(is_mass, np.nan, weight)
    w_unit = np.where(is_mass, "", w_unit)
    missing = ~has_re & ~is_mass & (rng.random(n_pur) < spec.missing_mass)
    weight[missing] = np.nan
    w_unit = np.where(missing, "", w_unit)
    mass_true[missing] = np.nan

    country = _pick(rng, *_COUNTRIES, n_pur)
    re_origin = np.where(has_re, _pick(rng, *_RE_ORIGINS, n_pur), "")
    origin_class = np.where(re_origin == "CN", 0, np.where(re_origin == "JP", 1, np.where(country == "CN", 0, 2)))

    wt = np.full((n_pur, 3), np.nan)
    cname = names[pur_cls]
    for cls, ranges in _RE_WT.items():
        sel = has_re & (cname == cls)
        for j, (lo, hi) in enumerate(ranges):
            if hi > 0:
                v = np.round(rng.uniform(lo, hi, int(sel.sum())), 2)
                wt[sel, j] = np.where(v > 0, v, np.nan)
    # A part without element data contains none (zero), even if its mass is unknown.
    element_kg = np.where(np.isnan(wt), 0.0, wt / 100.0 * mass_true[:, None])

    # Assemblies: no declared mass or value; roll-up decides.
    asm_ids = np.arange(n_asm)
    desc_asm = np.where(asm_ids < forest.n_roots, "Product ", "Assembly ").astype(object)
    variant = _codes("V", rng.integers(0, 10_000, n), 4)
    size_tok = _pick(rng, ["M3", "M4", "M5", "M6", "M8", "10x5", "20x10", "40x20", "S", "L", "XL"], [1] * 11, n_pur)

    def full(asm_value, pur_value, dtype=object):
        out = np.empty(n, dtype=dtype)
        out[:n_asm] = asm_value
        out[n_asm:] = pur_value
        return out

    part_no = full(
        np.where(asm_ids < forest.n_roots, _codes("SKU-", asm_ids, 6), _codes("A", asm_ids, 7)),
        _codes("P", np.arange(n_pur), 7),
    )
    description = full(desc_asm + variant[:n_asm], cname + " " + size_tok + " " + variant[n_asm:])
    columns = {
        "Part Number": part_no,
        "Description": description,
        "UoM": full("EA", uom),
        "Unit weight": full(np.nan, weight, np.float64),
        "Weight unit": full("", w_unit),
        "RE origin": full("", re_origin),
        "Country of origin": full("", country),
        "Unit price": full(np.nan, price, np.float64),
        "Currency": full("", np.full(n_pur, "USD", dtype=object)),
    }
    if spec.composition == "columns":
        for j, e in enumerate(ELEMENT_COLUMNS):
            columns[f"{e} [wt%]"] = full(np.nan, wt[:, j], np.float64)
    if spec.composition != "none":
        columns["Part class"] = full("", pclass[pur_cls])
    composition = None
    if spec.composition == "file":
        composition = _composition_table(rng, part_no[n_asm:], has_re, cname, wt, mass_true)

    return PartTable(
        columns=columns,
        mass_kg=full(np.nan, mass_true, np.float64),
        element_kg=np.vstack([np.zeros((n_asm, 3)), element_kg]),
        origin_class=full(2, origin_class, np.int64),
        value_usd=full(np.nan, price, np.float64),
        uom_kind=full("ea", pkind),
        composition=composition,
    )


def _composition_table(rng, part_no, has_re, cname, wt, mass_kg):
    """Long composition rows: the controlled elements plus Nd/Pr/Co for realism,
    amounts mostly in wt%, some in ppm or g per part; origin mostly blank (inherits)."""
    idx = np.flatnonzero(has_re)
    rows_part, rows_sub, rows_pct = [], [], []
    for j, e in enumerate(ELEMENT_COLUMNS):
        sel = idx[~np.isnan(wt[idx, j])]
        rows_part.append(sel), rows_sub.append(np.full(len(sel), e, dtype=object)), rows_pct.append(wt[sel, j])
    others = (("NdFeB magnet", "Nd", 22, 28), ("NdFeB magnet", "Pr", 4, 7), ("SmCo magnet", "Co", 48, 52))
    for cls, extra, lo, hi in others:
        sel = idx[cname[idx] == cls]
        rows_part.append(sel), rows_sub.append(np.full(len(sel), extra, dtype=object))
        rows_pct.append(np.round(rng.uniform(lo, hi, len(sel)), 2))
    p = np.concatenate(rows_part)
    pct = np.concatenate(rows_pct)
    order = np.argsort(p, kind="stable")
    p, sub, pct = p[order], np.concatenate(rows_sub)[order], pct[order]
    unit = _pick(rng, ["wt%", "ppm", "g"], [0.8, 0.1, 0.1], len(p))
    amount = np.select([unit == "ppm", unit == "g"], [pct * 1e4, _sig(pct / 100 * mass_kg[p] * 1000, 4)], pct)
    origin = np.where(rng.random(len(p)) < 0.7, "", _pick(rng, ["CN", "JP"], [0.6, 0.4], len(p)))
    return {"Part Number": part_no[p], "Element": sub, "Amount": amount, "Unit": unit, "Origin": origin}


def fill_quantities(spec: BomSpec, forest: Forest, parts: PartTable) -> None:
    """Quantity per edge, in the child's UoM: whole pieces, metres of cable, grams or kg of bulk."""
    rng = np.random.default_rng(np.random.PCG64([spec.seed, 7]))
    kind = parts.uom_kind[forest.child]
    is_asm = forest.child < forest.n_asm
    n = len(kind)
    pieces = np.minimum(rng.geometric(0.45, n), 12).astype(np.float64)
    sub = rng.choice([1.0, 2.0, 4.0], n, p=[0.85, 0.12, 0.03])
    metres = np.round(rng.uniform(0.2, 3.0, n), 2)
    uom = parts.columns["UoM"][forest.child]
    bulk = np.where(uom == "G", rng.integers(5, 200, n).astype(np.float64), np.round(rng.uniform(0.01, 0.5, n), 3))
    forest.qty[:] = np.select([is_asm, kind == "m", kind == "mass"], [sub, metres, bulk], pieces)


# --------------------------------------------------------------------------- explosion

def explode(forest: Forest) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of the indented BOM in depth-first order: (part id, level, edge id or -1).

    Vectorised per level: a node's row is its parent's row + 1 + the sizes of
    the subtrees of the siblings listed before it.
    """
    n_asm = forest.n_asm
    size = np.ones(forest.n_parts, dtype=np.int64)
    ph = forest.height[forest.parent]
    for h in range(1, int(forest.height.max()) + 1):  # children before parents
        sel = ph == h
        sums = np.bincount(forest.parent[sel], weights=size[forest.child[sel]], minlength=n_asm)
        size[:n_asm] += sums.astype(np.int64)
    child_size = size[forest.child]
    excl = np.cumsum(child_size) - child_size
    offset = excl - excl[forest.indptr[forest.parent]] + 1

    roots = np.arange(forest.n_roots)
    total = int(size[roots].sum())
    out_part = np.empty(total, dtype=np.int64)
    out_level = np.empty(total, dtype=np.int64)
    out_edge = np.full(total, -1, dtype=np.int64)
    pos = np.cumsum(size[roots]) - size[roots]
    part, level = roots, 0
    out_part[pos] = part
    out_level[pos] = 0
    while len(part):
        asm = part < n_asm
        part, pos = part[asm], pos[asm]
        counts = forest.indptr[part + 1] - forest.indptr[part]
        rep = np.repeat(np.arange(len(part)), counts)
        starts = np.cumsum(counts) - counts
        edge = forest.indptr[part][rep] + np.arange(int(counts.sum())) - starts[rep]
        level += 1
        part = forest.child[edge]
        pos = pos[rep] + offset[edge]
        out_part[pos] = part
        out_level[pos] = level
        out_edge[pos] = edge
    return out_part, out_level, out_edge


# --------------------------------------------------------------------------- tables and writers

def bom_table(spec: BomSpec, forest: Forest, parts: PartTable) -> pa.Table:
    """The BOM as an Arrow table with the file's headers, in row order."""
    if spec.shape == "indented":
        row_part, level, edge = explode(forest)
        qty = np.where(edge >= 0, forest.qty[np.maximum(edge, 0)], 1.0)
        lead = {"Level": pa.array(level)}
    else:
        roots = np.arange(forest.n_roots)
        row_part = np.concatenate([roots, forest.child])
        parent = np.concatenate([np.full(forest.n_roots, -1), forest.parent])
        qty = np.concatenate([np.ones(forest.n_roots), forest.qty])
        names = parts.columns["Part Number"]
        lead = {"Parent": pa.array(np.where(parent >= 0, names[np.maximum(parent, 0)], ""), pa.string())}
    idx = pa.array(row_part)
    cols = dict(lead)
    for header, values in parts.columns.items():
        cols[header] = pa.array(values, from_pandas=True).take(idx)
        if header == "Description":  # Qty is per line, the rest per part
            cols["Qty"] = pa.array(qty)
    return pa.table(cols)


def composition_table(parts: PartTable) -> pa.Table | None:
    if parts.composition is None:
        return None
    return pa.table({k: pa.array(v, from_pandas=True) for k, v in parts.composition.items()})


def write_csv(table: pa.Table, path: Path) -> None:
    """Arrow's C++ CSV writer: blank for null or empty; no quotes, as no value holds a comma or quote."""
    cols = {}
    for name in table.column_names:
        col = table[name]
        if pa.types.is_floating(col.type):
            col = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
        cols[name] = col
    with open(path, "wb") as f:  # header unquoted too, as ERP exports write it
        f.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(pa.table(cols), f, pacsv.WriteOptions(include_header=False, quoting_style="none"))


def write_xlsx(sheets: dict[str, pa.Table], path: Path) -> str:
    """Write sheets with rustpy-xlsxwriter (Rust rust_xlsxwriter behind a Python API).

    Measured on this machine for the 1,000,000-row indented BOM: 10.5 s, where
    xlsxwriter (constant_memory) takes 99 s and openpyxl (write_only) about 190 s.
    Strings go to the shared-string table, as in a file saved by Excel (fastexcel
    reads it in 6.3 s against 10 s for inline strings). Blank cells are not written.
    Returns the writer's name for the manifest.
    """
    try:
        from rustpy_xlsxwriter import FastExcel, get_version
    except ImportError:
        raise SystemExit("generate.py: writing xlsx needs rustpy-xlsxwriter: pip install 'remin[bench]'") from None
    book = FastExcel(str(path))
    for name, table in sheets.items():
        book.sheet(name, table.to_pandas(), dedupe_strings=True)
    book.save()
    return f"rustpy-xlsxwriter {get_version()} (shared strings)"


# --------------------------------------------------------------------------- cache and entry points

@dataclass
class GeneratedBom:
    """Paths of one generated BOM and its manifest (counts, timings, writer)."""

    files: list[Path]      # the BOM first, then a composition file if separate
    manifest: dict
    directory: Path

    @property
    def bom(self) -> Path:
        return self.files[0]


def spec_key(spec: BomSpec, fmt: str, extra: dict | None = None) -> str:
    payload = dict(dataclasses.asdict(spec), format=fmt, version=GENERATOR_VERSION, **(extra or {}))
    digest = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:10]
    return f"{spec.shape}-{fmt}-{spec.lines}-{digest}"


def ensure_bom(spec: BomSpec, fmt: str = "csv", out: Path | None = None, force: bool = False) -> GeneratedBom:
    """Generate (or reuse from cache) one BOM file; ``out`` defaults to bench/work/<key>/."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"format must be csv or xlsx, got {fmt!r}")
    key = spec_key(spec, fmt)
    directory = Path(out) if out is not None else WORK_DIR / key
    manifest_path = directory / "manifest.json"
    if not force and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        files = [directory / f for f in manifest["files"]]
        if manifest.get("key") == key and all(f.exists() for f in files):
            return GeneratedBom(files, manifest, directory)
    directory.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    forest = build_forest(spec)
    parts = build_parts(spec, forest)
    fill_quantities(spec, forest, parts)
    table = bom_table(spec, forest, parts)
    comp = composition_table(parts)
    t_build = time.perf_counter() - t0
    stem = "bom" if spec.shape == "indented" else "bom-parent-child"
    files = []
    t1 = time.perf_counter()
    if fmt == "csv":
        files.append(directory / f"{stem}.csv")
        write_csv(table, files[0])
        if comp is not None:
            files.append(directory / "composition.csv")
            write_csv(comp, files[1])
        writer = f"pyarrow.csv {pa.__version__}"
    else:
        files.append(directory / f"{stem}.xlsx")
        sheets = {"BOM": table}
        if comp is not None:
            sheets["Composition"] = comp
        writer = write_xlsx(sheets, files[0])
    np.savez(directory / "forest.npz", parent=forest.parent, child=forest.child, qty=forest.qty,
             n_asm=forest.n_asm, n_roots=forest.n_roots, declared=declared_figures(parts))
    manifest = {
        "key": key,
        "spec": dataclasses.asdict(spec),
        "format": fmt,
        "files": [f.name for f in files],
        "rows": table.num_rows,
        "composition_rows": 0 if comp is None else comp.num_rows,
        **forest.stats,
        "build_s": round(t_build, 3),
        "write_s": round(time.perf_counter() - t1, 3),
        "writer": writer,
        "generator_version": GENERATOR_VERSION,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return GeneratedBom(files, manifest, directory)


def declared_figures(parts: PartTable) -> np.ndarray:
    """(n_parts, len(FIGURES)) per one UoM unit: mass, Dy/Tb/Sm kg by origin class, value.

    NaN where a part declares nothing (assemblies: the roll-up decides); a
    purchased part without element content declares zero of each element.
    """
    n = len(parts.mass_kg)
    out = np.full((n, len(FIGURES)), np.nan)
    pur = ~np.isnan(parts.value_usd)
    out[:, 0] = parts.mass_kg
    for j in range(len(ELEMENT_COLUMNS)):
        for o in range(len(ORIGIN_CLASSES)):
            col = 1 + j * len(ORIGIN_CLASSES) + o
            out[pur, col] = np.where(parts.origin_class[pur] == o, parts.element_kg[pur, j], 0.0)
    out[:, -1] = parts.value_usd
    return out


def ensure_many(files: int, lines: int, out: Path | None = None, seed: int = 61, depth: int = 3,
                force: bool = False) -> tuple[Path, dict]:
    """``files`` small indented CSV BOMs of ``lines`` rows each (for ``remin batch``)."""
    payload = {"files": files, "lines": lines, "seed": seed, "depth": depth, "version": GENERATOR_VERSION}
    key = "many-" + hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:10]
    directory = Path(out) if out is not None else WORK_DIR / f"{key}-{files}x{lines}"
    manifest_path = directory / "manifest.json"
    if not force and manifest_path.exists() and json.loads(manifest_path.read_text()).get("key") == key:
        return directory, json.loads(manifest_path.read_text())
    boms = directory / "boms"
    boms.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for i in range(files):
        spec = BomSpec(lines=lines, parts=max(2, int(lines * 0.6)), depth=depth, seed=seed * 100_003 + i)
        forest = build_forest(spec)
        parts = build_parts(spec, forest)
        fill_quantities(spec, forest, parts)
        write_csv(bom_table(spec, forest, parts), boms / f"bom-{i:05d}.csv")
    manifest = {"key": key, **payload, "directory": "boms", "build_s": round(time.perf_counter() - t0, 3)}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return directory, manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=10_000, help="rows of the BOM file (default 10000)")
    ap.add_argument("--parts", type=int, default=None, help="distinct part numbers (default lines/5)")
    ap.add_argument("--depth", type=int, default=10, help="deepest level below a SKU (default 10)")
    ap.add_argument("--shared", type=float, default=0.15,
                    help="share of subassembly uses that reuse one used elsewhere (default 0.15)")
    ap.add_argument("--shape", choices=["indented", "parent-child"], default="indented")
    ap.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    ap.add_argument("--composition", choices=["columns", "file", "none"], default="columns")
    ap.add_argument("--composition-share", type=float, default=0.02, help="share of purchased parts with rare earths")
    ap.add_argument("--single-units", action="store_true", help="all masses in kg, all UoM EA (default: mixed)")
    ap.add_argument("--missing-mass", type=float, default=0.0, help="share of purchased parts without unit mass")
    ap.add_argument("--seed", type=int, default=61)
    ap.add_argument("--files", type=int, default=0, help="many-small-files mode: this many BOMs of --lines rows")
    ap.add_argument("--out", type=Path, default=None, help="output directory (default bench/work/<key>/)")
    ap.add_argument("--force", action="store_true", help="regenerate even if cached")
    args = ap.parse_args(argv)
    try:
        if args.files:
            directory, manifest = ensure_many(args.files, args.lines, args.out, seed=args.seed, force=args.force)
            print(json.dumps({"directory": str(directory), **manifest}, indent=2))
            return 0
        spec = BomSpec(lines=args.lines, parts=args.parts, depth=args.depth, shared=args.shared,
                       composition=args.composition, composition_share=args.composition_share,
                       mixed_units=not args.single_units, missing_mass=args.missing_mass,
                       shape=args.shape, seed=args.seed)
        gen = ensure_bom(spec, args.format, args.out, force=args.force)
    except ValueError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"files": [str(f) for f in gen.files], **gen.manifest}, indent=2))
    m = gen.manifest
    if m["distinct_parts"] != m["distinct_parts_wanted"] or m["lines_shortfall"]:
        print(f"generate.py: note: {m['distinct_parts']:,} distinct parts of {m['distinct_parts_wanted']:,} wanted, "
              f"{m['rows']:,} rows of {spec.lines:,} (lower --shared or --parts, or raise --lines)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
