"""Speed never changes results: micrograd, the eager engine and the compiled replay agree on
the moons training step of the benchmarks (benchmarks/moons.py), with a fixed seed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from micrograd.engine import Value as MicroValue

from autograd import Value, compile_graph, dot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import moons  # noqa: E402

SEED = 5
XS, YS = moons.make_moons(100, seed=3)


def close(x):
    return pytest.approx(x, rel=1e-12, abs=1e-15)


class WeightsOf:
    """A network computed with `dot` from the numbers of a micrograd model (no nn code)."""

    def __init__(self, micro):
        self.layers = [[([Value(w.data) for w in n.w], Value(n.b.data), n.nonlin)
                        for n in layer.neurons] for layer in micro.layers]

    def __call__(self, x):
        for layer in self.layers:
            x = [dot(w, x, b).relu() if nonlin else dot(w, x, b) for w, b, nonlin in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for w, b, _ in layer for p in [*w, b]]


def test_eager_dot_network_matches_micrograd_on_three_training_steps():
    micro = moons.micrograd_model(SEED)
    ours = WeightsOf(micro)
    for k in range(3):
        theirs = moons.loss(micro, MicroValue, XS, YS)
        mine = moons.loss(ours, Value, XS, YS)
        assert mine.data == close(theirs.data)
        for p in micro.parameters():
            p.grad = 0.0
        theirs.backward()
        mine.backward()
        pairs = list(zip(ours.parameters(), micro.parameters()))
        assert len(pairs) == 337
        rate = 1.0 - 0.9 * k / 100
        for a, b in pairs:
            assert a.grad == close(b.grad)
            a.data -= rate * a.grad
            b.data -= rate * b.grad
            a.grad = 0.0


def test_nn_mlp_matches_micrograd_on_a_training_step():
    micro = moons.micrograd_model(SEED)
    ours = moons.our_model(SEED)
    assert [p.data for p in ours.parameters()] == [p.data for p in micro.parameters()]
    for k in range(2):
        assert moons.train_step(ours, Value, XS, YS, k) == close(
            moons.train_step(micro, MicroValue, XS, YS, k))
    for a, b in zip(ours.parameters(), micro.parameters()):
        assert a.data == close(b.data)


def test_compiled_replay_matches_eager_and_float_floor():
    model = WeightsOf(moons.micrograd_model(SEED))
    points = []

    def value(x):
        points.append(Value(x))
        return points[-1]

    traced = moons.loss(model, value, XS, YS)
    params = model.parameters()
    replay = compile_graph(traced, params + points)
    numbers = [p.data for p in params + points]
    for _ in range(3):
        # eager at the current numbers
        for p, x in zip(params, numbers):
            p.data, p.grad = x, 0.0
        eager = moons.loss(model, Value, XS, YS)
        eager.backward()
        out, grads = replay(numbers)
        assert out == close(eager.data)
        assert grads[: len(params)] == [close(p.grad) for p in params]
        layers = [[[w.data for w in ws] + [b.data] for ws, b, _ in layer]
                  for layer in model.layers]
        assert moons.float_forward(layers, XS, YS) == close(out)
        for i, g in enumerate(grads[: len(params)]):
            numbers[i] -= 0.5 * g
