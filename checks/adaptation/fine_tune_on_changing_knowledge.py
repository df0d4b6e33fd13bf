"""AD101 fine-tune-on-changing-knowledge."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Evidence, Finding, Severity
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

_BUILD = (
    "import json\n"
    "from pathlib import Path\n"
    "\n"
    'with open("data/train.jsonl", "w") as out:\n'
    '    for page in sorted(Path("regulations").glob("*.md")):\n'
    "        text = page.read_text()\n"
    '        record = {"messages": [{"role": "user", "content": page.stem},\n'
    '                                {"role": "assistant", "content": text}]}\n'
    '        out.write(json.dumps(record) + "\\n")\n'
)
_TRAIN = (
    "from openai import OpenAI\n"
    "\n"
    "client = OpenAI()\n"
    'upload = client.files.create(file=open("data/train.jsonl", "rb"), purpose="fine-tune")\n'
    'job = client.fine_tuning.jobs.create(training_file=upload.id, model="gpt-4o-mini")\n'
)


class FineTuneOnChangingKnowledge(Rule):
    """
    ## What it does
    Flags a fine-tuning pipeline whose training data is knowledge that
    changes: data regenerated from documents by a script, training data that
    git history shows changing every month or more, or retraining on a
    schedule. The finding is placed at the fine-tuning call and names the
    evidence and how many runs a year it implies.

    ## Why is this bad?
    Fine-tuning teaches a model behaviour well and facts badly. Facts learnt
    in training are frozen at the run: each change to the documents needs a
    new run (and its bill), and between runs the model answers confidently
    from the old version, without a source to check. Retrieval (RAG) reads the
    current document at question time, costs a re-embedding of the changed
    files, and can cite where the answer came from.

    ## Example
    ```python
    # build_dataset.py turns regulations/*.md into data/train.jsonl each week
    client.fine_tuning.jobs.create(training_file=upload.id, model="gpt-4o-mini")
    ```

    Use instead:
    ```python
    docs = retriever.invoke(question)  # the current regulations
    answer = llm.invoke(prompt.format(context=docs, question=question))
    ```

    ## How to fix
    Move the changing knowledge into retrieval over the documents themselves.
    Keep fine-tuning, if at all, for the behaviour (tone, format, a house
    syntax) that does not change with the documents: that is the hybrid
    strategy.
    """

    id = "AD101"
    name = "fine-tune-on-changing-knowledge"
    severity = Severity.WARNING
    message = (
        "Fine-tuning on knowledge that changes ({why}): about {runs} run{s} a year to stay "
        "current, and stale answers in between; retrieve this knowledge instead"
    )
    tags = ("llm", "cost")
    precision = "medium"  # inferred from code and text: a heuristic
    valid = (
        Example(
            {
                "train.py": _TRAIN,
                "data/train.jsonl": '{"messages": [{"role": "user", "content": "hi"}, '
                '{"role": "assistant", "content": "Hello! How can I help?"}]}\n',
            }
        ),
    )
    invalid = (
        Example(
            {
                "scripts/build_dataset.py": _BUILD,
                "train.py": _TRAIN,
                "regulations/art-1.md": "# Article 1\nReports are due within 30 days.\n",
            },
            expect=("train.py:5",),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        analysis = verdict.analysis
        sites = [s for s in facts.call_sites if s.capability == "fine-tune"]
        # The job, not the upload of its file, when both are there.
        sites = [s for s in sites if not s.api.endswith("files.create")] or sites[:1]
        if not sites:
            sites = [s for s in facts.call_sites if s.capability == "training"][:1]
        if not sites:
            return
        reasons: list[Evidence] = list(analysis.regenerated)
        churn = analysis.training_churn
        if churn is not None and churn[0] >= 3:
            reasons.append(churn[2])
        reasons += [
            Evidence(s.path, s.line, f"retrains on a schedule ({s.kind} {s.cron or ''})".strip())
            for s in analysis.retrain_schedules
        ]
        knowledge_like = (
            bool(analysis.regenerated)
            or any(d.fact_share >= 0.5 for d in analysis.training)
            or analysis.profile.need.level in {"knowledge", "both"}
        )
        if not reasons or not knowledge_like:
            return
        why = "; ".join(f"{r.detail} at {r.path}:{r.line}" for r in reasons[:2])
        runs = max(analysis.runs_per_year, 1)
        for site in sites:
            yield self.finding(
                site.location,
                properties={
                    "runs_per_year": runs,
                    "evidence": [r.to_dict() for r in reasons],
                },
                fingerprint_key=f"ft-changing:{site.api}",
                why=why,
                runs=runs,
                s="s" if runs != 1 else "",
            )
