"""A backward pass as slides: one chain-rule step per slide, in one self-contained page.

`deck(root)` makes a `Deck`: a title slide with the forward values, then one slide per
gradient of the exercise sheet (`autograd.teaching.worksheet`'s backward rows: every labelled
Value but the inputs and targets, layer by layer from the loss), then a slide of those
gradients. Each step's slide draws the graph collapsed to its labelled Values, the
gradient's Value orange and the edges from the Values it gets gradient from red, beside the
chain rule typeset by KaTeX (∂L/∂v = ∂L/∂c · ∂c/∂v = upstream · local = contribution, each
local derivative with its formula) and the gradients known so far (the last `KNOWN` of
them, so that a slide's size does not grow with the deck). ``steps="ops"`` makes
one slide per op of `autograd.backward_steps` instead, for any graph: every Value drawn,
the step's node orange and the edges it sends gradient along red.

Slides are 16:9, 1280 × 720 CSS px. On screen they stack vertically, shrunk to the window's
width (← and →, Page Up and Page Down move slide by slide); printed
(`autograd.teaching.pdf.print_pdf`, or the browser's own Print), each is one page of
exactly that size.

The page is one file and makes no request when it runs: the drawings are inline SVG, and
KaTeX (``vendor/katex.js``, its stylesheet and fonts inlined; ``make vendor-katex`` refreshes
it) is inlined too. Every text a user chose (labels, the title) reaches the page escaped:
as SVG text from Graphviz, as HTML text, or as LaTeX that `autograd.notation` wrote with
every special character shown rather than obeyed, which KaTeX typesets without any command
that could load or link anything.

The drawings need Graphviz's ``dot``: without it `deck` raises
`autograd.draw.DotMissingError`, which says how to install it. (The page could lay them out
with the vendored viz.js instead, but a deck is sized and printed from known drawings.)

Each step's slide places its equations where the drawing leaves room: the page's script
tries the drawing at sizes from full down to the smallest whose text stays readable, and for
each finds the largest font at which the equations fit beside, below or inside an empty
corner of the drawing, keeping whichever pair reads best. A graph too large to read whole on
a slide is shown enlarged until it reads, cropped to the step's node and its neighbours;
its equations then cover no node shown, or failing that none of those. A heading too long
for its line is set smaller, then on two lines; never cut.

>>> from autograd import Value
>>> w, x = Value(0.5, label="w"), Value(2.0, label="x")
>>> z = w * x; z.label = "z"
>>> L = z.tanh(); L.label = "L"
>>> slides = deck(L, title="A <small> example")  # title, ∂L/∂z, ∂L/∂w, the gradients
>>> len(slides), "A &lt;small&gt; example" in slides.html
(4, True)
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from autograd.draw import Drawing, draw
from autograd.draw.in_browser import script_tag, vendored
from autograd.draw.ops_view import roles
from autograd.draw.style import DERIVATIVE, HIGHLIGHT, ROLES, STEP
from autograd.explain import Step, backward_steps
from autograd.files import write_text
from autograd.graph import topological_order
from autograd.notation import (
    FORMAT,
    is_constant,
    latex_bracket,
    latex_derivative,
    latex_names_map,
    latex_number,
    latex_product,
    latex_sum,
    names_map,
)
from autograd.ops import OPS
from autograd.teaching.worksheet import BackwardRow, worksheet
from autograd.value import Value

__all__ = ["deck", "Deck", "katex_script", "katex_version", "SLIDE_WIDTH", "SLIDE_HEIGHT",
           "KNOWN"]

SLIDE_WIDTH = 1280
"""CSS px: a slide's width (16:9, as a 1280 × 720 screen)."""
SLIDE_HEIGHT = 720
"""CSS px: a slide's height."""
_PAD_X, _PAD_Y, _HEADER, _GAP = 24, 14, 46, 8
STAGE = (SLIDE_WIDTH - 2 * _PAD_X, SLIDE_HEIGHT - 2 * _PAD_Y - _HEADER - _GAP)
"""CSS px: the room a drawing has on a step's slide, below the slide's heading."""
_PX_PER_INCH = 96  # CSS px; Graphviz's size is in inches, its SVG in points (72 an inch)
_MAX_LISTED = 14  # values listed per column on the title and last slides
KNOWN = 12
"""How many of the gradients found so far a step's slide lists: the last ones."""
# The least font size of a drawing's text, in CSS px of a slide at full size. A collapsed
# drawing is small: 13.5 px stays above 10 px on a slide shrunk to a 1,000-px page.
_LEAST_TEXT = {"named": 13.5, "ops": 11.0}


# ---- KaTeX, vendored ----------------------------------------------------------------------


def _vendored(name: str) -> str:
    return vendored("autograd.teaching", name, "make vendor-katex (KaTeX from npm)")


@lru_cache(maxsize=1)
def katex_script() -> str:
    """The vendored KaTeX: JavaScript that defines a global ``katex`` and adds KaTeX's
    stylesheet, with its fonts inlined, to the page that runs it (once per page).

    >>> "KaTeX" in katex_script()[:100]
    True
    """
    return _vendored("katex.js")


def katex_version() -> str:
    """The vendored version of KaTeX, as ``vendor/VERSION`` records it.

    >>> katex_version().split(".")[0]
    '0'
    """
    return _vendored("VERSION").splitlines()[0].split()[-1]


# ---- the deck -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Deck:
    """Slides of a backward pass: ``html`` is the whole page; ``len(deck)`` counts the
    slides; ``save(path)`` writes the page; a notebook shows it in a frame of its own, where
    the slides scroll.

    >>> from autograd import Value
    >>> d = deck(Value(3.0, label="x").exp(), steps="ops")
    >>> len(d), d.html.startswith("<!doctype html>"), d._repr_html_().startswith("<iframe")
    (3, True, True)
    """

    html: str
    slides: int
    title: str = ""

    def __len__(self) -> int:
        return self.slides

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8), whole or not at all; returns the path. Print
        it to PDF with `autograd.teaching.pdf.print_pdf`."""
        return write_text(path, self.html)

    def _repr_html_(self) -> str:
        # A frame of its own: the page's styles and scripts stay out of the notebook's, and
        # a module loader there (RequireJS) cannot capture KaTeX.
        label = html.escape(self.title or "backward pass slides", quote=True)
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{label}" '
                'style="width:100%;aspect-ratio:16/9.6;border:1px solid #ccc"></iframe>')

    def __repr__(self) -> str:
        return f"<Deck of {self.slides} slides{': ' + self.title if self.title else ''}>"


@dataclass(frozen=True)
class _Context:
    # What every slide of a deck needs: the graph, its names, the title and the count.
    root: Value
    order: list[Value]
    ids: Mapping[Value, str]
    """each Value's node in a drawing: ``v0``, ``v1``, ... in topological order, as `draw`"""
    latex: Mapping[Value, str]
    role_of: Mapping[Value, str]
    title: str
    total: int
    fmt: str


def deck(root: Value, *, title: str = "", fmt: str = FORMAT, steps: str = "named") -> Deck:
    """The backward pass of ``root`` as slides: a title slide (``title``, then the forward
    values), the steps, and a slide of the gradients found. ``fmt`` is the number format
    (four significant digits by default).

    ``steps="named"``: one slide per gradient of the exercise sheet
    (`autograd.teaching.worksheet`), in its order; ``root`` must be labelled, and the
    inputs and targets get none. ``steps="ops"``: one slide per step of
    `autograd.backward_steps`, every Value drawn; any graph.

    Leaves every ``.grad`` of the graph as a fresh ``root.backward()`` would. Raises
    `autograd.draw.DotMissingError` without Graphviz.

    >>> from autograd import Value
    >>> w = Value(0.5, label="w")
    >>> loss = (w * 3.0 - 1.0) ** 2; loss.label = "L"
    >>> len(deck(loss)), round(w.grad, 4)  # title, ∂L/∂w, gradients
    (3, 3.0)
    >>> len(deck(loss, steps="ops"))  # title, three steps (**, -, *), gradients
    5
    """
    if steps not in _LEAST_TEXT:
        raise ValueError(f"steps must be 'named' or 'ops', got {steps!r}")
    if steps == "named":
        if not root.label:
            raise ValueError("steps='named' needs a labelled root (loss.label = 'L'); "
                             "steps='ops' takes any graph")
        rows = worksheet(root, fmt).backward
        ctx = _context(root, title, len(rows), fmt)
        middle = _named_slides(ctx, rows)
        grads = {row.node: row.value for row in rows}
    else:
        ops = list(backward_steps(root, fmt))
        ctx = _context(root, title, len(ops), fmt)
        middle = _ops_slides(ctx, ops)
        last = ops[-1].grads() if ops else {root: 1.0}
        grads = {v: last.get(v, 0.0) for v in _labelled(ctx.order, root, with_root=False)}
    slides = [_title_slide(ctx, steps), *middle, _gradients_slide(ctx, grads)]
    page = _PAGE.format(
        title=html.escape(title or f"Backward pass of {names_map(ctx.order, fmt)[root]}"),
        style=_STYLE, katex=script_tag(katex_script()), slides="\n".join(slides),
        least=_LEAST_TEXT[steps], script=script_tag(_SCRIPT))
    return Deck(page, len(slides), title)


def _context(root: Value, title: str, steps: int, fmt: str) -> _Context:
    order = topological_order(root)
    return _Context(root, order, {v: f"v{i}" for i, v in enumerate(order)},
                    latex_names_map(order, fmt), roles(order, root), title, steps + 2, fmt)


def _named_slides(ctx: _Context, rows: Sequence[BackwardRow]) -> list[str]:
    # One slide per backward row of the worksheet, the graph collapsed to labelled Values.
    if not rows:
        return []
    rankdir, size = _fit_drawing(lambda d: _collapsed(ctx, rows[0], d, None))
    return [_row_slide(ctx, rows[: k + 1], _svg(_collapsed(ctx, row, rankdir, size), f"s{k + 1}"))
            for k, row in enumerate(rows)]


def _ops_slides(ctx: _Context, steps: Sequence[Step]) -> list[str]:
    # One slide per backward_steps step, every Value drawn.
    if not steps:
        return []
    root, fmt = ctx.root, ctx.fmt
    rankdir, size = _fit_drawing(
        lambda d: draw(root, step=steps[-1], legend=False, rankdir=d, fmt=fmt))
    return [_step_slide(ctx, step, len(steps),
                        _svg(draw(root, step=step, legend=False, size=size, rankdir=rankdir,
                                  fmt=fmt), f"s{step.number}"))
            for step in steps]


# ---- drawings -----------------------------------------------------------------------------

_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def _svg_size(svg: str) -> tuple[float, float]:
    # The drawing's size in CSS px, from the points Graphviz writes.
    found = _SVG_SIZE.search(svg)
    if found is None:
        raise ValueError("Graphviz wrote an SVG without a size in points")
    return float(found.group(1)) * 4 / 3, float(found.group(2)) * 4 / 3


def _fit_drawing(drawing: Callable[[str], Drawing]) -> tuple[str, str]:
    # The direction whose drawing, shrunk to fit the stage, is the larger, and Graphviz's
    # size (in inches) that shrinks it so. One step stands for all: they differ only in
    # their numbers and colours.
    best: tuple[float, str] = (0.0, "LR")
    for rankdir in ("LR", "TB"):
        width, height = _svg_size(drawing(rankdir).pipe(format="svg", encoding="utf-8"))
        scale = min(1.0, STAGE[0] / width, STAGE[1] / height)
        best = max(best, (scale, rankdir), key=lambda pair: pair[0])
    size = f"{STAGE[0] / _PX_PER_INCH:.3f},{STAGE[1] / _PX_PER_INCH:.3f}"
    return best[1], size


def _collapsed(ctx: _Context, row: BackwardRow, rankdir: str, size: str | None) -> Drawing:
    """The labelled Values of ``root``'s graph, each with its value (no gradients: the
    slide lists those found so far); ``row``'s Value orange, the Values it gets gradient
    from outlined red, and the edges from it to them red, pointing back to it.

    >>> from autograd import Value
    >>> w = Value(0.5, label="w")
    >>> z = w * 3.0; z.label = "z"
    >>> L = z.exp(); L.label = "L"
    >>> ctx = _context(L, "", 2, FORMAT)
    >>> source = _collapsed(ctx, worksheet(L).backward[1], "LR", None).source
    >>> "v0 -> v2 [color" in source, "= 0.5" in source, "grad" in source
    (True, True, False)
    """
    drawing = draw(ctx.root, collapse=True, grads=False, edge_labels=False, legend=False,
                   size=size, rankdir=rankdir, fmt=ctx.fmt)
    node, children = ctx.ids[row.node], {ctx.ids[t.child] for t in row.terms}
    red, edges = f' [color="{HIGHLIGHT}" penwidth=2 dir=back ', {f"{node} -> {c}" for c in children}
    drawing.body[:] = [
        line.replace(" [", red, 1) if line.split(" [")[0].strip() in edges
        else line.replace("<br/>data ", "<br/>= ")  # "z1 / = w1·x1 + b1 / = 0.8"
        for line in drawing.body]
    drawing.node(node, fillcolor=STEP)
    for child in sorted(children):
        drawing.node(child, color=HIGHLIGHT, penwidth="2")
    return drawing


def _svg(drawing: Drawing, prefix: str) -> str:
    # The SVG element alone, its ids made unique in the page ("node1" is in every drawing).
    text: str = drawing.pipe(format="svg", encoding="utf-8")
    text = text[text.index("<svg"):]
    text = re.sub(r'\bid="', f'id="{prefix}-', text)
    return text.replace('url(#', f'url(#{prefix}-').replace('href="#', f'href="#{prefix}-')


# ---- slides -------------------------------------------------------------------------------


def _math(tex: str, display: bool = False) -> str:
    # LaTeX for KaTeX to typeset in the page; until then (or without scripts) the text shows.
    kind = "math display" if display else "math"
    return f'<span class="{kind}">{html.escape(tex)}</span>'


def _header(ctx: _Context, heading: str, number: int) -> str:
    where = f"{number} / {ctx.total}"
    where = f"{html.escape(ctx.title)} · {where}" if ctx.title else where
    return f'<header><h2><span>{heading}</span></h2><span class="where">{where}</span></header>'


def _frame(kind: str, number: int, body: str, data: str = "") -> str:
    return (f'<section class="frame" id="slide-{number}">'
            f'<div class="slide {kind}" data-slide="{number}"{data}>{body}</div></section>')


def _sorted(values: Iterable[Value], order: list[Value]) -> list[Value]:
    # As people count them: by name (w before b when the forward pass meets w first), then
    # by number (w2 before w10).
    def stem(v: Value) -> str:
        return re.sub(r"[\d\W_]+$", "", v.label)

    first: dict[str, int] = {}
    for i, v in enumerate(order):
        first.setdefault(stem(v), i)

    def key(v: Value) -> tuple[int, list[tuple[int, int | str]]]:
        parts = re.split(r"(\d+)", v.label)
        return first.get(stem(v), 0), [(1, int(p)) if p.isdigit() else (0, p) for p in parts]

    return sorted(values, key=key)


def _labelled(order: list[Value], root: Value, with_root: bool) -> list[Value]:
    # The labelled Values, in order; with none labelled, the leaves that are not constants.
    named = [v for v in order if v.label and (with_root or v is not root)]
    return named or [v for v in order if not v.parents and not is_constant(v)]


def _columns(ctx: _Context, values: Sequence[Value]) -> list[tuple[str, list[Value]]]:
    # ``values`` by role: inputs, parameters (each sorted as people count), then the
    # computed ones in the order the forward pass makes them.
    role_of = ctx.role_of
    groups = [
        ("inputs", _sorted((v for v in values if role_of[v] == "input"), ctx.order)),
        ("parameters", _sorted((v for v in values if role_of[v] in ("parameter", "constant")),
                               ctx.order)),
        ("computed", [v for v in ctx.order
                      if v in set(values) and role_of[v] in ("intermediate", "root")]),
    ]
    return [(heading, shown) for heading, shown in groups if shown]


def _value_table(columns: Iterable[tuple[str, list[Value]]], entry: Mapping[Value, str]) -> str:
    parts = []
    for heading, values in columns:
        shown = values if len(values) <= _MAX_LISTED else values[: _MAX_LISTED - 1]
        items = "".join(f"<li>{_math(entry[v])}</li>" for v in shown)
        if len(shown) < len(values):
            items += f'<li class="more">… and {len(values) - len(shown):,} more</li>'
        parts.append(f'<div class="column"><h3>{heading}</h3><ul>{items}</ul></div>')
    return '<div class="values fit">' + "".join(parts) + "</div>"


_SWATCHES = {  # the title slide's legend: (fill, line, text) of each step's drawing
    "named": ((STEP, ROLES["intermediate"]["color"], "the gradient being found"),
              ("#ffffff", HIGHLIGHT, "red: the values it gets it from")),
    "ops": ((DERIVATIVE, "#999999", "local derivative ∂node/∂parent"),
            (STEP, HIGHLIGHT, "the step's node; red arrows carry its gradient back")),
}
_SUBTITLES = {"named": "One gradient per slide, layer by layer back from",
              "ops": "One chain-rule step per slide, op by op back from"}


def _title_slide(ctx: _Context, steps: str) -> str:
    root_name = ctx.latex[ctx.root]
    heading = (html.escape(ctx.title) if ctx.title
               else f"Backward pass of {_math(root_name)}")
    entry = {v: f"\\displaystyle {ctx.latex[v]} = {latex_number(v.data, ctx.fmt)}"
             for v in ctx.order}
    legend = "".join(
        f'<span class="swatch"><i style="background:{fill};border-color:{line}"></i>'
        f"{html.escape(text)}</span>"
        for fill, line, text in (
            (ROLES["input"]["fillcolor"], ROLES["input"]["color"], "input"),
            (ROLES["parameter"]["fillcolor"], ROLES["parameter"]["color"], "parameter"),
            (ROLES["intermediate"]["fillcolor"], ROLES["intermediate"]["color"],
             "computed value"),
            (ROLES["root"]["fillcolor"], ROLES["root"]["color"], "output"),
            *_SWATCHES[steps],
        ))
    subtitle = f"{_SUBTITLES[steps]} {_math(root_name)}"
    body = (
        f'<div class="cover"><h1>{heading}</h1><p class="subtitle">{subtitle}</p>'
        '<h3 class="forward">The forward pass: every value</h3>'
        f"{_value_table(_columns(ctx, _labelled(ctx.order, ctx.root, True)), entry)}"
        f'<p class="legend">{legend}</p>'
        f'<p class="where">1 / {ctx.total}</p></div>'
    )
    return _frame("title-slide", 1, body)


def _row_latex(ctx: _Context, row: BackwardRow) -> str:
    r"""A worksheet row's chain rule: ∂L/∂v = Σ ∂L/∂c · ∂c/∂v = Σ upstream · local
    (= Σ contribution) = total, then each local derivative with its formula.

    >>> from autograd import Value
    >>> w = Value(0.5, label="w")
    >>> z = w * 3.0; z.label = "z"
    >>> L = z.exp(); L.label = "L"
    >>> ctx = _context(L, "", 2, FORMAT)
    >>> print(_row_latex(ctx, worksheet(L).backward[1]))  # doctest: +NORMALIZE_WHITESPACE
    \begin{aligned}
      \frac{\partial L}{\partial w} &= \frac{\partial L}{\partial z} \cdot
        \frac{\partial z}{\partial w} = 4.482 \cdot 3 = 13.45 \\[6pt]
      \frac{\partial z}{\partial w} &= 3
    \end{aligned}
    """
    locals_ = [t.factor.to_latex(ctx.latex, ctx.fmt).partition(" = ") for t in row.terms]
    if len(row.terms) == 1 and row.terms[0].child is ctx.root:  # ∂L/∂v is the local one
        return "".join(locals_[0])
    node, num = ctx.latex[row.node], (lambda x: latex_number(x, ctx.fmt))
    names, products = [], []
    for t, (local, _, _) in zip(row.terms, locals_):
        upstream = t.child is not ctx.root
        names.append(f"{latex_derivative(ctx.latex[ctx.root], ctx.latex[t.child])} \\cdot "
                     f"{local}" if upstream else local)
        products.append(latex_product([num(t.upstream), num(t.local)]) if upstream
                        else num(t.local))
    parts = [latex_sum(names), latex_sum(products)]
    if len(row.terms) > 1:
        parts.append(latex_sum([num(t.contribution) for t in row.terms]))
    lines = [(latex_derivative(ctx.latex[ctx.root], node), " = ".join([*parts, num(row.value)])),
             *((left, right) for left, _, right in locals_)]
    body = " \\\\[6pt]\n".join(f"  {left} &= {right}" for left, right in lines)
    return f"\\begin{{aligned}}\n{body}\n\\end{{aligned}}"


def _slashed(ctx: _Context, v: Value) -> str:
    # ∂L/∂v on one line, as a heading or a list has room for.
    return f"\\partial {latex_bracket(ctx.latex[ctx.root])}/\\partial {latex_bracket(ctx.latex[v])}"


def _known(ctx: _Context, rows: Sequence[BackwardRow]) -> str:
    """The gradients found so far, down then across, this slide's last and marked: the
    last `KNOWN` of them, after a line saying how many earlier ones are left out (each slide
    would otherwise list every gradient before it: a deck's size would grow as the square of
    its steps).

    >>> from autograd import Value
    >>> v = Value(0.5, label="v")
    >>> for k in range(KNOWN + 2):
    ...     v = v * 2.0; v.label = f"v{k}"
    >>> ctx, rows = _context(v, "", 2, FORMAT), worksheet(v).backward
    >>> html_ = _known(ctx, rows)
    >>> len(rows), html_.count("<li"), "… and 2 earlier" in html_
    (14, 13, True)
    """
    shown = rows[-KNOWN:]
    earlier = len(rows) - len(shown)
    items = "".join(
        f'<li{" class=now" if k == len(shown) - 1 else ""}>'
        + _math(f"{_slashed(ctx, row.node)} = {latex_number(row.value, ctx.fmt)}") + "</li>"
        for k, row in enumerate(shown))
    if earlier:
        items = f'<li class="earlier">… and {earlier} earlier</li>' + items
    count = len(shown) + (1 if earlier else 0)
    down = max(5, math.ceil(count / 4))
    return (f'<div class="known"><h3>Gradients found so far</h3>'
            f'<ul style="grid-template-rows:repeat({min(down, count)},auto)">{items}</ul>'
            "</div>")


def _row_slide(ctx: _Context, rows: Sequence[BackwardRow], svg: str) -> str:
    row, number = rows[-1], len(rows) + 1
    senders = ", ".join(dict.fromkeys(ctx.latex[t.child] for t in row.terms))
    heading = (f"<b>Step {len(rows)} of {ctx.total - 2}:</b> {_math(_slashed(ctx, row.node))}"
               + (f", from {_math(senders)}" if senders else ""))
    focus = " ".join([ctx.ids[row.node], *(ctx.ids[t.child] for t in row.terms)])
    body = (
        _header(ctx, heading, number)
        + f'<div class="stage"><figure class="graph" data-focus="{focus}">{svg}</figure>'
        + f'<div class="equations">{_math(_row_latex(ctx, row), display=True)}'
        + f"{_known(ctx, rows)}</div></div>"
    )
    return _frame("step-slide", number, body, f' data-answer="{html.escape(row.answer)}"')


def _sent_to(step: Step, latex: Mapping[Value, str]) -> list[str]:
    # The parents that get gradient from the step, each once, in order; not constants.
    op = OPS.get(step.node.op)
    found: list[str] = []
    for p in step.parents:
        if is_constant(p.parent) or (op is not None and p.index in op.constant_inputs):
            continue
        name = latex[p.parent]
        if name not in found:
            found.append(name)
    return found


def _step_slide(ctx: _Context, step: Step, steps: int, svg: str) -> str:
    node = ctx.latex[step.node]
    gradient = (f"{latex_derivative(ctx.latex[ctx.root], node)} = "
                f"{latex_number(step.grad, step.fmt)}")
    parents = _sent_to(step, ctx.latex)
    if not parents:
        whom = "to no parent (only constants)"
    elif len(parents) <= 6:
        whom = "to " + ", ".join(_math(p) for p in parents)
    else:
        whom = f"to its {len(parents)} parents"
    heading = (f"<b>Step {step.number} of {steps}:</b> {_math(node)} sends "
               f"{_math(gradient)} back {whom}")
    focus = " ".join([ctx.ids[step.node]] + [ctx.ids[p.parent] for p in step.parents])
    body = (
        _header(ctx, heading, step.number + 1)
        + f'<div class="stage"><figure class="graph" data-focus="{focus}">'
        + f"{svg}</figure>"
        + f'<div class="equations">{_math(step.to_latex(), display=True)}</div></div>'
    )
    return _frame("step-slide", step.number + 1, body)


def _gradients_slide(ctx: _Context, grads: Mapping[Value, float]) -> str:
    root_name = ctx.latex[ctx.root]
    entry = {v: (f"\\displaystyle {latex_derivative(root_name, ctx.latex[v])} = "
                 f"{latex_number(g, ctx.fmt)}") for v, g in grads.items()}
    heading = f"Every gradient, after the backward pass of {_math(root_name)}"
    body = (_header(ctx, heading, ctx.total)
            + f'<div class="stage">{_value_table(_columns(ctx, list(grads)), entry)}</div>')
    return _frame("gradients-slide", ctx.total, body)


# ---- the page -----------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8">
<title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{style}</style>
{katex}
</head>
<body>
<main class="deck" data-least-text="{least}">
{slides}
</main>
{script}
</body>
</html>
"""

_STYLE = f"""
:root {{ --scale: 1; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; background: #d0d0d0; }}
body {{ font-family: Helvetica, Arial, sans-serif; color: #222;
  print-color-adjust: exact; -webkit-print-color-adjust: exact; }}
.deck {{ display: flex; flex-direction: column; align-items: center; gap: 8px; padding: 8px 0; }}
.frame {{ flex: none; width: calc({SLIDE_WIDTH}px * var(--scale));
  height: calc({SLIDE_HEIGHT}px * var(--scale)); overflow: hidden; background: #fff;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.35); }}
.slide {{ position: relative; width: {SLIDE_WIDTH}px; height: {SLIDE_HEIGHT}px;
  padding: {_PAD_Y}px {_PAD_X}px; display: flex; flex-direction: column; overflow: hidden;
  background: #fff; transform: scale(var(--scale)); transform-origin: 0 0; }}
.slide header {{ flex: none; height: {_HEADER}px; display: flex; align-items: center; gap: 16px;
  border-bottom: 2px solid {ROLES["root"]["color"]}; }}
.slide h2 {{ flex: 1 1 0; min-width: 0; align-self: stretch; display: flex; align-items: center;
  margin: 0; font-size: 24px; font-weight: normal; line-height: 1.15; white-space: nowrap;
  overflow: hidden; }}
.slide .where {{ margin-left: auto; font-size: 15px; color: #666; white-space: nowrap; }}
.stage {{ position: relative; flex: none; width: {STAGE[0]}px; height: {STAGE[1]}px;
  margin-top: {_GAP}px; }}
.graph {{ position: absolute; left: 0; top: 0; margin: 0; }}
.graph svg {{ display: block; max-width: {STAGE[0]}px; max-height: {STAGE[1]}px;
  width: auto; height: auto; }}
.equations {{ position: absolute; right: 0; bottom: 0; width: max-content;
  max-width: {STAGE[0]}px; font-size: 22px; padding: 0.3em 0.6em; background: #fff;
  border: 1px solid #d9d9d9; border-left: 4px solid {STEP}; border-radius: 0.3em; }}
.equations .katex-display {{ margin: 0; }}
.known {{ margin-top: 0.5em; padding-top: 0.3em; border-top: 1px solid #d9d9d9;
  font-size: 0.72em; }}
.known h3 {{ margin: 0 0 0.2em; font-size: 0.85em; font-weight: normal; color: #666; }}
.known ul {{ list-style: none; margin: 0; padding: 0; display: grid; grid-auto-flow: column;
  justify-content: start; gap: 0.1em 1.4em; }}
.known li {{ white-space: nowrap; padding: 0 0.2em; }}
.known .now {{ background: {STEP}; border-radius: 0.2em; }}
.known .earlier {{ color: #666; }}
.cover {{ display: flex; flex-direction: column; height: 100%; }}
.cover h1 {{ margin: 24px 0 4px; font-size: 44px; font-weight: bold; }}
.cover .subtitle {{ margin: 0 0 16px; font-size: 24px; color: #444; }}
.cover .forward {{ margin: 0 0 6px; font-size: 20px; color: #444; font-weight: normal; }}
.cover .values {{ flex: 1; min-height: 0; }}
.cover .legend {{ margin: 10px 0 0; font-size: 15px; display: flex; flex-wrap: wrap;
  gap: 6px 20px; }}
.cover .where {{ position: absolute; right: {_PAD_X}px; bottom: {_PAD_Y}px; margin: 0; }}
.swatch {{ display: inline-flex; align-items: center; gap: 6px; }}
.swatch i {{ display: inline-block; width: 24px; height: 14px; border: 1.5px solid; }}
.values {{ display: flex; gap: 64px; font-size: 24px; overflow: hidden; height: 100%; }}
.values h3 {{ margin: 0 0 4px; font-size: 0.8em; color: #666; font-weight: normal; }}
.values ul {{ list-style: none; margin: 0; padding: 0; }}
.values li {{ margin: 0 0 0.25em; white-space: nowrap; }}
.gradients-slide .values li {{ margin-bottom: 0.4em; }}
.values .more {{ color: #666; font-size: 0.8em; }}
.gradients-slide .values {{ padding-top: 10px; }}
@page {{ size: {SLIDE_WIDTH}px {SLIDE_HEIGHT}px; margin: 0; }}
@media print {{
  html, body {{ background: #fff; }}
  .deck {{ display: block; padding: 0; }}
  .frame {{ width: {SLIDE_WIDTH}px; height: {SLIDE_HEIGHT}px; box-shadow: none; }}
  .frame + .frame {{ break-before: page; }}
  .slide {{ transform: none; }}
}}
"""

# Typesets the math, lays each step's slide out (the drawing's size and where its equations
# go), shrinks the value tables to fit, and scales the slides to the window. Sets
# data-deck="ready" on <html> when done (and "no-katex" in place of typesetting if KaTeX
# did not load).
_SCRIPT = r"""(function () {
  "use strict";
  var W = __WIDTH__, ZOOM_GRAPH_PX = 12.5, MIN_MATH_PX = 12,
    MAX_MATH_PX = 26, CELL = 6, GAP = 10;
  var html = document.documentElement;
  // The least size of a drawing's text, in px of a slide at full size (the deck says).
  var LEAST = parseFloat(document.querySelector(".deck").getAttribute("data-least-text"));

  function typeset() {
    if (typeof katex === "undefined") { return false; }
    document.querySelectorAll(".math").forEach(function (el) {
      katex.render(el.textContent, el, {displayMode: el.classList.contains("display"),
        throwOnError: false, trust: false, strict: "ignore"});
    });
    return true;
  }

  function slideScale(slide) { return slide.getBoundingClientRect().width / W || 1; }

  // What the drawing covers, in CSS px of the slide at the drawing's full size: each
  // node's box, and points along each edge (its curve and its arrowhead).
  function obstacles(svg, k) {
    var origin = svg.getBoundingClientRect(), found = [];
    function add(r) {
      found.push([(r.left - origin.left) / k, (r.top - origin.top) / k,
                  (r.right - origin.left) / k, (r.bottom - origin.top) / k]);
    }
    svg.querySelectorAll("g.node").forEach(function (g) { add(g.getBoundingClientRect()); });
    svg.querySelectorAll("g.edge path").forEach(function (path) {
      var length = path.getTotalLength(), m = path.getScreenCTM();
      for (var at = 0; at <= length; at += 4) {
        var p = path.getPointAtLength(Math.min(at, length));
        var x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f;
        add({left: x - 1, top: y - 1, right: x + 1, bottom: y + 1});
      }
    });
    svg.querySelectorAll("g.edge polygon").forEach(function (p) {
      add(p.getBoundingClientRect());
    });
    return found;
  }

  function smallestText(svg, k) {
    var least = Infinity;
    svg.querySelectorAll("text").forEach(function (t) {
      var m = t.getScreenCTM();
      least = Math.min(least, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b));
    });
    return least / k;
  }

  // A grid of the stage's cells, 1 where the drawing (shrunk by s) is, with summed areas
  // so that any rectangle is tested at once.
  function occupancy(rects, s, cols, rows) {
    var grid = new Int32Array((cols + 1) * (rows + 1));
    var mark = new Uint8Array(cols * rows);
    rects.forEach(function (r) {
      var c0 = Math.max(0, Math.floor((r[0] * s - GAP) / CELL));
      var r0 = Math.max(0, Math.floor((r[1] * s - GAP) / CELL));
      var c1 = Math.min(cols - 1, Math.floor((r[2] * s + GAP) / CELL));
      var r1 = Math.min(rows - 1, Math.floor((r[3] * s + GAP) / CELL));
      for (var y = r0; y <= r1; y++) { for (var x = c0; x <= c1; x++) { mark[y * cols + x] = 1; } }
    });
    for (var y = 0; y < rows; y++) {
      for (var x = 0; x < cols; x++) {
        grid[(y + 1) * (cols + 1) + x + 1] = mark[y * cols + x] + grid[y * (cols + 1) + x + 1]
          + grid[(y + 1) * (cols + 1) + x] - grid[y * (cols + 1) + x];
      }
    }
    return function (c0, r0, c1, r1) {  // cells [c0, c1) x [r0, r1) all free?
      var w = cols + 1;
      return grid[r1 * w + c1] - grid[r0 * w + c1] - grid[r1 * w + c0] + grid[r0 * w + c0] === 0;
    };
  }

  // Where a panel of w x h CSS px fits in the stage, nearest its bottom right; or null.
  function place(free, w, h, cols, rows) {
    var pw = Math.ceil(w / CELL), ph = Math.ceil(h / CELL);
    if (pw > cols || ph > rows) { return null; }
    for (var sum = cols - pw + rows - ph; sum >= 0; sum--) {
      for (var c = Math.min(cols - pw, sum); c >= 0 && sum - c <= rows - ph; c--) {
        var r = sum - c;
        if (free(c, r, c + pw, r + ph)) { return [c * CELL, r * CELL]; }
      }
    }
    return null;
  }

  function layoutStep(slide) {
    var stage = slide.querySelector(".stage"), figure = stage.querySelector(".graph");
    var svg = figure.querySelector("svg"), panel = stage.querySelector(".equations");
    var k = slideScale(slide), sw = stage.clientWidth, sh = stage.clientHeight;
    var fullW = svg.width.baseVal.value, fullH = svg.height.baseVal.value;
    svg.style.maxWidth = svg.style.maxHeight = "none";
    svg.style.width = fullW + "px"; svg.style.height = fullH + "px";
    var text = smallestText(svg, k);
    panel.style.fontSize = MAX_MATH_PX + "px";
    panel.style.maxWidth = "none";  // its own size: the fit below scales it with its font
    var pw = panel.offsetWidth, ph = panel.offsetHeight;
    var cols = Math.floor(sw / CELL), rows = Math.floor(sh / CELL);
    if (text < LEAST) {
      return layoutZoomed(slide, figure, svg, panel, text, [sw, sh, cols, rows, pw, ph], k);
    }
    var rects = obstacles(svg, k);
    var lowest = Math.min(1, LEAST / text), best = null;
    for (var s = 1; s >= lowest - 1e-9; s -= 0.02) {
      var free = occupancy(rects, s, cols, rows), lo = MIN_MATH_PX, hi = MAX_MATH_PX, at = null;
      var fits = function (f) {
        return place(free, pw * f / MAX_MATH_PX, ph * f / MAX_MATH_PX, cols, rows);
      };
      if (!(at = fits(lo))) { continue; }
      while (hi - lo > 0.25) {  // the largest font that fits
        var mid = (lo + hi) / 2, spot = fits(mid);
        if (spot) { lo = mid; at = spot; } else { hi = mid; }
      }
      // Both should read well: the score is the smaller of the two, relative to what each
      // would ideally be (graph text 14 px, equations 20 px).
      var score = Math.min(text * s / 14, lo / 20);
      if (!best || score > best.score + 1e-6) { best = {s: s, f: lo, at: at, score: score}; }
      if (text * s / 14 < best.score) { break; }  // smaller drawings can only score less
    }
    if (!best) {  // no room anywhere: the smallest readable drawing, the equations below it
      best = {s: lowest, f: MIN_MATH_PX, at: null};
    }
    var gw = fullW * best.s, gh = fullH * best.s;
    svg.style.width = gw + "px"; svg.style.height = gh + "px";
    panel.style.fontSize = best.f + "px";
    var w = panel.offsetWidth, h = panel.offsetHeight;
    var at = best.at || [Math.max(0, sw - w), Math.max(0, sh - h)];
    // Centre the drawing and its equations together in the stage.
    var right = Math.max(gw, at[0] + w), bottom = Math.max(gh, at[1] + h);
    var dx = Math.max(0, (sw - right) / 2), dy = Math.max(0, (sh - bottom) / 2);
    figure.style.left = dx + "px"; figure.style.top = dy + "px";
    panel.style.left = (at[0] + dx) + "px"; panel.style.top = (at[1] + dy) + "px";
    panel.style.right = panel.style.bottom = "auto";
    slide.setAttribute("data-layout", [best.s.toFixed(2), best.f.toFixed(1),
                                      best.at ? "room" : "overlap"].join(" "));
  }

  // The largest font (and where) at which the equations fit among the obstacles; or null.
  function largestFit(rects, stage) {
    var cols = stage[2], rows = stage[3], pw = stage[4], ph = stage[5];
    var free = occupancy(rects, 1, cols, rows), lo = MIN_MATH_PX, hi = MAX_MATH_PX;
    var fits = function (f) {
      return place(free, pw * f / MAX_MATH_PX, ph * f / MAX_MATH_PX, cols, rows);
    };
    var at = fits(lo);
    if (!at) { return null; }
    while (hi - lo > 0.25) {
      var mid = (lo + hi) / 2, spot = fits(mid);
      if (spot) { lo = mid; at = spot; } else { hi = mid; }
    }
    return {f: lo, at: at};
  }

  // A drawing too large to read whole on a slide: enlarged until its text reads, and cropped
  // to the step's node, its parents and the edges between them, with the equations where
  // they cover none of the drawing, else none of that neighbourhood.
  function layoutZoomed(slide, figure, svg, panel, text, stage, k) {
    var sw = stage[0], sh = stage[1], zoom = Math.max(ZOOM_GRAPH_PX, LEAST) / text;
    var fullW = svg.width.baseVal.value * zoom, fullH = svg.height.baseVal.value * zoom;
    svg.style.width = fullW + "px"; svg.style.height = fullH + "px";
    svg.style.position = "absolute";
    figure.style.width = sw + "px"; figure.style.height = sh + "px";
    figure.style.overflow = "hidden";
    var focus = (figure.getAttribute("data-focus") || "").split(" ");
    var origin = svg.getBoundingClientRect();
    var box = null;
    svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var title = g.querySelector("title"), name = title ? title.textContent : "";
      var hit = g.classList.contains("node") ? focus.indexOf(name) >= 0
        : name.slice(name.indexOf("->") + 2) === focus[0];
      if (!hit) { return; }
      var r = g.getBoundingClientRect();
      var b = [(r.left - origin.left) / k, (r.top - origin.top) / k,
               (r.right - origin.left) / k, (r.bottom - origin.top) / k];
      box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]),
                   Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
    });
    box = box || [0, 0, sw, sh];
    function offset(size, room, lo, hi) {  // [lo, hi] centred, the drawing filling the room
      if (size <= room) { return (room - size) / 2; }
      return Math.min(0, Math.max(room - size, room / 2 - (lo + hi) / 2));
    }
    var ox = offset(fullW, sw, box[0], box[2]), oy = offset(fullH, sh, box[1], box[3]);
    svg.style.left = ox + "px"; svg.style.top = oy + "px";
    var shift = function (r) { return [r[0] + ox, r[1] + oy, r[2] + ox, r[3] + oy]; };
    var visible = obstacles(svg, k).map(shift);  // relative to the drawing, then the stage
    var found = largestFit(visible, stage), how = "room";
    if (!found) { found = largestFit([shift(box)], stage); how = "focus"; }
    if (!found) { found = {f: MIN_MATH_PX, at: null}; how = "overlap"; }
    panel.style.fontSize = found.f + "px";
    var at = found.at || [Math.max(0, sw - panel.offsetWidth),
                          Math.max(0, sh - panel.offsetHeight)];
    panel.style.left = at[0] + "px"; panel.style.top = at[1] + "px";
    panel.style.right = panel.style.bottom = "auto";
    slide.setAttribute("data-layout", ["zoom", zoom.toFixed(2), found.f.toFixed(1), how]
      .join(" "));
  }

  // Shrink a box's font until its content fits it.
  function fit(box, least) {
    var size = parseFloat(getComputedStyle(box).fontSize);
    while (size > least && (box.scrollHeight > box.clientHeight + 1
                            || box.scrollWidth > box.clientWidth + 1)) {
      size -= 0.5;
      box.style.fontSize = size + "px";
    }
  }

  // A heading too long for its line: smaller, then on two lines, never cut.
  function fitHeading(h) {
    fit(h, 16);
    if (h.scrollWidth > h.clientWidth + 1) {
      h.style.whiteSpace = "normal"; h.style.fontSize = ""; fit(h, 10);
    }
  }

  function layout() {
    document.querySelectorAll(".slide h2").forEach(fitHeading);
    document.querySelectorAll(".step-slide").forEach(layoutStep);
    document.querySelectorAll(".fit").forEach(function (box) { fit(box, 10); });
  }

  function rescale() {
    var width = document.documentElement.clientWidth;
    html.style.setProperty("--scale", String(Math.min(1, (width - 16) / W)));
  }

  function go(direction) {
    var frames = [].slice.call(document.querySelectorAll(".frame")), y = window.scrollY + 4;
    var now = 0;
    frames.forEach(function (f, i) { if (f.offsetTop <= y) { now = i; } });
    var next = frames[Math.max(0, Math.min(frames.length - 1, now + direction))];
    if (next) { window.scrollTo(0, next.offsetTop - 8); }
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (e.key === "ArrowRight" || e.key === "PageDown") { go(1); e.preventDefault(); }
    if (e.key === "ArrowLeft" || e.key === "PageUp") { go(-1); e.preventDefault(); }
  });

  rescale();
  window.addEventListener("resize", rescale);
  var typeset_ = typeset();
  var fonts = ["KaTeX_Main", "KaTeX_Math", "KaTeX_Size1", "KaTeX_Size2", "KaTeX_AMS"];
  var ready = document.fonts && typeset_
    ? Promise.all(fonts.map(function (f) { return document.fonts.load("20px " + f); }))
        .then(function () { return document.fonts.ready; })
    : Promise.resolve();
  ready.catch(function () {}).then(function () {
    layout();
    html.setAttribute("data-deck", typeset_ ? "ready" : "no-katex");
  });
})();""".replace("__WIDTH__", str(SLIDE_WIDTH))
