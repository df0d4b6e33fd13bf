"""RF001 unknown-rule-in-suppression."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from auditor.model import Finding, Location, Severity
from auditor.rules import CATALOG, Example, SuppressionRule, SuppressionUse


class UnknownRuleInSuppression(SuppressionRule):
    """
    ## What it does
    Flags a `# ragfit: ignore[...]` comment that names an id no rule has, such
    as `SC999` or a misspelt `SC07`.

    ## Why is this bad?
    The comment suppresses nothing, so the finding it was meant for is still
    reported; or, worse, the author believes a finding is handled when the
    comment is a typo. Like ruff's unused-noqa, ragfit says so.

    ## Example
    ```python
    TEST_KEY = "sk-proj-..."  # ragfit: ignore[SC070]
    ```

    ## How to fix
    Use the id that `ragfit rules` lists (`SC007` here), or remove the comment.
    """

    id = "RF001"
    name = "unknown-rule-in-suppression"
    severity = Severity.NOTE
    message = "`# ragfit: ignore[...]` names {noun} that no rule has: {ids}"
    tags = ("suppression",)
    valid = (Example({"app.py": 'MODEL = "gpt-4o"  # ragfit: ignore[AD110]\n'}),)
    invalid = (
        Example({"app.py": 'MODEL = "gpt-4o"  # ragfit: ignore[AD110, SC999]\n'}, ("app.py:1",)),
        Example(
            {"requirements.txt": "openai>=1.30  # ragfit: ignore[sc02]\n"}, ("requirements.txt:1",)
        ),
    )

    def check_suppressions(self, uses: Sequence[SuppressionUse]) -> Iterator[Finding]:
        for use in uses:
            unknown = [i for i in use.ids if i != "*" and i not in CATALOG]
            if not unknown:
                continue
            yield self.finding(
                Location(use.path, use.line, use.column),
                properties={"ids": unknown},
                fingerprint_key=f"{use.path}|{','.join(unknown)}",
                noun="an id" if len(unknown) == 1 else "ids",
                ids=", ".join(f"`{i}`" for i in unknown),
            )
