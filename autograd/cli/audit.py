"""``backprop-lab audit FILE[:CLASS]``: check the autograd engine a learner wrote.

The file is imported in a separate Python process, as ``import my_engine`` would, under a
time limit (``--timeout``, 30 s); its class ``Value`` (or the one named after a colon) is
probed op by op against this engine (`autograd.audit`). The report gives what is wrong, then
one line per probe. Exit status 0: every probe holds; 1: one does not (or a probe did not
finish, or ended the process); 2: bad input (no such file, a file that fails to import, no
such class, a class that is not a Value class).
"""

from __future__ import annotations

import argparse
import json

from autograd.audit import audit


def audit_command(args: argparse.Namespace) -> int:
    """Audit ``args.engine``; print the report (``--json``: as JSON); 0 when every probe
    holds, 1 otherwise.

    >>> from autograd.cli import build_parser
    >>> audit_command(build_parser().parse_args(["audit", "no_such.py"]))
    Traceback (most recent call last):
    ...
    autograd.audit.collect.AuditError: no_such.py: no such file
    """
    report = audit(args.engine, points=args.points, seed=args.seed, timeout=args.timeout)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(report)
    return 0 if report else 1


__all__ = ["audit_command"]
