"""RepoFacts: everything rules may look at, computed once and on demand."""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.config import Config
from auditor.discover import LOCK_NAMES, SourceFile
from auditor.model import (
    AuditCoverage,
    CallSite,
    Component,
    DataRef,
    Dataset,
    Dependency,
    FileFacts,
    Include,
    IndexOption,
    ManifestFacts,
    Prompt,
    ScanError,
    Schedule,
    Secret,
    StoreExposure,
    normalise_name,
)
from auditor.scanners.text import LINE_BREAK

if TYPE_CHECKING:
    from auditor.licenses.project import ProjectLicense
    from auditor.licenses.sources import LicenseResolution, Resolved
    from auditor.scanners.history import GitHistory
    from auditor.supply_chain.osv import Match
    from auditor.supply_chain.sources import VulnerabilityAudit
    from auditor.supply_chain.surface import DependencySurface, Family

TRAINING_CAPABILITIES = frozenset({"fine-tune", "training"})
RETRIEVAL_CAPABILITIES = frozenset({"vector-store", "retriever", "embedding", "document-loader"})
GENERATION_CAPABILITIES = frozenset({"chat", "completion"})


class RepoFacts:
    def __init__(
        self,
        root: Path,
        config: Config,
        files: list[SourceFile],
        per_file: Mapping[str, FileFacts],
        *,
        vuln_db: Path | None = None,
        online: bool = False,
        oversized: Sequence[SourceFile] = (),
        python: Path | None = None,
    ) -> None:
        self.root = root
        self.oversized = tuple(oversized)
        self.config = config
        self.files = files
        self.per_file = per_file
        self.vuln_db_path = vuln_db
        self.online = online
        self._lines: dict[str, list[str]] = {}
        self.python = python  # --python: the project's environment, for licenses
        # Files that rules read themselves (SC009) and could not: reported in
        # ``errors`` after the rules ran.
        self.rule_errors: list[ScanError] = []

    @functools.cached_property
    def call_sites(self) -> tuple[CallSite, ...]:
        sites = [site for facts in self.per_file.values() for site in facts.call_sites]
        return tuple(sorted(sites, key=lambda s: (s.path, s.line, s.column, s.api)))

    @functools.cached_property
    def prompts(self) -> tuple[Prompt, ...]:
        found = [p for facts in self.per_file.values() for p in facts.prompts]
        return tuple(sorted(found, key=lambda p: (p.path, p.line, p.role)))

    @functools.cached_property
    def data_refs(self) -> tuple[DataRef, ...]:
        found = [r for facts in self.per_file.values() for r in facts.data_refs]
        return tuple(sorted(found, key=lambda r: (r.path, r.line, r.role, r.target)))

    @functools.cached_property
    def datasets(self) -> tuple[Dataset, ...]:
        found = [d for facts in self.per_file.values() for d in facts.datasets]
        return tuple(sorted(found, key=lambda d: d.path))

    @functools.cached_property
    def schedules(self) -> tuple[Schedule, ...]:
        found = [s for facts in self.per_file.values() for s in facts.schedules]
        return tuple(sorted(found, key=lambda s: (s.path, s.line)))

    @functools.cached_property
    def stores(self) -> tuple[StoreExposure, ...]:
        """Vector stores started or connected to with their data open (SC010), and
        the Kubernetes Services that publish pods."""
        found = [s for facts in self.per_file.values() for s in facts.stores]
        return tuple(sorted(found, key=lambda s: (s.path, s.line, s.column)))

    @functools.cached_property
    def history(self) -> GitHistory:
        """The repository's git history (read once, on first use; never the network)."""
        from auditor.scanners.history import read_history

        return read_history(self.root)

    @functools.cached_property
    def secrets(self) -> tuple[Secret, ...]:
        found = [s for facts in self.per_file.values() for s in facts.secrets]
        return tuple(sorted(found, key=lambda s: (s.path, s.line, s.column)))

    @functools.cached_property
    def included_manifests(self) -> dict[str, ManifestFacts]:
        """Files named by ``-r``/``-c`` that do not look like requirements files
        (``-c pins.txt``), parsed as requirements when first needed, nested
        includes too. Files that look like requirements were parsed already."""
        from auditor.analyse import analysis_kind
        from auditor.scanners.requirements import parse_requirements

        known = {f.path for f in self.files}
        found: dict[str, ManifestFacts] = {}
        pending = [i for facts in self.per_file.values() for i in facts.includes]
        while pending:
            target = self.include_target(pending.pop())
            if target in found or target not in known or analysis_kind(target) == "requirements":
                continue
            text = self.text(target)
            if text is None:
                continue
            found[target] = parse_requirements(target, text)
            pending.extend(found[target].includes)
        return found

    def _manifests(self) -> list[FileFacts | ManifestFacts]:
        return [*self.per_file.values(), *self.included_manifests.values()]

    @functools.cached_property
    def includes(self) -> tuple[Include, ...]:
        found = [i for facts in self._manifests() for i in facts.includes]
        return tuple(sorted(found, key=lambda i: (i.path, i.line)))

    def include_target(self, include: Include) -> str:
        """The included file's path relative to the root (``-r`` is relative to
        the including file's folder), POSIX, normalised."""
        folder = posixpath.dirname(include.path)
        return posixpath.normpath(posixpath.join(folder, include.target))

    @functools.cached_property
    def constraint_files(self) -> frozenset[str]:
        """Files included only with ``-c``: they limit versions, install nothing."""
        by_r = {self.include_target(i) for i in self.includes if not i.constraint}
        by_c = {self.include_target(i) for i in self.includes if i.constraint}
        return frozenset(by_c - by_r)

    @functools.cached_property
    def include_errors(self) -> tuple[ScanError, ...]:
        """``-r``/``-c`` targets that are missing, and include cycles."""
        errors: list[ScanError] = []
        known = {f.path for f in self.files}
        graph: dict[str, list[str]] = {}
        for include in self.includes:
            target = self.include_target(include)
            if target not in known:
                option = "-c" if include.constraint else "-r"
                errors.append(
                    ScanError(
                        include.path,
                        "include-missing",
                        f"line {include.line}: {option} {include.target}: no such file in the scan",
                    )
                )
            graph.setdefault(include.path, []).append(target)
        errors.extend(_cycles(graph))
        errors.extend(e for manifest in self.included_manifests.values() for e in manifest.errors)
        return tuple(errors)

    @functools.cached_property
    def dependencies(self) -> tuple[Dependency, ...]:
        """Every declared dependency; a direct one that a lock file resolves gets
        the locked version (it stays ``pinned: false``: the declaration is a range)."""
        found: list[Dependency] = []
        constraints = self.constraint_files
        for facts in self._manifests():
            for dep in facts.dependencies:
                found.append(replace(dep, group="constraint") if dep.path in constraints else dep)
        found.sort(key=lambda d: (d.path, d.line, d.name))
        locked: dict[str, str] = {}
        for dep in found:
            if dep.group == "locked" and dep.version:
                locked.setdefault(normalise_name(dep.name), dep.version)
        return tuple(
            replace(dep, version=locked[normalise_name(dep.name)])
            if dep.group != "locked" and dep.version is None and normalise_name(dep.name) in locked
            else dep
            for dep in found
        )

    @functools.cached_property
    def indexes(self) -> tuple[IndexOption, ...]:
        found = [i for facts in self._manifests() for i in facts.indexes]
        return tuple(sorted(found, key=lambda i: (i.path, i.line)))

    @functools.cached_property
    def lock_files(self) -> tuple[str, ...]:
        """Pipfile.lock, poetry.lock, uv.lock, pylock.toml, pdm.lock."""
        return tuple(f.path for f in self.files if f.path.rpartition("/")[2] in LOCK_NAMES)

    @functools.cached_property
    def dependency_surface(self) -> DependencySurface:
        """How many packages the repository installs and which direct ones bring
        the most (see :mod:`auditor.supply_chain.surface`)."""
        from auditor.supply_chain.surface import dependency_surface

        locks = [path for path in self.lock_files if not path.endswith("pdm.lock")]
        return dependency_surface(self.dependencies, locks, _framework_families())

    @functools.cached_property
    def pins(self) -> tuple[Dependency, ...]:
        """The dependencies whose exact version is known, one declaration per
        package and version: the direct one where there is one, else the lock
        file's entry. These are what a vulnerability audit can check."""
        chosen: dict[tuple[str, str], Dependency] = {}
        for dep in self.dependencies:
            if dep.kind != "pypi" or not dep.version or dep.group == "constraint":
                continue
            key = (normalise_name(dep.name), dep.version)
            if key not in chosen or (chosen[key].group == "locked" and dep.group != "locked"):
                chosen[key] = dep
        return tuple(sorted(chosen.values(), key=lambda d: (d.path, d.line)))

    @functools.cached_property
    def vulnerability_audit(self) -> VulnerabilityAudit | None:
        """The advisories on :attr:`pins`, from the ``--vuln-db`` database or, when
        the scan may go online, pip-audit; None when there is no source. Read once,
        on first use: a scan whose vulnerability rules are not selected never does."""
        from auditor.supply_chain.sources import vulnerability_source

        source = vulnerability_source(self.vuln_db_path, self.online)
        if source is None:
            return None
        unpinned = sorted(
            {
                dep.name
                for dep in self.dependencies
                if dep.kind == "pypi" and not dep.version and dep.group != "constraint"
            }
        )
        return source.audit([(dep.name, dep.version or "") for dep in self.pins], unpinned)

    @property
    def vulnerability_audit_if_read(self) -> VulnerabilityAudit | None:
        """:attr:`vulnerability_audit` when something has read it, else None."""
        audit: VulnerabilityAudit | None = self.__dict__.get("vulnerability_audit")
        return audit

    @property
    def vulnerability_errors(self) -> tuple[ScanError, ...]:
        """Problems with the vulnerability data, if anything read it."""
        audit = self.vulnerability_audit_if_read
        return audit.errors if audit is not None else ()

    def audit_coverage(self, *, run: bool) -> AuditCoverage:
        """How many dependencies the vulnerability audit checked and did not.
        ``run``: run the audit if no rule did (``--require-audit``); otherwise a
        scan whose vulnerability rules are not selected reports that it did not
        check anything, without going online for it."""
        audit = self.vulnerability_audit if run else self.vulnerability_audit_if_read
        keys: dict[tuple[str, str], bool] = {}
        for dep in self.dependencies:
            if dep.group == "constraint":
                continue
            if dep.kind == "pypi" and dep.version:
                key = (normalise_name(dep.name), dep.version)
                checked = audit is not None and audit.advisories(dep.name, dep.version) is not None
            else:
                key = (normalise_name(dep.name or dep.url or "?"), "")
                checked = False
            keys[key] = keys.get(key, False) or checked
        checked_count = sum(keys.values())
        reason = None
        if audit is None:
            if "vulnerability_audit" in self.__dict__:
                reason = "offline and no vulnerability data (--vuln-db)"
            else:
                reason = "no vulnerability rule selected"
        elif audit.error:
            reason = audit.error
        return AuditCoverage(
            audit.source if audit is not None else None,
            checked_count,
            len(keys) - checked_count,
            reason if keys else None,
        )

    def advisories(self, dep: Dependency) -> list[Match] | None:
        """Known advisories for a pinned dependency, or None when nothing could
        check it (no source, or the source skipped it)."""
        audit = self.vulnerability_audit
        if dep.version is None or audit is None:
            return None
        return audit.advisories(dep.name, dep.version)

    @functools.cached_property
    def providers(self) -> tuple[str, ...]:
        return tuple(sorted({site.provider for site in self.call_sites}))

    @functools.cached_property
    def python_files(self) -> int:
        return sum(1 for f in self.files if f.path.endswith((".py", ".pyi", ".ipynb")))

    @functools.cached_property
    def current_approach(self) -> str:
        """What the code does today, from its call sites alone."""
        capabilities = {site.capability for site in self.call_sites}
        trains = bool(capabilities & TRAINING_CAPABILITIES) or any(
            site.fine_tuned for site in self.call_sites
        )
        retrieves = bool(capabilities & RETRIEVAL_CAPABILITIES)
        if trains and retrieves:
            return "hybrid"
        if trains:
            return "fine-tune"
        if retrieves:
            return "rag"
        if capabilities & GENERATION_CAPABILITIES or capabilities:
            return "prompting"
        return "none"

    def text(self, path: str) -> str | None:
        """A file's text (UTF-8, undecodable bytes replaced), or None if unreadable."""
        try:
            return (self.root / path).read_bytes().decode("utf-8", "replace")
        except OSError:
            return None

    def line(self, path: str, line: int) -> str:
        """One line of a file (1-based), or "" when there is no such line."""
        lines = self._lines.get(path)
        if lines is None:
            text = self.text(path)
            lines = LINE_BREAK.split(text) if text is not None else []
            self._lines[path] = lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    @functools.cached_property
    def components(self) -> tuple[Component, ...]:
        """Container images, Terraform and tool versions, CI actions and Helm
        charts the repository's infrastructure files name, in file order."""
        from auditor.analyse import analysis_kind
        from auditor.scanners.infra import parse_env_file, resolve_image_variables

        found: list[Component] = []
        envs: dict[str, dict[str, str]] = {}
        for facts in self.per_file.values():
            for written in facts.components:
                component = written
                if "$" in f"{written.name}{written.version}" and (
                    analysis_kind(written.path) == "compose"
                ):
                    folder = posixpath.dirname(written.path)
                    if folder not in envs:
                        envs[folder] = parse_env_file(self._env_text(folder))
                    component = resolve_image_variables(written, envs[folder])
                found.append(component)
        # A YAML anchor used by several services names one image, at one line.
        return tuple(dict.fromkeys(sorted(found, key=lambda c: (c.path, c.line))))

    def _env_text(self, folder: str) -> str:
        """A compose project's ``.env`` (its variables), when it is inside the root."""
        path = self.root / folder / ".env"
        try:
            if not path.resolve().is_relative_to(self.root.resolve()):
                return ""
            return path.read_bytes()[:1_000_000].decode("utf-8", "replace")
        except OSError:
            return ""

    @staticmethod
    def _license_key(dep: Dependency) -> tuple[str, str | None]:
        return normalise_name(dep.name), dep.version

    @functools.cached_property
    def license_resolution(self) -> LicenseResolution:
        """The license of every dependency from a package index (constraints aside),
        read once, on first use: from the project's environment, the cache, or
        online (see ``auditor.licenses.sources``)."""
        from auditor.licenses.sources import resolve_licenses

        wanted = {
            self._license_key(dep)
            for dep in self.dependencies
            if dep.kind == "pypi" and dep.group != "constraint"
        }
        return resolve_licenses(
            sorted(wanted, key=lambda k: (k[0], k[1] or "")),
            root=self.root,
            python=self.python,
            online=self.online,
        )

    def license_of(self, dep: Dependency) -> Resolved:
        return self.license_resolution.get(*self._license_key(dep))

    @property
    def reported_dependencies(self) -> tuple[Dependency, ...]:
        """The dependencies with their licenses when a rule looked them up (a scan
        that runs no license rule never reads an environment or the network)."""
        if "license_resolution" not in self.__dict__:
            return self.dependencies
        out: list[Dependency] = []
        for dep in self.dependencies:
            if dep.kind != "pypi" or dep.group == "constraint":
                out.append(dep)
                continue
            resolved = self.license_of(dep)
            info = resolved.info
            out.append(
                replace(
                    dep,
                    license=info.label,
                    license_source=resolved.source,
                    license_category=info.category,
                    license_release=resolved.release,
                )
            )
        return tuple(out)

    @property
    def license_errors(self) -> tuple[ScanError, ...]:
        """Metadata files that could not be read, if anything read them."""
        if "license_resolution" not in self.__dict__:
            return ()
        return tuple(self.license_resolution.errors)

    @functools.cached_property
    def project_license(self) -> ProjectLicense | None:
        """The scanned project's own license (pyproject.toml or a LICENSE file)."""
        from auditor.licenses.project import find_project_license

        return find_project_license({f.path for f in self.files}, self.text)


@functools.cache
def _framework_families() -> tuple[Family, ...]:
    """``checks/data/llm_frameworks.toml``: LLM frameworks and their plugin packages."""
    from auditor.knowledge import load_table
    from auditor.supply_chain.surface import Family

    return tuple(
        Family(
            name=entry["name"],
            names=frozenset(entry.get("names", ())),
            prefixes=tuple(entry.get("prefixes", ())),
            suffixes=tuple(entry.get("suffixes", ())),
        )
        for entry in load_table("llm_frameworks")["family"]
    )


def _cycles(graph: dict[str, list[str]]) -> list[ScanError]:
    """One entry per ``-r`` cycle (a.txt -> b.txt -> a.txt), named at its first file."""
    errors: list[ScanError] = []
    reported: set[frozenset[str]] = set()
    for start in sorted(graph):
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for target in graph.get(node, []):
                if target == start:
                    members = frozenset(trail)
                    if members not in reported:
                        reported.add(members)
                        loop = " -> ".join([*trail, start])
                        errors.append(ScanError(start, "include-cycle", f"includes loop: {loop}"))
                elif target not in trail and len(trail) < 50:
                    stack.append((target, [*trail, target]))
    return errors
