"""The profile: DESIGN's four questions answered from the repository's facts.

Each answer is a level, a score in [0, 1] and evidence at ``path:line``. Scores
combine independent signals as a noisy OR (``1 - prod(1 - w)``): one strong
signal is enough for a lean, several weak ones add up, and none can pass 1.
The weights are in this file, next to the words that explain them, so a
reviewer can see why a repository got its answer and disagree with a reason.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.model import CallSite, DataRef, Dataset, Evidence, Profile, Prompt, Question, Schedule
from auditor.scanners.data import approx_tokens
from auditor.scanners.text import LINE_BREAK
from auditor.verdict.assets import Corpus, is_document, suffix

if TYPE_CHECKING:
    from auditor.facts import RepoFacts
    from auditor.scanners.history import PathChurn

# -- behaviour and knowledge in prompts

STYLE = re.compile(
    r"\b(?:tone|voice|style|persona|brand(?:ed|ing)?|friendly|formal|informal|concise|brief|"
    r"polite|empath\w*|cheerful|upbeat|warm|playful|professional|casual|emojis?|"
    r"exclamation|sign(?:-| )off|greet\w*|signature|"
    r"(?:always|never) (?:respond|answer|reply|use|write|say|mention|end|start|begin|sound)|"
    r"respond (?:in|with|as)|reply (?:in|with|as)|write (?:in|like|as)|speak (?:like|as)|"
    r"sound (?:like|human)|bullet(?: points?)?|markdown|headings?|numbered list|"
    r"(?:\d+|one|two|three|four|five) (?:sentences|words|paragraphs|bullets)|"
    r"first person|second person|capitali[sz]\w*|spelling|jargon|slang|contractions?)\b",
    re.IGNORECASE,
)
SYNTAX = re.compile(
    r"\b(?:sql dialect|dialect|bigquery|snowflake|t-sql|tsql|postgresql|redshift|spark sql|"
    r"hiveql|duckdb|clickhouse|house (?:style|syntax|format|dialect)|"
    r"our (?:conventions?|style guide|syntax|dsl|dialect|schema naming)|naming conventions?|"
    r"code conventions?|coding standards?|style guide)\b",
    re.IGNORECASE,
)
CONTEXT = re.compile(
    r"\{\s*(?:context|documents?|docs|sources|passages|retrieved\w*|knowledge|chunks?|"
    r"search_results|snippets|excerpts|schema|tables)\s*\}|"
    r"\b(?:answer|respond|reply)\w*(?: \w+){0,3} (?:using|based on|from|with) (?:only )?"
    r"(?:the|these|this|provided|retrieved|following) (?:context|documents?|sources|passages|"
    r"information|excerpts|articles)|"
    r"\bcontext (?:below|above|provided)|\b(?:following|provided|retrieved) (?:context|"
    r"documents?|passages|excerpts|sources)",
    re.IGNORECASE,
)
CITES = re.compile(
    r"\b(?:cite|citations?|with (?:the )?sources?|source (?:links?|urls?|ids?)|"
    r"(?:include|list|name|give) (?:the )?(?:sources?|references?|links?))\b",
    re.IGNORECASE,
)
SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+")

# -- stakes
DOMAINS: dict[str, re.Pattern[str]] = {
    "legal": re.compile(
        r"\b(?:legal|lawyers?|law ?firms?|attorneys?|paralegal|contracts?|statutes?|"
        r"litigation|courts?|case law|jurisdictions?|legislation)\b",
        re.IGNORECASE,
    ),
    # Not "triage", "symptom", "diagnose" or "treatment": support desks and
    # debugging prompts use them every day.
    "medical": re.compile(
        r"\b(?:medical|medicine|medications?|clinical|clinicians?|patients?|dosages?|"
        r"prescriptions?|healthcare|health care|physicians?|nurses?|hipaa|diseases?|"
        r"pharmac\w+)\b",
        re.IGNORECASE,
    ),
    "financial": re.compile(
        r"\b(?:financial|finance|investments?|investors?|portfolios?|tax(?:es)?|loans?|"
        r"credit|mortgages?|banking|insurance|underwriting|trading|accounting)\b",
        re.IGNORECASE,
    ),
    "regulatory": re.compile(
        r"\b(?:regulations?|regulatory|regulator|gdpr|hipaa|sox|fda|aml|kyc|"
        r"directives?|ordinances?)\b",
        re.IGNORECASE,
    ),
    "safety": re.compile(
        r"\b(?:safety[- ]critical|hazard\w*|emergency|aviation|nuclear|self-harm|suicide)\b",
        re.IGNORECASE,
    ),
}
# Weight a domain needs: a line of README or metadata counts 1, a line of a
# prompt 2. One mention is not enough (a prompt that deflects "legal requests",
# a README that promises "compliance").
STAKES_WEIGHT = 3

UPSERT_METHODS = frozenset(
    {
        "upsert",
        "upsert_records",
        "add",
        "add_documents",
        "aadd_documents",
        "add_texts",
        "insert",
        "insert_many",
        "insert_nodes",
        "refresh_ref_docs",
        "upload_points",
        "upload_collection",
        "add_with_ids",
        "upload_and_poll",
    }
)
RETRIEVAL = frozenset({"embedding", "vector-store", "retriever", "document-loader", "rerank"})
HEAVY_INSTRUCTIONS = 400  # tokens a call of instructions and examples: worth fine-tuning
PASTED_LARGE = 2000  # tokens of pasted documents a call: a knowledge-stuffed prompt


_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|testing|__tests__|fixtures)/|(?:^|/)(?:test_[^/]*|[^/]*_test\.py|conftest\.py)$"
)


def is_test_path(path: str) -> bool:
    """Tests and their fixtures: not what the product does."""
    return bool(_TEST_PATH.search(path))


def noisy_or(weights: Iterable[float]) -> float:
    product = 1.0
    for weight in weights:
        product *= 1.0 - max(0.0, min(1.0, weight))
    return round(1.0 - product, 4)


@dataclass
class Signals:
    """Weighted evidence for one score. Repeats of one kind of signal (ten
    vector-store adapters in a framework) add a tenth of the weight each: they
    are one habit of the code, not ten."""

    items: list[tuple[float, Evidence]] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)

    def add(self, weight: float, path: str, line: int, detail: str, kind: str = "") -> None:
        if kind:
            seen = self.kinds.get(kind, 0)
            self.kinds[kind] = seen + 1
            if seen:
                weight *= 0.1
        self.items.append((weight, Evidence(path, line, detail)))

    @property
    def score(self) -> float:
        return noisy_or(w for w, _ in self.items)

    def evidence(self, limit: int = 8) -> tuple[Evidence, ...]:
        ranked = sorted(self.items, key=lambda item: (-item[0], item[1].path, item[1].line))
        seen: set[tuple[str, int, str]] = set()
        out: list[Evidence] = []
        for _, ev in ranked:
            key = (ev.path, ev.line, ev.detail)
            if key not in seen:
                seen.add(key)
                out.append(ev)
        return tuple(out[:limit])


@dataclass(frozen=True)
class Instructions:
    """What one file sends with each call: instructions and few-shot examples."""

    path: str
    line: int  # the system prompt (or first example)
    tokens: int  # instructions + examples, per call
    style_sentences: int
    style_tokens: int
    shots: int
    syntax: tuple[str, ...]


@dataclass(frozen=True)
class Pasted:
    """Documents pasted into a prompt at ``path:line``."""

    path: str
    line: int
    targets: tuple[str, ...]
    files: int
    tokens: int


@dataclass
class Analysis:
    """The profile and the measurements the recommendation and rules reuse."""

    profile: Profile
    corpus: Corpus
    training: list[Dataset]
    training_tokens: int | None
    knowledge: float
    behavior: float
    heavy_behavior: bool
    instructions: list[Instructions]
    pasted: list[Pasted]
    retrieval: bool
    sources_kept: list[Evidence]
    regenerated: list[Evidence]
    retrain_schedules: list[Schedule]
    runs_per_year: int
    monthly_change: float | None
    history_note: str
    uses_llm: bool
    # Training data churn: (commits in 90 days, in 365 days, evidence), when measured.
    training_churn: tuple[int, int, Evidence] | None = None
    # Git history of each training set and of the corpus, for the inventory:
    # commits_90, commits_365, last_change (all None when there is no history).
    history: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Every file taken for training or evaluation data: recognised datasets,
    # files that training code names, the configured ``training-paths``.
    training_files: tuple[str, ...] = ()


def analyse_prompts(prompts: Sequence[Prompt]) -> list[Instructions]:
    """Per file: the instructions and few-shot examples sent with each call."""
    by_file: dict[str, list[Prompt]] = {}
    for prompt in prompts:
        by_file.setdefault(prompt.path, []).append(prompt)
    found: list[Instructions] = []
    for path, items in sorted(by_file.items()):
        texts: dict[str, Prompt] = {}
        for p in items:
            if p.role in {"system", "template"}:
                texts.setdefault(p.text, p)
        system = list(texts.values())
        answers = [p for p in items if p.role == "assistant"]
        shots = len(answers)
        users = [p for p in items if p.role == "user" and "{" not in p.text] if shots else []
        style_sentences = 0
        style_tokens = 0
        syntax: set[str] = set()
        for prompt in system:
            for sentence in SENTENCE.split(prompt.text):
                if STYLE.search(sentence) or SYNTAX.search(sentence):
                    style_sentences += 1
                    style_tokens += approx_tokens(sentence)
                syntax.update(m.group(0).lower() for m in SYNTAX.finditer(sentence))
        # One call sends one system prompt (a prompt library holds several): the
        # longest, with the few-shot examples.
        longest = max((approx_tokens(p.text) for p in system), default=0)
        tokens = longest + sum(approx_tokens(p.text) for p in [*answers, *users[:shots]])
        if not system and not answers:
            continue
        line = min(p.line for p in (system or answers))
        found.append(
            Instructions(
                path, line, tokens, style_sentences, style_tokens, shots, tuple(sorted(syntax))
            )
        )
    return found


def pasted_documents(
    refs: Sequence[DataRef], sizes: dict[str, int], files: Sequence[str]
) -> list[Pasted]:
    """Documents whose text is pasted into prompts, grouped by the line where
    they enter, with their estimated tokens."""
    from auditor.verdict.assets import approx_file_tokens, match

    grouped: dict[tuple[str, int], set[str]] = {}
    for ref in refs:
        if ref.role == "prompt" and ref.target:
            grouped.setdefault((ref.path, ref.line), set()).add(ref.target)
    found: list[Pasted] = []
    counted: set[tuple[str, str]] = set()
    for (path, line), targets in sorted(grouped.items()):
        names = sorted({f for t in targets for f in match(t, files) if is_document(f)})
        fresh = [f for f in names if (path, f) not in counted]
        counted.update((path, f) for f in fresh)
        if not fresh:
            continue
        tokens = sum(approx_file_tokens(f, sizes[f]) for f in fresh)
        found.append(Pasted(path, line, tuple(sorted(targets)), len(fresh), tokens))
    return found


def stakes_hits(
    texts: Iterable[tuple[str, int, str, bool]],
) -> dict[str, list[tuple[Evidence, bool]]]:
    """Domain terms in ``(path, line, text, in_prompt)`` items."""
    hits: dict[str, list[tuple[Evidence, bool]]] = {}
    for path, line, text, in_prompt in texts:
        for domain, pattern in DOMAINS.items():
            found = pattern.search(text)
            if found:
                where = "prompt" if in_prompt else posixpath.basename(path)
                hits.setdefault(domain, []).append(
                    (Evidence(path, line, f"{domain}: '{found.group(0)}' in {where}"), in_prompt)
                )
    return hits


def stakes_question(
    hits: dict[str, list[tuple[Evidence, bool]]],
    override: bool | None,
    override_evidence: Evidence | None,
) -> Question:
    domains = sorted(
        d
        for d, items in hits.items()
        if sum(2 if in_prompt else 1 for _, in_prompt in items) >= STAKES_WEIGHT
    )
    evidence = tuple(ev for d in domains for ev, _ in hits[d][:3])
    if override is not None:
        level = "high" if override else "normal"
        extra_ev = (override_evidence,) if override_evidence else ()
        return Question(
            level,
            1.0 if override else 0.0,
            (*extra_ev, *evidence)[:8],
            {"domains": domains},
        )
    return Question(
        "high" if domains else "normal",
        1.0 if domains else 0.0,
        evidence[:8],
        {"domains": domains},
    )


def budget_question(budget: float | None, evidence: Evidence | None) -> Question:
    if budget is None:
        return Question("unknown", 0.0, (), {"usd": None})
    if budget < 10_000:
        level = "under-10k"
    elif budget <= 50_000:
        level = "10k-50k"
    else:
        level = "over-50k"
    return Question(level, 1.0, (evidence,) if evidence else (), {"usd": budget})


def change_level(score: float, measured: bool) -> str:
    if score >= 0.6:
        return "frequent"
    if score >= 0.3:
        return "occasional"
    return "static" if measured else "unknown"


def need_level(knowledge: float, behavior: float) -> str:
    if knowledge >= 0.5 and behavior >= 0.5:
        return "both"
    if knowledge >= 0.5 and knowledge >= behavior:
        return "knowledge"
    if behavior >= 0.5:
        return "behavior"
    if max(knowledge, behavior) >= 0.25:
        return "knowledge" if knowledge >= behavior else "behavior"
    return "unknown"


def is_dataset_path(path: str) -> bool:
    return suffix(path) in {".jsonl", ".ndjson"} or path.endswith((".train.json", "_train.json"))


def _churn_weight(commits_90: int, commits_365: int) -> float:
    if commits_90 >= 9:  # about weekly or more
        return 0.85
    if commits_90 >= 3:  # about monthly
        return 0.6
    if commits_365 >= 4:
        return 0.35
    if commits_365 >= 1:
        return 0.15
    return 0.05


def _period_weight(period: float | None) -> float:
    if period is None:
        return 0.4
    if period <= 7:
        return 0.85
    if period <= 31:
        return 0.6
    return 0.35


def infer(facts: RepoFacts) -> Analysis:
    """Answer the four questions for a repository."""
    from auditor.verdict.assets import (
        approx_file_tokens,
        corpus,
        knowledge_refs,
        match,
        training_sets,
    )

    sizes = {f.path: f.size for f in [*facts.files, *facts.oversized]}
    names = sorted(sizes)
    # Tests and fixtures show what the code could do, not what it does.
    refs = [r for r in facts.data_refs if not is_test_path(r.path)]
    sites = [s for s in facts.call_sites if not is_test_path(s.path)]
    # Prompts count only where something calls a model.
    prompts = [p for p in facts.prompts if not is_test_path(p.path)] if sites else []
    schedules = list(facts.schedules)
    config = facts.config
    llm_files = {s.path for s in sites} | {p.path for p in prompts}
    uses_llm = bool(sites)

    # -- training data and the knowledge corpus
    datasets = [d for d in facts.datasets if not is_test_path(d.path)]
    training = training_sets(datasets, config.training_paths)
    training_files = {d.path for d in datasets}
    for ref in refs:
        if ref.role == "training":
            training_files.update(f for f in match(ref.target, names) if is_dataset_path(f))
    for target in config.training_paths:
        training_files.update(match(target, names))
    train_only = [d for d in training if d.split == "train"]
    extra = sorted(
        f
        for f in training_files
        if f not in {d.path for d in datasets} and f in {o.path for o in facts.oversized}
    )
    training_tokens: int | None = None
    if train_only or extra:
        training_tokens = sum(d.approx_tokens for d in train_only) + sum(
            approx_file_tokens(f, sizes[f]) for f in extra
        )
    # Documents that training data is generated from are knowledge too.
    writers = {
        r.path
        for r in refs
        if r.role == "write" and (is_dataset_path(r.target) or r.target in training_files)
    }
    kn_refs = knowledge_refs(refs, llm_files | writers, training_files)
    body = corpus(kn_refs, sizes, configured=config.knowledge_paths, exclude=training_files)
    uses_llm = uses_llm or bool(training)

    # -- data change
    change = Signals()
    measured = False
    monthly_change: float | None = None
    runs = 1
    training_churn: tuple[int, int, Evidence] | None = None
    history = facts.history
    history_note = "" if history.status == "ok" else history.detail
    first_ref = {r.target: r for r in reversed(kn_refs)}
    churns: dict[tuple[str, ...], PathChurn | None] = {}

    def churn_of(paths: Sequence[str]) -> PathChurn | None:
        """Churn from the history, asked once per set of paths."""
        key = tuple(paths)
        if key not in churns:
            churns[key] = history.churn(list(key)) if key else None
        return churns[key]

    tracked: list[tuple[str, Sequence[str], Evidence]] = []
    if body.paths:
        anchor = first_ref.get(body.paths[0])
        where = (anchor.path, anchor.line) if anchor else (body.files[0], 1)
        tracked.append(("knowledge", body.paths, Evidence(where[0], where[1], "")))
    if training_files:
        first = sorted(training_files)[0]
        tracked.append(("training data", sorted(training_files), Evidence(first, 1, "")))
    if history.status == "ok":
        for label, paths, anchor_ev in tracked:
            churn = churn_of(paths)
            if churn is None or churn.last_change is None:
                continue  # never committed: nothing measured
            measured = True
            shown = ", ".join(paths[:3]) + (" ..." if len(paths) > 3 else "")
            last = f", last {churn.last_change}" if churn.last_change else ""
            change.add(
                _churn_weight(churn.commits_90, churn.commits_365),
                anchor_ev.path,
                anchor_ev.line,
                f"{label} ({shown}): {churn.commits_90} commits in 90 days, "
                f"{churn.commits_365} in 365{last}",
            )
            runs = max(runs, churn.commits_365)
            if label == "training data":
                training_churn = (churn.commits_90, churn.commits_365, change.items[-1][1])
            if label == "knowledge" and body.files:
                monthly_change = min(1.0, churn.files_changed_90 / 3 / len(body.files))
    retrain: list[Schedule] = []
    for schedule in schedules:
        what = ", ".join(schedule.runs[:2]) or schedule.kind
        every = _every(schedule.period_days)
        if schedule.purpose in {"ingest", "retrain"}:
            change.add(
                _period_weight(schedule.period_days),
                schedule.path,
                schedule.line,
                f"{schedule.kind} job {every} runs {what} ({schedule.purpose})",
            )
            if schedule.period_days:
                runs = max(runs, int(365 / max(schedule.period_days, 1.0)))
            if schedule.purpose == "retrain":
                retrain.append(schedule)
    by_file: dict[str, list[DataRef]] = {}
    for ref in refs:
        by_file.setdefault(ref.path, []).append(ref)
    store_files = {s.path for s in sites if s.capability == "vector-store"}
    for ref in refs:
        if ref.role == "remote":
            change.add(
                0.6, ref.path, ref.line, f"{ref.detail} loads live content {ref.target}".strip()
            )
        elif ref.role == "fetch" and (
            ref.path in store_files or any(r.role == "write" for r in by_file[ref.path])
        ):
            change.add(
                0.5, ref.path, ref.line, f"fetches {ref.target or 'remote content'} to ingest"
            )
    upserted: set[str] = set()
    for site in sites:
        method = site.api.rpartition(".")[2]
        if (
            site.capability == "vector-store"
            and method in UPSERT_METHODS
            and site.path not in upserted
        ):
            upserted.add(site.path)
            change.add(
                0.45, site.path, site.line, f"updates the index in place: {site.api}", kind="upsert"
            )
    regenerated: list[Evidence] = []
    for path, items in sorted(by_file.items()):
        reads_docs = any(
            r.role in {"read", "glob", "load"}
            and (is_document(r.target) or not suffix(r.target))
            and r.target not in training_files
            and not is_dataset_path(r.target)
            for r in items
        )
        for ref in items:
            writes_set = is_dataset_path(ref.target) or ref.target in training_files
            if ref.role == "write" and writes_set and reads_docs:
                ev = Evidence(
                    path, ref.line, f"regenerates training data {ref.target} from documents"
                )
                regenerated.append(ev)
                change.add(0.6, ev.path, ev.line, ev.detail)
    data_change = Question(
        change_level(change.score, measured),
        change.score,
        change.evidence(),
        {},
    )
    runs = min(runs, 365)

    # -- behaviour and knowledge
    behavior = Signals()
    knowledge = Signals()
    instructions = analyse_prompts(prompts)
    heavy = False
    for item in instructions:
        if item.style_sentences >= 3:
            behavior.add(
                0.6 if item.style_sentences >= 6 else 0.45,
                item.path,
                item.line,
                f"{item.style_sentences} tone, style and format instructions "
                f"(~{item.style_tokens} tokens)",
            )
        elif item.style_sentences:
            behavior.add(0.15, item.path, item.line, "a style or format instruction")
        if item.style_tokens >= 300:
            behavior.add(
                0.3, item.path, item.line, f"~{item.style_tokens} tokens of style rules a call"
            )
        if item.shots >= 2:
            behavior.add(
                0.5 if item.shots >= 4 else 0.35,
                item.path,
                item.line,
                f"{item.shots} few-shot example answers sent with each call",
            )
        if item.syntax:
            behavior.add(0.55, item.path, item.line, f"house syntax: {', '.join(item.syntax)}")
        if (item.tokens >= HEAVY_INSTRUCTIONS and item.style_sentences >= 3) or item.shots >= 3:
            heavy = True
    for dataset in training:
        if dataset.template_share >= 0.6:
            behavior.add(
                0.6,
                dataset.path,
                dataset.line,
                f"{dataset.template_share:.0%} of {dataset.examples} training answers "
                "share a template",
            )
            heavy = heavy or dataset.examples >= 20
        if dataset.fact_share >= 0.5:
            knowledge.add(
                0.6,
                dataset.path,
                dataset.line,
                f"{dataset.fact_share:.0%} of {dataset.examples} training answers carry facts "
                "(numbers, dates, names, references)",
            )
    retrieval = False
    seen_files: set[str] = set()
    for site in sites:
        if site.capability in RETRIEVAL:
            retrieval = True
            if site.path not in seen_files:
                seen_files.add(site.path)
                knowledge.add(
                    0.55, site.path, site.line, f"{site.capability}: {site.api}", kind="retrieval"
                )
    for ref in refs:
        if ref.role == "search-tool":
            retrieval = True
            knowledge.add(
                0.55, ref.path, ref.line, f"agent tool that looks things up: {ref.detail}", "tool"
            )
    for prompt in prompts:
        if CONTEXT.search(prompt.text):
            knowledge.add(
                0.45, prompt.path, prompt.line, "the prompt answers from supplied context"
            )
    pasted = pasted_documents(refs, sizes, names)
    for paste in pasted:
        knowledge.add(
            0.6 if paste.tokens >= 500 else 0.3,
            paste.path,
            paste.line,
            f"{paste.files} document{'s' if paste.files != 1 else ''} (~{paste.tokens} tokens) "
            "pasted into the prompt",
        )
    if body.files and body.evidence:
        ev = body.evidence[0]
        knowledge.add(
            0.3,
            ev.path,
            ev.line,
            f"knowledge corpus: {len(body.files)} file{'s' if len(body.files) != 1 else ''}, "
            f"~{body.approx_tokens} tokens",
        )
    need = Question(
        need_level(knowledge.score, behavior.score),
        max(knowledge.score, behavior.score),
        (*knowledge.evidence(5), *behavior.evidence(5)),
        {"knowledge": round(knowledge.score, 2), "behavior": round(behavior.score, 2)},
    )

    # -- stakes and budget
    sources = [
        Evidence(r.path, r.line, f"keeps sources: {r.detail}") for r in refs if r.role == "sources"
    ]
    sources += [
        Evidence(p.path, p.line, "the prompt asks for citations")
        for p in facts.prompts
        if CITES.search(p.text)
    ]
    stakes = stakes_question(
        stakes_hits(_stakes_texts(facts, prompts, body, training_files)),
        config.high_stakes,
        _config_evidence(facts, "high-stakes"),
    )
    budget = budget_question(config.budget_usd, _config_evidence(facts, "budget-usd"))
    inventory_history: dict[str, dict[str, Any]] = {}
    for key, asked in [("knowledge", list(body.paths))] + [(d.path, [d.path]) for d in training]:
        churn = churn_of(asked)
        inventory_history[key] = {
            "commits_90": churn.commits_90 if churn else None,
            "commits_365": churn.commits_365 if churn else None,
            "last_change": churn.last_change if churn else None,
        }
    current = facts.current_approach
    if any(r.role == "search-tool" for r in refs):  # the agent retrieves through tools
        current = {"prompting": "rag", "fine-tune": "hybrid"}.get(current, current)
    profile = Profile(current, data_change, need, stakes, budget)
    return Analysis(
        profile=profile,
        corpus=body,
        training=training,
        training_tokens=training_tokens,
        knowledge=knowledge.score,
        behavior=behavior.score,
        heavy_behavior=heavy,
        instructions=instructions,
        pasted=pasted,
        retrieval=retrieval,
        sources_kept=sources,
        regenerated=regenerated,
        retrain_schedules=retrain,
        runs_per_year=runs,
        monthly_change=monthly_change,
        history_note=history_note,
        uses_llm=uses_llm,
        training_churn=training_churn,
        history=inventory_history,
        training_files=tuple(sorted(training_files)),
    )


_METADATA_LINE = re.compile(r"^\s*(?:description|keywords|summary)\s*[=:]", re.IGNORECASE)


def _stakes_texts(
    facts: RepoFacts, prompts: Sequence[Prompt], body: Corpus, training_files: set[str]
) -> list[tuple[str, int, str, bool]]:
    """README, package metadata, prompts, and the names of knowledge and
    training paths: where a domain shows."""

    texts: list[tuple[str, int, str, bool]] = []
    for file in facts.files:
        name = file.path.lower()
        if "/" in name:
            continue
        if name.startswith("readme"):
            text = facts.text(file.path) or ""
            for number, line in enumerate(LINE_BREAK.split(text)[:400], start=1):
                texts.append((file.path, number, line, False))
        elif name in {"pyproject.toml", "setup.cfg", "setup.py"}:
            text = facts.text(file.path) or ""
            for number, line in enumerate(LINE_BREAK.split(text), start=1):
                if _METADATA_LINE.match(line):
                    texts.append((file.path, number, line, False))
    for prompt in prompts:
        if prompt.role in {"system", "template"}:
            texts.append((prompt.path, prompt.line, prompt.text, True))
    for path in [*body.paths, *sorted(training_files)]:
        words = re.sub(r"[_\-/.]+", " ", path)
        ref = next((e for e in body.evidence if path in e.detail), None)
        texts.append((ref.path if ref else path, ref.line if ref else 1, words, False))
    return texts


def _config_evidence(facts: RepoFacts, key: str) -> Evidence | None:
    source = facts.config.source
    if not source or source.startswith("/"):
        return None
    text = facts.text(source) or ""
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        if line.strip().startswith(key):
            return Evidence(source, number, f"`{line.strip()}` in the configuration")
    return None


ANSWERING = ("chat", "completion")
TRAINING = ("fine-tune", "training")


def anchor(facts: RepoFacts, *capabilities: str) -> CallSite | None:
    """The first call site with one of ``capabilities`` (in that order of
    preference): where a finding about the whole repository is reported. A
    fine-tuning job is preferred to the upload of its file."""
    for capability in capabilities:
        sites = [s for s in facts.call_sites if s.capability == capability]
        jobs = [s for s in sites if not s.api.endswith("files.create")]
        if jobs or sites:
            return (jobs or sites)[0]
    return None


def _every(period: float | None) -> str:
    if period is None:
        return "on a schedule"
    for days, word in ((1 / 24, "hourly"), (1, "daily"), (7, "weekly")):
        if abs(period - days) < days * 0.05:
            return word
    return f"every {period:.3g} days" if period >= 1 else f"every {period * 24:.3g} hours"
