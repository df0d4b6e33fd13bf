"""--vuln-db end to end: SC001, SC004 and SC008 on a small repository, and the
database's size and age on stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli

OSV = Path(__file__).parent / "data" / "osv"


def test_vulnerable_pin_malicious_name_and_unchecked_range(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(
        {
            "requirements.txt": (
                "requests==2.28.0\n"  # PYSEC-2023-74, fixed in 2.31.0
                "flask==3.0.3\n"
                "jeIlyfish==0.7.2\n"  # on the shipped malicious list
                "openai>=1.30\n"  # a range: cannot be checked
            )
        }
    )
    code, out, err = run_cli(
        "scan", root, "--format", "json", "--no-cache", "--vuln-db", OSV, "--select", "SC00"
    )
    assert code == 1
    report = json.loads(out)
    rows = [(f["rule_id"], f["line"], f["severity"]) for f in report["findings"]]
    assert ("SC001", 1, "warning") in rows  # CVSS 6.1: a warning, not an error
    assert ("SC004", 3, "error") in rows
    assert ("SC008", 4, "note") in rows
    sc001 = next(f for f in report["findings"] if f["rule_id"] == "SC001")
    assert sc001["properties"]["advisory"] == "PYSEC-2023-74"
    assert sc001["properties"]["fixed"] == "2.31.0"
    assert sc001["properties"]["security-severity"] == "6.1"
    assert "CVE-2023-32681" in sc001["message"]
    assert "fixed in 2.31.0" in sc001["message"]
    sc008 = next(f for f in report["findings"] if f["rule_id"] == "SC008")
    assert "openai" in sc008["message"]
    assert "requests" not in sc008["message"]
    # The malformed advisory file is an errors entry, not a crash.
    assert any(e["kind"] == "vuln-db-error" for e in report["errors"])
    lines = err.splitlines()
    assert lines[0].startswith("ragfit: ") and "advisories read, newest " in lines[0]
    assert "days old" in lines[1]  # the test database is from 2026 at the latest


def test_a_missing_vuln_db_is_a_usage_error(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"requirements.txt": "requests==2.32.3\n"})
    code, out, err = run_cli("scan", root, "--vuln-db", root / "nope")
    assert (code, out) == (2, "")
    assert err.startswith("ragfit: error: --vuln-db ")
    assert len(err.splitlines()) == 1


FAKE_PIP_AUDIT = """\
import json, sys
json.dump({"dependencies": [
    {"name": "requests", "version": "2.28.0", "vulns": [{
        "id": "PYSEC-2023-74", "fix_versions": ["2.31.0"], "aliases": ["CVE-2023-32681"],
        "description": "Unintended leak of Proxy-Authorization header"}]},
    {"name": "flask", "version": "3.0.3", "vulns": []},
    {"name": "acme-internal",
     "skip_reason": "Dependency not found on PyPI and could not be audited"},
], "fixes": []}, sys.stdout)
sys.exit(1)
"""


def test_online_audit_through_pip_audit(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "fake_pip_audit.py"
    fake.write_text(FAKE_PIP_AUDIT, "utf-8")
    monkeypatch.setenv("RAGFIT_PIP_AUDIT", f"{sys.executable} {fake}")
    root = make_repo(
        {"requirements.txt": "requests==2.28.0\nflask==3.0.3\nacme-internal==1.0.0\nopenai>=1\n"}
    )
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", "--select", "SC00")
    # pip-audit gives no CVSS score: the finding is a warning, below --fail-on error.
    assert (code, err) == (0, "")
    report = json.loads(out)
    findings = [(f["rule_id"], f["line"], f["message"]) for f in report["findings"]]
    assert findings[0][:2] == ("SC001", 1)
    assert report["findings"][0]["severity"] == "warning"
    assert "fixed in 2.31.0" in findings[0][2]
    sc008 = sorted((line, message) for rule, line, message in findings if rule == "SC008")
    assert sc008 == [
        (
            3,
            "1 dependency not checked for known vulnerabilities: acme-internal (pip-audit: "
            "Dependency not found on PyPI and could not be audited)",
        ),
        (4, "1 dependency not checked for known vulnerabilities: openai (no exact version)"),
    ]


def test_failed_online_audit_is_one_note_never_a_clean_result(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    # The session's pip-audit stand-in fails, as a real one does without network.
    root = make_repo({"requirements.txt": "requests==2.28.0\nflask==3.0.3\n"})
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", "--select", "SC00")
    assert (code, err) == (0, "")
    (finding,) = json.loads(out)["findings"]
    assert (finding["rule_id"], finding["line"]) == ("SC008", 1)
    assert "no online audit: pip-audit failed" in finding["message"]
    assert "network disabled in tests" in finding["message"]


def test_offline_never_runs_pip_audit(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    fake = tmp_path / "fake.py"
    fake.write_text(f"open({str(marker)!r}, 'w').close()\n", "utf-8")
    monkeypatch.setenv("RAGFIT_PIP_AUDIT", f"{sys.executable} {fake}")
    root = make_repo({"requirements.txt": "requests==2.28.0\n"})
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", "--offline")
    assert (code, err) == (0, "")
    assert not marker.exists()
    messages = [f["message"] for f in json.loads(out)["findings"] if f["rule_id"] == "SC008"]
    assert messages == [
        "1 dependency not checked for known vulnerabilities: requests "
        "(offline and no vulnerability data: pass --vuln-db with an OSV export)"
    ]
