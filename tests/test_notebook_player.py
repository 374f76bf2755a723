"""The player of notebook 2 works where a learner reads the lesson: in the notebook as HTML.

Notebook 2 is executed from a fresh kernel in memory (the file is never changed), exported
with nbconvert's HTMLExporter, as "File > Save and Export Notebook As > HTML" does, written
to a file and opened from disk in Debian's Chromium with every network request refused.
The player in the cell's output is driven through its JavaScript API and its numbers are
compared with the Python engine on the same network (`nn.examples.student_forward`): after
``end()`` the gradients of ``L.backward()``, after ``setValue`` those of the network rebuilt
with that leaf changed, within 1e-12 relative.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import browser
import nbformat
import pytest
from nbconvert import HTMLExporter
from test_notebooks import execute

from nn.examples import student_forward, student_network

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "02_backprop_step_by_step.ipynb"
REL = 1e-12
READY = "[data-backprop-player][data-ready='1']"
# The page's network requests that may be refused: the lab template's scripts from a CDN.
# There are 2: require.js (for widgets) and MathJax (for the lesson's $$ formula). Without
# them the formula stays TeX source; the player needs neither.
TEMPLATE_CDN = ("cdnjs.cloudflare.com/ajax/libs/require.js/",
                "cdnjs.cloudflare.com/ajax/libs/mathjax/")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Notebook 2, run from a fresh kernel and exported to one HTML file."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    folder = tmp_path_factory.mktemp("exported")
    errors = execute(nb, folder)
    assert not errors, "\n\n".join(text for _, text in errors)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    path = folder / "02_backprop_step_by_step.html"
    path.write_text(body, encoding="utf-8")
    return path


class Opened:
    """The exported notebook open in Chromium; what it asked of the network and its errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.refused: list[str] = []
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda r: None if r.url.startswith("file:")
                else self.refused.append(r.url))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("console", lambda m: self.console_errors.append(m.text)
                if m.type == "error" else None)

    def call(self, method: str, *args: Any) -> Any:
        return self.page.evaluate(
            "([m, args]) => document.querySelector('[data-backprop-player]').player[m](...args)",
            [method, list(args)])

    def state(self) -> dict[str, Any]:
        found: dict[str, Any] = self.call("state")
        return found

    def assert_healthy(self) -> None:
        """No error from the page's scripts, none shown by the player, and nothing asked of
        the network but the template's CDN scripts; their refusals are the only console
        errors ("Failed to load resource")."""
        assert self.page_errors == []
        assert self.page.locator(".bp-error").first.is_hidden(), "the player shows an error"
        assert all(url.split("//", 1)[1].startswith(TEMPLATE_CDN) for url in self.refused), \
            self.refused
        assert all("Failed to load resource" in text for text in self.console_errors), \
            self.console_errors
        assert len(self.console_errors) <= len(self.refused)


@pytest.fixture
def opened(exported: Path):
    with browser.page() as page:
        found = Opened(page)
        page.goto(exported.as_uri())
        page.wait_for_selector(READY, timeout=60_000)
        yield found


def engine(**changes: float) -> tuple[dict[str, float], dict[str, float]]:
    """Values and gradients, by label, of the students network built by the Python engine
    (with the parameters named in ``changes`` set first) after ``L.backward()``."""
    model = student_network()
    for p in model.parameters():
        if p.label in changes:
            p.data = changes.pop(p.label)
    assert not changes, f"no such parameter: {changes}"
    net = student_forward(model=model)
    net["L"].backward()
    return ({v.label: v.data for v in net.values()}, {v.label: v.grad for v in net.values()})


def assert_close(shown: dict[str, float], expected: dict[str, float], what: str) -> None:
    assert sorted(shown) == sorted(expected), what
    wrong = {k: (shown[k], expected[k]) for k in expected
             if not math.isclose(shown[k], expected[k], rel_tol=REL, abs_tol=0.0)}
    assert not wrong, f"{what}: the page's number, the engine's: {wrong}"


def test_the_exported_lesson_holds_one_player(opened: Opened) -> None:
    assert opened.page.locator("[data-backprop-player]").count() == 1
    state = opened.state()
    assert (state["phase"], state["step"], state["steps"]) == ("forward", 0, 18)
    opened.assert_healthy()


def test_end_gives_the_gradients_of_backward(opened: Opened) -> None:
    opened.call("end")
    state = opened.state()
    assert (state["phase"], state["step"]) == ("backward", state["steps"])
    values, grads = engine()
    assert_close(state["values"], values, "values")
    assert_close(state["grads"], grads, "gradients")
    opened.assert_healthy()


def test_set_value_agrees_with_the_engine_rebuilt(opened: Opened) -> None:
    opened.call("end")
    assert opened.call("setValue", "w1", 0.9) is True
    state = opened.state()
    assert state["step"] == state["steps"], "the player keeps its step"
    values, grads = engine(w1=0.9)
    assert values["w1"] == 0.9 and values["z1"] > 0
    assert_close(state["values"], values, "values at w1 = 0.9")
    assert_close(state["grads"], grads, "gradients at w1 = 0.9")
    opened.assert_healthy()


def test_what_the_lesson_says_to_watch(opened: Opened) -> None:
    # Keys, once the player has the focus: End, ← and Home.
    opened.page.focus("[data-backprop-player]")
    opened.page.keyboard.press("End")
    assert opened.state()["step"] == 18
    opened.page.keyboard.press("ArrowLeft")
    state = opened.state()
    assert state["step"] == 17
    # w1's gradient arrives only at the last step; at 17, h1 has passed it on to z1 (ReLU' = 1)
    _, grads = engine()
    assert state["grads"]["w1"] == 0 and state["grads"]["z1"] == state["grads"]["h1"] != 0
    assert math.isclose(state["grads"]["z1"], grads["z1"], rel_tol=REL)
    opened.page.keyboard.press("Home")
    assert opened.state()["step"] == 0
    # z1 < 0 (w1 = -0.5): ReLU'(z1) = 0 and nothing flows to w1, w2, b1, nor to w5 (h1 = 0)
    opened.call("end")
    assert opened.call("setValue", "w1", -0.5) is True
    state = opened.state()
    assert state["values"]["z1"] < 0 and state["values"]["h1"] == 0
    assert [state["grads"][k] for k in ("w1", "w2", "b1", "w5")] == [0, 0, 0, 0]
    assert_close(state["grads"], engine(w1=-0.5)[1], "gradients at w1 = -0.5")
    opened.assert_healthy()


def test_a_whole_session_raises_no_error(opened: Opened) -> None:
    # Every step both ways, a live edit at every step, the chain-rule paths of w1 chosen.
    page = opened.page
    page.select_option("[data-backprop-player] select.bp-choose", label="w1: ∂L/∂w1")
    assert "∂L/∂w1" in page.locator("[data-backprop-player] .bp-path-text").inner_text()
    for k in range(18):
        opened.call("stepForward")
        assert opened.call("setValue", "x1", 2.0 + k / 10) is True
    for _ in range(18):
        opened.call("stepBack")
    assert opened.state()["step"] == 0
    opened.assert_healthy()
