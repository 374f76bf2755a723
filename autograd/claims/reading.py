"""Reading a learner's claim: article notation to the formula language, names to Values.

``(ŷ − y)·w5·ReLU'(z1)·x1`` becomes a tree of `autograd.formula` (never ``eval``):
``·``, ``×`` and ``−`` are operators, ``σ`` is sigmoid, ``f'(…)`` is the op table's
derivative of f, ``x²`` a power, ``w₁`` is w1; labels that are not Python names
(``W1[1,2]``) stand in as names while parsing. Each name must be a label of the graph, or a
constant the caller gives.

>>> from autograd import Value
>>> from autograd.graph import topological_order
>>> z = Value(0.5, label="z1")
>>> h = z.relu(); h.label = "h1"
>>> claim = read_claim("2·ReLU'(z₁)", topological_order(h), {})
>>> import ast; ast.unparse(claim.tree), claim.values["z1"] is z
('2 * step(z1)', True)
"""

from __future__ import annotations

import ast
import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autograd.formula import (
    CONSTANTS,
    FUNCTIONS,
    FormulaError,
    evaluate_tree,
    from_articles,
    parse,
    quoted,
    shortened,
)
from autograd.ops import OPS
from autograd.value import Value

_PRIME = "__prime"
ALIASES = {"y_hat": "ŷ", "yhat": "ŷ", "ŷ": "y_hat"}
"""Names a claim may use for a label the graph writes the other way."""


class ClaimError(ValueError):
    """A claim that cannot be checked: a name that is not a label of the graph, a label on
    two Values, a malformed number.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> check_formula(x * x, x, "2*t")
    Traceback (most recent call last):
    ...
    autograd.claims.ClaimError: 't' is not a label of the graph; its labels are: x; if t is ...
    """


ClaimError.__module__ = "autograd.claims"  # raised and caught as autograd.claims.ClaimError


_CLAIM_ONLY = {"²": "**2", "³": "**3", "½": "(1/2)"}  # what a claim reads beyond from_articles


def _written(text: str, placeholders: Mapping[str, str]) -> str:
    # Article notation to the formula language: · × − w₁ (from_articles), and for a claim
    # also σ, ReLU, f'(…), x², ½.
    for label, stand_in in placeholders.items():
        text = text.replace(label, stand_in)
    text = from_articles(text)
    for symbol, written in _CLAIM_ONLY.items():
        text = text.replace(symbol, written)
    text = re.sub(r"σ\s*(?=['(])", "sigmoid", text)
    text = re.sub(r"\bReLU\b|\bRelu\b", "relu", text)
    return re.sub(r"\b([A-Za-z_]\w*)\s*'\s*(?=\()", lambda m: m.group(1) + _PRIME, text)


def _with_derivatives(tree: ast.expr) -> ast.expr:
    # f'(X) -> the op table's derivative of f, with a = X and out = f(X).
    class Expand(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            assert isinstance(node.func, ast.Name)
            if not node.func.id.endswith(_PRIME):
                return node
            name = node.func.id[: -len(_PRIME)]
            (argument,) = node.args
            if name in ("step", "sign"):
                return ast.Constant(0.0)
            text = OPS[name].formula(0, 1)
            given = {"a": argument, "out": ast.Call(ast.Name(name, ast.Load()), [argument], [])}
            return Substitute(given).visit(parse(text))

    return ast.fix_missing_locations(Expand().visit(tree))


class Substitute(ast.NodeTransformer):
    def __init__(self, given: Mapping[str, ast.expr]) -> None:
        self.given = given

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.given.get(node.id, node)


@dataclass(frozen=True)
class Claim:
    text: str
    tree: ast.expr
    source: str
    """the claim in the formula language, as parsed"""
    values: dict[str, Value]
    """the names it uses, each the Value of that label"""
    constants: dict[str, float]
    is_number: bool
    """a number as printed ("0.4431", "2.725·0.2323"): no names, and digits after a point"""

    def at(self, numbers: Mapping[str, float]) -> float:
        # the tree itself, checked when parsed: no text to write and read again per point
        return float(evaluate_tree(self.tree, {**self.constants, **numbers}))


def labels_of(order: Sequence[Value]) -> dict[str, list[Value]]:
    labels: dict[str, list[Value]] = {}
    for v in order:
        if v.label:
            labels.setdefault(v.label, []).append(v)
    return labels


def read_claim(claim: str, order: Sequence[Value], constants: Mapping[str, float]) -> Claim:
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
    source = _written(claim, placeholders)
    primes = {name + _PRIME for name, f in FUNCTIONS.items()}
    try:
        written = parse(source, extra_functions=primes)
        tree = _with_derivatives(written)
    except FormulaError as err:  # say it in the claim's own words, not the stand-ins'
        message = str(err).replace(_PRIME, "'")
        for label, stand_in in placeholders.items():
            message = message.replace(stand_in, label)
        raise FormulaError(message, err.column) from None
    values: dict[str, Value] = {}
    used_constants: dict[str, float] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name) or node.id in FUNCTIONS:
            continue
        if node.id in constants:
            used_constants[node.id] = float(constants[node.id])
            continue
        if node.id in CONSTANTS and node.id not in by_name:  # e and π
            used_constants[node.id] = CONSTANTS[node.id]
            continue
        found = by_name.get(node.id)
        if found is None:
            raise ClaimError(unknown_name(node.id, labels, constants_hint=True))
        label = found
        if len(labels[label]) > 1:
            raise ClaimError(f"the label {label!r} is on {len(labels[label])} Values of the "
                             "graph; give them different labels to use it in a claim")
        values[node.id] = labels[label][0]
    # A claim written with no names is a number, judged at the graph's point at its printed
    # digits; step'(x), which is 0, is still a formula in x.
    calls = {id(n.func) for n in ast.walk(written) if isinstance(n, ast.Call)}
    named = any(isinstance(n, ast.Name) and id(n) not in calls for n in ast.walk(written))
    return Claim(claim, tree, source, values, used_constants, not named)


def unknown_name(name: str, labels: Mapping[str, object], constants_hint: bool = False) -> str:
    # A name that is not a label: the labels there are, and what was probably meant.
    shown = ", ".join(labels) or "none (label the Values: Value(0.5, label='w1'))"
    shown = shortened(shown, 120)
    message = f"{quoted(name)} is not a label of the graph; its labels are: {shown}"
    indexed = [label for label in labels if label.startswith(name + "[")]
    close = difflib.get_close_matches(name, list(labels), n=2) if len(name) <= 100 else []
    if indexed:
        message += f" (for a vector, name an entry: {', '.join(indexed[:4])})"
    elif close:
        message += f" (did you mean {' or '.join(close)}?)"
    elif constants_hint:
        message += (f"; if {shortened(name)} is a number the graph holds as a constant (a "
                    f"target y), give it: constants={{{shortened(name)!r}: 0}}")
    return message
