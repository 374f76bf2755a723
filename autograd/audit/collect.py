"""Running every probe on a learner's class, in this process or in a separate one.

`check_class` makes sure the class is one `audit` can probe (``cls(number)`` has ``data``,
``grad`` and ``backward()``); `outcomes` runs the probes the class offers at their points,
one after the other. A probe that does not finish marks the methods it calls: later probes
that call one of them are not run (each would wait for its time limit too), and after
`MAX_TIMEOUTS` such probes (an endless loop in ``backward()``, which every probe calls) none
is; the report says so.

>>> from autograd import Value
>>> from autograd.audit.probes import PROBES
>>> plan = [(PROBES["out = a * b"], [{"a": 2.0, "b": 3.0}])]
>>> [(probe.name, [o.got["a.grad"] for o in found]) for probe, found in outcomes(Value, plan)]
[('out = a * b', [3.0])]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from autograd.audit.probes import Probe
from autograd.audit.running import Outcome, _failed, run_probe

MAX_TIMEOUTS = 4
"""Probes that may run out of time before the rest are left out."""


class AuditError(ValueError):
    """The thing to audit cannot be audited: no such file or class, or not a Value class."""


def check_class(cls: Any, name: str) -> None:
    """Raise `AuditError` unless ``cls(1.5)`` has ``data``, ``grad`` and ``backward()``.

    >>> check_class(int, "int")
    Traceback (most recent call last):
    ...
    autograd.audit.collect.AuditError: int(1.5) has no data: audit needs a Value class ...
    """
    if not isinstance(cls, type):
        raise AuditError(f"{cls!r:.60} is a {type(cls).__name__}, not a class: audit a Value "
                         "class, audit(Value), or a file, audit('my_engine.py')")
    try:
        leaf = cls(1.5)
    except (Exception, SystemExit) as error:
        said = _failed(error)
        where = f" ({said.where})" if said.where else ""
        raise AuditError(f"{name}(1.5) raises {said.error}{where}: audit makes its leaves with "
                         f"{name}(number)") from None
    needs = "audit needs a Value class whose Value(number) has data, grad and backward()"
    for attribute in ("data", "grad"):
        if not hasattr(leaf, attribute):
            raise AuditError(f"{name}(1.5) has no {attribute}: {needs}")
    if not callable(getattr(leaf, "backward", None)):
        raise AuditError(f"{name}(1.5) has no backward() method: {needs}")


def offers(cls: Any, method: str) -> bool:
    """Whether ``cls`` has the method ``method`` (``__mul__``, ``tanh``).

    >>> offers(float, "__mul__"), offers(float, "tanh")
    (True, False)
    """
    return callable(getattr(cls, method, None))


def outcomes(cls: Any, plan: list[tuple[Probe, list[dict[str, float]]]],
             starting: Callable[[Probe], None] = lambda probe: None,
             stuck: dict[str, str] | None = None,
             ) -> Iterator[tuple[Probe, list[Outcome] | None]]:
    """Each probe of ``plan`` with the outcomes at its points (None: not offered), calling
    ``starting(probe)`` before it runs; a probe not run has one outcome whose ``error_type``
    is ``"not run"``. Stops after `MAX_TIMEOUTS` probes ran out of time. ``stuck`` maps a
    method to why the probes calling it are not run (given: from an earlier process)."""
    timeouts = 0
    stuck = dict(stuck or {})  # a method, and why probes calling it are not run
    for probe, points in plan:
        if timeouts >= MAX_TIMEOUTS:
            return
        if not all(offers(cls, method) for method in probe.needs):
            yield probe, None
            continue
        waiting = [stuck[m] for m in probe.needs if m in stuck]
        if waiting:
            yield probe, [Outcome(error=f"not run: {waiting[0]}", error_type="not run")]
            continue
        starting(probe)
        found: list[Outcome] = []
        for point in points:
            found.append(run_probe(cls, probe, point))
            if found[-1].error is not None:
                break
        if found[-1].timed_out:
            timeouts += 1
            for method in probe.needs:
                stuck.setdefault(method, f"{probe.name} did not finish")
        yield probe, found


__all__ = ["AuditError", "MAX_TIMEOUTS", "check_class", "offers", "outcomes"]
