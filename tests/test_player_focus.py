"""The player keeps the step's Value in sight, says where it is once, and names its colours.

Saved player pages are opened from disk in Debian's Chromium (network refused) in a window
1,000 px wide, and stepped through with ``element.player``: forward to the end, then back
to the start. After every step the Value the step works on (the node marked ``data-focus``)
must show whole in the room below the pinned header, or where it is taller than that room,
its top just below the header; the header must be as tall as the step needs, not as tall as
the tallest step; the page shows one step counter; the key at the top names the roles'
colours; the chain-rule paths are drawn in a hue well apart from the parameters' blue.
"""

from __future__ import annotations

import colorsys
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, play
from autograd.draw.style import ROLES
from nn import MLP
from nn.losses import mse
from tests.browser import page

ROOT = "document.querySelector('[data-backprop-player]')"
SLACK = 1.0
"""px: rounding of the boxes the browser reports"""
NEAR = 12.0
"""px: how far below the header the top of a Value taller than the room may be"""

_GEOMETRY = """() => {
  const root = document.querySelector('[data-backprop-player]');
  const header = root.querySelector('.bp-header').getBoundingClientRect();
  const focused = root.querySelectorAll('.bp-graph g.node[data-focus]');
  const box = focused.length ? focused[0].getBoundingClientRect() : null;
  return {header: [header.top, header.bottom, header.height], count: focused.length,
          box: box && [box.top, box.bottom], title: focused.length ?
            focused[0].querySelector('title').textContent : null,
          view: window.innerHeight,
          graphTop: root.querySelector('.bp-graph').getBoundingClientRect().top + scrollY};
}"""


def tanh_neuron() -> Value:
    """The lecture's neuron, o = tanh(x1·w1 + x2·w2 + b), under a squared error."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    loss = (o - 1.0) ** 2
    loss.label = "L"
    return loss


def mlp() -> Value:
    """``MLP(3, [4, 4, 1])`` on one sample, under a squared error."""
    model = MLP(3, [4, 4, 1], rng=random.Random(0))
    return mse([model([2.0, 3.0, -1.0])], [1.0])


@contextmanager
def opened(root: Value, path: Path, height: int = 900, wrap: str = "") -> Iterator[Any]:
    """The player of ``root`` saved to ``path`` and open in a 1,000 × ``height`` window;
    ``wrap``, when given, is a page holding the fragment inside a scrolling box."""
    player = play(root)
    if wrap:
        path.write_text(wrap.replace("{player}", player._repr_html_()), encoding="utf-8")
    else:
        player.save(path)
    with page(1000, height) as p:
        errors: list[str] = []
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(path.as_uri())
        p.wait_for_selector("[data-backprop-player][data-ready='1']", timeout=60_000)
        yield p
        assert errors == []


def walk(p: Any) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Every step forward to the end, then every step back to the start: the direction,
    the step reached and the page's geometry right after it."""
    steps = p.evaluate(f"{ROOT}.player.state().steps")
    for method in ["stepForward"] * steps + ["stepBack"] * steps:
        step = p.evaluate(f"{ROOT}.player.{method}().step")
        yield method, step, p.evaluate(_GEOMETRY)


def focus_shown(g: dict[str, Any], view_top: float = 0.0, view_bottom: float | None = None
                ) -> bool:
    """Is the focused Value whole below the header and above the window's bottom, or,
    taller than that room, is its top just below the header?"""
    below = max(g["header"][1], view_top)
    bottom = g["view"] if view_bottom is None else min(view_bottom, g["view"])
    top, end = g["box"]
    if end - top > bottom - below:
        return below - SLACK <= top <= below + NEAR
    return top >= below - SLACK and end <= bottom + SLACK


@pytest.mark.parametrize("make", [tanh_neuron, mlp], ids=["tanh neuron", "MLP(3, [4, 4, 1])"])
def test_the_focused_value_shows_below_the_header_at_every_step(make: Callable[[], Value],
                                                                tmp_path: Path) -> None:
    with opened(make(), tmp_path / "p.html") as p:
        hidden, tops = [], set()
        for method, step, g in walk(p):
            if step == 0:
                assert g["count"] == 0  # before the first step nothing is in focus
                continue
            assert g["count"] == 1, (method, step)
            if not focus_shown(g):
                hidden.append((method, step, g["box"], g["header"]))
            tops.add(g["graphTop"])
        assert hidden == []
        # the header changes height, and the drawing below it stays where it is
        assert max(tops) - min(tops) < SLACK


def test_a_value_taller_than_the_room_shows_its_top_below_the_header(tmp_path: Path) -> None:
    # 560 px high: the backward steps of a neuron's sum (a table of 9 rows) leave less room
    # below the header than that node is tall
    with opened(mlp(), tmp_path / "p.html", height=560) as p:
        tall, hidden = 0, []
        for method, step, g in walk(p):
            if step == 0:
                continue
            top, end = g["box"]
            if end - top > g["view"] - g["header"][1]:
                tall += 1
            if not focus_shown(g):
                hidden.append((method, step, g["box"], g["header"]))
        assert tall > 0 and hidden == []


def test_in_a_scrolling_box_as_a_notebook_shows_it(tmp_path: Path) -> None:
    # JupyterLab scrolls the notebook in a box, not the window: the header sticks to the
    # box's top and the player scrolls the box
    wrap = ("<!doctype html><html><head><meta charset='utf-8'></head><body style='margin:0'>"
            "<div style='height:60px'>toolbar</div>"
            "<div id='scroller' style='height:780px;overflow:auto'>"
            "<div style='height:300px'>cells above</div>{player}"
            "<div style='height:600px'>cells below</div></div></body></html>")
    with opened(mlp(), tmp_path / "nb.html", wrap=wrap) as p:
        box = p.evaluate("(() => { const r = document.getElementById('scroller')"
                         ".getBoundingClientRect(); return [r.top, r.bottom]; })()")
        hidden = []
        for method, step, g in walk(p):
            if step and not focus_shown(g, box[0], box[1]):
                hidden.append((method, step, g["box"], g["header"]))
        assert hidden == []
        assert p.evaluate("window.scrollY") == 0  # the box scrolled, not the window


def test_the_header_is_as_tall_as_the_step_needs(tmp_path: Path) -> None:
    with opened(mlp(), tmp_path / "p.html") as p:
        steps = p.evaluate(f"{ROOT}.player.state().steps")
        heights, rows = {}, {}
        for _, step, g in walk(p):
            heights[step] = g["header"][2]
            rows[step] = p.locator(".bp-header table.bp-step tr").count()
        tallest = max(heights, key=lambda s: heights[s])
        # the tallest header is that of a backward step with the largest table
        assert tallest > steps // 2 and rows[tallest] == max(rows.values())
        # a forward step has no table: its header is far shorter than the tallest
        assert rows[1] == 0 and heights[1] < 0.5 * heights[tallest]
        # and a backward step with a short table is shorter too
        short = min((s for s in rows if rows[s] >= 2), key=lambda s: rows[s])
        assert rows[short] < rows[tallest] and heights[short] < heights[tallest] - 50
        # the same step gives the same header going forward and coming back
        p.evaluate(f"{ROOT}.player.reset()")
        for _ in range(tallest):
            p.evaluate(f"{ROOT}.player.stepForward()")
        again = p.evaluate(_GEOMETRY)["header"][2]
        assert abs(again - heights[tallest]) < SLACK


STEP_COUNTER = re.compile(r"\bstep\s+\d+\s*(?:of|/)\s*\d+", re.IGNORECASE)


def test_one_step_counter_and_the_roles_named_at_the_top(tmp_path: Path) -> None:
    with opened(mlp(), tmp_path / "p.html") as p:
        steps = p.evaluate(f"{ROOT}.player.state().steps")
        n_backward = steps // 2  # one backward step per forward step here
        seen = []
        for _, step, _g in walk(p):
            if step not in (1, n_backward, n_backward + 1, steps):
                continue
            shown = p.evaluate(f"{ROOT}.innerText")
            counters = STEP_COUNTER.findall(shown)
            assert len(counters) == 1, (step, counters)
            seen.append(p.text_content(".bp-counter"))
        assert seen[:4] == [f"forward step 1 of {n_backward}",
                            f"forward step {n_backward} of {n_backward}",
                            f"backward step 1 of {n_backward}",
                            f"backward step {n_backward} of {n_backward}"]
        # the key, in the header next to the controls, names each role with its colour
        key = p.evaluate("""() => [...document.querySelectorAll('.bp-header .bp-key .bp-role')]
          .map(e => [e.innerText, getComputedStyle(e.querySelector('.bp-swatch'))
          .backgroundColor])""")
        names = {text: colour for text, colour in key}
        for role in ("input", "parameter"):
            assert names[role] == rgb(ROLES[role]["fillcolor"]), role
        controls = p.locator(".bp-controls").bounding_box()
        first = p.locator(".bp-key .bp-role").first.bounding_box()
        assert first["y"] - (controls["y"] + controls["height"]) < 120


def rgb(colour: str) -> str:
    """``#d9ead3`` as the browser's computed style writes it."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def hue(colour: str) -> float:
    """The hue of ``#rrggbb`` or ``rgb(r, g, b)`` in degrees."""
    if colour.startswith("#"):
        parts = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    else:
        parts = [int(x) for x in re.findall(r"\d+", colour)[:3]]
    h, _, _ = colorsys.rgb_to_hls(*(x / 255 for x in parts))
    return h * 360


def test_hue_is_measured_in_degrees() -> None:
    assert round(hue("#ff0000")) == 0 and round(hue("#00ff00")) == 120
    # #3d85c6: blue is largest, so hue = 60·((r − g)/(max − min) + 4) = 60·(−72/137 + 4)
    assert round(hue("rgb(0, 0, 255)")) == 240 and round(hue(ROLES["parameter"]["color"])) == 208


def test_chain_rule_paths_are_not_another_blue(tmp_path: Path) -> None:
    with opened(tanh_neuron(), tmp_path / "p.html") as p:
        p.select_option("select.bp-choose", label="w1: ∂L/∂w1")
        strokes = set(p.eval_on_selector_all(
            ".bp-graph g.edge path", "ps => ps.map(q => q.getAttribute('stroke'))"))
        swatch = p.evaluate("""() => [...document.querySelectorAll('.bp-key .bp-key-item')]
          .filter(e => e.innerText.includes('chain-rule paths'))
          .map(e => getComputedStyle(e.querySelector('.bp-swatch')).borderTopColor)""")
    drawn = {s for s in strokes if s and s.lower() not in ("black", "#000000", "#666666")}
    assert len(drawn) == 1, strokes  # the paths' colour, on the edges from w1 to L
    assert len(swatch) == 1 and swatch[0] == rgb(drawn.pop()), swatch  # the key says it
    for colour in (ROLES["parameter"]["fillcolor"], ROLES["parameter"]["color"]):
        apart = abs(hue(swatch[0]) - hue(colour)) % 360
        assert min(apart, 360 - apart) >= 40, (swatch[0], colour)
