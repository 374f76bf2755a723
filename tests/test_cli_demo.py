"""`backprop-lab demo`: its numbers against plain-float arithmetic, its SVG, no `dot`, and
its progress bar: a tqdm bar on a terminal, two plain lines in a log."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd.cli import main
from autograd.cli.demo import LEARNING_RATE
from autograd.cli.demo import run_demo as run_demo_in_process
from nn.data import students
from nn.examples import STUDENT_WEIGHTS, student_network
from nn.losses import bce
from nn.optim import SGD


def run_demo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograd", "demo", *args],
                          capture_output=True, text=True, timeout=120, env=env)


def student_by_hand(x1=2.0, x2=5.0, y=0.0):
    # The article's network on plain floats, with the weights the demo prints.
    (w, b), (v, c) = STUDENT_WEIGHTS
    z1 = w[0][0] * x1 + w[0][1] * x2 + b[0]
    z2 = w[1][0] * x1 + w[1][1] * x2 + b[1]
    h1, h2 = max(z1, 0.0), max(z2, 0.0)
    y_hat = 1 / (1 + math.exp(-(v[0][0] * h1 + v[0][1] * h2 + c[0])))
    loss = -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))
    dw1 = (y_hat - y) * v[0][0] * (1.0 if z1 > 0 else 0.0) * x1
    return y_hat, loss, dw1


def number_after(text: str, prefix: str) -> float:
    match = re.search(re.escape(prefix) + r"\s*(-?[0-9.]+)", text)
    assert match, prefix
    return float(match[1])


def test_demo_numbers_svg_and_training(tmp_path):
    svg = tmp_path / "net.svg"
    done = run_demo("--out", str(svg), "--steps", "300")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    y_hat, loss, dw1 = student_by_hand()
    assert number_after(out, "ŷ = σ(z3) =") == pytest.approx(y_hat, rel=1e-5)
    assert number_after(out, "L = -[y·log ŷ + (1 - y)·log(1 - ŷ)] =") == pytest.approx(loss, 1e-5)
    assert number_after(out, "engine (w1.grad)") == pytest.approx(dw1, rel=1e-9)
    assert "they agree" in out and f"written to {svg}" in out
    page = svg.with_suffix(".html")
    assert f"its player (step through forward and backward, change any weight): {page}" in out
    text = page.read_text(encoding="utf-8")
    assert "data-backprop-player" in text and 'data-layout="dot"' in text
    texts = [t.text for t in ET.parse(svg).iter() if t.text]
    for label in ("w1", "x1", "z1", "h1", "ŷ", "L"):
        assert label in texts
    assert "accuracy 6/6" in out


def test_demo_without_dot_still_runs_and_says_how(tmp_path):
    if shutil.which("dot") is None:
        pytest.fail("the test command installs Graphviz; dot should be on PATH")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(sys.executable, bin_dir / "python")
    env = dict(os.environ, PATH=str(bin_dir))
    done = run_demo("--out", str(tmp_path / "g.svg"), "--steps", "10", env=env)
    assert done.returncode == 0, done.stderr
    assert "apt-get install graphviz" in done.stdout and "they agree" in done.stdout
    assert not (tmp_path / "g.svg").exists()
    # the player page is still written: the page lays the graph out itself
    assert 'data-layout="browser"' in (tmp_path / "g.html").read_text(encoding="utf-8")


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as tqdm asks."""

    def isatty(self) -> bool:
        return True


def losses_by_training(steps: int) -> list[float]:
    # The demo's training written out again: mean BCE over the six students, SGD.
    model = student_network()
    X, Y = students()
    optimizer = SGD(model.parameters(), lr=LEARNING_RATE)
    losses = []
    for _ in range(steps):
        loss = bce([model(x) for x in X], Y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    return losses


def test_a_log_gets_no_bar_and_the_first_and_final_loss(tmp_path):
    done = run_demo("--out", str(tmp_path / "g.svg"), "--steps", "40")
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stdout and "it/s" not in done.stdout and "step/s" not in done.stdout
    match = re.search(r"loss ([0-9.]+) at the first step, ([0-9.]+) after 40 steps", done.stdout)
    assert match, done.stdout
    losses = losses_by_training(40)
    assert float(match[1]) == pytest.approx(losses[0], abs=5e-5)
    assert float(match[2]) == pytest.approx(losses[-1], abs=5e-5)
    assert losses[-1] < losses[0]


def test_a_terminal_gets_a_tqdm_bar_then_the_final_loss(tmp_path):
    screen = Terminal()
    assert run_demo_in_process(tmp_path / "g.svg", steps=25, stream=screen) == 0
    text = screen.getvalue()
    bar, summary = text[text.index("5. Training"):text.index("accuracy")].split("\n")[1:3]
    assert bar.startswith("\r") and "100%" in bar and "25/25" in bar and "step/s" in bar
    final = f"{losses_by_training(25)[-1]:.4f}"
    assert bar.endswith(f"loss {final}]")  # the bar shows the loss as it falls
    assert summary.endswith(f", {final} after 25 steps")


@pytest.mark.parametrize("steps", ["0", "-3", "many"])
def test_steps_below_one_are_refused_without_a_traceback(steps, capsys):
    assert main(["demo", "--steps", steps]) == 2
    err = capsys.readouterr().err
    assert "--steps" in err and "Traceback" not in err


def test_an_interrupted_demo_says_so_without_a_traceback(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr("autograd.cli.demo_command", interrupted)
    assert main(["demo"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
