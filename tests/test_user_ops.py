"""User-defined ops: validated when defined, then used like built-ins everywhere."""

from __future__ import annotations

import math

import pytest
import torch
from conftest import central_difference

from autograd import OPS, DomainError, Value, define_op, draw, explain, grad, gradcheck
from autograd.formula import FormulaError
from autograd.ops import exp, sigmoid


@pytest.fixture
def defined():
    """Names defined in a test, removed from the table afterwards."""
    made: list[str] = []
    yield made
    for name in made:
        OPS.pop(name, None)


def softplus_float(a: float) -> float:
    return math.log1p(math.exp(a))


def make_softplus(defined, name="my_softplus"):
    op = define_op(name, softplus_float, lambda a, out: (sigmoid(a),), "sigmoid(a)",
                   symbol="sp")
    defined.append(name)
    return op


def test_backward_through_a_user_op_matches_finite_differences_and_pytorch(defined):
    softplus = make_softplus(defined)
    w, x = Value(0.7, label="w"), Value(-1.3, label="x")
    y = softplus(w * x) * w
    y.backward()
    point = [0.7, -1.3]

    def f(p):
        return softplus_float(p[0] * p[1]) * p[0]

    assert w.grad == pytest.approx(central_difference(f, point, 0), rel=1e-7)
    assert x.grad == pytest.approx(central_difference(f, point, 1), rel=1e-7)
    tw = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    tx = torch.tensor(-1.3, dtype=torch.float64, requires_grad=True)
    (torch.nn.functional.softplus(tw * tx) * tw).backward()
    assert w.grad == pytest.approx(tw.grad.item(), rel=1e-12)
    assert x.grad == pytest.approx(tx.grad.item(), rel=1e-12)


def test_a_user_op_is_drawn_explained_and_checked_like_a_built_in(defined):
    softplus = make_softplus(defined)
    x = Value(0.4, label="x")
    y = softplus(x)
    y.label = "y"
    y.backward()
    source = draw(y).source
    # the node shows the op by its symbol, its edge the local derivative's number
    assert "sp(x)" in source and "my_softplus" not in source
    assert f"{1 / (1 + math.exp(-0.4)):.4g}" in source
    text = str(explain(y, x))
    assert "∂y/∂x = sp'(x) = σ(x)" in text
    assert explain(y, x).total == pytest.approx(x.grad, rel=1e-12)
    report = gradcheck(lambda x: softplus(x * x), [0.4])
    assert report and [(c.op, c.input) for c in report.ops] == [
        ("mul", 0), ("mul", 1), ("my_softplus", 0)]


def test_second_derivative_through_the_rule_on_values(defined):
    softplus = make_softplus(defined)
    x = Value(0.3, label="x")
    (dx,) = grad(softplus(x), [x], create_graph=True)
    (d2x,) = grad(dx, [x])
    s = 1 / (1 + math.exp(-0.3))
    assert dx.data == pytest.approx(s, rel=1e-12)
    assert d2x.data == pytest.approx(s * (1 - s), rel=1e-12)
    numeric = central_difference(lambda p: 1 / (1 + math.exp(-p[0])), [0.3], 0)
    assert d2x.data == pytest.approx(numeric, rel=1e-7)


def test_two_inputs_and_a_domain(defined):
    def why(a, b):
        return f"needs a + b > 0, got a={a!r}, b={b!r}" if a + b <= 0 else None

    logsum = define_op("logsum", lambda a, b: math.log(a + b),
                       lambda a, b, out: (1 / (a + b), 1 / (a + b)),
                       ("1 / (a + b)", "1 / (a + b)"), domain=why)
    defined.append("logsum")
    assert gradcheck(lambda p, q: logsum(p, q * q), [0.5, 1.5])
    with pytest.raises(DomainError, match="logsum: needs a \\+ b > 0"):
        logsum(Value(-1.0), 0.5)
    with pytest.raises(TypeError, match="logsum takes 2 input"):
        logsum(Value(1.0))


def test_names_are_unique_and_built_ins_are_never_replaced(defined):
    make_softplus(defined, "dup")
    with pytest.raises(ValueError, match="already defined; pass replace=True"):
        make_softplus(defined, "dup")
    twice = define_op("dup", lambda a: 2 * a, lambda a, out: (2.0,), "2", replace=True)
    assert twice(Value(3.0)).data == 6.0 and OPS["dup"].formulas == ("2",)
    for name in ("tanh", "mul", "dot"):
        before = OPS[name]
        with pytest.raises(ValueError, match="built-in op"):
            define_op(name, math.tanh, lambda a, out: (1.0,), "1", replace=True)
        assert OPS[name] is before


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("bad name", math.exp, lambda a, out: (out,), "out"), ValueError, "identifier"),
        (("f1", math.exp, lambda a, out: (out,), "out +"), FormulaError, "syntax error"),
        (("f2", math.exp, lambda a, out: (out,), "exp(c)"), ValueError, "uses c"),
        (("f3", math.exp, lambda a, out: (out,), "__import__('os')"), FormulaError, "unknown"),
        (("f4", math.pow, lambda a, b, out: (1.0, 1.0), "1"), TypeError, "forward must take 1"),
        (("f5", math.exp, lambda a: (1.0,), "1"), TypeError, "rule must take 2"),
        (("f6", math.exp, lambda a, out: (1.0,), ("1", "1", "1")), ValueError, "1 or 2"),
        (("f7", "exp", lambda a, out: (1.0,), "1"), TypeError, "functions"),
        # the text shown in drawings and explanations must be what the rule computes
        (("f8", lambda a: a * a, lambda a, out: (2 * a,), "3 * a"), ValueError,
         "formula 0 '3 \\* a' gives"),
        (("f9", lambda a, b: a * b, lambda a, b, out: (b,), ("b", "a")), TypeError,
         "one per input"),
    ],
)
def test_bad_definitions_are_refused_and_change_nothing(args, error, message):
    before = dict(OPS)
    with pytest.raises(error, match=message):
        define_op(*args)
    assert OPS == before


def test_the_rule_may_use_table_functions_on_values(defined):
    # exp(a) * (1 + a) is d/da of a * exp(a); written once, it serves floats and Values.
    aexp = define_op("aexp", lambda a: a * math.exp(a), lambda a, out: (exp(a) * (1 + a),),
                     "exp(a) * (1 + a)")
    defined.append("aexp")
    x = Value(0.2)
    (dx,) = grad(aexp(x), [x], create_graph=True)
    (d2x,) = grad(dx, [x])
    assert d2x.data == pytest.approx(math.exp(0.2) * 2.2, rel=1e-12)
