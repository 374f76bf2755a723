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
    names: tuple[str, ...] = ()
    """Input names when they are not ``a``, ``b``. Names holding ``{k}`` repeat as a group
    (``w{k}``, ``x{k}``: w1, x1, w2, x2, ...) and make the op variadic; ``formulas`` then
    hold one template per name (``x{k}``)."""
    expression: str = ""
    """The forward as a Python expression in the input names, for generated code ("" when
    only ``forward`` computes it). In a variadic op it is a sum whose ``{k}`` terms repeat."""

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

    def forward_expression(self, n: int) -> str:
        """The forward for ``n`` inputs as text in `input_names` ("" if there is none).

        >>> OPS["dot"].forward_expression(5)
        'b + w1 * x1 + w2 * x2'
        """
        if not self.variadic:
            return self.expression
        ks = range(1, self._groups(n)[1] + 1)
        terms = self.expression.split(" + ")
        return " + ".join(t.format(k=k) for t in terms for k in (ks if "{k}" in t else [0]))

    def __str__(self) -> str:
        if self.variadic:
            head = f"out = {self.forward_expression(len(self.names) + 1)} + ...; "
            return f"{self.name}: {head}" + "; ".join(
                f"∂out/∂{name.format(k='k')} = {text.format(k='k')}"
                for name, text in zip(self.names, self.formulas)
            )
        n = len(self.formulas)
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
# NaN passes through relu and leaky_relu, as in PyTorch: only a <= 0 is cut.
relu = _unary("relu", lambda x: 0.0 if x <= 0 else x)
leaky_relu = _unary("leaky_relu", lambda x: LEAKY_SLOPE * x if x <= 0 else x)
absolute = _unary("abs", abs)


def step(x: Any) -> float:
    """1.0 where x > 0, else 0.0 (so ReLU'(0) = 0, as in PyTorch). A constant: its own
    derivative is 0 wherever it is defined."""
    return 1.0 if (x if x.__class__ is float else _data(x)) > 0 else 0.0


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
       ("b * a**(b - 1)", "out * log(a)"), domain=_pow_value_domain),
    Op("powc", "**", math.pow, _powc_rule, ("b * a**(b - 1)", "0"),
       domain=_pow_number_domain, constant_inputs=(1,)),
    Op("exp", "exp", math.exp, lambda a, out: (out,), ("out",)),
    Op("log", "log", math.log, lambda a, out: (1 / a,), ("1 / a",), domain=_log_domain),
    Op("sqrt", "√", math.sqrt, lambda a, out: (0.5 / out,), ("0.5 / out",), domain=_sqrt_domain),
    Op("tanh", "tanh", math.tanh, lambda a, out: (1 - out**2,), ("1 - out**2",)),
    Op("sigmoid", "σ", _sigmoid, lambda a, out: (out * (1 - out),), ("out * (1 - out)",)),
    Op("relu", "ReLU", lambda a: 0.0 if a <= 0 else a, lambda a, out: (step(a),),
       ("step(a)",), expression="0.0 if a <= 0 else a"),
    Op("leaky_relu", "LReLU", leaky_relu,
       lambda a, out: (step(a) + LEAKY_SLOPE * (1 - step(a)),),
       ("step(a) + 0.01 * (1 - step(a))",)),
    Op("softplus", "softplus", _softplus, lambda a, out: (sigmoid(a),), ("sigmoid(a)",)),
    Op("abs", "abs", abs, lambda a, out: (sign(a),), ("sign(a)",)),
    Op("sin", "sin", math.sin, lambda a, out: (cos(a),), ("cos(a)",)),
    Op("cos", "cos", math.cos, lambda a, out: (-sin(a),), ("-sin(a)",)),
    # A neuron's weighted sum as one node: parents w1, x1, ..., wn, xn, b.
    Op("dot", "Σw·x+b", _dot_forward, _dot_rule, ("x{k}", "w{k}", "1"), domain=_dot_domain,
       names=("w{k}", "x{k}", "b"), expression="b + w{k} * x{k}"),
)

FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    f.__name__: f
    for f in (exp, log, sqrt, tanh, sigmoid, relu, leaky_relu, softplus, absolute, sin, cos)
    + (step, sign)
}
"""The functions a formula may call, by name; each takes a float or a Value."""


# ---- ops defined by the user --------------------------------------------------------------

BUILT_IN: frozenset[str] = frozenset(OPS)
"""The names of the ops that ship with the engine; `define_op` never replaces them."""


@dataclass(frozen=True)
class OpFunction:
    """Applies a user-defined op to Values or numbers and records it in the graph."""

    op: Op

    def __call__(self, *inputs: Any) -> Any:
        from autograd.value import apply  # value.py imports this module

        if len(inputs) != self.op.arity:
            raise TypeError(f"{self.op.name} takes {self.op.arity} input(s), got {len(inputs)}")
        return apply(self.op, *inputs)

    def __repr__(self) -> str:
        return f"<op {self.op}>"


def define_op(
    name: str,
    forward: Callable[..., float],
    rule: Callable[..., tuple[Any, ...]],
    formulas: tuple[str, ...] | list[str] | str,
    *,
    symbol: str | None = None,
    domain: Callable[..., str | None] | None = None,
    replace: bool = False,
) -> OpFunction:
    """Add an op to the table and return a function that applies it to Values.

    ``forward(a[, b])`` computes the number, ``rule(a[, b], out)`` returns one local
    derivative per input (write it with arithmetic and the functions of this module, such as
    ``sigmoid`` or ``exp``, so that it also works on Values for higher derivatives), and
    ``formulas`` is the same rule as text in the names ``a``, ``b`` and ``out``, one per
    input. The op then works with ``backward``, ``draw``, ``explain`` and ``gradcheck`` like
    a built-in. Defining a name twice is an error unless ``replace=True``; built-in ops are
    never replaced.

    >>> from autograd import Value
    >>> softplus2 = define_op("softplus2", lambda a: math.log1p(math.exp(a)),
    ...                       lambda a, out: (sigmoid(a),), "sigmoid(a)")
    >>> y = softplus2(Value(0.0, label="x"))
    >>> y.backward()
    >>> y.parents[0].grad
    0.5
    >>> print(OPS["softplus2"])
    softplus2: ∂out/∂a = sigmoid(a)
    >>> del OPS["softplus2"]
    """
    from autograd.formula import names, parse  # formula.py imports this module

    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"an op name must be an identifier such as 'softplus2', got {name!r}")
    if name in BUILT_IN:
        raise ValueError(f"{name!r} is a built-in op and cannot be redefined; choose another name")
    if name in OPS and not replace:
        raise ValueError(
            f"an op named {name!r} is already defined; pass replace=True to redefine it"
        )
    if not callable(forward) or not callable(rule):
        raise TypeError("forward and rule must be functions")
    texts = (formulas,) if isinstance(formulas, str) else tuple(formulas)
    if not 1 <= len(texts) <= 2:
        raise ValueError(f"{name}: give one formula per input (1 or 2), got {len(texts)}")
    allowed = ("a", "b")[: len(texts)] + ("out",)
    for i, text in enumerate(texts):
        parse(text)  # raises FormulaError with the column of the problem
        unknown = [n for n in names(text) if n not in allowed]
        if unknown:
            raise ValueError(
                f"{name}: formula {i} {text!r} uses {', '.join(unknown)}; "
                f"it may use only {', '.join(allowed)}"
            )
    for what, fn, n in (("forward", forward, len(texts)), ("rule", rule, len(texts) + 1)):
        if not _accepts(fn, n):
            raise TypeError(f"{name}: {what} must take {n} argument(s), to match the formulas")
    op = Op(name, symbol or name, forward, rule, texts, domain=domain)
    _check_formulas_match_rule(op)
    OPS[name] = op
    return OpFunction(op)


_PROBES = (0.37, 1.3, -0.8, 2.1)


def _check_formulas_match_rule(op: Op) -> None:
    # Drawings and explanations show the formula text while backward uses the rule, so a
    # formula that disagrees with its rule would teach a wrong derivative: compare them at
    # a few points inside the op's domain.
    from autograd.formula import evaluate  # formula.py imports this module

    n = op.arity
    points = [(a,) for a in _PROBES] if n == 1 else [(a, b) for a in _PROBES for b in _PROBES]
    for point in points:
        try:
            if op.domain is not None and op.domain(*point):
                continue
            out = float(op.forward(*point))
            rule = [float(g) for g in op.rule(*point, out)]
        except (ArithmeticError, ValueError):
            continue
        if len(rule) != n:
            raise TypeError(f"{op.name}: its rule gave {len(rule)} local derivative(s) for "
                            f"{n} input(s); it must give one per input")
        where = ", ".join(f"{k}={v!r}" for k, v in zip("ab", point))
        for i, (text, expected) in enumerate(zip(op.formulas, rule)):
            try:
                said = float(evaluate(text, {**dict(zip("ab", point)), "out": out}))
            except (ArithmeticError, ValueError):
                continue
            if not math.isclose(said, expected, rel_tol=1e-9, abs_tol=1e-12):
                raise ValueError(
                    f"{op.name}: formula {i} {text!r} gives {said!r} at {where} but the rule "
                    f"gives {expected!r}; the text must say what the rule computes"
                )


def _accepts(fn: Callable[..., Any], n: int) -> bool:
    import inspect

    try:
        inspect.signature(fn).bind(*range(n))
    except TypeError:
        return False
    except ValueError:  # no signature (some built-ins): trust the caller
        return True
    return True
