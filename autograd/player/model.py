"""What the player page knows about a graph: its drawing and everything the page recomputes.

`describe(root)` lays the graph out as the ops view draws it and writes down, as plain
data (JSON-ready, no code): each Value (name, label, role, how it was made, which text of
the drawing shows its number and its gradient), each edge (its derivative's name and
formula, the text that shows its number), the forward steps (one per computed Value, in
topological order) and the backward steps (those of `backward_steps`), the leaves a learner
may change, and for each of them the chain-rule paths `explain` finds up to ``root``.
Numbers in it are those of the graph now; the page recomputes them with the JavaScript that
`autograd.replay.javascript` generates from the op table.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

from autograd.draw.ops_view import MAX_NODES, Plan, plan_ops
from autograd.draw.style import ROLES, Drawing
from autograd.explain import backward_steps, explain
from autograd.graph import depends_on, topological_order
from autograd.notation import FORMAT, derivative_name, local_formula
from autograd.replay import NotGenerated, javascript
from autograd.value import Value

_DIGITS = re.compile(r"\.(\d+)g")
MAX_PATHS = 12
"""A parameter with more chain-rule paths than this is shown by its highlighted edges only."""
ROLE_NAMES = {"input": "input", "parameter": "parameter", "constant": "constant",
              "root": "output"}
"""The roles the page's key names, in its order, with their words (intermediate Values
are white: the key leaves them out)."""


@dataclass(frozen=True)
class Description:
    """A graph as the player needs it: its ``drawing``, its ``data`` (for the page's
    JSON) and the generated ``code`` that recomputes it ("" when live editing is off)."""

    drawing: Drawing
    data: dict[str, Any]
    code: str


def digits_of(fmt: str) -> int:
    """The significant digits of a number format the page can reproduce: ``".4g"`` → 4.

    >>> digits_of(".3g")
    3
    """
    match = _DIGITS.fullmatch(fmt)
    if not match or not 1 <= int(match[1]) <= 17:
        raise ValueError(f"the player writes numbers as '.Ng' (N from 1 to 17), got fmt={fmt!r}")
    return int(match[1])


def json_number(x: Any) -> float | str:
    """A number for JSON, which has no NaN or infinity: those travel as text.

    >>> json_number(0.5), json_number(float("inf"))
    (0.5, 'Infinity')
    """
    x = float(getattr(x, "data", x))
    return x if math.isfinite(x) else ("NaN" if math.isnan(x) else "Infinity" if x > 0
                                       else "-Infinity")


def _natural(name: str) -> list[Any]:
    # w2 before w10: numbers in a name compare as numbers
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _plain(line: str) -> str:
    # A line of the drawing as the SVG shows it: tags gone, entities decoded.
    return html.unescape(re.sub(r"<[^>]+>", "", line))


def describe(root: Value, *, fmt: str = FORMAT, rankdir: str | None = None,
             max_nodes: int | None = MAX_NODES) -> Description:
    """Lay ``root``'s graph out and describe it for the player; the graph's own gradients
    are left as they were.

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x; y.label = "y"
    >>> d = describe(y)
    >>> [n["name"] for n in d.data["nodes"]], d.data["forward"], d.data["backward"]
    (['x', 'y'], [1], [1])
    """
    digits = digits_of(fmt)
    order_now = _graph_grads(root)
    try:
        drawing, plan = plan_ops(root, fmt=fmt, rankdir=rankdir, max_nodes=max_nodes)
    finally:
        _restore(order_now)
    order = plan.order
    index = {v: k for k, v in enumerate(order)}
    names = plan.names
    try:
        code, why = javascript(order), ""
    except NotGenerated as err:
        code, why = "", f"Live editing is off: {err}"

    edges, edge_of = _edges(plan, index, fmt)
    nodes = [_node(v, plan, index, edge_of) for v in order]
    computed = [index[v] for v in order if v.parents]
    leaves = [k for k, v in enumerate(order) if not v.parents]
    editable = sorted((k for k in leaves
                       if order[k].label and nodes[k]["role"] in ("input", "parameter")),
                      key=lambda k: _natural(nodes[k]["name"]))
    explained = [order[k] for k in leaves if nodes[k]["role"] in ("input", "parameter")]
    paths, factors = _paths(root, explained, index, edge_of, names, fmt)
    data: dict[str, Any] = {
        "digits": digits,
        "root": index[root],
        "nodes": nodes,
        "edges": edges,
        "leaves": leaves,
        "editable": editable,
        "forward": computed,
        "backward": computed[::-1],
        "paths": paths,
        "explained": sorted(paths, key=lambda k: _natural(nodes[int(k)]["name"])),
        "factors": factors,
        "live": bool(code),
        "why": why,
        "roles": role_key({n["role"] for n in nodes if n["drawn"]}),
    }
    return Description(drawing, data, code)


def role_key(present: set[str]) -> list[dict[str, str]]:
    """The key's entries for the roles drawn: each role's word and the drawing's colours.

    >>> [(r["name"], r["fill"]) for r in role_key({"parameter", "input", "intermediate"})]
    [('input', '#d9ead3'), ('parameter', '#cfe2f3')]
    """
    return [{"role": role, "name": name, "fill": ROLES[role]["fillcolor"],
             "color": ROLES[role]["color"]}
            for role, name in ROLE_NAMES.items() if role in present]


def _graph_grads(root: Value) -> list[tuple[Value, float]]:
    # Give every Value the gradient of a fresh backward pass, so that the drawing is laid
    # out with numbers as wide as those the page will show; returns what to restore.
    saved = [(v, v.grad) for v in topological_order(root)]
    for _ in backward_steps(root):
        pass
    return saved


def _restore(saved: list[tuple[Value, float]]) -> None:
    for v, grad in saved:
        v.grad = grad


def _edges(plan: Plan, index: dict[Value, int], fmt: str
           ) -> tuple[list[dict[str, Any]], dict[tuple[int, int], int]]:
    # One record per (child, parent index), drawn or not (a number exponent is not drawn).
    drawn = {(child, i): (k, port) for k, (_, child, port, i) in enumerate(plan.edges)}
    edges: list[dict[str, Any]] = []
    edge_of: dict[tuple[int, int], int] = {}
    for child in plan.order:
        for i, parent in enumerate(child.parents):
            svg, port = drawn.get((child, i), (-1, None))
            name = derivative_name(plan.names[child], plan.names[parent])
            edge_of[(index[child], i)] = len(edges)
            edges.append({
                "child": index[child], "parent": index[parent], "index": i, "svg": svg,
                "port": port, "name": name, "local": json_number(child.local_grads[i]),
                "formula": local_formula(child, i, plan.names, fmt),
            })
    return edges, edge_of


def _node(v: Value, plan: Plan, index: dict[Value, int], edge_of: dict[tuple[int, int], int]
          ) -> dict[str, Any]:
    role = _role(v, plan)
    node: dict[str, Any] = {
        "id": plan.ids[v], "name": plan.names[v], "label": v.label or None, "role": role,
        "op": v.op or None, "value": json_number(v.data), "parents": [index[p] for p in v.parents],
        "made": _made(v, plan), "drawn": v in plan.nodes,
        "grad_name": derivative_name(plan.names[plan.order[-1]], plan.names[v]),
    }
    shown = plan.nodes.get(v)
    if shown is None:
        return node
    own = [_plain(line) for line in shown.lines]
    cells = [(port, [_plain(line) for line in lines]) for port, lines in shown.inputs]
    # Where the numbers are among the node's SVG texts (one per line), which the SVG lists
    # row by row: derivatives come first when arrows enter
    # from the top (their row is above the Value's own cell).
    count = 0
    marks: list[dict[str, Any]] = []
    blocks: list[tuple[str | None, list[str]]] = [(None, own)] + [(p, ls) for p, ls in cells]
    if plan.direction == "TB":
        blocks = blocks[1:] + blocks[:1]
    for port, lines in blocks:
        start, count = count, count + len(lines)
        if port is None:
            for k, line in enumerate(lines):
                if k and line.startswith(("data ", "grad ")):
                    marks.append({"line": start + k, "kind": line[:4], "prefix": line[:5]})
        else:
            i = int(port[1:])
            last = lines[-1]
            prefix = last[: last.rfind("= ") + 2]
            marks.append({"line": start + len(lines) - 1, "kind": "local",
                          "edge": edge_of[(index[v], i)], "prefix": prefix})
    node["marks"] = marks
    return node


def _role(v: Value, plan: Plan) -> str:
    shown = plan.nodes.get(v)
    if shown is not None:
        return shown.role
    return "constant"  # a number exponent, written in its op


def _made(v: Value, plan: Plan) -> str:
    shown = plan.nodes.get(v)
    if shown is None or not v.parents:
        return ""
    made = [_plain(line) for line in shown.lines if line.startswith("= ")]
    return made[0][2:] if made else ""  # an unlabelled Value's name is what made it


def _paths(root: Value, leaves: list[Value], index: dict[Value, int],
           edge_of: dict[tuple[int, int], int], names: dict[Value, str], fmt: str
           ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    # For each leaf, `explain`'s chain-rule paths as lists of factors, and its factors (the
    # page draws the edges they cover); factors are shared by all leaves. A factor sums
    # over the edges between its two ends through unlabelled Values: the page recomputes
    # it forward from its parent along those edges.
    factors: list[dict[str, Any]] = []
    factor_id: dict[tuple[Value, Value], int] = {}
    found: dict[str, Any] = {}
    for wrt in leaves:
        e = explain(root, wrt, max_paths=MAX_PATHS, fmt=fmt)
        for f in e.factors:
            key = (f.child, f.parent)
            if key in factor_id:
                continue
            # the Values between the two ends: neither labelled nor root (wrt is a leaf)
            between = {v for v in depends_on(f.child, f.parent)
                       if v is f.child or v is f.parent or not (v.label or v is root)}
            factor_id[key] = len(factors)
            factors.append({
                "name": f.name, "formula": f.formula, "parent": index[f.parent],
                "child": index[f.child],
                "edges": sorted(edge_of[(index[c], i)] for c in between if c is not f.parent
                                for i, p in enumerate(c.parents) if p in between),
            })
        found[str(index[wrt])] = {
            "name": derivative_name(names[root], names[wrt]), "count": e.path_count,
            "factors": [factor_id[(f.child, f.parent)] for f in e.factors],
            "paths": [[factor_id[(f.child, f.parent)] for f in p.factors] for p in e.paths],
        }
    return found, factors
