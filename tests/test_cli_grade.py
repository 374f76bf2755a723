"""`backprop-lab grade`: a student's answers file graded on the command line. Exit status 0
when every answer is correct (or correct given the student's earlier numbers), 1 when some
are wrong or missing, 2 on bad input (one line starting "error:", never a traceback);
``--json`` is one valid JSON document."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_grading import NAMES, work  # the plain-float oracle, beside this file

from autograd.cli import main
from autograd.teaching.grading import VERDICTS
from nn.exercises import exercise

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def answers_file(tmp_path: Path, answers: object, name: str = "answers.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    return str(path)


def key() -> dict[str, float]:
    return work(exercise("student", 7).given)


def test_the_keys_answers_exit_0(tmp_path):
    code, out, err = run("grade", "--net", "student", "--seed", "7",
                         answers_file(tmp_path, key()))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "22 of 22 correct"


def test_planted_mistakes_exit_1_with_every_verdict(tmp_path):
    answers: dict[str, float | None] = dict(work(exercise("student", 7).given,
                                                 forget_b1=True))
    answers["dL/dw5"] = None
    del answers["dL/dw1"]
    code, out, err = run("grade", "--net", "student", "--seed", "7",
                         answers_file(tmp_path, answers))
    assert code == 1 and err == ""
    for verdict in VERDICTS:
        assert verdict in out
    assert "first wrong step: z1: you left out b1" in out.splitlines()[0]


def test_json_output_has_the_documented_shape(tmp_path):
    answers = dict(key())
    answers["dL/dz3"] = answers["dL/dŷ"] * answers["ŷ"]  # σ(z3) for σ'(z3)
    code, out, _ = run("grade", "--seed", "7", "--json", answers_file(tmp_path, answers))
    assert code == 1
    document = json.loads(out)
    assert list(document) == ["net", "seed", "answers"]
    assert (document["net"], document["seed"]) == ("student", 7)
    assert list(document["answers"]) == NAMES
    for mark in document["answers"].values():
        assert set(mark) == {"verdict", "expected", "given", "why"}
    assert document["answers"]["dL/dz3"]["verdict"] == "wrong"
    assert "σ'(z3)" in document["answers"]["dL/dz3"]["why"]
    assert "ŷ" in out  # not escaped as \\u0177


def test_a_student_sheet_is_graded_against_its_own_numbers(tmp_path):
    theirs = work(exercise("student", 7, student=3).given)
    path = answers_file(tmp_path, theirs)
    code, out, _ = run("grade", "--seed", "7", "--student", "3", "--json", path)
    assert code == 0
    assert json.loads(out)["student"] == 3
    assert run("grade", "--seed", "7", path)[0] == 1  # not the class sheet's numbers


def test_missing_answers_exit_1(tmp_path):
    code, out, _ = run("grade", "--seed", "7", answers_file(tmp_path, {"z1": key()["z1"]}))
    assert code == 1
    assert "1 of 22 correct, 21 missing" in out


@pytest.mark.parametrize("content, words", [
    ('{\n  "z1": 1.185\n  "h1": 1.185\n}', ["line 3", "column 3", "delimiter"]),
    ('{"z1": "1.185"}', ["'z1'", "not a number"]),
    ('{"z1": 1.185, "dL/dw9": 1}', ["unknown answer name: dL/dw9", "the names are: z1, h1"]),
    ("[1.185, 1.185]", ["must be a JSON object", "not an array"]),
    ('{"z1": 1, "z1": 2}', ["'z1' is given twice"]),
])
def test_bad_answers_exit_2_with_one_line(tmp_path, content, words):
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run("grade", "--seed", "7", str(path))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    for word in words:
        assert word in err
    assert "Traceback" not in err


def test_bad_files_and_nets_exit_2(tmp_path):
    code, _, err = run("grade", str(tmp_path / "nowhere.json"))
    assert code == 2 and "nowhere.json: no such file" in err
    code, _, err = run("grade", str(tmp_path))
    assert code == 2 and "is a folder" in err
    big = tmp_path / "big.json"
    big.write_text('{"z1": 1' + " " * 1_000_001 + "}", encoding="utf-8")
    code, _, err = run("grade", str(big))
    assert code == 2 and "larger than 1 MB" in err
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"z1": 1, "\xe9": 2}')
    code, _, err = run("grade", str(latin))
    assert code == 2 and "not UTF-8" in err
    code, _, err = run("grade", "--net", "no-such-net", answers_file(tmp_path, key()))
    assert code == 2 and err.startswith("error: ")


def test_the_installed_command_reads_standard_input():
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "grade", "--seed", "7", "-"],
        input=json.dumps(key()), capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("22 of 22 correct")


JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers(-10**6, 10**6) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(NAMES + ["y_hat", "w₁", "?"]) | st.text(max_size=5),
                      inner, max_size=5),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(st.one_of(JSON.map(lambda d: json.dumps(d, ensure_ascii=False)),
                 st.text(max_size=30)), st.booleans())
def test_the_command_never_prints_a_traceback(text, as_json):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        path.write_text(text, encoding="utf-8")
        code, out, err = run("grade", "--seed", "7", *(["--json"] if as_json else []),
                             str(path))
    assert code in (0, 1, 2)
    assert "Traceback" not in err and "Traceback" not in out
    if code == 2:
        assert err.startswith("error: ") and out == ""
    elif as_json:
        assert list(json.loads(out)) == ["net", "seed", "answers"]
