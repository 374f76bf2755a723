"""The neurons view (`autograd.draw.neurons`): the network diagram, checked in the SVG that
``dot`` renders (nodes, edges and every number shown) and, for the articles' networks, in
Chromium at a notebook cell's width (every text readable, none overlapping)."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import browser
import pytest

from autograd import Value, dot
from autograd.draw.neurons import draw_neurons
from autograd.graph import topological_order
from autograd.notation import number
from nn import MLP
from nn.examples import (
    five_input_forward,
    simplenn_forward,
    squared_error_forward,
    student_forward,
)
from nn.losses import bce

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ["</text><script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&", 'a"b\'c']


@dataclass
class Picture:
    """The rendered SVG: each node's and each edge's texts, by their ``<title>``."""

    root: ET.Element
    nodes: dict[str, list[str]]  # node name -> its texts, top to bottom
    edges: list[tuple[str, str, list[str]]]  # (tail, head, texts of its label)

    @property
    def texts(self) -> list[str]:
        return [t.text or "" for t in self.root.iter(f"{SVG}text")]

    def node_with(self, text: str) -> str:
        """The one node showing ``text``."""
        found = [name for name, texts in self.nodes.items() if text in texts]
        assert len(found) == 1, f"{text!r} is shown by nodes {found}"
        return found[0]

    def edge_with(self, text: str) -> tuple[str, str, list[str]]:
        """The one edge whose label shows ``text``."""
        found = [e for e in self.edges if text in e[2]]
        assert len(found) == 1, f"{text!r} is shown by edges {found}"
        return found[0]

    def x(self, text: str) -> float:
        """Where the (first) text ``text`` is drawn, left to right."""
        return next(float(t.attrib["x"]) for t in self.root.iter(f"{SVG}text") if t.text == text)


def picture(root: Value, **options: object) -> Picture:
    svg = ET.fromstring(draw_neurons(root, **options).pipe(format="svg"))  # type: ignore[arg-type]
    nodes: dict[str, list[str]] = {}
    edges = []
    for g in svg.iter(f"{SVG}g"):
        title = g.findtext(f"{SVG}title") or ""
        texts = [t.text or "" for t in g.iter(f"{SVG}text")]
        if g.get("class") == "node":
            nodes[title] = texts
        elif g.get("class") == "edge":
            tail, head = title.split("->")
            edges.append((tail, head, texts))
    return Picture(svg, nodes, edges)


def shown(name: str, v: Value, loss: str = "L") -> list[str]:
    """The two lines a Value is shown with: its number and its gradient."""
    return [f"{name} = {number(v.data)}", f"∂{loss}/∂{name} = {number(v.grad)}"]


def forward(make: Callable[[], dict[str, Value]], loss: str) -> dict[str, Value]:
    net = make()
    net[loss].backward()
    return net


# ---- the network's shape -------------------------------------------------------------------


def test_student_network_one_node_per_input_neuron_and_loss_one_edge_per_weight():
    net = forward(student_forward, "L")
    pic = picture(net["L"])
    assert len(pic.nodes) == 2 + 3 + 1
    assert len(pic.edges) == 6 + 1  # w1..w6, then ŷ into the loss
    x1, x2 = pic.node_with("x1 = 2"), pic.node_with("x2 = 5")
    h1, h2, y, loss = (pic.node_with(t) for t in ("h1", "h2", "ŷ", "L = 1.002"))
    ends = {(e[0], e[1]) for e in pic.edges}
    assert ends == {(x1, h1), (x2, h1), (x1, h2), (x2, h2), (h1, y), (h2, y), (y, loss)}
    # w1: x1 -> h1, w2: x2 -> h1, w3: x1 -> h2, w4: x2 -> h2, w5: h1 -> ŷ, w6: h2 -> ŷ
    for w, tail, head in [("w1", x1, h1), ("w2", x2, h1), ("w3", x1, h2), ("w4", x2, h2),
                          ("w5", h1, y), ("w6", h2, y)]:
        edge = pic.edge_with(f"{w} = {number(net[w].data)}")
        assert edge[:2] == (tail, head), w
    assert [e[2] for e in pic.edges if e[1] == loss] == [[]]  # unlabelled, from ŷ


@pytest.mark.parametrize("sizes", [[4, 2, 1], [3, 3], [1]])
def test_counts_follow_the_shape_of_an_mlp(sizes):
    model = MLP(3, sizes, rng=random.Random(1))
    out = model([Value(0.5), Value(-1.0), Value(2.0)])
    outs = out if isinstance(out, list) else [out]
    loss = sum(((o - 1.0) ** 2 for o in outs), Value(0.0))
    loss.backward()
    pic = picture(loss)
    widths = [3, *sizes]
    weights = sum(a * b for a, b in zip(widths, widths[1:]))
    assert len(pic.nodes) == 3 + sum(sizes) + 1
    assert len(pic.edges) == weights + sizes[-1]


@pytest.mark.parametrize("make, loss, nodes, edges", [
    (simplenn_forward, "L", 2 + 3 + 1, 6 + 1),
    (squared_error_forward, "E", 2 + 4 + 1, 8 + 2),
    (five_input_forward, "L", 5 + 5 + 1, 10 + 4 + 2 + 1),
])
def test_counts_for_the_articles_networks(make, loss, nodes, edges):
    pic = picture(forward(make, loss)[loss])
    assert (len(pic.nodes), len(pic.edges)) == (nodes, edges)


def test_layers_run_left_to_right():
    pic = picture(forward(student_forward, "L")["L"])
    assert pic.x("x1 = 2") < pic.x("h1") < pic.x("ŷ") < pic.x("L = 1.002")
    assert pic.x("h1") == pytest.approx(pic.x("h2"), abs=1)  # one layer, one column


def test_a_layer_is_one_more_than_the_deepest_layer_it_reads():
    # n3 reads an input and n2's output; n2 reads n1's: layers 1, 2, 3 whatever the order.
    def neuron(ws: list[Value], xs: list[Value], b: Value, label: str) -> Value:
        out = dot(ws, xs, b).tanh()
        out.label = label
        return out

    x = Value(1.0, label="x")
    p = [Value(0.1 * i, label=f"p{i}") for i in range(1, 8)]
    a1 = neuron([p[0]], [x], p[1], "n1")
    a2 = neuron([p[2]], [a1], p[3], "n2")
    a3 = neuron([p[4], p[5]], [x, a2], p[6], "n3")
    a3.backward()
    pic = picture(a3)
    assert pic.x("x = 1") < pic.x("n1") < pic.x("n2") < pic.x("n3")
    assert pic.edge_with("p5 = 0.5")[:2] == (pic.node_with("x = 1"), pic.node_with("n3"))


# ---- the numbers -----------------------------------------------------------------------------


def test_every_number_shown_is_the_values_own():
    net = forward(student_forward, "L")
    pic = picture(net["L"])
    for x in ("x1", "x2"):
        assert pic.nodes[pic.node_with(f"{x} = {number(net[x].data)}")] == shown(x, net[x])
    for z, a, b, act in [("z1", "h1", "b1", "ReLU"), ("z2", "h2", "b2", "ReLU"),
                         ("z3", "ŷ", "b3", "σ")]:
        texts = pic.nodes[pic.node_with(a)]
        assert texts == [a, f"{a} = {act}({z})", *shown(z, net[z]),
                         *shown(a, net[a.replace("ŷ", "y_hat")]), *shown(b, net[b])]
    for w in ("w1", "w2", "w3", "w4", "w5", "w6"):
        assert pic.edge_with(f"{w} = {number(net[w].data)}")[2] == shown(w, net[w])
    loss = pic.nodes[pic.node_with("L = 1.002")]
    assert any("log" in t and "ŷ" in t for t in loss[1:])  # what the loss is made from


def test_numbers_match_the_article():
    pic = picture(forward(student_forward, "L")["L"])
    for text in ("z1 = 0.8", "h1 = 0.8", "z2 = 1.1", "z3 = 0.545", "ŷ = 0.633", "w1 = 0.6",
                 "∂L/∂w1 = 0.4431", "∂L/∂z3 = 0.633"):
        assert text in pic.texts


def test_linear_neurons_and_nn_labels_are_named_by_their_neuron():
    model = MLP.from_weights([([[1.0, 2.0]], [0.5]), ([[3.0]], [0.25])])  # relu, linear
    loss = (model([Value(1.0), Value(1.0)]) - 1.0) ** 2
    loss.backward()
    pic = picture(loss)
    last = pic.nodes[pic.node_with("layer2.neuron1")]
    assert "linear (no activation)" in last
    # z = 3·3.5 + 0.25 = 10.75, L = (z - 1)², ∂L/∂z = 2·9.75 = 19.5
    assert last[2:] == ["z = 10.75", "∂L/∂z = 19.5", "b = 0.25", "∂L/∂b = 19.5"]
    first = pic.nodes[pic.node_with("layer1.neuron1")]
    assert first[1:4] == ["a = ReLU(z)", "z = 3.5", "∂L/∂z = 58.5"]
    assert pic.edge_with("layer2.neuron1.w1 = 3")[2][1] == "∂L/∂layer2.neuron1.w1 = 68.25"


def test_unlabelled_inputs_are_told_apart_by_identity_and_named_in_order_of_first_use():
    # Numbers given to dot() become a fresh leaf in every neuron: four inputs here.
    w = [Value(v) for v in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)]
    b = [Value(0.0), Value(0.0), Value(0.0)]
    h1 = dot(w[0:2], [1.0, 2.0], b[0]).relu()
    h2 = dot(w[2:4], [1.0, 2.0], b[1]).relu()
    loss = (dot(w[4:6], [h1, h2], b[2]) - 1.0) ** 2
    loss.backward()
    pic = picture(loss)
    assert len(pic.nodes) == 4 + 3 + 1 and len(pic.edges) == 6 + 1
    for i, data in enumerate([1, 2, 1, 2], 1):
        assert f"x{i} = {data}" in pic.texts
    assert pic.edge_with("w1 = 0.3")[0] == pic.node_with("x3 = 1")  # h2's first input
    assert pic.node_with("layer 1, neuron 2") == pic.edge_with("w1 = 0.3")[1]
    assert "layer 2, neuron 1" in pic.texts


def test_a_model_called_on_numbers_shows_each_distinct_input_once():
    model = MLP(2, [3, 1], rng=random.Random(2))
    loss = (model([1.0, 2.0]) - 1.0) ** 2
    loss.backward()
    order = topological_order(loss)
    sums = [v for v in order if v.op == "dot"]
    made = set(sums) | {v for v in order if len(v.parents) == 1 and v.parents[0] in sums}
    inputs = {x for d in sums for x in d.parents[1:-1:2] if x not in made}
    pic = picture(loss)
    assert len(pic.nodes) == len(inputs) + 4 + 1
    assert len(pic.edges) == 2 * 3 + 3 + 1


def test_a_network_output_as_root_has_no_loss_node():
    net = forward(student_forward, "L")
    net["y_hat"].grad = 0.0
    y = net["y_hat"]
    y.backward()
    pic = picture(y)
    assert len(pic.nodes) == 2 + 3 and len(pic.edges) == 6
    assert "∂ŷ/∂ŷ = 1" in pic.texts and f"∂ŷ/∂w5 = {number(net['w5'].grad)}" in pic.texts


# ---- several samples -------------------------------------------------------------------------


def _batch() -> tuple[MLP, list[list[Value]], Value]:
    model = MLP(2, [3, 1], output_activation="sigmoid", rng=random.Random(0))
    xs = [[Value(a, label="x1"), Value(b, label="x2")]
          for a, b in [(1.0, 2.0), (-1.5, 0.5), (0.3, -0.2)]]
    loss = bce([model(x) for x in xs], [1, 0, 1])
    loss.backward()
    return model, xs, loss


def test_several_samples_show_one_sample_and_say_which():
    model, xs, loss = _batch()
    pic = picture(loss, sample=2)
    assert len(pic.nodes) == 2 + 4 + 1 and len(pic.edges) == 2 * 3 + 3 + 1
    assert pic.nodes[pic.node_with("x1 = -1.5")][0] == "x1 = -1.5"
    assert "x1 = 1" not in pic.texts  # sample 1's input is not drawn
    assert "values of sample 2 of 3;" in pic.texts
    assert any("total gradient" in t for t in pic.texts)
    neuron = model.layers[0].neurons[0]
    z = neuron.b.data + sum(w.data * x.data for w, x in zip(neuron.w, xs[1]))
    first = pic.nodes[pic.node_with("layer1.neuron1")]
    assert f"z = {number(z)}" in first


def test_several_samples_weights_show_their_total_gradient():
    model, xs, loss = _batch()
    pic = picture(loss, sample=2)
    totals = {p.label: p.grad for p in model.parameters()}
    model.zero_grad()
    bce([model(xs[1])], [0]).backward()  # sample 2 alone
    alone = {p.label: p.grad for p in model.parameters()}
    for w in model.layers[0].neurons[0].w + model.layers[1].neurons[0].w:
        assert number(totals[w.label]) != number(alone[w.label])
        label = pic.edge_with(f"{w.label} = {number(w.data)}")[2]
        assert label[1] == f"∂L/∂{w.label} = {number(totals[w.label])}"


def test_several_samples_caption_stays_without_the_legend_and_samples_are_checked():
    _, _, loss = _batch()
    pic = picture(loss, sample=3, legend=False)
    assert "values of sample 3 of 3;" in pic.texts and "input (data)" not in pic.texts
    for bad in (0, 4):
        with pytest.raises(ValueError, match="from 1 to 3"):
            draw_neurons(loss, sample=bad)


# ---- options, errors, safety, determinism, speed --------------------------------------------


def test_a_graph_without_neurons_asks_for_the_ops_view():
    with pytest.raises(ValueError, match=r"nn layers.*view=\"ops\""):
        draw_neurons((Value(2.0, label="x") * 3).tanh())


def test_grads_false_hides_every_gradient_and_legend_false_the_legend():
    pic = picture(forward(student_forward, "L")["L"], grads=False, legend=False)
    assert pic.texts and not [t for t in pic.texts if "∂" in t]
    assert "w1 = 0.6" in pic.texts and "input (data)" not in pic.texts
    assert "input (data)" in picture(forward(student_forward, "L")["L"]).texts


def test_size_is_passed_to_graphviz():
    loss = forward(five_input_forward, "L")["L"]
    assert 'size="4,3"' in draw_neurons(loss, size="4,3").source
    width = picture(loss, size="4,3").root.attrib["width"]
    assert float(width.removesuffix("pt")) <= 4 * 72 + 1


def test_hostile_labels_show_literally():
    net = student_forward()
    net["x1"].label, net["w1"].label, net["h1"].label = HOSTILE[0], HOSTILE[1], HOSTILE[3]
    net["L"].label = HOSTILE[2]
    net["L"].backward()
    pic = picture(net["L"])
    assert not list(pic.root.iter(f"{SVG}script")) and not list(pic.root.iter(f"{SVG}img"))
    assert f"{HOSTILE[0]} = 2" in pic.texts
    assert f"{HOSTILE[1]} = 0.6" in pic.texts
    assert HOSTILE[3] in pic.texts  # the neuron's name
    assert f"{HOSTILE[2]} = 1.002" in pic.texts
    assert any(t.startswith(f"∂{HOSTILE[2]}/∂") for t in pic.texts)


def test_dot_text_is_deterministic():
    first = draw_neurons(forward(five_input_forward, "L")["L"]).source
    again = draw_neurons(forward(five_input_forward, "L")["L"]).source
    assert first == again
    _, _, loss = _batch()
    assert draw_neurons(loss, sample=2).source == draw_neurons(loss, sample=2).source
    assert draw_neurons(loss, sample=2).source != draw_neurons(loss, sample=1).source


def test_a_16_16_1_network_is_drawn_whole():
    # its render time is measured in benchmarks/draw_time.py, not here
    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    loss = (model([Value(1.0), Value(-0.5)]) - 1.0) ** 2
    loss.backward()
    svg = draw_neurons(loss).pipe(format="svg")
    root = ET.fromstring(svg)
    classes = [g.get("class") for g in root.iter(f"{SVG}g")]
    assert classes.count("node") == 2 + 33 + 1
    assert classes.count("edge") == 2 * 16 + 16 * 16 + 16 + 1


# ---- in the browser --------------------------------------------------------------------------

EXAMPLES = {
    "student": (student_forward, "L"),
    "simplenn": (simplenn_forward, "L"),
    "squared_error": (squared_error_forward, "E"),
    "five_input": (five_input_forward, "L"),
}


@pytest.fixture(scope="module")
def page():
    assert browser.available(), f"Chromium is needed at {browser.CHROMIUM} for this test"
    with browser.page() as pg:
        yield pg


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_articles_networks_are_readable_in_a_notebook_cell(page, name):
    make, loss = EXAMPLES[name]
    svg = draw_neurons(forward(make, loss)[loss]).pipe(format="svg")
    m = browser.measure_svg(page, svg)
    assert len(m.texts) > 20
    assert m.width <= browser.CELL_WIDTH + 0.5
    assert m.smallest.size >= browser.MIN_FONT_PX, (m.natural_width, m.smallest)
    assert m.overlaps() == []
