"""Code generation from the op table: Python (compile) and JavaScript (player).

Both targets write a graph as straight-line code, one line per op, from the op table's texts
(each op's forward ``expression`` and derivative ``formulas``) and generated identifiers;
no derivative is written here.

**Python: compiled replay.** `compile(fn, *example)` calls ``fn`` once on leaf Values, takes
the graph it builds and writes one Python function that computes the same forward pass and
backward pass on plain floats: one line per op forward, one line per edge backward, in the
order `Value.backward` runs. For new input numbers it gives the same output and gradients
as the eager engine (within 1e-12, usually to the last bit), many times faster, since it
builds no Value objects.

The code is printable (``print(replay.source)``): the chain rule that backprop really runs.
It is written only from the op table (forward expressions and derivative formulas of the
built-in ops, whose names are the ones the formulas use) and from generated identifiers:
``x3`` for input 3, ``c0`` for a constant, ``v7`` for an op's result, ``g_v7`` for ∂out/∂v7.
A forward that is a call or a power calls the op's own float function (``tanh_forward``),
so numbers and domain errors are the engine's; ``relu(a)`` is written inline, as a call
would cost more than the op. Labels and other user text only ever appear in comments,
escaped with `ascii`.

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

**JavaScript: the player.** `javascript(order)` writes one function that recomputes, in a
web page, every Value's number and every edge's local derivative from the leaves' numbers,
calling the formula language's functions from ``autograd/player/static/formula.js``. Each
operation is in parentheses, so the page evaluates the table's text in Python's order and
gets Python's numbers (within 1e-12, mostly to the last bit). A result that is not a finite
number throws the runtime's ``DomainError``, which names the op and its operands. Only
built-in ops can be written: a user-defined op is a Python function (`NotGenerated`).
"""

from __future__ import annotations

import ast
import builtins
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from autograd.formula import signed_constant_of
from autograd.graph import made_from, topological_order
from autograd.ops import BUILT_IN, FUNCTIONS, OPS, DomainError, Op
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


class NotGenerated(ValueError):
    """A graph that code cannot be written for: it holds an op with no formula text.

    >>> from autograd import define_op
    >>> double = define_op("double", lambda a: 2 * a, lambda a, out: (2.0,), "2")
    >>> javascript(topological_order(double(Value(1.0))))
    Traceback (most recent call last):
    ...
    autograd.replay.NotGenerated: the op 'double' is computed by a Python function
    (define_op), which a web page cannot run
    >>> del OPS["double"]
    """


def javascript(order: Sequence[Value]) -> str:
    """The source of ``function (leaves, F) {...}``, the graph ``order`` recomputed in a page.

    ``order`` is a topological order (`autograd.graph.topological_order`). The function
    takes ``leaves``, one number per Value without parents, in their order in ``order``, and
    ``F``, the runtime ``BackpropFormula`` of ``autograd/player/static/formula.js``. It
    returns ``{data, local}``: ``data[k]`` is the number of ``order[k]`` and ``local[k]``
    its local derivatives, one per parent (``[]`` for a leaf), as `Value.data` and
    `Value.local_grads` give them. A number that is not finite throws ``F.DomainError``
    naming the op and its operands (``log: not defined at a = 0``). The source holds only
    generated identifiers (``d3`` for ``order[3]``, ``l3_0`` for its local derivative with
    respect to parent 0), numbers, operators, built-in op names and calls of ``F``: no
    label, no user text.

    >>> x = Value(2.0, label="x")
    >>> print(javascript(topological_order(x.log())))
    function (leaves, F) {
      var d0 = leaves[0];
      var d1 = F.log(d0);
      if (!F.finite(d1)) throw F.domainError(1, "log", ["a"], [d0], d1, null);
      var l1_0 = (1.0 / d0);
      if (!F.finite(l1_0)) throw F.domainError(1, "log", ["a"], [d0], l1_0, "a");
      return {data: [d0, d1], local: [[], [l1_0]]};
    }
    """
    name: dict[Value, str] = {}
    lines = ["function (leaves, F) {"]
    leaves = 0
    local: list[str] = []
    for k, node in enumerate(order):
        if not node.parents:
            lines.append(f"  var d{k} = leaves[{leaves}];")
            leaves += 1
            local.append("[]")
            name[node] = f"d{k}"
            continue
        op = _formula_op(node)
        n = len(node.parents)
        if any(p not in name for p in node.parents):
            raise ValueError("javascript(): order must be a topological order "
                             "(every Value after its parents)")
        variables = _variables(op, node, name)
        name[node] = variables["out"] = f"d{k}"
        # Arguments of F.domainError: the node's position, the op, its input names and
        # their numbers.
        where = (f"{k}, {_js_string(op.name)}, "
                 f"[{', '.join(map(_js_string, op.input_names(n)))}], "
                 f"[{', '.join(name[p] for p in node.parents)}]")
        code, _ = _javascript_expression(op, op.forward_formula(n), variables)
        lines += [f"  var d{k} = {code};",
                  f"  if (!F.finite(d{k})) throw F.domainError({where}, d{k}, null);"]
        derivatives = []
        for i, input_name in enumerate(op.input_names(n)):
            code, atom = _javascript_expression(op, op.formula(i, n), variables)
            if not atom:  # a name or a number is finite already; the rest is checked
                lines += [f"  var l{k}_{i} = {code};",
                          f"  if (!F.finite(l{k}_{i})) throw F.domainError("
                          f"{where}, l{k}_{i}, {_js_string(input_name)});"]
                code = f"l{k}_{i}"
            derivatives.append(code)
        local.append(f"[{', '.join(derivatives)}]")
    data = ", ".join(f"d{k}" for k in range(len(order)))
    lines += [f"  return {{data: [{data}], local: [{', '.join(local)}]}};", "}"]
    return "\n".join(lines)


def _formula_op(node: Value) -> Op:
    # The op of ``node``, if the page can compute it from the table's texts alone.
    op = OPS.get(node.op)
    if node.op not in BUILT_IN or op is None:
        raise NotGenerated(f"the op {node.op!r} is computed by a Python function (define_op), "
                           "which a web page cannot run")
    if not op.expression:
        raise NotGenerated(f"the op {node.op!r} has no formula for its forward in the op "
                           "table, so a web page cannot compute it")
    return op


_JS_OPERATORS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
                                  ast.Pow: "**", ast.USub: "-", ast.UAdd: "+"}
_GENERATED = re.compile(r"[dl]\d+(_\d+)?")


def _javascript_expression(op: Op, text: str, variables: dict[str, str]) -> tuple[str, bool]:
    # A formula of the table in JavaScript, in generated identifiers; True if it is a name or
    # a number (finite already, needs no check).
    tree = _renamed(text, variables)
    try:
        return _js(tree), isinstance(tree, ast.Name) or signed_constant_of(tree) is not None
    except (KeyError, ValueError, OverflowError):
        raise NotGenerated(f"the formula {text!r} of the op {op.name!r} cannot be written "
                           "in JavaScript") from None


def _js(node: ast.expr) -> str:
    # Every operation in parentheses: JavaScript then computes the Python tree's operations
    # in the same order, and never sees ``-x ** 2`` (which it refuses).
    if isinstance(node, ast.BinOp):
        return f"({_js(node.left)} {_JS_OPERATORS[type(node.op)]} {_js(node.right)})"
    if isinstance(node, ast.UnaryOp):
        return f"({_JS_OPERATORS[type(node.op)]}{_js(node.operand)})"
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        function = ast.unparse(node.func)
        if function in FUNCTIONS:
            return f"F.{function}({_js(node.args[0])})"
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        number = float(node.value)
        if math.isfinite(number) and not isinstance(node.value, bool):
            return repr(number)
    if isinstance(node, ast.Name) and _GENERATED.fullmatch(node.id):
        return node.id
    raise ValueError(f"not in the formula language: {ast.unparse(node)}")


def _js_string(text: str) -> str:
    # A JavaScript string literal that is safe inside an HTML <script> too.
    quoted = json.dumps(text)
    return quoted.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def probe(out: Value, inputs: Sequence[Value], watch: Sequence[Value]) -> Probe:
    """A compiled replay that also returns, for each Value in ``watch``, its number and
    ∂out/∂(that Value): ``values, gradients = probe(...)(input_numbers)``.

    Checks of a learner's formula use it to re-run a graph at many points, reading its
    labelled intermediate values (z1, ŷ) as well as its gradients.

    >>> x = Value(3.0)
    >>> y = x * x
    >>> z = y + 1.0
    >>> probe(z, [x], [y, x])([4.0])
    ([16.0, 4.0], [1.0, 8.0])
    """
    inputs = list(inputs)
    source, namespace = _generate(out, inputs, list(watch))
    return Probe(source, namespace, len(inputs))


class Probe(Replay):
    """A `Replay` that returns the numbers and gradients of the Values it watches."""

    def __call__(self, inputs: Sequence[float]) -> tuple[list[float], list[float]]:  # type: ignore[override]
        return super().__call__(inputs)  # type: ignore[return-value]


def _generate(
    out: Value, inputs: list[Value], watch: list[Value] | None = None
) -> tuple[str, dict[str, Any]]:
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
    needed = made_from(order, [*inputs, *(watch or [])])
    backward: list[str] = []
    if out in needed:
        backward.append(f"    g_{name[out]} = 1.0")
    assigned = {out}
    for node in reversed(order):
        if node not in needed or not node.parents:
            continue
        backward.extend(_backward_lines(node, name, needed, assigned, namespace))
    grads = [f"g_{name[x]}" if x in assigned else "0.0" for x in inputs]
    result = f"({name[out]}, [{', '.join(grads)}])"
    if watch is not None:
        values = [name[v] for v in watch]
        grads = ["1.0" if v is out else f"g_{name[v]}" if v in assigned else "0.0"
                 for v in watch]
        result = f"([{', '.join(values)}], [{', '.join(grads)}])"
    lines = ["def replay(inputs):", *header, *forward, *backward, f"    return {result}"]
    return "\n".join(lines), namespace


# Formula functions Python writes inline, where a call would cost more than the op itself
# (a network's ReLUs): the same numbers as `autograd.formula.relu`.
_INLINE = {"relu": "0.0 if x <= 0 else x"}


def _forward_line(node: Value, name: dict[Value, str], namespace: dict[str, Any]) -> str:
    op = OPS[node.op]
    n = len(node.parents)
    variables = _variables(op, node, name)
    formula = op.forward_formula(n) if op.name in BUILT_IN else ""
    tree = ast.parse(formula, mode="eval").body if formula else None
    if isinstance(tree, ast.Call) and ast.unparse(tree.func) in _INLINE:
        argument = _substitute(ast.unparse(tree.args[0]), variables)
        text = _substitute(_INLINE[ast.unparse(tree.func)], {"x": argument})
    elif tree is not None and not any(isinstance(t, (ast.Call, ast.Pow)) for t in ast.walk(tree)):
        text = _substitute(formula, variables)
    else:  # a call or a power: the op's own float function, the engine's numbers and errors
        function = _function(op.name, "forward", op.forward, namespace)
        text = f"{function}({', '.join(variables.values())})"
    return f"    {name[node]} = {text}  # {_comment(op.name)}"


def _variables(op: Op, node: Value, name: dict[Value, str]) -> dict[str, str]:
    # The op's input names (a, b; w1, x1, ...) to the generated identifiers of its parents.
    return dict(zip(op.input_names(len(node.parents)), (name[p] for p in node.parents)))


def _backward_lines(
    node: Value, name: dict[Value, str], needed: set[Value], assigned: set[Value],
    namespace: dict[str, Any],
) -> list[str]:
    op = OPS[node.op]
    n = len(node.parents)
    upstream = f"g_{name[node]}"
    lines = []
    if op.name in BUILT_IN:
        variables = _variables(op, node, name)
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
    return ast.unparse(_renamed(text, variables))


def _renamed(text: str, variables: dict[str, str]) -> ast.expr:
    # The formula's tree with its input names renamed to generated identifiers.
    tree = ast.parse(text, mode="eval").body
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in variables:
            node.id = variables[node.id]
    return tree


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
