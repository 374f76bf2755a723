"""Neuron, Layer and MLP: micrograd's networks, with named activations and named weights.

A neuron computes ``act(b + w1*x1 + w2*x2 + ...)``, summed in exactly micrograd's order so
that the numbers match micrograd's to the last bit. Without an ``rng``, initial weights are
drawn from the global `random` module with ``uniform(-1, 1)`` in micrograd's order (layer by
layer, neuron by neuron, input by input; biases start at 0), so micrograd's demo gives
micrograd's numbers; ``rng=random.Random(seed)`` gives an isolated, reproducible model.

Weights can be set from nested lists in PyTorch's layout: per layer a matrix with one row
per neuron (one column per input) and a list of biases.

A network reads as one in its graph. Called on numbers, a model makes one input Value per
input, labelled ``x1 ... xn`` and shared by every first-layer neuron, so ∂out/∂x1 is one
``.grad``; Values passed in are used as they are. Each neuron labels its weighted sum and its
activation under its name: ``layer1.neuron2.z`` and ``layer1.neuron2.a`` in an MLP (a linear
neuron's output is its weighted sum, ``.z``).

>>> model = MLP.from_weights([([[0.2, 0.4], [0.1, 0.6]], [0.3, 0.5]), ([[0.7, 0.9]], [0.2])],
...                          output_activation="sigmoid")
>>> out = model([1.0, 2.0])
>>> round(out.data, 6), out.label, out.parents[0].label
(0.938774, 'layer2.neuron1.a', 'layer2.neuron1.z')
>>> [v.label for v in out.parents[0].parents[1:-1:2]]
['layer1.neuron1.a', 'layer1.neuron2.a']
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence
from typing import Any, Union

from autograd import Value, dot
from nn import torch_bridge
from nn.module import Module

Input = Union[Value, float]  # noqa: UP007 (a runtime alias: Python 3.10 needs Union here)
Weights = tuple[Sequence[Sequence[float]], Sequence[float]]
"""One layer's weights: a matrix (one row per neuron, one column per input) and biases."""

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": lambda v: v,
}
"""Activation functions by name; each is an op of the engine (``linear`` is none)."""


def _activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return name


def _check_inputs(module: Module, x: Sequence[Input], n: int) -> None:
    try:
        got = len(x)
    except TypeError:
        raise TypeError(
            f"{type(module).__name__} takes a list of {n} inputs, got {type(x).__name__}"
        ) from None
    if got != n:
        raise ValueError(f"{type(module).__name__} takes {n} inputs, got {got}")


def _inputs(module: Module, x: Sequence[Input], n: int) -> list[Value]:
    # One leaf per number, labelled by its position (x1, x2, ...); Values as they are.
    _check_inputs(module, x, n)
    return [v if isinstance(v, Value) else Value(v, label=f"x{i}") for i, v in enumerate(x, 1)]


def _number(x: Any, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
        raise ValueError(f"{where} must be a finite number, got {x!r}")
    return float(x)


class _Dense(Module):
    # What Neuron, Layer and MLP share: they are fully connected layers of neurons.

    def dense_layers(self) -> list[torch_bridge.DenseLayer]:
        """The model as fully connected layers ``(nin, W, b, activation)``.

        >>> Layer(2, 1, "tanh").dense_layers()[0][::3]
        (2, 'tanh')
        """
        raise NotImplementedError

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn.Module`` in float64 with the same weights (needs torch;
        see `nn.torch_bridge`).

        >>> Neuron(2).to_torch()[0].in_features
        2
        """
        return torch_bridge.to_torch(self)


class Neuron(_Dense):
    """``act(b + Σ wi*xi)`` for ``nin`` inputs; ``activation`` is relu, tanh, sigmoid or
    linear. ``nonlin=True/False`` is accepted as in micrograd (relu / linear). Its weighted
    sum is labelled ``z`` and its activation ``a`` (in a Layer: ``neuron2.z``, ...).

    >>> n = Neuron(2, activation="linear")
    >>> n.set_weights(([1.0, -2.0], 0.5))
    >>> out = n([3.0, 1.0])
    >>> out.data, out.label, [x.label for x in out.parents[1:-1:2]]
    (1.5, 'z', ['x1', 'x2'])
    >>> n([3.0])
    Traceback (most recent call last):
    ...
    ValueError: Neuron takes 2 inputs, got 1
    """

    def __init__(
        self, nin: int, activation: str = "relu", rng: random.Random | None = None,
        nonlin: bool | None = None,
    ) -> None:
        if nonlin is not None:
            activation = "relu" if nonlin else "linear"
        self.activation = _activation(activation)
        draw = rng.uniform if rng is not None else random.uniform
        self.w = [Value(draw(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self._label()

    def __call__(self, x: Sequence[Input]) -> Value:
        return self._forward(_inputs(self, x, len(self.w)))

    def _forward(self, x: list[Value]) -> Value:
        z = dot(self.w, x, self.b)  # b + w1*x1 + ... as one node, in micrograd's order
        z.label = self._z_label
        if self.activation == "linear":
            return z
        a = ACTIVATIONS[self.activation](z)
        a.label = self._a_label
        return a

    def _label(self, prefix: str = "") -> None:
        for name, p in self.named_parameters():
            p.label = prefix + name
        self._z_label, self._a_label = prefix + "z", prefix + "a"

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``w1, w2, ..., b``: the weight of each input, then the bias.

        >>> [name for name, _ in Neuron(2).named_parameters()]
        ['w1', 'w2', 'b']
        """
        return [(f"w{i}", w) for i, w in enumerate(self.w, 1)] + [("b", self.b)]

    def describe(self) -> dict[str, Any]:
        """>>> Neuron(3, "tanh").describe()
        {'type': 'Neuron', 'nin': 3, 'activation': 'tanh'}
        """
        return {"type": "Neuron", "nin": len(self.w), "activation": self.activation}

    def dense_layers(self) -> list[torch_bridge.DenseLayer]:
        """A layer of one neuron.

        >>> Neuron(2, "linear", rng=random.Random(0)).dense_layers()[0][2:]
        ([0.0], 'linear')
        """
        w, b = self.get_weights()
        return [(len(self.w), [w], [b], self.activation)]

    def get_weights(self) -> tuple[list[float], float]:
        """``([w1, w2, ...], b)`` as numbers.

        >>> Neuron(2, rng=random.Random(0)).get_weights()[1]
        0.0
        """
        return [w.data for w in self.w], self.b.data

    def set_weights(self, weights: tuple[Sequence[float], float]) -> None:
        """Set ``([w1, w2, ...], b)``; checked whole before anything is assigned.

        >>> n = Neuron(1); n.set_weights(([2.0], 1.0)); n.get_weights()
        ([2.0], 1.0)
        """
        self._assign(self._check(weights, "neuron"))

    def _check(self, weights: Any, where: str) -> list[float]:
        try:
            ws, b = weights
        except (TypeError, ValueError):
            raise ValueError(f"{where}: expected (weights, bias), got {weights!r}") from None
        if isinstance(ws, (str, bytes)) or not isinstance(ws, Sequence) or len(ws) != len(self.w):
            raise ValueError(f"{where}: expected {len(self.w)} weights, got {ws!r}")
        return [_number(w, f"{where} w{i}") for i, w in enumerate(ws, 1)] + [
            _number(b, f"{where} bias")
        ]

    def _assign(self, numbers_: list[float]) -> None:
        for p, x in zip(self.parameters(), numbers_):
            p.data = x

    def __repr__(self) -> str:
        name = "ReLU" if self.activation == "relu" else self.activation.capitalize()
        return f"{name}Neuron({len(self.w)})"


class Layer(_Dense):
    """``nout`` neurons that all see the same ``nin`` inputs. With one neuron it returns a
    single Value (as micrograd's does), otherwise a list.

    >>> layer = Layer(3, 2, rng=random.Random(0))
    >>> [v.label for v in layer([1.0, 2.0, 3.0])]
    ['neuron1.a', 'neuron2.a']
    >>> Layer(3, 1)([1.0, 2.0, 3.0]).op
    'relu'
    """

    def __init__(
        self, nin: int, nout: int, activation: str = "relu", rng: random.Random | None = None,
        nonlin: bool | None = None,
    ) -> None:
        self.nin = nin
        self.neurons = [Neuron(nin, activation, rng, nonlin) for _ in range(nout)]
        self._label()

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        out = self._forward(_inputs(self, x, self.nin))
        return out[0] if len(out) == 1 else out

    def _forward(self, x: list[Value]) -> list[Value]:
        return [n._forward(x) for n in self.neurons]

    @property
    def activation(self) -> str:
        return self.neurons[0].activation if self.neurons else "linear"

    def named_children(self) -> list[tuple[str, Module]]:
        """``neuron<j>`` for neuron j (counting from 1): its parameters are ``neuron<j>.w1``...

        >>> [name for name, _ in Layer(1, 2).named_parameters()]
        ['neuron1.w1', 'neuron1.b', 'neuron2.w1', 'neuron2.b']
        """
        return [(f"neuron{j}", n) for j, n in enumerate(self.neurons, 1)]

    def describe(self) -> dict[str, Any]:
        """>>> Layer(3, 2).describe()
        {'type': 'Layer', 'nin': 3, 'nout': 2, 'activation': 'relu'}
        """
        return {"type": "Layer", "nin": self.nin, "nout": len(self.neurons),
                "activation": self.activation}

    def dense_layers(self) -> list[torch_bridge.DenseLayer]:
        """This layer: ``(nin, W, b, activation)``.

        >>> Layer(1, 2, "tanh").dense_layers()[0][2:]
        ([0.0, 0.0], 'tanh')
        """
        return [(self.nin, *self.get_weights(), self.activation)]

    def get_weights(self) -> tuple[list[list[float]], list[float]]:
        """``(W, b)``: W has one row per neuron, one column per input.

        >>> Layer(2, 3).get_weights()[1]
        [0.0, 0.0, 0.0]
        """
        rows = [n.get_weights() for n in self.neurons]
        return [w for w, _ in rows], [b for _, b in rows]

    def set_weights(self, weights: Weights) -> None:
        """Set ``(W, b)``; checked whole before anything is assigned.

        >>> layer = Layer(2, 1); layer.set_weights(([[1.0, 2.0]], [3.0]))
        >>> layer([1.0, 1.0]).data
        6.0
        """
        self._assign(self._check(weights, "layer"))

    def _check(self, weights: Any, where: str) -> list[list[float]]:
        try:
            matrix, biases = weights
            rows, bs = list(matrix), list(biases)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: expected (W, b), got {weights!r}") from None
        if len(rows) != len(self.neurons) or len(bs) != len(self.neurons):
            raise ValueError(
                f"{where}: expected {len(self.neurons)} rows of W and {len(self.neurons)} "
                f"biases (one per neuron), got {len(rows)} and {len(bs)}"
            )
        return [n._check((r, b), f"{where} neuron{j}")
                for j, (n, r, b) in enumerate(zip(self.neurons, rows, bs), 1)]

    def _assign(self, numbers_: list[list[float]]) -> None:
        for n, xs in zip(self.neurons, numbers_):
            n._assign(xs)

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(_Dense):
    """Layers of sizes ``nouts`` after ``nin`` inputs: ``activation`` on the hidden layers,
    ``output_activation`` on the last (micrograd's defaults: relu, linear).

    >>> model = MLP(2, [16, 16, 1], rng=random.Random(1))
    >>> len(model.parameters())
    337
    >>> out = model([1.0, -1.0])
    >>> out.op, out.label
    ('dot', 'layer3.neuron1.z')
    """

    def __init__(
        self, nin: int, nouts: Sequence[int], activation: str = "relu",
        output_activation: str = "linear", rng: random.Random | None = None,
    ) -> None:
        _activation(activation)
        _activation(output_activation)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng)
            for i in range(len(nouts))
        ]
        self.nin = nin
        self._label()

    @classmethod
    def from_weights(
        cls, weights: Sequence[Weights], activation: str = "relu",
        output_activation: str = "linear",
    ) -> MLP:
        """An MLP with the given weights: one ``(W, b)`` per layer, W with one row per neuron.

        >>> MLP.from_weights([([[1.0, 2.0]], [0.5])]).describe()["sizes"]
        [2, 1]
        """
        try:
            nin = len(weights[0][0][0])
            nouts = [len(w) for w, _ in weights]
        except (TypeError, IndexError, ValueError):
            raise ValueError(f"expected a list of (W, b) per layer, got {weights!r}") from None
        model = cls(nin, nouts, activation, output_activation, rng=random.Random(0))
        model.set_weights(weights)
        return model

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        out = _inputs(self, x, self.nin)
        for layer in self.layers:
            out = layer._forward(out)
        return out[0] if len(out) == 1 else out

    def named_children(self) -> list[tuple[str, Module]]:
        """``layer<i>`` (counting from 1): parameters ``layer<i>.neuron<j>.w<k>``, ``...b``.

        >>> [name for name, _ in MLP(1, [1, 1]).named_parameters()]
        ['layer1.neuron1.w1', 'layer1.neuron1.b', 'layer2.neuron1.w1', 'layer2.neuron1.b']
        """
        return [(f"layer{i}", layer) for i, layer in enumerate(self.layers, 1)]

    def describe(self) -> dict[str, Any]:
        """>>> MLP(2, [3, 1], output_activation="sigmoid").describe()
        {'type': 'MLP', 'sizes': [2, 3, 1], 'activations': ['relu', 'sigmoid']}
        """
        return {"type": "MLP", "sizes": [self.nin] + [len(la.neurons) for la in self.layers],
                "activations": [la.activation for la in self.layers]}

    def dense_layers(self) -> list[torch_bridge.DenseLayer]:
        """One ``(nin, W, b, activation)`` per layer.

        >>> [(nin, act) for nin, _, _, act in MLP(2, [3, 1]).dense_layers()]
        [(2, 'relu'), (3, 'linear')]
        """
        return [d for layer in self.layers for d in layer.dense_layers()]

    def get_weights(self) -> list[tuple[list[list[float]], list[float]]]:
        """One ``(W, b)`` per layer, the form `set_weights` and `from_weights` take.

        >>> MLP.from_weights([([[1.0, 2.0]], [0.5])]).get_weights()
        [([[1.0, 2.0]], [0.5])]
        """
        return [layer.get_weights() for layer in self.layers]

    def set_weights(self, weights: Sequence[Weights]) -> None:
        """Set every weight and bias: one ``(W, b)`` per layer. Everything is checked before
        anything is assigned, so a wrong shape leaves the model unchanged.

        >>> model = MLP(2, [1])
        >>> model.set_weights([([[1.0]], [0.0])])
        Traceback (most recent call last):
        ...
        ValueError: layer1 neuron1: expected 2 weights, got [1.0]
        """
        if isinstance(weights, (str, bytes)) or len(weights) != len(self.layers):
            raise ValueError(f"expected (W, b) for each of {len(self.layers)} layers")
        checked = [layer._check(w, f"layer{i}")
                   for i, (layer, w) in enumerate(zip(self.layers, weights), 1)]
        for layer, xs in zip(self.layers, checked):
            layer._assign(xs)

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
