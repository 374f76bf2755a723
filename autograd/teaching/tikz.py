r"""The graph as a TikZ picture, for LaTeX slides (beamer) and papers.

`tikz(root)` draws what `autograd.draw` draws (the ops view, with the same options: a
backward ``step``, ``highlight``, ``rankdir``, ``collapse``, ...), lays it out with
Graphviz's ``dot`` (`layout`) and converts it with dot2tex (``pip install
'backprop-lab[tikz]'``), which writes every node, edge and label as TikZ. The drawing's
HTML-like labels are more than dot2tex reads, so each node gets a plain text label for the
layout (``w1 = 0.6``, ``grad 0.4431``) and the same lines in LaTeX for the picture
(``$w_{1} = 0.6$``); each edge with a local derivative is labelled with it,
``$\frac{\partial z_{1}}{\partial w_{1}} = x_{1} = 2$``. Names are those of
`autograd.notation` (ŷ as ``\hat{y}``), so every label is valid LaTeX, its special
characters shown rather than obeyed.

Include the picture in a document that loads::

    \usepackage{amsmath}   % \text, \operatorname in the labels
    \usepackage{tikz}      % the picture; its shapes and arrow tips need no TikZ library

(dot2tex's own templates also load ``\usetikzlibrary{arrows,shapes}``; this picture needs
neither.) The picture is as large as the layout (Graphviz's points; ``size=`` is not
used): shrink it in LaTeX, with ``\resizebox{\linewidth}{!}{...}`` around it.

>>> node_label(["w1 = 0.6", "grad 0.4431"])
'"w1 = 0.6\\ngrad 0.4431"'
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from autograd.draw import DotMissingError
from autograd.draw.ops_view import Plan, plan_ops
from autograd.draw.style import MISSING
from autograd.graph import topological_order
from autograd.notation import (
    FORMAT,
    latex_derivative,
    latex_local_text,
    latex_names_map,
    latex_number,
    latex_text,
    names_map,
)
from autograd.value import Value

__all__ = ["tikz", "tikz_dot", "layout", "node_label", "INSTALL", "PREAMBLE", "DOT_TIMEOUT"]

INSTALL = "pip install 'backprop-lab[tikz]'"
PREAMBLE = "\\usepackage{amsmath}\n\\usepackage{tikz}\n"
"""What a LaTeX document needs to include a picture of `tikz`."""

DOT_TIMEOUT = 120.0
"""Seconds Graphviz's ``dot`` may take to lay a graph out before it is stopped."""

_LAYOUT_FONT = 10  # pt: LaTeX's body size, so that the layout leaves the room TeX fills
_EDGE_KEEP = {"color", "dir"}  # what dot2tex turns into TikZ for an edge


def tikz(root: Value, **draw_options: Any) -> str:
    r"""The graph ``root`` depends on as a ``tikzpicture``, made by dot2tex from the drawing
    `autograd.draw.draw` makes with ``draw_options`` (the ops view; no legend: a figure's
    caption says it). Needs dot2tex (``pip install 'backprop-lab[tikz]'``; an ImportError
    says so) and Graphviz's ``dot`` (`autograd.draw.DotMissingError`); raises RuntimeError
    when ``dot`` (see `layout`) or dot2tex fails. See the module's documentation for the
    LaTeX preamble.

    >>> from autograd import Value
    >>> w, x = Value(0.5, label="w1"), Value(2.0, label="x1")
    >>> y = w * x; y.label = "ŷ"
    >>> "w_{1}" in tikz_dot(y) and "\\hat{y}" in tikz_dot(y)
    True
    """
    try:
        import dot2tex
    except ImportError:
        raise ImportError(f"tikz() needs dot2tex: {INSTALL}") from None
    source, colours = _converted(root, draw_options)
    laid_out = layout(source)
    defined = "".join(f"\\definecolor{{{name}}}{{HTML}}{{{hex_[1:].upper()}}}\n"
                      for hex_, name in colours.items())
    try:  # given xdot (positions made), dot2tex runs no Graphviz of its own
        picture = dot2tex.dot2tex(laid_out, format="tikz", figonly=True, texmode="raw",
                                  figpreamble=defined)
    except SystemExit:  # what dot2tex does on some failures
        picture = ""
    if not picture or "\\begin{tikzpicture}" not in picture:
        raise RuntimeError("dot2tex wrote no tikzpicture for this graph")
    return picture.strip() + "\n"


def layout(source: str, timeout: float = DOT_TIMEOUT) -> str:
    """The DOT text ``source`` laid out by Graphviz's ``dot``, as xdot (every node's and
    edge's position and drawing added), which dot2tex converts without running ``dot``
    itself. Graphviz's warnings (one per node: it does not know the TikZ options in
    ``style``) are not asked for (``-q``), and both outputs are read together, so that no
    amount of them can stall it. Raises `autograd.draw.DotMissingError` without ``dot``,
    and RuntimeError when it fails or takes more than ``timeout`` seconds.

    >>> "xdotversion" in layout("digraph { a -> b }")
    True
    """
    program = shutil.which("dot")
    if program is None:
        raise DotMissingError(MISSING)
    try:
        run = subprocess.run([program, "-q", "-Txdot"], input=source, capture_output=True,
                             encoding="utf-8", errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"Graphviz's dot took more than {timeout:g} s to lay the graph "
                           "out and was stopped") from None
    except OSError as error:
        raise RuntimeError(f"Graphviz's dot could not be run: {error}") from None
    if run.returncode != 0 or not run.stdout.strip():
        said = " | ".join([line for line in run.stderr.splitlines() if line.strip()][-3:])
        raise RuntimeError(f"Graphviz's dot could not lay the graph out (exit status "
                           f"{run.returncode}{': ' + said if said else ''})")
    return run.stdout


def tikz_dot(root: Value, **draw_options: Any) -> str:
    r"""The DOT text `tikz` gives dot2tex: the drawing of ``draw_options`` with each
    HTML-like label replaced by a plain ``label`` (for Graphviz's layout) and a ``texlbl``
    (what dot2tex writes in the picture), and each node's look as TikZ options.

    >>> from autograd import Value
    >>> z = Value(2.0, label="z1").relu()
    >>> print(tikz_dot(z).splitlines()[4].strip())  # doctest: +ELLIPSIS
    v0 [style="draw=bpA,fill=bpB,rounded corners=2bp" label="z1 = 2\ngrad 0" texlbl=...
    """
    return _converted(root, draw_options)[0]


def _converted(root: Value, draw_options: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    # The DOT text, and the colours its TikZ options name: "#cfe2f3" -> "bpA".
    if draw_options.get("view", "ops") != "ops":
        raise ValueError("tikz draws the ops view only")
    # No legend (a figure's caption says it) and no size: Graphviz would shrink the layout
    # but not the nodes TeX draws; scale the picture in LaTeX instead.
    options = {k: v for k, v in draw_options.items() if k not in ("view", "legend", "size")}
    fmt = options.get("fmt", FORMAT)
    drawing, plan = plan_ops(root, legend=False, **options)
    order = topological_order(root)
    latex = latex_names_map(order, fmt)
    text = names_map(order, fmt)
    node_of = {plan.ids[v]: v for v in plan.nodes}
    edge_labels = _edge_labels(plan, latex, fmt)
    edges = iter(plan.edges)
    colours: dict[str, str] = {}

    lines = ["digraph {",
             f"\tgraph [rankdir={plan.direction} nodesep=0.2 ranksep=0.35]",
             f'\tnode [shape=box fontsize={_LAYOUT_FONT} height=0.3 margin="0.06,0.03"]',
             f"\tedge [arrowsize=0.6 fontsize={_LAYOUT_FONT - 1}]"]
    for statement in drawing.body:
        indent = statement[: len(statement) - len(statement.lstrip("\t"))]
        body = statement.strip()
        if body.startswith(("graph ", "node ", "edge ", "size=")) or not body:
            continue
        if body.startswith("subgraph") or body == "}":
            lines.append(indent + body)
            continue
        head, attributes = _split_statement(body)
        if " -> " in head:  # an edge: in the order plan.edges lists them
            parent, child, port, _ = next(edges)
            kept = {k: v for k, v in attributes.items() if k in _EDGE_KEEP}
            if "penwidth" in attributes:  # a TikZ option, which dot2tex adds to the edge's
                kept["style"] = _quote(_tikz_style({"penwidth": attributes["penwidth"]},
                                                   colours))
            if port is not None:
                kept["label"], kept["texlbl"] = edge_labels[(parent, child, port)]
            lines.append(f"{indent}{head} [{_attributes(kept)}]" if kept else indent + head)
        elif head in node_of:
            plain_lines, tex_lines = _node_lines(node_of[head], plan, text, latex, fmt)
            kept = {"style": _quote(_tikz_style(attributes, colours)),
                    "label": node_label(plain_lines),
                    "texlbl": _quote(_tex_lines(tex_lines))}
            lines.append(f"{indent}{head} [{_attributes(kept)}]")
        elif not attributes and "=" in head:  # a cluster's own attributes
            lines.append(indent + _cluster_attributes(head, colours))
        else:
            raise ValueError(f"unexpected statement in the drawing: {body[:60]!r}")
    lines.append("}")
    return "\n".join(lines) + "\n", colours


def _colour(hex_: str, colours: dict[str, str]) -> str:
    # A colour of the drawing by its name in the picture: bpA, bpB, ... (letters only, as
    # xcolor reads names).
    hex_ = hex_.strip('"').lower()
    if not re.fullmatch(r"#[0-9a-f]{6}", hex_):
        raise ValueError(f"not a colour of the drawing: {hex_!r}")
    if hex_ not in colours:
        n, name = len(colours), ""
        while True:
            name = chr(ord("A") + n % 26) + name
            n = n // 26 - 1
            if n < 0:
                break
        colours[hex_] = "bp" + name
    return colours[hex_]


def _tikz_style(attributes: Mapping[str, str], colours: dict[str, str]) -> str:
    # The node's look (colours, dashed, thick, rounded) as TikZ options, which dot2tex
    # writes into the node as they are.
    style = attributes.get("style", "").strip('"').split(",")
    options = []
    if "color" in attributes:
        options.append("draw=" + _colour(attributes["color"], colours))
    if "filled" in style and "fillcolor" in attributes:
        options.append("fill=" + _colour(attributes["fillcolor"], colours))
    if "dashed" in style:
        options.append("dashed")
    if "rounded" in style:
        options.append("rounded corners=2bp")
    if "penwidth" in attributes:
        options.append(f"line width={float(attributes['penwidth'].strip(chr(34))):g}bp")
    return ",".join(options)


# ---- labels -------------------------------------------------------------------------------


def node_label(lines: list[str]) -> str:
    r"""Plain text lines as a quoted DOT label, for the layout only (the picture shows the
    LaTeX): centred lines, with ``\`` and ``"`` written as ``/`` and ``'``, characters of
    the same width that neither DOT (``\N`` is the node's name) nor dot2tex (which reads
    escapes in the text Graphviz lays out) would obey.

    >>> print(node_label(['say "hi"', r"a\N"]))
    "say 'hi'\na/N"
    """
    return '"' + "\\n".join(_dot_text(line) for line in lines) + '"'


def _dot_text(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", " ", text).replace("\\", "/").replace('"', "'")


def _quote(text: str) -> str:
    # A DOT string that dot2tex passes on verbatim: it keeps backslashes as they are, so
    # the text must hold no '"' (the LaTeX written here never does).
    if '"' in text:
        raise ValueError("a LaTeX label may not hold a double quote")
    return '"' + text + '"'


def _tex_safe(latex: str) -> str:
    # LaTeX from autograd.notation keeps a user's '"' as it is; dot2tex cannot carry it.
    return latex.replace('"', "\\text{''}")


def _tex_lines(lines: list[str]) -> str:
    if len(lines) == 1:
        return lines[0]
    return "\\begin{tabular}{@{}c@{}}" + "\\\\ ".join(lines) + "\\end{tabular}"


def _shown_number(lines: tuple[str, ...], word: str) -> str | None:
    # The number a drawn node shows after "data " or "grad " (HTML-escaped), if it shows one.
    for line in lines:
        plain = html.unescape(line)
        if plain.startswith(word + " "):
            return plain[len(word) + 1:]
    return None


def _node_lines(v: Value, plan: Plan, text: Mapping[Value, str], latex: Mapping[Value, str],
                fmt: str) -> tuple[list[str], list[str]]:
    # "z1 = 0.8", "grad 0.2215" and the same in LaTeX; a constant: its number.
    node = plan.nodes[v]
    name, tex_name = text[v], _tex_safe(latex[v])
    if node.role == "constant":
        return [name], [f"${tex_name}$"]
    data = _shown_number(node.lines, "data")
    grad = _shown_number(node.lines, "grad")
    plain = [f"{name} = {data}" if data is not None else name]
    tex = [f"${tex_name} = {_latex_shown(data, fmt)}$" if data is not None else f"${tex_name}$"]
    if grad is not None:
        plain.append(f"grad {grad}")
        tex.append(f"grad ${_latex_shown(grad, fmt)}$")
    return plain, tex


def _latex_shown(shown: str, fmt: str) -> str:
    # A number as the drawing shows it, in LaTeX (1e-09 as 1 \times 10^{-9}).
    try:
        return latex_number(float(shown), fmt)
    except ValueError:
        return latex_text(shown)


def _edge_labels(plan: Plan, latex: Mapping[Value, str], fmt: str,
                 ) -> dict[tuple[Value, Value, str], tuple[str, str]]:
    # Each labelled edge's derivative as DOT strings: as the drawing writes it (plain) and
    # in LaTeX, with its formula when it crosses one op, else (a collapsed edge) its number.
    found = {}
    for parent, child, port, index in plan.edges:
        if port is None:
            continue
        cell = dict(plan.nodes[child].inputs)[port]
        plain = [html.unescape(line) for line in cell]
        shown = plain[-1].rsplit("= ", 1)[-1]
        value = _latex_shown(shown, fmt)
        name = latex_derivative(latex[child], latex[parent])
        formula = latex_local_text(child, index, latex, fmt) if index is not None else ""
        right = f"{formula} = {value}" if formula and formula != value else value
        # one line: dot2tex would write the LaTeX label once per line of the plain one
        found[(parent, child, port)] = (node_label([" ".join(plain)]),
                                         _quote(_tex_safe(f"${name} = {right}$")))
    return found


# ---- DOT statements -----------------------------------------------------------------------

_VALUE = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s\]"<]+')


def _read_value(text: str, at: int) -> tuple[str, int]:
    # One attribute value from text[at:]: "quoted", <HTML-like, nested> or a bare word.
    if text[at] == "<":
        depth, i = 0, at
        while True:
            depth += {"<": 1, ">": -1}.get(text[i], 0)
            i += 1
            if depth == 0:
                return text[at:i], i
    found = _VALUE.match(text, at)
    if found is None:
        raise ValueError(f"cannot read a DOT value at {text[at:at + 30]!r}")
    return found.group(0), found.end()


def _read_attributes(text: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    at = 0
    while at < len(text):
        if text[at].isspace() or text[at] == ",":
            at += 1
            continue
        key = re.match(r"\w+", text[at:])
        if key is None or text[at + key.end()] != "=":
            raise ValueError(f"cannot read a DOT attribute at {text[at:at + 30]!r}")
        value, at = _read_value(text, at + key.end() + 1)
        attributes[key.group(0)] = value
    return attributes


def _split_statement(body: str) -> tuple[str, dict[str, str]]:
    # 'v0 -> v2 [headport="d0:n"]' -> ('v0 -> v2', {'headport': '"d0:n"'})
    if not body.endswith("]") or "[" not in body:
        return body, {}
    head, _, rest = body.partition(" [")
    return head.strip(), _read_attributes(rest[:-1])


def _attributes(attributes: Mapping[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in attributes.items())


def _cluster_attributes(statement: str, colours: dict[str, str]) -> str:
    # 'color="#999999" label=layer1 style="rounded,dashed"': the label also in LaTeX.
    attributes = _read_attributes(statement)
    label = attributes.get("label", "")
    if label.startswith('"'):
        label = label[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    kept = {"style": _quote(_tikz_style(attributes, colours))}
    if label:
        kept["label"] = node_label([label])
        kept["texlbl"] = _quote(_tex_safe(f"${latex_text(label)}$"))
    return _attributes(kept)
