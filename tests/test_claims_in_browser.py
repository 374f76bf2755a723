"""The checker's reports as a notebook shows them, in Chromium at a notebook cell's width:
the verdict and the diagnosis read as text, hostile labels stay text, nothing overflows."""

from __future__ import annotations

import pytest

from autograd import Value, check_formula, check_numbers
from nn.examples import simplenn_forward
from tests.browser import CELL_WIDTH, page

HOSTILE = "<img src=x onerror=window.pwned=1>"


def shown(fragment: str) -> dict[str, object]:
    with page() as p:
        p.set_content(f"<!doctype html><meta charset='utf-8'>"
                      f"<div id='cell' style='width: {CELL_WIDTH}px'>{fragment}</div>")
        return p.evaluate("""() => {
            const cell = document.getElementById('cell');
            const sizes = [...cell.querySelectorAll('*')].filter(e => e.children.length === 0)
                .map(e => parseFloat(getComputedStyle(e).fontSize));
            return {text: cell.innerText, width: cell.scrollWidth, pwned: !!window.pwned,
                    images: cell.querySelectorAll('img').length, smallest: Math.min(...sizes)};
        }""")


def test_a_failing_report_reads_as_text_with_its_diagnosis() -> None:
    w, x = Value(0.5, label=HOSTILE), Value(2.0, label="x")
    z = w * x
    z.label = "z"
    h = z.relu()
    h.label = "h"
    report = check_formula(h, w, "x")  # ReLU' forgotten
    seen = shown(report._repr_html_())
    text = str(seen["text"])
    assert "does NOT hold" in text and "missing ∂h/∂z = ReLU'(z)" in text
    assert HOSTILE in text  # the label shows as typed
    assert seen["pwned"] is False and seen["images"] == 0
    assert seen["width"] <= CELL_WIDTH and float(str(seen["smallest"])) >= 12


@pytest.mark.parametrize("tolerance", [None, 0.002])
def test_a_table_of_numbers_lists_each_wrong_number_next_to_the_right_one(tolerance) -> None:
    L = simplenn_forward()["L"]
    report = check_numbers(L, [("z2", 3.18), ("ŷ", 0.96), ("z1[1]", 1.3)], tolerance=tolerance)
    seen = shown(report._repr_html_())
    rows = [line.split("\t") for line in str(seen["text"]).splitlines() if "\t" in line]
    by_name = {row[0]: row for row in rows}
    assert by_name["z2"][1:3] == ["3.18", "2.73"] and "WRONG" in by_name["z2"][3]
    assert by_name["z1[1]"][3] == "ok"
    assert seen["width"] <= CELL_WIDTH
