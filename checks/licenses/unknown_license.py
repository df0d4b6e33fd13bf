"""LC004 unknown-license."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.licenses.facts import example_metadata, license_declarations
from auditor.model import Dependency, Finding, Location, Severity, normalise_name
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

_WHOLE_TEXT = (
    "License: Copyright (c) 2024 Acme\n        All rights are the author's.\n        See the terms."
)


class UnknownLicense(Rule):
    """
    ## What it does
    Says which Python dependencies have a license ragfit could not determine:
    no license in their metadata, a name or a pasted license text it does not
    recognise, not found on the package index, or not installed.

    When the cause is the scan's rather than the package's (offline with no
    environment to read and nothing cached, or the package index could not be
    reached), one note for the repository says how many licenses are unknown
    and why, at the first manifest, instead of one note per dependency.

    ## Why is this bad?
    A dependency with an unknown license may be under any terms, including
    ones that forbid how the project uses it. The other license rules cannot
    check what they cannot read, so the gap is reported rather than taken for
    a clean result.

    ## Example
    ```text
    requirements.txt: acme-tools==1.0   # METADATA has no License field or classifier
    ```

    ## How to fix
    Point ragfit at the project's environment (`--python .venv`), or run it
    online once so the cache fills; for a package with no usable metadata,
    check its license by hand and record it (suppress with
    `# ragfit: ignore[LC004]`).
    """

    id = "LC004"
    name = "unknown-license"
    severity = Severity.NOTE
    message = "{count} {noun} with an unknown license: {names} ({why})"
    tags = ("license",)
    valid = (
        Example(
            {
                "requirements.txt": "requests==2.32.3\n",
                **example_metadata("requests", "2.32.3", "License-Expression: Apache-2.0"),
            }
        ),
    )
    invalid = (
        Example(
            {
                "requirements.txt": "requests==2.32.3\nacme-tools==1.0\nacme-text==2.0\n",
                **example_metadata("requests", "2.32.3", "License-Expression: Apache-2.0"),
                **example_metadata("acme-tools", "1.0"),
                **example_metadata("acme-text", "2.0", _WHOLE_TEXT),
            },
            expect=("requirements.txt:2", "requirements.txt:3"),
        ),
        # Offline with nothing to read: names the shipped snapshot does not hold.
        Example(
            {"requirements.txt": "acme-core==2.32.3\nacme-llm>=1.30\n"},
            expect=("requirements.txt:1",),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        groups: dict[str, list[Dependency]] = {}
        for dep in license_declarations(facts):
            resolved = facts.license_of(dep)
            if resolved.info.known:
                continue
            why = resolved.info.note or "unknown"
            if resolved.repo_wide:
                groups.setdefault(why, []).append(dep)
                continue
            key = f"{normalise_name(dep.name)}|{dep.version}|{why}"
            yield self._report([dep], why, Location(dep.path, dep.line), key)
        for why, deps in sorted(groups.items()):
            # The most relevant manifest: the first direct declaration, else a lock file.
            first = min(deps, key=lambda d: (d.group == "locked", d.path, d.line))
            yield self._report(deps, why, Location(first.path, first.line), f"{first.path}|{why}")

    def _report(self, deps: list[Dependency], why: str, location: Location, key: str) -> Finding:
        names = sorted({d.name for d in deps}, key=normalise_name)
        more = len(names) - 8
        return self.finding(
            location,
            properties={"dependencies": names, "reason": why},
            fingerprint_key=key,
            count=len(names),
            noun="dependency" if len(names) == 1 else "dependencies",
            names=", ".join(names[:8]) + (f" and {more} more" if more > 0 else ""),
            why=why,
        )
