"""The chain rule in LaTeX: explanations, paths and backward steps as the articles write them.

Three things are checked here: the numbers (against the first article's network computed on
plain floats), the LaTeX itself (rendered with matplotlib's mathtext, which raises on what
it cannot parse, and read back as an image with ink on it), and safety (no label, however
hostile, reaches the output as a command or a stray special character).
"""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pytest
from matplotlib.image import imread
from matplotlib.mathtext import MathTextParser, math_to_image

from autograd import Value, backward_steps, explain
from autograd.notation import latex_derivative, latex_name, latex_number, latex_text
from nn.examples import (
    STUDENT_WEIGHTS,
    five_input_forward,
    simplenn_forward,
    squared_error_forward,
    student_forward,
)

# ---- helpers ---------------------------------------------------------------------------------


_MATHTEXT = MathTextParser("agg")  # matplotlib's own TeX subset, drawn to pixels


def rendered(latex: str) -> None:
    """Typeset one equation with mathtext; fail unless it parses and puts ink on the image."""
    assert "\n" not in latex and "&" not in latex.replace(r"\text{\&}", ""), latex
    image = np.asarray(_MATHTEXT.parse(f"${latex}$", dpi=72).image)
    assert (image > 64).sum() >= 4, f"nothing drawn for {latex!r}"


ALLOWED_COMMANDS = {
    # what the project itself writes
    "frac", "partial", "cdot", "times", "hat", "bar", "tilde", "dot", "ddot", "vec", "acute",
    "grave", "breve", "check", "mathrm", "operatorname", "text", "sigma", "log", "exp",
    "tanh", "sin", "cos", "sqrt", "left", "right", "ldots", "quad", "infty", "sum", "theta",
    # what labels' special characters become
    "backslash", "wedge", "sim", "{", "}", "$", "#", "%", "_", "&", " ",
}
"""Every command a line may hold (\\begin, \\end and the \\\\ between lines only join them)."""


def commands(latex: str) -> set[str]:
    """Every control sequence in ``latex``: ``\\frac`` gives "frac", ``\\{`` gives "{"."""
    return {m.group(1) for m in re.finditer(r"\\([A-Za-z]+|.)", latex, re.DOTALL)}


def unescaped(latex: str, char: str) -> int:
    """How often ``char`` appears without a backslash before it."""
    return len(re.findall(rf"(?<!\\){re.escape(char)}", latex.replace("\\\\", "")))


# ---- the first article's network, by hand ----------------------------------------------------

X1, X2 = 2.0, 5.0
((W1, W2), (W3, W4)), (B1, B2) = STUDENT_WEIGHTS[0]
((W5, W6),), (B3,) = STUDENT_WEIGHTS[1]
Z1 = W1 * X1 + W2 * X2 + B1
Z2 = W3 * X1 + W4 * X2 + B2
H1, H2 = max(Z1, 0.0), max(Z2, 0.0)
Z3 = W5 * H1 + W6 * H2 + B3
Y_HAT = 1 / (1 + math.exp(-Z3))
# L = -log(1 - ŷ) for the first student (y = 0)
LOCAL_W1 = {
    r"\frac{\partial L}{\partial \hat{y}}": 1 / (1 - Y_HAT),
    r"\frac{\partial \hat{y}}{\partial z_{3}}": Y_HAT * (1 - Y_HAT),
    r"\frac{\partial z_{3}}{\partial h_{1}}": W5,
    r"\frac{\partial h_{1}}{\partial z_{1}}": 1.0 if Z1 > 0 else 0.0,
    r"\frac{\partial z_{1}}{\partial w_{1}}": X1,
}


def four_digits(x: float) -> str:
    return format(x, ".4g")


def test_the_hand_computation_is_the_articles_network():
    assert round(Z1, 6) == 0.8 and round(Z2, 6) == 1.1 and round(Y_HAT, 3) == 0.633


def test_dL_dw1_is_the_product_of_the_five_local_derivatives_in_order():
    net = student_forward()
    net["L"].backward()
    first = explain(net["L"], net["w1"]).latex_lines()[0]
    title, symbols, numbers, total = first.split(" = ")
    assert title == r"\frac{\partial L}{\partial w_{1}}"
    assert symbols.split(r" \cdot ") == list(LOCAL_W1)
    assert numbers.split(r" \cdot ") == [four_digits(v) for v in LOCAL_W1.values()]
    product = math.prod(LOCAL_W1.values())
    assert total == four_digits(product) == four_digits(net["w1"].grad) == "0.4431"
    assert first == (
        r"\frac{\partial L}{\partial w_{1}} = \frac{\partial L}{\partial \hat{y}} \cdot "
        r"\frac{\partial \hat{y}}{\partial z_{3}} \cdot \frac{\partial z_{3}}{\partial h_{1}} "
        r"\cdot \frac{\partial h_{1}}{\partial z_{1}} \cdot \frac{\partial z_{1}}{\partial w_{1}}"
        r" = 2.725 \cdot 0.2323 \cdot 0.35 \cdot 1 \cdot 2 = 0.4431")


def test_dL_dw1_lists_each_factor_with_its_formula():
    net = student_forward()
    lines = explain(net["L"], net["w1"]).latex_lines()
    assert lines[1:] == [
        r"\frac{\partial L}{\partial \hat{y}} = \frac{1}{1 - \hat{y}} = 2.725",
        r"\frac{\partial \hat{y}}{\partial z_{3}} = \sigma'(z_{3}) = "
        r"\hat{y} \cdot (1 - \hat{y}) = 0.2323",
        r"\frac{\partial z_{3}}{\partial h_{1}} = w_{5} = 0.35",
        r"\frac{\partial h_{1}}{\partial z_{1}} = \operatorname{ReLU}'(z_{1}) = "
        r"\operatorname{step}(z_{1}) = 1",
        r"\frac{\partial z_{1}}{\partial w_{1}} = x_{1} = 2",
    ]
    for line, (name, value) in zip(lines[1:], LOCAL_W1.items()):
        assert line.startswith(name) and line.endswith(" = " + four_digits(value))


def test_the_path_alone_and_the_aligned_block():
    net = student_forward()
    why = explain(net["L"], net["w1"])
    assert why.paths[0].to_latex() == why.latex_lines()[0]
    block = why.to_latex()
    assert block.startswith(r"\begin{aligned}") and block.endswith(r"\end{aligned}")
    rows = block.splitlines()[1:-1]
    assert len(rows) == 6 and all(" &= " in row for row in rows)
    assert all(row.endswith(r" \\") for row in rows[:-1]) and not rows[-1].endswith("\\")
    assert [row.strip().rstrip("\\").strip().replace(" &= ", " = ", 1) for row in rows] \
        == why.latex_lines()


def test_the_explanation_of_dL_dw1_draws_as_a_picture():
    net = student_forward()
    for line in explain(net["L"], net["w1"]).latex_lines():
        buffer = io.BytesIO()
        math_to_image(f"${line}$", buffer, dpi=100, format="png")
        pixels = imread(io.BytesIO(buffer.getvalue()), format="png")
        assert pixels.shape[1] > 3 * pixels.shape[0] > 30  # a line of math, wider than high
        assert (pixels[..., :3] < 0.5).any(axis=-1).sum() > 100  # dark ink on white


def test_two_paths_are_listed_and_summed_with_negative_numbers_in_parentheses():
    net = student_forward()
    lines = explain(net["L"], net["x1"]).latex_lines()
    assert lines[0].startswith(r"\text{path 1: }\frac{\partial L}{\partial \hat{y}}")
    assert lines[0].endswith(r"\cdot 1 \cdot 0.6 = 0.1329")
    assert lines[1].startswith(r"\text{path 2: }")
    assert lines[1].endswith(r"0.15 \cdot 1 \cdot (-0.3) = -0.02848")
    path_1 = math.prod([*list(LOCAL_W1.values())[:4], W1])
    path_2 = (1 / (1 - Y_HAT)) * Y_HAT * (1 - Y_HAT) * W6 * 1.0 * W3
    assert lines[2] == (rf"\frac{{\partial L}}{{\partial x_{{1}}}} = {four_digits(path_1)} - "
                        rf"{four_digits(-path_2)} = {four_digits(path_1 + path_2)}")


def test_too_many_paths_give_the_total_and_the_factors():
    net = student_forward()
    why = explain(net["L"], net["x1"], max_paths=1)
    lines = why.latex_lines()
    assert why.summarised and lines[0] == r"\frac{\partial L}{\partial x_{1}} = 0.1044"
    assert not any("path" in line for line in lines)
    assert r"\frac{\partial z_{2}}{\partial x_{1}} = w_{3} = -0.3" in lines


def test_no_path_and_a_value_with_respect_to_itself():
    x, u = Value(1.0, label="x"), Value(2.0, label="u")
    y = x.exp()
    y.label = "y"
    assert explain(y, u).to_latex() == r"\frac{\partial y}{\partial u} = 0"
    assert explain(x, x).to_latex() == r"\frac{\partial x}{\partial x} = 1"


# ---- the backward pass, step by step ---------------------------------------------------------


def test_step_4_of_the_students_backward_pass_is_the_articles_line():
    net = student_forward()
    steps = list(backward_steps(net["L"]))
    assert steps[3].to_latex() == (
        r"\frac{\partial L}{\partial z_{3}} = \frac{\partial L}{\partial \hat{y}} \cdot "
        r"\frac{\partial \hat{y}}{\partial z_{3}} = 2.725 \cdot 0.2323 = 0.633")
    upstream, local = 1 / (1 - Y_HAT), Y_HAT * (1 - Y_HAT)
    assert four_digits(upstream * local) == "0.633"


def test_a_step_of_a_node_with_two_parents_has_one_line_each():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    z = w * x
    z.label = "z"
    y = z.tanh()
    y.label = "y"
    _, step = backward_steps(y)
    upstream = 1 - math.tanh(1.0) ** 2
    assert step.latex_lines() == [
        rf"\frac{{\partial y}}{{\partial w}} = \frac{{\partial y}}{{\partial z}} \cdot "
        rf"\frac{{\partial z}}{{\partial w}} = {four_digits(upstream)} \cdot 2 = "
        rf"{four_digits(upstream * 2)}",
        rf"\frac{{\partial y}}{{\partial x}} = \frac{{\partial y}}{{\partial z}} \cdot "
        rf"\frac{{\partial z}}{{\partial x}} = {four_digits(upstream)} \cdot 0.5 = "
        rf"{four_digits(upstream * 0.5)}",
    ]
    assert step.to_latex().count(" &= ") == 2


def test_a_constant_parent_gets_no_line():
    net = student_forward()
    step = list(backward_steps(net["L"]))[2]  # 1 − ŷ: parents 1 (a number) and ŷ
    assert step.latex_lines() == [
        r"\frac{\partial L}{\partial \hat{y}} = \frac{\partial L}{\partial (1 - \hat{y})} \cdot "
        r"\frac{\partial (1 - \hat{y})}{\partial \hat{y}} = (-2.725) \cdot (-1) = 2.725"]
    w = Value(0.5, label="w")
    y = (w * 3.0).tanh()
    y.label = "y"
    _, product = backward_steps(y)
    (line,) = product.latex_lines()
    assert line.startswith(r"\frac{\partial y}{\partial w} = ")
    assert r"\partial 3}" not in line


def test_x_times_x_sends_twice_to_the_same_parent_and_adds_up():
    x = Value(3.0, label="x")
    s = x * x
    s.label = "s"
    y = 2 * s
    y.label = "y"
    steps = list(backward_steps(y))
    first, second = steps[1].latex_lines()
    assert first.endswith(r"= 2 \cdot 3 = 6,\quad \frac{\partial y}{\partial x} = 6 + \ldots")
    assert second.endswith(r"= 2 \cdot 3 = 6,\quad \frac{\partial y}{\partial x} = 6 + 6 = 12")
    assert x.grad == 12.0
    alone = x * x  # at the root: the local derivative itself, twice
    alone.label = "q"
    (step,) = backward_steps(alone)
    assert step.latex_lines() == [
        r"\frac{\partial q}{\partial x} = x = 3,\quad \frac{\partial q}{\partial x} = 3 + \ldots",
        r"\frac{\partial q}{\partial x} = x = 3,\quad \frac{\partial q}{\partial x} = 3 + 3 = 6",
    ]


def test_an_input_reached_from_two_neurons_adds_across_steps():
    net = student_forward()
    steps = list(backward_steps(net["L"]))
    to_x1 = [line for step in steps for line in step.latex_lines()
             if r"\frac{\partial L}{\partial x_{1}}" in line]
    assert [line.split(r",\quad ")[1] for line in to_x1] == [
        r"\frac{\partial L}{\partial x_{1}} = -0.02848 + \ldots",
        r"\frac{\partial L}{\partial x_{1}} = -0.02848 + 0.1329 = 0.1044",
    ]
    assert four_digits(net["x1"].grad) == "0.1044"


def test_unlabelled_values_are_named_by_their_expression():
    net = student_forward()
    first = next(backward_steps(net["L"]))
    assert first.to_latex() == r"\frac{\partial L}{\partial \log(1 - \hat{y})} = -1"


# ---- what Jupyter is given ------------------------------------------------------------------


def test_repr_latex_is_display_math_that_notebooks_typeset():
    net = student_forward()
    why = explain(net["L"], net["w1"])
    step = list(backward_steps(net["L"]))[3]
    for shown in (why, why.paths[0], why.factors[0], step):
        text = shown._repr_latex_()
        assert text.startswith("$$") and text.endswith("$$")
        assert text[2:-2].strip() == shown.to_latex()
        assert unescaped(text, "$") == 4


def test_ipython_sends_latex_and_no_html_that_would_hide_it():
    formatters = pytest.importorskip("IPython.core.formatters")
    net = student_forward()
    why = explain(net["L"], net["w1"])
    for shown in (why, why.paths[0], next(backward_steps(net["L"]))):
        bundle, _ = formatters.DisplayFormatter().format(shown)
        # JupyterLab, VS Code and nbconvert all prefer text/html to text/latex
        assert "text/html" not in bundle and "text/markdown" not in bundle
        assert bundle["text/latex"] == shown._repr_latex_()
    assert "path 1:" in str(why)  # the text form is unchanged for print()


# ---- the LaTeX is valid: mathtext renders every line ----------------------------------------


def lines_of_a_whole_network(net: dict[str, Value], root: Value) -> list[str]:
    lines = []
    for value in net.values():
        if not value.parents and value is not root:
            lines += explain(root, value).latex_lines()
    for step in backward_steps(root):
        lines += step.latex_lines()
    return lines


@pytest.mark.parametrize("forward", [student_forward, simplenn_forward, squared_error_forward,
                                     five_input_forward])
def test_every_line_of_an_articles_network_renders(forward):
    net = forward()
    root = net.get("L") or net["E"]
    lines = lines_of_a_whole_network(net, root)
    assert len(lines) > 20
    for line in lines:
        rendered(line)


def test_the_third_and_second_articles_names():
    net = simplenn_forward()
    line = explain(net["L"], net["W1[1,2]"]).latex_lines()[0]
    assert line.startswith(r"\frac{\partial L}{\partial W_{1}[1,2]}")
    assert r"\frac{\partial z_{1}[1]}{\partial W_{1}[1,2]}" in line
    net = squared_error_forward()
    lines = explain(net["E"], net["theta_j1"]).latex_lines()  # through o_k1 and o_k2
    assert lines[0].startswith(r"\text{path 1: }") and lines[1].startswith(r"\text{path 2: }")
    assert lines[2].startswith(r"\frac{\partial E}{\partial \theta_{j1}} = ")
    assert r"\frac{\partial \mathrm{net}_{j1}}{\partial \theta_{j1}} = 1" in lines


def test_every_op_and_number_form_renders():
    x = Value(0.3)
    y = ((x ** 3) / (1 - x).exp()).sqrt() + abs(x) - x.log() * x.sigmoid() + 1e-7 * x
    y = y.tanh().relu() + y.leaky_relu().softplus() + (x.sin() * x.cos()) ** x
    why = explain(y, x, merge=False, max_paths=20)
    lines = why.latex_lines() + [line for s in backward_steps(y) for line in s.latex_lines()]
    assert any(r"\times 10^{-7}" in line for line in lines)
    for line in lines:
        rendered(line)


# ---- labels: as the articles write them, and never as commands -------------------------------


@pytest.mark.parametrize("label, latex", [
    ("ŷ", r"\hat{y}"), ("y_hat", r"\hat{y}"), ("w1", "w_{1}"), ("w₁", "w_{1}"),
    ("W1[1,2]", "W_{1}[1,2]"), ("z1[2]", "z_{1}[2]"), ("a1_1", "a_{1,1}"), ("b3", "b_{3}"),
    ("x_2", "x_{2}"), ("θ_j1", r"\theta_{j1}"), ("theta", r"\theta"), ("L", "L"),
    ("loss", r"\mathrm{loss}"), ("net_j1", r"\mathrm{net}_{j1}"), ("W5,1", "W_{5,1}"),
    ("Activation_1", r"\mathrm{Activation}_{1}"), ("x̄", r"\bar{x}"),
    ("layer1.neuron2.z", r"\mathrm{layer1.neuron2.z}"),
])
def test_labels_are_written_as_the_articles_write_them(label, latex):
    assert latex_name(label) == latex
    rendered(latex)


def test_expression_names_are_written_as_math():
    y = Value(0.5, label="ŷ")
    z = Value(0.2, label="z")
    loss = (1 - y).log() + z.sigmoid() ** 2
    loss.label = "L"
    lines = [line for v in (y, z) for line in explain(loss, v, merge=False).latex_lines()]
    assert r"\frac{\partial L}{\partial \log(1 - \hat{y})}" in lines[0]
    assert r"\frac{\partial (\sigma(z)^{2})}{\partial \sigma(z)} = 2 \cdot \sigma(z) = 1.1" in lines
    assert r"\frac{\partial (1 - \hat{y})}{\partial \hat{y}} = -1" in lines
    for line in lines:
        rendered(line)


HOSTILE = [r"\input{x}", "}{", "$", "%", "#", "&", "_", "^", "~", "\\", r"$x$", "{", "}",
           r"\end{aligned}", "a b", "50% & $5 #1_2^3~", "é", "x\ny", "\\\\", r"\(", "$$"]


@pytest.mark.parametrize("label", HOSTILE)
def test_a_hostile_label_shows_as_text_and_runs_nothing(label):
    name = latex_name(label)
    assert commands(name) <= ALLOWED_COMMANDS, name
    assert r"\input" not in name and r"\end" not in name and r"\(" not in name.replace(
        r"\backslash (", "")
    for char in "$%#_^~&":
        assert unescaped(name.replace(r"\text{\&}", ""), char) == 0, (char, name)
    assert unescaped(name, "{") == unescaped(name, "}")  # groups of our own, balanced
    rendered(name)

    x = Value(2.0, label=label)
    y = (x * x + 1).tanh()
    y.label = label + "y"
    lines = explain(y, x).latex_lines()
    lines += [line for step in backward_steps(y) for line in step.latex_lines()]
    for line in lines:
        assert commands(line) <= ALLOWED_COMMANDS, line
        assert unescaped(line.replace(r"\text{\&}", ""), "&") == 0
        rendered(line)
    shown = explain(y, x)._repr_latex_()
    assert unescaped(shown, "$") == 4  # only the display delimiters


def test_latex_text_and_derivative_helpers():
    assert latex_text("") == "{}"
    assert latex_derivative("z_{1}", "w_{1}") == r"\frac{\partial z_{1}}{\partial w_{1}}"
    assert latex_derivative("1 - y", "-2") == r"\frac{\partial (1 - y)}{\partial (-2)}"
    assert latex_number(-0.0) == "0" and latex_number(2.5e-12) == r"2.5 \times 10^{-12}"
    assert latex_number(0.5, ".0%") == r"50\%"
    rendered(latex_number(2.5e-12))
