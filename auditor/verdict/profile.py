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
from auditor.verdict.scope import Scope, is_adapter_path, is_example_path, is_test_path, scope

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
    r"search_results|snippets|excerpts)\s*\}|"
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
# Each domain has strong terms (a filing, a record, a body of law: what a
# product in that domain works with) and weak ones (words any README may use
# once). A line counts once per domain, for its strongest term.
DOMAINS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "financial": (
        re.compile(
            r"\b(?:10-K|10-Q|8-K|SEC (?:filings?|reports?|EDGAR)|EDGAR|"
            r"earnings (?:calls?|reports?|releases?|transcripts?)|annual reports?|"
            r"balance sheets?|income statements?|cash flow statements?|"
            r"financial (?:statements?|reports?|filings?|advice|analys\w+|news|data|"
            r"sentiment|documents?|questions?|domain|markets?)|"
            r"credit (?:risk|scores?|scoring|cards?|ratings?|decisions?)|"
            r"stock (?:markets?|prices?|trading|picks?)|investment (?:advice|research)|"
            r"portfolio management|bank(?:'s)? accounts?|FinGPT|FinBERT|FiQA|FinQA|Bloomberg)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(?:financial|finance|investments?|investors?|portfolios?|tax(?:es)?|loans?|"
            r"credit|mortgages?|banking|insurance|underwriting|trading|accounting|"
            r"stocks?|equities)\b",
            re.IGNORECASE,
        ),
    ),
    # Not "triage", "symptom", "diagnose" or "treatment" alone: support desks
    # and debugging prompts use them every day.
    "medical": (
        re.compile(
            r"\b(?:medical (?:records?|advice|questions?|diagnos\w+|knowledge|literature|"
            r"texts?|notes|domain|dialogues?|consultations?|exams?)|"
            r"clinical (?:notes?|texts?|trials?|decisions?|guidelines?|records?|questions?)|"
            r"electronic health records?|EHRs?|EMRs?|patients?|diagnos(?:is|es)|"
            r"MIMIC(?:-III|-IV)?|PubMed\w*|MedQA|MedMCQA|USMLE|radiology|doctors?|"
            r"physicians?|clinicians?|healthcare|health care|HIPAA|dosages?|prescriptions?|"
            r"medications?|drug interactions?)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(?:medical|medicine|clinical|nurses?|diseases?|pharmac\w+|biomedical)\b",
            re.IGNORECASE,
        ),
    ),
    "legal": (
        re.compile(
            r"\b(?:statutes?|case law|court (?:opinions?|decisions?|rulings?|cases?|records?)|"
            r"contract (?:review|analysis|clauses?|law|drafting)|legal (?:advice|documents?|"
            r"research|questions?|texts?|cases?|domain|assistant|counsel|opinions?|filings?)|"
            r"law ?firms?|attorneys?|lawyers?|paralegals?|litigation|jurisprudence|"
            r"CUAD|LegalBench|legislation|judgments?|case files?)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(?:legal|law|laws|contracts?|courts?|jurisdictions?|clauses?)\b",
            re.IGNORECASE,
        ),
    ),
    "regulatory": (
        re.compile(
            r"\b(?:regulatory (?:filings?|compliance|requirements?|reporting|texts?)|GDPR|"
            r"HIPAA|Sarbanes-Oxley|FDA|anti-money laundering|KYC|Basel III|MiFID|"
            r"Dodd-Frank|regulations? (?:text|compliance|updates?))\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(?:regulations?|regulatory|regulators?|directives?|ordinances?|compliance)\b",
            re.IGNORECASE,
        ),
    ),
    "safety": (
        re.compile(
            r"\b(?:safety[- ]critical|aviation|nuclear|self-harm|suicide|"
            r"emergency (?:response|services|dispatch))\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?:hazard\w*|emergency)\b", re.IGNORECASE),
    ),
}
# Weight of a line, by where it is and how strong its term: a prompt is what
# the product sends; README, package metadata and data paths say what it is
# about. A domain needs STAKES_WEIGHT from at least STAKES_LINES different
# lines: one stray word never decides.
STAKES_POINTS = {("prompt", True): 3, ("prompt", False): 2, ("text", True): 2, ("text", False): 1}
STAKES_WEIGHT = 4
STAKES_LINES = 2

UPSERT_METHODS = frozenset(
    {
        "upsert",
        "upsert_records",
        "add_documents",
        "aadd_documents",
        "add_texts",
        "insert",
        "insert_many",
        "insert_nodes",
        "refresh_ref_docs",
        "upload_points",
        "upload_collection",
        "upload_and_poll",
    }
)
RETRIEVAL = frozenset({"embedding", "vector-store", "retriever", "document-loader", "rerank"})
HEAVY_INSTRUCTIONS = 400  # tokens a call of instructions and examples: worth fine-tuning
# Few-shot examples are prompting's own tool: three to five of them is what
# the providers' prompting guides advise (Anthropic's "multishot prompting":
# 3-5 diverse examples), so that many, without house rules on voice, style or
# format, is a prompt doing its job. A behaviour that takes more examples
# than that to show is one to teach once by fine-tuning.
MANY_SHOTS = 6
PASTED_LARGE = 2000  # tokens of pasted documents a call: a knowledge-stuffed prompt


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
    kinds: set[str] = field(default_factory=set)

    def add(self, weight: float, path: str, line: int, detail: str, kind: str = "") -> None:
        if kind:
            if kind in self.kinds:
                weight *= 0.1
            self.kinds.add(kind)
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
    # Knowledge corpus churn, like ``training_churn``.
    knowledge_churn: tuple[int, int, Evidence] | None = None
    # What the verdict judged: the project's own calls (see ``scope``).
    scope: Scope | None = None
    # Published datasets the code names by Hub id.
    hub_datasets: list[Evidence] = field(default_factory=list)
    # Every file taken for training or evaluation data: recognised datasets,
    # files that training code names, the configured ``training-paths``.
    training_files: tuple[str, ...] = ()


def heavy_instructions(item: Instructions) -> bool:
    """Whether what one file sends with each call is a behaviour too long to
    resend: a house syntax (an SQL dialect, code conventions: the textbook
    fine-tuning case) always; otherwise long instructions that either lay
    down a voice, style or format in several rules or show it in more
    examples than few-shot prompting uses (``MANY_SHOTS``)."""
    if item.syntax:
        return True
    return item.tokens >= HEAVY_INSTRUCTIONS and (
        item.style_sentences >= 3 or item.shots >= MANY_SHOTS
    )


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
) -> dict[str, list[tuple[Evidence, int]]]:
    """Domain terms in ``(path, line, text, in_prompt)`` items, each with its
    points (see ``STAKES_POINTS``)."""
    hits: dict[str, list[tuple[Evidence, int]]] = {}
    for path, line, text, in_prompt in texts:
        for domain, (strong, weak) in DOMAINS.items():
            found = strong.search(text)
            is_strong = found is not None
            found = found or weak.search(text)
            if found:
                where = "prompt" if in_prompt else posixpath.basename(path)
                points = STAKES_POINTS[("prompt" if in_prompt else "text", is_strong)]
                detail = f"{domain}: '{found.group(0)}' in {where}"
                hits.setdefault(domain, []).append((Evidence(path, line, detail), points))
    return hits


def high_stakes_domains(hits: dict[str, list[tuple[Evidence, int]]]) -> list[str]:
    """The domains with enough weight from enough different lines."""
    chosen: list[str] = []
    for domain, items in hits.items():
        lines = {(ev.path, ev.line) for ev, _ in items}
        if sum(points for _, points in items) >= STAKES_WEIGHT and len(lines) >= STAKES_LINES:
            chosen.append(domain)
    return sorted(chosen)


def stakes_question(
    hits: dict[str, list[tuple[Evidence, int]]],
    override: bool | None,
    override_evidence: Evidence | None,
) -> Question:
    domains = high_stakes_domains(hits)
    evidence = tuple(
        ev
        for d in domains
        for ev, _ in sorted(hits[d], key=lambda item: (-item[1], item[0].path, item[0].line))[:3]
    )
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


FREQUENT = 0.6  # change score from which knowledge changes often
OCCASIONAL = 0.3  # ... and now and then


def change_level(score: float, measured: bool, fixed: bool = False) -> str:
    """``frequent`` or ``occasional`` from the change score; below that,
    ``static`` when the history was measured or the data is a fixed set that
    nothing refreshes, else ``unknown`` (nothing to judge)."""
    if score >= FREQUENT:
        return "frequent"
    if score >= OCCASIONAL:
        return "occasional"
    return "static" if measured or fixed else "unknown"


def change_confidence(level: str, measured: bool, signals: int, seen: bool = True) -> float:
    """How sure the data-change answer is: history measured is the best
    witness; jobs and loaders without history are good; a fixed set in the
    repository with no history to confirm it is a fair guess; data the code
    only implies (downloaded, on the Hub, in a store) a weaker one."""
    if level == "unknown":
        return 0.0
    if measured:
        return 0.9
    if level in {"frequent", "occasional"}:
        return 0.8 if signals >= 2 else 0.7
    return 0.6 if seen else 0.5


def need_level(knowledge: float, behavior: float, strong_behavior: bool = False) -> str:
    """``both`` when the knowledge need is clear and the behaviour is more
    than a prompt can carry; else the clear need; else the weak one that
    leads (knowledge needs 0.25 to lead); ``unknown`` with no signal."""
    if knowledge >= 0.5 and behavior >= 0.5 and strong_behavior:
        return "both"
    if knowledge >= 0.5:
        return "knowledge"
    if behavior >= 0.5:
        return "behavior"
    if knowledge >= 0.25 and knowledge >= behavior:
        return "knowledge"
    if behavior > 0:
        return "behavior"
    return "unknown"


def is_dataset_path(path: str) -> bool:
    return suffix(path) in {".jsonl", ".ndjson"} or path.endswith((".train.json", "_train.json"))


def churn_weight(commits_90: int, commits_365: int) -> float:
    if commits_90 >= 9:  # about weekly or more
        return 0.85
    if commits_90 >= 3:  # about monthly
        return 0.6
    if commits_365 >= 4:
        return 0.35
    if commits_365 >= 1:
        return 0.15
    return 0.05


def period_weight(period: float | None) -> float:
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
    # Tests and fixtures show what the code could do, not what it does;
    # examples and a framework's adapters show its users how (see ``scope``).
    judged = scope(facts.call_sites, facts.text)
    sites = judged.sites

    def own(path: str) -> bool:
        if is_test_path(path):
            return False
        if is_example_path(path) and not judged.examples_only:
            return False
        return not (judged.kind == "framework" and is_adapter_path(path))

    refs = [r for r in facts.data_refs if own(r.path)]
    # Prompts count only where something calls a model.
    prompts = [p for p in facts.prompts if own(p.path)] if sites else []
    schedules = [s for s in facts.schedules if not is_test_path(s.path)]
    config = facts.config
    llm_files = {s.path for s in sites} | {p.path for p in prompts}
    uses_llm = bool(sites)

    # -- training data and the knowledge corpus
    datasets = [d for d in facts.datasets if own(d.path)]
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
    hub = [
        Evidence(r.path, r.line, f"published dataset {r.target}") for r in refs if r.role == "hub"
    ]
    # Documents that training data is generated from are knowledge too.
    writers = {
        r.path
        for r in refs
        if r.role == "write" and (is_dataset_path(r.target) or r.target in training_files)
    }
    kn_refs = knowledge_refs(refs, llm_files | writers, training_files)
    body = corpus(kn_refs, sizes, configured=config.knowledge_paths, exclude=training_files)
    uses_llm = uses_llm or bool(training)
    # Retrieval: stores, retrievers, loaders and rerankers, embeddings that are
    # searched, agent tools that look things up, live web search, loaders of
    # live content.
    retrievers = judged.retrieves
    # Training examples that carry retrieved passages: retrieval-augmented
    # training (the model learns to answer from what is retrieved).
    augmented = [d for d in training if d.context_share >= 0.5]
    retrieval = (
        bool(retrievers)
        or bool(augmented)
        or any(r.role in {"search-tool", "remote"} for r in refs)
    )

    # -- data change
    change = Signals()
    measured = False
    monthly_change: float | None = None
    runs = 1
    training_churn: tuple[int, int, Evidence] | None = None
    knowledge_churn: tuple[int, int, Evidence] | None = None
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
                churn_weight(churn.commits_90, churn.commits_365),
                anchor_ev.path,
                anchor_ev.line,
                f"{label} ({shown}): {churn.commits_90} commit{_s(churn.commits_90)} in 90 "
                f"days, {churn.commits_365} in 365{last}",
            )
            runs = max(runs, churn.commits_365)
            measurement = (churn.commits_90, churn.commits_365, change.items[-1][1])
            if label == "training data":
                training_churn = measurement
            else:
                knowledge_churn = measurement
                if body.files:
                    monthly_change = min(1.0, churn.files_changed_90 / 3 / len(body.files))
    retrain: list[Schedule] = []
    for schedule in schedules:
        what = ", ".join(schedule.runs[:2]) or schedule.kind
        every = _every(schedule.period_days)
        if schedule.purpose in {"ingest", "retrain"}:
            change.add(
                period_weight(schedule.period_days),
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
    # Uploaded files are knowledge only when the app retrieves from them or
    # loads them as documents (a code interpreter's uploads are its data).
    retrieves_documents = bool(judged.retrieves) or any(
        r.role in {"load", "remote", "search-tool"} for r in refs
    )
    for ref in refs:
        if ref.role == "remote":
            change.add(
                LIVE_SOURCE,
                ref.path,
                ref.line,
                f"{ref.detail} loads live content {ref.target}".strip()
                if "web search" not in ref.detail
                else f"{ref.detail}: answers read the live web",
                kind="remote",
            )
        elif ref.role == "upload" and retrieves_documents:
            change.add(
                USER_UPLOADS,
                ref.path,
                ref.line,
                f"users upload documents at run time ({ref.detail})",
                kind="upload",
            )
        elif ref.role == "fetch" and ref.path in store_files:
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
            and judged.use(site) != "cache"
        ):
            upserted.add(site.path)
            change.add(
                0.45, site.path, site.line, f"updates the index in place: {site.api}", kind="upsert"
            )
    # A script that builds training data from documents says the training
    # data is knowledge; it is not change by itself (the documents' own
    # history says whether they change).
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
                regenerated.append(
                    Evidence(path, ref.line, f"builds training data {ref.target} from documents")
                )
    seen_fixed = bool(training or body.paths or hub)
    fixed = [
        *(f"training set {d.path}" for d in training),
        *(f"corpus {p}" for p in body.paths),
        *(e.detail for e in hub),
    ]
    # Code that trains a language model or retrieves works on data even when
    # the data is not in the repository (downloaded, on the Hub, in a store):
    # with nothing that refreshes it, that data is fixed too.
    if not fixed and judged.trains_llm:
        fixed.append("the training data the code prepares or downloads")
    if not fixed and retrieval:
        fixed.append("the index the code builds or opens")
    level = change_level(change.score, measured, bool(fixed))
    change_extra: dict[str, Any] = {
        "confidence": change_confidence(level, measured, len(change.items), seen_fixed)
    }
    evidence = change.evidence()
    if level == "static" and not measured:
        # A fixed set that nothing refreshes: say what and why not surer.
        anchors = (
            hub
            or [Evidence(t.path, t.line, "") for t in training]
            or list(body.evidence)
            or [Evidence(s.path, s.line, "") for s in [*judged.trains_llm[:1], *judged.retrieves]]
        )
        if anchors:
            first_fixed = anchors[0]
            evidence = (
                Evidence(
                    first_fixed.path,
                    first_fixed.line,
                    f"fixed data ({', '.join(fixed[:3])}) and nothing that refreshes it"
                    + (f"; no history to confirm ({history_note})" if history_note else ""),
                ),
                *evidence,
            )[:8]
    if level == "unknown":
        change_extra["missing"] = _missing(
            bool(training or training_files), bool(body.files), history_note
        )
    data_change = Question(level, change.score, evidence, change_extra)
    runs = min(runs, 365)

    # -- stakes (before the need: a high-stakes model is trained on facts)
    stakes = stakes_question(
        stakes_hits(_stakes_texts(facts, prompts, body, training_files, refs)),
        config.high_stakes,
        _config_evidence(facts, "high-stakes"),
    )

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
                kind="style",
            )
        elif item.style_sentences:
            behavior.add(0.15, item.path, item.line, "a style or format instruction", "style")
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
                kind="shots",
            )
        if item.syntax:
            behavior.add(0.55, item.path, item.line, f"house syntax: {', '.join(item.syntax)}")
        if heavy_instructions(item):
            heavy = True
    for dataset in training:
        facts_in_template = dataset.template_share >= 0.6 and dataset.fact_share >= 0.5
        if dataset.structured_share >= 0.5:
            behavior.add(
                0.65,
                dataset.path,
                dataset.line,
                f"{dataset.structured_share:.0%} of {dataset.examples} training answers are "
                "code, SQL, JSON, markup or labels: a format to learn",
            )
            heavy = heavy or dataset.examples >= 20
        elif dataset.template_share >= 0.6 and not facts_in_template:
            behavior.add(
                0.6,
                dataset.path,
                dataset.line,
                f"{dataset.template_share:.0%} of {dataset.examples} training answers "
                "share a template",
            )
            heavy = heavy or dataset.examples >= 20
        if facts_in_template and dataset.structured_share < 0.5:
            knowledge.add(
                0.65,
                dataset.path,
                dataset.line,
                f"{dataset.examples} training answers fill one template with varying facts "
                "(prices, dates, clauses): knowledge to retrieve",
            )
        elif dataset.fact_share >= 0.5 and dataset.structured_share < 0.5:
            knowledge.add(
                0.6,
                dataset.path,
                dataset.line,
                f"{dataset.fact_share:.0%} of {dataset.examples} training answers carry facts "
                "(numbers, dates, names, references)",
            )
    for ev in regenerated[:1]:
        knowledge.add(0.45, ev.path, ev.line, ev.detail)
    for dataset in augmented:
        knowledge.add(
            0.55,
            dataset.path,
            dataset.line,
            f"{dataset.context_share:.0%} of training prompts carry retrieved passages: "
            "the knowledge comes from retrieval",
            kind="retrieval",
        )
        behavior.add(
            0.55,
            dataset.path,
            dataset.line,
            "retrieval-augmented training: the model learns to answer from retrieved "
            "passages (and to cite them)",
            kind="training",
        )
        heavy = True
    # Training a language model teaches it a behaviour (instruction
    # following, a format, a style): more than a prompt carries. In a
    # high-stakes domain the model is also trained on the domain's facts.
    trained = judged.trains_llm
    # ... unless its training data says it is taught facts (answers full of
    # facts, or built from documents): then the training serves a knowledge need.
    facts_taught = bool(regenerated) or any(
        d.fact_share >= 0.5 and d.structured_share < 0.5 for d in training
    )
    if trained and not facts_taught:
        learner = trained[0]
        behavior.add(
            0.5,
            learner.path,
            learner.line,
            f"trains a language model ({learner.api}): it learns a behaviour",
            kind="training",
        )
        heavy = True
        if stakes.level == "high":
            domains = ", ".join(stakes.extra.get("domains", []))
            knowledge.add(
                0.5,
                learner.path,
                learner.line,
                f"a {domains} model trained on its domain: facts it must get right",
                kind="domain",
            )
    seen_files: set[str] = set()
    for site in retrievers:
        if site.path not in seen_files:
            seen_files.add(site.path)
            what = (
                f"trains a retriever or reranker: {site.api}"
                if site.capability in {"fine-tune", "training"}
                else f"{site.capability}: {site.api}"
            )
            knowledge.add(0.55, site.path, site.line, what, kind="retrieval")
    set_aside: list[Evidence] = []
    for site in sites:
        use = judged.use(site)
        if site.capability == "embedding" and use.startswith("other:"):
            set_aside.append(
                Evidence(
                    site.path,
                    site.line,
                    f"embeddings used for {use[6:]}, not to retrieve knowledge",
                )
            )
        elif use == "cache":
            set_aside.append(
                Evidence(site.path, site.line, "a response cache, not a knowledge store")
            )
        elif site.capability == "embedding" and use == "unclear":
            knowledge.add(
                UNCLEAR_EMBEDDING,
                site.path,
                site.line,
                f"embedding: {site.api} (no search seen)",
                kind="embed",
            )
    for ref in refs:
        if ref.role == "search-tool":
            knowledge.add(
                0.55, ref.path, ref.line, f"agent tool that looks things up: {ref.detail}", "tool"
            )
        elif ref.role == "remote":
            knowledge.add(0.55, ref.path, ref.line, f"loads live content: {ref.detail}", "tool")
        elif ref.role == "upload" and (retrieval or any(r.role == "load" for r in refs)):
            knowledge.add(
                0.45, ref.path, ref.line, "answers from documents users upload", kind="upload"
            )
    for prompt in prompts:
        if CONTEXT.search(prompt.text):
            knowledge.add(
                0.45, prompt.path, prompt.line, "the prompt answers from supplied context"
            )
    # An app that retrieves nothing answers from the model and its prompt.
    answering = [s for s in sites if s.capability in {"chat", "completion"}] or sites
    if answering and not retrieval and not trained and knowledge.score < 0.25:
        speaker = min(answering, key=lambda s: (s.path, s.line))
        behavior.add(
            0.3,
            speaker.path,
            speaker.line,
            "answers come from the model and its prompt alone: the prompt shapes a behaviour",
            kind="prompt-only",
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
        need_level(knowledge.score, behavior.score, heavy),
        max(knowledge.score, behavior.score),
        (*knowledge.evidence(5), *behavior.evidence(5), *set_aside[:2]),
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
    budget = budget_question(config.budget_usd, _config_evidence(facts, "budget-usd"))
    inventory_history: dict[str, dict[str, Any]] = {}
    for key, asked in [("knowledge", list(body.paths))] + [(d.path, [d.path]) for d in training]:
        churn = churn_of(asked)
        inventory_history[key] = {
            "commits_90": churn.commits_90 if churn else None,
            "commits_365": churn.commits_365 if churn else None,
            "last_change": churn.last_change if churn else None,
        }
    current = current_approach(judged, retrieval, bool(training))
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
        knowledge_churn=knowledge_churn,
        scope=judged,
        hub_datasets=hub,
        training_files=tuple(sorted(training_files)),
    )


# An embedding with no search, store or other use in sight: a hint of
# retrieval, too weak to make a knowledge need alone (0.25 leads).
UNCLEAR_EMBEDDING = 0.2
# Weights of change signals that need no history.
LIVE_SOURCE = 0.6  # a loader that re-crawls web pages, Confluence, Notion ...; web search
USER_UPLOADS = 0.6  # documents uploaded at run time: new with every session


def current_approach(judged: Scope, retrieval: bool, has_training_data: bool) -> str:
    """What the judged code does today: it trains or fine-tunes a language
    model and/or retrieves (training only a retriever, a reranker or a
    classifier is not fine-tuning an LLM)."""
    trains = bool(judged.trains_llm)
    if trains and retrieval:
        return "hybrid"
    if trains:
        return "fine-tune"
    if retrieval:
        return "rag"
    if judged.sites:
        return "prompting"
    return "fine-tune" if has_training_data else "none"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _missing(training: bool, corpus: bool, history_note: str) -> list[str]:
    """What the data-change question lacked, in words."""
    missing = []
    if not training:
        missing.append("no training data")
    if not corpus:
        missing.append("no knowledge corpus")
    missing.append("no ingestion, sync or scheduled job")
    if history_note:
        missing.append(f"no history ({history_note})")
    return missing


_METADATA_LINE = re.compile(r"^\s*(?:name|description|keywords|summary)\s*[=:]", re.IGNORECASE)


def _stakes_texts(
    facts: RepoFacts,
    prompts: Sequence[Prompt],
    body: Corpus,
    training_files: set[str],
    refs: Sequence[DataRef] = (),
) -> list[tuple[str, int, str, bool]]:
    """README, package metadata, prompts, and the names of knowledge and
    training paths, loader targets and published datasets: where a domain
    shows."""

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
    for data_ref in refs:
        if data_ref.role in {"hub", "load", "remote", "training"} and data_ref.target:
            words = re.sub(r"[_\-/.:]+", " ", data_ref.target)
            texts.append((data_ref.path, data_ref.line, words, False))
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
