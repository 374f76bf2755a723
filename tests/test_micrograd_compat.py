"""Code written for micrograd gives micrograd's numbers with only the import changed."""

from __future__ import annotations

import random

import micrograd.engine as micrograd_engine  # noqa: E402  (the test extra installs it)
import pytest

from autograd import Value


def readme_example(V):
    # micrograd's README example, verbatim apart from the class name.
    a = V(-4.0)
    b = V(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g.data, a.grad, b.grad


def test_readme_example_gives_micrograds_numbers():
    ours = readme_example(Value)
    theirs = readme_example(micrograd_engine.Value)
    assert [f"{x:.4f}" for x in ours] == ["24.7041", "138.8338", "645.5773"]
    assert ours == pytest.approx(theirs, rel=1e-12)


def random_micrograd_expression(V, seed):
    rng = random.Random(seed)
    xs = [V(rng.uniform(-2, 2)) for _ in range(3)]
    pool = list(xs)
    for _ in range(25):
        a, b = rng.choice(pool), rng.choice(pool)
        kind = rng.randrange(9)
        if kind == 0:
            out = a + b
        elif kind == 1:
            out = a * b
        elif kind == 2:
            out = a - b
        elif kind == 3:
            out = a / (b * b + 1)
        elif kind == 4:
            out = a ** 2
        elif kind == 5:
            out = a.relu()
        elif kind == 6:
            out = -a + 0.5
        elif kind == 7:
            out = 2.0 * a - 1
        else:
            out = 1.5 / (a * a + 1)
        pool.append(out)
    root = sum(pool[-5:], V(0.0))
    root.backward()
    return [root.data] + [x.grad for x in xs]


@pytest.mark.parametrize("seed", range(20))
def test_random_expressions_agree_with_micrograd(seed):
    ours = random_micrograd_expression(Value, seed)
    theirs = random_micrograd_expression(micrograd_engine.Value, seed)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
