"""Ops defined by the user: checked, added to the op table, and applied to Values.

`define_op` checks a new op (its name, its formulas, and that each formula says what the
rule computes), adds it to `autograd.ops.OPS` next to the built-ins, and returns an
`OpFunction` that applies it with `autograd.value.apply`: from then on ``backward``,
``draw``, ``explain``, ``gradcheck`` and ``compile`` treat it like a built-in.

>>> from autograd import Value
>>> double = define_op("double", lambda a: 2 * a, lambda a, out: (2.0,), "2")
>>> double(Value(3.0)).data
6.0
>>> del OPS["double"]
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd.formula import evaluate, names, parse
from autograd.ops import BUILT_IN, OPS, Op
from autograd.value import apply


@dataclass(frozen=True)
class OpFunction:
    """Applies a user-defined op to Values or numbers and records it in the graph.

    >>> OpFunction(OPS["tanh"])
    <op tanh: ∂out/∂a = 1 - out**2>
    """

    op: Op

    def __call__(self, *inputs: Any) -> Any:
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
    derivative per input (write it with arithmetic and the formula language's functions,
    such as ``sigmoid`` or ``exp`` from `autograd.ops`, so that it also works on Values for
    higher derivatives), and
    ``formulas`` is the same rule as text in the names ``a``, ``b`` and ``out``, one per
    input. The op then works with ``backward``, ``draw``, ``explain`` and ``gradcheck`` like
    a built-in. Defining a name twice is an error unless ``replace=True``; built-in ops are
    never replaced.

    >>> from autograd import Value
    >>> from autograd.ops import sigmoid
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
    try:
        inspect.signature(fn).bind(*range(n))
    except TypeError:
        return False
    except ValueError:  # no signature (some built-ins): trust the caller
        return True
    return True
