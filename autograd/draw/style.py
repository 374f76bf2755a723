"""How drawings look: one style for every view: roles and their colours, fonts, the legend.

A Value plays one role in a picture, and each role has its own look, explained by a legend
drawn in the picture itself:

- input: data fed to the network (``x1``), green;
- parameter: a weight or bias the loss is minimised over, blue;
- constant: a number written in the code, grey and dashed, with no gradient;
- intermediate: any other computed Value, white;
- root: the Value drawn from (usually the loss), gold.

Also here: `Drawing`, a `graphviz.Digraph` whose ``dot`` runs within a time limit and
fails in the project's words (`autograd.draw.layout`); `shorten`, which keeps a long label
from stretching a drawing (the whole label is then the node's tooltip); and the errors
every view raises.

>>> sorted(ROLES)
['constant', 'input', 'intermediate', 'parameter', 'root']
"""

from __future__ import annotations

import os
import re
from typing import Any

import graphviz

from autograd.draw.in_browser import browser_drawing_html, count_nodes
from autograd.draw.layout import (
    INSTALL,
    MISSING,
    DotError,
    DotMissingError,
    DotTimeout,
    run_dot,
)
from autograd.files import write_bytes

__all__ = ["Drawing", "GraphTooLarge", "DotError", "DotTimeout", "DotMissingError", "INSTALL",
           "MISSING", "MAX_LABEL", "shorten", "tooltip", "quick_layout", "role_attrs",
           "add_legend", "escape",
           "ROLES", "LEGEND", "HIGHLIGHT", "STEP", "DERIVATIVE", "FONT", "NODE_FONT_SIZE",
           "EDGE_FONT_SIZE"]

FONT = "Helvetica,Arial,sans-serif"
NODE_FONT_SIZE = 14
EDGE_FONT_SIZE = 14

ROLES: dict[str, dict[str, str]] = {
    "input": {"fillcolor": "#d9ead3", "color": "#38761d"},
    "parameter": {"fillcolor": "#cfe2f3", "color": "#3d85c6"},
    "constant": {"fillcolor": "#f3f3f3", "color": "#999999", "style": "filled,dashed"},
    "intermediate": {"fillcolor": "#ffffff", "color": "#666666"},
    "root": {"fillcolor": "#ffd966", "color": "#bf9000"},
}
"""Node attributes per role (``style`` is ``filled`` unless given)."""

HIGHLIGHT = "#cc0000"
"""Red: highlighted Values and the edges along a path or a backward step."""
STEP = "#f6b26b"
"""Orange: the node of a backward step."""
DERIVATIVE = "#fff2cc"
"""Pale yellow: a local derivative, where its arrow enters a node."""


LEGEND: dict[str, tuple[str, str]] = {
    "input": ("input (data)", ""),
    "parameter": ("parameter", ""),
    "constant": ("constant: a number from the code; no gradient shown", ""),
    "intermediate": ("intermediate value", ""),
    "root": ("output (root)", ""),
    "derivative": ("local derivative ∂node/∂parent of the arrow entering there", DERIVATIVE),
    "total": ("∂node/∂parent of the arrow entering there, through the values folded "
              "between them", DERIVATIVE),
    "step": ("this backward step's node; red arrows: the gradient it sends back", STEP),
}
"""What each swatch of the legend says, and its colour when it is not a role's."""


QUICK_LAYOUT_NODES = 50
"""Above this many nodes, a drawing asks Graphviz to place nodes with a bounded effort
(`quick_layout`)."""

MAX_LABEL = 40
"""Characters of a name drawn in full; a longer one is cut with an ellipsis (`shorten`)."""


class Drawing(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering runs ``dot`` within a time limit and fails in
    the project's words (`autograd.draw.layout`): `DotTimeout` past the limit, `DotError`
    when ``dot`` fails, `DotMissingError` with the install command when it is missing.

    The limit is ``timeout`` seconds, given to `pipe` or `render`, else this drawing's
    ``timeout`` (``draw(y, timeout=30)`` sets it), else the class's (``Drawing.timeout =
    30`` for every drawing), else ``$BACKPROP_LAB_DOT_TIMEOUT``, else 10 s.

    Shown in Jupyter without ``dot`` (Windows without Graphviz, JupyterLite, a bare Colab),
    it is laid out by the page itself with Graphviz compiled to WebAssembly
    (`autograd.draw.in_browser`) instead of failing; `pipe` and `render` still raise
    `DotMissingError`.

    >>> d = Drawing(); d.edge("a", "b")
    >>> d.pipe(format="svg", encoding="utf-8", timeout=5).count('<g id="node')
    2
    """

    timeout: float | None = None
    """Seconds ``dot`` may take for this drawing (None: see the class's text)."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        """What Jupyter shows: the SVG from ``dot``; where ``dot`` is missing, HTML that
        lays the graph out in the browser; where ``dot`` fails, the one-line error."""
        try:
            return dict(super()._repr_mimebundle_(include, exclude, **kwargs))
        except DotMissingError:
            return {"text/html": browser_drawing_html(self.source)}
        except DotError as error:
            return {"text/plain": f"{type(error).__name__}: {error}"}

    def pipe(self, format: str | None = None, renderer: str | None = None,  # noqa: A002
             formatter: str | None = None, neato_no_op: bool | int | None = None,
             quiet: bool = False, *, engine: str | None = None, encoding: str | None = None,
             timeout: float | None = None) -> Any:
        """`graphviz.Digraph.pipe`: the rendered bytes (str given an ``encoding``), e.g.
        ``drawing.pipe(format="svg")``; ``dot`` is stopped after ``timeout`` seconds (see
        the class's text)."""
        output = ":".join(f for f in (format or self.format, renderer, formatter) if f)
        args = [f"-K{engine or self.engine}", f"-T{output}"]
        if neato_no_op:
            args.append(f"-n{int(neato_no_op)}")
        data = run_dot(args, self.source.encode(self.encoding), nodes=self.nodes(),
                       timeout=timeout if timeout is not None else self.timeout, quiet=quiet)
        return data.decode(encoding) if encoding is not None else data

    def render(self, filename: Any = None, directory: Any = None, view: bool = False,
               cleanup: bool = False, format: str | None = None,  # noqa: A002
               renderer: str | None = None, formatter: str | None = None,
               neato_no_op: bool | int | None = None, quiet: bool = False,
               quiet_view: bool = False, *, outfile: Any = None, engine: str | None = None,
               timeout: float | None = None) -> str:
        """`graphviz.Digraph.render`: save the source, then the drawing beside it (or to
        ``outfile``, its format from its extension); the path of the drawing. ``dot`` is
        stopped after ``timeout`` seconds (see the class's text)."""
        if outfile is not None:
            path = os.fspath(outfile)
            format = format or os.path.splitext(path)[1].lstrip(".").lower()  # noqa: A001
            if filename is None:
                filename = os.path.splitext(path)[0] + ".gv"
        format = format or self.format  # noqa: A001
        data = self.pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine,
                         timeout=timeout)
        source = self.save(filename, directory=directory)
        if outfile is None:
            path = ".".join([source, *(f for f in (format, renderer, formatter) if f)])
        write_bytes(path, data)
        if cleanup:
            os.remove(source)
        if view:
            graphviz.view(path, quiet=quiet_view)  # the system's viewer, as graphviz does
        return path

    def nodes(self) -> int:
        """How many nodes the drawing has.

        >>> d = Drawing(); d.node("a"); d.node("b"); d.edge("a", "b")
        >>> d.nodes()
        2
        """
        return count_nodes(self.source)


class GraphTooLarge(ValueError):
    """The graph has more Values than ``max_nodes``: too many to read as a drawing."""


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` cut to ``limit`` characters, the last an ellipsis, when it is longer: a long
    label drawn in full would stretch the drawing past what Graphviz can lay out.

    >>> shorten("a" * 50)
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…'
    >>> shorten("w1")
    'w1'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tooltip(*texts: str) -> dict[str, str]:
    """Node or edge attributes showing, on hover, each of ``texts`` that `shorten` cuts
    (once each, one a line); none when no text is cut.

    >>> tooltip("w1"), tooltip("a" * 41)["tooltip"] == "a" * 41
    ({}, True)
    """
    cut = list(dict.fromkeys(_CONTROL.sub(" ", t) for t in texts if len(t) > MAX_LABEL))
    # Graphviz reads a backslash twice in a tooltip (as DOT text, then as an escape such as
    # \N, the node's name): four stand for one.
    text = "\n".join(cut).replace("\\", "\\" * 4)
    return {"tooltip": graphviz.nohtml(text)} if cut else {}


def quick_layout(dot: graphviz.Digraph, nodes: int) -> None:
    """Bound the effort ``dot`` (and Viz.js) spend placing the ``nodes`` of a big drawing:
    Graphviz's ``nslimit=2``, two network-simplex passes per node, when there are more than
    `QUICK_LAYOUT_NODES`. Placing nodes across ranks is where a big graph's layout spends
    its time (a Value used at every depth, as x in x**x**...**1 with 100 levels, bends
    thousands of edges: 20 s unbounded, 2 s bounded), for nearly the same picture.

    >>> d = graphviz.Digraph(); quick_layout(d, 51)
    >>> "nslimit=2" in d.source
    True
    """
    if nodes > QUICK_LAYOUT_NODES:
        dot.attr(nslimit="2")


def role_attrs(role: str) -> dict[str, str]:
    """Graphviz node attributes for a role.

    >>> role_attrs("constant")["style"]
    'filled,dashed'
    """
    return {"style": "filled", **ROLES[role]}


def add_legend(dot: graphviz.Digraph, entries: list[str], extra: tuple[str, ...] = ()) -> None:
    """Draw a legend under the picture: a swatch per entry of `LEGEND` used in it (a role,
    ``"derivative"``, ``"step"``), then ``extra`` lines of text.

    >>> d = graphviz.Digraph()
    >>> add_legend(d, ["input", "root"])
    >>> "output (root)" in d.source
    True
    """
    rows = []
    for entry in entries:
        text, colour = LEGEND[entry]
        attrs = ROLES.get(entry, {"fillcolor": colour, "color": "#999999"})
        dashed = ' style="dashed"' if "dashed" in attrs.get("style", "") else ""
        rows.append(
            f'<tr><td bgcolor="{attrs["fillcolor"]}" color="{attrs["color"]}" border="1"'
            f'{dashed} width="24" height="14" fixedsize="true"></td>'
            f'<td align="left">{escape(text)}</td></tr>'
        )
    for line in extra:
        rows.append(f'<tr><td></td><td align="left">{escape(line)}</td></tr>')
    table = ('<<table border="0" cellspacing="2" cellpadding="2">'
             + "".join(rows) + "</table>>")
    # The graph's own label, under the picture: it takes no place in the layout.
    dot.attr(label=table, labelloc="b", labeljust="l", fontsize=str(NODE_FONT_SIZE))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape(text: str) -> str:
    """User text made safe inside a Graphviz HTML-like label: XML characters escaped, and
    control characters (which Graphviz refuses) shown as spaces.

    >>> escape('<img src=x onerror="alert(1)"> & \x01')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp;  '
    """
    text = _CONTROL.sub(" ", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))
