"""SC002 unpinned-dependency."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity, normalise_name
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

# Where an application declares what it installs; a library's ranges in
# pyproject.toml are how libraries should declare them, and are not flagged.
APPLICATION_SOURCES = frozenset({"requirements", "pipfile"})
# Requirement files for tooling (docs, tests, linters, CI) are not what the
# application installs: `doc/requirements.txt`, `requirements-dev.txt`.
TOOLING = re.compile(
    r"(?:^|[/_.-])(?:docs?|tests?|testing|dev|develop|lint|ci|bench(?:marks?)?|typing)(?:[/_.-]|$)",
    re.IGNORECASE,
)


class UnpinnedDependency(Rule):
    """
    ## What it does
    Flags an application's requirement that is not pinned to one exact version
    (`==`) when the repository has no lock file (`poetry.lock`, `uv.lock`,
    `Pipfile.lock`, `pylock.toml`, `pdm.lock`) and no constraints file pins it.

    Version ranges in a library's `pyproject.toml` are normal and not flagged,
    and neither are development dependencies (a Pipfile's `[dev-packages]`,
    requirement files for docs, tests, linters, CI or benchmarks such as
    `doc/requirements.txt` or `requirements-dev.txt`).

    ## Why is this bad?
    An unpinned requirement installs whatever is newest on the day: two
    deployments of the same commit can run different code, a new release can
    break production, and a vulnerability audit cannot say what is really
    installed (ragfit reports those as SC008).

    ## Example
    ```text
    openai>=1.30
    ```

    Use instead:
    ```text
    openai==1.54.4
    ```

    ## How to fix
    Pin exact versions (`pip-compile`, `uv pip compile` or `pip freeze` write
    them), or commit the lock file of your tool. Keep ranges in `pyproject.toml`
    for libraries.
    """

    id = "SC002"
    name = "unpinned-dependency"
    severity = Severity.NOTE
    message = "`{requirement}` is not pinned to an exact version and no lock file records one"
    tags = ("supply-chain", "reproducibility")
    valid = (
        Example({"requirements.txt": "openai==1.54.4\nrequests==2.32.3\n"}),
        Example({"requirements.txt": "openai>=1.30\n", "uv.lock": "version = 1\n"}),
        Example(
            {
                "requirements.txt": "-c constraints.txt\nopenai>=1.30\n",
                "constraints.txt": "openai==1.54.4\n",
            }
        ),
        Example({"pyproject.toml": '[project]\nname = "lib"\ndependencies = ["openai>=1.30"]\n'}),
        Example({"requirements-dev.txt": "pytest>=8\n", "doc/requirements.txt": "sphinx\n"}),
    )
    invalid = (
        Example(
            {"requirements.txt": "openai==1.54.4\nlangchain>=0.3\nchromadb\n"},
            expect=("requirements.txt:2", "requirements.txt:3"),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        if facts.lock_files:
            return
        constrained = {
            normalise_name(d.name)
            for d in facts.dependencies
            if d.group == "constraint" and d.pinned
        }
        for dep in facts.dependencies:
            if (
                dep.source not in APPLICATION_SOURCES
                or dep.group in {"constraint", "dev"}
                or TOOLING.search(dep.path)
                or dep.kind != "pypi"
                or dep.pinned
                or normalise_name(dep.name) in constrained
            ):
                continue
            yield self.finding(
                Location(dep.path, dep.line),
                properties={"name": dep.name, "specifier": dep.specifier},
                fingerprint_key=normalise_name(dep.name),
                requirement=f"{dep.name}{dep.specifier}",
            )
