"""The op table: every primitive's forward, local derivative rule, and that rule as text.

This is the only place in the project where a derivative is defined. Each `Op` says:

- ``forward(a[, b])``: the number the op computes from its inputs' numbers;
- ``rule(a[, b], out)``: one local derivative per input, ∂out/∂input, given the inputs and
  the result. Rules use arithmetic and the functions below (``exp``, ``step``, ...), which
  accept floats *and* Values, so the same rule gives numbers during the forward pass and
  gradient graphs for higher derivatives;
- ``formulas``: the same rule as text, in the names ``a``, ``b`` (the inputs) and ``out``
  (the result). Drawn edges and chain-rule explanations show it; the tests evaluate it and
  compare it with ``rule``.

>>> print(OPS["tanh"])
tanh: ∂out/∂a = 1 - out**2
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class DomainError(ValueError, ArithmeticError):
    """An op was asked for a value outside its domain, e.g. ``log`` of 0.

    >>> from autograd import Value
    >>> Value(0.0).log()
    Traceback (most recent call last):
    ...
    autograd.ops.DomainError: log: needs a > 0, got a=0.0
    """


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

    @property
    def arity(self) -> int:
        return len(self.formulas)

    def input_names(self, n: int) -> tuple[str, ...]:
        """The names the formulas use for ``n`` inputs: ``a``, ``b``.

        >>> OPS["div"].input_names(2)
        ('a', 'b')
        """
        return tuple("ab"[:n])

    def formula(self, i: int, n: int) -> str:
        """The text of ∂out/∂input_i for an application to ``n`` inputs.

        >>> OPS["div"].formula(1, 2)
        '-out / b'
        """
        return self.formulas[i]

    def __str__(self) -> str:
        n = self.arity
        names = self.input_names(n)
        return f"{self.name}: " + "; ".join(
            f"∂out/∂{names[i]} = {self.formula(i, n)}" for i in range(n)
        )


# ---- functions a rule may use: each works on a float or on a Value -------------------------


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
    apply.__doc__ = f"{method}(x) for a float or a Value."
    return apply


exp = _unary("exp", math.exp)
log = _unary("log", math.log)
tanh = _unary("tanh", math.tanh)
sigmoid = _unary("sigmoid", _sigmoid)
sin = _unary("sin", math.sin)
cos = _unary("cos", math.cos)
sqrt = _unary("sqrt", math.sqrt)
softplus = _unary("softplus", _softplus)
relu = _unary("relu", lambda x: x if x > 0 else 0.0)
leaky_relu = _unary("leaky_relu", lambda x: x if x > 0 else LEAKY_SLOPE * x)
absolute = _unary("abs", abs)


def step(x: Any) -> float:
    """1.0 where x > 0, else 0.0 (so ReLU'(0) = 0, as in PyTorch). A constant: its own
    derivative is 0 wherever it is defined."""
    return 1.0 if _data(x) > 0 else 0.0


def sign(x: Any) -> float:
    """-1.0, 0.0 or 1.0: the derivative of abs (0 at 0, as in PyTorch). A constant."""
    v = _data(x)
    return (v > 0) - (v < 0) + 0.0


def _data(x: Any) -> float:
    return float(x) if _is_number(x) else float(x.data)


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


def _table(*ops: Op) -> dict[str, Op]:
    return {op.name: op for op in ops}


OPS: dict[str, Op] = _table(
    Op("add", "+", lambda a, b: a + b, lambda a, b, out: (1.0, 1.0), ("1", "1")),
    Op("sub", "-", lambda a, b: a - b, lambda a, b, out: (1.0, -1.0), ("1", "-1")),
    Op("mul", "*", lambda a, b: a * b, lambda a, b, out: (b, a), ("b", "a")),
    Op("div", "/", lambda a, b: a / b, lambda a, b, out: (1 / b, -out / b),
       ("1 / b", "-out / b"), domain=_div_domain),
    Op("neg", "-", lambda a: -a, lambda a, out: (-1.0,), ("-1",)),
    Op("pow", "**", math.pow, lambda a, b, out: (b * a ** (b - 1), out * log(a)),
       ("b * a**(b - 1)", "out * log(a)"), domain=_pow_value_domain),
    Op("powc", "**", math.pow, _powc_rule, ("b * a**(b - 1)", "0"),
       domain=_pow_number_domain, constant_inputs=(1,)),
    Op("exp", "exp", math.exp, lambda a, out: (out,), ("out",)),
    Op("log", "log", math.log, lambda a, out: (1 / a,), ("1 / a",), domain=_log_domain),
    Op("sqrt", "√", math.sqrt, lambda a, out: (0.5 / out,), ("0.5 / out",), domain=_sqrt_domain),
    Op("tanh", "tanh", math.tanh, lambda a, out: (1 - out**2,), ("1 - out**2",)),
    Op("sigmoid", "σ", _sigmoid, lambda a, out: (out * (1 - out),), ("out * (1 - out)",)),
    Op("relu", "ReLU", relu, lambda a, out: (step(a),), ("step(a)",)),
    Op("leaky_relu", "LReLU", leaky_relu,
       lambda a, out: (step(a) + LEAKY_SLOPE * (1 - step(a)),),
       ("step(a) + 0.01 * (1 - step(a))",)),
    Op("softplus", "softplus", _softplus, lambda a, out: (sigmoid(a),), ("sigmoid(a)",)),
    Op("abs", "abs", abs, lambda a, out: (sign(a),), ("sign(a)",)),
    Op("sin", "sin", math.sin, lambda a, out: (cos(a),), ("cos(a)",)),
    Op("cos", "cos", math.cos, lambda a, out: (-sin(a),), ("-sin(a)",)),
)

FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    f.__name__: f
    for f in (exp, log, sqrt, tanh, sigmoid, relu, leaky_relu, softplus, absolute, sin, cos)
    + (step, sign)
}
"""The functions a formula may call, by name; each takes a float or a Value."""
