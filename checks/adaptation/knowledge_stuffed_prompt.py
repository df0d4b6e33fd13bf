"""AD102 knowledge-stuffed-prompt."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity
from auditor.rules import Example, Rule
from auditor.verdict.pricing import monthly_input_cost
from auditor.verdict.profile import PASTED_LARGE
from auditor.verdict.stage import Verdict

_BOT = (
    "from pathlib import Path\n"
    "\n"
    "from openai import OpenAI\n"
    "\n"
    "client = OpenAI()\n"
    'HANDBOOK = Path("handbook.md").read_text()\n'
    "\n"
    "\n"
    "def ask(question):\n"
    "    return client.chat.completions.create(\n"
    '        model="gpt-4o-mini",\n'
    "        messages=[\n"
    '            {"role": "system", "content": "Answer from the handbook.\\n" + HANDBOOK},\n'
    '            {"role": "user", "content": question},\n'
    "        ],\n"
    "    )\n"
)
_HANDBOOK = "# Employee handbook\n" + "Leave requests go to your manager two weeks ahead.\n" * 200


class KnowledgeStuffedPrompt(Rule):
    """
    ## What it does
    Flags documents of thousands of tokens pasted whole into prompts (a file
    read into the system prompt, a folder joined into the context) when the
    repository has no retrieval. The message gives the estimated tokens sent
    with every call and what they cost a month at the configured volume.

    ## Why is this bad?
    Every call pays for the whole handbook, although an answer needs a few
    paragraphs of it; long contexts are slower and models use the middle of
    them poorly; and the day the documents outgrow the context window the
    feature stops working. Retrieval sends only the passages that matter and
    can say which document each answer came from.

    ## Example
    ```python
    HANDBOOK = Path("handbook.md").read_text()
    messages = [{"role": "system", "content": "Answer from the handbook.\\n" + HANDBOOK}]
    ```

    Use instead:
    ```python
    passages = retriever.invoke(question)  # the few passages that matter
    messages = [{"role": "system", "content": "Answer from these passages:\\n" + passages}]
    ```

    ## How to fix
    Split the documents into passages, embed them once (and again when they
    change), and put the top few passages for each question into the prompt.
    """

    id = "AD102"
    name = "knowledge-stuffed-prompt"
    severity = Severity.WARNING
    message = (
        "{files} document{s} (~{tokens:,} tokens, an estimate) pasted into every prompt with "
        "no retrieval: about ${month:,.2f} a month at {calls:,} calls; retrieve the passages "
        "that matter instead"
    )
    tags = ("llm", "cost")
    precision = "medium"  # inferred from code and text: a heuristic
    valid = (Example({"bot.py": _BOT, "handbook.md": "# Handbook\nBe kind.\n"}),)
    invalid = (Example({"bot.py": _BOT, "handbook.md": _HANDBOOK}, expect=("bot.py:13",)),)

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        analysis = verdict.analysis
        if analysis.retrieval:
            return
        model = str(verdict.recommendation.costs["fine_tune"]["base_model"])
        for paste in analysis.pasted:
            if paste.tokens < PASTED_LARGE:
                continue
            month, calls = monthly_input_cost(verdict.pricing, model, paste.tokens)
            yield self.finding(
                Location(paste.path, paste.line),
                properties={"tokens_per_call": paste.tokens, "targets": list(paste.targets)},
                fingerprint_key=f"stuffed:{','.join(paste.targets)}",
                files=paste.files,
                s="s" if paste.files != 1 else "",
                tokens=paste.tokens,
                month=month,
                calls=calls,
            )
