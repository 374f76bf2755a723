"""Optimizers: SGD and Adam, with PyTorch's update rules, stepping parameters' numbers.

An optimizer holds a list of parameters. ``step()`` reads each ``.grad`` and changes
``.data``; it works on the plain numbers, so no graph is recorded (the effect of
``no_grad()``). ``zero_grad()`` clears the gradients before the next ``backward()``.

>>> from autograd import Value
>>> w = Value(1.0)
>>> opt = SGD([w], lr=0.1)
>>> (w * w).backward(); opt.step(); w.data
0.8
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd import Value


class Optimizer:
    """What SGD and Adam share: the parameters and ``zero_grad()``.

    >>> w = Value(1.0); w.grad = 3.0
    >>> Optimizer([w]).zero_grad(); w.grad
    0.0
    """

    def __init__(self, parameters: Iterable[Value]) -> None:
        self.parameters = list(parameters)
        if not all(isinstance(p, Value) for p in self.parameters):
            raise TypeError("an optimizer needs Values, e.g. model.parameters()")

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.parameters:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its gradient."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``:
    g = grad + weight_decay·p; with momentum, v = g on the first step, then
    v = momentum·v + g, and g = v; finally p = p - lr·g.

    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * w).backward(); opt.step()
    >>> round(w.data, 6)  # 1 - 0.2 = 0.8, then v = 0.9*2 + 1.6 = 3.4: 0.8 - 0.34
    0.46
    """

    def __init__(
        self, parameters: Iterable[Value], lr: float, momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(parameters)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.velocity: list[float | None] = [None] * len(self.parameters)

    def step(self) -> None:
        for i, p in enumerate(self.parameters):
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            if self.momentum:
                v = self.velocity[i]
                g = g if v is None else self.momentum * v + g
                self.velocity[i] = g
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``: g = grad + weight_decay·p,
    m = β1·m + (1 - β1)·g, v = β2·v + (1 - β2)·g², and at step t
    p = p - lr/(1 - β1^t) · m / (√v / √(1 - β2^t) + eps).

    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); round(w.data, 6)  # the first step is lr·sign(grad)
    0.9
    """

    def __init__(
        self, parameters: Iterable[Value], lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(parameters)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.t = 0
        self.m = [0.0] * len(self.parameters)
        self.v = [0.0] * len(self.parameters)

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1**self.t)
        root_correction = math.sqrt(1 - b2**self.t)
        for i, p in enumerate(self.parameters):
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            p.data -= step_size * self.m[i] / (math.sqrt(self.v[i]) / root_correction + self.eps)
