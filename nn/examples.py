"""The networks of the four articles, ready made, with the articles' names on every Value.

Each ``*_network()`` returns an `MLP` whose parameters carry the article's labels (``w1``,
``b3``, ``W1[1,2]``, ...; `named_parameters()` keeps the structural names). Each
``*_forward()`` runs one sample through it and returns every Value of the graph by name:
inputs, parameters, each neuron's pre-activation and activation, the output and the loss,
labelled as the article writes them. Keys equal labels, in ASCII: the Value labelled ``ŷ``
is under the key ``y_hat`` and ``θ_j1`` under ``theta_j1``.

1. The students network (first article): hours studied x1 and hours of sleep x2, two ReLU
   neurons h1, h2, a sigmoid output ŷ, binary cross-entropy. **The article gives no
   weights; the ones in `STUDENT_WEIGHTS` are chosen by us**, round numbers that keep both
   hidden neurons active for the first student and give the article's ŷ ≈ 0.633 for them.
2. The worked example of the third article, `SIMPLENN_WEIGHTS`, all numbers as given.
3. A sigmoid 2-2-2 network trained on E = ½Σ(t - o)² (second article's setting, which gives
   no numbers; `SQUARED_ERROR_WEIGHTS` and its sample are chosen by us).
4. The fourth article's five inputs and two sigmoid hidden layers with a mean squared error
   (no numbers given: 5-2-2-1, weights drawn with `FIVE_INPUT_SEED`, sample chosen by us).

>>> net = student_forward()
>>> round(net["y_hat"].data, 3), net["y_hat"].label
(0.633, 'ŷ')
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value
from nn.layers import MLP, Weights
from nn.losses import bce, mse, squared_error

# ---- 1. students: x1 hours studied, x2 hours of sleep -> pass -----------------------------

STUDENT_WEIGHTS: list[Weights] = [
    ([[0.6, -0.1],     # z1 = w1*x1 + w2*x2 + b1
      [-0.3, 0.3]],    # z2 = w3*x1 + w4*x2 + b2
     [0.1, 0.2]),      # b1, b2
    ([[0.35, 0.15]],   # z3 = w5*h1 + w6*h2 + b3
     [0.1]),           # b3
]
"""Chosen by us (the article gives none): for the first student (2, 5), z1 = 0.8,
z2 = 1.1 (both ReLUs active), z3 = 0.545 and ŷ = σ(0.545) = 0.63297 ≈ 0.633."""

STUDENT_LABELS = ["w1", "w2", "b1", "w3", "w4", "b2", "w5", "w6", "b3"]


def student_network() -> MLP:
    """The students network: 2 inputs, 2 ReLU hidden neurons, a sigmoid output, with
    `STUDENT_WEIGHTS`; parameters labelled w1..w6, b1..b3 as in the article
    (w1: x1→h1, w2: x2→h1, w3: x1→h2, w4: x2→h2, w5: h1→ŷ, w6: h2→ŷ).

    >>> [p.label for p in student_network().parameters()][:3]
    ['w1', 'w2', 'b1']
    """
    return _labelled(MLP.from_weights(STUDENT_WEIGHTS, "relu", "sigmoid"), STUDENT_LABELS)


def student_forward(
    x: Sequence[float] = (2.0, 5.0), y: float = 0, model: MLP | None = None
) -> dict[str, Value]:
    """One student through the network (default: the first student, (2, 5), failed), with
    the loss L = -[y log ŷ + (1 - y) log(1 - ŷ)]. Keys: x1 x2 w1..w6 b1..b3 z1 h1 z2 h2 z3
    y_hat L.

    >>> net = student_forward()
    >>> round(net["z1"].data, 6), round(net["L"].data, 4)
    (0.8, 1.0023)
    """
    return _forward(model or student_network(), x, ["x1", "x2"],
                    [[("z1", "h1"), ("z2", "h2")], [("z3", "ŷ")]], bce, y, "L")


# ---- 2. the third article's worked example -------------------------------------------------

SIMPLENN_WEIGHTS: list[Weights] = [
    ([[0.2, 0.4], [0.1, 0.6]], [0.3, 0.5]),  # W1 (rows: hidden neurons), b1
    ([[0.7, 0.9]], [0.2]),                    # W2, b2
]
SIMPLENN_INPUT = (1.0, 2.0)
SIMPLENN_TARGET = 1

SIMPLENN_LABELS = ["W1[1,1]", "W1[1,2]", "b1[1]", "W1[2,1]", "W1[2,2]", "b1[2]",
                   "W2[1]", "W2[2]", "b2"]


def simplenn_network() -> MLP:
    """The third article's 2-2-1 network: ReLU hidden layer, sigmoid output, its given
    weights. Labels: ``W1[i,j]`` is row i (hidden neuron i), column j (input j) of W1.

    >>> simplenn_network().parameters()[1]
    Value(data=0.4, grad=0.0, label='W1[1,2]')
    """
    return _labelled(MLP.from_weights(SIMPLENN_WEIGHTS, "relu", "sigmoid"), SIMPLENN_LABELS)


def simplenn_forward(model: MLP | None = None) -> dict[str, Value]:
    """The article's sample x = [1, 2], y = 1 with binary cross-entropy. Keys: x1 x2, the
    parameters, z1[1] a1[1] z1[2] a1[2] z2 y_hat L.

    The correct numbers, and where the article slips:

    - z1 = [1.3, 1.8] and a1 = [1.3, 1.8], as the article says;
    - z2 = 0.7·1.3 + 0.9·1.8 + 0.2 = 2.73; the article writes 3.18 (but then uses 2.73);
    - ŷ = σ(2.73) = 0.938774 (the article truncates to 0.938, and later says 0.96 = σ(3.18));
    - L = -log ŷ = 0.063181 (the article: 0.064, from its 0.938);
    - ∂L/∂z2 = ŷ - y = -0.061226 (article: -0.062), ∂L/∂W2 = [-0.079594, -0.110207];
    - ∂L/∂a1 = ∂L/∂z2 · W2 = [-0.042858, -0.055104]; the article uses a stale -0.039936 for
      ∂L/∂z2 here and gets [-0.02796, -0.03594];
    - ∂L/∂W1 = [[-0.042858, -0.085717], [-0.055104, -0.110207]]; the article's second column
      [-0.07188, -0.08985] is wrong even from its own first column;
    - ∂L/∂b1 = [-0.042858, -0.055104], ∂L/∂b2 = -0.061226 (not in the article).

    >>> net = simplenn_forward()
    >>> round(net["z2"].data, 2), round(net["y_hat"].data, 6)
    (2.73, 0.938774)
    """
    return _forward(model or simplenn_network(), SIMPLENN_INPUT, ["x1", "x2"],
                    [[("z1[1]", "a1[1]"), ("z1[2]", "a1[2]")], [("z2", "ŷ")]],
                    bce, SIMPLENN_TARGET, "L")


# ---- 3. a sigmoid network trained on squared error -----------------------------------------

SQUARED_ERROR_WEIGHTS: list[Weights] = [
    ([[0.4, -0.2], [0.3, 0.6]], [0.1, -0.1]),   # input layer I -> hidden layer J, θ_j
    ([[0.5, -0.4], [0.2, 0.7]], [0.0, 0.2]),    # hidden layer J -> output layer K, θ_k
]
"""Chosen by us (the article's numbers are lost), small and varied in sign."""
SQUARED_ERROR_INPUT = (0.5, 1.0)
SQUARED_ERROR_TARGET = (1.0, 0.0)
SQUARED_ERROR_LEARNING_RATE = 0.5

SQUARED_ERROR_LABELS = [
    "w_i1j1", "w_i2j1", "θ_j1", "w_i1j2", "w_i2j2", "θ_j2",
    "w_j1k1", "w_j2k1", "θ_k1", "w_j1k2", "w_j2k2", "θ_k2",
]


def squared_error_network() -> MLP:
    """A 2-2-2 network, sigmoid on every neuron, `SQUARED_ERROR_WEIGHTS`. Labels in the
    second article's indices: ``w_i1j2`` joins input i1 to hidden neuron j2, ``θ`` is a bias.

    >>> squared_error_network().parameters()[2].label
    'θ_j1'
    """
    model = MLP.from_weights(SQUARED_ERROR_WEIGHTS, "sigmoid", "sigmoid")
    return _labelled(model, SQUARED_ERROR_LABELS)


def squared_error_forward(model: MLP | None = None) -> dict[str, Value]:
    """`SQUARED_ERROR_INPUT` with targets `SQUARED_ERROR_TARGET` and E = ½Σ(t - o)². Keys:
    x1 x2, the parameters, net_j1 o_j1 net_j2 o_j2 net_k1 o_k1 net_k2 o_k2 E.

    >>> round(squared_error_forward()["E"].data, 4)
    0.3579
    """
    return _forward(model or squared_error_network(), SQUARED_ERROR_INPUT, ["x1", "x2"],
                    [[("net_j1", "o_j1"), ("net_j2", "o_j2")],
                     [("net_k1", "o_k1"), ("net_k2", "o_k2")]],
                    squared_error, SQUARED_ERROR_TARGET, "E")


# ---- 4. five inputs, two hidden layers -----------------------------------------------------

FIVE_INPUT_SEED = 4
"""`five_input_network` draws its weights with ``random.Random(FIVE_INPUT_SEED)``."""
FIVE_INPUT_SAMPLE = (0.5, -1.0, 2.0, 0.0, 1.5)
FIVE_INPUT_TARGET = 1.0


def five_input_network() -> MLP:
    """The fourth article's network: 5 inputs, hidden layers of 2 and 2 sigmoid neurons, one
    sigmoid output (the article fixes only the first hidden layer). The first layer is
    labelled as in the article: ``W<a>,<b>`` joins input a to neuron b, ``Bias_Neuron<b>``;
    the later layers keep their structural names.

    >>> [p.label for p in five_input_network().parameters()][4:7]
    ['W5,1', 'Bias_Neuron1', 'W1,2']
    """
    model = MLP(5, [2, 2, 1], "sigmoid", "sigmoid", rng=random.Random(FIVE_INPUT_SEED))
    first = [f"W{a},{b}" if a <= 5 else f"Bias_Neuron{b}" for b in (1, 2) for a in range(1, 7)]
    return _labelled(model, first + [p.label for p in model.parameters()[12:]])


def five_input_forward(model: MLP | None = None) -> dict[str, Value]:
    """`FIVE_INPUT_SAMPLE` with target `FIVE_INPUT_TARGET` and the mean squared error.
    Keys: In1..In5, the parameters, Z1 Activation_1 ... Z4 Activation_4, Z5 Prediction, L.

    >>> 0 < five_input_forward()["Prediction"].data < 1
    True
    """
    units = [[("Z1", "Activation_1"), ("Z2", "Activation_2")],
             [("Z3", "Activation_3"), ("Z4", "Activation_4")], [("Z5", "Prediction")]]
    return _forward(model or five_input_network(), FIVE_INPUT_SAMPLE,
                    [f"In{a}" for a in range(1, 6)], units, mse, FIVE_INPUT_TARGET, "L")


# ---- shared ---------------------------------------------------------------------------------


def _labelled(model: MLP, labels: list[str]) -> MLP:
    for p, label in zip(model.parameters(), labels):
        p.label = label
    return model


def _key(label: str) -> str:
    return label.replace("ŷ", "y_hat").replace("θ", "theta")


def _forward(
    model: MLP, x: Sequence[float], input_labels: list[str],
    unit_labels: list[list[tuple[str, str]]], loss: Callable[[Any, Any], Value],
    target: Any, loss_label: str,
) -> dict[str, Value]:
    # Run the layers one by one to label each neuron's pre-activation z and activation.
    values = [Value(v, label=label) for v, label in zip(x, input_labels)]
    values += model.parameters()
    out: list[Value] = values[: len(input_labels)]
    for layer, labels in zip(model.layers, unit_labels):
        out = [neuron(out) for neuron in layer.neurons]
        for v, (z_label, a_label) in zip(out, labels):
            v.parents[0].label, v.label = z_label, a_label
            values += [v.parents[0], v]
    result = loss(out, target)
    result.label = loss_label
    return {_key(v.label): v for v in values + [result]}
