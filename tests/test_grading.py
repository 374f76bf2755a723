"""Grading a student's answers: the key's own numbers pass, rounding to three significant
digits passes, one unit off in the third digit fails, and planted mistakes on the first
article's student network (*What is Neural Network?*) get the verdicts a teacher would give:
the slip itself wrong and named, everything worked out consistently from it "correct given
your earlier numbers", everything it does not touch "correct".

Every expected number here is computed again with plain floats from the exercise's given
numbers (`work`), independently of the engine; a planted mistake is made inside that
computation and carried along by it, as a student would carry it.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, dot
from autograd.teaching.grading import (
    CARRIED,
    CORRECT,
    MISSING,
    VERDICTS,
    WRONG,
    AnswerError,
    Grading,
    grade,
    normal_name,
    read_answers,
    tolerance,
    within,
)
from nn.exercises import exercise

FORWARD = ["z1", "h1", "z2", "h2", "z3", "ŷ", "L"]
BACKWARD = ["dL/dŷ", "dL/dz3", "dL/dw5", "dL/dh1", "dL/dw6", "dL/dh2", "dL/db3", "dL/dz1",
            "dL/dz2", "dL/dw1", "dL/dw2", "dL/db1", "dL/dw3", "dL/dw4", "dL/db2"]
NAMES = FORWARD + BACKWARD


def sheet() -> tuple[Value, dict[str, float]]:
    ex = exercise("student", 7)
    return ex.root, ex.given


def work(g: dict[str, float], *, forget_b1: bool = False, sigma_for_derivative: bool = False,
         relu_value_for_derivative: bool = False, w6_for_w5: bool = False,
         flip_dL_dyhat: bool = False) -> dict[str, float]:
    """The whole sheet worked with plain floats, with the slips asked for made (and carried
    on from) where a student would make them."""
    x1, x2, y = g["x1"], g["x2"], g["y"]
    w1, w2, b1, w3, w4, b2 = g["w1"], g["w2"], g["b1"], g["w3"], g["w4"], g["b2"]
    w5, w6, b3 = g["w5"], g["w6"], g["b3"]
    z1 = w1 * x1 + w2 * x2 + (0.0 if forget_b1 else b1)
    h1 = max(z1, 0.0)
    z2 = w3 * x1 + w4 * x2 + b2
    h2 = max(z2, 0.0)
    z3 = w5 * h1 + w6 * h2 + b3
    y_hat = 1 / (1 + math.exp(-z3))
    L = -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))
    d_yhat = -y / y_hat + (1 - y) / (1 - y_hat)
    if flip_dL_dyhat:
        d_yhat = -d_yhat
    d_z3 = d_yhat * (y_hat if sigma_for_derivative else y_hat * (1 - y_hat))
    d_h2 = d_z3 * w6
    d_z2 = d_h2 * (1.0 if z2 > 0 else 0.0)
    d_h1 = d_z3 * (w6 if w6_for_w5 else w5)
    d_z1 = d_h1 * (h1 if relu_value_for_derivative else (1.0 if z1 > 0 else 0.0))
    return {
        "z1": z1, "h1": h1, "z2": z2, "h2": h2, "z3": z3, "ŷ": y_hat, "L": L,
        "dL/dŷ": d_yhat, "dL/dz3": d_z3, "dL/db3": d_z3, "dL/dh2": d_h2, "dL/dz2": d_z2,
        "dL/db2": d_z2, "dL/dw4": d_z2 * x2, "dL/dw3": d_z2 * x1, "dL/dw6": d_z3 * h2,
        "dL/dh1": d_h1, "dL/dz1": d_z1, "dL/db1": d_z1, "dL/dw2": d_z1 * x2,
        "dL/dw1": d_z1 * x1, "dL/dw5": d_z3 * h1,
    }


def verdicts(grading: Grading) -> dict[str, str]:
    return {name: mark.verdict for name, mark in grading.items.items()}


def hand_built() -> Value:
    """The student network built by hand from labelled Values, as `exercise` builds it."""
    def leaf(x: float, name: str) -> Value:
        return Value(x, label=name)
    x1, x2, y = leaf(2.0, "x1"), leaf(5.0, "x2"), leaf(0.0, "y")
    w1, w2, b1 = leaf(0.6, "w1"), leaf(-0.1, "w2"), leaf(0.1, "b1")
    w3, w4, b2 = leaf(-0.3, "w3"), leaf(0.3, "w4"), leaf(0.2, "b2")
    w5, w6, b3 = leaf(0.35, "w5"), leaf(0.15, "w6"), leaf(0.1, "b3")
    z1 = dot([w1, w2], [x1, x2], b1)
    h1 = z1.relu()
    z2 = dot([w3, w4], [x1, x2], b2)
    h2 = z2.relu()
    z3 = dot([w5, w6], [h1, h2], b3)
    y_hat = z3.sigmoid()
    L = -(y * y_hat.log() + (1 - y) * (1 - y_hat).log())
    for v, name in [(z1, "z1"), (h1, "h1"), (z2, "z2"), (h2, "h2"), (z3, "z3"),
                    (y_hat, "ŷ"), (L, "L")]:
        v.label = name
    return L


# ---- the key, rounding, tolerance ---------------------------------------------------------


def test_the_oracle_is_the_key():
    root, g = sheet()
    grading = grade(root, work(g))
    assert list(grading.items) == NAMES
    for name, mark in grading.items.items():
        assert math.isclose(mark.expected, work(g)[name], rel_tol=1e-12, abs_tol=1e-15)


def test_the_keys_own_answers_are_all_correct():
    root, g = sheet()
    grading = grade(root, work(g))
    assert set(verdicts(grading).values()) == {CORRECT}
    assert bool(grading)
    assert grading.counts() == {CORRECT: 22, CARRIED: 0, WRONG: 0, MISSING: 0}
    assert str(grading).splitlines()[0] == "22 of 22 correct"
    assert all(mark.why == "" for mark in grading.items.values())


@pytest.mark.parametrize("digits", [3, 4])
def test_answers_rounded_to_three_or_four_significant_digits_are_correct(digits):
    root, g = sheet()
    rounded = {name: float(f"{x:.{digits}g}") for name, x in work(g).items()}
    grading = grade(root, rounded)
    assert set(verdicts(grading).values()) == {CORRECT}, str(grading)


@pytest.mark.parametrize("name", NAMES)
def test_one_unit_off_in_the_third_digit_is_wrong(name):
    root, g = sheet()
    answers = work(g)
    x = answers[name]
    answers[name] = x + 10.0 ** (math.floor(math.log10(abs(x))) - 2)
    grading = grade(root, answers)
    assert grading.items[name].verdict == WRONG
    assert not grading
    assert {n for n, v in verdicts(grading).items() if v != CORRECT} == {name}


def test_tolerance_is_half_a_unit_of_the_third_significant_digit():
    assert tolerance(0.4431) == 0.0005
    assert tolerance(123.4) == 0.5
    assert tolerance(-0.0123) == 0.00005
    assert tolerance(0.0) == 5e-13  # an expected 0 must be answered 0
    assert within(0.0, 0.0) and not within(1e-6, 0.0)
    assert within(0.633, 0.6329747) and not within(0.634, 0.6329747)


def test_a_hand_built_graph_is_graded_the_same_way():
    L = hand_built()
    g = {"x1": 2.0, "x2": 5.0, "y": 0.0, "w1": 0.6, "w2": -0.1, "b1": 0.1, "w3": -0.3,
         "w4": 0.3, "b2": 0.2, "w5": 0.35, "w6": 0.15, "b3": 0.1}
    assert set(verdicts(grade(L, work(g))).values()) == {CORRECT}
    slipped = grade(L, work(g, sigma_for_derivative=True))
    assert slipped.items["dL/dz3"].verdict == WRONG
    assert "σ'(z3)" in slipped.items["dL/dz3"].why


# ---- planted mistakes -------------------------------------------------------------------------


def test_an_early_wrong_z1_is_carried_forward():
    root, g = sheet()
    grading = grade(root, work(g, forget_b1=True))
    v = verdicts(grading)
    assert v["z1"] == WRONG
    assert "b1" in grading.items["z1"].why  # "z1: you left out b1"
    assert v["z2"] == v["h2"] == CORRECT
    for name in ["h1", "z3", "ŷ", "L"] + BACKWARD:
        assert v[name] == CARRIED, (name, grading.items[name])
    assert bool(grading) is False  # z1 itself is wrong
    assert grading.items["ŷ"].why.startswith("from your z3 = ")
    assert "(the key, from z3 = " in grading.items["ŷ"].why
    assert grading.counts() == {CORRECT: 2, CARRIED: 19, WRONG: 1, MISSING: 0}
    assert "first wrong step: z1: you left out b1" in grading.summary()


def test_sigma_written_for_its_derivative():
    root, g = sheet()
    grading = grade(root, work(g, sigma_for_derivative=True))
    v = verdicts(grading)
    mark = grading.items["dL/dz3"]
    assert mark.verdict == WRONG
    assert "σ(z3)" in mark.why and "σ'(z3)" in mark.why
    assert mark.why.startswith("∂L/∂z3: you multiplied by σ(z3)")
    assert math.isclose(mark.carried or 0.0, work(g)["dL/dz3"])
    for name in FORWARD + ["dL/dŷ"]:
        assert v[name] == CORRECT
    for name in BACKWARD[2:]:
        assert v[name] == CARRIED, name
    assert "first wrong step: ∂L/∂z3: you multiplied by σ(z3)" in grading.summary()


def test_relu_derivative_replaced_by_h1():
    root, g = sheet()
    grading = grade(root, work(g, relu_value_for_derivative=True))
    v = verdicts(grading)
    why = grading.items["dL/dz1"].why
    assert v["dL/dz1"] == WRONG
    assert "ReLU(z1)" in why and "h1" in why and "ReLU'(z1)" in why
    for name in ["dL/db1", "dL/dw2", "dL/dw1"]:
        assert v[name] == CARRIED
    assert {n for n, x in v.items() if x == CORRECT} == set(NAMES) - {
        "dL/dz1", "dL/db1", "dL/dw2", "dL/dw1"}


def test_w6_used_for_w5():
    root, g = sheet()
    grading = grade(root, work(g, w6_for_w5=True))
    v = verdicts(grading)
    assert v["dL/dh1"] == WRONG
    assert "∂L/∂h1: you multiplied by w6 instead of w5" in grading.items["dL/dh1"].why
    for name in ["dL/dz1", "dL/db1", "dL/dw2", "dL/dw1"]:
        assert v[name] == CARRIED
    assert v["dL/dw5"] == v["dL/dw6"] == CORRECT


def test_a_sign_slip_on_dL_dyhat():
    root, g = sheet()
    grading = grade(root, work(g, flip_dL_dyhat=True))
    v = verdicts(grading)
    assert v["dL/dŷ"] == WRONG
    assert "∂L/∂ŷ: the sign is wrong" in grading.items["dL/dŷ"].why
    assert all(v[name] == CARRIED for name in BACKWARD[1:])
    assert all(v[name] == CORRECT for name in FORWARD)


def test_a_left_out_local_derivative_and_upstream_are_named():
    root, g = sheet()
    right = work(g)
    answers = dict(right, **{"dL/dz3": right["dL/dŷ"]})  # σ'(z3) left out
    assert ("∂L/∂z3: you left out ∂ŷ/∂z3 = σ'(z3)"
            in grade(root, answers).items["dL/dz3"].why)
    y_hat = right["ŷ"]
    answers = dict(right, **{"dL/dz3": y_hat * (1 - y_hat)})  # the upstream left out
    assert ("∂L/∂z3: you did not multiply by the upstream ∂L/∂ŷ"
            in grade(root, answers).items["dL/dz3"].why)
    answers = dict(right, **{"dL/dw1": right["dL/dz1"] * g["w1"]})  # w1 for x1
    assert "∂L/∂w1: you multiplied by w1 instead of x1" in grade(root, answers).items[
        "dL/dw1"].why


def test_a_dead_relu_left_undifferentiated():
    # z2 <= 0: ReLU'(z2) = 0, so z2's weights get no gradient; a student who leaves ReLU'
    # out sends ∂L/∂h2 on, and carries it to b2, w3, w4
    ex = exercise("student", 7, dead_relu=True)
    answers = work(ex.given)
    assert answers["z2"] < 0 and answers["dL/dz2"] == 0.0
    grading = grade(ex.root, answers)
    assert set(verdicts(grading).values()) == {CORRECT}
    d_z2 = answers["dL/dh2"]
    answers.update({"dL/dz2": d_z2, "dL/db2": d_z2, "dL/dw4": d_z2 * ex.given["x2"],
                    "dL/dw3": d_z2 * ex.given["x1"]})
    grading = grade(ex.root, answers)
    assert grading.items["dL/dz2"].why == ("∂L/∂z2: you left out ∂h2/∂z2 = ReLU'(z2); "
                                           "it is 0")
    assert [grading.items[n].verdict for n in ["dL/db2", "dL/dw4", "dL/dw3"]] == [CARRIED] * 3


def test_a_path_left_out_of_a_sum_is_named():
    # two outputs: ∂L/∂a1[1] sums the paths through z2[1] and z2[2]
    ex = exercise("2-3-2:tanh,sigmoid:mse", 3)
    root = ex.root
    right = {name: mark.expected for name, mark in grade(root, {}).items.items()}
    g = ex.given
    z2 = [sum(g[f"W2[{k},{j}]"] * math.tanh(sum(g[f"W1[{j},{i}]"] * g[f"x{i}"]
                                                for i in (1, 2)) + g[f"b1[{j}]"])
              for j in (1, 2, 3)) + g[f"b2[{k}]"] for k in (1, 2)]
    o = [1 / (1 + math.exp(-z)) for z in z2]
    d_z2 = [right[f"dL/dz2[{k}]"] for k in (1, 2)]
    for k in (0, 1):  # the engine's ∂L/∂z2[k] against the loss written out
        t = g[f"y[{k + 1}]"]
        mse = (o[k] - t) * o[k] * (1 - o[k])  # L = (1/n)·Σ(o − t)², 2/n = 1 for n = 2
        assert math.isclose(d_z2[k], mse, rel_tol=1e-9)
    answers = dict(right, **{"dL/da1[1]": d_z2[0] * g["W2[1,1]"]})  # the path via z2[2] lost
    why = grade(root, answers).items["dL/da1[1]"].why
    assert why.startswith("∂L/∂a1[1]: you left out the path through z2[2]")


def test_missing_answers():
    root, g = sheet()
    answers: dict[str, float | None] = dict(work(g))
    del answers["dL/dw1"]
    answers["L"] = None
    grading = grade(root, answers)
    assert grading.items["dL/dw1"].verdict == grading.items["L"].verdict == MISSING
    assert grading.items["L"].why.startswith("no answer; it is 0.1755")
    assert grading.items["L"].given is None
    assert not grading
    assert grading.counts()[MISSING] == 2


def test_a_missing_answer_is_carried_through():
    # z1 wrong, h1 not given: z3 is judged from the student's z1 through the ReLU
    root, g = sheet()
    answers: dict[str, float | None] = dict(work(g, forget_b1=True))
    answers["h1"] = None
    grading = grade(root, answers)
    assert grading.items["z3"].verdict == CARRIED
    assert grading.items["z3"].why.startswith("from your z1 = ")


def test_a_student_number_outside_the_domain_gives_no_carried_value():
    root, g = sheet()
    answers = dict(work(g), **{"ŷ": 1.3})  # log(1 - ŷ) is impossible
    grading = grade(root, answers)
    assert grading.items["ŷ"].verdict == WRONG
    assert grading.items["L"].verdict == CORRECT  # the key's L
    assert grading.items["L"].carried is None
    answers["L"] = 5.0
    assert grade(root, answers).items["L"].verdict == WRONG


def test_aliases_are_read():
    root, g = sheet()
    right = work(g)
    answers = {"y_hat": right["ŷ"], "∂L/∂w₁": right["dL/dw1"], " dL/dy_hat ": right["dL/dŷ"],
               "z₁": right["z1"]}
    grading = grade(root, answers)
    for name in ["ŷ", "dL/dw1", "dL/dŷ", "z1"]:
        assert grading.items[name].verdict == CORRECT
    assert normal_name("∂L / ∂w₁") == "dL/dw1"
    with pytest.raises(AnswerError, match="given twice"):
        grade(root, {"ŷ": 0.2, "y_hat": 0.2})


def test_unknown_names_are_listed_with_the_names_there_are():
    root, _ = sheet()
    with pytest.raises(AnswerError) as err:
        grade(root, {"dL/dw9": 1.0, "z1": 1.0})
    message = str(err.value)
    assert "unknown answer name: dL/dw9 (did you mean dL/dw1?)" in message
    assert "the names are: z1, h1, z2, h2, z3, ŷ, L, dL/dŷ" in message


@pytest.mark.parametrize("value", ["0.8", True, math.nan, math.inf, [0.8], {"a": 1}])
def test_a_value_that_is_not_a_finite_number_names_its_key(value):
    root, _ = sheet()
    with pytest.raises(AnswerError, match="'z3'"):
        grade(root, {"z3": value})


# ---- the grading's forms ----------------------------------------------------------------------


def test_text_json_and_html_forms():
    root, g = sheet()
    answers: dict[str, float | None] = dict(work(g, forget_b1=True))
    answers["dL/dw5"] = None
    grading = grade(root, answers)
    text = str(grading)
    for verdict in VERDICTS:
        assert verdict in text
    document = json.loads(json.dumps(grading.to_dict(), ensure_ascii=False))
    assert list(document) == ["answers"]
    assert list(document["answers"]) == NAMES
    for mark in document["answers"].values():
        assert set(mark) == {"verdict", "expected", "given", "why"}
        assert mark["verdict"] in VERDICTS
    assert document["answers"]["dL/dw5"]["given"] is None
    page = grading._repr_html_()
    assert page.startswith("<table") and page.count("<tr") == 23
    assert "#f8d5d3" in page and "#dde9fb" in page  # wrong and carried are coloured


def test_html_escapes_every_user_text():
    w = Value(2.0, label="<b>w</b>")
    L = w * 3
    L.label = "L&"
    page = grade(L, {"L&": 5})._repr_html_()
    assert "<b>" not in page
    assert "&lt;b&gt;w&lt;/b&gt;" in page and "L&amp;" in page


# ---- reading answers --------------------------------------------------------------------------


def test_read_answers():
    assert read_answers('{"z1": 1, "h1": null, "dL/dw1": -0.5}') == {
        "z1": 1.0, "h1": None, "dL/dw1": -0.5}


def test_malformed_json_says_line_and_column():
    with pytest.raises(AnswerError) as err:
        read_answers('{\n  "z1": 0.8\n  "h1": 0.8\n}', "answers.json")
    assert str(err.value) == "answers.json: line 3, column 3: Expecting ',' delimiter"


@pytest.mark.parametrize("text, words", [
    ("[0.8, 0.8]", "not an array"),
    ('"z1"', "not a string"),
    ("0.8", "not a number"),
    ("null", "not null"),
])
def test_a_top_level_that_is_not_an_object_is_refused(text, words):
    with pytest.raises(AnswerError, match=words):
        read_answers(text)


def test_duplicate_keys_and_non_numbers_are_named():
    with pytest.raises(AnswerError, match="'z1' is given twice"):
        read_answers('{"z1": 0.8, "z1": 0.9}')
    with pytest.raises(AnswerError, match="'h1' is not a number"):
        read_answers('{"h1": "0.8"}')
    with pytest.raises(AnswerError, match="'h1' is not a number"):
        read_answers('{"h1": false}')
    with pytest.raises(AnswerError, match="'L' is not a finite number"):
        read_answers('{"L": NaN}')
    with pytest.raises(AnswerError, match="'L' is not a finite number"):
        read_answers('{"L": 1e999}')
    with pytest.raises(AnswerError, match="nested too deeply"):
        read_answers("[" * 100_000 + "]" * 100_000)


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(JSON.map(lambda d: json.dumps(d, ensure_ascii=False)), st.text(max_size=40)))
def test_any_document_reads_or_raises_an_answer_error(text):
    try:
        answers = read_answers(text)
    except AnswerError:
        return
    assert all(x is None or math.isfinite(x) for x in answers.values())


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(NAMES + ["y_hat", "∂L/∂w1", "w₁", "nope"]),
                       st.none() | st.floats(-10, 10) | st.text(max_size=3), max_size=8))
def test_grade_accepts_or_raises_an_answer_error(answers):
    root, _ = sheet()
    try:
        grading = grade(root, answers)
    except AnswerError:
        return
    assert list(grading.items) == NAMES
    assert all(mark.verdict in VERDICTS and mark.why is not None
               for mark in grading.items.values())
