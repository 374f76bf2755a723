"""The op table: every primitive's forward, local derivative rule, and that rule as text.

This is the only place in the project where a derivative is defined. Each `Op` says:

- ``forward(a[, b])``: the number the op computes from its inputs' numbers;
- ``rule(a[, b], out)``: one local derivative per input, ∂out/∂input, given the inputs and
  the result. Rules use arithmetic and the functions of the formula language (``exp``,
  ``step``, ...; `autograd.formula`, re-exported here), which accept floats *and* Values,
  so the same rule gives numbers during the forward pass and gradient graphs for higher
  derivatives;
- ``formulas``: the same rule as text, in the names ``a``, ``b`` (the inputs) and ``out``
  (the result). Drawn edges and chain-rule explanations show it; the tests evaluate it and
  compare it with ``rule``;
- ``expression``: the forward as text in the same language (``a * b``, ``exp(a)``,
  ``a ** b``, ``relu(a)``).

Code is generated from the texts (`autograd.replay`). The player's JavaScript is written
from ``expression`` and ``formulas`` alone. The Python replay writes an expression of
operators (and ``relu``) inline, and for any other call or a power calls ``forward``, the
engine's own float function: numbers, speed and domain errors (Python's ``**`` would give a
complex number where ``math.pow`` raises) are then exactly the engine's. So each built-in
forward is said twice, as a function for speed and as text for generated code; the tests
check that the two agree on every op to the last bit.

Ops defined by the user (`autograd.define`) are added to the same table. They have no
``expression``: their forward is a Python function only, which a web page cannot run.

>>> print(OPS["tanh"])
tanh: ∂out/∂a = 1 - out**2
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# The functions rules are written with (re-exported: `from autograd.ops import sigmoid`), and
# _sigmoid, _softplus on floats only, the table's forwards.
from autograd.formula import (
    FUNCTIONS,
    LEAKY_SLOPE,
    DomainError,
    _data,
    _sigmoid,
    _softplus,
    absolute,
    cos,
    exp,
    leaky_relu,
    log,
    parse,
    relu,
    sigmoid,
    sign,
    sin,
    softplus,
    sqrt,
    step,
    tanh,
)

__all__ = [
    "Op", "OPS", "BUILT_IN",
    "DomainError", "FUNCTIONS", "LEAKY_SLOPE", "exp", "log", "sqrt", "tanh", "sigmoid",
    "relu", "leaky_relu", "softplus", "absolute", "sin", "cos", "step", "sign",
]


@dataclass(frozen=True)
class Op:
    """One primitive: its name, its symbol in drawings, its forward and its derivative rule.

    >>> OPS["mul"].formulas
    ('b', 'a')
    >>> OPS["mul"].rule(2.0, 3.0, 6.0)
    (3.0, 2.0)
    """

    name: str
    symbol: str
    forward: Callable[..., float]
    rule: Callable[..., tuple[Any, ...]]
    formulas: tuple[str, ...]
    domain: Callable[..., str | None] | None = None
    """Returns why the inputs are outside the op's domain, or None when they are fine."""
    constant_inputs: tuple[int, ...] = ()
    """Inputs that are constants of the op (a number exponent): no gradient flows to them."""
    names: tuple[str, ...] = ()
    """Input names when they are not ``a``, ``b``. Names holding ``{k}`` repeat as a group
    (``w{k}``, ``x{k}``: w1, x1, w2, x2, ...) and make the op variadic; ``formulas`` then
    hold one template per name (``x{k}``)."""
    expression: str = ""
    """The forward as formula text in the input names (``exp(a)``); "" for an op defined
    by the user. In a variadic op it is a sum whose ``{k}`` terms repeat."""

    @property
    def arity(self) -> int | None:
        """The number of inputs; None for a variadic op, which takes any number of groups."""
        return None if self.variadic else len(self.formulas)

    @property
    def variadic(self) -> bool:
        return any("{k}" in name for name in self.names)

    def _groups(self, n: int) -> tuple[int, int]:
        # (names per group, number of groups) of a variadic op applied to n inputs
        size = sum("{k}" in name for name in self.names)
        return size, (n - len(self.names) + size) // size

    def _template(self, i: int, n: int) -> tuple[int, int]:
        # Input i of n is names[t] with group number k (k = 0 outside the repeated group).
        size, groups = self._groups(n)
        repeated = size * groups
        return (i % size, i // size + 1) if i < repeated else (size + i - repeated, 0)

    def input_names(self, n: int) -> tuple[str, ...]:
        """The names the formulas use for ``n`` inputs: ``a``, ``b``.

        >>> OPS["div"].input_names(2)
        ('a', 'b')
        >>> OPS["dot"].input_names(5)
        ('w1', 'x1', 'w2', 'x2', 'b')
        """
        if not self.variadic:
            return tuple(self.names or "ab")[:n]
        return tuple(self.names[t].format(k=k) for t, k in map(self._template, range(n), [n] * n))

    def formula(self, i: int, n: int) -> str:
        """The text of ∂out/∂input_i for an application to ``n`` inputs.

        >>> OPS["div"].formula(1, 2)
        '-out / b'
        >>> [OPS["dot"].formula(i, 5) for i in range(5)]
        ['x1', 'w1', 'x2', 'w2', '1']
        """
        if not self.variadic:
            return self.formulas[i]
        t, k = self._template(i, n)
        return self.formulas[t].format(k=k)

    def forward_formula(self, n: int) -> str:
        """The forward for ``n`` inputs as formula text in `input_names` ("" if there is none).

        >>> OPS["dot"].forward_formula(5), OPS["sigmoid"].forward_formula(1)
        ('b + w1 * x1 + w2 * x2', 'sigmoid(a)')
        """
        if not self.variadic:
            return self.expression
        ks = range(1, self._groups(n)[1] + 1)
        terms = self.expression.split(" + ")
        return " + ".join(t.format(k=k) for t in terms for k in (ks if "{k}" in t else [0]))

    def forward_expression(self, n: int) -> str:
        """`forward_formula` when it is written with operators (``a * b``, ``a ** b``); ""
        when it is a call (``sigmoid(a)``), as a name is then better written with the op's
        symbol (``σ(z)``, ``ReLU(z)``, ``√(z)``) than with the function's name.

        >>> OPS["mul"].forward_expression(2), OPS["relu"].forward_expression(1)
        ('a * b', '')
        """
        text = self.forward_formula(n)
        return "" if _is_call(text) else text

    def __str__(self) -> str:
        if self.variadic:
            head = f"out = {self.forward_formula(len(self.names) + 1)} + ...; "
            return f"{self.name}: {head}" + "; ".join(
                f"∂out/∂{name.format(k='k')} = {text.format(k='k')}"
                for name, text in zip(self.names, self.formulas)
            )
        n = len(self.formulas)
        names = self.input_names(n)
        return f"{self.name}: " + "; ".join(
            f"∂out/∂{names[i]} = {self.formula(i, n)}" for i in range(n)
        )


@lru_cache(maxsize=64)
def _is_call(text: str) -> bool:
    return bool(text) and isinstance(parse(text), ast.Call)


# ---- domains ------------------------------------------------------------------------------


def _div_domain(a: float, b: float) -> str | None:
    return f"division by zero (a={a!r}, b={b!r})" if b == 0 else None


def _log_domain(a: float) -> str | None:
    return f"needs a > 0, got a={a!r}" if a <= 0 else None


def _sqrt_domain(a: float) -> str | None:
    if a < 0:
        return f"needs a >= 0, got a={a!r}"
    if a == 0:
        return "the derivative 0.5 / sqrt(a) is infinite at a=0.0"
    return None


def _pow_number_domain(a: float, b: float) -> str | None:
    if a == 0 and b < 0:
        return f"0.0 raised to a negative power b={b!r} (division by zero)"
    if a < 0 and not float(b).is_integer():
        return f"a negative base a={a!r} to a non-integer power b={b!r} is not a real number"
    if a == 0 and b < 1 and b != 0:
        return f"the derivative b * a**(b - 1) is infinite at a=0.0 for b={b!r}"
    return None


def _pow_value_domain(a: float, b: float) -> str | None:
    if a <= 0:
        return (
            f"needs a > 0 when the exponent is a Value (its derivative is out * log(a)), "
            f"got a={a!r}, b={b!r}; use a number exponent for a <= 0"
        )
    return None


def _powc_rule(a: Any, b: Any, out: Any) -> tuple[Any, float]:
    # b is the constant exponent: d/da a**b = b * a**(b-1); b gets no gradient.
    b = _data(b)
    return (b * a ** (b - 1) if b != 0 else 0.0, 0.0)


def _dot_forward(*inputs: float) -> float:
    # b + w1*x1 + w2*x2 + ..., added left to right: micrograd's Neuron sums in this order,
    # so the numbers match it to the last bit.
    total = inputs[-1]
    pairs = iter(inputs[:-1])
    for w, x in zip(pairs, pairs):
        total = total + w * x
    return total


def _dot_rule(*inputs_and_out: Any) -> tuple[Any, ...]:
    # ∂out/∂w_k = x_k, ∂out/∂x_k = w_k, ∂out/∂b = 1.
    inputs = inputs_and_out[:-1]
    grads = list(inputs)
    grads[0:-1:2] = inputs[1:-1:2]
    grads[1:-1:2] = inputs[0:-1:2]
    grads[-1] = 1.0
    return tuple(grads)


def _dot_domain(*inputs: float) -> str | None:
    if len(inputs) % 2 == 0:
        return f"needs (weight, input) pairs and a bias: an odd number of inputs, got {len(inputs)}"
    return None


def _table(*ops: Op) -> dict[str, Op]:
    return {op.name: op for op in ops}


OPS: dict[str, Op] = _table(
    Op("add", "+", lambda a, b: a + b, lambda a, b, out: (1.0, 1.0), ("1", "1"),
       expression="a + b"),
    Op("sub", "-", lambda a, b: a - b, lambda a, b, out: (1.0, -1.0), ("1", "-1"),
       expression="a - b"),
    Op("mul", "*", lambda a, b: a * b, lambda a, b, out: (b, a), ("b", "a"),
       expression="a * b"),
    Op("div", "/", lambda a, b: a / b, lambda a, b, out: (1 / b, -out / b),
       ("1 / b", "-out / b"), domain=_div_domain, expression="a / b"),
    Op("neg", "-", lambda a: -a, lambda a, out: (-1.0,), ("-1",), expression="-a"),
    Op("pow", "**", math.pow, lambda a, b, out: (b * a ** (b - 1), out * log(a)),
       ("b * a**(b - 1)", "out * log(a)"), domain=_pow_value_domain, expression="a ** b"),
    Op("powc", "**", math.pow, _powc_rule, ("b * a**(b - 1)", "0"),
       domain=_pow_number_domain, constant_inputs=(1,), expression="a ** b"),
    Op("exp", "exp", math.exp, lambda a, out: (out,), ("out",), expression="exp(a)"),
    Op("log", "log", math.log, lambda a, out: (1 / a,), ("1 / a",), domain=_log_domain,
       expression="log(a)"),
    Op("sqrt", "√", math.sqrt, lambda a, out: (0.5 / out,), ("0.5 / out",), domain=_sqrt_domain,
       expression="sqrt(a)"),
    Op("tanh", "tanh", math.tanh, lambda a, out: (1 - out**2,), ("1 - out**2",),
       expression="tanh(a)"),
    Op("sigmoid", "σ", _sigmoid, lambda a, out: (out * (1 - out),), ("out * (1 - out)",),
       expression="sigmoid(a)"),
    Op("relu", "ReLU", lambda a: 0.0 if a <= 0 else a, lambda a, out: (step(a),),
       ("step(a)",), expression="relu(a)"),
    Op("leaky_relu", "LReLU", leaky_relu,
       lambda a, out: (step(a) + LEAKY_SLOPE * (1 - step(a)),),
       ("step(a) + 0.01 * (1 - step(a))",), expression="leaky_relu(a)"),
    Op("softplus", "softplus", _softplus, lambda a, out: (sigmoid(a),), ("sigmoid(a)",),
       expression="softplus(a)"),
    Op("abs", "abs", abs, lambda a, out: (sign(a),), ("sign(a)",), expression="abs(a)"),
    Op("sin", "sin", math.sin, lambda a, out: (cos(a),), ("cos(a)",), expression="sin(a)"),
    Op("cos", "cos", math.cos, lambda a, out: (-sin(a),), ("-sin(a)",), expression="cos(a)"),
    # A neuron's weighted sum as one node: parents w1, x1, ..., wn, xn, b.
    Op("dot", "Σw·x+b", _dot_forward, _dot_rule, ("x{k}", "w{k}", "1"), domain=_dot_domain,
       names=("w{k}", "x{k}", "b"), expression="b + w{k} * x{k}"),
)

BUILT_IN: frozenset[str] = frozenset(OPS)
"""The names of the ops that ship with the engine; `autograd.define_op` never replaces them."""
