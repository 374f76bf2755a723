"""EXPR as statements in an article's names (`autograd.cli.statements`): the first article's
network written as z1 = ...; h1 = relu(z1); ...; values and gradients against plain-float
arithmetic and finite differences, labels in the explanations, errors that name the
statement, and a fuzz of statement lists."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Mapping
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from conftest import central_difference
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd.cli import main
from autograd.cli.statements import UsageError, build
from tests.student_statements import AT, NET, POINT

NAMED = ["z1", "h1", "z2", "h2", "z3", "y_hat", "L"]


def forward(p: Mapping[str, float], nudge: Mapping[str, float] | None = None) -> dict[str, float]:
    """The network on plain floats; ``nudge`` adds to a named value as it is computed, so
    that finite differences give ∂L/∂(that value)."""
    d = dict(nudge or {})
    v: dict[str, float] = {}
    v["z1"] = p["w1"] * p["x1"] + p["w2"] * p["x2"] + p["b1"] + d.get("z1", 0.0)
    v["h1"] = max(v["z1"], 0.0) + d.get("h1", 0.0)
    v["z2"] = p["w3"] * p["x1"] + p["w4"] * p["x2"] + p["b2"] + d.get("z2", 0.0)
    v["h2"] = max(v["z2"], 0.0) + d.get("h2", 0.0)
    v["z3"] = p["w5"] * v["h1"] + p["w6"] * v["h2"] + p["b3"] + d.get("z3", 0.0)
    v["y_hat"] = 1 / (1 + math.exp(-v["z3"])) + d.get("y_hat", 0.0)
    y = p["y"]
    v["L"] = -(y * math.log(v["y_hat"]) + (1 - y) * math.log(1 - v["y_hat"])) + d.get("L", 0.0)
    return v


def loss_of(names: list[str]) -> Callable[[list[float]], float]:
    return lambda xs: forward(dict(zip(names, xs)))["L"]


def grad_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["grad", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_network_as_statements_matches_plain_floats(capsys):
    report = grad_json(capsys, NET, "--at", *AT)
    expected = forward(POINT)
    assert list(report["values"]) == NAMED
    for name in NAMED:
        assert report["values"][name] == pytest.approx(expected[name], rel=1e-12)
    names = list(POINT)
    assert list(report["gradients"]) == names  # --at order
    for i, name in enumerate(names):
        fd = central_difference(loss_of(names), list(POINT.values()), i)
        assert report["gradients"][name] == pytest.approx(fd, rel=1e-6, abs=1e-9), name


def test_text_output_lists_the_forward_pass_then_the_gradients(capsys):
    assert main(["grad", NET, "--at", *AT, "--wrt", "w1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "z1 = w1*x1 + w2*x2 + b1 = 0.8"
    assert lines[1] == "h1 = relu(z1) = 0.8"
    assert lines[6].startswith("L = -(y*log(y_hat)")
    name, value = lines[7].split(" = ")
    fd = central_difference(loss_of(list(POINT)), list(POINT.values()), 0)
    assert name == "∂L/∂w1" and float(value) == pytest.approx(fd, rel=1e-6)


def test_named_values_can_be_differentiated_by(capsys):
    report = grad_json(capsys, NET, "--at", *AT, "--wrt", "z1", "h2", "y_hat")
    assert list(report["gradients"]) == ["z1", "h2", "y_hat"]
    for name in ["z1", "h2", "y_hat"]:
        fd = (forward(POINT, {name: 1e-6})["L"] - forward(POINT, {name: -1e-6})["L"]) / 2e-6
        assert report["gradients"][name] == pytest.approx(fd, rel=1e-6), name


def test_explain_speaks_of_the_statements_names(capsys):
    assert main(["grad", NET, "--at", *AT, "--wrt", "w1", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "path 1: ∂L/∂y_hat · ∂y_hat/∂z3 · ∂z3/∂h1 · ∂h1/∂z1 · ∂z1/∂w1" in out
    assert "∂h1/∂z1 = ReLU'(z1) = step(z1) = 1" in out


def test_steps_stop_at_every_named_value_with_its_gradient(capsys):
    report = grad_json(capsys, NET, "--at", *AT, "--steps")
    steps = {s["name"]: s for s in report["steps"]}
    assert [s["name"] for s in report["steps"]][:3] == ["L", "y_hat", "z3"]  # backward order
    assert set(steps) == set(NAMED) | set(POINT)
    for name in NAMED:  # each named value's gradient, against finite differences
        fd = (forward(POINT, {name: 1e-6})["L"] - forward(POINT, {name: -1e-6})["L"]) / 2e-6
        assert steps[name]["grad"] == pytest.approx(fd, rel=1e-6, abs=1e-10), name
    for step in report["steps"]:  # received adds up; sends = upstream × local
        if step["received"]:
            assert step["grad"] == pytest.approx(sum(r["contribution"] for r in step["received"]))
        for sent in step["sends"]:
            assert sent["contribution"] == pytest.approx(step["grad"] * sent["local_value"])
    # x1 receives from z1 and z2: two contributions
    assert sorted(r["from"] for r in steps["x1"]["received"]) == ["z1", "z2"]
    assert [s["to"] for s in steps["h1"]["sends"]] == ["z1"]


def test_steps_text_shows_upstream_times_local(capsys):
    assert main(["grad", NET, "--at", *AT, "--wrt", "w1", "--explain", "--steps"]) == 0
    out = capsys.readouterr().out
    v = forward(POINT)
    upstream = (v["y_hat"] - POINT["y"]) * POINT["w5"]  # ∂L/∂h1, by hand
    assert f"h1: ∂L/∂h1 = {upstream:.4g} (from z3)" in out
    assert (f"  to z1: ∂h1/∂z1 = ReLU'(z1) = step(z1) = 1; sends ∂L/∂h1 · ∂h1/∂z1 = "
            f"{upstream:.4g} · 1 = {upstream:.4g}") in out
    assert "x1: ∂L/∂x1 = " in out and "(from z2, z1)" in out


def test_statements_from_a_file_with_comments(tmp_path: Path, capsys):
    source = tmp_path / "net.txt"
    source.write_text("# the first article's network\n" + NET.replace("; ", "\n")
                      + "   # the loss\n\n", encoding="utf-8")
    from_file = grad_json(capsys, f"@{source}", "--at", *AT)
    inline = grad_json(capsys, NET, "--at", *AT)
    assert from_file["file"] == str(source)
    assert from_file["values"] == inline["values"]
    assert from_file["gradients"] == inline["gradients"]


def test_a_bare_last_formula_is_labelled_f_and_an_alias_is_its_own_value(capsys):
    report = grad_json(capsys, "a = x*2; b = a; b + x", "--at", "x=3")
    assert report["values"] == {"a": 6.0, "b": 6.0, "f": 9.0}
    assert report["gradients"] == {"x": 3.0}
    program = build("a = x*2; b = a; b + x", {"x": 3.0})
    assert program.named["a"].label == "a" and program.named["b"].label == "b"


def test_labels_named_e_or_f_win_over_constants_and_the_default_root_name(capsys):
    report = grad_json(capsys, "e = x*2; f = e + 1; f*e", "--at", "x=3")
    assert report["values"] == {"e": 6.0, "f": 7.0, "out": 42.0}
    assert report["gradients"] == {"x": 2 * 7 + 6 * 2}


@pytest.mark.parametrize("expression, at, words", [
    ("z = x*2; z = z + 1", ["x=1"], ["statement 2 (z = z + 1)", "already defined by statement 1"]),
    ("h = relu(z); z = x*2", ["x=1"], ["statement 1 (h = relu(z))", "before it is defined",
                                      "statement 2 (z = x*2)"]),
    ("x = 2*y", ["x=1", "y=2"], ["statement 1 (x = 2*y)", "--at"]),
    ("", ["x=1"], ["empty"]),
    (" ; \n ;", ["x=1"], ["empty"]),
    ("a = x*2; x*3; b = a", ["x=1"], ["statement 2 (x*3)", "only the last statement"]),
    ("f(x) = x*2", ["x=1"], ["must be a name"]),
    ("z = x = 2", ["x=1"], ["one '=' per statement"]),
    ("z = x*2; L = z*q", ["x=1"], ["statement 2 (L = z*q)", "no value for 'q'", "--at q="]),
    ("z = x*2; L = z^2", ["x=1"], ["statement 2 (L = z^2)", "use ** for powers: z**2"]),
    ("z = x*; L = z", ["x=1"], ["statement 1 (z = x*)", "column 6", "ends with '*'"]),
    ("z = x - 1; L = log(z)", ["x=1"], ["statement 2 (L = log(z))", "log: needs a > 0"]),
    ("z = x*2; L = z", ["x=1", "v=2"], ["'v' does not appear"]),
    ("z = w1x1", ["w1=1", "x1=2"], ["no value for 'w1x1'", "w1*x1"]),
    ("@/no/such/file.txt", [], ["cannot read", "/no/such/file.txt"]),
])
def test_bad_statements_give_one_line_naming_the_statement(expression, at, words, capsys):
    assert main(["grad", expression, "--at", *at] if at else ["grad", expression]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    for word in words:
        assert word in err


def test_build_raises_usage_error_without_the_command_line():
    with pytest.raises(UsageError, match="already defined"):
        build("a = x; a = x", {"x": 1.0})


def test_check_and_play_read_statements_too(tmp_path: Path, capsys):
    assert main(["check", NET, "--at", *AT, "--wrt", "z1", "--claim",
                 "(y_hat - y)*w5*step(z1)", "--points", "8"]) == 0
    out = tmp_path / "net.html"
    assert main(["play", NET, "--at", *AT, "--html", str(out)]) == 0
    assert "player of L (7 statements) written to" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "y_hat" in page and "h1" in page


# ---- fuzz: statement lists --------------------------------------------------------------------

_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "tanh": math.tanh, "sigmoid": lambda a: 1 / (1 + math.exp(-a)), "sin": math.sin}


@st.composite
def programs(draw: st.DrawFn) -> tuple[str, Callable[[float, float], float], list[str]]:
    """Statements, each a formula of x, y and the names before it, with a plain-float
    oracle of the last one."""
    count = draw(st.integers(1, 5))
    known: list[str] = ["x", "y"]
    steps: list[tuple[str, Callable[[dict[str, float]], float]]] = []

    def formula(depth: int) -> tuple[str, Callable[[dict[str, float]], float]]:
        kind = draw(st.sampled_from(["name", "number", "binary", "call"] if depth < 3
                                    else ["name", "number"]))
        if kind == "name":
            name = draw(st.sampled_from(known))
            return name, lambda v: v[name]
        if kind == "number":
            c = draw(st.sampled_from([0.5, 2.0, 3.0]))
            return repr(c), lambda v: c
        if kind == "call":
            f = draw(st.sampled_from(sorted(_FUNCTIONS)))
            text, g = formula(depth + 1)
            return f"{f}({text})", lambda v: _FUNCTIONS[f](g(v))
        op = draw(st.sampled_from(["+", "-", "*"]))
        (lt, lf), (rt, rf) = formula(depth + 1), formula(depth + 1)
        ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
        return f"({lt} {op} {rt})", lambda v: ops[op](lf(v), rf(v))

    for k in range(count):
        text, f = formula(0)
        steps.append((f"v{k}", f))
        known.append(f"v{k}")
        steps[-1] = (f"v{k} = {text}", f)
    separator = draw(st.sampled_from(["; ", "\n", " ;\n"]))
    source = separator.join(s for s, _ in steps)

    def oracle(x: float, y: float) -> float:
        values = {"x": x, "y": y}
        for k, (_, f) in enumerate(steps):
            values[f"v{k}"] = f(values)
        return values[f"v{count - 1}"]

    return source, oracle, known


@settings(max_examples=150, deadline=None)
@given(programs())
def test_fuzzed_statement_lists_match_plain_floats(program):
    source, oracle, _ = program
    uses = {name for name in ("x", "y") if name in source.replace("v", " ")}
    at = [f"{n}={v}" for n, v in (("x", 0.7), ("y", -0.4)) if n in uses]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["grad", source, "--at", *at, "--json"] if at else
                      ["grad", source, "--json"])
    assert status == 0, err.getvalue()
    report = json.loads(out.getvalue())
    assert report["value"] == pytest.approx(oracle(0.7, -0.4), rel=1e-9, abs=1e-12)
    point = [0.7, -0.4]
    for i, name in enumerate(("x", "y")):
        if name in uses:
            fd = central_difference(lambda p: oracle(*p), point, i)
            assert report["gradients"][name] == pytest.approx(fd, rel=1e-5, abs=1e-7)


_PIECES = st.sampled_from(["a", "b", "x", "y", "=", " = ", ";", "\n", "*", "+", "-", "(", ")",
                           "relu(", "log(", "2", "0", "e", "pi", "#", "@", "^", "·", "−", "₁",
                           "'", "lambda", "exp", " ", "1/0", "x**", "a = ", "b = a"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join),
       st.sampled_from([[], ["x=0.5"], ["x=0.5", "y=1.5"], ["a=1"]]))
def test_fuzzed_statement_texts_never_raise(text, at):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["grad", text, "--at", *at, "--json"])
    assert status in (0, 2)
    assert "Traceback" not in err.getvalue()
    if status == 0:
        json.loads(out.getvalue())
    else:
        assert err.getvalue().startswith("error: ") and err.getvalue().count("\n") == 1


class _Stdin:
    """Standard input holding ``data`` (bytes), as a pipe gives it."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_statements_from_standard_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _Stdin("ŷ = w·x\r\nL = ŷ**2  # square\n".encode()))
    report = grad_json(capsys, "@-", "--at", "w=3", "x=2")
    assert report["values"] == {"ŷ": 6.0, "L": 36.0}
    assert report["gradients"] == {"w": 2 * 6.0 * 2.0, "x": 2 * 6.0 * 3.0}


@pytest.mark.parametrize("source", ["stdin", "file"])
def test_text_that_is_not_utf8_is_named_by_where_it_came_from(source, tmp_path: Path,
                                                                 monkeypatch, capsys):
    data = b"z = w*x\n\xff\xfe = 1\n"
    path = tmp_path / "latin.txt"
    path.write_bytes(data)
    monkeypatch.setattr("sys.stdin", _Stdin(data))
    expression = "@-" if source == "stdin" else f"@{path}"
    assert main(["grad", expression, "--at", "w=1", "x=2"]) == 2
    err = capsys.readouterr().err
    where = "standard input" if source == "stdin" else str(path)
    assert err == f"error: {where}: not a UTF-8 text file of statements\n"
    assert "-:" not in err


def test_a_file_longer_than_the_limit_is_refused_before_it_is_read_whole(tmp_path: Path,
                                                                          capsys):
    from autograd.cli.statements import MAX_FILE

    path = tmp_path / "huge.txt"
    path.write_text("# a comment\n" * (MAX_FILE // 12 + 1), encoding="utf-8")
    assert main(["grad", f"@{path}", "--at", "x=1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"longer than {MAX_FILE:,} characters" in err


def test_a_statement_that_repeats_an_earlier_value_gets_its_own_node(capsys):
    # h = z makes a node of its own (labelling h must not rename z), found without a scan
    report = grad_json(capsys, "z = 2*x; h = z; y = h*z", "--at", "x=3")
    assert report["values"] == {"z": 6.0, "h": 6.0, "y": 36.0}
    assert report["gradients"]["x"] == 2 * 6.0 * 2.0  # y = (2x)², ∂y/∂x = 8x = 24
