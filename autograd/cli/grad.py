"""``backprop-lab grad EXPR --at NAME=VALUE ...``: the value and gradient of a typed expression.

The expression is parsed by `autograd.formula` against a whitelist and built from the
engine's ops; it is never passed to ``eval``. ``--explain`` adds the chain-rule paths,
``--svg`` the graph, ``--json`` a machine-readable report.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

from autograd.draw import DotMissingError, render
from autograd.explain import explain
from autograd.formula import evaluate, names
from autograd.value import Value


class UsageError(ValueError):
    """Input the command cannot use; reported as one line, exit status 2.

    >>> parse_assignments(["w"])
    Traceback (most recent call last):
    ...
    autograd.cli.grad.UsageError: --at expects NAME=VALUE, got 'w'
    """


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``["w=0.5", "x=2"]`` -> ``{"w": 0.5, "x": 2.0}``, with a clear error for bad items.

    >>> parse_assignments(["w=0.5", "x=2"])
    {'w': 0.5, 'x': 2.0}
    """
    values: dict[str, float] = {}
    for item in items:
        name, sep, number = item.partition("=")
        name, number = name.strip(), number.strip()
        if not sep or not name.isidentifier():
            raise UsageError(f"--at expects NAME=VALUE, got {item!r}")
        try:
            values[name] = float(number)
        except ValueError:
            raise UsageError(f"--at {name}: {number!r} is not a number") from None
    return values


def differentiate(
    expression: str, at: dict[str, float], wrt: Sequence[str] | None = None
) -> tuple[Value, dict[str, Value]]:
    """Build ``expression`` from Values named by ``at``, run backward, return the root and
    the variables (those in ``wrt``, or all of them).

    >>> root, variables = differentiate("w * x + 1", {"w": 0.5, "x": 2.0})
    >>> root.data, variables["w"].grad, variables["x"].grad
    (2.0, 2.0, 0.5)
    """
    used = names(expression)
    missing = [n for n in used if n not in at]
    if missing:
        raise UsageError(f"no value for {missing[0]!r}: add --at {missing[0]}=NUMBER")
    unused = [n for n in at if n not in used]
    if unused:
        raise UsageError(f"{unused[0]!r} does not appear in the expression {expression!r}")
    wanted = list(wrt) if wrt else used
    for name in wanted:
        if name not in used:
            raise UsageError(f"--wrt {name}: not a variable of the expression (have: {used})")
    variables = {name: Value(at[name], label=name) for name in used}
    result = evaluate(expression, variables)
    if not isinstance(result, Value) or not result.parents:
        result = result + 0.0  # a bare variable or number: give f a node of its own
    root = result
    root.label = "f"
    root.backward()
    return root, {name: variables[name] for name in wanted}


def grad_command(args: argparse.Namespace) -> int:
    """Print f and ∂f/∂name for each wanted variable; optionally explain and draw.

    >>> from autograd.cli import build_parser
    >>> grad_command(build_parser().parse_args(["grad", "x*y", "--at", "x=3", "y=2"]))
    f = x*y = 6
    ∂f/∂x = 2
    ∂f/∂y = 3
    0
    """
    root, variables = differentiate(args.expression, parse_assignments(args.at), args.wrt)
    if args.json:
        report: dict[str, Any] = {
            "expression": args.expression,
            "value": _json_number(root.data),
            "gradients": {n: _json_number(v.grad) for n, v in variables.items()},
        }
        print(json.dumps(report, indent=2))
    else:
        print(f"f = {args.expression} = {root.data:.10g}")
        for name, v in variables.items():
            print(f"∂f/∂{name} = {v.grad:.10g}")
    if args.explain:
        for v in variables.values():
            print()
            print(explain(root, v))
    if args.svg:
        _write_svg(root, args.svg, highlight=None)
    return 0


def _json_number(x: float) -> float | str:
    # JSON has no NaN or infinity: write them as strings rather than produce invalid JSON.
    return x if math.isfinite(x) else str(x)


def _write_svg(root: Value, path: str, highlight: Value | None) -> bool:
    """Render the graph of ``root`` to ``path``; False (with a message) when ``dot`` is
    missing."""
    try:
        written = render(root, path, highlight=highlight)
    except DotMissingError as err:
        print(f"note: graph not written: {err}", file=sys.stderr)
        return False
    print(f"graph written to {written[0]}")
    return True
