"""Long work shows progress on a terminal, and nothing in a pipe: a class set's sheets and
its PDFs (tqdm on standard error, only when it is a terminal)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from autograd.teaching import kit, pdf
from nn.exercises import exercise


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("stream, shown", [(Terminal, True), (Pipe, False)])
def test_printing_many_pdfs_shows_progress_only_on_a_terminal(tmp_path, monkeypatch, stream,
                                                              shown) -> None:
    pages = []
    for k in range(pdf.WORKERS * 2):
        pages.append(tmp_path / f"p{k}.html")
        pages[-1].write_text("<p>page</p>")
    monkeypatch.setattr(pdf, "_print_one", lambda program, source, target, name: target)
    monkeypatch.setattr(pdf.shutil, "which", lambda program: program)
    err = stream()
    monkeypatch.setattr(sys, "stderr", err)
    done = pdf.print_pdf(pages, chromium="chromium")
    assert done == [p.with_suffix(".pdf") for p in pages]
    assert ("printing PDFs" in err.getvalue() and f"/{len(pages)}"
            in err.getvalue()) is shown
    assert (err.getvalue() == "") is not shown


@pytest.mark.parametrize("stream, shown", [(Terminal, True), (Pipe, False)])
def test_a_class_set_shows_its_sheets_progress_only_on_a_terminal(tmp_path: Path, monkeypatch,
                                                                  stream, shown) -> None:
    err = stream()
    monkeypatch.setattr(sys, "stderr", err)
    written = kit.write_class("student", 7, 10, tmp_path, pdf=False, make=exercise)
    assert len(written) == 10 * 2 + 3
    assert ("sheets" in err.getvalue() and "/10" in err.getvalue()) is shown
    assert (err.getvalue() == "") is not shown
