"""RF002 unused-suppression."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from auditor.model import Finding, Location, Severity
from auditor.rules import CATALOG, Example, SuppressionRule, SuppressionUse

_RETIRED = (
    "from openai import OpenAI\n\nclient = OpenAI()\n"
    'reply = client.chat.completions.create(model="gpt-4-32k", messages=[]){comment}\n'
)


class UnusedSuppression(SuppressionRule):
    """
    ## What it does
    Flags a `# ragfit: ignore[...]` comment that hid no finding in this scan:
    for each id it names whose rule ran, there was no such finding on its
    line. A bare `# ragfit: ignore` is flagged when no rule found anything on
    its line, in a scan that ran every rule. Ids whose rules did not run
    (`--select`, `--ignore`) are not judged.

    ## Why is this bad?
    A suppression outlives the finding it was written for: the code was fixed
    or moved, and the comment now waits to hide the next, unrelated finding on
    that line. Removing it keeps suppressions meaningful, as ruff's
    unused-noqa does for `# noqa`.

    ## Example
    ```python
    reply = client.chat.completions.create(model="gpt-4o")  # ragfit: ignore[AD110]
    ```

    ## How to fix
    Remove the comment, or the ids in it that no longer hide anything.
    """

    id = "RF002"
    name = "unused-suppression"
    severity = Severity.NOTE
    message = "`# ragfit: ignore{which}` hides nothing here{detail}: remove it"
    tags = ("suppression",)
    valid = (
        Example(
            {"app.py": _RETIRED.format(comment="  # ragfit: ignore[AD110]")},
            config={"select": ["AD110"]},
        ),
        # AD110 did not run: its suppression is not judged.
        Example({"app.py": 'MODEL = "gpt-4o"  # ragfit: ignore[AD110]\n'}),
    )
    invalid = (
        Example(
            {"app.py": 'MODEL = "gpt-4o"  # ragfit: ignore[AD110]\n'},
            expect=("app.py:1",),
            config={"select": ["AD110"]},
        ),
        Example(
            {"app.py": _RETIRED.format(comment="  # ragfit: ignore[AD110, SC007]")},
            expect=("app.py:4",),
            config={"select": ["AD110", "SC007"]},
        ),
    )

    def check_suppressions(self, uses: Sequence[SuppressionUse]) -> Iterator[Finding]:
        for use in uses:
            if "*" in use.ids:
                if use.hid or not use.all_ran:
                    continue
                unused: list[str] = []
                which, detail = "", " (no rule found anything on this line)"
            else:
                unused = [i for i in use.ids if i in CATALOG and i in use.ran and i not in use.hid]
                if not unused:
                    continue
                which = "[" + ", ".join(use.ids) + "]"
                detail = f" ({', '.join(unused)} found nothing on this line)"
            yield self.finding(
                Location(use.path, use.line, use.column),
                properties={"ids": unused or ["*"]},
                fingerprint_key=f"{use.path}|{','.join(unused or ['*'])}",
                which=which,
                detail=detail,
            )
