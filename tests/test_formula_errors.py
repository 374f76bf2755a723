"""The formula language's errors say what to write instead, point at the problem
(`FormulaError.column`), and never speak Python's grammar; e and pi are constants; a
function of a constant that fails names the op."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.formula import CONSTANTS, DomainError, FormulaError, evaluate, names, parse

PYTHON_WORDS = ("BitXor", "IfExp", "invalid syntax", "Perhaps", "forgot a comma",
                "decimal literal", "Attribute", "Subscript", "Constant", "Compare", "BoolOp",
                "Lambda", "ListComp", "Tuple", "was never closed", "unmatched", "EOF",
                "unterminated", "U+00B7")


@pytest.mark.parametrize("text, fix, column", [
    ("x^2", "use ** for powers: x**2", 0),
    ("(a + b)^2 - c", "use ** for powers: (a + b)**2", 0),
    ("2x", "write 2*x", 1),
    ("3 w1", "write 3*w1", 2),
    ("x y", "write x*y", 2),
    ("2(x + 1)", "write 2*(x + 1)", 0),
    ("x²", "use ** for powers: x**2", 1),
    ("w₁*x", "write w1 for w₁", 1),
    ("x × y", "write * for multiplication", 2),
    ("x − y", "write - for minus", 2),
    ("x·y", "write x*y", 0),
    ("w * * x", "two operators in a row", 4),
    ("x +", "ends with '+'", 2),
    ("* x", "starts with '*'", 0),
    ("sigmoid(x", "this '(' is never closed: add a ')'", 7),
    ("x)", "this ')' has no matching '('", 1),
    ("1.2.3", "is not a number", 0),
    ("x // 2", "use / for division: x / 2", 0),
    ("x if x > 0 else 0", "step(x)", 0),
    ("x > 0", "step(x)", 0),
    ("ReLU'(z)", "write step(z)", 4),
    ("a = b", "'=' does not belong in a formula", 2),
    ("w[1]", "write w1", 0),
    ("x.real", "attributes such as .real", 0),
    ("'x'", "text in quotes", 0),
    ("foo(x)", "if foo is a variable, write foo*(x)", 0),
    ("exp(x, y)", "exp() takes exactly one argument, such as exp(x)", 0),
    ("()", "empty parentheses", 0),
    ("", "empty", 0),
    ("√x", "sqrt(x)", 0),
    ("True", "write 1", 0),
])
def test_each_error_says_what_to_write(text, fix, column):
    with pytest.raises(FormulaError) as caught:
        parse(text)
    message = str(caught.value)
    assert fix in message
    assert caught.value.column == column
    for word in PYTHON_WORDS:
        assert word not in message


def test_syntax_errors_keep_the_column_in_the_message():
    with pytest.raises(FormulaError, match=r"syntax error at column 5: two operators in a row"):
        parse("w * * x")
    with pytest.raises(FormulaError, match=r"syntax error at column 5:") as caught:
        parse("  x +")  # counted in the text as given, leading spaces included
    assert caught.value.column == 4
    with pytest.raises(FormulaError) as caught:
        parse("  x^2")
    assert caught.value.column == 2


def test_unknown_functions_still_list_the_known_ones():
    with pytest.raises(FormulaError, match=r"unknown function 'foo' \(known: abs, cos, exp"):
        parse("foo(w)")


def test_e_and_pi_are_constants_and_a_variable_of_that_name_wins():
    assert evaluate("e", {}) == math.e and evaluate("pi/2", {}) == math.pi / 2
    assert evaluate("π", {}) == math.pi
    assert evaluate("e*2", {"e": 3.0}) == 6.0
    assert set(CONSTANTS) == {"e", "pi", "π"}
    assert names("e**x") == ["e", "x"]  # names() still reports them: the caller decides
    x = Value(2.0, label="x")
    y = evaluate("e**x", {"x": x})
    y.backward()
    assert y.data == pytest.approx(math.exp(2.0)) and x.grad == pytest.approx(math.exp(2.0))


@pytest.mark.parametrize("text, message, error", [
    ("log(0)", "log: needs a > 0, got a=0.0", DomainError),
    ("log(-1.5)", "log: needs a > 0, got a=-1.5", DomainError),
    ("sqrt(-4)", "sqrt: needs a >= 0, got a=-4.0", DomainError),
    ("1/0", "div: division by zero (a=1.0, b=0.0)", DomainError),
    ("exp(1000)", "exp: result too large for a float (a=1000.0)", OverflowError),
])
def test_functions_of_numbers_name_the_op_like_the_engine(text, message, error):
    with pytest.raises(error) as caught:
        evaluate(text, {})
    assert str(caught.value) == message
    if error is DomainError:  # the same words as the engine's op on a Value
        inner = text[text.index("(") + 1:-1] if "(" in text else None
        if inner is not None:
            with pytest.raises(DomainError) as engine:
                evaluate(text.replace(inner, "a"), {"a": Value(float(inner))})
            assert str(engine.value) == message


def test_unary_plus_works_on_values():
    x = Value(3.0)
    y = evaluate("+x * 2", {"x": x})
    y.backward()
    assert y.data == 6.0 and x.grad == 2.0


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="xyab12.+-*/^()[]{}<>=!'\",;:.@%&|~ ²₁·×−√efpi_", max_size=25))
def test_any_text_parses_or_gives_a_readable_error_with_a_column_inside_it(text):
    try:
        parse(text)
    except FormulaError as err:
        message = str(err)
        for word in PYTHON_WORDS:
            assert word not in message, (text, message)
        assert err.column is None or 0 <= err.column <= max(len(text), 1)


@pytest.mark.parametrize("text, shown", [
    ("1e999", "'1e999'"),
    ("x * -2e308", "'2e308'"),
    ("9" * 400, "'99999999999999999999…' (400 digits)"),
    ("1" * 5000 + " * x", "'11111111111111111111…' (5,000 digits)"),
])
def test_a_number_too_large_for_a_float_is_refused_naming_it(text, shown):
    with pytest.raises(FormulaError) as err:
        parse(text)
    message = str(err.value)
    assert f"the number {shown} is too large" in message and "1.8e308" in message
    assert len(message) < 200 and "sys." not in message and "Exceeds" not in message
    assert parse("1.7e308") is not None and evaluate("2**1023", {}) == 2.0**1023


def test_more_than_200_nested_parentheses_is_said_as_such():
    with pytest.raises(FormulaError, match="more than 200 parentheses inside one another"):
        parse("(" * 201 + "x" + ")" * 201)
    assert evaluate("(" * 150 + "x" + ")" * 150, {"x": 2.0}) == 2.0


def test_a_formula_as_long_as_allowed_nests_thousands_deep():
    # 5,000 terms: one level of the tree per term, past Python's default recursion limit
    from autograd.formula import MAX_LENGTH

    text = "+".join(["x"] * 5000)
    assert len(text) < MAX_LENGTH
    assert evaluate(text, {"x": 0.5}) == 2500.0
    assert names(text) == ["x"]


@pytest.mark.parametrize("text", ["q" * 5000, "x" * 3000 + "²", "2" + "y" * 3000,
                                  "foo" * 1000 + "(x)", "x." + "real" * 1000])
def test_messages_quote_the_start_of_a_long_formula(text):
    with pytest.raises(FormulaError) as err:
        evaluate(text, {"x": 1.0})
    message = str(err.value)
    assert len(message) <= 300 and "…" in message


def test_names_in_and_evaluate_tree_read_a_formula_once():
    from autograd.formula import evaluate_tree, names_in

    tree = parse("sigmoid(w*x) + w")
    assert names_in(tree) == ["w", "x"]
    assert evaluate_tree(tree, {"w": 0.0, "x": 3.0}) == 0.5
