"""The dependency surface: how many packages a repository installs, and who brings them.

Every package installed is one more place for a malicious release or a hijacked
maintainer account, and LLM frameworks publish their integrations as dozens of
separate packages. ``dependency_surface`` counts:

- ``direct``: the distinct packages the manifests declare (requirements files,
  ``pyproject.toml``, ``setup.cfg``, ``Pipfile``; every group and extra,
  constraints files left out);
- ``locked``: the distinct packages the lock files pin (``poetry.lock``,
  ``uv.lock``, ``Pipfile.lock``, ``pylock.toml``), or ``None`` without one;
- ``llm_frameworks``: how many of the installed packages belong to an LLM
  framework family (``langchain-*``, ``llama-index-*``, ``*-haystack`` ...,
  table ``checks/data/llm_frameworks.toml``) and, where the lock file has a
  dependency graph, how many locked packages the framework packages the
  manifests declare bring in;
- ``top_direct``: the five direct dependencies that bring in the most locked
  packages (their whole closure in the graph, the package itself left out;
  an extra a manifest asks for, ``langchain[openai]``, adds what that extra
  installs).

What each lock format gives: ``poetry.lock`` and ``uv.lock`` record every
package's dependencies (Poetry's optional ones through ``[package.extras]``,
uv's through ``optional-dependencies``), so the closures are exact up to
environment markers, which are ignored (a package needed only on Windows still
counts); ``pylock.toml`` (PEP 751) records them when the locker wrote the
optional ``dependencies`` key; ``Pipfile.lock`` is a flat list with no graph:
``graph`` is then ``None`` and ``top_direct`` is empty. ``pdm.lock`` is not
read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor.model import JSON, Dependency, normalise_name

TOP = 5
GRAPH_SOURCES = frozenset({"poetry.lock", "uv.lock", "pylock"})


@dataclass(frozen=True)
class Family:
    """One LLM framework and its plugin packages, by name."""

    name: str
    names: frozenset[str]
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()

    def has(self, package: str) -> bool:
        return (
            package in self.names
            or package.startswith(self.prefixes)
            or package.endswith(self.suffixes)
        )


@dataclass(frozen=True)
class Contributor:
    """A direct dependency and the locked packages it brings in."""

    name: str
    brings: int
    path: str
    line: int

    def to_dict(self) -> JSON:
        return {"name": self.name, "locked": self.brings, "path": self.path, "line": self.line}


@dataclass(frozen=True)
class DependencySurface:
    direct: int
    locked: int | None
    lock_files: tuple[str, ...]
    graph: str | None
    framework_packages: int
    framework_direct: tuple[str, ...]
    framework_brought_in: int | None
    top: tuple[Contributor, ...]

    @property
    def installed(self) -> int:
        """What the budget (``max-dependencies``) counts: the locked packages when
        there is a lock file, else the direct ones."""
        return self.locked if self.locked is not None else self.direct

    def to_dict(self) -> JSON:
        return {
            "direct": self.direct,
            "locked": self.locked,
            "lock_files": list(self.lock_files),
            "graph": self.graph,
            "llm_frameworks": {
                "packages": self.framework_packages,
                "direct": list(self.framework_direct),
                "brought_in": self.framework_brought_in,
            },
            "top_direct": [c.to_dict() for c in self.top],
        }


def _closure(start: str, extras: Iterable[str], graph: Mapping[str, Sequence[str]]) -> set[str]:
    """Every package reachable from ``start`` (itself included), with the extras
    asked for on ``start``; an iterative walk, linear in the graph."""
    seen = {start}
    pending: list[tuple[str, frozenset[str]]] = [(start, frozenset(extras))]
    while pending:
        node, wanted = pending.pop()
        for edge in graph.get(node, ()):
            extra, _, name = edge.rpartition("/")
            if extra and extra not in wanted:
                continue
            if name not in seen:
                seen.add(name)
                pending.append((name, frozenset()))
    return seen


def dependency_surface(
    dependencies: Sequence[Dependency],
    lock_files: Sequence[str],
    families: Sequence[Family],
) -> DependencySurface:
    """The surface of ``dependencies`` (direct and locked, as ``RepoFacts`` has them)."""
    direct: dict[str, Dependency] = {}
    locked: dict[str, Dependency] = {}
    graph: dict[str, list[str]] = {}
    graph_file: str | None = None
    for dep in dependencies:
        name = normalise_name(dep.name)
        if dep.group == "locked":
            locked.setdefault(name, dep)
            if dep.source in GRAPH_SOURCES:
                graph.setdefault(name, []).extend(dep.requires)
                if dep.requires:  # a PEP 751 lock without `dependencies` has no graph
                    graph_file = graph_file or dep.path
        elif dep.group != "constraint":
            direct.setdefault(name, dep)
    installed = locked or direct
    framework_packages = sum(1 for name in installed if any(f.has(name) for f in families))
    framework_direct = tuple(sorted(n for n in direct if any(f.has(n) for f in families)))
    top: list[Contributor] = []
    brought_in: int | None = None
    if graph_file is not None:
        pulled: set[str] = set()
        for name, dep in direct.items():
            if name not in locked:
                continue
            reach = _closure(name, (normalise_name(e) for e in dep.extras), graph)
            if name in framework_direct:
                pulled |= reach
            reach.discard(name)
            top.append(Contributor(name, len(reach), dep.path, dep.line))
        brought_in = len(pulled - set(framework_direct)) if framework_direct else 0
        top.sort(key=lambda c: (-c.brings, c.name))
    return DependencySurface(
        direct=len(direct),
        locked=len(locked) if lock_files else None,
        lock_files=tuple(sorted(lock_files)),
        graph=graph_file,
        framework_packages=framework_packages,
        framework_direct=framework_direct,
        framework_brought_in=brought_in,
        top=tuple(c for c in top[:TOP] if c.brings > 0),
    )
