"""Checking a learner's claims: a hand-derived formula for a gradient, or printed numbers.

Modules: `reading` (a claim to a formula tree), `trials` (`check_formula`), `report`,
`diagnosis` (the slip), `printed` (numbers at their printed digits, `check_numbers`).

`check_formula(root, wrt, claim)` takes a formula for ∂root/∂wrt written as the articles
write it, in the graph's labels (``(ŷ − y)·w5·ReLU'(z1)·x1``), and compares it with the
engine's gradient at the graph's own point and at many other points: the labelled leaves are
redrawn over a range wide enough to cross ReLU's kink, inside every op's domain, and the
graph is re-run by the compiled replay. One point is not enough: at a point where
ReLU'(z1) = 1, a derivation that forgets ReLU' gives the right number. When the claim fails,
a diagnosis says in the learner's terms what is wrong: a factor missing or counted twice
(naming its edge, "∂h1/∂z1 = ReLU'(z1)"), a wrong local derivative, a missing path, a sign,
a constant factor. With sympy installed, a claim that holds is also proved exactly where
sympy can (`autograd.symbolic`).

`check_numbers(root, table)` checks numbers as an article prints them (``{"z2": 3.18,
"∂L/∂w1": "0.4431"}``), each at the precision it is printed with.

The claim is parsed by `autograd.formula` against a whitelist, never passed to ``eval``.

>>> from autograd import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> y = (w * x).relu(); y.label = "y"
>>> bool(check_formula(y, w, "x")), bool(check_formula(y, w, "ReLU'(w·x)·x"))
(False, True)
"""

from autograd.claims.printed import NumberRow, NumbersCheck, check_numbers, printed_tolerance
from autograd.claims.reading import ClaimError
from autograd.claims.report import Comparison, Diagnosis, FormulaCheck
from autograd.claims.trials import POINTS, check_formula

__all__ = ["check_formula", "check_numbers", "printed_tolerance", "ClaimError", "FormulaCheck",
           "NumbersCheck", "NumberRow", "Comparison", "Diagnosis", "POINTS"]
