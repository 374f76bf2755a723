"""micrograd's demo: its training code gives micrograd's numbers, and the moons are learned."""

from __future__ import annotations

import random

import micrograd.engine as mg_engine
import micrograd.nn as mg_nn
import pytest

from autograd import Value
from nn import MLP, hinge, l2, two_moons


def demo_loss(V, model, X, y):
    # micrograd's demo notebook, verbatim apart from the data and the Value class
    inputs = [list(map(V, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    return total_loss, sum(accuracy) / len(accuracy)


def demo_step(V, model, X, y, k):
    total_loss, acc = demo_loss(V, model, X, y)
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data, acc


def signed_moons(n, seed):
    X, y = two_moons(n, noise=0.1, seed=seed)
    return X, [2 * t - 1 for t in y]


def test_demo_code_gives_micrograds_numbers():
    X, y = signed_moons(30, seed=1)
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    random.seed(1337)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    for k in range(3):
        a = demo_step(Value, ours, X, y, k)
        b = demo_step(mg_engine.Value, theirs, X, y, k)
        assert a == pytest.approx(b, rel=1e-12)
        assert [p.data for p in ours.parameters()] == pytest.approx(
            [p.data for p in theirs.parameters()], rel=1e-12, abs=1e-15)


def test_hinge_and_l2_are_the_demos_arithmetic():
    X, y = signed_moons(20, seed=2)
    model = MLP(2, [8, 1], rng=random.Random(0))
    want, _ = demo_loss(Value, model, X, y)
    scores = [model(x) for x in X]
    assert (hinge(scores, y) + l2(model.parameters(), 1e-4)).data == want.data


def test_moons_reach_full_accuracy_in_100_steps():
    # micrograd's demo setting on our two moons (100 samples, noise 0.1, seed 1)
    X, y = signed_moons(100, seed=1)
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    for k in range(100):
        scores = [model(x) for x in X]
        loss = hinge(scores, y) + l2(model.parameters(), 1e-4)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
    scores = [model(x).data for x in X]
    assert all((s > 0) == (t > 0) for s, t in zip(scores, y))
    assert loss.data < 0.05
