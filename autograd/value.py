"""Value: one number in a computation graph, with its gradient and how it was made.

Every operation on Values looks its op up in the op table (`autograd.ops`), computes the
result and, at the same moment, the local derivative ∂out/∂parent for each parent. The new
Value keeps its parents and those local derivatives; `backward()` multiplies them along the
graph (the chain rule). A Value keeps references only to its parents, never to its
consumers, so a graph has no reference cycles and is freed as soon as its root is dropped.

>>> a = Value(2.0, label="a")
>>> b = a * a + 1
>>> b.backward()
>>> b.data, a.grad
(5.0, 4.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Union

from autograd.graph import topological_order
from autograd.ops import OPS, DomainError, Op

Number = Union[int, float]  # noqa: UP007 (a runtime alias: Python 3.10 needs Union here)
Operand = Union["Value", int, float]  # noqa: UP007

_recording = [True]  # False inside no_grad()


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, ops compute numbers only: results have no parents, no graph.

    Used by optimizers to update weights without recording the update.

    >>> w = Value(1.0)
    >>> with no_grad():
    ...     y = w * 3
    >>> y.parents
    ()
    """
    before = _recording[0]
    _recording[0] = False
    try:
        yield
    finally:
        _recording[0] = before


def is_recording() -> bool:
    """False inside `no_grad()`.

    >>> is_recording()
    True
    """
    return _recording[0]


def _as_float(x: Any) -> float:
    if isinstance(x, Value):
        raise TypeError(
            "Value() was given a Value; use that Value itself, or Value(v.data) for a new "
            "leaf with the same number"
        )
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"Value() needs an int or a float, got {type(x).__name__}: {x!r}")
    return float(x)


class Value:
    """A number that remembers how it was computed, so gradients can flow back to it.

    ``data`` is the number, ``grad`` is ∂root/∂self after ``root.backward()`` (0.0 before),
    ``label`` names it in drawings and explanations, ``op`` is the name of the op that made it
    ("" for a leaf), ``parents`` its inputs in order (``a * a`` has two), and ``local_grads``
    the local derivatives ∂self/∂parent_i recorded when it was computed.

    NaN and infinite ``data`` are accepted as given; ops then follow IEEE float arithmetic
    (NaN in, NaN out) rather than raising.

    >>> x = Value(3.0, label="x")
    >>> y = x * 2 + 1
    >>> y
    Value(data=7.0, grad=0.0, op='add')
    >>> y.local_grads
    (1.0, 1.0)
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "local_grads")

    data: float
    grad: float
    label: str
    op: str
    parents: tuple[Value, ...]
    local_grads: tuple[Any, ...]

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = str(label)
        self.op = ""
        self.parents = ()
        self.local_grads = ()

    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else ""
        extra += f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{extra})"

    # ---- building the graph ---------------------------------------------------------------

    def __add__(self, other: Operand) -> Value:
        return apply(OPS["add"], self, other)

    def __radd__(self, other: Operand) -> Value:
        return apply(OPS["add"], other, self)

    def __sub__(self, other: Operand) -> Value:
        return apply(OPS["sub"], self, other)

    def __rsub__(self, other: Operand) -> Value:
        return apply(OPS["sub"], other, self)

    def __mul__(self, other: Operand) -> Value:
        return apply(OPS["mul"], self, other)

    def __rmul__(self, other: Operand) -> Value:
        return apply(OPS["mul"], other, self)

    def __truediv__(self, other: Operand) -> Value:
        return apply(OPS["div"], self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return apply(OPS["div"], other, self)

    def __pow__(self, exponent: Operand) -> Value:
        """``v ** 2`` (a number exponent: a constant) or ``v ** w`` (both get gradients)."""
        if isinstance(exponent, Value):
            return apply(OPS["pow"], self, exponent)
        return apply(OPS["powc"], self, exponent)

    def __rpow__(self, base: Operand) -> Value:
        return apply(OPS["pow"], base, self)

    def __neg__(self) -> Value:
        return apply(OPS["neg"], self)

    def __abs__(self) -> Value:
        return apply(OPS["abs"], self)

    def exp(self) -> Value:
        """e**self. ``Value(0.0).exp().data == 1.0``"""
        return apply(OPS["exp"], self)

    def log(self) -> Value:
        """Natural log; needs data > 0. ``Value(1.0).log().data == 0.0``"""
        return apply(OPS["log"], self)

    def sqrt(self) -> Value:
        """Square root; needs data > 0. ``Value(4.0).sqrt().data == 2.0``"""
        return apply(OPS["sqrt"], self)

    def tanh(self) -> Value:
        """Hyperbolic tangent. ``Value(0.0).tanh().data == 0.0``"""
        return apply(OPS["tanh"], self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self), never overflowing. ``Value(0.0).sigmoid().data == 0.5``"""
        return apply(OPS["sigmoid"], self)

    def relu(self) -> Value:
        """max(0, self); its derivative at 0 is 0. ``Value(-2.0).relu().data == 0.0``"""
        return apply(OPS["relu"], self)

    def leaky_relu(self) -> Value:
        """self if self > 0 else 0.01 * self. ``Value(-2.0).leaky_relu().data == -0.02``"""
        return apply(OPS["leaky_relu"], self)

    def softplus(self) -> Value:
        """log(1 + e**self), a smooth ReLU. ``Value(0.0).softplus().data == math.log(2)``"""
        return apply(OPS["softplus"], self)

    def abs(self) -> Value:
        """|self|; its derivative at 0 is 0. ``Value(-2.0).abs().data == 2.0``"""
        return apply(OPS["abs"], self)

    def sin(self) -> Value:
        """Sine. ``Value(0.0).sin().data == 0.0``"""
        return apply(OPS["sin"], self)

    def cos(self) -> Value:
        """Cosine. ``Value(0.0).cos().data == 1.0``"""
        return apply(OPS["cos"], self)

    # ---- the chain rule -------------------------------------------------------------------

    def backward(self) -> None:
        """Fill ``.grad`` of every Value this one depends on with ∂self/∂that Value.

        Works at any depth (no recursion). Leaves *accumulate* across calls, as in PyTorch,
        so gradients of several losses add up (call ``zero_grad`` or set ``.grad = 0`` to
        start again); interior nodes are reset and hold the gradient of the latest call.

        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward(); x.grad
        6.0
        >>> y.backward(); x.grad
        12.0
        """
        order = topological_order(self)
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad = 1.0 if self.parents else self.grad + 1.0
        for node in reversed(order):
            upstream = node.grad
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * upstream


def constant(x: Operand) -> Value:
    """``x`` itself when it is a Value, else a new leaf holding the number.

    >>> constant(2).data
    2.0
    """
    return x if isinstance(x, Value) else Value(x)


def apply(op: Op, *inputs: Operand) -> Value:
    """Run ``op`` on ``inputs`` (Values or numbers) and record it in the graph.

    The result's ``local_grads`` come from the op's rule, evaluated now on the numbers.
    Domain errors name the op and the inputs, and nothing is recorded.

    >>> apply(OPS["mul"], Value(2.0), 3).data
    6.0
    """
    parents = tuple(constant(x) for x in inputs)
    datas = tuple(p.data for p in parents)
    try:
        why = op.domain(*datas) if op.domain is not None else None
        if why:
            raise DomainError(f"{op.name}: {why}")
        data = float(op.forward(*datas))
        out = Value.__new__(Value)
        out.data, out.grad, out.label = data, 0.0, ""
        if not _recording[0]:
            out.op, out.parents, out.local_grads = "", (), ()
            return out
        local_grads = tuple(float(g) for g in op.rule(*datas, data))
    except DomainError:
        raise
    except OverflowError:
        raise OverflowError(f"{op.name}: result too large for a float {_describe(datas)}") from None
    except (ArithmeticError, ValueError) as err:
        raise DomainError(f"{op.name}: {err} {_describe(datas)}") from None
    out.op, out.parents, out.local_grads = op.name, parents, local_grads
    return out


def _describe(datas: tuple[float, ...]) -> str:
    return "(" + ", ".join(f"{name}={d!r}" for name, d in zip("ab", datas)) + ")"


# math is imported for doctests that compare with it
__all__ = ["Value", "no_grad", "is_recording", "apply", "constant", "math"]
