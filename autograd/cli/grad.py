"""``backprop-lab grad EXPR --at NAME=VALUE ...``: the value and gradient of a typed expression.

EXPR is one formula or statements in an article's names (`autograd.cli.statements`:
``z1 = w1*x1 + b1; h1 = relu(z1); ...``), parsed by `autograd.formula` against a whitelist
and built from the engine's ops; it is never passed to ``eval``. The gradients are printed
in ``--wrt`` order, else in ``--at`` order. ``--explain`` adds the chain-rule paths,
``--steps`` the backward pass stopping at every named value (`named_backward`), ``--svg``
the graph, ``--json`` all of it as one JSON document.

Numbers: a literal or an ``--at`` value that is not finite (``1e999``, ``inf``) is refused
(status 2). When a computation from finite numbers overflows (``x*1e308*10``), the values
and gradients are printed as computed, ``inf`` or ``nan`` (``"inf"`` in JSON), the status
stays 0, and a note on standard error says which op first made a value infinite or NaN:
``note: `*` made the first infinite value: 1e308 * 10 = inf (in x*1e308*10)``; failing that,
which backward step first made a gradient so. Domain errors (log of 0) stay errors.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograd.cli.statements import (
    Program,
    UsageError,
    build,
    name_of,
    parse_assignments,
    read_expression,
)
from autograd.draw import DotMissingError, render
from autograd.explain import Factor, explain, merged_factors
from autograd.graph import topological_order
from autograd.notation import bracket, derivative_name, names_map, number
from autograd.value import Value

__all__ = ["UsageError", "parse_assignments", "differentiate", "wanted", "named_backward",
           "Stop", "grad_command", "json_safe"]


def wanted(program: Program, wrt: Sequence[str] | None) -> dict[str, Value]:
    """The Values to report the gradient of: those named by ``wrt`` (variables or named
    statements, in that order, each once), else every variable in ``--at`` order.

    >>> from autograd.cli.statements import build
    >>> p = build("z = w*x; y = relu(z)", {"x": 2.0, "w": 0.5})
    >>> list(wanted(p, None)), list(wanted(p, ["z", "w", "z"]))
    (['x', 'w'], ['z', 'w'])
    """
    if not wrt:
        return dict(program.variables)
    found: dict[str, Value] = {}
    for given in wrt:
        value = program.find(given)
        if value is None:
            have = ", ".join([*program.variables, *program.named]) or "none"
            raise UsageError(f"--wrt {given}: not a variable or a named value of the expression "
                             f"(have: {have})")
        found[name_of(given)] = value
    return found


def differentiate(
    expression: str, at: Mapping[str, float], wrt: Sequence[str] | None = None
) -> tuple[Value, dict[str, Value]]:
    """Build ``expression`` (a formula or statements) from Values named by ``at``, run
    backward, return the root and the Values of ``wrt`` (default: every variable).

    >>> root, variables = differentiate("w * x + 1", {"w": 0.5, "x": 2.0})
    >>> root.data, variables["w"].grad, variables["x"].grad
    (2.0, 2.0, 0.5)
    """
    program = build(expression, at)
    chosen = wanted(program, wrt)
    program.root.backward()
    return program.root, chosen


# ---- the backward pass, stopping at the named values -----------------------------------------


@dataclass(frozen=True)
class Stop:
    """One named value in the backward pass: its gradient ∂root/∂value, the contributions
    it received (one per named value above it), and what it sends to each named value
    below it: upstream gradient × local derivative = contribution.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x; y.label = "y"
    >>> for line in named_backward(y)[0].lines("y"): print(line)
    y: ∂y/∂y = 1 (the start)
      to x: ∂y/∂x = x + x = 4; sends ∂y/∂y · ∂y/∂x = 1 · 4 = 4
    """

    value: Value
    name: str
    grad: float
    received: tuple[tuple[str, float], ...]
    """(the named value above, its contribution), in backward order"""
    sends: tuple[tuple[Factor, float], ...]
    """(∂this/∂below as a merged `Factor`, upstream × local), one per named value below"""

    def lines(self, root: str) -> list[str]:
        """The stop as text: its gradient, then one line per value it sends to.

        >>> from autograd import Value
        >>> x = Value(3.0, label="x")
        >>> y = 2 * x; y.label = "y"
        >>> named_backward(y)[1].lines("y")
        ['x: ∂y/∂x = 2 (from y)']
        """
        grad = derivative_name(root, self.name)
        if not self.received:
            head = f"{self.name}: {grad} = {number(self.grad)} (the start)"
        elif len(self.received) == 1:
            head = f"{self.name}: {grad} = {number(self.grad)} (from {self.received[0][0]})"
        else:
            parts = " + ".join(number(c) for _, c in self.received).replace("+ -", "- ")
            sources = ", ".join(n for n, _ in self.received)
            head = f"{self.name}: {grad} = {parts} = {number(self.grad)} (from {sources})"
        lines = [head]
        for factor, contribution in self.sends:
            below = factor.parent.label or number(factor.parent.data)
            lines.append(f"  to {below}: {factor.describe()}; sends {grad} · {factor.name} = "
                         f"{bracket(number(self.grad))} · {bracket(number(factor.value))} = "
                         f"{number(contribution)}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The stop as plain data for JSON.

        >>> from autograd import Value
        >>> x = Value(3.0, label="x")
        >>> y = 2 * x; y.label = "y"
        >>> named_backward(y)[0].to_dict()["sends"]
        [{'to': 'x', 'local': '∂y/∂x', 'formula': '2', 'local_value': 2.0, 'contribution': 2.0}]
        """
        return {
            "name": self.name, "grad": self.grad,
            "received": [{"from": n, "contribution": c} for n, c in self.received],
            "sends": [{"to": f.parent.label, "local": f.name, "formula": f.formula,
                       "local_value": f.value, "contribution": c} for f, c in self.sends],
        }


def named_backward(root: Value) -> list[Stop]:
    """The backward pass of ``root`` stopping only at named values (labelled ones and the
    root), in backward order: each one's gradient, the sum of what the named values above
    it send, and what it sends below. Between two named values the ops are merged into
    one factor, as `autograd.explain` merges them. ``.grad`` fields are not read or
    changed: the gradients are computed here, so comparing them with ``backward()``'s
    checks both.

    >>> from autograd import Value
    >>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
    >>> z = w * x + 1; z.label = "z"
    >>> y = z.relu(); y.label = "y"
    >>> [(s.name, s.grad) for s in named_backward(y)]
    [('y', 1.0), ('z', 1.0), ('x', 0.5), ('w', 2.0)]
    """
    order = topological_order(root)
    shown = names_map(order)
    stops = [v for v in order if v.label or v is root]
    into = merged_factors(order, set(stops), shown)
    received: dict[Value, list[tuple[str, float]]] = {v: [] for v in stops}
    result = []
    for v in reversed(stops):
        grad = 1.0 if v is root else math.fsum(c for _, c in received[v])
        sends = []
        for factor in into[v]:
            contribution = grad * factor.value
            received[factor.parent].append((shown[v], contribution))
            sends.append((factor, contribution))
        result.append(Stop(v, shown[v], grad, tuple(received[v]), tuple(sends)))
    return result


# ---- the command --------------------------------------------------------------------------


def grad_command(args: argparse.Namespace) -> int:
    """Print each statement's value and ∂root/∂name for each wanted Value; optionally
    explain, step and draw.

    >>> from autograd.cli import build_parser
    >>> grad_command(build_parser().parse_args(["grad", "x*y", "--at", "x=3", "y=2"]))
    f = x*y = 6
    ∂f/∂x = 2
    ∂f/∂y = 3
    0
    """
    text = read_expression(args.expression)
    program = build(text, parse_assignments(args.at or []))
    chosen = wanted(program, args.wrt)
    root = program.root
    root.backward()
    for overflow in program.notes():
        print(f"note: {overflow}", file=sys.stderr)
    top = root.label
    note = ("" if chosen else f"{top} has no variable to differentiate by: give one with "
            "--at NAME=VALUE, or name a statement with --wrt")
    explanations = [_explained(root, v) for v in chosen.values()] if args.explain else []
    stops = named_backward(root) if getattr(args, "steps", False) else []
    if args.json:
        report: dict[str, Any] = {
            "expression": program.text,
            "value": root.data,
            "gradients": {n: v.grad for n, v in chosen.items()},
            "values": {n: v.data for n, v in program.named.items()},
        }
        if args.expression.startswith("@"):
            report["file"] = args.expression[1:]
        if note:
            report["note"] = note
        if args.explain:
            report["explanation"] = {n: e.splitlines() for n, e in zip(chosen, explanations)}
        if stops:
            report["steps"] = [s.to_dict() for s in stops]
        if args.svg:
            report["svg"] = _write_svg(root, args.svg, quiet=True)
        print(json.dumps(json_safe(report), indent=2, ensure_ascii=False, allow_nan=False,
                         default=str))
        return 0
    for line in program.lines():
        print(line)
    for name, v in chosen.items():
        print(f"{derivative_name(top, name)} = {v.grad:.10g}")
    if note:
        print(note)
    for explanation in explanations:
        print()
        print(explanation)
    if stops:
        print()
        print(f"backward, stopping at each named value ({derivative_name(top, 'v')} is the sum "
              "of what v receives from the values above it):")
        leaves = {stop.value: stop for stop in stops
                  if not stop.value.parents and stop.value is not root}
        for stop in stops:
            if stop.value not in leaves:
                print("\n".join(stop.lines(top)))
        if leaves:
            print("the leaves, each the sum of what it received:")
            for v in [*program.variables.values(), *leaves]:
                if v in leaves:
                    print("  " + leaves.pop(v).lines(top)[0])
    if args.svg:
        _write_svg(root, args.svg, quiet=False)
    return 0


def _explained(root: Value, v: Value) -> str:
    # The chain-rule paths to v; for the root itself, that it is 1.
    if v is root:
        return f"{derivative_name(root.label, root.label)} = 1: the root itself, no path to sum"
    return str(explain(root, v))


def json_safe(data: Any) -> Any:
    """``data`` with every float that JSON cannot hold (NaN, infinities) written as text.

    >>> json_safe({"a": [1.5, float("inf")], "b": float("nan")})
    {'a': [1.5, 'inf'], 'b': 'nan'}
    """
    if isinstance(data, float):
        return data if math.isfinite(data) else str(data)
    if isinstance(data, Mapping):
        return {str(k): json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(v) for v in data]
    return data


def _write_svg(root: Value, path: str, quiet: bool) -> str | None:
    # Render the graph of ``root`` to ``path``; None (with a note on stderr) when dot is
    # missing. ``quiet``: say nothing on stdout (it holds JSON).
    try:
        written = render(root, path, highlight=None)
    except DotMissingError as err:
        print(f"note: graph not written: {err}", file=sys.stderr)
        return None
    if not quiet:
        print(f"graph written to {written[0]}")
    return str(written[0])
