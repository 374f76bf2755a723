"""Time to build the Digraph of a graph and to render it to SVG, for 500 and 5,000 Values;
and the neuron view of micrograd's MLP(2, [16, 16, 1]) on one sample, beside its ops view
rendered in the same run.

Run: python benchmarks/draw_time.py
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from autograd import Value, draw, render
from autograd.graph import topological_order
from nn import MLP


def mlp_like(n_values: int, seed: int = 0) -> Value:
    """Layers of neurons (w*x sums then tanh) until the graph holds about n_values Values."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(4)]
    layer, k = xs, 0
    while True:
        out = []
        for j in range(4):
            s = Value(0.0, label=f"layer{k}.neuron{j}.b")
            for i, x in enumerate(layer):
                s = s + Value(rng.uniform(-1, 1), label=f"layer{k}.neuron{j}.w{i}") * x
            out.append(s.tanh())
        layer, k = out, k + 1
        loss = sum(layer, Value(0.0))
        if len(topological_order(loss)) >= n_values:
            loss.backward()
            return loss


def neuron_view_of_an_mlp(repeats: int = 5) -> None:
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    timings = {}
    for view, options in (("neurons", {}), ("ops", {"max_nodes": None})):
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            draw(loss, view=view, **options).pipe(format="svg")
            best = min(best, time.perf_counter() - t0)
        timings[view] = best
    print(f"MLP(2, [16, 16, 1]), one sample: neuron view to SVG {timings['neurons']:.3f} s, "
          f"ops view {timings['ops']:.3f} s (ratio {timings['neurons'] / timings['ops']:.2f})")


def main() -> None:
    neuron_view_of_an_mlp()
    folder = Path(tempfile.mkdtemp())
    for n in (500, 5000):
        root = mlp_like(n)
        size = len(topological_order(root))
        t0 = time.perf_counter()
        dot = draw(root, max_nodes=None, group=True)
        t1 = time.perf_counter()
        render(dot, folder / f"g{n}.svg")
        t2 = time.perf_counter()
        print(f"{size:>6} values: draw {t1 - t0:.3f} s, render to SVG {t2 - t1:.2f} s")


if __name__ == "__main__":
    main()
