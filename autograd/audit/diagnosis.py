"""Judging a probe's numbers and naming the bug behind a wrong one.

The probes run in order: first each op alone (its gradient from above 1), then the same op
times a leaf ``c`` (from above: ``c``), with numbers, reused, and last the probes of the
backward pass as a whole. A probe that depends on an op already found wrong (one its code
uses) is given that op's finding rather than a new one, so that each bug is named once. A
wrong number is matched to its cause:

- a local derivative: formulas that learners write instead (the input where the result
  belongs, ``1 - a**2`` for tanh′; a dropped ``- 1`` in a power; another op's derivative;
  0, a sign, a factor 2) are tried at every point, and the one that fits is named;
- ``* out.grad`` forgotten: the gradient is the right one divided by ``c``;
- ``=`` instead of ``+=``: ``a + a`` gets one of its two contributions;
- the order of the steps: the wrong walks of `autograd.audit.walks` are run on this engine's
  graph of the probe, and the one that gives the learner's numbers is named;
- ``backward()`` twice: once's numbers (nothing accumulates), or those of a second pass that
  starts from the first one's interior gradients.

>>> from autograd import Value
>>> from autograd.audit.probes import PROBES
>>> from autograd.audit.running import Outcome
>>> judge = Judge("Value")
>>> at = {"a": 0.5}
>>> result = judge.judge(PROBES["out = a.tanh()"], [at], [Outcome(got={"out": 0.46211715726000974,
...     "a.grad": 0.75})])
>>> result.holds, result.finding.formula
(False, '1 - a**2')
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import sys
from collections.abc import Callable
from typing import Any

from autograd.audit.probes import BINARY, METHOD_OF, PROBES, REFLECTED, Probe, run_code
from autograd.audit.report import Finding, ProbeResult, close, pair
from autograd.audit.running import PROBE_SECONDS, Outcome, run_probe
from autograd.audit.walks import WRONG_ORDERS, Flipped, orders, right, stale
from autograd.formula import LEAKY_SLOPE, evaluate
from autograd.graph import topological_order
from autograd.micrograd_names import op_of, symbol_of
from autograd.notation import number, render
from autograd.ops import OPS
from autograd.value import Value

_WHOLE_PASS = ("diamond", "depths", "chain", "twice", "zero")
_NOT_OFFERED = ("TypeError", "AssertionError", "NotImplementedError", "ValueError")
_BUILT_ON = [(kind, op) for op in ("add", "mul", "powc") for kind in ("op", "upstream", "reuse")]
_UNSUPPORTED = re.compile(r"unsupported operand type\(s\) for (\S+): '(?:int|float)' and")
_METHOD_OP = {method: op for op, method in METHOD_OF.items() if op != "pow"}

# Formulas learners write for a local derivative, tried after the op's own with the input
# and the result swapped; a, b are the inputs, out the result.
_SLIPS = ("0", "1", "-1", "a", "b", "out", "-a", "-b", "-out", "2 * a", "2 * out",
          "1 / a", "1 / b", "-1 / b", "1 / out", "a / b", "-a / b", "a / b**2", "-1 / b**2",
          "1 / b**2", "b * a**b", "a**(b - 1)", "(b - 1) * a**(b - 1)", "log(a)", "a**b * log(b)",
          "exp(a)", "1 - a**2", "1 - out**2", "out * (1 - out)", "a * (1 - a)", "step(a)",
          "step(out)", "0.5 / a", "0.5 / out", "cos(a)", "-sin(a)", "sin(a)", "-cos(a)",
          "sigmoid(a)", "1 - tanh(a)")


def _fits(got: float, expected: float) -> bool:
    # a formula fits the learner's number when it agrees as closely as two ways of
    # computing the same thing do (tanh from exp, say)
    return math.isfinite(expected) and abs(got - expected) <= 1e-9 + 1e-6 * abs(expected)


def _title(probe: Probe) -> str:
    # how the report names the op a probe tests: ``__mul__``, ``tanh()``
    method = METHOD_OF.get(probe.op or "", "")
    return f"{method}()" if method and not method.startswith("__") else method


class Judge:
    """Judges probes in order, keeping each bug found (its `Finding`) once."""

    def __init__(self, class_name: str, class_has: Callable[[str], bool] = lambda _: True):
        self.class_name = class_name
        self.class_has = class_has
        self.findings: list[Finding] = []
        self._failed: dict[tuple[str, str | None], Finding] = {}
        self._built: set[str] = set()  # ops the class builds from others (- as + and *)

    def keep(self, finding: Finding) -> Finding:
        """``finding``, or the same one found before: each bug is kept once."""
        for known in self.findings:
            if (known.kind, known.op, known.text) == (finding.kind, finding.op, finding.text):
                return known
        self.findings.append(finding)
        return finding

    def judge(self, probe: Probe, points: list[dict[str, float]],
              outcomes: list[Outcome] | None) -> ProbeResult:
        """The result of ``probe``, from the learner's ``outcomes`` at ``points`` (None:
        the class lacks a method the probe needs)."""
        if outcomes is None:
            missing = [m for m in probe.needs if not self.class_has(m)]
            return ProbeResult(probe.name, None, points[0],
                               note=f"not offered: {self.class_name} has no "
                               f"{' or '.join(missing) or 'such method'}")
        if outcomes and outcomes[0].error_type == "not run":
            return ProbeResult(probe.name, None, points[0], note=outcomes[0].error or "")
        if probe.op == "pow" and all(o.error_type in _NOT_OFFERED for o in outcomes):
            return ProbeResult(probe.name, None, points[0],
                               note=f"not offered: a Value exponent raises {outcomes[0].error}")
        if probe.kind == "op" and probe.op and _built_from_others(probe.op, outcomes[0]):
            self._built.add(probe.op)
        expected = [run_probe(Value, probe, at).got for at in points[:len(outcomes)]]
        for i, (outcome, want) in enumerate(zip(outcomes, expected)):
            if outcome.error is not None:
                finding = self._from_error(probe, outcome)
                self._failed.setdefault((probe.kind, probe.op), finding)
                return ProbeResult(probe.name, False, points[i], want, {}, self.keep(finding),
                                   note=outcome.error)
            if not all(close(outcome.got.get(k, math.nan), v) for k, v in want.items()):
                finding = self._depends(probe, outcome, points[i]) or self._from_numbers(
                    probe, points, outcomes, expected, i)
                finding = self.keep(finding)
                self._failed.setdefault((probe.kind, probe.op), finding)
                return ProbeResult(probe.name, False, points[i], want, outcome.got, finding)
        return ProbeResult(probe.name, True, points[0], expected[0], outcomes[0].got)

    # ---- a probe that raised ---------------------------------------------------------------

    def _from_error(self, probe: Probe, outcome: Outcome) -> Finding:
        where = f" ({outcome.where})" if outcome.where else ""
        if outcome.timed_out:
            return Finding("timeout", f"a probe did not finish within {PROBE_SECONDS:g} s and "
                           f"was stopped{where}: an endless loop?")
        function = outcome.function or "backward"
        if outcome.error_type == "RecursionError" and probe.kind == "chain":
            return Finding(
                "recursion", f"{function}() calls itself once per Value, and Python stops at "
                f"{sys.getrecursionlimit():,} nested calls: a chain of 5,000 ops raises "
                f"RecursionError{where}. Walk the graph with a loop and a list as a stack "
                "(micrograd PR #90)")
        if outcome.error_type == "RecursionError":
            return Finding("error", f"{function}() calls itself without end: RecursionError"
                           f"{where}", _METHOD_OP.get(function))
        if probe.kind in ("number", "reflected") and outcome.error_type in ("AttributeError",
                                                                            "TypeError"):
            if function in _METHOD_OP and (outcome.error or "").find("attribute") >= 0:
                return Finding(
                    "number", f"{function} takes a number as if it were a Value "
                    f"({outcome.error}{where}); make a number a Value first, as in other = "
                    f"other if isinstance(other, {self.class_name}) else "
                    f"{self.class_name}(other)", _METHOD_OP[function])
            missing = self._missing_reflected(outcome)
            if missing:
                return missing
        return Finding("error", f"{probe.name} raises {outcome.error}{where}", probe.op)

    def _missing_reflected(self, outcome: Outcome) -> Finding | None:
        # "unsupported operand type(s) for *: 'int' and 'Value'" when the class has no
        # __rmul__ (raised by 2 * a, or inside an op built on it, such as micrograd's 2 - a)
        found = _UNSUPPORTED.search(outcome.error or "")
        ops = [op for op, (symbol, _) in BINARY.items() if found and symbol == found[1]]
        if not ops or self.class_has(REFLECTED[ops[0]]):
            return None
        op = ops[0]
        symbol, reflected = BINARY[op][0], REFLECTED[op]
        return Finding(
            "reflected", f"2 {symbol} a raises TypeError: {self.class_name} has no "
            f"{reflected}, which Python calls as a.{reflected}(2) when a number comes first"
            + (" (sum() needs it: it starts from 0)" if op == "add" else ""), op)

    # ---- a probe that gave wrong numbers ---------------------------------------------------

    def _depends(self, probe: Probe, outcome: Outcome, at: dict[str, float]
                 ) -> Finding | None:
        # the finding of an op this probe builds on, when that op was found wrong; an op the
        # class builds from others (its graph has more ops than this engine's) builds on
        # + * and **, and on the order of the backward steps
        needed: list[tuple[str, str | None]] = []
        if probe.op in self._built or (outcome.interior is not None
                                       and outcome.interior > _interior(probe, at)):
            needed = [key for key in _BUILT_ON if key != (probe.kind, probe.op)]
        for key in needed:
            if key in self._failed:
                return self._failed[key]
        if probe.kind == "op":
            return None
        needed = [("op", probe.op)]
        if probe.kind in _WHOLE_PASS:  # every probe of the ops its code uses
            ops = [op for op, (_, method) in BINARY.items() if method in probe.needs]
            needed = [(kind, op) for op in ops for kind in ("op", "upstream", "reuse")]
        if probe.kind == "upstream":
            needed = [("op", probe.op), ("op", "mul")]
        elif probe.kind == "reuse" and probe.op not in BINARY:
            needed = [("op", probe.op), ("op", "add")]
        for key in needed:
            if key in self._failed:
                return self._failed[key]
        return None

    def _from_numbers(self, probe: Probe, points: list[dict[str, float]],
                      outcomes: list[Outcome], expected: list[dict[str, float]],
                      i: int) -> Finding:
        got, want, at = outcomes[i].got, expected[i], points[i]
        if all(abs(got.get(k, math.nan) - v) <= 1e-7 + 1e-3 * abs(v) for k, v in want.items()):
            return Finding("forward", "the numbers agree with this engine's to about 7 digits "
                           "only: does the class compute in single precision (float32)? audit "
                           "compares in double precision, Python's float")
        if not close(got.get("out", math.nan), want["out"]):
            return self._forward(probe, at, got["out"], want["out"])
        wrong = [k for k in want if k != "out" and not close(got.get(k, math.nan), want[k])]
        diagnose = {"op": self._derivative, "upstream": self._upstream,
                    "reuse": self._reuse}.get(probe.kind, self._whole_pass)
        return diagnose(probe, points, outcomes, expected, wrong)

    def _forward(self, probe: Probe, at: dict[str, float], got: float,
                 want: float) -> Finding:
        reflected = REFLECTED.get(probe.op or "", "")
        if probe.kind == "reflected" and probe.op in ("sub", "div"):
            swapped = at["a"] - 2 if probe.op == "sub" else at["a"] / 2
            if _fits(got, swapped):
                symbol = BINARY[probe.op][0]
                return Finding("reflected", f"{reflected} computes a {symbol} 2 for 2 {symbol} a: "
                               f"Python calls a.{reflected}(2), so its other is the number on "
                               "the left", probe.op)
        if probe.op == "leaky_relu" and at["a"] < 0:
            return Finding("forward", f"leaky_relu(): its slope for a < 0 is {got / at['a']:.4g} "
                           f"in this class; audit compares with {LEAKY_SLOPE} (PyTorch's "
                           "default)", probe.op)
        written = probe.name[6:] if ";" not in probe.name else probe.name
        text = f"{written} gives out.data = {pair(got, want).replace(', expected', '; it is')}"
        return Finding("forward", f"{text} at {_point(at)}", probe.op)

    def _derivative(self, probe: Probe, points: list[dict[str, float]],
                    outcomes: list[Outcome], expected: list[dict[str, float]],
                    wrong: list[str]) -> Finding:
        op = OPS[probe.op or ""]
        leaf = wrong[0][:-5]
        index = [name for name, _ in probe.leaves].index(leaf)
        constants = {"b": 3.0} if op.name == "powc" else {}
        correct = op.formulas[index]
        swapped = re.sub(r"\b(a|out)\b", lambda m: "out" if m[1] == "a" else "a", correct)
        variables = [{**constants, **at, "out": want["out"]} for at, want in zip(points, expected)]
        learner = [o.got[wrong[0]] for o in outcomes]
        fit = next((text for text in (swapped, *_SLIPS)
                    if text != correct and _all_fit(text, variables, learner)), None)
        names = {"a": "a", "b": "b", "out": "out"}
        should = render(correct, names, constants)
        title = _title(probe)
        if fit is None:
            return Finding("derivative", f"{title}: ∂out/∂{leaf} is wrong ({number(learner[0])} "
                           f"at {_point(points[0])}; it is {should}, "
                           f"{number(expected[0][wrong[0]])}): no simple formula fits",
                           op.name)
        written = render(fit, names, constants)
        text = f"{title}: ∂out/∂{leaf} is {written} in this class; it is {should}"
        if fit == swapped:
            text += " (the input a where the result out belongs)"
        elif fit == "0" and op.name == "pow" and leaf == "b":
            text = (f"{title}: the exponent b gets no gradient; ∂out/∂b is {should} "
                    "(micrograd issue #17)")
        return Finding("derivative", text, op.name, fit)

    def _upstream(self, probe: Probe, points: list[dict[str, float]],
                  outcomes: list[Outcome], expected: list[dict[str, float]],
                  wrong: list[str]) -> Finding:
        order = self._order(probe, points, outcomes, wrong)
        if order is not None:
            return order
        title = _title(probe)
        alone = all(_fits(o.got[k] * at["c"], want[k]) for k in wrong
                    for o, at, want in zip(outcomes, points, expected))
        if alone:
            return Finding("upstream", f"{title} forgets `* out.grad` in its backward step: it "
                           "adds the local derivative alone, which is right only while "
                           "out.grad is 1", probe.op)
        return Finding("upstream", f"{title} is wrong when the gradient from above is not 1 "
                       "(it is right when it is 1)", probe.op)

    def _reuse(self, probe: Probe, points: list[dict[str, float]],
               outcomes: list[Outcome], expected: list[dict[str, float]],
               wrong: list[str]) -> Finding:
        order = self._order(probe, points, outcomes, wrong)
        if order is not None:
            return order
        op, title, written = OPS[probe.op or ""], _title(probe), probe.name[6:]

        def one_part(outcome: Outcome, at: dict[str, float], want: dict[str, float]) -> bool:
            # the gradient of one of a's two uses alone
            if op.name in BINARY:
                parts = op.rule(at["a"], at["a"], want["out"])
            else:
                inner = run_probe(Value, PROBES[f"out = {written[:-4]}"], {"a": at["a"]}).got
                parts = (inner["a.grad"], 1.0)
            return any(_fits(outcome.got["a.grad"], float(part)) for part in parts)

        if all(one_part(o, at, w) for o, at, w in zip(outcomes, points, expected)):
            return Finding("accumulate", f"{title} sets a gradient with = instead of adding to "
                           f"it with +=: in {written}, a is used twice and keeps only one of "
                           "its two contributions", op.name)
        return Finding("accumulate", f"{title} is wrong when a Value is used twice "
                       f"({written})", op.name)

    def _whole_pass(self, probe: Probe, points: list[dict[str, float]],
                    outcomes: list[Outcome], expected: list[dict[str, float]],
                    wrong: list[str]) -> Finding:
        matches = functools.partial(_matches, probe, points, outcomes, wrong)

        if probe.kind in ("twice", "zero"):
            zero = probe.kind == "zero"
            if matches(lambda root, leaves, _: stale(root, tuple(leaves.values()) if zero else ())):
                return Finding("stale", "backward() adds to the interior gradients that the last "
                               "backward() left, so a second backward() on the same graph "
                               "(the leaves zeroed or not) gives wrong gradients; set every "
                               "interior Value's grad to 0 before the pass, leaves excepted "
                               "(micrograd PR #102)")
            if not zero and matches(lambda root, leaves, _: right(root)):
                return Finding("not-accumulated", "backward() twice gives the gradients of "
                               "once: it sets the leaves' grad rather than adding to it, so the "
                               "gradients of two losses cannot add up (PyTorch and micrograd "
                               "add; zero them by hand between steps)")
            return Finding("stale", f"{probe.name}: wrong gradients on a second backward()")
        for op, place in itertools.product(("add", "mul", None), (0, 1)):
            if matches(functools.partial(_assigning, place=place, op=op)):
                which = ("first", "second")[place]
                step = f"{METHOD_OF[op]}'s backward step" if op else "a backward step"
                return Finding("accumulate", f"{step} sets its {which} input's gradient "
                               "with = instead of adding with +=: a Value used by two ops "
                               "keeps only the last one's contribution", op)
        return self._order(probe, points, outcomes, wrong) or Finding(
            "order", f"{probe.name}: each op alone is right, the backward pass combines them "
            "wrongly")

    def _order(self, probe: Probe, points: list[dict[str, float]], outcomes: list[Outcome],
               wrong: list[str]) -> Finding | None:
        # a wrong order of the backward steps, when one gives the class's numbers
        for what, walk in WRONG_ORDERS.items():
            if _matches(probe, points, outcomes, wrong, functools.partial(_walking, walk=walk)):
                return Finding("order", f"backward() runs the steps in the wrong order: {what}")
        return None


def _matches(probe: Probe, points: list[dict[str, float]], outcomes: list[Outcome],
             wrong: list[str],
             walk: Callable[[Value, dict[str, Value], Flipped], dict[Value, float]]) -> bool:
    # whether ``walk`` on this engine's graph of the probe gives the class's wrong gradients
    # at every point, in some order of each node's parents (a learner's parents are a set,
    # whose order can change from one point to the next)
    for at, outcome in zip(points, outcomes):
        root, leaves = _graph(probe, at)
        if not any(all(_fits(outcome.got[k], grads.get(leaves[k[:-5]], 0.0)) for k in wrong)
                   for grads in (walk(root, leaves, f) for f in orders(root))):
            return False
    return True


def _assigning(root: Value, leaves: dict[str, Value], flipped: Flipped, place: int,
               op: str | None) -> dict[Value, float]:
    return right(root, flipped, assign=place, op=op)


def _walking(root: Value, leaves: dict[str, Value], flipped: Flipped,
             walk: Callable[[Value, Flipped], dict[Value, float]]) -> dict[Value, float]:
    return walk(root, flipped)


def _all_fit(text: str, variables: list[dict[str, float]], learner: list[float]) -> bool:
    try:
        values = [float(evaluate(text, v)) for v in variables]
    except (ArithmeticError, ValueError, KeyError, TypeError):
        return False
    return all(_fits(g, v) for g, v in zip(learner, values))


def _graph(probe: Probe, at: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    # this engine's graph of a probe's code, before any backward(): built once for all the
    # walks tried on it (they keep their gradients apart, in dicts)
    return _built(probe, tuple(at.items()))


@functools.lru_cache(maxsize=32)
def _built(probe: Probe, at: tuple[tuple[str, float], ...]) -> tuple[Value, dict[str, Value]]:
    leaves = {name: Value(x) for name, x in at}
    names: dict[str, Any] = dict(leaves)
    code = probe.code.split("\nout.backward()")[0]
    run_code(code, names)
    return names["out"], leaves


def _built_from_others(op: str, outcome: Outcome) -> bool:
    # whether the class's result of the op alone was made by another op: its _op names
    # one (micrograd's a - b is made by '+')
    if outcome.made_by is None or outcome.error is not None:
        return False
    names = {op, METHOD_OF.get(op, op), symbol_of(op, 3.0 if op == "powc" else None)}
    if outcome.made_by in names:
        return False
    for parents in (2, 1):
        try:
            return op_of(outcome.made_by, parents)[0] not in (op, "pow", "powc")
        except ValueError:
            continue
    return False


def _interior(probe: Probe, at: dict[str, float]) -> int:
    # Values with parents in this engine's graph of the probe
    root, _ = _graph(probe, at)
    return sum(bool(v.parents) for v in topological_order(root))


def _point(at: dict[str, float]) -> str:
    return " ".join(f"{k}={number(v)}" for k, v in at.items())


__all__ = ["Judge"]
