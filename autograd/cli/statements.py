"""EXPR as an article writes it: one formula, or named steps such as
``z1 = w1*x1 + w2*x2 + b1; h1 = relu(z1); y_hat = sigmoid(w5*h1 + b3)``.

Statements are separated by ``;`` or new lines; ``@path`` reads them from a file, where
``#`` starts a comment. Each ``name = formula`` becomes a Value labelled ``name``, so that
explanations, drawings and claims speak of z1 and h1; the last statement is the root (a
bare formula there is labelled ``f``). The variables, the leaves of the graph, come from
``--at NAME=VALUE``. ``e`` and ``pi`` are the constants e and π unless a variable or a
statement has that name. Articles' symbols are understood: ``·`` and ``×`` as ``*``, ``−``
as ``-``, ``w₁`` as ``w1``. Every formula is parsed by `autograd.formula` against a
whitelist, never passed to ``eval``. Errors name the statement, by number and text, and say
what to write instead.

>>> program = build("z = w*x + b; y = relu(z)", {"w": 0.5, "x": 2.0, "b": 0.1})
>>> program.root.label, program.root.data, [v.label for v in program.named.values()]
('y', 1.1, ['z', 'y'])
"""

from __future__ import annotations

import keyword
import math
import os
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from autograd.formula import (
    CONSTANTS,
    FUNCTIONS,
    LARGEST,
    FormulaError,
    evaluate,
    evaluate_tree,
    from_articles,
    names_in,
    parse,
    quoted,
    shortened,
    too_large,
)
from autograd.graph import made_from, topological_order
from autograd.ops import OPS
from autograd.value import Value


class UsageError(ValueError):
    """Input the command cannot use; reported as one line, exit status 2.

    >>> parse_assignments(["w"])
    Traceback (most recent call last):
    ...
    autograd.cli.statements.UsageError: --at expects NAME=VALUE, such as w=0.5; got 'w'
    """


# Articles' symbols, each replaced by one character so that columns stay where they were.
def normalise(text: str) -> str:
    """The formula language's spelling of an article's symbols (`from_articles`).

    >>> normalise("w₁·x₁ − 2×b")
    'w1*x1 - 2*b'
    """
    return from_articles(text)


def name_of(text: str) -> str:
    """A name as the formula language reads it: stripped, symbols normalised, and in
    Unicode's NFKC form, as Python reads names (so ``w₁`` is ``w1``).

    >>> name_of(" w₁ "), name_of("ŷ")
    ('w1', 'ŷ')
    """
    return unicodedata.normalize("NFKC", normalise(text.strip()))


def parse_number(text: str, what: str) -> float:
    """A finite number, as typed: ``0.5``, ``−0.5``, ``1e-3``, or a formula of numbers and
    the constants e and pi (``pi/4``). ``what`` names it in the error.

    >>> parse_number("−0.5", "--at w"), parse_number("1/4", "--at w")
    (-0.5, 0.25)
    """
    written = normalise(text.strip())
    try:
        number = float(written)
    except ValueError:
        try:
            number = float(evaluate(written, {}))
        except FormulaError as err:
            if "too large" in str(err):
                raise UsageError(f"{what}: {err}") from None
            raise UsageError(f"{what}: {quoted(text.strip())} is not a number; write one "
                             "such as 0.5 or -2") from None
        except (ArithmeticError, ValueError, TypeError):
            raise UsageError(f"{what}: {quoted(text.strip())} is not a number; write one such "
                             "as 0.5 or -2") from None
    if math.isnan(number) or written.lower().lstrip("+-−").startswith("inf"):
        raise UsageError(f"{what}: needs a finite number, got {quoted(text.strip())}")
    if not abs(number) <= LARGEST:
        raise UsageError(f"{what}: {too_large(written)}")
    return number


def parse_assignments(items: Sequence[str], option: str = "--at") -> dict[str, float]:
    """``["w=0.5", "x=2"]`` -> ``{"w": 0.5, "x": 2.0}``, in the order given. A name given
    twice with the same value is kept once; with different values it is an error, which
    names ``option`` (the option the items came with).

    >>> parse_assignments(["w=0.5", "x=2", "w₁=−1"])
    {'w': 0.5, 'x': 2.0, 'w1': -1.0}
    """
    values: dict[str, float] = {}
    for item in items:
        name, sep, number = item.partition("=")
        name = name_of(name)
        if not sep or not name.isidentifier():
            raise UsageError(f"{option} expects NAME=VALUE, such as w=0.5; got {quoted(item)}")
        value = parse_number(number, f"{option} {shortened(name)}")
        if name in values and values[name] != value:
            raise UsageError(f"{option} {shortened(name)} is given twice, as {values[name]:g} "
                             f"and {value:g}: keep one")
        values[name] = value
    return values


def read_expression(expression: str) -> str:
    """EXPR itself, or for ``@path`` the text of that file, for ``@-`` standard input.

    >>> read_expression("x*x")
    'x*x'
    """
    if not expression.startswith("@"):
        return expression
    path = expression[1:]
    if not path:
        raise UsageError("@ needs a file name: @net.txt reads the statements from net.txt "
                         "(@- from standard input)")
    source = "standard input" if path == "-" else shortened(path, 80)
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(4 * MAX_FILE + 1)
        else:
            if os.path.exists(path) and not os.path.isfile(path):  # opening a pipe waits
                raise UsageError(f"{source}: not a file of statements (a folder, a pipe or "
                                 "a device); @- reads standard input")
            with open(path, "rb") as file:
                raw = file.read(4 * MAX_FILE + 1)
        if len(raw) > 4 * MAX_FILE:  # more characters than MAX_FILE, whatever they are
            raise UsageError(f"{source}: longer than {MAX_FILE:,} characters; a file of "
                             "statements is a few lines")
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{source}: not a UTF-8 text file of statements") from None
    except OSError as err:
        raise UsageError(f"cannot read the statements in {source}: "
                         f"{err.strerror or err}") from None
    if len(text) > MAX_FILE:
        raise UsageError(f"{source}: longer than {MAX_FILE:,} characters; a file of "
                         "statements is a few lines")
    return text


@dataclass(frozen=True)
class Statement:
    """One statement: ``name = formula``, or a bare formula (``name`` is None).

    >>> split_statements("z1 = w*x; relu(z1)")[0]
    Statement(number=1, text='z1 = w*x', name='z1', formula='w*x', column=5)
    """

    number: int
    """1-based, counting the statements that are not empty"""
    text: str
    """as written (symbols normalised, spaces at the ends removed)"""
    name: str | None
    formula: str
    column: int
    """where ``formula`` starts in ``text``"""

    def where(self) -> str:
        """How errors name the statement.

        >>> split_statements("z1 = w1*x1; h1 = relu(z1)")[1].where()
        'statement 2 (h1 = relu(z1))'
        """
        return _where(self.number, self.text)


def _where(number: int, text: str) -> str:
    # A statement as errors name it, shortened: a file's text is not echoed at length.
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f"statement {number} ({shown})"


MAX_FILE = 1_000_000
"""The longest file of statements read (in characters)."""


_ASSIGNMENT = re.compile(r"(?<![=<>!])=(?!=)")  # one '=', not part of == <= >= !=


def split_statements(text: str) -> list[Statement]:
    """The statements of ``text``, separated by ``;`` or new lines; ``#`` starts a comment
    and empty statements are skipped.

    >>> [s.name for s in split_statements("a = x*2  # double\\n b = a + 1;; a*b")]
    ['a', 'b', None]
    """
    found: list[Statement] = []
    for line in normalise(text).splitlines() or [""]:
        for part in line.split("#", 1)[0].split(";"):
            written = part.strip()
            if written:
                found.append(_statement(len(found) + 1, written))
    return found


def variables_of(statements: Sequence[Statement]) -> list[str]:
    """The names the statements use that none of them defines, statement by statement:
    the variables --at gives numbers to (e and pi among them when used). A statement that
    cannot be parsed is passed over: `build` says what is wrong with it.

    >>> sorted(variables_of(split_statements("z = w*x + b; h = relu(z)*pi; L = (h - y)**2")))
    ['b', 'pi', 'w', 'x', 'y']
    """
    defined = {s.name for s in statements if s.name is not None}
    used: dict[str, None] = {}
    for s in statements:
        try:
            used.update(dict.fromkeys(names_in(parse(s.formula))))
        except FormulaError:
            continue
    return [name for name in used if name not in defined]


def _statement(number: int, text: str) -> Statement:
    match = _ASSIGNMENT.search(text)
    if match is None:
        return Statement(number, text, None, text, 0)
    left, formula = text[: match.start()], text[match.end():]
    where = _where(number, text)
    name = name_of(left)
    short = shortened(name)
    if not name.isidentifier():
        raise UsageError(f"{where}: the left of '=' must be a name, such as z1 = w1*x1 + b1; "
                         f"got {quoted(left.strip())}")
    if keyword.iskeyword(name):
        raise UsageError(f"{where}: {name!r} is a reserved word and cannot name a value; "
                         f"choose another, such as {name}1")
    if name in FUNCTIONS:
        raise UsageError(f"{where}: {name!r} is a function; choose another name, such as "
                         f"{name}1")
    if _ASSIGNMENT.search(formula):
        raise UsageError(f"{where}: one '=' per statement: write name = formula, and the next "
                         "statement after a ';'")
    if not formula.strip():
        raise UsageError(f"{where}: nothing after '=': write name = formula, such as "
                         f"{short} = w*x + b")
    column = match.end() + len(formula) - len(formula.lstrip())
    return Statement(number, text, name, formula.strip(), column)


@dataclass(frozen=True)
class Program:
    """Statements built into a graph: the root (the last statement), the variables (the
    leaves given by ``--at``, in that order) and the named values (one per statement, in
    order; the root included).

    >>> p = build("a = x*2; a + 1", {"x": 3.0})
    >>> p.text, p.root.label, p.root.data, list(p.variables), list(p.named)
    ('a = x*2; a + 1', 'f', 7.0, ['x'], ['a', 'f'])
    """

    statements: tuple[Statement, ...]
    root: Value
    variables: dict[str, Value]
    named: dict[str, Value]
    overflow: str | None = field(default=None, compare=False)
    """which op first made a value infinite or NaN (from finite inputs), as a note"""

    def notes(self) -> list[str]:
        """What the commands say on standard error after ``root.backward()``: the first
        value that overflowed, else the first gradient.

        >>> p = build("y = x*1e308*10", {"x": 1.0})
        >>> p.root.backward()
        >>> p.notes()
        ['`*` made the first infinite value: 1e308 * 10 = inf (in y = x*1e308*10)']
        """
        if self.overflow is not None:
            return [self.overflow]
        gradient = backward_overflow(self.root)
        return [gradient] if gradient else []

    @property
    def text(self) -> str:
        """The statements in one line, separated by ``; ``.

        >>> build("a = x  # x twice\\nb = a*2;", {"x": 1.0}).text
        'a = x; b = a*2'
        """
        return "; ".join(s.text for s in self.statements)

    def lines(self) -> list[str]:
        """The forward pass: ``name = formula = value`` for each statement.

        >>> build("z = w*x; y = relu(z); c = 2", {"w": 0.5, "x": -2.0}).lines()
        ['z = w*x = -1', 'y = relu(z) = 0', 'c = 2']
        """
        lines = []
        for s, v in zip(self.statements, self.named.values()):
            value = f"{v.data + 0.0:.10g}"
            lines.append(f"{v.label} = {value}" if s.formula == value
                         else f"{v.label} = {s.formula} = {value}")
        return lines

    def find(self, name: str) -> Value | None:
        """The variable or named value called ``name`` (subscripts and NFKC allowed), else
        None.

        >>> p = build("z₁ = 2*w", {"w": 1.0})
        >>> p.find("z1") is p.root, p.find("w₁") is None
        (True, True)
        """
        key = name_of(name)
        return self.variables[key] if key in self.variables else self.named.get(key)


def build(text: str, at: Mapping[str, float], *, const: bool = False) -> Program:
    """Build the statements of ``text`` from Values named by ``at``; do not run backward.

    Each statement may use the variables, the names of the statements before it, and the
    constants e and pi. Every variable of ``at`` must be used. ``const``: the command also
    takes ``--const NAME=VALUE``, which the error for a name with no value then offers.

    >>> build("h = relu(z); z = 2*x", {"x": 1.0})
    Traceback (most recent call last):
    ...
    autograd.cli.statements.UsageError: statement 1 (h = relu(z)) uses z before it is defined: \
statement 2 (z = 2*x) defines it; move that statement up
    """
    statements = split_statements(text)
    if not statements:
        raise UsageError('the expression is empty: write a formula such as "w*x + b", or '
                         'statements such as "z = w*x + b; y = relu(z)"')
    single = len(statements) == 1
    defined_by: dict[str, int] = {}
    for s in statements:
        if s.name is None:
            continue
        short = shortened(s.name)
        if s.name in defined_by:
            first = statements[defined_by[s.name] - 1]
            raise UsageError(f"{s.where()}: {short} is already defined by {first.where()}; "
                             f"each name is defined once: give this one a new name, such as "
                             f"{short}_2")
        if s.name in at:
            raise UsageError(f"{s.where()}: {short} is also given with --at {short}=...: a "
                             "name is either a variable (--at) or computed (name = ...); drop "
                             "one of the two")
        defined_by[s.name] = s.number
    for s in statements[:-1]:
        if s.name is None:
            raise UsageError(f"{s.where()}: only the last statement may be a bare formula; "
                             f"name this one (v = {shortened(s.text)}) or delete it")
    variables = {name: Value(value, label=name) for name, value in at.items()}
    scope: dict[str, Value] = dict(variables)
    named: dict[str, Value] = {}
    used: dict[str, None] = {}  # every name a formula uses, in order of appearance
    earlier = {id(v) for v in variables.values()}  # the Values a statement may name again
    for s in statements:
        prefix = "" if single else f"{s.where()}: "
        try:
            tree = parse(s.formula)
            wanted = names_in(tree)
        except FormulaError as err:
            raise UsageError(prefix + _moved(str(err), s)) from None
        for name in wanted:
            used[name] = None
            if name in scope or (name in CONSTANTS and name not in defined_by):
                continue
            if name == s.name:
                raise UsageError(f"{prefix}{shortened(name)} is used in its own definition; "
                                 "each name is defined once, from the names before it")
            if name in defined_by:
                later = statements[defined_by[name] - 1]
                raise UsageError(f"{s.where()} uses {shortened(name)} before it is defined: "
                                 f"{later.where()} defines it; move that statement up")
            raise UsageError(prefix + _missing(name, {*scope, *defined_by}, const))
        try:
            result = evaluate_tree(tree, scope)
        except (ArithmeticError, ValueError) as err:
            raise UsageError(prefix + _moved(str(err), s)) from None
        label = s.name or _free_label(set(scope) | set(defined_by))
        value = _own_value(result, earlier)
        value.label = label
        named[label] = value
        scope[label] = value
        earlier.add(id(value))
    unused = [name for name in at if name not in used]
    if unused:
        have = ", ".join(n for n in used if n not in defined_by and n not in CONSTANTS) or "none"
        raise UsageError(f"{quoted(unused[0])} does not appear in the expression (its "
                         f"variables: {shortened(have, 100)}); drop --at "
                         f"{shortened(unused[0])}=...")
    return Program(tuple(statements), value, variables, named,
                   _first_overflow(value, statements, named))


def _own_value(result: float | Value, earlier: set[int]) -> Value:
    # A statement's own Value to label: a number becomes a leaf; a Value that is already a
    # variable or a statement (h = z; ``earlier`` holds their ids) gets a node of its own, so
    # that labelling it does not rename the other.
    if not isinstance(result, Value):
        return Value(float(result))
    if not result.parents or id(result) in earlier:
        return result + 0.0
    return result


def _shown(x: float) -> str:
    # A number in an overflow note: 1e308, 10, inf.
    return f"{x:.6g}".replace("e+", "e")


def _first_overflow(root: Value, statements: Sequence[Statement],
                    named: Mapping[str, Value]) -> str | None:
    # The first Value, in topological order, made infinite or NaN from finite parents, as a
    # note naming the first statement whose value is made from it.
    order = topological_order(root)
    for v in order:
        if v.parents and not math.isfinite(v.data) and all(math.isfinite(p.data)
                                                           for p in v.parents):
            reached = made_from(order, [v])
            where = next((s for s in statements if named.get(s.name or "") in reached
                          or (s.name is None and root in reached)), statements[-1])
            return _overflow_note(v, where)
    return None


def _overflow_note(v: Value, statement: Statement) -> str:
    # "`*` made the first infinite value: 1e308 * 10 = inf (in x*1e308*10)"
    op = OPS.get(v.op)
    name = op.name if op is not None else v.op
    symbol = op.symbol if op is not None and len(v.parents) == 2 else name
    numbers = [_shown(p.data) for p in v.parents]
    if len(numbers) == 2 and symbol in ("+", "-", "*", "/", "**"):
        shown = f"{numbers[0]} {symbol} {numbers[1]}"
    elif v.op == "neg":
        symbol, shown = "-", f"-{numbers[0]}"
    else:
        shown = f"{name}({', '.join(numbers)})"
    what = "NaN" if math.isnan(v.data) else "infinite"
    return (f"`{symbol}` made the first {what} value: {shown} = {_shown(v.data)} (in "
            f"{shortened(statement.text, 60)})")


def backward_overflow(root: Value) -> str | None:
    """After ``root.backward()``: the first backward step (in backward order) that made a
    gradient infinite or NaN from finite numbers, as a note; None when every one is finite.

    >>> x = Value(1e-200, label="x")
    >>> y = 1 / x
    >>> y.backward()
    >>> backward_overflow(y)
    'the local derivative of `/` is -inf at 1 / 1e-200, so the gradient of x is not finite'
    """
    order = topological_order(root)
    for v in reversed(order):
        if not math.isfinite(v.grad):
            return f"adding up the gradient of {_called(v)} overflowed: it is {_shown(v.grad)}"
        for p, local in zip(v.parents, v.local_grads):
            if math.isfinite(local * v.grad):
                continue
            if not math.isfinite(local):
                return (f"the local derivative of `{_symbol(v)}` is {_shown(local)} at "
                        f"{_inputs(v)}, so the gradient of {_called(p)} is not finite")
            return (f"the backward step of `{_symbol(v)}` made the first infinite gradient: "
                    f"upstream × local = {_shown(v.grad)} × {_shown(local)} = "
                    f"{_shown(local * v.grad)}, sent to {_called(p)}")
    return None


def _symbol(v: Value) -> str:
    op = OPS.get(v.op)
    return op.symbol if op is not None and len(v.parents) == 2 else (op.name if op else v.op)


def _inputs(v: Value) -> str:
    numbers = [_shown(p.data) for p in v.parents]
    if len(numbers) == 2 and _symbol(v) in ("+", "-", "*", "/", "**"):
        return f"{numbers[0]} {_symbol(v)} {numbers[1]}"
    return f"{_symbol(v)}({', '.join(numbers)})"


def _called(v: Value) -> str:
    return shortened(v.label, 30) if v.label else f"the value {_shown(v.data)}"


def _free_label(taken: set[str]) -> str:
    # The label of a bare last formula: f, unless a variable or a statement is called f.
    for label in ("f", "out", "result"):
        if label not in taken:
            return label
    return next(f"f{k}" for k in range(len(taken) + 1) if f"f{k}" not in taken)


def _missing(name: str, known: set[str], const: bool = False) -> str:
    message = f"no value for {quoted(name)}: add --at {shortened(name)}=NUMBER"
    if const:
        message += f" (or --const {shortened(name)}=NUMBER, held at every point)"
    product = _as_product(name, {*known, *CONSTANTS})
    if product and len(product) > 60:
        factors = product.count("*") + 1
        message += f", or, for a product, write {product[:30]}… ({factors:,} factors)"
    elif product:
        message += f", or, for a product, write {product}"
    return message


def _as_product(name: str, known: set[str]) -> str | None:
    """``w1x1`` read as ``w1*x1`` when it splits into known names (the fewest); None when
    it does not. Linear in the name's length: only the lengths of known names are tried.

    >>> _as_product("w1x1", {"w1", "x1", "w"}), _as_product("ab", {"a"})
    ('w1*x1', None)
    """
    lengths = sorted({len(k) for k in known if 0 < len(k) <= len(name)})
    # best[end]: (parts, where the last part starts) of the fewest parts making name[:end]
    best: dict[int, tuple[int, int]] = {0: (0, 0)}
    for end in range(1, len(name) + 1):
        for size in lengths:
            start = end - size
            if start < 0:
                break
            if start in best and name[start:end] in known:
                if end not in best or best[start][0] + 1 < best[end][0]:
                    best[end] = (best[start][0] + 1, start)
    if len(name) not in best or best[len(name)][0] < 2:
        return None
    parts, end = [], len(name)
    while end:
        start = best[end][1]
        parts.append(name[start:end])
        end = start
    return "*".join(reversed(parts))


_COLUMN = re.compile(r"at column (\d+)")


def _moved(message: str, s: Statement) -> str:
    # A formula's column counted in the statement's text, where the reader looks.
    if not s.column:
        return message
    return _COLUMN.sub(lambda m: f"at column {int(m.group(1)) + s.column}", message, count=1)
