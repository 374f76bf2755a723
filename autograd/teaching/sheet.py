"""An exercise sheet and its key as one self-contained, printable HTML page (A4).

`sheet_html` lays out a `Worksheet` as a teacher hands it out: the title, a line of
instructions, the network drawn (the neurons view, inline SVG scaled to the page), the given
numbers (inputs and target, then parameters), the forward table (name | how it is made |
value) and the backward table (gradient | upstream | local derivative | contribution, one row
per term, a sum row where a gradient gathers several terms). The blank sheet (``filled=False``)
prints every name and formula a student needs and leaves a box for every number; the key
(``filled=True``) fills every box and adds each gradient's chain-rule line,
``∂L/∂w1 = ∂L/∂z1 · ∂z1/∂w1 = 0.2215 × 2 = 0.4431``.

The page asks for nothing at run time (no script, font or picture is fetched), every user text
(labels, titles) is escaped, and all of it is real text, so that a PDF printed from it has
numbers and labels one can search and copy. ``@page`` sets A4 with 14 mm margins; a table row
is never split across pages. `pages_html` puts several sheets in one document, each starting a
new page (a class's keys, every student's sheet).

>>> from autograd import Value
>>> from autograd.teaching.worksheet import worksheet
>>> x, w = Value(2.0, label="x"), Value(0.5, label="w")
>>> z = w * x; z.label = "z"
>>> L = z ** 2; L.label = "L"
>>> blank = sheet_html(worksheet(L), title="Tiny", filled=False)
>>> "∂z/∂w" in blank, ">4<" in blank  # the local derivative's name; no answer (∂L/∂w = 4)
(True, False)
>>> "∂L/∂w = ∂L/∂z · ∂z/∂w = 2 × 2 = 4" in sheet_html(worksheet(L), title="Tiny", filled=True)
True
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from autograd.draw import draw
from autograd.draw.in_browser import browser_drawing_html
from autograd.draw.style import DotMissingError
from autograd.notation import FORMAT, bracket, number
from autograd.teaching.worksheet import BackwardRow, Term, Worksheet

__all__ = ["sheet_html", "sheet_section", "pages_html", "chain_rule_line",
           "INSTRUCTIONS"]

INSTRUCTIONS = (
    "Fill in each blank to 3 significant digits. Work top to bottom: the forward pass first, "
    "then each gradient from those above it. In the backward table, contribution = upstream "
    "× local derivative; a gradient is its contribution, or the sum of its contributions.")
"""The line of instructions printed on every blank sheet."""

PAGE_WIDTH_MM = 182.0
"""The printable width of A4 (210 mm) inside the 14 mm margins."""
DRAWING_MAX_HEIGHT_MM = 120.0
"""The network drawing is shrunk to fit this height as well as the page width."""
LANDSCAPE_MM = (269.0, 150.0)
"""Where a wide network is drawn instead: A4 landscape inside the margins, under the title."""
READABLE_SCALE = 0.55
"""A drawing shrunk below this on a portrait page (its 14 pt text under 10 px) gets a
landscape page of its own, with the title."""
MIN_DRAWING_SCALE = 0.45
"""The drawing is never shrunk below this, so that its 14 pt text stays at least 8 px."""
_PX_PER_MM = 96 / 25.4
_PX_PER_PT = 96 / 72

_CSS = """
@page { size: A4; margin: 14mm; }
@page landscape { size: A4 landscape; margin: 14mm; }
.wide-page { page: landscape; }
.wide-page figure.network { position: relative; left: 50%; transform: translateX(-50%);
  max-width: calc(100vw - 24px); }
@media print { .wide-page figure.network { max-width: none; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 210mm; padding: 10mm 14mm; color: #111;
  font: 10.5pt/1.35 "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif;
  font-variant-ligatures: none; }  /* "fi" stays two letters in a PDF's text */
@media print { body { max-width: none; padding: 0; } }
.sheet + .sheet { break-before: page; }
h1 { font-size: 15pt; margin: 0 0 1mm; }
h2 { font-size: 11.5pt; margin: 5mm 0 1.5mm; break-after: avoid; }
.subtitle { margin: 0 0 1mm; color: #333; }
.instructions { margin: 2mm 0 1mm; padding: 1.5mm 3mm; border-left: 1.2mm solid #3d85c6;
  background: #eef4fb; }
.footer { margin: 4mm 0 0; color: #333; font-size: 9.5pt; }
.footer code { font: 9.5pt "DejaVu Sans Mono", Menlo, Consolas, monospace; }
figure.network { margin: 2mm 0 0; text-align: center; break-inside: avoid; }
figure.network svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.3mm solid #999; padding: 1mm 2mm; text-align: left;
  vertical-align: middle; }
th { background: #eeeeee; font-weight: 600; }
tr, tbody.gradient { break-inside: avoid; }
thead { display: table-header-group; }
td.number, td.blank-cell { white-space: nowrap; }
table.given td { white-space: nowrap; background: #cfe2f3; }
table.given td.input { background: #d9ead3; }
table.given th { width: 28mm; }
table.forward td.name { width: 18mm; font-weight: 600; }
table.forward td.value { width: 36mm; }
table.backward td.gradient { font-weight: 600; width: 29mm; white-space: nowrap; }
table.backward td.upstream { white-space: nowrap; }
table.backward td.contribution { width: 30mm; }
table.given td.pad { background: none; border: none; }
.box { display: inline-block; min-width: 24mm; height: 6.5mm; border: 0.3mm solid #555;
  border-radius: 1mm; background: #fff; vertical-align: middle; }
.box.wide { min-width: 30mm; }
.formula { color: #444; }
tr.sum td { background: #f6f6f6; }
tr.chain td { background: #fff8e1; font-size: 9.5pt; }
.note { color: #555; font-size: 9.5pt; }
"""


def _text(text: str) -> str:
    """User text as HTML: escaped; ``*words*`` (written after escaping) set in italics, as
    an article's title is cited."""
    return re.sub(r"\*([^*\n]+)\*", r"<em>\1</em>", html.escape(text))


def _box(wide: bool = False) -> str:
    return f'<span class="box{" wide" if wide else ""}"></span>'


def _value(x: float, filled: bool, fmt: str, wide: bool = False) -> str:
    # A number on the key, a blank box on the sheet.
    return html.escape(number(x, fmt)) if filled else _box(wide)


def _bracketed(x: float, fmt: str) -> str:
    return bracket(number(x, fmt))


def _term_symbols(term: Term) -> str:
    # upstream · local, in names; the loss's own term is its local derivative alone.
    if term.upstream_name == "1":
        return term.factor.name
    return f"{term.upstream_name} · {term.factor.name}"


def chain_rule_line(row: BackwardRow, fmt: str = FORMAT) -> str:
    """One gradient by the chain rule, in names, then numbers, then the result.

    >>> from autograd import Value
    >>> from autograd.teaching.worksheet import worksheet
    >>> a = Value(3.0, label="a"); b = a * a; b.label = "b"; L = b * 2.0; L.label = "L"
    >>> rows = worksheet(L).backward
    >>> chain_rule_line(rows[0])
    '∂L/∂b = 2'
    >>> chain_rule_line(rows[1])
    '∂L/∂a = ∂L/∂b · ∂b/∂a = 2 × 6 = 12'
    """
    numbers = " + ".join(
        _bracketed(t.local, fmt) if t.upstream_name == "1"
        else f"{_bracketed(t.upstream, fmt)} × {_bracketed(t.local, fmt)}"
        for t in row.terms)
    result = number(row.value, fmt)
    if len(row.terms) == 1 and row.terms[0].upstream_name == "1":
        # The loss's own input: its local derivative, in a formula, is the whole story.
        formula = row.terms[0].factor.formula
        shown = [row.title] + ([formula] if formula and formula != result else []) + [result]
        return " = ".join(shown)
    names = " + ".join(_term_symbols(t) for t in row.terms)
    return f"{row.title} = {names} = {numbers} = {result}"


def _local(term: Term, filled: bool, fmt: str) -> str:
    # The local derivative's name, then its formula and number on the key, a box on the sheet.
    name = f'<span class="name">{html.escape(term.factor.name)}</span> = '
    if not filled:
        return name + _box(wide=True)
    value = number(term.local, fmt)
    formula = term.factor.formula
    parts = [formula] if formula and formula != value else []
    return name + html.escape(" = ".join([*parts, value]))


def _upstream(term: Term, filled: bool, fmt: str) -> str:
    if term.upstream_name == "1":  # ∂L/∂L
        return '<span class="note">1 (the loss itself)</span>'
    return (f'<span class="name">{html.escape(term.upstream_name)}</span> = '
            + _value(term.upstream, filled, fmt))


def _backward_group(row: BackwardRow, filled: bool, fmt: str) -> str:
    # One gradient: a row per term; a sum row when it has several; its chain rule on the key.
    several = len(row.terms) > 1
    span = len(row.terms) + several + filled
    out = [f'<tbody class="gradient" data-answer="{html.escape(row.answer)}">']
    for k, term in enumerate(row.terms):
        cells = []
        if k == 0:
            title = html.escape(row.title)
            if filled:
                title += f"<br>= {html.escape(number(row.value, fmt))}"
            cells.append(f'<td class="gradient" rowspan="{span}">{title}</td>')
        cells.append(f'<td class="upstream">{_upstream(term, filled, fmt)}</td>')
        cells.append(f"<td>{_local(term, filled, fmt)}</td>")
        cells.append(f'<td class="contribution">{_value(term.contribution, filled, fmt)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    if several:
        out.append(f'<tr class="sum"><td colspan="2">{html.escape(row.title)} = the sum of '
                   f"the {len(row.terms)} contributions</td>"
                   f'<td class="contribution">{_value(row.value, filled, fmt)}</td></tr>')
    if filled:
        out.append(f'<tr class="chain"><td colspan="3">'
                   f"{html.escape(chain_rule_line(row, fmt))}</td></tr>")
    out.append("</tbody>")
    return "".join(out)


def _is_bias(label: str) -> bool:
    last = label.rpartition(".")[2]
    return bool(re.match(r"(b|θ|bias)", last, re.IGNORECASE))


def _natural(label: str) -> list[tuple[int, int | str]]:
    # w2 before w10
    return [(0, int(part)) if part.isdigit() else (1, part)
            for part in re.split(r"(\d+)", label) if part]


GIVEN_WIDTH_MM = 150.0
"""The width of the given numbers' cells, beside their row heading."""


def _given_rows(heading: str, labels: list[str], sheet: Worksheet, css: str,
                fmt: str, columns: int) -> str:
    if not labels:
        return ""
    chunks = [labels[i:i + columns] for i in range(0, len(labels), columns)]
    rows = []
    for k, chunk in enumerate(chunks):
        head = (f'<th rowspan="{len(chunks)}">{html.escape(heading)}</th>' if k == 0 else "")
        cells = "".join(f'<td class="{css}">{html.escape(label)} = '
                        f"{html.escape(number(sheet.given[label], fmt))}</td>" for label in chunk)
        pad = '<td class="pad"></td>' * (columns - len(chunk))
        rows.append(f"<tr>{head}{cells}{pad}</tr>")
    return "".join(rows)


def _given_table(sheet: Worksheet, fmt: str) -> str:
    inputs = [label for label in sheet.given if sheet.roles.get(label) == "input"]
    parameters = sorted((label for label in sheet.given if label not in inputs),
                        key=lambda label: (_is_bias(label), _natural(label)))
    # as many cells a row as fit: about 2.5 mm a character at this size, and a cell's padding
    longest = max((len(f"{label} = {number(x, fmt)}") for label, x in sheet.given.items()),
                  default=1)
    fit = max(1, int(GIVEN_WIDTH_MM // (2.5 * longest + 6)))
    columns = max(1, min(6, fit, max(len(inputs), len(parameters))))
    return ('<table class="given">'
            + _given_rows("inputs and target", sorted(inputs, key=_natural), sheet, "input",
                          fmt, columns)
            + _given_rows("parameters", parameters, sheet, "parameter", fmt, columns)
            + "</table>")


def _forward_table(sheet: Worksheet, filled: bool, fmt: str) -> str:
    rows = "".join(
        f'<tr><td class="name">{html.escape(row.name)}</td>'
        f'<td class="formula">{html.escape(row.name)} = {html.escape(row.formula)}'
        "</td>"
        f'<td class="value">{_value(row.value, filled, fmt, wide=True)}</td></tr>'
        for row in sheet.forward)
    return ('<table class="forward"><thead><tr><th>name</th><th>how it is made</th>'
            "<th>value</th></tr></thead><tbody>" + rows + "</tbody></table>")


def _backward_table(sheet: Worksheet, filled: bool, fmt: str) -> str:
    head = ('<thead><tr><th>gradient</th><th>upstream</th><th>local derivative</th>'
            '<th>contribution<br><span class="note">upstream × local</span></th></tr></thead>')
    return ('<table class="backward">' + head
            + "".join(_backward_group(row, filled, fmt) for row in sheet.backward)
            + "</table>")


def _fit(width: float, height: float, box_mm: tuple[float, float]) -> float:
    # The scale that fits a drawing of width x height px in a box (mm); never above 1.
    return min(1.0, box_mm[0] * _PX_PER_MM / width, box_mm[1] * _PX_PER_MM / height)


def _scaled_svg(svg: str) -> tuple[str, bool]:
    """Graphviz's SVG, inline: no prolog, comments or tooltips (<title> v3->v7), sized in px
    to fit the page, never enlarged, its text kept >= 8 px; and whether it needs a landscape
    page (when on a portrait one its text would be under 10 px)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<title>.*?</title>", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\sid="[^"]*"', "", svg)  # several drawings may share a page
    match = re.search(r'<svg\b[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"', svg)
    if match is None:
        return svg, False
    width, height = (float(match.group(k)) * _PX_PER_PT for k in (1, 2))
    scale = _fit(width, height, (PAGE_WIDTH_MM, DRAWING_MAX_HEIGHT_MM))
    wide = scale < READABLE_SCALE
    if wide:
        scale = max(_fit(width, height, LANDSCAPE_MM), MIN_DRAWING_SCALE)
    head = match.group(0)
    head = re.sub(r'\swidth="[\d.]+pt"', f' width="{width * scale:.0f}px"', head, count=1)
    head = re.sub(r'\sheight="[\d.]+pt"', f' height="{height * scale:.0f}px"', head, count=1)
    return svg.replace(match.group(0), head, 1), wide


def _network(sheet: Worksheet, filled: bool, fmt: str) -> tuple[str, bool]:
    # The network drawn, as a <figure>, and whether it needs a landscape page.
    try:
        drawing = draw(sheet.root, view="neurons", computed=filled, grads=filled,
                       legend=False, fmt=fmt)
    except ValueError:  # not a network of neurons: the tables say it all
        return "", False
    try:
        picture, wide = _scaled_svg(drawing.pipe(format="svg", encoding="utf-8"))
    except DotMissingError:  # laid out by the page itself (the vendored Graphviz)
        picture, wide = browser_drawing_html(drawing.source), False
    width = re.search(r'<svg\b[^>]*?\swidth="(\d+)px"', picture) if wide else None
    style = f' style="width: {width.group(1)}px"' if width else ""
    return f'<figure class="network"{style}>{picture}</figure>', wide


def sheet_section(sheet: Worksheet, *, title: str, filled: bool, subtitle: str = "",
                  footer: str = "", fmt: str = FORMAT) -> str:
    """One sheet (or key) as a ``<section class="sheet">``, for `pages_html`; see
    `sheet_html`."""
    kind = "key" if filled else "sheet"
    head = [f"<h1>{_text(title)}</h1>"]
    if subtitle:
        head.append(f'<p class="subtitle">{_text(subtitle)}</p>')
    if filled:
        head.append('<p class="instructions">The key: every number rounded to 4 significant '
                    "digits, and each gradient's chain rule.</p>")
    else:
        head.append(f'<p class="instructions">{html.escape(INSTRUCTIONS)}</p>')
    figure, wide = _network(sheet, filled, fmt)
    head.append(figure)
    if wide:  # the title and the drawing on a landscape page, the tables after it
        head = ['<div class="wide-page">', *head, "</div>"]
    parts = [f'<section class="sheet {kind}">', *head]
    parts.append("<h2>Given</h2>" + _given_table(sheet, fmt))
    parts.append("<h2>Forward pass</h2>" + _forward_table(sheet, filled, fmt))
    loss = sheet.root.label
    parts.append(f"<h2>Backward pass: the gradient of {html.escape(loss)}, "
                 "from the loss back to every weight and bias</h2>"
                 + _backward_table(sheet, filled, fmt))
    if footer:
        parts.append(f'<p class="footer">{_text(footer)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def pages_html(sections: Sequence[str], *, title: str) -> str:
    """A whole HTML page (A4) holding ``sections`` from `sheet_section`, each starting a new
    page when printed.

    >>> pages_html(["<section class='sheet'></section>"], title="<b>").count("<title>&lt;b&gt;")
    1
    """
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(sections) + "\n</body>\n</html>\n")


def sheet_html(sheet: Worksheet, *, title: str, filled: bool, subtitle: str = "",
               footer: str = "", fmt: str = FORMAT) -> str:
    """The exercise sheet (``filled=False``) or its key (``filled=True``) of ``sheet`` as one
    self-contained A4 page: the title, the subtitle (say which network, which article), the
    network drawn, the given numbers, the forward table and the backward table; ``footer``
    closes it (e.g. how to grade one's answers). Titles may cite with ``*italics*``; all text
    is escaped. Numbers are shown with ``fmt`` (4 significant digits).

    On the sheet every number asked for is a blank box, and every name and formula that says
    what to compute is printed: ``z1 = b1 + w1·x1 + w2·x2``, and in the backward table the
    upstream gradient's and the local derivative's names (``∂L/∂h1``, ``∂h1/∂z1``). The key
    fills every box, writes the local derivatives' formulas (``ReLU'(z1) = step(z1) = 1``)
    and adds each gradient's chain-rule line (`chain_rule_line`).
    """
    return pages_html([sheet_section(sheet, title=title, filled=filled, subtitle=subtitle,
                                     footer=footer, fmt=fmt)], title=title)
