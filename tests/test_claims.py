"""check_formula and check_numbers: reading claims, number claims, tables of numbers, and
what the checker leaves alone. The verdict table on the first article's network is in
test_claims_verdicts.py; here the oracles are plain-float arithmetic written in the tests."""

from __future__ import annotations

import importlib
import json
import math
import signal

import pytest

from autograd import Value, check_formula, check_numbers
from autograd.claims import ClaimError, printed_tolerance
from autograd.claims.reading import read_claim
from autograd.explain import explain
from autograd.graph import topological_order
from autograd.notation import number
from autograd.replay import probe
from nn import MLP
from nn.examples import simplenn_forward, squared_error_forward, student_forward


def sigma(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# The student network by hand: z1 = 0.8, z2 = 1.1, z3 = 0.35·0.8 + 0.15·1.1 + 0.1, y = 0.
Z3 = 0.35 * 0.8 + 0.15 * 1.1 + 0.1
DL_DW1 = sigma(Z3) * 0.35 * 1.0 * 2.0


@pytest.fixture
def student() -> dict[str, Value]:
    return student_forward()


@pytest.mark.parametrize("claim", [
    "(ŷ - y)·w5·ReLU'(z1)·x1",
    "(ŷ − y) × w5 × relu'(z1) × x1",
    "(y_hat - y) * w5 * step(z1) * x1",
    "(σ(z3) - y)*w₅*step(z₁)*x₁",
    "ŷ*w5*step(z1)*x1",
])
def test_notations_of_the_articles_are_read(student: dict[str, Value], claim: str) -> None:
    report = check_formula(student["L"], student["w1"], claim, constants={"y": 0})
    assert report and report.agreed == report.points >= 40
    assert report.here.engine == pytest.approx(DL_DW1, rel=1e-12)


def test_a_derivative_written_with_a_prime_comes_from_the_op_table() -> None:
    x = Value(0.3, label="x")
    t = x.tanh()
    t.label = "t"
    s = x.sigmoid()
    s.label = "s"
    root = t * s
    root.label = "r"
    # ∂r/∂x = tanh'(x)·s + t·σ'(x), written three ways
    for claim in ["tanh'(x)*s + t*σ'(x)", "(1 - t²)*s + t*s*(1 - s)", "(1 - t**2)*s + t*σ'(x)"]:
        assert check_formula(root, x, claim), claim
    assert not check_formula(root, x, "tanh'(x)*s + t*σ(x)")


def test_the_engines_number_is_an_independent_one(student: dict[str, Value]) -> None:
    report = check_formula(student["L"], student["w5"], "ŷ·h1")
    assert report.here.engine == pytest.approx(sigma(Z3) * 0.8, rel=1e-12)
    assert report.here.claimed == pytest.approx(sigma(Z3) * 0.8, rel=1e-12)


def test_points_are_redrawn_over_a_wide_range_and_cross_the_kinks(
        student: dict[str, Value]) -> None:
    report = check_formula(student["L"], student["w1"], "ŷ*w5*step(z1)*x1", points=30, seed=3)
    assert report.points == 30
    assert {"z1", "z2"} <= set(report.kinks)
    # the worst point's leaves are not the graph's own numbers
    assert report.worst.at.keys() >= {"w1", "x1", "x2", "b3"}


def test_same_seed_same_report_and_nothing_in_the_graph_changes(
        student: dict[str, Value]) -> None:
    L, w1 = student["L"], student["w1"]
    before = {k: (v.data, v.grad) for k, v in student.items()}
    a = check_formula(L, w1, "ŷ*w5*x1", seed=5)
    b = check_formula(L, w1, "ŷ*w5*x1", seed=5)
    c = check_formula(L, w1, "ŷ*w5*x1", seed=6)
    assert a.to_dict() == b.to_dict() and a.worst.at != c.worst.at
    assert {k: (v.data, v.grad) for k, v in student.items()} == before


def test_a_graph_with_a_domain_is_only_tried_inside_it() -> None:
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    L = x.log() * w
    L.label = "L"
    good = check_formula(L, x, "w / x")
    assert good and good.points == 48
    assert all(c > 0 for c in [good.worst.at["x"]])
    bad = check_formula(L, x, "w * x")
    assert not bad and bad.diagnosis is not None


def test_forgotten_relu_prime_names_the_edge_and_why_one_point_could_not_tell(
        student: dict[str, Value]) -> None:
    report = check_formula(student["L"], student["w1"], "(ŷ - y)*w5*x1", constants={"y": 0})
    assert not report
    assert abs(report.here.claimed - report.here.engine) < 1e-12
    assert report.worst.engine == 0.0 and report.worst.claimed != 0.0
    d = report.diagnosis
    assert d is not None and d.category == "missing factor" and d.edge == "∂h1/∂z1"
    assert "ReLU'(z1)" in d.message and "that point alone cannot tell" in d.message
    assert [v.label for v in d.values] == ["h1", "z1"]
    text = str(report)
    assert "does NOT hold" in text and "missing ∂h1/∂z1" in text


def test_sigmoid_value_for_its_derivative_says_so() -> None:
    z = Value(0.4, label="z")
    a = z.sigmoid()
    a.label = "a"
    w = Value(1.5, label="w")
    L = a * w
    L.label = "L"
    report = check_formula(L, z, "w * a")  # σ(z) where σ'(z) belongs
    assert report.diagnosis is not None
    assert report.diagnosis.category == "value for derivative"
    assert "∂a/∂z" in report.diagnosis.message and "not its derivative" in report.diagnosis.message


# ---- number claims ----------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("0.4431", 5e-5), ("-0.062", 5e-4), ("0.44", 5e-3), ("4.431e-1", 5e-5), ("12.5", 0.05),
    ("−0.0612", 5e-5), ("3", 0.0), ("1e-3", 5e-4),
])
def test_printed_tolerance(text: str, expected: float) -> None:
    assert printed_tolerance(text) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["", "abc", "1.2.3", "--1", "."])
def test_printed_tolerance_refuses_what_is_not_a_number(bad: str) -> None:
    with pytest.raises(ClaimError):
        printed_tolerance(bad)


def test_a_number_claim_is_judged_at_its_printed_digits(student: dict[str, Value]) -> None:
    L, w1 = student["L"], student["w1"]
    right = f"{DL_DW1:.4f}"
    assert check_formula(L, w1, right)
    assert check_formula(L, w1, f"{DL_DW1:.2f}")
    off = f"{DL_DW1 + 2e-4:.4f}"
    report = check_formula(L, w1, off)
    assert not report and report.kind == "number" and report.points == 1
    assert report.diagnosis is not None and report.diagnosis.category == "wrong number"
    assert right in report.diagnosis.message
    assert not check_formula(L, w1, f"{-DL_DW1:.4f}")


def test_a_product_of_printed_numbers_carries_their_rounding(
        student: dict[str, Value]) -> None:
    # the chain rule's numbers for ∂L/∂w1 as explain() prints them, four digits each
    dl_dyhat = 1 / (1 - sigma(Z3))
    dyhat_dz3 = sigma(Z3) * (1 - sigma(Z3))
    claim = f"{dl_dyhat:.4g} · {dyhat_dz3:.4g} · 0.35 · 1 · 2"
    report = check_formula(student["L"], student["w1"], claim)
    assert report and report.tolerance < 0.01
    assert not check_formula(student["L"], student["w1"], f"{dl_dyhat:.4g} · {dyhat_dz3:.4g}")


# ---- tables of numbers ------------------------------------------------------------------

# The third article's printed numbers (in its order), the quantity each one claims.
ARTICLE = [
    ("z1[1]", 1.3), ("z1[2]", 1.8), ("a1[1]", 1.3), ("a1[2]", 1.8),
    ("z2", 3.18), ("ŷ", 0.938), ("ŷ", 0.96), ("L", 0.064),
    ("∂L/∂ŷ", -1.066), ("∂L/∂z2", -0.062), ("∂L/∂W2[1]", -0.0806), ("∂L/∂W2[2]", -0.1116),
    ("∂L/∂a1[1]", -0.02796), ("∂L/∂a1[2]", -0.03594),
    ("∂L/∂W1[1,1]", -0.02796), ("∂L/∂W1[1,2]", -0.07188),
    ("∂L/∂W1[2,1]", -0.03594), ("∂L/∂W1[2,2]", -0.08985),
]


def test_the_third_articles_slips_and_nothing_else_are_flagged() -> None:
    L = simplenn_forward()["L"]
    report = check_numbers(L, ARTICLE, tolerance=0.002)
    flagged = [(r.name, r.text) for r in report.wrong]
    assert flagged == [
        ("z2", "3.18"), ("ŷ", "0.96"),
        ("∂L/∂a1[1]", "-0.02796"), ("∂L/∂a1[2]", "-0.03594"),
        ("∂L/∂W1[1,1]", "-0.02796"), ("∂L/∂W1[1,2]", "-0.07188"),
        ("∂L/∂W1[2,1]", "-0.03594"), ("∂L/∂W1[2,2]", "-0.08985"),
    ]
    # the right numbers, by hand: z2 = 0.7·1.3 + 0.9·1.8 + 0.2, ∂L/∂a1[1] = (ŷ − 1)·0.7
    z2 = 0.7 * 1.3 + 0.9 * 1.8 + 0.2
    rows = {(r.name, r.text): r for r in report.rows}
    assert rows[("z2", "3.18")].engine == pytest.approx(z2, rel=1e-12)
    assert rows[("∂L/∂a1[1]", "-0.02796")].engine == pytest.approx((sigma(z2) - 1) * 0.7)
    assert "2.73" in str(report) and "-0.04286" in str(report)


def test_each_number_at_its_own_printed_precision() -> None:
    L = simplenn_forward()["L"]
    z2 = 0.7 * 1.3 + 0.9 * 1.8 + 0.2
    report = check_numbers(L, {"ŷ": 0.938, "z2": "2.730", "dL/dz2": f"{sigma(z2) - 1:.5f}"})
    assert [r.name for r in report.wrong] == ["ŷ"]  # 0.938774 rounds to 0.939
    assert "truncated" in report.wrong[0].note
    assert json.loads(json.dumps(report.to_dict()))["holds"] is False


def test_table_keys_and_errors(student: dict[str, Value]) -> None:
    L = student["L"]
    grads_before = [v.grad for v in student.values()]
    report = check_numbers(L, {"∂L/∂(w1)": round(DL_DW1, 4), "d L / d w1": round(DL_DW1, 4)})
    assert report and len(report.rows) == 2
    assert [v.grad for v in student.values()] == grads_before
    with pytest.raises(ClaimError, match="w1"):
        check_numbers(L, {"w9": 1.0})
    with pytest.raises(ClaimError, match="root is 'L'"):
        check_numbers(L, {"∂E/∂w1": 1.0})
    with pytest.raises(ClaimError, match="not a number"):
        check_numbers(L, {"w1": "about 0.1"})
    with pytest.raises(ClaimError):
        check_numbers(L, {"w1": math.inf})


# ---- reading claims: errors --------------------------------------------------------------


def test_unknown_names_list_the_labels(student: dict[str, Value]) -> None:
    with pytest.raises(ClaimError) as err:
        check_formula(student["L"], student["w1"], "(ŷ - y)*w5*x1")  # y is a constant here
    assert "'y'" in str(err.value) and "w5" in str(err.value) and "z1" in str(err.value)


@pytest.mark.parametrize("claim", [
    "__import__('os').system('echo hi')", "x1.__class__", "[x1]", "lambda: 1", "x1 if 1 else 2",
    "open('f')", "w1; w2",
])
def test_what_is_not_a_formula_is_refused(student: dict[str, Value], claim: str) -> None:
    with pytest.raises(ValueError):
        check_formula(student["L"], student["w1"], claim)


def test_a_label_on_two_values_cannot_be_used() -> None:
    a, b = Value(1.0, label="w"), Value(2.0, label="w")
    y = a * b
    y.label = "y"
    with pytest.raises(ClaimError, match="on 2 Values"):
        check_formula(y, a, "w")


def test_labels_that_are_not_python_names() -> None:
    net = simplenn_forward()
    report = check_formula(net["L"], net["W1[1,2]"], "(ŷ − y)·W2[1]·ReLU'(z1[1])·x2",
                           constants={"y": 1})
    assert report
    z1 = 0.2 * 1 + 0.4 * 2 + 0.3
    z2 = 0.7 * 1.3 + 0.9 * 1.8 + 0.2
    assert report.here.engine == pytest.approx((sigma(z2) - 1) * 0.7 * (z1 > 0) * 2.0)


def test_wrt_outside_the_graph() -> None:
    x = Value(1.0, label="x")
    with pytest.raises(ClaimError, match="not in the graph"):
        check_formula(x * 2, Value(3.0, label="q"), "2")


# ---- bigger graphs ---------------------------------------------------------------------


def test_an_mlp_claim_is_checked_and_its_report_stays_short() -> None:
    model = MLP(2, [16, 16, 1])
    x = [Value(0.5, label="x1"), Value(-1.0, label="x2")]
    out = model(x)
    out.label = "out"
    loss = (out - 1.0) ** 2
    loss.label = "L"
    bias = model.parameters()[-1]
    assert check_formula(loss, bias, "2*(out - 1)")
    wrong = check_formula(loss, model.parameters()[0], "2*(out - 1)*x1")
    assert not wrong
    assert max(len(line) for line in str(wrong).splitlines()) < 400


def test_probe_reads_values_and_gradients_of_inner_values() -> None:
    x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    s = x * y
    out = s.exp() + x
    values, grads = probe(out, [x, y], [s, x, out])([0.5, 3.0])
    assert values == pytest.approx([1.5, 0.5, math.exp(1.5) + 0.5])
    assert grads == pytest.approx([math.exp(1.5), math.exp(1.5) * 3.0 + 1.0, 1.0])


# ---- what a learner's trial found ----------------------------------------------------------


@pytest.mark.parametrize("wrt, claim, category, words", [
    # ∂z1/∂b1 = 1: an x1 kept from ∂L/∂w1 is an extra factor, not a wrong ReLU'
    ("b1", "ŷ·w5·ReLU'(z1)·x1", "extra factor", "an extra factor x1"),
    # σ(z3) written for σ'(z3), with the loss as root
    ("w1", "1/(1 - ŷ)·σ(z3)·w5·ReLU'(z1)·x1", "value for derivative",
     "ŷ = σ(z3) is the value, not its derivative σ'(z3)"),
    ("w1", "ŷ·w5·ReLU(z1)·x1", "value for derivative",
     "h1 = ReLU(z1) is the value, not its derivative ReLU'(z1)"),
    # ReLU' forgotten on both paths of ∂L/∂x2
    ("x2", "ŷ*(w5*w2 + w6*w4)", "missing factor", "missing ReLU' on every path"),
])
def test_the_slip_a_learner_made_is_the_one_named(student: dict[str, Value], wrt: str,
                                                  claim: str, category: str,
                                                  words: str) -> None:
    report = check_formula(student["L"], student[wrt], claim)
    assert not report and report.diagnosis is not None
    assert report.diagnosis.category == category
    assert words in report.diagnosis.message


def test_a_right_formula_with_no_number_where_floats_round_off_still_holds() -> None:
    # −y/ŷ + (1 − y)/(1 − ŷ) is 0/0 in floats where σ rounds to 1: such points are left out
    net = simplenn_forward()
    report = check_formula(net["L"], net["y_hat"], "−y/ŷ + (1 − y)/(1 − ŷ)", constants={"y": 1})
    assert report and report.points == 48 and report.undefined > 0
    assert report.here.engine == pytest.approx(-1 / sigma(0.7 * 1.3 + 0.9 * 1.8 + 0.2))


@pytest.mark.parametrize("claim", ["ŷ·w5·ReLU’(z1)·x1", "ŷ·w5·ReLU′(z1)·x1",
                                   "y_hat*w5*step(z1)*x1", "2·½·ŷ·w5·step(z1)·x1"])
def test_more_ways_of_writing_are_read(student: dict[str, Value], claim: str) -> None:
    assert check_formula(student["L"], student["w1"], claim)


def test_ŷ_is_read_for_a_label_written_y_hat() -> None:
    z = Value(0.3, label="z")
    y_hat = z.sigmoid()
    y_hat.label = "y_hat"
    assert check_formula(y_hat, z, "ŷ·(1 − ŷ)")


def test_errors_speak_the_claims_own_words_and_suggest_the_fix() -> None:
    net = simplenn_forward()
    L, w = net["L"], net["W1[1,2]"]
    with pytest.raises(ValueError) as err:
        check_formula(L, w, "W2[1] * ReLU'(z1[1]) ^ 2")
    assert "_label" not in str(err.value) and "__prime" not in str(err.value)
    with pytest.raises(ClaimError, match=r"did you mean x2 or x1\?"):
        check_formula(L, w, "(ŷ - 1)*W2[1]*step(z1[1])*x")
    with pytest.raises(ClaimError, match=r"constants=\{'y': 0\}"):
        check_formula(L, w, "(ŷ - y)*W2[1]*step(z1[1])*x2")
    with pytest.raises(ClaimError, match=r"z1\[1\], z1\[2\]"):
        check_numbers(L, {"z1": 1.3})
    with pytest.raises(ValueError, match="tolerance"):
        check_numbers(L, {"z2": 2.73}, tolerance=-1)
    with pytest.raises(ValueError, match="tolerance"):
        check_numbers(L, {"z2": 2.73}, tolerance="0.01")  # type: ignore[arg-type]


def test_the_worst_point_shows_the_values_the_diagnosis_is_about(
        student: dict[str, Value]) -> None:
    report = check_formula(student["L"], student["w1"], "ŷ·w5·x1")
    z1 = report.worst.named["z1"]
    at = report.worst.at
    assert z1 == pytest.approx(at["w1"] * at["x1"] + at["w2"] * at["x2"] + at["b1"])
    assert z1 <= 0 and f"z1 = {number(z1)}" in str(report)


# ---- what a review found ---------------------------------------------------------------------


def test_a_claim_undefined_where_the_graph_is_defined_fails() -> None:
    # ∂relu(x)/∂x written 1 + 0·log(x): right for x > 0, no value for x < 0 (ReLU' forgotten)
    x = Value(2.0, label="x")
    y = x.relu()
    y.label = "y"
    report = check_formula(y, x, "1 + 0*log(x)")
    assert not report and report.worst.at["x"] < 0
    assert report.diagnosis is not None and "no value" in report.diagnosis.message
    x2 = Value(2.0, label="x")
    a = abs(x2)
    a.label = "a"
    assert not check_formula(a, x2, "exp(log(x))/x")  # sign(x), not 1
    assert check_formula(a, x2, "sign(x)")


def test_the_gradient_with_respect_to_an_inner_value_with_no_labelled_leaf_below() -> None:
    x, w = Value(2.0), Value(0.5)
    z = w * x
    z.label = "z"
    L = z.relu()
    L.label = "L"
    report = check_formula(L, z, "step(z)")
    assert report and report.here.engine == 1.0
    assert report.points == 1 and "only the graph's own point" in str(report)
    assert not check_formula(L, z, "0")


def test_a_leaf_given_as_a_constant_is_held_at_its_number() -> None:
    w, x, y = Value(0.5, label="w"), Value(2.0, label="x"), Value(1.0, label="y")
    p = w * x
    p.label = "p"
    L = (p - y) ** 2
    L.label = "L"
    held = check_formula(L, w, "2*(p - 1)*x", constants={"y": 1})
    assert held and held.points == 48 and held.worst.at["y"] == 1.0
    assert check_formula(L, w, "2*(p - y)*x")
    # a leaf labelled y is a target, held at its number unless varied
    assert check_formula(L, w, "2*(p - 1)*x")
    varied = check_formula(L, w, "2*(p - 1)*x", vary=["y"])
    assert not varied and varied.worst.at["y"] != 1.0
    assert check_formula(L, w, "2*(p - y)*x", vary=[y])


def test_sympy_overturns_floats_that_cannot_tell() -> None:
    # ∂(x²)/∂x at x = 1e8: 2x + 1 is within 1e-6 of 2x at every point drawn near 1e8
    x = Value(1e8, label="x")
    y = x * x
    y.label = "y"
    report = check_formula(y, x, "2*x + 1")
    assert not report and report.agreed == report.points
    assert report.diagnosis is not None and "sympy" in report.diagnosis.message
    assert check_formula(y, x, "2*x").proved


# ---- what a review of the informative points found -----------------------------------------


def test_a_constant_that_contradicts_a_leaf_of_the_same_name_is_refused() -> None:
    w, x, y = Value(0.5, label="w"), Value(2.0, label="x"), Value(1.0, label="y")
    L = (w * x - y) ** 2
    with pytest.raises(ClaimError, match=r"constants=\{'y': 0\}, but y is a leaf"):
        check_formula(L, w, "2(w x - y)x", constants={"y": 0})
    assert check_formula(L, w, "2(w x - y)x", constants={"y": 1})  # the leaf's own number


def test_the_worst_point_shown_is_one_where_claim_and_engine_differ() -> None:
    # The claim is right wherever w·x < 5 and wrong at the graph's own point (w·x = 6),
    # where σ is flat: the one point that shows the slip is the one to show.
    w, x = Value(3.0, label="w"), Value(2.0, label="x")
    L = (w * x).sigmoid()
    report = check_formula(L, w, "σ'(w x)·x·step(5 - w x)")
    assert not report
    s = 1 / (1 + math.exp(-6.0))
    assert report.worst.engine == pytest.approx(s * (1 - s) * 2.0)
    assert report.worst.claimed == 0.0
    assert report.worst.at == {"w": 3.0, "x": 2.0}


def test_only_a_target_held_by_its_label_is_offered_vary() -> None:
    w, x, y = Value(0.5, label="w"), Value(2.0, label="x"), Value(1.0, label="y")
    L = (w * x - y) ** 2
    by_label = check_formula(L, w, "2(w x - y)x")
    assert by_label.targets == ("y",) and "vary=['y'] redraws it" in str(by_label)
    fixed = check_formula(L, w, "2(w x - y)x", fixed=["y"])
    assert fixed.held == ("y",) and fixed.targets == () and "vary" not in str(fixed)


def test_a_slow_proof_gives_up_and_leaves_other_timers_alone(monkeypatch) -> None:
    symbolic_module = importlib.import_module("autograd.symbolic")  # the module, not the function
    net = squared_error_forward()
    # ∂E/∂x1 over its paths, right: sympy's normal form of it takes minutes
    terms = [" * ".join(f"({f.formula.split(' = ')[0]})" for f in p.factors)
             for p in explain(net["E"], net["x1"]).paths]
    read = read_claim(" + ".join(terms), topological_order(net["E"]), {})
    monkeypatch.setattr(symbolic_module, "PROOF_SECONDS", 0.2)
    assert symbolic_module.prove_equal(net["E"], net["x1"], read.tree, read.values) is None
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    # with someone else's timer running, the proof is not limited and the timer stays
    fired: list[int] = []
    before = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        x = Value(2.0, label="x")
        square = read_claim("2*x", [x], {})
        assert symbolic_module.prove_equal(x * x, x, square.tree, {"x": x}) is True
        assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 30.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    assert not fired


def test_fixed_and_vary_may_be_any_iterable_read_once() -> None:
    w, x, y = Value(0.5, label="w"), Value(2.0, label="x"), Value(1.0, label="y")
    L = (w * x - y) ** 2
    report = check_formula(L, w, "2(w x - y)x", fixed=(name for name in ["x"]))
    assert report and report.held == ("x", "y") and report.redrawn == ("w",)
    assert report.worst.at["x"] == 2.0 and report.targets == ("y",)
