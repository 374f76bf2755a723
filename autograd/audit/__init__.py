"""`audit`: check the autograd engine a learner wrote, op by op, against this one.

Learners who follow micrograd's lecture write their own ``Value`` class, with a
``_backward`` closure per op: each is a hand-derived gradient. ``audit(MyValue)`` runs small
probes with that class and with this engine at random points and compares the numbers:
every op the class offers (``+ - * / **``, negation, numbers on either side, ``exp``,
``log``, ``tanh``, ``sigmoid``, ``relu``, ...), each with a gradient from above of 1 and of
another number; a Value used twice (``a + a``); a diamond; a graph where the order of the
backward steps matters; a chain of 5,000 ops; ``backward()`` twice; leaves zeroed, then
``backward()`` again. Each wrong probe is traced to its bug (`autograd.audit.diagnosis`):
``=`` instead of ``+=``, a forgotten ``* out.grad``, a wrong local derivative and the
formula its numbers fit, a missing reflected op, a wrong order, a recursion limit, gradients
that do not accumulate or that keep the last pass's.

``audit("my_engine.py")`` (or ``"my_engine.py:MyValue"``) imports the file in a separate
Python process, as ``import my_engine`` would, so that an endless loop or a crash in it is
reported rather than suffered; on the command line, ``backprop-lab audit my_engine.py``.
``audit(MyValue)`` runs in this process, each probe stopped after 2 s where the platform
allows it (on the main thread, with ``signal.setitimer``).

>>> from autograd import Value
>>> report = audit(Value)
>>> bool(report), report.counts["fail"]
(True, 0)
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

from autograd.audit.collect import MAX_TIMEOUTS, AuditError, check_class, offers, outcomes
from autograd.audit.diagnosis import Judge
from autograd.audit.file import FILE_SECONDS, run_file
from autograd.audit.probes import PROBES, Probe, draw_points
from autograd.audit.report import KINDS, AuditReport, Finding, ProbeResult
from autograd.audit.running import Outcome

POINTS = 3
"""Random points each probe runs at."""


def audit(engine: type | str | os.PathLike[str], *, points: int = POINTS, seed: int = 0,
          timeout: float = FILE_SECONDS) -> AuditReport:
    """Probe a learner's Value class against this engine; see the module's text.

    ``engine`` is the class, or a file (``"my_engine.py"``, its class ``Value``) or
    ``"my_engine.py:MyValue"``. Each probe runs at ``points`` random points drawn from
    ``seed``; a file gets ``timeout`` seconds in all. `AuditError` when there is nothing to
    audit (no such file or class, or ``cls(1.5)`` has no ``data``, ``grad`` or
    ``backward()``).

    >>> class Broken:
    ...     def __init__(self, data): self.data, self.grad = data, 0.0
    ...     def backward(self): self.grad = 1.0
    ...     def __add__(self, other): return Broken(self.data + other.data)
    >>> report = audit(Broken)
    >>> report.counts["hold"], report.findings[0].kind
    (0, 'derivative')
    """
    if points < 1:
        raise ValueError(f"points must be at least 1, got {points}")
    rng = random.Random(seed)
    plan = [(probe, draw_points(probe, points, rng)) for probe in PROBES.values()]
    if isinstance(engine, (str, os.PathLike)):
        return _audit_file(str(engine), plan, timeout)
    name = getattr(engine, "__name__", type(engine).__name__)
    check_class(engine, name)
    found = dict((probe.name, got) for probe, got in outcomes(engine, plan))
    return _report(name, "", plan, found, lambda method: offers(engine, method))


def _audit_file(target: str, plan: list[tuple[Probe, list[dict[str, float]]]],
                timeout: float) -> AuditReport:
    path_text, colon, class_name = target.rpartition(":")
    if colon and not class_name and path_text.endswith(".py"):
        raise AuditError(f"{target}: name a class after the colon, {path_text}:Value")
    if not path_text.strip() or not class_name.isidentifier():
        path_text, class_name = target, ""
    path = Path(path_text)
    run = run_file(path, class_name or None, plan, timeout)
    return _report(run.name, path.name, plan, run.found,
                   lambda method: run.has.get(method, False), run.stopped_in, run.stopped,
                   run.crashed)


def _report(name: str, source: str, plan: list[tuple[Probe, list[dict[str, float]]]],
            found: dict[str, list[Outcome] | None], class_has: Any,
            stopped_in: str | None = None, stopped: str = "",
            crashed: dict[str, str] | None = None) -> AuditReport:
    judge = Judge(name, class_has)
    results: list[ProbeResult] = []
    ended = {**(crashed or {}), **({stopped_in: stopped} if stopped_in else {})}
    for probe, points in plan:
        if probe.name in found:
            results.append(judge.judge(probe, points, found[probe.name]))
        elif probe.name in ended:
            how = ended[probe.name]
            finding = judge.keep(
                Finding("timeout", how) if probe.name == stopped_in
                else Finding("crash", f"{how} during a probe: os._exit() or a crash in the "
                             "class's code"))
            results.append(ProbeResult(probe.name, False, points[0], finding=finding, note=how))
    left = len(plan) - len(results)
    if left and not stopped:
        stopped = (f"{MAX_TIMEOUTS} probes did not finish; the {left} after them were not "
                   "run (mend the endless loop first)")
    elif left:
        stopped += f"; {left} probe{'s' * (left != 1)} not run"
    return AuditReport(name, results, judge.findings, source, stopped)


__all__ = ["audit", "AuditReport", "AuditError", "Finding", "ProbeResult", "KINDS", "POINTS"]
