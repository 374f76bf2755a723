"""Names and formulas as people write them: the one place that turns Values into text.

Drawing, explaining and stepping all speak of a Value by the same name: its label; for an
unlabelled leaf its number; else the expression that made it (``1 - ŷ``, ``log(1 - ŷ)``).
Local derivatives are the op table's formula text written in those names (``x1``,
``ŷ * (1 - ŷ)``), and numbers are shown with four significant digits, never as ``-0``.

>>> from autograd import Value
>>> from autograd.graph import topological_order
>>> y = Value(0.5, label="ŷ")
>>> names(topological_order(1 - y))
['1', 'ŷ', '1 - ŷ']
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from autograd.ops import OPS
from autograd.value import Value

FORMAT = ".4g"
"""How numbers are shown unless a ``fmt`` is given: four significant digits."""

_INFIX = {"+", "-", "*", "/", "**"}
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_MAX_NAME = 32  # an unlabelled value's expression longer than this is called v<index>


def number(x: float, fmt: str = FORMAT) -> str:
    """A number as shown in drawings and explanations.

    >>> number(2.0), number(0.123456), number(-1e-9)
    ('2', '0.1235', '-1e-09')
    """
    return format(x, fmt)


def _is_atom(text: str) -> bool:
    # A name, a number, one call f(...) or one bracket (...): safe inside a larger formula.
    if re.fullmatch(r"[\w.']+", text) or (is_number(text) and not text.startswith("-")):
        return True
    head = re.match(r"[\w.']*\(", text)
    if not head or not text.endswith(")"):
        return False
    depth = 0
    for i, ch in enumerate(text[head.end() - 1 :], head.end() - 1):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def bracket(text: str) -> str:
    """``text`` in parentheses unless it is a name, a positive number or a call.

    >>> bracket("w1"), bracket("1 - ŷ"), bracket("σ(z3)"), bracket("-2")
    ('w1', '(1 - ŷ)', 'σ(z3)', '(-2)')
    """
    return text if _is_atom(text) else f"({text})"


def names(order: list[Value], fmt: str = FORMAT) -> list[str]:
    """How each Value of a topological order is called in formulas: its label; for an
    unlabelled leaf its number; else the expression that made it (``log(ŷ)``), or
    ``v<index>`` when that expression is long.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> y = Value(0.5, label="y")
    >>> names(topological_order(1 - y))
    ['1', 'y', '1 - y']
    """
    shown: list[str] = []
    index: dict[Value, int] = {}
    for i, v in enumerate(order):
        index[v] = i
        if v.label:
            text = v.label
        elif not v.parents:
            text = number(v.data, fmt)
        else:
            op = OPS.get(v.op)
            args = [shown[index[p]] for p in v.parents]
            expression = op.forward_expression(len(args)) if op else ""
            if expression and " if " not in expression:  # e.g. "b + w1 * x1 + w2 * x2"
                given = dict(zip(op.input_names(len(args)), args)) if op else {}
                text = render(expression, given).replace(" ** ", "**")
            elif op and op.symbol == "-" and len(args) == 1:
                text = f"-{bracket(args[0])}"
            elif op and op.symbol in _INFIX and len(args) == 2:
                text = f"{bracket(args[0])}{op.symbol}{bracket(args[1])}"
            else:
                text = f"{op.symbol if op else v.op}({', '.join(args)})"
            if len(text) > _MAX_NAME:
                text = f"v{i}"
        shown.append(text)
    return shown


def render(text: str, names: Mapping[str, str]) -> str:
    """A formula with its variable names replaced by other names, bracketed as needed.

    >>> render("out * (1 - out)", {"out": "ŷ"})
    'ŷ * (1 - ŷ)'
    >>> render("1 / a", {"a": "1 - ŷ"})
    '1 / (1 - ŷ)'
    """
    return _IDENTIFIER.sub(lambda m: bracket(names.get(m[0], m[0])), text)


def local_formula(node: Value, i: int, name_of: Mapping[Value, str]) -> str:
    """The op table's formula for ∂node/∂(parent i), in the names ``name_of`` gives.

    >>> from autograd import Value
    >>> w, x = Value(0.5, label="w1"), Value(2.0, label="x1")
    >>> z = w * x
    >>> local_formula(z, 0, {w: "w1", x: "x1", z: "z"})
    'x1'
    """
    op = OPS.get(node.op)
    if op is None:
        return "?"
    n = len(node.parents)
    given = dict(zip(op.input_names(n), (name_of[p] for p in node.parents)))
    given["out"] = name_of[node]
    return render(op.formula(i, n), given)


def derivative_name(child: str, parent: str) -> str:
    """``∂child/∂parent``, bracketed where needed.

    >>> derivative_name("z1", "w1"), derivative_name("1 - ŷ", "ŷ")
    ('∂z1/∂w1', '∂(1 - ŷ)/∂ŷ')
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


def names_map(order: list[Value], fmt: str = FORMAT) -> dict[Value, str]:
    """`names` as a mapping from each Value to its name.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> x = Value(2.0, label="x")
    >>> list(names_map(topological_order(x.exp())).values())
    ['x', 'exp(x)']
    """
    return dict(zip(order, names(order, fmt)))
