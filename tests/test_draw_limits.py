"""Graphviz within bounds: dot's time limit and the way out, its failures in the project's
words, long labels cut with the whole in a tooltip, progress on a terminal only, and graphs
too large for the page's own layout refused up front."""

from __future__ import annotations

import io
import os
import random
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import browser
import graphviz
import pytest

from autograd import Value, dot, draw, play
from autograd.cli import main
from autograd.draw import (
    TIMEOUT_VARIABLE,
    DotError,
    DotTimeout,
    Drawing,
    in_browser,
    layout,
    render,
)
from autograd.draw.in_browser import browser_drawing_html
from autograd.draw.style import MAX_LABEL
from nn import MLP

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
LONG = "a" * 10_000


def chain(n: int) -> Value:
    """n multiplications in a row: 2n + 1 Values."""
    y = Value(0.5, label="x")
    for _ in range(n):
        y = y * 1.0001
    y.backward()
    return y


def powers(levels: int) -> Value:
    """x**x**...**1: x feeds every level, the graph whose layout was slowest."""
    x = Value(1.1, label="x")
    y = Value(1.0)
    for _ in range(levels):
        y = x ** y
    y.backward()
    return y


def fake_dot(folder: Path, monkeypatch, script: str) -> Path:
    """Put a `dot` running the shell ``script`` first on PATH; returns the folder's pid file,
    where the script may write its process id."""
    program = folder / "dot"
    program.write_text(f"#!/bin/sh\necho $$ > {folder / 'pid'}\n{script}\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder / "pid"


def running(pid: int) -> bool:
    # a killed child, reaped by its parent, no longer exists
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(
        f"/proc/{pid}/status").read_text().lower()


# ---- the time limit -----------------------------------------------------------------------

def test_a_huge_graph_with_a_tiny_limit_stops_with_the_limit_and_the_way_out():
    drawing = draw(chain(2000), max_nodes=None, timeout=0.01)
    with pytest.raises(DotTimeout) as caught:
        drawing.pipe(format="svg")
    message = str(caught.value)
    assert "\n" not in message
    assert "the 0.01 s limit" in message and "4,001 nodes" in message
    assert "collapse=True" in message and 'view="neurons"' in message
    assert "timeout=60" in message and f"{TIMEOUT_VARIABLE}=60" in message
    assert isinstance(caught.value, ValueError)  # the command line prints it as one line


def test_a_slow_dot_is_stopped_at_the_limit_and_killed(tmp_path, monkeypatch):
    pid_file = fake_dot(tmp_path, monkeypatch, "sleep 60")
    y = Value(2.0, label="x").exp()
    with pytest.raises(DotTimeout, match=r"the 0\.5 s limit"):
        draw(y, timeout=0.5).pipe(format="svg")
    assert not running(int(pid_file.read_text()))


def test_the_limit_comes_from_pipe_then_the_drawing_then_the_environment(tmp_path,
                                                                          monkeypatch):
    fake_dot(tmp_path, monkeypatch, "sleep 60")
    y = Value(2.0, label="x").exp()
    monkeypatch.setenv(TIMEOUT_VARIABLE, "0.3")
    with pytest.raises(DotTimeout, match=r"the 0\.3 s limit"):
        draw(y).pipe(format="svg")
    with pytest.raises(DotTimeout, match=r"the 0\.2 s limit"):
        draw(y, timeout=0.2).pipe(format="svg")
    with pytest.raises(DotTimeout, match=r"the 0\.1 s limit"):
        draw(y, timeout=0.2).pipe(format="svg", timeout=0.1)
    with pytest.raises(DotTimeout, match=r"the 0\.25 s limit"):
        render(y, tmp_path / "g.svg", timeout=0.25)
    assert not (tmp_path / "g.svg").exists()


def test_the_default_limit_is_ten_seconds(monkeypatch):
    monkeypatch.delenv(TIMEOUT_VARIABLE, raising=False)
    assert layout.time_limit() == 10.0
    monkeypatch.setenv(TIMEOUT_VARIABLE, "25")
    assert layout.time_limit() == 25.0


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "soon", True])
def test_a_limit_that_is_not_a_positive_number_is_refused_at_once(bad):
    with pytest.raises(DotError, match="timeout must be a positive number of seconds"):
        draw(Value(1.0, label="x").exp(), timeout=bad)


def test_a_bad_environment_limit_names_the_variable(monkeypatch):
    monkeypatch.setenv(TIMEOUT_VARIABLE, "ten")
    with pytest.raises(DotError, match=f"{TIMEOUT_VARIABLE} must be a positive number"):
        draw(Value(1.0, label="x").exp()).pipe(format="svg")


def test_the_command_line_prints_the_limit_in_one_line_and_exits_2(tmp_path, monkeypatch,
                                                                     capsys):
    fake_dot(tmp_path, monkeypatch, "sleep 60")
    monkeypatch.setenv(TIMEOUT_VARIABLE, "0.3")
    page = tmp_path / "p.html"
    status = main(["play", "x**x**x**1", "--at", "x=1.1", "--html", str(page)])
    err = capsys.readouterr().err
    assert status == 2 and not page.exists()
    assert err.count("\n") == 1 and err.startswith("error: Graphviz's dot took more than the "
                                                   "0.3 s limit")
    assert f"{TIMEOUT_VARIABLE}=" in err and "Traceback" not in err


def test_jupyter_shows_the_one_line_error_instead_of_a_traceback(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "sleep 60")
    shown = draw(Value(1.0, label="x").exp(), timeout=0.2)._repr_mimebundle_()
    assert list(shown) == ["text/plain"]
    assert shown["text/plain"].startswith("DotTimeout: Graphviz's dot took more than the 0.2")


def test_a_big_graph_is_laid_out_with_a_bounded_effort():
    # x**x**...**1, 100 levels: dot spent 20 s placing its nodes unbounded
    source = draw(powers(100), max_nodes=None).source
    assert "nslimit=2" in source
    small = draw(powers(3)).source
    assert "nslimit" not in small


# ---- dot's failures -------------------------------------------------------------------------

def test_a_real_dot_error_is_the_projects_own_naming_the_cause():
    d = Drawing()
    d.node("a", label="<<b>not closed>")  # an HTML-like label dot cannot parse
    with pytest.raises(DotError) as caught:
        d.pipe(format="svg")
    assert not isinstance(caught.value, graphviz.CalledProcessError)
    assert type(caught.value).__module__.startswith("autograd.")
    message = str(caught.value)
    assert message.startswith("Graphviz's dot could not draw this graph: ")
    assert "mismatched tag" in message and "\n" not in message


def test_a_failing_dot_is_quoted_by_its_first_error_line_shortened(tmp_path, monkeypatch):
    long_line = "Error: " + "edge too long " * 40
    fake_dot(tmp_path, monkeypatch,
             f"echo 'Warning: ignored' >&2; echo '{long_line}' >&2; echo 'Error: second' >&2;"
             " exit 1")
    with pytest.raises(DotError) as caught:
        draw(Value(1.0, label="x").exp()).pipe(format="svg")
    message = str(caught.value)
    quoted = message.removeprefix("Graphviz's dot could not draw this graph: ")
    assert quoted.startswith("edge too long edge too long") and quoted.endswith("…")
    assert len(quoted) <= 120 and "second" not in message and "Warning" not in message


def test_a_crashing_dot_without_a_message_gives_its_exit_status(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "exit 3")
    with pytest.raises(DotError, match="exit status 3"):
        render(Value(1.0, label="x").exp(), tmp_path / "g.png")


def test_render_runs_within_the_limit_and_writes_beside_the_source(tmp_path):
    d = draw(Value(1.0, label="x").exp(), timeout=30)
    written = d.render(tmp_path / "g", format="svg")
    assert written == f"{tmp_path / 'g'}.svg" and (tmp_path / "g").read_text() == d.source
    assert ET.parse(written).getroot().tag == f"{SVG}svg"
    out = d.render(outfile=tmp_path / "h.png", cleanup=True)
    assert Path(out).read_bytes()[:4] == b"\x89PNG" and not (tmp_path / "h.gv").exists()


def test_render_of_a_plain_digraph_is_bounded_too(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "sleep 60")
    plain = graphviz.Digraph()
    plain.edge("a", "b")
    with pytest.raises(DotTimeout, match=r"0\.2 s"):
        render(plain, tmp_path / "g.svg", timeout=0.2)


# ---- long labels ----------------------------------------------------------------------------

def node_groups(svg: ET.Element) -> dict[str, ET.Element]:
    return {g.find(f"{SVG}title").text: g for g in svg.iter(f"{SVG}g")
            if g.get("class") in ("node", "edge")}


def texts(g: ET.Element) -> list[str]:
    return [t.text or "" for t in g.iter(f"{SVG}text")]


def tooltips(g: ET.Element) -> list[str]:
    return [a.get(f"{XLINK}title") for a in g.iter(f"{SVG}a")]


def test_a_10kb_label_is_drawn_cut_with_the_whole_in_its_tooltip():
    a = Value(1.0, label=LONG)
    y = (a * 2).exp()
    y.label = "y"
    y.backward()
    svg = ET.fromstring(draw(y).pipe(format="svg"))
    node = node_groups(svg)["v0"]
    assert texts(node)[0] == "a" * (MAX_LABEL - 1) + "…"
    assert tooltips(node) == [LONG]
    every = [t for g in node_groups(svg).values() for t in texts(g)]
    assert max(map(len, every)) < 3 * MAX_LABEL  # derivative names use the cut name too


def test_a_long_label_with_markup_is_escaped_in_the_tooltip_and_the_picture():
    evil = '<script>alert("x")</script> & \'quoted\' \\N ' * 300
    y = Value(1.0, label=evil).exp()
    y.backward()
    svg_text = draw(y).pipe(format="svg", encoding="utf-8")
    assert "<script>" not in svg_text
    node = node_groups(ET.fromstring(svg_text))["v0"]
    assert tooltips(node) == [evil]
    assert texts(node)[0] == evil[: MAX_LABEL - 1] + "…"


def test_a_short_label_gets_no_tooltip():
    y = Value(1.0, label="w1").exp()
    assert "tooltip" not in draw(y).source


def test_long_labels_draw_in_the_neurons_view_with_tooltips():
    x = Value(1.0, label="x" * 10_000)
    w, b = Value(0.5, label="w" * 5_000), Value(0.1, label="b" * 3_000)
    z = dot([w], [x], b)
    h = z.relu()
    h.label = "h" * 2_000
    loss = (h - 1.0) ** 2
    loss.label = "L" * 9_000
    loss.backward()
    svg = ET.fromstring(draw(loss, view="neurons").pipe(format="svg"))
    groups = node_groups(svg)
    every = [t for g in groups.values() for t in texts(g)]
    assert max(map(len, every)) < 3 * MAX_LABEL
    assert "x" * (MAX_LABEL - 1) + "… = 1" in every
    tips = [t for g in groups.values() for t in tooltips(g)]
    assert "x" * 10_000 in tips and "L" * 9_000 in tips
    assert any("w" * 5_000 in t for t in tips)  # the weight's edge
    assert any(t.split("\n") == ["h" * 2_000, "b" * 3_000] for t in tips)  # the neuron


def test_play_draws_a_10kb_label():
    y = Value(1.0, label=LONG).exp()
    y.backward()
    player = play(y)
    html = player.html()
    assert player.layout == "dot" and "a" * (MAX_LABEL - 1) + "…" in html


# ---- progress -------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "sleep 1.5; cat > /dev/null; echo '<svg/>'")
    monkeypatch.setattr(layout, "PROGRESS_AFTER", 0.2)
    y = Value(1.0, label="x").exp()
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert draw(y).pipe(format="svg") == b"<svg/>\n"
    shown = terminal.getvalue()
    assert "laying out 2 nodes with dot" in shown and "/10 s" in shown
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    assert draw(y).pipe(format="svg") == b"<svg/>\n"
    assert piped.getvalue() == ""


def test_a_quick_layout_on_a_terminal_shows_nothing(tmp_path, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    svg = draw(Value(1.0, label="x").exp()).pipe(format="svg")
    assert ET.fromstring(svg).tag == f"{SVG}svg" and terminal.getvalue() == ""
    # a layout shorter than PROGRESS_AFTER (2 s) shows no bar either
    fake_dot(tmp_path, monkeypatch, "sleep 0.6; cat > /dev/null; echo '<svg/>'")
    assert draw(Value(1.0, label="x").exp()).pipe(format="svg") == b"<svg/>\n"
    assert terminal.getvalue() == ""


def test_a_timeout_on_a_terminal_still_ends_in_one_error(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "sleep 60")
    monkeypatch.setattr(layout, "PROGRESS_AFTER", 0.1)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with pytest.raises(DotTimeout, match=r"0\.6 s limit"):
        draw(Value(1.0, label="x").exp(), timeout=0.6).pipe(format="svg")
    assert "laying out" in terminal.getvalue()


# ---- the page's own layout ------------------------------------------------------------------

def test_a_graph_too_large_for_the_page_is_refused_with_the_way_out(monkeypatch):
    source = draw(chain(in_browser.BROWSER_MAX_NODES), max_nodes=None).source
    fragment = browser_drawing_html(source)
    assert "<script" not in fragment and 'data-drawn="refused"' in fragment
    assert f"{2 * in_browser.BROWSER_MAX_NODES + 1:,} nodes" in fragment
    assert "apt-get install graphviz" in fragment and "collapse=True" in fragment
    small = draw(chain(10)).source
    assert "<script" in browser_drawing_html(small)


def test_the_node_count_is_the_drawings_own():
    model = MLP(2, [3, 1], rng=random.Random(0))
    loss = (model([Value(1.0, label="x1"), Value(2.0, label="x2")]) - 1.0) ** 2
    loss.backward()
    drawing = draw(loss, legend=False)
    svg = ET.fromstring(drawing.pipe(format="svg"))
    assert drawing.nodes() == sum(1 for g in svg.iter(f"{SVG}g") if g.get("class") == "node")


def test_the_page_shows_the_refusal_and_lays_out_the_worst_small_graph(tmp_path,
                                                                       monkeypatch):
    monkeypatch.setattr(in_browser, "BROWSER_MAX_NODES", 50)
    refused = browser_drawing_html(draw(chain(30)).source)
    drawn = browser_drawing_html(draw(powers(40), max_nodes=None).source)  # 42 nodes
    page_html = ('<!doctype html><html><head><meta charset="utf-8"></head><body>'
                 f'<div style="width:1000px">{refused}{drawn}</div></body></html>')
    with browser.page() as page:
        page.set_content(page_html)
        page.wait_for_selector('.backprop-lab-drawing[data-drawn="1"]', timeout=60_000)
        shown = page.eval_on_selector_all(
            ".backprop-lab-drawing",
            "ds => ds.map(d => [d.getAttribute('data-drawn'), d.innerText,"
            " d.querySelectorAll('g.node').length])")
        page.screenshot(path=str(tmp_path / "limits.png"))
    assert shown[0][0] == "refused" and "61 nodes, more than the 50" in shown[0][1]
    assert shown[1][0] == "1" and shown[1][2] == 42
