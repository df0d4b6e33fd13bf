"""Inventory reach (issue 10): the call sites real repositories hide, on one
fixture repository per class, through the whole scan (so names are followed
across modules as in a real run).

Each expected tuple is (path, line, provider, capability, model) and was
worked out by reading the fixture, then confirmed with the scanner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ScanJson

from auditor.config import Config
from auditor.discover import discover
from auditor.engine import Options, _analyse_all

Site = tuple[str, int, str, str, "str | None"]


def _sites(report: dict[str, Any]) -> list[Site]:
    return sorted(
        (c["path"], c["line"], c["provider"], c["capability"], c["model"])
        for c in report["inventory"]["call_sites"]
    )


def _field(report: dict[str, Any], name: str) -> dict[tuple[str, int], Any]:
    return {
        (c["path"], c["line"]): c[name]
        for c in report["inventory"]["call_sites"]
        if c[name] is not None
    }


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """One scan of each fixture, shared by the tests below."""
    import json

    from auditor.cli import main

    found: dict[str, dict[str, Any]] = {}
    for name in FIXTURES_UNDER_TEST:
        out = tmp_path_factory.mktemp("reports") / f"{name}.json"
        args = ["scan", str(FIXTURES / name), "--format", "json", "--no-cache", "--offline"]
        code = main([*args, "--exit-zero", "--output", str(out)])
        assert code == 0
        found[name] = json.loads(out.read_text("utf-8"))
    return found


FIXTURES_UNDER_TEST = (
    "http-llm-client",
    "self-hosted-chat",
    "helpdesk-modules",
    "shell-assistant",
    "framework-eras",
    "research-assistant",
    "retriever-training-lab",
    "sft-recipes",
    "symptom-checker",
)


def test_every_fixture_scans_without_errors(reports: dict[str, dict[str, Any]]) -> None:
    assert {name: r["errors"] for name, r in reports.items() if r["errors"]} == {}


# ----------------------------------------------------- 2. LLM APIs over HTTP


def test_llm_apis_called_over_plain_http(reports: dict[str, dict[str, Any]]) -> None:
    """requests, httpx (sync and async), aiohttp and urllib to OpenAI, Anthropic,
    Gemini, Azure OpenAI and Ollama: URLs from constants (another module's
    too), f-strings, concatenations and getenv defaults; the model from the JSON
    body (or the URL: Gemini's model, Azure's deployment). Listing models
    (openai_http.py:47) is no call site."""
    report = reports["http-llm-client"]
    assert _sites(report) == [
        ("relay/local.py", 20, "ollama", "completion", "llama3.1"),
        ("relay/local.py", 25, "ollama", "chat", "llama3.1"),
        ("relay/local.py", 32, "ollama", "embedding", "nomic-embed-text"),
        ("relay/local.py", 40, "ollama", "completion", "qwen2.5:7b"),
        ("relay/openai_http.py", 20, "openai", "chat", "gpt-4o-mini"),
        ("relay/openai_http.py", 28, "openai", "embedding", "text-embedding-3-small"),
        ("relay/openai_http.py", 39, "openai", "fine-tune", "gpt-4o-mini-2024-07-18"),
        ("relay/vendors.py", 15, "anthropic", "chat", "claude-3-5-haiku-20241022"),
        ("relay/vendors.py", 34, "google", "chat", "gemini-1.5-flash"),
        ("relay/vendors.py", 42, "azure-openai", "chat", "gpt-4o-support"),
    ]
    hosts = _field(report, "host")
    assert hosts[("relay/vendors.py", 42)] == "acme-support.openai.azure.com"
    assert hosts[("relay/local.py", 40)] == "localhost:11434"
    assert _field(report, "trained") == {("relay/openai_http.py", 39): "llm"}


# -------------------------------------------- 3. OpenAI-compatible clients


def test_openai_compatible_clients_take_the_provider_of_their_host(
    reports: dict[str, dict[str, Any]],
) -> None:
    """OpenAI/AsyncOpenAI, ChatOpenAI, OpenAIEmbeddings and LlamaIndex's
    OpenAILike with a base URL: Groq and Ollama by their hosts, vLLM, LM Studio
    and DeepSeek as openai-compatible with the host kept; a base URL that is
    only a setting (clients.py:9) stays openai."""
    report = reports["self-hosted-chat"]
    assert _sites(report) == [
        ("chatops/clients.py", 21, "groq", "chat", "llama-3.1-8b-instant"),
        (
            "chatops/clients.py",
            29,
            "openai-compatible",
            "chat",
            "meta-llama/Llama-3.1-70B-Instruct",
        ),
        ("chatops/clients.py", 37, "ollama", "chat", "qwen2.5-coder:7b"),
        ("chatops/clients.py", 44, "openai-compatible", "chat", "deepseek-chat"),
        ("chatops/clients.py", 51, "openai", "chat", "gpt-4o-mini"),
        ("chatops/frameworks.py", 6, "groq", "chat", "llama-3.1-8b-instant"),
        (
            "chatops/frameworks.py",
            8,
            "openai-compatible",
            "chat",
            "meta-llama/Llama-3.1-70B-Instruct",
        ),
        ("chatops/frameworks.py", 13, "ollama", "embedding", "nomic-embed-text"),
        ("chatops/frameworks.py", 17, "openai-compatible", "chat", "local-model"),
    ]
    assert _field(report, "host") == {
        ("chatops/clients.py", 21): "api.groq.com",
        ("chatops/clients.py", 29): "vllm.platform.svc:8000",
        ("chatops/clients.py", 37): "localhost:11434",
        ("chatops/clients.py", 44): "api.deepseek.com",
        ("chatops/frameworks.py", 6): "api.groq.com",
        ("chatops/frameworks.py", 8): "vllm.platform.svc:8000",
        ("chatops/frameworks.py", 13): "localhost:11434",
        ("chatops/frameworks.py", 17): "127.0.0.1:1234",
    }
    assert "openai-compatible" in report["inventory"]["providers"]


# ------------------------------------------------------ 4. across modules


def test_clients_models_and_prompts_followed_across_modules(
    reports: dict[str, dict[str, Any]],
) -> None:
    """A client from a relative import, one re-exported by the package's
    __init__, a factory, an instance of a class from another module, a module
    imported with `import a.b as c`, and model constants (one a getenv
    default) from config.py, and a subclass's `self.client` inherited from a
    class in another module: each call site where the call is made. The
    client's own module (clients.py) has none."""
    assert _sites(reports["helpdesk-modules"]) == [
        ("helpdesk/answer.py", 11, "anthropic", "chat", "claude-3-5-sonnet-20241022"),
        ("helpdesk/api.py", 9, "anthropic", "chat", "claude-3-5-haiku-20241022"),
        ("helpdesk/escalation.py", 8, "anthropic", "chat", "claude-3-5-sonnet-20241022"),
        ("helpdesk/search.py", 9, "openai", "embedding", "text-embedding-3-large"),
        ("helpdesk/search.py", 15, "chroma", "vector-store", None),
        ("helpdesk/search.py", 16, "chroma", "retriever", None),
        ("helpdesk/service.py", 11, "anthropic", "chat", "claude-3-5-haiku-20241022"),
        ("scripts/weekly_report.py", 11, "anthropic", "chat", "claude-3-5-haiku-20241022"),
    ]


def test_an_imported_prompt_is_placed_at_its_constant() -> None:
    root = FIXTURES / "helpdesk-modules"
    found = discover(root, exclude=(), max_file_size=Config().max_file_size)
    analysis = _analyse_all(root, found.files, Options(use_cache=False, jobs=1))
    prompts = [
        (p.path, p.line, p.role, p.api)
        for facts in analysis.per_file.values()
        for p in facts.prompts
        if p.text.startswith("You are the Acme IT helpdesk")
    ]
    assert prompts == [("helpdesk/config.py", 9, "system", "anthropic.Anthropic.messages.create")]


def test_only_files_that_use_an_imported_value_are_parsed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The repository-level pass parses a file a second time (libcst, the dear
    half of a scan) only when its code reads a name bound to another module's
    value: the package __init__ that only re-exports the client is not, nor
    is audit.py, whose `self.client` is its own class's attribute and whose
    docstring's import lines are no imports, nor health.py, which reads the
    service client's settings but calls nothing through it; escalation.py, a
    subclass of the service that holds the client, is."""
    import auditor.scanners.python as python_scanner

    second_looks: list[str] = []
    real = python_scanner.scan_source

    def counting(path: str, text: str, **kwargs: Any) -> Any:
        if kwargs.get("externs"):
            second_looks.append(path)
        return real(path, text, **kwargs)

    monkeypatch.setattr(python_scanner, "scan_source", counting)
    root = FIXTURES / "helpdesk-modules"
    found = discover(root, exclude=(), max_file_size=Config().max_file_size)
    _analyse_all(root, found.files, Options(use_cache=False, jobs=1))
    assert "helpdesk/__init__.py" not in second_looks
    assert sorted(set(second_looks)) == [
        "helpdesk/answer.py",
        "helpdesk/api.py",
        "helpdesk/escalation.py",
        "helpdesk/search.py",
        "scripts/weekly_report.py",
    ]  # service.py makes its own client: its first pass has the call


# ----------------------------------------------------- 5. indirect calls


def test_aliases_partials_guarded_imports_and_provider_strings(
    reports: dict[str, dict[str, Any]],
) -> None:
    """handler.py (which starts with a byte-order mark) binds `completion` to
    litellm.completion or to a client's bound method, by a setting: the call
    is both. functools.partial (of a partial too, called with a positional
    argument after its keywords) and a bound-method alias (fast.py), a guarded
    `import litellm` and importlib.import_module (optional.py), provider
    strings in a dict that reaches litellm, and one that a project helper
    splits for init_chat_model (agents.py:14)."""
    assert _sites(reports["shell-assistant"]) == [
        ("sgpt/agents.py", 10, "langchain", "chat", None),
        ("sgpt/agents.py", 13, "anthropic", "chat", "claude-3-5-haiku-20241022"),
        ("sgpt/agents.py", 14, "mistral", "chat", "mistral-large-latest"),
        ("sgpt/fast.py", 13, "openai", "chat", "gpt-4o-mini"),
        ("sgpt/fast.py", 17, "openai", "chat", "gpt-4o"),
        ("sgpt/fast.py", 24, "openai", "embedding", "text-embedding-3-small"),
        ("sgpt/fast.py", 31, "openai", "chat", "gpt-4o-mini"),  # a partial of a partial
        ("sgpt/handler.py", 18, "litellm", "chat", None),
        ("sgpt/handler.py", 18, "openai", "chat", None),
        ("sgpt/optional.py", 16, "groq", "chat", "llama-3.1-8b-instant"),
        ("sgpt/optional.py", 17, "anthropic", "chat", "claude-3-5-sonnet-20241022"),
        ("sgpt/optional.py", 18, "ollama", "chat", "llama3.1"),
        ("sgpt/optional.py", 25, "litellm", "chat", None),
        ("sgpt/optional.py", 31, "mistral", "chat", "mistral-small-latest"),
    ]


def test_a_byte_order_mark_does_not_hide_a_file() -> None:
    raw = (FIXTURES / "shell-assistant" / "sgpt" / "handler.py").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbffrom openai import OpenAI")


# ------------------------------------------------- 6. framework generations


def test_framework_import_paths_old_and_new(reports: dict[str, dict[str, Any]]) -> None:
    """LangChain 0.0.x (`from langchain import OpenAI`, submodule paths),
    langchain_community and partner packages (a submodule path too; LLM classes
    are completion, chat models chat), LlamaIndex 0.9 and 0.10+ with its store
    packages (a project subclass of PGVectorStore), Haystack 1.x (stores,
    retrievers, PromptNode, reader and retriever training) and 2.x (with its
    web search component), openai < 1.0 sent to Azure by `openai.api_type`."""
    assert _sites(reports["framework-eras"]) == [
        ("hs_v1/pipeline.py", 6, "elasticsearch", "vector-store", None),
        ("hs_v1/pipeline.py", 7, "faiss", "vector-store", None),
        ("hs_v1/pipeline.py", 8, "haystack", "retriever", None),
        (
            "hs_v1/pipeline.py",
            9,
            "haystack",
            "retriever",
            "facebook/dpr-question_encoder-single-nq-base",
        ),
        ("hs_v1/pipeline.py", 15, "openai", "completion", "gpt-3.5-turbo-instruct"),
        ("hs_v1/pipeline.py", 19, "huggingface", "training", "deepset/roberta-base-squad2"),
        (
            "hs_v1/pipeline.py",
            20,
            "haystack",
            "training",
            "facebook/dpr-question_encoder-single-nq-base",
        ),
        ("hs_v2/pipeline.py", 9, "qdrant", "vector-store", None),
        (
            "hs_v2/pipeline.py",
            10,
            "huggingface",
            "embedding",
            "sentence-transformers/all-MiniLM-L6-v2",
        ),
        ("hs_v2/pipeline.py", 11, "haystack", "retriever", None),
        ("hs_v2/pipeline.py", 12, "openai", "chat", "gpt-4o-mini"),
        # SerperDevWebSearch: a web search API called for context.
        ("hs_v2/pipeline.py", 15, "web-search", "retriever", None),
        ("lc_v0/qa.py", 12, "langchain", "document-loader", None),
        ("lc_v0/qa.py", 13, "langchain", "document-loader", None),
        ("lc_v0/qa.py", 14, "faiss", "vector-store", None),
        ("lc_v0/qa.py", 14, "openai", "embedding", None),
        ("lc_v0/qa.py", 15, "faiss", "retriever", None),
        ("lc_v0/qa.py", 15, "langchain", "retriever", None),
        ("lc_v0/qa.py", 15, "openai", "completion", None),
        ("lc_v0/qa.py", 16, "openai", "chat", "gpt-3.5-turbo"),
        ("lc_v0/qa.py", 17, "huggingface", "completion", "google/flan-t5-xl"),
        ("lc_v1/qa.py", 9, "langchain", "document-loader", None),
        ("lc_v1/qa.py", 10, "azure-openai", "embedding", "text-embedding-3-small"),
        ("lc_v1/qa.py", 11, "chroma", "vector-store", None),
        ("lc_v1/qa.py", 12, "chroma", "retriever", None),
        ("lc_v1/qa.py", 13, "huggingface", "completion", "mistralai/Mistral-7B-Instruct-v0.3"),
        ("lc_v1/qa.py", 14, "ollama", "completion", "llama3.1"),
        ("lc_v1/qa.py", 15, "ollama", "chat", "llama3.1"),
        ("li_v09/index.py", 7, "llama-index", "document-loader", None),
        ("li_v09/index.py", 8, "llama-index", "document-loader", None),
        ("li_v09/index.py", 9, "pgvector", "vector-store", None),
        ("li_v09/index.py", 11, "llama-index", "vector-store", None),
        ("li_v09/index.py", 12, "llama-index", "retriever", None),
        ("li_v09/index.py", 12, "openai", "chat", "gpt-3.5-turbo"),
        ("li_v10/index.py", 15, "llama-index", "document-loader", None),
        ("li_v10/index.py", 16, "huggingface", "embedding", "BAAI/bge-small-en-v1.5"),
        ("li_v10/index.py", 17, "pgvector", "vector-store", None),
        ("li_v10/index.py", 18, "elasticsearch", "vector-store", None),
        ("li_v10/index.py", 19, "mongodb", "vector-store", None),
        ("li_v10/index.py", 20, "llama-index", "vector-store", None),
        ("li_v10/index.py", 23, "llama-index", "retriever", None),
        # openai < 1.0: branching on `openai.api_type == "azure"` reaches both
        # OpenAI and Azure; setting it once at module level, only Azure; no
        # setting, only OpenAI.
        ("openai_v0/assistant.py", 17, "azure-openai", "chat", None),
        ("openai_v0/assistant.py", 17, "openai", "chat", None),
        ("openai_v0/azure_index.py", 13, "azure-openai", "embedding", "text-embedding-ada-002"),
        ("openai_v0/summarise.py", 8, "openai", "completion", "gpt-3.5-turbo-instruct"),
    ]


# ---------------------------------------- 7. retrieval without a store SDK


def test_retrieval_that_is_not_a_vector_store_sdk(reports: dict[str, dict[str, Any]]) -> None:
    """Web search (Tavily SDK, Serper over httpx, LangChain's Tavily tool, a
    Wikipedia search but not a Wikipedia page fetched by its exact title),
    Elasticsearch knn and script_score (a plain match query, stores.py:33, is
    not), a $vectorSearch stage on a motor collection passed in, pgvector's
    <=> in SQL kept in a constant, BM25 and a numpy top-k (with the provider
    of the embeddings they search), faiss.IndexFlatIP, hnswlib and annoy."""
    assert _sites(reports["research-assistant"]) == [
        ("scout/offline.py", 14, "openai", "embedding", "text-embedding-3-small"),
        ("scout/offline.py", 19, "openai", "retriever", None),
        ("scout/offline.py", 20, "openai", "retriever", None),
        ("scout/offline.py", 26, "openai", "retriever", None),
        ("scout/offline.py", 30, "faiss", "vector-store", None),
        ("scout/offline.py", 31, "faiss", "vector-store", None),
        ("scout/offline.py", 32, "faiss", "retriever", None),
        ("scout/offline.py", 37, "hnswlib", "vector-store", None),
        ("scout/offline.py", 39, "hnswlib", "vector-store", None),
        ("scout/offline.py", 40, "hnswlib", "retriever", None),
        ("scout/offline.py", 45, "annoy", "vector-store", None),
        ("scout/offline.py", 49, "annoy", "retriever", None),
        ("scout/stores.py", 12, "elasticsearch", "retriever", None),
        ("scout/stores.py", 29, "elasticsearch", "retriever", None),
        ("scout/stores.py", 43, "mongodb", "retriever", None),
        ("scout/stores.py", 51, "pgvector", "retriever", None),
        ("scout/web.py", 15, "web-search", "retriever", None),
        ("scout/web.py", 21, "web-search", "retriever", None),
        ("scout/web.py", 30, "langchain", "retriever", None),
        # wikipedia.summary searches for the question; page(auto_suggest=False)
        # at line 40 fetches a title named in advance: no call site.
        ("scout/web.py", 35, "web-search", "retriever", None),
    ]
    assert _field(reports["research-assistant"], "host") == {
        ("scout/web.py", 21): "google.serper.dev"
    }


def test_texts_ranked_by_keyword_hits_are_retrieval(reports: dict[str, dict[str, Any]]) -> None:
    """Retrieval written by hand (ChatDoctor's): rows scored by the keywords
    they contain, sorted, and the best put in the prompt. A list of scores
    zipped with the rows (lookup.py), a score appended with its note and the
    list sorted (notes.py), a sum of membership tests and heapq.nlargest
    (faq.py). Counting words of a vocabulary and growing a list under an `in`
    test (stats.py) rank no texts; offline.py ranks but calls no model. The
    ranking takes the provider of the file's calls."""
    sites = [s for s in _sites(reports["symptom-checker"]) if s[3] == "retriever"]
    assert sites == [
        ("checker/faq.py", 21, "openai", "retriever", None),
        ("checker/lookup.py", 19, "openai", "retriever", None),
        ("checker/notes.py", 16, "openai", "retriever", None),
    ]
    columns = {
        (c["path"], c["line"]): (c["column"], c["api"])
        for c in reports["symptom-checker"]["inventory"]["call_sites"]
        if c["capability"] == "retriever"
    }
    assert columns[("checker/lookup.py", 19)] == (31, "local:keyword-ranking")
    assert columns[("checker/notes.py", 16)] == (5, "local:keyword-ranking")
    assert reports["symptom-checker"]["recommendation"]["strategy"] == "rag"


@pytest.mark.parametrize(
    "source",
    [
        # a word count over a vocabulary: the counted item is the tested word
        "for w in text.split():\n    if w in VOCAB:\n        counts[w] += 1\n"
        "top = sorted(counts.items(), key=lambda kv: kv[1])\n",
        # a list grown under an `in` test, then sorted
        "items = []\nif key in caps:\n    items = items + caps[key]\n"
        "items = sorted(items, key=order)\n",
        # a counter used as an index into what is sorted, not as the key
        "j = 0\nfor i in range(n):\n    if i in base:\n"
        "        out.append(sorted(table[j].values()))\n        j += 1\n",
        # scores that never depend on a membership test
        "scores = [0] * len(rows)\nfor i, row in enumerate(rows):\n    scores[i] += len(row)\n"
        "best = sorted(zip(scores, rows), reverse=True)\n",
    ],
)
def test_what_is_not_a_keyword_ranking(source: str) -> None:
    import ast

    from auditor.scanners.ranking import keyword_rankings

    assert keyword_rankings(ast.parse(source)) == []


# ------------------------------- 8. local encoders and training loops


def test_local_encoders_and_training_loops(reports: dict[str, dict[str, Any]]) -> None:
    """Loading a model is no call site; an encoder's pooled forward pass is an
    embedding (AutoModel by name and by pooling, DPR, a Contriever subclass of
    BertModel, FlagModel), a cross-encoder's scores a rerank, generate() on a
    prompt string a completion; training without a Trainer (loss.backward,
    accelerator.backward, CrossEncoder.fit) and with one."""
    report = reports["retriever-training-lab"]
    assert _sites(report) == [
        ("lab/drafts.py", 16, "huggingface", "training", None),
        ("lab/drafts.py", 24, "huggingface", "completion", "meta-llama/Llama-3.2-1B"),
        ("lab/encoders.py", 15, "huggingface", "embedding", "BAAI/bge-base-en-v1.5"),
        (
            "lab/encoders.py",
            25,
            "huggingface",
            "embedding",
            "facebook/dpr-question_encoder-single-nq-base",
        ),
        ("lab/encoders.py", 36, "huggingface", "embedding", "facebook/contriever-msmarco"),
        ("lab/encoders.py", 43, "huggingface", "embedding", "BAAI/bge-base-en-v1.5"),
        # `embeddings = model(**batch)` on a model handed in as a parameter
        # (loaded by a project helper); `outputs = model(...)` at line 29 is not.
        ("lab/index_passages.py", 22, "huggingface", "embedding", None),
        ("lab/rerank.py", 12, "huggingface", "training", "cross-encoder/ms-marco-MiniLM-L-6-v2"),
        ("lab/rerank.py", 22, "huggingface", "rerank", "cross-encoder/ms-marco-MiniLM-L-6-v2"),
        ("lab/tickets.py", 10, "huggingface", "training", "distilbert-base-uncased"),
        ("lab/tickets.py", 11, "huggingface", "training", "distilbert-base-uncased"),
        ("lab/train_retriever.py", 15, "huggingface", "embedding", "facebook/contriever-msmarco"),
        ("lab/train_retriever.py", 16, "huggingface", "embedding", "facebook/contriever-msmarco"),
        ("lab/train_retriever.py", 19, "huggingface", "training", None),
    ]
    # What each training call trains: only an LLM's training changes behaviour.
    assert _field(report, "trained") == {
        ("lab/drafts.py", 16): "llm",
        ("lab/rerank.py", 12): "reranker",
        ("lab/tickets.py", 10): "classifier",
        ("lab/tickets.py", 11): "classifier",
        ("lab/train_retriever.py", 19): "embedding-model",
    }


def test_haystack_reader_and_retriever_training_say_what_they_train(
    reports: dict[str, dict[str, Any]],
) -> None:
    assert _field(reports["framework-eras"], "trained") == {
        ("hs_v1/pipeline.py", 19): "classifier",
        ("hs_v1/pipeline.py", 20): "embedding-model",
    }


# ------------------------------------------- 9. training data wherever named


def test_training_named_in_configs_scripts_and_makefiles(
    reports: dict[str, dict[str, Any]],
) -> None:
    """LLaMA-Factory, axolotl and alignment-handbook style YAML, a torchrun
    launcher with --do_train, a Makefile target running llamafactory-cli, and
    a transformers script: each a training call site with its model."""
    report = reports["sft-recipes"]
    assert _sites(report) == [
        ("Makefile", 7, "huggingface", "training", None),
        ("configs/axolotl.yml", 1, "huggingface", "training", "meta-llama/Llama-3.1-8B"),
        (
            "configs/llama_factory_sft.yaml",
            5,
            "huggingface",
            "training",
            "Qwen/Qwen2.5-7B-Instruct",
        ),
        ("recipes/zephyr/sft.yaml", 2, "huggingface", "training", "mistralai/Mistral-7B-v0.1"),
        ("scripts/train.sh", 5, "huggingface", "training", "meta-llama/Llama-3.1-8B"),
        ("train.py", 32, "huggingface", "training", "meta-llama/Llama-3.1-8B"),
        ("train.py", 37, "huggingface", "training", "meta-llama/Llama-3.1-8B"),
    ]
    assert set(_field(report, "trained").values()) == {"llm"}


def test_training_data_joins_the_inventory_with_its_source(
    reports: dict[str, dict[str, Any]],
) -> None:
    """The committed set is read (format, examples); the others are named by
    a Hub id (load_dataset, an argparse default, YAML datasets and a
    dataset mixture), a URL (an argument default) or a file that is not in the
    repository (a dataclass field default, a shell flag)."""
    data = reports["sft-recipes"]["inventory"]["training_data"]
    assert [(d["path"], d["source"], d["format"], d["examples"]) for d in data] == [
        ("data/train.jsonl", "file", "chat", 2),
        ("HuggingFaceH4/ultrachat_200k", "hub", None, None),
        ("acme/style-guide-dialogues", "hub", None, None),
        ("acme/support-conversations", "hub", None, None),
        ("data/alpaca_data.json", "file", None, None),
        ("data/support_full.json", "file", None, None),
        (
            "https://huggingface.co/datasets/acme/handbook-qa/resolve/main/train.jsonl",
            "url",
            None,
            None,
        ),
        ("tatsu-lab/alpaca", "hub", None, None),
    ]
    assert all(list(d)[:2] == ["path", "source"] for d in data)


def test_named_training_data_is_listed_only_where_something_trains(
    make_repo: Any, scan_json: ScanJson
) -> None:
    # An inference app that loads an evaluation set from the Hub trains nothing.
    root: Path = make_repo(
        {
            "app.py": "from datasets import load_dataset\nfrom openai import OpenAI\n"
            'questions = load_dataset("acme/faq-eval")\n'
            'OpenAI().chat.completions.create(model="gpt-4o", messages=[])\n',
        }
    )
    assert scan_json(root, "--offline")["inventory"]["training_data"] == []
