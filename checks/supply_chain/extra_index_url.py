"""SC005 extra-index-url."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity
from auditor.rules import Example, Rule
from auditor.scanners.text import strip_credentials


class ExtraIndexUrl(Rule):
    """
    ## What it does
    Flags package indexes added beside PyPI: `--extra-index-url` in a
    requirements file, `extra-index-url` in a committed `pip.conf`, and the
    extra `[[source]]` entries of a `Pipfile`.

    ## Why is this bad?
    With several indexes, pip takes the highest version of a name from any of
    them. Anyone can publish your private package's name on PyPI with a higher
    version, and the next install takes theirs: dependency confusion, used in
    real attacks on large companies. A URL with credentials in it also leaks
    the index's password to everyone who can read the repository.

    ## Example
    ```text
    --extra-index-url https://pypi.internal.example.com/simple
    acme-billing==2.4.0
    ```

    Use instead: one index that proxies PyPI and serves your private packages
    (`--index-url`), or uv's default first-index strategy, or reserve your
    private names on PyPI.

    ## How to fix
    Replace the extra index with a single `--index-url` that proxies PyPI, or
    pin private packages to their index (`uv`'s `[tool.uv.sources]`, Poetry's
    `priority = "explicit"`), and pin with hashes (`--require-hashes`).
    """

    id = "SC005"
    name = "extra-index-url"
    severity = Severity.WARNING
    message = "`{option}` {url}: a package may come from either index (dependency confusion)"
    tags = ("security", "supply-chain", "external/cwe/cwe-427")
    security_severity = 7.0
    valid = (
        Example(
            {"requirements.txt": "--index-url https://proxy.example.com/simple\nflask==3.0.3\n"}
        ),
        Example({"requirements.txt": "flask==3.0.3\n"}),
    )
    invalid = (
        Example(
            {
                "requirements.txt": "flask==3.0.3\n"
                "--extra-index-url https://pypi.internal.example.com/simple\n"
                "acme-billing==2.4.0\n"
            },
            expect=("requirements.txt:2",),
        ),
        Example(
            {
                "pip.conf": "[global]\nextra-index-url = https://ci:hunter2@pkgs.example.com/simple\n"
            },
            expect=("pip.conf:2",),
        ),
    )

    def check(self, facts: RepoFacts) -> Iterator[Finding]:
        for index in facts.indexes:
            pipfile_source = index.option == "source" and index.path.endswith("Pipfile")
            if index.option != "extra-index-url" and not pipfile_source:
                continue
            url = strip_credentials(index.url)
            yield self.finding(
                Location(index.path, index.line),
                properties={"url": url},
                fingerprint_key=f"{index.option}|{url}",
                option=index.option,
                url=url,
            )
