"""micrograd's and its lecture's names on `Value`: ``_prev``, ``_op``, ``_backward()``, the
constructor ``Value(data, _children, _op, label)`` and ``draw_dot``.

Code is written here the way the lecture writes it (labels set after the op, gradients
pushed node by node by hand, a drawing built on ``_prev`` and ``_op``), and its numbers
are checked against PyTorch in float64 and against micrograd's own engine.
"""

from __future__ import annotations

import math
import random
import re

import browser
import graphviz
import micrograd.engine as micrograd_engine
import micrograd.nn as micrograd_nn
import pytest
import torch

import nn
from autograd import Value, draw_dot, no_grad

SIGNATURE = "Value(data, _children=(), _op='', label='')"
BIAS = 6.8813735870195432  # makes the neuron's output tanh(n) exactly 1/√2


def close(ours: float, theirs: float, tol: float = 1e-12) -> bool:
    """Within ``tol``, relative to the larger number (absolute below 1)."""
    return abs(ours - theirs) <= tol * max(1.0, abs(ours), abs(theirs))


# ---- the lecture's tanh neuron ----------------------------------------------------------------

def tanh_neuron() -> dict[str, Value]:
    """The two-input neuron, each Value labelled after the op that made it."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(BIAS, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "x1w1": x1w1, "x2w2": x2w2,
            "s": s, "n": n, "o": o}


def torch_neuron() -> tuple[dict[str, float], dict[str, float]]:
    """The same neuron in PyTorch float64: every node's data and gradient."""
    def leaf(x: float) -> torch.Tensor:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    t = {"x1": leaf(2.0), "x2": leaf(0.0), "w1": leaf(-3.0), "w2": leaf(1.0), "b": leaf(BIAS)}
    t["x1w1"] = t["x1"] * t["w1"]
    t["x2w2"] = t["x2"] * t["w2"]
    t["s"] = t["x1w1"] + t["x2w2"]
    t["n"] = t["s"] + t["b"]
    t["o"] = torch.tanh(t["n"])
    for name in ("x1w1", "x2w2", "s", "n", "o"):
        t[name].retain_grad()
    t["o"].backward()
    data = {k: v.item() for k, v in t.items()}
    grads = {k: v.grad.item() for k, v in t.items()}
    return data, grads


def test_pushing_gradients_by_hand_node_by_node_gives_torchs_numbers():
    v = tanh_neuron()
    data, grads = torch_neuron()
    assert all(close(v[k].data, data[k]) for k in v)
    assert all(node.grad == 0.0 for node in v.values())
    v["o"].grad = 1.0
    # each step fills its parents' gradients; nothing further up has one yet
    steps = [("o", ["n"]), ("n", ["s", "b"]), ("b", []), ("s", ["x1w1", "x2w2"]),
             ("x2w2", ["x2", "w2"]), ("x1w1", ["x1", "w1"]),
             ("x1", []), ("w1", []), ("x2", []), ("w2", [])]
    done = {"o"}
    for name, filled in steps:
        v[name]._backward()
        done |= set(filled)
        for k, node in v.items():
            if k in done:
                assert close(node.grad, grads[k]), (name, k, node.grad, grads[k])
            else:
                assert node.grad == 0.0, (name, k)
    assert close(v["n"].grad, 1 - v["o"].data ** 2)
    assert [v[k].grad for k in ("x1", "w1", "x2", "w2")] == pytest.approx(
        [-1.5, 1.0, 0.5, 0.0], abs=1e-12)


def test_backward_gives_the_same_numbers_as_the_hand_steps():
    by_hand, called = tanh_neuron(), tanh_neuron()
    by_hand["o"].grad = 1.0
    for name in ("o", "n", "s", "x1w1", "x2w2"):
        by_hand[name]._backward()
    called["o"].backward()
    assert {k: v.grad for k, v in by_hand.items()} == {k: v.grad for k, v in called.items()}


# ---- a drawing written on _prev and _op, as the lecture writes one ----------------------------

def walk(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """Every Value ``root`` depends on, and one edge per (parent, child) in ``_prev``."""
    nodes: list[Value] = []
    edges: list[tuple[Value, Value]] = []
    seen: set[Value] = set()
    todo = [root]
    while todo:
        v = todo.pop()
        if v in seen:
            continue
        seen.add(v)
        nodes.append(v)
        for parent in v._prev:
            edges.append((parent, v))
            todo.append(parent)
    return nodes, edges


def own_draw_dot(root: Value) -> graphviz.Digraph:
    """A record node per Value, an op node per result, edges parent -> op -> result."""
    nodes, edges = walk(root)
    name = {v: f"n{i}" for i, v in enumerate(nodes)}
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for v in nodes:
        dot.node(name[v], label=f"{{ {v.label} | data {v.data:.4f} | grad {v.grad:.4f} }}",
                 shape="record")
        if v._op:
            dot.node(name[v] + "_op", label=v._op)
            dot.edge(name[v] + "_op", name[v])
    for parent, child in edges:
        dot.edge(name[parent], name[child] + "_op")
    return dot


def test_a_drawing_built_on_prev_and_op_has_the_lectures_nodes_and_edges():
    v = tanh_neuron()
    v["o"].backward()
    source = own_draw_dot(v["o"]).source
    records = re.findall(r"^\s*(n\d+) \[label=\"\{ (.*?) \| data (\S+) \| grad (\S+) \}\"",
                         source, re.M)
    ops = re.findall(r"^\s*(n\d+)_op \[label=\"?([^\"\]]+)\"?\]", source, re.M)
    edges = re.findall(r"^\s*(n\d+(?:_op)?) -> (n\d+(?:_op)?)\s*$", source, re.M)
    assert sorted(label for _, label, _, _ in records) == sorted(x.label for x in v.values())
    by_label = {label: (float(d), float(g)) for _, label, d, g in records}
    assert by_label["o"] == (0.7071, 1.0) and by_label["x1"] == (2.0, -1.5)
    assert sorted(op for _, op in ops) == ["*", "*", "+", "+", "tanh"]
    # one edge from each op node to its result, one from each parent to the op node
    into_ops = [e for e in edges if e[1].endswith("_op")]
    out_of_ops = [e for e in edges if e[0].endswith("_op")]
    assert len(out_of_ops) == 5 and all(op == result + "_op" for op, result in out_of_ops)
    assert len(into_ops) == 2 + 2 + 2 + 2 + 1
    name_of = {label: name for name, label, _, _ in records}
    assert (name_of["b"], name_of["n"] + "_op") in into_ops
    assert (name_of["n"], name_of["o"] + "_op") in into_ops
    assert b"<svg" in own_draw_dot(v["o"]).pipe(format="svg")  # dot reads it


def test_prev_is_a_set_and_merges_the_two_edges_of_a_times_a():
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    square = a * a
    assert isinstance(square._prev, set) and square._prev == {a} and square.parents == (a, a)
    assert (a * b)._prev == {a, b} and a._prev == set()
    assert (a ** 2)._prev == {a}  # the exponent is a number, no parent in micrograd
    theirs = micrograd_engine.Value(3.0)
    assert len((theirs * theirs)._prev) == 1 and len((theirs ** 2)._prev) == 1
    _, edges = walk(square)
    assert edges == [(a, square)]


# ---- reuse, against torch ---------------------------------------------------------------------

def topological(root: Value) -> list[Value]:
    """Parents before children, found through ``_prev`` (without recursion)."""
    order: list[Value] = []
    seen: set[Value] = set()
    todo: list[tuple[Value, bool]] = [(root, False)]
    while todo:
        v, expanded = todo.pop()
        if expanded:
            order.append(v)
        elif v not in seen:
            seen.add(v)
            todo.append((v, True))
            todo.extend((p, False) for p in v._prev)
    return order


def by_hand(root: Value) -> None:
    """The lecture's backward: seed 1, then `_backward` on each node, last made first."""
    root.grad = 1.0
    for v in reversed(topological(root)):
        v._backward()


def test_a_value_used_twice_gets_both_contributions():
    a = Value(3.0, label="a")
    b = a + a
    by_hand(b)
    ta = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    (ta + ta).backward()
    assert a.grad == ta.grad.item() == 2.0


@pytest.mark.parametrize("run", [by_hand, Value.backward], ids=["by hand", "backward()"])
def test_a_diamond_matches_torch(run):
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    d = a * b
    d.label = "d"
    e = a + b
    e.label = "e"
    f = d * e
    f.label = "f"
    run(f)
    ta, tb = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (-2.0, 3.0))
    td, te = ta * tb, ta + tb
    tf = td * te
    td.retain_grad()
    te.retain_grad()
    tf.backward()
    assert f.data == tf.item() == -6.0
    for ours, theirs in [(a, ta), (b, tb), (d, td), (e, te)]:
        assert close(ours.grad, theirs.grad.item()), (ours.label, ours.grad)


# ---- _op --------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, symbol", [
    (lambda a, b: a + b, "+"),
    (lambda a, b: a * b, "*"),
    (lambda a, b: a.tanh(), "tanh"),
    (lambda a, b: a.exp(), "exp"),
    (lambda a, b: a ** 2, "**2"),
    (lambda a, b: a.relu(), "ReLU"),
    (lambda a, b: b ** -1, "**-1"),
    (lambda a, b: a * b ** -1, "*"),
    (lambda a, b: a + 1, "+"),
    (lambda a, b: 2 * a, "*"),
    (lambda a, b: a, ""),
])
def test_op_is_micrograds_symbol(make, symbol):
    assert make(Value(0.5), Value(-4.0))._op == symbol


def test_division_written_as_a_power_has_micrograds_symbols_on_both_nodes():
    a, b = Value(0.5), Value(-4.0)
    q = a * b ** -1
    inverse = next(p for p in q._prev if p is not a)
    assert (q._op, inverse._op, inverse._prev == {b}) == ("*", "**-1", True)
    mg_a, mg_b = micrograd_engine.Value(0.5), micrograd_engine.Value(-4.0)
    mg_q = mg_a * mg_b ** -1
    mg_inverse = next(p for p in mg_q._prev if p is not mg_a)
    assert (mg_q._op, mg_inverse._op) == (q._op, inverse._op)
    for v in (mg_a, mg_a + mg_b, mg_a * mg_b, mg_a ** 2, mg_a.relu()):
        ours = {"": a, "+": a + b, "*": a * b, "**2": a ** 2, "ReLU": a.relu()}[v._op]
        assert ours._op == v._op


# ---- the constructor --------------------------------------------------------------------------

@pytest.mark.parametrize("build", [
    lambda a, b: Value(a.data * b.data, (a, b), "*", "c"),
    lambda a, b: Value(data=a.data * b.data, _children=(a, b), _op="*", label="c"),
    lambda a, b: Value(a.data * b.data, _children=[a, b], _op="*", label="c"),
], ids=["positional", "keywords", "a list of children"])
def test_the_constructor_records_an_op_by_its_symbol(build):
    a, b = Value(1.5, label="a"), Value(-0.4, label="b")
    c = build(a, b)
    assert (c.label, c.op, c.parents, c.local_grads) == ("c", "mul", (a, b), (-0.4, 1.5))
    assert c._op == "*" and c._prev == {a, b}
    # a lecture-style op of one's own: tanh written out, its local derivative recorded
    t = math.tanh(c.data + a.data)
    s = Value(c.data + a.data, (c, a), "+")
    out = Value(t, (s,), "tanh", label="out")
    sq = Value(out.data ** 2, (out,), "**2")
    sq.backward()
    ta, tb = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (1.5, -0.4))
    (torch.tanh(ta * tb + ta) ** 2).backward()
    assert close(a.grad, ta.grad.item()) and close(b.grad, tb.grad.item())
    assert a.grad != 0.0


def test_the_constructor_keeps_micrograds_simple_forms():
    assert (Value(2).data, Value(2.0, label="x").label, Value(2.0, ()).parents) == (2.0, "x", ())
    with no_grad():
        assert Value(6.0, (Value(2.0), Value(3.0)), "*").parents == ()


@pytest.mark.parametrize("call, cause", [
    (lambda a: Value(1.0, label=("a",)), "label must be a str"),
    (lambda a: Value(1.0, "a"), "pass a label by name"),
    (lambda a: Value(1.0, (a, a)), "needs _op"),
    (lambda a: Value(1.0, (), "+"), "needs _children"),
    (lambda a: Value(1.0, (a,), "sqrtish"), "names no op"),
    (lambda a: Value(1.0, (a, 2.0), "+"), "make a number a Value first"),
])
def test_misuse_is_a_type_error_naming_micrograds_signature(call, cause):
    with pytest.raises(TypeError) as info:
        call(Value(1.0))
    text = str(info.value)
    assert cause in text and SIGNATURE in text and "\n" not in text


# ---- draw_dot ---------------------------------------------------------------------------------

def test_draw_dot_renders_a_png_top_to_bottom(tmp_path):
    v = tanh_neuron()
    v["o"].backward()
    dot = draw_dot(v["o"], format="png", rankdir="TB")
    assert isinstance(dot, graphviz.Digraph) and dot.format == "png"
    assert re.search(r"rankdir=\"?TB\"?", dot.source)
    path = dot.render(str(tmp_path / "neuron"))
    assert path.endswith(".png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_draw_dot_writes_an_svg_by_default_left_to_right(tmp_path):
    dot = draw_dot(Value(2.0, label="x").tanh())
    assert re.search(r"rankdir=\"?LR\"?", dot.source) and dot.format == "svg"
    path = dot.render(str(tmp_path / "gout"))
    assert path.endswith("gout.svg") and "<svg" in open(path, encoding="utf-8").read()
    with pytest.raises(ValueError, match="format must be one of Graphviz's"):
        draw_dot(Value(2.0), format="pgn")


def test_draw_dot_shows_every_label_in_a_notebook_cell(tmp_path):
    v = tanh_neuron()
    v["o"].backward()
    svg = draw_dot(v["o"]).pipe(format="svg")
    with browser.page() as page:
        seen = browser.measure_svg(page, svg)
        browser.screenshot_svg(page, svg, tmp_path / "neuron.png")
    shown = {t.text: t for t in seen.texts}
    for node in v.values():
        text = shown[node.label]
        assert text.size >= browser.MIN_FONT_PX, (node.label, text.size)
        assert 0 <= text.box[0] and text.box[2] <= browser.CELL_WIDTH
    assert "data 0.7071" in shown and "grad -1.5" in shown
    assert seen.width <= browser.CELL_WIDTH and not seen.overlaps()
    assert (tmp_path / "neuron.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- micrograd's own numbers ------------------------------------------------------------------

class LectureNeuron:
    """A tanh neuron, its weights and bias drawn from `random`, as the lecture's."""

    def __init__(self, V, nin):
        self.w = [V(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = V(random.uniform(-1, 1))

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self):
        return self.w + [self.b]


class LectureMLP:
    def __init__(self, V, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [[LectureNeuron(V, sizes[i]) for _ in range(sizes[i + 1])]
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def train(model, steps=20, lr=0.1):
    """The lecture's loop: forward, squared error, zero the grads, backward, step."""
    losses = []
    for _ in range(steps):
        ypred = [model(x) for x in XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data += -lr * p.grad
        losses.append(loss.data)
    return losses + [p.data for p in model.parameters()]


@pytest.fixture
def seeded():
    state = random.getstate()
    yield random.seed
    random.setstate(state)


def micrograd_tanh(self):
    """tanh for micrograd's Value (which has none), in its own style: a closure that adds
    (1 - t**2) times the output's gradient to the input's."""
    t = math.tanh(self.data)
    out = micrograd_engine.Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad

    out._backward = _backward
    return out


def test_a_lecture_style_training_loop_gives_micrograds_numbers(seeded, monkeypatch):
    monkeypatch.setattr(micrograd_engine.Value, "tanh", micrograd_tanh, raising=False)
    seeded(7)
    ours = train(LectureMLP(Value, 3, [4, 4, 1]))
    seeded(7)
    theirs = train(LectureMLP(micrograd_engine.Value, 3, [4, 4, 1]))
    assert len(ours) == 20 + 41 and ours[19] < ours[0] / 100  # it learns
    assert all(close(x, y) for x, y in zip(ours, theirs)), max(
        abs(x - y) / max(1, abs(y)) for x, y in zip(ours, theirs))


def test_our_mlp_trains_as_micrograds_mlp(seeded):
    seeded(6)  # micrograd's MLP: ReLU hidden layers, a linear output
    ours = train(nn.MLP(3, [4, 4, 1]))
    seeded(6)
    theirs = train(micrograd_nn.MLP(3, [4, 4, 1]))
    assert len(ours) == len(theirs) == 20 + 41 and ours[19] < ours[0] / 1.5
    assert all(close(x, y) for x, y in zip(ours, theirs))


# ---- the differences on purpose ---------------------------------------------------------------

def test_a_second_backward_adds_on_leaves_only_as_torch_does():
    def chain(V):
        a = V(1.5)
        y = (a * 2.0) * 3.0
        y.backward()
        y.backward()
        return a.grad

    ta = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    ty = (ta * 2.0) * 3.0
    ty.backward(retain_graph=True)
    ty.backward()
    assert chain(Value) == ta.grad.item() == 12.0
    assert chain(micrograd_engine.Value) == 18.0  # micrograd keeps interior gradients too
