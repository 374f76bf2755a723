"""backprop-lab's engine: scalar Values that record their graph, and backward().

>>> from autograd import Value
>>> w = Value(0.5, label="w")
>>> loss = (w * 2.0 - 1.5) ** 2
>>> loss.backward()
>>> w.grad
-2.0
"""

from autograd.audit import audit
from autograd.check import gradcheck
from autograd.claims import ClaimError, check_formula, check_numbers
from autograd.define import define_op
from autograd.draw import draw, draw_dot, render
from autograd.explain import backward_steps, explain
from autograd.higher import grad, hessian, hvp
from autograd.ops import OPS, DomainError, Op
from autograd.player import play
from autograd.replay import compile as compile  # autograd.compile, as re.compile
from autograd.replay import compile_graph
from autograd.symbolic import symbolic
from autograd.value import Value, dot, no_grad

__all__ = ["Value", "audit", "no_grad", "DomainError", "Op", "OPS", "grad", "hessian", "hvp",
           "draw", "draw_dot", "render", "explain", "backward_steps", "gradcheck", "define_op",
           "dot", "compile_graph", "play", "check_formula", "check_numbers",
           "ClaimError", "symbolic"]  # compile too, but not in *: it would hide the built-in
