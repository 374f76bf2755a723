"""`backprop-lab check`: a hand-derived gradient checked on the command line. Exit status
0 when the claim holds, 1 when it does not (with the diagnosis), 2 on bad input (one line,
never a traceback); ``--json`` is always one valid JSON document."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd.cli import main
from tests.student_statements import AT, NET, POINT

RIGHT = "(y_hat - y)*w5*step(z1)*x1"
RELU_FORGOTTEN = "(y_hat - y)*w5*x1"


def loss(p: dict[str, float]) -> float:
    z1 = p["w1"] * p["x1"] + p["w2"] * p["x2"] + p["b1"]
    z2 = p["w3"] * p["x1"] + p["w4"] * p["x2"] + p["b2"]
    z3 = p["w5"] * max(z1, 0.0) + p["w6"] * max(z2, 0.0) + p["b3"]
    y_hat = 1 / (1 + math.exp(-z3))
    return -(p["y"] * math.log(y_hat) + (1 - p["y"]) * math.log(1 - y_hat))


def dL_dw1() -> float:
    """∂L/∂w1 at POINT by central differences: the oracle."""
    h = 1e-6
    up, down = dict(POINT, w1=POINT["w1"] + h), dict(POINT, w1=POINT["w1"] - h)
    return (loss(up) - loss(down)) / (2 * h)


def strict_json(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_the_right_formula_holds_exit_0():
    status, out, err = run("check", NET, "--at", *AT, "--wrt", "w1", "--claim", RIGHT)
    assert status == 0, err
    assert out.startswith(f"∂L/∂w1 = {RIGHT}: holds")


def test_forgetting_relu_prime_fails_exit_1_with_the_diagnosis():
    status, out, err = run("check", NET, "--at", *AT, "--wrt", "w1", "--claim", RELU_FORGOTTEN)
    assert status == 1 and err == ""
    assert "does NOT hold" in out
    assert "missing ∂h1/∂z1 = ReLU'(z1)" in out  # the diagnosis names the forgotten factor


def test_json_for_both_verdicts_is_valid_and_carries_the_engines_number():
    for claim, status_wanted, holds in ((RIGHT, 0, True), (RELU_FORGOTTEN, 1, False)):
        status, out, _ = run("check", NET, "--at", *AT, "--wrt", "w1", "--claim", claim,
                             "--json", "--points", "16", "--seed", "3")
        assert status == status_wanted
        report = strict_json(out)
        assert report["expression"] == NET and report["wrt"] == "w1"
        assert report["holds"] is holds and report["claim"] == claim
        assert report["name"] == "∂L/∂w1" and report["points"] == 16 and report["seed"] == 3
        assert report["here"]["engine"] == pytest.approx(dL_dw1(), rel=1e-6)
        if holds:
            assert report["diagnosis"] is None
        else:
            assert report["diagnosis"]["category"] == "missing factor"
            assert report["diagnosis"]["edge"] == "∂h1/∂z1"


def test_a_number_claim_is_judged_at_its_printed_digits():
    right = f"{dL_dw1():.4f}"
    wrong = f"{dL_dw1() + 0.002:.4f}"
    assert run("check", NET, "--at", *AT, "--wrt", "w1", "--claim", right)[0] == 0
    status, out, _ = run("check", NET, "--at", *AT, "--wrt", "w1", "--claim", wrong)
    assert status == 1 and "does NOT hold" in out and right in out


def test_articles_notation_in_the_expression_and_the_claim():
    # ·, −, subscripts and ReLU' as an article prints them
    status, out, err = run("check", "z₁ = w₁·x₁ − b₁; h₁ = relu(z₁); L = (h₁ − y)**2",
                           "--at", "w₁=0.5", "x₁=2", "b₁=−0.1", "y=0.3", "--wrt", "w₁",
                           "--claim", "2·(h₁ − y)·ReLU'(z₁)·x₁", "--points", "16")
    assert status == 0, err + out


@pytest.mark.parametrize("argv, words", [
    (["--wrt", "w1", "--claim", "(y_hat - y)*w5*q"], ["'q' is not a label", "w1", "y_hat"]),
    (["--wrt", "w1", "--claim", "(y_hat - y)^2"], ["use ** for powers"]),
    (["--wrt", "w1", "--claim", "2w5"], ["write 2*w5"]),
    (["--wrt", "w1", "--claim", ""], ["empty"]),
    (["--wrt", "w1", "--claim", "(y_hat - y"], ["never closed"]),
    (["--wrt", "w1", "w2", "--claim", RIGHT], ["one --wrt"]),
    (["--wrt", "nope", "--claim", RIGHT], ["--wrt nope"]),
    (["--claim", RIGHT], ["--wrt"]),
    (["--wrt", "w1"], ["--claim"]),
    (["--wrt", "w1", "--claim", RIGHT, "--points", "0"], ["--points"]),
    (["--wrt", "w1", "--claim", RIGHT, "--seed", "x"], ["--seed"]),
])
def test_bad_input_exits_2_with_one_line(argv, words):
    status, out, err = run("check", NET, "--at", *AT, *argv)
    assert status == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err
    for python in ("Traceback", "BitXor", "invalid syntax", "decimal literal"):
        assert python not in err


def test_bad_expression_exits_2():
    status, _, err = run("check", "L = relu(z", "--at", "z=1", "--wrt", "z", "--claim", "1")
    assert status == 2 and "never closed" in err


def test_the_console_script_exits_1_for_a_wrong_claim():
    script = os.path.join(os.path.dirname(sys.executable), "backprop-lab")
    done = subprocess.run([script, "check", NET, "--at", *AT, "--wrt", "w1", "--claim",
                           RELU_FORGOTTEN, "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert strict_json(done.stdout)["holds"] is False


_CLAIM_PIECES = st.sampled_from([
    "y_hat", "y", "w5", "x1", "z1", "h1", "step(", "relu(", "ReLU'(", "σ'(", "log(", "(", ")",
    "*", "·", "-", "−", "+", "/", "**", "^", "2", "0.5", "1", "0", "e", "pi", "'", " ", "q",
    "w₁", "x²", "=", ";", ",", "[", "lambda", "1/0", "exp(1000)", "0.4431",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_CLAIM_PIECES, max_size=10).map("".join))
def test_fuzzed_claims_never_raise(claim):
    status, out, err = run("check", NET, "--at", *AT, "--wrt", "w1", "--claim", claim,
                           "--points", "3", "--json")
    assert status in (0, 1, 2)
    assert "Traceback" not in err
    if status == 2:
        assert err.startswith("error: ") and err.count("\n") == 1 and out == ""
    else:
        assert strict_json(out)["holds"] is (status == 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(_CLAIM_PIECES, max_size=6).map("".join))
def test_claims_naming_an_unknown_value_exit_2(claim):
    status, _, err = run("check", NET, "--at", *AT, "--wrt", "w1", "--claim", f"q*({claim})",
                         "--points", "3")
    assert status == 2 and err.startswith("error: ") and "Traceback" not in err


def test_a_statement_that_is_a_number_is_held_as_a_constant(capsys):
    code = main(["check", "t = 1; L = (h - t)**2", "--at", "h=3", "--wrt", "h",
                 "--claim", "2*(h - 1)"])
    assert code == 0, capsys.readouterr().out
    assert main(["check", "c = pi; d = c*x", "--at", "x=2", "--wrt", "x", "--claim", "pi"]) == 0


def test_points_are_capped(capsys):
    assert main(["check", "x*x", "--at", "x=2", "--wrt", "x", "--claim", "2*x",
                 "--points", "100000"]) == 2
    assert "at most 10000" in capsys.readouterr().err


def test_help_says_check_takes_one_wrt_name(capsys):
    assert main(["check", "--help"]) == 0
    usage = " ".join(capsys.readouterr().out.split())
    assert "--wrt NAME --claim FORMULA" in usage
    assert "--wrt NAME [NAME ...]" not in usage


@pytest.mark.parametrize("wrt", [["--wrt", "x", "y"], ["--wrt", "x", "--wrt", "y"]])
def test_two_wrt_names_are_refused_in_one_line(wrt, capsys):
    assert main(["check", "x*y", "--at", "x=1", "y=2", *wrt, "--claim", "y"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("error: check takes one --wrt NAME, got 2 (x, y): check one "
                            "claim at a time\n")


def test_the_same_wrt_twice_is_one_name(capsys):
    assert main(["check", "x*y", "--at", "x=1", "y=2", "--wrt", "x", "x", "--claim", "y"]) == 0
    assert "holds" in capsys.readouterr().out


def test_an_overflowing_expression_is_noted_before_the_claim_is_judged(capsys):
    # y = x·1e308·10 is inf at x = 1: the claim's number cannot be compared with it
    code = main(["check", "y = x*1e308*10", "--at", "x=1", "--wrt", "x",
                 "--claim", "1e308*10"])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err[0] == ("note: `*` made the first infinite value: 1e308 * 10 = inf "
                      "(in y = x*1e308*10)")
    assert err[1].startswith("error: ") and "not a finite number" in err[1]


def test_a_long_number_claim_names_the_float_limit(capsys):
    code = main(["check", "x*x", "--at", "x=1", "--wrt", "x", "--claim", "1" * 5000])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and len(err) <= 301
    assert "(5,000 digits) is too large" in err and "1.8e308" in err
    assert "sys.set_int_max_str_digits" not in err
