"""Grading a student's answers to a backprop exercise, their earlier slips carried forward.

A student works an exercise sheet (`autograd.teaching.worksheet`) by hand: every named value
of the forward pass (``z1``, ``h1``, ..., ``ŷ``, ``L``), then every gradient (``dL/dŷ``,
..., ``dL/dw1``). One slip early on makes every later number differ from the key, although
each later step may be done right. So each answer (read by `autograd.teaching.answers`) is
judged twice, to three significant digits (`autograd.teaching.tolerance`):

- against the **key**, the exercise's own numbers: ``correct``;
- against what the student's **own earlier numbers** give, the graph run again on them
  (`autograd.teaching.carried`), give or take how far what they worked with may be from
  what they wrote (a correct number: anywhere between it and the key's; a wrong one: its
  rounding): ``correct given your earlier numbers``; or ``correct`` when every earlier
  number it is computed from is correct, only rounded (rounding is not a mistake).

Otherwise the answer is ``wrong`` (or ``missing``). A wrong answer's ``why`` says the number
expected, and which of the student's numbers it is computed from; and the slip that gives
the student's number, where one does (`autograd.teaching.slips`), as in "∂L/∂z3: you
multiplied by σ(z3) = ŷ instead of σ'(z3) = ŷ·(1 − ŷ)". The summary headlines the first
wrong answer in the sheet's order (forward values, then gradients as backward() reaches
them), with its slip when one is found; when no answer at all is correct, it says that the
numbers may be another sheet's.

>>> from autograd import Value
>>> w, x = Value(0.5, label="w"), Value(3.0, label="x")
>>> z = w * x; z.label = "z"
>>> L = z ** 2; L.label = "L"
>>> grading = grade(L, {"z": 1.6, "L": 2.56, "dL/dz": 3.2, "dL/dw": 9.6})
>>> [mark.verdict for mark in grading.items.values()]
['wrong', 'correct given your earlier numbers', 'correct given your earlier numbers', \
'correct given your earlier numbers']
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograd.notation import number
from autograd.teaching.answers import AnswerError, matched, normal_name, read_answers
from autograd.teaching.carried import Carried, carry
from autograd.teaching.slips import backward_slip, forward_slip
from autograd.teaching.tolerance import GIVEN, SHOWN, ZERO_TOLERANCE, tolerance, within
from autograd.teaching.worksheet import BackwardRow, ForwardRow, by_name, worksheet
from autograd.value import Value

CORRECT = "correct"
CARRIED = "correct given your earlier numbers"
WRONG = "wrong"
MISSING = "missing"
VERDICTS = (CORRECT, CARRIED, WRONG, MISSING)
"""Every verdict, best first."""
NO_FIT = "none of these numbers fit this sheet"
"""The start of the hint given when no answer is correct (and at least 3 are given)."""


# ---- marks and the grading --------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """The verdict on one answer, with the key's number, the student's, and why."""

    name: str
    verdict: str
    """one of `VERDICTS`"""
    expected: float
    """the key's number"""
    given: float | None
    """the student's number; None when missing"""
    why: str
    """"" for an answer that is the key's number; for the others, the number expected and
    which of the student's numbers it is computed from (for a wrong one, first the slip
    that gives the student's number, where the grader finds it)"""
    carried: float | None = None
    """what the student's own earlier numbers give here (None where they give nothing)"""
    step: str = ""
    """for a wrong answer, the slip named in words (``∂L/∂z3: you multiplied by ...``)"""

    def __bool__(self) -> bool:
        return self.verdict in (CORRECT, CARRIED)


_COLOURS = {CORRECT: "#d7f0d7", CARRIED: "#dde9fb", WRONG: "#f8d5d3", MISSING: "#ececec"}
_HEAD = ("answer", "given", "verdict", "why")


@dataclass(frozen=True)
class Grading:
    """Every answer's `Mark`, forward values first, then gradients (the worksheet's order).

    ``bool(grading)`` is True when every answer is correct or correct given the student's
    earlier numbers; ``print(grading)`` gives a table under a one-line summary;
    ``to_dict()`` the marks as JSON; a notebook shows an HTML table.

    >>> from autograd import Value
    >>> w = Value(2.0, label="w")
    >>> L = w * w; L.label = "L"
    >>> g = grade(L, {"L": 4, "dL/dw": None})
    >>> bool(g), g.counts()[MISSING]
    (False, 1)
    """

    items: dict[str, Mark]
    first_wrong: str = ""
    """the headline: the first wrong answer, with its slip when one is found"""
    hint: str = ""
    """when no answer is correct: that the numbers may be another sheet's (starts with
    `NO_FIT`)"""

    def __bool__(self) -> bool:
        return all(self.items.values())

    def counts(self) -> dict[str, int]:
        """How many answers have each verdict, every verdict listed."""
        found = dict.fromkeys(VERDICTS, 0)
        for mark in self.items.values():
            found[mark.verdict] += 1
        return found

    def summary(self) -> str:
        """One line: ``14 of 22 correct, 5 correct given your earlier numbers, 1 wrong, 2
        missing; first wrong step: ...``."""
        n = self.counts()
        parts = [f"{n[CORRECT]} of {len(self.items)} correct"]
        parts += [f"{n[v]} {v}" for v in VERDICTS[1:] if n[v]]
        return "; ".join([", ".join(parts), *(t for t in (self.first_wrong, self.hint) if t)])

    def to_dict(self) -> dict[str, Any]:
        """``{"summary", "counts": {verdict: n}, "answers": {name: {"verdict", "expected",
        "given", "why", "from_your_numbers"}}}``: ``expected`` is the key's number,
        ``from_your_numbers`` what the student's earlier numbers give (null where they give
        none)."""
        return {"summary": self.summary(), "counts": self.counts(),
                "answers": {name: {"verdict": m.verdict, "expected": _finite(m.expected),
                                   "given": m.given, "why": m.why,
                                   "from_your_numbers": _finite(m.carried)}
                            for name, m in self.items.items()}}

    def _rows(self) -> list[tuple[str, str, str, str]]:
        return [(m.name, "—" if m.given is None else number(m.given, GIVEN), m.verdict, m.why)
                for m in self.items.values()]

    def __str__(self) -> str:
        rows = [_HEAD, *self._rows()]
        widths = [max(len(row[k]) for row in rows) for k in range(3)]
        lines = [self.summary(), ""]
        for row in rows:
            cells = [row[k].ljust(widths[k]) for k in range(3)]
            lines.append("  ".join(cells + [row[3]]).rstrip())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        body = "".join(
            f'<tr style="background:{_COLOURS[verdict]}"><td{_LEFT}>{e(name)}</td>'
            f'<td style="text-align:right">{e(given)}</td><td{_LEFT}>{e(verdict)}</td>'
            f"<td{_LEFT}>{e(why)}</td></tr>"
            for name, given, verdict, why in self._rows())
        head = "".join(f"<th{_LEFT}>{h}</th>" for h in _HEAD)
        return ('<table class="backprop-grading">'
                f'<caption style="text-align:left">{e(self.summary())}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


_LEFT = ' style="text-align:left"'  # notebooks align table cells right by default


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


# ---- grading ----------------------------------------------------------------------------------


def grade(root: Value, answers: Mapping[str, Any]) -> Grading:
    """Grade ``answers`` (answer names as in the key: ``z1``, ``ŷ`` or ``y_hat``, ``L``,
    ``dL/dw1`` or ``∂L/∂w1``, see `autograd.teaching.answers.matched`; a value of None is a
    missing answer) against the exercise whose loss is ``root`` (every Value the sheet names
    labelled). Runs ``backward()`` on ``root``. An unknown name or a value that is not a
    finite number raises `AnswerError`.

    >>> from autograd import Value
    >>> z = Value(0.8, label="z1")
    >>> h = z.relu(); h.label = "h1"
    >>> L = h * 3; L.label = "L"
    >>> g = grade(L, {"h1": 0.8, "L": 2.4, "dL/dh1": 3, "dL/dz1": 2.4})
    >>> g.items["dL/dz1"].verdict, g.items["dL/dz1"].why
    ('wrong', "∂L/∂z1: you multiplied by ReLU(z1) = h1 instead of ReLU'(z1) = step(z1); \
from your ∂L/∂h1 = 3 it is 3")
    >>> grade(L, {"dL/dz": 1})
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: unknown answer name: dL/dz (did you mean \
dL/dz1?); the names are: h1, L, dL/dh1, dL/dz1
    """
    sheet = worksheet(root)
    key = sheet.answers()
    given = matched(answers, list(key))
    titles = {**{r.name: r.name for r in sheet.forward},
              **{r.answer: r.title for r in sheet.backward}}
    context = _Context(key, given, carry(sheet, given), titles, {})
    for name, row in by_name(sheet).items():  # in the sheet's order: sources first
        context.marks[name] = _mark(name, row, context)
    marks = context.marks
    first = next((m for m in marks.values() if m.verdict == WRONG), None)
    if first is None:
        headline = ""
    elif first.step:
        headline = f"first wrong step: {first.step}"
    else:
        headline = (f"first wrong answer: {first.name} = {number(first.given or 0.0, GIVEN)}"
                    f", {first.why}")
    answered = sum(x is not None for x in given.values())
    none_fit = answered >= 3 and not any(m.verdict == CORRECT for m in marks.values())
    return Grading(marks, headline, f"{NO_FIT}: are they another sheet's?" if none_fit else "")


@dataclass(frozen=True)
class _Context:
    """What grading one answer looks at."""

    key: dict[str, float]
    given: dict[str, float | None]
    carried: Carried
    titles: dict[str, str]
    """each answer as the sheet writes it: ``z1``, ``∂L/∂z3``"""
    marks: dict[str, Mark]
    """the marks of the answers before this one"""

    def yours(self, names: list[str], most: int = 4) -> str:
        """``∂L/∂z3 = 0.192, ŷ = 0.161``: the student's numbers of ``names``."""
        shown = [f"{self.titles[n]} = {number(self.given[n] or 0.0, GIVEN)}"
                 for n in names[:most]]
        return ", ".join(shown + (["…"] if len(names) > most else []))


def _mark(name: str, row: ForwardRow | BackwardRow, context: _Context) -> Mark:
    expected, mine, carried = context.key[name], context.given.get(name), context.carried
    value = carried.value(name)
    if mine is None:
        return Mark(name, MISSING, expected, None, f"no answer; it is "
                    f"{number(expected, SHOWN)}", value)
    if within(mine, expected):
        return Mark(name, CORRECT, expected, mine, "", value)
    if value is not None and within(mine, value, carried.slack(name)):
        sources = carried.sources(name)
        if all(context.marks[s].verdict == CORRECT for s in sources):
            return Mark(name, CORRECT, expected, mine,
                        f"from your rounded {context.yours(sources)} it is "
                        f"{number(value, SHOWN)} (the key: {number(expected, SHOWN)})", value)
        return Mark(name, CARRIED, expected, mine, _from_yours(name, value, expected, context),
                    value)
    step = (forward_slip(row, mine, carried) if isinstance(row, ForwardRow)
            else backward_slip(row, mine, carried))
    why = _it_is(name, value, expected, context)
    return Mark(name, WRONG, expected, mine, f"{step}; {why}" if step else why, value, step)


def _it_is(name: str, value: float | None, expected: float, context: _Context) -> str:
    # The number a wrong answer should be, from which of the student's numbers.
    sources = context.carried.sources(name)
    key = number(expected, SHOWN)
    if not sources:  # the given numbers alone: the key's number
        return f"from the given numbers it is {key}"
    if value is None:
        return f"it is {key}; your {context.yours(sources)} give no number here"
    text = f"from your {context.yours(sources)} it is {number(value, SHOWN)}"
    return text if within(value, expected) else f"{text} (the key: {key})"


def _from_yours(answer: str, value: float, expected: float, context: _Context) -> str:
    # "from your ŷ = 0.7 it is 0.3567 (the key, from ŷ = 0.633: 0.4568)": the student's own
    # numbers it is computed from that are not correct (at most 3, in the sheet's order)
    found = [n for n in context.carried.sources(answer)
             if context.marks[n].verdict != CORRECT][:3]
    if not found:
        return (f"from your earlier numbers it is {number(value, SHOWN)} (the key: "
                f"{number(expected, SHOWN)})")
    keys = ", ".join(f"{context.titles[n]} = {number(context.key[n], SHOWN)}" for n in found)
    return (f"from your {context.yours(found)} it is {number(value, SHOWN)} (the key, from "
            f"{keys}: {number(expected, SHOWN)})")


__all__ = ["AnswerError", "CARRIED", "CORRECT", "Grading", "MISSING", "Mark", "NO_FIT",
           "VERDICTS", "WRONG", "ZERO_TOLERANCE", "grade", "normal_name", "read_answers",
           "tolerance", "within"]
