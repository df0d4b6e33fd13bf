"""The terminal report when it does not go to a terminal: plain lines, never wrapped.

Each finding is one line, ``path:line:col: ID message``: the form editors,
``grep`` and ruff's concise output share, so a pipe or a file can be read by a
program. Scan errors follow as ``path: error: kind: message``, then (unless
quiet) the one-line summaries a terminal shows (approach, verdict,
dependencies and their surface, licenses, infrastructure) and the summary
line. No colour, no markup, no table.

``--statistics`` replaces the findings with one line per rule: the count, the
id, the name and the severity, most frequent first.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.model import Finding, Report, Severity
from auditor.reporters.surface import surface_summary
from auditor.reporters.terminal import (
    component_summary,
    dependency_summary,
    license_summary,
    summary_text,
)
from auditor.reporters.verdict import verdict
from auditor.scanners.text import LINE_BREAK


def one_line(text: str) -> str:
    return LINE_BREAK.sub(" ", text)


def finding_line(finding: Finding) -> str:
    loc = finding.location
    return f"{loc.path}:{loc.line}:{loc.column}: {finding.rule_id} {one_line(finding.message)}"


def render_plain(report: Report, *, quiet: bool = False) -> str:
    lines = [finding_line(f) for f in report.findings]
    lines += _errors(report)
    if not quiet:
        lines += _context(report)
    lines.append(summary_text(report))
    return "\n".join(lines) + "\n"


def _errors(report: Report) -> list[str]:
    return [one_line(f"{e.path or '-'}: error: {e.kind}: {e.message}") for e in report.errors]


def _context(report: Report) -> list[str]:
    lines: list[str] = []
    if report.call_sites:
        lines.append(f"Current approach: {report.current_approach}")
    found = verdict(report)
    if found is not None:
        lines.append(one_line(f"Verdict: {found.title}"))
    if report.dependencies:
        lines.append(dependency_summary(report))
        surface = surface_summary(report)
        if surface:
            lines.append(surface)
    licenses = license_summary(report)
    if licenses:
        lines.append(licenses)
    if report.components:
        lines.append(component_summary(report))
    return lines


def statistics(findings: Iterable[Finding]) -> list[tuple[int, str, str, Severity]]:
    """(count, rule id, rule name, severity) per rule, most frequent first."""
    counts: dict[str, list[Finding]] = {}
    for finding in findings:
        counts.setdefault(finding.rule_id, []).append(finding)
    rows = [
        (len(group), rule_id, group[0].rule_name, max(f.severity for f in group))
        for rule_id, group in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row[0], row[1]))


def render_statistics(report: Report) -> str:
    """``--statistics`` as text: ``    4  AD110  deprecated-model-or-api  warning``."""
    rows = statistics(report.findings)
    width = max((len(str(count)) for count, *_ in rows), default=1)
    lines = [
        f"{count:>{width}}  {rule_id}  {name}  {severity.label}"
        for count, rule_id, name, severity in rows
    ]
    lines.append(summary_text(report))
    return "\n".join(lines) + "\n"
