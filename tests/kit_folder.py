"""Helpers for tests of the kit's folder: its manifest read and written by hand.

`vouch` adds files to ``manifest.json`` with their SHA-256 computed here, with hashlib, as a
run of the kit that wrote them would: so that a test can stand in for a run with PDFs
without printing any.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def manifest(folder: Path) -> dict[str, str]:
    """What ``manifest.json`` vouches for: name -> SHA-256 in hex."""
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data["sha256"]


def vouch(folder: Path, *names: str) -> None:
    """Record ``names`` in the folder's manifest with the SHA-256 of their bytes now."""
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for name in names:
        data["sha256"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    path.write_text(json.dumps(data), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (links not followed) by its name there, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}
