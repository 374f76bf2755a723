"""Every op in the table, checked against central differences and against its formula text.

Driven by the table itself: an op added to `OPS` is tested here without a new line.
"""

from __future__ import annotations

import itertools
import math

import pytest
from conftest import central_difference

from autograd import OPS, DomainError, Value
from autograd.formula import evaluate
from autograd.value import apply

UNARY_POINTS = [-2.3, -0.7, 0.4, 1.3, 2.9]
BINARY_POINTS = list(itertools.product([-1.7, 0.6, 2.2], [-1.3, 0.8, 3.0]))
# A variadic op (arity None) gets 3, 5 and 7 inputs.
VARIADIC_POINTS = [p + (0.5,) for p in BINARY_POINTS] + [
    p + q + r + (-0.9,) for p, q, r in zip(BINARY_POINTS, BINARY_POINTS[3:], BINARY_POINTS[5:])
]


def valid_points(op):
    if op.arity is None:
        points = VARIADIC_POINTS
    else:
        points = [(x,) for x in UNARY_POINTS] if op.arity == 1 else BINARY_POINTS
    ok = []
    for p in points:
        try:
            apply(op, *p)
        except DomainError:
            continue
        ok.append(p)
    return ok


@pytest.mark.parametrize("name", sorted(OPS))
def test_each_op_has_enough_valid_sample_points(name):
    assert len(valid_points(OPS[name])) >= 2


@pytest.mark.parametrize("name", sorted(OPS))
def test_local_gradients_match_central_differences(name):
    op = OPS[name]
    for point in valid_points(op):
        out = apply(op, *point)
        assert out.op == name and len(out.parents) == len(point)
        assert op.arity in (None, len(point))
        for i in range(len(point)):
            if i in op.constant_inputs:
                assert out.local_grads[i] == 0.0
                continue
            numeric = central_difference(lambda p: op.forward(*p), point, i)
            expected = pytest.approx(numeric, rel=1e-6, abs=1e-7)
            assert out.local_grads[i] == expected, (name, point, i)


@pytest.mark.parametrize("name", sorted(OPS))
def test_formula_text_evaluates_to_the_rule(name):
    op = OPS[name]
    for point in valid_points(op):
        out = op.forward(*point)
        rule = op.rule(*point, out)
        n = len(point)
        variables = dict(zip(op.input_names(n), point), out=out)
        assert len(variables) == n + 1 and len(rule) == n
        for i, expected in enumerate(rule):
            got = evaluate(op.formula(i, n), variables)
            assert got == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize("name", sorted(OPS))
def test_rules_also_build_graphs_from_values(name):
    # The higher-order machinery calls the same rules on Values: they must return Values or
    # constants whose numbers equal the float rule.
    op = OPS[name]
    for point in valid_points(op)[:2]:
        out = apply(op, *point)
        inputs = [Value(x) if i not in op.constant_inputs else x for i, x in enumerate(point)]
        symbolic = op.rule(*inputs, Value(out.data))
        for got, expected in zip(symbolic, out.local_grads):
            got = got.data if isinstance(got, Value) else got
            assert got == pytest.approx(expected, rel=1e-12)


def test_relu_and_abs_follow_pytorch_at_zero():
    assert Value(0.0).relu().local_grads == (0.0,)
    assert Value(0.0).abs().local_grads == (0.0,)
    assert Value(0.0).leaky_relu().local_grads == (0.01,)


@pytest.mark.parametrize("x", [-1e308, -800.0, -50.0, 0.0, 50.0, 800.0, 1e308])
def test_sigmoid_tanh_softplus_never_overflow(x):
    s = Value(x).sigmoid()
    t = Value(x).tanh()
    sp = Value(x).softplus()
    assert 0.0 <= s.data <= 1.0 and -1.0 <= t.data <= 1.0
    assert math.isfinite(sp.data) and sp.data >= 0
    assert 0.0 <= s.local_grads[0] <= 0.25 and 0.0 <= t.local_grads[0] <= 1.0


def test_op_prints_its_rule():
    assert str(OPS["sigmoid"]) == "sigmoid: ∂out/∂a = out * (1 - out)"
    assert str(OPS["div"]) == "div: ∂out/∂a = 1 / b; ∂out/∂b = -out / b"


def test_variadic_op_names_its_inputs_and_formulas():
    dot = OPS["dot"]
    assert dot.arity is None
    assert dot.input_names(5) == ("w1", "x1", "w2", "x2", "b")
    assert [dot.formula(i, 5) for i in range(5)] == ["x1", "w1", "x2", "w2", "1"]
    out = apply(dot, 2.0, 3.0, -1.0, 4.0, 0.5)
    assert out.data == 0.5 + 2.0 * 3.0 + -1.0 * 4.0
    assert out.local_grads == (3.0, 2.0, 4.0, -1.0, 1.0)
    with pytest.raises(DomainError, match="odd number"):
        apply(dot, 2.0, 3.0)
