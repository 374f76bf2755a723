"""Edge cases found in review: NaN through relu, rules of the wrong length, gradcheck's
side effects, odd cluster names, and a CLI that never shows a traceback."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from autograd import OPS, Value, draw, gradcheck
from autograd.cli import main
from autograd.ops import Op
from autograd.value import apply


@pytest.mark.parametrize("method", ["relu", "leaky_relu"])
def test_nan_passes_through_relu_as_in_pytorch(method):
    import torch

    out = getattr(Value(float("nan")), method)()
    expected = getattr(torch.nn.functional, method)(torch.tensor(float("nan"))).item()
    assert math.isnan(out.data) and math.isnan(expected)
    assert getattr(Value(0.0), method)().data == 0.0


def test_a_rule_giving_too_few_derivatives_is_refused():
    short = Op("short_rule", "s", lambda a, b: a * b, lambda a, b, out: (b,), ("b", "a"))
    with pytest.raises(TypeError, match="one per input"):
        apply(short, Value(2.0), Value(3.0))
    assert "short_rule" not in OPS


def test_gradcheck_leaves_closed_over_gradients_alone():
    w = Value(3.0)
    w.grad = 0.5
    report = gradcheck(lambda x: x * w, [2.0])
    assert bool(report) and w.grad == 0.5


def test_cluster_names_from_labels_are_escaped(tmp_path):
    a = Value(1.0, label="layer\\.w1")
    b = Value(2.0, label='<b>"x"</b>.w2')
    y = a * b
    y.label = "y"
    svg = draw(y, group=True).pipe(format="svg").decode()
    assert "<svg" in svg and "layer\\" in svg


@pytest.mark.parametrize("expression", ["(-8)**(1/3) + x", "x*(-8)**0.5", "0**-1 + x",
                                        "10.0**400 + x"])
def test_cli_refuses_without_traceback(expression, capsys):
    assert main(["grad", expression, "--at", "x=1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_cli_differentiates_a_sum_nested_thousands_deep(capsys):
    # x+x+...+x nests one level per term, past Python's recursion limit of 1,000
    assert main(["grad", "+".join(["x"] * 2400), "--at", "x=1"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("= 2400\n∂f/∂x = 2400\n")


def test_cli_unwritable_svg_is_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograd", "grad", "x*x", "--at", "x=1",
                           "--svg", str(tmp_path / "no" / "such" / "dir" / "g.svg")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


def test_cli_explains_a_bare_variable(capsys):
    assert main(["grad", "x", "--at", "x=4", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "∂f/∂x = 1" in out and "∂f/∂f" not in out
