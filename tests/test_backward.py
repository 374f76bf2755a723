"""backward(): shared nodes, depth, repeated calls, no_grad, errors, and freeing graphs."""

from __future__ import annotations

import gc
import math
import sys

import pytest
from conftest import central_difference

from autograd import DomainError, Value, no_grad


def test_shared_operands_count_twice():
    a = Value(3.0)
    s = a + a
    p = a * a
    assert s.parents == (a, a) and p.parents == (a, a)
    s.backward()
    assert a.grad == 2.0
    a.grad = 0.0
    p.backward()
    assert a.grad == 6.0


def test_diamond_matches_finite_differences():
    def f(x):
        b = x * 2
        c = b.exp()
        d = b.sin()
        return c * d + b

    x = Value(0.3)
    f(x).backward()
    numeric = central_difference(lambda p: f(Value(p[0])).data, [0.3], 0)
    assert x.grad == pytest.approx(numeric, rel=1e-7)


def test_deep_chain_needs_no_recursion():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        x = Value(0.5)
        y = x
        for _ in range(1_000_000):
            y = y + 1e-6
        y.backward()
        assert x.grad == 1.0
        assert y.data == pytest.approx(0.5 + 1.0, rel=1e-9)
    finally:
        sys.setrecursionlimit(limit)


def test_second_backward_accumulates_on_leaves_and_resets_interior():
    w = Value(2.0)
    h = w * 3
    loss = h * h
    loss.backward()
    assert (w.grad, h.grad) == (36.0, 12.0)
    loss.backward()
    assert w.grad == 72.0  # leaves accumulate, as in PyTorch
    assert h.grad == 12.0  # interior nodes hold the latest pass


def test_two_losses_add_on_shared_leaf():
    w = Value(1.5)
    (w * 2).backward()
    (w * w).backward()
    assert w.grad == 2.0 + 3.0


def test_backward_of_a_leaf_is_one():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


def test_no_grad_records_nothing_and_restores():
    w = Value(1.0)
    with no_grad():
        y = (w * 3).exp() + 1
        assert y.parents == () and y.op == "" and y.local_grads == ()
    z = w * 3
    assert z.parents[0] is w


def test_no_grad_restores_after_an_exception():
    with pytest.raises(DomainError):
        with no_grad():
            Value(-1.0).log()
    assert (Value(1.0) * 2).parents


def test_reflected_forms():
    v = Value(2.0)
    cases = {
        "2 - v": (2 - v, -1.0),
        "2 / v": (2 / v, -2 / 4),
        "2 ** v": (2**v, 4 * math.log(2)),
        "3 + v": (3 + v, 1.0),
        "3 * v": (3 * v, 3.0),
        "-v": (-v, -1.0),
    }
    for text, (out, expected) in cases.items():
        v.grad = 0.0
        out.backward()
        assert v.grad == pytest.approx(expected), text


def test_value_exponent_gets_a_gradient():
    a, b = Value(2.0), Value(3.0)
    (a**b).backward()
    assert a.grad == pytest.approx(12.0) and b.grad == pytest.approx(8 * math.log(2))


@pytest.mark.parametrize(
    "make, exc, words",
    [
        (lambda: Value(0.0).log(), DomainError, ["log", "0.0"]),
        (lambda: Value(-2.0).log(), DomainError, ["log", "-2.0"]),
        (lambda: Value(-4.0).sqrt(), DomainError, ["sqrt", "-4.0"]),
        (lambda: Value(1.0) / 0, DomainError, ["div", "division by zero", "b=0.0"]),
        (lambda: 1 / Value(0.0), DomainError, ["div", "b=0.0"]),
        (lambda: Value(0.0) ** -1, DomainError, ["powc", "0.0", "-1"]),
        (lambda: Value(-8.0) ** 0.5, DomainError, ["powc", "-8.0", "0.5"]),
        (lambda: Value(-8.0) ** Value(2.0), DomainError, ["pow", "-8.0"]),
        (lambda: Value(1000.0).exp(), OverflowError, ["exp", "1000.0"]),
        (lambda: Value(10.0) ** 400, OverflowError, ["powc", "10.0"]),
    ],
)
def test_domain_errors_name_the_op_and_value(make, exc, words):
    with pytest.raises(exc) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_domain_errors_are_value_and_arithmetic_errors():
    with pytest.raises(ValueError):
        Value(0.0).log()
    with pytest.raises(ArithmeticError):
        Value(1.0) / 0.0


def test_nan_and_inf_data_are_accepted():
    assert math.isnan((Value(float("nan")) * 2).data)
    assert (Value(float("inf")) + 1).data == float("inf")


@pytest.mark.parametrize("bad", ["1.0", None, [1.0], True, 1j])
def test_constructor_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="Value"):
        Value(bad)


def test_constructor_rejects_a_value_with_advice():
    with pytest.raises(TypeError, match="v.data"):
        Value(Value(1.0))


def test_ops_reject_non_numbers():
    with pytest.raises(TypeError):
        Value(1.0) + "2"


def test_repr_is_helpful():
    w = Value(0.25, label="w1")
    assert repr(w) == "Value(data=0.25, grad=0.0, label='w1')"
    assert "op='mul'" in repr(w * 2)


def count_values() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Value)


def test_dropped_graph_is_freed_without_the_garbage_collector():
    gc.collect()
    gc.disable()
    try:
        before = count_values()
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 1.0001).tanh() + x
        y.backward()
        assert count_values() > before + 1000
        del x, y
        assert count_values() == before
    finally:
        gc.enable()
