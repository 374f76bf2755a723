"""Walking a computation graph: topological order and the Values on paths between two.

Written once, without recursion, and shared by backward, drawing and explaining. The order
is deterministic: it depends only on the graph's shape and the order of each op's parents.
The walks need only a node's ``parents`` (`Node`), so this module imports nothing of the
project: Value builds on it.

>>> from autograd import Value
>>> a = Value(1.0, label="a")
>>> b = a * 2
>>> [v.label or v.op for v in topological_order(b + a)]
['a', '', 'mul', 'add']
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from typing import Protocol, TypeVar

N = TypeVar("N", bound="Node")


class Node(Protocol):
    """What the walks need of a node: hashable, with its ``parents`` (a Value is one).

    >>> class Box:
    ...     def __init__(self, *parents): self.parents = parents
    >>> leaf = Box()
    >>> [node is leaf for node in topological_order(Box(leaf, leaf))]
    [True, False]
    """

    @property
    def parents(self: N) -> tuple[N, ...]: ...


def topological_order(root: N) -> list[N]:
    """Every Value ``root`` depends on, each once, parents before the Values made from them;
    ``root`` is last. Depth-first from the first parent, with an explicit stack.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> [v.label or v.op for v in topological_order(x * x + x)]
    ['x', 'mul', 'add']
    """
    order: list[N] = []
    seen = {root}
    # Each stack entry: a Value and an iterator over the parents it has still to visit. A
    # leaf goes straight into the order, so most parents never touch the stack.
    stack = [(root, iter(root.parents))]
    # The walk makes no reference cycles, so the cyclic garbage collector has nothing to
    # find here; paused, it does not rescan a big graph each time the stack grows.
    collecting = gc.isenabled()
    gc.disable()
    try:
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:
                    seen.add(parent)
                    if parent.parents:
                        stack.append((parent, iter(parent.parents)))
                        break
                    order.append(parent)
            else:
                stack.pop()
                order.append(node)
    finally:
        if collecting:
            gc.enable()
    return order


def made_from(order: list[N], sources: Iterable[N]) -> set[N]:
    """The ``sources`` and every Value in ``order`` (a topological order) computed from one
    of them: the Values a change in the sources reaches.

    >>> from autograd import Value
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> c = a * 3; c.label = "c"
    >>> d = c + b; d.label = "d"
    >>> sorted(v.label for v in made_from(topological_order(d), [a]) if v.label)
    ['a', 'c', 'd']
    """
    found = set(sources)
    for node in order:
        if node not in found and any(p in found for p in node.parents):
            found.add(node)
    return found


def reached_through(order: list[N], stops: set[N]) -> dict[N, list[N]]:
    """For each stop ``u`` in ``order`` (a topological order, or a part of one closed under
    the paths between its members), the Values reached from ``u`` walking forward, from
    parents to the Values made from them, through Values that are not stops: the stops met
    end their path. Each list is in ``order``'s order.

    >>> from autograd import Value
    >>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
    >>> z = w * x + w; z.label = "z"
    >>> order = topological_order(z)
    >>> [v.label or v.op for v in reached_through(order, {w, x, z})[w]]
    ['mul', 'z']
    """
    index = {v: k for k, v in enumerate(order)}
    made: dict[N, list[N]] = {v: [] for v in order}
    for v in order:
        for p in dict.fromkeys(v.parents):  # each Value once, even for a * a
            if p in index:
                made[p].append(v)
    reached: dict[N, list[N]] = {}
    for u in order:
        if u not in stops:
            continue
        found: list[N] = []
        seen, stack = {u}, [u]
        while stack:
            for c in made[stack.pop()]:
                if c not in seen:
                    seen.add(c)
                    found.append(c)
                    if c not in stops:
                        stack.append(c)
        found.sort(key=index.__getitem__)
        reached[u] = found
    return reached


def depends_on(root: N, target: N) -> set[N]:
    """The Values on some path from ``target`` up to ``root`` (both included when a path
    exists; empty otherwise).

    >>> from autograd import Value
    >>> x, y = Value(1.0, label="x"), Value(2.0, label="y")
    >>> z = x * 2
    >>> sorted(v.label or v.op for v in depends_on(z + y, x))
    ['add', 'mul', 'x']
    """
    order = topological_order(root)
    return made_from(order, [target]) & set(order)
