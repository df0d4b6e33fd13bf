"""LC002 non-open-source-license."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.licenses.classify import NOT_OPEN_SOURCE
from auditor.licenses.facts import example_metadata, license_declarations, provenance
from auditor.model import Finding, Location, Severity, normalise_name
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

_DESCRIBE = {
    "source-available": "a source-available license, not open source",
    "proprietary": "a proprietary license",
    "restricted": "a license restricted to some uses (non-commercial, personal ...)",
}


class NonOpenSourceLicense(Rule):
    """
    ## What it does
    Flags a Python dependency whose license is not open source: source-available
    (BUSL, SSPL, Elastic License 2.0, RSAL, FSL, Commons Clause, non-commercial
    Creative Commons), proprietary (`License :: Other/Proprietary License`,
    `LicenseRef-Proprietary`, commercial terms) or restricted to some uses.

    Licenses are read from the project's environment (`--python`, or a `.venv`
    in the repository), ragfit's cache, or the package index when online, and
    classified with the ScanCode license index.

    ## Why is this bad?
    Such a license can forbid hosting the software as a service, commercial
    use or redistribution, and often requires a paid agreement for production.
    Legal review usually has to approve each one, and a dependency that slipped
    in unnoticed can block a release or a sale of the product.

    ## Example
    ```text
    # requirements.txt
    acme-vector==2.1.0   # License-Expression: BUSL-1.1
    ```

    ## How to fix
    Replace the package with an open-source one, or get the license approved
    and suppress the finding with `# ragfit: ignore[LC002]` on that line.
    """

    id = "LC002"
    name = "non-open-source-license"
    severity = Severity.WARNING
    message = "`{name}`{version} is under {what}: {license} (license from {source})"
    tags = ("license",)
    valid = (
        Example(
            {
                "requirements.txt": "requests==2.32.3\nacme-gpl==1.0\n",
                **example_metadata("requests", "2.32.3", "License-Expression: Apache-2.0"),
                **example_metadata(
                    "acme-gpl",
                    "1.0",
                    "Classifier: License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
                ),
            }
        ),
    )
    invalid = (
        Example(
            {
                "requirements.txt": "requests==2.32.3\nacme-vector==2.1.0\nacme-ui\n",
                **example_metadata("requests", "2.32.3", "License-Expression: Apache-2.0"),
                **example_metadata("acme-vector", "2.1.0", "License-Expression: BUSL-1.1"),
                **example_metadata(
                    "acme-ui", "3.0", "Classifier: License :: Other/Proprietary License"
                ),
            },
            expect=("requirements.txt:2", "requirements.txt:3"),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        for dep in license_declarations(facts):
            resolved = facts.license_of(dep)
            info = resolved.info
            if info.category not in NOT_OPEN_SOURCE:
                continue
            yield self.finding(
                Location(dep.path, dep.line),
                properties={
                    "license": info.label,
                    "category": info.category,
                    "license_source": resolved.source,
                    "license_release": resolved.release,
                },
                fingerprint_key=f"{normalise_name(dep.name)}|{dep.version}",
                name=dep.name,
                version=f" {dep.version}" if dep.version else "",
                license=info.label or "an unnamed license",
                what=_DESCRIBE[info.category],
                source=provenance(resolved),
            )
