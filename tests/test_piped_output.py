"""Output for machines and people: piped findings as `path:line:col: ID message`
lines (never wrapped), --statistics, `ragfit rules --format json`, rich markup
printed literally, and every format saying how many dependencies the
vulnerability audit did NOT check (--require-audit fails on it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, MakeRepo, RunCli, fake_key

from auditor.rules import all_rules

KEY = fake_key("sk-proj-", 48, seed=11)
LONG_NAME = "a_module_with_a_rather_long_name_that_would_wrap_at_eighty_columns_in_rich.py"
RETIRED = (
    "from openai import OpenAI\n\nclient = OpenAI()\n"
    'reply = client.chat.completions.create(model="gpt-4-32k", messages=[])\n'
)
LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<id>[A-Z]{2}\d{3}) (?P<msg>.+)$"
)


def _sample(tmp_path: Path) -> Path:
    root = tmp_path / "openai-support-bot"
    shutil.copytree(FIXTURES / "openai-support-bot", root)
    return root


def test_piped_findings_are_one_unwrapped_line_each(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({LONG_NAME: RETIRED, "keys.py": f'KEY = "{KEY}"\n'})
    code, out, err = run_cli("scan", root, "--no-cache", "--offline")  # stdout is captured: a pipe
    assert (code, err) == (1, "")
    lines = out.splitlines()
    finding_lines = [m for line in lines if (m := LINE.match(line))]
    assert [(m["path"], m["line"], m["col"], m["id"]) for m in finding_lines] == [
        (LONG_NAME, "4", "9", "AD001"),
        (LONG_NAME, "4", "9", "AD110"),
        ("keys.py", "1", "8", "SC007"),
    ]
    retired = finding_lines[1]["msg"]
    assert retired.startswith("Model `gpt-4-32k` is retired since ")
    assert "\x1b[" not in out  # no colour codes in a pipe
    assert lines[-1].startswith("3 findings (1 error, 1 warning, 1 note) · 2 files · ")
    # Nothing a program would mistake for a finding, and no table borders.
    assert not any(c in out for c in "│┃━")


def test_quiet_piped_output_is_findings_and_summary(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"app.py": RETIRED})
    code, out, _ = run_cli("scan", root, "--no-cache", "--offline", "--quiet")
    lines = out.splitlines()
    assert [LINE.match(line) is not None for line in lines] == [True, True, False]
    assert lines[-1].startswith("2 findings (0 errors, 1 warning, 1 note) · 1 file · ")
    assert code == 0


def test_a_real_pipe_gets_plain_lines(tmp_path: Path) -> None:
    """Through a real pipe (a subprocess), not just captured output."""
    root = _sample(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(root), "--offline", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "TTY_COMPATIBLE"}},
    )
    assert done.returncode == 0, done.stderr
    findings = [m for line in done.stdout.splitlines() if (m := LINE.match(line))]
    assert {m["id"] for m in findings} >= {"AD001", "AD110", "SC008"}
    legacy = [m for m in findings if m["path"] == "support_bot/legacy.py" and m["id"] == "AD110"]
    assert legacy and all(len(m.group(0)) > 80 for m in legacy[:1])  # not wrapped at 80
    tail = done.stdout.splitlines()[-1]
    assert tail.endswith("3 dependencies not checked for vulnerabilities")


def test_terminal_output_file_is_plain_too(tmp_path: Path, run_cli: RunCli) -> None:
    root = _sample(tmp_path)
    report = tmp_path / "report.txt"
    code, out, _ = run_cli("scan", root, "--offline", "--no-cache", "--output", report)
    assert (code, out) == (0, "")
    text = report.read_text("utf-8")
    assert any(LINE.match(line) for line in text.splitlines())
    assert "Current approach: hybrid" in text
    assert "Verdict: Hybrid" in text


def test_statistics(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"a.py": RETIRED, "b.py": RETIRED, "keys.py": f'KEY = "{KEY}"\n'})
    code, out, _ = run_cli("scan", root, "--no-cache", "--offline", "--statistics")
    assert code == 1
    lines = out.splitlines()
    assert lines[:3] == [
        "2  AD110  deprecated-model-or-api  warning",
        "1  AD001  adaptation-strategy  note",
        "1  SC007  hardcoded-secret  error",
    ]
    assert lines[3].startswith("4 findings (1 error, 2 warnings, 1 note)")
    code, out, _ = run_cli(
        "scan", root, "--no-cache", "--offline", "--statistics", "--format", "json"
    )
    assert json.loads(out) == [
        {"rule_id": "AD110", "name": "deprecated-model-or-api", "severity": "warning", "count": 2},
        {"rule_id": "AD001", "name": "adaptation-strategy", "severity": "note", "count": 1},
        {"rule_id": "SC007", "name": "hardcoded-secret", "severity": "error", "count": 1},
    ]
    code, out, err = run_cli("scan", root, "--statistics", "--format", "sarif")
    assert (code, out) == (2, "")
    assert err == ("ragfit: error: --statistics works with --format terminal or json, not sarif\n")


def test_rules_as_json(run_cli: RunCli) -> None:
    code, out, err = run_cli("rules", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [r.id for r in all_rules()]
    sc007 = next(r for r in rows if r["id"] == "SC007")
    assert sc007["name"] == "hardcoded-secret"
    assert sc007["severity"] == "error"
    assert sc007["precision"] == "high"
    assert sc007["help_uri"].endswith("/checks/supply_chain/hardcoded_secret.py")
    assert sc007["summary"].startswith("Finds ")
    assert set(sc007) == {"id", "name", "severity", "summary", "tags", "precision", "help_uri"}


def test_rules_table_prints_markup_literally(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule = next(r for r in all_rules() if r.id == "SC007")
    monkeypatch.setattr(rule, "summary", classmethod(lambda cls: "uses [bold]x[/bold] :smile:"))
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run_cli("rules")
    assert code == 0
    assert "uses [bold]x[/bold] :smile:" in out


def test_every_format_counts_what_was_not_checked(tmp_path: Path, run_cli: RunCli) -> None:
    root = _sample(tmp_path)
    sentence = "3 dependencies not checked for vulnerabilities"
    outputs = {}
    for fmt in ("json", "sarif", "markdown", "github", "cyclonedx", "terminal"):
        code, out, err = run_cli("scan", root, "--offline", "--no-cache", "--format", fmt)
        assert (code, err) == (0, ""), fmt
        outputs[fmt] = out
    audit = json.loads(outputs["json"])["summary"]["vulnerability_audit"]
    assert audit == {
        "source": None,
        "checked": 0,
        "not_checked": 3,
        "reason": "offline and no vulnerability data (--vuln-db)",
    }
    run = json.loads(outputs["sarif"])["runs"][0]
    assert run["properties"]["vulnerabilityAudit"]["not_checked"] == 3
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert f"{sentence} (offline and no vulnerability data (--vuln-db))" in notes
    assert f"**{sentence}**" in outputs["markdown"]
    assert f"::notice title=ragfit::{sentence}" in outputs["github"]
    bom = json.loads(outputs["cyclonedx"])
    props = {p["name"]: p["value"] for p in bom["metadata"]["properties"]}
    assert props["ragfit:vulnerability-audit:not-checked"] == "3"
    assert outputs["terminal"].splitlines()[-1].endswith(sentence)


def test_require_audit_fails_an_incomplete_audit(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    osv = Path(__file__).parent / "data" / "osv"
    complete = make_repo({"requirements.txt": "flask==3.0.3\n"})
    code, _, err = run_cli(
        "scan", complete, "--no-cache", "--vuln-db", osv, "--require-audit", "--select", "AD"
    )
    assert code == 0, err  # the audit ran (no rule asked for it) and checked everything
    partial = make_repo({"requirements.txt": "flask==3.0.3\nopenai>=1.30\n"})
    code, _, err = run_cli("scan", partial, "--no-cache", "--vuln-db", osv, "--require-audit")
    assert code == 1
    assert err.splitlines()[-1] == (
        "ragfit: the vulnerability audit is incomplete: "
        "1 dependency not checked for vulnerabilities (require-audit)"
    )
    # --exit-zero does not hide it: it was asked for explicitly.
    code, _, _ = run_cli(
        "scan", partial, "--no-cache", "--vuln-db", osv, "--require-audit", "--exit-zero"
    )
    assert code == 1
    # Offline with no data nothing is checked; the configuration key does the same.
    (partial / "ragfit.toml").write_text("require-audit = true\n", "utf-8")
    code, _, err = run_cli("scan", partial, "--no-cache", "--offline")
    assert code == 1
    assert err.endswith(
        "2 dependencies not checked for vulnerabilities "
        "(offline and no vulnerability data (--vuln-db)) (require-audit)\n"
    )
    code, _, err = run_cli("scan", partial, "--no-cache", "--offline", "--select", "AD")
    assert code == 1  # no rule needs the audit: --require-audit still asks for it
