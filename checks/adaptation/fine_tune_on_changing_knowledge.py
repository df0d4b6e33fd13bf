"""AD101 fine-tune-on-changing-knowledge."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Evidence, Finding, Severity
from auditor.rules import Example, Rule
from auditor.verdict.profile import Analysis
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


_RETRAIN = (
    "on:\n"
    "  schedule:\n"
    '    - cron: "0 4 * * 1"\n'
    "jobs:\n"
    "  retrain:\n"
    "    runs-on: ubuntu-latest\n"
    "    steps:\n"
    "      - run: python scripts/build_dataset.py\n"
    "      - run: python train.py\n"
)


class FineTuneOnChangingKnowledge(Rule):
    """
    ## What it does
    Flags a fine-tuning pipeline whose training data is knowledge that
    changes: training data or its source documents changing monthly or
    more in git history, or retraining on a schedule. The finding is placed
    at the fine-tuning call and names the evidence and how many runs a year
    it implies.

    The training data must look like knowledge (built from documents,
    answers full of facts, or a knowledge need): a format or a tone does not
    go stale. A script that builds training data from documents is not
    change by itself.

    ## Why is this bad?
    Fine-tuning teaches a model behaviour well and facts badly. Facts learnt
    in training are frozen at the run: each change to the documents needs a
    new run (and its bill), and between runs the model answers confidently
    from the old version, without a source to check. Retrieval (RAG) reads the
    current document at question time, costs a re-embedding of the changed
    files, and can cite where the answer came from.

    ## Example
    ```python
    # build_dataset.py turns regulations/*.md into data/train.jsonl and a
    # weekly workflow runs it and this job
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
                ".github/workflows/retrain.yml": _RETRAIN,
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
        reasons = changes(analysis)
        if not reasons or not knowledge_like(analysis):
            return
        shown = reasons[:2] + analysis.regenerated[:1]
        why = "; ".join(f"{r.detail} at {r.path}:{r.line}" for r in shown)
        runs = max(analysis.runs_per_year, 1)
        for site in sites:
            yield self.finding(
                site.location,
                properties={
                    "runs_per_year": runs,
                    "evidence": [r.to_dict() for r in [*reasons, *analysis.regenerated]],
                },
                fingerprint_key=f"ft-changing:{site.api}",
                why=why,
                runs=runs,
                s="s" if runs != 1 else "",
            )


# Commits in 90 days from which data counts as changing: about monthly.
CHURN_COMMITS_90 = 3


def changes(analysis: Analysis) -> list[Evidence]:
    """What shows the fine-tuned knowledge changing, each trigger on its own:
    the training data's own churn; the churn of the documents a script builds
    the training data from; retraining on a schedule."""
    reasons: list[Evidence] = []
    churn = analysis.training_churn
    if churn is not None and churn[0] >= CHURN_COMMITS_90:
        reasons.append(churn[2])
    source = analysis.knowledge_churn
    if analysis.regenerated and source is not None and source[0] >= CHURN_COMMITS_90:
        reasons.append(source[2])
    reasons += [
        Evidence(
            s.path, s.line, f"retrains on a schedule ({' '.join(filter(None, [s.kind, s.cron]))})"
        )
        for s in analysis.retrain_schedules
    ]
    return reasons


def knowledge_like(analysis: Analysis) -> bool:
    """The guard against false alarms: the fine-tuned data is knowledge
    (built from documents, answers full of facts, or a knowledge need), not a
    behaviour such as a format or a tone that churn does not make stale."""
    if analysis.regenerated:
        return True
    if any(d.fact_share >= 0.5 and d.structured_share < 0.5 for d in analysis.training):
        return True
    return analysis.profile.need.level in {"knowledge", "both"}
