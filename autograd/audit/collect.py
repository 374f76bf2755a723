"""Running every probe on a learner's class, in this process or in a separate one.

`check_class` makes sure the class is one `audit` can probe (``cls(number)`` has ``data``,
``grad`` and ``backward()``); `outcomes` runs the probes the class offers at their points,
one after the other. After two probes that did not finish (an endless loop is usually in
``backward()``, which every probe calls), the rest are not run, and the report says so.

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

MAX_TIMEOUTS = 2
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
        raise AuditError(f"{name} is a {type(cls).__name__}, not a class: audit a Value class "
                         "such as audit(Value), or a file: audit('my_engine.py')")
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
             ) -> Iterator[tuple[Probe, list[Outcome] | None]]:
    """Each probe of ``plan`` with the outcomes at its points (None: not offered), calling
    ``starting(probe)`` before it runs. Stops after `MAX_TIMEOUTS` probes ran out of time."""
    timeouts = 0
    for probe, points in plan:
        if timeouts >= MAX_TIMEOUTS:
            return
        if not all(offers(cls, method) for method in probe.needs):
            yield probe, None
            continue
        starting(probe)
        found: list[Outcome] = []
        for point in points:
            found.append(run_probe(cls, probe, point))
            if found[-1].error is not None:
                timeouts += found[-1].timed_out
                break
        yield probe, found


__all__ = ["AuditError", "MAX_TIMEOUTS", "check_class", "offers", "outcomes"]
