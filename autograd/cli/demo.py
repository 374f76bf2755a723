"""``backprop-lab demo``: the first article's student network, walked through backprop.

Forward pass for the first student, the loss, ``backward()``, ∂L/∂w1 explained path by path
and checked three ways (the engine, the article's formula on plain floats, central
differences), the graph as SVG and as a player page (HTML), then training on all six
students with a progress bar (tqdm, on a terminal only; logs get the loss before and after
training).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from autograd.draw import DotMissingError, render
from autograd.explain import explain
from autograd.player import play
from nn.data import students
from nn.examples import student_forward, student_network
from nn.losses import bce
from nn.optim import SGD

LEARNING_RATE = 0.05


def _loss_at_w1(w1: float) -> float:
    # The loss with w1 set to a number, everything else as given: for finite differences.
    model = student_network()
    model.parameters()[0].data = w1
    return student_forward(model=model)["L"].data


def run_demo(out: str | Path = "student_network.svg", steps: int = 300,
             stream: TextIO | None = None) -> int:
    """Run the demo, writing the graph to ``out``, its player page beside it (``.html``) and
    the text to ``stream`` (default: standard output); returns the exit status (0, or 1 if
    the three gradients disagree).

    >>> import io, tempfile, os
    >>> text = io.StringIO()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     run_demo(os.path.join(tmp, "g.svg"), steps=20, stream=text)
    0
    >>> "∂L/∂w1" in text.getvalue() and "after 20 steps" in text.getvalue()
    True
    """
    if steps < 1:
        raise ValueError(f"--steps: training needs at least 1 step, got {steps}")
    stream = sys.stdout if stream is None else stream

    def say(line: str = "") -> None:
        print(line, file=stream)

    net = student_forward()
    v = {k: x.data for k, x in net.items()}
    say("The student pass/fail network of the first article")
    say("  inputs x1 = hours studied, x2 = hours of sleep; two ReLU neurons; sigmoid output")
    say("  The article gives no weights: these are ours, chosen so that the first student")
    say("  gets the article's prediction ŷ ≈ 0.633.")
    say("  " + "  ".join(f"{k}={v[k]:g}" for k in ("w1", "w2", "b1", "w3", "w4", "b2")))
    say("  " + "  ".join(f"{k}={v[k]:g}" for k in ("w5", "w6", "b3")))
    say()
    say(f"1. Forward pass for the first student (x1={v['x1']:g}, x2={v['x2']:g}, failed: y=0)")
    say(f"  z1 = w1·x1 + w2·x2 + b1 = {v['z1']:.6g}    h1 = ReLU(z1) = {v['h1']:.6g}")
    say(f"  z2 = w3·x1 + w4·x2 + b2 = {v['z2']:.6g}    h2 = ReLU(z2) = {v['h2']:.6g}")
    say(f"  z3 = w5·h1 + w6·h2 + b3 = {v['z3']:.6g}    ŷ = σ(z3) = {v['y_hat']:.6g}")
    say()
    say("2. Loss (binary cross-entropy)")
    say(f"  L = -[y·log ŷ + (1 - y)·log(1 - ŷ)] = {v['L']:.6g}")
    say()
    loss, w1 = net["L"], net["w1"]
    loss.backward()
    say("3. Backward: ∂L/∂w1 as the chain rule's sum over paths")
    for line in str(explain(loss, w1)).splitlines():
        say("  " + line)
    y_hat, y = v["y_hat"], 0.0
    article = (y_hat - y) * v["w5"] * (1.0 if v["z1"] > 0 else 0.0) * v["x1"]
    h = 1e-6
    numeric = (_loss_at_w1(v["w1"] + h) - _loss_at_w1(v["w1"] - h)) / (2 * h)
    agree = math.isclose(w1.grad, article, rel_tol=1e-9) and math.isclose(
        w1.grad, numeric, rel_tol=1e-6)
    d_yhat, d_z3 = 1 / (1 - y_hat), y_hat * (1 - y_hat)  # ∂L/∂ŷ for y = 0, and σ'(z3)
    say(f"  The first two factors make the article's (ŷ − y): {d_yhat:.4g} · {d_z3:.4g} = "
        f"{d_yhat * d_z3:.4g} = {y_hat:.4g} − {y:g}")
    say()
    say("  Checked three ways:")
    say(f"    engine (w1.grad)                     {w1.grad:.10f}")
    say(f"    article: (ŷ − y)·w5·ReLU'(z1)·x1     {article:.10f}")
    say(f"    central difference, h = 1e-6        {numeric:.10f}")
    say(f"    {'they agree' if agree else 'THEY DISAGREE'}")
    say()
    say("4. The graph")
    try:
        written = render(loss, out, group=False)
        say(f"  written to {written[0]}")
    except DotMissingError as err:
        say(f"  not written: {err}")
    page = play(loss, title=f"The first article's student network, first student: x1 = "
                f"{v['x1']:g} hours studied, x2 = {v['x2']:g} hours of sleep, failed (y = 0), so "
                "the cross-entropy is L = −log(1 − ŷ)").save(
        Path(out).with_suffix(".html"))
    say(f"  its player (step through forward and backward, change any weight): {page}")
    say()
    say(f"5. Training on all six students: mean BCE, SGD, learning rate {LEARNING_RATE}")
    model = student_network()
    X, Y = students()
    optimizer = SGD(model.parameters(), lr=LEARNING_RATE)
    # A bar redrawn in place on a terminal; none in logs, which get the two losses below.
    bar = tqdm(total=steps, desc="  training", unit="step", file=stream,
               disable=not stream.isatty(), dynamic_ncols=True)
    losses = []
    with bar:
        for _ in range(steps):
            batch_loss = bce([model(x) for x in X], Y)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            losses.append(batch_loss.data)
            bar.set_postfix_str(f"loss {batch_loss.data:.4f}", refresh=False)
            bar.update()
    say(f"  loss {losses[0]:.4f} at the first step, {losses[-1]:.4f} after {steps} steps")
    say("  hours studied  hours of sleep  passed  predicted ŷ")
    correct = 0
    for x, target in zip(X, Y):
        p = model(x)
        p_value = p.data if not isinstance(p, list) else p[0].data
        correct += int((p_value > 0.5) == bool(target))
        say(f"  {x[0]:>13g}  {x[1]:>14g}  {target:>6}  {p_value:>11.3f}")
    say(f"  accuracy {correct}/{len(X)}")
    return 0 if agree else 1


def demo_command(args: argparse.Namespace) -> int:
    """``backprop-lab demo``: `run_demo` with the command line's ``--out`` and ``--steps``.

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     demo_command(argparse.Namespace(out=os.path.join(tmp, "g.svg"), steps=2))
    The student pass/fail network of the first article
    ...
      accuracy .../6
    0
    """
    return run_demo(out=args.out, steps=args.steps)
