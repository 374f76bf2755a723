"""Fuzzing every command's inputs: for every generated command line, ``main`` returns 0, 2
(or 1 for ``check`` and ``grade``), never lets an exception out, never prints a traceback,
answers bad input with one short ``error:`` line, takes at most a few seconds, and writes
nothing outside the working folder (`fuzzing.run` checks all of it). The inputs mix
formulas built from the grammar with raw and very long text."""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from fuzzing import (
    KIT_DEADLINE,
    at_items,
    claims,
    examples,
    expressions,
    formulas,
    names,
    number_texts,
    raw_texts,
    run,
    sandbox,
    snapshot,
    statements,
)
from hypothesis import example, given
from hypothesis import strategies as st

import autograd.claims  # noqa: F401 - loaded by check on first use; loaded here, before
import nn.exercises  # noqa: F401 - eval and exec are replaced (dataclasses use exec)

VARIABLES = ("x", "y", "w", "b", "w1", "x1", "z1", "ŷ", "w₁", "σ")
"""The names structured inputs use, so that --at often matches the expression."""

OUTPUT_NAMES = ("g.svg", "keep.txt", "sub/g.svg", "g.png", "g.pdf", "g", "g.txt", ".", "",
                "g.svg/", "ŷ w₁.svg", "new\nline.svg", "x" * 300 + ".svg", "nul\x00.svg",
                "dir", "keep.txt/g.svg")
"""File names for --svg, --html, --out: plain, odd, a folder, a file as a folder, too long."""


def _at(variables: tuple[str, ...] = VARIABLES) -> st.SearchStrategy[list[str]]:
    sensible = st.lists(st.tuples(st.sampled_from(variables),
                                  st.floats(-3, 3).map(lambda x: f"{x:.3g}")).map("=".join),
                        max_size=6, unique_by=lambda s: s.split("=")[0])
    return st.one_of(sensible, sensible, at_items(variables))


def _flags(*options: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(options), unique=True).map(sorted)


# ---- grad ---------------------------------------------------------------------------------


@examples(200)
@given(expr=expressions(VARIABLES), at=_at(), flags=_flags("--explain", "--steps", "--json"),
       wrt=st.one_of(st.none(), st.lists(st.one_of(st.sampled_from(VARIABLES), names(),
                                                   st.text(max_size=10)), max_size=3)),
       svg=st.one_of(st.none(), st.none(), st.none(), st.sampled_from(OUTPUT_NAMES)))
def test_grad(expr, at, flags, wrt, svg):
    argv = ["grad", expr, "--at", *at, *flags]
    argv += ["--wrt", *wrt] if wrt is not None else []
    argv += ["--svg", svg] if svg is not None else []
    with sandbox() as box:
        result = run(box, argv, outputs=[svg] if svg else [])
        if result.code == 2:
            assert snapshot(box.work) == box.before, "grad wrote files and then said error"


@examples(150)
@given(tokens=st.lists(st.one_of(
    st.sampled_from(["--at", "--wrt", "--explain", "--steps", "--json", "--svg", "--", "-",
                     "--claim", "--points", "--seed", "--html", "--layout", "--a", "--w",
                     "--help", "-h", "--at=x=1", "--svg=", "--wrt=", "-x*y", "-1", "-.5"]),
    formulas(VARIABLES, 4), at_items(VARIABLES).map(lambda items: "".join(items[:1])),
    st.text(st.characters(exclude_characters="/\\"), max_size=30).filter(
        lambda t: t.strip() not in ("..", ".")),
), max_size=10), command=st.sampled_from(["grad", "check", "play"]))
def test_any_argv(tokens, command):
    """Options and text in any order: `arrange` and argparse meet every mix."""
    with sandbox() as box:
        run(box, [command, *tokens], outputs=["player.html", *tokens])


@examples(100)
@given(argv=st.lists(st.one_of(raw_texts(), st.sampled_from(
    ["demo", "grad", "exercise", "grade", "--help", "-h", "", "-", "--", "audit"])),
    max_size=4))
def test_any_command(argv):
    """Any first word: a command, a prefix of one, an option, raw text."""
    if argv and argv[0] in ("demo", "exercise"):
        argv[0] = "Demo"  # slow commands are fuzzed below, with their own bounds
    with sandbox() as box:
        run(box, argv, outputs=["student_network.svg", "student_network.html"])


# ---- play ---------------------------------------------------------------------------------


@examples(120)
@given(expr=expressions(VARIABLES), at=_at(),
       html=st.one_of(st.none(), st.sampled_from(OUTPUT_NAMES)),
       layout=st.one_of(st.none(), st.sampled_from(["auto", "dot", "browser", "Dot", "", "x"])))
def test_play(expr, at, html, layout):
    argv = ["play", expr, "--at", *at]
    argv += ["--html", html] if html is not None else []
    argv += ["--layout", layout] if layout is not None else []
    with sandbox() as box:
        result = run(box, argv, outputs=[html if html is not None else "player.html"])
        if result.code == 2:
            assert snapshot(box.work) == box.before, "play wrote files and then said error"


# ---- check --------------------------------------------------------------------------------


@examples(200)
@example(expr="x*" * 200 + "x; y = x", at=["x=1"], wrt=["x"], claim="1", points=None,
         seed=None, json_flag=False)
@given(expr=expressions(VARIABLES), at=_at(),
       wrt=st.lists(st.one_of(st.sampled_from(VARIABLES), names(), st.text(max_size=10)),
                    max_size=2),
       claim=claims(VARIABLES),
       points=st.one_of(st.none(), st.integers(1, 64).map(str), number_texts(),
                        st.sampled_from(["0", "10001", "-3", "1.5", "1e3", "٣"])),
       seed=st.one_of(st.none(), st.integers(-10**30, 10**30).map(str), number_texts()),
       json_flag=st.booleans())
def test_check(expr, at, wrt, claim, points, seed, json_flag):
    argv = ["check", expr, "--at", *at, "--wrt", *wrt, "--claim", claim]
    argv += ["--points", points] if points is not None else []
    argv += ["--seed", seed] if seed is not None else []
    argv += ["--json"] if json_flag else []
    with sandbox() as box:
        result = run(box, argv)
        assert snapshot(box.work) == box.before, "check wrote a file"
        if result.code == 1:
            assert result.out.strip(), "a claim refused (status 1) without a report"


# ---- exercise -----------------------------------------------------------------------------

NETS = ("student", "simplenn", "squared-error", "five-input", "Student", " student ",
        "2-2-1:relu,sigmoid", "2-3-2:tanh,sigmoid:mse", "2-2-1:relu,sigmoid:bce",
        "2-2-1:linear,linear", "1-1:relu,tanh", "2-2-1:relu,relu:bce", "0-1:relu,sigmoid",
        "99999999999999-1:relu,sigmoid", "2--1", "2-2-1:", "2-2-1:relu", ":", "-", "",
        "2-2-1:relu,sigmoid:mse:x", "10-10-10:relu,sigmoid", "٢-٢-١:relu,sigmoid",
        "2-2-1:ReLU,Sigmoid", "2" * 5000)


def nets() -> st.SearchStrategy[str]:
    """--net: the articles' nets, MLP specs (valid, too big, broken) and raw text."""
    acts = st.sampled_from(["relu", "tanh", "sigmoid", "linear", "", "x", "RELU"])
    spec = st.tuples(st.lists(st.integers(0, 12).map(str), min_size=1, max_size=4), acts, acts,
                     st.sampled_from(["", ":bce", ":mse", ":l1", ":"])).map(
        lambda p: f"{'-'.join(p[0])}:{p[1]},{p[2]}{p[3]}")
    return st.one_of(st.sampled_from(NETS), spec, spec, raw_texts())


KIT = ("sheet.html", "key.html", "key.json", "answers.json", "slides.html", "network.tex",
       "sheet.pdf", "key.pdf", "slides.pdf", "all-sheets.html", "all-sheets.pdf",
       "class-key.html", "class-key.pdf", "class-key.json")


def kit_outputs(out: str) -> list[str]:
    """What ``exercise --out out`` may write over: the kit's own names, no other file."""
    folder = os.path.normpath(out) if out else "."
    students = [f"{folder}/student-{k:02d}" for k in range(1, 100)]
    return [f"{folder}/{name}" for name in KIT] + students


@examples(20, KIT_DEADLINE)
@given(net=nets(),
       seed=st.one_of(st.integers(0, 50).map(str), st.integers(-10**20, 10**20).map(str),
                      number_texts(), st.just("9" * 5000)),
       students=st.one_of(st.none(), st.integers(1, 3).map(str),
                          st.sampled_from(["0", "-1", "x", "1.5", "", "٣"])),
       out=st.sampled_from(["ex", "ex/deeper", "keep.txt", "keep.txt/sub", "", ".", "ŷ dir",
                            "used"]),
       flags=_flags("--dead-relu", "--force"))
def test_exercise(net, seed, students, out, flags):
    argv = ["exercise", "--net", net, "--seed", seed, "--out", out, "--no-pdf", *flags]
    argv += ["--students", students] if students is not None else []
    with sandbox() as box:
        box.write("used/notes.txt", "the teacher's own notes\n")
        box.write("used/key.json", '{"net": "student", "seed": -777777, "given": {}}')
        result = run(box, argv, outputs=kit_outputs(out))
        if result.code == 2:  # a bad net, seed or folder is refused before any is made
            assert snapshot(box.work) == box.before, "exercise refused but wrote files"
        if result.code == 0 and out == "used" and "--force" not in flags:
            raise AssertionError("another exercise's key written over without --force")


# ---- demo ---------------------------------------------------------------------------------


@examples(12)
@example(out=None, steps="9" * 60)
@given(out=st.one_of(st.none(), st.sampled_from(OUTPUT_NAMES)),
       steps=st.one_of(st.none(), st.integers(1, 40).map(str),
                       st.sampled_from(["0", "-1", "x", "1e3", "", "2.5", "99999999999999999999"
                                        "999999999999999999999999999999999999999999999999999"])))
def test_demo(out, steps):
    argv = ["demo"] + (["--out", out] if out is not None else [])
    argv += ["--steps", steps] if steps is not None else ["--steps", "5"]
    written = out if out is not None else "student_network.svg"
    html = os.path.splitext(written)[0] + ".html"
    with sandbox() as box:
        result = run(box, argv, outputs=[written, html])
        if result.code == 0:
            assert "∂L/∂w1" in result.out


# ---- nothing typed reaches eval or exec ---------------------------------------------------


class _Evaluated(BaseException):  # noqa: N818 - escapes main's handlers on purpose
    """Raised by the patched eval/exec: a BaseException, so no except clause swallows it."""


@contextmanager
def refusing_eval() -> Iterator[list[str]]:
    """builtins.eval and exec replaced by functions that record the call and raise."""
    calls: list[str] = []

    def refuse(name: str) -> Any:
        def call(source: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(f"{name}({source!r:.200})")
            raise _Evaluated(f"{name} called with {source!r:.200}")
        return call

    with mock.patch.object(builtins, "eval", refuse("eval")), \
            mock.patch.object(builtins, "exec", refuse("exec")):
        yield calls


@examples(120)
@given(expr=st.one_of(formulas(VARIABLES), statements(VARIABLES),
                      st.sampled_from(["__import__('os').system('echo hi')", "open('x','w')",
                                       "x.__class__", "[x for x in y]", "lambda: 1",
                                       "exec('1')", "eval('x')", "globals()", "x if y else w",
                                       "(1).real", "x[0]", "f'{x}'", "b'x'", "x := 1"])),
       at=_at(), claim=claims(VARIABLES), command=st.sampled_from(["grad", "check"]))
def test_nothing_reaches_eval(expr, at, claim, command):
    argv = [command, expr, "--at", *at]
    argv += ["--wrt", "x", "--claim", claim, "--points", "4"] if command == "check" else [
        "--explain", "--steps"]
    with sandbox() as box, refusing_eval() as calls:
        run(box, argv)
    assert calls == [], f"eval/exec called for {argv!r}: {calls[:3]}"


# ---- audit --------------------------------------------------------------------------------

ENGINE_SOURCES = (
    "",
    "class Value:\n    pass\n",
    "class Value:\n    def __init__(self, data):\n        self.data = data\n",
    "import sys\nsys.exit(4)\n",
    "raise KeyError('x')\n",
    "while True:\n    pass\n",
    "def (\n",
    "class Value:\n    def __init__(self, data):\n        self.data, self.grad = data, 0.0\n"
    "    def backward(self):\n        self.grad = 1.0\n",
    "import os\nclass Value:\n    def __init__(self, data):\n        os._exit(9)\n",
    "class Value:\n    def __init__(self, data):\n        self.data, self.grad = data, 0.0\n"
    "    def backward(self):\n        while True:\n            pass\n"
    "    def __add__(self, other):\n        return Value(self.data + other.data)\n",
    "print('hello' * 10000)\n",
)
"""Files an engine might be: empty, not a Value class, failing to import, looping, exiting,
a class that barely is one, and one whose backward() never ends."""


@examples(30, KIT_DEADLINE)
@given(source=st.one_of(st.sampled_from(ENGINE_SOURCES), raw_texts()),
       target=st.sampled_from(["engine.py", "engine.py:Value", "engine.py:Nope", "missing.py",
                               "engine.py:", ":Value", ".", "engine.py:1x", ""]),
       flags=_flags("--json"), points=st.sampled_from([[], ["--points", "1"],
                                                       ["--points", "0"], ["--points", "x"]]))
def test_audit(source, target, flags, points):
    """A learner's file that is anything at all: audited or refused in one line, within its
    time limit, nothing written (not even a __pycache__ beside it)."""
    with sandbox() as box:
        (box.work / "engine.py").write_text(source, encoding="utf-8", errors="replace")
        run(box, ["audit", target, "--timeout", "4", *points, *flags])
