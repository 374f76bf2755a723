"""Drawing a computation graph with Graphviz; the only module that imports graphviz.

`draw(root)` returns a `graphviz.Digraph` (shown inline in Jupyter) with one record per Value
(label | data | grad), one small node per op showing its symbol, and on each edge into an op
the local derivative: its formula from the op table, in the parents' labels, and its value.
Nodes are numbered in topological order (``v0``, ``v1``, ...; the op that made ``v7`` is
``o7``), so the same graph always gives the same DOT text. `render(root, "g.svg", "g.png")`
saves it in one call.

>>> from autograd import Value
>>> w1, x1 = Value(0.5, label="w1"), Value(2.0, label="x1")
>>> z = w1 * x1; z.label = "z"
>>> print(draw(z).source)  # doctest: +ELLIPSIS
digraph {
...
	v0 [label="{w1 | data 0.5 | grad 0}" fillcolor="#cfe2f3" ...]
...
	v0 -> o2 [label="∂/∂w1 = x1 = 2"]
...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import graphviz

from autograd.explain import Step, merged_factors
from autograd.graph import depends_on, topological_order
from autograd.notation import FORMAT, local_formula, names_map, number
from autograd.ops import OPS
from autograd.value import Value

MAX_NODES = 2000
"""Above this many Values, `draw` asks for ``max_nodes=None`` or ``collapse=True``."""

INSTALL = "sudo apt-get install graphviz"

COLOURS = {
    "root": "#ffd966",  # gold: the Value drawn from (usually the loss)
    "leaf": "#cfe2f3",  # light blue: labelled leaves, the inputs and parameters
    "constant": "#f3f3f3",  # light grey: unlabelled leaves, numbers written in the code
    "value": "#ffffff",  # white: every other Value
    "op": "#eeeeee",  # grey circle: an op
    "highlight": "#cc0000",  # red outline and edges: highlighted Values and paths
    "step": "#f6b26b",  # orange: the node of a backward step; its edges are red
}


class GraphTooLarge(ValueError):
    """The graph has more Values than ``max_nodes``: too many to read as a drawing."""


class DotMissingError(RuntimeError):
    """The Graphviz program ``dot`` is not installed, so the graph cannot be rendered."""


_MISSING = (
    "cannot render: the Graphviz program `dot` is not installed or not on PATH. "
    f"Install it with: {INSTALL}  (macOS: brew install graphviz). "
    "The DOT text is still available as draw(...).source."
)


class Drawing(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering says how to install ``dot`` when it is missing."""

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise DotMissingError(_MISSING) from None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise DotMissingError(_MISSING) from None


def _escape_record(text: str) -> str:
    # Characters with a meaning in a record label are escaped with a backslash.
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text


def label_group(value: Value) -> str | None:
    """The cluster a label such as ``layer1.neuron2.w1`` names: ``layer1.neuron2``.

    >>> label_group(Value(0.1, label="layer1.neuron2.w1")), label_group(Value(1.0, label="x1"))
    ('layer1.neuron2', None)
    """
    head, dot, _ = value.label.rpartition(".")
    return head if dot else None


def _groups(
    order: list[Value], group: Callable[[Value], str | None]
) -> dict[Value, str | None]:
    # A Value whose own label names no cluster joins the cluster of its labelled leaf parents
    # (a neuron's weights and bias), else the cluster its parents agree on.
    found: dict[Value, str | None] = {}
    for v in order:
        key = group(v)
        if key is None and v.parents:
            from_leaves = [found[p] for p in v.parents if not p.parents and found[p]]
            others = {found[p] for p in v.parents} - {None}
            key = from_leaves[0] if from_leaves else (others.pop() if len(others) == 1 else None)
        found[v] = key
    return found


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    fmt: str = FORMAT,
    grads: bool = True,
    edge_labels: bool = True,
    highlight: Value | Iterable[Value] | Step | None = None,
    path_from: Value | None = None,
    step: Step | None = None,
    group: bool | Callable[[Value], str | None] = False,
    max_nodes: int | None = MAX_NODES,
    collapse: bool = False,
) -> Drawing:
    """Draw the graph ``root`` depends on; returns a `graphviz.Digraph`.

    Colour legend:

    - gold record: ``root``, the Value drawn from (usually the loss);
    - light blue record: a labelled leaf (an input or a parameter);
    - light grey record: an unlabelled leaf (a number written in the code);
    - white record: any other Value; grey circle: an op, showing its symbol;
    - red outline and red edges: ``highlight`` (a Value or several), and the paths from
      ``path_from`` to ``root``;
    - orange record with red edges: the node of a backward ``step`` and the edges along
      which it sends gradient (grads shown are those at that moment of `backward_steps`);
      ``highlight=step`` does the same.

    Options: ``rankdir`` "LR" (left to right) or "TB" (top to bottom); ``fmt`` the number
    format; ``grads`` and ``edge_labels`` show or hide gradients and edge formulas;
    ``group`` draws clusters: ``True`` reads them from labels such as
    ``layer1.neuron2.w1`` (cluster ``layer1`` holding ``layer1.neuron2``), or give a function
    from a Value to a dotted cluster name or None. Unlabelled results join their parents'
    cluster. Graphs with more than ``max_nodes`` Values raise `GraphTooLarge`; pass
    ``max_nodes=None`` to draw anyway, or ``collapse=True`` to keep only labelled Values,
    leaves and ``root``, each edge then carrying the total derivative through the folded
    Values between its ends (the factors of `autograd.explain`).

    >>> from autograd import Value
    >>> y = (Value(2.0, label="x") * 3).tanh()
    >>> sorted(line.split()[0] for line in draw(y).body if "->" not in line)
    ['o2', 'o3', 'v0', 'v1', 'v2', 'v3']
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    order = topological_order(root)
    kept = [v for v in order if v.label or not v.parents or v is root] if collapse else order
    if max_nodes is not None and len(kept) > max_nodes:
        hint = "pass max_nodes=None to draw it anyway"
        if not collapse:
            hint += ", or collapse=True to fold the unlabelled values between labelled ones"
        raise GraphTooLarge(
            f"the graph has {len(kept):,} values{' after collapsing' if collapse else ''}, "
            f"more than max_nodes={max_nodes:,}: too many to read as a drawing; {hint}"
        )
    name_of = names_map(order, fmt)
    ids = {v: i for i, v in enumerate(order)}
    if isinstance(highlight, Step):
        step, highlight = highlight, None
    marked = ({highlight} if isinstance(highlight, Value)
              else set(highlight) if highlight is not None else set())
    if path_from is not None:
        marked |= depends_on(root, path_from)

    dot = Drawing(graph_attr={"rankdir": rankdir}, node_attr={"fontname": "Helvetica"},
                  edge_attr={"fontname": "Helvetica", "fontsize": "10"})
    finder = label_group if group is True else group or None
    groups = _groups(order, finder) if finder else {}
    statements: dict[str | None, list[tuple[str, dict[str, str]]]] = {}

    def node(v: Value, key: str, attrs: dict[str, str]) -> None:
        statements.setdefault(groups.get(v), []).append((key, attrs))

    for v in kept:
        i = ids[v]
        fields = [v.label] if v.label else []
        fields.append(f"data {number(v.data, fmt)}")
        if grads:
            fields.append(f"grad {number(v.grad, fmt)}")
        text = " | ".join(_escape_record(f) for f in fields)
        colour = ("root" if v is root else "value" if v.parents
                  else "leaf" if v.label else "constant")
        attrs = {"label": "{" + text + "}" if rankdir in ("LR", "RL") else text,
                 "shape": "record", "style": "filled", "fillcolor": COLOURS[colour]}
        if step is not None and v is step.node:
            attrs["fillcolor"] = COLOURS["step"]
        if v in marked:
            attrs.update(color=COLOURS["highlight"], penwidth="2")
        node(v, f"v{i}", attrs)
        if v.parents and not collapse:
            op = OPS.get(v.op)
            node(v, f"o{i}", {"label": op.symbol if op else v.op, "shape": "circle",
                              "style": "filled", "fillcolor": COLOURS["op"],
                              "fontsize": "10", "width": "0.3", "margin": "0"})

    _emit(dot, statements)
    edges: list[tuple[str, str, dict[str, str]]] = []
    if collapse:
        for child, factors in merged_factors(order, set(kept), name_of).items():
            for f in factors:
                label = f"{f.name} = {number(f.value, fmt)}"
                red = f.parent in marked and child in marked
                edges.append((f"v{ids[f.parent]}", f"v{ids[child]}",
                              _edge_attrs(label if edge_labels else "", red, False)))
    else:
        for v in kept:
            if not v.parents:
                continue
            i = ids[v]
            for k, (p, local) in enumerate(zip(v.parents, v.local_grads)):
                formula = local_formula(v, k, name_of)
                shown = number(local, fmt)
                label = shown if formula == shown else f"{formula} = {shown}"
                if p.label:
                    label = f"∂/∂{p.label} = {label}"
                red = p in marked and v in marked
                edges.append((f"v{ids[p]}", f"o{i}", _edge_attrs(
                    label if edge_labels else "", red, step is not None and v is step.node)))
            red = v in marked and any(p in marked for p in v.parents)
            edges.append((f"o{i}", f"v{i}", _edge_attrs("", red, False)))
    for tail, head, attrs in edges:
        dot.edge(tail, head, **attrs)
    return dot


def _edge_attrs(label: str, highlighted: bool, in_step: bool) -> dict[str, str]:
    attrs = {"label": graphviz.escape(label)} if label else {}
    if highlighted or in_step:
        attrs.update(color=COLOURS["highlight"], penwidth="2")
    return attrs


def _emit(dot: graphviz.Digraph, statements: dict[str | None, list[tuple[str, dict[str, str]]]],
          ) -> None:
    # Nested clusters from dotted names: "layer1.neuron2" lies inside "layer1".
    tree: dict[str, Any] = {}
    for key in statements:
        if key is not None:
            branch = tree
            for part in key.split("."):
                branch = branch.setdefault(part, {})
    for key, attrs in statements.get(None, []):
        dot.node(key, **attrs)
    counter = [0]

    def cluster(parent: graphviz.Digraph, prefix: str, branch: dict[str, Any]) -> None:
        for part, sub in branch.items():
            name = f"{prefix}.{part}" if prefix else part
            with parent.subgraph(name=f"cluster_{counter[0]}") as c:
                counter[0] += 1
                c.attr(label=graphviz.escape(name), style="rounded,dashed", color="#999999")
                for key, attrs in statements.get(name, []):
                    c.node(key, **attrs)
                cluster(c, name, sub)

    cluster(dot, "", tree)


def render(root: Value | graphviz.Digraph, *paths: str | Path, **options: Any) -> list[Path]:
    """Draw ``root`` (with `draw`'s ``options``) and save it to each path, the format given
    by its extension: ``render(loss, "graph.svg", "graph.png")``. Returns the paths written.

    Raises `DotMissingError`, with the install command, when ``dot`` is not installed.

    >>> import tempfile, os
    >>> from autograd import Value
    >>> folder = tempfile.mkdtemp()
    >>> [p.name for p in render(Value(1.0, label="x").exp(), os.path.join(folder, "g.svg"))]
    ['g.svg']
    """
    if not paths:
        raise ValueError("render needs at least one path, such as 'graph.svg'")
    dot = root if isinstance(root, graphviz.Digraph) else draw(root, **options)
    written = []
    for path in map(Path, paths):
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in graphviz.FORMATS:
            raise ValueError(f"{path}: unknown image format {fmt!r}; use .svg, .png or .pdf")
        try:
            data = dot.pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            raise DotMissingError(_MISSING) from None
        path.write_bytes(data)
        written.append(path)
    return written
