"""SC004 known-malicious-package."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.facts import RepoFacts
from auditor.knowledge import load_table
from auditor.model import Dependency, Finding, Location, Severity, normalise_name
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

_MAL = """\
{"id": "MAL-2025-1234", "modified": "2026-10-01T00:00:00Z",
 "summary": "Malicious code in reqeusts (PyPI)",
 "affected": [{"package": {"ecosystem": "PyPI", "name": "reqeusts"}, "versions": ["2.28.1"]}]}
"""


@dataclass(frozen=True)
class Incident:
    versions: tuple[str, ...]
    what: str
    date: str
    source: str


@functools.cache
def incidents() -> dict[str, Incident]:
    """The shipped list (``checks/data/malicious.toml``), by normalised name."""
    return {
        normalise_name(item["name"]): Incident(
            tuple(item["versions"]), item["what"], item["date"], item["source"]
        )
        for item in load_table("malicious").get("package", [])
    }


class KnownMaliciousPackage(Rule):
    """
    ## What it does
    Flags dependencies that are known to be malicious: packages on ragfit's
    sourced list in `checks/data/malicious.toml` (typosquats such as
    `jeIlyfish` and `colourama`, hijacked releases such as `ctx` 0.2.6 and
    `ultralytics` 8.3.41) and those with an OSV `MAL-` advisory in the
    database given with `--vuln-db`.

    ## Why is this bad?
    A malicious package runs its code at install time or import time, with
    the developer's or the CI runner's credentials in reach: API keys, cloud
    tokens, SSH keys. PyPI removes such packages, but a pin in an old file, a
    private mirror or a cache can still install them.

    ## Example
    ```text
    jeIlyfish==0.7.2
    ```

    Use instead:
    ```text
    jellyfish==1.1.0
    ```

    ## How to fix
    Remove the package, install the one that was meant, and treat every
    machine that installed it as compromised: rotate the keys it could read.
    """

    id = "SC004"
    name = "known-malicious-package"
    severity = Severity.ERROR
    message = "`{name}`{version} is known to be malicious: {what} ({source})"
    tags = ("security", "supply-chain", "malware")
    security_severity = 9.8
    valid = (Example({"requirements.txt": "jellyfish==1.1.0\nctx==0.2.1\nultralytics==8.3.40\n"}),)
    invalid = (
        Example(
            {"requirements.txt": "jellyfish==1.1.0\njeIlyfish==0.7.2\nctx==0.2.6\n"},
            expect=("requirements.txt:2", "requirements.txt:3"),
        ),
        Example(
            {"requirements.txt": "reqeusts==2.28.1\n", "osv/MAL-2025-1234.json": _MAL},
            expect=("requirements.txt:1",),
            config={"vuln-db": "osv"},
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        known = incidents()
        audit = facts.vulnerability_audit
        for dep in facts.dependencies:
            if dep.kind != "pypi" or dep.group == "constraint":
                continue
            key = normalise_name(dep.name)
            incident = known.get(key)
            if incident is not None and (
                not incident.versions or dep.version is None or dep.version in incident.versions
            ):
                yield self._report(dep, what=incident.what, source=incident.source)
                continue
            if audit is not None and not dep.version:
                matches = list(audit.malicious.get(key, ()))
            else:
                matches = [m.advisory for m in facts.advisories(dep) or ()]
            for advisory in matches:
                if advisory.malicious:
                    yield self._report(
                        dep,
                        what=advisory.summary or "an OSV malicious-package report",
                        source=advisory.id,
                    )
                    break

    def _report(self, dep: Dependency, *, what: str, source: str) -> Finding:
        return self.finding(
            Location(dep.path, dep.line),
            properties={"source": source},
            fingerprint_key=f"{normalise_name(dep.name)}|{dep.version}",
            name=dep.name,
            version=f" {dep.version}" if dep.version else "",
            what=what,
            source=source,
        )
