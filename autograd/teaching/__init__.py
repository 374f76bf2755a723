"""Material for teaching backprop: exercise sheets, their keys, grading, slides.

- `worksheet(root)`: the given numbers, the forward table and the backward table
  (upstream × local = contribution) of a labelled graph, and the key's answers;
- `write_exercise(ex, folder)`: the sheet and its key as HTML and PDF, the key as JSON, an
  answer template, the backward pass as slides and the graph as TikZ (`autograd.teaching.kit`);
- `grade(root, answers)`: each answer correct, wrong, correct given the student's earlier
  numbers, or missing, with the chain-rule step at fault (`autograd.teaching.grading`);
- `deck(root)`: a backward pass as slides, one per step; `tikz(root)`: the graph for LaTeX.

The networks and their numbers come from `nn.exercises`:

>>> from nn.exercises import exercise
>>> ex = exercise("student", seed=7)
>>> key = worksheet(ex.root).answers()
>>> bool(grade(ex.root, {name: float(f"{x:.4g}") for name, x in key.items()}))
True
"""

from autograd.teaching.answers import AnswerError, read_answers
from autograd.teaching.deck import Deck, deck
from autograd.teaching.grading import Grading, Mark, grade
from autograd.teaching.kit import write_class, write_exercise
from autograd.teaching.pdf import PdfUnavailable, print_pdf
from autograd.teaching.tikz import tikz
from autograd.teaching.worksheet import Worksheet, worksheet

__all__ = ["worksheet", "Worksheet", "grade", "Grading", "Mark", "read_answers",
           "AnswerError", "deck", "Deck", "tikz", "write_exercise", "write_class",
           "print_pdf", "PdfUnavailable"]
