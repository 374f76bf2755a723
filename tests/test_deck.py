"""Teaching material: the backward pass as slides (HTML, shown and printed by Chromium) and
the graph as TikZ.

The student network of the first article, *What is Neural Network?*, is the example. Its
exercise (seed 7) makes the default deck: a title slide, one slide per gradient of the
exercise sheet, in the sheet's order, and a slide of those gradients; every number is
checked against the network worked by hand with plain floats. Its first student's loss
makes a deck of ``steps="ops"``: one slide per op of the backward pass, its gradients
checked against central differences. The pages are opened in Debian's Chromium at a
notebook's 1,000-px width with every network request refused, and printed to PDF by the
same Chromium, whose text pypdf reads back.
"""

from __future__ import annotations

import hashlib
import html
import math
import os
import re
import sys
from pathlib import Path

import browser
import pypdf
import pytest
from conftest import central_difference

from autograd import Value, backward_steps
from autograd.draw import DotMissingError
from autograd.draw.ops_view import plan_ops
from autograd.draw.style import HIGHLIGHT, STEP
from autograd.graph import topological_order
from autograd.notation import latex_name, latex_names_map, latex_number, latex_product, number
from autograd.teaching.deck import KNOWN, SLIDE_HEIGHT, SLIDE_WIDTH, deck, katex_version
from autograd.teaching.pdf import PdfFailed, PdfUnavailable, find_chromium, print_pdf
from autograd.teaching.tikz import INSTALL, tikz
from autograd.teaching.worksheet import worksheet
from nn.examples import student_forward
from nn.exercises import exercise

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "autograd" / "teaching" / "vendor"
HOSTILE = ["<img src=x onerror=window.__pwned=1>", r"\input{x}", "$"]
STUDENT_PARAMETERS = ["w1", "w2", "b1", "w3", "w4", "b2", "w5", "w6", "b3"]


# ---- an independent oracle: the student network with plain floats -------------------------


def student_loss(p: list[float], x1: float = 2.0, x2: float = 5.0) -> float:
    """L = -log(1 - ŷ) for the first student (y = 0), parameters in STUDENT_PARAMETERS order."""
    w1, w2, b1, w3, w4, b2, w5, w6, b3 = p
    h1 = max(0.0, w1 * x1 + w2 * x2 + b1)
    h2 = max(0.0, w3 * x1 + w4 * x2 + b2)
    y_hat = 1 / (1 + math.exp(-(w5 * h1 + w6 * h2 + b3)))
    return -math.log(1 - y_hat)


def by_hand(given: dict[str, float]) -> dict[str, tuple[float | None, float]]:
    """The exercise's backward pass with plain floats: each answer's (upstream, local),
    its gradient their product (the loss's own input has no upstream)."""
    g = given
    z1 = g["w1"] * g["x1"] + g["w2"] * g["x2"] + g["b1"]
    z2 = g["w3"] * g["x1"] + g["w4"] * g["x2"] + g["b2"]
    h1, h2 = max(0.0, z1), max(0.0, z2)
    y_hat = 1 / (1 + math.exp(-(g["w5"] * h1 + g["w6"] * h2 + g["b3"])))
    y = g["y"]
    d_y_hat = -y / y_hat + (1 - y) / (1 - y_hat)
    d_z3 = d_y_hat * y_hat * (1 - y_hat)
    assert d_z3 == pytest.approx(y_hat - y)  # the articles' ŷ − y
    d_h1, d_h2 = d_z3 * g["w5"], d_z3 * g["w6"]
    step1, step2 = float(z1 > 0), float(z2 > 0)
    d_z1, d_z2 = d_h1 * step1, d_h2 * step2
    return {
        "dL/dŷ": (None, d_y_hat), "dL/dz3": (d_y_hat, y_hat * (1 - y_hat)),
        "dL/dw5": (d_z3, h1), "dL/dh1": (d_z3, g["w5"]), "dL/dw6": (d_z3, h2),
        "dL/dh2": (d_z3, g["w6"]), "dL/db3": (d_z3, 1.0),
        "dL/dz1": (d_h1, step1), "dL/dz2": (d_h2, step2),
        "dL/dw1": (d_z1, g["x1"]), "dL/dw2": (d_z1, g["x2"]), "dL/db1": (d_z1, 1.0),
        "dL/dw3": (d_z2, g["x1"]), "dL/dw4": (d_z2, g["x2"]), "dL/db2": (d_z2, 1.0),
    }


def gradient_by_hand(upstream: float | None, local: float) -> float:
    return local if upstream is None else upstream * local


def slides_of(html: str) -> list[str]:
    """The page's slides, each as its HTML."""
    return html.split('<section class="frame"')[1:]


@pytest.fixture(scope="module")
def student():
    net = student_forward()
    loss = net["L"]
    return net, loss, deck(loss, title="The student network", steps="ops")


DECK_TITLE = "Backprop, student network, seed 7: the backward pass"


@pytest.fixture(scope="module")
def lesson():
    """The student exercise (seed 7), its worksheet and its deck (named steps, the default)."""
    ex = exercise("student", 7)
    sheet = worksheet(ex.root)
    return ex, sheet, deck(ex.root, title=DECK_TITLE)


def heading(slide: str) -> str:
    found = re.search(r"<h2>(.*?)</h2>", slide)
    assert found, slide[:200]
    return html.unescape(found.group(1))


# ---- the deck as HTML: one slide per gradient of the exercise sheet -----------------------


def test_one_slide_per_gradient_of_the_sheet_in_its_order(lesson):
    _, sheet, slides = lesson
    rows = sheet.backward
    assert len(rows) == 15 and len(slides) == 1 + 15 + 1 == len(slides_of(slides.html))
    pages = slides_of(slides.html)
    assert re.findall(r'data-answer="([^"]*)"', slides.html) == [row.answer for row in rows]
    for k, row in enumerate(rows, 1):
        title = heading(pages[k])
        assert title.startswith(f"<span><b>Step {k} of 15:</b>"), title
        assert rf"\partial L/\partial {latex_name(row.node.label)}</span>" in title, title
    assert [row.answer for row in rows][:3] == ["dL/dŷ", "dL/dz3", "dL/dw5"]


def test_each_step_shows_its_chain_rule_with_the_numbers_by_hand(lesson):
    ex, sheet, slides = lesson
    expected = by_hand(ex.given)
    pages = [html.unescape(page) for page in slides_of(slides.html)]
    for k, row in enumerate(sheet.backward, 1):
        upstream, local = expected[row.answer]
        gradient = gradient_by_hand(upstream, local)
        assert row.value == pytest.approx(gradient, rel=1e-9), row.answer
        page = pages[k]
        if upstream is None:  # the loss's own input: its local derivative, with its formula
            assert r"\frac{1}{1 - \hat{y}} = " + latex_number(gradient) in page
        else:
            product = latex_product([latex_number(upstream), latex_number(local)])
            assert f"{product} = {latex_number(gradient)}" in page, (row.answer, product)
            child = latex_name(row.terms[0].child.label)
            name = latex_name(row.node.label)
            # the local derivative, with its formula
            assert rf"\frac{{\partial {child}}}{{\partial {name}}} &= " in page
    # ∂L/∂w1 = ∂L/∂z1 · ∂z1/∂w1 = 0.1207 · 4.5 = 0.5433, and ∂z1/∂w1 = x1 = 4.5
    w1 = pages[10]
    assert r"= 0.1207 \cdot 4.5 = 0.5433" in w1 and r"&= x_{1} = 4.5" in w1


def test_each_step_lists_the_gradients_found_so_far(lesson):
    # the last KNOWN of them, after a line counting those left out: a slide's list does not
    # grow with the deck (the student exercise has more steps than KNOWN)
    _, sheet, slides = lesson
    pages = slides_of(slides.html)
    rows = sheet.backward
    assert len(rows) > KNOWN
    for k in range(1, len(rows) + 1):
        known = re.search(r'<div class="known">(.*?)</div>', pages[k], re.S)
        assert known, k
        listed = re.findall(r"\\partial L/\\partial (.+?) = ([^<]+)</span>", known.group(1))
        shown = rows[max(0, k - KNOWN):k]
        assert listed == [(latex_name(r.node.label), latex_number(r.value)) for r in shown]
        assert known.group(1).count("class=now") == 1
        earlier = re.findall(r'<li class="earlier">… and (\d+) earlier</li>', known.group(1))
        assert earlier == ([str(k - KNOWN)] if k > KNOWN else [])
        assert known.group(1).count("<li") <= KNOWN + 1


def test_the_found_so_far_lists_grow_no_longer_than_known():
    # a long chain: without the cap each slide would list every gradient before it
    v = Value(0.5, label="v0")
    for k in range(1, 41):
        v = v * 1.01
        v.label = f"v{k}"
    pages = slides_of(deck(v, title="chain").html)
    lists = [re.search(r'<div class="known">(.*?)</div>', page, re.S) for page in pages]
    counts = [found.group(1).count("<li") for found in lists if found]
    assert len(counts) == 40 and max(counts) == KNOWN + 1


def test_each_drawing_marks_the_row_and_the_values_it_gets_gradient_from(lesson):
    ex, sheet, slides = lesson
    ids = {v: f"v{i}" for i, v in enumerate(topological_order(ex.root))}
    pages = slides_of(slides.html)
    shape = r'<g id="[^"]*" class="{}">\s*<title>([^<]*)</title>\s*<path ([^>]*)>'
    for k, row in enumerate(sheet.backward, 1):
        nodes = re.findall(shape.format("node"), pages[k])
        edges = re.findall(shape.format("edge"), pages[k])
        assert [n for n, attrs in nodes if f'fill="{STEP}"' in attrs] == [ids[row.node]]
        red = {html.unescape(e).split(":")[0] for e, attrs in edges
               if f'stroke="{HIGHLIGHT}"' in attrs}
        assert red == {f"{ids[row.node]}->{ids[t.child]}" for t in row.terms}, row.answer
        assert "grad " not in pages[k]  # gradients found so far are listed beside


def test_no_slide_gives_the_target_a_gradient(lesson):
    _, sheet, slides = lesson
    for page in slides_of(html.unescape(slides.html)):
        assert "∂L/∂y" not in page and "dL/dy" not in page
        assert re.search(r"\\partial\s*y\b", page) is None
    # the last slide: exactly the worksheet's answers, no inputs or targets
    last = slides_of(slides.html)[-1]
    listed = re.findall(r"\\frac\{\\partial L\}\{\\partial (.+?)\} = ", last)
    assert sorted(listed) == sorted(latex_name(r.node.label) for r in sheet.backward)
    assert "inputs" not in last


def test_the_title_slide_shows_the_title_and_no_key(lesson):
    _, _, slides = lesson
    first = slides_of(slides.html)[0]
    assert f"<h1>{DECK_TITLE}</h1>" in first and "key" not in first
    assert f"{DECK_TITLE} · 2 / 17" in slides_of(slides.html)[1]


def test_steps_are_named_or_ops():
    w = Value(0.5, label="w")
    loss = (w * 3.0 - 1.0) ** 2
    with pytest.raises(ValueError, match="labelled root"):
        deck(loss)
    loss.label = "L"
    with pytest.raises(ValueError, match="'named' or 'ops'"):
        deck(loss, steps="paths")
    assert len(deck(loss)) == 3 and len(deck(loss, steps="ops")) == 5


# ---- the deck as HTML: one slide per op ---------------------------------------------------


def test_one_slide_per_backward_step_between_a_title_and_the_gradients(student):
    _, loss, slides = student
    steps = list(backward_steps(loss))
    assert len(steps) == 9
    assert len(slides) == 1 + len(steps) + 1 == len(slides_of(slides.html))
    assert 'class="slide title-slide"' in slides_of(slides.html)[0]
    assert 'class="slide gradients-slide"' in slides_of(slides.html)[-1]


def test_the_gradients_shown_are_the_true_ones(student):
    net, loss, slides = student
    point = [net[name].data for name in STUDENT_PARAMETERS]
    pages = slides_of(slides.html)
    for i, name in enumerate(STUDENT_PARAMETERS):
        expected = central_difference(student_loss, point, i)
        assert net[name].grad == pytest.approx(expected, rel=1e-6, abs=1e-9), name
        shown = number(net[name].grad)
        assert shown == number(expected)
        # on the last slide, as ∂L/∂name = shown
        assert f"\\frac{{\\partial L}}{{\\partial {latex_name(name)}}} = {shown}" in pages[-1]
    assert number(net["w1"].grad) == "0.4431"


def test_each_step_slide_shows_its_own_arithmetic(student):
    _, loss, slides = student
    pages = slides_of(slides.html)
    for step in backward_steps(loss):
        page = html.unescape(pages[step.number])  # Graphviz writes "-" as &#45;
        assert f"Step {step.number} of 9" in page
        assert f"grad {number(step.grad)}" in page  # in the drawing, on the step's node
        for sent in step.parents:
            if sent.parent.label or sent.parent.parents:  # not a constant
                assert latex_number(sent.contribution) in page
        assert '<svg width="' in page and 'class="math display"' in page
    # the step that reaches w1: ∂L/∂z1 · ∂z1/∂w1 = 0.2215 · 2 = 0.4431
    assert r"= 0.2215 \cdot 2 = 0.4431" in pages[9]


def test_every_user_text_is_escaped_in_the_html():
    x = Value(2.0, label=HOSTILE[0])
    w = Value(0.5, label=HOSTILE[1])
    b = Value(0.1, label=HOSTILE[2])
    y = (w * x + b).tanh()
    y.label = "ŷ"
    page = deck(y, title="<script>window.__pwned=2</script>").html
    page = re.sub(r"<script>.*?</script>", "", page, flags=re.S)  # KaTeX's own code
    assert "<img" not in page and "<script>window.__pwned" not in page
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in page
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt;" in page


def test_a_deck_saves_and_shows_in_a_frame_of_its_own(tmp_path):
    x = Value(3.0, label="x")
    slides = deck(x.exp(), steps="ops")
    path = slides.save(tmp_path / "slides.html")
    assert path.read_text(encoding="utf-8") == slides.html
    frame = slides._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "<script" not in frame
    assert len(slides) == 3 and repr(slides) == "<Deck of 3 slides>"


def test_a_deck_without_dot_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    w = Value(3.0, label="w")
    loss = w.exp()
    loss.label = "L"
    for steps in ("named", "ops"):
        with pytest.raises(DotMissingError, match="apt-get install graphviz"):
            deck(loss, steps=steps)


def test_katex_is_vendored_whole_with_its_licence_and_version():
    script = (VENDOR / "katex.js").read_bytes()
    version, digest = (VENDOR / "VERSION").read_text().splitlines()
    assert version == f"katex {katex_version()}" and katex_version().startswith("0.16.")
    assert digest == "sha256 " + hashlib.sha256(script).hexdigest()
    licence = (VENDOR / "LICENSE").read_text()
    assert "The MIT License" in licence and "Khan Academy" in licence
    text = script.decode("utf-8")
    # every font inlined, nothing to fetch
    assert re.findall(r"url\((?!data:)", text) == []
    assert text.count("url(data:font/woff2;base64,") >= 19
    assert "KaTeX_Main" in text and "KaTeX_Math" in text


# ---- the deck in Chromium -----------------------------------------------------------------

# For each slide: its box; its drawing's box; the equations' box (step slides).
BOXES = """() => [...document.querySelectorAll(".slide")].map(slide => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
                     return [r.left, r.top, r.right, r.bottom]; };
  return {slide: box(slide), svg: box(slide.querySelector("svg")),
          equations: box(slide.querySelector(".equations")),
          layout: slide.getAttribute("data-layout")};
})"""

FONTS = """() => ({
  main: document.fonts.check("20px KaTeX_Main"),
  math: document.fonts.check("20px KaTeX_Math"),
  loaded: [...document.fonts].filter(f => f.status === "loaded").map(f => f.family),
  italic: getComputedStyle(document.querySelector(".katex .mathnormal")).fontFamily,
  upright: getComputedStyle(document.querySelector(".katex .mord:not(.mathnormal)"))
    .fontFamily,
})"""


class Opened:
    """A saved deck open in Chromium, with the requests it attempted and its errors."""

    def __init__(self, page, path: Path):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url)
                if not r.url.startswith(("file:", "data:", "about:")) else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: (self.errors.append("dialog: " + d.message), d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_function("document.documentElement.dataset.deck", timeout=30_000)


@pytest.fixture(scope="module")
def chromium():
    """A Chromium page 1,000 px wide, network refused; each test opens its own page beside."""
    assert browser.available(), f"the browser tests need Debian's chromium at {browser.CHROMIUM}"
    with browser.page() as page:
        yield page


@pytest.fixture(scope="module")
def shown(student, chromium, tmp_path_factory):
    path = student[2].save(tmp_path_factory.mktemp("deck") / "student.html")
    return Opened(chromium.context.new_page(), path)


def test_the_math_is_typeset_by_katex_with_its_own_fonts_offline(shown):
    page = shown.page
    assert page.evaluate("document.documentElement.dataset.deck") == "ready"
    assert page.locator(".katex").count() >= 9 + 30
    assert page.locator(".katex-error").count() == 0
    assert page.locator(".math:not(:has(.katex))").count() == 0
    fonts = shown.page.evaluate(FONTS)
    assert fonts["main"] and fonts["math"]
    assert {"KaTeX_Main", "KaTeX_Math"} <= set(fonts["loaded"])
    assert fonts["italic"].startswith("KaTeX_Math") and fonts["upright"].startswith("KaTeX_Main")
    assert shown.requests == [] and shown.errors == []


def test_every_slide_is_16_9_and_holds_its_drawing_and_equations(shown):
    boxes = shown.page.evaluate(BOXES)
    assert len(boxes) == 11
    for k, found in enumerate(boxes, 1):
        left, top, right, bottom = found["slide"]
        scale = (right - left) / SLIDE_WIDTH
        assert 0.7 < scale <= 1  # shrunk to the 1,000-px page
        assert (bottom - top) == pytest.approx(SLIDE_HEIGHT * scale, abs=0.5)
        for part in ("svg", "equations"):
            if found[part] is None:
                continue
            x0, y0, x1, y1 = found[part]
            assert x0 >= left - 0.5 and y0 >= top - 0.5, (k, part)
            assert x1 <= right + 0.5 and y1 <= bottom + 0.5, (k, part)
        if 2 <= k <= 10:  # a step: the equations found room beside the drawing
            assert found["svg"] and found["equations"]
            assert found["layout"].endswith("room"), (k, found["layout"])


def test_every_drawing_is_readable_at_the_size_its_slide_is_shown(shown):
    svgs = shown.page.locator(".slide svg")
    assert svgs.count() == 9
    for k in range(svgs.count()):
        measured = browser.measure_shown_svg(svgs.nth(k))
        assert measured.smallest.size >= browser.MIN_FONT_PX, (k, measured.smallest)
        assert measured.overlaps() == []


def test_the_equations_do_not_cover_the_drawing(shown):
    # No node of a step's drawing lies under its equations.
    covered = shown.page.evaluate("""() => [...document.querySelectorAll(".step-slide")]
      .map(slide => {
        const e = slide.querySelector(".equations").getBoundingClientRect();
        return [...slide.querySelectorAll("g.node")].filter(n => {
          const r = n.getBoundingClientRect();
          return r.left < e.right && e.left < r.right && r.top < e.bottom && e.top < r.bottom;
        }).length;
      })""")
    assert covered == [0] * 9


@pytest.fixture(scope="module")
def shown_lesson(lesson, chromium, tmp_path_factory):
    path = lesson[2].save(tmp_path_factory.mktemp("deck") / "lesson.html")
    return Opened(chromium.context.new_page(), path)


def test_the_lesson_is_typeset_and_laid_out_offline(shown_lesson):
    page = shown_lesson.page
    assert page.evaluate("document.documentElement.dataset.deck") == "ready"
    assert page.locator(".katex-error").count() == 0
    assert page.locator(".math:not(:has(.katex))").count() == 0
    assert shown_lesson.requests == [] and shown_lesson.errors == []
    boxes = page.evaluate(BOXES)
    assert len(boxes) == 17
    for k, found in enumerate(boxes, 1):
        left, top, right, bottom = found["slide"]
        for part in ("svg", "equations"):
            if found[part] is not None:
                x0, y0, x1, y1 = found[part]
                assert x0 >= left - 0.5 and y0 >= top - 0.5, (k, part)
                assert x1 <= right + 0.5 and y1 <= bottom + 0.5, (k, part)
        if 2 <= k <= 16:  # the equations found room beside the drawing
            assert found["layout"].endswith("room"), (k, found["layout"])


def test_the_lesson_reads_at_10_px_on_a_1000_px_page(shown_lesson):
    svgs = shown_lesson.page.locator(".slide svg")
    assert svgs.count() == 15
    smallest = []
    for k in range(svgs.count()):
        measured = browser.measure_shown_svg(svgs.nth(k))
        smallest.append(measured.smallest.size)
        assert measured.overlaps() == [], k
    assert min(smallest) >= 10, smallest


def test_the_lesson_equations_do_not_cover_the_drawing(shown_lesson):
    covered = shown_lesson.page.evaluate("""() => [...document.querySelectorAll(".step-slide")]
      .map(slide => {
        const e = slide.querySelector(".equations").getBoundingClientRect();
        return [...slide.querySelectorAll("g.node")].filter(n => {
          const r = n.getBoundingClientRect();
          return r.left < e.right && e.left < r.right && r.top < e.bottom && e.top < r.bottom;
        }).length;
      })""")
    assert covered == [0] * 15


def test_no_heading_is_cut(shown_lesson, shown, chromium, tmp_path):
    # The exercise's deck of ops has the longest headings ("(1 − y)·log(1 − ŷ) sends ...").
    ops = deck(exercise("student", 7).root, title=DECK_TITLE, steps="ops")
    opened = Opened(chromium.context.new_page(), ops.save(tmp_path / "ops.html"))
    for page, count in ((shown_lesson.page, 17), (shown.page, 11), (opened.page, 16)):
        assert page.locator(".slide h2").count() == count - 1  # every slide but the title
        assert browser.clipped(page, ".slide h2") == []
    sizes = opened.page.locator(".slide h2").evaluate_all(
        "hs => hs.map(h => parseFloat(getComputedStyle(h).fontSize))")
    assert min(sizes) >= 10 and max(sizes) == 24, sizes
    opened.page.close()


def test_a_hostile_label_stays_text_in_the_browser(chromium, tmp_path):
    x = Value(2.0, label=HOSTILE[0])
    w = Value(0.5, label=HOSTILE[1])
    b = Value(0.1, label=HOSTILE[2])
    y = (w * x + b).tanh()
    y.label = "ŷ"
    title = "<img src=y onerror=window.__pwned=2> $x$"
    path = deck(y, title=title).save(tmp_path / "hostile.html")
    page = chromium.context.new_page()
    opened = Opened(page, path)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0
    assert page.locator(".katex-error").count() == 0
    assert page.locator("h1").text_content() == title
    svg_text = page.locator(".step-slide svg").first.text_content()
    assert HOSTILE[0] in svg_text and HOSTILE[1] in svg_text
    # KaTeX shows \input{x} as its characters: no command ran
    annotations = page.locator("annotation").all_text_contents()
    assert any(r"\backslash input\{x\}" in a for a in annotations)
    assert opened.requests == [] and opened.errors == []
    page.close()


def test_in_a_notebook_cell_the_deck_runs_in_its_own_frame(chromium, student, tmp_path):
    # A notebook output area 1,000 px wide holding _repr_html_: the frame typesets and lays
    # out its slides by itself, and they fit its width.
    page = chromium.context.new_page()
    cell = tmp_path / "cell.html"
    cell.write_text('<!doctype html><meta charset="utf-8"><body style="margin:0">'
                    f'<div style="width:1000px">{student[2]._repr_html_()}</div>',
                    encoding="utf-8")
    page.goto(cell.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator("html[data-deck=ready]").wait_for(state="attached", timeout=30_000)
    assert frame.locator(".katex-error").count() == 0
    assert frame.locator(".frame").count() == 11
    width = frame.locator(".frame").first.evaluate("f => f.getBoundingClientRect().width")
    frame_width = page.locator("iframe").evaluate("f => f.clientWidth")
    assert width <= frame_width
    page.close()

# ---- PDF ----------------------------------------------------------------------------------


def test_the_deck_prints_one_slide_a_page(student, tmp_path):
    _, loss, slides = student
    html = slides.save(tmp_path / "student.html")
    (pdf,) = print_pdf([html])
    assert pdf == tmp_path / "student.pdf"
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == len(slides) == 11
    for page in reader.pages:  # 1280 x 720 CSS px, in points
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (960.0, 540.0)
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert {"KaTeX_Main-Regular", "KaTeX_Math-Italic"} <= fonts
    texts = [page.extract_text() for page in reader.pages]
    assert "The student network" in texts[0]
    for step in backward_steps(loss):
        assert number(step.grad) in texts[step.number], step.number
    assert "0.4431" in texts[9] and "0.4431" in texts[10]


def test_the_lesson_prints_one_slide_a_page(lesson, tmp_path):
    ex, sheet, slides = lesson
    (pdf,) = print_pdf([slides.save(tmp_path / "lesson.html")])
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == len(slides) == 17
    texts = [page.extract_text().replace("\N{MINUS SIGN}", "-") for page in reader.pages]
    assert "key" not in texts[0] and "the backward pass" in texts[0]
    for k, row in enumerate(sheet.backward, 1):
        assert number(gradient_by_hand(*by_hand(ex.given)[row.answer])) in texts[k]


def test_several_pages_print_at_once_each_to_its_own_pdf(tmp_path):
    pages = []
    for k in range(5):
        page = tmp_path / f"page{k}.html"
        page.write_text(f"<!doctype html><meta charset=utf-8><p>page number {k}</p>")
        pages.append(page)
    targets = [tmp_path / "out" / f"{k}.pdf" for k in range(5)]
    assert print_pdf(pages, targets) == targets
    for k, target in enumerate(targets):
        assert f"page number {k}" in pypdf.PdfReader(target).pages[0].extract_text()


def test_printing_without_chromium_says_how_to_install_it(monkeypatch, tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>hi</p>")
    monkeypatch.setenv("BACKPROP_LAB_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert find_chromium() is None
    with pytest.raises(PdfUnavailable, match=r"sudo apt-get install chromium"):
        print_pdf([page])
    assert issubclass(PdfUnavailable, RuntimeError)


def test_a_chromium_that_prints_nothing_is_named_with_the_file(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>hi</p>")
    silent = tmp_path / "silent-chromium"
    silent.write_text("#!/bin/sh\nexit 0\n")
    silent.chmod(0o755)
    with pytest.raises(PdfFailed, match=re.escape(str(page))):
        print_pdf([page], chromium=str(silent))
    failing = tmp_path / "failing-chromium"
    failing.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    failing.chmod(0o755)
    (tmp_path / "p.pdf").write_bytes(b"%PDF the last good print")
    with pytest.raises(PdfFailed, match=r"exit status 3: cannot open display"):
        print_pdf([page], chromium=str(failing))
    # a failed print leaves the old PDF as it was, and no half-printed file beside it
    assert (tmp_path / "p.pdf").read_bytes() == b"%PDF the last good print"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "failing-chromium", "p.html", "p.pdf", "silent-chromium"]
    with pytest.raises(FileNotFoundError, match="missing.html"):
        print_pdf([tmp_path / "missing.html"])


def test_a_chromium_that_cannot_run_is_unavailable_and_an_oserror(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>hi</p>")
    broken = tmp_path / "broken-chromium"
    broken.write_bytes(b"\0x")  # executable, but no program
    broken.chmod(0o755)
    with pytest.raises(PdfUnavailable, match=r"could not be run") as error:
        print_pdf([page], chromium=str(broken))
    assert isinstance(error.value, OSError) and issubclass(PdfFailed, OSError)


def test_a_failure_names_the_pdf_as_the_caller_shows_it(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>hi</p>")
    silent = tmp_path / "silent-chromium"
    silent.write_text("#!/bin/sh\nexit 0\n")
    silent.chmod(0o755)
    with pytest.raises(PdfFailed) as error:
        print_pdf([page], [tmp_path / ".p.tmp.pdf"], chromium=str(silent),
                  shown_as=[tmp_path / "p.pdf"])
    assert str(tmp_path / "p.pdf") in str(error.value) and ".tmp" not in str(error.value)


# ---- TikZ ---------------------------------------------------------------------------------


def outside_math(tex: str) -> str:
    """The text of ``tex`` outside $...$ (escaped \\$ kept out of the count)."""
    return "".join(re.sub(r"\\\$", "", tex).split("$")[::2])


def braces_balance(tex: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


DRAWN_NODE = re.compile(r"\\node \((v\d+)\) at \([^)]*\) \[[^\]]*\] \{(.*)\};")
DRAWN_EDGE = re.compile(r"\\draw \[[^\]]*\] \((v\d+)\) \.\.controls.*\((v\d+)\);")


def test_tikz_draws_every_value_and_edge_with_latex_names(student):
    _, loss, _ = student
    steps = list(backward_steps(loss))
    picture = tikz(loss, step=steps[3])
    _, plan = plan_ops(loss, step=steps[3])
    assert picture.startswith("\\begin{tikzpicture}") and "\\end{tikzpicture}" in picture
    nodes = dict(DRAWN_NODE.findall(picture))
    latex = latex_names_map(topological_order(loss))
    assert set(nodes) == {plan.ids[v] for v in plan.nodes}  # one node per drawn Value
    for v in plan.nodes:
        assert f"${latex[v]}" in nodes[plan.ids[v]], latex[v]
    edges = sorted(DRAWN_EDGE.findall(picture))
    assert edges == sorted((plan.ids[p], plan.ids[c]) for p, c, _, _ in plan.edges)
    assert r"\frac{\partial z_{1}}{\partial w_{1}} = x_{1} = 2" in picture
    assert r"\hat{y} = 0.633" in picture and "grad $2.725$" in picture
    assert braces_balance(picture)
    rest = outside_math(picture)
    assert "ŷ" not in rest and re.search(r"(?<!\\)_", rest) is None
    assert all(line.count("$") % 2 == 0 for line in re.sub(r"\\\$", "", picture).splitlines())


def test_tikz_of_an_exercise_of_many_values_has_a_node_per_value():
    ex = exercise("3-4-4-2:relu,sigmoid", 1)
    _, plan = plan_ops(ex.root)
    drawn = [v for v in topological_order(ex.root) if v in plan.nodes]  # not the 2 of **2
    assert len(drawn) >= 40 and {v for v in drawn if v.label} == set(ex.values().values())
    picture = tikz(ex.root)
    nodes = dict(DRAWN_NODE.findall(picture))
    assert sorted(nodes) == sorted(plan.ids[v] for v in drawn)
    assert r"$W_{1}[1,1] = " in picture  # every name in LaTeX


def test_tikz_of_a_big_graph_finishes():
    # Graphviz warns once per node about the TikZ options in style; dot2tex, running dot
    # itself, read its output before those warnings, and stalled once they passed a pipe's
    # 64 KB (about 300 nodes). dot now runs with -q, both outputs read together.
    xs = [Value(0.01 * k, label=f"x{k}") for k in range(200)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    picture = tikz(total)
    assert len(DRAWN_NODE.findall(picture)) == len(topological_order(total)) == 399


def test_a_failing_dot_is_a_runtime_error_naming_it(monkeypatch, tmp_path):
    failing = tmp_path / "dot"
    failing.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(RuntimeError, match=r"Graphviz's dot .*exit status 1: Error: syntax"):
        tikz(Value(1.0, label="x").exp())


def test_tikz_escapes_hostile_labels():
    x = Value(2.0, label=HOSTILE[0])
    w = Value(0.5, label=HOSTILE[1])
    b = Value(0.1, label=HOSTILE[2])
    c = Value(1.0, label='50% & "quoted" #_^~{}')
    y = (w * x + b * c).tanh()
    y.label = "ŷ"
    picture = tikz(y)
    assert r"\input{" not in picture and r"\backslash input\{x\}" in picture
    assert r"\mathrm{\$}" in picture
    assert braces_balance(picture)
    for line in picture.splitlines():  # a % that is not \% would comment out the rest
        assert re.search(r"(?<!\\)%", line) is None or set(line.strip()) == {"%"}, line
        assert line.count('"') == 0, line  # dot2tex would end its string there
    rest = outside_math(picture)
    assert re.search(r"(?<!\\)_", rest) is None and "ŷ" not in rest


def test_tikz_without_dot2tex_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "dot2tex", None)
    with pytest.raises(ImportError, match=re.escape(INSTALL)):
        tikz(Value(1.0, label="x").exp())
    assert INSTALL == "pip install 'backprop-lab[tikz]'"

