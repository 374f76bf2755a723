"""The report of a checked formula: the comparison at each point, the diagnosis, the text.

A `FormulaCheck` is true when the claim holds; ``print()`` gives its text, a notebook its
HTML, ``to_dict()`` plain data for JSON.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd.notation import number
from autograd.value import Value

TARGETS = ("y", "t", "target")
"""Labels of leaves held at their number over the trial points (a pass/fail target stays 0
or 1); ``vary=`` redraws one, ``fixed=`` holds others."""

RTOL, ATOL = 1e-6, 1e-9
"""A formula agrees with the engine at a point when |claim − engine| ≤ ATOL + RTOL·|engine|."""


@dataclass(frozen=True)
class Comparison:
    """The claim and the engine at one point: ``at`` holds the labelled leaves' numbers."""

    at: dict[str, float]
    claimed: float
    engine: float
    named: dict[str, float]
    """the numbers of the labelled Values made by ops (z1, ŷ) at this point"""

    @property
    def error(self) -> float:
        return abs(self.claimed - self.engine) if math.isfinite(self.claimed) else math.inf


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with a claim, in the learner's terms.

    ``category`` is one of "missing factor", "extra factor" (a factor counted twice, or
    one too many), "wrong factor" (w6 where w5 is due), "value for derivative" (ŷ for
    σ'(z3)), "wrong derivative" (σ' where tanh' is due), "wrong argument" (step(z2) for
    step(z1)), "missing path", "sign error" (of the claim or of one path term), "constant
    factor", "two slips" (``parts`` holds each), "wrong number", "disagrees".
    """

    category: str
    message: str
    edge: str = ""
    """the derivative the diagnosis is about, e.g. ``∂h1/∂z1``; "" when none"""
    values: tuple[Value, ...] = ()
    """the Values of that edge (or of the missing path): ``draw(root, highlight=...)``"""
    parts: tuple[Diagnosis, ...] = ()
    """for "two slips": each slip on its own"""


@dataclass(frozen=True)
class FormulaCheck:
    """The result of `check_formula`: ``bool(report)`` is True when the claim holds.

    ``points`` is how many points were tried (the graph's own point first), ``agreed`` at
    how many the claim and the engine agreed; ``here`` is the graph's point, ``worst`` the
    largest disagreement (the largest difference when all agree). ``proved`` is True when
    sympy showed the two equal exactly. ``print(report)`` gives the text, notebooks show
    HTML, ``report.to_dict()`` is ready for JSON.
    """

    claim: str
    name: str
    kind: str
    """"formula", or "number" for a claimed number (checked at the graph's point only)"""
    holds: bool
    points: int
    agreed: int
    here: Comparison
    worst: Comparison
    diagnosis: Diagnosis | None = None
    proved: bool = False
    tolerance: float = 0.0
    """for a number: how far from the engine it may be, from its printed digits"""
    kinks: tuple[str, ...] = ()
    """values at a kink of ReLU or abs that took both signs over the points"""
    seed: int = 0
    zeros: int = 0
    """points, besides the graph's, where claim and engine agree only by both being 0"""
    undefined: int = 0
    """points drawn where the claim had no finite number, left out"""
    informative: int = 0
    """points that tell: claim and engine not both 0, no sigmoid or tanh on a path from
    wrt saturated; ``agreed`` counts only these"""
    uninformative: tuple[tuple[str, int], ...] = ()
    """why the other points tell little, with how many points each reason holds for"""
    passed_over: int = 0
    """points drawn that told little and were drawn again"""
    held: tuple[str, ...] = ()
    """labelled leaves that kept their number over the points (targets, ``fixed``)"""
    targets: tuple[str, ...] = ()
    """held leaves held only because they are labelled y, t or target: ``vary`` redraws them"""
    redrawn: tuple[str, ...] = ()
    """the leaves redrawn at the other points"""
    read_as: str = ""
    """the claim as it was read, in the articles' notation"""
    here_informative: bool = True
    """whether the graph's own point is informative"""
    interface: str = "python"
    """whose hints the text gives: "python" (keyword arguments) or "cli" (options)"""

    def __bool__(self) -> bool:
        return self.holds

    def _lines(self) -> list[str]:
        n = number
        verdict = "holds" if self.holds else "does NOT hold"
        lines = [f"{self.name} = {self.claim}: {verdict}"]
        if self.read_as and self.kind == "formula":
            lines.append(f"read as: {self.read_as}")
        if self.kind == "number":
            pass  # the engine's line, in the claim's writing: autograd.claims.printed
        elif self.proved:
            lines.append("proved exactly (sympy), and it agrees at "
                         + (f"all {self.points} points tried" if self.points > 1 else
                            "the one point tried"))
        else:
            agreed_here = self.here.error <= ATOL + RTOL * abs(self.here.engine)
            telling_here = self.here_informative
            others = self.informative - telling_here
            lines.append(
                f"at the graph's point: claim {n(self.here.claimed)}, engine "
                f"{n(self.here.engine)} ({'agree' if agreed_here else 'differ'}); at "
                f"{self.agreed - (agreed_here and telling_here)} of {others} other informative "
                f"points (seed {self.seed}) they agree")
        if self.kind == "formula":
            lines.append(self._informative_line())
            if self.kinks:
                kinks = (", ".join(self.kinks) if len(self.kinks) <= 6 else
                         f"{len(self.kinks)} values ({', '.join(self.kinks[:3])}, …)")
                lines.append(f"the points cross the kinks (ReLU, abs) of {kinks}")
            if self.held:
                targets = self.targets
                hint = "" if not targets else (
                    f" (--vary {targets[0]} redraws it)" if self.interface == "cli" else
                    f" (vary=[{targets[0]!r}] redraws it)")
                lines.append(f"held at their numbers, not redrawn: {', '.join(self.held)}"
                             + hint)
        if self.kind == "formula" and not self.redrawn:
            lines.append("no leaf to redraw, so only the graph's own point was tried: "
                         + ("every variable is held" if self.held else
                            "label the inputs and parameters, Value(2.0, label='x')"))
        if not self.holds and self.kind == "formula":
            about = [v.label for v in self.diagnosis.values] if self.diagnosis else []
            lines.append(f"worst at {_where(self.worst, about, self.held)}: claim "
                         f"{n(self.worst.claimed)}, engine {n(self.worst.engine)}")
        if self.undefined:
            lines.append(f"the claim has no number at {self.undefined} other point(s) drawn "
                         "(a division by 0 or an overflow in floats); they were left out")
        if self.diagnosis is not None:
            lines.append(f"diagnosis ({self.diagnosis.category}): {self.diagnosis.message}")
        return lines

    def _informative_line(self) -> str:
        line = f"informative at {self.informative} of {self.points} points"
        if self.uninformative:
            reasons = "; ".join(f"{why} ({k})" if k > 1 else why
                                for why, k in self.uninformative)
            line += f"; not at {self.points - self.informative}: {reasons}"
        if self.passed_over:
            line += (f" ({self.passed_over} more drawn told nothing, both 0 or a sigmoid or "
                     "tanh flat there, and were drawn again)")
        return line

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        head, *rest = self._lines()
        colour = "#1a7f37" if self.holds else "#b42318"
        items = "".join(f"<li>{html.escape(line)}</li>" for line in rest)
        return (f"<div><p style='color: {colour}'><b>{html.escape(head)}</b></p>"
                f"<ul>{items}</ul></div>")

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data for JSON (numbers that are not finite as strings).

        >>> from autograd import Value, check_formula
        >>> x = Value(3.0, label="x")
        >>> y = x * x; y.label = "y"
        >>> check_formula(y, x, "2*x").to_dict()["holds"]
        True
        """
        def point(c: Comparison) -> dict[str, Any]:
            return {"at": {k: json_number(v) for k, v in c.at.items()},
                    "values": {k: json_number(v) for k, v in c.named.items()},
                    "claimed": json_number(c.claimed), "engine": json_number(c.engine)}

        def slip(d: Diagnosis) -> dict[str, Any]:
            return {"category": d.category, "message": d.message, "edge": d.edge,
                    **({"parts": [slip(p) for p in d.parts]} if d.parts else {})}

        diagnosis = None if self.diagnosis is None else slip(self.diagnosis)
        return {"holds": self.holds, "claim": self.claim, "name": self.name,
                "kind": self.kind, "points": self.points, "agreed": self.agreed,
                "proved": self.proved, "seed": self.seed, "here": point(self.here),
                "worst": point(self.worst), "diagnosis": diagnosis,
                "zeros": self.zeros, "undefined": self.undefined,
                "informative": self.informative, "uninformative": dict(self.uninformative),
                "passed_over": self.passed_over, "held": list(self.held),
                "redrawn": list(self.redrawn),
                "read_as": self.read_as,
                "text": str(self)}


def _where(c: Comparison, inner: Sequence[str], held: Sequence[str] = (),
           most: int = 12) -> str:
    # The point's leaves when they are few (not those held), and the inner values the
    # diagnosis is about.
    drawn = {k: v for k, v in c.at.items() if k not in held}
    text = (", ".join(f"{k}={number(v)}" for k, v in drawn.items()) if len(drawn) <= most
            else f"a point with {len(drawn)} leaves redrawn")
    there = ", ".join(f"{k} = {number(c.named[k])}" for k in inner if k in c.named)
    return f"{text} (there {there})" if there else text


def json_number(x: float) -> float | str:
    return x if math.isfinite(x) else str(x)
