"""Running a probe on the learner's class: the numbers it gives, or how it failed.

`run_probe` makes the probe's leaves with ``cls(number)``, runs its code, calls
``out.backward()`` unless the code does, and reads ``out.data`` and each leaf's ``grad``.
Anything the learner's code raises is caught and described, with the line of their code it
came from; a probe that runs longer than its time limit is stopped (`autograd.time_limit`).
An `Outcome` is plain data, so that it can cross from a separate process as JSON.

>>> from autograd import Value
>>> from autograd.audit.probes import PROBES
>>> run_probe(Value, PROBES["out = a * b"], {"a": 2.0, "b": 3.0}).got
{'out': 6.0, 'a.grad': 3.0, 'b.grad': 2.0}
"""

from __future__ import annotations

import collections
import os
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any

from autograd.audit.probes import Probe, run_code
from autograd.time_limit import TooLong, time_limit

PROBE_SECONDS = 2.0
"""How long one probe may run before it is stopped (a 5,000-op chain takes milliseconds)."""

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograd/


@dataclass
class Outcome:
    """What one probe gave at one point: ``got`` (``out`` and each ``leaf.grad``), or the
    ``error`` it raised (``"TypeError: ..."``), ``where`` in the learner's code, the
    ``function`` that raised it, and whether it was stopped at its time limit;
    ``interior``: how many Values with parents the class's graph of ``out`` has, read
    through micrograd's ``_prev`` (None without one), so that an op built from others
    (micrograd's ``a - b`` is ``a + (-b)``) is known as such."""

    got: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    error_type: str | None = None
    where: str | None = None
    function: str | None = None
    timed_out: bool = False
    interior: int | None = None
    made_by: str | None = None
    """The class's ``_op`` of ``out``, when it has one (micrograd's ``'+'``)."""

    def to_json(self) -> dict[str, Any]:
        """The outcome as a JSON-ready dict (`from_json` reads it back).

        >>> Outcome.from_json(Outcome(got={"out": 1.0}).to_json()).got
        {'out': 1.0}
        """
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        """An outcome from `to_json`'s dict."""
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)


def run_probe(cls: Any, probe: Probe, point: dict[str, float],
              seconds: float = PROBE_SECONDS) -> Outcome:
    """Run ``probe`` at ``point`` with the learner's class ``cls``."""
    try:
        with time_limit(seconds):
            names: dict[str, Any] = {name: cls(x) for name, x in point.items()}
            run_code(probe.code, names)
            out = names["out"]
            interior = _interior(out)
            made_by = getattr(out, "_op", None)
            if not probe.calls_backward:
                out.backward()
            got = {"out": float(out.data)}
            got.update({f"{name}.grad": float(names[name].grad) for name in point})
        return Outcome(got=got, interior=interior,
                       made_by=None if made_by is None else str(made_by)[:40])
    except TooLong as stopped:
        outcome = _failed(stopped)
        outcome.error, outcome.error_type = f"did not finish within {seconds:g} s", "timeout"
        outcome.timed_out = True
        return outcome
    except (Exception, SystemExit) as error:  # the learner's code may raise anything
        return _failed(error)


def _interior(out: Any, most: int = 20) -> int | None:
    # Values with parents in the graph of ``out``, through ``_prev``; counted up to ``most``
    if not hasattr(out, "_prev"):
        return None
    seen, stack, count = {id(out)}, [out], 0
    while stack and count < most:
        try:
            parents = list(getattr(stack.pop(), "_prev", ()))
        except TypeError:
            return None
        count += bool(parents)
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return count


def _failed(error: BaseException) -> Outcome:
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not os.path.abspath(f.filename).startswith(_HERE)]
    message = f"{type(error).__name__}: {error}".strip().rstrip(":")
    if len(message) > 200:
        message = message[:199] + "…"
    if not frames:
        return Outcome(error=message, error_type=type(error).__name__)
    last = frames[-1]
    # the function that recursed is the one most frames belong to
    common = collections.Counter(f.name for f in frames).most_common(1)[0][0]
    where = f"{_file_name(last.filename)}, line {last.lineno}, in {last.name}"
    return Outcome(error=message, error_type=type(error).__name__, where=where,
                   function=common if isinstance(error, RecursionError) else last.name)


def _file_name(path: str) -> str:
    # a file by its name; a notebook cell (IPython runs each from a file of its own, named
    # by a number, in a folder ipykernel_...) as "a cell"
    folder, name = os.path.split(path)
    return "a cell" if os.path.basename(folder).startswith("ipykernel_") else name


__all__ = ["Outcome", "run_probe", "PROBE_SECONDS"]
