"""Grading a student's answers to a backprop exercise, their earlier slips carried forward.

A student works an exercise sheet (`autograd.teaching.worksheet`) by hand: every named value
of the forward pass (``z1``, ``h1``, ..., ``ŷ``, ``L``), then every gradient (``dL/dŷ``,
..., ``dL/dw1``). One slip early on makes every later number differ from the key, although
each later step may be done right. So each answer is judged twice:

- against the **key**, the exercise's own numbers: ``correct``;
- against what the student's **own earlier numbers** give (carried forward): ``correct given
  your earlier numbers``. The graph is rebuilt op by op with every forward value the student
  gave put in place of the engine's, for everything downstream; then the backward pass runs
  on those numbers, every gradient the student gave sent on in place of the engine's (a
  local derivative written in the op's result, σ'(z3) = ŷ·(1 − ŷ), takes the student's ŷ).
  What arrives at a Value is the carried answer. (Where a student's number takes an op out of its
  domain, ``ŷ = 1.3`` under ``log(1 − ŷ)``, there is no carried answer below it.)

Otherwise the answer is ``wrong`` (or ``missing``). For a wrong answer the grader tries the
slips students make, computed from the carried numbers: a local derivative left out, the
value of a function written for its derivative (σ(z3) for σ'(z3)), another edge's local
derivative (w6 for w5), the upstream gradient left out, a path left out, the sign; the one
that gives the student's number is named, as in "∂L/∂z3: you multiplied by σ(z3) = ŷ
instead of σ'(z3) = ŷ·(1 − ŷ)". A wrong forward value is tried for a bias or a term left out
of a weighted sum, an activation not applied, and the sign. The summary headlines the first
wrong answer in the sheet's order (forward values, then gradients as backward() reaches
them), with its slip when one is found.

**Tolerance.** An answer is right when it is within half a unit of the third significant
digit of the expected number e: ``0.5 · 10**(floor(log10|e|) − 2)``, so that 0.4431 may be
written 0.443 (0.633 within ±0.0005, 2.725 within ±0.005). Where e is 0 (a dead ReLU's
gradient) the answer must be 0: the tolerance never drops below 5e-13, which also absorbs
the rounding noise of a sum that is exactly 0 on paper.

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

import difflib
import html
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autograd.explain import Factor, merged_factors
from autograd.formula import names as formula_names
from autograd.graph import topological_order
from autograd.notation import names_map, number
from autograd.ops import OPS
from autograd.teaching.worksheet import BackwardRow, ForwardRow, Worksheet, worksheet
from autograd.value import Value, apply

CORRECT = "correct"
CARRIED = "correct given your earlier numbers"
WRONG = "wrong"
MISSING = "missing"
VERDICTS = (CORRECT, CARRIED, WRONG, MISSING)
"""Every verdict, best first."""

ZERO_TOLERANCE = 5e-13
"""The smallest tolerance: an expected 0 must be answered 0."""

_SLACK = 1 + 1e-9  # a number rounded to 3 digits lands on the tolerance's edge, give or take
_SHOWN = ".4g"  # expected numbers in explanations
_GIVEN = ".10g"  # the student's numbers, as they wrote them


class AnswerError(ValueError):
    """Answers that cannot be graded: not JSON, not an object, an unknown name, a value that
    is not a number. The message says which and where."""


# ---- tolerance -----------------------------------------------------------------------------


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


# ---- reading answers -----------------------------------------------------------------------


def read_answers(text: str, source: str = "answers") -> dict[str, float | None]:
    """The answers in a JSON document: an object of names and numbers (``null``: not
    answered). Names are checked later, against an exercise (`grade`); here the document
    is: malformed JSON, a top level that is not an object, a name given twice, or a value
    that is not a finite number raise `AnswerError` saying where (``source`` names the
    document in messages). JSON is only parsed, never evaluated.

    >>> read_answers('{"z1": 0.8, "dL/dw1": null}')
    {'z1': 0.8, 'dL/dw1': None}
    >>> read_answers('{"z1": 0.8,\\n "h1" 0.8}', "answers.json")
    Traceback (most recent call last):
    ...
    autograd.teaching.grading.AnswerError: answers.json: line 2, column 7: Expecting ':' delimiter
    >>> read_answers('{"z1": "0.8"}')
    Traceback (most recent call last):
    ...
    autograd.teaching.grading.AnswerError: answers: the answer 'z1' is not a number but a \
string: '0.8'
    """
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in items:
            if key in found:
                raise AnswerError(f"{source}: {_quoted(key)} is given twice; give each "
                                  "answer once")
            found[key] = value
        return found

    try:
        document = json.loads(text, object_pairs_hook=pairs)
    except AnswerError:
        raise
    except json.JSONDecodeError as err:
        raise AnswerError(f"{source}: line {err.lineno}, column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise AnswerError(f"{source}: nested too deeply to be answers") from None
    except ValueError as err:  # an integer too long to read
        raise AnswerError(f"{source}: {err}") from None
    if not isinstance(document, dict):
        raise AnswerError(f"{source}: the answers must be a JSON object of names and numbers, "
                          f'such as {{"z1": 0.8, "dL/dw1": 0.4431}}, not {_kind(document)}')
    return {key: _number(key, value, source) for key, value in document.items()}


def _kind(value: Any) -> str:
    # A JSON value's kind, in words.
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _quoted(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _number(key: str, value: Any, source: str = "") -> float | None:
    # An answer's number: None for null; any other value must be a finite number.
    where = f"{source}: " if source else ""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = _quoted(value) if isinstance(value, str) else _kind(value)
        detail = f"{_kind(value)}: {shown}" if isinstance(value, str) else shown
        raise AnswerError(f"{where}the answer {_quoted(key)} is not a number but {detail}")
    try:
        x = float(value)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise AnswerError(f"{where}the answer {_quoted(key)} is not a finite number: "
                          f"{_quoted(str(value), 20)}")
    return x


# ---- names ----------------------------------------------------------------------------------

_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_ACCENT_WORDS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303"}
_ACCENT_WORD = re.compile(r"([A-Za-z])_(hat|bar|tilde)(?![A-Za-z0-9])")


def normal_name(name: str) -> str:
    """An answer name as the key writes it: spaces dropped, ``∂`` read as ``d``, ``w₁`` as
    ``w1``, ``y_hat`` as ``ŷ``.

    >>> normal_name(" ∂L/∂w₁ "), normal_name("dL/dy_hat"), normal_name("y_hat")
    ('dL/dw1', 'dL/dŷ', 'ŷ')
    """
    text = "".join(unicodedata.normalize("NFC", name).split())
    text = text.translate(_SUBSCRIPT_DIGITS).replace("∂", "d")
    text = _ACCENT_WORD.sub(lambda m: m.group(1) + _ACCENT_WORDS[m.group(2)], text)
    return unicodedata.normalize("NFC", text)


def _matched(answers: Mapping[str, Any], names: list[str]) -> dict[str, float | None]:
    # The answers under the key's names; unknown names, a name given twice (under two
    # spellings) or a value that is not a number raise AnswerError.
    by_normal: dict[str, str] = {}
    for name in names:
        by_normal.setdefault(normal_name(name), name)
    found: dict[str, float | None] = {}
    spelled: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in answers.items():
        if not isinstance(key, str):
            raise AnswerError(f"answer names are text, got {_kind(key)}: {key!r}")
        known = by_normal.get(normal_name(key))
        if known is None:
            unknown.append(key)
            continue
        if known in spelled:
            raise AnswerError(f"{known} is given twice, as {_quoted(spelled[known])} and "
                              f"{_quoted(key)}; give each answer once")
        spelled[known] = key
        found[known] = _number(key, value)
    if unknown:
        described = []
        for key in unknown[:10]:
            close = _closest(normal_name(key), list(by_normal))
            hint = f" (did you mean {by_normal[close]}?)" if close else ""
            described.append(_quoted(key).strip("'\"") + hint if len(key) <= 40
                             else _quoted(key) + hint)
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        plural = "s" if len(unknown) > 1 else ""
        raise AnswerError(f"unknown answer name{plural}: {', '.join(described)}{more}; the "
                          f"names are: {', '.join(names)}")
    return found


def _closest(name: str, names: list[str]) -> str | None:
    # The most similar name (of equally similar ones, the first in sorted order), if any is
    # similar enough.
    scored = [(difflib.SequenceMatcher(None, name, other).ratio(), other) for other in names]
    good = [(score, other) for score, other in scored if score >= 0.6]
    if not good:
        return None
    best = max(score for score, _ in good)
    return min(other for score, other in good if score == best)


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
    """"" for a correct answer; for the others, the number expected and, where the grader
    finds it, the slip that gives the student's number"""
    carried: float | None = None
    """what the student's own earlier numbers give here (None where they give nothing)"""
    step: str = ""
    """for a wrong answer, the slip named in words (``∂L/∂z3: you multiplied by ...``)"""

    def __bool__(self) -> bool:
        return self.verdict in (CORRECT, CARRIED)


_COLOURS = {CORRECT: "#d7f0d7", CARRIED: "#dde9fb", WRONG: "#f8d5d3", MISSING: "#ececec"}


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
        return ", ".join(parts) + (f"; {self.first_wrong}" if self.first_wrong else "")

    def to_dict(self) -> dict[str, Any]:
        """``{"answers": {name: {"verdict", "expected", "given", "why"}}}``."""
        return {"answers": {name: {"verdict": m.verdict, "expected": _finite(m.expected),
                                   "given": m.given, "why": m.why}
                            for name, m in self.items.items()}}

    def _rows(self) -> list[tuple[str, str, str, str]]:
        return [(m.name, "—" if m.given is None else number(m.given, _GIVEN), m.verdict, m.why)
                for m in self.items.values()]

    def __str__(self) -> str:
        head = ("answer", "given", "verdict", "why")
        rows = [head, *self._rows()]
        widths = [max(len(row[k]) for row in rows) for k in range(3)]
        lines = [self.summary(), ""]
        for row in rows:
            cells = [row[k].ljust(widths[k]) for k in range(3)]
            lines.append("  ".join(cells + [row[3]]).rstrip())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        body = "".join(
            f'<tr style="background:{_COLOURS[verdict]}"><td>{e(name)}</td>'
            f'<td style="text-align:right">{e(given)}</td><td>{e(verdict)}</td>'
            f"<td>{e(why)}</td></tr>"
            for name, given, verdict, why in self._rows())
        return ('<table class="backprop-grading">'
                f'<caption style="text-align:left">{e(self.summary())}</caption>'
                "<thead><tr><th>answer</th><th>given</th><th>verdict</th><th>why</th></tr>"
                f"</thead><tbody>{body}</tbody></table>")


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


# ---- the student's numbers, carried forward ---------------------------------------------------

_Edge = tuple[Value, Value]  # (child, parent): a factor between two named Values


@dataclass
class _Carried:
    """The exercise's graph run again on the student's own numbers."""

    data: dict[Value, float | None]
    """each Value's number as the student has it: their answer where they gave one"""
    forward: dict[Value, float | None]
    """what each op gives from the carried numbers of its parents"""
    factor: dict[_Edge, float | None]
    """each factor ∂child/∂parent between named Values, from the carried numbers"""
    uses: dict[_Edge, set[Value]]
    """the named Values each factor's local derivatives are computed from"""
    backward: dict[Value, float | None] = field(default_factory=dict)
    """∂L/∂v as it arrives at each named Value"""
    sent: dict[Value, float | None] = field(default_factory=dict)
    """∂L/∂v as sent on: the student's number where they gave one"""


def _carry(sheet: Worksheet, given: Mapping[str, float | None]) -> _Carried:
    root = sheet.root
    order = topological_order(root)
    named = {v for v in order if v.label or v is root}
    theirs = {row.node: given.get(row.name) for row in sheet.forward}
    data: dict[Value, float | None] = {}
    made: dict[Value, float | None] = {}
    local: dict[Value, tuple[float, ...] | None] = {}
    for v in order:
        if not v.parents:
            data[v], local[v] = v.data, ()
            continue
        inputs = [data[p] for p in v.parents]
        op = OPS.get(v.op)
        out: float | None = None
        if op is not None and all(x is not None for x in inputs):
            try:
                out = apply(op, *inputs).data  # type: ignore[arg-type]
            except (ArithmeticError, ValueError):
                out = None  # outside the op's domain: nothing to carry below here
        made[v] = out
        mine = theirs.get(v)
        data[v] = mine if mine is not None else out
        grads: tuple[float, ...] | None = None
        if op is not None and data[v] is not None and all(x is not None for x in inputs):
            try:
                grads = tuple(float(g) for g in op.rule(*inputs, data[v]))
            except (ArithmeticError, ValueError, TypeError):
                grads = None
        local[v] = grads
    factor, uses = _factors(order, named, local)
    carried = _Carried(data, made, factor, uses)
    for row in sheet.backward:  # children before parents: what arrives, then what is sent
        v = row.node
        total: float | None = 0.0
        for term in row.terms:
            upstream = 1.0 if term.child is root else carried.sent.get(term.child)
            f = factor.get((term.child, v))
            total = None if total is None or upstream is None or f is None else (
                total + upstream * f)
        carried.backward[v] = total
        mine = given.get(row.answer)
        carried.sent[v] = mine if mine is not None else total
    return carried


def _factors(order: list[Value], named: set[Value], local: Mapping[Value, Any]
             ) -> tuple[dict[_Edge, float | None], dict[_Edge, set[Value]]]:
    # For each named Value u, walk forward through unnamed Values to the named ones, adding
    # up the products of the carried local derivatives: the factors ∂child/∂u. Also which
    # named Values those local derivatives are computed from (their formulas' names).
    index = {v: k for k, v in enumerate(order)}
    children: dict[Value, list[Value]] = {v: [] for v in order}
    sources: dict[Value, set[Value]] = {}  # the named Values an unnamed one is made from
    for v in order:
        for p in dict.fromkeys(v.parents):
            children[p].append(v)
        if v not in named:
            sources[v] = set().union(*(_named_in(p, named, sources) for p in v.parents))
    factor: dict[_Edge, float | None] = {}
    uses: dict[_Edge, set[Value]] = {}
    for u in order:
        if u not in named:
            continue
        reach: list[Value] = []
        seen, stack = {u}, [u]
        while stack:
            for c in children[stack.pop()]:
                if c not in seen:
                    seen.add(c)
                    reach.append(c)
                    if c not in named:
                        stack.append(c)
        reach.sort(key=index.__getitem__)
        d: dict[Value, float | None] = {u: 1.0}
        used: dict[Value, set[Value]] = {u: set()}
        for c in reach:
            grads = local.get(c)
            total: float | None = 0.0
            needs: set[Value] = set()
            for i, p in enumerate(c.parents):
                if p not in d:
                    continue
                dp = d[p]
                total = None if total is None or grads is None or dp is None else (
                    total + grads[i] * dp)
                needs |= used[p] | _formula_uses(c, i, named, sources)
            if c in named:
                factor[(c, u)], uses[(c, u)] = total, needs
            else:
                d[c], used[c] = total, needs
    return factor, uses


def _named_in(v: Value, named: set[Value], sources: Mapping[Value, set[Value]]) -> set[Value]:
    return {v} if v in named else sources.get(v, set())


def _formula_uses(c: Value, i: int, named: set[Value],
                  sources: Mapping[Value, set[Value]]) -> set[Value]:
    # The named Values ∂c/∂(parent i) is computed from, read off the op table's formula.
    op = OPS.get(c.op)
    if op is None:
        return set().union(*(_named_in(p, named, sources) for p in (c, *c.parents)))
    n = len(c.parents)
    position = {name: k for k, name in enumerate(op.input_names(n))}
    found: set[Value] = set()
    for name in formula_names(op.formula(i, n)):
        if name == "out":
            found |= _named_in(c, named, sources)
        elif name in position:
            found |= _named_in(c.parents[position[name]], named, sources)
    return found


# ---- grading ----------------------------------------------------------------------------------


def grade(root: Value, answers: Mapping[str, float | None]) -> Grading:
    """Grade ``answers`` (answer names as in the key: ``z1``, ``ŷ`` or ``y_hat``, ``L``,
    ``dL/dw1`` or ``∂L/∂w1``; a value of None is a missing answer) against the exercise
    whose loss is ``root`` (every Value the sheet names labelled). Runs ``backward()`` on
    ``root``. An unknown name or a value that is not a finite number raises `AnswerError`.

    >>> from autograd import Value
    >>> z = Value(0.8, label="z1")
    >>> h = z.relu(); h.label = "h1"
    >>> L = h * 3; L.label = "L"
    >>> g = grade(L, {"h1": 0.8, "L": 2.4, "dL/dh1": 3, "dL/dz1": 2.4})
    >>> g.items["dL/dz1"].verdict, g.items["dL/dz1"].why
    ('wrong', "∂L/∂z1: you multiplied by ReLU(z1) = h1 instead of ReLU'(z1) = step(z1); it is 3")
    >>> grade(L, {"dL/dz": 1})
    Traceback (most recent call last):
    ...
    autograd.teaching.grading.AnswerError: unknown answer name: dL/dz (did you mean \
dL/dz1?); the names are: h1, L, dL/dh1, dL/dz1
    """
    sheet = worksheet(root)
    key = sheet.answers()
    given = _matched(answers, list(key))
    carried = _carry(sheet, given)
    order = topological_order(root)
    named = [v for v in order if v.label or v is root]
    factors = merged_factors(order, set(named), names_map(order))
    context = _Context(sheet, key, given, carried, _dependencies(sheet, carried), factors)
    rows: list[ForwardRow | BackwardRow] = [*sheet.forward, *sheet.backward]
    marks = {_name(row): _mark(row, context) for row in rows}
    first = next((m for m in marks.values() if m.verdict == WRONG), None)
    if first is None:
        headline = ""
    elif first.step:
        headline = f"first wrong step: {first.step}"
    else:
        headline = (f"first wrong answer: {first.name} = {number(first.given or 0.0, _GIVEN)}"
                    f", it is {_expected(first)}")
    return Grading(marks, headline)


def _expected(mark: Mark) -> str:
    # The number the student should have, from their earlier numbers when those differ.
    if mark.carried is None or within(mark.carried, mark.expected):
        return number(mark.expected, _SHOWN)
    return (f"{number(mark.carried, _SHOWN)} from your earlier numbers (the key: "
            f"{number(mark.expected, _SHOWN)})")


@dataclass(frozen=True)
class _Context:
    """What grading one answer looks at."""

    sheet: Worksheet
    key: dict[str, float]
    given: dict[str, float | None]
    carried: _Carried
    deps: dict[str, list[str]]
    """the answers each carried answer is computed from directly"""
    factors: dict[Value, list[Factor]]
    """the factors into each named Value from the named Values below it, with formulas"""


def _mark(row: ForwardRow | BackwardRow, context: _Context) -> Mark:
    name = _name(row)
    expected, mine, carried = context.key[name], context.given.get(name), context.carried
    forward = isinstance(row, ForwardRow)
    value = (carried.forward if forward else carried.backward).get(row.node)
    if mine is None:
        return Mark(name, MISSING, expected, None, f"no answer; it is "
                    f"{number(expected, _SHOWN)}", value)
    if within(mine, expected):
        return Mark(name, CORRECT, expected, mine, "", value)
    if value is not None and within(mine, value):
        return Mark(name, CARRIED, expected, mine,
                    _from_yours(name, value, expected, context), value)
    mark = Mark(name, WRONG, expected, mine, "", value)
    step = (_forward_slip(row, mine, carried) if isinstance(row, ForwardRow)
            else _backward_slip(row, mine, context))
    why = f"{step}; it is {_expected(mark)}" if step else f"it is {_expected(mark)}"
    return Mark(name, WRONG, expected, mine, why, value, step)


def _from_yours(answer: str, value: float, expected: float, context: _Context) -> str:
    # "from your ŷ = 0.7 it is 0.3567 (the key, from ŷ = 0.633: 0.4568)": the student's own
    # numbers that differ from the key, nearest first, through the answers they left out
    sheet, key, given, deps = context.sheet, context.key, context.given, context.deps
    titles = {**{r.name: r.name for r in sheet.forward},
              **{r.answer: r.title for r in sheet.backward}}
    found: list[str] = []
    todo = list(deps.get(answer, ()))
    seen: set[str] = set()
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        theirs = given.get(name)
        if theirs is None:
            todo.extend(deps.get(name, ()))
        elif not within(theirs, key[name]):
            found.append(name)
    order = list(titles)
    found = sorted(found, key=order.index)[:3]
    if not found:
        return (f"from your earlier numbers it is {number(value, _SHOWN)} (the key: "
                f"{number(expected, _SHOWN)})")
    yours = ", ".join(f"{titles[n]} = {number(given[n] or 0.0, _GIVEN)}" for n in found)
    keys = ", ".join(f"{titles[n]} = {number(key[n], _SHOWN)}" for n in found)
    return (f"from your {yours} it is {number(value, _SHOWN)} (the key, from {keys}: "
            f"{number(expected, _SHOWN)})")


def _name(row: ForwardRow | BackwardRow) -> str:
    return row.name if isinstance(row, ForwardRow) else row.answer


def _dependencies(sheet: Worksheet, carried: _Carried) -> dict[str, list[str]]:
    # For each answer, the answers its carried value is computed from directly.
    forward_name = {row.node: row.name for row in sheet.forward}
    backward_name = {row.node: row.answer for row in sheet.backward}
    named = {v for v in topological_order(sheet.root) if v.label or v is sheet.root}
    deps: dict[str, list[str]] = {}
    for row in sheet.forward:
        found: set[Value] = set()
        stack = list(row.node.parents)
        seen: set[Value] = set()
        while stack:  # the named Values it is made from, through unnamed ones
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            if p in named:
                found.add(p)
            else:
                stack.extend(p.parents)
        deps[row.name] = [forward_name[v] for v in _in_order(found, sheet)
                          if v in forward_name]
    for brow in sheet.backward:
        names: list[str] = []
        for term in brow.terms:
            if term.child in backward_name:
                names.append(backward_name[term.child])
            used = carried.uses.get((term.child, brow.node), set())
            names += [forward_name[v] for v in _in_order(used, sheet) if v in forward_name]
        deps[brow.answer] = list(dict.fromkeys(names))
    return deps


def _in_order(values: Iterable[Value], sheet: Worksheet) -> list[Value]:
    position = {row.node: k for k, row in enumerate(sheet.forward)}
    return sorted((v for v in values if v in position), key=position.__getitem__)


# ---- slips ------------------------------------------------------------------------------------

_ARITHMETIC = ("+", "-", "*", "/", "**")


def _fits(mine: float, slip: float, right: float) -> bool:
    # The slip gives the student's number, and a number that is not the right one.
    return math.isfinite(slip) and within(mine, slip) and not within(slip, right)


def _short(text: str, fallback: str) -> str:
    # A factor's formula as people say it: "ReLU'(z1)" of "ReLU'(z1) = step(z1)".
    return text.split(" = ")[0] if text else fallback


def _backward_slip(row: BackwardRow, mine: float, context: _Context) -> str:
    carried, sheet, factors = context.carried, context.sheet, context.factors
    right = carried.backward.get(row.node)
    if right is None:
        return ""
    root, v = sheet.root, row.node
    ups = [1.0 if t.child is root else carried.sent.get(t.child) for t in row.terms]
    fs = [carried.factor.get((t.child, v)) for t in row.terms]
    if any(x is None for x in ups) or any(x is None for x in fs):
        return ""
    candidates: list[tuple[str, float]] = []
    for k, term in enumerate(row.terms):
        u, f = ups[k] or 0.0, fs[k] or 0.0
        rest = right - u * f  # the other terms
        factor, child = term.factor, term.child
        said = _short(factor.formula, factor.name)
        candidates.append((f"you left out {factor.name}"
                           + (f" = {said}" if said != factor.name else ""), rest + u))
        op = OPS.get(child.op)
        if (op is not None and len(child.parents) == 1 and child.parents[0] is v
                and op.symbol not in _ARITHMETIC):
            value = carried.data.get(child)
            if value is not None:
                function = f"{op.symbol}({v.label})"
                candidates.append((f"you multiplied by {function} = {child.label} instead of "
                                   f"{factor.formula or factor.name}", rest + u * value))
        for other in factors.get(child, ()):  # another edge into the same child: w6 for w5
            value = carried.factor.get((child, other.parent))
            if other.parent is not v and value is not None:
                shown = _short(other.formula, other.name)
                candidates.append((f"you multiplied by {shown} instead of {said}",
                                   rest + u * value))
        own = carried.data.get(v)
        if own is not None and v.label:
            candidates.append((f"you multiplied by {v.label} instead of {said}",
                               rest + u * own))
        if child is not root:
            candidates.append((f"you did not multiply by the upstream {term.upstream_name}",
                               rest + f))
        if len(row.terms) > 1:
            candidates.append((f"you left out the path through {child.label}", rest))
    candidates.append(("the sign is wrong", -right))
    for message, slip in candidates:
        if _fits(mine, slip, right):
            return f"{row.title}: {message}"
    return ""


def _forward_slip(row: ForwardRow, mine: float, carried: _Carried) -> str:
    v = row.node
    right = carried.forward.get(v)
    if right is None:
        return ""
    inputs = [carried.data.get(p) for p in v.parents]
    if any(x is None for x in inputs):
        return ""
    xs = [x or 0.0 for x in inputs]

    def called(p: Value) -> str:
        return p.label or number(p.data, _SHOWN)

    candidates: list[tuple[str, float]] = []
    if v.op == "dot":  # parents w1, x1, ..., wn, xn, b
        candidates.append((f"you left out {called(v.parents[-1])}", right - xs[-1]))
        for k in range(0, len(xs) - 1, 2):
            term = f"{called(v.parents[k])}·{called(v.parents[k + 1])}"
            candidates.append((f"you left out {term}", right - xs[k] * xs[k + 1]))
    op = OPS.get(v.op)
    if op is not None and len(v.parents) == 1 and op.symbol not in _ARITHMETIC:
        inner = called(v.parents[0])
        candidates.append((f"you did not apply {op.symbol}: {row.name} = {op.symbol}({inner})",
                           xs[0]))
    candidates.append(("the sign is wrong", -right))
    for message, slip in candidates:
        if _fits(mine, slip, right):
            return f"{row.name}: {message}"
    return ""


__all__ = ["AnswerError", "CARRIED", "CORRECT", "Grading", "MISSING", "Mark", "VERDICTS",
           "WRONG", "ZERO_TOLERANCE", "grade", "normal_name", "read_answers", "tolerance",
           "within"]
