"""Pages shown in Debian's Chromium, measured as a person would see them.

Playwright for Python drives ``/usr/bin/chromium`` (never a downloaded browser) with every
network request refused, in a page 1,000 CSS px wide: the width of a notebook cell, where an
SVG is shown with ``max-width: 100%`` and so shrunk to fit. `measure_svg` reports each
text's effective font size (its font size times the scale the page applies) and which texts
overlap; `screenshot_svg` writes the PNG a person would see.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("BACKPROP_LAB_CHROMIUM", "/usr/bin/chromium")
CELL_WIDTH = 1000
"""CSS px: the width of a notebook cell's output area."""
MIN_FONT_PX = 8.0
"""The smallest effective font size a learner can read."""

_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# A notebook output area: JupyterLab, VS Code and exported notebooks all shrink a wide SVG.
_CELL_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; }}
.cell {{ width: {width}px; }}
.cell svg {{ max-width: 100%; height: auto; display: block; }}
</style></head><body><div class="cell">{svg}</div></body></html>"""

_MEASURE = """(svg) => {
  const out = [];
  for (const t of svg.querySelectorAll('text')) {
    const text = t.textContent.trim();
    if (!text) continue;
    const m = t.getScreenCTM();
    const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    const r = t.getBoundingClientRect();
    // Vertically, the ink of a line: from its cap height to its descenders, around the
    // baseline (the font's line box is taller and touches the next line's box).
    const x = t.x.baseVal.length ? t.x.baseVal[0].value : 0;
    const y = t.y.baseVal.length ? t.y.baseVal[0].value : 0;
    const baseline = m.b * x + m.d * y + m.f;
    out.push({text, size, box: [r.left, baseline - 0.75 * size, r.right, baseline + 0.22 * size]});
  }
  const r = svg.getBoundingClientRect();
  return {texts: out, width: r.width, height: r.height};
}"""


@dataclass(frozen=True)
class Text:
    text: str
    size: float
    """effective font size in CSS px"""
    box: tuple[float, float, float, float]
    """left, top, right, bottom in CSS px: horizontally the text's box, vertically its
    ink (cap height above the baseline to descenders below)"""


@dataclass(frozen=True)
class Measurement:
    texts: list[Text]
    width: float
    """the drawing's shown width in CSS px"""
    height: float
    natural_width: float
    """the drawing's own width in CSS px, before any shrinking"""

    @property
    def smallest(self) -> Text:
        return min(self.texts, key=lambda t: t.size)

    def overlaps(self, tolerance: float = 1.0) -> list[tuple[str, str]]:
        """Pairs of texts whose boxes overlap by more than ``tolerance`` px both ways."""
        found = []
        texts = sorted(self.texts, key=lambda t: t.box[0])
        for i, a in enumerate(texts):
            for b in texts[i + 1:]:
                if b.box[0] > a.box[2] - tolerance:
                    break
                dx = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
                dy = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
                if dx > tolerance and dy > tolerance:
                    found.append((a.text, b.text))
        return found


def available() -> bool:
    return Path(CHROMIUM).exists()


def _refuse_network(route: Any) -> None:
    # A saved page opened from disk (file:) loads; anything over a network is refused.
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


@contextmanager
def page(width: int = CELL_WIDTH, height: int = 800) -> Iterator[Any]:
    """A Chromium page ``width`` CSS px wide whose every network request is refused (files
    from disk still open)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route("**/*", _refuse_network)
            yield context.new_page()
        finally:
            browser.close()


def cell_html(svg: str | bytes, width: int = CELL_WIDTH) -> str:
    """A page holding ``svg`` inline in a notebook-like output area ``width`` px wide."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    start = text.find("<svg")
    if start < 0:
        raise ValueError("not an SVG: " + html.escape(text[:80]))
    return _CELL_PAGE.format(width=width, svg=text[start:])


def measure_svg(browser_page: Any, svg: str | bytes, width: int = CELL_WIDTH) -> Measurement:
    """Show ``svg`` in a notebook cell ``width`` px wide and measure its texts."""
    browser_page.set_content(cell_html(svg, width))
    element = browser_page.locator(".cell svg").first
    found = element.evaluate(_MEASURE)
    natural = element.evaluate(
        "(svg) => { const c = svg.cloneNode(true); c.style.maxWidth = 'none';"
        " document.body.appendChild(c); const w = c.getBoundingClientRect().width;"
        " c.remove(); return w; }")
    texts = [Text(t["text"], t["size"], tuple(t["box"])) for t in found["texts"]]
    return Measurement(texts, found["width"], found["height"], natural)


def screenshot_svg(browser_page: Any, svg: str | bytes, path: str | Path,
                   width: int = CELL_WIDTH) -> Path:
    """Write a PNG of ``svg`` as shown in a notebook cell ``width`` px wide."""
    browser_page.set_content(cell_html(svg, width))
    browser_page.locator(".cell").screenshot(path=str(path))
    return Path(path)


def measure_shown_svg(svg_element: Any) -> Measurement:
    """Measure the texts of an SVG as the page already shows it (a Playwright locator or
    element handle): inside whatever scales it, such as a slide shrunk to the window."""
    found = svg_element.evaluate(_MEASURE)
    natural = svg_element.evaluate("(svg) => svg.width.baseVal.value")
    texts = [Text(t["text"], t["size"], tuple(t["box"])) for t in found["texts"]]
    return Measurement(texts, found["width"], found["height"], natural)


_CLIPPED = """(elements) => elements.map(e => ({text: e.textContent.trim(),
  width: [e.scrollWidth, e.clientWidth], height: [e.scrollHeight, e.clientHeight]}))
  .filter(e => e.width[0] > e.width[1] || e.height[0] > e.height[1] + 1)"""


def clipped(browser_page: Any, selector: str) -> list[dict[str, Any]]:
    """The elements matching ``selector`` whose content overflows their box (wider than it,
    or more than 1 px taller): what ``overflow: hidden`` would cut off."""
    found: list[dict[str, Any]] = browser_page.locator(selector).evaluate_all(_CLIPPED)
    return found
