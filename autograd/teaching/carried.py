"""The exercise's graph run again on a student's own numbers: their slips carried forward.

One slip early on makes every later number differ from the key, although each later step
may be done right. So the grader also asks what the student's **own earlier numbers** give
at each answer (`carry`): the graph is rebuilt op by op with every forward value the student
gave put in place of the engine's, for everything downstream; then the backward pass runs on
those numbers, every gradient the student gave sent on in place of the engine's (a local
derivative written in the op's result, σ'(z3) = ŷ·(1 − ŷ), takes the student's ŷ). What
arrives at a Value is the carried answer. Where a student's number takes an op out of its
domain, ``ŷ = 1.3`` under ``log(1 − ŷ)``, there is no carried answer below it (None).

Students write every number to three significant digits and work on from what they wrote,
or from the unrounded numbers behind it, so the carried numbers drift from the key by
rounding alone. `Carried.slack` says how far, below and above: the run is made again with
the student's numbers an answer is computed from (`Carried.sources`) moved to what they may
have worked with, and the changes the answer's carried number sees are added up. Those that
are correct (the key's, to three significant digits) are moved to the key's numbers, all at
once: the student worked with what they wrote, with the key's numbers or with numbers
between. A wrong one is moved down and up by as far as its rounding can have moved it (half
a unit of its third significant digit, or of its last digit when written with more): which
number is behind it is not known.

>>> from autograd import Value
>>> from autograd.teaching.worksheet import worksheet
>>> w, x = Value(0.5, label="w"), Value(3.0, label="x")
>>> z = w * x; z.label = "z"
>>> L = z ** 2; L.label = "L"
>>> carried = carry(worksheet(L), {"z": 1.6})
>>> round(carried.forward[L], 10), round(carried.backward[z], 10), carried.deps["dL/dw"]
(2.56, 3.2, ['dL/dz'])
>>> carried.sources("dL/dw")
['z']
>>> [round(x, 10) for x in carried.slack("dL/dw")]  # z, wrong, moved ±0.005: ×2×3
[0.03, 0.03]
>>> correct = carry(worksheet(L), {"z": 1.5004})  # the key's 1.5: z moved down to it
>>> [round(x, 10) for x in correct.slack("dL/dw")]  # 6·z: at most 0.0024 lower
[0.0024, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autograd.explain import Factor, merged_factors
from autograd.formula import names as formula_names
from autograd.graph import reached_through, topological_order
from autograd.notation import names_map
from autograd.ops import OPS
from autograd.teaching.tolerance import rounding, within
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
    given: dict[str, float | None] = field(default_factory=dict, repr=False)
    """the student's answers the run is made on"""
    plan: _Plan | None = field(default=None, repr=False)
    _nudged: dict[tuple[tuple[str, float], ...], Carried] = field(default_factory=dict,
                                                                  repr=False)

    def value(self, answer: str) -> float | None:
        """The carried number of ``answer``: what the student's earlier numbers give there."""
        if self.plan is None or answer not in self.plan.rows:
            return None
        node, forward = self.plan.rows[answer]
        return (self.forward if forward else self.backward).get(node)

    def sources(self, answer: str) -> list[str]:
        """The student's answers the carried number of ``answer`` is computed from, in the
        sheet's order: those it is computed from directly, and through the answers left
        out, the ones those are computed from."""
        position = {name: k for k, name in enumerate(self.plan.rows if self.plan else ())}
        found: set[str] = set()
        seen: set[str] = set()
        todo = list(self.deps.get(answer, ()))
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if self.given.get(name) is None:
                todo.extend(self.deps.get(name, ()))
            else:
                found.add(name)
        return sorted(found, key=lambda name: position.get(name, 0))

    def nudged(self, answer: str) -> list[list[Carried]]:
        """The runs made again with the student's numbers ``answer`` is computed from
        (`sources`) moved to what they may have worked with, in groups whose changes add
        up: one run with those that are correct (the key's, to three significant digits)
        moved to the key's numbers, all at once (the student worked with theirs, with the
        key's, or with numbers between); and for each wrong one, a run with it moved down
        and one with it moved up as far as its rounding can have moved it
        (`autograd.teaching.tolerance.rounding`): which number is behind it is not known."""
        if self.plan is None:
            return []
        key = self.plan.key
        written = {name: x for name in self.sources(answer)
                   if (x := self.given.get(name)) is not None}
        right = {name: key[name] for name, x in written.items() if within(x, key[name])}
        groups = [[right]] if right else []
        groups += [[{name: x - rounding(x)}, {name: x + rounding(x)}]
                   for name, x in written.items() if name not in right]
        return [[self._moved(self.plan, change) for change in group] for group in groups]

    def _moved(self, plan: _Plan, change: dict[str, float]) -> Carried:
        # the run made again with ``change`` made to the student's numbers (made once)
        made = tuple(sorted(change.items()))
        if made not in self._nudged:
            self._nudged[made] = _run(plan, {**self.given, **change})
        return self._nudged[made]

    def spread(self, answer: str, number: Callable[[Carried], float | None]
               ) -> tuple[float, float]:
        """How far below and above ``number`` (read off a run) may be, the student's
        numbers ``answer`` is computed from taken as they may have worked with them: how
        far each group of runs of `nudged` moves it down and up, added up (a run where
        ``number`` is unknown adds nothing)."""
        here = number(self)
        below = above = 0.0
        if here is None:
            return below, above
        for group in self.nudged(answer):
            moves = [there - here for there in map(number, group)
                     if there is not None and math.isfinite(there - here)]
            below += max([0.0, *(-move for move in moves)])
            above += max([0.0, *moves])
        return below, above

    def slack(self, answer: str) -> tuple[float, float]:
        """How far below and above the carried number of ``answer`` the student's may be,
        from what their earlier numbers may have been before they wrote them ((0, 0)
        where there is no carried number)."""
        return self.spread(answer, lambda run: run.value(answer))

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


@dataclass(frozen=True)
class _Plan:
    """What a run needs that does not depend on the numbers: made once per sheet."""

    sheet: Worksheet
    order: list[Value]
    named: set[Value]
    reach: dict[Value, list[Value]]
    """for each named Value, the Values it reaches forward through unnamed ones, in order"""
    into: dict[Value, list[Factor]]
    deps: dict[str, list[str]]
    rows: dict[str, tuple[Value, bool]]
    """each answer's Value, and whether it is a forward value"""
    key: dict[str, float]
    """each answer's number in the key"""


def carry(sheet: Worksheet, given: Mapping[str, float | None]) -> Carried:
    """The graph of ``sheet`` run again on the student's numbers ``given`` (by the key's
    answer names; None: not answered), forward then backward (see the module's doctest)."""
    return _run(_plan(sheet), given)


def _plan(sheet: Worksheet) -> _Plan:
    order = topological_order(sheet.root)
    named = {v for v in order if v.label or v is sheet.root}
    made_from: dict[Value, set[Value]] = {}  # the named Values each Value is made from
    for v in order:
        made_from[v] = set().union(*(_named_in(p, named, made_from) for p in v.parents))
    reach, uses = _reach(order, named, made_from)
    rows = {**{r.name: (r.node, True) for r in sheet.forward},
            **{r.answer: (r.node, False) for r in sheet.backward}}
    return _Plan(sheet, order, named, reach, merged_factors(order, named, names_map(order)),
                 _dependencies(sheet, uses, made_from), rows, sheet.answers())


def _run(plan: _Plan, given: Mapping[str, float | None]) -> Carried:
    # The numbers of one run: forward on the student's values, then backward.
    sheet = plan.sheet
    theirs = {row.node: given.get(row.name) for row in sheet.forward}
    data: dict[Value, float | None] = {}
    made: dict[Value, float | None] = {}
    local: dict[Value, tuple[float, ...] | None] = {}
    for v in plan.order:
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
    carried = Carried(sheet.root, data, made, _factors(plan, local), plan.into, plan.deps,
                      given=dict(given), plan=plan)
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


def _reach(order: list[Value], named: set[Value], made_from: Mapping[Value, set[Value]]
           ) -> tuple[dict[Value, list[Value]], dict[Edge, set[Value]]]:
    # For each named Value u, the Values it reaches walking forward through unnamed ones (in
    # the graph's order); and for each factor ∂child/∂u between named Values, the named
    # Values its local derivatives are computed from (their formulas' names).
    reaches = reached_through(order, named)
    uses: dict[Edge, set[Value]] = {}
    for u, reach in reaches.items():
        used: dict[Value, set[Value]] = {u: set()}
        for c in reach:
            needs: set[Value] = set()
            for i, p in enumerate(c.parents):
                if p in used:
                    needs |= used[p] | _formula_uses(c, i, named, made_from)
            if c in named:
                uses[(c, u)] = needs
            else:
                used[c] = needs
    return reaches, uses


def _factors(plan: _Plan, local: Mapping[Value, Any]) -> dict[Edge, float | None]:
    # For each named Value u, walk forward through unnamed Values to the named ones, adding
    # up the products of the carried local derivatives: the factors ∂child/∂u.
    factor: dict[Edge, float | None] = {}
    for u, reach in plan.reach.items():
        d: dict[Value, float | None] = {u: 1.0}
        for c in reach:
            grads = local.get(c)
            total: float | None = 0.0
            for i, p in enumerate(c.parents):
                if p not in d:
                    continue
                dp = d[p]
                total = None if total is None or grads is None or dp is None else (
                    total + grads[i] * dp)
            if c in plan.named:
                factor[(c, u)] = total
            else:
                d[c] = total
    return factor


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
