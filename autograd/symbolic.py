"""Exact gradients as formulas: ∂root/∂wrt as a sympy expression in the graph's labels.

`symbolic` runs the chain rule over the graph as `Value.backward` does, but on sympy
expressions instead of numbers: the root's gradient is 1, and each node sends (local
derivative)·(its gradient) to each parent, in reverse topological order. Every local
derivative is the op table's formula text (``out * (1 - out)`` for sigmoid), turned into
sympy by walking its whitelisted ``ast`` tree; nothing here differentiates anything, so the
result says exactly what the table says, written once. `prove_equal` compares a learner's
formula with that result and says True only when sympy proves them equal.

How Values are written:

- a labelled Value is a real sympy Symbol named by its label, whatever the label
  (``ŷ``, ``W1[1,2]``, ``layer1.neuron2.z``): ``sympy.Symbol(label, real=True)``;
- an unlabelled leaf is its number, exactly (`number`): 0.35 is 7/20, 0.1 is 1/10;
- an unlabelled Value made by an op is that op's forward (`Op.forward_formula`) in its
  parents' expressions (``1 - ŷ``, ``log(1 - ŷ)``).

With ``in_leaves=True`` every Value made by an op, labelled or not, is its forward, down to
the leaves. The formula language's functions become sympy functions: ``step(x)`` is
``Heaviside(x, 0)`` (step(0) = 0, as in the engine), ``relu(x)`` is ``Max(0, x)`` (its
textbook definition; sympy differentiates it to a Heaviside and simplifies it with real
symbols, where ``x*Heaviside(x, 0)`` would differentiate to a DiracDelta term),
``leaky_relu(x)`` is ``Max(x, x/100)``, ``sigmoid(x)`` is ``1/(1 + exp(-x))``,
``softplus(x)`` is ``log(1 + exp(x))``, ``abs`` is ``Abs`` and ``sign`` is ``sign``.

sympy is an optional extra: this module imports it only when one of its functions is
called, and then says how to install it if it is missing
(``pip install 'backprop-lab[symbolic]'``).

>>> from autograd import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> y = (w * x + 0.1).tanh(); y.label = "y"
>>> symbolic(y, w)
x*(1 - y**2)
>>> symbolic(y, w, in_leaves=True)
x*(1 - tanh(w*x + 1/10)**2)
"""

from __future__ import annotations

import ast
import math
import random
import unicodedata
import warnings
from collections.abc import Collection, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from autograd.formula import FUNCTIONS, LEAKY_SLOPE, parse
from autograd.graph import made_from, topological_order
from autograd.ops import OPS, Op
from autograd.time_limit import TooLong, time_limit
from autograd.value import Value

if TYPE_CHECKING:  # sympy is an optional extra, imported when a function is called
    import sympy

INSTALL = "pip install 'backprop-lab[symbolic]'"
"""How to get sympy, which this module needs when one of its functions is called."""

MAX_NODES = 150
"""`prove_equal` gives up (None) on a graph of more Values than this."""

MAX_TERMS = 3_000
"""`prove_equal` gives up (None) when the difference it has to prove 0 has more nodes than
this in its expression tree."""

PROOF_SECONDS = 2.0
"""`prove_equal` gives up (None) after this long: sympy's normal form of a sum over paths
of nested sigmoids can take minutes. The limit holds where Python can interrupt itself
(the main thread on Unix); elsewhere only a difference of at most `SIMPLIFY_LIMIT` nodes
is brought to a normal form."""

SIMPLIFY_LIMIT = 400
"""``sympy.simplify`` is called on expressions of at most this many nodes (their tree):
its time grows fast, to minutes, beyond."""

POINTS = 6
"""How many exact points `prove_equal` tries the difference at (half near the graph's own
numbers, half anywhere in [-2, 2]) before looking for a proof."""


class SymbolicError(ValueError):
    """A graph `symbolic` cannot write: an op that is not in the op table or has no
    derivative text, or an unlabelled leaf asked for as ``wrt``."""


class LabelCollisionWarning(UserWarning):
    """Two Values of the graph share a label; `symbolic` gave them distinct symbols."""


def _sympy() -> Any:
    try:
        import sympy
    except ImportError as err:  # pragma: no cover (sympy is installed for the tests)
        raise ImportError(
            f"autograd.symbolic needs sympy, an optional extra: {INSTALL}"
        ) from err
    return sympy


# ---- numbers and functions ------------------------------------------------------------------


def number(x: float) -> sympy.Expr:
    """A float as an exact sympy number: the simplest fraction with a denominator of at
    most 1000 that is exactly this float (0.35 → 7/20, 1/3 → 1/3), else the shortest
    decimal that Python prints for it, made exact (0.6329 → 6329/10000, 1e-12). So 0.1 is
    1/10, never 0.1000000000000000055511151231257827. Infinities and NaN stay what they are.

    >>> number(0.35), number(0.1), number(1 / 3), number(-2.0), number(1e-12)
    (7/20, 1/10, 1/3, -2, 1/1000000000000)
    """
    sp = _sympy()
    x = float(x)
    if math.isnan(x):
        return sp.nan
    if math.isinf(x):
        return sp.oo if x > 0 else -sp.oo
    decimal = sp.Rational(repr(x))
    fraction = Fraction(x).limit_denominator(1000)
    if float(fraction) == x and fraction.denominator < decimal.q:
        return sp.Rational(fraction.numerator, fraction.denominator)
    return decimal


def _functions(sp: Any) -> dict[str, Any]:
    # The formula language's functions (autograd.formula.FUNCTIONS) in sympy.
    slope = number(LEAKY_SLOPE)

    def leaky_relu(x: Any) -> Any:
        if 0 <= LEAKY_SLOPE <= 1:
            return sp.Max(x, slope * x)
        return sp.Piecewise((x, x > 0), (slope * x, True))

    return {
        "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh,
        "sin": sp.sin, "cos": sp.cos, "abs": sp.Abs, "sign": sp.sign,
        "sigmoid": lambda x: 1 / (1 + sp.exp(-x)),
        "softplus": lambda x: sp.log(1 + sp.exp(x)),
        "relu": lambda x: sp.Max(0, x),
        "leaky_relu": leaky_relu,
        "step": lambda x: sp.Heaviside(x, 0),
    }


def to_sympy(tree: ast.expr, variables: Mapping[str, Any]) -> sympy.Expr:
    """A tree of the formula language (`autograd.formula.parse`) as a sympy expression, each
    name replaced by its entry in ``variables``. The tree is walked node by node; no text is
    ever given to sympy to parse.

    >>> import sympy
    >>> a = sympy.Symbol("a", real=True)
    >>> to_sympy(parse("0.5 * step(a) + relu(a)**2"), {"a": a})
    Heaviside(a, 0)/2 + Max(0, a)**2
    """
    sp = _sympy()
    functions = _functions(sp)
    missing = set(FUNCTIONS) - set(functions)
    if missing:  # pragma: no cover (a function added to the language but not here)
        raise SymbolicError(f"no sympy form for the function(s) {', '.join(sorted(missing))}")
    try:
        return _walk(tree, variables, functions, sp)
    except RecursionError:
        raise SymbolicError("formula too deeply nested") from None


def _walk(node: ast.expr, variables: Mapping[str, Any], functions: dict[str, Any],
          sp: Any) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        return sp.Integer(node.value) if isinstance(node.value, int) else number(node.value)
    if isinstance(node, ast.Name):
        if node.id not in variables:
            known = ", ".join(sorted(variables)) or "none"
            raise SymbolicError(f"unknown name {node.id!r} (known: {known})")
        return variables[node.id]
    if isinstance(node, ast.BinOp):
        a = _walk(node.left, variables, functions, sp)
        b = _walk(node.right, variables, functions, sp)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        if isinstance(node.op, ast.Pow):
            return _power(a, b)
    if isinstance(node, ast.UnaryOp):
        a = _walk(node.operand, variables, functions, sp)
        if isinstance(node.op, ast.USub):
            return -a
        if isinstance(node.op, ast.UAdd):
            return a
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and len(node.args) == 1 and not node.keywords:
        if node.func.id not in functions:
            raise SymbolicError(f"unknown function {node.func.id!r}")
        return functions[node.func.id](_walk(node.args[0], variables, functions, sp))
    raise SymbolicError(f"{type(node).__name__} is not allowed in a formula")


MAX_EXPONENT = 1000
"""A number exponent may be at most this big in an exact expression, and a number raised to
a number may have at most 100 times as many bits: exact arithmetic would otherwise compute
``9**9**9`` for minutes (where floats overflow at once), and ``(x + 1)**5000`` makes
sympy's normal forms slow."""


class _TooLarge(SymbolicError):
    pass


def _power(a: Any, b: Any) -> Any:
    a_number, b_number = getattr(a, "is_Rational", False), getattr(b, "is_Rational", False)
    if b_number and abs(b) > MAX_EXPONENT:
        raise _TooLarge(f"the exponent {b} is larger than {MAX_EXPONENT}, too large for an "
                        "exact expression")
    if a_number and b_number:
        bits = abs(b.p) * (a.p.bit_length() + a.q.bit_length())
        if bits > 100 * MAX_EXPONENT:
            raise _TooLarge(f"a power of numbers of about {bits} bits, too large for an "
                            "exact expression")
    return a**b


@lru_cache(maxsize=512)
def _tree(text: str) -> ast.expr:
    return parse(text)


# ---- Values as expressions ------------------------------------------------------------------


class _Writer:
    """Each Value of a graph as a sympy expression (see the module docstring), cached.

    Symbols are given to the labelled Values of ``order`` first, in that order, so that two
    writers of the same graph (in labels, in leaves) give every Value the same symbol."""

    def __init__(self, sp: Any, in_leaves: bool, order: list[Value],
                 held: Collection[Value] = ()) -> None:
        self.sp = sp
        self.held = set(held)  # labelled leaves written as their numbers
        self.in_leaves = in_leaves
        self.functions = _functions(sp)
        self.expr: dict[Value, Any] = {}
        self.symbols: dict[Value, Any] = {}
        self.taken = {v.label for v in order if v.label}  # a renamed symbol avoids them
        self.named: set[str] = set()
        self.renamed: dict[str, list[Any]] = {}  # label -> the symbols after the first
        for v in order:
            if v.label:
                self.symbol(v)

    def symbol(self, v: Value) -> Any:
        if v not in self.symbols:
            name = v.label
            if name in self.named:  # a second Value with this label: a distinct symbol
                k = 2
                while f"{v.label}_{k}" in self.taken or f"{v.label}_{k}" in self.named:
                    k += 1
                name = f"{v.label}_{k}"
            self.named.add(name)
            self.symbols[v] = self.sp.Symbol(name, real=True)
            if name != v.label:
                self.renamed.setdefault(v.label, []).append(self.symbols[v])
        return self.symbols[v]

    def of(self, v: Value) -> Any:
        """The expression of ``v``; the expressions of its parents must be known."""
        if v in self.expr:
            return self.expr[v]
        if not v.parents:
            e = self.symbol(v) if v.label and v not in self.held else number(v.data)
        elif v.label and not self.in_leaves:
            e = self.symbol(v)
        else:
            e = self.forward(v)
        self.expr[v] = e
        return e

    def expression(self, v: Value) -> Any:
        """The expression of any Value, writing its graph first where needed."""
        if v not in self.expr:
            for node in topological_order(v):
                self.of(node)
        return self.expr[v]

    def forward(self, v: Value) -> Any:
        op = _op(v)
        n = len(v.parents)
        args = [self.expr[p] for p in v.parents]
        text = op.forward_formula(n)
        if not text:  # an op defined by the user: its forward is Python code only
            return self.sp.Function(op.name)(*args)
        return _walk(_tree(text), dict(zip(op.input_names(n), args)), self.functions, self.sp)

    def local(self, v: Value, i: int, env: dict[str, Any]) -> Any:
        """∂v/∂(parent i) from the op table's text, in the expressions of ``env``."""
        op = _op(v)
        try:
            text = op.formula(i, len(v.parents))
        except IndexError:
            text = ""
        if not text.strip():
            raise SymbolicError(
                f"op {op.name!r} has no derivative formula text for its input {i}: "
                "symbolic() writes every local derivative from the op table's text"
            )
        return _walk(_tree(text), env, self.functions, self.sp)

    def env(self, v: Value) -> dict[str, Any]:
        op = _op(v)
        env = dict(zip(op.input_names(len(v.parents)), (self.expr[p] for p in v.parents)))
        env["out"] = self.expr[v]
        return env

    def warn_collisions(self, shown: Any) -> None:
        """Say which labels were given renamed symbols in the expression ``shown``."""
        free: set[Any] = getattr(shown, "free_symbols", set())
        said = [
            f"{label!r} as {label}, {', '.join(s.name for s in symbols)}"
            for label, symbols in self.renamed.items() if free & set(symbols)
        ]
        if said:
            warnings.warn(
                "several Values share a label, so they were given distinct symbols: "
                + "; ".join(said) + " (in topological order). Label them apart to name them.",
                LabelCollisionWarning, stacklevel=3,
            )


def _op(v: Value) -> Op:
    op = OPS.get(v.op)
    if op is None:
        raise SymbolicError(
            f"op {v.op!r} is not in the op table: symbolic() needs its derivative as formula "
            "text (define it with autograd.define_op)"
        )
    return op


def expression(v: Value, *, in_leaves: bool = True) -> sympy.Expr:
    """The Value ``v`` as a sympy expression: with ``in_leaves=True`` (the default) in its
    leaves' labels only; with ``in_leaves=False`` labelled Values stay symbols.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> h = (x * 3).relu(); h.label = "h"
    >>> expression(h + 1), expression(h + 1, in_leaves=False)
    (Max(0, 3*x) + 1, h + 1)
    """
    order = topological_order(v)
    writer = _Writer(_sympy(), in_leaves, order)
    result = writer.expression(v)
    writer.warn_collisions(result)
    return result


# ---- the chain rule ----------------------------------------------------------------------------


def _gradient(writer: _Writer, order: list[Value], root: Value, wrt: Value) -> Any:
    # adjoint[v] = ∂root/∂v summed over the consumers of v processed so far, as in backward()
    for v in order:
        writer.of(v)
    on_path = made_from(order, [wrt])  # only Values made from wrt pass its gradient on
    adjoint: dict[Value, Any] = {root: writer.sp.Integer(1)}
    for node in reversed(order):
        upstream = adjoint.get(node)
        if upstream is None or not node.parents or node is wrt:
            continue
        env = writer.env(node)
        for i, parent in enumerate(node.parents):
            if parent not in on_path:
                continue
            # chain rule: ∂root/∂parent += ∂node/∂parent · ∂root/∂node
            term = writer.local(node, i, env) * upstream
            adjoint[parent] = term if parent not in adjoint else adjoint[parent] + term
    return adjoint.get(wrt, writer.sp.Integer(0))


def _check(root: Value, wrt: Value) -> None:
    for name, v in (("root", root), ("wrt", wrt)):
        if not isinstance(v, Value):
            raise TypeError(f"{name} must be a Value, got {type(v).__name__}")
    if not wrt.parents and not wrt.label:
        raise SymbolicError(
            "wrt is an unlabelled leaf, which symbolic() writes as its number; give it a "
            "label (w.label = 'w') to see the derivative as a function of it"
        )


def symbolic(root: Value, wrt: Value, *, in_leaves: bool = False,
             simplify: bool = True) -> sympy.Expr:
    """∂root/∂wrt, exactly, as a sympy expression in the graph's labels.

    The chain rule runs over the graph as in `Value.backward`, with every local derivative
    written from the op table's formula text; labelled Values are real symbols, unlabelled
    leaves exact numbers (`number`). With ``in_leaves=False`` (the default) labelled
    intermediates stay symbols, as the articles write a gradient (``ŷ·w5·x1·ReLU'(z1)``);
    with ``in_leaves=True`` each is then replaced by its expression, down to the leaves.

    The gradient in labels is passed through ``sympy.simplify`` (unless ``simplify=False``
    or its expression tree has more than `SIMPLIFY_LIMIT` nodes, where simplifying can take
    minutes) before the intermediates are replaced: the leaves' form is that simplified
    gradient written out, not simplified again, as sympy can spend minutes on a network's
    nested sigmoids in leaves.

    Two Values with the same label get distinct symbols (``w``, ``w_2``, in topological
    order) and a `LabelCollisionWarning` says so. An op missing from the table, or without
    derivative text, raises `SymbolicError` naming it; an op defined by the user has no
    forward text, so where its forward is needed it is written as an undefined function
    named after the op (``double(x)``). A leaf ``wrt`` must be labelled; if ``root`` does
    not depend on ``wrt`` the result is 0.

    >>> from autograd import Value
    >>> z = Value(0.5, label="z")
    >>> y = z.sigmoid(); y.label = "ŷ"
    >>> loss = -(1 - y).log()
    >>> symbolic(loss, z)
    ŷ
    >>> symbolic(loss, z, in_leaves=True)
    1/(1 + exp(-z))
    >>> x = Value(3.0, label="x")
    >>> symbolic(x * x + 0.35 * x, x)
    2*x + 7/20
    """
    _check(root, wrt)
    sp = _sympy()
    order = topological_order(root)
    labels = _Writer(sp, False, order)
    result = _gradient(labels, order, root, wrt)
    if simplify and not _bigger_than(result, SIMPLIFY_LIMIT):
        result = sp.simplify(result)
    if in_leaves:
        leaves = _Writer(sp, True, order)  # the same symbols: given in the same order
        for v in order:
            leaves.of(v)
        result = result.xreplace(
            {labels.symbols[v]: leaves.expr[v] for v in order if v.parents and v.label}
        )
    labels.warn_collisions(result)
    return result


# ---- checking a claim ---------------------------------------------------------------------------


def prove_equal(root: Value, wrt: Value, claim: ast.expr,
                names: Mapping[str, Value], *, held: Collection[Value] = ()) -> bool | None:
    """Whether the formula ``claim`` is ∂root/∂wrt, as far as sympy can tell for certain.

    ``claim`` is a tree of the formula language (`autograd.formula.parse`) whose names are
    keys of ``names``, each standing for a Value (a label's Value of the graph, usually).
    Both sides are written in the leaves (every labelled intermediate replaced by its
    expression), and their difference is

    - evaluated exactly at a few points, near the graph's own numbers and farther away:
      if it is certainly not 0 at one of them (sympy's numerical evaluation with guaranteed
      precision, at a point where both sides are defined and real), the answer is False;
    - else brought to a normal form (``sympy.cancel``, which treats exp(...), Max(...),
      Heaviside(...) as variables), and for a small difference simplified: True when that
      gives 0;
    - else None: "cannot tell". None also comes back at once for a graph of more than
      `MAX_NODES` Values, a difference of more than `MAX_TERMS` nodes, or a power beyond
      `MAX_EXPONENT`, whose normal form could take minutes, and after `PROOF_SECONDS`.

    Leaves in ``held`` (a target that keeps its number) are written as their numbers, not
    as symbols: the claim need only hold at them.

    A True is a proof (as far as sympy's algebra is right), a False an exact counterexample.
    Kinks are not special: step(0) = 0 on both sides.

    >>> from autograd import Value
    >>> z = Value(0.5, label="z")
    >>> y = z.sigmoid(); y.label = "ŷ"
    >>> loss = -(1 - y).log()
    >>> prove_equal(loss, z, parse("sigmoid(z)"), {"z": z})
    True
    >>> prove_equal(loss, z, parse("ŷ * (1 - ŷ)"), {"ŷ": y})
    False
    """
    _check(root, wrt)
    sp = _sympy()
    order = topological_order(root)
    if len(order) > MAX_NODES:
        return None
    try:
        with time_limit(PROOF_SECONDS) as limited:
            return _prove(sp, order, root, wrt, claim, names, held, limited)
    except TooLong:
        return None


def _prove(sp: Any, order: list[Value], root: Value, wrt: Value, claim: ast.expr,
           names: Mapping[str, Value], held: Collection[Value], limited: bool) -> bool | None:
    writer = _Writer(sp, True, order, held)
    try:
        truth = _gradient(writer, order, root, wrt)
        variables = {name: writer.expression(v) for name, v in names.items()}
        # Python's parser normalizes names (w₁ is read as w1): a claim's names may be either
        normalized = {unicodedata.normalize("NFKC", name): e for name, e in variables.items()}
        claimed = to_sympy(claim, {**normalized, **variables})
    except _TooLarge:
        return None
    difference = claimed - truth
    if difference == 0:
        return True
    if _bigger_than(difference, MAX_TERMS):
        return None
    if _nonzero_somewhere(difference, writer.symbols, sp):
        return False
    small = not _bigger_than(difference, SIMPLIFY_LIMIT)
    if not (limited or small):
        return None  # no way to stop a normal form that takes minutes
    attempts = [sp.cancel, lambda e: sp.cancel(e.rewrite(sp.exp))]
    if small:
        attempts.append(sp.simplify)
    for attempt in attempts:
        try:
            if attempt(difference) == 0:
                return True
        except Exception:  # noqa: BLE001 (sympy out of its depth: try the next, or cannot tell)
            continue
    return None


def _bigger_than(expr: Any, limit: int) -> bool:
    # True when expr's tree has more than ``limit`` nodes; stops counting there, so a tree
    # with exponentially many shared branches costs no more than ``limit`` steps.
    count = 0
    stack = [expr]
    while stack:
        count += 1
        if count > limit:
            return True
        stack.extend(stack.pop().args)
    return False


def _nonzero_somewhere(difference: Any, symbols: Mapping[Value, Any], sp: Any) -> bool:
    # Exact rational points, drawn with a fixed seed so that the answer is repeatable: half
    # near the graph's own numbers, half anywhere in [-2, 2] (where a forgotten ReLU' shows).
    # A point where the difference is undefined, not real, or too close to 0 to tell apart
    # from it is skipped.
    free = difference.free_symbols
    values = {s: number(v.data) for v, s in symbols.items() if s in free}
    if set(values) != free:  # a symbol of no Value (cannot happen from a claim's names)
        return False
    rng = random.Random(0)
    for k in range(POINTS):
        if k % 2 == 0:
            point = {s: x + sp.Rational(rng.randint(-100, 100), 1000) for s, x in values.items()}
        else:
            point = {s: sp.Rational(rng.randint(-2000, 2000), 1000) for s in values}
        try:
            at = sp.N(difference.xreplace(point), 30, strict=True)
        except Exception:  # noqa: BLE001 (PrecisionExhausted: it may well be 0; or a domain)
            continue
        if at.is_real and at.is_finite and at != 0:
            return True
    return False


__all__ = ["symbolic", "prove_equal", "expression", "to_sympy", "number", "SymbolicError",
           "LabelCollisionWarning", "INSTALL", "MAX_NODES", "MAX_TERMS", "SIMPLIFY_LIMIT",
           "MAX_EXPONENT"]
