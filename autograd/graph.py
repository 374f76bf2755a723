"""Walking a computation graph: topological order and the Values on paths between two.

Written once, without recursion, and shared by backward, drawing and explaining. The order
is deterministic: it depends only on the graph's shape and the order of each op's parents.

>>> from autograd import Value
>>> a = Value(1.0, label="a")
>>> b = a * 2
>>> [v.label or v.op for v in topological_order(b + a)]
['a', '', 'mul', 'add']
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autograd.value import Value


def topological_order(root: Value) -> list[Value]:
    """Every Value ``root`` depends on, each once, parents before the Values made from them;
    ``root`` is last. Depth-first from the first parent, with an explicit stack.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> [v.label or v.op for v in topological_order(x * x + x)]
    ['x', 'mul', 'add']
    """
    order: list[Value] = []
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


def depends_on(root: Value, target: Value) -> set[Value]:
    """The Values on some path from ``target`` up to ``root`` (both included when a path
    exists; empty otherwise)."""
    on_path: set[Value] = set()
    for node in topological_order(root):
        if node is target or any(p in on_path for p in node.parents):
            on_path.add(node)
    return on_path
