"""GitHub Actions workflow commands: one annotation per finding and per scan error.

Escaping follows the Actions runner (``ActionCommand``): the data after ``::``
escapes ``%``, CR and LF; property values also escape ``:`` and ``,``.
"""

from __future__ import annotations

from auditor.model import Finding, Report, ScanError, Severity

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, properties: list[tuple[str, str]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _finding(finding: Finding) -> str:
    loc = finding.location
    end_line = loc.end_line if loc.end_line is not None else loc.line
    props = [
        ("file", loc.path),
        ("line", str(loc.line)),
        ("col", str(loc.column)),
        ("endLine", str(end_line)),
    ]
    if loc.end_column is not None:
        props.append(("endColumn", str(loc.end_column)))
    title = f"ragfit {finding.rule_id}"
    if finding.rule_name:
        title += f" ({finding.rule_name})"
    props.append(("title", title))
    return _command(_COMMANDS[finding.severity], props, finding.message)


def _error(error: ScanError) -> str:
    if error.path:
        return _command(
            "warning",
            [("file", error.path)],
            f"ragfit could not scan this file: {error.kind}: {error.message}",
        )
    return _command("warning", [("title", "ragfit")], f"ragfit: {error.kind}: {error.message}")


def render_github(report: Report) -> str:
    """One workflow command per line; the empty string when there is nothing to say."""
    lines = [_finding(f) for f in report.findings] + [_error(e) for e in report.errors]
    if not report.audit.complete:
        reason = f" ({report.audit.reason})" if report.audit.reason else ""
        lines.append(_command("notice", [("title", "ragfit")], report.audit.sentence() + reason))
    return "".join(line + "\n" for line in lines)
