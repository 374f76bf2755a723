"""The backward passes learners' engines are known to run instead of the right one, run on
this engine's graph of a probe, so that a wrong gradient can be matched to its cause.

Each walk returns the gradient every Value ends with, keyed by the Value, from the local
derivatives the graph recorded: the right pass (`right`), one where an op sets a parent's
gradient with ``=`` instead of adding (``assign=i``: the parent in place ``i``), one that
visits Values breadth first from the root (`breadth_first`), one that pushes along every
path without a topological sort (`every_path`), one that runs the topological order without
reversing it (`not_reversed`), and a second pass that starts from the interior gradients the
first one left (`stale`). Parent order matters to some of them, and a learner's ``_prev`` is
a set, whose order is anyone's guess: ``flipped`` holds the Values whose parents are taken
in reverse order, and `orders` gives every such choice for a small graph.

>>> from autograd import Value
>>> a = Value(2.0); h = a * a; out = h + h
>>> right(out)[a], right(out, assign=1)[a]
(8.0, 2.0)
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Collection, Iterator

from autograd.graph import topological_order
from autograd.value import Value

Grads = dict[Value, float]
Flipped = Collection[Value]

MAX_CHOICES = 256
"""The most parent orders tried for one graph (`orders`)."""


def _parents(node: Value, flipped: Flipped) -> list[tuple[int, Value, float]]:
    # a node's parents with their places and local derivatives, in the order a walk takes
    pairs = [(i, p, g) for i, (p, g) in enumerate(zip(node.parents, node.local_grads))]
    return pairs[::-1] if node in flipped else pairs


def _push(node: Value, grads: Grads, flipped: Flipped = (), assign: int | None = None) -> None:
    # one node's backward step: each parent gets local derivative × this node's gradient;
    # ``assign``: the parent in that place is set with = (its place as the op has it)
    upstream = grads.get(node, 0.0)
    for i, parent, local in _parents(node, flipped):
        if i == assign:
            grads[parent] = local * upstream
        else:
            grads[parent] = grads.get(parent, 0.0) + local * upstream


class _View:
    # a Value seen with its parents as a walk takes them, so that the one topological
    # sort of the project gives the order a learner's depth-first sort may give
    __slots__ = ("value", "_views", "_flipped")

    def __init__(self, value: Value, views: dict[Value, _View], flipped: Flipped) -> None:
        self.value, self._views, self._flipped = value, views, flipped

    @property
    def parents(self) -> tuple[_View, ...]:
        views, flipped = self._views, self._flipped
        return tuple(views.setdefault(p, _View(p, views, flipped))
                     for _, p, _ in _parents(self.value, flipped))


def order(root: Value, flipped: Flipped = ()) -> list[Value]:
    """The topological order, parents of the Values in ``flipped`` taken in reverse."""
    if not flipped:
        return topological_order(root)
    return [view.value for view in topological_order(_View(root, {}, flipped))]


def orders(root: Value) -> Iterator[frozenset[Value]]:
    """Every choice of ``flipped`` for the graph of ``root``, at most `MAX_CHOICES` (then
    only none and all)."""
    interior = [v for v in topological_order(root) if len(v.parents) > 1]
    if 2 ** len(interior) > MAX_CHOICES:
        yield from (frozenset(), frozenset(interior))
        return
    for chosen in itertools.product((False, True), repeat=len(interior)):
        yield frozenset(v for v, flip in zip(interior, chosen) if flip)


def right(root: Value, flipped: Flipped = (), assign: int | None = None, op: str | None = None,
          grads: Grads | None = None) -> Grads:
    """Reverse topological order, each node once; ``assign=i`` sets parent ``i`` with ``=``
    (in the nodes of ``op`` only, when given); ``grads`` are the gradients held before the
    pass (none: all 0)."""
    grads = dict(grads or {})
    grads[root] = 1.0
    for node in reversed(order(root, flipped)):
        _push(node, grads, flipped, assign if op in (None, node.op) else None)
    return grads


def breadth_first(root: Value, flipped: Flipped = ()) -> Grads:
    """Each node once, in the order a queue from the root reaches it."""
    grads: Grads = {root: 1.0}
    queue, seen = deque([root]), {root}
    while queue:
        node = queue.popleft()
        _push(node, grads, flipped)
        for _, parent, _ in _parents(node, flipped):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return grads


def every_path(root: Value, flipped: Flipped = ()) -> Grads:
    """A node's step, then each distinct parent's, and so on without a topological sort (as
    a recursion, or a stack, would): a Value reached by two paths passes its gradient on
    twice, the second time with more in it."""
    grads: Grads = {root: 1.0}
    stack = [root]
    while stack:
        node = stack.pop()
        _push(node, grads, flipped)
        stack.extend(dict.fromkeys(p for _, p, _ in _parents(node, flipped)))
    return grads


def not_reversed(root: Value, flipped: Flipped = ()) -> Grads:
    """The topological order as built, leaves first, each node once."""
    grads: Grads = {root: 1.0}
    for node in order(root, flipped):
        _push(node, grads, flipped)
    return grads


def stale(root: Value, zero: tuple[Value, ...] = ()) -> Grads:
    """A second pass that keeps every gradient of the first, the root's set to 1 (micrograd's
    ``backward()``), after the Values in ``zero`` were set to 0."""
    first = right(root)
    for leaf in zero:
        first[leaf] = 0.0
    return right(root, grads=first)


WRONG_ORDERS: dict[str, Callable[[Value, Flipped], Grads]] = {
    "breadth first from the output (a queue), so a Value can pass its gradient on before "
    "a longer path has added to it": breadth_first,
    "along every path without a topological sort (a recursion into the parents, or a "
    "stack), so a Value reached by two paths passes its gradient on twice (micrograd PR "
    "#64)": every_path,
    "the topological order not reversed: the leaves' steps run first, before any gradient "
    "has reached them": not_reversed,
}
"""Each wrong walk, by what it does wrong."""


__all__ = ["order", "orders", "right", "breadth_first", "every_path", "not_reversed", "stale",
           "WRONG_ORDERS", "MAX_CHOICES"]
