"""The articles' networks: forward values, losses and every gradient against oracles
computed independently (plain floats, central differences, PyTorch float64)."""

from __future__ import annotations

import math
import random

import pytest
import torch
from conftest import central_difference

from nn import MLP, SGD, Adam, bce, students, xor
from nn.examples import (
    SIMPLENN_INPUT,
    SIMPLENN_TARGET,
    SIMPLENN_WEIGHTS,
    STUDENT_WEIGHTS,
    five_input_forward,
    five_input_network,
    simplenn_forward,
    squared_error_forward,
    squared_error_network,
    student_forward,
    student_network,
)


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def relu(z):
    return max(z, 0.0)


def loss_of_parameters(make_forward, network, key):
    """L as a function of the parameters' numbers, evaluated through the model."""
    def f(numbers):
        model = network()
        for p, x in zip(model.parameters(), numbers):
            p.data = x
        return make_forward(model)[key].data
    return f


def assert_gradients_match_central_differences(make_forward, network, key):
    model = network()
    net = make_forward(model)
    net[key].backward()
    point = [p.data for p in model.parameters()]
    f = loss_of_parameters(make_forward, network, key)
    for i, p in enumerate(model.parameters()):
        assert p.grad == pytest.approx(central_difference(f, point, i), rel=1e-6, abs=1e-9), p.label


# ---- the third article ------------------------------------------------------------------


def simplenn_by_hand():
    """The article's network on plain floats: the correct numbers."""
    (W1, b1), (W2, b2) = SIMPLENN_WEIGHTS
    x, y = SIMPLENN_INPUT, SIMPLENN_TARGET
    z1 = [b1[i] + W1[i][0] * x[0] + W1[i][1] * x[1] for i in range(2)]
    a1 = [relu(z) for z in z1]
    z2 = b2[0] + W2[0][0] * a1[0] + W2[0][1] * a1[1]
    y_hat = sigmoid(z2)
    loss = -math.log(y_hat)
    dz2 = y_hat - y                                   # BCE after sigmoid
    dW2 = [dz2 * a for a in a1]
    dz1 = [dz2 * W2[0][i] * (1.0 if z1[i] > 0 else 0.0) for i in range(2)]
    dW1 = [[dz1[i] * x[j] for j in range(2)] for i in range(2)]
    return dict(z1=z1, a1=a1, z2=z2, y_hat=y_hat, L=loss, dz2=dz2, dW2=dW2, dz1=dz1, dW1=dW1)


def test_simplenn_forward_and_gradients_against_the_correct_numbers():
    want = simplenn_by_hand()
    net = simplenn_forward()
    net["L"].backward()
    assert [net["z1[1]"].data, net["z1[2]"].data] == pytest.approx(want["z1"], rel=1e-15)
    assert [net["a1[1]"].data, net["a1[2]"].data] == pytest.approx(want["a1"], rel=1e-15)
    assert net["z2"].data == pytest.approx(want["z2"], rel=1e-15)
    assert net["y_hat"].data == pytest.approx(want["y_hat"], rel=1e-15)
    assert net["L"].data == pytest.approx(want["L"], rel=1e-13)
    assert net["z2"].grad == pytest.approx(want["dz2"], rel=1e-13)
    assert [net["W2[1]"].grad, net["W2[2]"].grad] == pytest.approx(want["dW2"], rel=1e-13)
    assert [net["b1[1]"].grad, net["b1[2]"].grad] == pytest.approx(want["dz1"], rel=1e-13)
    assert [[net["W1[1,1]"].grad, net["W1[1,2]"].grad],
            [net["W1[2,1]"].grad, net["W1[2,2]"].grad]] == [
        pytest.approx(row, rel=1e-13) for row in want["dW1"]]
    assert net["b2"].grad == pytest.approx(want["dz2"], rel=1e-13)


def test_simplenn_where_the_article_is_right_and_where_it_slips():
    net = simplenn_forward()
    net["L"].backward()
    # right, to the article's rounding
    assert [net["z1[1]"].data, net["z1[2]"].data] == pytest.approx([1.3, 1.8])
    assert net["y_hat"].data == pytest.approx(0.938, abs=1e-3)
    assert net["L"].data == pytest.approx(0.064, abs=1e-3)
    assert [net["W2[1]"].grad, net["W2[2]"].grad] == pytest.approx([-0.0806, -0.1116], abs=2e-3)
    # slips: z2 is 2.73, not 3.18; ŷ is not 0.96; ∂L/∂a1 and ∂L/∂W1 differ
    assert net["z2"].data != pytest.approx(3.18, abs=0.1)
    assert net["y_hat"].data != pytest.approx(0.96, abs=1e-2)
    assert net["W1[1,2]"].grad != pytest.approx(-0.07188, abs=1e-3)
    assert net["W1[2,2]"].grad != pytest.approx(-0.08985, abs=1e-3)
    assert net["a1[1]"].grad != pytest.approx(-0.02796, abs=1e-3)


def test_simplenn_against_pytorch_float64():
    (W1, b1), (W2, b2) = SIMPLENN_WEIGHTS
    t = {name: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for name, v in dict(W1=W1, b1=b1, W2=W2, b2=b2).items()}
    x = torch.tensor(SIMPLENN_INPUT, dtype=torch.float64)
    y_hat = torch.sigmoid(t["W2"] @ torch.relu(t["W1"] @ x + t["b1"]) + t["b2"])
    loss = torch.nn.functional.binary_cross_entropy(y_hat, torch.ones(1, dtype=torch.float64))
    loss.backward()
    net = simplenn_forward()
    net["L"].backward()
    assert net["L"].data == pytest.approx(loss.item(), rel=1e-13)
    ours = [net[k].grad for k in ("W1[1,1]", "W1[1,2]", "W1[2,1]", "W1[2,2]")]
    assert ours == pytest.approx(t["W1"].grad.flatten().tolist(), rel=1e-13)
    assert [net["b1[1]"].grad, net["b1[2]"].grad] == pytest.approx(t["b1"].grad.tolist(), rel=1e-13)
    assert [net["W2[1]"].grad, net["W2[2]"].grad] == pytest.approx(t["W2"].grad[0].tolist(),
                                                                   rel=1e-13)
    assert net["b2"].grad == pytest.approx(t["b2"].grad.item(), rel=1e-13)


@pytest.mark.parametrize(
    "make_forward, network, key",
    [
        (lambda m: simplenn_forward(m), lambda: MLP.from_weights(SIMPLENN_WEIGHTS, "relu",
                                                                  "sigmoid"), "L"),
        (lambda m: student_forward(model=m), student_network, "L"),
        (lambda m: squared_error_forward(m), squared_error_network, "E"),
        (lambda m: five_input_forward(m), five_input_network, "L"),
    ],
)
def test_every_gradient_against_central_differences(make_forward, network, key):
    assert_gradients_match_central_differences(make_forward, network, key)


# ---- the first article: students -----------------------------------------------------------


def test_first_student_gets_the_articles_probability_with_both_relus_active():
    net = student_forward()
    assert net["z1"].data > 0 and net["z2"].data > 0
    assert round(net["y_hat"].data, 3) == 0.633
    assert net["L"].data == pytest.approx(-math.log(1 - net["y_hat"].data), rel=1e-15)
    assert round(net["L"].data, 3) == 1.002  # the article's Loss₁ ≈ 1.002


def test_student_labels_read_like_the_article():
    net = student_forward()
    for key in ["x1", "x2", "w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3",
                "z1", "h1", "z2", "h2", "z3", "L"]:
        assert net[key].label == key
    assert net["y_hat"].label == "ŷ"
    assert net["z3"].parents[0] is net["w5"]  # w5 joins h1 to the output
    assert net["z1"].parents[:2] == (net["w1"], net["x1"])


@pytest.mark.parametrize("row", range(6))
def test_student_dL_dw1_is_the_articles_formula(row):
    X, Y = students()
    net = student_forward(X[row], Y[row])
    net["L"].backward()
    (w1, w2), (w3, w4) = STUDENT_WEIGHTS[0][0]
    b1, b2 = STUDENT_WEIGHTS[0][1]
    (w5, w6), b3 = STUDENT_WEIGHTS[1][0][0], STUDENT_WEIGHTS[1][1][0]
    x1, x2 = X[row]
    z1, z2 = w1 * x1 + w2 * x2 + b1, w3 * x1 + w4 * x2 + b2
    y_hat = sigmoid(w5 * relu(z1) + w6 * relu(z2) + b3)
    relu_prime = 1.0 if z1 > 0 else 0.0
    # ∂L/∂w1 = (ŷ − y)·w5·ReLU'(z1)·x1, the article's formula
    assert net["w1"].grad == pytest.approx((y_hat - Y[row]) * w5 * relu_prime * x1, rel=1e-12)
    assert net["w6"].grad == pytest.approx((y_hat - Y[row]) * relu(z2), rel=1e-12)


# ---- training: students, XOR, and the squared-error network -------------------------------


def accuracy(model, X, y):
    return sum((model(x).data > 0.5) == (t == 1) for x, t in zip(X, y)) / len(y)


def test_student_network_learns_pass_fail():
    X, y = students()
    model = student_network()
    opt = SGD(model.parameters(), lr=0.1)
    first = None
    for _ in range(200):
        opt.zero_grad()
        loss = bce([model(x) for x in X], y)
        first = first if first is not None else loss.data
        loss.backward()
        opt.step()
    assert loss.data < first / 5
    assert accuracy(model, X, y) == 1.0


def test_xor_is_learned():
    X, y = xor()
    model = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", rng=random.Random(0))
    opt = Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        opt.zero_grad()
        loss = bce([model(x) for x in X], y)
        loss.backward()
        opt.step()
    assert loss.data < 0.05
    assert accuracy(model, X, y) == 1.0


def test_squared_error_step_follows_the_delta_rule():
    model = squared_error_network()
    net = squared_error_forward(model)
    net["E"].backward()
    # output delta δ_k = (o_k - t_k)·o_k(1 - o_k); ∂E/∂w_jk = δ_k·o_j
    o_k1, o_j2 = net["o_k1"].data, net["o_j2"].data
    delta_k1 = (o_k1 - 1.0) * o_k1 * (1 - o_k1)
    assert net["w_j2k1"].grad == pytest.approx(delta_k1 * o_j2, rel=1e-12)
    assert net["theta_k1"].grad == pytest.approx(delta_k1, rel=1e-12)
    before = net["E"].data
    SGD(model.parameters(), lr=0.5).step()
    assert squared_error_forward(model)["E"].data < before
