"""Regenerate the README's pictures (``make pictures``): the student network's drawing, a
PNG of its player mid-way through the backward pass, and the top of an exercise key (the
first article's network, seed 7), taken in Debian's Chromium at the width of a notebook
cell. The tests check the drawing against a fresh one; the PNG is a
photograph of the page, to look at."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from autograd.draw import render  # noqa: E402
from autograd.player import play  # noqa: E402
from autograd.teaching import write_exercise  # noqa: E402
from nn.examples import student_forward  # noqa: E402
from nn.exercises import exercise  # noqa: E402
from tests.browser import CELL_WIDTH, page  # noqa: E402

PICTURES = HERE.parent / "notebooks" / "pictures"
BACKWARD_STEPS_SHOWN = 4  # the player's picture shows this backward step in progress


def main() -> None:
    net = student_forward()
    loss = net["L"]
    loss.backward()
    render(loss, PICTURES / "student_network.svg")
    saved = play(loss, title="backprop player: the student network").save(
        HERE.parent / "build" / "student_player.html")
    with page(width=CELL_WIDTH, height=1450) as p:
        p.goto(saved.resolve().as_uri())
        p.wait_for_selector("[data-backprop-player][data-ready='1']")
        state = p.evaluate("document.querySelector('[data-backprop-player]').player.state()")
        p.evaluate("(n) => { const pl = document.querySelector('[data-backprop-player]').player;"
                   " pl.reset(); for (let i = 0; i < n; i++) pl.stepForward(); }",
                   _step_of(state["steps"]))
        p.evaluate("window.scrollTo(0, 0)")  # the page as it opens, from its top
        p.screenshot(path=str(PICTURES / "player.png"), clip={"x": 0, "y": 0,
                                                             "width": CELL_WIDTH,
                                                             "height": 1450})
        write_exercise(exercise("student", 7), HERE.parent / "build" / "exercise", pdf=False)
        p.goto((HERE.parent / "build" / "exercise" / "key.html").resolve().as_uri())
        p.screenshot(path=str(PICTURES / "key.png"), clip={"x": 0, "y": 0,
                                                          "width": CELL_WIDTH, "height": 1250})
    print(f"written: {PICTURES / 'student_network.svg'}, {PICTURES / 'player.png'}, "
          f"{PICTURES / 'key.png'}")


def _step_of(steps: int) -> int:
    # forward steps and backward steps are equal in number (one of each per computed Value)
    return steps // 2 + BACKWARD_STEPS_SHOWN


if __name__ == "__main__":
    main()
