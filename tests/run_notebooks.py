"""Re-execute notebooks in place, each from a fresh kernel, saving their outputs (`make notebooks`).

    python tests/run_notebooks.py notebooks/*.ipynb

Each notebook runs in its own directory, as Jupyter runs it. A cell that raises stops that
notebook, which is then left unchanged on disk.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run_in_place(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print("running", name, flush=True)
        run_in_place(Path(name))
