"""`backprop-lab grade`: a student's answers file graded on the command line. Exit status 0
when every answer is correct (or correct given the student's earlier numbers), 1 when some
are wrong or missing, 2 on bad input (one line starting "error:", never a traceback);
``--json`` is one valid JSON document. The sheet is said by --net and --seed, or by the file
(key.json's shape, as the answers.json template has it); where both say it they agree."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_grading import NAMES, work, written  # the plain-float oracle, beside this file

from autograd.cli import main
from autograd.teaching.grading import VERDICTS
from autograd.teaching.kit import write_exercise
from nn.exercises import exercise

SHEET = ("--net", "student", "--seed", "7")

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
    code, out, _ = run("grade", *SHEET, "--json", answers_file(tmp_path, answers))
    assert code == 1
    document = json.loads(out)
    assert list(document) == ["net", "seed", "summary", "counts", "answers"]
    assert (document["net"], document["seed"]) == ("student", 7)
    assert document["summary"] == ("21 of 22 correct, 1 wrong; first wrong step: ∂L/∂z3: "
                                   "you multiplied by σ(z3) = ŷ instead of σ'(z3) = ŷ·(1 − ŷ)")
    assert document["counts"] == {"correct": 21, "correct given your earlier numbers": 0,
                                  "wrong": 1, "missing": 0}
    assert list(document["answers"]) == NAMES
    for mark in document["answers"].values():
        assert set(mark) == {"verdict", "expected", "given", "why", "from_your_numbers"}
    dz3 = document["answers"]["dL/dz3"]
    assert dz3["verdict"] == "wrong"
    assert "σ'(z3)" in dz3["why"]
    right = key()
    assert math.isclose(dz3["expected"], right["dL/dz3"], rel_tol=1e-12)
    assert math.isclose(dz3["from_your_numbers"], right["dL/dz3"], rel_tol=1e-12)
    dw5 = document["answers"]["dL/dw5"]  # the key's, and what the student's ∂L/∂z3 gives
    assert math.isclose(dw5["expected"], right["dL/dw5"], rel_tol=1e-12)
    assert math.isclose(dw5["from_your_numbers"], answers["dL/dz3"] * right["h1"],
                        rel_tol=1e-12)
    assert "ŷ" in out  # not escaped as \\u0177


def test_a_student_sheet_is_graded_against_its_own_numbers(tmp_path):
    theirs = work(exercise("student", 7, student=3).given)
    path = answers_file(tmp_path, theirs)
    code, out, _ = run("grade", *SHEET, "--student", "3", "--json", path)
    assert code == 0
    assert json.loads(out)["student"] == 3
    assert run("grade", *SHEET, path)[0] == 1  # not the class sheet's numbers


def test_missing_answers_exit_1(tmp_path):
    code, out, _ = run("grade", *SHEET, answers_file(tmp_path, {"z1": key()["z1"]}))
    assert code == 1
    assert "1 of 22 correct, 21 missing" in out


@pytest.mark.parametrize("content, words", [
    ('{\n  "z1": 1.185\n  "h1": 1.185\n}', ["line 3", "column 3", "delimiter",
                                           "(a missing comma at the end of line 2?)"]),
    ('{"z1": "one", "h1": true, "L": [1]}', ["'z1' is not a number but a string: 'one'",
                                             "'h1' is not a number but true/false",
                                             "'L' is not a number but an array"]),
    ("", ["answers.json is empty: "]),
    (" \n ", ["answers.json is empty: "]),
    ('{"z1": 1.185, "dL/dw9": 1}', ["unknown answer name: dL/dw9", "the names are: z1, h1"]),
    ("[1.185, 1.185]", ["must be a JSON object", "not an array"]),
    ('{"z1": 1, "z1": 2}', ["'z1' is given twice"]),
])
def test_bad_answers_exit_2_with_one_line(tmp_path, content, words):
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run("grade", *SHEET, str(path))
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
    code, _, err = run("grade", "--net", "no-such-net", "--seed", "7",
                       answers_file(tmp_path, key()))
    assert code == 2 and err.startswith("error: ")


def test_numbers_in_quotes_are_read(tmp_path):
    quoted = {name: f"{x:.3g}" for name, x in key().items()}
    code, out, err = run("grade", *SHEET, answers_file(tmp_path, quoted))
    assert (code, err) == (0, "")
    assert out.startswith("22 of 22 correct")


# ---- the file says which sheet ------------------------------------------------------------


def test_key_json_graded_is_all_correct_and_needs_no_flags(tmp_path):
    write_exercise(exercise("student", 7), tmp_path, pdf=False)
    code, out, err = run("grade", str(tmp_path / "key.json"))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "22 of 22 correct"
    assert run("grade", *SHEET, str(tmp_path / "key.json"))[0] == 0  # the same sheet twice


def test_the_filled_in_template_says_its_sheet(tmp_path):
    ex = exercise("student", 7, student=3, dead_relu=True)
    write_exercise(ex, tmp_path, pdf=False)
    template = json.loads((tmp_path / "answers.json").read_text(encoding="utf-8"))
    assert list(template) == ["net", "seed", "student", "dead_relu", "answers"]
    assert (template["net"], template["seed"], template["student"], template["dead_relu"]) == (
        "student", 7, 3, True)
    assert list(template["answers"]) == NAMES and set(template["answers"].values()) == {None}
    template["answers"] = written(work(ex.given))
    path = answers_file(tmp_path, template, "filled.json")
    code, out, err = run("grade", "--json", path)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert [document[k] for k in ("net", "seed", "student", "dead_relu")] == [
        "student", 7, 3, True]
    assert document["counts"]["correct"] == 22
    # the flags may say what the file leaves out
    del template["student"], template["dead_relu"]
    path = answers_file(tmp_path, template, "partly.json")
    assert run("grade", "--student", "3", "--dead-relu", path)[0] == 0
    assert run("grade", path)[0] == 1  # the class sheet's numbers are others


@pytest.mark.parametrize("flags, file, words", [
    (["--seed", "8"], {"net": "student", "seed": 7},
     ['--seed 8 on the command line but "seed": 7 in ']),
    (["--net", "five-input"], {"net": "student", "seed": 7},
     ['--net five-input on the command line but "net": "student" in ']),
    (["--student", "2"], {"net": "student", "seed": 7, "student": 3},
     ['--student 2 on the command line but "student": 3 in ']),
    (["--dead-relu"], {"net": "student", "seed": 7, "dead_relu": False},
     ['--dead-relu on the command line but "dead_relu": false in ']),
])
def test_flags_and_file_that_disagree_exit_2_naming_both(tmp_path, flags, file, words):
    path = answers_file(tmp_path, {**file, "answers": key()})
    code, out, err = run("grade", *flags, path)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    for word in [*words, path, "which sheet is it?"]:
        assert word in err


@pytest.mark.parametrize("flags, file", [
    ([], key()),
    (["--seed", "7"], key()),
    (["--net", "student"], key()),
    ([], {"net": "student", "answers": key()}),
])
def test_a_sheet_not_said_exits_2(tmp_path, flags, file):
    code, out, err = run("grade", *flags, answers_file(tmp_path, file))
    assert code == 2 and out == ""
    assert err.startswith("error: say which sheet: --net and --seed, or a file with net and "
                          "seed")


@pytest.mark.parametrize("file, words", [
    ({"net": "student", "seed": 7, "answers": {}, "comment": "mine"},
     ["unknown top-level key 'comment'", '"net", "seed", "student", "dead_relu", "given"']),
    ({"net": "student", "seed": 7, "z1": 1.185},
     ["'net', 'seed' say which sheet this is, so the answers go under \"answers\""]),
    ({"net": "student", "seed": "7", "answers": {}}, ["'seed' must be a whole number"]),
    ({"net": "student", "seed": 7, "student": 0, "answers": {}}, ["'student' must be"]),
    ({"net": 3, "seed": 7, "answers": {}}, ["'net' must be a net's name"]),
    ({"net": "student", "seed": 7, "answers": [1]}, ['"answers" must be an object']),
])
def test_a_file_of_the_wrong_shape_exits_2_naming_the_key(tmp_path, file, words):
    code, out, err = run("grade", answers_file(tmp_path, file))
    assert code == 2 and out == ""
    for word in words:
        assert word in err


def test_a_key_whose_given_numbers_are_not_the_sheets_exits_2(tmp_path):
    write_exercise(exercise("student", 7), tmp_path, pdf=False)
    data = json.loads((tmp_path / "key.json").read_text(encoding="utf-8"))
    data["given"]["w1"] += 0.01
    code, _, err = run("grade", answers_file(tmp_path, data))
    assert code == 2
    assert '"given" numbers are not those of the sheet --net student --seed 7: w1 is' in err


def test_numbers_of_another_sheet_get_a_hint(tmp_path):
    other = written(work(exercise("student", 8).given))
    code, out, _ = run("grade", *SHEET, answers_file(tmp_path, other))
    assert code == 1
    summary = out.splitlines()[0]
    assert summary.startswith("0 of 22 correct")
    assert summary.endswith("; none of these numbers fit this sheet: is it --net student "
                            "--seed 7 (and --student K, --dead-relu, if the sheet has them)?")
    code, out, _ = run("grade", *SHEET, "--student", "2", answers_file(tmp_path, other))
    assert out.splitlines()[0].endswith("is it --net student --seed 7 --student 2 (and "
                                        "--dead-relu, if the sheet has it)?")


def test_help_says_the_file_may_say_the_sheet():
    code, out, _ = run("grade", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "key.json's shape, which says which sheet it is for" in text
    assert "--net and --seed may be left out" in text


def test_the_installed_command_reads_standard_input():
    done = subprocess.run(
        [sys.executable, "-m", "autograd", "grade", *SHEET, "-"],
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
        code, out, err = run("grade", *SHEET, *(["--json"] if as_json else []), str(path))
    assert code in (0, 1, 2)
    assert "Traceback" not in err and "Traceback" not in out
    if code == 2:
        assert err.startswith("error: ") and out == ""
    elif as_json:
        assert list(json.loads(out)) == ["net", "seed", "summary", "counts", "answers"]
