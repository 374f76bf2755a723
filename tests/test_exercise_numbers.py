"""Exercise numbers: every rule of a hand-workable exercise, checked by walking the graph
(not through the module's own helpers), the labels of each net, determinism, and every
gradient against plain-float formulas and PyTorch float64."""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys

import pytest
import torch

from autograd import draw
from autograd.graph import topological_order
from nn.examples import (
    five_input_forward,
    simplenn_forward,
    squared_error_forward,
    student_forward,
)
from nn.exercises import (
    MAX_PARAMETERS,
    NETS,
    Exercise,
    ExerciseError,
    build,
    exercise,
    parameters,
)

RULE_NETS = [*NETS, "2-2-1:relu,sigmoid", "2-3-2:tanh,sigmoid"]
SEEDS = range(200)


def two_decimals(x):
    return isinstance(x, float) and round(x, 2) == x


def neuron_parts(root):
    """Every weighted sum (a ``dot`` node) with its weights, inputs and bias, and the set of
    sums read by another neuron (the hidden ones), found by walking the graph."""
    order = topological_order(root)
    dots = [v for v in order if v.op == "dot"]
    made_from = {}  # an activation -> the sum it was made from
    for v in order:
        if v.op in ("relu", "sigmoid", "tanh") and v.parents[0].op == "dot":
            made_from[v] = v.parents[0]
    read = {made_from.get(x, x) for d in dots for x in d.parents[1:-1:2]}
    return order, dots, {d for d in dots if d in read}


def check_rules(ex: Exercise, dead_allowed: bool = False):
    """Assert every rule; returns the dead sums (their z ≤ -0.1)."""
    root = ex.root
    order, dots, hidden = neuron_parts(root)
    leaves = {v.label: v for v in order if not v.parents and v.label}
    assert set(leaves) == set(ex.given), "the given numbers are the graph's labelled leaves"
    for label, x in ex.given.items():
        assert two_decimals(x), (label, x)
        assert leaves[label].data == x
    weights = {w for d in dots for w in d.parents[0:-1:2]}
    biases = {d.parents[-1] for d in dots}
    inputs = {x for d in dots for x in d.parents[1:-1:2] if not x.parents}
    targets = set(leaves.values()) - weights - biases - inputs
    for w in weights:
        assert 0.05 <= abs(w.data) <= 1, w
    for b in biases:
        assert abs(b.data) <= 0.5, b
    for x in inputs:
        assert round(x.data, 1) == x.data and x.data != 0, x
        if ex.net == "student":
            assert x.data > 0 and (2 * x.data).is_integer(), x
    is_bce = any(v.op == "log" for v in order)
    for t in targets:
        assert t.data in (0.0, 1.0) if is_bce else 0.05 < t.data < 0.95, t
    # list order: inputs, then targets, then parameters in the network's order
    parameters = [p for d in dots for p in (*d.parents[0:-1:2], d.parents[-1])]
    n_in, n_t = len(inputs), len(targets)
    assert list(ex.given)[:n_in] == [x.label for x in order if x in inputs]
    assert set(list(ex.given)[n_in:n_in + n_t]) == {t.label for t in targets}
    assert list(ex.given)[n_in + n_t:] == [p.label for p in parameters]

    dead = set()
    for v in order:
        if v.op == "relu":
            z = v.parents[0].data
            assert abs(z) >= 0.1, (v.label, z)
            if z < 0:
                assert dead_allowed and v.parents[0] in hidden, (v.label, z)
                dead.add(v.parents[0])
        elif v.op == "sigmoid":
            assert 0.02 < v.data < 0.98, (v.label, v.data)
        elif v.op == "tanh":
            assert abs(v.data) < 0.96, (v.label, v.data)

    root.backward()
    zero = set()  # a dead neuron's parameters, and the weights that read its output
    for d in dots:
        if d in dead:
            zero.update((*d.parents[0:-1:2], d.parents[-1]))
        zero.update(w for w, x in zip(d.parents[0:-1:2], d.parents[1:-1:2])
                    if x.op == "relu" and x.parents[0] in dead)
    for d in hidden - dead:
        assert abs(d.grad) >= 1e-3, (d.label, d.grad)
    for p in parameters:
        if p in zero:
            assert p.grad == 0, (p.label, p.grad)
        else:
            assert abs(p.grad) >= 1e-4, (p.label, p.grad)
    return dead


# ---- the rules, 200 seeds a net ----------------------------------------------------------


@pytest.mark.parametrize("net", RULE_NETS)
def test_every_rule_holds_for_200_seeds(net):
    for seed in SEEDS:
        ex = exercise(net, seed)
        assert (ex.net, ex.seed, ex.student, ex.dead_relu) == (net, seed, None, False)
        assert check_rules(ex) == set()


def test_dead_relu_kills_exactly_one_hidden_neuron_and_its_gradients():
    dead_names = set()
    for seed in range(50):
        ex = exercise("student", seed, dead_relu=True)
        dead = check_rules(ex, dead_allowed=True)
        assert len(dead) == 1
        (z,) = dead
        dead_names.add(z.label)
        assert z.grad == 0 and all(w.grad == 0 for w in z.parents[0:-1:2])
        h = ex.values()["h1" if z.label == "z1" else "h2"]
        assert h.data == 0
    assert dead_names == {"z1", "z2"}  # either neuron can be the dead one


@pytest.mark.parametrize("net", ["simplenn", "2-3-2:relu,sigmoid", "2-2-2-1:relu,tanh"])
def test_dead_relu_on_other_nets(net):
    for seed in range(20):
        assert len(check_rules(exercise(net, seed, dead_relu=True), dead_allowed=True)) == 1


@pytest.mark.parametrize("net", ["squared-error", "five-input", "2-3-2:tanh,sigmoid"])
def test_dead_relu_needs_a_relu_neuron(net):
    with pytest.raises(ExerciseError, match="ReLU"):
        exercise(net, 1, dead_relu=True)


# ---- labels ---------------------------------------------------------------------------------


def labels_of(forward):
    return [v.label for v in forward().values()]


def test_student_labels():
    ex = exercise("student", 7)
    assert list(ex.given) == ["x1", "x2", "y", "w1", "w2", "b1", "w3", "w4", "b2",
                              "w5", "w6", "b3"]
    assert list(ex.values()) == [*ex.given, "z1", "h1", "z2", "h2", "z3", "ŷ", "L"]
    assert set(labels_of(student_forward)) | {"y"} == set(ex.values())


@pytest.mark.parametrize("net, forward, targets", [
    ("simplenn", simplenn_forward, ["y"]),
    ("squared-error", squared_error_forward, ["t_k1", "t_k2"]),
])
def test_labels_follow_the_examples(net, forward, targets):
    ex = exercise(net, 3)
    example = labels_of(forward)  # inputs, parameters, then the forward pass
    forward_pass = example[-len(ex.values()) + len(ex.given):]
    assert list(ex.given) == example[:2] + targets + example[2:-len(forward_pass)]
    assert list(ex.values()) == [*ex.given, *forward_pass]


def test_five_input_labels():
    ex = exercise("five-input", 3)
    example = labels_of(five_input_forward)
    assert list(ex.given)[:6] == example[:5] + ["y"]
    assert list(ex.given)[6:18] == example[5:17]  # the first layer as the article writes it
    assert list(ex.given)[18:] == ["W1,3", "W2,3", "Bias_Neuron3", "W1,4", "W2,4",
                                   "Bias_Neuron4", "W3,5", "W4,5", "Bias_Neuron5"]
    assert list(ex.values())[len(ex.given):] == example[-11:]  # Z1 Activation_1 ... L


def test_mlp_spec_labels():
    ex = exercise("2-3-2:tanh,sigmoid", 0)
    assert list(ex.given) == ["x1", "x2", "y[1]", "y[2]",
                              "W1[1,1]", "W1[1,2]", "b1[1]", "W1[2,1]", "W1[2,2]", "b1[2]",
                              "W1[3,1]", "W1[3,2]", "b1[3]",
                              "W2[1,1]", "W2[1,2]", "W2[1,3]", "b2[1]",
                              "W2[2,1]", "W2[2,2]", "W2[2,3]", "b2[2]"]
    assert list(ex.values())[len(ex.given):] == [
        "z1[1]", "a1[1]", "z1[2]", "a1[2]", "z1[3]", "a1[3]", "z2[1]", "ŷ[1]", "z2[2]",
        "ŷ[2]", "L"]
    one = exercise("2-2-1:relu,sigmoid", 0)
    assert list(one.values()) == labels_of(simplenn_forward)[:2] + ["y"] + \
        labels_of(simplenn_forward)[2:]


def test_the_neurons_view_finds_every_neuron():
    for net, names in [("student", ["h1", "h2", "ŷ"]), ("five-input", ["Prediction"])]:
        ex = exercise(net, 5)
        ex.root.backward()
        source = draw(ex.root, view="neurons").source
        assert all(name in source for name in names)
        assert "w1 = " in source or "W1,1 = " in source


# ---- determinism ------------------------------------------------------------------------------


def test_same_arguments_give_the_same_numbers_bit_for_bit():
    for net in RULE_NETS:
        a, b = exercise(net, 11, student=3), exercise(net, 11, student=3)
        assert a.given == b.given
        assert json.dumps(a.given) == json.dumps(b.given)
        assert a.root.data == b.root.data


def test_the_numbers_do_not_depend_on_the_process():
    code = ("import json; from nn.exercises import exercise; "
            "print(json.dumps(exercise('student', 7, student=2).given))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.stdout.strip() == json.dumps(exercise("student", 7, student=2).given)


def test_seeds_students_and_dead_relu_give_different_numbers():
    for net in RULE_NETS:
        seeds = {json.dumps(exercise(net, s).given) for s in range(30)}
        assert len(seeds) == 30, net
    students = {json.dumps(exercise("student", 7, student=k).given) for k in range(1, 31)}
    assert len(students) == 30
    assert json.dumps(exercise("student", 7).given) not in students
    assert exercise("student", 7).given != exercise("student", 7, dead_relu=True).given


# ---- build and the oracles ----------------------------------------------------------------


@pytest.mark.parametrize("net", RULE_NETS)
def test_build_reproduces_the_exercise(net):
    ex = exercise(net, 4)
    root = build(net, ex.given)
    assert root.data == ex.root.data and root.label == ex.root.label
    rebuilt = {v.label: v.data for v in topological_order(root) if v.label}
    assert rebuilt == {k: v.data for k, v in ex.values().items()}


def test_build_names_missing_and_extra_labels():
    given = dict(exercise("student", 1).given)
    del given["w3"]
    given["w7"] = 0.5
    with pytest.raises(ExerciseError) as err:
        build("student", given)
    assert "missing: w3" in str(err.value) and "not in the net: w7" in str(err.value)


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_student_against_the_article_formulas():
    for seed in range(40):
        ex = exercise("student", seed)
        g = ex.given
        z1 = g["w1"] * g["x1"] + g["w2"] * g["x2"] + g["b1"]
        z2 = g["w3"] * g["x1"] + g["w4"] * g["x2"] + g["b2"]
        z3 = g["w5"] * max(z1, 0) + g["w6"] * max(z2, 0) + g["b3"]
        y_hat, y = sigmoid(z3), g["y"]
        loss = -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))
        dw1 = (y_hat - y) * g["w5"] * (1.0 if z1 > 0 else 0.0) * g["x1"]
        ex.root.backward()
        values = ex.values()
        assert values["ŷ"].data == pytest.approx(y_hat, rel=1e-12)
        assert ex.root.data == pytest.approx(loss, rel=1e-12)
        assert values["w1"].grad == pytest.approx(dw1, rel=1e-10)


def torch_student(g):
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in g.items()}
    out = dict(t)
    out["z1"] = t["w1"] * t["x1"] + t["w2"] * t["x2"] + t["b1"]
    out["h1"] = torch.relu(out["z1"])
    out["z2"] = t["w3"] * t["x1"] + t["w4"] * t["x2"] + t["b2"]
    out["h2"] = torch.relu(out["z2"])
    out["z3"] = t["w5"] * out["h1"] + t["w6"] * out["h2"] + t["b3"]
    out["ŷ"] = torch.sigmoid(out["z3"])
    y = t["y"]
    out["L"] = -(y * torch.log(out["ŷ"]) + (1 - y) * torch.log(1 - out["ŷ"]))
    return out


def torch_2_3_2(g):
    """The 2-3-2 tanh/sigmoid MLP with the mean squared error, as matrices."""
    def tensor(rows):
        return torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    x, y = tensor([g["x1"], g["x2"]]), tensor([g["y[1]"], g["y[2]"]])
    w1 = tensor([[g[f"W1[{i},{j}]"] for j in (1, 2)] for i in (1, 2, 3)])
    b1 = tensor([g[f"b1[{i}]"] for i in (1, 2, 3)])
    w2 = tensor([[g[f"W2[{i},{j}]"] for j in (1, 2, 3)] for i in (1, 2)])
    b2 = tensor([g[f"b2[{i}]"] for i in (1, 2)])
    z1 = w1 @ x + b1
    a1 = torch.tanh(z1)
    z2 = w2 @ a1 + b2
    y_hat = torch.sigmoid(z2)
    loss = ((y_hat - y) ** 2).mean()
    for t in (z1, a1, z2, y_hat):
        t.retain_grad()
    loss.backward()
    out = {"L": (loss, None)}
    for name, t, shape in [("x", x, (2,)), ("y", y, (2,)), ("W1", w1, (3, 2)), ("b1", b1, (3,)),
                           ("W2", w2, (2, 3)), ("b2", b2, (2,)), ("z1", z1, (3,)),
                           ("a1", a1, (3,)), ("z2", z2, (2,)), ("ŷ", y_hat, (2,))]:
        for index in itertools.product(*map(range, shape)):
            label = (f"{name}{index[0] + 1}" if name == "x" else
                     f"{name}[{','.join(str(i + 1) for i in index)}]")
            out[label] = (t[index], t.grad[index])
    return out


def test_student_gradients_against_pytorch():
    for seed in range(20):
        ex = exercise("student", seed, dead_relu=seed % 2 == 1)
        ex.root.backward()
        out = torch_student(ex.given)
        for t in out.values():
            if t.requires_grad and not t.is_leaf:
                t.retain_grad()
        out["L"].backward()
        values = ex.values()
        assert set(values) == set(out)
        for label, v in values.items():
            assert v.data == pytest.approx(out[label].item(), rel=1e-12, abs=1e-15), label
            grad = out[label].grad.item() if label != "L" else 1.0
            assert v.grad == pytest.approx(grad, rel=1e-9, abs=1e-15), label


def test_mlp_gradients_against_pytorch():
    for seed in range(20):
        ex = exercise("2-3-2:tanh,sigmoid", seed)
        ex.root.backward()
        out = torch_2_3_2(ex.given)
        values = ex.values()
        assert set(values) == set(out)
        for label, v in values.items():
            data, grad = out[label]
            assert v.data == pytest.approx(data.item(), rel=1e-12), label
            expected = 1.0 if grad is None else grad.item()
            assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-15), label


# ---- bad requests -------------------------------------------------------------------------


@pytest.mark.parametrize("net, words", [
    ("students", ["unknown net", "student", "simplenn", "five-input", "2-2-1:relu,sigmoid"]),
    ("2-x-1", ["whole numbers", "2-2-1"]),
    ("2-2-1:foo", ["relu", "sigmoid", "tanh", "linear", "2-2-1:relu,sigmoid"]),
    ("2-2-1", ["activations", "2-2-1:relu,sigmoid"]),
    ("2-2-1:relu", ["two of"]),
    ("0-1", ["at least 1"]),
    ("2-0-1", ["at least 1"]),
    ("8-8-8-8-1:relu,sigmoid", ["too big to work by hand: 225 parameters, at most 60"]),
    ("2-2-2-2-2-2-2-2-2-2-2-1:tanh,sigmoid", ["63 parameters, at most 60"]),
    ("1-99999999999999999999-1:relu,sigmoid", ["too big to work by hand"]),
    ("5" * 5000 + "-1:relu,sigmoid", ["too big to work by hand"]),  # no huge int is read
    ("2-2-1:relu,sigmoid:foo", ["bad loss", "mse"]),
    ("2-2-1:relu,tanh:bce", ["sigmoid", "mse"]),
])
def test_bad_nets_say_what_to_write(net, words):
    with pytest.raises(ExerciseError) as err:
        exercise(net, 1)
    message = str(err.value)
    assert "\n" not in message
    assert all(word in message for word in words), message
    with pytest.raises(ValueError):  # an ExerciseError is a ValueError
        build(net, {})


def test_the_size_is_capped_by_parameters_not_by_layers_or_width():
    # the cap counts weights and biases: the articles' nets and any MLP of at most 60 pass,
    # however its layers are shaped
    assert MAX_PARAMETERS == 60
    five = exercise("five-input", 1)
    assert len([k for k in five.given if k[0] in "WB"]) == 21
    for net, count in (("9-2-1:relu,sigmoid", 23), ("2-2-2-2-2-2-2-2-2-2-2:tanh,sigmoid", 60),
                       ("1-19-1:relu,sigmoid", 58)):
        ex = exercise(net, 1)
        assert parameters([int(n) for n in net.split(":")[0].split("-")]) == count
        assert len(ex.given) == count + len([k for k in ex.given if k[0] in "xy"])


def test_the_name_and_description_are_the_nets_however_it_is_spelled():
    for spelled, name in ((" Simple NN", "SimpleNN"), ("five - input", "five-input"),
                          ("STUDENT", "student"), ("2-2-1:RELU,sigmoid", "2-2-1:relu,sigmoid:bce")):
        ex = exercise(spelled, 1)
        assert ex.name == name
        canonical = {"SimpleNN": "simplenn"}.get(name, name)
        assert ex.description == exercise(canonical, 1).description
    assert "third article" in exercise("Simple NN", 1).description
    assert "fourth article" in exercise("five - input", 1).description
    assert exercise("2-3-2:tanh,sigmoid", 1).description.startswith(
        "A multilayer perceptron 2-3-2:tanh,sigmoid:mse")


@pytest.mark.parametrize("kwargs, words", [
    ({"seed": "7"}, ["seed"]),
    ({"seed": 7, "student": 0}, ["student", "1, 2"]),
    ({"seed": 7, "student": -3}, ["student"]),
])
def test_bad_seed_or_student(kwargs, words):
    with pytest.raises(ExerciseError) as err:
        exercise("student", **kwargs)
    assert all(word in str(err.value) for word in words)



def test_the_rule_checker_catches_broken_numbers():
    ex = exercise("student", 7)
    for change in ({"w1": -1.0, "w2": -1.0}, {"w1": 0.123}, {"b3": 9.0}, {"y": 0.5}):
        given = {**ex.given, **change}
        broken = Exercise("student", 7, None, False, given, build("student", given))
        with pytest.raises(AssertionError):
            check_rules(broken)
