"""Higher-order gradients: `grad` without touching ``.grad``, gradients of gradients, Hessians.

`grad(y, xs)` runs the chain rule backwards from ``y`` like `Value.backward`, but keeps the
result to itself. With ``create_graph=True`` it re-applies each op's derivative rule from
the op table to the *Values* of the graph (not to their numbers), so every gradient is a
Value with its own graph, which can be differentiated again. No second set of derivative
formulas exists: ∂²/∂x² of ``tanh`` comes from differentiating its rule ``1 - out**2``.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> y = x ** 3
>>> (dx,) = grad(y, [x], create_graph=True)    # 3x² = 27
>>> (d2x,) = grad(dx, [x])                     # 6x = 18
>>> dx.data, d2x.data, x.grad
(27.0, 18.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Union

from autograd.graph import made_from, topological_order
from autograd.ops import OPS
from autograd.value import Value, constant, is_recording

Number = Union[int, float]  # noqa: UP007 (a runtime alias: Python 3.10 needs Union here)


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """∂output/∂x for each Value x in ``inputs``, as new Values; no ``.grad`` field changes.

    ``create_graph=False``: each gradient is a leaf Value holding the number, computed from
    the local derivatives recorded in the graph (this also works inside `no_grad`).
    ``create_graph=True``: each gradient is a Value whose graph is built by calling the op
    table's rules on Values, so it can be differentiated again, drawn or explained; it may
    be a Value of the graph itself (∂(a·b)/∂a is ``b``), so treat it as read-only. Inside
    `no_grad` that graph could not be recorded, so it raises an error instead of returning
    numbers that would silently have second derivative 0.

    An input that ``output`` does not depend on gets the gradient 0.0 (it is a constant as
    far as ``output`` is concerned). Inputs may be interior Values as well as leaves.

    >>> w = Value(0.5, label="w")
    >>> y = (w * 4.0).tanh(); y.label = "y"
    >>> (dw,) = grad(y, [w], create_graph=True)
    >>> (d2w,) = grad(dw, [w])
    >>> round(dw.data, 6), round(d2w.data, 6), dw.label
    (0.282603, -2.179499, '∂y/∂w')
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad() needs a Value as its output, got {type(output).__name__}")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad(): inputs[{i}] is a {type(x).__name__}, not a Value")
    if create_graph and not is_recording():
        raise RuntimeError(
            "grad(create_graph=True) inside no_grad(): the gradient's graph would not be "
            "recorded; call it outside the no_grad block, or use create_graph=False"
        )

    order = topological_order(output)
    in_graph = set(order)
    # Only Values on a path from some input to the output need a gradient.
    on_path = made_from(order, inputs)

    # adjoint[v] = ∂output/∂v, summed over the consumers of v processed so far: a float,
    # or a Value when create_graph is on and it depends on the graph.
    adjoint: dict[Value, Any] = {output: 1.0}
    for node in reversed(order):
        upstream = adjoint.get(node)
        if upstream is None or not node.parents:
            continue
        locals_ = _local_grads(node) if create_graph else node.local_grads
        for parent, local in zip(node.parents, locals_):
            if parent not in on_path or (_is_number(local) and local == 0):
                continue
            # chain rule: ∂output/∂parent += ∂node/∂parent · ∂output/∂node
            term = _times(local, upstream)
            adjoint[parent] = term if parent not in adjoint else adjoint[parent] + term

    result = []
    for x in inputs:
        g = adjoint.get(x, 0.0)
        if not isinstance(g, Value) or not create_graph:
            g = Value(g.data if isinstance(g, Value) else float(g))
        if not g.label and g not in in_graph and output.label and x.label:
            g.label = f"∂{_group(output.label)}/∂{_group(x.label)}"
        result.append(g)
    return result


def hessian(f: Callable[..., Any], inputs: Sequence[Number]) -> list[list[float]]:
    """The matrix of second derivatives ∂²f/∂x_i∂x_j of a scalar ``f(*Values)`` at ``inputs``.

    One `grad` with ``create_graph=True`` gives the gradient as Values; one more `grad` per
    gradient entry gives a row. The result is symmetric up to rounding.

    >>> hessian(lambda x, y: x**2 * y + y.exp(), [1.0, 0.0])
    [[0.0, 2.0], [2.0, 1.0]]
    """
    xs, gradient = _gradient(f, inputs)
    return [[g.data for g in grad(gi, xs)] for gi in gradient]


def hvp(f: Callable[..., Any], inputs: Sequence[Number], v: Sequence[Number]) -> list[float]:
    """The Hessian of ``f`` at ``inputs`` times the vector ``v``, without forming the Hessian:
    H·v = ∇(∇f · v), one gradient of a gradient.

    >>> hvp(lambda x, y: x**2 * y + y.exp(), [1.0, 0.0], [1.0, 1.0])
    [2.0, 3.0]
    """
    if len(v) != len(inputs):
        raise ValueError(f"hvp(): v has {len(v)} entries, inputs have {len(inputs)}")
    xs, gradient = _gradient(f, inputs)
    directional = sum((g * float(vi) for g, vi in zip(gradient, v)), Value(0.0))
    return [g.data for g in grad(directional, xs)]


def _gradient(f: Callable[..., Any], inputs: Sequence[Number]) -> tuple[list[Value], list[Value]]:
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(inputs)]
    y = f(*xs)
    if not isinstance(y, (Value, int, float)):
        raise TypeError(f"f must return a Value (a scalar), got {type(y).__name__}")
    return xs, grad(constant(y), xs, create_graph=True)


def _local_grads(node: Value) -> tuple[Any, ...]:
    """∂node/∂parent_i as Values: the op's rule called on the parents and on node itself."""
    op = OPS.get(node.op)
    if op is None:
        raise KeyError(f"grad(create_graph=True): op {node.op!r} is not in the op table")
    # constant inputs (a number exponent) enter the rule as numbers, as in the forward pass
    args = [p.data if i in op.constant_inputs else p for i, p in enumerate(node.parents)]
    unfit = (
        f"grad(create_graph=True): the rule of op {node.op!r} does not work on Values; "
        "write it with arithmetic and the functions of autograd.ops (exp, log, step, ...)"
    )
    try:
        locals_ = tuple(op.rule(*args, node))
    except (TypeError, AttributeError) as err:
        raise TypeError(f"{unfit} ({err})") from err
    if len(locals_) != len(node.parents) or not all(
        isinstance(g, Value) or _is_number(g) for g in locals_
    ):
        raise TypeError(f"{unfit} (it returned {locals_!r})")
    return locals_


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _times(local: Any, upstream: Any) -> Any:
    # Multiplying by the number 1 would only add a node to the drawn gradient graph.
    if _is_number(local) and local == 1:
        return upstream
    if _is_number(upstream) and upstream == 1:
        return local
    return local * upstream


def _group(label: str) -> str:
    return f"({label})" if "/" in label else label


__all__ = ["grad", "hessian", "hvp"]
