"""An exercise kit written to a folder: the sheet, its key, the key as data, slides, PDFs.

`write_exercise` writes one exercise (from `nn.exercises.exercise`) into a folder:

===============  ==========================================================================
``sheet.html``   the sheet to hand out: the network, the given numbers, blank tables
``key.html``     the key: every number, every local derivative and chain-rule line
``key.json``     ``{"net", "seed", ["student",] ["dead_relu",] "given", "answers"}``, the
                 answers unrounded; the same exercise always gives the same bytes
``answers.json`` the template a student fills in for ``backprop-lab grade``: ``{"net",
                 "seed", ["student",] ["dead_relu",] "answers"}``, each answer ``null``
``slides.html``  the key's backward pass as slides (`autograd.teaching.deck`)
``network.tex``  the network as TikZ (`autograd.teaching.tikz`), when dot2tex is installed
``*.pdf``        with ``pdf=True``: ``sheet.pdf``, ``key.pdf``, ``slides.pdf``, printed by
                 Chromium (`autograd.teaching.pdf`)
===============  ==========================================================================

`write_class` writes one sheet per student, each with numbers of its own
(``student-01/sheet.html``, ``answers.json``, ``sheet.pdf``), every student's sheet in one
document (``all-sheets.html``, ``all-sheets.pdf``) and the class key (``class-key.html``,
``class-key.pdf``, ``class-key.json``).

Every file is written whole or not at all: into a temporary file beside it, then renamed over
it (`autograd.files`). All PDFs of a call are printed in one `print_pdf` call, several at a time.
A file that cannot be made here (slides without `autograd.teaching.deck`, TikZ without
dot2tex, or when Graphviz or dot2tex fails) is skipped, and the returned list says why in its
``skipped``.

A folder is one kit, and the kit touches only what it wrote (`autograd.teaching.folder`): it
records each file it writes, with its SHA-256, in ``manifest.json``, and replaces or removes
a file only when that manifest vouches for it (named there, unchanged since). It never
follows a symbolic link out of the folder. Before anything is written, a folder holding
another exercise's key (``key.json`` or ``class-key.json`` of another net, seed, student or
dead ReLU, or of the other kind of kit), an ``answers.json`` with an answer filled in, or any
file of a kit's name the manifest does not vouch for (the user's own ``sheet.html``, a file
edited since) is refused with `FolderInUse`, naming the files, unless ``force=True``. Every
file of the kit's own names that the call does not write again (a PDF not printed this time,
``network.tex``, the folders of students no longer in the class) is removed when the
manifest vouches for it, and the returned list names it in its ``removed``; one it does not
vouch for is kept, even with ``force``. Files of other names are left alone.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from autograd.draw import DotError, DotMissingError
from autograd.files import file_mode, temporary, write_with
from autograd.teaching.folder import (
    Folder,
    FolderInUse,
    NotAFolder,
    check_place,
)
from autograd.teaching.pdf import INSTALL, PdfUnavailable, find_chromium, print_pdf
from autograd.teaching.sheet import pages_html, sheet_html, sheet_section
from autograd.teaching.worksheet import Worksheet, worksheet
from autograd.value import Value

__all__ = ["write_exercise", "write_class", "Written", "FolderInUse", "NotAFolder", "key_data",
           "grade_command", "titles", "Exercise"]


class Exercise(Protocol):
    """What the kit reads of an exercise (`nn.exercises.Exercise` is one): autograd leaves
    nn to the command line, which makes the exercises and hands them here."""

    @property
    def net(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def student(self) -> int | None: ...
    @property
    def dead_relu(self) -> bool: ...
    @property
    def given(self) -> dict[str, float]: ...
    @property
    def root(self) -> Value: ...
    @property
    def name(self) -> str: ...  # the net's own name, for titles: "SimpleNN"
    @property
    def description(self) -> str: ...  # what the net is, for subtitles


class Written(list[Path]):
    """The paths written, in order; ``skipped`` maps a file not written to the reason,
    ``removed`` lists the kit's files of an earlier run that this one did not write again,
    and ``kept`` the files of a kit's name it left alone, not having written them (only a
    forced call gets past those).

    >>> Written([Path("sheet.html")]).removed
    []
    """

    def __init__(self, paths: Iterable[Path] = ()) -> None:
        super().__init__(paths)
        self.skipped: dict[str, str] = {}
        self.removed: list[Path] = []
        self.kept: list[Path] = []


def titles(ex: Exercise) -> tuple[str, str]:
    """The sheet's title and subtitle for exercise ``ex`` (the key's title adds ": key"):
    the net by its own name, however it was spelled, and what nn says it is.

    >>> from nn.exercises import exercise
    >>> titles(exercise("student", 7))[0]
    'Backprop exercise — student network, seed 7'
    >>> title, subtitle = titles(exercise("Simple NN", 1))
    >>> title, subtitle.startswith("The 2-2-1 network SimpleNN")
    ('Backprop exercise — SimpleNN network, seed 1', True)
    """
    title = f"Backprop exercise — {ex.name} network, seed {ex.seed}"
    if ex.student is not None:
        title += f", student {ex.student}"
    return title, ex.description


def grade_command(ex: Exercise, answers: str = "answers.json") -> str:
    """The command that grades a student's answers to ``ex``.

    >>> from nn.exercises import exercise
    >>> grade_command(exercise("2-2-1:relu,sigmoid", 3, student=2, dead_relu=True))
    'backprop-lab grade --net 2-2-1:relu,sigmoid --seed 3 --student 2 --dead-relu answers.json'
    """
    words = ["backprop-lab", "grade", "--net", ex.net, "--seed", str(ex.seed)]
    if ex.student is not None:
        words += ["--student", str(ex.student)]
    if ex.dead_relu:
        words.append("--dead-relu")
    return shlex.join([*words, answers])


def key_data(ex: Exercise, sheet: Worksheet | None = None) -> dict[str, Any]:
    """What ``key.json`` holds: the net, the seed, the student (when one), ``dead_relu``
    (only when set), the given numbers and every answer, unrounded.

    >>> from nn.exercises import exercise
    >>> data = key_data(exercise("student", 7))
    >>> list(data), data["answers"]["dL/dw1"] == round(data["answers"]["dL/dw1"], 4)
    (['net', 'seed', 'given', 'answers'], False)
    """
    sheet = sheet or worksheet(ex.root)
    data: dict[str, Any] = {"net": ex.net, "seed": ex.seed}
    if ex.student is not None:
        data["student"] = ex.student
    if ex.dead_relu:
        data["dead_relu"] = True
    data["given"] = dict(ex.given)
    data["answers"] = sheet.answers()
    return data


def _answers_template(ex: Exercise, sheet: Worksheet | None = None) -> dict[str, Any]:
    """What ``answers.json`` holds for a student to fill in: the sheet it is for, as
    ``key.json`` says it (so that ``backprop-lab grade answers.json`` needs no more), and
    every answer name with None.

    >>> from nn.exercises import exercise
    >>> template = _answers_template(exercise("student", 7, student=2))
    >>> list(template), list(template["answers"].items())[:2]
    (['net', 'seed', 'student', 'answers'], [('z1', None), ('h1', None)])
    """
    sheet = sheet or worksheet(ex.root)
    data = {k: v for k, v in key_data(ex, sheet).items() if k not in ("given", "answers")}
    data["answers"] = dict.fromkeys(sheet.answers())
    return data


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _footer(ex: Exercise, answers: str = "answers.json") -> str:
    return (f"Type your answers into {answers} (3 significant digits; leave null what you "
            f"have not done) and check them: {grade_command(ex, answers)}")


def _key_title(title: str) -> str:
    return f"{title}: key"


def _key_subtitle(ex: Exercise, subtitle: str) -> str:
    if not ex.dead_relu:
        return subtitle
    return (subtitle + " One hidden ReLU neuron is dead (z < 0): its weights and bias, and "
            "the weights reading its output, get a gradient of 0.")


# ---- writing, whole or not at all ---------------------------------------------------------


def _print_all(folder: Folder, html_paths: list[Path], chromium: str | None) -> list[Path]:
    """Print every page to its PDF beside it, in one `print_pdf` call; each PDF replaces its
    old one only once every page has printed, and is recorded in the manifest."""
    names = [_name(folder, p.with_suffix(".pdf")) for p in html_paths]
    targets = [folder.path_for(name) for name in names]
    temporaries = [temporary(t) for t in targets]
    try:
        print_pdf(html_paths, temporaries, chromium=chromium, shown_as=targets)
        mode = file_mode()
        for partial, target in zip(temporaries, targets):
            os.chmod(partial, mode)
            os.replace(partial, target)
    finally:
        for partial in temporaries:
            partial.unlink(missing_ok=True)
    folder.record(*names)
    return targets


def _name(folder: Folder, path: Path) -> str:
    # A path in the folder as the manifest names it: "student-01/sheet.html".
    return path.relative_to(folder.root).as_posix()


def _chromium(pdf: bool) -> str | None:
    # Checked before anything is written: no PDF wanted, or the program to print with.
    if not pdf:
        return None
    program = find_chromium()
    if program is None:
        raise PdfUnavailable(f"no Chromium to print PDFs with: {INSTALL} (or write HTML "
                             "and JSON only: pdf=False, --no-pdf)")
    return program


def _optional(module: str) -> Any:
    # A teaching module written separately (deck, tikz): None where it is not there.
    try:
        return importlib.import_module(f"autograd.teaching.{module}")
    except ModuleNotFoundError as error:
        if error.name != f"autograd.teaching.{module}":
            raise
        return None


def _slides(root: Value, title: str, folder: Folder, written: Written) -> Path | None:
    deck_module = _optional("deck")
    if deck_module is None:
        written.skipped["slides.html"] = "no slide maker (autograd.teaching.deck) in this install"
        return None
    try:
        slides = deck_module.deck(root, title=title)
    except (DotMissingError, DotError) as error:  # the slides are drawn by Graphviz's dot:
        written.skipped["slides.html"] = str(error)  # missing, failing or too slow there
        return None
    path = write_with(folder.path_for("slides.html"), slides.save)
    folder.record("slides.html")
    written.append(path)
    return path


def _tikz(root: Value, folder: Folder, written: Written) -> None:
    name = "network.tex"
    tikz_module = _optional("tikz")
    if tikz_module is None:
        written.skipped[name] = "no TikZ writer (autograd.teaching.tikz) in this install"
    elif importlib.util.find_spec("dot2tex") is None:
        written.skipped[name] = "TikZ needs dot2tex: pip install dot2tex"
    else:
        try:
            source = tikz_module.tikz(root)
        except (ValueError, RuntimeError, SystemExit) as error:  # an extra: the sheets go
            # on without it (RuntimeError: Graphviz or dot2tex failed, as DotMissingError;
            # SystemExit: how dot2tex gives up)
            why = (f"dot2tex gave up (exit status {error.code})" if isinstance(error, SystemExit)
                   else " ".join(str(error).split()) or type(error).__name__)
            written.skipped[name] = f"TikZ could not be made: {why}"
            return
        written.append(folder.write(name, source))


# ---- the folder: one kit -------------------------------------------------------------------

_KINDS = {"key.json": "one exercise", "class-key.json": "a class set"}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # ValueError: not JSON, not UTF-8
        raise FolderInUse(path, f"cannot be read ({' '.join(str(error).split())}), so it "
                          "may hold work") from None


def _filled(path: Path) -> int:
    # How many answers a student has filled in to answers.json (FolderInUse: cannot tell).
    data = _read_json(path)
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        raise FolderInUse(path, 'is not an answers template (no "answers" object), so it '
                          "may hold work")
    return sum(value is not None for value in answers.values())


def _describe(data: Mapping[str, Any]) -> str:
    """An exercise as key.json says it, in words.

    >>> _describe({"net": "student", "seed": 7, "student": 2, "dead_relu": True})
    'net student, seed 7, student 2, dead ReLU'
    """
    words = [f"net {str(data.get('net')):.40}", f"seed {str(data.get('seed')):.20}"]
    if data.get("student") is not None:
        words.append(f"student {str(data['student']):.20}")
    if data.get("dead_relu"):
        words.append("dead ReLU")
    return ", ".join(words)


def _first_given(data: Mapping[str, Any]) -> Any:
    # The given numbers a key holds: key.json's own, class-key.json's of student 1.
    if "students" not in data:
        return data.get("given")
    students = data["students"]
    first = students.get("1") if isinstance(students, dict) else None
    return first.get("given") if isinstance(first, dict) else None


def _same(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether two keys are of the same exercise: the same seed, student and dead ReLU, and
    the same net (spelled alike, or giving the same numbers: "Student" is "student").

    >>> new = {"net": "student", "seed": 7, "given": {"x1": 2.0}}
    >>> _same({**new, "net": "Student"}, new), _same({**new, "seed": 8}, new)
    (True, False)
    """
    for field, absent in (("seed", None), ("student", None), ("dead_relu", False)):
        if old.get(field, absent) != new.get(field, absent):
            return False
    given = _first_given(old)
    return old.get("net") == new.get("net") or (given is not None and given == _first_given(new))


def _prepare(folder: Folder, key_name: str, key: Mapping[str, Any],
             planned: Iterable[str]) -> bool:
    """Check, before anything is written, that writing the kit whose key (``key.json`` or
    ``class-key.json``: ``key_name``) is ``key`` into ``folder`` loses no work: no key of
    another exercise or kind, no answers.json filled in, no file of a kit's name that the
    manifest does not vouch for (`Folder.check`; ``planned``: the names this call may
    write); else raise `FolderInUse`, unless the folder is forced. Returns whether the folder
    holds this very exercise's key already (its PDFs are then this exercise's too)."""
    check_place(folder.root)
    problems: list[FolderInUse] = []
    same = False
    for name, kind in _KINDS.items():
        path = folder.root / name
        if not folder.readable(name):
            continue
        if name != key_name:
            problems.append(FolderInUse(path, f"is the key of {kind}, not of {_KINDS[key_name]}"))
            continue
        try:
            old = _read_json(path)
        except FolderInUse as error:
            problems.append(error)
            continue
        same = isinstance(old, dict) and _same(old, key)
        if not same:
            said = _describe(old) if isinstance(old, dict) else "not a key"
            problems.append(FolderInUse(path, f"is the key of another exercise ({said}; this "
                                        f"is {_describe(key)})"))
    for name in folder.entries():
        if name.rpartition("/")[2] != "answers.json" or not folder.readable(name):
            continue
        try:
            filled = _filled(folder.root / name)
        except FolderInUse as error:
            problems.append(error)
            continue
        if filled:
            problems.append(FolderInUse(folder.root / name,
                                        f"holds a student's answers ({filled} filled in)"))
    if problems and not folder.force:
        raise problems[0]
    folder.check(planned)
    return same


def write_exercise(ex: Exercise, out: str | Path, *, pdf: bool = True,
                   force: bool = False) -> Written:
    """Write exercise ``ex`` (from `nn.exercises.exercise`) into the folder ``out``, created
    with its parents: ``sheet.html``, ``key.html``, ``key.json``, ``answers.json``,
    ``slides.html``, ``network.tex`` (only with dot2tex), and with ``pdf`` ``sheet.pdf``,
    ``key.pdf`` and ``slides.pdf``; the kit's other files there are removed. Returns the
    paths written (a `Written`: a list whose ``skipped`` says which files were not made and
    why, and whose ``removed`` lists the files removed).

    Raises, before writing anything: `PdfUnavailable` when ``pdf`` is asked for and there is
    no Chromium; `NotAFolder` when ``out`` (or a parent) is a file; `FolderInUse` when
    the folder holds another exercise's key or a student's answers, unless ``force``. Raises
    `autograd.teaching.pdf.PdfFailed` when Chromium fails to print (the HTML and JSON files
    are then written).

    >>> import tempfile
    >>> from nn.exercises import exercise
    >>> folder = Path(tempfile.mkdtemp()) / "new" / "folder"
    >>> written = write_exercise(exercise("student", 7), folder, pdf=False)
    >>> [p.name for p in written][:4]
    ['sheet.html', 'key.html', 'key.json', 'answers.json']
    >>> template = json.loads((folder / "answers.json").read_text())
    >>> template["net"], template["seed"], list(template["answers"].items())[:2]
    ('student', 7, [('z1', None), ('h1', None)])
    >>> try:  # another exercise: refused, unless force=True
    ...     write_exercise(exercise("student", 8), folder, pdf=False)
    ... except FolderInUse as error:
    ...     print(error.path.name, error.why)
    key.json is the key of another exercise (net student, seed 7; this is net student, seed 8)
    """
    chromium = _chromium(pdf)
    folder = Folder(Path(out), force=force)
    check_place(folder.root)
    sheet = worksheet(ex.root)
    title, subtitle = titles(ex)
    key = _key_title(title)
    data = key_data(ex, sheet)
    texts = {  # all made before any is written
        "sheet.html": sheet_html(sheet, title=title, filled=False, subtitle=subtitle,
                                 footer=_footer(ex)),
        "key.html": sheet_html(sheet, title=key, filled=True,
                               subtitle=_key_subtitle(ex, subtitle)),
        "key.json": _json(data),
        "answers.json": _json(_answers_template(ex, sheet)),
    }
    planned = [*texts, "slides.html", "network.tex"]
    if chromium is not None:
        planned += ["sheet.pdf", "key.pdf", "slides.pdf"]
    same = _prepare(folder, "key.json", data, planned)
    written = Written(folder.write(name, text) for name, text in texts.items())
    pages = [folder.root / "sheet.html", folder.root / "key.html"]
    deck_title = title.replace("Backprop exercise —", "Backprop,", 1) + ": the backward pass"
    slides = _slides(ex.root, deck_title, folder, written)
    if slides is not None:
        pages.append(slides)
    _tikz(ex.root, folder, written)
    _finish(folder, pages, written, chromium, same)
    return written


def _finish(folder: Folder, pages: list[Path], written: Written, chromium: str | None,
            same: bool) -> None:
    # The kit's files not written are removed (PDFs about to be printed again are kept while
    # they print, when they are this exercise's), then the PDFs are printed.
    keep = {_name(folder, path) for path in written}
    if chromium is not None and same:
        keep |= {_name(folder, page.with_suffix(".pdf")) for page in pages}
    written.removed.extend(folder.remove_stale(keep))
    written.kept.extend(folder.root / name for name in folder.kept)
    if chromium is not None:
        written.extend(_print_all(folder, pages, chromium))


def write_class(net: str, seed: int, students: int, out: str | Path, *,
                dead_relu: bool = False, pdf: bool = True, force: bool = False,
                make: Callable[..., Exercise]) -> Written:
    """Write a class set into the folder ``out``: for each student k (1 to ``students``)
    their own numbers (``exercise(net, seed, student=k)``) in ``student-01/`` …:
    ``sheet.html``, ``answers.json`` and, with ``pdf``, ``sheet.pdf``; every sheet in one
    printable document, ``all-sheets.html`` (and ``.pdf``); the class key, one section per
    student, ``class-key.html`` (and ``.pdf``); and ``class-key.json``: ``{"net", "seed",
    ["dead_relu",] "students": {"1": {"given", "answers"}, ...}}``. The kit's other files
    there are removed (the folders of students past ``students`` among them). Returns the
    paths written. Raises as `write_exercise` does. ``make`` makes each student's exercise,
    called as ``make(net, seed, student=k, dead_relu=dead_relu)``: `nn.exercises.exercise`,
    passed in because autograd leaves nn to the command line.

    >>> import tempfile
    >>> from nn.exercises import exercise
    >>> folder = Path(tempfile.mkdtemp())
    >>> written = write_class("student", 7, 2, folder, pdf=False, make=exercise)
    >>> [p.relative_to(folder).as_posix() for p in written]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['student-01/sheet.html', 'student-01/answers.json', 'student-02/sheet.html',
     'student-02/answers.json', 'all-sheets.html', 'class-key.html', 'class-key.json']
    >>> [p.relative_to(folder).as_posix()
    ...  for p in write_class("student", 7, 1, folder, pdf=False, make=exercise).removed]
    ['student-02/sheet.html', 'student-02/answers.json']
    """
    if isinstance(students, bool) or not isinstance(students, int) or students < 1:
        raise ValueError(f"students must be a whole number >= 1, got {students!r}")
    chromium = _chromium(pdf)
    folder = Folder(Path(out), force=force)
    check_place(folder.root)
    digits = max(2, len(str(students)))
    texts: dict[str, str] = {}  # every file's text by its path in the folder, made first
    sheets: list[str] = []
    keys: list[str] = []
    everyone: dict[str, Any] = {}
    name = ""
    for k in tqdm(range(1, students + 1), desc="sheets", unit="student", leave=False,
                  disable=students < 10 or not sys.stderr.isatty()):
        ex = make(net, seed, student=k, dead_relu=dead_relu)
        sheet = worksheet(ex.root)
        title, subtitle = titles(ex)
        name = name or title.rpartition(", student")[0]
        section = sheet_section(sheet, title=title, filled=False, subtitle=subtitle,
                                footer=_footer(ex))
        sheets.append(section)
        keys.append(sheet_section(sheet, title=_key_title(title), filled=True,
                                  subtitle=_key_subtitle(ex, subtitle)))
        place = f"student-{k:0{digits}d}"
        texts[f"{place}/sheet.html"] = pages_html([section], title=title)
        texts[f"{place}/answers.json"] = _json(_answers_template(ex, sheet))
        data = key_data(ex, sheet)
        everyone[str(k)] = {"given": data["given"], "answers": data["answers"]}
    texts["all-sheets.html"] = pages_html(sheets, title=f"{name}: every student's sheet")
    texts["class-key.html"] = pages_html(keys, title=f"{name}: class key")
    head: dict[str, Any] = {"net": net, "seed": seed}
    if dead_relu:
        head["dead_relu"] = True
    class_key = {**head, "students": everyone}
    texts["class-key.json"] = _json(class_key)
    planned = list(texts)
    if chromium is not None:
        planned += [name.replace(".html", ".pdf") for name in texts if name.endswith(".html")]
    same = _prepare(folder, "class-key.json", class_key, planned)
    written = Written(folder.write(name, text) for name, text in texts.items())
    _finish(folder, [p for p in written if p.suffix == ".html"], written, chromium, same)
    return written
