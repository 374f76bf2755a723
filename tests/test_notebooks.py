"""Every notebook runs top to bottom from a fresh kernel, and its key numbers do not change.

Notebooks assert their own key facts (engine vs finite differences, vs the articles, ...).
Cells tagged ``key-output`` must also print exactly what the committed notebook shows, so
a change in a key number fails here even where no assertion caught it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def text_outputs(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out and "text/plain" in out["data"]:
            parts.append(out["data"]["text/plain"])
    return "".join(parts)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_keeps_its_key_numbers(path, tmp_path):
    committed = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    shutil.copy(path, tmp_path / path.name)
    NotebookClient(
        fresh, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    keyed = 0
    for old, new in zip(committed.cells, fresh.cells, strict=True):
        if "key-output" in old.get("metadata", {}).get("tags", []):
            keyed += 1
            assert text_outputs(new) == text_outputs(old), new.source
        if new.get("outputs"):
            assert old.get("outputs"), f"commit notebooks with their outputs: {old.source}"
    assert keyed >= 1, "tag at least one cell with its key numbers as key-output"
