"""Numbers as they are written: a claimed number is judged at the digits it is typed with and
echoed that way (``1``, ``-2``, ``0.443``, ``−`` where ``−`` was typed), never padded to six
decimals. The engine's numbers here are worked by hand."""

from __future__ import annotations

import json

import pytest

from autograd import Value, check_formula, check_numbers
from autograd.claims.printed import as_written, in_full, plain


def square(c: float, x: float) -> dict[str, Value]:
    """L = (c·x − 1)², whose ∂L/∂c is 2·(c·x − 1)·x."""
    cv, xv = Value(c, label="c"), Value(x, label="x")
    L = (cv * xv - 1) ** 2
    L.label = "L"
    return {"c": cv, "x": xv, "L": L}


@pytest.mark.parametrize("x, text, expected", [
    (0.44305, "0.4431", "0.4431"),
    (0.44365, "0.443", "0.444"),       # rounded, not truncated
    (-2.0, "1", "-2"),                 # a whole number written whole
    (-2.0, "−1.99", "−2.00"),          # the claim's decimals and its minus sign
    (-2.0, "+3.0", "-2.0"),
    (0.0794, "-7.96e-2", "7.94e-2"),   # the claim's exponent
    (-0.0001, "0.00", "0.00"),         # never -0
    (1234.5, "1.2e3", "1.2e3"),
])
def test_as_written(x, text, expected):
    assert as_written(x, text) == expected


@pytest.mark.parametrize("x, like, expected", [
    (-2.0, "", "-2"), (3.0, "", "3"), (0.4430567092438, "", "0.4430567092"),
    (-0.5, "−1", "−0.5"), (-0.0, "", "0"),
])
def test_in_full(x, like, expected):
    assert in_full(x, like) == expected


@pytest.mark.parametrize("tolerance, expected", [
    (5e-05, "0.00005"), (0.0005, "0.0005"), (0.5, "0.5"), (5.0, "5"), (500.0, "500"),
    (0.000123456, "0.00012"), (5e-12, "5e-12"),
])
def test_plain(tolerance, expected):
    assert plain(tolerance) == expected


def test_a_whole_number_claim_reads_as_whole_numbers():
    g = square(0.0, 1.0)  # ∂L/∂c = 2·(0 − 1)·1 = −2
    report = check_formula(g["L"], g["c"], "1")
    assert not report and report.kind == "number"
    assert str(report).splitlines() == [
        "∂L/∂c = 1: does NOT hold",
        "the engine: ∂L/∂c = -2; the claim 1 is a whole number, taken as exact",
        "diagnosis (wrong number): 1 is not ∂L/∂c = -2",
    ]
    assert report.diagnosis is not None and report.diagnosis.message == "1 is not ∂L/∂c = -2"
    assert "1 is not ∂L/∂c = -2" in report._repr_html_()
    assert json.loads(json.dumps(report.to_dict()))["text"] == str(report)
    assert check_formula(g["L"], g["c"], "-2") and check_formula(g["L"], g["c"], "−2")


def test_a_whole_number_near_the_engines_says_whole_numbers_are_exact():
    g = square(0.3, 1.0)  # ∂L/∂c = 2·(0.3 − 1)·1 = −1.4, which rounds to the claimed −1
    report = check_formula(g["L"], g["c"], "-1")
    assert not report
    assert report.diagnosis is not None
    assert report.diagnosis.message == ("-1 is not ∂L/∂c = -1.4 (a whole number is taken as "
                                        "exact: write the decimals it is rounded to)")


def test_the_claims_precision_and_the_engine_in_full():
    # L = c·x at x = 0.443: ∂L/∂c = 0.443; 0.4431 claims a fourth decimal it does not have
    c, x = Value(1.0, label="c"), Value(0.443, label="x")
    L = c * x
    L.label = "L"
    report = check_formula(L, c, "0.4431")
    assert not report
    assert report.diagnosis is not None
    assert report.diagnosis.message == ("0.4431 is not ∂L/∂c = 0.443: rounded as it is "
                                        "written, 0.4430")
    assert "the claim 0.4431 allows ±0.00005 at its printed precision" in str(report)
    assert check_formula(L, c, "0.443") and check_formula(L, c, "0.44")
    # at x = 0.44305670924: the engine's number is shown in full beside the rounded one
    c, x = Value(1.0, label="c"), Value(0.44305670924, label="x")
    L = c * x
    L.label = "L"
    report = check_formula(L, c, "0.4432")
    assert report.diagnosis is not None
    assert report.diagnosis.message.endswith(
        "= 0.4430567092: rounded as it is written, 0.4431")


def test_a_formula_of_numbers_says_its_numbers_precision():
    g = square(0.0, 1.0)  # −2
    whole = check_formula(g["L"], g["c"], "2*-1")
    assert whole and "the claim 2*-1 is made of whole numbers, taken as exact" in str(whole)
    wrong = check_formula(g["L"], g["c"], "1.5*2.0")  # 3, relative errors 0.05/1.5 + 0.05/2
    assert not wrong
    assert "allows ±0.17 at its numbers' printed precision" in str(wrong)
    assert "0.000000" not in str(wrong)


def test_a_table_of_numbers_notes_them_as_written():
    g = square(0.0, 1.0)  # L = 1, ∂L/∂c = −2, ∂L/∂x = 2·(c·x − 1)·c = 0
    report = check_numbers(g["L"], [("∂L/∂c", "−2.01"), ("∂L/∂c", "-2"), ("L", 2),
                                    ("L", "1.0"), ("∂L/∂c", "2")])
    rows = report.rows
    assert [r.ok for r in rows] == [False, True, False, True, False]
    assert rows[0].note == "rounded as it is written, −2.00"
    assert rows[2].note == ""  # 2 against 1: whole numbers, exact, nothing more to say
    assert rows[4].note == "the sign is flipped"
    text = str(report)
    assert "−2" in text.splitlines()[3]  # the engine's column, with the row's own minus
    assert "0.000000" not in text and "-2.0 " not in text
