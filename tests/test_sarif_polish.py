"""SARIF for code review: each rule's helpUri, precision, one-sentence short
description and security-severity (in the band of its level, and agreeing with
its results); the 25,000-result cap; automationDetails only on request."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, MakeRepo, RunCli

from auditor.model import Finding, Location, Report, Severity
from auditor.reporters import sarif as sarif_module
from auditor.reporters.sarif import BANDS, MAX_RESULTS, sarif_dict
from auditor.rules import PRECISIONS, all_rules, first_sentence

HEURISTIC = {
    "AD001",
    "AD101",
    "AD102",
    "AD103",
    "AD104",
    "AD110",
    "SC003",
    "SC009",
    "SC010",
    "LC003",
}


def _descriptors() -> dict[str, dict[str, object]]:
    report = Report(
        root="/nonexistent",
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
    rules = sarif_dict(report)["runs"][0]["tool"]["driver"]["rules"]
    return {rule["id"]: rule for rule in rules}


def _band(value: str) -> Severity:
    number = float(value)
    return next(s for s, (low, high) in BANDS.items() if low <= number <= high)


def test_every_rule_has_help_uri_precision_and_one_sentence() -> None:
    descriptors = _descriptors()
    assert set(descriptors) == {rule.id for rule in all_rules()}
    for rule in all_rules():
        descriptor = descriptors[rule.id]
        module_file = rule.__module__.removeprefix("auditor.").replace(".", "/") + ".py"
        assert str(descriptor["helpUri"]).endswith("/" + module_file), rule.id
        assert (Path(__file__).parents[1] / module_file).is_file()
        properties = descriptor["properties"]
        assert isinstance(properties, dict)
        assert properties["precision"] in PRECISIONS
        expected = "medium" if rule.id in HEURISTIC else "high"
        assert properties["precision"] == expected, rule.id
        short = descriptor["shortDescription"]["text"]  # type: ignore[index]
        # One sentence: it ends with a full stop and holds no other sentence end.
        assert short.endswith("."), (rule.id, short)
        assert not re.search(r"[.!?] [A-Z]", short[:-1]), (rule.id, short)
        assert short == first_sentence(rule.summary())


def test_rule_security_severity_is_in_the_band_of_its_level() -> None:
    for rule_id, descriptor in _descriptors().items():
        properties = descriptor["properties"]
        assert isinstance(properties, dict)
        if "security-severity" not in properties:
            continue
        level = Severity.parse(descriptor["defaultConfiguration"]["level"])  # type: ignore[index]
        assert _band(properties["security-severity"]) is level, rule_id
        assert "security" in properties["tags"], rule_id


def test_first_sentence_skips_abbreviations() -> None:
    assert first_sentence("Flags keys, e.g. `sk-...` tokens. More text.") == (
        "Flags keys, e.g. `sk-...` tokens."
    )
    assert first_sentence("No full stop at all") == "No full stop at all"


def test_results_agree_with_their_rule(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    """A vulnerability with a CVSS score of 9.8 is an error with 9.8; a secret
    (an error rule) carries the rule's own value; every result sits in the band
    of its level."""
    advisory = {
        "id": "GHSA-test-0001",
        "modified": "2026-11-01T00:00:00Z",
        "summary": "Remote code execution",
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "requests"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.31.0"}]}
                ],
            }
        ],
    }
    key = "sk-proj-" + "Xq7Zt4Lp2Wm9Rb6Nc3Vd8Hk1Jf5Gs0Ue7Io4Wy9Ta1BnQ3vR8sK6Pz"
    root = make_repo(
        {
            "requirements.txt": "requests==2.28.0\n",
            "app.py": f'KEY = "{key}"\n',
            "osv/GHSA-test-0001.json": json.dumps(advisory),
        }
    )
    code, out, err = run_cli(
        "scan", root, "--format", "sarif", "--no-cache", "--vuln-db", root / "osv",
        "--select", "SC001,SC007",
    )  # fmt: skip
    assert code == 1, err
    run = json.loads(out)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"SC001", "SC007"}
    assert by_rule["SC001"]["level"] == "error"
    assert by_rule["SC001"]["properties"]["security-severity"] == "9.8"
    assert rules["SC001"]["properties"]["security-severity"] == "5.5"  # default: warning
    assert (
        by_rule["SC007"]["properties"]["security-severity"]
        == (rules["SC007"]["properties"]["security-severity"])
    )
    for result in run["results"]:
        band = _band(result["properties"]["security-severity"])
        assert band is Severity.parse(result["level"]), result["ruleId"]


def _many(root: Path, count: int) -> Report:
    findings = tuple(
        Finding("AD110", "deprecated-model-or-api", Severity.NOTE, f"n{i}", Location("a.py", i + 1))
        for i in range(count)
    )
    return Report(
        root=str(root),
        version="0.1.0",
        files=1,
        python_files=1,
        seconds=0.0,
        call_sites=(),
        providers=(),
        current_approach="none",
        findings=findings,
        errors=(),
    )


def test_results_are_capped_with_a_notification(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif_module, "MAX_RESULTS", 3)
    run = sarif_dict(_many(tmp_path, 5))["runs"][0]
    assert [r["message"]["text"] for r in run["results"]] == ["n0", "n1", "n2"]
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert notes == [
        "2 of 5 results left out: GitHub code scanning accepts 3 a run "
        "(the JSON report has them all)"
    ]
    assert MAX_RESULTS == 25_000
    assert len(sarif_dict(_many(tmp_path, 3))["runs"][0]["results"]) == 3


def test_automation_details_only_with_a_category(tmp_path: Path, run_cli: RunCli) -> None:
    import shutil

    root = tmp_path / "sample"
    shutil.copytree(FIXTURES / "openai-support-bot", root)
    code, out, _ = run_cli("scan", root, "--format", "sarif", "--no-cache", "--offline")
    assert code == 0
    assert "automationDetails" not in json.loads(out)["runs"][0]
    code, out, _ = run_cli(
        "scan", root, "--format", "sarif", "--no-cache", "--offline", "--sarif-category", "ragfit"
    )
    assert json.loads(out)["runs"][0]["automationDetails"] == {"id": "ragfit/"}
