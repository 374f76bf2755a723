"""The safe formula language: parsing, evaluating and simplifying small arithmetic
formulas, and the functions they may call.

A formula is parsed with Python's ``ast`` and walked node by node against an explicit
whitelist: numbers, names given by the caller, ``+ - * / **``, unary minus and plus,
parentheses, and calls of whitelisted functions by name. Nothing else (attributes,
subscripts, strings, keywords, lambdas, comprehensions) is accepted, and nothing is ever
passed to ``eval``. Numbers become floats, so ``9**9**9`` overflows instead of hanging.

The functions (`FUNCTIONS`: ``exp``, ``sigmoid``, ``step``, ...) take a float or anything
with the method of the same name, such as a Value: the op table's derivative rules are
written with them, so one rule gives numbers on floats and gradient graphs on Values. This
module imports nothing else of the project; the op table (`autograd.ops`) builds on it.

>>> evaluate("1 - out**2", {"out": 0.5})
0.75
>>> from autograd import Value
>>> y = evaluate("sigmoid(w*x + b)", {"w": Value(0.5), "x": Value(2.0), "b": Value(0.1)})
>>> round(y.data, 4)
0.7503
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Collection, Mapping
from typing import Any

# ---- the functions a formula may call: each works on a float or on a Value ---------------


class DomainError(ValueError, ArithmeticError):
    """An op was asked for a value outside its domain, e.g. ``log`` of 0.

    >>> from autograd import Value
    >>> Value(0.0).log()
    Traceback (most recent call last):
    ...
    autograd.formula.DomainError: log: needs a > 0, got a=0.0
    """


LEAKY_SLOPE = 0.01
"""Slope of leaky_relu for a <= 0 (PyTorch's default)."""


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float))


def _sigmoid(x: float) -> float:
    # Never overflows: exp is only ever taken of a non-positive number.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    # log(1 + e^x) without overflow for large x.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _unary(method: str, on_float: Callable[[float], float]) -> Callable[[Any], Any]:
    def apply(x: Any) -> Any:
        return on_float(float(x)) if _is_number(x) else getattr(x, method)()

    apply.__name__ = method
    apply.__doc__ = f"{method}(x) for a float, or x.{method}() for a Value."
    return apply


exp = _unary("exp", math.exp)
log = _unary("log", math.log)
tanh = _unary("tanh", math.tanh)
sigmoid = _unary("sigmoid", _sigmoid)
sin = _unary("sin", math.sin)
cos = _unary("cos", math.cos)
sqrt = _unary("sqrt", math.sqrt)
softplus = _unary("softplus", _softplus)
# NaN passes through relu and leaky_relu, as in PyTorch: only a <= 0 is cut.
relu = _unary("relu", lambda x: 0.0 if x <= 0 else x)
leaky_relu = _unary("leaky_relu", lambda x: LEAKY_SLOPE * x if x <= 0 else x)
absolute = _unary("abs", abs)


def step(x: Any) -> float:
    """1.0 where x > 0, else 0.0 (so ReLU'(0) = 0, as in PyTorch). A constant: its own
    derivative is 0 wherever it is defined.

    >>> step(2.5), step(0.0)
    (1.0, 0.0)
    """
    return 1.0 if (x if x.__class__ is float else _data(x)) > 0 else 0.0


def sign(x: Any) -> float:
    """-1.0, 0.0 or 1.0: the derivative of abs (0 at 0, as in PyTorch). A constant.

    >>> sign(-3.0), sign(0.0), sign(2)
    (-1.0, 0.0, 1.0)
    """
    v = _data(x)
    return (v > 0) - (v < 0) + 0.0


def _data(x: Any) -> float:
    return float(x) if _is_number(x) else float(x.data)


FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    f.__name__: f
    for f in (exp, log, sqrt, tanh, sigmoid, relu, leaky_relu, softplus, absolute, sin, cos)
    + (step, sign)
}
"""The functions a formula may call, by name; each takes a float or a Value."""


# ---- parsing and evaluating --------------------------------------------------------------

MAX_LENGTH = 10_000


def _power(a: Any, b: Any) -> Any:
    # On two numbers, Python's ** may give a complex number ((-8) ** (1/3)) or a bare
    # "math domain error"; say which op failed and why, as the engine's ops do.
    if not (isinstance(a, float) and isinstance(b, float)):
        return a**b
    if a < 0 and not b.is_integer():
        raise DomainError(f"pow: a negative base a={a!r} to a non-integer power b={b!r}")
    if a == 0 and b < 0:
        raise DomainError(f"pow: 0.0 raised to a negative power b={b!r} (division by zero)")
    try:
        return math.pow(a, b)
    except OverflowError:
        raise OverflowError(f"pow: result too large for a float (a={a!r}, b={b!r})") from None


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: _power,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


class FormulaError(ValueError):
    """A formula that cannot be evaluated; ``column`` (0-based) points at the problem.

    >>> evaluate("x.real", {"x": 1.0})
    Traceback (most recent call last):
    ...
    autograd.formula.FormulaError: Attribute is not allowed in a formula
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


def parse(text: str, extra_functions: Collection[str] = ()) -> ast.expr:
    """Parse ``text`` and check every node against the whitelist; return the tree.
    ``extra_functions`` names calls a caller gives a meaning of its own (they cannot be
    evaluated here).

    >>> type(parse("a * b")).__name__
    'BinOp'
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula longer than {MAX_LENGTH} characters")
    if "\n" in text or "\r" in text:
        raise FormulaError("a formula is a single line", text.find("\n"))
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        column = (err.offset or 1) - 1 + (len(text) - len(text.lstrip()))
        raise FormulaError(f"syntax error at column {column + 1}: {err.msg}", column) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("formula too deeply nested or malformed") from None
    for node in ast.walk(tree.body):
        _check(node, extra_functions)
    return tree.body


def _check(node: ast.AST, extra_functions: Collection[str] = ()) -> None:
    column = getattr(node, "col_offset", None)
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        op = node.op
        if type(op) not in _BINARY and type(op) not in _UNARY:
            raise FormulaError(f"operator {type(op).__name__} is not allowed", column)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"only numbers are allowed, not {node.value!r}", column)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or (node.func.id not in FUNCTIONS
                                                   and node.func.id not in extra_functions):
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            known = ", ".join(sorted(FUNCTIONS))
            raise FormulaError(f"unknown function {name!r} (known: {known})", column)
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise FormulaError(f"{node.func.id}() takes exactly one argument", column)
    elif not isinstance(node, (ast.Name, ast.Load) + tuple(_BINARY) + tuple(_UNARY)):
        raise FormulaError(f"{type(node).__name__} is not allowed in a formula", column)


def names(text: str) -> list[str]:
    """The variable names a formula uses, in order of first appearance (functions excluded).

    >>> names("b * a**(b - 1)")
    ['b', 'a']
    """
    tree = parse(text)
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls]
    return list(dict.fromkeys(found))


def evaluate(text: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate a whitelisted formula with the given variables (floats or Values).

    Unknown names raise `FormulaError`; domain errors of the engine (log of 0, ...) pass
    through unchanged.

    >>> evaluate("step(a) + 0.01 * (1 - step(a))", {"a": -3.0})
    0.01
    """
    tree = parse(text)
    try:
        return _walk(tree, variables)
    except RecursionError:
        raise FormulaError("formula too deeply nested") from None


def _walk(node: ast.expr, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in variables:
            known = ", ".join(sorted(variables)) or "none"
            raise FormulaError(f"unknown name {node.id!r} (known: {known})", node.col_offset)
        return variables[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_walk(node.left, variables), _walk(node.right, variables))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_walk(node.operand, variables))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return FUNCTIONS[node.func.id](_walk(node.args[0], variables))
    raise FormulaError(f"{type(node).__name__} is not allowed in a formula")


# ---- simplifying: what people leave out when they write a formula -------------------------


def constant_of(node: ast.expr) -> float | None:
    """The number a constant node holds, else None.

    >>> constant_of(parse("2")), constant_of(parse("x"))
    (2.0, None)
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    return None


def _number_node(x: float) -> ast.expr:
    if x < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-x))
    return ast.Constant(x + 0.0)


def simplify(tree: ast.expr, constants: Mapping[str, float] = {}) -> ast.expr:  # noqa: B006
    """Put ``constants`` in for their names and drop what is trivial: ``1·x``, ``x**1``,
    ``x + 0``, sums and products of numbers; a number factor goes first.

    >>> ast.unparse(simplify(parse("b * a**(b - 1)"), {"b": 2.0}))
    '2.0 * a'
    >>> ast.unparse(simplify(parse("1 * x**1 + 0")))
    'x'
    """
    if isinstance(tree, ast.Name):
        return _number_node(constants[tree.id]) if tree.id in constants else tree
    if isinstance(tree, ast.Call):
        return ast.Call(tree.func, [simplify(a, constants) for a in tree.args], [])
    if isinstance(tree, ast.UnaryOp):
        inner = simplify(tree.operand, constants)
        value = constant_of(inner)
        if isinstance(tree.op, ast.UAdd):
            return inner
        if value is not None:
            return _number_node(-value)
        if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.USub):
            return inner.operand
        return ast.UnaryOp(ast.USub(), inner)
    if isinstance(tree, ast.BinOp):
        return _simplify_binary(tree.op, simplify(tree.left, constants),
                                simplify(tree.right, constants))
    return tree


def signed_constant_of(node: ast.expr) -> float | None:
    """The number a node stands for, counting a leading minus: ``-2`` is -2.0.

    >>> signed_constant_of(parse("-2")), signed_constant_of(parse("-x"))
    (-2.0, None)
    """
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = constant_of(node.operand)
        return -inner if inner is not None else None
    return constant_of(node)


def _simplify_binary(op: ast.operator, left: ast.expr, right: ast.expr) -> ast.expr:
    a, b = signed_constant_of(left), signed_constant_of(right)
    if a is not None and b is not None:
        try:
            folded = {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(type(op))
            if isinstance(op, ast.Div) and b != 0 and (a / b).is_integer():
                folded = a / b
            if isinstance(op, ast.Pow) and float(b).is_integer() and abs(b) <= 8 and a != 0:
                folded = a**b
        except OverflowError:
            folded = None
        if folded is not None and math.isfinite(folded):
            return _number_node(folded)
    negate = ast.UnaryOp(ast.USub(), right) if a == 0 else None
    rules: dict[type, list[tuple[bool, ast.expr | None]]] = {
        ast.Add: [(a == 0, right), (b == 0, left)],
        ast.Sub: [(b == 0, left), (a == 0, negate)],
        ast.Mult: [(a == 0 or b == 0, ast.Constant(0.0)), (a == 1, right), (b == 1, left),
                   (a == -1, ast.UnaryOp(ast.USub(), right)),
                   (b == -1, ast.UnaryOp(ast.USub(), left))],
        ast.Div: [(b == 1, left)],
        ast.Pow: [(b == 1, left), (b == 0, ast.Constant(1.0))],
    }
    for applies, result in rules.get(type(op), []):
        if applies and result is not None:
            return result
    if isinstance(op, ast.Mult) and b is not None and a is None:
        left, right = right, left  # a number factor goes first: 2·x
    if isinstance(op, ast.Add) and b is not None and b < 0:
        return ast.BinOp(left, ast.Sub(), _number_node(-b))
    return ast.BinOp(left, op, right)
