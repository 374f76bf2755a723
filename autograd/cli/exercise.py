"""``backprop-lab exercise``: an exercise sheet, its key and slides, written to a folder.

``--net NET --seed N --out DIR`` writes one exercise (`autograd.teaching.kit.write_exercise`):
the sheet and its key as HTML and PDF, the key as JSON, an answers template for ``backprop-lab
grade``, the backward pass as slides, and the network as TikZ where dot2tex is installed.
``--students N`` writes a class set instead (`autograd.teaching.kit.write_class`): a folder
per student with their own numbers, every sheet in one PDF, and the class key. The numbers
come from `nn.exercises.exercise`: the same net and seed always give the same files.

It prints one line per file written, then the command that grades a student's answers.
PDFs are printed by Debian's Chromium. Where there is none (and ``--no-pdf`` is not given),
everything else is written, a note on stderr says how to get the PDFs (install chromium, or
pass ``--no-pdf`` to silence it), and the status is still 0: the sheets are there, as HTML a
browser prints. A bad net or seed prints one ``error:`` line and exits with 2; so does a
Chromium that fails to print (the HTML and JSON are written by then).

>>> import tempfile
>>> from autograd.cli import main
>>> folder = tempfile.mkdtemp()
>>> main(["exercise", "--net", "student", "--seed", "7", "--out", folder, "--no-pdf"])
... # doctest: +ELLIPSIS
wrote .../sheet.html
wrote .../key.html
wrote .../key.json
wrote .../answers.json
...
grade with: backprop-lab grade --net student --seed 7 .../answers.json
0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograd.teaching.kit import Written, grade_command, write_class, write_exercise
from autograd.teaching.pdf import INSTALL, PdfFailed, find_chromium
from nn.exercises import exercise


def exercise_command(args: argparse.Namespace) -> int:
    """Write the exercise (or the class set) ``args`` ask for; return the exit status."""
    out = Path(args.out)
    pdf = not args.no_pdf
    no_chromium = pdf and find_chromium() is None
    # Build the numbers first: a bad net or seed is refused before any folder is made.
    first = exercise(args.net, args.seed, student=1 if args.students else None,
                     dead_relu=args.dead_relu)
    try:
        if args.students:
            written = write_class(args.net, args.seed, args.students, out,
                                  dead_relu=args.dead_relu, pdf=pdf and not no_chromium,
                                  make=exercise)
        else:
            written = write_exercise(first, out, pdf=pdf and not no_chromium)
    except PdfFailed as error:
        print(f"error: {' '.join(str(error).split())} (the HTML and JSON files are written; "
              "--no-pdf skips the PDFs)", file=sys.stderr)
        return 2
    _report(written, out)
    if args.students:
        folder = written[0].parent.name  # student-01: student 1's
        print(f"grade with: {grade_command(first, f'{out / folder}/answers.json')}  (each "
              "student: their number after --student, their folder's answers.json)")
    else:
        print(f"grade with: {grade_command(first, str(out / 'answers.json'))}")
    if no_chromium:
        print("note: no PDFs written: there is no Chromium to print them with. To get them: "
              f"{INSTALL}, then run this again; or pass --no-pdf. The HTML pages print from "
              "any browser.", file=sys.stderr)
    return 0


def _report(written: Written, out: Path) -> None:
    for path in written:
        print(f"wrote {path}")
    for name, why in written.skipped.items():
        print(f"skipped {out / name}: {why}")
