"""Speed and memory of backprop-lab against micrograd, measured in one process.

    .venv/bin/python benchmarks/run.py          # about two minutes
    .venv/bin/python benchmarks/run.py --full   # adds the 100-step demo and micrograd's 10^6 chain

Contestants run interleaved (one round of each, then the next round), so that a slow moment
of the machine hits them alike; each cell is the median over the rounds. Printed as a
Markdown table (benchmarks/README.md holds one run). micrograd comes with the test extra.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import moons  # noqa: E402 (the benchmark's own module, beside this file)
from micrograd.engine import Value as MicroValue  # noqa: E402

from autograd import Value, compile_graph, dot  # noqa: E402

SEED = 1337
ROWS: list[tuple[str, str, str, str, str, str]] = []


def rounds(contestants: dict[str, Callable[[], Any]], repeats: int, gc_on: bool = True
           ) -> dict[str, float]:
    """Median seconds of each contestant over ``repeats`` interleaved rounds."""
    times: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(repeats):
        for name, run in contestants.items():
            gc.collect()
            if not gc_on:
                gc.disable()
            try:
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
            finally:
                gc.enable()
    return {name: statistics.median(ts) for name, ts in times.items()}


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:,.1f} ms"


def ratio(slow: float | None, fast: float | None) -> str:
    return "—" if slow is None or fast is None else f"{slow / fast:,.1f}x"


def row(what: str, micro: float | None, eager: float | None, compiled: float | None = None
        ) -> None:
    ROWS.append((what, ms(micro), ms(eager), ratio(micro, eager), ms(compiled),
                 ratio(micro, compiled)))
    print(" | ".join(ROWS[-1]), file=sys.stderr)


# ---- graphs ---------------------------------------------------------------------------------


def chain(value: Callable[[float], Any], n: int) -> None:
    x = value(0.5)
    y = x
    for _ in range(n):
        y = y + 1e-6
    y.backward()


def wide_sum(value: Callable[[float], Any], n: int) -> None:
    ws = [value(0.001 * (i % 7)) for i in range(n)]
    xs = [value(0.002 * (i % 5)) for i in range(n)]
    total = sum((w * x for w, x in zip(ws, xs)), value(0.0))
    total.backward()


def wide_dot(n: int) -> None:
    ws = [Value(0.001 * (i % 7)) for i in range(n)]
    xs = [Value(0.002 * (i % 5)) for i in range(n)]
    dot(ws, xs, Value(0.0)).backward()


def moons_replay(model: Any, xs: list, ys: list) -> Callable[..., float]:
    """The moons step as a compiled replay: traced once, then forward, backward and SGD on
    floats. Inputs: the parameters, then the data points (the Values `loss` makes)."""
    points: list[Value] = []

    def value(x: float) -> Value:
        points.append(Value(x))
        return points[-1]

    total = moons.loss(model, value, xs, ys)
    params = model.parameters()
    replay = compile_graph(total, params + points)
    numbers = [v.data for v in params + points]
    n = len(params)

    def step(k: int = 0) -> float:
        out, grads = replay(numbers)
        rate = 1.0 - 0.9 * k / 100
        for i in range(n):
            numbers[i] -= rate * grads[i]
        return out

    return step


# ---- measurements ---------------------------------------------------------------------------


def bench_chains(full: bool) -> None:
    for n, repeats in ((1_000, 7), (10_000, 5), (100_000, 3), (1_000_000, 3)):
        contestants = {"eager": lambda n=n: chain(Value, n)}
        if n < 1_000_000 or full:
            contestants["micro"] = lambda n=n: chain(MicroValue, n)
        t = rounds(contestants, 1 if n == 1_000_000 and full else repeats)
        row(f"chain of {n:,} adds, build + backward", t.get("micro"), t["eager"])


def bench_wide() -> None:
    n = 100_000
    t = rounds({"micro": lambda: wide_sum(MicroValue, n), "eager": lambda: wide_sum(Value, n),
                "dot": lambda: wide_dot(n)}, 3)
    row(f"sum of {n:,} products, build + backward", t["micro"], t["eager"])
    row("the same as one dot() node, build + backward", t["micro"], t["dot"])


def bench_moons(full: bool) -> None:
    xs, ys = moons.make_moons(100)
    micro, ours = moons.micrograd_model(SEED), moons.our_model(SEED)
    replay_step = moons_replay(moons.our_model(SEED), xs, ys)
    layers = moons.float_layers(micro)
    for gc_on in (True, False):
        t = rounds({
            "micro": lambda: moons.train_step(micro, MicroValue, xs, ys),
            "eager": lambda: moons.train_step(ours, Value, xs, ys),
            "replay": replay_step,
            "floor": lambda: moons.float_forward(layers, xs, ys),
        }, 7, gc_on)
        state = "on" if gc_on else "off"
        row(f"moons training step, gc {state}", t["micro"], t["eager"], t["replay"])
        ROWS.append((f"plain-float forward of that step (the floor), gc {state}", "",
                     ms(t["floor"]), "", "", f"replay = {t['replay'] / t['floor']:.1f}x floor"))
    if full:
        results = {}
        for name, make, value in (("micro", moons.micrograd_model, MicroValue),
                                  ("eager", moons.our_model, Value)):
            model = make(SEED)
            start = time.perf_counter()
            for k in range(100):
                moons.train_step(model, value, xs, ys, k)
            results[name] = time.perf_counter() - start
        step = moons_replay(moons.our_model(SEED), xs, ys)
        start = time.perf_counter()
        for k in range(100):
            step(k)
        results["replay"] = time.perf_counter() - start
        row("moons demo, 100 steps, gc on", results["micro"], results["eager"], results["replay"])


def graph_memory(build: Callable[[], Any], count: Callable[[Any], int]) -> tuple[float, int]:
    """Bytes per node of the graph ``build`` returns (after backward), and the number of
    objects the garbage collector finds in cycles once that graph is dropped."""
    gc.collect()
    gc.disable()
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        root = build()
        root.backward()
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        nodes = count(root)
        del root
        return used / nodes, gc.collect()
    finally:
        gc.enable()


def bench_memory() -> None:
    n = 10_000

    def build_chain(value: Callable[[float], Any]) -> Callable[[], Any]:
        def build() -> Any:
            y = value(0.5)
            for _ in range(n):
                y = y + 1e-6
            return y
        return build

    nodes = lambda root: 2 * n + 1  # noqa: E731 (each add makes a constant leaf and a result)
    micro, micro_cycles = graph_memory(build_chain(MicroValue), nodes)
    eager, eager_cycles = graph_memory(build_chain(Value), nodes)
    ROWS.append(("memory per graph node (chain of 10,000 adds)", f"{micro:,.0f} B",
                 f"{eager:,.0f} B", f"{micro / eager:.1f}x less", "", ""))
    ROWS.append(("objects in reference cycles after dropping that graph", f"{micro_cycles:,}",
                 f"{eager_cycles:,}", "", "", ""))

    xs, ys = moons.make_moons(100)
    micro_model, our = moons.micrograd_model(SEED), moons.our_model(SEED)
    micro_bytes, _ = graph_memory(lambda: moons.loss(micro_model, MicroValue, xs, ys), lambda r: 1)
    our_bytes, _ = graph_memory(lambda: moons.loss(our, Value, xs, ys), lambda r: 1)
    ROWS.append(("memory of one moons step's graph", f"{micro_bytes / 1e6:,.1f} MB",
                 f"{our_bytes / 1e6:,.2f} MB", f"{micro_bytes / our_bytes:.1f}x less", "", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="also the 100-step demo and micrograd's 10^6-op chain (minutes)")
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3_000_000))  # micrograd recurses
    bench_moons(args.full)
    bench_wide()
    bench_chains(args.full)
    bench_memory()
    print(f"Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}; medians, "
          "ratio = micrograd time / ours\n")
    print("| benchmark | micrograd | backprop-lab eager | ratio | compiled replay | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for cells in ROWS:
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
