"""``backprop-lab play EXPR --at NAME=VALUE ... --html out.html``: a typed expression's player.

EXPR is built as ``grad`` builds it (a formula or statements in an article's names, parsed
against a whitelist by `autograd.cli.statements`, never ``eval``) and saved as a
self-contained player page (`autograd.player`), which steps through its forward and
backward pass and recomputes when a variable is changed. When a value overflows to inf, a
note on standard error names the op that made it so, as ``grad`` does (status 0). A graph
too large for a page (more Values than `autograd.draw.MAX_NODES`, or than the page lays out
itself without Graphviz) is refused in one line.
"""

from __future__ import annotations

import argparse
import sys

from autograd.cli.statements import UsageError, build, parse_assignments, read_expression
from autograd.draw import MAX_NODES, GraphTooLarge
from autograd.draw.in_browser import BROWSER_MAX_NODES
from autograd.formula import shortened
from autograd.graph import topological_order
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
    shown = (shortened(program.text) if len(program.statements) == 1
             else f"{program.root.label} ({len(program.statements)} statements)")
    if len(program.statements) == 1 and program.statements[0].name is None:
        shown = f"{program.root.label} = {shortened(program.text)}"
    try:
        player = play(program.root, layout=args.layout,
                      title=f"backprop player: {shortened(program.text, 120)}")
    except GraphTooLarge as error:  # its advice is for Python: say it for the command line
        values = len(topological_order(program.root))
        if "in the page" in str(error):
            limit = (f"at most {BROWSER_MAX_NODES:,} laid out by the page itself; with "
                     "Graphviz installed (sudo apt-get install graphviz), --layout dot draws "
                     f"up to {MAX_NODES:,}")
        else:
            limit = f"at most {MAX_NODES:,}"
        raise UsageError(f"EXPR makes {values:,} values, too many for a player page "
                         f"({limit}): write fewer statements, or in Python call "
                         "play(root, max_nodes=None)") from None
    path = player.save(args.html)
    print(f"player of {shown} written to {path} (open it in a browser; it works offline)")
    return 0
