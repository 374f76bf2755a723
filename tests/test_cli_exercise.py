"""`backprop-lab exercise`: the files it writes and says it wrote, a class set, and bad input
or a missing browser handled in one line, never a traceback."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
from kit_folder import manifest, vouch

from nn.exercises import exercise


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograd", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **env})


def wrote(done: subprocess.CompletedProcess[str]) -> list[Path]:
    return [Path(line.removeprefix("wrote ")) for line in done.stdout.splitlines()
            if line.startswith("wrote ")]


def test_one_exercise_writes_the_listed_files(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "c"
    done = run_cli("exercise", "--net", "student", "--seed", "7", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    expected = ["sheet.html", "key.html", "key.json", "answers.json", "slides.html"]
    tex = importlib.util.find_spec("dot2tex") is not None
    if tex:
        expected.append("network.tex")
    expected += ["sheet.pdf", "key.pdf", "slides.pdf"]
    assert [p.name for p in wrote(done)] == expected
    # and nothing else but the manifest, which vouches for each file by its SHA-256
    assert sorted(p.name for p in out.iterdir()) == sorted([*expected, "manifest.json"])
    assert manifest(out) == {n: hashlib.sha256((out / n).read_bytes()).hexdigest()
                             for n in expected}
    if not tex:
        assert f"skipped {out / 'network.tex'}: " in done.stdout
    assert done.stdout.rstrip().endswith(
        f"grade with: backprop-lab grade --net student --seed 7 {out / 'answers.json'}")
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert key["given"] == exercise("student", 7).given
    for name in ("sheet.pdf", "key.pdf"):
        assert len(pypdf.PdfReader(out / name).pages) == 2


def test_a_class_of_three(tmp_path: Path) -> None:
    done = run_cli("exercise", "--net", "2-2-1:relu,sigmoid", "--seed", "3", "--students", "3",
                   "--out", str(tmp_path), "--no-pdf")
    assert done.returncode == 0, done.stderr
    for k in (1, 2, 3):
        folder = tmp_path / f"student-0{k}"
        assert sorted(p.name for p in folder.iterdir()) == ["answers.json", "sheet.html"]
    assert {p.name for p in tmp_path.iterdir()} == {
        "student-01", "student-02", "student-03", "all-sheets.html", "class-key.html",
        "class-key.json", "manifest.json"}
    assert len(wrote(done)) == 3 * 2 + 3
    data = json.loads((tmp_path / "class-key.json").read_text(encoding="utf-8"))
    assert (data["net"], data["seed"], list(data["students"])) == (
        "2-2-1:relu,sigmoid", 3, ["1", "2", "3"])
    givens = {json.dumps(s["given"], sort_keys=True) for s in data["students"].values()}
    assert len(givens) == 3
    assert "--student 1" in done.stdout and "grade with: backprop-lab grade" in done.stdout


def test_an_unknown_net_is_one_line_and_status_2(tmp_path: Path) -> None:
    out = tmp_path / "never"
    done = run_cli("exercise", "--net", "nonsense", "--out", str(out))
    assert done.returncode == 2
    assert done.stderr.startswith("error: unknown net 'nonsense'")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stdout == "" and not out.exists()


def test_without_chromium_the_rest_is_written_and_a_note_says_how(tmp_path: Path) -> None:
    done = run_cli("exercise", "--seed", "7", "--out", str(tmp_path),
                   BACKPROP_LAB_CHROMIUM=str(tmp_path / "no-such-chromium"))
    assert done.returncode == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"sheet.html", "key.html", "key.json", "answers.json"} <= names
    assert not [n for n in names if n.endswith(".pdf")]
    assert "sudo apt-get install chromium" in done.stderr and "--no-pdf" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_chromium_that_fails_is_one_line_and_status_2(tmp_path: Path) -> None:
    done = run_cli("exercise", "--seed", "7", "--out", str(tmp_path),
                   BACKPROP_LAB_CHROMIUM="/bin/false")
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {"sheet.html", "key.html", "key.json"} <= names
    assert not [n for n in names if n.endswith(".pdf") or ".part" in n]  # nothing half-made


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_a_chromium_that_cannot_run_is_one_line_and_status_2(tmp_path: Path) -> None:
    broken = tmp_path / "c"
    broken.write_bytes(b"\0x")  # executable, but not a program
    broken.chmod(0o755)
    out = tmp_path / "y"
    message = one_error_line(run_cli("exercise", "--out", str(out),
                                     BACKPROP_LAB_CHROMIUM=str(broken)))
    assert "could not be run" in message and "--no-pdf" in message
    names = {p.name for p in out.iterdir()}
    assert {"sheet.html", "key.json"} <= names
    assert not [n for n in names if n.endswith(".pdf") or ".part" in n]


def test_a_failed_pdf_is_named_as_the_file_in_the_folder(tmp_path: Path) -> None:
    message = one_error_line(run_cli("exercise", "--seed", "7", "--out", str(tmp_path),
                                     BACKPROP_LAB_CHROMIUM="/bin/false"))
    assert f"to {tmp_path / 'sheet.pdf'} (exit status 1)" in message
    assert ".part" not in message


def test_out_a_file_is_one_line_and_status_2(tmp_path: Path) -> None:
    mine = tmp_path / "notes"
    mine.write_text("mine")
    message = one_error_line(run_cli("exercise", "--out", str(mine), "--no-pdf"))
    assert message == f"error: --out {mine} is a file, not a folder\n"
    message = one_error_line(run_cli("exercise", "--out", str(mine / "x"), "--no-pdf"))
    assert message == f"error: --out {mine / 'x'}: {mine} is a file, not a folder\n"
    assert mine.read_text() == "mine" and list(tmp_path.iterdir()) == [mine]


def test_a_rerun_keeps_a_students_answers_and_never_mixes_two_exercises(tmp_path: Path) -> None:
    assert run_cli("exercise", "--seed", "7", "--out", str(tmp_path), "--no-pdf").returncode == 0
    for name in ("sheet.pdf", "key.pdf", "slides.pdf"):  # as a run with PDFs leaves them
        (tmp_path / name).write_bytes(b"%PDF seed 7")
    vouch(tmp_path, "sheet.pdf", "key.pdf", "slides.pdf")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    message = one_error_line(run_cli("exercise", "--seed", "8", "--out", str(tmp_path),
                                     "--no-pdf"))
    assert message.startswith(f"error: {tmp_path / 'key.json'} is the key of another "
                              "exercise (net student, seed 7; this is net student, seed 8)")
    assert "--force" in message
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing written
    done = run_cli("exercise", "--seed", "8", "--out", str(tmp_path), "--no-pdf", "--force")
    assert done.returncode == 0, done.stderr
    removed = [line for line in done.stdout.splitlines() if line.startswith("removed ")]
    assert sorted(removed) == [f"removed {tmp_path / n}" for n in ("key.pdf", "sheet.pdf",
                                                                   "slides.pdf")]
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".pdf"]
    answers = tmp_path / "answers.json"
    data = json.loads(answers.read_text(encoding="utf-8"))
    data["answers"]["z1"] = 1.19
    answers.write_text(json.dumps(data), encoding="utf-8")
    message = one_error_line(run_cli("exercise", "--seed", "8", "--out", str(tmp_path),
                                     "--no-pdf"))
    assert f"{answers} holds a student's answers (1 filled in)" in message
    assert json.loads(answers.read_text(encoding="utf-8"))["answers"]["z1"] == 1.19


def test_a_smaller_class_leaves_no_old_student_folders(tmp_path: Path) -> None:
    args = ["exercise", "--net", "student", "--seed", "3", "--out", str(tmp_path), "--no-pdf"]
    assert run_cli(*args, "--students", "5").returncode == 0
    done = run_cli(*args, "--students", "2")
    assert done.returncode == 0, done.stderr
    assert {p.name for p in tmp_path.iterdir()} == {
        "student-01", "student-02", "all-sheets.html", "class-key.html", "class-key.json",
        "manifest.json"}
    assert done.stdout.count("removed ") == 3 * 2


def test_a_net_too_big_to_work_by_hand_is_refused_and_five_input_is_not(tmp_path: Path) -> None:
    message = one_error_line(run_cli("exercise", "--net", "8-8-8-8-1:relu,sigmoid",
                                     "--out", str(tmp_path / "big"), "--no-pdf"))
    assert message.startswith("error: '8-8-8-8-1' is too big to work by hand: 225 parameters, "
                              "at most 60")
    assert not (tmp_path / "big").exists()
    done = run_cli("exercise", "--net", "five - input", "--seed", "2", "--out",
                   str(tmp_path / "five"), "--no-pdf")
    assert done.returncode == 0, done.stderr
    sheet = (tmp_path / "five" / "sheet.html").read_text(encoding="utf-8")
    assert "five-input network, seed 2" in sheet and "Understanding Neural Networks" in sheet


def test_a_big_net_within_the_limit_writes_its_tikz(tmp_path: Path) -> None:
    # its TikZ once stalled dot2tex: Graphviz's warnings, one per node, filled the pipe
    done = run_cli("exercise", "--net", "3-4-4-2:relu,sigmoid", "--seed", "1", "--out",
                   str(tmp_path), "--no-pdf")
    assert done.returncode == 0, done.stderr
    if importlib.util.find_spec("dot2tex") is not None:
        assert "\\begin{tikzpicture}" in (tmp_path / "network.tex").read_text(encoding="utf-8")
    else:
        assert f"skipped {tmp_path / 'network.tex'}: " in done.stdout
