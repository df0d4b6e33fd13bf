"""LC003 license-incompatible."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.licenses.classify import OPEN_PERMISSIVE, STRONG_COPYLEFT
from auditor.licenses.facts import (
    another_release,
    example_metadata,
    license_declarations,
)
from auditor.model import Finding, Location, Severity, normalise_name
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

_PYPROJECT = """\
[project]
name = "acme-service"
version = "1.0.0"
license = "{license}"
dependencies = [
    "requests==2.32.3",
    "acme-pdf==4.0",
    "acme-lgpl==1.2",
]

[dependency-groups]
dev = ["acme-gpl-linter==0.3"]
"""
_ENVIRONMENT = {
    **example_metadata("requests", "2.32.3", "License-Expression: Apache-2.0"),
    **example_metadata("acme-pdf", "4.0", "License-Expression: AGPL-3.0-only"),
    **example_metadata("acme-lgpl", "1.2", "License-Expression: LGPL-3.0-or-later"),
    **example_metadata("acme-gpl-linter", "0.3", "License-Expression: GPL-3.0-or-later"),
}
_DESCRIBE = {
    "copyleft": "strong copyleft: distributing the project may require releasing it under it",
    "network-copyleft": (
        "network copyleft: offering the project as a service may require releasing its source"
    ),
}


class LicenseIncompatible(Rule):
    """
    ## What it does
    Flags a strong-copyleft dependency (GPL) or a network-copyleft one (AGPL,
    OSL) in a project that declares a permissive license (MIT, Apache-2.0,
    BSD ...).

    The project's license is read from `pyproject.toml` (`license`,
    or its `License ::` classifiers) or from a LICENSE file at the root.
    Development-only dependencies (a `dev` group, PEP 735 groups) are not
    flagged, and weak copyleft (LGPL, MPL) is left alone.

    ## Why is this bad?
    Code that links a GPL library is generally distributed under the GPL; a
    service that uses an AGPL library may have to offer its source to its
    users. Either contradicts the permissive license the project promises, and
    it is costly to find out after customers rely on it.

    ## Example
    ```toml
    [project]
    license = "MIT"
    dependencies = ["acme-pdf==4.0"]   # License-Expression: AGPL-3.0-only
    ```

    ## How to fix
    Replace the dependency with a permissively licensed one, keep it in a
    separate process that is not distributed with the project, or relicense the
    project; have a lawyer confirm what applies to you.
    """

    id = "LC003"
    name = "license-incompatible"
    severity = Severity.WARNING
    message = (
        "`{name}`{version} is under {license}{release} ({what}), in a project under {project} "
        "({where})"
    )
    tags = ("license",)
    precision = "medium"  # the project license and dev groups are inferred
    valid = (
        Example({"pyproject.toml": _PYPROJECT.format(license="AGPL-3.0-or-later"), **_ENVIRONMENT}),
        Example({"requirements.txt": "acme-pdf==4.0\n", **_ENVIRONMENT}),
    )
    invalid = (
        Example(
            {"pyproject.toml": _PYPROJECT.format(license="MIT"), **_ENVIRONMENT},
            expect=("pyproject.toml:7",),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        project = facts.project_license
        if project is None or project.info.category not in OPEN_PERMISSIVE:
            return
        for dep in license_declarations(facts):
            if dep.group == "dev" or dep.group.startswith("group:"):
                continue
            resolved = facts.license_of(dep)
            info = resolved.info
            if info.category not in STRONG_COPYLEFT:
                continue
            yield self.finding(
                Location(dep.path, dep.line),
                properties={
                    "license": info.label,
                    "category": info.category,
                    "project_license": project.info.label,
                    "project_license_from": f"{project.path}:{project.line}",
                    "license_source": resolved.source,
                    "license_release": resolved.release,
                },
                fingerprint_key=f"{normalise_name(dep.name)}|{dep.version}",
                name=dep.name,
                version=f" {dep.version}" if dep.version else "",
                license=info.label or "a copyleft license",
                release=another_release(resolved, dep),
                what=_DESCRIBE[info.category],
                project=project.info.label or project.info.category,
                where=f"{project.path}:{project.line}",
            )
