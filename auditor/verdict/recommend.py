"""The recommendation: a strategy from the profile, with its confidence, a
summary a person can act on, the four questions as answers that lean one way,
and the cost comparison.

The rules of DESIGN, in order:

1. no LLM use at all: ``none``;
2. knowledge need -> ``rag``; behaviour need -> ``fine-tune``, or ``prompting``
   when the behaviour fits in a short prompt; both -> ``hybrid``; neither ->
   ``prompting`` (``rag`` when the code already retrieves);
3. knowledge that changes often never leans to fine-tuning: a fine-tune
   recommendation with any knowledge need becomes ``hybrid``;
4. high stakes require retrieval with sources: ``fine-tune`` becomes
   ``hybrid``, ``prompting`` with a knowledge need becomes ``rag``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from auditor.model import Answer, CallSite, Recommendation
from auditor.verdict.pricing import CostInputs, Pricing, estimate, money

if TYPE_CHECKING:
    from auditor.facts import RepoFacts
    from auditor.verdict.profile import Analysis

QUESTIONS = {
    "data-change": "Does the knowledge the system works with change often?",
    "need": "Does the model need to behave differently, or to know things?",
    "cost": "What would each approach cost for this repository's data?",
    "stakes": "How bad is a wrong answer here?",
}
NAMES = {
    "rag": "RAG",
    "fine-tune": "fine-tuning",
    "hybrid": "hybrid (fine-tune for behaviour, RAG for knowledge)",
    "prompting": "plain prompting",
    "none": "nothing: no LLM use found",
}


def choose(analysis: Analysis) -> tuple[str, list[str]]:
    """The strategy and the reasons, in the order the rules applied."""
    profile = analysis.profile
    reasons: list[str] = []
    if not analysis.uses_llm:
        return "none", ["the repository makes no LLM, embedding or training call"]
    need = profile.need.level
    if need == "both":
        strategy = "hybrid"
        reasons.append("it needs both behaviour and knowledge")
    elif need == "knowledge":
        strategy = "rag"
        reasons.append("what it needs is knowledge")
    elif need == "behavior":
        if analysis.heavy_behavior:
            strategy = "fine-tune"
            reasons.append("it needs a behaviour too long to resend with every call")
        else:
            strategy = "prompting"
            reasons.append("the behaviour it needs fits in a short prompt")
    elif profile.current_approach in {"rag", "fine-tune", "hybrid"}:
        strategy = profile.current_approach
        reasons.append(
            f"nothing in the repository says whether it needs behaviour or knowledge, "
            f"so the current approach ({profile.current_approach}) stands"
        )
    else:
        strategy = "prompting"
        reasons.append("nothing asks for more than a prompt")
    changing = profile.data_change.level in {"frequent", "occasional"}
    if strategy == "fine-tune" and changing and analysis.knowledge >= 0.25:
        strategy = "hybrid"
        reasons.append("its knowledge changes, so that part belongs in retrieval")
    if profile.stakes.level == "high":
        if strategy == "fine-tune":
            strategy = "hybrid"
            reasons.append("high stakes need answers grounded in sources")
        elif strategy == "prompting" and analysis.knowledge >= 0.25:
            strategy = "rag"
            reasons.append("high stakes need answers grounded in sources")
    return strategy, reasons


def confidence(analysis: Analysis, strategy: str) -> float:
    if strategy == "none":
        return 0.95
    k, b = analysis.knowledge, analysis.behavior
    if analysis.profile.need.level == "unknown" and strategy != "prompting":
        return 0.4
    if strategy == "hybrid":
        strength = min(k, b) if min(k, b) >= 0.25 else max(k, b) * 0.8
    elif strategy == "rag":
        strength = k
    elif strategy == "fine-tune":
        strength = b
    else:
        strength = 1.0 - max(k, b)
    value = 0.45 + 0.45 * strength
    if analysis.profile.data_change.level == "unknown":
        value -= 0.1
    if analysis.profile.data_change.level == "frequent" and strategy in {"rag", "hybrid"}:
        value += 0.05
    return round(max(0.3, min(0.95, value)), 2)


_PROVIDER_PREFIX = re.compile(
    r"^(?:openai|azure|azure_ai|anthropic|bedrock|vertex_ai|vertex|google|gemini|mistral|"
    r"mistralai|cohere|groq|together_ai|together|fireworks_ai|ollama|huggingface|openrouter|"
    r"deepseek)[/:]",
    re.IGNORECASE,
)


def bare_model(model: str) -> str:
    """A model name without a provider prefix (``anthropic/claude-...``) and,
    for a fine-tuned id (``ft:gpt-4o-mini-2024-07-18:org::id``), its base."""
    name = _PROVIDER_PREFIX.sub("", model.strip())
    if name.startswith("ft:"):
        name = name[3:].split(":", 1)[0]
    return name


@functools.cache
def _superseded() -> tuple[str, ...]:
    """Model patterns the deprecation table marks as retired, deprecated or
    legacy (a trailing ``*`` matches any suffix)."""
    from auditor.knowledge import load_table

    found: list[str] = []
    for entry in load_table("deprecated_models").get("model", []):
        if entry.get("status") in {"retired", "deprecated", "legacy"}:
            found.extend(str(m).lower() for m in entry.get("match", []))
    return tuple(found)


def superseded(model: str) -> bool:
    name = bare_model(model).lower()
    return any(name.startswith(p[:-1]) if p.endswith("*") else name == p for p in _superseded())


def _most_used(
    sites: Sequence[CallSite], *, avoid_superseded: bool = False
) -> tuple[str | None, str]:
    """The model most calls name (the first one on a tie), and where."""
    named = sorted((s for s in sites if s.model), key=lambda s: (s.path, s.line))
    if avoid_superseded:
        current = [s for s in named if not superseded(s.model or "")]
        named = current or named
    if not named:
        return None, ""
    counts = Counter(bare_model(s.model or "") for s in named)
    top = max(counts.values())
    model = next(
        bare_model(s.model or "") for s in named if counts[bare_model(s.model or "")] == top
    )
    first = next(s for s in named if bare_model(s.model or "") == model)
    total = len(named)
    return (
        model,
        f"{top} of {total} call{'s' if total != 1 else ''}, first at {first.path}:{first.line}",
    )


def cost_inputs(analysis: Analysis, facts: RepoFacts) -> CostInputs:
    instruction = max((i.tokens for i in analysis.instructions), default=0)
    pasted = max((p.tokens for p in analysis.pasted), default=0)
    judged = analysis.scope
    sites = judged.sites if judged is not None else list(facts.call_sites)
    chat, chat_from = _most_used([s for s in sites if s.capability in {"chat", "completion"}])
    jobs = [
        s
        for s in sites
        if s.capability == "fine-tune" and s.model and not s.api.endswith("files.create")
    ]
    job = min(jobs, key=lambda s: (s.path, s.line)) if jobs else None
    local = (
        judged is not None
        and not jobs
        and any(s.capability == "training" and judged.use(s) == "llm" for s in sites)
    )
    trained = (
        [s for s in sites if s.capability == "training" and s.model] if local and not job else []
    )
    embedding, embedding_from = _most_used(
        [s for s in sites if s.capability == "embedding"], avoid_superseded=True
    )
    stores = sorted({s.provider for s in sites if s.capability == "vector-store"})
    train = [d for d in analysis.training if d.split == "train"]
    return CostInputs(
        training_tokens=analysis.training_tokens,
        corpus_tokens=analysis.corpus.approx_tokens,
        instruction_tokens_per_call=instruction,
        pasted_tokens_per_call=pasted,
        runs_per_year=analysis.runs_per_year,
        monthly_change=analysis.monthly_change,
        training_examples=sum(d.examples for d in train) if train else None,
        chat_model=chat,
        chat_model_from=chat_from,
        fine_tune_model=bare_model(job.model or "")
        if job
        else (bare_model(trained[0].model or "") if trained else None),
        fine_tune_model_from=f"{job.path}:{job.line}"
        if job
        else (f"{trained[0].path}:{trained[0].line}" if trained else ""),
        embedding_model=embedding,
        embedding_model_from=embedding_from,
        local_training=local,
        stores=stores,
    )


def _answers(analysis: Analysis, costs: dict[str, Any]) -> tuple[Answer, ...]:
    profile = analysis.profile
    change = profile.data_change
    if change.level == "frequent":
        text = "Yes: it changes often"
        lean = "rag"
    elif change.level == "occasional":
        text = "Sometimes: it changes now and then"
        lean = "rag"
    elif change.level == "static":
        text = "No: the knowledge and training data hardly change"
        lean = "either"
    else:
        missing = change.extra.get("missing") or ["no history and no update jobs"]
        text = f"Unknown: nothing to judge by ({', '.join(missing)})"
        lean = "either"
    if change.evidence and change.level != "unknown":
        text += f" ({change.evidence[0].detail})"
    sure = change.extra.get("confidence")
    if isinstance(sure, float) and change.level != "unknown" and sure < 0.9:
        text += f"; confidence {sure:.1f}"
    need = profile.need
    k, b = need.extra.get("knowledge", 0.0), need.extra.get("behavior", 0.0)
    scores = f"(knowledge {k:.2f}, behaviour {b:.2f})"
    need_text = {
        "knowledge": f"Knowledge: it needs facts from documents {scores}",
        "behavior": f"Behaviour: it needs a tone, format or syntax {scores}",
        "both": f"Both: a behaviour, and knowledge from documents {scores}",
        "unknown": "Unclear: no prompt, data or retrieval says which",
    }[need.level]
    need_lean = {"knowledge": "rag", "behavior": "fine-tune"}.get(need.level, "either")
    ft, rag = costs["fine_tune"], costs["rag"]
    runs = ft["runs_per_year"]
    tokens = f"~{ft['training_tokens']:,} training tokens" + (
        " assumed" if ft.get("training_tokens_assumed") else ""
    )
    corpus = f"~{rag['corpus_tokens']:,} tokens" + (
        " assumed" if rag.get("corpus_tokens_assumed") else ""
    )
    cost_text = (
        f"Fine-tuning about {money(ft['year_usd'])} a year ({runs} run{'s' if runs != 1 else ''} "
        f"of {money(ft['run_usd'])}: {ft['offer']}, {ft['base_model']}, {tokens}, plus the "
        f"fine-tuned inference premium); RAG about {money(rag['year_usd'])} a year "
        f"({rag['embedding_model']} on {corpus}, a {rag['vector_store']} store, "
        f"retrieved context as {costs['prompting']['model']} input)"
    )
    if ft["year_usd"] * 2 < rag["year_usd"]:
        cost_lean = "fine-tune"
    elif rag["year_usd"] * 2 < ft["year_usd"]:
        cost_lean = "rag"
    else:
        cost_lean = "either"
    budget = profile.budget
    if budget.extra.get("usd") is not None:
        usd = float(budget.extra["usd"])
        cost_text += f"; the budget is {money(usd)}"
        if ft["year_usd"] > usd >= rag["year_usd"]:
            cost_lean = "rag"
    stakes = profile.stakes
    domains = ", ".join(stakes.extra.get("domains", [])) or "none found"
    if stakes.level == "high":
        stakes_text = f"High ({domains}): answers must be grounded in sources a user can check"
        stakes_lean = "rag"
    else:
        stakes_text = "Normal: no legal, medical, financial or safety domain found"
        stakes_lean = "either"
    return (
        Answer("data-change", QUESTIONS["data-change"], text, lean, change.evidence),
        Answer("need", QUESTIONS["need"], need_text, need_lean, need.evidence),
        Answer("cost", QUESTIONS["cost"], cost_text, cost_lean, budget.evidence),
        Answer("stakes", QUESTIONS["stakes"], stakes_text, stakes_lean, stakes.evidence),
    )


def recommend(analysis: Analysis, facts: RepoFacts, pricing: Pricing) -> Recommendation:
    costs = estimate(pricing, cost_inputs(analysis, facts))
    strategy, reasons = choose(analysis)
    conf = confidence(analysis, strategy)
    answers = _answers(analysis, costs)
    current = analysis.profile.current_approach
    if strategy == "none":
        summary = (
            "No LLM use found: nothing to recommend. Run ragfit again when the code calls a model."
        )
        judged = analysis.scope
        if judged is not None and judged.kind == "framework":
            summary = (
                f"This is an LLM framework or SDK: its {judged.adapters} calls in adapter modules "
                f"for {len(judged.adapter_providers)} providers and stores are there for its "
                "users, and the project itself runs no model: nothing to recommend. Its users "
                "choose RAG or fine-tuning in their own code."
            )
    else:
        because = "; ".join(reasons)
        summary = f"Recommended: {NAMES[strategy]} (confidence {conf:.2f}), because {because}."
        judged = analysis.scope
        if judged is not None and judged.kind == "framework":
            summary = (
                f"This is an LLM framework or SDK: {judged.adapters} calls in adapter modules "
                f"for {len(judged.adapter_providers)} providers and stores are there for its "
                "users, so ragfit judged only the code the project runs itself. " + summary
            )
        if current == strategy:
            summary += f" The code already does {NAMES[current]}."
        elif current != "none":
            summary += f" The code does {NAMES[current]} today."
        ft, rag = costs["fine_tune"], costs["rag"]
        summary += (
            f" Estimated a year: fine-tuning {money(ft['year_usd'])}, "
            f"RAG {money(rag['year_usd'])}"
            " (token counts and call volumes are estimates; see the assumptions)."
        )
        if analysis.profile.stakes.level == "high":
            summary += " The domain is high-stakes: answers should cite their sources."
    return Recommendation(strategy, conf, summary, answers, costs)
