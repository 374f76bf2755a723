"""``backprop-lab grade --net NET --seed N ANSWERS``: a student's answers graded.

The exercise is made again from its net and seed (and ``--student K``, ``--dead-relu``), as
``backprop-lab exercise`` made it (`nn.exercises.exercise`); ANSWERS is a JSON object keyed
like the key's answers (``z1``, ``ŷ`` or ``y_hat``, ``L``, ``dL/dw1``; ``-`` reads it from
standard input). Each answer is graded by `autograd.teaching.grading.grade`: correct, correct
given the student's earlier numbers, wrong (with the slip, where one explains it) or
missing. Exit status 0: every answer is correct (or correct given earlier numbers); 1: some
are wrong or missing; 2: bad input (the net, the file, the JSON, a name or a value).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from autograd.teaching.answers import AnswerError, read_answers
from autograd.teaching.grading import grade

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
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise AnswerError(f"{name}: larger than 1 MB; an answers file is a small JSON object")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise AnswerError(f"{name}: not UTF-8 text (byte {err.start})") from None


def grade_command(args: argparse.Namespace) -> int:
    """Grade ``args.answers`` against the exercise ``args.net``, ``args.seed``; print the
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
    answers = read_answers(read_file(args.answers), source)
    sheet = exercise(args.net, args.seed, student=args.student, dead_relu=args.dead_relu)
    grading = grade(sheet.root, answers)
    if args.json:
        document: dict[str, Any] = {"net": args.net, "seed": args.seed}
        if args.student is not None:
            document["student"] = args.student
        document.update(grading.to_dict())
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(grading)
    return 0 if grading else 1
