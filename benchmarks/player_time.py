"""The interactive player in Debian's Chromium: how long `setValue` takes to update every
shown number, how big a saved page is, and how long a page takes to be ready.

Two graphs: the students network (`nn.examples.student_forward()`) and micrograd's
`MLP(2, [16, 16, 1])` on one sample with a squared error. In each page, positioned one
step before the end of the backward pass, 50 calls of ``player.setValue(label, x)`` (x
varying) are timed with ``performance.now()`` inside the page, so no Playwright round trip
is counted. Beside them, in the same page and loop:

- *+ layout*: `setValue` then a forced layout (``root.offsetHeight``), i.e. until the browser
  knows where every new text goes (painting is not counted);
- *one step* (the reference): `stepForward()` then `stepBack()`, halved: what pressing →
  costs, every shown number and colour written again without recomputing anything;
- *engine*: the Python engine rebuilding the same graph at that value and running
  `backward()` (timeit), for context.

Chromium rounds ``performance.now()`` to 0.1 ms (with jitter, so means stay unbiased):
ratios use means, taken after an untimed warm-up pass. After the last call the page's
`state()` must equal the Python engine rebuilt at that value within 1e-12 relative, or the
script stops.

Run: .venv/bin/python benchmarks/player_time.py
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.browser

from autograd import Value  # noqa: E402
from autograd.graph import topological_order  # noqa: E402
from autograd.player import play  # noqa: E402
from nn import MLP  # noqa: E402
from nn.examples import student_forward, student_network  # noqa: E402
from tests.browser import page  # noqa: E402

CALLS = 50
LOADS = 5
READY = "[data-backprop-player][data-ready='1']"

_TIME_SET_VALUE = """([label, xs]) => {
  const root = document.querySelector('[data-backprop-player]'), player = root.player;
  for (const x of xs) player.setValue(label, x);  // warm up (compile the code) untimed
  player.end(); player.stepBack();  // mid-backward pass: gradients shown too
  const set = [], laid = [], step = [];
  for (const x of xs) {
    let t = performance.now();
    if (!player.setValue(label, x)) throw new Error('setValue refused ' + x);
    set.push(performance.now() - t);
    t = performance.now();
    player.setValue(label, x);
    root.offsetHeight;  // force style and layout of the updated texts
    laid.push(performance.now() - t);
    t = performance.now();
    player.stepForward(); player.stepBack();
    step.push((performance.now() - t) / 2);
  }
  player.end();
  return {set, laid, step, state: player.state()};
}"""


class Case:
    """A graph the player shows, rebuilt by the engine with one labelled leaf at ``x``."""

    def __init__(self, name: str, leaf: Value, forward: Callable[[], Value],
                 zero_grad: Callable[[], None], target_ms: float) -> None:
        self.name, self.leaf, self.label = name, leaf, leaf.label
        self._forward, self._zero_grad, self.target_ms = forward, zero_grad, target_ms
        self.x0 = leaf.data

    def build(self, x: float) -> Value:
        self.leaf.data = x
        self._zero_grad()
        return self._forward()

    def engine(self, x: float) -> tuple[dict[str, float], dict[str, float]]:
        root = self.build(x)
        root.backward()
        order = [v for v in topological_order(root) if v.label]
        return {v.label: v.data for v in order}, {v.label: v.grad for v in order}

    def xs(self) -> list[float]:
        return [self.x0 + 0.05 * math.sin(i) for i in range(CALLS)]


def student() -> Case:
    net = student_network()
    w1 = next(p for p in net.parameters() if p.label == "w1")
    return Case("students network", w1, lambda: student_forward(model=net)["L"],
                net.zero_grad, 5.0)


def mlp() -> Case:
    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    return Case("MLP(2, [16, 16, 1])", model.parameters()[0],
                lambda: (model([0.5, -1.0]) - 1.0) ** 2, model.zero_grad, 50.0)


def check(case: Case, state: dict[str, Any], x: float) -> None:
    """Fail loudly unless the page shows what the engine computes at ``x``."""
    values, grads = case.engine(x)
    for name, want, got in (("value", values, state["values"]), ("grad", grads, state["grads"])):
        if want.keys() != got.keys():
            raise SystemExit(f"{case.name}: the page's labels differ from the engine's")
        wrong = [k for k in want if not math.isclose(want[k], got[k], rel_tol=1e-12)]
        if wrong:
            raise SystemExit(f"{case.name}: {name} of {wrong[0]} is {got[wrong[0]]!r} in the "
                             f"page, {want[wrong[0]]!r} in the engine")


def engine_ms(case: Case, number: int = 50) -> float:
    best = min(timeit.repeat(lambda: case.build(case.x0).backward(), number=number, repeat=7))
    return 1000 * best / number


def load_ms(p: Any, path: Path) -> tuple[float, float]:
    times = []
    for _ in range(LOADS):
        t0 = time.perf_counter()
        p.goto(path.as_uri())
        p.wait_for_selector(READY, timeout=60_000)
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times), min(times)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    cases = [student(), mlp()]
    pages = {(c.name, "dot"): play(c.build(c.x0), layout="dot").save(folder / f"{i}.html")
             for i, c in enumerate(cases)}
    pages[cases[0].name, "browser"] = play(cases[0].build(cases[0].x0),
                                           layout="browser").save(folder / "browser.html")

    print(f"setValue, every shown number updated: ms per call, {CALLS} calls; ratios of means\n")
    print("| graph | Values | median | best | mean | + layout, median | one step, mean "
          "| setValue / step | engine rebuild + backward | setValue / engine | target |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with page() as p:
        errors: list[str] = []
        p.on("pageerror", lambda e: errors.append(str(e)))
        for case in cases:
            p.goto(pages[case.name, "dot"].as_uri())
            p.wait_for_selector(READY, timeout=60_000)
            xs = case.xs()
            got = p.evaluate(_TIME_SET_VALUE, [case.label, xs])
            check(case, got["state"], xs[-1])
            mean_set, mean_step = statistics.mean(got["set"]), statistics.mean(got["step"])
            engine = engine_ms(case)
            size = len(topological_order(case.build(case.x0)))
            print(f"| {case.name} | {size} | {statistics.median(got['set']):.1f} "
                  f"| {min(got['set']):.1f} | {mean_set:.2f} "
                  f"| {statistics.median(got['laid']):.1f} | {mean_step:.2f} "
                  f"| {mean_set / mean_step:.2f} | {engine:.2f} | {mean_set / engine:.1f} "
                  f"| < {case.target_ms:g} |")

        print("\nSaved pages and load to ready (goto the file until data-ready=\"1\"; "
              f"median and best of {LOADS})\n")
        print("| page | bytes | load median | load best |")
        print("| --- | ---: | ---: | ---: |")
        for (name, layout), path in pages.items():
            median, best = load_ms(p, path)
            print(f"| {name}, layout=\"{layout}\" | {path.stat().st_size:,} "
                  f"| {median:.0f} ms | {best:.0f} ms |")
        if errors:
            raise SystemExit(f"the page reported errors: {errors}")


if __name__ == "__main__":
    main()
