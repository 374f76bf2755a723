"""What is wrong with a claim that fails: the slip a learner made, in the learner's terms.

At a few of the points tried, ∂root/∂wrt is written as the sum over paths of products of
factors (`autograd.explain`); each slip is a change to that sum: a factor of one edge
missing, doubled, replaced by another Value the claim names, by its own value (ŷ for
σ'(z3)), by another activation's derivative or by the derivative at another neuron's value,
in every path term or in one; a path term negated or left out; the whole claim negated or
scaled. The first slip that gives the claim's number at every one of those points is the
diagnosis; when none does, the first pair of slips that does (looked up at the first point
by the change each brings, then checked at all) is named as "two slips".
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import zip_longest

from autograd.claims.report import ATOL, RTOL, Comparison, Diagnosis
from autograd.explain import Factor, Path, explain
from autograd.notation import number
from autograd.ops import OPS
from autograd.value import Value, apply

_DIAGNOSIS_POINTS = 16
_MAX_DIAGNOSED_PATHS = 64
_CONSTANT_FACTORS = (2.0, 0.5, 3.0, 1 / 3, 4.0, 0.25, -2.0, -0.5)


def _rebuilt(order: Sequence[Value], numbers: Mapping[Value, float]) -> dict[Value, Value]:
    # The same graph, built eagerly with new numbers for some leaves, for explain() to read.
    new: dict[Value, Value] = {}
    for v in order:
        if not v.parents:
            new[v] = Value(numbers[v], label=v.label) if v in numbers else v
        else:
            new[v] = apply(OPS[v.op], *(new[p] for p in v.parents))
            new[v].label = v.label
    return new


_Key = tuple[int, int]  # a factor: (position of its child, position of its parent) in order


@dataclass
class _Terms:
    """∂root/∂wrt at one point, as the sum over paths of products of factors."""

    paths: list[list[tuple[_Key, float]]]
    claimed: float
    engine: float
    values: dict[int, float]
    """every Value's number here, by position in the topological order"""


@dataclass(frozen=True)
class _Slip:
    """One slip, as a change to the sum over paths: a factor of one edge changed (in every
    path term or in one), a path term negated or dropped, or the whole claim scaled."""

    category: str
    message: str
    edge: str
    values: tuple[Value, ...] = ()
    keys: frozenset[_Key] = frozenset()
    """the edges whose factors change"""
    paths: frozenset[int] | None = None
    """the path terms it changes; None: every one"""
    factor: Callable[[_Terms, float], float] | None = None
    """the factor written, from the point and the right factor"""
    term: float = 1.0
    """what the changed path terms are multiplied by: -1 for a sign, 0 for a dropped term"""
    scale: Callable[[_Terms], float] | None = None
    """what the whole claim is multiplied by"""

    def diagnosis(self) -> Diagnosis:
        return Diagnosis(self.category, self.message, self.edge, self.values)


def _gives(slips: Sequence[_Slip], t: _Terms) -> float:
    # The number a claim with these slips has at the point t.
    total = []
    for p, path in enumerate(t.paths):
        product = 1.0
        for s in slips:
            if s.term != 1.0 and (s.paths is None or p in s.paths):
                product *= s.term
        if product == 0.0:
            continue
        for key, v in path:
            for s in slips:
                if key in s.keys and s.factor is not None and (s.paths is None or p in s.paths):
                    v = s.factor(t, v)
            product *= v
        total.append(product)
    result = math.fsum(total)
    for s in slips:
        if s.scale is not None:
            result *= s.scale(t)
    return result


def _fits(slips: Sequence[_Slip], terms: Sequence[_Terms]) -> bool:
    return all(_close(_gives(slips, t), t.claimed) for t in terms)


def diagnose(root: Value, wrt: Value, order: list[Value],
              tried: list[tuple[list[float], Comparison]], agree: list[bool],
              leaves: list[Value], shown: Mapping[Value, str], used: set[Value],
              written: Collection[tuple[str, Value]] = ()) -> Diagnosis:
    """The slip (or the two slips) that give the claim's number at every point looked at;
    "disagrees" when none does."""
    # Points: the graph's own first, then those that disagree and those that agree, in
    # turn, so that a slip that fits only where a ReLU is on is told apart.
    wrong = [k for k, ok in enumerate(agree) if k and not ok]
    right = [k for k, ok in enumerate(agree) if k and ok]
    chosen = [0] + [k for pair in zip_longest(wrong, right) for k in pair if k is not None]
    position = {v: k for k, v in enumerate(order)}
    terms: list[_Terms] = []
    paths: tuple[Path, ...] = ()
    for k in chosen[:_DIAGNOSIS_POINTS]:
        numbers, comparison = tried[k]
        if not math.isfinite(comparison.claimed):
            continue
        new = _rebuilt(order, dict(zip(leaves, numbers)))
        why = explain(new[root], new[wrt], max_paths=_MAX_DIAGNOSED_PATHS)
        if why.summarised:
            terms, paths = [], ()
            break
        old = {n: o for o, n in new.items()}

        def key(f: Factor) -> _Key:
            return position[old[f.child]], position[old[f.parent]]  # noqa: B023

        terms.append(_Terms([[(key(f), f.value) for f in p.factors] for p in why.paths],
                            comparison.claimed, comparison.engine,
                            {p: new[v].data for p, v in enumerate(order)}))
        if not paths:
            paths = tuple(Path(p.name, tuple(Factor(old[f.child], old[f.parent], f.name,
                                                    f.formula, f.value, f.paths)
                                             for f in p.factors)) for p in why.paths)
    if all(_close(t.engine, t.claimed) for t in terms):
        terms = []  # no disagreement left to explain among the points that could be rebuilt
    if not terms:
        return _UNEXPLAINED
    # A Value held at one number over the points (a target y) cannot be told from a constant
    varying = [position[v] for v in order if v in used and (v.parents or v in leaves)]
    slips = _slips(paths, order, varying, shown, Counter(written))
    for slip in slips:
        if _fits([slip], terms):
            return slip.diagnosis()
    pair = _two_slips(slips, terms)
    if pair is not None:
        first, second = (s.diagnosis() for s in pair)
        return Diagnosis("two slips", f"two slips: (1) {first.message}; (2) {second.message}",
                         first.edge or second.edge,
                         tuple(dict.fromkeys(first.values + second.values)), (first, second))
    return _UNEXPLAINED


_UNEXPLAINED = Diagnosis("disagrees", "no slip or pair of slips explains the difference (a "
                         "factor missing, doubled or wrong, a path, a sign, a constant "
                         "factor); compare the claim term by term with explain(root, wrt) "
                         "at the worst point")


def _two_slips(slips: list[_Slip], terms: list[_Terms]) -> tuple[_Slip, _Slip] | None:
    # The first pair of slips (in the order of the list) that fits every point. At the first
    # point each slip is its change to the sum (and a factor of the whole claim, for a
    # scale): two slips on different path terms add their changes, so the partner a slip
    # needs is looked up among the sorted changes; two on one term, `_on_one_term`.
    first = terms[0]
    effects = [_effect(s, first) for s in slips]
    by_change = sorted(range(len(slips)), key=lambda k: effects[k][1])
    changes = [effects[k][1] for k in by_change]
    fitting: list[tuple[int, int]] = []
    room = _ROOM * max(1.0, abs(first.claimed), abs(first.engine))
    for i, (touched, change, scale) in enumerate(effects):
        if not scale:
            continue
        # the change a partner must bring: (engine + change + other) · scale = claimed
        needed = first.claimed / scale - first.engine - change
        low = bisect_left(changes, needed - room)
        high = bisect_right(changes, needed + room)
        for j in by_change[low:high]:
            if j != i and not (touched & effects[j][0]) and effects[j][2] == 1.0:
                fitting.append((min(i, j), max(i, j)))
    fitting += _on_one_term(slips, effects, first)
    for i, j in sorted(set(fitting)):
        if slips[i].scale is not None and slips[j].scale is not None:
            continue  # two factors of the whole claim are one constant factor
        if _fits([slips[i], slips[j]], terms):
            return slips[i], slips[j]
    return None


def _on_one_term(slips: list[_Slip], effects: list[tuple[frozenset[int], float, float]],
                 first: _Terms) -> list[tuple[int, int]]:
    # Pairs that change the same path terms: two slips on one term multiply it by their
    # ratios, so the partner's ratio is looked up among the sorted ratios of that term;
    # a slip on several terms is paired with the others one by one, while they are few.
    terms = [math.prod(v for _, v in path) for path in first.paths]
    single: dict[int, list[tuple[float, int]]] = {}
    several = []
    for k, (touched, change, scale) in enumerate(effects):
        if scale != 1.0 or not touched:
            continue
        if len(touched) == 1:
            (p,) = touched
            if terms[p]:
                single.setdefault(p, []).append(((terms[p] + change) / terms[p], k))
        else:
            several.append(k)
    found = []
    for p, ratios in single.items():
        ratios.sort()
        sorted_ratios = [r for r, _ in ratios]
        for ratio, i in ratios:
            if not ratio:
                continue
            needed = (first.claimed - first.engine + terms[p]) / (terms[p] * ratio)
            room = _ROOM * max(1.0, abs(needed))
            low = bisect_left(sorted_ratios, needed - room)
            high = bisect_right(sorted_ratios, needed + room)
            found += [(min(i, j), max(i, j)) for _, j in ratios[low:high]
                      if j != i and _distinct(slips[i], slips[j])]
    if len(several) * len(slips) <= _MAX_TRIED:
        for i in several:
            for j in range(len(slips)):
                if (j != i and effects[i][0] & effects[j][0] and effects[j][2] == 1.0
                        and _distinct(slips[i], slips[j])
                        and _close(_gives([slips[i], slips[j]], first), first.claimed)):
                    found.append((min(i, j), max(i, j)))
    return found


def _distinct(a: _Slip, b: _Slip) -> bool:
    # Two changes of one factor in one term are one change, not two slips.
    return not (a.keys & b.keys and (a.paths is None or b.paths is None
                                     or bool(a.paths & b.paths)))


_ROOM = 1e-5  # how near a pair's number must come at the first point to be checked at all
_MAX_TRIED = 3_000  # pairs with a slip on several terms tried one by one, at most


def _effect(slip: _Slip, t: _Terms) -> tuple[frozenset[int], float, float]:
    # The path terms a slip changes, the change to the sum at t, and its factor of the
    # whole claim.
    if slip.scale is not None:
        return frozenset(), 0.0, slip.scale(t)
    touched = frozenset(p for p, path in enumerate(t.paths)
                        if (slip.paths is None or p in slip.paths)
                        and (slip.term != 1.0 or any(k in slip.keys for k, _ in path)))
    changed = _Terms([t.paths[p] for p in sorted(touched)], t.claimed, t.engine, t.values)
    before = math.fsum(math.prod(v for _, v in t.paths[p]) for p in sorted(touched))
    renumbered = _Slip(slip.category, slip.message, slip.edge, keys=slip.keys,
                       factor=slip.factor, term=slip.term)  # every one of those terms
    return touched, _gives([renumbered], changed) - before, 1.0


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


_SWAPPED = ("sigmoid", "tanh", "relu", "leaky_relu")
"""Activations whose derivatives a learner mixes up: σ', tanh', ReLU'."""


_MISWRITTEN: dict[str, Callable[[float], float]] = {
    "1 − {o}": lambda o: 1 - o,
    "{o}·(1 − {o})": lambda o: o * (1 - o),
    "1 − {o}²": lambda o: 1 - o * o,
}
"""Derivatives written in the value o = f(z) the way they go wrong: a square or a factor
lost, or another activation's rule (σ' = o·(1 − o), tanh' = 1 − o²)."""
_MISWRITTEN_FOR = {"1 − {o}": ("sigmoid", "tanh"), "{o}·(1 − {o})": ("tanh",),
                   "1 − {o}²": ("sigmoid",)}


def _is_atom(name: str) -> bool:
    return name.replace("_", "").replace("[", "").replace("]", "").isalnum()


def _in_value(wrong: Callable[[float], float], where: int, t: _Terms, v: float) -> float:
    return wrong(t.values[where])


def _derivative(op: str, a: float) -> float:
    return float(OPS[op].rule(a, OPS[op].forward(a))[0])


def _slips(paths: tuple[Path, ...], order: list[Value], used: list[int],
           shown: Mapping[Value, str], written: Counter[tuple[str, Value]]) -> list[_Slip]:
    # Each slip a learner makes, as a change to the sum over paths; most telling first.
    # A wrong factor is one of the Values the claim names (w6 for w5); a factor's own value
    # in place of its derivative (σ(z3) for σ'(z3)); another activation's derivative.
    name = paths[0].name if paths else "the gradient"
    position = {v: k for k, v in enumerate(order)}
    factors: dict[_Key, Factor] = {}
    along: dict[_Key, list[int]] = {}  # the path terms each factor is in
    for k, path in enumerate(paths):
        for f in path.factors:
            key = (position[f.child], position[f.parent])
            factors.setdefault(key, f)
            along.setdefault(key, []).append(k)
    ends = {key: (f.child, f.parent) for key, f in factors.items()}
    routes = [_route(path, shown) for path in paths]
    several = len(paths) > 1
    # factors that are one function's derivative, σ'(z3), by function
    of_function: dict[str, list[_Key]] = {}
    for key, f in factors.items():
        if len(f.child.parents) == 1 and f.child.op in OPS and f.formula:
            of_function.setdefault(f.child.op, []).append(key)
    arguments = {op: [position[v.parents[0]] for v in order
                      if v.op == op and len(v.parents) == 1] for op in of_function}

    def per_term(key: _Key) -> list[tuple[frozenset[int] | None, str]]:
        # The factor changed in every path term it is in, and, when it is in several, in
        # one of them only.
        choices: list[tuple[frozenset[int] | None, str]] = [(None, "")]
        if len(along[key]) > 1:
            choices += [(frozenset([k]), f" in the term of the path {routes[k]}")
                        for k in along[key]]
        return choices

    slips = [_Slip("sign error", f"the claim is −{name}: the sign is flipped; look for a "
                   "(y − ŷ) that should be (ŷ − y), or a minus lost from a log or a 1 − x", "",
                   scale=_minus_one)]
    for times in _CONSTANT_FACTORS:
        why = ("; a square's 2, (x²)' = 2x, or a ½ in front of the loss is often the cause"
               if times in (2.0, 0.5) else "")
        slips.append(_Slip("constant factor", f"the claim is {_ratio(times)} times "
                           f"{name}{why}", "", scale=partial(_constant, times)))
    for key, f in factors.items():
        if f.formula == "1":
            continue  # a factor 1 left out or doubled changes nothing
        told = (f": it is {number(f.value)} at the graph's point, so that point alone cannot "
                "tell" if f.value in (0.0, 1.0) else "")
        for chosen, where in per_term(key):
            slips.append(_Slip("missing factor", f"missing {_described(f)}{where}{told}",
                               f.name, ends[key], frozenset([key]), chosen, _one))
    for op, keys in of_function.items():  # ReLU' left out on both hidden neurons' paths
        if len(keys) > 1:
            listed = ", ".join(_described(factors[k]) for k in keys)
            slips.append(_Slip("missing factor", f"missing {OPS[op].symbol}' on every "
                               f"path: {listed}", factors[keys[0]].name,
                               tuple(v for k in keys for v in ends[k]), frozenset(keys),
                               None, _one))
    for op, keys in of_function.items():
        symbol = OPS[op].symbol
        for key in keys:
            f = factors[key]
            value, below = shown[f.child], shown[f.parent]
            for chosen, where in per_term(key):
                if written[op, f.parent] < len(along[key]):  # σ'(z3) in every term: not ŷ
                    slips.append(_Slip(
                        "value for derivative",
                        f"{f.name} is {f.formula}, but the claim has {value} in its place"
                        f"{where}: {value} = {symbol}({below}) is the value, not its "
                        f"derivative {symbol}'({below})", f.name, ends[key],
                        frozenset([key]), chosen, partial(_value_at, key[0])))
                for other in _SWAPPED:
                    if other == op:
                        continue
                    other_symbol = OPS[other].symbol
                    slips.append(_Slip(
                        "wrong derivative",
                        f"{f.name} is {symbol}'({below}), since {value} = {symbol}({below}), "
                        f"but the claim has {other_symbol}'({below}), the derivative of "
                        f"{other_symbol}{where}", f.name, ends[key], frozenset([key]), chosen,
                        partial(_derivative_at, other, key[1])))
                for rule, wrong in _MISWRITTEN.items():
                    text = rule.format(o=value if _is_atom(value) else f"({value})")
                    if op in _MISWRITTEN_FOR.get(rule, ()):
                        slips.append(_Slip(
                            "wrong derivative", f"{f.name} is {f.formula}, but the claim has "
                            f"{text} in its place{where}", f.name, ends[key],
                            frozenset([key]), chosen, partial(_in_value, wrong, key[0])))
                for argument in arguments[op]:
                    if argument == key[1] or argument not in used:
                        continue
                    instead = shown[order[argument]]
                    slips.append(_Slip(
                        "wrong argument",
                        f"{f.name} is {symbol}'({below}), but the claim has {symbol}'"
                        f"({instead}), the derivative at another neuron's value{where}",
                        f.name, ends[key], frozenset([key]), chosen,
                        partial(_derivative_at, op, argument)))
    for key, f in factors.items():
        if f.formula == "1":
            continue
        for chosen, where in per_term(key):
            slips.append(_Slip("extra factor", f"{_described(f)} is counted twice{where}",
                               f.name, ends[key], frozenset([key]), chosen, _squared))
    for key, f in factors.items():
        if f.formula == "1":
            continue  # 1 replaced by v is an extra factor v, below
        for where_used in used:
            if where_used == key[0]:
                continue  # its own value: a value for its derivative, above
            for chosen, where in per_term(key):
                slips.append(_Slip(
                    "wrong factor", f"{f.name} is {f.formula or 'another number'}, but the "
                    f"claim has {shown[order[where_used]]} in its place{where}", f.name,
                    ends[key], frozenset([key]), chosen, partial(_value_at, where_used)))
    if several:
        for k, path in enumerate(paths):
            route_values = tuple(dict.fromkeys(v for f in path.factors
                                               for v in (f.child, f.parent)))
            slips.append(_Slip("sign error", f"the term of the path {routes[k]}, "
                               f"{path.symbolic}, has its sign flipped", "", route_values,
                               paths=frozenset([k]), term=-1.0))
            slips.append(_Slip("missing path", f"missing the path {routes[k]}, the term "
                               f"{path.symbolic} of the sum over paths", "", route_values,
                               paths=frozenset([k]), term=0.0))
    for where_used in used:
        slips.append(_Slip("extra factor", f"an extra factor {shown[order[where_used]]}, "
                           f"which {name} does not have", "",
                           scale=partial(_value_of, where_used)))
    return slips


def _route(path: Path, shown: Mapping[Value, str]) -> str:
    return " → ".join([shown[path.factors[-1].parent]]
                      + [shown[f.child] for f in reversed(path.factors)])


def _minus_one(t: _Terms) -> float:
    return -1.0


def _constant(k: float, t: _Terms) -> float:
    return k


def _one(t: _Terms, v: float) -> float:
    return 1.0


def _squared(t: _Terms, v: float) -> float:
    return v * v


def _value_at(where: int, t: _Terms, v: float) -> float:
    return t.values[where]


def _value_of(where: int, t: _Terms) -> float:
    return t.values[where]


def _derivative_at(op: str, where: int, t: _Terms, v: float) -> float:
    return _derivative(op, t.values[where])


def _described(f: Factor) -> str:
    return f"{f.name} = {f.formula}" if f.formula else f.name


def _ratio(k: float) -> str:
    return {0.5: "½", 1 / 3: "⅓", 0.25: "¼", -0.5: "−½"}.get(k, number(k))
