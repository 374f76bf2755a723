"""draw and render (ops view): the SVG read back as XML: roles, legend, names, derivatives,
steps; deterministic DOT; clusters; limits; missing dot."""

from __future__ import annotations

import math
import random
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, backward_steps, draw, render
from autograd.draw import DotMissingError, GraphTooLarge
from autograd.draw.style import ROLES
from autograd.graph import topological_order
from nn import MLP
from nn.examples import student_forward

SVG = "{http://www.w3.org/2000/svg}"


def network(prefix: bool = False):
    """A 2-2-1 network written out by hand; labels like layer1.neuron2.w1 when ``prefix``."""
    def name(layer: int, neuron: int, what: str) -> str:
        return f"layer{layer}.neuron{neuron}.{what}" if prefix else f"{what}{layer}{neuron}"

    x = [Value(2.0, label="x1"), Value(5.0, label="x2")]
    hidden = []
    for n, (wa, wb, b) in enumerate([(0.1, 0.2, 0.1), (-0.3, 0.1, 0.2)], 1):
        w = [Value(wa, label=name(1, n, "w1")), Value(wb, label=name(1, n, "w2"))]
        hidden.append((w[0] * x[0] + w[1] * x[1] + Value(b, label=name(1, n, "b"))).relu())
    v = [Value(0.4, label=name(2, 1, "w1")), Value(-0.2, label=name(2, 1, "w2"))]
    out = (v[0] * hidden[0] + v[1] * hidden[1] + Value(0.05, label=name(2, 1, "b"))).sigmoid()
    out.label = "out"
    return x, out


def svg_of(drawing) -> ET.Element:
    return ET.fromstring(drawing.pipe(format="svg"))


def parts(svg: ET.Element) -> dict[str, list[str]]:
    """For each node or edge title in the SVG, the texts drawn in it."""
    found = {}
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") in ("node", "edge", "cluster"):
            found[g.find(f"{SVG}title").text] = [t.text for t in g.iter(f"{SVG}text")]
    return found


def fill_of(svg: ET.Element, node_id: str) -> str:
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") == "node" and g.find(f"{SVG}title").text == node_id:
            return next(s.get("fill") for s in g if s.tag in (f"{SVG}path", f"{SVG}polygon"))
    raise KeyError(node_id)


def legend_texts(svg: ET.Element) -> list[str]:
    """Texts drawn directly in the graph (not in a node, edge or cluster): the legend."""
    graph = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "graph")
    return [t.text for t in graph.findall(f"{SVG}text")]


def in_order(texts: list[str], *runs: list[str]) -> bool:
    """Each run of texts appears in ``texts`` as consecutive items, and nothing else does."""
    rest = list(texts)
    for run in runs:
        starts = [i for i in range(len(rest)) if rest[i:i + len(run)] == run]
        if not starts:
            return False
        del rest[starts[0]:starts[0] + len(run)]
    return not rest


def ids(root: Value) -> dict[Value, str]:
    return {v: f"v{i}" for i, v in enumerate(topological_order(root))}


def test_nodes_show_name_data_grad_and_derivatives_where_their_arrows_enter():
    w1, x1 = Value(0.5, label="w1"), Value(2.0, label="x1")
    z = w1 * x1
    z.label = "z"
    y = z.tanh()
    y.label = "y"
    y.backward()
    svg = svg_of(draw(y))
    found = parts(svg)
    assert found["v0"] == ["w1", "data 0.5", f"grad {w1.grad:.4g}"]
    assert found["v1"] == ["x1", "data 2", f"grad {x1.grad:.4g}"]
    # z: each parent's local derivative, as explain writes it, and z itself
    assert in_order(found["v2"], ["∂z/∂w1", "= x1 = 2"], ["∂z/∂x1", "= w1 = 0.5"],
                    ["z", "= w1·x1", "data 1", f"grad {z.grad:.4g}"])
    local = 1 - math.tanh(1.0) ** 2
    assert in_order(found["v3"], ["∂y/∂z", "= tanh'(z) = 1 − y²", f"= {local:.4g}"],
                    ["y", "= tanh(z)", "data 0.7616", "grad 1"])
    # each arrow enters the cell of its derivative: w1 the first, x1 the second
    source = draw(y).source
    assert re.search(r'<td port="d0"[^>]*>∂z/∂w1<br/>', source)
    assert re.search(r'<td port="d1"[^>]*>∂z/∂x1<br/>', source)
    edges = set(re.findall(r"(v\d -> v\d) \[headport=\"(d\d):", source))
    assert edges == {("v0 -> v2", "d0"), ("v1 -> v2", "d1"), ("v2 -> v3", "d0")}


def test_roles_have_their_own_colours_and_the_legend_explains_them():
    x = Value(2.0, label="x1")
    w = Value(0.5, label="w")
    y = (w * x + 1.0).sigmoid()
    y.label = "y"
    y.backward()
    svg = svg_of(draw(y))
    at = ids(y)
    constant = next(v for v in at if not v.parents and not v.label)
    product = y.parents[0].parents[0]
    expected = {x: "input", w: "parameter", constant: "constant", product: "intermediate",
                y: "root"}
    for v, role in expected.items():
        assert fill_of(svg, at[v]) == ROLES[role]["fillcolor"], role
    assert len({ROLES[r]["fillcolor"] for r in ROLES}) == len(ROLES)
    legend = legend_texts(svg)
    for text in ("input (data)", "parameter", "constant: a number from the code; no gradient "
                 "shown", "intermediate value", "output (root)"):
        assert text in legend
    assert any(t.startswith("local derivative ∂node/∂parent") for t in legend)
    assert legend_texts(svg_of(draw(y, legend=False))) == []


def test_constants_show_no_gradient_and_their_arrows_no_derivative():
    x = Value(3.0, label="x")
    y = x * 2.0
    y.label = "y"
    y.backward()
    found = parts(svg_of(draw(y)))
    constant = ids(y)[y.parents[1]]
    assert found[constant] == ["2"]
    assert in_order(found["v2"], ["∂y/∂x", "= 2"], ["y", "= x·2", "data 6", "grad 1"])
    assert [k for k in found if "->" in k and k.startswith(constant)] == [f"{constant}->v2:w"]
    # its arrow enters y's own cell, not the cell of x's derivative
    assert re.search(rf'\b{constant} -> v2 \[headport="own:', draw(y).source)


def test_a_number_exponent_belongs_to_its_op_and_formulas_are_simplified():
    x = Value(3.0, label="x")
    y = (x - 1) ** 2
    y.label = "y"
    y.backward()
    found = parts(svg_of(draw(y)))
    texts = [t for ts in found.values() for t in ts]
    assert "2" not in texts  # the exponent is not a node
    assert len([k for k in found if "->" not in k]) == 4  # x, 1, x − 1, y
    root = found[ids(y)[y]]
    assert in_order(root, ["∂y/∂(x − 1)", "= 2·(x − 1) = 4"], ["y", "= (x − 1)²", "data 4",
                                                                "grad 1"])
    assert not any("**" in t or "*" in t for t in texts)


def test_unnamed_values_are_named_by_their_expression():
    net = student_forward()
    net["L"].backward()
    found = parts(svg_of(draw(net["L"])))
    names = {texts[texts.index(t)] for texts in found.values() for t in texts}
    assert {"1 − ŷ", "log(1 − ŷ)"} <= names
    assert {"∂log(1 − ŷ)/", "∂(1 − ŷ)"} <= names  # a long derivative name as a fraction
    assert not any(re.search(r"(^|\W)v\d+\b", t) for t in names)


def test_no_minus_zero_anywhere():
    x = Value(0.0, label="x")
    y = x * -1.0
    y.label = "y"
    y.backward()
    assert math.copysign(1.0, y.data) == -1.0 and y.data == 0
    texts = [t for ts in parts(svg_of(draw(y))).values() for t in ts]
    assert not any(re.search(r"(?<![\w.])-0(?![.\d])", t) for t in texts)
    assert "data 0" in texts


def test_step_drawn_after_all_steps_ran_shows_the_gradients_of_its_moment():
    net = student_forward()
    loss, w1, z1 = net["L"], net["w1"], net["z1"]
    steps = list(backward_steps(loss))
    final = w1.grad
    at = ids(loss)
    for step in steps:
        found = parts(svg_of(draw(loss, step=step)))
        snapshot = step.grads()
        assert found[at[w1]][-1] == f"grad {snapshot[w1]:.4g}"
        assert found[at[z1]][-1] == f"grad {snapshot[z1]:.4g}"
    first = parts(svg_of(draw(loss, step=steps[0])))
    assert first[at[w1]][-1] == "grad 0" and final != 0
    last = parts(svg_of(draw(loss, step=steps[-1])))
    assert last[at[w1]][-1] == f"grad {final:.4g}"
    legend = legend_texts(svg_of(draw(loss, step=steps[2])))
    assert any(t.startswith("step 3: ") for t in legend)
    assert draw(loss, highlight=steps[2]).source == draw(loss, step=steps[2]).source


def test_running_the_steps_again_gives_the_same_steps_and_gradients():
    net = student_forward()
    loss, w1 = net["L"], net["w1"]
    first = [(s.name, s.grad, [p.contribution for p in s.parents]) for s in
             backward_steps(loss)]
    after_first = w1.grad
    second = [(s.name, s.grad, [p.contribution for p in s.parents]) for s in
              backward_steps(loss)]
    assert first == second and w1.grad == after_first
    # against a fresh graph's plain backward()
    fresh = student_forward()
    fresh["L"].backward()
    assert w1.grad == fresh["w1"].grad
    assert round(w1.grad, 4) == 0.4431


def test_dot_text_is_deterministic_and_numbered_in_topological_order():
    _, a = network()
    _, b = network()
    assert draw(a).source == draw(b).source == draw(a).source
    source = draw(a).source
    for i, v in enumerate(topological_order(a)):
        line = next(ln for ln in source.splitlines() if ln.strip().startswith(f"v{i} "))
        assert f"data {v.data:.4g}" in line


def cluster_of_each_node(source: str) -> dict[str, str | None]:
    """Read DOT text: the innermost cluster label of each node statement."""
    stack: list[str | None] = []
    found: dict[str, str | None] = {}
    for line in source.splitlines():
        s = line.strip()
        if s.startswith("subgraph cluster_"):
            stack.append(None)
        elif stack and stack[-1] is None and (m := re.search(r'\blabel=("[^"]*"|\S+)', s)):
            stack[-1] = m[1].strip('"')
        elif s == "}" and stack:
            stack.pop()
        elif re.match(r"^v\d+ \[", s):
            found[s.split()[0]] = stack[-1] if stack else None
    return found


def test_clusters_by_layer_and_neuron_from_labels():
    _, out = network(prefix=True)
    d = draw(out, group=True)
    where = cluster_of_each_node(d.source)
    order = topological_order(out)
    at = ids(out)
    for v in order:
        if v.label.startswith("layer"):
            assert where[at[v]] == v.label.rsplit(".", 1)[0]
    product = next(v for v in order if v.op == "mul" and v.parents[0].label.startswith("layer1"))
    assert where[at[product]] == "layer1.neuron1"
    assert where[at[out.parents[0]]] == "layer2.neuron1"
    assert where[at[next(v for v in order if v.label == "x1")]] is None
    labels = {t for k, texts in parts(svg_of(d)).items() if k.startswith("cluster")
              for t in texts}
    assert {"layer1", "layer1.neuron1", "layer1.neuron2", "layer2", "layer2.neuron1"} <= labels


def ancestors_reaching(root: Value, target: Value) -> set[Value]:
    """Brute force: Values on a path from target to root."""
    def reaches(v: Value) -> bool:
        return v is target or any(reaches(p) for p in v.parents)

    found = set()
    stack = [root]
    while stack:
        v = stack.pop()
        if reaches(v) and v not in found:
            found.add(v)
            stack.extend(v.parents)
    return found


def test_path_from_highlights_exactly_the_paths_to_the_root():
    _, out = network()
    order = topological_order(out)
    w = next(v for v in order if v.label == "w111")
    on_path = ancestors_reaching(out, w)
    assert len(on_path) > 3
    lines = draw(out, path_from=w).source.splitlines()
    for i, v in enumerate(order):  # every Value of this graph is drawn
        line = next(ln for ln in lines if ln.strip().startswith(f"v{i} "))
        assert ('color="#cc0000"' in line) == (v in on_path)


def test_direction_size_grads_and_edge_label_options():
    w = Value(0.5, label="w")
    y = (w * 3).tanh()
    for direction, side in {"LR": "w", "RL": "e", "TB": "n", "BT": "s"}.items():
        source = draw(y, rankdir=direction).source
        assert f"rankdir={direction}" in source
        assert f'headport="d0:{side}"' in source  # arrows enter their derivative's cell
    assert "grad" not in draw(y, grads=False, legend=False).source
    assert "∂" not in draw(y, edge_labels=False, legend=False).source
    assert "data 0.50000" in draw(y, fmt=".5f").source
    with pytest.raises(ValueError, match="rankdir"):
        draw(y, rankdir="sideways")
    with pytest.raises(ValueError, match="view"):
        draw(y, view="tree")
    _, out = network()
    svg = svg_of(draw(out, size="4,3"))
    assert float(svg.get("width").removesuffix("pt")) <= 4 * 72 + 0.5
    big = svg_of(draw(out, size="30,30!"))
    assert float(big.get("width").removesuffix("pt")) > 1000


def test_the_direction_follows_the_graph_shape():
    x = Value(0.3, label="x")
    v = x
    for _ in range(12):
        v = v.sin()
    v.label = "y"
    assert "rankdir=TB" in draw(v).source  # a long chain goes top to bottom
    from autograd import dot

    ws = [Value(0.1 * i, label=f"w{i}") for i in range(12)]
    xs = [Value(1.0 * i, label=f"x{i}") for i in range(12)]
    wide = dot(ws, xs, Value(0.5, label="b")).tanh()
    assert "rankdir=LR" in draw(wide).source  # a wide fan-in goes left to right


def test_user_text_is_shown_literally():
    hostile = ["</text><script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{a|<b>}",
               "a & b \\n"]
    values = [Value(float(i), label=t) for i, t in enumerate(hostile, 1)]
    y = values[0] * values[1] + values[2] * values[3]
    y.label = "<b>y</b>"
    svg = svg_of(draw(y))  # parses as XML: nothing broke out of its text
    texts = [t for ts in parts(svg).values() for t in ts]
    for t in hostile + ["<b>y</b>"]:
        assert t in texts
    assert not list(svg.iter(f"{SVG}script")) and not list(svg.iter(f"{SVG}img"))


def chain(n: int) -> tuple[Value, Value]:
    x = Value(0.3, label="x")
    v = x
    for _ in range(n):
        v = v.sin()
    v.label = "y"
    return x, v


def test_too_large_a_graph_asks_for_max_nodes_or_collapse():
    x, y = chain(2100)
    with pytest.raises(GraphTooLarge, match=r"2,101 values.*max_nodes=None.*collapse=True"):
        draw(y)
    assert "v2100" in draw(y, max_nodes=None).source


def test_collapse_folds_unlabelled_values_into_one_edge_with_the_total_derivative():
    x, y = chain(2100)
    y.backward()
    found = parts(svg_of(draw(y, collapse=True)))
    assert len([k for k in found if "->" not in k]) == 2
    assert in_order(found["v2100"], ["∂y/∂x", f"= {x.grad:.4g}"],
                    ["y", "= sin(sin(sin(sin(sin(…)))))", f"data {y.data:.4g}", "grad 1"])


def test_collapse_of_an_mlp_is_layered():
    model = MLP(2, [16, 16, 1], rng=random.Random(1))
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.label = "L"
    loss.backward()
    d = draw(loss, collapse=True, max_nodes=None)
    order = topological_order(loss)
    at = ids(loss)
    by_id = {v: k for k, v in at.items()}
    edges = [tuple(re.findall(r"v\d+", ln)[:2]) for ln in d.body if "->" in ln]
    layer = {}
    for v in order:
        m = re.match(r"layer(\d)\.", v.label)
        layer[v] = int(m[1]) if m else 0
    for tail, head in edges:
        parent, child = by_id[tail], by_id[head]
        if child is loss:
            assert parent.label == "layer3.neuron1.z"
        else:  # consecutive stops: within a neuron, or one layer to the next
            assert layer[child] - layer[parent] in (0, 1), (parent.label, child.label)
    assert len(edges) < 3 * len(order)
    texts = [t for ts in parts(svg_of(d)).values() for t in ts]
    assert not any(re.search(r"(^|\W)v\d+\b", t) for t in texts)


def test_render_writes_svg_and_png_in_one_call(tmp_path):
    _, out = network()
    written = render(out, tmp_path / "g.svg", tmp_path / "g.png", rankdir="TB")
    assert [p.name for p in written] == ["g.svg", "g.png"]
    assert ET.fromstring((tmp_path / "g.svg").read_bytes()).tag == f"{SVG}svg"
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="at least one path"):
        render(out)
    with pytest.raises(ValueError, match="unknown image format"):
        render(out, tmp_path / "g.docx")


def test_missing_dot_gives_the_install_command_and_keeps_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no dot on it
    _, out = network()
    d = draw(out)
    assert d.source.startswith("digraph {")
    with pytest.raises(DotMissingError, match="sudo apt-get install graphviz"):
        render(out, tmp_path / "g.svg")
    # what Jupyter calls to show it inline: the page lays it out (tests/test_draw_in_browser.py)
    assert list(d._repr_mimebundle_()) == ["text/html"]
    with pytest.raises(DotMissingError):
        d.render(tmp_path / "h")
    assert not (tmp_path / "g.svg").exists()


def test_a_variadic_op_gets_one_derivative_per_input():
    from autograd.value import dot

    w, x = Value(0.5, label="w1"), Value(2.0, label="x1")
    z = dot([w], [x], Value(0.1, label="b"))
    z.label = "z"
    found = parts(svg_of(draw(z)))
    assert in_order(found["v3"], ["∂z/∂w1", "= x1 = 2"], ["∂z/∂x1", "= w1 = 0.5"],
                    ["∂z/∂b", "= 1"], ["z", "= b + w1·x1", "data 1.1", "grad 0"])


def test_the_readme_picture_is_the_student_network_as_drawn_today():
    from pathlib import Path

    picture = Path(__file__).parent.parent / "notebooks" / "pictures" / "student_network.svg"
    net = student_forward()
    net["L"].backward()
    fresh = parts(svg_of(draw(net["L"])))
    committed = parts(ET.fromstring(picture.read_bytes()))
    assert committed == fresh, "regenerate it: see the README's picture"


def test_an_mlp_on_numbers_draws_one_node_per_input_shared_by_its_neurons():
    model = MLP(2, [3, 1], rng=random.Random(0))
    out = model([0.5, -1.0])
    out.backward()
    source = draw(out).source
    svg = svg_of(draw(out))
    found = parts(svg)
    inputs = {k: texts for k, texts in found.items() if "->" not in k and texts[0] in ("x1", "x2")}
    assert sorted(texts[0] for texts in inputs.values()) == ["x1", "x2"]
    at = ids(out)
    x1 = next(v for v in at if v.label == "x1")
    assert found[at[x1]] == ["x1", "data 0.5", f"grad {x1.grad:.4g}"]
    assert fill_of(svg, at[x1]) == ROLES["input"]["fillcolor"]
    # three arrows leave x1, one into each first-layer neuron's weighted sum
    heads = re.findall(rf"\b{at[x1]} -> (v\d+)", source)
    by_id = {k: v for v, k in at.items()}
    assert sorted(by_id[h].label for h in heads) == [
        "layer1.neuron1.z", "layer1.neuron2.z", "layer1.neuron3.z"]


def test_values_made_by_hand_are_not_constants_even_without_a_label():
    # micrograd's README example: no labels at all
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    e = (c + d).relu()
    e.backward()
    svg = svg_of(draw(e))
    at = ids(e)
    found = parts(svg)
    for leaf, grad in ((a, a.grad), (b, b.grad)):
        assert fill_of(svg, at[leaf]) == ROLES["parameter"]["fillcolor"]
        assert f"grad {grad:.4g}" in found[at[leaf]]
    exponent = next(v for v in at if not v.parents and v.data == 3.0)
    assert at[exponent] not in found  # the number exponent lives in its op


def test_a_step_of_another_graph_and_options_of_the_other_view_are_refused():
    net, other = student_forward(), student_forward()
    step = next(backward_steps(other["L"]))
    with pytest.raises(ValueError, match="another graph"):
        draw(net["L"], step=step)
    with pytest.raises(ValueError, match=r"step, collapse: .*view='ops' takes it"):
        draw(net["L"], view="neurons", step=step, collapse=True)
    with pytest.raises(ValueError, match="sample: not an option of view='ops'"):
        draw(net["L"], sample=2)


def test_a_wide_neuron_and_a_long_collapsed_sum_are_drawn_with_readable_names():
    from autograd import dot

    ws = [Value(0.01 * i, label=f"w{i}") for i in range(800)]
    xs = [Value(1.0, label=f"x{i}") for i in range(800)]
    z = dot(ws, xs, Value(0.0, label="b")).tanh()
    z.label = "h"
    source = draw(z, max_nodes=None).source
    assert "= tanh(Σw·x+b)" in source
    total = Value(0.0, label="s0")
    for w in ws[:300]:
        total = total + w * w
    total.label = "S"
    total.backward()
    found = parts(svg_of(draw(total, collapse=True)))
    root = found[ids(total)[total]]
    row = root.index("∂S/∂w299")
    assert root[row + 1] == f"= w299 + w299 = {ws[299].grad:.4g}"


def test_control_characters_in_a_label_are_shown_as_spaces():
    y = Value(1.0, label="a\x01b\x1fc").exp()
    texts = [t for ts in parts(svg_of(draw(y))).values() for t in ts]
    assert "a b c" in texts


def test_a_labelled_result_stays_out_of_its_parents_cluster():
    _, out = network(prefix=True)
    loss = (out - 1.0) ** 2
    loss.label = "L"
    where = cluster_of_each_node(draw(loss, group=True).source)
    assert where[ids(loss)[loss]] is None
    assert where[ids(loss)[out]] is None  # "out" names no cluster either


def test_a_derivative_of_a_derivative_breaks_at_its_own_fraction_bar():
    from autograd import grad

    w = Value(0.5, label="w1")
    y = (w * 3.0).tanh()
    y.label = "y"
    (dy,) = grad(y, [w], create_graph=True)
    dy.label = "∂y/∂w1"
    found = parts(svg_of(draw(dy)))
    texts = [t for ts in found.values() for t in ts]
    assert not any(t.startswith("∂(∂y/") and not t.endswith("/") for t in texts)
    assert any(t.startswith("∂(∂y/∂w1)/") or t == "∂(∂y/∂w1)/" for t in texts)
