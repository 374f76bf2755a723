"""When a student's number counts as right, and how the grader writes numbers.

An answer is right when it is within half a unit of the third significant digit of the
expected number e: ``0.5 · 10**(floor(log10|e|) − 2)``, so that 0.4431 may be written 0.443
(0.633 within ±0.0005, 2.725 within ±0.005). Where e is 0 (a dead ReLU's gradient) the answer
must be 0: the tolerance never drops below 5e-13, which also absorbs the rounding noise of a
sum that is exactly 0 on paper.

Judged against what the student's own earlier numbers give (`autograd.teaching.carried`),
an answer gets a ``slack`` on top, below and above: how far the number they give moves when
they are taken as the student may have worked with them
(`autograd.teaching.carried.Carried.slack`). A correct one, anywhere between what was
written and the key's number; a wrong one written to three significant digits, as far as
its tolerance from what it was written for; written with more digits, no further than half
a unit of its last digit (`rounding`).

Expected numbers are written to four significant digits (`SHOWN`), one more than the
tolerance asks; the student's numbers as they wrote them (`GIVEN`).
"""

from __future__ import annotations

import math
from decimal import Decimal

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


def within(given: float, expected: float, slack: float | tuple[float, float] = 0.0) -> bool:
    """``given`` is ``expected`` to three significant digits (see `tolerance`), give or take
    ``slack`` more: as much either way, or (below, above).

    >>> within(0.443, 0.44308), within(0.444, 0.44308), within(0.444, 0.44308, slack=0.001)
    (True, False, True)
    >>> within(0.444, 0.44308, (0.001, 0.0)), within(0.442, 0.44308, (0.001, 0.0))
    (False, True)
    """
    below, above = slack if isinstance(slack, tuple) else (slack, slack)
    edge = tolerance(expected) * _SLACK
    return -edge - below <= given - expected <= edge + above


def rounding(written: float) -> float:
    """How far a number as the student wrote it may be from the one they rounded it from:
    half a unit of its last digit, and no more than its `tolerance`.

    >>> rounding(1.07), rounding(1.185), rounding(0.16), rounding(0.0)
    (0.005, 0.0005, 0.0005, 5e-13)
    """
    if not math.isfinite(written):
        return ZERO_TOLERANCE
    last = Decimal(repr(written)).normalize().as_tuple().exponent
    half_unit = 0.5 * 10.0 ** last if isinstance(last, int) else 0.0
    return max(min(tolerance(written), half_unit), ZERO_TOLERANCE)


__all__ = ["GIVEN", "SHOWN", "ZERO_TOLERANCE", "rounding", "tolerance", "within"]
