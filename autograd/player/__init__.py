"""The backprop player: a graph's forward and backward pass, step by step, in any browser.

`play(root)` returns a `Player`: shown inline in Jupyter (JupyterLab, Notebook 7, VS Code,
Colab, a notebook exported to HTML) with no kernel round-trip, and saved as one
self-contained page by ``player.save("net.html")``, which works offline, from disk: nothing
is fetched when it runs. The page shows the ops view drawing of `autograd.draw` and brings
it to life:

- *forward*: values appear node by node, in topological order;
- *backward*: the steps of `autograd.backward_steps`, one at a time, both ways: the node in
  focus, and for each parent its local derivative, upstream × local = contribution, and its
  gradient before and after; every node shows its gradient as of that step;
- buttons and keys (← → step, Home/End, space plays and pauses, at a chosen speed), one step
  counter ("backward step 4 of 5") and a caption of what the step does, in a header pinned
  above the drawing, as tall as the step needs; each step scrolls its Value into the room
  below it; a key there names every colour (the roles, the step's, the paths'); an edge under
  the mouse shows its local derivative; choosing a leaf draws its chain-rule paths in purple
  (as `autograd.explain` finds them);
- a slider and a number field for each labelled input and parameter: the page recomputes
  every value and gradient at once, with JavaScript generated from the op table
  (`autograd.replay.javascript`), and keeps the current step. A domain error (log of 0, ...)
  is shown in the page, naming the op. A graph with a user-defined op still steps; its live
  editing is off, and the page says why.

Its JavaScript API (for tests and for pages that embed a player): the root element carries
``data-backprop-player`` and ``element.player`` offers ``stepForward()``, ``stepBack()``,
``reset()``, ``end()``, ``setValue(label, number)`` and ``state()``; see `Player`.

>>> from autograd import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> y = (w * x).tanh(); y.label = "y"
>>> "data-backprop-player" in play(y).html()
True
"""

from __future__ import annotations

from pathlib import Path

from autograd.draw.ops_view import MAX_NODES
from autograd.files import write_text
from autograd.notation import FORMAT
from autograd.player.page import LAYOUTS, fragment, page
from autograd.value import Value

__all__ = ["play", "Player", "LAYOUTS"]


class Player:
    """An interactive page for one graph: ``html()``, ``save(path)``, shown inline in Jupyter.

    In the page, ``document.querySelector("[data-backprop-player]").player`` has:

    - ``stepForward()``, ``stepBack()``: one step (forward steps first, then backward ones);
    - ``reset()``: before the first step; ``end()``: after the last backward step;
    - ``setValue(label, number)``: give every input or parameter labelled ``label`` that
      number; every shown number is recomputed before it returns ``true`` (``false``, and
      the page says why, on a domain error; the numbers that worked are kept);
    - ``state()``: ``{phase: "forward" | "backward", step, steps, values: {label: number},
      grads: {label: number}}`` for every labelled Value (where several share a label, the
      one nearest the root); ``steps`` counts the forward and the backward steps; gradients
      are 0 during the forward pass and, after ``end()``, those ``root.backward()`` gives.

    On the page, each input or parameter has its own slider and number field, even where
    several share a label ("x (2 of 3)").

    ``layout`` says who laid the drawing out: ``"dot"`` (Graphviz, when installed) or
    ``"browser"`` (the page itself, with a vendored WebAssembly build of Graphviz).

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> player = play(x * x)
    >>> player.layout in LAYOUTS, player.html().startswith("<!doctype html>")
    (True, True)
    """

    def __init__(self, body: str, layout: str, title: str) -> None:
        self._body = body
        self.layout = layout
        self.title = title

    def html(self) -> str:
        """The whole page, one self-contained HTML file."""
        return page(self._body, self.title)

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (e.g. ``"net.html"``; folders are created), whole or
        not at all, and return the path.

        >>> import tempfile, os
        >>> from autograd import Value
        >>> target = os.path.join(tempfile.mkdtemp(), "p", "x.html")
        >>> play(Value(1.0, label="x").exp()).save(target).name
        'x.html'
        """
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"{path}: a player is saved as an .html file")
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_text(path, self.html())

    def _repr_html_(self) -> str:
        return self._body

    def __repr__(self) -> str:
        return f"<Player {self.title!r}, laid out by {self.layout}>"


def play(root: Value, *, layout: str = "auto", fmt: str = FORMAT, rankdir: str | None = None,
         title: str | None = None, max_nodes: int | None = MAX_NODES) -> Player:
    """A `Player` stepping through ``root``'s forward and backward pass.

    ``layout="auto"`` lays the drawing out with Graphviz's ``dot`` when it is installed and
    in the page otherwise; ``"dot"`` or ``"browser"`` choose. ``fmt`` is the number format
    (``".4g"``; the page writes ``".Ng"`` formats), ``rankdir`` the drawing's direction (as
    `autograd.draw.draw`), ``title`` a heading above the player (and the saved page's
    title; by default "backprop player: " and the root's label). The graph is not changed:
    its gradients stay as they were.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> play(a.log(), layout="browser").layout
    'browser'
    """
    body, used = fragment(root, layout=layout, fmt=fmt, rankdir=rankdir, max_nodes=max_nodes,
                          title=title or "")
    name = root.label or "graph"
    return Player(body, used, title or f"backprop player: {name}")
