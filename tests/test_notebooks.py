"""Every notebook runs top to bottom from a fresh kernel, shows right numbers and readable drawings.

The notebooks are lessons: they print numbers and put them side by side, and hold no test
code. The checks live in `tests/notebook_checks.py`. Each notebook is executed from a fresh
kernel with its check cells appended in memory (the file on disk is never changed), so the
checks run in the same kernel, after the lesson, and see its variables. Each check compares
a number the notebook shows with an independent oracle: central finite differences on plain
floats, sympy, PyTorch in float64, or a hand formula on plain floats.

Every drawing (``image/svg+xml`` output) of the freshly executed notebook is then shown in
Chromium in a 1,000-px notebook cell and measured: no text smaller than
`browser.MIN_FONT_PX` and no two texts on top of each other.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import browser
import nbformat
import pytest
from nbclient import NotebookClient
from notebook_checks import CHECKS, PRELUDE

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def execute(nb: nbformat.NotebookNode, cwd: Path, checks: list[str] = ()) -> list[tuple[int, str]]:
    """Run ``nb`` in place from a fresh kernel, with ``checks`` appended as code cells.

    Returns the errors as (cell index, text); a failing cell does not stop the later ones,
    so that every failing check is reported.
    """
    first_check = len(nb.cells)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in checks]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    errors = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append((i, f"{_name(cell, i, first_check)}: {_last_frame(out)}"))
    del nb.cells[first_check:]
    return errors


def _name(cell, i: int, first_check: int) -> str:
    if i < first_check:
        return f"lesson cell {i}"
    defs = [line for line in cell.source.splitlines() if line.startswith("def ")]
    return f"check {defs[-1][4:].split('(')[0]}" if defs else f"check cell {i - first_check}"


def _last_frame(out) -> str:
    # The failing lines (marked ---->) and the error, without the traceback's terminal colours.
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out.get("traceback", [])))
    lines = [line.strip() for line in text.splitlines() if line.lstrip().startswith("---->")]
    return "\n".join([*lines[-2:], f"{out['ename']}: {out['evalue']}"])


_RUNS: dict[Path, tuple[nbformat.NotebookNode, list[tuple[int, str]]]] = {}


def fresh_run(path: Path, tmp_path_factory: pytest.TempPathFactory):
    """The notebook at ``path`` executed once with its checks: (fresh notebook, errors)."""
    if path not in _RUNS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
        cwd = tmp_path_factory.mktemp(path.stem)
        checks = [PRELUDE, *CHECKS.get(path.stem, [])]
        _RUNS[path] = nb, execute(nb, cwd, checks)
    return _RUNS[path]


def test_there_are_notebooks_and_each_has_checks():
    assert len(NOTEBOOKS) >= 5
    assert sorted(CHECKS) == IDS, "tests/notebook_checks.py lists exactly the notebooks"
    assert all(len(CHECKS[name]) >= 3 for name in IDS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_a_lesson_without_test_code(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        assert "key-output" not in cell.get("metadata", {}).get("tags", []), cell.source
        if cell.cell_type == "code":
            tree = ast.parse("\n".join(line for line in cell.source.splitlines()
                                       if not line.lstrip().startswith(("%", "!"))))
            asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
            assert not asserts, f"move this assert into tests/notebook_checks.py:\n{cell.source}"
    text = "\n".join(cell.source for cell in nb.cells).lower()
    assert "seed article" not in text, "cite the articles by title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_and_passes_its_checks(path, tmp_path_factory):
    fresh, errors = fresh_run(path, tmp_path_factory)
    assert not errors, "\n\n".join(text for _, text in errors)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_with_its_outputs(path, tmp_path_factory):
    committed = nbformat.read(path, as_version=4)
    fresh, _ = fresh_run(path, tmp_path_factory)
    for old, new in zip(committed.cells, fresh.cells, strict=True):
        if new.get("outputs"):
            assert old.get("outputs"), f"commit notebooks with their outputs: {old.source}"
        for out in old.get("outputs", []):
            assert out.get("output_type") != "error", f"committed with an error: {old.source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_drawing_reads_at_8_px_in_a_1000_px_cell(path, tmp_path_factory):
    assert browser.available(), f"no Chromium at {browser.CHROMIUM}: run make chromium"
    fresh, _ = fresh_run(path, tmp_path_factory)
    drawings = [(i, out["data"]["image/svg+xml"])
                for i, cell in enumerate(fresh.cells) for out in cell.get("outputs", [])
                if "image/svg+xml" in out.get("data", {})]
    problems = []
    with browser.page() as page:
        for i, svg in drawings:
            m = browser.measure_svg(page, svg)
            where = (f"cell {i} ({fresh.cells[i].source.splitlines()[-1]!r}): drawing "
                     f"{m.natural_width:.0f} px wide, shown {m.width:.0f} x {m.height:.0f} px")
            if m.texts and m.smallest.size < browser.MIN_FONT_PX:
                problems.append(f"{where}: smallest text {m.smallest.size:.1f} px "
                                f"({m.smallest.text!r}), at least {browser.MIN_FONT_PX:g} needed")
            if m.overlaps():
                problems.append(f"{where}: overlapping texts {m.overlaps()[:5]}")
    assert not problems, "\n".join(problems)


def test_a_failing_check_is_reported(tmp_path):
    # The harness itself: a check that fails is caught, the lesson's file is left alone.
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = 41")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    errors = execute(nb, tmp_path, [PRELUDE, "@check\ndef the_answer():\n    assert answer == 42"])
    assert [i for i, _ in errors] == [2] and "the_answer" in errors[0][1]
    assert len(nb.cells) == 1
