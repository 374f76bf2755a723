"""Auditing a learner's file in a separate Python process, under a time limit.

The learner's file is their own code: an endless loop, a crash or ``os._exit`` in it must
be reported, not inherited. `run_file` starts `autograd.audit.child` with the current
interpreter, hands it the probes, and reads its events until it ends or ``timeout`` seconds
have passed; then it stops the process and everything it started. A process that ends in
the middle of a probe (a crash, ``os._exit``) is started again for the probes after it, up
to `MAX_STARTS` times in all.

>>> run = run_file(Path("no_such_engine.py"), None, [], 5)
Traceback (most recent call last):
...
autograd.audit.collect.AuditError: no_such_engine.py: no such file
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd.audit.collect import AuditError
from autograd.audit.probes import PROBES, Probe
from autograd.audit.running import Outcome

FILE_SECONDS = 30.0
"""How long a learner's file may take, import and every probe, unless told otherwise."""

MAX_STARTS = 4
"""How many times the separate process is started for one file (again after a crash)."""

# The child imports this autograd (not a file of the learner's that has its name): the
# project's folder replaces the current directory at the head of its path.
_BOOT = "import sys; sys.path[0] = sys.argv[1]; from autograd.audit.child import main; main()"
_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass
class FileRun:
    """What the separate process reported: the class's ``name``, which methods it ``has``,
    each probe's outcomes (None: not offered), the probes during which it ended
    (``crashed``, with how) and, when the time ran out, the probe it was in (``stopped_in``)
    and why (``stopped``)."""

    name: str
    has: dict[str, bool]
    found: dict[str, list[Outcome] | None] = field(default_factory=dict)
    crashed: dict[str, str] = field(default_factory=dict)
    stopped_in: str | None = None
    stopped: str = ""


def run_file(path: Path, class_name: str | None,
             plan: list[tuple[Probe, list[dict[str, float]]]],
             timeout: float = FILE_SECONDS) -> FileRun:
    """Run ``plan`` on the class ``class_name`` (default ``Value``) of the file ``path`` in
    a separate process; `AuditError` when the file or the class cannot be audited."""
    if not path.is_file():
        raise AuditError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    deadline = time.monotonic() + timeout
    run: FileRun | None = None
    stuck: dict[str, str] = {}  # methods whose probes are not run again, and why
    for _ in range(MAX_STARTS):
        left = max(deadline - time.monotonic(), 0.1)
        events, late, status, err = _start(path, class_name, plan, left, stuck)
        run = _read(path, events, late, timeout, status, err, run)
        names = [probe.name for probe, _ in plan]
        ended_in = [name for name in names if name in run.crashed]
        plan = plan[names.index(ended_in[-1]) + 1:] if ended_in else []
        if run.stopped or not plan:
            return run
        for method in PROBES[ended_in[-1]].needs:
            stuck.setdefault(method, f"{ended_in[-1]} ended the Python process")
    assert run is not None
    run.stopped = f"the Python process ended {MAX_STARTS} times"
    return run


def _start(path: Path, class_name: str | None,
           plan: list[tuple[Probe, list[dict[str, float]]]], timeout: float,
           stuck: dict[str, str]) -> tuple[list[dict[str, Any]], bool, int | None, str]:
    # one run of the separate process: its events, whether it ran out of time, its exit
    # status and the end of what it wrote to standard error
    task = {"file": str(path.resolve()), "class": class_name, "stuck": stuck,
            "plan": [[probe.name, points] for probe, points in plan]}
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, _ROOT], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=write_end, cwd=path.resolve().parent, text=True,
            encoding="utf-8", errors="replace", start_new_session=hasattr(os, "killpg"))
    finally:
        os.close(write_end)
    tail = _Tail(read_end)
    tail.start()
    try:
        out, _ = process.communicate(json.dumps(task), timeout=timeout)
        late = False
    except subprocess.TimeoutExpired:
        _stop(process)
        out, _ = process.communicate()
        late = True
    events = [_event(line) for line in out.splitlines()]
    return [e for e in events if e], late, process.returncode, tail.text()


class _Tail(threading.Thread):
    # reads a pipe to its end keeping only its last bytes: a file that prints without end
    # costs no memory
    def __init__(self, fd: int, keep: int = 4096) -> None:
        super().__init__(daemon=True)
        self.fd, self.keep, self.kept = fd, keep, b""

    def run(self) -> None:
        with os.fdopen(self.fd, "rb") as stream:
            for chunk in iter(lambda: stream.read(65536), b""):
                self.kept = (self.kept + chunk)[-self.keep:]

    def text(self) -> str:
        self.join(timeout=2.0)
        return self.kept.decode("utf-8", "replace")


def _stop(process: subprocess.Popen[str]) -> None:
    if hasattr(os, "killpg"):
        try:
            os.killpg(process.pid, signal.SIGKILL)
            return
        except OSError:
            pass
    process.kill()


def _event(line: str) -> dict[str, Any] | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _read(path: Path, events: list[dict[str, Any]], late: bool, timeout: float,
          status: int | None, err: str, before: FileRun | None) -> FileRun:
    # the events of one run, added to those of the runs ``before`` it
    for event in events:
        if "bad" in event:
            raise AuditError(str(event["bad"]))
    loaded = next((e for e in events if "loaded" in e), None)
    said = _last_line(err)
    if loaded is None:
        if late:
            raise AuditError(f"importing {path.name} did not finish within {timeout:g} s "
                             "(an endless loop at the top level of the file?)")
        raise AuditError(f"importing {path.name} ended the Python process (exit status "
                         f"{status}){said}")
    run = before or FileRun(str(loaded["loaded"]), dict(loaded.get("has", {})))
    started = None
    for event in events:
        if "start" in event:
            started = str(event["start"])
        elif "probe" in event:
            found = event["outcomes"]
            run.found[event["probe"]] = (None if found is None
                                         else [Outcome.from_json(o) for o in found])
            started = None
    if any("done" in e for e in events):
        return run
    if late:
        run.stopped_in = started
        run.stopped = f"the file's probes took more than {timeout:g} s and were stopped"
    elif started is not None:
        run.crashed[started] = f"the Python process ended (exit status {status}){said}"
    else:
        run.stopped = f"the Python process ended between probes (exit status {status}){said}"
    return run


def _last_line(err: str) -> str:
    lines = [line.strip() for line in err.splitlines() if line.strip()]
    return f": {lines[-1][:160]}" if lines else ""


__all__ = ["FILE_SECONDS", "FileRun", "run_file"]
