"""``backprop-lab grade [--net NET --seed N] ANSWERS``: a student's answers graded.

ANSWERS is a JSON file (``-``: standard input) of the student's numbers keyed like the key's
answers (``z1``, ``ŷ`` or ``yhat``, ``L``, ``dL/dw1``; `autograd.teaching.answers`): a flat
object, or the shape of ``key.json``, ``{"net", "seed", ["student",] ["dead_relu",]
"answers": {...}}``, as the ``answers.json`` template is written, which says which sheet the
answers are for. The exercise is made again from its net and seed (and student, dead ReLU),
as ``backprop-lab exercise`` made it (`nn.exercises.exercise`): from ``--net``, ``--seed``
(``--student K``, ``--dead-relu``) or from the file; when both say them they must agree.
Each answer is graded by `autograd.teaching.grading.grade`: correct, correct given the
student's earlier numbers, wrong (with the slip, where one explains it) or missing. Exit
status 0: every answer is correct (or correct given earlier numbers); 1: some are wrong or
missing; 2: bad input (the sheet not said or said two ways, the net, the file, the JSON, a
name or a value).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autograd.teaching.answers import AnswerError, AnswerFile, read_answer_file
from autograd.teaching.grading import NO_FIT, grade

MAX_BYTES = 1_000_000
"""An answers file larger than this (1 MB) is refused: a sheet's answers are a few hundred
bytes."""


def read_file(name: str) -> str:
    """The text of the answers file ``name`` (``-``: standard input), refused with an
    `AnswerError` when it is missing, a folder, larger than `MAX_BYTES` or not UTF-8.

    >>> read_file("no/such/answers.json")
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: no/such/answers.json: no such file
    """
    if name == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(name)
        if not path.exists():
            raise AnswerError(f"{name}: no such file")
        if path.is_dir():
            raise AnswerError(f"{name}: is a folder; give the answers' JSON file")
        if not path.is_file():  # opening a pipe would wait for a writer
            raise AnswerError(f"{name}: not a file (a pipe or a device); give the answers' "
                              "JSON file, or - for standard input")
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise AnswerError(f"{name}: larger than 1 MB; an answers file is a small JSON object")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise AnswerError(f"{name}: not UTF-8 text (byte {err.start})") from None


@dataclass(frozen=True)
class Sheet:
    """Which exercise sheet the answers are for."""

    net: str
    seed: int
    student: int | None = None
    dead_relu: bool = False

    def flags(self) -> str:
        """The sheet as ``backprop-lab grade`` options.

        >>> Sheet("student", 7, 3, True).flags()
        '--net student --seed 7 --student 3 --dead-relu'
        """
        words = ["--net", self.net, "--seed", str(self.seed)]
        if self.student is not None:
            words += ["--student", str(self.student)]
        return " ".join(words + (["--dead-relu"] if self.dead_relu else []))


_SAID = (("net", "--net"), ("seed", "--seed"), ("student", "--student"),
         ("dead_relu", "--dead-relu"))


def which_sheet(args: argparse.Namespace, file: AnswerFile, source: str) -> Sheet:
    """The sheet the command line and the answers file say, each filling in what the
    other leaves out; `AnswerError` when they disagree or neither says the net and seed.

    >>> from autograd.teaching.answers import AnswerFile
    >>> flags = argparse.Namespace(net=None, seed=8, student=None, dead_relu=None)
    >>> which_sheet(flags, AnswerFile({}, net="student"), "answers.json")
    Sheet(net='student', seed=8, student=None, dead_relu=False)
    >>> which_sheet(flags, AnswerFile({}, net="student", seed=7), "answers.json")
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: --seed 8 on the command line but "seed": 7 in \
answers.json: which sheet is it?
    """
    said: dict[str, Any] = {}
    for name, option in _SAID:
        flag, theirs = getattr(args, name), getattr(file, name)
        if flag is not None and theirs is not None and not _same(flag, theirs):
            shown = option if flag is True else f"{option} {flag}"
            raise AnswerError(f"{shown} on the command line but {json.dumps(name)}: "
                              f"{json.dumps(theirs, ensure_ascii=False)} in {source}: "
                              "which sheet is it?")
        said[name] = flag if flag is not None else theirs
    if said["net"] is None or said["seed"] is None:
        raise AnswerError("say which sheet: --net and --seed, or a file with net and seed "
                          '({"net": "student", "seed": 7, "answers": {...}}, as the '
                          "answers.json that backprop-lab exercise writes)")
    return Sheet(said["net"], said["seed"], said["student"], bool(said["dead_relu"]))


def _same(flag: Any, theirs: Any) -> bool:
    # A net is the same however it is spaced or cased; the rest must be equal.
    if isinstance(flag, str) and isinstance(theirs, str):
        return flag.replace(" ", "").lower() == theirs.replace(" ", "").lower()
    return bool(flag == theirs)


def _check_given(theirs: dict[str, float], ours: dict[str, float], source: str,
                 sheet: Sheet) -> None:
    # The given numbers a file (key.json) brings must be the sheet's.
    for name in [*ours, *(k for k in theirs if k not in ours)]:
        a, b = theirs.get(name), ours.get(name)
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            there = "missing" if a is None else f"{a:g}"
            here = "none" if b is None else f"{b:g}"
            raise AnswerError(f'{source}\'s "given" numbers are not those of the sheet '
                              f"{sheet.flags()}: {name} is {there} there and {here} on the "
                              "sheet")


def grade_command(args: argparse.Namespace) -> int:
    """Grade ``args.answers`` against the exercise that the flags and the file say; print the
    marks (a table, or JSON with ``--json``); 0 when every answer is correct (or correct
    given the student's earlier numbers), else 1.

    >>> from autograd.cli import build_parser
    >>> args = build_parser().parse_args(["grade", "--net", "student", "--seed", "7",
    ...                                   "no/such/answers.json"])
    >>> grade_command(args)
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: no/such/answers.json: no such file
    """
    from nn.exercises import exercise  # the command line is the one part that uses nn

    source = "standard input" if args.answers == "-" else args.answers
    file = read_answer_file(read_file(args.answers), source)
    sheet = which_sheet(args, file, source)
    ex = exercise(sheet.net, sheet.seed, student=sheet.student, dead_relu=sheet.dead_relu)
    if file.given is not None:
        _check_given(file.given, ex.given, source, sheet)
    grading = grade(ex.root, file.answers)
    if grading.hint:
        grading = replace(grading, hint=f"{NO_FIT}: is it {sheet.flags()}{_unsaid(sheet)}?")
    if args.json:
        document: dict[str, Any] = {"net": sheet.net, "seed": sheet.seed}
        if sheet.student is not None:
            document["student"] = sheet.student
        if sheet.dead_relu:
            document["dead_relu"] = True
        document.update(grading.to_dict())
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(grading)
    return 0 if grading else 1


def _unsaid(sheet: Sheet) -> str:
    # " (and --student K, --dead-relu, if the sheet has them)": the options not given.
    options = ([] if sheet.student is not None else ["--student K"]) + (
        [] if sheet.dead_relu else ["--dead-relu"])
    if not options:
        return ""
    return (f" (and {', '.join(options)}, if the sheet has "
            f"{'them' if len(options) > 1 else 'it'})")
