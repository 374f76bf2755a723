"""`check_formula`: a learner's formula for ∂root/∂wrt tried at the graph's point and at
many others, the graph re-run at each by the compiled replay.
"""

from __future__ import annotations

import ast
import copy
import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autograd.claims.diagnosis import diagnose
from autograd.claims.printed import check_number
from autograd.claims.reading import Claim, ClaimError, Substitute, read_claim
from autograd.claims.report import ATOL, RTOL, Comparison, Diagnosis, FormulaCheck
from autograd.graph import topological_order
from autograd.notation import derivative_name, names_map
from autograd.replay import probe
from autograd.value import Value

POINTS = 48
"""Points a formula is tried at by default: the graph's own point and 47 drawn ones."""

_KINKED = {"relu", "leaky_relu", "abs"}  # ops whose derivative jumps where their input is 0



def check_formula(
    root: Value,
    wrt: Value,
    claim: str,
    *,
    points: int = POINTS,
    seed: int = 0,
    constants: Mapping[str, float] | None = None,
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

    The other points redraw every labelled leaf but those in ``constants`` (seeded by
    ``seed``) around 0, mostly within ±2·max(1, |its number|) and sometimes ±10× and ±50×,
    so ReLUs switch, even behind an offset; points outside an op's domain are drawn again.
    Where the claim has no value but the graph has one (a log of a negative), it fails;
    where only float round-off leaves it without a number (0/0 where σ rounds to 1), the
    point is left out and counted. When the claim holds and sympy is installed, sympy
    tries to prove it exactly; a point where sympy shows the two differ overturns the
    floats. The graph's ``.grad`` fields are not touched.

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

    # The labelled leaves are redrawn, except those the claim takes as constants (a target).
    held = constants or {}
    leaves = [v for v in order if not v.parents and v.label and v.label not in held]
    if not wrt.parents and wrt not in leaves:
        leaves.append(wrt)
    kinked = [v.parents[0] for v in order if v.op in _KINKED]
    inner = [v for v in order if v.parents and v.label]
    watched = list(dict.fromkeys([wrt, *parsed.values.values(), *kinked, *inner]))
    run = probe(root, leaves, watched)
    trial = _Trial(parsed, run, leaves, watched, wrt, inner)
    here_numbers = [v.data for v in leaves]
    here = trial.compare(here_numbers)
    if here is None:
        raise ClaimError("the engine's gradient is not a finite number at the graph's own "
                         "point, so there is nothing to check the claim against")
    trial.count_signs()
    tried = [(here_numbers, here)]
    rng = random.Random(seed)
    attempts = undefined = 0
    while len(tried) < points and attempts < 40 * points:
        attempts += 1
        scale = _SCALES[attempts % len(_SCALES)]
        numbers = [_draw(rng, v.data, scale) for v in leaves]
        if not leaves:
            break  # nothing to redraw: the graph's own point is the only one
        comparison = trial.compare(numbers)
        if comparison is not None and trial.rounded_off:
            undefined += 1  # no float number for the claim here (0/0 where σ rounds to 1)
        elif comparison is not None:
            trial.count_signs()
            tried.append((numbers, comparison))
    agree = [_agree(c) for _, c in tried]
    holds = all(agree) and undefined <= len(tried)  # no more left out than kept
    worst = _worst([c for _, c in tried])
    kinks = [shown[v] for v in kinked if {-1, 1} <= trial.signs.get(trial.index[v], set())]
    diagnosis = None
    proved = _proved(root, wrt, parsed, held) if holds else None
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
        diagnosis = diagnose(root, wrt, order, tried, agree, leaves, shown,
                              set(parsed.values.values()))
    zeros = sum(1 for _, c in tried[1:] if c.engine == 0 and c.claimed == 0)
    return FormulaCheck(claim, name, "formula", holds, len(tried), sum(agree), here, worst,
                        diagnosis, proved is True, 0.0, tuple(dict.fromkeys(kinks)), seed,
                        zeros, undefined)


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


_SCALES = (2.0, 2.0, 10.0, 50.0)
"""Point k redraws each leaf within ±scale·max(1, |its number|), scale = _SCALES[k % 4]:
mostly near the graph's own numbers, sometimes far, so that a kink behind an offset
(ReLU(x + 5)) is crossed too."""


def _draw(rng: random.Random, current: float, scale: float) -> float:
    spread = scale * max(1.0, abs(current))
    x = rng.uniform(-spread, spread)
    return round(x, 2) if spread < 100 else float(f"{x:.3g}")


class _Trial:
    """Runs the graph (compiled replay) and the claim at one point of the leaves."""

    def __init__(self, claim: Claim, run: Callable[[Sequence[float]], Any],
                 leaves: list[Value], watched: list[Value], wrt: Value,
                 inner: list[Value]) -> None:
        self.claim, self.run, self.leaves, self.inner = claim, run, leaves, inner
        self.index = {v: k for k, v in enumerate(watched)}
        self.wrt = wrt
        self.signs: dict[int, set[int]] = {}  # the signs each watched value took, kept points
        self.rounded_off = False
        self.undefined_because = ""
        self._values: list[float] = []

    def compare(self, numbers: list[float]) -> Comparison | None:
        try:
            values, grads = self.run(numbers)
        except (ArithmeticError, ValueError):
            return None  # outside some op's domain: not a point of this graph
        at = {v.label: x for v, x in zip(self.leaves, numbers)}
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
        return Comparison(at, claimed, engine, inner)

    def count_signs(self) -> None:
        """Record the signs the watched values took at the point just compared, kept."""
        for k, value in enumerate(self._values):
            self.signs.setdefault(k, set()).add((value > 0) - (value < 0))


def _proved(root: Value, wrt: Value, claim: Claim, held: Mapping[str, float]) -> bool | None:
    # True: sympy proved them equal; False: sympy found them different; None: cannot tell.
    try:
        from autograd.symbolic import prove_equal
    except ImportError:
        return None
    # A constant that is a labelled leaf held at that number is that leaf to sympy.
    leaves = {v.label: v for v in topological_order(root) if v.label and not v.parents}
    if any(name in leaves and name not in claim.constants for name in held):
        return None  # a leaf held at its number that the claim does not name: no proof
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
        return prove_equal(root, wrt, tree, values)
    except Exception:  # noqa: BLE001 (sympy missing or out of its depth: no proof, no harm)
        return None
