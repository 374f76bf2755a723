"""The ``backprop-lab`` command line.

>>> main(["--help"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd.value import Value


def demo(args: argparse.Namespace) -> int:
    """A small expression, its forward values and its gradients."""
    a, b = Value(-4.0, label="a"), Value(2.0, label="b")
    c = a * b + b**3
    c.label = "c"
    loss = (c - a).relu() ** 2
    loss.label = "loss"
    loss.backward()
    print(f"loss = {loss.data:.4f}")
    print(f"∂loss/∂a = {a.grad:.4f}   ∂loss/∂b = {b.grad:.4f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backprop-lab", description="See and check backpropagation, one Value at a time."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_demo = commands.add_parser("demo", help="walk a small network through backprop")
    run_demo.set_defaults(run=demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return int(args.run(args))
