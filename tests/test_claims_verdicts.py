"""check_formula and check_numbers: verdicts on learners' claims, judged against plain floats.

The networks are rebuilt here from explicit labelled Values: the students network of the
first article, *What is Neural Network?* (x1, x2 → ReLU h1, h2 → sigmoid ŷ → binary
cross-entropy L), and the 2-2-1 worked example of the third article (the blog post with every
number written out). Every expected number is computed in this file with `math` or by central
differences, never taken from the checker's own output.
"""

from __future__ import annotations

import json
import math
import random

import pytest
from conftest import central_difference

import autograd
from autograd import Value
from autograd.claims import ClaimError, check_formula, check_numbers

CATEGORIES = {"missing factor", "extra factor", "wrong factor", "value for derivative",
              "wrong derivative", "wrong argument", "two slips", "missing path",
              "sign error", "constant factor", "wrong number", "disagrees"}


# ---- the first article's students network, as Values and as plain floats -----------------

STUDENT_POINT = {"x1": 2.0, "x2": 5.0, "w1": 0.1, "w2": 0.1, "b1": 0.1, "w3": 0.2, "w4": 0.1,
                 "b2": 0.1, "w5": 0.35, "w6": 0.15, "b3": 0.1, "y": 0.0}
"""Both ReLUs active here: z1 = 0.8, z2 = 1.0; z3 = 0.53, ŷ = σ(0.53) ≈ 0.6295."""


def student_graph(point: dict[str, float] = STUDENT_POINT) -> dict[str, Value]:
    v = {name: Value(x, label=name) for name, x in point.items()}
    z1 = v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b1"]
    z1.label = "z1"
    h1 = z1.relu()
    h1.label = "h1"
    z2 = v["w3"] * v["x1"] + v["w4"] * v["x2"] + v["b2"]
    z2.label = "z2"
    h2 = z2.relu()
    h2.label = "h2"
    z3 = v["w5"] * h1 + v["w6"] * h2 + v["b3"]
    z3.label = "z3"
    y_hat = z3.sigmoid()
    y_hat.label = "ŷ"
    y = v["y"]
    loss = -(y * y_hat.log() + (1 - y) * (1 - y_hat).log())
    loss.label = "L"
    return {**v, "z1": z1, "h1": h1, "z2": z2, "h2": h2, "z3": z3, "ŷ": y_hat, "L": loss}


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def step(z: float) -> float:
    return 1.0 if z > 0 else 0.0


def student_forward(p: dict[str, float]) -> dict[str, float]:
    """The network on plain floats."""
    z1 = p["w1"] * p["x1"] + p["w2"] * p["x2"] + p["b1"]
    z2 = p["w3"] * p["x1"] + p["w4"] * p["x2"] + p["b2"]
    h1, h2 = max(0.0, z1), max(0.0, z2)
    z3 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    y_hat = sigmoid(z3)
    saturated = not 0 < y_hat < 1  # the gradients below do not need L
    loss = math.inf if saturated else -(p["y"] * math.log(y_hat)
                                         + (1 - p["y"]) * math.log(1 - y_hat))
    return {"z1": z1, "z2": z2, "h1": h1, "h2": h2, "z3": z3, "ŷ": y_hat, "L": loss}


def student_gradient(p: dict[str, float], wrt: str) -> float:
    """∂L/∂wrt by the chain rule written out on floats (checked against central differences
    in `test_the_float_oracle_matches_central_differences`)."""
    f = student_forward(p)
    dz3 = f["ŷ"] - p["y"]
    dz1 = dz3 * p["w5"] * step(f["z1"])
    dz2 = dz3 * p["w6"] * step(f["z2"])
    return {
        "w1": dz1 * p["x1"], "w2": dz1 * p["x2"], "b1": dz1,
        "w3": dz2 * p["x1"], "w4": dz2 * p["x2"], "b2": dz2,
        "w5": dz3 * f["h1"], "w6": dz3 * f["h2"], "b3": dz3,
        "x1": dz1 * p["w1"] + dz2 * p["w3"], "x2": dz1 * p["w2"] + dz2 * p["w4"],
    }[wrt]


def test_the_float_oracle_matches_central_differences():
    rng = random.Random(5)
    names = list(STUDENT_POINT)
    points = [dict(STUDENT_POINT)] + [
        {k: rng.uniform(-2, 2) if k != "y" else rng.choice([0.0, 1.0]) for k in names}
        for _ in range(20)
    ]
    for p in points:
        f = student_forward(p)
        if abs(f["z1"]) < 1e-3 or abs(f["z2"]) < 1e-3:
            continue  # a ReLU kink: no derivative to compare
        for wrt in ["w1", "w2", "b1", "w3", "w4", "b2", "w5", "w6", "b3", "x1", "x2"]:
            i = names.index(wrt)

            def loss(xs, names=names):
                return student_forward(dict(zip(names, xs)))["L"]

            fd = central_difference(loss, [p[k] for k in names], i)
            assert student_gradient(p, wrt) == pytest.approx(fd, rel=1e-5, abs=1e-7)


def claim_at(claim: str, p: dict[str, float]) -> float:
    """The few wrong claims used below, written out on floats."""
    f = student_forward(p)
    d = f["ŷ"] - p["y"]
    return {
        "(ŷ - y) * w5 * x1": d * p["w5"] * p["x1"],
        "(ŷ - y) * ŷ * (1 - ŷ) * w5 * step(z1) * x1":
            d * f["ŷ"] * (1 - f["ŷ"]) * p["w5"] * step(f["z1"]) * p["x1"],
        "(ŷ - y) * w6 * step(z1) * x1": d * p["w6"] * step(f["z1"]) * p["x1"],
        "(y - ŷ) * w5 * step(z1) * x1": -d * p["w5"] * step(f["z1"]) * p["x1"],
        "2 * (ŷ - y) * w5 * step(z1) * x1": 2 * d * p["w5"] * step(f["z1"]) * p["x1"],
    }[claim]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


# ---- claims that hold ------------------------------------------------------------------------

PASSING = [
    ("w1", "(ŷ - y) * w5 * step(z1) * x1"),
    ("w1", "x1 · ReLU'(z1) · w5 · (ŷ − y)"),  # factor order, Unicode dot and minus
    ("w1", "(ŷ − y) × w5 × ReLU'(z1) × x1"),
    ("w1", "(σ(z3) - y)*w5*relu'(z1)*x1"),
    ("w1", "(sigmoid(z3) - y)*w5*step(z1)*x1"),
    ("w2", "(ŷ - y) * w5 * ReLU'(z1) * x2"),
    ("w3", "(ŷ - y) * w6 * ReLU'(z2) * x1"),
    ("w4", "(ŷ - y) * w6 * ReLU'(z2) * x2"),
    ("b1", "(ŷ - y) * w5 * ReLU'(z1)"),
    ("b2", "(ŷ - y) * w6 * ReLU'(z2)"),
    ("w5", "(ŷ - y) * h1"),
    ("w5", "(ŷ - y) * relu(z1)"),
    ("w6", "(ŷ - y) * h2"),
    ("b3", "ŷ − y"),
    ("x1", "(ŷ - y)*(w5*step(z1)*w1 + w6*step(z2)*w3)"),  # two paths
    ("x2", "(ŷ - y)*w5*step(z1)*w2 + (ŷ - y)*w6*step(z2)*w4"),
]


@pytest.mark.parametrize(("wrt", "claim"), PASSING)
def test_a_right_formula_holds_everywhere(wrt, claim):
    g = student_graph()
    report = check_formula(g["L"], g[wrt], claim)
    assert report.holds is True and bool(report) is True
    assert report.diagnosis is None
    assert isinstance(report.points, int) and report.points >= 2
    assert report.agreed == report.points
    assert isinstance(report.proved, bool)
    # at the current point, both numbers are the true gradient, computed here on floats
    truth = student_gradient(STUDENT_POINT, wrt)
    assert report.here.engine == pytest.approx(truth, rel=1e-9, abs=1e-12)
    assert report.here.claimed == pytest.approx(truth, rel=1e-9, abs=1e-12)
    for name, x in STUDENT_POINT.items():
        assert report.here.at[name] == pytest.approx(x)


def test_sigma_prime_is_the_sigmoids_derivative():
    g = student_graph()
    for claim in ["σ'(z3) * w5 * ReLU'(z1) * x1", "ŷ*(1 - ŷ)*w5*step(z1)*x1",
                  "σ(z3)*(1 − σ(z3))*w5*relu'(z1)*x1"]:
        report = check_formula(g["ŷ"], g["w1"], claim)
        assert report, claim
    f = student_forward(STUDENT_POINT)
    assert report.here.engine == pytest.approx(f["ŷ"] * (1 - f["ŷ"]) * 0.35 * 2.0)


def test_a_passing_check_crosses_the_relu_kinks():
    """The points tried must reach both sides of z1 = 0, or a forgotten ReLU' would pass."""
    g = student_graph()
    report = check_formula(g["L"], g["w1"], "(ŷ - y) * w5 * x1")
    assert not report
    assert report.agreed >= 1  # the current point at least
    assert report.agreed < report.points


# ---- claims that fail, with a diagnosis ------------------------------------------------------

def test_forgotten_relu_derivative_agrees_here_but_fails_elsewhere():
    g = student_graph()
    claim = "(ŷ - y) * w5 * x1"
    report = check_formula(g["L"], g["w1"], claim)
    assert report.holds is False and bool(report) is False
    assert report.proved is False
    # here, with z1 = 0.8 > 0, the claim is right: the checker must look elsewhere to see it
    truth = student_gradient(STUDENT_POINT, "w1")
    assert report.here.claimed == pytest.approx(truth, rel=1e-9)
    assert report.here.engine == pytest.approx(truth, rel=1e-9)
    # the worst point has the ReLU off; recompute both numbers there on floats
    at = {k: float(report.worst.at[k]) for k in STUDENT_POINT}
    assert student_forward(at)["z1"] <= 0
    assert close(report.worst.engine, student_gradient(at, "w1"))
    assert close(report.worst.claimed, claim_at(claim, at))
    assert abs(report.worst.claimed - report.worst.engine) > 1e-6
    assert report.diagnosis.category == "missing factor"
    assert "∂h1/∂z1" in report.diagnosis.message
    assert "∂h1/∂z1" in str(report)


@pytest.mark.parametrize(("claim", "category", "mentions"), [
    ("(ŷ - y) * ŷ * (1 - ŷ) * w5 * step(z1) * x1", "extra factor", ["ŷ", "z3"]),
    ("(ŷ - y) * w6 * step(z1) * x1", "wrong factor", ["∂z3/∂h1"]),
    ("(y - ŷ) * w5 * step(z1) * x1", "sign error", []),
    ("2 * (ŷ - y) * w5 * step(z1) * x1", "constant factor", []),
])
def test_a_wrong_factor_is_diagnosed(claim, category, mentions):
    g = student_graph()
    report = check_formula(g["L"], g["w1"], claim)
    assert not report and report.holds is False and report.proved is False
    assert report.agreed < report.points
    # the numbers the report shows are right, recomputed here
    assert report.here.engine == pytest.approx(student_gradient(STUDENT_POINT, "w1"))
    assert report.here.claimed == pytest.approx(claim_at(claim, STUDENT_POINT))
    at = {k: float(report.worst.at[k]) for k in STUDENT_POINT}
    assert close(report.worst.engine, student_gradient(at, "w1"))
    assert close(report.worst.claimed, claim_at(claim, at))
    assert report.diagnosis.category == category
    message = report.diagnosis.message
    assert isinstance(message, str) and message
    if mentions:
        assert any(m in message for m in mentions), message


def test_a_forgotten_path_in_the_diamond_is_a_missing_path():
    g = student_graph()
    report = check_formula(g["L"], g["x1"], "(ŷ - y)*w5*step(z1)*w1")
    assert not report
    f = student_forward(STUDENT_POINT)
    here = (f["ŷ"] - 0.0) * 0.35 * 1 * 0.1
    assert report.here.claimed == pytest.approx(here)
    assert report.here.engine == pytest.approx(student_gradient(STUDENT_POINT, "x1"))
    assert report.diagnosis.category == "missing path"
    message = report.diagnosis.message
    assert any(name in message for name in ["h2", "z2", "w3", "w6"]), message


@pytest.mark.parametrize("claim", [
    "(ŷ - y) * w5 * x1", "(ŷ - y) * w6 * step(z1) * x1", "x1 + w5", "0.5", "h1 * h2",
    "(ŷ - y) * ŷ * (1 - ŷ) * w5 * step(z1) * x1",
])
def test_every_failure_has_a_known_category_and_a_message(claim):
    g = student_graph()
    report = check_formula(g["L"], g["w1"], claim)
    assert not report and report.diagnosis is not None
    assert report.diagnosis.category in CATEGORIES
    assert isinstance(report.diagnosis.message, str) and report.diagnosis.message.strip()
    assert str(report).strip()


# ---- number claims ---------------------------------------------------------------------------

def true_dL_dw1() -> float:
    y_hat = sigmoid(0.35 * 0.8 + 0.15 * 1.0 + 0.1)  # z1 = 0.8, z2 = 1.0, both ReLUs on
    return (y_hat - 0.0) * 0.35 * 1 * 2.0  # ≈ 0.440638


def test_the_number_oracle():
    assert true_dL_dw1() == pytest.approx(student_gradient(STUDENT_POINT, "w1"), rel=1e-12)
    assert 0.44063 < true_dL_dw1() < 0.44064


def test_a_number_at_four_decimals():
    g = student_graph()
    value = true_dL_dw1()
    right = check_formula(g["L"], g["w1"], f"{value:.4f}")
    assert right and right.diagnosis is None
    assert right.here.engine == pytest.approx(value)
    for off in (+2e-4, -2e-4):
        wrong = check_formula(g["L"], g["w1"], f"{value + off:.4f}")
        assert not wrong, f"{value + off:.4f}"
        assert wrong.diagnosis.category == "wrong number"


@pytest.mark.parametrize(("claim", "holds"), [
    ("0.44", True),     # 2 decimals: within 0.005 of 0.440638
    ("0.45", False),
    ("0.43", False),
    ("0.441", True),    # 3 decimals: |0.440638 - 0.441| = 0.00036 < 0.0005
    ("0.440", False),   # 3 decimals written: 0.00064 > 0.0005, although "0.44" holds
    ("0.4406", True),
    ("0.4407", False),  # 0.000062 > 0.00005
    ("0.4", True),      # 1 decimal: within 0.05
    ("0.5", False),
    ("0.440638", True),
    ("0.440630", False),
])
def test_a_number_is_judged_at_its_printed_precision(claim, holds):
    g = student_graph()
    report = check_formula(g["L"], g["w1"], claim)
    assert bool(report) is holds
    if not holds:
        assert report.diagnosis.category == "wrong number"


def test_a_number_is_compared_at_the_current_point_only():
    g = student_graph()
    report = check_formula(g["L"], g["w1"], "0.4406")
    assert report  # it would be wrong at almost any other point
    assert report.points == 1 and report.agreed == 1


def test_a_negative_number():
    g = student_graph({**STUDENT_POINT, "y": 1.0})
    value = true_dL_dw1() - 1.0 * 0.35 * 2.0  # (ŷ - 1)·w5·x1 < 0
    assert check_formula(g["L"], g["w1"], f"{value:.4f}")
    assert not check_formula(g["L"], g["w1"], f"{-value:.4f}")


# ---- check_numbers on the third article's worked example --------------------------------------

def simplenn_graph() -> dict[str, Value]:
    """x = [1, 2], y = 1, W1 = [[0.2, 0.4], [0.1, 0.6]], b1 = [0.3, 0.5], W2 = [0.7, 0.9],
    b2 = 0.2; ReLU hidden layer, sigmoid output, binary cross-entropy."""
    p = {"x1": 1.0, "x2": 2.0, "w11": 0.2, "w12": 0.4, "w21": 0.1, "w22": 0.6, "c1": 0.3,
         "c2": 0.5, "v1": 0.7, "v2": 0.9, "c3": 0.2, "y": 1.0}
    v = {name: Value(x, label=name) for name, x in p.items()}
    u1 = v["w11"] * v["x1"] + v["w12"] * v["x2"] + v["c1"]
    u1.label = "u1"
    a1 = u1.relu()
    a1.label = "a1"
    u2 = v["w21"] * v["x1"] + v["w22"] * v["x2"] + v["c2"]
    u2.label = "u2"
    a2 = u2.relu()
    a2.label = "a2"
    z2 = v["v1"] * a1 + v["v2"] * a2 + v["c3"]
    z2.label = "z2"
    y_hat = z2.sigmoid()
    y_hat.label = "ŷ"
    loss = -(v["y"] * y_hat.log() + (1 - v["y"]) * (1 - y_hat).log())
    loss.label = "L"
    return {**v, "u1": u1, "a1": a1, "u2": u2, "a2": a2, "z2": z2, "ŷ": y_hat, "L": loss}


# the true numbers, on floats
SN_Z2 = 0.7 * 1.3 + 0.9 * 1.8 + 0.2              # 2.73
SN_YHAT = sigmoid(SN_Z2)                          # 0.938774
SN_LOSS = -math.log(SN_YHAT)                      # 0.063181
SN_DZ2 = SN_YHAT - 1.0                            # -0.061226
SN_DA1 = SN_DZ2 * 0.7                             # -0.042858


def test_the_third_articles_true_numbers():
    assert SN_Z2 == pytest.approx(2.73)
    assert 0.93877 < SN_YHAT < 0.93878
    assert 0.06318 < SN_LOSS < 0.06319


def test_check_numbers_flags_the_articles_slips():
    g = simplenn_graph()
    report = check_numbers(g["L"], {
        "u1": 1.3, "a2": 1.8,          # right
        "z2": 3.18,                    # the article's slip; true 2.73
        "ŷ": 0.938,                    # a truncation of 0.938774: 3 decimals accept 0.9375..0.9385
        "L": 0.064,                    # from the truncated ŷ; true 0.063181
        "∂L/∂v1": -0.0806,             # article; true -0.079594
        "∂L/∂v2": -0.1116,             # article; true -0.110207
        "∂L/∂w11": -0.02796,           # article's stale upstream gradient; true -0.042858
        "∂L/∂c3": "-0.0612",           # right (the article never gives it)
        "dL/dw12": -0.0857,            # right: ∂L/∂a1·x2 = -0.085717
    })
    assert not report
    by_name = {row.name: row for row in report.rows}
    assert set(by_name) == {"u1", "a2", "z2", "ŷ", "L", "∂L/∂v1", "∂L/∂v2", "∂L/∂w11",
                            "∂L/∂c3", "dL/dw12"}
    expected = {"u1": 1.3, "a2": 1.8, "z2": SN_Z2, "ŷ": SN_YHAT, "L": SN_LOSS,
                "∂L/∂v1": SN_DZ2 * 1.3, "∂L/∂v2": SN_DZ2 * 1.8, "∂L/∂w11": SN_DA1 * 1.0,
                "∂L/∂c3": SN_DZ2, "dL/dw12": SN_DA1 * 2.0}
    for name, truth in expected.items():
        assert by_name[name].engine == pytest.approx(truth, rel=1e-9), name
    wrong = {"z2", "ŷ", "L", "∂L/∂v1", "∂L/∂v2", "∂L/∂w11"}
    for name, row in by_name.items():
        assert row.ok is (name not in wrong), name
    assert {row.name for row in report.wrong} == wrong
    assert float(by_name["z2"].claimed) == 3.18
    assert float(by_name["∂L/∂c3"].claimed) == -0.0612
    text = str(report)
    for name in wrong:  # each disagreement shown with the right number
        row = by_name[name]
        assert name in text
        assert any(f"{row.engine:.{d}f}" in text for d in range(2, 8)), (name, text)


@pytest.mark.parametrize(("claim", "ok"), [
    (0.96, False),        # the article's other ŷ
    (0.938, False),       # truncated, not rounded
    (0.939, True),        # 3 decimals: |0.938774 - 0.939| < 0.0005
    ("0.9390", False),    # the string keeps 4 decimals: 0.000226 > 0.00005
    ("0.9388", True),
    (0.94, True),
    ("0.9380", False),
])
def test_check_numbers_reads_precision_from_the_printed_number(claim, ok):
    g = simplenn_graph()
    report = check_numbers(g["L"], {"ŷ": claim})
    assert bool(report) is ok
    (row,) = report.rows
    assert row.ok is ok
    assert row.engine == pytest.approx(SN_YHAT)
    assert len(report.wrong) == (0 if ok else 1)


def test_check_numbers_all_right():
    g = simplenn_graph()
    report = check_numbers(g["L"], {"z2": 2.73, "ŷ": "0.9388", "L": 0.0632,
                                    "dL/dc1": f"{SN_DA1:.5f}"})
    assert report
    assert list(report.wrong) == []
    assert all(row.ok for row in report.rows)


@pytest.mark.parametrize("key", ["z9", "∂L/∂nope", "dL/dzz"])
def test_check_numbers_unknown_key(key):
    g = simplenn_graph()
    with pytest.raises(ClaimError) as err:
        check_numbers(g["L"], {key: 1.0})
    assert isinstance(err.value, ValueError)
    assert "z2" in str(err.value) or "w11" in str(err.value)


# ---- errors and safety -----------------------------------------------------------------------

def test_exports():
    assert autograd.check_formula is check_formula
    assert autograd.check_numbers is check_numbers
    assert autograd.ClaimError is ClaimError
    assert issubclass(ClaimError, ValueError)


def test_an_unknown_name_lists_the_labels():
    g = student_graph()
    with pytest.raises(ClaimError) as err:
        check_formula(g["L"], g["w1"], "(ŷ - y) * w7 * step(z1) * x1")
    message = str(err.value)
    assert "w7" in message
    assert sum(label in message for label in ["w5", "x1", "z1", "h1", "b3"]) >= 3


@pytest.mark.parametrize("claim", [
    "import os",
    "__import__('os')",
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w')",
    "x1.__class__",
    "x1.__class__.__bases__[0].__subclasses__()",
    "(lambda: 1)()",
    "[c for c in 'ab']",
    "eval('1')",
    "exec('1')",
    "w1; import os",
    "x1.data",
])
def test_code_is_not_a_claim(claim, tmp_path):
    marker = tmp_path / "ran"
    g = student_graph()
    with pytest.raises(ValueError):
        check_formula(g["L"], g["w1"], claim.format(marker=marker))
    assert not marker.exists()


def test_constants_supply_names_the_graph_lacks():
    point = {k: x for k, x in STUDENT_POINT.items() if k != "y"}
    v = {name: Value(x, label=name) for name, x in point.items()}
    z1 = v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b1"]
    z1.label = "z1"
    h1 = z1.relu()
    z2 = v["w3"] * v["x1"] + v["w4"] * v["x2"] + v["b2"]
    h2 = z2.relu()
    y_hat = (v["w5"] * h1 + v["w6"] * h2 + v["b3"]).sigmoid()
    y_hat.label = "ŷ"
    loss = -(0 * y_hat.log() + (1 - 0) * (1 - y_hat).log())  # y = 0 written as a number
    loss.label = "L"
    claim = "(ŷ - y) * w5 * step(z1) * x1"
    with pytest.raises(ClaimError):
        check_formula(loss, v["w1"], claim)
    report = check_formula(loss, v["w1"], claim, constants={"y": 0})
    assert report and report.agreed == report.points
    assert not check_formula(loss, v["w1"], claim, constants={"y": 1})


# ---- domains ---------------------------------------------------------------------------------

def test_log_domain():
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    loss = x.log() * w
    loss.label = "L"
    report = check_formula(loss, x, "w / x")
    assert report and report.agreed == report.points >= 2
    assert report.here.engine == pytest.approx(1.5)
    assert not check_formula(loss, x, "w * x")
    assert check_formula(loss, w, "log(x)")


def test_division_and_squares():
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    loss = w / x
    loss.label = "L"
    assert check_formula(loss, x, "-w / x²")
    assert check_formula(loss, x, "-w / x**2")
    assert not check_formula(loss, x, "w / x²")
    assert not check_formula(loss, x, "-w / x")


def _unary_case(op: str):
    w, x = Value(0.7, label="w"), Value(1.3, label="x")
    loss = getattr(w * x, op)()
    loss.label = "L"
    return w, loss


UNARY_CLAIMS = {  # ∂ f(w·x) / ∂w: right, wrong
    "exp": ("exp(w*x) * x", "exp(w*x)"),
    "log": ("1 / w", "1 / x"),                 # needs w·x > 0 at every point tried
    "sqrt": ("x / (2*sqrt(w*x))", "x / sqrt(w*x)"),  # likewise
    "tanh": ("(1 - tanh(w*x)**2) * x", "(1 - tanh(w*x)) * x"),
    "sigmoid": ("sigmoid(w*x) * (1 - sigmoid(w*x)) * x", "sigmoid(w*x) * x"),
    "relu": ("step(w*x) * x", "x"),
    "leaky_relu": ("(step(w*x) + 0.01*(1 - step(w*x))) * x", "step(w*x) * x"),
    "softplus": ("sigmoid(w*x) * x", "softplus(w*x) * x"),
    "abs": ("sign(w*x) * x", "x"),
    "sin": ("cos(w*x) * x", "-cos(w*x) * x"),
    "cos": ("-sin(w*x) * x", "sin(w*x) * x"),
}


@pytest.mark.parametrize("op", sorted(UNARY_CLAIMS))
def test_each_function_and_its_domain(op):
    right, wrong = UNARY_CLAIMS[op]
    w, loss = _unary_case(op)
    report = check_formula(loss, w, right)
    assert report, (op, str(report))
    assert report.agreed == report.points
    assert not check_formula(loss, w, wrong), op


# ---- seeds, point counts, the graph left as it was, outputs ----------------------------------

def test_the_same_seed_gives_the_same_report():
    reports = []
    for _ in range(2):
        g = student_graph()
        reports.append(check_formula(g["L"], g["w1"], "(ŷ - y) * w5 * x1", seed=11))
    a, b = reports
    assert (a.points, a.agreed) == (b.points, b.agreed)
    assert a.worst.at == b.worst.at
    assert (a.worst.claimed, a.worst.engine) == (b.worst.claimed, b.worst.engine)
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)


@pytest.mark.parametrize("n", [5, 10, 30, 100])
def test_points_is_honoured(n):
    g = student_graph()
    report = check_formula(g["L"], g["w1"], "(ŷ - y) * w5 * step(z1) * x1", points=n)
    assert report.points in (n, n + 1)  # the points drawn, with or without the current one
    assert report.agreed == report.points


def test_default_points():
    g = student_graph()
    report = check_formula(g["L"], g["w1"], "(ŷ - y) * w5 * step(z1) * x1")
    assert report.points in (48, 49)


def test_the_graph_is_left_at_its_current_point():
    g = student_graph()
    before = {name: v.data for name, v in g.items()}
    check_formula(g["L"], g["w1"], "(ŷ - y) * w5 * x1")
    check_formula(g["L"], g["x1"], "(ŷ - y)*w5*step(z1)*w1")
    check_numbers(g["L"], {"z1": 0.8, "∂L/∂w1": 0.44})
    assert {name: v.data for name, v in g.items()} == before


def test_text_html_and_dict():
    a = Value(1.5, label="a")
    w = Value(2.0, label="w")
    c = Value(0.5, label="<script>c</script>")
    r = a.relu()
    r.label = "r&<b>"
    loss = r * w + c
    loss.label = "L"
    report = check_formula(loss, a, "w")  # forgets ∂r/∂a = ReLU'(a)
    assert not report
    html = report._repr_html_()
    assert "<script>c</script>" not in html and "r&<b>" not in html
    assert str(report).strip()
    d = report.to_dict()
    assert isinstance(d, dict)
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    good = check_formula(loss, w, "relu(a)")
    assert good
    json.dumps(good.to_dict(), allow_nan=False)
    assert "<script>c</script>" not in good._repr_html_()


# ---- more shapes of claims ------------------------------------------------------------------

@pytest.mark.parametrize(("wrt", "claim", "holds"), [
    ("z3", "ŷ - y", True),                                # the article's ∂L/∂z3
    ("z3", "ŷ", True),  # y is a target, held at 0: there ∂L/∂z3 = ŷ − 0
    ("h1", "(ŷ - y) * w5", True),
    ("h1", "(ŷ - y) * w6", False),
    ("z1", "(ŷ - y) * w5 * ReLU'(z1)", True),
    ("z1", "(ŷ - y) * w5", False),
    ("ŷ", "-y/ŷ + (1 - y)/(1 - ŷ)", True),
    ("ŷ", "-y/ŷ", False),
])
def test_a_claim_about_an_interior_value(wrt, claim, holds):
    g = student_graph()
    report = check_formula(g["L"], g[wrt], claim)
    assert bool(report) is holds
    f = student_forward(STUDENT_POINT)
    truth = {"z3": f["ŷ"], "h1": f["ŷ"] * 0.35, "z1": f["ŷ"] * 0.35,
             "ŷ": 1 / (1 - f["ŷ"])}[wrt]  # y = 0 here
    assert report.here.engine == pytest.approx(truth)


def test_subscripts_and_a_decomposed_hat():
    g = student_graph()
    assert check_formula(g["L"], g["w1"], "(ŷ − y)·w₅·ReLU'(z₁)·x₁")
    decomposed = "y\u0302"  # y + combining circumflex, as some copies of a text have it
    assert check_formula(g["L"], g["w1"], f"({decomposed} - y) * w5 * step(z1) * x1")


def test_a_claim_that_cannot_be_evaluated_here_fails_without_crashing():
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    loss = x.log() * w
    loss.label = "L"
    report = check_formula(loss, x, "w / (x - 2)")  # a division by zero at the graph's point
    assert not report
    assert report.diagnosis is not None and report.diagnosis.category in CATEGORIES
    json.dumps(report.to_dict(), allow_nan=False)
    assert str(report).strip()


def test_the_third_articles_labels_from_the_examples():
    from nn.examples import simplenn_forward
    net = simplenn_forward()
    loss = net["L"]
    assert check_formula(loss, net["W1[1,2]"], "(ŷ - y)·W2[1]·ReLU'(z1[1])·x2",
                         constants={"y": 1})
    wrong = check_formula(loss, net["W1[1,2]"], "(ŷ - y)·W2[1]·x2", constants={"y": 1})
    assert not wrong and wrong.diagnosis.category == "missing factor"
    assert "z1[1]" in wrong.diagnosis.message
    report = check_numbers(loss, {"∂L/∂W1[1,2]": -0.0857,    # right: -0.085717
                                  "∂L/∂W1[2,2]": -0.08985,   # the article's; true -0.110207
                                  "z1[2]": 1.8, "a1[1]": 1.3})
    assert {row.name: row.ok for row in report.rows} == {
        "∂L/∂W1[1,2]": True, "∂L/∂W1[2,2]": False, "z1[2]": True, "a1[1]": True}
    by_name = {row.name: row for row in report.rows}
    assert by_name["∂L/∂W1[2,2]"].engine == pytest.approx(SN_DZ2 * 0.9 * 2.0)


def test_a_numpy_float_is_a_float():
    np = pytest.importorskip("numpy")
    g = simplenn_graph()
    value = np.float64(0.9388)  # a float (np.float64 subclasses float): its digits are 0.9388
    assert isinstance(value, float)
    report = check_numbers(g["L"], {"ŷ": value, "z2": np.float64(3.18)})
    assert [row.ok for row in report.rows] == [True, False]


def test_gradients_of_the_graph_are_not_touched():
    """The docstrings promise it: checking leaves every .grad as it was."""
    g = student_graph()
    g["L"].backward()
    before = {name: v.grad for name, v in g.items()}
    check_formula(g["L"], g["w1"], "(ŷ - y) * w5 * x1")
    check_formula(g["L"], g["w1"], "0.4406")
    check_numbers(g["L"], {"∂L/∂w1": 0.44})
    assert {name: v.grad for name, v in g.items()} == before


@pytest.mark.parametrize(("root", "claim", "category", "edge", "used"), [
    # h1 = ReLU(z1) written where ReLU'(z1) belongs: the value, not its derivative
    ("L", "(ŷ - y) * w5 * h1 * x1", "value for derivative", "∂h1/∂z1", "h1"),
    # ŷ = σ(z3) written where σ'(z3) belongs
    ("ŷ", "ŷ * w5 * step(z1) * x1", "value for derivative", "∂ŷ/∂z3", "ŷ"),
    ("L", "(ŷ - y)*w5*step(z1)*x2", "wrong factor", "∂z1/∂w1", "x2"),
    ("L", "(ŷ - y)*w5*step(z1)", "missing factor", "∂z1/∂w1", "x1"),
    ("L", "(ŷ - y)*w5*step(z1)*x1*x1", "extra factor", "∂z1/∂w1", "x1"),
])
def test_the_diagnosis_names_the_edge_and_what_the_claim_put_there(root, claim, category, edge,
                                                                    used):
    g = student_graph()
    report = check_formula(g[root], g["w1"], claim)
    assert not report
    assert report.diagnosis.category == category
    message = report.diagnosis.message
    assert edge in message, message
    assert used in message.replace(edge, ""), message  # the Value the claim has, by its label


def test_a_kink_behind_a_constant_offset_is_still_crossed():
    """h = ReLU(x + 5) at x = 1: dh/dx is step(x + 5); the claim 1 is wrong for x < -5."""
    x = Value(1.0, label="x")
    h = (x + 5).relu()
    h.label = "h"
    assert check_formula(h, x, "step(x + 5)")
    assert not check_formula(h, x, "1 + 0*x")


def test_numbers_with_a_unicode_minus_and_exponents():
    g = simplenn_graph()
    report = check_numbers(g["L"], {"∂L/∂c3": "−0.0612", "dL/dv1": "-7.96e-2",
                                    "L": "6.32e-2", "z2": "2.74e0"})
    assert [row.ok for row in report.rows] == [True, True, True, False]
    assert check_formula(g["L"], g["c3"], "−0.0612")
    flipped = check_formula(g["L"], g["c3"], "0.0612")
    assert not flipped and flipped.diagnosis.category == "wrong number"


def test_a_number_claims_here_is_the_graphs_point():
    g = student_graph()
    report = check_formula(g["L"], g["w1"], "0.4406")
    assert report.here.at.get("w1") == 0.1 and report.here.at.get("x1") == 2.0


def test_another_seed_draws_other_points():
    g = student_graph()
    a = check_formula(g["L"], g["w1"], "(ŷ - y) * w5 * x1", seed=0)
    b = check_formula(g["L"], g["w1"], "(ŷ - y) * w5 * x1", seed=1)
    assert not a and not b
    assert a.worst.at != b.worst.at


def test_the_numbers_table_html_escapes_labels():
    z = Value(1.0, label="<i>z</i>")
    out = z * 2.0
    out.label = "out"
    report = check_numbers(out, {"<i>z</i>": 1.5, "∂out/∂<i>z</i>": 2.0})
    assert [row.ok for row in report.rows] == [False, True]
    assert "<i>z</i>" in str(report)
    if hasattr(report, "_repr_html_"):
        assert "<i>z</i>" not in report._repr_html_()


@pytest.mark.parametrize("claim", ["1e999", "1e308*10", "-1e999", "9**9**9**9", "10**400"])
def test_a_number_too_large_for_a_float_is_never_right(claim):
    """No finite gradient equals an infinite claim: it fails, or it is refused as bad input
    (a ValueError, so that callers reporting bad input catch it); it never holds."""
    g = student_graph()
    try:
        report = check_formula(g["L"], g["w1"], claim)
    except ValueError:
        return
    assert not report


# ---- the first article's nine formulas, on the network of nn.examples ------------------------

ARTICLE_FORMULAS = {  # as the first article prints them, with · for its \cdot
    "w1": "(ŷ - y) · w5 · ReLU'(z1) · x1",
    "w2": "(ŷ - y) · w5 · ReLU'(z1) · x2",
    "w3": "(ŷ - y) · w6 · ReLU'(z2) · x1",
    "w4": "(ŷ - y) · w6 · ReLU'(z2) · x2",
    "b1": "(ŷ - y) · w5 · ReLU'(z1)",
    "b2": "(ŷ - y) · w6 · ReLU'(z2)",
    "w5": "(ŷ - y) · h1",
    "w6": "(ŷ - y) · h2",
    "b3": "(ŷ - y)",
}


@pytest.mark.parametrize("sample", [((2.0, 5.0), 0), ((7.0, 6.0), 1)])
@pytest.mark.parametrize("wrt", sorted(ARTICLE_FORMULAS))
def test_the_first_articles_formulas_hold(wrt, sample):
    from nn.examples import student_forward
    x, y = sample
    net = student_forward(x=x, y=y)
    report = check_formula(net["L"], net[wrt], ARTICLE_FORMULAS[wrt], constants={"y": y})
    # every informative point agrees; the graph's own point may tell nothing (a ReLU off)
    assert report and report.agreed == report.informative >= report.points - 1
    # the engine's number here, recomputed on floats from the network's own weights
    p = {k: net[k].data for k in ["x1", "x2", "w1", "w2", "b1", "w3", "w4", "b2", "w5",
                                  "w6", "b3"]}
    p["y"] = float(y)
    assert report.here.engine == pytest.approx(student_gradient(p, wrt), abs=1e-12)


def test_with_the_second_relu_off_a_forgotten_relu_prime_is_wrong_even_here():
    from nn.examples import student_forward
    net = student_forward(x=(7.0, 6.0), y=1)
    assert net["z2"].data < 0  # -0.3·7 + 0.3·6 + 0.2 = -0.1
    assert check_formula(net["L"], net["w3"], "0", constants={"y": 1})
    wrong = check_formula(net["L"], net["w3"], "(ŷ - y) * w6 * x1", constants={"y": 1})
    assert not wrong
    assert wrong.here.engine == 0.0 and wrong.here.claimed != 0.0
    assert wrong.diagnosis.category == "missing factor"
    assert "∂h2/∂z2" in wrong.diagnosis.message
