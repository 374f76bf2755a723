"""Shared pieces of the fuzz suite: a sandbox per input, the command line's contract checked
on every run, and hypothesis strategies for formulas, statements, numbers and raw text.

`run` calls `autograd.cli.main` in-process inside a fresh `Sandbox` (its own working folder,
a sibling folder that must stay untouched, files that existed before) and checks what every
command promises for every input: no exception escapes ``main``, no traceback is printed,
the exit status is 0, 2, or 1 for ``check`` and ``grade``; a status of 2 comes with exactly
one stderr line, ``error: ...``, of at most `MAX_ERROR` characters; nothing is written
outside the working folder (an audit hook sees every file opened for writing, created,
renamed or removed), and no file that was there before changes unless the command was told
to write it.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import signal
import string
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from autograd.cli import main

MAX_ERROR = 300
"""The longest ``error:`` line a command may print (characters, ``error: `` included)."""

DEADLINE = timedelta(seconds=5)
"""No single input may take longer than this."""

KIT_DEADLINE = timedelta(seconds=15)
"""The same for ``exercise``: a kit is six files, its TikZ made by dot2tex (pyparsing), which
alone takes 2 s of CPU; on a loaded machine a whole kit may take 5 s."""

FUZZ = settings(deadline=DEADLINE, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
"""The suite's settings: reproducible (derandomized) runs, a per-input deadline."""

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
"""How many inputs each test tries, as a multiple of its own count ($FUZZ_SCALE)."""


def examples(n: int, deadline: timedelta = DEADLINE) -> settings:
    """The suite's settings with ``n`` inputs (times $FUZZ_SCALE)."""
    return settings(FUZZ, max_examples=max(1, int(n * SCALE)), deadline=deadline)

STATUS = {"demo": {0, 2}, "grad": {0, 2}, "play": {0, 2}, "check": {0, 1, 2},
          "exercise": {0, 2}, "grade": {0, 1, 2}, "audit": {0, 1, 2}}
"""The exit statuses each command may return (1 is a "no": a claim or an answer wrong)."""


# ---- every write seen: an audit hook, installed once ---------------------------------------

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_watching: list[list[str]] = []  # the writes of the run under way (innermost last)


def _place(path: Any, follow: bool) -> str | None:
    # Where a path lands: the link followed (open), or only its folder's (rename, remove).
    if isinstance(path, int) or path is None:
        return None
    text = os.fsdecode(path)
    if follow:
        return os.path.realpath(text)
    parent, name = os.path.split(os.path.abspath(text))
    return os.path.join(os.path.realpath(parent), name)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _watching:
        return
    places: list[str | None] = []
    if event == "open":
        path, _mode, flags = args
        if isinstance(flags, int) and flags & _WRITE_FLAGS:
            places.append(_place(path, follow=True))
    elif event in ("os.mkdir", "os.remove", "os.rmdir", "os.truncate", "os.chmod",
                   "os.utime", "os.symlink", "os.link", "shutil.rmtree"):
        dir_fd = args[-1] if event not in ("os.truncate", "shutil.rmtree") else None
        if dir_fd is None:  # with a dir_fd: inside a tree already seen (shutil.rmtree)
            places.append(_place(args[0] if event != "os.symlink" else args[1],
                                 follow=event in ("os.chmod", "os.utime", "os.truncate")))
    elif event == "os.rename":
        if args[2] is None and args[3] is None:
            places += [_place(args[0], follow=False), _place(args[1], follow=False)]
    elif event == "shutil.copyfile":
        places.append(_place(args[1], follow=True))
    _watching[-1].extend(f"{event} {p}" for p in places if p is not None)


sys.addaudithook(_audit)


@contextmanager
def watched_writes() -> Iterator[list[str]]:
    """Every place written while inside: ``"event path"`` strings, paths resolved."""
    seen: list[str] = []
    _watching.append(seen)
    try:
        yield seen
    finally:
        _watching.remove(seen)


# ---- the sandbox ---------------------------------------------------------------------------

_BASE: list[Path] = []


def _base() -> Path:
    if not _BASE:
        _BASE.append(Path(tempfile.mkdtemp(prefix="backprop-fuzz-")).resolve())
        atexit.register(shutil.rmtree, _BASE[0], True)  # the sandbox goes with the run
    return _BASE[0]


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: a file's bytes, a link's target, ``"dir"`` for a folder.

    >>> snapshot(Path(tempfile.mkdtemp()))
    {}
    """
    found: dict[str, bytes | str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = "link " + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = path.read_bytes()
    return found


@dataclass
class Sandbox:
    """A fresh folder for one input: ``work`` (the working folder, tmp_path of the contract)
    and ``outside`` beside it (holding ``precious.txt``), which no command may touch."""

    root: Path
    work: Path
    outside: Path
    before: dict[str, bytes | str] = field(default_factory=dict)
    outside_before: dict[str, bytes | str] = field(default_factory=dict)

    def write(self, name: str, data: bytes | str) -> Path:
        """Put a file in the working folder before the run."""
        path = self.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        return path


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    """A `Sandbox` with the working folder as the current one; removed afterwards."""
    root = Path(tempfile.mkdtemp(dir=_base()))
    box = Sandbox(root, root / "work", root / "outside")
    box.work.mkdir()
    box.outside.mkdir()
    (box.outside / "precious.txt").write_text("not yours\n")
    box.write("keep.txt", "a file of the user's, not an output\n")
    old = os.getcwd()
    os.chdir(box.work)
    try:
        yield box
    finally:
        os.chdir(old)
        shutil.rmtree(root, ignore_errors=True)


LIMIT = 15
"""Seconds after which a run is stopped (a hang would otherwise stop the suite; the
per-input deadline, `DEADLINE`, is hypothesis's and much shorter)."""


class TooSlow(BaseException):
    """Raised in the running command by `time_limit`'s alarm."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `TooSlow` inside the block after ``seconds`` (SIGALRM: main thread, POSIX)."""
    def alarm(signum: int, frame: Any) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def shorten(argv: Sequence[str], limit: int = 500) -> str:
    """``argv`` as a repr, each word cut to 200 characters, the whole to ``limit``."""
    words = [w if len(w) <= 200 else w[:200] + f"...({len(w)} chars)" for w in argv]
    text = repr(words)
    return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class Result:
    """What one run printed and returned."""

    argv: tuple[str, ...]
    code: int
    out: str
    err: str


class _Stdin(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


def run(box: Sandbox, argv: Sequence[str], stdin: bytes = b"",
        outputs: Iterable[str] = ()) -> Result:
    """Run ``backprop-lab argv`` in ``box`` (``stdin`` as standard input) and check the
    contract; ``outputs`` names the working folder's paths the command may write (a folder
    stands for everything under it)."""
    box.before = snapshot(box.work)
    box.outside_before = snapshot(box.outside)
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = _Stdin(io.BytesIO(stdin), encoding="utf-8")
    try:
        with watched_writes() as writes, redirect_stdout(out), redirect_stderr(err), \
                time_limit(LIMIT):
            try:
                code = main(list(argv))
            except TooSlow:
                raise AssertionError(f"main({shorten(argv)}) still running after {LIMIT} s"
                                     ) from None
            except BaseException as escaped:  # noqa: B036 - the contract: nothing escapes
                raise AssertionError(f"{type(escaped).__name__} escaped main("
                                     f"{shorten(argv)}): {escaped!r:.1000}") from escaped
    finally:
        sys.stdin = old_stdin
    result = Result(tuple(argv), code, out.getvalue(), err.getvalue())
    check_contract(result)
    check_files(box, writes, outputs)
    return result


def check_contract(result: Result) -> None:
    """Exit status, no traceback, one short ``error:`` line for status 2."""
    command = result.argv[0] if result.argv else ""
    shown = shorten(result.argv)
    assert "Traceback" not in result.err, f"traceback for {shown}:\n{result.err[-2000:]}"
    assert result.code in STATUS.get(command, {0, 2}), (
        f"status {result.code} for {shown}; stderr: {result.err[:500]!r}")
    if result.code == 2:
        lines = result.err.splitlines()
        assert len(lines) == 1, f"{len(lines)} stderr lines for {shown}: {result.err[:600]!r}"
        assert lines[0].startswith("error: "), f"for {shown}: {lines[0][:300]!r}"
        assert len(lines[0]) <= MAX_ERROR, (
            f"error line of {len(lines[0])} characters for {shown}: {lines[0][:400]!r}...")


def _inside(path: str, folder: Path) -> bool:
    return path == str(folder) or path.startswith(str(folder) + os.sep)


def check_files(box: Sandbox, writes: list[str], outputs: Iterable[str]) -> None:
    """Nothing written outside ``box.work``; nothing there before changed but ``outputs``."""
    work = box.work.resolve()
    stray = [w for w in writes
             if not _inside(w.split(" ", 1)[1], work) and "__pycache__" not in w
             and not w.endswith(os.devnull)]
    assert not stray, f"written outside the working folder: {stray[:5]}"
    assert sorted(os.listdir(box.root)) == ["outside", "work"], os.listdir(box.root)
    assert snapshot(box.outside) == box.outside_before, "outside changed: " + ", ".join(
        sorted(set(snapshot(box.outside)) ^ set(box.outside_before)))
    allowed = [os.path.normpath(o).replace(os.sep, "/") for o in outputs]
    after = snapshot(box.work)
    for name, data in box.before.items():
        if any(name == a or name.startswith(a + "/") for a in allowed):
            continue
        assert after.get(name) == data, f"{name} was changed or removed"


# ---- strategies ----------------------------------------------------------------------------

FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "abs",
             "sin", "cos", "step")
NAMES = ("x", "y", "w", "b", "w1", "w2", "x1", "x2", "b1", "z1", "h1", "L", "ŷ", "y_hat",
         "w₁", "x₂", "σ", "é", "e", "pi", "π", "f", "out", "_", "Ω1")
"""Names a formula may use, article spellings and unicode included (e and pi are constants)."""

NUMBER_TEXTS = ("0", "1", "-1", "0.5", "2", "1e308", "1e309", "-1e308", "1e-320", "5e-324",
                "inf", "-inf", "nan", "NaN", "1_000", "0x10", "1e", ".5", "5.", "−0.5",
                "9" * 400, "1" + "0" * 5000, "1e99999", "pi/4", "e", "1/0", "0**-1",
                "１２", "٣", "½", "1,5", "", " ", "--1", "+2")


def number_texts() -> st.SearchStrategy[str]:
    """A number as a user might type it, or nearly: floats, huge, tiny, inf, nan, junk.

    >>> "1e309" in NUMBER_TEXTS and "nan" in NUMBER_TEXTS
    True
    """
    return st.one_of(
        st.sampled_from(NUMBER_TEXTS),
        st.integers(-10**30, 10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.floats(-10, 10).map(lambda x: f"{x:.6g}"),
    )


def names() -> st.SearchStrategy[str]:
    """A name from `NAMES`, or a generated identifier (unicode letters allowed)."""
    generated = st.text(st.characters(categories=("Ll", "Lu", "Lo")), min_size=1, max_size=6)
    return st.one_of(st.sampled_from(NAMES), generated)


def formulas(variables: Sequence[str] = NAMES, max_leaves: int = 12) -> st.SearchStrategy[str]:
    """A formula built from the grammar: numbers, names, + - * / **, unary minus,
    parentheses, function calls, article symbols (· × −) and juxtaposition."""
    leaf = st.one_of(st.sampled_from(list(variables)), number_texts().filter(bool),
                     st.sampled_from(["e", "pi", "π"]))

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        ops = st.sampled_from([" + ", "-", "*", "/", "**", " · ", "×", " − ", " ", "^", "//"])
        return st.one_of(
            st.tuples(inner, ops, inner).map("".join),
            st.tuples(st.sampled_from(["-", "+", "−"]), inner).map("".join),
            inner.map(lambda t: f"({t})"),
            st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda p: f"{p[0]}({p[1]})"),
            st.tuples(inner, inner).map(lambda p: f"leaky_relu({p[0]}, {p[1]})"),
        )
    return st.recursive(leaf, grow, max_leaves=max_leaves)


def statements(variables: Sequence[str] = NAMES) -> st.SearchStrategy[str]:
    """Statements ``name = formula`` separated by ``;`` or new lines; the last may be bare."""
    one = st.tuples(st.one_of(names(), st.just("")), formulas(variables, 6)).map(
        lambda p: f"{p[0]} = {p[1]}" if p[0] else p[1])
    return st.tuples(st.lists(one, min_size=1, max_size=5),
                     st.sampled_from(["; ", "\n", ";\n", "  # note\n", "\r\n", ";;"])).map(
        lambda p: p[1].join(p[0]))


PATTERNS = ("(", "x+", "-", "exp(", "x**", "((x)", "x*", "sigmoid(", "1e", "w1·", "a=x;",
            "\n", "#", ";", "'", "ReLU'(", "σ'(", "x ", "9", "(x,", "[", "{", "\\", "\x00")


def long_texts(max_size: int = 5000) -> st.SearchStrategy[str]:
    """A pattern repeated up to ``max_size`` characters: deep nesting, long chains, long
    numbers, many statements, ending in a plausible tail."""
    return st.tuples(st.sampled_from(PATTERNS), st.integers(1, max_size),
                     st.sampled_from(["x", "x" + ")" * 2500, "", "1", ")"])).map(
        lambda p: (p[0] * (p[1] // len(p[0]) + 1))[: p[1]] + p[2])


def raw_texts() -> st.SearchStrategy[str]:
    """Raw text: control characters, any unicode, sometimes very long."""
    return st.one_of(
        st.text(max_size=60),
        st.text(st.characters(codec="utf-8"), max_size=300),
        st.text(string.printable, max_size=200),
        long_texts(),
        st.text(min_size=1000, max_size=5000),
    )


def expressions(variables: Sequence[str] = NAMES) -> st.SearchStrategy[str]:
    """EXPR: a structured formula or statements most of the time, raw text otherwise."""
    return st.one_of(formulas(variables), formulas(variables), statements(variables),
                     raw_texts())


def at_items(variables: Sequence[str] = NAMES) -> st.SearchStrategy[list[str]]:
    """``--at`` items: ``NAME=VALUE`` with valid and broken names and values."""
    item = st.one_of(
        st.tuples(st.sampled_from(list(variables)), number_texts()).map("=".join),
        st.tuples(names(), number_texts()).map("=".join),
        st.text(max_size=20),
        st.sampled_from(["x", "=1", "x==1", "x=1=2", "1x=2", "x = 1", "if=1", "x=" + "9" * 5000,
                         "exp=1", "x=nan", "x=1e400", "x=-" + "1" * 4400]),
    )
    return st.lists(item, max_size=6)


CLAIMS = ("ReLU'(z1)", "σ'(z)", "(ŷ - y)*w5*ReLU'(z1)*x1", "2·x", "x − 1", "2x", "3 x",
          "sigmoid'(x)", "tanh'(x)", "ReLU''(x)", "'", "σ'", "ReLU'(", "0.4431", "nan", "inf",
          "1e309", "x**x**x**x", "step(x)*x", "d/dx", "∂L/∂w1", "")


def claims(variables: Sequence[str] = NAMES) -> st.SearchStrategy[str]:
    """A claimed derivative: article notation (ReLU'(z1), σ'(z), ·, −, juxtaposition),
    formulas, or raw text."""
    primed = st.tuples(st.sampled_from(["ReLU'", "σ'", "sigmoid'", "tanh'", "relu'", "exp'"]),
                       formulas(variables, 4)).map(lambda p: f"{p[0]}({p[1]})")
    joined = st.tuples(st.sampled_from(["·", "*", " ", "×", ""]),
                       st.lists(st.one_of(primed, formulas(variables, 4)), min_size=1,
                                max_size=4)).map(lambda p: p[0].join(p[1]))
    return st.one_of(st.sampled_from(CLAIMS), primed, joined, formulas(variables),
                     raw_texts())


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """Any JSON document (with huge integers and non-finite floats, which json writes)."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**400, 10**400),
                        st.floats(), st.text(max_size=30))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=5),
                                st.dictionaries(st.text(max_size=12), inner, max_size=5)),
        max_leaves=max_leaves)
