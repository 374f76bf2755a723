"""How drawings look: one style for every view: roles and their colours, fonts, the legend.

A Value plays one role in a picture, and each role has its own look, explained by a legend
drawn in the picture itself:

- input: data fed to the network (``x1``), green;
- parameter: a weight or bias the loss is minimised over, blue;
- constant: a number written in the code, grey and dashed, with no gradient;
- intermediate: any other computed Value, white;
- root: the Value drawn from (usually the loss), gold.

Also here: `Drawing`, a `graphviz.Digraph` that says how to install ``dot`` when it is
missing, and the errors every view raises.

>>> sorted(ROLES)
['constant', 'input', 'intermediate', 'parameter', 'root']
"""

from __future__ import annotations

import re
from typing import Any

import graphviz

from autograd.draw.in_browser import browser_drawing_html

INSTALL = "sudo apt-get install graphviz"

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


class GraphTooLarge(ValueError):
    """The graph has more Values than ``max_nodes``: too many to read as a drawing."""


class DotMissingError(RuntimeError):
    """The Graphviz program ``dot`` is not installed, so the graph cannot be rendered."""


MISSING = (
    "cannot render: the Graphviz program `dot` is not installed or not on PATH. "
    f"Install it with: {INSTALL}  (macOS: brew install graphviz). "
    "The DOT text is still available as draw(...).source."
)


class Drawing(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering says how to install ``dot`` when it is missing.

    Shown in Jupyter without ``dot`` (Windows without Graphviz, JupyterLite, a bare Colab),
    it is laid out by the page itself with Graphviz compiled to WebAssembly
    (`autograd.draw.in_browser`) instead of failing; `pipe` and `render` still raise
    `DotMissingError`.
    """

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        """What Jupyter shows: the SVG from ``dot``, or where ``dot`` is missing, HTML that
        lays the graph out in the browser."""
        try:
            return dict(super()._repr_mimebundle_(include, exclude, **kwargs))
        except (graphviz.ExecutableNotFound, DotMissingError):
            return {"text/html": browser_drawing_html(self.source)}

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """`graphviz.Digraph.pipe`: the rendered bytes, e.g. ``drawing.pipe(format="svg")``;
        `DotMissingError` with the install command when ``dot`` is missing."""
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise DotMissingError(MISSING) from None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """`graphviz.Digraph.render`: write the source and the rendered file;
        `DotMissingError` with the install command when ``dot`` is missing."""
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise DotMissingError(MISSING) from None


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
