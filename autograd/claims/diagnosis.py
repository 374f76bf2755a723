"""What is wrong with a claim that fails: the slip a learner made, in the learner's terms.

At a few of the points tried, ∂root/∂wrt is written as the sum over paths of products of
factors (`autograd.explain`); each slip (a factor missing or counted twice, a value written
for its derivative, a wrong or extra factor, a missing path, a sign, a constant factor) is
the number it would give there. The first slip that gives the claim's number at every one of
those points is the diagnosis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import zip_longest

from autograd.claims.report import ATOL, RTOL, Comparison, Diagnosis
from autograd.explain import Factor, Path, explain
from autograd.notation import number
from autograd.ops import OPS
from autograd.value import Value, apply

_DIAGNOSIS_POINTS = 16
_MAX_DIAGNOSED_PATHS = 64
_CONSTANT_FACTORS = (2.0, 0.5, 3.0, 1 / 3, 4.0, 0.25, -2.0, -0.5)



def _rebuilt(order: Sequence[Value], numbers: Mapping[Value, float]) -> dict[Value, Value]:
    # The same graph, built eagerly with new numbers for some leaves, for explain() to read.
    new: dict[Value, Value] = {}
    for v in order:
        if not v.parents:
            new[v] = Value(numbers[v], v.label) if v in numbers else v
        else:
            new[v] = apply(OPS[v.op], *(new[p] for p in v.parents))
            new[v].label = v.label
    return new


_Key = tuple[int, int]  # a factor: (position of its child, position of its parent) in order


@dataclass
class _Terms:
    """∂root/∂wrt at one point, as the sum over paths of products of factors."""

    paths: list[list[tuple[_Key, float]]]
    claimed: float
    engine: float
    values: dict[int, float]
    """the labelled Values' numbers here, by position in the topological order"""


@dataclass(frozen=True)
class _Slip:
    category: str
    message: str
    edge: str
    gives: Callable[[_Terms], float]
    """the number the claim would have at a point if this were the slip"""
    values: tuple[Value, ...] = ()


def diagnose(root: Value, wrt: Value, order: list[Value],
              tried: list[tuple[list[float], Comparison]], agree: list[bool],
              leaves: list[Value], shown: Mapping[Value, str], used: set[Value]) -> Diagnosis:
    # Points: the graph's own first, then those that disagree and those that agree, in
    # turn, so that a slip that fits only where a ReLU is on is told apart.
    wrong = [k for k, ok in enumerate(agree) if k and not ok]
    right = [k for k, ok in enumerate(agree) if k and ok]
    chosen = [0] + [k for pair in zip_longest(wrong, right) for k in pair if k is not None]
    position = {v: k for k, v in enumerate(order)}
    labelled = [position[v] for v in order if v.label or v is root]
    terms: list[_Terms] = []
    paths: tuple[Path, ...] = ()
    for k in chosen[:_DIAGNOSIS_POINTS]:
        numbers, comparison = tried[k]
        if not math.isfinite(comparison.claimed):
            continue
        new = _rebuilt(order, dict(zip(leaves, numbers)))
        why = explain(new[root], new[wrt], max_paths=_MAX_DIAGNOSED_PATHS)
        if why.summarised:
            terms, paths = [], ()
            break
        old = {n: o for o, n in new.items()}

        def key(f: Factor) -> _Key:
            return position[old[f.child]], position[old[f.parent]]  # noqa: B023

        terms.append(_Terms([[(key(f), f.value) for f in p.factors] for p in why.paths],
                            comparison.claimed, comparison.engine,
                            {p: new[order[p]].data for p in labelled}))
        if not paths:
            paths = tuple(Path(p.name, tuple(Factor(old[f.child], old[f.parent], f.name,
                                                    f.formula, f.value, f.paths)
                                             for f in p.factors)) for p in why.paths)
    if all(_close(t.engine, t.claimed) for t in terms):
        terms = []  # no disagreement left to explain among the points that could be rebuilt
    for slip in _slips(paths, order, [position[v] for v in order if v in used], shown):
        if terms and all(_close(slip.gives(t), t.claimed) for t in terms):
            return Diagnosis(slip.category, slip.message, slip.edge, slip.values)
    return Diagnosis("disagrees", "no single slip explains the difference (a factor missing, "
                     "doubled or wrong, a path, a sign, a constant factor); compare the claim "
                     "term by term with explain(root, wrt) at the worst point")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


def _sum_of_paths(t: _Terms, change: Callable[[_Key, float], float]) -> float:
    return math.fsum(math.prod(change(k, v) for k, v in path) for path in t.paths)


def _slips(paths: tuple[Path, ...], order: list[Value], used: list[int],
           shown: Mapping[Value, str]) -> list[_Slip]:
    # Each slip a learner makes, as the number it would give at a point; most telling first.
    # A wrong or extra factor is one of the Values the claim names (w6 for w5), or a factor's
    # own value in place of its derivative (σ(z3) for σ'(z3)).
    name = paths[0].name if paths else "the gradient"
    position = {v: k for k, v in enumerate(order)}
    factors: dict[_Key, Factor] = {}
    for path in paths:
        for f in path.factors:
            factors.setdefault((position[f.child], position[f.parent]), f)
    ends = {key: (f.child, f.parent) for key, f in factors.items()}
    # factors that are one function's derivative, σ'(z3), by function
    of_function: dict[str, list[_Key]] = {}
    for key, f in factors.items():
        if len(f.child.parents) == 1 and f.child.op in OPS and f.formula:
            of_function.setdefault(f.child.op, []).append(key)

    slips = [_Slip("sign error", f"the claim is −{name}: the sign is flipped; look for a "
                   "(y − ŷ) that should be (ŷ − y), or a minus lost from a log or a 1 − x", "",
                   _negated)]
    for k in _CONSTANT_FACTORS:
        why = ("; a square's 2, (x²)' = 2x, or a ½ in front of the loss is often the cause"
               if k in (2.0, 0.5) else "")
        slips.append(_Slip("constant factor", f"the claim is {_ratio(k)} times {name}{why}",
                           "", partial(_scaled, k)))
    for key, f in factors.items():
        told = (f": it is {number(f.value)} at the graph's point, so that point alone cannot "
                "tell" if f.value in (0.0, 1.0) else "")
        slips.append(_Slip("missing factor", f"missing {_described(f)}{told}", f.name,
                           partial(_without, {key}), ends[key]))
    for op, keys in of_function.items():  # ReLU' left out on both hidden neurons' paths
        if len(keys) > 1:
            listed = ", ".join(_described(factors[k]) for k in keys)
            slips.append(_Slip("missing factor", f"missing {OPS[op].symbol}' on every path: "
                               f"{listed}", factors[keys[0]].name, partial(_without, set(keys)),
                               tuple(v for k in keys for v in ends[k])))
    for keys in of_function.values():
        for key in keys:
            f = factors[key]
            symbol, value, below = OPS[f.child.op].symbol, shown[f.child], shown[f.parent]
            slips.append(_Slip(
                "wrong local derivative",
                f"{f.name} is {f.formula}, but the claim has {value} in its place: {value} = "
                f"{symbol}({below}) is the value, not its derivative {symbol}'({below})",
                f.name, partial(_replaced, key, key[0]), ends[key]))
    for key, f in factors.items():
        slips.append(_Slip("extra factor", f"{_described(f)} is counted twice", f.name,
                           partial(_doubled, key), ends[key]))
    for where in used:
        slips.append(_Slip("extra factor", f"an extra factor {shown[order[where]]}, which "
                           f"{name} does not have", "", partial(_times_value, where)))
    for key, f in factors.items():
        for where in used:
            slips.append(_Slip(
                "wrong local derivative", f"{f.name} is {f.formula or 'another number'}, but "
                f"the claim has {shown[order[where]]} in its place", f.name,
                partial(_replaced, key, where), ends[key]))
    if len(paths) > 1:
        for k, path in enumerate(paths):
            route = " → ".join([shown[path.factors[-1].parent]]
                               + [shown[f.child] for f in reversed(path.factors)])
            slips.append(_Slip("missing path", f"missing the path {route}, the term "
                               f"{path.symbolic} of the sum over paths", "",
                               partial(_without_path, k),
                               tuple(dict.fromkeys(v for f in path.factors
                                                   for v in (f.child, f.parent)))))
    return slips


def _negated(t: _Terms) -> float:
    return -t.engine


def _scaled(k: float, t: _Terms) -> float:
    return k * t.engine


def _without(keys: set[_Key], t: _Terms) -> float:
    return _sum_of_paths(t, lambda k, v: 1.0 if k in keys else v)


def _doubled(key: _Key, t: _Terms) -> float:
    return _sum_of_paths(t, lambda k, v: v * v if k == key else v)


def _replaced(key: _Key, where: int, t: _Terms) -> float:
    return _sum_of_paths(t, lambda k, v: t.values[where] if k == key else v)


def _times_value(where: int, t: _Terms) -> float:
    return t.engine * t.values[where]


def _without_path(k: int, t: _Terms) -> float:
    return t.engine - math.prod(v for _, v in t.paths[k])


def _described(f: Factor) -> str:
    return f"{f.name} = {f.formula}" if f.formula else f.name


def _ratio(k: float) -> str:
    return {0.5: "½", 1 / 3: "⅓", 0.25: "¼", -0.5: "−½"}.get(k, number(k))
