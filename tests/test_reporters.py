"""Reporters: JSON, SARIF, Markdown, GitHub commands, terminal, baseline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sarif_schema import sarif_errors

from auditor.model import CallSite, Finding, Location, Report, ScanError, Severity
from auditor.reporters import (
    FORMATS,
    read_baseline_fingerprints,
    render_baseline,
    render_github,
    render_json,
    render_markdown,
    render_sarif,
    render_terminal,
)
from auditor.reporters import sarif as sarif_module
from auditor.rules import Rule

# RFC 3986 uri-reference characters (jsonschema does not check the format without extras).
URI_REF = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


class FineTuneRule(Rule):
    """Flags fine-tuning on knowledge that changes.

    ## What it does

    Finds a fine-tuning job whose training data is regenerated from documents
    that change often.

    A second paragraph of detail.

    ## Why is this bad?

    The model is out of date as soon as the documents change.

    ## Example

    ```python
    client.fine_tuning.jobs.create(training_file="docs.jsonl")
    ```

    ## How to fix

    Use retrieval for the knowledge.
    """

    id = "AD101"
    name = "fine-tune-on-changing-knowledge"
    severity = Severity.WARNING
    message = "fine-tuning on {what}"
    tags = ("adaptation",)


class SecretRule(Rule):
    """Flags hard-coded secrets.

    ## What it does

    Finds API keys and tokens in source files.

    ## Why is this bad?

    Anyone who can read the repository can use the key.

    ## Example

    ```python
    KEY = "sk-..."
    ```

    ## How to fix

    Read the key from the environment.
    """

    id = "SC007"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    message = "hard-coded {kind}"
    tags = ("supply-chain",)
    security_severity = 8.0


RULES: tuple[type[Rule], ...] = (FineTuneRule, SecretRule)

EMOJI_LINE = 'x = "🦄"; client.fine_tuning.jobs.create(training_file="d.jsonl")'


@pytest.fixture(autouse=True)
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif_module, "all_rules", lambda: RULES)


def _write(root: Path, files_: dict[str, str]) -> None:
    for rel, text in files_.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _report(root: Path, **changes: Any) -> Report:
    _write(
        root,
        {
            "src/train.py": "import openai\n" + EMOJI_LINE + "\n",
            "src/my app/conf.py": 'KEY = "sk-…"\n',
            "src/chat.py": "client.chat.completions.create(model='gpt-4o')\n",
        },
    )
    column = EMOJI_LINE.index("client") + 1
    fields: dict[str, Any] = {
        "root": str(root),
        "version": "0.1.0",
        "files": 42,
        "python_files": 3,
        "seconds": 0.31234,
        "call_sites": (
            CallSite("src/chat.py", 1, 1, 1, 48, "openai", "chat", "openai.chat", "gpt-4o"),
            CallSite(
                "src/train.py", 2, column, 2, len(EMOJI_LINE) + 1, "openai", "fine-tune", "ft"
            ),
            CallSite("src/rag.py", 3, 5, 3, 20, "chroma", "vector-store", "chromadb.Client"),
        ),
        "providers": ("chroma", "openai"),
        "current_approach": "fine-tune",
        "findings": (
            Finding(
                "SC007",
                "hardcoded-secret",
                Severity.ERROR,
                "hard-coded OpenAI key sk-…",
                Location("src/my app/conf.py", 1, 7, 1, 13),
                fingerprint="fp-secret",
                properties={"kind": "openai"},
            ),
            Finding(
                "AD101",
                "fine-tune-on-changing-knowledge",
                Severity.WARNING,
                "fine-tuning on docs | regenerated weekly",
                Location("src/train.py", 2, column, 2, len(EMOJI_LINE) + 1),
                fingerprint="fp-ft",
            ),
            Finding(
                "XX999",
                "not-in-pack",
                Severity.NOTE,
                "a rule that is not in the pack",
                Location("src/chat.py", 1),
                fingerprint="fp-x",
            ),
        ),
        "errors": (
            ScanError("pkg/bad.py", "parse-error", "invalid syntax at line 3"),
            ScanError("", "rule-crash", "AD102 raised KeyError"),
        ),
        "suppressed": 2,
        "baselined": 1,
    }
    fields.update(changes)
    return Report(**fields)


def _empty(root: Path) -> Report:
    return Report(
        root=str(root),
        version="0.1.0",
        files=0,
        python_files=0,
        seconds=0.0,
        call_sites=(),
        providers=(),
        current_approach="none",
        findings=(),
        errors=(),
    )


# --- JSON -------------------------------------------------------------------------------------


def test_formats() -> None:
    assert FORMATS == ("terminal", "json", "sarif", "markdown", "github", "cyclonedx")
    from auditor.cli import FORMATS as CLI_FORMATS

    assert CLI_FORMATS == FORMATS


def test_json_matches_the_contract(tmp_path: Path) -> None:
    report = _report(tmp_path)
    column = EMOJI_LINE.index("client") + 1
    expected: dict[str, Any] = {
        "schema_version": 1,
        "tool": {"name": "ragfit", "version": "0.1.0"},
        "root": str(tmp_path),
        "summary": {
            "files": 42,
            "python_files": 3,
            "seconds": 0.312,
            "findings": {"error": 1, "warning": 1, "note": 1},
            "suppressed": 2,
            "baselined": 1,
            # A report built without a surface still has the contract's keys.
            "dependency_surface": {"direct": 0, "locked": None},
            "vulnerability_audit": {
                "source": None,
                "checked": 0,
                "not_checked": 0,
                "reason": None,
            },
            "excluded": {
                "config": None,
                "isolated": False,
                "patterns": [],
                "files": 0,
                "sample": [],
                "rules_not_run": [],
                "max_file_size": 0,
                "oversized": 0,
                "per_path_ignored": 0,
                "inline_suppressed": 0,
            },
        },
        "inventory": {
            "call_sites": [
                {
                    "path": "src/chat.py",
                    "line": 1,
                    "column": 1,
                    "provider": "openai",
                    "capability": "chat",
                    "api": "openai.chat",
                    "model": "gpt-4o",
                    "fine_tuned": False,
                    "trained": None,
                    "host": None,
                },
                {
                    "path": "src/train.py",
                    "line": 2,
                    "column": column,
                    "provider": "openai",
                    "capability": "fine-tune",
                    "api": "ft",
                    "model": None,
                    "fine_tuned": False,
                    "trained": None,
                    "host": None,
                },
                {
                    "path": "src/rag.py",
                    "line": 3,
                    "column": 5,
                    "provider": "chroma",
                    "capability": "vector-store",
                    "api": "chromadb.Client",
                    "model": None,
                    "fine_tuned": False,
                    "trained": None,
                    "host": None,
                },
            ],
            "providers": ["chroma", "openai"],
            "training_data": [],
            "knowledge": {"paths": [], "files": 0, "bytes": 0, "approx_tokens": 0},
        },
        "dependencies": [],
        "components": [],
        "profile": {
            "current_approach": "fine-tune",
            "data_change": {"level": "unknown", "score": 0.0, "evidence": []},
            "need": {"level": "unknown", "knowledge": 0.0, "behavior": 0.0, "evidence": []},
            "stakes": {"level": "normal", "domains": [], "evidence": []},
            "budget": {"level": "unknown", "usd": None, "evidence": []},
        },
        "recommendation": None,
        "findings": [
            {
                "rule_id": "SC007",
                "rule_name": "hardcoded-secret",
                "severity": "error",
                "message": "hard-coded OpenAI key sk-…",
                "path": "src/my app/conf.py",
                "line": 1,
                "column": 7,
                "end_line": 1,
                "end_column": 13,
                "fingerprint": "fp-secret",
                "properties": {"kind": "openai"},
            },
            {
                "rule_id": "AD101",
                "rule_name": "fine-tune-on-changing-knowledge",
                "severity": "warning",
                "message": "fine-tuning on docs | regenerated weekly",
                "path": "src/train.py",
                "line": 2,
                "column": column,
                "end_line": 2,
                "end_column": len(EMOJI_LINE) + 1,
                "fingerprint": "fp-ft",
                "properties": {},
            },
            {
                "rule_id": "XX999",
                "rule_name": "not-in-pack",
                "severity": "note",
                "message": "a rule that is not in the pack",
                "path": "src/chat.py",
                "line": 1,
                "column": 1,
                "end_line": 1,
                "end_column": None,
                "fingerprint": "fp-x",
                "properties": {},
            },
        ],
        "errors": [
            {"path": "pkg/bad.py", "kind": "parse-error", "message": "invalid syntax at line 3"},
            {"path": "", "kind": "rule-crash", "message": "AD102 raised KeyError"},
        ],
    }
    text = render_json(report)
    data = json.loads(text)
    assert data == expected
    assert list(data) == list(expected)
    assert list(data["summary"]) == list(expected["summary"])
    assert text.endswith("}\n")
    assert "sk-…" in text  # ensure_ascii=False keeps UTF-8


def test_json_is_deterministic(tmp_path: Path) -> None:
    assert render_json(_report(tmp_path)) == render_json(_report(tmp_path))
    assert json.loads(render_json(_empty(tmp_path)))["findings"] == []


# --- SARIF ------------------------------------------------------------------------------------


def _validate(log: dict[str, Any]) -> None:
    assert sarif_errors(log) == []


def _sarif(report: Report, category: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_sarif(report, category=category))
    return data


def _uris(log: dict[str, Any]) -> Iterable[str]:
    run = log["runs"][0]
    for result in run["results"]:
        for location in result["locations"]:
            yield location["physicalLocation"]["artifactLocation"]["uri"]
    for note in run["invocations"][0]["toolExecutionNotifications"]:
        for location in note.get("locations", []):
            yield location["physicalLocation"]["artifactLocation"]["uri"]


@pytest.mark.parametrize("category", [None, "ragfit"])
def test_sarif_validates_against_the_official_schema(tmp_path: Path, category: str | None) -> None:
    log = _sarif(_report(tmp_path), category)
    _validate(log)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    for uri in _uris(log):
        assert URI_REF.match(uri), uri
        assert not uri.startswith(("/", "./"))


def test_sarif_empty_report(tmp_path: Path) -> None:
    log = _sarif(_empty(tmp_path))
    _validate(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert "automationDetails" not in run
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["AD101", "SC007"]


def test_sarif_driver_and_rules(tmp_path: Path) -> None:
    run = _sarif(_report(tmp_path))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ragfit"
    assert driver["version"] == driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"] == "https://github.com/ragfit/ragfit"
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"description": {"text": "The root of the scanned repository"}}
    }
    ad101, sc007, extra = driver["rules"]
    assert ad101["id"] == "AD101"
    assert ad101["name"] == "fine-tune-on-changing-knowledge"
    assert ad101["shortDescription"] == {"text": FineTuneRule.summary()}
    assert ad101["fullDescription"]["text"] == (
        "Finds a fine-tuning job whose training data is regenerated from documents "
        "that change often.\n\nA second paragraph of detail."
    )
    assert ad101["help"] == {"text": FineTuneRule.doc(), "markdown": FineTuneRule.doc()}
    assert ad101["defaultConfiguration"] == {"level": "warning"}
    assert ad101["properties"] == {"tags": ["adaptation"], "precision": "high"}
    assert sc007["defaultConfiguration"] == {"level": "error"}
    assert sc007["properties"]["tags"] == ["supply-chain", "security"]
    severity = sc007["properties"]["security-severity"]
    assert severity == "8.0"
    assert isinstance(severity, str)
    assert 0 < float(severity) <= 10
    # A finding whose rule is not in the pack gets a minimal descriptor.
    assert extra["id"] == "XX999"
    assert extra["defaultConfiguration"] == {"level": "note"}


def test_sarif_full_description_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class LongRule(FineTuneRule):
        __doc__ = "## What it does\n\n" + "word " * 400 + "\n\n## How to fix\n\nNothing."
        id = "AD199"

    monkeypatch.setattr(sarif_module, "all_rules", lambda: (LongRule,))
    rule = _sarif(_empty(tmp_path))["runs"][0]["tool"]["driver"]["rules"][0]
    assert 0 < len(rule["fullDescription"]["text"]) <= 1000


def test_sarif_results(tmp_path: Path) -> None:
    report = _report(tmp_path)
    run = _sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(report.findings)
    for result, finding in zip(results, report.findings, strict=True):
        assert result["ruleId"] == finding.rule_id
        assert rules[result["ruleIndex"]]["id"] == finding.rule_id
        assert result["level"] == finding.severity.label
        assert result["message"] == {"text": finding.message}
        assert len(result["locations"]) == 1
        assert result["partialFingerprints"] == {"ragfit/v1": finding.fingerprint}
    secret, fine_tune, other = results
    assert secret["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/my%20app/conf.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "startColumn": 7, "endLine": 1, "endColumn": 13},
    }
    assert secret["properties"] == {"kind": "openai", "security-severity": "8.0"}
    # The emoji before the call is one code point but two UTF-16 code units.
    column = EMOJI_LINE.index("client") + 1
    region = fine_tune["locations"][0]["physicalLocation"]["region"]
    assert region == {
        "startLine": 2,
        "startColumn": column + 1,
        "endLine": 2,
        "endColumn": len(EMOJI_LINE) + 2,
    }
    assert "properties" not in fine_tune
    assert other["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
        "endLine": 1,
    }


def test_sarif_columns_kept_when_file_is_missing(tmp_path: Path) -> None:
    finding = Finding(
        "AD101",
        "fine-tune-on-changing-knowledge",
        Severity.WARNING,
        "m",
        Location("gone.py", 3, 9, 3, 12),
        fingerprint="f",
    )
    run = _sarif(_report(tmp_path, findings=(finding,)))["runs"][0]
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 9, "endLine": 3, "endColumn": 12}


def test_sarif_automation_details_only_with_category(tmp_path: Path) -> None:
    assert "automationDetails" not in _sarif(_report(tmp_path))["runs"][0]
    run = _sarif(_report(tmp_path), "ragfit")["runs"][0]
    assert run["automationDetails"] == {"id": "ragfit/"}


def test_sarif_errors_become_notifications(tmp_path: Path) -> None:
    invocation = _sarif(_report(tmp_path))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "warning",
            "message": {"text": "parse-error: invalid syntax at line 3"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "pkg/bad.py", "uriBaseId": "%SRCROOT%"}
                    }
                }
            ],
        },
        {"level": "warning", "message": {"text": "rule-crash: AD102 raised KeyError"}},
    ]


def test_sarif_is_deterministic(tmp_path: Path) -> None:
    report = _report(tmp_path)
    text = render_sarif(report, category="x")
    assert text == render_sarif(report, category="x")
    assert text.endswith("}\n")


def test_sarif_loads_in_sarif_tools(tmp_path: Path) -> None:
    from sarif import loader

    report = _report(tmp_path / "repo")
    out = tmp_path / "out.sarif"
    out.write_text(render_sarif(report), encoding="utf-8")
    sarif_file = loader.load_sarif_file(str(out))
    assert sarif_file.get_result_count() == len(report.findings)
    assert sarif_file.get_distinct_tool_names() == ["ragfit"]
    assert sorted(sarif_file.get_severities()) == ["error", "note", "warning"]
    empty = tmp_path / "empty.sarif"
    empty.write_text(render_sarif(_empty(tmp_path)), encoding="utf-8")
    assert loader.load_sarif_file(str(empty)).get_result_count() == 0


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown(tmp_path: Path) -> None:
    text = render_markdown(_report(tmp_path))
    assert text.startswith("## ragfit\n")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert (
        "**3 findings** (1 error, 1 warning, 1 note) · 42 files scanned · 0.31s"
        " · 2 suppressed · 1 baselined · 2 scan errors"
    ) in lines
    assert "Current approach: **fine-tune**" in lines
    assert "| chroma | vector-store (1) |" in lines
    assert "| openai | chat (1), fine-tune (1) |" in lines
    assert "| src/chat.py:1 | openai | chat | openai.chat | gpt-4o |" in lines
    assert "| src/rag.py:3 | chroma | vector-store | chromadb.Client |  |" in lines
    assert (
        "| 🟡 warning | AD101 (fine-tune-on-changing-knowledge) | src/train.py:2"
        " | fine-tuning on docs \\| regenerated weekly |"
    ) in lines
    # Grouped by severity: error, warning, note.
    order = [line.split(" | ")[0] for line in lines if line.startswith("| 🔴") or "| 🟡" in line]
    assert order[0].startswith("| 🔴")
    assert "<details>" in lines
    assert "| pkg/bad.py | parse-error | invalid syntax at line 3 |" in lines
    assert "No findings." not in text


def test_markdown_escapes_cells(tmp_path: Path) -> None:
    finding = Finding(
        "AD101",
        "fine-tune-on-changing-knowledge",
        Severity.WARNING,
        "a `b` | c\nd <script>",
        Location("x|y.py", 4),
    )
    text = render_markdown(_report(tmp_path, findings=(finding,), errors=()))
    row = next(line for line in text.splitlines() if line.startswith("| 🟡"))
    assert row == (
        "| 🟡 warning | AD101 (fine-tune-on-changing-knowledge) | x\\|y.py:4"
        " | a `b` \\| c d \\<script\\> |"
    )
    assert "<details>" not in text


def test_markdown_keeps_code_spans(tmp_path: Path) -> None:
    """Rule messages name code in backticks: a code span stays one, with only
    the table's ``|`` escaped inside; text around it is escaped as usual."""
    finding = Finding(
        "AD110",
        "deprecated-model-or-api",
        Severity.WARNING,
        "`openai.ChatCompletion.create` is retired: use `a|b` *now*",
        Location("legacy.py", 19),
    )
    text = render_markdown(_report(tmp_path, findings=(finding,), errors=()))
    row = next(line for line in text.splitlines() if line.startswith("| 🟡"))
    assert row.endswith(" | `openai.ChatCompletion.create` is retired: use `a\\|b` \\*now\\* |")


def test_markdown_clean_and_capped(tmp_path: Path) -> None:
    sites = tuple(CallSite(f"a{i}.py", 1, 1, 1, 2, "openai", "chat", "api") for i in range(53))
    text = render_markdown(_report(tmp_path, findings=(), errors=(), call_sites=sites))
    assert "No findings." in text
    assert "… and 3 more call sites" in text
    assert "| openai | chat (53) |" in text
    assert sum(1 for line in text.splitlines() if line.startswith("| a")) == 50


# --- GitHub -----------------------------------------------------------------------------------


def test_github_commands(tmp_path: Path) -> None:
    findings = (
        Finding(
            "SC007",
            "hardcoded-secret",
            Severity.ERROR,
            "100% bad\nsecond line",
            Location("src/a,b.py", 3, 5, 3, 9),
        ),
        Finding(
            "AD101", "fine-tune-on-changing-knowledge", Severity.WARNING, "w", Location("f.py")
        ),
        Finding("AD110", "deprecated-model-or-api", Severity.NOTE, "n: x", Location("g.py", 7, 2)),
    )
    text = render_github(_report(tmp_path, findings=findings))
    assert text.splitlines() == [
        "::error file=src/a%2Cb.py,line=3,col=5,endLine=3,endColumn=9,"
        "title=ragfit SC007 (hardcoded-secret)::100%25 bad%0Asecond line",
        "::warning file=f.py,line=1,col=1,endLine=1,"
        "title=ragfit AD101 (fine-tune-on-changing-knowledge)::w",
        "::notice file=g.py,line=7,col=2,endLine=7,"
        "title=ragfit AD110 (deprecated-model-or-api)::n: x",
        "::warning file=pkg/bad.py::ragfit could not scan this file: parse-error: "
        "invalid syntax at line 3",
        "::warning title=ragfit::ragfit: rule-crash: AD102 raised KeyError",
    ]
    assert text.endswith("\n")


def test_github_empty(tmp_path: Path) -> None:
    assert render_github(_empty(tmp_path)) == ""


# --- terminal ---------------------------------------------------------------------------------


def _terminal(report: Report, *, quiet: bool = False) -> str:
    console = Console(record=True, width=120, color_system=None)
    render_terminal(report, console, quiet=quiet)
    return console.export_text()


def test_terminal(tmp_path: Path) -> None:
    report = _report(tmp_path)
    out = _terminal(report)
    assert "LLM usage" in out
    assert "gpt-4o" in out
    assert "Current approach: fine-tune" in out
    for finding in report.findings:
        loc = finding.location
        assert f"{loc.path}:{loc.line}:{loc.column}  {finding.rule_id}  {finding.message}" in out
    assert "pkg/bad.py: parse-error: invalid syntax at line 3" in out
    assert (
        "3 findings (1 error, 1 warning, 1 note) · 42 files · 0.31s · 2 suppressed · 1 baselined"
        in out
    )
    # Errors come before warnings and notes.
    assert out.index("SC007") < out.index("AD101") < out.index("XX999")


def test_terminal_quiet_and_clean(tmp_path: Path) -> None:
    out = _terminal(_empty(tmp_path), quiet=True)
    assert "LLM usage" not in out
    assert "No findings." in out
    assert "0 files · 0.00s" in out


def test_terminal_prints_markup_literally(tmp_path: Path) -> None:
    finding = Finding(
        "AD101",
        "fine-tune-on-changing-knowledge",
        Severity.WARNING,
        "uses [bold]x[/bold] :smile: and a trailing backslash \\",
        Location("src/[red]evil.py", 2, 1),
    )
    error = ScanError("[red]bad.toml", "parse-error", "[/] oops")
    site = CallSite("[red]m.py", 1, 1, 1, 2, "[red]prov", "chat", "api", "[blue]model")
    report = _report(tmp_path, findings=(finding,), errors=(error,), call_sites=(site,))
    out = _terminal(report)
    assert (
        "src/[red]evil.py:2:1  AD101  uses [bold]x[/bold] :smile: and a trailing backslash \\"
        in out
    )
    assert "[red]bad.toml: parse-error: [/] oops" in out
    assert "[red]prov" in out
    assert "[blue]model" in out


def test_terminal_without_markup_console(tmp_path: Path) -> None:
    console = Console(record=True, width=120, color_system=None, markup=False)
    render_terminal(_report(tmp_path), console)
    out = console.export_text()
    assert "[bold" not in out
    assert "src/train.py:2" in out


# --- baseline ---------------------------------------------------------------------------------


def test_baseline_round_trip(tmp_path: Path) -> None:
    report = _report(tmp_path)
    text = render_baseline(report)
    data = json.loads(text)
    assert data["schema_version"] == 1
    assert data["tool"] == "ragfit"
    assert data["kind"] == "baseline"
    assert data["findings"][0] == {
        "rule_id": "SC007",
        "path": "src/my app/conf.py",
        "line": 1,
        "fingerprint": "fp-secret",
        "message": "hard-coded OpenAI key sk-…",
    }
    expected = {("SC007", "fp-secret"), ("AD101", "fp-ft"), ("XX999", "fp-x")}
    assert read_baseline_fingerprints(text) == expected
    assert read_baseline_fingerprints(render_json(report)) == expected
    assert read_baseline_fingerprints(render_baseline(_empty(tmp_path))) == set()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        "{}",
        '{"schema_version": 1, "tool": "other", "kind": "baseline", "findings": []}',
        '{"schema_version": 2, "tool": "ragfit", "kind": "baseline", "findings": []}',
        '{"schema_version": 1, "tool": "ragfit", "kind": "baseline", "findings": {}}',
        '{"schema_version": 1, "tool": "ragfit", "kind": "baseline", "findings": [1]}',
        '{"schema_version": 1, "tool": {"name": "ragfit"}, "findings": [{"rule_id": "A"}]}',
        "[" * 100_000,
    ],
)
def test_baseline_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not a ragfit baseline") as info:
        read_baseline_fingerprints(text)
    assert "\n" not in str(info.value)
