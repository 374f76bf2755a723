"""What `audit` found: one `ProbeResult` per probe, the distinct `Finding` behind the probes
that fail, and the `AuditReport` that prints them, one line per probe, or gives them as JSON.

>>> finding = Finding("accumulate", "`=` instead of `+=`", "add")
>>> result = ProbeResult("out = a + a", True, {"a": 0.5}, {"a.grad": 2.0}, {"a.grad": 2.0})
>>> report = AuditReport("Value", [result], [])
>>> bool(report), str(report).splitlines()[0]
(True, 'audit of Value: 1 probe, all hold')
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

KINDS = {
    "accumulate": "`=` instead of `+=`",
    "upstream": "missing `* out.grad`",
    "derivative": "wrong local derivative",
    "reflected": "missing reflected op",
    "number": "a number not made a Value",
    "order": "wrong order of the backward steps",
    "recursion": "recursion limit",
    "not-accumulated": "gradients not accumulated across backward()",
    "stale": "interior gradients kept from the last backward()",
    "forward": "wrong forward value",
    "error": "raises an error",
    "timeout": "does not finish",
    "crash": "ends the Python process",
}
"""Every kind of finding, with its short name."""


LINE_WIDTH = 68
"""Characters per line of the printed report, wrapped between words: a notebook's output
at 1,000 px holds about 71, a terminal 80."""

CODE_WIDTH = 24
"""The column a probe's code is padded to, before its point (longer code runs over)."""


def _wrapped(line: str, indent: int) -> str:
    # a report line wrapped between words, its next lines indented
    return textwrap.fill(line, LINE_WIDTH, subsequent_indent=" " * indent,
                         break_long_words=False, break_on_hyphens=False)


@dataclass(frozen=True)
class Finding:
    """A bug of the audited class: its ``kind`` (a key of `KINDS`), the ``text`` that says
    what is wrong and how to mend it, the table ``op`` it is in (None for the backward pass
    as a whole) and, for a wrong derivative, the ``formula`` that fits its numbers."""

    kind: str
    text: str
    op: str | None = None
    formula: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The finding as a dict: kind, op, text, formula."""
        return {"kind": self.kind, "op": self.op, "text": self.text, "formula": self.formula}


@dataclass
class ProbeResult:
    """One probe: its ``code`` on one line, whether it ``holds`` (None: the class does not
    offer what it tests), the point it is shown ``at`` (its first failing one), the
    ``expected`` and ``got`` numbers there (``out``, ``a.grad``, ...), the ``finding``
    behind a failure and a ``note`` (why it was not offered, or the error raised)."""

    code: str
    holds: bool | None
    at: dict[str, float]
    expected: dict[str, float] = field(default_factory=dict)
    got: dict[str, float] = field(default_factory=dict)
    finding: Finding | None = None
    note: str = ""

    @property
    def name(self) -> str:
        """The probe's name: its code on one line."""
        return self.code

    def line(self, width: int = CODE_WIDTH) -> str:
        """The probe as one line of the report."""
        mark = {True: "holds", False: "WRONG", None: "  -  "}[self.holds]
        at = " ".join(f"{k}={v:.6g}" for k, v in self.at.items())
        head = f"  {mark}  {self.code.ljust(width)}"
        if self.holds is None:
            return f"{head}  {self.note}"
        if self.holds:
            return f"{head}  at {at}"
        wrong = [k for k in self.got if not close(self.got[k], self.expected.get(k))]
        numbers = "; ".join(f"{k} {pair(self.got[k], self.expected[k])}"
                            for k in wrong if k in self.expected)
        said = numbers or self.note
        return f"{head}  at {at}: {said}"

    def to_json(self, findings: list[Finding]) -> dict[str, Any]:
        """The result as a dict, its finding as an index into ``findings``."""
        return {"code": self.code, "holds": self.holds, "at": self.at,
                "expected": self.expected, "got": self.got, "note": self.note,
                "finding": findings.index(self.finding) if self.finding else None}


def pair(got: float, expected: float) -> str:
    """``"got, expected expected"``, with the digits it takes to tell the two apart.

    >>> pair(2.00001, 2.0)
    '2.00001, expected 2'
    """
    for digits in range(4, 18):
        shown = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if shown[0] != shown[1]:
            break
    return f"{shown[0]}, expected {shown[1]}"


def close(got: float, expected: float | None) -> bool:
    """Whether a class's number ``got`` is this engine's ``expected`` (NaN is NaN).

    >>> close(1.0 + 1e-12, 1.0), close(1.001, 1.0)
    (True, False)
    """
    if expected is None:
        return False
    if math.isnan(expected):
        return math.isnan(got)
    return abs(got - expected) <= 1e-9 + 1e-7 * abs(expected)


@dataclass
class AuditReport:
    """Every probe's result and the distinct findings. ``bool(report)`` is True when every
    probe offered holds; ``str(report)`` is the findings, then one line per probe;
    `to_json` is the same as a dict."""

    name: str
    probes: list[ProbeResult]
    findings: list[Finding]
    source: str = ""
    stopped: str = ""
    """Why some probes did not run, if they did not (a time limit, a crash)."""

    def __bool__(self) -> bool:
        return not self.findings and not self.stopped and all(
            p.holds is not False for p in self.probes)

    @property
    def counts(self) -> dict[str, int]:
        """How many probes hold, fail, are not offered and were not run (after a probe that
        did not finish)."""
        holds = [p.holds for p in self.probes]
        not_run = sum(p.holds is None and p.note.startswith("not run") for p in self.probes)
        return {"hold": holds.count(True), "fail": holds.count(False),
                "not offered": holds.count(None) - not_run, "not run": not_run}

    def __str__(self) -> str:
        counts = self.counts
        where = f" ({self.source})" if self.source else ""
        total = len(self.probes)
        head = f"audit of {self.name}{where}: {total} probe{'s' * (total != 1)}"
        if counts["fail"]:
            head += f", {counts['hold']} hold, {counts['fail']} do not"
        elif counts["not offered"] or counts["not run"]:
            head += f", {counts['hold']} hold"
        else:
            head += ", all hold"
        for missing in ("not offered", "not run"):
            head += f", {counts[missing]} {missing}" if counts[missing] else ""
        lines = [head]
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        if self.findings:
            lines += ["", "what is wrong:"]
            lines += [_wrapped(f"  {i}. {f.text}", 5) for i, f in enumerate(self.findings, 1)]
        lines += ["", "probes (a, b, c, k: leaves made by the class; out: the result):"]
        offered = [p for p in self.probes if p.holds is not None]
        width = min(CODE_WIDTH, max((len(p.code) for p in offered), default=10))
        for probe in offered:
            line = probe.line(width)
            if probe.finding in self.findings:
                line += f"  [{self.findings.index(probe.finding) + 1}]"
            lines.append(_wrapped(line, 9))
        lines += [_wrapped(line, 4) for line in self._not_offered()]
        return "\n".join(lines)

    def _not_offered(self) -> list[str]:
        # the probes not offered, on one line: the methods the class lacks, and why else
        lacks = f"not offered: {self.name} has no "
        methods: list[str] = []
        others: dict[str, str] = {}  # another reason, with the first probe it stopped
        not_run: dict[str, list[str]] = {}  # why, and the probes
        for probe in self.probes:
            if probe.holds is None and probe.note.startswith(lacks):
                methods += [m for m in probe.note[len(lacks):].split(" or ") if m not in methods]
            elif probe.holds is None and probe.note.startswith("not run"):
                not_run.setdefault(probe.note.removeprefix("not run: "), []).append(probe.code)
            elif probe.holds is None:
                others.setdefault(probe.note.removeprefix("not offered: "), probe.code)
        lines = []
        why = [f"{self.name} has no {', '.join(methods)}"] if methods else []
        why += [f"{code[6:]}: {note}" for note, code in others.items()]
        if why:
            lines.append(f"  {self.counts['not offered']} not offered: " + "; ".join(why))
        for reason, codes in not_run.items():
            lines.append(f"  {len(codes)} not run, as {reason}: " + ", ".join(codes))
        return lines

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def to_json(self) -> dict[str, Any]:
        """The report as a dict, ready for `json.dumps`."""
        return {"class": self.name, "source": self.source, "holds": bool(self),
                "counts": self.counts, "stopped": self.stopped,
                "findings": [f.to_json() for f in self.findings],
                "probes": [p.to_json(self.findings) for p in self.probes]}


__all__ = ["KINDS", "Finding", "ProbeResult", "AuditReport", "close", "pair"]
