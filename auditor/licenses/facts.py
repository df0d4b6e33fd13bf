"""Facts the LC rules share: which declarations to judge, whether OpenTofu is in
use, and fake installed distributions for the rules' examples."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor.facts import RepoFacts
from auditor.model import Dependency, normalise_name

if TYPE_CHECKING:
    from auditor.licenses.sources import Resolved

_SOURCES = {
    "environment": "the environment",
    "cache": "the cache",
    "snapshot": "ragfit's snapshot",
    "index": "the package index",
}

_OPENTOFU_NAMES = frozenset({"opentofu", "tofu", "opentofu/setup-opentofu", "opentofu/opentofu"})


def license_declarations(facts: RepoFacts) -> list[Dependency]:
    """The dependencies whose license matters, one declaration per package and
    version: a direct declaration before a lock file's entry; constraints (which
    install nothing) and non-index dependencies (VCS, URL, path) left out."""
    chosen: dict[tuple[str, str | None], Dependency] = {}
    for dep in facts.dependencies:
        if dep.kind != "pypi" or dep.group == "constraint":
            continue
        key = (normalise_name(dep.name), dep.version)
        if key not in chosen or (chosen[key].group == "locked" and dep.group != "locked"):
            chosen[key] = dep
    return sorted(chosen.values(), key=lambda d: (d.path, d.line, d.name))


def provenance(resolved: Resolved) -> str:
    """Where a license came from, for a message: ``the package index`` or
    ``ragfit's snapshot, latest release 5.15.11`` (another release's license)."""
    where = _SOURCES.get(resolved.source or "", "unknown")
    if resolved.release is None:
        return where
    if resolved.source == "environment":
        return f"{where}, installed {resolved.release}"
    return f"{where}, latest release {resolved.release}"


def another_release(resolved: Resolved, dep: Dependency) -> str:
    """`` (the license of 5.15.11)`` when the license is another release's than
    the one pinned; empty otherwise."""
    if resolved.release is None or dep.version is None:
        return ""
    return f" (the license of {resolved.release})"


def uses_opentofu(facts: RepoFacts) -> bool:
    """Whether the repository runs OpenTofu: then a ``*.tf`` ``required_version``
    constrains OpenTofu's version, not Terraform's."""
    if any(c.name.lower() in _OPENTOFU_NAMES for c in facts.components):
        return True
    return any(
        f.path.rpartition("/")[2] == ".opentofu-version" or f.path.endswith(".tofu")
        for f in facts.files
    )


EXAMPLE_SITE_PACKAGES = ".venv/lib/python3.11/site-packages"


def example_metadata(name: str, version: str, *headers: str) -> dict[str, str]:
    """A fake installed distribution for rule examples: ``{path: METADATA text}``
    in a ``.venv`` of the example repository (read by the license resolution)."""
    body = "\n".join(["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}", *headers])
    folder = f"{name.replace('-', '_')}-{version}.dist-info"
    return {f"{EXAMPLE_SITE_PACKAGES}/{folder}/METADATA": body + "\n\n"}
