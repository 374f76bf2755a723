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
import operator
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Union

from autograd.graph import topological_order
from autograd.micrograd_names import SIGNATURE, op_of, symbol_of
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
    if x.__class__ is float:
        return x  # type: ignore[no-any-return]
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

    The constructor is micrograd's, ``Value(data, _children=(), _op='', label='')``, and
    micrograd's names ``_prev``, ``_op`` and ``_backward()`` work too, so code written for
    micrograd or its lecture runs here (`autograd.micrograd_names`). ``_children`` and
    ``_op`` record an op by hand: ``Value(a.data * b.data, (a, b), '*')`` is ``a * b``.

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

    def __init__(self, data: Number, _children: Sequence[Value] = (), _op: str = "",
                 label: str = "") -> None:
        self.data = data if data.__class__ is float else _as_float(data)
        self.grad = 0.0
        if label.__class__ is not str and not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r}; "
                            f"the signature is micrograd's, {SIGNATURE}, so a Value's "
                            "parents go second and its label by name: "
                            "Value(2.0, label='a')")
        self.label = label
        if _children or _op:
            made = _made_by(self.data, _children, _op)
            if _recording[0]:  # inside no_grad(), no graph, as for every op
                self.op, self.parents, self.local_grads = made
                return
        self.op = ""
        self.parents = ()
        self.local_grads = ()

    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else ""
        extra += f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{extra})"

    # ---- building the graph ---------------------------------------------------------------
    # + - * and unary - are the bulk of every graph, so they skip `apply`'s generic work
    # (they cannot leave their domain); their local derivatives still come from the table.

    def __add__(self, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _leaf(other)
        return _record2(_ADD, self, other, self.data + other.data)

    def __radd__(self, other: Operand) -> Value:
        other = _leaf(other)
        return _record2(_ADD, other, self, other.data + self.data)

    def __sub__(self, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _leaf(other)
        return _record2(_SUB, self, other, self.data - other.data)

    def __rsub__(self, other: Operand) -> Value:
        other = _leaf(other)
        return _record2(_SUB, other, self, other.data - self.data)

    def __mul__(self, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _leaf(other)
        return _record2(_MUL, self, other, self.data * other.data)

    def __rmul__(self, other: Operand) -> Value:
        other = _leaf(other)
        return _record2(_MUL, other, self, other.data * self.data)

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
        data = -self.data
        out = _new(Value)
        out.data, out.grad, out.label = data, 0.0, ""
        if _recording[0]:
            out.op, out.parents, out.local_grads = "neg", (self,), _NEG.rule(self.data, data)
        else:
            out.op, out.parents, out.local_grads = "", (), ()
        return out

    def __abs__(self) -> Value:
        return _apply1(OPS["abs"], self)

    def exp(self) -> Value:
        """e**self. ``Value(0.0).exp().data == 1.0``"""
        return _apply1(OPS["exp"], self)

    def log(self) -> Value:
        """Natural log; needs data > 0. ``Value(1.0).log().data == 0.0``"""
        return _apply1(OPS["log"], self)

    def sqrt(self) -> Value:
        """Square root; needs data > 0. ``Value(4.0).sqrt().data == 2.0``"""
        return _apply1(OPS["sqrt"], self)

    def tanh(self) -> Value:
        """Hyperbolic tangent. ``Value(0.0).tanh().data == 0.0``"""
        return _apply1(OPS["tanh"], self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self), never overflowing. ``Value(0.0).sigmoid().data == 0.5``"""
        return _apply1(OPS["sigmoid"], self)

    def relu(self) -> Value:
        """max(0, self); its derivative at 0 is 0. ``Value(-2.0).relu().data == 0.0``"""
        return _apply1(OPS["relu"], self)

    def leaky_relu(self) -> Value:
        """self if self > 0 else 0.01 * self. ``Value(-2.0).leaky_relu().data == -0.02``"""
        return _apply1(OPS["leaky_relu"], self)

    def softplus(self) -> Value:
        """log(1 + e**self), a smooth ReLU. ``Value(0.0).softplus().data == math.log(2)``"""
        return _apply1(OPS["softplus"], self)

    def abs(self) -> Value:
        """|self|; its derivative at 0 is 0. ``Value(-2.0).abs().data == 2.0``"""
        return _apply1(OPS["abs"], self)

    def sin(self) -> Value:
        """Sine. ``Value(0.0).sin().data == 0.0``"""
        return _apply1(OPS["sin"], self)

    def cos(self) -> Value:
        """Cosine. ``Value(0.0).cos().data == 1.0``"""
        return _apply1(OPS["cos"], self)

    # ---- micrograd's and the lecture's names (`autograd.micrograd_names`) ------------------

    @property
    def _prev(self) -> set[Value]:
        """micrograd's ``_prev``: the set of this Value's parents (``a * a`` has one); a
        number exponent is no parent there (``(a ** 2)._prev == {a}``), so not here either.

        >>> a = Value(2.0); (a * a)._prev == {a}, (a ** 2)._prev == {a}
        (True, True)
        """
        parents = self.parents
        if self.op == "powc":
            parents = parents[:1]
        return set(parents)

    @property
    def _op(self) -> str:
        """micrograd's ``_op``: its text for the op that made this Value, '' for a leaf.

        >>> (Value(2.0) ** 2)._op, Value(2.0).tanh()._op
        ('**2', 'tanh')
        """
        exponent = self.parents[1].data if self.op == "powc" else None
        return symbol_of(self.op, exponent)

    def _backward(self) -> None:
        """micrograd's ``_backward()``: add this Value's ``grad`` times each local derivative
        to its parents' ``grad``, one step of the chain rule, as the lecture does by hand.

        >>> a, b = Value(2.0), Value(3.0)
        >>> c = a * b; c.grad = 1.0; c._backward(); a.grad, b.grad
        (3.0, 2.0)
        """
        upstream = self.grad
        for parent, local in zip(self.parents, self.local_grads):
            parent.grad += local * upstream

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
        interior = [node for node in order if node.parents]
        for node in interior:
            node.grad = 0.0
        self.grad = 1.0 if self.parents else self.grad + 1.0
        # chain rule: each parent collects local derivative x upstream gradient
        for node in reversed(interior):
            upstream = node.grad
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * upstream


class Constant(Value):
    """A number written in the code (the ``1`` of ``1 - y``), made a leaf by the op it was
    given to, so that every edge has a parent. Drawings and steps show it with no gradient;
    a Value you create yourself is never one.

    >>> y = Value(0.5, label="y")
    >>> type((1 - y).parents[0]).__name__, type(y).__name__
    ('Constant', 'Value')
    """

    __slots__ = ()


def constant(x: Operand) -> Value:
    """``x`` itself when it is a Value, else a new `Constant` leaf holding the number.

    Numbers an op is given become leaf Values, so that drawings show them and every edge
    has a parent; they cost one small node each.

    >>> constant(2).data, isinstance(constant(2), Constant)
    (2.0, True)
    """
    return x if isinstance(x, Value) else _leaf(x)


def dot(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand) -> Value:
    """``bias + w1*x1 + ... + wn*xn`` as one node: a neuron's weighted sum.

    Its parents are ``(w1, x1, ..., wn, xn, bias)``, its local derivatives
    ``(x1, w1, ..., xn, wn, 1)``: the same gradients as the 2n ops of the sum written out,
    added in the same order (micrograd's), in one node instead of 2n.

    >>> w, x, b = Value(2.0, label="w"), Value(3.0, label="x"), Value(0.5, label="b")
    >>> y = dot([w], [x], b)
    >>> y.op, y.data, y.local_grads
    ('dot', 6.5, (3.0, 2.0, 1.0))
    """
    n = len(weights)
    if len(inputs) != n:
        raise ValueError(f"dot: {n} weight(s) but {len(inputs)} input(s); they pair up")
    parents: list[Any] = [bias] * (2 * n + 1)
    parents[0:-1:2] = weights
    parents[1:-1:2] = inputs
    if set(map(type, parents)) != _ONLY_VALUES:
        parents = [constant(p) for p in parents]
    datas = list(map(_get_data, parents))
    data = _DOT.forward(*datas)
    out = _new(Value)
    out.data, out.grad, out.label = data, 0.0, ""
    if _recording[0]:
        out.op, out.parents, out.local_grads = "dot", tuple(parents), _DOT.rule(*datas, data)
    else:
        out.op, out.parents, out.local_grads = "", (), ()
    return out


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
        if len(local_grads) != len(parents):
            raise TypeError(f"{op.name}: its rule gave {len(local_grads)} local derivative(s) "
                            f"for {len(parents)} input(s); it must give one per input")
    except DomainError:
        raise
    except OverflowError:
        why = f"result too large for a float {_describe(op, datas)}"
        raise OverflowError(f"{op.name}: {why}") from None
    except (ArithmeticError, ValueError) as err:
        raise DomainError(f"{op.name}: {err} {_describe(op, datas)}") from None
    out.op, out.parents, out.local_grads = op.name, parents, local_grads
    return out


def _made_by(data: float, children: Any, symbol: Any) -> tuple[str, tuple[Value, ...], tuple]:
    # micrograd's Value(data, _children, _op): the op named by its symbol, with the local
    # derivatives its rule gives for these parents and this result.
    unordered = isinstance(children, (set, frozenset))
    if not isinstance(children, str):
        try:
            children = tuple(children)
        except TypeError:
            pass
    if not isinstance(children, tuple):
        raise TypeError(f"_children must be a tuple of Values, got {children!r}; the "
                        f"signature is micrograd's, {SIGNATURE}: pass a label by name, "
                        "Value(2.0, label='a')")
    for child in children:
        if not isinstance(child, Value):
            raise TypeError(f"_children must be Values, got {type(child).__name__}: "
                            f"{child!r}; make a number a Value first, Value(3.0): {SIGNATURE}")
    if not isinstance(symbol, str) or not symbol:
        raise TypeError(f"Value({data!r}, _children=...) needs _op, the op that made it, "
                        f"e.g. Value(a.data + b.data, (a, b), '+'): {SIGNATURE}")
    if not children:
        raise TypeError(f"Value({data!r}, _op={symbol!r}) needs _children, the Values it was "
                        f"made from, e.g. Value(a.data + b.data, (a, b), '+'): {SIGNATURE}")
    try:
        name, exponent = op_of(symbol, len(children))
    except ValueError as err:
        raise TypeError(f"{err}; {SIGNATURE}") from None
    op = OPS[name]
    if unordered and len(children) > 1 and name not in ("add", "mul"):
        raise TypeError(f"_children is a set, whose order is anyone's guess, and {symbol!r} "
                        "needs its inputs in order: give a tuple, (a, b)")
    parents = tuple(children) + ((_leaf(exponent),) if exponent is not None else ())
    datas = tuple(p.data for p in parents)
    try:
        local_grads = tuple(float(g) for g in op.rule(*datas, data))
    except (ArithmeticError, ValueError) as err:
        raise DomainError(f"{op.name}: {err} {_describe(op, datas)}") from None
    return op.name, parents, local_grads


def _describe(op: Op, datas: tuple[float, ...]) -> str:
    names = op.input_names(len(datas))
    return "(" + ", ".join(f"{name}={d!r}" for name, d in zip(names, datas)) + ")"


# ---- fast paths for the commonest ops --------------------------------------------------------

_new = object.__new__
_get_data = operator.attrgetter("data")
_ONLY_VALUES = {Value}
_ADD, _SUB, _MUL, _NEG, _DOT = (OPS[name] for name in ("add", "sub", "mul", "neg", "dot"))


def _leaf(x: Any) -> Value:
    # A number operand of an op: a Constant leaf (a TypeError for anything else).
    out = _new(Constant)
    out.data = _as_float(x)
    out.grad, out.label, out.op, out.parents, out.local_grads = 0.0, "", "", (), ()
    return out


def _record2(op: Op, a: Value, b: Value, data: float) -> Value:
    # The result of a + - * whose number ``data`` the caller computed.
    out = _new(Value)
    out.data, out.grad, out.label = data, 0.0, ""
    if _recording[0]:
        out.op, out.parents, out.local_grads = op.name, (a, b), op.rule(a.data, b.data, data)
    else:
        out.op, out.parents, out.local_grads = "", (), ()
    return out


def _apply1(op: Op, a: Value) -> Value:
    # `apply` for a table op with one Value input: table forwards and rules give floats.
    x = a.data
    try:
        if op.domain is not None:
            why = op.domain(x)
            if why:
                raise DomainError(f"{op.name}: {why}")
        data = op.forward(x)
        out = _new(Value)
        out.data, out.grad, out.label = data, 0.0, ""
        if _recording[0]:
            out.op, out.parents, out.local_grads = op.name, (a,), op.rule(x, data)
        else:
            out.op, out.parents, out.local_grads = "", (), ()
        return out
    except DomainError:
        raise
    except OverflowError:
        raise OverflowError(f"{op.name}: result too large for a float (a={x!r})") from None
    except (ArithmeticError, ValueError) as err:
        raise DomainError(f"{op.name}: {err} (a={x!r})") from None


# math is imported for doctests that compare with it
__all__ = ["Value", "Constant", "no_grad", "is_recording", "apply", "constant", "dot", "math"]
