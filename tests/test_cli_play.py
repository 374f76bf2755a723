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


def chain(path: Path, statements: int) -> str:
    # a0 = x*1, a1 = a0 + x, ...: two Values a statement
    lines = ["a0 = x*1"] + [f"a{k} = a{k - 1} + x" for k in range(1, statements)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"@{path}"


def test_a_graph_too_large_for_a_page_is_one_line_for_the_command_line(tmp_path, capsys):
    out = tmp_path / "p.html"
    code = main(["play", chain(tmp_path / "s.txt", 1_200), "--at", "x=1", "--html", str(out),
                 "--layout", "browser"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and len(err) <= 300, err
    assert err.startswith("error: EXPR makes 1,202 values, too many for a player page (at "
                          "most 1,000 laid out by the page itself;")
    code = main(["play", chain(tmp_path / "s.txt", 2_100), "--at", "x=1", "--html", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "EXPR makes 2,102 values, too many for a player page (at most 2,000)" \
        in err and "max_nodes=None" in err
    assert not out.exists()


def test_a_long_expression_is_shown_by_its_start(tmp_path, capsys):
    formula = " + ".join(["x"] * 100)
    out = tmp_path / "p.html"
    assert main(["play", formula, "--at", "x=1", "--html", str(out)]) == 0
    said = capsys.readouterr().out
    assert len(said) < 200 and "x + x + x" in said
    title = out.read_text(encoding="utf-8").split("<title>")[1].split("</title>")[0]
    assert len(title) <= 140 and title.startswith("backprop player: x + x")


def test_no_dot_with_layout_dot_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere
    code = main(["play", "x*y", "--at", "x=1", "y=2", "--layout", "dot", "--html",
                 str(tmp_path / "p.html")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "sudo apt-get install graphviz" in err
    assert "Traceback" not in err and not (tmp_path / "p.html").exists()
