"""Chain-rule explanations: ∂root/∂wrt as a sum over paths, and backward() one step at a time.

`explain(root, wrt)` writes ∂root/∂wrt as the sum, over every path from ``wrt`` up to
``root``, of the product of the local derivatives along it, each shown as its formula from
the op table (in the Values' labels) and as a number. `backward_steps(root)` replays
``root.backward()`` node by node and says what each chain-rule step sends to each parent.

Each also writes itself in LaTeX, as the articles do (``to_latex()``), and a notebook shows
it typeset: ``_repr_latex_`` gives ``$$...$$``, which JupyterLab, the classic notebook, VS Code
and nbconvert render with MathJax or KaTeX. There is deliberately no ``_repr_html_`` beside
it: every one of those front ends prefers text/html to text/latex, so an HTML form would hide
the math. ``print()`` gives the text.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> s = x * x; s.label = "s"
>>> y = 3 * s; y.label = "y"
>>> print(explain(y, x).paths[0])
∂y/∂x = 3 · 4 = 12
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from autograd.graph import depends_on, reached_through, topological_order
from autograd.notation import (
    FORMAT,
    bracket,
    derivative_name,
    is_constant,
    latex_derivative,
    latex_local_formula,
    latex_local_text,
    latex_name,
    latex_names_map,
    latex_negated,
    latex_number,
    latex_product,
    latex_sum,
    latex_text,
    local_formula,
    local_text,
    names_map,
    number,
)
from autograd.ops import OPS
from autograd.value import Value

_MAX_TERMS = 4  # a merged factor with more sub-paths than this shows no formula text
_MAX_EDGES = 8  # nor one along more ops than this
_MAX_LATEX_PATHS = 24  # more paths than this, and to_latex() writes the factors instead
_MAX_LATEX_TERMS = 8  # a sum of more path values than this is written a + b + ... + z

_Edges = tuple[tuple[Value, int], ...]
"""A sub-path as (child, parent index) edges, from the upper end down."""
_LatexRow = tuple[str, str]
"""One line of an aligned equation: what stands left of its first "=", and the rest."""


def _latex_names(root: Value, wrt: Value | None, fmt: str) -> dict[Value, str]:
    # Every Value below root (and wrt, even when it is not) by its LaTeX name.
    name_of = latex_names_map(topological_order(root), fmt)
    if wrt is not None and wrt not in name_of:
        name_of[wrt] = latex_name(wrt.label) if wrt.label else latex_number(wrt.data, fmt)
    return name_of


def _latex_block(rows: list[_LatexRow]) -> str:
    # One line as it is; several as an aligned environment, aligned on their first "=".
    if len(rows) == 1:
        return " = ".join(rows[0])
    lines = " \\\\\n".join(f"  {left} &= {right}" for left, right in rows)
    return f"\\begin{{aligned}}\n{lines}\n\\end{{aligned}}"


def _display(latex: str) -> str:
    # What IPython's text/latex carries: display math that MathJax and KaTeX typeset.
    return f"$$\n{latex}\n$$"


# ---- explain ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """∂child/∂parent between two named Values: the local derivative when they are joined by
    one op, else the sum over the paths between them through unlabelled Values.

    >>> from autograd import Value
    >>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
    >>> z = w * x; z.label = "z"
    >>> explain(z, w).factors[0].describe()
    '∂z/∂w = x = 2'
    """

    child: Value
    parent: Value
    name: str
    """e.g. ``∂z1/∂w1``"""
    formula: str
    """in the Values' labels, e.g. ``x1``; ``""`` when there are too many sub-paths to show"""
    value: float
    paths: int
    """how many paths of single ops this factor sums"""
    terms: tuple[_Edges, ...] | None = field(default=None, repr=False, compare=False)
    """the sub-paths it sums, as edges; None when too many to write (as for ``formula``)"""

    def to_latex(self, names: Mapping[Value, str] | None = None, fmt: str = FORMAT) -> str:
        r"""One line in LaTeX: the derivative, its formula in the labels, its number.
        ``names`` maps Values to LaTeX names (by default those of the graph below it).

        >>> from autograd import Value
        >>> z = Value(0.8, label="z1")
        >>> h = z.relu(); h.label = "h1"
        >>> print(explain(h, z).factors[0].to_latex())  # doctest: +NORMALIZE_WHITESPACE
        \frac{\partial h_{1}}{\partial z_{1}}
          = \operatorname{ReLU}'(z_{1}) = \operatorname{step}(z_{1}) = 1
        """
        name_of = names if names is not None else _latex_names(self.child, self.parent, fmt)
        return " = ".join(self._latex_row(name_of, fmt))

    def _latex_row(self, name_of: Mapping[Value, str], fmt: str) -> _LatexRow:
        shown = latex_number(self.value, fmt)
        formula = _sum_latex(self.terms, name_of, fmt) if self.terms else ""
        right = f"{formula} = {shown}" if formula and formula != shown else shown
        return latex_derivative(name_of[self.child], name_of[self.parent]), right

    def _repr_latex_(self) -> str:
        return _display(self.to_latex())

    def describe(self, fmt: str = FORMAT) -> str:
        """One line: ``∂z1/∂w1 = x1 = 2``."""
        shown = number(self.value, fmt)
        parts = [self.name]
        if self.formula and self.formula != shown:
            parts.append(self.formula)
        elif not self.formula and self.paths == 1:
            parts.append("the product of the local derivatives along unlabelled values")
        elif not self.formula:
            parts.append(f"sum over {self.paths:,} paths through unlabelled values")
        return " = ".join(parts + [shown])


@dataclass(frozen=True)
class Path:
    """One path from ``wrt`` to ``root``: its factors from the root down, and their product.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> y = x.exp(); y.label = "y"
    >>> path = explain(y, x).paths[0]
    >>> path.symbolic, round(path.value, 4)
    ('∂y/∂x', 7.3891)
    """

    name: str
    """∂root/∂wrt"""
    factors: tuple[Factor, ...]
    fmt: str = FORMAT
    root: Value | None = field(default=None, repr=False, compare=False)
    wrt: Value | None = field(default=None, repr=False, compare=False)

    @property
    def value(self) -> float:
        return math.prod(f.value for f in self.factors)

    def to_latex(self, names: Mapping[Value, str] | None = None) -> str:
        r"""The path in LaTeX: the derivative, the product of the factors' derivatives, their
        numbers (negative ones in parentheses) and the product.

        >>> from autograd import Value
        >>> x = Value(2.0, label="x1")
        >>> z = -0.5 * x; z.label = "z"
        >>> y = z.exp(); y.label = "ŷ"
        >>> print(explain(y, x).paths[0].to_latex())  # doctest: +NORMALIZE_WHITESPACE
        \frac{\partial \hat{y}}{\partial x_{1}}
          = \frac{\partial \hat{y}}{\partial z} \cdot \frac{\partial z}{\partial x_{1}}
          = 0.3679 \cdot (-0.5) = -0.1839
        """
        return " = ".join(self._latex_row(names))

    def _ends(self) -> tuple[Value | None, Value | None]:
        root = self.root or (self.factors[0].child if self.factors else None)
        return root, self.wrt or (self.factors[-1].parent if self.factors else None)

    def _latex_row(self, names: Mapping[Value, str] | None) -> _LatexRow:
        root, wrt = self._ends()
        if root is None or wrt is None:
            return latex_text(self.name), "1"
        name_of = names if names is not None else _latex_names(root, wrt, self.fmt)
        title = latex_derivative(name_of[root], name_of[wrt])
        return title, self._latex_product(name_of)

    def _latex_product(self, name_of: Mapping[Value, str]) -> str:
        # ∂L/∂ŷ · ∂ŷ/∂z3 · ... = 2.725 · 0.2323 · ... = 0.4431 (no factor: 1, wrt is root)
        shown = latex_number(self.value, self.fmt)
        if not self.factors:
            return shown
        symbols = latex_product([latex_derivative(name_of[f.child], name_of[f.parent])
                                 for f in self.factors])
        numbers = latex_product([latex_number(f.value, self.fmt) for f in self.factors])
        return " = ".join([symbols] + ([numbers] if len(self.factors) > 1 else []) + [shown])

    def _repr_latex_(self) -> str:
        return _display(self.to_latex())

    def __str__(self) -> str:
        if len(self.factors) <= 1:  # ∂y/∂x = 7.389, not 7.389 = 7.389
            return f"{self.name} = {number(self.value, self.fmt)}"
        numbers = " · ".join(bracket(number(f.value, self.fmt)) for f in self.factors)
        return f"{self.name} = {numbers} = {number(self.value, self.fmt)}"

    @property
    def symbolic(self) -> str:
        """The product as derivative names: ``∂L/∂ŷ · ∂ŷ/∂z3 · ...``."""
        return " · ".join(f.name for f in self.factors)


@dataclass(frozen=True)
class Explanation:
    """∂root/∂wrt explained: the paths (or, when there are too many, the edges) and the total.

    ``total`` is computed from the local derivatives here, not read from ``.grad``, so that
    comparing the two checks ``backward()``.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x; y.label = "y"
    >>> e = explain(y, x)
    >>> e.total, e.path_count, e.op_path_count  # one factor ∂y/∂x = x + x, two op paths
    (6.0, 1, 2)
    """

    root: Value
    wrt: Value
    name: str
    total: float
    factors: tuple[Factor, ...]
    paths: tuple[Path, ...]
    """every path, root first; empty when summarised"""
    path_count: int
    """paths between named Values (labelled ones, ``root`` and ``wrt``)"""
    op_path_count: int
    """paths through every single op"""
    summarised: bool
    merged: bool
    max_paths: int
    fmt: str = FORMAT

    def _lines(self) -> list[str]:
        n = number
        if self.path_count == 0:
            return [f"{self.name} = 0: no path leads from the input to the output."]
        if self.path_count == self.op_path_count:
            counted = f"{self.path_count:,} path(s)"
        else:
            counted = (f"{self.path_count:,} path(s) between labelled values "
                       f"({self.op_path_count:,} through every op)")
        lines = [f"{self.name} = {n(self.total, self.fmt)}, the sum over {counted} "
                 "of the product of the local derivatives along each path."]
        if self.merged:
            lines.append("Unlabelled values between two labelled ones are merged into one "
                         "factor.")
        if self.summarised:
            lines.append(f"Too many paths to list (more than max_paths={self.max_paths:,}): "
                         "each factor below is one edge, and the total adds them up edge by "
                         "edge, as backward() does.")
        else:
            for k, path in enumerate(self.paths, 1):
                if len(path.factors) == 1:  # one factor: its number once
                    lines.append(f"path {k}: {path}")
                    continue
                lines.append(f"path {k}: {path.symbolic}")
                lines.append("    = " + str(path).split(" = ", 1)[1])
        lines.append("factors:")
        lines.extend("  " + f.describe(self.fmt) for f in self.factors)
        return lines

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def to_latex(self) -> str:
        r"""The explanation in LaTeX, as the articles write the chain rule: with one path, the
        derivative as the product of the factors' derivatives and of their numbers; with
        several, one line per path and the sum; with too many to list, the total; then each
        factor with its formula. Several lines make an ``aligned`` environment (inside
        display math, as `_repr_latex_` puts it).

        >>> from autograd import Value
        >>> w1, x1 = Value(0.5, label="w1"), Value(2.0, label="x1")
        >>> z1 = w1 * x1 + 0.1; z1.label = "z1"
        >>> h1 = z1.relu(); h1.label = "h1"
        >>> print(explain(h1, w1).to_latex())  # doctest: +NORMALIZE_WHITESPACE
        \begin{aligned}
          \frac{\partial h_{1}}{\partial w_{1}}
            &= \frac{\partial h_{1}}{\partial z_{1}} \cdot \frac{\partial z_{1}}{\partial w_{1}}
            = 1 \cdot 2 = 2 \\
          \frac{\partial h_{1}}{\partial z_{1}}
            &= \operatorname{ReLU}'(z_{1}) = \operatorname{step}(z_{1}) = 1 \\
          \frac{\partial z_{1}}{\partial w_{1}} &= x_{1} = 2
        \end{aligned}
        """
        return _latex_block(self._latex_rows())

    def latex_lines(self) -> list[str]:
        r"""`to_latex` one equation at a time, each valid LaTeX math on its own.

        >>> from autograd import Value
        >>> x = Value(3.0, label="x")
        >>> y = x * x; y.label = "y"
        >>> explain(y, x).latex_lines()
        ['\\frac{\\partial y}{\\partial x} = x + x = 6']
        """
        return [" = ".join(row) for row in self._latex_rows()]

    def _latex_rows(self) -> list[_LatexRow]:
        name_of = _latex_names(self.root, self.wrt, self.fmt)
        title = latex_derivative(name_of[self.root], name_of[self.wrt])
        total = latex_number(self.total, self.fmt)
        if self.path_count == 0:
            return [(title, "0")]
        factors = [f._latex_row(name_of, self.fmt) for f in self.factors]
        if self.summarised or len(self.paths) > _MAX_LATEX_PATHS:
            return [(title, total)] + factors
        if len(self.paths) == 1:  # (one factor, ∂y/∂x itself: its own line says it all)
            return factors if len(factors) == 1 else [self.paths[0]._latex_row(name_of)] + factors
        rows = []
        for k, path in enumerate(self.paths, 1):  # "path k: ∂L/∂ŷ · ..." &= "2.725 · ... = v"
            symbols, numbers = path._latex_product(name_of).split(" = ", 1)
            rows.append((f"\\text{{path {k}: }}{symbols}", numbers))
        values = [latex_number(p.value, self.fmt) for p in self.paths]
        if len(values) > _MAX_LATEX_TERMS:
            values = values[:2] + [r"\ldots"] + values[-1:]
        return rows + [(title, f"{latex_sum(values)} = {total}")] + factors

    def _repr_latex_(self) -> str:
        return _display(self.to_latex())


def explain(
    root: Value, wrt: Value, *, max_paths: int = 1000, merge: bool = True, fmt: str = FORMAT
) -> Explanation:
    """∂root/∂wrt as the sum over paths of the products of local derivatives.

    With ``merge=True`` (the default) only labelled Values (and ``root`` and ``wrt``) are
    stops on a path: the ops between two of them make one factor, such as ∂z1/∂w1 for
    ``z1 = w1*x1 + w2*x2 + b1``, whose formula is the sum over its sub-paths of the products
    of the op table's formulas, written in labels (``x1``). A factor of one op with one input
    reads like a textbook, ``ReLU'(z1) = step(z1)``. With ``merge=False`` every Value is a
    stop. Paths are counted first; above ``max_paths`` the explanation lists each factor
    once instead of every path, and says so.

    >>> from autograd import Value
    >>> w1, x1 = Value(0.5, label="w1"), Value(2.0, label="x1")
    >>> z1 = w1 * x1 + 0.1; z1.label = "z1"
    >>> h1 = z1.relu(); h1.label = "h1"
    >>> print(explain(h1, w1))
    ∂h1/∂w1 = 2, the sum over 1 path(s) of the product of the local derivatives along each path.
    Unlabelled values between two labelled ones are merged into one factor.
    path 1: ∂h1/∂z1 · ∂z1/∂w1
        = 1 · 2 = 2
    factors:
      ∂h1/∂z1 = ReLU'(z1) = step(z1) = 1
      ∂z1/∂w1 = x1 = 2
    """
    order = topological_order(root)
    name_of = names_map(order, fmt)
    on = depends_on(root, wrt)
    if wrt not in name_of:
        name_of[wrt] = wrt.label or number(wrt.data, fmt)
    title = derivative_name(name_of[root], name_of[wrt])
    relevant = [v for v in order if v in on]
    named = [v for v in relevant if not merge or v.label or v is root or v is wrt]
    into = merged_factors(relevant, set(named), name_of)

    # Count paths and accumulate the total forward from wrt: the chain rule's sum over paths.
    count: dict[Value, int] = {}
    op_count: dict[Value, int] = {}
    total: dict[Value, float] = {}
    for v in named:
        if v is wrt:
            count[v], op_count[v], total[v] = 1, 1, 1.0
            continue
        count[v] = sum(count[f.parent] for f in into[v])
        op_count[v] = sum(op_count[f.parent] * f.paths for f in into[v])
        total[v] = math.fsum(f.value * total[f.parent] for f in into[v])
    n_paths = count.get(root, 0)
    factors = tuple(f for v in reversed(named) for f in into[v])
    summarised = n_paths > max_paths
    paths = () if summarised or not on else _enumerate_paths(root, wrt, into, title, fmt)
    value = math.fsum(p.value for p in paths) if paths else total.get(root, 0.0)
    return Explanation(root, wrt, title, value, factors, paths, n_paths, op_count.get(root, 0),
                       summarised, merge, max_paths, fmt)


def merged_factors(
    values: list[Value], stops: set[Value], name_of: Mapping[Value, str]
) -> dict[Value, list[Factor]]:
    """For each stop, the `Factor` from each stop below it, joined through non-stop Values.

    ``values`` is a topological order (or a part of one, closed under the paths between its
    members); the result maps each stop to its factors, ordered by their parent's position.

    >>> from autograd import Value
    >>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
    >>> z = w * x + w; z.label = "z"
    >>> order = topological_order(z)
    >>> [f.describe() for f in merged_factors(order, {w, x, z}, names_map(order))[z]]
    ['∂z/∂w = x + 1 = 3', '∂z/∂x = w = 0.5']
    """
    index = {v: i for i, v in enumerate(values)}
    into: dict[Value, list[Factor]] = {v: [] for v in values if v in stops}
    for u, reach in reached_through(values, stops).items():
        for factor in _factors_from(u, reach, stops, name_of):
            into[factor.child].append(factor)
    for factors in into.values():
        factors.sort(key=lambda f: index[f.parent])
    return into


def _factors_from(
    u: Value,
    reach: list[Value],
    is_named: set[Value],
    name_of: Mapping[Value, str],
) -> list[Factor]:
    # Along the Values u reaches through unnamed ones (`reached_through`), the derivative of
    # each with respect to u, and the sub-paths (edge lists), up to the next named ones.
    grad = {u: 1.0}
    count = {u: 1}
    terms: dict[Value, list[tuple[tuple[Value, int], ...]] | None] = {u: [()]}
    found = []
    for c in reach:
        g, n = 0.0, 0
        subs: list[tuple[tuple[Value, int], ...]] | None = []
        for i, (p, local) in enumerate(zip(c.parents, c.local_grads)):
            if p in grad:
                g += local * grad[p]
                n += count[p]
                prior = terms[p]
                subs = None if prior is None or subs is None else subs + [
                    ((c, i),) + t for t in prior]
        if subs is not None and (len(subs) > _MAX_TERMS
                                 or any(len(t) > _MAX_EDGES for t in subs)):
            subs = None  # too long to read as a formula (and to copy along)
        if c in is_named:
            text = _sum_text(subs, u, name_of) if subs is not None else ""
            found.append(Factor(c, u, derivative_name(name_of[c], name_of[u]), text, g, n,
                                None if subs is None else tuple(subs)))
        else:
            grad[c], count[c], terms[c] = g, n, subs
    return found


def _sum_text(
    subs: list[tuple[tuple[Value, int], ...]], u: Value, name_of: Mapping[Value, str]
) -> str:
    if len(subs) == 1 and len(subs[0]) == 1:
        (c, i), = subs[0]
        return local_text(c, i, name_of)
    out = ""
    for edges in subs:
        negative, parts = False, []
        for c, i in edges:
            text = local_formula(c, i, name_of)
            if text == "-1":
                negative = not negative
            elif text != "1":
                parts.append(text)
        product = parts[0] if len(parts) == 1 else " · ".join(map(bracket, parts)) or "1"
        if " + " in product or " − " in product:  # a sum after a sign or another term
            product = bracket(product) if negative or out else product
        if not out:
            out = ("−" if negative else "") + product
        else:
            out += (" − " if negative else " + ") + product
    return out


def _sum_latex(subs: tuple[_Edges, ...], name_of: Mapping[Value, str], fmt: str) -> str:
    # _sum_text in LaTeX: the sum over sub-paths of the product of their local formulas.
    if len(subs) == 1 and len(subs[0]) == 1:
        (c, i), = subs[0]
        return latex_local_text(c, i, name_of, fmt)
    terms = []
    for edges in subs:
        negative, parts = False, []
        for c, i in edges:
            text = latex_local_formula(c, i, name_of, fmt)
            if text == "-1":
                negative = not negative
            elif text != "1":
                parts.append(text)
        product = (parts[0] if len(parts) == 1 else latex_product(parts)) if parts else "1"
        terms.append(latex_negated(product) if negative else product)
    return latex_sum(terms)


def _enumerate_paths(
    root: Value, wrt: Value, into: Mapping[Value, list[Factor]], title: str, fmt: str
) -> tuple[Path, ...]:
    paths: list[Path] = []
    stack: list[tuple[Value, tuple[Factor, ...]]] = [(root, ())]
    while stack:
        node, so_far = stack.pop()
        if node is wrt:
            paths.append(Path(title, so_far, fmt, root, wrt))
            continue
        for f in reversed(into[node]):
            stack.append((f.parent, so_far + (f,)))
    return tuple(paths)


# ---- backward, one step at a time ---------------------------------------------------------


@dataclass(frozen=True)
class ParentStep:
    """What one chain-rule step sends to one parent: upstream × local, added to its grad.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = 2 * x; y.label = "y"
    >>> (step,) = backward_steps(y)
    >>> sent = step.parents[1]
    >>> sent.formula, sent.contribution, sent.grad_before, sent.grad_after
    ('2', 2.0, 0.0, 2.0)
    """

    parent: Value
    index: int
    local: float
    formula: str
    contribution: float
    grad_after: float
    term: int = 1
    """this is the parent's term-th contribution in the backward pass ..."""
    terms: int = 1
    """... of ``terms``, one per edge from it to a Value that uses it"""

    @property
    def grad_before(self) -> float:
        """The parent's gradient before this contribution arrived."""
        return self.grad_after - self.contribution


class _History:
    """Every gradient of a graph as `backward_steps` changes it, so that each step can say
    what all of them were at its moment, whenever it is asked."""

    def __init__(self, order: list[Value], root: Value) -> None:
        self.start = dict.fromkeys(order, 0.0)
        self.start[root] = 1.0
        self.changes: list[tuple[Value, float]] = []
        self.ends: list[int] = []  # len(changes) when step k (1-based) ended: ends[k - 1]
        self.latex: dict[Value, str] | None = None  # the LaTeX names, made when first asked

    def latex_names(self, fmt: str) -> dict[Value, str]:
        if self.latex is None:
            self.latex = latex_names_map(list(self.start), fmt)
        return self.latex

    def at(self, k: int) -> dict[Value, float]:
        grads = dict(self.start)
        grads.update(self.changes[: self.ends[k - 1]])
        return grads


@dataclass(frozen=True)
class Step:
    """One node of the backward pass: its gradient, what it sends to each parent, and every
    gradient of the graph as it was right after this step (`grads`)."""

    number: int
    node: Value
    name: str
    grad: float
    parents: tuple[ParentStep, ...]
    parent_names: tuple[str, ...]
    fmt: str = FORMAT
    _history: _History | None = field(default=None, repr=False, compare=False)
    root: Value | None = field(default=None, repr=False, compare=False)
    """the Value whose backward pass this is (None: the step's own node)"""

    def grads(self) -> dict[Value, float]:
        """Every Value of the graph mapped to its gradient right after this step: a
        snapshot, the same whenever it is asked.

        >>> from autograd import Value
        >>> x = Value(3.0, label="x")
        >>> y = (x * 2).exp(); y.label = "y"
        >>> first, second = backward_steps(y)
        >>> first.grads()[x], second.grads()[x] == x.grad
        (0.0, True)
        """
        if self._history is None:
            raise ValueError("this Step was not made by backward_steps, so it has no snapshot")
        return self._history.at(self.number)

    def to_latex(self) -> str:
        r"""The step's arithmetic in LaTeX, one line per parent, as the articles write the
        chain rule: ∂L/∂parent = ∂L/∂node · ∂node/∂parent = upstream · local = contribution.
        A parent that gets gradient along several edges shows what it has so far
        (``-0.02848 + \ldots``, then ``-0.02848 + 0.1329 = 0.1044``); a constant gets none.

        >>> from autograd import Value
        >>> x = Value(3.0, label="x")
        >>> s = x * x; s.label = "s"
        >>> y = 2 * s; y.label = "y"
        >>> first, second = backward_steps(y)
        >>> print(first.to_latex())
        \frac{\partial y}{\partial s} = 2
        >>> print(second.to_latex())  # doctest: +NORMALIZE_WHITESPACE
        \begin{aligned}
          \frac{\partial y}{\partial s} \cdot \frac{\partial s}{\partial x}
            &= 2 \cdot 3 = 6,\quad \frac{\partial y}{\partial x} = 6 + \ldots \\
          \frac{\partial y}{\partial s} \cdot \frac{\partial s}{\partial x}
            &= 2 \cdot 3 = 6,\quad \frac{\partial y}{\partial x} = 6 + 6 = 12
        \end{aligned}
        """
        return _latex_block(self._latex_rows())

    def latex_lines(self) -> list[str]:
        """`to_latex` one equation at a time, each valid LaTeX math on its own."""
        return [" = ".join(row) for row in self._latex_rows()]

    def _latex_rows(self) -> list[_LatexRow]:
        n = self.fmt
        root = self.root or self.node
        if self._history is not None:
            name_of: Mapping[Value, str] = self._history.latex_names(n)
        else:
            name_of = _latex_names(root, None, n)
        node = name_of[self.node]
        upstream = latex_derivative(name_of[root], node)
        op = OPS.get(self.node.op)
        rows = []
        for p in self.parents:
            if is_constant(p.parent) or (op is not None and p.index in op.constant_inputs):
                continue  # a number in the code, or an exponent: no gradient of its own
            parent = name_of[p.parent]
            total = latex_derivative(name_of[root], parent)
            local = latex_derivative(node, parent)
            shown = latex_number(p.local, n)
            if self.node is root:  # upstream is 1: the step is the local derivative itself
                formula = latex_local_formula(self.node, p.index, name_of, n)
                left, right = local, (f"{formula} = {shown}" if formula != shown else shown)
            else:
                left = f"{upstream} \\cdot {local}"
                right = (f"{latex_product([latex_number(self.grad, n), shown])} = "
                         f"{latex_number(p.contribution, n)}")
            if p.terms == 1:
                rows.append((total, f"{left} = {right}" if self.node is not root else right))
                continue
            so_far = [latex_number(p.contribution, n)]
            if p.term > 1:
                so_far.insert(0, latex_number(p.grad_before, n))
            sum_ = latex_sum(so_far) + (" + \\ldots" if p.term < p.terms
                                        else f" = {latex_number(p.grad_after, n)}")
            rows.append((left, f"{right},\\quad {total} = {sum_}"))
        return rows or [(upstream, latex_number(self.grad, n))]

    def _repr_latex_(self) -> str:
        return _display(self.to_latex())

    def __str__(self) -> str:
        n = self.fmt
        lines = [f"step {self.number}: {self.name} has grad {number(self.grad, n)}"]
        op = OPS.get(self.node.op)
        for name, p in zip(self.parent_names, self.parents):
            if op is not None and p.index in op.constant_inputs and is_constant(p.parent):
                continue  # a number exponent: part of the op, not an input it sends to
            formula = f"{p.formula} = " if p.formula != number(p.local, n) else ""
            lines.append(
                f"  to {name}: local {derivative_name(self.name, name)} = {formula}"
                f"{number(p.local, n)}; sends {bracket(number(self.grad, n))} · "
                f"{bracket(number(p.local, n))} = "
                f"{number(p.contribution, n)}; " + (
                    "a constant, so its gradient is not shown" if is_constant(p.parent)
                    else f"{bracket(name)}.grad is now {number(p.grad_after, n)}")
            )
        return "\n".join(lines)


def backward_steps(root: Value, fmt: str = FORMAT) -> Iterator[Step]:
    """Run the backward pass of ``root`` one node at a time, yielding a `Step` after each.

    It starts from zero, as ``zero_grad()`` and then ``backward()`` would: when the first
    step is asked for, every gradient in the graph (leaves included) is set to 0 and
    ``root``'s to 1. The order and the arithmetic are those of ``backward()``, so running
    every step leaves the gradients a fresh ``backward()`` gives, and running the steps
    again gives the same steps and the same gradients. Between steps the graph's ``.grad``
    values are the state so far; each `Step` also keeps a snapshot (`Step.grads`), so
    ``draw(root, step=step)`` shows that step's moment whenever it is called.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x; y.label = "y"
    >>> for step in backward_steps(y):
    ...     print(step)
    step 1: y has grad 1
      to x: local ∂y/∂x = x = 3; sends 1 · 3 = 3; x.grad is now 3
      to x: local ∂y/∂x = x = 3; sends 1 · 3 = 3; x.grad is now 6
    """
    order = topological_order(root)
    shown = names_map(order, fmt)
    history = _History(order, root)
    edges_into = Counter(p for v in order for p in v.parents)  # the terms of each gradient
    received: Counter[Value] = Counter()
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    k = 0
    for node in reversed(order):
        if not node.parents:
            continue
        upstream = node.grad
        sent = []
        for i, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            parent.grad += upstream * local
            history.changes.append((parent, parent.grad))
            received[parent] += 1
            sent.append(ParentStep(parent, i, local, local_formula(node, i, shown, fmt),
                                   upstream * local, parent.grad, received[parent],
                                   edges_into[parent]))
        k += 1
        history.ends.append(len(history.changes))
        yield Step(k, node, shown[node], upstream, tuple(sent),
                   tuple(shown[p] for p in node.parents), fmt, history, root)
