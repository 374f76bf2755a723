"""`check_formula`: a learner's formula for ∂root/∂wrt tried at the graph's point and at
many others, the graph re-run at each by the compiled replay.
"""

from __future__ import annotations

import ast
import copy
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd.claims.diagnosis import diagnose
from autograd.claims.printed import check_number
from autograd.claims.reading import Claim, ClaimError, Substitute, read_claim
from autograd.claims.report import ATOL, RTOL, TARGETS, Comparison, Diagnosis, FormulaCheck
from autograd.formula import quoted, shortened
from autograd.graph import topological_order
from autograd.notation import derivative_name, names_map
from autograd.ops import OPS
from autograd.replay import probe
from autograd.value import Value

POINTS = 48
"""Points a formula is tried at by default: the graph's own point and 47 drawn ones."""

SATURATED = 0.01
"""A sigmoid or tanh on a path from ``wrt`` whose derivative is below this is saturated:
every factor behind it is multiplied by almost 0, so the point tells little."""

_KINKED = {"relu", "leaky_relu", "abs"}  # ops whose derivative jumps where their input is 0
_SATURATING = {"sigmoid", "tanh"}
_PATIENCE = 8  # draws per kept point before points that tell less are taken
_ASIDE = 4  # points passed over where both are 0, kept for the diagnosis
_BOTH_ZERO, _FLAT = "both are 0", "saturated"  # how the reasons a point tells little start


def check_formula(
    root: Value,
    wrt: Value,
    claim: str,
    *,
    points: int = POINTS,
    seed: int = 0,
    constants: Mapping[str, float] | None = None,
    fixed: Iterable[str | Value] = (),
    vary: Iterable[str | Value] = (),
) -> FormulaCheck:
    """Check a learner's formula for ∂root/∂wrt at the graph's point and ``points - 1``
    others; say what is wrong when it fails.

    ``claim`` is written in the graph's labels with ``+ - * / **``, the functions of the
    formula language (exp, log, sigmoid, relu, step, ...), and the articles' notation:
    ``·``, ``×``, ``−``, ``σ(z3)``, ``ReLU'(z1)`` or ``relu'(z1)`` (that is step(z1)),
    ``σ'(z3)`` (any function's derivative, from the op table), ``x²``, ``w₁`` for w1,
    ``y_hat`` for ŷ. ``constants`` gives numbers for names the graph holds as constants
    (the student network's target: ``constants={"y": 0}``). A claim that is a number
    (``"0.4431"``) is checked at the graph's point only, within half a unit of its last
    printed digit.

    The other points redraw every labelled leaf (parameters and inputs alike, seeded by
    ``seed``) but targets: leaves labelled y, t or target, those in ``constants`` and those
    in ``fixed`` (labels or Values) keep their number; ``vary`` redraws one of them. The
    points are informative: every sigmoid and tanh on the paths from ``wrt`` away from
    saturation, every ReLU and abs seen on both sides of its kink, log and sqrt inside
    their domains, and a point where claim and engine are both 0 (a ReLU off) passed over
    for another: such a point never counts as agreement. The report says how many points
    were informative and why any were not. Where the claim has no value but the graph
    has one (a log of a negative), it fails; where only float round-off leaves it without
    a number (0/0 where σ rounds to 1), the point is left out and counted. When the claim
    holds and sympy is installed, sympy tries to prove it exactly; a point where sympy
    shows the two differ overturns the floats. The graph's ``.grad`` fields are not
    touched.

    >>> from nn.examples import student_forward
    >>> net = student_forward()
    >>> report = check_formula(net["L"], net["w1"], "(ŷ - y)·w5·x1", constants={"y": 0})
    >>> bool(report), report.diagnosis.category
    (False, 'missing factor')
    >>> print(report.diagnosis.message)  # doctest: +ELLIPSIS
    missing ∂h1/∂z1 = ReLU'(z1) = step(z1): it is 1 at the graph's point, ...
    """
    if not isinstance(root, Value) or not isinstance(wrt, Value):
        raise TypeError("check_formula(root, wrt, claim): root and wrt must be Values")
    if points < 1:
        raise ValueError(f"points must be at least 1, got {points}")
    order = topological_order(root)
    if wrt not in set(order):
        raise ClaimError("wrt is not in the graph of root: ∂root/∂wrt is 0 everywhere")
    shown = names_map(order)
    name = derivative_name(shown[root], shown[wrt])
    parsed = read_claim(claim, order, constants or {})
    if parsed.is_number:
        return check_number(parsed, root, wrt, name, seed)

    held = constants or {}
    fixed, vary = _listed_leaves(fixed), _listed_leaves(vary)  # each read more than once
    _refuse_other_numbers(order, held)
    leaves = redrawn_leaves(order, wrt, held, fixed, vary)
    on_path = _on_paths(order, wrt)
    kinked = [v.parents[0] for v in order if v.op in _KINKED]
    saturating = [v for v in order if v.op in _SATURATING and v in on_path]
    inner = [v for v in order if v.parents and v.label]
    watched = list(dict.fromkeys([wrt, *parsed.values.values(), *kinked, *inner,
                                  *(v.parents[0] for v in saturating)]))
    run = probe(root, leaves, watched)
    trial = _Trial(parsed, run, leaves, watched, wrt, inner, saturating,
                   [v for v in kinked if v in on_path], shown)
    here_numbers = [v.data for v in leaves]
    here = trial.compare(here_numbers)
    if here is None:
        raise ClaimError("the engine's gradient is not a finite number at the graph's own "
                         "point, so there is nothing to check the claim against")
    trial.count_signs()
    drawn = _Drawn([(here_numbers, here)], [trial.uninformative()])
    _draw_points(trial, drawn, points, seed)
    tried, why_not, aside, undefined = drawn.tried, drawn.why_not, drawn.aside, drawn.undefined
    agree = [_agree(c) for _, c in tried]
    holds = all(agree) and undefined <= len(tried)  # no more left out than kept
    informative = [not why for why in why_not]
    # the worst point among those that tell; among all, when only others disagree
    telling = [c for (_, c), ok in zip(tried, informative) if ok]
    shows_it = bool(telling) and (all(agree) or not all(map(_agree, telling)))
    worst = _worst(telling if shows_it else [c for _, c in tried])
    kinks = [shown[v] for v in kinked if {-1, 1} <= trial.signs.get(trial.index[v], set())]
    diagnosis = None
    proved = _proved(root, wrt, parsed, leaves) if holds else None
    if proved is False:  # sympy found a point where they differ: floats could not tell
        holds = False
        diagnosis = Diagnosis("disagrees", "sympy shows the claim is not the engine's "
                              "formula, although the two agree in floats at every point "
                              "tried: they differ by less than the floats can tell there")
    elif not holds and all(agree):
        diagnosis = Diagnosis("disagrees", f"the claim has no number at {undefined} of the "
                              f"{undefined + len(tried)} points drawn (a division by 0 or an "
                              "overflow), too many to leave out")
    elif not math.isfinite(worst.claimed):
        diagnosis = Diagnosis("disagrees", "the claim has no value at points where the graph "
                              f"has one ({trial.undefined_because or 'not a finite number'}); "
                              "the engine's gradient is defined there, so the formula is not it")
    elif not holds:
        # the points passed over where both are 0 tell a slip that keeps ReLU' from one
        # that drops it: the diagnosis looks at them right after the graph's own point
        looked_at = tried[:1] + aside + tried[1:]
        diagnosis = diagnose(root, wrt, order, looked_at,
                             agree[:1] + [True] * len(aside) + agree[1:], leaves, shown,
                             set(parsed.values.values()), parsed.derivatives)
    zeros = sum(1 for why in why_not[1:] if why.startswith(_BOTH_ZERO))
    reasons = tuple(Counter(why for why in why_not if why).items())
    agreed = sum(1 for ok, telling in zip(agree, informative) if ok and telling)
    held_leaves = [v for v in order if not v.parents and v.label and v not in leaves]
    return FormulaCheck(
        claim, name, "formula", holds, len(tried), agreed, here, worst, diagnosis,
        proved=proved is True, kinks=tuple(dict.fromkeys(kinks)), seed=seed, zeros=zeros,
        undefined=undefined, informative=sum(informative), uninformative=reasons,
        passed_over=drawn.passed_over, held=tuple(shown[v] for v in held_leaves),
        targets=tuple(shown[v] for v in held_leaves if _held_by_default(v, held, fixed)),
        redrawn=tuple(shown[v] for v in leaves), read_as=parsed.read_as,
        here_informative=not why_not[0])


@dataclass
class _Drawn:
    """The points kept (the graph's own first), why each tells little ("" when it tells),
    and what was passed over."""

    tried: list[tuple[list[float], Comparison]]
    why_not: list[str]
    aside: list[tuple[list[float], Comparison]] = field(default_factory=list)
    """points passed over where both are 0 (a kink off), kept for the diagnosis"""
    undefined: int = 0
    passed_over: int = 0


def _draw_points(trial: _Trial, drawn: _Drawn, points: int, seed: int) -> None:
    # Draw points until ``points`` are kept: those that tell little are passed over while
    # there is patience left, and a scale whose points saturate is halved.
    rng = random.Random(seed)
    scales = list(_SCALES)
    attempts = 0
    while len(drawn.tried) < points and attempts < 40 * points and trial.leaves:
        attempts += 1
        slot = attempts % len(scales)
        numbers = [_draw(rng, v.data, scales[slot]) for v in trial.leaves]
        comparison = trial.compare(numbers)
        if comparison is None:
            continue
        if trial.rounded_off:
            drawn.undefined += 1  # no float number for the claim here (0/0, σ rounded to 1)
            continue
        trial.count_signs()
        why = trial.uninformative()
        if why and attempts < _PATIENCE * points:
            drawn.passed_over += 1
            if why.startswith(_BOTH_ZERO) and len(drawn.aside) < _ASIDE:
                drawn.aside.append((numbers, comparison))
            if why.startswith(_FLAT):  # draw nearer 0 at this scale from now on
                scales[slot] = max(scales[slot] / 2, _SMALLEST_SCALE)
            continue
        drawn.tried.append((numbers, comparison))
        drawn.why_not.append(why)


def _listed_leaves(given: Iterable[str | Value]) -> list[str | Value]:
    return [given] if isinstance(given, (str, Value)) else list(given)


def _held_by_default(leaf: Value, constants: Mapping[str, float],
                     fixed: list[str | Value]) -> bool:
    # A target held because of its label, not because it was given as fixed or a constant.
    return (leaf.label in TARGETS and leaf.label not in constants
            and not any(item is leaf or item == leaf.label for item in fixed))


def _refuse_other_numbers(order: Sequence[Value], constants: Mapping[str, float]) -> None:
    # A constant named like a leaf of the graph must be the leaf's own number: the claim
    # and the graph would otherwise be about two different y's.
    for v in order:
        if (not v.parents and v.label in constants
                and float(constants[v.label]) != v.data):
            raise ClaimError(
                f"constants={{{v.label!r}: {constants[v.label]!r}}}, but {v.label} is a leaf "
                f"of the graph holding {v.data!r}: leave it out of constants (a leaf "
                f"labelled {v.label} is held at its number; fixed=[{v.label!r}] holds any "
                "other leaf)")


def redrawn_leaves(order: Sequence[Value], wrt: Value, constants: Mapping[str, float],
                   fixed: Iterable[str | Value], vary: Iterable[str | Value]) -> list[Value]:
    """The labelled leaves a check redraws: all but targets (labels y, t, target), names
    in ``constants`` and ``fixed``; ``vary`` redraws one of those. ``wrt`` is always redrawn.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> w, x, y = Value(0.5, label="w"), Value(2.0, label="x"), Value(1.0, label="y")
    >>> L = (w * x - y) ** 2
    >>> [v.label for v in redrawn_leaves(topological_order(L), w, {}, ["x"], [])]
    ['w']
    """
    leaves = [v for v in order if not v.parents and v.label]
    fixed_leaves = _chosen(_listed_leaves(fixed), leaves, "fixed")
    varied_leaves = _chosen(_listed_leaves(vary), leaves, "vary")
    both = fixed_leaves & varied_leaves
    if both:
        raise ClaimError(f"{', '.join(sorted(v.label for v in both))} is both fixed and "
                         "varied: give it in one of fixed= and vary=")
    held = fixed_leaves | {v for v in leaves if v.label in TARGETS or v.label in constants}
    held -= varied_leaves
    redrawn = [v for v in leaves if v not in held]
    if not wrt.parents and wrt not in redrawn:
        redrawn.append(wrt)
    return redrawn


def _chosen(given: list[str | Value], leaves: Sequence[Value], what: str) -> set[Value]:
    # The leaves given by label or as Values; anything else is an error naming the leaves.
    by_label = {v.label: v for v in leaves}
    chosen = set()
    for item in given:
        if isinstance(item, Value) and item in set(leaves):
            chosen.add(item)
        elif isinstance(item, str) and item in by_label:
            chosen.add(by_label[item])
        else:
            shown = shortened(", ".join(by_label) or "none", 120)
            what_it_is = (repr(item.label or item.data) if isinstance(item, Value)
                          else quoted(str(item)))
            raise ClaimError(f"{what}=: {what_it_is} is not a labelled leaf of the graph; "
                             f"its labelled leaves are: {shown}")
    return chosen


def _on_paths(order: Sequence[Value], wrt: Value) -> set[Value]:
    # The Values that depend on wrt: with the root, the paths from wrt run through them.
    reached = {wrt}
    for v in order:
        if any(p in reached for p in v.parents):
            reached.add(v)
    return reached


def _agree(c: Comparison) -> bool:
    return c.error <= ATOL + RTOL * abs(c.engine)


def _worst(compared: list[Comparison]) -> Comparison:
    # The largest disagreement; among those about as bad, the one with the smallest numbers,
    # which a learner can recompute by hand.
    worst = max(_badness(c) for c in compared)
    bad = [c for c in compared if _badness(c) >= worst / 2]
    return min(bad, key=lambda c: max((abs(x) for x in c.at.values()), default=0.0))


def _badness(c: Comparison) -> float:
    # Relative error (at most 1, for 0 against anything), so that among the points where
    # the claim is plainly wrong the first one drawn is shown: the nearest scale, readable.
    if c.error <= ATOL + RTOL * abs(c.engine):
        return c.error / (ATOL + RTOL * abs(c.engine)) * 1e-12
    return min(1.0, c.error / max(abs(c.claimed), abs(c.engine)))


_SMALLEST_SCALE = 0.25
_SCALES = (2.0, 2.0, 10.0, 50.0)
"""Point k redraws each leaf within ±scale·max(1, |its number|), scale = _SCALES[k % 4]:
mostly near the graph's own numbers, sometimes far, so that a kink behind an offset
(ReLU(x + 5)) is crossed too. A scale whose points saturate a sigmoid or tanh is halved,
down to `_SMALLEST_SCALE`."""


def _draw(rng: random.Random, current: float, scale: float) -> float:
    spread = scale * max(1.0, abs(current))
    x = rng.uniform(-spread, spread)
    return round(x, 2) if spread < 100 else float(f"{x:.3g}")


class _Trial:
    """Runs the graph (compiled replay) and the claim at one point of the leaves."""

    def __init__(self, claim: Claim, run: Callable[[Sequence[float]], Any],
                 leaves: list[Value], watched: list[Value], wrt: Value,
                 inner: list[Value], saturating: list[Value], kinked: list[Value],
                 shown: Mapping[Value, str]) -> None:
        self.claim, self.run, self.leaves, self.inner = claim, run, leaves, inner
        self.index = {v: k for k, v in enumerate(watched)}
        self.wrt = wrt
        self.saturating, self.kinked, self.shown = saturating, kinked, shown
        redrawn = set(leaves)
        self.held = {v.label: v.data for v in shown if not v.parents and v.label
                     and v not in redrawn}  # leaves that keep their number
        self.signs: dict[int, set[int]] = {}  # the signs each watched value took
        self.rounded_off = False
        self.undefined_because = ""
        self._values: list[float] = []
        self._last: Comparison | None = None

    def compare(self, numbers: list[float]) -> Comparison | None:
        try:
            values, grads = self.run(numbers)
        except (ArithmeticError, ValueError):
            return None  # outside some op's domain: not a point of this graph
        at = {**self.held, **{v.label: x for v, x in zip(self.leaves, numbers)}}
        named = {name: values[self.index[v]] for name, v in self.claim.values.items()}
        inner = {v.label: values[self.index[v]] for v in self.inner}
        engine = grads[self.index[self.wrt]]
        if not math.isfinite(engine):
            return None
        # A claim with no float number here: a division by 0 or an overflow is the floats'
        # doing (1/(1 − ŷ) where σ rounds to 1) and the point is left out; a domain error
        # (log of a negative) where the graph is defined is the claim's, and it disagrees.
        self.rounded_off, self._values = False, values
        try:
            claimed = self.claim.at(named)
            self.rounded_off = not math.isfinite(claimed)
        except (OverflowError, ZeroDivisionError):
            claimed, self.rounded_off = math.nan, True
        except (ArithmeticError, ValueError) as err:
            claimed, self.rounded_off = math.nan, "division by zero" in str(err)
            self.undefined_because = str(err)
        self._last = Comparison(at, claimed, engine, inner)
        return self._last

    def count_signs(self) -> None:
        """Record the signs the watched values took at the point just compared."""
        for k, value in enumerate(self._values):
            self.signs.setdefault(k, set()).add((value > 0) - (value < 0))

    def uninformative(self) -> str:
        """Why the point just compared tells little, or "": a sigmoid or tanh on a path
        from wrt saturated, or claim and engine both 0 there (a ReLU off)."""
        for v in self.saturating:
            a = self._values[self.index[v.parents[0]]]
            if abs(OPS[v.op].rule(a, OPS[v.op].forward(a))[0]) < SATURATED:
                return (f"{_FLAT}: {self.shown[v]} is flat there "
                        f"({self.shown[v.parents[0]]} far from 0)")
        c = self._last
        if c is not None and abs(c.engine) <= ATOL and abs(c.claimed) <= ATOL:
            off = [self.shown[v] for v in self.kinked if self._values[self.index[v]] <= 0]
            return (_BOTH_ZERO + (f", where {_listed(off)} ≤ 0 (a ReLU off)" if off else ""))
        return ""


def _listed(names: list[str]) -> str:
    return ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])}, …"


def _proved(root: Value, wrt: Value, claim: Claim, redrawn: Sequence[Value]) -> bool | None:
    # True: sympy proved them equal; False: sympy found them different; None: cannot tell.
    # The leaves held over the points (targets, fixed) are their numbers to sympy too.
    try:
        from autograd.symbolic import prove_equal
    except ImportError:
        return None
    # A constant that is a labelled leaf held at that number is that leaf to sympy.
    leaves = {v.label: v for v in topological_order(root) if v.label and not v.parents}
    held = [v for v in leaves.values() if v not in set(redrawn)]
    values = dict(claim.values)
    numbers: dict[str, ast.expr] = {}
    for name, x in claim.constants.items():
        if name in leaves and leaves[name].data == x:
            values[name] = leaves[name]
        elif name in leaves:
            return None  # the claim's y is not the graph's y: nothing to prove
        else:
            numbers[name] = ast.Constant(x)
    tree = Substitute(numbers).visit(copy.deepcopy(claim.tree))
    try:
        return prove_equal(root, wrt, tree, values, held=held)
    except Exception:  # noqa: BLE001 (sympy missing or out of its depth: no proof, no harm)
        return None
