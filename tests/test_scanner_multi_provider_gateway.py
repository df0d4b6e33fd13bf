"""The Python scanner on fixtures/multi-provider-gateway: every call site, exactly.

Expected tuples were worked out by reading the fixture (line numbers by hand)
and then confirmed against the scanner.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CallTuple, call_tuples, scan_fixture

from auditor.scanners.python import PythonFacts

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "multi-provider-gateway"


FILES = [
    "gateway/__init__.py",
    "gateway/anthropic_backend.py",
    "gateway/bedrock_backend.py",
    "gateway/cohere_backend.py",
    "gateway/fast_backends.py",
    "gateway/google_backend.py",
    "gateway/litellm_backend.py",
    "gateway/local_backend.py",
    "gateway/mistral_backend.py",
    "gateway/router.py",
    "gateway/settings.py",
]

AN = "gateway/anthropic_backend.py"
BR = "gateway/bedrock_backend.py"
CO = "gateway/cohere_backend.py"
FA = "gateway/fast_backends.py"
GO = "gateway/google_backend.py"
LI = "gateway/litellm_backend.py"
LO = "gateway/local_backend.py"
MI = "gateway/mistral_backend.py"

RUNTIME = "boto3.client(bedrock-runtime)"
SESSION_RUNTIME = "boto3.Session.client(bedrock-runtime)"

# (path, line, provider, capability, api, model, fine_tuned)
# fmt: off
EXPECTED: list[CallTuple] = [
    # anthropic: module-global client with system=, AsyncAnthropic from a nested
    # coroutine, AnthropicBedrock on self (provider bedrock), AnthropicVertex
    # streaming in a `with` (provider google)
    (AN, 34, "anthropic", "chat", "anthropic.Anthropic.messages.create",
     "claude-3-5-sonnet-20241022", False),
    (AN, 52, "anthropic", "chat", "anthropic.AsyncAnthropic.messages.create",
     "claude-3-5-haiku-20241022", False),
    (AN, 70, "bedrock", "chat", "anthropic.AnthropicBedrock.messages.create",
     "anthropic.claude-3-5-sonnet-20240620-v1:0", False),
    (AN, 82, "google", "chat", "anthropic.AnthropicVertex.messages.stream",
     "claude-3-5-sonnet-v2@20241022", False),
    # boto3: bedrock-runtime clients (module global, session variable, inline
    # Session()); the s3 client's put_object/get_object (lines 80, 85) do not count
    (BR, 35, "bedrock", "chat", f"{RUNTIME}.invoke_model", "amazon.titan-text-express-v1", False),
    (BR, 44, "bedrock", "chat", f"{RUNTIME}.converse", "meta.llama3-1-70b-instruct-v1:0", False),
    (BR, 60, "bedrock", "chat", f"{SESSION_RUNTIME}.converse",
     "meta.llama3-1-70b-instruct-v1:0", False),
    (BR, 70, "bedrock", "chat", f"{SESSION_RUNTIME}.converse",
     "amazon.titan-text-express-v1", False),
    # cohere ClientV2 on self
    (CO, 33, "cohere", "chat", "cohere.ClientV2.chat", "command-r-plus-08-2024", False),
    (CO, 41, "cohere", "embedding", "cohere.ClientV2.embed", "embed-english-v3.0", False),
    (CO, 53, "cohere", "rerank", "cohere.ClientV2.rerank", "rerank-english-v3.0", False),
    # groq and together module-global clients
    (FA, 20, "groq", "chat", "groq.Groq.chat.completions.create", "llama-3.1-8b-instant", False),
    (FA, 29, "together", "chat", "together.Together.chat.completions.create",
     "meta-llama/Llama-3.3-70B-Instruct-Turbo", False),
    (FA, 37, "together", "embedding", "together.Together.embeddings.create",
     "togethercomputer/m2-bert-80M-8k-retrieval", False),
    # google: generativeai GenerativeModel (model from the constructor),
    # genai.embed_content, google.genai Client, vertexai GenerativeModel
    (GO, 33, "google", "chat", "google.generativeai.GenerativeModel.generate_content",
     "gemini-1.5-flash", False),
    (GO, 41, "google", "embedding", "google.generativeai.embed_content",
     "models/text-embedding-004", False),
    (GO, 52, "google", "chat", "google.genai.Client.models.generate_content",
     "gemini-2.0-flash", False),
    (GO, 58, "google", "embedding", "google.genai.Client.models.embed_content",
     "text-embedding-004", False),
    (GO, 66, "google", "chat", "vertexai.generative_models.GenerativeModel.generate_content",
     "gemini-1.5-pro-002", False),
    # litellm: function imports and a Router (constructing the Router is no call)
    (LI, 34, "litellm", "chat", "litellm.completion",
     "anthropic/claude-3-5-sonnet-20240620", False),
    (LI, 45, "litellm", "embedding", "litellm.embedding", "text-embedding-3-small", False),
    (LI, 51, "litellm", "chat", "litellm.Router.acompletion", "gateway-default", False),
    # ollama: module function and Client (positional model); list/pull do not count
    (LO, 17, "ollama", "chat", "ollama.chat", "llama3.1:8b", False),
    (LO, 33, "ollama", "chat", "ollama.Client.chat", "qwen2.5-coder:7b", False),
    (LO, 44, "ollama", "embedding", "ollama.Client.embed", "nomic-embed-text", False),
    # mistral: lazy singleton returned by `def get_client() -> Mistral`, then a local client
    (MI, 28, "mistral", "chat", "mistralai.Mistral.chat.complete", "mistral-large-latest", False),
    (MI, 39, "mistral", "embedding", "mistralai.Mistral.embeddings.create", "mistral-embed", False),
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


def test_s3_client_calls_are_not_call_sites(facts: dict[str, PythonFacts]) -> None:
    source = (ROOT / BR).read_text(encoding="utf-8").splitlines()
    s3_lines = [n for n, text in enumerate(source, start=1) if "s3." in text]
    assert s3_lines == [80, 85]
    assert [c for c in facts[BR].call_sites if c.line in s3_lines] == []


def test_providers_seen(facts: dict[str, PythonFacts]) -> None:
    providers = {c.provider for f in facts.values() for c in f.call_sites}
    assert providers >= {
        "anthropic",
        "bedrock",
        "google",
        "cohere",
        "together",
        "groq",
        "litellm",
        "ollama",
    }


# (path, line, role, start of text)
SELECTED_PROMPTS = [
    (AN, 20, "system", "You are the Acme internal assistant. Answer in plain English"),
    (AN, 55, "system", "Answer in one sentence."),
    (GO, 21, "system", "Summarise the user's text in three bullet points."),
    (LO, 36, "system", "Review this diff. List bugs first, style last."),
]


@pytest.mark.parametrize(("path", "line", "role", "start"), SELECTED_PROMPTS)
def test_selected_prompts(
    facts: dict[str, PythonFacts], path: str, line: int, role: str, start: str
) -> None:
    assert any(
        p.line == line and p.role == role and p.text.startswith(start) for p in facts[path].prompts
    ), facts[path].prompts


def test_bedrock_converse_system_prompt(facts: dict[str, PythonFacts]) -> None:
    assert any(
        p.line == 22 and p.role == "system" and p.text.startswith("You are a concise assistant")
        for p in facts[BR].prompts
    ), facts[BR].prompts
