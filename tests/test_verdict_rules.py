"""The verdict's decision logic, rule by rule, on hand-made inputs.

The scenario fixtures switch on several signals at once, so a single rule
could break with every scenario still green. Here each rule of the strategy
choice, each threshold of the change and need levels, each AD101 trigger and
its false-positive guard, the stakes rule and the price matching are tested
one at a time, at and just past their boundaries.
"""

from __future__ import annotations

from typing import Any

import pytest
from auditor.checks.adaptation.fine_tune_on_changing_knowledge import changes, knowledge_like

from auditor.model import CallSite, Dataset, Evidence, Profile, Question, Schedule
from auditor.verdict.assets import Corpus
from auditor.verdict.pricing import CostInputs, Pricing, estimate, money, parameter_count
from auditor.verdict.profile import (
    Analysis,
    Instructions,
    Signals,
    change_confidence,
    change_level,
    churn_weight,
    current_approach,
    heavy_instructions,
    high_stakes_domains,
    is_dataset_path,
    need_level,
    noisy_or,
    period_weight,
    stakes_hits,
)
from auditor.verdict.recommend import bare_model, choose, confidence, superseded
from auditor.verdict.scope import Scope, embedding_use, scope, training_kind

EV = Evidence("train.py", 1, "evidence")


def dataset(fact_share: float = 0.0, structured_share: float = 0.0) -> Dataset:
    return Dataset(
        "data/train.jsonl", 1, "chat", 40, 4000, 0, 50, 10, 0.0, fact_share, "train",
        structured_share,
    )  # fmt: skip


def analysis(
    *,
    need: str = "unknown",
    knowledge: float = 0.0,
    behavior: float = 0.0,
    heavy: bool = False,
    change: str = "static",
    stakes: str = "normal",
    current: str = "prompting",
    uses_llm: bool = True,
    training: list[Dataset] | None = None,
    regenerated: list[Evidence] | None = None,
    training_churn: tuple[int, int, Evidence] | None = None,
    knowledge_churn: tuple[int, int, Evidence] | None = None,
    schedules: list[Schedule] | None = None,
) -> Analysis:
    profile = Profile(
        current,
        Question(change),
        Question(need, extra={"knowledge": knowledge, "behavior": behavior}),
        Question(stakes, extra={"domains": ["legal"] if stakes == "high" else []}),
        Question("unknown", extra={"usd": None}),
    )
    return Analysis(
        profile=profile,
        corpus=Corpus(),
        training=training or [],
        training_tokens=None,
        knowledge=knowledge,
        behavior=behavior,
        heavy_behavior=heavy,
        instructions=[],
        pasted=[],
        retrieval=False,
        sources_kept=[],
        regenerated=regenerated or [],
        retrain_schedules=schedules or [],
        runs_per_year=1,
        monthly_change=None,
        history_note="",
        uses_llm=uses_llm,
        training_churn=training_churn,
        knowledge_churn=knowledge_churn,
    )


# -- the strategy choice


@pytest.mark.parametrize(
    ("inputs", "strategy", "last_reason"),
    [
        ({"uses_llm": False}, "none", "the repository makes no LLM, embedding or training call"),
        (
            {"need": "both", "knowledge": 0.6, "behavior": 0.6},
            "hybrid",
            "it needs both behaviour and knowledge",
        ),
        ({"need": "knowledge", "knowledge": 0.6}, "rag", "what it needs is knowledge"),
        (
            {"need": "behavior", "behavior": 0.6, "heavy": True},
            "fine-tune",
            "it needs a behaviour too long to resend with every call",
        ),
        (
            {"need": "behavior", "behavior": 0.6},
            "prompting",
            "the behaviour it needs fits in a short prompt",
        ),
        ({"current": "rag"}, "rag", "current approach (rag) stands"),
        ({"current": "fine-tune"}, "fine-tune", "current approach (fine-tune) stands"),
        ({"current": "hybrid"}, "hybrid", "current approach (hybrid) stands"),
        ({"current": "prompting"}, "prompting", "nothing asks"),
        ({"current": "none"}, "prompting", "nothing asks"),
    ],
)
def test_the_base_strategy_for_each_need(
    inputs: dict[str, Any], strategy: str, last_reason: str
) -> None:
    chosen, reasons = choose(analysis(**inputs))
    assert chosen == strategy
    assert last_reason in reasons[-1]
    if not last_reason.startswith(("current approach", "nothing asks")):
        assert reasons[-1] == last_reason  # the whole sentence the report prints


FINE_TUNE = {"need": "behavior", "behavior": 0.6, "heavy": True}


@pytest.mark.parametrize(
    ("change", "knowledge", "strategy"),
    [
        ("occasional", 0.25, "hybrid"),  # the override, at its knowledge threshold
        ("frequent", 0.3, "hybrid"),
        ("occasional", 0.24, "fine-tune"),  # too little knowledge to move
        ("static", 0.3, "fine-tune"),  # knowledge that does not change
        ("unknown", 0.3, "fine-tune"),
    ],
)
def test_changing_knowledge_turns_fine_tuning_into_hybrid(
    change: str, knowledge: float, strategy: str
) -> None:
    chosen, reasons = choose(analysis(**FINE_TUNE, change=change, knowledge=knowledge))
    assert chosen == strategy
    assert ("its knowledge changes" in reasons[-1]) is (strategy == "hybrid")


@pytest.mark.parametrize(
    ("inputs", "strategy"),
    [
        (FINE_TUNE, "hybrid"),  # high stakes: fine-tuning alone cites nothing
        ({"need": "behavior", "behavior": 0.6, "knowledge": 0.25}, "rag"),  # prompting -> RAG
        ({"need": "behavior", "behavior": 0.6, "knowledge": 0.24}, "prompting"),  # nothing to cite
        ({"need": "knowledge", "knowledge": 0.6}, "rag"),
        ({"need": "both", "knowledge": 0.6, "behavior": 0.6}, "hybrid"),
    ],
)
def test_high_stakes_need_retrieval_with_sources(inputs: dict[str, Any], strategy: str) -> None:
    high, reasons = choose(analysis(**inputs, stakes="high"))
    normal, _ = choose(analysis(**inputs))
    assert high == strategy
    assert ("grounded in sources" in reasons[-1]) is (high != normal)


def test_the_stakes_override_applies_after_the_change_override() -> None:
    chosen, reasons = choose(analysis(**FINE_TUNE, change="frequent", knowledge=0.3, stakes="high"))
    assert chosen == "hybrid"
    assert len(reasons) == 2  # the change turned it; stakes had nothing left to turn


@pytest.mark.parametrize(
    ("inputs", "strategy", "expected"),
    [
        ({"uses_llm": False}, "none", 0.95),
        ({"current": "rag"}, "rag", 0.4),  # unknown need: the current approach at 0.4
        ({"need": "knowledge", "knowledge": 0.8}, "rag", 0.81),  # 0.45 + 0.45 x 0.8
        ({"need": "knowledge", "knowledge": 0.8, "change": "unknown"}, "rag", 0.71),
        ({"need": "knowledge", "knowledge": 0.8, "change": "frequent"}, "rag", 0.86),
        ({"need": "behavior", "behavior": 0.6}, "fine-tune", 0.72),
        ({"need": "both", "knowledge": 0.6, "behavior": 0.4}, "hybrid", 0.63),
        ({"need": "both", "knowledge": 0.6, "behavior": 0.2}, "hybrid", 0.67),  # 0.6 x 0.8
        ({"need": "behavior", "behavior": 0.2}, "prompting", 0.81),
        ({"need": "knowledge", "knowledge": 1.0, "change": "frequent"}, "rag", 0.95),  # cap
        ({"need": "unknown"}, "prompting", 0.9),
    ],
)
def test_confidence(inputs: dict[str, Any], strategy: str, expected: float) -> None:
    assert confidence(analysis(**inputs), strategy) == expected


def test_confidence_never_falls_below_its_floor() -> None:
    low = analysis(need="knowledge", knowledge=0.0, change="unknown")
    assert confidence(low, "fine-tune") == 0.35  # 0.45 - 0.1
    assert (
        confidence(analysis(need="behavior", behavior=1.0, change="unknown"), "prompting") == 0.35
    )


# -- the change level and its weights


@pytest.mark.parametrize(
    ("score", "measured", "fixed", "level"),
    [
        (0.6, False, False, "frequent"),
        (0.5999, True, True, "occasional"),
        (0.3, False, False, "occasional"),
        (0.2999, True, False, "static"),
        (0.2999, False, True, "static"),
        (0.2999, False, False, "unknown"),
        (0.0, False, False, "unknown"),
    ],
)
def test_change_level_thresholds(score: float, measured: bool, fixed: bool, level: str) -> None:
    assert change_level(score, measured, fixed) == level


@pytest.mark.parametrize(
    ("level", "measured", "signals", "seen", "expected"),
    [
        ("unknown", True, 3, True, 0.0),
        ("static", True, 0, True, 0.9),
        ("frequent", True, 1, True, 0.9),
        ("frequent", False, 2, True, 0.8),
        ("occasional", False, 1, True, 0.7),
        ("static", False, 0, True, 0.6),
        ("static", False, 0, False, 0.5),
    ],
)
def test_change_confidence(
    level: str, measured: bool, signals: int, seen: bool, expected: float
) -> None:
    assert change_confidence(level, measured, signals, seen) == expected


@pytest.mark.parametrize(
    ("commits_90", "commits_365", "weight"),
    [
        (9, 9, 0.85),
        (8, 40, 0.6),
        (3, 3, 0.6),
        (2, 4, 0.35),
        (2, 3, 0.15),
        (0, 1, 0.15),
        (0, 0, 0.05),
    ],
)
def test_churn_weights(commits_90: int, commits_365: int, weight: float) -> None:
    assert churn_weight(commits_90, commits_365) == weight


@pytest.mark.parametrize(
    ("period", "weight"),
    [(None, 0.4), (1.0, 0.85), (7.0, 0.85), (7.01, 0.6), (31.0, 0.6), (31.5, 0.35)],
)
def test_schedule_weights(period: float | None, weight: float) -> None:
    assert period_weight(period) == weight


def test_signals_combine_as_a_noisy_or_and_repeats_count_a_tenth() -> None:
    assert noisy_or([0.5, 0.5]) == 0.75
    assert noisy_or([1.5, -1.0]) == 1.0  # clamped into [0, 1]
    signals = Signals()
    signals.add(0.5, "a.py", 1, "store", kind="retrieval")
    signals.add(0.5, "b.py", 1, "store", kind="retrieval")
    assert signals.score == 0.525  # 1 - 0.5 x 0.95
    signals.add(0.5, "c.py", 1, "other")
    assert [e.path for e in signals.evidence(2)] == ["a.py", "c.py"]


# -- the need level


@pytest.mark.parametrize(
    ("knowledge", "behavior", "strong", "level"),
    [
        (0.5, 0.5, True, "both"),
        (0.5, 0.5, False, "knowledge"),  # a short behaviour rides along with the knowledge
        (0.49, 0.5, True, "behavior"),
        (0.5, 0.49, True, "knowledge"),
        (0.25, 0.25, False, "knowledge"),  # a weak knowledge need leads a tie
        (0.24, 0.1, False, "behavior"),
        (0.3, 0.4, False, "behavior"),
        (0.24, 0.0, False, "unknown"),
        (0.0, 0.0, True, "unknown"),
    ],
)
def test_need_level(knowledge: float, behavior: float, strong: bool, level: str) -> None:
    assert need_level(knowledge, behavior, strong) == level


@pytest.mark.parametrize(
    ("tokens", "style", "shots", "syntax", "heavy"),
    [
        (1858, 0, 4, (), False),  # a few-shot prompt: what prompting is for
        (1858, 0, 5, (), False),  # five examples: still the guides' few-shot range
        (1858, 0, 6, (), True),  # more examples than few-shot prompting uses
        (399, 0, 8, (), False),  # many examples, but short ones: they fit
        (400, 0, 6, (), True),
        (400, 3, 0, (), True),  # a voice laid down in rules, and long
        (400, 2, 0, (), False),
        (399, 6, 3, (), False),  # rules and examples, but short
        (50, 0, 0, ("bigquery",), True),  # a house syntax, however short
    ],
)
def test_instructions_heavy_enough_to_fine_tune(
    tokens: int, style: int, shots: int, syntax: tuple[str, ...], heavy: bool
) -> None:
    item = Instructions("app.py", 1, tokens, style, style * 10, shots, syntax)
    assert heavy_instructions(item) is heavy


def test_the_levels_default_to_a_weak_behaviour_and_data_that_is_not_fixed() -> None:
    assert need_level(0.5, 0.5) == "knowledge"
    assert change_level(0.1, False) == "unknown"


@pytest.mark.parametrize(
    ("path", "dataset"),
    [
        ("data/train.jsonl", True),
        ("data/events.ndjson", True),
        ("data/support.train.json", True),
        ("data/support_train.json", True),
        ("data/support.json", False),
        ("data/train.csv", False),
        ("data/trainjsonl", False),
    ],
)
def test_what_names_a_dataset_file(path: str, dataset: bool) -> None:
    assert is_dataset_path(path) is dataset


# -- AD101's triggers, one at a time, and its guard


SCHEDULE = Schedule(".github/workflows/retrain.yml", 4, "workflow", "0 4 * * 1", 7.0, (), "retrain")


@pytest.mark.parametrize(
    ("inputs", "triggers"),
    [
        ({"training_churn": (3, 3, EV)}, 1),  # the training data's churn alone
        ({"training_churn": (2, 12, EV)}, 0),
        ({"knowledge_churn": (3, 3, EV), "regenerated": [EV]}, 1),  # the source documents'
        ({"knowledge_churn": (3, 3, EV)}, 0),  # documents not turned into training data
        ({"knowledge_churn": (2, 9, EV), "regenerated": [EV]}, 0),
        ({"schedules": [SCHEDULE]}, 1),  # retraining on a schedule alone
        ({"regenerated": [EV]}, 0),  # a build script is not change
        ({}, 0),
    ],
)
def test_ad101_triggers_one_at_a_time(inputs: dict[str, Any], triggers: int) -> None:
    assert len(changes(analysis(**inputs))) == triggers


@pytest.mark.parametrize(
    ("inputs", "knowledge"),
    [
        ({"regenerated": [EV]}, True),
        ({"training": [dataset(fact_share=0.5)]}, True),
        ({"training": [dataset(fact_share=0.5, structured_share=0.5)]}, False),  # SQL with dates
        ({"training": [dataset(fact_share=0.49)]}, False),
        ({"need": "knowledge"}, True),
        ({"need": "both"}, True),
        ({"need": "behavior"}, False),
        ({}, False),
    ],
)
def test_ad101_guard_needs_knowledge(inputs: dict[str, Any], knowledge: bool) -> None:
    assert knowledge_like(analysis(**inputs)) is knowledge


# -- stakes


def _hits(*items: tuple[str, int, str, bool]) -> list[str]:
    return high_stakes_domains(stakes_hits(items))


def test_one_stray_word_never_decides_the_stakes() -> None:
    assert _hits(("README.md", 3, "Not legal advice.", False)) == []
    # one strong line is two points, one line: not enough however strong
    assert _hits(("README.md", 3, "Answers about SEC filings and 10-K reports.", False)) == []
    assert _hits(("a.py", 3, "Summarise this 10-K filing.", True)) == []  # 3 points, one line


@pytest.mark.parametrize(
    ("items", "domains"),
    [
        ([("R.md", 1, "SEC filings", False), ("R.md", 2, "earnings calls", False)], ["financial"]),
        ([("a.py", 1, "the 10-K", True), ("README.md", 2, "credit", False)], ["financial"]),
        ([("README.md", 1, "credit", False), ("README.md", 2, "loans", False)], []),  # weak x2 = 2
        ([("R.md", n, w, False) for n, w in enumerate(["credit", "loans", "tax", "banking"])],
         ["financial"]),
        ([("a.py", 1, "clinical notes", True), ("README.md", 1, "patients", False)], ["medical"]),
        ([("README.md", 1, "case law", False), ("README.md", 2, "statutes", False)], ["legal"]),
        ([("README.md", 1, "10k patients", False), ("README.md", 2, "10k users", False)], []),
    ],
)  # fmt: skip
def test_stakes_from_domain_terms(
    items: list[tuple[str, int, str, bool]], domains: list[str]
) -> None:
    assert _hits(*items) == domains


# -- what the project itself runs


def site(
    path: str, capability: str, provider: str = "openai", api: str = "x.y", **kw: Any
) -> CallSite:
    return CallSite(path, 1, 1, 1, 2, provider, capability, api, **kw)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "from trl import SFTTrainer\nfrom sentence_transformers import SentenceTransformer",
            "llm",
        ),
        ("from sentence_transformers import SentenceTransformer, losses", "retriever"),
        (
            "model = AutoModelForSequenceClassification.from_pretrained(x, num_labels=3)",
            "classifier",
        ),
        ("trainer = Trainer(model=model)", "llm"),  # nothing says otherwise
        # an LM head imported and never used: the contriever the loop trains decides
        (
            "from transformers import AutoModel, BertLMHeadModel\n"
            "encoder = AutoModel.from_pretrained('facebook/contriever-msmarco')\n"
            "loss.backward()",
            "retriever",
        ),
        # a dual encoder, one tower a side, says retriever too
        (
            "from transformers import AutoModel, AutoModelWithLMHead\n"
            "self.question_encoder = AutoModel.from_pretrained(path)\n"
            "self.passage_encoder = AutoModel.from_pretrained(path)",
            "retriever",
        ),
        # ... but a language model the file builds still wins
        (
            "from transformers import AutoModelForCausalLM\n"
            "lm = AutoModelForCausalLM.from_pretrained(base)\n"
            "self.query_encoder = AutoModel.from_pretrained(path)",
            "llm",
        ),
    ],
)
def test_what_a_training_call_trains(text: str, kind: str) -> None:
    assert training_kind(site("t.py", "training", "huggingface"), text) == kind
    assert training_kind(site("t.py", "fine-tune"), text) == "llm"  # a hosted job: an LLM


@pytest.mark.parametrize(
    ("text", "use"),
    [
        ("index.search(vector, k)", "retrieval"),
        ("labels = KMeans(8).fit_predict(vectors)", "other:clustering"),
        ("clf = LogisticRegression().fit(vectors, y)", "other:classification"),
        ("near_duplicates = pairs(vectors)", "other:deduplication"),
        ("return router.pick(vector)", "other:routing"),
        ("score = bert_score(a, b)", "other:evaluation"),
        ("vectors = embed(texts)", "unclear"),
    ],
)
def test_what_an_embedding_is_for(text: str, use: str) -> None:
    assert embedding_use(text) == use


def test_an_evaluator_call_is_evaluation_whatever_its_file_retrieves() -> None:
    """Issue 11: embeddings for evaluation metrics are not a knowledge need;
    an information-retrieval evaluator of a fine-tuned embedding model
    measures it, in a notebook full of retrieval words."""
    text = "evaluator = InformationRetrievalEvaluator(queries, corpus, top_k=10)\nevaluator(model)"
    api = "sentence_transformers.evaluation.InformationRetrievalEvaluator"
    assert embedding_use(text) == "retrieval"  # the file alone says retrieval
    assert embedding_use(text, api) == "other:evaluation"
    assert embedding_use(text, "sentence_transformers.SentenceTransformer.encode") == "retrieval"
    judged = scope([site("nb.py", "embedding", "huggingface", api)], lambda p: text)
    assert judged.retrieves == []


def test_a_framework_needs_many_providers_mostly_in_adapters() -> None:
    providers = ["openai", "anthropic", "mistral", "cohere", "chroma", "qdrant"]
    adapters = [site(f"pkg/integrations/{p}.py", "chat", p) for p in providers]
    core = [site("pkg/core.py", "chat")]
    found = scope([*adapters, *core], lambda path: "")
    assert (found.kind, found.adapters, [s.path for s in found.sites]) == (
        "framework",
        6,
        ["pkg/core.py"],
    )
    # five providers: an application with backends
    assert scope([*adapters[:5], *core], lambda path: "").kind == "application"
    # adapters less than half of the calls: an application
    assert scope([*adapters, *core * 7], lambda path: "").kind == "application"


def test_examples_count_only_when_nothing_else_calls_a_model() -> None:
    example = site("examples/demo.py", "chat")
    assert [s.path for s in scope([example, site("app.py", "chat")], lambda p: "").sites] == [
        "app.py"
    ]
    tutorial = scope([example], lambda p: "")
    assert tutorial.examples_only and [s.path for s in tutorial.sites] == ["examples/demo.py"]
    assert scope([site("tests/test_a.py", "chat")], lambda p: "").sites == []


@pytest.mark.parametrize(
    ("capabilities", "approach"),
    [
        (["fine-tune", "retriever"], "hybrid"),
        (["fine-tune"], "fine-tune"),
        (["retriever"], "rag"),
        (["chat"], "prompting"),
        ([], "none"),
    ],
)
def test_current_approach(capabilities: list[str], approach: str) -> None:
    judged = scope([site("a.py", c) for c in capabilities], lambda p: "")
    assert current_approach(judged, bool(judged.retrieves), False) == approach
    assert current_approach(Scope([]), False, True) == "fine-tune"  # a training set, no code


# -- prices


def test_models_are_matched_at_a_name_part_and_by_size() -> None:
    pricing = Pricing.load({})
    assert (
        pricing.match("inference", "anthropic/claude-3-5-haiku-20241022")[0] == "claude-3-5-haiku"
    )
    assert pricing.match("inference", "ft:gpt-4o-mini-2024-07-18:org::x")[0] == "gpt-4o-mini"
    assert pricing.match("inference", "llama3.1:8b")[0] == "open-weights-small"
    assert (
        pricing.match("inference", "meta-llama/Llama-3.3-70B-Instruct")[0] == "open-weights-large"
    )
    assert pricing.match("fine-tune", "Qwen2.5-72B")[0] == "open-weights-70b-lora"
    assert pricing.match("inference", "mygpt-4o")[0] is None  # not at a part's start
    assert pricing.match("inference", "text-embedding-3-small")[0] is None
    assert parameter_count("mixtral-8x7b") == 56
    assert parameter_count("gpt-4o") is None


def test_model_names_lose_their_prefix_and_fine_tuned_suffix() -> None:
    assert bare_model("openai/gpt-4o") == "gpt-4o"
    assert bare_model("ft:gpt-4o-mini-2024-07-18:org::abc") == "gpt-4o-mini-2024-07-18"
    assert superseded("text-embedding-ada-002") and not superseded("text-embedding-3-small")


@pytest.mark.parametrize(
    ("model", "inference", "fine_tune"),
    [
        # Each family the SDK table knows, named as its SDK or a hosted API names it.
        ("gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4.1-mini", "gpt-4.1-mini", "gpt-4.1-mini"),
        ("o3-mini", "o-series", "gpt-4o"),
        ("claude-3-5-sonnet-20241022", "claude-sonnet", "claude-3-haiku-bedrock"),
        ("claude-haiku-4-5", "claude-haiku-4-5", "claude-3-haiku-bedrock"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku", "claude-3-haiku-bedrock"),
        ("gemini-1.5-flash", "gemini-2-0-flash", "gemini-2-0-flash-vertex"),
        ("models/gemini-2.5-pro", "gemini-2-5-pro", "gemini-2-5-pro-vertex"),
        ("mistral-large-latest", "mistral-large", "mistral-large-api"),
        ("open-mistral-nemo", "mistral-small", "mistral-small-api"),
        ("command-r-plus", "cohere-command-r-plus", "cohere-command-r"),
        ("command-r", "cohere-command-r", "cohere-command-r"),
        ("llama-3.3-70b-versatile", "groq-llama-70b", "open-weights-70b-lora"),  # Groq
        ("llama-3.1-8b-instant", "groq-llama-8b", "open-weights-8b-lora"),
        (  # Together
            "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
            "open-weights-small",
            "open-weights-8b-lora",
        ),
        (  # Fireworks
            "accounts/fireworks/models/llama-v3p1-70b-instruct",
            "open-weights-large",
            "open-weights-70b-lora",
        ),
        ("meta.llama3-70b-instruct-v1:0", "bedrock-llama-70b", "open-weights-70b-lora"),
        ("mixtral-8x7b-32768", "open-weights-large", "open-weights-70b-lora"),  # 56B
        ("amazon.titan-text-express-v1", "bedrock-titan-text", None),  # no offer priced
    ],
)
def test_each_family_has_an_inference_price_and_its_fine_tuning_offer(
    model: str, inference: str, fine_tune: str | None
) -> None:
    pricing = Pricing.load({})
    assert pricing.match("inference", model)[0] == inference
    assert pricing.match("fine-tune", model)[0] == fine_tune


@pytest.mark.parametrize(
    ("model", "entry"),
    [
        ("text-embedding-3-small", "text-embedding-3-small"),
        ("embed-english-v3.0", "cohere-embed-v3"),
        ("mistral-embed", "mistral-embed"),
        ("models/text-embedding-004", "google-text-embedding"),
        ("amazon.titan-embed-text-v2:0", "bedrock-titan-embed"),
        ("BAAI/bge-small-en-v1.5", "open-weights-embedding"),
        ("sentence-transformers/all-MiniLM-L6-v2", "open-weights-embedding"),
    ],
)
def test_each_family_has_an_embedding_price(model: str, entry: str) -> None:
    assert Pricing.load({}).match("embedding", model)[0] == entry


def test_every_price_is_dated_and_sourced() -> None:
    table = Pricing.load({}).table
    for kind in ("inference", "fine-tune", "training-gpu", "embedding", "vector-store"):
        for name, entry in table[kind].items():
            assert str(entry.get("date", "")).startswith("20"), (kind, name)
            prices = [v for v in entry.values() if isinstance(v, (int, float))]
            if any(prices):  # a store on your own machines costs nothing to cite
                assert str(entry.get("source", "")).startswith("https://"), (kind, name)


def test_a_model_without_a_fine_tuning_offer_is_priced_on_the_default_and_says_so() -> None:
    inputs = CostInputs(
        training_tokens=None,
        corpus_tokens=0,
        instruction_tokens_per_call=0,
        pasted_tokens_per_call=0,
        runs_per_year=1,
        monthly_change=None,
        chat_model="amazon.titan-text-express-v1",
    )
    costs = estimate(Pricing.load({}), inputs)
    assert costs["fine_tune"]["base_model"] == "gpt-4o-mini"
    assert any(
        "amazon.titan-text-express-v1 has no fine-tuning offer here: fine-tuning priced as "
        "gpt-4o-mini" in a
        for a in costs["assumptions"]
    )


def test_money_never_shows_a_positive_amount_as_zero() -> None:
    assert money(0.004) == "under $0.01"
    assert (money(0.0), money(0.005), money(99.994), money(1234.5)) == (
        "$0.00",
        "$0.01",
        "$99.99",
        "$1,234",
    )


def test_a_training_set_too_small_to_price_is_priced_from_a_stated_assumption() -> None:
    pricing = Pricing.load({})
    inputs = CostInputs(3000, 0, 0, 0, 1, None, training_examples=19, chat_model="gpt-4o")
    costs = estimate(pricing, inputs)
    assert costs["fine_tune"]["training_tokens"] == 500 * 157  # 3000 // 19 tokens an example
    assert costs["fine_tune"]["training_tokens_assumed"] is True
    assert costs["rag"]["corpus_tokens"] == 500_000 and costs["rag"]["corpus_tokens_assumed"]
    inputs.training_examples = 20
    assert estimate(pricing, inputs)["fine_tune"]["training_tokens"] == 3000


@pytest.mark.parametrize(
    ("trained", "kind"),
    [
        ("embedding-model", "retriever"),
        ("reranker", "retriever"),
        ("classifier", "classifier"),
        ("llm", "llm"),
        (None, "retriever"),  # no answer from the inventory: the file decides
    ],
)
def test_the_inventory_can_say_what_a_training_call_trains(trained: str | None, kind: str) -> None:
    """When call sites say what they train (the inventory's ``trained``, in its
    own words), that wins over reading the file."""
    from dataclasses import replace

    site = CallSite("t.py", 1, 1, 1, 2, "huggingface", "training", "x.y")
    found = replace(site, trained=trained)
    assert training_kind(found, "from sentence_transformers import SentenceTransformer") == kind


def test_superseded_models_match_exactly_or_by_a_starred_prefix() -> None:
    assert superseded("text-search-ada-doc-001")  # "text-search-*"
    assert superseded("gpt-3.5-turbo-0613") and not superseded("gpt-3.5-turbo-0125")
    assert superseded("davinci") and not superseded("davinci-002")  # exact, not a prefix


def test_a_response_cache_is_not_a_knowledge_store() -> None:
    cache_text = (
        "from langchain.globals import set_llm_cache\nset_llm_cache(RedisSemanticCache(url))"
    )
    store = site("app/cache.py", "vector-store", "redis")
    embedder = site("app/cache.py", "embedding")
    judged = scope([store, embedder, site("app/chat.py", "chat")], lambda p: cache_text)
    assert (judged.use(store), judged.use(embedder)) == ("cache", "cache")
    assert judged.retrieves == []
    assert current_approach(judged, False, False) == "prompting"
    # the same calls without the cache are retrieval
    plain = scope([store, embedder], lambda p: "store.add_documents(docs)")
    assert plain.retrieves == [store, embedder]


def test_a_whole_repository_finding_prefers_the_job_to_its_upload() -> None:
    from auditor.verdict.profile import anchor

    class Facts:
        def __init__(self, sites: list[CallSite]) -> None:
            self.call_sites = sites

    upload = site("ft.py", "fine-tune", api="openai.OpenAI.files.create")
    job = CallSite(
        "ft.py", 9, 1, 9, 2, "openai", "fine-tune", "openai.OpenAI.fine_tuning.jobs.create"
    )
    assert anchor(Facts([upload, job]), "fine-tune") is job  # type: ignore[arg-type]
    assert anchor(Facts([upload]), "fine-tune") is upload  # type: ignore[arg-type]
    assert anchor(Facts([upload]), "chat", "fine-tune") is upload  # type: ignore[arg-type]
    assert anchor(Facts([]), "fine-tune") is None  # type: ignore[arg-type]


def test_a_retraining_schedule_is_named_where_it_is() -> None:
    (reason,) = changes(analysis(schedules=[SCHEDULE]))
    assert reason == Evidence(
        ".github/workflows/retrain.yml", 4, "retrains on a schedule (workflow 0 4 * * 1)"
    )
    unnamed = Schedule("crontab", 2, "cron", None, 1.0, (), "retrain")
    assert changes(analysis(schedules=[unnamed]))[0].detail == "retrains on a schedule (cron)"
