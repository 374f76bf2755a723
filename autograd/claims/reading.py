"""Reading a learner's claim: article notation to the formula language, names to Values.

``(ŷ − y)·w5·ReLU'(z1)·x1`` becomes a tree of `autograd.formula` (never ``eval``):
``·``, ``×`` and ``−`` are operators, ``σ`` is sigmoid, ``f'(…)`` is the op table's
derivative of f, ``x²`` a power, ``w₁`` is w1; labels that are not Python names
(``W1[1,2]``) stand in as names while parsing. Each name must be a label of the graph, or a
constant the caller gives.

A claim may be written as on paper: a product without ``*`` where it cannot be read
otherwise (``2x``, ``2(ŷ − y)``, ``σ(z)(1 − σ(z))x``, ``(ŷ − y)w5``, ``u2(1 − h²)``: a label
is never a function, so a label before ``(`` multiplies), a power of a function
(``tanh²(z)`` is tanh(z)², also ``tanh^2(z)``), and ``sech``, ``cosh``, ``sinh``, which are
written in exp. The text is rewritten token by token, and every character of the rewrite
remembers the column of the claim it comes from, so that an error points at the claim as
typed. `Claim.read_as` says how the claim was read, in the articles' notation.

>>> from autograd import Value
>>> from autograd.graph import topological_order
>>> z = Value(0.5, label="z1")
>>> h = z.relu(); h.label = "h1"
>>> claim = read_claim("2·ReLU'(z₁)", topological_order(h), {})
>>> import ast; ast.unparse(claim.tree), claim.values["z1"] is z
('2 * step(z1)', True)
>>> read_claim("2h1(1 - h1)", topological_order(h), {}).read_as
'2·h1·(1 − h1)'
"""

from __future__ import annotations

import ast
import difflib
import keyword
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from autograd.formula import (
    CONSTANTS,
    FUNCTIONS,
    FormulaError,
    evaluate_tree,
    from_articles,
    nesting_room,
    parse,
    quoted,
    shortened,
)
from autograd.notation import number, write
from autograd.ops import OPS
from autograd.value import Value

_PRIME = "__prime"
ALIASES = {"y_hat": "ŷ", "yhat": "ŷ", "ŷ": "y_hat"}
"""Names a claim may use for a label the graph writes the other way."""

CLAIM_FUNCTIONS: dict[str, tuple[str, str]] = {
    # name: (its value in exp, its derivative), in the op table's letter a; a claim may call
    # them, and they become these trees, so floats and sympy need nothing new.
    "sech": ("2 / (exp(a) + exp(-a))", "-sech(a) * tanh(a)"),
    "cosh": ("(exp(a) + exp(-a)) / 2", "sinh(a)"),
    "sinh": ("(exp(a) - exp(-a)) / 2", "cosh(a)"),
}
"""Functions a claim may call beyond the formula language's, each written in exp."""

_CALLED = {"σ": "sigmoid", "ReLU": "relu", "Relu": "relu"}  # the articles' names of functions
_SHOWN = {"sigmoid": "σ", "relu": "ReLU"}  # and how `Claim.read_as` writes them
_SUPERSCRIPTS = "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT = re.compile(f"⁻?[{_SUPERSCRIPTS[1:]}]+")
_TOKEN = re.compile(r"""
    (?P<number>(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[^\W\d][\w\u0300-\u036f]*)
  | (?P<op>\*\*|[^\s\w])
  | (?P<space>\s+)
""", re.VERBOSE)
_OPERAND_END = ("number", "variable", ")")  # what a product without * may follow
_AMBIGUOUS = {"/": "a/(b*c) or a/b*c", "^": "a**(b*c) or a**b*c", "**": "a**(b*c) or a**b*c"}


class ClaimError(ValueError):
    """A claim that cannot be checked: a name that is not a label of the graph, a label on
    two Values, a malformed number. ``missing`` is the unknown name when that is the
    trouble (else None), so that a caller can say how to give it a value.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> check_formula(x * x, x, "2*t")
    Traceback (most recent call last):
    ...
    autograd.claims.ClaimError: 't' is not a label of the graph; its labels are: x; if t is ...
    >>> ClaimError("'t' is not a label", missing="t").missing
    't'
    """

    def __init__(self, message: str, missing: str | None = None) -> None:
        super().__init__(message)
        self.missing = missing


ClaimError.__module__ = "autograd.claims"  # raised and caught as autograd.claims.ClaimError


# ---- the claim as typed, rewritten in the formula language, columns kept -------------------


@dataclass
class _Typed:
    """Text being written, with the column of the claim each of its characters comes from."""

    pieces: list[str] = field(default_factory=list)
    columns: list[int] = field(default_factory=list)

    def add(self, piece: str, column: int | Sequence[int]) -> None:
        self.pieces.append(piece)
        self.columns.extend([column] * len(piece) if isinstance(column, int) else column)

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def _normalized(claim: str, placeholders: Mapping[str, str]) -> _Typed:
    # Character by character: odd labels to their stand-ins, · × − w₁ ′ (from_articles),
    # x² to x**2, ½ to (1/2).
    starting: dict[str, list[str]] = {}  # odd labels by their first character, longest first
    for odd in placeholders:
        starting.setdefault(odd[0], []).append(odd)
    out = _Typed()
    i = 0
    while i < len(claim):
        label = next((odd for odd in starting.get(claim[i], ()) if claim.startswith(odd, i)),
                     None)
        superscript = _SUPERSCRIPT.match(claim, i)
        if label is not None:  # a name of its own, even beside another name: spaces around
            end = i + len(label)
            before = " " if _wordy(out.pieces[-1][-1:] if out.pieces else "") else ""
            after = " " if _wordy(claim[end: end + 1]) else ""
            out.add(before + placeholders[label] + after, i)
            i = end
        elif superscript:
            power = superscript.group().translate(str.maketrans(_SUPERSCRIPTS, "-0123456789"))
            out.add("**" + (f"({power})" if power.startswith("-") else power), i)
            i = superscript.end()
        else:
            out.add("(1/2)" if claim[i] == "½" else from_articles(claim[i]), i)
            i += 1
    return out


def _wordy(character: str) -> bool:
    return character.isalnum() or character == "_"


@dataclass(frozen=True)
class _Token:
    kind: str  # number, name, space, or the operator itself
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    found = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "op"
        found.append(_Token(m.group() if kind == "op" else kind, m.group(), m.start(), m.end()))
    return found


class _Rewriter:
    """The normalized claim, token by token, to the formula language: a ``*`` where a
    product is written without one, ``f²(x)`` as ``(f(x))**2``, ``σ`` as sigmoid,
    ``f'(x)`` as a call the reader expands."""

    def __init__(self, claim: str, typed: _Typed, variables: set[str],
                 functions: set[str]) -> None:
        self.claim, self.typed = claim, typed
        self.variables, self.functions = variables, functions
        self.tokens = _tokens(typed.text)
        self.out = _Typed()
        self.previous = ""  # the kind of the last token written: number, variable, ), ...
        self.depth = 0
        self.lead = {0: ""}  # per depth: the operator before the product being written
        self.closing: dict[int, tuple[str, list[int]]] = {}  # f²(x): the power after ')'

    def columns(self, token: _Token) -> list[int]:
        return self.typed.columns[token.start: token.end]

    def column(self, token: _Token) -> int:
        return self.typed.columns[token.start]

    def after(self, k: int) -> int:
        # the index of the next token that is not a space (len(tokens) at the end)
        k += 1
        while k < len(self.tokens) and self.tokens[k].kind == "space":
            k += 1
        return k

    def kind(self, k: int) -> str:
        return self.tokens[k].kind if k < len(self.tokens) else ""

    def run(self) -> _Typed:
        k = 0
        while k < len(self.tokens):
            token = self.tokens[k]
            if token.kind in ('"', "`", "'"):  # text in quotes, or a stray prime: as typed
                for rest in self.tokens[k:]:
                    self.out.add(rest.text, self.columns(rest))
                break
            if token.kind == "space":
                self.out.add(token.text, self.columns(token))
            elif token.kind == "name":
                k = self.name(k)
            elif token.kind in ("number", "("):
                self.juxtaposed(token)
                self.out.add(token.text, self.columns(token))
                if token.kind == "(":
                    self.opened(token)
                self.previous = token.kind
            elif token.kind == ")":
                self.closed(token)
            else:
                self.out.add(token.text, self.columns(token))
                self.previous = token.kind
                written = self.claim[self.column(token)]  # x²y: a superscript ends there
                self.lead[self.depth] = "²" if written in _SUPERSCRIPTS else token.kind
            k += 1
        return self.out

    def juxtaposed(self, token: _Token) -> None:
        # A product written without *: after a number, a variable or ')', before a name or
        # '(' (a number after a name or ')' is not one: x 2 is more likely a slip).
        if self.previous not in _OPERAND_END or token.kind == "number":
            return
        lead = self.lead.get(self.depth, "")
        if lead in _AMBIGUOUS:
            column = self.column(token)
            raise FormulaError(f"at column {column + 1}: a product written without * right "
                               f"after {lead!r} is ambiguous: write {_AMBIGUOUS[lead]}", column)
        self.out.add("*", self.column(token))

    def opened(self, token: _Token) -> None:
        self.depth += 1
        self.lead[self.depth] = "("

    def closed(self, token: _Token) -> None:
        self.out.add(token.text, self.columns(token))
        if self.depth in self.closing:
            power, columns = self.closing.pop(self.depth)
            self.out.add(")" + power, [self.column(token), *columns])
        self.depth -= 1
        self.previous = ")"

    def name(self, k: int) -> int:
        token = self.tokens[k]
        if keyword.iskeyword(token.text):  # Python's words: left for the reader to refuse
            self.out.add(token.text, self.columns(token))
            self.previous = "keyword"
            return k
        called = _CALLED.get(token.text, token.text)
        normal = unicodedata.normalize("NFKC", called)
        head = self.function_head(k)
        if head is None or (normal in self.variables and normal not in self.functions):
            self.juxtaposed(token)  # a variable: a label, a constant
            self.out.add(token.text, self.columns(token))
            self.previous = "variable"
            return k
        end, primed, power = head
        self.juxtaposed(token)
        if power is not None:  # f²(x) is (f(x))**2: the power is written after the call
            self.out.add("(", self.column(token))
            self.closing[self.depth + 1] = power
        self.out.add(called + (_PRIME if primed else ""), self.column(token))
        self.previous = "function"
        return end - 1  # the call's '(' comes next

    def function_head(self, k: int) -> tuple[int, bool, tuple[str, list[int]] | None] | None:
        # name ['] [** n | ^ n] '(' : (index of the '(', primed, the power to write after)
        j = self.after(k)
        primed = self.kind(j) == "'" and self.kind(self.after(j)) == "("
        if primed:
            j = self.after(j)
        power = None
        name = unicodedata.normalize("NFKC", _CALLED.get(self.tokens[k].text,
                                                         self.tokens[k].text))
        if self.kind(j) in ("**", "^") and name in self.functions:
            n = self.after(j)
            if (self.kind(n) == "number" and self.tokens[n].text.isdigit()
                    and self.kind(self.after(n)) == "("):
                sign, digits = self.tokens[j], self.tokens[n]
                power = ("**" + digits.text, [self.column(sign)] * 2 + self.columns(digits))
                j = self.after(n)
        if self.kind(j) != "(":
            return None
        return j, primed, power


# ---- the tree: derivatives and claim-only functions expanded ------------------------------


def _unplaced(tree: ast.expr) -> ast.expr:
    # A tree of the reader's own text (a derivative rule, sech in exp): no place in the claim,
    # and exact numbers (0.5 as 1/2), so that a number claim's printed digits are its own.
    class Exact(ast.NodeTransformer):
        def visit_Constant(self, node: ast.Constant) -> ast.AST:
            if isinstance(node.value, float) and not node.value.is_integer():
                ratio = Fraction(repr(node.value))
                return ast.BinOp(ast.Constant(ratio.numerator), ast.Div(),
                                 ast.Constant(ratio.denominator))
            return ast.Constant(int(node.value)) if isinstance(node.value, float) else node

    tree = Exact().visit(tree)
    for node in ast.walk(tree):  # no end: no text of the claim (get_source_segment: None)
        if isinstance(node, ast.expr):
            node.lineno, node.col_offset, node.end_lineno, node.end_col_offset = 1, 0, None, None
    return tree


def _rule(text: str, argument: ast.expr, name: str) -> ast.expr:
    given = {"a": argument, "out": ast.Call(ast.Name(name, ast.Load()), [argument], [])}
    return Substitute(given).visit(_unplaced(parse(text, extra_functions=CLAIM_FUNCTIONS)))


def _expanded(tree: ast.expr) -> ast.expr:
    # f'(X) -> the op table's derivative of f, with a = X and out = f(X); then sech, cosh
    # and sinh -> their trees in exp. The tree is rewritten in place.
    class Expand(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            assert isinstance(node.func, ast.Name)
            name = node.func.id
            (argument,) = node.args
            if name.endswith(_PRIME):
                name = name[: -len(_PRIME)]
                if name in ("step", "sign"):
                    return ast.Constant(0)
                if name in CLAIM_FUNCTIONS:
                    return self.visit(_rule(CLAIM_FUNCTIONS[name][1], argument, name))
                return self.visit(_rule(OPS[name].formula(0, 1), argument, name))
            if name in CLAIM_FUNCTIONS:
                return _rule(CLAIM_FUNCTIONS[name][0], argument, name)
            return node

    return Expand().visit(tree)


class Substitute(ast.NodeTransformer):
    """Names of a tree replaced by trees (each used as it is: copy it to use it twice).

    >>> ast.unparse(Substitute({"a": parse("x + 1")}).visit(parse("2*a")))
    '2 * (x + 1)'
    """

    def __init__(self, given: Mapping[str, ast.expr]) -> None:
        self.given = given

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.given.get(node.id, node)


# ---- the claim ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A claim read: its tree, the Values its names stand for, and how it was read.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> claim = read_claim("2x", [x], {})
    >>> claim.at({"x": 1.5}), claim.read_as
    (3.0, '2·x')
    """

    text: str
    tree: ast.expr
    source: str
    """the claim in the formula language, as parsed"""
    values: dict[str, Value]
    """the names it uses, each the Value of that label"""
    constants: dict[str, float]
    is_number: bool
    """a number as printed ("0.4431", "2.725·0.2323"): no names, and digits after a point"""
    read_as: str = ""
    """the claim as read, in the articles' notation: ``σ(z)·(1 − σ(z))·x``"""
    derivatives: tuple[tuple[str, Value], ...] = ()
    """the derivatives it writes of its Values, (function, Value), once each time written:
    σ'(z3), step(z1)"""

    def at(self, numbers: Mapping[str, float]) -> float:
        """The claim's number, its names given (the tree itself: no text to read again).

        >>> from autograd import Value
        >>> read_claim("x²", [Value(1.0, label="x")], {}).at({"x": 3.0})
        9.0
        """
        return float(evaluate_tree(self.tree, {**self.constants, **numbers}))


def labels_of(order: Sequence[Value]) -> dict[str, list[Value]]:
    """The Values of a graph by label (unlabelled Values left out).

    >>> from autograd import Value
    >>> a, b = Value(1.0, label="w"), Value(2.0, label="w")
    >>> {label: len(values) for label, values in labels_of([a, b, a * b]).items()}
    {'w': 2}
    """
    labels: dict[str, list[Value]] = {}
    for v in order:
        if v.label:
            labels.setdefault(v.label, []).append(v)
    return labels


def read_claim(claim: str, order: Sequence[Value], constants: Mapping[str, float]) -> Claim:
    """Read ``claim`` against the labels of the Values in ``order`` and the names of
    ``constants``; raise `FormulaError` (with the column of the slip, as typed) or
    `ClaimError` (a name that is not a label: ``missing``).

    >>> from autograd import Value
    >>> z = Value(0.5, label="z")
    >>> read_claim("σ(z)(1 − σ(z))", [z], {}).read_as
    'σ(z)·(1 − σ(z))'
    >>> read_claim("σ(z) +", [z], {})
    Traceback (most recent call last):
    ...
    autograd.formula.FormulaError: syntax error at column 6: the formula ends with '+': ...
    """
    if not isinstance(claim, str):
        raise ClaimError(f"a claim is text, such as \"(ŷ - y)*w5*step(z1)*x1\", not "
                         f"{type(claim).__name__}")
    labels = labels_of(order)
    # A label that is not a Python name (W1[1,2], layer1.z) stands in as one while parsing.
    odd = sorted((label for label in labels if not label.isidentifier()), key=len, reverse=True)
    placeholders = {label: f"_label{k}_" for k, label in enumerate(odd)}
    by_name = {unicodedata.normalize("NFKC", label): label for label in labels}
    by_name.update({stand_in: label for label, stand_in in placeholders.items()})
    for alias, label in ALIASES.items():
        if label in labels and alias not in by_name:
            by_name[alias] = label
    typed = _source(claim, placeholders, {*by_name, *constants, *CONSTANTS})
    source = typed.text
    primes = {name + _PRIME for name in [*FUNCTIONS, *CLAIM_FUNCTIONS]}
    try:
        written = parse(source, extra_functions=primes | set(CLAIM_FUNCTIONS))
    except FormulaError as err:  # say it in the claim's own words and columns
        raise _as_typed(err, claim, typed, placeholders) from None
    with nesting_room():  # a long claim nests deep: x + x + … + x
        _no_bare_functions(written, claim, typed)
        tree = _expanded(_again(source))
        values, used_constants = _named(tree, labels, by_name, constants)
        read_as = _read_as(_again(source), source, claim, typed, by_name)
    # A claim written with no names is a number, judged at the graph's point at its printed
    # digits; step'(x), which is 0, is still a formula in x.
    calls = {id(n.func) for n in ast.walk(written) if isinstance(n, ast.Call)}
    named = any(isinstance(n, ast.Name) and id(n) not in calls for n in ast.walk(written))
    return Claim(claim, tree, source, values, used_constants, not named, read_as,
                 _derivatives_written(written, values))


def _derivatives_written(written: ast.expr, values: Mapping[str, Value]
                         ) -> tuple[tuple[str, Value], ...]:
    # (function, Value) for each derivative written of a named Value, as often as it is
    # written: σ'(z3), ReLU'(z1), step(z1) (which is ReLU').
    found = []
    for node in ast.walk(written):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and len(node.args) == 1 and isinstance(node.args[0], ast.Name)
                and node.args[0].id in values):
            name = node.func.id
            function = ("relu" if name == "step" else
                        name.removesuffix(_PRIME) if name.endswith(_PRIME) else "")
            if function:
                found.append((function, values[node.args[0].id]))
    return tuple(found)


def _again(source: str) -> ast.expr:
    # A fresh tree of a text `parse` has checked (cheaper than a deep copy): for a rewrite.
    return ast.parse(source.strip(), mode="eval").body


def _source(claim: str, placeholders: Mapping[str, str], variables: set[str]) -> _Typed:
    # The claim in the formula language, each character with its column in the claim.
    breaks = [i for i in (claim.find("\n"), claim.find("\r")) if i >= 0]
    if breaks:
        raise FormulaError(f"at column {min(breaks) + 1}: a formula is a single line: remove "
                           "the line break", min(breaks))
    functions = {*FUNCTIONS, *CLAIM_FUNCTIONS}
    return _Rewriter(claim, _normalized(claim, placeholders), variables, functions).run()


_AT_COLUMN = re.compile(r"at column \d+")


def _as_typed(err: FormulaError, claim: str, typed: _Typed,
              placeholders: Mapping[str, str]) -> FormulaError:
    # The reader's message in the claim's words (no stand-ins), its column in the claim.
    message = str(err).replace(_PRIME, "'")
    for label, stand_in in placeholders.items():
        message = message.replace(stand_in, label)
    if err.column is None:
        return FormulaError(message)
    column = err.column
    if not _AT_COLUMN.search(message):  # from the whitelist: Python's column, in UTF-8 bytes
        source = typed.text
        indent = len(source) - len(source.lstrip())
        column = indent + len(source.strip().encode()[: column - indent].decode(errors="ignore"))
    at = typed.columns[column] if column < len(typed.columns) else len(claim)
    if _AT_COLUMN.search(message):
        message = _AT_COLUMN.sub(f"at column {at + 1}", message, count=1)
    else:
        message = f"at column {at + 1}: {message}"
    return FormulaError(message, at)


def _no_bare_functions(written: ast.expr, claim: str, typed: _Typed) -> None:
    # tanh written without its argument: a function is not a number.
    calls = {id(n.func) for n in ast.walk(written) if isinstance(n, ast.Call)}
    for node in ast.walk(written):
        if isinstance(node, ast.Name) and id(node) not in calls and (
                node.id in FUNCTIONS or node.id in CLAIM_FUNCTIONS):
            error = FormulaError(f"{node.id} is a function: write it with its argument, such "
                                 f"as {node.id}(z)", node.col_offset)
            raise _as_typed(error, claim, typed, {})


def _named(tree: ast.expr, labels: Mapping[str, list[Value]], by_name: Mapping[str, str],
           constants: Mapping[str, float]) -> tuple[dict[str, Value], dict[str, float]]:
    # Each name of the tree: a constant given, e or π, or the one Value of a label.
    values: dict[str, Value] = {}
    used_constants: dict[str, float] = {}
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name) or id(node) in calls:
            continue
        if node.id in constants:
            used_constants[node.id] = float(constants[node.id])
            continue
        if node.id in CONSTANTS and node.id not in by_name:  # e and π
            used_constants[node.id] = CONSTANTS[node.id]
            continue
        label = by_name.get(node.id)
        if label is None:
            raise ClaimError(unknown_name(node.id, labels, constants_hint=True),
                             missing=node.id)
        if len(labels[label]) > 1:
            raise ClaimError(f"the label {label!r} is on {len(labels[label])} Values of the "
                             "graph; give them different labels to use it in a claim")
        values[node.id] = labels[label][0]
    return values, used_constants


def _read_as(written: ast.expr, source: str, claim: str, typed: _Typed,
             by_name: Mapping[str, str]) -> str:
    # The tree as read (before f' is expanded), written as the articles write it: labels as
    # the graph writes them, numbers as typed, σ and ReLU, f' kept. Rewrites it in place.
    stripped = source.strip()
    indent = len(source) - len(source.lstrip())

    encoded = stripped.encode()
    character = [k for k, ch in enumerate(stripped) for _ in ch.encode()]  # of each byte

    def typed_at(node: ast.expr) -> str:  # the claim's character where a node starts
        if node.col_offset >= len(character):
            return ""
        column = indent + character[node.col_offset]
        return claim[typed.columns[column]] if column < len(typed.columns) else ""

    class Shown(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            assert isinstance(node.func, ast.Name)
            name = node.func.id
            base = name.removesuffix(_PRIME)
            node.func = ast.Name(_SHOWN.get(base, base) + ("'" if base != name else ""))
            return node

        def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
            if typed_at(node) == "½" and ast.unparse(node) == "1 / 2":
                return ast.Name("½")
            return self.generic_visit(node)

        def visit_Constant(self, node: ast.Constant) -> ast.AST:
            # the number's text as typed, by its byte offsets in the one line read
            end = getattr(node, "end_col_offset", None)
            text = (encoded[node.col_offset:end].decode(errors="replace")
                    if end is not None and getattr(node, "lineno", 0) == 1 else "")
            if text and isinstance(node.value, (int, float)) and text != number(node.value):
                return ast.Name(text)  # 0.44315 as typed, not rounded to 4 digits
            return node

    shown = Shown().visit(written)
    names = {n.id: by_name.get(n.id, n.id) for n in ast.walk(shown) if isinstance(n, ast.Name)}
    return write(shown, names)


# ---- what an unknown name is told -----------------------------------------------------------


def unknown_name(name: str, labels: Collection[str], constants_hint: bool = False,
                 interface: Literal["python", "cli"] = "python") -> str:
    """What a name that is not a label is told: the labels there are, and what was probably
    meant; with ``constants_hint``, how to give it a number, in the words of the
    ``interface`` the claim came through (Python's keyword, or the command line's option).

    >>> unknown_name("y", {"w": 1, "x": 1}, constants_hint=True)
    "'y' is not a label of the graph; its labels are: w, x; if y is a number the graph \
holds as a constant (a target y), give it: constants={'y': 0}"
    >>> unknown_name("y", {"w": 1}, constants_hint=True, interface="cli")[-11:]
    '--const y=0'
    >>> unknown_name("w5x1", {"w5": 1, "x1": 1})
    "'w5x1' is not a label of the graph; its labels are: w5, x1 (for a product, write w5*x1)"
    """
    shown = ", ".join(labels) or "none (label the Values: Value(0.5, label='w1'))"
    shown = shortened(shown, 120)
    message = f"{quoted(name)} is not a label of the graph; its labels are: {shown}"
    indexed = [label for label in labels if label.startswith(name + "[")]
    product = _split(name, labels)
    close = difflib.get_close_matches(name, list(labels), n=2) if len(name) <= 100 else []
    if indexed:
        message += f" (for a vector, name an entry: {', '.join(indexed[:4])})"
    elif product:
        message += f" (for a product, write {product})"
    elif close:
        message += f" (did you mean {' or '.join(close)}?)"
    elif constants_hint:
        short = shortened(name)
        give = f"--const {short}=0" if interface == "cli" else f"constants={{{short!r}: 0}}"
        message += (f"; if {short} is a number the graph holds as a constant (a target y), "
                    f"give it: {give}")
    return message


def _split(name: str, labels: Collection[str]) -> str:
    # w5x1 read as one name: the product of two or three labels, when it is one.
    known = {unicodedata.normalize("NFKC", label) for label in labels}
    if len(name) > 100:
        return ""
    for k in range(1, len(name)):
        first, rest = name[:k], name[k:]
        if first not in known:
            continue
        if rest in known:
            return f"{first}*{rest}"
        second = next((rest[:j] for j in range(1, len(rest))
                       if rest[:j] in known and rest[j:] in known), None)
        if second is not None:
            return f"{first}*{second}*{rest[len(second):]}"
    return ""
