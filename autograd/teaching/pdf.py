"""HTML pages printed to PDF by the Chromium already on the machine; nothing is downloaded.

`print_pdf` runs headless Chromium (Debian's ``chromium`` package, or the program named by
the environment variable ``BACKPROP_LAB_CHROMIUM``) once per page, a few at a time. The
page's own ``@page`` rule sets the paper (the slides of `autograd.teaching.deck` ask for
1280 × 720 px, one slide a page). Chromium prints after the page's scripts have run and its
fonts have loaded: ``--virtual-time-budget`` lets the page settle (KaTeX typesetting, fonts
inlined as data: URIs) before the print, ``--run-all-compositor-stages-before-draw`` makes
sure what is printed is what was laid out. Each run gets a throw-away profile, so that runs
in parallel, or beside the user's own browser, leave each other alone. Printing more pages
than run at once shows a progress bar when standard error is a terminal.

>>> pdf_path_for(Path("slides/deck.html"))
PosixPath('slides/deck.pdf')
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from autograd.files import file_mode, temporary

__all__ = ["print_pdf", "find_chromium", "pdf_path_for", "PdfUnavailable", "PdfFailed",
           "INSTALL", "ENVIRONMENT", "WORKERS"]

INSTALL = "install Debian's chromium: sudo apt-get install chromium"
ENVIRONMENT = "BACKPROP_LAB_CHROMIUM"
"""The environment variable naming the Chromium program to use, ahead of any other."""
WORKERS = 4
"""How many pages are printed at once."""
TIMEOUT = 120.0
"""Seconds one page may take before its Chromium is stopped."""

_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
          "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
          "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--mute-audio")
_NAMES = ("chromium", "chromium-browser")
_DEBIAN = "/usr/bin/chromium"


class PdfUnavailable(OSError, RuntimeError):
    """No Chromium is installed to print with, or it cannot be run. An OSError (the machine
    lacks something, as a missing file), and a RuntimeError as before.

    >>> isinstance(PdfUnavailable("no chromium"), OSError), str(PdfUnavailable("no chromium"))
    (True, 'no chromium')
    """


class PdfFailed(OSError, RuntimeError):
    """Chromium ran but did not print a page: the message names the file and says why. An
    OSError (a file that could not be written), and a RuntimeError as before.

    >>> isinstance(PdfFailed("sheet.html: ..."), OSError)
    True
    """


def find_chromium() -> str | None:
    """The Chromium program to print with: ``$BACKPROP_LAB_CHROMIUM`` when set, else
    ``chromium`` (or ``chromium-browser``) on the PATH, else ``/usr/bin/chromium``; None
    when there is none.

    >>> found = find_chromium()
    >>> found is None or os.path.basename(found).startswith("chromium") or bool(
    ...     os.environ.get(ENVIRONMENT))
    True
    """
    named = os.environ.get(ENVIRONMENT)
    if named:
        return shutil.which(named) or (named if os.access(named, os.X_OK) else None)
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return _DEBIAN if os.access(_DEBIAN, os.X_OK) else None


def pdf_path_for(html_path: Path) -> Path:
    """Where `print_pdf` writes a page's PDF unless told: beside it, ending in ``.pdf``.

    >>> pdf_path_for(Path("sheet.html")).name
    'sheet.pdf'
    """
    return Path(html_path).with_suffix(".pdf")


def print_pdf(
    html_paths: Sequence[Path],
    pdf_paths: Sequence[Path] | None = None,
    *,
    chromium: str | None = None,
    shown_as: Sequence[Path] | None = None,
) -> list[Path]:
    """Print each HTML file to PDF with headless Chromium; returns the PDFs written, in order.

    ``pdf_paths`` gives each file's PDF (by default beside it: ``deck.html`` →
    ``deck.pdf``); ``chromium`` the program (by default `find_chromium`); ``shown_as`` the
    name an error gives each PDF (by default its path: a caller printing into temporary
    files names the files they become). Pages print `WORKERS` at a time. Raises
    `PdfUnavailable` saying how to install Chromium when there is none or it cannot be run,
    and `PdfFailed` naming the file when Chromium fails on it, takes longer than `TIMEOUT`,
    or writes nothing (both are OSErrors and RuntimeErrors).

    >>> print_pdf([])
    []
    """
    sources = [Path(p) for p in html_paths]
    targets = [Path(p) for p in pdf_paths] if pdf_paths is not None else [
        pdf_path_for(p) for p in sources]
    names = [Path(p) for p in shown_as] if shown_as is not None else targets
    if len(targets) != len(sources) or len(names) != len(sources):
        raise ValueError(f"{len(sources)} HTML files but {len(targets)} PDF paths "
                         f"and {len(names)} names")
    if not sources:
        return []
    for source in sources:
        if not source.is_file():
            raise FileNotFoundError(f"{source}: no such HTML file to print")
    program = chromium or find_chromium()
    if program is None:
        raise PdfUnavailable(f"no Chromium to print PDF with: {INSTALL} "
                             f"(or name one in ${ENVIRONMENT})")
    if shutil.which(program) is None:
        raise PdfUnavailable(f"{program}: no such program to print PDF with: {INSTALL}")
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(sources))) as pool:
        jobs = pool.map(lambda job: _print_one(program, *job), zip(sources, targets, names))
        # a class set's PDFs take minutes: progress on a terminal, silence in a pipe
        return list(tqdm(jobs, total=len(sources), desc="printing PDFs", unit="page",
                         leave=False, disable=len(sources) <= WORKERS
                         or not sys.stderr.isatty()))


def _print_one(program: str, source: Path, target: Path, name: Path) -> Path:
    # One Chromium, with its own profile, prints one page into a new file beside the target,
    # renamed over it once printed: a failed print leaves the old PDF, and a stale PDF cannot
    # pass for a new one.
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = temporary(target)
    partial.unlink()  # Chromium makes it: an empty file left there is a failed print
    try:
        with tempfile.TemporaryDirectory(prefix="backprop-lab-chromium-") as profile:
            command = [program, *_FLAGS, f"--user-data-dir={profile}",
                       f"--print-to-pdf={partial.resolve()}", source.resolve().as_uri()]
            try:
                run = subprocess.run(command, capture_output=True, text=True,
                                     errors="replace", timeout=TIMEOUT,
                                     stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise PdfFailed(f"{source}: Chromium took more than {TIMEOUT:g} s to print "
                                "it to PDF and was stopped") from None
            except OSError as error:
                raise PdfUnavailable(f"{program} could not be run ({error}): "
                                     f"{INSTALL}") from None
        if run.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            said = [line for line in run.stderr.splitlines() if line.strip()][-3:]
            why = f"exit status {run.returncode}" + (": " + " | ".join(said) if said else "")
            raise PdfFailed(f"{source}: Chromium did not print it to {name} ({why})")
        os.chmod(partial, file_mode())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
