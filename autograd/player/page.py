"""The player's HTML: one self-contained fragment (for Jupyter) or page (for a file).

A fragment is a ``<div data-backprop-player>`` holding the drawing (an SVG from ``dot``,
or the DOT text for the page to lay out with the vendored viz.js), the graph as JSON in a
``<script type="application/json">`` element, the player's stylesheet and scripts, and
the JavaScript generated from the op table that recomputes the graph. User text reaches
the page only as escaped SVG text or inside that JSON, where ``<``, ``>`` and ``&`` are
written as ``\\u003c``, ... so that no label can end a script or start a tag; the player
writes every text into the page with ``textContent``.
"""

from __future__ import annotations

import html
import itertools
import json
import uuid
from importlib import resources

from autograd.draw.in_browser import (
    json_for_html,
    script_tag,
    too_large_for_browser,
    viz_loader_html,
)
from autograd.draw.ops_view import MAX_NODES
from autograd.draw.style import DotMissingError, Drawing, GraphTooLarge
from autograd.notation import FORMAT
from autograd.player.model import describe
from autograd.value import Value

_COUNTER = itertools.count(1)
LAYOUTS = ("dot", "browser")
"""Who lays the drawing out: Graphviz's ``dot`` here, or the page itself (viz.js)."""


def _static(name: str) -> str:
    return (resources.files("autograd.player") / "static" / name).read_text(encoding="utf-8")


def _svg(drawing: Drawing) -> str:
    svg = drawing.pipe(format="svg", encoding="utf-8")
    return svg[svg.index("<svg"):]


def fragment(root: Value, *, layout: str = "auto", fmt: str = FORMAT,
             rankdir: str | None = None, max_nodes: int | None = MAX_NODES,
             title: str = "") -> tuple[str, str]:
    """The player of ``root`` as an HTML fragment, and the layout used ("dot" or "browser");
    ``title``, when given, is shown above it.

    >>> from autograd import Value
    >>> body, used = fragment(Value(2.0, label="x").exp(), layout="browser")
    >>> body.startswith('<div class="bp-player" id="backprop-player-'), used
    (True, 'browser')
    """
    if layout not in ("auto", *LAYOUTS):
        raise ValueError(f"layout must be 'auto', 'dot' or 'browser', got {layout!r}")
    described = describe(root, fmt=fmt, rankdir=rankdir, max_nodes=max_nodes)
    data = described.data
    svg = ""
    if layout != "browser":
        try:
            svg = _svg(described.drawing)
        except DotMissingError:
            if layout == "dot":
                raise
    used = "dot" if svg else "browser"
    refusal = "" if svg else too_large_for_browser(described.drawing.source)
    if refusal:  # Viz.js would hold the page for a minute: say so, in Python, at once
        raise GraphTooLarge(f"the player cannot lay this graph out in the page: {refusal}")
    scripts = [_static("formula.js"), _static("player.js")]
    if not svg:
        data = {**data, "dot": described.drawing.source}
    compute = described.code or "null"
    ident = f"backprop-player-{next(_COUNTER)}-{uuid.uuid4().hex[:12]}"
    mount = f"window.BackpropPlayer.mountScript({json.dumps(ident)}, {compute});"
    parts = [
        f'<div class="bp-player" id="{ident}" data-backprop-player data-layout="{used}">',
        f'<div class="bp-title">{html.escape(title)}</div>' if title else "",
        '<div class="bp-noscript">The player needs JavaScript: open this page in a browser; '
        "in Jupyter, trust the notebook or run the cell again.</div>",
        f"<style>{_static('player.css')}</style>",
        f'<div class="bp-graph">{svg}</div>',
        f'<script type="application/json" class="bp-data">{json_for_html(data)}</script>',
        viz_loader_html() if not svg else "",
        *(script_tag(js) for js in scripts),
        script_tag(mount),
        "</div>",
    ]
    return "\n".join(parts), used


def page(body: str, title: str) -> str:
    """A whole HTML page around a fragment, whose player then takes every key of the page.

    >>> page("<p>hi</p>", "a <title>").splitlines()[3]
    '<title>a &lt;title&gt;</title>'
    """
    return ("<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "</head>\n<body>\n"
            + body.replace(" data-backprop-player ", " data-backprop-player data-standalone ", 1)
            + "\n</body>\n</html>\n")
