"""The player, opened as a learner opens it: a saved page in Debian's Chromium, offline.

Its numbers are checked against the Python engine rebuilt at the same inputs (values and
gradients within 1e-12 relative), its steps against `backward_steps`, its drawing against
what a person sees (texts in the SVG), and its safety with labels written to attack it.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, backward_steps, define_op
from autograd.graph import topological_order
from autograd.ops import OPS
from autograd.player import play
from autograd.player.model import describe
from nn.examples import student_forward
from tests.browser import page

REL = 1e-12


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=1e-300)


class Opened:
    """A saved player open in Chromium, with what the page asked of the network and said."""

    def __init__(self, page: Any, requests: list[str], errors: list[str]) -> None:
        self.page, self.requests, self.errors = page, requests, errors

    def call(self, method: str, *args: Any) -> Any:
        # through JSON, as a page would send it on: every own key, "__proto__" included
        text = self.page.evaluate(
            "([m, args]) => JSON.stringify("
            "document.querySelector('[data-backprop-player]').player[m](...args))",
            [method, list(args)])
        return None if text is None else json.loads(text)

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("state")
        return result

    def texts(self) -> list[str]:
        found: list[str] = self.page.eval_on_selector_all(
            ".bp-graph svg text", "ts => ts.map(t => t.textContent)")
        return found


@pytest.fixture
def opened(tmp_path: Path):
    """Open a player's saved page from disk; every network request is refused and counted."""
    with page() as p:
        requests: list[str] = []
        errors: list[str] = []
        p.on("request", lambda r: requests.append(r.url))
        p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        p.on("pageerror", lambda e: errors.append(str(e)))

        def open_player(player: Any, name: str = "player.html") -> Opened:
            path = player.save(tmp_path / name)
            p.goto(path.as_uri())
            p.wait_for_selector("[data-backprop-player][data-ready='1']", timeout=60_000)
            # every number of the data found its text in the drawing; no "needs JavaScript"
            assert p.get_attribute("[data-backprop-player]", "data-unattached") == "0"
            assert p.locator(".bp-noscript").count() == 0
            return Opened(p, requests, errors)

        yield open_player


def student() -> dict[str, Value]:
    net = student_forward()
    return net


def engine_at(changes: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """The student network rebuilt by the Python engine with some leaves changed."""
    net = student_forward()
    order = topological_order(net["L"])
    for v in order:
        if not v.parents and v.label in changes:
            v.data = changes[v.label]
    # rebuild: replay the same ops on the changed leaves
    rebuilt = _rebuild(net["L"])
    rebuilt.backward()
    values = {v.label: v.data for v in topological_order(rebuilt) if v.label}
    grads = {v.label: v.grad for v in topological_order(rebuilt) if v.label}
    return values, grads


def _rebuild(root: Value) -> Value:
    # The same graph computed again from its leaves' numbers, op by op, with the engine.
    from autograd.value import apply

    made: dict[Value, Value] = {}
    for v in topological_order(root):
        if not v.parents:
            made[v] = v
            continue
        new = apply(OPS[v.op], *(made[p] for p in v.parents))
        new.label = v.label
        made[v] = new
    return made[root]


def test_describe_leaves_the_graph_as_it_was() -> None:
    net = student()
    loss = net["L"]
    before = [(v, v.grad) for v in topological_order(loss)]
    data = describe(loss).data
    assert [(v, v.grad) for v, _ in before] == before
    assert len(data["backward"]) == len(list(backward_steps(student()["L"])))
    assert data["live"] and data["why"] == ""


def test_student_page_steps_like_backward(opened) -> None:
    net = student()
    loss = net["L"]
    page_ = opened(play(loss))
    first = page_.state()
    assert first["phase"] == "forward" and first["step"] == 0
    n_forward = sum(1 for v in topological_order(loss) if v.parents)
    steps = list(backward_steps(student()["L"]))
    assert first["steps"] == n_forward + len(steps)
    assert all(g == 0 for g in first["grads"].values())

    # From the end back to the first backward step: each step's gradients are
    # backward_steps' snapshot, and its focus is the node that step sends from.
    reference = student()
    snapshots = [(s.node.label, s.grads()) for s in backward_steps(reference["L"])]
    state = page_.call("end")
    for k in range(len(snapshots), 0, -1):
        assert state["phase"] == "backward" and state["step"] == n_forward + k
        for v, g in snapshots[k - 1][1].items():
            if v.label:
                assert close(state["grads"][v.label], g), (k, v.label)
        state = page_.call("stepBack")
    assert state["step"] == n_forward and state["phase"] == "forward"
    assert all(g == 0 for g in state["grads"].values())

    end = page_.call("end")
    loss.backward()
    for v in topological_order(loss):
        if v.label:
            assert close(end["grads"][v.label], v.grad), v.label
            assert close(end["values"][v.label], v.data), v.label
    back = page_.call("stepBack")
    assert back["step"] == end["steps"] - 1
    again = page_.call("stepForward")
    assert again == end
    assert page_.errors == []
    assert [u for u in page_.requests if not u.startswith(("file:", "data:"))] == []


def test_set_value_agrees_with_the_engine_and_keeps_the_step(opened) -> None:
    page_ = opened(play(student()["L"]))
    page_.call("end")
    page_.call("stepBack")
    assert page_.call("setValue", "w1", 0.7) is True
    assert page_.call("setValue", "x2", -1.25) is True
    state = page_.state()
    assert state["step"] == state["steps"] - 1
    page_.call("end")
    state = page_.state()
    values, grads = engine_at({"w1": 0.7, "x2": -1.25})
    for label in values:
        assert close(state["values"][label], values[label]), label
        assert close(state["grads"][label], grads[label]), label
    # and the drawing shows them: ∂L/∂w1 as the SVG writes it
    from autograd.notation import number

    assert f"grad {number(grads['w1'])}" in page_.texts()


def test_a_domain_error_is_shown_and_the_page_keeps_working(opened) -> None:
    x = Value(2.0, label="x")
    y = x.log()
    y.label = "y"
    page_ = opened(play(y))
    assert page_.call("setValue", "x", -1.0) is False
    box = page_.page.text_content(".bp-error")
    assert box.startswith("In y: log: not defined at a = -1 (a is x).")
    # the field shows the number the graph still uses, marked as refused
    field = page_.page.locator(".bp-inputs input[type=number]")
    assert field.input_value() == "2" and field.get_attribute("aria-invalid") == "true"
    assert page_.state()["values"]["x"] == 2.0
    assert page_.call("setValue", "x", math.e) is True
    assert close(page_.state()["values"]["y"], 1.0)
    assert not page_.page.is_visible(".bp-error")
    assert page_.errors == []


def test_hostile_labels_are_text(opened) -> None:
    attacks = ["</script><script>window.pwned=1</script>", '<img src=x onerror="window.pwned=2">']
    a, b = Value(1.5, label=attacks[0]), Value(2.0, label=attacks[1])
    out = a * b
    out.label = "&amp; <b>bold</b>"
    for layout in ("dot", "browser"):
        page_ = opened(play(out, layout=layout), f"{layout}.html")
        assert page_.page.evaluate("window.pwned") is None
        shown = page_.texts()
        assert any(attacks[0] in t for t in shown) and any(attacks[1] in t for t in shown)
        page_.call("end")
        assert page_.call("setValue", attacks[1], 3.0) is True
        assert close(page_.state()["values"]["&amp; <b>bold</b>"], 4.5)
        assert page_.page.evaluate("window.pwned") is None
        assert [u for u in page_.requests if not u.startswith(("file:", "data:"))] == []


def test_without_dot_the_page_lays_the_graph_out(opened, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    net = student()
    player = play(net["L"])
    assert player.layout == "browser"
    monkeypatch.undo()
    page_ = opened(player)
    drawn = [n for n in describe(net["L"]).data["nodes"] if n["drawn"]]
    titles = page_.page.eval_on_selector_all(".bp-graph svg g.node title",
                                             "ts => ts.map(t => t.textContent)")
    assert sorted(titles) == sorted(n["id"] for n in drawn)
    end = page_.call("end")
    net["L"].backward()
    assert close(end["grads"]["w1"], net["w1"].grad)
    assert page_.errors == []


def test_keys_buttons_hover_and_paths(opened) -> None:
    net = student()
    page_ = opened(play(net["L"]))
    p = page_.page
    p.focus("[data-backprop-player]")
    p.keyboard.press("ArrowRight")
    p.keyboard.press("ArrowRight")
    assert page_.state()["step"] == 2
    p.keyboard.press("ArrowLeft")
    assert page_.state()["step"] == 1
    p.keyboard.press("End")
    assert page_.state()["step"] == page_.state()["steps"]
    p.keyboard.press("Home")
    assert page_.state()["step"] == 0
    assert "Before the first step" in p.text_content(".bp-caption")
    p.click("button[title^='step forward']")
    assert page_.state()["step"] == 1
    assert p.text_content(".bp-counter").startswith("forward step 1 of")
    # the step's node is filled and the arrows into it are red
    data = describe(net["L"]).data
    first = data["nodes"][data["forward"][0]]
    red = p.eval_on_selector_all(
        ".bp-graph g.edge path", "ps => ps.filter(q => q.getAttribute('stroke') === '#cc0000')"
        ".map(q => q.parentNode.getAttribute('data-edge'))")
    assert red and all(t.endswith("->" + first["id"]) for t in red)
    assert len(red) == len([e for e in data["edges"] if e["child"] == data["forward"][0]
                            and e["svg"] >= 0])
    p.keyboard.press("End")
    assert p.text_content(".bp-counter").startswith("backward step")
    assert p.locator("table.bp-step tr").count() >= 2
    # an edge under the mouse shows its local derivative, and is drawn thicker
    ids = {n["label"]: n["id"] for n in data["nodes"] if n["label"]}
    arrow = f".bp-graph g.edge[data-edge='{ids['w1']}->{ids['z1']}']"
    p.dispatch_event(arrow, "mouseenter")
    assert p.text_content(".bp-tip") == "∂z1/∂w1 = x1 = 2" and p.is_visible(".bp-tip")
    assert p.get_attribute(arrow + " path", "stroke-width") == "4"
    p.dispatch_event(arrow, "mouseleave")
    assert not p.is_visible(".bp-tip")
    constant = next(n["id"] for n in data["nodes"] if n["role"] == "constant" and n["drawn"])
    p.dispatch_event(f".bp-graph g.edge[data-edge^='{constant}->']", "mouseenter")
    assert p.text_content(".bp-tip") == "1 is a constant: no gradient goes back to it"
    # choosing w1 shows explain()'s paths, with the engine's total
    w1 = next(k for k, n in enumerate(describe(net["L"]).data["nodes"]) if n["label"] == "w1")
    p.select_option("select.bp-choose", str(w1))
    p.focus("[data-backprop-player]")
    p.keyboard.press("Home")  # no step's red edges over the blue paths
    text = p.text_content(".bp-path-text")
    net["L"].backward()
    from autograd.notation import number

    assert "path 1:" in text and number(net["w1"].grad) in text
    purple = p.eval_on_selector_all(
        ".bp-graph g.edge path", "ps => ps.filter(q => q.getAttribute('stroke') === '#8e24aa')"
        ".map(q => q.parentNode.getAttribute('data-edge'))")
    # the paths from w1 up to L, and no edge off them
    assert f"{ids['w1']}->{ids['z1']}" in purple and f"{ids['z1']}->{ids['h1']}" in purple
    assert not any(t.startswith((ids["w3"] + "->", ids["x2"] + "->")) for t in purple)
    assert page_.errors == []


def test_a_user_op_steps_but_is_not_live(opened) -> None:
    cube = define_op("cube_for_player", lambda a: a**3, lambda a, out: (3 * a**2,), "3 * a**2")
    try:
        x = Value(2.0, label="x")
        y = cube(x)
        y.label = "y"
        page_ = opened(play(y))
        assert "cube_for_player" in page_.page.text_content(".bp-why")
        assert page_.page.is_disabled(".bp-inputs input[type=range]")
        end = page_.call("end")
        assert end["grads"]["x"] == 12.0
    finally:
        del OPS["cube_for_player"]


def test_save_refuses_other_suffixes(tmp_path) -> None:
    with pytest.raises(ValueError, match="html"):
        play(Value(1.0, label="x").exp()).save(tmp_path / "x.svg")
    assert not os.listdir(tmp_path)


def test_labels_that_are_names_of_javascript_objects(opened) -> None:
    # constructor, __proto__, toString: keys of every plain JavaScript object
    a, b = Value(1.5, label="constructor"), Value(2.0, label="__proto__")
    c = Value(0.5, label="toString")
    out = a * b + c
    out.label = "hasOwnProperty"
    page_ = opened(play(out))
    assert page_.call("setValue", "__proto__", 3.0) is True
    state = page_.call("end")
    assert state["values"] == {"constructor": 1.5, "__proto__": 3.0, "toString": 0.5,
                               "hasOwnProperty": 5.0}
    assert state["grads"] == {"constructor": 3.0, "__proto__": 1.5, "toString": 1.0,
                              "hasOwnProperty": 1.0}
    assert page_.errors == []


def test_leaves_sharing_a_label_each_have_their_own_row(opened) -> None:
    w = Value(0.5, label="w")
    xs = [Value(float(i), label="x") for i in (1, 2, 3)]
    loss = sum(((w * x - 1) ** 2 for x in xs), Value(0.0, label="zero"))
    loss.label = "L"
    page_ = opened(play(loss))
    p = page_.page
    names = p.eval_on_selector_all(".bp-input-name", "ns => ns.map(n => n.textContent)")
    assert names == ["w", "x (1 of 3)", "x (2 of 3)", "x (3 of 3)", "zero"]
    field = p.locator(".bp-inputs input[type=number]").nth(2)  # the second x only
    field.fill("10")
    field.press("Tab")
    state = page_.call("end")
    expected = (0.5 * 1 - 1) ** 2 + (0.5 * 10 - 1) ** 2 + (0.5 * 3 - 1) ** 2
    assert close(state["values"]["L"], expected)
    # an emptied field changes nothing
    field.fill("")
    field.press("Tab")
    assert close(page_.state()["values"]["L"], expected)
    # setValue(label) gives every leaf with that label the number, as documented
    assert page_.call("setValue", "x", 2.0) is True
    assert close(page_.state()["values"]["L"], 3 * (0.5 * 2 - 1) ** 2)


def test_labels_with_spaces_tabs_and_newlines_still_update(opened) -> None:
    labels = ["a  b", " lead", "trail ", "t\tab"]
    leaves = [Value(1.0 + k, label=name) for k, name in enumerate(labels)]
    out = leaves[0] * leaves[1] + leaves[2] * leaves[3]
    out.label = "out"
    page_ = opened(play(out))  # the fixture checks every number found its text
    assert page_.call("setValue", "a  b", 0.7) is True
    page_.call("end")
    shown = page_.texts()
    # ∂out/∂" lead" = "a  b", now 0.7, written in the derivative's cell
    assert any(t.endswith("= 0.7") for t in shown)


def test_a_single_value_says_so(opened) -> None:
    page_ = opened(play(Value(1.5, label="x")))
    state = page_.call("end")
    assert state["steps"] == 0 and state["grads"] == {"x": 1.0}
    assert "single Value" in page_.page.text_content(".bp-caption")


def test_a_failed_play_leaves_the_gradients_alone() -> None:
    x = Value(2.0, label="x")
    y = x.exp()
    x.grad, y.grad = 7.0, 5.0
    with pytest.raises(ValueError, match="rankdir"):
        play(y, rankdir="XX")
    assert (x.grad, y.grad) == (7.0, 5.0)


def test_without_javascript_the_page_says_what_it_needs() -> None:
    body = play(Value(1.0, label="x").exp()).html()
    assert "The player needs JavaScript" in body


def test_two_players_in_one_page_are_independent(tmp_path) -> None:
    # as in a notebook: two outputs, each a fragment, in one document
    x = Value(2.0, label="x")
    y = (x * x).exp()
    y.label = "y"
    a = Value(3.0, label="a")
    b = a.log()
    b.label = "b"
    from autograd.player.page import page as whole_page

    path = tmp_path / "two.html"
    path.write_text(whole_page(play(y)._repr_html_() + play(b, layout="browser")._repr_html_(),
                               "two"), encoding="utf-8")
    with page() as p:
        errors: list[str] = []
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(path.as_uri())
        p.wait_for_function(
            "[...document.querySelectorAll('[data-backprop-player]')]"
            ".every(e => e.getAttribute('data-ready') === '1')")
        first, second = p.evaluate(
            "(() => { const [p, q] = [...document.querySelectorAll('[data-backprop-player]')]"
            ".map(e => e.player); p.end(); q.setValue('a', 5); return [p.state(), q.state()]; })()")
    assert first["step"] == first["steps"] and second["step"] == 0
    assert close(first["grads"]["x"], 4 * math.exp(4.0))
    assert close(second["values"]["b"], math.log(5.0))
    assert errors == []


def test_space_plays_and_pauses(opened) -> None:
    page_ = opened(play(student()["L"]))
    p = page_.page
    p.select_option("select.bp-speed", label="fast")
    p.focus("[data-backprop-player]")
    p.keyboard.press(" ")
    assert "pause" in p.text_content(".bp-controls button[title^='play']")
    p.wait_for_function(
        "document.querySelector('[data-backprop-player]').player.state().step >= 3")
    p.keyboard.press(" ")
    paused = page_.state()["step"]
    p.wait_for_timeout(700)
    assert page_.state()["step"] == paused and paused < page_.state()["steps"]
    assert "play" in p.text_content(".bp-controls button[title^='play']")


def test_a_saved_page_takes_the_keys_at_once_and_the_drawing_stays_put(opened) -> None:
    page_ = opened(play(student()["L"]))
    p = page_.page
    p.keyboard.press("ArrowRight")  # no click first: the saved page gives it every key
    assert page_.state()["step"] == 1
    tops, heights = set(), set()
    for _ in range(page_.state()["steps"] - 1):
        p.keyboard.press("ArrowRight")
        tops.add(p.evaluate("document.querySelector('.bp-graph').offsetTop"))
        heights.add(p.evaluate("document.querySelector('.bp-header').offsetHeight"))
        rows = p.eval_on_selector_all("table.bp-step tr td:first-child",
                                      "tds => tds.map(t => t.textContent)")
        assert "1" not in rows  # the constant 1 of 1 − ŷ gets no row: no gradient
    # the pinned header is as tall as each step needs; the room below it makes up the
    # difference to the tallest, so that the drawing does not jump
    assert len(tops) == 1 and len(heights) > 1


def test_a_forward_step_is_not_coloured_as_a_role() -> None:
    from autograd.draw.style import ROLES, STEP

    script = (Path(__file__).parent.parent / "autograd/player/static/player.js").read_text()
    forward = script.split('FORWARD_FILL = "')[1][:7]
    assert forward not in {r["fillcolor"] for r in ROLES.values()} | {STEP}
