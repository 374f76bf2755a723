"""Checking a learner's claims: a hand-derived formula for a gradient, or printed numbers.

`check_formula(root, wrt, claim)` takes a formula for ∂root/∂wrt written as the articles
write it, in the graph's labels (``(ŷ − y)·w5·ReLU'(z1)·x1``), and compares it with the
engine's gradient at the graph's own point and at many other points: the labelled leaves are
redrawn over a range wide enough to cross ReLU's kink, inside every op's domain, and the
graph is re-run by the compiled replay. One point is not enough: at a point where
ReLU'(z1) = 1, a derivation that forgets ReLU' gives the right number. When the claim fails,
a diagnosis says in the learner's terms what is wrong: a factor missing or counted twice
(naming its edge, "∂h1/∂z1 = ReLU'(z1)"), a wrong local derivative, a missing path, a sign,
a constant factor. With sympy installed, a claim that holds is also proved exactly where
sympy can (`autograd.symbolic`).

`check_numbers(root, table)` checks numbers as an article prints them (``{"z2": 3.18,
"∂L/∂w1": "0.4431"}``), each at the precision it is printed with.

The claim is parsed by `autograd.formula` against a whitelist, never passed to ``eval``.

>>> from autograd import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> y = (w * x).relu(); y.label = "y"
>>> bool(check_formula(y, w, "x")), bool(check_formula(y, w, "ReLU'(w·x)·x"))
(False, True)
"""

from __future__ import annotations

import ast
import copy
import difflib
import html
import math
import numbers
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import zip_longest
from typing import Any

from autograd.explain import Factor, Path, explain
from autograd.formula import CONSTANTS, FUNCTIONS, FormulaError, evaluate, parse
from autograd.graph import topological_order
from autograd.higher import grad
from autograd.notation import derivative_name, names_map, number
from autograd.ops import OPS
from autograd.replay import probe
from autograd.value import Value, apply

POINTS = 48
"""Points a formula is tried at by default: the graph's own point and 47 drawn ones."""

RTOL, ATOL = 1e-6, 1e-9
"""A formula agrees with the engine at a point when |claim − engine| ≤ ATOL + RTOL·|engine|."""

_KINKED = {"relu", "leaky_relu", "abs"}  # ops whose derivative jumps where their input is 0
_DIAGNOSIS_POINTS = 16
_MAX_DIAGNOSED_PATHS = 64
_CONSTANT_FACTORS = (2.0, 0.5, 3.0, 1 / 3, 4.0, 0.25, -2.0, -0.5)
_PRIME = "__prime"
_ALIASES = {"y_hat": "ŷ", "yhat": "ŷ", "ŷ": "y_hat"}


class ClaimError(ValueError):
    """A claim that cannot be checked: a name that is not a label of the graph, a label on
    two Values, a malformed number.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> check_formula(x * x, x, "2*t")
    Traceback (most recent call last):
    ...
    autograd.claims.ClaimError: 't' is not a label of the graph; its labels are: x; if t is ...
    """


# ---- reading a claim ------------------------------------------------------------------------


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUPERSCRIPTS = {"²": "**2", "³": "**3"}
_SYMBOLS = {"·": "*", "⋅": "*", "∙": "*", "×": "*", "−": "-", "–": "-", "÷": "/",
            "’": "'", "′": "'", "½": "(1/2)"}


def _written(text: str, placeholders: Mapping[str, str]) -> str:
    # Article notation to the formula language: · × − σ ReLU f'(…) x² w₁.
    for label, stand_in in placeholders.items():
        text = text.replace(label, stand_in)
    for symbol, written in {**_SYMBOLS, **_SUPERSCRIPTS}.items():
        text = text.replace(symbol, written)
    text = re.sub(r"σ\s*(?=['(])", "sigmoid", text)
    text = re.sub(r"\bReLU\b|\bRelu\b", "relu", text)
    text = re.sub(r"\b([A-Za-z_]\w*)\s*'\s*(?=\()", lambda m: m.group(1) + _PRIME, text)
    return text.translate(_SUBSCRIPTS)


def _with_derivatives(tree: ast.expr) -> ast.expr:
    # f'(X) -> the op table's derivative of f, with a = X and out = f(X).
    class Expand(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            assert isinstance(node.func, ast.Name)
            if not node.func.id.endswith(_PRIME):
                return node
            name = node.func.id[: -len(_PRIME)]
            (argument,) = node.args
            if name in ("step", "sign"):
                return ast.Constant(0.0)
            text = OPS[name].formula(0, 1)
            given = {"a": argument, "out": ast.Call(ast.Name(name, ast.Load()), [argument], [])}
            return _Substitute(given).visit(parse(text))

    return ast.fix_missing_locations(Expand().visit(tree))


class _Substitute(ast.NodeTransformer):
    def __init__(self, given: Mapping[str, ast.expr]) -> None:
        self.given = given

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.given.get(node.id, node)


@dataclass(frozen=True)
class _Claim:
    text: str
    tree: ast.expr
    source: str
    """the claim in the formula language, as parsed"""
    values: dict[str, Value]
    """the names it uses, each the Value of that label"""
    constants: dict[str, float]
    is_number: bool
    """a number as printed ("0.4431", "2.725·0.2323"): no names, and digits after a point"""

    def at(self, numbers: Mapping[str, float]) -> float:
        return float(evaluate(ast.unparse(self.tree), {**self.constants, **numbers}))


def _labels(order: Sequence[Value]) -> dict[str, list[Value]]:
    labels: dict[str, list[Value]] = {}
    for v in order:
        if v.label:
            labels.setdefault(v.label, []).append(v)
    return labels


def _read_claim(claim: str, order: Sequence[Value], constants: Mapping[str, float]) -> _Claim:
    if not isinstance(claim, str):
        raise ClaimError(f"a claim is text, such as \"(ŷ - y)*w5*step(z1)*x1\", not "
                         f"{type(claim).__name__}")
    labels = _labels(order)
    # A label that is not a Python name (W1[1,2], layer1.z) stands in as one while parsing.
    odd = sorted((label for label in labels if not label.isidentifier()), key=len, reverse=True)
    placeholders = {label: f"_label{k}_" for k, label in enumerate(odd)}
    by_name = {unicodedata.normalize("NFKC", label): label for label in labels}
    by_name.update({stand_in: label for label, stand_in in placeholders.items()})
    for alias, label in _ALIASES.items():
        if label in labels and alias not in by_name:
            by_name[alias] = label
    source = _written(claim, placeholders)
    primes = {name + _PRIME for name, f in FUNCTIONS.items()}
    try:
        written = parse(source, extra_functions=primes)
        tree = _with_derivatives(written)
    except FormulaError as err:  # say it in the claim's own words, not the stand-ins'
        message = str(err).replace(_PRIME, "'")
        for label, stand_in in placeholders.items():
            message = message.replace(stand_in, label)
        raise FormulaError(message, err.column) from None
    values: dict[str, Value] = {}
    used_constants: dict[str, float] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name) or node.id in FUNCTIONS:
            continue
        if node.id in constants:
            used_constants[node.id] = float(constants[node.id])
            continue
        if node.id in CONSTANTS and node.id not in by_name:  # e and π
            used_constants[node.id] = CONSTANTS[node.id]
            continue
        found = by_name.get(node.id)
        if found is None:
            raise ClaimError(_unknown(node.id, labels, constants_hint=True))
        label = found
        if len(labels[label]) > 1:
            raise ClaimError(f"the label {label!r} is on {len(labels[label])} Values of the "
                             "graph; give them different labels to use it in a claim")
        values[node.id] = labels[label][0]
    # A claim written with no names is a number, judged at the graph's point at its printed
    # digits; step'(x), which is 0, is still a formula in x.
    calls = {id(n.func) for n in ast.walk(written) if isinstance(n, ast.Call)}
    named = any(isinstance(n, ast.Name) and id(n) not in calls for n in ast.walk(written))
    return _Claim(claim, tree, source, values, used_constants, not named)


def _unknown(name: str, labels: Mapping[str, object], constants_hint: bool = False) -> str:
    # A name that is not a label: the labels there are, and what was probably meant.
    shown = ", ".join(labels) or "none (label the Values: Value(0.5, label='w1'))"
    message = f"{name!r} is not a label of the graph; its labels are: {shown}"
    indexed = [label for label in labels if label.startswith(name + "[")]
    close = difflib.get_close_matches(name, list(labels), n=2)
    if indexed:
        message += f" (for a vector, name an entry: {', '.join(indexed[:4])})"
    elif close:
        message += f" (did you mean {' or '.join(close)}?)"
    elif constants_hint:
        message += (f"; if {name} is a number the graph holds as a constant (a target y), "
                    f"give it: constants={{{name!r}: 0}}")
    return message


# ---- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """The claim and the engine at one point: ``at`` holds the labelled leaves' numbers."""

    at: dict[str, float]
    claimed: float
    engine: float
    named: dict[str, float]
    """the numbers of the labelled Values made by ops (z1, ŷ) at this point"""

    @property
    def error(self) -> float:
        return abs(self.claimed - self.engine) if math.isfinite(self.claimed) else math.inf


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with a claim, in the learner's terms.

    ``category`` is one of "missing factor", "extra factor", "wrong local derivative",
    "missing path", "sign error", "constant factor", "wrong number", "disagrees".
    """

    category: str
    message: str
    edge: str = ""
    """the derivative the diagnosis is about, e.g. ``∂h1/∂z1``; "" when none"""
    values: tuple[Value, ...] = ()
    """the Values of that edge (or of the missing path): ``draw(root, highlight=...)``"""


@dataclass(frozen=True)
class FormulaCheck:
    """The result of `check_formula`: ``bool(report)`` is True when the claim holds.

    ``points`` is how many points were tried (the graph's own point first), ``agreed`` at
    how many the claim and the engine agreed; ``here`` is the graph's point, ``worst`` the
    largest disagreement (the largest difference when all agree). ``proved`` is True when
    sympy showed the two equal exactly. ``print(report)`` gives the text, notebooks show
    HTML, ``report.to_dict()`` is ready for JSON.
    """

    claim: str
    name: str
    kind: str
    """"formula", or "number" for a claimed number (checked at the graph's point only)"""
    holds: bool
    points: int
    agreed: int
    here: Comparison
    worst: Comparison
    diagnosis: Diagnosis | None = None
    proved: bool = False
    tolerance: float = 0.0
    """for a number: how far from the engine it may be, from its printed digits"""
    kinks: tuple[str, ...] = ()
    """values at a kink of ReLU or abs that took both signs over the points"""
    seed: int = 0
    zeros: int = 0
    """points, besides the graph's, where claim and engine agree only by both being 0"""
    undefined: int = 0
    """points drawn where the claim had no finite number, left out"""

    def __bool__(self) -> bool:
        return self.holds

    def _lines(self) -> list[str]:
        n = number
        verdict = "holds" if self.holds else "does NOT hold"
        lines = [f"{self.name} = {self.claim}: {verdict}"]
        if self.kind == "number":
            lines.append(f"the engine: {self.name} = {self.here.engine!r}; the claim "
                         f"{self.claim.strip()} allows ±{self.tolerance:.2g} at its printed "
                         "precision")
        elif self.proved:
            lines.append(f"proved exactly (sympy), and it agrees at all {self.points} points "
                         "tried")
        else:
            others = self.points - 1
            agreed_here = self.here.error <= ATOL + RTOL * abs(self.here.engine)
            lines.append(
                f"at the graph's point: claim {n(self.here.claimed)}, engine "
                f"{n(self.here.engine)} ({'agree' if agreed_here else 'differ'}); at "
                f"{self.agreed - agreed_here} of {others} other points (seed {self.seed}) "
                "they agree" + (f" ({self.zeros} of them only because both are 0 there)"
                                if self.zeros else ""))
            if self.kinks:
                kinks = (", ".join(self.kinks) if len(self.kinks) <= 6 else
                         f"{len(self.kinks)} values ({', '.join(self.kinks[:3])}, …)")
                lines.append(f"the points cross the kinks (ReLU, abs) of {kinks}")
        if self.kind == "formula" and self.points == 1:
            lines.append("no labelled leaf to redraw, so only the graph's own point was "
                         "tried: label the inputs and parameters, Value(2.0, label='x')")
        if not self.holds and self.kind == "formula":
            about = [v.label for v in self.diagnosis.values] if self.diagnosis else []
            lines.append(f"worst at {_where(self.worst, about)}: claim "
                         f"{n(self.worst.claimed)}, engine {n(self.worst.engine)}")
        if self.undefined:
            lines.append(f"the claim has no number at {self.undefined} other point(s) drawn "
                         "(a division by 0 or a log of 0 in floats); they were left out")
        if self.diagnosis is not None:
            lines.append(f"diagnosis ({self.diagnosis.category}): {self.diagnosis.message}")
        return lines

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        head, *rest = self._lines()
        colour = "#1a7f37" if self.holds else "#b42318"
        items = "".join(f"<li>{html.escape(line)}</li>" for line in rest)
        return (f"<div><p style='color: {colour}'><b>{html.escape(head)}</b></p>"
                f"<ul>{items}</ul></div>")

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data for JSON (numbers that are not finite as strings).

        >>> from autograd import Value
        >>> x = Value(3.0, label="x")
        >>> y = x * x; y.label = "y"
        >>> check_formula(y, x, "2*x").to_dict()["holds"]
        True
        """
        def point(c: Comparison) -> dict[str, Any]:
            return {"at": {k: _json(v) for k, v in c.at.items()},
                    "values": {k: _json(v) for k, v in c.named.items()},
                    "claimed": _json(c.claimed), "engine": _json(c.engine)}

        diagnosis = None if self.diagnosis is None else {
            "category": self.diagnosis.category, "message": self.diagnosis.message,
            "edge": self.diagnosis.edge}
        return {"holds": self.holds, "claim": self.claim, "name": self.name,
                "kind": self.kind, "points": self.points, "agreed": self.agreed,
                "proved": self.proved, "seed": self.seed, "here": point(self.here),
                "worst": point(self.worst), "diagnosis": diagnosis,
                "zeros": self.zeros, "undefined": self.undefined,
                "text": str(self)}


def _where(c: Comparison, inner: Sequence[str], most: int = 12) -> str:
    # The point's leaves when they are few, and the inner values the diagnosis is about.
    text = (", ".join(f"{k}={number(v)}" for k, v in c.at.items()) if len(c.at) <= most
            else f"a point with {len(c.at)} leaves redrawn")
    there = ", ".join(f"{k} = {number(c.named[k])}" for k in inner if k in c.named)
    return f"{text} (there {there})" if there else text


def _json(x: float) -> float | str:
    return x if math.isfinite(x) else str(x)


# ---- check_formula --------------------------------------------------------------------------


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

    The other points redraw every labelled leaf (seeded by ``seed``) around 0 over at least
    ±1 and twice its current size, so ReLUs switch; points outside an op's domain are
    drawn again. The graph's ``.grad`` fields are not touched.

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
    parsed = _read_claim(claim, order, constants or {})
    if parsed.is_number:
        return _check_number(parsed, root, wrt, name, seed)

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
    worst = max((c for _, c in tried), key=_badness)
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
        diagnosis = _diagnose(root, wrt, order, tried, agree, leaves, shown,
                              set(parsed.values.values()))
    zeros = sum(1 for _, c in tried[1:] if c.engine == 0 and c.claimed == 0)
    return FormulaCheck(claim, name, "formula", holds, len(tried), sum(agree), here, worst,
                        diagnosis, proved is True, 0.0, tuple(dict.fromkeys(kinks)), seed,
                        zeros, undefined)


def _agree(c: Comparison) -> bool:
    return c.error <= ATOL + RTOL * abs(c.engine)


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

    def __init__(self, claim: _Claim, run: Callable[[Sequence[float]], Any],
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


def _proved(root: Value, wrt: Value, claim: _Claim, held: Mapping[str, float]) -> bool | None:
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
    tree = _Substitute(numbers).visit(copy.deepcopy(claim.tree))
    try:
        return prove_equal(root, wrt, tree, values)
    except Exception:  # noqa: BLE001 (sympy missing or out of its depth: no proof, no harm)
        return None


# ---- diagnosis ------------------------------------------------------------------------------


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


def _diagnose(root: Value, wrt: Value, order: list[Value],
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


# ---- numbers --------------------------------------------------------------------------------


def printed_tolerance(text: str) -> float:
    """Half a unit of the last digit a number is printed with: how far the true number
    may be from it. A whole number (no point, no exponent) is taken as exact.

    >>> printed_tolerance("0.4431"), printed_tolerance("-0.062"), printed_tolerance("4.4e-1")
    (5e-05, 0.0005, 0.005)
    >>> printed_tolerance("2")
    0.0
    """
    match = re.fullmatch(r"\s*[-+−]?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?\s*", text)
    if not match or not (match.group(1) or match.group(2)):
        raise ClaimError(f"{text!r} is not a number")
    decimals = match.group(2)
    exponent = int(match.group(3) or 0)
    if decimals is None and match.group(3) is None:
        return 0.0
    return float(f"5e{exponent - len(decimals or '') - 1}")


def _literal_tolerance(claim: _Claim) -> float:
    # Half a unit of each printed number, carried through the formula to first order:
    # relative errors add in a product, which is how numbers are usually combined.
    if isinstance(claim.tree, (ast.Constant, ast.UnaryOp)) and claim.source.strip():
        try:
            return printed_tolerance(claim.source)
        except ClaimError:
            pass
    value = abs(claim.at({}))
    relative = 0.0
    for node in ast.walk(claim.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and node.value:
            text = ast.get_source_segment(claim.source.strip(), node) or repr(node.value)
            relative += printed_tolerance(text) / abs(float(node.value))
    return value * relative


def _check_number(claim: _Claim, root: Value, wrt: Value, name: str, seed: int) -> FormulaCheck:
    (engine,) = (g.data for g in grad(root, [wrt]))
    try:
        claimed = claim.at({})
    except ArithmeticError:
        claimed = math.inf
    if not math.isfinite(claimed):
        raise ClaimError(f"the claim {claim.text.strip()!r} is not a finite number")
    tolerance = _literal_tolerance(claim)
    holds = abs(claimed - engine) <= tolerance + ATOL * max(1.0, abs(engine))
    leaves = {v.label: v.data for v in topological_order(root) if not v.parents and v.label}
    here = Comparison(leaves, claimed, engine, {})
    diagnosis = None if holds else Diagnosis("wrong number", _wrong_number(
        claim.text.strip(), claimed, engine, tolerance, name), name)
    return FormulaCheck(claim.text, name, "number", holds, 1, int(holds), here, here,
                        diagnosis, False, tolerance, (), seed)


def _wrong_number(text: str, claimed: float, engine: float, tolerance: float,
                  name: str) -> str:
    try:
        printed = printed_tolerance(text)
    except ClaimError:  # a formula of numbers: the digits its tolerance allows
        printed = tolerance
    decimals = max(0, -math.floor(math.log10(2 * printed))) if printed > 0 else 6
    right = f"{engine:.{decimals}f}"
    message = f"{text} is not {name} = {engine:.6g}: rounded as it is written, {right}"
    truncated = math.trunc(engine * 10**decimals) / 10**decimals
    if tolerance and abs(truncated - claimed) <= tolerance / 5 and right != text:
        message += " (the claim looks truncated rather than rounded)"
    elif engine and abs(claimed / engine + 1) < 1e-3:
        message += " (the sign is flipped)"
    return message


@dataclass(frozen=True)
class NumberRow:
    """One claimed number of a table: the name, what was claimed, the engine's number."""

    name: str
    text: str
    claimed: float
    engine: float
    tolerance: float
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class NumbersCheck:
    """The result of `check_numbers`: ``bool(report)`` is True when every number agrees.

    ``rows`` holds every claimed number in the order given, ``wrong`` those that disagree.
    """

    rows: tuple[NumberRow, ...]
    tolerance: float | None = None
    """the distance every number was judged within; None: each at its printed precision"""

    def __bool__(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def wrong(self) -> tuple[NumberRow, ...]:
        """The rows whose claimed number disagrees with the engine."""
        return tuple(r for r in self.rows if not r.ok)

    def _table(self) -> tuple[list[str], list[list[str]]]:
        head = ["quantity", "claimed", "engine", "verdict"]
        rows = [[r.name, r.text, f"{r.engine:.6g}",
                 "ok" if r.ok else "WRONG" + (f": {r.note}" if r.note else "")]
                for r in self.rows]
        return head, rows

    def __str__(self) -> str:
        head, rows = self._table()
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                 for row in [head, *rows]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        count = len(self.wrong)
        if self.tolerance is None:
            verdict = ("every number agrees at its printed precision" if not count else
                       f"{count} of {len(self.rows)} numbers disagree at their printed "
                       "precision")
        else:
            verdict = (f"every number agrees within {self.tolerance:g}" if not count else
                       f"{count} of {len(self.rows)} numbers are off by more than "
                       f"{self.tolerance:g}")
        return "\n".join([verdict, *lines])

    def _repr_html_(self) -> str:
        head, rows = self._table()
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
        return (f"<p>{html.escape(str(self).splitlines()[0])}</p>"
                f"<table><tr>{cells}</tr>{body}</table>")

    def to_dict(self) -> dict[str, Any]:
        """The table as plain data for JSON."""
        return {"holds": bool(self), "rows": [
            {"name": r.name, "claimed": r.text, "engine": _json(r.engine), "ok": r.ok,
             "note": r.note} for r in self.rows]}


_GRADIENT = re.compile(r"\s*[∂d]\s*(.+?)\s*/\s*[∂d]\s*(.+?)\s*")


def check_numbers(
    root: Value,
    claims: Mapping[str, float | str] | Iterable[tuple[str, float | str]],
    *,
    tolerance: float | None = None,
) -> NumbersCheck:
    """Check a table of numbers as an article prints them, each at its printed precision.

    Keys are labels (the Value's number) or gradients of ``root``: ``"∂L/∂w1"`` or
    ``"dL/dw1"``; give (key, number) pairs to claim the same quantity twice. A claimed
    number may be text (``"0.9380"`` keeps its four decimals) or a float (judged by its
    shortest form: 0.96 has two decimals). ``tolerance`` judges every number within that
    distance instead, for an article that rounds early and carries its rounding along.
    Nothing in the graph changes, ``.grad`` included.

    >>> from nn.examples import student_forward
    >>> net = student_forward()
    >>> report = check_numbers(net["L"], {"z1": 0.8, "ŷ": "0.634", "∂L/∂w1": "0.4431"})
    >>> bool(report), [r.name for r in report.wrong]
    (False, ['ŷ'])
    """
    order = topological_order(root)
    labels = _labels(order)
    shown = names_map(order)
    if tolerance is not None and (isinstance(tolerance, bool)
                                  or not isinstance(tolerance, numbers.Real)
                                  or not 0 <= tolerance < math.inf):
        raise ValueError(f"tolerance must be a number >= 0 (a distance), got {tolerance!r}")
    pairs = list(claims.items()) if isinstance(claims, Mapping) else list(claims)
    wanted: list[tuple[str, Value, bool]] = []
    for key, _ in pairs:
        target, is_gradient = key, False
        match = _GRADIENT.fullmatch(key)
        if match and key not in labels:
            top, target = (_unbracketed(g) for g in match.groups())
            if root.label and top != root.label:
                raise ClaimError(f"{key!r}: the graph's root is {root.label!r}, so its gradients "
                                 f"are written ∂{root.label}/∂<label>; for a derivative of "
                                 f"{top}, check a table of its own: check_numbers({top}'s "
                                 "Value, {...})")
            is_gradient = True
        target = _ALIASES.get(target, target) if target not in labels else target
        if target not in labels:
            raise ClaimError(f"{key!r}: " + _unknown(target, labels))
        if len(labels[target]) > 1:
            raise ClaimError(f"{key!r}: the label {target!r} is on {len(labels[target])} "
                             "Values of the graph")
        wanted.append((key, labels[target][0], is_gradient))
    gradients = grad(root, [v for _, v, g in wanted if g])
    by_value = dict(zip([v for _, v, g in wanted if g], (g.data for g in gradients)))
    rows = []
    for (key, v, is_gradient), (_, given) in zip(wanted, pairs):
        text = _number_text(key, given)
        claimed = float(text.replace("−", "-"))
        allowed = printed_tolerance(text) if tolerance is None else tolerance
        engine = by_value[v] if is_gradient else v.data
        ok = abs(claimed - engine) <= allowed + ATOL * max(1.0, abs(engine))
        note = "" if ok else _wrong_number(text, claimed, engine, allowed,
                                           key if is_gradient else shown[v])
        rows.append(NumberRow(key, text, claimed, engine, allowed, ok,
                              note.split(": ", 1)[-1] if note else ""))
    return NumbersCheck(tuple(rows), tolerance)


def _unbracketed(text: str) -> str:
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _number_text(key: str, claimed: float | str) -> str:
    if isinstance(claimed, bool) or not isinstance(claimed, (numbers.Real, str)):
        raise ClaimError(f"{key!r}: the claimed number must be a number or text, got "
                         f"{type(claimed).__name__}")
    if isinstance(claimed, str):
        text = claimed.strip()
    else:  # a float's shortest form is what was typed (numpy's too); a whole number is exact
        text = str(int(claimed)) if isinstance(claimed, numbers.Integral) else repr(float(claimed))
    printed_tolerance(text)  # raises ClaimError when it is not a number
    if not math.isfinite(float(text.replace("−", "-"))):
        raise ClaimError(f"{key!r}: {text} is not a finite number")
    return text
