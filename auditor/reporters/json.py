"""The JSON report (schema_version 1) and the baseline file.

The key order follows the contract in DESIGN.md ("JSON report"); the output is
deterministic for the same report (``indent=2``, UTF-8 kept as is, a trailing
newline).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from auditor.model import JSON, Report

SCHEMA_VERSION = 1
TOOL_NAME = "ragfit"


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _profile(report: Report) -> JSON:
    """The four questions (all unknown when the profile could not be built)."""
    if report.profile is not None:
        return report.profile.to_dict()
    return {
        "current_approach": report.current_approach,
        "data_change": {"level": "unknown", "score": 0.0, "evidence": []},
        "need": {"level": "unknown", "knowledge": 0.0, "behavior": 0.0, "evidence": []},
        "stakes": {"level": "normal", "domains": [], "evidence": []},
        "budget": {"level": "unknown", "usd": None, "evidence": []},
    }


def _referenced(target: str, source: str) -> JSON:
    """A training set the code names but the repository does not hold (a Hub
    id, a URL, a file left out): what is known is where it comes from."""
    return {
        "path": target,
        "source": source,
        "format": None,
        "examples": None,
        "approx_tokens": None,
        "invalid_lines": None,
        "split": "train",
        "answer_tokens_avg": None,
        "template_share": None,
        "fact_share": None,
        "commits_90": None,
        "commits_365": None,
        "last_change": None,
    }


def report_dict(report: Report) -> JSON:
    """The JSON report as a dict, in the contract's key order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.version},
        "root": report.root,
        "summary": {
            "files": report.files,
            "python_files": report.python_files,
            "seconds": round(float(report.seconds), 3),
            "findings": report.counts,
            "suppressed": report.suppressed,
            "baselined": report.baselined,
            "dependency_surface": dict(report.dependency_surface) or {"direct": 0, "locked": None},
            # How many dependencies the vulnerability audit checked and did NOT.
            "vulnerability_audit": report.audit.to_dict(),
            "excluded": report.exclusions.to_dict(),
        },
        "inventory": {
            "call_sites": [site.to_report() for site in report.call_sites],
            "providers": list(report.providers),
            "training_data": [
                {
                    "path": d.path,
                    "source": "file",
                    **d.to_report(),
                    **report.data_history.get(d.path, {}),
                }
                for d in report.training_data
            ]
            + [_referenced(target, source) for target, source in report.training_refs],
            "knowledge": dict(report.knowledge)
            or {"paths": [], "files": 0, "bytes": 0, "approx_tokens": 0},
        },
        "dependencies": [d.to_report() for d in report.dependencies],
        "components": [c.to_dict() for c in report.components],
        "profile": _profile(report),
        "recommendation": report.recommendation.to_dict() if report.recommendation else None,
        "findings": [finding.to_dict() for finding in report.findings],
        "errors": [error.to_dict() for error in report.errors],
    }


def render_json(report: Report) -> str:
    """The JSON report, schema_version 1."""
    return _dump(report_dict(report))


def render_baseline(report: Report) -> str:
    """A baseline file: the current findings, to be ignored by later runs (those
    an older baseline hid included, so that rewriting one keeps them)."""
    from auditor.model import sorted_findings

    kept = report.findings
    if report.baselined_findings:
        kept = sorted_findings([*kept, *report.baselined_findings])

    return _dump(
        {
            "schema_version": SCHEMA_VERSION,
            "tool": TOOL_NAME,
            "kind": "baseline",
            "findings": [
                {
                    "rule_id": finding.rule_id,
                    "path": finding.location.path,
                    "line": finding.location.line,
                    "fingerprint": finding.fingerprint,
                    "message": finding.message,
                }
                for finding in kept
            ],
        }
    )


def _is_baseline(data: Mapping[str, Any]) -> bool:
    return data.get("kind") == "baseline" and data.get("tool") == TOOL_NAME


def _is_report(data: Mapping[str, Any]) -> bool:
    tool = data.get("tool")
    return isinstance(tool, Mapping) and tool.get("name") == TOOL_NAME


def read_baseline_fingerprints(text: str) -> set[tuple[str, str]]:
    """The ``(rule_id, fingerprint)`` pairs of a baseline file or of a full JSON report.

    Entries with an empty fingerprint identify nothing and are skipped. Raises
    ``ValueError`` with a one-line message for anything that is neither.
    """
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not a ragfit baseline: invalid JSON ({exc})") from None
    if not isinstance(data, dict) or not (_is_baseline(data) or _is_report(data)):
        raise ValueError("not a ragfit baseline: expected a baseline file or a ragfit JSON report")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(
            f"not a ragfit baseline: unsupported schema_version {data.get('schema_version')!r}"
        )
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise ValueError("not a ragfit baseline: 'findings' must be a list")
    pairs: set[tuple[str, str]] = set()
    for index, item in enumerate(findings):
        rule_id = item.get("rule_id") if isinstance(item, dict) else None
        fingerprint = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(rule_id, str) or not isinstance(fingerprint, str):
            raise ValueError(
                f"not a ragfit baseline: findings[{index}] needs string 'rule_id' and 'fingerprint'"
            )
        if fingerprint:
            pairs.add((rule_id, fingerprint))
    return pairs
