"""How long the inputs that once hung a command take now, each against the floor.

    .venv/bin/python benchmarks/limits.py        # about a minute

Each input runs as a user would run it, in a fresh process (``backprop-lab ...`` or a short
Python script), alone, with a 60 s limit. The floor, measured in the same run, is the
smallest command there is: ``backprop-lab grad x --at x=1`` (starting Python and the
package). Printed as a Markdown table: the time, the ratio to the floor, the exit status
and the length of what the command wrote to stderr.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT = 60.0
CLI = [sys.executable, "-m", "autograd"]


def timed(command: list[str], cwd: Path) -> tuple[float, str, int]:
    """Seconds, exit status (or "killed"), bytes written to stderr."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=LIMIT,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, "killed", 0
    return time.perf_counter() - start, str(done.returncode), len(done.stderr)


def statements(path: Path, lines: int) -> str:
    # a0 = x*1, a1 = a0 + x, ...: each statement reads the one before it
    body = ["a0 = x*1"] + [f"a{k} = a{k - 1} + x" for k in range(1, lines)]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return f"@{path}"


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def main() -> None:
    work = Path(tempfile.mkdtemp())
    floor = statistics.median(timed([*CLI, "grad", "x", "--at", "x=1"], work)[0]
                              for _ in range(3))
    long_file = statements(work / "s.txt", 51_108)
    tower = "**".join(["x"] * 100) + "**1"
    cases = {
        "grad of 2,000 x's": [*CLI, "grad", "x" * 2_000, "--at", "x=1"],
        "grad of 4,000 x's": [*CLI, "grad", "x" * 4_000, "--at", "x=1"],
        "grad of 10,000 x's": [*CLI, "grad", "x" * 10_000, "--at", "x=1"],
        "grad @s.txt, 51,108 statements": [*CLI, "grad", long_file, "--at", "x=1"],
        "play @s.txt, 51,108 statements": [*CLI, "play", long_file, "--at", "x=1", "--html",
                                           str(work / "s.html")],
        "play x**x**…**1, 100 levels": [*CLI, "play", tower, "--at", "x=1.1", "--html",
                                        str(work / "p.html")],
        "exercise --students 100000": [*CLI, "exercise", "--students", "100000", "--no-pdf",
                                       "--out", str(work / "class-big")],
        "exercise --students 300 (the cap)": [*CLI, "exercise", "--students", "300",
                                              "--no-pdf", "--out", str(work / "class")],
        "draw(chain of 10,000 ops, max_nodes=None) to SVG": python(
            "from autograd import Value, draw\n"
            "y = Value(1.0, label='x')\n"
            "for _ in range(10_000): y = y + 1e-6\n"
            "try:\n    draw(y, max_nodes=None).pipe(format='svg')\n"
            "except Exception as error:\n    raise SystemExit(f'{type(error).__name__}: {error}')"),
        "draw of a 10 KB label to SVG": python(
            "from autograd import Value, draw\n"
            "draw(Value(1.0, label='a' * 10_000).exp()).pipe(format='svg')"),
        'grad "1e999*x"': [*CLI, "grad", "1e999*x", "--at", "x=1"],
    }
    print(f"floor (`backprop-lab grad x --at x=1`): {floor:.2f} s\n")
    print("| input | time | × floor | exit | stderr bytes |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, command in cases.items():
        seconds, status, errors = timed(command, work)
        print(f"| {name} | {seconds:.2f} s | {seconds / floor:.1f} | {status} | {errors} |",
              flush=True)


if __name__ == "__main__":
    main()
