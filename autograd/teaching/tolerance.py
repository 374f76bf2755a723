"""When a student's number counts as right, and how the grader writes numbers.

An answer is right when it is within half a unit of the third significant digit of the
expected number e: ``0.5 · 10**(floor(log10|e|) − 2)``, so that 0.4431 may be written 0.443
(0.633 within ±0.0005, 2.725 within ±0.005). Where e is 0 (a dead ReLU's gradient) the answer
must be 0: the tolerance never drops below 5e-13, which also absorbs the rounding noise of a
sum that is exactly 0 on paper.

Expected numbers are written to four significant digits (`SHOWN`), one more than the
tolerance asks; the student's numbers as they wrote them (`GIVEN`).
"""

from __future__ import annotations

import math

ZERO_TOLERANCE = 5e-13
"""The smallest tolerance: an expected 0 must be answered 0."""

SHOWN = ".4g"
"""The format of expected numbers in explanations."""

GIVEN = ".10g"
"""The format of the student's numbers: as they wrote them."""

_SLACK = 1 + 1e-9  # a number rounded to 3 digits lands on the tolerance's edge, give or take


def tolerance(expected: float) -> float:
    """Half a unit of the third significant digit of ``expected`` (5e-13 at least).

    >>> tolerance(0.4431), tolerance(2.725), tolerance(0.0)
    (0.0005, 0.005, 5e-13)
    """
    if expected == 0 or not math.isfinite(expected):
        return ZERO_TOLERANCE
    return max(0.5 * 10.0 ** (math.floor(math.log10(abs(expected))) - 2), ZERO_TOLERANCE)


def within(given: float, expected: float) -> bool:
    """``given`` is ``expected`` to three significant digits (see `tolerance`).

    >>> within(0.443, 0.44308), within(0.444, 0.44308)
    (True, False)
    """
    return abs(given - expected) <= tolerance(expected) * _SLACK


__all__ = ["GIVEN", "SHOWN", "ZERO_TOLERANCE", "tolerance", "within"]
