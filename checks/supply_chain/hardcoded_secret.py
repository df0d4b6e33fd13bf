"""SC007 hardcoded-secret."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

# A fake key with a real key's shape (not a working credential).
# Written in two parts so that this file holds no key-shaped string itself.
_FAKE = "sk-proj-" + "Qz8N3vR2tY7uK1mW5pX9cB4dF6gH2jL7aS8eD3rT5yU7iO1pZ4"
_FAKE_AWS = "AKIA" + "2E0A8F3B7C9D1E4Q"


class HardcodedSecret(Rule):
    """
    ## What it does
    Finds API keys, tokens and private keys written into the repository's
    files; placeholders and low-entropy strings are not reported.

    The formats are data (`checks/data/secrets.toml`): OpenAI (`sk-`,
    `sk-proj-`), Anthropic (`sk-ant-`), OpenRouter (`sk-or-v1-`), xAI
    (`xai-`), Hugging Face (`hf_`), Groq, Perplexity, Replicate, Pinecone,
    LangSmith, Cohere, Mistral and Azure OpenAI keys (known by the variable or
    endpoint next to them), AWS access keys, Google (`AIza`), GitHub, Slack,
    Stripe live keys and PEM private keys. Placeholders are strings such as
    `sk-...`, `your-key-here` or `sk-proj-test-key-for-unit-tests-only-1`.

    ## Why is this bad?
    A key in a repository is a key in every clone, fork, CI log and backup of
    it. LLM keys are spent by whoever finds them, and a leaked key is commonly
    abused within minutes of a push to a public host. Deleting the line later
    does not remove it from history.

    The secret is never printed by ragfit: messages, JSON, SARIF and the
    terminal show only a redacted form such as `sk-proj-…Z4ab`.

    ## Example
    ```python
    client = OpenAI(api_key="sk-proj-…")
    ```

    Use instead:
    ```python
    client = OpenAI()  # reads OPENAI_API_KEY from the environment
    ```

    ## How to fix
    Revoke the key at the provider first (it is compromised), then read it from
    the environment or a secret manager, and purge it from git history if the
    repository was ever shared.
    """

    id = "SC007"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    message = "Hard-coded {kind} `{redacted}`: revoke it and load it from the environment"
    tags = ("security", "secrets", "external/cwe/cwe-798")
    security_severity = 8.5
    valid = (
        Example({"app.py": 'import os\nkey = os.environ["OPENAI_API_KEY"]\n'}),
        Example({"README.md": "Set `OPENAI_API_KEY=sk-...your-key...` before running.\n"}),
        Example({"tests/conftest.py": 'KEY = "sk-proj-test-key-for-unit-tests-only-1"\n'}),
        Example({"app.py": f'KEY = "{_FAKE}"  # ragfit: ignore[SC007]\n'}),
    )
    invalid = (
        Example(
            {"app.py": f'from openai import OpenAI\nclient = OpenAI(api_key="{_FAKE}")\n'},
            expect=("app.py:2",),
        ),
        Example({".env.example": f"AWS_ACCESS_KEY_ID={_FAKE_AWS}\n"}, expect=(".env.example:1",)),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        for secret in facts.secrets:
            yield self.finding(
                Location(secret.path, secret.line, secret.column, secret.line, secret.end_column),
                properties={"kind": secret.kind, "redacted": secret.redacted},
                fingerprint_key=secret.digest,
                kind=secret.kind.replace("-", " "),
                redacted=secret.redacted,
            )
