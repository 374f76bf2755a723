"""Informative trial points: `check_formula` tries a correct claim at points that tell.

For every labelled parameter and input of the four articles' networks, a tanh neuron with a
squared error and MLP(2, [4, 4, 1]) with sigmoid layers and binary cross-entropy, the
correct claim (the sum over explain()'s paths, built by tests/slip_corpus.py) must be
informative at no fewer than 40 of its 48 points. The checker's counts are not taken on
trust: at the points reports give (the graph's own point, the worst one, and the one point
drawn by checks of two points under ten seeds), the graph is re-run here with plain floats;
every sigmoid and tanh between wrt and the root must have a derivative of at least 0.01,
and the gradient by central differences must be clearly away from 0 and equal to the
engine's number there.

sympy's exact proof is switched off (as when sympy is missing): it does not choose points,
and proving the deep networks' claims would take seconds each. Run with ``-s`` to see the
informative counts per network.
"""

from __future__ import annotations

import importlib
import math
import random
import statistics
from collections.abc import Callable, Iterator, Mapping

import pytest
from slip_corpus import FORWARD, SPECS, factor_text, render, sigmoid

from autograd import Value, check_formula, explain
from autograd.claims.reading import ClaimError
from autograd.claims.report import Comparison, FormulaCheck
from autograd.graph import topological_order
from nn import MLP
from nn.losses import bce

POINTS = 48
LEAST_INFORMATIVE = 40
"""The goal: at least this many of the 48 points informative for a correct claim."""
FLAT = 0.01
"""A sigmoid or tanh whose derivative is below this is saturated (the issue's threshold)."""
NOT_ZERO = 1e-7
"""A gradient this far from 0 is clearly not 0 (central differences err by ~1e-9 here)."""
TARGET = 1.0


# ---- the networks ---------------------------------------------------------------------


def tanh_neuron(b: float = 0.1) -> Value:
    """z = w·x + b, ŷ = tanh(z), L = (ŷ − y)² with y = 1 a leaf labelled y."""
    w, x, bias, y = (Value(v, label=n) for v, n in ((0.5, "w"), (2.0, "x"), (b, "b"),
                                                    (TARGET, "y")))
    z = w * x + bias
    z.label = "z"
    y_hat = z.tanh()
    y_hat.label = "ŷ"
    loss = (y_hat - y) ** 2
    loss.label = "L"
    return loss


def sigmoid_mlp() -> Value:
    """MLP(2, [4, 4, 1]), sigmoid hidden and output layers, bce with target 1; each
    neuron's weighted sum labelled z<k> and its activation a<k> (the output ŷ)."""
    model = MLP(2, [4, 4, 1], "sigmoid", "sigmoid", rng=random.Random(0))
    out: list[Value] = [Value(0.5, label="x1"), Value(-1.0, label="x2")]
    k = 0
    for layer in model.layers:
        out = [neuron(out) for neuron in layer.neurons]
        for a in out:
            k += 1
            a.parents[0].label, a.label = f"z{k}", f"a{k}"
    out[0].label = "ŷ"
    return bce(out[0], TARGET)


def _article(name: str) -> Callable[[], Value]:
    spec = next(s for s in SPECS if s.name == name)
    return lambda: spec.forward()[spec.root]


NETWORKS: dict[str, Callable[[], Value]] = {
    **{s.name: _article(s.name) for s in SPECS},
    "tanh neuron": tanh_neuron,
    "MLP(2, [4, 4, 1]) sigmoid, bce": sigmoid_mlp,
}


def labelled(root: Value) -> dict[str, Value]:
    return {v.label: v for v in topological_order(root) if v.label}


def parameters_and_inputs(root: Value) -> list[Value]:
    """The labelled leaves but the target y."""
    return [v for v in topological_order(root) if not v.parents and v.label and v.label != "y"]


def correct_claim(root: Value, wrt: Value) -> str:
    return render([[factor_text(f) for f in p.factors] for p in explain(root, wrt).paths])


@pytest.fixture(scope="module", autouse=True)
def no_proofs() -> Iterator[None]:
    # "cannot tell", what sympy says when it gives up: the floats decide alone
    with pytest.MonkeyPatch.context() as patch:
        symbolic = importlib.import_module("autograd.symbolic")
        patch.setattr(symbolic, "prove_equal", lambda *args, **kwargs: None)
        yield


# ---- the independent oracle: the graph re-run on plain floats (slip_corpus.FORWARD) ------


_SLOPE: dict[str, Callable[[float], float]] = {
    "sigmoid": lambda a: sigmoid(a) * (1.0 - sigmoid(a)),
    "tanh": lambda a: 1.0 - math.tanh(a) ** 2,
}


def run(root: Value, at: Mapping[str, float], moved: Value | None = None,
        by: float = 0.0) -> dict[Value, float]:
    """Every Value's number with the labelled leaves at ``at`` (others keep theirs)."""
    data: dict[Value, float] = {}
    for v in topological_order(root):
        if not v.parents:
            data[v] = (at[v.label] if v.label else v.data) + (by if v is moved else 0.0)
        else:
            data[v] = float(FORWARD[v.op](*[data[p] for p in v.parents]))
    return data


def downstream(root: Value, wrt: Value) -> set[Value]:
    reached = {wrt}
    for v in topological_order(root):
        if any(p in reached for p in v.parents):
            reached.add(v)
    return reached


def flattest(root: Value, wrt: Value, at: Mapping[str, float]) -> float:
    """The smallest derivative of a sigmoid or tanh between wrt and the root (inf: none)."""
    data = run(root, at)
    return min((_SLOPE[v.op](data[v.parents[0]]) for v in downstream(root, wrt)
                if v.op in _SLOPE), default=math.inf)


def slope(root: Value, wrt: Value, at: Mapping[str, float]) -> float | None:
    """∂root/∂wrt by central differences; None when a ReLU's input changes sign between
    the two sides (a kink, no slope to compare)."""
    h = 1e-6 * max(1.0, abs(at[wrt.label]))
    up, down = run(root, at, wrt, h), run(root, at, wrt, -h)
    kinks = [v.parents[0] for v in up if v.op == "relu"]
    if any((up[z] > 0) != (down[z] > 0) for z in kinks):
        return None
    return (up[root] - down[root]) / (2 * h)


def assert_informative(root: Value, wrt: Value, c: Comparison, where: str) -> None:
    """The point tells: no sigmoid or tanh flat on a path from wrt, a gradient clearly not
    0, and that gradient is the engine's number reported there."""
    assert set(c.at) == {v.label for v in topological_order(root) if not v.parents and v.label}
    flat = flattest(root, wrt, c.at)
    assert flat >= FLAT, f"{where}: a sigmoid/tanh is saturated (derivative {flat:.3g}) at {c.at}"
    numeric = slope(root, wrt, c.at)
    if numeric is not None:
        assert abs(numeric) > NOT_ZERO, f"{where}: the gradient is ~0 ({numeric:.3g}) at {c.at}"
        assert math.isclose(numeric, c.engine, rel_tol=1e-4, abs_tol=1e-8), (where, c)


def assert_uninformative(root: Value, wrt: Value, c: Comparison, where: str) -> None:
    flat = flattest(root, wrt, c.at)
    numeric = slope(root, wrt, c.at)
    assert flat < FLAT or (numeric is not None and abs(numeric) < 1e-8), (where, c)


def check(root: Value, wrt: Value, claim: str, **options: object) -> FormulaCheck:
    return check_formula(root, wrt, claim, **options)  # type: ignore[arg-type]


def kept_points(root: Value, wrt: Value, claim: str, seeds: int = 10,
                **options: object) -> list[Comparison]:
    """Points checks kept and counted informative: the worst of two points (the graph's
    and one drawn) under each of ``seeds`` seeds. A check of two points is patient for 16
    draws only, then takes a point that tells little; a seed where neither point is
    informative is left out."""
    reports = [check(root, wrt, claim, points=2, seed=seed, **options)
               for seed in range(seeds)]
    return [r.worst for r in reports if r.informative]


# ---- the goal: correct claims informative at 40 of 48 points or more -------------------


@pytest.mark.parametrize("network", NETWORKS)
def test_correct_claims_are_informative_at_40_of_48_points(network: str) -> None:
    root = NETWORKS[network]()
    counts, passed_over = [], []
    wrts = parameters_and_inputs(root)
    for wrt in wrts:
        report = check(root, wrt, correct_claim(root, wrt))
        where = f"{network}, ∂/∂{wrt.label}"
        assert report.holds and report.points == POINTS, where
        assert report.informative >= LEAST_INFORMATIVE, (where, report.uninformative)
        assert report.agreed == report.informative, where
        assert sum(n for _, n in report.uninformative) == POINTS - report.informative, where
        # the graph's own point is where the graph is
        assert report.here.at == {v.label: v.data for v in topological_order(root)
                                  if not v.parents and v.label}, where
        (assert_informative if report.here_informative else assert_uninformative)(
            root, wrt, report.here, where + ", the graph's point")
        assert_informative(root, wrt, report.worst, where + ", the worst point")
        counts.append(report.informative)
        passed_over.append(report.passed_over)
    assert len(wrts) >= 3
    print(f"\n{network}: {len(wrts)} derivatives, informative points min {min(counts)}, "
          f"median {statistics.median(counts):g} of {POINTS}; passed over: median "
          f"{statistics.median(passed_over):g}, max {max(passed_over)}")


@pytest.mark.parametrize("network", NETWORKS)
def test_the_points_drawn_are_informative(network: str) -> None:
    # ∂/∂w of the first weight w that multiplies an input x, with x set to 0: at the
    # graph's own point the gradient and the claim are both 0, so the worst of a check at
    # two points is the one point it drew and kept, a different one for each seed.
    root = NETWORKS[network]()
    w, x = next(v.parents[:2] for v in topological_order(root) if v.op in ("dot", "mul")
                and all(not p.parents and p.label for p in v.parents[:2]))
    x.data = 0.0
    claim = correct_claim(root, w)
    report = check(root, w, claim)
    assert report.holds and not report.here_informative
    assert report.informative >= LEAST_INFORMATIVE
    assert_uninformative(root, w, report.here, f"{network}, x = 0")
    kept = kept_points(root, w, claim)
    assert len(kept) >= 8
    for c in kept:
        assert_informative(root, w, c, f"{network}, ∂/∂{w.label}, a point drawn")
    assert len({tuple(sorted(c.at.items())) for c in kept}) == len(kept)


# ---- a slip is seen: the sign-error claim on the tanh neuron ---------------------------


@pytest.mark.parametrize("wrt, written", [
    ("w", "−2·(ŷ − y)·(1 − ŷ²)·x"),
    ("x", "−2·(ŷ − y)·(1 − ŷ²)·w"),
    ("b", "−2·(ŷ − y)·(1 − ŷ²)"),
])
def test_a_sign_error_disagrees_at_40_informative_points(wrt: str, written: str) -> None:
    root = tanh_neuron()
    v = labelled(root)[wrt]
    assert check(root, v, written.replace("−2·", "2·", 1)).holds  # the claim without the slip
    report = check(root, v, written)
    assert not report.holds
    assert report.informative - report.agreed >= LEAST_INFORMATIVE, report.uninformative
    assert_informative(root, v, report.worst, f"sign error, ∂L/∂{wrt}")
    numeric = slope(root, v, report.worst.at)
    assert numeric is not None
    assert math.isclose(report.worst.claimed, -numeric, rel_tol=1e-4), report.worst


# ---- held, varied and fixed leaves -----------------------------------------------------

TANH_CLAIM = "2·(ŷ − y)·(1 − ŷ²)·x"


def test_the_target_y_keeps_its_value_at_every_point_reported() -> None:
    # b = 5: tanh is flat at the graph's own point, so the worst points shown are drawn
    root = tanh_neuron(b=5.0)
    for wrt in parameters_and_inputs(root):
        claim = correct_claim(root, wrt)
        report = check(root, wrt, claim)
        assert report.held == ("y",) and report.holds
        kept = [report.worst, *kept_points(root, wrt, claim, seeds=6)]
        assert len({c.at[wrt.label] for c in kept}) >= 5, "not points drawn"
        for c in [report.here, *kept]:
            assert c.at["y"] == TARGET, c
            numeric = slope(root, wrt, c.at)  # and the engine's number is at y = 1
            assert numeric is not None and math.isclose(numeric, c.engine, rel_tol=1e-4)


def test_vary_redraws_y() -> None:
    root = tanh_neuron()
    w = labelled(root)["w"]
    report = check(root, w, TANH_CLAIM, vary=["y"])
    assert report.holds and report.held == ()
    assert report.informative >= LEAST_INFORMATIVE
    kept = [report.worst, *kept_points(root, w, TANH_CLAIM, vary=["y"])]
    ys = {c.at["y"] for c in kept}
    assert len(ys - {TARGET}) >= 3, ys
    for c in kept:
        assert_informative(root, w, c, "vary=['y']")  # the engine's number is at that y


def test_fixed_holds_x() -> None:
    # b = 5: tanh is flat at the graph's own point (z = 6), so the points shown are drawn
    root = tanh_neuron(b=5.0)
    w = labelled(root)["w"]
    report = check(root, w, TANH_CLAIM, fixed=["x"])
    assert report.holds and set(report.held) == {"x", "y"}
    assert report.informative >= LEAST_INFORMATIVE
    assert not report.here_informative
    assert_uninformative(root, w, report.here, "fixed=['x'], the graph's point")
    kept = [report.worst, *kept_points(root, w, TANH_CLAIM, fixed=["x"])]
    assert {c.at["x"] for c in kept} | {report.here.at["x"]} == {2.0}
    assert len({c.at["w"] for c in kept}) >= 8  # w and b are still redrawn
    assert len({c.at["b"] for c in kept}) >= 8
    for c in kept:
        assert_informative(root, w, c, "fixed=['x']")


@pytest.mark.parametrize("by_value", [False, True])
def test_fixed_and_varied_at_once_is_an_error(by_value: bool) -> None:
    root = tanh_neuron()
    v = labelled(root)
    x: str | Value = v["x"] if by_value else "x"
    with pytest.raises(ClaimError, match=r"\bx\b.*both fixed and varied"):
        check(root, v["w"], TANH_CLAIM, fixed=[x], vary=["x"])


@pytest.mark.parametrize("name", ["z", "ŷ", "nope"])
def test_a_fixed_name_that_is_not_a_leaf_names_the_leaves(name: str) -> None:
    root = tanh_neuron()
    with pytest.raises(ClaimError) as caught:
        check(root, labelled(root)["w"], TANH_CLAIM, fixed=[name])
    message = str(caught.value)
    assert name in message and "\n" not in message
    _, leaves = message.rsplit(":", 1)
    assert {s.strip() for s in leaves.split(",")} == {"w", "x", "b", "y"}, message
