"""The bridge to PyTorch: an equivalent ``torch.nn.Module`` (float64) with the same weights.

torch is optional: it is imported only when `to_torch` is called, and its absence gives an
error that says how to install it. A model describes itself as fully connected layers,
``dense_layers()`` → ``[(nin, W, b, activation), ...]``; each becomes a ``torch.nn.Linear``
(whose weight matrix has one row per neuron, the layout of `MLP.get_weights`) and an
activation. The torch module maps a batch of shape (n, nin) to (n, nout); a single output
neuron gives (n, 1) where ours gives one Value. This module imports nothing from the
layers: they call it (``model.to_torch()``).

>>> from nn import MLP
>>> net = MLP.from_weights([([[0.5, -1.0]], [0.25])], output_activation="sigmoid")
>>> net.to_torch()
Sequential(
  (0): Linear(in_features=2, out_features=1, bias=True)
  (1): Sigmoid()
)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

DenseLayer = tuple[int, Sequence[Sequence[float]], Sequence[float], str]
"""One fully connected layer as data: ``(nin, W, b, activation)``, W one row per neuron."""


class Dense(Protocol):
    """A model made of fully connected layers, as Neuron, Layer and MLP are.

    >>> from nn import Neuron
    >>> Neuron(1, "tanh").dense_layers()[0][3]
    'tanh'
    """

    def dense_layers(self) -> list[DenseLayer]:
        """``(nin, W, b, activation)`` per layer, W with one row per neuron."""
        ...


def to_torch(model: Dense) -> Any:
    """A ``torch.nn.Sequential`` in float64 computing what ``model`` computes.

    >>> from nn import Layer
    >>> import random
    >>> to_torch(Layer(3, 2, activation="tanh", rng=random.Random(0)))[0].weight.dtype
    torch.float64
    """
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch() needs PyTorch: pip install torch") from None
    activation = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh,
                  "sigmoid": torch.nn.Sigmoid, "linear": torch.nn.Identity}
    modules = []
    for nin, W, b, act in model.dense_layers():
        linear = torch.nn.Linear(nin, len(W), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(W, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(b, dtype=torch.float64))
        modules.append(linear)
        if act != "linear":
            modules.append(activation[act]())
    return torch.nn.Sequential(*modules)
