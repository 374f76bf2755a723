"""Losses, optimizers and to_torch() against PyTorch in float64."""

from __future__ import annotations

import builtins
import random

import pytest
import torch
import torch.nn.functional as F

from autograd import Value
from nn import (
    MLP,
    SGD,
    Adam,
    Layer,
    Neuron,
    bce,
    bce_with_logits,
    hinge,
    l2,
    mse,
    softmax_cross_entropy,
    squared_error,
)

TOL = dict(rel=1e-12, abs=1e-14)


def leaves(numbers):
    return [Value(x) for x in numbers], torch.tensor(numbers, dtype=torch.float64,
                                                     requires_grad=True)


def check(ours, ours_inputs, theirs, theirs_inputs):
    ours.backward()
    theirs.backward()
    assert ours.data == pytest.approx(theirs.item(), **TOL)
    assert [v.grad for v in ours_inputs] == pytest.approx(theirs_inputs.grad.tolist(), **TOL)


PRED = [0.3, -1.2, 2.5, 0.0, 0.7]
TARGET = [1.0, -1.0, 2.0, 0.5, 0.0]
PROBS = [0.1, 0.8, 0.5, 0.999, 0.3]
LABELS01 = [0.0, 1.0, 1.0, 0.0, 0.25]


def test_mse():
    v, t = leaves(PRED)
    check(mse(v, TARGET), v, F.mse_loss(t, torch.tensor(TARGET, dtype=torch.float64)), t)


def test_squared_error_is_half_the_sum():
    v, t = leaves(PRED)
    target = torch.tensor(TARGET, dtype=torch.float64)
    check(squared_error(v, TARGET), v, 0.5 * ((target - t) ** 2).sum(), t)


def test_bce_on_probabilities():
    v, t = leaves(PROBS)
    check(bce(v, LABELS01), v, F.binary_cross_entropy(t, torch.tensor(LABELS01,
                                                                     dtype=torch.float64)), t)


def test_bce_with_logits_including_large_ones():
    z = [0.3, -4.0, 35.0, -800.0, 800.0, 0.0]
    y = [1.0, 0.0, 0.0, 1.0, 1.0, 0.5]
    v, t = leaves(z)
    theirs = F.binary_cross_entropy_with_logits(t, torch.tensor(y, dtype=torch.float64))
    check(bce_with_logits(v, y), v, theirs, t)


def test_bce_clamps_certain_wrong_probabilities_to_a_finite_loss():
    p = Value(1.0)
    loss = bce([p, Value(0.0)], [0, 1])
    assert 27 < loss.data < 28  # -log(1e-12) = 27.63
    loss.backward()
    assert p.grad == 0.0  # clamped: a constant there, as with torch.clamp


def test_bce_rejects_targets_outside_0_1():
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\]"):
        bce(Value(0.5), 2)


def test_hinge_as_micrograds_demo():
    scores, t = leaves(PRED)
    labels = [1, -1, -1, 1, 1]
    y = torch.tensor(labels, dtype=torch.float64)
    check(hinge(scores, labels), scores, torch.relu(1 - y * t).mean(), t)


def test_softmax_cross_entropy_batch_and_large_logits():
    rows = [[0.5, -1.0, 2.0], [1000.0, 999.0, -1000.0], [0.0, 0.0, 0.0]]
    targets = [2, 1, 0]
    ours = [[Value(x) for x in row] for row in rows]
    t = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    theirs = F.cross_entropy(t, torch.tensor(targets))
    loss = softmax_cross_entropy(ours, targets)
    loss.backward()
    theirs.backward()
    assert loss.data == pytest.approx(theirs.item(), **TOL)
    for row, grads in zip(ours, t.grad.tolist()):
        assert [v.grad for v in row] == pytest.approx(grads, **TOL)


def test_softmax_cross_entropy_bad_target():
    with pytest.raises(ValueError, match="class index in 0..1"):
        softmax_cross_entropy([Value(1.0), Value(2.0)], 2)


def test_l2():
    v, t = leaves(PRED)
    check(l2(v, 1e-4), v, 1e-4 * (t * t).sum(), t)


def test_mismatched_lengths_are_a_clear_error():
    with pytest.raises(ValueError, match="2 predictions and 3 targets"):
        mse([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])


# ---- optimizers: a few steps on the same model, loss and every weight compared ------------

OPTIMIZERS = [
    (lambda p: SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda p: SGD(p, lr=0.05, momentum=0.9),
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    (lambda p: SGD(p, lr=0.05, momentum=0.5, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.01)),
    (lambda p: Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    (lambda p: Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
     lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]


@pytest.mark.parametrize("make_ours, make_theirs", OPTIMIZERS)
def test_optimizer_steps_match_torch(make_ours, make_theirs):
    model = MLP(3, [4, 2], activation="tanh", rng=random.Random(0))
    net = model.to_torch()
    ours, theirs = make_ours(model.parameters()), make_theirs(net.parameters())
    rng = random.Random(1)
    X = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(5)]
    Y = [[rng.uniform(-1, 1) for _ in range(2)] for _ in range(5)]
    for _ in range(4):
        ours.zero_grad()
        loss = mse([model(x) for x in X], Y)
        loss.backward()
        ours.step()
        theirs.zero_grad()
        their_loss = F.mse_loss(net(torch.tensor(X, dtype=torch.float64)),
                                torch.tensor(Y, dtype=torch.float64))
        their_loss.backward()
        theirs.step()
        assert loss.data == pytest.approx(their_loss.item(), **TOL)
        weights = [p.data for p in model.parameters()]
        assert weights == pytest.approx(torch_weights_in_our_order(net), **TOL)


def torch_weights_in_our_order(net):
    out = []
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            for row, b in zip(layer.weight.tolist(), layer.bias.tolist()):
                out += row + [b]
    return out


def test_optimizer_needs_values():
    with pytest.raises(TypeError, match="needs Values"):
        SGD([1.0], lr=0.1)


# ---- to_torch ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, [5, 4, 2], activation="tanh", output_activation="sigmoid", rng=random.Random(2)),
        MLP(3, [4, 1], rng=random.Random(3)),
        Layer(3, 2, activation="sigmoid", rng=random.Random(4)),
        Neuron(3, activation="tanh", rng=random.Random(5)),
    ],
)
def test_to_torch_gives_the_same_outputs_and_gradients(model):
    net = model.to_torch()
    assert all(p.dtype == torch.float64 for p in net.parameters())
    x = [0.3, -0.7, 1.1]
    out = model(x)
    out = out if isinstance(out, list) else [out]
    total = sum(out[1:], out[0])
    total.backward()
    theirs = net(torch.tensor([x], dtype=torch.float64))
    assert [v.data for v in out] == pytest.approx(theirs[0].tolist(), **TOL)
    theirs.sum().backward()
    grads = []
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            for row, b in zip(layer.weight.grad.tolist(), layer.bias.grad.tolist()):
                grads += row + [b]
    assert [p.grad for p in model.parameters()] == pytest.approx(grads, **TOL)


def test_to_torch_without_torch_says_how_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match="pip install torch"):
        MLP(2, [1]).to_torch()


def test_importing_nn_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, nn, nn.examples; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
