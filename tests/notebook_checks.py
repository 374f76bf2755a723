"""What each notebook must show, checked from outside the lesson.

`CHECKS` maps a notebook's name to the sources of the cells that `tests/test_notebooks.py`
appends to it, in memory, after `PRELUDE`. They run in the notebook's kernel once the
lesson has run, so they read its variables; they never change the notebook's file.

Each check is a function run as soon as it is defined (``@check``) and compares a number the
notebook shows with an independent oracle, computed in the check from the lesson's stated
inputs: central finite differences on plain floats, sympy, PyTorch in float64, or a hand
formula on plain floats. The lesson's own side-by-side columns are checked against those
oracles too, never used as one. A check's names stay inside its function, so the lesson's
variables are the same for every check; a cell without ``@check`` defines oracles for the
checks after it.
"""

from __future__ import annotations

PRELUDE = '''\
# Helpers for the checks that follow.
import math


def check(f):
    """Run the check ``f`` now; its name is the one reported when it fails."""
    f()
    return f


def agree(actual, expected, rel=1e-12, abs_=0.0, what="a number"):
    """The notebook's number ``actual`` equals the oracle's ``expected`` within tolerance."""
    if not math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_):
        raise AssertionError(f"{what}: the notebook has {actual!r}, the oracle {expected!r}")


def central_difference(f, point, i, h=1e-6):
    """∂f/∂x_i at ``point`` by (f(x + h e_i) − f(x − h e_i)) / 2h, on plain floats."""
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def logistic(z):
    return 1 / (1 + math.exp(-z))


def mlp_on_floats(weights, activations, x):
    """A network's single output on plain floats: one (W, b) per layer, one row per neuron."""
    functions = {"relu": lambda z: max(0.0, z), "tanh": math.tanh, "sigmoid": logistic,
                 "linear": lambda z: z}
    out = list(x)
    for (W, b), name in zip(weights, activations):
        out = [functions[name](sum(w * v for w, v in zip(row, out)) + bias)
               for row, bias in zip(W, b)]
    return out[0]


def mean_bce(probabilities, targets):
    return -sum(y * math.log(p) + (1 - y) * math.log(1 - p)
                for p, y in zip(probabilities, targets)) / len(targets)


def shown_players():
    """The players the lesson showed (cells ending in ``play(...)``): (player, its output as
    Jupyter made it, a MIME bundle), in the order of the cells."""
    from IPython import get_ipython

    from autograd.player import Player
    shell = get_ipython()
    return [(value, shell.display_formatter.format(value)[0])
            for _, value in sorted(shell.user_ns["Out"].items()) if isinstance(value, Player)]


def the_one_player_shown(title):
    """The lesson shows one player, titled ``title``, inline: text/html holding the player."""
    players = shown_players()
    assert len(players) == 1, f"one cell ending in play(...), found {len(players)}"
    player, bundle = players[0]
    assert "data-backprop-player" in bundle.get("text/html", ""), sorted(bundle)
    assert player.title == title, player.title
'''

VALUES_AND_THE_CHAIN_RULE = [
    '''
@check
def a_product_records_its_parents_and_the_other_factor():
    # c = a * b with a = 3, b = -2 (later cells reuse the names a and b)
    assert c.op == "mul" and c.data == 3.0 * -2.0
    assert [(p.label, p.data) for p in c.parents] == [("a", 3.0), ("b", -2.0)]
    assert c.local_grads == (-2.0, 3.0), c.local_grads   # ∂(ab)/∂a = b, ∂(ab)/∂b = a
''',
    '''
@check
def plain_numbers_mix_with_values():
    assert (d.data, e.data) == (2 * 3.0 + 1, 1 / -2.0), (d.data, e.data)
''',
    '''
@check
def the_neuron_on_plain_floats():
    x_, w_, b_, t_ = 1.5, -0.8, 0.4, 0.5          # the lesson's table
    agree(z.data, w_ * x_ + b_, what="z")
    agree(y.data, math.tanh(w_ * x_ + b_), what="y")
    agree(L.data, (math.tanh(w_ * x_ + b_) - t_) ** 2, what="L")
''',
    '''
@check
def gradients_against_sympy_and_finite_differences():
    import sympy as sp
    xs, ws, bs = sp.symbols("x w b")
    loss_ = (sp.tanh(ws * xs + bs) - sp.Rational(1, 2)) ** 2
    at = {xs: sp.Rational(3, 2), ws: sp.Rational(-4, 5), bs: sp.Rational(2, 5)}
    point = [1.5, -0.8, 0.4]

    def f(p):
        return (math.tanh(p[1] * p[0] + p[2]) - 0.5) ** 2

    for i, (name, symbol, value) in enumerate([("x", xs, x), ("w", ws, w), ("b", bs, b)]):
        exact = float(sp.diff(loss_, symbol).subs(at).evalf(30))
        agree(value.grad, exact, what=f"the engine's ∂L/∂{name}")
        agree(value.grad, central_difference(f, point, i), rel=1e-6,
              what=f"the engine's ∂L/∂{name} against finite differences")
        agree(by_hand[name], exact, what=f"the 'by hand' column, ∂L/∂{name}")
        agree(numeric[name], exact, rel=1e-6, what=f"the 'finite diff.' column, ∂L/∂{name}")
''',
    '''
@check
def explain_multiplies_the_local_derivatives_along_the_one_path():
    y_ = math.tanh(-0.8 * 1.5 + 0.4)
    expected = {"∂L/∂y": 2 * (y_ - 0.5), "∂y/∂z": 1 - y_ ** 2, "∂z/∂w": 1.5}
    assert len(why.paths) == 1
    factors = why.paths[0].factors
    assert [f.name for f in factors] == list(expected), [f.name for f in factors]
    for f in factors:
        agree(f.value, expected[f.name], what=f.name)
    agree(why.total, 2 * (y_ - 0.5) * (1 - y_ ** 2) * 1.5, what="explain's total")
''',
    '''
@check
def a_value_used_twice_gets_both_shares_and_leaves_accumulate():
    # s = a * a with a = 3: ∂s/∂a = a + a = 6 for one backward(), 12 after two
    assert s.parents[0] is a and s.parents[1] is a
    assert (first, second) == (2 * 3.0, 2 * (2 * 3.0)), (first, second)
''',
    '''
@check
def the_player_of_L_is_shown_inline_as_html():
    the_one_player_shown("backprop player: L")
''',
]

BACKPROP_STEP_BY_STEP = [
    '''
# The students network on plain floats, with the weights the lesson prints.
weights_as_printed = [0.6, -0.1, 0.1, -0.3, 0.3, 0.2, 0.35, 0.15, 0.1]  # w1 w2 b1 w3 w4 b2 w5 w6 b3
parameter_names = ["w1", "w2", "b1", "w3", "w4", "b2", "w5", "w6", "b3"]


def students_on_floats(p, x=(2.0, 5.0)):
    w1_, w2_, b1_, w3_, w4_, b2_, w5_, w6_, b3_ = p
    z1_ = w1_ * x[0] + w2_ * x[1] + b1_
    z2_ = w3_ * x[0] + w4_ * x[1] + b2_
    h1_, h2_ = max(0.0, z1_), max(0.0, z2_)
    z3_ = w5_ * h1_ + w6_ * h2_ + b3_
    y_hat_ = logistic(z3_)
    return dict(z1=z1_, h1=h1_, z2=z2_, h2=h2_, z3=z3_, y_hat=y_hat_, L=-math.log(1 - y_hat_))
''',
    '''
@check
def the_forward_pass_on_plain_floats_and_in_the_article():
    assert list(X[0]) == [2.0, 5.0] and Y[0] == 0
    for key, value in students_on_floats(weights_as_printed).items():
        agree(net[key].data, value, what=f"the engine's {key}")
        agree(by_hand[key], value, what=f"the 'by hand' column, {key}")
    # the first article: ŷ ≈ 0.633 ("about 63.3%") and Loss₁ ≈ 1.002 (natural log)
    assert (round(net["y_hat"].data, 3), round(L.data, 3)) == (0.633, 1.002)
''',
    '''
@check
def backward_steps_go_in_the_order_the_text_describes():
    from autograd import backward_steps
    from nn.examples import student_forward
    steps_ = backward_steps(student_forward((2.0, 5.0), 0)["L"])
    names = [s.name.replace("−", "-") for s in steps_]     # either minus sign
    assert names == ["L", "log(1 - ŷ)", "1 - ŷ", "ŷ", "z3", "h2", "z2", "h1", "z1"], names
    assert next(steps, None) is None, "the lesson runs every step"
    assert (step.number, step.name) == (9, "z1"), "the last step the lesson shows is z1's"
    for name in parameter_names:
        assert net[name].grad == fresh[name].grad, f"the steps and backward() differ on {name}"
''',
    '''
@check
def gradients_against_pytorch_and_finite_differences():
    import torch
    t = torch.tensor(weights_as_printed, dtype=torch.float64, requires_grad=True)
    w1_, w2_, b1_, w3_, w4_, b2_, w5_, w6_, b3_ = t
    h1_ = torch.relu(w1_ * 2.0 + w2_ * 5.0 + b1_)
    h2_ = torch.relu(w3_ * 2.0 + w4_ * 5.0 + b2_)
    (-torch.log(1 - torch.sigmoid(w5_ * h1_ + w6_ * h2_ + b3_))).backward()

    def f(p):
        return students_on_floats(p)["L"]

    for i, name in enumerate(parameter_names):
        expected = t.grad[i].item()
        agree(net[name].grad, expected, what=f"∂L/∂{name} against PyTorch")
        agree(net[name].grad, central_difference(f, weights_as_printed, i), rel=1e-6,
              what=f"∂L/∂{name} against finite differences")
    agree(numeric, central_difference(f, weights_as_printed, 0), rel=1e-6,
          what="the lesson's finite difference for w1")
''',
    '''
@check
def the_articles_nine_formulas_hold_and_give_the_numbers_on_plain_floats():
    import torch
    # the first article's formulas, as it writes them
    assert articles_formulas == {
        "w1": "(ŷ − y)·w5·ReLU'(z1)·x1", "w2": "(ŷ − y)·w5·ReLU'(z1)·x2",
        "b1": "(ŷ − y)·w5·ReLU'(z1)", "w3": "(ŷ − y)·w6·ReLU'(z2)·x1",
        "w4": "(ŷ − y)·w6·ReLU'(z2)·x2", "b2": "(ŷ − y)·w6·ReLU'(z2)",
        "w5": "(ŷ − y)·h1", "w6": "(ŷ − y)·h2", "b3": "ŷ − y"}, articles_formulas
    v = students_on_floats(weights_as_printed)
    w = dict(zip(parameter_names, weights_as_printed))
    d, x1_, x2_ = v["y_hat"] - 0, 2.0, 5.0             # ŷ − y, y = 0
    relu1, relu2 = float(v["z1"] > 0), float(v["z2"] > 0)
    on_floats = {"w1": d * w["w5"] * relu1 * x1_, "w2": d * w["w5"] * relu1 * x2_,
                 "b1": d * w["w5"] * relu1, "w3": d * w["w6"] * relu2 * x1_,
                 "w4": d * w["w6"] * relu2 * x2_, "b2": d * w["w6"] * relu2,
                 "w5": d * v["h1"], "w6": d * v["h2"], "b3": d}
    t = torch.tensor(weights_as_printed, dtype=torch.float64, requires_grad=True)
    w1_, w2_, b1_, w3_, w4_, b2_, w5_, w6_, b3_ = t
    h1_ = torch.relu(w1_ * 2.0 + w2_ * 5.0 + b1_)
    h2_ = torch.relu(w3_ * 2.0 + w4_ * 5.0 + b2_)
    (-torch.log(1 - torch.sigmoid(w5_ * h1_ + w6_ * h2_ + b3_))).backward()
    assert list(checked) == parameter_names, list(checked)
    for i, name in enumerate(parameter_names):
        report = checked[name]
        assert report and report.name == f"∂L/∂{name}", str(report)
        assert report.points == report.agreed == 48, (name, report.points, report.agreed)
        agree(on_floats[name], t.grad[i].item(), what=f"the article's formula on floats, {name}")
        agree(report.here.engine, t.grad[i].item(), what=f"the engine's ∂L/∂{name}")
        agree(report.here.claimed, on_floats[name], what=f"the formula's number, ∂L/∂{name}")
''',
    '''
@check
def forgetting_relu_prime_passes_here_and_fails_where_z1_is_negative():
    r = forgot_relu
    assert not r and r.claim == "(ŷ - y)·w5·x1", str(r)
    v = students_on_floats(weights_as_printed)
    agree(r.here.claimed, v["y_hat"] * 0.35 * 2.0, what="the formula at this student's point")
    agree(r.here.engine, r.here.claimed, what="the engine at this student's point")
    # the worst point, on plain floats: z1 <= 0 there, so ∂L/∂w1 is 0 and the formula is not
    p = r.worst.at
    z1_ = p["w1"] * p["x1"] + p["w2"] * p["x2"] + p["b1"]
    h1_, h2_ = max(0.0, z1_), max(0.0, p["w3"] * p["x1"] + p["w4"] * p["x2"] + p["b2"])
    y_hat_ = logistic(p["w5"] * h1_ + p["w6"] * h2_ + p["b3"])
    assert z1_ <= 0 and r.worst.engine == 0.0, (z1_, r.worst.engine)
    agree(r.worst.claimed, y_hat_ * p["w5"] * p["x1"], what="the formula at the worst point")
    assert r.diagnosis.category == "missing factor" and r.diagnosis.edge == "∂h1/∂z1"
    assert "ReLU'(z1)" in r.diagnosis.message, r.diagnosis.message
''',
    '''
@check
def the_path_of_w1_is_the_articles_formula():
    y_hat_ = logistic(0.35 * 0.8 + 0.15 * 1.1 + 0.1)     # z3 = w5·h1 + w6·h2 + b3
    assert len(why.paths) == 1
    factors = why.paths[0].factors
    names = [f.name for f in factors]
    assert names == ["∂L/∂ŷ", "∂ŷ/∂z3", "∂z3/∂h1", "∂h1/∂z1", "∂z1/∂w1"], names
    v = [f.value for f in factors]
    agree(v[0], 1 / (1 - y_hat_), what="∂L/∂ŷ")
    agree(v[1], y_hat_ * (1 - y_hat_), what="∂ŷ/∂z3")
    agree(v[0] * v[1], y_hat_ - 0, what="(ŷ − y)")
    assert v[2:] == [0.35, 1.0, 2.0], v[2:]               # w5 · ReLU'(z1) · x1
    agree(why.total, (y_hat_ - 0) * 0.35 * 1.0 * 2.0, what="explain's total")
''',
    '''
@check
def the_player_of_the_loss_is_shown_inline_as_html():
    the_one_player_shown("backprop player: L")
''',
]

CHECKING_A_HAND_DERIVED_GRADIENT = [
    '''
# The third article's network in PyTorch (float64) and on plain floats, its weights as given.
def simplenn_on_floats(p):
    W1_11, W1_12, W1_21, W1_22, b1_1, b1_2, W2_1, W2_2, b2 = p
    a1 = max(0.0, W1_11 * 1.0 + W1_12 * 2.0 + b1_1)
    a2 = max(0.0, W1_21 * 1.0 + W1_22 * 2.0 + b1_2)
    return -math.log(logistic(W2_1 * a1 + W2_2 * a2 + b2))      # y = 1


def simplenn_in_torch():
    import torch
    weights = dict(W1_11=0.2, W1_12=0.4, W1_21=0.1, W1_22=0.6, b1_1=0.3, b1_2=0.5,
                   W2_1=0.7, W2_2=0.9, b2=0.2)
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in weights.items()}
    inner = {}
    inner["z1_1"] = p["W1_11"] * 1.0 + p["W1_12"] * 2.0 + p["b1_1"]
    inner["z1_2"] = p["W1_21"] * 1.0 + p["W1_22"] * 2.0 + p["b1_2"]
    inner["a1_1"], inner["a1_2"] = torch.relu(inner["z1_1"]), torch.relu(inner["z1_2"])
    inner["z2"] = p["W2_1"] * inner["a1_1"] + p["W2_2"] * inner["a1_2"] + p["b2"]
    inner["yhat"] = torch.sigmoid(inner["z2"])
    loss_ = torch.nn.functional.binary_cross_entropy(
        inner["yhat"], torch.tensor(1.0, dtype=torch.float64))
    for v in inner.values():
        v.retain_grad()
    loss_.backward()
    values = {k: v.item() for k, v in inner.items()} | {"L": loss_.item()}
    grads = {k: v.grad.item() for k, v in (inner | p).items()}
    return weights, values, grads


article_weights, torch_value, torch_grad = simplenn_in_torch()


def exact_rows():
    """The exact value of each number the article prints, in the lesson's order."""
    v, g = torch_value, torch_grad
    return [v["z1_1"], v["z1_2"], v["a1_1"], v["a1_2"], v["z2"], v["yhat"], v["yhat"], v["L"],
            g["yhat"], g["z2"], g["W2_1"], g["W2_2"], g["a1_1"], g["a1_2"], g["z1_1"], g["z1_2"],
            g["W1_11"], g["W1_12"], g["W1_21"], g["W1_22"]]


# The numbers the third article prints, in its order, with the quantity each one claims.
PRINTED = [
    ("z1[1]", 1.3), ("z1[2]", 1.8), ("a1[1]", 1.3), ("a1[2]", 1.8),
    ("z2", 3.18), ("ŷ", 0.938), ("ŷ", 0.96), ("L", 0.064),
    ("∂L/∂ŷ", -1.066), ("∂L/∂z2", -0.062), ("∂L/∂W2[1]", -0.0806), ("∂L/∂W2[2]", -0.1116),
    ("∂L/∂a1[1]", -0.02796), ("∂L/∂a1[2]", -0.03594),
    ("∂L/∂z1[1]", -0.02796), ("∂L/∂z1[2]", -0.03594),
    ("∂L/∂W1[1,1]", -0.02796), ("∂L/∂W1[1,2]", -0.07188),
    ("∂L/∂W1[2,1]", -0.03594), ("∂L/∂W1[2,2]", -0.08985),
]
SLIPS = [("z2", 3.18), ("ŷ", 0.96), ("∂L/∂a1[1]", -0.02796), ("∂L/∂a1[2]", -0.03594),
         ("∂L/∂z1[1]", -0.02796), ("∂L/∂z1[2]", -0.03594),
         ("∂L/∂W1[1,1]", -0.02796), ("∂L/∂W1[1,2]", -0.07188),
         ("∂L/∂W1[2,1]", -0.03594), ("∂L/∂W1[2,2]", -0.08985)]


def at_the_simplenn_point(at):
    """The forward pass on plain floats at a point of check_formula (leaves by label)."""
    z1 = [at[f"W1[{i},1]"] * at["x1"] + at[f"W1[{i},2]"] * at["x2"] + at[f"b1[{i}]"]
          for i in (1, 2)]
    a1 = [max(0.0, z) for z in z1]
    z2 = at["W2[1]"] * a1[0] + at["W2[2]"] * a1[1] + at["b2"]
    return z1, a1, z2, logistic(z2)
''',
    '''
@check
def the_weights_are_the_articles():
    assert given == article_weights, given
''',
    '''
@check
def every_number_of_the_table_against_pytorch():
    assert article_numbers == PRINTED, article_numbers
    oracle = exact_rows()
    assert [(r.name, r.claimed) for r in numbers.rows] == PRINTED
    assert len(numbers.rows) == len(strict.rows) == len(oracle)
    for row, expected in zip(numbers.rows, oracle):
        agree(row.engine, expected, abs_=1e-15, what=f"the engine column, {row.name}")
    for key in ["W1_11", "W1_12", "W1_21", "W1_22", "b1_1", "b1_2", "W2_1", "W2_2", "b2"]:
        agree(params[key].grad, torch_grad[key], what=f"∂L/∂{key}")
    agree(local.engine, torch_value["yhat"] * (1 - torch_value["yhat"]), what="∂ŷ/∂z2")
    assert local.ok and abs(0.0582 - local.engine) <= 0.002
    # the lesson's numbers by hand, on plain floats
    for name, hand in [("z2", Z2), ("yhat", YHAT), ("L", LOSS)]:
        agree(hand, torch_value[name], abs_=1e-15, what=f"{name} by hand")
    for i in (1, 2):
        agree(dL_dz1[i - 1], torch_grad[f"z1_{i}"], abs_=1e-15, what=f"∂L/∂z1[{i}] by hand")
        for j in (1, 2):
            agree(dL_dW1[i - 1][j - 1], torch_grad[f"W1_{i}{j}"], abs_=1e-15,
                  what=f"∂L/∂W1[{i},{j}] by hand")
''',
    '''
@check
def exactly_the_articles_slips_are_flagged():
    flagged = [(r.name, r.claimed) for r in numbers.wrong]
    assert flagged == SLIPS, flagged
    for (name, printed), exact in zip(PRINTED, exact_rows()):
        assert ((name, printed) in SLIPS) == (abs(printed - exact) > 0.002), name

    def half_unit(x):          # at a number's own printed precision: half a unit of its last digit
        return 0.5 * 10.0 ** -len(repr(x).partition(".")[2])

    wrong_strictly = [(n, x) for (n, x), e in zip(PRINTED, exact_rows())
                      if abs(x - e) > half_unit(x)]
    assert [(r.name, r.claimed) for r in strict.wrong] == wrong_strictly
    assert len(wrong_strictly) > len(SLIPS) and set(SLIPS) <= set(wrong_strictly)
''',
    '''
@check
def the_arithmetic_behind_each_slip():
    says = {}
    for name, number in article_numbers:
        says.setdefault(name, []).append(number)
    # 1. z2 = 0.7·1.3 + 0.9·1.8 + 0.2 = 2.73, not 3.18; σ(2.73) truncated is the article's 0.938
    agree(torch_value["z2"], 0.7 * 1.3 + 0.9 * 1.8 + 0.2, what="z2")
    agree(torch_value["z2"], 2.73, what="z2")
    assert says["z2"] == [3.18]
    assert [math.floor(logistic(2.73) * 1000) / 1000, 0.96] == says["ŷ"]
    # 2. the later 0.96 is σ(3.18), the wrong z2
    assert round(logistic(3.18), 2) == says["ŷ"][1]
    # 3. the stale −0.039936 times W2 gives the article's ∂L/∂a1, about a third too small
    stale = [round(-0.039936 * given[k], 5) for k in ("W2_1", "W2_2")]
    assert stale == says["∂L/∂a1[1]"] + says["∂L/∂a1[2]"], stale
    assert 0.6 < says["∂L/∂a1[1]"][0] / torch_grad["a1_1"] < 0.7
    # 4. ∂L/∂z1 · xᵀ with x = [1, 2]: the second column is twice the first; not so in the article
    dz1 = says["∂L/∂z1[1]"] + says["∂L/∂z1[2]"]
    outer = [[round(d * xj, 5) for xj in (1.0, 2.0)] for d in dz1]
    assert own == outer == [[-0.02796, -0.05592], [-0.03594, -0.07188]], own
    assert says["∂L/∂W1[1,2]"] + says["∂L/∂W1[2,2]"] != [outer[0][1], outer[1][1]]
''',
    '''
@check
def the_articles_formulas_hold_and_give_pytorchs_numbers():
    assert article_formulas == [
        ("ŷ", "−y/ŷ + (1 − y)/(1 − ŷ)"), ("z2", "(−y/ŷ + (1 − y)/(1 − ŷ))·ŷ·(1 − ŷ)"),
        ("z2", "ŷ − y"), ("W2[1]", "(ŷ − y)·a1[1]"), ("W2[2]", "(ŷ − y)·a1[2]"),
        ("a1[1]", "(ŷ − y)·W2[1]"), ("a1[2]", "(ŷ − y)·W2[2]"),
        ("z1[1]", "(ŷ − y)·W2[1]·ReLU'(z1[1])"), ("z1[2]", "(ŷ − y)·W2[2]·ReLU'(z1[2])"),
        ("W1[1,1]", "(ŷ − y)·W2[1]·ReLU'(z1[1])·x1"), ("W1[1,2]", "(ŷ − y)·W2[1]·ReLU'(z1[1])·x2"),
        ("W1[2,1]", "(ŷ − y)·W2[2]·ReLU'(z1[2])·x1"), ("W1[2,2]", "(ŷ − y)·W2[2]·ReLU'(z1[2])·x2"),
    ], article_formulas
    # the formulas on plain floats at the article's point (y = 1, both ReLUs on)
    y_hat_, d = torch_value["yhat"], torch_value["yhat"] - 1
    on_floats = [-1 / y_hat_, (-1 / y_hat_) * y_hat_ * (1 - y_hat_), d,
                 d * 1.3, d * 1.8, d * 0.7, d * 0.9, d * 0.7, d * 0.9,
                 d * 0.7 * 1.0, d * 0.7 * 2.0, d * 0.9 * 1.0, d * 0.9 * 2.0]
    keys = ["yhat", "z2", "z2", "W2_1", "W2_2", "a1_1", "a1_2", "z1_1", "z1_2",
            "W1_11", "W1_12", "W1_21", "W1_22"]
    assert len(checked) == len(article_formulas) == 13
    for report, (wrt, _), key, value in zip(checked, article_formulas, keys, on_floats):
        # every point tried tells (none where both sides are 0), and the formula agrees at each
        assert report and report.points == report.informative == report.agreed == 48, str(report)
        assert report.name == f"∂L/∂{wrt}", report.name
        agree(value, torch_grad[key], rel=1e-12, what=f"the formula on floats, ∂L/∂{wrt}")
        agree(report.here.engine, torch_grad[key], rel=1e-12, what=f"the engine's ∂L/∂{wrt}")
        agree(report.here.claimed, value, rel=1e-12, what=f"the formula's number, ∂L/∂{wrt}")
''',
    '''
@check
def forgetting_relu_prime_is_right_here_wrong_where_the_neuron_is_off():
    r = forgot_relu
    assert not r and r.claim == "(ŷ − y)·W2[1]·x1", str(r)
    agree(r.here.claimed, torch_grad["W1_11"], what="the forgotten-ReLU' formula here")
    agree(r.here.engine, torch_grad["W1_11"], what="the engine here")
    # the worst point on plain floats: hidden neuron 1 is off, so no gradient reaches W1[1,1]
    z1, _, _, y_hat_ = at_the_simplenn_point(r.worst.at)
    assert z1[0] <= 0 and r.worst.engine == 0.0, (z1, r.worst.engine)
    agree(r.worst.claimed, (y_hat_ - 1) * r.worst.at["W2[1]"] * r.worst.at["x1"],
          what="the formula at the worst point")
    d = r.diagnosis
    assert d.category == "missing factor" and d.edge == "∂a1[1]/∂z1[1]", (d.category, d.edge)
    assert "ReLU'(z1[1])" in d.message and "that point alone cannot tell" in d.message
    assert d.values[0] is net["a1_1"] and d.values[1] is net["z1_1"], d.values
''',
    '''
@check
def sigma_prime_counted_twice_is_an_extra_factor():
    r = twice
    assert not r and r.claim == "(ŷ − y)·σ'(z2)·W2[1]·ReLU'(z1[1])·x1", str(r)
    y_hat_ = torch_value["yhat"]
    agree(r.here.claimed, torch_grad["W1_11"] * y_hat_ * (1 - y_hat_),
          what="the formula with σ' twice, here")
    z1, _, _, y_hat_w = at_the_simplenn_point(r.worst.at)
    agree(r.worst.engine, (y_hat_w - 1) * r.worst.at["W2[1]"] * (z1[0] > 0) * r.worst.at["x1"],
          what="the engine at the worst point")
    d = r.diagnosis
    assert d.category == "extra factor" and d.edge == "∂ŷ/∂z2", (d.category, d.edge)
    assert "counted twice" in d.message and "σ'(z2)" in d.message, d.message
    assert d.values[0] is net["yhat"] and d.values[1] is net["z2"], d.values
''',
    '''
# The first article's network for its first student, x = (2, 5), y = 0, on plain floats, at a
# point of check_formula (leaves by label); and each slip the lesson makes, as the right
# formula with that one change, written here from the slip's description.
def student_at(at):
    z1 = at["w1"] * at["x1"] + at["w2"] * at["x2"] + at["b1"]
    z2 = at["w3"] * at["x1"] + at["w4"] * at["x2"] + at["b2"]
    h1, h2 = max(0.0, z1), max(0.0, z2)
    y_hat_ = logistic(at["w5"] * h1 + at["w6"] * h2 + at["b3"])
    return dict(z1=z1, z2=z2, h1=h1, h2=h2, s1=float(z1 > 0), s2=float(z2 > 0), d=y_hat_ - 0)


def student_loss(at):
    return -math.log(1 - student_at(at)["d"])                  # y = 0


STUDENT_POINT = dict(x1=2.0, x2=5.0, w1=0.6, w2=-0.1, b1=0.1, w3=-0.3, w4=0.3, b2=0.2,
                     w5=0.35, w6=0.15, b3=0.1)
PATH_THROUGH_H2 = ["L", "ŷ", "z3", "h2", "z2", "x1"]           # from L back to x1
# claim: (with respect to, category, edge, the parts' edges, the slipped formula on floats)
INTENDED = {
    "(ŷ − y)w5·x1": ("w1", "missing factor", "∂h1/∂z1", (),
                     lambda a, v: v["d"] * a["w5"] * a["x1"]),
    "(ŷ − y)w5·w5·ReLU'(z1)x1": ("w1", "extra factor", "∂z3/∂h1", (),
                                 lambda a, v: v["d"] * a["w5"] ** 2 * v["s1"] * a["x1"]),
    "(ŷ − y)w6·ReLU'(z1)x1": ("w1", "wrong factor", "∂z3/∂h1", (),
                              lambda a, v: v["d"] * a["w6"] * v["s1"] * a["x1"]),
    "(y − ŷ)w5·ReLU'(z1)x1": ("w1", "sign error", "", (),
                              lambda a, v: -v["d"] * a["w5"] * v["s1"] * a["x1"]),
    "(ŷ − y)w5·ReLU'(z1)w1 − (ŷ − y)w6·ReLU'(z2)w3": (
        "x1", "sign error", "", (),
        lambda a, v: v["d"] * (a["w5"] * v["s1"] * a["w1"] - a["w6"] * v["s2"] * a["w3"])),
    "(ŷ − y)w5·σ'(z1)x1": ("w1", "wrong derivative", "∂h1/∂z1", (),
                           lambda a, v: v["d"] * a["w5"] * logistic(v["z1"])
                           * (1 - logistic(v["z1"])) * a["x1"]),
    "(ŷ − y)w5·step(z2)x1": ("w1", "wrong argument", "∂h1/∂z1", (),
                             lambda a, v: v["d"] * a["w5"] * v["s2"] * a["x1"]),
    "(ŷ − y)w5·h1·x1": ("w1", "value for derivative", "∂h1/∂z1", (),
                        lambda a, v: v["d"] * a["w5"] * v["h1"] * a["x1"]),
    "2(ŷ − y)w5·ReLU'(z1)x1": ("w1", "constant factor", "", (),
                               lambda a, v: 2 * v["d"] * a["w5"] * v["s1"] * a["x1"]),
    "(ŷ − y)w5·ReLU'(z1)w1": ("x1", "missing path", "", (),
                              lambda a, v: v["d"] * a["w5"] * v["s1"] * a["w1"]),
    "(ŷ − y)w5·ReLU'(z1)w4 + (ŷ − y)w6·ReLU'(z2)w2": (
        "x2", "two slips", "∂z1/∂x2", ("∂z1/∂x2", "∂z2/∂x2"),
        lambda a, v: v["d"] * (a["w5"] * v["s1"] * a["w4"] + a["w6"] * v["s2"] * a["w2"])),
}
# the Values at both ends of each edge: (child, parent)
EDGE_ENDS = {"∂h1/∂z1": ("h1", "z1"), "∂z3/∂h1": ("z3", "h1"), "∂z1/∂x2": ("z1", "x2"),
             "∂z2/∂x2": ("z2", "x2")}
''',
    '''
@check
def the_articles_formula_for_w1_holds_and_its_report_has_the_new_lines():
    r = articles
    assert r and r.claim == "(ŷ − y)w5·ReLU'(z1)x1", str(r)
    assert r.read_as == "(ŷ − y)·w5·ReLU'(z1)·x1", r.read_as
    assert r.points == r.informative == r.agreed == 48, (r.points, r.informative, r.agreed)
    text = str(r)
    assert "read as: (ŷ − y)·w5·ReLU'(z1)·x1" in text, text
    assert "informative at 48 of 48 points" in text, text
    # points drawn where z1 <= 0 (both sides 0) were passed over, and the text says how many
    assert r.passed_over > 0 and f"({r.passed_over} more drawn told nothing" in text, text
    v = student_at(STUDENT_POINT)
    agree(r.here.claimed, v["d"] * 0.35 * 1.0 * 2.0, what="(ŷ − y)·w5·ReLU'(z1)·x1 here")
    agree(r.here.engine, central_difference(
        lambda p: student_loss(dict(STUDENT_POINT, w1=p[0])), [0.6], 0), rel=1e-6,
        what="∂L/∂w1 against finite differences")
    # a point the report shows: where the claim and the engine differ from 0, by floats
    w = student_at(r.worst.at)
    assert w["s1"] == 1.0, r.worst.at
    agree(r.worst.claimed, w["d"] * r.worst.at["w5"] * r.worst.at["x1"], rel=1e-9,
          what="the claim there")
''',
    '''
@check
def a_target_labelled_y_is_held_unless_varied():
    assert held and held.held == ("y",), (bool(held), held.held)
    assert "held at their numbers, not redrawn: y (vary=['y'] redraws it)" in str(held), str(held)
    assert held.points == held.informative == held.agreed == 48
    assert "y" not in held.worst.at or held.worst.at["y"] == 0.0, held.worst.at
    assert varied and varied.held == () and "held at" not in str(varied), str(varied)
    agree(L_with_y.data, student_loss(STUDENT_POINT), what="the loss with y as a Value")
''',
    '''
@check
def each_slip_is_named_as_the_slip_made_on_its_edge():
    assert [claim for _, claim in slips] == list(INTENDED), slips
    assert list(slipped) == list(INTENDED)
    kinds = {"missing factor", "extra factor", "wrong factor", "sign error", "wrong derivative",
             "wrong argument", "value for derivative", "constant factor", "missing path",
             "two slips"}
    assert {category for _, category, *_ in INTENDED.values()} == kinds
    for claim, (wrt, category, edge, parts, _) in INTENDED.items():
        r = slipped[claim]
        d = r.diagnosis
        assert not r and r.name == f"∂L/∂{wrt}", (claim, str(r))
        assert (d.category, d.edge) == (category, edge), (claim, d.category, d.edge, d.message)
        assert tuple((p.category, p.edge) for p in d.parts) == tuple(
            ("wrong factor", e) for e in parts), (claim, d.parts)
        if edge and not parts:
            assert d.values == tuple(student[k] for k in EDGE_ENDS[edge]), (claim, d.values)
        for part in d.parts:
            assert part.values == tuple(student[k] for k in EDGE_ENDS[part.edge]), part
    # the sign of one term and a missing path point at the path through h2, Value by Value
    for claim in ("(ŷ − y)w5·ReLU'(z1)w1 − (ŷ − y)w6·ReLU'(z2)w3", "(ŷ − y)w5·ReLU'(z1)w1"):
        values = slipped[claim].diagnosis.values
        assert [v.label for v in values] == PATH_THROUGH_H2, (claim, values)
        assert values[-1] is student["x1"] and values[0] is student_L
    assert dropped is slipped["(ŷ − y)w5·ReLU'(z1)w1"]
    # the table shown: one row per claim, with its category and edge
    assert len(rows) == 2 + len(INTENDED), rows
    for row, (claim, (wrt, category, edge, parts, _)) in zip(rows[2:], INTENDED.items()):
        shown = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert shown[0].endswith(f" = {claim}") and shown[1] == category, row
        path = "path " + " → ".join(reversed(PATH_THROUGH_H2))
        assert shown[2] == (" and ".join(parts) or edge or (
            path if wrt == "x1" else "the whole claim")), row
''',
    '''
@check
def each_slipped_claim_gives_its_slips_number_and_the_engine_the_gradient():
    for claim, (wrt, _, _, _, slipped_on_floats) in INTENDED.items():
        r = slipped[claim]
        for where, c in (("here", r.here), ("at the worst point", r.worst)):
            at = dict(STUDENT_POINT, **c.at)
            agree(c.claimed, slipped_on_floats(at, student_at(at)), rel=1e-9,
                  what=f"{claim} {where}, on floats")
            gradient = central_difference(
                lambda p: student_loss(dict(at, **{wrt: p[0]})), [at[wrt]], 0)
            agree(c.engine, gradient, rel=1e-5, abs_=1e-9, what=f"∂L/∂{wrt} {where}")
        # the worst point shows the slip: the claim is not the gradient there
        assert abs(r.worst.claimed - r.worst.engine) > 1e-6 * max(1.0, abs(r.worst.engine)), claim
''',
    '''

@check
def explain_for_W1_12_against_pytorch():
    agree(why.total, torch_grad["W1_12"], what="explain's total")
    assert why.paths[0].factors[-1].value == 2.0      # ∂z1_1/∂W1_12 = x2
''',
    '''
@check
def gradcheck_passes_with_the_right_rules():
    point = list(article_weights.values())
    for rep, label in ((report, "the built-in sigmoid"), (my_report, "my_sigmoid")):
        assert rep, f"gradcheck with {label} should pass"
        assert [c.name for c in rep.inputs] == list(article_weights)
        for i, c in enumerate(rep.inputs):
            agree(c.analytic, torch_grad[c.name], rel=1e-9, what=f"{label}: analytic {c.name}")
            agree(c.numeric, central_difference(simplenn_on_floats, point, i), rel=1e-6,
                  what=f"{label}: numeric {c.name}")
    assert "my_sigmoid" in [c.op for c in my_report.ops]
    agree(L_mine.data, torch_value["L"], what="the loss with my_sigmoid")
    for key in article_weights:
        agree(mine[key].grad, torch_grad[key], rel=1e-9, what=f"∂L/∂{key} with my_sigmoid")
''',
    '''
@check
def gradcheck_fails_with_the_wrong_rule_and_names_it():
    assert not bad
    assert [c.op for c in bad.failed_ops] == ["wrong_sigmoid"]
    # σ' taken as ŷ instead of ŷ(1 − ŷ): every gradient comes out divided by (1 − ŷ)
    y_hat_ = torch_value["yhat"]
    for c in bad.inputs:
        assert not c.passed, c.name
        agree(c.analytic, torch_grad[c.name] / (1 - y_hat_), rel=1e-9, what=f"analytic {c.name}")
    agree(b2_check.analytic, -1.0, rel=1e-9, what="∂L/∂b2 = (ŷ − 1)/(1 − ŷ)")
''',
]

TRAINING_AN_MLP = [
    '''
@check
def the_students_network_learns_every_student():
    students = [((2, 5), 0), ((4, 6), 0), ((6, 7), 1), ((8, 8), 1), ((3, 4), 0), ((7, 6), 1)]
    targets = [t for _, t in students]
    assert [tuple(x) for x in X_st] == [x for x, _ in students] and list(y_st) == targets
    start = [([[0.6, -0.1], [-0.3, 0.3]], [0.1, 0.2]), ([[0.35, 0.15]], [0.1])]
    at_start = [mlp_on_floats(start, ["relu", "sigmoid"], x) for x, _ in students]
    agree(history[0], mean_bce(at_start, targets), what="the mean BCE at step 0")
    now = [mlp_on_floats(model.get_weights(), ["relu", "sigmoid"], x) for x, _ in students]
    for p, q in zip(probs, now):
        agree(p, q, what="P(pass)")
    agree(student_loss, mean_bce(now, targets), what="the final mean BCE")
    agree(by_hand, mean_bce(now, targets), what="the lesson's mean BCE on plain floats")
    assert history[-1] < history[0] / 5, (history[0], history[-1])
    assert [p > 0.5 for p in now] == [t == 1 for t in targets], now
''',
    '''
@check
def xor_is_learned():
    points = [(0, 0), (0, 1), (1, 0), (1, 1)]
    truth = [a ^ b for a, b in points]
    assert [tuple(x) for x in X_x] == points and list(y_x) == truth
    now = [mlp_on_floats(xor_model.get_weights(), ["tanh", "sigmoid"], x) for x in points]
    for p, q in zip(xor_probs, now):
        agree(p, q, what="P(1)")
    assert [int(p > 0.5) for p in now] == truth, now
    assert xor_history[-1] < 0.05 and mean_bce(now, truth) < 0.05, xor_history[-1]
''',
    '''
@check
def the_moons_model_learns_and_its_loss_is_hinge_plus_l2():
    assert list(y_m) == [2 * t - 1 for t in y01] and set(y_m) == {-1, 1} and len(X_m) == 100
    activations = ["relu", "relu", "linear"]

    def loss_on_floats(weights):
        s = [mlp_on_floats(weights, activations, x) for x in X_m]
        squares = sum(v * v for W, bias in weights for v in [*sum(W, []), *bias])
        return sum(max(0.0, 1 - t * si) for si, t in zip(s, y_m)) / len(y_m) + 1e-4 * squares

    start = MLP(2, [16, 16, 1], rng=random.Random(1337)).get_weights()
    agree(moons_loss[0], loss_on_floats(start), what="the loss at step 0")
    trained = moons.get_weights()
    agree(loss.data, loss_on_floats(trained), what="the loss at the trained weights")
    s = [mlp_on_floats(trained, activations, x) for x in X_m]
    accuracy = sum((si > 0) == (t > 0) for si, t in zip(s, y_m)) / len(y_m)
    assert accuracy >= 0.95 and moons_acc[-1] >= 0.95, (accuracy, moons_acc[-1])
    assert moons_loss[-1] < moons_loss[0] / 10, (moons_loss[0], moons_loss[-1])
''',
    '''
@check
def moons_gradients_against_pytorch_built_from_the_weights():
    import torch
    layers = [(torch.tensor(W, dtype=torch.float64, requires_grad=True),
               torch.tensor(b_, dtype=torch.float64, requires_grad=True))
              for W, b_ in moons.get_weights()]
    h = torch.tensor(X_m, dtype=torch.float64)
    for k, (W, b_) in enumerate(layers):
        h = h @ W.T + b_
        if k < len(layers) - 1:
            h = torch.relu(h)
    s = h.squeeze(1)
    yt = torch.tensor(y_m, dtype=torch.float64)
    loss_t_ = torch.relu(1 - yt * s).mean() + 1e-4 * sum(
        (W * W).sum() + (b_ * b_).sum() for W, b_ in layers)
    loss_t_.backward()
    expected = []
    for W, b_ in layers:     # our order: layer by layer, neuron by neuron, weights then bias
        for j in range(W.shape[0]):
            expected += W.grad[j].tolist() + [b_.grad[j].item()]
    ours = [p.grad for p in moons.parameters()]
    assert len(ours) == len(expected) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1 == 337
    worst = max(abs(a_ - e_) for a_, e_ in zip(ours, expected))
    assert worst < 1e-12, worst
    agree(loss.data, loss_t_.item(), what="the loss")
    assert max(abs(a_.data - e_) for a_, e_ in zip(scores, s.tolist())) < 1e-12
    # to_torch() builds the same function
    exported = torch_moons(torch.tensor(X_m, dtype=torch.float64)).squeeze(1)
    assert torch.allclose(exported, s, rtol=0, atol=1e-12)
''',
]

FROM_ONE_NEURON_TO_DEEPER_NETS = [
    '''
@check
def the_neuron_is_the_maximum_likelihood_logistic_regression():
    hours_ = [1, 2, 3, 4, 5, 6, 7, 8]
    passed_ = [0, 0, 1, 0, 1, 0, 1, 1]
    assert (list(hours), list(passed)) == (hours_, passed_)
    p = [logistic(B1 * x_ + B0) for x_ in hours_]
    # at the maximum of the (concave) log-likelihood, its gradient is zero
    g0 = sum(pi - t for pi, t in zip(p, passed_)) / len(p)
    g1 = sum((pi - t) * x_ for pi, t, x_ in zip(p, passed_, hours_)) / len(p)
    assert abs(g0) < 1e-5 and abs(g1) < 1e-5, (g0, g1)
    agree(b1, B1, rel=1e-6, what="the Newton / IRLS column, B1")
    agree(b0, B0, rel=1e-6, what="the Newton / IRLS column, B0")
    agree(neuron([5.0]).data, logistic(B1 * 5.0 + B0), what="the neuron at x = 5")
''',
    '''
@check
def the_fourth_articles_Z1_and_matrix_form():
    from nn.examples import five_input_network
    W0, bias0 = five_input_network().layers[0].get_weights()
    x_ = (0.5, -1.0, 2.0, 0.0, 1.5)
    assert tuple(FIVE_INPUT_SAMPLE) == x_
    for n in (1, 2):
        for a_ in range(1, 6):       # W<a>,<b> joins input a to neuron b: row b, column a
            assert sample[f"W{a_},{n}"].data == W0[n - 1][a_ - 1], (a_, n)
        assert sample[f"Bias_Neuron{n}"].data == bias0[n - 1]
        z_ = sum(W0[n - 1][i] * x_[i] for i in range(5)) + bias0[n - 1]
        agree(sample[f"Z{n}"].data, z_, what=f"Z{n}")
        agree(Z[n - 1], z_, what=f"[W]·[X] + [Bias], row {n}")
        agree(sample[f"Activation_{n}"].data, logistic(z_), what=f"Activation_{n}")
    agree(Z1_by_hand, sum(W0[0][i] * x_[i] for i in range(5)) + bias0[0], what="Z1 by hand")
''',
    '''
@check
def the_five_input_network_learns_its_made_up_rule():
    from nn.examples import five_input_network
    assert len(X5) == 40 and all(0 <= v < 1 for row in X5 for v in row)
    assert Y5 == [1.0 if r[0] + r[1] > r[3] + r[4] else 0.0 for r in X5]
    sigmoids = ["sigmoid"] * 3

    def mse_on_floats(weights):
        return sum((mlp_on_floats(weights, sigmoids, x_) - t) ** 2 for x_, t in zip(X5, Y5)) / 40

    agree(history[0], mse_on_floats(five_input_network().get_weights()), what="MSE at epoch 0")
    agree(mse_by_hand, mse_on_floats(net.get_weights()), what="the final MSE")
    now = [mlp_on_floats(net.get_weights(), sigmoids, x_) for x_ in X5]
    right = sum((p > 0.5) == (t == 1.0) for p, t in zip(now, Y5)) / 40
    assert accuracy == right and right >= 0.85, (accuracy, right)
    assert mse_by_hand < 0.5 * history[0], (history[0], mse_by_hand)
''',
    '''
@check
def a_gradient_of_the_trained_network_against_finite_differences():
    assert w.label == "W1,1" and w is net.parameters()[0]
    weights = net.get_weights()

    def mse_at(p):
        changed = [([list(row) for row in W], list(b_)) for W, b_ in weights]
        changed[0][0][0][0] = p[0]
        return sum((mlp_on_floats(changed, ["sigmoid"] * 3, x_) - t) ** 2
                   for x_, t in zip(X5, Y5)) / 40

    expected = central_difference(mse_at, [weights[0][0][0][0]], 0)
    agree(engine_grad, expected, rel=1e-5, abs_=1e-10, what="∂MSE/∂W1,1")
    agree(numeric, expected, rel=1e-5, abs_=1e-10, what="the lesson's finite difference")
''',
    '''
# The sigmoid 2-2-2 network with E = ½Σ(t − o)² in PyTorch (float64).
def squared_error_in_torch():
    import torch
    (Wij, tj), (Wjk, tk) = [
        (torch.tensor(W, dtype=torch.float64, requires_grad=True),
         torch.tensor(b_, dtype=torch.float64, requires_grad=True))
        for W, b_ in SQUARED_ERROR_WEIGHTS]
    x_ = torch.tensor(SQUARED_ERROR_INPUT, dtype=torch.float64)
    net_j = Wij @ x_ + tj
    o_j_ = torch.sigmoid(net_j)
    net_k = Wjk @ o_j_ + tk
    o_k_ = torch.sigmoid(net_k)
    for v in (net_j, net_k):
        v.retain_grad()
    E_t = 0.5 * ((torch.tensor(SQUARED_ERROR_TARGET, dtype=torch.float64) - o_k_) ** 2).sum()
    E_t.backward()
    value = {"E": E_t.item(), "o_j1": o_j_[0].item(), "o_j2": o_j_[1].item(),
             "o_k1": o_k_[0].item(), "o_k2": o_k_[1].item()}
    grad = {}
    for j in (1, 2):
        grad[f"net_j{j}"] = net_j.grad[j - 1].item()
        grad[f"theta_j{j}"] = tj.grad[j - 1].item()
        for i in (1, 2):
            grad[f"w_i{i}j{j}"] = Wij.grad[j - 1][i - 1].item()
    for k in (1, 2):
        grad[f"net_k{k}"] = net_k.grad[k - 1].item()
        grad[f"theta_k{k}"] = tk.grad[k - 1].item()
        for j in (1, 2):
            grad[f"w_j{j}k{k}"] = Wjk.grad[k - 1][j - 1].item()
    return value, grad


sq_value, sq_grad = squared_error_in_torch()
''',
    '''
@check
def the_delta_terms_against_pytorch():
    for key in ("E", "o_j1", "o_j2", "o_k1", "o_k2"):
        agree(sq[key].data, sq_value[key], what=key)
    assert sorted(delta_from_steps) == ["net_j1", "net_j2", "net_k1", "net_k2"]
    for name, value in delta_from_steps.items():
        agree(value, sq_grad[name], what=f"δ of {name} from the steps")
        agree(formula[name], sq_grad[name], what=f"δ of {name} from the delta rule")
''',
    '''
@check
def every_weight_gradient_is_delta_times_input_as_pytorch_finds():
    assert len(rows) == 12
    for key, value, _ in rows:
        agree(sq[key].grad, sq_grad[key], what=f"the engine's ∂E/∂{key}")
        agree(value, sq_grad[key], what=f"the delta rule's ∂E/∂{key}")
''',
    '''
@check
def the_bias_is_a_weight_on_input_1():
    agree(o_aug.data, sq_value["o_j1"], what="the output with the bias as a weight")
    agree(via_weight, sq_grad["theta_j1"], what="∂E/∂(weight on 1)")
    agree(sq["theta_j1"].grad, sq_grad["theta_j1"], what="∂E/∂θ_j1")
''',
]

SECOND_DERIVATIVES = [
    '''
@check
def derivatives_of_x_cubed_against_sympy():
    t = sp.Symbol("t")
    at = {t: sp.Rational(3, 2)}
    assert y.data == float((t ** 3).subs(at))
    for value, n in ((dy, 1), (d2y, 2), (d3y, 3)):
        agree(value.data, float(sp.diff(t ** 3, t, n).subs(at)), what=f"derivative {n}")
''',
    '''
@check
def hessian_and_hessian_vector_product_against_sympy():
    a_, b_ = sp.symbols("a b")
    exact = sp.hessian(a_ ** 3 * b_ + sp.sin(a_) * b_ ** 2, (a_, b_)).subs({a_: 1, b_: 2})
    for i in range(2):
        for j in range(2):
            agree(H[i][j], float(exact[i, j]), what=f"H[{i}][{j}]")
    agree(H[0][1], H[1][0], what="the Hessian's symmetry")
    product = exact * sp.Matrix([sp.Rational(1, 2), -1])
    for i in range(2):
        agree(Hv[i], float(product[i]), abs_=1e-15, what=f"(H·v)[{i}]")
''',
    '''
@check
def newton_in_one_dimension_converges_quadratically():
    by_hand = [0.0]                       # x_new = x − (eˣ − 2)/eˣ
    for _ in range(6):
        by_hand.append(by_hand[-1] - (math.exp(by_hand[-1]) - 2) / math.exp(by_hand[-1]))
    assert x1 == 1.0 == by_hand[1], x1
    for k, (a_, e_) in enumerate(zip(newton, by_hand)):
        agree(a_, e_, abs_=1e-15, what=f"Newton step {k}")
    errors = [abs(v - math.log(2)) for v in newton]
    assert errors[5] < 1e-12 and errors[3] < errors[2] ** 2, errors
    steps_ = [0.0]                        # gradient descent, learning rate 0.2
    for _ in range(6):
        steps_.append(steps_[-1] - 0.2 * (math.exp(steps_[-1]) - 2))
    for a_, e_ in zip(descent, steps_):
        agree(a_, e_, what="gradient descent")
    assert abs(descent[6] - math.log(2)) > 1e-3
''',
    '''
@check
def one_newton_step_solves_the_quadratic():
    # ∇q = (2(x − 1) + y, 6(y + 2) + x) = 0: 2x + y = 2, x + 6y = −12, so x = 24/11, y = −26/11
    agree(p1[0], 24 / 11, what="x")
    agree(p1[1], -26 / 11, what="y")
    a_, b_ = sp.symbols("a b")
    q_ = (a_ - 1) ** 2 + 3 * (b_ + 2) ** 2 + a_ * b_
    exact = sp.solve([sp.diff(q_, a_), sp.diff(q_, b_)], [a_, b_])
    assert (exact[a_], exact[b_]) == (sp.Rational(24, 11), sp.Rational(-26, 11))
''',
    '''
@check
def newton_and_gradient_descent_on_rosenbrock():
    def gradient(x_, y_):
        return [-2 * (1 - x_) - 400 * x_ * (y_ - x_ * x_), 200 * (y_ - x_ * x_)]

    def hessian_(x_, y_):
        return [[2 - 400 * (y_ - x_ * x_) + 800 * x_ * x_, -400 * x_], [-400 * x_, 200.0]]

    p = [-1.2, 1.0]
    for k in range(7):
        g_, ((a_, b_), (_, d_)) = gradient(*p), hessian_(*p)
        det = a_ * d_ - b_ * b_
        p = [p[0] - (d_ * g_[0] - b_ * g_[1]) / det, p[1] - (a_ * g_[1] - b_ * g_[0]) / det]
        for c, e_ in zip(path[k + 1], p):
            agree(c, e_, rel=1e-9, abs_=1e-12, what=f"Newton step {k + 1}")
    assert all(abs(c - 1) < 1e-9 for c in path[-1]), path[-1]
    p = [-1.2, 1.0]
    for _ in range(2000):
        g_ = gradient(*p)
        p = [p[0] - 0.001 * g_[0], p[1] - 0.001 * g_[1]]
    for c, e_ in zip(gd[-1], p):
        agree(c, e_, rel=1e-9, what="gradient descent after 2000 steps")
    assert abs(gd[-1][0] - 1) > 1e-3, gd[-1]
''',
]

FOR_TEACHERS = [
    '''
# Oracles: the first article's network on plain floats, from the given numbers.
def student_by_hand(g):
    relu = lambda z: max(0.0, z)
    step = lambda z: 1.0 if z > 0 else 0.0
    z1 = g["w1"] * g["x1"] + g["w2"] * g["x2"] + g["b1"]
    z2 = g["w3"] * g["x1"] + g["w4"] * g["x2"] + g["b2"]
    h1, h2 = relu(z1), relu(z2)
    z3 = g["w5"] * h1 + g["w6"] * h2 + g["b3"]
    p = logistic(z3)
    y_ = g["y"]
    dp = -y_ / p + (1 - y_) / (1 - p)
    dz3 = p - y_
    dh1, dh2 = dz3 * g["w5"], dz3 * g["w6"]
    dz1, dz2 = dh1 * step(z1), dh2 * step(z2)
    return {"z1": z1, "h1": h1, "z2": z2, "h2": h2, "z3": z3, "ŷ": p,
            "L": -(y_ * math.log(p) + (1 - y_) * math.log(1 - p)),
            "dL/dŷ": dp, "dL/dz3": dz3, "dL/dw5": dz3 * h1, "dL/dh1": dh1, "dL/dw6": dz3 * h2,
            "dL/dh2": dh2, "dL/db3": dz3, "dL/dz1": dz1, "dL/dz2": dz2,
            "dL/dw1": dz1 * g["x1"], "dL/dw2": dz1 * g["x2"], "dL/db1": dz1,
            "dL/dw3": dz2 * g["x1"], "dL/dw4": dz2 * g["x2"], "dL/db2": dz2}
''',
    '''
@check
def the_given_numbers_are_workable_by_hand():
    g = ex.given
    assert sorted(g) == sorted(["x1", "x2", "y", "w1", "w2", "b1", "w3", "w4", "b2", "w5",
                                "w6", "b3"])
    assert all(round(v, 2) == v for v in g.values()), g
    hand = student_by_hand(g)
    assert hand["z1"] >= 0.1 and hand["z2"] >= 0.1, hand
    assert 0.02 < hand["ŷ"] < 0.98, hand["ŷ"]
''',
    '''
@check
def the_key_is_the_network_on_plain_floats():
    hand = student_by_hand(ex.given)
    assert list(key) == list(hand)
    for name, value in key.items():
        agree(value, hand[name], rel=1e-12, abs_=1e-15, what=name)
    import json
    with open("exercise-student-7/key.json", encoding="utf-8") as f:
        written_key = json.load(f)
    assert written_key["given"] == ex.given and written_key["answers"] == key
    with open("exercise-student-7/sheet.html", encoding="utf-8") as f:
        blank = f.read()
    assert f"{hand['dL/dw1']:.4g}" not in blank and "?" in blank
''',
    '''
@check
def amira_is_right_and_ben_carries_his_slip_forward():
    amira_marks = grade(ex.root, amira).items
    assert {m.verdict for m in amira_marks.values()} == {"correct"}
    hand = student_by_hand({**ex.given, "b1": 0.0})   # Ben: z1 without b1, then right
    for name, value in ben.items():
        agree(value, hand[name], rel=1e-3, what=f"Ben's {name}")
    verdicts = {name: m.verdict for name, m in ben_graded.items.items()}
    assert verdicts.pop("z1") == "wrong"
    assert verdicts.pop("z2") == verdicts.pop("h2") == "correct"
    assert set(verdicts.values()) == {"correct given your earlier numbers"}, verdicts
    assert not ben_graded and "b1" in ben_graded.items["z1"].why
''',
    '''
@check
def chloe_is_told_which_local_derivative_is_wrong():
    why = grade(ex.root, chloe).items["dL/dz3"].why
    assert "σ(z3)" in why and "σ'(z3)" in why, why
    hand = student_by_hand(ex.given)
    agree(chloe["dL/dz3"], hand["dL/dŷ"] * hand["ŷ"], what="Chloé's number")
''',
    '''
@check
def the_deck_has_a_slide_per_gradient_of_the_sheet():
    hand = student_by_hand(ex.given)
    gradients = [name for name in hand if name.startswith("dL/d")]
    assert len(slides) == len(gradients) + 2, len(slides)   # a title, the steps, the total
    for name in ("dL/dz3", "dL/dw1"):
        assert f"{hand[name]:.4g}" in slides.html, name
    assert "\\\\begin{tikzpicture}" in picture and "w_{1}" in picture
''',
]

BUGS_EVERY_AUTOGRAD_HAS_HAD = [
    '''
# Oracles: the lesson's functions on plain floats, and its bugs looked for by hand.
def neuron_floats(p):
    x1_, x2_, w1_, w2_, b_ = p
    return (math.tanh(x1_ * w1_ + x2_ * w2_ + b_) - 0.5) ** 2


def reused_floats(p):
    a_, b_, c_ = p
    return a_ * b_ * c_ + a_ * b_    # h = a·b; out = h·c + h


def findings_of(report_):
    """A report's findings as a set of (kind, op), each kind once."""
    pairs = [(f.kind, f.op) for f in report_.findings]
    assert len(pairs) == len(set(pairs)), pairs
    return set(pairs)


def bugs_of(cls):
    """The lesson's bugs that the class ``cls`` has, each looked for with a graph of our own
    and a hand formula: (kind, op) pairs named as audit names them."""
    found = set()
    a_ = cls(0.7)
    (a_ + a_).backward()                           # ∂(a + a)/∂a = 2
    if a_.grad != 2.0:
        found.add(("accumulate", "add"))
    a_, b_ = cls(2.0), cls(1.5)
    (a_ ** b_).backward()                          # ∂(aᵇ)/∂b = aᵇ·ln a
    if not math.isclose(b_.grad, 2.0 ** 1.5 * math.log(2.0), rel_tol=1e-12):
        found.add(("derivative", "pow"))
    xs_ = [cls(1.0) for _ in range(5000)]
    try:
        sum(xs_).backward()
    except RecursionError:
        found.add(("recursion", None))
    a_, b_, c_ = cls(2.0), cls(-3.0), cls(0.5)
    out_ = (a_ * b_) * c_
    out_.backward()
    out_.backward()                                # the leaves add up: 2·b·c
    if a_.grad != 2 * -3.0 * 0.5:
        found.add(("stale", None))
    a_, b_, c_ = cls(0.5), cls(-2.0), cls(3.0)
    h_ = a_ * b_
    (h_ * c_ + h_).backward()                      # ∂out/∂a = b·(1 + c)
    if not math.isclose(a_.grad, -2.0 * (1 + 3.0), rel_tol=1e-12):
        found.add(("order", None))
    return found
''',
    '''
@check
def the_buggy_engine_passes_the_neuron_test():
    assert point == [1.5, -0.5, 0.8, -1.2, 0.3]
    for i, name in enumerate(names):
        exact = central_difference(neuron_floats, point, i)
        agree(buggy_neuron[i], exact, rel=1e-6, abs_=1e-9, what=f"the buggy ∂loss/∂{name}")
        agree(neuron_by_differences[i], exact, rel=1e-6, abs_=1e-9, what=f"the lesson's {name}")
''',
    '''
@check
def a_plus_a_keeps_half_its_gradient_until_mended():
    exact = central_difference(lambda p: p[0] + p[0], [0.7], 0)
    agree(exact, 2.0, rel=1e-9, what="∂(a + a)/∂a by differences")
    agree(a_twice.grad, exact / 2, rel=1e-9, what="the buggy engine's a + a")
    agree(a_mended.grad, exact, rel=1e-9, what="AddFixed's a + a")
    agree(a_drawn.grad, exact, rel=1e-9, what="the drawn a + a")
    a_, b_ = Value(0.7), Value(-1.3)
    (a_ + b_).backward()                          # distinct leaves: = is enough
    assert (a_.grad, b_.grad) == (1.0, 1.0)
''',
    '''
@check
def the_recursive_sort_stops_past_1000_levels_and_the_loop_does_not():
    assert sum_outcomes[100] == "runs; every gradient is 1: True", sum_outcomes[100]
    assert sum_outcomes[1500].startswith("RecursionError: maximum recursion depth")
    assert deep_sum_grads_are_1, "SortFixed's sum of 1,500 Values"
    xs_ = [Value(1.0) for _ in range(1500)]
    try:
        sum(xs_).backward()
        raised = False
    except RecursionError:
        raised = True
    assert raised, "a sum of 1,500 Values with the recursive sort"
    a_, k_ = SortFixed(0.9), SortFixed(1.0001)
    out_ = a_
    for _ in range(5000):
        out_ = out_ * k_
    out_.backward()                               # out = a·k⁵⁰⁰⁰
    agree(a_.grad, 1.0001 ** 5000, rel=1e-9, what="∂out/∂a")
    agree(k_.grad, 5000 * 0.9 * 1.0001 ** 4999, rel=1e-9, what="∂out/∂k")
''',
    '''
@check
def a_value_exponent_gets_no_gradient_until_mended():
    def power_(p):
        return p[0] ** p[1]

    agree(power.data, 2.0 ** 1.5, what="2 ** 1.5")
    d_a = central_difference(power_, [2.0, 1.5], 0)
    d_b = central_difference(power_, [2.0, 1.5], 1)
    agree(d_b, 2.0 ** 1.5 * math.log(2.0), rel=1e-8, what="∂(aᵇ)/∂b by differences")
    agree(base.grad, d_a, rel=1e-6, what="the buggy ∂/∂a")
    assert exponent.grad == 0.0 and d_b > 1.9, exponent.grad
    agree(mended_base.grad, d_a, rel=1e-6, what="PowFixed's ∂/∂a")
    agree(mended_exponent.grad, d_b, rel=1e-6, what="PowFixed's ∂/∂b")
''',
    '''
@check
def backward_twice_adds_up_leaves_and_not_interior_values():
    import torch
    b_times_c = -3.0 * 0.5
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (2.0, -3.0, 0.5)]
    out_ = (leaves[0] * leaves[1]) * leaves[2]
    out_.backward(retain_graph=True)
    out_.backward()
    agree(leaves[0].grad.item(), 2 * b_times_c, what="PyTorch's a.grad after two calls")
    agree(twice_grads["Fixed"], leaves[0].grad.item(), what="Fixed")
    agree(twice_grads["autograd.Value"], leaves[0].grad.item(), what="autograd.Value")
    agree(twice_grads["PowFixed"], 3 * b_times_c, what="PowFixed: interior gradients kept")
''',
    '''
@check
def audit_names_the_bugs_each_stage_has():
    stages = [(Value, report), (AddFixed, report_add), (SortFixed, report_sort),
              (PowFixed, report_pow), (Fixed, report_fixed), (NoSort, report_no_sort)]
    by_hand = {cls.__name__: bugs_of(cls) for cls, _ in stages}
    assert by_hand == {
        "Value": {("accumulate", "add"), ("derivative", "pow"), ("recursion", None),
                  ("stale", None)},
        "AddFixed": {("derivative", "pow"), ("recursion", None), ("stale", None)},
        "SortFixed": {("derivative", "pow"), ("stale", None)},
        "PowFixed": {("stale", None)},
        "Fixed": set(),
        "NoSort": {("order", None), ("recursion", None), ("stale", None)},
    }, by_hand
    for cls, report_ in stages:
        assert findings_of(report_) == by_hand[cls.__name__], (cls.__name__, report_.findings)
    assert "build_topo" in next(f.text for f in report.findings if f.kind == "recursion")
    assert next(f.formula for f in report.findings if f.kind == "derivative") == "0"
    a_plus_a = next(p for p in report.probes if p.code == "out = a + a")
    assert a_plus_a.holds is False and a_plus_a.finding.kind == "accumulate"
    assert a_plus_a.got["a.grad"] == 1.0 and a_plus_a.expected["a.grad"] == 2.0
''',
    '''
@check
def the_mended_engine_holds_and_matches_pytorch():
    import torch
    assert bool(report_fixed) and not report_fixed.findings, str(report_fixed)[:600]
    assert all(p.holds is not False for p in report_fixed.probes)
    assert report_fixed.counts["hold"] >= 39, report_fixed.counts
    assert not any(bool(r) for r in (report, report_add, report_sort, report_pow, report_no_sort))
    t = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    x1_, x2_, w1_, w2_, b_ = t
    ((torch.tanh(x1_ * w1_ + x2_ * w2_ + b_) - 0.5) ** 2).backward()
    for i, name in enumerate(names):
        exact = t.grad[i].item()
        agree(fixed_neuron[i], exact, rel=1e-9, abs_=1e-12, what=f"Fixed's ∂loss/∂{name}")
        agree(engine_neuron[i], exact, rel=1e-9, abs_=1e-12, what=f"autograd.Value's {name}")
        agree(fixed_neuron[i], central_difference(neuron_floats, point, i), rel=1e-6,
              abs_=1e-9, what=f"Fixed's ∂loss/∂{name} by differences")
''',
    '''
@check
def recursion_without_a_sort_passes_a_reused_value_on_twice():
    a_, b_, c_ = reuse_point
    right = [b_ * (1 + c_), a_ * (1 + c_), a_ * b_]
    for i in range(3):
        agree(right[i], central_difference(reused_floats, reuse_point, i), rel=1e-6,
              what=f"hand formula {i}")
        agree(fixed_reused[i], right[i], rel=1e-12, what=f"Fixed's gradient {i}")
    # the set _prev gives h·c first (h passes 1 + c on twice) or h first (it passes 1 twice)
    either = [[2 * right[0], 2 * right[1]], [b_ * (2 + c_), a_ * (2 + c_)]]
    assert any(all(math.isclose(g, w, rel_tol=1e-12) for g, w in zip(no_sort_reused, wrong))
               for wrong in either), no_sort_reused
    agree(no_sort_reused[2], right[2], what="NoSort's ∂out/∂c, one path only")
''',
]

CHECKS: dict[str, list[str]] = {
    "01_values_and_the_chain_rule": VALUES_AND_THE_CHAIN_RULE,
    "02_backprop_step_by_step": BACKPROP_STEP_BY_STEP,
    "03_checking_a_hand_derived_gradient": CHECKING_A_HAND_DERIVED_GRADIENT,
    "04_training_an_mlp": TRAINING_AN_MLP,
    "05_from_one_neuron_to_deeper_nets": FROM_ONE_NEURON_TO_DEEPER_NETS,
    "06_second_derivatives": SECOND_DERIVATIVES,
    "07_for_teachers": FOR_TEACHERS,
    "08_bugs_every_autograd_has_had": BUGS_EVERY_AUTOGRAD_HAS_HAD,
}
