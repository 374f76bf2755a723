"""Exercise numbers: a network of the articles (or any small MLP) at numbers a learner can
work through by hand, the same for everyone with the same seed.

`exercise(net, seed)` draws the inputs, the target(s) and every weight and bias, and returns
the loss graph built from Values labelled as the article writes them (``x1``, ``w1``, ``z1``,
``h1``, ``ŷ``, ``L``; the target ``y`` is a labelled leaf too). `build(net, given)` builds the
same graph at numbers of your own. The nets are `NETS` and MLP specs ``SIZES:HIDDEN,OUTPUT``
with an optional ``:LOSS``, e.g. ``2-2-1:relu,sigmoid`` or ``2-3-2:tanh,sigmoid:mse``, of at
most `MAX_PARAMETERS` weights and biases (however its layers are shaped): more is too much
to work by hand. An `Exercise` says its net's own ``name`` and ``description`` for titles.

The numbers are drawn neuron by neuron, each redrawn until it fits, and the whole draw is
repeated until every rule holds (`MAX_TRIES` at most):

- inputs have one decimal, 0.5 ≤ |x| ≤ 2 (students: hours in halves, studied 1-9, slept
  4-9); weights two decimals, 0.05 ≤ |w| ≤ 1; biases two decimals, 0.05 ≤ |b| ≤ 0.5; targets
  0 or 1 for binary cross-entropy, else two decimals in (0.05, 0.95);
- no ReLU near its kink (|z| ≥ 0.1) and every ReLU active (z ≥ 0.1); no saturated sigmoid
  (0.02 < a < 0.98) or tanh (|a| < 0.96); a ReLU or linear neuron's z is at most `Z_MAX`;
- every neuron's ∂L/∂z at least 1e-3 and every parameter's ∂L/∂p at least 1e-4 in size.

With ``dead_relu=True`` exactly one hidden ReLU neuron is dead (z ≤ -0.1): its weights and
bias, and the weights that read its output (which is 0), get a gradient of exactly 0.

The rng is ``random.Random("net/seed/student/dead_relu")``: a string seed, so the numbers are
the same in every run; each student (1, 2, ...) gets numbers of their own, the class sheet
(``student=None``) others again.

>>> ex = exercise("student", 7)
>>> list(ex.given)[:5], ex.root.label
(['x1', 'x2', 'y', 'w1', 'w2'], 'L')
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from autograd import Value, dot
from autograd.graph import topological_order
from nn.layers import ACTIVATIONS

NETS: tuple[str, ...] = ("student", "simplenn", "squared-error", "five-input")
"""The articles' networks by name; `exercise` and `build` also take MLP specs."""
LOSSES = ("bce", "mse")
MAX_TRIES = 10_000
MAX_PARAMETERS = 60
"""The most weights and biases an MLP spec may have: a sheet's worth, worked by hand in a
lesson (the five-input net has 21; every parameter adds rows to the sheet, the key and the
slides, and a slide to print)."""
Z_MAX = 10.0
_DRAWS = 100  # draws per neuron before the whole try starts again
_SPEC = ("an MLP spec SIZES:HIDDEN,OUTPUT[:LOSS] such as 2-2-1:relu,sigmoid "
         "(activations relu tanh sigmoid linear; loss bce or mse)")


_ABOUT = {  # the articles' nets by key: their name in a title, and what they are
    "student": ("student",
                "The student pass/fail network of the first article, *What is Neural "
                "Network?*: x1 hours studied, x2 hours slept, target y (1: passed); ReLU "
                "hidden neurons h1, h2, a sigmoid output ŷ, and the loss L = binary "
                "cross-entropy."),
    "simplenn": ("SimpleNN",
                 "The 2-2-1 network SimpleNN of the third article (a simple neural network "
                 "example in Python): a ReLU hidden layer, a sigmoid output ŷ, binary "
                 "cross-entropy; W1[i,j] joins input j to hidden neuron i."),
    "squared-error": ("squared-error",
                      "The sigmoid network of the second article, *Introduction to Neural "
                      "Network Basics*: targets t_k1, t_k2, the error E = ½Σ(t − o)², θ a "
                      "neuron's bias (threshold)."),
    "five-input": ("five-input",
                   "The network of the fourth article, *Understanding Neural Networks* (Tony "
                   "Yiu): five inputs, two sigmoid hidden layers, a sigmoid output, mean "
                   "squared error; Wa,b joins input (or neuron) a to neuron b."),
}


class ExerciseError(ValueError):
    """A net, a number or a request that cannot make an exercise; the message says why."""


@dataclass(frozen=True)
class _Unit:  # one neuron's labels
    weights: tuple[str, ...]
    bias: str
    z: str
    a: str  # a linear neuron's one Value carries this label


@dataclass(frozen=True)
class _Net:
    key: str  # the name the rng is seeded with
    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    layers: tuple[tuple[_Unit, ...], ...]
    activations: tuple[str, ...]  # one per layer
    loss: str  # bce | mse | squared-error
    loss_label: str = "L"

    @property
    def labels(self) -> list[str]:
        """The given numbers' labels: inputs, targets, then parameters in network order."""
        params = [p for layer in self.layers for u in layer for p in (*u.weights, u.bias)]
        return [*self.inputs, *self.targets, *params]


@dataclass(frozen=True, eq=False)  # its root is a graph: compare given, not exercises
class Exercise:
    """One exercise: the numbers given (by label, in a stable order) and the loss graph.

    >>> ex = exercise("simplenn", 1)
    >>> ex.given["y"] in (0.0, 1.0), ex.values()["y"].parents  # the target: a leaf
    (True, ())
    """

    net: str
    seed: int
    student: int | None
    dead_relu: bool
    given: dict[str, float]
    root: Value

    @property
    def name(self) -> str:
        """The net's own name, however ``net`` was spelled: ``student``, ``SimpleNN``,
        ``squared-error``, ``five-input``, or an MLP's spec in full.

        >>> exercise(" Simple NN", 1).name, exercise("2-2-1:RELU,sigmoid", 1).name
        ('SimpleNN', '2-2-1:relu,sigmoid:bce')
        """
        key = _parse(self.net).key
        return _ABOUT[key][0] if key in _ABOUT else key

    @property
    def description(self) -> str:
        """What the net is, in a sentence or two for a sheet's subtitle: the article it is
        from and its notation.

        >>> exercise("five - input", 1).description.startswith("The network of the fourth")
        True
        """
        key = _parse(self.net).key
        if key in _ABOUT:
            return _ABOUT[key][1]
        return (f"A multilayer perceptron {key}: the layer sizes (inputs first), then the "
                "hidden and output activations, then the loss (bce: binary cross-entropy; "
                "mse: mean squared error).")

    def values(self) -> dict[str, Value]:
        """Every labelled Value of the graph by label: the given ones first, then the rest
        in the order they are computed.

        >>> list(exercise("student", 7).values())[12:]
        ['z1', 'h1', 'z2', 'h2', 'z3', 'ŷ', 'L']
        """
        found = {v.label: v for v in topological_order(self.root) if v.label}
        return {**{label: found[label] for label in self.given}, **found}


def _units(names: list[list[str]], biases: list[str], zs: list[str],
           acts: list[str]) -> tuple[_Unit, ...]:
    return tuple(_Unit(tuple(w), b, z, a) for w, b, z, a in zip(names, biases, zs, acts))


def _student() -> _Net:
    layers = (_units([["w1", "w2"], ["w3", "w4"]], ["b1", "b2"], ["z1", "z2"],
                     ["h1", "h2"]), _units([["w5", "w6"]], ["b3"], ["z3"], ["ŷ"]))
    return _Net("student", ("x1", "x2"), ("y",), layers, ("relu", "sigmoid"), "bce")


def _squared_error() -> _Net:
    # the second article's indices: w_i1j2 joins input i1 to hidden neuron j2; θ is a bias
    def layer(src: str, dst: str) -> tuple[_Unit, ...]:
        return tuple(_Unit((f"w_{src}1{dst}{k}", f"w_{src}2{dst}{k}"), f"θ_{dst}{k}",
                           f"net_{dst}{k}", f"o_{dst}{k}") for k in (1, 2))
    return _Net("squared-error", ("x1", "x2"), ("t_k1", "t_k2"), (layer("i", "j"),
                layer("j", "k")), ("sigmoid", "sigmoid"), "squared-error", "E")


def _five_input() -> _Net:
    # the fourth article's notation: Wa,b joins input (or neuron) a to neuron b
    def layer(sources: range, neurons: range) -> tuple[_Unit, ...]:
        return tuple(_Unit(tuple(f"W{a},{b}" for a in sources), f"Bias_Neuron{b}", f"Z{b}",
                           "Prediction" if b == 5 else f"Activation_{b}") for b in neurons)
    layers = (layer(range(1, 6), range(1, 3)), layer(range(1, 3), range(3, 5)),
              layer(range(3, 5), range(5, 6)))
    return _Net("five-input", tuple(f"In{a}" for a in range(1, 6)), ("y",), layers,
                ("sigmoid",) * 3, "mse")


def _mlp(key: str, sizes: list[int], hidden: str, output: str, loss: str) -> _Net:
    # the third article's notation: W1[i,j] joins input j to neuron i of layer 1
    last, layers = len(sizes) - 1, []
    for n in range(1, last + 1):
        one = n == last and sizes[n] == 1
        layers.append(tuple(_Unit(
            tuple(f"W{n}[{j}]" if one else f"W{n}[{i},{j}]" for j in range(1, sizes[n - 1] + 1)),
            f"b{n}" if one else f"b{n}[{i}]", f"z{n}" if one else f"z{n}[{i}]",
            "ŷ" if one else f"ŷ[{i}]" if n == last else f"a{n}[{i}]")
            for i in range(1, sizes[n] + 1)))
    targets = ("y",) if sizes[-1] == 1 else tuple(f"y[{i}]" for i in range(1, sizes[-1] + 1))
    return _Net(key, tuple(f"x{j}" for j in range(1, sizes[0] + 1)), targets, tuple(layers),
                (hidden,) * (last - 1) + (output,), loss)


def parameters(sizes: list[int]) -> int:
    """How many weights and biases an MLP of layer ``sizes`` (inputs first) has.

    >>> parameters([2, 2, 1]), parameters([5, 2, 2, 1])
    (9, 21)
    """
    return sum((before + 1) * after for before, after in zip(sizes, sizes[1:]))


def _parse(net: str) -> _Net:
    # a named net, or an MLP spec checked part by part
    if not isinstance(net, str):
        raise ExerciseError(f"net must be a name or an MLP spec, got {net!r}")
    name = net.replace(" ", "").lower()
    if name in ("student", "squared-error", "five-input"):
        return {"student": _student, "squared-error": _squared_error,
                "five-input": _five_input}[name]()
    if name == "simplenn":
        return _mlp("simplenn", [2, 2, 1], "relu", "sigmoid", "bce")
    parts = name.split(":")
    if ":" not in name and not name[:1].isdigit():  # not even trying to be a spec
        raise ExerciseError(f"unknown net {net!r}: choose {', '.join(NETS)} or {_SPEC}")
    sizes_text = parts[0].split("-")
    if not all(s.isdigit() for s in sizes_text) or len(sizes_text) < 2:
        raise ExerciseError(f"bad sizes {parts[0]!r} in {net!r}: write whole numbers joined "
                            f"by '-', inputs first, e.g. 2-2-1; {_SPEC}")
    # a size of more digits than any sheet holds counts as 10**4 (no huge int is read)
    huge = any(len(s.lstrip("0")) > 4 for s in sizes_text)
    sizes = [int(s) if len(s.lstrip("0")) <= 4 else 10**4 for s in sizes_text]
    if min(sizes) < 1:
        raise ExerciseError(f"bad sizes {parts[0]!r}: every layer needs at least 1 neuron "
                            "(and at least 1 input), e.g. 2-2-1")
    count = parameters(sizes)
    if count > MAX_PARAMETERS:
        shown = parts[0] if len(parts[0]) <= 40 else parts[0][:37] + "..."
        raise ExerciseError(f"{shown!r} is too big to work by hand: "
                            f"{'at least ' if huge else ''}{count} parameters, at most "
                            f"{MAX_PARAMETERS} (weights and biases; 2-3-1 has "
                            f"{parameters([2, 3, 1])})")
    acts = parts[1].split(",") if len(parts) > 1 else []
    if len(parts) > 3 or len(acts) != 2 or any(a not in ACTIVATIONS for a in acts):
        raise ExerciseError(f"bad activations in {net!r}: after the sizes write ':' and two "
                            "of relu tanh sigmoid linear, hidden then output, e.g. "
                            "2-2-1:relu,sigmoid, then optionally :bce or :mse")
    one_sigmoid = acts[1] == "sigmoid" and sizes[-1] == 1
    loss = parts[2] if len(parts) == 3 else "bce" if one_sigmoid else "mse"
    if loss not in LOSSES or (loss == "bce" and acts[1] != "sigmoid"):
        raise ExerciseError(f"bad loss {loss!r} in {net!r}: write :mse, or :bce after a "
                            "sigmoid output, e.g. 2-2-1:relu,sigmoid:bce")
    key = f"{'-'.join(map(str, sizes))}:{acts[0]},{acts[1]}:{loss}"
    return _mlp(key, sizes, acts[0], acts[1], loss)


def _loss(net: _Net, outs: list[Value], targets: list[Value]) -> Value:
    if net.loss == "squared-error":  # E = ½Σ(t - o)²
        terms = [(t - o) ** 2 for o, t in zip(outs, targets)]
        return sum(terms[1:], terms[0]) * 0.5
    if net.loss == "bce":  # -[y log ŷ + (1 - y) log(1 - ŷ)]
        terms = [-(t * o.log() + (1 - t) * (1 - o).log()) for o, t in zip(outs, targets)]
    else:  # (ŷ - y)²
        terms = [(o - t) ** 2 for o, t in zip(outs, targets)]
    return terms[0] if len(terms) == 1 else sum(terms[1:], terms[0]) * (1 / len(terms))


def _neuron(unit: _Unit, act: str, xs: list[Value], leaf: dict[str, Value]) -> Value:
    z = dot([leaf[w] for w in unit.weights], xs, leaf[unit.bias])  # as MLP neurons sum
    if act == "linear":
        z.label = unit.a
        return z
    z.label = unit.z
    a = ACTIVATIONS[act](z)
    a.label = unit.a
    return a


def build(net: str, given: Mapping[str, float]) -> Value:
    """The loss graph of ``net`` at the ``given`` numbers (every input, target and parameter
    by label, as in `Exercise.given`).

    >>> given = {"x1": 1, "x2": 2, "y": 1, "W1[1,1]": 0.2, "W1[1,2]": 0.4, "b1[1]": 0.3,
    ...          "W1[2,1]": 0.1, "W1[2,2]": 0.6, "b1[2]": 0.5, "W2[1]": 0.7, "W2[2]": 0.9,
    ...          "b2": 0.2}
    >>> round(build("simplenn", given).data, 6)  # the third article's example
    0.063181
    """
    spec = _parse(net)
    missing = [k for k in spec.labels if k not in given]
    extra = [k for k in given if k not in spec.labels]
    if missing or extra:
        raise ExerciseError(f"{net!r} needs the numbers {', '.join(spec.labels)}; "
                            f"missing: {', '.join(missing) or '-'}; "
                            f"not in the net: {', '.join(map(str, extra)) or '-'}")
    try:
        leaf = {k: Value(given[k], label=k) for k in spec.labels}
        xs = [leaf[k] for k in spec.inputs]
        for layer, act in zip(spec.layers, spec.activations):
            xs = [_neuron(u, act, xs, leaf) for u in layer]
        root = _loss(spec, xs, [leaf[k] for k in spec.targets])
    except (TypeError, ValueError) as err:
        raise ExerciseError(f"{net!r} at these numbers: {err}") from None
    root.label = spec.loss_label
    return root


def _fits(act: str, out: Value, dead: bool) -> bool:
    # the forward rules for one neuron (its z is `out` itself when linear)
    z = out.data if act == "linear" else out.parents[0].data
    if act == "relu":
        return -Z_MAX <= z <= -0.1 if dead else 0.1 <= z <= Z_MAX
    if act == "sigmoid":
        return 0.02 < out.data < 0.98
    if act == "tanh":
        return abs(out.data) < 0.96
    return abs(z) <= Z_MAX


def _number(rng: random.Random, low: int, high: int, scale: int) -> float:
    # ±k/scale with low ≤ k ≤ high: at most two decimals exactly (round(x, 2) == x)
    return rng.randint(low, high) / scale * rng.choice((-1, 1))


def _draw(spec: _Net, rng: random.Random, dead: tuple[int, int] | None) -> dict[str, float]:
    """One try: numbers that meet every rule, or {} when a neuron or a gradient fails."""
    given: dict[str, float] = {}
    if spec.key == "student":  # hours studied 1-9 and slept 4-9, in halves
        given.update(x1=rng.randint(2, 18) / 2, x2=rng.randint(8, 18) / 2)
    else:
        given.update({k: _number(rng, 5, 20, 10) for k in spec.inputs})
    for k in spec.targets:
        given[k] = float(rng.randint(0, 1)) if spec.loss == "bce" else rng.randint(6, 94) / 100
    leaf = {k: Value(v, label=k) for k, v in given.items()}
    xs = [leaf[k] for k in spec.inputs]
    zero: set[str] = set()  # parameters whose gradient is 0 by the lesson: a dead neuron's
    neurons: list[Value] = []
    for n, (layer, act) in enumerate(zip(spec.layers, spec.activations)):
        out = []
        for i, u in enumerate(layer):
            is_dead = dead == (n, i)
            for _ in range(_DRAWS):
                for w in u.weights:
                    given[w] = _number(rng, 5, 100, 100)
                    leaf[w] = Value(given[w], label=w)
                given[u.bias] = _number(rng, 5, 50, 100)
                leaf[u.bias] = Value(given[u.bias], label=u.bias)
                a = _neuron(u, act, xs, leaf)
                if _fits(act, a, is_dead):
                    break
            else:
                return {}
            zero.update((*u.weights, u.bias) if is_dead else
                        (w for w, x in zip(u.weights, xs) if x.data == 0))
            if not is_dead:
                neurons.append(a if act == "linear" else a.parents[0])
            out.append(a)
        xs = out
    root = _loss(spec, xs, [leaf[k] for k in spec.targets])
    root.backward()
    params = spec.labels[len(spec.inputs) + len(spec.targets):]
    if any(abs(z.grad) < 1e-3 for z in neurons) or any(
            abs(leaf[k].grad) < 1e-4 for k in params if k not in zero):
        return {}
    return {k: given[k] for k in spec.labels}


def exercise(net: str, seed: int, *, student: int | None = None,
             dead_relu: bool = False) -> Exercise:
    """The numbers of exercise ``seed`` on ``net`` (for ``student`` k, their own numbers),
    and its loss graph.

    >>> ex = exercise("student", 7, dead_relu=True)
    >>> sum(ex.values()[h].data == 0 for h in ("h1", "h2"))  # one hidden neuron is dead
    1
    >>> exercise("student", 7).given == exercise("student", 7).given
    True
    """
    spec = _parse(net)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ExerciseError(f"seed must be a whole number, got {seed!r}")
    if student is not None and (isinstance(student, bool) or not isinstance(student, int)
                                or student < 1):
        raise ExerciseError(f"student must be None (the class sheet) or 1, 2, ..., "
                            f"got {student!r}")
    # a lone hidden neuron past layer 1 cannot die: every gradient before it would be 0
    candidates = [(n, i) for n, (layer, act) in enumerate(zip(spec.layers[:-1],
                                                               spec.activations))
                  if act == "relu" and (n == 0 or len(layer) > 1) for i in range(len(layer))]
    if dead_relu and not candidates:
        raise ExerciseError(f"the {net} net has no hidden ReLU neuron that can die alone; "
                            "a dead ReLU (--dead-relu, dead_relu=True) needs one: try student, "
                            "simplenn or 2-2-1:relu,sigmoid")
    rng = random.Random(f"{spec.key}/{seed}/{student or 0}/{dead_relu}")
    for _ in range(MAX_TRIES):
        dead = rng.choice(candidates) if dead_relu else None
        given = _draw(spec, rng, dead)
        if given:
            return Exercise(net, seed, student, dead_relu, given, build(net, given))
    raise ExerciseError(f"no numbers for {net!r} meet the rules after {MAX_TRIES} tries "
                        "(gradients vanish through many sigmoid or tanh layers); try a "
                        "smaller network or other activations")
