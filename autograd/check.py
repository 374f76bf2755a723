"""Gradient checking: the engine's gradients against central finite differences.

`gradcheck(f, inputs)` calls ``f`` on Values, runs ``backward()``, and compares each input's
gradient with (f(x + eps) - f(x - eps)) / 2 eps. It also checks every op node of the graph
on its own: the local derivatives it recorded against central differences of its op's
forward, so that a wrong derivative rule is named, with the input it gets wrong.

>>> report = gradcheck(lambda w, x: (w * x).sigmoid(), [0.5, 2.0])
>>> bool(report)
True
"""

from __future__ import annotations

import html
import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autograd.graph import topological_order
from autograd.higher import grad
from autograd.ops import OPS
from autograd.value import Value, no_grad


@dataclass(frozen=True)
class InputCheck:
    """One input of ``f``: the engine's gradient against the finite-difference estimate."""

    name: str
    at: float
    analytic: float
    numeric: float
    passed: bool

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(abs(self.numeric), abs(self.analytic), 1e-300)


@dataclass(frozen=True)
class OpCheck:
    """One input of one op: the worst disagreement over the op nodes of the graph."""

    op: str
    input: int
    nodes: int
    recorded: float
    numeric: float
    passed: bool
    at: tuple[float, ...]
    """the op's inputs at the node with the largest disagreement"""


@dataclass(frozen=True)
class GradcheckReport:
    """The result of `gradcheck`: true when every input and every op agrees within tolerance.

    ``print(report)`` gives a text table; notebooks show an HTML table.
    """

    inputs: tuple[InputCheck, ...]
    ops: tuple[OpCheck, ...]
    eps: float
    rtol: float
    atol: float

    def __bool__(self) -> bool:
        return all(c.passed for c in self.inputs) and all(c.passed for c in self.ops)

    @property
    def failed_ops(self) -> tuple[OpCheck, ...]:
        """The op inputs whose recorded local derivative disagrees with finite differences."""
        return tuple(c for c in self.ops if not c.passed)

    def _rows(self) -> tuple[list[str], list[list[str]], list[str]]:
        head = ["input", "at", "analytic", "numeric", "abs error", "rel error", "result"]
        rows = [[c.name, f"{c.at:.6g}", f"{c.analytic:.10g}", f"{c.numeric:.10g}",
                 f"{c.abs_error:.2e}", f"{c.rel_error:.2e}", "ok" if c.passed else "FAIL"]
                for c in self.inputs]
        notes = [f"central differences with eps={self.eps:g}; pass when "
                 f"|analytic - numeric| <= atol + rtol·|numeric| (rtol={self.rtol:g}, "
                 f"atol={self.atol:g})"]
        for c in self.failed_ops:
            names = OPS[c.op].input_names(len(c.at)) if c.op in OPS else ()
            where = ", ".join(f"{n}={v:.6g}" for n, v in zip(names, c.at))
            notes.append(f"op {c.op!r} has a wrong derivative for input {c.input} "
                         f"({names[c.input] if c.input < len(names) else c.input}): "
                         f"recorded {c.recorded:.10g}, finite differences give "
                         f"{c.numeric:.10g} at {where} ({c.nodes} node(s) checked)")
        checked = ", ".join(sorted({c.op for c in self.ops}))
        notes.append(f"ops checked node by node: {checked or 'none'}; "
                     f"{'all agree' if not self.failed_ops else 'see the failures above'}")
        return head, rows, notes

    def __str__(self) -> str:
        head, rows, notes = self._rows()
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                 for row in [head, *rows]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        verdict = "PASSED" if self else "FAILED"
        return "\n".join([f"gradcheck {verdict}", *lines, *notes])

    def _repr_html_(self) -> str:
        head, rows, notes = self._rows()
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        verdict = "passed" if self else "FAILED"
        return (f"<p><b>gradcheck {verdict}</b></p><table><tr>{cells}</tr>{body}</table>"
                f"<ul>{items}</ul>")


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    return abs(a - b) <= atol + rtol * abs(b)


def _names(f: Callable[..., Value], n: int) -> list[str]:
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    plain = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return plain[:n] if len(plain) >= n else [f"x{i + 1}" for i in range(n)]


def _value_of(f: Callable[..., Value], point: Sequence[float]) -> float:
    with no_grad():
        out = f(*(Value(x) for x in point))
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value, got {type(out).__name__}: {out!r}")
    return out.data


def _central(g: Callable[[list[float]], float], point: Sequence[float], i: int,
             eps: float) -> float:
    up, down = list(point), list(point)
    up[i] += eps
    down[i] -= eps
    return (g(up) - g(down)) / (2 * eps)


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
) -> GradcheckReport:
    """Compare the gradients ``backward()`` gives with central differences, input by input
    and op node by op node.

    ``f`` takes one Value per number in ``inputs`` and returns a Value. The inputs are named
    after ``f``'s parameters. An op node whose inputs lie too close to a point where its
    forward is undefined (log near 0) is skipped.

    >>> report = gradcheck(lambda x: x.tanh() * x, [0.3])
    >>> print(str(report).splitlines()[0])
    gradcheck PASSED
    """
    point = [float(x) for x in inputs]
    names = _names(f, len(point))
    leaves = [Value(x, label=name) for x, name in zip(point, names)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value, got {type(out).__name__}: {out!r}")
    analytics = [g.data for g in grad(out, leaves)]  # leaves every .grad as it was
    checks = []
    for i, (analytic, name) in enumerate(zip(analytics, names)):
        numeric = _central(lambda p: _value_of(f, p), point, i, eps)
        checks.append(InputCheck(name, point[i], analytic, numeric,
                                 _close(analytic, numeric, rtol, atol)))
    return GradcheckReport(tuple(checks), _check_ops(out, eps, rtol, atol), eps, rtol, atol)


def _as_function(forward: Callable[..., float]) -> Callable[[list[float]], float]:
    return lambda point: float(forward(*point))


def _check_ops(root: Value, eps: float, rtol: float, atol: float) -> tuple[OpCheck, ...]:
    # For each (op, input): the worst node, measured by how far beyond tolerance it is.
    worst: dict[tuple[str, int], tuple[float, OpCheck]] = {}
    counts: dict[tuple[str, int], int] = {}
    for node in topological_order(root):
        op = OPS.get(node.op)
        if op is None:
            continue
        at = tuple(p.data for p in node.parents)
        for i, recorded in enumerate(node.local_grads):
            if i in op.constant_inputs:
                continue
            try:
                numeric = _central(_as_function(op.forward), at, i, eps)
            except (ArithmeticError, ValueError):
                continue  # too close to the edge of the op's domain to difference
            if not math.isfinite(numeric):
                continue
            key = (op.name, i)
            counts[key] = counts.get(key, 0) + 1
            excess = abs(recorded - numeric) - (atol + rtol * abs(numeric))
            if key not in worst or excess > worst[key][0]:
                worst[key] = (excess, OpCheck(op.name, i, 0, recorded, numeric, excess <= 0, at))
    return tuple(
        OpCheck(c.op, c.input, counts[key], c.recorded, c.numeric, c.passed, c.at)
        for key, (_, c) in sorted(worst.items())
    )
