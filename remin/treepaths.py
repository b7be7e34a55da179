"""Paths through a BOM from its SKUs down: the routes by which a part sits in a product.

The roll-up (remin.rollup) adds a shared subassembly once per use but forgets the
route; reports that must show where a number comes from need the routes back. A
:class:`PathTree` has one node per path (a part reached from a SKU by one chain of
BOM lines), built top-down one BOM level at a time, each level one vectorised
expansion of the CSR child lists. Pruning masks keep it small: only parts that
lead to something worth showing are entered.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from remin.rollup import Graph

#: Default cap on path nodes, so a BOM whose shared subassemblies multiply paths
#: without bound cannot exhaust memory; ``PathTree.truncated`` says when it bit.
PATH_LIMIT = 2_000_000

#: Separator between part numbers in a path as reports print it.
PATH_SEP = " > "


@dataclass(frozen=True)
class PathTree:
    """Path nodes in breadth-first order (every parent before its children).

    ``part``: part position (row of ``bom.parts``); ``parent``: index of the parent path
    node (-1 for a SKU); ``sku``: index of the SKU (into the roots passed) the path starts
    from; ``depth``: 0 for the SKU; ``amount``: base units of the part per one unit of its
    parent (the BOM line); ``qty``: base units of the part per one unit of the SKU along
    this path (product of the amounts). ``truncated``: the path limit stopped the walk.
    """

    part: np.ndarray
    parent: np.ndarray
    sku: np.ndarray
    depth: np.ndarray
    amount: np.ndarray
    qty: np.ndarray
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.part)

    def levels(self):
        """Path-node indices by depth, top first (each a contiguous range)."""
        bounds = np.flatnonzero(np.diff(self.depth)) + 1
        return np.split(np.arange(len(self.part)), bounds)

    def topmost(self, flag: np.ndarray) -> np.ndarray:
        """For each path node, the highest path node on its route (itself included)
        whose part has ``flag`` set, or -1."""
        out = np.full(len(self.part), -1, dtype=np.int64)
        for nodes in self.levels():
            inherited = np.where(self.parent[nodes] >= 0, out[np.maximum(self.parent[nodes], 0)], -1)
            out[nodes] = np.where(inherited >= 0, inherited, np.where(flag[self.part[nodes]], nodes, -1))
        return out

    def blocked(self, stop: np.ndarray) -> np.ndarray:
        """True for path nodes below (not at) a node whose part has ``stop`` set."""
        above = self.topmost(stop)
        return (above >= 0) & (above != np.arange(len(self.part)))

    def sum_up(self, values: np.ndarray) -> np.ndarray:
        """Each path node's value plus the values of every path node below it.
        ``values``: (n_nodes,) or (n_nodes, F); NaN propagates (unknown stays unknown)."""
        tot = np.array(values, dtype=float, copy=True)
        for nodes in reversed(self.levels()[1:]):
            np.add.at(tot, self.parent[nodes], tot[nodes])
        return tot

    def strings(self, names: np.ndarray, sep: str = PATH_SEP) -> np.ndarray:
        """Each path as text, SKU first: ``EDU-3000 > MOT-150 > ROT-150-A``."""
        names = np.asarray(names, dtype=object)
        out = names[self.part]  # the SKUs (depth 0) are their own paths
        for nodes in self.levels()[1:]:
            out[nodes] = out[self.parent[nodes]] + sep + out[nodes]
        return out

    def preorder(self) -> np.ndarray:
        """Path-node indices in depth-first order, children in the order given (for trees)."""
        children: dict[int, list[int]] = {}
        for i, p in enumerate(self.parent.tolist()):
            children.setdefault(p, []).append(i)
        out, stack = [], list(reversed(children.get(-1, [])))
        while stack:
            i = stack.pop()
            out.append(i)
            stack.extend(reversed(children.get(i, [])))
        return np.asarray(out, dtype=np.int64)


def enumerate_paths(graph: Graph, skus: np.ndarray, enter: np.ndarray, stop: np.ndarray | None = None,
                    limit: int = PATH_LIMIT) -> PathTree:
    """Every path from each SKU position in ``skus`` down the BOM.

    ``enter`` (n,) bool: a child is followed only where it is true (prune branches
    that carry nothing of interest). ``stop`` (n,) bool: do not go below these parts
    (e.g. parts whose own composition covers their subtree). Parts on a BOM cycle are
    never entered. At most ``limit`` path nodes are made.
    """
    skus = np.asarray(skus, dtype=np.int64)
    stop = np.zeros(graph.n, bool) if stop is None else np.asarray(stop, bool)
    enter = np.asarray(enter, bool) & (graph.height >= 0)
    indptr, indices, data = graph.by_parent.indptr, graph.by_parent.indices, graph.by_parent.data
    part = [skus]
    parent = [np.full(len(skus), -1, dtype=np.int64)]
    sku = [np.arange(len(skus), dtype=np.int64)]
    amount = [np.ones(len(skus))]
    qty = [np.ones(len(skus))]
    depth = [np.zeros(len(skus), dtype=np.int64)]
    total, first, truncated, d = len(skus), 0, False, 0
    while len(part[-1]):
        p = part[-1]
        ids = first + np.arange(len(p))
        first += len(p)
        grow = ~stop[p] & (graph.height[p] > 0)
        p, ids = p[grow], ids[grow]
        start, count = indptr[p], indptr[p + 1] - indptr[p]
        if not count.sum():
            break
        owner = np.repeat(np.arange(len(p)), count)
        pos = np.repeat(start - np.cumsum(count) + count, count) + np.arange(count.sum())
        child = indices[pos]
        keep = enter[child]
        owner, child, amt = owner[keep], child[keep], data[pos][keep]
        if total + len(child) > limit:
            truncated = True
            owner, child, amt = owner[:limit - total], child[:limit - total], amt[:limit - total]
        total += len(child)
        d += 1
        part.append(child)
        parent.append(ids[owner])
        sku.append(sku[-1][grow][owner])
        amount.append(amt)
        qty.append(qty[-1][grow][owner] * amt)
        depth.append(np.full(len(child), d, dtype=np.int64))
        if truncated:
            break
    cat = np.concatenate
    return PathTree(cat(part), cat(parent), cat(sku), cat(depth), cat(amount), cat(qty), truncated)
