"""SC006 unpinned-vcs-dependency."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity
from auditor.rules import Example, Rule
from auditor.scanners.text import strip_credentials
from auditor.verdict.stage import Verdict

COMMIT = re.compile(r"[0-9a-f]{40}")
_SHA = "3f786850e387550fdab836ed7e6dc881de23001b"


class UnpinnedVcsDependency(Rule):
    """
    ## What it does
    Flags dependencies installed from a version-control URL that is not pinned
    to a full commit hash (a branch, a tag or nothing at all), and archives
    downloaded from a URL with no hash to check them against.

    ## Why is this bad?
    A branch moves and a tag can be moved: the same requirement installs
    different code tomorrow, chosen by whoever can push to that repository.
    An archive URL with no hash installs whatever the server sends. Neither
    can be audited for known vulnerabilities, because there is no version.

    ## Example
    ```text
    acme-sdk @ git+https://github.com/acme/sdk.git@main
    ```

    Use instead:
    ```text
    acme-sdk @ git+https://github.com/acme/sdk.git@3f786850e387550fdab836ed7e6dc881de23001b
    ```

    ## How to fix
    Pin the full 40-character commit hash (tags are mutable), or publish the
    package to an index and pin its version; give archive URLs a
    `#sha256=...` fragment or a `--hash`.
    """

    id = "SC006"
    name = "unpinned-vcs-dependency"
    severity = Severity.WARNING
    message = "`{name}` comes from {what}: pin {fix}"
    tags = ("security", "supply-chain")
    security_severity = 5.5
    valid = (
        Example({"requirements.txt": f"acme-sdk @ git+https://github.com/acme/sdk.git@{_SHA}\n"}),
        Example(
            {
                "requirements.txt": "tool @ https://example.com/tool-1.0.tar.gz#sha256="
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
            }
        ),
    )
    invalid = (
        Example(
            {
                "requirements.txt": "flask==3.0.3\n"
                "acme-sdk @ git+https://github.com/acme/sdk.git@main\n"
                "git+https://github.com/acme/tools.git#egg=acme-tools\n"
            },
            expect=("requirements.txt:2", "requirements.txt:3"),
        ),
        Example(
            {"requirements.txt": "tool @ https://example.com/tool-1.0.tar.gz\n"},
            expect=("requirements.txt:1",),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        for dep in facts.dependencies:
            url = strip_credentials(dep.url or "")
            if dep.kind == "vcs" and not (dep.ref and COMMIT.fullmatch(dep.ref)):
                where = f"`{dep.ref}`" if dep.ref else "its default branch"
                what, fix = f"{url} at {where}, which can move", "a full commit hash"
            elif dep.kind == "url" and not dep.hashes:
                what, fix = f"{url} with no hash", "a `#sha256=` hash"
            else:
                continue
            yield self.finding(
                Location(dep.path, dep.line),
                properties={"url": url, "ref": dep.ref},
                fingerprint_key=f"{dep.name}|{url}|{dep.ref}",
                name=dep.name,
                what=what,
                fix=fix,
            )
