"""Names and formulas as people write them: the one place that turns Values into text.

Drawing, explaining and stepping all speak of a Value by the same name: its label; for an
unlabelled leaf its number; else the expression that made it (``1 − ŷ``, ``log(1 − ŷ)``),
or, when that is long, the op with its inputs elided (``… + …``). Local derivatives are the
op table's formula text written in those names, with constants put in and trivial parts
simplified (``2·x`` rather than ``2 * x**(2 - 1)``). Numbers show four significant digits
and never ``-0``.

>>> from autograd import Value
>>> from autograd.graph import topological_order
>>> y = Value(0.5, label="ŷ")
>>> names(topological_order((1 - y).log()))
['1', 'ŷ', '1 − ŷ', 'log(1 − ŷ)']
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from functools import lru_cache

from autograd.formula import constant_of, parse, signed_constant_of, simplify
from autograd.formula import names as names_used
from autograd.ops import OPS, Op
from autograd.value import Constant, Value

FORMAT = ".4g"
"""How numbers are shown unless a ``fmt`` is given: four significant digits."""

MAX_NAME = 28
"""An unlabelled Value's expression longer than this is shown with its inputs elided."""

_SUM, _PRODUCT, _NEGATION, _POWER, _ATOM = 1, 2, 3, 4, 5  # how tightly each form binds
_SYMBOLS: dict[type, tuple[str, int]] = {
    ast.Add: (" + ", _SUM), ast.Sub: (" − ", _SUM),
    ast.Mult: ("·", _PRODUCT), ast.Div: (" / ", _PRODUCT), ast.Pow: ("**", _POWER),
}
_FUNCTION_NAMES = {"sigmoid": "σ"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def number(x: float, fmt: str = FORMAT) -> str:
    """A number as shown in drawings and explanations; zero is never ``-0``.

    >>> number(2.0), number(0.123456), number(-1e-9), number(-0.0)
    ('2', '0.1235', '-1e-09', '0')
    """
    text = format(x + 0.0 if x == 0 else x, fmt)  # -0.0 + 0.0 is 0.0
    return "0" if re.fullmatch(r"-0\.?0*(e[+-]?\d+)?", text) else text


def _is_atom(text: str) -> bool:
    # A name, a positive number, one call f(...) or one bracket (...): safe anywhere.
    if re.fullmatch(r"[^\s()+\-−·*/]+", text) and not text.startswith("-"):
        return True
    if is_number(text):  # 4.862e+04 is one number; -2 is not an atom
        return not text.startswith("-")
    head = re.match(r"[^\s()+\-−·*/]*\(", text)
    if not head or not text.endswith(")"):
        return False
    depth = 0
    for i, ch in enumerate(text[head.end() - 1 :], head.end() - 1):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def _binding(text: str) -> int:
    # How tightly a shown name binds, read off its text (conservatively).
    if _is_atom(text):
        return _ATOM
    if text.startswith(("-", "−")) and _is_atom(text[1:]):
        return _NEGATION
    return _SUM


def bracket(text: str) -> str:
    """``text`` in parentheses unless it is a name, a positive number or a call.

    >>> bracket("w1"), bracket("1 − ŷ"), bracket("σ(z3)"), bracket("-2")
    ('w1', '(1 − ŷ)', 'σ(z3)', '(-2)')
    """
    return text if _is_atom(text) else f"({text})"


# ---- formulas: the op table's texts, written in people's names ----------------------------


@lru_cache(maxsize=512)
def _tree(text: str) -> ast.expr:
    return parse(text)


def write(tree: ast.expr, names: Mapping[str, str] = {}, fmt: str = FORMAT) -> str:  # noqa: B006
    """A formula tree as people write it: ``·`` for products, ``−`` for minus, small
    integer powers as superscripts, each name replaced by ``names`` (bracketed as needed).

    >>> write(parse("out * (1 - out)"), {"out": "ŷ"})
    'ŷ·(1 − ŷ)'
    >>> write(parse("a**2 + sigmoid(a)"), {"a": "x − 1"})
    '(x − 1)² + σ(x − 1)'
    """
    return _write(tree, names, fmt)[0]


def _write(node: ast.expr, names: Mapping[str, str], fmt: str) -> tuple[str, int]:
    if isinstance(node, ast.Name):
        text = names.get(node.id, node.id)
        return text, _binding(text)
    value = constant_of(node)
    if value is not None:
        return number(value, fmt), _ATOM
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = _FUNCTION_NAMES.get(node.func.id, node.func.id)
        return f"{name}({_write(node.args[0], names, fmt)[0]})", _ATOM
    if isinstance(node, ast.UnaryOp):
        value = signed_constant_of(node)
        if value is not None:  # a negative number, written as numbers are: x·(-1), -1
            return number(value, fmt), _SUM
        inner, binding = _write(node.operand, names, fmt)
        return f"−{inner if binding > _NEGATION else f'({inner})'}", _NEGATION
    if isinstance(node, ast.BinOp):
        symbol, binding = _SYMBOLS[type(node.op)]
        left, lb = _write(node.left, names, fmt)
        right, rb = _write(node.right, names, fmt)
        if isinstance(node.op, ast.Pow):
            left = left if lb == _ATOM else f"({left})"
            power = constant_of(node.right)
            if power is not None and power.is_integer() and 2 <= power <= 9:
                return left + number(power).translate(_SUPERSCRIPT), _POWER
            return f"{left}**{right if rb == _ATOM else f'({right})'}", _POWER
        left = left if lb >= binding else f"({left})"
        loose = isinstance(node.op, (ast.Sub, ast.Div))  # a − (b + c), a / (b·c)
        right = right if rb > binding or (rb == binding and not loose) else f"({right})"
        return f"{left}{symbol}{right}", binding
    return ast.unparse(node), _SUM


def render(text: str, names: Mapping[str, str], constants: Mapping[str, float] = {},  # noqa: B006
           fmt: str = FORMAT) -> str:
    """Formula text in the op table's names, written with other names and simplified.

    >>> render("out * (1 - out)", {"out": "ŷ"})
    'ŷ·(1 − ŷ)'
    >>> render("1 / a", {"a": "1 − ŷ"})
    '1 / (1 − ŷ)'
    >>> render("b * a**(b - 1)", {"a": "e"}, {"b": 3.0})
    '3·e²'
    """
    return write(simplify(_tree(text), constants), names, fmt)


def is_constant(v: Value) -> bool:
    """True for a number written in the code (a `Constant` the engine made, unlabelled).
    Drawings and steps show it with no gradient, and formulas put its number in.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> is_constant((x * 3).parents[1]), is_constant(x)
    (True, False)
    """
    return isinstance(v, Constant) and not v.label


def local_formula(node: Value, i: int, name_of: Mapping[Value, str], fmt: str = FORMAT) -> str:
    """The op table's formula for ∂node/∂(parent i), in the names ``name_of`` gives, with
    constant parents (unlabelled leaves) put in as numbers.

    >>> from autograd import Value
    >>> w, x = Value(0.5, label="w1"), Value(2.0, label="x1")
    >>> z = w * x
    >>> local_formula(z, 0, {w: "w1", x: "x1", z: "z"})
    'x1'
    >>> y = x**2
    >>> local_formula(y, 0, {x: "x1", y.parents[1]: "2", y: "x1²"})
    '2·x1'
    """
    op = OPS.get(node.op)
    if op is None:
        return "?"
    n = len(node.parents)
    text = op.formula(i, n)
    given, constants = {"out": name_of[node]}, {}
    position = _positions(op, n)
    for name in _names_in(text):  # only the inputs the formula speaks of: a wide op has many
        if name in position:
            parent = node.parents[position[name]]
            given[name] = name_of[parent]
            if is_constant(parent):
                constants[name] = parent.data
    return render(text, given, constants, fmt)


@lru_cache(maxsize=256)
def _positions(op: Op, n: int) -> dict[str, int]:
    return {name: k for k, name in enumerate(op.input_names(n))}


@lru_cache(maxsize=512)
def _names_in(text: str) -> tuple[str, ...]:
    return tuple(names_used(text))


def local_text(node: Value, i: int, name_of: Mapping[Value, str], fmt: str = FORMAT,
               width: int | None = None) -> str:
    """`local_formula`, and for a function of one input also its textbook name:
    ``σ'(z3) = ŷ·(1 − ŷ)``. With a ``width``, what fits: both, else the formula, else the
    name alone.

    >>> from autograd import Value
    >>> z = Value(0.5, label="z3"); y = z.sigmoid(); y.label = "ŷ"
    >>> local_text(y, 0, {z: "z3", y: "ŷ"}), local_text(y, 0, {z: "z3", y: "ŷ"}, width=8)
    ("σ'(z3) = ŷ·(1 − ŷ)", "σ'(z3)")
    """
    formula = local_formula(node, i, name_of, fmt)
    op = OPS.get(node.op)
    if op is None or len(node.parents) != 1 or is_number(formula) or op.symbol in "+-*/**":
        return formula
    short = f"{op.symbol}'({name_of[node.parents[0]]})"
    both = f"{short} = {formula}"
    if width is None or len(both) <= width:
        return both
    return formula if len(formula) <= width else short


def derivative_name(child: str, parent: str) -> str:
    """``∂child/∂parent``, bracketed where needed.

    >>> derivative_name("z1", "w1"), derivative_name("1 − ŷ", "ŷ")
    ('∂z1/∂w1', '∂(1 − ŷ)/∂ŷ')
    """
    return f"∂{bracket(child)}/∂{bracket(parent)}"


def is_number(text: str) -> bool:
    """True when ``text`` reads as a number.

    >>> is_number("-2.5"), is_number("x1")
    (True, False)
    """
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---- names of Values ----------------------------------------------------------------------


def expression_name(node: Value, args: list[str], fmt: str = FORMAT) -> str:
    """What an unlabelled Value is called: the expression that made it, in its parents'
    names ``args``; when that is longer than `MAX_NAME`, with its longest inputs elided
    until it fits (``(x − y)² + …``, ``σ(…)``).

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> expression_name(x * 3, ["x", "3"]), expression_name((x * 3).exp(), ["3·x"])
    ('x·3', 'exp(3·x)')
    >>> expression_name(x + 1, ["a_rather_long_name", "another_long_name"])
    '… + another_long_name'
    """
    op = OPS.get(node.op)
    if op is not None and op.variadic and len(args) > 5:
        return op.symbol  # a neuron's weighted sum of many inputs: Σw·x+b
    shown = list(args)
    longest_first = sorted(range(len(args)), key=lambda k: -len(args[k]))
    for k in [None, *longest_first]:  # elide the longest inputs first, until it fits
        if k is not None:
            shown[k] = "…"
        text = _written(node, op, shown, fmt)
        if len(text) <= MAX_NAME:
            return text
    return text


def _written(node: Value, op: Op | None, args: list[str], fmt: str) -> str:
    if op is not None and op.name == "powc" and len(args) == 2 and is_number(args[1]):
        return render("a**b", {"a": args[0]}, {"b": float(args[1])}, fmt)
    # the forward as formula text in the op's input names; "" for a call (σ(z), not sigmoid)
    template = op.forward_expression(len(args)) if op else ""
    if template and op is not None:
        return render(template, dict(zip(op.input_names(len(args)), args)), fmt=fmt)
    return f"{op.symbol if op else node.op}({', '.join(args)})"


def names(order: list[Value], fmt: str = FORMAT) -> list[str]:
    """How each Value of a topological order is called in formulas: its label; for an
    unlabelled leaf its number; else its `expression_name`.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> y = Value(0.5, label="y")
    >>> names(topological_order((1 - y) ** 2))
    ['1', 'y', '1 − y', '2', '(1 − y)²']
    """
    shown: list[str] = []
    index: dict[Value, int] = {}
    for i, v in enumerate(order):
        index[v] = i
        if v.label:
            shown.append(v.label)
        elif not v.parents:
            shown.append(number(v.data, fmt))
        else:
            shown.append(expression_name(v, [shown[index[p]] for p in v.parents], fmt))
    return shown


def names_map(order: list[Value], fmt: str = FORMAT) -> dict[Value, str]:
    """`names` as a mapping from each Value to its name.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> x = Value(2.0, label="x")
    >>> list(names_map(topological_order(x.exp())).values())
    ['x', 'exp(x)']
    """
    return dict(zip(order, names(order, fmt)))
