"""The graph a network builds reads as the network: one shared leaf per input (x1, x2, ...),
each neuron's weighted sum and activation labelled by its place (layer1.neuron2.z / .a),
and the nn package's imports running one way."""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import pytest
from conftest import central_difference

from autograd import Value
from nn import MLP, Layer, Neuron


def graph(root):
    """Every Value ``root`` depends on, each once, by a walk written here (not the engine's)."""
    seen, stack, order = set(), [root], []
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        order.append(v)
        stack.extend(v.parents)
    return order


def consumers(nodes, leaf):
    """The nodes that take ``leaf`` as a parent."""
    return [v for v in nodes if any(p is leaf for p in v.parents)]


def float_forward(weights, activations, x):
    """The model on plain floats, from its (W, b) per layer: the oracle."""
    act = {"relu": lambda z: max(z, 0.0), "linear": lambda z: z}
    for (W, b), name in zip(weights, activations):
        x = [act[name](bj + sum(w * xi for w, xi in zip(row, x))) for row, bj in zip(W, b)]
    return x[0]


def test_an_mlp_on_floats_has_one_shared_leaf_per_input():
    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    out = model([0.5, -0.3])
    nodes = graph(out)
    params = {id(p) for p in model.parameters()}
    inputs = [v for v in nodes if not v.parents and id(v) not in params]
    assert sorted(v.label for v in inputs) == ["x1", "x2"]
    assert sorted(v.data for v in inputs) == [-0.3, 0.5]
    first_layer_z = {f"layer1.neuron{j}.z" for j in range(1, 17)}
    for x in inputs:
        users = consumers(nodes, x)
        assert {v.label for v in users} == first_layer_z
        assert len(users) == 16


def test_input_gradients_match_central_differences_on_plain_floats():
    model = MLP(2, [16, 16, 1], rng=random.Random(3))
    point = [0.5, -0.3]
    out = model(point)
    out.backward()
    x1, x2 = sorted((v for v in graph(out) if v.label in ("x1", "x2")), key=lambda v: v.label)

    weights = model.get_weights()

    def f(x):
        return float_forward(weights, ["relu", "relu", "linear"], x)

    assert out.data == pytest.approx(f(point), rel=1e-12)
    for i, x in enumerate((x1, x2)):
        expected = central_difference(f, point, i)
        assert expected != 0.0  # a gradient that could be wrong
        assert x.grad == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_every_neuron_labels_its_sum_and_activation_once():
    model = MLP(3, [4, 5, 2], activation="tanh", output_activation="sigmoid",
                rng=random.Random(1))
    outs = model([1.0, -2.0, 0.5])
    root = outs[0] + outs[1]
    nodes = graph(root)
    labels = [v.label for v in nodes if v.label]
    assert len(labels) == len(set(labels))  # unique
    by_label = {v.label: v for v in nodes if v.label}
    for i, layer in enumerate(model.layers, 1):
        for j in range(1, len(layer.neurons) + 1):
            z, a = by_label[f"layer{i}.neuron{j}.z"], by_label[f"layer{i}.neuron{j}.a"]
            assert z.op == "dot"
            assert a.parents == (z,)
            assert a.op == ("tanh" if i < 3 else "sigmoid")
    assert [v.label for v in outs] == ["layer3.neuron1.a", "layer3.neuron2.a"]


def test_a_linear_neuron_labels_its_one_value_z():
    model = MLP(2, [3, 1], rng=random.Random(2))  # micrograd's default: linear output
    out = model([1.0, 2.0])
    labels = {v.label for v in graph(out)}
    assert out.label == "layer2.neuron1.z" and out.op == "dot"
    assert "layer2.neuron1.a" not in labels
    assert {"layer1.neuron3.z", "layer1.neuron3.a"} <= labels


def test_no_label_is_an_internal_id():
    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    labels = [v.label for v in graph(model([0.5, -0.3]))]
    assert all(not re.search(r"(^|\.)v\d+$", label) for label in labels)
    assert all(label for label in labels)  # every Value of an MLP's graph is named


def test_a_layer_alone():
    layer = Layer(3, 2, activation="relu", rng=random.Random(4))
    a1, a2 = layer([1.0, 2.0, 3.0])
    assert (a1.label, a2.label) == ("neuron1.a", "neuron2.a")
    assert [v.label for v in (a1.parents[0], a2.parents[0])] == ["neuron1.z", "neuron2.z"]
    nodes = graph(a1 + a2)
    inputs = [v for v in nodes if v.label in ("x1", "x2", "x3")]
    assert sorted(v.label for v in inputs) == ["x1", "x2", "x3"]
    for x in inputs:
        assert {v.label for v in consumers(nodes, x)} == {"neuron1.z", "neuron2.z"}


def test_a_neuron_alone():
    n = Neuron(2, activation="sigmoid", rng=random.Random(5))
    out = n([1.0, 2.0])
    assert (out.label, out.parents[0].label) == ("a", "z")
    assert [v.label for v in out.parents[0].parents] == ["w1", "x1", "w2", "x2", "b"]
    assert Neuron(2, activation="linear")([1.0, 2.0]).label == "z"


def test_a_layer_of_an_mlp_keeps_its_name_when_called_alone():
    model = MLP(2, [3, 2], rng=random.Random(6))
    out = model.layers[1]([1.0, 2.0, 3.0])
    assert [v.label for v in out] == ["layer2.neuron1.z", "layer2.neuron2.z"]


def test_values_passed_in_are_used_as_given():
    model = MLP(2, [3, 1], activation="tanh", rng=random.Random(7))
    hours, sleep = Value(2.0, label="hours"), Value(5.0)
    out = model([hours, sleep])
    nodes = graph(out)
    assert (hours.label, sleep.label) == ("hours", "")
    assert len(consumers(nodes, hours)) == 3 and len(consumers(nodes, sleep)) == 3
    out.backward()
    assert hours.grad != 0.0 and sleep.grad != 0.0  # the given leaves receive the gradient


def test_a_mixed_list_wraps_only_the_numbers():
    model = MLP(2, [3, 1], rng=random.Random(8))
    u = Value(1.5, label="u")
    out = model([u, 2.0])
    nodes = graph(out)
    params = {id(p) for p in model.parameters()}
    leaves = [v for v in nodes if not v.parents and id(v) not in params]
    assert sorted(v.label for v in leaves) == ["u", "x2"]
    assert u.label == "u"
    assert all(len(consumers(nodes, v)) == 3 for v in leaves)


def test_labels_do_not_change_the_numbers():
    weights = [([[0.2, -0.4], [0.1, 0.6]], [0.3, -0.5]), ([[0.7, -0.9]], [0.2])]
    model = MLP.from_weights(weights)
    for x in ([1.0, 2.0], [-0.5, 0.25]):
        assert model(x).data == float_forward(weights, ["relu", "linear"], x)


# ---- imports run one way ------------------------------------------------------------------

NN = Path(__file__).resolve().parent.parent / "nn"


def nn_imports(path: Path) -> set[str]:
    """The nn modules ``path`` imports anywhere in its code (also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("nn.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "nn":  # from nn import torch_bridge: a submodule, or __init__
                found |= {f"nn.{a.name}" if (NN / f"{a.name}.py").exists() else "nn"
                          for a in node.names}
            elif node.module.startswith("nn."):
                found.add(node.module)
    return found


def test_nn_imports_have_no_cycle():
    graph_ = {"nn" if p.stem == "__init__" else f"nn.{p.stem}": nn_imports(p)
              for p in NN.glob("*.py")}
    assert "nn.torch_bridge" not in graph_["nn.module"]
    assert graph_["nn.torch_bridge"] == set()

    def visit(name, path):
        assert name not in path, " -> ".join([*path, name])
        for dep in graph_.get(name, ()):
            visit(dep, [*path, name])

    for name in graph_:
        visit(name, [])
