"""The backward passes learners' engines are known to run instead of the right one, run on
this engine's graph of a probe, so that a wrong gradient can be matched to its cause.

Each walk returns the gradient every Value ends with, keyed by the Value, from the local
derivatives the graph recorded: the right pass (`right`), one where an op sets a parent's
gradient with ``=`` instead of adding (``assign=i``: the parent in place ``i``), one that
visits Values breadth first from the root (`breadth_first`), one that recurses into parents
without a topological sort (`recursive`), one that runs the topological order without
reversing it (`not_reversed`), and a second pass that starts from the interior gradients the
first one left (`stale`). Parent order matters to some of them, and the learner's ``_prev``
is a set: ``flip`` runs them with each node's parents reversed.

>>> from autograd import Value
>>> a = Value(2.0); h = a * a; out = h + h
>>> right(out)[a], right(out, assign=1)[a]
(8.0, 2.0)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from autograd.graph import topological_order
from autograd.value import Value

Grads = dict[Value, float]


def _parents(node: Value, flip: bool) -> list[tuple[Value, float]]:
    pairs = list(zip(node.parents, node.local_grads))
    return pairs[::-1] if flip else pairs


def _push(node: Value, grads: Grads, assign: int | None = None, flip: bool = False) -> None:
    # one node's backward step: each parent gets local derivative × this node's gradient;
    # ``assign``: the parent in that place is set with = (its place as the op has it)
    upstream = grads.get(node, 0.0)
    pairs = list(enumerate(zip(node.parents, node.local_grads)))
    for i, (parent, local) in pairs[::-1] if flip else pairs:
        if i == assign:
            grads[parent] = local * upstream
        else:
            grads[parent] = grads.get(parent, 0.0) + local * upstream


class _Flipped:
    # a Value seen with its parents in reverse order, for the order a learner's
    # depth-first sort over a set of parents may give
    __slots__ = ("value", "_views")

    def __init__(self, value: Value, views: dict[Value, _Flipped]) -> None:
        self.value, self._views = value, views

    @property
    def parents(self) -> tuple[_Flipped, ...]:
        views = self._views
        return tuple(views.setdefault(p, _Flipped(p, views)) for p in self.value.parents[::-1])


def order(root: Value, flip: bool = False) -> list[Value]:
    """The topological order, or the one found with each node's parents reversed."""
    if not flip:
        return topological_order(root)
    views: dict[Value, _Flipped] = {}
    return [view.value for view in topological_order(_Flipped(root, views))]


def right(root: Value, assign: int | None = None, op: str | None = None,
          grads: Grads | None = None, flip: bool = False) -> Grads:
    """Reverse topological order, each node once; ``assign=i`` sets parent ``i`` with ``=``
    (in the nodes of ``op`` only, when given); ``grads`` are the gradients held before the
    pass (none: all 0); ``flip``: the order found with parents reversed."""
    grads = dict(grads or {})
    grads[root] = 1.0
    for node in reversed(order(root, flip)):
        _push(node, grads, assign if op in (None, node.op) else None)
    return grads


def breadth_first(root: Value, flip: bool = False) -> Grads:
    """Each node once, in the order a queue from the root reaches it."""
    grads: Grads = {root: 1.0}
    queue, seen = deque([root]), {root}
    while queue:
        node = queue.popleft()
        _push(node, grads, flip=flip)
        for parent, _ in _parents(node, flip):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return grads


def recursive(root: Value, flip: bool = False) -> Grads:
    """A node's step, then each distinct parent's, recursively: a Value reached by two paths
    passes its gradient on twice (written with a stack, not recursion)."""
    grads: Grads = {root: 1.0}
    stack = [root]
    while stack:
        node = stack.pop()
        _push(node, grads, flip=flip)
        distinct = list(dict.fromkeys(p for p, _ in _parents(node, flip)))
        stack.extend(reversed(distinct))
    return grads


def not_reversed(root: Value, flip: bool = False) -> Grads:
    """The topological order as built, leaves first, each node once."""
    grads: Grads = {root: 1.0}
    for node in topological_order(root):
        _push(node, grads, flip=flip)
    return grads


def stale(root: Value, zero: tuple[Value, ...] = ()) -> Grads:
    """A second pass that keeps every gradient of the first, the root's set to 1 (micrograd's
    ``backward()``), after the Values in ``zero`` were set to 0."""
    first = right(root)
    for leaf in zero:
        first[leaf] = 0.0
    return right(root, grads=first)


WRONG_ORDERS: dict[str, Callable[[Value, bool], Grads]] = {
    "breadth first from the output (a queue), so a Value can pass its gradient on before "
    "a longer path has added to it": breadth_first,
    "recursion into the parents without a topological sort, so a Value reached by two paths "
    "passes its gradient on twice (micrograd PR #64)": recursive,
    "the topological order not reversed: the leaves' steps run first, before any gradient "
    "has reached them": not_reversed,
}
"""Each wrong walk, by what it does wrong."""


__all__ = ["order", "right", "breadth_first", "recursive", "not_reversed", "stale", "WRONG_ORDERS"]
