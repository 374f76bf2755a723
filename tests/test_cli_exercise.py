"""`backprop-lab exercise`: the files it writes and says it wrote, a class set, and bad input
or a missing browser handled in one line, never a traceback."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf

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
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)  # and nothing else
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
        "class-key.json"}
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
