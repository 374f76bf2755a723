"""Higher-order gradients: every op's 2nd and 3rd derivatives, Hessians, Newton's method.

Oracles: sympy's symbolic derivatives, PyTorch's float64 Hessians, central differences of
the engine's own first derivatives, and known minima.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest
import sympy
import torch
import torch.nn.functional as F
from conftest import central_difference

from autograd import OPS, DomainError, Value, define_op, grad, hessian, hvp, no_grad
from autograd.ops import exp
from autograd.value import apply


def dot(*inputs):
    # b + w1*x1 + w2*x2 + ...: the inputs are (w, x) pairs, then the bias
    pairs = iter(inputs[:-1])
    return inputs[-1] + sum(w * x for w, x in zip(pairs, pairs))


# Each op of the table as a sympy expression in its inputs; a constant input is a number.
SYMPY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": lambda a, b: a**b,
    "powc": lambda a, b: a ** sympy.nsimplify(b),
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "tanh": sympy.tanh,
    "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
    "relu": lambda a: sympy.Piecewise((a, a > 0), (0, True)),
    "leaky_relu": lambda a: sympy.Piecewise((a, a > 0), (sympy.Rational(1, 100) * a, True)),
    "softplus": lambda a: sympy.log(1 + sympy.exp(a)),
    "abs": sympy.Abs,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "dot": dot,
}

# The same ops in PyTorch, for float64 Hessians.
TORCH = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": lambda a, b: a**b,
    "powc": lambda a, b: a**b,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "leaky_relu": F.leaky_relu,
    "softplus": F.softplus,
    "abs": torch.abs,
    "sin": torch.sin,
    "cos": torch.cos,
    "dot": dot,
}

# Points away from 0, the kink of relu, leaky_relu and abs.
UNARY_POINTS = [(-1.9,), (-0.6,), (0.45,), (1.3,)]
BINARY_POINTS = list(itertools.product([-1.7, 0.6, 2.2], [-1.3, 0.8, 3.0]))
# a variadic op: the first 1 to 5 of these, as many as its domain accepts
VARIADIC_POINTS = [(0.7, -1.1, 1.6, 0.4, -0.9)[:n] for n in range(1, 6)]


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-11)


def valid_points(op):
    ok = []
    points = {1: UNARY_POINTS, 2: BINARY_POINTS}.get(op.arity, VARIADIC_POINTS)
    for p in points:
        try:
            apply(op, *p)
        except DomainError:
            continue
        ok.append(p)
    return ok


def evaluate(expr, at):
    return float(expr.evalf(30, subs={s: sympy.Float(v, 30) for s, v in at.items()}))


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_a_sympy_and_a_torch_version(name):
    assert name in SYMPY, f"op {name!r} needs a sympy expression in SYMPY of this file"
    assert name in TORCH, f"op {name!r} needs a PyTorch function in TORCH of this file"


@pytest.mark.parametrize("name", sorted(OPS))
def test_second_and_third_derivatives_of_each_op_match_sympy(name):
    op = OPS[name]
    checked = 0
    for point in valid_points(op):
        variable = [i for i in range(len(point)) if i not in op.constant_inputs]
        symbols = sympy.symbols(f"a0:{len(point)}", real=True)
        # inputs as Values, except constant inputs, which the op gets as numbers
        xs = [Value(p) if i in variable else p for i, p in enumerate(point)]
        args = [s if i in variable else p for i, (s, p) in enumerate(zip(symbols, point))]
        expr = SYMPY[name](*args)
        at = {symbols[i]: point[i] for i in variable}
        out = apply(op, *xs)
        # every mixed partial of order 1, 2 and 3: d/dx_i, then d/dx_j of that, ...
        for order in (1, 2, 3):
            for path in itertools.product(variable, repeat=order):
                g = out
                for i in path:
                    (g,) = grad(g, [xs[i]], create_graph=True)
                want = evaluate(sympy.diff(expr, *[symbols[i] for i in path]), at)
                assert g.data == approx(want), (name, point, path)
                checked += 1
    assert checked >= 6


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradient_of_each_op_matches_differences_of_its_own_gradient(name):
    # An oracle independent of sympy: d/dx of the engine's first derivative, numerically.
    op = OPS[name]
    for point in valid_points(op):
        variable = [i for i in range(len(point)) if i not in op.constant_inputs]
        for i, j in itertools.product(variable, repeat=2):

            def first(p, i=i, variable=variable):
                xs = [Value(x) if k in variable else x for k, x in enumerate(p)]
                return grad(apply(op, *xs), [xs[i]])[0].data

            xs = [Value(x) if k in variable else x for k, x in enumerate(point)]
            (g,) = grad(apply(op, *xs), [xs[i]], create_graph=True)
            (h,) = grad(g, [xs[j]])
            numeric = central_difference(first, point, j, h=1e-5)
            assert h.data == pytest.approx(numeric, rel=1e-5, abs=1e-6), (name, point, i, j)


# ---- random small expressions: Hessians against sympy and PyTorch --------------------------

SMOOTH_UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "softplus", "sin", "cos", "powc"]
SMOOTH_BINARY = ["add", "sub", "mul", "div", "pow"]


def random_program(rng: random.Random, n_inputs: int, n_ops: int):
    """A list of steps (op name, argument positions, constant): each step may reuse any
    earlier result, so sub-expressions are shared. Kept only if it evaluates cleanly."""
    while True:
        program = []
        for k in range(n_ops):
            name = rng.choice(SMOOTH_UNARY + SMOOTH_BINARY)
            size = n_inputs + k
            a = max(0, size - 1 - int(rng.expovariate(0.7)))  # prefer recent results
            if name in SMOOTH_BINARY:
                program.append((name, (a, rng.randrange(size)), None))
            else:
                const = rng.choice([2, 3, -1, 0.5]) if name == "powc" else None
                program.append((name, (a,), const))
        point = [rng.uniform(0.3, 1.5) * rng.choice([-1, 1]) for _ in range(n_inputs)]
        try:
            with no_grad():
                value = run(program, [Value(x) for x in point], engine_step)
        except DomainError:
            continue
        if abs(value.data) < 1e4:
            return program, point


def run(program, inputs, step):
    results = list(inputs)
    for name, positions, const in program:
        args = [results[p] for p in positions]
        results.append(step(name, args, const))
    return results[-1]


def engine_step(name, args, const):
    return apply(OPS[name], *args, *([] if const is None else [const]))


def sympy_step(name, args, const):
    return SYMPY[name](*args, *([] if const is None else [const]))


def torch_step(name, args, const):
    return TORCH[name](*args, *([] if const is None else [const]))


def sympy_hessian(program, point):
    symbols = sympy.symbols(f"x0:{len(point)}", real=True)
    expr = run(program, symbols, sympy_step)
    at = dict(zip(symbols, point))
    return [[evaluate(sympy.diff(expr, s, t), at) for t in symbols] for s in symbols]


def torch_hessian(program, point):
    def f(x):
        return run(program, list(x), torch_step)

    h = torch.autograd.functional.hessian(f, torch.tensor(point, dtype=torch.float64))
    return h.tolist()


def assert_matrices_close(got, want, rel=1e-8):
    scale = max(1.0, max(abs(w) for row in want for w in row))
    for i, (row, want_row) in enumerate(zip(got, want)):
        for j, (g, w) in enumerate(zip(row, want_row)):
            assert g == pytest.approx(w, rel=rel, abs=rel * scale), (i, j)


@pytest.mark.parametrize("seed", range(25))
def test_hessians_of_random_expressions_match_sympy_and_torch(seed):
    rng = random.Random(seed)
    program, point = random_program(rng, n_inputs=rng.randint(1, 3), n_ops=7)
    got = hessian(lambda *xs: run(program, xs, engine_step), point)
    assert len(got) == len(point) and all(len(row) == len(point) for row in got)
    assert_matrices_close(got, sympy_hessian(program, point))
    assert_matrices_close(got, torch_hessian(program, point))


@pytest.mark.parametrize("seed", range(25))
def test_hessians_are_symmetric(seed):
    rng = random.Random(seed)
    program, point = random_program(rng, n_inputs=3, n_ops=9)
    h = hessian(lambda *xs: run(program, xs, engine_step), point)
    for i, j in itertools.combinations(range(3), 2):
        assert h[i][j] == pytest.approx(h[j][i], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_hvp_is_the_hessian_times_the_vector(seed):
    rng = random.Random(seed)
    program, point = random_program(rng, n_inputs=3, n_ops=8)
    v = [rng.uniform(-1, 1) for _ in point]
    h = sympy_hessian(program, point)
    want = [sum(hij * vj for hij, vj in zip(row, v)) for row in h]
    got = hvp(lambda *xs: run(program, xs, engine_step), point, v)
    scale = max(1.0, *map(abs, want))
    assert got == pytest.approx(want, rel=1e-8, abs=1e-8 * scale)


# ---- grad() itself ------------------------------------------------------------------------


def test_grad_touches_no_grad_field():
    a, b = Value(0.7, label="a"), Value(-1.2, label="b")
    y = (a * b).tanh() + (a / b).exp() * a
    nodes = [a, b, y, *y.parents]
    for k, v in enumerate(nodes):
        v.grad = 10.0 + k
    da, db = grad(y, [a, b], create_graph=True)
    grad(da, [a, b])
    grad(db, [a, b], create_graph=True)
    hessian(lambda x: x.tanh(), [0.3])
    assert [v.grad for v in nodes] == [10.0 + k for k in range(len(nodes))]


def test_first_order_grad_matches_backward_and_differences():
    def f(a, b):
        return (a * b).sigmoid() * a.sin() - b**2 / a

    point = [0.8, -0.4]
    xs = [Value(x) for x in point]
    plain = grad(f(*xs), xs)
    graphed = grad(f(*xs), xs, create_graph=True)
    f(*xs).backward()
    for i, x in enumerate(xs):
        numeric = central_difference(lambda p: f(*map(Value, p)).data, point, i)
        assert plain[i].data == pytest.approx(numeric, rel=1e-7)
        assert graphed[i].data == pytest.approx(plain[i].data, rel=1e-12)
        assert x.grad == pytest.approx(plain[i].data, rel=1e-12)
        assert plain[i].parents == ()


def test_grad_of_grad_as_in_the_design():
    w1 = Value(0.2, label="w1")
    y = (w1 * 2.0 + 0.3).sigmoid()
    y.label = "y"
    (dw,) = grad(y, [w1], create_graph=True)
    (d2w,) = grad(dw, [w1])
    s = 1 / (1 + math.exp(-0.7))
    assert dw.data == pytest.approx(2 * s * (1 - s), rel=1e-12)
    assert d2w.data == pytest.approx(4 * s * (1 - s) * (1 - 2 * s), rel=1e-12)
    assert dw.parents and dw.label == "∂y/∂w1"
    assert d2w.parents == ()


def test_unused_and_interior_inputs():
    a, b, c = Value(1.5), Value(2.0), Value(-3.0)
    z = a * b
    y = z.exp()
    ga, gz, gc = grad(y, [a, z, c])
    assert gz.data == pytest.approx(math.exp(3.0), rel=1e-12)
    assert ga.data == pytest.approx(2.0 * math.exp(3.0), rel=1e-12)
    assert gc.data == 0.0
    # a gradient that is constant in the input: its derivative is 0, not an error
    a.label, b.label = "a", "b"
    product = a * b
    product.label = "p"
    (db,) = grad(product, [a], create_graph=True)  # ∂(ab)/∂a is b itself: keeps its label
    (d2,) = grad(db, [a])
    assert db.data == 2.0 and d2.data == 0.0 and b.label == "b"
    (self_grad,) = grad(y, [y])
    assert self_grad.data == 1.0


def test_shared_operands_count_twice():
    x = Value(1.5)
    y = x * x * x  # x³, with x used three times
    (g,) = grad(y, [x], create_graph=True)
    (h,) = grad(g, [x], create_graph=True)
    (t,) = grad(h, [x])
    assert (g.data, h.data, t.data) == (pytest.approx(6.75), pytest.approx(9.0), 6.0)


def test_no_grad_gives_numbers_and_refuses_to_build_a_graph():
    x = Value(0.4)
    y = x.sin() * x
    with no_grad():
        (g,) = grad(y, [x])
        assert g.data == pytest.approx(math.cos(0.4) * 0.4 + math.sin(0.4), rel=1e-12)
        with pytest.raises(RuntimeError, match="no_grad"):
            grad(y, [x], create_graph=True)
        with pytest.raises(RuntimeError, match="no_grad"):
            hessian(lambda v: v.sin(), [0.4])


def test_bad_arguments_give_clear_errors():
    x = Value(1.0)
    with pytest.raises(TypeError, match="output"):
        grad(2.0, [x])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"inputs\[1\]"):
        grad(x * 2, [x, 3.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="v has 1"):
        hvp(lambda a, b: a * b, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="scalar"):
        hessian(lambda a: [a, a], [1.0])
    assert hessian(lambda a, b: 3.0, [1.0, 2.0]) == [[0.0, 0.0], [0.0, 0.0]]  # a constant


def test_user_defined_ops_differentiate_twice_when_their_rule_is_written_for_values():
    # softplus written anew: its rule sigmoid(a) works on Values, so f'' = σ(a)(1 − σ(a)).
    soft = define_op("soft_plus_t", lambda a: math.log1p(math.exp(a)),
                     lambda a, out: (1 / (1 + exp(-a)),), "1 / (1 + exp(-a))")
    # math.cos works on floats only: fine for backward, not for a gradient graph.
    fsin = define_op("float_sin_t", math.sin, lambda a, out: (math.cos(a),), "cos(a)")
    try:
        x = Value(0.3)
        (g,) = grad(soft(x), [x], create_graph=True)
        (h,) = grad(g, [x])
        s = 1 / (1 + math.exp(-0.3))
        assert g.data == pytest.approx(s, rel=1e-12)
        assert h.data == pytest.approx(s * (1 - s), rel=1e-12)

        y = fsin(x) * 2
        (g,) = grad(y, [x])
        assert g.data == pytest.approx(2 * math.cos(0.3), rel=1e-12)
        with pytest.raises(TypeError, match="'float_sin_t'.*does not work on Values"):
            grad(y, [x], create_graph=True)
    finally:
        del OPS["soft_plus_t"], OPS["float_sin_t"]


# ---- Newton's method: x ← x − f'(x) / f''(x), and x ← x − H⁻¹ ∇f in 2-D -------------------


def test_newton_1d_converges_quadratically():
    # f(x) = e^x − 2x has its minimum where e^x = 2: x* = ln 2.
    x = 0.0
    errors = []
    for _ in range(6):
        v = Value(x)
        (d1,) = grad(v.exp() - 2 * v, [v], create_graph=True)
        (d2,) = grad(d1, [v])
        x -= d1.data / d2.data
        errors.append(abs(x - math.log(2)))
    assert errors[-1] < 1e-15
    for before, after in zip(errors[1:4], errors[2:5]):
        assert after < before**2  # the error squares at each step


def test_newton_2d_reaches_the_rosenbrock_minimum():
    # f(x, y) = (1 − x)² + 100 (y − x²)², minimum at (1, 1), from the classic start.
    def f(x, y):
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    p = [-1.2, 1.0]
    for _ in range(8):
        xs = [Value(c) for c in p]
        gx, gy = (g.data for g in grad(f(*xs), xs))
        (hxx, hxy), (hyx, hyy) = hessian(f, p)
        det = hxx * hyy - hxy * hyx
        # solve H · step = ∇f by Cramer's rule
        p = [p[0] - (gx * hyy - hxy * gy) / det, p[1] - (hxx * gy - hyx * gx) / det]
    assert p == [pytest.approx(1.0, abs=1e-10), pytest.approx(1.0, abs=1e-10)]


# ---- a tiny network -----------------------------------------------------------------------


def test_hessian_of_a_tiny_network_loss_matches_torch():
    # A 2-2-1 tanh network with a squared-error loss on two samples; the Hessian with
    # respect to four of its nine weights, the others held fixed.
    rng = random.Random(3)
    weights = [rng.uniform(-1, 1) for _ in range(9)]
    data = [([0.5, -1.0], 1.0), ([-0.3, 0.8], -0.5)]
    free = [0, 3, 4, 8]

    def loss(w, tanh, zero):
        total = zero
        for (x1, x2), target in data:
            h1 = tanh(w[0] * x1 + w[1] * x2 + w[2])
            h2 = tanh(w[3] * x1 + w[4] * x2 + w[5])
            out = w[6] * h1 + w[7] * h2 + w[8]
            total = total + (out - target) ** 2
        return total

    def with_free(chosen):
        w = list(weights)
        for k, c in zip(free, chosen):
            w[k] = c
        return w

    got = hessian(lambda *c: loss(with_free(c), Value.tanh, 0.0), [weights[k] for k in free])
    want = torch.autograd.functional.hessian(
        lambda c: loss(with_free(list(c)), torch.tanh, torch.zeros((), dtype=torch.float64)),
        torch.tensor([weights[k] for k in free], dtype=torch.float64),
    ).tolist()
    assert_matrices_close(got, want, rel=1e-10)


def test_a_gradient_graph_can_be_explained_and_drawn():
    from autograd.draw import draw
    from autograd.explain import explain

    w1 = Value(0.2, label="w1")
    y = (w1 * 2.0 + 0.3).tanh()
    y.label = "y"
    (dw,) = grad(y, [w1], create_graph=True)
    (d2w,) = grad(dw, [w1])
    t = math.tanh(0.7)
    assert d2w.data == pytest.approx(-8 * t * (1 - t * t), rel=1e-12)
    assert explain(dw, w1).total == pytest.approx(d2w.data, rel=1e-12)
    assert "∂y/∂w1" in draw(dw).source


def test_hessian_of_an_nn_model_loss_with_respect_to_some_weights_matches_torch():
    # nn.MLP 2-2-1 (tanh hidden, sigmoid output), mean squared error on three samples; the
    # Hessian with respect to four of its parameters by grad of grad, against PyTorch.
    from nn import MLP, mse

    w1, b1 = [[0.3, -0.8], [0.5, 0.2]], [0.1, -0.4]
    w2, b2 = [[0.9, -0.6]], [0.05]
    xs = [[0.5, -1.0], [-0.3, 0.8], [1.2, 0.4]]
    ys = [1.0, 0.0, 1.0]
    model = MLP.from_weights([(w1, b1), (w2, b2)], activation="tanh",
                             output_activation="sigmoid")
    named = dict(model.named_parameters())
    chosen = ["layer1.neuron1.w2", "layer1.neuron2.b", "layer2.neuron1.w1", "layer2.neuron1.b"]
    params = [named[n] for n in chosen]
    loss = mse([model(x) for x in xs], ys)
    gradient = grad(loss, params, create_graph=True)
    got = [[h.data for h in grad(g, params)] for g in gradient]
    assert all(p.grad == 0.0 for p in model.parameters())

    def torch_loss(c):
        W1 = torch.tensor(w1, dtype=torch.float64).clone()
        B1 = torch.tensor(b1, dtype=torch.float64).clone()
        W2 = torch.tensor(w2, dtype=torch.float64).clone()
        B2 = torch.tensor(b2, dtype=torch.float64).clone()
        W1[0, 1], B1[1], W2[0, 0], B2[0] = c[0], c[1], c[2], c[3]
        X = torch.tensor(xs, dtype=torch.float64)
        out = torch.sigmoid(torch.tanh(X @ W1.T + B1) @ W2.T + B2).squeeze(1)
        return ((out - torch.tensor(ys, dtype=torch.float64)) ** 2).mean()

    start = torch.tensor([w1[0][1], b1[1], w2[0][0], b2[0]], dtype=torch.float64)
    want = torch.autograd.functional.hessian(torch_loss, start).tolist()
    assert_matrices_close(got, want, rel=1e-10)
