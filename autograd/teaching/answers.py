"""Reading a student's answers: a JSON document of names and numbers, matched to a key.

`read_answer_file` reads the document. It is either an object of names and numbers
(``null``: not answered), or the shape of ``key.json``, which also says which sheet the
answers are for: ``{"net": ..., "seed": ..., ["student": k,] ["dead_relu": true,] ["given":
{...},] "answers": {...}}`` (the ``answers.json`` template is written so). A number may be
written in quotes (``"1.19"``: students' JSON often has them); an empty string is a number
not given. Malformed JSON is named by line and column, with the likely slip where there is
one (a missing comma); every value that is not a finite number is named at once.

`matched` puts the answers under the key's names, however the student spelled them
(`normal_name`: spaces dropped, ``∂L/∂w₁`` for ``dL/dw1``, ``y_hat`` for ``ŷ``; then
``yhat`` for ``ŷ``, ``theta`` for ``θ`` and the other Greek letters by name; then case alone,
``Z1`` for ``z1``, where only one name fits), and names an unknown name's closest key name.
Whatever cannot be graded raises `AnswerError`, saying which answer and where.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class AnswerError(ValueError):
    """Answers that cannot be graded: not JSON, not an object, an unknown name, a value that
    is not a number. The message says which and where."""


# ---- the document ---------------------------------------------------------------------------

SHEET_KEYS = ("net", "seed", "student", "dead_relu", "given")
"""What a file may say beside its ``"answers"``: which sheet they are for (as key.json)."""

_EXAMPLE = '{"z1": 1.19, "dL/dw1": 0.543}'


@dataclass(frozen=True)
class AnswerFile:
    """An answers file: the answers, and which sheet they are for where the file says so
    (None where it does not)."""

    answers: dict[str, float | None]
    net: str | None = None
    seed: int | None = None
    student: int | None = None
    dead_relu: bool | None = None
    given: dict[str, float] | None = None
    """the given numbers, as key.json has them"""


def read_answers(text: str, source: str = "answers") -> dict[str, float | None]:
    """The answers in a JSON document (see `read_answer_file`, which also says which sheet
    they are for).

    >>> read_answers('{"z1": 0.8, "dL/dw1": null, "h1": "0.8"}')
    {'z1': 0.8, 'dL/dw1': None, 'h1': 0.8}
    >>> read_answers('{"net": "student", "seed": 7, "answers": {"z1": 0.8}}')
    {'z1': 0.8}
    """
    return read_answer_file(text, source).answers


def read_answer_file(text: str, source: str = "answers") -> AnswerFile:
    """The answers in a JSON document, and the sheet it says they are for. Names are checked
    later, against an exercise (`matched`); here the document is: an empty document,
    malformed JSON, a top level that is not an object, a name given twice, a top-level key
    that is neither an answer nor one of `SHEET_KEYS`, or values that are not finite numbers
    raise `AnswerError` saying where (``source`` names the document in messages). JSON is
    only parsed, never evaluated.

    >>> read_answer_file('{"net": "student", "seed": 7, "answers": {"z1": null}}')
    AnswerFile(answers={'z1': None}, net='student', seed=7, student=None, dead_relu=None, \
given=None)
    >>> read_answer_file('{"z1": 0.8,\\n "h1" 0.8}', "answers.json")
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: answers.json: line 2, column 7: Expecting ':' \
delimiter
    >>> read_answer_file('{"z1": "abc", "h1": true}')
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: answers: the answer 'z1' is not a number but a \
string: 'abc'; the answer 'h1' is not a number but true/false
    """
    document = _parse(text, source)
    if not isinstance(document, dict):
        raise AnswerError(f"{source}: the answers must be a JSON object of names and numbers, "
                          f"such as {_EXAMPLE}, not {_kind(document)}")
    if "answers" not in document:
        said = [key for key in SHEET_KEYS if key in document]
        if said:
            raise AnswerError(
                f"{source}: {', '.join(map(_quoted, said))} say{'s' if len(said) == 1 else ''}"
                ' which sheet this is, so the answers go under "answers", as in key.json: '
                '{"net": "student", "seed": 7, "answers": ' + _EXAMPLE + "}")
        return AnswerFile(_numbers(document, source))
    extra = [key for key in document if key not in (*SHEET_KEYS, "answers")]
    if extra:
        plural = "s" if len(extra) > 1 else ""
        raise AnswerError(f"{source}: unknown top-level key{plural} "
                          f"{', '.join(map(_quoted, extra[:10]))}: beside \"answers\" a file "
                          "may say only " + ", ".join(f'"{k}"' for k in SHEET_KEYS))
    answers = document["answers"]
    if not isinstance(answers, dict):
        raise AnswerError(f'{source}: "answers" must be an object of names and numbers, such '
                          f"as {_EXAMPLE}, not {_kind(answers)}")
    given = document.get("given")
    if given is not None and not isinstance(given, dict):
        raise AnswerError(f'{source}: "given" must be an object of names and numbers, as in '
                          f"key.json, not {_kind(given)}")
    given_numbers = None if given is None else _numbers(given, source, what="given number")
    if given_numbers is not None and None in given_numbers.values():
        missing = next(k for k, x in given_numbers.items() if x is None)
        raise AnswerError(f'{source}: the given number {_quoted(missing)} is null')
    return AnswerFile(
        _numbers(answers, source),
        net=_header(document, "net", source, str, "a net's name such as \"student\""),
        seed=_header(document, "seed", source, int, "a whole number"),
        student=_header(document, "student", source, int, "a student's number, 1 or more"),
        dead_relu=_header(document, "dead_relu", source, bool, "true or false"),
        given={k: x for k, x in given_numbers.items() if x is not None}
        if given_numbers is not None else None)


def _parse(text: str, source: str) -> Any:
    # The JSON document, or an AnswerError saying where and, where it can, what is likely
    # wrong.
    if not text.strip():
        raise AnswerError(f"{source} is empty: write the answers in it as a JSON object of "
                          f"names and numbers, such as {_EXAMPLE} (the answers.json that "
                          "backprop-lab exercise writes is one to fill in)")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in items:
            if key in found:
                raise AnswerError(f"{source}: {_quoted(key)} is given twice; give each "
                                  "answer once")
            found[key] = value
        return found

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except AnswerError:
        raise
    except json.JSONDecodeError as err:
        raise AnswerError(f"{source}: line {err.lineno}, column {err.colno}: {err.msg}"
                          f"{_likely(err)}") from None
    except RecursionError:
        raise AnswerError(f"{source}: nested too deeply to be answers") from None
    except ValueError as err:  # an integer too long to read
        raise AnswerError(f"{source}: {err}") from None


def _likely(err: json.JSONDecodeError) -> str:
    """What a JSON error most likely is, in words: " (a missing comma at the end of line 2?)"
    where a line starts where a comma was expected; "" when there is no likely slip.

    >>> try:
    ...     json.loads('{"z1": 1,\\n\\n  "h1": 2\\n  "L": 3}')
    ... except json.JSONDecodeError as err:
    ...     print(err.msg + _likely(err))
    Expecting ',' delimiter (a missing comma at the end of line 3?)
    """
    lines = err.doc.split("\n")
    if err.msg == "Expecting ',' delimiter" and err.lineno > 1:
        if not lines[err.lineno - 1][:err.colno - 1].strip():  # the line starts there
            before = next((n for n in range(err.lineno - 1, 0, -1) if lines[n - 1].strip()),
                          err.lineno - 1)
            return f" (a missing comma at the end of line {before}?)"
    if err.msg.startswith("Expecting property name"):
        here = err.doc[err.pos:err.pos + 1]
        if here == "}":
            return " (a comma after the last answer? JSON allows none there)"
        if here == "'":
            return ' (JSON writes names in double quotes: "z1")'
    return ""


def _header(document: dict[str, Any], key: str, source: str, kind: type, words: str) -> Any:
    # One of the keys that say which sheet: absent or null is None; else of its kind.
    value = document.get(key)
    if value is None:
        return None
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    good = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
    if good and isinstance(value, str):
        good = bool(value.strip())
    if good and isinstance(value, int) and key == "student":
        good = value >= 1
    if not good:
        shown = f": {_quoted(value)}" if isinstance(value, str) else (
            f": {value}" if isinstance(value, (int, float)) else "")
        raise AnswerError(f"{source}: {_quoted(key)} must be {words}, not {_kind(value)}"
                          f"{shown}")
    return value


def _kind(value: Any) -> str:
    # A JSON value's kind, in words.
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _quoted(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


class _NotANumber(Exception):
    """One value that is not a finite number; the message says which and why."""


def _number(key: str, value: Any, what: str = "answer") -> float | None:
    # An answer's number: None for null (or an empty string); a number, or a number written
    # in quotes, must be finite.
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().replace("−", "-")
        if not text:
            return None
        if not _NUMBER.fullmatch(text):
            hint = (f" (write a decimal point: {text.replace(',', '.')})"
                    if _DECIMAL_COMMA.fullmatch(text) else "")
            raise _NotANumber(f"the {what} {_quoted(key)} is not a number but a string: "
                              f"{_quoted(value)}{hint}")
        value = float(text)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _NotANumber(f"the {what} {_quoted(key)} is not a number but {_kind(value)}")
    try:
        x = float(value)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise _NotANumber(f"the {what} {_quoted(key)} is not a finite number: "
                          f"{_quoted(str(value), 20)}")
    return x


def _numbers(values: Mapping[str, Any], source: str = "", what: str = "answer"
             ) -> dict[str, float | None]:
    # Every value's number; those that are not numbers are all named in one AnswerError.
    found: dict[str, float | None] = {}
    bad: list[str] = []
    for key, value in values.items():
        try:
            found[key] = _number(key, value, what)
        except _NotANumber as err:
            bad.append(str(err))
    if bad:
        more = f"; and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise AnswerError(f"{source + ': ' if source else ''}{'; '.join(bad[:10])}{more}")
    return found


# ---- names ----------------------------------------------------------------------------------

_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_ACCENT_WORDS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303"}
_ACCENT_WORD = re.compile(r"([A-Za-z])_(hat|bar|tilde)(?![A-Za-z0-9])")
_ACCENT_NAMES = {mark: word for word, mark in _ACCENT_WORDS.items()}
_GREEK = re.compile(r"GREEK (SMALL|CAPITAL) LETTER (?:FINAL )?([A-Z]+)")


def normal_name(name: str) -> str:
    """An answer name as the key writes it: spaces dropped, ``∂`` read as ``d``, ``w₁`` as
    ``w1``, ``y_hat`` as ``ŷ``.

    >>> normal_name(" ∂L/∂w₁ "), normal_name("dL/dy_hat"), normal_name("y_hat")
    ('dL/dw1', 'dL/dŷ', 'ŷ')
    """
    text = "".join(unicodedata.normalize("NFC", name).split())
    text = text.translate(_SUBSCRIPT_DIGITS).replace("∂", "d")
    text = _ACCENT_WORD.sub(lambda m: m.group(1) + _ACCENT_WORDS[m.group(2)], text)
    return unicodedata.normalize("NFC", text)


def ascii_name(name: str) -> str:
    """An answer name in ASCII letters: Greek letters by their names, an accent by its word
    (``θ`` as ``theta``, ``ŷ`` as ``yhat``), so that a name typed without them matches.

    >>> ascii_name("dE/dθ_k1"), ascii_name("ŷ"), ascii_name("Σ")
    ('dE/dtheta_k1', 'yhat', 'Sigma')
    """
    out = []
    for ch in unicodedata.normalize("NFD", normal_name(name)):
        greek = _GREEK.fullmatch(unicodedata.name(ch, ""))
        if ch in _ACCENT_NAMES:
            out.append(_ACCENT_NAMES[ch])
        elif greek:
            word = greek.group(2).lower()
            out.append(word if greek.group(1) == "SMALL" else word.capitalize())
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


_SPELLINGS: tuple[Callable[[str], str], ...] = (
    normal_name, ascii_name, lambda name: ascii_name(name).casefold())
"""How a student's name is matched to the key's, strictest first."""


def matched(answers: Mapping[str, Any], names: list[str]) -> dict[str, float | None]:
    """The ``answers`` under the key's ``names``: spelled as `normal_name` reads them, else
    as `ascii_name` reads them, else differing in case alone, where one name fits. An
    unknown name, a name given twice (under two spellings) or values that are not finite
    numbers (all of them named at once) raise `AnswerError`.

    >>> matched({"y_hat": 0.6, "∂L/∂W₁": None, "dE/dtheta": "0.1"}, ["ŷ", "dL/dw1", "dE/dθ"])
    {'ŷ': 0.6, 'dL/dw1': None, 'dE/dθ': 0.1}
    >>> matched({"dL/dw": 1}, ["ŷ", "dL/dw1"])
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: unknown answer name: dL/dw (did you mean dL/dw1?); \
the names are: ŷ, dL/dw1
    """
    tables: list[dict[str, list[str]]] = [{} for _ in _SPELLINGS]
    for name in names:
        for table, spelling in zip(tables, _SPELLINGS):
            fits = table.setdefault(spelling(name), [])
            if name not in fits:
                fits.append(name)
    found: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    unknown: list[tuple[str, list[str]]] = []
    for key, value in answers.items():
        if not isinstance(key, str):
            raise AnswerError(f"answer names are text, got {_kind(key)}: {key!r}")
        known, fits = _find(key, tables)
        if known is None:
            unknown.append((key, fits))
            continue
        if known in spelled:
            raise AnswerError(f"{known} is given twice, as {_quoted(spelled[known])} and "
                              f"{_quoted(key)}; give each answer once")
        spelled[known] = key
        found[known] = value
    if unknown:
        raise AnswerError(_unknown(unknown, names, tables[-1]))
    numbers = _numbers({spelled[k]: v for k, v in found.items()})
    return {known: numbers[spelled[known]] for known in found}


def _find(key: str, tables: list[dict[str, list[str]]]) -> tuple[str | None, list[str]]:
    # The key's name that ``key`` spells, by the strictest spelling that fits any (None when
    # a looser one fits several), and the names that fit.
    for level, (table, spelling) in enumerate(zip(tables, _SPELLINGS)):
        fits = table.get(spelling(key))
        if fits:
            return (fits[0] if level == 0 or len(fits) == 1 else None), fits
    return None, []


def _unknown(unknown: list[tuple[str, list[str]]], names: list[str],
             folded: dict[str, list[str]]) -> str:
    # "unknown answer names: dL/dw9 (did you mean dL/dw1?), ...; the names are: ...".
    described = []
    for key, fits in unknown[:10]:
        if not fits:
            close = _closest(_SPELLINGS[-1](key), list(folded))
            fits = folded[close] if close else []
        hint = f" (did you mean {' or '.join(fits)}?)" if fits else ""
        described.append(_quoted(key).strip("'\"") + hint if len(key) <= 40
                         else _quoted(key) + hint)
    more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
    plural = "s" if len(unknown) > 1 else ""
    return (f"unknown answer name{plural}: {', '.join(described)}{more}; the names are: "
            f"{', '.join(names)}")


def _closest(name: str, names: list[str]) -> str | None:
    # The most similar name (of equally similar ones, the first in sorted order), if any is
    # similar enough.
    scored = [(difflib.SequenceMatcher(None, name, other).ratio(), other) for other in names]
    good = [(score, other) for score, other in scored if score >= 0.6]
    if not good:
        return None
    best = max(score for score, _ in good)
    return min(other for score, other in good if score == best)


__all__ = ["AnswerError", "AnswerFile", "SHEET_KEYS", "ascii_name", "matched", "normal_name",
           "read_answer_file", "read_answers"]
