"""The roll-up engine: numbers in, numbers out, no I/O.

A BOM is a DAG of parts; edge (parent, child, amount) says one unit of the parent
holds ``amount`` base units of the child. Each figure of a part (a column of
``own``) is its own declaration where it has one, else the sum over its children
of amount x the child's figure. Parts are processed level by level from the leaves
(height 0) up, each level one sparse-matrix product, so a million-part BOM rolls
up in a fraction of a second; a shared subassembly is computed once and counted
once per use. Parts on or above a cycle get NaN (unknown), and the cycles are
returned as lists of part positions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse

from remin.errors import InputError
from remin.limits import SETTINGS, current
from remin.timing import timed


@dataclass(frozen=True)
class Graph:
    n: int
    by_parent: sparse.csr_matrix          # (n x n): [parent, child] = amount (duplicates summed)
    height: np.ndarray                    # 0 for leaves; -1 for parts on or above a cycle
    levels: tuple[np.ndarray, ...]        # part positions by height, leaves first
    cycles: tuple[tuple[int, ...], ...] = field(default=())

    @cached_property
    def has_children(self) -> np.ndarray:
        return np.diff(self.by_parent.indptr) > 0

    @cached_property
    def structure(self) -> sparse.csr_matrix:
        """by_parent with every amount 1: for roll-ups where only the structure counts."""
        struct = self.by_parent.copy()
        struct.data[:] = 1.0
        return struct

    @cached_property
    def by_child(self) -> sparse.csc_matrix:
        """by_parent by column: each part's parents (rows) from indptr/indices."""
        return self.by_parent.tocsc()

    @cached_property
    def _level_rows(self) -> tuple[tuple[np.ndarray, sparse.csr_matrix], ...]:
        """(parts, their rows of by_parent) per level above the leaves, sliced once:
        every roll-up reuses them instead of slicing the CSR again."""
        return tuple((nodes, self.by_parent[nodes]) for nodes in self.levels[1:])

    @cached_property
    def _structure_rows(self) -> tuple[tuple[np.ndarray, sparse.csr_matrix], ...]:
        """The same per-level rows of :attr:`structure`."""
        return tuple((nodes, self.structure[nodes]) for nodes in self.levels[1:])

    def level_rows(self, weights: sparse.csr_matrix | None = None):
        """(parts, (len(parts) x n) matrix rows) per level above the leaves, bottom up,
        of the amounts, of ``weights`` (sliced per call) or, for ``weights is
        graph.structure``, of the cached structure."""
        if weights is None:
            return self._level_rows
        if weights is self.structure:
            return self._structure_rows
        return tuple((nodes, weights[nodes]) for nodes in self.levels[1:])


@timed("rollup")
def build_graph(n: int, parent: np.ndarray, child: np.ndarray, amount: np.ndarray,
                max_depth: int | None = None) -> Graph:
    """Heights by peeling leaves (Kahn's algorithm, one vectorised step per level).
    Raises InputError past ``max_depth`` levels (default: the ``max_depth`` limit)."""
    parent = np.asarray(parent, dtype=np.int64)
    child = np.asarray(child, dtype=np.int64)
    amount = np.asarray(amount, dtype=np.float64)
    by_parent = sparse.csr_matrix((amount, (parent, child)), shape=(n, n))
    by_parent.sum_duplicates()
    by_child = by_parent.tocsc()        # each part's parents; kept for contains()
    pending = np.diff(by_parent.indptr).astype(np.int64)      # distinct children not yet placed
    height = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(pending == 0)
    levels = []
    h = 0
    max_depth = current().max_depth if max_depth is None else max_depth
    while len(frontier):
        if h > max_depth:       # each level costs a sparse step: a 20,000-deep chain takes minutes
            raise InputError(f"the BOM is more than {max_depth} levels deep (a chain of parents that long is "
                             "no real product: check the parent column); raise the limit with --max-depth or "
                             f"{SETTINGS['max_depth'][0]}")
        height[frontier] = h
        levels.append(frontier)
        parents = gather(by_child.indptr, by_child.indices, frontier)
        if not len(parents):
            break
        if len(parents) > n // 8:     # a wide level: counting beats sorting
            dec = np.bincount(parents, minlength=n)
            touched = np.flatnonzero(dec)
            dec = dec[touched]
        else:
            touched, dec = np.unique(parents, return_counts=True)
        pending[touched] -= dec
        frontier = touched[pending[touched] == 0]
        h += 1
    cycles = _cycles(by_parent, height, parent, child) if (height < 0).any() else ()
    graph = Graph(n, by_parent, height, tuple(levels), cycles)
    graph.__dict__["by_child"] = by_child    # seed the cached property: built here anyway
    return graph


def gather(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The entries of compressed-sparse ``rows`` (their column indices), concatenated."""
    start, count = indptr[rows], indptr[rows + 1] - indptr[rows]
    total = int(count.sum())
    pos = np.repeat(start - np.cumsum(count) + count, count) + np.arange(total)
    return indices[pos]


def _cycles(by_parent, height, parent, child) -> tuple[tuple[int, ...], ...]:
    """Strongly connected components (size > 1, or a self-loop) among unresolved parts."""
    from scipy.sparse.csgraph import connected_components  # here: it imports scipy.sparse.linalg (~0.1 s)

    stuck = np.flatnonzero(height < 0)
    sub = by_parent[stuck][:, stuck]
    n_comp, labels = connected_components(sub, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=n_comp)
    self_loop = set(parent[parent == child].tolist())
    out = []
    for c in range(n_comp):
        members = stuck[labels == c]
        if sizes[c] > 1 or (sizes[c] == 1 and int(members[0]) in self_loop):
            out.append(tuple(int(m) for m in members))
    return tuple(out)


@timed("rollup")
def rollup(graph: Graph, own: np.ndarray, declared: np.ndarray, leaf_default: np.ndarray | float,
           weights: sparse.csr_matrix | None = None, children: bool = True
           ) -> tuple[np.ndarray, np.ndarray | None]:
    """Roll figures up the BOM.

    own: (n, F) declared figures per one base unit of each part (anything where not declared).
    declared: (n,) or (n, F) bool, where the part's own figure wins over its children.
    leaf_default: figure of an undeclared part without children (NaN = unknown, 0 = none).
    weights: an alternative (n x n) matrix to the graph's amounts (e.g. ``graph.structure``
    for "contains").
    Returns (totals, children_sum), both (n, F); children_sum is NaN for leaves (None
    with ``children=False``: saves an n x F array where it is not wanted).
    """
    own = np.asarray(own, dtype=np.float64)
    if own.ndim == 1:
        own = own[:, None]
    n, F = own.shape
    declared = np.asarray(declared, bool).reshape(n, -1)        # (n, 1) or (n, F): broadcasts
    child_sum = np.full((n, F), np.nan) if children else None
    default = np.broadcast_to(np.asarray(leaf_default, dtype=np.float64), (F,))
    # Every part as if it were a leaf, in one pass over whole arrays (no gather/scatter of
    # the many leaves); the levels above overwrite their parts before anything reads them,
    # since a level only reads the levels below it.
    # built C-ordered whatever the layout of ``own`` (a column selection of a wider array
    # is Fortran-ordered): the level products gather whole rows of ``totals``
    totals = np.empty((n, F))
    totals[...] = default[None, :]
    np.copyto(totals, own, where=declared)
    if graph.cycles or (graph.height < 0).any():
        totals[graph.height < 0] = np.nan        # on or above a cycle: unknown
    one_flag = declared.shape[1] == 1
    for nodes, rows in graph.level_rows(weights):
        summed = rows @ totals
        if child_sum is not None:
            child_sum[nodes] = summed
        if not one_flag:
            totals[nodes] = np.where(declared[nodes], own[nodes], summed)
            continue
        # declared parts already hold their own figure: write only the others (no gather of own)
        open_ = ~declared[nodes, 0]
        if open_.all():
            totals[nodes] = summed
        elif open_.any():
            totals[nodes[open_]] = summed[open_]
    return totals, child_sum


def extended_quantities(graph: Graph, root: int, stop: np.ndarray) -> np.ndarray:
    """How many base units of every part one unit of ``root`` holds, not descending
    below parts where ``stop`` is true (their own declaration covers their subtree).
    Shared subassemblies accumulate over every path."""
    x = np.zeros(graph.n)
    x[root] = 1.0
    h_root = graph.height[root]
    if h_root <= 0:
        return x
    MT = graph.by_parent
    for h in range(h_root, 0, -1):
        nodes = graph.levels[h]
        active = nodes[(x[nodes] != 0) & ~stop[nodes]]
        if len(active):
            x += MT[active].T @ x[active]
    return x


@timed("rollup")
def extended_matrix(graph: Graph, roots: np.ndarray, stop: np.ndarray, enter: np.ndarray | None = None
                    ) -> sparse.csr_matrix:
    """Extended quantities of every part in many roots at once: an (n x len(roots))
    sparse matrix whose column j is ``extended_quantities(graph, roots[j], stop)``.
    One sparse product per level, so its cost is the size of the exploded BOM.
    ``enter`` (n,) bool: only these parts (and the roots) get rows; give the parts
    holding what is wanted (``contains``) and the rest of the BOM costs nothing."""
    roots = np.asarray(roots, dtype=np.int64)
    k = len(roots)
    if k == 0:
        return sparse.csr_matrix((graph.n, k))
    # with ``enter``, X holds rows only for the entered parts and the roots (compact
    # positions ``local``): each level's sparse addition then costs the parts that
    # matter, not a pass over all n rows
    if enter is None:
        enter_b, kept, local = None, None, None
        m = graph.n
    else:
        enter_b = np.asarray(enter, bool)
        is_kept = enter_b.copy()
        is_kept[roots] = True
        kept = np.flatnonzero(is_kept)
        local = np.full(graph.n, -1, dtype=np.int64)
        local[kept] = np.arange(len(kept))
        m = len(kept)
    at = roots if local is None else local[roots]
    X = sparse.csr_matrix((np.ones(k), (at, np.arange(k))), shape=(m, k))
    top = int(graph.height[roots].max())
    for h in range(top, 0, -1):
        nodes = graph.levels[h] if h < len(graph.levels) else np.zeros(0, np.int64)
        nodes = nodes[~stop[nodes]] if enter is None else nodes[~stop[nodes] & enter_b[nodes]]
        if not len(nodes):
            continue
        X_nodes = X[nodes if local is None else local[nodes]]
        if X_nodes.nnz == 0:
            continue
        rows = graph.by_parent[nodes]
        if local is not None:
            rows = _entered_columns(rows, enter_b, local, m)
        X = X + (rows.T @ X_nodes).tocsr()
    if local is None:
        return X
    counts = np.zeros(graph.n, dtype=np.int64)
    counts[kept] = np.diff(X.indptr)
    indptr = np.concatenate(([0], np.cumsum(counts)))
    return sparse.csr_matrix((X.data, X.indices, indptr), shape=(graph.n, k))


def _entered_columns(rows: sparse.csr_matrix, enter: np.ndarray, local: np.ndarray, m: int) -> sparse.csr_matrix:
    """``rows`` with only the entries of entered columns, renumbered to compact
    positions (an (len(rows) x m) matrix): as rows @ diag(enter), without the diagonal."""
    keep = enter[rows.indices] & (rows.data != 0)     # the product with the diagonal drops zeros
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    counts = np.bincount(row_of[keep], minlength=rows.shape[0])
    indptr = np.concatenate(([0], np.cumsum(counts)))
    return sparse.csr_matrix((rows.data[keep], local[rows.indices[keep]], indptr), shape=(rows.shape[0], m))


@timed("rollup")
def contains(graph: Graph, flag: np.ndarray) -> np.ndarray:
    """True for parts that are flagged or hold a flagged part anywhere below them
    (quantities do not matter, only the structure). Parts on or above a cycle: False
    unless flagged (their roll-up is unknown). ``flag``: (n,) or (n, k) for k flags;
    the result has its shape. Walks up from the flagged parts only, so a flag few
    parts carry costs little."""
    flag = np.asarray(flag, bool)
    if flag.ndim == 2:
        return np.column_stack([contains(graph, flag[:, j]) for j in range(flag.shape[1])]) \
            if flag.shape[1] else flag.copy()
    reached = flag.copy()
    frontier = np.flatnonzero(flag)
    if not len(frontier):
        return reached
    if len(frontier) > graph.n // 50:      # flags everywhere: one structural roll-up is cheaper
        tot, _ = rollup(graph, flag.astype(float), flag, 0.0, weights=graph.structure, children=False)
        return flag | (np.nan_to_num(tot[:, 0], nan=0.0) > 0)
    up = graph.by_child
    while len(frontier):
        parents = np.unique(gather(up.indptr, up.indices, frontier))
        frontier = parents[~reached[parents]]
        reached[frontier] = True
    return flag | (reached & (graph.height >= 0))
