"""Reading a student's answers: a JSON document of names and numbers, matched to a key.

`read_answers` reads the document: an object of names and numbers (``null``: not answered),
refusing malformed JSON, a name given twice, or a value that is not a finite number.
`matched` puts the answers under the key's names, however the student spelled them
(`normal_name`: spaces dropped, ``∂L/∂w₁`` for ``dL/dw1``, ``y_hat`` for ``ŷ``), and names an
unknown name's closest key name. Whatever cannot be graded raises `AnswerError`, saying
which answer and where.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any


class AnswerError(ValueError):
    """Answers that cannot be graded: not JSON, not an object, an unknown name, a value that
    is not a number. The message says which and where."""


# ---- the document ---------------------------------------------------------------------------


def read_answers(text: str, source: str = "answers") -> dict[str, float | None]:
    """The answers in a JSON document: an object of names and numbers (``null``: not
    answered). Names are checked later, against an exercise (`matched`); here the document
    is: malformed JSON, a top level that is not an object, a name given twice, or a value
    that is not a finite number raise `AnswerError` saying where (``source`` names the
    document in messages). JSON is only parsed, never evaluated.

    >>> read_answers('{"z1": 0.8, "dL/dw1": null}')
    {'z1': 0.8, 'dL/dw1': None}
    >>> read_answers('{"z1": 0.8,\\n "h1" 0.8}', "answers.json")
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: answers.json: line 2, column 7: Expecting ':' delimiter
    >>> read_answers('{"z1": "0.8"}')
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: answers: the answer 'z1' is not a number but a \
string: '0.8'
    """
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in items:
            if key in found:
                raise AnswerError(f"{source}: {_quoted(key)} is given twice; give each "
                                  "answer once")
            found[key] = value
        return found

    try:
        document = json.loads(text, object_pairs_hook=pairs)
    except AnswerError:
        raise
    except json.JSONDecodeError as err:
        raise AnswerError(f"{source}: line {err.lineno}, column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise AnswerError(f"{source}: nested too deeply to be answers") from None
    except ValueError as err:  # an integer too long to read
        raise AnswerError(f"{source}: {err}") from None
    if not isinstance(document, dict):
        raise AnswerError(f"{source}: the answers must be a JSON object of names and numbers, "
                          f'such as {{"z1": 0.8, "dL/dw1": 0.4431}}, not {_kind(document)}')
    return {key: _number(key, value, source) for key, value in document.items()}


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


def _number(key: str, value: Any, source: str = "") -> float | None:
    # An answer's number: None for null; any other value must be a finite number.
    where = f"{source}: " if source else ""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = _quoted(value) if isinstance(value, str) else _kind(value)
        detail = f"{_kind(value)}: {shown}" if isinstance(value, str) else shown
        raise AnswerError(f"{where}the answer {_quoted(key)} is not a number but {detail}")
    try:
        x = float(value)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise AnswerError(f"{where}the answer {_quoted(key)} is not a finite number: "
                          f"{_quoted(str(value), 20)}")
    return x


# ---- names ----------------------------------------------------------------------------------

_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_ACCENT_WORDS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303"}
_ACCENT_WORD = re.compile(r"([A-Za-z])_(hat|bar|tilde)(?![A-Za-z0-9])")


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


def matched(answers: Mapping[str, Any], names: list[str]) -> dict[str, float | None]:
    """The ``answers`` under the key's ``names`` (spelled as `normal_name` reads them). An
    unknown name, a name given twice (under two spellings) or a value that is not a finite
    number raises `AnswerError`.

    >>> matched({"y_hat": 0.6, "∂L/∂w₁": None}, ["ŷ", "dL/dw1"])
    {'ŷ': 0.6, 'dL/dw1': None}
    >>> matched({"dL/dw": 1}, ["ŷ", "dL/dw1"])
    Traceback (most recent call last):
    ...
    autograd.teaching.answers.AnswerError: unknown answer name: dL/dw (did you mean dL/dw1?); \
the names are: ŷ, dL/dw1
    """
    by_normal: dict[str, str] = {}
    for name in names:
        by_normal.setdefault(normal_name(name), name)
    found: dict[str, float | None] = {}
    spelled: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in answers.items():
        if not isinstance(key, str):
            raise AnswerError(f"answer names are text, got {_kind(key)}: {key!r}")
        known = by_normal.get(normal_name(key))
        if known is None:
            unknown.append(key)
            continue
        if known in spelled:
            raise AnswerError(f"{known} is given twice, as {_quoted(spelled[known])} and "
                              f"{_quoted(key)}; give each answer once")
        spelled[known] = key
        found[known] = _number(key, value)
    if unknown:
        described = []
        for key in unknown[:10]:
            close = _closest(normal_name(key), list(by_normal))
            hint = f" (did you mean {by_normal[close]}?)" if close else ""
            described.append(_quoted(key).strip("'\"") + hint if len(key) <= 40
                             else _quoted(key) + hint)
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        plural = "s" if len(unknown) > 1 else ""
        raise AnswerError(f"unknown answer name{plural}: {', '.join(described)}{more}; the "
                          f"names are: {', '.join(names)}")
    return found


def _closest(name: str, names: list[str]) -> str | None:
    # The most similar name (of equally similar ones, the first in sorted order), if any is
    # similar enough.
    scored = [(difflib.SequenceMatcher(None, name, other).ratio(), other) for other in names]
    good = [(score, other) for score, other in scored if score >= 0.6]
    if not good:
        return None
    best = max(score for score, _ in good)
    return min(other for score, other in good if score == best)


__all__ = ["AnswerError", "matched", "normal_name", "read_answers"]
