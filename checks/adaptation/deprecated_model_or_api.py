"""AD110 deprecated-model-or-api."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.facts import RepoFacts
from auditor.knowledge import load_table
from auditor.model import CallSite, Finding, Severity
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict


@dataclass(frozen=True)
class Retirement:
    patterns: tuple[str, ...]
    status: str
    date: str
    replacement: str
    source: str

    def matches(self, name: str) -> bool:
        return any(name.startswith(p[:-1]) if p.endswith("*") else name == p for p in self.patterns)


@functools.cache
def _table() -> tuple[tuple[Retirement, ...], tuple[Retirement, ...]]:
    raw = load_table("deprecated_models")

    def entries(kind: str) -> tuple[Retirement, ...]:
        return tuple(
            Retirement(
                tuple(item["match"]),
                item["status"],
                item["date"],
                item["replacement"],
                item["source"],
            )
            for item in raw.get(kind, [])
        )

    return entries("model"), entries("api")


_PROVIDER_PREFIXES = ("openai/", "azure/", "anthropic/", "bedrock/", "gemini/", "vertex_ai/")


def _bare_model(model: str) -> str:
    for prefix in _PROVIDER_PREFIXES:
        if model.startswith(prefix):
            return model[len(prefix) :]
    return model


class DeprecatedModelOrApi(Rule):
    """
    ## What it does
    Flags calls to models that the provider has retired or superseded
    (`text-davinci-003`, `gpt-4-32k`, `claude-2.1`, `gemini-1.5-pro`,
    `text-embedding-ada-002` ...) and to SDK APIs that no longer exist
    (`openai.Completion.create`, `openai.ChatCompletion.create` were removed
    in openai 1.0). The table in `checks/data/deprecated_models.toml` gives
    each retirement's date, replacement and source.

    ## Why is this bad?
    A retired model fails at run time, usually in production and all at once.
    A legacy one still answers but costs more and does worse than its
    replacement: `text-embedding-3-small` is five times cheaper than
    `text-embedding-ada-002`. Embeddings are worse still: moving to a new
    embedding model means re-embedding the whole corpus, so the sooner the
    better.

    ## Example
    ```python
    openai.Completion.create(engine="text-davinci-003", prompt=prompt)
    ```

    Use instead:
    ```python
    client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    ```

    ## How to fix
    Move to the replacement the message names. For an embedding model, plan
    the re-embedding of the stored vectors at the same time.
    """

    id = "AD110"
    name = "deprecated-model-or-api"
    severity = Severity.NOTE
    message = "{what} is {status} since {date}: use {replacement}"
    tags = ("maintainability", "llm")
    precision = "medium"  # calls resolved statically: a name can be misread
    valid = (
        Example(
            {
                "app.py": "from openai import OpenAI\n"
                "client = OpenAI()\n"
                'client.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
            }
        ),
        Example({"notes.py": 'MODEL = "text-davinci-003"  # not called anywhere\n'}),
    )
    invalid = (
        Example(
            {
                "legacy.py": "import openai\n"
                "\n"
                'openai.Completion.create(engine="text-davinci-003", prompt="hi")\n'
            },
            expect=("legacy.py:3", "legacy.py:3"),
        ),
        Example(
            {
                "embed.py": "from openai import OpenAI\n"
                "client = OpenAI()\n"
                'client.embeddings.create(model="text-embedding-ada-002", input=["x"])\n'
            },
            expect=("embed.py:3",),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        models, apis = _table()
        for site in facts.call_sites:
            for entry in apis:
                if entry.matches(site.api):
                    yield self._report(site, f"`{site.api}`", entry, f"api:{site.api}")
            if site.model and not site.fine_tuned:
                bare = _bare_model(site.model)
                retired = next((m for m in models if m.matches(bare)), None)
                if retired is not None:
                    yield self._report(site, f"Model `{site.model}`", retired, f"model:{bare}")

    def _report(self, site: CallSite, what: str, entry: Retirement, key: str) -> Finding:
        return self.finding(
            site.location,
            severity=Severity.WARNING if entry.status == "retired" else Severity.NOTE,
            properties={"status": entry.status, "date": entry.date, "source": entry.source},
            fingerprint_key=f"{key}|{site.api}",
            what=what,
            status=entry.status,
            date=entry.date,
            replacement=entry.replacement,
        )
