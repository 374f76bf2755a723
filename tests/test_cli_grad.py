"""`backprop-lab grad`: values and gradients against the engine and finite differences;
bad input gives one line and status 2, and nothing typed is ever executed."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from importlib.metadata import entry_points

import pytest
from conftest import central_difference
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd.cli import main
from autograd.cli.grad import UsageError, differentiate


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograd", *args], capture_output=True, text=True, timeout=60
    )


def test_grad_json_matches_finite_differences():
    done = run_cli("grad", "sigmoid(w*x + b)", "--at", "w=0.5", "x=2", "b=0.1", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)

    def f(p):
        w, x, b = p
        return 1 / (1 + math.exp(-(w * x + b)))

    point = [0.5, 2.0, 0.1]
    assert report["value"] == pytest.approx(f(point), rel=1e-12)
    for i, name in enumerate("wxb"):
        expected = central_difference(f, point, i)
        assert report["gradients"][name] == pytest.approx(expected, rel=1e-7)


def test_wrt_limits_the_output_and_text_form(capsys):
    assert main(["grad", "x**3 + y", "--at", "x=2", "y=1", "--wrt", "x"]) == 0
    out = capsys.readouterr().out
    assert "f = x**3 + y = 9" in out
    assert "∂f/∂x = 12" in out and "∂f/∂y" not in out


def test_all_functions_are_available(capsys):
    text = "exp(a) + log(a) + sqrt(a) + tanh(a) + sigmoid(a) + relu(a) + leaky_relu(a)"
    text += " + softplus(a) + abs(a) + sin(a) + cos(a)"
    assert main(["grad", text, "--at", "a=0.7", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    def f(p):
        a = p[0]
        return (math.exp(a) + math.log(a) + math.sqrt(a) + math.tanh(a) + 1 / (1 + math.exp(-a))
                + a + a + math.log1p(math.exp(a)) + a + math.sin(a) + math.cos(a))

    assert report["value"] == pytest.approx(f([0.7]), rel=1e-12)
    assert report["gradients"]["a"] == pytest.approx(central_difference(f, [0.7], 0), rel=1e-7)


@pytest.mark.parametrize(
    "args, words",
    [
        (["grad", "w * * x", "--at", "w=1", "x=2"], ["syntax error", "column"]),
        (["grad", "w * x", "--at", "w=1"], ["no value for 'x'", "--at x="]),
        (["grad", "w * x", "--at", "w=1", "x=two"], ["'two' is not a number"]),
        (["grad", "w", "--at", "w"], ["NAME=VALUE"]),
        (["grad", "foo(w)", "--at", "w=1"], ["unknown function 'foo'"]),
        (["grad", "log(w)", "--at", "w=0"], ["log", "a=0.0"]),
        (["grad", "w / x", "--at", "w=1", "x=0"], ["div", "division by zero"]),
        (["grad", "w.real", "--at", "w=1"], ["attributes such as .real are not allowed"]),
        (["grad", "w", "--at", "w=1", "v=2"], ["'v' does not appear"]),
        (["grad", "w", "--at", "w=1", "--wrt", "q"], ["--wrt q"]),
        (["grad", "exp(w)", "--at", "w=1000"], ["exp", "too large"]),
    ],
)
def test_bad_input_gives_one_line_and_status_2(args, words, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    for word in words:
        assert word in err


def test_code_injection_is_refused_without_running(tmp_path):
    marker = tmp_path / "ran"
    attacks = [
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        "(lambda: 1)()",
        "[x for x in ()]",
        "x.__class__",
        "exp.__globals__",
        "x if x else x",
    ]
    done = run_cli("grad", attacks[0], "--at", "x=1")
    assert done.returncode == 2 and done.stderr.startswith("error: unknown function")
    for attack in attacks:
        assert main(["grad", attack, "--at", "x=1"]) == 2
    assert not os.path.exists(marker)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="xy0123456789.+-*/() eEalogsqrtinh_,'[]:=^;·−×₁", max_size=40))
def test_fuzzed_expressions_only_raise_the_documented_error(text):
    # Any text either evaluates (status 0) or is refused with status 2 and one line: never a
    # traceback, never SystemExit (an expression starting with '-' is an expression).
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        status = main(["grad", text, "--at", "x=0.5", "y=1.5"])
    assert status in (0, 2)
    assert "Traceback" not in err.getvalue()
    if status == 2:
        assert err.getvalue().startswith("error: ") and err.getvalue().count("\n") == 1


def test_help_on_every_command():
    for args in (["--help"], ["grad", "--help"], ["demo", "--help"]):
        done = run_cli(*args)
        assert done.returncode == 0 and "usage:" in done.stdout


def test_the_console_script_and_python_m_run_the_same_main():
    (script,) = entry_points(group="console_scripts", name="backprop-lab")
    assert script.value == "autograd.cli:main" and script.load() is main
    done = run_cli("grad", "x*x", "--at", "x=3")
    assert done.returncode == 0 and done.stdout == "f = x*x = 9\n∂f/∂x = 6\n"


def test_differentiate_is_usable_without_the_command_line():
    root, variables = differentiate("w * x", {"w": 0.5, "x": 2.0}, wrt=["x"])
    assert root.label == "f" and root.data == 1.0 and list(variables) == ["x"]
    assert variables["x"].grad == 0.5
    with pytest.raises(UsageError, match="no value for 'x'"):
        differentiate("w * x", {"w": 0.5})


# ---- the command line's rough edges, each fixed ------------------------------------------------


def test_an_expression_without_variables_gives_its_value(capsys):
    assert main(["grad", "sigmoid(0)"]) == 0
    out = capsys.readouterr().out
    assert "f = sigmoid(0) = 0.5\n" in out and "no variable to differentiate by" in out
    assert main(["grad", "sigmoid(0)", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["value"] == 0.5 and report["gradients"] == {}


def test_repeated_at_and_wrt_add_up(capsys):
    assert main(["grad", "x1*x2 + x3", "--at", "x1=2", "--at", "x2=3", "x3=4",
                 "--wrt", "x2", "--wrt", "x1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["value"] == 2 * 3 + 4
    assert list(report["gradients"].items()) == [("x2", 2.0), ("x1", 3.0)]


def test_a_name_given_twice_must_agree(capsys):
    assert main(["grad", "x*x", "--at", "x=2", "--at", "x=2"]) == 0
    assert "∂f/∂x = 4" in capsys.readouterr().out
    assert main(["grad", "x*x", "--at", "x=2", "--at", "x=3"]) == 2
    err = capsys.readouterr().err
    assert "x is given twice" in err and "keep one" in err


@pytest.mark.parametrize("argv", [
    ["grad", "-x*y", "--at", "x=1.5", "y=2"],
    ["grad", "--at", "x=1.5", "y=2", "-x*y"],
    ["grad", "--at", "x=1.5", "y=2", "--", "-x*y"],
    ["grad", "--at", "x=1.5", "--at", "y=2", "-x*y", "--json"],
    ["grad", "--json", "--at", "y=2", "x=1.5", "--wrt", "x", "y", "-x*y"],
])
def test_an_expression_may_start_with_minus_and_come_after_the_options(argv, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    x, y = 1.5, 2.0
    if "--json" in argv:
        report = json.loads(out)
        assert report["expression"] == "-x*y" and report["value"] == -x * y
        assert report["gradients"]["x"] == -y and report["gradients"]["y"] == -x
    else:
        assert f"f = -x*y = {-x * y:g}" in out
        assert f"∂f/∂x = {-y:g}" in out and f"∂f/∂y = {-x:g}" in out


def test_minus_expression_after_double_dash():
    assert main(["grad", "--at", "x=1", "--", "-x"]) == 0


def test_a_claim_may_start_with_minus_too():
    # the option's value is taken whatever it looks like
    assert main(["check", "y = x**3", "--at", "x=2", "--wrt", "x", "--claim", "-(-3*x**2)",
                 "--points", "4"]) == 0


def test_json_with_explain_and_steps_is_one_json_document(capsys, tmp_path):
    svg = tmp_path / "g.svg"
    assert main(["grad", "z = w*x + b; y = tanh(z)", "--at", "w=0.5", "x=2", "b=0.1",
                 "--json", "--explain", "--steps", "--svg", str(svg)]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)  # one document: nothing printed around it
    assert set(report["explanation"]) == {"w", "x", "b"}
    assert any("∂y/∂z" in line for line in report["explanation"]["w"])
    assert [s["name"] for s in report["steps"]][:2] == ["y", "z"]
    t = math.tanh(0.5 * 2 + 0.1)
    assert report["steps"][1]["grad"] == pytest.approx(1 - t * t, rel=1e-12)
    if report["svg"] is not None:  # None, with a note on stderr, where dot is missing
        assert svg.exists() and report["svg"] == str(svg)


def test_gradients_come_in_wrt_order_else_in_at_order(capsys):
    # neither the order of appearance (b, a, c) nor the alphabet (a, b, c)
    assert main(["grad", "b*a + c", "--at", "c=1", "a=2", "b=3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == ["∂f/∂c = 1", "∂f/∂a = 3", "∂f/∂b = 2"]
    assert main(["grad", "b*a + c", "--at", "c=1", "a=2", "b=3", "--wrt", "b", "c"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == ["∂f/∂b = 2", "∂f/∂c = 1"]


@pytest.mark.parametrize("expression, words", [
    ("log(0)*x", ["log: needs a > 0, got a=0.0"]),
    ("sqrt(-1)*x", ["sqrt: needs a >= 0, got a=-1.0"]),
    ("x + 1/0", ["div: division by zero"]),
    ("exp(1000)*x", ["exp: result too large"]),
])
def test_domain_errors_of_constants_name_the_op(expression, words, capsys):
    assert main(["grad", expression, "--at", "x=1"]) == 2
    err = capsys.readouterr().err
    assert "math domain error" not in err and "float division" not in err
    for word in words:
        assert word in err


@pytest.mark.parametrize("expression, fix", [
    ("x^2", "use ** for powers: x**2"),
    ("2x + 1", "write 2*x"),
    ("x y", "write x*y"),
    ("x²", "use ** for powers: x**2"),
    ("(x + 1", "never closed"),
    ("x if x else 1", "step(x)"),
    ("1if x else 2", "step(x)"),  # and no SyntaxWarning line from Python
])
def test_parse_errors_say_what_to_write(expression, fix, capsys):
    assert main(["grad", expression, "--at", "x=1", "y=2"]) == 2
    err = capsys.readouterr().err
    assert fix in err and err.startswith("error: ") and err.count("\n") == 1
    for python in ("BitXor", "IfExp", "invalid syntax", "Perhaps", "decimal literal"):
        assert python not in err


def test_e_and_pi_are_constants_unless_given(capsys):
    assert main(["grad", "e**x + pi", "--at", "x=2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["value"] == pytest.approx(math.exp(2) + math.pi, rel=1e-12)
    assert report["gradients"] == {"x": pytest.approx(math.exp(2), rel=1e-12)}
    assert main(["grad", "e*x", "--at", "x=2", "e=3", "--json"]) == 0  # a variable wins
    report = json.loads(capsys.readouterr().out)
    assert report["value"] == 6 and report["gradients"] == {"x": 3.0, "e": 2.0}


def test_articles_symbols_are_understood(capsys):
    assert main(["grad", "w₁·x − 2×w₁", "--at", "w₁=−0.5", "x=3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    w, x = -0.5, 3.0
    assert report["value"] == w * x - 2 * w
    assert report["gradients"] == {"w1": x - 2, "x": w}


def test_the_console_script_reads_a_leading_minus():
    script = os.path.join(os.path.dirname(sys.executable), "backprop-lab")
    done = subprocess.run([script, "grad", "--at", "x=3", "-x*x"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "f = -x*x = -9\n∂f/∂x = -6\n"


# ---- numbers that are not finite, and computations that overflow ---------------------------


@pytest.mark.parametrize("argv, literal", [
    (["grad", "1e999*x", "--at", "x=1"], "'1e999'"),
    (["grad", "x + 2e400", "--at", "x=1"], "'2e400'"),
    (["grad", "y = x*1" + "0" * 320, "--at", "x=1"], "'10000000000000000000…' (321 digits)"),
])
def test_a_literal_that_is_not_finite_is_refused_like_at(argv, literal, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert f"the number {literal} is too large" in captured.err
    assert "at most about 1.8e308" in captured.err
    assert main(["grad", "x", "--at", "x=inf"]) == 2
    assert "needs a finite number, got 'inf'" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["expr", "at"])
def test_five_thousand_digits_name_the_real_limit(where, capsys):
    digits = "1" * 5000
    argv = (["grad", f"{digits}*x", "--at", "x=1"] if where == "expr"
            else ["grad", "x", "--at", f"x={digits}"])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err.rstrip("\n")) <= 300
    assert "'11111111111111111111…' (5,000 digits) is too large" in err
    assert "1.8e308 (309 digits)" in err
    assert "set_int_max_str_digits" not in err and "Exceeds the limit" not in err


def test_an_overflow_prints_inf_and_names_the_op_on_stderr(capsys):
    assert main(["grad", "x*1e308*10", "--at", "x=1"]) == 0  # documented: status 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["f = x*1e308*10 = inf", "∂f/∂x = inf"]
    assert captured.err == ("note: `*` made the first infinite value: 1e308 * 10 = inf "
                            "(in x*1e308*10)\n")


def test_an_overflow_inside_a_statement_is_found_though_the_result_is_finite(capsys):
    # 1/(x·1e308·10) = 1/inf = 0 is finite; the note still names the product
    assert main(["grad", "a = x*2; b = 1/(a*1e308*10); c = b + a", "--at", "x=1"]) == 0
    captured = capsys.readouterr()
    assert "c = b + a = 2" in captured.out
    assert captured.err == ("note: `*` made the first infinite value: 2 * 1e308 = inf "
                            "(in b = 1/(a*1e308*10))\n")


def test_a_gradient_that_overflows_is_noted_too(capsys):
    # f = 1/x at x = 1e-200 is 1e200; ∂f/∂x = -1/x² = -1e400 overflows to -inf
    assert main(["grad", "1/x", "--at", "x=1e-200", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["value"] == pytest.approx(1e200) and report["gradients"]["x"] == "-inf"
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("note: the local derivative of `/` is -inf at 1 / 1e-200")


def test_finite_results_have_no_note(capsys):
    assert main(["grad", "x*1e300", "--at", "x=2"]) == 0
    assert capsys.readouterr().err == ""
