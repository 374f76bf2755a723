"""Time to check one claimed formula with `check_formula` (48 points: compile the replay,
run it at each point, evaluate the claim), on the first article's student network and on a
one-sample loss of MLP(2, [16, 16, 1]); beside it, in the same run, what one would do
otherwise: build the graph and run backward() at 48 points with the eager engine, and, for
the MLP, with micrograd (whose 0.1.0 Value has no exp or log, so no student network).

Run: python benchmarks/check_time.py
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from micrograd.engine import Value as MicroValue
from micrograd.nn import MLP as MicroMLP

from autograd import Value, check_formula
from nn import MLP
from nn.examples import student_forward

POINTS = 48
REPEATS = 7


def best_and_median(run: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def eager_student(points: int) -> None:
    rng = random.Random(0)
    for _ in range(points):
        student_forward((rng.uniform(-4, 4), rng.uniform(-10, 10)))["L"].backward()


def eager_mlp(points: int) -> None:
    model = MLP(2, [16, 16, 1])
    rng = random.Random(0)
    for _ in range(points):
        for p in model.parameters():
            p.data = rng.uniform(-1, 1)
        out = model([Value(rng.uniform(-1, 1)), Value(rng.uniform(-1, 1))])
        ((out - 1.0) ** 2).backward()


def micrograd_mlp(points: int) -> None:
    model = MicroMLP(2, [16, 16, 1])
    rng = random.Random(0)
    for _ in range(points):
        for p in model.parameters():
            p.data = rng.uniform(-1, 1)
        out = model([MicroValue(rng.uniform(-1, 1)), MicroValue(rng.uniform(-1, 1))])
        loss = (out - 1.0) ** 2
        model.zero_grad()
        loss.backward()


FIRST_CALL = """
import time
from nn.examples import student_forward
from autograd import check_formula
net = student_forward()
t0 = time.perf_counter()
report = check_formula(net["L"], net["w1"], "(ŷ - y)·w5·ReLU'(z1)·x1", constants={"y": 0})
print(f"{(time.perf_counter() - t0) * 1e3:.0f} {report.proved}")
"""


def first_call() -> None:
    # The first check in a fresh process pays for importing sympy and its first proof.
    out = subprocess.run([sys.executable, "-c", FIRST_CALL], capture_output=True, text=True,
                         check=True).stdout.split()
    print(f"student network, first call in a fresh process (sympy imported, proved={out[1]}): "
          f"{out[0]} ms")


def main() -> None:
    net = student_forward()
    student = (lambda: check_formula(net["L"], net["w1"], "(ŷ - y)·w5·ReLU'(z1)·x1",
                                     constants={"y": 0}),
               lambda: check_formula(net["L"], net["w1"], "(ŷ - y)·w5·x1", constants={"y": 0}))
    model = MLP(2, [16, 16, 1], rng=random.Random(1))
    out = model([Value(0.5, label="x1"), Value(-1.0, label="x2")])
    out.label = "out"
    loss = (out - 1.0) ** 2
    loss.label = "L"
    first, last = model.parameters()[0], model.parameters()[-1]
    mlp = (lambda: check_formula(loss, last, "2*(out - 1)"),
           lambda: check_formula(loss, first, "2*(out - 1)*x1"))
    print("medians of 7 runs; ratio = check_formula / 48 eager builds + backward()")
    print("| graph | claim | check_formula | eager x48 | ratio | micrograd x48 |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for graph, (holds, fails), eager, micro in (
        ("student network", student, lambda: eager_student(POINTS), None),
        ("MLP(2, [16, 16, 1]), one sample", mlp, lambda: eager_mlp(POINTS),
         lambda: micrograd_mlp(POINTS)),
    ):
        _, reference = best_and_median(eager)
        micro_ms = f"{best_and_median(micro)[1] * 1e3:.1f} ms" if micro else "—"
        for kind, run in (("holds", holds), ("fails, diagnosed", fails)):
            _, median = best_and_median(run)
            print(f"| {graph} | {kind} | {median * 1e3:.1f} ms | {reference * 1e3:.1f} ms | "
                  f"{median / reference:.2f} | {micro_ms} |")


if __name__ == "__main__":
    main()
    first_call()
