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
it (`os.replace`). All PDFs of a call are printed in one `print_pdf` call, several at a time.
A file that cannot be made here (slides without `autograd.teaching.deck`, TikZ without
dot2tex) is skipped, and the returned list says why in its ``skipped``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shlex
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from autograd.draw import DotMissingError
from autograd.teaching.pdf import INSTALL, PdfUnavailable, find_chromium, print_pdf
from autograd.teaching.sheet import pages_html, sheet_html, sheet_section
from autograd.teaching.worksheet import Worksheet, worksheet
from autograd.value import Value

__all__ = ["write_exercise", "write_class", "Written", "key_data", "grade_command", "titles",
           "Exercise"]


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


class Written(list[Path]):
    """The paths written, in order; ``skipped`` maps a file not written to the reason."""

    def __init__(self, paths: Iterable[Path] = ()) -> None:
        super().__init__(paths)
        self.skipped: dict[str, str] = {}


_NETS = {
    "student": ("student network",
                "The student pass/fail network of the first article, *What is Neural "
                "Network?*: x1 hours studied, x2 hours slept, target y (1: passed); ReLU "
                "hidden neurons h1, h2, a sigmoid output ŷ, and the loss L = binary "
                "cross-entropy."),
    "simplenn": ("SimpleNN network",
                 "The 2-2-1 network SimpleNN of the third article (a simple neural network "
                 "example in Python): a ReLU hidden layer, a sigmoid output ŷ, binary "
                 "cross-entropy; W1[i,j] joins input j to hidden neuron i."),
    "squared-error": ("squared-error network",
                      "The sigmoid network of the second article, *Introduction to Neural "
                      "Network Basics*: targets t_k1, t_k2, the error E = ½Σ(t − o)², θ a "
                      "neuron's bias (threshold)."),
    "five-input": ("five-input network",
                   "The network of the fourth article, *Understanding Neural Networks* (Tony "
                   "Yiu): five inputs, two sigmoid hidden layers, a sigmoid output, mean "
                   "squared error; Wa,b joins input (or neuron) a to neuron b."),
}


def titles(ex: Exercise) -> tuple[str, str]:
    """The sheet's title and subtitle for exercise ``ex`` (the key's title adds ": key").

    >>> from nn.exercises import exercise
    >>> titles(exercise("student", 7))[0]
    'Backprop exercise — student network, seed 7'
    """
    name, subtitle = _NETS.get(ex.net.strip().lower(), (
        f"{ex.net} network",
        f"A multilayer perceptron {ex.net}: the layer sizes (inputs first), then the hidden "
        "and output activations, then the loss (bce: binary cross-entropy; mse: mean squared "
        "error)."))
    title = f"Backprop exercise — {name}, seed {ex.seed}"
    if ex.student is not None:
        title += f", student {ex.student}"
    return title, subtitle


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


def _temporary(path: Path) -> Path:
    # An unused name beside ``path``, with its suffix (Chromium and the deck look at it).
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}",
                                    dir=path.parent)
    os.close(handle)
    return Path(name)


def _mode() -> int:
    # What a new file's permissions would be (a temporary file is private: 0600).
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _write_with(path: Path, write: Callable[[Path], object]) -> Path:
    """``write(temporary)`` then rename the temporary file to ``path``; on failure, nothing."""
    temporary = _temporary(path)
    try:
        write(temporary)
        os.chmod(temporary, _mode())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _write_text(path: Path, text: str) -> Path:
    return _write_with(path, lambda t: t.write_text(text, encoding="utf-8", newline="\n"))


def _print_all(html_paths: list[Path], chromium: str | None) -> list[Path]:
    """Print every page to its PDF beside it, in one `print_pdf` call; each PDF replaces its
    old one only once every page has printed."""
    targets = [p.with_suffix(".pdf") for p in html_paths]
    temporaries = [_temporary(t) for t in targets]
    try:
        print_pdf(html_paths, temporaries, chromium=chromium)
        mode = _mode()
        for temporary, target in zip(temporaries, targets):
            os.chmod(temporary, mode)
            os.replace(temporary, target)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    return targets


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


def _slides(root: Value, title: str, path: Path, written: Written) -> Path | None:
    deck_module = _optional("deck")
    if deck_module is None:
        written.skipped[path.name] = "no slide maker (autograd.teaching.deck) in this install"
        return None
    try:
        slides = deck_module.deck(root, title=title)
    except DotMissingError as error:  # the slides are drawn by Graphviz's dot
        written.skipped[path.name] = str(error)
        return None
    _write_with(path, slides.save)
    written.append(path)
    return path


def _tikz(root: Value, path: Path, written: Written) -> None:
    tikz_module = _optional("tikz")
    if tikz_module is None:
        written.skipped[path.name] = "no TikZ writer (autograd.teaching.tikz) in this install"
    elif importlib.util.find_spec("dot2tex") is None:
        written.skipped[path.name] = "TikZ needs dot2tex: pip install dot2tex"
    else:
        try:
            source = tikz_module.tikz(root)
        except (ValueError, DotMissingError) as error:  # an extra: the sheets go on without
            written.skipped[path.name] = f"TikZ could not be made: {error}"
            return
        written.append(_write_text(path, source))


def write_exercise(ex: Exercise, out: str | Path, *, pdf: bool = True) -> Written:
    """Write exercise ``ex`` (from `nn.exercises.exercise`) into the folder ``out``, created
    with its parents: ``sheet.html``, ``key.html``, ``key.json``, ``answers.json``,
    ``slides.html``, ``network.tex`` (only with dot2tex), and with ``pdf`` ``sheet.pdf``,
    ``key.pdf`` and ``slides.pdf``. Returns the paths written (a `Written`: a list whose
    ``skipped`` says which files were not made and why).

    Raises `PdfUnavailable` (before writing anything) when ``pdf`` is asked for and there
    is no Chromium, and `autograd.teaching.pdf.PdfFailed` when it fails to print (the HTML
    and JSON files are then written).

    >>> import tempfile
    >>> from nn.exercises import exercise
    >>> folder = Path(tempfile.mkdtemp()) / "new" / "folder"
    >>> written = write_exercise(exercise("student", 7), folder, pdf=False)
    >>> [p.name for p in written][:4]
    ['sheet.html', 'key.html', 'key.json', 'answers.json']
    >>> template = json.loads((folder / "answers.json").read_text())
    >>> template["net"], template["seed"], list(template["answers"].items())[:2]
    ('student', 7, [('z1', None), ('h1', None)])
    """
    chromium = _chromium(pdf)
    sheet = worksheet(ex.root)
    title, subtitle = titles(ex)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    key = _key_title(title)
    texts = {  # all made before any is written
        "sheet.html": sheet_html(sheet, title=title, filled=False, subtitle=subtitle,
                                 footer=_footer(ex)),
        "key.html": sheet_html(sheet, title=key, filled=True,
                               subtitle=_key_subtitle(ex, subtitle)),
        "key.json": _json(key_data(ex, sheet)),
        "answers.json": _json(_answers_template(ex, sheet)),
    }
    written = Written(_write_text(folder / name, text) for name, text in texts.items())
    pages = [folder / "sheet.html", folder / "key.html"]
    deck_title = title.replace("Backprop exercise —", "Backprop,", 1) + ": the backward pass"
    slides = _slides(ex.root, deck_title, folder / "slides.html", written)
    if slides is not None:
        pages.append(slides)
    _tikz(ex.root, folder / "network.tex", written)
    if chromium is not None:
        written.extend(_print_all(pages, chromium))
    return written


def write_class(net: str, seed: int, students: int, out: str | Path, *,
                dead_relu: bool = False, pdf: bool = True,
                make: Callable[..., Exercise]) -> Written:
    """Write a class set into the folder ``out``: for each student k (1 to ``students``)
    their own numbers (``exercise(net, seed, student=k)``) in ``student-01/`` …:
    ``sheet.html``, ``answers.json`` and, with ``pdf``, ``sheet.pdf``; every sheet in one
    printable document, ``all-sheets.html`` (and ``.pdf``); the class key, one section per
    student, ``class-key.html`` (and ``.pdf``); and ``class-key.json``: ``{"net", "seed",
    ["dead_relu",] "students": {"1": {"given", "answers"}, ...}}``. Returns the paths
    written. Raises as `write_exercise` does. ``make`` makes each student's exercise, called
    as ``make(net, seed, student=k, dead_relu=dead_relu)``: `nn.exercises.exercise`, passed
    in because autograd leaves nn to the command line.

    >>> import tempfile
    >>> from nn.exercises import exercise
    >>> folder = Path(tempfile.mkdtemp())
    >>> written = write_class("student", 7, 2, folder, pdf=False, make=exercise)
    >>> [p.relative_to(folder).as_posix() for p in written]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['student-01/sheet.html', 'student-01/answers.json', 'student-02/sheet.html',
     'student-02/answers.json', 'all-sheets.html', 'class-key.html', 'class-key.json']
    """
    if isinstance(students, bool) or not isinstance(students, int) or students < 1:
        raise ValueError(f"students must be a whole number >= 1, got {students!r}")
    chromium = _chromium(pdf)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    digits = max(2, len(str(students)))
    texts: dict[str, str] = {}  # every file's text by its path in the folder, made first
    sheets: list[str] = []
    keys: list[str] = []
    everyone: dict[str, Any] = {}
    name = ""
    for k in range(1, students + 1):
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
    texts["class-key.json"] = _json({**head, "students": everyone})
    written = Written()
    for path, text in texts.items():
        (folder / path).parent.mkdir(exist_ok=True)
        written.append(_write_text(folder / path, text))
    pages = [p for p in written if p.suffix == ".html"]
    if chromium is not None:
        written.extend(_print_all(pages, chromium))
    return written
