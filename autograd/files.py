"""Writing a file whole or not at all: into a temporary file beside it, then renamed over it.

An interrupted write leaves the old file or the new one, never half of one. Every file the
project writes (drawings, player pages, slides, the exercise kit, a model's state) goes
through `write_with`, and a path that cannot be a file gets one line naming it.

>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "note.txt"
>>> write_text(path, "hello\\n").read_text()
'hello\\n'
>>> sha256(path)[:12]
'5891b5b522d5'
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["write_with", "write_text", "write_bytes", "temporary", "sha256", "file_mode",
           "check_file_path", "CannotWrite"]


def check_file_path(path: str | Path) -> Path:
    """``path`` as a `Path`, once it is sure a file can be written there: not a folder, and
    in a folder that exists; else an `OSError` of one line naming the path.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_file_path(folder)
    Traceback (most recent call last):
    ...
    IsADirectoryError: ... is a folder: give a file name in it, e.g. .../model.json
    """
    path = Path(path)
    if path.is_dir():
        example = path / ("model.json" if path.suffix == "" else "file")
        raise IsADirectoryError(f"{path} is a folder: give a file name in it, e.g. {example}")
    if path.exists() and not path.is_file():  # a pipe or a device is never written over
        raise FileExistsError(f"cannot write {path}: it is a pipe or a device, not a file")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    return path


def temporary(path: Path) -> Path:
    """An unused name beside ``path``, keeping its suffix (programs that print or read the
    file look at it): ``.sheet.k3j2.part.html`` for ``sheet.html``.

    >>> import tempfile
    >>> name = temporary(Path(tempfile.mkdtemp()) / "sheet.html")
    >>> name.name.startswith(".sheet."), name.suffix, name.exists()
    (True, '.html', True)
    >>> name.unlink()
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}",
                                    dir=path.parent)
    os.close(handle)
    return Path(name)


def file_mode() -> int:
    """The permissions a new file gets here (a temporary file is private: 0600).

    >>> 0 <= file_mode() <= 0o666
    True
    """
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_with(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary)`` to fill a temporary file beside ``path``, then rename it to
    ``path`` (replacing a symbolic link there, never writing through it); on any failure the
    temporary file is removed and ``path`` is as it was.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_with(path, lambda t: t.write_text("whole")).read_text()
    'whole'
    """
    path = check_file_path(path)
    try:
        partial = temporary(path)
    except OSError as error:  # said of the file asked for, not of a temporary name
        raise CannotWrite(path, error) from None
    try:
        write(partial)
        os.chmod(partial, file_mode())
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CannotWrite(path, error) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


class CannotWrite(OSError):
    """A file could not be written: one line naming it and why (the disk is full, the
    folder is read-only, ...).

    >>> str(CannotWrite(Path("a.svg"), PermissionError(13, "Permission denied")))
    'cannot write a.svg: permission denied'
    """

    def __init__(self, path: Path, error: OSError) -> None:
        why = (error.strerror or str(error) or type(error).__name__)
        super().__init__(f"cannot write {path}: {why[:1].lower()}{why[1:]}")
        self.path = path


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` as UTF-8 with ``\\n`` line ends, whole or not at all.

    >>> import tempfile
    >>> write_text(Path(tempfile.mkdtemp()) / "b.txt", "é").read_bytes()
    b'\\xc3\\xa9'
    """
    return write_with(path, lambda t: t.write_text(text, encoding="utf-8", newline="\n"))


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data``, whole or not at all.

    >>> import tempfile
    >>> write_bytes(Path(tempfile.mkdtemp()) / "c.bin", b"\\x00").read_bytes()
    b'\\x00'
    """
    return write_with(path, lambda t: t.write_bytes(data))


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex (the file is read, never a link followed by
    the caller's choice: check `Path.is_symlink` first).

    >>> import tempfile
    >>> sha256(write_bytes(Path(tempfile.mkdtemp()) / "d.bin", b""))[:16]
    'e3b0c44298fc1c14'
    """
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
