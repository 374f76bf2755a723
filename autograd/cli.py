"""The ``backprop-lab`` command line (also ``python -m autograd``).

``backprop-lab demo`` walks the first article's student network through backprop.
``backprop-lab grad EXPR --at NAME=VALUE ...`` differentiates a typed expression. The
expression is parsed by `autograd.formula` against a whitelist and built from the engine's
ops; it is never passed to ``eval``. Bad input prints one line starting with ``error:`` and
exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

from autograd.formula import FormulaError, evaluate, names
from autograd.value import Value


class UsageError(Exception):
    """Input the command cannot use; reported as one line, exit status 2."""


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
    """Print f and ∂f/∂name for each wanted variable; optionally explain and draw."""
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
        from autograd.explain import explain

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
    from autograd.draw import DotMissingError, render

    try:
        written = render(root, path, highlight=highlight)
    except DotMissingError as err:
        print(f"note: graph not written: {err}", file=sys.stderr)
        return False
    print(f"graph written to {written[0]}")
    return True


def demo_command(args: argparse.Namespace) -> int:
    """The main job: the student network, forward, loss, backward, ∂L/∂w1, training."""
    from nn.demo import run_demo

    return run_demo(out=args.out, steps=args.steps)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with ``--help`` on every command.

    >>> build_parser().parse_args(["grad", "x*x", "--at", "x=3"]).expression
    'x*x'
    """
    parser = argparse.ArgumentParser(
        prog="backprop-lab",
        description="See and check backpropagation, one Value at a time.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="walk the student pass/fail network through backprop, then train it",
        description="Forward pass, loss, backward with ∂L/∂w1 explained and checked against "
        "finite differences, the graph as SVG, then training with a progress bar.",
    )
    demo.add_argument("--out", default="student_network.svg", help="where to write the SVG")
    demo.add_argument("--steps", type=int, default=300, help="training steps (default 300)")
    demo.set_defaults(run=demo_command)

    grad = commands.add_parser(
        "grad",
        help="value and gradient of an expression",
        description="Evaluate EXPR (numbers, names, + - * / **, unary minus, parentheses, "
        "and the functions exp log sqrt tanh sigmoid relu leaky_relu softplus abs sin cos) "
        "and print its gradient with respect to each variable.",
        epilog='example: backprop-lab grad "sigmoid(w*x + b)" --at w=0.5 x=2 b=0.1 --wrt w',
    )
    grad.add_argument("expression", metavar="EXPR")
    grad.add_argument("--at", nargs="+", default=[], metavar="NAME=VALUE", help="variables")
    grad.add_argument("--wrt", nargs="+", metavar="NAME", help="variables to differentiate by")
    grad.add_argument("--explain", action="store_true", help="show the chain-rule paths")
    grad.add_argument("--svg", metavar="FILE", help="write the graph as SVG")
    grad.add_argument("--json", action="store_true", help="print the result as JSON")
    grad.set_defaults(run=grad_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    >>> main(["grad", "x*x", "--at", "x=3"])
    f = x*x = 9
    ∂f/∂x = 6
    0
    >>> main(["grad", "log(x)", "--at", "x=0"])  # prints "error: log: needs a > 0, ..."
    2
    """
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return int(args.run(args))
    except (UsageError, FormulaError, ArithmeticError, ValueError, OSError) as err:
        # ArithmeticError covers the engine's DomainError and OverflowError; OSError a
        # file (--svg, --out) that cannot be written.
        print(f"error: {err}", file=sys.stderr)
        return 2
