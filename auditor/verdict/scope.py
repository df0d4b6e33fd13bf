"""What the project itself runs: the call sites the verdict judges, and what
each one is for.

An expert reading a repository looks past what the code *could* do. Tests,
fixtures and examples show a library's users how to call it; the adapters of
an LLM framework (one module per provider or vector store) are there for its
users too, and say nothing about a decision this project has to make. Among
the calls that remain, not every embedding is retrieval (clustering, routing,
deduplication and evaluation metrics embed text too) and not every training
run teaches a language model a behaviour (training a retriever, a reranker or
a classifier is part of retrieval or of something else).

Everything here is a pure function of the facts and, for the few files that
hold an embedding or a training call, their text: fast and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from auditor.model import CallSite, Evidence

_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|testing|__tests__|fixtures)/|(?:^|/)(?:test_[^/]*|[^/]*_test\.py|conftest\.py)$"
)
# Examples, demos, cookbooks and documentation snippets: how to use the
# project, not what it runs (unless nothing else calls a model: a tutorial
# repository *is* its examples).
_EXAMPLE_PATH = re.compile(
    r"(?:^|/)(?:examples?|samples?|demos?|cookbooks?|recipes_examples|tutorials?|docs?|"
    r"documentation|playground|sandbox|scratch)/"
)
# Folders that hold one module per provider or store in a framework.
_ADAPTER_PATH = re.compile(
    r"(?:^|/)(?:integrations?|adapters?|providers?|connectors?|plugins?|vectorstores?|"
    r"vector_stores?|document_stores?|docstores?|llms|chat_models|embeddings|retrievers|"
    r"contrib|partners|third_party)/"
)
# A framework offers many providers: fewer than this many distinct ones is an
# application that supports a few backends.
FRAMEWORK_PROVIDERS = 6
# ... and most of its calls sit in adapter modules.
FRAMEWORK_ADAPTER_SHARE = 0.5

ANSWERING = frozenset({"chat", "completion"})
TRAINING = frozenset({"fine-tune", "training"})
RETRIEVAL = frozenset({"vector-store", "retriever", "document-loader", "rerank"})

# What an embedding is for, read from the file that computes it.
_NEAREST = re.compile(
    r"\b(?:similarity_search\w*|most_similar|nearest\w*|knn\w*|top_?k|argsort|argpartition|"
    r"faiss|hnswlib|annoy|retriev\w*|semantic_search|vector_?store|vectordb|upsert|"
    r"add_documents|index\.search|cosine_similarity\(\s*query)\b",
    re.IGNORECASE,
)
_NOT_RETRIEVAL = re.compile(
    r"\b(?:KMeans|MiniBatchKMeans|DBSCAN|HDBSCAN|AgglomerativeClustering|SpectralClustering|"
    r"cluster(?:s|ing|ed)?|LogisticRegression|SVC|RandomForest\w*|classif(?:y|ier|ication)|"
    r"dedup\w*|de-dup\w*|near[-_ ]duplicates?|duplicates?|router|routing|route_to|"
    r"semantic_router|bert_?score|BERTScore|answer_similarity|semantic_similarity|"
    r"evaluat\w*|metrics?|UMAP|TSNE|PCA|anomal\w*|outliers?)\b",
)
# An embedding call whose API is an evaluation (a module or a class).
_EVALUATOR = re.compile(r"(?i:evaluat)")
_CACHE = re.compile(
    r"\b(?:SemanticCache|GPTCache|gptcache|set_llm_cache|semantic_cache|response_cache|"
    r"RedisSemanticCache|llm_cache)\b"
)
# What a training call trains, read from its file (when the inventory does
# not say).
_LLM_TRAINING = re.compile(
    r"\b(?:AutoModelForCausalLM|\w+ForCausalLM|AutoModelForSeq2SeqLM|\w+ForConditionalGeneration|"
    r"\w+LMHeadModel|SFTTrainer|DPOTrainer|ORPOTrainer|KTOTrainer|PPOTrainer|GRPOTrainer|"
    r"RewardTrainer|LoraConfig|get_peft_model|prepare_model_for_kbit_training|"
    r"FastLanguageModel|axolotl|llama|mistral|qwen|gemma|falcon|alpaca|vicuna|gpt2|"
    r"opt-\d|bloom|phi-?\d|t5|flan)\b",
    re.IGNORECASE,
)
_RETRIEVER_TRAINING = re.compile(
    r"\b(?:SentenceTransformer\w*|CrossEncoder|MultipleNegativesRankingLoss|"
    r"ContrastiveLoss|TripletLoss|CosineSimilarityLoss|MarginMSELoss|DPR\w*Encoder|"
    r"(?i:contriever|colbert|bi_?encoder|dense_retriever|reranker)|SetFit\w*|"
    # a dual encoder: one tower for the question, one for the passage
    r"(?:query|question|passage|reference|context|ctx|doc(?:ument)?)_encoder)\b"
)
# An import line names what a file *could* build; research code often keeps
# imports it never uses (``BertLMHeadModel`` next to a retriever's training
# loop). What the rest of the file names decides; the imports only when the
# rest says nothing.
_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import[ \t].*$", re.MULTILINE)
_CLASSIFIER_TRAINING = re.compile(
    r"\b(?:\w+ForSequenceClassification|\w+ForTokenClassification|"
    r"\w+ForMultipleChoice|num_labels)\b"
)


def is_test_path(path: str) -> bool:
    """Tests and their fixtures: not what the product does."""
    return bool(_TEST_PATH.search(path))


def is_example_path(path: str) -> bool:
    return bool(_EXAMPLE_PATH.search(path))


def is_adapter_path(path: str) -> bool:
    return bool(_ADAPTER_PATH.search(path))


def training_kind(site: CallSite, text: str) -> str:
    """``llm`` (a language model learns a behaviour), ``retriever`` (an
    embedding model or a reranker) or ``classifier``. An API fine-tuning job
    always trains a language model; a local training call is read from its
    file, and a file that names a language model wins (names on import lines
    count only when the rest of the file names none of the three)."""
    trained = getattr(site, "trained", None)
    if isinstance(trained, str) and trained:
        if trained in {"embedding-model", "reranker"}:  # the inventory's words
            return "retriever"
        return "classifier" if trained == "classifier" else "llm"
    if site.capability == "fine-tune" or site.fine_tuned:
        return "llm"
    api = site.api
    if _RETRIEVER_TRAINING.search(api):
        return "retriever"
    body = _IMPORT_LINE.sub("", text)
    imports = "\n".join(m.group(0) for m in _IMPORT_LINE.finditer(text))
    for words in (body, imports):
        if _LLM_TRAINING.search(words):
            return "llm"
        if _RETRIEVER_TRAINING.search(words):
            return "retriever"
        if _CLASSIFIER_TRAINING.search(words):
            return "classifier"
    return "llm"


def embedding_use(text: str, api: str = "") -> str:
    """What a file's embeddings are for: ``retrieval`` (nearest neighbours
    searched, a store or index filled), ``other`` (clustering,
    classification, deduplication, routing, evaluation) or ``unclear``.
    A call that is itself an evaluator (``InformationRetrievalEvaluator``,
    ``ragas.evaluate``) measures a model, whatever the file around it
    retrieves: evaluation."""
    if _EVALUATOR.search(api):
        return "other:evaluation"
    if _NEAREST.search(text):
        return "retrieval"
    found = _NOT_RETRIEVAL.search(text)
    return f"other:{_purpose(found.group(0))}" if found else "unclear"


_PURPOSES = (
    ("clustering", ("kmeans", "dbscan", "cluster", "spectral", "agglomerative")),
    ("classification", ("classif", "logisticregression", "svc", "randomforest")),
    ("deduplication", ("dedup", "de-dup", "duplicate")),
    ("routing", ("rout",)),
    ("anomaly detection", ("anomal", "outlier")),
    ("visualisation", ("umap", "tsne", "pca")),
)


def _purpose(word: str) -> str:
    """The use a non-retrieval word names: ``KMeans`` is clustering."""
    lowered = word.lower()
    for purpose, stems in _PURPOSES:
        if any(stem in lowered for stem in stems):
            return purpose
    return "evaluation"


def is_cache(text: str) -> bool:
    return bool(_CACHE.search(text))


@dataclass
class Scope:
    """The call sites the verdict judges, and what was set aside and why."""

    sites: list[CallSite]
    kind: str = "application"  # application | framework
    adapters: int = 0
    adapter_providers: tuple[str, ...] = ()
    examples_only: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    # Per site (by identity): retrieval, other:<word>, unclear, cache; and
    # llm/retriever/classifier for training calls.
    uses: dict[int, str] = field(default_factory=dict)

    def use(self, site: CallSite) -> str:
        return self.uses.get(id(site), "")

    @property
    def retrieves(self) -> list[CallSite]:
        """Calls that fetch knowledge for the model: stores, retrievers,
        loaders, rerankers, embeddings searched as neighbours, and training
        of a retriever or a reranker when no language model is trained (next
        to an LLM's training it is one more model trained, not retrieval for
        generation)."""
        out: list[CallSite] = []
        llm = bool(self.trains_llm)
        for site in self.sites:
            use = self.use(site)
            if (
                (site.capability in RETRIEVAL and use != "cache")
                or (site.capability == "embedding" and use == "retrieval")
                or (site.capability in TRAINING and use == "retriever" and not llm)
            ):
                out.append(site)
        return out

    @property
    def trains_llm(self) -> list[CallSite]:
        """Calls that train or fine-tune a language model: training runs and
        jobs first, then file uploads for a job, then calls to a fine-tuned
        model (each group in file order)."""
        found = [
            s
            for s in self.sites
            if (s.capability in TRAINING and self.use(s) == "llm")
            or (s.fine_tuned and s.capability in ANSWERING)
        ]

        def rank(site: CallSite) -> tuple[int, str, int]:
            group = 2 if site.capability in ANSWERING else int(site.api.endswith("files.create"))
            return (group, site.path, site.line)

        return sorted(found, key=rank)


def scope(sites: Sequence[CallSite], text: Callable[[str], str | None]) -> Scope:
    """The judged call sites of a repository: tests left out; examples left
    out unless nothing else calls a model; a framework's adapters left out."""
    product = [s for s in sites if not is_test_path(s.path)]
    main = [s for s in product if not is_example_path(s.path)]
    examples_only = bool(product) and not main
    chosen = main or product
    evidence: list[Evidence] = []
    kind = "application"
    providers = {s.provider for s in chosen}
    adapters = [s for s in chosen if is_adapter_path(s.path)]
    adapter_share = len(adapters) / len(chosen) if chosen else 0.0
    adapter_providers = tuple(sorted({s.provider for s in adapters}))
    if len(providers) >= FRAMEWORK_PROVIDERS and adapter_share >= FRAMEWORK_ADAPTER_SHARE:
        kind = "framework"
        first = min(adapters, key=lambda s: (s.path, s.line))
        evidence.append(
            Evidence(
                first.path,
                first.line,
                f"a framework: {len(adapters)} calls in adapter modules for "
                f"{len(adapter_providers)} providers and stores ({', '.join(adapter_providers[:6])}"
                f"{' ...' if len(adapter_providers) > 6 else ''}); they are for its users",
            )
        )
        chosen = [s for s in chosen if not is_adapter_path(s.path)]
    result = Scope(
        chosen,
        kind,
        len(adapters) if kind == "framework" else 0,
        adapter_providers if kind == "framework" else (),
        examples_only,
        evidence,
    )
    texts: dict[str, str] = {}

    def read(path: str) -> str:
        if path not in texts:
            texts[path] = text(path) or ""
        return texts[path]

    for site in chosen:
        if site.capability in TRAINING or site.fine_tuned:
            result.uses[id(site)] = training_kind(site, read(site.path))
        elif site.capability == "embedding":
            body = read(site.path)
            use = embedding_use(body, site.api)
            result.uses[id(site)] = "cache" if use == "unclear" and is_cache(body) else use
        elif site.capability == "vector-store" and is_cache(read(site.path)):
            result.uses[id(site)] = "cache"
    # Next to a store, a retriever or a loader, an embedding whose file says
    # nothing else is part of that retrieval (a helper module that embeds).
    if any(s.capability in RETRIEVAL and result.use(s) != "cache" for s in chosen):
        for site in chosen:
            if site.capability == "embedding" and result.use(site) == "unclear":
                result.uses[id(site)] = "retrieval"
    return result
