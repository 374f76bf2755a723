"""The README's section for teachers: its Python example runs and its numbers are the key's."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## For teachers"):README.index("## Notebooks")]


def test_the_python_example_writes_what_the_readme_lists(tmp_path: Path) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        scope: dict[str, object] = {}
        exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 (the README's own code)
    finally:
        os.chdir(here)
    listed = re.findall(r"^- `(\w+\.\w+)`(?: and `(\w+\.\w+)`)?", SECTION, flags=re.M)
    names = {name for pair in listed for name in pair if name}
    assert names == {"sheet.html", "sheet.pdf", "key.html", "key.pdf", "key.json",
                     "answers.json", "slides.html", "slides.pdf", "network.tex"}
    written = {p.name for p in (tmp_path / "sheets").iterdir()}
    assert names <= written, names - written
    assert (tmp_path / "slides.html").exists()
    key = json.loads((tmp_path / "sheets" / "key.json").read_text(encoding="utf-8"))
    g = key["given"]
    # the first article's ∂L/∂w1 = (ŷ − y)·w5·ReLU'(z1)·x1, on plain floats
    z1 = g["w1"] * g["x1"] + g["w2"] * g["x2"] + g["b1"]
    h2 = max(0.0, g["w3"] * g["x1"] + g["w4"] * g["x2"] + g["b2"])
    y_hat = 1 / (1 + math.exp(-(g["w5"] * max(0.0, z1) + g["w6"] * h2 + g["b3"])))
    dw1 = (y_hat - g["y"]) * g["w5"] * (z1 > 0) * g["x1"]
    assert math.isclose(key["answers"]["dL/dw1"], dw1, rel_tol=1e-12)
    # the README's numbers are this key's, as the key page prints them
    dz1 = (y_hat - g["y"]) * g["w5"]
    line = f"∂L/∂w1 = ∂L/∂z1 · ∂z1/∂w1 = {dz1:.4g} × {g['x1']:g} = {dw1:.4g}"
    assert line in SECTION
    assert line in (tmp_path / "sheets" / "key.html").read_text(encoding="utf-8")
    assert f"{z1:.4g}" in SECTION and f"{dw1:.4g}" in SECTION
    assert not scope["report"] and scope["report"].items["z1"].verdict == "wrong"
