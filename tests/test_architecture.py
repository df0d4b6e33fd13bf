"""The package's import graph: no cycle, counting imports inside functions and
under ``TYPE_CHECKING``, and each layer imports only what its package says."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Source folder -> the dotted name it is installed as (pyproject's package-dir).
PACKAGES = {"auditor": "auditor", "checks": "auditor.checks"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder, dotted in PACKAGES.items():
        base = ROOT / folder
        for path in sorted(base.rglob("*.py")):
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([dotted, *parts])] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an imported name lives in (its longest known prefix)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def imports_of(module: str) -> set[str]:
    """Every project module ``module`` imports, anywhere in its body."""
    path = MODULES[module]
    tree = ast.parse(path.read_text("utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import mod`` imports the module pkg.mod, else names of pkg.
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
            names.append(base)
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
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
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def test_the_walk_sees_imports_in_functions_and_type_checking_blocks() -> None:
    # engine imports the verdict's Analysis under TYPE_CHECKING; facts imports
    # the history scanner inside a method.
    assert "auditor.verdict.profile" in GRAPH["auditor.engine"]
    assert "auditor.scanners.history" in GRAPH["auditor.facts"]
    assert "auditor.facts" in GRAPH["auditor.checks.adaptation.adaptation_strategy"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle() -> None:
    assert cycles(GRAPH) == []


# What each layer may import from the project (besides its own package).
CORE = {
    "auditor",
    "auditor.model",
    "auditor.knowledge",
    "auditor.output",
    "auditor.safeio",  # reading and writing without following links: every layer
    "auditor.escape",  # repository text made safe to print: every layer
    "auditor.scanners",
}
ALLOWED: dict[str, set[str]] = {
    # Scanners turn files into facts: the data model and the knowledge tables only.
    # The history scanner runs git, through the one helper that disarms the
    # scanned repository's git configuration.
    # The training-set scanner reads large files in windows itself, through the
    # one helper that never follows a link out of the root.
    "auditor.scanners": {
        "auditor.model",
        "auditor.knowledge",
        "auditor.gitcmd",
        "auditor.safeio",
    },
    # The facts know nothing of the verdict, the rules or the reporters.
    "auditor.facts": {
        *CORE,
        "auditor.config",
        "auditor.discover",
        "auditor.analyse",
        "auditor.supply_chain",
        "auditor.licenses",
    },
    "auditor.verdict": {*CORE, "auditor.facts"},
    "auditor.supply_chain": {"auditor.model", "auditor.output"},
    "auditor.licenses": {*CORE, "auditor.cache", "auditor.facts"},
    "auditor.checks": {
        *CORE,
        "auditor.facts",
        "auditor.rules",
        "auditor.verdict",
        "auditor.licenses",
    },
    "auditor.reporters": {*CORE, "auditor.rules", "auditor.verdict"},
}


def _layer(module: str) -> str | None:
    return next(
        (layer for layer in sorted(ALLOWED, key=len, reverse=True) if _inside(module, layer)),
        None,
    )


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_what_its_package_says(layer: str) -> None:
    wrong = []
    for module, targets in sorted(GRAPH.items()):
        if _layer(module) != layer:
            continue
        for target in sorted(targets):
            if _inside(target, layer):
                continue
            allowed = ALLOWED[layer]
            if target != "auditor" and not any(_inside(target, a) for a in allowed):
                wrong.append(f"{module} -> {target}")
    assert wrong == []
