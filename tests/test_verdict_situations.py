"""The verdict in each situation an expert tells apart: one fixture each.

Every test builds the fixture as a git repository with a dated history where
history matters (``tests.test_verdict.build``), scans it, and checks the four
answers, the strategy, and what the costs were priced on: the models and the
token counts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, ScanJson
from tests.test_verdict import build, details

FIXTURES = ROOT / "fixtures"


@pytest.fixture
def scan(scan_json: ScanJson) -> Any:
    def run(root: Path) -> dict[str, Any]:
        return scan_json(root, "--offline")

    return run


def answers(report: dict[str, Any]) -> dict[str, Any]:
    profile = report["profile"]
    return {
        "current": profile["current_approach"],
        "data_change": (profile["data_change"]["level"], profile["data_change"]["confidence"]),
        "need": profile["need"]["level"],
        "stakes": (profile["stakes"]["level"], profile["stakes"]["domains"]),
        "strategy": report["recommendation"]["strategy"],
    }


def priced(report: dict[str, Any]) -> dict[str, Any]:
    """What the costs were priced on: models and token counts."""
    costs = report["recommendation"]["costs"]
    ft, rag, prompting = costs["fine_tune"], costs["rag"], costs["prompting"]
    return {
        "chat": prompting["model"],
        "fine_tune": (ft["model"], ft["base_model"], ft["local"]),
        "training_tokens": (ft["training_tokens"], ft["training_tokens_assumed"]),
        "embedding": (rag["model"], rag["embedding_model"]),
        "corpus_tokens": (rag["corpus_tokens"], rag["corpus_tokens_assumed"]),
    }


def rules(report: dict[str, Any]) -> list[str]:
    return [
        f"{f['rule_id']} {f['path']}:{f['line']}"
        for f in report["findings"]
        if f["rule_id"].startswith("AD0") or f["rule_id"].startswith("AD1")
        if f["rule_id"] != "AD110"
    ]


def jsonl_tokens(path: Path) -> int:
    """The dataset scanner's estimate: every text of every example, about 4
    characters a token, rounded up per text."""
    total = 0
    for line in filter(str.strip, path.read_text("utf-8").splitlines()):
        for message in json.loads(line)["messages"]:
            total += -(-len(message["content"]) // 4)
    return total


# -- 1. data change that agrees with its evidence


def test_documents_turned_into_training_data_once_years_ago_are_static(
    tmp_path: Path, scan: Any
) -> None:
    # The help centre and the training set last changed 700 days ago, and
    # nothing ingests or runs on a schedule: a build script is not change.
    root = build(
        tmp_path,
        "faq-distill",
        first=900,
        history=[(700, ["docs/billing.md", "data/train.jsonl"])],
    )
    report = scan(root)
    assert answers(report) == {
        "current": "fine-tune",
        "data_change": ("static", 0.9),
        "need": "knowledge",
        "stakes": ("normal", []),
        "strategy": "rag",
    }
    change = details(report["profile"]["data_change"])
    assert any("0 commits in 90 days, 0 in 365" in line for line in change)
    assert not any("builds training data" in line for line in change)
    need = " | ".join(details(report["profile"]["need"]))
    assert "scripts/build_train.py:11 builds training data data/train.jsonl from documents" in need
    # No AD101: nothing says the knowledge changes.
    assert rules(report) == ["AD001 finetune.py:8"]
    tokens = jsonl_tokens(root / "data/train.jsonl")
    assert priced(report) == {
        "chat": "gpt-4o-mini",
        "fine_tune": ("gpt-4o-mini-2024-07-18", "gpt-4o-mini", False),
        "training_tokens": (tokens, False),
        "embedding": (None, "text-embedding-3-small"),
        "corpus_tokens": (
            sum(-(-p.stat().st_size // 4) for p in (root / "docs").glob("*.md")),
            False,
        ),
    }


def test_the_same_documents_changing_monthly_make_ad101_fire_on_churn_alone(
    tmp_path: Path, scan: Any
) -> None:
    # Only the source documents change (no schedule, training data untouched
    # since): the churn trigger alone, through the build script.
    history = [(day, ["docs/storage.md"]) for day in (10, 40, 70, 100)]
    root = build(tmp_path, "faq-distill", first=400, history=history)
    report = scan(root)
    assert answers(report)["data_change"] == ("frequent", 0.9)
    ad101 = next(f for f in report["findings"] if f["rule_id"] == "AD101")
    assert (ad101["path"], ad101["line"]) == ("finetune.py", 8)
    assert "knowledge (docs/*.md): 3 commits in 90 days" in ad101["message"]
    assert "builds training data data/train.jsonl from documents" in ad101["message"]


def test_a_published_hub_dataset_nothing_refreshes_is_static_with_a_stated_confidence(
    tmp_path: Path, scan: Any
) -> None:
    root = build(tmp_path, "hub-sft-recipe", first=200)
    report = scan(root)
    assert answers(report) == {
        "current": "fine-tune",
        "data_change": ("static", 0.6),
        "need": "behavior",
        "stakes": ("normal", []),
        "strategy": "fine-tune",
    }
    assert details(report["profile"]["data_change"]) == [
        "train_sft.py:10 fixed data (published dataset HuggingFaceH4/ultrachat_200k) "
        "and nothing that refreshes it"
    ]
    costs = report["recommendation"]["costs"]
    # Local LoRA training is priced in GPU hours on the model the code loads.
    assert priced(report)["fine_tune"] == ("Mistral-7B-v0.1", "open-weights-8b-lora", True)
    assert priced(report)["training_tokens"] == (550_000, True)
    assert costs["fine_tune"]["gpu_hours"] == 0.25  # 1.65M tokens: the quarter-hour floor
    assert costs["fine_tune"]["run_usd"] == 0.97  # 0.25 h x $3.89
    assert any("tokens a GPU hour" in a for a in costs["assumptions"])


def test_no_data_no_corpus_no_history_is_unknown_and_says_what_was_missing(
    tmp_path: Path, scan: Any
) -> None:
    report = scan(build(tmp_path, "meeting-notes", first=30))
    change = report["profile"]["data_change"]
    assert (change["level"], change["missing"]) == (
        "unknown",
        ["no training data", "no knowledge corpus", "no ingestion, sync or scheduled job"],
    )


@pytest.mark.parametrize(
    ("fixture", "evidence"),
    [
        ("web-research-agent", "scout/agent.py:6 TavilySearchResults (web search)"),
        ("pdf-chat", "app.py:10 users upload documents at run time (file_uploader)"),
        ("filings-analyst", "analyst/ingest.py:13 fetches remote content to ingest"),
    ],
)
def test_live_sources_web_search_and_uploads_are_change(
    tmp_path: Path, scan: Any, fixture: str, evidence: str
) -> None:
    report = scan(build(tmp_path, fixture, first=500))
    assert answers(report)["data_change"][0] == "frequent"
    assert answers(report)["current"] == "rag"
    assert any(line.startswith(evidence) for line in details(report["profile"]["data_change"]))


# -- 2. behaviour read from what the model must produce


def test_sql_in_a_house_dialect_is_behaviour_and_the_schema_in_the_prompt_is_input(
    tmp_path: Path, scan: Any
) -> None:
    root = build(tmp_path, "sql-dialect-finetune", first=120)
    report = scan(root)
    assert answers(report) == {
        "current": "fine-tune",
        "data_change": ("static", 0.9),
        "need": "behavior",
        "stakes": ("normal", []),
        "strategy": "fine-tune",
    }
    need = " | ".join(details(report["profile"]["need"]))
    assert "100% of 40 training answers are code, SQL, JSON, markup or labels" in need
    assert "supplied context" not in need  # {schema} is input, not retrieval
    (dataset,) = report["inventory"]["training_data"]
    assert dataset["structured_share"] == 1.0
    assert priced(report)["fine_tune"] == ("gpt-4o-mini-2024-07-18", "gpt-4o-mini", False)
    assert priced(report)["training_tokens"] == (
        jsonl_tokens(root / "data/sql_train.jsonl"),
        False,
    )


def test_a_few_shot_prompt_is_prompting_and_many_examples_are_a_behaviour_to_fine_tune(
    tmp_path: Path, scan: Any
) -> None:
    # Four worked examples (~700 tokens with the system line) and no rules on
    # voice or format: few-shot prompting doing its job, not a behaviour too
    # long to resend.
    root = build(tmp_path, "few-shot-converter", first=40)
    report = scan(root)
    assert answers(report) == {
        "current": "prompting",
        "data_change": ("unknown", 0.0),
        "need": "behavior",
        "stakes": ("normal", []),
        "strategy": "prompting",
    }
    assert "convert/port.py:8 4 few-shot example answers sent with each call" in details(
        report["profile"]["need"]
    )
    assert priced(report)["chat"] == "claude-sonnet"  # the price entry of the model called
    # Two more examples: more than few-shot prompting uses, a behaviour to teach once.
    port = root / "convert" / "port.py"
    more = [
        ("Summarise this bug report for the changelog: the export button did nothing on "
         "Safari 17 because a date parser rejected ISO week dates; fixed in 2.4.1.",
         "Changelog, version 2.4.1\n\nFixed:\n- Export works again on Safari 17 (ISO week "
         "dates no longer stop the date parser).\n-"),
        ("List the action items from these notes: Priya books the venue, Tom sends the draft "
         "agenda by Friday, everyone reviews the budget sheet before the call.",
         "Meeting notes: action items\n\nOwner | Action | Due\nPriya | Book the venue | -\n"
         "Tom | Send the draft agenda | Friday\nEveryone |"),
    ]  # fmt: skip
    added = "".join(
        f"    {{'role': 'user', 'content': {q!r}}},\n"
        f"    {{'role': 'assistant', 'content': {a!r}}},\n"
        for q, a in more
    )
    text = port.read_text("utf-8")
    port.write_text(text.replace("EXAMPLES = [\n", "EXAMPLES = [\n" + added, 1))
    report = scan(root)
    assert "convert/port.py:8 6 few-shot example answers sent with each call" in details(
        report["profile"]["need"]
    )
    assert answers(report)["strategy"] == "fine-tune"


def test_answers_from_one_template_with_varying_prices_are_knowledge(
    tmp_path: Path, scan: Any
) -> None:
    report = scan(build(tmp_path, "price-quote-finetune", first=60))
    assert answers(report) == {
        "current": "fine-tune",
        "data_change": ("static", 0.9),
        "need": "knowledge",
        "stakes": ("normal", []),
        "strategy": "rag",
    }
    need = " | ".join(details(report["profile"]["need"]))
    assert "48 training answers fill one template with varying facts" in need
    assert "share a template" not in need


def test_embeddings_for_clustering_and_a_response_cache_are_not_a_knowledge_need(
    tmp_path: Path, scan: Any
) -> None:
    report = scan(build(tmp_path, "ticket-clustering", first=60))
    assert answers(report) == {
        "current": "prompting",
        "data_change": ("unknown", 0.0),
        "need": "behavior",
        "stakes": ("normal", []),
        "strategy": "prompting",
    }
    assert report["profile"]["need"]["knowledge"] == 0.0
    assert "tidal/themes.py:14 embeddings used for clustering, not to retrieve knowledge" in (
        details(report["profile"]["need"])
    )


# -- 3. hybrid means both


def test_training_only_a_reranker_for_retrieval_is_rag(tmp_path: Path, scan: Any) -> None:
    report = scan(build(tmp_path, "reranker-rag", first=90))
    assert answers(report)["current"] == "rag"
    assert answers(report)["strategy"] == "rag"
    assert (
        "finder/train_encoder.py:9 trains a retriever or reranker: "
        "sentence_transformers.SentenceTransformer.fit" in details(report["profile"]["need"])
    )
    assert report["profile"]["need"]["behavior"] < 0.5  # no LLM learns a behaviour


def test_retrieval_augmented_training_of_an_llm_is_hybrid(tmp_path: Path, scan: Any) -> None:
    report = scan(build(tmp_path, "retrieval-augmented-sft", first=90))
    assert answers(report) == {
        "current": "hybrid",
        "data_change": ("static", 0.9),  # the committed training set, measured
        "need": "both",
        "stakes": ("normal", []),
        "strategy": "hybrid",
    }
    assert priced(report)["fine_tune"] == (
        "meta-llama/Llama-3.1-8B-Instruct",
        "open-weights-8b-lora",
        True,
    )
    assert priced(report)["embedding"] == ("BAAI/bge-small-en-v1.5", "open-weights-embedding")
    (dataset,) = report["inventory"]["training_data"]
    assert (dataset["path"], dataset["context_share"]) == ("data/rag_sft.jsonl", 1.0)
    need = " | ".join(details(report["profile"]["need"]))
    assert "100% of training prompts carry retrieved passages" in need
    assert "retrieval-augmented training: the model learns to answer" in need


# -- 4. libraries and frameworks


def test_a_framework_is_named_and_judged_on_what_it_runs_itself(tmp_path: Path, scan: Any) -> None:
    report = scan(build(tmp_path, "llm-framework", first=90))
    assert answers(report)["current"] == "none"
    assert answers(report)["strategy"] == "none"
    summary = report["recommendation"]["summary"]
    assert summary.startswith(
        "This is an LLM framework or SDK: its 10 calls in adapter modules for 7 providers "
        "and stores are there for its users, and the project itself runs no model"
    )
    assert [f for f in report["findings"] if f["rule_id"] == "AD001"] == []


# -- 5. stakes from the domain


def test_sec_filings_are_high_stakes_with_the_evidence_that_decided(
    tmp_path: Path, scan: Any
) -> None:
    report = scan(build(tmp_path, "filings-analyst", first=60))
    stakes = report["profile"]["stakes"]
    assert (stakes["level"], stakes["domains"]) == ("high", ["financial"])
    assert details(stakes)[:2] == [
        "analyst/answer.py:10 financial: '10-K' in prompt",
        "README.md:3 financial: 'SEC filings' in README.md",
    ]
    assert priced(report)["chat"] == "gpt-4.1"
    assert priced(report)["embedding"] == ("text-embedding-3-large", "text-embedding-3-large")


def test_one_stray_legal_word_does_not_make_high_stakes(tmp_path: Path, scan: Any) -> None:
    report = scan(build(tmp_path, "meeting-notes", first=30))
    assert report["profile"]["stakes"] == {"level": "normal", "domains": [], "evidence": []}


# -- 6. costs priced on what the code uses


def test_a_claude_project_is_priced_on_claude(tmp_path: Path, scan: Any) -> None:
    report = scan(build(tmp_path, "brand-voice-bot", first=200))
    costs = report["recommendation"]["costs"]
    assert priced(report)["chat"] == "claude-3-5-haiku"
    assert priced(report)["fine_tune"] == (
        "claude-3-5-haiku-20241022",
        "claude-3-haiku-bedrock",
        False,
    )
    assert costs["fine_tune"]["offer"].startswith("Amazon Bedrock model customization")
    ad103 = next(f for f in report["findings"] if f["rule_id"] == "AD103")
    tokens = ad103["properties"]["tokens_per_call"]
    month = 10_000 * tokens * 0.80 / 1e6  # Claude 3.5 Haiku input, not gpt-4o-mini
    assert f"about ${month:,.2f} a month at 10,000 calls" in ad103["message"]


def test_the_quickstart_sample_names_the_models_it_uses(tmp_path: Path, scan: Any) -> None:
    report = scan(build(tmp_path, "openai-support-bot", first=30))
    assert priced(report) == {
        "chat": "gpt-4o-mini",
        "fine_tune": ("gpt-4o-mini-2024-07-18", "gpt-4o-mini", False),
        "training_tokens": (25_000, True),  # 10 examples: a sample, priced as 500
        "embedding": ("text-embedding-3-small", "text-embedding-3-small"),
        "corpus_tokens": (500_000, True),
    }
    costs = report["recommendation"]["costs"]
    assert costs["fine_tune"]["run_usd"] > 0 and costs["rag"]["initial_embedding_usd"] > 0
    assert any("a sample: priced as a set of 500 examples" in a for a in costs["assumptions"])
    assert any("no knowledge corpus in the repository" in a for a in costs["assumptions"])
