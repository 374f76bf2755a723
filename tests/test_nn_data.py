"""Datasets: the students table, XOR, two moons and spirals."""

from __future__ import annotations

import math

import pytest

from nn import spirals, students, two_moons, xor


def test_students_table():
    X, y = students()
    assert [tuple(x) + (t,) for x, t in zip(X, y)] == [
        (2, 5, 0), (4, 6, 0), (6, 7, 1), (8, 8, 1), (3, 4, 0), (7, 6, 1)]


def test_xor():
    X, y = xor()
    assert [(a != b) for a, b in X] == [bool(t) for t in y]


def test_two_moons_without_noise_lies_on_the_two_arcs():
    X, y = two_moons(41, noise=0.0, seed=3)
    assert len(X) == 41 and y.count(0) == 20 and y.count(1) == 21
    for (a, b), label in zip(X, y):
        if label == 0:   # upper arc: centre (0, 0), y >= 0
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:            # lower arc: centre (1, 0.5), y <= 0.5
            assert math.hypot(a - 1, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_two_moons_noise_and_seed():
    a = two_moons(200, noise=0.1, seed=1)
    assert a == two_moons(200, noise=0.1, seed=1)
    assert a != two_moons(200, noise=0.1, seed=2)
    clean, _ = two_moons(200, noise=0.0, seed=1)
    shifts = [math.hypot(p[0] - q[0], p[1] - q[1]) for p, q in zip(a[0], clean)]
    # 2-D Gaussian noise of σ = 0.1: the mean distance is σ·√(π/2) ≈ 0.125
    assert 0.1 < sum(shifts) / len(shifts) < 0.15


def test_spirals():
    X, y = spirals(30, classes=3, noise=0.0)
    assert len(X) == 90 and [y.count(k) for k in range(3)] == [30, 30, 30]
    assert all(math.hypot(*x) < 1 for x in X)
    # point i of arm k sits at angle 4r + 2πk/3 (no noise)
    a, b = X[30 + 15]
    r = 15 / 30
    assert (a, b) == pytest.approx((r * math.cos(4 * r + 2 * math.pi / 3),
                                    r * math.sin(4 * r + 2 * math.pi / 3)))
