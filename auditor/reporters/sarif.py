"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run. Every rule of the pack is listed in ``tool.driver.rules`` (and a
minimal descriptor is appended for a finding whose rule is not in the pack, so
that ``ruleIndex`` is always valid). Every result has exactly one physical
location relative to ``%SRCROOT%``. Columns in the report are 1-based Unicode
code points; SARIF gets UTF-16 code units (``run.columnKind``), computed from
the text of the reported line.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from auditor.model import JSON, Finding, Report, ScanError, Severity
from auditor.rules import Rule, all_rules, doc_section, help_uri
from auditor.scanners.text import LINE_BREAK

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ragfit/ragfit"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "ragfit/v1"
MAX_TAGS = 20
MAX_FULL_DESCRIPTION = 1000
MAX_READ_BYTES = 32 * 1024 * 1024
# GitHub code scanning takes at most 25,000 results a run and rejects the rest.
MAX_RESULTS = 25_000
# GitHub's bands: error 7.0-10 (high, critical), warning 4.0-6.9, note 0.1-3.9.
BANDS = {Severity.ERROR: (7.0, 10.0), Severity.WARNING: (4.0, 6.9), Severity.NOTE: (0.1, 3.9)}
BAND_DEFAULT = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.NOTE: "2.0"}


def _artifact_location(path: str) -> JSON:
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _full_description(rule: type[Rule]) -> str:
    """The leading paragraphs of ``## What it does`` (or of the doc), at most 1000 chars."""
    doc = rule.doc()
    body = doc_section(doc, "## What it does") or doc
    paragraphs = [
        " ".join(line.strip() for line in block.splitlines() if line.strip())
        for block in body.split("\n\n")
    ]
    paragraphs = [p for p in paragraphs if p and not p.startswith("#")]
    text = ""
    for paragraph in paragraphs:
        candidate = f"{text}\n\n{paragraph}" if text else paragraph
        if len(candidate) > MAX_FULL_DESCRIPTION:
            if not text:
                text = paragraph[: MAX_FULL_DESCRIPTION - 1].rstrip() + "…"
            break
        text = candidate
    return text or rule.summary() or rule.name


def _security_severity(rule: type[Rule]) -> str | None:
    value = rule.security_severity
    if value is None or not 0.0 < value <= 10.0:
        return None
    return f"{value:.1f}"


def _rule_descriptor(rule: type[Rule]) -> JSON:
    security = _security_severity(rule)
    tags = list(dict.fromkeys(rule.tags))
    if security is not None and "security" not in tags:
        tags.append("security")
    properties: JSON = {"tags": tags[:MAX_TAGS], "precision": rule.precision}
    if security is not None:
        properties["security-severity"] = security
    doc = rule.doc()
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short_description()},
        "fullDescription": {"text": _full_description(rule)},
        "helpUri": help_uri(rule),
        "help": {"text": doc or rule.name, "markdown": doc or rule.name},
        "defaultConfiguration": {"level": rule.severity.label},
        "properties": properties,
    }


def _minimal_descriptor(finding: Finding) -> JSON:
    """For a finding whose rule is not in the pack: enough for a valid ``ruleIndex``."""
    name = finding.rule_name or finding.rule_id
    return {
        "id": finding.rule_id,
        "name": name,
        "shortDescription": {"text": name},
        "fullDescription": {"text": name},
        "help": {"text": name},
        "defaultConfiguration": {"level": finding.severity.label},
    }


class _ColumnConverter:
    """Turns 1-based code-point columns into 1-based UTF-16 code-unit columns."""

    def __init__(self, root: str) -> None:
        self._root = Path(root)
        self._lines: dict[str, list[str] | None] = {}

    def _file_lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            lines: list[str] | None = None
            file = self._root / path
            try:
                # Regular files only (a FIFO would block); huge files keep their columns.
                if path and file.is_file() and file.stat().st_size <= MAX_READ_BYTES:
                    text = file.read_text(encoding="utf-8", errors="replace")
                    lines = LINE_BREAK.split(text)
            except (OSError, ValueError):
                lines = None
            self._lines[path] = lines
        return self._lines[path]

    def column(self, path: str, line: int, column: int) -> int:
        lines = self._file_lines(path)
        if lines is None or not 1 <= line <= len(lines) or column < 1:
            return column
        text = lines[line - 1]
        if text.isascii():
            return column
        prefix = text[: column - 1]
        overflow = column - 1 - len(prefix)
        return 1 + len(prefix.encode("utf-16-le")) // 2 + overflow


def _result_security_severity(finding: Finding, rule: type[Rule] | None) -> str | None:
    """A security rule's result carries a security-severity in the band of its
    own level: the advisory's score when the rule gave one, the rule's value at
    the rule's default level, else the middle of the level's band."""
    if rule is None or _security_severity(rule) is None:
        return None
    given = finding.properties.get("security-severity")
    if isinstance(given, str):
        return given
    if finding.severity is rule.severity:
        return _security_severity(rule)
    return BAND_DEFAULT[finding.severity]


def _result(
    finding: Finding, rule_index: int, columns: _ColumnConverter, rule: type[Rule] | None = None
) -> JSON:
    loc = finding.location
    end_line = loc.end_line if loc.end_line is not None else loc.line
    region: JSON = {
        "startLine": loc.line,
        "startColumn": columns.column(loc.path, loc.line, loc.column),
        "endLine": end_line,
    }
    if loc.end_column is not None:
        region["endColumn"] = columns.column(loc.path, end_line, loc.end_column)
    result: JSON = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.severity.label,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact_location(loc.path),
                    "region": region,
                }
            }
        ],
    }
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    properties = dict(finding.properties)
    security = _result_security_severity(finding, rule)
    if security is not None:
        properties["security-severity"] = security
    if properties:
        result["properties"] = properties
    return result


def _notification(error: ScanError) -> JSON:
    notification: JSON = {
        "level": "warning",
        "message": {"text": f"{error.kind}: {error.message}"},
    }
    if error.path:
        notification["locations"] = [
            {"physicalLocation": {"artifactLocation": _artifact_location(error.path)}}
        ]
    return notification


def sarif_dict(report: Report, *, category: str | None = None) -> JSON:
    """The SARIF log as a dict."""
    pack = {rule.id: rule for rule in all_rules()}
    rules = [_rule_descriptor(rule) for rule in pack.values()]
    index = {descriptor["id"]: i for i, descriptor in enumerate(rules)}
    for finding in report.findings:
        if finding.rule_id not in index:
            index[finding.rule_id] = len(rules)
            rules.append(_minimal_descriptor(finding))
    columns = _ColumnConverter(report.root)
    notifications = [_notification(e) for e in report.errors]
    shown = report.findings[:MAX_RESULTS]
    if len(report.findings) > MAX_RESULTS:
        notifications.append(
            {
                "level": "warning",
                "message": {
                    "text": f"{len(report.findings) - MAX_RESULTS} of {len(report.findings)} "
                    f"results left out: GitHub code scanning accepts {MAX_RESULTS:,} a run "
                    "(the JSON report has them all)"
                },
            }
        )
    if not report.audit.complete:
        reason = f" ({report.audit.reason})" if report.audit.reason else ""
        notifications.append(
            {"level": "note", "message": {"text": report.audit.sentence() + reason}}
        )
    run: JSON = {
        "tool": {
            "driver": {
                "name": "ragfit",
                "version": report.version,
                "semanticVersion": report.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }
        ],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the scanned repository"}}
        },
        "columnKind": "utf16CodeUnits",
        "results": [_result(f, index[f.rule_id], columns, pack.get(f.rule_id)) for f in shown],
        "properties": {"vulnerabilityAudit": report.audit.to_dict()},
    }
    if category:
        run["automationDetails"] = {"id": f"{category.rstrip('/')}/"}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report, *, category: str | None = None) -> str:
    """The SARIF 2.1.0 log, ``indent=2`` with a trailing newline."""
    return json.dumps(sarif_dict(report, category=category), indent=2, ensure_ascii=False) + "\n"
