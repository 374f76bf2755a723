"""The default drawings of the articles' networks, shown in Chromium in a notebook cell
1,000 px wide: every text at least 8 CSS px, no two texts overlapping."""

from __future__ import annotations

import browser
import pytest

from autograd import draw
from nn.examples import (
    five_input_forward,
    simplenn_forward,
    squared_error_forward,
    student_forward,
)

NETWORKS = {
    "student": lambda: student_forward()["L"],
    "simplenn": lambda: simplenn_forward()["L"],
    "squared-error": lambda: squared_error_forward()["E"],
    "five-input": lambda: five_input_forward()["L"],
}


@pytest.fixture(scope="module")
def page():
    assert browser.available(), f"the browser tests need Debian's chromium at {browser.CHROMIUM}"
    with browser.page() as p:
        yield p


@pytest.mark.parametrize("view", ["ops", "neurons"])
@pytest.mark.parametrize("name", list(NETWORKS))
def test_default_drawing_reads_at_notebook_width(page, name, view):
    loss = NETWORKS[name]()
    loss.backward()
    svg = draw(loss, view=view).pipe(format="svg")
    seen = browser.measure_svg(page, svg)
    assert seen.width <= browser.CELL_WIDTH + 0.5
    assert len(seen.texts) > 20
    smallest = seen.smallest
    assert smallest.size >= browser.MIN_FONT_PX, (
        f"{name}: {smallest.text!r} is {smallest.size:.2f} px in a {browser.CELL_WIDTH}-px cell "
        f"(drawing {seen.natural_width:.0f} px wide)")
    assert seen.overlaps() == []


def test_the_measure_sees_what_a_person_sees(page):
    """The measurement itself: a drawing far too wide shrinks below 8 px, and two texts put
    on the same spot overlap."""
    loss = five_input_forward()["L"]
    wide = draw(loss, rankdir="TB", legend=False).pipe(format="svg")
    assert browser.measure_svg(page, wide).smallest.size < browser.MIN_FONT_PX
    crowded = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
               '<text x="10" y="30" font-size="14">first</text>'
               '<text x="14" y="32" font-size="14">second</text></svg>')
    seen = browser.measure_svg(page, crowded)
    assert seen.overlaps() == [("first", "second")]
    assert seen.smallest.size == pytest.approx(14)
