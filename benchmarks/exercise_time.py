"""Time to make a class set of exercise sheets: ``backprop-lab exercise --students 30``,
that is 30 sheets with their own numbers, the class key, every PDF (Debian's chromium, four
at a time), and beside it, in the same run, the references it is measured against: choosing
and checking the 30 sets of numbers alone (`nn.exercises.exercise`), and Chromium printing
one empty page (its start-up, paid once per PDF).

Run: python benchmarks/exercise_time.py   (needs /usr/bin/chromium and dot; about a minute)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograd.teaching import print_pdf, write_class
from nn.exercises import exercise

STUDENTS = 30
REPEATS = 3


def timed(run: Callable[..., Any], *args: Any, **options: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = run(*args, **options)
    return time.perf_counter() - t0, result


def thirty_exercises() -> list[Any]:
    return [exercise("student", 7, student=s) for s in range(1, STUDENTS + 1)]


def main() -> None:
    times: dict[str, list[float]] = {}
    pdfs = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        blank = folder / "blank.html"
        blank.write_text("<!doctype html><title>blank</title><p>.</p>", encoding="utf-8")
        for k in range(REPEATS):
            runs = {
                "choosing the numbers of 30 sheets": (thirty_exercises, (), {}),
                "30 sheets, class key: HTML and JSON": (
                    write_class, ("student", 7, STUDENTS, folder / f"html{k}"),
                    {"pdf": False, "make": exercise}),
                "the same with every PDF": (
                    write_class, ("student", 7, STUDENTS, folder / f"pdf{k}"),
                    {"make": exercise}),
                "Chromium printing one empty page": (print_pdf, ([blank],), {}),
            }
            for what, (run, args, options) in runs.items():
                seconds, result = timed(run, *args, **options)
                times.setdefault(what, []).append(seconds)
                if what == "the same with every PDF":
                    pdfs = sum(1 for p in result if p.suffix == ".pdf")
    medians = {what: statistics.median(ts) for what, ts in times.items()}
    print(f"student network, {STUDENTS} students, medians of {REPEATS}\n")
    print("| what | time |")
    print("| --- | ---: |")
    for what, seconds in medians.items():
        print(f"| {what}{f' ({pdfs} PDFs)' if 'PDF' in what else ''} | {seconds:.2f} s |")
    floor = medians["Chromium printing one empty page"] * pdfs
    print(f"\nwith PDFs: {medians['the same with every PDF'] / floor:.2f} x the start-up of "
          f"{pdfs} Chromium prints run one after another ({floor:.1f} s)")


if __name__ == "__main__":
    main()
