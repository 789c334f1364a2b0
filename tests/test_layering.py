"""The import direction of the project, read from the source (AST), not from running it.

app → report / simulation / sample / solver → forecasts → constraints; inside the middle layer, sample may use
the simulation engine and report may read the solver's and the simulation's results. Any upward import or any
import cycle between modules fails here, lazy (function-level) imports included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("constraints", "forecasts", "scheduler")

ALLOWED: dict[str, frozenset[str]] = {
    "constraints": frozenset({"constraints"}),
    "forecasts": frozenset({"forecasts", "constraints"}),
    "scheduler.solver": frozenset({"scheduler.solver", "forecasts", "constraints"}),
    "scheduler.simulation": frozenset({"scheduler.simulation", "forecasts", "constraints"}),
    "scheduler.sample": frozenset({"scheduler.sample", "scheduler.simulation", "forecasts", "constraints"}),
    "scheduler.report": frozenset(
        {"scheduler.report", "scheduler.solver", "scheduler.simulation", "forecasts", "constraints"}
    ),
    "scheduler.app": frozenset(
        {
            "scheduler.app",
            "scheduler.report",
            "scheduler.simulation",
            "scheduler.sample",
            "scheduler.solver",
            "forecasts",
            "constraints",
        }
    ),
}
"""For each layer, the layers its modules may import."""

FACADE = "scheduler"
"""``scheduler/__init__.py`` re-exports the public API lazily; nothing inside the project may import it."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imports_of(source: str, name: str, known: set[str], is_package: bool = False) -> set[str]:
    """The project modules a module's source imports (``from a import b`` counts as a.b when a.b is a module)."""
    tree = ast.parse(source)
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        found |= {t for t in targets if t.split(".")[0] in PACKAGES}
    return found


def layer_of(name: str) -> str:
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if name == layer or name.startswith(layer + "."):
            return layer
    return name


def import_graph() -> dict[str, set[str]]:
    mods = project_modules()
    known = set(mods)
    return {
        name: imports_of(path.read_text(encoding="utf-8"), name, known, path.name == "__init__.py")
        for name, path in mods.items()
    }


GRAPH = import_graph()


def test_every_module_sits_in_a_layer() -> None:
    assert all(layer_of(m) in ALLOWED or m == FACADE for m in GRAPH), sorted(
        m for m in GRAPH if layer_of(m) not in ALLOWED and m != FACADE
    )


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m != FACADE))
def test_imports_flow_down(module: str) -> None:
    allowed = ALLOWED[layer_of(module)]
    upward = sorted(t for t in GRAPH[module] if t == FACADE or layer_of(t) not in allowed)
    assert not upward, f"{module} imports {upward} (allowed layers: {sorted(allowed)})"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def without_parent_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's ``__init__`` re-exports its modules; a module importing a sibling through the package is the
    same edge as importing the sibling, so ``a.b → a`` edges (a module to its own package) are left out."""
    return {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in graph.items()}


def test_no_import_cycles() -> None:
    assert find_cycle(without_parent_packages(GRAPH)) is None, find_cycle(without_parent_packages(GRAPH))


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_an_upward_import_is_caught() -> None:
    found = imports_of("def f():\n    from scheduler.solver import solve\n", "forecasts.x", set(GRAPH))
    assert found == {"scheduler.solver.solve"}  # the module of that name, in the solver layer
    assert layer_of("scheduler.solver.solve") not in ALLOWED[layer_of("forecasts.x")]
    relative = imports_of("from .result import RosterResult\n", "scheduler.solver.solve", set(GRAPH))
    assert relative == {"scheduler.solver.result"}
