"""The README's audit example: every line it shows is a line of the real report, and the
engine it names has the one bug the README says."""

from __future__ import annotations

import re
from pathlib import Path

import buggy_engines

from autograd import audit

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    start = README.index(heading)
    return README[start:README.index("\n## ", start + 1)]


def _squeezed(line: str) -> str:
    return " ".join(line.split())


def test_the_shown_report_is_the_real_one(tmp_path: Path) -> None:
    shown = re.findall(r"```\n(audit of .*?)```", _section("## Checking the engine you wrote"),
                       flags=re.S)[0]
    report = audit(buggy_engines.write("tanh_input", tmp_path))
    real = {_squeezed(line) for line in str(report).splitlines()}
    for line in shown.splitlines():
        if line.strip() and line.strip() != "...":
            assert _squeezed(line) in real, line
    # the engine's one bug, told by the independent fact: tanh' of the input, not the output
    (finding,) = report.findings
    assert (finding.kind, finding.op, finding.formula) == ("derivative", "tanh", "1 - a**2")

