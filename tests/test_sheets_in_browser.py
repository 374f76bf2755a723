"""Exercise sheets and keys as people see them: in Chromium at 1,000 px (the network's text
readable, nothing overlapping, every table on the page), and printed to PDF (A4 pages, their
text extractable: the given numbers, the labels, and on the key every answer as printed).

The student network gives 2 pages each, sheet and key: page 1 holds the title, the network
and the given and forward tables, page 2 the backward table (15 gradients, one row each on
the sheet; on the key each with its chain-rule line). A wide network (five-input) gets a
landscape first page for its drawing.
"""

from __future__ import annotations

import json
from pathlib import Path

import browser
import pypdf
import pytest

from autograd.notation import number
from autograd.teaching.kit import write_exercise
from autograd.teaching.worksheet import worksheet
from nn.exercises import exercise

PAGES = {"sheet": 2, "key": 2}
"""The student network's page counts, sheet and key (see the module text)."""


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("printed")
    write_exercise(exercise("student", 7), folder, pdf=True)
    return folder


@pytest.fixture(scope="module")
def wide(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wide")
    write_exercise(exercise("five-input", 7), folder, pdf=True)
    return folder


def shown(folder: Path, name: str) -> dict:
    """The page opened in Chromium 1,000 px wide: the drawing measured, the tables' boxes,
    how wide the page scrolls, and the requests it tried."""
    with browser.page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((folder / f"{name}.html").as_uri())
        measured = browser.measure_shown_svg(page.locator("figure.network svg").first)
        tables = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
            const r = t.getBoundingClientRect();
            return {cls: t.className, left: r.left, right: r.right, width: r.width,
                    height: r.height};
        })""")
        scroll = page.evaluate("document.documentElement.scrollWidth")
    return {"svg": measured, "tables": tables, "scroll": scroll, "requests": requests}


@pytest.mark.parametrize("name", ["sheet", "key"])
@pytest.mark.parametrize("net", ["student", "wide"])
def test_the_page_reads_well_at_1000_px(request, net: str, name: str) -> None:
    folder = request.getfixturevalue(net)
    seen = shown(folder, name)
    svg = seen["svg"]
    assert svg.texts, "the network is drawn"
    assert svg.smallest.size >= browser.MIN_FONT_PX, svg.smallest
    assert svg.overlaps() == []
    assert 300 <= svg.width <= 1000
    assert seen["scroll"] <= 1000  # nothing sticks out sideways
    assert [t["cls"] for t in seen["tables"]] == ["given", "forward", "backward"]
    for table in seen["tables"]:
        assert table["width"] > 400 and table["height"] > 40
        assert 0 <= table["left"] and table["right"] <= 1000
    assert [u for u in seen["requests"] if not u.startswith("file:")] == []


def test_the_blank_drawing_shows_given_numbers_only(student: Path) -> None:
    texts = [t.text for t in shown(student, "sheet")["svg"].texts]
    given = exercise("student", 7).given
    assert f"w1 = {number(given['w1'])}" in texts and f"x1 = {number(given['x1'])}" in texts
    assert "z1 = ?" in texts and "L = ?" in texts
    assert not [t for t in texts if "∂" in t]


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@pytest.mark.parametrize("name", ["sheet", "key"])
def test_pdfs_have_their_pages_and_text(student: Path, name: str) -> None:
    pages = pdf_pages(student / f"{name}.pdf")
    assert len(pages) == PAGES[name]
    text = "\n".join(pages)
    data = json.loads((student / "key.json").read_text(encoding="utf-8"))
    for label, value in data["given"].items():
        assert f"{label} = {number(value)}" in text, label
    for label in ("w1", "∂L/∂w1", "∂z1/∂w1", "ŷ = σ(z3)", "Forward pass", "Backward pass"):
        assert label in text, label
    assert "Forward pass" in pages[0] and "Backward pass" in pages[1]
    answers = {k: number(v) for k, v in data["answers"].items()}
    if name == "key":
        for answer, printed in answers.items():
            assert printed in text, (answer, printed)
        assert (f"∂L/∂w1 = ∂L/∂z1 · ∂z1/∂w1 = {answers['dL/dz1']} × "
                f"{number(data['given']['x1'])} = {answers['dL/dw1']}") in text
    else:
        assert "3 significant digits" in text
        assert f"z1 = {answers['z1']}" not in text and answers["dL/dw1"] not in text


def test_no_gradient_is_split_across_pages(student: Path, wide: Path) -> None:
    # Each gradient's rows (a row per term, its sum row, on the key its chain-rule line) are
    # on one page: every local derivative's name of a gradient is on the same page (read
    # from the backward table on; the drawing above it names gradients too).
    for folder, net in ((student, "student"), (wide, "five-input")):
        for name in ("sheet", "key"):
            pages = [p.replace("\n", " ") for p in pdf_pages(folder / f"{name}.pdf")]
            start = next(k for k, page in enumerate(pages) if "Backward pass:" in page)
            pages = [""] * start + [pages[start].split("Backward pass:")[1], *pages[start + 1:]]
            for row in worksheet(exercise(net, 7).root).backward:
                # (∂L/∂ŷ, the loss's own local derivative, is also an upstream gradient)
                local = [t.factor.name for t in row.terms if t.upstream_name != "1"]
                holding = {k for k, page in enumerate(pages) for n in local if f"{n} =" in page}
                assert len(holding) == (1 if local else 0), (name, row.title, holding)


def test_a_wide_network_gets_a_landscape_first_page(wide: Path) -> None:
    for name in ("sheet", "key"):
        reader = pypdf.PdfReader(wide / f"{name}.pdf")
        sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
                 for p in reader.pages]
        assert sizes[0] == (842, 595)  # A4 landscape, in points: the title and the network
        assert set(sizes[1:]) == {(595, 842)}  # the tables on A4 portrait
        assert "Given" not in reader.pages[0].extract_text()
