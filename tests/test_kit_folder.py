"""The kit never touches a file it did not write: the manifest, links, --force, atomic writes.

Each test builds a folder as a user would leave it, runs ``backprop-lab exercise`` (in
process, through `autograd.cli.main`) and compares every file's bytes before and after.
The manifest's hashes are checked against hashlib, computed here.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from kit_folder import manifest, snapshot

from autograd import files
from autograd.cli import main
from autograd.teaching import kit
from autograd.teaching.folder import FolderInUse
from nn.exercises import exercise


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["exercise", "--no-pdf", *args])
    out, err = capsys.readouterr()
    return status, out, err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert len(err.rstrip("\n")) <= 300, len(err)
    return err


def test_a_link_named_like_a_student_folder_is_never_followed(tmp_path, capsys) -> None:
    victim, out = tmp_path / "victim", tmp_path / "out"
    victim.mkdir()
    out.mkdir()
    (victim / "sheet.html").write_text("mine")
    (victim / "answers.json").write_text('{"answers": {"z1": 1.5}}')
    (out / "student-05").symlink_to("../victim")
    before = snapshot(victim)
    status, _, err = run(capsys, "--students", "2", "--out", str(out))
    assert status == 2 and "student-05 is not the kit's own" in one_line(err)
    assert snapshot(victim) == before and (out / "student-05").is_symlink()
    assert sorted(p.name for p in out.iterdir()) == ["student-05"]  # nothing written
    status, out_text, _ = run(capsys, "--students", "2", "--out", str(out), "--force")
    assert status == 0 and f"kept {out / 'student-05'}: not written by the kit" in out_text
    assert snapshot(victim) == before and (out / "student-05").is_symlink()
    # a class that needs student-05: refused even with --force (the kit makes that folder);
    # moved away, the link lets the class be written
    status, _, err = run(capsys, "--students", "6", "--out", str(out), "--force")
    assert status == 2 and "student-05 is in the kit's way" in one_line(err)
    assert snapshot(victim) == before and (out / "student-05").is_symlink()
    (out / "student-05").unlink()
    status, _, _ = run(capsys, "--students", "6", "--out", str(out))
    assert status == 0 and (out / "student-05" / "sheet.html").is_file()
    # and a smaller class removes student-05's files again, now the kit's own
    status, out_text, _ = run(capsys, "--students", "2", "--out", str(out))
    assert status == 0 and f"removed {out / 'student-05' / 'sheet.html'}" in out_text
    assert not (out / "student-05").exists() and snapshot(victim) == before


def test_a_file_or_folder_in_the_kits_way_is_refused_even_with_force(tmp_path, capsys) -> None:
    (tmp_path / "student-01").write_text("my notes")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "key.html").symlink_to("elsewhere")  # a link to a folder
    (tmp_path / "student-02").mkdir()  # the teacher's own empty folder, not the kit's
    before = snapshot(tmp_path)
    for extra in ([], ["--force"]):
        status, _, err = run(capsys, "--students", "1", "--out", str(tmp_path), *extra)
        line = one_line(err)
        assert status == 2 and "student-01" in line and "key.html" in line
        assert snapshot(tmp_path) == before and (tmp_path / "key.html").is_symlink()
    (tmp_path / "student-01").unlink()
    (tmp_path / "key.html").unlink()
    assert run(capsys, "--students", "1", "--out", str(tmp_path))[0] == 0
    assert (tmp_path / "student-02").is_dir()  # never removed: the kit did not empty it


def test_a_link_named_like_a_kit_file_is_replaced_only_with_force(tmp_path, capsys) -> None:
    (tmp_path / "mine.html").write_text("the teacher's page")
    out = tmp_path / "out"
    out.mkdir()
    (out / "key.html").symlink_to("../mine.html")
    status, _, err = run(capsys, "--out", str(out))
    assert status == 2 and str(out / "key.html") in one_line(err)
    assert (out / "key.html").is_symlink() and not (out / "sheet.html").exists()
    assert run(capsys, "--out", str(out), "--force")[0] == 0
    assert (tmp_path / "mine.html").read_text() == "the teacher's page"
    assert not (out / "key.html").is_symlink() and "<html" in (out / "key.html").read_text()


def test_the_users_own_files_of_kit_names_stop_the_command(tmp_path, capsys) -> None:
    names = ["sheet.html", "key.html", "slides.html", "sheet.pdf", "slides.pdf", "network.tex"]
    for name in names:
        (tmp_path / name).write_text(f"mine: {name}")
    before = snapshot(tmp_path)
    status, out_text, err = run(capsys, "--out", str(tmp_path))
    line = one_line(err)
    assert status == 2 and out_text == "" and snapshot(tmp_path) == before
    assert f"in {tmp_path}: sheet.html, key.html, slides.html and 3 more are not the kit's own" \
        in line and "--force" in line
    # --force writes over the files it writes again, and keeps the PDFs it does not print
    status, out_text, _ = run(capsys, "--out", str(tmp_path), "--force")
    assert status == 0
    assert (tmp_path / "sheet.pdf").read_text() == "mine: sheet.pdf"
    assert (tmp_path / "slides.pdf").read_text() == "mine: slides.pdf"
    assert f"kept {tmp_path / 'slides.pdf'}" in out_text and "removed" not in out_text
    assert (tmp_path / "sheet.html").read_text() != "mine: sheet.html"


def test_a_file_edited_since_the_kit_wrote_it_is_refused(tmp_path, capsys) -> None:
    assert run(capsys, "--out", str(tmp_path))[0] == 0
    with (tmp_path / "key.html").open("a") as file:
        file.write("<!-- my note -->")
    before = snapshot(tmp_path)
    status, _, err = run(capsys, "--out", str(tmp_path))
    assert status == 2 and snapshot(tmp_path) == before
    assert f"{tmp_path / 'key.html'} was changed since the kit wrote it" in err
    assert run(capsys, "--out", str(tmp_path))[0] == 2  # still, until --force
    assert run(capsys, "--out", str(tmp_path), "--force")[0] == 0
    assert "my note" not in (tmp_path / "key.html").read_text()


def test_the_manifest_vouches_for_each_file_by_its_sha256(tmp_path, capsys) -> None:
    assert run(capsys, "--students", "2", "--out", str(tmp_path))[0] == 0
    files_there = {name for name in snapshot(tmp_path) if name != "manifest.json"}
    assert set(manifest(tmp_path)) == files_there
    for name, digest in manifest(tmp_path).items():
        assert digest == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
    # rerun: the same bytes, nothing refused, nothing removed
    before = snapshot(tmp_path)
    status, out_text, err = run(capsys, "--students", "2", "--out", str(tmp_path))
    assert (status, err) == (0, "") and "removed" not in out_text
    assert snapshot(tmp_path) == before


def test_a_manifest_not_the_kits_is_refused(tmp_path, capsys) -> None:
    (tmp_path / "manifest.json").write_text('{"name": "my web app"}')
    status, _, err = run(capsys, "--out", str(tmp_path))
    assert status == 2 and "is not the manifest backprop-lab exercise writes" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def test_an_interrupted_run_leaves_whole_files_the_manifest_vouches_for(
        tmp_path, monkeypatch, capsys) -> None:
    assert run(capsys, "--seed", "7", "--out", str(tmp_path))[0] == 0

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(kit, "_tikz", interrupted)  # after the sheets and slides
    with pytest.raises(KeyboardInterrupt):
        kit.write_exercise(exercise("student", 7), tmp_path, pdf=False)
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]  # no half file
    for name, digest in manifest(tmp_path).items():
        assert digest == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
    monkeypatch.undo()
    assert run(capsys, "--seed", "7", "--out", str(tmp_path))[0] == 0  # no --force needed


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path) -> None:
    path = tmp_path / "page.html"
    path.write_text("old")

    def half(partial: Path) -> None:
        partial.write_text("new, half of i")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        files.write_with(path, half)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["page.html"]


def test_too_many_students_is_one_line_and_nothing_written(tmp_path, capsys) -> None:
    status, _, err = run(capsys, "--students", "100000", "--out", str(tmp_path / "c"))
    assert status == 2 and "at most 300" in one_line(err)
    assert not (tmp_path / "c").exists()


def test_folder_in_use_names_the_first_files_and_counts_the_rest() -> None:
    error = FolderInUse([Path(f"out/f{k}.html") for k in range(7)], "are not the kit's own")
    assert str(error).startswith("in out: f0.html, f1.html, f2.html and 4 more are not the "
                                 "kit's own: nothing was written")


def test_a_folder_where_the_kit_writes_a_file_is_refused_even_with_force(tmp_path,
                                                                         capsys) -> None:
    (tmp_path / "class-key.json").mkdir()
    (tmp_path / "class-key.json" / "mine.txt").write_text("mine")
    for extra in ([], ["--force"]):
        status, _, err = run(capsys, "--students", "1", "--out", str(tmp_path), *extra)
        line = one_line(err)
        assert status == 2 and "class-key.json is in the kit's way (a folder or a pipe" in line
        assert sorted(snapshot(tmp_path)) == ["class-key.json/mine.txt"]  # nothing written


def test_a_write_that_fails_names_the_file_not_a_temporary_one(tmp_path, monkeypatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", refused)  # a read-only folder
    with pytest.raises(OSError) as error:
        files.write_text(tmp_path / "page.html", "x")
    assert str(error.value) == f"cannot write {tmp_path / 'page.html'}: permission denied"


def test_a_pipe_is_never_written_over(tmp_path) -> None:
    os.mkfifo(tmp_path / "graph.svg")
    with pytest.raises(OSError, match="it is a pipe or a device, not a file"):
        files.write_bytes(tmp_path / "graph.svg", b"<svg/>")
    assert not (tmp_path / "graph.svg").is_file()


def test_slides_dot_cannot_lay_out_in_time_are_skipped_and_the_kit_finishes(
        tmp_path, monkeypatch) -> None:
    import importlib

    from autograd.draw import DotTimeout
    deck = importlib.import_module("autograd.teaching.deck")  # the module, not the function

    def too_slow(*args: object, **kwargs: object) -> None:
        raise DotTimeout("Graphviz's dot took more than the 10 s limit")

    kit.write_exercise(exercise("student", 7), tmp_path, pdf=False)
    monkeypatch.setattr(deck, "deck", too_slow)
    written = kit.write_exercise(exercise("student", 7), tmp_path, pdf=False)
    assert written.skipped["slides.html"] == "Graphviz's dot took more than the 10 s limit"
    assert [p.name for p in written.removed] == ["slides.html"]  # the old one, not this seed's
    assert set(manifest(tmp_path)) == {p.name for p in written}
