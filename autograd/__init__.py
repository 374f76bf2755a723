"""backprop-lab's engine: scalar Values that record their graph, and backward().

>>> from autograd import Value
>>> w = Value(0.5, label="w")
>>> loss = (w * 2.0 - 1.5) ** 2
>>> loss.backward()
>>> w.grad
-2.0
"""

from autograd.higher import grad, hessian, hvp
from autograd.ops import OPS, DomainError, Op
from autograd.value import Value, no_grad

__all__ = ["Value", "no_grad", "DomainError", "Op", "OPS", "grad", "hessian", "hvp"]
