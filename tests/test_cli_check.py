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
    (["--wrt", "w1", "--claim", "(y_hat - t)*w5"], ["'t' is not a label", "--const t=0"]),
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
    for python in ("Traceback", "BitXor", "invalid syntax", "decimal literal", "constants=",
                   "fixed=", "vary=", "Value("):
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


# ---- --const, --fixed, --vary: which names keep their number over the points -----------------

SQUARE = "L = (w*x - b)**2"
NO_B = "2*(w*x)*x"  # forgets b: wrong wherever b is not 0, so the worst point is a drawn one


def square_gradient(at: dict[str, float]) -> float:
    """∂L/∂w of L = (w·x − b)², by hand: the oracle at any point of the report."""
    return 2 * (at["w"] * at["x"] - at["b"]) * at["x"]


def json_check(*argv: str, status: int = 1) -> dict:
    code, out, err = run("check", *argv, "--json")
    assert code == status, err + out
    return strict_json(out)


def test_const_gives_a_number_to_a_name_only_the_claim_uses():
    argv = ["L = (w*x - 1)**2", "--at", "w=0.5", "x=2", "--wrt", "w",
            "--claim", "2*(w*x - t)*x"]
    assert run("check", *argv, "--const", "t=1")[0] == 0
    assert run("check", *argv, "--const", "t=2")[0] == 1  # the number given is the one used
    status, out, err = run("check", *argv)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert "'t' is not a label" in err and "--const t=0" in err
    assert "constants=" not in err


def test_const_of_a_variable_of_expr_is_held_at_every_point():
    report = json_check(SQUARE, "--at", "w=0.5", "x=2", "--const", "b=0.25", "--wrt", "w",
                        "--claim", NO_B)
    here, worst = report["here"], report["worst"]
    assert here["at"]["b"] == worst["at"]["b"] == 0.25
    assert (worst["at"]["w"], worst["at"]["x"]) != (0.5, 2.0)  # the others are redrawn
    assert here["engine"] == pytest.approx(2 * (0.5 * 2 - 0.25) * 2)
    assert worst["engine"] == pytest.approx(square_gradient(worst["at"]), rel=1e-9, abs=1e-12)
    assert "b" in report["held"] and report["const"] == {"b": 0.25}
    # given with --at, the same b is redrawn like any parameter
    redrawn = json_check(SQUARE, "--at", "w=0.5", "x=2", "b=0.25", "--wrt", "w",
                         "--claim", NO_B)
    assert redrawn["worst"]["at"]["b"] != 0.25


def test_fixed_holds_a_variable_at_its_at_number():
    report = json_check(SQUARE, "--at", "w=0.5", "x=2", "b=0.25", "--fixed", "x",
                        "--fixed", "b", "--wrt", "w", "--claim", NO_B)
    here, worst = report["here"], report["worst"]
    assert here["at"]["x"] == worst["at"]["x"] == 2.0
    assert here["at"]["b"] == worst["at"]["b"] == 0.25
    assert worst["at"]["w"] != 0.5
    assert worst["engine"] == pytest.approx(square_gradient(worst["at"]), rel=1e-9, abs=1e-12)
    # held at x = 2, b = 0.25 the claim 2·(w·x − 0.25)·2 written with numbers holds
    assert run("check", SQUARE, "--at", "w=0.5", "x=2", "b=0.25", "--fixed", "x",
               "--fixed", "b", "--wrt", "w", "--claim", "4*(2*w - 0.25)")[0] == 0


def test_a_target_is_held_by_default_and_vary_redraws_it():
    target = "L = (w*x - y)**2"
    argv = ["--at", "w=0.5", "x=2", "y=1", "--wrt", "w"]
    held = json_check(target, *argv, "--claim", "2*(w*x)*x")
    assert held["here"]["at"]["y"] == held["worst"]["at"]["y"] == 1.0
    varied = json_check(target, *argv, "--vary", "y", "--claim", "2*(w*x)*x")
    assert varied["worst"]["at"]["y"] != 1.0 and "y" not in varied["held"]
    truth = 2 * (varied["worst"]["at"]["w"] * varied["worst"]["at"]["x"]
                 - varied["worst"]["at"]["y"]) * varied["worst"]["at"]["x"]
    assert varied["worst"]["engine"] == pytest.approx(truth, rel=1e-9, abs=1e-12)
    right = json_check(target, *argv, "--vary", "y", "--claim", "2*(w*x - y)*x", status=0)
    assert right["holds"] is True


def test_a_statement_that_is_a_number_is_held_unless_varied():
    argv = ["t = 1; L = (w*x - t)**2", "--at", "w=0.5", "x=2", "--wrt", "w", "--claim",
            "2*(w*x)*x"]
    assert json_check(*argv)["worst"]["at"]["t"] == 1.0
    assert json_check(*argv, "--vary", "t")["worst"]["at"]["t"] != 1.0


@pytest.mark.parametrize("argv, words", [
    (["--at", "w=0.5", "x=2", "b=1", "--const", "b=0"], ["--at b=1", "--const b=0"]),
    (["--at", "w=0.5", "x=2", "--const", "b=0", "--const", "b=1"], ["--const b", "twice"]),
    (["--at", "w=0.5", "x=2", "b=1", "--fixed", "q"], ["--fixed q", "w, x, b"]),
    (["--at", "w=0.5", "x=2", "b=1", "--vary", "bb"], ["--vary bb", "did you mean b?"]),
    (["--at", "w=0.5", "x=2", "b=1", "--fixed", "L"], ["--fixed L", "computed"]),
    (["--at", "w=0.5", "x=2", "b=1", "--fixed", "x", "--vary", "x"],
     ["--fixed x", "--vary x"]),
    (["--at", "w=0.5", "x=2", "--const", "b=1", "--vary", "b"], ["--const b", "--vary b"]),
    (["--at", "w=0.5", "x=2", "b=1", "--fixed", "w"], ["--fixed w", "--wrt"]),
    (["--at", "x=2", "b=1", "--const", "w=1"], ["--const w", "--at w=1"]),
    (["--at", "w=0.5", "x=2", "b=1", "--const", "q=1"], ["--const q", "neither"]),
    (["--at", "w=0.5", "x=2", "b=1", "--const", "L=1"], ["--const L", "statement 1"]),
    (["--at", "w=0.5", "x=2", "b=1", "--const", "b"], ["--const expects NAME=VALUE"]),
    (["--at", "w=0.5", "x=2"], ["no value for 'b'", "--at b=", "--const b="]),
])
def test_bad_const_fixed_vary_exit_2_with_one_line(argv, words):
    status, out, err = run("check", SQUARE, *argv, "--wrt", "w", "--claim", "2*(w*x - b)*x")
    assert status == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, err
    for python in ("Traceback", "constants=", "fixed=", "vary=", "Value("):
        assert python not in err


def test_a_wrt_the_result_does_not_depend_on_is_refused_in_its_own_words():
    status, out, err = run("check", "a = x*2; L = x*3", "--at", "x=1", "--wrt", "a",
                           "--claim", "0")
    assert status == 2 and out == ""
    assert err == ("error: --wrt a: L is not computed from a, so ∂L/∂a is 0 everywhere; "
                   "name a value L is computed from: x\n")


def test_every_hint_in_the_report_names_an_option():
    out = run("check", "L = (w*x - y)**2", "--at", "w=0.5", "x=2", "y=1", "--wrt", "w",
              "--claim", "2*(w*x)*x")[1]
    assert "--vary" in out
    for python in ("constants=", "fixed=", "vary=", "Value("):
        assert python not in out


def test_help_names_the_new_options(capsys):
    assert main(["check", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for option in ("--const NAME=VALUE", "--fixed NAME", "--vary NAME", "--const y=0"):
        assert option in text


# ---- a number claim, judged and echoed as it is written ----------------------------------------

# L = (c·x − 1)² at c = 0, x = 1: ∂L/∂c = 2·(c·x − 1)·x = −2 exactly
WHOLE = ["L = (c*x - 1)**2", "--at", "c=0", "x=1", "--wrt", "c", "--claim"]


def test_a_whole_number_claim_is_exact_and_written_whole():
    status, out, _ = run("check", *WHOLE, "1")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "∂L/∂c = 1: does NOT hold"
    assert "the engine: ∂L/∂c = -2; the claim 1 is a whole number, taken as exact" in lines
    assert "diagnosis (wrong number): 1 is not ∂L/∂c = -2" in lines
    assert "-2.0" not in out
    assert run("check", *WHOLE, "-2")[0] == 0
    assert run("check", *WHOLE, "−2")[0] == 0


def test_a_decimal_claim_is_rounded_to_its_own_decimals():
    status, out, _ = run("check", *WHOLE, "-1.99")
    assert status == 1
    assert "-1.99 is not ∂L/∂c = -2: rounded as it is written, -2.00" in out
    assert "the claim -1.99 allows ±0.005 at its printed precision" in out
    assert "-2.000000" not in out
    assert run("check", *WHOLE, "−2.00")[0] == 0


@pytest.mark.parametrize("claim, status, words", [
    ("0.4436", 0, ["allows ±0.00005"]),
    ("0.444", 0, ["allows ±0.0005"]),
    ("0.443", 1, ["0.443 is not ∂L/∂c = 0.4436: rounded as it is written, 0.444 (the claim "
                  "looks truncated rather than rounded)"]),
    ("−0.4436", 1, ["−0.4436 is not ∂L/∂c = 0.4436: rounded as it is written, 0.4436 (the "
                    "sign is flipped)"]),
    ("0.44360", 0, ["allows ±0.000005"]),
    ("0.44", 0, ["allows ±0.005"]),
])
def test_decimals_and_signs_as_typed(claim, status, words):
    # L = c·x at x = 0.4436: ∂L/∂c = x
    code, out, _ = run("check", "L = c*x", "--at", "c=1", "x=0.4436", "--wrt", "c",
                       "--claim", claim)
    assert code == status, out
    for word in words:
        assert word in out


def test_a_typed_minus_is_echoed_in_the_engines_number():
    # L = −c·x at x = 0.4436: ∂L/∂c = −0.4436, written with the claim's own minus sign
    code, out, _ = run("check", "L = -c*x", "--at", "c=1", "x=0.4436", "--wrt", "c",
                       "--claim", "−0.45")
    assert code == 1
    assert "the engine: ∂L/∂c = −0.4436; the claim −0.45 allows ±0.005" in out
    assert "−0.45 is not ∂L/∂c = −0.4436: rounded as it is written, −0.44" in out
    report = json_check("L = -c*x", "--at", "c=1", "x=0.4436", "--wrt", "c", "--claim",
                        "-0.45")
    assert "-0.45 is not ∂L/∂c = -0.4436: rounded as it is written, -0.44" in report["text"]
    assert report["diagnosis"]["category"] == "wrong number"
