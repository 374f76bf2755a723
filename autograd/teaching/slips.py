"""Naming the slip behind a wrong number, from the student's own earlier numbers.

For a wrong answer the grader tries the slips students make, each computed from the carried
numbers (`autograd.teaching.carried`), and names the first that gives the student's number
(and not the right one). For a gradient (`backward_slip`), in this order, term by term:

- a local derivative left out: "∂L/∂z3: you left out ∂ŷ/∂z3 = σ'(z3)";
- the value of a function written for its derivative: "∂L/∂z3: you multiplied by σ(z3) = ŷ
  instead of σ'(z3) = ŷ·(1 − ŷ)";
- another edge's local derivative into the same Value: "you multiplied by w6 instead of w5";
- the Value's own number for its local derivative: "you multiplied by h1 instead of w5";
- the upstream gradient left out: "you did not multiply by the upstream ∂L/∂z3";
- a path left out, where there are several: "you left out the path through z3";

then, for any answer, the sign. For a forward value (`forward_slip`): a bias or a term left
out of a weighted sum ("z1: you left out b1", "you left out w1·x1"), an activation not applied
("h1: you did not apply ReLU: h1 = ReLU(z1)"), and the sign.

A slip fits when the student's number is its number to three significant digits. The
student's earlier numbers are rounded, and so is every slip computed from them: where no
slip fits so, each may also be off by as far as that rounding can move it
(`autograd.teaching.carried.Carried.spread`), as a right answer may.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from autograd.notation import number
from autograd.ops import OPS
from autograd.teaching.carried import Carried
from autograd.teaching.tolerance import SHOWN, within
from autograd.teaching.worksheet import BackwardRow, ForwardRow
from autograd.value import Value

_ARITHMETIC = ("+", "-", "*", "/", "**")


def backward_slip(row: BackwardRow, mine: float, carried: Carried) -> str:
    """The slip that gives ``mine`` for the gradient of ``row``, in words; "" if none does.

    >>> from autograd import Value
    >>> from autograd.teaching.carried import carry
    >>> from autograd.teaching.worksheet import worksheet
    >>> z = Value(1.5, label="z")
    >>> L = z.sigmoid(); L.label = "L"
    >>> sheet = worksheet(L)
    >>> backward_slip(sheet.backward[0], 0.8176, carry(sheet, {}))
    "∂L/∂z: you multiplied by σ(z) = L instead of σ'(z) = L·(1 − L)"
    """
    return _first_fit(row.title, row.answer, mine, carried,
                      lambda run: _backward_candidates(row, run))


def _backward_candidates(row: BackwardRow, carried: Carried
                         ) -> tuple[float, list[tuple[str, float]]] | None:
    # The right number of row's gradient from the carried numbers, and each slip's.
    v = row.node
    right, pairs = carried.backward.get(v), carried.terms(row)
    if right is None or pairs is None:
        return None
    candidates: list[tuple[str, float]] = []
    for (u, f), term in zip(pairs, row.terms):
        rest = right - u * f  # the other terms
        factor, child = term.factor, term.child
        said = _short(factor.formula, factor.name)
        candidates.append((f"you left out {factor.name}"
                           + (f" = {said}" if said != factor.name else ""), rest + u))
        op = OPS.get(child.op)
        if (op is not None and len(child.parents) == 1 and child.parents[0] is v
                and op.symbol not in _ARITHMETIC):
            value = carried.data.get(child)
            if value is not None:
                function = f"{op.symbol}({v.label})"
                candidates.append((f"you multiplied by {function} = {child.label} instead of "
                                   f"{factor.formula or factor.name}", rest + u * value))
        for other in carried.into.get(child, ()):  # another edge into the same child: w6 for w5
            value = carried.factor.get((child, other.parent))
            if other.parent is not v and value is not None:
                shown = _short(other.formula, other.name)
                candidates.append((f"you multiplied by {shown} instead of {said}",
                                   rest + u * value))
        own = carried.data.get(v)
        if own is not None and v.label:
            candidates.append((f"you multiplied by {v.label} instead of {said}",
                               rest + u * own))
        if child is not carried.root:
            candidates.append((f"you did not multiply by the upstream {term.upstream_name}",
                               rest + f))
        if len(row.terms) > 1:
            candidates.append((f"you left out the path through {child.label}", rest))
    return right, candidates


def forward_slip(row: ForwardRow, mine: float, carried: Carried) -> str:
    """The slip that gives ``mine`` for the forward value of ``row``, in words; "" if none
    does.

    >>> from autograd import Value, dot
    >>> from autograd.teaching.carried import carry
    >>> from autograd.teaching.worksheet import worksheet
    >>> w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(0.5, label="b")
    >>> z = dot([w], [x], b); z.label = "z"
    >>> L = z.sigmoid(); L.label = "L"
    >>> sheet = worksheet(L)
    >>> forward_slip(sheet.forward[0], 1.0, carry(sheet, {}))
    'z: you left out b'
    """
    return _first_fit(row.name, row.name, mine, carried,
                      lambda run: _forward_candidates(row, run))


def _forward_candidates(row: ForwardRow, carried: Carried
                        ) -> tuple[float, list[tuple[str, float]]] | None:
    # The right number of row's value from the carried numbers, and each slip's.
    v = row.node
    right = carried.forward.get(v)
    if right is None:  # else every parent's number is known
        return None
    xs = [carried.data[p] or 0.0 for p in v.parents]

    def called(p: Value) -> str:
        return p.label or number(p.data, SHOWN)

    candidates: list[tuple[str, float]] = []
    if v.op == "dot":  # parents w1, x1, ..., wn, xn, b
        candidates.append((f"you left out {called(v.parents[-1])}", right - xs[-1]))
        for k in range(0, len(xs) - 1, 2):
            term = f"{called(v.parents[k])}·{called(v.parents[k + 1])}"
            candidates.append((f"you left out {term}", right - xs[k] * xs[k + 1]))
    op = OPS.get(v.op)
    if op is not None and len(v.parents) == 1 and op.symbol not in _ARITHMETIC:
        inner = called(v.parents[0])
        candidates.append((f"you did not apply {op.symbol}: {row.name} = {op.symbol}({inner})",
                           xs[0]))
    return right, candidates


Candidates = Callable[[Carried], "tuple[float, list[tuple[str, float]]] | None"]
"""The right number and each slip's number (with its words), from one run's numbers"""

_SIGN = "the sign is wrong"


def _first_fit(where: str, answer: str, mine: float, carried: Carried,
               candidates: Candidates) -> str:
    # "where: slip" for the first slip (the sign tried last) that gives the student's number
    # and not the right one: to three significant digits, else give or take how far the
    # rounding of the student's earlier numbers moves it.
    memo: dict[int, tuple[float, list[tuple[str, float]]] | None] = {}

    def once(run: Carried) -> tuple[float, list[tuple[str, float]]] | None:
        # each run's slips, computed once (the runs live in ``carried`` meanwhile)
        if id(run) not in memo:
            memo[id(run)] = candidates(run)
        return memo[id(run)]

    found = once(carried)
    if found is None:
        return ""
    right, slips = found
    slips = [*slips, (_SIGN, -right)]
    fits = [(message, slip) for message, slip in slips
            if math.isfinite(slip) and not within(slip, right)]
    for message, slip in fits:
        if within(mine, slip):
            return f"{where}: {message}"
    for message, slip in fits:
        if within(mine, slip, carried.spread(answer, _slip_number(once, message))):
            return f"{where}: {message}"
    return ""


def _slip_number(candidates: Candidates, message: str) -> Callable[[Carried], float | None]:
    # The number of the slip ``message`` in a run (None where that run has no such slip).
    def number_in(run: Carried) -> float | None:
        found = candidates(run)
        if found is None:
            return None
        right, slips = found
        return next((x for m, x in [*slips, (_SIGN, -right)] if m == message), None)
    return number_in


def _short(text: str, fallback: str) -> str:
    # A factor's formula as people say it: "ReLU'(z1)" of "ReLU'(z1) = step(z1)".
    return text.split(" = ")[0] if text else fallback


__all__ = ["backward_slip", "forward_slip"]
