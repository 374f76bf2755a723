"""The ops view: every Value of a graph as a node, every op's input as an edge.

Each node shows the Value's name (its label, or the expression that made it), what made it
(``= σ(z3)``), its data and its gradient; its colour and border give its role (input,
parameter, constant, intermediate, root; see `autograd.draw.style`). The op lives in the
node it makes, so there is one node per Value, and a number exponent belongs to its op
(``(ŷ − y)²``) rather than being drawn. Each edge carries the local derivative as
`autograd.explain` writes it: ``∂z1/∂w1 = x1 = 2``. Edges from constants carry none: no
gradient goes to a constant.

To stay readable in a notebook cell, the direction (left to right, or top to bottom) is
the one whose estimated width is smaller; names, numbers and edge labels are short and
broken over lines; a name longer than `autograd.draw.style.MAX_LABEL` is cut, and shown
whole in the node's tooltip.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import graphviz

from autograd.draw import style
from autograd.explain import Step, merged_factors
from autograd.graph import depends_on, topological_order
from autograd.notation import (
    FORMAT,
    MAX_NAME,
    derivative_name,
    expression_name,
    is_constant,
    local_text,
    names_map,
    number,
)
from autograd.ops import OPS
from autograd.value import Value

MAX_NODES = 2000
"""Above this many Values, `draw` asks for ``max_nodes=None`` or ``collapse=True``."""

_INPUT_LABEL = re.compile(r"(x|X|In|in|input|inputs?|y|t|target)(\d|_|\[|$)")
_CHAR_WIDTH = 7.6  # points per character at 14 pt, a fair average for Helvetica
_LINE = 20  # characters in one line of a derivative before it is broken
_MAX_FORMULA = 48
_FRACTION = 14  # a derivative's name longer than this is written over two lines
_ENTRY_SIDE = {"LR": "w", "RL": "e", "TB": "n", "BT": "s"}  # where arrows enter a node
_OWN = "own"  # the port of a node's own cell (name, data, grad)
_OWN_SIDE = {"LR": "w", "RL": "e", "TB": "w", "BT": "w"}  # beside the derivatives' cells


@dataclass
class _Node:
    lines: tuple[str, ...]  # HTML, escaped; the first is the name
    role: str
    inputs: list[tuple[str, list[str]]] = field(default_factory=list)
    """one row per labelled edge into this node: the port it enters, the derivative's lines"""


def roles(order: list[Value], root: Value) -> dict[Value, str]:
    """The role of each Value: ``root``; ``intermediate`` for a computed Value; for a leaf,
    ``constant`` for a number from the code (`autograd.notation.is_constant`), ``input``
    when a neuron reads it as an input (or its label reads as data: ``x1``, ``In2``, ``y``,
    ``target``), else ``parameter`` (a Value you made, labelled or not).

    >>> w, x = Value(0.5, label="w"), Value(2.0, label="x1")
    >>> y = w * x + 1
    >>> sorted(roles(topological_order(y), y).values())
    ['constant', 'input', 'intermediate', 'parameter', 'root']
    """
    read_as_input: set[Value] = set()
    for v in order:
        if v.op == "dot":
            read_as_input.update(v.parents[1:-1:2])
    found = {}
    for v in order:
        if v is root:
            found[v] = "root"
        elif v.parents:
            found[v] = "intermediate"
        elif is_constant(v):
            found[v] = "constant"
        elif v in read_as_input or _INPUT_LABEL.match(v.label):
            found[v] = "input"
        else:
            found[v] = "parameter"
    return found


def hidden_constants(order: list[Value]) -> set[Value]:
    """Unlabelled number leaves that are constants of their op (a number exponent): they
    are written in the op (``x²``), not drawn.

    >>> x = Value(3.0, label="x")
    >>> [v.data for v in hidden_constants(topological_order(x ** 2))]
    [2.0]
    """
    hidden: set[Value] = set()
    used_elsewhere: set[Value] = set()
    for v in order:
        op = OPS.get(v.op)
        for i, p in enumerate(v.parents):
            if op is not None and i in op.constant_inputs and is_constant(p):
                hidden.add(p)
            else:
                used_elsewhere.add(p)
    return hidden - used_elsewhere


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
        if key is None and v.parents and not v.label:
            from_leaves = [found[p] for p in v.parents if not p.parents and found[p]]
            others = {found[p] for p in v.parents} - {None}
            key = from_leaves[0] if from_leaves else (others.pop() if len(others) == 1 else None)
        found[v] = key
    return found


def _node(v: Value, role: str, name: str, made_as: str, grad: float | None, fmt: str) -> _Node:
    if role == "constant":
        return _Node((style.escape(name),), role)
    lines = [f"<b>{style.escape(name)}</b>"]
    if made_as:
        lines.append(style.escape(f"= {made_as}"))
    lines.append(f"data {style.escape(number(v.data, fmt))}")
    if grad is not None:
        lines.append(f"grad {style.escape(number(grad, fmt))}")
    return _Node(tuple(lines), role)


def _made_as(v: Value, name_of: Mapping[Value, str], fmt: str) -> str:
    # What made a labelled computed Value, when that is short: "σ(z3)"; else its op.
    if not v.parents or not v.label:
        return ""
    text = expression_name(v, [name_of[p] for p in v.parents], fmt)
    op = OPS.get(v.op)
    if v.op == "dot" and op is not None and ("…" in text or len(text) > MAX_NAME):
        return op.symbol  # Σw·x+b says more than "… + …·… + …·…"
    return text


def _edge_lines(name: str, formula: str, value: str) -> list[str]:
    # "∂z1/∂w1", "= x1 = 2": a derivative over lines short enough to stay narrow; a
    # formula too long to read (a product along many folded ops) is left out.
    head = [name]
    cut = _fraction_bar(name)
    if len(name) > _FRACTION and cut:  # as a fraction: "∂(long child)/" over "∂parent"
        head = [name[: cut + 1], name[cut + 1 :]]
    if not formula or formula == value or len(formula) > _MAX_FORMULA:
        return [*head, f"= {value}"]
    rest = f"= {formula} = {value}"
    return [*head, rest] if len(rest) <= _LINE else [*head, f"= {formula}", f"= {value}"]


def _fraction_bar(name: str) -> int:
    # Where the "/" of ∂child/∂parent is: the first "/∂" outside brackets (0 if none).
    depth = 0
    for i, ch in enumerate(name):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and name.startswith("/∂", i):
            return i
    return 0


def _width(lines: Iterable[str]) -> float:
    plain = [re.sub(r"<[^>]+>", "", re.sub(r"&\w+;", "x", line)) for line in lines]
    return max((len(p) for p in plain), default=0) * _CHAR_WIDTH + 12


def _node_width(node: _Node, direction: str) -> float:
    rows = [_width(lines) for _, lines in node.inputs]
    if direction in ("TB", "BT"):
        return max(_width(node.lines), sum(rows))
    return max([_width(node.lines), *rows])


def choose_direction(order: list[Value], shown: Mapping[Value, _Node]) -> str:
    """"LR" or "TB": the direction whose estimated drawing is narrower (left to right on a
    tie, as the articles draw networks). Ranks are longest paths from the leaves, each leaf
    just before its first consumer, as Graphviz places them.

    >>> x = Value(0.3, label="x")
    >>> chain = x.sin().sin().sin().sin()
    >>> choose_direction(topological_order(chain), {v: _Node(("x",), "input") for v in
    ...                  topological_order(chain)})
    'TB'
    """
    rank: dict[Value, int] = {}
    for v in order:
        if v in shown:
            ranks = [rank[p] for p in v.parents if p in rank]
            rank[v] = 1 + max(ranks) if ranks else 0
    first_use: dict[Value, int] = {}
    for c in order:
        if c in rank:
            for p in c.parents:
                first_use[p] = min(first_use.get(p, rank[c]), rank[c])
    for v in shown:
        if not v.parents and v in first_use:
            rank[v] = first_use[v] - 1
    depth = max(rank.values(), default=0) + 1
    column, row = [0.0] * (depth + 1), [0.0] * (depth + 1)
    for v, node in shown.items():
        r = rank[v]
        column[r] = max(column[r], _node_width(node, "LR"))
        row[r] += _node_width(node, "TB") + 9
    left_to_right = sum(column) + 22 * depth
    return "LR" if left_to_right <= max(row) else "TB"


def _table(node: _Node, direction: str) -> str:
    # The node as an HTML-like table: the Value's own lines, then one row (left to right)
    # or one cell (top to bottom) per incoming derivative, each the port its edge enters.
    info = "<br/>".join(node.lines)
    own = f'<td port="{_OWN}">{info}</td>'
    across = direction in ("LR", "RL")  # arrows enter from a side: derivatives in rows
    cells = [
        f'<td port="{port}" bgcolor="{style.DERIVATIVE}" cellpadding="4" '
        f'sides="{"t" if across else "lrb"}" border="1">{"<br/>".join(lines)}</td>'
        for port, lines in node.inputs
    ]
    table = '<table border="0" cellborder="0" cellspacing="0" cellpadding="3">'
    if not cells:
        return f"<{table}<tr>{own}</tr></table>>"
    if across:
        body = f"<tr>{own}</tr>" + "".join(f"<tr>{c}</tr>" for c in cells)
    else:
        row = f"<tr>{''.join(cells)}</tr>"
        whole = f'<tr><td port="{_OWN}" colspan="{len(cells)}">{info}</td></tr>'
        body = row + whole if direction == "TB" else whole + row  # where the arrows come in
    return f"<{table}{body}</table>>"


@dataclass
class Plan:
    """What a drawing of the ops view holds, for pages that bring its numbers to life
    (`autograd.player`): node ids in topological order, each drawn node's lines, and the
    edges in the order they are drawn."""

    order: list[Value]
    ids: dict[Value, str]
    nodes: dict[Value, _Node]
    edges: list[tuple[Value, Value, str | None, int | None]]
    """parent, child, the port entered (None: none), the parent's index in the child (None
    for a collapsed edge)"""
    direction: str
    names: dict[Value, str]
    """each Value's name as drawn (a long label cut, `autograd.draw.style.shorten`)"""


def draw_ops(root: Value, **options: Any) -> style.Drawing:
    """The ops view of the graph ``root`` depends on (see `autograd.draw.draw`); its options
    are `plan_ops`'s.

    >>> w1, x1 = Value(0.5, label="w1"), Value(2.0, label="x1")
    >>> z = w1 * x1; z.label = "z"
    >>> "∂z/∂w1<br/>= x1 = 2" in draw_ops(z).source
    True
    """
    return plan_ops(root, **options)[0]


def plan_ops(
    root: Value,
    *,
    rankdir: str | None = None,
    fmt: str = FORMAT,
    grads: bool = True,
    edge_labels: bool = True,
    legend: bool = True,
    size: str | None = None,
    highlight: Value | Iterable[Value] | Step | None = None,
    path_from: Value | None = None,
    step: Step | None = None,
    group: bool | Callable[[Value], str | None] = False,
    max_nodes: int | None = MAX_NODES,
    collapse: bool = False,
) -> tuple[style.Drawing, Plan]:
    """The ops view of ``root`` (`draw_ops`) and its `Plan`.

    >>> x = Value(2.0, label="x")
    >>> drawing, plan = plan_ops(x.exp())
    >>> [plan.ids[v] for v in plan.order], plan.edges[0][2:]
    (['v0', 'v1'], ('d0', 0))
    """
    if rankdir not in (None, *_ENTRY_SIDE):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL', 'BT' or None (chosen), "
                         f"got {rankdir!r}")
    order = topological_order(root)
    hidden = hidden_constants(order)
    role_of = roles(order, root)
    if collapse:
        kept = [v for v in order if v is root or (v.label and v not in hidden)
                or role_of[v] in ("input", "parameter")]
    else:
        kept = [v for v in order if v not in hidden]
    if max_nodes is not None and len(kept) > max_nodes:
        hint = "pass max_nodes=None to draw it anyway"
        if not collapse:
            hint += ", or collapse=True to fold the unlabelled values between labelled ones"
        raise style.GraphTooLarge(
            f"the graph has {len(kept):,} values{' after collapsing' if collapse else ''}, "
            f"more than max_nodes={max_nodes:,}: too many to read as a drawing; {hint}"
        )
    full_name = names_map(order, fmt)
    # a long label is drawn cut (its whole is the node's tooltip): drawn whole, it would
    # stretch nodes and edges past what Graphviz lays out
    name_of = {v: style.shorten(name) for v, name in full_name.items()}
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    if isinstance(highlight, Step):
        step, highlight = highlight, None
    marked = ({highlight} if isinstance(highlight, Value)
              else set(highlight) if highlight is not None else set())
    if path_from is not None:
        marked |= depends_on(root, path_from)
    if step is not None and step.node not in name_of:
        raise ValueError(f"step {step.number} ({step.name}) is a step of another graph: draw "
                         "the root its backward_steps ran from")
    grad_at = step.grads() if step is not None else None

    shown: dict[Value, _Node] = {}
    for v in kept:
        grad = None
        if grads and role_of[v] != "constant":
            grad = grad_at[v] if grad_at is not None else v.grad
        shown[v] = _node(v, role_of[v], name_of[v], _made_as(v, name_of, fmt), grad, fmt)

    edges: list[tuple[Value, Value, str | None, int | None]] = []  # see Plan.edges
    if collapse:
        for child, factors in merged_factors(order, set(kept), name_of).items():
            for k, f in enumerate(factors):
                port = f"d{k}" if edge_labels else None
                if port:
                    lines = _edge_lines(f.name, f.formula, number(f.value, fmt))
                    shown[child].inputs.append((port, [style.escape(t) for t in lines]))
                edges.append((f.parent, child, port, None))
    else:
        for v in kept:
            for i, (p, local) in enumerate(zip(v.parents, v.local_grads)):
                if p in hidden:
                    continue
                port = None
                if edge_labels and role_of[p] != "constant":
                    port = f"d{i}"
                    formula = local_text(v, i, name_of, fmt, _LINE + 4)
                    lines = _edge_lines(derivative_name(name_of[v], name_of[p]), formula,
                                        number(local, fmt))
                    shown[v].inputs.append((port, [style.escape(t) for t in lines]))
                edges.append((p, v, port, i))
    direction = rankdir or choose_direction(order, shown)

    dot = style.Drawing(
        graph_attr={"rankdir": direction, "nodesep": "0.1", "ranksep": "0.3",
                    "fontname": style.FONT, "margin": "0.05"},
        node_attr={"fontname": style.FONT, "fontsize": str(style.NODE_FONT_SIZE),
                   "shape": "box", "margin": "0.04,0.02", "height": "0.3"},
        edge_attr={"arrowsize": "0.6"},
    )
    if size:
        dot.attr(size=size)
    style.quick_layout(dot, len(shown))
    finder = label_group if group is True else group or None
    groups = _groups(order, finder) if finder else {}
    statements: dict[str | None, list[tuple[str, dict[str, str]]]] = {}
    for v, node in shown.items():
        attrs = {"label": _table(node, direction), **style.role_attrs(node.role)}
        if node.role != "constant":
            attrs["style"] += ",rounded"
        if step is not None and v is step.node:
            attrs["fillcolor"] = style.STEP
        if v in marked:
            attrs.update(color=style.HIGHLIGHT, penwidth="2")
        attrs.update(style.tooltip(full_name[v]))
        statements.setdefault(groups.get(v), []).append((ids[v], attrs))
    _emit(dot, statements)
    side = _ENTRY_SIDE[direction]
    for parent, child, port, _ in edges:
        # an arrow enters its derivative's cell; one from a constant, the node's own cell
        edge = {"headport": f"{port}:{side}" if port else f"{_OWN}:{_OWN_SIDE[direction]}"}
        if step is not None and child is step.node:  # the gradient goes back, to the parent
            edge.update(color=style.HIGHLIGHT, penwidth="2", dir="back")
        elif parent in marked and child in marked:
            edge.update(color=style.HIGHLIGHT, penwidth="2")
        dot.edge(ids[parent], ids[child], **edge)
    if legend:
        used = [r for r in style.ROLES if r in {n.role for n in shown.values()}]
        if edge_labels:
            used.append("total" if collapse else "derivative")
        if step is not None:
            used.append("step")
        caption = (f"step {step.number}: {name_of[step.node]} sends its gradient to its "
                   "parents; every gradient shown is as of this step") if step else ""
        style.add_legend(dot, used, (caption,) if caption else ())
    return dot, Plan(order, ids, shown, edges, direction, name_of)


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
                c.attr(label=graphviz.escape(style.shorten(name)), style="rounded,dashed",
                       color="#999999", **style.tooltip(name))
                for key, attrs in statements.get(name, []):
                    c.node(key, **attrs)
                cluster(c, name, sub)

    cluster(dot, "", tree)
