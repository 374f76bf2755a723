"""``backprop-lab check EXPR --at NAME=VALUE ... --wrt NAME --claim FORMULA``: is a
hand-derived gradient right?

EXPR is built as ``grad`` builds it (a formula or statements in an article's names,
`autograd.cli.statements`); the claim, a formula for ∂root/∂wrt in the same names (or a
number), goes to `autograd.claims.check_formula`, which tries it at the graph's point and
at many others and, when it fails, says which factor or edge is wrong. Exit status 0: the
claim holds; 1: it does not (the report says why); 2: bad input, such as two ``--wrt``
names (one claim is for one derivative). When a value of the expression overflows, a note
on standard error says which op made it infinite, as ``grad`` does.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from autograd.cli.grad import json_safe, wanted
from autograd.cli.statements import UsageError, build, parse_assignments, read_expression
from autograd.formula import CONSTANTS, nesting_room, shortened


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
    from autograd.claims import check_formula  # the claims module: loaded when checking

    if not args.wrt:
        raise UsageError("--wrt NAME is needed: the variable or named value the claim "
                         "differentiates by")
    given = list(dict.fromkeys(args.wrt))
    if len(given) > 1:
        raise UsageError(f"check takes one --wrt NAME, got {len(given)} "
                         f"({shortened(', '.join(given), 60)}): check one claim at a time")
    program = build(read_expression(args.expression), parse_assignments(args.at or []))
    chosen = wanted(program, given)
    if len(chosen) != 1:
        raise UsageError(f"check takes one --wrt, got {len(chosen)} ({', '.join(chosen)}): "
                         "check one claim at a time")
    ((name, wrt),) = chosen.items()
    labels = {v.label for v in [*program.variables.values(), *program.named.values()]}
    constants = {k: v for k, v in CONSTANTS.items() if k not in labels}
    # a statement that is a number (t = 1) is a constant of the expression, not redrawn
    constants.update({name: v.data for name, v in program.named.items()
                      if not v.parents and name not in program.variables})
    if program.overflow:
        print(f"note: {program.overflow}", file=sys.stderr)
    with nesting_room():  # a long claim (x + x + … + x) nests one level per term
        report = check_formula(program.root, wrt, args.claim, points=args.points,
                               seed=args.seed, constants=constants)
    if args.json:
        document: dict[str, Any] = {"expression": program.text, "wrt": name,
                                    **report.to_dict()}
        print(json.dumps(json_safe(document), indent=2, ensure_ascii=False, allow_nan=False,
                         default=str))
    else:
        print(report)
    return 0 if report else 1
