"""Compiled replay against the eager engine: same numbers for new inputs, safe generated code."""

from __future__ import annotations

import math
import random

import pytest
from conftest import central_difference
from test_ops_table import valid_points

from autograd import OPS, DomainError, Value, define_op
from autograd.ops import BUILT_IN, sigmoid
from autograd.replay import compile, compile_graph
from autograd.value import apply, dot


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_forward_expressions_equal_forwards_exactly(name):
    op = OPS[name]
    for point in valid_points(op):
        n = len(point)
        replay = compile(lambda *xs, op=op: apply(op, *xs), *point)
        out, grads = replay(list(point))
        eager = apply(op, *[Value(x) for x in point])
        assert out == eager.data, (name, point, op.forward_expression(n))
        for i, g in enumerate(grads):
            if i not in op.constant_inputs:
                assert g == pytest.approx(eager.local_grads[i], rel=1e-12, abs=1e-300)


def random_graph(rng: random.Random, inputs: list[Value]) -> Value:
    """A graph over every built-in op, reusing earlier results (shared sub-expressions)."""
    pool = list(inputs)
    for _ in range(30):
        a = pool[-1 - min(len(pool) - 1, int(rng.expovariate(0.4)))]
        b = rng.choice(pool)
        kind = rng.randrange(12)
        if kind == 0:
            out = a * b + 0.5
        elif kind == 1:
            out = a - b * 2.0
        elif kind == 2:
            out = a / (b * b + 1.0)
        elif kind == 3:
            out = (a.tanh() * b + 0.1) ** 2 + (a.sigmoid() + 0.1) ** 1.5
        elif kind == 4:
            out = a.tanh().exp()
        elif kind == 5:
            out = (a * a + 1.0).log() + (a * a + 0.5).sqrt()
        elif kind == 6:
            out = a.tanh() + a.sigmoid() - a.softplus()
        elif kind == 7:
            out = a.relu() + b.leaky_relu() + abs(a)
        elif kind == 8:
            out = a.sin() * b.cos() - a
        elif kind == 9:
            out = dot([a, b, 0.7], [b, -0.2, a], b)
        elif kind == 10:
            out = (a.sigmoid() + 0.5) ** b.tanh()
        else:
            out = -a + 3.0 - 1.0 / (b * b + 2.0)
        pool.append(out)
    return sum(pool[-6:], Value(0.0))


def eager(seed: int, numbers: list[float]) -> tuple[float, list[float]]:
    inputs = [Value(x) for x in numbers]
    out = random_graph(random.Random(seed), inputs)
    out.backward()
    return out.data, [x.grad for x in inputs]


@pytest.mark.parametrize("seed", range(15))
def test_replay_at_new_inputs_matches_the_eager_engine(seed):
    rng = random.Random(1000 + seed)
    inputs = [Value(rng.uniform(-1.5, 1.5)) for _ in range(4)]
    replay = compile_graph(random_graph(random.Random(seed), inputs), inputs)
    for _ in range(5):
        numbers = [rng.uniform(-1.5, 1.5) for _ in inputs]
        out, grads = replay(numbers)
        want_out, want_grads = eager(seed, numbers)
        assert out == pytest.approx(want_out, rel=1e-12, abs=1e-12)
        assert grads == pytest.approx(want_grads, rel=1e-12, abs=1e-12)


def test_replay_gradients_match_central_differences():
    replay = compile(lambda a, b: (a * b).tanh() + (a / b).sigmoid() * a**2, 0.3, 1.2)
    point = [0.7, -1.4]
    _, grads = replay(point)
    for i in range(2):
        numeric = central_difference(lambda p: replay(p)[0], point, i)
        assert grads[i] == pytest.approx(numeric, rel=1e-7)


def test_a_relu_on_its_other_branch_is_not_a_new_shape():
    replay = compile(lambda x, w: (x * w).relu() * x, 2.0, 1.0)  # traced with x*w > 0
    for x, w in [(2.0, -1.0), (-3.0, 0.5), (1.5, 2.0)]:
        xv, wv = Value(x), Value(w)
        y = (xv * wv).relu() * xv
        y.backward()
        assert replay([x, w]) == (y.data, [xv.grad, wv.grad])


def test_a_different_number_of_inputs_is_refused():
    replay = compile(lambda a, b: a * b, 1.0, 2.0)
    with pytest.raises(ValueError, match="traced with 2 input.*compile it again"):
        replay([1.0, 2.0, 3.0])


def test_domain_errors_in_replay_are_domain_errors():
    replay = compile(lambda a, b: a / b + a.log(), 1.0, 2.0)
    with pytest.raises(DomainError, match="replay"):
        replay([1.0, 0.0])
    with pytest.raises(DomainError, match="replay"):
        replay([-1.0, 2.0])


def test_leaves_that_are_not_inputs_are_frozen_and_unused_inputs_get_zero():
    w, unused = Value(2.0), Value(5.0)
    frozen = Value(3.0)
    replay = compile_graph(w * frozen, [w, unused])
    frozen.data = 100.0
    assert replay([4.0, 1.0]) == (12.0, [3.0, 0.0])


def test_inputs_must_be_distinct_leaves():
    a = Value(1.0)
    with pytest.raises(TypeError, match="leaf"):
        compile_graph(a * 2, [a * 2])
    with pytest.raises(ValueError, match="twice"):
        compile_graph(a * a, [a, a])
    with pytest.raises(TypeError, match="Value"):
        compile(lambda a: 3.0, 1.0)


def test_labels_and_user_op_text_never_become_code():
    hostile = "w'\nimport os  # \u2028\r"
    w = Value(0.5, label=hostile)
    name = "hostile_op"
    f = define_op(name, lambda a: a * 3.0, lambda a, out: (sigmoid(a) * 0 + 3.0,), "3")
    try:
        y = f(w) * w
        y.label = hostile
        replay = compile_graph(y, [w])
    finally:
        del OPS[name]
    for line in replay.source.splitlines():
        code = line.split("#")[0]
        assert "import" not in code and "'" not in code and "3.0" not in code, line
    y.backward()
    assert replay([0.5]) == (y.data, [w.grad])


def test_source_reads_as_the_chain_rule():
    replay = compile(lambda w, x, b: dot([w], [x], b).relu(), 0.5, 2.0, 0.1)
    lines = [line.strip() for line in replay.source.splitlines()]
    assert "v0 = x2 + x0 * x1  # dot" in lines
    assert "g_x0 = x1 * g_v0" in lines and "g_x1 = x0 * g_v0" in lines and "g_x2 = g_v0" in lines
    assert "g_v0 = step(v0) * g_v1" in lines


def test_moons_sized_graph_replays_exactly():
    rng = random.Random(7)
    weights = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(8)]
    xs = [[Value(rng.uniform(-2, 2)) for _ in range(2)] for _ in range(20)]
    params = [w for ws in weights for w in ws]
    loss = sum(
        ((1 - dot([ws[0], ws[1]], row, ws[2]).relu()).relu() for ws in weights for row in xs),
        Value(0.0),
    )
    loss.backward()
    replay = compile_graph(loss, params + [x for row in xs for x in row])
    out, grads = replay([p.data for p in params] + [x.data for row in xs for x in row])
    assert out == loss.data
    assert grads == [p.grad for p in params] + [x.grad for row in xs for x in row]
    assert math.isfinite(out)
