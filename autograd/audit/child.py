"""The separate Python process in which `audit` runs a learner's file (`autograd.audit.file`).

It reads its task as JSON on standard input (the file, the class's name, each probe's name
and points), imports the file as ``import my_engine`` would (so code under ``if __name__ ==
"__main__":`` does not run), and writes one JSON line per event on what was its standard
output: ``{"bad": text}`` when the file or class cannot be audited, ``{"loaded": name}``,
then ``{"start": probe}`` and ``{"probe": name, "outcomes": [...]}`` for each probe, and
``{"done": true}``. Whatever the learner's code prints goes to standard error, so that it
cannot be mistaken for an event.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from autograd.audit.collect import AuditError, check_class, outcomes
from autograd.audit.probes import PROBES
from autograd.audit.running import _failed


def _load(path: Path) -> Any:
    # import the learner's file under its own name, its folder first on the path
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise AuditError(f"{path.name} cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise AuditError(f"{path.name}, line {error.lineno}: {error.msg}") from None
    except (Exception, SystemExit) as error:
        said = _failed(error)
        where = f" ({said.where})" if said.where else ""
        raise AuditError(f"importing {path.name} raises {said.error}{where}") from None
    return module


def _find(module: Any, path: Path, name: str | None) -> tuple[Any, str]:
    wanted = name or "Value"
    found = getattr(module, wanted, None)
    if isinstance(found, type):
        return found, wanted
    own = [n for n, c in vars(module).items() if inspect.isclass(c)
           and c.__module__ == module.__name__ and callable(getattr(c, "backward", None))]
    hint = (f"; it defines {', '.join(own)}: audit {path.name}:{own[0]}" if own
            else "; it defines no class with a backward() method")
    raise AuditError(f"{path.name} has no class {wanted}{hint}")


def main() -> None:
    """Run the task read from standard input; events go to the original standard output."""
    sys.dont_write_bytecode = True  # no __pycache__ beside the learner's file
    events: TextIO = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # the learner's prints, even from C, go to standard error

    def emit(event: dict[str, Any]) -> None:
        events.write(json.dumps(event) + "\n")
        events.flush()

    task = json.loads(sys.stdin.read())
    path = Path(task["file"])
    try:
        cls, name = _find(_load(path), path, task["class"])
        check_class(cls, name)
    except AuditError as error:
        emit({"bad": str(error)})
        return
    has = {m: callable(getattr(cls, m, None)) for p in PROBES.values() for m in p.needs}
    has.update({m: callable(getattr(cls, m, None))
                for m in ("__radd__", "__rsub__", "__rmul__", "__rtruediv__")})
    emit({"loaded": name, "has": has})
    plan = [(PROBES[probe], points) for probe, points in task["plan"]]
    starting = lambda probe: emit({"start": probe.name})  # noqa: E731
    for probe, found in outcomes(cls, plan, starting, task.get("stuck")):
        emit({"probe": probe.name,
              "outcomes": None if found is None else [o.to_json() for o in found]})
    emit({"done": True})
    os._exit(0)  # threads the learner's code left running are not waited for


if __name__ == "__main__":
    main()
