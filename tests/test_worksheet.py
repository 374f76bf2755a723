"""The worksheet's tables: what a sheet asks and what its key answers, read off the graph."""

from __future__ import annotations

import math

import pytest

from autograd import Value
from autograd.teaching.worksheet import total, worksheet
from nn.examples import squared_error_forward, student_forward


def central_difference(root_of, leaf: Value, h: float = 1e-6) -> float:
    # ∂root/∂leaf by rebuilding the graph with the leaf moved, as a learner would by hand.
    start = leaf.data
    leaf.data = start + h
    up = root_of()
    leaf.data = start - h
    down = root_of()
    leaf.data = start
    return (up - down) / (2 * h)


def test_student_network_rows():
    net = student_forward()
    sheet = worksheet(net["L"])
    assert [row.name for row in sheet.forward] == ["z1", "h1", "z2", "h2", "z3", "ŷ", "L"]
    assert {row.formula for row in sheet.forward} >= {"b1 + w1·x1 + w2·x2", "ReLU(z1)", "σ(z3)"}
    assert sheet.roles["x1"] == sheet.roles["x2"] == "input"
    assert sheet.roles["w1"] == "parameter"
    answers = [row.answer for row in sheet.backward]
    assert "dL/dx1" not in answers and "dL/dL" not in answers
    assert set(answers) == {"dL/dŷ", "dL/dz3", "dL/dh1", "dL/dh2", "dL/dz1", "dL/dz2"} | {
        f"dL/d{p}" for p in ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")}
    w1 = next(row for row in sheet.backward if row.answer == "dL/dw1")
    (term,) = w1.terms
    shown = (term.upstream_name, term.factor.name, term.factor.formula)
    assert shown == ("∂L/∂z1", "∂z1/∂w1", "x1")
    assert term.upstream * 2.0 == pytest.approx(w1.value, rel=1e-15)


def test_each_gradient_is_the_sum_of_its_contributions_and_matches_differences():
    net = student_forward()
    sheet = worksheet(net["L"])
    for row in sheet.backward:
        assert total(row) == pytest.approx(row.value, rel=1e-12, abs=1e-15)
        if not row.node.parents:  # a weight or a bias: move it and watch L
            expected = central_difference(lambda: _student_loss(net), row.node)
            assert row.value == pytest.approx(expected, rel=1e-6, abs=1e-9)


def _student_loss(net: dict[str, Value]) -> float:
    # The first article's network in plain floats, from the leaves' current numbers.
    d = {k: v.data for k, v in net.items() if not v.parents}
    h1 = max(0.0, d["w1"] * d["x1"] + d["w2"] * d["x2"] + d["b1"])
    h2 = max(0.0, d["w3"] * d["x1"] + d["w4"] * d["x2"] + d["b2"])
    y_hat = 1 / (1 + math.exp(-(d["w5"] * h1 + d["w6"] * h2 + d["b3"])))
    return -math.log(1 - y_hat)  # the first student failed: y = 0


def test_a_value_feeding_two_neurons_has_two_terms():
    net = squared_error_forward()
    sheet = worksheet(net["E"])
    o_j1 = next(row for row in sheet.backward if row.answer == "dE/do_j1")
    assert [t.child.label for t in o_j1.terms] == ["net_k1", "net_k2"]
    assert [t.upstream_name for t in o_j1.terms] == ["∂E/∂net_k1", "∂E/∂net_k2"]
    assert o_j1.value == pytest.approx(
        net["net_k1"].grad * net["w_j1k1"].data + net["net_k2"].grad * net["w_j1k2"].data)


def test_an_unlabelled_root_is_refused():
    with pytest.raises(ValueError, match="label the root"):
        worksheet(Value(2.0, label="x") * 3)
