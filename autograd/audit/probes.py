"""The probes `audit` runs: small programs, each written once as text and run as written, on
the learner's Value class and on this engine's.

A probe's code is a few lines of a tiny subset of Python (`run_code`): assignments to a name
or to ``v.grad``, ``+ - * / **``, unary minus, int and float numbers, method calls without
arguments (``a.tanh()``, ``out.backward()``) and ``for _ in range(N):``. The leaves ``a``,
``b``, ``c``, ``k`` are made by the class from numbers drawn at random (`draw_points`);
``out`` is the result, whose ``data`` and whose leaves' ``grad`` are compared. The text is
the program: what the report shows is exactly what ran.

>>> probe = PROBES["out = a * b"]
>>> probe.code, probe.kind, probe.op
('out = a * b', 'op', 'mul')
"""

from __future__ import annotations

import ast
import operator
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

DOMAINS: dict[str, Callable[[random.Random], float]] = {
    # a leaf's numbers: away from 0 (ReLU's kink, a division), positive (log), or near 1
    # (the factor of a 5,000-op chain, so that its product stays a modest number)
    "any": lambda rng: rng.choice((-1, 1)) * rng.uniform(0.25, 1.9),
    "positive": lambda rng: rng.uniform(0.3, 2.4),
    "near 1": lambda rng: rng.uniform(0.99995, 1.00005),
}


@dataclass(frozen=True)
class Probe:
    """One probe: its ``code``, its ``leaves`` with the domain of each, its ``kind`` and the
    table ``op`` it tests (None for a probe of the whole backward pass).

    Kinds: ``op`` (one op, gradient 1 from above), ``upstream`` (the same op times a leaf
    ``c``, so that its gradient from above is not 1), ``number`` (a number on the right,
    ``a + 2``), ``reflected`` (on the left, ``2 * a``), ``reuse`` (``a + a``), ``diamond``,
    ``depths`` (a Value used at several depths, where the order of the backward steps
    matters), ``chain`` (5,000 ops), ``twice`` (``backward()`` twice) and ``zero`` (leaves'
    ``grad`` set to 0, then ``backward()`` again).
    """

    code: str
    leaves: tuple[tuple[str, str], ...]
    kind: str
    op: str | None = None
    method: str | None = None
    """The method the class must have for the probe to be offered (``tanh``, ``__pow__``)."""

    @property
    def name(self) -> str:
        """The code on one line: ``h = a * b; out = h + h``."""
        return "; ".join(line.strip() for line in self.code.splitlines()).replace(":;", ":")

    @property
    def needs(self) -> tuple[str, ...]:
        """The methods the code calls on a Value (``__mul__``, ``tanh``), ``backward`` aside:
        a class that lacks one is not offered the probe."""
        needed: list[str] = []
        for node in ast.walk(ast.parse(self.code)):
            if isinstance(node, ast.BinOp):
                needed.append(_DUNDER[type(node.op)])
            elif isinstance(node, ast.UnaryOp):
                needed.append("__neg__")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                needed.append(node.func.attr)
        return tuple(dict.fromkeys(n for n in needed if n != "backward"))

    @property
    def calls_backward(self) -> bool:
        """Whether the code calls ``backward()`` itself (else the runner calls it once)."""
        return ".backward()" in self.code


BINARY = {"add": ("+", "__add__"), "sub": ("-", "__sub__"), "mul": ("*", "__mul__"),
          "div": ("/", "__truediv__")}
REFLECTED = {"add": "__radd__", "sub": "__rsub__", "mul": "__rmul__", "div": "__rtruediv__"}
UNARY = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "sin", "cos")
_POSITIVE = {"log", "sqrt"}
FOUNDATION = ("add", "mul")
"""The ops every other probe uses: theirs are judged first."""

METHOD_OF = {**{op: method for op, (_, method) in BINARY.items()}, "neg": "__neg__",
             "powc": "__pow__", "pow": "__pow__", **{op: op for op in UNARY}}
"""The Python method that computes each table op, as the report names it."""


def _probes() -> list[Probe]:
    # + * and ** first: micrograd builds - / and negation from them
    ab = (("a", "any"), ("b", "any"))
    ops: list[tuple[str, str, tuple[tuple[str, str], ...], str]] = [
        ("a + b", "add", ab, "__add__"), ("a * b", "mul", ab, "__mul__"),
        ("a ** 3", "powc", (("a", "any"),), "__pow__"),
        ("a ** b", "pow", (("a", "positive"), ("b", "any")), "__pow__"),
        ("a - b", "sub", ab, "__sub__"), ("a / b", "div", ab, "__truediv__"),
        ("-a", "neg", (("a", "any"),), "__neg__")]
    ops += [(f"a.{name}()", name, (("a", "positive" if name in _POSITIVE else "any"),), name)
            for name in UNARY]
    probes = [Probe(f"out = {expr}", leaves, "op", op, method) for expr, op, leaves, method in ops]
    probes += [Probe(f"out = {f'({expr})' if ' ' in expr else expr} * c", (*leaves, ("c", "any")),
                     "upstream", op, method) for expr, op, leaves, method in ops]
    for op, (symbol, method) in BINARY.items():
        probes.append(Probe(f"out = a {symbol} 2", (("a", "any"),), "number", op, method))
        probes.append(Probe(f"out = 2 {symbol} a", (("a", "any"),), "reflected", op, method))
        probes.append(Probe(f"out = a {symbol} a", (("a", "any"),), "reuse", op, method))
    # a leaf used by a one-input op and by +: the op's step must add to its gradient too
    probes += [Probe(f"out = {expr} + a", leaves[:1], "reuse", op, method)
               for expr, op, leaves, method in ops if op not in BINARY and op != "pow"]
    abc = (*ab, ("c", "any"))
    probes += [
        Probe("out = (a * b) * (a + c)", abc, "diamond"),
        Probe("h = a * b\ng = h * c\nout = g * h + h", abc, "depths"),
        Probe("x = a\nfor _ in range(5000):\n    x = x * k\nout = x",
              (("a", "any"), ("k", "near 1")), "chain"),
        Probe("out = (a * b) * c\nout.backward()\nout.backward()", abc, "twice"),
        Probe("out = (a * b) * c\nout.backward()\na.grad = 0\nb.grad = 0\nc.grad = 0\n"
              "out.backward()", abc, "zero"),
    ]
    # the probes of + and * alone come first, then those of a number power: micrograd
    # builds - / and negation on them
    def rank(probe: Probe) -> int:
        alone = probe.kind in ("op", "upstream", "reuse")
        return 0 if alone and probe.op in FOUNDATION else 1 if alone and probe.op == "powc" else 2

    return sorted(probes, key=rank)


PROBES: dict[str, Probe] = {probe.name: probe for probe in _probes()}
"""Every probe, by its one-line name, in the order they run."""


def draw_points(probe: Probe, count: int, rng: random.Random) -> list[dict[str, float]]:
    """``count`` points for ``probe``: a number for each leaf, from its domain.

    >>> [sorted(p) for p in draw_points(PROBES["out = a * b"], 2, random.Random(0))]
    [['a', 'b'], ['a', 'b']]
    """
    return [{name: round(DOMAINS[domain](rng), 6) for name, domain in probe.leaves}
            for _ in range(count)]


# ---- running a probe's code ------------------------------------------------------------------

_DUNDER = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__",
           ast.Div: "__truediv__", ast.Pow: "__pow__"}
_BINARY_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow}


def run_code(code: str, names: dict[str, Any]) -> None:
    """Run a probe's ``code`` with the Values in ``names``, which it adds to.

    >>> names = {"a": 2.0, "b": 3.0}
    >>> run_code("h = a * b\\nout = h + -a", names); names["out"]
    4.0
    """
    for statement in ast.parse(code).body:
        _run(statement, names)


def _run(node: ast.stmt, names: dict[str, Any]) -> None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target, value = node.targets[0], _value(node.value, names)
        if isinstance(target, ast.Name):
            names[target.id] = value
            return
        if isinstance(target, ast.Attribute):
            setattr(_value(target.value, names), target.attr, value)
            return
    elif isinstance(node, ast.Expr):
        _value(node.value, names)
        return
    elif (isinstance(node, ast.For) and isinstance(node.iter, ast.Call)
          and isinstance(node.iter.args[0], ast.Constant)
          and isinstance(node.iter.args[0].value, int)):
        for _ in range(node.iter.args[0].value):
            for statement in node.body:
                _run(statement, names)
        return
    raise ValueError(f"not a probe statement: {ast.unparse(node)}")


def _value(node: ast.expr, names: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_OPS:
        return _BINARY_OPS[type(node.op)](_value(node.left, names), _value(node.right, names))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args:
        return getattr(_value(node.func.value, names), node.func.attr)()
    raise ValueError(f"not a probe expression: {ast.unparse(node)}")


__all__ = ["Probe", "PROBES", "FOUNDATION", "DOMAINS", "METHOD_OF", "BINARY", "REFLECTED", "UNARY",
           "draw_points", "run_code"]
