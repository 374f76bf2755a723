"""Neuron, Layer, MLP: micrograd's initial weights and numbers, names, activations, errors."""

from __future__ import annotations

import math
import random

import micrograd.engine as mg_engine
import micrograd.nn as mg_nn
import pytest

from autograd import Value
from nn import MLP, Layer, Neuron


def test_same_seed_gives_micrograds_initial_weights_and_outputs():
    random.seed(1337)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    rng = random.Random(5)
    for _ in range(5):
        x = [rng.uniform(-2, 2), rng.uniform(-2, 2)]
        a, b = ours(x), theirs([mg_engine.Value(v) for v in x])
        assert a.data == b.data  # bit for bit: same summation order
        a.backward()
        b.backward()
        for p, q in zip(ours.parameters(), theirs.parameters()):
            assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15)
        ours.zero_grad()
        theirs.zero_grad()


def test_rng_gives_isolated_reproducible_models():
    random.seed(3)
    before = random.random()
    random.seed(3)
    a = MLP(3, [4, 2], rng=random.Random(7))
    assert random.random() == before  # the global state was not used
    b = MLP(3, [4, 2], rng=random.Random(7))
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != MLP(3, [4, 2], rng=random.Random(8)).state_dict()


@pytest.mark.parametrize(
    "name, f",
    [("relu", lambda z: max(z, 0.0)), ("tanh", math.tanh),
     ("sigmoid", lambda z: 1 / (1 + math.exp(-z))), ("linear", lambda z: z)],
)
def test_activations_by_name(name, f):
    n = Neuron(3, activation=name, rng=random.Random(1))
    n.set_weights(([0.5, -1.5, 2.0], 0.25))
    for x in ([1.0, 2.0, 3.0], [-1.0, 0.5, -2.0]):
        z = 0.25 + 0.5 * x[0] - 1.5 * x[1] + 2.0 * x[2]
        assert n(x).data == pytest.approx(f(z), rel=1e-15)


def test_mlp_activations_hidden_and_output():
    model = MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", rng=random.Random(0))
    assert [layer.activation for layer in model.layers] == ["tanh", "sigmoid"]
    assert [v.op for v in model([1.0, 2.0])] == ["sigmoid", "sigmoid"]
    assert MLP(2, [3, 1]).describe()["activations"] == ["relu", "linear"]


def test_micrograd_nonlin_keyword():
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Layer(2, 3, nonlin=True).activation == "relu"


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'softmax'.*relu, tanh"):
        MLP(2, [1], output_activation="softmax")


def test_layer_with_one_neuron_returns_a_value_and_hidden_width_one_works():
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    model = MLP(2, [1, 1], rng=random.Random(0))
    assert isinstance(model([1.0, 2.0]), Value)


@pytest.mark.parametrize("x", [[1.0], [1.0, 2.0, 3.0], []])
def test_wrong_number_of_inputs(x):
    model = MLP(2, [3, 1])
    with pytest.raises(ValueError, match="MLP takes 2 inputs, got"):
        model(x)
    with pytest.raises(ValueError, match="Layer takes 2 inputs"):
        model.layers[0](x)


def test_a_single_number_is_not_a_list_of_inputs():
    with pytest.raises(TypeError, match="takes a list of 1 inputs, got float"):
        MLP(1, [1])(2.0)


def test_named_parameters_become_labels_in_micrograds_order():
    model = MLP(2, [2, 1], rng=random.Random(0))
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "layer1.neuron1.w1", "layer1.neuron1.w2", "layer1.neuron1.b",
        "layer1.neuron2.w1", "layer1.neuron2.w2", "layer1.neuron2.b",
        "layer2.neuron1.w1", "layer2.neuron1.w2", "layer2.neuron1.b",
    ]
    assert [p.label for p in model.parameters()] == names
    # the weight of input 2 in neuron 1 of layer 1 is the one that multiplies x2 there
    w = dict(model.named_parameters())["layer1.neuron1.w2"]
    assert w is model.layers[0].neurons[0].w[1]


def test_weights_round_trip_and_from_weights():
    weights = [([[0.2, 0.4], [0.1, 0.6]], [0.3, 0.5]), ([[0.7, 0.9]], [0.2])]
    model = MLP.from_weights(weights, "relu", "sigmoid")
    assert model.get_weights() == weights
    assert model.describe() == {"type": "MLP", "sizes": [2, 2, 1],
                                "activations": ["relu", "sigmoid"]}
    h = [max(0.3 + 0.2 * 1 + 0.4 * 2, 0), max(0.5 + 0.1 * 1 + 0.6 * 2, 0)]
    z = 0.2 + 0.7 * h[0] + 0.9 * h[1]
    assert model([1.0, 2.0]).data == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-15)


@pytest.mark.parametrize(
    "bad, message",
    [
        ([([[1.0, 2.0]], [0.0])], r"expected \(W, b\) for each of 2 layers"),
        ([([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0]), ([[1.0]], [0.0])], "layer2 neuron1: expected 2"),
        ([([[1.0, 2.0]], [0.0, 0.0]), ([[1.0, 2.0]], [0.0])], "expected 2 rows of W"),
        ([([[1.0, "x"], [3.0, 4.0]], [0.0, 0.0]), ([[1.0, 2.0]], [0.0])], "w2 must be a finite"),
        ([([[1.0, 2.0], [3.0, 4.0]], [0.0, None]), ([[1.0, 2.0]], [0.0])], "bias must be a"),
        ([([[1.0, 2.0], [3.0, 4.0]], [0.0, 0.0]), ([[1.0, math.nan]], [0.0])], "finite"),
    ],
)
def test_bad_weights_leave_the_model_unchanged(bad, message):
    model = MLP(2, [2, 1], rng=random.Random(0))
    before = model.get_weights()
    with pytest.raises(ValueError, match=message):
        model.set_weights(bad)
    assert model.get_weights() == before
