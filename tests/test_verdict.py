"""The verdict on sample repositories with real, dated git histories.

Each test copies a fixture into a fresh git repository, writes its history
with commits dated relative to today (``GIT_AUTHOR_DATE``/``GIT_COMMITTER_DATE``),
scans it, and checks the strategy, each question's level, the current
approach, and every adaptation rule at its exact place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, ScanJson

FIXTURES = ROOT / "fixtures"
NOW = datetime.now(timezone.utc)

# (days ago, files to touch) for each commit after the first.
History = Sequence[tuple[int, Sequence[str]]]


def _git(root: Path, *args: str, when: datetime | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    if when is not None:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+0000")
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def build(tmp_path: Path, fixture: str, *, first: int, history: History = ()) -> Path:
    """The fixture as a git repository: everything committed ``first`` days ago,
    then one commit per ``history`` entry appending a line to its files."""
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    _git(root, "init", "-q")
    _git(root, "config", "user.name", "ragfit tests")
    _git(root, "config", "user.email", "tests@ragfit.invalid")
    _git(root, "config", "commit.gpgsign", "false")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "initial", when=NOW - timedelta(days=first))
    for number, (days_ago, paths) in enumerate(sorted(history, key=lambda h: -h[0])):
        for path in paths:
            with (root / path).open("a", encoding="utf-8") as handle:
                handle.write("\n" if path.endswith(".jsonl") else f"\nUpdate {number}.\n")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"update {number}", when=NOW - timedelta(days=days_ago))
    return root


def weekly(paths: Sequence[str], weeks: int = 52) -> History:
    return [(7 * week + 1, paths) for week in range(weeks)]


def adaptation(report: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    return [
        (f["rule_id"], f["path"], f["line"], f["severity"])
        for f in report["findings"]
        if f["rule_id"].startswith("AD")
    ]


def levels(report: dict[str, Any]) -> dict[str, str]:
    profile = report["profile"]
    return {
        "current": profile["current_approach"],
        "data_change": profile["data_change"]["level"],
        "need": profile["need"]["level"],
        "stakes": profile["stakes"]["level"],
        "budget": profile["budget"]["level"],
        "strategy": report["recommendation"]["strategy"] if report["recommendation"] else "-",
    }


def details(question: dict[str, Any]) -> list[str]:
    return [f"{e['path']}:{e['line']} {e['detail']}" for e in question["evidence"]]


Scan = Callable[..., dict[str, Any]]


@pytest.fixture
def scan(scan_json: ScanJson) -> Scan:
    def run(root: Path, *flags: str) -> dict[str, Any]:
        return scan_json(root, "--offline", *flags)

    return run


def test_retrieval_over_weekly_documents_is_rag(tmp_path: Path, scan: Scan) -> None:
    root = build(
        tmp_path, "weekly-docs-rag", first=400, history=weekly(["docs/guides/quickstart.md"])
    )
    report = scan(root)
    assert levels(report) == {
        "current": "rag",
        "data_change": "frequent",
        "need": "knowledge",
        "stakes": "normal",
        "budget": "unknown",
        "strategy": "rag",
    }
    assert "ragbot/ingest.py:10 knowledge (docs): 13 commits in 90 days, 52 in 365" in " ".join(
        details(report["profile"]["data_change"])
    ).replace(f", last {(NOW - timedelta(days=1)).date().isoformat()}", "")
    assert ".github/workflows/reindex.yml:6 workflow job weekly runs" in " ".join(
        details(report["profile"]["data_change"])
    )
    # The answer keeps its sources: no AD104 even if the stakes were high.
    assert adaptation(report) == [("AD001", "ragbot/ingest.py", 10, "note")]
    assert report["inventory"]["knowledge"] == {
        "paths": ["docs"],
        "files": 6,
        "bytes": sum(p.stat().st_size for p in (root / "docs").rglob("*.md")),
        "approx_tokens": sum(-(-p.stat().st_size // 4) for p in (root / "docs").rglob("*.md")),
        "commits_90": 13,
        "commits_365": 52,
        "last_change": (NOW - timedelta(days=1)).date().isoformat(),
    }


def test_fine_tuning_on_weekly_regulations_in_a_legal_product_is_rag(
    tmp_path: Path, scan: Scan
) -> None:
    history = weekly(["regulations/art-12-reporting.md", "data/train.jsonl"])
    root = build(tmp_path, "legal-finetune", first=400, history=history)
    report = scan(root)
    assert levels(report) == {
        "current": "fine-tune",
        "data_change": "frequent",
        "need": "knowledge",
        "stakes": "high",
        "budget": "unknown",
        "strategy": "rag",
    }
    assert report["profile"]["stakes"]["domains"] == ["legal", "regulatory"]
    assert adaptation(report) == [
        ("AD104", "app/answer.py", 12, "warning"),
        ("AD001", "train.py", 10, "warning"),
        ("AD101", "train.py", 10, "warning"),
    ]
    ad101 = next(f for f in report["findings"] if f["rule_id"] == "AD101")
    assert "builds training data data/train.jsonl from documents at " in ad101["message"]
    assert "scripts/build_dataset.py:26" in ad101["message"]
    assert "about 52 runs a year" in ad101["message"]
    change = " | ".join(details(report["profile"]["data_change"]))
    assert "data/train.jsonl:1 training data (data/train.jsonl): 13 commits in 90 days" in change
    assert ".github/workflows/retrain.yml:4 workflow job weekly runs" in change
    (training,) = report["inventory"]["training_data"]
    assert training["path"] == "data/train.jsonl"
    assert (training["format"], training["examples"], training["invalid_lines"]) == ("chat", 24, 0)
    assert (training["commits_90"], training["commits_365"]) == (13, 52)
    assert training["fact_share"] >= 0.7  # facts recurring in most answers are boilerplate
    assert report["inventory"]["knowledge"]["paths"] == ["regulations/*.md"]
    questions = {q["id"]: q["leans"] for q in report["recommendation"]["questions"]}
    assert questions == {
        "data-change": "rag",
        "need": "rag",
        "cost": questions["cost"],
        "stakes": "rag",
    }


def test_the_stakes_override_in_configuration(tmp_path: Path, scan: Scan) -> None:
    root = build(tmp_path, "legal-finetune", first=30)
    (root / "ragfit.toml").write_text("high-stakes = false\nbudget-usd = 5000\n", "utf-8")
    report = scan(root)
    stakes, budget = report["profile"]["stakes"], report["profile"]["budget"]
    assert stakes["level"] == "normal"
    assert details(stakes)[0] == "ragfit.toml:1 `high-stakes = false` in the configuration"
    assert (budget["level"], budget["usd"]) == ("under-10k", 5000.0)
    assert details(budget) == ["ragfit.toml:2 `budget-usd = 5000` in the configuration"]
    assert "AD104" not in {f["rule_id"] for f in report["findings"]}


def test_a_long_brand_voice_prompt_is_a_fine_tuning_candidate(tmp_path: Path, scan: Scan) -> None:
    report = scan(build(tmp_path, "brand-voice-bot", first=200))
    assert levels(report) == {
        "current": "prompting",
        "data_change": "unknown",  # no knowledge and no training data to watch
        "need": "behavior",
        "stakes": "normal",
        "budget": "unknown",
        "strategy": "fine-tune",
    }
    assert adaptation(report) == [
        ("AD001", "bot/reply.py", 11, "warning"),
        ("AD103", "bot/voice.py", 3, "note"),
    ]
    ad103 = next(f for f in report["findings"] if f["rule_id"] == "AD103")
    assert ad103["properties"]["few_shot_examples"] == 3
    assert ad103["properties"]["tokens_per_call"] >= 400


def test_text_to_sql_with_a_house_dialect_and_a_daily_catalog_is_hybrid(
    tmp_path: Path, scan: Scan
) -> None:
    history = [(day, ["catalog/orders.yml"]) for day in range(1, 90)]
    report = scan(build(tmp_path, "text-to-sql", first=120, history=history))
    assert levels(report) == {
        "current": "rag",
        "data_change": "frequent",
        "need": "both",
        "stakes": "normal",
        "budget": "unknown",
        "strategy": "hybrid",
    }
    need = " | ".join(details(report["profile"]["need"]))
    assert "sqlbot/generate.py:9 house syntax: bigquery, house style, sql dialect" in need
    assert "sqlbot/generate.py:9 3 few-shot example answers sent with each call" in need
    assert adaptation(report) == [
        ("AD103", "sqlbot/generate.py", 9, "note"),
        ("AD001", "sqlbot/generate.py", 41, "warning"),
    ]


def test_a_handbook_pasted_into_every_prompt_is_rag(tmp_path: Path, scan: Scan) -> None:
    report = scan(build(tmp_path, "handbook-stuffing", first=300))
    assert levels(report) == {
        "current": "prompting",
        "data_change": "static",
        "need": "knowledge",
        "stakes": "normal",
        "budget": "unknown",
        "strategy": "rag",
    }
    assert adaptation(report) == [
        ("AD001", "hrbot/answer.py", 13, "warning"),
        ("AD102", "hrbot/answer.py", 18, "warning"),
    ]
    ad102 = next(f for f in report["findings"] if f["rule_id"] == "AD102")
    tokens = -(
        -(root_size := (FIXTURES / "handbook-stuffing/docs/handbook.md").stat().st_size) // 4
    )
    assert root_size > 40_000
    assert ad102["properties"]["tokens_per_call"] == tokens
    assert f"~{tokens:,} tokens" in ad102["message"]
    assert report["recommendation"]["costs"]["prompting"]["pasted_tokens_per_call"] == tokens


def test_a_plain_prompting_tool_is_prompting(tmp_path: Path, scan: Scan) -> None:
    report = scan(build(tmp_path, "prompting-tool", first=60))
    assert levels(report) == {
        "current": "prompting",
        "data_change": "unknown",
        "need": "behavior",  # the prompt alone shapes the answers
        "stakes": "normal",
        "budget": "unknown",
        "strategy": "prompting",
    }
    assert adaptation(report) == [("AD001", "commitmsg/cli.py", 18, "note")]


def test_a_library_with_no_llm_use_gets_none(tmp_path: Path, scan: Scan) -> None:
    report = scan(build(tmp_path, "plain-library", first=60))
    assert levels(report)["current"] == "none"
    assert levels(report)["strategy"] == "none"
    assert report["recommendation"]["summary"].startswith("No LLM use found")
    assert adaptation(report) == []


def test_a_shallow_clone_of_a_fixed_handbook_is_static_with_a_lower_confidence(
    tmp_path: Path, scan: Scan
) -> None:
    origin = build(tmp_path / "origin", "handbook-stuffing", first=300)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", origin.as_uri(), str(clone)],
        check=True,
        capture_output=True,
    )
    report = scan(clone)
    change = report["profile"]["data_change"]
    # A committed handbook that nothing refreshes is fixed data; the history
    # that would confirm it is missing, so the answer says how sure it is.
    assert (change["level"], change["confidence"]) == ("static", 0.6)
    assert details(change) == [
        "hrbot/answer.py:7 fixed data (corpus docs/handbook.md) and nothing that refreshes it; "
        "no history to confirm (shallow clone: history is incomplete)"
    ]
    (answer,) = [q for q in report["recommendation"]["questions"] if q["id"] == "data-change"]
    assert answer["answer"].startswith("No: the knowledge and training data hardly change")


def test_no_git_and_no_data_gives_unknown_saying_what_was_missing(
    tmp_path: Path, scan: Scan
) -> None:
    root = tmp_path / "copy"
    shutil.copytree(FIXTURES / "brand-voice-bot", root)
    report = scan(root)
    change = report["profile"]["data_change"]
    assert (change["level"], change["confidence"]) == ("unknown", 0.0)
    assert change["missing"] == [
        "no training data",
        "no knowledge corpus",
        "no ingestion, sync or scheduled job",
        "no history (not in a git work tree)",
    ]
    (answer,) = [q for q in report["recommendation"]["questions"] if q["id"] == "data-change"]
    assert answer["answer"] == (
        "Unknown: nothing to judge by (no training data, no knowledge corpus, "
        "no ingestion, sync or scheduled job, no history (not in a git work tree))"
    )


def test_costs_follow_pricing_overrides(tmp_path: Path, scan: Scan) -> None:
    root = build(tmp_path, "handbook-stuffing", first=300)
    (root / "ragfit.toml").write_text(
        "[pricing]\ncalls-per-month = 100000\n"
        "[pricing.inference.gpt-4o]\ninput-per-million = 5.0\n",
        "utf-8",
    )
    report = scan(root)
    costs = report["recommendation"]["costs"]
    tokens = costs["prompting"]["pasted_tokens_per_call"]
    assert costs["fine_tune"]["base_model"] == "gpt-4o"  # the model the code calls
    assert costs["prompting"]["model"] == "gpt-4o"
    ad102 = next(f for f in report["findings"] if f["rule_id"] == "AD102")
    month = 100_000 * tokens * 5.0 / 1e6
    assert f"about ${month:,.0f} a month at 100,000 calls" in ad102["message"]
    assert any("100,000 calls a month" in a for a in costs["assumptions"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[pricing]\nbogus = 1\n", "unknown key `pricing.bogus`"),
        ('[pricing]\ncalls-per-month = "many"\n', "`pricing.calls-per-month` must be a"),
        ("[pricing.embedding.mine]\nper-million = -1\n", "must be a non-negative number"),
        ('[pricing]\nfine-tune-model = "gpt-9"\n', "is not one of"),
        ("[pricing.embedding.mine]\nsource = 'x'\n", "needs `per-million`"),
    ],
)
def test_bad_pricing_is_a_one_line_configuration_error(
    tmp_path: Path, run_cli: Any, text: str, message: str
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ragfit.toml").write_text(text, "utf-8")
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache")
    assert (code, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
