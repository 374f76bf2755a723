"""Time to check one claimed formula with `check_formula` (48 points: compile the replay,
run it at each point, evaluate the claim), on the first article's student network and on a
one-sample loss of MLP(2, [16, 16, 1]); beside it, in the same run, what one would do
otherwise: build the graph and run backward() at 48 points with the eager engine, and, for
the MLP, with micrograd (whose 0.1.0 Value has no exp or log, so no student network).

Then: the same checks against the times measured before trial points were chosen to be
informative (budget: at most 2x), each check's time split into compiling the replay,
choosing and running the points, sympy's proof and the diagnosis; and, per network, how
many of the 48 points are informative for a correct claim of every derivative (min and
median over the derivatives) and how many points drawn were passed over.

Run: python benchmarks/check_time.py
"""

from __future__ import annotations

import contextlib
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from micrograd.engine import Value as MicroValue
from micrograd.nn import MLP as MicroMLP

import autograd.claims.trials as trials

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_informative_points import correct_claim, sigmoid_mlp, tanh_neuron  # noqa: E402

from autograd import Value, check_formula
from autograd.graph import topological_order
from nn import MLP
from nn.examples import (
    five_input_forward,
    simplenn_forward,
    squared_error_forward,
    student_forward,
)

POINTS = 48
REPEATS = 7
BEFORE = {  # ms, medians of 7, measured before trial points were chosen to be informative
    ("student network", "holds"): (8.3, 6.5),  # (check_formula, eager x48 in that run)
    ("student network", "fails, diagnosed"): (8.8, 6.5),
    ("MLP(2, [16, 16, 1]), one sample", "holds"): (51.8, 27.0),
    ("MLP(2, [16, 16, 1]), one sample", "fails, diagnosed"): (96.1, 27.0),
}
BUDGET = 2.0
"""Choosing informative points may cost at most this times the check's time before."""
MAX_CLAIM = 10_000
"""Longer claims are refused by the formula reader (∂L/∂x1 of the 16-16 MLP: 256 paths)."""


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
        assert isinstance(out, Value)
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


def timed_checks() -> list[tuple[str, str, Callable[[], object], Callable[[], None]]]:
    """(graph, claim kind, the check, its eager reference) for the four timed checks."""
    net = student_forward()
    student = (lambda: check_formula(net["L"], net["w1"], "(ŷ - y)·w5·ReLU'(z1)·x1",
                                     constants={"y": 0}),
               lambda: check_formula(net["L"], net["w1"], "(ŷ - y)·w5·x1", constants={"y": 0}))
    loss = relu_mlp()
    leaves = {v.label: v for v in topological_order(loss) if not v.parents}
    first, last = leaves["layer1.neuron1.w1"], leaves["layer3.neuron1.b"]  # its first, last
    mlp = (lambda: check_formula(loss, last, "2*(out - 1)"),
           lambda: check_formula(loss, first, "2*(out - 1)*x1"))
    return [(graph, kind, run, eager)
            for graph, runs, eager in (
                ("student network", student, lambda: eager_student(POINTS)),
                ("MLP(2, [16, 16, 1]), one sample", mlp, lambda: eager_mlp(POINTS)))
            for kind, run in zip(("holds", "fails, diagnosed"), runs)]


def main() -> list[tuple[str, str, float, float]]:
    """The first table; returns (graph, kind, check ms, eager ms) of each row."""
    print("medians of 7 runs; ratio = check_formula / 48 eager builds + backward()")
    print("| graph | claim | check_formula | eager x48 | ratio | micrograd x48 |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    rows, references = [], {}
    for graph, kind, run, eager in timed_checks():
        if graph not in references:
            micro = micrograd_mlp if graph.startswith("MLP") else None
            references[graph] = (best_and_median(eager)[1],
                                 f"{best_and_median(lambda: micro(POINTS))[1] * 1e3:.1f} ms"  # noqa: B023
                                 if micro else "—")
        reference, micro_ms = references[graph]
        _, median = best_and_median(run)
        print(f"| {graph} | {kind} | {median * 1e3:.1f} ms | {reference * 1e3:.1f} ms | "
              f"{median / reference:.2f} | {micro_ms} |")
        rows.append((graph, kind, median * 1e3, reference * 1e3))
    return rows


def against_before(rows: list[tuple[str, str, float, float]]) -> None:
    """Now against the times before informative points, raw and per the eager reference
    of each run (the machine is shared: the eager time says how fast it was)."""
    print(f"\nagainst the times before informative points (budget {BUDGET:g}x); per eager = "
          "(check / eager x48 now) / (check / eager x48 then)")
    print("| graph | claim | before | now | now / before | per eager | within budget |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for graph, kind, now, eager in rows:
        then, eager_then = BEFORE[graph, kind]
        per_eager = (now / eager) / (then / eager_then)
        print(f"| {graph} | {kind} | {then:.1f} ms | {now:.1f} ms | {now / then:.2f} | "
              f"{per_eager:.2f} | {'yes' if per_eager <= BUDGET else 'NO'} |")


@contextlib.contextmanager
def timing_parts(spent: dict[str, float]) -> Iterator[None]:
    """Adds to ``spent`` the time check_formula spends compiling the replay, in sympy's
    proof and in the diagnosis (by wrapping the three calls it makes)."""
    def timed(part: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent[part] = spent.get(part, 0.0) + time.perf_counter() - t0
        return wrapper

    parts = {"replay compiled": "probe", "sympy proof": "_proved", "diagnosis": "diagnose"}
    saved = {name: getattr(trials, name) for name in parts.values()}
    try:
        for part, name in parts.items():
            setattr(trials, name, timed(part, saved[name]))
        yield
    finally:
        for name, call in saved.items():
            setattr(trials, name, call)


def time_split() -> None:
    """Each check's median time, and the median of each part of it."""
    print("\nwhere the time goes (medians of 7, ms); points = reading the claim, drawing, "
          "running the replay and the claim at each point, choosing the informative ones")
    print("| graph | claim | check_formula | replay compiled | points | sympy proof | "
          "diagnosis |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for graph, kind, run, _ in timed_checks():
        totals, parts = [], []
        for _ in range(REPEATS):
            spent: dict[str, float] = {}
            with timing_parts(spent):
                t0 = time.perf_counter()
                run()
                totals.append(time.perf_counter() - t0)
            spent["points"] = totals[-1] - sum(spent.values())
            parts.append(spent)
        cells = [statistics.median(p.get(part, 0.0) for p in parts) * 1e3
                 for part in ("replay compiled", "points", "sympy proof", "diagnosis")]
        print(f"| {graph} | {kind} | {statistics.median(totals) * 1e3:.1f} | "
              + " | ".join(f"{c:.1f}" for c in cells) + " |")


# ---- informative points of correct claims -------------------------------------------------


def relu_mlp() -> Value:
    """micrograd's MLP(2, [16, 16, 1]) on one sample, squared error against 1."""
    model = MLP(2, [16, 16, 1], rng=random.Random(1))
    out = model([Value(0.5, label="x1"), Value(-1.0, label="x2")])
    assert isinstance(out, Value)
    out.label = "out"
    loss = (out - 1.0) ** 2
    loss.label = "L"
    return loss


NETWORKS: list[tuple[str, Callable[[], Value], int]] = [
    ("student network", lambda: student_forward()["L"], 1),
    ("simplenn (third article)", lambda: simplenn_forward()["L"], 1),
    ("squared error (second article)", lambda: squared_error_forward()["E"], 1),
    ("five inputs (fourth article)", lambda: five_input_forward()["L"], 1),
    ("tanh neuron, (ŷ − y)², y held", tanh_neuron, 1),
    ("MLP(2, [4, 4, 1]) sigmoid, bce", sigmoid_mlp, 1),
    ("MLP(2, [16, 16, 1]) ReLU, one sample", relu_mlp, 8),
]
"""(name, the loss, every how many-th labelled leaf is a derivative checked)"""


def informative_table() -> None:
    """Per network, the informative points of the correct claim of each derivative."""
    print("\ninformative points of a correct claim, of 48, over every labelled parameter and "
          "input (every 8th for the 16-16 MLP; sympy's proof off: it chooses no point)")
    print("| network | derivatives | informative, min | median | passed over, median | max "
          "| ms per check, median |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    with timing_parts({}):
        proved = trials._proved
        trials._proved = lambda *args: None
        try:
            for name, build, every in NETWORKS:
                informative_row(name, build(), every)
        finally:
            trials._proved = proved


def informative_row(name: str, root: Value, every: int) -> None:
    leaves = [v for v in topological_order(root) if not v.parents and v.label
              and v.label not in trials.TARGETS]
    counts, passed, times, too_long = [], [], [], 0
    for wrt in leaves[::every]:
        claim = correct_claim(root, wrt)
        if len(claim) > MAX_CLAIM:
            too_long += 1
            continue
        t0 = time.perf_counter()
        report = check_formula(root, wrt, claim)
        times.append(time.perf_counter() - t0)
        assert report.holds, f"{name}: the correct claim for {wrt.label} does not hold"
        counts.append(report.informative)
        passed.append(report.passed_over)
    left = f" ({too_long} left out: claim over {MAX_CLAIM:,} characters)" if too_long else ""
    print(f"| {name} | {len(counts)}{left} | {min(counts)} | {statistics.median(counts):g} | "
          f"{statistics.median(passed):g} | {max(passed)} | "
          f"{statistics.median(times) * 1e3:.1f} |")


if __name__ == "__main__":
    against_before(main())
    first_call()
    time_split()
    informative_table()
