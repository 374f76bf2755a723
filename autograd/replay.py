"""Compiled replay: a graph traced once, turned into straight-line Python for its chain rule.

`compile(fn, *example)` calls ``fn`` once on leaf Values, takes the graph it builds and writes
one Python function that computes the same forward pass and backward pass on plain floats:
one line per op forward, one line per edge backward, in the order `Value.backward` runs. For
new input numbers it gives the same output and gradients as the eager engine (within 1e-12,
usually to the last bit), many times faster, since it builds no Value objects.

The code is printable (``print(replay.source)``): the chain rule that backprop really runs.
It is written only from the op table (forward expressions and derivative formulas of the
built-in ops, whose names are the ones the formulas use) and from generated identifiers:
``x3`` for input 3, ``c0`` for a constant, ``v7`` for an op's result, ``g_v7`` for ∂out/∂v7.
Labels and other user text only ever appear in comments, escaped with `ascii`.

What a trace freezes: the graph's *shape*. A ReLU taking the other branch is not a change
(its forward and derivative are computed for the new numbers), nor is any other op's
number. Python ``if``s on ``.data`` inside ``fn``, ops run under `no_grad`, and leaves that
are not inputs are fixed at trace time (those leaves become constants). A call with a
different number of inputs is refused with an error saying to compile again.

>>> r = compile(lambda w, x: (w * x + 1.0).tanh(), 0.0, 0.0)
>>> out, grads = r([0.5, 2.0])
>>> w, x = Value(0.5), Value(2.0)
>>> y = (w * x + 1.0).tanh()
>>> y.backward()
>>> (out, grads) == (y.data, [w.grad, x.grad])
True
>>> print(r.source)  # doctest: +ELLIPSIS
def replay(inputs):
    x0, x1 = inputs
    c0 = 1.0
    v0 = x0 * x1  # mul
    v1 = v0 + c0  # add
    v2 = tanh_forward(v1)  # tanh
    g_v2 = 1.0
    g_v1 = (1 - v2 ** 2) * g_v2
    g_v0 = g_v1
    g_x0 = x1 * g_v0
    g_x1 = x0 * g_v0
    return (v2, [g_x0, g_x1])
"""

from __future__ import annotations

import ast
import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd.graph import made_from, topological_order
from autograd.ops import BUILT_IN, FUNCTIONS, OPS, DomainError
from autograd.value import Value


class Replay:
    """A traced graph as a function of its input numbers: ``out, grads = replay(inputs)``.

    ``grads[i]`` is ∂out/∂inputs[i] for this call alone (nothing accumulates); ``source`` is
    the generated code.

    >>> w = Value(3.0, label="w")
    >>> r = compile_graph(w * w, [w])
    >>> r([4.0])
    (16.0, [8.0])
    """

    def __init__(self, source: str, namespace: dict[str, Any], n_inputs: int) -> None:
        self.source = source
        self.n_inputs = n_inputs
        # The one place the project runs generated code, and why that is safe: `source` is
        # written by `_generate` from the op table's built-in expressions and formulas,
        # generated identifiers (x3, c0, v7, g_v7) and float reprs; user text (labels, names
        # of user-defined ops) reaches it only inside ascii()-escaped comments. The
        # namespace gives it no builtins, only the table's functions.
        code = builtins.compile(source, "<replay>", "exec")
        exec(code, namespace)  # noqa: S102 (see above: generated from the op table only)
        self._run: Callable[[Sequence[float]], tuple[float, list[float]]] = namespace["replay"]

    def __call__(self, inputs: Sequence[float]) -> tuple[float, list[float]]:
        if len(inputs) != self.n_inputs:
            raise ValueError(
                f"this replay was traced with {self.n_inputs} input(s), got {len(inputs)}; "
                "the graph's shape differs, so compile it again for these inputs"
            )
        try:
            return self._run(inputs)
        except (ArithmeticError, ValueError) as err:
            raise DomainError(
                f"replay: {err}; run the eager engine on these inputs to see which op and "
                "operand are outside the op's domain"
            ) from None


def compile(fn: Callable[..., Value], *example: float) -> Replay:
    """Trace ``fn(*Values)`` once at the numbers ``example`` and return its `Replay`.

    >>> r = compile(lambda a, b: a * b + a, 2.0, 5.0)
    >>> r([3.0, 4.0])
    (15.0, [5.0, 3.0])
    """
    inputs = [Value(x) for x in example]
    out = fn(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"compile(): fn must return a Value, got {type(out).__name__}")
    return compile_graph(out, inputs)


def compile_graph(out: Value, inputs: Sequence[Value]) -> Replay:
    """The `Replay` of a graph already built: ``out`` as a function of the leaves ``inputs``.

    Use it for a model: build the loss once with Values, then replay it with new numbers
    for the parameters and data.

    >>> a, b = Value(2.0), Value(5.0)
    >>> compile_graph(a / b, [a, b])([1.0, 4.0])
    (0.25, [0.25, -0.0625])
    """
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value) or x.parents:
            raise TypeError(f"compile_graph(): inputs[{i}] must be a leaf Value (no parents)")
    if len(set(inputs)) != len(inputs):
        raise ValueError("compile_graph(): an input Value is listed twice")
    source, namespace = _generate(out, inputs)
    return Replay(source, namespace, len(inputs))


def _generate(out: Value, inputs: list[Value]) -> tuple[str, dict[str, Any]]:
    order = topological_order(out)
    name: dict[Value, str] = {x: f"x{i}" for i, x in enumerate(inputs)}
    namespace: dict[str, Any] = {"__builtins__": {}, "inf": math.inf, "nan": math.nan}
    namespace.update(FUNCTIONS)
    unpack = ", ".join(name[x] for x in inputs) + ("," if len(inputs) == 1 else "")
    header = [f"    {unpack or '()'} = inputs"]
    header += [f"    # {name[x]}: {ascii(x.label)}" for x in inputs if x.label]
    forward: list[str] = []
    for node in order:
        if node in name:
            continue
        if not node.parents:  # a leaf that is not an input: a constant
            name[node] = f"c{sum(n.startswith('c') for n in name.values())}"
            header.append(f"    {name[node]} = {node.data!r}")
            continue
        name[node] = f"v{len(forward)}"
        forward.append(_forward_line(node, name, namespace))

    # Only Values on a path from an input need a gradient (others would add nothing).
    needed = made_from(order, inputs)
    backward: list[str] = []
    if out in needed:
        backward.append(f"    g_{name[out]} = 1.0")
    assigned = {out}
    for node in reversed(order):
        if node not in needed or not node.parents:
            continue
        backward.extend(_backward_lines(node, name, needed, assigned, namespace))
    grads = [f"g_{name[x]}" if x in assigned else "0.0" for x in inputs]
    lines = ["def replay(inputs):", *header, *forward, *backward,
             f"    return ({name[out]}, [{', '.join(grads)}])"]
    return "\n".join(lines), namespace


def _forward_line(node: Value, name: dict[Value, str], namespace: dict[str, Any]) -> str:
    op = OPS[node.op]
    n = len(node.parents)
    args = [name[p] for p in node.parents]
    expression = op.forward_expression(n) if op.name in BUILT_IN else ""
    if expression:
        text = _substitute(expression, dict(zip(op.input_names(n), args)))
    else:
        function = _function(op.name, "forward", op.forward, namespace)
        text = f"{function}({', '.join(args)})"
    return f"    {name[node]} = {text}  # {_comment(op.name)}"


def _backward_lines(
    node: Value, name: dict[Value, str], needed: set[Value], assigned: set[Value],
    namespace: dict[str, Any],
) -> list[str]:
    op = OPS[node.op]
    n = len(node.parents)
    upstream = f"g_{name[node]}"
    lines = []
    if op.name in BUILT_IN:
        variables = dict(zip(op.input_names(n), (name[p] for p in node.parents)))
        variables["out"] = name[node]
        locals_ = [_substitute(op.formula(i, n), variables) for i in range(n)]
    else:  # a user-defined op: its rule is called by a generated name, its text never used
        rule = _function(op.name, "rule", op.rule, namespace)
        locals_ = [f"d_{name[node]}_{i}" for i in range(n)]
        args = ", ".join(name[p] for p in [*node.parents, node])
        lines.append(f"    {', '.join(locals_)}, = {rule}({args})  # {_comment(op.name)}")
    for i, parent in enumerate(node.parents):
        if parent not in needed or i in op.constant_inputs:
            continue
        local = locals_[i]
        # grad(parent) += local * upstream; a local of 1 or -1 adds or subtracts exactly
        if local == "1":
            term, sign = upstream, "+"
        elif local == "-1":
            term, sign = upstream, "-"
        else:
            atom = isinstance(ast.parse(local, mode="eval").body, _ATOMS)
            term, sign = (f"{local} * " if atom else f"({local}) * ") + upstream, "+"
        target = f"g_{name[parent]}"
        if parent in assigned:
            lines.append(f"    {target} {sign}= {term}")
        else:
            assigned.add(parent)
            lines.append(f"    {target} = {'-' if sign == '-' else ''}{term}")
    return lines


_ATOMS = (ast.Name, ast.Constant, ast.Call)  # need no parentheses before "* upstream"


def _substitute(text: str, variables: dict[str, str]) -> str:
    # Rename the formula's input names to generated identifiers, on the parsed tree.
    tree = ast.parse(text, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in variables:
            node.id = variables[node.id]
    return ast.unparse(tree)


def _function(op_name: str, role: str, fn: Callable[..., Any], namespace: dict[str, Any]) -> str:
    # A generated name for an op's forward or rule in the namespace of the code.
    key = f"{op_name}_{role}" if op_name in BUILT_IN else f"op{len(namespace)}_{role}"
    for existing, value in namespace.items():
        if value is fn and existing.endswith(role):
            return existing
    namespace[key] = fn
    return key


def _comment(text: str) -> str:
    return ascii(text)[1:-1]
