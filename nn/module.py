"""Module: what every network has: its parameters, by name, and their state as JSON.

A parameter's name says where it sits, e.g. ``layer1.neuron2.w1`` (layer 1, neuron 2, the
weight of input 1) or ``layer1.neuron2.b`` (its bias). The names also become the
parameters' labels, so a drawn graph or an explanation says which weight it is talking about;
the values a part computes are labelled under the same name (``layer1.neuron2.z``).

State is plain data: ``state_dict()`` maps each name to a float, and ``save``/``load`` write
and read it as JSON (never pickle). Loading checks everything first and only then assigns,
so a bad file raises `StateError` and leaves the model exactly as it was.

>>> from nn import MLP
>>> model = MLP.from_weights([([[0.5, -0.5]], [0.25])])
>>> model.named_parameters()
[('layer1.neuron1.w1', Value(data=0.5, grad=0.0, label='layer1.neuron1.w1')), \
('layer1.neuron1.w2', Value(data=-0.5, grad=0.0, label='layer1.neuron1.w2')), \
('layer1.neuron1.b', Value(data=0.25, grad=0.0, label='layer1.neuron1.b'))]
"""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path
from typing import Any

from autograd import Value
from autograd.files import write_text

FORMAT = "backprop-lab model"
"""The ``format`` field of a saved file, so that another JSON file is recognised as such."""


class StateError(ValueError):
    """A state (a dict or a saved file) does not fit the model; the model is unchanged.

    >>> issubclass(StateError, ValueError)
    True
    """


class Module:
    """Base of Neuron, Layer and MLP: parameters, their names, gradients and saved state.

    Subclasses define ``named_children()`` (their parts, by name) or ``named_parameters()``
    (micrograd's order: layer by layer, neuron by neuron, weights then bias), and
    ``describe()`` (the shape, checked when loading).

    >>> Module().parameters()
    []
    """

    def named_children(self) -> list[tuple[str, Module]]:
        """``(name, part)`` pairs: the modules this one is made of, in order.

        >>> Module().named_children()
        []
        """
        return []

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in micrograd's order: each part's, under its name
        (``layer1.`` + ``neuron2.`` + ``w1``).

        >>> Module().named_parameters()
        []
        """
        return [(f"{name}.{sub}", p) for name, child in self.named_children()
                for sub, p in child.named_parameters()]

    def parameters(self) -> list[Value]:
        """The parameters in micrograd's order: layer by layer, neuron by neuron, weights
        then bias.

        >>> from nn import Neuron
        >>> [p.label for p in Neuron(2).parameters()]
        ['w1', 'w2', 'b']
        """
        return [p for _, p in self.named_parameters()]

    def describe(self) -> dict[str, Any]:
        """The model's shape as JSON-able data; a saved file must match it to load.

        >>> Module().describe()
        {'type': 'Module'}
        """
        return {"type": type(self).__name__}

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (leaves accumulate across backward calls).

        >>> from nn import Neuron
        >>> n = Neuron(1)
        >>> n([2.0]).backward(); n.zero_grad(); n.w[0].grad
        0.0
        """
        for p in self.parameters():
            p.grad = 0.0

    def _label(self, prefix: str = "") -> None:
        # Names become labels, so that drawings read like the model: each part is labelled
        # under its name in the whole ("layer1.neuron2."); a part that holds parameters
        # (a Neuron) labels them, and the values it computes, after that prefix.
        for name, child in self.named_children():
            child._label(f"{prefix}{name}.")

    # ---- state ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """Every parameter's number by name, as plain JSON-able data.

        >>> from nn import Neuron
        >>> Neuron(1, rng=None).state_dict().keys()
        dict_keys(['w1', 'b'])
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Any) -> None:
        """Set every parameter from ``state`` (a name -> number mapping with exactly this
        model's names). Everything is checked before anything is assigned: on a missing or
        unexpected name, or a value that is not a finite number, `StateError` is raised and
        the model is unchanged.

        >>> from nn import Neuron
        >>> n = Neuron(1)
        >>> n.load_state_dict({"w1": 2.0, "b": 0.5}); n([3.0]).data
        6.5
        >>> n.load_state_dict({"w1": 1.0})
        Traceback (most recent call last):
        ...
        nn.module.StateError: missing parameter 'b'
        """
        if not isinstance(state, dict):
            raise StateError(
                f"a state must be a dict of name -> number, got {type(state).__name__}"
            )
        params = self.named_parameters()
        names = [name for name, _ in params]
        missing = [n for n in names if n not in state]
        unexpected = [n for n in state if n not in set(names)]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(_listing("missing parameter", missing))
            if unexpected:
                parts.append(_listing("unexpected parameter", unexpected))
            raise StateError("; ".join(parts))
        for name in names:
            x = state[name]
            if isinstance(x, bool) or not isinstance(x, numbers.Real) or not _finite(x):
                raise StateError(f"parameter {name!r} must be a finite number, got {x!r:.40}")
        for name, p in params:
            p.data = float(state[name])

    def save(self, path: str | Path) -> None:
        """Write the model's shape and parameters to ``path`` as JSON, whole or not at all
        (a temporary file renamed into place: an interrupted save leaves the old file). A
        path that is a folder, or in a folder that does not exist, raises an `OSError` of one
        line naming it.

        >>> import tempfile, os
        >>> from nn import Neuron
        >>> n = Neuron(2)
        >>> path = os.path.join(tempfile.mkdtemp(), "n.json")
        >>> n.save(path)
        >>> m = Neuron(2); m.load(path); m.state_dict() == n.state_dict()
        True
        >>> n.save(os.path.dirname(path))
        Traceback (most recent call last):
        ...
        IsADirectoryError: ... is a folder: give a file name in it, e.g. .../model.json
        """
        text = json.dumps(
            {"format": FORMAT, "version": 1, "model": self.describe(),
             "parameters": self.state_dict()},
            indent=1, allow_nan=False,
        )
        write_text(path, text + "\n")

    def load(self, path: str | Path) -> None:
        """Read parameters saved by `save`. A file that is not valid JSON, not such a file,
        made for another shape, missing a parameter or holding a non-number raises
        `StateError`, and the model is unchanged.

        >>> import tempfile, os
        >>> from nn import Neuron
        >>> path = os.path.join(tempfile.mkdtemp(), "bad.json")
        >>> with open(path, "w") as f:
        ...     _ = f.write("{not json")
        >>> Neuron(1).load(path)
        Traceback (most recent call last):
        ...
        nn.module.StateError: ...bad.json is not valid JSON: ...
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise StateError(f"{path} is not valid JSON: {err}") from None
        except (RecursionError, ValueError) as err:  # nested too deep; an over-long integer
            raise StateError(f"{path} is not a saved model: {err}") from None
        except (OSError, UnicodeDecodeError) as err:
            raise StateError(f"cannot read {path}: {err}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StateError(f"{path} is not a saved model (no \"format\": {FORMAT!r})")
        if data.get("model") != self.describe():
            raise StateError(
                f"{path} holds a model {data.get('model')!r}, this one is {self.describe()!r}"
            )
        try:
            self.load_state_dict(data.get("parameters"))
        except StateError as err:
            raise StateError(f"{path}: {err}") from None


def _finite(x: numbers.Real) -> bool:
    # An integer too large for a float (JSON allows 400 digits) is not a usable weight.
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def _listing(what: str, names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{what}{'s' if len(names) > 1 else ''} {shown}{more}"
