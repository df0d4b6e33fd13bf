"""SC011 dependency-budget-exceeded."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

_PYPROJECT = """[project]
name = "assistant"
version = "0.1.0"
dependencies = ["langchain==0.3.7"]
"""
_UV_LOCK = """version = 1
requires-python = ">=3.11"

[[package]]
name = "assistant"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "langchain" }]

[[package]]
name = "langchain"
version = "0.3.7"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pydantic" }, { name = "requests" }]

[[package]]
name = "pydantic"
version = "2.9.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }
"""


class DependencyBudgetExceeded(Rule):
    """
    ## What it does
    Compares the number of packages the repository installs with the budget
    set by `max-dependencies` in the configuration, and reports when it is
    over. It never fires without that setting.

    `max-dependencies = 150` counts the installed packages: those a lock file
    pins where there is one, else the direct dependencies. A table sets
    budgets apart: `max-dependencies = {direct = 20, locked = 150}`. The
    finding sits on the direct dependency that brings in the most locked
    packages (from the lock file's dependency graph) and names the largest
    contributors; the reports always print the same figures under
    "Dependency surface" (`summary.dependency_surface` in JSON).

    ## Why is this bad?
    Every installed package is code that runs with the application's
    permissions and one more place for a malicious release, a hijacked
    maintainer account or a typosquat to get in. LLM frameworks publish each
    integration as its own package and pull in dozens more; a budget makes
    that growth a decision instead of an accident.

    ## Example
    ```toml
    [tool.ragfit]
    max-dependencies = {locked = 120}
    ```
    with a `uv.lock` of 180 packages, 96 of them brought in by `llama-index`.

    ## How to fix
    Depend on the framework's core package and the few integrations used
    (`llama-index-core` and `llama-index-llms-openai` rather than
    `llama-index`), drop unused extras, or raise the budget deliberately.
    """

    id = "SC011"
    name = "dependency-budget-exceeded"
    severity = Severity.WARNING
    message = "{count} {what} packages, over the budget of {limit} (max-dependencies){most}"
    tags = ("supply-chain", "dependencies")
    valid = (
        Example({"pyproject.toml": _PYPROJECT, "uv.lock": _UV_LOCK}),
        Example(
            {"pyproject.toml": _PYPROJECT, "uv.lock": _UV_LOCK},
            config={"max_dependencies": {"locked": 3}},
        ),
    )
    invalid = (
        Example(
            {"pyproject.toml": _PYPROJECT, "uv.lock": _UV_LOCK},
            expect=("pyproject.toml:4",),
            config={"max_dependencies": {"locked": 2}},
        ),
        Example(
            {"requirements.txt": "openai==1.54.3\nqdrant-client==1.12.1\nfastapi==0.115.5\n"},
            expect=("requirements.txt:1",),
            config={"max_dependencies": {"installed": 2}},
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        budgets = facts.config.max_dependencies
        if not budgets:
            return
        surface = facts.dependency_surface
        counts = {
            "direct": surface.direct,
            "locked": surface.locked,
            "installed": surface.installed,
        }
        for key, limit in budgets.items():
            count = counts[key]
            if count is None or count <= limit:
                continue
            what = "direct" if key == "direct" or surface.locked is None else "locked"
            location = self._anchor(facts, what)
            if location is None:
                continue
            most = ""
            if what == "locked" and surface.top:
                names = ", ".join(f"{c.name} brings {c.brings}" for c in surface.top[:3])
                most = f": {names}"
            yield self.finding(
                location,
                properties={
                    "budget": key,
                    "limit": limit,
                    "count": count,
                    "surface": surface.to_dict(),
                },
                fingerprint_key=f"{key}|{limit}",
                count=count,
                what=what,
                limit=limit,
                most=most,
            )

    @staticmethod
    def _anchor(facts: RepoFacts, what: str) -> Location | None:
        """The direct dependency that brings in the most, else the lock file or the
        first declared dependency."""
        surface = facts.dependency_surface
        if what == "locked" and surface.top:
            top = surface.top[0]
            return Location(top.path, top.line)
        if what == "locked" and surface.lock_files:
            return Location(surface.lock_files[0], 1)
        direct = [d for d in facts.dependencies if d.group not in {"locked", "constraint"}]
        if not direct:
            return None
        return Location(direct[0].path, direct[0].line)
