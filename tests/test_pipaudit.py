"""run_pip_audit against fake pip-audit executables written at test time (no network)."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.supply_chain import pipaudit
from auditor.supply_chain.osv import Advisory, Match
from auditor.supply_chain.pipaudit import AuditResult, run_pip_audit
from auditor.supply_chain.sources import PipAuditSource

SKIP = "Dependency not found on PyPI and could not be audited: ghostpkg (0.1.0)"
PINS = [("Jinja2", "2.10"), ("requests", "2.31.0"), ("ghostpkg", "0.1.0")]
FLAGS = ["--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off"]

VULNERABLE_OUTPUT: dict[str, Any] = {
    "dependencies": [
        {
            "name": "jinja2",
            "version": "2.10",
            "vulns": [
                {
                    "id": "PYSEC-2019-217",
                    "fix_versions": ["2.10.1", "2.9.9", "2.11.3"],
                    "aliases": ["GHSA-462w-v97r-4m45", "CVE-2019-10906"],
                    "description": "Sandbox escape via str.format_map.\nMore details here.",
                },
                {
                    "id": "MAL-2024-1",
                    "fix_versions": [],
                    "aliases": [],
                    "description": "x" * 300,
                },
            ],
        },
        {"name": "requests", "version": "2.31.0", "vulns": []},
        {"name": "ghostpkg", "skip_reason": SKIP},
    ],
    "fixes": [{"name": "jinja2", "old_version": "2.10", "new_version": "2.10.1"}],
}


def fake(
    tmp_path: Path,
    *,
    stdout: str = "",
    stderr: str = "",
    code: int = 0,
    sleep: float = 0.0,
) -> list[str]:
    """A fake pip-audit; it records its arguments and the requirements file it was given."""
    script = tmp_path / "fake_pip_audit.py"
    record = tmp_path / "record.json"
    script.write_text(
        f"""\
import json, sys, time
args = sys.argv[1:]
requirements = open(args[args.index("-r") + 1], encoding="utf-8").read()
with open({str(record)!r}, "w", encoding="utf-8") as out:
    json.dump({{"args": args, "requirements": requirements}}, out)
time.sleep({sleep!r})
sys.stdout.write({stdout!r})
sys.stderr.write({stderr!r})
sys.exit({code!r})
""",
        encoding="utf-8",
    )
    return [sys.executable, str(script)]


def recorded(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tmp_path / "record.json").read_text(encoding="utf-8"))
    return data


def test_vulnerable_clean_and_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    command = fake(tmp_path, stdout=json.dumps(VULNERABLE_OUTPUT), code=1)
    monkeypatch.setenv(pipaudit.ENV_COMMAND, shlex.join(command))
    result = run_pip_audit(PINS)
    sandbox = Advisory(
        id="PYSEC-2019-217",
        aliases=("CVE-2019-10906", "GHSA-462w-v97r-4m45"),
        summary="Sandbox escape via str.format_map.",
        package="jinja2",
        score=None,
        modified="",
        malicious=False,
    )
    malware = Advisory("MAL-2024-1", (), "x" * 200, "jinja2", None, "", True)
    assert result == AuditResult(
        matches={
            ("jinja2", "2.10"): [Match(sandbox, "2.10.1"), Match(malware, None)],
            ("requests", "2.31.0"): [],
        },
        unchecked={("ghostpkg", "0.1.0"): SKIP},
        error=None,
    )
    record = recorded(tmp_path)
    assert record["requirements"] == "Jinja2==2.10\nrequests==2.31.0\nghostpkg==0.1.0\n"
    args = record["args"]
    assert args[0] == "-r" and args[2:] == FLAGS and "--strict" not in args


def test_fix_falls_back_to_first_listed(tmp_path: Path) -> None:
    output = {
        "dependencies": [
            {
                "name": "pkg",
                "version": "3.0",
                "vulns": [{"id": "OSV-1", "fix_versions": ["1.5", "2.0"], "aliases": []}],
            }
        ]
    }
    result = run_pip_audit([("pkg", "3.0")], command=fake(tmp_path, stdout=json.dumps(output)))
    advisory = Advisory("OSV-1", (), "", "pkg", None, "", False)
    assert result == AuditResult({("pkg", "3.0"): [Match(advisory, "1.5")]}, {}, None)


def test_network_failure(tmp_path: Path) -> None:
    stderr = "ConnectionError: HTTPSConnectionPool(host='api.osv.dev'): Max retries exceeded\n"
    command = fake(tmp_path, stderr=stderr, code=1)
    result = run_pip_audit(PINS, command=command)
    error = (
        "pip-audit failed (exit 1): ConnectionError: "
        "HTTPSConnectionPool(host='api.osv.dev'): Max retries exceeded"
    )
    assert result == AuditResult({}, {(n.lower(), v): error for n, v in PINS}, error)


def test_traceback_summarised_by_its_last_line(tmp_path: Path) -> None:
    stderr = 'Traceback (most recent call last):\n  File "x", line 1\nOSError: boom\n'
    result = run_pip_audit([("a", "1")], command=fake(tmp_path, stderr=stderr, code=1))
    error = "pip-audit failed (exit 1): OSError: boom"
    assert result == AuditResult({}, {("a", "1"): error}, error)


def test_not_json(tmp_path: Path) -> None:
    command = fake(tmp_path, stdout="No known vulnerabilities found\n", code=0)
    result = run_pip_audit([("a", "1")], command=command)
    error = (
        "pip-audit failed (exit 0): unexpected output (Expecting value: line 1 column 1 (char 0))"
    )
    assert result == AuditResult({}, {("a", "1"): error}, error)


@pytest.mark.parametrize(
    "output",
    [
        [],
        {"fixes": []},
        {"dependencies": [{"version": "1"}]},
        {"dependencies": [{"name": "a", "version": "1", "vulns": [{"aliases": []}]}]},
        {"dependencies": [{"name": "a", "version": "1", "vulns": [{"id": "X", "aliases": "Y"}]}]},
    ],
)
def test_wrong_shape(tmp_path: Path, output: object) -> None:
    result = run_pip_audit([("a", "1")], command=fake(tmp_path, stdout=json.dumps(output)))
    assert result.matches == {} and result.error is not None
    assert result.error.startswith("pip-audit failed (exit 0): unexpected output (")
    assert result.unchecked == {("a", "1"): result.error}


def test_long_stderr_is_cut(tmp_path: Path) -> None:
    result = run_pip_audit([("a", "1")], command=fake(tmp_path, stderr="E" * 1000, code=1))
    assert result.error is not None and len(result.error) == 300
    assert result.error.endswith("EE...")


def test_timeout(tmp_path: Path) -> None:
    command = fake(tmp_path, stdout=json.dumps(VULNERABLE_OUTPUT), sleep=30)
    result = run_pip_audit(PINS, command=command, timeout=1)
    error = "pip-audit timed out after 1 seconds"
    assert result == AuditResult({}, {(n.lower(), v): error for n, v in PINS}, error)


def test_pin_missing_from_output(tmp_path: Path) -> None:
    output = {"dependencies": [{"name": "requests", "version": "2.31.0", "vulns": []}]}
    result = run_pip_audit(PINS[1:], command=fake(tmp_path, stdout=json.dumps(output)))
    assert result == AuditResult(
        {("requests", "2.31.0"): []}, {("ghostpkg", "0.1.0"): "not in pip-audit's output"}, None
    )
    assert recorded(tmp_path)["requirements"] == "requests==2.31.0\nghostpkg==0.1.0\n"


def test_versions_compared_as_pep440(tmp_path: Path) -> None:
    output = {"dependencies": [{"name": "zope-interface", "version": "1.0rc1", "vulns": []}]}
    command = fake(tmp_path, stdout=json.dumps(output))
    result = run_pip_audit([("zope.interface", "1.0.0-RC1")], command=command)
    assert result == AuditResult({("zope-interface", "1.0.0-RC1"): []}, {}, None)


def test_unsafe_pins_never_reach_the_file(tmp_path: Path) -> None:
    output = {"dependencies": [{"name": "ok", "version": "1", "vulns": []}]}
    pins = [("ok", "1"), ("--index-url=http://x", "1"), ("a", "1\nb==2"), ("c", ">=1")]
    result = run_pip_audit(pins, command=fake(tmp_path, stdout=json.dumps(output)))
    assert result.matches == {("ok", "1"): []} and result.error is None
    assert set(result.unchecked) == {("-index-url=http://x", "1"), ("a", "1\nb==2"), ("c", ">=1")}
    assert recorded(tmp_path)["requirements"] == "ok==1\n"


def test_no_pins_runs_nothing() -> None:
    assert run_pip_audit([], command=["/nonexistent/pip-audit"]) == AuditResult({}, {}, None)


def test_missing_executable(tmp_path: Path) -> None:
    result = run_pip_audit([("a", "1")], command=[str(tmp_path / "missing")])
    assert result.error is not None and result.error.startswith("pip-audit could not be run: ")
    assert result.unchecked == {("a", "1"): result.error} and result.matches == {}


def test_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pipaudit.ENV_COMMAND, raising=False)
    monkeypatch.setattr(pipaudit.importlib.util, "find_spec", lambda name: None)

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing may run")

    monkeypatch.setattr(pipaudit.subprocess, "run", no_run)
    result = run_pip_audit(PINS)
    reason = "pip-audit is not installed in ragfit's environment"
    assert result == AuditResult({}, {(n.lower(), v): reason for n, v in PINS}, reason)


def test_pip_audit_runs_from_ragfit_s_own_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip-audit is a dependency: it is importable here and run with this
    interpreter, never a `pip-audit` from PATH (another environment's)."""
    import importlib.metadata

    assert importlib.metadata.version("pip-audit")
    assert pipaudit._discover() == [sys.executable, "-m", "pip_audit"]
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pip-audit").write_text("#!/bin/sh\nexit 3\n", "utf-8")
    (fake / "pip-audit").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert pipaudit._discover() == [sys.executable, "-m", "pip_audit"]


def test_pip_audit_module_answers_help() -> None:
    """The real module starts from this environment (no network: --help only)."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--disable-pip" in done.stdout


def test_bad_env_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pipaudit.ENV_COMMAND, "'unterminated")
    result = run_pip_audit([("a", "1")])
    assert result.error is not None and result.error.startswith("RAGFIT_PIP_AUDIT is not a valid")
    assert result.unchecked == {("a", "1"): result.error}


def test_the_pip_audit_source_keeps_its_answer_and_names_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        pipaudit.ENV_COMMAND, shlex.join(fake(tmp_path, stdout=json.dumps(VULNERABLE_OUTPUT)))
    )
    audit = PipAuditSource().audit(PINS, ["unpinned-name"])
    assert audit.source == "pip-audit" and audit.error is None
    assert [m.advisory.id for m in audit.advisories("Jinja2", "2.10") or []] == [
        "PYSEC-2019-217",
        "MAL-2024-1",
    ]  # in pip-audit's order
    assert audit.advisories("requests", "2.31.0") == []
    assert audit.advisories("ghostpkg", "0.1.0") is None
    assert audit.unchecked[("ghostpkg", "0.1.0")] == SKIP
    assert audit.malicious == {}  # pip-audit cannot look names up without a version
    monkeypatch.setenv(pipaudit.ENV_COMMAND, shlex.join(fake(tmp_path, stdout="not json", code=1)))
    failed = PipAuditSource().audit(PINS, [])
    assert failed.error is not None and failed.error.startswith("no online audit: ")
