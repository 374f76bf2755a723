"""Loss functions: one Value that says how wrong the predictions are, built from engine ops.

Each loss takes predictions (a Value, or a list, possibly nested, of Values) and targets of
the same shape, and averages over the terms (``mean``), as PyTorch's losses do by default.
With a single term no averaging node is added, so the graph of one sample stays as small as
the formula on paper. The loss is labelled ``L`` (``label=`` names it otherwise), so that
captions read ∂L/∂w1. Nothing here defines a derivative: gradients come from the op table.

>>> from autograd import Value
>>> round(bce(Value(0.633), 0).data, 4)
1.0024
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from autograd import Value
from autograd.value import constant

BCE_EPS = 1e-12
"""`bce` clamps a probability into [BCE_EPS, 1 - BCE_EPS]: at most about 27.6 per term."""


def _flat(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flat(item)]
    return [x]


def _pairs(predictions: Any, targets: Any) -> list[tuple[Value, float]]:
    ps, ts = _flat(predictions), _flat(targets)
    if len(ps) != len(ts) or not ps:
        raise ValueError(f"got {len(ps)} predictions and {len(ts)} targets; they must match")
    return [(constant(p), float(t)) for p, t in zip(ps, ts)]


def _mean(terms: list[Value], label: str) -> Value:
    # sum from 0, then times 1/n: micrograd's demo arithmetic, bit for bit.
    if len(terms) == 1:
        return _named(terms[0], label)
    total: Value = sum(terms)  # type: ignore[assignment]
    return _named(total * (1.0 / len(terms)), label)


def _named(loss: Value, label: str) -> Value:
    # Every loss is labelled (L unless the caller says otherwise), so that captions and
    # explanations read ∂L/∂w1 rather than the loss's whole formula.
    loss.label = label
    return loss


def mse(predictions: Any, targets: Any, label: str = "L") -> Value:
    """Mean squared error: mean of (prediction - target)².

    >>> loss = mse([Value(1.0), Value(3.0)], [0.0, 1.0])
    >>> loss.data, loss.label
    (2.5, 'L')
    """
    return _mean([(p - t) ** 2 for p, t in _pairs(predictions, targets)], label)


def squared_error(outputs: Any, targets: Any, label: str = "L") -> Value:
    """E = ½ Σ (t - o)², summed, not averaged: the error of classic backpropagation
    derivations, whose ½ cancels the 2 of the derivative (∂E/∂o = o - t).

    >>> squared_error([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    terms = [(t - o) ** 2 for o, t in _pairs(outputs, targets)]
    return _named(sum(terms[1:], terms[0]) * 0.5, label)


def bce(probabilities: Any, targets: Any, eps: float = BCE_EPS, label: str = "L") -> Value:
    """Binary cross-entropy on probabilities: mean of -[y log ŷ + (1 - y) log(1 - ŷ)].

    ŷ is clamped into [eps, 1 - eps] so that ŷ = 0 or 1 gives a large finite loss, not an
    infinity; a clamped ŷ is a constant there (gradient 0, as with ``torch.clamp``). A term
    whose factor y or 1 - y is 0 is left out, so y = 0 gives just -log(1 - ŷ).

    >>> round(bce(Value(0.9), 1).data, 6)  # -log 0.9
    0.105361
    >>> bce(Value(1.0), 0).data < 28
    True
    """
    terms = []
    for p, y in _pairs(probabilities, targets):
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"bce targets must be in [0, 1], got {y!r}")
        if not eps <= p.data <= 1 - eps:
            p = Value(min(max(p.data, eps), 1 - eps))
        parts = []
        if y != 0:
            parts.append(y * p.log() if y != 1 else p.log())
        if y != 1:
            parts.append((1 - y) * (1 - p).log() if y != 0 else (1 - p).log())
        terms.append(-(parts[0] + parts[1]) if len(parts) == 2 else -parts[0])
    return _mean(terms, label)


def bce_with_logits(logits: Any, targets: Any, label: str = "L") -> Value:
    """Binary cross-entropy of sigmoid(z), computed stably from the logit z:
    softplus(z) - y·z, which equals -[y log σ(z) + (1 - y) log(1 - σ(z))] and never
    overflows.

    >>> bce_with_logits(Value(1000.0), 1).data
    0.0
    >>> bce_with_logits(Value(1000.0), 0).data
    1000.0
    """
    terms = []
    for z, y in _pairs(logits, targets):
        terms.append(z.softplus() - y * z if y != 0 else z.softplus())
    return _mean(terms, label)


def hinge(scores: Any, labels: Any, label: str = "L") -> Value:
    """Max-margin loss for labels ±1, as in micrograd's demo: mean of relu(1 - y·score).

    >>> hinge([Value(2.0), Value(0.5)], [1, 1]).data
    0.25
    """
    return _mean([(1 + -y * s).relu() for s, y in _pairs(scores, labels)], label)


def softmax_cross_entropy(logits: Sequence[Any], targets: Any, label: str = "L") -> Value:
    """Cross-entropy of softmax(logits) for the target class index: log Σ e^z - z_target.

    ``logits`` is one sample's list of class scores with an int target, or a list of such
    lists with a list of targets (averaged). The largest logit is subtracted first, as a
    constant, so no exponential overflows.

    >>> round(softmax_cross_entropy([Value(1.0), Value(1.0)], 0).data, 6)  # log 2
    0.693147
    """
    if isinstance(targets, int):
        samples, labels = [logits], [targets]
    else:
        samples, labels = list(logits), list(targets)
    if len(samples) != len(labels) or not samples:
        raise ValueError(f"got {len(samples)} samples and {len(labels)} targets; they must match")
    terms = []
    for zs, k in zip(samples, labels):
        zs = [constant(z) for z in zs]
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < len(zs):
            raise ValueError(f"target must be a class index in 0..{len(zs) - 1}, got {k!r}")
        m = max(z.data for z in zs)
        exps = [(z - m).exp() for z in zs]
        terms.append(sum(exps[1:], exps[0]).log() + m - zs[k])
    return _mean(terms, label)


def l2(parameters: Iterable[Value], alpha: float) -> Value:
    """L2 regularisation, alpha · Σ p², as in micrograd's demo.

    >>> l2([Value(1.0), Value(2.0)], 0.5).data
    2.5
    """
    return constant(alpha * sum(p * p for p in parameters))

