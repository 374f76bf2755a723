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
Chromium that fails to print or cannot be run (the HTML and JSON are written by then).

A folder holds one kit, and the kit touches only what it wrote: ``manifest.json`` records
each file it writes with its SHA-256. Writing into a folder that holds another exercise's
key, an ``answers.json`` a student has filled in, or any file of a kit's name that the
manifest does not vouch for (the user's own, or one edited since) is refused (one
``error:`` line naming the files, status 2, nothing written) unless ``--force`` is given,
which writes over those the kit writes again. The kit's own files that a run does not write
again (PDFs of an earlier run, the folders of students past ``--students``) are removed when
the manifest vouches for them, each named on a ``removed`` line; others are kept, each on a
``kept`` line. Symbolic links are never followed out of the folder. ``--students`` is at
most 300.

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

from autograd.cli.statements import UsageError
from autograd.formula import shortened
from autograd.teaching.folder import InTheWay, shown
from autograd.teaching.kit import (
    FolderInUse,
    NotAFolder,
    Written,
    grade_command,
    write_class,
    write_exercise,
)
from autograd.teaching.pdf import INSTALL, PdfFailed, PdfUnavailable, find_chromium
from nn.exercises import exercise

MAX_STUDENTS = 300
"""The most sheets of one class set (``--students``): written in seconds, printed in minutes."""


def exercise_command(args: argparse.Namespace) -> int:
    """Write the exercise (or the class set) ``args`` ask for; return the exit status."""
    out = Path(args.out)
    if args.students is not None and args.students > MAX_STUDENTS:
        raise UsageError(f"--students {shortened(str(args.students), 12)}: at most "
                         f"{MAX_STUDENTS} students in one class set; split a larger class "
                         "into several folders (each its own --seed)")
    pdf = not args.no_pdf
    no_chromium = pdf and find_chromium() is None
    # Build the numbers first: a bad net or seed is refused before any folder is made.
    first = exercise(args.net, args.seed, student=1 if args.students else None,
                     dead_relu=args.dead_relu)
    try:
        if args.students:
            written = write_class(args.net, args.seed, args.students, out,
                                  dead_relu=args.dead_relu, pdf=pdf and not no_chromium,
                                  force=args.force, make=exercise)
        else:
            written = write_exercise(first, out, pdf=pdf and not no_chromium,
                                     force=args.force)
    except NotAFolder as error:  # raised before anything is written
        where = "" if error.path == out else f": {shown(error.path)}"
        raise UsageError(f"--out {shown(out)}{where} is {error.what}, not a folder") from None
    except InTheWay as error:  # not even --force writes over these
        raise UsageError(f"{error.named()} {error.why}: nothing was written") from None
    except FolderInUse as error:
        them = "them" if len(error.paths) > 1 else "it"
        raise UsageError(f"{error.named()} {error.why}: nothing was written; write to another "
                         f"folder (--out), or pass --force to write over {them}") from None
    except (PdfFailed, PdfUnavailable) as error:  # the PDFs come last
        raise UsageError(f"{error} (the HTML and JSON files are written; --no-pdf skips the "
                         "PDFs)") from None
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
    for path in written.removed:
        print(f"removed {path}")
    for path in written.kept:
        print(f"kept {path}: not written by the kit, so left as it is")
    for path in written:
        print(f"wrote {path}")
    for name, why in written.skipped.items():
        print(f"skipped {out / name}: {why}")
