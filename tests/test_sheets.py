"""Exercise sheets and keys as files: the key's numbers recomputed independently (plain
floats, PyTorch float64), the same seed giving the same bytes, the sheet holding no answer
and the key every one, and hostile labels shown as text, never as markup."""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import torch
from kit_folder import snapshot, vouch

from autograd import Value, dot
from autograd.notation import number
from autograd.teaching import kit
from autograd.teaching.kit import FolderInUse, titles, write_class, write_exercise
from autograd.teaching.pdf import PdfFailed
from autograd.teaching.sheet import sheet_html
from autograd.teaching.worksheet import worksheet
from nn.exercises import exercise


class _Text(HTMLParser):
    """The text a reader sees (not <style>, <title>, attributes), and every tag opened."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("style", "title", "script"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title", "script"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def seen(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts), parser.tags


NUMBER = re.compile(r"(?<![\w.\-])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])")


def numbers_in(text: str) -> set[str]:
    return set(NUMBER.findall(text))


@pytest.fixture(scope="module")
def student_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kit") / "a" / "b" / "c"
    write_exercise(exercise("student", 7), folder, pdf=False)
    return folder


def key(folder: Path) -> dict:
    return json.loads((folder / "key.json").read_text(encoding="utf-8"))


# ---- the key's numbers, recomputed without the engine -------------------------------------


def student_by_hand(g: dict[str, float]) -> dict[str, float]:
    """The first article's network with plain floats, every gradient by its formula."""
    relu = lambda z: max(z, 0.0)  # noqa: E731
    step = lambda z: 1.0 if z > 0 else 0.0  # noqa: E731
    x1, x2, y = g["x1"], g["x2"], g["y"]
    z1 = g["w1"] * x1 + g["w2"] * x2 + g["b1"]
    h1 = relu(z1)
    z2 = g["w3"] * x1 + g["w4"] * x2 + g["b2"]
    h2 = relu(z2)
    z3 = g["w5"] * h1 + g["w6"] * h2 + g["b3"]
    p = 1 / (1 + math.exp(-z3))
    loss = -(y * math.log(p) + (1 - y) * math.log(1 - p))
    dp = -y / p + (1 - y) / (1 - p)
    dz3 = p - y  # σ'·dp simplifies to ŷ − y
    dh1, dh2 = dz3 * g["w5"], dz3 * g["w6"]
    dz1, dz2 = dh1 * step(z1), dh2 * step(z2)
    return {
        "z1": z1, "h1": h1, "z2": z2, "h2": h2, "z3": z3, "ŷ": p, "L": loss,
        "dL/dŷ": dp, "dL/dz3": dz3, "dL/dw5": dz3 * h1, "dL/dh1": dh1, "dL/dw6": dz3 * h2,
        "dL/dh2": dh2, "dL/db3": dz3, "dL/dz1": dz1, "dL/dz2": dz2,
        "dL/dw1": (p - y) * g["w5"] * step(z1) * x1,  # the first article's formula
        "dL/dw2": dz1 * x2, "dL/db1": dz1, "dL/dw3": dz2 * x1, "dL/dw4": dz2 * x2,
        "dL/db2": dz2,
    }


@pytest.mark.parametrize("seed", [7, 8, 123])
def test_student_key_equals_plain_floats(tmp_path: Path, seed: int) -> None:
    write_exercise(exercise("student", seed), tmp_path, pdf=False)
    data = key(tmp_path)
    expected = student_by_hand(data["given"])
    assert list(data["answers"]) == list(expected)  # the key's order: forward, then backward
    for name, value in expected.items():
        assert math.isclose(data["answers"][name], value, rel_tol=1e-12, abs_tol=1e-15), name


def torch_student(g: dict[str, float]) -> dict[str, float]:
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in g.items()}
    z1 = t["w1"] * t["x1"] + t["w2"] * t["x2"] + t["b1"]
    h1 = torch.relu(z1)
    z2 = t["w3"] * t["x1"] + t["w4"] * t["x2"] + t["b2"]
    h2 = torch.relu(z2)
    z3 = t["w5"] * h1 + t["w6"] * h2 + t["b3"]
    p = torch.sigmoid(z3)
    loss = torch.nn.functional.binary_cross_entropy(p, t["y"])
    inner = {"z1": z1, "h1": h1, "z2": z2, "h2": h2, "z3": z3, "ŷ": p, "L": loss}
    for v in inner.values():
        v.retain_grad()
    loss.backward()
    out = {k: v.item() for k, v in inner.items()}
    out.update({f"dL/d{k}": v.grad.item() for k, v in inner.items() if k != "L"})
    out.update({f"dL/d{k}": t[k].grad.item() for k in g if k not in ("x1", "x2", "y")})
    return out


def torch_mlp_232(g: dict[str, float]) -> dict[str, float]:
    """2-3-2:tanh,sigmoid:mse: W1[i,j] joins input j to neuron i of layer 1; the loss is the
    mean of (ŷ[i] − y[i])² over the outputs."""
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in g.items()}
    x = [t["x1"], t["x2"]]
    inner: dict[str, torch.Tensor] = {}
    a1 = []
    for i in (1, 2, 3):
        z = t[f"b1[{i}]"] + sum(t[f"W1[{i},{j}]"] * x[j - 1] for j in (1, 2))
        inner[f"z1[{i}]"] = z
        inner[f"a1[{i}]"] = torch.tanh(z)
        a1.append(inner[f"a1[{i}]"])
    outs = []
    for i in (1, 2):
        z = t[f"b2[{i}]"] + sum(t[f"W2[{i},{j}]"] * a1[j - 1] for j in (1, 2, 3))
        inner[f"z2[{i}]"] = z
        inner[f"ŷ[{i}]"] = torch.sigmoid(z)
        outs.append(inner[f"ŷ[{i}]"])
    loss = torch.nn.functional.mse_loss(torch.stack(outs), torch.stack([t["y[1]"], t["y[2]"]]))
    inner["L"] = loss
    for v in inner.values():
        v.retain_grad()
    loss.backward()
    out = {k: v.item() for k, v in inner.items()}
    out.update({f"dL/d{k}": v.grad.item() for k, v in inner.items() if k != "L"})
    out.update({f"dL/d{k}": v.grad.item() for k, v in t.items()
                if k not in ("x1", "x2", "y[1]", "y[2]")})
    return out


@pytest.mark.parametrize("net, oracle", [("student", torch_student),
                                         ("2-3-2:tanh,sigmoid:mse", torch_mlp_232)])
def test_key_equals_pytorch_float64(tmp_path: Path, net: str, oracle) -> None:
    write_exercise(exercise(net, 11), tmp_path, pdf=False)
    data = key(tmp_path)
    expected = oracle(data["given"])
    assert set(data["answers"]) == set(expected)
    for name, value in expected.items():
        assert math.isclose(data["answers"][name], value, rel_tol=1e-9, abs_tol=1e-12), name


# ---- the files -----------------------------------------------------------------------------


def test_files_and_their_json(student_folder: Path) -> None:
    names = {p.name for p in student_folder.iterdir()}
    assert {"sheet.html", "key.html", "key.json", "answers.json"} <= names
    assert not [n for n in names if ".part" in n]  # no temporary file left behind
    data = key(student_folder)
    assert list(data) == ["net", "seed", "given", "answers"]  # no student, no dead_relu
    assert (data["net"], data["seed"]) == ("student", 7)
    assert data["given"] == exercise("student", 7).given
    template = json.loads((student_folder / "answers.json").read_text(encoding="utf-8"))
    assert list(template) == ["net", "seed", "answers"]
    assert (template["net"], template["seed"]) == (data["net"], data["seed"])
    assert list(template["answers"]) == list(data["answers"])
    assert set(template["answers"].values()) == {None}
    raw = (student_folder / "key.json").read_bytes()
    assert raw.endswith(b"}\n") and "ŷ".encode() in raw  # UTF-8, not \u escapes


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for folder, seed in (("one", 7), ("two", 7), ("three", 8)):
        write_exercise(exercise("student", seed), tmp_path / folder, pdf=False)
    one, two, three = ((tmp_path / f / "key.json").read_bytes() for f in ("one", "two", "three"))
    assert one == two
    assert one != three
    assert ((tmp_path / "one" / "sheet.html").read_bytes()
            == (tmp_path / "two" / "sheet.html").read_bytes())


def test_student_and_dead_relu_are_recorded(tmp_path: Path) -> None:
    write_exercise(exercise("student", 7, student=3, dead_relu=True), tmp_path, pdf=False)
    data = key(tmp_path)
    assert list(data) == ["net", "seed", "student", "dead_relu", "given", "answers"]
    assert data["student"] == 3 and data["dead_relu"] is True
    dead = [h for h in ("h1", "h2") if data["answers"][h] == 0]
    assert len(dead) == 1


def test_out_folders_are_created(student_folder: Path) -> None:
    # the fixture wrote into .../a/b/c, none of which existed
    assert student_folder.parts[-3:] == ("a", "b", "c") and student_folder.is_dir()


def test_the_sheet_holds_no_answer_and_the_key_every_one(student_folder: Path) -> None:
    data = key(student_folder)
    sheet_text, sheet_tags = seen((student_folder / "sheet.html").read_text(encoding="utf-8"))
    key_text, _ = seen((student_folder / "key.html").read_text(encoding="utf-8"))
    given = {number(v) for v in data["given"].values()}
    # numbers a blank sheet prints that are not given: the seed (in the title and the grade
    # command), "3" significant digits, and the 1s and 0s of formulas (1 − y, ∂L/∂L = 1)
    structure = {"7", "3", "1", "0"}
    shown = numbers_in(sheet_text)
    answers = {name: number(v) for name, v in data["answers"].items()}
    leaked = {name: text for name, text in answers.items()
              if text in shown and text not in given | structure}
    assert leaked == {}
    assert shown <= given | structure, shown - given - structure
    for name, text in answers.items():  # every answer, as printed, is on the key
        assert text in numbers_in(key_text), (name, text)
    assert given <= numbers_in(sheet_text)  # every given number is on the sheet
    assert "svg" in sheet_tags and "script" not in sheet_tags and "img" not in sheet_tags


def test_the_sheet_names_what_to_compute(student_folder: Path) -> None:
    text, _ = seen((student_folder / "sheet.html").read_text(encoding="utf-8"))
    for name in ("z1 = b1 + w1·x1 + w2·x2", "L = −(y·log(ŷ) + (1 − y)·log(1 − ŷ))",
                 "∂L/∂w1", "∂z1/∂w1", "∂h1/∂z1", "∂ŷ/∂z3", "3 significant digits",
                 "What is Neural Network?"):
        assert name in text, name
    key_text, _ = seen((student_folder / "key.html").read_text(encoding="utf-8"))
    data = key(student_folder)
    a = data["answers"]
    line = (f"∂L/∂w1 = ∂L/∂z1 · ∂z1/∂w1 = {number(a['dL/dz1'])} × "
            f"{number(data['given']['x1'])} = {number(a['dL/dw1'])}")
    assert line in key_text
    assert "ReLU'(z1) = step(z1) = 1" in key_text


def test_a_gradient_of_several_terms_has_a_sum_row() -> None:
    # squared-error: each hidden output o_j feeds two output neurons
    sheet = worksheet(exercise("squared-error", 2).root)
    several = [row for row in sheet.backward if len(row.terms) > 1]
    assert several
    page = sheet_html(sheet, title="t", filled=True)
    text, _ = seen(page)
    row = several[0]
    assert f"{row.title} = the sum of the {len(row.terms)} contributions" in text
    assert " + " in re.search(re.escape(row.title) + r" = ∂E/[^\n]*", text).group(0)


def test_a_class_set(tmp_path: Path) -> None:
    written = write_class("student", 7, 3, tmp_path, pdf=False, make=exercise)
    assert all(p.exists() for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "all-sheets.html", "class-key.html", "class-key.json", "manifest.json",
        "student-01", "student-02", "student-03"]
    data = json.loads((tmp_path / "class-key.json").read_text(encoding="utf-8"))
    assert list(data) == ["net", "seed", "students"] and list(data["students"]) == ["1", "2", "3"]
    givens = [json.dumps(s["given"], sort_keys=True) for s in data["students"].values()]
    assert len(set(givens)) == 3
    for k, entry in data["students"].items():
        assert entry["given"] == exercise("student", 7, student=int(k)).given
    page = (tmp_path / "class-key.html").read_text(encoding="utf-8")
    assert page.count('<section class="sheet key">') == 3
    assert (tmp_path / "all-sheets.html").read_text().count('<section class="sheet sheet">') == 3


# ---- escaping ------------------------------------------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"


def test_hostile_labels_and_titles_are_text() -> None:
    x = Value(2.0, label=HOSTILE)
    w, b = Value(0.5, label="<script>alert(2)</script>"), Value(0.1, label="b&amp;")
    z = dot([w], [x], b)
    z.label = "z\"'"
    h = z.relu()
    h.label = "</table>"
    loss = (h - 1.0) ** 2
    loss.label = "<b>L</b>"
    sheet = worksheet(loss)
    for filled in (False, True):
        page = sheet_html(sheet, title=HOSTILE, filled=filled, subtitle="<i>*cite*</i>",
                          footer="<script>x</script>")
        text, tags = seen(page)
        assert "img" not in tags and "script" not in tags and "b" not in tags
        assert tags.count("table") == 3  # given, forward, backward: none ended early
        assert HOSTILE in text and "<script>alert(2)</script>" in text and "b&amp;" in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


# ---- the subtitles: what nn says of each net, however it is spelled -----------------------


@pytest.mark.parametrize("spelled, canonical, name", [
    ("Simple NN", "simplenn", "SimpleNN"), ("five - input", "five-input", "five-input"),
    (" STUDENT ", "student", "student"), ("2-2-1:RELU,sigmoid", "2-2-1:relu,sigmoid:bce",
                                          "2-2-1:relu,sigmoid:bce")])
def test_titles_name_the_net_however_it_is_spelled(spelled, canonical, name) -> None:
    title, subtitle = titles(exercise(spelled, 1))
    assert title == f"Backprop exercise — {name} network, seed 1"
    assert subtitle == exercise(canonical, 1).description
    assert not subtitle.startswith("A multilayer perceptron") or ":" in spelled
    assert not hasattr(kit, "_NETS")  # the descriptions are nn's, not repeated here


# ---- a folder is one kit: no work lost, no two exercises mixed ----------------------------


def fill_in(path: Path, name: str = "z1", value: float = 1.5) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["answers"][name] = value
    path.write_text(json.dumps(data), encoding="utf-8")


def test_a_rerun_of_the_same_exercise_writes_the_same_bytes(tmp_path: Path) -> None:
    write_exercise(exercise("student", 7), tmp_path, pdf=False)
    before = snapshot(tmp_path)
    written = write_exercise(exercise("student", 7), tmp_path, pdf=False)
    assert written.removed == [] and snapshot(tmp_path) == before
    written = write_exercise(exercise("Student", 7), tmp_path, pdf=False)  # the same net
    assert written.removed == [] and key(tmp_path)["given"] == exercise("student", 7).given


def test_a_filled_in_answers_json_is_never_written_over(tmp_path: Path) -> None:
    write_exercise(exercise("student", 7), tmp_path, pdf=False)
    fill_in(tmp_path / "answers.json")
    before = snapshot(tmp_path)
    with pytest.raises(FolderInUse) as error:  # even the same exercise
        write_exercise(exercise("student", 7), tmp_path, pdf=False)
    assert error.value.path == tmp_path / "answers.json"
    assert "holds a student's answers (1 filled in)" in str(error.value)
    assert isinstance(error.value, OSError)  # the command line's "error: ...", status 2
    assert snapshot(tmp_path) == before  # nothing written
    (tmp_path / "answers.json").write_text("{not json", encoding="utf-8")  # half-typed
    with pytest.raises(FolderInUse, match="cannot be read"):
        write_exercise(exercise("student", 7), tmp_path, pdf=False)
    write_exercise(exercise("student", 7), tmp_path, pdf=False, force=True)
    assert set(json.loads((tmp_path / "answers.json").read_text())["answers"].values()) == {None}


def test_another_exercise_is_refused_then_replaces_the_whole_kit(tmp_path: Path) -> None:
    write_exercise(exercise("student", 7), tmp_path, pdf=False)
    for name in ("sheet.pdf", "key.pdf", "slides.pdf"):  # as a run with PDFs leaves them
        (tmp_path / name).write_bytes(b"%PDF seed 7")
    vouch(tmp_path, "sheet.pdf", "key.pdf", "slides.pdf")
    (tmp_path / "notes.txt").write_text("the teacher's own")
    before = snapshot(tmp_path)
    for other in (exercise("student", 8), exercise("student", 7, student=2),
                  exercise("student", 7, dead_relu=True), exercise("simplenn", 7)):
        with pytest.raises(FolderInUse) as error:
            write_exercise(other, tmp_path, pdf=False)
        assert error.value.path == tmp_path / "key.json"
        assert "is the key of another exercise (net student, seed 7;" in error.value.why
    assert snapshot(tmp_path) == before
    written = write_exercise(exercise("student", 8), tmp_path, pdf=False, force=True)
    assert sorted(p.name for p in written.removed) == ["key.pdf", "sheet.pdf", "slides.pdf"]
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".pdf"]
    assert (tmp_path / "notes.txt").read_text() == "the teacher's own"
    assert key(tmp_path)["seed"] == 8


def test_a_kit_of_the_other_kind_is_refused(tmp_path: Path) -> None:
    write_class("student", 7, 2, tmp_path / "class", pdf=False, make=exercise)
    with pytest.raises(FolderInUse, match="class-key.json is the key of a class set"):
        write_exercise(exercise("student", 7), tmp_path / "class", pdf=False)
    write_exercise(exercise("student", 7), tmp_path / "one", pdf=False)
    with pytest.raises(FolderInUse, match="key.json is the key of one exercise"):
        write_class("student", 7, 2, tmp_path / "one", pdf=False, make=exercise)
    written = write_class("student", 7, 2, tmp_path / "one", pdf=False, force=True,
                          make=exercise)
    assert "sheet.html" in {p.name for p in written.removed}
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "all-sheets.html", "class-key.html", "class-key.json", "manifest.json", "student-01",
        "student-02"]


def test_a_smaller_class_removes_the_students_past_it(tmp_path: Path) -> None:
    write_class("student", 7, 12, tmp_path, pdf=False, make=exercise)
    (tmp_path / "student-11" / "feedback.txt").write_text("kept")
    fill_in(tmp_path / "student-12" / "answers.json")
    with pytest.raises(FolderInUse) as error:  # student 12's work would be removed
        write_class("student", 7, 3, tmp_path, pdf=False, make=exercise)
    assert error.value.path == tmp_path / "student-12" / "answers.json"
    with pytest.raises(FolderInUse, match="seed 7; this is net student, seed 8"):
        write_class("student", 8, 3, tmp_path, pdf=False, make=exercise)
    (tmp_path / "student-12" / "answers.json").unlink()
    written = write_class("student", 7, 3, tmp_path, pdf=False, make=exercise)
    assert len(written.removed) == 9 * 2 - 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "all-sheets.html", "class-key.html", "class-key.json", "manifest.json", "student-01",
        "student-02", "student-03", "student-11"]  # only student 11's own file is left
    assert [p.name for p in (tmp_path / "student-11").iterdir()] == ["feedback.txt"]


def test_out_may_not_be_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("mine")
    for out in (tmp_path / "file", tmp_path / "file" / "below"):
        with pytest.raises(NotADirectoryError) as error:
            write_exercise(exercise("student", 7), out, pdf=False)
        assert str(error.value) == f"{tmp_path / 'file'} is a file, not a folder"
    assert (tmp_path / "file").read_text() == "mine"


def test_a_failing_tikz_skips_network_tex_with_the_reason(tmp_path: Path, monkeypatch) -> None:
    tikz_module = importlib.import_module("autograd.teaching.tikz")  # not the function
    find_spec = importlib.util.find_spec

    def gives_up(root):
        raise SystemExit(1)  # as dot2tex does

    def fails(root):
        raise RuntimeError("Graphviz's dot took more than 120 s to lay the graph out")

    monkeypatch.setattr(importlib.util, "find_spec",  # dot2tex there, or not: all the same
                        lambda name, *rest: object() if name == "dot2tex" else
                        find_spec(name, *rest))
    for broken, why in ((gives_up, "dot2tex gave up (exit status 1)"), (fails, "120 s")):
        monkeypatch.setattr(tikz_module, "tikz", broken)
        written = write_exercise(exercise("student", 7), tmp_path, pdf=False, force=True)
        assert "network.tex" not in {p.name for p in written}
        assert why in written.skipped["network.tex"]
        assert {"sheet.html", "key.json", "slides.html"} <= {p.name for p in written}


def test_a_failed_pdf_is_named_as_the_file_it_was_to_be(tmp_path: Path, monkeypatch) -> None:
    failing = tmp_path / "failing-chromium"
    failing.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setenv("BACKPROP_LAB_CHROMIUM", str(failing))
    out = tmp_path / "kit"
    with pytest.raises(PdfFailed) as error:
        write_exercise(exercise("student", 7), out)
    message = str(error.value)  # the first page's failure: the sheet's
    assert f"{out / 'sheet.html'}: Chromium did not print it to {out / 'sheet.pdf'}" in message
    assert ".part" not in message and "cannot open display" in message
    assert not [p for p in out.iterdir() if p.suffix == ".pdf" or ".part" in p.name]
