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
import keyword
import math
import operator
import re
import sys
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
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


_FLOAT_DOMAINS: dict[str, Callable[[float], str | None]] = {
    # What the engine's ops say (autograd.ops), for a function applied to a plain number.
    "log": lambda a: f"needs a > 0, got a={a!r}" if a <= 0 else None,
    "sqrt": lambda a: f"needs a >= 0, got a={a!r}" if a < 0 else None,
}


def _unary(method: str, on_float: Callable[[float], float]) -> Callable[[Any], Any]:
    def apply(x: Any) -> Any:
        if not _is_number(x):
            return getattr(x, method)()
        try:
            return on_float(float(x))
        except OverflowError:
            raise OverflowError(f"{method}: result too large for a float (a={float(x)!r})"
                                ) from None
        except ValueError as err:  # math's bare "math domain error": name the op and operand
            why = _FLOAT_DOMAINS.get(method, lambda a: None)(float(x)) or str(err)
            raise DomainError(f"{method}: {why}" + ("" if "a=" in why else
                                                    f" (a={float(x)!r})")) from None

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
"""The longest formula read (in characters)."""

LARGEST = sys.float_info.max
"""The largest number a formula may hold: a float's, about 1.8e308."""

_NESTING = 8 * MAX_LENGTH  # Python's recursion room while a formula is read or evaluated


def quoted(text: str, limit: int = 40) -> str:
    """``text`` in quotes as an error message shows it: a long text by its start and its
    length, so that a message stays one short line.

    >>> quoted("w*x")
    "'w*x'"
    >>> quoted("x" * 1000, 8)
    "'xxxxxxx…' (1,000 characters)"
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 1] + '…'!r} ({len(text):,} characters)"


def shortened(text: str, limit: int = 40) -> str:
    """A piece of input inside a message: its start, when it is longer than ``limit``.

    >>> shortened("w*x"), shortened("x" * 100, 6)
    ('w*x', 'xxxxx…')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def nesting_room(depth: int = _NESTING) -> Iterator[None]:
    """Room for Python's own recursion while a formula is read, evaluated or rewritten:
    ``x + x + … + x`` nests one level per term, and a formula of `MAX_LENGTH` characters
    may nest thousands of levels deep, past Python's default limit of 1,000.

    >>> import sys
    >>> with nesting_room():
    ...     sys.getrecursionlimit() >= 80_000
    True
    """
    before = sys.getrecursionlimit()
    if before < depth:
        sys.setrecursionlimit(depth)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def too_large(written: str) -> str:
    """What a number too large for a float is told, naming it by its start.

    >>> too_large("1e999")
    "the number '1e999' is too large: a formula's numbers are floats, at most about 1.8e308 \
(309 digits); write a smaller one"
    """
    digits = re.fullmatch(r"\s*[-+]?\d{25,}\s*", written)
    shown = quoted(written.strip(), 24)
    if digits:
        shown = f"{written.strip()[:20] + '…'!r} ({len(written.strip()):,} digits)"
    return (f"the number {shown} is too large: a formula's numbers are floats, at most "
            "about 1.8e308 (309 digits); write a smaller one")


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


def _divide(a: Any, b: Any) -> Any:
    # On two numbers, name the op as the engine does rather than "float division by zero".
    if isinstance(b, float) and b == 0 and isinstance(a, float):
        raise DomainError(f"div: division by zero (a={a!r}, b={b!r})")
    return a / b


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: _divide,
    ast.Pow: _power,
}
# Unary plus returns its operand: a Value has no __pos__, and +x is x.
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: lambda a: a}


class FormulaError(ValueError):
    """A formula that cannot be evaluated; ``column`` (0-based) points at the problem. The
    message says what to write instead where it can.

    >>> evaluate("x^2", {"x": 1.0})
    Traceback (most recent call last):
    ...
    autograd.formula.FormulaError: use ** for powers: x**2 (^ is not a power here)
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


_ARTICLE_SYMBOLS = str.maketrans({
    "·": "*", "⋅": "*", "∙": "*", "×": "*", "∗": "*", "−": "-", "–": "-", "÷": "/",
    "’": "'", "′": "'", **{chr(0x2080 + d): str(d) for d in range(10)}})


def from_articles(text: str) -> str:
    """The formula language's spelling of the symbols articles print: ``·``, ``×`` and
    ``∗`` are ``*``, ``−`` is ``-``, ``÷`` is ``/``, typographic primes are ``'``, and
    subscript digits are digits (w₁ is w1).

    >>> from_articles("w₁·x₁ − 2×b")
    'w1*x1 - 2*b'
    """
    return text.translate(_ARTICLE_SYMBOLS)


CONSTANTS: dict[str, float] = {"e": math.e, "pi": math.pi, "π": math.pi}
"""Names a formula may use without giving them: e and π. A variable of the same name wins."""


def parse(text: str, extra_functions: Collection[str] = ()) -> ast.expr:
    """Parse ``text`` and check every node against the whitelist; return the tree.
    ``extra_functions`` names calls a caller gives a meaning of its own (they cannot be
    evaluated here).

    >>> type(parse("a * b")).__name__
    'BinOp'
    >>> parse("2x")
    Traceback (most recent call last):
    ...
    autograd.formula.FormulaError: syntax error at column 2: write 2*x: put * between ...
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula longer than {MAX_LENGTH} characters: shorten it")
    if "\n" in text or "\r" in text:
        raise FormulaError("a formula is a single line: remove the line break",
                           min(i for i in (text.find("\n"), text.find("\r")) if i >= 0))
    stripped = text.strip()
    indent = len(text) - len(text.lstrip())
    if not stripped:
        raise FormulaError("the formula is empty: write one, such as w*x + b", 0)
    try:
        with warnings.catch_warnings(), nesting_room():  # Python's grammar warnings ("1if")
            warnings.simplefilter("ignore", SyntaxWarning)  # are not ours
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        limit = _python_limit(stripped, err)
        column, why = limit or _syntax_problem(stripped, err)
        kind = "" if limit else "syntax error "
        raise FormulaError(f"{kind}at column {indent + column + 1}: {why}",
                           indent + column) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("formula too deeply nested to read (a long chain of powers or "
                           "signs, such as x**x**…): split it in steps") from None
    try:
        for node in ast.walk(tree.body):
            _check(node, extra_functions, stripped)
    except FormulaError as err:
        if err.column is not None and indent:  # columns count the text as given
            err.column += indent
        raise
    return tree.body


# ---- what a formula that does not parse should say ----------------------------------------
# Python's own messages speak of its grammar ("invalid syntax. Perhaps you forgot a comma?",
# "BitXor", "IfExp"); a formula's reader wants to know what to write instead.

_ALLOWED = "numbers, names, + - * / **, parentheses and calls such as exp(x)"
_TOKEN = re.compile(r"""
    (?P<number>(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*|//|==|!=|<=|>=|[-+*/^%@&|~<>=!(),;:.\[\]{}'"`#?$\\])
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE)
_OPERAND_END = ("number", "name", ")")
_OPERAND_START = ("number", "name", "(")
_BINARY_SIGNS = {"*", "/", "**", "^", "//", "%", "@"}
_SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
_CHARACTERS = {
    "×": "write * for multiplication", "⋅": "write * for multiplication",
    "∙": "write * for multiplication", "∗": "write * for multiplication",
    "−": "write - for minus", "–": "write - for minus", "—": "write - for minus",
    "÷": "write / for division", "√": "write sqrt(x) for a square root",
    "∂": "write the derivative out as a formula (∂ is not part of one)",
    "·": "write * for multiplication",
}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    # (kind, text, column); kind is number, name, other, or the operator itself.
    found = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "space":
            continue
        found.append((m.group() if kind == "op" else kind, m.group(), m.start()))
    return found


def _python_limit(text: str, err: SyntaxError) -> tuple[int, str] | None:
    # Limits of Python's reader, said as limits of a formula: a whole number of more digits
    # than Python converts (its "sys.set_int_max_str_digits" advice), 200 nested parentheses.
    message = err.msg or ""
    if "digits" in message and "limit" in message.lower():
        longest = max(re.finditer(r"\d+", text), key=lambda m: len(m.group()), default=None)
        if longest is not None:
            return longest.start(), too_large(longest.group())
    if "nested parentheses" in message:
        column = max(0, min((err.offset or 1) - 1, len(text) - 1))
        return column, ("more than 200 parentheses inside one another: split the formula in "
                        "steps")
    return None


def _syntax_problem(text: str, err: SyntaxError) -> tuple[int, str]:
    # The first problem a reader can fix, and where, from the text itself.
    invalid = re.match(r"invalid (non-printable )?character", err.msg or "")
    if invalid and err.offset and 0 < err.offset <= len(text):  # Python found the character
        at = err.offset - 1
        return at, _character_problem(text, text[at], at)
    tokens = _tokens(text)
    for kind, token, at in tokens:  # characters that are not part of a formula
        if kind == "other" or token in ("'", '"', "`", "#", "?", "$", "\\", "!", ";", "="):
            return at, _character_problem(text, token, at)
    for kind, token, at in tokens:  # Python's words, numbers Python refuses
        if kind == "name" and keyword.iskeyword(token):
            return at, (f"{shortened(token)!r} is a reserved word, not part of a formula; "
                        f"write {_ALLOWED}")
        if kind == "number" and re.fullmatch(r"0+[1-9_][\d_]*", token):
            return at, f"write {shortened(token.lstrip('0_'))}: a number does not start with 0"
    depth, opened = 0, []
    for kind, _, at in tokens:  # brackets
        if kind == "(":
            opened.append(at)
        elif kind == ")":
            if not opened:
                return at, "this ')' has no matching '(': remove it or add a '(' before it"
            opened.pop()
        depth = len(opened)
    if depth:
        return opened[-1], "this '(' is never closed: add a ')'"
    for (k1, t1, a1), (k2, t2, a2) in zip(tokens, tokens[1:]):  # neighbours
        if k1 == "number" and k2 == "number" and t2.startswith("."):
            return a1, (f"{shortened(t1 + t2)} is not a number: a number has at most one "
                        "decimal point")
        if k1 in _OPERAND_END and k2 in _OPERAND_START and not (k1 == "name" and k2 == "("):
            left, right = shortened(t1), shortened(t2)
            if k2 == "(":
                right = "(…)"
            what = ("put * between a number and what it multiplies" if k1 == "number"
                    else "put * between the two factors")
            return a2, f"write {left}*{right}: {what}"
        if k1 in _BINARY_SIGNS | {"+", "-"} and k2 in _BINARY_SIGNS:
            return a2, (f"two operators in a row ({t1} {t2}): remove one"
                        + ("; for a power write **" if {t1, t2} == {"*"} else ""))
        if k1 in _BINARY_SIGNS | {"+", "-", "("} and k2 == ")":
            return a2, f"something is missing between {t1!r} and ')'"
        if k1 == "(" and k2 in _BINARY_SIGNS:
            return a2, f"something is missing before {t2!r}"
        if k1 == "." or k2 == ".":
            at = a1 if k1 == "." else a2
            return at, "a stray '.': write decimals as 0.5, and no attributes"
    if tokens and tokens[-1][0] in _BINARY_SIGNS | {"+", "-", ","}:
        kind, token, at = tokens[-1]
        return at, f"the formula ends with {token!r}: something is missing after it"
    if tokens and tokens[0][0] in _BINARY_SIGNS | {","}:
        kind, token, at = tokens[0]
        return at, f"the formula starts with {token!r}: something is missing before it"
    column = max(0, min((err.offset or 1) - 1, len(text) - 1))
    return column, f"this cannot be read as a formula; write {_ALLOWED}"


def _character_problem(text: str, char: str, at: int) -> str:
    before = shortened(_before(text, at))
    if char in _SUPERSCRIPT_DIGITS:
        power = char.translate(str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789"))
        return f"use ** for powers: {before or 'x'}**{power}"
    if char in _SUBSCRIPT_DIGITS:
        digit = char.translate(str.maketrans(_SUBSCRIPT_DIGITS, "0123456789"))
        return f"write {before}{digit} for {before}{char}: subscripts are written as plain digits"
    if char in ("'", "′"):
        name = before.lower()
        instead = {"relu": "step(z)", "σ": "sigmoid(z)*(1 - sigmoid(z))",
                   "sigmoid": "sigmoid(z)*(1 - sigmoid(z))", "tanh": "1 - tanh(z)**2"}
        if name in instead:
            return f"a prime (') is not part of a formula: for {before}'(z) write {instead[name]}"
        return ("a quote or prime (') is not part of a formula: write the derivative out, such "
                "as step(z) for ReLU'(z)")
    if char == '"' or char == "`":
        return f"quotes are not part of a formula: write {_ALLOWED}"
    if char == "=":
        return ("'=' does not belong in a formula: write the expression alone, without "
                "'name ='")
    if char == ";":
        return "';' does not belong in a formula: write one expression"
    if char.isspace():
        return f"an unusual space (U+{ord(char):04X}): replace it with a plain space"
    if char == "!":
        return "'!' is not part of a formula (there is no factorial, nor 'not')"
    if char in _CHARACTERS:
        return _CHARACTERS[char]
    return (f"the character {char!r} (U+{ord(char):04X}) is not part of a formula; write "
            f"{_ALLOWED}")


def _before(text: str, at: int) -> str:
    # The name or number written right before column ``at``, e.g. "x" in "x²".
    m = re.search(r"(?:[^\W\d]\w*|\d+(?:\.\d*)?)$", text[:at])
    return m.group() if m else ""


_OPERATORS = {
    ast.BitXor: "use ** for powers: {fix} (^ is not a power here)",
    ast.FloorDiv: "use / for division: {fix} (// is not allowed)",
    ast.Mod: "'%' (remainder) is not allowed; the operators are + - * / **",
    ast.MatMult: "'@' is not allowed: use * to multiply",
    ast.BitAnd: "'&' is not allowed; the operators are + - * / **",
    ast.BitOr: "'|' is not allowed: for an absolute value write abs(x)",
    ast.LShift: "'<<' is not allowed; the operators are + - * / **",
    ast.RShift: "'>>' is not allowed; the operators are + - * / **",
    ast.Invert: "'~' is not allowed: use - for minus",
    ast.Not: "'not' is not allowed; the operators are + - * / **",
}
_NODES = {
    ast.IfExp: "'if … else' is not allowed: for a piecewise formula use step(x), e.g. "
               "step(x)*a + (1 - step(x))*b",
    ast.Compare: "comparisons are not allowed: for 1 where x > 0 (else 0) write step(x)",
    ast.BoolOp: "'and' / 'or' are not allowed: for 1 where x > 0 (else 0) write step(x)",
    ast.Lambda: "'lambda' is not allowed: write the formula itself",
    ast.Tuple: "a comma is not allowed here: a formula is one expression, and each function "
               "takes one argument",
    ast.List: "square brackets are not allowed: use parentheses ( )",
    ast.Set: "braces { } are not allowed: use parentheses ( )",
    ast.Dict: "braces { } are not allowed: use parentheses ( )",
    ast.NamedExpr: "':=' is not allowed: write the expression alone",
    ast.JoinedStr: f"quotes are not part of a formula: write {_ALLOWED}",
}


def _check(node: ast.AST, extra_functions: Collection[str] = (), source: str = "") -> None:
    column = getattr(node, "col_offset", None)

    def written(part: ast.AST) -> str:  # as typed, its start only when it is long
        text = (ast.get_source_segment(source, part) if source else None) or ast.unparse(part)
        return shortened(text)

    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        op = node.op
        if type(op) not in _BINARY and type(op) not in _UNARY:
            fix = written(node).replace("^", "**").replace("//", "/")
            template = _OPERATORS.get(type(op), "this operator is not allowed; the operators "
                                                "are + - * / **")
            raise FormulaError(template.format(fix=fix), column)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            raise FormulaError(f"{value} is not a number: write {int(value)}", column)
        if isinstance(value, complex):
            raise FormulaError(f"{written(node)} is a complex number: formulas use real numbers "
                               f"(write {value.imag:g}*j if j is a variable)", column)
        if isinstance(value, str) or isinstance(value, bytes):
            raise FormulaError(f"text in quotes ({written(node)}) is not part of a formula: "
                               f"write {_ALLOWED}", column)
        if not isinstance(value, (int, float)):
            raise FormulaError(f"only numbers are allowed, not {written(node)}", column)
        if not abs(value) <= LARGEST:  # 1e999 is read as inf, and a long whole number as int
            typed = ast.get_source_segment(source, node) if source else None
            raise FormulaError(too_large(typed or repr(value)), column)
    elif isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Name) or (func.id not in FUNCTIONS
                                              and func.id not in extra_functions):
            if isinstance(func, ast.Name):
                known = ", ".join(sorted(FUNCTIONS))
                hint = ""
                if len(node.args) == 1 and not isinstance(node.args[0], ast.Constant) or (
                        constant_of(node.args[0]) is not None if node.args else False):
                    hint = (f"; if {shortened(func.id)} is a variable, write {shortened(func.id)}*"
                            f"({written(node.args[0])}) to multiply")
                raise FormulaError(f"unknown function {shortened(func.id)!r} (known: {known})"
                                   f"{hint}", column)
            if isinstance(func, ast.Attribute):
                raise FormulaError(f"unknown function {written(func)!r}: call a function by "
                                   "name, such as exp(x)", column)
            args = ", ".join(written(a) for a in node.args)
            raise FormulaError(f"write {written(func)}*({args}) to multiply", column)
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise FormulaError(f"{func.id}() takes exactly one argument, such as "
                               f"{func.id}(x)", column)
    elif isinstance(node, ast.Name):
        if "·" in node.id:  # Python reads x·y as one name
            fixed = shortened(node.id.replace("·", "*"))
            raise FormulaError(f"write {fixed}: · between names is read as part of a name "
                               "here", column)
    elif isinstance(node, ast.Attribute):
        raise FormulaError(f"attributes such as .{shortened(node.attr)} are not allowed in a "
                           f"formula: write {_ALLOWED}", column)
    elif isinstance(node, ast.Subscript):
        index = written(node.slice)
        hint = (f": for a subscript write {written(node.value)}{index}" if index.isdigit()
                else f"; write {_ALLOWED}")
        raise FormulaError(f"indexing such as {written(node)} is not allowed{hint}", column)
    elif isinstance(node, ast.Tuple) and not node.elts:
        raise FormulaError("empty parentheses ( ): put an expression inside", column)
    elif type(node) in _NODES:
        raise FormulaError(_NODES[type(node)], column)
    elif not isinstance(node, (ast.Load,) + tuple(_BINARY) + tuple(_UNARY)):
        raise FormulaError(f"{_readable(node)} is not allowed in a formula: write {_ALLOWED}",
                           column)


def _readable(node: ast.AST) -> str:
    # Python's node names (ListComp, Starred) as a reader would say them.
    kinds = {ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
             ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
             ast.Starred: "'*' before an argument", ast.Slice: "a slice ':'",
             ast.Await: "'await'", ast.Yield: "'yield'", ast.YieldFrom: "'yield'"}
    return kinds.get(type(node), "this construct")


def names(text: str) -> list[str]:
    """The variable names a formula uses, in order of first appearance (functions excluded).

    >>> names("b * a**(b - 1)")
    ['b', 'a']
    """
    return names_in(parse(text))


def names_in(tree: ast.expr) -> list[str]:
    """`names` of a tree that `parse` returned (so that a caller parses once).

    >>> names_in(parse("exp(w) * x"))
    ['x', 'w']
    """
    calls = set()
    found = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            calls.add(id(n.func))
        elif isinstance(n, ast.Name) and id(n) not in calls:
            found.append(n.id)
    return list(dict.fromkeys(found))


def evaluate(text: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate a whitelisted formula with the given variables (floats or Values).

    ``e`` and ``pi`` (or ``π``) are the constants of `CONSTANTS` unless ``variables`` gives
    them. Other unknown names raise `FormulaError`; domain errors of the engine (log of 0,
    ...) pass through unchanged.

    >>> evaluate("step(a) + 0.01 * (1 - step(a))", {"a": -3.0})
    0.01
    >>> evaluate("log(e**2)", {}), evaluate("e", {"e": 5.0})
    (2.0, 5.0)
    """
    return evaluate_tree(parse(text), variables)


def evaluate_tree(tree: ast.expr, variables: Mapping[str, Any]) -> Any:
    """`evaluate` a tree that `parse` returned.

    >>> evaluate_tree(parse("2*x"), {"x": 1.5})
    3.0
    """
    try:
        with nesting_room():
            return _walk(tree, variables)
    except RecursionError:
        raise FormulaError("formula too deeply nested to evaluate: split it in steps") from None


def _walk(node: ast.expr, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id in variables:
            return variables[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        known = shortened(", ".join(sorted(variables)), 120) or "none"
        raise FormulaError(f"unknown name {shortened(node.id)!r} (known: {known}); give it a "
                           "value or write a number", node.col_offset)
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_walk(node.left, variables), _walk(node.right, variables))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_walk(node.operand, variables))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return FUNCTIONS[node.func.id](_walk(node.args[0], variables))
    raise FormulaError(f"{_readable(node)} is not allowed in a formula: write {_ALLOWED}")


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
