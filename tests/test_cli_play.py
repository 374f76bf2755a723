"""`backprop-lab play`: an expression's player page, written offline-ready; bad input gives
one line and status 2, never a traceback, and nothing typed is ever executed."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from autograd.cli import main
from tests.browser import page


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograd", *args], capture_output=True,
                          text=True, timeout=120)


def test_play_writes_a_page_whose_numbers_are_the_expression(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "p.html"
    done = run_cli("play", "sigmoid(w*x + b)", "--at", "w=0.5", "x=2", "b=0.1",
                   "--html", str(out))
    assert done.returncode == 0, done.stderr
    assert f"written to {out}" in done.stdout
    with page() as p:
        p.goto(out.as_uri())
        p.wait_for_selector("[data-backprop-player][data-ready='1']")
        end = p.evaluate("document.querySelector('[data-backprop-player]').player.end()")
        p.evaluate("document.querySelector('[data-backprop-player]').player.setValue('x', -1)")
        moved = p.evaluate("document.querySelector('[data-backprop-player]').player.state()")
    s = 1 / (1 + math.exp(-(0.5 * 2 + 0.1)))
    assert math.isclose(end["values"]["f"], s, rel_tol=1e-12)
    assert math.isclose(end["grads"]["w"], s * (1 - s) * 2, rel_tol=1e-12)
    s = 1 / (1 + math.exp(-(0.5 * -1 + 0.1)))
    assert math.isclose(moved["grads"]["w"], s * (1 - s) * -1, rel_tol=1e-12)


def test_bad_input_is_one_line_and_status_2(tmp_path: Path, capsys) -> None:
    marker = tmp_path / "pwned"
    cases = [
        ["play", "log(x)", "--at", "x=0", "--html", str(tmp_path / "a.html")],
        ["play", "x*y", "--at", "x=1", "--html", str(tmp_path / "b.html")],
        ["play", f"__import__('os').system('touch {marker}')", "--html",
         str(tmp_path / "c.html")],
        ["play", "x*x", "--at", "x=2", "--html", str(tmp_path / "d.svg")],
        ["play", "x*x", "--at", "x=2", "--html", str(tmp_path / "no" / "\0" / "e.html")],
    ]
    for argv in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not marker.exists()
    assert not any(tmp_path.glob("*.html"))


def test_help_names_the_command() -> None:
    done = run_cli("play", "--help")
    assert done.returncode == 0 and "--html" in done.stdout and "offline" in done.stdout
