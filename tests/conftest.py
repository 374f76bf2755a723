"""Shared helpers for the tests: central finite differences, an independent oracle."""

from __future__ import annotations

from collections.abc import Callable, Sequence

collect_ignore = ["engines"]
"""tests/engines/ holds a learner's engine for `audit` to read (under ``--doctest-modules``
pytest would import it as a test module)."""


def central_difference(
    f: Callable[[Sequence[float]], float], point: Sequence[float], i: int, h: float = 1e-6
) -> float:
    """∂f/∂x_i at ``point`` by (f(x + h e_i) - f(x - h e_i)) / 2h, on plain floats."""
    up = list(point)
    down = list(point)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)
