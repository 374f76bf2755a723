"""Exact gradients with sympy (`autograd.symbolic`).

The oracle is sympy's own differentiation of forwards written here by hand, never the op
table: the table's derivative texts are what is under test.
"""

from __future__ import annotations

import random
import subprocess
import sys
import warnings
from typing import Any

import pytest

sp = pytest.importorskip("sympy")

from autograd import Value  # noqa: E402
from autograd.define import define_op  # noqa: E402
from autograd.formula import parse  # noqa: E402
from autograd.ops import BUILT_IN, OPS, Op  # noqa: E402
from autograd.symbolic import (  # noqa: E402
    MAX_NODES,
    LabelCollisionWarning,
    SymbolicError,
    expression,
    number,
    prove_equal,
    symbolic,
)
from autograd.value import apply  # noqa: E402


def sym(name: str) -> Any:
    return sp.Symbol(name, real=True)


def h0(expr: Any) -> Any:
    """sympy's derivative of Max is Heaviside(x) with H(0) = 1/2; the engine's step(0) is 0.
    The same function away from 0: put the engine's convention in."""
    return expr.replace(sp.Heaviside, lambda arg, *_: sp.Heaviside(arg, 0))


def same(a: Any, b: Any) -> bool:
    """sympy shows a = b (with the engine's step(0) = 0 on both sides)."""
    difference = h0(a) - h0(b)
    return any(sp.simplify(form) == 0 for form in (
        difference,
        difference.rewrite(sp.exp),
        sp.piecewise_fold(difference.rewrite(sp.Piecewise)),
    ))


def agree(a: Any, b: Any, values=(-2.5, -0.3, 0.4, 1.7)) -> bool:
    """a = b at exact points on both sides of 0, all symbols the same number (both are
    defined there for the ops of this file's one-op graphs)."""
    for x in map(sp.Rational, map(str, values)):
        point = {s: x for s in (a - b).free_symbols}
        if sp.N(h0(a).xreplace(point) - h0(b).xreplace(point), 30) != 0:
            return False
    return True


# ---- every op of the table against sympy.diff of a forward written by hand -------------------

# Each built-in op's forward in sympy, written independently of the table.
FORWARD = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": lambda a, b: a**b,
    "powc": lambda a, b: a**b,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
    "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
    "relu": lambda a: sp.Piecewise((a, a > 0), (0, True)),
    "leaky_relu": lambda a: sp.Piecewise((a, a > 0), (a / 100, True)),
    "softplus": lambda a: sp.log(1 + sp.exp(a)),
    "abs": sp.Abs,
    "sin": sp.sin,
    "cos": sp.cos,
    "dot": lambda w1, x1, w2, x2, b: w1 * x1 + w2 * x2 + b,
}

# Numbers inside every op's domain, per input position; the exponent of powc is a number.
DATA = {"powc": [(1.7, 2.5), (1.7, 3.0), (1.7, -1.5)], "dot": [(0.5, 2.0, -0.3, 1.5, 0.1)]}


def test_the_oracle_covers_every_built_in_op():
    assert set(FORWARD) == set(BUILT_IN)


def one_op_cases():
    for name in sorted(BUILT_IN):
        op = OPS[name]
        for data in DATA.get(name, [(0.7, 1.3)[: op.arity or 2]]):
            yield pytest.param(name, data, id=f"{name}{data}")


@pytest.mark.parametrize("name, data", list(one_op_cases()))
def test_each_op_gives_sympys_derivative(name, data):
    op = OPS[name]
    names = op.input_names(len(data))
    leaves = [Value(x) if i in op.constant_inputs else Value(x, label=names[i])
              for i, x in enumerate(data)]
    out = apply(op, *leaves)
    args = [number(x) if i in op.constant_inputs else sym(names[i])
            for i, x in enumerate(data)]
    oracle = FORWARD[name](*args)
    forward = expression(out)
    # sympy cannot fold Max(a, a/100) - Piecewise(...) to 0: then points on both sides of 0
    assert same(forward, oracle) or (name == "leaky_relu" and agree(forward, oracle))
    for i, leaf in enumerate(leaves):
        if i in op.constant_inputs:
            continue
        got = symbolic(out, leaf, in_leaves=True)
        assert same(got, sp.diff(oracle, args[i])), (name, i, got)


def test_a_labelled_output_stays_a_symbol():
    a = Value(0.3, label="a")
    y = a.tanh()
    y.label = "y"
    assert symbolic(y, a) == 1 - sym("y") ** 2
    assert symbolic(y, a, in_leaves=True) == 1 - sp.tanh(sym("a")) ** 2


# ---- the first article's student network -----------------------------------------------------


@pytest.fixture
def net():
    from nn.examples import student_forward

    return student_forward()


def student_loss_by_hand():
    x1, x2, w1, w2, w3, w4, w5, w6, b1, b2, b3 = map(
        sym, "x1 x2 w1 w2 w3 w4 w5 w6 b1 b2 b3".split())
    h1 = sp.Max(0, w1 * x1 + w2 * x2 + b1)
    h2 = sp.Max(0, w3 * x1 + w4 * x2 + b2)
    y_hat = 1 / (1 + sp.exp(-(w5 * h1 + w6 * h2 + b3)))
    return -sp.log(1 - y_hat)  # y = 0 for the first student


def at_points(net, seed=0, n=5):
    """Exact points of the leaves near the network's numbers, away from the ReLUs' kinks."""
    rng = random.Random(seed)
    leaves = [v for v in net.values() if not v.parents]
    points = []
    while len(points) < n:
        point = {sym(v.label): sp.Rational(round(v.data + rng.uniform(-0.5, 0.5), 3))
                 for v in leaves}
        w1, w2, w3, w4, b1, b2, x1, x2 = (point[sym(k)] for k in
                                          "w1 w2 w3 w4 b1 b2 x1 x2".split())
        z1, z2 = w1 * x1 + w2 * x2 + b1, w3 * x1 + w4 * x2 + b2
        if min(abs(z1), abs(z2)) > sp.Rational(1, 100):
            points.append(point)
    return points


@pytest.mark.parametrize("wrt", ["w1", "w5"])
def test_student_gradients_in_leaves_are_sympys(net, wrt):
    got = symbolic(net["L"], net[wrt], in_leaves=True)
    oracle = sp.diff(student_loss_by_hand(), sym(wrt))
    difference = h0(got) - h0(oracle)
    assert sp.cancel(difference) == 0  # sympy shows it, with step(0) = 0 on both sides
    for point in at_points(net):  # and the two agree where the conventions do not matter
        assert sp.N(got.xreplace(point) - oracle.xreplace(point), 30) == pytest.approx(0)


def test_student_gradient_reads_as_the_article_writes_it(net):
    got = symbolic(net["L"], net["w1"])
    assert {s.name for s in got.free_symbols} == {"ŷ", "w5", "x1", "z1"}
    assert got == sym("ŷ") * sym("w5") * sym("x1") * sp.Heaviside(sym("z1"), 0)


def test_student_gradient_has_the_engines_number(net):
    net["L"].backward()
    numbers = {sym(v.label): number(v.data) for v in net.values()}
    for wrt in ("w1", "w4", "b2", "w6", "b3", "z1", "y_hat"):
        for in_leaves in (False, True):
            exact = symbolic(net["L"], net[wrt], in_leaves=in_leaves)
            assert float(exact.xreplace(numbers)) == pytest.approx(net[wrt].grad, rel=1e-12)


def test_student_gradient_wrt_an_intermediate(net):
    assert symbolic(net["L"], net["z3"]) == sym("ŷ")
    assert symbolic(net["L"], net["L"]) == 1


# ---- graph shapes, constants, errors ------------------------------------------------------------


def test_diamond_sums_both_paths():
    x = Value(0.4, label="x")
    y = x.exp() * x.sin()  # x reaches y along two paths
    X = sym("x")
    assert sp.simplify(symbolic(y, x) - sp.diff(sp.exp(X) * sp.sin(X), X)) == 0


def test_same_parent_twice():
    x = Value(3.0, label="x")
    assert symbolic(x * x, x) == 2 * sym("x")


def test_a_labelled_intermediate_used_twice():
    x = Value(0.2, label="x")
    u = x.tanh()
    u.label = "u"
    y = u * u + u
    U, X = sym("u"), sym("x")
    assert sp.expand(symbolic(y, x) - (2 * U + 1) * (1 - U**2)) == 0
    by_hand = sp.tanh(X) ** 2 + sp.tanh(X)
    assert sp.simplify(symbolic(y, x, in_leaves=True) - sp.diff(by_hand, X)) == 0


def test_constants_are_exact():
    x = Value(1.5, label="x")
    y = 0.35 * x ** 2.5 + x / 0.1
    got = symbolic(y, x)
    X = sym("x")
    assert got.atoms(sp.Float) == set()
    assert sp.simplify(got - (sp.Rational(7, 8) * X ** sp.Rational(3, 2) + 10)) == 0
    assert (number(0.35), number(0.1), number(1 / 3)) == (
        sp.Rational(7, 20), sp.Rational(1, 10), sp.Rational(1, 3))
    assert number(0.6329747766804606) == sp.Rational("0.6329747766804606")
    assert number(-4.0) == -4 and number(1e-12) == sp.Rational(1, 10**12)


def test_unreached_and_unlabelled():
    x, other = Value(1.0, label="x"), Value(2.0, label="other")
    assert symbolic(x.exp(), other) == 0
    with pytest.raises(SymbolicError, match="label"):
        symbolic(x * Value(2.0), Value(2.0))


def test_colliding_labels_get_distinct_symbols_and_a_warning():
    first, second = Value(2.0, label="w"), Value(3.0, label="w")
    y = first * second
    with pytest.warns(LabelCollisionWarning, match="'w'"):
        got = symbolic(y, first)
    assert got.name == "w_2"
    with pytest.warns(LabelCollisionWarning):
        assert symbolic(y * y, second) == 2 * sym("w") ** 2 * sym("w_2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert symbolic(y, second) == sym("w")  # only the first symbol shows: nothing to say


def test_user_defined_op():
    cube = define_op("cube", lambda a: a**3, lambda a, out: (3 * a**2,), "3 * a**2")
    try:
        x = Value(0.5, label="x")
        y = cube(x).tanh()
        got = symbolic(y, x)
        X = sym("x")
        assert same(got, 3 * X**2 * (1 - sp.tanh(sp.Function("cube")(X)) ** 2))
        del OPS["cube"]
        with pytest.raises(SymbolicError, match="'cube'"):
            symbolic(y, x)
    finally:
        OPS.pop("cube", None)


def test_an_op_without_derivative_text_is_named():
    OPS["mystery"] = Op("mystery", "?", lambda a: 2 * a, lambda a, out: (2.0,), ("",))
    try:
        x = Value(0.5, label="x")
        y = apply(OPS["mystery"], x)
        with pytest.raises(SymbolicError, match="'mystery'"):
            symbolic(y, x)
    finally:
        del OPS["mystery"]


def test_importing_needs_no_sympy_and_calling_says_how_to_get_it(monkeypatch):
    code = ("import sys; sys.modules['sympy'] = None\n"
            "import autograd\nfrom autograd import symbolic\n"
            "from autograd import Value\n"
            "try:\n"
            "    symbolic(Value(1.0, label='x').exp(), Value(1.0, label='x'))\n"
            "except ImportError as err:\n"
            "    print(err)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert "pip install 'backprop-lab[symbolic]'" in run.stdout


# ---- prove_equal --------------------------------------------------------------------------------


def names_of(net):
    return {v.label: v for v in net.values()}


@pytest.mark.parametrize("claim", [
    "ŷ * w5 * step(z1) * x1",
    "x1 * step(z1) * w5 * ŷ",                        # factor order
    "sigmoid(z3) * w5 * step(z1) * x1",              # σ(z3) for ŷ
    "sigmoid(w5*h1 + w6*h2 + b3) * w5 * step(z1) * x1",
    "exp(z3) / (1 + exp(z3)) * w5 * step(z1) * x1",
    "(ŷ - y) * w5 * step(z1) * x1",                  # y = 0 for this student
])
def test_equivalent_rewritings_are_proved(net, claim):
    names = names_of(net) | {"y": Value(0.0)}  # an unlabelled leaf is its number
    assert prove_equal(net["L"], net["w1"], parse(claim), names) is True


@pytest.mark.parametrize("claim", [
    "ŷ * w5 * x1",                       # ReLU'(z1) forgotten
    "-ŷ * w5 * step(z1) * x1",           # a sign slip
    "(1 - ŷ) * w5 * step(z1) * x1",      # (y - ŷ) with y = 0 the wrong way round, 1 - ŷ
    "ŷ * (1 - ŷ) * w5 * step(z1) * x1",  # σ' kept although the loss cancels it
    "ŷ * w6 * step(z1) * x1",            # the wrong weight
])
def test_wrong_claims_are_not_proved(net, claim):
    verdict = prove_equal(net["L"], net["w1"], parse(claim), names_of(net))
    assert verdict is not True
    assert verdict is False  # each differs at points the check tries: a certain answer


def test_the_cross_entropy_gradient_with_a_labelled_target():
    z = Value(0.3, label="z3")
    y_hat = z.sigmoid()
    y_hat.label = "ŷ"
    y = Value(1.0, label="y")
    loss = -(y * y_hat.log() + (1 - y) * (1 - y_hat).log())
    names = {"ŷ": y_hat, "y": y, "z3": z}
    assert prove_equal(loss, z, parse("ŷ - y"), names) is True
    assert prove_equal(loss, z, parse("sigmoid(z3) - y"), names) is True
    assert prove_equal(loss, z, parse("y - ŷ"), names) is False


def test_a_deeper_network_is_proved():
    from nn.examples import squared_error_forward

    net = squared_error_forward()
    claim = ("((o_k1 - 1)*o_k1*(1 - o_k1)*w_j1k1 + o_k2*o_k2*(1 - o_k2)*w_j1k2)"
             " * o_j1*(1 - o_j1) * x1")
    names = {v.label: v for v in net.values()}
    assert prove_equal(net["E"], net["w_i1j1"], parse(claim), names) is True
    slip = claim.replace("(o_k1 - 1)", "(1 - o_k1)")
    assert prove_equal(net["E"], net["w_i1j1"], parse(slip), names) is False


def test_a_big_network_gets_no_answer_rather_than_a_wait():
    from nn import MLP

    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    x = [Value(0.5, label="x1"), Value(-1.0, label="x2")]
    loss = (model(x) - 1.0) ** 2
    w = model.parameters()[0]
    assert prove_equal(loss, w, parse("x1"), {"x1": x[0]}) is None
    assert MAX_NODES < 400


def test_huge_powers_get_no_answer_rather_than_a_wait(net):
    for claim in ("9**9**9", "(2**1000)**1000 * x1", "ŷ * w5 * step(z1) * x1**5000"):
        assert prove_equal(net["L"], net["w1"], parse(claim), names_of(net)) is None


def test_names_as_pythons_parser_reads_them():
    w = Value(0.5, label="w₁")
    y = w * w
    # Python's parser reads a name w₁ as w1: a key "w₁" answers to the name w1
    assert prove_equal(y, w, parse("2 * w1"), {"w₁": w}) is True


def test_colliding_labels_are_kept_apart_silently_when_proving():
    first, second = Value(2.0, label="w"), Value(3.0, label="w")
    y = first * second
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert prove_equal(y, first, parse("w"), {"w": second}) is True
        assert prove_equal(y, first, parse("w"), {"w": first}) is False


def test_expression_of_a_value():
    x = Value(2.0, label="x")
    h = (x * 0.5 - 1).relu()
    h.label = "h"
    X = sym("x")
    assert expression(h * h) == sp.Max(0, X / 2 - 1) ** 2
    assert expression(h * h, in_leaves=False) == sym("h") ** 2


def test_unknown_names_in_a_claim(net):
    with pytest.raises(SymbolicError, match="unknown name 'q'"):
        prove_equal(net["L"], net["w1"], parse("q * x1"), names_of(net))
