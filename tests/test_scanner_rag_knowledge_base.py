"""The Python scanner on fixtures/rag-knowledge-base: every call site, exactly.

LangChain, LlamaIndex and Haystack model classes report their vendor as the
provider (ChatOpenAI -> openai); stores report the store; prompt templates
(ChatPromptTemplate, PromptBuilder) are prompts, never call sites. Expected
tuples were worked out by reading the fixture and confirmed with the scanner.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CallTuple, call_tuples, scan_fixture

from auditor.scanners.python import PythonFacts

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "rag-knowledge-base"


FILES = [
    "kb/__init__.py",
    "kb/answer_service.py",
    "kb/haystack_pipeline.py",
    "kb/langchain_pipeline.py",
    "kb/llamaindex_pipeline.py",
    "kb/loaders.py",
    "kb/settings.py",
    "kb/stores/__init__.py",
    "kb/stores/chroma_store.py",
    "kb/stores/elastic_store.py",
    "kb/stores/faiss_store.py",
    "kb/stores/lancedb_store.py",
    "kb/stores/milvus_store.py",
    "kb/stores/mongo_store.py",
    "kb/stores/pgvector_store.py",
    "kb/stores/pinecone_store.py",
    "kb/stores/qdrant_store.py",
    "kb/stores/redis_store.py",
    "kb/stores/weaviate_store.py",
]

LC = "kb/langchain_pipeline.py"
LD = "kb/loaders.py"
LI = "kb/llamaindex_pipeline.py"
HS = "kb/haystack_pipeline.py"
AS = "kb/answer_service.py"
ST = "kb/stores/"
S_CHROMA = ST + "chroma_store.py"
S_ES = ST + "elastic_store.py"
S_FAISS = ST + "faiss_store.py"
S_LANCE = ST + "lancedb_store.py"
S_MILVUS = ST + "milvus_store.py"
S_MONGO = ST + "mongo_store.py"
S_PG = ST + "pgvector_store.py"
S_PINE = ST + "pinecone_store.py"
S_QD = ST + "qdrant_store.py"
S_REDIS = ST + "redis_store.py"
S_WV = ST + "weaviate_store.py"

LOADERS = "langchain_community.document_loaders"
CHROMA = "langchain_chroma.Chroma"
LC_FAISS = "langchain_community.vectorstores.FAISS"
INDEX = "llama_index.core.VectorStoreIndex"
READER = "llama_index.core.SimpleDirectoryReader"

# (path, line, provider, capability, api, model, fine_tuned)
# fmt: off
EXPECTED: list[CallTuple] = [
    # ---- LangChain
    (LD, 26, "langchain", "document-loader", f"{LOADERS}.DirectoryLoader", None, False),
    (LD, 41, "langchain", "document-loader", f"{LOADERS}.PyPDFLoader", None, False),
    (LD, 48, "langchain", "document-loader", f"{LOADERS}.WebBaseLoader", None, False),
    (LC, 41, "openai", "embedding", "langchain_openai.OpenAIEmbeddings",
     "text-embedding-3-large", False),
    # init_chat_model("anthropic:...") names its vendor in the model string
    (LC, 42, "anthropic", "chat", "langchain.chat_models.init_chat_model",
     "claude-3-5-sonnet-20240620", False),
    (LC, 43, "openai", "chat", "langchain_openai.ChatOpenAI", "gpt-4o", False),
    (LC, 44, "chroma", "vector-store", CHROMA, None, False),
    (LC, 49, "chroma", "retriever", f"{CHROMA}.as_retriever", None, False),
    (LC, 57, "chroma", "vector-store", f"{CHROMA}.from_documents", None, False),
    (LC, 69, "langchain", "retriever", "langchain.chains.create_retrieval_chain", None, False),
    (LC, 77, "langchain", "retriever", "langchain.chains.RetrievalQA.from_chain_type", None, False),
    (LC, 80, "chroma", "retriever", f"{CHROMA}.as_retriever", None, False),
    (LC, 88, "faiss", "vector-store", f"{LC_FAISS}.from_texts", None, False),
    # a parameter annotated `store: FAISS`
    (LC, 95, "faiss", "retriever", f"{LC_FAISS}.similarity_search", None, False),
    # ---- LlamaIndex (Settings.llm = OpenAI(...) is llama_index's OpenAI, provider openai)
    (LI, 30, "openai", "chat", "llama_index.llms.openai.OpenAI", "gpt-4o-mini", False),
    (LI, 31, "openai", "embedding", "llama_index.embeddings.openai.OpenAIEmbedding",
     "text-embedding-3-small", False),
    (LI, 37, "llama-index", "document-loader", READER, None, False),
    (LI, 40, "llama-index", "vector-store", f"{INDEX}.from_documents", None, False),
    (LI, 49, "llama-index", "vector-store", "llama_index.core.load_index_from_storage",
     None, False),
    # one line, two calls: the reader nested inside from_documents
    (LI, 55, "llama-index", "vector-store", f"{INDEX}.from_documents", None, False),
    (LI, 55, "llama-index", "document-loader", READER, None, False),
    (LI, 56, "llama-index", "retriever", f"{INDEX}.as_query_engine", None, False),
    # ---- class attributes shared by every request (SystemMessage is a prompt, not a call)
    (AS, 39, "anthropic", "chat", "langchain_anthropic.ChatAnthropic",
     "claude-3-5-haiku-20241022", False),
    (AS, 40, "chroma", "vector-store", CHROMA, None, False),
    (AS, 42, "openai", "embedding", "langchain_openai.OpenAIEmbeddings",
     "text-embedding-3-large", False),
    (AS, 47, "chroma", "retriever", f"{CHROMA}.similarity_search", None, False),
    # ---- Haystack (PromptBuilder on line 48 is a prompt template, not a call site)
    (HS, 41, "haystack", "vector-store",
     "haystack.document_stores.in_memory.InMemoryDocumentStore", None, False),
    (HS, 42, "huggingface", "embedding",
     "haystack.components.embedders.SentenceTransformersDocumentEmbedder",
     "sentence-transformers/all-MiniLM-L6-v2", False),
    (HS, 47, "haystack", "retriever",
     "haystack.components.retrievers.in_memory.InMemoryBM25Retriever", None, False),
    (HS, 49, "openai", "chat", "haystack.components.generators.OpenAIGenerator",
     "gpt-4o-mini", False),
    # ---- native vector-store SDKs
    # chromadb: the PersistentClient itself is no call site; its OpenAI embedding
    # function and the collections are
    (S_CHROMA, 26, "openai", "embedding",
     "chromadb.utils.embedding_functions.OpenAIEmbeddingFunction", "text-embedding-3-small", False),
    (S_CHROMA, 29, "chroma", "vector-store",
     "chromadb.PersistentClient.get_or_create_collection", None, False),
    (S_CHROMA, 36, "chroma", "vector-store", "chromadb.Collection.add", None, False),
    (S_CHROMA, 40, "chroma", "vector-store", "chromadb.Collection.upsert", None, False),
    (S_CHROMA, 43, "chroma", "retriever", "chromadb.Collection.query", None, False),
    (S_CHROMA, 47, "chroma", "retriever", "chromadb.Collection.query", None, False),
    # elasticsearch: knn_search only (indices.create / helpers.bulk are generic)
    (S_ES, 39, "elasticsearch", "retriever",
     "elasticsearch.Elasticsearch.knn_search", None, False),
    (S_FAISS, 15, "faiss", "vector-store", "faiss.IndexFlatL2", None, False),
    (S_FAISS, 22, "faiss", "vector-store", "faiss.Index.add", None, False),
    (S_FAISS, 27, "faiss", "retriever", "faiss.Index.search", None, False),
    (S_LANCE, 14, "lancedb", "vector-store", "lancedb.connect", None, False),
    (S_LANCE, 19, "lancedb", "vector-store", "lancedb.DB.create_table", None, False),
    (S_LANCE, 22, "lancedb", "vector-store", "lancedb.DB.open_table", None, False),
    (S_LANCE, 23, "lancedb", "retriever", "lancedb.Table.search", None, False),
    (S_MILVUS, 19, "milvus", "vector-store",
     "pymilvus.MilvusClient.create_collection", None, False),
    (S_MILVUS, 28, "milvus", "vector-store", "pymilvus.MilvusClient.insert", None, False),
    (S_MILVUS, 31, "milvus", "retriever", "pymilvus.MilvusClient.search", None, False),
    (S_MONGO, 27, "mongodb", "vector-store",
     "pymongo.operations.SearchIndexModel", None, False),
    # a $vectorSearch aggregation stage, on whatever the collection is
    (S_MONGO, 61, "mongodb", "retriever", "mongodb:aggregate", None, False),
    (S_PG, 29, "pgvector", "vector-store",
     "pgvector.psycopg.register_vector", None, False),
    # SQL ordering by pgvector's cosine distance operator (<=>)
    (S_PG, 41, "pgvector", "retriever", "pgvector:execute", None, False),
    # pinecone: create_index on a local client, then Pinecone(...).Index(...) kept on self
    (S_PINE, 19, "pinecone", "vector-store",
     "pinecone.Pinecone.create_index", None, False),
    (S_PINE, 25, "pinecone", "vector-store", "pinecone.Pinecone.Index", None, False),
    (S_PINE, 32, "pinecone", "vector-store", "pinecone.Index.upsert", None, False),
    (S_PINE, 35, "pinecone", "retriever", "pinecone.Index.query", None, False),
    (S_QD, 19, "qdrant", "vector-store",
     "qdrant_client.QdrantClient.create_collection", None, False),
    (S_QD, 29, "qdrant", "vector-store", "qdrant_client.QdrantClient.upsert", None, False),
    (S_QD, 32, "qdrant", "retriever", "qdrant_client.QdrantClient.search", None, False),
    (S_REDIS, 30, "redis", "vector-store", "redisvl.index.SearchIndex.from_dict", None, False),
    (S_REDIS, 37, "redis", "vector-store", "redisvl.SearchIndex.load", None, False),
    (S_REDIS, 40, "redis", "retriever", "redisvl.query.VectorQuery", None, False),
    # weaviate: `with weaviate.connect_to_local() as client`
    (S_WV, 14, "weaviate", "vector-store",
     "weaviate.connect_to_local.collections.get", None, False),
    (S_WV, 15, "weaviate", "retriever",
     "weaviate.Collection.query.near_text", None, False),
    (S_WV, 25, "weaviate", "vector-store",
     "weaviate.connect_to_local.collections.get", None, False),
    (S_WV, 26, "weaviate", "vector-store",
     "weaviate.Collection.data.insert_many", None, False),
]
# fmt: on


@pytest.fixture(scope="module")
def facts() -> dict[str, PythonFacts]:
    return scan_fixture(ROOT)


def test_every_file_parsed_without_errors(facts: dict[str, PythonFacts]) -> None:
    assert sorted(facts) == FILES
    assert {p: f.errors for p, f in facts.items() if f.errors} == {}
    assert all(f.parsed for f in facts.values())


def test_call_sites_exact(facts: dict[str, PythonFacts]) -> None:
    assert call_tuples(facts) == sorted(EXPECTED)


def test_every_store_provider_is_seen(facts: dict[str, PythonFacts]) -> None:
    providers = {c.provider for f in facts.values() for c in f.call_sites}
    assert providers == {
        "anthropic",
        "openai",
        "huggingface",
        "langchain",
        "llama-index",
        "haystack",
        "chroma",
        "pinecone",
        "qdrant",
        "weaviate",
        "faiss",
        "milvus",
        "pgvector",
        "lancedb",
        "redis",
        "elasticsearch",
        "mongodb",
    }


def test_prompt_templates_are_prompts_not_call_sites(facts: dict[str, PythonFacts]) -> None:
    (system,) = [p for p in facts[LC].prompts if p.role == "system"]
    assert (system.line, system.api) == (
        28,
        "langchain_core.prompts.ChatPromptTemplate.from_messages",
    )
    assert system.text.startswith("You answer questions from Acme employees using only the context")
    assert system.text.endswith("Context:\n{context}")
    (template,) = [p for p in facts[HS].prompts if p.role == "template"]
    assert (template.line, template.api) == (22, "haystack.components.builders.PromptBuilder")
    assert "{{ question }}" in template.text
    assert 34 not in {c.line for c in facts[LC].call_sites}  # ChatPromptTemplate.from_messages
    assert 48 not in {c.line for c in facts[HS].call_sites}  # PromptBuilder
    (rules,) = [p for p in facts[AS].prompts if p.role == "system"]
    assert (rules.line, rules.api) == (23, "langchain_core.messages.SystemMessage")
    assert rules.text.startswith("Answer only from the handbook excerpts provided.")
