"""Fuzzing every file the project reads: statements (``@FILE`` in EXPR), the answers JSON of
``grade`` (a path or ``-``, standard input), the folder an exercise is written into (its
earlier kit, a student's answers, links out of it) and `nn` model state files
(`Module.load`). For every file: the command keeps its contract (`fuzzing.run`: status,
one short ``error:`` line, no traceback, nothing written outside the working folder, no
earlier file changed but the command's own outputs); `Module.load` raises `StateError` and
leaves the model as it was."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from fuzzing import (
    KIT_DEADLINE,
    at_items,
    claims,
    examples,
    json_values,
    long_texts,
    raw_texts,
    run,
    sandbox,
    snapshot,
    statements,
)
from hypothesis import example, given
from hypothesis import strategies as st

from autograd.teaching.kit import key_data
from nn import MLP
from nn.exercises import exercise
from nn.module import FORMAT, StateError

VARIABLES = ("x", "y", "w", "b", "w1", "x1", "z1", "ŷ", "w₁")


def file_bytes(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """A file's bytes: ``text`` as UTF-8 (sometimes with a BOM or CRLF), or any bytes
    (invalid UTF-8, NULs), or a huge file."""
    encoded = st.tuples(text, st.sampled_from([b"", b"\xef\xbb\xbf"]), st.booleans()).map(
        lambda p: p[1] + (p[0].replace("\n", "\r\n") if p[2] else p[0]).encode("utf-8",
                                                                                  "surrogatepass"))
    return st.one_of(encoded, encoded, st.binary(max_size=300),
                     st.sampled_from([b"\xff\xfe" + "x*y".encode("utf-16-le"), b"x*\x00y",
                                      b"x" * 1_000_001, b"(" * 100_000 + b"x",
                                      b"\x80abc", b"#" * 5000, b"\n" * 5000]))


# ---- statements: @FILE --------------------------------------------------------------------


@examples(150)
@given(data=file_bytes(st.one_of(statements(VARIABLES), raw_texts())),
       at=at_items(VARIABLES), command=st.sampled_from(["grad", "check", "play"]),
       claim=claims(VARIABLES))
def test_statements_file(data, at, command, claim):
    argv = [command, "@net.txt", "--at", *at]
    if command == "check":
        argv += ["--wrt", "x", "--claim", claim, "--points", "8"]
    with sandbox() as box:
        box.write("net.txt", data)
        run(box, argv, outputs=["player.html"])


@examples(40)
@given(name=st.one_of(st.sampled_from(
    ["", "missing.txt", ".", "folder", "keep.txt/x", "-", "net.txt ", " net.txt", "net.txt\n",
     "x" * 5000, "ŷ.txt", "\x00", "~/net.txt", "link.txt", "loop.txt"]), st.text(max_size=40)),
       command=st.sampled_from(["grad", "play", "check"]))
def test_statements_file_names(name, command):
    argv = [command, "@" + name, "--at", "x=1"]
    argv += ["--wrt", "x", "--claim", "1"] if command == "check" else []
    with sandbox() as box:
        (box.work / "folder").mkdir()
        box.write("ŷ.txt", "y = x*x")
        os.symlink(box.outside / "precious.txt", box.work / "link.txt")
        os.symlink("loop.txt", box.work / "loop.txt")
        run(box, argv, outputs=["player.html"])


# ---- grade: the answers file --------------------------------------------------------------

ANSWER_NAMES = list(key_data(exercise("student", 7))["answers"])
"""The student sheet's answer names (z1, ŷ, dL/dw1, ...)."""


def answer_documents() -> st.SearchStrategy[object]:
    """Answers as grade reads them: flat or in key.json's shape, with numbers, quoted
    numbers, junk and unknown names; or any JSON at all."""
    values = st.one_of(st.floats(-5, 5), st.floats(), st.none(), st.booleans(),
                       st.integers(-10**400, 10**400),
                       st.sampled_from(["0.5", "1e309", "nan", "½", "", "0,5", "−0.3"]),
                       json_values(4))
    keys = st.one_of(st.sampled_from(ANSWER_NAMES),
                     st.sampled_from(["yhat", "y_hat", "dL/dyhat", "∂L/∂w1", "Z1", " z1 "]),
                     st.text(max_size=12))
    answers = st.dictionaries(keys, values, max_size=25)
    header = st.fixed_dictionaries({}, optional={
        "net": st.one_of(st.sampled_from(["student", "simplenn", "2-2-1:relu,sigmoid"]),
                         json_values(3)),
        "seed": st.one_of(st.integers(0, 20), st.integers(-10**400, 10**400), json_values(3)),
        "student": st.one_of(st.integers(-2, 4), json_values(2)),
        "dead_relu": st.one_of(st.booleans(), json_values(2)),
        "given": st.one_of(st.dictionaries(keys, values, max_size=5), json_values(3)),
        "extra": json_values(2)})
    shaped = st.tuples(header, answers).map(lambda p: {**p[0], "answers": p[1]})
    return st.one_of(answers, shaped, shaped, json_values(30))


def grade_flags() -> st.SearchStrategy[list[str]]:
    """--net, --seed, --student, --dead-relu, --json: valid, conflicting and broken."""
    net = st.one_of(st.sampled_from(["student", "simplenn", "Student", "2-2-1:relu,sigmoid",
                                     "", "x"]), raw_texts())
    seed = st.one_of(st.integers(0, 20).map(str), st.sampled_from(["-1", "x", "1e3", "9" * 5000]))
    student = st.one_of(st.integers(1, 4).map(str), st.sampled_from(["0", "-1", "x"]))
    option = st.one_of(st.tuples(st.just("--net"), net), st.tuples(st.just("--seed"), seed),
                       st.tuples(st.just("--student"), student),
                       st.just(("--dead-relu",)), st.just(("--json",)))
    return st.lists(option, max_size=4).map(lambda opts: [w for o in opts for w in o])


@examples(200)
@given(document=answer_documents(), flags=grade_flags(), stdin=st.booleans(),
       spacing=st.sampled_from([None, 2]))
def test_answers_json(document, flags, stdin, spacing):
    text = json.dumps(document, ensure_ascii=False, indent=spacing)
    data = text.encode("utf-8", "surrogatepass")
    with sandbox() as box:
        if stdin:
            run(box, ["grade", "-", *flags], stdin=data)
        else:
            box.write("answers.json", data)
            run(box, ["grade", "answers.json", *flags])


@examples(150)
@given(data=file_bytes(st.one_of(raw_texts(), json_values(10).map(json.dumps),
                                 long_texts().map(lambda t: '{"z1": ' + t))),
       flags=grade_flags(), stdin=st.booleans())
def test_answers_bytes(data, flags, stdin):
    with sandbox() as box:
        if stdin:
            run(box, ["grade", *flags, "-"], stdin=data)
        else:
            box.write("answers.json", data)
            run(box, ["grade", *flags, "answers.json"])


@examples(30)
@given(name=st.one_of(st.sampled_from(
    ["", "missing.json", ".", "folder", "keep.txt/x", "x" * 5000, "\x00", "link.json",
     "loop.json", "-x", "--", "ŷ.json"]), st.text(max_size=40)))
def test_answers_file_names(name):
    with sandbox() as box:
        (box.work / "folder").mkdir()
        box.write("ŷ.json", '{"net": "student", "seed": 7, "answers": {"z1": 1}}')
        os.symlink(box.outside / "precious.txt", box.work / "link.json")
        os.symlink("loop.json", box.work / "loop.json")
        run(box, ["grade", "--net", "student", "--seed", "7", "--", name])


# ---- exercise: the folder written into ----------------------------------------------------

KIT_NAMES = ("sheet.html", "key.html", "key.json", "answers.json", "slides.html", "network.tex",
             "sheet.pdf", "class-key.json", "all-sheets.html", "student-01/answers.json",
             "student-01/sheet.html", "student-07/answers.json")


def folder_contents() -> st.SearchStrategy[dict[str, object]]:
    """What ``ex/`` holds before: kit names with any content (a real key, another key, a
    filled answers.json, junk JSON, bytes), links out of the folder, the teacher's files."""
    real = json.dumps(key_data(exercise("student", 7)))
    content = st.one_of(
        st.just(real), json_values(8).map(json.dumps), st.binary(max_size=50),
        answer_documents().map(json.dumps),
        st.sampled_from(["link", "link-folder", "folder"]))
    return st.dictionaries(st.sampled_from(KIT_NAMES + ("notes.txt", "student-01")), content,
                           max_size=5)


def _fill(box, contents: dict[str, object]) -> None:
    for name, content in contents.items():
        path = box.work / "ex" / name
        if path.parent.is_symlink() or path.parent.is_file():
            continue  # student-01 is already a file or a link: nothing goes inside it
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() or path.is_symlink():
            continue
        if content == "link":
            os.symlink(box.outside / "precious.txt", path)
        elif content == "link-folder":
            os.symlink(box.outside, path)
        elif content == "folder":
            path.mkdir()
            (path / "mine.txt").write_text("mine")
        else:
            box.write(f"ex/{name}", content if isinstance(content, (bytes, str)) else b"")


@examples(20, KIT_DEADLINE)
@example(contents={"student-01": "link-folder"}, net="student", seed="7", students="1",
         force=False)
@example(contents={"student-01": "link-folder", "student-01/sheet.html": "old"},
         net="student", seed="7", students=None, force=True)
@example(contents={"sheet.html": "link"}, net="student", seed="7", students=None, force=True)
@example(contents={"student-01": "link"}, net="student", seed="7", students="2", force=True)
@given(contents=folder_contents(),
       net=st.sampled_from(["student", "simplenn", "2-2-1:relu,sigmoid"]),
       seed=st.sampled_from(["7", "8"]),
       students=st.sampled_from([None, "1", "2"]), force=st.booleans())
def test_exercise_folder(contents, net, seed, students, force):
    argv = ["exercise", "--net", net, "--seed", seed, "--out", "ex", "--no-pdf"]
    argv += ["--students", students] if students else []
    argv += ["--force"] if force else []
    kit = ["ex/" + n for n in (*KIT_NAMES, "key.pdf", "slides.pdf", "class-key.html",
                               "all-sheets.pdf", "class-key.pdf")]
    kit += [f"ex/student-{k:02d}/{n}" for k in range(1, 8)
            for n in ("sheet.html", "answers.json", "sheet.pdf")]
    if force:  # --force writes over an entry of a kit's name in the folder, a link's target
        kit += [f"ex/student-{k:02d}" for k in range(1, 8)]  # never (outside is checked)
    with sandbox() as box:
        (box.work / "ex").mkdir()
        box.write("ex/notes.txt", "the teacher's notes")
        _fill(box, contents)
        result = run(box, argv, outputs=kit)
        if "nothing was written" in result.err:
            assert snapshot(box.work) == box.before, "'nothing was written', yet it was"
        _no_work_lost(box, result.code, force)


def _no_work_lost(box, code: int, force: bool) -> None:
    # Without --force, a student's filled-in answers.json is never written over.
    if force or code != 0:
        return
    for name, data in box.before.items():
        if name.endswith("answers.json") and isinstance(data, bytes):
            try:
                answers = json.loads(data).get("answers")
            except (ValueError, AttributeError):
                continue
            if isinstance(answers, dict) and any(v is not None for v in answers.values()):
                assert snapshot(box.work).get(name) == data, f"{name}: a student's answers lost"


# ---- nn: Module.load ----------------------------------------------------------------------


def _model() -> MLP:
    import random
    return MLP(2, [2, 1], rng=random.Random(0))


def state_documents() -> st.SearchStrategy[object]:
    """Saved-model documents: nearly right (this model's shape and names, odd values),
    another shape, or any JSON."""
    model = _model()
    names = list(model.state_dict())
    value = st.one_of(st.floats(-3, 3), st.floats(), st.integers(-10**400, 10**400),
                      st.booleans(), st.none(), st.text(max_size=5), json_values(3))
    params = st.one_of(
        st.fixed_dictionaries({n: value for n in names}),
        st.fixed_dictionaries({n: st.floats(-3, 3) for n in names}),
        st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=8)), value),
        json_values(5))
    model_shape = st.one_of(st.just(model.describe()), json_values(5),
                            st.just({**model.describe(), "sizes": [2, 3, 1]}))
    doc = st.fixed_dictionaries(
        {"format": st.one_of(st.just(FORMAT), json_values(2)), "model": model_shape,
         "parameters": params},
        optional={"version": st.one_of(st.just(1), json_values(2))})
    return st.one_of(doc, doc, json_values(20))


@examples(200)
@given(data=st.one_of(state_documents().map(
    lambda d: json.dumps(d).encode("utf-8", "surrogatepass")),
    file_bytes(st.one_of(raw_texts(), long_texts()))))
def test_module_load(data, tmp_path_factory):
    model = _model()
    before = model.state_dict()
    for p in model.parameters():
        p.grad = 0.25
    path = tmp_path_factory.mktemp("state") / "model.json"
    path.write_bytes(data)
    try:
        model.load(path)
    except StateError as err:
        assert str(err), "a StateError with no message"
        assert model.state_dict() == before, "a failed load changed the model"
    else:
        saved = json.loads(data.decode("utf-8"))["parameters"]
        assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in saved.values())
        assert model.state_dict() == {k: float(v) for k, v in saved.items()}
    assert [p.grad for p in model.parameters()] == [0.25] * len(before)
    assert path.read_bytes() == data, "load changed the file"


@pytest.mark.parametrize("name", ["missing.json", "", ".", "x" * 5000, "folder"])
def test_module_load_bad_paths(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    model = _model()
    before = model.state_dict()
    with pytest.raises(StateError):
        model.load(Path(name) if name else name)
    assert model.state_dict() == before


@examples(100)
@given(state=json_values(20))
def test_load_state_dict(state):
    model = _model()
    before = model.state_dict()
    try:
        model.load_state_dict(state)
    except StateError:
        assert model.state_dict() == before
    else:
        assert model.state_dict() == {k: float(v) for k, v in state.items()}
