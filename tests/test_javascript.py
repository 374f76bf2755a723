"""The player's JavaScript, run in Chromium: the same numbers as the engine, safe source text.

`autograd.replay.javascript` writes a graph's forward values and local derivatives from the
op table's texts; ``autograd/player/static/formula.js`` is the runtime they call. Driven by
the table: an op added to `OPS` is generated, run and compared here without a new line.
Each test sends all its cases to the page in one call.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import browser
import pytest
from test_compile import random_graph

import autograd
from autograd import OPS, Value, define_op
from autograd.formula import FUNCTIONS, LEAKY_SLOPE, DomainError, evaluate
from autograd.graph import topological_order
from autograd.notation import number
from autograd.ops import BUILT_IN
from autograd.replay import NotGenerated, javascript
from autograd.value import apply
from nn import MLP
from nn.examples import student_forward
from nn.losses import bce_with_logits, hinge, l2

FORMULA_JS = Path(autograd.__file__).parent / "player" / "static" / "formula.js"

# Each case: {"src": a generated function, "leaves": its leaves' numbers}. The result is
# {"data", "local"}, or the error thrown: {"error": name, "op", "message", "domain": bool}.
_RUN = """(cases) => cases.map((c) => {
  try {
    return new Function("return " + c.src)()(c.leaves, BackpropFormula);
  } catch (e) {
    return {error: e.name, op: e.op, message: e.message,
            domain: e instanceof BackpropFormula.DomainError};
  }
})"""


@pytest.fixture(scope="module")
def page():
    assert browser.available(), f"the browser tests need Debian's chromium at {browser.CHROMIUM}"
    with browser.page() as p:
        p.set_content(f"<!doctype html><script>{FORMULA_JS.read_text()}</script>")
        yield p


def leaves_of(order: list[Value]) -> list[float]:
    return [v.data for v in order if not v.parents]


def run(page, orders: list[list[Value]], leaves: list[list[float]] | None = None) -> list:
    cases = [{"src": javascript(order), "leaves": leaves_of(order) if leaves is None else ls}
             for order, ls in zip(orders, leaves or [None] * len(orders))]
    return page.evaluate(_RUN, cases)


def relative(js: float, py: float) -> float:
    if js == py:
        return 0.0
    return abs(js - py) / max(abs(py), 1e-300)


def differences(order: list[Value], result: dict) -> list[tuple[str, int, float, float]]:
    """Every number of ``result`` that differs from the engine's by more than 1e-12 relative."""
    assert "error" not in result, result
    assert len(result["data"]) == len(result["local"]) == len(order)
    wrong = []
    for k, (v, data, local) in enumerate(zip(order, result["data"], result["local"])):
        if not math.isclose(data, v.data, rel_tol=1e-12, abs_tol=1e-300):
            wrong.append(("data", k, data, v.data))
        assert len(local) == len(v.local_grads), (k, v.op)
        for js, py in zip(local, v.local_grads):
            if not math.isclose(js, py, rel_tol=1e-12, abs_tol=1e-300):
                wrong.append((f"local of {v.op}", k, js, py))
    return wrong


# ---- every op of the table ---------------------------------------------------------------


def sample_points(op, rng: random.Random) -> list[tuple[float, ...]]:
    """Points inside the op's domain: random, both signs, 0, integer exponents; for a
    variadic op (dot) 1 to 3 (weight, input) pairs and a bias."""
    def draw() -> float:
        return rng.choice([-1, 1]) * rng.choice([rng.uniform(0, 4), 10 ** rng.uniform(-3, 1.5)])

    if op.arity is None:
        candidates = [tuple(draw() for _ in range(2 * pairs + 1))
                      for pairs in (1, 2, 3) for _ in range(4)]
    elif op.arity == 1:
        candidates = [(x,) for x in (-2.5, -1e-3, 0.0, 1e-3, 0.7, 3.1)]
        candidates += [(draw(),) for _ in range(10)]
    else:
        candidates = [(-2.5, 3.0), (1.7, -2.0), (0.3, 0.5), (-1.5, 2.0), (2.0, 0.0)]
        candidates += [(draw(), draw()) for _ in range(30)]
    valid = []
    for point in candidates:
        try:
            apply(op, *point)
        except (DomainError, OverflowError):
            continue
        valid.append(point)
    return valid


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_forward_formulas_compute_the_forwards_exactly(name):
    # The JavaScript is written from the text; the engine computes with the function.
    op = OPS[name]
    for point in sample_points(op, random.Random(name)):
        n = len(point)
        variables = dict(zip(op.input_names(n), point))
        assert evaluate(op.forward_formula(n), variables) == op.forward(*point), (name, point)


def test_every_op_in_javascript_gives_the_engines_numbers(page):
    rng = random.Random(2024)
    cases = []
    for name in sorted(BUILT_IN):
        op = OPS[name]
        points = sample_points(op, rng)
        assert len(points) >= 6, (name, points)
        if op.arity == 1:  # both sides of 0 wherever the domain has both
            assert any(p[0] > 0 for p in points), name
            assert any(p[0] < 0 for p in points) or name in ("log", "sqrt"), name
        for point in points:
            out = apply(op, *[Value(x) for x in point])
            cases.append((name, point, topological_order(out)))
    assert {name for name, _, _ in cases} == set(BUILT_IN)
    results = run(page, [order for _, _, order in cases])
    wrong = [(name, point, differences(order, result))
             for (name, point, order), result in zip(cases, results)]
    assert [w for w in wrong if w[2]] == []


def test_dot_adds_in_the_engines_order_to_the_last_bit(page):
    rng = random.Random(5)
    orders = []
    for pairs in (1, 2, 3, 12):
        ws = [Value(rng.uniform(-3, 3)) for _ in range(pairs)]
        xs = [Value(rng.uniform(-3, 3)) for _ in range(pairs)]
        orders.append(topological_order(autograd.dot(ws, xs, Value(rng.uniform(-1, 1)))))
    for order, result in zip(orders, run(page, orders)):
        assert result["data"] == [v.data for v in order]
        assert result["local"] == [list(v.local_grads) for v in order]


# ---- whole graphs ------------------------------------------------------------------------


def mlp_loss() -> Value:
    model = MLP(2, [16, 16, 1], rng=random.Random(3))
    score = model([Value(0.4, label="x1"), Value(-1.3, label="x2")])
    return hinge([score], [1]) + bce_with_logits(score, 1) + l2(model.parameters(), 1e-4)


def test_whole_networks_give_the_engines_numbers(page):
    roots = [student_forward()["L"], mlp_loss()]
    roots += [random_graph(random.Random(seed), [Value(0.3 * seed - 1.1), Value(0.8)])
              for seed in range(6)]
    orders = [topological_order(root) for root in roots]
    assert len(orders[1]) > 600
    for order, result in zip(orders, run(page, orders)):
        assert differences(order, result) == []


def test_new_leaf_numbers_give_the_engines_numbers_at_those_numbers(page):
    # The source holds no number of the graph: the same code serves any leaf values.
    def graph(numbers: list[float]) -> list[Value]:
        return topological_order(random_graph(random.Random(11), [Value(x) for x in numbers]))

    traced = graph([0.5, -0.25])
    fresh = [graph([a, b]) for a, b in [(1.25, 0.75), (-0.8, 1.9), (0.05, -1.3)]]
    assert {javascript(order) for order in fresh} == {javascript(traced)}
    results = run(page, [traced] * len(fresh), [leaves_of(order) for order in fresh])
    for order, result in zip(fresh, results):
        assert differences(order, result) == []


# ---- domain errors and safety ------------------------------------------------------------


def test_numbers_outside_a_domain_throw_a_domain_error_naming_the_op(page):
    x, y = Value(1.0), Value(2.0)
    cases = {
        "log: not defined at a = 0": (x.log(), [0.0]),
        "div: not defined at a = 1, b = 0": (x / y, [1.0, 0.0]),
        "sqrt: the derivative is infinite at a = 0": (x.sqrt(), [0.0]),
        "exp: the result is too large for a number at a = 1000": (x.exp(), [1000.0]),
        "pow: the derivative with respect to b is not defined at a = -2, b = 3": (x**y, [-2, 3]),
        "powc: not defined at a = -8, b = 0.3333": (x ** (1 / 3), [-8.0, 1 / 3]),
    }
    orders = [topological_order(root) for root, _ in cases.values()]
    results = run(page, orders, [leaves for _, leaves in cases.values()])
    for message, result in zip(cases, results):
        assert result["domain"] and result["error"] == "DomainError", result
        assert result["message"] == message and result["op"] == message.split(":")[0]


HOSTILE = "</script><script>alert(1)</script>"


def test_no_label_or_user_text_enters_the_source(page):
    x = Value(0.5, label=HOSTILE)
    y = (x * 2.0 + 1.0).tanh()
    for v in topological_order(y):
        v.label = HOSTILE
    source = javascript(topological_order(y))
    assert "<" not in source and ">" not in source
    assert "script" not in source and "alert" not in source
    # Only generated identifiers, numbers, operators, the built-in ops' names and input names
    # (string literals), F's members and the few words of the function's frame.
    strings = re.findall(r'"([^"\\]*)"', source)
    assert set(strings) <= BUILT_IN | {"a", "b"}
    words = set(re.findall(r"[A-Za-z_][\w.]*", re.sub(r'"[^"]*"', "", source)))
    generated = {w for w in words if re.fullmatch(r"[dl]\d+(_\d+)?", w)}
    runtime = {f"F.{name}" for name in [*FUNCTIONS, "finite", "domainError"]}
    frame = {"function", "leaves", "F", "var", "if", "throw", "return", "data", "local", "null"}
    assert words - generated - runtime - frame == set()
    (result,) = run(page, [topological_order(y)])
    assert differences(topological_order(y), result) == []


def test_a_user_defined_op_is_refused_with_a_sentence():
    double = define_op("double", lambda a: 2 * a, lambda a, out: (2.0,), "2")
    try:
        order = topological_order(double(Value(1.5, label="x")) + 1.0)
        with pytest.raises(NotGenerated) as caught:
            javascript(order)
    finally:
        del OPS["double"]
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == (
        "the op 'double' is computed by a Python function (define_op), "
        "which a web page cannot run"
    )


def test_an_order_that_is_not_topological_is_refused():
    x = Value(1.0)
    order = topological_order(x.exp() * x)
    with pytest.raises(ValueError, match="topological order"):
        javascript(order[::-1])


# ---- the runtime: formula functions and numbers ------------------------------------------


def test_runtime_functions_mirror_the_formula_language(page):
    assert page.evaluate("BackpropFormula.LEAKY_SLOPE") == LEAKY_SLOPE
    rng = random.Random(9)
    points = [-1e308, -800.0, -50.0, -1.0, -1e-300, -0.0, 0.0, 5e-324, 1e-8, 0.5, 1.0, 50.0,
              800.0, 1e308] + [rng.uniform(-20, 20) for _ in range(200)]
    got = page.evaluate(
        "([names, xs]) => names.map((n) => xs.map((x) => BackpropFormula[n](x)))",
        [sorted(FUNCTIONS), points])
    for name, values in zip(sorted(FUNCTIONS), got):
        for x, js in zip(points, values):
            try:
                py = float(FUNCTIONS[name](x))
            except (ValueError, OverflowError):  # Python raises where JavaScript gives NaN, ∞
                assert not math.isfinite(js), (name, x, js)
                continue
            assert math.isclose(js, py, rel_tol=1e-12, abs_tol=1e-300), (name, x, js, py)


def format_cases() -> list[float]:
    rng = random.Random(4)
    xs = [0.0, -0.0, 1.0, -1.0, 9.9995, 0.0001, 1e-05, 123456.0, 99995.0, 0.00099995, 9999.5,
          12345.0, 2.5, 0.125, 1.125, 0.03125, 1e16, 1e22, 1e-300, 5e-324, 1.7976931348623157e308,
          0.1, 0.3, 1 / 3, 2 / 3, 100.0, 1000.0, 9999.0, 10000.0, 99999.0, 0.000123449999,
          math.inf, -math.inf, math.nan]
    xs += [rng.choice([-1, 1]) * 10 ** rng.uniform(-12, 12) for _ in range(1400)]
    xs += [float(rng.randrange(-10**7, 10**7)) for _ in range(200)]
    xs += [rng.randrange(-4000, 4000) / 8 for _ in range(200)]  # exact halves: ties
    xs += [rng.randrange(1, 10**5) * 10.0 ** rng.randrange(-8, 8) for _ in range(200)]
    return xs


@pytest.mark.parametrize("digits", [4, 3])
def test_format_number_writes_numbers_as_python_does(page, digits):
    xs = format_cases()
    got = page.evaluate("([xs, d]) => xs.map((x) => BackpropFormula.formatNumber(x, d))",
                        [xs, digits])
    expected = [number(x, f".{digits}g") for x in xs]
    wrong = [(x, js, py) for x, js, py in zip(xs, got, expected) if js != py]
    assert len(xs) >= 2000 and wrong == []
