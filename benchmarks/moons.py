"""micrograd's moons demo, written once for any engine: data, model, loss and training step.

The demo trains ``MLP(2, [16, 16, 1])`` on 100 points of two interleaved half moons with a
hinge loss plus L2 regularisation (alpha 1e-4), by plain SGD. The functions here take the
engine's ``Value`` class and a model, so the same lines run on micrograd and on
backprop-lab; `float_forward` is the same forward pass on plain floats (the floor).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list, list]:
    """Two interleaved half circles with Gaussian noise; labels -1 and +1."""
    rng = random.Random(seed)
    xs, ys = [], []
    half = n // 2
    for i in range(n):
        upper = i < half  # the upper moon is labelled -1, the lower one +1
        j, count = (i, half) if upper else (i - half, n - half)
        t = math.pi * j / max(1, count - 1)
        x, y = (math.cos(t), math.sin(t)) if upper else (1 - math.cos(t), 0.5 - math.sin(t))
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(-1 if upper else 1)
    return xs, ys


def our_model(seed: int) -> Any:
    """backprop-lab's MLP(2, [16, 16, 1]), weights drawn in micrograd's order from ``seed``."""
    from nn import MLP

    random.seed(seed)
    return MLP(2, [16, 16, 1])


def micrograd_model(seed: int) -> Any:
    from micrograd.nn import MLP

    random.seed(seed)
    return MLP(2, [16, 16, 1])


def loss(model: Any, value: Callable[[float], Any], xs: Sequence, ys: Sequence) -> Any:
    """The demo's loss: mean hinge loss plus 1e-4 times the sum of squared parameters."""
    inputs = [list(map(value, row)) for row in xs]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * score).relu() for yi, score in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def train_step(model: Any, value: Callable[[float], Any], xs: Sequence, ys: Sequence,
               k: int = 0) -> float:
    """One step of the demo: loss, zero_grad, backward, SGD with its decaying rate."""
    total = loss(model, value, xs, ys)
    model.zero_grad()
    total.backward()
    rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= rate * p.grad
    return float(total.data)


def float_forward(layers: list, xs: Sequence, ys: Sequence) -> float:
    """The demo's loss on plain floats: ``layers`` holds, per neuron, its weights then bias."""
    total, squares = 0.0, 0.0
    for row, yi in zip(xs, ys):
        x = row
        for depth, neurons in enumerate(layers):
            last = depth == len(layers) - 1
            out = []
            for neuron in neurons:
                act = neuron[-1]
                for w, xi in zip(neuron, x):
                    act = act + w * xi
                out.append(act if last or act > 0 else 0.0)
            x = out
        margin = 1 + -yi * x[0]
        total += margin if margin > 0 else 0.0
    for neurons in layers:
        for neuron in neurons:
            for p in neuron:
                squares += p * p
    return total * (1.0 / len(xs)) + 1e-4 * squares


def float_layers(model: Any) -> list:
    """A model's numbers as `float_forward` takes them (layers of [w1, ..., wn, b])."""
    return [[[w.data for w in n.w] + [n.b.data] for n in layer.neurons] for layer in model.layers]
