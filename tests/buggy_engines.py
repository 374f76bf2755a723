"""Learners' engines with one bug each, for `audit` to find: each is the right engine,
``tests/engines/correct.py`` (the lecture's Value, closures and all), with one edit, written
out as a file of its own when a test asks for it.

Each entry of `BUGS` says the bug in words (the written file's docstring) and the edit, as
(text, replacement) pairs that each occur once in the right engine.

>>> sorted(BUGS)[:3]
['assign', 'bfs', 'built_mul_no_upstream']
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

CORRECT = Path(__file__).resolve().parent / "engines" / "correct.py"

_SORT = '''        stack = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                topo.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if child not in visited)
'''
_RESET = '''        # interior nodes start again from 0; leaves keep what earlier calls gave them
        for node in topo:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0 if self._prev else self.grad + 1.0
'''
_WALK = '''        for node in reversed(topo):
            node._backward()
'''

# micrograd's way: - / and negation built from + * and ** (right on their own)
_BUILT = [
    ('        out = Value(self.data - other.data, (self, other), "-")\n\n'
     "        def _backward():\n            self.grad += out.grad\n"
     "            other.grad -= out.grad\n\n        out._backward = _backward\n"
     "        return out\n", "        return self + (-other)\n"),
    ('        out = Value(self.data / other.data, (self, other), "/")\n\n'
     "        def _backward():\n            self.grad += out.grad / other.data\n"
     "            other.grad -= self.data / other.data**2 * out.grad\n\n"
     "        out._backward = _backward\n        return out\n",
     "        return self * other**-1\n"),
    ('        out = Value(-self.data, (self,), "neg")\n\n'
     "        def _backward():\n            self.grad -= out.grad\n\n"
     "        out._backward = _backward\n        return out\n", "        return self * -1\n"),
]

BUGS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "assign": ("`=` instead of `+=` in the closures of + and *: a Value used twice keeps "
               "only the last contribution", [
                   ("self.grad += out.grad\n            other.grad += out.grad",
                    "self.grad = out.grad\n            other.grad = out.grad"),
                   ("self.grad += other.data * out.grad\n            other.grad += self.data "
                    "* out.grad", "self.grad = other.data * out.grad\n            other.grad "
                    "= self.data * out.grad")]),
    "no_upstream": ("tanh's closure forgets to multiply by out.grad: right only when tanh is "
                    "the last op", [("self.grad += (1 - t**2) * out.grad",
                                     "self.grad += 1 - t**2")]),
    "tanh_input": ("tanh's derivative taken as 1 - x**2 of the input x, not 1 - t**2 of the "
                   "output", [("self.grad += (1 - t**2) * out.grad",
                               "self.grad += (1 - self.data**2) * out.grad")]),
    "pow_exponent": ("a Value exponent is accepted but gets no gradient", [
        ("                other.grad += out.data * math.log(self.data) * out.grad\n", ""),
        ("; d(a**b)/db = a**b * log(a)", "")]),
    "pow_minus_one": ("the power rule without its - 1: n * a**n", [
        ("self.grad += other * self.data ** (other - 1) * out.grad",
         "self.grad += other * self.data**other * out.grad")]),
    "no_rmul": ("no __rmul__, so 2 * a raises TypeError", [
        ("\n    def __rmul__(self, other):  # other * self\n        return self * other\n", "")]),
    "no_wrap": ("+ does not make a number a Value: a + 2 raises AttributeError", [
        ("    def __add__(self, other):\n        other = other if isinstance(other, Value) "
         "else Value(other)\n", "    def __add__(self, other):\n")]),
    "recursive": ("the lecture's recursive build_topo: RecursionError past about 1,000 ops", [
        ("parents, with an explicit stack", "parents, by recursion"),
        (_SORT, "\n        def build_topo(v):\n            if v not in visited:\n"
                "                visited.add(v)\n                for child in v._prev:\n"
                "                    build_topo(child)\n                topo.append(v)\n\n"
                "        build_topo(self)\n")]),
    "no_sort": ("backward() without a topological sort: each node pushes its gradient down "
                "once per path that reaches it", [
                    (_WALK, "        todo = [self]\n        while todo:\n"
                            "            node = todo.pop()\n            node._backward()\n"
                            "            todo.extend(node._prev)\n")]),
    "bfs": ("backward() visits the graph breadth first from the root", [
        (_WALK, "        order, seen, queue = [], {self}, [self]\n        while queue:\n"
                "            node = queue.pop(0)\n            order.append(node)\n"
                "            for child in node._prev:\n                if child not in seen:\n"
                "                    seen.add(child)\n                    queue.append(child)\n"
                "        for node in order:\n            node._backward()\n")]),
    "micrograd_style": ("micrograd's backward(): no gradient is reset, so a second backward() "
                        "starts from the first one's interior gradients", [
                            (_RESET, "        self.grad = 1.0\n")]),
    "resets": ("backward() sets every gradient to 0 first, leaves too: nothing accumulates", [
        (_RESET, "        for node in topo:\n            node.grad = 0.0\n"
                 "        self.grad = 1.0\n")]),
    "loops": ("relu's closure loops forever: while written for if", [
        ("            self.grad += (out.data > 0) * out.grad",
         "            while out.grad != 0:  # meant: if\n"
         "                self.grad += (out.data > 0) * out.grad")]),
    "exits": ("exp's closure ends the Python process: a debugging stop left behind", [
        ("import math\n", "import math\nimport os\n"),
        ("            self.grad += out.data * out.grad", "            os._exit(3)\n"
         "            self.grad += out.data * out.grad")]),
    "built_mul_no_upstream": ("- / and negation built from + * and ** as micrograd does, "
                              "and *'s closure forgets to multiply by out.grad", [
                                  *_BUILT, ("self.grad += other.data * out.grad",
                                            "self.grad += other.data")]),
    "built_pow_minus_one": ("- / and negation built from + * and ** as micrograd does, and "
                            "the power rule without its - 1", [
                                *_BUILT, ("self.grad += other * self.data ** (other - 1) * "
                                          "out.grad", "self.grad += other * self.data**other * "
                                          "out.grad")]),
    "not_reversed": ("backward() runs the topological order as built, leaves first", [
        (_WALK, "        for node in topo:\n            node._backward()\n")]),
    "radd_calls_itself": ("__radd__ written other + self, which calls __radd__ again", [
        ("        return self + other\n", "        return other + self\n")]),
    "crashes": ("the trial at the bottom misspells the class: importing the file raises "
                "NameError", []),
}
"""Each bug: what it is, and the edits that put it in the right engine."""

_CRASH = "\n\na = Value(2.0)\nb = Valeu(3.0)  # the misspelling is the point\nprint((a * b).data)\n"


def source(name: str) -> str:
    """The engine ``name``'s source: the right engine with the bug's edits and docstring."""
    text = CORRECT.read_text(encoding="utf-8")
    if name == "correct":
        return text
    what, edits = BUGS[name]
    body = text[text.index('"""', 3) + 3:]
    for old, new in edits:
        assert body.count(old) == 1, (name, old)
        body = body.replace(old, new)
    if name == "crashes":
        body += _CRASH
    return f'"""A learner\'s engine with one bug: {what}."""' + body


def write(name: str, folder: Path) -> Path:
    """Write the engine ``name`` (a key of `BUGS`, or "correct") as ``folder/name.py``."""
    path = folder / f"{name}.py"
    path.write_text(source(name), encoding="utf-8")
    return path


def folder() -> Path:
    """A temporary folder holding every engine, removed when the process ends."""
    made = Path(tempfile.mkdtemp(prefix="engines-"))
    atexit.register(shutil.rmtree, made, ignore_errors=True)
    for name in ("correct", *BUGS):
        write(name, made)
    return made
