"""The README's examples of checking a derivation print what the README shows."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

from autograd.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def blocks_after(heading: str) -> list[tuple[str, str]]:
    """The fenced blocks (language, text) that follow ``heading`` in the README."""
    section = README[README.index(heading):]
    return re.findall(r"```(\w*)\n(.*?)```", section, flags=re.S)


def test_the_python_example_prints_what_the_readme_shows() -> None:
    (language, code), (_, shown), *_ = blocks_after("### Checking a derivation")
    assert language == "python"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102 (the README's own code)
    assert out.getvalue() == shown


def test_the_check_command_prints_what_the_readme_shows() -> None:
    blocks = blocks_after("`check` tries a hand-derived formula")
    (language, command), (_, shown) = blocks[0], blocks[1]
    assert language == "bash"
    argv = shlex.split(command.replace("\\\n", " "))
    assert argv[0] == "backprop-lab"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv[1:])
    assert code == 1 and out.getvalue() == shown
