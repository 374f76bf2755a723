"""explain and backward_steps: against backward(), brute-force path sums, hand formulas, PyTorch."""

from __future__ import annotations

import math
import random

import pytest
import torch
from conftest import central_difference

from autograd import Value, backward_steps, explain
from autograd.graph import topological_order

# ---- random graphs with shared sub-expressions and some labelled interior Values ----------

UNARY = ["tanh", "sigmoid", "sin", "cos", "softplus", "neg", "square", "exp"]
BINARY = ["add", "sub", "mul"]


def random_graph(seed: int, n_inputs: int = 3, n_ops: int = 14, label_prob: float = 0.4):
    rng = random.Random(seed)
    inputs = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(n_inputs)]
    pool = list(inputs)
    for k in range(n_ops):
        name = rng.choice(UNARY + BINARY * 2)
        a = pool[max(0, len(pool) - 1 - int(rng.expovariate(0.6)))]
        b = rng.choice(pool)
        if name == "add":
            v = a + b
        elif name == "sub":
            v = a - b
        elif name == "mul":
            v = a * b
        elif name == "neg":
            v = -a
        elif name == "square":
            v = a * a  # one parent twice: two edges
        elif name == "exp":
            v = a.tanh().exp()
        else:
            v = getattr(a, name)()
        if rng.random() < label_prob:
            v.label = f"n{k}"
        pool.append(v)
    return inputs, pool[-1]


def brute_force_paths(root: Value, target: Value) -> tuple[int, float]:
    """Every path from target up to root, by plain recursion over parents (small graphs)."""
    if root is target:
        return 1, 1.0
    count, total = 0, 0.0
    for parent, local in zip(root.parents, root.local_grads):
        n, s = brute_force_paths(parent, target)
        count += n
        total += local * s
    return count, total


@pytest.mark.parametrize("seed", range(25))
def test_backward_steps_leave_exactly_backwards_gradients(seed):
    inputs_a, root_a = random_graph(seed)
    inputs_b, root_b = random_graph(seed)
    for _ in range(2):  # stepping starts from zero each time, as zero_grad + backward
        order_a, order_b = topological_order(root_a), topological_order(root_b)
        for v in order_a:
            v.grad = 0.0
        root_a.backward()
        steps = list(backward_steps(root_b))
        assert [v.grad for v in order_b] == [v.grad for v in order_a]
    interior = [v for v in reversed(order_b) if v.parents]
    assert [s.node for s in steps] == interior
    assert [s.number for s in steps] == list(range(1, len(interior) + 1))


@pytest.mark.parametrize("seed", range(10))
def test_each_step_sends_local_times_upstream(seed):
    _, root = random_graph(seed)
    for step in backward_steps(root):
        assert len(step.parents) == len(step.node.parents)
        for p, parent, local in zip(step.parents, step.node.parents, step.node.local_grads):
            assert p.parent is parent and p.local == local
            assert p.contribution == local * step.grad
        assert step.grad == step.node.grad


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("merge", [True, False])
def test_explain_totals_match_grad_and_brute_force(seed, merge):
    inputs, root = random_graph(seed)
    root.backward()
    for x in inputs:
        e = explain(root, x, merge=merge)
        count, total = brute_force_paths(root, x)
        assert e.op_path_count == count
        assert e.total == pytest.approx(total, rel=1e-9, abs=1e-12)
        assert e.total == pytest.approx(x.grad, rel=1e-9, abs=1e-12)
        assert len(e.paths) == e.path_count <= count
        if not merge:  # every factor is one op; a * a joins its two edges into one factor
            assert all(f.parent in f.child.parents for f in e.factors)
            assert all(f.paths == f.child.parents.count(f.parent) for f in e.factors)
        for path in e.paths:
            assert path.factors[0].child is root and path.factors[-1].parent is x


@pytest.mark.parametrize("seed", range(10))
def test_too_many_paths_are_summarised_per_edge_with_the_same_total(seed):
    inputs, root = random_graph(seed, n_ops=20)
    root.backward()
    x = inputs[0]
    full = explain(root, x, merge=False)
    summary = explain(root, x, merge=False, max_paths=0)
    if full.path_count == 0:
        assert summary.total == 0.0 and "no path" in str(summary)
        return
    assert summary.summarised and summary.paths == ()
    assert "Too many paths to list" in str(summary)
    assert summary.total == pytest.approx(x.grad, rel=1e-9, abs=1e-12)


def test_diamond_graph_has_exponentially_many_paths_and_is_summarised():
    x = Value(0.3, label="x")
    v = x
    for _ in range(40):  # each level doubles the paths: 2**40 of them
        v = v.sin() + v.cos()
    v.backward()
    e = explain(v, x, merge=False)
    assert e.path_count == 2**40 and e.summarised
    assert e.total == pytest.approx(x.grad, rel=1e-9)
    assert "max_paths=1,000" in str(e)


# ---- the first article: the student pass/fail network ---------------------------------------

# Weights chosen here (the article gives none) so that ŷ ≈ 0.633 for x = (2, 5), as it says.
STUDENT = dict(w1=0.1, w2=0.2, b1=0.1, w3=-0.3, w4=0.1, b2=0.2, w5=0.4, w6=-0.2, b3=0.045)


def student_loss_float(p: dict[str, float], x1: float, x2: float, y: float) -> float:
    z1 = p["w1"] * x1 + p["w2"] * x2 + p["b1"]
    z2 = p["w3"] * x1 + p["w4"] * x2 + p["b2"]
    z3 = p["w5"] * max(z1, 0.0) + p["w6"] * max(z2, 0.0) + p["b3"]
    yhat = 1 / (1 + math.exp(-z3))
    return -(y * math.log(yhat) + (1 - y) * math.log(1 - yhat))


def student_network(p: dict[str, float], x: tuple[float, float] = (2.0, 5.0), y: float = 0.0):
    v = {k: Value(d, label=k) for k, d in p.items()}
    x1, x2, target = Value(x[0], label="x1"), Value(x[1], label="x2"), Value(y, label="y")

    def named(value: Value, label: str) -> Value:
        value.label = label
        return value

    z1 = named(v["w1"] * x1 + v["w2"] * x2 + v["b1"], "z1")
    h1 = named(z1.relu(), "h1")
    z2 = named(v["w3"] * x1 + v["w4"] * x2 + v["b2"], "z2")
    h2 = named(z2.relu(), "h2")
    z3 = named(v["w5"] * h1 + v["w6"] * h2 + v["b3"], "z3")
    yhat = named(z3.sigmoid(), "ŷ")
    loss = named(-(target * yhat.log() + (1 - target) * (1 - yhat).log()), "L")
    return v, {"z1": z1, "h1": h1, "z3": z3, "ŷ": yhat, "x1": x1}, loss


def test_student_network_reads_like_the_article_and_gives_its_number():
    v, n, loss = student_network(STUDENT)
    assert n["ŷ"].data == pytest.approx(0.633, abs=5e-4)
    loss.backward()
    e = explain(loss, v["w1"])
    text = str(e)
    assert "path 1: ∂L/∂ŷ · ∂ŷ/∂z3 · ∂z3/∂h1 · ∂h1/∂z1 · ∂z1/∂w1" in text
    assert "∂ŷ/∂z3 = σ'(z3) = ŷ·(1 − ŷ)" in text
    assert "∂z3/∂h1 = w5 = 0.4" in text
    assert "∂h1/∂z1 = ReLU'(z1) = step(z1) = 1" in text
    assert "∂z1/∂w1 = x1 = 2" in text
    # The article: ∂L/∂w1 = (ŷ − y)·w5·ReLU'(z1)·x1, evaluated on plain floats.
    z1 = STUDENT["w1"] * 2 + STUDENT["w2"] * 5 + STUDENT["b1"]
    z2 = STUDENT["w3"] * 2 + STUDENT["w4"] * 5 + STUDENT["b2"]
    z3 = STUDENT["w5"] * max(z1, 0) + STUDENT["w6"] * max(z2, 0) + STUDENT["b3"]
    yhat = 1 / (1 + math.exp(-z3))
    article = (yhat - 0.0) * STUDENT["w5"] * (1.0 if z1 > 0 else 0.0) * 2.0
    assert e.total == pytest.approx(article, rel=1e-12)
    assert e.total == pytest.approx(v["w1"].grad, rel=1e-12)
    names = list(STUDENT)
    numeric = central_difference(
        lambda p: student_loss_float(dict(zip(names, p)), 2.0, 5.0, 0.0),
        list(STUDENT.values()), names.index("w1"))
    assert e.total == pytest.approx(numeric, rel=1e-7)
    # ∂L/∂ŷ · ∂ŷ/∂z3 is the article's ∂L/∂z3 = ŷ − y
    (path,) = e.paths
    assert path.factors[0].value * path.factors[1].value == pytest.approx(yhat - 0.0, rel=1e-12)


def test_student_network_with_an_inactive_relu_gives_zero():
    p = dict(STUDENT, b1=-5.0)  # z1 < 0: ReLU'(z1) = 0
    v, _, loss = student_network(p)
    loss.backward()
    e = explain(loss, v["w1"])
    assert "ReLU'(z1) = step(z1) = 0" in str(e)
    assert e.total == 0.0 == v["w1"].grad


# ---- the third article: 2-2-1, ReLU, sigmoid, BCE, against PyTorch float64 ------------------

W1 = [[0.2, 0.4], [0.1, 0.6]]  # rows: hidden neurons; columns: inputs
B1 = [0.3, 0.5]
W2 = [0.7, 0.9]
B2 = 0.2


def test_third_article_network_against_pytorch_float64():
    x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
    w1 = [[Value(w, label=f"W1[{i}][{j}]") for j, w in enumerate(row)] for i, row in enumerate(W1)]
    b1 = [Value(b, label=f"b1[{i}]") for i, b in enumerate(B1)]
    w2 = [Value(w, label=f"W2[{i}]") for i, w in enumerate(W2)]
    b2 = Value(B2, label="b2")
    a1 = [(w1[i][0] * x[0] + w1[i][1] * x[1] + b1[i]).relu() for i in range(2)]
    yhat = (w2[0] * a1[0] + w2[1] * a1[1] + b2).sigmoid()
    loss = -(1.0 * yhat.log() + (1 - 1.0) * (1 - yhat).log())
    loss.backward()

    tw1 = torch.tensor(W1, dtype=torch.float64, requires_grad=True)
    tb1 = torch.tensor(B1, dtype=torch.float64, requires_grad=True)
    tw2 = torch.tensor(W2, dtype=torch.float64, requires_grad=True)
    tb2 = torch.tensor(B2, dtype=torch.float64, requires_grad=True)
    tx = torch.tensor([1.0, 2.0], dtype=torch.float64)
    ty = torch.sigmoid(tw2 @ torch.relu(tw1 @ tx + tb1) + tb2)
    torch.nn.functional.binary_cross_entropy(ty, torch.tensor(1.0, dtype=torch.float64)).backward()

    assert yhat.data == pytest.approx(ty.item(), rel=1e-12)
    for i in range(2):
        for j in range(2):
            e = explain(loss, w1[i][j])
            assert e.total == pytest.approx(tw1.grad[i, j].item(), rel=1e-10)
        assert explain(loss, w2[i]).total == pytest.approx(tw2.grad[i].item(), rel=1e-10)
        assert explain(loss, b1[i]).total == pytest.approx(tb1.grad[i].item(), rel=1e-10)
    assert explain(loss, b2).total == pytest.approx(tb2.grad.item(), rel=1e-10)


# ---- forms and edge cases -------------------------------------------------------------------


def test_value_outside_the_graph_has_derivative_zero():
    x, other = Value(1.0, label="x"), Value(2.0, label="u")
    y = x.exp()
    y.label = "y"
    e = explain(y, other)
    assert e.total == 0.0 and e.path_count == 0
    assert "∂y/∂u = 0" in str(e)


def test_explain_of_a_value_with_respect_to_itself_is_one():
    x = Value(1.5, label="x")
    assert explain(x, x).total == 1.0


def test_notebooks_typeset_the_explanation_as_math_with_labels_escaped():
    a, b = Value(1.0, label="<a>"), Value(2.0, label="b")
    y = a * b
    y.label = "y"
    shown = explain(y, a)._repr_latex_()
    assert shown.startswith("$$") and shown.endswith("$$")
    assert r"\frac{\partial y}{\partial \mathrm{<a>}}" in shown
    assert "= b = 2" in shown.replace("b_{}", "b")  # ∂y/∂a = b = 2


def test_shared_operand_gives_a_sum_formula():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    e = explain(y, x)
    assert e.path_count == 1 and e.op_path_count == 2
    assert "∂y/∂x = x + x = 6" in str(e)


def test_step_text_names_the_formula_and_the_numbers():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    y = w * x
    y.label = "y"
    (step,) = list(backward_steps(y))
    text = str(step)
    assert text.splitlines()[0] == "step 1: y has grad 1"
    assert "to w: local ∂y/∂w = x = 2; sends 1 · 2 = 2; w.grad is now 2" in text
    assert "to x: local ∂y/∂x = w = 0.5" in text


def test_a_variadic_op_is_explained_with_its_own_input_names():
    from autograd.value import dot

    w = [Value(0.5, label="w1"), Value(-0.25, label="w2")]
    x = [Value(2.0, label="x1"), Value(4.0, label="x2")]
    z = dot(w, x, Value(0.1, label="b"))
    z.label = "z"
    h = z.tanh()
    h.label = "h"
    h.backward()
    e = explain(h, w[1])
    assert "∂z/∂w2 = x2 = 4" in str(e)
    assert e.total == pytest.approx((1 - math.tanh(0.1) ** 2) * 4.0, rel=1e-12)
    assert e.total == pytest.approx(w[1].grad, rel=1e-12)
    unlabelled = dot(w, x, 0.1).tanh()
    (step, _) = list(backward_steps(unlabelled))
    assert step.name == "tanh(0.1 + w1·x1 + w2·x2)"


def test_a_path_of_one_factor_prints_its_number_once():
    # sigmoid(w*x) with w, x labelled: one path of one merged factor ∂f/∂w = f(1 − f)·x
    w, x = Value(0.5, label="w"), Value(1.0, label="x")
    f = (w * x).sigmoid()
    f.label = "f"
    expected = 1 / (1 + math.exp(-0.5)) * (1 - 1 / (1 + math.exp(-0.5))) * 1.0
    lines = str(explain(f, w)).splitlines()
    (path,) = [line for line in lines if line.startswith("path 1")]
    assert path == f"path 1: ∂f/∂w = {expected:.4g}"
    assert not any(line.strip().startswith("= ") for line in lines)  # no "= 0.235 = 0.235"
    assert str(explain(f, w).paths[0]) == f"∂f/∂w = {expected:.4g}"


def test_every_text_writes_upstream_times_local():
    # y = 3·s, s = x·x at x = 2: step 2 has upstream ∂y/∂s = 3 and local ∂s/∂x = x = 2
    x = Value(2.0, label="x")
    s = x * x
    s.label = "s"
    y = 3 * s
    y.label = "y"
    steps = list(backward_steps(y))
    text = str(steps[1])
    assert "sends 3 · 2 = 6" in text and "sends 2 · 3" not in text
    assert "3 \\cdot 2 = 6" in steps[1].to_latex()
    from autograd.explain import ParentStep

    assert "upstream × local" in (ParentStep.__doc__ or "")
