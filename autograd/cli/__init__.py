"""The ``backprop-lab`` command line (also ``python -m autograd``): the parser and `main`.

One module per command: ``backprop-lab demo`` (`autograd.cli.demo`) walks the first
article's student network through backprop; ``backprop-lab grad EXPR --at NAME=VALUE ...``
(`autograd.cli.grad`) differentiates a typed expression; ``backprop-lab play EXPR --at ...
--html FILE`` (`autograd.cli.play`) writes its interactive player page; ``backprop-lab check
EXPR --at ... --wrt NAME --claim FORMULA`` (`autograd.cli.check`) checks a hand-derived
gradient. EXPR is one formula or statements in an article's names
(`autograd.cli.statements`); ``backprop-lab audit FILE`` (`autograd.cli.audit`) checks a
learner's own Value class op by op. Bad input prints one line starting with ``error:`` and exits
with status 2, never a traceback; ``check`` exits with 1 when the claim is wrong. The
command line is the only part of autograd that uses `nn`.

Options may come before or after EXPR, ``--at`` and ``--wrt`` may be repeated, and an EXPR
that starts with ``-`` (``-x*y``) is read as EXPR, not as an option (`arrange`). ``@FILE``
reads EXPR from a file, ``@-`` from standard input.

Every error is one line of at most `MAX_MESSAGE` characters: a long input is quoted by its
start. Reading and checking take time linear in the input (a formula of at most 10,000
characters, a file of statements of at most 1,000,000).

Overflow: a number in EXPR or ``--at`` must be finite and at most about 1.8e308 (a float's
largest), else it is refused as bad input (status 2). A computation from such numbers may
still overflow (``x*1e308*10``): the commands then print what the engine computes, ``inf``
or ``nan``, with status 0, and a note on standard error names the op that first made a
value (or a gradient) infinite or NaN, with its inputs and the statement.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from autograd.cli.audit import audit_command
from autograd.cli.check import check_command
from autograd.cli.demo import demo_command
from autograd.cli.exercise import exercise_command
from autograd.cli.grad import grad_command
from autograd.cli.grade import grade_command
from autograd.cli.play import play_command
from autograd.draw import DotMissingError

MAX_MESSAGE = 300
"""The longest error line printed, ``error: `` included."""

_EXPR_HELP = (
    "EXPR is a formula (numbers, names, + - * / **, unary minus, parentheses, the constants "
    "e and pi, and the functions exp log sqrt tanh sigmoid relu leaky_relu softplus abs sin "
    "cos step) or statements that name its steps as an article does, separated by ; or new "
    "lines: \"z1 = w1*x1 + b1; h1 = relu(z1); L = (h1 - y)**2\". The last statement is the "
    "result. @FILE reads the statements from FILE (# starts a comment). · × − and w₁ are "
    "read as * * - and w1. The variables get their values from --at."
)


class _OneName(argparse.HelpFormatter):
    # check's --wrt takes one NAME: say so in its usage (argparse would write NAME [NAME ...]
    # for the list it reads, so that a second name can be refused in words).
    def _format_args(self, action: argparse.Action, default_metavar: str) -> str:
        if action.dest == "wrt":
            return str(action.metavar or default_metavar)
        return super()._format_args(action, default_metavar)


class _Parser(argparse.ArgumentParser):
    # argparse's errors as one line, "error: ...", with where to find the usage.
    def error(self, message: str) -> NoReturn:
        if "required: EXPR" in message:
            message = (f"EXPR is missing: write the expression, e.g. {self.prog} "
                       "\"x*y\" --at x=1 y=2")
        # argparse quotes what was typed: a long or control-laden word is shown by its start
        message = _QUOTED.sub(lambda m: _printable(m.group(0)), message)
        head, unknown, words = message.partition("unrecognized arguments: ")
        if unknown:  # argparse lists these unquoted
            message = head + unknown + _printable(f"'{words}'")
        hint = f" (see {self.prog} --help)"
        self.exit(2, f"error: {_one_line(ValueError(message), len(hint))}{hint}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with ``--help`` on every command.

    >>> build_parser().parse_args(["grad", "x*x", "--at", "x=3"]).expression
    'x*x'
    """
    parser = _Parser(
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
    demo.add_argument("--steps", type=_steps, default=300,
                      help="training steps (default 300, at most 100000)")
    demo.set_defaults(run=demo_command)

    grad = commands.add_parser(
        "grad",
        help="value and gradient of an expression",
        description="Evaluate EXPR and print its gradient with respect to each variable "
        "(in --wrt order, else in --at order). " + _EXPR_HELP,
        epilog='examples: backprop-lab grad "sigmoid(w*x + b)" --at w=0.5 x=2 b=0.1 --wrt w; '
        'backprop-lab grad "z = w*x + b; h = relu(z); L = (h - y)**2" --at w=0.5 x=2 b=0.1 '
        "y=1 --explain --steps",
    )
    _expression_arguments(grad)
    grad.add_argument("--wrt", nargs="+", action="extend", metavar="NAME",
                      help="variables or named values to differentiate by (repeatable)")
    grad.add_argument("--explain", action="store_true", help="show the chain-rule paths")
    grad.add_argument("--steps", action="store_true",
                      help="show the backward pass stopping at every named value: its "
                      "gradient and what it sends to each named value below it")
    grad.add_argument("--svg", metavar="FILE", help="write the graph as SVG")
    grad.add_argument("--json", action="store_true",
                      help="print everything as one JSON document")
    grad.set_defaults(run=grad_command)

    play = commands.add_parser(
        "play",
        help="an interactive page stepping through an expression's forward and backward pass",
        description="Write EXPR's player: one self-contained HTML page that steps through the "
        "forward and backward pass (← → keys, play, step back) and recomputes every number "
        "when a variable is changed. It works offline, from disk. " + _EXPR_HELP,
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

    check = commands.add_parser(
        "check", formatter_class=_OneName,
        help="check a hand-derived gradient formula at many points",
        description="Check a formula for ∂root/∂NAME, written in EXPR's names, against the "
        "engine at the expression's point and at many others (so that a forgotten ReLU' "
        "cannot hide), and say what is wrong when it fails. The other points redraw EXPR's "
        "variables but those held: y, t and target, statements that are a number (t = 1), "
        "--const and --fixed names. A claim that is a number is judged at the digits it is "
        "written with (1 is exact, 0.443 allows ±0.0005). Exit status 0: the claim holds; "
        "1: it does not; 2: bad input. " + _EXPR_HELP,
        epilog='examples: backprop-lab check "z1 = w1*x1 + b1; h1 = relu(z1); y_hat = '
        'sigmoid(w5*h1 + b3); L = -log(1 - y_hat)" --at w1=0.1 x1=2 b1=0.1 w5=0.35 b3=0.1 '
        "--wrt w1 --claim \"y_hat*w5*step(z1)*x1\"; backprop-lab check "
        "\"L = (w*x - y)**2\" --at w=0.5 x=2 --const y=1 --wrt w --claim \"2*(w*x - y)*x\"",
    )
    _expression_arguments(check)
    check.add_argument("--wrt", nargs="+", action="extend", metavar="NAME", required=True,
                       help="the variable or named value the claim differentiates by")
    check.add_argument("--claim", required=True, metavar="FORMULA",
                       help="the claimed ∂root/∂NAME: a formula in EXPR's names (ReLU'(z1), "
                       "σ'(z3), ·, − allowed) or a number such as 0.4431")
    check.add_argument("--const", action="append", default=[], metavar="NAME=VALUE",
                       help="a number for a name the claim uses that EXPR does not have (a "
                       "target: --const y=0), or for a variable of EXPR instead of --at: "
                       "then a constant, held at every point (repeatable)")
    check.add_argument("--fixed", action="append", default=[], metavar="NAME",
                       help="hold a variable of EXPR at its --at number at every point "
                       "(repeatable)")
    check.add_argument("--vary", action="append", default=[], metavar="NAME",
                       help="redraw a variable held by default: y, t, target, a statement "
                       "that is a number (repeatable)")
    check.add_argument("--points", type=_points, default=48,
                       help="how many points to try, the expression's own first (default 48)")
    check.add_argument("--seed", type=int, default=0,
                       help="seed of the points drawn (default 0)")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(run=check_command)

    audit = commands.add_parser(
        "audit",
        help="check the autograd engine you wrote (a Value class, micrograd-style) op by op",
        description="Probe the Value class of FILE against this engine at random points: "
        "each op it offers (+ - * / **, numbers on either side, exp log tanh sigmoid relu "
        "...), a Value used twice, a diamond, an order that matters, a chain of 5,000 ops, "
        "backward() twice. Each wrong probe is traced to its bug: = instead of +=, a missing "
        "* out.grad, a wrong local derivative (and the formula its numbers fit), a missing "
        "reflected op, a wrong order, a recursion limit, gradients that do not accumulate. "
        "FILE is imported in a separate Python process, as import would (code under if "
        "__name__ == '__main__' does not run), and stopped after --timeout seconds. Exit "
        "status 0: every probe holds; 1: one does not; 2: bad input.",
        epilog="examples: backprop-lab audit my_engine.py; backprop-lab audit "
        "my_engine.py:MyValue --json",
    )
    audit.add_argument("engine", metavar="FILE[:CLASS]",
                       help="a Python file and the class in it (default: Value)")
    audit.add_argument("--points", type=_positive, default=3, metavar="N",
                       help="random points per probe (default 3)")
    audit.add_argument("--seed", type=int, default=0, help="seed of the points (default 0)")
    audit.add_argument("--timeout", type=_seconds, default=30.0, metavar="SECONDS",
                       help="how long the file may take in all (default 30)")
    audit.add_argument("--json", action="store_true",
                       help="print the report as one JSON document")
    audit.set_defaults(run=audit_command)

    nets = ("NET is one of the articles' networks (student, simplenn, squared-error, "
            "five-input) or an MLP shape: sizes, then the hidden and output activations "
            "(relu tanh sigmoid linear), then optionally the loss (bce, mse): "
            "2-2-1:relu,sigmoid or 2-3-2:tanh,sigmoid:mse.")
    exercise = commands.add_parser(
        "exercise",
        help="an exercise sheet with numbers workable by hand, its key, and slides",
        description="Write an exercise sheet (the network, the given numbers, blank forward "
        "and backward tables) and its key (filled in, with the chain-rule line of every "
        "gradient) as HTML and PDF, the key as JSON, and the backward pass as slides. The "
        "same seed always gives the same numbers. " + nets,
        epilog="examples: backprop-lab exercise --net student --seed 7 --out sheets; "
        "backprop-lab exercise --net 2-2-1:relu,sigmoid --seed 3 --students 30 --out class",
    )
    exercise.add_argument("--net", default="student", help="the network (default student)")
    exercise.add_argument("--seed", type=int, default=0, help="the numbers' seed (default 0)")
    exercise.add_argument("--out", default="exercise", metavar="DIR",
                          help="the folder to write to, created if missing (default exercise)")
    exercise.add_argument("--students", type=_positive, metavar="N",
                          help="one sheet per student, each with its own numbers, and a "
                          "class key")
    exercise.add_argument("--dead-relu", action="store_true",
                          help="make one hidden ReLU neuron dead, to teach why its weights "
                          "get no gradient")
    exercise.add_argument("--no-pdf", action="store_true",
                          help="write HTML and JSON only (PDFs need Debian's chromium)")
    exercise.add_argument("--force", action="store_true",
                          help="write even into a folder holding another exercise's key or "
                          "a student's filled-in answers.json (they are written over)")
    exercise.set_defaults(run=exercise_command)

    grade = commands.add_parser(
        "grade",
        help="grade a student's answers, carrying their earlier numbers forward",
        description="Grade ANSWERS against the exercise's numbers. ANSWERS is a JSON object "
        "keyed like key.json's answers (z1, ŷ or yhat, L, dL/dw1, ...; it may be incomplete; "
        "numbers may be quoted), or key.json's shape, which says which sheet it is for: "
        '{"net": ..., "seed": ..., ["student": K,] ["dead_relu": true,] "answers": {...}} '
        "(the answers.json that exercise writes is so); then --net and --seed may be left "
        "out, and where both say the sheet they must agree. Each answer is correct, wrong, "
        "correct given your earlier numbers (an earlier slip carried forward), or missing; "
        "a wrong answer says which of your numbers it is computed from and names the "
        "chain-rule step at fault where it can. An answer within half a unit of its third "
        "significant digit is correct, and so is one worked from your own correct numbers "
        "rounded to three digits. Exit status 0: every answer is correct; 1: some are wrong "
        "or missing; 2: bad input. " + nets,
        epilog="examples: backprop-lab grade --net student --seed 7 answers.json; "
        "backprop-lab grade exercise/answers.json (the file says its net and seed)",
    )
    grade.add_argument("answers", metavar="ANSWERS",
                       help="the student's answers, a JSON file (- reads standard input)")
    grade.add_argument("--net", default=None,
                       help="the network (needed unless the file says its net)")
    grade.add_argument("--seed", type=int, default=None,
                       help="the numbers' seed (needed unless the file says its seed)")
    grade.add_argument("--student", type=_positive, metavar="K", default=None,
                       help="grade against student K's own numbers (from --students)")
    grade.add_argument("--dead-relu", action="store_true", default=None,
                       help="the sheet was made with --dead-relu")
    grade.add_argument("--json", action="store_true",
                       help="print the grades as JSON: net, seed, summary, counts and each "
                       "answer's verdict, expected, given, why, from_your_numbers")
    grade.set_defaults(run=grade_command)
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
    parser = build_parser()
    try:
        args = parser.parse_args(arrange(sys.argv[1:] if argv is None else argv, parser))
    except SystemExit as exit_:  # --help (0), or a usage error already printed (2)
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        return int(args.run(args))
    except BrokenPipeError:  # the output went to a program that stopped reading (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a shell reports a program ended by SIGPIPE: neither "no" nor bad input
    except (ArithmeticError, ValueError, OSError) as err:
        # ValueError covers bad input (UsageError), formulas (FormulaError) and claims
        # (ClaimError); ArithmeticError the engine's DomainError and OverflowError; OSError a
        # file (--svg, --out, --html) that cannot be written.
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return 2
    except DotMissingError as err:  # a RuntimeError: rendering needs Graphviz's dot
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return 2
    except RecursionError:
        print("error: the expression or the claim nests too deeply to read: write it "
              "shorter, or split the expression in statements", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


_QUOTED = re.compile(r"'[^']*'")  # a word argparse quotes in its message


def _printable(word: str, limit: int = 42) -> str:
    """A word typed on the command line, as a message may quote it: control characters
    escaped, a long word by its start.

    >>> print(_printable("'a\x1eb'"), _printable("'" + "9" * 100 + "'", 8))
    'a\\x1eb' '99999…'
    """
    inner = word[1:-1]
    if not inner.isprintable():
        inner = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                        for c in inner)
    if len(inner) > limit - 2:
        inner = inner[: limit - 3] + "…"
    return f"'{inner}'"


def _one_line(err: BaseException, after: int = 0) -> str:
    """The error as one line that fits `MAX_MESSAGE` after ``error: `` (and ``after``
    characters more): its start, when a message quotes too much of a long input.

    >>> _one_line(ValueError("no value for 'x'\\n (line 2)"))
    "no value for 'x' (line 2)"
    >>> len(_one_line(ValueError("x" * 10_000))) <= MAX_MESSAGE - len("error: ")
    True
    """
    text = " ".join(str(err).split()) or type(err).__name__
    room = MAX_MESSAGE - len("error: ") - after
    return text if len(text) <= room else text[: room - 1] + "…"


# ---- where EXPR is, wherever it is written ---------------------------------------------------

_AT_ITEM = re.compile(r"\s*[^\W\d][\w₀-₉]*\s*=[^=;\s*()]*\s*")  # NAME=VALUE, no formula
_NEGATIVE_NUMBER = re.compile(r"-\d+$|-\d*\.\d+$")


def arrange(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """``argv`` rewritten so that argparse finds EXPR wherever it is: after ``--at``'s
    items (``--at x=1 "x*x"``), or starting with ``-`` (``-x*y``), which argparse would take
    for an option. An option's single value always goes with it (``--claim -x``).

    >>> arrange(["grad", "--at", "x=1", "y=2", "-x*y", "--json"], build_parser())
    ['grad', '--at', 'x=1', 'y=2', '--json', '--', '-x*y']
    >>> arrange(["check", "x*x", "--claim", "-2*x", "--wrt", "x"], build_parser())
    ['check', '--claim=-2*x', '--wrt', 'x', '--', 'x*x']
    """
    argv = list(argv)
    sub = _command_parser(parser, argv[0]) if argv else None
    if sub is None:
        return argv
    actions = {o: a for a in sub._actions for o in a.option_strings}
    options: list[str] = []
    positionals: list[str] = []
    listing: argparse.Action | None = None  # the option whose items are being read
    i = 1
    while i < len(argv):
        token = argv[i]
        i += 1
        if token == "--":
            positionals.extend(argv[i:])
            break
        option, sep, value = token.partition("=") if token.startswith("--") else (token, "", "")
        matches = [o for o in actions if o == option] or [
            o for o in actions if o.startswith("--") and option.startswith("--")
            and o.startswith(option)]
        if token.startswith("-") and len(matches) == 1:
            action = actions[matches[0]]
            listing = None
            if sep or action.nargs == 0:
                options.append(token)
            elif action.nargs in ("+", "*"):
                options.append(matches[0])
                listing = action
            elif i < len(argv):  # one value, whatever it looks like: --claim -(y - ŷ)
                options.append(f"{matches[0]}={argv[i]}")
                i += 1
            else:
                options.append(token)  # argparse says the value is missing
        elif token.startswith("--") or (token.startswith("-") and matches):
            options.append(token)  # unknown or ambiguous: argparse refuses it
            listing = None
        elif listing is not None and (positionals or _fits(listing, token)):
            options.append(token)
        else:
            positionals.append(token)
    return [argv[0], *options] + (["--", *positionals] if positionals else [])


def _command_parser(parser: argparse.ArgumentParser,
                    command: str) -> argparse.ArgumentParser | None:
    # The sub-parser of a command that reads EXPR; None for others (demo) and for options.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action.choices.get(command)
            if sub is not None and any(a.dest == "expression" for a in sub._actions):
                return sub
    return None


def _fits(listing: argparse.Action, token: str) -> bool:
    # Before EXPR is seen, whether a token after --at / --wrt is one of its items or EXPR.
    if listing.dest == "at":
        return bool(_AT_ITEM.fullmatch(token))
    if listing.dest == "wrt":
        return token.strip().isidentifier() or bool(re.fullmatch(r"\s*\w+\s*", token))
    return not _NEGATIVE_NUMBER.match(token)


def _expression_arguments(command: argparse.ArgumentParser) -> None:
    # EXPR and --at NAME=VALUE ..., as grad, play and check all read them.
    command.add_argument("expression", metavar="EXPR",
                         help="a formula, statements (a = ...; b = ...), or @FILE of them")
    command.add_argument("--at", nargs="+", action="extend", default=[], metavar="NAME=VALUE",
                         help="the variables' values (repeatable): --at w=0.5 x=2")


def _points(text: str) -> int:
    # argparse type of --points: 1 to 10,000 (each point is a run of the graph).
    number = _positive(text)
    if number > 10_000:
        raise argparse.ArgumentTypeError(f"expected at most 10000 points, got {text!r}")
    return number


def _steps(text: str) -> int:
    # argparse type of demo's --steps: 1 to 100,000 (a few seconds per thousand steps).
    number = _positive(text)
    if number > 100_000:
        raise argparse.ArgumentTypeError(f"expected at most 100000 steps, got {text!r}")
    return number


def _seconds(text: str) -> float:
    # argparse type of audit's --timeout: more than 0 and at most an hour.
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"expected 0 < SECONDS <= 3600, got {text!r}")
    return seconds


def _positive(text: str) -> int:
    # argparse type of --steps and --points: refused with a usage line, not a traceback.
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return number
