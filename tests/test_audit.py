"""audit: a learner's own Value class probed against the engine, by file and in-process.

The engines audited: tests/engines/correct.py has every op right; each other one is that
file with one known bug put in (`buggy_engines`), written to a temporary folder. Each test
checks that audit finds that bug, with its kind (and op, and the formula that fits, where
the bug is a wrong derivative), and reports nothing where there is no bug. The expected
numbers of correct.py's probes are checked against PyTorch in float64, running the probe's
own code.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import buggy_engines
import pytest
import torch

from autograd import audit
from autograd.formula import evaluate

ENGINES = buggy_engines.folder()
ROOT = Path(__file__).resolve().parent.parent
FEW_POINTS = 2
CLI_TIMEOUT = 20.0


def _audit(target: Any, **options: Any) -> Any:
    """``audit(target)`` at a few points when the API lets the caller say how many."""
    parameters = inspect.signature(audit).parameters
    for name in ("points", "n_points", "count"):
        if name in parameters:
            options.setdefault(name, FEW_POINTS)
            break
    return audit(target, **options)


@functools.cache
def by_file(name: str) -> Any:
    """The report of the engine NAME audited in a separate process (cached: files are
    read once per session)."""
    return _audit(str(ENGINES / name))


def engine_class(name: str) -> type:
    """The Value class of the engine NAME, imported here, in this process."""
    spec = importlib.util.spec_from_file_location(f"engine_{name[:-3]}", ENGINES / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Value


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograd", "audit", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def kinds(report: Any) -> set[str]:
    return {finding.kind for finding in report.findings}


def failing(report: Any) -> list[Any]:
    return [p for p in report.probes if p.holds is False]


def reused_intermediate(code: str) -> bool:
    """Whether the probe's code uses a Value it computed (not a leaf) more than once (a
    loop's rebinding aside)."""
    if "range(" in code:
        return False
    tree = ast.parse(code.replace("; ", "\n"))
    made = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)} - {"out"}
    used = [n.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
            for n in ast.walk(node.value) if isinstance(n, ast.Name)]
    return any(used.count(name) > 1 for name in made)


# ---- correct.py: every probe holds, and its expected numbers are PyTorch's -----------------


def test_correct_engine_passes_every_probe_it_is_offered():
    report = by_file("correct.py")
    assert bool(report), str(report)
    assert report.findings == []
    assert all(p.holds in (True, None) and p.finding is None for p in report.probes)
    held = [p.code for p in report.probes if p.holds]
    # what the class offers is probed: every op, both sides, reuse, the structural probes
    for piece in ("+", "-", "*", "/", "**", "exp()", "log()", "tanh()", "sigmoid()",
                  "relu()", "5000", ".grad = 0"):
        assert any(piece in code for code in held), (piece, held)
    assert any(code.count(".backward()") == 2 and ".grad =" not in code for code in held)
    assert any(re.search(r"\b2 \* a\b", code) for code in held)          # reflected
    assert any(re.search(r"\ba \+ 2\b", code) for code in held)          # number on the right
    assert any(re.search(r"\ba \* a\b", code) for code in held)          # reuse
    assert any(re.search(r"\*\* *[a-c]\b", code) for code in held)       # a Value exponent
    # what it does not offer is not held against it: it has no sqrt, no sin
    for piece in ("sqrt()", "sin()"):
        marked = [p.holds for p in report.probes if piece in p.code]
        assert marked and set(marked) == {None}, (piece, marked)


def _torch_run(code: str, at: dict[str, float]) -> dict[str, float]:
    """The probe's code run by PyTorch in float64: out and each leaf's gradient. A second
    backward() keeps the graph (leaves accumulate, as in our semantics); ``v.grad = 0``
    clears the leaf's gradient."""
    leaves = {name: torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
              for name, x in at.items()}
    program = code.replace("; ", "\n").replace(":\n", ":\n    ")
    program = program.replace(".backward()", ".backward(retain_graph=True)")
    program = re.sub(r"\b([a-z])\.grad = 0\b", r"\1.grad = None", program)
    names: dict[str, Any] = dict(leaves)
    exec(compile(program, "<probe>", "exec"), {}, names)  # the probe's own code, on tensors
    if ".backward(" not in program:
        names["out"].backward()
    got = {"out": float(names["out"].detach())}
    got.update({f"{name}.grad": float(t.grad) if t.grad is not None else 0.0
                for name, t in leaves.items()})
    return got


def test_correct_engine_expected_numbers_are_pytorchs():
    report = by_file("correct.py")
    offered = [p for p in report.probes if p.holds]
    assert len(offered) >= 30
    for probe in offered:
        theirs = _torch_run(probe.code, probe.at)
        assert set(probe.expected) == set(theirs), probe.code
        for key, value in theirs.items():
            assert probe.expected[key] == pytest.approx(value, rel=1e-9, abs=1e-12), \
                (probe.code, probe.at, key)
            assert probe.got[key] == pytest.approx(value, rel=1e-7, abs=1e-9), \
                (probe.code, probe.at, key)


def test_expected_gradients_agree_with_central_differences():
    # an oracle that is neither engine: the out of the probe's code at nudged points
    report = by_file("correct.py")
    chosen = [p for p in report.probes if p.holds and ".backward()" not in p.code
              and "5000" not in p.code][:12]
    assert len(chosen) == 12
    h = 1e-6
    for probe in chosen:
        for name in probe.at:
            up, down = dict(probe.at), dict(probe.at)
            up[name] += h
            down[name] -= h
            estimate = (_torch_run(probe.code, up)["out"]
                        - _torch_run(probe.code, down)["out"]) / (2 * h)
            assert probe.expected[f"{name}.grad"] == pytest.approx(estimate, rel=1e-5,
                                                                   abs=1e-6), probe.code


def test_report_text_has_one_line_per_probe():
    report = by_file("correct.py")
    # a long entry is wrapped between words onto lines indented further: join them back
    lines: list[str] = []
    for line in str(report).splitlines():
        if line.startswith("    ") and lines:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    assert all(len(line) <= 72 for line in str(report).splitlines())  # a terminal, a notebook
    for probe in report.probes:
        assert "\n" not in probe.code
        # a mark (holds, WRONG, -), the code, then two spaces or the end of the line
        pattern = re.compile(rf"^\s*\S+\s+{re.escape(probe.code)}(\s{{2}}|$)")
        mine = [line for line in lines if pattern.match(line)]
        if probe.holds is None and not mine:
            # not offered: said once for all of them, naming what the class lacks
            method = re.search(r"\.(\w+)\(\)", probe.code).group(1)
            assert any("not offered" in line and method in line for line in lines), method
        else:
            assert len(mine) == 1, probe.code
    offered = [p for p in report.probes if p.holds is not None]
    assert len(offered) < len(lines) <= len(report.probes) + 6


def test_probe_results_carry_their_names_and_points():
    report = by_file("correct.py")
    for probe in report.probes:
        assert isinstance(probe.name, str) and probe.name
        assert isinstance(probe.code, str) and "out" in probe.code
        if probe.holds is not None:
            assert probe.at and all(isinstance(x, float) for x in probe.at.values())
            assert set(probe.expected) == {"out", *(f"{n}.grad" for n in probe.at)}


# ---- one bug per engine: found, named, and nothing else reported ---------------------------

BUGS = {
    # engine: (kind, the op it must name (None: not checked), which probes may fail)
    "assign.py": ("accumulate", None,
                  lambda code: "+" in code or "*" in code),
    "no_upstream.py": ("upstream", {"tanh"}, lambda code: "tanh" in code),
    "tanh_input.py": ("derivative", {"tanh"}, lambda code: "tanh" in code),
    "pow_exponent.py": ("derivative", {"pow"},
                        lambda code: re.search(r"\*\* *[a-c]\b", code) is not None),
    "pow_minus_one.py": ("derivative", {"pow", "powc"},
                         lambda code: re.search(r"\*\* *\d", code) is not None),
    "no_rmul.py": ("reflected", {"mul", None},
                   lambda code: re.search(r"\d \* [a-z(]", code) is not None),
    "no_wrap.py": ("number", {"add", None},
                   lambda code: re.search(r"[a-z)] \+ \d|\d \+ [a-z(]", code) is not None),
    "recursive.py": ("recursion", None, lambda code: "5000" in code),
    "no_sort.py": ("order", None, reused_intermediate),
    "bfs.py": ("order", None, reused_intermediate),
    "micrograd_style.py": ("stale", None, lambda code: code.count(".backward()") == 2),
    "resets.py": ("not-accumulated", None,
                  lambda code: code.count(".backward()") == 2 and ".grad = 0" not in code),
    # micrograd's - / and negation, built on a wrong * or **: only * or ** is named
    "built_mul_no_upstream.py": ("upstream", {"mul"}, lambda code: re.search(
        r"[-*/]", code.replace("a * 2", "")) is not None),
    "built_pow_minus_one.py": ("derivative", {"powc"},
                               lambda code: "**" in code or "/" in code),
    "not_reversed.py": ("order", None, lambda code: True),
    "radd_calls_itself.py": ("error", None,
                             lambda code: re.search(r"\d [+-] a", code) is not None),
}


@pytest.mark.parametrize("engine", sorted(BUGS))
def test_each_bug_is_found_by_file_and_only_it(engine):
    kind, ops, may_fail = BUGS[engine]
    report = by_file(engine)
    assert not report, str(report)
    assert kinds(report) == {kind}, str(report)
    if ops is not None:
        assert {f.op for f in report.findings} <= ops, str(report)
    for finding in report.findings:
        assert finding.text and "\n" not in finding.text
    wrong = failing(report)
    assert wrong, str(report)
    for probe in report.probes:
        assert (probe.holds is False) == (probe.finding is not None), probe.code
        assert probe.finding is None or probe.finding in report.findings
    # a bug is not reported where there is none
    innocent = [p.code for p in wrong if not may_fail(p.code)]
    assert innocent == [], str(report)
    # and the probes it cannot touch hold
    assert sum(1 for p in report.probes if p.holds) >= 20, str(report)


def _fits(formula: str, truth: str, variables: dict[str, float]) -> bool:
    return math.isclose(evaluate(formula, variables), evaluate(truth, variables),
                        rel_tol=1e-9, abs_tol=1e-12)


def test_tanh_from_its_input_names_the_formula_that_fits():
    (finding,) = by_file("tanh_input.py").findings
    assert finding.kind == "derivative" and finding.op == "tanh"
    assert finding.formula
    for a in (-1.3, -0.4, 0.25, 0.9, 1.7):
        out = math.tanh(a)
        assert _fits(finding.formula, "1 - a**2", {"a": a, "out": out}), finding.formula
    assert "tanh" in finding.text


def test_power_without_the_minus_one_names_a_formula_that_fits():
    (finding,) = by_file("pow_minus_one.py").findings
    assert finding.kind == "derivative" and finding.op in ("pow", "powc")
    # for a ** 3 the engine gives 3 * a**3; the formula, in a (and b = 3 if it names b)
    assert finding.formula
    for a in (0.3, 0.8, 1.4, 2.2):
        assert _fits(finding.formula, "3 * a**3", {"a": a, "b": 3.0, "out": a**3}), \
            finding.formula


def test_exponent_without_gradient_is_the_pow_derivative():
    report = by_file("pow_exponent.py")
    (finding,) = report.findings
    wrong = failing(report)
    # the exponent's gradient is what is wrong: 0 instead of a**b * log(a)
    for probe in wrong:
        exponent = re.search(r"\*\* *([a-c])\b", probe.code).group(1)
        assert probe.got[f"{exponent}.grad"] == 0.0
        assert probe.expected[f"{exponent}.grad"] != 0.0
    if finding.formula is not None:
        assert _fits(finding.formula, "0", {"a": 1.5, "b": 0.7, "out": 1.5**0.7})


def test_reflected_and_number_findings_say_what_raised():
    rmul = by_file("no_rmul.py")
    assert any("__rmul__" in f.text for f in rmul.findings), str(rmul)
    wrap = by_file("no_wrap.py")
    (probe, *_) = [p for p in wrap.probes if re.fullmatch(r"out = a \+ 2", p.code)]
    assert probe.holds is False
    assert "AttributeError" in str(wrap) or "Value" in probe.finding.text


def test_micrograd_backward_twice_is_three_times_on_a_depth_two_leaf():
    report = by_file("micrograd_style.py")
    (twice,) = [p for p in report.probes
                if p.code.count(".backward()") == 2 and ".grad = 0" not in p.code]
    assert twice.holds is False
    # out = (a * b) * c: a is two ops deep; micrograd's a.grad is 3x one pass, ours 2x
    one_pass = twice.expected["a.grad"] / 2
    assert twice.got["a.grad"] == pytest.approx(3 * one_pass, rel=1e-9)
    assert twice.got["c.grad"] == pytest.approx(twice.expected["c.grad"], rel=1e-9)


# ---- in-process: the class itself, each probe under a time limit ---------------------------

@pytest.mark.parametrize("engine", ["tanh_input.py", "no_rmul.py", "recursive.py",
                                    "micrograd_style.py", "no_sort.py"])
def test_in_process_finds_the_same_bug(engine):
    kind, ops, may_fail = BUGS[engine]
    report = _audit(engine_class(engine))
    assert not report
    assert kinds(report) == {kind}, str(report)
    assert [p.code for p in failing(report) if not may_fail(p.code)] == [], str(report)


def test_in_process_correct_class_holds():
    report = _audit(engine_class("correct.py"))
    assert bool(report), str(report)


def test_file_with_class_name_is_read():
    assert bool(_audit(f"{ENGINES / 'correct.py'}:Value"))


def test_in_process_loop_is_stopped_and_the_rest_reported():
    started = time.monotonic()
    report = _audit(engine_class("loops.py"))
    elapsed = time.monotonic() - started
    assert "timeout" in kinds(report), str(report)
    assert len(report.probes) == len(by_file("correct.py").probes), report.stopped
    for probe in report.probes:
        if probe.code == "out = a.relu()":
            assert probe.holds is False and probe.finding.kind == "timeout", str(report)
        elif ".relu()" in probe.code:  # the other probes of relu wait for nothing: not run
            assert probe.holds is None and probe.note.startswith("not run"), str(report)
        else:
            assert probe.holds in (True, None), str(report)
    assert elapsed < 15, elapsed


# ---- the command line ------------------------------------------------------------------------


def test_cli_correct_engine_exits_0():
    run = cli(str(ENGINES / "correct.py"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_cli_buggy_engine_exits_1_and_names_the_op():
    run = cli(str(ENGINES / "no_upstream.py"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "tanh" in run.stdout and "out.grad" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def _one_error_line(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 2, run.stdout + run.stderr
    text = (run.stderr + run.stdout).strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1 and text.startswith("error:"), text
    return text


@pytest.mark.parametrize("target, named", [
    ("tests/engines/no_such_engine.py", "no_such_engine.py"),
    ("tests/engines/correct.py:Nope", "Nope"),
    ("tests/engines/correct.py:math", "math"),
])
def test_cli_bad_input_exits_2_with_one_line(target, named):
    assert named in _one_error_line(cli(target))


def test_cli_file_that_cannot_be_imported_names_the_error_and_line():
    source = (ENGINES / "crashes.py").read_text().splitlines()
    line = next(i for i, text in enumerate(source, 1) if "Valeu(" in text)
    text = _one_error_line(cli(str(ENGINES / "crashes.py")))
    assert "NameError" in text and "Valeu" in text
    assert re.search(rf"\bline {line}\b|:{line}\b", text), text


def test_api_file_that_cannot_be_imported_is_bad_input():
    with pytest.raises(Exception) as raised:  # noqa: B017 (the message is what is checked)
        audit(str(ENGINES / "crashes.py"))
    assert "NameError" in str(raised.value)
    assert not isinstance(raised.value, NameError)


def test_cli_json_is_one_document():
    run = cli(str(ENGINES / "tanh_input.py"), "--json")
    assert run.returncode == 1, run.stderr
    document = json.loads(run.stdout)
    assert isinstance(document, dict)
    kinds_said = {f["kind"] for f in document["findings"]}
    assert kinds_said == {"derivative"}
    assert len(document["probes"]) == len(by_file("tanh_input.py").probes)


def test_cli_loop_is_reported_within_the_time_limit_and_the_rest_still_run():
    started = time.monotonic()
    run = cli(str(ENGINES / "loops.py"), "--json", "--timeout", str(CLI_TIMEOUT))
    elapsed = time.monotonic() - started
    assert elapsed < CLI_TIMEOUT + 10, elapsed
    assert run.returncode == 1, run.stdout + run.stderr
    document = json.loads(run.stdout)
    findings = document["findings"]
    assert "timeout" in {f["kind"] for f in findings}
    # every probe is in the report; those without relu were still run, and hold
    assert len(document["probes"]) == len(by_file("correct.py").probes), document["stopped"]
    for probe in document["probes"]:
        if probe["code"] == "out = a.relu()":
            assert probe["holds"] is False and findings[probe["finding"]]["kind"] == "timeout"
        elif ".relu()" in probe["code"]:  # the other probes of relu: not run
            assert probe["holds"] is None and probe["note"].startswith("not run"), probe
        else:
            assert probe["holds"] in (True, None), probe


def test_cli_loop_under_a_short_time_limit_is_reported_within_it():
    started = time.monotonic()
    run = cli(str(ENGINES / "loops.py"), "--timeout", "1")
    elapsed = time.monotonic() - started
    assert elapsed < 1 + 10, elapsed
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "relu" in run.stdout


def test_process_that_exits_is_reported_not_inherited():
    report = by_file("exits.py")
    assert not report
    (exp,) = [p for p in report.probes if re.fullmatch(r"out = a\.exp\(\)", p.code)]
    assert exp.holds is not True
    assert report.findings, str(report)
    run = cli(str(ENGINES / "exits.py"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "3" in str(report) and "exit" in str(report).lower(), str(report)
