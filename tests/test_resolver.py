"""The Python scanner's name resolution, one behaviour per test, on small sources."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import auditor.scanners.python as scanner
from auditor.scanners.python import scan_source

ROOT = Path(__file__).resolve().parents[1]


def sites(source: str) -> list[tuple[int, str, str, str, str | None]]:
    facts = scan_source("m.py", textwrap.dedent(source))
    assert facts.errors == []
    return [(c.line, c.provider, c.capability, c.api, c.model) for c in facts.call_sites]


def test_aliases_of_module_and_class() -> None:
    assert sites(
        """
        import openai as oa
        from openai import OpenAI as C
        oa.OpenAI().embeddings.create(model="text-embedding-3-small", input="x")
        C().chat.completions.create(model="gpt-4o", messages=[])
        """
    ) == [
        (4, "openai", "embedding", "openai.OpenAI.embeddings.create", "text-embedding-3-small"),
        (5, "openai", "chat", "openai.OpenAI.chat.completions.create", "gpt-4o"),
    ]


def test_self_client_assigned_after_use_in_file_order() -> None:
    assert sites(
        """
        from anthropic import AsyncAnthropic
        class Bot:
            async def ask(self, q):
                return await self.llm.messages.create(model="claude-sonnet-4-5", messages=[])
            def __init__(self):
                self.llm = AsyncAnthropic()
        """
    ) == [(5, "anthropic", "chat", "anthropic.AsyncAnthropic.messages.create", "claude-sonnet-4-5")]


def test_builder_and_getter_methods_without_annotations() -> None:
    # crewAI's pattern: `_get_client(self) -> Any` returns what `_build()` made.
    assert sites(
        """
        from typing import Any
        from openai import OpenAI
        class Completion:
            def call(self, params):
                return self._get_client().chat.completions.create(**params)
            def _get_client(self) -> Any:
                if self._client is None:
                    self._client = self._build()
                return self._client
            def _build(self) -> Any:
                return OpenAI(api_key="k")
        """
    ) == [(6, "openai", "chat", "openai.OpenAI.chat.completions.create", None)]


def test_annotated_parameters_and_factories() -> None:
    assert sites(
        """
        from typing import Optional
        from mistralai import Mistral
        import cohere
        def get_client() -> Mistral:
            return Mistral(api_key="k")
        def embed(co: Optional[cohere.ClientV2], text):
            return co.embed(model="embed-english-v3.0", texts=[text])
        def chat(prompt):
            return get_client().chat.complete(model="mistral-large-latest", messages=[])
        """
    ) == [
        (8, "cohere", "embedding", "cohere.ClientV2.embed", "embed-english-v3.0"),
        (10, "mistral", "chat", "mistralai.Mistral.chat.complete", "mistral-large-latest"),
    ]


def test_either_side_of_or_and_if_else() -> None:
    assert sites(
        """
        from openai import OpenAI, AzureOpenAI
        def make(existing, azure):
            client = existing or OpenAI()
            other = AzureOpenAI() if azure else OpenAI()
            client.embeddings.create(model="text-embedding-3-large", input="x")
            other.chat.completions.create(model="gpt-4o", messages=[])
        """
    ) == [
        (6, "openai", "embedding", "openai.OpenAI.embeddings.create", "text-embedding-3-large"),
        (7, "azure-openai", "chat", "openai.AzureOpenAI.chat.completions.create", "gpt-4o"),
    ]


def test_models_from_constants_fstrings_defaults_and_attributes() -> None:
    assert sites(
        """
        from openai import OpenAI
        FAMILY = "gpt-4o"
        DEFAULT = FAMILY + "-mini"
        client = OpenAI()
        class Svc:
            def __init__(self):
                self.model = f"{FAMILY}-2024-08-06"
            def a(self, model=DEFAULT):
                client.chat.completions.create(model=model, messages=[])
            def b(self):
                client.chat.completions.create(model=self.model, messages=[])
        """
    ) == [
        (10, "openai", "chat", "openai.OpenAI.chat.completions.create", "gpt-4o-mini"),
        (12, "openai", "chat", "openai.OpenAI.chat.completions.create", "gpt-4o-2024-08-06"),
    ]


def test_look_alikes_are_not_call_sites() -> None:
    assert (
        sites(
            '''
            """Uses openai.ChatCompletion.create in the docs only."""
            from .llm import OpenAI          # the project's own class
            from embeddings import embed     # a local module named embeddings
            import openai
            class Chroma:
                def as_retriever(self): ...
            OpenAI().chat.completions.create(model="gpt-4o")
            Chroma().as_retriever()
            embed("text")
            # openai.Completion.create(engine="davinci")
            def openai_helper(openai):
                return openai.Completion.create(engine="davinci")
            '''
        )
        == []
    )


def test_conditions_on_arguments() -> None:
    assert sites(
        """
        import boto3
        from openai import OpenAI
        client = OpenAI()
        client.files.create(file=open("a.pdf", "rb"), purpose="assistants")
        client.files.create(file=open("t.jsonl", "rb"), purpose="fine-tune")
        s3 = boto3.client("s3")
        s3.put_object(Bucket="b", Key="k")
        rt = boto3.Session().client("bedrock-runtime")
        rt.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0", messages=[])
        """
    ) == [
        (6, "openai", "fine-tune", "openai.OpenAI.files.create", None),
        (
            10,
            "bedrock",
            "chat",
            "boto3.Session.client(bedrock-runtime).converse",
            "anthropic.claude-3-haiku-20240307-v1:0",
        ),
    ]


def test_init_chat_model_provider_prefix_and_fine_tuned_ids() -> None:
    facts = scan_source(
        "m.py",
        textwrap.dedent(
            """
            from langchain.chat_models import init_chat_model
            from openai import OpenAI
            llm = init_chat_model("anthropic:claude-sonnet-4-5")
            other = init_chat_model("gemini-2.5-flash", model_provider="google_genai")
            OpenAI().chat.completions.create(model="ft:gpt-4o-mini:acme::abc123", messages=[])
            """
        ),
    )
    assert [(c.provider, c.model, c.fine_tuned) for c in facts.call_sites] == [
        ("anthropic", "claude-sonnet-4-5", False),
        ("google", "gemini-2.5-flash", False),
        ("openai", "ft:gpt-4o-mini:acme::abc123", True),
    ]


def test_prompts_system_few_shot_and_templates() -> None:
    facts = scan_source(
        "m.py",
        textwrap.dedent(
            '''
            import textwrap
            from openai import OpenAI
            from langchain_core.prompts import ChatPromptTemplate
            SYSTEM = textwrap.dedent("""
                You are Acme's support agent. Answer in a warm, concise tone.
            """)
            SHOTS = [
                {"role": "user", "content": "Where is my order?"},
                {"role": "assistant", "content": "Let me check that for you."},
            ]
            def ask(q):
                return OpenAI().chat.completions.create(
                    model="gpt-4o",
                    messages=[{"role": "system", "content": SYSTEM}, *SHOTS,
                              {"role": "user", "content": f"Question:\\n{q}"}],
                )
            prompt = ChatPromptTemplate.from_messages(
                [("system", "Answer using only the context below."), ("human", "{question}")]
            )
            '''
        ),
    )
    assert [(p.line, p.role, p.text) for p in facts.prompts] == [
        (5, "system", "\nYou are Acme's support agent. Answer in a warm, concise tone.\n"),
        (9, "user", "Where is my order?"),
        (10, "assistant", "Let me check that for you."),
        (16, "user", "Question:\n{q}"),
        (19, "system", "Answer using only the context below."),
        (19, "user", "{question}"),
    ]


def test_calls_in_decorators_and_conditional_expressions_keep_their_lines() -> None:
    # ast orders calls by position; the walker must meet them in the same order.
    assert sites(
        """
        import openai
        from openai import OpenAI
        c = OpenAI()
        @decorate(c.embeddings.create(model="a", input="x"))
        def f(x=c.embeddings.create(model="b", input="x")):
            return (c.chat.completions.create(model="c", messages=[])
                    if x else c.chat.completions.create(model="d", messages=[]))
        """
    ) == [
        (5, "openai", "embedding", "openai.OpenAI.embeddings.create", "a"),
        (6, "openai", "embedding", "openai.OpenAI.embeddings.create", "b"),
        (7, "openai", "chat", "openai.OpenAI.chat.completions.create", "c"),
        (8, "openai", "chat", "openai.OpenAI.chat.completions.create", "d"),
    ]


def _python_files() -> list[Path]:
    files = sorted((ROOT / "fixtures").rglob("*.py"))
    return [f for f in files if "bad-inputs" not in f.parts]


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_ast_positions_equal_libcst_positions(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path (positions from ``ast``) and libcst's PositionProvider agree."""
    text = path.read_text("utf-8")
    fast = scan_source(str(path), text)
    monkeypatch.setattr(scanner._AstPositions, "matches", lambda self, calls: False)
    slow = scan_source(str(path), text)
    assert fast.call_sites == slow.call_sites
    assert [(p.line, p.role) for p in fast.prompts] == [(p.line, p.role) for p in slow.prompts]


def test_code_the_running_python_cannot_parse_uses_libcst_positions() -> None:
    # A PEP 695 alias: ast on 3.10/3.11 rejects it, libcst parses it.
    source = 'type Alias = int\nfrom openai import OpenAI\nOpenAI().embeddings.create(model="m")\n'
    facts = scan_source("m.py", source)
    assert facts.errors == []
    assert [(c.line, c.column, c.end_column) for c in facts.call_sites] == [(3, 1, 38)]


def test_llama_index_before_0_10_exports() -> None:
    # The layout of run-llama/rags: classes imported from `llama_index.llms`.
    assert sites(
        """
        from llama_index.llms import OpenAI, Anthropic, ChatMessage
        from llama_index.embeddings import OpenAIEmbedding
        llm = OpenAI(model="gpt-4-1106-preview")
        other = Anthropic(model="claude-2.1")
        message = ChatMessage(role="user", content="hi")
        embed = OpenAIEmbedding(model="text-embedding-3-small")
        """
    ) == [
        (4, "openai", "chat", "llama_index.llms.OpenAI", "gpt-4-1106-preview"),
        (5, "anthropic", "chat", "llama_index.llms.Anthropic", "claude-2.1"),
        (
            7,
            "openai",
            "embedding",
            "llama_index.embeddings.OpenAIEmbedding",
            "text-embedding-3-small",
        ),
    ]


def test_instructor_clients_answer_for_their_vendor() -> None:
    assert sites(
        """
        import instructor
        from anthropic import Anthropic
        from openai import OpenAI
        client = instructor.from_openai(OpenAI())
        claude = instructor.from_anthropic(Anthropic())
        unified = instructor.from_provider("google/gemini-2.5-flash")
        client.chat.completions.create(model="gpt-4o-mini", response_model=User, messages=[])
        claude.messages.create(model="claude-sonnet-4-5", response_model=User, messages=[])
        unified.chat.completions.create(response_model=User, messages=[])
        """
    ) == [
        (8, "openai", "chat", "instructor.from_openai.chat.completions.create", "gpt-4o-mini"),
        (9, "anthropic", "chat", "instructor.from_anthropic.messages.create", "claude-sonnet-4-5"),
        (10, "google", "chat", "instructor.Instructor.chat.completions.create", "gemini-2.5-flash"),
    ]
