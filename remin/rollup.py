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

    @property
    def has_children(self) -> np.ndarray:
        return np.diff(self.by_parent.indptr) > 0


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
    # structural copy (1 per edge) indexed by child, to find each child's parents
    by_child = sparse.csr_matrix((np.ones(len(parent)), (child, parent)), shape=(n, n))
    by_child.sum_duplicates()
    pending = np.bincount(parent, minlength=n).astype(np.int64)
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
        sub = by_child[frontier]
        if sub.nnz == 0:
            break
        dec = np.bincount(sub.indices, weights=sub.data, minlength=n).astype(np.int64)
        touched = np.flatnonzero(dec)
        pending[touched] -= dec[touched]
        frontier = touched[pending[touched] == 0]
        h += 1
    cycles = _cycles(by_parent, height, parent, child) if (height < 0).any() else ()
    return Graph(n, by_parent, height, tuple(levels), cycles)


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
           weights: sparse.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Roll figures up the BOM.

    own: (n, F) declared figures per one base unit of each part (anything where not declared).
    declared: (n,) or (n, F) bool, where the part's own figure wins over its children.
    leaf_default: figure of an undeclared part without children (NaN = unknown, 0 = none).
    weights: an alternative (n x n) matrix to the graph's amounts (e.g. ones for "contains").
    Returns (totals, children_sum), both (n, F); children_sum is NaN for leaves.
    """
    own = np.asarray(own, dtype=np.float64)
    if own.ndim == 1:
        own = own[:, None]
    n, F = own.shape
    declared = np.broadcast_to(np.asarray(declared, bool).reshape(n, -1), (n, F))
    M = graph.by_parent if weights is None else weights
    totals = np.full((n, F), np.nan)
    child_sum = np.full((n, F), np.nan)
    default = np.broadcast_to(np.asarray(leaf_default, dtype=np.float64), (F,))
    leaf = ~graph.has_children
    for nodes in graph.levels:
        is_leaf = leaf[nodes]
        if (~is_leaf).any():
            inner = nodes[~is_leaf]
            child_sum[inner] = M[inner] @ totals
        val = np.where(is_leaf[:, None], default[None, :], child_sum[nodes])
        totals[nodes] = np.where(declared[nodes], own[nodes], val)
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
def extended_matrix(graph: Graph, roots: np.ndarray, stop: np.ndarray) -> sparse.csr_matrix:
    """Extended quantities of every part in many roots at once: an (n x len(roots))
    sparse matrix whose column j is ``extended_quantities(graph, roots[j], stop)``.
    One sparse product per level, so its cost is the size of the exploded BOM."""
    roots = np.asarray(roots, dtype=np.int64)
    k = len(roots)
    X = sparse.csr_matrix((np.ones(k), (roots, np.arange(k))), shape=(graph.n, k))
    if k == 0:
        return X
    top = int(graph.height[roots].max())
    for h in range(top, 0, -1):
        nodes = graph.levels[h] if h < len(graph.levels) else np.zeros(0, np.int64)
        nodes = nodes[~stop[nodes]]
        if not len(nodes):
            continue
        X_nodes = X[nodes]
        if X_nodes.nnz == 0:
            continue
        X = X + (graph.by_parent[nodes].T @ X_nodes).tocsr()
    return X


def contains(graph: Graph, flag: np.ndarray) -> np.ndarray:
    """True for parts that are flagged or hold a flagged part anywhere below them
    (quantities do not matter, only the structure). Parts on a cycle: False unless flagged."""
    struct = graph.by_parent.copy()
    struct.data[:] = 1.0
    flag = np.asarray(flag, bool)
    tot, _ = rollup(graph, flag.astype(float), flag, 0.0, weights=struct)
    return flag | (np.nan_to_num(tot[:, 0], nan=0.0) > 0)
