"""The bridge to PyTorch: an equivalent ``torch.nn.Module`` (float64) with the same weights.

torch is optional: it is imported only when `to_torch` is called, and its absence gives an
error that says how to install it. Each of our layers becomes a ``torch.nn.Linear`` (whose
weight matrix has one row per neuron, the layout of `MLP.get_weights`) and an activation.
The torch module maps a batch of shape (n, nin) to (n, nout); a single output neuron gives
(n, 1) where ours gives one Value.

>>> from nn import MLP
>>> net = MLP.from_weights([([[0.5, -1.0]], [0.25])], output_activation="sigmoid")
>>> net.to_torch()
Sequential(
  (0): Linear(in_features=2, out_features=1, bias=True)
  (1): Sigmoid()
)
"""

from __future__ import annotations

from typing import Any

from nn.layers import MLP, Layer, Neuron
from nn.module import Module


def to_torch(model: Module) -> Any:
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
    if isinstance(model, MLP):
        layers = model.layers
    elif isinstance(model, Layer):
        layers = [model]
    elif isinstance(model, Neuron):
        layers = [_one_neuron_layer(model)]
    else:
        raise TypeError(f"to_torch() converts a Neuron, Layer or MLP, not {type(model).__name__}")
    activation = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh,
                  "sigmoid": torch.nn.Sigmoid, "linear": torch.nn.Identity}
    modules = []
    for layer in layers:
        W, b = layer.get_weights()
        linear = torch.nn.Linear(layer.nin, len(W), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(W, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(b, dtype=torch.float64))
        modules.append(linear)
        if layer.activation != "linear":
            modules.append(activation[layer.activation]())
    return torch.nn.Sequential(*modules)


def _one_neuron_layer(neuron: Neuron) -> Layer:
    layer = Layer.__new__(Layer)
    layer.nin, layer.neurons = len(neuron.w), [neuron]
    return layer
