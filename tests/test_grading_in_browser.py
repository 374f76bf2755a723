"""The grader's table as a notebook shows it, in Chromium at a notebook cell's width: each
verdict and its reason read as text, hostile labels stay text, nothing overflows."""

from __future__ import annotations

from autograd import Value, dot
from autograd.teaching import grade
from tests.browser import CELL_WIDTH
from tests.test_claims_in_browser import HOSTILE, shown


def test_the_grading_table_reads_as_text_and_runs_no_label() -> None:
    w, x, b = Value(0.5, label=HOSTILE), Value(2.0, label="x1"), Value(0.25, label="b1")
    z = dot([w], [x], b)
    z.label = "z1"
    h = z.sigmoid()
    h.label = "h1"
    loss = (h - 1.0) ** 2
    loss.label = "L"
    # z1 = 0.5·2 + 0.25 = 1.25, forgotten bias: 1.0; h1 from it: σ(1.0) = 0.7311
    report = grade(loss, {"z1": 1.0, "h1": 0.7311})
    seen = shown(report._repr_html_())
    text = str(seen["text"])
    assert "z1: you left out b1" in text
    assert "correct given your earlier numbers" in text and "missing" in text
    assert f"dL/d{HOSTILE}" in text  # the label's gradient row, shown as typed
    assert seen["pwned"] is False and seen["images"] == 0
    assert seen["width"] <= CELL_WIDTH and float(str(seen["smallest"])) >= 12
