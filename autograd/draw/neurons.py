"""The neurons view: a computation graph drawn as the network diagram of a textbook.

One node per input, one per neuron, one for the loss; one edge per weight. The neurons are
found in the graph itself, whatever built it: every ``dot`` node (``b + w1*x1 + ... + wn*xn``,
see `autograd.value.dot`) is a neuron's weighted sum z, and its activation a is the Value
made from that sum alone by an activation op (relu, sigmoid, tanh, ...), if there is one.
A neuron's layer is one more than the deepest layer its inputs come from (inputs are layer
0), so layers are read off the graph, not off the model that built it.

A neuron node shows its name, its activation function, z and a (data and gradient) and its
bias b; an input node its name, data and gradient; a weight edge the weight's name, data and
gradient ∂L/∂w. Each neuron whose output no other neuron reads has an edge into the loss.

A loss over several samples uses each weight in several ``dot`` nodes, one per sample. These
are grouped into one neuron by their weights and bias; the picture shows the numbers of one
sample (``sample=``, counted from 1 in order of appearance) and says so, and each weight
edge shows the weight's total gradient over all samples, its ``.grad``.

Nodes are named after their place in `autograd.graph.topological_order`, so the same graph
always gives the same DOT text. A name longer than `autograd.draw.style.MAX_LABEL` is drawn
cut, with an ellipsis; its node's (or weight edge's) tooltip holds it whole.

>>> from autograd import Value, dot
>>> x = Value(2.0, label="x1")
>>> w, b = Value(0.5, label="w1"), Value(0.1, label="b1")
>>> z = dot([w], [x], b); z.label = "z1"
>>> h = z.relu(); h.label = "h1"
>>> loss = (h - 1.0) ** 2; loss.label = "L"
>>> loss.backward()
>>> source = draw_neurons(loss).source
>>> "w1 = 0.5" in source and "∂L/∂w1 = 0.4" in source
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograd.draw.style import (
    EDGE_FONT_SIZE,
    FONT,
    NODE_FONT_SIZE,
    ROLES,
    Drawing,
    add_legend,
    escape,
    quick_layout,
    shorten,
    tooltip,
)
from autograd.graph import topological_order
from autograd.notation import (
    FORMAT,
    MAX_NAME,
    derivative_name,
    expression_name,
    names_map,
    number,
)
from autograd.ops import OPS
from autograd.value import Value

ACTIVATIONS = frozenset({"relu", "sigmoid", "tanh", "leaky_relu", "softplus"})
"""Ops that are a neuron's activation when applied to its weighted sum alone; the picture
names each by its symbol in the op table (ReLU, σ, tanh, ...)."""

PALETTE = ["#1b5e20", "#1a237e", "#4a148c", "#e65100", "#006064", "#880e4f", "#3e2723",
           "#827717"]
"""Edge colours, one per source node in turn, so that crossing edges can be followed: every
edge out of a node, and the frame of its weight label, has that node's colour."""

_GREY = "#555555"


@dataclass
class _Neuron:
    """One neuron: its ``dot`` node in each sample, in order, and the activation of each."""

    dots: list[Value]
    acts: list[Value | None]
    layer: int = 1
    node: str = ""  # its DOT node name
    name: str = ""  # what the picture calls it
    prefix: str = ""  # "layer1.neuron2" when its Values carry nn's labels
    is_output: bool = True  # no other neuron reads its output

    def shown(self, sample: int) -> tuple[Value, Value | None]:
        """The sum and activation of ``sample`` (1-based)."""
        k = min(sample, len(self.dots)) - 1
        return self.dots[k], self.acts[k]


@dataclass
class _Network:
    layers: list[list[_Neuron]]  # layer 1 first; neurons in order of first appearance
    inputs: dict[Value, str]  # the shown sample's inputs and their names
    output_of: dict[Value, _Neuron]  # a neuron's sum or activation -> that neuron
    samples: int


def _find_network(order: list[Value], sample: int) -> _Network:
    # The neurons, layers and inputs of a graph, from its dot nodes (see the module text).
    index = {v: i for i, v in enumerate(order)}
    activation: dict[Value, Value] = {}  # a sum -> the first activation made from it alone
    for v in order:
        if v.op in ACTIVATIONS and len(v.parents) == 1 and v.parents[0].op == "dot":
            activation.setdefault(v.parents[0], v)

    by_weights: dict[tuple[Value, ...], _Neuron] = {}  # weights and bias -> neuron
    output_of: dict[Value, _Neuron] = {}
    for d in order:
        if d.op != "dot":
            continue
        key = d.parents[0:-1:2] + d.parents[-1:]
        neuron = by_weights.setdefault(key, _Neuron([], []))
        act = activation.get(d)
        neuron.dots.append(d)
        neuron.acts.append(act)
        deepest = max((output_of[x].layer for x in d.parents[1:-1:2] if x in output_of),
                      default=0)
        neuron.layer = max(neuron.layer, deepest + 1)
        output_of[d] = neuron
        if act is not None:
            output_of[act] = neuron
    if not by_weights:
        raise ValueError(
            "the neurons view needs a graph built by nn layers (Neuron, Layer, MLP), whose "
            "weighted sums are 'dot' nodes, and this graph has none; draw it with "
            "view=\"ops\"")
    samples = max(len(n.dots) for n in by_weights.values())
    if isinstance(sample, bool) or not isinstance(sample, int) or not 1 <= sample <= samples:
        raise ValueError(f"sample must be a whole number from 1 to {samples} (the samples "
                         f"this graph holds), got {sample!r}")

    layers: list[list[_Neuron]] = [[] for _ in range(max(n.layer for n in by_weights.values()))]
    for n in by_weights.values():
        layers[n.layer - 1].append(n)
    for depth, members in enumerate(layers, 1):
        for j, n in enumerate(members, 1):
            d, act = n.shown(sample)
            n.node = f"v{index[n.dots[0]]}"
            n.prefix = _prefix(d, act)
            out = act if act is not None else d
            nn_label = n.prefix + (".a" if act is not None else ".z")
            own = out.label if out.label != nn_label else ""
            n.name = own or n.prefix or f"layer {depth}, neuron {j}"

    # Inputs: what the shown sums read that no neuron made, named in order of first use.
    inputs: dict[Value, str] = {}
    for d in sorted((n.shown(sample)[0] for n in by_weights.values()), key=index.__getitem__):
        for x in d.parents[1:-1:2]:
            source = output_of.get(x)
            if source is not None:
                source.is_output = False
            elif x not in inputs:
                inputs[x] = x.label or f"x{len(inputs) + 1}"
    return _Network(layers, inputs, output_of, samples)


def _prefix(dot: Value, act: Value | None) -> str:
    # The nn name of a neuron ("layer1.neuron2"): from the labels nn gives its sum and
    # activation (".z", ".a"), else from the one group its weights and bias are labelled in.
    for v, tail in ((act, ".a"), (dot, ".z")):
        if v is not None and v.label.endswith(tail) and len(v.label) > len(tail):
            return v.label[: -len(tail)]
    groups = {p.label.rpartition(".")[0] for p in dot.parents[0::2]}
    return groups.pop() if len(groups) == 1 and "" not in groups else ""


def _short(label: str, prefix: str, default: str) -> str:
    # A label inside its own neuron's node: "layer1.neuron2.b" is "b" there.
    if prefix and label.startswith(prefix + "."):
        return label[len(prefix) + 1:]
    return label or default


def _row(text: str, bgcolor: str = "", bold: bool = False, colour: str = "") -> str:
    # One table row of one cell; its text is escaped here.
    body = escape(text)
    if bold:
        body = f"<b>{body}</b>"
    if colour:
        body = f'<font color="{colour}">{body}</font>'
    fill = f' bgcolor="{bgcolor}"' if bgcolor else ""
    return f"<tr><td{fill}>{body}</td></tr>"


def _table(rows: list[str], **attrs: str) -> str:
    # An HTML-like label: a borderless table of ``rows`` unless ``attrs`` say otherwise.
    attrs = {"border": "0", "cellborder": "0", "cellspacing": "0", "cellpadding": "2",
             **attrs}
    return ("<<table" + "".join(f' {k}="{v}"' for k, v in attrs.items()) + ">"
            + "".join(rows) + "</table>>")


def draw_neurons(
    root: Value,
    *,
    fmt: str = FORMAT,
    grads: bool = True,
    legend: bool = True,
    size: str | None = None,
    sample: int = 1,
    computed: bool = True,
) -> Drawing:
    """Draw the network that computed ``root`` as a network diagram; returns a `Drawing`.

    Left to right: the inputs (green), the neurons layer by layer (white, their bias in
    blue), the loss ``root`` (gold). Each weight labels its edge in a blue frame: its name,
    value and gradient ∂L/∂w; the edges out of one node share a colour. A neuron is named by
    its activation's label (``h1``), else by nn's name for it (``layer1.neuron2``), else by
    its place (``layer 1, neuron 2``); inputs without a label are ``x1``, ``x2``, ... in
    order of first use.

    ``fmt`` is the number format; ``grads=False`` hides gradients; ``legend=False`` hides
    the legend; ``size`` is Graphviz's size in inches (``"10,8"``) for slides and big
    screens; ``sample`` picks whose numbers to show when ``root`` is a loss over several
    samples (weights then show their total gradient, and the picture says so).
    ``computed=False`` draws a blank exercise sheet: the given leaves (inputs, weights,
    biases) keep their numbers, every computed Value (each z and a, the loss) shows its
    name only (``z1 = ?``), and no gradient is shown.

    Raises ValueError when the graph has no weighted sums (``dot`` nodes): this view needs
    a graph built by nn's layers, and ``view="ops"`` draws any graph.

    >>> from autograd import dot
    >>> x = [Value(1.0, label="x1"), Value(-2.0, label="x2")]
    >>> hidden = [dot([Value(0.5), Value(w)], x, Value(0.1)).relu() for w in (0.25, -1.0)]
    >>> out = dot([Value(0.3), Value(0.7)], hidden, Value(0.0)).sigmoid()
    >>> loss = (out - 1.0) ** 2
    >>> loss.backward()
    >>> d = draw_neurons(loss)
    >>> edges = [line for line in d.body if " -> " in line and "invis" not in line]
    >>> len(edges)  # 2·2 + 2·1 weights, and one edge from the output neuron into the loss
    7
    >>> blank = draw_neurons(loss, computed=False, legend=False).source
    >>> "x1 = 1" in blank, "0.3" in blank, "= ?" in blank, "∂" in blank
    (True, True, True, False)
    >>> from autograd.notation import number
    >>> number(out.data) in blank or number(loss.data) in blank
    False
    """
    order = topological_order(root)
    index = {v: i for i, v in enumerate(order)}
    net = _find_network(order, sample)
    grads = grads and computed  # a blank sheet shows no gradient either

    # The root's name in every ∂root/∂v: its label, else "L" for a loss; a network's own
    # output, unlabelled or labelled by nn, is "out".
    root_neuron = net.output_of.get(root)
    if root_neuron is None:
        loss_name = root.label or "L"
    elif root.label and root.label not in (root_neuron.prefix + ".a", root_neuron.prefix + ".z"):
        loss_name = root.label
    else:
        loss_name = "out"
    loss_name = shorten(loss_name)  # every name is drawn cut to MAX_LABEL, whole in a tooltip

    def shown(v: Value) -> str:
        # A Value's number, or "?" for a computed one on a blank sheet.
        return number(v.data, fmt) if computed or not v.parents else "?"

    def lines(name: str, v: Value, bgcolor: str = "") -> list[str]:
        # A Value as a row with its number and, below, a row with its gradient.
        name = shorten(name)
        rows = [_row(f"{name} = {shown(v)}", bgcolor)]
        if grads:
            grad = f"{derivative_name(loss_name, name)} = {number(v.grad, fmt)}"
            rows.append(_row(grad, bgcolor))
        return rows

    dot = Drawing(
        graph_attr={"rankdir": "LR", "newrank": "true", "nodesep": "0.25", "ranksep": "0.2",
                    "fontname": FONT, "fontsize": str(NODE_FONT_SIZE)},
        node_attr={"fontname": FONT, "fontsize": str(NODE_FONT_SIZE), "shape": "box",
                   "style": "rounded,filled", "margin": "0.06,0.04"},
        edge_attr={"fontname": FONT, "fontsize": str(EDGE_FONT_SIZE), "arrowsize": "0.7",
                   "color": "#777777"},
    )
    if size is not None:
        dot.attr(size=size)
    parameter = ROLES["parameter"]["fillcolor"]

    # Each column is one rank, kept in order top to bottom by invisible edges.
    columns: list[list[tuple[str, str, str, dict[str, str]]]] = [[
        (f"v{index[x]}", _table(lines(name, x)), "input", tooltip(name))
        for x, name in net.inputs.items()]]
    for layer in net.layers:
        column = []
        for n in layer:
            d, act = n.shown(sample)
            z_name = loss_name if d is root else shorten(_short(d.label, n.prefix, "z"))
            rows = [_row(shorten(n.name), bold=True)]
            if act is not None:
                a_name = loss_name if act is root else shorten(_short(act.label, n.prefix, "a"))
                rows.append(_row(f"{a_name} = {OPS[act.op].symbol}({z_name})", colour=_GREY))
                rows += lines(z_name, d) + lines(a_name, act)
            else:
                rows.append(_row("linear (no activation)", colour=_GREY))
                rows += lines(z_name, d)
            bias = d.parents[-1]
            rows += lines(_short(bias.label, n.prefix, "b"), bias, parameter)
            whole = tooltip(n.name, d.label, act.label if act is not None else "", bias.label)
            column.append((n.node, _table(rows), "root" if n is root_neuron else "intermediate",
                           whole))
        columns.append(column)
    if root_neuron is None:
        rows = [_row(f"{loss_name} = {shown(root)}", bold=True)]
        if root.parents:
            name_of = names_map(order[:-1], fmt)
            made = expression_name(root, [name_of[p] for p in root.parents], fmt)
            # "= −log(1 − ŷ)" when that says something, else the op: "op: mul"
            telling = len(made) <= MAX_NAME and re.search(r"\w", made)
            rows.append(_row(f"= {made}" if telling else f"op: {root.op}", colour=_GREY))
        columns.append([(f"v{index[root]}", _table(rows), "root", tooltip(root.label))])
    quick_layout(dot, sum(len(column) for column in columns))
    for k, column in enumerate(columns):
        with dot.subgraph(name=f"rank{k}") as rank:
            rank.attr(rank="same")
            for node, label, role, whole in column:
                rank.node(node, label=label, fillcolor=ROLES[role]["fillcolor"],
                          color=ROLES[role]["color"], **whole)
            for (above, *_), (below, *_) in zip(column, column[1:]):
                rank.edge(above, below, style="invis")

    # One edge per weight, from the node its input comes from; then the outputs to the loss.
    colour_of: dict[str, str] = {}
    for layer in net.layers:
        for n in layer:
            d, _ = n.shown(sample)
            for k in range(0, len(d.parents) - 1, 2):
                w, x = d.parents[k], d.parents[k + 1]
                source = net.output_of.get(x)
                tail = source.node if source is not None else f"v{index[x]}"
                colour = colour_of.setdefault(tail, PALETTE[len(colour_of) % len(PALETTE)])
                label = _table(lines(w.label or f"w{k // 2 + 1}", w), bgcolor=parameter,
                               color=colour, border="1", cellpadding="3")
                whole = tooltip(w.label)
                if whole:
                    whole["labeltooltip"] = whole["tooltip"]
                dot.edge(tail, n.node, label=label, color=colour, decorate="true", **whole)
    if root_neuron is None:
        for layer in net.layers:
            for n in layer:
                if n.is_output:
                    dot.edge(n.node, f"v{index[root]}")

    notes: list[str] = []
    if net.samples > 1:
        notes.append(f"values of sample {sample} of {net.samples};")
        if grads:
            notes.append("weights and biases show their total gradient "
                         f"{derivative_name(loss_name, 'w')}"
                         " over all samples")
    if legend:
        edge = "arrow: a weight w, its value" + (
            f" and {derivative_name(loss_name, 'w')}" if grads else "") + (
            "; its colour is that of the node it leaves")
        roles = ["input", "parameter", "intermediate", "root"]
        if all(n is root_neuron for layer in net.layers for n in layer):
            roles.remove("intermediate")
        blank = () if computed else ("?: a value to work out",)
        add_legend(dot, roles, ("neuron: z = Σ w·x + b, then its activation a", edge, *blank,
                                *notes))
    elif notes:
        dot.attr(label=_table([_row(line) for line in notes]), labelloc="b", labeljust="l")
    return dot
