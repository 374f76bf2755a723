"""Neural networks built from Values: neurons, layers, MLPs, losses, optimizers, datasets."""

from nn.data import spirals, students, two_moons, xor
from nn.layers import MLP, Layer, Neuron
from nn.losses import (
    bce,
    bce_with_logits,
    hinge,
    l2,
    mse,
    softmax_cross_entropy,
    squared_error,
)
from nn.module import Module, StateError
from nn.optim import SGD, Adam, Optimizer

__all__ = [
    "Module", "StateError", "Neuron", "Layer", "MLP",
    "mse", "squared_error", "bce", "bce_with_logits", "hinge", "softmax_cross_entropy", "l2",
    "Optimizer", "SGD", "Adam",
    "students", "xor", "two_moons", "spirals",
]
