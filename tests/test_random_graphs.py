"""Random expression graphs with shared nodes: engine gradients against sympy's derivatives."""

from __future__ import annotations

import operator
import random

import pytest
import sympy

from autograd import DomainError, Value

SYMPY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "powc": lambda a, k: a**k,
    "neg": lambda a: -a,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "tanh": sympy.tanh,
    "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
    "relu": lambda a: sympy.Max(0, a),
    "softplus": lambda a: sympy.log(1 + sympy.exp(a)),
    "abs": sympy.Abs,
    "sin": sympy.sin,
    "cos": sympy.cos,
}


BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "div": operator.truediv, "pow": operator.pow}


def engine_op(name, a, b=None):
    if name in BINARY:
        return BINARY[name](a, b)
    return -a if name == "neg" else getattr(a, name)()


def random_graph(rng: random.Random, n_inputs: int, n_ops: int):
    symbols = sympy.symbols(f"x0:{n_inputs}", real=True)
    inputs = [Value(rng.uniform(-2, 2), label=str(s)) for s in symbols]
    pool = list(zip(inputs, symbols))
    unary = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "abs", "sin",
             "cos", "powc"]
    binary = ["add", "sub", "mul", "div", "pow"]
    built = 0
    while built < n_ops:
        name = rng.choice(unary + binary * 2)
        # prefer recent nodes, but reuse old ones too: shared sub-expressions
        a, sa = pool[max(0, len(pool) - 1 - int(rng.expovariate(0.5)))]
        try:
            if name == "powc":
                k = rng.choice([2, 3, -1, 0.5])
                v, s = a**k, SYMPY["powc"](sa, sympy.Rational(k).limit_denominator())
            elif name in binary:
                b, sb = rng.choice(pool)
                v, s = engine_op(name, a, b), SYMPY[name](sa, sb)
            else:
                v, s = engine_op(name, a), SYMPY[name](sa)
        except DomainError:
            continue
        if abs(v.data) > 1e6 or (name in ("relu", "abs") and abs(a.data) < 1e-3):
            continue  # keep away from overflow and from the kinks of relu and abs
        pool.append((v, s))
        built += 1
    root, expr = pool[-1]
    return inputs, symbols, root, expr


@pytest.mark.parametrize("seed", range(60))
def test_random_graph_gradients_match_sympy(seed):
    rng = random.Random(seed)
    inputs, symbols, root, expr = random_graph(rng, n_inputs=rng.randint(1, 4), n_ops=12)
    at = {s: sympy.Float(v.data, 30) for s, v in zip(symbols, inputs)}
    assert root.data == pytest.approx(float(expr.evalf(30, subs=at)), rel=1e-9)
    root.backward()
    for v, s in zip(inputs, symbols):
        exact = float(sympy.diff(expr, s).evalf(30, subs=at))
        assert v.grad == pytest.approx(exact, rel=1e-8, abs=1e-10), (seed, str(s))
