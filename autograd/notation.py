"""Names and formulas as people write them: the one place that turns Values into text.

Drawing, explaining and stepping all speak of a Value by the same name: its label; for an
unlabelled leaf its number; else the expression that made it (``1 − ŷ``, ``log(1 − ŷ)``),
or, when that is long, the op with its inputs elided (``… + …``). Local derivatives are the
op table's formula text written in those names, with constants put in and trivial parts
simplified (``2·x`` rather than ``2 * x**(2 - 1)``). Numbers show four significant digits
and never ``-0``.

>>> from autograd import Value
>>> from autograd.graph import topological_order
>>> y = Value(0.5, label="ŷ")
>>> names(topological_order((1 - y).log()))
['1', 'ŷ', '1 − ŷ', 'log(1 − ŷ)']
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from autograd.formula import constant_of, parse, signed_constant_of, simplify
from autograd.formula import names as names_used
from autograd.ops import OPS, Op
from autograd.value import Constant, Value

FORMAT = ".4g"
"""How numbers are shown unless a ``fmt`` is given: four significant digits."""

MAX_NAME = 28
"""An unlabelled Value's expression longer than this is shown with its inputs elided."""

_SUM, _PRODUCT, _NEGATION, _POWER, _ATOM = 1, 2, 3, 4, 5  # how tightly each form binds
_SYMBOLS: dict[type, tuple[str, int]] = {
    ast.Add: (" + ", _SUM), ast.Sub: (" − ", _SUM),
    ast.Mult: ("·", _PRODUCT), ast.Div: (" / ", _PRODUCT), ast.Pow: ("**", _POWER),
}
_FUNCTION_NAMES = {"sigmoid": "σ"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def number(x: float, fmt: str = FORMAT) -> str:
    """A number as shown in drawings and explanations; zero is never ``-0``.

    >>> number(2.0), number(0.123456), number(-1e-9), number(-0.0)
    ('2', '0.1235', '-1e-09', '0')
    """
    text = format(x + 0.0 if x == 0 else x, fmt)  # -0.0 + 0.0 is 0.0
    return "0" if re.fullmatch(r"-0\.?0*(e[+-]?\d+)?", text) else text


def _is_atom(text: str) -> bool:
    # A name, a positive number, one call f(...) or one bracket (...): safe anywhere.
    if re.fullmatch(r"[^\s()+\-−·*/]+", text) and not text.startswith("-"):
        return True
    if is_number(text):  # 4.862e+04 is one number; -2 is not an atom
        return not text.startswith("-")
    head = re.match(r"[^\s()+\-−·*/]*\(", text)
    if not head or not text.endswith(")"):
        return False
    depth = 0
    for i, ch in enumerate(text[head.end() - 1 :], head.end() - 1):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i == len(text) - 1
    return False


def _binding(text: str) -> int:
    # How tightly a shown name binds, read off its text (conservatively).
    if _is_atom(text):
        return _ATOM
    if text.startswith(("-", "−")) and _is_atom(text[1:]):
        return _NEGATION
    return _SUM


def bracket(text: str) -> str:
    """``text`` in parentheses unless it is a name, a positive number or a call.

    >>> bracket("w1"), bracket("1 − ŷ"), bracket("σ(z3)"), bracket("-2")
    ('w1', '(1 − ŷ)', 'σ(z3)', '(-2)')
    """
    return text if _is_atom(text) else f"({text})"


# ---- formulas: the op table's texts, written in people's names ----------------------------


@lru_cache(maxsize=512)
def _tree(text: str) -> ast.expr:
    return parse(text)


def write(tree: ast.expr, names: Mapping[str, str] = {}, fmt: str = FORMAT) -> str:  # noqa: B006
    """A formula tree as people write it: ``·`` for products, ``−`` for minus, small
    integer powers as superscripts, each name replaced by ``names`` (bracketed as needed).

    >>> write(parse("out * (1 - out)"), {"out": "ŷ"})
    'ŷ·(1 − ŷ)'
    >>> write(parse("a**2 + sigmoid(a)"), {"a": "x − 1"})
    '(x − 1)² + σ(x − 1)'
    """
    return _write(tree, names, fmt)[0]


def _write(node: ast.expr, names: Mapping[str, str], fmt: str) -> tuple[str, int]:
    if isinstance(node, ast.Name):
        text = names.get(node.id, node.id)
        return text, _binding(text)
    value = constant_of(node)
    if value is not None:
        return number(value, fmt), _ATOM
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = _FUNCTION_NAMES.get(node.func.id, node.func.id)
        return f"{name}({_write(node.args[0], names, fmt)[0]})", _ATOM
    if isinstance(node, ast.UnaryOp):
        value = signed_constant_of(node)
        if value is not None:  # a negative number, written as numbers are: x·(-1), -1
            return number(value, fmt), _SUM
        inner, binding = _write(node.operand, names, fmt)
        return f"−{inner if binding > _NEGATION else f'({inner})'}", _NEGATION
    if isinstance(node, ast.BinOp):
        symbol, binding = _SYMBOLS[type(node.op)]
        left, lb = _write(node.left, names, fmt)
        right, rb = _write(node.right, names, fmt)
        if isinstance(node.op, ast.Pow):
            left = left if lb == _ATOM else f"({left})"
            power = constant_of(node.right)
            if power is not None and power.is_integer() and 2 <= power <= 9:
                return left + number(power).translate(_SUPERSCRIPT), _POWER
            return f"{left}**{right if rb == _ATOM else f'({right})'}", _POWER
        left = left if lb >= binding else f"({left})"
        loose = isinstance(node.op, (ast.Sub, ast.Div))  # a − (b + c), a / (b·c)
        right = right if rb > binding or (rb == binding and not loose) else f"({right})"
        return f"{left}{symbol}{right}", binding
    return ast.unparse(node), _SUM


def render(text: str, names: Mapping[str, str], constants: Mapping[str, float] = {},  # noqa: B006
           fmt: str = FORMAT) -> str:
    """Formula text in the op table's names, written with other names and simplified.

    >>> render("out * (1 - out)", {"out": "ŷ"})
    'ŷ·(1 − ŷ)'
    >>> render("1 / a", {"a": "1 − ŷ"})
    '1 / (1 − ŷ)'
    >>> render("b * a**(b - 1)", {"a": "e"}, {"b": 3.0})
    '3·e²'
    """
    return write(simplify(_tree(text), constants), names, fmt)


def is_constant(v: Value) -> bool:
    """True for a number written in the code (a `Constant` the engine made, unlabelled).
    Drawings and steps show it with no gradient, and formulas put its number in.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> is_constant((x * 3).parents[1]), is_constant(x)
    (True, False)
    """
    return isinstance(v, Constant) and not v.label


def local_formula(node: Value, i: int, name_of: Mapping[Value, str], fmt: str = FORMAT) -> str:
    """The op table's formula for ∂node/∂(parent i), in the names ``name_of`` gives, with
    constant parents (unlabelled leaves) put in as numbers.

    >>> from autograd import Value
    >>> w, x = Value(0.5, label="w1"), Value(2.0, label="x1")
    >>> z = w * x
    >>> local_formula(z, 0, {w: "w1", x: "x1", z: "z"})
    'x1'
    >>> y = x**2
    >>> local_formula(y, 0, {x: "x1", y.parents[1]: "2", y: "x1²"})
    '2·x1'
    """
    parts = _local_parts(node, i, name_of)
    return "?" if parts is None else render(*parts, fmt=fmt)


def _local_parts(
    node: Value, i: int, name_of: Mapping[Value, str]
) -> tuple[str, dict[str, str], dict[str, float]] | None:
    # The op table's text for ∂node/∂(parent i), the names it speaks of and its constants.
    op = OPS.get(node.op)
    if op is None:
        return None
    n = len(node.parents)
    text = op.formula(i, n)
    given, constants = {"out": name_of[node]}, {}
    position = _positions(op, n)
    for name in _names_in(text):  # only the inputs the formula speaks of: a wide op has many
        if name in position:
            parent = node.parents[position[name]]
            given[name] = name_of[parent]
            if is_constant(parent):
                constants[name] = parent.data
    return text, given, constants


@lru_cache(maxsize=256)
def _positions(op: Op, n: int) -> dict[str, int]:
    return {name: k for k, name in enumerate(op.input_names(n))}


@lru_cache(maxsize=512)
def _names_in(text: str) -> tuple[str, ...]:
    return tuple(names_used(text))


def local_text(node: Value, i: int, name_of: Mapping[Value, str], fmt: str = FORMAT,
               width: int | None = None) -> str:
    """`local_formula`, and for a function of one input also its textbook name:
    ``σ'(z3) = ŷ·(1 − ŷ)``. With a ``width``, what fits: both, else the formula, else the
    name alone.

    >>> from autograd import Value
    >>> z = Value(0.5, label="z3"); y = z.sigmoid(); y.label = "ŷ"
    >>> local_text(y, 0, {z: "z3", y: "ŷ"}), local_text(y, 0, {z: "z3", y: "ŷ"}, width=8)
    ("σ'(z3) = ŷ·(1 − ŷ)", "σ'(z3)")
    """
    formula = local_formula(node, i, name_of, fmt)
    op = OPS.get(node.op)
    if op is None or len(node.parents) != 1 or is_number(formula) or op.symbol in "+-*/**":
        return formula
    short = f"{op.symbol}'({name_of[node.parents[0]]})"
    both = f"{short} = {formula}"
    if width is None or len(both) <= width:
        return both
    return formula if len(formula) <= width else short


def derivative_name(child: str, parent: str) -> str:
    """``∂child/∂parent``, bracketed where needed.

    >>> derivative_name("z1", "w1"), derivative_name("1 − ŷ", "ŷ")
    ('∂z1/∂w1', '∂(1 − ŷ)/∂ŷ')
    """
    return f"∂{bracket(child)}/∂{bracket(parent)}"


def is_number(text: str) -> bool:
    """True when ``text`` reads as a number.

    >>> is_number("-2.5"), is_number("x1")
    (True, False)
    """
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---- names of Values ----------------------------------------------------------------------


def expression_name(node: Value, args: list[str], fmt: str = FORMAT,
                    max_length: int | None = MAX_NAME) -> str:
    """What an unlabelled Value is called: the expression that made it, in its parents'
    names ``args``; when that is longer than ``max_length`` (`MAX_NAME`), with its longest
    inputs elided until it fits (``(x − y)² + …``, ``σ(…)``); ``max_length=None`` writes it
    whole.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> expression_name(x * 3, ["x", "3"]), expression_name((x * 3).exp(), ["3·x"])
    ('x·3', 'exp(3·x)')
    >>> expression_name(x + 1, ["a_rather_long_name", "another_long_name"])
    '… + another_long_name'
    >>> expression_name(x + 1, ["a_rather_long_name", "another_long_name"], max_length=None)
    'a_rather_long_name + another_long_name'
    """
    return _expression(node, args, fmt, max_length)[0]


def _expression(node: Value, args: list[str], fmt: str,
                max_length: int | None = MAX_NAME) -> tuple[str, list[bool] | None]:
    # expression_name, and which inputs it elides (None: the op's symbol alone)
    op = OPS.get(node.op)
    if max_length is None:
        return _written(node, op, args, fmt), [False] * len(args)
    if op is not None and op.variadic and len(args) > 5:
        return op.symbol, None  # a neuron's weighted sum of many inputs: Σw·x+b
    shown = list(args)
    elided = [False] * len(args)
    longest_first = sorted(range(len(args)), key=lambda k: -len(args[k]))
    for k in [None, *longest_first]:  # elide the longest inputs first, until it fits
        if k is not None:
            shown[k], elided[k] = "…", True
        text = _written(node, op, shown, fmt)
        if len(text) <= max_length:
            break
    return text, elided


def _written(node: Value, op: Op | None, args: list[str], fmt: str) -> str:
    if op is not None and op.name == "powc" and len(args) == 2 and is_number(args[1]):
        return render("a**b", {"a": args[0]}, {"b": float(args[1])}, fmt)
    # the forward as formula text in the op's input names; "" for a call (σ(z), not sigmoid)
    template = op.forward_expression(len(args)) if op else ""
    if template and op is not None:
        return render(template, dict(zip(op.input_names(len(args)), args)), fmt=fmt)
    return f"{op.symbol if op else node.op}({', '.join(args)})"


def names(order: list[Value], fmt: str = FORMAT) -> list[str]:
    """How each Value of a topological order is called in formulas: its label; for an
    unlabelled leaf its number; else its `expression_name`.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> y = Value(0.5, label="y")
    >>> names(topological_order((1 - y) ** 2))
    ['1', 'y', '1 − y', '2', '(1 − y)²']
    """
    shown: list[str] = []
    index: dict[Value, int] = {}
    for i, v in enumerate(order):
        index[v] = i
        if v.label:
            shown.append(v.label)
        elif not v.parents:
            shown.append(number(v.data, fmt))
        else:
            shown.append(expression_name(v, [shown[index[p]] for p in v.parents], fmt))
    return shown


def names_map(order: list[Value], fmt: str = FORMAT) -> dict[Value, str]:
    """`names` as a mapping from each Value to its name.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> x = Value(2.0, label="x")
    >>> list(names_map(topological_order(x.exp())).values())
    ['x', 'exp(x)']
    """
    return dict(zip(order, names(order, fmt)))


# ---- LaTeX: the same names and formulas, typeset as the articles write them ---------------
#
# Every character a user typed goes through `latex_name` or `_latex_text`, which write the
# characters LaTeX treats specially (\ { } $ & # ^ _ % ~) as symbols, so that no label can
# break the math or run a command. What comes out is accepted alike by LaTeX (amsmath),
# MathJax, KaTeX and matplotlib's mathtext, which the tests render it with.

_GREEK_NAMES = frozenset((
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma "
    "tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split())
_GREEK_LETTERS: dict[str, str] = {
    **{ch: "\\" + name for ch, name in zip(
        "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩςϑϕϵ",
        ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
         "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi "
         "Psi Omega varsigma vartheta phi epsilon").split())},
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧο", "ABEZHIKMNOPTXo")),  # capitals that look Latin, omicron
}
_ACCENTS = {"\u0300": "grave", "\u0301": "acute", "\u0302": "hat", "\u0303": "tilde",
            "\u0304": "bar", "\u0306": "breve", "\u0307": "dot", "\u0308": "ddot",
            "\u030c": "check", "\u20d7": "vec"}  # combining marks, as NFD writes ŷ: y + U+0302
_ACCENT_WORDS = frozenset({"hat", "bar", "tilde"})  # y_hat is ŷ
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_LABEL = re.compile(
    r"(?P<base>[A-Za-z]+|[\u0391-\u03a9\u03b1-\u03c9\u03d1\u03d5\u03f5])"
    r"(?P<accent>[\u0300-\u0304\u0306-\u0308\u030c\u20d7]?)"
    r"(?P<digits>[0-9]+(?:,[0-9]+)*|[₀-₉]+)?"
    r"(?:_(?P<sub>[A-Za-z0-9]+(?:,[A-Za-z0-9]+)*))?"
    r"(?P<index>\[[0-9]+(?:,[0-9]+)*\])?"
)
"""A label as the articles name things: ``w1``, ``w₁``, ``ŷ``, ``y_hat``, ``θ_j1``,
``a1_1``, ``W1[1,2]``, ``Activation_1``. Any other label is written as upright text."""

_LATEX_ESCAPES = {
    "\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "#": r"{\#}", "%": r"\%",
    "_": r"\_", "^": r"\wedge ", "~": r"\sim ",
    # mathtext knows \& only in text (LaTeX, MathJax and KaTeX take it there too), and reads
    # \# before a letter wrongly unless it is grouped
    "&": r"\text{\&}",
    "−": "-", "·": r"\cdot ", "…": r"\ldots ", "×": r"\times ",  # the text names' signs
}
_LATEX_CALLS = {
    "sigmoid": r"\sigma", "log": r"\log", "tanh": r"\tanh", "sin": r"\sin", "cos": r"\cos",
    "exp": r"\exp", "relu": r"\operatorname{ReLU}", "leaky_relu": r"\operatorname{LReLU}",
    "softplus": r"\operatorname{softplus}", "step": r"\operatorname{step}",
    "sign": r"\operatorname{sign}",
}
"""The formula language's functions (and the ops of the same names) as LaTeX operators;
``exp``, ``sqrt`` and ``abs`` are written as e^{x}, \\sqrt{x} and |x| inside formulas."""


def _latex_text(text: str) -> str:
    # Any text as the characters it shows, safe inside math (and inside \mathrm{...}). Letters
    # other than ASCII go in \text{...}: LaTeX and KaTeX take é there, not in math; symbols
    # such as → are math already.
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _LATEX_ESCAPES:
            out.append(_LATEX_ESCAPES[ch])
        elif ch in _GREEK_LETTERS:
            greek = _GREEK_LETTERS[ch]
            out.append(greek + " " if greek.startswith("\\") else greek)
        elif ch.isspace():
            out.append("\\ ")
        elif not ch.isprintable():  # control and format characters
            continue
        elif ord(ch) > 127 and unicodedata.category(ch)[0] in "LMN":  # letters: é, ŷ, 日
            if out and out[-1].startswith("\\text{") and out[-1] != r"\text{\&}":
                out[-1] = out[-1][:-1] + ch + "}"
            else:
                out.append(f"\\text{{{ch}}}")
        else:
            out.append(ch)
    return "".join(out)


def latex_text(text: str) -> str:
    r"""Any text as upright letters in math, every special character shown, not obeyed.

    >>> print(latex_text("loss"), latex_text(r"\input{x}"), latex_text("50% & $5"))
    \mathrm{loss} \mathrm{\backslash input\{x\}} \mathrm{50\%\ \text{\&}\ \$5}
    """
    return "\\mathrm{" + _latex_text(text) + "}" if text else "{}"


def _latex_symbol(base: str) -> str:
    if base in _GREEK_LETTERS:
        return _GREEK_LETTERS[base]
    if base in _GREEK_NAMES:
        return "\\" + base
    return base if len(base) == 1 else latex_text(base)


def _latex_subscript(sub: str) -> str:
    # j1 and i1j2 as math; longer words upright (Neuron1), Greek names as letters (k_theta)
    def word(m: re.Match[str]) -> str:
        w = m.group(0)
        return "\\" + w if w in _GREEK_NAMES else w if len(w) <= 2 else latex_text(w)

    return re.sub(r"[A-Za-z]+", word, sub)


def latex_name(label: str) -> str:
    r"""A label as LaTeX, written as the articles write it: ``w1`` as w_{1}, ``ŷ`` (or
    ``y_hat``) as \hat{y}, Greek letters by name, words upright; anything else as upright
    text, its special characters escaped, so that every label gives valid LaTeX and none
    can run a command.

    >>> print(latex_name("w1"), latex_name("w₁"), latex_name("ŷ"), latex_name("y_hat"))
    w_{1} w_{1} \hat{y} \hat{y}
    >>> print(latex_name("W1[1,2]"), latex_name("a1_1"), latex_name("θ_j1"), latex_name("L"))
    W_{1}[1,2] a_{1,1} \theta_{j1} L
    >>> print(latex_name("loss"), latex_name("net_j1"), latex_name("Bias_Neuron1"))
    \mathrm{loss} \mathrm{net}_{j1} \mathrm{Bias}_{\mathrm{Neuron}1}
    >>> print(latex_name("$x$"), latex_name("layer1.neuron2.z"))
    \mathrm{\$x\$} \mathrm{layer1.neuron2.z}
    """
    match = _LABEL.fullmatch(unicodedata.normalize("NFD", label))
    if match is None:
        return latex_text(unicodedata.normalize("NFC", label))
    base, accent, digits, sub, index = match.group("base", "accent", "digits", "sub", "index")
    written = _latex_symbol(base)
    accent = _ACCENTS.get(accent, "")
    if sub in _ACCENT_WORDS and not accent:
        accent, sub = sub, None
    if accent:
        written = f"\\{accent}{{{written}}}"
    subscript = [part for part in (digits and digits.translate(_SUBSCRIPT_DIGITS),
                                   sub and _latex_subscript(sub)) if part]
    if subscript:
        written += "_{" + ",".join(subscript) + "}"
    return written + (index or "")


def latex_number(x: float, fmt: str = FORMAT) -> str:
    r"""A number as `number` shows it, in LaTeX: ``1.5e-05`` as 1.5 \times 10^{-5}.

    >>> print(latex_number(0.123456), latex_number(-2.0), latex_number(1.5e-05))
    0.1235 -2 1.5 \times 10^{-5}
    >>> print(latex_number(1e20), latex_number(float("inf")))
    10^{20} \infty
    """
    text = number(x, fmt)
    m = re.fullmatch(r"(-?)([0-9.,]+)e([+-]?)0*([0-9]+)", text, re.IGNORECASE)
    if m:
        sign, mantissa, exp_sign, exponent = m.groups()
        power = f"10^{{{'-' if exp_sign == '-' else ''}{exponent}}}"
        return sign + (power if mantissa == "1" else f"{mantissa} \\times {power}")
    if text.lower() in ("inf", "-inf", "+inf"):
        return text.lower().replace("+", "").replace("inf", r"\infty")
    if text.lower() == "nan":
        return r"\mathrm{NaN}"
    return _latex_text(text)  # a format of one's own may give %, _ or spaces


def _is_latex_number(text: str) -> bool:
    # What latex_number writes: 2, -0.3, 1.5 \times 10^{-5}, 10^{20}, \infty, \mathrm{NaN}
    return re.fullmatch(r"-?([0-9.]+( \\times 10\^\{-?[0-9]+\})?|10\^\{-?[0-9]+\}|\\infty)"
                        r"|\\mathrm\{NaN\}", text) is not None


def _latex_binding(text: str) -> int:
    # How tightly LaTeX written here binds, read off its top level (outside every group).
    if text.startswith("-"):
        return _SUM if _latex_binding(text[1:]) == _SUM else _NEGATION
    binding, depth, i = _ATOM, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            command = re.match(r"\\([A-Za-z]+|.?)", text[i:])
            name = command.group(1) if command else ""
            i += len(command.group(0)) if command else 1
            if name in ("left", "right"):  # \left( ... \right): a bracket, its delimiter skipped
                depth += 1 if name == "left" else -1
                i += 1
            elif depth == 0 and name in ("cdot", "times"):
                binding = min(binding, _PRODUCT)
            elif depth == 0 and name == "frac":
                binding = min(binding, _POWER)
            continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0 and ch in "+-=":
            return _SUM
        elif depth == 0 and ch == "^":
            binding = min(binding, _POWER)
        i += 1
    return binding


def _latex_paren(text: str) -> str:
    return f"\\left({text}\\right)" if "\\frac" in text else f"({text})"


def latex_bracket(text: str) -> str:
    r"""LaTeX in parentheses unless it is one symbol, number or call (as after ``\partial``).

    >>> print(latex_bracket("w_{1}"), latex_bracket("1 - \\hat{y}"), latex_bracket("-2"))
    w_{1} (1 - \hat{y}) (-2)
    """
    return text if _latex_binding(text) == _ATOM else _latex_paren(text)


def latex_product(factors: list[str]) -> str:
    r"""LaTeX factors joined by ``\cdot``; a sum or a negative one in parentheses.

    >>> print(latex_product(["2.725", "0.35", "-0.3"]))
    2.725 \cdot 0.35 \cdot (-0.3)
    """
    return " \\cdot ".join(_latex_paren(f) if _latex_binding(f) in (_SUM, _NEGATION) else f
                           for f in factors)


def latex_negated(text: str) -> str:
    r"""``-`` before LaTeX, which is bracketed if it is a sum or itself negative.

    >>> print(latex_negated("a \\cdot b"), latex_negated("a + b"), latex_negated("-2"))
    -a \cdot b -(a + b) -(-2)
    """
    return "-" + (_latex_paren(text) if _latex_binding(text) in (_SUM, _NEGATION) else text)


def latex_sum(terms: list[str]) -> str:
    """LaTeX terms added up; a negative term after the first is subtracted.

    >>> print(latex_sum(["0.1329", "-0.02848"]), "|", latex_sum(["-x", "a + b"]))
    0.1329 - 0.02848 | -x + (a + b)
    """
    out = ""
    for k, term in enumerate(terms):
        binding = _latex_binding(term)
        if k == 0:
            out = term
        elif binding == _NEGATION:
            out += " - " + term[1:]
        else:
            out += " + " + (_latex_paren(term) if binding == _SUM else term)
    return out


def latex_derivative(child: str, parent: str) -> str:
    r"""``\frac{\partial child}{\partial parent}`` for two LaTeX names, bracketed as needed.

    >>> print(latex_derivative(latex_name("L"), latex_name("ŷ")))
    \frac{\partial L}{\partial \hat{y}}
    >>> print(latex_derivative("\\log(1 - \\hat{y})", "1 - \\hat{y}"))
    \frac{\partial \log(1 - \hat{y})}{\partial (1 - \hat{y})}
    """
    return f"\\frac{{\\partial {latex_bracket(child)}}}{{\\partial {latex_bracket(parent)}}}"


def write_latex(tree: ast.expr, names: Mapping[str, str] = {},  # noqa: B006
                fmt: str = FORMAT) -> str:
    r"""A formula tree in LaTeX, each name replaced by ``names`` (LaTeX), as `write` does in
    text: \frac for a quotient, e^{x}, \sigma(x), \operatorname{ReLU}(x).

    >>> print(write_latex(parse("out * (1 - out)"), {"out": "\\hat{y}"}))
    \hat{y} \cdot (1 - \hat{y})
    >>> print(write_latex(parse("1 / a + exp(-a) + step(a)"), {"a": "z_{1}"}))
    \frac{1}{z_{1}} + e^{-z_{1}} + \operatorname{step}(z_{1})
    """
    return _write_latex(tree, names, fmt)[0]


def _write_latex(node: ast.expr, names: Mapping[str, str], fmt: str) -> tuple[str, int]:
    if isinstance(node, ast.Name):
        text = names[node.id] if node.id in names else latex_name(node.id)
        return text, _latex_binding(text)
    value = signed_constant_of(node)
    if value is not None:
        text = latex_number(value, fmt)
        return text, _latex_binding(text)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        arg = _write_latex(node.args[0], names, fmt)[0]
        function = node.func.id
        if function == "exp":
            return f"e^{{{arg}}}", _POWER
        if function == "sqrt":
            return f"\\sqrt{{{arg}}}", _ATOM
        if function == "abs":
            return f"\\left|{arg}\\right|", _ATOM
        written = _LATEX_CALLS.get(function) or f"\\operatorname{{{_latex_text(function)}}}"
        return f"{written}({arg})", _ATOM
    if isinstance(node, ast.UnaryOp):
        inner, binding = _write_latex(node.operand, names, fmt)
        return "-" + (inner if binding > _NEGATION else _latex_paren(inner)), _NEGATION
    if isinstance(node, ast.BinOp):
        left, lb = _write_latex(node.left, names, fmt)
        right, rb = _write_latex(node.right, names, fmt)
        if isinstance(node.op, ast.Div):
            return f"\\frac{{{left}}}{{{right}}}", _POWER
        if isinstance(node.op, ast.Pow):
            return f"{left if lb == _ATOM else _latex_paren(left)}^{{{right}}}", _POWER
        if isinstance(node.op, ast.Mult):
            left = left if lb >= _NEGATION else _latex_paren(left)
            return f"{left} \\cdot {right if rb > _NEGATION else _latex_paren(right)}", _PRODUCT
        minus = isinstance(node.op, ast.Sub)
        if rb == _NEGATION or right.startswith("-") or (minus and rb == _SUM):
            right = _latex_paren(right)
        return f"{left} {'-' if minus else '+'} {right}", _SUM
    return latex_text(ast.unparse(node)), _ATOM


def latex_render(text: str, names: Mapping[str, str],
                 constants: Mapping[str, float] = {}, fmt: str = FORMAT) -> str:  # noqa: B006
    r"""Formula text in the op table's names, in LaTeX with other names, simplified.

    >>> print(latex_render("b * a**(b - 1)", {"a": "x_{1}"}, {"b": 3.0}))
    3 \cdot x_{1}^{2}
    """
    return write_latex(simplify(_tree(text), constants), names, fmt)


def latex_local_formula(node: Value, i: int, name_of: Mapping[Value, str],
                        fmt: str = FORMAT) -> str:
    r"""`local_formula` in LaTeX, in the LaTeX names ``name_of`` gives.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> y = Value(0.25, label="y")
    >>> loss = (1 - y).log()
    >>> print(latex_local_formula(loss, 0, latex_names_map(topological_order(loss))))
    \frac{1}{1 - y}
    """
    parts = _local_parts(node, i, name_of)
    return r"\mathrm{?}" if parts is None else latex_render(*parts, fmt=fmt)


def latex_local_text(node: Value, i: int, name_of: Mapping[Value, str],
                     fmt: str = FORMAT) -> str:
    r"""`local_text` in LaTeX: for a function of one input also its textbook name.

    >>> from autograd import Value
    >>> z = Value(0.5, label="z1"); h = z.relu(); h.label = "h1"
    >>> print(latex_local_text(h, 0, latex_names_map([z, h])))
    \operatorname{ReLU}'(z_{1}) = \operatorname{step}(z_{1})
    """
    formula = latex_local_formula(node, i, name_of, fmt)
    op = OPS.get(node.op)
    if op is None or len(node.parents) != 1 or op.symbol in "+-*/**" or _is_latex_number(formula):
        return formula
    function = _LATEX_CALLS.get(op.name)
    if function is None and op.expression:  # √x and |x| have no name to prime: the formula
        return formula
    function = function or f"\\operatorname{{{_latex_text(op.symbol)}}}"  # an op of one's own
    return f"{function}'({name_of[node.parents[0]]}) = {formula}"


def _latex_written(node: Value, op: Op | None, args: list[str], fmt: str) -> str:
    n = len(args)
    exponent = node.parents[1] if n == 2 else None
    if (op is not None and op.name == "powc" and exponent is not None
            and not exponent.label and not exponent.parents):
        return latex_render("a**b", {"a": args[0]}, {"b": exponent.data}, fmt)
    template = op.forward_formula(n) if op else ""  # calls too: \sigma(z), e^{z}, \sqrt{z}
    if template and op is not None:
        return latex_render(template, dict(zip(op.input_names(n), args)), fmt=fmt)
    symbol = _latex_text(op.symbol if op else node.op)
    return f"\\operatorname{{{symbol}}}({', '.join(args)})"


def latex_names(order: list[Value], fmt: str = FORMAT) -> list[str]:
    r"""`names` in LaTeX: each Value of a topological order as its label, its number or the
    expression that made it, elided where `names` elides.

    >>> from autograd import Value
    >>> from autograd.graph import topological_order
    >>> y = Value(0.5, label="ŷ")
    >>> print(latex_names(topological_order((1 - y).log())))
    ['1', '\\hat{y}', '1 - \\hat{y}', '\\log(1 - \\hat{y})']
    """
    text: list[str] = []
    latex: list[str] = []
    index: dict[Value, int] = {}
    for i, v in enumerate(order):
        index[v] = i
        if v.label:
            text.append(v.label)
            latex.append(latex_name(v.label))
        elif not v.parents:
            text.append(number(v.data, fmt))
            latex.append(latex_number(v.data, fmt))
        else:
            name, elided = _expression(v, [text[index[p]] for p in v.parents], fmt)
            text.append(name)
            op = OPS.get(v.op)
            if elided is None:  # a wide weighted sum, named by its symbol
                latex.append(r"\sum_{k} w_{k} x_{k} + b" if op is not None and op.name == "dot"
                             else latex_text(name))
            else:
                args = [r"\ldots" if e else latex[index[p]] for e, p in zip(elided, v.parents)]
                latex.append(_latex_written(v, op, args, fmt))
    return latex


def latex_names_map(order: list[Value], fmt: str = FORMAT) -> dict[Value, str]:
    r"""`latex_names` as a mapping from each Value to its LaTeX name.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x1")
    >>> list(latex_names_map([x, x.sigmoid()]).values())
    ['x_{1}', '\\sigma(x_{1})']
    """
    return dict(zip(order, latex_names(order, fmt)))
