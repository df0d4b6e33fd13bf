"""--vuln-db end to end: SC001, SC004 and SC008 on a small repository, and the
database's size and age on stderr."""

from __future__ import annotations

import json
from pathlib import Path

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
