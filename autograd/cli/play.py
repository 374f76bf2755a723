"""``backprop-lab play EXPR --at NAME=VALUE ... --html out.html``: a typed expression's player.

The expression is built as ``grad`` builds it (`autograd.cli.grad.differentiate`: parsed
against a whitelist, never ``eval``) and saved as a self-contained player page
(`autograd.player`), which steps through its forward and backward pass and recomputes when
a variable is changed.
"""

from __future__ import annotations

import argparse

from autograd.cli.grad import differentiate, parse_assignments
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
    root, _ = differentiate(args.expression, parse_assignments(args.at))
    path = play(root, layout=args.layout, title=f"backprop player: {args.expression}").save(
        args.html)
    print(f"player of f = {args.expression} written to {path} "
          "(open it in a browser; it works offline)")
    return 0
