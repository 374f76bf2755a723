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
         flip_dL_dyhat: bool = False, flip_dL_dh2: bool = False, dL_dz3: float | None = None,
         digits: int | None = None) -> dict[str, float]:
    """The whole sheet worked with plain floats, with the slips asked for made (and carried
    on from) where a student would make them; with ``dL_dz3``, ∂L/∂z3 is that number (and
    carried on from). With ``digits``, every number is rounded to that many significant
    digits as soon as it is computed, and worked on rounded, as a student working from their
    own written numbers does."""
    def r(x: float) -> float:
        return float(f"{x:.{digits}g}") if digits else x

    x1, x2, y = g["x1"], g["x2"], g["y"]
    w1, w2, b1, w3, w4, b2 = g["w1"], g["w2"], g["b1"], g["w3"], g["w4"], g["b2"]
    w5, w6, b3 = g["w5"], g["w6"], g["b3"]
    z1 = r(w1 * x1 + w2 * x2 + (0.0 if forget_b1 else b1))
    h1 = r(max(z1, 0.0))
    z2 = r(w3 * x1 + w4 * x2 + b2)
    h2 = r(max(z2, 0.0))
    z3 = r(w5 * h1 + w6 * h2 + b3)
    y_hat = r(1 / (1 + math.exp(-z3)))
    L = r(-(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat)))
    d_yhat = r(-y / y_hat + (1 - y) / (1 - y_hat))
    if flip_dL_dyhat:
        d_yhat = -d_yhat
    d_z3 = r(d_yhat * (y_hat if sigma_for_derivative else y_hat * (1 - y_hat)))
    if dL_dz3 is not None:
        d_z3 = dL_dz3
    d_h2 = r(d_z3 * w6)
    if flip_dL_dh2:
        d_h2 = -d_h2
    d_z2 = r(d_h2 * (1.0 if z2 > 0 else 0.0))
    d_h1 = r(d_z3 * (w6 if w6_for_w5 else w5))
    d_z1 = r(d_h1 * (h1 if relu_value_for_derivative else (1.0 if z1 > 0 else 0.0)))
    return {
        "z1": z1, "h1": h1, "z2": z2, "h2": h2, "z3": z3, "ŷ": y_hat, "L": L,
        "dL/dŷ": d_yhat, "dL/dz3": d_z3, "dL/db3": d_z3, "dL/dh2": d_h2, "dL/dz2": d_z2,
        "dL/db2": d_z2, "dL/dw4": r(d_z2 * x2), "dL/dw3": r(d_z2 * x1), "dL/dw6": r(d_z3 * h2),
        "dL/dh1": d_h1, "dL/dz1": d_z1, "dL/db1": d_z1, "dL/dw2": r(d_z1 * x2),
        "dL/dw1": r(d_z1 * x1), "dL/dw5": r(d_z3 * h1),
    }


def written(answers: dict[str, float], digits: int = 3) -> dict[str, float]:
    """Every answer as written down: rounded to ``digits`` significant digits (the work
    itself done at full precision)."""
    return {name: float(f"{x:.{digits}g}") for name, x in answers.items()}


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
    why = grading.items["dL/dz2"].why
    assert why.startswith("∂L/∂z2: you left out ∂h2/∂z2 = ReLU'(z2); from your z2 = ")
    assert why.endswith(" it is 0")
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


# ---- rounding is not a mistake ------------------------------------------------------------


def title(name: str) -> str:
    """An answer as the grader writes it: ``∂L/∂w4`` for ``dL/dw4``."""
    return "∂" + name[1:].replace("/d", "/∂", 1) if name.startswith("dL/d") else name


@pytest.mark.parametrize("seed, student, dead_relu", [(7, None, False), (8, 2, False),
                                                      (7, None, True), (11, 5, False)])
def test_a_student_who_rounds_every_number_before_using_it_is_all_correct(
        seed, student, dead_relu):
    ex = exercise("student", seed, student=student, dead_relu=dead_relu)
    rounded = work(ex.given, digits=3)
    grading = grade(ex.root, rounded)
    assert set(verdicts(grading).values()) == {CORRECT}, str(grading)
    assert bool(grading)


def test_rounded_numbers_drift_from_the_key_and_are_still_correct():
    root, g = sheet()
    right, rounded = work(g), work(g, digits=3)
    assert not within(rounded["z3"], right["z3"])  # -1.66 for -1.651: off by rounding alone
    grading = grade(root, rounded)
    z3 = grading.items["z3"]
    theirs = g["w5"] * rounded["h1"] + g["w6"] * rounded["h2"] + g["b3"]
    assert z3.verdict == CORRECT
    assert z3.why == (f"from your rounded h1 = {rounded['h1']:g}, h2 = {rounded['h2']:g} it is "
                      f"{theirs:.4g} (the key: {right['z3']:.4g})")
    assert math.isclose(z3.carried or 0.0, theirs, rel_tol=1e-12)
    assert grading.summary() == "22 of 22 correct"


def test_a_forgotten_b1_worked_on_at_full_precision_and_written_to_three_digits():
    # the teacher's student: z1 = 1.07, then z3 = -1.73, ŷ = 0.15, ∂L/∂w1 = 0.507
    root, g = sheet()
    answers = written(work(g, forget_b1=True))
    assert [answers[n] for n in ("z1", "z3", "ŷ", "dL/dw1")] == [1.07, -1.73, 0.15, 0.507]
    grading = grade(root, answers)
    v = verdicts(grading)
    assert v.pop("z1") == WRONG
    assert v.pop("z2") == v.pop("h2") == CORRECT  # they do not use z1
    assert set(v.values()) == {CARRIED}, str(grading)
    assert grading.counts() == {CORRECT: 2, CARRIED: 19, WRONG: 1, MISSING: 0}
    z3 = grading.items["z3"]  # from the student's written h1, h2: -1.7386, not -1.7334
    theirs = g["w5"] * answers["h1"] + g["w6"] * answers["h2"] + g["b3"]
    assert math.isclose(z3.carried or 0.0, theirs, rel_tol=1e-12)
    assert z3.why.startswith(f"from your h1 = 1.07 it is {theirs:.4g} (the key, from h1 = ")
    dw1 = grading.items["dL/dw1"]  # 0.113 × 4.5 = 0.5085
    assert math.isclose(dw1.carried or 0.0, answers["dL/dz1"] * g["x1"], rel_tol=1e-12)
    assert dw1.why.startswith("from your ∂L/∂z1 = 0.113 it is 0.5085")
    assert grading.summary().endswith("; first wrong step: z1: you left out b1")


def test_sigma_for_its_derivative_worked_on_and_written_to_three_digits():
    root, g = sheet()
    answers = written(work(g, sigma_for_derivative=True))
    grading = grade(root, answers)
    v = verdicts(grading)
    assert [n for n, x in v.items() if x == WRONG] == ["dL/dz3"]
    assert all(v[n] == CORRECT for n in FORWARD + ["dL/dŷ"])
    assert all(v[n] == CARRIED for n in BACKWARD[2:]), str(grading)
    ŷ, d_yhat = answers["ŷ"], answers["dL/dŷ"]
    right = d_yhat * ŷ * (1 - ŷ)  # from the student's own ŷ and ∂L/∂ŷ
    assert grading.items["dL/dz3"].why == (
        "∂L/∂z3: you multiplied by σ(z3) = ŷ instead of σ'(z3) = ŷ·(1 − ŷ); "
        f"from your ŷ = {ŷ:g}, ∂L/∂ŷ = {d_yhat:g} it is {right:.4g}")
    assert grading.items["dL/dw5"].why.startswith(
        f"from your ∂L/∂z3 = {answers['dL/dz3']:g} it is ")


def test_a_sign_slip_carried_on_is_one_wrong_answer():
    # ∂L/∂h2 with its sign flipped, then ∂L/∂z2, ∂L/∂w3, ∂L/∂w4, ∂L/∂b2 worked from it
    root, g = sheet()
    answers = written(work(g, flip_dL_dh2=True))
    grading = grade(root, answers)
    v = verdicts(grading)
    assert [n for n, x in v.items() if x == WRONG] == ["dL/dh2"]
    assert grading.items["dL/dh2"].step == "∂L/∂h2: the sign is wrong"
    carried_on = ["dL/dz2", "dL/dw3", "dL/dw4", "dL/db2"]
    assert [v[n] for n in carried_on] == [CARRIED] * 4
    assert {n for n, x in v.items() if x == CORRECT} == set(NAMES) - {"dL/dh2", *carried_on}


@pytest.mark.parametrize("name", NAMES)
def test_a_sign_slip_on_any_one_answer_is_named(name):
    root, g = sheet()
    answers = written(work(g))
    answers[name] = -answers[name]
    mark = grade(root, answers).items[name]
    assert mark.verdict == WRONG
    assert mark.step == f"{title(name)}: the sign is wrong", mark.why


def test_the_teachers_sign_slip_on_dL_dw4():
    root, g = sheet()
    answers = written(work(g))
    answers["dL/dw4"] = 0.303
    right = answers["dL/dz2"] * g["x2"]  # -0.0467 × 6.5 = -0.30355
    assert right < 0 and not within(0.303, -right)  # off by the rounding of ∂L/∂z2 alone
    mark = grade(root, answers).items["dL/dw4"]
    assert mark.why == (f"∂L/∂w4: the sign is wrong; from your ∂L/∂z2 = "
                        f"{answers['dL/dz2']:g} it is {right:.4g}")


# ---- rounding is no licence ------------------------------------------------------------------


def test_a_wrong_answer_is_not_made_correct_by_the_rounding_before_it():
    # the reviewer's sheet: every answer the key to 3 digits, but ∂L/∂z3 = 0.99 (the key:
    # 0.9644), carried on. Near ŷ = 1, ŷ·(1 − ŷ) moves fast with ŷ; but ŷ and ∂L/∂ŷ are
    # correct, so the student worked with what they wrote (0.9752 here), with the key's
    # numbers (0.9644), or between: never 0.99
    ex = exercise("student", 8)
    g, right = ex.given, work(ex.given)
    answers = written(work(g, dL_dz3=0.99))
    assert [answers[n] for n in ("ŷ", "dL/dŷ", "dL/dz3", "dL/dw5")] == [0.964, 28.1, 0.99, 8.55]
    grading = grade(ex.root, answers)
    v = verdicts(grading)
    mark = grading.items["dL/dz3"]
    theirs = answers["dL/dŷ"] * answers["ŷ"] * (1 - answers["ŷ"])  # 0.9752, from 0.964, 28.1
    assert mark.verdict == WRONG
    assert mark.why == (f"from your ŷ = 0.964, ∂L/∂ŷ = 28.1 it is {theirs:.4g} (the key: "
                        f"{right['dL/dz3']:.4g})")
    assert grading.first_wrong.startswith("first wrong answer: dL/dz3 = 0.99, ")
    after = BACKWARD[BACKWARD.index("dL/dz3") + 1:]
    assert {n: v[n] for n in after} == dict.fromkeys(after, CARRIED), str(grading)
    assert {n for n, x in v.items() if x == CORRECT} == set(FORWARD + ["dL/dŷ"])
    dw5 = grading.items["dL/dw5"]  # 0.99 × 8.64 = 8.5536; the key 8.332, 44 tolerances off
    assert math.isclose(dw5.carried or 0.0, 0.99 * answers["h1"], rel_tol=1e-12)
    assert abs(8.55 - right["dL/dw5"]) > 40 * tolerance(right["dL/dw5"])
    assert bool(grading) is False


def test_a_wrong_answer_carried_on_gets_no_more_than_its_rounding():
    # z1 without b1, written 0.113 for ∂L/∂z1: behind it, 0.1125 to 0.1135; ∂L/∂w1 = ∂L/∂z1·x1
    # may be anywhere from 0.1125·x1 to 0.1135·x1, give or take its tolerance, and no further
    root, g = sheet()
    answers = written(work(g, forget_b1=True))
    dz1, x1 = answers["dL/dz1"], g["x1"]
    assert dz1 == 0.113
    low, high = (dz1 - 0.0005) * x1, (dz1 + 0.0005) * x1
    step = tolerance(dz1 * x1)
    for dw1, verdict in [(low - 0.9 * step, CARRIED), (high + 0.9 * step, CARRIED),
                         (low - 3 * step, WRONG), (high + 3 * step, WRONG)]:
        assert grade(root, {**answers, "dL/dw1": dw1}).items["dL/dw1"].verdict == verdict, dw1


def two_layers_by_hand(net: str, g: dict[str, float],
                       used: dict[str, float] | None = None) -> dict[str, float]:
    """Every answer of a net with one hidden layer (``student``, ``simplenn``,
    ``2-3-2:tanh,sigmoid:mse``) worked with plain floats; with ``used``, each answer found
    there is worked on as that number (a student's written numbers): then each answer is
    what the numbers before it give."""
    used = used or {}
    found: dict[str, float] = {}

    def keep(name: str, x: float) -> float:
        found[name] = x
        return used.get(name, x)

    act = {"relu": lambda z: max(z, 0.0), "tanh": math.tanh, "sigmoid": sigmoid}
    slope = {"relu": lambda z, a: 1.0 if z > 0 else 0.0, "tanh": lambda z, a: 1 - a * a,
             "sigmoid": lambda z, a: a * (1 - a)}
    if net == "student":
        hidden, out, loss = "relu", "sigmoid", "bce"
        w1 = {(1, 1): "w1", (1, 2): "w2", (2, 1): "w3", (2, 2): "w4"}
        b1, z1, a1 = {1: "b1", 2: "b2"}, {1: "z1", 2: "z2"}, {1: "h1", 2: "h2"}
        w2, b2, z2, a2 = {(1, 1): "w5", (1, 2): "w6"}, {1: "b3"}, {1: "z3"}, {1: "ŷ"}
        ys = {1: "y"}
    else:
        spec, acts, loss = ("2-2-1", "relu,sigmoid", "bce") if net == "simplenn" else (
            net.split(":"))
        sizes, (hidden, out) = [int(n) for n in spec.split("-")], acts.split(",")
        one = sizes[2] == 1
        w1 = {(j, i): f"W1[{j},{i}]" for j in range(1, sizes[1] + 1) for i in (1, 2)}
        b1 = {j: f"b1[{j}]" for j in range(1, sizes[1] + 1)}
        z1 = {j: f"z1[{j}]" for j in b1}
        a1 = {j: f"a1[{j}]" for j in b1}
        ks = range(1, sizes[2] + 1)
        w2 = {(k, j): f"W2[{j}]" if one else f"W2[{k},{j}]" for k in ks for j in b1}
        b2 = {k: "b2" if one else f"b2[{k}]" for k in ks}
        z2 = {k: "z2" if one else f"z2[{k}]" for k in ks}
        a2 = {k: "ŷ" if one else f"ŷ[{k}]" for k in ks}
        ys = {k: "y" if one else f"y[{k}]" for k in ks}
    xs = {1: g["x1"], 2: g["x2"]}
    z, a = {}, {}
    for j in b1:
        z[z1[j]] = keep(z1[j], sum(g[w1[j, i]] * xs[i] for i in xs) + g[b1[j]])
        a[a1[j]] = keep(a1[j], act[hidden](z[z1[j]]))
    for k in b2:
        z[z2[k]] = keep(z2[k], sum(g[w2[k, j]] * a[a1[j]] for j in b1) + g[b2[k]])
        a[a2[k]] = keep(a2[k], act[out](z[z2[k]]))
    ŷ, y = {k: a[a2[k]] for k in b2}, {k: g[ys[k]] for k in b2}
    n = len(b2)
    if loss == "bce":
        keep("L", -(y[1] * math.log(ŷ[1]) + (1 - y[1]) * math.log(1 - ŷ[1])))
        d_out = {1: keep("dL/dŷ", -y[1] / ŷ[1] + (1 - y[1]) / (1 - ŷ[1]))}
    else:
        keep("L", sum((ŷ[k] - y[k]) ** 2 for k in b2) / n)
        d_out = {k: keep(f"dL/d{a2[k]}", 2 / n * (ŷ[k] - y[k])) for k in b2}
    d_z2 = {k: keep(f"dL/d{z2[k]}", d_out[k] * slope[out](z[z2[k]], ŷ[k])) for k in b2}
    for k in b2:
        keep(f"dL/d{b2[k]}", d_z2[k])
        for j in b1:
            keep(f"dL/d{w2[k, j]}", d_z2[k] * a[a1[j]])
    for j in b1:
        d_a = keep(f"dL/d{a1[j]}", sum(d_z2[k] * g[w2[k, j]] for k in b2))
        d_z = keep(f"dL/d{z1[j]}", d_a * slope[hidden](z[z1[j]], a[a1[j]]))
        keep(f"dL/d{b1[j]}", d_z)
        for i in xs:
            keep(f"dL/d{w1[j, i]}", d_z * xs[i])
    return found


@pytest.mark.parametrize("net", ["student", "simplenn", "2-3-2:tanh,sigmoid:mse"])
def test_three_tolerances_past_the_key_and_the_written_numbers_is_wrong(net):
    # every answer the key to 3 digits but one, put 3 tolerances past both the key's number
    # and what the student's written numbers give (which may drift from the key by
    # rounding alone: the key's ∂L/∂z1 = -0.1425 written -0.142, times x1 = 3.5)
    for seed in range(10):
        ex = exercise(net, seed)
        right = two_layers_by_hand(net, ex.given)
        answers = written(right)
        theirs = two_layers_by_hand(net, ex.given, answers)
        key = {name: mark.expected for name, mark in grade(ex.root, answers).items.items()}
        assert set(key) == set(right), net
        for name, x in right.items():
            assert math.isclose(key[name], x, rel_tol=1e-9, abs_tol=1e-12), (net, seed, name)
            step = 3 * tolerance(x)
            for off in (max(x, theirs[name]) + step, min(x, theirs[name]) - step):
                mark = grade(ex.root, {**answers, name: off}).items[name]
                assert mark.verdict == WRONG, (net, seed, name, off, mark)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def squared_error_by_hand(g: dict[str, float]) -> tuple[dict[str, float], str, float, str]:
    """The second article's net worked on plain floats up to ∂E/∂net_k; and ∂E/∂o_j1 with
    the path through net_k2 left out, and the slip's name."""
    found: dict[str, float] = {}
    for j in (1, 2):
        found[f"net_j{j}"] = g[f"w_i1j{j}"] * g["x1"] + g[f"w_i2j{j}"] * g["x2"] + g[f"θ_j{j}"]
        found[f"o_j{j}"] = sigmoid(found[f"net_j{j}"])
    for k in (1, 2):
        found[f"net_k{k}"] = (g[f"w_j1k{k}"] * found["o_j1"] + g[f"w_j2k{k}"] * found["o_j2"]
                              + g[f"θ_k{k}"])
        found[f"o_k{k}"] = sigmoid(found[f"net_k{k}"])
    found["E"] = 0.5 * sum((g[f"t_k{k}"] - found[f"o_k{k}"]) ** 2 for k in (1, 2))
    for k in (1, 2):
        o = found[f"o_k{k}"]
        found[f"dE/do_k{k}"] = o - g[f"t_k{k}"]
        found[f"dE/dnet_k{k}"] = found[f"dE/do_k{k}"] * o * (1 - o)
    slipped = found["dE/dnet_k1"] * g["w_j1k1"]
    return found, "dE/do_j1", slipped, "∂E/∂o_j1: you left out the path through net_k2"


def five_input_by_hand(g: dict[str, float]) -> tuple[dict[str, float], str, float, str]:
    """The fourth article's net worked on plain floats up to ∂L/∂Z3, ∂L/∂Z4; and
    ∂L/∂Activation_1 with the path through Z4 left out, and the slip's name."""
    found: dict[str, float] = {}
    for b, sources in ((1, [f"In{a}" for a in range(1, 6)]), (2, [f"In{a}" for a in range(1, 6)]),
                       (3, ["Activation_1", "Activation_2"]),
                       (4, ["Activation_1", "Activation_2"])):
        xs = [g[s] if s in g else found[s] for s in sources]
        found[f"Z{b}"] = sum(g[f"W{a},{b}"] * x for a, x in enumerate(xs, 1)) + g[
            f"Bias_Neuron{b}"]
        found[f"Activation_{b}"] = sigmoid(found[f"Z{b}"])
    found["Z5"] = (g["W3,5"] * found["Activation_3"] + g["W4,5"] * found["Activation_4"]
                   + g["Bias_Neuron5"])
    p = found["Prediction"] = sigmoid(found["Z5"])
    found["L"] = (p - g["y"]) ** 2
    found["dL/dPrediction"] = 2 * (p - g["y"])
    found["dL/dZ5"] = found["dL/dPrediction"] * p * (1 - p)
    for b in (3, 4):
        a = found[f"Activation_{b}"]
        found[f"dL/dActivation_{b}"] = found["dL/dZ5"] * g[f"W{b},5"]
        found[f"dL/dZ{b}"] = found[f"dL/dActivation_{b}"] * a * (1 - a)
    slipped = found["dL/dZ3"] * g["W1,3"]
    return found, "dL/dActivation_1", slipped, ("∂L/∂Activation_1: you left out the path "
                                                "through Z4")


@pytest.mark.parametrize("net, by_hand", [("squared-error", squared_error_by_hand),
                                          ("five-input", five_input_by_hand)])
def test_a_path_left_out_is_named_from_numbers_written_to_three_digits(net, by_hand):
    ex = exercise(net, 7)
    right, name, slipped, step = by_hand(ex.given)
    grading = grade(ex.root, written(right))
    assert {grading.items[n].verdict for n in right} == {CORRECT}  # the oracle is the key
    answers = written({**right, name: slipped})
    mark = grade(ex.root, answers).items[name]
    assert mark.verdict == WRONG
    assert mark.step == step, mark.why


def test_every_wrong_answer_says_which_numbers_it_is_computed_from():
    root, g = sheet()
    for slip in ("forget_b1", "sigma_for_derivative", "relu_value_for_derivative",
                 "w6_for_w5", "flip_dL_dyhat", "flip_dL_dh2"):
        grading = grade(root, written(work(g, **{slip: True})))
        for mark in grading.items.values():
            if mark.verdict == WRONG:
                assert "from your " in mark.why or "from the given numbers" in mark.why, (
                    slip, mark)
    mark = grade(root, written(work(g, forget_b1=True))).items["z1"]
    assert mark.why == "z1: you left out b1; from the given numbers it is 1.185"


# ---- when nothing fits ----------------------------------------------------------------------


def test_the_numbers_of_another_sheet_get_a_hint():
    root, g = sheet()
    other = written(work(exercise("student", 8).given))
    grading = grade(root, other)
    assert grading.counts()[CORRECT] == 0
    assert grading.hint == "none of these numbers fit this sheet: are they another sheet's?"
    assert grading.summary().endswith("; " + grading.hint)
    assert not grade(root, {"z1": 5.0, "h1": 5.0}).hint  # two answers: too few to say
    assert not grade(root, {**other, "z2": work(g)["z2"]}).hint  # one fits


# ---- names ----------------------------------------------------------------------------------


def test_names_differing_in_case_or_spelled_in_ascii_are_read():
    root, g = sheet()
    right = work(g)
    answers = {"Z1": right["z1"], "dL/dW1": right["dL/dw1"], "yhat": right["ŷ"],
               "dL/dyhat": right["dL/dŷ"], "DL/DZ3": right["dL/dz3"]}
    grading = grade(root, answers)
    for name in ["z1", "dL/dw1", "ŷ", "dL/dŷ", "dL/dz3"]:
        assert grading.items[name].verdict == CORRECT, name
    with pytest.raises(AnswerError, match=r"unknown answer name: dL/dW9 \(did you mean "
                                          r"dL/dw1\?\)"):
        grade(root, {"dL/dW9": 1.0})
    with pytest.raises(AnswerError, match="given twice"):
        grade(root, {"z1": 1.0, "Z1": 1.0})
    ex = exercise("squared-error", 7)
    by_hand, _, _, _ = squared_error_by_hand(ex.given)
    grading = grade(ex.root, {"dE/dtheta_k1": by_hand["dE/dnet_k1"],
                              "dE/dTheta_k2": by_hand["dE/dnet_k2"]})
    assert grading.items["dE/dθ_k1"].verdict == grading.items["dE/dθ_k2"].verdict == CORRECT


def test_a_name_that_fits_two_in_case_alone_is_asked_about():
    a, b = Value(2.0, label="a"), Value(3.0, label="A")
    L = a * b
    L.label = "L"
    assert grade(L, {"L": 6, "dL/da": 3, "dL/dA": 2})
    with pytest.raises(AnswerError, match=r"DL/DA \(did you mean dL/da or dL/dA\?\)"):
        grade(L, {"DL/DA": 2})


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


@pytest.mark.parametrize("value", ["abc", "1,5", "nan", True, math.nan, math.inf, [0.8],
                                   {"a": 1}])
def test_a_value_that_is_not_a_finite_number_names_its_key(value):
    root, _ = sheet()
    with pytest.raises(AnswerError, match="'z3'"):
        grade(root, {"z3": value})


def test_numbers_in_quotes_are_numbers():
    # a student's JSON often quotes its numbers: "1.19" is read as 1.19, "" as not answered
    root, g = sheet()
    quoted: dict[str, object] = {name: f"{x:.3g}" for name, x in work(g).items()}
    quoted["z2"] = f" {quoted['z2']} "
    quoted["dL/dw1"] = ""
    grading = grade(root, quoted)
    assert grading.counts() == {CORRECT: 21, CARRIED: 0, WRONG: 0, MISSING: 1}
    assert read_answers('{"z1": "1.18", "h1": "−0.5", "L": "1e-2"}') == {
        "z1": 1.18, "h1": -0.5, "L": 0.01}


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
    assert list(document) == ["summary", "counts", "answers"]
    assert document["summary"] == grading.summary() == text.splitlines()[0]
    assert document["counts"] == {CORRECT: 2, CARRIED: 18, WRONG: 1, MISSING: 1}
    assert list(document["answers"]) == NAMES
    for mark in document["answers"].values():
        assert set(mark) == {"verdict", "expected", "given", "why", "from_your_numbers"}
        assert mark["verdict"] in VERDICTS
    assert document["answers"]["dL/dw5"]["given"] is None
    # "expected" is the key's number; "from_your_numbers" what the student's z1 gives
    right, theirs = work(g), work(g, forget_b1=True)
    ŷ = document["answers"]["ŷ"]
    assert math.isclose(ŷ["expected"], right["ŷ"], rel_tol=1e-12)
    assert math.isclose(ŷ["from_your_numbers"], theirs["ŷ"], rel_tol=1e-12)
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
    assert str(err.value) == ("answers.json: line 3, column 3: Expecting ',' delimiter (a "
                              "missing comma at the end of line 2?)")
    with pytest.raises(AnswerError) as err:  # blank lines between: the line before them
        read_answers('{"z1": 0.8,\n"h1": 0.8\n\n"L": 1}', "answers.json")
    assert str(err.value).endswith("(a missing comma at the end of line 2?)")
    with pytest.raises(AnswerError) as err:  # not at the start of a line: no guess
        read_answers('{"z1": 0.8 "h1": 0.8}', "answers.json")
    assert str(err.value) == "answers.json: line 1, column 12: Expecting ',' delimiter"
    with pytest.raises(AnswerError, match="a comma after the last answer"):
        read_answers('{"z1": 0.8,\n}')
    with pytest.raises(AnswerError, match="double quotes"):
        read_answers("{'z1': 0.8}")


@pytest.mark.parametrize("text", ["", "  \n\t ", "\n"])
def test_an_empty_document_is_named_empty(text):
    with pytest.raises(AnswerError) as err:
        read_answers(text, "answers.json")
    assert str(err.value).startswith("answers.json is empty: ")


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
        read_answers('{"h1": "0.8.1"}')
    with pytest.raises(AnswerError, match="'h1' is not a number"):
        read_answers('{"h1": false}')
    with pytest.raises(AnswerError, match=r"write a decimal point: 0\.8"):
        read_answers('{"h1": "0,8"}')
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
