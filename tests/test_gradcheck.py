"""gradcheck: passes on every built-in op, fails on a wrong derivative and names the op."""

from __future__ import annotations

import math

import pytest
import sympy

from autograd import OPS, Value, define_op, gradcheck
from autograd.ops import BUILT_IN, sigmoid
from autograd.value import apply

# Points inside each op's domain (away from kinks), as (inputs, constant exponent or None).
POINTS = {
    "add": [(0.7, -1.3)], "sub": [(0.7, -1.3)], "mul": [(0.7, -1.3)], "div": [(0.7, -1.3)],
    "pow": [(0.7, 1.3), (2.0, -0.5)], "powc": [(0.7,), (-1.5,)],
    "neg": [(0.7,)], "exp": [(0.7,), (-2.0,)], "log": [(0.7,), (3.0,)], "sqrt": [(0.7,)],
    "tanh": [(0.7,), (-2.0,)], "sigmoid": [(0.7,), (-4.0,)], "relu": [(0.7,), (-0.7,)],
    "leaky_relu": [(0.7,), (-0.7,)], "softplus": [(0.7,), (-3.0,)], "abs": [(0.7,), (-0.7,)],
    "sin": [(0.7,), (-2.0,)], "cos": [(0.7,), (-2.0,)],
    "dot": [(0.7, -1.3, 0.4, 2.0, 0.1), (0.5, 2.0, 3.0)],  # w1, x1, w2, x2, b
}


def test_every_built_in_op_has_points():
    assert set(POINTS) == set(BUILT_IN)


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_gradcheck_passes_on_every_built_in_op(name):
    op = OPS[name]
    for point in POINTS[name]:
        if name == "powc":
            def f(a):
                return apply(op, a, 3.0)
        else:
            def f(*xs):
                return apply(op, *xs)
        report = gradcheck(f, list(point))
        assert report, str(report)
        assert [c.op for c in report.ops] == [name] * len(report.ops)
        assert all(c.passed and c.nodes == 1 for c in report.ops)


@pytest.fixture
def user_ops():
    made: list[str] = []
    yield made
    for name in made:
        OPS.pop(name, None)


def test_a_wrong_user_rule_fails_and_the_report_names_the_op(user_ops):
    # softplus' derivative is sigmoid(a); this rule says out, a plausible slip
    wrong = define_op("softplus_wrong", lambda a: math.log1p(math.exp(a)),
                      lambda a, out: (out,), "out")
    user_ops.append("softplus_wrong")
    report = gradcheck(lambda w, x: wrong(w * x).tanh(), [0.5, -1.0])
    assert not report
    assert [c.name for c in report.inputs if not c.passed] == ["w", "x"]
    (failure,) = report.failed_ops
    assert failure.op == "softplus_wrong" and failure.input == 0
    assert failure.numeric == pytest.approx(1 / (1 + math.exp(0.5)), rel=1e-6)
    text = str(report)
    assert text.startswith("gradcheck FAILED")
    assert "op 'softplus_wrong' has a wrong derivative for input 0 (a)" in text
    assert "softplus_wrong" in report._repr_html_()


def test_the_right_user_rule_passes(user_ops):
    right = define_op("softplus_right", lambda a: math.log1p(math.exp(a)),
                      lambda a, out: (sigmoid(a),), "sigmoid(a)")
    user_ops.append("softplus_right")
    assert gradcheck(lambda w, x: right(w * x).tanh(), [0.5, -1.0])


def test_numbers_agree_with_sympy_and_the_table_shows_them():
    w, x = sympy.symbols("w x")
    expr = sympy.tanh(w * x) * sympy.exp(w)
    report = gradcheck(lambda w, x: (w * x).tanh() * w.exp(), [0.3, -1.2])
    assert report
    at = {w: 0.3, x: -1.2}
    for check, symbol in zip(report.inputs, (w, x)):
        exact = float(sympy.diff(expr, symbol).evalf(subs=at))
        assert check.analytic == pytest.approx(exact, rel=1e-12)
        assert check.numeric == pytest.approx(exact, rel=1e-7)
        assert check.abs_error == abs(check.analytic - check.numeric)
    lines = str(report).splitlines()
    assert lines[1].split() == ["input", "at", "analytic", "numeric", "abs", "error", "rel",
                                "error", "result"]
    assert lines[3].split()[0] == "w" and lines[3].split()[-1] == "ok"
    page = report._repr_html_()
    assert page.count("<tr>") == 3 and "<td>ok</td>" in page


def test_tolerances_are_parameters():
    def f(x):
        return x.exp()

    assert gradcheck(f, [1.0])
    strict = gradcheck(f, [1.0], rtol=0.0, atol=0.0)
    assert not strict.inputs[0].passed
    assert not gradcheck(f, [1.0], eps=0.5)  # a coarse step: truncation error e/6 * 0.25


def test_unnamed_parameters_and_bad_results():
    assert [c.name for c in gradcheck(lambda *xs: xs[0] * xs[1], [1.0, 2.0]).inputs] == [
        "x1", "x2"]
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 2.0, [1.0])


def test_relu_exactly_at_its_kink_is_reported():
    # ReLU'(0) = 0 by convention while central differences give 1/2: the report says so.
    report = gradcheck(lambda x: x.relu(), [0.0])
    assert not report
    assert report.failed_ops[0].op == "relu"


def test_value_inputs_are_numbers_only():
    report = gradcheck(lambda a: a * a, [Value(3.0).data])
    assert report.inputs[0].analytic == 6.0
