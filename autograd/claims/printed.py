"""Numbers as they are printed: a claimed number judged at its printed digits, and
`check_numbers`, a table of an article's numbers checked in one call.
"""

from __future__ import annotations

import ast
import decimal
import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from autograd.claims.reading import ALIASES, Claim, ClaimError, labels_of, unknown_name
from autograd.claims.report import ATOL, Comparison, Diagnosis, FormulaCheck, json_number
from autograd.graph import topological_order
from autograd.higher import grad
from autograd.notation import names_map, number
from autograd.value import Value


def printed_tolerance(text: str) -> float:
    """Half a unit of the last digit a number is printed with: how far the true number
    may be from it. A whole number (no point, no exponent) is taken as exact.

    >>> printed_tolerance("0.4431"), printed_tolerance("-0.062"), printed_tolerance("4.4e-1")
    (5e-05, 0.0005, 0.005)
    >>> printed_tolerance("2")
    0.0
    """
    match = re.fullmatch(r"\s*[-+−]?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?\s*", text)
    if not match or not (match.group(1) or match.group(2)):
        raise ClaimError(f"{text!r} is not a number")
    decimals = match.group(2)
    exponent = int(match.group(3) or 0)
    if decimals is None and match.group(3) is None:
        return 0.0
    return float(f"5e{exponent - len(decimals or '') - 1}")


def _literal_tolerance(claim: Claim) -> float:
    # Half a unit of each printed number, carried through the formula to first order:
    # relative errors add in a product, which is how numbers are usually combined.
    if isinstance(claim.tree, (ast.Constant, ast.UnaryOp)) and claim.source.strip():
        try:
            return printed_tolerance(claim.source)
        except ClaimError:
            pass
    value = abs(claim.at({}))
    relative = 0.0
    lines = [line.encode() for line in claim.source.strip().splitlines(keepends=True)]
    for node in ast.walk(claim.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and node.value:
            text = _segment(lines, node) or repr(node.value)
            relative += printed_tolerance(text) / abs(float(node.value))
    return value * relative


def _segment(lines: list[bytes], node: ast.expr) -> str:
    # A number's text as typed, from the claim's lines split once (ast.get_source_segment
    # splits the whole source again for each node: quadratic in a long claim).
    end_line, end = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
    if end_line != node.lineno or end is None or not 0 < node.lineno <= len(lines):
        return ""
    return lines[node.lineno - 1][node.col_offset:end].decode(errors="replace")


def check_number(claim: Claim, root: Value, wrt: Value, name: str, seed: int) -> FormulaCheck:
    (engine,) = (g.data for g in grad(root, [wrt]))
    try:
        claimed = claim.at({})
    except ArithmeticError:
        claimed = math.inf
    if not math.isfinite(claimed):
        raise ClaimError(f"the claim {claim.text.strip()!r} is not a finite number")
    tolerance = _literal_tolerance(claim)
    holds = abs(claimed - engine) <= tolerance + ATOL * max(1.0, abs(engine))
    leaves = {v.label: v.data for v in topological_order(root) if not v.parents and v.label}
    here = Comparison(leaves, claimed, engine, {})
    diagnosis = None if holds else Diagnosis("wrong number", _wrong_number(
        claim.text.strip(), claimed, engine, tolerance, name)[0], name)
    return NumberCheck(claim.text, name, "number", holds, 1, int(holds), here, here,
                       diagnosis, False, tolerance, (), seed)


@dataclass(frozen=True)
class NumberCheck(FormulaCheck):
    """The report of a claim that is a number: a `FormulaCheck` whose text writes the
    numbers as the claim is written (``-2``, never ``-2.000000``; ``−`` where it was typed).

    >>> from autograd import Value, check_formula
    >>> c, x = Value(0.0, label="c"), Value(1.0, label="x")
    >>> L = (c * x - 1) ** 2; L.label = "L"
    >>> print(check_formula(L, c, "1"))
    ∂L/∂c = 1: does NOT hold
    the engine: ∂L/∂c = -2; the claim 1 is a whole number, taken as exact
    diagnosis (wrong number): 1 is not ∂L/∂c = -2
    """

    def _lines(self) -> list[str]:
        lines = super()._lines()
        lines.insert(1, _engine_line(self.claim.strip(), self.name, self.here.engine,
                                     self.tolerance))
        return lines


def _engine_line(text: str, name: str, engine: float, tolerance: float) -> str:
    # What the engine says and how far the claim may be from it, in the claim's writing.
    shown = f"the engine: {name} = {in_full(engine, text)}; the claim {text}"
    try:
        printed = printed_tolerance(text)
    except ClaimError:  # a formula of numbers: the precision its numbers carry
        return (f"{shown} is made of whole numbers, taken as exact" if not tolerance else
                f"{shown} allows ±{plain(tolerance)} at its numbers' printed precision")
    if not printed:
        return f"{shown} is a whole number, taken as exact"
    return f"{shown} allows ±{plain(printed)} at its printed precision"


def in_full(x: float, like: str = "") -> str:
    """The engine's number in full (ten significant digits, a whole number without a
    point), with the minus sign ``like`` is typed with (``−`` or ``-``).

    >>> in_full(-2.0), in_full(0.44305670924389), in_full(-0.5, like="−0.4")
    ('-2', '0.4430567092', '−0.5')
    """
    return _minus(number(x, ".10g"), like)


def as_written(x: float, text: str) -> str:
    """``x`` rounded as the number ``text`` is written: as many decimals, the same exponent,
    the same minus sign.

    >>> as_written(0.44305, "0.4431"), as_written(-2.0, "−1.99"), as_written(-2.0, "3")
    ('0.4431', '−2.00', '-2')
    >>> as_written(0.0794, "-7.96e-2")
    '7.94e-2'
    """
    return _rounded(x, text, decimal.ROUND_HALF_UP)


def _rounded(x: float, text: str, rounding: str) -> str:
    # x to the last digit text is written with, rounded (or truncated: ROUND_DOWN).
    match = _WRITTEN.fullmatch(text)
    if not match:
        raise ClaimError(f"{text!r} is not a number")
    decimals, mark, exponent = match.group(2) or "", match.group(3), match.group(4)
    scaled = decimal.Decimal(repr(float(x))).scaleb(-int(exponent or 0))
    unit = decimal.Decimal(1).scaleb(-len(decimals))
    shown = f"{scaled.quantize(unit, rounding=rounding):f}"
    if re.fullmatch(r"-0\.?0*", shown):  # never -0, as in number()
        shown = shown[1:]
    return _minus(shown + (f"{mark}{exponent}" if mark else ""), text)


_WRITTEN = re.compile(r"\s*[-+−]?(\d*)(?:\.(\d*))?(?:([eE])([-+]?\d+))?\s*")


def plain(tolerance: float) -> str:
    """A tolerance as a plain decimal of two significant digits at most: ``0.00005``, not
    ``5e-05`` (below a millionth, in exponent form).

    >>> plain(5e-05), plain(0.5), plain(0.000123456), plain(5e-12)
    ('0.00005', '0.5', '0.00012', '5e-12')
    """
    short = f"{tolerance:.2g}"
    return short if tolerance < 1e-6 else format(decimal.Decimal(short), "f")


def _minus(shown: str, like: str) -> str:
    # The engine's minus written as the claim writes its own: − where it typed −.
    return shown.replace("-", "−") if "−" in like else shown


def _wrong_number(text: str, claimed: float, engine: float, tolerance: float,
                  name: str) -> tuple[str, str]:
    # The diagnosis of a wrong number, and its note for a table: what the engine's number
    # is as the claim is written, and whether it looks truncated or of the wrong sign.
    try:
        printed: float | None = printed_tolerance(text)
    except ClaimError:  # a formula of numbers: the digits its tolerance allows
        printed = None
    right = as_written(engine, text) if printed else ""
    if printed:
        note = f"rounded as it is written, {right}"
    elif printed is None and tolerance:
        note = f"its numbers' printed precision allows ±{plain(tolerance)}"
    else:
        note = ""
    remarks = []
    truncated = _rounded(engine, text, decimal.ROUND_DOWN) if printed else ""
    if truncated and float(truncated.replace("−", "-")) == claimed and right != text:
        remarks.append("the claim looks truncated rather than rounded")
    elif engine and abs(claimed / engine + 1) < 1e-3:
        remarks.append("the sign is flipped")
    elif printed == 0.0 and abs(claimed - engine) < 0.5:
        remarks.append("a whole number is taken as exact: write the decimals it is "
                       "rounded to")
    message = f"{text} is not {name} = {in_full(engine, text)}"
    message += f": {note}" if note else ""
    message += "".join(f" ({r})" for r in remarks)
    return message, "; ".join([note, *remarks] if note else remarks)


@dataclass(frozen=True)
class NumberRow:
    """One claimed number of a table: the name, what was claimed, the engine's number."""

    name: str
    text: str
    claimed: float
    engine: float
    tolerance: float
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class NumbersCheck:
    """The result of `check_numbers`: ``bool(report)`` is True when every number agrees.

    ``rows`` holds every claimed number in the order given, ``wrong`` those that disagree.
    """

    rows: tuple[NumberRow, ...]
    tolerance: float | None = None
    """the distance every number was judged within; None: each at its printed precision"""

    def __bool__(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def wrong(self) -> tuple[NumberRow, ...]:
        """The rows whose claimed number disagrees with the engine."""
        return tuple(r for r in self.rows if not r.ok)

    def _table(self) -> tuple[list[str], list[list[str]]]:
        head = ["quantity", "claimed", "engine", "verdict"]
        rows = [[r.name, r.text, _minus(number(r.engine, ".6g"), r.text),
                 "ok" if r.ok else "WRONG" + (f": {r.note}" if r.note else "")]
                for r in self.rows]
        return head, rows

    def __str__(self) -> str:
        head, rows = self._table()
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                 for row in [head, *rows]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        count = len(self.wrong)
        if self.tolerance is None:
            verdict = ("every number agrees at its printed precision" if not count else
                       f"{count} of {len(self.rows)} numbers disagree at their printed "
                       "precision")
        else:
            verdict = (f"every number agrees within {self.tolerance:g}" if not count else
                       f"{count} of {len(self.rows)} numbers are off by more than "
                       f"{self.tolerance:g}")
        return "\n".join([verdict, *lines])

    def _repr_html_(self) -> str:
        head, rows = self._table()
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
        return (f"<p>{html.escape(str(self).splitlines()[0])}</p>"
                f"<table><tr>{cells}</tr>{body}</table>")

    def to_dict(self) -> dict[str, Any]:
        """The table as plain data for JSON."""
        return {"holds": bool(self), "rows": [
            {"name": r.name, "claimed": r.text, "engine": json_number(r.engine), "ok": r.ok,
             "note": r.note} for r in self.rows]}


_GRADIENT = re.compile(r"\s*[∂d]\s*(.+?)\s*/\s*[∂d]\s*(.+?)\s*")


def check_numbers(
    root: Value,
    claims: Mapping[str, float | str] | Iterable[tuple[str, float | str]],
    *,
    tolerance: float | None = None,
) -> NumbersCheck:
    """Check a table of numbers as an article prints them, each at its printed precision.

    Keys are labels (the Value's number) or gradients of ``root``: ``"∂L/∂w1"`` or
    ``"dL/dw1"``; give (key, number) pairs to claim the same quantity twice. A claimed
    number may be text (``"0.9380"`` keeps its four decimals) or a float (judged by its
    shortest form: 0.96 has two decimals). ``tolerance`` judges every number within that
    distance instead, for an article that rounds early and carries its rounding along.
    Nothing in the graph changes, ``.grad`` included.

    >>> from nn.examples import student_forward
    >>> net = student_forward()
    >>> report = check_numbers(net["L"], {"z1": 0.8, "ŷ": "0.634", "∂L/∂w1": "0.4431"})
    >>> bool(report), [r.name for r in report.wrong]
    (False, ['ŷ'])
    """
    order = topological_order(root)
    labels = labels_of(order)
    shown = names_map(order)
    if tolerance is not None and (isinstance(tolerance, bool)
                                  or not isinstance(tolerance, numbers.Real)
                                  or not 0 <= tolerance < math.inf):
        raise ValueError(f"tolerance must be a number >= 0 (a distance), got {tolerance!r}")
    pairs = list(claims.items()) if isinstance(claims, Mapping) else list(claims)
    wanted: list[tuple[str, Value, bool]] = []
    for key, _ in pairs:
        target, is_gradient = key, False
        match = _GRADIENT.fullmatch(key)
        if match and key not in labels:
            top, target = (_unbracketed(g) for g in match.groups())
            if root.label and top != root.label:
                raise ClaimError(f"{key!r}: the graph's root is {root.label!r}, so its gradients "
                                 f"are written ∂{root.label}/∂<label>; for a derivative of "
                                 f"{top}, check a table of its own: check_numbers({top}'s "
                                 "Value, {...})")
            is_gradient = True
        target = ALIASES.get(target, target) if target not in labels else target
        if target not in labels:
            raise ClaimError(f"{key!r}: " + unknown_name(target, labels))
        if len(labels[target]) > 1:
            raise ClaimError(f"{key!r}: the label {target!r} is on {len(labels[target])} "
                             "Values of the graph")
        wanted.append((key, labels[target][0], is_gradient))
    gradients = grad(root, [v for _, v, g in wanted if g])
    by_value = dict(zip([v for _, v, g in wanted if g], (g.data for g in gradients)))
    rows = []
    for (key, v, is_gradient), (_, given) in zip(wanted, pairs):
        text = _number_text(key, given)
        claimed = float(text.replace("−", "-"))
        allowed = printed_tolerance(text) if tolerance is None else tolerance
        engine = by_value[v] if is_gradient else v.data
        ok = abs(claimed - engine) <= allowed + ATOL * max(1.0, abs(engine))
        note = "" if ok else _wrong_number(text, claimed, engine, allowed,
                                           key if is_gradient else shown[v])[1]
        rows.append(NumberRow(key, text, claimed, engine, allowed, ok, note))
    return NumbersCheck(tuple(rows), tolerance)


def _unbracketed(text: str) -> str:
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _number_text(key: str, claimed: float | str) -> str:
    if isinstance(claimed, bool) or not isinstance(claimed, (numbers.Real, str)):
        raise ClaimError(f"{key!r}: the claimed number must be a number or text, got "
                         f"{type(claimed).__name__}")
    if isinstance(claimed, str):
        text = claimed.strip()
    else:  # a float's shortest form is what was typed (numpy's too); a whole number is exact
        text = str(int(claimed)) if isinstance(claimed, numbers.Integral) else repr(float(claimed))
    printed_tolerance(text)  # raises ClaimError when it is not a number
    if not math.isfinite(float(text.replace("−", "-"))):
        raise ClaimError(f"{key!r}: {text} is not a finite number")
    return text
