"""A kit's folder: what the kit wrote there, and the promise never to touch anything else.

The kit records every file it writes in ``manifest.json`` in the folder, with the SHA-256
of its bytes (in hex). A later run replaces or removes a file only when that manifest
vouches for it: named there, and unchanged since. It never follows a symbolic link out of
the folder, nor deletes through one. A file of a kit's name that the manifest does not
vouch for (the user's own, or one edited since) is refused with `FolderInUse`, naming the
files, unless ``force``; ``force`` writes over such files where the kit writes a file of
that name, and still never removes one nor touches anything outside the folder.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "sheet.html").write_text("mine")
>>> try:
...     Folder(folder, force=False).check(["sheet.html"])
... except FolderInUse as error:
...     print(error.why)
is not the kit's own (no manifest.json vouches for it)
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from autograd.files import sha256, write_text

__all__ = ["Folder", "FolderInUse", "InTheWay", "NotAFolder", "shown", "MANIFEST",
           "EXERCISE_FILES", "CLASS_FILES", "STUDENT_FILES", "STUDENT_FOLDER"]

MANIFEST = "manifest.json"
"""The kit's record of what it wrote, in the kit's folder: ``{"written_by", "sha256":
{"sheet.html": hex, "student-01/sheet.html": hex, ...}}``."""
WRITTEN_BY = "backprop-lab exercise"

EXERCISE_FILES = ("sheet.html", "key.html", "key.json", "answers.json", "slides.html",
                  "network.tex", "sheet.pdf", "key.pdf", "slides.pdf")
CLASS_FILES = ("all-sheets.html", "all-sheets.pdf", "class-key.html", "class-key.pdf",
               "class-key.json")
STUDENT_FILES = ("sheet.html", "answers.json", "sheet.pdf")
STUDENT_FOLDER = re.compile(r"student-\d{2,}")
_SHOWN = 3  # files named in one error line; the rest are counted


def shown(path: Path | str, limit: int = 100) -> str:
    """A path as a one-line message shows it: control characters escaped, a long path by
    its end (where its file's name is).

    >>> print(shown("a/b" + chr(10) + "c"), shown("/x" * 80, 11))
    a/b\\nc …/x/x/x/x/x
    """
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in str(path))
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


class NotAFolder(NotADirectoryError):
    """The folder to write to, or one of its parents, is a file (or a link to nothing):
    ``path``; ``what`` says which.

    >>> str(NotAFolder(Path("notes.txt")))
    'notes.txt is a file, not a folder'
    """

    def __init__(self, path: Path, what: str = "a file") -> None:
        self.path, self.what = path, what
        super().__init__(f"{shown(path)} is {what}, not a folder")


class FolderInUse(FileExistsError):
    """The folder holds work a call would write over or remove: another exercise's key, a
    student's answers, or files the kit did not write. ``paths`` are the files (``path`` the
    first), ``why`` says what they are; nothing is written.

    >>> str(FolderInUse([Path("k/key.json")], "is the key of another exercise"))
    'k/key.json is the key of another exercise: nothing was written (force=True writes over it)'
    """

    def __init__(self, paths: Path | Sequence[Path], why: str) -> None:
        self.paths = [paths] if isinstance(paths, Path) else list(paths)
        self.path, self.why = self.paths[0], why
        super().__init__(f"{self.named()} {why}: nothing was written (force=True writes "
                         f"over {'them' if len(self.paths) > 1 else 'it'})")

    def named(self) -> str:
        """The files, the first few by name and the rest counted; several in one folder
        name it once.

        >>> FolderInUse([Path(f"out/f{k}") for k in range(5)], "x").named()
        'in out: f0, f1, f2 and 2 more'
        >>> FolderInUse([Path("out/f0"), Path("out/student-01/f1")], "x").named()
        'out/f0, out/student-01/f1'
        """
        parent = self.paths[0].parent
        alike = len(self.paths) > 1 and all(p.parent == parent for p in self.paths)
        names = [shown(p.name) if alike else shown(p) for p in self.paths]
        listed = ", ".join(names[:_SHOWN])
        rest = len(names) - _SHOWN
        return ((f"in {shown(parent)}: " if alike else "") + listed
                + (f" and {rest} more" if rest > 0 else ""))


class InTheWay(FolderInUse):
    """Where the kit writes a file there is a folder or a pipe, or where it makes a folder
    a file or a link: not even ``force`` writes over those; nothing is written.

    >>> str(InTheWay([Path("k/key.html")], "is in the kit's way"))
    "k/key.html is in the kit's way: nothing was written"
    """

    def __init__(self, paths: Sequence[Path], why: str) -> None:
        super().__init__(paths, why)
        self.args = (f"{self.named()} {why}: nothing was written",)


def check_place(folder: Path) -> None:
    """The folder, or the nearest of its parents that exists, must be a folder.

    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = file.write_text("")
    >>> check_place(file / "out")
    Traceback (most recent call last):
    ...
    autograd.teaching.folder.NotAFolder: .../notes.txt is a file, not a folder
    """
    for place in (folder, *folder.parents):
        if place.is_dir():
            return
        if place.exists():
            raise NotAFolder(place)
        if place.is_symlink():
            raise NotAFolder(place, "a link to nothing")


def _kind(path: Path) -> str:
    # "file", "folder", "link", "other" or "" (nothing there), never following a link.
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return ""
    if stat.S_ISLNK(mode):
        return "link"
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "other"


class Folder:
    """The kit's folder ``root``: which entries of the kit's names are there, which of them
    the manifest vouches for, and the manifest kept up to date as files are written.

    >>> import tempfile
    >>> kit = Folder(Path(tempfile.mkdtemp()) / "kit", force=False)
    >>> kit.check(["sheet.html"]); kit.write("sheet.html", "<p>sheet</p>").name
    'sheet.html'
    >>> sorted(json.loads((kit.root / MANIFEST).read_text())["sha256"])
    ['sheet.html']
    """

    def __init__(self, root: Path, *, force: bool) -> None:
        self.root, self.force = root, force
        self.recorded: dict[str, str] = {}  # the manifest: name in the folder -> sha256
        self.kept: list[str] = []  # with force: entries not vouched for, left as they are

    # ---- what is there ---------------------------------------------------------------------

    def entries(self) -> list[str]:
        """Every entry of a kit's name in the folder, as a name relative to it: the files
        of an exercise and of a class set, and in each ``student-NN`` folder its files; a
        ``student-NN`` that is a link or a file is an entry itself. Links are never
        followed."""
        if not self.root.is_dir():
            return []
        found = [n for n in (*EXERCISE_FILES, *CLASS_FILES) if _kind(self.root / n)]
        for place in sorted(self.root.iterdir()):
            if not STUDENT_FOLDER.fullmatch(place.name):
                continue
            if _kind(place) != "folder":
                found.append(place.name)
                continue
            found += [f"{place.name}/{n}" for n in STUDENT_FILES if _kind(place / n)]
        return found

    def readable(self, name: str) -> bool:
        """Whether ``name`` is a plain file in the folder (not a link), safe to read."""
        return _kind(self.root / name) == "file" and not self._through_link(name)

    def _through_link(self, name: str) -> bool:
        parent = (self.root / name).parent
        return parent != self.root and _kind(parent) != "folder"

    def vouched(self, name: str) -> bool:
        """Whether the manifest names ``name`` with the SHA-256 of its bytes now."""
        return (name in self.recorded and self.readable(name)
                and self.recorded[name] == sha256(self.root / name))

    def _read_manifest(self) -> None:
        path = self.root / MANIFEST
        kind = _kind(path)
        if not kind:
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if kind == "file" else None
        except (OSError, ValueError):  # ValueError: not JSON, not UTF-8
            data = None
        hashes = data.get("sha256") if isinstance(data, dict) else None
        if (not isinstance(data, dict) or data.get("written_by") != WRITTEN_BY
                or not isinstance(hashes, dict)
                or not all(isinstance(v, str) for v in hashes.values())):
            if not self.force:
                raise FolderInUse([path], f"is not the manifest {WRITTEN_BY} writes, so the "
                                  "files beside it cannot be vouched for")
            return
        self.recorded = {str(k): v for k, v in hashes.items()}

    def check(self, planned: Iterable[str]) -> None:
        """Before anything is written: read the manifest and refuse (`FolderInUse`, unless
        ``force``) when an entry of a kit's name is not vouched for by it. ``planned`` are
        the names this call may write; an entry of another kit name would be removed, and
        is refused as well, so that a folder never mixes the user's files with the kit's."""
        check_place(self.root)
        self._read_manifest()
        planned = set(planned)
        planned |= {name.partition("/")[0] for name in planned if "/" in name}
        entries = self.entries()
        self.recorded = {n: h for n, h in self.recorded.items() if n in entries}
        blocked = [n for n in [*entries, MANIFEST] if self._blocks(n, planned)]
        if blocked:  # not even force writes over a folder, a pipe, or a file in their place
            raise InTheWay([self.root / n for n in blocked],
                           f"{'is' if len(blocked) == 1 else 'are'} in the kit's way (a folder "
                           "or a pipe where it writes a file, or a file or a link where it "
                           "makes a folder): move it away")
        strangers = [n for n in entries if not self.vouched(n)]
        if self.force:  # what force writes over; the rest is kept, never removed
            self.kept = [n for n in strangers if n not in planned]
            return
        if strangers:
            edited = [n for n in strangers if n in self.recorded]
            one = len(strangers) == 1
            why = (f"{'is' if one else 'are'} not the kit's own (no {MANIFEST} vouches for "
                   f"{'it' if one else 'them'})")
            if edited:
                why = (f"{'was' if one else 'were'} changed since the kit wrote "
                       f"{'it' if one else 'them'}, or not written by it")
            raise FolderInUse([self.root / n for n in strangers], why)

    def _blocks(self, name: str, planned: set[str]) -> bool:
        # An entry no call may write over: a folder or a pipe (or a link to one) where the kit
        # writes a file; where it makes a student's folder, anything else than a folder.
        path = self.root / name
        kind = _kind(path)
        if STUDENT_FOLDER.fullmatch(name):
            return kind not in ("", "folder") and name in planned
        return kind in ("folder", "other") or (kind == "link" and path.exists()
                                              and not path.is_file())

    # ---- writing and removing --------------------------------------------------------------

    def _place(self, name: str) -> Path:
        # The path of ``name``, its student folder made a real folder first (a link there,
        # which only force lets through, is replaced by a folder, its target untouched).
        path = self.root / name
        self.root.mkdir(parents=True, exist_ok=True)
        parent = path.parent
        if parent != self.root:
            if _kind(parent) not in ("", "folder"):  # `check` refuses it: made since?
                raise FolderInUse([parent], "is not a folder: the kit writes no file into it")
            parent.mkdir(exist_ok=True)
        return path

    def write(self, name: str, text: str) -> Path:
        """Write ``text`` to ``name`` in the folder, whole, and record it in the manifest."""
        path = write_text(self._place(name), text)
        self.record(name)
        return path

    def path_for(self, name: str) -> Path:
        """Where ``name`` is to be written by another writer (then `record` it)."""
        return self._place(name)

    def record(self, *names: str) -> None:
        """Record ``names``, just written, in the manifest (written whole each time)."""
        for name in names:
            self.recorded[name] = sha256(self.root / name)
        self._save()

    def _save(self) -> None:
        data: dict[str, Any] = {"written_by": WRITTEN_BY, "sha256": dict(sorted(
            self.recorded.items()))}
        write_text(self.root / MANIFEST, json.dumps(data, indent=1) + "\n")

    def remove_stale(self, keep: set[str]) -> list[Path]:
        """Remove the files the manifest vouches for that are not in ``keep``, and the
        student folders that leaves empty; returns the files removed. A file not vouched
        for is never removed (only ``force`` gets this far with one: it is kept)."""
        removed = []
        for name in self.entries():
            if name in keep or not self.vouched(name):
                continue
            (self.root / name).unlink()
            del self.recorded[name]
            removed.append(self.root / name)
        self._save()
        emptied = {path.parent for path in removed if path.parent != self.root}
        for place in sorted(emptied):  # a student folder the kit emptied, and no other
            try:
                place.rmdir()
            except OSError:  # not empty: files the kit did not write
                pass
        return removed
