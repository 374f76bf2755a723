"""Reading claims as they are written on paper (`autograd.claims.reading`): products without
``*``, powers of functions, sech/cosh/sinh, the claim echoed as read, errors at the column of
the claim as typed, and hints for a name the graph lacks.

Each form is checked against the engine with `check_formula` on a small graph (the right
formula holds, a wrong one fails), and its number against plain-float arithmetic written
here; columns are counted in the claim's own text.
"""

from __future__ import annotations

import math

import pytest

from autograd import Value, check_formula
from autograd.claims import ClaimError
from autograd.claims.reading import read_claim, unknown_name
from autograd.formula import FormulaError, parse
from autograd.graph import topological_order
from nn.examples import simplenn_forward


def sigma(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def bce(y_hat: Value, y: Value) -> Value:
    return -(y * y_hat.log() + (1 - y) * (1 - y_hat).log())


@pytest.fixture
def net() -> dict[str, Value]:
    # z1 = w1·x1 + b1, h1 = ReLU(z1), z2 = w5·h1 + b3, ŷ = σ(z2), L = BCE(ŷ, y)
    v = {name: Value(x, label=name) for name, x in
         [("x1", 2.0), ("w1", 0.4), ("b1", 0.1), ("w5", -0.7), ("b3", 0.2), ("y", 1.0)]}
    z1 = v["w1"] * v["x1"] + v["b1"]
    z1.label = "z1"
    h1 = z1.relu()
    h1.label = "h1"
    z2 = v["w5"] * h1 + v["b3"]
    z2.label = "z2"
    y_hat = z2.sigmoid()
    y_hat.label = "ŷ"
    loss = bce(y_hat, v["y"])
    loss.label = "L"
    return {**v, "z1": z1, "h1": h1, "z2": z2, "ŷ": y_hat, "L": loss}


def leaf(x: float, label: str) -> Value:
    return Value(x, label=label)


def labelled(v: Value, label: str) -> Value:
    v.label = label
    return v


# ---- products written without * -------------------------------------------------------------


def test_sigma_times_one_minus_sigma_times_x() -> None:
    z, x = leaf(0.4, "z"), leaf(1.5, "x")
    out = z.sigmoid() * x
    assert check_formula(out, z, "σ(z)(1−σ(z))x")
    assert check_formula(out, z, "σ(z)(1 − σ(z)) x")
    assert not check_formula(out, z, "σ(z)(1−σ(z))")
    claim = read_claim("σ(z)(1−σ(z))x", topological_order(out), {})
    assert claim.at({"z": 0.3, "x": 2.0}) == pytest.approx(sigma(0.3) * (1 - sigma(0.3)) * 2.0)


@pytest.mark.parametrize("claim, holds", [
    ("2x", True), ("2(x)", True), ("2 x", True), ("2x²", False), ("3x", False),
])
def test_a_number_before_a_name_or_a_bracket(claim: str, holds: bool) -> None:
    x = leaf(1.5, "x")
    assert bool(check_formula(x * x, x, claim)) is holds


def test_2x1_is_two_times_x1() -> None:
    x1 = leaf(1.5, "x1")
    assert check_formula(x1 * x1, x1, "2x1")
    assert read_claim("2x1", [x1], {}).at({"x1": 4.0}) == 8.0


def test_a_number_before_a_bracket_of_labels() -> None:
    z, y = leaf(0.3, "z"), leaf(1.0, "y")
    y_hat = labelled(z.sigmoid(), "ŷ")
    loss = (y_hat - y) ** 2
    assert check_formula(loss, y_hat, "2(ŷ − y)")
    assert not check_formula(loss, y_hat, "(ŷ − y)")


def test_a_bracket_before_a_label_and_before_a_bracket(net: dict[str, Value]) -> None:
    assert check_formula(net["L"], net["h1"], "(ŷ − y)w5")
    assert not check_formula(net["L"], net["h1"], "(ŷ − y)w1")
    assert check_formula(net["L"], net["w1"], "(ŷ − y)w5·ReLU'(z1)x1")
    assert check_formula(net["L"], net["w1"], "(ŷ − y)w5 ReLU'(z1)(x1)")
    assert not check_formula(net["L"], net["w1"], "(ŷ − y)w5 x1")  # ReLU' forgotten


def test_a_label_before_a_bracket_multiplies() -> None:
    a, u2 = leaf(0.6, "a"), leaf(-1.2, "u2")
    h = labelled(a.tanh(), "h")
    out = u2 * h
    assert check_formula(out, a, "u2(1 − h²)")
    assert not check_formula(out, a, "u2(1 − h)")
    claim = read_claim("u2(1 − h²)", topological_order(out), {})
    assert claim.at({"u2": 3.0, "h": 0.5}) == pytest.approx(3.0 * 0.75)


def test_a_label_named_like_nothing_known_is_still_one_name() -> None:
    x1, w5 = leaf(2.0, "x1"), leaf(0.5, "w5")
    with pytest.raises(ClaimError) as err:
        check_formula(w5 * x1, w5, "w5x1")
    assert err.value.missing == "w5x1"
    assert "'w5x1' is not a label" in str(err.value) and "w5*x1" in str(err.value)


def test_labels_that_are_not_python_names_multiply_too() -> None:
    net = simplenn_forward()
    report = check_formula(net["L"], net["W1[1,2]"], "(ŷ − y)W2[1]ReLU'(z1[1])x2",
                           constants={"y": 1})
    assert report
    assert not check_formula(net["L"], net["W1[1,2]"], "(ŷ − y)W2[1]x2", constants={"y": 1})


def test_the_command_lines_expressions_keep_their_own_rule() -> None:
    with pytest.raises(FormulaError, match=r"write 2\*x"):
        parse("2x")


def test_a_product_without_star_after_a_division_is_refused() -> None:
    x = leaf(1.5, "x")
    for claim in ["1/2x", "x**2(1 − x)"]:
        with pytest.raises(FormulaError, match="ambiguous") as err:
            read_claim(claim, [x], {})
        assert err.value.column == len(claim) - (1 if claim == "1/2x" else 7)
    assert read_claim("(1/2)x", [x], {}).at({"x": 4.0}) == 2.0
    assert read_claim("x²(1 − x)", [x], {}).at({"x": 3.0}) == -18.0


# ---- powers of functions, sech, cosh, sinh, softplus′ ----------------------------------------


@pytest.mark.parametrize("claim, holds", [
    ("sech²(z)", True), ("1 - tanh²(z)", True), ("1 − tanh^2(z)", True),
    ("1 - tanh**2(z)", True), ("1/cosh²(z)", True), ("tanh'(z)", True),
    ("tanh²(z)", False), ("sech(z)", False), ("1 + tanh²(z)", False),
])
def test_tanh_derivative_written_with_powers_of_functions(claim: str, holds: bool) -> None:
    z = leaf(0.5, "z")
    y = labelled(z.tanh(), "y")
    assert bool(check_formula(y, z, claim)) is holds


def test_sech_squared_is_proved_by_sympy() -> None:
    z = leaf(0.5, "z")
    report = check_formula(labelled(z.tanh(), "y"), z, "sech²(z)")
    assert report and report.proved


def test_powers_of_sigma() -> None:
    z = leaf(-0.8, "z")
    out = z.sigmoid()
    assert check_formula(out, z, "σ(z) − σ²(z)")
    assert not check_formula(out, z, "σ²(z)")


@pytest.mark.parametrize("claim, expected", [
    ("sech²(z)", lambda z: 1 / math.cosh(z) ** 2),
    ("sech(z)", lambda z: 1 / math.cosh(z)),
    ("cosh(z)", math.cosh),
    ("sinh(z)", math.sinh),
    ("sech'(z)", lambda z: -math.tanh(z) / math.cosh(z)),
    ("cosh'(z)", math.sinh),
    ("σ²(z)", lambda z: sigma(z) ** 2),
    ("tanh³(z)", lambda z: math.tanh(z) ** 3),
])
def test_claim_functions_agree_with_math(claim: str, expected) -> None:
    z = leaf(0.0, "z")
    read = read_claim(claim, [z], {})
    for x in (-3.0, -0.4, 0.0, 1.7):
        assert read.at({"z": x}) == pytest.approx(expected(x), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("claim", ["softplus′(s)", "softplus'(s)", "σ(s)"])
def test_softplus_prime_is_sigma(claim: str) -> None:
    s = leaf(0.3, "s")
    out = s.softplus() * 2.0
    assert not check_formula(out, s, claim)  # the factor 2 is missing
    assert check_formula(out, s, f"2{claim}")
    assert read_claim(claim, [s], {}).at({"s": -1.2}) == pytest.approx(sigma(-1.2))


# ---- the claim as read -----------------------------------------------------------------------


@pytest.mark.parametrize("claim, read_as", [
    ("σ(z)(1−σ(z))x", "σ(z)·(1 − σ(z))·x"),
    ("sigmoid(z)*(1 - sigmoid(z))*x", "σ(z)·(1 − σ(z))·x"),
    ("(ŷ − y)w5·ReLU'(z1)x1", "(ŷ − y)·w5·ReLU'(z1)·x1"),
    ("(y_hat - y) * w5 * relu'(z1) * x1", "(ŷ − y)·w5·ReLU'(z1)·x1"),
    ("1 - tanh²(z)", "1 − tanh(z)²"),
    ("σ'(z)·x", "σ'(z)·x"),
    ("sech²(z)", "sech(z)²"),
    ("0.44315x", "0.44315·x"),
    ("½·x₁", "½·x1"),
    ("2u2(1 − h²)", "2·u2·(1 − h²)"),
])
def test_the_claim_is_echoed_as_read(claim: str, read_as: str) -> None:
    names = ["z", "x", "ŷ", "y", "w5", "z1", "x1", "u2", "h"]
    values = [leaf(0.5, name) for name in names]
    assert read_claim(claim, values, {}).read_as == read_as


def test_labels_are_echoed_as_the_graph_writes_them() -> None:
    net = simplenn_forward()
    order = topological_order(net["L"])
    read = read_claim("(y_hat − y)W2[1]ReLU'(z1[1])x2", order, {"y": 1})
    assert read.read_as == "(ŷ − y)·W2[1]·ReLU'(z1[1])·x2"


# ---- errors at the column of the claim as typed ----------------------------------------------


@pytest.mark.parametrize("claim, at", [
    ("σ(z)(1−σ(z)) x +", "+"),  # σ read as sigmoid and a * put in before the slip
    ("(ŷ − y)·w5·ReLU'(z1)·x1)", ")"),  # the last ')' is the stray one
    ("x²·ŷ·(w5 +)", ")"),  # x² read as x**2
    ("ŷ·σ(z)·foo(x1)", "f"),  # an unknown function, after letters of two bytes
    ("tanh²(z", "("),  # f²(x) rewritten as (f(x))**2
    ("½x1 + * 2", "*"),
])
def test_a_slip_is_pointed_at_in_the_claim_as_typed(claim: str, at: str) -> None:
    order = [leaf(0.5, name) for name in ["z", "x", "ŷ", "y", "w5", "x1"]]
    with pytest.raises(FormulaError) as err:
        read_claim(claim, order, {})
    column = claim.rindex(at) if at == ")" else claim.index(at)
    assert err.value.column == column
    assert f"at column {column + 1}" in str(err.value)
    assert "__prime" not in str(err.value) and "_label" not in str(err.value)


def test_a_slip_after_a_label_that_is_not_a_python_name() -> None:
    net = simplenn_forward()
    claim = "(ŷ − y)·W2[1]·ReLU'(z1[1])·x2 −"
    with pytest.raises(FormulaError) as err:
        check_formula(net["L"], net["W1[1,2]"], claim, constants={"y": 1})
    assert err.value.column == len(claim) - 1
    assert f"at column {len(claim)}" in str(err.value) and "W2[1]" not in str(err.value)


def test_a_line_break_is_pointed_at() -> None:
    with pytest.raises(FormulaError) as err:
        read_claim("ŷ·x\n+ 1", [leaf(1.0, "ŷ"), leaf(1.0, "x")], {})
    assert err.value.column == 3 and "at column 4" in str(err.value)


# ---- hints for a name the graph lacks --------------------------------------------------------


def test_an_unknown_name_is_given_to_the_caller(net: dict[str, Value]) -> None:
    loss = bce(net["ŷ"], Value(0.0))  # y written as a number: not a label
    with pytest.raises(ClaimError) as err:
        check_formula(loss, net["w1"], "(ŷ − target)w5·ReLU'(z1)x1")
    assert err.value.missing == "target"
    assert "give it: constants={'target': 0}" in str(err.value)
    labels = [v.label for v in topological_order(loss) if v.label]
    cli = unknown_name(err.value.missing, labels, constants_hint=True, interface="cli")
    assert cli.endswith("give it: --const target=0") and "constants=" not in cli
    python = unknown_name(err.value.missing, labels, constants_hint=True)
    assert python.endswith("give it: constants={'target': 0}")


def test_other_claim_errors_miss_no_name() -> None:
    a, b = leaf(1.0, "w"), leaf(2.0, "w")
    with pytest.raises(ClaimError) as err:
        check_formula(a * b, a, "w")
    assert err.value.missing is None
    with pytest.raises(ClaimError) as err:
        check_formula(a * b, a, "2*q")
    assert err.value.missing == "q"


def test_a_number_claim_may_use_a_derivative() -> None:
    # the rule's own numbers (σ' = out·(1 − out)) are exact: only the claim's digits count
    z = leaf(0.5, "z")
    out = z.sigmoid()
    assert check_formula(out, z, "σ'(0.5000)")
    assert not check_formula(out, z, "σ'(0.4000)")
    assert read_claim("σ'(0.5)", [z], {}).at({}) == pytest.approx(sigma(0.5) * (1 - sigma(0.5)))
