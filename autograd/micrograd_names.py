"""micrograd's and the lecture's names for an op, read from and written to the op table.

Code written for micrograd (karpathy/micrograd and the lecture that builds it) names the op
that made a Value with a short text: ``'+'``, ``'*'``, ``'tanh'``, ``'exp'``, ``'ReLU'``,
``'**2'``. `symbol_of` writes that text from the op table (each op's ``symbol``; a number
exponent is written after ``**``, as micrograd does), and `op_of` reads it back, so that
``Value(data, (a, b), '+')`` records the op and its local derivatives as ``a + b`` would.
An op's table name (``'sigmoid'``) is read too.

>>> symbol_of("powc", 2.0), symbol_of("relu", None), op_of("**-1", 1)
('**2', 'ReLU', ('powc', -1.0))
"""

from __future__ import annotations

import math

from autograd.ops import OPS

SIGNATURE = "Value(data, _children=(), _op='', label='')"
"""micrograd's constructor, which Value's follows."""


def symbol_of(op_name: str, exponent: float | None) -> str:
    """micrograd's text for the op ``op_name`` ('' for a leaf); ``exponent`` is the number
    of a ``powc`` (``a ** 2``), written as micrograd writes it, ``**2`` not ``**2.0``.

    >>> symbol_of("mul", None), symbol_of("", None), symbol_of("powc", 0.5)
    ('*', '', '**0.5')
    """
    if not op_name:
        return ""
    if op_name == "powc" and exponent is not None:
        whole = math.isfinite(exponent) and exponent.is_integer()
        return "**" + (str(int(exponent)) if whole else repr(exponent))
    return OPS[op_name].symbol


def op_of(symbol: str, parents: int) -> tuple[str, float | None]:
    """The table op that micrograd's ``symbol`` names for an op of ``parents`` inputs, and
    the exponent of ``**N``; a ValueError in words when there is none.

    >>> op_of("*", 2), op_of("-", 1), op_of("tanh", 1)
    (('mul', None), ('neg', None), ('tanh', None))
    """
    if symbol.startswith("**") and parents == 1:
        try:
            exponent = float(symbol[2:])
        except ValueError:
            exponent = math.nan
        if math.isfinite(exponent):
            return "powc", exponent
    for op in OPS.values():
        # an op with a number input (powc's exponent) is named only as '**N', above
        if symbol in (op.symbol, op.name) and not op.constant_inputs \
                and len(op.formulas) == parents:
            return op.name, None
    known = sorted({op.symbol for op in OPS.values() if op.name not in ("dot", "powc")})
    raise ValueError(
        f"_op {symbol!r} with {parents} parent(s) names no op: the ops' symbols are "
        f"{', '.join(map(repr, known))}, '**N' for a number power N, or an op's name")


__all__ = ["SIGNATURE", "symbol_of", "op_of"]
