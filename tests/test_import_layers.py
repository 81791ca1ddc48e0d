"""The import graphs of ``py/rlplay`` and ``web/`` have no circle and no import running back up a layer.

Python's layers, bottom to top (a module imports only from its own layer or below):

    rlplay.params < rlplay.envs < rlplay.algos < rlplay.studies < rlplay.core < rlplay.demos.<demo>
        < rlplay.demos (the registry, DEMOS) < rlplay.app < rlplay.__main__

A demo's package imports nothing of another demo's, and no ``rlplay`` import hides inside a function (the old way
of dodging a circle). The page's ES modules have no circle, and the renderers (``web/views/``) and the runtime
(``web/runtime/``) import nothing from the demos.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "py" / "rlplay"
LAYERS = ("rlplay.params", "rlplay.envs", "rlplay.algos", "rlplay.studies", "rlplay.core", "rlplay.demos.*")
TOP_LAYERS = ("rlplay.demos", "rlplay.app", "rlplay.__main__")


def python_modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): path
        for path in PACKAGE.rglob("*.py")
    }


def layer_of(module: str) -> int:
    """The layer index of ``module`` (``rlplay`` itself, the package's docstring, sits at the bottom)."""
    if module == "rlplay":
        return -1
    if module.startswith("rlplay.demos.") and module.count(".") >= 2:
        return LAYERS.index("rlplay.demos.*")
    for index, prefix in enumerate(LAYERS[:-1]):
        if module == prefix or module.startswith(prefix + "."):
            return index
    for index, prefix in enumerate(TOP_LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return len(LAYERS) + index
    raise AssertionError(f"{module} is in no layer: add its folder to LAYERS")


def demo_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "demos" else None


def python_imports(modules: dict[str, Path]) -> list[tuple[str, str, int, bool]]:
    """Every import of one rlplay module by another: (importer, imported, line, inside a function)."""
    found = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        in_function = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                in_function |= {id(child) for child in ast.walk(node) if child is not node}
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import sub` imports the module pkg.sub when there is one, else names from pkg
                targets = [
                    f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                    for alias in node.names
                ]
            for target in targets:
                if target in modules and target != module:
                    found.append((module, target, node.lineno, id(node) in in_function))
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one node (the circles)."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return circles


def test_every_python_import_points_down_a_layer_and_never_to_another_demo():
    modules = python_modules()
    upward, sideways, hidden = [], [], []
    for importer, imported, line, inside_function in python_imports(modules):
        where = f"{importer}:{line} imports {imported}"
        if layer_of(imported) > layer_of(importer):
            upward.append(where)
        if demo_of(importer) and demo_of(imported) and demo_of(importer) != demo_of(imported):
            sideways.append(where)
        if inside_function:
            hidden.append(where)
    assert upward == [], "imports running back up a layer:\n" + "\n".join(upward)
    assert sideways == [], "a demo importing another demo:\n" + "\n".join(sideways)
    assert hidden == [], "rlplay imports inside a function (put them at the top):\n" + "\n".join(hidden)


def test_the_python_import_graph_has_no_circle():
    modules = python_modules()
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for importer, imported, _, _ in python_imports(modules):
        # a package importing its own children (re-exports in __init__) is how Python packages work, not a circle
        if not imported.startswith(importer + "."):
            graph[importer].add(imported)
    assert strongly_connected(graph) == []


WEB_IMPORT = re.compile(
    r"""(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|import\s*['"](\.[^'"]+)['"]"""
)


def web_graph() -> dict[str, set[str]]:
    web = ROOT / "web"
    files = [path for path in web.rglob("*.js") if "vendor" not in path.parts]
    graph = {path.relative_to(web).as_posix(): set() for path in files}
    for path in files:
        for match in WEB_IMPORT.finditer(path.read_text()):
            spec = next(group for group in match.groups() if group)
            target = (path.parent / spec).resolve()
            if target.is_relative_to(web.resolve()):
                key = target.relative_to(web.resolve()).as_posix()
                if key in graph:
                    graph[path.relative_to(web).as_posix()].add(key)
    return graph


def test_the_web_import_graph_has_no_circle():
    assert strongly_connected(web_graph()) == []


@pytest.mark.parametrize("folder", ["views/", "runtime/"])
def test_renderers_and_the_runtime_import_nothing_from_the_demos(folder):
    graph = web_graph()
    reaching_up = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module.startswith(folder)
        for target in targets
        if target.startswith("demos/")
    ]
    assert reaching_up == []


def test_the_layer_check_sees_a_planted_upward_import(tmp_path, monkeypatch):
    """The check above can fail: an algorithm importing a demo is reported."""
    fake = tmp_path / "rlplay"
    (fake / "algos").mkdir(parents=True)
    (fake / "demos" / "toy").mkdir(parents=True)
    for path in ("__init__.py", "algos/__init__.py", "demos/__init__.py", "demos/toy/__init__.py"):
        (fake / path).write_text("")
    (fake / "algos" / "bad.py").write_text("def f():\n    from rlplay.demos.toy import driver\n")
    (fake / "demos" / "toy" / "driver.py").write_text("from rlplay.algos import bad\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    with pytest.raises(AssertionError, match="back up a layer"):
        test_every_python_import_points_down_a_layer_and_never_to_another_demo()
    with pytest.raises(AssertionError):
        test_the_python_import_graph_has_no_circle()
