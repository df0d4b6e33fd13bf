"""AD001 adaptation-strategy."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity
from auditor.rules import Example, Rule
from auditor.verdict.profile import anchor
from auditor.verdict.recommend import NAMES
from auditor.verdict.stage import Verdict

_RAG_APP = {
    "app.py": "from openai import OpenAI\n"
    "from langchain_community.document_loaders import DirectoryLoader\n"
    "\n"
    "client = OpenAI()\n"
    'docs = DirectoryLoader("content").load()\n'
    "\n"
    "\n"
    "def answer(question, context):\n"
    "    return client.chat.completions.create(\n"
    '        model="gpt-4o-mini",\n'
    "        messages=[\n"
    '            {"role": "system", "content": "Answer using the context below.\\n{context}"},\n'
    '            {"role": "user", "content": question},\n'
    "        ],\n"
    "    )\n",
    "content/returns.md": "# Returns\nItems can be returned within 30 days.\n",
}


class AdaptationStrategy(Rule):
    """
    ## What it does
    States the strategy ragfit recommends for the repository (RAG,
    fine-tuning, hybrid or plain prompting), how sure it is, and whether the
    code already does it. It is a note when the current approach matches the
    recommendation and a warning when it does not.

    The finding is placed at the call that best shows the current approach:
    the fine-tuning call, else the first retrieval call, else the first model
    call. The report's `recommendation` holds the four questions, their
    evidence and the costs.

    ## Why is this bad?
    The wrong adaptation strategy is the costly mistake: a fine-tuning
    pipeline over knowledge that changes every week must be retrained every
    week and still answers from stale facts; a prompt that carries a whole
    handbook pays for it on every call. Seeing the recommendation next to what
    the code does makes the mismatch a review comment instead of an invoice.

    ## Example
    ```python
    # Weekly regulation updates, turned into training data and fine-tuned:
    client.fine_tuning.jobs.create(training_file=file.id, model="gpt-4o-mini")
    ```

    Use instead:
    ```python
    # Retrieve the current regulations and answer from them, with sources.
    docs = retriever.invoke(question)
    ```

    ## How to fix
    Read the four answers in the report (`ragfit scan --format markdown` for a
    pull request comment) and the evidence behind each. Where ragfit is wrong
    about your repository, say so in configuration: `knowledge-paths`,
    `training-paths`, `high-stakes` and `budget-usd` under `[tool.ragfit]`.
    """

    id = "AD001"
    name = "adaptation-strategy"
    severity = Severity.NOTE
    message = "Recommended strategy: {strategy} (confidence {confidence:.2f}); {current}"
    tags = ("llm", "cost")
    precision = "medium"  # inferred from code and text: a heuristic
    valid = (
        Example({"lib.py": "def add(a, b):\n    return a + b\n"}),
        Example(
            {"README.md": "# Notes\nWe might call OpenAI one day.\n"},
        ),
    )
    invalid = (
        Example(_RAG_APP, expect=("app.py:5",)),
        Example(
            {
                "bot.py": "from openai import OpenAI\n"
                "\n"
                "client = OpenAI()\n"
                'reply = client.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
            },
            expect=("bot.py:4",),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        analysis = verdict.analysis
        if not analysis.uses_llm:
            return
        rec = verdict.recommendation
        current = analysis.profile.current_approach
        site = anchor(
            facts,
            *(("fine-tune", "training") if current in {"fine-tune", "hybrid"} else ()),
            "document-loader",
            "embedding",
            "vector-store",
            "retriever",
            "chat",
            "completion",
            "fine-tune",
            "training",
            "rerank",
        )
        if site is not None:
            location = site.location
        elif analysis.training:
            location = Location(analysis.training[0].path, analysis.training[0].line)
        else:
            first = facts.prompts[0]
            location = Location(first.path, first.line)
        matches = current == rec.strategy
        if matches:
            said = f"the code already does {NAMES[current]}"
        elif current == "none":
            said = "the code does not call a model yet"
        else:
            said = f"the code does {NAMES[current]} today: see the report's four answers"
        yield self.finding(
            location,
            severity=Severity.NOTE if matches else Severity.WARNING,
            properties={
                "strategy": rec.strategy,
                "confidence": rec.confidence,
                "current_approach": current,
                "summary": rec.summary,
            },
            fingerprint_key=f"strategy:{rec.strategy}:{current}",
            strategy=NAMES[rec.strategy],
            confidence=rec.confidence,
            current=said,
        )
