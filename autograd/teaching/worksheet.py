"""The tables of a backprop exercise, read off a labelled graph.

A worksheet has three parts, as a teacher sets them:

- **given**: every labelled leaf (inputs, targets, weights, biases) with its number;
- **forward**: every labelled Value computed from them, in the order a forward pass meets
  them, with how it is made from the named Values before it (``z1 = b1 + w1·x1 + w2·x2``);
- **backward**: every labelled Value's gradient ∂L/∂v, layer by layer from the loss back
  (each after the gradients it is made from), as a sum of terms upstream × local =
  contribution, one per named Value it feeds
  (``∂L/∂z1 = ∂L/∂h1 · ∂h1/∂z1``). The local derivative joins two named Values through any
  unlabelled ones between them (`autograd.explain.merged_factors`), so ``∂L/∂ŷ`` of a
  cross-entropy is one factor, written in ŷ and y.

Inputs and targets get no backward row: their gradients are not asked for. Answer names are
those of an answer key: a forward value by its label (``z1``, ``ŷ``), a gradient as
``dL/d<label>`` (``dL/dw1``), the root's label in place of ``L``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from autograd.draw.ops_view import roles
from autograd.explain import Factor, merged_factors
from autograd.graph import topological_order
from autograd.notation import FORMAT, derivative_name, expression_name, names_map
from autograd.value import Value


@dataclass(frozen=True)
class ForwardRow:
    """One named value of the forward pass: ``z1 = b1 + w1·x1 + w2·x2 = 0.8``."""

    node: Value
    name: str
    formula: str
    """how it is made, in the names of the Values before it"""
    value: float


@dataclass(frozen=True)
class Term:
    """What one named Value that uses ``node`` sends back to it: upstream × local."""

    child: Value
    upstream_name: str
    """``∂L/∂z3`` (``∂L/∂L`` is written as 1)"""
    upstream: float
    factor: Factor
    """∂child/∂node: its name (``∂z3/∂h1``), formula (``w5``) and number"""

    @property
    def local(self) -> float:
        return self.factor.value

    @property
    def contribution(self) -> float:
        return self.upstream * self.factor.value


@dataclass(frozen=True)
class BackwardRow:
    """One named gradient: ``∂L/∂h1 = ∂L/∂z3 · ∂z3/∂h1 = …``, the sum of its terms."""

    node: Value
    answer: str
    """its name in an answer key: ``dL/dh1``"""
    title: str
    """as the articles write it: ``∂L/∂h1``"""
    terms: tuple[Term, ...]
    value: float


@dataclass(frozen=True)
class Worksheet:
    """The given numbers, the forward rows and the backward rows of a labelled graph."""

    root: Value
    given: dict[str, float]
    roles: dict[str, str]
    """each given label's role: ``input`` (data and targets) or ``parameter``"""
    forward: tuple[ForwardRow, ...]
    backward: tuple[BackwardRow, ...]

    def answers(self) -> dict[str, float]:
        """Every answer of the key, unrounded: forward values, then gradients.

        >>> x, w = Value(2.0, label="x"), Value(0.5, label="w")
        >>> z = x * w; z.label = "z"
        >>> L = z ** 2; L.label = "L"
        >>> worksheet(L).answers()
        {'z': 1.0, 'L': 1.0, 'dL/dz': 2.0, 'dL/dw': 4.0}
        """
        return {**{row.name: row.value for row in self.forward},
                **{row.answer: row.value for row in self.backward}}


def answer_name(root: Value, v: Value) -> str:
    """The key's name of ∂root/∂v: ``dL/dw1``.

    >>> answer_name(Value(1.0, label="L"), Value(0.5, label="w1"))
    'dL/dw1'
    """
    return f"d{root.label or 'L'}/d{v.label}"


def worksheet(root: Value, fmt: str = FORMAT) -> Worksheet:
    """The exercise's tables for the graph ``root`` depends on. Every Value the exercise
    names must be labelled; ``root`` is the loss. Runs ``backward()`` from ``root`` (after
    setting every gradient of the graph to 0) to fill in the gradients.

    >>> x, w, b = Value(2.0, label="x1"), Value(0.5, label="w1"), Value(0.1, label="b1")
    >>> z = w * x + b; z.label = "z1"
    >>> L = z.relu(); L.label = "L"
    >>> sheet = worksheet(L)
    >>> sheet.given
    {'w1': 0.5, 'x1': 2.0, 'b1': 0.1}
    >>> [(row.name, row.formula) for row in sheet.forward]
    [('z1', 'w1·x1 + b1'), ('L', 'ReLU(z1)')]
    >>> [row.answer for row in sheet.backward]
    ['dL/dz1', 'dL/db1', 'dL/dw1']
    >>> [(t.upstream_name, t.factor.formula, t.local) for t in sheet.backward[2].terms]
    [('∂L/∂z1', 'x1', 2.0)]
    """
    if not root.label:
        raise ValueError("label the root (the loss), e.g. loss.label = 'L'")
    order = topological_order(root)
    for v in order:
        v.grad = 0.0
    root.backward()
    role_of = roles(order, root)
    named = [v for v in order if v.label or v is root]
    stops = set(named)
    shown = names_map(order, fmt)
    into = merged_factors(order, stops, shown)

    given = {v.label: v.data for v in named if not v.parents}
    given_roles = {v.label: "input" if role_of[v] == "input" else "parameter"
                   for v in named if not v.parents}
    made_as: dict[Value, str] = {}
    for v in order:  # each Value's expression in the named Values before it
        if v.parents:
            made_as[v] = expression_name(
                v, [p.label or made_as.get(p, shown[p]) for p in v.parents], fmt, None)
    forward = tuple(ForwardRow(v, v.label, made_as[v], v.data) for v in named if v.parents)

    root_name = root.label
    sent_to: dict[Value, list[Factor]] = {v: [] for v in named}
    for child in named:
        for factor in into.get(child, []):
            sent_to[factor.parent].append(factor)
    # Backward rows layer by layer from the loss (by the longest path down from the root,
    # so that every gradient comes after those it is made from), in forward order within.
    depth = dict.fromkeys(order, 0)
    for v in reversed(order):
        for p in v.parents:
            depth[p] = max(depth[p], depth[v] + 1)
    position = {v: k for k, v in enumerate(order)}
    backward = []
    for v in sorted(named, key=lambda v: (depth[v], position[v])):
        if v is root or role_of[v] == "input":
            continue
        terms = tuple(
            Term(f.child, "1" if f.child is root else derivative_name(root_name, f.child.label),
                 1.0 if f.child is root else f.child.grad, f)
            for f in sent_to[v])
        backward.append(BackwardRow(v, answer_name(root, v), derivative_name(root_name, v.label),
                                    terms, v.grad))
    return Worksheet(root, given, given_roles, forward, tuple(backward))


def total(row: BackwardRow) -> float:
    """The sum of a backward row's contributions (equal to the engine's gradient up to
    rounding).

    >>> w = Value(3.0, label="w")
    >>> L = w * w; L.label = "L"
    >>> math.isclose(total(worksheet(L).backward[0]), 6.0)
    True
    """
    return math.fsum(t.contribution for t in row.terms)


def by_name(sheet: Worksheet) -> Mapping[str, ForwardRow | BackwardRow]:
    """Each row of ``sheet`` by its answer name."""
    return {**{r.name: r for r in sheet.forward}, **{r.answer: r for r in sheet.backward}}
