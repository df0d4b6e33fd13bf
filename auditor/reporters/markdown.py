"""Markdown for a pull-request comment or a GitHub Actions job summary.

Every piece of repository-derived text is escaped, so that a message or a path
cannot break a table, open a link or inject HTML.
"""

from __future__ import annotations

import re

from auditor.model import Finding, Report, Severity
from auditor.reporters.surface import surface_summary
from auditor.reporters.verdict import verdict
from auditor.scanners.text import LINE_BREAK

MAX_CALL_SITES = 50
MAX_FINDINGS = 200

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ICONS = {Severity.ERROR: "🔴", Severity.WARNING: "🟡", Severity.NOTE: "🔵"}


_CODE_SPAN = re.compile(r"`([^`\r\n]+)`")


def _plain(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _cell(text: str) -> str:
    """One table cell: one line; Markdown punctuation and ``|`` backslash-escaped,
    except that a `code span` stays one (a rule message names code that way):
    inside it only ``|`` is escaped, which GitHub's tables need and render as ``|``."""
    text = LINE_BREAK.sub(" ", text)
    out: list[str] = []
    position = 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_plain(text[position : span.start()]))
        out.append("`" + span.group(1).replace("|", "\\|") + "`")
        position = span.end()
    out.append(_plain(text[position:]))
    return "".join(out).strip()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _summary_line(report: Report) -> str:
    parts = [
        _plural(report.count(Severity.ERROR), "error"),
        _plural(report.count(Severity.WARNING), "warning"),
        _plural(report.count(Severity.NOTE), "note"),
    ]
    head = f"**{_plural(len(report.findings), 'finding')}** ({', '.join(parts)})"
    tail = [f"{_plural(report.files, 'file')} scanned", f"{report.seconds:.2f}s"]
    if report.suppressed:
        tail.append(f"{report.suppressed} suppressed")
    if report.baselined:
        tail.append(f"{report.baselined} baselined")
    if report.errors:
        tail.append(_plural(len(report.errors), "scan error"))
    if not report.audit.complete:
        tail.append(f"**{report.audit.sentence()}**")
    return " · ".join([head, *tail])


def _inventory(report: Report) -> list[str]:
    out = ["### LLM usage", ""]
    table = report.providers_by_capability()
    if not table:
        return [*out, "No LLM usage found.", ""]
    out += [f"Current approach: **{report.current_approach}**", ""]
    out += ["| Provider | Capabilities |", "| --- | --- |"]
    for provider, capabilities in table.items():
        caps = ", ".join(f"{_cell(cap)} ({count})" for cap, count in capabilities.items())
        out.append(f"| {_cell(provider)} | {caps} |")
    out += [
        "",
        "| Location | Provider | Capability | API | Model |",
        "| --- | --- | --- | --- | --- |",
    ]
    for site in report.call_sites[:MAX_CALL_SITES]:
        out.append(
            f"| {_cell(f'{site.path}:{site.line}')} | {_cell(site.provider)}"
            f" | {_cell(site.capability)} | {_cell(site.api)} | {_cell(site.model or '')} |"
        )
    more = len(report.call_sites) - MAX_CALL_SITES
    if more > 0:
        out += ["", f"… and {more} more call sites"]
    return [*out, ""]


def _verdict(report: Report) -> list[str]:
    found = verdict(report)
    if found is None:
        return []
    out = [f"### Verdict: {_cell(found.title)}", "", _cell(found.summary), ""]
    out += ["| Question | Answer | Leans | Evidence |", "| --- | --- | --- | --- |"]
    for row in found.questions:
        out.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
    out += ["", "| Approach | One-off | A month | A year |", "| --- | ---: | ---: | ---: |"]
    for row in found.costs:
        out.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
    out += ["", "<details>", "<summary>Cost assumptions</summary>", ""]
    out += [f"- {_cell(text)}" for text in found.assumptions]
    return [*out, "", "</details>", ""]


def _findings(report: Report) -> list[str]:
    out = ["### Findings", ""]
    if not report.findings:
        return [*out, "No findings.", ""]
    ordered: list[Finding] = sorted(report.findings, key=lambda f: -f.severity)
    out += ["| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"]
    for finding in ordered[:MAX_FINDINGS]:
        loc = finding.location
        rule = f"{finding.rule_id} ({finding.rule_name})" if finding.rule_name else finding.rule_id
        out.append(
            f"| {_ICONS[finding.severity]} {finding.severity.label} | {_cell(rule)}"
            f" | {_cell(f'{loc.path}:{loc.line}')} | {_cell(finding.message)} |"
        )
    more = len(ordered) - MAX_FINDINGS
    if more > 0:
        out += ["", f"… and {more} more findings"]
    return [*out, ""]


def _errors(report: Report) -> list[str]:
    if not report.errors:
        return []
    out = [
        "<details>",
        f"<summary>Scan errors ({len(report.errors)})</summary>",
        "",
        "| Path | Kind | Message |",
        "| --- | --- | --- |",
    ]
    for error in report.errors:
        out.append(f"| {_cell(error.path)} | {_cell(error.kind)} | {_cell(error.message)} |")
    return [*out, "", "</details>", ""]


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown, ending with a newline."""
    lines = ["## ragfit", "", _summary_line(report), ""]
    lines += _verdict(report)
    lines += _inventory(report)
    surface = surface_summary(report)
    if surface:
        lines += [_cell(surface), ""]
    lines += _findings(report)
    lines += _errors(report)
    return "\n".join(lines).rstrip("\n") + "\n"
