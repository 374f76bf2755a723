"""The layering of the project, read from its source: imports run one way.

Every module of autograd/ and nn/ is parsed with ``ast``, and every import counts wherever
it stands: at the top, inside a function, under ``TYPE_CHECKING``. ``from pkg import name``
counts as an import of the module ``pkg.name`` when there is one (as ``import pkg.name``);
otherwise of ``pkg`` and of the module ``pkg/__init__.py`` takes ``name`` from (so ``from
autograd import render`` is an import of autograd and of autograd.draw).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def find_modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its own name)."""
    return {
        module_name(path, root): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
    }


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, list[str]]]:
    # (module imported from, names taken from it), for every import anywhere in the tree
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from its package, one level up per extra dot
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            yield base, [alias.name for alias in node.names]


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """For each module of the packages: every module it imports (the project's and others)."""
    modules = find_modules(root, packages)
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in modules.items()}
    found = {
        name: list(_imports(tree, name, modules[name].name == "__init__.py"))
        for name, tree in trees.items()
    }
    # where each package's __init__ takes the names it offers from
    offered = {
        package: {name: source for source, names in found[package] for name in names}
        for package, path in modules.items()
        if path.name == "__init__.py"
    }
    graph: dict[str, set[str]] = {}
    for name, imports in found.items():
        targets = graph.setdefault(name, set())
        for source, names in imports:
            for imported in names or [""]:
                if f"{source}.{imported}" in modules:
                    targets.add(f"{source}.{imported}")
                    continue
                targets.add(source)
                if imported in offered.get(source, {}):
                    targets.add(offered[source][imported])
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: the strongly connected components of more than one module (or of
    one that imports itself), each sorted (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


GRAPH = import_graph(ROOT, PACKAGES)


def project_imports(module: str) -> set[str]:
    return {target for target in GRAPH[module] if target in GRAPH}


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_reader_sees_every_kind_of_import(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    files = {
        "pkg/__init__.py": "from pkg.low import helper\n",
        "pkg/low.py": "def helper(): ...\n",
        "pkg/top.py": "import json\nfrom . import low\n",
        "pkg/lazy.py": "def f():\n    from pkg.top import x\n",
        "pkg/typed.py": "from typing import TYPE_CHECKING\n"
                        "if TYPE_CHECKING:\n    from pkg.lazy import f\n",
        "pkg/offered.py": "from pkg import helper\n",
        "pkg/sub/__init__.py": "from ..low import helper\nfrom .deep import y\n",
        "pkg/sub/deep.py": "import pkg.sub\n",
    }
    for path, text in files.items():
        (tmp_path / path).write_text(text)
    graph = import_graph(tmp_path, ("pkg",))
    assert set(graph) == {"pkg", "pkg.low", "pkg.top", "pkg.lazy", "pkg.typed", "pkg.offered",
                          "pkg.sub", "pkg.sub.deep"}
    assert graph["pkg.top"] == {"json", "pkg.low"}
    assert graph["pkg.lazy"] == {"pkg.top"}
    assert graph["pkg.typed"] == {"typing", "pkg.lazy"}
    assert graph["pkg.offered"] == {"pkg", "pkg.low"}
    assert graph["pkg.sub"] == {"pkg.low", "pkg.sub.deep"}
    assert cycles(graph) == [["pkg.sub", "pkg.sub.deep"]]


def test_the_reader_sees_the_projects_imports():
    assert {"autograd.ops", "autograd.graph"} <= project_imports("autograd.value")
    assert any(within(target, "nn") for target in GRAPH["autograd.cli.demo"])
    assert any("graphviz" in GRAPH[m] for m in GRAPH if within(m, "autograd.draw"))


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle(package):
    # a cycle through both packages counts for autograd
    found = [c for c in cycles(GRAPH) if any(within(m, package) for m in c)]
    assert found == []


@pytest.mark.parametrize("module", ["autograd.formula", "autograd.graph"])
def test_the_bottom_modules_import_nothing_of_the_project(module):
    assert project_imports(module) == set()


def test_the_engine_runs_formula_then_ops_then_value():
    assert project_imports("autograd.ops") == {"autograd.formula"}
    assert project_imports("autograd.value") <= {"autograd.ops", "autograd.graph",
                                                 "autograd.formula", "autograd.micrograd_names"}
    assert project_imports("autograd.micrograd_names") == {"autograd.ops"}
    assert "autograd.value" in project_imports("autograd.define")


def test_nn_never_draws_explains_writes_notation_or_runs_the_cli():
    banned = ("autograd.draw", "autograd.explain", "autograd.notation", "autograd.cli")
    offending = {
        (module, target)
        for module in GRAPH if within(module, "nn")
        for target in GRAPH[module] if any(within(target, b) for b in banned)
    }
    assert offending == set()


def test_only_the_command_line_imports_nn():
    offending = {
        (module, target)
        for module in GRAPH if not within(module, "nn") and not within(module, "autograd.cli")
        for target in GRAPH[module] if within(target, "nn")
    }
    assert offending == set()


def test_only_autograd_draw_imports_graphviz():
    offending = {
        module for module in GRAPH
        if not within(module, "autograd.draw")
        and any(within(target, "graphviz") for target in GRAPH[module])
    }
    assert offending == set()
