"""The exercise's graph run again on a student's own numbers: their slips carried forward.

One slip early on makes every later number differ from the key, although each later step
may be done right. So the grader also asks what the student's **own earlier numbers** give
at each answer (`carry`): the graph is rebuilt op by op with every forward value the student
gave put in place of the engine's, for everything downstream; then the backward pass runs on
those numbers, every gradient the student gave sent on in place of the engine's (a local
derivative written in the op's result, σ'(z3) = ŷ·(1 − ŷ), takes the student's ŷ). What
arrives at a Value is the carried answer. Where a student's number takes an op out of its
domain, ``ŷ = 1.3`` under ``log(1 − ŷ)``, there is no carried answer below it (None).

>>> from autograd import Value
>>> from autograd.teaching.worksheet import worksheet
>>> w, x = Value(0.5, label="w"), Value(3.0, label="x")
>>> z = w * x; z.label = "z"
>>> L = z ** 2; L.label = "L"
>>> carried = carry(worksheet(L), {"z": 1.6})
>>> round(carried.forward[L], 10), round(carried.backward[z], 10), carried.deps["dL/dw"]
(2.56, 3.2, ['dL/dz'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autograd.explain import Factor, merged_factors
from autograd.formula import names as formula_names
from autograd.graph import topological_order
from autograd.notation import names_map
from autograd.ops import OPS
from autograd.teaching.worksheet import BackwardRow, Worksheet
from autograd.value import Value, apply

Edge = tuple[Value, Value]
"""(child, parent): a factor between two named Values"""


@dataclass
class Carried:
    """The exercise's graph run again on the student's own numbers."""

    root: Value
    data: dict[Value, float | None]
    """each Value's number as the student has it: their answer where they gave one"""
    forward: dict[Value, float | None]
    """what each op gives from the carried numbers of its parents"""
    factor: dict[Edge, float | None]
    """each factor ∂child/∂parent between named Values, from the carried numbers"""
    into: dict[Value, list[Factor]]
    """the factors into each named Value from the named Values below it, as the key has
    them: their names, formulas and numbers"""
    deps: dict[str, list[str]]
    """the answers each carried answer is computed from directly"""
    backward: dict[Value, float | None] = field(default_factory=dict)
    """∂L/∂v as it arrives at each named Value"""
    sent: dict[Value, float | None] = field(default_factory=dict)
    """∂L/∂v as sent on: the student's number where they gave one"""

    def terms(self, row: BackwardRow) -> list[tuple[float, float]] | None:
        """Each term of ``row`` as (upstream, local), from the carried numbers; None where
        one of them is unknown."""
        found: list[tuple[float, float]] = []
        for term in row.terms:
            upstream = 1.0 if term.child is self.root else self.sent.get(term.child)
            local = self.factor.get((term.child, row.node))
            if upstream is None or local is None:
                return None
            found.append((upstream, local))
        return found


def carry(sheet: Worksheet, given: Mapping[str, float | None]) -> Carried:
    """The graph of ``sheet`` run again on the student's numbers ``given`` (by the key's
    answer names; None: not answered), forward then backward (see the module's doctest)."""
    root = sheet.root
    order = topological_order(root)
    named = {v for v in order if v.label or v is root}
    made_from: dict[Value, set[Value]] = {}  # the named Values each Value is made from
    for v in order:
        made_from[v] = set().union(*(_named_in(p, named, made_from) for p in v.parents))
    theirs = {row.node: given.get(row.name) for row in sheet.forward}
    data: dict[Value, float | None] = {}
    made: dict[Value, float | None] = {}
    local: dict[Value, tuple[float, ...] | None] = {}
    for v in order:
        if not v.parents:
            data[v], local[v] = v.data, ()
            continue
        inputs = [data[p] for p in v.parents]
        known = all(x is not None for x in inputs)
        op = OPS.get(v.op)
        out: float | None = None
        if op is not None and known:
            try:
                out = apply(op, *inputs).data  # type: ignore[arg-type]
            except (ArithmeticError, ValueError):
                out = None  # outside the op's domain: nothing to carry below here
        made[v] = out
        mine = theirs.get(v)
        data[v] = mine if mine is not None else out
        grads: tuple[float, ...] | None = None
        if op is not None and known and data[v] is not None:
            try:
                grads = tuple(float(g) for g in op.rule(*inputs, data[v]))
            except (ArithmeticError, ValueError, TypeError):
                grads = None
        local[v] = grads
    factor, uses = _factors(order, named, local, made_from)
    carried = Carried(root, data, made, factor, merged_factors(order, named, names_map(order)),
                      _dependencies(sheet, uses, made_from))
    for row in sheet.backward:  # children before parents: what arrives, then what is sent
        pairs = carried.terms(row)
        total: float | None = None
        if pairs is not None:
            total = 0.0
            for upstream, f in pairs:
                total += upstream * f
        carried.backward[row.node] = total
        mine = given.get(row.answer)
        carried.sent[row.node] = mine if mine is not None else total
    return carried


def _named_in(v: Value, named: set[Value], made_from: Mapping[Value, set[Value]]
              ) -> set[Value]:
    # The named Values v stands for: itself, or those it is made from.
    return {v} if v in named else made_from[v]


def _factors(order: list[Value], named: set[Value], local: Mapping[Value, Any],
             made_from: Mapping[Value, set[Value]]
             ) -> tuple[dict[Edge, float | None], dict[Edge, set[Value]]]:
    # For each named Value u, walk forward through unnamed Values to the named ones, adding
    # up the products of the carried local derivatives: the factors ∂child/∂u. Also which
    # named Values those local derivatives are computed from (their formulas' names).
    index = {v: k for k, v in enumerate(order)}
    children: dict[Value, list[Value]] = {v: [] for v in order}
    for v in order:
        for p in dict.fromkeys(v.parents):
            children[p].append(v)
    factor: dict[Edge, float | None] = {}
    uses: dict[Edge, set[Value]] = {}
    for u in order:
        if u not in named:
            continue
        reach: list[Value] = []
        seen, stack = {u}, [u]
        while stack:
            for c in children[stack.pop()]:
                if c not in seen:
                    seen.add(c)
                    reach.append(c)
                    if c not in named:
                        stack.append(c)
        reach.sort(key=index.__getitem__)
        d: dict[Value, float | None] = {u: 1.0}
        used: dict[Value, set[Value]] = {u: set()}
        for c in reach:
            grads = local.get(c)
            total: float | None = 0.0
            needs: set[Value] = set()
            for i, p in enumerate(c.parents):
                if p not in d:
                    continue
                dp = d[p]
                total = None if total is None or grads is None or dp is None else (
                    total + grads[i] * dp)
                needs |= used[p] | _formula_uses(c, i, named, made_from)
            if c in named:
                factor[(c, u)], uses[(c, u)] = total, needs
            else:
                d[c], used[c] = total, needs
    return factor, uses


def _formula_uses(c: Value, i: int, named: set[Value],
                  made_from: Mapping[Value, set[Value]]) -> set[Value]:
    # The named Values ∂c/∂(parent i) is computed from, read off the op table's formula.
    op = OPS.get(c.op)
    if op is None:
        return set().union(*(_named_in(p, named, made_from) for p in (c, *c.parents)))
    n = len(c.parents)
    position = {name: k for k, name in enumerate(op.input_names(n))}
    found: set[Value] = set()
    for name in formula_names(op.formula(i, n)):
        if name == "out":
            found |= _named_in(c, named, made_from)
        elif name in position:
            found |= _named_in(c.parents[position[name]], named, made_from)
    return found


def _dependencies(sheet: Worksheet, uses: Mapping[Edge, set[Value]],
                  made_from: Mapping[Value, set[Value]]) -> dict[str, list[str]]:
    # For each answer, the answers its carried value is computed from directly.
    position = {row.node: k for k, row in enumerate(sheet.forward)}

    def forward_names(values: Iterable[Value]) -> list[str]:
        # the forward values among ``values``, in the sheet's order
        return [sheet.forward[k].name for k in sorted(position[v] for v in values
                                                      if v in position)]

    backward_name = {row.node: row.answer for row in sheet.backward}
    deps = {row.name: forward_names(made_from[row.node]) for row in sheet.forward}
    for row in sheet.backward:
        names: list[str] = []
        for term in row.terms:
            if term.child in backward_name:
                names.append(backward_name[term.child])
            names += forward_names(uses.get((term.child, row.node), set()))
        deps[row.answer] = list(dict.fromkeys(names))
    return deps


__all__ = ["Carried", "Edge", "carry"]
