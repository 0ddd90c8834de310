"""The shape of the house (STYLE.md): apps depend downwards only, the kernel depends on nothing of the domain, and
no module grows past the size where it should become a package.

Imports are read from the source with ``ast``, so an import inside a function counts as much as one at the top
of a module: it hides a dependency, it does not remove it. Migrations and tests are left out (a test may
import anything it exercises)."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import guanjia

ROOT = Path(guanjia.__file__).resolve().parent
MAX_LINES = 600


def _skipped(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts[:-1]
    return any(p in ("migrations", "tests", "testing") for p in parts)


def _modules() -> dict[str, Path]:
    """Every non-migration, non-test module of guanjia by dotted name (a package by its own name)."""
    modules: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        if _skipped(path):
            continue
        parts = ["guanjia", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported_names(name: str, path: Path) -> Iterator[str]:
    """Every dotted name ``name`` imports, anywhere in the module; relative imports made absolute."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """Module → the guanjia modules it imports. A submodule importing its own package (a package's
    ``__init__`` re-exporting it) is not an edge: that is how a split module keeps its old import path."""
    modules = _modules()

    def resolve(target: str) -> str:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target

    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for imported in _imported_names(name, path):
            if not imported.startswith("guanjia"):
                continue
            target = resolve(imported)
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle_between_guanjia_modules():
    cycles = import_cycles(import_graph())
    assert cycles == [], "import cycles (imports inside functions count): " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_the_kernel_imports_nothing_of_the_domain():
    graph = import_graph()
    leaks = {
        module: sorted(t for t in targets if not t.startswith("guanjia.core"))
        for module, targets in graph.items()
        if module == "guanjia.core" or module.startswith("guanjia.core.")
    }
    assert {m: t for m, t in leaks.items() if t} == {}


def test_no_module_passes_600_lines():
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines: make them packages"
