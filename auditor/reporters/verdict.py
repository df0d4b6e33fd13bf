"""The verdict as rows, shared by the terminal and Markdown reporters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from auditor.model import Report
from auditor.verdict.pricing import money
from auditor.verdict.recommend import NAMES

LEANS = {"rag": "→ RAG", "fine-tune": "→ fine-tune", "either": "either"}
EVIDENCE_SHOWN = 2
# Short names of the four questions, for narrow tables.
LABELS = {"data-change": "Data change", "need": "Need", "cost": "Cost", "stakes": "Stakes"}
SHORT = {
    "rag": "RAG",
    "fine-tune": "fine-tuning",
    "hybrid": "hybrid",
    "prompting": "prompting",
    "none": "none",
}


@dataclass(frozen=True)
class Verdict:
    title: str
    summary: str
    short_title: str
    questions: list[tuple[str, str, str, str]]  # question, answer, leans, evidence
    costs: list[tuple[str, str, str, str]]  # approach, one-off, a month, a year
    assumptions: list[str]
    labels: list[str]  # the questions' short names, in order
    cost_notes: list[str]  # what each cost row prices, in order


def verdict(report: Report) -> Verdict | None:
    rec = report.recommendation
    if rec is None or rec.strategy == "none":
        return None
    questions = []
    labels = []
    for answer in rec.questions:
        labels.append(LABELS.get(answer.id, answer.id))
        shown = [f"{e.path}:{e.line}" for e in answer.evidence[:EVIDENCE_SHOWN]]
        more = len(answer.evidence) - len(shown)
        evidence = ", ".join(shown) + (f" (+{more})" if more > 0 else "")
        questions.append((answer.question, answer.answer, LEANS.get(answer.leans, ""), evidence))
    costs: dict[str, Any] = dict(rec.costs)
    ft, rag, prompting = costs["fine_tune"], costs["rag"], costs["prompting"]
    runs = ft["runs_per_year"]
    notes = [
        f"{ft['base_model']}, {runs} run{'s' if runs != 1 else ''} a year, "
        f"~{ft['training_tokens']:,} tokens"
        f"{' (assumed)' if ft.get('training_tokens_assumed') else ''}",
        f"{rag['embedding_model']}, ~{rag['corpus_tokens']:,} tokens"
        f"{' (assumed)' if rag.get('corpus_tokens_assumed') else ''}, {rag['vector_store']} store",
    ]
    rows = [
        (
            f"Fine-tuning ({ft['base_model']}, {ft['runs_per_year']} run"
            f"{'s' if ft['runs_per_year'] != 1 else ''} a year)",
            money(ft["run_usd"]) + " a run",
            money(ft["inference_premium_month_usd"]) + " premium",
            money(ft["year_usd"]),
        ),
        (
            f"RAG ({rag['embedding_model']}, {rag['vector_store']} store)",
            money(rag["initial_embedding_usd"]) + " to embed",
            money(
                rag["reembedding_month_usd"]
                + rag["vector_store_month_usd"]
                + rag["retrieved_context_month_usd"]
            ),
            money(rag["year_usd"]),
        ),
    ]
    per_call = prompting["instruction_tokens_per_call"] + prompting["pasted_tokens_per_call"]
    if per_call:
        notes.append(f"{prompting['model']}, ~{per_call:,} tokens a call")
        rows.append(
            (
                f"The prompt as it is (~{per_call:,} tokens a call)",
                "-",
                money(prompting["month_usd"]),
                money(prompting["month_usd"] * 12),
            )
        )
    name = NAMES[rec.strategy]
    title = f"{name[0].upper()}{name[1:]} · confidence {rec.confidence:.2f}"
    short = f"{SHORT[rec.strategy]} · confidence {rec.confidence:.2f}"
    return Verdict(
        title, rec.summary, short, questions, rows, list(costs["assumptions"]), labels, notes
    )
