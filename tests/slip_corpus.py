"""A corpus of slipped chain-rule claims on the four articles' networks, each with the
diagnosis it should get, known by construction.

For ∂root/∂w the correct claim is written from ``explain(root, w)``: the sum over paths of
the product of the factors' formulas (the text before " = " of each factor). A slip edits
that text the way a learner slips: a factor of one path term left out or written twice, a
weight replaced by its neighbour, another activation's derivative, ReLU' at another
neuron, the activation's value for its derivative, the sign of the claim or of one term, a
constant factor, a term of the sum dropped. The edit says which edge (or path) is wrong,
so the expected `Diagnosis` is known without asking the code under test.

Whether a slip changes the function at all is decided here, independently of
``check_formula``: the network is re-run in numpy at a few hundred points (every labelled
leaf redrawn) and both claims are evaluated there (`Oracle`). The same oracle checks the
correct claims against central differences.

>>> corpus = build_corpus(SPECS[:1])
>>> corpus.singles[0].network, corpus.singles[0].expected[0].category
('student', 'missing factor')
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from types import CodeType

import numpy as np

from autograd import Value, explain
from autograd.explain import Factor, Path
from autograd.formula import parse
from autograd.graph import topological_order
from nn.examples import (
    five_input_forward,
    simplenn_forward,
    squared_error_forward,
    student_forward,
)

MINUS = "−"
ACTIVATIONS = ("σ", "tanh", "ReLU")
"""The derivatives a learner interchanges: σ'(z), tanh'(z), ReLU'(z)."""
_DERIVATIVE = re.compile(r"^(σ|tanh|ReLU)'\((.+)\)$")


@dataclass(frozen=True)
class Spec:
    """A network of the articles and the derivatives of the corpus on it (None: every
    labelled leaf, inputs and parameters)."""

    name: str
    forward: Callable[[], dict[str, Value]]
    root: str
    wrt: tuple[str, ...] | None = None


SPECS = (
    Spec("student", student_forward, "L"),
    Spec("simplenn", simplenn_forward, "L"),
    # Larger networks: a deterministic subset, one derivative of each depth, so that the
    # corpus stays fast (the correct claims of the first layers are long to prove).
    Spec("squared error", squared_error_forward, "E", ("w_i2j2", "w_j1k2", "θ_k1")),
    Spec("five inputs", five_input_forward, "L", ("In2", "layer2.neuron2.w1", "layer3.neuron1.b")),
)

TWO_SLIP_CLAIMS = {
    "student": ("w1", "x2"),
    "simplenn": ("W1[1,2]", "x1"),
    "squared error": ("w_i2j2",),
    "five inputs": ("layer2.neuron2.w1", "In2"),
}
"""The derivatives whose claims also get two slips at once."""
PAIRS_PER_KIND = 16
"""At most this many two-slip claims of one kind (two missing, ...) per derivative."""


# ---- what a diagnosis should say ----------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The diagnosis of one slip: its category and, for an edge, the factor's name and its
    (child, parent); for a path (its sign, or the path missing), the Values along it."""

    category: str
    edge: str = ""
    values: tuple[Value, ...] = ()
    path: bool = False

    def describe(self) -> str:
        where = self.edge or ("path " + "→".join(v.label for v in self.values) if self.path
                              else "")
        return f"{self.category} {where}".strip()


def matches(diagnosis: object, expected: Expected) -> bool:
    """Exact: the category, and the edge by name and by its two Values (a path: at least
    the Values along it)."""
    if diagnosis is None or getattr(diagnosis, "category", None) != expected.category:
        return False
    got = set(getattr(diagnosis, "values", ()))  # Values compare by identity
    if expected.edge:
        return getattr(diagnosis, "edge", None) == expected.edge and got == set(expected.values)
    if expected.path:
        return got >= set(expected.values)
    return True


def exact(diagnosis: object, expected: Sequence[Expected]) -> bool:
    """One slip: `matches`; two: category "two slips" and ``parts`` matching both, in any
    order."""
    if len(expected) == 1:
        return matches(diagnosis, expected[0])
    parts = tuple(getattr(diagnosis, "parts", ()) or ())
    if getattr(diagnosis, "category", None) != "two slips" or len(parts) != 2:
        return False
    first, second = expected
    return ((matches(parts[0], first) and matches(parts[1], second))
            or (matches(parts[0], second) and matches(parts[1], first)))


def shown(diagnosis: object) -> str:
    """A diagnosis in one short line, for the table of misses."""
    if diagnosis is None:
        return "no diagnosis"
    parts = getattr(diagnosis, "parts", ()) or ()
    labels = ",".join(v.label or "?" for v in getattr(diagnosis, "values", ()))
    text = f"{getattr(diagnosis, 'category', '?')} {getattr(diagnosis, 'edge', '')} [{labels}]"
    return text + ("" if not parts else " = " + " & ".join(shown(p) for p in parts))


# ---- edits of a claim ---------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """A slip as an edit of the correct claim: factor texts replaced (term, position, new
    text; "" leaves it out), terms negated or dropped, a prefix on the whole claim."""

    kind: str
    expected: Expected
    factors: tuple[tuple[int, int, str], ...] = ()
    negated: tuple[int, ...] = ()
    dropped: tuple[int, ...] = ()
    prefix: str = ""
    parts: tuple[Expected, ...] = ()
    """for two slips: the two single slips' diagnoses"""

    def combinable(self, other: Edit) -> bool:
        spots = {(i, j) for i, j, _ in self.factors}
        return (not spots & {(i, j) for i, j, _ in other.factors}
                and not (self.prefix and other.prefix)
                and not set(self.dropped) & set(other.negated + other.dropped)
                and not set(other.dropped) & set(self.negated))


def render(terms: Sequence[Sequence[str]], edits: Sequence[Edit] = ()) -> str:
    """The claim: the sum of the terms' products, with the edits applied."""
    replaced = {(i, j): text for e in edits for i, j, text in e.factors}
    negated = {i for e in edits for i in e.negated}
    dropped = {i for e in edits for i in e.dropped}
    prefix = "".join(e.prefix for e in edits)
    written = []
    for i, factors in enumerate(terms):
        if i in dropped:
            continue
        texts = [replaced.get((i, j), text) for j, text in enumerate(factors)]
        product = "·".join(t for t in texts if t) or "1"
        sign = MINUS if i in negated else "+"
        written.append((sign, product))
    body = "".join(f" {s} {p}" if k else (MINUS if s == MINUS else "") + p
                   for k, (s, p) in enumerate(written))
    if not prefix:
        return body
    return f"{prefix}({body})" if len(written) > 1 or body.startswith(MINUS) else prefix + body


def factor_text(factor: Factor) -> str:
    """The factor's formula as a learner writes it in a product (in parentheses unless it
    is a name, a number or a call)."""
    text = factor.formula.split(" = ")[0]
    assert text, f"{factor.name} has no formula text"
    return f"({text})" if re.search(r"[\s+\-−·*/]", text) else text


@dataclass
class Graph:
    """A network's graph: its Values by label, and each weight's, input's and activation's
    neighbour in the same neuron or layer (the next one round)."""

    name: str
    root: Value
    order: list[Value]
    by_label: dict[str, Value] = field(init=False)
    neighbour: dict[Value, Value] = field(init=False)
    other_relu: dict[Value, Value] = field(init=False)

    def __post_init__(self) -> None:
        labels = [v.label for v in self.order if v.label]
        assert len(labels) == len(set(labels)), f"{self.name}: a label is on two Values"
        self.by_label = {v.label: v for v in self.order if v.label}
        self.neighbour = {}
        layers: dict[tuple[int, ...], list[Value]] = {}
        for v in self.order:
            if v.op != "dot":
                continue
            # dot(w1, x1, w2, x2, ..., b): the weights and the inputs of one neuron
            weights, inputs = list(v.parents[0:-1:2]), list(v.parents[1:-1:2])
            for group in (weights, inputs):
                for a, b in zip(group, group[1:] + group[:1]):
                    if a is not b and a.label and b.label:
                        self.neighbour.setdefault(a, b)
            layers.setdefault(tuple(id(x) for x in inputs), []).append(v)
        # a ReLU neuron's pre-activation -> another ReLU neuron's of the same layer
        self.other_relu = {}
        relu_inputs = {id(v.parents[0]) for v in self.order if v.op == "relu"}
        for zs in layers.values():
            zs = [z for z in zs if id(z) in relu_inputs]
            for k, z in enumerate(zs):
                if len(zs) > 1:
                    self.other_relu[z] = zs[(k + 1) % len(zs)]


def path_values(path: Path) -> tuple[Value, ...]:
    """The Values along a path, root first."""
    ends = [v for f in path.factors for v in (f.child, f.parent)]
    return tuple({id(v): v for v in ends}.values())


def single_edits(graph: Graph, paths: Sequence[Path]) -> Iterator[Edit]:
    """Every single slip of the kinds of the corpus, on every edge of every path term
    where the kind applies."""
    for i, path in enumerate(paths):
        for j, f in enumerate(path.factors):
            yield from _edge_edits(graph, i, j, f)
    yield Edit("sign error (whole claim)", Expected("sign error"), prefix=MINUS)
    yield Edit("constant factor (2×)", Expected("constant factor"), prefix="2·")
    yield Edit("constant factor (½×)", Expected("constant factor"), prefix="½·")
    if len(paths) >= 2:
        for i, path in enumerate(paths):
            along = path_values(path)
            yield Edit("sign error (one term)", Expected("sign error", values=along, path=True),
                       negated=(i,))
            yield Edit("missing path", Expected("missing path", values=along, path=True),
                       dropped=(i,))


def _edge_edits(graph: Graph, i: int, j: int, f: Factor) -> Iterator[Edit]:
    text = factor_text(f)

    def on_edge(kind: str, new: str, category: str = "") -> Edit:
        return Edit(kind, Expected(category or kind, f.name, (f.child, f.parent)),
                    factors=((i, j, new),))

    yield on_edge("missing factor", "")
    yield on_edge("extra factor", f"{text}·{text}")
    named = graph.by_label.get(text)
    if named is not None and named in graph.neighbour:
        yield on_edge("wrong factor", graph.neighbour[named].label)
    derivative = _DERIVATIVE.match(text)
    if derivative is None:
        return
    function, argument = derivative.groups()
    for other in ACTIVATIONS:
        if other != function:
            yield on_edge("wrong derivative", f"{other}'({argument})")
    z = graph.by_label.get(argument)
    if function == "ReLU" and z in graph.other_relu:
        other_z = graph.other_relu[z].label
        yield on_edge("wrong argument", f"ReLU'({other_z})")
        yield on_edge("wrong argument", f"step({other_z})")
    yield on_edge("value for derivative", f.child.label)


def two_slip_edits(graph: Graph, paths: Sequence[Path], singles: Sequence[Edit]
                   ) -> Iterator[Edit]:
    """Pairs of slips in one claim: two factors of one term left out; a factor left out
    and the sign of the claim; a wrong factor in one term and a factor left out of
    another; two weights swapped between two paths."""
    missing = [e for e in singles if e.kind == "missing factor"]
    wrong = [e for e in singles if e.kind == "wrong factor"]
    sign = [e for e in singles if e.kind == "sign error (whole claim)"]
    pairs = [(a, b) for a, b in combinations(missing, 2)
             if a.factors[0][0] == b.factors[0][0]]
    pairs += [(a, b) for a in missing for b in sign]
    # A wrong factor and a missing one in two different terms: in one term the two would
    # read either way round (w6 for w5 and ReLU' left out, or w5 left out and w6 for ReLU':
    # the same function), so the expected diagnosis would be a guess.
    pairs += [(a, b) for a in wrong for b in missing if a.factors[0][0] != b.factors[0][0]]
    for a, b in pairs:
        yield _both(a, b)
    yield from _swaps(graph, paths)


def _both(a: Edit, b: Edit) -> Edit:
    assert a.combinable(b)
    return Edit(f"{a.kind} + {b.kind}", Expected("two slips"), a.factors + b.factors,
                a.negated + b.negated, a.dropped + b.dropped, a.prefix + b.prefix,
                (a.expected, b.expected))


def _swaps(graph: Graph, paths: Sequence[Path]) -> Iterator[Edit]:
    # w2 ↔ w4 on ∂L/∂x2: the factors of one position of two terms exchanged, when both are
    # names of the graph (weights, inputs, activations) and differ.
    for a, b in combinations(range(len(paths)), 2):
        for j, (fa, fb) in enumerate(zip(paths[a].factors, paths[b].factors)):
            ta, tb = factor_text(fa), factor_text(fb)
            if ta == tb or fa.name == fb.name or not {ta, tb} <= graph.by_label.keys():
                continue
            parts = tuple(Expected("wrong factor", f.name, (f.child, f.parent))
                          for f in (fa, fb))
            yield Edit("two weights swapped", Expected("two slips"),
                       factors=((a, j, tb), (b, j, ta)), parts=parts)


# ---- the independent oracle: the network in numpy -----------------------------------------


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(a / 2))


def _step(a: np.ndarray) -> np.ndarray:
    return (a > 0).astype(float)


FORWARD: dict[str, Callable[..., np.ndarray]] = {  # arrays or plain floats alike
    "dot": lambda *p: sum(p[k] * p[k + 1] for k in range(0, len(p) - 1, 2)) + p[-1],
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "neg": lambda a: -a,
    "powc": lambda a, b: a ** b,
    "log": np.log,
    "exp": np.exp,
    "relu": lambda a: np.maximum(a, 0.0),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
}
_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": sigmoid, "tanh": np.tanh, "step": _step, "relu": lambda a: np.maximum(a, 0.0),
    "log": np.log, "exp": np.exp,
    "dsig": lambda a: sigmoid(a) * (1 - sigmoid(a)), "dtanh": lambda a: 1 - np.tanh(a) ** 2,
}
_WRITTEN = [("σ'(", "dsig("), ("tanh'(", "dtanh("), ("ReLU'(", "step("), ("σ(", "sigmoid("),
            ("·", "*"), ("×", "*"), (MINUS, "-"), ("½", "(1/2)"), ("²", "**2")]


class Oracle:
    """The graph re-run in numpy: column 0 is the graph's own point, the others redraw
    every labelled leaf uniformly in [-1.5, 1.5] (ReLUs switch, σ does not round to 1)."""

    def __init__(self, graph: Graph, points: int = 300, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.graph = graph
        self.leaves = {}
        for v in graph.order:
            if not v.parents:
                drawn = rng.uniform(-1.5, 1.5, points) if v.label else np.full(points, v.data)
                drawn[0] = v.data
                self.leaves[v] = drawn
        self.data = self.run()
        self.names = sorted(graph.by_label, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, self.names))
                                  + r")(?![\w\[])")
        self.code: dict[str, CodeType] = {}

    def run(self, moved: Value | None = None, by: float = 0.0) -> dict[Value, np.ndarray]:
        data: dict[Value, np.ndarray] = {}
        with np.errstate(all="ignore"):
            for v in self.graph.order:
                if not v.parents:
                    data[v] = self.leaves[v] + (by if v is moved else 0.0)
                else:
                    data[v] = FORWARD[v.op](*[data[p] for p in v.parents])
        return data

    def slope(self, wrt: Value, h: float = 1e-6) -> np.ndarray:
        """∂root/∂wrt by central differences at every point."""
        up, down = self.run(wrt, h), self.run(wrt, -h)
        return (up[self.graph.root] - down[self.graph.root]) / (2 * h)

    def near_kink(self, margin: float = 1e-4) -> np.ndarray:
        """Points where a ReLU's input is within ``margin`` of 0 (no central difference)."""
        near = np.zeros_like(self.data[self.graph.root], dtype=bool)
        for v in self.graph.order:
            if v.op == "relu":
                near |= np.abs(self.data[v.parents[0]]) < margin
        return near

    def claim(self, text: str) -> np.ndarray:
        """The claim's number at every point (the text read here, not by the project's
        reader: labels become names, σ'(z) is σ(z)(1 − σ(z)), ReLU'(z) is step(z))."""
        code = self.code.get(text)
        names: dict[str, str] = {}
        if code is None:
            def name(m: re.Match[str]) -> str:
                return names.setdefault(m.group(0), f"v{self.names.index(m.group(0))}_")
            source = self.pattern.sub(name, text)
            for written, meant in _WRITTEN:
                source = source.replace(written, meant)
            tree = parse(source, extra_functions={"dsig", "dtanh"})  # the whitelist
            code = self.code[text] = compile(ast.Expression(tree), "<claim>", "eval")
        scope: dict[str, object] = {"__builtins__": {}, **_FUNCTIONS}
        scope.update({f"v{k}_": self.data[self.graph.by_label[n]]
                      for k, n in enumerate(self.names)})
        with np.errstate(all="ignore"):
            result = eval(code, scope)  # noqa: S307 - a tree that passed parse's whitelist
        return np.broadcast_to(np.asarray(result, dtype=float), self.data[self.graph.root].shape)


def same_function(a: np.ndarray, b: np.ndarray) -> bool:
    """True when b equals a at (nearly) every point where a is a finite number."""
    finite = np.isfinite(a)
    assert finite.sum() >= len(a) // 2, "too few points where the correct claim has a number"
    close = np.isclose(b[finite], a[finite], rtol=1e-7, atol=1e-12)
    return bool(close.mean() >= 0.98)


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    # same_function, both ways, and without asking for numbers at most points
    both = np.isfinite(a) & np.isfinite(b)
    return bool(both.any() and (np.isfinite(a) == np.isfinite(b)).mean() >= 0.98
                and np.isclose(a[both], b[both], rtol=1e-7, atol=1e-12).mean() >= 0.98)


# ---- the corpus ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlippedClaim:
    """One claim of the corpus: where, the correct text, the slipped text, the slip's kind
    and what the diagnosis should say (two Expected for two slips). ``twins`` are the
    expectations of other slips of the same claim that give the same function."""

    network: str
    root: Value
    wrt: Value
    correct: str
    claim: str
    kind: str
    expected: tuple[Expected, ...]
    twins: tuple[str, ...] = ()

    @property
    def category(self) -> str:
        return "two slips" if len(self.expected) > 1 else self.expected[0].category


@dataclass(frozen=True)
class Correct:
    """A correct claim and how it compares with central differences of the numpy graph."""

    network: str
    root: Value
    wrt: Value
    claim: str
    paths: int
    agrees: float
    """fraction of the points away from a ReLU kink where claim and slope agree"""


@dataclass
class Corpus:
    correct: list[Correct] = field(default_factory=list)
    singles: list[SlippedClaim] = field(default_factory=list)
    pairs: list[SlippedClaim] = field(default_factory=list)
    no_slip: list[tuple[str, str, str]] = field(default_factory=list)
    """(network, kind, claim) of edits that leave the function unchanged: not slips"""
    pairs_left_out: int = 0
    """two-slip claims equal to the correct one or to a single slip of the same claim"""


def build_corpus(specs: Sequence[Spec] = SPECS) -> Corpus:
    corpus = Corpus()
    for spec in specs:
        net = spec.forward()
        root = net[spec.root]
        graph = Graph(spec.name, root, topological_order(root))
        oracle = Oracle(graph)
        wrts = ([graph.by_label[w] for w in spec.wrt] if spec.wrt else
                [v for v in graph.order if not v.parents and v.label])
        for wrt in wrts:
            _add_claims(corpus, spec, graph, oracle, wrt)
    return corpus


def _add_claims(corpus: Corpus, spec: Spec, graph: Graph, oracle: Oracle, wrt: Value) -> None:
    paths = explain(graph.root, wrt).paths
    assert paths, f"{spec.name}: ∂{spec.root}/∂{wrt.label} was summarised"
    terms = [[factor_text(f) for f in p.factors] for p in paths]
    correct = render(terms)
    right = oracle.claim(correct)
    slope, usable = oracle.slope(wrt), ~oracle.near_kink() & np.isfinite(right)
    agree = np.isclose(right[usable], slope[usable], rtol=1e-4, atol=1e-7).mean()
    corpus.correct.append(Correct(spec.name, graph.root, wrt, correct, len(paths), agree))

    def claim(edit_list: Sequence[Edit], kind: str, expected: tuple[Expected, ...]
              ) -> tuple[SlippedClaim, np.ndarray] | None:
        text = render(terms, edit_list)
        numbers = oracle.claim(text)
        if same_function(right, numbers):
            corpus.no_slip.append((spec.name, kind, text))
            return None
        return SlippedClaim(spec.name, graph.root, wrt, correct, text, kind, expected), numbers

    edits = list(single_edits(graph, paths))
    made = [(e, claim([e], e.kind, (e.expected,))) for e in edits]
    real = [(e, c) for e, c in made if c is not None]
    corpus.singles += _with_twins([c for _, c in real])
    if wrt.label not in TWO_SLIP_CLAIMS.get(spec.name, ()):
        return
    real_edits = [e for e, _ in real]
    for pair in _thinned(two_slip_edits(graph, paths, real_edits)):
        made_pair = claim([pair], pair.kind, pair.parts)
        if made_pair is None or any(same_function(n, made_pair[1]) for _, (_, n) in real):
            corpus.pairs_left_out += 1
            continue
        corpus.pairs.append(made_pair[0])


def _thinned(edits: Iterator[Edit], most: int = PAIRS_PER_KIND) -> list[Edit]:
    # At most `most` pairs of each kind per claim, spread evenly over the ones there are.
    by_kind: dict[str, list[Edit]] = {}
    for e in edits:
        by_kind.setdefault(e.kind, []).append(e)
    return [e for kind in by_kind.values()
            for e in kind[::max(1, -(-len(kind) // most))]]


def _with_twins(claims: Sequence[tuple[SlippedClaim, np.ndarray]]) -> list[SlippedClaim]:
    # Two slips of one claim that give the same function cannot be told apart by numbers:
    # note each one's twins, so that a miss can say so.
    out = []
    for k, (c, numbers) in enumerate(claims):
        twins = tuple(dict.fromkeys(
            other.expected[0].describe() for m, (other, theirs) in enumerate(claims)
            if m != k and other.expected != c.expected and _equal(numbers, theirs)))
        out.append(SlippedClaim(c.network, c.root, c.wrt, c.correct, c.claim, c.kind,
                                c.expected, twins))
    return out
