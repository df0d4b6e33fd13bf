"""SC005 extra-index-url."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, IndexOption, Location, Severity
from auditor.rules import Example, Rule
from auditor.scanners.text import strip_credentials
from auditor.verdict.stage import Verdict

# Poetry searches PyPI beside a source of these priorities; `explicit` serves only
# the packages that name it, and a `primary` source replaces PyPI.
POETRY_MIXED = frozenset({"supplemental", "secondary", "default"})


def _mixes_indexes(index: IndexOption) -> bool:
    """Whether ``index`` makes a name resolvable from PyPI *and* another index."""
    if index.option == "extra-index-url":
        return True
    if index.option == "source":  # a Pipfile's extra [[source]]: pipenv searches all
        return index.path.rpartition("/")[2] == "Pipfile"
    if index.option.startswith("poetry-source:"):
        return index.option.partition(":")[2] in POETRY_MIXED
    return False  # uv: its default first-index strategy does not mix indexes


class ExtraIndexUrl(Rule):
    """
    ## What it does
    Flags package indexes searched beside PyPI: `--extra-index-url` in a
    requirements file, `extra-index-url` in a committed `pip.conf` or in
    `[tool.uv]`, the extra `[[source]]` entries of a `Pipfile`, and Poetry
    sources of priority `supplemental` (or the old `secondary`/`default`).

    uv's `[[tool.uv.index]]` entries are not flagged: uv's default
    first-index strategy never mixes two indexes for one name.

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
    security_severity = 6.0
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

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        for index in facts.indexes:
            if not _mixes_indexes(index):
                continue
            url = strip_credentials(index.url)
            yield self.finding(
                Location(index.path, index.line),
                properties={"url": url},
                fingerprint_key=f"{index.option}|{url}",
                option=index.option,
                url=url,
            )
