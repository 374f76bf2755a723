"""``backprop-lab play EXPR --at NAME=VALUE ... --html out.html``: a typed expression's player.

EXPR is built as ``grad`` builds it (a formula or statements in an article's names, parsed
against a whitelist by `autograd.cli.statements`, never ``eval``) and saved as a
self-contained player page (`autograd.player`), which steps through its forward and
backward pass and recomputes when a variable is changed. When a value overflows to inf, a
note on standard error names the op that made it so, as ``grad`` does (status 0).
"""

from __future__ import annotations

import argparse
import sys

from autograd.cli.statements import build, parse_assignments, read_expression
from autograd.player import play


def play_command(args: argparse.Namespace) -> int:
    """Write the player of ``args.expression`` to ``args.html``; print where.

    >>> import os, tempfile
    >>> out = os.path.join(tempfile.mkdtemp(), "p.html")
    >>> play_command(argparse.Namespace(expression="w*x", at=["w=0.5", "x=2"], html=out,
    ...              layout="auto"))  # doctest: +ELLIPSIS
    player of f = w*x written to ...p.html (open it in a browser; it works offline)
    0
    """
    program = build(read_expression(args.expression), parse_assignments(args.at or []))
    program.root.backward()
    for note in program.notes():
        print(f"note: {note}", file=sys.stderr)
    shown = (program.text if len(program.statements) == 1
             else f"{program.root.label} ({len(program.statements)} statements)")
    if len(program.statements) == 1 and program.statements[0].name is None:
        shown = f"{program.root.label} = {program.text}"
    path = play(program.root, layout=args.layout,
                title=f"backprop player: {program.text}").save(args.html)
    print(f"player of {shown} written to {path} (open it in a browser; it works offline)")
    return 0
