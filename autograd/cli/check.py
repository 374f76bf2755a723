"""``backprop-lab check EXPR --at NAME=VALUE ... --wrt NAME --claim FORMULA``: is a
hand-derived gradient right?

EXPR is built as ``grad`` builds it (a formula or statements in an article's names,
`autograd.cli.statements`); the claim, a formula for ∂root/∂wrt in the same names (or a
number), goes to `autograd.claims.check_formula`, which tries it at the graph's point and
at many others and, when it fails, says which factor or edge is wrong. A number claim is
judged at the digits it is written with and echoed as written (``1``, ``-2``, ``0.443``).

The trial points redraw the variables of EXPR but those held: variables named y, t or
target, statements that are a number (``t = 1``), ``--const`` names and ``--fixed`` names
keep their number at every point; ``--vary NAME`` redraws one held by default.
``--const NAME=VALUE`` gives a number to a name the claim uses that EXPR does not have (a
target: ``--const y=0``), or to a variable of EXPR that ``--at`` leaves out, which is then a
constant of the expression. Every hint printed names what to type (``--const y=0``).

Exit status 0: the claim holds; 1: it does not (the report says why); 2: bad input, such as
two ``--wrt`` names (one claim is for one derivative), a ``--const`` name also given with
``--at``, or ``--fixed`` of a name EXPR does not have. When a value of the expression
overflows, a note on standard error says which op made it infinite, as ``grad`` does.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from autograd.cli.grad import json_safe, wanted
from autograd.cli.statements import (
    Program,
    UsageError,
    build,
    name_of,
    parse_assignments,
    read_expression,
    split_statements,
    variables_of,
)
from autograd.formula import CONSTANTS, nesting_room, shortened
from autograd.value import Value

if TYPE_CHECKING:
    from autograd.claims import ClaimError


def check_command(args: argparse.Namespace) -> int:
    """Check ``args.claim`` for ∂root/∂``args.wrt``; print the report; 0 when it holds,
    1 when it does not.

    >>> from autograd.cli import build_parser
    >>> args = build_parser().parse_args(["check", "y = x**3", "--at", "x=2", "--wrt", "x",
    ...                                   "--claim", "3*x**2", "--points", "8"])
    >>> check_command(args)  # doctest: +ELLIPSIS
    ∂y/∂x = 3*x**2: holds
    ...
    0
    """
    from autograd.claims import ClaimError, check_formula  # loaded when checking

    if not args.wrt:
        raise UsageError("--wrt NAME is needed: the variable or named value the claim "
                         "differentiates by")
    given = list(dict.fromkeys(args.wrt))
    if len(given) > 1:
        raise UsageError(f"check takes one --wrt NAME, got {len(given)} "
                         f"({shortened(', '.join(given), 60)}): check one claim at a time")
    text = read_expression(args.expression)
    at = parse_assignments(args.at or [])
    const = parse_assignments(args.const or [], "--const")
    fixed = _names(args.fixed or [], "--fixed")
    vary = _names(args.vary or [], "--vary")
    _refuse_clashes(at, const, fixed, vary, name_of(given[0]))
    statements = split_statements(text)
    defined = {s.name: s for s in statements if s.name is not None}
    for name in const:
        if name in defined:
            raise UsageError(f"--const {shortened(name)}: {defined[name].where()} computes it; "
                             "--const gives a number to a variable of EXPR or to a name the "
                             f"claim uses: drop --const {shortened(name)}=...")
    in_expression = set(variables_of(statements))
    program = build(text, {**at, **{k: v for k, v in const.items() if k in in_expression}},
                    const=True)
    chosen = wanted(program, given)
    if len(chosen) != 1:
        raise UsageError(f"check takes one --wrt, got {len(chosen)} ({', '.join(chosen)}): "
                         "check one claim at a time")
    ((name, wrt),) = chosen.items()
    _refuse_unreached(program, name, wrt)
    leaves = _leaves(program)
    for option, names in (("--fixed", fixed), ("--vary", vary)):
        for item in names:
            _refuse_unknown(option, item, leaves, program)
    # A statement that is a number (t = 1) and a --const of EXPR are constants of the
    # expression: held at their number over the points, unless --vary redraws the former.
    numbers = [k for k, v in program.named.items() if not v.parents and k not in program.variables]
    held = list(dict.fromkeys([*fixed, *(k for k in const if k in in_expression),
                               *(k for k in numbers if k not in vary)]))
    labels = {v.label for v in leaves.values()} | set(program.named)
    constants = {k: v for k, v in CONSTANTS.items() if k not in labels}
    constants.update({k: v for k, v in const.items() if k not in in_expression})
    if program.overflow:
        print(f"note: {program.overflow}", file=sys.stderr)
    try:
        with nesting_room():  # a long claim (x + x + … + x) nests one level per term
            _refuse_unused(const, in_expression, args.claim, program)
            report = check_formula(program.root, wrt, args.claim, points=args.points,
                                   seed=args.seed, constants=constants, fixed=held, vary=vary)
    except ClaimError as err:
        raise _for_the_command_line(err, program) from None
    report = dataclasses.replace(report, interface="cli")  # hints name options
    if args.json:
        document: dict[str, Any] = {"expression": program.text, "wrt": name,
                                    **({"const": const} if const else {}),
                                    **report.to_dict()}
        print(json.dumps(json_safe(document), indent=2, ensure_ascii=False, allow_nan=False,
                         default=str))
    else:
        print(report)
    return 0 if report else 1


def _names(items: Sequence[str], option: str) -> list[str]:
    """The NAMEs of ``--fixed`` or ``--vary``, as the formula language reads them, each
    once.

    >>> _names(["w₁", "y", "w1"], "--fixed")
    ['w1', 'y']
    """
    names = []
    for item in items:
        name = name_of(item)
        if not name.isidentifier():
            raise UsageError(f"{option} expects a NAME of EXPR, such as y; got "
                             f"{shortened(repr(item.strip()))}")
        names.append(name)
    return list(dict.fromkeys(names))


def _refuse_clashes(at: Mapping[str, float], const: Mapping[str, float], fixed: Sequence[str],
                    vary: Sequence[str], wrt: str) -> None:
    """Options that contradict each other, refused before anything is built.

    >>> _refuse_clashes({"y": 1.0}, {"y": 0.0}, [], [], "w")
    Traceback (most recent call last):
    ...
    autograd.cli.statements.UsageError: y is given with --at y=1 and --const y=0: a name \
is either a variable (--at) or a constant (--const); keep one
    """
    for name, value in const.items():
        short = shortened(name)
        if name in at:
            raise UsageError(f"{short} is given with --at {short}={at[name]:g} and --const "
                             f"{short}={value:g}: a name is either a variable (--at) or a "
                             "constant (--const); keep one")
        if name == wrt:
            raise UsageError(f"--const {short}: {short} is the --wrt name, which every point "
                             f"redraws; give it with --at {short}={value:g}")
        if name in vary:
            raise UsageError(f"--const {short} and --vary {short}: a constant is never "
                             f"redrawn; to redraw it, give it with --at {short}={value:g}")
    for name in fixed:
        short = shortened(name)
        if name in vary:
            raise UsageError(f"--fixed {short} and --vary {short}: a name is either held "
                             "(--fixed) or redrawn (--vary); keep one")
        if name == wrt:
            raise UsageError(f"--fixed {short}: {short} is the --wrt name, which every point "
                             f"redraws; drop --fixed {short}")


def _refuse_unreached(program: Program, name: str, wrt: Value) -> None:
    """A --wrt value the result is not computed from: its derivative is 0 everywhere.

    >>> from autograd.cli.statements import build
    >>> p = build("a = x*2; L = x*3", {"x": 1.0})
    >>> _refuse_unreached(p, "a", p.named["a"])
    Traceback (most recent call last):
    ...
    autograd.cli.statements.UsageError: --wrt a: L is not computed from a, so ∂L/∂a is 0 ...
    """
    from autograd.graph import topological_order

    reached = set(topological_order(program.root))
    if wrt in reached:
        return
    root = program.root.label
    have = [k for k, v in [*program.variables.items(), *program.named.items()]
            if v in reached and v is not program.root]
    raise UsageError(f"--wrt {shortened(name)}: {root} is not computed from {shortened(name)}, "
                     f"so ∂{root}/∂{shortened(name)} is 0 everywhere; name a value {root} is "
                     f"computed from: {shortened(', '.join(have) or 'none', 100)}")


def _leaves(program: Program) -> dict[str, Value]:
    # The labelled leaves of EXPR: its variables and the statements that are a number.
    leaves = dict(program.variables)
    leaves.update({k: v for k, v in program.named.items() if not v.parents})
    return leaves


def _refuse_unknown(option: str, name: str, leaves: Mapping[str, Value],
                    program: Program) -> None:
    """``--fixed``/``--vary`` of a name that is not a leaf of EXPR: one line naming the
    leaves there are."""
    if name in leaves:
        return
    short = shortened(name)
    have = f"its variables are: {shortened(', '.join(leaves) or 'none', 100)}"
    if name in program.named:
        what = (f"{short} is computed by EXPR, not a variable; {option} takes a variable "
                f"({have})")
    else:
        close = difflib.get_close_matches(name, list(leaves), n=1) if len(name) <= 100 else []
        what = f"EXPR has no variable {short}; {have}" + (
            f" (did you mean {close[0]}?)" if close else "")
    raise UsageError(f"{option} {short}: {what}")


def _refuse_unused(const: Mapping[str, float], in_expression: set[str], claim: str,
                   program: Program) -> None:
    # A --const that neither EXPR nor the claim uses was most likely mistyped: say so, as
    # --at does for a variable EXPR does not use.
    from autograd.claims.reading import read_claim
    from autograd.graph import topological_order

    extra = {k: v for k, v in const.items() if k not in in_expression}
    if not extra:
        return
    used = read_claim(claim, topological_order(program.root), extra).constants
    for name in extra:
        if name not in used:
            raise UsageError(f"--const {shortened(name)}: neither EXPR nor the claim uses "
                             f"{shortened(name)}; drop --const {shortened(name)}=...")


def _for_the_command_line(err: ClaimError, program: Program) -> ClaimError:
    """A claim's error, its hint in options: a name the claim uses that EXPR does not have
    is given with ``--const NAME=VALUE``, not ``constants=``."""
    from autograd.claims import ClaimError
    from autograd.claims.reading import labels_of, unknown_name
    from autograd.graph import topological_order

    missing = getattr(err, "missing", None)
    if not missing:
        return err
    labels = labels_of(topological_order(program.root))
    return ClaimError(unknown_name(missing, labels, constants_hint=True, interface="cli"),
                      missing=missing)
