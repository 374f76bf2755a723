"""Drawing a computation graph with Graphviz; this package is the only importer of graphviz.

`draw(root)` returns a `graphviz.Digraph` (shown inline in Jupyter), readable in a notebook
cell 1,000 px wide. Two views:

- ``view="ops"`` (the default, `autograd.draw.ops_view`): one node per Value with its name,
  what made it, its data and gradient, coloured by role; on each edge the local derivative
  as `explain` writes it, ``∂z1/∂w1 = x1 = 2``;
- ``view="neurons"`` (`autograd.draw.neurons`): the network diagram the articles draw, one
  node per input, neuron and loss, one edge per weight.

Nodes are numbered in topological order (``v0``, ``v1``, ...), so the same graph always gives
the same DOT text. A name longer than 40 characters is drawn cut, with an ellipsis; the whole
of it is the node's tooltip.

Graphviz's ``dot`` lays a drawing out within a time limit: 10 s unless ``draw(y,
timeout=30)``, ``pipe(..., timeout=30)``, ``Drawing.timeout = 30`` or the environment
variable ``BACKPROP_LAB_DOT_TIMEOUT=30`` say otherwise; past it, `DotTimeout` names the limit
and the ways out (a smaller graph, ``collapse=True``, ``view="neurons"``, more time). Any
other failure of ``dot`` is a `DotError` quoting ``dot``'s own error (`autograd.draw.layout`).
On a terminal, a layout that takes more than 2 s shows a progress bar.

`render(root, "g.svg", "g.png")` saves a drawing in one call. Shown in
Jupyter where ``dot`` is missing, a drawing is laid out by the page itself with a vendored
WebAssembly build of Graphviz (`autograd.draw.in_browser`).

>>> from autograd import Value
>>> w1, x1 = Value(0.5, label="w1"), Value(2.0, label="x1")
>>> z = w1 * x1; z.label = "z"
>>> source = draw(z).source
>>> "v0 -> v2" in source and "∂z/∂w1<br/>= x1 = 2" in source
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import graphviz

from autograd.draw.layout import DOT_TIMEOUT, TIMEOUT_VARIABLE, time_limit
from autograd.draw.ops_view import MAX_NODES, draw_ops, label_group
from autograd.draw.style import (
    INSTALL,
    MISSING,
    DotError,
    DotMissingError,
    DotTimeout,
    Drawing,
    GraphTooLarge,
)
from autograd.explain import Step
from autograd.files import write_bytes
from autograd.notation import FORMAT
from autograd.value import Value

__all__ = ["draw", "draw_dot", "render", "label_group", "Drawing", "DotMissingError", "DotError",
           "DotTimeout", "GraphTooLarge", "MAX_NODES", "INSTALL", "MISSING", "DOT_TIMEOUT",
           "TIMEOUT_VARIABLE"]


def draw(
    root: Value,
    *,
    view: str = "ops",
    size: str | None = None,
    legend: bool = True,
    rankdir: str | None = None,
    fmt: str = FORMAT,
    grads: bool = True,
    edge_labels: bool = True,
    highlight: Value | Iterable[Value] | Step | None = None,
    path_from: Value | None = None,
    step: Step | None = None,
    group: bool | Callable[[Value], str | None] = False,
    max_nodes: int | None = MAX_NODES,
    collapse: bool = False,
    sample: int = 1,
    computed: bool = True,
    timeout: float | None = None,
) -> Drawing:
    """Draw the graph ``root`` depends on; returns a `graphviz.Digraph`.

    Roles, explained by a legend under the picture (``legend=False`` leaves it out):

    - green: an input (data, such as ``x1``; a neuron's inputs, or a label that reads as
      data: ``x…``, ``In…``, ``y``, ``target``);
    - blue: a parameter (any other labelled leaf: weights, biases);
    - grey, dashed: a constant (a number written in the code): no gradient is shown for it,
      and a number exponent is written in its op (``x²``) rather than drawn;
    - white: an intermediate Value; an unlabelled one is named by its expression
      (``1 − ŷ``, ``log(1 − ŷ)``), or by its op with inputs elided when that is long;
    - gold: ``root``, the Value drawn from (usually the loss);
    - red outline and red edges: ``highlight`` (a Value or several) and the paths from
      ``path_from`` to ``root``;
    - orange with red edges: the node of a backward ``step`` (from `backward_steps`) and the
      edges along which it sends gradient; every gradient shown is the one of that step's
      moment (``highlight=step`` does the same).

    Each edge is labelled with the local derivative as `explain` writes it,
    ``∂z1/∂w1 = x1 = 2`` (simplified: ``2·x``, not ``2 * x**(2 - 1)``).

    Options: ``view`` "ops" or "neurons" (the network diagram of a graph built by `nn`
    layers; ``sample`` picks which sample's values it shows when the loss sums several);
    ``size`` Graphviz's size in inches, e.g. ``"13.3,7.5!"`` to fill a 16:9 slide (with
    ``!`` a drawing is enlarged too; without, only shrunk); ``rankdir`` "LR", "TB", "RL" or
    "BT" (default: "LR" or "TB", whichever keeps the drawing narrower); ``fmt`` the number
    format; ``grads`` and ``edge_labels`` show or hide gradients and edge formulas;
    ``group`` draws clusters: ``True`` reads them from labels such as ``layer1.neuron2.w1``
    (cluster ``layer1`` holding ``layer1.neuron2``), or give a function from a Value to a
    dotted cluster name or None. Graphs with more than ``max_nodes`` Values raise
    `GraphTooLarge`; pass ``max_nodes=None`` to draw anyway, or ``collapse=True`` to keep
    only labelled Values, inputs, parameters and ``root``, each edge then carrying the total
    derivative through the folded Values between its ends (the factors of
    `autograd.explain`): for an `nn` network, one edge from each weight and input to its
    neuron's ``z``, ``z`` to ``a``, and layer to layer.

    ``timeout``: the seconds Graphviz's ``dot`` may take to lay the drawing out when it is
    rendered (default: ``$BACKPROP_LAB_DOT_TIMEOUT``, else 10); past them, `DotTimeout`.

    >>> from autograd import Value
    >>> y = (Value(2.0, label="x") * 3).tanh()
    >>> [ln.split()[0] for ln in draw(y).body if ln.split()[0][0] == "v" and "->" not in ln]
    ['v0', 'v1', 'v2', 'v3']

    A blank exercise sheet of a network (`nn` layers), its inputs and weights given:

    >>> from nn import MLP
    >>> import random
    >>> model = MLP(2, [1], output_activation="sigmoid", rng=random.Random(0))
    >>> out = model([Value(1.0, label="x1"), Value(2.0, label="x2")])
    >>> source = draw(out, view="neurons", computed=False).source
    >>> "x1 = 1" in source and "z = ?" in source and "∂" not in source
    True
    """
    if view not in ("ops", "neurons"):
        raise ValueError(f"view must be 'ops' or 'neurons', got {view!r}")
    other_view = {"ops": {"sample": sample != 1, "computed": not computed},
                  "neurons": {"rankdir": rankdir is not None, "edge_labels": not edge_labels,
                              "highlight": highlight is not None,
                              "path_from": path_from is not None, "step": step is not None,
                              "group": group is not False, "max_nodes": max_nodes != MAX_NODES,
                              "collapse": collapse}}[view]
    unused = [name for name, given in other_view.items() if given]
    if unused:
        other = "ops" if view == "neurons" else "neurons"
        raise ValueError(f"{', '.join(unused)}: not an option of view={view!r} "
                         f"(view={other!r} takes it)")
    if view == "neurons":
        from autograd.draw.neurons import draw_neurons

        drawing = draw_neurons(root, fmt=fmt, grads=grads, legend=legend, size=size,
                               sample=sample, computed=computed)
    else:
        drawing = draw_ops(root, rankdir=rankdir, fmt=fmt, grads=grads, edge_labels=edge_labels,
                           legend=legend, size=size, highlight=highlight, path_from=path_from,
                           step=step, group=group, max_nodes=max_nodes, collapse=collapse)
    if timeout is not None:
        time_limit(timeout)  # a bad limit is said now, not when the drawing is shown
        drawing.timeout = timeout
    return drawing


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR") -> Drawing:  # noqa: A002
    """micrograd's and the lecture's helper, by its name: `draw` with ``rankdir`` (micrograd's
    "LR" by default, or "TB"), the picture in ``format`` ("svg", "png", ...), so that
    ``draw_dot(y).render("gout")`` writes ``gout.svg`` as micrograd's does.

    >>> from autograd import Value
    >>> dot = draw_dot(Value(2.0, label="x").tanh(), format="png")
    >>> dot.format, 'rankdir="LR"' in dot.source or "rankdir=LR" in dot.source
    ('png', True)
    """
    if format not in graphviz.FORMATS:
        raise ValueError(f"format must be one of Graphviz's output formats, such as 'svg', "
                         f"'png' or 'pdf', got {format!r}")
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot draws a Value's graph, got {type(root).__name__}: {root!r:.60}")
    drawing = draw(root, rankdir=rankdir)
    drawing.format = format
    return drawing


def render(root: Value | graphviz.Digraph, *paths: str | Path, **options: Any) -> list[Path]:
    """Draw ``root`` (with `draw`'s ``options``) and save it to each path, the format given
    by its extension: ``render(loss, "graph.svg", "graph.png")``. Returns the paths written.

    Raises `DotMissingError`, with the install command, when ``dot`` is not installed, and
    `DotTimeout` or `DotError` when it takes too long or fails (see `Drawing`); a
    ``timeout`` option sets the limit.

    >>> import tempfile, os
    >>> from autograd import Value
    >>> folder = tempfile.mkdtemp()
    >>> [p.name for p in render(Value(1.0, label="x").exp(), os.path.join(folder, "g.svg"))]
    ['g.svg']
    """
    if not paths:
        raise ValueError("render needs at least one path, such as 'graph.svg'")
    dot = root if isinstance(root, graphviz.Digraph) else draw(root, **options)
    if not isinstance(dot, Drawing):  # a plain Digraph, run within the same limit
        drawing = Drawing(name=dot.name, strict=dot.strict, body=list(dot.body),
                          graph_attr=dict(dot.graph_attr),
                          node_attr=dict(dot.node_attr), edge_attr=dict(dot.edge_attr))
        dot = drawing
    written = []
    for path in map(Path, paths):
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in graphviz.FORMATS:
            raise ValueError(f"{path}: unknown image format {fmt!r}; use .svg, .png or .pdf")
        data = dot.pipe(format=fmt, timeout=options.get("timeout"))
        written.append(write_bytes(path, data))  # whole or not at all
    return written
