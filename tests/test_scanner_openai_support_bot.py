"""The Python scanner on fixtures/openai-support-bot: every call site, exactly.

Each expected tuple was worked out by reading the fixture (line numbers by
hand) and then confirmed against the scanner.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CallTuple, call_tuples, scan_fixture

from auditor.scanners.python import PythonFacts

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "openai-support-bot"


FILES = [
    "support_bot/__init__.py",
    "support_bot/async_responder.py",
    "support_bot/azure_backend.py",
    "support_bot/cli.py",
    "support_bot/config.py",
    "support_bot/finetune.py",
    "support_bot/legacy.py",
    "support_bot/responder.py",
    "support_bot/search.py",
    "support_bot/triage.py",
]

R = "support_bot/responder.py"
A = "support_bot/async_responder.py"
Z = "support_bot/azure_backend.py"
F = "support_bot/finetune.py"
L = "support_bot/legacy.py"
S = "support_bot/search.py"
T = "support_bot/triage.py"

CHAT = "openai.OpenAI.chat.completions.create"
ASYNC_CHAT = "openai.AsyncOpenAI.chat.completions.create"

# (path, line, provider, capability, api, model, fine_tuned)
# fmt: off
EXPECTED: list[CallTuple] = [
    # module-global client; model from an f-string constant, then a concatenation
    (R, 84, "openai", "chat", CHAT, "gpt-4o-mini", False),
    (R, 117, "openai", "chat", CHAT, "gpt-4o-2024-08-06", False),
    # AsyncOpenAI: a local client used from a nested coroutine, then `async with`
    (A, 26, "openai", "chat", ASYNC_CHAT, "gpt-4o-mini", False),
    (A, 44, "openai", "chat", ASYNC_CHAT, "gpt-4o", False),
    # AzureOpenAI(azure_deployment=...) kept on self; the deployment is the model
    (Z, 31, "azure-openai", "chat", "openai.AzureOpenAI.chat.completions.create",
     "support-gpt-4o-eu", False),
    (Z, 53, "azure-openai", "embedding", "openai.AzureOpenAI.embeddings.create",
     "support-embed-3-small", False),
    # files.create(purpose="fine-tune") counts; purpose="assistants" (line 54) does not
    (F, 47, "openai", "fine-tune", "openai.OpenAI.files.create", None, False),
    (F, 60, "openai", "fine-tune", "openai.OpenAI.fine_tuning.jobs.create",
     "gpt-4o-mini-2024-07-18", False),
    (F, 83, "openai", "chat", CHAT, "ft:gpt-4o-mini-2024-07-18:acme::abc123", True),
    # `import openai as oa`: the openai < 1.0 module API
    (L, 19, "openai", "chat", "openai.ChatCompletion.create", "gpt-3.5-turbo", False),
    (L, 32, "openai", "completion", "openai.Completion.create", "text-davinci-003", False),
    (L, 44, "openai", "embedding", "openai.Embedding.create", "text-embedding-ada-002", False),
    # keyword-only parameter whose default is a module constant (a concatenation)
    (S, 24, "openai", "embedding", "openai.OpenAI.embeddings.create",
     "text-embedding-3-small", False),
    # `self._client = client or OpenAI()`
    (S, 40, "openai", "embedding", "openai.OpenAI.embeddings.create",
     "text-embedding-3-small", False),
    # `from openai import OpenAI as Client`; model=self.model set from a constant
    (T, 44, "openai", "chat", CHAT, "gpt-4o-mini", False),
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


def test_assistants_upload_is_not_a_call_site(facts: dict[str, PythonFacts]) -> None:
    assert [c for c in facts[F].call_sites if c.line == 54] == []


# ----------------------------------------------------------------- prompts

# (path, line, role, start of text)
SELECTED_PROMPTS = [
    (R, 27, "system", "You are Ava, the customer support assistant for Acme Cloud Storage. "),
    (R, 39, "user", "How do I reset my password?"),
    (R, 42, "assistant", "Sorry you are locked out! 1. Open acme.example/reset. 2. Enter"),
    (R, 45, "user", "Can I get a refund for last month?"),
    (R, 48, "assistant", "I understand the frustration. I have passed this to our specialist"),
    (A, 16, "system", "Draft a short, friendly reply to the support ticket below."),
    (A, 48, "system", "Summarise this support thread in one paragraph."),
    (L, 22, "system", "You are a helpful support assistant."),
    (F, 85, "user", "My upload is stuck at 99%."),
]


def _has_prompt(facts: dict[str, PythonFacts], path: str, line: int, role: str, start: str) -> bool:
    return any(
        p.line == line and p.role == role and p.text.startswith(start) for p in facts[path].prompts
    )


@pytest.mark.parametrize(("path", "line", "role", "start"), SELECTED_PROMPTS)
def test_selected_prompts(
    facts: dict[str, PythonFacts], path: str, line: int, role: str, start: str
) -> None:
    assert _has_prompt(facts, path, line, role, start), facts[path].prompts


def test_system_prompt_constant_is_whole(facts: dict[str, PythonFacts]) -> None:
    (system,) = [p for p in facts[R].prompts if p.role == "system"]
    assert system.text.endswith("Sign off with '- Ava, Acme Support'.")
    assert system.api == CHAT
    assert len(system.text) > 500


def test_few_shot_constant_keeps_its_order(facts: dict[str, PythonFacts]) -> None:
    shots = [(p.line, p.role) for p in facts[R].prompts if 38 <= p.line <= 50]
    assert shots == [(39, "user"), (42, "assistant"), (45, "user"), (48, "assistant")]


def test_dedented_system_prompt_constant(facts: dict[str, PythonFacts]) -> None:
    assert _has_prompt(
        facts, T, 14, "system", "You route support tickets for Acme Cloud Storage.\n"
    )


def test_f_string_prompt_escapes(facts: dict[str, PythonFacts]) -> None:
    texts = [p.text for p in facts[L].prompts if p.role == "user"]
    assert "Write a short email subject for this ticket:\n{ticket}\nSubject:" in texts


def test_f_string_prompt_line(facts: dict[str, PythonFacts]) -> None:
    assert _has_prompt(facts, R, 121, "user", "Customer question: {question}")
