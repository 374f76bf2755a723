"""Drawings laid out by the page itself where ``dot`` is missing: the vendored Viz.js
(Graphviz compiled to WebAssembly) run in Chromium with every network request refused."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from xml.etree import ElementTree

import browser
import pytest

from autograd import Value, draw
from autograd.draw import in_browser
from autograd.draw.in_browser import browser_drawing_html, viz_version
from nn.examples import student_forward

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "autograd" / "draw" / "vendor"
SVG = "{http://www.w3.org/2000/svg}"

PAGE = ('<!doctype html><html><head><meta charset="utf-8">{head}</head>'
        '<body style="margin:0"><div class="cell" style="width:1000px">{body}</div></body></html>')

# What the page drew: per fragment, its state, its nodes' titles, its texts and its width.
SEEN = """() => [...document.querySelectorAll(".backprop-lab-drawing")].map(d => {
  const svg = d.querySelector("svg");
  return {
    drawn: d.getAttribute("data-drawn"),
    text: d.textContent,
    titles: svg ? [...svg.querySelectorAll("g.node > title")].map(t => t.textContent) : [],
    texts: svg ? [...svg.querySelectorAll("text")].map(t => t.textContent) : [],
    width: svg ? svg.getBoundingClientRect().width : 0,
  };
})"""


class Shown:
    """Pages of one Chromium, each new (no Viz from an earlier test), counting the requests
    they attempt and the errors they log."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []

    def _request(self, request) -> None:
        if not request.url.startswith(("data:", "about:")):
            self.requests.append(request.url)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def show(self, *fragments: str, head: str = "") -> list[dict]:
        """Put the fragments in a new page and wait until each has drawn or failed."""
        old, self.page = self.page, self.page.context.new_page()
        old.close()
        self.requests.clear()
        self.errors.clear()
        self.page.on("request", self._request)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.set_content(PAGE.format(head=head, body="".join(fragments)))
        self.page.wait_for_function(
            f'document.querySelectorAll("[data-drawn]").length == {len(fragments)}',
            timeout=30_000)
        return self.page.evaluate(SEEN)


@pytest.fixture(scope="module")
def shown():
    assert browser.available(), f"the browser tests need Debian's chromium at {browser.CHROMIUM}"
    with browser.page() as page:
        yield Shown(page)


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH with no Graphviz on it (graphviz looks ``dot`` up at each call)."""
    monkeypatch.setenv("PATH", str(tmp_path))


def test_vendored_file_is_pinned_hashed_and_licensed():
    pinned = re.search(r"^VIZ_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M)
    assert pinned, "the Makefile pins VIZ_VERSION"
    name, sha = (VENDOR / "VERSION").read_text().splitlines()
    assert name == f"@viz-js/viz {pinned.group(1)}" and viz_version() == pinned.group(1)
    script = (VENDOR / "viz-standalone.js").read_bytes()
    assert sha == f"sha256 {hashlib.sha256(script).hexdigest()}"
    licence = (VENDOR / "LICENSE").read_text()
    assert "Viz.js" in licence and "MIT License" in licence
    assert "Graphviz" in licence and "Eclipse Public License" in licence


def test_missing_vendored_file_says_how_to_get_it():
    with pytest.raises(FileNotFoundError, match="make vendor"):
        in_browser._vendored("no-such-file.js")


def test_student_network_laid_out_in_browser_without_dot(shown, monkeypatch, tmp_path):
    loss = student_forward()["L"]
    loss.backward()
    assert list(draw(loss)._repr_mimebundle_()) == ["image/svg+xml"]  # with dot: its SVG
    reference = ElementTree.fromstring(draw(loss).pipe(format="svg"))
    titles = [g.findtext(f"{SVG}title") for g in reference.iter(f"{SVG}g")
              if g.get("class") == "node"]
    texts = {"".join(t.itertext()) for t in reference.iter(f"{SVG}text")}

    monkeypatch.setenv("PATH", str(tmp_path))
    bundle = draw(loss)._repr_mimebundle_()
    assert list(bundle) == ["text/html"]

    (seen,) = shown.show(bundle["text/html"])
    assert seen["drawn"] == "1"
    assert seen["titles"] == titles and len(titles) > 20
    assert texts <= set(seen["texts"])
    assert 0 < seen["width"] <= browser.CELL_WIDTH + 0.5  # scaled to fit the cell
    assert shown.requests == [] and shown.errors == []


def test_hostile_labels_stay_text(shown, no_dot):
    script = "</script><script>window.pwned=1</script>"
    image = '<img src=x onerror="window.pwned=2">'
    product = Value(2.0, label=script) * Value(3.0, label=image)
    product.backward()
    (seen,) = shown.show(draw(product)._repr_mimebundle_()["text/html"])
    assert seen["drawn"] == "1"
    assert shown.page.evaluate("typeof window.pwned") == "undefined"
    assert shown.page.evaluate('document.querySelectorAll("img, body script:not([type])")'
                               ".length") == 0
    assert script in seen["texts"] and image in seen["texts"]
    assert shown.requests == [] and shown.errors == []


def test_dot_text_cannot_break_out_of_its_script(shown):
    # Plain DOT text (not escaped as our drawings' labels are) reaches the page as JSON.
    label = "</script><script>window.pwned=4</script><!--\u2028"
    (seen,) = shown.show(browser_drawing_html(f'digraph {{ a [label="{label}"] }}'))
    assert seen["drawn"] == "1" and label in seen["texts"]
    assert shown.page.evaluate("typeof window.pwned") == "undefined"


def test_two_drawings_in_one_page_both_drawn(shown, no_dot):
    first, second = Value(1.0, label="first").exp(), Value(2.0, label="second").tanh()
    seen = shown.show(*(draw(v)._repr_mimebundle_()["text/html"] for v in (first, second)))
    assert [s["drawn"] for s in seen] == ["1", "1"]
    assert "first" in seen[0]["texts"] and "second" in seen[1]["texts"]
    assert shown.requests == [] and shown.errors == []


def test_a_page_with_viz_already_reuses_it(shown):
    stub = """<script>window.Viz = {instance: () => Promise.resolve({renderSVGElement: (src) => {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("data-source", src);
      return svg;
    }})};</script>"""
    (seen,) = shown.show(browser_drawing_html("digraph { a }"), head=stub)
    assert seen["drawn"] == "1"
    assert shown.page.evaluate('document.querySelector("svg").dataset.source') == "digraph { a }"


def test_script_tag_keeps_its_text_whole(shown):
    text = "</script><!--<script>"
    fragment = in_browser.script_tag(f"window.seen = {text!r};")
    shown.page.set_content(PAGE.format(head="", body=fragment))
    assert shown.page.evaluate("window.seen") == text


def test_drawn_in_a_page_with_a_module_loader(shown):
    # The classic notebook loads RequireJS: Viz.js must still define the global Viz.
    amd = "<script>window.define = () => { window.amdUsed = true; }; define.amd = {};</script>"
    (seen,) = shown.show(browser_drawing_html("digraph { a -> b }"), head=amd)
    assert seen["drawn"] == "1" and seen["titles"] == ["a", "b"]
    assert shown.page.evaluate("window.amdUsed") is None


def test_layout_error_shown_as_text(shown):
    bad = 'digraph { "<img src=x onerror=window.pwned=3>" -> }'
    (seen,) = shown.show(browser_drawing_html(bad))
    assert seen["drawn"] == "error"
    assert "could not lay out this graph" in seen["text"]
    assert shown.page.evaluate("typeof window.pwned") == "undefined"
    assert shown.requests == []
