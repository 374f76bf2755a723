"""Graphviz in the browser: a drawing the page lays out itself, for where ``dot`` is missing.

On Windows without Graphviz, in JupyterLite or in a bare Colab there is no ``dot`` program to
turn DOT text into SVG. `browser_drawing_html` then gives an HTML fragment that does the
layout in the page with Viz.js, the WebAssembly build of Graphviz (npm's ``@viz-js/viz``),
kept in ``vendor/`` with its licences and version (``make vendor`` refreshes it). Nothing is
fetched, ever: each fragment carries the whole script (about 1.3 MB), and a page evaluates
it once, however many drawings it shows.

Viz.js lays a graph out in one go, with no way to stop it, and the page is frozen meanwhile;
a graph of more than `BROWSER_MAX_NODES` nodes would take more than a few seconds, so it is
not laid out: the fragment says so and how to draw it instead (`too_large_for_browser`).
"""

from __future__ import annotations

import html
import json
import re
import uuid
from functools import lru_cache
from importlib import resources

__all__ = ["viz_script", "viz_version", "script_tag", "json_for_html", "viz_loader_html",
           "browser_drawing_html", "vendored", "count_nodes", "too_large_for_browser",
           "BROWSER_MAX_NODES"]

BROWSER_MAX_NODES = 1000
"""The most nodes a page lays out with Viz.js: measured in Chromium on a busy 2-core machine,
an ops-view chain of 900 nodes takes 2-3 s (Viz.js loaded), 1,500 nodes 5-6 s, 3,000 nodes
10 s; a network of 800 nodes 3-4 s."""

# A node statement of DOT text as the graphviz package writes it: one per line, a name and
# its attributes; edges ("a -> b") and defaults ("node [...]") are not nodes.
_NODE = re.compile(r'\s*(?!(?:graph|node|edge)\b)(\w+|"(?:[^"\\]|\\.)*")\s*(?:\[|$)')


def vendored(package: str, name: str, how: str) -> str:
    """The text of ``<package>/vendor/<name>`` (a front-end library kept in the package),
    or an error saying ``how`` to get it (the make target that fetches it).

    >>> vendored("autograd.draw", "VERSION", "make vendor").split()[0]
    '@viz-js/viz'
    """
    try:
        return resources.files(package).joinpath(f"vendor/{name}").read_text("utf-8")
    except FileNotFoundError:
        folder = package.replace(".", "/")
        raise FileNotFoundError(f"{folder}/vendor/{name} is missing: run `{how}`") from None


def _vendored(name: str) -> str:
    return vendored("autograd.draw", name, "make vendor (Viz.js from npm)")


@lru_cache(maxsize=1)
def viz_script() -> str:
    """The vendored Viz.js: JavaScript that defines a global ``Viz`` when run by a page.

    >>> "Viz.js" in viz_script()[:200]
    True
    """
    return _vendored("viz-standalone.js")


def viz_version() -> str:
    """The vendored version of ``@viz-js/viz``, as ``vendor/VERSION`` records it.

    >>> viz_version().split(".")[0]
    '3'
    """
    first = _vendored("VERSION").splitlines()[0]  # "@viz-js/viz 3.31.0"
    return first.split()[-1]


def script_tag(js: str, type: str = "") -> str:
    """A ``<script>`` element holding the JavaScript ``js``, which cannot end it early.

    ``</`` becomes ``<\\/`` and ``<!--`` becomes ``<\\!--``: the same text inside JavaScript
    strings, comments and regular expressions, but no longer markup the HTML parser reacts
    to. ``type`` sets the element's type, e.g. ``"text/plain"`` for text kept, not run.

    >>> script_tag('alert("</script><!--")')
    '<script>alert("<\\\\/script><\\\\!--")</script>'
    """
    safe = js.replace("</", "<\\/").replace("<!--", "<\\!--")
    attribute = f' type="{type}"' if type else ""
    return f"<script{attribute}>{safe}</script>"


def json_for_html(value: object) -> str:
    """JSON for a ``<script type="application/json">`` element: no character of it can be
    read as markup (``<``, ``>``, ``&``) or break a line of JavaScript (U+2028, U+2029).

    >>> json_for_html({"label": "</script>"})
    '{"label": "\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


# Defines, once per page, backpropLabViz(code): a promise of the page's one Graphviz
# instance, evaluating Viz.js from ``code`` (its text, kept inert) unless the page has it.
_LOADER = """window.backpropLabViz = window.backpropLabViz || function (code) {
  if (!(window.Viz && typeof window.Viz.instance === "function")) {
    // A module loader (RequireJS in the classic notebook) is hidden, so that Viz.js defines
    // the global Viz rather than an anonymous module; so is `document`, which it reads only
    // to find its own URL (unused: the WebAssembly is embedded), a lookup that fails in a
    // page without a base URL (about:blank).
    var script = document.createElement("script");
    script.textContent = "(function (define, exports, module, document) {\\n"
      + code + "\\n})();";
    document.head.appendChild(script);
    script.remove();
    if (!(window.Viz && typeof window.Viz.instance === "function")) {
      return Promise.reject(new Error("Viz.js did not load"));
    }
  }
  // One Graphviz instance (one WebAssembly compilation) serves every drawing of the page.
  window.backpropLabVizInstance = window.backpropLabVizInstance || window.Viz.instance();
  return window.backpropLabVizInstance;
};"""

# Finds its fragment (as the element holding it, else by id: some notebook front ends run a
# copy of the script elsewhere), lays the graph out, then swaps the fragment's content for
# the SVG.
_RUNNER = """(function () {
  var here = document.currentScript;
  var root = (here && here.closest(".backprop-lab-drawing")) || document.getElementById(%(id)s);
  function part(type) { return root.querySelector('script[type="' + type + '"]'); }
  function fail(error) {
    root.textContent = "Graphviz in the browser could not lay out this graph: "
      + ((error && error.message) || error);
    root.setAttribute("data-drawn", "error");
  }
  var source = JSON.parse(part("application/json").textContent);
  window.backpropLabViz(part("text/plain").textContent).then(function (viz) {
    var svg = viz.renderSVGElement(source);
    svg.style.maxWidth = "100%%";
    svg.style.height = "auto";
    svg.style.display = "block";
    root.replaceChildren(svg);
    root.setAttribute("data-drawn", "1");
  }).catch(fail);
})();"""


def viz_loader_html() -> str:
    """Viz.js as inert text (``<script type="text/plain">``) and the script defining
    ``window.backpropLabViz(code)``, a promise of the page's Graphviz instance that runs
    that text once per page.

    >>> viz_loader_html().count("<script") == 2
    True
    """
    return script_tag(viz_script(), type="text/plain") + script_tag(_LOADER)


def count_nodes(dot_source: str) -> int:
    """How many node statements ``dot_source`` holds (one per line, as the graphviz package
    writes them); nodes named only by edges are not counted.

    >>> count_nodes('digraph {\\n\\tnode [shape=box]\\n\\tv0 [label=x]\\n\\tv1\\n\\tv0 -> v1\\n}')
    2
    """
    return sum(1 for line in dot_source.splitlines() if _NODE.match(line))


def too_large_for_browser(dot_source: str, limit: int | None = None) -> str:
    """Why the page will not lay ``dot_source`` out, and what to do instead; "" when it is
    small enough (``limit`` nodes at most, `BROWSER_MAX_NODES`).

    >>> too_large_for_browser("digraph {\\n\\ta\\n}")
    ''
    >>> too_large_for_browser("digraph {\\n\\ta\\n\\tb\\n}", limit=1).split(":")[0]
    'this graph has 2 nodes, more than the 1 the page lays out itself in a few seconds'
    """
    limit = BROWSER_MAX_NODES if limit is None else limit
    nodes = count_nodes(dot_source)
    if nodes <= limit:
        return ""
    return (f"this graph has {nodes:,} nodes, more than the {limit:,} the page lays out itself "
            "in a few seconds: install Graphviz (sudo apt-get install graphviz) so that dot "
            "draws it, or draw a smaller graph, or draw(..., collapse=True)")


def browser_drawing_html(dot_source: str) -> str:
    """A self-contained HTML fragment that lays out ``dot_source`` in the page and shows it.

    A ``<div>`` holding the DOT text as JSON, Viz.js as inert text, and a script that lays
    the graph out and puts the SVG in the div, scaled to fit its container; the div then
    gets ``data-drawn="1"``, or on a layout error shows the error and gets
    ``data-drawn="error"``. No label can break out: the JSON has no ``<``, ``>`` or ``&``.

    >>> html = browser_drawing_html('digraph { a [label="</script><b>"] }')
    >>> html.count("</script>") == html.count("<script") == 4
    True
    >>> "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e" in html
    True
    """
    refused = too_large_for_browser(dot_source)
    if refused:
        return ('<div class="backprop-lab-drawing" data-drawn="refused">'
                f"<span>Not drawn: {html.escape(refused)}.</span></div>")
    ident = f"backprop-lab-drawing-{uuid.uuid4().hex}"
    return (
        f'<div id="{ident}" class="backprop-lab-drawing">'
        "<span>Laying out the graph in the browser… (if this stays, the page ran no script: "
        "trust the notebook, or run the cell again)</span>"
        f'<script type="application/json">{json_for_html(dot_source)}</script>'
        + viz_loader_html()
        + script_tag(_RUNNER % {"id": json.dumps(ident)})
        + "</div>"
    )
