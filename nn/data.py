"""Small datasets that need no download: the students table, two moons, XOR and spirals.

Each function returns ``(X, y)``: X a list of input rows (lists of floats), y a list of
labels (ints). Random ones take a ``seed`` and use their own `random.Random`, so the global
random state is left alone.

>>> X, y = xor()
>>> X[1], y[1]
([0.0, 1.0], 1)
"""

from __future__ import annotations

import math
import random

Dataset = tuple[list[list[float]], list[int]]

STUDENTS: list[tuple[float, float, int]] = [
    (2, 5, 0), (4, 6, 0), (6, 7, 1), (8, 8, 1), (3, 4, 0), (7, 6, 1),
]
"""Hours studied, hours of sleep, passed (1) or failed (0): six students."""


def students() -> Dataset:
    """The students table: inputs (hours studied, hours of sleep), label pass 1 / fail 0.

    >>> X, y = students()
    >>> X[0], y[0]
    ([2.0, 5.0], 0)
    """
    return [[float(a), float(b)] for a, b, _ in STUDENTS], [p for _, _, p in STUDENTS]


def xor() -> Dataset:
    """The four points of XOR: label 1 when exactly one input is 1.

    >>> xor()[1]
    [0, 1, 1, 0]
    """
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return X, [int(a) ^ int(b) for a, b in X]


def two_moons(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> Dataset:
    """Two interleaved half circles: label 0 on the upper arc (centre (0, 0)), label 1 on
    the lower arc (centre (1, 0.5)), radius 1, each point moved by Gaussian noise of
    standard deviation ``noise``; shuffled. ``n // 2`` points get label 0.

    >>> X, y = two_moons(10, noise=0.0)
    >>> len(X), sum(y)
    (10, 5)
    """
    rng = random.Random(seed)
    upper, lower = n // 2, n - n // 2
    points = []
    for i in range(upper):
        t = math.pi * i / max(upper - 1, 1)
        points.append(([math.cos(t), math.sin(t)], 0))
    for i in range(lower):
        t = math.pi * i / max(lower - 1, 1)
        points.append(([1 - math.cos(t), 0.5 - math.sin(t)], 1))
    rng.shuffle(points)
    X = [[a + rng.gauss(0, noise), b + rng.gauss(0, noise)] for (a, b), _ in points]
    return X, [label for _, label in points]


def spirals(n_per_class: int = 50, classes: int = 3, noise: float = 0.2,
            seed: int | None = 0) -> Dataset:
    """``classes`` spiral arms from the origin, one label per arm: a small multi-class set.
    Point i of arm k is at radius r = i/n and angle 4r + 2πk/classes, the angle moved by
    Gaussian noise of standard deviation ``noise``.

    >>> X, y = spirals(4, classes=2)
    >>> len(X), sorted(set(y))
    (8, [0, 1])
    """
    rng = random.Random(seed)
    X: list[list[float]] = []
    y: list[int] = []
    for k in range(classes):
        for i in range(n_per_class):
            r = i / n_per_class
            angle = 4 * r + 2 * math.pi * k / classes + rng.gauss(0, noise)
            X.append([r * math.cos(angle), r * math.sin(angle)])
            y.append(k)
    return X, y
