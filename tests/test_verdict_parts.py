"""The verdict's parts: data references, corpus sizes, prices and the reports."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.model import DataRef
from auditor.scanners.datarefs import find_data_refs, find_prompt_constants
from auditor.verdict.assets import approx_file_tokens, match
from auditor.verdict.pricing import CostInputs, Pricing, PricingError, estimate, merge
from tests.conftest import ROOT, RunCli

APP = """\
from pathlib import Path
import glob, os
from openai import OpenAI
from langchain_community.document_loaders import DirectoryLoader, WebBaseLoader

HERE = Path(__file__).parent
HANDBOOK = (HERE / "docs" / "handbook.md").read_text()
POLICIES = "\\n\\n".join(p.read_text() for p in Path("docs/policies").glob("*.md"))
client = OpenAI()


def answer(q):
    return client.chat.completions.create(model="gpt-4o", messages=[
        {"role": "system", "content": "You are helpful.\\n" + HANDBOOK},
        {"role": "user", "content": f"{POLICIES}\\n\\n{q}"},
    ])


docs = DirectoryLoader("content", glob="**/*.md").load()
web = WebBaseLoader("https://example.com/faq").load()
with open("data/train.jsonl", "rb") as fh:
    upload = client.files.create(file=fh, purpose="fine-tune")
client.files.create(file=open(HERE / "../data/ft.jsonl", "rb"), purpose="fine-tune")
with open("/etc/passwd") as outside, open("../../secrets.txt") as above:
    pass
for name in os.listdir("corpus"):
    pass
reply = {"answer": 1, "sources": []}
ds = load_dataset("json", data_files={"train": "data/a.jsonl", "test": ["data/b.jsonl"]})
hub = load_dataset("tatsu-lab/alpaca")
page = requests.get("https://example.com/changelog")
"""


def test_data_references_of_a_realistic_module() -> None:
    refs = find_data_refs("app/bot.py", ast.parse(APP), llm_file=True)
    assert [(r.line, r.role, r.target, r.detail) for r in refs] == [
        (7, "read", "app/docs/handbook.md", "read_text"),
        (8, "glob", "docs/policies/*.md", "glob"),
        (8, "read", "docs/policies/*.md", "read_text"),
        (14, "prompt", "app/docs/handbook.md", "'content' of a message"),
        (15, "prompt", "docs/policies/*.md", "'content' of a message"),
        (19, "load", "content", "DirectoryLoader"),
        (20, "remote", "https://example.com/faq", "WebBaseLoader"),
        (21, "read", "data/train.jsonl", "open"),
        (22, "training", "data/train.jsonl", "create"),
        (23, "read", "data/ft.jsonl", "open"),
        (23, "training", "data/ft.jsonl", "create"),
        (26, "glob", "corpus/*", "listdir"),
        (28, "sources", "", "sources"),
        (29, "training", "data/a.jsonl", "load_dataset"),
        (29, "training", "data/b.jsonl", "load_dataset"),
        (31, "fetch", "https://example.com/changelog", "get"),
    ]


def test_a_file_that_calls_no_model_has_no_prompt_or_source_references() -> None:
    refs = find_data_refs("app/bot.py", ast.parse(APP), llm_file=False)
    assert {r.role for r in refs} == {"read", "glob", "load", "remote", "training", "fetch"}


def test_prompt_constants_of_a_prompt_library() -> None:
    source = (
        "import textwrap\n"
        'SYSTEM_PROMPT = textwrap.dedent("""\\\n'
        "    Be brief and friendly.\n"
        "    Use British spelling.\n"
        '""")\n'
        'QA_PROMPT_TEMPLATE = "Answer the question from this context: {context}"\n'
        'QA_TEMPLATE = "a template that is not a prompt by its name"\n'
        "FEW_SHOTS = [\n"
        '    {"role": "user", "content": "Hi"},\n'
        '    {"role": "assistant", "content": "Hello! How can I help?"},\n'
        "]\n"
        'TITLE = "not a prompt"\n'
        "PROMPT_COUNT = 3\n"
    )
    found = find_prompt_constants("lib/prompts.py", ast.parse(source))
    assert [(p.line, p.role, p.text) for p in found] == [
        (2, "system", "Be brief and friendly.\nUse British spelling.\n"),
        (6, "template", "Answer the question from this context: {context}"),
        (9, "user", "Hi"),
        (10, "assistant", "Hello! How can I help?"),
    ]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("docs", ["docs/a.md", "docs/sub/b.pdf"]),
        ("docs/*.md", ["docs/a.md"]),
        ("docs/**/*.pdf", ["docs/sub/b.pdf"]),
        ("docs/**", ["docs/a.md", "docs/sub/b.pdf"]),
        ("doc", []),
        (".", []),
        ("docs/a.md", ["docs/a.md"]),
    ],
)
def test_targets_name_files_folders_and_globs(target: str, expected: list[str]) -> None:
    files = ["docs/a.md", "docs/sub/b.pdf", "docsx/c.md", "src/app.py"]
    assert match(target, files) == expected


def test_token_estimates_from_sizes() -> None:
    assert approx_file_tokens("a.md", 4001) == 1001  # about 4 characters a token, rounded up
    assert approx_file_tokens("a.pdf", 100_000) == 5000  # a fifth of a PDF's bytes is text


def test_cost_arithmetic() -> None:
    pricing = Pricing.load({"calls-per-month": 1000})
    costs = estimate(
        pricing,
        CostInputs(
            training_tokens=1_000_000,
            corpus_tokens=2_000_000,
            instruction_tokens_per_call=500,
            pasted_tokens_per_call=0,
            runs_per_year=12,
            monthly_change=0.25,
            models=["gpt-4o-mini-2024-07-18"],
            stores=["pinecone"],
        ),
    )
    ft, rag = costs["fine_tune"], costs["rag"]
    assert ft["base_model"] == "gpt-4o-mini"
    assert ft["run_usd"] == 9.0  # 1M tokens x 3 epochs x $3
    # premium: 1000 calls x (800 x $0.15 + 300 x $0.60) per million
    assert ft["inference_premium_month_usd"] == 0.3
    assert ft["year_usd"] == 112.0  # 9.0 x 12 + 0.3 x 12, whole dollars above $100
    assert ft["instructions_saved_month_usd"] == 0.07  # 1000 x 500 x $0.15 / 1M
    assert rag["vector_store"] == "managed-starter"
    assert rag["initial_embedding_usd"] == 0.04  # 2M x $0.02
    assert rag["reembedding_month_usd"] == 0.01  # a quarter of it each month
    assert rag["retrieved_context_month_usd"] == 0.3  # 1000 x 2000 x $0.15 / 1M
    assert rag["year_usd"] == 604.0  # 0.04 + 12 x (0.01 + 50 + 0.3), whole dollars
    assert costs["assumptions"][0] == "token counts are estimates: about 4 characters a token"


def test_a_price_override_must_be_complete_and_known() -> None:
    assert (
        merge({"embedding": {"mine": {"per-million": 0.5}}})["embedding"]["mine"]["per-million"]
        == 0.5
    )
    with pytest.raises(PricingError, match="needs `per-million`"):
        merge({"embedding": {"mine": {"source": "x"}}})
    with pytest.raises(PricingError, match=r"unknown key `pricing\.embedding\.mine\.price`"):
        merge({"embedding": {"mine": {"per-million": 1, "price": 2}}})


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(ROOT / "fixtures" / name, root)
    return root


LEVELS = {
    "data_change": {"frequent", "occasional", "static", "unknown"},
    "need": {"knowledge", "behavior", "both", "unknown"},
    "stakes": {"high", "normal"},
    "budget": {"under-10k", "10k-50k", "over-50k", "unknown"},
}


def test_the_json_contract_of_profile_and_recommendation(tmp_path: Path, run_cli: RunCli) -> None:
    root = _copy(tmp_path, "legal-finetune")
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", "--offline")
    assert (code, err) == (0, "")
    report: dict[str, Any] = json.loads(out)
    profile, rec = report["profile"], report["recommendation"]
    assert list(profile) == ["current_approach", "data_change", "need", "stakes", "budget"]
    for key, allowed in LEVELS.items():
        assert profile[key]["level"] in allowed
        for evidence in profile[key]["evidence"]:
            assert set(evidence) == {"path", "line", "detail"}
            assert (root / evidence["path"]).is_file() and evidence["line"] >= 1
    assert set(profile["need"]) == {"level", "knowledge", "behavior", "evidence"}
    assert set(profile["stakes"]) == {"level", "domains", "evidence"}
    assert set(profile["budget"]) == {"level", "usd", "evidence"}
    assert 0.0 <= profile["data_change"]["score"] <= 1.0
    assert list(rec) == ["strategy", "confidence", "summary", "questions", "costs"]
    assert rec["strategy"] == "rag" and 0.0 <= rec["confidence"] <= 1.0
    assert [q["id"] for q in rec["questions"]] == ["data-change", "need", "cost", "stakes"]
    for question in rec["questions"]:
        assert question["leans"] in {"rag", "fine-tune", "either"}
        assert question["question"].endswith("?") and question["answer"]
    assert {"fine_tune", "rag", "assumptions"} <= set(rec["costs"])
    assert all(isinstance(a, str) for a in rec["costs"]["assumptions"])


def test_terminal_and_markdown_show_the_verdict(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "220")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # the terminal view, as on a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    root = _copy(tmp_path, "handbook-stuffing")
    code, out, _ = run_cli("scan", root, "--no-cache", "--offline")
    assert code == 0
    assert "Verdict: RAG · confidence" in out
    for question in ("change often?", "behave differently", "What would each", "How bad"):
        assert question in out
    assert "The prompt as it is" in out
    code, out, _ = run_cli("scan", root, "--no-cache", "--offline", "--format", "markdown")
    assert "### Verdict: RAG · confidence" in out
    assert "| Approach | One-off | A month | A year |" in out
    assert "<summary>Cost assumptions</summary>" in out
    code, out, _ = run_cli("scan", root, "--no-cache", "--offline", "--quiet")
    assert "Verdict" not in out


def test_no_verdict_panel_without_llm_use(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    code, out, _ = run_cli("scan", _copy(tmp_path, "plain-library"), "--no-cache", "--offline")
    assert code == 0
    assert "No LLM usage found." in out and "Verdict" not in out


def test_dataref_round_trips_through_the_cache_format() -> None:
    ref = DataRef("a.py", 3, "load", "docs", "DirectoryLoader")
    assert DataRef.from_dict(ref.to_dict()) == ref
    with pytest.raises(TypeError):
        DataRef.from_dict({**ref.to_dict(), "line": "3"})


def test_a_broken_scheduled_workflow_is_one_errors_entry(make_repo: Any, scan_json: Any) -> None:
    root = make_repo(
        {".github/workflows/ingest.yml": "on:\n  schedule:\n    - cron: '0 1 * * *'\njobs: [\n"}
    )
    report = scan_json(root, "--offline")
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [
        (".github/workflows/ingest.yml", "parse-error")
    ]


def test_an_agent_that_searches_through_tools_retrieves(make_repo: Any, scan_json: Any) -> None:
    root = make_repo(
        {
            "agent/tools.py": "from langchain_core.tools import tool\n"
            "\n"
            "\n"
            "@tool\n"
            "def search_docs(query: str) -> str:\n"
            '    """Search the product documentation."""\n'
            "    return query\n"
            "\n"
            "\n"
            "@tool(return_direct=True)\n"
            "def add(a: int, b: int) -> int:\n"
            "    return a + b\n",
            "agent/run.py": "from openai import OpenAI\n"
            "\n"
            "client = OpenAI()\n"
            'client.chat.completions.create(model="gpt-4o-mini", messages=[])\n',
        }
    )
    report = scan_json(root, "--offline")
    assert report["profile"]["current_approach"] == "rag"
    assert "agent/tools.py:5 agent tool that looks things up: search_docs" in [
        f"{e['path']}:{e['line']} {e['detail']}" for e in report["profile"]["need"]["evidence"]
    ]
