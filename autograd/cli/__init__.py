"""The ``backprop-lab`` command line (also ``python -m autograd``): the parser and `main`.

One module per command: ``backprop-lab demo`` (`autograd.cli.demo`) walks the first
article's student network through backprop; ``backprop-lab grad EXPR --at NAME=VALUE ...``
(`autograd.cli.grad`) differentiates a typed expression; ``backprop-lab play EXPR --at ...
--html FILE`` (`autograd.cli.play`) writes its interactive player page. Bad input prints one
line starting with ``error:`` and exits with status 2, never a traceback. The command line
is the only part of autograd that uses `nn`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd.cli.demo import demo_command
from autograd.cli.grad import grad_command
from autograd.cli.play import play_command


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
    demo.add_argument("--steps", type=_positive, default=300,
                      help="training steps (default 300)")
    demo.set_defaults(run=demo_command)

    grad = commands.add_parser(
        "grad",
        help="value and gradient of an expression",
        description="Evaluate EXPR (numbers, names, + - * / **, unary minus, parentheses, "
        "and the functions exp log sqrt tanh sigmoid relu leaky_relu softplus abs sin cos) "
        "and print its gradient with respect to each variable.",
        epilog='example: backprop-lab grad "sigmoid(w*x + b)" --at w=0.5 x=2 b=0.1 --wrt w',
    )
    _expression_arguments(grad)
    grad.add_argument("--wrt", nargs="+", metavar="NAME", help="variables to differentiate by")
    grad.add_argument("--explain", action="store_true", help="show the chain-rule paths")
    grad.add_argument("--svg", metavar="FILE", help="write the graph as SVG")
    grad.add_argument("--json", action="store_true", help="print the result as JSON")
    grad.set_defaults(run=grad_command)

    play = commands.add_parser(
        "play",
        help="an interactive page stepping through an expression's forward and backward pass",
        description="Write EXPR's player: one self-contained HTML page that steps through the "
        "forward and backward pass (← → keys, play, step back) and recomputes every number "
        "when a variable is changed. It works offline, from disk.",
        epilog='example: backprop-lab play "sigmoid(w*x + b)" --at w=0.5 x=2 b=0.1 '
        "--html player.html",
    )
    _expression_arguments(play)
    play.add_argument("--html", default="player.html", metavar="FILE",
                      help="where to write the page (default player.html)")
    play.add_argument("--layout", choices=["auto", "dot", "browser"], default="auto",
                      help="who lays the graph out: Graphviz's dot, the page itself, or dot "
                      "when installed (auto, the default)")
    play.set_defaults(run=play_command)
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
    except (ArithmeticError, ValueError, OSError) as err:
        # ValueError covers bad input (UsageError) and formulas (FormulaError);
        # ArithmeticError the engine's DomainError and OverflowError; OSError a file
        # (--svg, --out) that cannot be written.
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _expression_arguments(command: argparse.ArgumentParser) -> None:
    # EXPR and --at NAME=VALUE ..., as grad and play both read them
    command.add_argument("expression", metavar="EXPR")
    command.add_argument("--at", nargs="+", default=[], metavar="NAME=VALUE", help="variables")


def _positive(text: str) -> int:
    # argparse type of --steps: refused with a usage line, not a traceback.
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return number
