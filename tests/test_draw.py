"""draw and render: the SVG read back as XML, deterministic DOT, clusters, limits, missing dot."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, backward_steps, draw, render
from autograd.draw import DotMissingError, GraphTooLarge
from autograd.graph import topological_order

SVG = "{http://www.w3.org/2000/svg}"


def network(prefix: bool = False):
    """A 2-2-1 network; labels like layer1.neuron2.w1 when ``prefix``."""
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


def svg_nodes(svg: bytes) -> dict[str, list[str]]:
    """For each node or edge title in the SVG, the texts drawn in it."""
    root = ET.fromstring(svg)
    found = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") in ("node", "edge", "cluster"):
            title = g.find(f"{SVG}title").text
            found[title] = [t.text for t in g.iter(f"{SVG}text")]
    return found


def test_svg_holds_labels_data_grads_and_edge_formulas(tmp_path):
    w1, x1 = Value(0.5, label="w1"), Value(2.0, label="x1")
    z = w1 * x1
    z.label = "z"
    y = z.tanh()
    y.label = "y"
    y.backward()
    (path,) = render(y, tmp_path / "g.svg")
    nodes = svg_nodes(path.read_bytes())
    assert nodes["v0"] == ["w1", "data 0.5", f"grad {w1.grad:.4g}"]
    assert nodes["v1"] == ["x1", "data 2", f"grad {x1.grad:.4g}"]
    assert nodes["v2"] == ["z", "data 1", f"grad {z.grad:.4g}"]
    assert nodes["o2"] == ["*"] and nodes["o3"] == ["tanh"]
    # edge labels: the op table's formula in the parents' labels, and its value
    edges = {k: v for k, v in nodes.items() if "->" in k}
    assert edges["v0->o2"] == ["∂/∂w1 = x1 = 2"]
    assert edges["v1->o2"] == ["∂/∂x1 = w1 = 0.5"]
    expected = 1 - y.data**2
    assert edges["v2->o3"] == [f"∂/∂z = 1 - y**2 = {expected:.4g}"]


def test_node_ids_follow_topological_order_and_dot_is_deterministic():
    _, a = network()
    _, b = network()
    assert draw(a).source == draw(b).source == draw(a).source
    source = draw(a).source
    for i, v in enumerate(topological_order(a)):
        line = next(ln for ln in source.splitlines() if ln.strip().startswith(f"v{i} "))
        assert f"data {v.data:.4g}" in line
        if v.label:
            assert v.label in line


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
        elif re.match(r"^[vo]\d+ \[", s):
            found[s.split()[0]] = stack[-1] if stack else None
    return found


def test_clusters_by_layer_and_neuron_from_labels(tmp_path):
    _, out = network(prefix=True)
    d = draw(out, group=True)
    where = cluster_of_each_node(d.source)
    order = topological_order(out)
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    for v in order:
        if v.label.startswith("layer"):
            assert where[ids[v]] == v.label.rsplit(".", 1)[0]
    # a neuron's unlabelled products and sums join its cluster; inputs stay outside
    product = next(v for v in order if v.op == "mul" and v.parents[0].label.startswith("layer1"))
    assert where[ids[product]] == "layer1.neuron1"
    assert where[ids[out.parents[0]]] == "layer2.neuron1"
    x1 = next(v for v in order if v.label == "x1")
    assert where[ids[x1]] is None
    # the SVG holds the clusters, nested: layer1 contains layer1.neuron1
    nodes = svg_nodes(render(d, tmp_path / "c.svg")[0].read_bytes())
    cluster_labels = {t for k, texts in nodes.items() if k.startswith("cluster") for t in texts}
    assert {"layer1", "layer1.neuron1", "layer1.neuron2", "layer2", "layer2.neuron1"} <= (
        cluster_labels)


def test_group_function():
    _, out = network()
    d = draw(out, group=lambda v: "inputs" if v.label.startswith("x") else None)
    where = cluster_of_each_node(d.source)
    labelled = {v.label: f"v{i}" for i, v in enumerate(topological_order(out)) if v.label}
    assert where[labelled["x1"]] == where[labelled["x2"]] == "inputs"
    assert where[labelled["w111"]] is None


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
    for i, v in enumerate(order):
        line = next(ln for ln in lines if ln.strip().startswith(f"v{i} "))
        assert ('color="#cc0000"' in line) == (v in on_path)


def test_highlight_a_single_value_or_several():
    x = Value(1.0, label="x")
    y = x.exp()
    one = draw(y, highlight=x).source
    assert 'v0 [label="{x | data 1 | grad 0}" color="#cc0000"' in one
    both = draw(y, highlight=[x, y]).source
    assert both.count('color="#cc0000" fillcolor') == 2


def test_a_backward_step_is_highlighted_with_the_grads_of_that_moment():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    z = w * x
    z.label = "z"
    y = z.sigmoid()
    y.label = "y"
    steps = backward_steps(y)
    first = next(steps)  # y has sent its gradient to z, nothing further yet
    source = draw(y, step=first).source
    assert first.node is y
    assert 'v3 [label="{y | data' in source and '"#f6b26b"' in source
    assert f"grad {z.grad:.4g}" in source and "{w | data 0.5 | grad 0}" in source
    assert draw(y, highlight=first).source == source
    second = next(steps)
    source = draw(y, step=second).source
    assert f"{{w | data 0.5 | grad {2.0 * z.grad:.4g}}}" in source


def test_options_direction_grads_and_edge_labels():
    w = Value(0.5, label="w")
    y = (w * 3).tanh()
    tb = draw(y, rankdir="TB").source
    assert "rankdir=TB" in tb and 'label="w | data 0.5 | grad 0"' in tb
    assert "grad" not in draw(y, grads=False).source
    assert "∂/∂w" in draw(y).source and "∂" not in draw(y, edge_labels=False).source
    assert "data 0.50000" in draw(y, fmt=".5f").source
    with pytest.raises(ValueError, match="rankdir"):
        draw(y, rankdir="sideways")


def test_record_characters_in_labels_are_shown_literally(tmp_path):
    a = Value(1.0, label="{a|<b>}")
    y = a * 2
    nodes = svg_nodes(render(y, tmp_path / "s.svg")[0].read_bytes())
    assert nodes["v0"][0] == "{a|<b>}"


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
    d = draw(y, collapse=True)
    nodes = [ln for ln in d.body if "->" not in ln and ln.strip().startswith("v")]
    assert len(nodes) == 2
    (edge,) = [ln for ln in d.body if "->" in ln]
    assert f"∂y/∂x = {x.grad:.4g}" in edge


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
    with pytest.raises(DotMissingError, match=r"draw\(\.\.\.\)\.source"):
        d._repr_mimebundle_()  # what Jupyter calls to show it inline
    with pytest.raises(DotMissingError):
        d.render(tmp_path / "h")
    assert not (tmp_path / "g.svg").exists()


def test_a_variadic_op_gets_one_edge_formula_per_input(tmp_path):
    from autograd.value import dot

    w, x = Value(0.5, label="w1"), Value(2.0, label="x1")
    z = dot([w], [x], Value(0.1, label="b"))
    nodes = svg_nodes(render(z, tmp_path / "d.svg")[0].read_bytes())
    texts = {k: v for k, v in nodes.items() if "->" in k}
    assert sorted(t for v in texts.values() for t in v) == [
        "∂/∂b = 1", "∂/∂w1 = x1 = 2", "∂/∂x1 = w1 = 0.5"]
