"""The project's import graph: no cycle, and arrows only one way through the engine.

design.md's layering is sse ← normalizer ← providers ← durability ← components: the engine
(the first four) runs natively and inside the component, so it must never reach into the
guest (`components/`), the hosts (`runtime/`), the build (`tools/`) or anything else around
it.  The graph is read from the source (every `import`, lazy ones included, since a lazy
import is still a dependency), so a new arrow the wrong way fails here by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sse", "normalizer", "providers", "durability", "components", "golem_llm",
            "runtime", "formats", "tools", "bench", "fuzz", "examples")

# What each engine layer may import from the project, beyond itself.
ENGINE_MAY_IMPORT = {
    "sse": set(),
    "normalizer": {"sse"},
    "providers": {"sse", "normalizer"},
    "durability": {"sse", "normalizer", "providers"},
    "components": {"sse", "normalizer", "providers", "durability"},
    # the library sits beside the guest: on the engine, never on the guest or the hosts
    "golem_llm": {"sse", "normalizer", "providers", "durability"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The project modules `path` imports: `from a.b import c` is `a.b.c` when that is a
    module, else `a.b`; relative imports are resolved against `name`."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.add(full if full in modules else base)
    return {t for t in targets if t in modules and t != name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
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
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle_it_is_given():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_the_projects_modules(graph):
    assert _cycles(graph) == []


@pytest.mark.parametrize("layer", sorted(ENGINE_MAY_IMPORT))
def test_engine_layer_imports_only_the_layers_below_it(graph, layer):
    allowed = ENGINE_MAY_IMPORT[layer] | {layer}
    wrong = sorted(f"{module} -> {target}"
                   for module, targets in graph.items() if module.split(".")[0] == layer
                   for target in targets if target.split(".")[0] not in allowed)
    assert wrong == []
