"""Long input, read in time linear in its length, and refused in one short line.

Each hang once measured on the command line has a copy here at a small size: the time at
n and at 4n must stay within a factor of 6 (a quadratic reader gives 16), and an error is
one line of at most 300 characters that quotes the start of a long input, not all of it.
The commands run in-process through `autograd.cli.main`.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from autograd.cli import MAX_MESSAGE, main

RATIO = 6  # time(4n) / time(n) allowed: linear is 4, quadratic 16


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def error_line(err: str) -> str:
    """The single error line of ``err``, checked to be one short line."""
    assert err.count("\n") == 1 and err.startswith("error: "), err[:400]
    line = err.rstrip("\n")
    assert len(line) <= MAX_MESSAGE == 300
    assert "Traceback" not in err and "sys.set_int_max_str_digits" not in err
    return line


def fastest(action: Callable[[], object], repeats: int = 3) -> float:
    """The shortest of a few timings of ``action``: the least disturbed by other work (and
    by Python's garbage collector, whose passes grow with the heap, not with the input)."""
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            action()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def assert_linear(measure: Callable[[int], object], n: int) -> None:
    measure(n)  # warm: imports and caches are not part of the reading
    small = fastest(lambda: measure(n))
    large = fastest(lambda: measure(4 * n))
    assert large <= RATIO * small, f"n={n}: {small:.3f} s, 4n: {large:.3f} s"


# ---- a run of letters: "xxx…x" read as a product of known names -----------------------------


def test_a_long_run_of_letters_is_refused_in_one_short_line(capsys):
    code, out, err = run(capsys, "grad", "x" * 2000, "--at", "x=1")
    assert code == 2 and out == ""
    line = error_line(err)
    assert "no value for 'xxx" in line and "(2,000 characters)" in line
    assert "for a product, write x*x*x" in line and "(2,000 factors)" in line


def test_the_product_hint_takes_linear_time(capsys):
    def measure(n: int) -> None:
        assert main(["grad", "x" * n, "--at", "x=1"]) == 2
        assert len(capsys.readouterr().err) <= MAX_MESSAGE + 1

    assert_linear(measure, 2000)


def test_a_name_made_of_known_names_is_still_read_as_their_product(capsys):
    code, _, err = run(capsys, "grad", "w1x1b", "--at", "w1=1", "x1=2", "b=3")
    assert code == 2
    assert "write w1*x1*b" in error_line(err)


# ---- statements files: each statement is built once, not against every earlier one ---------


def chain(n: int) -> str:
    # a0 = x*1, a1 = a0 + x, ...: a_{n-1} = n·x, so at x = 1 its value and gradient are n
    return "\n".join(["a0 = x*1"] + [f"a{i} = a{i - 1} + x" for i in range(1, n)]) + "\n"


def test_a_statements_file_takes_linear_time(tmp_path: Path, capsys):
    def measure(n: int) -> None:
        path = tmp_path / f"s{n}.txt"
        if not path.exists():
            path.write_text(chain(n), encoding="utf-8")
        assert main(["grad", f"@{path}", "--at", "x=1"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[-2] == f"a{n - 1} = a{n - 2} + x = {n}"
        assert out[-1] == f"∂a{n - 1}/∂x = {n}"

    assert_linear(measure, 2000)


def test_play_reads_a_statements_file_in_linear_time(tmp_path: Path, capsys, monkeypatch):
    # The player's drawing has limits of its own; what play reads and builds is timed here.
    built: list[int] = []

    class Page:
        def save(self, path: str) -> str:
            return path

    def fake_play(root, **options):  # noqa: ANN001, ANN003
        built.append(int(root.data))
        return Page()

    monkeypatch.setattr("autograd.cli.play.play", fake_play)

    def measure(n: int) -> None:
        path = tmp_path / f"p{n}.txt"
        if not path.exists():
            path.write_text(chain(n), encoding="utf-8")
        assert main(["play", f"@{path}", "--at", "x=1", "--html", str(tmp_path / "p.html")]) == 0
        capsys.readouterr()
        assert built[-1] == n

    assert_linear(measure, 2000)


def test_a_long_sum_is_read_however_deep_it_nests(capsys):
    # x + x + ... + x (3,000 terms) nests 3,000 levels: past Python's default limit
    code, out, err = run(capsys, "grad", "+".join(["x"] * 3000), "--at", "x=2")
    assert code == 0 and err == ""
    assert out.splitlines()[-2].endswith(" = 6000") and out.splitlines()[-1] == "∂f/∂x = 3000"


# ---- check: a long claim --------------------------------------------------------------------


def test_check_reads_a_long_claim_in_linear_time(capsys):
    def measure(n: int) -> None:
        claim = "2*x" + " + 0*x" * n  # right: ∂(x·x)/∂x = 2x
        args = ["check", "x*x", "--at", "x=1", "--wrt", "x", "--points", "8", "--claim", claim]
        assert main(args) == 0
        assert "holds" in capsys.readouterr().out

    assert_linear(measure, 100)


def test_check_refuses_a_long_unknown_name_in_one_short_line(capsys):
    code, _, err = run(capsys, "check", "x*x", "--at", "x=1", "--wrt", "x",
                       "--claim", "q" * 5000)
    assert code == 2
    line = error_line(err)
    assert "'qqq" in line and "(5,000 characters) is not a label of the graph" in line


# ---- every error line is short, whatever it quotes ------------------------------------------


@pytest.mark.parametrize("argv, words", [
    (["grad", "w = 1; " + "y" * 3000 + " = w*2", "--at", "q=1"], ["'q' does not appear"]),
    (["grad", "z" * 3000 + "^2", "--at", "x=1"], ["use ** for powers"]),
    (["grad", "x", "--at", "x=" + "9" * 3000 + "z"], ["--at x:", "is not a number"]),
    (["grad", "x", "--at", "x" * 3000], ["--at expects NAME=VALUE"]),
    (["grad", "2" + "x" * 3000, "--at", "x=1"], ["write 2*xxx", "…"]),
    (["grad", "(" * 300 + "x" + ")" * 300, "--at", "x=1"], ["more than 200 parentheses"]),
])
def test_errors_quote_the_start_of_a_long_input(argv, words, capsys):
    code, _, err = run(capsys, *argv)
    assert code == 2
    line = error_line(err)
    for word in words:
        assert word in line


def test_one_line_cuts_any_message_to_the_limit():
    from autograd.cli import _one_line

    text = _one_line(ValueError("no value for " + "x" * 10_000))
    assert len("error: " + text) == MAX_MESSAGE and text.endswith("…")
    assert _one_line(ValueError("a\n  b")) == "a b"



# ---- what argparse echoes, pipes that would wait, and caps ----------------------------------


@pytest.mark.parametrize("argv, start", [
    (["0" * 167], "error: argument COMMAND: invalid choice: '000"),
    (["grad", "", "\x1e"], "error: unrecognized arguments: '\\x1e'"),
    (["play", "--" + "0" * 1000, "--at", "x=0", ""], "error: unrecognized arguments: '--000"),
    (["exercise", "--seed", "9" * 5000], "error: argument --seed: invalid int value: '999"),
    (["grade", "a.json", "--seed", "9" * 5000], "error: argument --seed: invalid int value"),
    (["demo", "--steps", "9" * 60], "error: argument --steps: expected at most 100000 steps"),
])
def test_what_argparse_echoes_is_shortened_and_escaped(capsys, argv, start) -> None:
    code, out, err = run(capsys, *argv)
    line = error_line(err)
    assert code == 2 and out == "" and line.startswith(start), line
    assert line.endswith("--help)") and "\x1e" not in line


def test_a_bare_long_statement_is_quoted_by_its_start(capsys) -> None:
    first = "*".join(["x"] * 300)
    code, _, err = run(capsys, "check", f"{first}; y = x", "--at", "x=1", "--wrt", "x",
                       "--claim", "1")
    line = error_line(err)
    assert code == 2 and "only the last statement may be a bare formula" in line
    assert "name this one (v = x*x*x*" in line and first not in line


@pytest.mark.parametrize("command", ["statements", "answers"])
def test_a_pipe_given_as_a_file_is_refused_at_once(tmp_path, capsys, command) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it would wait for a writer, forever
    argv = (["grad", f"@{fifo}", "--at", "x=1"] if command == "statements"
            else ["grade", str(fifo), "--net", "student", "--seed", "1"])
    code, _, err = run(capsys, *argv)
    assert code == 2 and "a pipe or a device" in error_line(err)
